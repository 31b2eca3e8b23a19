"""Statistics of every random connector, reproducibility, multiple synapses, bad input.

Every check compares what a connector made with what its definition implies, with a
tolerance of SIGMAS standard deviations: the seeds are fixed, so the tests are
deterministic, and a correct connector passes them for (almost) any seed, while a biased
one (wrong probability, non-uniform choice, a distance law ignored) fails them.
"""

import math

import numpy as np
import pytest

from pyNN import errors
from pyNN.core import IndexBasedExpression
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.space import Line

SIGMAS = 5.0


# --- statistical helpers --------------------------------------------------------------------------

def chi2_limit(df):
    """Upper limit of a chi-square statistic with `df` degrees of freedom, as far in the tail
    as SIGMAS standard deviations of a normal (Wilson-Hilferty approximation)."""
    h = 2.0 / (9.0 * df)
    return df * (1.0 - h + SIGMAS * math.sqrt(h)) ** 3


def assert_near(observed, mean, variance, what):
    """`observed` within SIGMAS standard deviations of `mean` (+1 for discreteness)."""
    tolerance = SIGMAS * math.sqrt(max(variance, 0.0)) + 1.0
    assert abs(observed - mean) <= tolerance, (
        f"{what}: observed {observed}, expected {mean:.2f} +- {tolerance:.2f}")


def assert_binomial(k, n, p, what):
    assert_near(k, n * p, n * p * (1 - p), what)


def assert_dispersion(counts, mean, variance, what):
    """Counts of many cells, each with the given mean and variance: their Pearson-type
    statistic sum((c - mean)^2 / variance) is about len(counts), with standard deviation
    about sqrt(2 len(counts)). Catches a wrong mean, too much or too little spread, and
    cells favoured or avoided (a non-uniform choice)."""
    counts = np.asarray(counts, dtype=float)
    mean = np.broadcast_to(np.asarray(mean, dtype=float), counts.shape)
    variance = np.broadcast_to(np.asarray(variance, dtype=float), counts.shape)
    stat = float(np.sum((counts - mean) ** 2 / variance))
    k = counts.size
    assert stat <= chi2_limit(k), f"{what}: dispersion statistic {stat:.1f} for {k} cells (about {k} expected)"
    # too little spread is as wrong as too much (e.g. a degree that should vary but does not)
    assert stat >= k - SIGMAS * math.sqrt(2 * k), f"{what}: dispersion statistic {stat:.1f} for {k} cells"


def assert_uniform_over_cells(chosen, n_cells, what, finite=1.0, n_bins=10):
    """`chosen` (cell indices, one per draw) uniform over range(n_cells): contiguous bins
    of cells get their share (chi-square) and the mean index shows no trend. `finite` is
    the variance factor of draws made without replacement, (N - n) / (N - 1)."""
    chosen = np.asarray(chosen)
    bins = np.arange(n_cells) * n_bins // n_cells
    share = np.bincount(bins, minlength=n_bins) / n_cells
    expected = chosen.size * share
    observed = np.bincount(bins[chosen], minlength=n_bins)
    stat = float(np.sum((observed - expected) ** 2 / (expected * finite)))
    df = n_bins - 1
    assert stat <= chi2_limit(df), f"{what}: chi-square {stat:.1f} over {n_bins} bins of cells"
    assert_near(chosen.sum(), chosen.size * (n_cells - 1) / 2, chosen.size * (n_cells ** 2 - 1) / 12 * finite,
                f"{what}: sum of the chosen indices")


def binomial_pmf(n, p):
    """P(K = k) for k = 0..n of a Binomial(n, p) (in log space: n may be large)."""
    k = np.arange(n + 1)
    log_comb = np.array([math.lgamma(n + 1) - math.lgamma(x + 1) - math.lgamma(n - x + 1) for x in k])
    return np.exp(log_comb + k * math.log(p) + (n - k) * math.log1p(-p))


def assert_histogram(values, pmf, what):
    """Chi-square comparison of the histogram of `values` (non-negative integers) with the
    probabilities `pmf`; bins with small expectations are pooled."""
    values = np.asarray(values, dtype=int)
    observed = np.bincount(values, minlength=len(pmf)).astype(float)
    assert observed.size == len(pmf), f"{what}: values beyond the support of the distribution"
    expected = pmf * values.size
    # pool from both ends towards the centre until every bin expects >= 5
    obs_bins, exp_bins = [], []
    o_acc = e_acc = 0.0
    for o, e in zip(observed, expected):
        o_acc += o
        e_acc += e
        if e_acc >= 5:
            obs_bins.append(o_acc)
            exp_bins.append(e_acc)
            o_acc = e_acc = 0.0
    if exp_bins:
        obs_bins[-1] += o_acc
        exp_bins[-1] += e_acc
    obs_bins, exp_bins = np.array(obs_bins), np.array(exp_bins)
    df = max(len(exp_bins) - 1, 1)
    stat = float(np.sum((obs_bins - exp_bins) ** 2 / exp_bins))
    assert stat <= chi2_limit(df), f"{what}: chi-square {stat:.1f} with {df} degrees of freedom"


def arrays(prj):
    return prj._pre.astype(np.int64), prj._post.astype(np.int64)


def distinct_pairs(prj):
    pre, post = arrays(prj)
    return np.unique(pre * prj.shape[1] + post).size


@pytest.fixture
def pops(sim):
    return (sim.Population(300, sim.IF_cond_exp(), label="pre"),
            sim.Population(200, sim.IF_cond_exp(), label="post"))


def line(sim, n, dx=1.0, label=None):
    return sim.Population(n, sim.IF_cond_exp(), structure=Line(dx=dx), label=label)


# --- FixedProbabilityConnector --------------------------------------------------------------------

class TestFixedProbability:
    def test_counts_and_degree_distributions(self, sim, pops):
        p = 0.1
        prj = sim.Projection(*pops, sim.FixedProbabilityConnector(p, rng=NumpyRNG(seed=11)))
        pre, post = arrays(prj)
        assert_binomial(len(prj), 300 * 200, p, "total")
        assert distinct_pairs(prj) == len(prj)
        assert_histogram(np.bincount(post, minlength=200), binomial_pmf(300, p), "in-degrees")
        assert_histogram(np.bincount(pre, minlength=300), binomial_pmf(200, p), "out-degrees")
        # the histograms ignore which cell has which count; the dispersion does not
        assert_dispersion(np.bincount(pre, minlength=300), 200 * p, 200 * p * (1 - p), "out-degrees")
        assert_dispersion(np.bincount(post, minlength=200), 300 * p, 300 * p * (1 - p), "in-degrees")
        assert_uniform_over_cells(pre, 300, "presynaptic cells", finite=1 - p)

    def test_without_self_connections(self, sim):
        pop = sim.Population(150, sim.IF_cond_exp())
        prj = sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.3, allow_self_connections=False,
                                                                      rng=NumpyRNG(seed=12)))
        pre, post = arrays(prj)
        assert not np.any(pre == post)
        assert_binomial(len(prj), 150 * 149, 0.3, "total without the diagonal")


# --- FixedNumberPre/PostConnector -----------------------------------------------------------------

class TestFixedNumber:
    @pytest.mark.parametrize("kind", ["pre", "post"])
    def test_without_replacement(self, sim, kind):
        a, b = sim.Population(600, sim.IF_cond_exp()), sim.Population(500, sim.IF_cond_exp())
        n = 50
        cls = sim.FixedNumberPreConnector if kind == "pre" else sim.FixedNumberPostConnector
        prj = sim.Projection(a, b, cls(n, rng=NumpyRNG(seed=21)))
        pre, post = arrays(prj)
        fixed, chosen = (post, pre) if kind == "pre" else (pre, post)
        n_fixed, n_chosen = (500, 600) if kind == "pre" else (600, 500)
        assert np.all(np.bincount(fixed, minlength=n_fixed) == n)
        assert distinct_pairs(prj) == len(prj)
        # each chosen cell is picked by each fixed cell with probability n / n_chosen
        q = n / n_chosen
        uses = np.bincount(chosen, minlength=n_chosen)
        assert_dispersion(uses, n_fixed * q, n_fixed * q * (1 - q), "uses of the chosen cells")
        assert_histogram(uses, binomial_pmf(n_fixed, q), "uses of the chosen cells")
        assert_uniform_over_cells(chosen, n_chosen, "chosen cells", finite=(n_chosen - n) / (n_chosen - 1))

    @pytest.mark.parametrize("kind", ["pre", "post"])
    def test_with_replacement_gives_multiple_synapses(self, sim, kind):
        a, b = sim.Population(100, sim.IF_cond_exp()), sim.Population(300, sim.IF_cond_exp())
        n = 60
        cls = sim.FixedNumberPreConnector if kind == "pre" else sim.FixedNumberPostConnector
        prj = sim.Projection(a, b, cls(n, with_replacement=True, rng=NumpyRNG(seed=22)))
        pre, post = arrays(prj)
        fixed, chosen = (post, pre) if kind == "pre" else (pre, post)
        n_fixed, n_chosen = (300, 100) if kind == "pre" else (100, 300)
        assert np.all(np.bincount(fixed, minlength=n_fixed) == n)
        # n independent uniform draws per fixed cell: uses of each chosen cell ~ Binomial(n n_fixed, 1/N)
        uses = np.bincount(chosen, minlength=n_chosen)
        assert_histogram(uses, binomial_pmf(n * n_fixed, 1 / n_chosen), "uses of the chosen cells")
        assert_dispersion(uses, n * n_fixed / n_chosen, n * n_fixed / n_chosen * (1 - 1 / n_chosen),
                          "uses of the chosen cells")
        assert_uniform_over_cells(chosen, n_chosen, "chosen cells")
        # distinct partners per fixed cell: N (1 - (1 - 1/N)^n) on average
        distinct = distinct_pairs(prj)
        expected = n_fixed * n_chosen * (1 - (1 - 1 / n_chosen) ** n)
        assert distinct < len(prj)
        assert_near(distinct, expected, expected * (1 - expected / (n_fixed * n_chosen)), "distinct pairs")

    @pytest.mark.parametrize("with_replacement", [False, True])
    def test_no_self_connections_and_uniform_over_the_others(self, sim, with_replacement):
        pop = sim.Population(60, sim.IF_cond_exp())
        n = 15
        prj = sim.Projection(pop, pop, sim.FixedNumberPreConnector(
            n, allow_self_connections=False, with_replacement=with_replacement, rng=NumpyRNG(seed=23)))
        pre, post = arrays(prj)
        assert not np.any(pre == post)
        assert np.all(np.bincount(post, minlength=60) == n)
        q = n / 59
        var = 60 * q * (1 - q) if not with_replacement else 60 * n * (1 / 59) * (1 - 1 / 59)
        assert_dispersion(np.bincount(pre, minlength=60), 60 * q, var, "uses of each presynaptic cell")

    def test_n_from_a_distribution(self, sim, pops):
        n = RandomDistribution("binomial", (40, 0.25), rng=NumpyRNG(seed=24))
        prj = sim.Projection(*pops, sim.FixedNumberPreConnector(n, rng=NumpyRNG(seed=25)))
        in_degree = np.bincount(arrays(prj)[1], minlength=200)
        assert_histogram(in_degree, binomial_pmf(40, 0.25), "in-degrees drawn from binomial(40, 0.25)")


# --- FixedTotalNumberConnector --------------------------------------------------------------------

class TestFixedTotalNumber:
    def test_with_replacement(self, sim, pops):
        n = 30000
        prj = sim.Projection(*pops, sim.FixedTotalNumberConnector(n, rng=NumpyRNG(seed=31)))
        pre, post = arrays(prj)
        assert len(prj) == n
        assert_histogram(np.bincount(post, minlength=200), binomial_pmf(n, 1 / 200), "in-degrees")
        assert_histogram(np.bincount(pre, minlength=300), binomial_pmf(n, 1 / 300), "out-degrees")
        assert_dispersion(np.bincount(post, minlength=200), n / 200, n / 200 * (1 - 1 / 200), "in-degrees")
        assert_dispersion(np.bincount(pre, minlength=300), n / 300, n / 300 * (1 - 1 / 300), "out-degrees")
        assert_uniform_over_cells(pre, 300, "presynaptic cells")
        assert_uniform_over_cells(post, 200, "postsynaptic cells")
        total = 300 * 200
        expected = total * (1 - (1 - 1 / total) ** n)
        assert_near(distinct_pairs(prj), expected, expected * (1 - expected / total), "distinct pairs")

    def test_without_replacement(self, sim, pops):
        n = 9000
        total = 300 * 200
        prj = sim.Projection(*pops, sim.FixedTotalNumberConnector(n, with_replacement=False,
                                                                   rng=NumpyRNG(seed=32)))
        pre, post = arrays(prj)
        assert len(prj) == n == distinct_pairs(prj)
        # in-degree of a post cell: hypergeometric (its 300 pairs among the 60000)
        good = 300 / total
        var = n * good * (1 - good) * (total - n) / (total - 1)
        assert_dispersion(np.bincount(post, minlength=200), n / 200, var, "in-degrees")
        good = 200 / total
        var = n * good * (1 - good) * (total - n) / (total - 1)
        assert_dispersion(np.bincount(pre, minlength=300), n / 300, var, "out-degrees")

    def test_no_self_connections(self, sim):
        pop = sim.Population(50, sim.IF_cond_exp())
        prj = sim.Projection(pop, pop, sim.FixedTotalNumberConnector(2000, allow_self_connections=False,
                                                                      rng=NumpyRNG(seed=33)))
        pre, post = arrays(prj)
        assert len(prj) == 2000 and not np.any(pre == post)
        assert_histogram(np.bincount(post, minlength=50), binomial_pmf(2000, 1 / 50), "in-degrees")


# --- distance, displacement and index dependent probabilities --------------------------------------

def assert_follows_law(connected, p, bins, what):
    """For each bin of pairs, connections ~ sum of independent Bernoulli(p) trials."""
    for b in np.unique(bins):
        sel = bins == b
        assert_near(int(connected[sel].sum()), float(p[sel].sum()), float((p[sel] * (1 - p[sel])).sum()),
                    f"{what}, bin {b}")


class TestDistanceDependent:
    @pytest.mark.parametrize("expression", ["exp(-d/8.0)", lambda d: np.exp(-d / 8.0)])
    def test_empirical_probability_follows_the_expression(self, sim, expression):
        a, b = line(sim, 400), line(sim, 300, dx=1.3)
        prj = sim.Projection(a, b, sim.DistanceDependentProbabilityConnector(expression, rng=NumpyRNG(seed=41)))
        d = prj.space.distances(a.positions, b.positions)  # (n_pre, n_post)
        p = np.exp(-d / 8.0)
        connected = np.zeros(d.shape, dtype=bool)
        pre, post = arrays(prj)
        connected[pre, post] = True
        assert distinct_pairs(prj) == len(prj)
        bins = np.minimum(d // 2, 20).astype(int)  # 2-unit distance bins, the tail pooled
        assert_follows_law(connected.ravel(), p.ravel(), bins.ravel(), "connections at distance")
        assert_near(len(prj), p.sum(), (p * (1 - p)).sum(), "total")
        assert_near(d[pre, post].sum(), (d * p).sum(), (d ** 2 * p * (1 - p)).sum(), "sum of distances")
        # and the law is visible: the empirical probability falls with distance
        rate = [connected[bins == k].mean() for k in range(5)]
        assert rate == sorted(rate, reverse=True)

    def test_self_connections_excluded(self, sim):
        pop = line(sim, 100)
        prj = sim.Projection(pop, pop, sim.DistanceDependentProbabilityConnector(
            "0.9 * exp(-d / 5.0)", allow_self_connections=False, rng=NumpyRNG(seed=42)))
        pre, post = arrays(prj)
        assert not np.any(pre == post)
        d = np.abs(np.arange(100)[:, None] - np.arange(100)[None, :]).astype(float)
        p = 0.9 * np.exp(-d / 5.0)
        np.fill_diagonal(p, 0.0)
        connected = np.zeros((100, 100), dtype=bool)
        connected[pre, post] = True
        assert_follows_law(connected.ravel(), p.ravel(), np.minimum(d, 15).astype(int).ravel(), "distance")


class TestDisplacementDependent:
    def test_direction_matters(self, sim):
        a, b = line(sim, 120), line(sim, 120)

        def forward(disp):  # disp = post - pre, shape (3, N): connect mostly to the right
            dx = disp[0]
            return np.where(dx > 0, 0.5, 0.05) * (np.abs(dx) <= 20)
        prj = sim.Projection(a, b, sim.DisplacementDependentProbabilityConnector(forward, rng=NumpyRNG(seed=43)))
        pre, post = arrays(prj)
        dx = np.arange(120)[None, :] - np.arange(120)[:, None]  # (pre, post)
        p = forward(np.array([dx.ravel(), np.zeros(dx.size), np.zeros(dx.size)])).reshape(dx.shape)
        connected = np.zeros(dx.shape, dtype=bool)
        connected[pre, post] = True
        bins = np.sign(dx) + 1 + 3 * (np.abs(dx) > 20)
        assert_follows_law(connected.ravel(), p.ravel(), bins.ravel(), "displacement")
        assert connected[dx > 0].sum() > 5 * connected[dx < 0].sum()


class _Parity(IndexBasedExpression):
    def __call__(self, i, j):
        return np.where((i + j) % 3 == 0, 0.6, 0.1)


class TestIndexBased:
    def test_probability_per_index_class(self, sim, pops):
        prj = sim.Projection(*pops, sim.IndexBasedProbabilityConnector(_Parity(), rng=NumpyRNG(seed=44)))
        pre, post = arrays(prj)
        i, j = np.meshgrid(np.arange(300), np.arange(200), indexing="ij")
        cls = ((i + j) % 3 == 0).ravel()
        connected = np.zeros((300, 200), dtype=bool)
        connected[pre, post] = True
        assert_binomial(int(connected.ravel()[cls].sum()), int(cls.sum()), 0.6, "(i + j) % 3 == 0")
        assert_binomial(int(connected.ravel()[~cls].sum()), int((~cls).sum()), 0.1, "other pairs")


# --- SmallWorldConnector --------------------------------------------------------------------------

class TestSmallWorld:
    N, DEGREE, REWIRING = 1000, 5, 0.25

    def build(self, sim, **kwargs):
        pop = line(sim, self.N)
        kwargs.setdefault("rewiring", self.REWIRING)
        connector = sim.SmallWorldConnector(self.DEGREE, allow_self_connections=False,
                                            rng=kwargs.pop("rng", NumpyRNG(seed=51)), **kwargs)
        return sim.Projection(pop, pop, connector)

    def local_matrix(self):
        d = np.abs(np.arange(self.N)[:, None] - np.arange(self.N)[None, :])
        return d, (d <= self.DEGREE) & (d > 0)

    def test_rewired_fraction_in_every_distance_class(self, sim):
        prj = self.build(sim)
        pre, post = arrays(prj)
        d, local = self.local_matrix()
        made = np.zeros((self.N, self.N), dtype=bool)
        made[pre, post] = True
        assert len(prj) == local.sum() == made.sum()
        moved = local & ~made  # local connections that were rewired away
        assert_binomial(int(moved.sum()), int(local.sum()), self.REWIRING, "rewired connections")
        assert int((made & ~local).sum()) == int(moved.sum())  # each one landed out of reach
        for k in range(1, self.DEGREE + 1):
            assert_binomial(int(moved[d == k].sum()), int(local[d == k].sum()), self.REWIRING,
                            f"rewired at distance {k}")
        per_post = moved.sum(axis=0)
        n_local = local.sum(axis=0)
        assert_dispersion(per_post, n_local * self.REWIRING, n_local * self.REWIRING * (1 - self.REWIRING),
                          "rewired connections per postsynaptic cell")

    def test_new_presynaptic_cells_are_uniform_over_the_candidates(self, sim):
        prj = self.build(sim, rewiring=0.6, rng=NumpyRNG(seed=52))
        pre, post = arrays(prj)
        d, local = self.local_matrix()
        far = d[pre, post] > self.DEGREE
        new_pre, new_post = pre[far], post[far]
        # expected number of new connections from each bin of 50 presynaptic cells: each new
        # connection of post cell j is uniform over j's candidates (not local, not itself)
        candidates = ~local & (d > 0)  # (pre, post)
        bins = np.arange(self.N) // 50
        per_bin = np.array([candidates[bins == b].sum(axis=0) for b in range(bins.max() + 1)])  # (bin, post)
        share = per_bin / candidates.sum(axis=0)
        expected = share[:, new_post].sum(axis=1)
        observed = np.bincount(bins[new_pre], minlength=per_bin.shape[0])
        df = per_bin.shape[0] - 1
        stat = float(np.sum((observed - expected) ** 2 / expected))
        assert stat <= chi2_limit(df), f"new presynaptic cells not uniform: chi-square {stat:.1f}"
        # and no preference for near or far cells among them
        mean_d = (d * candidates).sum(axis=0) / candidates.sum(axis=0)  # per post cell
        var_d = (d ** 2 * candidates).sum(axis=0) / candidates.sum(axis=0) - mean_d ** 2
        dist = d[new_pre, new_post]
        assert_near(dist.sum(), mean_d[new_post].sum(), var_d[new_post].sum(), "distance of rewired connections")

    def test_n_connections_samples_the_neighbourhood_uniformly(self, sim):
        n = 4000
        prj = self.build(sim, rewiring=0.0, n_connections=n, rng=NumpyRNG(seed=53))
        pre, post = arrays(prj)
        d, local = self.local_matrix()
        assert len(prj) == n and distinct_pairs(prj) == n and np.all(local[pre, post])
        total = int(local.sum())
        for k in range(1, self.DEGREE + 1):
            good = local[d == k].sum() / total
            assert_near(int((d[pre, post] == k).sum()), n * good, n * good * (1 - good) * (total - n) / (total - 1),
                        f"sampled connections at distance {k}")
        in_degree = np.bincount(post, minlength=self.N)
        m = local.sum(axis=0)
        q = n / total
        assert_dispersion(in_degree, m * q, m * q * (1 - q), "sampled in-degrees")

    def test_n_connections_with_rewiring(self, sim):
        prj = self.build(sim, rewiring=0.5, n_connections=3000, rng=NumpyRNG(seed=54))
        pre, post = arrays(prj)
        d, _ = self.local_matrix()
        assert len(prj) == 3000 == distinct_pairs(prj)
        assert_binomial(int((d[pre, post] > self.DEGREE).sum()), 3000, 0.5, "rewired connections")


# --- reproducibility ------------------------------------------------------------------------------

class _Half(IndexBasedExpression):
    def __call__(self, i, j):
        return np.full(np.shape(i), 0.5)


RANDOM_CONNECTORS = {
    "FixedProbability": lambda sim, rng: sim.FixedProbabilityConnector(0.2, rng=rng),
    "FixedNumberPre": lambda sim, rng: sim.FixedNumberPreConnector(5, rng=rng),
    "FixedNumberPre(with_replacement)": lambda sim, rng: sim.FixedNumberPreConnector(5, with_replacement=True,
                                                                                     rng=rng),
    "FixedNumberPost": lambda sim, rng: sim.FixedNumberPostConnector(5, rng=rng),
    "FixedNumberPost(with_replacement)": lambda sim, rng: sim.FixedNumberPostConnector(5, with_replacement=True,
                                                                                       rng=rng),
    "FixedTotalNumber": lambda sim, rng: sim.FixedTotalNumberConnector(200, rng=rng),
    "FixedTotalNumber(without_replacement)": lambda sim, rng: sim.FixedTotalNumberConnector(
        200, with_replacement=False, rng=rng),
    "DistanceDependentProbability": lambda sim, rng: sim.DistanceDependentProbabilityConnector(
        "exp(-d/10.0)", rng=rng),
    "DisplacementDependentProbability": lambda sim, rng: sim.DisplacementDependentProbabilityConnector(
        lambda disp: np.exp(-np.abs(disp[0]) / 10.0), rng=rng),
    "IndexBasedProbability": lambda sim, rng: sim.IndexBasedProbabilityConnector(_Half(), rng=rng),
    "SmallWorld": lambda sim, rng: sim.SmallWorldConnector(3, 0.3, rng=rng),
    "SmallWorld(n_connections)": lambda sim, rng: sim.SmallWorldConnector(3, 0.3, n_connections=100, rng=rng),
}


@pytest.mark.parametrize("name", sorted(RANDOM_CONNECTORS))
def test_same_seed_same_arrays_different_seed_different(sim, name):
    a, b = line(sim, 40), line(sim, 30)
    make = RANDOM_CONNECTORS[name]

    def build(seed):
        weights = RandomDistribution("uniform", (0.0, 1.0), rng=NumpyRNG(seed=seed + 1000))
        prj = sim.Projection(a, b, make(sim, NumpyRNG(seed=seed)), sim.StaticSynapse(weight=weights))
        return arrays(prj) + (prj.get("weight", format="list", with_address=False),)
    first, again, other = build(1), build(1), build(2)
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
    assert len(first[0]) > 0
    assert not (np.array_equal(first[0], other[0]) and np.array_equal(first[1], other[1]))


# --- Projection.get: ordering and multiple synapses -----------------------------------------------

class TestGetOrderingAndMultapses:
    @pytest.mark.parametrize("make", [
        lambda sim: sim.FixedNumberPostConnector(4, with_replacement=True, rng=NumpyRNG(seed=61)),
        lambda sim: sim.FixedTotalNumberConnector(150, rng=NumpyRNG(seed=62)),
        lambda sim: sim.FromListConnector([(3, 2), (0, 4), (1, 0), (0, 0), (3, 2)]),
    ])
    def test_list_is_sorted_by_post_then_pre(self, sim, make):
        a, b = sim.Population(10, sim.IF_cond_exp()), sim.Population(8, sim.IF_cond_exp())
        prj = sim.Projection(a, b, make(sim), sim.StaticSynapse(weight=0.1))
        keys = [(j, i) for i, j, _ in prj.get("weight", format="list")]
        assert keys == sorted(keys) and len(keys) == len(prj)

    def test_multiple_synapses_in_array_format(self, sim):
        a, b = sim.Population(6, sim.IF_cond_exp()), sim.Population(5, sim.IF_cond_exp())
        weights = RandomDistribution("uniform", (0.1, 1.0), rng=NumpyRNG(seed=63))
        prj = sim.Projection(a, b, sim.FixedNumberPreConnector(12, with_replacement=True, rng=NumpyRNG(seed=64)),
                             sim.StaticSynapse(weight=weights))
        conns = prj.get("weight", format="list")
        assert len({(i, j) for i, j, _ in conns}) < len(conns)  # there are multapses
        by_pair = {}
        for i, j, w in conns:
            by_pair.setdefault((i, j), []).append(w)
        combine = {"sum": sum, "min": min, "max": max, "first": lambda v: v[0], "last": lambda v: v[-1]}
        for how, f in combine.items():
            arr = prj.get("weight", format="array", multiple_synapses=how)
            expected = np.full((6, 5), np.nan)
            for (i, j), values in by_pair.items():
                expected[i, j] = f(values)
            np.testing.assert_allclose(arr, expected, err_msg=how)
        assert np.nansum(prj.get("weight", format="array")) == pytest.approx(sum(w for _, _, w in conns))


# --- bad input: clear errors naming the projection, parameter and value ----------------------------

class TestBadInput:
    @pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
    def test_probability_outside_unit_interval(self, p):
        from pyNN.connectors import FixedProbabilityConnector
        with pytest.raises(errors.InvalidParameterValueError, match=rf"p_connect={p}.*\[0, 1\]"):
            FixedProbabilityConnector(p)

    @pytest.mark.parametrize("expression,match", [
        ("-d", r"'-d'.*negative"),
        ("exp(-x)", r"'exp\(-x\)'.*unknown name.*'x'"),
        ("d +", r"'d \+' is not a valid expression"),
    ])
    def test_bad_distance_expressions(self, expression, match):
        from pyNN.connectors import DistanceDependentProbabilityConnector
        with pytest.raises(errors.InvalidParameterValueError, match=match):
            DistanceDependentProbabilityConnector(expression)

    def test_distance_expression_above_one_names_the_projection(self, sim):
        pop = line(sim, 5, label="cells")
        with pytest.raises(errors.InvalidParameterValueError,
                           match=r"Projection 'cells\u2192cells'.*'2 \* exp\(-d\)'.*max 2"):
            sim.Projection(pop, pop, sim.DistanceDependentProbabilityConnector("2 * exp(-d)"))

    def test_index_expression_outside_unit_interval(self, sim):
        class TooBig(IndexBasedExpression):
            def __call__(self, i, j):
                return 1.0 + i
        a, b = sim.Population(3, sim.IF_cond_exp(), label="a"), sim.Population(2, sim.IF_cond_exp(), label="b")
        with pytest.raises(errors.InvalidParameterValueError, match=r"Projection 'a\u2192b'.*TooBig.*e\.g\. 2"):
            sim.Projection(a, b, sim.IndexBasedProbabilityConnector(TooBig()))

    def test_displacement_function_gives_nan(self, sim):
        def broken(disp):
            return np.full(disp.shape[1], np.nan)
        a = sim.Population(3, sim.IF_cond_exp(), label="a")
        with pytest.raises(errors.InvalidParameterValueError, match=r"Projection 'a\u2192a'.*broken.*nan"):
            sim.Projection(a, a, sim.DisplacementDependentProbabilityConnector(broken))

    def test_index_out_of_range(self, sim):
        a, b = sim.Population(3, sim.IF_cond_exp(), label="a"), sim.Population(2, sim.IF_cond_exp(), label="b")
        with pytest.raises(errors.ConnectionError, match=r"postsynaptic index 2 .*Projection 'a\u2192b'"):
            sim.Projection(a, b, sim.FromListConnector([(0, 0), (1, 2)]))

    def test_column_that_is_not_a_synapse_parameter(self, sim):
        a, b = sim.Population(3, sim.IF_cond_exp(), label="a"), sim.Population(2, sim.IF_cond_exp(), label="b")
        with pytest.raises(errors.NonExistentParameterError, match=r"Projection 'a\u2192b'.*'tau_facil'"):
            sim.Projection(a, b, sim.FromListConnector([(0, 1, 5.0)], column_names=["tau_facil"]))

    @pytest.mark.parametrize("n", [-2, 1.5, "ten"])
    def test_bad_numbers_of_connections(self, n):
        from pyNN.connectors import FixedNumberPreConnector, FixedTotalNumberConnector
        with pytest.raises(errors.InvalidParameterValueError, match=rf"n must be an int >= 0.*{n!r}"):
            FixedNumberPreConnector(n)
        with pytest.raises(errors.InvalidParameterValueError, match=rf"n must be an int >= 0.*{n!r}"):
            FixedTotalNumberConnector(n)

    def test_more_than_the_candidates_without_replacement(self, sim):
        # as PyNN documents: every candidate once before any twice
        a, b = sim.Population(3, sim.IF_cond_exp(), label="a"), sim.Population(2, sim.IF_cond_exp(), label="b")
        prj = sim.Projection(a, b, sim.FixedNumberPreConnector(7, rng=NumpyRNG(4)))
        pre, post = prj._pre, prj._post
        for j in range(2):
            per_pre = np.bincount(pre[post == j], minlength=3)
            assert sorted(per_pre.tolist()) == [2, 2, 3]
        prj = sim.Projection(b, b, sim.FixedNumberPostConnector(3, allow_self_connections=False, rng=NumpyRNG(4)))
        assert sorted(zip(prj._pre.tolist(), prj._post.tolist())) == [(0, 1)] * 3 + [(1, 0)] * 3
        n = RandomDistribution("uniform_int", low=0, high=9, rng=NumpyRNG(2))
        prj = sim.Projection(a, b, sim.FixedNumberPreConnector(n, rng=NumpyRNG(5)))
        for j in range(2):
            counts = np.bincount(prj._pre[prj._post == j], minlength=3)
            assert counts.max() - counts.min() <= 1
        c = sim.Population(1, sim.IF_cond_exp(), label="c")
        with pytest.raises(errors.ConnectionError, match=r"no cell to connect to"):
            sim.Projection(c, c, sim.FixedNumberPreConnector(1, allow_self_connections=False))
        with pytest.raises(errors.ConnectionError, match=r"7 distinct connections among 6 pairs.*'a\u2192b'"):
            sim.Projection(a, b, sim.FixedTotalNumberConnector(7, with_replacement=False))
