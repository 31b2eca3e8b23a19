"""Connectors: exact structure for deterministic ones, statistics and reproducibility for random ones."""

import itertools

import numpy as np
import pytest

from pyNN import errors
from pyNN.core import IndexBasedExpression
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.space import Line, Space


def pairs(prj):
    return [(i, j) for i, j, _ in prj.get("weight", format="list")]


def pair_arrays(prj):
    conns = prj.get("weight", format="list")
    return np.array([c[0] for c in conns], dtype=int), np.array([c[1] for c in conns], dtype=int)


@pytest.fixture
def big(sim):
    pre = sim.Population(100, sim.IF_cond_exp(), label="pre")
    post = sim.Population(80, sim.IF_cond_exp(), label="post")
    return pre, post


@pytest.fixture
def small(sim):
    return sim.Population(5, sim.IF_cond_exp(), label="a"), sim.Population(4, sim.IF_cond_exp(), label="b")


class TestAllToAll:
    def test_all_pairs_sorted(self, sim, small):
        prj = sim.Projection(*small, sim.AllToAllConnector())
        assert pairs(prj) == [(i, j) for j in range(4) for i in range(5)]

    def test_no_self_connections(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.AllToAllConnector(allow_self_connections=False))
        assert len(prj) == 12 and all(i != j for i, j in pairs(prj))

    def test_self_connections_refer_to_cells_not_indices(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        # index i of the pre view is cell i+2; index j of the post view is cell j
        prj = sim.Projection(p[2:6], p[0:4], sim.AllToAllConnector(allow_self_connections=False))
        assert len(prj) == 16 - 2
        assert (0, 2) not in pairs(prj) and (1, 3) not in pairs(prj) and (0, 0) in pairs(prj)

    def test_invalid_allow_self_connections(self):
        from pyNN.connectors import AllToAllConnector
        with pytest.raises(errors.InvalidParameterValueError):
            AllToAllConnector(allow_self_connections="sometimes")

    def test_no_mutual(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.AllToAllConnector(allow_self_connections="NoMutual"))
        made = set(pairs(prj))
        assert not any((j, i) in made for i, j in made)
        assert not any(i == j for i, j in made)
        assert len(made) == 4 * 3 // 2  # one of each mutual pair is kept

    def test_callback_progress(self, sim, small):
        progress = []
        sim.Projection(*small, sim.AllToAllConnector(callback=progress.append))
        assert progress and progress[-1] == pytest.approx(1.0)
        assert progress == sorted(progress)

    def test_location_selector_not_supported(self):
        from pyNN.connectors import AllToAllConnector
        with pytest.raises(NotImplementedError):
            AllToAllConnector(location_selector="soma")

    def test_describe_and_parameters(self):
        from pyNN.connectors import AllToAllConnector
        c = AllToAllConnector(allow_self_connections=False)
        assert c.get_parameters() == {"allow_self_connections": False}
        assert "AllToAllConnector" in c.describe()
        assert c.describe(template=None)["name"] == "AllToAllConnector"


class TestOneToOne:
    def test_diagonal(self, sim):
        a = sim.Population(4, sim.IF_cond_exp())
        b = sim.Population(4, sim.IF_cond_exp())
        prj = sim.Projection(a, b, sim.OneToOneConnector())
        assert pairs(prj) == [(0, 0), (1, 1), (2, 2), (3, 3)]
        np.testing.assert_array_equal(prj.native["source"], a._native_ids())
        np.testing.assert_array_equal(prj.native["target"], b._native_ids())

    def test_size_mismatch(self, sim, small):
        with pytest.raises(errors.InvalidDimensionsError):
            sim.Projection(*small, sim.OneToOneConnector())


class TestFixedProbability:
    def test_count_within_binomial_bounds(self, sim, big):
        prj = sim.Projection(*big, sim.FixedProbabilityConnector(0.1, rng=NumpyRNG(seed=42)))
        n, p = 100 * 80, 0.1
        sd = np.sqrt(n * p * (1 - p))
        assert abs(len(prj) - n * p) < 5 * sd

    def test_no_duplicates(self, sim, big):
        prj = sim.Projection(*big, sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=42)))
        assert len(set(pairs(prj))) == len(prj)

    def test_same_seed_same_network(self, sim, big):
        a = sim.Projection(*big, sim.FixedProbabilityConnector(0.2, rng=NumpyRNG(seed=7)))
        b = sim.Projection(*big, sim.FixedProbabilityConnector(0.2, rng=NumpyRNG(seed=7)))
        c = sim.Projection(*big, sim.FixedProbabilityConnector(0.2, rng=NumpyRNG(seed=8)))
        for x, y in zip(pair_arrays(a), pair_arrays(b)):
            np.testing.assert_array_equal(x, y)
        assert pairs(a) != pairs(c)

    def test_default_rng_is_seeded(self, sim, big):
        a = sim.Projection(*big, sim.FixedProbabilityConnector(0.2))
        b = sim.Projection(*big, sim.FixedProbabilityConnector(0.2))
        assert pairs(a) == pairs(b)

    def test_extremes(self, sim, small):
        assert len(sim.Projection(*small, sim.FixedProbabilityConnector(0.0))) == 0
        assert len(sim.Projection(*small, sim.FixedProbabilityConnector(1.0))) == 20

    @pytest.mark.parametrize("p", [-0.1, 1.5, "0.5"])
    def test_invalid_probability(self, p):
        from pyNN.connectors import FixedProbabilityConnector
        with pytest.raises(errors.InvalidParameterValueError):
            FixedProbabilityConnector(p)

    def test_no_self_connections(self, sim):
        p = sim.Population(30, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.FixedProbabilityConnector(0.5, allow_self_connections=False,
                                                                 rng=NumpyRNG(seed=1)))
        assert len(prj) > 0 and all(i != j for i, j in pairs(prj))

    def test_weights_drawn_per_connection(self, sim, big):
        w = RandomDistribution("uniform", (0.0, 1.0), rng=NumpyRNG(seed=3))
        prj = sim.Projection(*big, sim.FixedProbabilityConnector(0.05, rng=NumpyRNG(seed=2)),
                             sim.StaticSynapse(weight=w))
        weights = np.array(prj.get("weight", format="list", with_address=False))
        assert len(np.unique(weights)) == len(prj)
        assert weights.min() >= 0.0 and weights.max() < 1.0


class TestFixedNumber:
    def test_pre_exact_counts_no_duplicates(self, sim, big):
        prj = sim.Projection(*big, sim.FixedNumberPreConnector(7, rng=NumpyRNG(seed=5)))
        pre, post = pair_arrays(prj)
        assert np.all(np.bincount(post, minlength=80) == 7)
        assert len(set(zip(pre.tolist(), post.tolist()))) == len(prj)
        assert np.all(np.diff(post) >= 0)

    def test_post_exact_counts_no_duplicates(self, sim, big):
        prj = sim.Projection(*big, sim.FixedNumberPostConnector(9, rng=NumpyRNG(seed=5)))
        pre, post = pair_arrays(prj)
        assert np.all(np.bincount(pre, minlength=100) == 9)
        assert len(set(zip(pre.tolist(), post.tolist()))) == len(prj)
        assert np.all(np.diff(post * 1000 + pre) > 0)  # sorted by post then pre

    def test_with_replacement(self, sim, small):
        prj = sim.Projection(*small, sim.FixedNumberPreConnector(12, with_replacement=True,
                                                                 rng=NumpyRNG(seed=1)))
        pre, post = pair_arrays(prj)
        assert np.all(np.bincount(post, minlength=4) == 12)
        assert len(set(zip(pre.tolist(), post.tolist()))) < len(prj)  # 12 from 5 must repeat
        w = prj.get("weight", format="array", multiple_synapses="sum")
        assert np.nansum(~np.isnan(w)) <= 20

    def test_more_than_the_candidates_without_replacement(self, sim, small):
        # as PyNN documents: all the single connections, then duplicates
        pre_pop = small[0]
        prj = sim.Projection(*small, sim.FixedNumberPreConnector(pre_pop.size + 2))
        pre, post = pair_arrays(prj)
        for j in np.unique(post):
            counts = np.bincount(pre[post == j], minlength=pre_pop.size)
            assert counts.min() >= 1 and counts.sum() == pre_pop.size + 2 and counts.max() <= 2

    def test_n_random_distribution(self, sim, big):
        n = RandomDistribution("uniform_int", low=2, high=10, rng=NumpyRNG(seed=4))
        prj = sim.Projection(*big, sim.FixedNumberPreConnector(n, rng=NumpyRNG(seed=5)))
        counts = np.bincount(pair_arrays(prj)[1], minlength=80)
        expected = NumpyRNG(seed=4).next(80, "uniform_int", {"low": 2, "high": 10})
        np.testing.assert_array_equal(counts, expected)
        assert len(set(counts.tolist())) > 1

    def test_n_invalid(self):
        from pyNN.connectors import FixedNumberPreConnector
        with pytest.raises(errors.InvalidParameterValueError):
            FixedNumberPreConnector(-1)
        with pytest.raises(errors.InvalidParameterValueError):
            FixedNumberPreConnector(2.5)

    def test_no_self_connections(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.FixedNumberPreConnector(9, allow_self_connections=False,
                                                               rng=NumpyRNG(seed=3)))
        pre, post = pair_arrays(prj)
        assert np.all(pre != post)
        assert np.all(np.bincount(post, minlength=10) == 9)

    def test_no_self_connections_with_replacement(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.FixedNumberPostConnector(20, allow_self_connections=False,
                                                                with_replacement=True, rng=NumpyRNG(seed=3)))
        pre, post = pair_arrays(prj)
        assert np.all(pre != post) and np.all(np.bincount(pre, minlength=5) == 20)

    @pytest.mark.parametrize("connector,kwargs", [
        ("FixedNumberPreConnector", {}), ("FixedNumberPreConnector", {"with_replacement": True}),
        ("FixedNumberPostConnector", {}), ("FixedNumberPostConnector", {"with_replacement": True})])
    def test_no_self_connections_when_ids_are_not_sorted(self, sim, connector, kwargs):
        p = sim.Population(5, sim.IF_cond_exp())
        a = sim.Assembly(p[3:5], p[0:3])  # ids 3, 4, 0, 1, 2
        prj = sim.Projection(a, a, getattr(sim, connector)(4, allow_self_connections=False,
                                                           rng=NumpyRNG(seed=2), **kwargs))
        pre, post = pair_arrays(prj)
        assert len(prj) == 20 and np.all(pre != post)

    def test_reproducible(self, sim, big):
        a = sim.Projection(*big, sim.FixedNumberPostConnector(3, rng=NumpyRNG(seed=11)))
        b = sim.Projection(*big, sim.FixedNumberPostConnector(3, rng=NumpyRNG(seed=11)))
        assert pairs(a) == pairs(b)

    def test_uniform_choice(self, sim):
        # every presynaptic cell is chosen about equally often
        pre = sim.Population(10, sim.IF_cond_exp())
        post = sim.Population(2000, sim.IF_cond_exp())
        prj = sim.Projection(pre, post, sim.FixedNumberPreConnector(1, rng=NumpyRNG(seed=6)))
        counts = np.bincount(pair_arrays(prj)[0], minlength=10)
        assert np.all(np.abs(counts - 200) < 5 * np.sqrt(200 * 0.9))


class TestFixedTotalNumber:
    def test_exact_total(self, sim, big):
        prj = sim.Projection(*big, sim.FixedTotalNumberConnector(500, rng=NumpyRNG(seed=1)))
        assert len(prj) == 500
        pre, post = pair_arrays(prj)
        assert np.all(np.diff(post * 1000 + pre) >= 0)

    def test_without_replacement(self, sim, small):
        prj = sim.Projection(*small, sim.FixedTotalNumberConnector(20, with_replacement=False))
        assert sorted(pairs(prj)) == sorted((i, j) for i in range(5) for j in range(4))
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*small, sim.FixedTotalNumberConnector(21, with_replacement=False))

    def test_default_with_replacement(self, sim, small):
        prj = sim.Projection(*small, sim.FixedTotalNumberConnector(200, rng=NumpyRNG(seed=1)))
        assert len(prj) == 200 and len(set(pairs(prj))) <= 20

    def test_no_self_connections(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.FixedTotalNumberConnector(100, allow_self_connections=False,
                                                                 rng=NumpyRNG(seed=2)))
        assert len(prj) == 100 and all(i != j for i, j in pairs(prj))

    def test_invalid_n(self):
        from pyNN.connectors import FixedTotalNumberConnector
        with pytest.raises(errors.InvalidParameterValueError):
            FixedTotalNumberConnector(-3)


class TestDistanceDependent:
    def test_step_function_is_exact(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.DistanceDependentProbabilityConnector("d < 2.5"))
        assert set(pairs(prj)) == {(i, j) for i in range(10) for j in range(10) if abs(i - j) <= 2}

    def test_probability_decreases_with_distance(self, sim):
        p = sim.Population(300, sim.IF_cond_exp(), structure=Line(dx=1.0))
        prj = sim.Projection(p, p, sim.DistanceDependentProbabilityConnector("exp(-d/10.0)",
                                                                             rng=NumpyRNG(seed=5)))
        pre, post = pair_arrays(prj)
        d = np.abs(pre - post)
        fractions = []
        for lo, hi in [(0, 5), (5, 10), (10, 20), (20, 40)]:
            possible = sum(2 * (300 - k) if k else 300 for k in range(lo, hi))
            fractions.append(np.sum((d >= lo) & (d < hi)) / possible)
        assert all(a > b for a, b in itertools.pairwise(fractions))
        assert fractions[0] == pytest.approx(np.mean([np.exp(-k / 10) for k in range(5)]), abs=0.05)
        assert np.sum(d > 100) < 5

    def test_uses_projection_space(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        p.positions = np.array([[0, 0, 0], [1, 0, 10], [2, 0, 20], [3, 0, 30], [4, 0, 40]], float).T
        prj_x = sim.Projection(p, p, sim.DistanceDependentProbabilityConnector("d < 1.5"),
                               space=Space(axes="x"))
        prj_xyz = sim.Projection(p, p, sim.DistanceDependentProbabilityConnector("d < 1.5"))
        assert len(prj_x) == 5 + 8 and len(prj_xyz) == 5

    def test_callable(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        connector = sim.DistanceDependentProbabilityConnector(lambda d: (d == 1).astype(float))
        prj = sim.Projection(p, p, connector)
        assert set(pairs(prj)) == {(i, j) for i in range(6) for j in range(6) if abs(i - j) == 1}

    @pytest.mark.parametrize("expression", ["-d", "exp(-x/2)", "d +", "__import__('os')", "1 - d"])
    def test_bad_expressions(self, expression):
        from pyNN.connectors import DistanceDependentProbabilityConnector
        with pytest.raises(errors.InvalidParameterValueError):
            DistanceDependentProbabilityConnector(expression)

    def test_not_an_expression(self):
        from pyNN.connectors import DistanceDependentProbabilityConnector
        with pytest.raises(errors.InvalidParameterValueError):
            DistanceDependentProbabilityConnector(0.5)

    def test_probability_above_one(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.InvalidParameterValueError):
            sim.Projection(p, p, sim.DistanceDependentProbabilityConnector("1 + d"))

    def test_no_self_connections(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.DistanceDependentProbabilityConnector("d < 1.5",
                                                                             allow_self_connections=False))
        assert len(prj) == 8


class Diagonal(IndexBasedExpression):
    def __call__(self, i, j):
        assert self.projection is not None
        return (i == j).astype(float)


class NextNeighbour(IndexBasedExpression):
    def __call__(self, i, j):
        return np.where(j == i + 1, 1.0, 0.0)


class TestIndexBased:
    def test_diagonal(self, sim, small):
        prj = sim.Projection(*small, sim.IndexBasedProbabilityConnector(Diagonal()))
        assert pairs(prj) == [(0, 0), (1, 1), (2, 2), (3, 3)]

    def test_next_neighbour(self, sim, small):
        prj = sim.Projection(*small, sim.IndexBasedProbabilityConnector(NextNeighbour()))
        assert pairs(prj) == [(0, 1), (1, 2), (2, 3)]

    def test_requires_expression_instance(self):
        from pyNN.connectors import IndexBasedProbabilityConnector
        with pytest.raises(TypeError):
            IndexBasedProbabilityConnector(lambda i, j: i == j)

    def test_expression_as_synaptic_value(self, sim, small):
        class Weight(IndexBasedExpression):
            def __call__(self, i, j):
                return 0.1 * i + 0.01 * j
        prj = sim.Projection(*small, sim.AllToAllConnector(), sim.StaticSynapse(weight=Weight()))
        for i, j, w in prj.get("weight", format="list"):
            assert w == pytest.approx(0.1 * i + 0.01 * j)


class TestDisplacementDependent:
    def test_receives_one_3xN_array(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        shapes = []

        def f(disp):
            shapes.append(disp.shape)
            return (disp[0] == 1.0).astype(float)  # post is one step further along x
        prj = sim.Projection(p, p, sim.DisplacementDependentProbabilityConnector(f))
        assert pairs(prj) == [(i, i + 1) for i in range(5)]
        assert all(len(s) == 2 and s[0] == 3 for s in shapes)

    def test_out_of_range(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.InvalidParameterValueError):
            sim.Projection(p, p, sim.DisplacementDependentProbabilityConnector(lambda d: d[0]))


class TestFromList:
    def test_two_columns_use_synapse_defaults(self, sim, small):
        prj = sim.Projection(*small, sim.FromListConnector([(4, 3), (0, 0)]), sim.StaticSynapse(weight=0.2))
        assert prj.get("weight", format="list") == [(0, 0, 0.2), (4, 3, 0.2)]

    def test_four_columns_default_names(self, sim, small):
        prj = sim.Projection(*small, sim.FromListConnector(np.array([[1, 2, 0.5, 1.5]])))
        assert prj.get(["weight", "delay"], format="list") == [(1, 2, 0.5, 1.5)]

    def test_named_columns(self, sim, small):
        prj = sim.Projection(*small, sim.FromListConnector([(1, 2, 3.0)], column_names=["delay"]),
                             sim.StaticSynapse(weight=0.4))
        assert prj.get(["weight", "delay"], format="list") == [(1, 2, 0.4, 3.0)]

    def test_names_required_for_three_columns(self):
        from pyNN.connectors import FromListConnector
        with pytest.raises(TypeError):
            FromListConnector([(0, 1, 0.5)])

    def test_wrong_number_of_names(self):
        from pyNN.connectors import FromListConnector
        with pytest.raises(ValueError):
            FromListConnector([(0, 1, 0.5, 1.0)], column_names=["weight"])

    def test_names_must_be_synapse_parameters(self, sim, small):
        with pytest.raises(errors.NonExistentParameterError):
            sim.Projection(*small, sim.FromListConnector([(0, 1, 0.5)], column_names=["tau_rec"]))

    def test_synapse_specific_columns(self, sim, small):
        connector = sim.FromListConnector([(0, 1, 0.5, 30.0)], column_names=["weight", "tau_rec"])
        prj = sim.Projection(*small, connector,
                             sim.TsodyksMarkramSynapse())
        assert prj.get(["weight", "tau_rec", "U"], format="list") == [(0, 1, 0.5, 30.0, 0.5)]

    @pytest.mark.parametrize("row", [(5, 0), (0, 4), (-1, 0)])
    def test_index_out_of_range(self, sim, small, row):
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*small, sim.FromListConnector([(0, 0), row]))

    def test_non_integer_index(self):
        from pyNN.connectors import FromListConnector
        with pytest.raises(errors.ConnectionError):
            FromListConnector([(0.5, 1)])

    def test_bad_shape(self):
        from pyNN.connectors import FromListConnector
        with pytest.raises(errors.InvalidDimensionsError):
            FromListConnector([1, 2, 3])

    def test_duplicates_kept(self, sim, small):
        prj = sim.Projection(*small, sim.FromListConnector([(0, 0, 0.1, 1.0), (0, 0, 0.2, 1.0)]))
        assert len(prj) == 2
        assert prj.get("weight", format="array")[0, 0] == pytest.approx(0.3)

    def test_from_file_path_object_and_file_closed(self, sim, small, tmp_path):
        import gc
        import warnings
        filename = tmp_path / "c.txt"
        sim.Projection(*small, sim.FromListConnector([(0, 1, 0.5, 2.0)])).save("all", str(filename))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            prj = sim.Projection(*small, sim.FromFileConnector(filename))  # a pathlib.Path
            gc.collect()
        assert prj.get(["weight", "delay"], format="list") == [(0, 1, 0.5, 2.0)]
        assert not [w for w in caught if issubclass(w.category, ResourceWarning)]

    def test_from_file_object(self, sim, small, tmp_path):
        from pyNN.recording import files
        prj = sim.Projection(*small, sim.FromListConnector([(0, 1, 0.5, 2.0), (3, 0, 0.1, 1.0)]))
        prj.save("all", files.PickleFile(str(tmp_path / "c.pkl"), mode="wb"))
        with files.PickleFile(str(tmp_path / "c.pkl")) as f:
            prj2 = sim.Projection(*small, sim.FromFileConnector(f))
        assert prj2.get(["weight", "delay"], format="list") == prj.get(["weight", "delay"], format="list")

    def test_from_file_empty(self, sim, small, tmp_path):
        prj = sim.Projection(*small, sim.FromListConnector([]))
        prj.save("all", str(tmp_path / "e.txt"))
        assert len(sim.Projection(*small, sim.FromFileConnector(str(tmp_path / "e.txt")))) == 0

    def test_from_file_without_header_defaults_to_weight_delay(self, sim, small, tmp_path):
        filename = tmp_path / "c.txt"
        filename.write_text("0 1 0.5 2.0\n3 2 0.25 1.0\n")
        prj = sim.Projection(*small, sim.FromFileConnector(str(filename)))
        assert prj.get(["weight", "delay"], format="list") == [(0, 1, 0.5, 2.0), (3, 2, 0.25, 1.0)]


class TestArray:
    def test_exact(self, sim, small):
        a = np.zeros((5, 4), dtype=bool)
        a[0, 3] = a[4, 0] = a[2, 2] = True
        prj = sim.Projection(*small, sim.ArrayConnector(a))
        assert pairs(prj) == [(4, 0), (2, 2), (0, 3)]

    def test_wrong_shape(self, sim, small):
        with pytest.raises(errors.InvalidDimensionsError):
            sim.Projection(*small, sim.ArrayConnector(np.ones((4, 5), dtype=bool)))


class TestClone:
    def test_same_connectivity_own_weights(self, sim, big):
        ref = sim.Projection(*big, sim.FixedProbabilityConnector(0.1, rng=NumpyRNG(seed=3)),
                             sim.StaticSynapse(weight=0.5))
        clone = sim.Projection(*big, sim.CloneConnector(ref), sim.StaticSynapse(weight=0.25))
        assert pairs(clone) == pairs(ref)
        assert set(clone.get("weight", format="list", with_address=False)) == {0.25}

    def test_shape_mismatch(self, sim, big, small):
        ref = sim.Projection(*big, sim.FixedProbabilityConnector(0.1))
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*small, sim.CloneConnector(ref))


def _count_chunks(sim, monkeypatch):
    """A list that receives the number of connections of each chunk a Projection adds."""
    chunks = []
    add = sim.Projection._add_connections

    def counting(prj, pre, post, *args, **kwargs):
        chunks.append(len(pre))
        return add(prj, pre, post, *args, **kwargs)
    monkeypatch.setattr(sim.Projection, "_add_connections", counting)
    return chunks


class TestChunking:
    """Connections are generated in blocks of postsynaptic cells; the block size must not
    change the network (same draws in the same order) nor the values attached to it."""

    @pytest.mark.parametrize("make,streamed", [
        (lambda sim: sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=1)), True),
        (lambda sim: sim.DistanceDependentProbabilityConnector("exp(-d/5.0)", rng=NumpyRNG(seed=1)), True),
        (lambda sim: sim.AllToAllConnector(allow_self_connections=False), True),
        (lambda sim: sim.FixedNumberPreConnector(4, rng=NumpyRNG(seed=1)), False),
        (lambda sim: sim.FixedNumberPostConnector(3, rng=NumpyRNG(seed=1)), False),
    ])
    def test_block_size_does_not_matter(self, sim, monkeypatch, make, streamed):
        import pyNN.connectors as connectors
        p = sim.Population(30, sim.IF_cond_exp())
        q = sim.Population(25, sim.IF_cond_exp())

        def build():
            w = RandomDistribution("uniform", (0.0, 1.0), rng=NumpyRNG(seed=2))
            prj = sim.Projection(p, q, make(sim), sim.StaticSynapse(weight=w, delay="0.1 + 0.1 * d"))
            return prj.get(["weight", "delay"], format="list"), prj
        reference, _ = build()
        monkeypatch.setattr(connectors, "_BLOCK_ELEMENTS", 37)
        chunked, prj = build()
        assert chunked == reference
        # validated chunk by chunk, handed to the backend once all are accepted
        assert sum(1 for c in prj.calls if c[0] == "create") == 1
        np.testing.assert_allclose(prj.native["weight"],
                                   1000 * np.array([c[2] for c in chunked]))
        np.testing.assert_array_equal(prj.native["target"], q._native_ids()[[c[1] for c in chunked]])

    @pytest.mark.parametrize("make", [
        lambda sim: sim.FixedNumberPreConnector(5, with_replacement=True, rng=NumpyRNG(seed=3)),
        lambda sim: sim.FixedNumberPreConnector(RandomDistribution("poisson", (5,), rng=NumpyRNG(seed=3)),
                                                with_replacement=True, rng=NumpyRNG(seed=3)),
        lambda sim: sim.FixedTotalNumberConnector(1000, rng=NumpyRNG(seed=3)),
    ])
    def test_choices_with_replacement_come_in_blocks_sized_by_the_counts(self, sim, monkeypatch, make):
        """With replacement a post cell draws one number per connection, not one per candidate,
        so a block holds _BLOCK_ELEMENTS // (largest count) post cells: with 400 candidates and
        200 numbers per block, 200 post cells of at most k inputs come in ceil(200 / (200 // k))
        chunks (5 for k = 5), not in the 200 of blocks of _BLOCK_ELEMENTS // n_pre (0, so 1)
        cells; the connections are the same."""
        import pyNN.connectors as connectors
        p = sim.Population(400, sim.IF_cond_exp())
        q = sim.Population(200, sim.IF_cond_exp())
        reference = pair_arrays(sim.Projection(p, q, make(sim), sim.StaticSynapse()))
        monkeypatch.setattr(connectors, "_BLOCK_ELEMENTS", 200)
        chunks = _count_chunks(sim, monkeypatch)
        prj = sim.Projection(p, q, make(sim), sim.StaticSynapse())
        largest = np.bincount(reference[1]).max()
        assert len(chunks) == -(-200 // (200 // largest)) < 50
        assert sum(chunks) == len(prj)
        for got, expected in zip(pair_arrays(prj), reference):
            np.testing.assert_array_equal(got, expected)

    def test_fixed_number_post_hands_on_blocks_of_about_block_elements_connections(self, sim, monkeypatch):
        """FixedNumberPost hands its connections on in blocks of post cells sized by the mean
        number of connections per post cell: 400 pre cells with 5 targets each among 200 post
        cells are 10 per post cell on average, so 200 elements per block are blocks of 20 post
        cells (10 chunks), not of _BLOCK_ELEMENTS // n_pre (0, so 1) cells (200 chunks)."""
        import pyNN.connectors as connectors
        p = sim.Population(400, sim.IF_cond_exp())
        q = sim.Population(200, sim.IF_cond_exp())

        def make():
            return sim.FixedNumberPostConnector(5, with_replacement=True, rng=NumpyRNG(seed=4))
        reference = pair_arrays(sim.Projection(p, q, make(), sim.StaticSynapse()))
        monkeypatch.setattr(connectors, "_BLOCK_ELEMENTS", 200)
        chunks = _count_chunks(sim, monkeypatch)
        prj = sim.Projection(p, q, make(), sim.StaticSynapse())
        assert len(chunks) == 10
        assert sum(chunks) == len(prj) == 2000
        for got, expected in zip(pair_arrays(prj), reference):
            np.testing.assert_array_equal(got, expected)
