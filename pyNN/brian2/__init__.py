"""Brian2 backend: ``import pyNN.brian2 as sim``.

Everything that is the same for every simulator comes from the core (``pyNN.common``
and friends); this package describes the standard models as Brian2 equations and moves
arrays into and out of Brian2 objects (one NeuronGroup per population, one Synapses
object per projection). See simulator.py for the time grid, code generation and reset.
What the module exports is defined once for every backend (:mod:`pyNN.common.exports`);
Brian2 adds its units.
"""

from brian2 import Hz, mV, ms, nA, nF, nS, uS  # noqa: F401 - exported like PyNN's brian2 backend

from pyNN.common import exports as _exports

globals().update(_exports.backend_exports(__name__))
from pyNN.brian2 import nestml  # noqa: E402,F401 - sim.nestml.nestml_cell_type(...)
from pyNN.common.native import unsupported_native_types  # noqa: E402

globals().update(unsupported_native_types(
    "Brian2", "Use the standard cell, synapse and "
    "current-source types (or PointNeuron for composed models)."))
