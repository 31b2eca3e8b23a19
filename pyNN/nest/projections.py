"""NEST projections: connections created in bulk from the core's arrays.

Parameters shared by all connections of a projection become defaults of a NEST
synapse-model copy (one copy per distinct parameter set, reused across projections);
per-connection values are passed as arrays to one ``nest.Connect`` call per chunk.
"""

import logging

import nest
import numpy as np

from pyNN import errors
from pyNN.common import projections as common
from pyNN.common.populations import roots
from pyNN.nest import delay_relays, simulator, tsodyks_start
from pyNN.nest.populations import _set_per_node
from pyNN.nest.standardmodels.synapses import StaticSynapse, STDPMechanism, TsodyksMarkramSynapse

logger = logging.getLogger("PyNN")

#: stands in for tau_psc = 0 (NEST requires tau_psc > 0); exp(-h/1e-9) is 0 for any h >= one
#: step, and the transfer y -> x differs from the limit's by 1e-9/tau_rec
TAU_PSC_FLOOR = 1e-9


def _post_cell_attribute(projection, name, default):
    """An attribute of the NEST types of the postsynaptic cells, which must agree."""
    values = [getattr(part.root.native_type, name, default) for part in roots(projection.post)]
    if any(v != values[0] for v in values[1:]):
        raise errors.ConnectionError(
            f"Projection '{projection.label}': postsynaptic cell types disagree on '{name}' ({values})")
    return values[0]


class Projection(common.Projection):
    """Connections between NEST populations."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse
    _simulator_keeps_values = True  # NEST keeps every connection's parameters

    def _prepare_backend(self):
        for part in roots(self.post):
            reason = getattr(part.root.native_type, "unavailable_receptors", {}).get(self.receptor_type)
            if reason:
                raise errors.NoModelAvailableError(
                    f"Projection '{self.label}': receptor '{self.receptor_type}' of "
                    f"{type(part.root.celltype).__name__} is not available on the NEST backend: {reason}")
        self._check_synapse_dynamics_fit()
        self._weight_scale = _post_cell_attribute(self, "weight_scale", 1000.0)
        self._sign = _weight_sign(self)
        self._port = _receptor_ports(self)
        self._owner_key = self._model_owner_key()
        self._relays = None  # relay parrots of delays beyond NEST's range (delay_relays)
        self._volume_transmitter = None
        self._made_at_step = simulator.state.steps  # (see _not_run_yet)
        if getattr(self, "modulatory_sources", None):
            self._owner_key = ("modulated", id(self))  # a model of its own: it names this projection's transmitter

    def _model_owner_key(self):
        """Projections between the same root populations get distinct NEST models, so that
        each one's connections can be found again with GetConnections."""
        state = simulator.state
        key = tuple(tuple(id(part.root) for part in roots(group)) for group in (self.pre, self.post))
        same = [p for p in state.projections if getattr(p, "_roots_key", None) == key]
        self._roots_key = key
        return (key, len(same)) if same else "shared"

    def _has_synapse_dynamics(self):
        """Whether NEST changes this projection's synapses as spikes pass (STDP, short-term
        plasticity, stochastic release, native or NESTML synapse models)."""
        return type(self.synapse_type) is not StaticSynapse

    def _check_backend_delays(self, delays):
        self._check_min_delay(delays)
        # NEST fixes its delay range at the first Simulate (reset() rebuilds the kernel):
        # longer delays go through relay parrots (pyNN.nest.delay_relays), which only a
        # synapse without state between spikes can take unchanged
        if delay_relays.needs_relay(delays):
            self._check_relayable(delays)
            if self._relays is None:  # every chunk goes through the same (relayed) path
                self._relays = delay_relays.RelayChains()
                logger.info("Projection '%s': delays up to %g ms exceed the %g ms NEST fixed at the first run; they "
                            "go through relay parrot neurons (one per presynaptic cell and %g ms of delay), which "
                            "NEST updates every step; setup(max_delay=...) avoids them", self.label,
                            float(np.max(delays)), delay_relays.reserved_max_delay(),
                            self._relays.stage_steps * simulator.state.dt)

    def _check_relayable(self, delays):
        longest = float(np.max(delays))
        reserve = delay_relays.reserved_max_delay()
        advice = ("Give setup(max_delay=...) the longest delay you will use, or create this projection before "
                  "the first run or after reset()")
        native = str(self.synapse_type.native_name)
        if native not in delay_relays.RELAYABLE_MODELS:
            raise errors.NotSupportedError(
                f"Projection '{self.label}': a delay of {longest:g} ms is longer than the delay range NEST reserved "
                f"at the first run ({reserve:g} ms), and NEST cannot extend it once it has simulated. Static "
                f"connections get such delays through relay neurons, but a {type(self.synapse_type).__name__} "
                f"({native}) would see its presynaptic spikes late and learn or adapt differently. {advice}")
        bad = (self._relays or delay_relays.RelayChains()).unreachable(delays)
        if bad is not None:
            low = nest.GetKernelStatus("min_delay")
            raise errors.NotSupportedError(
                f"Projection '{self.label}': a delay of {bad:g} ms cannot be relayed: the delay range NEST fixed at "
                f"the first run ({low:g} to {reserve:g} ms) is narrower than twice its minimum, and relay links of "
                f"{reserve:g} ms leave a last leg shorter than {low:g} ms. {advice}")

    def _check_min_delay(self, delays):
        """Refuse delays shorter than the min_delay NEST fixed at the first run (see simulator.py)."""
        state = simulator.state
        if not state.warmed_up or np.size(delays) == 0:
            return
        shortest = float(np.min(delays))
        if shortest < state.comm_delay - 1e-9 * state.dt:
            raise errors.NotSupportedError(
                f"Projection '{self.label}': a delay of {shortest:g} ms is shorter than NEST's min_delay "
                f"{state.comm_delay:g} ms, fixed at the first run ({_min_delay_origin(state)}); NEST cannot "
                f"shorten it once it has simulated. Create this projection before the first run or after "
                f"reset(), or give setup(min_delay=...) the shortest delay you will use")

    def _check_synapse_dynamics_fit(self):
        """Synapse dynamics need NEST's min_delay to be one step (see simulator.py): refuse them
        after a first run that fixed a longer one."""
        state = simulator.state
        if state.warmed_up and state.comm_delay > 1.5 * state.dt and self._has_synapse_dynamics():
            raise errors.NotSupportedError(
                f"Projection '{self.label}': {type(self.synapse_type).__name__} cannot be added after the first "
                f"run on the NEST backend here: NEST's min_delay is {state.comm_delay:g} ms "
                f"({_min_delay_origin(state)}), and NEST updates such synapses only when it delivers spikes, "
                f"once per min_delay, so their state between runs would lag. Create this projection before "
                f"the first run or after reset(), or give setup(min_delay={state.dt:g}) (one time step) to "
                f"keep every kind of projection possible after a run")

    def _native_weights(self, magnitude):
        return np.asarray(magnitude, dtype=float) * (self._weight_scale * self._sign)

    def _split_values(self, values, post=None, start=True):
        """Standard values -> (NEST model defaults for scalars, per-connection arrays);
        `start`: with the synapse state that starts from a parameter (``native_state_from``:
        at creation, not when a parameter changes between runs)."""
        syn = self.synapse_type
        native = dict(getattr(syn, "extra_parameters", {}))
        native.update(type(syn).translate(values))
        if "weight" in native:
            native["weight"] = self._native_weights(native["weight"])
        if isinstance(syn, STDPMechanism):  # (a NESTML synapse translates its own parameters)
            if "Wmax" in native:  # the STDP bound takes the scale and sign of the weights
                native["Wmax"] = self._native_weights(native["Wmax"])
            if "eta" in native:  # Vogels2011Rule's learning rate is a weight magnitude
                native["eta"] = np.asarray(native["eta"], dtype=float) * self._weight_scale
        if getattr(syn, "needs_tau_psc", False) and post is not None:
            native["tau_psc"] = self._native_tau_psc(post)
        fixed, arrays = {}, {}
        for name, value in native.items():
            if isinstance(value, np.ndarray) and value.ndim:
                if value.size and np.all(value == value.flat[0]):
                    fixed[name] = value.flat[0].item()
                else:
                    arrays[name] = np.asarray(value, dtype=float)  # no copy: NEST only reads it
            elif value is not None:
                fixed[name] = value.item() if isinstance(value, np.generic) else value
        for state_name, source in (getattr(syn, "native_state_from", {}) if start else {}).items():
            if source in fixed:
                fixed[state_name] = fixed[source]
            elif source in arrays:
                arrays[state_name] = arrays[source]
        if start:
            fixed.update(self._native_initial_state())
            if simulator.state.warmed_up:  # (before, shift_time_state does it)
                for name in self._time_state():
                    start_time = self._initial_state.get(name, syn.default_initial_values[name])
                    if np.ndim(start_time) == 0:  # (per-connection values: set by the core after reset())
                        fixed[name] = float(start_time) + simulator.state.offset
        return fixed, arrays

    def _native_initial_state(self, values=None):
        """The synapse state given with :meth:`initialize` (or `values`: name -> float or one value
        per connection), as NEST connection properties (name -> value in NEST's units): the
        standard types' through their variable map, a NESTML synapse's by its own names, in the
        model's units. Without `values`, only the values that are the same for every connection
        (new connections get them as model defaults; the core sets the others after reset())."""
        syn = self.synapse_type
        model = getattr(syn, "nestml_model", None)
        if values is None:
            values = {k: v for k, v in self._initial_state.items() if np.ndim(v) == 0}
        out = {}
        for name, value in values.items():
            scale = model.state[name].to_pynn if model is not None else 1.0
            native = np.asarray(value, dtype=float) / scale
            out[getattr(syn, "variable_map", {}).get(name, name)] = float(native) if native.ndim == 0 else native
        return out

    def _time_state(self):
        """The NESTML synapse state variables that hold a time: those a handler sets to ``t``
        (tsodyks_synapse's ``t_last_update``). NESTML's NEST code gives ``t`` in NEST's time,
        ``state.offset`` ahead of the user's, so they start that much later (see
        :meth:`shift_time_state`) and read back that much earlier: intervals and values as in
        the user's time, as on the other backends."""
        model = getattr(self.synapse_type, "nestml_model", None)
        if model is None:
            return ()
        return tuple(sorted(_assigned_from_t([stmt for h in model.on_receive for stmt in h.body])))

    def shift_time_state(self):
        """Before NEST's warm-up (the first run after set-up or reset): the time state of the
        connections made so far starts at its initial value in NEST's time. (Connections made
        later get it when they are made: ``_split_values``.)"""
        names = self._time_state()
        if not names or not self._pre.size:
            return
        conns, order = self._nest_connections()
        for name in names:
            start = np.asarray(self._initial_state.get(name, self.synapse_type.default_initial_values[name]), float)
            if start.ndim and self._local_connections_mask() is not None:
                start = start[self._local_connections_mask()]  # (this MPI process's connections)
            current = _column(conns, name)
            current[order] = start + simulator.state.offset
            _set_column(conns, name, current)

    def _set_state_variables(self, values):
        """Initial synapse state on the existing connections (a NESTML synapse's time state in
        NEST's time once NEST has warmed up; before, :meth:`shift_time_state` moves it; the
        start state of a TsodyksMarkramSynapse before the first run: see tsodyks_start)."""
        if isinstance(self.synapse_type, TsodyksMarkramSynapse) and self._not_run_yet():
            values = self._tsodyks_start(values)
        native = self._native_initial_state(values)
        time_state = {getattr(self.synapse_type, "variable_map", {}).get(n, n) for n in self._time_state()}
        conns, order = self._nest_connections()
        # NEST holds on each MPI process the connections onto its own cells, in the core's order
        local = self._local_connections_mask()
        for name, value in native.items():
            if name in time_state and simulator.state.warmed_up:
                value = value + simulator.state.offset
            if local is not None and np.ndim(value):
                value = np.asarray(value)[local]
            current = _column(conns, name)
            current[order] = value
            _set_column(conns, name, current)

    def _not_run_yet(self):
        """Whether NEST has not simulated since these connections were made (at creation, or
        again by reset()): none of them has transmitted a spike, so each brings its state
        forward from NEST time 0 at its first spike (see tsodyks_start)."""
        return simulator.state.steps == self._made_at_step

    def _tsodyks_start(self, values):
        """The whole Tsodyks-Markram state (u, x, y) to set in NEST before its first run for the
        start state `values` and the others given before (pyNN.nest.tsodyks_start)."""
        n = self._pre.size
        given = {name: np.broadcast_to(np.asarray(v, dtype=float), (n,))
                 for name, v in {**self.synapse_type.default_initial_values, **self._initial_state, **values}.items()}
        span = simulator.state.offset
        before = tsodyks_start.earlier_state(given, self._values("tau_rec"), self._values("tau_facil"),
                                             self._native_tau_psc(self._post), span, TAU_PSC_FLOOR)
        return tsodyks_start.representable(self, before, given, span)

    def _native_tau_psc(self, post):
        """tau_psc of NEST's tsodyks_synapse per connection: the core's value, with NEST's
        smallest accepted value standing in for 0 (no synaptic time constant)."""
        return np.maximum(self._psc_time_constants(post), TAU_PSC_FLOOR)

    def _set_postsynaptic_parameters(self, post, values):
        """Learning-rule parameters NEST keeps on the postsynaptic neuron (tau_minus): set on
        each target cell. A cell may not get two different values from two projections, since
        NEST would silently use the last one for every synapse onto it; a projection may change
        the value (with set()) only on cells no other plastic projection shares."""
        table = getattr(self.synapse_type, "postsynaptic_translations", {})
        names = [name for name in table if name in values]
        if not names or not len(post):
            return
        targets = self.post._native_ids()[post]
        order = np.argsort(targets, kind="stable")
        ids, first = np.unique(targets[order], return_index=True)
        counts = np.diff(np.append(first, len(order)))
        registry = simulator.state.postsynaptic_stdp_values
        for std_name in names:
            native_name = table[std_name]["translated_name"]
            value = np.broadcast_to(np.asarray(table[std_name]["forward_transform"](values), dtype=float),
                                    targets.shape)[order]
            per_cell = value[first]
            if not np.all(value == np.repeat(per_cell, counts)):
                raise errors.InvalidParameterValueError(
                    f"Projection '{self.label}': '{std_name}' must be the same for every connection onto one "
                    f"post-synaptic cell on NEST (NEST keeps it on the neuron as '{native_name}')")
            # values other plastic projections gave the same cells (one entry per projection, so
            # the check loops over projections, not cells)
            by_projection = registry.setdefault(native_name, {})
            for owner, (other_ids, other_values) in by_projection.items():
                if owner == id(self):
                    continue
                _, mine, theirs = np.intersect1d(ids, other_ids, assume_unique=True, return_indices=True)
                clash = per_cell[mine] != other_values[theirs]
                if np.any(clash):
                    k = int(np.flatnonzero(clash)[0])
                    raise errors.InvalidParameterValueError(
                        f"Projection '{self.label}': '{std_name}' = {per_cell[mine][k]:g} differs from the value "
                        f"{other_values[theirs][k]:g} another plastic projection gave the same post-synaptic cell "
                        f"on NEST (NEST keeps it on the neuron as '{native_name}'); use one value per "
                        f"post-synaptic cell")
            # this projection's cells so far (it may connect in chunks); the newest value wins
            mine_ids, mine_values = by_projection.get(id(self), (ids[:0], per_cell[:0]))
            merged_ids, where = np.unique(np.concatenate([ids, mine_ids]), return_index=True)
            by_projection[id(self)] = (merged_ids, np.concatenate([per_cell, mine_values])[where])
            # (one dictionary per node: NEST sets those of this MPI process's nodes)
            _set_per_node(nest.NodeCollection(ids.tolist()), {native_name: per_cell})

    def _create_connections(self, pre, post, values):
        self._set_postsynaptic_parameters(post, values)
        fixed, arrays = self._split_values(values, post)
        fixed.pop("receptor_type", None)  # the port of each target cell is self._port
        if self._relays is not None:
            fixed.pop("delay", None)  # the last legs' delays are per connection (_relayed_sources)
        if getattr(self, "modulatory_sources", None):
            if self._volume_transmitter is None:
                self._nest_model = self._connect_modulation(fixed)
        else:
            if isinstance(self.synapse_type, STDPMechanism) and self._sign < 0:
                # NEST refuses a model whose default weight and Wmax differ in sign: with
                # per-connection weights (or bounds) one default would stay NEST's positive one.
                # Every connection gets its own values, so the defaults only need the sign.
                fixed.setdefault("weight", self._sign)
                fixed.setdefault("Wmax", self._sign)
            self._nest_model = simulator.state.synapse_model(self.synapse_type.native_name, fixed, self._owner_key)
        self._connect(pre, post, values["delay"] if "delay" in values else None, arrays)

    def _connect_modulation(self, fixed):
        """The volume_transmitter of a NESTML synapse with a modulatory port (NESTML's vt_ports):
        every cell of the modulatory source connected to it with the modulatory delay, and set on
        this projection's own copy of the synapse model (with the `fixed` parameters), whose name
        is returned. It delivers every interval (deliver_interval 1; the interval is one step
        while a projection has synapse dynamics, see simulator.py), so a pre spike sees every
        modulatory spike up to its own time (doc/nestml.md)."""
        (source,) = self.modulatory_sources  # pyNN.nest.nestml refuses a second port
        vt = nest.Create("volume_transmitter", params={"deliver_interval": 1})
        ids = np.asarray(source.population._native_ids(), dtype=np.int64)  # (a cell listed twice: twice)
        try:
            nest.Connect(ids, np.full(ids.size, vt.global_id), "one_to_one",
                         syn_spec={"synapse_model": "static_synapse", "delay": np.full(ids.size, source.delay),
                                   "weight": np.ones(ids.size)})
        except nest.NESTError as exc:  # e.g. a delay beyond the range NEST fixed at its first run
            raise errors.ConnectionError(
                f"Projection '{self.label}': NEST refused the connections of modulatory_inputs['{source.port}'] "
                f"('{source.population.label}') to the volume transmitter with modulatory_delay {source.delay:g} "
                f"ms: {exc} (give setup(max_delay=...) the longest delay you will use, or create this projection "
                f"before the first run or after reset())") from exc
        state = simulator.state
        state.model_counter += 1
        name = f"{self.synapse_type.native_name}_pyNNvt{state.model_counter}"
        nest.CopyModel(self.synapse_type.native_name, name, {**fixed, "volume_transmitter": vt})
        self._volume_transmitter = vt
        return name

    def _connect(self, pre, post, delays, per_connection):
        """One nest.Connect of the connections (pre, post) with the projection's model and
        `per_connection` native values; `delays` (ms) decide the relays (if any)."""
        syn_spec = {"synapse_model": self._nest_model}
        syn_spec.update(per_connection)
        if self._port is not None:
            syn_spec["receptor_type"] = self._port[np.asarray(post, dtype=np.int64)].astype(float)
        sources = self.pre._native_ids()[pre]
        targets = self.post._native_ids()[post]
        if self._relays is not None:
            sources = self._relayed_sources(sources, delays, syn_spec)
        try:
            nest.Connect(sources, targets, "one_to_one", syn_spec)
        except nest.NESTError as exc:
            raise errors.ConnectionError(f"Projection '{self.label}': NEST refused the connections: {exc}") \
                from exc

    def _check_backend_connections(self, pre, post, values):
        # set(delay=...) after a run: no delay below NEST's min_delay (fixed at the first run),
        # and a delay beyond NEST's range needs relays, as at creation
        if values.get("delay") is not None and values["delay"] is not self._syn.get("delay"):
            self._check_min_delay(values["delay"])
        if "delay" in values and delay_relays.needs_relay(values["delay"]):
            self._check_relayable(values["delay"])
            delay_relays.check_relay_memory(pre, values["delay"], f"Projection '{self.label}'")

    def _move_relayed(self, conns, order, delays):
        """set(delay=...) where relays are or become needed: connections whose new delay needs
        another relay stage are made again from that stage (NEST cannot move a connection's
        source); returns the last-leg delays of every connection, in the core's order."""
        if simulator.state.world is not None:
            raise errors.NotSupportedError(
                f"Projection '{self.label}': set(delay=...) to delays that need relays (beyond the range NEST "
                f"fixed at its first run) is not implemented for NEST under MPI (mpirun); give "
                f"setup(max_delay=...) the longest delay you will use")
        if self._relays is None:
            self._relays = delay_relays.RelayChains()
        depth, last_leg = self._relays.split(delays)
        sources = _column(conns, "source", np.int64)[order]
        moved = np.flatnonzero(self._relays.depth(sources) != depth)
        if moved.size:
            delay_relays.disconnect(conns, order[moved])
            values = self._native_values({k: (v[moved] if isinstance(v, np.ndarray) else v)
                                          for k, v in self._syn.items()})
            post = self._post[moved].astype(np.int64)
            fixed, arrays = self._split_values(values, post)
            fixed.pop("receptor_type", None)
            # explicit values: the model's defaults are those of the projection's first chunk
            per_connection = {name: np.full(moved.size, float(value)) for name, value in fixed.items()}
            per_connection.update(arrays)
            self._connect(self._pre[moved].astype(np.int64), post, values["delay"], per_connection)
        return last_leg

    def _relayed_sources(self, sources, delays, syn_spec):
        """Where connections with delays beyond NEST's fixed range leave from (the cell, or a
        relay parrot of it: pyNN.nest.delay_relays); puts the last legs' delays in `syn_spec`."""
        depth, last_leg = self._relays.split(np.broadcast_to(np.asarray(delays, dtype=float), sources.shape))
        syn_spec["delay"] = last_leg
        return self._relays.sources(sources, depth)

    def _rebuild(self):
        """Re-create every connection after a kernel rebuild (reset)."""
        self._relays = None  # the new kernel has room for every delay before it runs
        self._volume_transmitter = None  # (made again in the new kernel)
        self._made_at_step = 0  # (reset(): the simulation starts again at step 0)
        # (the connections found in the old kernel: the new one may have as many, elsewhere)
        self._connection_cache = None
        self._create_in_chunks(slice(0, self._pre.size))

    def _nest_connections(self):
        """SynapseCollection of this projection, sorted like the core's arrays. Kept while
        NEST has the same connections in the same places (reading plastic state many times
        during a recorded run must not search them again): NEST sorts its connections once
        when it first simulates, and any new connection may move them."""
        kernel = nest.GetKernelStatus(["num_connections", "biological_time"])
        key = (kernel[0], kernel[1] > 0, delay_relays.rewirings)
        cached = getattr(self, "_connection_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        found = self._find_nest_connections()
        self._connection_cache = (key, found)
        return found

    def _find_nest_connections(self):
        conns = nest.GetConnections(synapse_model=self._nest_model)
        src = _column(conns, "source", np.int64)
        if self._relays is not None:  # last legs leave relay parrots: count them as their cells'
            src = self._relays.origin(src)
        tgt = _column(conns, "target", np.int64)
        pre_ids, post_ids = self.pre._native_ids(), self.post._native_ids()
        pre_pos = _positions(pre_ids, src)
        post_pos = _positions(post_ids, tgt)
        keep = (pre_pos >= 0) & (post_pos >= 0)
        idx = np.flatnonzero(keep)
        order = np.lexsort((pre_pos[idx], post_pos[idx]))
        return conns, idx[order]

    def _set_attributes(self, values):
        if getattr(self.synapse_type, "plastic", False):
            # NEST's parameters are computed from several standard ones (alpha = A_minus/A_plus):
            # translate with the current values of all of them
            values = {**{k: v for k, v in self._syn.items() if k not in ("weight", "delay")}, **values}
        self._set_postsynaptic_parameters(self._post.astype(np.int64), values)
        fixed, arrays = self._split_values(values, self._post.astype(np.int64), start=False)
        conns, order = self._nest_connections()
        # NEST holds on each MPI process the connections onto its own cells (all of them in one
        # process), in the core's order
        local = self._local_connections_mask()
        if local is not None:
            arrays = {name: value[local] for name, value in arrays.items()}
        expected = self._pre.size if local is None else int(np.count_nonzero(local))
        if order.size != expected:
            raise errors.SimulatorError(f"Projection '{self.label}': found {order.size} NEST connections, "
                                        f"expected {expected}")
        native = {name: np.full(order.size, value) for name, value in fixed.items()}
        native.update(arrays)
        if "delay" in native and (self._relays is not None or delay_relays.needs_relay(native["delay"])):
            native["delay"] = self._move_relayed(conns, order, native["delay"])
            conns, order = self._nest_connections()
        for name, value in native.items():
            # rows of other projections sharing the model keep their values
            # (in NEST's type: an integer parameter such as quantal_stp_synapse's n takes integers)
            current = _column(conns, name, None)
            current[order] = value
            _set_column(conns, name, current)

    def _read_plastic(self, name):
        """Weights of plastic (STDP) synapses change during the simulation: read them back."""
        state = simulator.state
        # (during a run that records synapse state, has_run is not yet set: steps tell)
        if name != "weight" or not self.synapse_type.plastic or not self._pre.size \
                or not (state.has_run or state.steps):
            return None
        conns, order = self._nest_connections()
        return self._standard_plastic_weights(_column(conns, "weight")[order])

    def _standard_plastic_weights(self, native):
        """NEST weights of plastic synapses -> standard units, with the sign the user gave."""
        w = np.abs(np.asarray(native, dtype=float) / self._weight_scale)
        user_negative = (isinstance(self._syn.get("weight"), np.ndarray) and np.any(self._syn["weight"] < 0)) \
            or (np.ndim(self._syn.get("weight")) == 0 and (self._syn.get("weight") or 0) < 0)
        return -w if user_negative else w

    def _core_weights(self):
        """The weights as the core holds them (those NEST has after set() or a rebuild)."""
        return np.array(np.broadcast_to(np.asarray(self._syn["weight"], dtype=float), (self._pre.size,)))

    def _connection_keys(self):
        """Key of each connection (pre position * post size + post position), or None when a
        pair of cells has several connections (then NEST's events cannot tell them apart)."""
        keys = self._pre.astype(np.int64) * max(self.post.size, 1) + self._post.astype(np.int64)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        if sorted_keys.size > 1 and np.any(sorted_keys[1:] == sorted_keys[:-1]):
            return None
        return sorted_keys, order

    def _connection_positions(self, sources, targets):
        """Position in the core's arrays of the connection from NEST node `sources` to
        `targets` (arrays), or -1 for connections of other projections."""
        sorted_keys, order = self._keys_for_events
        pre = _positions(np.asarray(self.pre._native_ids(), dtype=np.int64), sources)
        post = _positions(np.asarray(self.post._native_ids(), dtype=np.int64), targets)
        keys = pre * max(self.post.size, 1) + post
        found = np.searchsorted(sorted_keys, keys)
        found_c = np.minimum(found, max(sorted_keys.size - 1, 0))
        hit = (pre >= 0) & (post >= 0) & (sorted_keys.size > 0)
        hit &= sorted_keys[found_c] == keys if sorted_keys.size else hit
        out = np.full(keys.shape, -1, dtype=np.int64)
        out[hit] = order[found_c[hit]]
        return out

    def _native_synapse_sampler(self, variables, interval_steps):
        """The weights of STDP synapses, rebuilt from NEST's weight_recorder (see
        recording.WeightSampler); other variables are read at each sample time."""
        if list(variables) != ["weight"] or not getattr(self.synapse_type, "plastic", False) \
                or not self._pre.size:
            return None
        keys = self._connection_keys()
        if keys is None:  # several connections between one pair of cells
            return None
        from pyNN.nest.recording import WeightSampler

        self._keys_for_events = keys
        return WeightSampler(self)

    def _read_state_variable(self, name):
        """Tsodyks-Markram u, x, y: NEST's connection properties of the same names."""
        if name not in getattr(self.synapse_type, "state_variables", ()) or not self._pre.size:
            return None
        scale = 1.0
        model = getattr(self.synapse_type, "nestml_model", None)
        if model is not None:
            # a NESTML synapse: the variables NESTML keeps in the connection (those it moved
            # into the co-generated neuron, the postsynaptic traces, are not per connection)
            if name not in nest.GetDefaults(self.synapse_type.native_name):
                raise errors.NoModelAvailableError(
                    f"Projection '{self.label}': reading the NESTML synapse state variable {name!r} is not available "
                    f"on the NEST backend: NESTML moved it into the postsynaptic neuron (one value per cell, not per "
                    f"connection)")
            scale = model.state[name].to_pynn
        if model is None and self._not_run_yet():  # (NEST holds the earlier state: _tsodyks_start)
            start = self._initial_state.get(name, self.synapse_type.default_initial_values[name])
            values = np.array(np.broadcast_to(np.asarray(start, dtype=float), (self._pre.size,)))
            local = self._local_connections_mask()  # (this MPI process's connections only)
            return values if local is None else values[local]
        conns, order = self._nest_connections()
        values = _column(conns, name)[order] * scale
        if name in self._time_state() and simulator.state.warmed_up:
            values -= simulator.state.offset
        return values

    @property
    def nest_connections(self):
        """The NEST SynapseCollection of the projection's connections. A connection made after a
        run with a delay beyond NEST's range leaves an internal relay parrot (its 'source'), with
        the last part of the delay (see pyNN.nest.delay_relays)."""
        return self._nest_connections()[0]


def _column(conns, name, dtype=float):
    """One value per connection of a SynapseCollection (in its order); empty for an empty
    collection (e.g. an MPI process with none of a projection's connections), for which NEST
    returns a dictionary."""
    if len(conns) == 0:
        return np.zeros(0, dtype=dtype or float)
    return np.atleast_1d(np.asarray(conns.get(name), dtype=dtype)).reshape(-1)


def _set_column(conns, name, values):
    """Set one value per connection of a SynapseCollection (nothing to do when it is empty).
    Under MPI, NEST refuses a list of values in one dictionary (its collections hold this
    process's connections, so a list would fit) and takes one dictionary per connection, which
    is what it builds from the list in one process."""
    if not len(conns):
        return
    if simulator.state.world is None:
        conns.set({name: values.tolist()})
    else:
        conns.set([{name: value} for value in values.tolist()])


def _assigned_from_t(statements):
    """Names that `statements` (nested blocks included) set to NESTML's ``t``."""
    import sympy
    from pyNN.nestml import ir
    out = set()
    for stmt in statements:
        if isinstance(stmt, ir.Assign) and stmt.op == "=" and sympy.sympify(stmt.value) == sympy.Symbol("t"):
            out.add(stmt.target)
        elif isinstance(stmt, ir.If):
            for _, block in stmt.branches:
                out |= _assigned_from_t(block)
            out |= _assigned_from_t(stmt.orelse)
    return out


def _min_delay_origin(state):
    """Why NEST's min_delay has its value, for error messages."""
    if state._min_delay is not None:
        return f"setup(min_delay={state._min_delay:g})"
    return "the shortest delay of the projections that existed then, with min_delay='auto'"


def _weight_sign(projection):
    """Sign of the NEST weights: NEST's standard models take inhibitory input as negative
    weights; multisynapse models follow PointNeuron.receptor_sign."""
    signs = set()
    for root, _, _ in roots(projection.post):
        if getattr(root.native_type, "sign_selects_receptor", True):
            signs.add(-1.0 if projection.receptor_type == "inhibitory" else 1.0)
        else:
            signs.add(root.celltype.receptor_sign(projection.receptor_type))
    if len(signs) > 1:
        raise errors.ConnectionError(
            f"Projection '{projection.label}': receptor '{projection.receptor_type}' is excitatory in some "
            f"postsynaptic cell types and inhibitory in others")
    return signs.pop() if signs else 1.0


def _receptor_ports(projection):
    """NEST receptor port of each postsynaptic cell (0 for cells without named receptors; an
    Assembly may mix them), or None when no postsynaptic cell has named receptors."""
    parts = roots(projection.post)
    ports = [(getattr(part.root.native_type, "receptor_ports", None) or {}).get(projection.receptor_type)
             for part in parts]
    if all(port is None for port in ports):
        return None
    return np.concatenate([np.full(len(part.indices), 0 if port is None else port, dtype=np.int64)
                           for part, port in zip(parts, ports)])


def _positions(ids, query):
    """Index of each `query` id within the sorted-or-not `ids` array, or -1."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pos = np.searchsorted(sorted_ids, query)
    pos_c = np.minimum(pos, max(sorted_ids.size - 1, 0))
    found = sorted_ids.size > 0
    hit = (sorted_ids[pos_c] == query) if found else np.zeros(query.shape, bool)
    out = np.full(query.shape, -1, dtype=np.int64)
    out[hit] = order[pos_c[hit]]
    return out
