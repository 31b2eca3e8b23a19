"""Stopping a run whose numerical integration diverged, written once for every backend.

A simulator's integrator can blow up (e.g. explicit Runge-Kutta with a very large synaptic
conductance): the membrane potential becomes NaN or infinite, and the simulator goes on
without a word, so the recorded data are silently wrong. After the slices of a run (see
:mod:`pyNN.common.interrupt`) the core asks each population for its membrane potentials,
an array the simulator already holds in memory, and raises :class:`NumericalInstabilityError`
naming the population, the cells and the interval in which it happened.

Reading that array costs microseconds on most backends, and then every slice is checked
(any check faster than :data:`CHEAP_CHECK` is always done, and at the end of a run any
check faster than :data:`CHEAP_END_CHECK`).
Where it is slow (NEST hands out node states one by one: seconds for 10^5 cells), the check
is spaced so that it takes at most :data:`CHECK_SHARE` of the wall time of the run; the end
of a run is then checked only if the budget allows it, otherwise at a later slice.
"""

import time

import numpy as np

from pyNN import errors

#: largest share of a run's wall time spent checking for divergence
CHECK_SHARE = 0.02

#: a check that took less than this (s) is always done again, whatever the budget
CHEAP_CHECK = 0.002

#: at the end of a run, a check that took less than this (s) is always done: a small
#: network's divergence is then reported by the run in which it happened, even when a
#: loaded machine made one check slower than CHEAP_CHECK
CHEAP_END_CHECK = 0.02


class DivergenceWatch:
    """When to check a backend's state for divergence, within the :data:`CHECK_SHARE`
    budget; kept on the state (``state._divergence_watch``) across runs, so the cost of a
    check is measured once."""

    def __init__(self):
        self.cost = None  # wall time (s) of the last check
        self.last = time.perf_counter()  # when it ended
        self.checked_step = 0  # state.steps at the last check

    def after_slice(self, state, last=False):
        """Check now if within the budget (`last`: the run's last slice, see
        :data:`CHEAP_END_CHECK`): returns the arguments of divergence_error, or None."""
        started = time.perf_counter()
        self.checked_step = min(self.checked_step, state.steps)  # (after a reset)
        if self.cost is None:
            # before the first check, the backend's estimate: a slow first check must wait too
            self.cost = state.state_read_cost * sum(p.size for p in state.populations
                                                    if p._divergence_check_needed())
        cheap = CHEAP_END_CHECK if last else CHEAP_CHECK
        if self.cost > cheap and self.cost > CHECK_SHARE * (started - self.last):
            return None
        found = find_divergence(state, self.checked_step)
        self.last = time.perf_counter()
        self.cost = self.last - started
        self.checked_step = state.steps
        return found


def watch(state):
    """The state's DivergenceWatch (made at its first run)."""
    if getattr(state, "_divergence_watch", None) is None:
        state._divergence_watch = DivergenceWatch()
    return state._divergence_watch


def find_divergence(state, first_step):
    """The first population whose membrane potential is not finite, or None.

    Parameters
    ----------
    state : BaseState
        The backend's state, just after a slice.
    first_step : int
        Step of the previous check (the divergence happened after it).

    Returns
    -------
    tuple or None
        ``(population, mask of the cells concerned, first_step)``, the arguments of
        :func:`divergence_error`, which is raised once the simulator has left its run.
    """
    for population in state.populations:
        values = population._membrane_potential()
        if values is None or np.isfinite(values).all():
            continue
        return population, ~np.isfinite(values), first_step
    return None


def divergence_error(state, population, bad, first_step):
    """The NumericalInstabilityError for the cells `bad` (a mask) of `population`; called
    after the backend's ``_end_run()``, so the recorded data can be read."""
    cells = np.flatnonzero(bad)
    shown = ", ".join(str(i) for i in cells[:5]) + (" ..." if cells.size > 5 else "")
    t0, t1 = first_step * state.dt, state.steps * state.dt
    weight = _largest_incoming_weight(state, population)
    hint = (f" The largest weight onto it is {weight[1]:g} (projection '{weight[0]}')." if weight else "")
    first_bad = _first_recorded_divergence(population)
    if first_bad is not None:
        hint = f" The recorded v is first NaN or infinite at t = {first_bad:g} ms." + hint
    return errors.NumericalInstabilityError(
        f"Population '{population.label}' ({type(population.celltype).__name__}): the "
        f"{state.backend_name} simulator's integration diverged between t = {t0:g} ms and "
        f"t = {t1:g} ms: the membrane potential v is NaN or infinite in {cells.size} of "
        f"{population.size} cells (indices {shown}).{hint} The run stopped at t = {t1:g} ms; "
        f"the data recorded after the divergence are not valid and the state of these cells "
        f"cannot be continued: call reset() (or setup()) before running again. Suggestion: use "
        f"smaller weights or a smaller time step")


def projections_onto(state, population):
    """The projections of `state` whose postsynaptic cells include some of `population`'s."""
    from pyNN.common.populations import roots  # here: populations imports control, which imports us

    return [projection for projection in state.projections
            if any(part.root is population for part in roots(projection.post))]


def incoming_weight_bound(state, population, weights_change):
    """The largest absolute weight of the projections onto `population` (0 without any), as
    the core keeps them, without a read from the simulator; infinite if one of them has
    weights that change during a run (`weights_change(projection)`, the backend's say)."""
    largest = 0.0
    for projection in projections_onto(state, population):
        if weights_change(projection):
            return float("inf")
        largest = max(largest, projection._syn.largest_magnitude("weight"))
    return largest


def _largest_incoming_weight(state, population):
    """(label, weight) of the largest weight of a projection onto `population`, or None."""
    best = None
    for projection in projections_onto(state, population):
        # no exchange between processes: this error may be raised on one process only
        weights = np.abs(np.asarray(projection._values("weight", gather=False), dtype=float))
        weights = weights[~np.isnan(weights)]
        if weights.size and (best is None or weights.max() > best[1]):
            best = (projection.label, float(weights.max()))
    return best


def _first_recorded_divergence(population):
    """Time (ms) of the first recorded sample of v that is not finite, or None."""
    if "v" not in population.recorder.recorded_variables:
        return None
    times = []
    for _, t_start, interval, values in population.recorder.get_columns("v"):
        rows = np.flatnonzero(~np.isfinite(values).all(axis=1)) if values.size else []
        if len(rows):
            times.append(t_start + rows[0] * interval)
    return min(times) if times else None
