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

The workers are persistent threads, each waiting on a lock of its own (:class:`_Worker`):
a hand-over is one lock release to wake the worker and one lock acquire to wait for its
result, with no Future, queue or condition variable per call. It still costs some
microseconds of waking a sleeping thread, so a loop is split only when each thread gets at
least :attr:`ThreadTeam.min_cells` cells (deliveries: at least :attr:`ThreadTeam.min_events`
connections); small networks run as with T = 1.
"""

import os
import threading

import numpy as np

#: default smallest number of cells per thread for a split update of a group
MIN_CELLS_PER_THREAD = 4000
#: default smallest number of connections per thread for a split spike delivery
MIN_EVENTS_PER_THREAD = 8000
#: busy-wait iterations of an idle OpenMP thread of numba's before it sleeps (GNU OpenMP's
#: GOMP_SPINCOUNT; see ThreadTeam.use_numba_threads)
SPIN_COUNT = 10000


class _Worker:
    """One persistent thread that runs the jobs it is given, one at a time.

    Two locks make the hand-over: the caller releases `_go` after setting the job, the
    worker releases `_done` when the job has run. A thread blocked on a lock holds
    neither the GIL nor a core."""

    def __init__(self, name):
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._job = None
        self._result = None
        self._error = None
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _loop(self):
        while True:
            self._go.acquire()
            job = self._job
            if job is None:
                return
            try:
                self._result = job()
            except BaseException as error:  # handed to the caller by result()
                self._error = error
            self._job = None
            self._done.release()

    def start(self, job):
        """Run ``job()`` in this worker's thread (the previous job must be finished)."""
        self._job = job
        self._go.release()

    def result(self):
        """Wait for the job and return its result (or raise its exception)."""
        self._done.acquire()
        error, self._error = self._error, None
        result, self._result = self._result, None
        if error is not None:
            raise error
        return result

    def stop(self):
        self._job = None
        self._go.release()
        self._thread.join()


def _other_openmp_loaded():
    """True if a wheel's own copy of GNU OpenMP (auditwheel names it libgomp-<hash>, as in
    NEST's wheel) is loaded in this process (Linux; False where that cannot be told)."""
    try:
        with open("/proc/self/maps") as maps:
            return "/libgomp-" in maps.read()
    except OSError:
        return False


def _range_job(part, lo, hi):
    return lambda: part(lo, hi)


class ThreadTeam:
    """`n_threads` threads (the calling one and n_threads - 1 workers, started on first use)."""

    def __init__(self, n_threads=1):
        self.n_threads = int(n_threads)
        self.min_cells = MIN_CELLS_PER_THREAD
        self.min_events = MIN_EVENTS_PER_THREAD
        self._workers = []
        self._numba_split = False

    @property
    def started(self):
        """True once work has been split over threads: handed to the worker threads, or
        run by numba's threads (the fused path), until close()."""
        return bool(self._workers) or self._numba_split

    def use_numba_threads(self, parts):
        """Let numba's parallel loops of this thread use up to `parts` threads (at most as
        many as numba started: ``numba.config.NUMBA_NUM_THREADS``).

        Unless the environment sets ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT``, numba's
        OpenMP threads wait for the next step busily for a bounded time
        (``GOMP_SPINCOUNT`` = :data:`SPIN_COUNT`, read when numba starts its threads), then
        sleep. Between two steps' parallel regions lies only the step's short serial part, so
        a thread that spins through it starts the next step without a wake-up (tens of
        microseconds per step when it sleeps at once, ``OMP_WAIT_POLICY=passive``); the bound
        keeps a waiting thread from holding a core for long when the machine has other work
        (GNU OpenMP's own default spins far longer; measured in benchmarks/README.md)."""
        import numba
        if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
            os.environ["GOMP_SPINCOUNT"] = str(SPIN_COUNT)
        if _other_openmp_loaded():
            # PyNEST loads its wheel's own GNU OpenMP with RTLD_GLOBAL: numba's OpenMP layer
            # would then bind partly to that copy, and NEST crashed later (ResetKernel) in
            # such a process; numba's own thread pool has no OpenMP (its launches cost more).
            # No effect once numba's threads have started.
            numba.config.THREADING_LAYER = "workqueue"
        numba.set_num_threads(max(1, min(parts, self.n_threads, numba.config.NUMBA_NUM_THREADS)))
        self._numba_split = True

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
        if not self._workers:
            self._workers = [_Worker(f"pyNN-hardware-{k}") for k in range(1, self.n_threads)]
        helpers = self._workers[:parts - 1]
        for k, worker in enumerate(helpers, start=1):
            worker.start(_range_job(part, bounds[k], bounds[k + 1]))
        results = []
        failure = None
        try:
            results.append(part(bounds[0], bounds[1]))
        except BaseException as error:
            failure = error
        # every worker is waited for before anything is raised: none may still be writing
        for worker in helpers:
            try:
                results.append(worker.result())
            except BaseException as error:
                failure = failure or error
        if failure is not None:
            raise failure
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
        workers, self._workers = self._workers, []
        self._numba_split = False
        for worker in workers:
            worker.stop()
