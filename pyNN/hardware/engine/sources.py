"""Spike sources of the engine: ``emit(step)`` returns the cells that fire at that step.

At most one spike per cell and step, except for SpikeSourceArray times given twice.
Random sources draw from the group's own numpy Generator (seeded by the engine from the
simulator seed, the segment and the group), so a script is reproducible and every
segment after reset() is a new realisation.
"""

import numpy as np

from pyNN import errors


def _steps_to_csr(spikes):
    ptr = np.concatenate([[0], np.cumsum([s.size for s in spikes])]).astype(np.int64)
    return ptr, np.concatenate(spikes).astype(np.int64) if spikes else np.zeros(0, np.int64)


class SourceGroup:
    kind = "source"
    receptors = ()

    def __init__(self, n, params, h, rng):
        self.n = n
        self.h = h
        self.rng = rng
        self.set_parameters(params)

    def set_parameters(self, params):
        self.params = params
        self.prepare()

    def prepare(self):
        pass

    def reset(self, rng):
        """Back to t = 0 with a new random stream."""
        self.rng = rng
        self.prepare()

    def _window(self, step):
        """Cells active at `step`: start < t <= start + duration (as NEST's generators)."""
        t = step * self.h
        p = self.params
        eps = 1e-9 * self.h
        return (t > p["start"] + eps) & (t <= p["start"] + p["duration"] + eps)

    def emit_steps(self, first, n_steps):
        """The spikes of steps first..first+n_steps-1, as ``emit`` gives them one step after
        the other (the same draws): (pointers, cells), step k's spikes being
        ``cells[pointers[k]:pointers[k + 1]]``."""
        spikes = [np.asarray(self.emit(first + k), dtype=np.int64) for k in range(n_steps)]
        return _steps_to_csr(spikes)

    def set_state(self, name, values, indices):  # sources have no state variables
        pass

    def get(self, name):
        raise errors.UnknownNameError(f"spike sources have no state variable '{name}' (only spikes are recorded)")


class ArraySource(SourceGroup):
    """SpikeSourceArray: each cell fires at its given times (rounded to the grid); two
    times in one step give two spikes in that step."""

    def __init__(self, n, params, h, rng, to_steps=None):
        self.to_steps = to_steps or (lambda t: np.floor(np.asarray(t) / h + 0.5 + 1e-9).astype(np.int64))
        self.next_step = 0
        super().__init__(n, params, h, rng)

    def prepare(self):
        trains = self.params["spike_times"]
        cells, steps = [], []
        for i, train in enumerate(np.atleast_1d(trains)):
            times = np.asarray(getattr(train, "value", train), dtype=float).reshape(-1)
            if times.size:
                # repeated times give repeated spikes (as NEST's spike_generator)
                s = np.sort(self.to_steps(times))
                steps.append(s)
                cells.append(np.full(s.size, i, dtype=np.int64))
        if len(np.atleast_1d(trains)) == 1 and self.n > 1 and cells:
            steps = [np.tile(steps[0], self.n)]
            cells = [np.repeat(np.arange(self.n), len(cells[0]))]
        steps = np.concatenate(steps) if steps else np.zeros(0, np.int64)
        cells = np.concatenate(cells) if cells else np.zeros(0, np.int64)
        order = np.argsort(steps, kind="stable")
        self.steps = steps[order]
        self.cells = cells[order]

    def reset(self, rng):
        self.rng = rng

    def emit(self, step):
        lo = np.searchsorted(self.steps, step, side="left")
        hi = np.searchsorted(self.steps, step, side="right")
        return self.cells[lo:hi]


class PoissonSource(SourceGroup):
    """SpikeSourcePoisson: a spike in each step with probability rate * dt."""

    def prepare(self):
        self.p = np.asarray(self.params["rate"], float) * self.h / 1000.0

    def emit(self, step):
        active = self._window(step)
        return np.flatnonzero(active & (self.rng.random(self.n) < self.p))

    #: at most this many numbers are drawn at once by emit_steps
    max_draws = 1 << 20

    def emit_steps(self, first, n_steps):
        """As SourceGroup.emit_steps, with the draws of many steps at once: the generator's
        numbers come in the same order as from one emit() per step."""
        per_call = max(1, self.max_draws // max(1, self.n))
        pointers, cells, total = [np.zeros(1, np.int64)], [np.zeros(0, np.int64)], 0
        for a in range(first, first + n_steps, per_call):
            steps = np.arange(a, min(a + per_call, first + n_steps))
            hits = self._window(steps[:, None]) & (self.rng.random((steps.size, self.n)) < self.p)
            rows, spiking = np.nonzero(hits)  # by step, then by cell: flatnonzero of each step
            pointers.append(np.searchsorted(rows, np.arange(1, steps.size + 1)) + total)
            cells.append(spiking)
            total += spiking.size
        return np.concatenate(pointers).astype(np.int64), np.concatenate(cells).astype(np.int64)


class PoissonRefractorySource(SourceGroup):
    """SpikeSourcePoissonRefractory: Poisson with a dead time of round(tau_refrac/dt)
    steps; the hazard after the dead time is chosen so the mean rate is `rate`."""

    def prepare(self):
        h = self.h
        rate = np.asarray(self.params["rate"], float)
        self.dead = np.maximum(1, np.rint(np.asarray(self.params["tau_refrac"], float) / h)).astype(np.int64)
        mean_isi = np.where(rate > 0, 1000.0 / np.where(rate > 0, rate, 1.0), np.inf)
        free_time = mean_isi - (self.dead - 1) * h
        self.p = np.where(np.isfinite(free_time), np.minimum(1.0, h / np.maximum(free_time, h)), 0.0)
        self.last = np.full(self.n, -(10 ** 12), dtype=np.int64)

    def emit(self, step):
        ready = (step - self.last) >= self.dead
        spiking = np.flatnonzero(self._window(step) & ready & (self.rng.random(self.n) < self.p))
        self.last[spiking] = step
        return spiking


class GammaSource(SourceGroup):
    """SpikeSourceGamma: every alpha-th event of a Poisson process of rate beta (an
    Erlang renewal process), started in its last stage (the first spike one event of rate
    beta after start), as NEST's gamma_sup_generator with one process."""

    def prepare(self):
        self.next = np.full(self.n, -1, dtype=np.int64)

    def _draw(self, cells, shape_counts, t_from):
        beta = np.asarray(self.params["beta"], float)[cells]
        scale = np.where(beta > 0, 1000.0 / np.where(beta > 0, beta, 1.0), np.inf)
        isi = self.rng.gamma(shape_counts, 1.0, size=len(cells)) * scale
        steps = np.ceil((t_from + isi) / self.h - 1e-9)
        return np.where(np.isfinite(steps), steps, 2 ** 62).astype(np.int64)

    def emit(self, step):
        active = self._window(step)
        start_now = active & (self.next < 0)
        if start_now.any():
            cells = np.flatnonzero(start_now)
            # the first interval is one stage: the process starts in its last stage
            self.next[cells] = np.maximum(step, self._draw(cells, np.ones(cells.size), (step - 1) * self.h))
        spiking = np.flatnonzero(active & (self.next == step))
        if spiking.size:
            alpha = np.asarray(self.params["alpha"], float)[spiking]
            self.next[spiking] = np.maximum(step + 1, self._draw(spiking, alpha, step * self.h))
        return spiking


class InhGammaSource(SourceGroup):
    """SpikeSourceInhGamma: a renewal process whose next interval is drawn from
    Gamma(shape a, scale b seconds) with the values of the bin in force at the last spike
    (an approximation of the inhomogeneous gamma process, exact for constant a and b)."""

    def prepare(self):
        self.next = np.full(self.n, -1, dtype=np.int64)

    def _bin_values(self, cells, t):
        out_a = np.empty(len(cells))
        out_b = np.empty(len(cells))
        p = self.params
        for j, i in enumerate(cells):
            a = np.asarray(getattr(p["a"][i], "value", p["a"][i]), float)
            b = np.asarray(getattr(p["b"][i], "value", p["b"][i]), float)
            tb = np.asarray(getattr(p["tbins"][i], "value", p["tbins"][i]), float)
            k = max(0, int(np.searchsorted(tb, t, side="right")) - 1)
            out_a[j], out_b[j] = a[k], b[k]
        return out_a, out_b

    def _draw(self, cells, step):
        a, b = self._bin_values(cells, step * self.h)
        isi = self.rng.gamma(a, b * 1000.0)
        return np.maximum(step + 1, np.ceil(step + isi / self.h - 1e-9)).astype(np.int64)

    def emit(self, step):
        active = self._window(step)
        start_now = np.flatnonzero(active & (self.next < 0))
        if start_now.size:
            self.next[start_now] = self._draw(start_now, step) - 1
        spiking = np.flatnonzero(active & (self.next == step))
        if spiking.size:
            self.next[spiking] = self._draw(spiking, step)
        return spiking
