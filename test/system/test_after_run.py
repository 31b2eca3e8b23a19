"""Recording, creating and connecting after a run, on every backend: the data recorded
afterwards are exactly those of a network that had been complete from the start."""

import numpy as np
import pytest

from pyNN import errors


#: one input spike of this weight (nA) makes the IF_curr_exp cells of _drive() fire once
W = 12.0


def _spikes(population, segment=-1):
    block = population.get_data("spikes", clear=False)
    return [np.asarray(st.magnitude).tolist() for st in block.segments[segment].spiketrains]


def _drive(sim, label):
    """A cell that fires once shortly after each input spike of weight W."""
    return sim.Population(1, sim.IF_curr_exp(tau_syn_E=2.0), label=label)


def test_record_spikes_after_run_with_nothing_recorded_before(sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 15.0, 25.0]), label="src")
    sim.run(10.0)
    src.record("spikes")
    sim.run(20.0)
    assert _spikes(src) == [[15.0, 25.0]]


def test_record_cell_spikes_after_run_matches_recording_from_start(sim):
    def build():
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 15.0, 25.0]), label="src")
        cell = _drive(sim, "cell")
        sim.Projection(src, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=W, delay=1.0))
        return cell
    cell = build()
    cell.record("spikes")
    sim.run(30.0)
    reference = [t for t in _spikes(cell)[0] if t > 10.0]
    assert len(reference) == 2
    sim.setup(timestep=0.1)
    cell = build()
    sim.run(10.0)
    cell.record("spikes")
    sim.run(20.0)
    assert _spikes(cell)[0] == reference


def _source_after_run(sim):
    sim.Population(1, sim.IF_cond_exp(), label="early")
    sim.run(10.0)
    return sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0, 25.0]), label="late source")


def test_spike_source_created_after_run(sim):
    if sim.__name__ == "pyNN.neuron":
        with pytest.raises(errors.NotSupportedError, match="late source.*after a run"):
            _source_after_run(sim)
        # the session is intact: it runs on, and a reset makes room for new sources
        sim.run(5.0)
        assert sim.get_current_time() == pytest.approx(15.0)
        sim.reset()
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0, 25.0]), label="after reset")
    else:
        src = _source_after_run(sim)
    cell = _drive(sim, "target")
    sim.Projection(src, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=W, delay=1.0))
    src.record("spikes")
    cell.record("spikes")
    sim.run_until(40.0)
    assert _spikes(src) == [[15.0, 25.0]]
    out = _spikes(cell)[0]
    assert len(out) == 2 and 16.0 < out[0] < 19.0 and 26.0 < out[1] < 29.0


def _long_delay_network(sim, connect_late):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]), label="src")
    near = _drive(sim, "near")
    sim.Projection(src, near, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))
    far = _drive(sim, "far")
    far.record("spikes")

    def connect():
        return sim.Projection(src, far, sim.OneToOneConnector(), sim.StaticSynapse(weight=W, delay=50.0),
                              label="long")
    if not connect_late:
        connect()
    sim.run(10.0)
    if connect_late:
        connect()
    sim.run(70.0)
    return _spikes(far)[0]


def test_projection_with_longer_delay_after_run(sim):
    reference = _long_delay_network(sim, connect_late=False)
    assert len(reference) == 1 and 65.0 < reference[0] < 68.0
    sim.setup(timestep=0.1)
    if sim.__name__ == "pyNN.nest":
        with pytest.raises(errors.NotSupportedError, match="long.*50 ms.*setup\\(max_delay"):
            _long_delay_network(sim, connect_late=True)
        assert len(sim.state.projections) == 1  # the refused projection left nothing behind
        sim.run(10.0)  # and the network still runs
        # with the delay range given in setup(), the same network connects late
        sim.setup(timestep=0.1, max_delay=100.0)
    assert _long_delay_network(sim, connect_late=True) == reference


def test_projection_with_longer_delay_after_reset(sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]), label="src")
    far = _drive(sim, "far")
    far.record("spikes")
    sim.run(10.0)
    sim.reset()
    sim.Projection(src, far, sim.OneToOneConnector(), sim.StaticSynapse(weight=W, delay=50.0))
    sim.run(80.0)
    out = _spikes(far)[-1]
    assert len(out) == 1 and 65.0 < out[0] < 68.0
