"""NEST backend: ``import pyNN.nest as sim``.

Everything that is the same for every simulator comes from the core (``pyNN.common``
and friends); this package only translates and delegates to NEST 3.
"""

import os

os.environ.setdefault("PYNEST_QUIET", "1")  # no NEST banner on import

import nest  # noqa: F401 - exported as sim.nest, like PyNN

from pyNN import errors, random, space  # noqa: F401
from pyNN import recording  # noqa: F401
from pyNN.common import backend_api
from pyNN.connectors import (  # noqa: F401
    AllToAllConnector, ArrayConnector, CloneConnector, CSAConnector, DisplacementDependentProbabilityConnector,
    DistanceDependentProbabilityConnector, FixedNumberPostConnector, FixedNumberPreConnector,
    FixedProbabilityConnector, FixedTotalNumberConnector, FromFileConnector, FromListConnector,
    IndexBasedProbabilityConnector, OneToOneConnector, SmallWorldConnector, haveCSA,
)
from pyNN.core import IndexBasedExpression  # noqa: F401
from pyNN.nest import simulator
from pyNN.nest.current_sources import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource  # noqa: F401
from pyNN.nest.native import native_cell_type, native_electrode_type, native_synapse_type  # noqa: F401
from pyNN.nest import nestml  # noqa: F401 - sim.nestml.nestml_cell_type(...), as in PyNN 0.13
from pyNN.nest.populations import Assembly, Population, PopulationView  # noqa: F401
from pyNN.nest.projections import Projection
from pyNN.nest.standardmodels.cells import *  # noqa: F403
from pyNN.nest.standardmodels.synapses import *  # noqa: F403
from pyNN.network import Network  # noqa: F401
from pyNN.parameters import ArrayParameter, LazyArray, ParameterSpace, Sequence  # noqa: F401
from pyNN.random import GSLRNG, NativeRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType, StandardCurrentSource, build_translations  # noqa: F401

from pyNN.common import control, procedural_api  # noqa: F401
from pyNN.nest import populations, projections  # noqa: F401
from pyNN.nest.recording import Recorder  # noqa: F401
from pyNN.nest.standardmodels import cells, electrodes, synapses  # noqa: F401
from pyNN.standardmodels.cells import SpikeSourceInhGamma  # noqa: F401

NativeCellType = StandardCellType

state = simulator.state

globals().update(backend_api(simulator, Population, Projection, FixedProbabilityConnector, StaticSynapse))  # noqa: F405


def list_standard_models():
    """Names of the standard cell types that NEST can simulate here."""
    from pyNN.nest.standardmodels import cells as _cells
    return [cls.__name__ for cls in _cells.STANDARD_CELL_TYPES if cls.nest_name]
