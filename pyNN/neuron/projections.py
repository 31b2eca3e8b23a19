"""NEURON projections: one NetCon per connection, made from the core's arrays.

NEURON's Python API creates connections one by one, so a chunk of connections is one
tight loop of ``ParallelContext.gid_connect`` calls (the presynaptic cell's gid, the
postsynaptic mechanism) with the weight and delay set on each NetCon. The cell
mechanisms send positive weights to the excitatory input and negative ones to the
inhibitory input, so inhibitory weights are negated here. Connections onto voltage-jump
cells (IF_curr_delta, Izhikevich), PointNeurons and NESTML cells get a NetCon delay one step
shorter than the synaptic delay (see `_prepare_backend`).
"""

import numpy as np

from pyNN import errors
from pyNN.common import projections as common
from pyNN.common.populations import roots
from pyNN.random import RandomDistribution
from pyNN.neuron import reinit, simulator
from pyNN.neuron.hoc import h as hoc, set_values
from pyNN.neuron.standardmodels.synapses import (PLASTIC_TARGET_CELLS, PLASTIC_TARGETS, PORT_SLOT, STDP_FIRST_SLOT,
                                                 STOCHASTIC_FIRST_SLOT, StaticSynapse)


class Projection(common.Projection):
    """Connections between NEURON populations."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def _prepare_backend(self):
        syn = self.synapse_type
        parts = roots(self.post)
        types = [part.root.native_type for part in parts]
        targets = getattr(syn, "target_mechanisms", None)
        if targets and any(t.native_name not in targets for t in types):
            raise errors.NoModelAvailableError(
                f"Projection '{self.label}': {type(syn).__name__} is not available on the NEURON backend for "
                f"targets other than the {PLASTIC_TARGET_CELLS} cell types (mechanisms {', '.join(targets)}), "
                f"not onto {', '.join(sorted({type(part.root.celltype).__name__ for part in parts}))}")
        # per postsynaptic cell (an Assembly may mix standard cells and PointNeurons): the
        # mechanism's receptor port (-1: none, the sign selects the input) and the weight sign
        ports, signs, port_slots = [], [], []
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
            # the weight-vector slot of the port: after the plastic state for the mechanisms
            # sharing pynn_synapse.inc, the second slot for the others (NESTML)
            port_slots.append(np.full(len(part.indices), PORT_SLOT if t.native_name in PLASTIC_TARGETS else 1))
        self._port = np.concatenate(ports) if ports else np.zeros(0, np.int64)
        self._port_slot = np.concatenate(port_slots) if port_slots else np.zeros(0, np.int64)
        self._sign = np.concatenate(signs) if signs else np.zeros(0)
        self._netcons = []
        self._n_initialised = 0  # the first connections, which took part in an initialisation
        self._weight_pointers = None
        self._readout_pointers = None  # the targets' readout functions (see _nestml_readout)
        # voltage jumps (and PointNeuron receptor jumps) are added at the end of the step in
        # which the event is delivered: delivered one step early, they show in the sample at
        # spike time + delay, as on NEST
        early = np.concatenate([np.full(len(part.indices), bool(t.voltage_jump)) for part, t in zip(parts, types)]
                               + [np.zeros(0, bool)])
        self._delay_shift = np.where(early, -simulator.state.dt, 0.0)
        if self._plastic and early.any():
            self._refuse_stdp_without_dendritic_delay(parts, types)
        if syn.stochastic_kind:
            for part in parts:  # the release draws come from the target cells' random streams
                part.root._use_random_inputs()
        self._modulation = self._make_modulation()

    def _make_modulation(self):
        """The modulatory inputs (pyNN.neuron.modulation) of a NESTML synapse with extra spike
        ports (their sources checked by the core: ``self.modulatory_sources``)."""
        sources = getattr(self, "modulatory_sources", None)
        if not sources:
            return None
        from pyNN.neuron.modulation import Modulation
        return Modulation(self, sources)

    def _refuse_stdp_without_dendritic_delay(self, parts, types):
        """A voltage-jump cell (or PointNeuron) receives an input in the step before it acts, so a post spike
        in the step where a pre spike arrives is not known when that pre event is applied:
        with dendritic_delay_fraction < 1 this backend cannot order them as the rule says."""
        if "dendritic_delay_fraction" not in self.synapse_type.get_parameter_names():
            return  # a NESTML synapse: all of the delay is dendritic, as on NEST
        fraction = self.synapse_type.parameter_space["dendritic_delay_fraction"]
        base = getattr(fraction, "base_value", fraction)
        if isinstance(base, RandomDistribution) or np.any(np.asarray(base, dtype=float) < 1.0):
            names = sorted({type(part.root.celltype).__name__ for part, t in zip(parts, types)
                            if t.voltage_jump})
            raise errors.InvalidParameterValueError(
                f"Projection '{self.label}': dendritic_delay_fraction below 1 is not supported on the NEURON "
                f"backend for targets that apply their inputs at the end of a step ({', '.join(names)}); it "
                f"supports 1.0 there, and any value in [0, 1] onto the other cell types that take STDP")

    def initialize(self, **initial_values):
        """Set initial values of the synapses' state variables; NoModelAvailableError for a
        NESTML synapse, whose generated mechanism starts every connection from its model's
        initial values."""
        if initial_values and getattr(self.synapse_type, "synapse_program", None) is not None:
            raise errors.NoModelAvailableError(
                f"Projection '{self.label}': initialize({', '.join(sorted(initial_values))}) of a NESTML synapse's "
                f"state is not available on the NEURON backend (the generated mechanism starts every connection "
                f"from the model's initial values, {self.synapse_type.default_initial_values})")
        super().initialize(**initial_values)

    def _check_backend_delays(self, delays, changed=False):
        """Distributed run: NEURON exchanges spikes between processes at intervals of the
        shortest delay, and its fixed-step method needs that interval to be at least two
        steps (it refuses one step: "mindelay is 0 (or less than dt ...)"). Which connections
        cross processes depends on their number, so every connection is held to it. After a
        run, the interval in force until the next reset() is the lower bound (see
        State.set_exchange_interval). `changed`: the delays are given to set()."""
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
                f"{', plus one onto voltage-jump cells and PointNeurons' if shift < 0 else ''}). Use longer delays or "
                f"run the script as one process")
        interval = state.exchange_interval
        if state.nrn_initialized and state.steps > 0 and shortest + shift < interval - 1e-9 * state.dt:
            # (the exchange interval is kept until the next initialisation from t = 0: see
            # State.set_exchange_interval)
            raise errors.NotSupportedError(
                f"Projection '{self.label}': delay {shortest:g} ms is too short for a connection "
                f"{'changed' if changed else 'made'} after a run "
                f"distributed over {state.num_processes} MPI processes: NEURON exchanges spikes between them every "
                f"{interval:g} ms until the next reset(), and needs delays of at least {interval - shift:g} ms here. "
                f"Give setup() a min_delay no longer than the shortest delay you will use, or "
                f"{'change the delays' if changed else 'make the projection'} before the first run or after reset()")

    def _check_backend_connections(self, pre, post, values):
        """set(delay=...) in a distributed run: the new delays are held to the bounds of new
        connections (_check_backend_delays); NEURON would deliver a spike late, silently, on
        a connection shortened below its spike-exchange interval. (At creation this repeats
        the check of the new delays, which passed.)"""
        if simulator.state.world is not None and "delay" in values:
            self._check_backend_delays(values["delay"], changed=True)

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
        simulator.state.guard_sources(np.unique(self.pre._native_ids()[pre]))
        connect = simulator.state.pc.gid_connect
        out = self._netcons
        keep = out.append  # bound once: this loop runs once per connection
        for source, target, weight, delay in zip(sources, post.tolist(), weights, delays):
            nc = connect(source, post_cells[target])
            nc.weight[0] = weight
            nc.delay = delay
            keep(nc)
        ports = self._port[post]
        if (ports >= 0).any():
            for nc, port, slot in zip(out[len(out) - n:], ports.tolist(), self._port_slot[post].tolist()):
                if port >= 0:
                    nc.weight[slot] = port
        if self.synapse_type.weight_slots:
            self._set_slots(out[len(out) - n:], values, post)
        if self._plastic:
            self._set_stdp_slots(out[len(out) - n:], values, post, delays, current_weight=False)
        if self._modulation is not None:
            self._modulation.connect(post)
        self._weight_pointers = None
        self._readout_pointers = None
        simulator.state.objects_added()

    def _new_object_references(self):
        """Pointers to what the initialisation sets in the connections created since the last
        one: the whole weight vector of connections that keep a state in it (Tsodyks-Markram,
        STDP); static connections keep none (see reinit.py)."""
        if not (self.synapse_type.weight_slots or self._plastic):
            return []
        return reinit.weight_references(self._netcons[self._n_initialised:])

    def _after_init(self, everything=True):
        """NEURON initialised the connections (`everything`: all of them, at finitialize();
        else those made since the last initialisation): they start from the state given to
        initialize() instead of that of the INITIAL block (u = 0, x = 1, y = 0)."""
        first = 0 if everything else self._n_initialised
        self._n_initialised = len(self._netcons)
        if first == len(self._netcons) or getattr(self.synapse_type, "synapse_program", None) is not None \
                or not getattr(self.synapse_type, "state_variables", ()):
            return
        # the last event as if a spike emitted at t = 0 had arrived (the INITIAL block starts
        # it at 0, the spike's emission: the first spike would bring the state forward one
        # delay too far, which shows once the state does not start at rest)
        slot = 3 + len(self.synapse_type.weight_slots) + len(self.synapse_type.state_variables)
        for nc in self._netcons[first:]:
            nc.weight[slot] = nc.delay
        if self._initial_state:
            self._write_tm_state(self._initial_state, first)

    def _set_state_variables(self, values):
        """Tsodyks-Markram u, x, y of every connection: written into the NetCons' state slots
        (before NEURON's first initialisation, and for connections it has not initialised
        yet, _after_init writes them once the INITIAL block has run)."""
        if simulator.state.nrn_initialized:
            self._write_tm_state(values, 0, self._n_initialised)

    def _write_tm_state(self, values, first, stop=None):
        """Standard state `values` (name -> float, or one value per connection of the projection)
        into the state slots of this process's NetCons `first`:`stop`."""
        names = self.synapse_type.state_variables
        netcons = self._netcons[first:stop]
        positions = np.arange(self._pre.size)[self._local_positions()][first:stop]
        for name, value in values.items():
            slot = 3 + len(self.synapse_type.weight_slots) + names.index(name)
            column = np.asarray(value, dtype=float)
            column = (column[positions] if column.ndim else np.full(len(netcons), float(column))).tolist()
            for nc, v in zip(netcons, column):
                nc.weight[slot] = v

    @property
    def _plastic(self):
        return hasattr(self.synapse_type, "stdp_slots")

    def _set_stdp_slots(self, netcons, values, post, native_delays, current_weight=True):
        """Write the STDP slots (see STDP_SLOTS) of `netcons`; the weight they transmit (slot 0)
        too unless `current_weight` is False (a parameter changed between runs: the weight the
        rule has reached stays)."""
        n = len(netcons)
        initial = np.broadcast_to(np.asarray(values["weight"], dtype=float), (n,))
        rows = self.synapse_type.stdp_slots(values, initial, self._sign[post], native_delays)
        if self._modulation is not None:
            rows = np.column_stack([rows, self._modulation.channel_columns(n)])
        rows = rows.tolist()
        first = STDP_FIRST_SLOT
        for nc, row in zip(netcons, rows):
            weight = nc.weight
            for k, value in enumerate(row, first):
                weight[k] = value
        if current_weight:
            for nc, row in zip(netcons, rows):
                nc.weight[0] = row[1]

    def _read_plastic(self, name):
        """The weights the STDP rule has reached in this process's NetCons (one gather through
        a vector of pointers); the core gathers those of the other processes."""
        if name != "weight" or not self._plastic:
            return None
        positions = self._local_positions()
        if not self._netcons:  # (a process may own none of the target cells)
            return np.zeros(0)
        if self._reads_out_now():
            from pyNN.nestml.types import WEIGHT_SCALE
            program = self.synapse_type.synapse_program
            native = self._nestml_readout([program.state[0]])[program.state[0]] / WEIGHT_SCALE
            return self._standard_plastic_weights(native * self._sign[self._post[positions].astype(np.int64)],
                                                  positions)
        h = hoc()
        if self._weight_pointers is None:
            pointers = h.PtrVector(len(self._netcons))
            for i, nc in enumerate(self._netcons):
                pointers.pset(i, nc._ref_weight[0])
            self._weight_pointers = pointers
        out = h.Vector(len(self._netcons))
        self._weight_pointers.gather(out)
        return self._standard_plastic_weights(out.as_numpy(), positions)

    def _local_positions(self):
        """Positions in the projection of the connections this process made in NEURON, the
        order of ``self._netcons`` (all of them in a one-process run)."""
        local = self._local_connections_mask()
        return slice(None) if local is None else np.flatnonzero(local)

    def _standard_plastic_weights(self, native, positions):
        """NEURON weights (slot 0) of the connections at `positions` -> standard units, with
        the sign the user gave."""
        weights = native * self._sign[self._post[positions].astype(np.int64)]
        user = np.asarray(self._syn.get("weight", 0.0), dtype=float)
        return np.where((user[positions] if user.ndim else user) < 0, -weights, weights)

    def _native_synapse_sampler(self, variables, interval_steps):
        """STDP weights: read during the run, at each sample time only where a pre-synaptic
        spike may have changed them (see recording.WeightSampler); other variables are read
        at each sample time by the core."""
        if list(variables) != ["weight"] or not self._plastic or not self._netcons \
                or simulator.state.world is not None or self._reads_out_now(initialised=False):
            return None
        from pyNN.neuron.recording import WeightSampler

        return WeightSampler(self, interval_steps)

    def _set_slots(self, netcons, values, post):
        """Synapse parameters in the weight vector: the `weight_slots`, then tau_psc (the
        target receptor's time constant) and the initial u of a Tsodyks-Markram connection,
        or the kind of release and the number of sites of a stochastic one."""
        n = len(netcons)
        syn = self.synapse_type
        columns = [np.broadcast_to(np.asarray(values[name], dtype=float), (n,)).tolist()
                   for name in syn.weight_slots if name in values]
        if len(columns) == len(syn.weight_slots):
            for nc, row in zip(netcons, zip(*columns)):
                for k, value in enumerate(row):
                    nc.weight[1 + k] = value
        if syn.stochastic_kind:
            kind = float(syn.stochastic_kind)
            sites = np.broadcast_to(np.asarray(values.get("n", 1.0), dtype=float), (n,)).tolist()
            for nc, count in zip(netcons, sites):
                nc.weight[STOCHASTIC_FIRST_SLOT] = kind
                nc.weight[STOCHASTIC_FIRST_SLOT + 1] = count
            return
        if post is None:
            return
        tau = self._psc_time_constants(post)
        # (the INITIAL block starts u there; a state given to initialize() is written after it, _after_init)
        u0 = float(syn.default_initial_values.get("u", 0.0))
        slot = 1 + len(syn.weight_slots)
        for nc, tau_psc in zip(netcons, tau.tolist()):
            nc.weight[slot] = tau_psc
            nc.weight[slot + 1] = u0

    def _set_attributes(self, values):
        every = self._post.astype(np.int64)
        _, post, values = self._local_connections(every, every, values)
        n = len(self._netcons)
        if "weight" in values and not self._plastic:
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
            names = self.synapse_type.weight_slots + (("n",) if "n" in self._syn else ())
            slots = self._local_connections(every, every, {k: self._values(k) for k in names})
            self._set_slots(self._netcons, slots[2], None)
        if self._plastic:
            current = {name: self._syn[name] for name in self.synapse_type.get_parameter_names()}
            current["weight"] = np.abs(np.asarray(self._syn["weight"], dtype=float))
            _, _, current = self._local_connections(every, every, current)
            delays = self._native_delays(np.broadcast_to(np.asarray(current["delay"], dtype=float), (n,)), post)
            self._set_stdp_slots(self._netcons, current, post, delays, current_weight="weight" in values)
            if "weight" in values and simulator.state.nrn_initialized:
                self._set_nestml_weight_state(current["weight"])

    def _set_nestml_weight_state(self, magnitudes):
        """A NESTML synapse's rule works on its weight state variable (slot of
        ``program.state[0]``, NESTML units), not on slot 0: set(weight=...) between runs sets it
        too (the INITIAL block sets it from the initial weight at the next reset)."""
        program = getattr(self.synapse_type, "synapse_program", None)
        if program is None:
            return
        from pyNN.neuron.nestml_synapse_nmodl import state_slot
        from pyNN.nestml.types import WEIGHT_SCALE
        slot = state_slot(program, program.state[0])
        native = np.broadcast_to(np.abs(np.asarray(magnitudes, dtype=float)), (len(self._netcons),)) * WEIGHT_SCALE
        set_values(self._netcons, f"weight[{slot}]", native.tolist())

    def _nestml_state(self, name):
        """A NESTML synapse's state variable: its slot of the NetCon weight vector (model units,
        see pyNN.neuron.nestml_synapse_nmodl.slot_names), in the library's units; brought to now
        for a synapse whose state changes between pre spikes (see _nestml_readout)."""
        from pyNN.neuron.nestml_synapse_nmodl import state_slot
        st = self.synapse_type
        if not simulator.state.nrn_initialized:
            return np.full(len(self._netcons), float(st.default_initial_values[name]))
        if self._reads_out_now():
            values = self._nestml_readout([name])[name]
        else:
            slot = state_slot(st.synapse_program, name)
            values = np.fromiter((nc.weight[slot] for nc in self._netcons), dtype=float, count=len(self._netcons))
        return values * st.nestml_model.state[name].to_pynn

    def _reads_out_now(self, initialised=True):
        """Whether the state is read through _nestml_readout (once NEURON has initialised the
        connections, unless `initialised` is False)."""
        from pyNN.neuron.nestml_synapse_nmodl import reads_out_now
        program = getattr(self.synapse_type, "synapse_program", None)
        return (program is not None and reads_out_now(program)
                and (simulator.state.nrn_initialized or not initialised))

    def _nestml_readout(self, names):
        """State variables `names` (model units) of this process's connections as of now: the
        target mechanism's function ``nml_readout`` replays, on a copy of each connection's
        slots, the post and modulatory events since its last pre spike and the update block up to
        now (pyNN.neuron.nestml_synapse_nmodl). NEURON calls a mechanism's function for one
        instance at a time, so it is one call per connection and variable. Returns
        {name: array}."""
        from pyNN.neuron.nestml_synapse_nmodl import readout_slots, slot_names
        program = self.synapse_type.synapse_program
        all_slots = slot_names(program)
        slots = [all_slots.index(n) for n in readout_slots(program)]
        if self._readout_pointers is None:  # (the targets' functions, found once)
            self._readout_pointers = [nc.syn().nml_readout for nc in self._netcons]
        rows = [[weight[i] for i in slots] for weight in (nc.weight for nc in self._netcons)]
        out = {}
        for name in names:
            which = float(program.state.index(name))
            out[name] = np.fromiter((f(which, *row) for f, row in zip(self._readout_pointers, rows)), dtype=float,
                                    count=len(rows))
        return out

    def _read_state_variable(self, name):
        """Tsodyks-Markram u, x, y: slots of the NetCon weight vector (see the NET_RECEIVE
        arguments of the IF mechanisms: weight, the parameter slots, tau_psc, u0, u, x, y)."""
        names = getattr(self.synapse_type, "state_variables", ())
        if name not in names:
            return None
        if getattr(self.synapse_type, "synapse_program", None) is not None:
            return self._nestml_state(name)
        # the connections NET_RECEIVE's INITIAL block has not run for yet (all of them before
        # the first run; those made since the last run) start from the initial state
        done = self._n_initialised if simulator.state.nrn_initialized else 0
        start = self._initial_state.get(name, self.synapse_type.default_initial_values[name])
        out = np.broadcast_to(np.asarray(start, dtype=float), (self._pre.size,))[self._local_positions()].copy()
        slot = 3 + len(self.synapse_type.weight_slots) + names.index(name)
        out[:done] = np.fromiter((nc.weight[slot] for nc in self._netcons[:done]), dtype=float, count=done)
        return out
