"""NESTML models on NEST: ``sim.nestml.nestml_cell_type`` and ``sim.nestml.nestml_synapse_type``.

The front end (:mod:`pyNN.nestml`) reads the model and gives the cell or synapse type its
parameters, units and ports; the C++ comes from NESTML's own NEST code generator and is
compiled here, just in time, into a NEST extension module kept in the NESTML cache
(``<cache>/nest/<key>/``, see :mod:`pyNN.nestml.cache`), so a second run compiles nothing.

What building against the NEST wheel takes, all handled here:

- no ``nest-config`` and no CMake: the module is compiled directly with the C++ compiler,
  with the flags the wheel was built with (C++20, ``-D_GLIBCXX_USE_CXX11_ABI=0``: the
  wheel uses the old libstdc++ string ABI);
- headers: NEST's own (inside the wheel), Boost's (the ``boost-headers`` package) and the
  few libltdl/GSL declarations the wheel leaves out (``pyNN/nestml/nest_compat``);
- ``nest.Install`` again after every kernel reset (every ``setup()`` and ``reset()``).

Unlike PyNN 0.13, a model may be registered at any time before the Population or
Projection that uses it; each registration is its own module.
"""

import math
import numbers
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import nest

from pyNN import errors
import pyNN.nest.simulator as simulator
from pyNN.nestml import cache
from pyNN.utility.build import find_cxx_compiler

# pyNN.nestml's front end and types (and sympy, nestml) are imported on first use, so that
# `import pyNN.nest` stays fast
COMPAT_INCLUDE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "nestml", "nest_compat")
#: bump when the way modules are generated or built changes, so that old builds are not reused
GENERATOR_VERSION = 2
_LOCK = threading.Lock()

#: the support matrix's entries (tools/support_matrix.py)
SUPPORT = {
    "neuron models": (True, "NESTML's NEST code generator, compiled against the NEST wheel"),
    "synapse models": (True, "NESTML's NEST code generator; plastic synapses co-generated with their "
                             "postsynaptic neuron, the parameters NESTML moves into it set on each target cell "
                             "(one value per cell)"),
    "synapse without a post port (tsodyks_synapse)": (
        True, "generated on its own (NEST model nestml__<name>), onto any cell type; state read from the connection "
              "(Projection.initialize sets it); a time t sets is kept in NEST's time, shifted to the user's"),
    "synapse third factor (continuous port)": (
        True, "NESTML's co-generation: the port reads the postsynaptic neuron's variable named by "
              "postsynaptic_variables at each post spike (post_spike_based buffering), in onReceive of the post port "
              "only"),
    "synapse extra spike ports (mod_spikes)": (
        True, "one port: NESTML's vt_ports; the library makes a volume_transmitter per projection (deliver_interval "
              "1, every step), connects modulatory_inputs to it with modulatory_delay and sets it on a copy of the "
              "synapse model; modulatory spikes of one step count once (NEST merges them)"),
    "synapse state (Projection.get/record of traces)": (
        True, "the variables NESTML keeps in the connection (e.g. pre_trace), as of its last pre spike; those it "
              "moves into the postsynaptic neuron (post traces): NoModelAvailableError"),
}

#: modules registered in this process: module name -> path of the .so
_modules = {}
#: modules installed in the current NEST kernel
_installed = set()


# --- toolchain -------------------------------------------------------------------------------------


def find_compiler():
    """Path of the C++ compiler; CodeGenerationError naming what to install if there is none."""
    return find_cxx_compiler("pyNN.nest needs a C++ compiler to build NESTML models", cache.cache_root(),
                             errors.CodeGenerationError)


def include_dirs():
    """Include directories for a NESTML module; CodeGenerationError if a set of headers is missing."""
    nest_include = os.path.join(os.path.dirname(nest.__file__), "include", "nest")
    if not os.path.isfile(os.path.join(nest_include, "nest_extension_interface.h")):
        raise errors.CodeGenerationError(
            f"pyNN.nest cannot build NESTML models: NEST's C++ headers are not in {nest_include}. "
            "Install NEST from the wheel this library uses (pip install nest-simulator==3.10.0), whose "
            "headers are included, or a NEST built from source with its headers.")
    try:
        import boost_headers
    except ImportError as exc:
        raise errors.CodeGenerationError(
            "pyNN.nest cannot build NESTML models: the Boost headers NEST's headers include are missing. "
            "Install them with `pip install boost-headers` (or `pip install pyNN[nestml]`).") from exc
    return [COMPAT_INCLUDE, nest_include, str(boost_headers.get_include())]


def compile_flags():
    """Compiler flags matching how the NEST wheel was built."""
    return ["-std=c++20", "-O2", "-fPIC", "-D_GLIBCXX_USE_CXX11_ABI=0", "-DLTX_MODULE", "-DNDEBUG", "-w"]


def _check_gsl(models):
    if any(s.kind == "numeric" for m in models for s in m.solvers) and not nest.build_info.get("have_gsl"):
        raise errors.CodeGenerationError(
            "this NEST was built without GSL, which NESTML models with a numeric solver need; "
            "use the nest-simulator wheel (built with GSL) or a NEST built with GSL")


# --- code generation and build ---------------------------------------------------------------------


def _generate(sources, work, module_name, codegen_opts, rename=None):
    """NESTML's NEST code generator (no builder), in this process; `rename` maps model names
    to the names the generated NEST models get."""
    from pyNN.nestml import frontend
    from pynestml.cocos.co_cos_manager import CoCosManager
    from pynestml.frontend import pynestml_frontend as fe
    from pynestml.frontend.frontend_configuration import FrontendConfiguration
    from pynestml.utils.logger import Logger, LoggingLevel

    src_dir = os.path.join(work, "src")
    os.makedirs(src_dir)
    files = []
    for i, (_, text) in enumerate(sources):
        path = os.path.join(src_dir, f"model{i}.nestml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        files.append(path)
    target = os.path.join(work, "code")
    with frontend._LOCK:
        fe.configure_front_end(files, "NEST", target_path=target, logging_level="ERROR", module_name=module_name,
                               codegen_opts=codegen_opts)
        Logger.init_logger(LoggingLevel.NO)
        options = FrontendConfiguration.get_codegen_opts()
        transformers, _ = fe.transformers_from_target_name("NEST", options=options)
        generator = fe.code_generator_from_target_name("NEST")
        generator.set_options(options)
        models = fe.get_parsed_models()
        for model in models:
            if not Logger.has_errors(model):
                CoCosManager.check_cocos(model)
        frontend._raise_errors(Logger, LoggingLevel, {f: p for f, (p, _) in zip(files, sources)})
        for model in models:
            if model.get_name() in (rename or {}):
                model.set_name(rename[model.get_name()])
        models, metadata = fe.transform_models(transformers, models)
        if codegen_opts.get("neuron_synapse_pairs"):
            # only the co-generated pair: the plain neuron may already be in another module, and
            # NEST refuses two models of one name
            models = [m for m in models if "__with_" in m.get_name()]
        fe.generate_code(generator, models, metadata)
    return target


def _compile(code_dir, work, module_name):
    compiler = find_compiler()
    flags = compile_flags() + [f"-I{d}" for d in include_dirs()]
    sources = sorted(f for f in os.listdir(code_dir) if f.endswith(".cpp"))
    log_path = os.path.join(work, "build.log")

    def compile_one(name):
        obj = os.path.join(work, name[:-4] + ".o")
        cmd = [compiler, *flags, "-c", os.path.join(code_dir, name), "-o", obj]
        result = subprocess.run(cmd, capture_output=True, text=True)
        return obj, cmd, result

    workers = max(1, min(len(sources), len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2))
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(compile_one, sources))
    with open(log_path, "w") as log:
        for _, cmd, result in results:
            log.write(" ".join(cmd) + "\n" + result.stdout + result.stderr + "\n")
    failed = [(cmd, r) for _, cmd, r in results if r.returncode != 0]
    if failed:
        cmd, result = failed[0]
        keep = os.path.join(cache.cache_root(), "nest", "failed-" + module_name)
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(work, keep)
        hint = ""
        if "No such file or directory" in result.stderr and "#include" in result.stderr:
            hint = " (a header is missing: see the first error)"
        raise errors.CodeGenerationError(
            f"pyNN.nest: compiling the NESTML module {module_name} failed{hint}; the code and build log are "
            f"in {keep}:\n{result.stderr[-3000:]}")
    library = os.path.join(work, module_name + ".so")
    link = subprocess.run([compiler, "-shared", "-o", library, *[o for o, _, _ in results]],
                          capture_output=True, text=True)
    if link.returncode != 0:
        raise errors.CodeGenerationError(f"pyNN.nest: linking the NESTML module {module_name} failed:\n"
                                         f"{link.stderr[-3000:]}")
    return library


def build_module(sources, codegen_opts, models, rename=None):
    """Generate and compile (unless cached) the NEST module for `sources` (models renamed by
    `rename`, see :func:`_generate`); returns (module name, compiled)."""
    _check_gsl(models)
    key = cache.make_key("nest", GENERATOR_VERSION, nest.__version__, [t for _, t in sources],
                         sorted(codegen_opts.items()), sorted((rename or {}).items()), compile_flags(), sys.platform)
    module_name = f"pynn{key[:16]}module"

    def build(work):
        find_compiler()
        include_dirs()
        code_dir = _generate(sources, work, module_name, codegen_opts, rename)
        _compile(code_dir, work, module_name)

    def is_complete(directory):
        return os.path.isfile(os.path.join(directory, module_name + ".so"))

    with _LOCK:
        directory, compiled = cache.build_once("nest", key, build, is_complete,
                                                sorted(m.name for m in models))
    path = os.path.join(directory, module_name + ".so")
    _modules[module_name] = path
    install_modules()
    return module_name, compiled


def install_modules(required=False):
    """Install every registered module into the current NEST kernel (again after each reset).

    NEST accepts a module only into a kernel without nodes. A model registered after
    ``setup()`` (which already creates nodes) makes the kernel be rebuilt from the core's
    description of the network, exactly as ``reset()`` does. After a run that would lose the
    simulation's state, so the module is then installed at the next ``setup()`` or ``reset()``;
    using the model before that (`required`) raises SimulationStateError. After ``end()`` the
    network is finished: it is not rebuilt (its cell types' modules may be gone, and the next
    ``setup()`` starts an independent kernel, into which the module is installed).
    """
    pending = [name for name in _modules if name not in _installed]
    if not pending:
        return
    if nest.GetKernelStatus("network_size") > 0:
        state = simulator.state
        if state.ended:
            if required:
                raise errors.SimulationStateError(
                    f"NESTML module(s) {pending} were registered after sim.end(), and the network of that "
                    f"simulation is finished: call sim.setup() to start a new simulation before using them")
            return
        if state.running:
            if required:
                raise errors.SimulationStateError(
                    f"NESTML module(s) {pending} were registered after this NEST simulation ran, and NEST cannot "
                    f"load modules into a running network: register NESTML models before the first run(), or "
                    f"call sim.reset() or sim.setup() before using them")
            return
        if state.initialized:
            state.rebuild()  # a new kernel, whose reset hook comes back here while it is still empty
            return
        nest.ResetKernel()
        _installed.clear()
    level = nest.verbosity
    nest.verbosity = nest.VerbosityLevel.WARNING  # no "loaded module" banner per install
    try:
        for name in pending:
            nest.Install(_modules[name])
            _installed.add(name)
    finally:
        nest.verbosity = level


class InstalledModelName:
    """Class attribute giving a NESTML type's NEST model name, making sure that its module is
    installed in the current kernel when a Population or Projection asks for it."""

    def __init__(self, value):
        self.value = value

    def __get__(self, instance, owner=None):
        install_modules(required=True)
        return self.value


def _after_kernel_reset():
    _installed.clear()
    install_modules()


simulator.state.kernel_reset_hooks.append(_after_kernel_reset)


# --- types -----------------------------------------------------------------------------------------


#: GSL tolerances (absolute, relative) of NESTML's generated NEST code (its defaults)
NESTML_GSL_TOLERANCES = (1e-6, 1e-6)
#: those of NEST's own conductance-based integrate-and-fire models (iaf_cond_exp, iaf_cond_alpha,
#: ...), and so of the standard IF_cond_exp and IF_cond_alpha on NEST
NEST_IAF_COND_GSL_TOLERANCES = (1e-3, 0.0)


def gsl_tolerances(model, abs_tol=None, rel_tol=None):
    """The GSL step-size control tolerances (absolute, relative) a NEST population of `model`
    integrates with, or None if the model has no numeric solver.

    By default: NEST's own for its conductance-based integrate-and-fire models when the ODEs
    only the numeric solver can advance are linear in their variables (V_m of
    ``iaf_cond_exp_neuron``; the conductances have exact propagators), so that such a model
    integrates like the standard type it corresponds to, and NESTML's (1e-6, 1e-6) otherwise
    (Hodgkin-Huxley, AdEx: non-linear, where NEST's own models use tighter tolerances too).
    `abs_tol` and `rel_tol` replace either.
    """
    if not any(s.kind == "numeric" for s in model.solvers):
        if abs_tol is not None or rel_tol is not None:
            raise errors.InvalidParameterValueError(
                f"NESTML model '{model.name}' has no numeric solver (all its ODEs have exact propagators): "
                f"gsl_abs_error_tol and gsl_rel_error_tol do not apply to it")
        return None
    default = NEST_IAF_COND_GSL_TOLERANCES if model.numeric_odes_are_linear() else NESTML_GSL_TOLERANCES
    chosen = (default[0] if abs_tol is None else abs_tol, default[1] if rel_tol is None else rel_tol)
    for name, value, lowest, allowed in (("gsl_abs_error_tol", chosen[0], 0.0, "a number > 0"),
                                         ("gsl_rel_error_tol", chosen[1], None, "a number >= 0")):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and (
            value > 0.0 if lowest is not None else value >= 0.0)
        if not ok:
            raise errors.InvalidParameterValueError(
                f"NESTML model '{model.name}': {name} must be {allowed}, got {value!r}")
    return tuple(float(v) for v in chosen)


def _nest_cell_attrs(model, nest_model, tolerances=(None, None)):
    from pyNN.nestml import types
    scale = {n: v.to_pynn for n, v in {**model.parameters, **model.state}.items()}
    rtypes = types.receptor_types(model)
    qualified = rtypes == ("excitatory", "inhibitory")
    gsl = gsl_tolerances(model, *tolerances)
    return {
        # set on every cell when a population is created (NEST parameters of the generated model)
        "extra_parameters": {} if gsl is None else {"gsl_abs_error_tol": gsl[0], "gsl_rel_error_tol": gsl[1]},
        "gsl_tolerances": gsl,
        "native_name": InstalledModelName(nest_model),
        "translations": types.model_unit_translations(model),
        "variable_map": {n: n for n in model.state},
        "scale_factors": {n: scale[n] for n in model.state},
        "weight_scale": types.WEIGHT_SCALE,
        # one port with NESTML's excitatory/inhibitory qualifiers: NEST picks it by the weight's sign
        "sign_selects_receptor": qualified,
        "receptor_ports": None if qualified else ReceptorPorts(nest_model, rtypes),
    }


class ReceptorPorts(InstalledModelName):
    """Receptor type -> NEST rport, read from the installed model (spike ports named like the receptor)."""

    def __init__(self, nest_model, receptors):
        super().__init__(None)
        self.nest_model, self.receptors = nest_model, receptors

    def __get__(self, instance, owner=None):
        if self.value is None:
            install_modules(required=True)
            native = {str(k).lower(): int(v) for k, v in
                      dict(nest.GetDefaults(self.nest_model).get("receptor_types", {})).items()}
            self.value = {name: native.get(name.lower(), 0) for name in self.receptors}
        return self.value


def nestml_cell_type(name, nestml_description, gsl_abs_error_tol=None, gsl_rel_error_tol=None):
    """A cell type from a NESTML neuron model, built for NEST (compiled on first use, then cached).

    Parameters
    ----------
    name : the NESTML model name (``model <name>:`` in the description)
    nestml_description : a ``.nestml`` file path or the model text
    gsl_abs_error_tol, gsl_rel_error_tol : the tolerances of GSL's adaptive step-size control
        for a model with a numeric solver (NEST only; a library extension). By default NEST's
        own for its conductance-based integrate-and-fire models (1e-3, 0) when the numerically
        integrated ODEs are linear in their variables, NESTML's (1e-6, 1e-6) otherwise (see
        :func:`gsl_tolerances`).

    Returns
    -------
    A cell-type class, used like a standard one: ``sim.Population(10, celltype(V_th=-50.0))``.
    Its ``nest_module`` attribute says which NEST module holds the model and whether this
    call compiled it (False when it came from the cache); ``gsl_tolerances`` the tolerances
    chosen (None without a numeric solver).
    """
    from pyNN.nestml import frontend, types
    source = frontend.read_source(nestml_description)
    models = frontend.load_models([source])
    model = frontend.pick(models, name, "neuron", source[0])
    tolerances = (gsl_abs_error_tol, gsl_rel_error_tol)
    gsl_tolerances(model, *tolerances)  # bad values are refused before anything is compiled
    module, compiled = build_module([source], {"nest_version": "v" + nest.__version__}, [model])
    extra = _nest_cell_attrs(model, model.name, tolerances)
    extra["nest_module"] = {"name": module, "path": _modules[module], "compiled": compiled}
    return types.cell_type_class(model, name, extra=extra)


def nestml_synapse_type(synapse_name, nestml_description, postsynaptic_neuron_nestml_description=None,
                        weight_variable="w", delay_variable=None, postsynaptic_variables=None):
    """A synapse type from a NESTML synapse model, built for NEST.

    A plastic synapse (one with postsynaptic spike ports) is generated together with its
    postsynaptic neuron, given by `postsynaptic_neuron_nestml_description`; the neuron's
    cell type is the returned class's ``postsynaptic_cell_type``, and the synapse only
    connects to populations of that type. A synapse whose only input is its presynaptic
    spikes (short-term plasticity, e.g. NESTML's ``tsodyks_synapse``) is generated on its own
    and connects to any cell type (the neuron, if given, is built as ``postsynaptic_cell_type``).

    Parameters
    ----------
    synapse_name : the NESTML synapse model name
    nestml_description : a ``.nestml`` file path or the model text
    postsynaptic_neuron_nestml_description : path or text of the postsynaptic neuron
    weight_variable : the synapse variable holding the weight (the ``weight`` parameter)
    delay_variable : the synapse variable holding the delay, if any (the ``delay`` parameter)
    postsynaptic_variables : dict continuous input port -> state variable of the postsynaptic
        neuron it reads (a library extension): e.g. ``{"I_post_dend": "I_syn_inh"}``. The port
        reads the variable at the post spike's emission (NESTML's ``post_spike_based``
        buffering, the same on every backend), in its postsynaptic handler only.
    """
    from pyNN.nestml import frontend, types
    from pyNN.nestml.synapse_program import check_postsynaptic_variables
    syn_source = frontend.read_source(nestml_description)
    sources = [syn_source]
    neuron_model = None
    if postsynaptic_neuron_nestml_description is not None:
        sources.append(frontend.read_source(postsynaptic_neuron_nestml_description))
    models = frontend.load_models(sources, synapse_names=[synapse_name])
    syn_model = frontend.pick(models, synapse_name, "synapse", syn_source[0])
    if _needs_no_neuron(syn_model):
        return _standalone_synapse_type(syn_model, synapse_name, sources, models, weight_variable, delay_variable,
                                        postsynaptic_variables, postsynaptic_neuron_nestml_description)
    opts = {"nest_version": "v" + nest.__version__, "weight_variable": {syn_model.name: weight_variable}}
    if delay_variable:
        opts["delay_variable"] = {syn_model.name: delay_variable}
    if len(sources) > 1:
        neuron_names = [n for n in frontend.model_names(sources[1][1]) if models[n].kind == "neuron"]
        if len(neuron_names) != 1:
            raise errors.ModelDescriptionError(
                f"postsynaptic_neuron_nestml_description must hold exactly one neuron model, found {neuron_names}")
        neuron_model = models[neuron_names[0]]
        mod_ports = _modulatory_ports(syn_model)
        continuous = check_postsynaptic_variables(syn_model, neuron_model, postsynaptic_variables)
        _check_continuous_ports_mapped(syn_model, continuous)
        post_ports = list(syn_model.post_ports) + [[port, var] for port, var in sorted(continuous.items())]
        pair = {"post_ports": post_ports}
        if mod_ports:  # fed by a volume_transmitter (pyNN.nest.projections makes and connects it)
            pair["vt_ports"] = mod_ports
        opts["neuron_synapse_pairs"] = [{"neuron": neuron_model.name, "synapses": {syn_model.name: pair}}]
        if continuous:
            # the value at the post spike's emission, as the other backends read it
            opts["continuous_state_buffering_method"] = "post_spike_based"
    elif syn_model.post_ports or _modulatory_ports(syn_model):
        raise errors.ModelDescriptionError(
            f"NESTML synapse '{synapse_name}' receives postsynaptic spikes (ports {list(syn_model.post_ports)}): "
            f"on NEST it must be generated with its postsynaptic neuron; give "
            f"postsynaptic_neuron_nestml_description")
    module, compiled = build_module(sources, opts, [syn_model] + ([neuron_model] if neuron_model else []))
    if neuron_model is not None:
        nest_syn = f"{syn_model.name}__with_{neuron_model.name}"
        nest_neuron = f"{neuron_model.name}__with_{syn_model.name}"
    else:
        nest_syn = syn_model.name
    extra = {"native_name": InstalledModelName(nest_syn),
             "translations": _synapse_translations(syn_model, weight_variable, delay_variable),
             "nest_module": {"name": module, "path": _modules[module], "compiled": compiled}}
    if neuron_model is not None:
        extra["postsynaptic_translations"] = MovedParameters(syn_model, nest_neuron)
    cls = types.synapse_type_class(syn_model, weight_variable, delay_variable, synapse_name, extra=extra)
    if neuron_model is not None:
        cell_extra = _nest_cell_attrs(neuron_model, nest_neuron)
        cell_extra["nest_module"] = extra["nest_module"]
        cls.postsynaptic_cell_type = types.cell_type_class(neuron_model, nest_neuron, extra=cell_extra)
    return cls


def _needs_no_neuron(model):
    """True for a synapse with no input but its presynaptic spikes (e.g. short-term
    plasticity): NESTML generates it on its own, for any postsynaptic cell type."""
    return len(model.spike_ports()) == 1 and not model.post_ports and not model.continuous_ports()


#: prefix of the NEST name of a synapse generated on its own (NEST has models of the names of
#: NESTML's library synapses, e.g. tsodyks_synapse, and refuses a second model of one name; a
#: prefix, since NESTML's generator takes a model whose name ends in "synapse" for a synapse)
STANDALONE_PREFIX = "nestml__"


def _standalone_synapse_type(syn_model, synapse_name, sources, models, weight_variable, delay_variable,
                             postsynaptic_variables, neuron_description):
    """:func:`nestml_synapse_type` of a synapse without postsynaptic or modulatory input: one
    NEST synapse model (``nestml__<name>``) that connects to any cell type; a postsynaptic
    neuron, if given, is built as a cell type of its own (``postsynaptic_cell_type``)."""
    from pyNN.nestml import frontend, types
    if postsynaptic_variables:
        raise errors.InvalidParameterValueError(
            f"NESTML synapse '{synapse_name}' has no continuous input port, so postsynaptic_variables "
            f"{postsynaptic_variables!r} cannot apply to it")
    nest_syn = STANDALONE_PREFIX + syn_model.name
    opts = {"nest_version": "v" + nest.__version__, "weight_variable": {nest_syn: weight_variable}}
    if delay_variable:
        opts["delay_variable"] = {nest_syn: delay_variable}
    module, compiled = build_module(sources[:1], opts, [syn_model], rename={syn_model.name: nest_syn})
    extra = {"native_name": InstalledModelName(nest_syn),
             "translations": _synapse_translations(syn_model, weight_variable, delay_variable),
             "nest_module": {"name": module, "path": _modules[module], "compiled": compiled}}
    cls = types.synapse_type_class(syn_model, weight_variable, delay_variable, synapse_name, extra=extra)
    if len(sources) > 1:
        neuron_names = [n for n in frontend.model_names(sources[1][1]) if models[n].kind == "neuron"]
        if len(neuron_names) != 1:
            raise errors.ModelDescriptionError(
                f"postsynaptic_neuron_nestml_description must hold exactly one neuron model, found {neuron_names}")
        cls.postsynaptic_cell_type = nestml_cell_type(neuron_names[0], neuron_description)
    return cls


def _modulatory_ports(model):
    """The modulatory spike ports of a synapse (NESTML's ``vt_ports``): NoModelAvailableError
    for more than one, since a NEST synapse model has one volume transmitter. The rest of what
    the other back ends accept is checked by the backend-neutral program."""
    from pyNN.nestml.modulation import modulatory_ports
    from pyNN.nestml.synapse_program import synapse_program
    ports = modulatory_ports(model)
    if len(ports) > 1:
        raise errors.NoModelAvailableError(
            f"NESTML synapse '{model.name}': the modulatory spike ports {ports} are not available on the NEST backend: "
            f"a NEST synapse model has one volume_transmitter, which feeds one port")
    if ports:
        synapse_program(model, "NEST", modulatory=True)  # the same checks (and refusals) as elsewhere
    return ports


def _check_continuous_ports_mapped(model, continuous):
    """NoModelAvailableError for a continuous port NESTML cannot feed (no postsynaptic variable)
    or one the presynaptic handler reads (NEST reads it there at a time set by its
    communication interval, so no other backend could give the same result)."""
    from pyNN.nestml import ir
    for port in model.continuous_ports():
        if port not in continuous:
            raise errors.NoModelAvailableError(
                f"NESTML synapse '{model.name}': the continuous input port '{port}' needs the postsynaptic variable "
                f"it reads on the NEST backend (give postsynaptic_variables={{'{port}': <state variable of the "
                f"postsynaptic neuron>}})")
        for handler in model.on_receive:
            if handler.port not in model.post_ports and port in ir.names_read(handler.body):
                raise errors.NoModelAvailableError(
                    f"NESTML synapse '{model.name}': the continuous input port '{port}' is read in "
                    f"onReceive({handler.port}); on NEST it can be read only in a postsynaptic handler (the "
                    f"presynaptic one reads it at a time set by NEST's communication interval)")


class MovedParameters(InstalledModelName):
    """``postsynaptic_translations`` of a co-generated NESTML synapse: the synapse parameters
    NESTML moved into the postsynaptic neuron (those of the postsynaptic trace, e.g.
    ``tau_tr_post`` becomes the neuron's ``tau_tr_post__for_stdp_synapse``), read from the
    installed neuron model. The projection sets them on each target cell
    (pyNN.nest.projections: one value per cell), since setting them on the connection would
    have no effect."""

    def __init__(self, model, nest_neuron):
        super().__init__(None)
        self.model, self.nest_neuron = model, nest_neuron

    def __get__(self, instance, owner=None):
        if self.value is None:
            from pyNN.standardmodels import build_translations
            install_modules(required=True)
            defaults = nest.GetDefaults(self.nest_neuron)
            entries = []
            for name, var in self.model.parameters.items():
                native = f"{name}__for_{self.model.name}"
                if native in defaults:
                    entries.append((name, native, 1.0 / var.to_pynn) if var.to_pynn != 1.0 else (name, native))
            self.value = build_translations(*entries)
        return self.value


def _synapse_translations(model, weight_variable, delay_variable):
    from pyNN.standardmodels import build_translations
    # the weight by name only: the projection scales it by the target cell's weight_scale (the
    # co-generated NESTML neuron's: types.WEIGHT_SCALE)
    entries = [("weight", "weight"), ("delay", "delay")]
    for name, var in model.parameters.items():
        if name in (weight_variable, delay_variable):
            continue
        entries.append((name, name, 1.0 / var.to_pynn) if var.to_pynn != 1.0 else (name, name))
    return build_translations(*entries)


__all__ = ["nestml_cell_type", "nestml_synapse_type"]
