"""The user-facing objects and control functions, written once for every backend."""

from pyNN.common.control import BaseState, build_control  # noqa: F401
from pyNN.common.populations import ID, Assembly, BasePopulation, Population, PopulationView  # noqa: F401
from pyNN.common.projections import Connection, Projection  # noqa: F401
