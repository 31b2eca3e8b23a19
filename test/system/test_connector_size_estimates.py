"""The up-front memory check of connectors whose size depends on a probability function
(of distance, displacement or indices): estimated from a sample of pairs, refused at once
when it clearly cannot fit, and the same network as without the check otherwise."""

import time

import numpy as np
import pytest

from pyNN import errors, memory
from pyNN.core import IndexBasedExpression


class _Everywhere(IndexBasedExpression):
    def __call__(self, i, j):
        return np.full(np.shape(i), 0.9)


class _Near(IndexBasedExpression):
    def __call__(self, i, j):
        return 0.5 * np.exp(-((i - j) ** 2) / 4.0)


DENSE = {
    "distance": lambda sim: sim.DistanceDependentProbabilityConnector("exp(-d/1e9)"),
    "displacement": lambda sim: sim.DisplacementDependentProbabilityConnector(
        lambda disp: np.full(disp.shape[1], 0.8)),
    "index": lambda sim: sim.IndexBasedProbabilityConnector(_Everywhere()),
}
#: about 1.8 connections per cell, drawn at random from the connector's RNG
SPARSE = {
    "distance": lambda sim, rng: sim.DistanceDependentProbabilityConnector("0.5*exp(-d**2/4.0)", rng=rng),
    "displacement": lambda sim, rng: sim.DisplacementDependentProbabilityConnector(
        lambda disp: 0.5 * np.exp(-(disp ** 2).sum(axis=0) / 4.0), rng=rng),
    "index": lambda sim, rng: sim.IndexBasedProbabilityConnector(_Near(), rng=rng),
}


@pytest.fixture
def little_memory(monkeypatch):
    """As if 1 MB were available: 1000 x 1000 pairs (4 MB at 4 bytes each) cannot all fit."""
    monkeypatch.setattr(memory, "available_memory", lambda: 1_000_000)


@pytest.mark.parametrize("kind", sorted(DENSE))
def test_dense_probability_function_refused_before_generating(sim, little_memory, kind):
    cells = sim.Population(1000, sim.IF_curr_exp(), structure=sim.space.Line(dx=1.0), label="row")
    start = time.perf_counter()
    refusal = r"memory.*connections from \w+ProbabilityConnector.*'dense'"
    with pytest.raises(errors.ResourceExhaustedError, match=refusal):
        sim.Projection(cells, cells, DENSE[kind](sim), label="dense")
    assert time.perf_counter() - start < 1.0  # a sample of pairs, not the 10^6 of them
    assert sim.simulator.state.projections == []


@pytest.mark.parametrize("kind", sorted(SPARSE))
def test_sparse_probability_function_accepted_and_unchanged_by_the_check(sim, little_memory, monkeypatch, kind):
    cells = sim.Population(1000, sim.IF_curr_exp(), structure=sim.space.Line(dx=1.0), label="row")
    checked = sim.Projection(cells, cells, SPARSE[kind](sim, sim.NumpyRNG(seed=7)), label="sparse")
    assert 1000 < checked.size() < 3000
    assert np.abs(checked._pre.astype(int) - checked._post.astype(int)).max() < 12
    # with every pair fitting no estimate is made: the same seed gives the same connections,
    # so the estimate did not take numbers from the connector's RNG
    monkeypatch.setattr(memory, "available_memory", lambda: None)
    unchecked = sim.Projection(cells, cells, SPARSE[kind](sim, sim.NumpyRNG(seed=7)), label="unchecked")
    assert np.array_equal(unchecked._pre, checked._pre) and np.array_equal(unchecked._post, checked._post)


@pytest.mark.parametrize("distribution, parameters", [
    ("poisson", {"lambda_": 5000.0}),
    ("binomial", {"n": 10000, "p": 0.5}),
    ("uniform_int", {"low": 2000, "high": 3000}),
])
def test_fixed_number_with_a_count_distribution_refused_before_drawing(sim, little_memory, distribution, parameters):
    """1000 cells x a mean count of 2000-5000 = millions of connections > 1 MB / 4 bytes."""
    cells = sim.Population(1000, sim.IF_curr_exp(), label="cells")
    n = sim.RandomDistribution(distribution, rng=sim.NumpyRNG(seed=3), **parameters)
    with pytest.raises(errors.ResourceExhaustedError, match=r"memory.*FixedNumberPreConnector.*'counted'"):
        sim.Projection(cells, cells, sim.FixedNumberPreConnector(n, with_replacement=True), label="counted")


def test_fixed_number_with_a_small_count_distribution_accepted(sim, little_memory):
    cells = sim.Population(1000, sim.IF_curr_exp(), label="cells")
    n = sim.RandomDistribution("poisson", lambda_=3.0, rng=sim.NumpyRNG(seed=3))
    prj = sim.Projection(cells, cells, sim.FixedNumberPreConnector(n), label="few")
    assert 2000 < prj.size() < 4000


@pytest.mark.parametrize("make", [lambda sim: sim.AllToAllConnector(), lambda sim: sim.FixedProbabilityConnector(0.5)],
                         ids=["AllToAll", "FixedProbability"])
def test_constant_probability_connectors_refused_before_generating(sim, little_memory, make):
    """AllToAll and FixedProbability know their (expected) size without sampling: refused at
    once when it cannot fit, nothing created, and the network still usable."""
    cells = sim.Population(1000, sim.IF_curr_exp(), label="row")
    start = time.perf_counter()
    with pytest.raises(errors.ResourceExhaustedError, match=r"memory.*connections from \w+Connector.*'dense'"):
        sim.Projection(cells, cells, make(sim), label="dense")
    assert time.perf_counter() - start < 1.0
    assert sim.simulator.state.projections == []
    assert sim.Projection(cells[:10], cells[:10], make(sim)).size() <= 100
