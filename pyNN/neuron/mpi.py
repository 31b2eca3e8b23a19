"""NEURON over MPI: make NEURON's ParallelContext use the processes started by ``mpirun``.

NEURON's wheel is built with MPI loaded at run time: ``h.nrnmpi_init()`` opens an MPI
library and joins the processes. It looks for the library on the system's search path
only, so under ``mpirun`` MPI is first initialised through mpi4py (from the MPI wheel
installed with the library, or the system's MPI) and NEURON is handed the path of the
library mpi4py loaded. This happens when ``pyNN.neuron`` is imported, before NEURON
creates any ParallelContext; ``setup()`` then checks that NEURON sees every process
(:func:`world_for`).
"""

import os

from pyNN import errors
from pyNN.common import distributed, mpi_guard


def init_mpi():
    """Under a launch of several processes, initialise MPI and let NEURON join it.

    Returns True if NEURON was asked to use MPI. Without mpi4py nothing is done here and
    ``setup()`` refuses with the reason.
    """
    n, _ = mpi_guard.launched_processes()
    if n <= 1:
        return False
    try:
        from mpi4py import MPI  # noqa: F401 - importing it initialises MPI
    except ImportError:
        return False
    library = distributed.loaded_mpi_library()
    if library:
        os.environ.setdefault("MPI_LIB_NRN_PATH", library)
    from neuron import h
    h.nrnmpi_init()
    return True


def world_for(n, source, pc):
    """The processes of this run (a :class:`~pyNN.common.distributed.World`), checked to be
    the same for MPI (mpi4py) and for NEURON's ParallelContext `pc`."""
    world = distributed.start(n, source, "NEURON")
    if int(pc.nhost()) != world.size:
        raise errors.NotSupportedError(
            f"setup(): this script was launched as {n} processes ({source}={n}) and MPI sees them, but "
            f"NEURON's ParallelContext has {int(pc.nhost())} (NEURON could not load the MPI library; "
            f"set MPI_LIB_NRN_PATH to the full path of libmpi.so, or import pyNN.neuron before "
            f"anything else creates a NEURON ParallelContext)")
    return world
