"""NESTML neurons on Brian2: ``sim.nestml.nestml_cell_type`` (synapses: :mod:`pyNN.brian2.nestml_synapse`).

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

BACKEND = "Brian2"

#: the support matrix's entries (tools/support_matrix.py)
SUPPORT = {
    "neuron models": (True, "generated Brian2 step code (exact propagators, RK4 for numeric ODEs; no loops, "
                            "vectors, user functions or random numbers)"),
    "synapse models": (True, "generated event-driven Synapses code (per-connection state, exactly decaying ODEs, "
                             "pre/post onReceive handlers, modulatory spike ports and update blocks that are exact "
                             "over any interval)"),
    "synapse third factor (continuous port)": (
        True, "the target group keeps the postsynaptic variable's value at each spike, by time step, for two "
              "delays (the post pathway runs then); read by the post handler (targets must be NESTML cells with "
              "it)"),
    "synapse extra spike ports (mod_spikes)": (
        True, "a Synapses object from each modulatory population onto the plastic Synapses (every cell onto every "
              "connection) runs the handler at emission + modulatory delay; the update block is applied at each "
              "event over the time since the last one (refused unless it composes); such synapses run on time, the "
              "pre handler keeping the weights in flight in a per-connection ring"),
    "synapse state (Projection.get/record of traces)": (
        True, "every state variable, as of the connection's last pre spike (copied by the pre handler; post "
              "events are handled eagerly); with an update block or modulatory ports as of now"),
    "synapse without a post port (tsodyks_synapse)": (
        True, "no post pathway; t in a handler is the event's time; onto any cell type; Projection.initialize of "
              "its state: NotSupportedError (the connections start from the model's initial values)"),
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


from pyNN.brian2.nestml_synapse import nestml_synapse_type  # noqa: E402 - uses this module

__all__ = ["nestml_cell_type", "nestml_synapse_type"]
