"""Simulation control (setup/run/reset/end), the deprecated procedural API and current sources."""

import warnings

import neo
import numpy as np
import pytest

import pyNN.mock as inmemory_backend
from pyNN import errors
from pyNN.common.populations import ID


class TestSetup:
    def test_returns_rank_and_sets_time_step(self, sim):
        assert sim.setup(timestep=0.25) == 0
        assert sim.get_time_step() == 0.25
        assert sim.get_current_time() == 0.0
        assert sim.num_processes() == 1 and sim.rank() == 0

    @pytest.mark.parametrize("name", ["mindelay", "maxdelay", "dt", "time_step"])
    def test_old_argument_names_refused(self, sim, name):
        with pytest.raises(Exception, match=name):
            sim.setup(**{name: 0.1})

    def test_min_delay_below_timestep(self, sim):
        with pytest.raises(ValueError):
            sim.setup(timestep=0.1, min_delay=0.05)

    def test_min_delay_above_max_delay(self, sim):
        with pytest.raises(ValueError):
            sim.setup(timestep=0.1, min_delay=2.0, max_delay=1.0)

    @pytest.mark.parametrize("timestep", [0.0, -0.1, float("nan"), "0.1"])
    def test_bad_timestep(self, sim, timestep):
        with pytest.raises(errors.InvalidParameterValueError):
            sim.setup(timestep=timestep)

    def test_option_of_another_backend_is_ignored(self, sim, caplog):
        with caplog.at_level("INFO", logger="PyNN"):
            sim.setup(threads=4)
        assert sim.state.options == {"verbosity": "quiet"}
        assert [r.message for r in caplog.records if "threads" in r.message] == [
            "setup(): option 'threads' is ignored by pyNN.mock (it is used by pyNN.nest, pyNN.hardware)"]

    def test_unknown_option_warns_with_close_matches(self, sim):
        with pytest.warns(UserWarning, match="'thraeds'.*Did you mean: threads"):
            sim.setup(thraeds=4)

    def test_spike_precision_is_checked_against_the_backend_declaration(self, sim, caplog):
        # the mock backend declares on_grid only: setup() ignores the option (INFO line) ...
        with caplog.at_level("INFO", logger="PyNN"):
            sim.setup(spike_precision="off_grid")
        assert sim.state.spike_precision == "on_grid"
        assert any("'spike_precision' is ignored by pyNN.mock" in r.message for r in caplog.records)
        # ... and the state itself refuses a precision it does not declare
        with pytest.raises(errors.InvalidParameterValueError, match="spike_precision.*'on_grid'.*'off_grid'"):
            sim.state.setup(0.1, "auto", "auto", spike_precision="off_grid")

    def test_declared_spike_precision_is_kept(self, sim, monkeypatch):
        monkeypatch.setattr(type(sim.state), "spike_precisions", ("on_grid", "off_grid"))
        sim.state.setup(0.1, "auto", "auto", spike_precision="off_grid")
        assert sim.state.spike_precision == "off_grid"
        sim.state.setup(0.1, "auto", "auto")  # a new setup() starts from the default
        assert sim.state.spike_precision == "on_grid"

    def test_backend_option_reaches_state(self, sim):
        sim.setup(verbosity="loud")
        assert sim.state.options == {"verbosity": "loud"}

    def test_delays(self, sim):
        assert sim.get_min_delay() == pytest.approx(0.1)  # 'auto' -> one time step, a number
        assert isinstance(sim.get_min_delay(), float)
        assert sim.get_max_delay() == "auto"
        sim.setup(timestep=0.01)
        assert sim.get_min_delay() == pytest.approx(0.01)
        sim.setup(timestep=0.1, min_delay=0.5, max_delay=8.0)
        assert sim.get_min_delay() == 0.5 and sim.get_max_delay() == 8.0

    def test_setup_again_destroys_network(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        sim.Projection(p, p, sim.AllToAllConnector())
        sim.run(5.0)
        sim.setup()
        assert sim.state.populations == [] and sim.state.projections == []
        assert sim.get_current_time() == 0.0
        q = sim.Population(2, sim.IF_cond_exp())
        assert int(q.first_id) == 0


class TestRun:
    def test_run_returns_time_and_advances_backend(self, sim):
        assert sim.run(10.0) == pytest.approx(10.0)
        assert sim.run(2.5) == pytest.approx(12.5)
        assert sim.get_current_time() == pytest.approx(12.5)
        assert sim.state.advance_calls == [100, 25]

    def test_run_for_alias(self, sim):
        assert sim.run_for(3.0) == pytest.approx(3.0)

    def test_run_zero(self, sim):
        assert sim.run(0.0) == 0.0
        assert sim.state.advance_calls == []

    def test_negative_run(self, sim):
        with pytest.raises(ValueError):
            sim.run(-1.0)

    def test_off_grid_duration_rounded_with_warning(self, sim):
        with pytest.warns(errors.RoundingWarning, match="10.04"):
            t = sim.run(10.04)
        assert t == pytest.approx(10.0)
        assert sim.state.advance_calls == [100]

    def test_rounding_warned_once_with_a_count(self, sim):
        with pytest.warns(errors.RoundingWarning):
            sim.run(1.04)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sim.run(1.04)
        assert sim.state.grid_warnings._seen["run() duration"] == 2
        sim.setup()
        with pytest.warns(errors.RoundingWarning):  # a new simulation warns again
            sim.run(1.04)

    def test_float_noise_is_not_off_grid(self, sim):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(3):
                sim.run(0.3)
        assert sim.state.steps == 9
        assert sim.get_current_time() == pytest.approx(0.9)

    @pytest.mark.parametrize("timestep, duration", [(0.1, 0.3), (0.1, 2.3), (0.01, 0.07), (0.025, 1.075),
                                                    (0.1, 123456.7)])
    def test_time_is_the_nearest_number_to_the_grid_time(self, sim, timestep, duration):
        # a script's `get_current_time() == 0.3` after run(0.3) holds (3 * 0.1 is 0.30000000000000004)
        sim.setup(timestep=timestep)
        assert sim.run(duration) == duration
        assert sim.get_current_time() == duration
        assert sim.run_until(2 * duration) == 2 * duration

    def test_times_on_the_grid_read_back_without_float_noise(self, sim):
        # 6 steps of 0.1 ms read back as 0.6, not 6 * 0.1 = 0.6000000000000001
        p = sim.Population(2, sim.IF_cond_exp())
        prj = sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.6))
        assert prj.get("delay", format="list", with_address=False) == [0.6] * 4
        with pytest.warns(errors.RoundingWarning):
            prj.set(delay=0.73)
        assert prj.get("delay", format="list", with_address=False) == [0.7] * 4
        src = sim.StepCurrentSource(times=[0.3, 0.7, 2.3], amplitudes=[0.1, 0.2, 0.0])
        assert list(src.times.value if hasattr(src.times, "value") else src.times) == [0.3, 0.7, 2.3]
        with pytest.warns(errors.RoundingWarning):
            dc = sim.DCSource(amplitude=0.1, start=0.33, stop=0.68)
        assert (float(dc.start), float(dc.stop)) == (0.3, 0.7)

    def test_run_until(self, sim):
        assert sim.run_until(7.0) == pytest.approx(7.0)
        assert sim.run_until(7.0) == pytest.approx(7.0)
        with pytest.raises(ValueError, match="past"):
            sim.run_until(5.0)
        assert sim.run_until(9.0) == pytest.approx(9.0)
        assert sim.state.advance_calls == [70, 20]

    def test_callbacks(self, sim):
        calls = []

        def every_two(t):
            calls.append(t)
            return t + 2.0
        assert sim.run(7.0, callbacks=[every_two]) == pytest.approx(7.0)
        assert calls == pytest.approx([0.0, 2.0, 4.0, 6.0])
        assert sum(sim.state.advance_calls) == 70

    def test_two_callbacks(self, sim):
        calls = []

        def cb(label, period):
            def f(t):
                calls.append((label, round(t, 6)))
                return t + period
            return f
        sim.run_until(6.0, callbacks=[cb("a", 3.0), cb("b", 2.0)])
        assert sorted(calls) == sorted([("a", 0.0), ("b", 0.0), ("b", 2.0), ("a", 3.0), ("b", 4.0),
                                        ("a", 6.0), ("b", 6.0)])

    def test_reset(self, sim):
        sim.run(10.0)
        sim.reset()
        assert sim.get_current_time() == 0.0
        assert sim.state.reset_calls == 1
        assert sim.run(5.0) == pytest.approx(5.0)

    def test_end_calls_backend(self, sim):
        sim.end()
        assert sim.state.end_calls == 1


class TestProcedural:
    def test_create(self, sim):
        with pytest.warns(DeprecationWarning, match="create"):
            p = sim.create(sim.IF_cond_exp, {"tau_m": 12.0}, n=4)
        assert isinstance(p, sim.Population) and p.size == 4 and p.get("tau_m") == 12.0
        with pytest.warns(DeprecationWarning):
            q = sim.create(sim.IF_curr_exp(tau_m=8.0))
        assert q.size == 1 and q.get("tau_m") == 8.0

    def test_connect(self, sim):
        p = sim.Population(3, sim.IF_curr_exp())
        q = sim.Population(2, sim.IF_curr_exp())
        with pytest.warns(DeprecationWarning, match="connect"):
            prj = sim.connect(p, q, weight=-0.2, delay=0.5)
        assert isinstance(prj, sim.Projection) and len(prj) == 6
        assert prj.receptor_type == "inhibitory"
        assert prj.get(["weight", "delay"], format="list")[0] == (0, 0, -0.2, 0.5)

    def test_connect_ids_and_probability(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.warns(DeprecationWarning):
            prj = sim.connect(p[0], p[2], weight=0.1)
        assert prj.get("weight", format="list") == [(0, 0, 0.1)]
        assert prj.pre.size == 1 and list(prj.pre) == [p[0]] and list(prj.post) == [p[2]]
        big = sim.Population(50, sim.IF_cond_exp())
        with pytest.warns(DeprecationWarning):
            prj = sim.connect(big, big, p=0.2, rng=sim.NumpyRNG(seed=1))
        assert 0 < len(prj) < 2500

    def test_set(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.warns(DeprecationWarning, match="set"):
            sim.set(p[1:3], tau_m=30.0)
        np.testing.assert_array_equal(p.get("tau_m"), [20.0, 30.0, 30.0])
        np.testing.assert_allclose(p.native["g_L"], [50.0, 1000 / 30, 1000 / 30])
        with pytest.warns(DeprecationWarning), pytest.raises(AttributeError):
            sim.set(p[0], tau_m=30.0)

    def test_initialize(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.warns(DeprecationWarning, match="initialize"):
            sim.initialize(p, v=-70.0)
        np.testing.assert_array_equal(p.native_state["v"], [-70.0] * 3)
        with pytest.warns(DeprecationWarning):
            sim.initialize(p[2], v=-50.0)
        np.testing.assert_array_equal(p.native_state["v"], [-70.0, -70.0, -50.0])

    def test_record_written_at_end(self, sim, tmp_path):
        p = sim.Population(2, sim.IF_cond_exp())
        filename = tmp_path / "proc.pkl"
        with pytest.warns(DeprecationWarning, match="record"):
            sim.record(["v", "spikes"], p, str(filename), annotations={"run": "a"})
        sim.run(11.0)
        assert not filename.exists()
        sim.end()
        block = neo.io.PickleIO(filename=str(filename)).read_block()
        seg = block.segments[0]
        assert seg.analogsignals[0].shape == (111, 2) and len(seg.spiketrains) == 2
        assert block.annotations["run"] == "a"

    def test_record_v_and_gsyn(self, sim, tmp_path):
        p = sim.Population(2, sim.IF_cond_exp())
        with pytest.warns(DeprecationWarning):
            sim.record_v(p, str(tmp_path / "v.pkl"))
        with pytest.warns(DeprecationWarning):
            sim.record_gsyn(p[0], str(tmp_path / "g.pkl"))
        assert sorted(p.recorder.recorded_variables) == ["gsyn_exc", "gsyn_inh", "v"]
        sim.run(1.0)
        sim.end()
        block = neo.io.PickleIO(filename=str(tmp_path / "g.pkl")).read_block()
        assert sorted(s.name for s in block.segments[0].analogsignals) == ["gsyn_exc", "gsyn_inh"]
        assert all(s.shape == (11, 1) for s in block.segments[0].analogsignals)

    def test_end_with_nothing_recorded_to_write(self, sim, tmp_path):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v", to_file=str(tmp_path / "never.pkl"))
        with pytest.raises(errors.NothingToWriteError):
            sim.end()  # run() was never called
        sim.state.files_to_write = []

    def test_list_standard_models(self, sim):
        assert "IF_cond_exp" in sim.list_standard_models()


class TestModuleExports:
    NAMES = ["setup", "end", "run", "run_for", "run_until", "reset", "get_current_time", "get_time_step",
             "get_min_delay", "get_max_delay", "num_processes", "rank", "Population", "PopulationView",
             "Assembly", "Projection", "Network", "NumpyRNG", "GSLRNG", "RandomDistribution",
             "ParameterSpace", "Sequence", "StandardCellType", "StandardCurrentSource", "build_translations",
             "AllToAllConnector", "OneToOneConnector", "FixedProbabilityConnector", "FromListConnector",
             "FromFileConnector", "errors", "random", "space", "recording", "create", "connect", "set",
             "initialize", "record", "record_v", "record_gsyn", "state", "simulator"]

    @pytest.mark.parametrize("name", NAMES)
    def test_name_exported(self, name):
        assert hasattr(inmemory_backend, name)

    def test_network(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        q = sim.Population(2, sim.IF_cond_exp())
        prj = sim.Projection(p, q, sim.AllToAllConnector())
        net = sim.Network(p, q[0:1], prj)
        assert net.count_neurons() == 5 and net.count_connections() == 6
        assert net.sim is inmemory_backend


class TestCurrentSources:
    def test_dc_source_current_on_the_grid(self, sim):
        p = sim.Population(1, sim.IF_cond_exp())
        src = sim.DCSource(amplitude=0.5, start=1.0, stop=2.0)
        p.inject(src)
        src.record()
        sim.run(3.0)
        sig = src.get_data()
        assert isinstance(sig, neo.AnalogSignal) and sig.shape == (31, 1)
        values = sig.magnitude[:, 0]
        on = np.flatnonzero(values)
        assert on[0] == 10 and on[-1] == 19  # [start, stop)
        assert np.all(values[on] == 0.5)

    def test_step_current_source(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        src = sim.StepCurrentSource(times=[1.0, 2.0], amplitudes=[0.3, -0.1])
        src.inject_into(p)
        assert src._device["native"]["amplitude_values"] == sim.Sequence([300.0, -100.0])
        sim.run(3.0)
        values = src.get_data().magnitude[:, 0]
        assert values[9] == 0.0 and values[10] == 0.3 and values[19] == 0.3 and values[20] == -0.1
        assert values[-1] == -0.1  # last amplitude held

    def test_parameters(self, sim):
        src = sim.DCSource(amplitude=0.5)
        assert src.get_parameters() == {"amplitude": 0.5, "start": 0.0, "stop": 1e12}
        src.set_parameters(amplitude=0.7, start=3.0)
        assert src.amplitude == 0.7 and src.start == 3.0
        assert src._device["native"]["amplitude"] == pytest.approx(700.0)
        with pytest.raises(errors.NonExistentParameterError):
            src.set_parameters(frequency=3.0)
        with pytest.raises(AttributeError, match="set_parameters"):
            src.set(amplitude=1.0)
        with pytest.raises(errors.InvalidParameterValueError):
            sim.DCSource(start=-1.0)

    def test_inject_into_list_of_ids(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        src = sim.DCSource()
        src.inject_into([p[3], p[1]])
        ((root, indices),) = src._device["targets"]
        assert root is p and indices.tolist() == [1, 3]
        with pytest.raises(TypeError):
            src.inject_into("p")

    def test_id_type_is_exported(self, sim):
        p = sim.Population(1, sim.IF_cond_exp())
        assert isinstance(p[0], ID)


def test_exact_half_steps_round_up(sim):
    """One rounding rule for every time value: nearest step, exact halves up (as NEST)."""
    import warnings

    state = sim.state
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert state.time_to_steps(0.25) == 3   # 2.5 steps -> 3 (round-to-even would give 2)
        assert state.time_to_steps(0.35) == 4
        assert list(state.time_to_steps(np.array([0.05, 0.15, 0.14]))) == [1, 2, 1]


def test_time_to_steps_keeps_the_shape_and_the_rounding_formula(sim):
    """The in-place conversion gives exactly floor(t/dt + 0.5 + 1e-9), in the input's shape."""
    import warnings

    state = sim.state
    rng = np.random.default_rng(5)
    t = np.round(rng.uniform(0, 50, (40, 25)), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        steps = state.time_to_steps(t)
    assert steps.shape == t.shape and steps.dtype == np.int64
    assert np.array_equal(steps, np.floor(t / state.dt + 0.5 + 1e-9).astype(np.int64))
    assert state.time_to_steps(np.array(0.3)) == 3 and isinstance(state.time_to_steps(0.3), int)
    with pytest.raises(errors.InvalidParameterValueError, match="nan"):
        state.time_to_steps(np.array([0.1, np.nan]))
