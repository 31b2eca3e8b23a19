"""NEURON projections: one NetCon per connection, made from the core's arrays.

NEURON's Python API creates connections one by one, so a chunk of connections is one
tight loop of ``ParallelContext.gid_connect`` calls (the presynaptic cell's gid, the
postsynaptic mechanism) with the weight and delay set on each NetCon. The cell
mechanisms send positive weights to the excitatory input and negative ones to the
inhibitory input, so inhibitory weights are negated here. Connections onto voltage-jump
cells (IF_curr_delta, Izhikevich) get a NetCon delay one step shorter than the synaptic
delay (see `_prepare_backend`).
"""

import numpy as np

from pyNN import errors
from pyNN.common import projections as common
from pyNN.common.populations import roots
from pyNN.neuron import simulator
from pyNN.neuron.standardmodels.synapses import StaticSynapse


class Projection(common.Projection):
    """Connections between NEURON populations."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def _prepare_backend(self):
        syn = self.synapse_type
        parts = roots(self.post)
        types = [part.root.native_type for part in parts]
        targets = getattr(syn, "target_mechanisms", None)
        if targets and any(t.native_name not in targets or not part.root.celltype.has_parameter("tau_syn_E")
                           for part, t in zip(parts, types)):
            raise errors.NoModelAvailableError(
                f"{type(syn).__name__} is not available on the NEURON backend for targets other than the "
                f"IF_curr_* / IF_cond_* cell types with synaptic time constants (mechanisms "
                f"{', '.join(targets)})")
        # per postsynaptic cell (an Assembly may mix standard cells and PointNeurons): the
        # mechanism's receptor port (-1: none, the sign selects the input) and the weight sign
        ports, signs = [], []
        for part, t in zip(parts, types):
            port = getattr(t, "receptor_index", {}).get(self.receptor_type)
            if port is None and self.receptor_type not in ("excitatory", "inhibitory"):
                raise errors.NoModelAvailableError(
                    f"Projection '{self.label}': receptor type '{self.receptor_type}' is not available on "
                    f"the NEURON backend (only 'excitatory', 'inhibitory' and PointNeuron receptors)")
            if port is None:
                # the mechanisms send negative weights to the inhibitory input
                sign = -1.0 if self.receptor_type == "inhibitory" else 1.0
            else:
                # a named receptor is chosen by the port; its sign is the core's rule
                sign = part.root.celltype.receptor_sign(self.receptor_type)
            ports.append(np.full(len(part.indices), -1 if port is None else port, dtype=np.int64))
            signs.append(np.full(len(part.indices), sign))
        self._port = np.concatenate(ports) if ports else np.zeros(0, np.int64)
        self._sign = np.concatenate(signs) if signs else np.zeros(0)
        self._netcons = []
        # voltage jumps are added at the end of the step in which the event is delivered:
        # delivered one step early, they show in the sample at spike time + delay, as on NEST
        early = np.concatenate([np.full(len(part.indices), bool(t.voltage_jump)) for part, t in zip(parts, types)]
                               + [np.zeros(0, bool)])
        self._delay_shift = np.where(early, -simulator.state.dt, 0.0)

    def _check_backend_delays(self, delays):
        """Distributed run: NEURON exchanges spikes between processes at intervals of the
        shortest delay, and its fixed-step method needs that interval to be at least two
        steps (it refuses one step: "mindelay is 0 (or less than dt ...)"). Which connections
        cross processes depends on their number, so every connection is held to it."""
        state = simulator.state
        if state.world is None:
            return
        delays = np.asarray(delays, dtype=float)
        if not delays.size:
            return
        shift = float(self._delay_shift.min()) if self._delay_shift.size else 0.0
        shortest = float(delays.min())
        allowed = 2 * state.dt - shift
        if shortest + shift < 2 * state.dt - 1e-9 * state.dt:
            raise errors.InvalidParameterValueError(
                f"Projection '{self.label}': delay {shortest:g} ms is too short for a NEURON run "
                f"distributed over {state.num_processes} MPI processes; NEURON needs delays of at "
                f"least {allowed:g} ms here (two time steps of {state.dt:g} ms"
                f"{', plus one for voltage-jump cells' if shift < 0 else ''}). Use longer delays or "
                f"run the script as one process")

    def _native_delays(self, delays, post):
        shift = self._delay_shift[post]
        return np.maximum(np.asarray(delays, dtype=float) + shift, 0.0).tolist()

    def _local_connections(self, pre, post, values):
        """In a distributed run, only the connections onto this process's cells are made in
        NEURON (the core keeps every connection on every process, so the network does not
        depend on the number of processes)."""
        if simulator.state.world is None:
            return pre, post, values
        keep = self.post._local[post]
        n = len(pre)
        values = {k: (v[keep] if isinstance(v, np.ndarray) and v.ndim and len(v) == n else v)
                  for k, v in values.items()}
        return pre[keep], post[keep], values

    def _create_connections(self, pre, post, values):
        pre, post, values = self._local_connections(pre, post, values)
        n = len(pre)
        sources = self.pre._native_ids()[pre].tolist()
        post_cells = self.post._nrn_cells()
        weights = (self._sign[post] * np.broadcast_to(np.asarray(values.get("weight", 0.0), dtype=float),
                                                      (n,))).tolist()
        delays = self._native_delays(np.broadcast_to(np.asarray(values["delay"], dtype=float), (n,)), post)
        connect = simulator.state.pc.gid_connect
        out = self._netcons
        for source, target, weight, delay in zip(sources, post.tolist(), weights, delays):
            nc = connect(source, post_cells[target])
            nc.weight[0] = weight
            nc.delay = delay
            out.append(nc)
        ports = self._port[post]
        if (ports >= 0).any():
            for nc, port in zip(out[len(out) - n:], ports.tolist()):
                if port >= 0:
                    nc.weight[1] = port
        if self.synapse_type.weight_slots:
            self._set_slots(out[len(out) - n:], values, post)
        simulator.state.objects_added()

    def _set_slots(self, netcons, values, post):
        """Synapse parameters in the weight vector: the `weight_slots`, then tau_psc (the
        target receptor's time constant) and the initial u."""
        n = len(netcons)
        columns = [np.broadcast_to(np.asarray(values[name], dtype=float), (n,)).tolist()
                   for name in self.synapse_type.weight_slots if name in values]
        if len(columns) == len(self.synapse_type.weight_slots):
            for nc, row in zip(netcons, zip(*columns)):
                for k, value in enumerate(row):
                    nc.weight[1 + k] = value
        if post is None:
            return
        tau_name = "tau_syn_I" if self.receptor_type == "inhibitory" else "tau_syn_E"
        tau = np.asarray(self.post.get(tau_name, simplify=False), dtype=float)[post]
        u0 = float(self.initial_values.get("u", self.synapse_type.default_initial_values.get("u", 0.0)))
        slot = 1 + len(self.synapse_type.weight_slots)
        for nc, tau_psc in zip(netcons, tau.tolist()):
            nc.weight[slot] = tau_psc
            nc.weight[slot + 1] = u0

    def _set_attributes(self, values):
        every = self._post.astype(np.int64)
        _, post, values = self._local_connections(every, every, values)
        n = len(self._netcons)
        if "weight" in values:
            weights = (self._sign[post] * np.broadcast_to(np.asarray(values["weight"], dtype=float),
                                                          (n,))).tolist()
            for nc, weight in zip(self._netcons, weights):
                nc.weight[0] = weight
        if "delay" in values:
            delays = self._native_delays(np.broadcast_to(np.asarray(values["delay"], dtype=float), (n,)),
                                         post)
            for nc, delay in zip(self._netcons, delays):
                nc.delay = delay
        if self.synapse_type.weight_slots:
            slots = self._local_connections(every, every, {k: self._values(k) for k in self.synapse_type.weight_slots})
            self._set_slots(self._netcons, slots[2], None)
