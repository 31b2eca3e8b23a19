"""Assembly: construction, indexing, get/set/initialize, recording with channel offsets."""

import numpy as np
import pytest

from pyNN import errors
from pyNN.random import NumpyRNG


@pytest.fixture
def pops(sim):
    p = sim.Population(4, sim.IF_cond_exp(tau_m=10.0), label="p")
    q = sim.Population(3, sim.IF_cond_alpha(tau_m=30.0), label="q")
    return p, q


class TestConstruction:
    def test_members_and_size(self, sim, pops):
        p, q = pops
        a = sim.Assembly(p, q)
        assert a.populations == [p, q]
        assert a.size == len(a) == 7
        assert [int(i) for i in a] == list(range(7))
        assert [int(i) for i in a.all_cells] == list(range(7))
        assert a.first_id == p.first_id and a.last_id == q.last_id

    def test_first_and_last_id_are_the_smallest_and_largest(self, sim, pops):
        # as in PyNN (min and max of the IDs), whatever the order of the populations
        p, q = pops
        r = sim.Population(2, sim.IF_cond_exp())
        a = sim.Assembly(r, p, q[1:])
        assert a.first_id == p[0] and a.last_id == r[-1]
        assert sim.Assembly(q[::-1]).first_id == q[0]

    def test_default_label_counts_up(self, sim, pops):
        p, q = pops
        assert sim.Assembly(p).label == "assembly0"
        assert sim.Assembly(q).label == "assembly1"
        assert sim.Assembly(p, label="mine").label == "mine"

    def test_only_label_keyword(self, sim, pops):
        with pytest.raises(TypeError):
            sim.Assembly(*pops, name="x")

    def test_non_population_rejected(self, sim, pops):
        with pytest.raises(TypeError):
            sim.Assembly(pops[0], "q")

    def test_add(self, sim, pops):
        p, q = pops
        a = p + q
        assert isinstance(a, sim.Assembly) and a.populations == [p, q]
        r = sim.Population(2, sim.IF_cond_exp(), label="r")
        b = a + r
        assert b.populations == [p, q, r] and a.populations == [p, q]
        c = a + sim.Assembly(r)
        assert c.populations == [p, q, r]
        with pytest.raises(TypeError):
            a + 3

    def test_population_plus_assembly(self, sim, pops):
        # PyNN documents "a Population/PopulationView can be added to ... an Assembly"
        p, q = pops
        r = sim.Population(2, sim.IF_cond_exp(), label="r")
        a = r + (p + q)
        assert isinstance(a, sim.Assembly) and a.populations == [r, p, q]
        assert a[0] == r[0] and a.size == 9
        v = p[1:3] + sim.Assembly(q)
        assert v.populations == [p[1:3], q]
        with pytest.raises(TypeError):
            p + 3

    def test_iadd(self, sim, pops):
        p, q = pops
        a = sim.Assembly(p)
        same = a
        a += q
        assert a is same and a.populations == [p, q]
        r = sim.Population(2, sim.IF_cond_exp())
        a += sim.Assembly(r)
        assert a.populations == [p, q, r]

    def test_adding_population_twice_warns(self, sim, pops):
        p, q = pops
        with pytest.warns(UserWarning):
            a = sim.Assembly(p, q, p)
        assert a.populations == [p, q]

    def test_overlapping_views_warn(self, sim, pops):
        p, _ = pops
        with pytest.warns(UserWarning, match="overlaps"):
            a = sim.Assembly(p[0:3], p[2:4])
        assert a.size == 3

    def test_view_of_member_population_warns(self, sim, pops):
        p, q = pops
        a = sim.Assembly(p, q)
        with pytest.warns(UserWarning):
            a += p[1:2]
        assert a.size == 7

    def test_disjoint_views_of_one_population(self, sim, pops):
        p, _ = pops
        a = sim.Assembly(p[0:2], p[2:4])
        assert a.size == 4
        assert [int(i) for i in a] == [int(i) for i in p]


class TestIndexing:
    def test_int(self, sim, pops):
        p, q = pops
        a = p + q
        assert a[0] == p[0] and a[4] == q[0] and a[6] == q[2] and a[-1] == q[2]
        with pytest.raises(IndexError):
            a[7]

    def test_slice_and_list_give_assembly_of_views(self, sim, pops):
        p, q = pops
        a = p + q
        sub = a[2:6]
        assert isinstance(sub, sim.Assembly)
        assert [int(i) for i in sub] == [2, 3, 4, 5]
        assert [v.grandparent for v in sub.populations] == [p, q]
        sub2 = a[[0, 5]]
        assert [int(i) for i in sub2] == [int(p[0]), int(q[1])]
        sub3 = a[np.array([False] * 4 + [True] * 3)]
        assert [int(i) for i in sub3] == [int(i) for i in q]

    def test_id_to_index(self, sim, pops):
        p, q = pops
        a = sim.Assembly(p[2:4], q)
        assert a.id_to_index(q[0]) == 2
        assert a.id_to_index(p[3]) == 1
        np.testing.assert_array_equal(a.id_to_index([q[2], p[2]]), [4, 0])
        with pytest.raises(ValueError):
            a.id_to_index(p[0])

    def test_get_population(self, sim, pops):
        p, q = pops
        a = p + q
        assert a.get_population("q") is q
        with pytest.raises(KeyError):
            a.get_population("nope")

    def test_sample(self, sim, pops):
        a = pops[0] + pops[1]
        s1 = a.sample(4, rng=NumpyRNG(seed=9))
        s2 = a.sample(4, rng=NumpyRNG(seed=9))
        assert isinstance(s1, sim.Assembly) and s1.size == 4
        assert [int(i) for i in s1] == [int(i) for i in s2]
        assert len({int(i) for i in s1}) == 4

    def test_positions(self, sim, pops):
        p, q = pops
        a = p + q
        assert a.positions.shape == (3, 7)
        np.testing.assert_array_equal(a.positions[0], [0, 1, 2, 3, 0, 1, 2])


class TestParameters:
    def test_get_concatenates(self, sim, pops):
        a = pops[0] + pops[1]
        np.testing.assert_array_equal(a.get("tau_m"), [10.0] * 4 + [30.0] * 3)
        tau_m, cm = a.get(["tau_m", "cm"])
        assert cm == 1.0 and tau_m.tolist() == [10.0] * 4 + [30.0] * 3
        np.testing.assert_array_equal(a.get("cm", simplify=False), [1.0] * 7)

    def test_set_scalar(self, sim, pops):
        p, q = pops
        (p + q).set(v_thresh=-42.0)
        assert p.get("v_thresh") == -42.0 and q.get("v_thresh") == -42.0
        np.testing.assert_array_equal(q.native["V_th"], [-42.0] * 3)

    def test_set_array_is_split(self, sim, pops):
        p, q = pops
        (p + q).set(tau_m=np.arange(1.0, 8.0))
        np.testing.assert_array_equal(p.get("tau_m"), [1, 2, 3, 4])
        np.testing.assert_array_equal(q.get("tau_m"), [5, 6, 7])
        np.testing.assert_allclose(q.native["g_L"], 1000.0 / np.array([5.0, 6.0, 7.0]))

    def test_set_list_is_split(self, sim, pops):
        p, q = pops
        (p + q).set(v_reset=[-60.0, -61, -62, -63, -64, -65, -66])
        np.testing.assert_array_equal(q.get("v_reset"), [-64, -65, -66])

    def test_initialize_array_is_split(self, sim, pops):
        p, q = pops
        (p[1:3] + q).initialize(v=np.array([-1.0, -2.0, -3.0, -4.0, -5.0]))
        np.testing.assert_array_equal(p.native_state["v"], [-65, -1, -2, -65])
        np.testing.assert_array_equal(q.native_state["v"], [-3, -4, -5])

    def test_celltype_properties(self, sim, pops):
        p, q = pops
        a = p + q
        assert a.conductance_based and a.injectable
        assert list(a.receptor_types) == ["excitatory", "inhibitory"]
        c = sim.Population(2, sim.IF_curr_exp())
        assert not (p + c).conductance_based
        s = sim.Population(2, sim.SpikeSourcePoisson())
        assert not (p + s).injectable
        assert list((p + s).receptor_types) == []

    def test_find_units(self, sim, pops):
        a = pops[0] + pops[1]
        assert a.find_units("v") == {"mV"}

    def test_get_annotations(self, sim, pops):
        p, q = pops
        p.annotate(kind="exc")
        q.annotate(kind="inh")
        ann = (p + q).get_annotations("kind")
        assert list(ann["kind"]) == ["exc"] * 4 + ["inh"] * 3
        assert (p + p[0:0]).get_annotations("kind")["kind"] == "exc"

    def test_describe(self, sim, pops):
        a = sim.Assembly(*pops, label="asm")
        d = a.describe(template=None)
        assert d["label"] == "asm" and d["size"] == 7 and len(d["populations"]) == 2
        assert "asm" in a.describe()


class TestRecording:
    def test_record_only_recordable_variables(self, sim, pops):
        p, _ = pops
        s = sim.Population(2, sim.SpikeSourcePoisson(), label="s")
        a = p + s
        a.record(["spikes", "v"])
        assert sorted(p.recorder.recorded_variables) == ["spikes", "v"]
        assert s.recorder.recorded_variables == ["spikes"]

    def test_get_data_channel_index_offsets(self, sim, pops):
        p, q = pops
        a = sim.Assembly(p, q, label="asm")
        a.record(["v", "spikes"])
        sim.run(5.0)
        block = a.get_data()
        assert block.name == "asm"
        assert block.annotations["size"] == 7 and block.annotations["label"] == "asm"
        seg = block.segments[0]
        # as in PyNN, one signal per variable for the whole assembly
        [sig] = seg.analogsignals
        assert sig.shape[1] == 7
        np.testing.assert_array_equal(sig.array_annotations["channel_index"], np.arange(7))
        assert sig.array_annotations["source_population"].tolist() == ["p"] * 4 + ["q"] * 3
        assert len(seg.spiketrains) == 7

    def test_get_data_channel_index_of_views_is_index_in_assembly(self, sim, pops):
        p, q = pops
        a = sim.Assembly(p[2:4], p[0:2], q)
        a.record("v")
        sim.run(1.0)
        seg = a.get_data().segments[0]
        indices = sorted(i for s in seg.analogsignals for i in s.array_annotations["channel_index"].tolist())
        assert indices == list(range(7))  # unique, one per cell of the assembly

    def test_clear_with_two_views_of_one_population(self, sim, pops):
        p, _ = pops
        a = sim.Assembly(p[0:2], p[2:4])
        a.record("v")
        sim.run(1.0)
        seg = a.get_data(clear=True).segments[0]
        assert sum(s.shape[1] for s in seg.analogsignals) == 4  # the 2nd view's data not cleared early
        sim.run(1.0)
        seg = a.get_data().segments[0]
        assert sum(s.shape[1] for s in seg.analogsignals) == 4
        assert all(float(s.t_start) == pytest.approx(1.0) for s in seg.analogsignals)

    def test_get_data_of_assembly_clear(self, sim, pops):
        a = pops[0] + pops[1]
        a.record("v")
        sim.run(2.0)
        first = a.get_data(clear=True)
        assert first.segments[0].analogsignals[0].shape[0] == 21
        sim.run(1.0)
        second = a.get_data()
        assert float(second.segments[0].analogsignals[0].t_start) == pytest.approx(2.0)

    def test_spike_counts(self, sim, pops):
        p, q = pops
        a = p + q
        a.record("spikes")
        sim.run(12.5)
        counts = a.get_spike_counts()
        assert set(counts) == {int(i) for i in a}
        # up to 12.5 ms: cells with index % 5 in (0, 1, 2) spiked once
        assert counts[p[0]] == 1 and counts[p[3]] == 0 and counts[q[2]] == 1
        assert a.mean_spike_count() == pytest.approx(np.mean(list(counts.values())))

    def test_write_data(self, sim, pops, tmp_path):
        a = pops[0] + pops[1]
        a.record("v")
        sim.run(1.0)
        filename = tmp_path / "asm.pkl"
        a.write_data(str(filename))
        assert filename.exists()

    def test_inject(self, sim, pops):
        p, q = pops
        src = sim.DCSource(amplitude=0.1)
        (p[0:2] + q).inject(src)
        targets = [(root.label, idx.tolist()) for root, idx in src._device["targets"]]
        assert targets == [("p", [0, 1]), ("q", [0, 1, 2])]
        s = sim.Population(2, sim.SpikeSourcePoisson())
        with pytest.raises(TypeError):
            (p + s).inject(sim.DCSource())

    def test_deprecated_methods(self, sim, pops):
        a = pops[0] + pops[1]
        with pytest.warns(DeprecationWarning):
            a.record_v()
        assert pops[0].recorder.recorded_variables == ["v"]
        with pytest.warns(DeprecationWarning):
            a.rset("tau_m", sim.RandomDistribution("uniform", (1.0, 2.0), rng=NumpyRNG(seed=2)))
        assert np.all(a.get("tau_m") < 2.0)

    def test_projection_to_mixed_assembly_rejected(self, sim, pops):
        p, _ = pops
        c = sim.Population(2, sim.IF_curr_exp())
        with pytest.raises(errors.ConnectionError):
            sim.Projection(p, p + c, sim.AllToAllConnector())
