"""Brian2 recorders: one SpikeMonitor per Brian2 group (shared by the populations sharing the
group, each recorder keeping its slice), one StateMonitor per signal epoch.

Monitors run in Brian2's 'start' slot, so the sample of step k is the state at t = k*dt
(after the spikes, deliveries and resets of the previous step). A run of n steps executes
steps 0..n-1, so the sample at the current time is read directly from the group; the
first sample of an epoch is given by the core. Data come out as columns.
"""

import brian2
import numpy as np

from pyNN import errors, recording
from pyNN.brian2 import simulator
from pyNN.brian2.standardmodels.cells import state_array
from pyNN.recording import synapses


class Recorder(recording.Recorder):
    """Tells Brian2 what to record for one population and fetches raw arrays."""

    def __init__(self, population):
        self._spike_monitor = None
        self._spikes_seen = 0
        self._monitors = {}  # (variable, id(epoch)) -> [StateMonitor, samples already fetched]
        super().__init__(population)

    # --- configuration ----------------------------------------------------------------------
    def _configure(self, variable, indices, interval_steps):
        pop = self.population
        state = simulator.state
        if pop.group is None:
            return
        if variable == "spikes":
            if self._spike_monitor is None and len(indices):
                if pop._shared is not None:
                    self._spike_monitor = pop._shared.get_spike_monitor()
                else:
                    self._spike_monitor = brian2.SpikeMonitor(pop.group, name=state.unique_name("spikes"),
                                                              when="end")
                    state.add(self._spike_monitor)
            # the core fetched everything up to now: spikes before now (e.g. while recording
            # was stopped) are not data
            self._spikes_seen = self._spike_monitor.num_spikes if self._spike_monitor is not None else 0
            return
        epoch = self.current.signals.get(variable, [None])[-1]
        if epoch is not None and (variable, id(epoch)) in self._monitors:
            return
        # a monitor's own clock ticks at multiples of its dt from t = 0: use it when the
        # epoch's grid is aligned with it, otherwise sample every step and keep the grid's
        k = epoch.interval_steps if epoch is not None else 1
        aligned = epoch is not None and epoch.t_start_steps % k == 0
        mon_dt = (k if aligned else 1) * state.dt * 1e-3
        reused = None
        for key, entry in list(self._monitors.items()):
            if key[0] != variable:
                continue
            del self._monitors[key]
            old = entry[0]
            if (reused is None and epoch is not None and len(indices) and old.active
                    and np.array_equal(old.record, pop._offset + np.asarray(epoch.indices))
                    and abs(old.clock.dt_ - mon_dt) < 1e-12):
                reused = entry  # e.g. after reset(): same cells, monitor emptied by the restore
            else:
                old.active = False
        if epoch is None or len(indices) == 0:
            return
        if reused is not None:
            reused[2] = epoch
            self._monitors[(variable, id(epoch))] = reused
            return
        native = pop.brian2_model.state[variable][0]
        mon = brian2.StateMonitor(pop.group, native, record=pop._offset + np.asarray(epoch.indices, dtype=int),
                                  when="start", order=-10, name=state.unique_name("state"),
                                  dt=mon_dt * brian2.second)
        state.add(mon)
        self._monitors[(variable, id(epoch))] = [mon, 0, epoch]

    # --- data ---------------------------------------------------------------------------------
    def _fetch_spikes(self):
        mon = self._spike_monitor
        if mon is None or mon.num_spikes == self._spikes_seen:
            return np.zeros(0, np.int64), np.zeros(0)
        start = self._spikes_seen
        pop = self.population
        idx = np.asarray(mon.i[start:], dtype=np.int64)
        t = np.asarray(mon.t_[start:], dtype=float) * 1e3
        self._spikes_seen = mon.num_spikes
        if pop.size != len(pop._root):  # the monitor of a shared group: this population's slice
            mine = (idx >= pop._offset) & (idx < pop._offset + pop.size)
            idx, t = idx[mine] - pop._offset, t[mine]
        state = simulator.state
        steps = np.rint(t / state.dt).astype(np.int64)
        if pop.brian2_model.spikes_after_update:
            steps += 1
        keep = self.recorded.get("spikes", np.zeros(self.population.size, bool))[idx]
        return idx[keep], state.steps_to_time(steps[keep])

    def _fetch_signal(self, variable, epoch):
        key = (variable, id(epoch))
        entry = self._monitors.get(key)
        if entry is None:
            return None
        mon, seen, _ = entry
        state = simulator.state
        now = state.steps
        last = getattr(epoch, "_last_fetched", epoch.t_start_steps)
        k = epoch.interval_steps
        first = epoch.t_start_steps + ((last - epoch.t_start_steps) // k + 1) * k
        wanted = np.arange(first, now + 1, k)
        epoch._last_fetched = now
        if wanted.size == 0:
            return None
        t = np.asarray(mon.t_[seen:], dtype=float) * 1e3
        steps = np.rint(t / state.dt).astype(np.int64)
        native, factor = self.population.brian2_model.state[variable]
        # (samples x cells), a view of the monitor's buffer: copied once, below, while scaling
        recorded = np.asarray(getattr(mon, native + "_"))[:, seen:].T
        entry[1] = seen + len(t)
        from_mon = wanted[wanted < now]
        if from_mon.size:
            pos = np.searchsorted(steps, from_mon)
            if pos.size and (pos.max() >= steps.size or np.any(steps[pos] != from_mon)):
                raise errors.SimulatorError(f"Brian2 StateMonitor for '{variable}' of '{self.population.label}' "
                                            f"lacks samples at steps {from_mon[:5].tolist()}")
            if pos[-1] - pos[0] + 1 == pos.size:  # consecutive samples: a slice, not a gather
                recorded = recorded[pos[0]:pos[-1] + 1]
            else:
                recorded = recorded[pos]
        at_now = int(wanted[-1] == now)
        head = epoch.take_first_row()
        n_head = 0 if head is None else 1
        # one array for the epoch's first sample (if it holds nothing else yet), the
        # monitor's samples, scaled as they are copied, and the sample read at `now`
        block = np.empty((n_head + from_mon.size + at_now, len(epoch.indices)))
        if head is not None:
            block[0] = head[0]
        if from_mon.size:
            np.divide(recorded, factor, out=block[n_head:n_head + from_mon.size])
        if at_now:
            block[-1] = self.population._native_state(variable, epoch.indices)
        return block

    def _current_values(self, variable, indices):
        pop = self.population
        if pop.group is None:
            return np.zeros(len(indices))
        return pop._native_state(variable, indices)

    def _restart_signal(self, variable, indices):
        """After clear(): a fresh monitor for the new epoch."""
        self._configure(variable, indices, self._interval_steps())

    # --- run / reset hooks ------------------------------------------------------------------------
    def _after_restore(self):
        """Monitors were restored to their first (empty) state; nothing is left to fetch."""
        self._spikes_seen = 0 if self._spike_monitor is None else self._spike_monitor.num_spikes
        for entry in self._monitors.values():
            entry[1] = len(entry[0].t_)


class SynapseSampler:
    """Samples of a projection's synapse variables during a run (see
    pyNN.recording.synapses): a NetworkOperation on the sample grid, in the 'start' slot
    like the monitors, so the sample of step k is the value after step k - 1, i.e. the value
    at time k dt that the core would read after running to it. At each sample time it
    compares each variable's array with the previous sample (one numpy comparison) and keeps
    only the values that changed, as events (connection, step, value); the samples are
    rebuilt from them when the data are asked for. (A StateMonitor storing every connection
    at every sample costs more than the run itself.)"""

    def __init__(self, projection, variables, interval_steps):
        state = simulator.state
        self.projection = projection
        self.variables = list(variables)
        self.natives = {name: projection._native_synapse_variable(name) for name in self.variables}
        # a clock ticks at multiples of its dt from t = 0: tick every step when the sample grid
        # (anchored where the recording's segment began) is not aligned with it
        recorder = getattr(projection, "_synapse_recorder", None)
        anchor = getattr(getattr(recorder, "current", None), "t_start_steps", state.steps)
        op_steps = interval_steps if anchor % interval_steps == 0 else 1
        self.operation = brian2.NetworkOperation(
            self._tick, dt=op_steps * state.dt * 1e-3 * brian2.second, when="start", order=-10,
            name=state.unique_name("synapse_state"))
        state.add(self.operation)
        self.restart()

    def close(self):
        """Recording stops or changes: take the operation out of the network."""
        simulator.state.network.remove(self.operation)

    def _arrays(self, name):
        """(Brian2 array, positions in the core's arrays) of `name`, per Synapses object."""
        native = self.natives[name][0]
        # a Synapses object shared with other projections: only this projection's slice (a view)
        return [(state_array(syn, native)[sl], positions) for syn, positions, _, sl in self.projection._synapses]

    def _raw(self, name):
        """The native values of `name` of every connection, in the core's order."""
        out = np.empty(len(self.projection))
        for values, positions in self._arrays(name):
            out[positions] = values
        return out

    def restart(self):
        """At creation and after reset(): start from the values of now."""
        # per variable, per Synapses object: a copy of its array at the last sample time
        self.previous = {name: [np.array(values) for values, _ in self._arrays(name)] for name in self.variables}
        self.current = {name: np.array(self.natives[name][1](self._raw(name)), dtype=float)
                        for name in self.variables}
        self.events = {name: [] for name in self.variables}  # (step, positions, raw values)

    def _tick(self, t):
        step = round(float(np.asarray(t)) / (simulator.state.dt * 1e-3))
        for name in self.variables:
            for (now, positions), before in zip(self._arrays(name), self.previous[name]):
                changed = np.flatnonzero(now != before)
                values = now[changed]
                before[changed] = values
                # (a projection whose Synapses slice holds every connection in order has a slice)
                where = changed + positions.start if isinstance(positions, slice) else positions[changed]
                self.events[name].append((step, where, values))

    def samples(self, steps):
        """{variable: function building the (len(steps) x connections) samples} at the sample
        steps `steps` (all before now)."""
        out = {}
        steps = np.array(steps, dtype=np.int64)
        for name in self.variables:
            events = self.events[name]
            missing = steps[~np.isin(steps, [e[0] for e in events])]
            if missing.size:
                raise errors.SimulatorError(
                    f"Projection '{self.projection.label}': the Brian2 sampler lacks synapse samples at "
                    f"steps {missing[:5].tolist()}")
            positions = np.concatenate([e[1] for e in events]) if events else np.zeros(0, np.int64)
            first_steps = np.repeat(np.array([e[0] for e in events], dtype=np.int64),
                                    [e[1].size for e in events]) if events else np.zeros(0, np.int64)
            values = self.natives[name][1](np.concatenate([e[2] for e in events])) if events else np.zeros(0)
            self.events[name] = []
            start = self.current[name]
            self.current[name] = synapses.after_events(start, positions, values)
            out[name] = (lambda start=start, positions=positions, first_steps=first_steps, values=values:
                         synapses.step_function_samples(start, positions, first_steps, values, steps))
        return out
