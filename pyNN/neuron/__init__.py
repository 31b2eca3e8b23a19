"""NEURON backend: ``import pyNN.neuron as sim``.

Everything that is the same for every simulator comes from the core (``pyNN.common``
and friends); this package only translates and delegates to NEURON 9. The cell
mechanisms (``nmodl/*.mod``) are compiled on first use into a per-user cache (see
:mod:`pyNN.neuron.mechanisms`). What the module exports is defined once for every
backend (:mod:`pyNN.common.exports`); NEURON adds ``sim.h``.
"""

import os

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")  # no "no DISPLAY" banner on import

from pyNN.common import exports as _exports
from pyNN.neuron.mpi import init_mpi as _init_mpi

_init_mpi()  # under mpirun: before NEURON makes any ParallelContext

from neuron import h  # noqa: E402, F401 - exported as sim.h, like PyNN
from pyNN.neuron import nestml  # noqa: E402, F401 - sim.nestml: NESTML neurons as NMODL mechanisms

globals().update(_exports.backend_exports(__name__))
from pyNN.neuron.native import IntFire1, IntFire2, IntFire4, NativeCellType  # noqa: E402, F401 - NEURON artificial cells
from pyNN.common.native import unsupported_native_types  # noqa: E402

globals().update(unsupported_native_types(
    "NEURON", "NEURON's artificial cells are available as IntFire1, IntFire2 "
    "and IntFire4; otherwise use the standard types or PointNeuron."))
