"""Running in slices so that Ctrl-C (SIGINT) stops a run cleanly, written once for every backend.

Simulators that spend a whole ``run()`` in compiled code (NEST, NEURON) see Python's
KeyboardInterrupt only when they return, and a simulator interrupted in the middle of a step
(the hardware emulator, Brian2) leaves its state half updated. So during ``run()`` SIGINT only
sets a flag; the run advances in slices of about :data:`SLICE_WALL_TIME` seconds of wall time,
and after the slice in which the flag was set it stops, with time and recorded data
describing exactly the steps simulated, and raises KeyboardInterrupt. A second Ctrl-C during
the same run interrupts at once, as Python would (the simulator may then be inconsistent).
"""

import signal
import threading
import time

import pyNN.common.numerical_safety as numerical_safety

#: wall time (s) of one slice of a run: the longest delay between Ctrl-C and the stop
SLICE_WALL_TIME = 0.2

#: steps of the first slice of a run, before its speed has been measured
FIRST_SLICE_STEPS = 1000

#: SIGINT handlers that simulators install at import (Brian2's stops a run without telling
#: its caller); a backend adds its simulator's here, and runs of every backend replace them
REPLACEABLE_HANDLERS = [signal.default_int_handler]


class InterruptGuard:
    """While active (a ``with`` block in the main thread), SIGINT sets :attr:`pending` and
    calls `on_interrupt` instead of raising; a second SIGINT raises KeyboardInterrupt."""

    def __init__(self, on_interrupt=None):
        self.pending = False
        self._on_interrupt = on_interrupt
        self._previous = None

    def _handle(self, signum, frame):
        if self.pending:
            raise KeyboardInterrupt  # protocol: a second Ctrl-C interrupts at once, as in plain Python
        self.pending = True
        if self._on_interrupt is not None:
            self._on_interrupt()

    def __enter__(self):
        # only the main thread receives signals, and a handler installed by the user stays
        # (Python's default one, or a simulator's known one, is replaced during the run)
        if threading.current_thread() is threading.main_thread() \
                and any(signal.getsignal(signal.SIGINT) is h for h in REPLACEABLE_HANDLERS):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


class Slicer:
    """Sizes of successive slices (in steps) so that each takes about `wall_time` seconds."""

    def __init__(self, wall_time=SLICE_WALL_TIME, first=FIRST_SLICE_STEPS):
        self.wall_time = wall_time
        self.size = first
        self._started = None

    def next(self, remaining):
        """Number of steps of the next slice (at most `remaining`); starts its wall-clock timer."""
        self._started = time.perf_counter()
        return max(1, min(self.size, remaining))

    def done(self, n_steps):
        """Record that the last slice of `n_steps` ended now; adapt the next slice's size."""
        elapsed = time.perf_counter() - self._started
        # grow at most fourfold per slice: one fast slice must not make the next one huge
        factor = min(4.0, self.wall_time / max(elapsed, 1e-6))
        self.size = max(1, int(n_steps * factor))


def advance_in_slices(state, n_steps):
    """Advance `state` (a BaseState) by `n_steps` in slices, stopping early after Ctrl-C.

    Returns True if the run was interrupted (``state.steps`` then counts the steps actually
    simulated). After each slice the membrane potentials are checked (NumericalInstabilityError
    if the integration diverged). The backend's hooks: ``_begin_run(target)``, ``_advance(n)`` (returns the
    steps done, or None for all of them), ``_end_run()`` and ``_request_stop()``.
    """
    target = state.steps + n_steps
    slicer = Slicer()
    diverged = None
    divergence = numerical_safety.watch(state)
    with InterruptGuard(state._request_stop) as guard:
        state._begin_run(target)
        state.in_slices = True  # the simulator is inside a run: see control.check_current
        try:
            while state.steps < target and not guard.pending:
                k = slicer.next(target - state.steps) if state.slice_runs else target - state.steps
                done = state._advance(k)
                done = k if done is None else done
                state.steps += done
                if state.progress is not None:
                    state.progress.update(state.t)
                # a diverged integration stops the run here (pyNN.common.numerical_safety)
                diverged = divergence.after_slice(state, last=state.steps >= target)
                if diverged is not None or done < k:
                    break
                if state.slice_runs:
                    slicer.done(k)
        finally:
            state.in_slices = False
            state._end_run()
        if diverged is not None:
            raise numerical_safety.divergence_error(state, *diverged)
        return guard.pending
