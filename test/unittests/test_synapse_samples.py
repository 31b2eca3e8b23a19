"""The core's rebuilding of synapse samples from events (pyNN.recording.synapses)."""

import numpy as np

from pyNN.recording.synapses import after_events, step_function_samples


def _by_hand(start, positions, first_steps, values, steps):
    """One sample and one event at a time: the definition."""
    out = np.empty((len(steps), len(start)))
    for r, step in enumerate(steps):
        row = np.array(start, dtype=float)
        for pos, first, value in zip(positions, first_steps, values):
            if first <= step:
                row[pos] = value
        out[r] = row
    return out


def test_samples_follow_the_latest_event_seen_by_each_sample():
    rng = np.random.default_rng(3)
    n, n_events = 7, 60
    start = rng.uniform(size=n)
    # events in time order; several per connection, some at the same step, some after the last sample
    first_steps = np.sort(rng.integers(-3, 45, n_events))
    positions = rng.integers(0, n, n_events)
    values = rng.uniform(size=n_events)
    steps = np.arange(0, 40, 3)
    expected = _by_hand(start, positions, first_steps, values, steps)
    for block_size in (1, 10, 2**22):  # one sample per block, a few, all at once
        got = step_function_samples(start, positions, first_steps, values, steps, block_size=block_size)
        np.testing.assert_array_equal(got, expected)
    end = after_events(start, positions, values)
    np.testing.assert_array_equal(end, _by_hand(start, positions, first_steps, values, [10**9])[0])


def test_no_events_and_no_connections():
    start = np.array([0.1, 0.2])
    got = step_function_samples(start, [], [], [], np.array([0, 5]))
    np.testing.assert_array_equal(got, [[0.1, 0.2], [0.1, 0.2]])
    assert step_function_samples(np.zeros(0), [], [], [], np.array([0, 1])).shape == (2, 0)
