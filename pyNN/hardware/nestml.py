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
GENERATOR_VERSION = 4
#: the support matrix's entries (tools/support_matrix.py)
SUPPORT = {
    "neuron models": (True, "profile ideal: generated numba (or numpy) step (exact propagators, RK4 for numeric "
                            "ODEs; no loops, vectors, user functions or random numbers); other profiles: "
                            "NoModelAvailableError"),
    "synapse models": (True, "profile ideal: generated numpy event code run lazily at each pre spike, as NEST "
                             "(per-connection state, exactly decaying ODEs, pre/post onReceive handlers, "
                             "modulatory spike ports and update blocks); other profiles: "
                             "NoModelAvailableError"),
    "synapse third factor (continuous port)": (
        True, "profile ideal: the post cells' spike history keeps the postsynaptic variable's value at each spike "
              "(targets must be NESTML cells with it)"),
    "synapse extra spike ports (mod_spikes)": (
        True, "profile ideal: modulatory_inputs={port: population}; each spike reaches every connection of the "
              "projection after modulatory_delay, replayed with the post spikes at the next pre spike (or read-out), "
              "vectorised over connections; the update block catches up the elapsed steps"),
    "synapse state (Projection.get/record of traces)": (
        True, "every state variable, as of the connection's last pre spike (with an update block or modulatory "
              "ports: as of now)"),
    "synapse without a post port (tsodyks_synapse)": (
        True, "profile ideal: no post spikes replayed; t in a handler is the event's time; onto any cell type; "
              "Projection.initialize of its state: NotSupportedError (the connections start from the model's "
              "initial values)"),
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
    model units; the state arrays are updated in place), `_ports` the summed weights per spike
    port, `_i_stim` the external current (pA)."""
    from pyNN.nestml import printers
    names, params, state = _frame(model, program)
    lines = ["def nestml_step(_s, _p, _h, _ports, _i_stim):"]
    lines += [f"    {names[n]} = _p[{n!r}]" for n in params]
    lines += [f"    {names[n]} = _s[{n!r}]" for n in state]
    lines += [f"    {names[n]} = _ports[{k}]" for k, n in enumerate(program.spike_ports)]
    lines += ["    " + line for line in printers.numpy_code(program, names).split("\n")]
    lines += [f"    _s[{n!r}][:] = {names[n]}" for n in state]
    return "\n".join(lines) + "\n"


#: numba's options for the generated kernels: IEEE division (inf or nan for a zero divisor, as in
#: the numpy step) instead of Python's ZeroDivisionError check before every division, which
#: also costs about 10 % of a conductance-based model's step
_JIT = "@numba.njit(cache=True, nogil=True, error_model='numpy')"


def _constants(program):
    from pyNN.nestml.printers import identifier
    return [(identifier(t.name), t) for t in program.statements if getattr(t, "constant", False)]


def kernel_source(model, program):
    """Python source of two loops over the cells for numba, on (rows, cells) arrays of the
    parameters `_P`, the propagators `_C` and the state `_S` (rows in the order of
    :func:`_frame`), all in model units:

    - ``nestml_prepare(_h, _P, _C)`` computes the propagators (once per parameter change);
    - ``nestml_cells(_h, _arrivals, _i_ext, _out, _lo, _hi, _P, _C, _S)`` advances the cells
      ``_lo.._hi-1`` by one step with scalar code, in place: it takes the step's summed weights
      per receptor from the engine's ring-buffer slot `_arrivals` (library units; cleared here)
      and the external current `_i_ext` (nA), writes the cells that fired to
      ``_out[_lo:_lo + count]`` and returns the count: the engine's fused-kernel protocol
      (``engine.core._fast_kernel``), so a NESTML group costs one compiled call per step, with
      no numpy temporaries, and can be split over the engine's threads."""
    from dataclasses import replace

    from pyNN.nestml import printers
    from pyNN.nestml.program import SPIKE_FLAG
    from pyNN.nestml.types import WEIGHT_SCALE, receptor_ports
    names, params, state = _frame(model, program)
    constants = _constants(program)
    rest = replace(program, statements=[s for s in program.statements if not getattr(s, "constant", False)])
    printer = printers.ScalarPrinter(names)
    receptors = list(receptor_ports(model).values())  # row k of the arrivals feeds port receptors[k]
    lines = ["def nestml_prepare(_h, _P, _C):", "    for _i in range(_C.shape[1]):"]
    lines += [f"        {names[n]} = _P[{k}, _i]" for k, n in enumerate(params)]
    lines += [f"        _C[{k}, _i] = {printer.doprint(t.value)}" for k, (_, t) in enumerate(constants)]
    lines += ["", "", _JIT,
              "def nestml_cells(_h, _arrivals, _i_ext, _out, _lo, _hi, _P, _C, _S):",
              "    _count = 0",
              "    for _i in range(_lo, _hi):",
              "        _i_stim = _i_ext[_i] * 1000.0"]  # nA -> pA
    lines += [f"        {names[n]} = _P[{k}, _i]" for k, n in enumerate(params)]
    lines += [f"        {c} = _C[{k}, _i]" for k, (c, _) in enumerate(constants)]
    lines += [f"        {names[n]} = _S[{k}, _i]" for k, n in enumerate(state)]
    for port in program.spike_ports:
        # the same sum, in the same order, as NESTMLGroup.arrive's numpy form
        lines.append(f"        {names[port]} = 0.0")
        lines += [f"        {names[port]} += _arrivals[{k}, _i] * {WEIGHT_SCALE!r}"
                  for k, p in enumerate(receptors) if p == port]
    lines += [f"        _arrivals[{k}, _i] = 0.0" for k in range(len(receptors))]
    lines += ["        " + line for line in printers.scalar_code(rest, names).split("\n")]
    lines += [f"        _S[{k}, _i] = {names[n]}" for k, n in enumerate(state)]
    lines += [f"        if {names[SPIKE_FLAG]} > 0.5:",
              "            _out[_lo + _count] = _i",
              "            _count += 1",
              "    return _count"]
    return "\n".join(lines) + "\n"


def _load_kernel(source):
    """The numba kernels (prepare, cells) of `source`, written once into the NESTML cache as a module
    (``<cache>/hardware/<key>/kernel.py``) so that numba caches its compiled code next to it."""
    import importlib.util

    from pyNN.nestml import cache
    text = f"import math\n\nimport numba\nimport numpy as np\n\n\n{_JIT}\n" + source
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
    return module.nestml_prepare, module.nestml_cells


def compile_step(model, program):
    """(numpy step, compiled kernels, source). Where the engine uses numba, the compiled kernels
    are ``(prepare, cells)`` of :func:`kernel_source` and the source theirs; otherwise the
    kernels are None and the source that of the numpy function of :func:`step_source`
    (``step(state, params, h, ports, i_stim)``), which is always returned as well."""
    from pyNN.hardware.engine import kernels
    namespace = {"np": np}
    numpy_source = step_source(model, program)
    exec(compile(numpy_source, f"<NESTML {model.name} step>", "exec"), namespace)  # generated from the IR
    if kernels.use_numba():
        source = kernel_source(model, program)
        return namespace["nestml_step"], _load_kernel(source), source
    return namespace["nestml_step"], None, numpy_source


class NESTMLGroup(NeuronGroup):
    """Engine group of a NESTML neuron (subclassed per model by :func:`nestml_cell_type`).

    The state and the parameters are (rows, cells) arrays in model units, with one dict of
    row views each (``state``, ``model_params``) for the numpy step and for reading and
    setting values by name."""

    #: set per model: the ir.Model, the StepProgram, the numpy step function, the compiled
    #: kernels (prepare, cells) or None
    model = program = step = kernels = None
    #: receptor type -> spike port
    receptor_ports = {}

    def __init__(self, n, params, h, rng=None):
        specs = [ReceptorSpec(name, "delta") for name in self.receptor_ports]
        self.port_index = [self.program.spike_ports.index(port) for port in self.receptor_ports.values()]
        from pyNN.nestml.program import SPIKE_FLAG
        self.state_block = np.zeros((len(self.program.state) + 1, n))
        self.state = dict(zip(self.program.state + [SPIKE_FLAG], self.state_block))
        self.arrived = np.zeros((len(specs), n))
        self.i_ext = np.zeros(n)
        self.spiking = np.empty(n, dtype=np.int64)
        super().__init__(n, params, specs, h, rng)
        self.state_names = tuple(self.model.state)

    def set_parameters(self, params):
        super().set_parameters(params)
        names = list(self.model.parameters)
        self.param_block = np.empty((len(names), self.n))
        for row, name in zip(self.param_block, names):
            row[:] = np.asarray(params[name], dtype=float) / self.model.parameters[name].to_pynn
        self.model_params = dict(zip(names, self.param_block))
        self.constants = None  # the propagators, computed again at the next step

    def _propagators(self):
        if self.constants is None:
            from pyNN.hardware.nestml import _constants
            self.constants = np.empty((len(_constants(self.program)), self.n))
            if len(self.constants):
                self.kernels[0](self.h, self.param_block, self.constants)
        return self.constants

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
        self.arrived[:] = 0.0

    # --- one step -----------------------------------------------------------------------------
    def fast_kernel(self):
        """The engine's fused step (``engine.core._fast_kernel``): ``step(g, i_ext, arrivals,
        out)`` returning ``part(lo, hi)``, which runs the compiled kernel on the cells lo..hi-1;
        None without compiled kernels."""
        if self.kernels is None:
            return None
        cells = self.kernels[1]

        def step(g, i_ext, arrivals, out):
            h, params, constants, state = g.h, g.param_block, g._propagators(), g.state_block

            def part(lo, hi):
                return cells(h, arrivals, i_ext, out, lo, hi, params, constants, state)
            return part
        return step

    def integrate(self, i_ext):
        self.i_ext = np.asarray(i_ext, dtype=float).copy()  # nA

    def arrive(self, amounts):
        self.arrived[:] = amounts

    def fire(self):
        if self.kernels is not None:
            count = self.kernels[1](self.h, self.arrived, self.i_ext, self.spiking, 0, self.n, self.param_block,
                                    self._propagators(), self.state_block)
            return self.spiking[:count].copy()
        from pyNN.nestml.program import SPIKE_FLAG
        from pyNN.nestml.types import WEIGHT_SCALE
        ports = np.zeros((len(self.program.spike_ports), self.n))
        for k, port in enumerate(self.port_index):
            ports[port] += self.arrived[k] * WEIGHT_SCALE
        self.arrived[:] = 0.0
        self.step(self.state, self.model_params, self.h, ports, self.i_ext * 1000.0)  # nA -> pA
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
    function, compiled, source = compile_step(model, step)
    group = type(f"NESTMLGroup_{model.name}", (NESTMLGroup,), {
        "model": model, "program": step, "step": staticmethod(function), "kernels": compiled,
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
                                       nestml_cell_type, extra, postsynaptic_variables, modulatory=True)
    cls.translations = build_translations(*[(n, n) for n in cls.default_parameters])
    return cls


__all__ = ["nestml_cell_type", "nestml_synapse_type"]
