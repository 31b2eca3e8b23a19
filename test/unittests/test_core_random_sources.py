"""The library's random spike trains (pyNN.random_sources): statistics of NEST's generators,
independence of chunking, parameter changes. No simulator needed."""

import numpy as np
import pytest

import pyNN.random_sources as random_sources
from pyNN.random_sources import RandomTrains

DT = 0.1
N = 400
WINDOW = dict(start=0.0, duration=1e10)


def draw(kind, values, until, cuts=None, precise=False, n=N, seed=7, segment=0):
    """Every spike time (steps) of each cell up to step `until`, drawn to the steps `cuts` in
    turn as a simulation does between runs."""
    trains = RandomTrains(kind, values, np.arange(n) + 100, seed, segment, DT, precise=precise)
    out = [[] for _ in range(n)]
    rows, sent = np.arange(n), 0
    for cut in list(cuts or []) + [until]:
        trains.extend(trains.rows_to_draw(cut), cut)
        for i, t in enumerate(trains.spikes_for(rows, sent)):
            out[i].extend(t[t <= cut].tolist())
        sent = cut
    return [np.array(t) for t in out], trains


def isis(trains):
    return np.concatenate([np.diff(t) for t in trains])


def test_poisson_rate_cv_and_several_spikes_per_step():
    rate = 400.0  # 0.04 spikes per step: two in one step in about 1 step out of 1300
    trains, _ = draw("poisson", dict(WINDOW, rate=rate), 10_000)
    total = sum(t.size for t in trains)
    expected = N * 10_000 * rate * DT / 1000.0
    assert abs(total - expected) < 5 * np.sqrt(expected)
    assert 0.97 < isis(trains).std() / isis(trains).mean() < 1.03
    # Poisson numbers of spikes per step (poisson_generator): steps with 2 spikes
    doubles = sum(int(np.sum(np.diff(t) == 0)) for t in trains)
    lam = rate * DT / 1000.0
    expected_doubles = N * 10_000 * lam ** 2 / 2 * np.exp(-lam)
    assert abs(doubles - expected_doubles) < 5 * np.sqrt(expected_doubles)
    assert all(np.all(t == np.round(t)) for t in trains)  # on the grid


def test_poisson_off_grid_is_continuous():
    trains, _ = draw("poisson", dict(WINDOW, rate=50.0), 20_000, precise=True)
    times = np.concatenate(trains)
    assert np.mean(times != np.round(times)) > 0.99
    intervals = isis(trains) * DT  # ms
    assert abs(intervals.mean() - 20.0) < 0.3
    assert abs(np.median(intervals) - 20.0 * np.log(2)) < 0.5  # exponential


def test_refractory_on_grid_has_ppd_sup_generator_statistics():
    rate, tau = 100.0, 2.5  # dead for 25 steps, then p = 0.1 / (10 - 2.5) per step
    trains, _ = draw("refractory", dict(WINDOW, rate=rate, tau_refrac=tau), 20_000)
    steps = isis(trains)
    dead, p = 25, DT / (1000.0 / rate - tau)
    assert steps.min() == dead + 1
    # interval = dead + geometric(p): mean dead + 1/p, variance (1 - p) / p**2
    assert abs(steps.mean() - (dead + 1 / p)) < 5 * np.sqrt((1 - p) / p ** 2 / steps.size)
    assert abs(steps.std() - np.sqrt(1 - p) / p) < 0.03 * np.sqrt(1 - p) / p
    # it starts alive: the first spike is a geometric number of steps after the start
    first = np.array([t[0] for t in trains])
    assert abs(first.mean() - 1 / p) < 5 * np.sqrt((1 - p) / p ** 2 / N)


def test_refractory_off_grid_starts_stationary():
    rate, tau = 100.0, 5.0  # half of each mean interval is dead time
    trains, _ = draw("refractory", dict(WINDOW, rate=rate, tau_refrac=tau), 5_000, precise=True, n=4000)
    intervals = isis(trains) * DT
    assert intervals.min() >= tau - 1e-9
    assert abs(intervals.mean() - 10.0) < 0.1
    assert abs(intervals.std() / intervals.mean() - 0.5) < 0.02  # (mean - dead) / mean
    # the first spike comes after the forward recurrence time of the stationary process:
    # E[X^2] / (2 E[X]) with X = dead + exponential(m), not dead + m as from a fresh spike
    m = 1000.0 / rate - tau
    expected = (tau ** 2 + 2 * tau * m + 2 * m ** 2) / (2 * (tau + m))
    first = np.array([t[0] for t in trains]) * DT
    assert abs(first.mean() - expected) < 5 * first.std() / np.sqrt(first.size)
    assert abs(expected - (tau + m)) > 10 * first.std() / np.sqrt(first.size)


def test_gamma_has_gamma_sup_generator_statistics():
    alpha, beta = 4, 3000.0  # p = 0.3 per stage and step: far from the continuous gamma process
    trains, _ = draw("gamma", dict(WINDOW, alpha=alpha, beta=beta), 10_000)
    steps = isis(trains)
    p = beta * DT / 1000.0
    assert steps.min() >= alpha  # at least one step per stage
    assert abs(steps.mean() - alpha / p) < 5 * np.sqrt(alpha * (1 - p) / p ** 2 / steps.size)
    cv = steps.std() / steps.mean()
    assert abs(cv - np.sqrt((1 - p) / alpha)) < 0.01  # 0.418; continuous: 1 / sqrt(alpha) = 0.5
    # it starts in the last stage: the first spike after one stage
    first = np.array([t[0] for t in trains])
    assert abs(first.mean() - 1 / p) < 5 * np.sqrt((1 - p) / p ** 2 / N)


def test_gamma_cv_at_a_low_rate():
    trains, _ = draw("gamma", dict(WINDOW, alpha=3, beta=150.0), 40_000)
    cv = isis(trains).std() / isis(trains).mean()
    assert abs(cv - 1 / np.sqrt(3)) < 0.02


@pytest.mark.parametrize("kind, values, precise", [
    ("poisson", dict(rate=80.0), False), ("poisson", dict(rate=80.0), True),
    ("refractory", dict(rate=80.0, tau_refrac=3.0), False),
    ("refractory", dict(rate=80.0, tau_refrac=3.0), True),
    ("gamma", dict(alpha=3, beta=240.0), False),
])
def test_chunks_do_not_change_the_trains(kind, values, precise, monkeypatch):
    whole, _ = draw(kind, dict(WINDOW, **values), 5000, precise=precise)
    monkeypatch.setattr(random_sources, "CHUNK_TRANSITIONS", 50)  # many small chunks
    monkeypatch.setattr(random_sources, "_BATCH_NUMBERS", 64)
    cut, _ = draw(kind, dict(WINDOW, **values), 5000, cuts=[1, 2, 333, 334, 2000, 4999], precise=precise)
    assert sum(t.size for t in whole) > 1000
    for a, b in zip(whole, cut):
        np.testing.assert_array_equal(a, b)


def test_seed_and_segment_give_other_trains_cells_differ():
    values = dict(WINDOW, rate=50.0)
    a, _ = draw("poisson", values, 2000)
    b, _ = draw("poisson", values, 2000, segment=1)
    c, _ = draw("poisson", values, 2000, seed=8)
    assert not any(np.array_equal(x, y) for x, y in zip(a, b))
    assert not any(np.array_equal(x, y) for x, y in zip(a, c))
    assert len({tuple(t) for t in a}) == N


def test_window_start_exclusive_stop_inclusive():
    trains, _ = draw("poisson", dict(rate=3000.0, start=10.0, duration=5.0), 1000)
    times = np.concatenate(trains)
    assert times.min() == 101 and times.max() == 150


def test_change_keeps_the_past_and_acts_from_then_on():
    values = dict(WINDOW, rate=100.0)
    reference, _ = draw("poisson", values, 3000)
    trains = RandomTrains("poisson", values, np.arange(N) + 100, 7, 0, DT)
    trains.extend(trains.rows_to_draw(3000), 3000)
    before = [t[t <= 3000] for t in trains.spikes_for(np.arange(N), 0)]  # (drawn further ahead)
    trains.change(np.arange(0, N, 2), dict(WINDOW, rate=0.0), 1000)  # even cells stop at step 1000
    trains.extend(trains.rows_to_draw(3000), 3000)
    after = [t[t <= 3000] for t in trains.spikes_for(np.arange(N), 0)]
    for i in range(N):
        np.testing.assert_array_equal(before[i], reference[i][reference[i] <= 3000])
        if i % 2:
            np.testing.assert_array_equal(after[i], before[i])
        else:
            np.testing.assert_array_equal(after[i], before[i][before[i] <= 1000])


def test_change_carries_the_dead_time_over():
    values = dict(WINDOW, rate=190.0, tau_refrac=5.0)  # mostly dead
    trains = RandomTrains("refractory", values, np.arange(N), 3, 0, DT)
    trains.extend(trains.rows_to_draw(1000), 1000)
    before = trains.spikes_for(np.arange(N), 0)
    trains.change(np.arange(N), dict(WINDOW, rate=199.0, tau_refrac=5.0), 1000)
    trains.extend(trains.rows_to_draw(2000), 2000)
    after = trains.spikes_for(np.arange(N), 0)
    gaps = []
    for b, a in zip(before, after):
        last = b[b <= 1000][-1]
        np.testing.assert_array_equal(a[a <= 1000], b[b <= 1000])
        gaps.append(a[a > 1000][0] - last)
    assert min(gaps) == 51  # the dead time of 50 steps is respected across the change
    assert np.mean(np.array(gaps) <= 55) > 0.1  # and the next spike often follows it closely


def test_change_before_the_start_is_as_if_created_with_the_new_values():
    new = dict(rate=30.0, start=50.0, duration=200.0)
    reference, _ = draw("poisson", new, 3000)
    trains = RandomTrains("poisson", dict(rate=80.0, start=100.0, duration=1e10), np.arange(N) + 100, 7, 0, DT)
    trains.change(np.arange(N), new, 0)
    trains.extend(trains.rows_to_draw(3000), 3000)
    for a, b in zip(reference, trains.spikes_for(np.arange(N), 0)):
        np.testing.assert_array_equal(a, b)
    assert max(t.max() for t in reference if t.size) <= 2500 and sum(t.size for t in reference) > 1000
