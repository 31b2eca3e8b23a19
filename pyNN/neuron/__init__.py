"""NEURON backend: ``import pyNN.neuron as sim``.

Everything that is the same for every simulator comes from the core (``pyNN.common``
and friends); this package only translates and delegates to NEURON 9. The cell
mechanisms (``nmodl/*.mod``) are compiled on first use into a per-user cache (see
:mod:`pyNN.neuron.mechanisms`).
"""

import os

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")  # no "no DISPLAY" banner on import

from neuron import h  # noqa: F401 - exported as sim.h, like PyNN

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
from pyNN.nestml import NESTMLUnavailable
from pyNN.neuron import simulator
from pyNN.neuron.current_sources import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource  # noqa: F401
from pyNN.neuron.populations import Assembly, Population, PopulationView  # noqa: F401
from pyNN.neuron.projections import Projection
from pyNN.neuron.standardmodels.cells import *  # noqa: F403
from pyNN.neuron.standardmodels.synapses import *  # noqa: F403
from pyNN.network import Network  # noqa: F401
from pyNN.parameters import ArrayParameter, LazyArray, ParameterSpace, Sequence  # noqa: F401
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType, StandardCurrentSource, build_translations  # noqa: F401

from pyNN.common import control, procedural_api  # noqa: F401
from pyNN.neuron import populations, projections  # noqa: F401
from pyNN.neuron.recording import Recorder  # noqa: F401
from pyNN.neuron.standardmodels import cells, electrodes, synapses  # noqa: F401

state = simulator.state
nestml = NESTMLUnavailable("NEURON")  # sim.nestml: no NESTML generator on this backend yet

globals().update(backend_api(simulator, Population, Projection, FixedProbabilityConnector, StaticSynapse))  # noqa: F405


def list_standard_models():
    """Names of the standard cell types that NEURON can simulate here."""
    from pyNN.neuron.standardmodels import cells as _cells
    return [cls.__name__ for cls in _cells.STANDARD_CELL_TYPES if cls.native_name]
