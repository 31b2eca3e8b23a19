"""Memory available to the process, and the up-front check of large requests.

A connector that can tell how many connections it will make is asked before it generates
any of them (and a backend whose delay buffers grow with the longest delay checks them when a
projection is made); a request that cannot fit in the memory available is refused at once, with a
pyNN error, instead of filling memory for a long time before numpy's MemoryError (or the
kernel's out-of-memory killer) ends the process.
"""

import os

import numpy as np

from pyNN import errors

#: bytes the core keeps per connection in the best case: two indices of the smallest type
#: (``pyNN.core.index_dtype``); the simulator's own copy comes on top
MIN_BYTES_PER_CONNECTION = 4


def available_memory():
    """Bytes of memory the process can still use, or None if it cannot be told.

    Reads ``MemAvailable`` from ``/proc/meminfo`` (Linux); falls back on the number of
    free physical pages (``os.sysconf``) elsewhere.
    """
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def _gigabytes(n_bytes):
    return f"{n_bytes / 1e9:.3g} GB"


def check_connection_memory(n_connections, owner, connector_name, available=None):
    """Refuse `n_connections` (an estimate made before generating them) if even the smallest
    storage they need exceeds the memory available.

    Parameters
    ----------
    n_connections : float
        Expected number of connections.
    owner : str
        The projection's description, for the message.
    connector_name : str
        The connector's class name, for the message.
    available : int, optional
        Bytes available (default: :func:`available_memory`).

    Raises
    ------
    pyNN.errors.ResourceExhaustedError
    """
    check_memory(float(n_connections) * MIN_BYTES_PER_CONNECTION,
                 f"about {float(n_connections):.3g} connections from {connector_name}", owner,
                 "use smaller populations or a sparser connector, or connect in several "
                 "projections between views if the network really needs that many connections",
                 available)


def check_memory(needed, what, owner, suggestion, available=None):
    """Refuse a request that needs `needed` bytes (an estimate made before anything is
    allocated) if that exceeds the memory available; no check if it cannot be told.

    Parameters
    ----------
    needed : float
        Bytes the request needs at the least.
    what : str
        What needs them, for the message (e.g. "delay buffers of 1e10 steps").
    owner : str
        The object making the request (e.g. "Projection 'exc'"), for the message.
    suggestion : str
        What the user can change.
    available : int, optional
        Bytes available (default: :func:`available_memory`).

    Raises
    ------
    pyNN.errors.ResourceExhaustedError
    """
    if available is None:
        available = available_memory()
    if available is None or needed <= available:
        return
    raise errors.ResourceExhaustedError(
        "memory", f"at least {_gigabytes(needed)} ({what})", _gigabytes(available), obj=owner,
        suggestion=suggestion)


#: bytes the core keeps per recorded sample of a signal (a float64)
BYTES_PER_SAMPLE = 8


def check_recording_memory(recorders, n_steps, dt, available=None):
    """Refuse a run of `n_steps` steps of `dt` ms whose recorded signals (state variables, not
    spikes, whose number cannot be told) cannot fit in the memory available, before it starts.

    Parameters
    ----------
    recorders : list of pyNN.recording.Recorder
        The recorders of every population.
    n_steps : int
        Steps the run will simulate.
    dt : float
        Time step (ms).
    available : int, optional
        Bytes available (default: :func:`available_memory`).

    Raises
    ------
    pyNN.errors.ResourceExhaustedError
    """
    needed, largest, largest_label = 0.0, 0.0, None
    for recorder in recorders:
        cells = sum(int(np.count_nonzero(mask)) for name, mask in recorder.recorded.items() if name != "spikes")
        if cells == 0:
            continue
        interval = max(1, round((recorder.sampling_interval or dt) / dt))
        n_bytes = float(cells) * (n_steps // interval + 1) * BYTES_PER_SAMPLE
        needed += n_bytes
        if n_bytes > largest:
            largest, largest_label = n_bytes, recorder.population.label
    if needed == 0:
        return
    check_memory(needed, f"the signals recorded over a run of {n_steps * dt:g} ms; the largest share, "
                         f"{_gigabytes(largest)}, from population '{largest_label}'",
                 f"run({n_steps * dt:g})",
                 "run in shorter parts and write or clear the data between them (get_data(clear=True), "
                 "write_data(..., clear=True)), record fewer cells or variables, or record with a "
                 "longer sampling_interval", available)
