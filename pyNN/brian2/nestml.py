"""NESTML neurons on Brian2: ``sim.nestml.nestml_cell_type`` (synapse models are not generated yet).

The front end (:mod:`pyNN.nestml`) reads the model into the intermediate form and gives the
cell type its parameters, units, recordables and receptor types; this module turns the
model's time step (:mod:`pyNN.nestml.program`: propagators where odetoolbox found them,
classical RK4 otherwise, the ``update``, ``onReceive`` and ``onCondition`` blocks as guarded
assignments) into one block of Brian2 abstract code, run once per step on the group:

- every variable is dimensionless and holds its value in the model's units (mV, ms, pA, nS);
  the translation table converts parameters, the recorder state variables;
- a step of a standard neuron's shape (:func:`pyNN.nestml.program.direct_input_parts`: handlers
  and kernel jumps that only add a number times the port's weight to the state, one spiking
  ``onCondition`` block) runs as a standard neuron: the update block in the ``groups`` slot,
  each projection's ``on_pre`` adding the spike's share to the state variable, the block's
  condition as the threshold (tested after the synapses) and its statements as the reset;
- any other step runs whole in the ``after_synapses`` slot: a spike port is a per-cell variable
  that the projections' ``on_pre`` add their weights to (NESTML weight = library weight x 1000),
  read and cleared by the step code, and the threshold is ``emit_spike()``'s flag;
- on the Cython target guarded assignments are branches (``pyNN.nestml.printers.brian2_code``
  with ``branches``), on numpy ``nestml_where``;
- a continuous current port (``I_stim``) reads the current sources (``I_inj``), which act from
  the next step on, as on NEST.

Brian2 compiles the code itself (Cython target) into its own cache.
"""

from pyNN import errors

BACKEND = "Brian2"

#: the support matrix's entries (tools/support_matrix.py)
SUPPORT = {
    "neuron models": (True, "generated Brian2 step code (exact propagators, RK4 for numeric ODEs; no loops, "
                            "vectors, user functions or random numbers)"),
    "synapse models": (True, "generated event-driven Synapses code (per-connection state, exactly decaying ODEs, "
                             "pre/post onReceive handlers; no continuous or extra spike ports: "
                             "NoModelAvailableError)"),
    "synapse third factor (continuous port)": (
        False, "NoModelAvailableError: the post pathway runs one delay after the spike and keeps no per-spike value "
               "of the postsynaptic variable"),
    "synapse extra spike ports (mod_spikes)": (False, "NoModelAvailableError"),
    "synapse state (Projection.get/record of traces)": (
        False, "NoModelAvailableError (post events are handled eagerly; only the weight is kept as of the last "
               "pre spike)"),
}


def _legal_names(names):
    """NESTML name -> Brian2 name: names Brian2 reserves (units, ``t``, ``i``, ``N``...) get a suffix."""
    from brian2 import Equations

    from pyNN.nestml.printers import identifier
    out = {}
    for name in names:
        legal = identifier(name)
        try:
            Equations(f"{legal} : 1")
            out[name] = legal
        except Exception:  # Brian2 raises SyntaxError or ValueError naming the reason
            out[name] = f"{legal}_nestml"
    return out


#: the name of :func:`where_function` in the generated step code
WHERE = "nestml_where"


def where_function():
    """A Brian2 function ``nestml_where(g, a, b)``: `a` where g > 0.5, else `b` (numpy and
    Cython), for the guarded assignments of the step code."""
    import numpy as np
    from brian2 import Function
    from brian2.codegen.generators import CythonCodeGenerator, NumpyCodeGenerator

    function = Function(lambda g, a, b: np.where(g > 0.5, a, b), arg_units=[1, 1, 1], return_unit=1,
                        stateless=True)
    function.implementations.add_implementation(NumpyCodeGenerator, lambda g, a, b: np.where(g > 0.5, a, b),
                                                name=WHERE)
    function.implementations.add_implementation(
        CythonCodeGenerator, f"cdef double {WHERE}(double g, double a, double b):\n"
                             f"    return a if g > 0.5 else b\n", name=WHERE)
    return function


def brian2_model_of(model, program):
    """The :class:`~pyNN.brian2.standardmodels.cells.Brian2Model` of a NESTML neuron."""
    from pyNN.brian2 import simulator
    from pyNN.brian2.standardmodels.cells import _INJECTION, Brian2Model
    from pyNN.nestml import printers, types
    from pyNN.nestml.program import SPIKE_FLAG, current_ports, direct_input_parts, inline_temporaries

    variables = list(model.parameters) + program.state + program.spike_ports
    names = _legal_names(variables)
    names["__h"] = "(dt/ms)"
    names.update(current_ports(model, program, BACKEND, "(I_inj/pA)"))
    # Cython: each guarded assignment a branch, the values of a branch computed only where it is
    # taken; numpy computes every value in every cell, and nestml_where keeps the ones not taken
    cython = (simulator.state.codegen_target or simulator.default_target()) == "cython"

    def code_of(part):
        lean = inline_temporaries(part)
        return printers.brian2_code(lean, names, branches=True) if cython else printers.brian2_code(lean, names,
                                                                                                   where=WHERE)
    state = {v: (names[v], 1.0 / model.state[v].to_pynn) for v in model.state}
    functions = {} if cython else {WHERE: where_function()}
    ports = types.receptor_ports(model)
    direct = direct_input_parts(program)
    if direct is not None and not any("weight" in names[v] for v in program.state):
        # as a standard neuron: the update before the synapses, which add each spike to the
        # state, then the onCondition block as threshold and reset (no per-step port variables
        # or spike flag to read and write)
        update, increments, condition, reset = direct
        declared = [names[v] for v in list(model.parameters) + program.state]
        equations = "\n".join(f"{v} : 1" for v in declared) + "\n" + _INJECTION
        receptors = {receptor: "\n".join(f"{names[var]}_post += {c * types.WEIGHT_SCALE!r}*weight"
                                         for var, c in increments[port]) for receptor, port in ports.items()}
        return Brian2Model(model.name, equations, threshold=printers.Brian2Printer(names).doprint(condition),
                           reset=code_of(reset), refractory=False, method="euler", receptors=receptors,
                           weight_unit="1", state=state, spikes_after_update=True, regular_code=code_of(update),
                           regular_when="groups", injectable=bool(program.continuous_ports), functions=functions)
    code = code_of(program)
    code += "".join(f"\n{names[p]} = 0" for p in program.spike_ports)  # this step's weights are used
    declared = [names[v] for v in variables] + [SPIKE_FLAG]
    equations = "\n".join(f"{v} : 1" for v in declared) + "\n" + _INJECTION
    receptors = {receptor: f"{names[port]}_post += {types.WEIGHT_SCALE!r}*weight" for receptor, port in ports.items()}
    return Brian2Model(model.name, equations, threshold=f"{SPIKE_FLAG} > 0.5", reset="", refractory=False,
                       method="euler", receptors=receptors, weight_unit="1", state=state,
                       spikes_after_update=True, regular_code=code, regular_when="after_synapses",
                       injectable=bool(program.continuous_ports), functions=functions)


def nestml_cell_type(name, nestml_description, substeps=1):
    """A cell type from a NESTML neuron model, generated for Brian2.

    Parameters
    ----------
    name : the NESTML model name (``model <name>:`` in the description)
    nestml_description : a ``.nestml`` file path or the model text
    substeps : RK4 sub-steps per time step for the variables of a numeric solver (a library
        extension, default 1; stiff models such as Hodgkin-Huxley need about 10 at dt = 0.1 ms)

    Returns
    -------
    A cell-type class used like a standard one: ``sim.Population(10, celltype(V_th=-50.0))``.
    Its ``brian2_code`` attribute holds the generated step code.

    Raises
    ------
    NotSupportedError for what the Brian2 generator cannot express (loops, vector variables,
    user functions, random numbers), ModelDescriptionError for a model that does not check.
    """
    from pyNN.nestml import frontend, program, types
    model = frontend.load_neuron(name, nestml_description)
    step = program.step_program(model, BACKEND, substeps)
    b2model = brian2_model_of(model, step)
    names = _legal_names(model.parameters)
    extra = {
        "native_name": "NeuronGroup",
        "native_description": f"NESTML '{model.name}' (generated step code: "
                              + ", ".join(f"{s.kind}" for s in model.solvers) + ")",
        "translations": types.model_unit_translations(model, native_names=names),
        "brian2_code": b2model.regular_code,
        "brian2_model": lambda self: brian2_model_of(model, step),
    }
    return types.cell_type_class(model, name, extra=extra)


#: names the synapse code of pyNN.brian2.projections uses itself
_SYNAPSE_RESERVED = {"weight", "delay", "d_syn", "s_ev", "tlast_nml", "lastupdate"}


def _synapse_names(names):
    """NESTML name -> Brian2 name in a ``Synapses``: also the names the library's synapse code uses
    and those ending in ``_pre``/``_post`` (Brian2's suffixes of pre/post variables) get a suffix."""
    out = _legal_names(names)
    for name, legal in out.items():
        if legal in _SYNAPSE_RESERVED or legal.endswith(("_pre", "_post")):
            out[name] = f"{legal}_nestml"
    return out


def brian2_synapse_code(model, program):
    """(equations, on_pre, on_post, names) of a NESTML synapse for a Brian2 ``Synapses``.

    Every NESTML parameter and state variable is a dimensionless per-connection variable in
    the model's units; ``tlast_nml`` is the synapse time of the connection's last event. The
    event code is that of the library's STDP (pyNN.brian2.standardmodels.synapses): an event's
    synapse time is ``s_ev`` (pre: emission; post: emission + delay), post events run before
    pre events of the same time (whose handler reads the post variables as they were before a
    post event at its own time, as on NEST); each event first advances the ODE state exactly
    over ``s_ev - tlast_nml``. The transmitted weight is the NESTML weight of ``emit_spike``
    (``{weight_si}`` converts it to the target's weight unit); ``weight`` keeps it, so that
    ``Projection.get('weight')`` gives the weight at the last presynaptic spike, as on NEST.
    """
    from pyNN.nestml import printers
    from pyNN.nestml.synapse_program import DELIVER, ELAPSED
    names = _synapse_names(program.parameters + program.state)
    names[ELAPSED] = "elapsed_nml"
    names[DELIVER] = "deliver_nml"
    equations = "".join(f"{names[n]} : 1\n" for n in program.parameters + program.state)
    post_variables = [names[v] for v in program.post_variables]
    equations += "d_syn : second\ntlast_nml : second\ntpost_nml : second\n"
    equations += "".join(f"{v}_before_nml : 1\n" for v in post_variables)
    head = "s_ev = t - d_syn + {shift}\nelapsed_nml = (s_ev - tlast_nml)/ms\n"
    head += printers.brian2_code(program.advance, names) + "\n"
    # (copies made by clip(): Brian2's numpy target turns `x = x + 1` into an in-place `x += 1`,
    # which would change a plain copy too)
    on_post = (head + "".join(f"{v}_before_nml = clip({v}, -inf, inf)\n" for v in post_variables)
               + printers.brian2_code(program.on_post, names) + "\ntlast_nml = s_ev\ntpost_nml = s_ev\n")
    # a post event at this pre event's time ran just before it: the pre handler reads the post
    # variables as they were before it (as NESTML's NEST code does), then they take it again
    same = "same_nml = int(abs(s_ev - tpost_nml) < {half_dt})\n" if post_variables else ""
    same += "".join(f"{v}_full_nml = clip({v}, -inf, inf)\n{v} = same_nml*{v}_before_nml + (1 - same_nml)*{v}\n"
                    for v in post_variables)
    on_pre = (head + same + f"deliver_nml = {names[program.state[0]]}\n"
              + printers.brian2_code(program.on_pre, names) + "\n"
              + "".join(f"{v} = {v}_full_nml\n" for v in post_variables)
              + "tlast_nml = s_ev\nweight = deliver_nml*{weight_si}\n{deliver}")
    return equations, on_pre, on_post, names


def refuse_post_inputs(program):
    """NoModelAvailableError: the Brian2 generator cannot read a postsynaptic variable into a
    synapse's continuous input port."""
    from pyNN.nestml.synapse_program import refuse
    refuse(program.model, f"the continuous input port(s) {sorted(program.post_inputs)} (a third factor read from "
                          f"the postsynaptic neuron at its spikes: Brian2's post pathway runs one delay later and "
                          f"keeps no per-spike values)", BACKEND)


def refuse_state_reading(projection, name):
    """NoModelAvailableError: Brian2 cannot give a NESTML synapse's state as NEST keeps it."""
    raise errors.NoModelAvailableError(
        f"Projection '{projection.label}': reading the NESTML synapse state variable {name!r} is not available on "
        f"the Brian2 backend (its Synapses handle post events when they happen, so the state is not the one of "
        f"the last presynaptic spike that NEST, NEURON and the emulator give); the weight is")


def nestml_synapse_type(synapse_name, nestml_description, postsynaptic_neuron_nestml_description=None,
                        weight_variable="w", delay_variable=None, postsynaptic_variables=None):
    """A synapse type from a plastic NESTML synapse model, generated as Brian2 ``Synapses`` code.

    Parameters are those of ``sim.nestml.nestml_synapse_type`` on NEST. The synapse runs onto
    any cell type; the neuron of `postsynaptic_neuron_nestml_description`, if given, is made a
    cell type as by :func:`nestml_cell_type` and is the returned class's
    ``postsynaptic_cell_type``. The generated code is in the class's ``brian2_on_pre`` and
    ``brian2_on_post``.

    Raises
    ------
    NoModelAvailableError for a synapse the generator cannot translate (see
    :mod:`pyNN.nestml.synapse_program`), naming the construct.
    """
    from pyNN.nestml import types
    from pyNN.standardmodels import build_translations

    def extra(model, program):
        if program.post_inputs:
            # the post pathway runs 2d - dt after the spike, when the postsynaptic variable has moved on
            refuse_post_inputs(program)
        equations, on_pre, on_post, names = brian2_synapse_code(model, program)
        initial = types.evaluate_defaults(model, model.state)  # in the model's units
        return {"native_name": "Synapses", "native_description": "generated event-driven Synapses code",
                "brian2_equations": equations, "brian2_on_pre": on_pre, "brian2_on_post": on_post,
                "release": "1", "brian2_initial": {names[n]: v for n, v in initial.items()} | {"tlast_nml": 0.0,
                                                                                "tpost_nml": -1e9},
                "brian2_weight_state": (names[program.state[0]], types.WEIGHT_SCALE)}

    cls = types.generated_synapse_type(BACKEND, synapse_name, nestml_description,
                                       postsynaptic_neuron_nestml_description, weight_variable, delay_variable,
                                       nestml_cell_type, extra, postsynaptic_variables)
    native = _synapse_names(cls.nestml_model.parameters)
    params = [n for n in cls.default_parameters if n in cls.nestml_model.parameters]
    cls.translations = {**build_translations(("weight", "weight"), ("delay", "delay")),
                         **types.model_unit_translations(cls.nestml_model, params, native)}
    return cls


__all__ = ["nestml_cell_type", "nestml_synapse_type"]
