"""Detect a launch of several processes (``mpirun``, ``mpiexec``, ``srun``) without MPI.

The library runs a network in one process. A script started with ``mpirun -np 4`` runs four
independent copies of itself; on a backend that does not distribute the network over the
processes, each copy would build and simulate the whole network, and every file would be
written four times. ``setup()`` therefore asks :func:`launched_processes` how many processes
the launcher started, and the backend refuses a number above one that it cannot use.

The number is read from environment variables that launchers set in every process they
start, so no MPI library (mpi4py) is imported, initialised or even needed. Checked, first
match wins:

============================  =======================================================
``OMPI_COMM_WORLD_SIZE``      Open MPI's ``mpirun``/``mpiexec`` (versions 1 to 5)
``PMI_SIZE``                  MPICH, Intel MPI and MVAPICH (Hydra launcher); Slurm's
                              ``srun --mpi=pmi2``
``MV2_COMM_WORLD_SIZE``       MVAPICH2's ``mpirun_rsh``
``SLURM_STEP_NUM_TASKS``      Slurm's ``srun`` (the tasks of one job step; a batch script
                              that runs ``python`` itself is one task, not a step of N)
``MPI_LOCALNRANKS``           MPICH's Hydra: processes on this node (a lower bound)
============================  =======================================================

``SLURM_NTASKS`` is deliberately not used: ``sbatch --ntasks=N`` sets it in the batch script
too, where ``python script.py`` runs once. PMIx-only launchers that set none of the above
(e.g. ``prun`` without Open MPI) are not detected.
"""

import os

from pyNN import errors

#: environment variables that give the number of processes started, in the order checked
SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE",
                  "SLURM_STEP_NUM_TASKS", "MPI_LOCALNRANKS")


def launched_processes(environ=None):
    """How many processes the launcher started, and the variable that says so.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read (default: ``os.environ``).

    Returns
    -------
    (int, str or None)
        The number of processes (1 if no launcher variable is set) and the name of the
        variable it was read from (None if none was set). Values that are not positive
        integers are skipped.
    """
    environ = os.environ if environ is None else environ
    for name in SIZE_VARIABLES:
        value = str(environ.get(name, "")).strip()
        if value.isdigit() and int(value) > 0:
            return int(value), name
    return 1, None


def refuse_processes(backend, n, source, reason, instead):
    """The error ``setup()`` raises when `backend` cannot use the `n` launched processes.

    Parameters
    ----------
    backend : str
        The backend's name, as users see it (e.g. ``"Brian2"``).
    n : int
        Number of processes launched.
    source : str
        The environment variable `n` was read from.
    reason : str
        Why the backend cannot use them (one sentence, no final full stop).
    instead : str
        What to do instead (one sentence, no final full stop).
    """
    return errors.NotSupportedError(
        f"setup(): this script was launched as {n} processes ({source}={n}, e.g. by "
        f"mpirun/mpiexec/srun), but {reason}: every process would build and simulate its own "
        f"copy of the whole network. {instead}.")


def check_launch(state, environ=None):
    """Refuse, before anything is built, a multi-process launch that `state`'s backend cannot
    use (see :meth:`pyNN.common.control.BaseState.check_processes`)."""
    n, source = launched_processes(environ)
    if n > 1:
        state.check_processes(n, source)
