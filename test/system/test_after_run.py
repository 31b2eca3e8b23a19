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
    assert _long_delay_network(sim, connect_late=True) == reference


#: delays (ms) of the 3 x 4 connections below: from one step to 12 times NEST's default
#: reserve of 5 ms, so relay chains of many lengths on NEST
LONG_DELAYS = np.array([[0.1, 4.9, 5.0, 5.1], [9.9, 10.0, 10.1, 27.3], [33.3, 49.9, 55.0, 60.0]])
#: weights (nA): a single spike of the third source makes no output spike, two coincident ones do
LONG_WEIGHTS = np.array([[3.0, 5.0, 7.0, 9.0], [8.0, 2.0, 6.0, 4.0], [7.0, 7.0, 7.0, 7.0]])
#: the first and last sources fire twice in one step: two spikes arriving at once count twice
#: (except on Brian2, which makes them one spike, see the support matrix)
LONG_INPUT = [[15.0, 15.0, 40.0], [16.0, 30.0], [17.0, 17.0, 70.0]]


def _delayed_fan(sim, mode, delays=LONG_DELAYS):
    """Spikes and membrane potentials of 4 cells reached from 3 sources with `delays`, where
    the projection is made before the first run ('up front'), after it ('late'), or made up
    front with short delays (all different: Brian2 keeps equal delays shared) that set()
    changes after the run ('set')."""
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=LONG_INPUT), label="src")
    cells = sim.Population(4, sim.IF_curr_exp(tau_syn_E=2.0), label="cells")
    cells.record(["spikes", "v"])
    src.record("spikes")

    def connect(d):
        return sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=LONG_WEIGHTS, delay=d),
                              label="fan")
    short = 1.0 + 0.1 * np.arange(delays.size).reshape(delays.shape)
    prj = connect(delays if mode == "up front" else short) if mode != "late" else None
    sim.run(10.0)
    if mode == "late":
        prj = connect(delays)
    elif mode == "set":
        prj.set(delay=delays)
    sim.run(100.0)
    seg = cells.get_data().segments[0]
    return {"delay": prj.get("delay", format="array"), "weight": prj.get("weight", format="array"),
            "spikes": [np.asarray(st.magnitude).tolist() for st in seg.spiketrains],
            "v": np.asarray(seg.filter(name="v")[0].magnitude),
            "sources": [np.asarray(st.magnitude).tolist() for st in src.get_data().segments[0].spiketrains],
            "connections": len(prj)}


@pytest.mark.parametrize("mode", ["late", "set"])
def test_long_delays_made_after_run_act_exactly_as_made_up_front(sim, mode):
    """Connections made (or given longer delays) after a run deliver exactly the spikes of the
    network that had them from the start: the same output spikes and membrane potentials,
    coincident input spikes counting twice; get() returns the delays asked for."""
    reference = _delayed_fan(sim, "up front")
    assert sum(len(s) for s in reference["spikes"]) >= 3  # the scenario makes the cells fire
    sim.setup(timestep=0.1)
    out = _delayed_fan(sim, mode)
    np.testing.assert_array_equal(out["delay"], reference["delay"])
    np.testing.assert_allclose(out["delay"], LONG_DELAYS, rtol=0, atol=1e-12)  # (steps times dt)
    np.testing.assert_array_equal(out["weight"], reference["weight"])
    assert out["spikes"] == reference["spikes"]
    np.testing.assert_allclose(out["v"], reference["v"], rtol=0, atol=1e-9)
    # only the real cells are recorded and counted
    assert out["sources"] == reference["sources"] and len(out["sources"]) == 3
    assert out["connections"] == 12 and out["v"].shape[1] == 4


def _plastic_late(sim):
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[15.0, 35.0], [20.0]]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")
    sim.run(10.0)
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence(),
                             weight=0.5, delay=30.0)
    return sim.Projection(src, post, sim.AllToAllConnector(), stdp, label="plastic late")


def test_plastic_projection_with_longer_delay_after_run(sim):
    """A plastic projection would see its presynaptic spikes late through NEST's relays: NEST
    refuses it (naming the projection, the delay, the reserve and the way out) and keeps
    running; with the delay range given in setup() it connects. Elsewhere it just connects."""
    if sim.__name__ == "pyNN.nest":
        with pytest.raises(errors.NotSupportedError,
                           match=r"'plastic late'.*30 ms.*\(5 ms\).*STDPMechanism.*setup\(max_delay=\.\.\.\)"):
            _plastic_late(sim)
        assert sim.state.projections == []  # nothing left behind
        sim.run(10.0)
        sim.setup(timestep=0.1, max_delay=40.0)
    prj = _plastic_late(sim)
    sim.run(60.0)
    assert len(prj) == 4 and np.all(prj.get("delay", format="array") == 30.0)


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


def _recorded(population, variable):
    seg = population.get_data(variable, clear=False).segments[-1]
    if variable == "spikes":
        return [np.asarray(st.magnitude).tolist() for st in seg.spiketrains]
    return np.asarray(seg.filter(name=variable)[0].magnitude)


def test_record_v_after_run_matches_recording_from_start(sim):
    """record('v') after a run in which nothing was recorded: the samples from then on are
    exactly those a recording from the start has for the same times."""
    def build():
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 15.0, 25.0]), label="src")
        cell = _drive(sim, "cell")
        sim.Projection(src, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=W, delay=1.5))
        return cell
    cell = build()
    cell.record("v")
    sim.run(30.0)
    reference = _recorded(cell, "v")
    assert reference.shape == (301, 1)
    sim.setup(timestep=0.1)
    cell = build()
    sim.run(10.0)
    cell.record("v")
    sim.run(20.0)
    np.testing.assert_allclose(_recorded(cell, "v"), reference[100:], rtol=0, atol=1e-9)


def _late_source_network(sim, late):
    """A cell driven by two SpikeSourceArray cells that fire after t = 10 ms, the sources and
    their projection made before the first run or after a run to 10 ms."""
    cell = _drive(sim, "cell")
    cell.record(["spikes", "v"])

    def make():
        src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[12.0, 25.0], [12.0, 31.3]]), label="late source")
        sim.Projection(src, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=W / 2 + 0.5, delay=[1.0, 2.0]))
        return src
    src = None if late else make()
    sim.run(10.0)
    if late:
        try:
            src = make()
        except errors.NotSupportedError as exc:  # NEURON, until spike sources can be created late
            pytest.xfail(f"{sim.__name__}: {exc}")
    src.record("spikes")
    sim.run(30.0)
    return _recorded(src, "spikes"), _recorded(cell, "spikes"), _recorded(cell, "v")


def test_spike_sources_made_after_run_act_exactly_as_made_up_front(sim):
    ref_sources, ref_spikes, ref_v = _late_source_network(sim, late=False)
    assert ref_sources == [[12.0, 25.0], [12.0, 31.3]] and len(ref_spikes[0]) >= 1
    sim.setup(timestep=0.1)
    sources, spikes, v = _late_source_network(sim, late=True)
    assert sources == ref_sources
    assert spikes == ref_spikes
    np.testing.assert_allclose(v, ref_v, rtol=0, atol=1e-9)
