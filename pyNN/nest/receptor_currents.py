"""The current of a PointNeuron's current-based receptor at the end of a run, on NEST.

NEST's ``iaf_psc_exp_multisynapse`` records each port's current (``I_syn_k``) through a
multimeter, but its multimeter delivers the sample of the last step of a run only in the
next run, and the model does not expose the current in its status, so the library
cannot read that sample from the cells as it does for ``V_m``. It is rebuilt exactly
instead: between two steps NEST multiplies the current by ``exp(-dt/tau_syn)`` and adds
the weights of the spikes that arrive; the tracker starts from the last sample NEST has
delivered (or from 0 at the start of a segment) and adds the spikes that arrive after it,
which a ``weight_recorder`` restricted to the recorded cells reports (sender, target,
port, spike time, weight; the delay is looked up in the connection). NEST hands a
spike to the weight recorder when it delivers it, at the end of the interval in which it
was sent, so every spike that arrives by the end of a run is known then.
"""

import nest
import numpy as np

from pyNN import errors
from pyNN.common.populations import roots
from pyNN.nest import simulator


class ReceptorCurrentTracker:
    """The current of one receptor (``'<receptor>.isyn'``) of the recorded cells of one
    population, in standard units (nA), from the last sample NEST delivered on.

    Parameters
    ----------
    population : Population
        The recorded population (a PointNeuron on ``iaf_psc_exp_multisynapse``).
    variable : str
        ``'<receptor>.isyn'``.
    """

    def __init__(self, population, variable):
        self.population = population
        self.variable = variable
        receptor = variable.split(".")[0]
        self.port = population.native_type.receptor_ports[receptor]
        self.tau_name = f"{receptor}.tau_syn"
        self.scale = population.native_type.scale_factors.get(variable, 1.0)
        self.cells = np.zeros(0, dtype=np.int64)
        self.anchor_step = 0
        self.anchor = np.zeros(0)
        # spikes known not to have arrived at the anchor yet: cell position, arrival step, weight (nA)
        self.pending = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
        self.logs = {}  # synapse model -> the WeightEventLog read

    # --- which cells, from which value ------------------------------------------------------
    def value_now(self, indices):
        """The current of cells `indices` at the current time (the first sample of a new
        recording epoch); refused when it is not known."""
        state = simulator.state
        indices = np.asarray(indices, dtype=np.int64)
        if state.steps == 0 or not state.warmed_up:
            return np.zeros(len(indices))
        known = np.searchsorted(self.cells, indices)
        known = np.minimum(known, max(len(self.cells) - 1, 0))
        if self.anchor_step != state.steps or not len(self.cells) or \
                not np.array_equal(self.cells[known], indices):
            raise errors.NotSupportedError(
                f"Recording '{self.variable}' of '{self.population.label}' on the NEST backend must start "
                f"at the beginning of a segment (before the first run or after reset()) or go on from "
                f"cells recorded until now: NEST does not expose the current value of the receptor current")
        return self.anchor[known].copy()

    def restart(self, indices):
        """Track cells `indices` from now on (their current now is known: see value_now)."""
        values = self.value_now(indices)
        self.cells = np.asarray(indices, dtype=np.int64)
        self.anchor_step = simulator.state.steps
        self.anchor = values
        self.pending = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
        self.attach()

    def attach(self):
        """Listen to the spikes reaching the tracked cells through every synapse model of the
        projections onto the population (called when recording starts and before each run,
        so that a projection made in between is included)."""
        state = simulator.state
        if not len(self.cells):
            return
        targets = self.population._node_ids[self.cells]
        pop = self.population
        models = {p._nest_model for p in state.projections
                  if getattr(p, "_nest_model", None) and any(part.root is pop for part in roots(p.post))}
        for model in sorted(models):
            log = state.weight_event_log(model, targets)
            if self.logs.get(model) is not log:
                log.register(id(self))
                self.logs[model] = log

    # --- values -------------------------------------------------------------------------------
    def delivered(self, step, values):
        """A sample NEST delivered (standard units) at user step `step`."""
        if step > self.anchor_step:
            self._take_events()
            self.anchor_step, self.anchor = int(step), np.array(values, dtype=float)
            self._drop_arrived()

    def values_at(self, steps):
        """The current at user steps `steps` (increasing, after the anchor), as a
        (len(steps) x cells) array; the last becomes the anchor."""
        self._take_events()
        dt = simulator.state.dt
        tau = np.asarray(self.population._std[self.tau_name], dtype=float)[self.cells]
        cell, arrival, weight = self.pending
        rows = []
        for step in np.asarray(steps, dtype=np.int64).tolist():
            value = self.anchor * np.exp(-(step - self.anchor_step) * dt / tau)
            now = (arrival > self.anchor_step) & (arrival <= step)
            if now.any():
                decay = np.exp(-(step - arrival[now]) * dt / tau[cell[now]])
                value += np.bincount(cell[now], weights=weight[now] * decay, minlength=len(self.cells))
            rows.append(value)
        if rows:
            self.anchor_step, self.anchor = int(steps[-1]), rows[-1].copy()
            self._drop_arrived()
        return np.array(rows).reshape(len(rows), len(self.cells))

    def _drop_arrived(self):
        cell, arrival, weight = self.pending
        later = arrival > self.anchor_step
        self.pending = (cell[later], arrival[later], weight[later])

    def _take_events(self):
        """Spikes the weight recorders reported since the last call, as pending arrivals."""
        state = simulator.state
        # only spikes that can still arrive after the anchor matter (NEST's delays are at most
        # its max_delay): that keeps the connection look-up small
        horizon = state.nest_time(self.anchor_step * state.dt) - nest.GetKernelStatus("max_delay") - state.dt
        first_node = self.population._node_ids[0]
        position = np.full(self.population.size, -1, dtype=np.int64)
        position[self.cells] = np.arange(len(self.cells))
        parts = [self.pending]
        for model, log in self.logs.items():
            senders, targets, times, weights, ports, receptors = log.take(id(self), extra=("ports", "receptors"))
            senders, targets = senders.astype(np.int64), targets.astype(np.int64)
            index = targets - first_node
            inside = (index >= 0) & (index < self.population.size)
            keep = inside & (receptors.astype(np.int64) == self.port) & (times > horizon)
            keep[inside] &= position[index[inside]] >= 0
            if not keep.any():
                continue
            senders, targets, ports = senders[keep], targets[keep], ports[keep].astype(np.int64)
            delays = _delays(model, senders, targets, ports)
            arrival = np.rint((times[keep] + delays - state.offset) / state.dt).astype(np.int64)
            parts.append((position[index[keep]], arrival, weights[keep] * self.scale))
        self.pending = tuple(np.concatenate([p[k] for p in parts]) for k in range(3))


def _delays(model, senders, targets, ports):
    """Delay (ms) of the connection of each (sender, target, port) of `model`."""
    found = nest.GetConnections(source=nest.NodeCollection(np.unique(senders).tolist()),
                                target=nest.NodeCollection(np.unique(targets).tolist()), synapse_model=model)
    info = found.get(["source", "target", "port", "delay"]) if len(found) else {}
    known = np.column_stack([np.atleast_1d(info.get(k, [])).astype(np.int64) for k in ("source", "target", "port")])
    delays = np.atleast_1d(info.get("delay", [])).astype(float)
    asked = np.column_stack([senders, targets, ports]).astype(np.int64)
    # one vectorised look-up of every event's connection (no Python loop over connections)
    _, key = np.unique(np.vstack([known.reshape(-1, 3), asked]), axis=0, return_inverse=True)
    key = key.ravel()
    connection = np.full(key.max() + 1 if key.size else 0, -1, dtype=np.int64)
    connection[key[:len(known)]] = np.arange(len(known))
    found_at = connection[key[len(known):]]
    if (found_at < 0).any():  # pragma: no cover - a connection NEST reported a spike for
        missing = tuple(int(v) for v in asked[np.argmax(found_at < 0)])
        raise errors.SimulatorError(f"NEST weight recorder reported a spike through connection {missing} of "
                                    f"'{model}', which GetConnections does not find")
    return delays[found_at]
