"""Connectors: exact connection counts where they are determined, statistics where they
are random, and synaptic weights/delays given in every supported form.
"""

import itertools

import numpy as np
import pytest

from pyNN import errors

from scenario_tools import binomial_bounds, population

DT = 0.1


def cells(sim, n, label, **kwargs):
    return population(sim, n, "IF_curr_exp", label=label, **kwargs)


def pairs(prj):
    """Set of (pre, post) index pairs of a projection."""
    return {(int(i), int(j)) for i, j in prj.get([], format="list")}


def address_list(prj, names=("weight",)):
    """Connections as an (n, 2 + len(names)) float array sorted by (pre, post)."""
    rows = np.array(prj.get(list(names), format="list"), dtype=float).reshape(-1, 2 + len(names))
    order = np.lexsort((rows[:, 1], rows[:, 0]))
    return rows[order]


# --- deterministic connectors ----------------------------------------------------------------

def test_all_to_all_between_populations(sim):
    pre, post = cells(sim, 4, "pre"), cells(sim, 3, "post")
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    assert prj.size() == len(prj) == 12
    assert pairs(prj) == {(i, j) for i in range(4) for j in range(3)}
    assert prj.shape == (4, 3)


@pytest.mark.parametrize("allow_self", [True, False])
def test_all_to_all_recurrent_self_connections(sim, allow_self):
    pop = cells(sim, 5, "recurrent")
    prj = sim.Projection(pop, pop, sim.AllToAllConnector(allow_self_connections=allow_self),
                         sim.StaticSynapse(weight=0.1))
    expected = {(i, j) for i in range(5) for j in range(5) if allow_self or i != j}
    assert pairs(prj) == expected
    assert prj.size() == len(expected)


def test_one_to_one(sim):
    pre, post = cells(sim, 6, "pre"), cells(sim, 6, "post")
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.2))
    assert pairs(prj) == {(i, i) for i in range(6)}


def test_from_list_exact(sim):
    pre, post = cells(sim, 4, "pre"), cells(sim, 5, "post")
    conn_list = [(0, 1, 0.5, 1.0), (3, 4, 0.25, 2.5), (2, 0, 0.125, 0.3), (0, 4, 1.0, 1.1)]
    prj = sim.Projection(pre, post, sim.FromListConnector(conn_list), sim.StaticSynapse())
    rows = address_list(prj, ["weight", "delay"])
    np.testing.assert_allclose(rows, sorted(conn_list), atol=1e-9)


def test_from_list_with_named_columns(sim):
    pre, post = cells(sim, 3, "pre"), cells(sim, 3, "post")
    conn_list = [(0, 0, 2.0), (1, 2, 3.0)]
    prj = sim.Projection(pre, post, sim.FromListConnector(conn_list, column_names=["delay"]),
                         sim.StaticSynapse(weight=0.7))
    rows = address_list(prj, ["weight", "delay"])
    np.testing.assert_allclose(rows, [(0, 0, 0.7, 2.0), (1, 2, 0.7, 3.0)])


# --- random connectors ---------------------------------------------------------------------------

def test_fixed_probability_count_and_reproducibility(sim):
    n_pre, n_post, p = 40, 50, 0.2
    pre, post = cells(sim, n_pre, "pre"), cells(sim, n_post, "post")
    prj1 = sim.Projection(pre, post, sim.FixedProbabilityConnector(p, rng=sim.NumpyRNG(seed=8765)),
                          sim.StaticSynapse(weight=0.1))
    low, high = binomial_bounds(n_pre * n_post, p)
    assert low <= prj1.size() <= high
    prj2 = sim.Projection(pre, post, sim.FixedProbabilityConnector(p, rng=sim.NumpyRNG(seed=8765)),
                          sim.StaticSynapse(weight=0.1))
    assert pairs(prj1) == pairs(prj2)
    prj3 = sim.Projection(pre, post, sim.FixedProbabilityConnector(p, rng=sim.NumpyRNG(seed=1234)),
                          sim.StaticSynapse(weight=0.1))
    assert pairs(prj3) != pairs(prj1)
    # no duplicates
    assert len(pairs(prj1)) == prj1.size()


def test_fixed_probability_extremes_and_no_self(sim):
    pop = cells(sim, 20, "recurrent")
    assert sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.0)).size() == 0
    full = sim.Projection(pop, pop, sim.FixedProbabilityConnector(1.0, allow_self_connections=False))
    assert pairs(full) == {(i, j) for i in range(20) for j in range(20) if i != j}


@pytest.mark.parametrize("with_replacement", [False, True])
def test_fixed_number_pre(sim, with_replacement):
    n = 7
    pre, post = cells(sim, 10, "pre"), cells(sim, 25, "post")
    prj = sim.Projection(pre, post, sim.FixedNumberPreConnector(
        n, with_replacement=with_replacement, rng=sim.NumpyRNG(seed=3)), sim.StaticSynapse(weight=0.1))
    conns = np.array(prj.get([], format="list"), dtype=int)
    per_post = np.bincount(conns[:, 1], minlength=25)
    assert np.all(per_post == n)
    distinct = {tuple(c) for c in conns}
    if not with_replacement:
        assert len(distinct) == len(conns)
    else:
        # 25 cells drawing 7 of 10 with replacement: duplicates are practically certain
        assert len(distinct) < len(conns)


def test_fixed_number_pre_without_self_connections(sim):
    pop = cells(sim, 12, "recurrent")
    prj = sim.Projection(pop, pop, sim.FixedNumberPreConnector(11, allow_self_connections=False,
                                                               rng=sim.NumpyRNG(seed=5)))
    conns = pairs(prj)
    assert conns == {(i, j) for i in range(12) for j in range(12) if i != j}


def test_fixed_number_more_than_the_candidates_without_replacement(sim):
    # PyNN: "all possible single connections are made before starting to add duplicate
    # connections"; the duplicates reach the simulator (weights add up in get(format='array'))
    pre, post = cells(sim, 3, "pre"), cells(sim, 2, "post")
    prj = sim.Projection(pre, post, sim.FixedNumberPostConnector(5, rng=sim.NumpyRNG(seed=3)),
                         sim.StaticSynapse(weight=0.1))
    assert prj.size() == 15
    w = prj.get("weight", format="array")
    assert np.allclose(np.sort(w, axis=1), [[0.2, 0.3]] * 3)


@pytest.mark.parametrize("with_replacement", [False, True])
def test_fixed_number_post(sim, with_replacement):
    n = 4
    pre, post = cells(sim, 30, "pre"), cells(sim, 6, "post")
    prj = sim.Projection(pre, post, sim.FixedNumberPostConnector(
        n, with_replacement=with_replacement, rng=sim.NumpyRNG(seed=11)), sim.StaticSynapse(weight=0.1))
    conns = np.array(prj.get([], format="list"), dtype=int)
    per_pre = np.bincount(conns[:, 0], minlength=30)
    assert np.all(per_pre == n)
    if not with_replacement:
        assert len({tuple(c) for c in conns}) == len(conns)


def test_distance_dependent_probability_on_grid(sim):
    grid = sim.space.Grid2D(aspect_ratio=1.0, dx=5.0, dy=5.0)
    pre = cells(sim, 400, "grid")  # 20 x 20
    pre.structure = grid
    prj = sim.Projection(pre, pre, sim.DistanceDependentProbabilityConnector(
        "exp(-d**2/400.0)", rng=sim.NumpyRNG(seed=99)), sim.StaticSynapse(weight=0.1))
    pos = pre.positions
    d = np.sqrt(((pos[:, :, None] - pos[:, None, :]) ** 2).sum(axis=0))  # (pre, post)
    connected = np.zeros(d.shape, dtype=bool)
    for i, j in pairs(prj):
        connected[i, j] = True
    fractions = []
    for lo, hi in [(0, 10), (10, 20), (20, 30), (30, 45), (45, 200)]:
        in_bin = (d >= lo) & (d < hi)
        expected = np.exp(-d[in_bin] ** 2 / 400.0).sum()
        observed = connected[in_bin].sum()
        sd = np.sqrt(np.sum(np.exp(-d[in_bin] ** 2 / 400.0) * (1 - np.exp(-d[in_bin] ** 2 / 400.0))))
        assert abs(observed - expected) <= 5 * sd + 1, (lo, hi, observed, expected)
        fractions.append(observed / in_bin.sum())
    assert all(a > b for a, b in itertools.pairwise(fractions)), fractions
    assert connected[d == 0].all()  # p = 1 at d = 0 (self connections allowed)
    assert not connected[d > 80].any()  # p < 1.2e-7 there


# --- synaptic parameter values --------------------------------------------------------------------

def line_populations(sim):
    pre = cells(sim, 5, "pre", structure=sim.space.Line(dx=10.0))
    post = cells(sim, 4, "post", structure=sim.space.Line(dx=10.0, x0=5.0))
    distances = np.abs(pre.positions[0][:, None] - post.positions[0][None, :])
    return pre, post, distances


def test_scalar_weights_and_delays(sim):
    pre, post, _ = line_populations(sim)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.3, delay=1.5))
    w, d = prj.get(["weight", "delay"], format="array")
    np.testing.assert_allclose(w, 0.3)
    np.testing.assert_allclose(d, 1.5)
    assert prj.get("weight", format="list", with_address=False) == pytest.approx([0.3] * 20)


def test_default_delay_is_min_delay(sim):
    pre, post, _ = line_populations(sim)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.3))
    np.testing.assert_allclose(prj.get("delay", format="array"), sim.get_min_delay())


def test_random_weights_and_delays(sim):
    pre, post, _ = line_populations(sim)
    rng = sim.NumpyRNG(seed=77)
    syn = sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.1, 0.5), rng=rng),
                            delay=sim.RandomDistribution("uniform_int", (1, 5), rng=rng))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), syn)
    w, d = prj.get(["weight", "delay"], format="array")
    assert np.all((w >= 0.1) & (w <= 0.5)) and len(np.unique(w)) == 20
    assert set(np.unique(d)) <= {1.0, 2.0, 3.0, 4.0, 5.0} and len(np.unique(d)) > 1


def test_array_weights(sim):
    pre, post, _ = line_populations(sim)
    weights = np.arange(20, dtype=float).reshape(5, 4) / 10.0 + 0.05
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=weights, delay=1.0))
    np.testing.assert_allclose(prj.get("weight", format="array"), weights)


def test_callable_and_expression_of_distance(sim):
    pre, post, distances = line_populations(sim)
    syn = sim.StaticSynapse(weight=lambda d: 0.5 + 0.01 * d, delay="0.5+0.01*d")
    # distances are 5, 15, 25...: delays such as 0.55 ms are off the time grid
    with pytest.warns(errors.RoundingWarning):
        prj = sim.Projection(pre, post, sim.AllToAllConnector(), syn)
    w, d = prj.get(["weight", "delay"], format="array")
    np.testing.assert_allclose(w, 0.5 + 0.01 * distances)
    # delays are rounded to the nearest multiple of the time step
    np.testing.assert_allclose(d / DT, np.round(d / DT), atol=1e-6)
    np.testing.assert_allclose(d, 0.5 + 0.01 * distances, atol=DT / 2 + 1e-9)
    syn = sim.StaticSynapse(weight="0.5+0.01*d", delay=lambda d: 1.0 + 0.02 * d)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), syn)
    w, d = prj.get(["weight", "delay"], format="array")
    np.testing.assert_allclose(w, 0.5 + 0.01 * distances)
    np.testing.assert_allclose(d, 1.0 + 0.02 * distances, atol=1e-9)


def test_projection_set_forms(sim):
    pre, post, distances = line_populations(sim)
    prj = sim.Projection(pre[:4], post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))
    prj.set(weight=0.4)
    np.testing.assert_allclose(prj.get("weight", format="list", with_address=False), [0.4] * 4)
    prj.set(weight=[0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(address_list(prj)[:, 2], [0.1, 0.2, 0.3, 0.4])
    prj.set(weight=lambda d: d / 100.0)
    np.testing.assert_allclose(address_list(prj)[:, 2], [distances[i, i] / 100.0 for i in range(4)])


def test_get_formats(sim):
    pre, post = cells(sim, 3, "pre"), cells(sim, 4, "post")
    conn_list = [(0, 1, 0.5, 1.0), (2, 3, 0.25, 2.0), (2, 0, 0.75, 0.5)]
    prj = sim.Projection(pre, post, sim.FromListConnector(conn_list), sim.StaticSynapse())
    # list, with and without addresses
    as_list = prj.get(["weight", "delay"], format="list")
    assert sorted(tuple(float(x) for x in row) for row in as_list) == sorted(conn_list)
    values = prj.get("weight", format="list", with_address=False)
    assert sorted(values) == pytest.approx([0.25, 0.5, 0.75])
    # array: NaN where there is no connection
    w = prj.get("weight", format="array")
    assert w.shape == (3, 4)
    expected = np.full((3, 4), np.nan)
    for i, j, wt, _ in conn_list:
        expected[i, j] = wt
    np.testing.assert_array_equal(np.isnan(w), np.isnan(expected))
    np.testing.assert_allclose(w[~np.isnan(w)], expected[~np.isnan(expected)])
    # several names -> list of results
    _w2, d2 = prj.get(["weight", "delay"], format="array")
    np.testing.assert_allclose(d2[2, 0], 0.5)
    with pytest.raises(Exception, match="format"):
        prj.get("weight", format="table")


def test_get_array_combines_multiple_synapses(sim):
    pre, post = cells(sim, 2, "pre"), cells(sim, 2, "post")
    conn_list = [(0, 1, 0.5, 1.0), (0, 1, 0.25, 2.0), (1, 0, 0.75, 1.0)]
    prj = sim.Projection(pre, post, sim.FromListConnector(conn_list), sim.StaticSynapse())
    assert prj.size() == 3
    for how, value in [("sum", 0.75), ("min", 0.25), ("max", 0.5)]:
        w = prj.get("weight", format="array", multiple_synapses=how)
        assert w[0, 1] == pytest.approx(value), how
        assert w[1, 0] == pytest.approx(0.75)
    with pytest.raises(ValueError):
        prj.get("weight", format="array", multiple_synapses="average")


def test_same_seed_gives_same_weights(sim):
    pre, post = cells(sim, 10, "pre"), cells(sim, 10, "post")

    def build():
        rng = sim.NumpyRNG(seed=2024)
        return sim.Projection(pre, post, sim.FixedProbabilityConnector(0.5, rng=rng),
                              sim.StaticSynapse(weight=sim.RandomDistribution("normal", (1.0, 0.1), rng=rng)))
    a, b = build(), build()
    np.testing.assert_array_equal(address_list(a), address_list(b))


def test_connections_are_used_in_simulation(sim):
    """An all-to-all projection from 3 sources into IF_curr_delta cells: each spike adds its weight."""
    sources = population(sim, 3, "SpikeSourceArray", label="src", spike_times=[2.0])
    targets = population(sim, 2, "IF_curr_delta", label="tgt", tau_m=1e6, v_rest=-65.0, v_thresh=0.0)
    targets.initialize(v=-65.0)
    weights = np.array([[0.1, 1.0], [0.2, 2.0], [0.3, 3.0]])
    sim.Projection(sources, targets, sim.AllToAllConnector(), sim.StaticSynapse(weight=weights, delay=1.0))
    targets.record("v")
    sim.run(5.0)
    v = targets.get_data().segments[0].analogsignals[0].magnitude
    np.testing.assert_allclose(v[-1], -65.0 + weights.sum(axis=0), atol=1e-3)


# --- small-world, connection-set algebra, streamed files ------------------------------------------

def test_small_world_exports_and_csa_flag(sim):
    import pyNN.connectors
    assert sim.SmallWorldConnector is pyNN.connectors.SmallWorldConnector
    assert sim.CSAConnector is pyNN.connectors.CSAConnector
    assert sim.haveCSA is pyNN.connectors.haveCSA


def test_small_world_on_a_line(sim):
    from pyNN.space import Line
    pop = cells(sim, 40, "ring", structure=Line(dx=1.0))
    local = sim.Projection(pop, pop, sim.SmallWorldConnector(2.0, 0.0, allow_self_connections=False),
                           sim.StaticSynapse(weight=0.1))
    assert pairs(local) == {(i, j) for i in range(40) for j in range(40) if 0 < abs(i - j) <= 2}
    rewired = sim.Projection(pop, pop, sim.SmallWorldConnector(2.0, 0.5, allow_self_connections=False,
                                                               rng=sim.NumpyRNG(seed=8)),
                             sim.StaticSynapse(weight=0.1))
    assert rewired.size() == local.size() and len(pairs(rewired)) == local.size()
    assert 0 < sum(abs(i - j) > 2 for i, j in pairs(rewired)) < local.size()
    exact = sim.Projection(pop, pop, sim.SmallWorldConnector(2.0, 0.2, n_connections=50),
                           sim.StaticSynapse(weight=0.1))
    assert exact.size() == 50


def test_from_file_round_trip_in_chunks(sim, tmp_path, monkeypatch):
    import pyNN.connectors
    pre, post = cells(sim, 20, "pre"), cells(sim, 15, "post")
    rng = sim.NumpyRNG(seed=6)
    prj = sim.Projection(pre, post, sim.FixedNumberPreConnector(5, with_replacement=True, rng=rng),
                         sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.1, 1.0), rng=rng),
                                           delay=1.5))
    path = tmp_path / "prj.txt"
    prj.save("all", str(path))
    monkeypatch.setattr(pyNN.connectors, "_FILE_CHUNK_ROWS", 9)
    back = sim.Projection(pre, post, sim.FromFileConnector(path))
    np.testing.assert_allclose(address_list(back, ("weight", "delay")), address_list(prj, ("weight", "delay")))
