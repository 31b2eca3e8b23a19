"""Simulation control: run, run_until, callbacks, time queries, and reset() with the
Neo segments it produces.
"""

import numpy as np
import pytest

from scenario_tools import population, record, run, signal


def driven_cell(sim, label="driven"):
    """Two cells: one fires regularly under DC (first spike near 27.8 ms), one is silent."""
    pop = population(sim, 2, "IF_curr_exp", label=label, tau_refrac=2.0)
    pop.set(i_offset=np.array([1.0, 0.0]))
    return pop


# --- time ----------------------------------------------------------------------------------

def test_run_returns_and_accumulates_time(sim):
    assert sim.get_current_time() == 0.0
    assert sim.run(10.0) == pytest.approx(10.0)
    assert sim.run_for(5.0) == pytest.approx(15.0)
    assert sim.run_until(20.0) == pytest.approx(20.0)
    assert sim.get_current_time() == pytest.approx(20.0)
    assert sim.run(0.0) == pytest.approx(20.0)
    assert sim.get_time_step() == pytest.approx(0.1)


def test_run_until_in_the_past(sim):
    sim.run(10.0)
    with pytest.raises(ValueError):
        sim.run_until(5.0)


def test_callbacks(sim):
    calls = []

    def every_two_ms(t):
        calls.append(t)
        return t + 2.0

    sim.run(10.0, callbacks=[every_two_ms])
    np.testing.assert_allclose(calls, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0], atol=1e-9)
    assert sim.get_current_time() == pytest.approx(10.0)


def test_many_short_runs_equal_one_long_run(sim):
    pop = driven_cell(sim)
    record(pop, ["spikes", "v"])
    for _ in range(10):
        run(sim, 6.0)
    chunked = pop.get_data().segments[0]
    sim.reset()
    run(sim, 60.0)
    whole = pop.get_data().segments[1]
    np.testing.assert_allclose(signal(chunked, "v").magnitude, signal(whole, "v").magnitude, atol=1e-9)
    np.testing.assert_array_equal(chunked.spiketrains[0].magnitude, whole.spiketrains[0].magnitude)
    assert len(whole.spiketrains[0]) >= 2


def test_delay_queries(sim):
    assert sim.get_min_delay() == pytest.approx(sim.get_time_step())
    assert sim.get_max_delay() == "auto" or sim.get_max_delay() >= sim.get_min_delay()


def test_setup_returns_rank(sim):
    assert sim.setup(timestep=0.1) == 0
    assert sim.rank() == 0 and sim.num_processes() == 1


def test_setup_with_explicit_delays(sim):
    sim.setup(timestep=0.1, min_delay=0.5, max_delay=5.0)
    assert sim.get_min_delay() == pytest.approx(0.5)
    assert sim.get_max_delay() == pytest.approx(5.0)


def test_setup_other_timestep(sim):
    sim.setup(timestep=0.05)
    pop = driven_cell(sim)
    record(pop, "v")
    run(sim, 10.0)
    v = pop.get_data().segments[0].analogsignals[0]
    assert v.shape[0] == 201
    assert float(v.sampling_period.rescale("ms")) == pytest.approx(0.05)


# --- reset ----------------------------------------------------------------------------------

def test_reset_gives_segments_with_identical_content(sim):
    pop = driven_cell(sim)
    record(pop, ["spikes", "v"])
    run(sim, 60.0)
    sim.reset(annotations={"trial": 1})
    assert sim.get_current_time() == 0.0
    run(sim, 60.0)
    block = pop.get_data()
    assert [seg.name for seg in block.segments] == ["segment000", "segment001"]
    assert block.segments[0].annotations["trial"] == 1
    assert "trial" not in block.segments[1].annotations
    first, second = block.segments
    for seg in (first, second):
        v = signal(seg, "v")
        assert float(v.t_start) == 0.0
        np.testing.assert_allclose(v.magnitude[0], -65.0)  # initial value again
        assert float(seg.spiketrains[0].t_start) == 0.0
        assert float(seg.spiketrains[0].t_stop) == pytest.approx(60.0)
    assert len(first.spiketrains[0]) >= 2
    np.testing.assert_array_equal(first.spiketrains[0].magnitude, second.spiketrains[0].magnitude)
    np.testing.assert_allclose(signal(first, "v").magnitude, signal(second, "v").magnitude, atol=1e-9)


def test_reset_restores_changed_initial_values(sim):
    pop = driven_cell(sim)
    pop.initialize(v=np.array([-60.0, -70.0]))
    record(pop, "v")
    run(sim, 5.0)
    sim.reset()
    run(sim, 5.0)
    for seg in pop.get_data().segments:
        np.testing.assert_allclose(signal(seg, "v").magnitude[0], [-60.0, -70.0])


def test_reset_keeps_parameter_changes_and_connections(sim):
    source = population(sim, 1, "SpikeSourceArray", label="src", spike_times=[2.0])
    target = population(sim, 1, "IF_curr_delta", label="tgt", v_rest=-65.0)
    target.initialize(v=-65.0)
    sim.Projection(source, target, sim.AllToAllConnector(), sim.StaticSynapse(weight=2.0, delay=1.0))
    record(target, "v")
    run(sim, 5.0)
    target.set(v_rest=-60.0)
    sim.reset()
    run(sim, 5.0)
    seg0, seg1 = target.get_data().segments
    v0 = signal(seg0, "v").magnitude[:, 0]
    v1 = signal(seg1, "v").magnitude[:, 0]
    assert v0.max() == pytest.approx(-63.0, abs=0.05)
    # the spike still arrives after reset; the new v_rest pulls v up from the initial -65
    assert v1[0] == pytest.approx(-65.0)
    assert np.max(np.diff(v1)) > 1.9  # the 2 mV jump is there
    assert v1[-1] > v0[-1]


def test_spike_sources_replay_after_reset(sim):
    pop = population(sim, 2, "SpikeSourceArray", label="src", spike_times=[0.0, 4.0, 9.9])
    record(pop, "spikes")
    run(sim, 10.0)
    sim.reset()
    run(sim, 10.0)
    for seg in pop.get_data().segments:
        np.testing.assert_allclose(seg.spiketrains[0].magnitude, [0.0, 4.0, 9.9], atol=1e-9)


def test_recording_list_may_change_after_reset(sim):
    pop = driven_cell(sim)
    record(pop, "v")
    run(sim, 30.0)
    sim.reset()
    pop.record(None)
    record(pop, "spikes")
    run(sim, 30.0)
    first, second = pop.get_data().segments
    assert [s.name for s in first.analogsignals] == ["v"] and len(first.spiketrains) == 0
    assert len(second.analogsignals) == 0 and len(second.spiketrains) == 2
    assert len(second.spiketrains[0]) == 1


def test_nothing_lost_across_run_reset_and_get_data(sim):
    pop = driven_cell(sim)
    record(pop, ["spikes", "v"])
    run(sim, 20.0)
    pop.get_data()  # reading does not consume
    run(sim, 20.0)
    sim.reset(annotations={"trial": 0})
    run(sim, 40.0)
    sim.reset(annotations={"trial": 1})
    run(sim, 40.0)
    block = pop.get_data()
    assert len(block.segments) == 3
    assert [seg.annotations.get("trial") for seg in block.segments] == [0, 1, None]
    spikes = [seg.spiketrains[0].magnitude for seg in block.segments]
    for seg in block.segments:
        assert signal(seg, "v").shape == (401, 2)
    np.testing.assert_array_equal(spikes[0], spikes[1])
    np.testing.assert_array_equal(spikes[0], spikes[2])
    assert len(spikes[0]) >= 1


def test_spike_at_a_run_boundary_is_counted_once(sim):
    source = population(sim, 1, "SpikeSourceArray", label="src", spike_times=[5.0, 10.0, 15.0])
    pop = driven_cell(sim)
    record(source, "spikes")
    record(pop, "spikes")
    run(sim, 60.0)
    reference = pop.get_data().segments[0].spiketrains[0].magnitude
    assert len(reference) >= 2
    sim.reset()
    # stop exactly at each spike of the driven cell and of the source
    for t in sorted(set([10.0, *list(reference)])):
        sim.run_until(t)
    sim.run_until(60.0)
    seg = pop.get_data().segments[1]
    np.testing.assert_allclose(seg.spiketrains[0].magnitude, reference, atol=1e-9)
    np.testing.assert_allclose(source.get_data().segments[1].spiketrains[0].magnitude, [5.0, 10.0, 15.0])
