"""Threads of the engine (``setup(threads=T)``): cell ranges run in parallel.

The compiled kernels (:mod:`pyNN.hardware.engine.kernels`) release the GIL and take a
range ``lo..hi-1`` of cells. A :class:`ThreadTeam` splits a group's cells into contiguous
ranges and runs one range per thread. Results do not depend on T:

- a cell's update reads and writes only that cell's state, so which thread does it and
  when makes no difference;
- the spiking cells of the ranges are put together in range order, i.e. in increasing
  cell index, as in one thread;
- spike delivery is split by *target* cell: every thread walks all the spiking rows in the
  same order and adds only the weights of its own targets, so each ring-buffer element
  receives its weights in the same order as in one thread (float sums are bit for bit the
  same). The static deliveries of a step are handed over together, with the next step's
  update of the same cell ranges when every group has a fused kernel (``Engine._pending``);
  a non-static delivery (plastic, stochastic, rate-limited) first waits for them, so every
  element still receives its weights in the order of one thread.

Handing work to a thread costs some tens of microseconds, so a loop is split only when
each thread gets at least :attr:`ThreadTeam.min_cells` cells (deliveries: at least
:attr:`ThreadTeam.min_events` connections); small networks run as with T = 1.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

#: default smallest number of cells per thread for a split update of a group
MIN_CELLS_PER_THREAD = 4000
#: default smallest number of connections per thread for a split spike delivery
MIN_EVENTS_PER_THREAD = 8000


class ThreadTeam:
    """`n_threads` threads (the calling one and n_threads - 1 workers, started on first use)."""

    def __init__(self, n_threads=1):
        self.n_threads = int(n_threads)
        self.min_cells = MIN_CELLS_PER_THREAD
        self.min_events = MIN_EVENTS_PER_THREAD
        self._pool = None

    def parts(self, amount, minimum):
        """Number of ranges for `amount` of work, each at least `minimum` (1 to n_threads)."""
        if self.n_threads == 1:
            return 1
        return int(max(1, min(self.n_threads, amount // max(1, minimum))))

    def run(self, part, n, parts):
        """Call ``part(lo, hi)`` on `parts` contiguous ranges of 0..n-1, in parallel;
        returns the results in range order."""
        if parts <= 1:
            return [part(0, n)]
        bounds = [n * k // parts for k in range(parts + 1)]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.n_threads - 1, thread_name_prefix="pyNN-hardware")
        futures = [self._pool.submit(part, bounds[k], bounds[k + 1]) for k in range(1, parts)]
        results = [part(bounds[0], bounds[1])]
        results.extend(f.result() for f in futures)
        return results

    def spikes_of_groups(self, jobs):
        """One step of several groups in one hand-over to the threads. `jobs`: (part, n, out)
        per group, ``count = part(lo, hi)`` stepping its cells lo..hi-1 and writing the spiking
        ones to ``out[lo:lo + count]``. Each group is cut into as many ranges as pay (see
        parts); thread k does range k of every group. Returns each group's spiking cells, in
        increasing order."""
        plans = [(part, n, out, self.parts(n, self.min_cells)) for part, n, out in jobs]
        width = max(p for *_, p in plans)

        def work(k, _):
            return [part(n * k // p, n * (k + 1) // p) if k < p else 0 for part, n, _, p in plans]
        counts = self.run(work, width, width)  # range k of 0..width-1 is k..k+1
        fired = []
        for j, (_, n, out, p) in enumerate(plans):
            if p == 1:
                fired.append(out[:counts[0][j]])
            else:
                fired.append(np.concatenate([out[n * k // p:n * k // p + counts[k][j]] for k in range(p)]))
        return fired

    def close(self):
        """Stop the worker threads (a later run starts them again)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
