"""The user-facing objects and control functions, written once for every backend."""

from pyNN.common.control import BaseState, build_control  # noqa: F401
from pyNN.common.populations import ID, Assembly, BasePopulation, Population, PopulationView  # noqa: F401
from pyNN.common.projections import Connection, Projection  # noqa: F401


def backend_api(simulator, population_class, projection_class, connector_class, static_synapse_class):
    """Every module-level function a backend exports (setup, run, reset, ..., and the
    procedural API), bound to that backend's classes and state.

    A backend's ``__init__`` does ``globals().update(backend_api(...))``.
    """
    from pyNN.common import procedural_api

    api = build_control(simulator.state, simulator.state.backend_name)
    api["create"] = procedural_api.build_create(population_class)
    api["connect"] = procedural_api.build_connect(projection_class, connector_class, static_synapse_class)
    api["set"] = procedural_api.set
    api["initialize"] = procedural_api.initialize
    api["record"], api["record_v"], api["record_gsyn"] = procedural_api.build_record(simulator)
    return api
