"""The time-stepped simulation engine of the hardware-emulation backend.

Vectorised over the cells of a group (numpy), event-driven over synapses (CSR rows per
presynaptic cell and a ring buffer of delays per receptor), with compiled (numba)
kernels for the common groups and for spike delivery when numba is installed.

:mod:`~pyNN.hardware.engine.models` says which group simulates which cell type,
:mod:`~pyNN.hardware.engine.s1615` holds the integer groups of the SpiNNaker profile and
:mod:`~pyNN.hardware.engine.wiring` gives the engine the network that the mapping realised.
"""

from pyNN.hardware.engine.core import Block, Engine  # noqa: F401
from pyNN.hardware.engine.kernels import HAVE_NUMBA, set_use_numba, use_numba  # noqa: F401
from pyNN.hardware.engine.models import ENGINE_MODELS, build_group  # noqa: F401
