"""NESTML neurons on the hardware emulator: ``sim.nestml.nestml_cell_type`` (profile ``ideal`` only).

The model's time step (:mod:`pyNN.nestml.program`: odetoolbox's propagators where it found
them, classical RK4 over one step otherwise, the ``update``, ``onReceive`` and ``onCondition``
blocks as guarded assignments) is printed as one numpy function, vectorised over the cells of
a group, and run by :class:`NESTMLGroup`, an engine neuron group:

- state and parameters are held in the model's units (mV, ms, pA, nS); ``get``/``set_state``
  and the parameters convert from and to the library's;
- the engine's step cycle (integrate, arrive, fire) maps onto NESTML's order: ``integrate``
  keeps the step's external current (nA -> pA), ``arrive`` the summed weights per receptor
  (NESTML weight = library weight x 1000), and ``fire`` runs the whole step and returns the
  cells whose ``emit_spike()`` ran;
- a continuous current port receives the current sources exactly as the standard types'
  ``i_ext`` does.

Profiles other than ``ideal`` (fixed-point SpiNNaker, analog BrainScaleS/Spikey) implement
only their own neuron circuits: a NESTML cell type there raises NoModelAvailableError.
"""

import keyword
import os
import sys

import numpy as np

from pyNN import errors
from pyNN.hardware.engine.neurons import NeuronGroup
from pyNN.hardware.engine.receptors import ReceptorSpec

BACKEND = "hardware emulator"
#: bump when the generated kernels change shape, so that old cached kernels are not reused
GENERATOR_VERSION = 3
#: the support matrix's entries (tools/support_matrix.py)
SUPPORT = {
    "neuron models": (True, "profile ideal: generated numba (or numpy) step (exact propagators, RK4 for numeric "
                            "ODEs; no loops, vectors, user functions or random numbers); other profiles: "
                            "NoModelAvailableError"),
    "synapse models": (True, "profile ideal: generated numpy event code run lazily at each pre spike, as NEST "
                             "(per-connection state, exactly decaying ODEs, pre/post onReceive handlers; no "
                             "extra spike ports: NoModelAvailableError); other profiles: "
                             "NoModelAvailableError"),
    "synapse third factor (continuous port)": (
        True, "profile ideal: the post cells' spike history keeps the postsynaptic variable's value at each spike "
              "(targets must be NESTML cells with it)"),
    "synapse extra spike ports (mod_spikes)": (False, "NoModelAvailableError"),
    "synapse state (Projection.get/record of traces)": (
        True, "every state variable, as of the connection's last pre spike"),
}
_FRAME = ("_s", "_p", "_h", "_ports", "_i_stim", "_i_stim_all", "_i", "np", "math")


def _python_names(names):
    """NESTML name -> Python local name (keywords and the function's own names get a suffix)."""
    from pyNN.nestml.printers import identifier
    out = {}
    for n in names:
        name = identifier(n)
        out[n] = f"{name}_nestml" if keyword.iskeyword(name) or name in _FRAME else name
    return out


def _frame(model, program):
    """(names, parameters, state) of the generated function: IR name -> local name."""
    from pyNN.nestml.program import SPIKE_FLAG, current_ports
    state = program.state + [SPIKE_FLAG]
    names = _python_names(list(model.parameters) + state + program.spike_ports)
    names["__h"] = "_h"
    names.update(current_ports(model, program, BACKEND, "_i_stim"))
    return names, list(model.parameters), state


def step_source(model, program):
    """Python source of ``nestml_step(_s, _p, _h, _ports, _i_stim)``: one step of every cell,
    vectorised with numpy. `_s` and `_p` are dicts of per-cell arrays (state, parameters, in
    model units), `_ports` the summed weights per spike port, `_i_stim` the external current (pA)."""
    from pyNN.nestml import printers
    names, params, state = _frame(model, program)
    lines = ["def nestml_step(_s, _p, _h, _ports, _i_stim):"]
    lines += [f"    {names[n]} = _p[{n!r}]" for n in params]
    lines += [f"    {names[n]} = _s[{n!r}]" for n in state]
    lines += [f"    {names[n]} = _ports[{k}]" for k, n in enumerate(program.spike_ports)]
    lines += ["    " + line for line in printers.numpy_code(program, names).split("\n")]
    lines += [f"    _s[{n!r}] = {names[n]}" for n in state]
    return "\n".join(lines) + "\n"


def _constants(program):
    from pyNN.nestml.printers import identifier
    return [(identifier(t.name), t) for t in program.statements if getattr(t, "constant", False)]


def kernel_source(model, program):
    """Python source of two loops over the cells for numba:
    ``nestml_prepare(_h, *parameters, *constants)`` computes the propagators (once per parameter
    change) and ``nestml_kernel(_h, _ports, _i_stim, *parameters, *constants, *state)`` advances
    every cell by one step with scalar code; the arrays are updated in place."""
    from dataclasses import replace

    from pyNN.nestml import printers
    names, params, state = _frame(model, program)
    constants = _constants(program)
    rest = replace(program, statements=[s for s in program.statements if not getattr(s, "constant", False)])
    printer = printers.ScalarPrinter(names)
    p_arrays = [f"_a_{names[n]}" for n in params]
    c_arrays = [f"_a_{c}" for c, _ in constants]
    s_arrays = [f"_a_{names[n]}" for n in state]
    lines = [f"def nestml_prepare(_h, {', '.join(p_arrays + c_arrays)}):",
             f"    for _i in range({p_arrays[0] if p_arrays else c_arrays[0]}.shape[0]):"]
    lines += [f"        {names[n]} = _a_{names[n]}[_i]" for n in params]
    lines += [f"        _a_{c}[_i] = {printer.doprint(t.value)}" for c, t in constants]
    lines += ["", "", "@numba.njit(cache=True, nogil=True)",
              f"def nestml_kernel(_h, _ports, _i_stim_all, {', '.join(p_arrays + c_arrays + s_arrays)}):",
              "    for _i in range(_i_stim_all.shape[0]):", "        _i_stim = _i_stim_all[_i]"]
    lines += [f"        {names[n]} = _a_{names[n]}[_i]" for n in params]
    lines += [f"        {c} = _a_{c}[_i]" for c, _ in constants]
    lines += [f"        {names[n]} = _a_{names[n]}[_i]" for n in state]
    lines += [f"        {names[n]} = _ports[{k}, _i]" for k, n in enumerate(program.spike_ports)]
    lines += ["        " + line for line in printers.scalar_code(rest, names).split("\n")]
    lines += [f"        _a_{names[n]}[_i] = {names[n]}" for n in state]
    return "\n".join(lines) + "\n"


def _load_kernel(source):
    """The numba kernels (prepare, step) of `source`, written once into the NESTML cache as a module
    (``<cache>/hardware/<key>/kernel.py``) so that numba caches its compiled code next to it."""
    import importlib.util

    from pyNN.nestml import cache
    text = "import math\n\nimport numba\nimport numpy as np\n\n\n@numba.njit(cache=True, nogil=True)\n" + source
    key = cache.make_key("hardware", GENERATOR_VERSION, text)

    def build(work):
        with open(os.path.join(work, "kernel.py"), "w", encoding="utf-8") as f:
            f.write(text)

    directory, _ = cache.build_once("hardware", key, build,
                                    lambda d: os.path.isfile(os.path.join(d, "kernel.py")))
    spec = importlib.util.spec_from_file_location(f"pynn_nestml_kernel_{key}", os.path.join(directory, "kernel.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # numba's cache finds the kernel's globals through it
    spec.loader.exec_module(module)
    return module.nestml_prepare, module.nestml_kernel


def compile_step(model, program):
    """(function, source): the step of `program` as ``step(state, params, h, ports, i_stim)``,
    a numba kernel when the engine uses numba, else the numpy function of :func:`step_source`."""
    from pyNN.hardware.engine import kernels
    if kernels.use_numba():
        source = kernel_source(model, program)
        prepare, kernel = _load_kernel(source)
        _, params, state = _frame(model, program)
        constants = [c for c, _ in _constants(program)]

        def step(s, p, h, ports, i_stim):
            if p.get("_prepared_for") != h:  # the propagators, once per parameter change
                p["_constants"] = [np.empty(len(i_stim)) for _ in constants]
                if constants:
                    prepare(h, *[p[n] for n in params], *p["_constants"])
                p["_prepared_for"] = h
            kernel(h, ports, i_stim, *[p[n] for n in params], *p["_constants"], *[s[n] for n in state])
        return step, source
    source = step_source(model, program)
    namespace = {"np": np}
    exec(compile(source, f"<NESTML {model.name} step>", "exec"), namespace)  # generated from the IR
    return namespace["nestml_step"], source


class NESTMLGroup(NeuronGroup):
    """Engine group of a NESTML neuron (subclassed per model by :func:`nestml_cell_type`)."""

    #: set per model: the ir.Model, the StepProgram, the compiled step function
    model = program = step = None
    #: receptor type -> spike port
    receptor_ports = {}

    def __init__(self, n, params, h, rng=None):
        specs = [ReceptorSpec(name, "delta") for name in self.receptor_ports]
        self.port_index = [self.program.spike_ports.index(port) for port in self.receptor_ports.values()]
        from pyNN.nestml.program import SPIKE_FLAG
        self.state = {name: np.zeros(n) for name in self.program.state + [SPIKE_FLAG]}
        self.pending = np.zeros((len(self.program.spike_ports), n))
        self.i_ext = np.zeros(n)
        super().__init__(n, params, specs, h, rng)
        self.state_names = tuple(self.model.state)

    def set_parameters(self, params):
        super().set_parameters(params)
        self.model_params = {name: np.broadcast_to(np.asarray(params[name], dtype=float) / var.to_pynn,
                                                   (self.n,)).copy()
                             for name, var in self.model.parameters.items()}

    # --- state --------------------------------------------------------------------------------
    def receptor_of_variable(self, name):
        return None

    def _set_own_state(self, name, values, indices):
        self.state[name][indices] = np.asarray(values, dtype=float) / self.model.state[name].to_pynn

    def get(self, name):
        return self.state[name] * self.model.state[name].to_pynn

    def reset_dynamic_state(self):
        super().reset_dynamic_state()
        for name in self.program.kernel_state:
            self.state[name][:] = 0.0
        self.pending[:] = 0.0

    # --- one step -----------------------------------------------------------------------------
    def integrate(self, i_ext):
        self.i_ext = np.asarray(i_ext, dtype=float) * 1000.0  # nA -> pA

    def arrive(self, amounts):
        from pyNN.nestml.types import WEIGHT_SCALE
        self.pending[:] = 0.0
        for k, port in enumerate(self.port_index):
            self.pending[port] += amounts[k] * WEIGHT_SCALE

    def fire(self):
        from pyNN.nestml.program import SPIKE_FLAG
        self.step(self.state, self.model_params, self.h, self.pending, self.i_ext)
        self.pending[:] = 0.0
        return np.flatnonzero(self.state[SPIKE_FLAG] > 0.5)


def refuse_profile(celltype, profile):
    """NoModelAvailableError for a NESTML cell type on a profile other than ``ideal``."""
    raise errors.NoModelAvailableError(
        f"NESTML neuron '{celltype.nestml_model.name}' is not available on hardware profile '{profile.name}': the "
        f"profile emulates only the neuron circuits of its hardware (its standard cell types), which cannot "
        f"represent a model written in NESTML; run NESTML models with profile 'ideal'")


def nestml_cell_type(name, nestml_description, substeps=1):
    """A cell type from a NESTML neuron model, generated for the emulator's engine (profile ``ideal``).

    Parameters
    ----------
    name : the NESTML model name (``model <name>:`` in the description)
    nestml_description : a ``.nestml`` file path or the model text
    substeps : RK4 sub-steps per time step for the variables of a numeric solver (a library
        extension, default 1; stiff models such as Hodgkin-Huxley need about 10 at dt = 0.1 ms)

    Returns
    -------
    A cell-type class used like a standard one. Its ``engine_source`` attribute holds the
    generated numpy step function.
    """
    from pyNN.nestml import frontend, program, types
    model = frontend.load_neuron(name, nestml_description)
    step = program.step_program(model, BACKEND, substeps)
    function, source = compile_step(model, step)
    group = type(f"NESTMLGroup_{model.name}", (NESTMLGroup,), {
        "model": model, "program": step, "step": staticmethod(function),
        "receptor_ports": types.receptor_ports(model)})
    solvers = " and ".join(("exact propagators" if s.kind == "analytic" else "RK4") for s in model.solvers)
    extra = {
        "native_name": f"nestml:{model.name}",
        "native_description": f"generated numpy step ({solvers or 'no ODEs'})",
        "engine_group": group,
        "engine_source": source,
    }
    return types.cell_type_class(model, name, extra=extra)


def nestml_synapse_type(synapse_name, nestml_description, postsynaptic_neuron_nestml_description=None,
                        weight_variable="w", delay_variable=None, postsynaptic_variables=None):
    """A synapse type from a plastic NESTML synapse model, run by the engine (profile ``ideal``).

    Parameters are those of ``sim.nestml.nestml_synapse_type`` on NEST. The synapse runs as an
    engine plasticity rule (:mod:`pyNN.hardware.nestml_synapse`) onto any cell type; the
    neuron of `postsynaptic_neuron_nestml_description`, if given, is made a cell type as by
    :func:`nestml_cell_type` and is the returned class's ``postsynaptic_cell_type``.

    Raises
    ------
    NoModelAvailableError for a synapse the generator cannot translate (see
    :mod:`pyNN.nestml.synapse_program`), naming the construct.
    """
    from pyNN.nestml import types
    from pyNN.standardmodels import build_translations

    def extra(model, program):
        from pyNN.hardware.nestml_synapse import compile_program
        functions, source = compile_program(program)
        initial = types.evaluate_defaults(model, model.state)  # in the model's units
        return {"native_name": f"nestml:{model.name}", "native_description": "generated numpy event code",
                "engine_functions": functions, "engine_source": source, "engine_initial_state": initial}

    cls = types.generated_synapse_type(BACKEND, synapse_name, nestml_description,
                                       postsynaptic_neuron_nestml_description, weight_variable, delay_variable,
                                       nestml_cell_type, extra, postsynaptic_variables)
    cls.translations = build_translations(*[(n, n) for n in cls.default_parameters])
    return cls


__all__ = ["nestml_cell_type", "nestml_synapse_type"]
