"""Recording bookkeeping of the core: what is recorded, samples, epochs, segments, output.

The in-memory backend makes cell i spike at 10k + (i % 5) ms and holds every recorded
state variable at its current (initial) value, so every number below is exact.
"""

import neo
import numpy as np
import pytest

from pyNN import errors
from pyNN.recording import get_io


def spike_lists(segment):
    return {int(st.annotations["source_index"]): st.magnitude.tolist() for st in segment.spiketrains}


def signal(segment, name):
    found = [s for s in segment.analogsignals if s.name == name]
    assert len(found) == 1, f"expected one '{name}' signal, got {len(found)}"
    return found[0]


class TestWhatIsRecorded:
    def test_record_str_and_list(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        p.record("v")
        p.record(["spikes", "gsyn_exc"])
        assert sorted(p.recorder.recorded_variables) == ["gsyn_exc", "spikes", "v"]

    def test_unknown_variable(self, sim):
        p = sim.Population(3, sim.IF_cond_exp(), label="pp")
        with pytest.raises(errors.RecordingError) as info:
            p.record("w")
        assert "pp" in str(info.value) and "gsyn_exc" in str(info.value)

    def test_record_all_is_not_a_variable(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        with pytest.raises(errors.RecordingError):
            p.record("all")

    def test_spike_source_cannot_record_v(self, sim):
        s = sim.Population(3, sim.SpikeSourcePoisson())
        with pytest.raises(errors.RecordingError):
            s.record(["spikes", "v"])
        assert s.recorder.recorded_variables == []

    def test_backend_is_told(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p[1:3].record("v", sampling_interval=0.5)
        variable, indices, interval_steps = p.recorder.configure_calls[-1]
        assert variable == "v" and indices.tolist() == [1, 2] and interval_steps == 5
        p[0].as_view().record("v")
        assert p.recorder.configure_calls[-1][1].tolist() == [0, 1, 2]

    def test_recording_the_same_cells_twice_is_a_no_op(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p.record("v")
        n = len(p.recorder.configure_calls)
        p.record("v")
        p[1:2].record("v")
        assert len(p.recorder.configure_calls) == n

    def test_record_none_stops_whole_population(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p.record(["v", "spikes"])
        p[0:2].record(None)  # even from a view, everything stops
        assert p.recorder.recorded_variables == []
        assert {c[0] for c in p.recorder.configure_calls[-2:]} == {"v", "spikes"}
        assert all(c[1].size == 0 for c in p.recorder.configure_calls[-2:])

    def test_record_none_keeps_data_so_far(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record(["v", "spikes"])
        sim.run(15.0)
        p.record(None)
        sim.run(10.0)
        seg = p.get_data().segments[0]
        assert signal(seg, "v").shape == (151, 2)
        assert spike_lists(seg) == {0: [10.0], 1: [11.0]}


class TestSamplingInterval:
    def test_default_is_dt(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v")
        sim.run(20.0)
        sig = signal(p.get_data().segments[0], "v")
        assert sig.shape == (201, 2)  # both end points
        assert float(sig.sampling_period) == pytest.approx(0.1)
        assert float(sig.t_start) == 0.0 and float(sig.t_stop) == pytest.approx(20.1)

    def test_explicit_interval(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v", sampling_interval=1.0)
        sim.run(20.0)
        sig = signal(p.get_data().segments[0], "v")
        assert sig.shape == (21, 2)
        assert float(sig.sampling_period) == pytest.approx(1.0)

    def test_run_not_a_multiple_of_the_interval(self, sim):
        p = sim.Population(1, sim.IF_cond_exp())
        p.record("v", sampling_interval=1.0)
        sim.run(2.5)
        sim.run(2.0)
        assert signal(p.get_data().segments[0], "v").shape == (5, 1)  # 0, 1, 2, 3, 4

    @pytest.mark.parametrize("bad", [0.0, -1.0, 0.15])
    def test_invalid_interval(self, sim, bad):
        p = sim.Population(2, sim.IF_cond_exp())
        with pytest.raises(errors.InvalidParameterValueError):
            p.record("v", sampling_interval=bad)

    def test_conflicting_interval(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v", sampling_interval=1.0)
        with pytest.raises(ValueError):
            p.record("gsyn_exc", sampling_interval=0.5)
        p.record("gsyn_exc")  # inherits the interval
        sim.run(3.0)
        assert signal(p.get_data().segments[0], "gsyn_exc").shape == (4, 2)

    def test_spikes_do_not_fix_the_interval(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("spikes", sampling_interval=1.0)
        p.record("v", sampling_interval=0.5)
        sim.run(2.0)
        assert signal(p.get_data().segments[0], "v").shape == (5, 2)


class TestSignalsAndSpikes:
    def test_signal_values_annotations_units(self, sim):
        sim.Population(3, sim.IF_cond_exp())
        p = sim.Population(4, sim.IF_cond_exp(), label="pp")
        p.initialize(v=np.array([-60.0, -61.0, -62.0, -63.0]))
        p[[1, 3]].record(["v", "gsyn_inh"])
        sim.run(1.0)
        seg = p.get_data().segments[0]
        v = signal(seg, "v")
        assert v.shape == (11, 2)
        np.testing.assert_array_equal(v.magnitude, np.tile([-61.0, -63.0], (11, 1)))
        assert str(v.units.dimensionality) == "mV"
        np.testing.assert_array_equal(v.array_annotations["channel_index"], [1, 3])
        np.testing.assert_array_equal(v.annotations["channel_ids"], [int(p[1]), int(p[3])])
        assert v.annotations["source_population"] == "pp"
        assert str(signal(seg, "gsyn_inh").units.dimensionality) == "uS"

    def test_spike_trains(self, sim):
        sim.Population(2, sim.IF_cond_exp())
        p = sim.Population(6, sim.IF_cond_exp(), label="sp")
        p.record("spikes")
        sim.run(21.5)
        seg = p.get_data().segments[0]
        assert len(seg.spiketrains) == 6
        assert spike_lists(seg) == {0: [10.0, 20.0], 1: [11.0, 21.0], 2: [12.0], 3: [13.0], 4: [14.0],
                                    5: [10.0, 20.0]}
        for st in seg.spiketrains:
            assert float(st.t_start) == 0.0 and float(st.t_stop) == pytest.approx(21.5)
            assert st.annotations["source_population"] == "sp"
            assert st.annotations["channel_id"] == int(p[int(st.annotations["source_index"])])
            assert str(st.units.dimensionality) == "ms"

    def test_view_get_data_only_its_cells(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        p.record(["spikes", "v"])
        sim.run(12.0)
        seg = p[[1, 4]].get_data().segments[0]
        assert sorted(spike_lists(seg)) == [1, 4]
        assert signal(seg, "v").shape == (121, 2)

    def test_record_from_view_only_those_cells(self, sim):
        p = sim.Population(6, sim.IF_cond_exp())
        p[2:4].record("spikes")
        sim.run(14.0)
        assert spike_lists(p.get_data().segments[0]) == {2: [12.0], 3: [13.0]}

    def test_views_recorded_one_after_the_other(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p[0:2].record("v")
        p[2:4].record("v")
        sim.run(1.0)
        seg = p.get_data().segments[0]
        assert len(seg.analogsignals) == 1
        assert seg.analogsignals[0].shape == (11, 4)

    def test_get_data_variable_selection(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record(["spikes", "v", "gsyn_exc"])
        sim.run(11.0)
        seg = p.get_data("v").segments[0]
        assert [s.name for s in seg.analogsignals] == ["v"] and len(seg.spiketrains) == 0
        seg = p.get_data(["spikes", "gsyn_exc"]).segments[0]
        assert [s.name for s in seg.analogsignals] == ["gsyn_exc"] and len(seg.spiketrains) == 2
        seg = p.get_data("all").segments[0]
        assert sorted(s.name for s in seg.analogsignals) == ["gsyn_exc", "v"]
        seg = p.get_data("gsyn_inh").segments[0]  # not recorded: silently nothing
        assert not seg.analogsignals and len(seg.spiketrains) == 0

    def test_fast_path_columns(self, sim):
        p = sim.Population(3, sim.IF_cond_exp())
        p.record(["spikes", "v"])
        sim.run(12.0)
        idx, times = p.recorder.get_columns("spikes")
        assert sorted(zip(idx.tolist(), times.tolist())) == [(0, 10.0), (1, 11.0), (2, 12.0)]
        ((indices, t_start, interval, values),) = p.recorder.get_columns("v")
        assert indices.tolist() == [0, 1, 2] and t_start == 0.0 and values.shape == (121, 3)
        assert interval == pytest.approx(0.1)


class TestSegmentsAndReset:
    def test_one_segment_per_reset_with_annotations(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record(["spikes", "v"])
        sim.run(20.0)
        sim.reset(annotations={"trial": 1})
        sim.run(10.0)
        sim.reset({"trial": 2})
        sim.run(15.0)
        block = p.get_data()
        assert [s.name for s in block.segments] == ["segment000", "segment001", "segment002"]
        assert [s.annotations.get("trial") for s in block.segments] == [1, 2, None]
        assert [signal(s, "v").shape[0] for s in block.segments] == [201, 101, 151]
        assert [spike_lists(s)[0] for s in block.segments] == [[10.0, 20.0], [10.0], [10.0]]
        assert all(float(signal(s, "v").t_start) == 0.0 for s in block.segments)
        assert [float(s.spiketrains[0].t_stop) for s in block.segments] == pytest.approx([20.0, 10.0, 15.0])
        assert block.rec_datetime == block.segments[0].rec_datetime

    def test_reset_time_and_backend(self, sim):
        sim.run(5.0)
        sim.reset()
        assert sim.get_current_time() == 0.0
        assert sim.state.reset_calls == 1

    def test_initial_value_is_first_sample_after_reset(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v")
        sim.run(1.0)
        p.native_state["v"][:] = 5.0  # "simulation" changed the membrane potential
        sim.run(1.0)
        sim.reset()
        sim.run(1.0)
        segs = p.get_data().segments
        np.testing.assert_array_equal(signal(segs[0], "v").magnitude[-1], [5.0, 5.0])
        np.testing.assert_array_equal(signal(segs[1], "v").magnitude[0], [-65.0, -65.0])

    def test_recorded_variables_may_change_between_segments(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v")
        sim.run(2.0)
        sim.reset()
        p.record("spikes")
        p.record(None)
        p.record("gsyn_exc")
        sim.run(3.0)
        segs = p.get_data().segments
        assert [s.name for s in segs[0].analogsignals] == ["v"]
        assert [s.name for s in segs[1].analogsignals] == ["gsyn_exc"]
        assert signal(segs[1], "gsyn_exc").shape == (31, 2)

    def test_trial_loop_gives_one_segment_per_trial(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v")
        for trial in range(3):
            sim.run(1.0)
            sim.reset(annotations={"trial": trial})
        segs = p.get_data().segments
        assert [s.annotations["trial"] for s in segs] == [0, 1, 2]  # no trailing empty segment
        sim.run(0.5)
        segs = p.get_data().segments
        assert len(segs) == 4 and signal(segs[3], "v").shape == (6, 2)

    def test_no_segment_before_run(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v")
        assert len(p.get_data().segments) == 0
        sim.run(0.0)
        assert signal(p.get_data().segments[0], "v").shape == (1, 2)

    def test_reset_without_run_keeps_no_segment(self, sim):
        # as in PyNN (a segment is stored only if time has advanced): a trial loop that
        # resets at the start of each trial gives one segment per trial
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v")
        sim.reset()
        sim.reset()
        for trial in range(2):
            sim.reset(annotations={"lost": True})
            sim.run(1.0 + trial)
        sim.run(0.0)
        sim.reset(annotations={"trial": 1})
        sim.reset()
        segs = p.get_data().segments
        assert [signal(s, "v").shape for s in segs] == [(11, 2), (21, 2)]
        assert [s.annotations for s in segs] == [{"lost": True}, {"trial": 1}]


class TestRecordAfterRun:
    def test_epoch_t_start(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        sim.run(5.0)
        p[0:2].record(["v", "spikes"])
        sim.run(20.0)
        seg = p.get_data().segments[0]
        v = signal(seg, "v")
        assert float(v.t_start) == pytest.approx(5.0) and v.shape == (201, 2)
        assert spike_lists(seg) == {0: [10.0, 20.0], 1: [11.0, 21.0]}
        assert all(float(st.t_start) == pytest.approx(5.0) for st in seg.spiketrains)

    def test_spikes_before_recording_started_are_not_reported(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        sim.run(15.0)
        p.record("spikes")
        sim.run(10.0)
        assert spike_lists(p.get_data().segments[0]) == {0: [20.0], 1: [21.0]}

    def test_cells_added_later_have_their_own_t_start(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p[0:2].record("spikes")
        sim.run(25.0)
        p[2:4].record("spikes")
        sim.run(20.0)
        seg = p.get_data().segments[0]
        starts = {int(st.annotations["source_index"]): float(st.t_start) for st in seg.spiketrains}
        assert starts == {0: 0.0, 1: 0.0, 2: 25.0, 3: 25.0}
        assert spike_lists(seg)[2] == [32.0, 42.0]

    def test_adding_cells_to_a_signal_starts_a_new_epoch(self, sim):
        p = sim.Population(4, sim.IF_cond_exp())
        p[0:2].record("v")
        sim.run(2.0)
        p[2:4].record("v")
        sim.run(3.0)
        sigs = sorted(p.get_data().segments[0].analogsignals, key=lambda s: float(s.t_start))
        assert [(float(s.t_start), s.shape) for s in sigs] == [(0.0, (21, 2)), (pytest.approx(2.0), (31, 4))]


class TestClear:
    def test_get_data_clear(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record(["v", "spikes"])
        sim.run(15.0)
        first = p.get_data(clear=True)
        assert signal(first.segments[0], "v").shape == (151, 2)
        assert spike_lists(first.segments[0]) == {0: [10.0], 1: [11.0]}
        sim.run(10.0)
        second = p.get_data()
        assert len(second.segments) == 1
        v = signal(second.segments[0], "v")
        assert float(v.t_start) == pytest.approx(15.0) and v.shape == (101, 2)
        assert spike_lists(second.segments[0]) == {0: [20.0], 1: [21.0]}
        assert all(float(st.t_start) == pytest.approx(15.0) for st in second.segments[0].spiketrains)

    def test_clear_drops_finished_segments(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        p.record("v")
        sim.run(1.0)
        sim.reset()
        sim.run(1.0)
        assert len(p.get_data(clear=True).segments) == 2
        sim.run(1.0)
        assert len(p.get_data().segments) == 1

    def test_clear_only_affects_that_population(self, sim):
        p = sim.Population(2, sim.IF_cond_exp())
        q = sim.Population(2, sim.IF_cond_exp())
        p.record("v")
        q.record("v")
        sim.run(1.0)
        p.get_data(clear=True)
        sim.run(1.0)
        assert signal(q.get_data().segments[0], "v").shape == (21, 2)
        assert signal(p.get_data().segments[0], "v").shape == (11, 2)


class TestBlock:
    def test_block_annotations(self, sim):
        sim.Population(3, sim.IF_cond_exp())
        p = sim.Population(4, sim.IF_cond_exp(), label="blk")
        p.record("v")
        sim.run(1.0)
        block = p.get_data(annotations={"extra": "yes"})
        ann = block.annotations
        assert ann["size"] == 4 and ann["first_index"] == 0 and ann["last_index"] == 4
        assert ann["first_id"] == int(p.first_id) == 3 and ann["last_id"] == int(p.last_id)
        assert ann["label"] == "blk" and ann["simulator"] == "mock"
        assert ann["dt"] == 0.1 and ann["mpi_processes"] == 1 and ann["extra"] == "yes"
        assert block.name == "blk" and isinstance(block.description, str)

    def test_view_block_annotations(self, sim):
        p = sim.Population(4, sim.IF_cond_exp(), label="root")
        p.annotate(source="root")
        v = p[1:3]
        v.annotate(part="middle")
        v.record("v")
        sim.run(1.0)
        ann = v.get_data().annotations
        assert ann["size"] == 2 and ann["source"] == "root" and ann["part"] == "middle"


class TestWriteData:
    def test_write_pkl_round_trip(self, sim, tmp_path):
        p = sim.Population(3, sim.IF_cond_exp(), label="w")
        p.record(["v", "spikes"])
        sim.run(12.0)
        filename = str(tmp_path / "data.pkl")
        p.write_data(filename)
        block = neo.io.PickleIO(filename=filename).read_block()
        assert block.name == "w"
        assert signal(block.segments[0], "v").shape == (121, 3)
        assert spike_lists(block.segments[0]) == {0: [10.0], 1: [11.0], 2: [12.0]}

    def test_write_with_clear(self, sim, tmp_path):
        p = sim.Population(3, sim.IF_cond_exp())
        p.record("v")
        sim.run(1.0)
        p.write_data(str(tmp_path / "a.pkl"), clear=True)
        sim.run(1.0)
        assert float(signal(p.get_data().segments[0], "v").t_start) == pytest.approx(1.0)

    def test_nothing_to_write(self, sim, tmp_path):
        p = sim.Population(3, sim.IF_cond_exp())
        sim.run(1.0)
        with pytest.raises(errors.NothingToWriteError):
            p.write_data(str(tmp_path / "empty.pkl"))

    @pytest.mark.parametrize("ext", [".txt", ".ras", ".v", ".gsyn"])
    def test_ascii_formats_refused(self, ext):
        with pytest.raises(IOError):
            get_io("data" + ext)

    def test_unknown_extension(self):
        with pytest.raises(ValueError):
            get_io("data.xyz")

    def test_to_file_written_at_end(self, sim, tmp_path):
        p = sim.Population(2, sim.IF_cond_exp())
        filename = tmp_path / "at_end.pkl"
        p.record("v", to_file=str(filename))
        sim.run(1.0)
        assert not filename.exists()
        sim.end()
        assert filename.exists()
        block = neo.io.PickleIO(filename=str(filename)).read_block()
        assert signal(block.segments[0], "v").shape == (11, 2)
        assert sim.state.files_to_write == []


def test_file_formats_by_extension(sim, tmp_path):
    """.pkl always works; .mat and .nix work when their packages are installed and
    otherwise say which package to install; text formats are refused."""
    import importlib.util

    p = sim.Population(3, sim.IF_cond_exp())
    p.record(["spikes", "v"])
    sim.run(5.0)
    p.write_data(str(tmp_path / "data.pkl"))
    assert (tmp_path / "data.pkl").stat().st_size > 0
    for ext, package in ((".mat", "scipy"), (".nix", "nixio")):
        target = str(tmp_path / f"data{ext}")
        if importlib.util.find_spec(package) is None:
            with pytest.raises(OSError, match=package):
                p.write_data(target)
        else:
            p.write_data(target)
    with pytest.raises(OSError, match="ASCII"):
        p.write_data(str(tmp_path / "data.txt"))
    with pytest.raises(ValueError, match="extension"):
        p.write_data(str(tmp_path / "data.xyz"))


def test_write_data_creates_missing_directories(sim, tmp_path):
    """Scripts write to normalized_filename(...) paths whose date folder does not exist yet."""
    p = sim.Population(2, sim.IF_cond_exp())
    p.record("spikes")
    sim.run(5.0)
    target = tmp_path / "Results" / "20260101" / "data.pkl"
    p.write_data(str(target))
    assert target.stat().st_size > 0
