"""The core's slicing of a run and its handling of Ctrl-C, with a minimal in-test backend."""

import os
import signal
import time

import pytest

from pyNN.common import interrupt
from pyNN.common.control import BaseState


@pytest.fixture(autouse=True)
def python_sigint_handler():
    """Python's own SIGINT handler during each test (a simulator imported earlier in the same
    process may have installed one of its own)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


class SlowState(BaseState):
    """Simulates nothing; each step takes `step_time` seconds; sends itself SIGINT once
    when reaching step `interrupt_at`."""

    def __init__(self, step_time=1e-4, interrupt_at=None):
        super().__init__()
        self.step_time = step_time
        self.interrupt_at = interrupt_at
        self.slices = []
        self.events = []

    def _begin_run(self, target_steps):
        self.events.append(("begin", target_steps))

    def _advance(self, n_steps):
        self.slices.append(n_steps)
        time.sleep(n_steps * self.step_time)
        if self.interrupt_at is not None and self.steps + n_steps >= self.interrupt_at:
            self.interrupt_at = None
            os.kill(os.getpid(), signal.SIGINT)

    def _end_run(self):
        self.events.append(("end", self.steps))


def test_run_is_sliced_by_wall_time_and_complete():
    state = SlowState(step_time=2e-5)
    state.run_steps(30000)
    assert state.steps == 30000 and sum(state.slices) == 30000
    assert len(state.slices) > 1
    # after the first slice, slices take about SLICE_WALL_TIME
    assert max(state.slices[1:-1] or [0]) * 2e-5 < 4 * interrupt.SLICE_WALL_TIME
    assert state.events == [("begin", 30000), ("end", 30000)]


def test_sigint_stops_after_the_slice_and_the_next_run_continues():
    state = SlowState(step_time=1e-5, interrupt_at=2500)
    with pytest.raises(KeyboardInterrupt, match="interrupted at t ="):
        state.run_steps(100000)
    assert 2500 <= state.steps < 100000
    assert state.steps == sum(state.slices)
    assert state.events[-1] == ("end", state.steps)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler given back
    done = state.steps
    state.run_steps(100000 - done)
    assert state.steps == 100000 == sum(state.slices)


def test_backend_that_stops_early_reports_the_steps_done():
    class Stopping(SlowState):
        slice_runs = False

        def _request_stop(self):
            self.stop_requested = True

        def _advance(self, n_steps):
            self.stop_requested = False
            os.kill(os.getpid(), signal.SIGINT)
            return 123 if self.stop_requested else n_steps

    state = Stopping()
    with pytest.raises(KeyboardInterrupt):
        state.run_steps(1000)
    assert state.steps == 123
