"""Brian2 projections: Synapses objects connected from the core's index arrays in one write.

When. A projection's Synapses objects are made before the next run (or when first needed:
recording or reading synapse state), together with those of every other projection
waiting then; until that moment set() only changes the core's values, so delays may
still become heterogeneous.

Sharing. The connections of static projections (no state of their own) from one Brian2
group onto another, with the same receptor statement and the same delay (or per-synapse
delays), share one Synapses object: each projection owns a slice of it. A projection
with synaptic state (STDP, Tsodyks-Markram, stochastic) has one Synapses object per pair
of groups (several when an Assembly spans several groups). ``setup(share_groups=False)``
gives every projection its own.

Delays: the core gives delays as whole steps D >= 1; the Brian2 delay is D - 1 steps
(see simulator.py for why), so that the target's variables jump in the sample at spike
time + delay. A Synapses object whose delays are all equal when it is made gets Brian2's
scalar (homogeneous) delay; after that, it cannot take different delays per connection
(refused with NotSupportedError before the core keeps the values).
"""

import brian2
import numpy as np

from pyNN import errors
from pyNN.brian2 import simulator, synapse_weights
from pyNN.brian2.standardmodels.cells import state_array
from pyNN.brian2.standardmodels.synapses import StaticSynapse
from pyNN.common import projections as common
from pyNN.common import synapse_state
from pyNN.common.populations import roots
from pyNN.random import RandomDistribution


def _locate(group, index):
    """For indices into `group`: (member number, index into that member's root population)."""
    members = roots(group)
    if len(members) == 1:
        return np.zeros(index.size, dtype=np.int64), members[0].indices[index]
    offsets = np.array([m.offset for m in members])
    which = np.searchsorted(offsets, index, side="right") - 1
    root_index = np.empty(index.size, dtype=np.int64)
    for k, (_, indices, offset) in enumerate(members):
        sel = which == k
        root_index[sel] = indices[index[sel] - offset]
    return which, root_index


#: STDP event timing, in steps (see _event_code and _set_stdp_delays), checked by test_stdp.py
STDP_SHIFT_STEPS = 1
STDP_POST_DELAY_STEPS = -1

#: SI value of one standard weight unit, by the unit of the target variable
_WEIGHT_SI = {"siemens": 1e-6, "amp": 1e-9, "volt": 1e-3, "1": 1.0}


def _connect_arrays(syn, i, j):
    """``syn.connect(i=i, j=j)`` done on the arrays directly.

    Brian2's connect(i=, j=) runs a generated code object whose source includes the
    number of connections, so on the Cython target every projection of a new size
    compiled its own module (seconds each) and even a cached one cost ~0.2 s of code
    generation. On the runtime targets the synapse arrays are numpy arrays: write the
    indices, then let Brian2 resize the synaptic variables and count the synapses per
    cell exactly as its template does.
    """
    i = np.asarray(i, dtype=np.int32)
    j = np.asarray(j, dtype=np.int32)
    if "_offset" in syn.source.variables or "_offset" in syn.target.variables:  # subgroups: not ours
        syn.connect(i=i, j=j)
        return
    syn._connect_called = True
    old = int(syn.variables["N"].get_value().item())  # (N is a one-element array)
    new = old + i.size
    for name, values in (("_synaptic_pre", i), ("_synaptic_post", j)):
        variable = syn.variables[name]
        variable.resize(new)
        variable.get_value()[old:] = values
    syn._resize(new)
    syn._update_synapse_numbers(old)


class Projection(common.Projection):
    """Connections between Brian2 groups."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def _prepare_backend(self):
        self._fraction_zero = self._stdp_fraction_zero()
        # what a NESTML synapse type needs besides its code (pyNN.brian2.nestml_synapse)
        self._extension = getattr(self.synapse_type, "brian2_extension", None)
        self._on_pre = {}
        for root, _, _ in roots(self.post):
            model = root.brian2_model
            statement = model.receptors.get(self.receptor_type)
            if statement is None:
                raise errors.NoModelAvailableError(
                    f"Projection '{self.label}': receptor '{self.receptor_type}' of "
                    f"{type(root.celltype).__name__} is not available on the Brian2 backend")
            self._on_pre[id(root)] = (statement, model.weight_unit)
            if self._extension is not None:
                self._extension.check_target(self, root)
            if self._fraction_zero and model.weight_unit == "volt":
                raise errors.InvalidParameterValueError(
                    f"Projection '{self.label}': dendritic_delay_fraction 0 is not supported on the Brian2 backend "
                    f"for targets whose inputs are voltage jumps ({type(root.celltype).__name__}); it supports "
                    f"1.0 there, and 0.0 or 1.0 onto the other cell types")
        # [(Synapses, positions in the core's arrays, source population, slice of the Synapses)]
        self._synapses = []
        self._waiting = False

    def _shareable(self):
        """True if this projection's connections may share a Synapses object with others:
        synapses without state of their own (see build_pending)."""
        return simulator.state.share_groups and self._shareable_type()

    def _shareable_type(self):
        """True for a synapse type without state of its own (nothing but the weight, which no
        event changes)."""
        st = self.synapse_type
        return not any(getattr(st, name, None) for name in ("brian2_on_post", "brian2_on_pre", "brian2_equations",
                                                            "needs_tau_psc", "brian2_initial", "plastic"))

    def _check_code_limits(self, values):
        """A parameter the generated code depends on (the number of release sites) cannot grow
        beyond the value the code was generated for (checked before anything changes)."""
        for name, limit in getattr(self, "_code_limits", {}).items():
            if name in values and np.max(values[name]) > limit:
                raise errors.NotSupportedError(
                    f"Projection '{self.label}': '{name}' = {np.max(values[name]):g} is more than the largest value "
                    f"when the projection was created ({limit:g}), for which the Brian2 backend generated its "
                    f"code (one random draw per release site); create the projection with the largest {name}")

    def _stdp_fraction_zero(self):
        """Whether this is an STDP projection with dendritic_delay_fraction = 0 (all of the delay
        axonal). Brian2 runs 0 or 1, one value per projection: the events are scheduled
        differently (see _schedule_fraction_zero)."""
        if not getattr(self.synapse_type, "plastic", False) or \
                "dendritic_delay_fraction" not in self.synapse_type.get_parameter_names():
            return False  # (NESTML synapses: all of the delay dendritic, as in NEST)
        fraction = self.synapse_type.parameter_space["dendritic_delay_fraction"]
        base = getattr(fraction, "base_value", fraction)
        values = None if isinstance(base, RandomDistribution) else np.unique(np.asarray(base, dtype=float))
        if values is None or values.size != 1 or values[0] not in (0.0, 1.0):
            raise errors.InvalidParameterValueError(
                f"Projection '{self.label}': dendritic_delay_fraction must be 0.0 or 1.0, the same for every "
                f"connection of a projection, on the Brian2 backend (not {base!r})")
        return bool(values[0] == 0.0)

    def _create_in_chunks(self, positions, chunk=None):
        """All connections at once: one connect() per Synapses object."""
        n = self._pre.size
        everything = isinstance(positions, slice) and positions.indices(n) == (0, n, 1)
        if isinstance(positions, slice):
            positions = range(*positions.indices(n))
        if len(positions) == 0:
            return
        if self._synapses or self._waiting:
            raise errors.NotSupportedError(
                f"Projection '{self.label}': adding connections to an existing projection is not supported "
                f"by the Brian2 backend")
        # made before the next run (or when first needed), with the other waiting projections'
        # connections: their delays are then final, and static ones share Synapses objects
        self._waiting = True
        pre_roots, post_roots = roots(self.pre), roots(self.post)
        if everything and len(pre_roots) == 1 and len(post_roots) == 1:
            # one part with every connection in the core's order: its root indices are worked
            # out when its Synapses object is made (_part_indices), and it keeps no positions
            simulator.state.pending_synapses.append((self, pre_roots[0][0], post_roots[0][0], None, None,
                                                     slice(0, n)))
            return
        positions = np.asarray(positions, dtype=np.int64)
        pre = self._pre[positions].astype(np.int64)
        post = self._post[positions].astype(np.int64)
        pre_member, pre_root_index = _locate(self.pre, pre)
        post_member, post_root_index = _locate(self.post, post)
        parts = []
        for a in np.unique(pre_member):
            for b in np.unique(post_member[pre_member == a]):
                sel = np.flatnonzero((pre_member == a) & (post_member == b))
                parts.append((self, pre_roots[a][0], post_roots[b][0], pre_root_index[sel], post_root_index[sel],
                              positions[sel]))
        simulator.state.pending_synapses.extend(parts)

    def _sharing_key(self, source, target, positions):
        """Parts of static projections with equal keys share one Synapses object: the same
        source and target groups, the same on_pre statement and weight unit, and the same
        delay if it is one value (Brian2's scalar delay) or per-synapse delays. Every part
        of another projection has a key of its own."""
        if not self._shareable():
            return (id(self), positions.start if isinstance(positions, slice) else int(positions[0]))
        statement, unit = self._on_pre[id(target)]
        delay = self._delays_for(positions)
        delay_key = float(delay) if np.ndim(delay) == 0 else "per synapse"
        return (id(source.group), id(target.group), self._on_pre_code(statement), unit, delay_key)

    def _build(self, source, target, delay):
        """A Synapses object from `source`'s group onto `target`'s group, with `delay` (s) if it
        is one value (else per-synapse delays, written by _set_attributes)."""
        state = simulator.state
        statement, unit = self._on_pre[id(target)]
        kwargs = {}
        if np.ndim(delay) == 0:
            kwargs["delay"] = float(delay) * brian2.second
        on_post = getattr(self.synapse_type, "brian2_on_post", None)
        if on_post:
            kwargs["on_post"] = self._event_code(on_post)
        # a NESTML synapse's weight (x 1000 the library's) in the target's unit
        on_pre = self._on_pre_code(statement).replace("{weight_si}", f"{_WEIGHT_SI[unit] / 1000.0!r}*{unit}")
        namespace = self._extension.namespace(self, target) if self._extension is not None else {}
        if self._shareable_type():
            # one weight for every connection until they differ (pyNN.brian2.synapse_weights);
            # set with the connections' values when they are written (_set_attributes)
            namespace[synapse_weights.NAME] = None
        extra = self._extension.pathways() if self._extension is not None else {}
        if extra:  # further pre pathways, each with its own delay
            on_pre = {"pre": on_pre, **{name: self._event_code(code) for name, (code, _) in extra.items()}}
            delays = {name: d * brian2.second for name, (_, d) in extra.items()}
            kwargs["delay"] = delays | ({"pre": kwargs["delay"]} if "delay" in kwargs else {})
        syn = brian2.Synapses(source.group, target.group, model=self._synapse_equations(unit),
                              on_pre=on_pre, name=state.unique_name("synapses"),
                              namespace=namespace, **kwargs)
        if on_post:
            syn.post.order = syn.pre.order - 1  # post events before pre events of the same step
        if self._extension is not None:
            self._extension.built(self, syn, namespace)
        if self._fraction_zero:
            self._schedule_fraction_zero(syn)
        syn._pynn_parts = 1
        return syn

    def _init_synapse_state(self, syn, positions, sl):
        """Initial state of the synapse type's own variables (Tsodyks-Markram, NESTML)."""
        for name, value in getattr(self.synapse_type, "brian2_initial", {}).items():
            state_array(syn, name)[sl] = value
        self._write_state(syn, positions, sl, self._initial_state)
        if self._extension is not None:
            self._extension.connected(self, syn, sl)
        if getattr(self.synapse_type, "needs_tau_psc", False):
            # Tsodyks-Markram: the target receptor's time constant, and the time of the last
            # event as if a spike had been emitted at t = 0 (on_pre runs one delay later)
            state_array(syn, "tau_psc")[sl] = self._psc_time_constants(self._post[positions]) * 1e-3
            state_array(syn, "t_last")[sl] = self._delays_for(positions)

    @staticmethod
    def _schedule_fraction_zero(syn):
        """dendritic_delay_fraction = 0: every event is handled at its own synapse time, a pre
        event when its spike arrives (t_pre + d) and a post event when it is emitted, in the
        'start' slot of that step, before the recording monitors and the integration (so the
        arrival shows in the sample at t_pre + d and acts on v from then on, as from the
        'synapses' slot of the step before). Then the cells' spikes of the arrival step are
        known (their threshold test ends the step before) and handled first."""
        syn.post.when = syn.pre.when = "start"
        syn.post.order, syn.pre.order = -20, -19

    def _pre_delay_shift(self, source):
        """Added to the Brian2 delay of the pre pathway (s). A pathway in the 'start' slot takes
        a cell's spike (threshold at the end of the step before its time stamp) in the step of
        its stamp, but a spike source's (which fires in the step of its stamp) one step later."""
        if not self._fraction_zero:
            return 0.0
        thresholder = getattr(source.group, "thresholder", {}).get("spike")
        cell = thresholder is not None and thresholder.when == "after_synapses"
        return simulator.state.dt * 1e-3 if cell else 0.0

    def _synapse_equations(self, unit):
        # synapses without state of their own start with one weight in the namespace (see
        # pyNN.brian2.synapse_weights); their per-synapse weights, if they come to differ, are
        # "constant" (during a run), which tells the reset snapshot to leave them out
        # (simulator._run_state), since they change only between runs
        if self._shareable_type():
            return ""
        return f"weight : {unit}\n" + getattr(self.synapse_type, "brian2_equations", "").replace("{unit}", unit)

    def _event_code(self, code):
        """STDP event code: the synapse time of an event is t - d_syn + STDP_SHIFT_STEPS*dt
        (dendritic_delay_fraction 0: t - d_syn, with d_syn = 0; see _set_stdp_delays). In the
        post pathway of a NESTML synapse (all of the delay dendritic), the emission step of the
        target cell's spike being handled is {emission_step}: the cell's spike entered the queue
        one step after it (see simulator.py) and waited the post pathway's delay."""
        dt = simulator.state.dt
        shift = 0.0 if self._fraction_zero else STDP_SHIFT_STEPS * dt
        lag = 1 + STDP_POST_DELAY_STEPS
        delays = getattr(self.synapse_type, "brian2_post_delays", 2)
        return (code.replace("{shift}", f"{shift}*ms")
                .replace("{half_dt}", f"{0.5 * dt}*ms")
                .replace("{emission_step}", f"(t - {delays}*d_syn)/dt - {lag}"))

    def _on_pre_code(self, statement):
        pre_code = getattr(self.synapse_type, "brian2_on_pre", None)
        if pre_code:
            expand = getattr(self.synapse_type, "brian2_expand", None)
            if expand is not None:
                pre_code, self._code_limits = expand(pre_code, self._syn)
            release = f"({self.synapse_type.release})"
            return self._event_code(pre_code.replace("{deliver}", statement.replace("weight", f"weight*{release}")))
        return statement

    def _set_stdp_delays(self, syn, positions, sl, d):
        """STDP: how long after its synapse time an event is handled (d_syn, ms -> s) and the
        post pathway's delay. With all of the delay dendritic, each post event runs when its
        synapse time t_post + d is reached on the pre pathway's clock (pre events are handled
        one delay after their synapse time t_pre); with none of it, every event is handled at
        its synapse time (see _schedule_fraction_zero)."""
        d = np.asarray(d[positions] if isinstance(d, np.ndarray) else d, dtype=float)
        if self._fraction_zero:
            state_array(syn, "d_syn")[sl] = 0.0
            state_array(syn.post, "delay")[sl] = 0.0
            return
        state_array(syn, "d_syn")[sl] = d * 1e-3
        # (a NESTML synapse scheduled on time: its post events run d - dt after the spike)
        if not hasattr(syn, "post"):  # (no post pathway: a NESTML synapse without a post port)
            return
        delays = getattr(self.synapse_type, "brian2_post_delays", 2)
        state_array(syn.post, "delay")[sl] = (delays * d + STDP_POST_DELAY_STEPS * simulator.state.dt) * 1e-3

    def _delays_for(self, positions, values=None):
        """Brian2 delays (s) of the connections at `positions` (a scalar when all are equal):
        one step less than the delay, see the module docstring."""
        dt = simulator.state.dt
        d = self._syn.get("delay") if values is None else values
        if d is None:
            d = simulator.state.min_delay
        if isinstance(d, np.ndarray):
            d = d[positions] if values is None else d
            if d.size and np.all(d == d.flat[0]):
                d = float(d.flat[0])
        return (np.asarray(d, dtype=float) - dt) * 1e-3 if isinstance(d, np.ndarray) else (d - dt) * 1e-3

    def _set_attributes(self, values):
        fraction = values.get("dendritic_delay_fraction")
        if fraction is not None and np.any(np.asarray(fraction, dtype=float) != (0.0 if self._fraction_zero else 1.0)):
            raise errors.NotSupportedError(
                f"Projection '{self.label}': the Brian2 backend schedules the events of an STDP projection by its "
                f"dendritic_delay_fraction when it is created; it cannot be changed afterwards")
        native = type(self.synapse_type).translate(values)
        for syn, positions, source, sl in self._synapses:
            target = syn.target
            unit = self._on_pre[id(self._root_of_group(target))][1]
            weight_state = getattr(self.synapse_type, "brian2_weight_state", None)
            for name, value in native.items():
                if name == "delay":
                    continue
                arr = value[positions] if isinstance(value, np.ndarray) else value
                if name == "weight" and weight_state is not None:  # a NESTML synapse's weight variable
                    state_array(syn, weight_state[0])[sl] = np.asarray(arr, dtype=float) * weight_state[1]
                if name == "weight" or name in getattr(self.synapse_type, "weight_unit_parameters", ()):
                    arr = np.asarray(arr, dtype=float) * _WEIGHT_SI[unit]
                if name == "weight":
                    synapse_weights.set_weights(syn, sl, arr, unit)
                else:
                    state_array(syn, name)[sl] = arr
                if name == "weight" and "w_now" in syn.variables:  # STDP: the weight the rule updates
                    state_array(syn, "w_now")[sl] = arr
            if "delay" in values and "d_syn" in syn.variables:
                d = values["delay"]
                self._set_stdp_delays(syn, positions, sl, d if d is not None else simulator.state.min_delay)
                if self._extension is not None:
                    self._extension.delays_set(syn, sl, self._root_of_group(target),
                                               state_array(syn, "d_syn")[sl] * 1e3)
            if "delay" in values:
                d = values["delay"]
                delay = self._delays_for(positions, d[positions] if isinstance(d, np.ndarray) else d)
                delay = delay + self._pre_delay_shift(source)
                if syn.pre.variables["delay"].scalar:
                    self._set_scalar_delay(syn, delay)
                else:
                    state_array(syn.pre, "delay")[sl] = delay

    def _check_backend_connections(self, pre, post, values):
        """Refuse, before the core keeps them, delays that a Synapses object made with Brian2's
        scalar delay cannot take (see _check_scalar_delay), and parameters beyond what the
        generated code allows (see _check_code_limits)."""
        self._check_code_limits(values)
        d = values.get("delay")
        for syn, positions, _, _ in self._synapses:
            if syn.pre.variables["delay"].scalar:
                self._check_scalar_delay(syn, self._delays_for(positions, d[positions] if isinstance(
                    d, np.ndarray) else (d if d is not None else simulator.state.min_delay)))

    def _check_scalar_delay(self, syn, delay):
        """`delay` (s) must be one value, and that of the other projections sharing `syn`."""
        if np.ndim(delay):
            raise errors.NotSupportedError(
                f"Projection '{self.label}': its delays were all equal when it was created, so "
                f"the Brian2 backend gave it one shared delay, which cannot become different per "
                f"connection; create the projection with heterogeneous delays instead")
        current = float(state_array(syn.pre, "delay")[0])
        if syn._pynn_parts > 1 and abs(current - float(delay)) > 1e-12:
            raise errors.NotSupportedError(
                f"Projection '{self.label}': it shares one Brian2 Synapses object, with one delay, with "
                f"other projections between the same groups (formed at the first run), so its delay "
                f"cannot change alone to {float(delay) * 1e3 + simulator.state.dt:g} ms; set the delay "
                f"before the first run, or use setup(share_groups=False) for one Synapses object per "
                f"projection")

    def _set_scalar_delay(self, syn, delay):
        """The one delay (s) of a Synapses object made with Brian2's scalar delay."""
        self._check_scalar_delay(syn, delay)
        syn.delay = float(delay) * brian2.second

    def _root_of_group(self, group):
        for root, _, _ in roots(self.post):
            if root.group is group:
                return root
        raise errors.SimulatorError(
            f"Projection '{self.label}': the Brian2 group '{group.name}' is not one of its postsynaptic "
            f"populations' groups")

    def _read_plastic(self, name):
        """STDP weights (the value of each connection's last pre event), in standard units."""
        if name != "weight" or not getattr(self.synapse_type, "plastic", False) or not self._synapses:
            return None  # (also while waiting for its Synapses: nothing has run, the core's values hold)
        if self._extension is not None and self._extension.on_time:  # (the weight variable, as of now)
            scale = self.synapse_type.brian2_weight_state[1]
            out = self._extension.values_now(self, self._extension.program.state[0]) / scale
        else:
            out = np.empty(self._pre.size)
            for syn, positions, _, sl in self._synapses:
                unit = self._on_pre[id(self._root_of_group(syn.target))][1]
                out[positions] = state_array(syn, "weight")[sl] / _WEIGHT_SI[unit]
        w = self._syn.get("weight")
        negative = np.any(np.asarray(w, dtype=float) < 0) if w is not None else False
        return -out if negative else out

    def _native_synapse_sampler(self, variables, interval_steps):
        from pyNN.brian2.recording import SynapseSampler

        if self._waiting:
            simulator.state.build_pending()
        if not self._synapses:
            return None  # (no connections: the core's reading is trivial)
        if self._extension is not None and self._extension.on_time:
            return None  # (its state is brought to now when read: the core reads it at each sample)
        if synapse_weights.NAME in variables:  # (the sampler reads a per-synapse array)
            for syn, _, _, _ in self._synapses:
                synapse_weights.make_per_synapse(syn)
        return SynapseSampler(self, variables, interval_steps)

    def _native_synapse_variable(self, name):
        """(Brian2 variable, function from its values to standard units) of a recordable
        synapse variable."""
        if name != "weight":
            if self._extension is not None:
                native, factor = self._extension.state_variable(name)
                return native, lambda values: values * factor
            return f"{name}_tm", lambda values: values
        unit = self._on_pre[id(self._root_of_group(self._synapses[0][0].target))][1]
        w = self._syn.get("weight")
        sign = -1.0 if w is not None and np.any(np.asarray(w, dtype=float) < 0) else 1.0
        # (the same operations as _read_plastic: get() and the samples agree to the last bit)
        return "weight", lambda values: sign * (values / _WEIGHT_SI[unit])

    def _read_state_variable(self, name):
        """Tsodyks-Markram u, x, y (the Synapses' u_tm, x_tm, y_tm); a NESTML synapse's state
        variables as of each connection's last pre spike."""
        if name not in getattr(self.synapse_type, "state_variables", ()):
            return None
        if self._waiting:
            simulator.state.build_pending()
        native, factor = f"{name}_tm", 1.0
        if self._extension is not None:
            if self._extension.on_time:
                return self._extension.values_now(self, name) * self.synapse_type.nestml_model.state[name].to_pynn
            native, factor = self._extension.state_variable(name)
        out = np.empty(self._pre.size)
        for syn, positions, _, sl in self._synapses:
            out[positions] = state_array(syn, native)[sl] * factor
        return out

    def _set_state_variables(self, values):
        """Tsodyks-Markram u, x, y (the Synapses' u_tm, x_tm, y_tm) of every connection; a
        projection still waiting for its Synapses gets them when they are made
        (_init_synapse_state)."""
        if self._extension is not None:
            raise synapse_state.nestml_state_refused(self, values)
        for syn, positions, _, sl in self._synapses:
            self._write_state(syn, positions, sl, values)

    @staticmethod
    def _write_state(syn, positions, sl, values):
        """Standard synapse state `values` (name -> float, or one value per connection of the
        projection) into the connections `sl` of `syn` (the projection's `positions`)."""
        for name, value in values.items():
            state_array(syn, f"{name}_tm")[sl] = value[positions] if isinstance(value, np.ndarray) else value

    def _after_restore(self):
        """The snapshot holds the values at the first run: put back the current ones."""
        if self._synapses:
            self._set_attributes(self._native_values(self._syn))
            self._start_state()

    def _start_state(self):
        """Synaptic state that starts from a parameter's current value (every release site
        available), at creation and after reset()."""
        for syn, _, _, sl in self._synapses:
            for state_name, source in getattr(self.synapse_type, "brian2_state_from", {}).items():
                state_array(syn, state_name)[sl] = state_array(syn, source)[sl]


def _part_size(part):
    positions = part[5]
    return positions.stop - positions.start if isinstance(positions, slice) else positions.size


def _part_indices(part, k):
    """Indices into the root population of side `k` (1: source, 2: target) of a waiting part's
    connections: kept with the part, or (for a part holding every connection of a projection
    between two populations or views) taken from the core's arrays now."""
    prj, indices = part[0], part[k + 2]
    if indices is None:
        group, index = (prj.pre, prj._pre) if k == 1 else (prj.post, prj._post)
        root = roots(group)[0]
        # (a Population is its own root: its indices are the core's, no gather of a copy)
        indices = index[part[5]] if root.root is group else root.indices[index[part[5]]]
    return indices


def _group_indices(members):
    """(i, j): the indices into the source and target groups of the connections of `members`
    (parts sharing one Synapses object), as int32 (Brian2's index type), in order. The
    indices of one part at the start of its group, int32 already, are the core's own arrays
    (connect() copies them into Brian2's): no copy of every connection's indices here."""
    out = []
    for k in (1, 2):
        if len(members) == 1 and members[0][k]._offset == 0:
            part = _part_indices(members[0], k)
            if part.dtype == np.int32:
                out.append(part)
                continue
        total = sum(_part_size(m) for m in members)
        indices = np.empty(total, dtype=np.int32)
        start = 0
        for m in members:
            part = _part_indices(m, k)
            np.add(part, m[k]._offset, out=indices[start:start + part.size], casting="unsafe")
            start += part.size
        out.append(indices)
    return out


def build_pending():
    """The Synapses objects of the waiting projections: one for the parts of static
    projections with equal sharing keys (see Projection._sharing_key), one per part of
    any other, each connected in one call; each projection keeps its slice of them. Called
    by the State before a run (after the waiting populations were built), and when a
    projection's Synapses are needed earlier (recording, reading synapse state)."""
    state = simulator.state
    parts, state.pending_synapses = state.pending_synapses, []
    by_key = {}
    for part in parts:
        prj, source, target, _, _, positions = part
        by_key.setdefault(prj._sharing_key(source, target, positions), []).append(part)
    created, projections = [], {}
    for members in by_key.values():
        prj, source, target, _, _, positions = members[0]
        syn = prj._build(source, target, prj._delays_for(positions) + prj._pre_delay_shift(source))
        syn._pynn_parts = len(members)
        sizes = [_part_size(m) for m in members]
        _connect_arrays(syn, *_group_indices(members))
        start = 0
        for (prj, source, _, _, _, positions), size in zip(members, sizes):
            part = slice(start, start + size)
            prj._synapses.append((syn, positions, source, part))
            prj._init_synapse_state(syn, positions, part)
            prj._waiting = False
            projections[id(prj)] = prj
            start += size
        created.append(syn)
    for prj in projections.values():
        prj._set_attributes(prj._native_values(prj._syn))
        prj._start_state()
    for syn in created:
        state.add(syn)
