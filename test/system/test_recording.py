"""Recording and Neo output: structure and annotations of blocks, segments, spike trains
and signals; sampling intervals; recording started or stopped between runs; clearing;
writing to file.
"""

import warnings

import neo
import numpy as np
import pytest
import quantities as pq

from pyNN import errors

from scenario_tools import population, record, run, signal

# one cell fires regularly (first spike near 27.8 ms with the defaults), the others are silent
DRIVES = [1.0, 0.0, 0.0]


def driven(sim, label="driven", n=3):
    pop = population(sim, n, "IF_curr_exp", label=label)
    pop.set(i_offset=np.array((DRIVES * n)[:n]))
    return pop


def test_block_annotations(sim):
    pop = driven(sim, label="annotated")
    pop.annotate(experiment="demo", temperature=21.5)
    record(pop, ["spikes", "v"])
    run(sim, 10.0)
    block = pop.get_data()
    assert isinstance(block, neo.Block)
    assert block.name == "annotated"
    ann = block.annotations
    assert ann["size"] == 3
    assert ann["first_id"] == int(pop.first_id) and ann["last_id"] == int(pop.last_id)
    assert ann["first_index"] == 0 and ann["last_index"] == 3
    assert ann["label"] == "annotated"
    assert isinstance(ann["simulator"], str) and ann["simulator"]
    assert ann["dt"] == pytest.approx(sim.get_time_step())
    assert ann["mpi_processes"] == sim.num_processes() == 1
    assert ann["experiment"] == "demo" and ann["temperature"] == 21.5
    assert block.rec_datetime == block.segments[0].rec_datetime
    assert block.description


def test_spiketrain_and_signal_annotations(sim):
    pop = driven(sim, label="cells")
    record(pop, ["spikes", "v"])
    run(sim, 40.0)
    seg = pop.get_data().segments[0]
    assert seg.name == "segment000"
    assert len(seg.spiketrains) == 3
    ids = [int(i) for i in pop.all_cells]
    for index, st in enumerate(seg.spiketrains):
        assert st.annotations["source_population"] == "cells"
        assert st.annotations["source_index"] == index
        assert st.annotations["channel_id"] == ids[index]
        assert st.units == pq.ms
        assert float(st.t_start) == 0.0 and float(st.t_stop) == pytest.approx(40.0)
    assert len(seg.spiketrains[0]) > 0 and len(seg.spiketrains[1]) == 0
    v = signal(seg, "v")
    assert v.annotations["source_population"] == "cells"
    np.testing.assert_array_equal(np.asarray(v.annotations["channel_ids"], dtype=int), ids)
    np.testing.assert_array_equal(v.array_annotations["channel_index"], [0, 1, 2])
    assert v.units == pq.mV
    assert float(v.t_start) == 0.0
    assert float(v.t_stop) == pytest.approx(40.0 + sim.get_time_step())
    assert v.shape == (401, 3)
    np.testing.assert_allclose(v.magnitude[0], -65.0)  # first sample = initial value


def test_get_data_variable_selection(sim):
    pop = population(sim, 2, "IF_cond_exp", label="cond")
    record(pop, ["spikes", "v", "gsyn_exc"])
    run(sim, 5.0)
    seg = pop.get_data("v").segments[0]
    assert [s.name for s in seg.analogsignals] == ["v"] and len(seg.spiketrains) == 0
    seg = pop.get_data(["spikes", "gsyn_exc"]).segments[0]
    assert [s.name for s in seg.analogsignals] == ["gsyn_exc"] and len(seg.spiketrains) == 2
    seg = pop.get_data().segments[0]
    assert sorted(s.name for s in seg.analogsignals) == ["gsyn_exc", "v"]
    # asking for something not recorded yields nothing
    assert len(pop.get_data("gsyn_inh").segments[0].analogsignals) == 0


def test_sampling_interval(sim):
    pop = driven(sim, label="sampled")
    record(pop, "v", sampling_interval=1.0)
    run(sim, 20.0)
    v = pop.get_data().segments[0].analogsignals[0]
    assert v.shape == (21, 3)
    assert float(v.sampling_period.rescale("ms")) == pytest.approx(1.0)
    np.testing.assert_allclose(v.times.rescale("ms").magnitude, np.arange(21.0), atol=1e-9)
    # the same samples as with full resolution
    reference = driven(sim, label="reference")
    record(reference, "v")
    sim.reset()
    run(sim, 20.0)
    v1 = pop.get_data().segments[-1].analogsignals[0].magnitude
    v_full = reference.get_data().segments[-1].analogsignals[0].magnitude
    np.testing.assert_allclose(v1, v_full[::10], atol=1e-9)


def test_conflicting_sampling_interval(sim):
    pop = population(sim, 2, "IF_cond_exp", label="cond")
    record(pop, "v", sampling_interval=1.0)
    with pytest.raises(ValueError):
        pop.record("gsyn_exc", sampling_interval=0.5)


def test_sampling_interval_must_be_a_multiple_of_dt(sim):
    pop = driven(sim)
    with pytest.raises(ValueError, match="sampling_interval"):
        pop.record("v", sampling_interval=0.25)


def test_record_after_run(sim):
    pop = driven(sim)
    record(pop, "spikes")
    run(sim, 10.0)
    record(pop, "v")
    run(sim, 10.0)
    seg = pop.get_data().segments[0]
    v = signal(seg, "v")
    assert float(v.t_start.rescale("ms")) == pytest.approx(10.0)
    assert v.shape == (101, 3)
    # the first sample is the state at t = 10 (the driven cell has charged)
    assert v.magnitude[0, 0] > -60.0 and v.magnitude[0, 1] == pytest.approx(-65.0)
    # continuity with what a full recording would have shown
    expected_v10 = -65.0 + 20.0 * (1 - np.exp(-10.0 / 20.0))
    assert v.magnitude[0, 0] == pytest.approx(expected_v10, abs=0.01)
    assert float(seg.spiketrains[0].t_start) == 0.0


@pytest.mark.parametrize("sampling_interval", [0.1, 0.5])
def test_initialize_between_runs_leaves_the_samples_taken(sim, sampling_interval):
    """initialize() between runs changes the state from now on: the sample at the end of the
    last run keeps the state the run ended with (Brian2 read that sample from its monitor at
    the next step, after the change), and the next sample follows from the new value."""
    cells = population(sim, 2, "IF_curr_exp", label="initialized", v_rest=-65.0, tau_m=20.0, i_offset=0.0)
    cells.initialize(v=-65.0)
    record(cells, "v", sampling_interval=sampling_interval)
    run(sim, 20.0)
    cells[1:].initialize(v=-60.0)
    run(sim, 10.0)
    sig = signal(cells.get_data().segments[0], "v")
    times, v = sig.times.rescale("ms").magnitude, np.asarray(sig.magnitude)
    assert len(times) == round(30.0 / sampling_interval) + 1
    np.testing.assert_allclose(v[times <= 20.0 + 1e-9], -65.0, atol=1e-9)
    later = times > 20.0 + 1e-9
    np.testing.assert_allclose(v[later, 0], -65.0, atol=1e-9)
    np.testing.assert_allclose(v[later, 1], -65.0 + 5.0 * np.exp(-(times[later] - 20.0) / 20.0), atol=1e-9)


def test_record_more_cells_after_run(sim):
    pop = driven(sim)
    record(pop[0:1], "spikes")
    run(sim, 30.0)
    record(pop[2:3], "spikes")
    run(sim, 10.0)
    trains = pop.get_data().segments[0].spiketrains
    assert [st.annotations["source_index"] for st in trains] == [0, 2]
    assert float(trains[0].t_start) == 0.0 and float(trains[1].t_start) == pytest.approx(30.0)


def test_record_none_stops_recording(sim):
    pop = driven(sim)
    record(pop, ["spikes", "v"])
    run(sim, 10.0)
    pop.record(None)
    run(sim, 30.0)  # the driven cell fires in here: not recorded
    seg = pop.get_data().segments[0]
    v = signal(seg, "v")
    assert v.shape[0] == 101  # samples 0..10 ms only
    assert all(len(st) == 0 for st in seg.spiketrains)
    # recording can start again later
    record(pop, "v")
    run(sim, 5.0)
    sigs = pop.get_data().segments[0].analogsignals
    assert sorted(float(s.t_start) for s in sigs) == [0.0, 40.0]


def test_get_data_clear(sim):
    pop = driven(sim)
    record(pop, ["spikes", "v"])
    run(sim, 30.0)
    first = pop.get_data(clear=True)
    seg = first.segments[0]
    assert signal(seg, "v").shape[0] == 301
    spikes_before = seg.spiketrains[0].magnitude.copy()
    assert len(spikes_before) == 1  # nothing lost before clearing
    run(sim, 30.0)
    second = pop.get_data()
    assert len(second.segments) == 1
    seg = second.segments[0]
    v = signal(seg, "v")
    assert float(v.t_start) == pytest.approx(30.0)
    assert v.shape[0] == 301
    st = seg.spiketrains[0]
    assert float(st.t_start) == pytest.approx(30.0) and float(st.t_stop) == pytest.approx(60.0)
    assert np.all(st.magnitude >= 30.0) and len(st) >= 1
    assert not np.isin(spikes_before, st.magnitude).any()


def test_spike_counts_of_a_recorded_sample(sim):
    """As in PyNN (its brunel.py example prints E_net.mean_spike_count() after recording a
    sample of E_net): the counts and the mean are over the cells whose spikes are recorded,
    not diluted by the unrecorded cells."""
    pop = driven(sim, n=6)
    pop.set(i_offset=np.array([1.0, 1.2, 1.0, 1.0, 2.0, 1.0]))  # every cell fires, 1 and 4 at other rates
    pop[[1, 4]].record("spikes")
    run(sim, 100.0)
    trains = pop.get_data().segments[0].spiketrains
    assert [st.annotations["source_index"] for st in trains] == [1, 4]
    assert 0 < len(trains[0]) < len(trains[1])
    assert pop.get_spike_counts() == {pop[1]: len(trains[0]), pop[4]: len(trains[1])}
    assert pop.mean_spike_count() == pytest.approx((len(trains[0]) + len(trains[1])) / 2)
    assert pop[[0, 1]].mean_spike_count() == pytest.approx(len(trains[0]))
    assert pop[[2, 3]].get_spike_counts() == {} and pop[[2, 3]].mean_spike_count() == 0


def test_get_spike_counts(sim):
    pop = driven(sim)
    record(pop, "spikes")
    run(sim, 100.0)
    counts = pop.get_spike_counts()
    trains = pop.get_data().segments[0].spiketrains
    assert counts == {cell: len(st) for cell, st in zip(pop.all_cells, trains)}
    assert pop.mean_spike_count() == pytest.approx(np.mean([len(st) for st in trains]))


@pytest.mark.parametrize("extension", [".pkl"])
def test_write_data_round_trip(sim, tmp_path, extension):
    pop = driven(sim, label="written")
    record(pop, ["spikes", "v"])
    run(sim, 30.0)
    sim.reset(annotations={"trial": 0})
    run(sim, 30.0)
    filename = str(tmp_path / f"data{extension}")
    pop.write_data(filename, annotations={"script": "test"})
    in_memory = pop.get_data()
    loaded = neo.io.PickleIO(filename=filename).read_block()
    assert loaded.name == "written"
    assert loaded.annotations["script"] == "test"
    assert loaded.annotations["size"] == 3
    assert len(loaded.segments) == len(in_memory.segments) == 2
    assert loaded.segments[0].annotations["trial"] == 0
    for seg_file, seg_mem in zip(loaded.segments, in_memory.segments):
        np.testing.assert_array_equal(signal(seg_file, "v").magnitude, signal(seg_mem, "v").magnitude)
        for a, b in zip(seg_file.spiketrains, seg_mem.spiketrains):
            np.testing.assert_array_equal(a.magnitude, b.magnitude)


def test_write_data_clear_then_continue(sim, tmp_path):
    pop = driven(sim)
    record(pop, ["spikes", "v"])
    run(sim, 30.0)
    pop.write_data(str(tmp_path / "part1.pkl"), clear=True)
    run(sim, 30.0)
    pop.write_data(str(tmp_path / "part2.pkl"))
    part1 = neo.io.PickleIO(filename=str(tmp_path / "part1.pkl")).read_block()
    part2 = neo.io.PickleIO(filename=str(tmp_path / "part2.pkl")).read_block()
    v1 = signal(part1.segments[0], "v")
    v2 = signal(part2.segments[0], "v")
    assert float(v1.t_start) == 0.0 and float(v2.t_start) == pytest.approx(30.0)
    # nothing lost: the boundary sample at 30 ms is in both parts and agrees
    assert v1.magnitude[-1, 0] == pytest.approx(v2.magnitude[0, 0])
    assert len(part1.segments[0].spiketrains[0]) + len(part2.segments[0].spiketrains[0]) >= 2


def test_ascii_output_is_refused(sim, tmp_path):
    pop = driven(sim)
    record(pop, "spikes")
    run(sim, 1.0)
    with pytest.raises(IOError):
        pop.write_data(str(tmp_path / "spikes.txt"))


def test_record_to_file_written_at_end(sim, tmp_path):
    pop = driven(sim, label="to_file")
    filename = str(tmp_path / "at_end.pkl")
    pop.record(["spikes", "v"], to_file=filename)
    run(sim, 30.0)
    sim.end()
    block = neo.io.PickleIO(filename=filename).read_block()
    assert block.name == "to_file"
    assert signal(block.segments[0], "v").shape == (301, 3)


def test_recording_unknown_variable(sim):
    pop = driven(sim, label="cells")
    with pytest.raises(errors.RecordingError, match="gsyn_exc"):
        pop.record("gsyn_exc")


# PyNN 0.13's scenario test_issue259: a SpikeSourceArray's off-grid times, recorded run by run
ISSUE259_TIMES = [0.075, 10.025, 12.34, 1000.025]
#: the backends whose State declares spike_precision='off_grid' (others ignore the option)
OFF_GRID_BACKENDS = ("nest", "neuron")


def _issue259_trains(sim, **setup):
    sim.setup(timestep=0.05, **setup)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=ISSUE259_TIMES), label="issue259")
    source.record("spikes")
    trains = []
    for _ in range(3):
        sim.run(10.0)
        trains.append(source.get_data("spikes", clear=True).segments[0].spiketrains[0].magnitude)
    return trains


def test_off_grid_spike_source_times_are_recorded_exactly(sim):
    backend = sim.__name__.rsplit(".", 1)[-1]
    if backend in OFF_GRID_BACKENDS:
        with warnings.catch_warnings():
            warnings.simplefilter("error", errors.RoundingWarning)  # nothing is rounded
            st0, st1, st2 = _issue259_trains(sim, spike_precision="off_grid")
        np.testing.assert_allclose(st0, [0.075], rtol=1e-17)
        np.testing.assert_allclose(st1, [10.025, 12.34], rtol=1e-14)
    else:  # the option is ignored (INFO log): the times are put on the grid, halves rounded up
        with pytest.warns(errors.RoundingWarning, match="issue259"):
            st0, st1, st2 = _issue259_trains(sim, spike_precision="off_grid")
        np.testing.assert_allclose(st0, [0.1])
        np.testing.assert_allclose(st1, [10.05, 12.35])
    assert st2.size == 0


def test_spike_source_times_on_the_grid_by_default(sim):
    # the default precision is unchanged on every backend: times rounded to the nearest step
    st0, st1, st2 = _issue259_trains(sim)
    np.testing.assert_allclose(st0, [0.1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(st1, [10.05, 12.35], rtol=0, atol=1e-12)
    assert st2.size == 0
    assert sim.simulator.state.spike_precision == "on_grid"


def test_initial_values_set_after_record_are_the_first_sample(sim):
    """initialize() after record() and before the run: the sample at t = 0 shows the values
    the cells start from, in the first segment and in the one after reset()."""
    sim.setup(timestep=0.1)
    pop = sim.Population(3, sim.IF_curr_exp(), label="late initialize")
    pop.record("v")
    pop.initialize(v=np.array([-55.0, -60.0, -62.0]))
    pop[1:2].initialize(v=-58.0)
    sim.run(1.0)
    sim.reset()
    pop.initialize(v=-50.0)
    sim.run(1.0)
    segments = pop.get_data().segments
    first = segments[0].analogsignals[0].magnitude
    assert first[0].tolist() == [-55.0, -58.0, -62.0]
    # the cells started there: the leak pulls each towards v_rest = -65 mV from its own start
    assert np.all(first[1] < first[0]) and np.all(first[1] > first[0] - 0.1)
    assert segments[1].analogsignals[0].magnitude[0].tolist() == [-50.0] * 3
