"""Keyed random streams (pyNN.keyed_random) and the per-process generation of connectors
that rests on them: any subset of postsynaptic cells, generated alone, gets exactly the
connections a single process generates for those cells (FixedNumberPost: any contiguous share
of the presynaptic cells, those of its cells)."""

import types

import numpy as np
import pytest

from pyNN import keyed_random
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.space import Grid2D

KEY = np.uint64(0x0123456789ABCDEF)


def test_a_number_depends_on_key_row_and_column_only():
    whole = keyed_random.uniform(KEY, np.arange(50), 0, 300)
    part = keyed_random.uniform(KEY, np.array([7, 3, 49]), 100, 50)
    np.testing.assert_array_equal(part, whole[[7, 3, 49], 100:150])
    other = keyed_random.uniform(np.uint64(1), np.arange(50), 0, 300)
    assert not np.any(other == whole)
    assert 0.0 <= whole.min() and whole.max() < 1.0


def test_uniform_statistics():
    u = keyed_random.uniform(KEY, np.arange(1000), 0, 1000).ravel()
    assert abs(u.mean() - 0.5) < 0.002
    assert abs(u.var() - 1 / 12) < 0.001
    counts = np.bincount((u * 10).astype(int), minlength=10)
    assert counts.min() > 0.98 * u.size / 10 and counts.max() < 1.02 * u.size / 10
    # neighbouring rows and columns are not correlated
    grid = u.reshape(1000, 1000)
    assert abs(np.corrcoef(grid[:, :-1].ravel(), grid[:, 1:].ravel())[0, 1]) < 0.005
    assert abs(np.corrcoef(grid[:-1].ravel(), grid[1:].ravel())[0, 1]) < 0.005


def test_stream_key_comes_from_the_rng():
    assert keyed_random.stream_key(NumpyRNG(seed=3)) == keyed_random.stream_key(NumpyRNG(seed=3))
    rng = NumpyRNG(seed=3)
    assert keyed_random.stream_key(rng) != keyed_random.stream_key(rng)  # the RNG advances


@pytest.mark.parametrize("p", [0.001, 0.05, 0.2, 0.25, 0.6, 1.0])
def test_bernoulli_rate_order_and_subsets(p):
    n_rows, n_cols = 400, 2000
    rows, cols = keyed_random.bernoulli(KEY, np.arange(n_rows), n_cols, p)
    assert np.all(np.diff(rows * n_cols + cols) > 0)  # row-major, no repeats
    assert cols.min() >= 0 and cols.max() < n_cols
    n = n_rows * n_cols
    assert abs(rows.size - p * n) <= 5 * np.sqrt(n * p * (1 - p)) + 1e-9
    # every column is as likely (the gap method must not favour the start of a row)
    if 0 < p < 1:
        per_quarter = np.bincount(cols * 4 // n_cols, minlength=4)
        assert per_quarter.min() > 0.9 * per_quarter.mean()
    subset = np.array([399, 5, 200, 0])
    r2, c2 = keyed_random.bernoulli(KEY, subset, n_cols, p)
    for k, row in enumerate(subset):
        np.testing.assert_array_equal(c2[r2 == k], cols[rows == row])


@pytest.mark.parametrize("batch", [1, 3])
def test_bernoulli_rows_that_need_more_numbers(monkeypatch, batch):
    """A row whose successes the first batch of gaps does not cover is topped up: the result
    does not depend on the batch size."""
    expected = keyed_random.bernoulli(KEY, np.arange(300), 500, 0.05)
    monkeypatch.setattr(keyed_random, "_gap_batch", lambda n, p: batch)
    rows, cols = keyed_random.bernoulli(KEY, np.arange(300), 500, 0.05)
    np.testing.assert_array_equal(rows, expected[0])
    np.testing.assert_array_equal(cols, expected[1])


def _local_connections(sim, prj, owned, rank=0, size=1):
    """The connections the projection's connector generates for the post cells `owned` (a
    bool mask) as process `rank` of `size`, owning only those cells, would."""
    post = prj.post
    state = sim.state
    saved_mask, saved_world = post._mask_local, state.world
    post._mask_local = owned
    # a distributed run (generate() makes no collective call; a connector dividing its work by
    # presynaptic cells asks for the rank and the number of processes)
    state.world = types.SimpleNamespace(rank=rank, size=size)
    try:
        chunks = list(prj.connector.generate(prj))
    finally:
        post._mask_local, state.world = saved_mask, saved_world
    pre = np.concatenate([c[0] for c in chunks])
    post_idx = np.concatenate([c[1] for c in chunks])
    return pre, post_idx


CONNECTORS = {
    "fixed_probability": lambda sim, rng: sim.FixedProbabilityConnector(0.1, rng=rng),
    "dense": lambda sim, rng: sim.FixedProbabilityConnector(0.7, allow_self_connections=False, rng=rng),
    "distance": lambda sim, rng: sim.DistanceDependentProbabilityConnector("exp(-d / 30.0)", rng=rng),
    "fixed_number_pre": lambda sim, rng: sim.FixedNumberPreConnector(
        RandomDistribution("poisson", (6,), rng=rng), allow_self_connections=False, rng=rng),
    "fixed_number_pre_replace": lambda sim, rng: sim.FixedNumberPreConnector(
        9, with_replacement=True, allow_self_connections=False, rng=rng),
    "all_to_all": lambda sim, rng: sim.AllToAllConnector(allow_self_connections=False),
    "fixed_number_post": lambda sim, rng: sim.FixedNumberPostConnector(
        7, allow_self_connections=False, rng=rng),
    "fixed_number_post_replace": lambda sim, rng: sim.FixedNumberPostConnector(
        9, with_replacement=True, rng=rng),
    "fixed_total": lambda sim, rng: sim.FixedTotalNumberConnector(900, allow_self_connections=False, rng=rng),
    "fixed_total_distinct": lambda sim, rng: sim.FixedTotalNumberConnector(
        2500, with_replacement=False, rng=rng),
    "small_world": lambda sim, rng: sim.SmallWorldConnector(15.0, 0.3, allow_self_connections=False, rng=rng),
    "small_world_random": lambda sim, rng: sim.SmallWorldConnector(25.0, 1.0, rng=rng),
}


@pytest.mark.parametrize("name", sorted(CONNECTORS))
@pytest.mark.parametrize("n_processes", [2, 3])
def test_each_process_generates_the_connections_onto_its_cells(sim, name, n_processes):
    cells = sim.Population(100, sim.IF_cond_exp(), structure=Grid2D(dx=10.0, dy=10.0), label="cells")
    # a small block size, so that a process's cells span several blocks
    import pyNN.connectors as connectors
    saved = connectors._BLOCK_ELEMENTS
    connectors._BLOCK_ELEMENTS = 900
    try:
        prj = sim.Projection(cells, cells, CONNECTORS[name](sim, NumpyRNG(seed=42)), sim.StaticSynapse())
        single_pre, single_post = prj._pre.astype(np.int64), prj._post.astype(np.int64)
        assert single_pre.size > 100
        ids = np.asarray(cells.all_cells, dtype=np.int64)
        for rank in range(n_processes):
            prj.connector = CONNECTORS[name](sim, NumpyRNG(seed=42))
            if name == "fixed_number_pre":  # the counts are drawn first, from the same RNG
                prj.connector.n = RandomDistribution("poisson", (6,), rng=prj.connector.rng)
            owned = ids % n_processes == rank
            pre, post = _local_connections(sim, prj, owned, rank, n_processes)
            if prj.connector._generates_pre_share:
                # (FixedNumberPost: the connections of a contiguous share of the presynaptic cells,
                # in (post, pre) order; the shares of the processes in rank order)
                first, stop = 100 * rank // n_processes, 100 * (rank + 1) // n_processes
                mine = (single_pre >= first) & (single_pre < stop)
                assert 0 < mine.sum() < single_pre.size
                np.testing.assert_array_equal(post, single_post[mine])
                np.testing.assert_array_equal(pre, single_pre[mine])
                continue
            assert owned[post].all()
            mine = owned[single_post]
            np.testing.assert_array_equal(post, single_post[mine])
            np.testing.assert_array_equal(pre, single_pre[mine])
    finally:
        connectors._BLOCK_ELEMENTS = saved
