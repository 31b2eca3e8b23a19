"""NESTML models on NEURON: ``sim.nestml.nestml_cell_type`` (and ``nestml_synapse_type``).

The front end (:mod:`pyNN.nestml`) reads the model into the intermediate form;
:mod:`pyNN.neuron.nestml_nmodl` turns a neuron into an NMODL point process shaped like the
backend's own cell mechanisms; it is compiled just in time with NEURON's ``nrnivmodl``
through the backend's mechanism build (:func:`pyNN.neuron.mechanisms.build`: a fresh
directory renamed into place, so two processes compiling at once are safe) into the NEURON
part of the NESTML cache, keyed by the generated text (which names the nestml and
odetoolbox versions), the NEURON version and the platform: a second run compiles nothing.

NESTML synapse models are not generated for NEURON yet (NotSupportedError).
"""

import os
import shutil
import tempfile
import threading

from pyNN import errors
import pyNN.neuron.mechanisms as mechanisms

#: bump when the generated NMODL changes in a way the text alone would not show
GENERATOR_VERSION = 1
BACKEND = "NEURON"
_LOCK = threading.Lock()
#: mechanism name -> build directory, for the mechanisms loaded into this process
_loaded = {}


def cache_root():
    """Where the NESTML mechanisms are built: the NEURON part of the NESTML cache
    (``<NESTML cache>/neuron/<hash>/``, see :mod:`pyNN.nestml.cache`)."""
    from pyNN.nestml import cache
    return os.path.join(cache.cache_root(), "neuron")


def mechanism_name(model):
    """The NMODL name of `model`'s point process: the model name and a digest of its text."""
    from pyNN.nestml import cache
    key = cache.make_key("neuron", GENERATOR_VERSION, model.name, model.source.text)
    return f"nml_{model.name}_{key[:10]}"


def generate(model):
    """(mechanism name, NMODL text) of the NESTML neuron `model` (an ir.Model)."""
    from pyNN.nestml.cache import tool_versions
    from pyNN.neuron.nestml_nmodl import NMODLGenerator
    name = mechanism_name(model)
    versions = ", ".join(f"{k} {v}" for k, v in sorted(tool_versions().items()))
    header = [f"Source: {os.path.basename(model.source.path)} (digest {model.source.digest[:16]}).",
              f"Tools: {versions}; generator version {GENERATOR_VERSION}."]
    return name, NMODLGenerator(model, name, header).text()


def build_mechanism(model):
    """Generate, compile (unless cached) and load the mechanism of `model`.

    Returns
    -------
    dict with ``name`` (the NMODL point process), ``path`` (its build directory),
    ``compiled`` (whether this call ran nrnivmodl) and ``mod_file``.
    """
    from neuron import h, load_mechanisms
    name, text = generate(model)
    with _LOCK:
        if name in _loaded:
            return {"name": name, "path": _loaded[name], "compiled": False, "mod_file": name + ".mod"}
        work = tempfile.mkdtemp(prefix="pynn-nestml-mod-")
        try:
            with open(os.path.join(work, name + ".mod"), "w") as f:
                f.write(text)
            try:
                announcement = (f"pyNN.neuron: generating and compiling code for {model.name}",
                                f"first use of this model text with these tool versions; cached in {cache_root()}",
                                "10-20 s")
                directory, compiled = mechanisms.build(mod_dir=work, root=cache_root(), announcement=announcement)
            except mechanisms.MechanismBuildError as exc:
                raise errors.CodeGenerationError(
                    f"pyNN.neuron: the NMODL generated from the NESTML model '{model.name}' "
                    f"({model.source.path}) did not compile: {exc}") from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if not hasattr(h, name) and not load_mechanisms(directory, warn_if_already_loaded=False):
            raise errors.CodeGenerationError(f"pyNN.neuron: NEURON could not load the mechanism {name} "
                                             f"built in {directory}")
        _loaded[name] = directory
    return {"name": name, "path": directory, "compiled": compiled, "mod_file": name + ".mod"}


def _cell_attrs(model, mechanism):
    """What the NEURON backend reads from a cell type (see pyNN.neuron.standardmodels.cells)."""
    from pyNN.neuron.nestml_nmodl import _safe
    from pyNN.standardmodels import build_translations
    to_pynn = {n: v.to_pynn for n, v in {**model.parameters, **model.state}.items()}
    entries = [(n, _safe(n), 1.0 / to_pynn[n]) if to_pynn[n] != 1.0 else (n, _safe(n)) for n in model.parameters]
    return {
        "native_name": mechanism["name"],
        "translations": build_translations(*entries),
        "variable_map": {n: _safe(n) for n in model.state},
        "scale_factors": {n: to_pynn[n] for n in model.state},
        "artificial": False,
        "source_kind": None,
        # the mechanism handles a step's spikes at the end of the step (NESTML's order): events
        # are delivered one step early, exactly as for the voltage-jump cells
        "voltage_jump": True,
        "has_random": False,
        "receptor_index": _receptor_index(model),
        "neuron_mechanism": mechanism,
    }


def _receptor_index(model):
    """Receptor type -> NET_RECEIVE port index; empty when the weight's sign picks the port."""
    from pyNN.nestml import types
    receptors = types.receptor_types(model)
    if receptors == ("excitatory", "inhibitory"):
        return {}
    return {name: k for k, name in enumerate(model.spike_ports())}


def nestml_cell_type(name, nestml_description):
    """A cell type from a NESTML neuron model, built for NEURON (compiled on first use, then cached).

    Parameters
    ----------
    name : the NESTML model name (``model <name>:`` in the description)
    nestml_description : a ``.nestml`` file path or the model text

    Returns
    -------
    A cell-type class, used like a standard one: ``sim.Population(10, celltype(V_th=-50.0))``.
    Its ``neuron_mechanism`` attribute names the generated point process, its build directory
    and whether this call compiled it (False when it came from the cache).
    """
    from pyNN.nestml import frontend, types
    model = frontend.load_neuron(name, nestml_description)
    mechanism = build_mechanism(model)  # refuses what the generator cannot do before compiling
    return types.cell_type_class(model, name, extra=_cell_attrs(model, mechanism))


def nestml_synapse_type(synapse_name, nestml_description, postsynaptic_neuron_nestml_description=None,
                        weight_variable="w", delay_variable=None):
    """Not available yet: NESTML synapse models are not generated for NEURON (NotSupportedError)."""
    raise errors.NotSupportedError(
        f"NESTML synapse '{synapse_name}': the NEURON backend generates NESTML neuron models only; NESTML "
        f"synapse models run on pyNN.nest (see doc/nestml.md)")


backend = BACKEND

#: the support matrix's entries (tools/support_matrix.py)
SUPPORT = {
    "neuron models": (True, "generated NMODL point process (exact propagators where odetoolbox finds them, RK4 "
                            "sub-steps otherwise), compiled with nrnivmodl into the NESTML cache"),
    "synapse models": (False, "not generated yet (NotSupportedError)"),
}

__all__ = ["nestml_cell_type", "nestml_synapse_type"]
