"""The numpy fast path ``get_data_arrays()``: the same numbers as ``get_data()``, on every
backend, for populations, views and assemblies, over several segments."""

import numpy as np
import pytest

from scenario_tools import population, record, run

DRIVES = [1.0, 0.0, 0.5, 0.8]  # nA: two cells fire, one rises without firing, one stays at rest


def driven(sim, n=4, label="cells"):
    pop = population(sim, n, "IF_curr_exp", label=label)
    pop.set(i_offset=np.array((DRIVES * n)[:n]))
    return pop


def assert_same_data(block, arrays):
    """Every spike and sample of the Neo block is in the arrays, and nothing else."""
    assert len(arrays) == len(block.segments)
    for segment, out in zip(block.segments, arrays):
        names = {sig.name for sig in segment.analogsignals}
        assert set(out) == names | ({"spikes"} if segment.spiketrains else set())
        for name in names:
            signals = [sig for sig in segment.analogsignals if sig.name == name]
            assert len(out[name]) == len(signals)
            for sig, arr in zip(signals, out[name]):
                np.testing.assert_array_equal(arr.values, sig.magnitude)
                np.testing.assert_allclose(arr.times, sig.times.rescale("ms").magnitude, atol=1e-9)
                np.testing.assert_array_equal(arr.ids, np.asarray(sig.annotations["channel_ids"], dtype=int))
        if segment.spiketrains:
            trains = sorted(segment.spiketrains, key=lambda st: st.annotations["channel_id"])
            spikes = out["spikes"]
            np.testing.assert_array_equal(spikes.recorded_ids, [st.annotations["channel_id"] for st in trains])
            ids = np.concatenate([np.full(len(st), st.annotations["channel_id"]) for st in trains])
            times = np.concatenate([st.rescale("ms").magnitude for st in trains])
            np.testing.assert_array_equal(spikes.ids, ids)
            np.testing.assert_allclose(spikes.times, times, atol=1e-9)


def test_population_spikes_and_signals(sim):
    pop = driven(sim)
    record(pop, ["spikes", "v"])
    run(sim, 60.0)
    arrays = pop.get_data_arrays()
    assert_same_data(pop.get_data(), arrays)
    (segment,) = arrays
    (v,) = segment["v"]
    assert v.values.shape == (601, 4)
    assert not v.values.flags.writeable
    assert np.all(np.diff(segment["spikes"].ids) >= 0)
    fired = set(segment["spikes"].ids.tolist())
    assert int(pop.first_id) in fired and int(pop.first_id) + 1 not in fired
    assert v.values[0, 0] == pytest.approx(-65.0) and v.values[-1, 1] == pytest.approx(-65.0, abs=1e-6)


def test_several_segments_and_a_variable_selection(sim):
    pop = driven(sim)
    record(pop, ["spikes", "v"])
    run(sim, 40.0)
    sim.reset()
    pop.set(i_offset=2.0)
    run(sim, 30.0)
    arrays = pop.get_data_arrays()
    assert len(arrays) == 2
    assert arrays[0]["v"][0].values.shape == (401, 4) and arrays[1]["v"][0].values.shape == (301, 4)
    assert_same_data(pop.get_data(), arrays)
    only_v = pop.get_data_arrays("v")
    assert [set(seg) for seg in only_v] == [{"v"}, {"v"}]
    assert_same_data(pop.get_data("v"), only_v)


def test_population_view(sim):
    pop = driven(sim, n=6)
    record(pop, ["spikes", "v"])
    run(sim, 50.0)
    view = pop[[4, 0, 2]]
    arrays = view.get_data_arrays()
    assert_same_data(view.get_data(), arrays)
    np.testing.assert_array_equal(arrays[0]["v"][0].ids, pop.first_id + np.array([0, 2, 4]))


def test_recording_started_later_for_some_cells(sim):
    pop = driven(sim)
    record(pop[:2], ["spikes", "v"])
    run(sim, 20.0)
    record(pop[2:], ["spikes", "v"])
    run(sim, 30.0)
    arrays = pop.get_data_arrays()
    assert_same_data(pop.get_data(), arrays)
    assert len(arrays[0]["v"]) == 2  # two groups of cells, each with its own start


def test_assembly(sim):
    a = driven(sim, label="a")
    b = driven(sim, n=3, label="b")
    record(a, ["spikes", "v"])
    record(b, ["spikes"])
    run(sim, 50.0)
    assembly = a + b
    arrays = assembly.get_data_arrays()
    block = assembly.get_data()
    assert_same_data(block, arrays)
    assert set(arrays[0]["spikes"].recorded_ids.tolist()) == \
        set((a.first_id + np.arange(4)).tolist()) | set((b.first_id + np.arange(3)).tolist())


def test_clear(sim):
    pop = driven(sim)
    record(pop, ["spikes", "v"])
    run(sim, 30.0)
    first = pop.get_data_arrays(clear=True)
    assert first[0]["v"][0].values.shape == (301, 4)
    run(sim, 20.0)
    second = pop.get_data_arrays()
    assert second[0]["v"][0].times[0] == pytest.approx(30.0)
    assert second[0]["v"][0].values.shape == (201, 4)
    assert_same_data(pop.get_data(), second)
