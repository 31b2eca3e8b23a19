"""NESTML models on NEURON: ``sim.nestml.nestml_cell_type`` (and ``nestml_synapse_type``).

The front end (:mod:`pyNN.nestml`) reads the model into the intermediate form;
:mod:`pyNN.neuron.nestml_nmodl` turns a neuron into an NMODL point process shaped like the
backend's own cell mechanisms; it is compiled just in time with NEURON's ``nrnivmodl``
through the backend's mechanism build (:func:`pyNN.neuron.mechanisms.build`: a fresh
directory renamed into place, so two processes compiling at once are safe) into the NEURON
part of the NESTML cache, keyed by the generated text (which names the nestml and
odetoolbox versions), the NEURON version and the platform: a second run compiles nothing.

A plastic NESTML synapse is generated into the mechanism of its postsynaptic neuron
(:mod:`pyNN.neuron.nestml_synapse_nmodl`).
"""

import os
import shutil
import tempfile
import threading

from pyNN import errors
import pyNN.neuron.mechanisms as mechanisms

#: bump when the generated NMODL changes in a way the text alone would not show
GENERATOR_VERSION = 2
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


def _header(*models):
    from pyNN.nestml.cache import tool_versions
    versions = ", ".join(f"{k} {v}" for k, v in sorted(tool_versions().items()))
    return [f"Source: {os.path.basename(m.source.path)} (digest {m.source.digest[:16]})." for m in models] + \
        [f"Tools: {versions}; generator version {GENERATOR_VERSION}."]


def generate(model, synapse_program=None):
    """(mechanism name, NMODL text) of the NESTML neuron `model` (an ir.Model), with the plastic
    synapse `synapse_program` (see pyNN.neuron.nestml_synapse_nmodl) if given."""
    from pyNN.neuron.nestml_nmodl import NMODLGenerator
    name = mechanism_name(model)
    if synapse_program is None:
        return name, NMODLGenerator(model, name, _header(model)).text()
    from pyNN.nestml import cache
    from pyNN.neuron.nestml_synapse_nmodl import PairGenerator
    syn = synapse_program.model
    key = cache.make_key("neuron", GENERATOR_VERSION, model.name, model.source.text, syn.name, syn.source.text)
    name = f"nml_{model.name}_{syn.name}_{key[:10]}"
    return name, PairGenerator(model, synapse_program, name, _header(model, syn)).text()


def build_mechanism(model, synapse_program=None):
    """Generate, compile (unless cached) and load the mechanism of `model` (with the plastic
    synapse `synapse_program` if given).

    Returns
    -------
    dict with ``name`` (the NMODL point process), ``path`` (its build directory),
    ``compiled`` (whether this call ran nrnivmodl) and ``mod_file``.
    """
    from neuron import h, load_mechanisms
    name, text = generate(model, synapse_program)
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
        "arrival_values": {},  # (events delivered early: the recorded variables hold them in time)
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
                        weight_variable="w", delay_variable=None, postsynaptic_variables=None):
    """A synapse type from a plastic NESTML synapse model, built for NEURON together with its
    postsynaptic neuron (as on NEST).

    The synapse's event code is generated into the NET_RECEIVE block of the neuron's mechanism
    (:mod:`pyNN.neuron.nestml_synapse_nmodl`); the returned class's ``postsynaptic_cell_type``
    is that neuron's cell type, and the synapse connects only to its populations.

    Parameters
    ----------
    As ``sim.nestml.nestml_synapse_type`` on NEST; `postsynaptic_neuron_nestml_description`
    is required.

    Raises
    ------
    NoModelAvailableError without a postsynaptic neuron, or for a synapse the generator cannot
    translate (see :mod:`pyNN.nestml.synapse_program`), naming the construct.
    """
    from pyNN.nestml import frontend, types
    from pyNN.neuron.nestml_synapse_nmodl import refuse_without_neuron, stdp_slots_function
    from pyNN.neuron.standardmodels.synapses import NESTML_STDP_TARGETS
    from pyNN.standardmodels import build_translations
    if postsynaptic_neuron_nestml_description is None:
        refuse_without_neuron(synapse_name)
    made = {}

    def extra(model, program):
        made["program"] = program
        return {"native_name": "NetCon", "stdp_slots": stdp_slots_function(model, program), "weight_slots": (),
                "stochastic_kind": 0,
                "native_description": "NetCon whose weight vector holds the synapse's parameters and state, run by "
                                      "the postsynaptic neuron's mechanism at each pre-synaptic spike"}

    def cell_type(name, description):
        model = frontend.load_neuron(name, description)
        mechanism = build_mechanism(model, made["program"])
        if mechanism["name"] not in NESTML_STDP_TARGETS:
            NESTML_STDP_TARGETS.append(mechanism["name"])
        made["mechanism"] = mechanism["name"]
        return types.cell_type_class(model, mechanism["name"], extra=_cell_attrs(model, mechanism))

    cls = types.generated_synapse_type(BACKEND, synapse_name, nestml_description,
                                       postsynaptic_neuron_nestml_description, weight_variable, delay_variable,
                                       cell_type, extra, postsynaptic_variables, modulatory=True)
    cls.translations = build_translations(*[(n, n) for n in cls.default_parameters])
    cls.target_mechanisms = (made["mechanism"],)
    return cls


backend = BACKEND

#: the support matrix's entries (tools/support_matrix.py)
SUPPORT = {
    "neuron models": (True, "generated NMODL point process (exact propagators where odetoolbox finds them, RK4 "
                            "sub-steps otherwise), compiled with nrnivmodl into the NESTML cache"),
    "synapse models": (True, "plastic synapses generated into the NET_RECEIVE of their postsynaptic NESTML neuron's "
                             "mechanism (as NEST co-generates them); per-connection state in the NetCon weight "
                             "vector, run lazily at each pre spike; an update block doing more than integrate_odes() "
                             "runs per time step (k steps in one closed-form application when it composes)"),
    "synapse without a post port (tsodyks_synapse)": (
        True, "in the NET_RECEIVE of its postsynaptic NESTML neuron's mechanism (no post replay; t in a handler is "
              "the event's synapse time); onto the standard cells: NoModelAvailableError; Projection.initialize "
              "of its state: NoModelAvailableError (the connections start from the model's initial values)"),
    "synapse third factor (continuous port)": (
        True, "the mechanism keeps the postsynaptic variable's value at each of the cell's spikes beside their "
              "times; read by the replayed post handler"),
    "synapse extra spike ports (mod_spikes)": (
        True, "one NetCon per modulator cell and target cell (not per connection, gids: MPI works) stores each "
              "modulatory spike in the target's channel of the projection; the connections replay them with the post "
              "spikes at their next pre spike (flushed every 64 spikes of a channel); state read as of now; at most "
              "4 channels per cell, 128 spikes kept per channel (a warning counts lost ones)"),
    "synapse state (Projection.get/record of traces)": (
        True, "every state variable, from the NetCon weight vector, as of the connection's last pre spike (with an "
              "update block or modulatory ports: as of now, replayed on a copy by the mechanism)"),
}

__all__ = ["nestml_cell_type", "nestml_synapse_type"]
