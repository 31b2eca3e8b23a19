"""NESTML synapses on the hardware engine (profile ``ideal``): an engine plasticity rule.

The synapse's event code (:mod:`pyNN.nestml.synapse_program`) is printed as three numpy
functions, vectorised over connections: ``advance`` (exact decay of the ODE state over the
time since each connection's last event), ``on_pre`` and ``on_post`` (the handlers).
:class:`NESTMLSynapseState` runs them as the engine runs its own STDP
(:mod:`pyNN.hardware.engine.plasticity`), lazily, as NEST does: when a presynaptic spike is
sent, each of its connections first replays the postsynaptic spikes it has not seen whose
synapse time (emission + delay) is at most the spike's time, in time order, then handles
the presynaptic spike and transmits the weight its ``emit_spike`` gives (a post spike at the
pre spike's own time is replayed first, but the pre handler reads the post variables without
it, as NEST does). A continuous input port (a third factor) reads the postsynaptic variable's
value at the replayed post spike, kept by the post cells' spike history
(:meth:`pyNN.hardware.engine.plasticity.SpikeHistory.watch`). The state is kept
in the model's units: a NESTML weight is the library's weight x 1000.

Modulatory spike ports and update blocks (:mod:`pyNN.nestml.synapse_program`, e.g. the
neuromodulated STDP rule): the modulatory population's spikes are collected by a
:class:`ModulatoryTrain` (a follower of its cells' spike history) at their effective times
(emission + modulatory delay). The replay at a pre spike then merges, per connection, the
post events and the modulatory events of the window in time order (modulatory before post
at equal times), vectorised over connections: one numpy operation per event handles every
connection that has it. Between events the update block catches up the elapsed steps: one
application over the whole interval when its statements compose
(``SynapseProgram.update_composes``), else once per step. When the state is read
(``Projection.get``), every connection is first brought to the current time
(:meth:`NESTMLSynapseState.catch_up`), so that the weight reflects the update block and the
modulatory spikes up to now, as NEST's volume transmitter does at each delivery.
"""

import numpy as np
import sympy

from pyNN import errors

#: spike times closer than this (ms) are simultaneous
_EPS = 1e-9


def _function_source(name, program, part, names, returns=None):
    from pyNN.nestml import printers
    from pyNN.nestml.synapse_program import DELIVER
    # (in the update part, _elapsed is timestep(); in a handler, _t is the event's time, NESTML's t)
    lines = [f"def {name}(_s, _p, _elapsed, _t=None):"]
    lines += [f"    {names[n]} = _p[{n!r}]" for n in program.parameters]
    if name.endswith("on_post"):  # the third factors, at the post spike (in _p too)
        lines += [f"    {names[n]} = _p[{n!r}]" for n in program.post_inputs]
    lines += [f"    {names[n]} = _s[{n!r}]" for n in program.state]
    if returns:
        lines.append(f"    {names[DELIVER]} = np.zeros_like(_elapsed)")
    body = [line for line in printers.numpy_code(part, names).split("\n") if line]
    if any(sympy.sympify(stmt.value).atoms(sympy.Piecewise) for stmt in part.statements):
        # np.where evaluates every branch: one not taken may divide by zero (tau_fac == 0 ? 0 :
        # exp(-dt / tau_fac) in NESTML's tsodyks_synapse); its inf or nan is discarded
        lines.append("    with np.errstate(divide='ignore', invalid='ignore'):")
        body = ["    " + line for line in body]
    lines += ["    " + line for line in body]
    lines += [f"    _s[{n!r}] = {names[n]} + 0.0*_elapsed" for n in program.state]
    if returns:
        lines.append(f"    return {names[DELIVER]}")
    return "\n".join(lines) + "\n"


def compile_program(program):
    """(functions, source): ``advance``, ``on_pre`` (returns the transmitted NESTML weights)
    and ``on_post`` as numpy functions ``f(state, parameters, elapsed, t)`` of dicts of
    per-connection arrays (`t`: the event's time, ms, NESTML's ``t``); for a modulated synapse
    also ``update`` (``f(state, parameters, timestep)``) and ``on_<port>`` for each modulatory
    port."""
    from pyNN.hardware.nestml import _python_names
    from pyNN.nestml import ir
    from pyNN.nestml.synapse_program import DELIVER, ELAPSED, EVENT_TIME
    names = _python_names(program.parameters + program.state + list(program.post_inputs))
    names.update({ELAPSED: "_elapsed", DELIVER: "_deliver", ir.TIMESTEP.name: "_elapsed", EVENT_TIME: "_t"})
    source = "".join(_function_source(f"nestml_{part_name}", program, part, names, returns=part_name == "on_pre")
                     + "\n\n" for part_name, part in program.all_parts())
    namespace = {"np": np}
    exec(compile(source, f"<NESTML synapse {program.model.name}>", "exec"), namespace)  # generated from the IR
    return {name: namespace[f"nestml_{name}"] for name, _ in program.all_parts()}, source


class ModulatoryTrain:
    """The effective times (emission + delay, ms) of the spikes of the cells of one modulatory
    source within one engine group: a follower of the group's spike history
    (:class:`pyNN.hardware.engine.plasticity.SpikeHistory`), so it sees every spike once, in
    time order. `multiplicity` gives, per cell of the group, how often the source holds it."""

    def __init__(self, multiplicity, delay_ms):
        self.multiplicity = np.asarray(multiplicity, dtype=np.int64)
        self.delay = float(delay_ms)
        self.reset()

    def add(self, cells, t):
        k = int(self.multiplicity[cells].sum())
        if k:
            if self._n + k > self._times.size:
                grown = np.empty(max(2 * self._times.size, self._n + k, 16))
                grown[:self._n] = self._times[:self._n]
                self._times = grown
            self._times[self._n:self._n + k] = t + self.delay
            self._n += k

    def reset(self):
        self._times = np.empty(16)
        self._n = 0

    def between(self, t0, t1):
        """Effective times in (t0, t1] (with the engine's tolerance), sorted, one per spike."""
        times = self._times[:self._n]
        lo, hi = np.searchsorted(times, [t0 + _EPS, t1 + _EPS], side="left")
        return times[lo:hi]


class NESTMLSynapseState:
    """Per-connection state of a NESTML synapse in one engine block (CSR order); the interface
    of :class:`pyNN.hardware.engine.plasticity.STDPState`."""

    #: all of the delay dendritic, as in NEST: pre events are handled when they are sent, not
    #: when they arrive (see STDPState.at_arrival)
    at_arrival = False

    def __init__(self, synapse_type, params, n, trains=None, dt=None):
        self.functions = synapse_type.engine_functions
        self.program = synapse_type.synapse_program
        self.initial = synapse_type.engine_initial_state
        self.p = params
        #: modulatory port -> list of ModulatoryTrain (one per root population of its source)
        self.trains = trains or {}
        self.dt = dt
        self.reset(n)

    def _mod_events(self, t0, t1):
        """(times, port numbers) of the modulatory events in (t0, t1], sorted by time."""
        times, ports = [], []
        for k, port in enumerate(self.program.mod_ports):
            for train in self.trains.get(port, ()):
                t = train.between(t0, t1)
                times.append(t)
                ports.append(np.full(t.size, k))
        if not times:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        times, ports = np.concatenate(times), np.concatenate(ports)
        order = np.argsort(times, kind="stable")
        return times[order], ports[order]

    def _advance(self, s, p, elapsed):
        """The update block's statements over `elapsed` ms (one application if they compose,
        else once per time step), then the exact ODE step."""
        if self.program.has_update:
            if self.program.update_composes:
                self.functions["update"](s, p, elapsed)
            else:
                steps = np.rint(elapsed / self.dt).astype(np.int64)
                for j in range(int(steps.max(initial=0))):
                    rows = np.flatnonzero(steps > j)
                    sub = {k: v[rows] for k, v in s.items()}
                    self.functions["update"](sub, {k: v[rows] for k, v in p.items()}, np.full(rows.size, self.dt))
                    for k, v in sub.items():
                        s[k][rows] = v
        self.functions["advance"](s, p, elapsed)

    def _replay(self, pos, t_last, t_end, post_index, history, delay_ms, include_end_posts):
        """Replay, on the connections at `pos` (last events at `t_last`, updated in place), the
        post events before `t_end` (and at it if `include_end_posts`) and the modulatory events up
        to `t_end`, in time order (modulatory first at equal times); vectorised over connections,
        one pass per event. Returns (arrive, at_end, at_spike): the post spikes in synapse time,
        the mask of those at `t_end` not replayed, and the third factors at each post spike."""
        if self.program.post_port is None:  # (short-term plasticity) no post events to handle
            arrive = np.zeros((pos.size, 0))
        else:
            arrive = history.times[post_index[pos]] + delay_ms[:, None]  # post spikes in the synapse's time
        after_last = arrive > t_last[:, None] + _EPS
        at_end = after_last & (np.abs(arrive - t_end) <= _EPS)
        window = after_last & (arrive < t_end - _EPS)
        if include_end_posts:
            window |= at_end
        mod_t, mod_port = self._mod_events(float(t_last.min(initial=t_end)), t_end)
        if mod_t.size:
            times = np.concatenate([arrive, np.broadcast_to(mod_t, (pos.size, mod_t.size))], axis=1)
            window = np.concatenate([window, mod_t[None, :] > t_last[:, None] + _EPS], axis=1)
            # kind: modulatory port k -> k, post -> len(mod_ports) (after the modulatory ones)
            kinds = np.concatenate([np.full(arrive.shape[1], len(self.program.mod_ports)), mod_port])
        else:
            times, kinds = arrive, np.full(arrive.shape[1], len(self.program.mod_ports))
        order = np.lexsort((np.broadcast_to(kinds, times.shape), np.where(window, times, np.inf)), axis=1)
        rows = np.arange(pos.size)
        at_spike = {port: history.values[var][post_index[pos]] for port, var in self.program.post_inputs.items()}
        handlers = [self.functions[f"on_{port}"] for port in self.program.mod_ports] + [self.functions["on_post"]]
        post_kind = len(self.program.mod_ports)
        n_events = int(window.sum(axis=1).max()) if window.size else 0
        if not n_events:
            return arrive, at_end, at_spike
        # the connections' state taken once; an event every connection has (a modulatory spike,
        # usually) works on it in place, others on the rows that have it
        s_all, p_all = self._take(rows, pos)
        for j in range(n_events):
            col = order[:, j]
            active = np.flatnonzero(window[rows, col])
            whole = active.size == pos.size
            when = times[active, col[active]]
            s = s_all if whole else {name: v[active] for name, v in s_all.items()}
            p = p_all if whole else {name: v[active] for name, v in p_all.items()}
            self._advance(s, p, when - t_last[active])
            kind = kinds[col[active]]
            for k in ([int(kind[0])] if kind.min() == kind.max() else np.unique(kind).tolist()):
                one = kind.min() == kind.max()
                sub_rows = slice(None) if one else np.flatnonzero(kind == k)
                sub = s if one else {name: v[sub_rows] for name, v in s.items()}
                sub_p = dict(p) if one else {name: v[sub_rows] for name, v in p.items()}
                if k == post_kind and at_spike:  # a post event: its third factors
                    c = col[active][sub_rows]
                    sub_p.update({port: v[active[sub_rows], c] for port, v in at_spike.items()})
                handlers[k](sub, sub_p, when[sub_rows], when[sub_rows])
                if not one:
                    for name, v in sub.items():
                        s[name][sub_rows] = v
            if not whole:
                for name, v in s.items():
                    s_all[name][active] = v
            t_last[active] = when
        for name, v in s_all.items():
            self.state[name][pos] = v
        return arrive, at_end, at_spike

    def catch_up(self, t_now, delay_ms, weight, post_index, history):
        """Bring every connection to `t_now`: the post and modulatory events up to it, then the
        update block and ODEs to it (a synapse with an update block or modulatory ports; the
        state then is as of now, which is what NEST's volume transmitter gives at its last
        delivery)."""
        from pyNN.nestml.types import WEIGHT_SCALE
        if not (self.program.has_update or self.program.mod_ports) or not weight.size:
            return
        pos = np.arange(weight.size)
        w_name = self.program.state[0]
        self.state[w_name][:] = weight * WEIGHT_SCALE
        t_last = self.t_last.copy()
        self._replay(pos, t_last, t_now, post_index, history, delay_ms, include_end_posts=True)
        s, p = self._take(pos, pos)
        self._advance(s, p, t_now - t_last)
        self.state.update(s)
        self.t_last[:] = t_now
        weight[:] = self.state[w_name] / WEIGHT_SCALE

    def reset(self, n):
        self.state = {name: np.full(n, float(self.initial.get(name, 0.0))) for name in self.program.state}
        self.t_last = np.zeros(n)  # as NEST: the connection's last event at t = 0

    def _take(self, rows, pos):
        return ({k: v[pos[rows]] for k, v in self.state.items()}, {k: v[pos[rows]] for k, v in self.p.items()})

    def update(self, pos, t_pre, delay_ms, weight, post_index, history):
        """Handle a presynaptic spike at `t_pre` on the connections at `pos`; returns the weights
        they transmit (library units)."""
        from pyNN.nestml.types import WEIGHT_SCALE
        w_name = self.program.state[0]
        self.state[w_name][pos] = weight[pos] * WEIGHT_SCALE  # the weight as the user may have set it
        t_last = self.t_last[pos].copy()
        # the post (and modulatory) events before the pre spike; a post spike at the pre spike's
        # own time is handled after them, but the pre handler reads the post variables without it
        # (see pyNN.nestml.synapse_program)
        _, at_pre, at_spike = self._replay(pos, t_last, t_pre, post_index, history, delay_ms,
                                           include_end_posts=False)
        same = np.flatnonzero(at_pre.any(axis=1))
        rows = np.arange(pos.size)
        s, p = self._take(rows, pos)
        elapsed = t_pre - t_last
        self._advance(s, p, elapsed)
        post_variables = self.program.post_variables
        if same.size:
            before = {k: s[k][same].copy() for k in post_variables}
            sub = {k: v[same] for k, v in s.items()}
            col = np.argmax(at_pre[same], axis=1)
            sub_p = {k: v[same] for k, v in p.items()} | {port: v[same, col] for port, v in at_spike.items()}
            self.functions["on_post"](sub, sub_p, elapsed[same], np.full(same.size, t_pre))
            for k, v in sub.items():
                s[k][same] = v
            after = {k: s[k][same].copy() for k in post_variables}
            for k in post_variables:
                s[k][same] = before[k]
        transmitted = self.functions["on_pre"](s, p, elapsed, np.full(pos.size, t_pre))
        if same.size:
            for k in post_variables:
                s[k][same] = after[k]
        for k, v in s.items():
            self.state[k][pos] = v
        self.t_last[pos] = t_pre
        weight[pos] = self.state[w_name][pos] / WEIGHT_SCALE
        return transmitted / WEIGHT_SCALE


def synapse_parameters(projection, values):
    """Per-connection parameters of a NESTML synapse in the model's units, from the projection's
    values in the library's (dict name -> array)."""
    model = projection.synapse_type.nestml_model
    n = max((np.asarray(v).size for v in values.values()), default=0)
    return {name: np.broadcast_to(np.asarray(values[name], float) / var.to_pynn, (n,)).copy()
            for name, var in model.parameters.items() if name in values}


def check_post_inputs(projection, post_group, population=None):
    """NoModelAvailableError unless the target cells (`post_group`, the engine group of
    `population`) keep the state variables the synapse's continuous ports read (a NESTML
    neuron with them)."""
    population = population if population is not None else projection.post
    from pyNN.hardware.nestml import NESTMLGroup
    program = projection.synapse_type.synapse_program
    nestml = isinstance(post_group, NESTMLGroup)  # (its state is in the NESTML model's units)
    missing = [v for v in program.post_inputs.values() if not nestml or v not in post_group.state]
    if missing:
        raise errors.NoModelAvailableError(
            f"Projection '{projection.label}': the NESTML synapse '{program.model.name}' reads the postsynaptic "
            f"variable(s) {missing} (postsynaptic_variables), which the target population "
            f"'{population.label}' ({type(population.celltype).__name__}) does not have on the hardware "
            f"backend; connect it to the synapse type's postsynaptic_cell_type")


def refuse_profile(synapse_type, profile):
    """NoModelAvailableError for a NESTML synapse on a profile other than ``ideal``."""
    raise errors.NoModelAvailableError(
        f"NESTML synapse '{synapse_type.nestml_model.name}' is not available on hardware profile "
        f"'{profile.name}': the profile emulates only the plasticity circuits of its hardware (its standard "
        f"STDP rules); run NESTML synapse models with profile 'ideal'")
