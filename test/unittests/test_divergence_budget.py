"""The budget of the divergence check (pyNN.common.numerical_safety), without a simulator."""

import pytest

from pyNN.common import numerical_safety


def test_check_budget_spaces_out_slow_checks(monkeypatch):
    """Without a simulator: a check that costs more than CHECK_SHARE of the time since the
    last one is postponed; a cheap one is done every time."""
    class FakeState:
        steps = 0
        populations = []
        state_read_cost = 0.0

    state = FakeState()
    watch = numerical_safety.DivergenceWatch()
    calls = []
    monkeypatch.setattr(numerical_safety, "find_divergence", lambda s, first: calls.append(first))
    clock = iter([10.0, 10.5, 11.0, 11.0, 12.0, 60.0, 60.1])
    monkeypatch.setattr(numerical_safety.time, "perf_counter", lambda: next(clock))
    watch.last = 0.0
    state.steps = 10
    watch.after_slice(state)  # at 10.0: checked, costs 0.5 s
    assert calls == [0] and watch.cost == pytest.approx(0.5)
    state.steps = 20
    watch.after_slice(state)  # at 11.0: 0.5 s > 2 % of 0.5 s: postponed
    assert calls == [0]
    state.steps = 30
    watch.after_slice(state)  # at 11.0 again: postponed
    watch.last = 11.0
    state.steps = 40
    watch.after_slice(state)  # at 12.0: still postponed (0.5 > 0.02 * 1.0)
    assert calls == [0]
    state.steps = 50
    watch.after_slice(state)  # at 60.0: 0.5 <= 0.02 * 49: checked from step 10
    assert calls == [0, 10]


def test_a_check_known_to_be_slow_waits_from_the_start(monkeypatch):
    """The backend's estimate of the cost of reading a cell spaces out even the first check."""
    class Pop:
        size = 10000

        def _divergence_check_needed(self):
            return True

    class FakeState:
        steps = 5
        populations = [Pop()]
        state_read_cost = 3e-5  # 0.3 s for the 10^4 cells

    calls = []
    monkeypatch.setattr(numerical_safety, "find_divergence", lambda s, first: calls.append(first))
    clock = iter([1.0, 5.0, 20.0, 20.3])
    monkeypatch.setattr(numerical_safety.time, "perf_counter", lambda: next(clock))
    watch = numerical_safety.DivergenceWatch()  # made at 1.0
    watch.after_slice(FakeState())  # at 5.0: 0.3 s > 2 % of 4 s: postponed
    assert calls == []
    watch.after_slice(FakeState())  # at 20.0: 0.3 s <= 2 % of 19 s: checked
    assert calls == [0]
    assert watch.cost == pytest.approx(0.3)


def test_populations_the_backend_does_not_read_cost_nothing_in_the_first_estimate(monkeypatch):
    """Cells whose membrane potential the check does not read (the backend knows they cannot
    diverge silently) do not postpone the first check."""
    class Pop:
        def __init__(self, size, read):
            self.size, self.read = size, read

        def _divergence_check_needed(self):
            return self.read

    class FakeState:
        steps = 5
        populations = [Pop(10000, False), Pop(10, True)]
        state_read_cost = 3e-5  # 0.3 ms for the 10 cells read; 0.3 s if all were

    calls = []
    monkeypatch.setattr(numerical_safety, "find_divergence", lambda s, first: calls.append(first))
    clock = iter([1.0, 1.1, 1.1001])
    monkeypatch.setattr(numerical_safety.time, "perf_counter", lambda: next(clock))
    watch = numerical_safety.DivergenceWatch()  # made at 1.0
    watch.after_slice(FakeState())  # at 1.1: the 0.3 ms estimate is below CHEAP_CHECK: checked
    assert calls == [0]
    FakeState.populations[0].read = True
    clock = iter([1.0, 1.1])
    watch = numerical_safety.DivergenceWatch()
    watch.after_slice(FakeState())  # 0.3 s > 2 % of 0.1 s: postponed
    assert calls == [0]


def test_the_end_of_a_run_is_checked_when_the_check_is_moderately_cheap(monkeypatch):
    """A check slower than CHEAP_CHECK (e.g. on a loaded machine) waits within a run, but at
    the run's last slice one cheaper than CHEAP_END_CHECK is done, so the run in which a small
    network diverged reports it; a dear one still waits."""
    class FakeState:
        steps = 10
        populations = []
        state_read_cost = 0.0

    calls = []
    monkeypatch.setattr(numerical_safety, "find_divergence", lambda s, first: calls.append(first))
    moderate = (numerical_safety.CHEAP_CHECK + numerical_safety.CHEAP_END_CHECK) / 2
    dear = 2 * numerical_safety.CHEAP_END_CHECK
    clock = iter([1.0, 1.0 + moderate, 1.1, 1.1, 1.1 + moderate])
    monkeypatch.setattr(numerical_safety.time, "perf_counter", lambda: next(clock))
    watch = numerical_safety.DivergenceWatch()
    watch.last = 1.0
    watch.cost = moderate
    watch.after_slice(FakeState())  # mid-run at 1.0: postponed (moderate > 2 % of 0 s)
    assert calls == []
    watch.after_slice(FakeState(), last=True)  # last slice at 1.0: checked
    assert calls == [0]
    watch.cost = dear
    watch.after_slice(FakeState(), last=True)  # at 1.1: dear > 2 % of 0.1 s: postponed
    assert calls == [0]
