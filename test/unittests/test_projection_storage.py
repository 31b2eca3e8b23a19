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
