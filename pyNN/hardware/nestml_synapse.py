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
"""

import numpy as np

from pyNN import errors

#: spike times closer than this (ms) are simultaneous
_EPS = 1e-9


def _function_source(name, program, part, names, returns=None):
    from pyNN.nestml import printers
    from pyNN.nestml.synapse_program import DELIVER
    lines = [f"def {name}(_s, _p, _elapsed):"]
    lines += [f"    {names[n]} = _p[{n!r}]" for n in program.parameters]
    if name.endswith("on_post"):  # the third factors, at the post spike (in _p too)
        lines += [f"    {names[n]} = _p[{n!r}]" for n in program.post_inputs]
    lines += [f"    {names[n]} = _s[{n!r}]" for n in program.state]
    if returns:
        lines.append(f"    {names[DELIVER]} = np.zeros_like(_elapsed)")
    body = printers.numpy_code(part, names)
    lines += ["    " + line for line in body.split("\n") if line]
    lines += [f"    _s[{n!r}] = {names[n]} + 0.0*_elapsed" for n in program.state]
    if returns:
        lines.append(f"    return {names[DELIVER]}")
    return "\n".join(lines) + "\n"


def compile_program(program):
    """(functions, source): ``advance``, ``on_pre`` (returns the transmitted NESTML weights)
    and ``on_post`` as numpy functions ``f(state, parameters, elapsed)`` of dicts of
    per-connection arrays."""
    from pyNN.hardware.nestml import _python_names
    from pyNN.nestml.synapse_program import DELIVER, ELAPSED
    names = _python_names(program.parameters + program.state + list(program.post_inputs))
    names.update({ELAPSED: "_elapsed", DELIVER: "_deliver"})
    source = "".join(_function_source(f"nestml_{part_name}", program, part, names, returns=part_name == "on_pre")
                     + "\n\n" for part_name, part in program.parts())
    namespace = {"np": np}
    exec(compile(source, f"<NESTML synapse {program.model.name}>", "exec"), namespace)  # generated from the IR
    return {name: namespace[f"nestml_{name}"] for name, _ in program.parts()}, source


class NESTMLSynapseState:
    """Per-connection state of a NESTML synapse in one engine block (CSR order); the interface
    of :class:`pyNN.hardware.engine.plasticity.STDPState`."""

    #: all of the delay dendritic, as in NEST: pre events are handled when they are sent, not
    #: when they arrive (see STDPState.at_arrival)
    at_arrival = False

    def __init__(self, synapse_type, params, n):
        self.functions = synapse_type.engine_functions
        self.program = synapse_type.synapse_program
        self.initial = synapse_type.engine_initial_state
        self.p = params
        self.reset(n)

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
        arrive = history.times[post_index[pos]] + delay_ms[:, None]  # post spikes in the synapse's time
        window = (arrive > t_last[:, None] + _EPS) & (arrive < t_pre - _EPS)
        # a post spike at the pre spike's own time: handled first, but the pre handler reads the
        # post variables without it (see pyNN.nestml.synapse_program)
        at_pre = (arrive > t_last[:, None] + _EPS) & (np.abs(arrive - t_pre) <= _EPS)
        same = np.flatnonzero(at_pre.any(axis=1))
        order = np.argsort(np.where(window, arrive, np.inf), axis=1)
        rows = np.arange(pos.size)
        inputs = self.program.post_inputs
        # the third factors at each post spike (pyNN.nestml.synapse_program: post_inputs)
        at_spike = {port: history.values[var][post_index[pos]] for port, var in inputs.items()}
        for j in range(int(window.sum(axis=1).max()) if window.size else 0):
            col = order[:, j]
            active = np.flatnonzero(window[rows, col])
            when = arrive[active, col[active]]
            s, p = self._take(active, pos)
            p.update({port: v[active, col[active]] for port, v in at_spike.items()})
            self.functions["advance"](s, p, when - t_last[active])
            self.functions["on_post"](s, p, when)
            for k, v in s.items():
                self.state[k][pos[active]] = v
            t_last[active] = when
        s, p = self._take(rows, pos)
        elapsed = t_pre - t_last
        self.functions["advance"](s, p, elapsed)
        post_variables = self.program.post_variables
        if same.size:
            before = {k: s[k][same].copy() for k in post_variables}
            sub = {k: v[same] for k, v in s.items()}
            col = np.argmax(at_pre[same], axis=1)
            sub_p = {k: v[same] for k, v in p.items()} | {port: v[same, col] for port, v in at_spike.items()}
            self.functions["on_post"](sub, sub_p, elapsed[same])
            for k, v in sub.items():
                s[k][same] = v
            after = {k: s[k][same].copy() for k in post_variables}
            for k in post_variables:
                s[k][same] = before[k]
        transmitted = self.functions["on_pre"](s, p, elapsed)
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
