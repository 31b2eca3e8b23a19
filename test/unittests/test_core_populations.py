"""Population, PopulationView and ID, through the in-memory backend."""

import warnings

import numpy as np
import pytest

from pyNN import errors, space
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.recording import Variable, files


def cond_g_L(cm, tau_m):
    """Leak conductance (nS) the toy translation table computes."""
    return 1000.0 * np.asarray(cm) / np.asarray(tau_m)


# ---------------------------------------------------------------------------------------------
# construction
# ---------------------------------------------------------------------------------------------

class TestConstruction:
    def test_int_size_gives_line(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        assert p.size == len(p) == 5
        assert isinstance(p.structure, space.Line)
        np.testing.assert_array_equal(p.positions[0], np.arange(5.0))

    def test_one_dim_tuple(self, sim):
        p = sim.Population((4,), sim.IF_cond_exp())
        assert p.size == 4 and isinstance(p.structure, space.Line)

    def test_two_dim_tuple_gives_grid2d(self, sim):
        p = sim.Population((3, 4), sim.IF_cond_exp())
        assert p.size == 12
        assert isinstance(p.structure, space.Grid2D)
        assert p.structure.aspect_ratio == pytest.approx(0.75)
        # y varies fastest
        np.testing.assert_array_equal(p.positions[:, :5].T[:, :2], [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0]])

    def test_three_dim_tuple_gives_grid3d(self, sim):
        p = sim.Population((2, 3, 4), sim.IF_cond_exp())
        assert p.size == 24
        assert isinstance(p.structure, space.Grid3D)
        pos = p.positions
        assert {tuple(c) for c in pos.T} == {(x, y, z) for x in range(2) for y in range(3) for z in range(4)}

    def test_tuple_and_structure_conflict(self, sim):
        with pytest.raises(ValueError):
            sim.Population((2, 2), sim.IF_cond_exp(), structure=space.Line())

    def test_four_dims_rejected(self, sim):
        with pytest.raises(Exception, match="3 dimensions"):
            sim.Population((2, 2, 2, 2), sim.IF_cond_exp())

    @pytest.mark.parametrize("size", [-1, 2.5, "3"])
    def test_bad_size(self, sim, size):
        with pytest.raises(errors.InvalidParameterValueError):
            sim.Population(size, sim.IF_cond_exp())

    def test_explicit_structure(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(), structure=space.Line(dx=2.0, x0=1.0))
        np.testing.assert_array_equal(p.positions[0], [1.0, 3.0, 5.0])

    def test_class_plus_cellparams_deprecated(self, sim):
        with pytest.warns(DeprecationWarning):
            p = sim.Population(2, sim.IF_cond_exp, {"tau_m": 12.0})
        assert p.get("tau_m") == 12.0

    def test_cellparams_with_instance_rejected(self, sim):
        with pytest.raises(ValueError):
            sim.Population(2, sim.IF_cond_exp(), {"tau_m": 12.0})

    def test_not_a_cell_type(self, sim):
        with pytest.raises(TypeError):
            sim.Population(2, "IF_cond_exp")

    def test_cell_type_without_backend_translation(self, sim):
        from pyNN.standardmodels.cells import IF_cond_exp as bare
        with pytest.raises(errors.NoModelAvailableError):
            sim.Population(2, bare())

    def test_default_labels_count_up(self, sim):
        a = sim.Population(1, sim.IF_cond_exp())
        b = sim.Population(1, sim.IF_cond_exp(), label="named")
        c = sim.Population(1, sim.IF_cond_exp())
        assert (a.label, b.label, c.label) == ("population0", "named", "population2")

    def test_labels_restart_after_setup(self, sim):
        sim.Population(1, sim.IF_cond_exp())
        sim.setup()
        assert sim.Population(1, sim.IF_cond_exp()).label == "population0"

    def test_ids_are_consecutive_across_populations(self, sim):
        a = sim.Population(3, sim.IF_cond_exp())
        b = sim.Population(2, sim.IF_cond_exp())
        assert [int(i) for i in a.all_cells] == [0, 1, 2]
        assert [int(i) for i in b.all_cells] == [3, 4]
        assert int(a.first_id) == 0 and int(a.last_id) == 2
        assert list(iter(b)) == [3, 4]
        assert b.local_size == 2 and b.is_local(b[0])

    def test_cell_type_parameters_reach_backend_translated(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(tau_m=10.0, cm=0.5, i_offset=0.2, v_rest=-60.0))
        assert p.calls[0] == ("create", 3)
        np.testing.assert_allclose(p.native["g_L"], [50.0] * 3)
        np.testing.assert_allclose(p.native["C_m"], [500.0] * 3)
        np.testing.assert_allclose(p.native["I_e"], [200.0] * 3)
        np.testing.assert_allclose(p.native["E_L"], [-60.0] * 3)
        assert "tau_m" not in p.native and "cm" not in p.native

    def test_heterogeneous_cell_type_parameters(self, sim):
        p = sim.Population(3, sim.IF_curr_exp(tau_m=[10.0, 20.0, 30.0]))
        np.testing.assert_allclose(p.native["tau_m"], [10, 20, 30])
        np.testing.assert_allclose(p.get("tau_m"), [10, 20, 30])

    def test_out_of_range_parameter_rejected(self, sim):
        with pytest.raises(errors.InvalidParameterValueError, match="tau_m"):
            sim.Population(2, sim.IF_cond_exp(tau_m=-1.0))

    def test_population_before_setup_sets_up_with_defaults(self, sim):
        sim.setup(timestep=0.5)
        sim.state.initialized = False
        p = sim.Population(1, sim.IF_cond_exp())
        assert sim.state.initialized and sim.get_time_step() == 0.1
        assert sim.state.populations == [p]


class TestInitialValues:
    def test_defaults_applied(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        np.testing.assert_array_equal(p.native_state["v"], [-65.0, -65.0])
        np.testing.assert_array_equal(p.native_state["gsyn_exc"], [0.0, 0.0])

    def test_defaults_independent_of_v_rest(self, sim):
        p = sim.Population(2, sim.IF_cond_exp(v_rest=-70.0))
        np.testing.assert_array_equal(p.native_state["v"], [-65.0, -65.0])

    def test_override(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(), initial_values={"v": -70.0, "gsyn_exc": [0.1, 0.2, 0.3]})
        np.testing.assert_array_equal(p.native_state["v"], [-70.0] * 3)
        np.testing.assert_allclose(p.native_state["gsyn_exc"], [0.1, 0.2, 0.3])
        np.testing.assert_array_equal(p.native_state["gsyn_inh"], [0.0] * 3)
        np.testing.assert_array_equal(p.initial_values["v"].evaluate(), [-70.0] * 3)

    def test_unknown_initial_value(self, sim):
        with pytest.raises(errors.NonExistentParameterError):
            sim.Population(2, sim.IF_cond_exp(), initial_values={"w": 1.0})

    def test_initialize_forms(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p.initialize(v=lambda i: -70.0 + i)
        np.testing.assert_array_equal(p.native_state["v"], [-70, -69, -68, -67])
        p.initialize(v=np.array([-1.0, -2.0, -3.0, -4.0]))
        np.testing.assert_array_equal(p.native_state["v"], [-1, -2, -3, -4])
        p.initialize(v=RandomDistribution("uniform", (-70.0, -60.0), rng=NumpyRNG(seed=1)))
        v = p.native_state["v"]
        assert np.all((v >= -70) & (v < -60)) and len(set(v.tolist())) == 4
        np.testing.assert_array_equal(p.initial_values["v"].evaluate(), v)

    def test_initialize_unknown_variable(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        with pytest.raises(errors.NonExistentParameterError):
            p.initialize(u=1.0)

    def test_initial_values_restored_on_reset(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.initialize(v=-55.0)
        sim.run(1.0)
        p.native_state["v"][:] = 0.0  # the "simulator" changed the state
        sim.reset()
        np.testing.assert_array_equal(p.native_state["v"], [-55.0, -55.0])


# ---------------------------------------------------------------------------------------------
# get / set
# ---------------------------------------------------------------------------------------------

class TestGetSet:
    def test_get_homogeneous_simplified(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(tau_m=12.0))
        value = p.get("tau_m")
        assert value == pytest.approx(12.0) and np.ndim(value) == 0

    def test_get_simplify_false(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(tau_m=12.0))
        np.testing.assert_array_equal(p.get("tau_m", simplify=False), [12.0] * 3)

    def test_get_list_of_names(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(tau_m=12.0, cm=[1.0, 2.0, 3.0]))
        tau_m, cm = p.get(["tau_m", "cm"])
        assert tau_m == 12.0
        np.testing.assert_array_equal(cm, [1.0, 2.0, 3.0])

    def test_get_unknown(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.NonExistentParameterError):
            p.get("tau_x")

    def test_set_scalar(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        p.set(v_thresh=-40.0)
        assert p.get("v_thresh") == -40.0
        np.testing.assert_array_equal(p.native["V_th"], [-40.0] * 3)

    def test_set_array_and_list(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        p.set(v_thresh=np.array([-40.0, -41.0, -42.0]), e_rev_I=[-80.0, -81.0, -82.0])
        np.testing.assert_array_equal(p.native["V_th"], [-40, -41, -42])
        np.testing.assert_array_equal(p.get("e_rev_I"), [-80, -81, -82])

    def test_set_callable(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p.set(i_offset=lambda i: 0.1 * i)
        np.testing.assert_allclose(p.get("i_offset"), [0.0, 0.1, 0.2, 0.3])
        np.testing.assert_allclose(p.native["I_e"], [0.0, 100.0, 200.0, 300.0])

    def test_set_random_distribution(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        p.set(tau_refrac=RandomDistribution("uniform", low=1.0, high=2.0, rng=NumpyRNG(seed=11)))
        values = p.get("tau_refrac")
        expected = NumpyRNG(seed=11).next(5, "uniform", {"low": 1.0, "high": 2.0})
        np.testing.assert_allclose(values, expected)
        np.testing.assert_allclose(p.native["t_ref"], expected)

    def test_set_sequence_shared(self, sim):
        p = sim.Population(3, sim.SpikeSourceArray())
        p.set(spike_times=sim.Sequence([1.0, 5.0]))
        assert p.get("spike_times") == sim.Sequence([1.0, 5.0])
        assert all(s == sim.Sequence([1.0, 5.0]) for s in p.native["spike_times"])

    def test_set_sequence_per_cell(self, sim):
        p = sim.Population(3, sim.SpikeSourceArray())
        p.set(spike_times=[sim.Sequence([1.0]), sim.Sequence([2.0, 3.0]), sim.Sequence([])])
        got = p.get("spike_times")
        assert [s.value.tolist() for s in got] == [[1.0], [2.0, 3.0], []]
        assert [s.value.tolist() for s in p.native["spike_times"]] == [[1.0], [2.0, 3.0], []]

    def test_set_sequence_through_view(self, sim):
        p = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
        p[1:2].set(spike_times=sim.Sequence([7.0]))
        assert [s.value.tolist() for s in p.get("spike_times")] == [[1.0], [7.0], [1.0]]
        assert [s.value.tolist() for s in p.native["spike_times"]] == [[1.0], [7.0], [1.0]]

    def test_set_unsorted_spike_times_rejected(self, sim):
        p = sim.Population(2, sim.SpikeSourceArray())
        with pytest.raises(errors.InvalidParameterValueError):
            p.set(spike_times=sim.Sequence([5.0, 1.0]))

    def test_set_unknown_parameter(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.NonExistentParameterError) as info:
            p.set(tau_n=3.0)
        assert "tau_m" in str(info.value)  # close match suggested

    def test_set_wrong_length(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.InvalidDimensionsError):
            p.set(tau_m=[1.0, 2.0])

    def test_failed_set_changes_nothing(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(tau_m=20.0, v_thresh=-50.0))
        n_calls = len(p.calls)
        with pytest.raises(errors.InvalidParameterValueError):
            p.set(v_thresh=-45.0, tau_m=[10.0, -1.0, 10.0])
        assert p.get("v_thresh") == -50.0 and p.get("tau_m") == 20.0
        assert len(p.calls) == n_calls

    def test_set_string_rejected(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.InvalidParameterValueError):
            p.set(tau_m="20")


class TestTranslationReachesBackend:
    def test_set_tau_m_updates_leak_conductance(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(cm=0.5))
        p.set(tau_m=np.array([5.0, 10.0, 25.0]))
        np.testing.assert_allclose(p.native["g_L"], cond_g_L(0.5, [5.0, 10.0, 25.0]))
        np.testing.assert_allclose(p.native["C_m"], [500.0] * 3)

    def test_set_cm_alone_updates_leak_conductance(self, sim):
        p = sim.Population(2, sim.IF_cond_exp(tau_m=20.0))
        p.set(cm=2.0)
        np.testing.assert_allclose(p.native["g_L"], cond_g_L(2.0, 20.0) * np.ones(2))
        np.testing.assert_allclose(p.native["C_m"], [2000.0, 2000.0])
        assert p.get("tau_m") == pytest.approx(20.0)

    def test_set_through_view_translates_only_those_cells(self, sim):
        p = sim.Population(5, sim.IF_cond_exp(tau_m=20.0, cm=1.0))
        p[[1, 3]].set(tau_m=10.0)
        np.testing.assert_allclose(p.native["g_L"], [50.0, 100.0, 50.0, 100.0, 50.0])
        kind, indices, values = p.calls[-1]
        assert kind == "set_parameters"
        np.testing.assert_array_equal(indices, [1, 3])
        np.testing.assert_allclose(values["g_L"], [100.0, 100.0])

    def test_scaled_parameter(self, sim):
        p = sim.Population(2, sim.IF_curr_exp())
        p.set(i_offset=0.25)
        np.testing.assert_allclose(p.native["I_e"], [250.0, 250.0])
        assert p.get("i_offset") == 0.25

    def test_curr_based_tau_m_is_direct(self, sim):
        p = sim.Population(2, sim.IF_curr_exp())
        p.set(tau_m=7.0)
        np.testing.assert_allclose(p.native["tau_m"], [7.0, 7.0])
        assert "g_L" not in p.native


# ---------------------------------------------------------------------------------------------
# positions
# ---------------------------------------------------------------------------------------------

class TestPositions:
    def test_set_positions_discards_structure(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        pos = np.arange(9.0).reshape(3, 3)
        p.positions = pos
        np.testing.assert_array_equal(p.positions, pos)
        assert p.structure is None

    def test_positions_wrong_shape(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.InvalidDimensionsError):
            p.positions = np.zeros((3, 2))

    def test_changing_structure_changes_positions(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        assert p.positions[0, 2] == 2.0
        p.structure = space.Line(dx=10.0)
        assert p.positions[0, 2] == 20.0

    def test_nearest(self, sim):
        p = sim.Population(5, sim.IF_cond_exp(), structure=space.Line(dx=2.0))
        assert p.nearest((4.4, 0.0, 0.0)) == p[2]
        assert p.nearest((100.0, 0.0, 0.0)) == p[4]

    def test_position_generator(self, sim):
        p = sim.Population(4, sim.IF_cond_exp(), structure=space.Line(dx=3.0))
        np.testing.assert_array_equal(p.position_generator(2), [6.0, 0.0, 0.0])

    def test_sample(self, sim):
        p = sim.Population(20, sim.IF_cond_exp())
        s1 = p.sample(5, rng=NumpyRNG(seed=4))
        s2 = p.sample(5, rng=NumpyRNG(seed=4))
        assert isinstance(s1, sim.PopulationView)
        assert s1.size == 5 and len(set(s1.mask.tolist())) == 5
        np.testing.assert_array_equal(s1.mask, s2.mask)
        # PyNN's order: the first n of the permutation, not sorted
        np.testing.assert_array_equal(s1.mask, np.random.RandomState(4).permutation(20)[:5])
        assert s1.parent is p

    def test_sample_needs_int(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        with pytest.raises(TypeError):
            p.sample(2.0)
        with pytest.raises(ValueError):
            p.sample(6)

    def test_save_positions(self, sim, tmp_path):
        p = sim.Population(3, sim.IF_cond_exp(), structure=space.Line(dx=2.0, y=1.0), label="pp")
        filename = str(tmp_path / "pos.txt")
        p.save_positions(filename)
        f = files.StandardTextFile(filename)
        data = f.read()
        meta = f.get_metadata()
        np.testing.assert_array_equal(data, [[0, 0, 1, 0], [1, 2, 1, 0], [2, 4, 1, 0]])
        assert meta["population"] == "pp"

    def test_view_positions_are_subset(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        np.testing.assert_array_equal(p[[1, 4]].positions[0], [1.0, 4.0])


# ---------------------------------------------------------------------------------------------
# description, units, annotations, spike counts, deprecated methods
# ---------------------------------------------------------------------------------------------

class TestMisc:
    def test_describe_dict_keys(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(), label="d")
        d = p.describe(template=None)
        for key in ("cell_parameters", "celltype", "first_id", "label", "last_id", "local_first_id",
                    "size", "size_local", "structure"):
            assert key in d
        assert d["label"] == "d" and d["size"] == 3 and d["celltype"]["name"] == "IF_cond_exp"
        assert d["celltype"]["parameters"]["tau_m"] == 20.0
        assert d["first_id"] == int(p.first_id) and d["last_id"] == int(p.last_id)

    def test_describe_dict_includes_annotations(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(), label="d")
        p.annotate(region="V1", size="big")
        d = p.describe(template=None)
        assert d["region"] == "V1"
        assert d["size"] == 3  # an annotation does not hide a standard entry
        assert d["annotations"] == {"region": "V1", "size": "big"}

    def test_describe_text(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(), label="d")
        text = p.describe()
        assert isinstance(text, str) and "d" in text and "IF_cond_exp" in text

    def test_describe_text_has_pynns_documented_layout(self, sim):
        """Label, structure and its parameters, local cells, cell type, ID range and the
        parameters of the first local cell, one per line, as PyNN's documentation shows."""
        p = sim.Population(6, sim.IF_cond_exp(tau_m=12.5), structure=space.Grid2D(dx=50.0, dy=40.0),
                           label="exc")
        lines = p.describe().splitlines()
        assert lines[0] == 'Population "exc"'
        assert lines[1].split(":") == ["    Structure   ", " Grid2D"]
        assert "      dx: 50.0" in lines and "      dy: 40.0" in lines
        fields = {k.strip(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
        assert fields["Local cells"] == "6" and fields["Cell type"] == "IF_cond_exp"
        assert fields["ID range"] == f"{int(p[0])}-{int(p[5])}"
        assert fields["ID"] == str(int(p[0]))
        assert fields["tau_m"] == "12.5" and fields["v_thresh"] == "-50.0"
        view = p[1:3].describe().splitlines()
        assert view[0] == f'PopulationView "{p[1:3].label}"' and view[1] == '    parent : "exc"'

    def test_find_units(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        assert p.find_units("v") == "mV"
        assert p.find_units("gsyn_exc") == "uS"
        assert p.find_units("tau_m") == "ms"
        assert p.find_units(Variable("v", None, None)) == "mV"
        with pytest.raises(errors.NonExistentParameterError):
            p.find_units("nothing")

    def test_celltype_properties(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        assert p.conductance_based and p.injectable
        assert tuple(p.receptor_types) == ("excitatory", "inhibitory")
        s = sim.Population(3, sim.SpikeSourcePoisson())
        assert not s.injectable
        assert p.can_record("gsyn_exc") and not s.can_record("v")

    def test_annotate_reaches_block(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(), label="ann")
        p.annotate(experiment="x1", trial=3)
        p.annotate(trial=4)
        p.record("spikes")
        sim.run(1.0)
        block = p.get_data()
        assert block.annotations["experiment"] == "x1"
        assert block.annotations["trial"] == 4
        assert block.annotations["label"] == "ann" and block.annotations["size"] == 3
        assert block.name == "ann"

    def test_spike_counts_keyed_by_id(self, sim):
        sim.Population(2, sim.IF_cond_exp())  # so that ids do not start at 0
        p = sim.Population(5, sim.IF_cond_exp())
        p.record("spikes")
        sim.run(32.0)
        counts = p.get_spike_counts()
        # cell i spikes at 10k + (i % 5) ms: up to 32 ms cells 0..2 fired 3 times, 3 and 4 twice
        assert counts == {p[0]: 3, p[1]: 3, p[2]: 3, p[3]: 2, p[4]: 2}
        assert all(type(k).__name__ == "ID" for k in counts)
        assert int(next(iter(counts))) == 2
        assert p.mean_spike_count() == pytest.approx(13 / 5)
        assert p[3:5].get_spike_counts() == {p[3]: 2, p[4]: 2}
        assert p[3:5].mean_spike_count() == pytest.approx(2.0)

    def test_empty_population_refused(self, sim):
        # the same on every backend (NEST itself cannot create zero nodes)
        for size in (0, (0,), (3, 0)):
            with pytest.raises(errors.InvalidParameterValueError, match="at least one cell"):
                sim.Population(size, sim.IF_cond_exp())
        q = sim.Population(3, sim.IF_cond_exp())
        assert int(q.first_id) == 0  # the refused populations took no ids
        empty = q[[]]  # an empty view is still allowed
        assert empty.size == 0 and list(empty) == [] and empty.mean_spike_count() == 0

    def test_inject_into_spike_source_rejected(self, sim):
        s = sim.Population(2, sim.SpikeSourcePoisson())
        with pytest.raises(TypeError):
            s.inject(sim.DCSource(amplitude=1.0))

    def test_inject_reaches_device(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        src = sim.DCSource(amplitude=0.5, start=1.0)
        p[1:3].inject(src)
        root, indices = src._device["targets"][0]
        assert root is p
        np.testing.assert_array_equal(indices, [1, 2])
        assert src._device["native"]["amplitude"] == pytest.approx(500.0)
        src.amplitude = 0.25
        assert src._device["native"]["amplitude"] == pytest.approx(250.0)
        assert src.amplitude == pytest.approx(0.25)

    @pytest.mark.parametrize("method,args", [
        ("tset", ("tau_m", 15.0)),
        ("rset", ("tau_m", RandomDistribution("uniform", (10.0, 20.0), rng=NumpyRNG(seed=1)))),
        ("record_v", ()),
        ("record_gsyn", ()),
        ("meanSpikeCount", ()),
    ])
    def test_deprecated_methods_warn_and_work(self, sim, method, args):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.warns(DeprecationWarning, match=method):
            getattr(p, method)(*args)
        if method == "tset":
            assert p.get("tau_m") == 15.0
        elif method == "rset":
            assert np.all((p.get("tau_m") >= 10) & (p.get("tau_m") < 20))
        elif method == "record_v":
            assert p.recorder.recorded_variables == ["v"]
        elif method == "record_gsyn":
            assert sorted(p.recorder.recorded_variables) == ["gsyn_exc", "gsyn_inh"]

    @pytest.mark.parametrize("method", ["getSpikes", "get_v", "get_gsyn"])
    def test_deprecated_getters_warn_and_return_block(self, sim, method):
        p = sim.Population(3, sim.IF_cond_exp())
        p.record(["spikes", "v", "gsyn_exc", "gsyn_inh"])
        sim.run(12.0)
        with pytest.warns(DeprecationWarning):
            block = getattr(p, method)()
        seg = block.segments[0]
        if method == "getSpikes":
            assert len(seg.spiketrains) == 3 and not seg.analogsignals
        elif method == "get_v":
            assert [s.name for s in seg.analogsignals] == ["v"]
        else:
            assert sorted(s.name for s in seg.analogsignals) == ["gsyn_exc", "gsyn_inh"]

    @pytest.mark.parametrize("method", ["printSpikes", "print_v", "print_gsyn"])
    def test_deprecated_writers_warn_and_write(self, sim, method, tmp_path):
        p = sim.Population(3, sim.IF_cond_exp())
        p.record(["spikes", "v", "gsyn_exc", "gsyn_inh"])
        sim.run(12.0)
        filename = tmp_path / "out.pkl"
        with pytest.warns(DeprecationWarning):
            getattr(p, method)(str(filename))
        assert filename.exists() and filename.stat().st_size > 0


# ---------------------------------------------------------------------------------------------
# indexing and views
# ---------------------------------------------------------------------------------------------

class TestIndexing:
    def test_int_gives_id(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        assert p[1] == p.first_id + 1
        assert p[-1] == p.last_id
        with pytest.raises(IndexError):
            p[4]

    def test_bad_index_type(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        with pytest.raises(TypeError):
            p["a"]
        with pytest.raises(TypeError):
            p[1.5]

    def test_slice(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        v = p[1:8:3]
        assert isinstance(v, sim.PopulationView)
        np.testing.assert_array_equal(v.mask, [1, 4, 7])
        assert [int(i) for i in v] == [int(p[1]), int(p[4]), int(p[7])]
        assert v.size == 3 and v.parent is p and v.grandparent is p
        assert v.label == f"view of '{p.label}' with size 3"

    def test_list_tuple_and_array(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        for sel in ([2, 5], (2, 5), np.array([2, 5])):
            np.testing.assert_array_equal(p[sel].mask, [2, 5])

    def test_unsorted_indices_are_sorted(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        np.testing.assert_array_equal(p[[7, 2, 5]].mask, [2, 5, 7])

    def test_negative_indices(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        np.testing.assert_array_equal(p[[-1, 0]].mask, [0, 9])

    def test_boolean_mask(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        v = p[np.array([True, False, True, False, True])]
        np.testing.assert_array_equal(v.mask, [0, 2, 4])

    def test_boolean_mask_wrong_size(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        with pytest.raises(errors.InvalidDimensionsError):
            p[np.array([True, False])]

    def test_index_out_of_range(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        with pytest.raises(IndexError):
            p[[1, 5]]

    def test_duplicate_indices_warn(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        with pytest.warns(UserWarning, match="Duplicate"):
            v = p[[1, 3, 1]]
        np.testing.assert_array_equal(v.mask, [1, 3])

    def test_no_warning_without_duplicates(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            view = p[[3, 1]]
        assert view.size == 2

    def test_view_of_view(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        v = p[2:9]
        vv = v[[1, 3, 5]]
        assert vv.parent is v and vv.grandparent is p
        np.testing.assert_array_equal(vv.mask, [1, 3, 5])
        assert [int(i) for i in vv] == [int(p[3]), int(p[5]), int(p[7])]
        np.testing.assert_array_equal(vv.index_in_grandparent([0, 2]), [3, 7])
        np.testing.assert_array_equal(vv.index_from_parent_index([3, 5]), [1, 2])
        vvv = vv[1:]
        assert [int(i) for i in vvv] == [int(p[5]), int(p[7])]

    def test_id_to_index(self, sim):
        sim.Population(3, sim.IF_cond_exp())
        p = sim.Population(10, sim.IF_cond_exp())
        assert p.id_to_index(p[4]) == 4
        np.testing.assert_array_equal(p.id_to_index([p[4], p[9]]), [4, 9])
        v = p[2:9]
        assert v.id_to_index(p[4]) == 2
        with pytest.raises(ValueError):
            v.id_to_index(p[9])
        with pytest.raises(ValueError):
            p.id_to_index(0)  # belongs to the first population
        assert p.id_to_local_index(p[5]) == 5

    def test_unknown_id_is_both_index_and_value_error(self, sim):
        # PyNN raises ValueError from Population.id_to_index and IndexError from the view's
        # and the assembly's: scripts catch either
        p = sim.Population(10, sim.IF_cond_exp())
        q = sim.Population(2, sim.IF_cond_exp())
        for obj, unknown in [(p, q[0]), (p[2:5], p[0]), (p[[2, 5, 7]], p[9]), (p + q[1:], q[0])]:
            for kind in (IndexError, ValueError, errors.PyNNError):
                with pytest.raises(kind):
                    obj.id_to_index(unknown)

    def test_reversed_slice_keeps_order(self, sim):
        p = sim.Population(5, sim.IF_cond_exp(tau_m=[1.0, 2.0, 3.0, 4.0, 5.0]))
        v = p[::-1]
        assert [int(i) for i in v] == [4, 3, 2, 1, 0]
        np.testing.assert_array_equal(v.get("tau_m"), [5.0, 4.0, 3.0, 2.0, 1.0])
        assert v.id_to_index(p[0]) == 4 and v.id_to_index(p[4]) == 0
        np.testing.assert_array_equal(v.id_to_index([p[1], p[3]]), [3, 1])
        np.testing.assert_array_equal(v.index_from_parent_index([0, 4]), [4, 0])
        v.set(v_thresh=[-41.0, -42.0, -43.0, -44.0, -45.0])
        np.testing.assert_array_equal(p.get("v_thresh"), [-45.0, -44.0, -43.0, -42.0, -41.0])
        assert (sim.Assembly(v[0:2], p[0:2])).id_to_index(p[3]) == 1

    def test_view_equality(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        assert p[2:4] == p[[2, 3]]
        assert p[2:4] != p[2:5]
        q = sim.Population(10, sim.IF_cond_exp())
        assert p[2:4] != q[2:4]

    def test_view_properties(self, sim):
        p = sim.Population(10, sim.IF_cond_exp())
        v = p[3:6]
        assert v.celltype is p.celltype and v.recorder is p.recorder and v.structure is p.structure
        assert v.first_id == p[3] and v.last_id == p[5]
        assert list(v.all_cells) == [p[3], p[4], p[5]]
        assert v.conductance_based

    def test_view_get(self, sim):
        p = sim.Population(5, sim.IF_cond_exp(tau_m=[1.0, 2.0, 3.0, 4.0, 5.0]))
        np.testing.assert_array_equal(p[[1, 3]].get("tau_m"), [2.0, 4.0])
        assert p[2:3].get("tau_m") == 3.0

    def test_view_set_changes_only_those_cells(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        p[1:3].set(v_thresh=-30.0)
        np.testing.assert_array_equal(p.get("v_thresh"), [-50, -30, -30, -50, -50])
        np.testing.assert_array_equal(p.native["V_th"], [-50, -30, -30, -50, -50])

    def test_view_set_array_is_per_view_cell(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        p[[0, 4]].set(v_thresh=[-31.0, -34.0])
        np.testing.assert_array_equal(p.get("v_thresh"), [-31, -50, -50, -50, -34])

    def test_view_set_callable(self, sim):
        # as in PyNN, a view is set like a population of its own: i is the index in the view
        p = sim.Population(5, sim.IF_cond_exp())
        p[[1, 3]].set(v_thresh=lambda i: -40.0 - i)
        np.testing.assert_array_equal(p.get("v_thresh"), [-50, -40, -50, -41, -50])
        p[[0, 4]].initialize(v=lambda i: -70.0 + i)
        np.testing.assert_array_equal(p.native_state["v"], [-70, -65, -65, -65, -69])

    def test_view_initialize(self, sim):
        p = sim.Population(5, sim.IF_cond_exp())
        p[[1, 2]].initialize(v=-72.0)
        np.testing.assert_array_equal(p.native_state["v"], [-65, -72, -72, -65, -65])
        np.testing.assert_array_equal(p.initial_values["v"].evaluate(), [-65, -72, -72, -65, -65])
        np.testing.assert_array_equal(p[[1, 2]].initial_values["v"].evaluate(), [-72, -72])

    def test_view_set_random_distribution_draws_one_value_per_view_cell(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        p[[1, 4]].set(tau_m=RandomDistribution("uniform", (10.0, 20.0), rng=NumpyRNG(seed=5)))
        drawn = NumpyRNG(seed=5).next(2, "uniform", {"low": 10.0, "high": 20.0})
        np.testing.assert_allclose(p.get("tau_m"), [20.0, drawn[0], 20.0, 20.0, drawn[1], 20.0])

    def test_view_set_sequences_per_view_cell(self, sim):
        s = sim.Population(4, sim.SpikeSourceArray())
        s[1:3].set(spike_times=[[1.0], [2.0, 3.0]])
        assert [x.value.tolist() for x in s.get("spike_times")] == [[], [1.0], [2.0, 3.0], []]

    def test_view_initialize_array(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p[1:3].initialize(v=[-1.0, -2.0])
        np.testing.assert_array_equal(p.native_state["v"], [-65, -1, -2, -65])

    def test_view_of_view_set(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        p[2:6][1:3].set(v_reset=-80.0)
        np.testing.assert_array_equal(p.get("v_reset"), [-65, -65, -65, -80, -80, -65])

    def test_add_gives_assembly(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        q = sim.Population(3, sim.IF_cond_exp())
        a = p + q
        assert isinstance(a, sim.Assembly) and a.size == 5


# ---------------------------------------------------------------------------------------------
# ID
# ---------------------------------------------------------------------------------------------

class TestID:
    def test_attribute_get_and_set(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(tau_m=[10.0, 20.0, 30.0]))
        cell = p[1]
        assert cell.tau_m == 20.0
        cell.tau_m = 40.0
        np.testing.assert_array_equal(p.get("tau_m"), [10.0, 40.0, 30.0])
        np.testing.assert_allclose(p.native["g_L"], cond_g_L(1.0, [10.0, 40.0, 30.0]))

    def test_unknown_attribute(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.NonExistentParameterError):
            _ = p[0].tau_x
        with pytest.raises(errors.NonExistentParameterError):
            p[0].tau_x = 3.0

    def test_set_method_hint(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(AttributeError, match="set_parameters"):
            p[0].set(tau_m=3.0)

    def test_get_and_set_parameters(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(cm=[1.0, 2.0, 3.0]))
        params = p[2].get_parameters()
        assert set(params) == set(sim.IF_cond_exp.default_parameters)
        assert params["cm"] == 3.0 and params["tau_m"] == 20.0
        p[2].set_parameters(cm=4.0, v_thresh=-45.0)
        assert p[2].cm == 4.0 and p[2].v_thresh == -45.0
        assert p[1].cm == 2.0

    def test_as_view(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        v = p[2].as_view()
        assert isinstance(v, sim.PopulationView)
        assert v.size == 1 and v[0] == p[2]

    def test_position(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(), structure=space.Line(dx=5.0))
        np.testing.assert_array_equal(p[2].position, [10.0, 0.0, 0.0])
        p[2].position = (1.0, 2.0, 3.0)
        np.testing.assert_array_equal(p.positions[:, 2], [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(p.positions[:, 1], [5.0, 0.0, 0.0])

    def test_cell_properties(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        cell = p[0]
        assert cell.parent is p and cell.celltype is p.celltype
        assert cell.is_standard_cell and cell.local

    def test_initial_value(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        p[1].set_initial_value("v", -61.0)
        assert p[1].get_initial_value("v") == -61.0
        np.testing.assert_array_equal(p.native_state["v"], [-65, -61, -65])

    def test_inject(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        src = sim.DCSource()
        p[2].inject(src)
        np.testing.assert_array_equal(src._device["targets"][0][1], [2])

    def test_id_from_view_has_root_parent(self, sim):
        p = sim.Population(5, sim.IF_cond_exp(tau_m=[1.0, 2.0, 3.0, 4.0, 5.0]))
        cell = p[2:5][1]
        assert cell == p[3] and cell.tau_m == 4.0
