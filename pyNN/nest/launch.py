"""Refuse a multi-process launch (mpirun) of a NEST without MPI before NEST is imported.

A NEST built without MPI (the PyPI wheel) ends the whole process when it is imported
under an MPI launcher, with a message of its own. So ``import pyNN.nest`` checks first,
without importing NEST: the launcher's variables say how many processes were started
(:mod:`pyNN.common.mpi_guard`), and NEST's compiled kernel names the MPI library it is
linked against only if it was built with MPI.
"""

import importlib.util
from pathlib import Path

from pyNN.common import mpi_guard


def refusal_without_mpi(n, source, version=""):
    """The error for a launch of `n` processes with a NEST built without MPI."""
    return mpi_guard.refuse_processes(
        "NEST", n, source,
        f"the installed NEST {version}is built without MPI (as the PyPI wheel is), "
        f"so it would run {n} copies of the whole network",
        "Run the script as one process and use setup(threads=T) for several cores, or "
        "install an MPI-enabled NEST (built from source with -Dwith-mpi=ON, see the "
        "'Running on a cluster' page of the documentation)")


def kernel_links_mpi():
    """Whether NEST's compiled Python kernel module is linked against an MPI library, found
    without importing NEST (None if the module cannot be found)."""
    spec = importlib.util.find_spec("nest")
    if spec is None or not spec.submodule_search_locations:
        return None
    kernels = [p for folder in spec.submodule_search_locations for p in Path(folder).glob("nestkernel_api*.so")]
    if not kernels:
        return None
    # an MPI build names its MPI library (libmpi.so.N, libmpi_cxx...) among the needed libraries
    return any(b"libmpi" in kernel.read_bytes() for kernel in kernels)


def check_import():
    """Raise NotSupportedError under a launch of several processes if NEST has no MPI."""
    n, source = mpi_guard.launched_processes()
    if n > 1 and kernel_links_mpi() is False:
        raise refusal_without_mpi(n, source)
