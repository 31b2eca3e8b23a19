"""Tests for pyNN.random: RNGs, distributions, masks, parallel safety, lazyarray use."""

import sys
import types
from copy import deepcopy

import numpy as np
import pytest
from lazyarray import larray

import pyNN.random as pr
from pyNN import errors
from pyNN.random import (
    GSLRNG,
    NativeRNG,
    NumpyRNG,
    RandomDistribution,
    available_distributions,
    get_mpi_config,
)

N = 40_000


# --------------------------------------------------------------------------- distributions

# (distribution, parameters, expected mean, expected variance)
MOMENTS = [
    ("binomial", {"n": 20, "p": 0.3}, 6.0, 20 * 0.3 * 0.7),
    ("gamma", {"k": 2.0, "theta": 1.5}, 3.0, 2.0 * 1.5**2),
    ("exponential", {"beta": 2.5}, 2.5, 2.5**2),
    ("lognormal", {"mu": 0.2, "sigma": 0.4}, np.exp(0.2 + 0.08), (np.exp(0.16) - 1) * np.exp(0.4 + 0.16)),
    ("normal", {"mu": -3.0, "sigma": 2.0}, -3.0, 4.0),
    ("poisson", {"lambda_": 4.5}, 4.5, 4.5),
    ("uniform", {"low": -2.0, "high": 6.0}, 2.0, 64.0 / 12),
    ("uniform_int", {"low": 3, "high": 8}, 5.0, (5**2 - 1) / 12),  # 3..7 inclusive
]


@pytest.mark.parametrize("name, params, mean, var", MOMENTS, ids=[m[0] for m in MOMENTS])
def test_moments(name, params, mean, var):
    values = NumpyRNG(seed=1234).next(N, name, params)
    assert values.shape == (N,)
    se_mean = np.sqrt(var / N)
    assert abs(values.mean() - mean) < 5 * se_mean
    assert values.var() == pytest.approx(var, rel=0.06)


def test_integer_distributions_give_integers_in_range():
    rng = NumpyRNG(seed=5)
    ints = rng.next(2000, "uniform_int", (3, 8))
    assert np.issubdtype(ints.dtype, np.integer)
    assert set(np.unique(ints)) == {3, 4, 5, 6, 7}  # high is exclusive
    b = rng.next(2000, "binomial", (5, 0.5))
    assert b.min() >= 0 and b.max() <= 5


def test_vonmises_is_circular_around_mu():
    values = NumpyRNG(seed=3).next(N, "vonmises", {"mu": 1.0, "kappa": 4.0})
    assert values.min() >= -np.pi and values.max() <= np.pi
    assert np.angle(np.mean(np.exp(1j * values))) == pytest.approx(1.0, abs=0.02)


def test_normal_clipped_redraws_inside_interval():
    values = NumpyRNG(seed=7).next(N, "normal_clipped", (0.0, 1.0, -0.5, 2.0))
    assert values.min() >= -0.5 and values.max() <= 2.0
    # redrawn, not clipped: no pile-up at the boundaries
    assert np.count_nonzero(values == -0.5) == 0 and np.count_nonzero(values == 2.0) == 0
    # mean of a truncated standard normal on [-0.5, 2]
    from math import erf, exp, pi, sqrt
    pdf = [exp(-x * x / 2) / sqrt(2 * pi) for x in (-0.5, 2.0)]
    cdf = [0.5 * (1 + erf(x / sqrt(2))) for x in (-0.5, 2.0)]
    assert values.mean() == pytest.approx((pdf[0] - pdf[1]) / (cdf[1] - cdf[0]), abs=0.02)


def test_normal_clipped_allows_infinite_bound():
    values = NumpyRNG(seed=7).next(1000, "normal_clipped", {"mu": 0, "sigma": 1, "low": 0, "high": np.inf})
    assert values.min() >= 0


def test_normal_clipped_gives_up_with_clear_error():
    rng = NumpyRNG(seed=1)
    with pytest.raises(errors.InvalidParameterValueError, match="1000 rounds.*normal_clipped_to_boundary"):
        rng.next(10, "normal_clipped", {"mu": 0.0, "sigma": 0.0, "low": 1.0, "high": 2.0})


def test_normal_clipped_to_boundary_clips():
    values = NumpyRNG(seed=7).next(N, "normal_clipped_to_boundary", (0.0, 1.0, -0.5, 0.5))
    assert values.min() == -0.5 and values.max() == 0.5
    assert np.mean(values == 0.5) == pytest.approx(0.3085, abs=0.015)


def test_available_distributions_table():
    assert available_distributions["poisson"] == ("lambda_",)
    assert available_distributions["normal_clipped"] == ("mu", "sigma", "low", "high")
    assert len(available_distributions) == 11


# --------------------------------------------------------------------------- NumpyRNG.next

def test_same_seed_same_values_and_matches_randomstate():
    a = NumpyRNG(seed=42).next(100, "normal", {"mu": 1.0, "sigma": 2.0})
    b = NumpyRNG(seed=42).next(100, "normal", (1.0, 2.0))
    assert np.array_equal(a, b)
    # the documented mapping onto RandomState calls (same numbers as PyNN for a seed)
    assert np.array_equal(a, np.random.RandomState(42).normal(1.0, 2.0, size=100))
    assert not np.array_equal(a, NumpyRNG(seed=43).next(100, "normal", (1.0, 2.0)))


def test_next_shapes_and_defaults():
    rng = NumpyRNG(seed=1)
    x = rng.next()
    assert np.ndim(x) == 0 and 0 <= x < 1
    assert rng.next(0).shape == (0,)
    assert rng.next(0, "poisson", (1.0,)).shape == (0,)
    assert rng.next(5, distribution=None).shape == (5,)
    assert rng.next(np.int64(3)).shape == (3,)
    with pytest.raises(ValueError, match="n=-1"):
        rng.next(-1)
    with pytest.raises(errors.InvalidParameterValueError, match="n=2.5"):
        rng.next(2.5)


def test_delegates_unknown_attributes_to_randomstate():
    rng = NumpyRNG(seed=9)
    assert sorted(rng.permutation(6)) == list(range(6))
    assert np.array_equal(NumpyRNG(seed=9).uniform(size=3), np.random.RandomState(9).uniform(size=3))
    with pytest.raises(AttributeError):
        rng.no_such_method  # noqa: B018


def test_deepcopy_of_rng_copies_state():
    rng = NumpyRNG(seed=11)
    rng.next(3)
    copy = deepcopy(rng)
    assert np.array_equal(rng.next(5), copy.next(5))


@pytest.mark.parametrize("mask", [
    np.array([True, False, True, True, False, False, True, False, False, True]),
    np.array([9, 0, 3]),
    [1, 2],
    slice(2, 8, 2),
])
def test_parallel_safe_mask_selects_from_full_draw(mask):
    full = NumpyRNG(seed=21).next(10, "uniform", (0, 1))
    part = NumpyRNG(seed=21).next(10, "uniform", (0, 1), mask=mask)
    index = mask if isinstance(mask, slice) else np.asarray(mask)
    assert np.array_equal(part, full[index])


def test_parallel_safe_results_independent_of_split():
    """Two 'processes' with complementary masks reconstruct the single-process draw."""
    full = NumpyRNG(seed=5).next(12, "normal", (0, 1))
    local0 = np.arange(12) % 2 == 0
    got = np.empty(12)
    got[local0] = NumpyRNG(seed=5).next(12, "normal", (0, 1), mask=local0)
    got[~local0] = NumpyRNG(seed=5).next(12, "normal", (0, 1), mask=~local0)
    assert np.array_equal(got, full)


def test_not_parallel_safe_draws_only_selected_count():
    mask = np.array([True, False, True, False, False])
    rng = NumpyRNG(seed=3, parallel_safe=False)
    part = rng.next(5, mask=mask)
    assert np.array_equal(part, np.random.RandomState(3).uniform(size=2))


def test_not_parallel_safe_offsets_seed_by_rank(monkeypatch):
    monkeypatch.setattr(pr, "get_mpi_config", lambda: (2, 4))
    rng = NumpyRNG(seed=100, parallel_safe=False)
    assert rng.seed == 102 and rng.mpi_rank == 2 and rng.num_processes == 4
    assert np.array_equal(rng.next(4), np.random.RandomState(102).uniform(size=4))
    assert NumpyRNG(seed=100, parallel_safe=True).seed == 100


def test_get_mpi_config_without_mpi4py(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # makes "from mpi4py import MPI" fail
    assert get_mpi_config() == (0, 1)


def test_bad_masks():
    rng = NumpyRNG(seed=1)
    with pytest.raises(errors.InvalidDimensionsError, match="shape"):
        rng.next(5, mask=np.array([True, False]))
    with pytest.raises(IndexError):
        rng.next(5, mask=np.array([7]))
    with pytest.raises(ValueError, match="mask"):
        rng.next(None, mask=np.array([0]))


def test_seed_validation():
    with pytest.raises(errors.InvalidParameterValueError, match="seed=1.5"):
        NumpyRNG(seed=1.5)
    with pytest.raises(errors.InvalidParameterValueError, match="seed=-1"):
        NumpyRNG(seed=-1)
    assert NumpyRNG(seed=np.int64(4)).seed == 4


# --------------------------------------------------------------------------- parameter errors

@pytest.mark.parametrize("name, params, bad", [
    ("normal", {"mu": 0, "sigma": -1}, "sigma=-1"),
    ("lognormal", {"mu": 0, "sigma": -0.1}, "sigma=-0.1"),
    ("uniform", {"low": 2, "high": 1}, "high=1"),
    ("uniform", {"low": 0, "high": np.inf}, "high=inf"),
    ("uniform_int", {"low": 3, "high": 3}, "high=3"),
    ("uniform_int", {"low": 0.5, "high": 3}, "low=0.5"),
    ("binomial", {"n": 10, "p": 1.5}, "p=1.5"),
    ("binomial", {"n": -2, "p": 0.5}, "n=-2"),
    ("gamma", {"k": 0, "theta": 1}, "k=0"),
    ("exponential", {"beta": -1}, "beta=-1"),
    ("poisson", {"lambda_": -3}, "lambda_=-3"),
    ("vonmises", {"mu": 0, "kappa": -1}, "kappa=-1"),
    ("normal_clipped", {"mu": 0, "sigma": 1, "low": 1, "high": 0}, "high=0"),
    ("normal", {"mu": float("nan"), "sigma": 1}, "mu=nan"),
    ("normal", {"mu": "a", "sigma": 1}, "mu='a'"),
    ("normal", {"mu": [1, 2], "sigma": 1}, r"mu=\[1, 2\]"),
])
def test_invalid_parameter_values(name, params, bad):
    with pytest.raises(errors.InvalidParameterValueError, match=f"'{name}'.*{bad}"):
        RandomDistribution(name, **params)
    with pytest.raises(errors.InvalidParameterValueError, match=bad):
        NumpyRNG(seed=1).next(3, name, params)


def test_unknown_distribution_lists_available_and_close_matches():
    with pytest.raises(errors.InvalidParameterValueError) as info:
        RandomDistribution("normel", mu=0, sigma=1)
    msg = str(info.value)
    assert "'normel'" in msg and "vonmises" in msg and "Did you mean: normal" in msg
    with pytest.raises(ValueError, match="Available distributions"):
        NumpyRNG().next(3, "cauchy", {})


def test_wrong_parameter_names_raise_keyerror_naming_valid_ones():
    with pytest.raises(KeyError) as info:
        RandomDistribution("normal", mu=0, sd=1)
    assert "'sd'" in str(info.value) and "mu, sigma" in str(info.value)
    with pytest.raises(KeyError, match="missing: sigma"):
        RandomDistribution("normal", mu=0)
    with pytest.raises(KeyError, match="missing"):
        NumpyRNG().next(3, "gamma", None)


def test_positional_and_named_together_is_valueerror():
    with pytest.raises(ValueError, match="not both"):
        RandomDistribution("normal", (0, 1), mu=0, sigma=1)


def test_wrong_number_of_positional_parameters():
    with pytest.raises(errors.InvalidParameterValueError, match=r"takes 2 .*mu, sigma.*3 were given"):
        RandomDistribution("normal", (0, 1, 2))


# --------------------------------------------------------------------------- RandomDistribution

def test_random_distribution_attributes_and_next():
    rng = NumpyRNG(seed=8)
    rd = RandomDistribution("gamma", (2.0, 5.0), rng=rng)
    assert rd.name == "gamma"
    assert rd.parameters == {"k": 2.0, "theta": 5.0}
    assert rd.rng is rng
    assert np.ndim(rd.next()) == 0
    values = RandomDistribution("gamma", k=2.0, theta=5.0, rng=NumpyRNG(seed=8)).next(4)
    assert np.array_equal(values, np.random.RandomState(8).gamma(2.0, 5.0, size=4))
    assert "RandomDistribution('gamma', k=2.0, theta=5.0" in repr(rd)


def test_random_distribution_default_rng_is_unseeded_numpy():
    rd = RandomDistribution("uniform", low=0, high=1)
    assert isinstance(rd.rng, NumpyRNG) and rd.rng.seed is None
    assert RandomDistribution("uniform", (0, 1)).rng is not rd.rng


def test_random_distribution_rejects_non_rng():
    with pytest.raises(TypeError, match="rng="):
        RandomDistribution("uniform", (0, 1), rng=42)


def test_random_distribution_mask():
    full = RandomDistribution("normal", (0, 1), rng=NumpyRNG(seed=2)).next(8)
    mask = np.array([0, 5, 7])
    part = RandomDistribution("normal", (0, 1), rng=NumpyRNG(seed=2)).next(8, mask=mask)
    assert np.array_equal(part, full[mask])


def test_deepcopy_shares_rng():
    rd = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=1))
    rd2 = deepcopy(rd)
    assert rd2.rng is rd.rng and rd2.parameters == rd.parameters and rd2 is not rd
    assert not np.array_equal(rd.next(5), rd2.next(5))


def test_no_value_equality():
    a = RandomDistribution("uniform", (0, 1))
    assert a in [a] and a != RandomDistribution("uniform", (0, 1))


# --------------------------------------------------------------------------- lazyarray

def test_lazily_evaluate_full_and_partial():
    def rd():
        return RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=77))
    full = rd().lazily_evaluate(shape=(4, 3))
    assert full.shape == (4, 3)
    assert np.array_equal(full.ravel(), np.random.RandomState(77).uniform(0, 1, 12))
    assert np.array_equal(rd().lazily_evaluate((slice(None), 1), shape=(4, 3)), full[:, 1])
    assert rd().lazily_evaluate((2, 1), shape=(4, 3)) == full[2, 1]
    assert np.array_equal(rd().lazily_evaluate(np.array([True, False, True, False]), shape=(4, 3)),
                          full[[0, 2]])
    assert rd().lazily_evaluate(shape=5).shape == (5,)


def test_lazily_evaluate_not_parallel_safe_draws_selection_only():
    rd = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=4, parallel_safe=False))
    part = rd.lazily_evaluate((slice(1, 3), slice(None)), shape=(1000, 1000))
    assert part.shape == (2, 1000)
    assert np.array_equal(part.ravel(), np.random.RandomState(4).uniform(size=2000))
    rd2 = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=4, parallel_safe=False))
    assert np.ndim(rd2.lazily_evaluate((3, 4), shape=(10, 10))) == 0


def test_lazily_evaluate_needs_shape_with_mask():
    rd = RandomDistribution("uniform", (0, 1))
    with pytest.raises(ValueError, match="shape"):
        rd.lazily_evaluate(mask=np.array([1]))


def test_inside_larray():
    def make():
        return larray(RandomDistribution("normal", (10.0, 2.0), rng=NumpyRNG(seed=99)), shape=(6, 5))
    full = make().evaluate()
    assert full.shape == (6, 5)
    assert np.array_equal(full.ravel(), np.random.RandomState(99).normal(10.0, 2.0, 30))
    # partial evaluation picks the same elements as the full evaluation (parallel safe)
    assert np.array_equal(make()[:, 3], full[:, 3])
    assert np.array_equal(make()[np.array([1, 4]), :], full[[1, 4], :])
    assert make()[2, 2] == full[2, 2]
    # lazy operations apply on top; deepcopy (done by lazyarray ops) keeps the same distribution
    la = make()
    doubled = la * 2
    assert doubled.base_value is la.base_value
    assert np.array_equal(doubled.evaluate(), 2 * full)


def test_inside_1d_larray_with_bool_mask():
    mask = np.array([True, False, True, True, False])
    full = larray(RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=1)), shape=(5,)).evaluate()
    part = larray(RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=1)), shape=(5,))[mask]
    assert np.array_equal(part, full[mask])


# --------------------------------------------------------------------------- NativeRNG, GSLRNG

def test_native_rng_is_marked_and_falls_back_to_numpy():
    rng = NativeRNG(seed=12)
    assert rng.is_native and not NumpyRNG().is_native
    assert rng.parallel_safe
    assert np.array_equal(rng.next(5, "normal", (0, 1)), NumpyRNG(seed=12).next(5, "normal", (0, 1)))
    assert sorted(rng.permutation(4)) == [0, 1, 2, 3]
    rd = RandomDistribution("uniform", (0, 1), rng=NativeRNG(seed=3))
    assert rd.lazily_evaluate(shape=(2, 2)).shape == (2, 2)
    assert repr(rng) == "NativeRNG(seed=12)"


def test_gslrng_without_pygsl_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygsl", None)
    monkeypatch.setitem(sys.modules, "pygsl.rng", None)
    with pytest.raises(ImportError, match=r"pygsl.*pip install pygsl.*NumpyRNG"):
        GSLRNG(seed=1)


def test_have_gsl_tells_whether_gslrng_can_be_created():
    """PyNN scripts check pyNN.random.have_gsl before creating a GSLRNG."""
    import pyNN.random

    if pyNN.random.have_gsl:
        assert GSLRNG(seed=1).next(3).shape == (3,)
    else:
        with pytest.raises(ImportError, match="pygsl"):
            GSLRNG(seed=1)


def test_gslrng_maps_distributions_onto_pygsl(monkeypatch):
    """A stand-in pygsl.rng records the GSL calls GSLRNG makes."""
    calls = []

    class FakeGSL:
        def set(self, seed):
            calls.append(("set", seed))

        def __getattr__(self, name):
            def sampler(*args):
                calls.append((name, args))
                return np.zeros(args[-1])
            return sampler

    fake_rng_module = types.ModuleType("pygsl.rng")
    fake_rng_module.mt19937 = FakeGSL
    fake_pkg = types.ModuleType("pygsl")
    fake_pkg.rng = fake_rng_module
    monkeypatch.setitem(sys.modules, "pygsl", fake_pkg)
    monkeypatch.setitem(sys.modules, "pygsl.rng", fake_rng_module)

    rng = GSLRNG(seed=5)
    assert calls[0] == ("set", 5)
    assert np.array_equal(rng.next(3, "normal", (2.0, 0.5)), [2.0, 2.0, 2.0])
    assert calls[-1] == ("gaussian", (0.5, 3))
    assert np.array_equal(rng.next(2, "uniform_int", (4, 9)), [4, 4])
    assert calls[-1] == ("uniform_int", (5, 2))
    rng.next(2, "binomial", (10, 0.2))
    assert calls[-1] == ("binomial", (0.2, 10, 2))
    with pytest.raises(NotImplementedError, match="vonmises"):
        rng.next(2, "vonmises", (0, 1))
    with pytest.raises(errors.InvalidParameterValueError, match="type='nope'"):
        GSLRNG(seed=1, type="nope")
