"""Projection: receptor and weight-sign rules, delays, get/set formats, save/load, backend hand-over."""

import warnings

import numpy as np
import pytest

from pyNN import errors
from pyNN.connectors import Connector
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.recording import files
from pyNN.space import Space

@pytest.fixture
def curr(sim):
    pre = sim.Population(3, sim.IF_curr_exp(), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")
    return pre, post


@pytest.fixture
def cond(sim):
    pre = sim.Population(3, sim.IF_cond_exp(), label="pre")
    post = sim.Population(2, sim.IF_cond_exp(), label="post")
    return pre, post


class TwoUnsortedChunks(Connector):
    """Yields connections in an order the core must re-sort."""

    def generate(self, projection):
        yield np.array([2, 0]), np.array([1, 1]), {}, 1
        yield np.array([1, 0]), np.array([0, 0]), {}, 2


# ---------------------------------------------------------------------------------------------

class TestConstruction:
    def test_defaults(self, sim, cond):
        pre, post = cond
        prj = sim.Projection(pre, post, sim.AllToAllConnector())
        assert isinstance(prj.synapse_type, sim.StaticSynapse)
        assert prj.get("weight", format="list", with_address=False) == [0.0] * 6
        assert prj.receptor_type == "excitatory"
        assert prj.label == "pre\u2192post"
        assert len(prj) == prj.size() == 6 and prj.shape == (3, 2)
        assert prj.pre is pre and prj.post is post and prj in sim.state.projections

    def test_explicit_label(self, sim, cond):
        prj = sim.Projection(*cond, sim.AllToAllConnector(), label="x")
        assert prj.label == "x"

    def test_bad_arguments(self, sim, cond):
        pre, post = cond
        with pytest.raises(errors.ConnectionError):
            sim.Projection("pre", post, sim.AllToAllConnector())
        with pytest.raises(TypeError):
            sim.Projection(pre, post, "all-to-all")
        with pytest.raises(TypeError):
            sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse)

    def test_spike_source_cannot_be_target(self, sim, cond):
        src = sim.Population(2, sim.SpikeSourcePoisson())
        with pytest.raises(errors.ConnectionError):
            sim.Projection(cond[0], src, sim.AllToAllConnector())

    def test_synapse_type_without_backend_translation(self, sim, cond):
        from pyNN.standardmodels import synapses
        with pytest.raises(errors.NoModelAvailableError):
            sim.Projection(*cond, sim.AllToAllConnector(), synapses.StaticSynapse())

    def test_values_reach_backend_translated_and_in_core_order(self, sim, cond):
        pre, post = cond
        w = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
        prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=w, delay=1.5))
        assert prj.get(["weight"], format="list") == [
            (0, 0, 0.1), (1, 0, 0.3), (2, 0, 0.5), (0, 1, 0.2), (1, 1, 0.4), (2, 1, 0.6)]
        np.testing.assert_allclose(prj.native["weight"], [100, 300, 500, 200, 400, 600])
        np.testing.assert_array_equal(prj.native["source"], pre._native_ids()[[0, 1, 2, 0, 1, 2]])
        np.testing.assert_array_equal(prj.native["target"], post._native_ids()[[0, 0, 0, 1, 1, 1]])
        np.testing.assert_allclose(prj.native["delay"], [1.5] * 6)

    def test_core_sorts_chunks_and_backend_follows(self, sim, cond):
        pre, post = cond
        prj = sim.Projection(pre, post, TwoUnsortedChunks(),
                             sim.StaticSynapse(weight=lambda d: d + 0.5, delay=1.0))
        assert [c[:2] for c in prj.get("weight", format="list")] == [(0, 0), (1, 0), (0, 1), (2, 1)]
        assert [c[0] for c in prj.calls].count("create") == 1  # created once sorted
        pre_idx = np.array([c[0] for c in prj.get("weight", format="list")])
        np.testing.assert_array_equal(prj.native["source"], pre._native_ids()[pre_idx])
        # weights follow their connections: weight = distance + 0.5 = |pre - post| + 0.5 on a Line
        for i, j, w in prj.get("weight", format="list"):
            assert w == pytest.approx(abs(i - j) + 0.5)
        np.testing.assert_allclose(prj.native["weight"],
                                   1000 * np.array(prj.get("weight", format="list", with_address=False)))

    def test_views_and_assemblies(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        q = sim.Population(2, sim.IF_cond_exp())
        prj = sim.Projection(p[[1, 4]], p[2:5] + q, sim.FromListConnector([(0, 0), (1, 4)]),
                             sim.StaticSynapse(weight=0.1))
        assert prj.shape == (2, 5)
        np.testing.assert_array_equal(prj.native["source"], p._native_ids()[[1, 4]])
        np.testing.assert_array_equal(prj.native["target"], [p._native_ids()[2], q._native_ids()[1]])

    def test_connections_iteration(self, sim, cond):
        pre, post = cond
        prj = sim.Projection(pre, post, sim.FromListConnector([(2, 1, 0.3, 1.0), (0, 0, 0.1, 2.0)]))
        conns = list(prj.connections)
        assert [(c.presynaptic_index, c.postsynaptic_index) for c in conns] == [(0, 0), (2, 1)]
        assert conns[1].weight == pytest.approx(0.3) and conns[0].delay == pytest.approx(2.0)
        assert conns[1].presynaptic_cell == pre[2] and conns[1].postsynaptic_cell == post[1]
        # as in PyNN: the values of the attributes named, in that order, and nothing else
        assert conns[0].as_tuple("weight", "delay") == (0.1, 2.0)
        assert conns[1].as_tuple("presynaptic_index", "postsynaptic_index", "weight") == (2, 1, 0.3)
        assert conns[1].as_tuple("delay", "presynaptic_cell") == (1.0, pre[2])
        assert conns[1].as_tuple() == ()
        with pytest.raises(AttributeError):
            conns[0].as_tuple("weight", "tau_m")
        assert prj[1].presynaptic_index == 2 and len(prj[0:2]) == 2
        with pytest.raises(IndexError):
            prj[2]
        with pytest.raises(AttributeError):
            _ = conns[0].tau_m

    def test_describe(self, sim, cond):
        prj = sim.Projection(*cond, sim.FixedProbabilityConnector(0.5), label="d")
        d = prj.describe(template=None)
        assert d["label"] == "d" and d["pre"] == "pre" and d["post"] == "post"
        assert d["size"] == len(prj) and d["connector"]["name"] == "FixedProbabilityConnector"
        assert d["connector"]["parameters"]["p_connect"] == 0.5
        assert "FixedProbabilityConnector" in prj.describe()

    def test_annotate(self, sim, cond):
        prj = sim.Projection(*cond, sim.AllToAllConnector())
        prj.annotate(role="feedforward")
        assert prj.annotations == {"role": "feedforward"}


# ---------------------------------------------------------------------------------------------

class TestReceptorAndSign:
    def test_negative_weight_gives_inhibitory(self, sim, curr):
        prj = sim.Projection(*curr, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.5))
        assert prj.receptor_type == "inhibitory"
        # the backend gets magnitudes; the user gets back what was given
        np.testing.assert_allclose(prj.native["weight"], [500.0] * 6)
        assert prj.get("weight", format="list", with_address=False) == [-0.5] * 6

    def test_negative_weight_array_gives_inhibitory(self, sim, curr):
        prj = sim.Projection(*curr, sim.AllToAllConnector(),
                             sim.StaticSynapse(weight=-np.arange(1.0, 7.0).reshape(3, 2)))
        assert prj.receptor_type == "inhibitory"

    def test_zero_or_positive_weight_gives_excitatory(self, sim, curr):
        assert sim.Projection(*curr, sim.AllToAllConnector(),
                              sim.StaticSynapse(weight=0.0)).receptor_type == "excitatory"
        assert sim.Projection(*curr, sim.AllToAllConnector(),
                              sim.StaticSynapse(weight=0.2)).receptor_type == "excitatory"

    def test_negative_callable_weight_gives_inhibitory(self, sim, curr):
        # PyNN's convention: the sign of the weight of the last (pre, post) pair
        prj = sim.Projection(*curr, sim.AllToAllConnector(), sim.StaticSynapse(weight=lambda d: -0.1 - d))
        assert prj.receptor_type == "inhibitory"
        assert prj.get("weight", format="array")[2, 0] == pytest.approx(-2.1)

    def test_negative_distance_expression_gives_inhibitory(self, sim, curr):
        prj = sim.Projection(*curr, sim.AllToAllConnector(), sim.StaticSynapse(weight="-0.5 - 0.1 * d"))
        assert prj.receptor_type == "inhibitory"
        np.testing.assert_allclose(prj.native["weight"][:3], [500.0, 600.0, 700.0])

    def test_random_weights_give_excitatory(self, sim, curr):
        w = RandomDistribution("uniform", (0.1, 0.2), rng=NumpyRNG(seed=1))
        assert sim.Projection(*curr, sim.AllToAllConnector(),
                              sim.StaticSynapse(weight=w)).receptor_type == "excitatory"

    def test_explicit_receptor_type(self, sim, cond):
        prj = sim.Projection(*cond, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5),
                             receptor_type="inhibitory")
        assert prj.receptor_type == "inhibitory"
        assert prj.get("weight", format="list", with_address=False) == [0.5] * 6

    def test_default_is_guessed(self, sim, curr):
        prj = sim.Projection(*curr, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.1),
                             receptor_type="default")
        assert prj.receptor_type == "inhibitory"

    def test_unknown_receptor_type(self, sim, cond):
        with pytest.raises(errors.ConnectionError, match="excitatory"):
            sim.Projection(*cond, sim.AllToAllConnector(), receptor_type="AMPA")

    def test_negative_weight_on_conductance_based(self, sim, cond):
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*cond, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.1))
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*cond, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.1),
                           receptor_type="inhibitory")

    def test_negative_weight_on_excitatory_current_based(self, sim, curr):
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*curr, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.1),
                           receptor_type="excitatory")

    def test_positive_weight_on_inhibitory_current_based_is_a_magnitude(self, sim, curr):
        prj = sim.Projection(*curr, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.3),
                             receptor_type="inhibitory")
        np.testing.assert_allclose(prj.native["weight"], [300.0] * 6)

    def test_mixed_signs(self, sim, curr):
        w = np.array([[0.1, -0.1], [0.1, 0.1], [0.1, 0.1]])
        with pytest.raises(errors.ConnectionError, match="mixed signs"):
            sim.Projection(*curr, sim.AllToAllConnector(), sim.StaticSynapse(weight=w),
                           receptor_type="inhibitory")

    def test_mixed_signs_from_list(self, sim, curr):
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*curr, sim.FromListConnector([(0, 0, 0.1, 1.0), (1, 1, -0.1, 1.0)]))

    def test_nan_weight(self, sim, cond):
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*cond, sim.FromListConnector([(0, 0, np.nan, 1.0)]))


# ---------------------------------------------------------------------------------------------

class TestDelays:
    def test_default_delay_is_min_delay(self, sim, cond):
        prj = sim.Projection(*cond, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
        assert prj.get("delay", format="list", with_address=False) == [pytest.approx(0.1)] * 6
        sim.setup(timestep=0.1, min_delay=0.5)
        pre = sim.Population(2, sim.IF_cond_exp())
        prj = sim.Projection(pre, pre, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
        assert prj.get("delay", format="list", with_address=False) == [pytest.approx(0.5)] * 4
        np.testing.assert_allclose(prj.native["delay"], [0.5] * 4)

    def test_delay_below_min_delay(self, sim, cond):
        with pytest.raises(errors.ConnectionError, match="minimum delay"):
            sim.Projection(*cond, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.05))

    def test_delay_below_explicit_min_delay(self, sim):
        sim.setup(timestep=0.1, min_delay=1.0)
        p = sim.Population(2, sim.IF_cond_exp())
        with pytest.raises(errors.ConnectionError):
            sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.5))
        with pytest.raises(errors.ConnectionError):
            sim.Projection(p, p, sim.FromListConnector([(0, 1, 0.1, 2.0), (1, 0, 0.1, 0.9)]))

    def test_delay_above_max_delay(self, sim):
        sim.setup(timestep=0.1, min_delay=0.1, max_delay=5.0)
        p = sim.Population(2, sim.IF_cond_exp())
        with pytest.raises(errors.ConnectionError, match="max_delay"):
            sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=5.5))
        sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=5.0))

    def test_off_grid_delays_rounded_with_warning(self, sim, cond):
        with pytest.warns(errors.RoundingWarning):
            prj = sim.Projection(*cond, sim.AllToAllConnector(),
                                 sim.StaticSynapse(delay=np.array([[0.26, 0.31], [0.44, 1.0], [2.0, 0.2]])))
        delays = prj.get("delay", format="array")
        np.testing.assert_allclose(delays, [[0.3, 0.3], [0.4, 1.0], [2.0, 0.2]])
        np.testing.assert_allclose(sorted(prj.native["delay"]), sorted(delays.ravel()))

    def test_on_grid_delays_do_not_warn(self, sim, cond):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            prj = sim.Projection(*cond, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.3))
        assert prj.get("delay", format="list", with_address=False)[0] == pytest.approx(0.3)

    def test_random_delays_clipped_by_user_are_checked(self, sim, cond):
        d = RandomDistribution("uniform", (0.0, 0.09), rng=NumpyRNG(seed=3))
        with pytest.raises(errors.ConnectionError):
            sim.Projection(*cond, sim.AllToAllConnector(), sim.StaticSynapse(delay=d))


# ---------------------------------------------------------------------------------------------

class TestGet:
    @pytest.fixture
    def prj(self, sim, cond):
        conn_list = [(2, 1, 0.6, 2.0), (0, 0, 0.1, 1.0), (1, 1, 0.5, 3.0), (2, 0, 0.3, 1.5)]
        return sim.Projection(*cond, sim.FromListConnector(conn_list))

    def test_list_sorted_by_post_then_pre(self, prj):
        assert prj.get(["weight", "delay"], format="list") == [
            (0, 0, 0.1, 1.0), (2, 0, 0.3, 1.5), (1, 1, 0.5, 3.0), (2, 1, 0.6, 2.0)]

    def test_list_single_name(self, prj):
        assert prj.get("weight", format="list") == [(0, 0, 0.1), (2, 0, 0.3), (1, 1, 0.5), (2, 1, 0.6)]

    def test_list_without_address(self, prj):
        assert prj.get("delay", format="list", with_address=False) == [1.0, 1.5, 3.0, 2.0]
        assert prj.get(["weight", "delay"], format="list", with_address=False) == [
            (0.1, 1.0), (0.3, 1.5), (0.5, 3.0), (0.6, 2.0)]

    def test_list_index_types(self, prj):
        i, j, w = prj.get("weight", format="list")[0]
        assert isinstance(i, int) and isinstance(j, int) and isinstance(w, float)

    def test_array(self, prj):
        w = prj.get("weight", format="array")
        expected = np.array([[0.1, np.nan], [np.nan, 0.5], [0.3, 0.6]])
        np.testing.assert_array_equal(w, expected)
        w2, d2 = prj.get(["weight", "delay"], format="array")
        np.testing.assert_array_equal(w2, expected)
        assert d2[1, 1] == 3.0

    def test_bad_format(self, prj):
        with pytest.raises(Exception, match="format"):
            prj.get("weight", format="dict")

    def test_unknown_attribute(self, prj):
        with pytest.raises(errors.NonExistentParameterError):
            prj.get("tau_m", format="list")

    @pytest.mark.parametrize("how,expected", [("sum", 0.6), ("first", 0.1), ("last", 0.0),
                                              ("min", 0.1), ("max", 0.5)])
    def test_multiple_synapses(self, sim, cond, how, expected):
        conn_list = [(0, 1, 0.1, 1.0), (0, 1, 0.5, 2.0), (0, 1, 0.0, 1.0), (2, 0, 0.3, 1.0)]
        if how in ("min",):
            conn_list = conn_list[:2] + conn_list[3:]
        prj = sim.Projection(*cond, sim.FromListConnector(conn_list))
        w = prj.get("weight", format="array", multiple_synapses=how)
        assert w[0, 1] == pytest.approx(expected)
        assert w[2, 0] == pytest.approx(0.3)
        assert np.isnan(w[1, 1])

    def test_multiple_synapses_invalid(self, prj):
        with pytest.raises(ValueError):
            prj.get("weight", format="array", multiple_synapses="mean")

    def test_empty_projection(self, sim, cond):
        prj = sim.Projection(*cond, sim.FromListConnector([]))
        assert len(prj) == 0
        assert prj.get("weight", format="list") == []
        assert np.isnan(prj.get("weight", format="array")).all()


# ---------------------------------------------------------------------------------------------

class TestSet:
    @pytest.fixture
    def prj(self, sim, cond):
        return sim.Projection(*cond, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))

    def test_scalar(self, prj):
        prj.set(weight=0.7)
        assert prj.get("weight", format="list", with_address=False) == [0.7] * 6
        np.testing.assert_allclose(prj.native["weight"], [700.0] * 6)
        assert prj.calls[-1][0] == "set"

    def test_2d_array(self, prj):
        w = np.arange(6.0).reshape(3, 2) / 10
        prj.set(weight=w)
        np.testing.assert_allclose(prj.get("weight", format="array"), w)
        np.testing.assert_allclose(prj.native["weight"], 1000 * w.T.ravel())  # backend in core order

    def test_per_connection_list(self, prj):
        values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
        prj.set(weight=values)  # as in PyNN: in the order of (pre, post), pre first
        assert prj.get("weight", format="list") == [
            (0, 0, 0.1), (1, 0, 0.3), (2, 0, 0.5), (0, 1, 0.2), (1, 1, 0.4), (2, 1, 0.6)]

    def test_random_distribution(self, prj):
        prj.set(weight=RandomDistribution("uniform", (0.0, 1.0), rng=NumpyRNG(seed=5)))
        expected = NumpyRNG(seed=5).next(6, "uniform", {"low": 0.0, "high": 1.0})
        np.testing.assert_allclose(prj.get("weight", format="list", with_address=False), expected)
        np.testing.assert_allclose(prj.native["weight"], 1000 * expected)

    def test_callable_of_distance(self, prj):
        prj.set(delay=lambda d: 1.0 + d)
        for i, j, d in prj.get("delay", format="list"):
            assert d == pytest.approx(1.0 + abs(i - j))

    def test_distance_expression_string(self, prj):
        prj.set(weight="0.5 + 0.1 * d")
        for i, j, w in prj.get("weight", format="list"):
            assert w == pytest.approx(0.5 + 0.1 * abs(i - j))

    def test_wrong_sizes(self, prj):
        with pytest.raises(errors.InvalidDimensionsError):
            prj.set(weight=[0.1, 0.2])
        with pytest.raises(errors.InvalidDimensionsError):
            prj.set(weight=np.zeros((2, 3)))

    def test_ragged_synaptic_values_name_the_projection(self, sim, curr):
        pre, post = curr
        with pytest.raises(errors.InvalidParameterValueError, match="pre→post.*'weight'"):
            sim.Projection(pre, post, sim.AllToAllConnector(),
                           sim.StaticSynapse(weight=[[0.3], [0.6, 0.1], [0.9]]))

    def test_unknown_attribute(self, prj):
        with pytest.raises(errors.NonExistentParameterError):
            prj.set(tau_rec=3.0)

    def test_set_checks_delays_and_signs(self, prj):
        with pytest.raises(errors.ConnectionError):
            prj.set(delay=0.01)
        with pytest.raises(errors.ConnectionError):
            prj.set(weight=-0.1)  # conductance-based
        assert prj.get("weight", format="list", with_address=False) == [0.1] * 6
        with pytest.warns(errors.RoundingWarning):
            prj.set(delay=1.04)
        assert prj.get("delay", format="list", with_address=False) == [pytest.approx(1.0)] * 6

    def test_synapse_dynamics_parameters(self, sim, cond):
        prj = sim.Projection(*cond, sim.AllToAllConnector(),
                             sim.TsodyksMarkramSynapse(weight=0.2, U=0.4, tau_rec=50.0))
        assert prj.get("U", format="list", with_address=False) == [0.4] * 6
        prj.set(U=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], tau_facil=10.0)
        np.testing.assert_allclose(prj.native["U"], [0.1, 0.3, 0.5, 0.2, 0.4, 0.6])  # (pre, post) order
        np.testing.assert_allclose(prj.native["tau_fac"], [10.0] * 6)
        with pytest.raises(errors.InvalidParameterValueError):
            sim.Projection(*cond, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(U=1.5))

    def test_plastic_values_read_back_from_backend(self, sim, cond):
        prj = sim.Projection(*cond, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.2))
        prj.native["weight"][:] = np.arange(6) * 100.0  # the "simulation" changed the weights
        np.testing.assert_allclose(prj.get("weight", format="list", with_address=False),
                                   np.arange(6) * 0.1)
        np.testing.assert_allclose(prj.get("weight", format="array"), (np.arange(6) * 0.1).reshape(2, 3).T)


# ---------------------------------------------------------------------------------------------

class TestSave:
    def test_round_trip_exact(self, sim, cond, tmp_path):
        pre, post = cond
        w = RandomDistribution("uniform", (0.0, 1.0), rng=NumpyRNG(seed=8))
        d = RandomDistribution("uniform", (0.1, 5.0), rng=NumpyRNG(seed=9))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.RoundingWarning)
            prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.7, rng=NumpyRNG(seed=1)),
                                 sim.StaticSynapse(weight=w, delay=d))
        filename = str(tmp_path / "conns.txt")
        prj.save("all", filename)
        f = files.StandardTextFile(filename)
        assert f.get_metadata()["columns"] == ["i", "j", "weight", "delay"]
        prj2 = sim.Projection(pre, post, sim.FromFileConnector(filename))
        assert prj2.get(["weight", "delay"], format="list") == prj.get(["weight", "delay"], format="list")

    def test_round_trip_synapse_parameters(self, sim, cond, tmp_path):
        syn = sim.TsodyksMarkramSynapse(weight=0.2, delay=1.0, U=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
                                        tau_rec=RandomDistribution("uniform", (50.0, 150.0),
                                                                   rng=NumpyRNG(seed=1)))
        prj = sim.Projection(*cond, sim.FromListConnector([(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]),
                             syn)
        filename = str(tmp_path / "tm.txt")
        prj.save("all", filename)
        prj2 = sim.Projection(*cond, sim.FromFileConnector(filename), sim.TsodyksMarkramSynapse())
        names = ["weight", "delay", "U", "tau_rec", "tau_facil"]
        assert prj2.get(names, format="list") == prj.get(names, format="list")

    def test_save_selected_names(self, sim, cond, tmp_path):
        prj = sim.Projection(*cond, sim.FromListConnector([(0, 1, 0.25, 2.0)]))
        filename = str(tmp_path / "w.txt")
        prj.save("weight", filename)
        f = files.StandardTextFile(filename)
        assert f.get_metadata()["columns"] == ["i", "j", "weight"]
        np.testing.assert_array_equal(f.read(), [[0, 1, 0.25]])

    def test_save_array_format(self, sim, cond, tmp_path):
        prj = sim.Projection(*cond, sim.FromListConnector([(0, 1, 0.25, 2.0)]))
        filename = str(tmp_path / "a.txt")
        prj.save("weight", filename, format="array")
        f = files.StandardTextFile(filename)
        np.testing.assert_array_equal(f.read(), [[0, 0.25], [0, 0], [0, 0]])
        assert f.get_metadata()["columns"] == ["weight"]

    def test_save_bad_format(self, sim, cond, tmp_path):
        prj = sim.Projection(*cond, sim.AllToAllConnector())
        with pytest.raises(ValueError):
            prj.save("weight", str(tmp_path / "x.txt"), format="csv")


class TestDeprecated:
    @pytest.fixture
    def prj(self, sim, cond):
        return sim.Projection(*cond, sim.AllToAllConnector(),
                              sim.TsodyksMarkramSynapse(weight=0.1, delay=1.0))

    def test_setters(self, prj):
        rd = RandomDistribution("uniform", (1.0, 2.0), rng=NumpyRNG(seed=1))
        with pytest.warns(DeprecationWarning, match="setWeights"):
            prj.setWeights(0.3)
        assert prj.get("weight", format="list", with_address=False) == [0.3] * 6
        with pytest.warns(DeprecationWarning):
            prj.setDelays(2.0)
        assert prj.get("delay", format="list", with_address=False) == [2.0] * 6
        with pytest.warns(DeprecationWarning):
            prj.randomizeWeights(rd)
        assert all(1.0 <= w < 2.0 for w in prj.get("weight", format="list", with_address=False))
        with pytest.warns(errors.RoundingWarning), pytest.warns(DeprecationWarning):
            prj.randomizeDelays(rd)
        with pytest.warns(DeprecationWarning):
            prj.setSynapseDynamics("U", 0.2)
        assert prj.get("U", format="list", with_address=False) == [0.2] * 6
        with pytest.warns(DeprecationWarning):
            prj.randomizeSynapseDynamics("tau_rec", rd)

    def test_getters(self, prj):
        with pytest.warns(DeprecationWarning):
            assert prj.getWeights() == [0.1] * 6
        with pytest.warns(DeprecationWarning):
            assert prj.getDelays() == [1.0] * 6
        with pytest.warns(DeprecationWarning):
            assert prj.getSynapseDynamics("U") == [0.5] * 6
        with pytest.warns(DeprecationWarning):
            assert prj.getWeights(format="array").shape == (3, 2)
        with pytest.warns(DeprecationWarning):
            counts, bins = prj.weightHistogram(min=0.0, max=1.0, nbins=5)
        assert counts.tolist() == [6, 0, 0, 0, 0] and len(bins) == 6

    def test_writers(self, prj, tmp_path):
        with pytest.warns(DeprecationWarning):
            prj.saveConnections(str(tmp_path / "c.txt"))
        assert files.StandardTextFile(str(tmp_path / "c.txt")).get_metadata()["columns"][:2] == ["i", "j"]
        with pytest.warns(DeprecationWarning):
            prj.printWeights(str(tmp_path / "w.txt"))
        with pytest.warns(DeprecationWarning):
            prj.printDelays(str(tmp_path / "d.txt"))
        assert (tmp_path / "w.txt").exists() and (tmp_path / "d.txt").exists()


def test_space_for_distance_dependent_weights(sim):
    p = sim.Population(3, sim.IF_cond_exp())
    q = sim.Population(3, sim.IF_cond_exp())
    q.positions = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 4.0]]).T
    p.positions = np.zeros((3, 3))
    prj = sim.Projection(p, q, sim.OneToOneConnector(), sim.StaticSynapse(weight="d"),
                         space=Space(axes="xyz"))
    assert prj.get("weight", format="list", with_address=False) == [0.0, 3.0, 4.0]
    prj2 = sim.Projection(p, q, sim.OneToOneConnector(), sim.StaticSynapse(weight="d"), space=Space(axes="x"))
    assert prj2.get("weight", format="list", with_address=False) == [0.0, 3.0, 0.0]


def test_rounding_warning_for_each_projection(sim):
    p = sim.Population(2, sim.IF_cond_exp(), label="p")
    with pytest.warns(errors.RoundingWarning):
        sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.26))
    # a second projection with the same (default) label is a different projection
    with pytest.warns(errors.RoundingWarning):
        sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.26))


def test_mixed_signs_refused_across_chunks(sim, monkeypatch):
    import pyNN.connectors as connectors
    monkeypatch.setattr(connectors, "_BLOCK_ELEMENTS", 3)  # one postsynaptic cell per chunk
    p = sim.Population(3, sim.IF_curr_exp())
    q = sim.Population(2, sim.IF_curr_exp())
    w = np.array([[0.1, -0.1], [0.1, -0.1], [0.1, -0.1]])
    with pytest.raises(errors.ConnectionError, match="mixed signs"):
        sim.Projection(p, q, sim.AllToAllConnector(), sim.StaticSynapse(weight=w), receptor_type="inhibitory")
    prj = sim.Projection(p, q, sim.AllToAllConnector(), sim.StaticSynapse(weight=-np.abs(w)),
                         receptor_type="inhibitory")
    assert len([c for c in prj.calls if c[0] == "create"]) == 1  # once, after all chunks passed


class TestInitialize:
    """Projection.initialize(): checked and evaluated in the core, handed to the backend at once
    and again after every reset()."""

    def _tm(self, sim, curr):
        return sim.Projection(*curr, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.1, U=0.4),
                              label="tm")

    def test_scalars_reach_the_backend_and_come_back_after_reset(self, sim, curr):
        prj = self._tm(sim, curr)
        prj.initialize(u=0.3, x=0.6)
        assert prj.calls[-1] == ("set_state", {"u": 0.3, "x": 0.6})
        np.testing.assert_array_equal(prj.get("x", format="list", with_address=False), [0.6] * 6)
        prj.native["state_x"][:] = 0.1  # what a run may do
        sim.run(1.0)
        sim.reset()
        assert prj.calls[-1] == ("set_state", {"u": 0.3, "x": 0.6})
        np.testing.assert_array_equal(prj.get("x", format="list", with_address=False), [0.6] * 6)
        assert prj.initial_values == {"u": 0.3, "x": 0.6}

    def test_per_connection_values_follow_pynn_order(self, sim, curr):
        prj = self._tm(sim, curr)
        by_pre = np.linspace(0.1, 0.6, 6)  # (pre, post) row-major, as set() takes them
        prj.initialize(u=by_pre, x=0.7, y=RandomDistribution("uniform", low=0.0, high=0.2, rng=NumpyRNG(seed=3)))
        values = np.array(prj.get(["u", "y"], format="list"))
        order = np.lexsort((values[:, 1], values[:, 0]))
        np.testing.assert_allclose(values[order, 2], by_pre)
        assert np.unique(values[:, 3]).size == 6 and values[:, 3].max() <= 0.2
        np.testing.assert_allclose(prj.get("u", format="array"), by_pre.reshape(3, 2))

    def test_bad_names_and_values_are_refused_before_the_backend(self, sim, curr):
        prj = self._tm(sim, curr)
        prj.calls.clear()
        with pytest.raises(errors.NonExistentParameterError, match="z"):
            prj.initialize(z=0.5)
        with pytest.raises(errors.InvalidParameterValueError, match=r"tm.*initialize\(u=1\.5\).*between 0 and 1"):
            prj.initialize(u=1.5)
        with pytest.raises(errors.InvalidParameterValueError, match="must be finite"):
            prj.initialize(x=np.nan)
        with pytest.raises(errors.InvalidParameterValueError, match=r"x = 0\.8, y = 0\.5.*must not exceed 1"):
            prj.initialize(x=0.8, y=0.5)
        with pytest.raises(errors.InvalidParameterValueError, match="x = 1, y = 0.3"):
            prj.initialize(y=0.3)  # with the default x = 1
        prj.initialize(x=0.5, y=0.3)
        with pytest.raises(errors.InvalidParameterValueError, match="x . y must not exceed 1"):
            prj.initialize(x=0.9)  # with the y given before
        with pytest.raises(errors.InvalidDimensionsError, match="4 values for 6 connections"):
            prj.initialize(u=[0.1] * 4)
        assert [c[0] for c in prj.calls] == ["set_state"]
        static = sim.Projection(*curr, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
        with pytest.raises(errors.NonExistentParameterError):
            static.initialize(u=0.1)
