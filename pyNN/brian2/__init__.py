"""Brian2 backend: ``import pyNN.brian2 as sim``.

Everything that is the same for every simulator comes from the core (``pyNN.common``
and friends); this package describes the standard models as Brian2 equations and moves
arrays into and out of Brian2 objects (one NeuronGroup per population, one Synapses
object per projection). See simulator.py for the time grid, code generation and reset.
"""

from brian2 import Hz, mV, ms, nA, nF, nS, uS  # noqa: F401 - exported like PyNN's brian2 backend

from pyNN import errors, random, space  # noqa: F401
from pyNN import recording  # noqa: F401
from pyNN.brian2 import simulator
from pyNN.brian2.current_sources import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource  # noqa: F401
from pyNN.brian2.populations import Assembly, Population, PopulationView  # noqa: F401
from pyNN.brian2.projections import Projection
from pyNN.brian2.standardmodels.cells import *  # noqa: F403
from pyNN.brian2.standardmodels.synapses import *  # noqa: F403
from pyNN.common import backend_api
from pyNN.connectors import (  # noqa: F401
    AllToAllConnector, ArrayConnector, CloneConnector, CSAConnector, DisplacementDependentProbabilityConnector,
    DistanceDependentProbabilityConnector, FixedNumberPostConnector, FixedNumberPreConnector,
    FixedProbabilityConnector, FixedTotalNumberConnector, FromFileConnector, FromListConnector,
    IndexBasedProbabilityConnector, OneToOneConnector, SmallWorldConnector, haveCSA,
)
from pyNN.core import IndexBasedExpression  # noqa: F401
from pyNN.nestml import NESTMLUnavailable
from pyNN.network import Network  # noqa: F401
from pyNN.parameters import ArrayParameter, LazyArray, ParameterSpace, Sequence  # noqa: F401
from pyNN.random import GSLRNG, NativeRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType, StandardCurrentSource, build_translations  # noqa: F401

from pyNN.common import control, procedural_api  # noqa: F401
from pyNN.brian2 import populations, projections  # noqa: F401
from pyNN.brian2.recording import Recorder  # noqa: F401
from pyNN.brian2.standardmodels import cells, electrodes, synapses  # noqa: F401

state = simulator.state
nestml = NESTMLUnavailable("Brian2")  # sim.nestml: no NESTML generator on this backend yet

globals().update(backend_api(simulator, Population, Projection, FixedProbabilityConnector, StaticSynapse))  # noqa: F405


def list_standard_models():
    """Names of the standard cell types that Brian2 can simulate here."""
    return [cls.__name__ for cls in cells.STANDARD_CELL_TYPES if cls.native_name]
