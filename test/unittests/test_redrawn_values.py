"""Values drawn from a random distribution that the core draws again instead of keeping
(pyNN.common.redrawn_values): they must be exactly the values drawn at creation."""

import numpy as np
import pytest

from pyNN.common.redrawn_values import RedrawnColumn, SynapseValues
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution, Replay


def test_replay_draws_the_same_values_without_touching_the_generator():
    rng = NumpyRNG(seed=5)
    dist = RandomDistribution("normal_clipped", mu=0.0, sigma=1.0, low=-0.5, high=2.0, rng=rng)
    rng.next(3)  # a generator that has already drawn
    values, replay = dist.next_replayable(1000)
    after = rng.rng.get_state()[1].copy()
    np.testing.assert_array_equal(replay(), values)
    np.testing.assert_array_equal(replay(), values)
    assert np.array_equal(rng.rng.get_state()[1], after)
    # the generator goes on as if nothing had been replayed
    np.testing.assert_array_equal(rng.next(5), _continued(5))


def _continued(seed):
    twin = NumpyRNG(seed=seed)
    twin.next(3)
    RandomDistribution("normal_clipped", mu=0.0, sigma=1.0, low=-0.5, high=2.0, rng=twin).next(1000)
    return twin.next(5)


def test_generators_that_cannot_be_replayed_say_so():
    pytest.importorskip("pygsl")
    _, replay = RandomDistribution("uniform", low=0, high=1, rng=GSLRNG(seed=1)).next_replayable(3)
    assert replay is None


def _column(sizes, seed=2):
    rng = NumpyRNG(seed=seed)
    dist = RandomDistribution("uniform", low=0.0, high=1.0, rng=rng)
    col, parts = RedrawnColumn(), []
    for n in sizes:
        values, replay = dist.next_replayable(n)
        col.append(replay)
        parts.append(values)
    return col, np.concatenate(parts)


@pytest.mark.parametrize("start,stop", [(0, 10), (3, 4), (2, 9), (0, 0), (9, 10), (4, 25)])
def test_redrawn_column_parts(start, stop):
    col, expected = _column([4, 1, 5])
    assert col.size == len(col) == 10
    np.testing.assert_array_equal(col.part(start, stop), expected[start:stop])
    np.testing.assert_array_equal(col[start:stop], expected[start:stop])
    col.release()


def test_redrawn_column_as_array_and_by_index():
    col, expected = _column([3, 3])
    np.testing.assert_array_equal(col.array(), expected)
    idx = np.array([5, 0, 2])
    np.testing.assert_array_equal(col[idx], expected[idx])
    np.testing.assert_array_equal(col[::2], expected[::2])


def test_synapse_values_reads_redrawn_values_as_arrays():
    col, expected = _column([2, 2])
    values = SynapseValues({"weight": col, "delay": 0.5})
    np.testing.assert_array_equal(values["weight"], expected)
    np.testing.assert_array_equal({**values}["weight"], expected)
    assert values.get("delay") == 0.5 and values.get("x") is None
    assert values.redrawn() == ["weight"]
    assert dict(values.stored_items())["weight"] is col
    values["weight"] = 1.0
    assert values.redrawn() == [] and sorted(values) == ["delay", "weight"]


def _projection(sim, keeps, monkeypatch, weight_rng_seed=11, connector_rng=None, receptor="excitatory",
                n=(30, 40)):
    monkeypatch.setattr(sim.Projection, "_simulator_keeps_values", keeps)
    pre = sim.Population(n[0], sim.IF_cond_exp(), label="pre")
    post = sim.Population(n[1], sim.IF_cond_exp(), label="post")
    weight = RandomDistribution("uniform", low=0.1, high=0.5, rng=NumpyRNG(seed=weight_rng_seed))
    conn = sim.FixedProbabilityConnector(0.5, rng=connector_rng or NumpyRNG(seed=3))
    return sim.Projection(pre, post, conn, sim.StaticSynapse(weight=weight, delay=0.5),
                          receptor_type=receptor)


def test_projection_draws_its_random_weights_again_exactly(sim, monkeypatch, tmp_path):
    kept = _projection(sim, False, monkeypatch)
    redrawn = _projection(sim, True, monkeypatch)
    assert redrawn._syn.redrawn() == ["weight"] and kept._syn.redrawn() == []
    assert len(redrawn) == len(kept) > 0
    assert redrawn.get(["weight", "delay"], format="list") == kept.get(["weight", "delay"], format="list")
    np.testing.assert_array_equal(redrawn.get("weight", format="array"), kept.get("weight", format="array"))
    # the simulator got the same values
    np.testing.assert_array_equal(redrawn.native["weight"], kept.native["weight"])
    assert redrawn[5].weight == kept[5].weight
    redrawn.save("weight", str(tmp_path / "w.txt"))
    kept.save("weight", str(tmp_path / "k.txt"))
    assert (tmp_path / "w.txt").read_text() == (tmp_path / "k.txt").read_text()


def test_connections_chunked_differently_from_the_draws(sim, monkeypatch):
    """The backend receives the connections in its own chunks, which cut across the
    connector's: every part is drawn again correctly."""
    from pyNN.connectors import _MatrixConnector
    monkeypatch.setattr("pyNN.connectors._BLOCK_ELEMENTS", 70)  # blocks of 2 post cells
    kept = _projection(sim, False, monkeypatch)
    redrawn = _projection(sim, True, monkeypatch)
    assert len(redrawn._syn._stored["weight"].replays) > 5
    redrawn.calls.clear()
    redrawn._create_in_chunks(slice(0, len(redrawn)), chunk=7)  # as a rebuild does
    sent = np.concatenate([values["weight"] for kind, _, _, values in redrawn.calls if kind == "create"])
    np.testing.assert_array_equal(sent, kept._syn["weight"])
    assert issubclass(sim.FixedProbabilityConnector, _MatrixConnector)


def test_shared_generator_for_connections_and_weights(sim, monkeypatch):
    """One generator for the connector and the weights: the draws interleave, and the weights
    are still drawn again exactly."""
    results = []
    for keeps in (False, True):
        rng = NumpyRNG(seed=9)
        monkeypatch.setattr(sim.Projection, "_simulator_keeps_values", keeps)
        pre = sim.Population(20, sim.IF_cond_exp())
        weight = RandomDistribution("normal_clipped", mu=0.3, sigma=0.2, low=0.0, high=1.0, rng=rng)
        prj = sim.Projection(pre, pre, sim.FixedNumberPreConnector(5, rng=rng),
                             sim.StaticSynapse(weight=weight, delay=0.5))
        results.append(prj.get("weight", format="list"))
    assert results[0] == results[1]


def test_set_replaces_redrawn_values(sim, monkeypatch):
    prj = _projection(sim, True, monkeypatch)
    prj.set(delay=0.7)
    assert prj._syn.redrawn() == ["weight"]  # setting another parameter draws nothing
    prj.set(weight=0.25)
    assert prj._syn.redrawn() == []
    assert set(prj.get("weight", format="list", with_address=False)) == {0.25}


def test_plastic_weights_are_kept(sim, monkeypatch):
    monkeypatch.setattr(sim.Projection, "_simulator_keeps_values", True)
    if not hasattr(sim, "STDPMechanism"):
        pytest.skip("the in-memory backend has no STDP")
    pre = sim.Population(5, sim.IF_cond_exp())
    stdp = sim.STDPMechanism(weight=RandomDistribution("uniform", low=0.1, high=0.2, rng=NumpyRNG(1)),
                             timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence())
    prj = sim.Projection(pre, pre, sim.AllToAllConnector(), stdp)
    assert prj._syn.redrawn() == []


def test_iterating_over_connections_draws_each_chunk_once(sim, monkeypatch):
    monkeypatch.setattr("pyNN.connectors._BLOCK_ELEMENTS", 70)
    kept = _projection(sim, False, monkeypatch)
    redrawn = _projection(sim, True, monkeypatch)
    column = redrawn._syn.stored("weight")
    calls = []
    monkeypatch.setattr(Replay, "__call__", _counting(Replay.__call__, calls))
    assert [c.weight for c in redrawn] == [c.weight for c in kept]
    assert len(calls) == len(column.replays)


def _counting(call, calls):
    def wrapper(self):
        calls.append(self)
        return call(self)
    return wrapper
