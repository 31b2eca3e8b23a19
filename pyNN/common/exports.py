"""What ``import pyNN.<backend> as sim`` provides, defined once for every backend.

A backend package ends its ``__init__`` with ``globals().update(backend_exports(__name__))``
and adds only what is its own (e.g. ``sim.nest``, ``sim.h``, Brian2's units). The names
come from three places:

- the core: connectors, parameters, random numbers, space, errors (:data:`CORE_NAMES`);
- the backend's classes of the standard types and of the user-facing objects, looked up
  by name in the backend's own modules (:func:`exported_objects`);
- the module-level functions built by :func:`pyNN.common.backend_api` for the backend's
  state and classes (setup, run, reset, ..., the procedural API), plus
  ``list_standard_models``.

So that backends cannot drift apart, the lists here are the only ones: a backend that
lacks a class for a standard name simply does not export it, which the tests catch.
"""

import importlib

from pyNN.common import backend_api
from pyNN.standardmodels import cells, electrodes, synapses

#: objects of the core exported by every backend module under the same names
CORE_NAMES = {
    "pyNN.connectors": (
        "AllToAllConnector", "ArrayConnector", "CloneConnector", "Connector", "CSAConnector",
        "DisplacementDependentProbabilityConnector", "DistanceDependentProbabilityConnector",
        "FixedNumberPostConnector", "FixedNumberPreConnector", "FixedProbabilityConnector",
        "FixedTotalNumberConnector", "FromFileConnector", "FromListConnector",
        "IndexBasedProbabilityConnector", "OneToOneConnector", "SmallWorldConnector", "haveCSA",
    ),
    "pyNN.core": ("IndexBasedExpression",),
    "pyNN.network": ("Network",),
    "pyNN.parameters": ("ArrayParameter", "LazyArray", "ParameterSpace", "Sequence"),
    "pyNN.random": ("GSLRNG", "NativeRNG", "NumpyRNG", "RandomDistribution"),
    "pyNN.space": ("Space",),
    "pyNN.standardmodels": ("StandardCellType", "StandardCurrentSource", "build_translations"),
    # the builder of the module-level functions has always been visible as sim.backend_api
    "pyNN.common": ("backend_api",),
}

#: core modules exported as ``sim.<name>``
CORE_MODULES = ("pyNN.errors", "pyNN.random", "pyNN.space", "pyNN.common.control",
                "pyNN.common.procedural_api")

#: the user-facing classes every backend defines (in its populations, projections and
#: recording modules)
OBJECT_CLASSES = ("Population", "PopulationView", "Assembly", "Projection", "Recorder")

#: the rooms of a backend package (see ARCHITECTURE.md), exported as ``sim.<room>``
ROOMS = ("simulator", "populations", "projections", "recording", "current_sources")
MODEL_ROOMS = ("cells", "synapses", "electrodes")


def standard_type_names():
    """Names of the model classes every backend exports: the standard cell types with the
    PointNeuron components, the synapse types and the current sources."""
    return list(cells.__all__) + list(synapses.BACKEND_NAMES) + list(electrodes.__all__)


def exported_objects(simulator, *sources):
    """The objects (not the backend's modules) that a backend module exports.

    Parameters
    ----------
    simulator : module
        The backend's simulator module (with ``state``).
    *sources : modules or namespaces
        Where the backend's classes are looked up by name, first match wins: the module
        of its current sources must come before its translation tables, whose classes
        of the same names only translate.

    Returns
    -------
    dict
        name -> object, for ``globals().update()``.
    """
    namespace = {}
    for module_name, names in CORE_NAMES.items():
        module = importlib.import_module(module_name)
        namespace.update({name: getattr(module, name) for name in names})
    for module_name in CORE_MODULES:
        namespace[module_name.rpartition(".")[2]] = importlib.import_module(module_name)
    namespace["NativeCellType"] = namespace["StandardCellType"]  # PyNN's alias
    for name in standard_type_names() + list(OBJECT_CLASSES):
        found = next((getattr(source, name) for source in sources if hasattr(source, name)), None)
        if found is not None:
            namespace[name] = found
    namespace["simulator"] = simulator
    namespace["state"] = simulator.state
    namespace.update(backend_api(simulator, namespace["Population"], namespace["Projection"],
                                 namespace["FixedProbabilityConnector"], namespace["StaticSynapse"]))
    namespace["list_standard_models"] = _list_standard_models(namespace)
    return namespace


def backend_exports(package):
    """Everything ``import <package> as sim`` provides, for a backend package laid out in
    the standard rooms (``simulator``, ``populations``, ..., ``standardmodels/cells``...).

    The rooms themselves are exported too (``sim.simulator``, ``sim.recording``,
    ``sim.cells``...), as Python makes submodules attributes of their package anyway.
    """
    rooms = {room: importlib.import_module(f"{package}.{room}") for room in ROOMS}
    models = {kind: importlib.import_module(f"{package}.standardmodels.{kind}") for kind in MODEL_ROOMS}
    namespace = exported_objects(rooms["simulator"], rooms["current_sources"], rooms["populations"],
                                 rooms["projections"], rooms["recording"], models["cells"], models["synapses"])
    namespace.update(rooms)
    namespace.update(models)
    namespace["standardmodels"] = importlib.import_module(f"{package}.standardmodels")
    return namespace


def _list_standard_models(namespace):
    def list_standard_models():
        """Names of the standard cell types this backend can simulate."""
        return [cls.__name__ for cls in cells.STANDARD_CELL_TYPES
                if getattr(namespace.get(cls.__name__), "native_name", None)]
    return list_standard_models
