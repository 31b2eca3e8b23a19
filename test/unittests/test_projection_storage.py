"""How a projection stores connections that arrive chunk by chunk (no concatenation copy)."""

import numpy as np
import pytest

from pyNN.common.projections import _GrowingColumn, _ValueColumn
from pyNN.connectors import Connector


class Chunks(Connector):
    """Yields the given (pre, post, values) chunks."""

    def __init__(self, chunks):
        super().__init__()
        self.chunks = chunks

    def generate(self, projection):
        for k, (pre, post, values) in enumerate(self.chunks):
            yield np.array(pre, dtype=np.int64), np.array(post, dtype=np.int64), values, k + 1


@pytest.fixture
def cells(sim):
    pre = sim.Population(4, sim.IF_cond_exp(), label="pre")
    post = sim.Population(3, sim.IF_cond_exp(), label="post")
    return pre, post


def test_growing_column_appends_arrays_and_scalars():
    col = _GrowingColumn(np.int32)
    col.append(np.array([1, 2, 3]))
    col.append(7, count=2)
    col.append(np.zeros(0, dtype=np.int64))
    out = col.array()
    assert out.dtype == np.int32 and out.tolist() == [1, 2, 3, 7, 7]
    assert _GrowingColumn(float).array().shape == (0,)


def test_growing_column_grows_beyond_its_reservation(monkeypatch):
    from pyNN.common import projections
    monkeypatch.setattr(projections, "_COLUMN_RESERVE_BYTES", 8)
    col = _GrowingColumn(np.int64)
    for k in range(5):
        col.append(np.arange(3) + 10 * k)
    assert col.array().tolist() == [v + 10 * k for k in range(5) for v in range(3)]


@pytest.mark.parametrize("parts,expected", [
    ([(0.5, 2), (0.5, 3)], 0.5),
    ([(None, 2), (None, 1)], None),
    ([(0.5, 2), (0.25, 1)], [0.5, 0.5, 0.25]),
    ([(None, 1), (0.25, 2)], [np.nan, 0.25, 0.25]),
    ([(0.5, 1), (np.array([1.0, 2.0]), 2), (None, 1)], [0.5, 1.0, 2.0, np.nan]),
    ([(np.zeros(0), 0)], []),
])
def test_value_column_keeps_a_common_scalar(parts, expected):
    col = _ValueColumn()
    for value, n in parts:
        col.append(value, n)
    result = col.result()
    if expected is None or np.isscalar(expected):
        assert result == expected
    else:
        np.testing.assert_array_equal(result, np.array(expected, dtype=float))


def test_sorted_chunks_with_different_weights(sim, cells):
    chunks = [([0, 3], [0, 0], {"weight": np.array([0.1, 0.2])}),
              ([], [], {"weight": np.zeros(0)}),
              ([1], [2], {"weight": np.array([0.3])})]
    prj = sim.Projection(*cells, Chunks(chunks), sim.StaticSynapse(delay=0.5))
    assert prj._pre.dtype == np.uint16 and prj._post.dtype == np.uint16  # smallest index type
    assert prj.get(["weight", "delay"], format="list") == [
        (0, 0, 0.1, 0.5), (3, 0, 0.2, 0.5), (1, 2, 0.3, 0.5)]
    assert np.ndim(prj._syn["delay"]) == 0  # homogeneous values stay scalars


def test_unsorted_chunks_are_sorted_with_their_values(sim, cells):
    chunks = [([2, 1], [1, 1], {"weight": np.array([0.1, 0.2])}),
              ([3], [0], {"weight": np.array([0.3])}),
              ([0], [1], {"weight": np.array([0.4])})]
    prj = sim.Projection(*cells, Chunks(chunks), sim.StaticSynapse(delay=0.5))
    assert prj.get("weight", format="list") == [(3, 0, 0.3), (0, 1, 0.4), (1, 1, 0.2), (2, 1, 0.1)]


def test_connecting_again_appends_to_existing_connections(sim, cells):
    prj = sim.Projection(*cells, Chunks([([0], [1], {})]), sim.StaticSynapse(weight=0.1, delay=0.5))
    Chunks([([2], [0], {"weight": np.array([0.3])})]).connect(prj)
    assert prj.get("weight", format="list") == [(2, 0, 0.3), (0, 1, 0.1)]


def test_spiketrains_sliced_from_one_train_are_independent():
    """Recording's SpikeTrainList slices one big SpikeTrain: each train must still own its
    annotations and its t_start/t_stop."""
    import quantities as pq

    from pyNN.recording.neo_output import _FastSpikeTrainList
    stl = _FastSpikeTrainList.from_spike_time_array(
        np.array([3.0, 1.0, 2.0, 5.0]) * pq.ms, np.array([11, 10, 11, 13]), np.array([10, 11, 12, 13]),
        t_stop=6.0 * pq.ms, units="ms", t_start=0.5 * pq.ms, source_population="p",
        source_index=np.array([0, 1, 2, 3]))
    trains = list(stl)
    assert [st.magnitude.tolist() for st in trains] == [[1.0], [2.0, 3.0], [], [5.0]]
    assert [st.annotations["channel_id"] for st in trains] == [10, 11, 12, 13]
    assert [st.annotations["source_index"] for st in trains] == [0, 1, 2, 3]
    assert all(st.annotations["source_population"] == "p" for st in trains)
    trains[0].annotate(extra=1)
    trains[0].t_start -= 0.5 * pq.ms
    assert "extra" not in trains[1].annotations and trains[1].t_start == 0.5 * pq.ms
    assert all(st.t_stop == 6.0 * pq.ms and st.units == pq.ms for st in trains)


def test_growing_column_adopts_an_owned_array_and_still_grows():
    first = np.arange(4, dtype=np.uint16)
    col = _GrowingColumn(np.uint16)
    col.append(first, owned=True)
    assert col.data is first  # kept as it is: no copy
    col.append(np.array([9, 8]))
    assert col.array().tolist() == [0, 1, 2, 3, 9, 8]


@pytest.mark.parametrize("array", [
    np.arange(4, dtype=np.int64),            # another type than the column's: converted
    np.arange(8, dtype=np.uint16)[::2],      # a view: not its own memory
])
def test_growing_column_copies_what_it_cannot_adopt(array):
    col = _GrowingColumn(np.uint16)
    col.append(array, owned=True)
    assert col.data is not array and not np.shares_memory(col.data, array)
    assert col.array().tolist() == array.tolist()


def test_growing_column_copies_an_array_that_is_not_handed_over():
    first = np.arange(4, dtype=np.uint16)
    col = _GrowingColumn(np.uint16)
    col.append(first)
    assert not np.shares_memory(col.data, first)


@pytest.mark.parametrize("pre,post,expected", [
    ([0, 1, 0, 2], [0, 0, 1, 1], True),
    ([1, 1, 0], [0, 0, 0], False),       # tie on post, pre decreasing
    ([0, 0], [1, 0], False),
    ([3, 0, 0], [0, 1, 1], True),        # repeated pair
    ([], [], True),
])
def test_sorted_by_post_then_pre_on_unsigned_indices(pre, post, expected):
    from pyNN.core import sorted_by_post_then_pre
    assert sorted_by_post_then_pre(np.array(pre, np.uint16), np.array(post, np.uint16)) is expected
    key = np.array(post, np.int64) * 10 + np.array(pre, np.int64)
    assert expected == bool(np.all(np.diff(key) >= 0))


def test_from_list_keeps_its_list_apart_from_the_projection(sim, cells):
    """The connector hands its chunk over; the projection's arrays are sorted, equal to a
    lexsort of the list, and share no memory with the user's list."""
    rng = np.random.default_rng(3)
    n = 500
    conn = np.column_stack([rng.integers(0, 4, n), rng.integers(0, 3, n),
                            rng.uniform(0.1, 1.0, n), rng.integers(1, 30, n) * 0.1])
    original = conn.copy()
    prj = sim.Projection(*cells, sim.FromListConnector(conn))
    order = np.lexsort((conn[:, 0], conn[:, 1]))
    assert prj._pre.tolist() == conn[order, 0].astype(int).tolist()
    assert prj._post.tolist() == conn[order, 1].astype(int).tolist()
    assert np.array_equal(prj._syn["weight"], conn[order, 2])
    assert np.allclose(prj._syn["delay"], conn[order, 3])
    for column in (prj._pre, prj._post, prj._syn["weight"], prj._syn["delay"]):
        assert not np.shares_memory(column, conn)
    prj.set(weight=0.25)
    assert np.array_equal(conn, original)


def test_from_list_connecting_twice_appends(sim, cells):
    """A second chunk after an adopted first one grows the adopted arrays correctly."""
    prj = sim.Projection(*cells, sim.FromListConnector([(3, 2, 0.5, 1.0), (0, 0, 0.25, 2.0)]))
    prj._add_connections(np.array([1, 0]), np.array([1, 2]), {"weight": np.array([0.1, 0.2]),
                                                               "delay": np.array([1.0, 1.0])})
    prj._finish_connections()
    assert prj.get(["weight", "delay"], format="list") == [
        (0, 0, 0.25, 2.0), (1, 1, 0.1, 1.0), (0, 2, 0.2, 1.0), (3, 2, 0.5, 1.0)]
