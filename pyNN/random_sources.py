"""Spike trains of the random spike sources, drawn in the library from keyed random streams.

A backend whose simulator draws these trains from streams that depend on how the simulation is
run (NEST draws from the stream of the thread a source's target is on) draws them here instead
and plays them through its spike generators, so that the trains depend only on the seed.

Each cell's process is a sequence of *transitions* at times counted in time steps; the n-th
interval of cell ``id`` is a function of the uniform number at (row ``id``, column n) of a
:mod:`pyNN.keyed_random` stream keyed by the seed and the segment (a new realisation after
``reset()``). The trains therefore do not depend on the number of threads or processes, nor
on how they are cut into chunks: drawing to 100 ms at once or to 50 ms twice gives the same
spikes. The statistics are those of NEST's generators (the reference of this library):

``poisson`` (SpikeSourcePoisson, NEST's poisson_generator / poisson_generator_ps)
    exponential intervals of mean 1/rate, in continuous time; on the grid a spike at time
    t falls in the step that ends at or after t (several spikes in one step are possible).
``refractory`` (SpikeSourcePoissonRefractory)
    on the grid as NEST's ppd_sup_generator with one process: after a spike the source is
    dead for ``floor(tau_refrac / dt)`` steps, then fires in each step with probability
    ``dt / (1000 / rate - tau_refrac)`` (a geometric number of steps, at least one); it
    starts alive. Off the grid as poisson_generator_ps: intervals of ``tau_refrac`` plus an
    exponential time of mean ``1000 / rate - tau_refrac`` ms, the first spike drawn from the
    stationary process.
``gamma`` (SpikeSourceGamma)
    as NEST's gamma_sup_generator with one process: ``alpha`` stages, each left with
    probability ``beta * dt / 1000`` per step (at least one step each), a spike at the end of
    the last stage; it starts in the last stage. Spikes are on the grid in both precisions.

A source fires only in its window: steps with ``start < t <= start + duration``. A parameter
change at time E (the first time whose spikes the simulator has not yet used) keeps the spikes
up to E and continues the process from E with the new values, its state carried over (the rest
of a dead time, the stage of the gamma process; outside the window the process stands still),
as NEST's generators do when their parameters change between runs.
"""

import numpy as np

from pyNN import keyed_random

#: standard cell type name -> kind of process
KINDS = {"SpikeSourcePoisson": "poisson", "SpikeSourcePoissonRefractory": "refractory",
         "SpikeSourceGamma": "gamma"}

#: transitions a chunk aims at per population (memory: a few tens of bytes per spike)
CHUNK_TRANSITIONS = 1_000_000
#: the longest chunk in steps (bounds a chunk of sources that hardly fire)
MAX_CHUNK_STEPS = 10_000_000
#: numbers drawn per batch at most (rows x columns), for bounded memory
_BATCH_NUMBERS = 1_000_000

_TAG_INTERVALS, _TAG_START = 1, 2


def _exponential(u):
    """Exponential(1) numbers from uniform numbers in [0, 1), in place."""
    np.negative(u, out=u)
    np.log1p(u, out=u)
    np.negative(u, out=u)
    return u


def _geometric(u, p):
    """Geometric numbers >= 1 (trials up to the first success of probability `p`, one per
    row: shape (rows, 1)) from uniform numbers in [0, 1), in place; infinite where p = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        np.negative(u, out=u)
        np.log1p(u, out=u)
        u /= np.log1p(-p)
        np.floor(u, out=u)
        u += 1.0
    u[np.broadcast_to(p <= 0, u.shape)] = np.inf
    return u


class RandomTrains:
    """The spike trains of one population of random sources, drawn ahead as needed.

    Parameters
    ----------
    kind : str
        ``'poisson'``, ``'refractory'`` or ``'gamma'`` (see the module docstring).
    values : dict
        the population's standard parameter values, one array element per cell.
    ids : array of int
        the cells' IDs: the rows of their streams.
    seed, segment : int
        the simulator's seed and the segment number: the key of the streams.
    dt : float
        time step (ms).
    precise : bool
        continuous spike times (off-grid precision) for the Poisson processes.
    now : int
        the first step whose spikes may still be drawn (later: :meth:`change`).
    """

    def __init__(self, kind, values, ids, seed, segment, dt, precise=False, now=0):
        self.kind = kind
        self.dt = float(dt)
        self.precise = bool(precise) and kind != "gamma"
        self.ids = np.asarray(ids, dtype=np.int64)
        self.n = self.ids.size
        self.key = keyed_random.derived_key(seed, segment, _TAG_INTERVALS)
        self.start_key = keyed_random.derived_key(seed, segment, _TAG_START)
        n = self.n
        self.col = np.zeros(n, dtype=np.uint64)       # next unused column of each stream
        self.nxt = np.full(n, np.inf)                 # time of the next transition (steps)
        self.last = np.full(n, -np.inf)               # time of the last spike (steps)
        self.to_go = np.ones(n, dtype=np.int64)       # gamma: stages left before the next spike
        self.origin = np.zeros(n)                     # where the process (re)started
        self.drawn_to = np.full(n, float(now))        # every transition up to here is drawn
        self._snapshot = None
        self._pending = (np.zeros(0, np.int64), np.zeros(0))  # drawn spikes (cells, steps)
        # per cell, in steps: window (a, b]; mean exponential time m; probability per step p;
        # dead time; probability q that a stationary start is dead; gamma shape k
        self.a, self.b, self.m, self.p, self.dead, self.q = (np.zeros(n) for _ in range(6))
        self.k = np.ones(n, dtype=np.int64)
        self._params(values, np.arange(n))
        rows = np.arange(n)
        self._start(rows, np.maximum(self.a[rows], float(now)), fresh=np.ones(n, dtype=bool))
        self._save_snapshot(rows)

    # --- parameters ------------------------------------------------------------------------
    def _params(self, values, rows):
        """Per-cell quantities of the process (in steps) from the standard values of `rows`
        (one value for all, or one per row)."""
        dt = self.dt

        def column(name):
            return np.broadcast_to(np.asarray(values[name], dtype=float), rows.shape)

        start, duration = column("start"), column("duration")
        self.a[rows] = np.round(start / dt)
        self.b[rows] = np.where(np.isfinite(duration), np.round((start + duration) / dt), np.inf)
        with np.errstate(divide="ignore"):
            if self.kind == "poisson":
                rate = column("rate")
                self.m[rows] = np.where(rate > 0, 1000.0 / np.where(rate > 0, rate, 1.0) / dt, np.inf)
            elif self.kind == "refractory":
                rate, tau = column("rate"), column("tau_refrac")
                free = np.where(rate > 0, 1000.0 / np.where(rate > 0, rate, 1.0) - tau, np.inf)  # ms
                if self.precise:
                    self.dead[rows] = tau / dt
                    self.m[rows] = free / dt
                    self.q[rows] = np.clip(tau * rate / 1000.0, 0.0, 1.0)  # P(stationary start is dead)
                else:
                    self.dead[rows] = np.floor(tau / dt + 1e-9)
                    self.p[rows] = np.clip(dt / free, 0.0, 1.0)
            else:  # gamma
                self.k[rows] = np.round(column("alpha")).astype(np.int64)
                self.p[rows] = np.clip(column("beta") * dt / 1000.0, 0.0, 1.0)

    def _mean_interval(self, rows):
        with np.errstate(divide="ignore"):
            if self.kind == "poisson":
                return self.m[rows]
            if self.kind == "refractory":
                return self.dead[rows] + (self.m[rows] if self.precise else 1.0 / self.p[rows])
            return 1.0 / self.p[rows]

    def _intervals(self, rows, u):
        """The intervals (steps) after a transition, from uniform numbers u (rows x columns)."""
        if self.kind == "poisson":
            return _exponential(u) * self.m[rows, None]
        if self.kind == "refractory":
            if self.precise:
                return _exponential(u) * self.m[rows, None] + self.dead[rows, None]
            return _geometric(u, self.p[rows, None]) + self.dead[rows, None]
        return _geometric(u, self.p[rows, None])

    # --- the process -----------------------------------------------------------------------
    def _first_draw(self, rows):
        u = keyed_random.uniform(self.key, self.ids[rows], self.col[rows], 1)
        self.col[rows] += np.uint64(1)
        return u

    def _start(self, rows, origin, fresh, wait=None):
        """(Re)start the process of `rows` at `origin` (steps): draw its first transition.
        `fresh` rows start as a new process; the others carry their state (`wait`: steps of
        dead time still to go; the gamma process's stage is kept)."""
        self.origin[rows] = np.where(fresh, origin, self.origin[rows])
        wait = np.zeros(rows.size) if wait is None else wait
        u = self._first_draw(rows)
        if self.kind == "poisson":
            first = _exponential(u)[:, 0] * self.m[rows]
        elif self.kind == "gamma":
            self.to_go[rows] = np.where(fresh, 1, np.minimum(self.to_go[rows], self.k[rows]))
            first = _geometric(u, self.p[rows, None])[:, 0]
        elif not self.precise:
            first = wait + _geometric(u, self.p[rows, None])[:, 0]
        else:
            free = _exponential(u)[:, 0] * self.m[rows]
            first = wait + free
            if fresh.any():
                # NEST's poisson_generator_ps starts in the stationary state: the first spike
                # comes within the dead time (uniformly) with probability rate * tau_refrac
                v = keyed_random.uniform(self.start_key, self.ids[rows], 0, 2)
                stationary = np.where(v[:, 0] < self.q[rows], v[:, 1] * self.dead[rows], free + self.dead[rows])
                first = np.where(fresh, stationary, first)
        self.nxt[rows] = origin + first

    def _draw(self, rows, bound, keep=True):
        """Consume the transitions of `rows` up to `bound` (steps, per row or one value) and
        inside their windows; keep their spikes (`keep`) for :meth:`spikes_for`."""
        bound = np.broadcast_to(np.asarray(bound, dtype=float), rows.shape)
        limit = np.minimum(bound, self.b[rows])
        self.drawn_to[rows] = np.maximum(self.drawn_to[rows], bound)
        todo, lim = rows[self.nxt[rows] <= limit], limit[self.nxt[rows] <= limit]
        cells, times = [], []
        while todo.size:
            expected = (lim - self.nxt[todo]) / self._mean_interval(todo)
            width = int(np.max(expected + 6.0 * np.sqrt(expected))) + 16
            width = max(16, min(width, _BATCH_NUMBERS // todo.size))
            u = keyed_random.uniform(self.key, self.ids[todo], self.col[todo], width)
            t = np.empty((todo.size, width + 1))
            t[:, 0] = self.nxt[todo]
            t[:, 1:] = self._intervals(todo, u)
            del u
            np.cumsum(t, axis=1, out=t)  # sequential sums: the same times however cut in chunks
            used = t[:, :width] <= lim[:, None]  # a prefix of each row
            n_used = used.sum(axis=1)
            if self.kind == "gamma":
                j = np.arange(width)
                lag = self.to_go[todo, None] - 1
                spike = used & (j >= lag) & ((j - lag) % self.k[todo, None] == 0)
                left = (self.to_go[todo] - n_used) % self.k[todo]
                self.to_go[todo] = np.where(left == 0, self.k[todo], left)
            else:
                spike = used
            r, c = np.nonzero(spike)
            if r.size:
                if keep:
                    cells.append(todo[r])
                    times.append(t[r, c])
                # the last spike of each row (np.nonzero lists each row's spikes in order)
                last_of_row = np.append(r[1:] != r[:-1], True)
                self.last[todo[r[last_of_row]]] = t[r[last_of_row], c[last_of_row]]
            self.nxt[todo] = t[np.arange(todo.size), n_used]
            self.col[todo] += n_used.astype(np.uint64)
            more = (n_used == width) & (self.nxt[todo] <= lim)
            todo, lim = todo[more], lim[more]
        if keep and cells:
            c, t = np.concatenate(cells), np.concatenate(times)
            if not self.precise:
                np.ceil(t, out=t)  # the step at whose end (or at whose start) the spike lies
            self._pending = (np.concatenate([self._pending[0], c]), np.concatenate([self._pending[1], t]))

    def _save_snapshot(self, rows):
        if self._snapshot is None:
            self._snapshot = {name: getattr(self, name).copy() for name in ("col", "nxt", "last", "to_go", "drawn_to")}
        for name, arr in self._snapshot.items():
            arr[rows] = getattr(self, name)[rows]

    # --- public --------------------------------------------------------------------------
    def rows_to_draw(self, need):
        """The cells whose trains end before step `need`."""
        return np.nonzero(self.drawn_to < need)[0]

    def extend(self, rows, need):
        """Draw the trains of `rows` to step `need` at least, a large chunk ahead (so that
        many short runs do not each cost the simulator a new train per cell)."""
        if not rows.size:
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            per_step = float(np.sum(np.where(self.b[rows] > need, 1.0 / self._mean_interval(rows), 0.0)))
        ahead = MAX_CHUNK_STEPS if per_step <= 0 else min(MAX_CHUNK_STEPS, CHUNK_TRANSITIONS / per_step)
        if self.kind == "gamma":
            ahead /= max(1, int(np.max(self.k[rows])))  # a spike costs alpha transitions
        self._save_snapshot(rows)
        self._draw(rows, np.floor(need + ahead))

    def change(self, rows, values, now):
        """New parameter values for `rows` (standard values for those cells), acting from step
        `now`: the spikes up to `now` stay, the process goes on from there with the new values."""
        rows = np.asarray(rows, dtype=np.int64)
        now = float(now)
        # back to the state at the start of the latest draw, then forward to `now`
        for name, arr in self._snapshot.items():
            getattr(self, name)[rows] = arr[rows]
        self._draw(rows, now, keep=False)
        started = self.origin[rows] < now
        freeze = np.minimum(now, self.b[rows])  # the process stands still outside the window
        wait = None
        if self.kind == "refractory":
            wait = np.where(started, np.maximum(0.0, self.last[rows] + self.dead[rows] - freeze), 0.0)
        self._params(values, rows)
        # a process that has not started yet starts as if created with these values
        self.col[rows[~started]] = 0
        self._start(rows, np.maximum(self.a[rows], now), fresh=~started, wait=wait)
        self.drawn_to[rows] = now
        self._save_snapshot(rows)
        cells, times = self._pending
        drop = np.isin(cells, rows) & (times > now)
        self._pending = (cells[~drop], times[~drop])

    def spikes_for(self, rows, after):
        """The drawn spike times (steps) of each of `rows` later than step `after`, as a list
        of arrays; forgets the spikes up to `after`."""
        cells, times = self._pending
        keep = times > after
        cells, times = cells[keep], times[keep]
        self._pending = (cells, times)
        mine = np.isin(cells, rows) if rows.size < self.n else np.ones(cells.size, dtype=bool)
        c, t = cells[mine], times[mine]
        order = np.lexsort((t, c))
        c, t = c[order], t[order]
        edges = np.searchsorted(c, rows, side="left"), np.searchsorted(c, rows, side="right")
        return [t[i:j] for i, j in zip(*edges)]
