"""SmallWorldConnector, CSAConnector and the streamed FromFileConnector."""

import sys
import types

import numpy as np
import pytest

import pyNN.connectors as connectors
from pyNN import errors
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.recording import files
from pyNN.space import Grid2D, Line, Space


def pairs(prj):
    return [(int(i), int(j)) for i, j in zip(prj._pre, prj._post)]


def line(sim, n, label="line", dx=1.0):
    return sim.Population(n, sim.IF_cond_exp(), structure=Line(dx=dx), label=label)


def within(prj, degree, allow_self=True):
    """Every (pre, post) pair within `degree`, brute force, sorted by (post, pre)."""
    d = prj.space.distances(prj.pre.positions, prj.post.positions)
    pre, post = np.nonzero(d <= degree)
    same = prj.pre._ids[pre] == prj.post._ids[post]
    keep = np.ones(pre.size, dtype=bool) if allow_self else ~same
    return sorted(zip(pre[keep].tolist(), post[keep].tolist()), key=lambda c: (c[1], c[0]))


# --- SmallWorldConnector ------------------------------------------------------------------------

class TestSmallWorld:
    @pytest.mark.parametrize("allow_self", [True, False])
    def test_no_rewiring_connects_exactly_the_neighbourhood(self, sim, allow_self):
        p = sim.Population(36, sim.IF_cond_exp(), structure=Grid2D())
        prj = sim.Projection(p, p, sim.SmallWorldConnector(1.5, 0.0, allow_self_connections=allow_self))
        assert pairs(prj) == within(prj, 1.5, allow_self)
        assert any(i == j for i, j in pairs(prj)) == allow_self

    def test_neighbourhood_between_two_populations(self, sim):
        a, b = line(sim, 20, "a"), line(sim, 10, "b", dx=2.0)
        prj = sim.Projection(a, b, sim.SmallWorldConnector(degree=2.0, rewiring=0.0))
        assert pairs(prj) == within(prj, 2.0)

    def test_full_rewiring_moves_every_connection_out_of_reach(self, sim):
        p = line(sim, 60)
        connector = sim.SmallWorldConnector(2, 1.0, allow_self_connections=False, rng=NumpyRNG(seed=3))
        prj = sim.Projection(p, p, connector)
        pre, post = prj._pre.astype(int), prj._post.astype(int)
        assert np.all(np.abs(pre - post) > 2)  # neither local nor self
        local = np.array(within(prj, 2, allow_self=False))
        np.testing.assert_array_equal(np.bincount(post, minlength=60), np.bincount(local[:, 1], minlength=60))
        assert len(set(pairs(prj))) == len(prj)  # no multiple connections

    def test_partial_rewiring_keeps_in_degree_and_pairs_distinct(self, sim):
        p = line(sim, 80)
        prj = sim.Projection(p, p, sim.SmallWorldConnector(3, 0.4, allow_self_connections=False,
                                                           rng=NumpyRNG(seed=5)))
        local = within(prj, 3, allow_self=False)
        made = pairs(prj)
        assert len(made) == len(local) == len(set(made))
        assert not any(i == j for i, j in made)
        np.testing.assert_array_equal(np.bincount([j for _, j in made], minlength=80),
                                      np.bincount([j for _, j in local], minlength=80))
        rewired = [c for c in made if abs(c[0] - c[1]) > 3]
        assert 0 < len(rewired) < len(made)

    def test_too_few_candidates_rewires_what_it_can(self, sim):
        p = line(sim, 5)
        prj = sim.Projection(p, p, sim.SmallWorldConnector(2, 1.0, allow_self_connections=False))
        # post 0: neighbours {1, 2} -> the only two others {3, 4}; post 1: neighbours {0, 2, 3},
        # one candidate (4) -> the lowest-indexed neighbour (0) moves; post 2 has no candidate
        assert pairs(prj) == [(3, 0), (4, 0), (2, 1), (3, 1), (4, 1), (0, 2), (1, 2), (3, 2), (4, 2),
                              (0, 3), (2, 3), (4, 3), (0, 4), (1, 4)]

    def test_uses_projection_space(self, sim):
        p = line(sim, 10)
        near = sim.Projection(p, p, sim.SmallWorldConnector(1.0, 0.0), space=Space(scale_factor=0.5))
        assert pairs(near) == within(near, 1.0)  # |pre - 0.5 * post| <= 1
        assert (4, 8) in pairs(near) and (5, 6) not in pairs(near)

    def test_n_connections_is_exact_and_samples_the_neighbourhood(self, sim):
        p = line(sim, 100)
        prj = sim.Projection(p, p, sim.SmallWorldConnector(4, 0.0, n_connections=300, rng=NumpyRNG(seed=1)))
        assert len(prj) == 300
        assert set(pairs(prj)) <= set(within(prj, 4)) and len(set(pairs(prj))) == 300

    def test_n_connections_with_rewiring(self, sim):
        p = line(sim, 100)
        prj = sim.Projection(p, p, sim.SmallWorldConnector(4, 0.5, allow_self_connections=False,
                                                           n_connections=400, rng=NumpyRNG(seed=1)))
        assert len(prj) == len(set(pairs(prj))) == 400
        assert not any(i == j for i, j in pairs(prj))

    def test_n_connections_zero_and_all(self, sim):
        p = line(sim, 12)
        assert len(sim.Projection(p, p, sim.SmallWorldConnector(1, 0.2, n_connections=0))) == 0
        everything = len(within(sim.Projection(p, p, sim.AllToAllConnector()), 1))
        prj = sim.Projection(p, p, sim.SmallWorldConnector(1, 0.0, n_connections=everything))
        assert pairs(prj) == within(prj, 1)

    def test_n_connections_larger_than_neighbourhood(self, sim):
        p = line(sim, 10, label="ring")
        with pytest.raises(errors.ConnectionError, match=r"ring.*n_connections=100.*only 28 pairs"):
            sim.Projection(p, p, sim.SmallWorldConnector(1, 0.1, n_connections=100))

    def test_no_mutual(self, sim):
        p = line(sim, 30)
        prj = sim.Projection(p, p, sim.SmallWorldConnector(2, 0.3, allow_self_connections="NoMutual"))
        made = set(pairs(prj))
        assert made and not any((j, i) in made or i == j for i, j in made)

    @pytest.mark.parametrize("n_connections", [None, 150])
    def test_block_size_does_not_matter(self, sim, monkeypatch, n_connections):
        p = sim.Population(64, sim.IF_cond_exp(), structure=Grid2D())

        def build():
            connector = sim.SmallWorldConnector(2.0, 0.3, n_connections=n_connections, rng=NumpyRNG(seed=9))
            return pairs(sim.Projection(p, p, connector))
        reference = build()
        monkeypatch.setattr(connectors, "_BLOCK_ELEMENTS", 100)
        assert build() == reference

    def test_callback_reaches_one(self, sim):
        p = line(sim, 20)
        progress = []
        sim.Projection(p, p, sim.SmallWorldConnector(2, 0.1, callback=progress.append))
        assert progress[-1] == pytest.approx(1.0) and progress == sorted(progress)

    def test_views_and_assemblies(self, sim):
        p = line(sim, 30)
        prj = sim.Projection(p[5:25], p + line(sim, 5, "extra"), sim.SmallWorldConnector(1.0, 0.0))
        assert pairs(prj) == within(prj, 1.0)

    @pytest.mark.parametrize("kwargs,match", [
        ({"degree": -1, "rewiring": 0.1}, "degree=-1"),
        ({"degree": "far", "rewiring": 0.1}, "degree='far'"),
        ({"degree": 2, "rewiring": 1.5}, "rewiring=1.5"),
        ({"degree": 2, "rewiring": -0.1}, "rewiring=-0.1"),
        ({"degree": 2, "rewiring": 0.1, "n_connections": -3}, "n_connections=-3"),
        ({"degree": 2, "rewiring": 0.1, "n_connections": 2.5}, "n_connections=2.5"),
        ({"degree": 2, "rewiring": 0.1, "allow_self_connections": "maybe"}, "allow_self_connections"),
    ])
    def test_invalid_parameters(self, kwargs, match):
        with pytest.raises(errors.InvalidParameterValueError, match=match):
            connectors.SmallWorldConnector(**kwargs)

    def test_parameters_and_describe(self):
        c = connectors.SmallWorldConnector(2, 0.25, n_connections=10)
        assert c.get_parameters() == {"degree": 2.0, "rewiring": 0.25, "allow_self_connections": True,
                                      "n_connections": 10}
        assert "SmallWorldConnector" in c.describe()


def test_split_uniformly_is_a_multivariate_hypergeometric_draw():
    rng = NumpyRNG(seed=4)
    sizes = np.array([0, 5, 3, 0, 10, 1, 7])
    draws = np.array([connectors._split_uniformly(sizes, 12, rng, "test") for _ in range(4000)])
    assert np.all(draws.sum(axis=1) == 12) and np.all(draws <= sizes)
    expected = 12 * sizes / sizes.sum()
    sd = np.sqrt(12 * sizes / 26 * (1 - sizes / 26) * (26 - 12) / 25)
    assert np.all(np.abs(draws.mean(axis=0) - expected) <= 5 * sd / np.sqrt(4000) + 1e-12)


def test_split_uniformly_with_replacement_is_a_multinomial_draw():
    """(FixedTotalNumberConnector with replacement draws its counts per post cell so.) The
    means and variances of a multinomial (n = 30, p proportional to the sizes); the counts may
    exceed a group's size."""
    rng = np.random.RandomState(5)
    sizes = np.array([0, 5, 3, 0, 10, 1, 7])
    draws = np.array([connectors._split_uniformly(sizes, 30, rng, "test", with_replacement=True)
                      for _ in range(4000)])
    assert np.all(draws.sum(axis=1) == 30) and np.all(draws[:, sizes == 0] == 0)
    assert (draws > sizes).any()
    p = sizes / sizes.sum()
    sd = np.sqrt(30 * p * (1 - p))
    assert np.all(np.abs(draws.mean(axis=0) - 30 * p) <= 5 * sd / np.sqrt(4000) + 1e-12)
    nonzero = sizes > 0
    np.testing.assert_allclose(draws.var(axis=0)[nonzero], (sd ** 2)[nonzero], rtol=0.15)


# --- CSAConnector ---------------------------------------------------------------------------------

class TestCSAMissing:
    def test_have_csa_tells_whether_csa_is_importable(self):
        import importlib.util
        assert connectors.haveCSA == (importlib.util.find_spec("csa") is not None)

    def test_clear_error_without_csa(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "csa", None)  # makes "import csa" fail
        with pytest.raises(ImportError, match=r"'csa'.*pip install csa") as info:
            connectors.CSAConnector(object())
        assert isinstance(info.value, RuntimeError)  # what PyNN raised
        assert info.value.name == "csa"


class _FakeMask:
    """The little of csa's interface the connector uses: a finite or infinite set of (i, j)
    (or (i, j, w, d)) that `cross(...) * cset` cuts to a box, iterated in post-major order."""

    def __init__(self, items):
        self.items = list(items)

    def __mul__(self, other):
        lo0, hi0, lo1, hi1 = self.box
        kept = [c for c in other.items if lo0 <= c[0] <= hi0 and lo1 <= c[1] <= hi1]
        return sorted(kept, key=lambda c: (c[1], c[0]))


class _FakeConnectionSet(_FakeMask):
    pass


@pytest.fixture
def fake_csa(monkeypatch):
    module = types.ModuleType("csa")
    module.Mask = _FakeMask
    module.ConnectionSet = _FakeConnectionSet

    def cross(set0, set1):
        box = _FakeMask([])
        box.box = (*set0, *set1)
        return box
    module.cross = cross
    module.arity = lambda c: 2 if isinstance(c, _FakeConnectionSet) else 0
    monkeypatch.setitem(sys.modules, "csa", module)
    return module


class TestCSAConversion:
    def test_mask_gives_pairs_with_synapse_values(self, sim, small, fake_csa, monkeypatch):
        monkeypatch.setattr(connectors, "_CSA_CHUNK", 2)  # several chunks
        mask = _FakeMask([(0, 0), (4, 3), (2, 1), (7, 0), (1, 9), (3, 3)])  # (7, 0), (1, 9) outside
        progress = []
        prj = sim.Projection(*small, sim.CSAConnector(mask, callback=progress.append),
                             sim.StaticSynapse(weight=0.3))
        assert prj.get("weight", format="list") == [(0, 0, 0.3), (2, 1, 0.3), (3, 3, 0.3), (4, 3, 0.3)]
        assert progress[-1] == pytest.approx(1.0)

    def test_arity_two_gives_weights_and_delays(self, sim, small, fake_csa):
        cset = _FakeConnectionSet([(1, 2, 0.5, 1.5), (0, 0, 0.25, 2.0), (9, 0, 1.0, 1.0)])
        prj = sim.Projection(*small, sim.CSAConnector(cset))
        assert prj.get(["weight", "delay"], format="list") == [(0, 0, 0.25, 2.0), (1, 2, 0.5, 1.5)]

    def test_not_a_connection_set(self, fake_csa):
        with pytest.raises(TypeError, match="csa mask or connection-set"):
            connectors.CSAConnector([(0, 1)])

    def test_unsupported_arity(self, fake_csa, monkeypatch):
        monkeypatch.setattr(fake_csa, "arity", lambda c: 1)
        with pytest.raises(errors.InvalidParameterValueError, match="arity 1"):
            connectors.CSAConnector(_FakeConnectionSet([]))


@pytest.fixture
def small(sim):
    return sim.Population(5, sim.IF_cond_exp(), label="a"), sim.Population(4, sim.IF_cond_exp(), label="b")


# --- FromFileConnector, streamed ------------------------------------------------------------------

def saved(sim, tmp_path, connector, pre=None, post=None, name="conns.txt", synapse=None):
    pre = pre if pre is not None else sim.Population(30, sim.IF_cond_exp(), label="pre")
    post = post if post is not None else sim.Population(20, sim.IF_cond_exp(), label="post")
    delays = np.round(np.random.RandomState(3).uniform(0.1, 5.0, (pre.size, post.size)), 1)
    synapse = synapse or sim.StaticSynapse(
        weight=RandomDistribution("uniform", (0.1, 1.0), rng=NumpyRNG(seed=2)), delay=delays)
    prj = sim.Projection(pre, post, connector, synapse)
    path = tmp_path / name
    prj.save("all", str(path))
    return prj, path


def rows(prj):
    return prj.get(["weight", "delay"], format="list")


class TestFromFileStreamed:
    def test_round_trip(self, sim, tmp_path):
        prj, path = saved(sim, tmp_path, sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=1)))
        back = sim.Projection(prj.pre, prj.post, sim.FromFileConnector(path))
        assert rows(back) == rows(prj) and len(back) > 100

    def test_round_trip_in_many_chunks_without_reading_the_whole_file(self, sim, tmp_path, monkeypatch):
        prj, path = saved(sim, tmp_path, sim.FixedNumberPreConnector(6, with_replacement=True,
                                                                     rng=NumpyRNG(seed=4)))
        assert len(set(pairs(prj))) < len(prj)  # the file holds multiple synapses per pair
        monkeypatch.setattr(connectors, "_FILE_CHUNK_ROWS", 7)
        monkeypatch.setattr(files.StandardTextFile, "read",
                            lambda self: pytest.fail("the whole file was read at once"))
        progress = []
        connector = sim.FromFileConnector(str(path), callback=progress.append)
        back = sim.Projection(prj.pre, prj.post, connector)
        assert rows(back) == rows(prj)
        assert len(progress) == -(-len(prj) // 7) and progress[-1] == pytest.approx(1.0)
        # the connector keeps no copy of the connections, and hands over one block at a time
        assert not hasattr(connector, "conn_list")
        assert not [v for v in vars(connector).values() if isinstance(v, np.ndarray)]
        sizes = [len(pre) for pre, _, _, _ in connector.generate(back)]
        assert max(sizes) == 7 and sum(sizes) == len(prj)

    def test_file_object_and_other_formats(self, sim, tmp_path, monkeypatch):
        monkeypatch.setattr(connectors, "_FILE_CHUNK_ROWS", 10)
        prj, path = saved(sim, tmp_path, sim.FixedProbabilityConnector(0.1, rng=NumpyRNG(seed=1)))
        with files.StandardTextFile(str(path)) as f:
            assert rows(sim.Projection(prj.pre, prj.post, sim.FromFileConnector(f))) == rows(prj)
        prj.save("all", files.NumpyBinaryFile(str(tmp_path / "c.npz"), mode="wb"))
        with files.NumpyBinaryFile(str(tmp_path / "c.npz")) as f:
            assert rows(sim.Projection(prj.pre, prj.post, sim.FromFileConnector(f))) == rows(prj)

    def test_distributed_reads_the_file_of_this_rank(self, sim, tmp_path):
        prj, _ = saved(sim, tmp_path, sim.FixedProbabilityConnector(0.2, rng=NumpyRNG(seed=1)),
                       name="conns.txt.0")
        base = tmp_path / "conns.txt"
        assert rows(sim.Projection(prj.pre, prj.post, sim.FromFileConnector(base, distributed=True))) \
            == rows(prj)
        f = files.StandardTextFile(str(base), mode="wb")  # the object names the base file
        f.close()
        assert rows(sim.Projection(prj.pre, prj.post, sim.FromFileConnector(f, distributed=True))) \
            == rows(prj)
        missing = sim.FromFileConnector(tmp_path / "other.txt", distributed=True)
        with pytest.raises(FileNotFoundError, match=r"other\.txt\.0"):
            sim.Projection(prj.pre, prj.post, missing)

    def test_file_written_after_the_connector_is_made(self, sim, tmp_path):
        """As in PyNN, the file is read when a Projection uses the connector: a script may
        name it first and write it later."""
        path = tmp_path / "later.txt"
        connector = sim.FromFileConnector(str(path))
        prj, written = saved(sim, tmp_path, sim.FixedProbabilityConnector(0.2, rng=NumpyRNG(seed=5)),
                             name="later.txt")
        assert written == path
        back = sim.Projection(prj.pre, prj.post, connector)
        assert rows(back) == rows(prj) and len(back) > 50
        assert connector.column_names == ("weight", "delay")

    def test_synapse_specific_columns(self, sim, small, tmp_path):
        path = tmp_path / "tm.txt"
        path.write_text("# columns = ['i', 'j', 'weight', 'tau_rec']\n0 1 0.5 30.0\n2 3 0.25 40.0\n")
        prj = sim.Projection(*small, sim.FromFileConnector(path), sim.TsodyksMarkramSynapse())
        assert prj.get(["weight", "tau_rec"], format="list") == [(0, 1, 0.5, 30.0), (2, 3, 0.25, 40.0)]

    def test_column_that_is_not_a_synapse_parameter(self, sim, small, tmp_path):
        path = tmp_path / "bad.txt"
        path.write_text("# columns = ['i', 'j', 'tau_rec']\n0 1 30.0\n")
        with pytest.raises(errors.NonExistentParameterError,
                           match=r"StaticSynapse.*bad\.txt.*a\u2192b.*no parameter 'tau_rec'"):
            sim.Projection(*small, sim.FromFileConnector(path))

    def test_index_out_of_range_in_a_later_chunk(self, sim, small, tmp_path, monkeypatch):
        monkeypatch.setattr(connectors, "_FILE_CHUNK_ROWS", 2)
        path = tmp_path / "c.txt"
        path.write_text("# columns = ['i', 'j']\n0 0\n1 1\n2 2\n4 4\n")
        with pytest.raises(errors.ConnectionError,
                           match=r"c\.txt', data row 3: postsynaptic index 4 is out of range for "
                                 r"Projection 'a\u2192b' \(post has 4 cells\)"):
            sim.Projection(*small, sim.FromFileConnector(path))

    def test_non_integer_index(self, sim, small, tmp_path):
        path = tmp_path / "c.txt"
        path.write_text("0 0.5 0.1 1.0\n")
        with pytest.raises(errors.ConnectionError, match=r"data row 0: indices \[0.0, 0.5\] are not integers"):
            sim.Projection(*small, sim.FromFileConnector(path))

    def test_rows_that_do_not_match_the_header(self, sim, small, tmp_path):
        path = tmp_path / "c.txt"
        path.write_text("# columns = ['i', 'j', 'weight', 'delay']\n0 1 0.5\n")
        with pytest.raises(errors.InvalidDimensionsError, match="rows of 3 values"):
            sim.Projection(*small, sim.FromFileConnector(path))

    def test_headerless_three_columns_need_names(self, tmp_path):
        path = tmp_path / "c.txt"
        path.write_text("0 1 0.5\n")
        with pytest.raises(TypeError, match="header"):
            connectors.FromFileConnector(path)

    def test_header_without_indices(self, tmp_path):
        path = tmp_path / "c.txt"
        path.write_text("# columns = ['weight']\n0.5\n")
        with pytest.raises(ValueError, match="'i' and 'j'"):
            connectors.FromFileConnector(path)

    def test_not_a_file(self):
        with pytest.raises(TypeError, match="file name"):
            connectors.FromFileConnector(42)

    def test_negative_weights_choose_the_inhibitory_receptor(self, sim, tmp_path, monkeypatch):
        monkeypatch.setattr(connectors, "_FILE_CHUNK_ROWS", 2)
        a = sim.Population(3, sim.IF_curr_exp(), label="a")
        b = sim.Population(3, sim.IF_curr_exp(), label="b")
        path = tmp_path / "inh.txt"
        path.write_text("# columns = ['i', 'j', 'weight', 'delay']\n0 0 0.0 1.0\n1 0 0.0 1.0\n"
                        "2 1 -0.5 1.0\n0 2 -0.25 1.0\n")
        prj = sim.Projection(a, b, sim.FromFileConnector(path))
        assert prj.receptor_type == "inhibitory"
        assert prj.get("weight", format="list") == [(0, 0, 0.0), (1, 0, 0.0), (2, 1, -0.5), (0, 2, -0.25)]


def test_n_connections_needs_an_rng_with_hypergeometric_draws():
    """A documented limitation: sampling exactly n_connections uses hypergeometric draws,
    which an RNG without hypergeometric() (e.g. GSL's) cannot give; the error says so."""
    class NoHypergeometric:
        pass

    with pytest.raises(NotImplementedError, match="hypergeometric.*NumpyRNG"):
        connectors._split_uniformly(np.array([3, 4]), 5, NoHypergeometric(), "SmallWorldConnector")
