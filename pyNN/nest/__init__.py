"""NEST backend: ``import pyNN.nest as sim``.

Everything that is the same for every simulator comes from the core (``pyNN.common``
and friends); this package only translates and delegates to NEST 3.
"""

import os

os.environ.setdefault("PYNEST_QUIET", "1")  # no NEST banner on import

import nest  # noqa: F401 - exported as sim.nest, like PyNN

from pyNN import errors, random, space  # noqa: F401
from pyNN import recording  # noqa: F401
from pyNN.common import control as _control
from pyNN.common import procedural_api
from pyNN.connectors import (  # noqa: F401
    AllToAllConnector, ArrayConnector, CloneConnector, DisplacementDependentProbabilityConnector,
    DistanceDependentProbabilityConnector, FixedNumberPostConnector, FixedNumberPreConnector,
    FixedProbabilityConnector, FixedTotalNumberConnector, FromFileConnector, FromListConnector,
    IndexBasedProbabilityConnector, OneToOneConnector,
)
from pyNN.core import IndexBasedExpression  # noqa: F401
from pyNN.nest import simulator
from pyNN.nest.current_sources import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource  # noqa: F401
from pyNN.nest.native import native_cell_type, native_electrode_type, native_synapse_type  # noqa: F401
from pyNN.nest.populations import Assembly, Population, PopulationView  # noqa: F401
from pyNN.nest.projections import Projection
from pyNN.nest.standardmodels.cells import *  # noqa: F403
from pyNN.nest.standardmodels.synapses import *  # noqa: F403
from pyNN.network import Network  # noqa: F401
from pyNN.parameters import ArrayParameter, LazyArray, ParameterSpace, Sequence  # noqa: F401
from pyNN.random import GSLRNG, NativeRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType, StandardCurrentSource, build_translations  # noqa: F401

from pyNN.common import control, procedural_api as _procedural  # noqa: F401
from pyNN.nest import populations, projections  # noqa: F401
from pyNN.nest.recording import Recorder  # noqa: F401
from pyNN.nest.standardmodels import cells, electrodes, synapses  # noqa: F401
from pyNN.standardmodels.cells import SpikeSourceInhGamma  # noqa: F401

NativeCellType = StandardCellType
haveCSA = False

state = simulator.state

_funcs = _control.build_control(state, "NEST")
setup = _funcs["setup"]
end = _funcs["end"]
run = _funcs["run"]
run_for = _funcs["run_for"]
run_until = _funcs["run_until"]
reset = _funcs["reset"]
get_current_time = _funcs["get_current_time"]
get_time_step = _funcs["get_time_step"]
get_min_delay = _funcs["get_min_delay"]
get_max_delay = _funcs["get_max_delay"]
num_processes = _funcs["num_processes"]
rank = _funcs["rank"]

create = procedural_api.build_create(Population)
connect = procedural_api.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)  # noqa: F405
set = procedural_api.set
initialize = procedural_api.initialize
record, record_v, record_gsyn = procedural_api.build_record(simulator)


def list_standard_models():
    """Names of the standard cell types that NEST can simulate here."""
    from pyNN.nest.standardmodels import cells as _cells
    return [cls.__name__ for cls in _cells.STANDARD_CELL_TYPES if cls.nest_name]
