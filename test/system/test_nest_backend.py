"""NEST-specific behaviour: native handles, synapse-model reuse, set-up options, native types."""

import numpy as np
import pytest

from pyNN import errors

sim = pytest.importorskip("pyNN.nest")
nest = sim.nest


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=0.1)
    yield
    sim.end()


def test_views_and_assemblies_are_nest_classes():
    p = sim.Population(5, sim.IF_cond_exp())
    q = sim.Population(3, sim.IF_cond_exp())
    view = p[1:4]
    assert isinstance(view, sim.PopulationView)
    assert view.node_collection.tolist() == p.node_collection.tolist()[1:4]
    assert isinstance(p + q, sim.Assembly)
    assert isinstance(p.sample(2), sim.PopulationView)


def test_synapse_models_are_shared_not_copied_per_projection():
    pops = [sim.Population(4, sim.IF_cond_exp()) for _ in range(6)]
    syn = sim.StaticSynapse(weight=0.01, delay=1.0)
    projections = [sim.Projection(pops[k], pops[k + 1], sim.AllToAllConnector(), syn) for k in range(5)]
    models = {prj._nest_model for prj in projections}
    assert len(models) == 1
    # a second projection between the same two populations gets its own model, so that
    # its connections can be told apart from the first one's
    extra = sim.Projection(pops[0], pops[1], sim.AllToAllConnector(), syn)
    assert extra._nest_model not in models
    assert len(extra.nest_connections) == 16


def test_weights_reach_nest_in_native_units_and_signs():
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
    cond = sim.Population(2, sim.IF_cond_exp())
    curr = sim.Population(2, sim.IF_curr_exp())
    delta = sim.Population(2, sim.IF_curr_delta())
    a = sim.Projection(pre, cond, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.005),
                       receptor_type="inhibitory")
    b = sim.Projection(pre, curr, sim.OneToOneConnector(), sim.StaticSynapse(weight=-0.3))
    c = sim.Projection(pre, delta, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.7))
    assert np.allclose(a.nest_connections.get("weight"), -5.0)   # nS, negative = inhibitory in NEST
    assert b.receptor_type == "inhibitory"
    assert np.allclose(b.nest_connections.get("weight"), -300.0)  # pA
    assert np.allclose(c.nest_connections.get("weight"), 0.7)     # mV, no scaling
    assert b.get("weight", format="list", with_address=False) == [-0.3, -0.3]


def test_setup_options():
    sim.setup(timestep=0.1, threads=2, rng_seed=7, verbosity="warning")
    assert nest.GetKernelStatus("local_num_threads") == 2
    with pytest.raises(errors.InvalidParameterValueError, match="spike_precision"):
        sim.setup(spike_precision="sometimes")
    with pytest.warns(UserWarning, match="'foo' is not known"):
        sim.setup(foo=1)


def test_pynn_options_without_effect_are_accepted_and_logged(caplog):
    with caplog.at_level("INFO", logger="PyNN"):
        sim.setup(timestep=0.1, recording_precision=10, t_flush=5.0)
    messages = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert any("recording_precision=10" in m and "no effect on the NEST backend" in m for m in messages)
    assert any("t_flush=5.0" in m and "no effect on the NEST backend" in m for m in messages)
    with caplog.at_level("INFO", logger="PyNN"):
        caplog.clear()
        sim.setup(timestep=0.1)
    assert not [r for r in caplog.records if "no effect" in r.getMessage()]


def test_off_grid_precision_uses_precise_models():
    sim.setup(timestep=0.1, spike_precision="off_grid")
    p = sim.Population(1, sim.IF_curr_exp(i_offset=1.0))
    assert p.node_collection.get("model") == "iaf_psc_exp_ps"
    p.record("spikes")
    sim.run(50.0)
    spikes = p.get_data().segments[0].spiketrains[0].magnitude
    assert len(spikes) >= 1
    # analytic first passage of v_rest + R*I*(1-exp(-t/tau)) through v_thresh, not on the grid
    expected = -20.0 * np.log(1 - 15.0 / 20.0)
    assert abs(spikes[0] - expected) < 1e-3


def test_native_cell_type():
    ht = sim.native_cell_type("iaf_psc_alpha")
    p = sim.Population(2, ht(I_e=400.0))
    p.record(["spikes", "V_m"])
    sim.run(100.0)
    seg = p.get_data().segments[0]
    assert sum(len(st) for st in seg.spiketrains) > 0
    assert p.get("I_e") == 400.0


def test_native_cell_with_named_receptors_connects_to_their_ports():
    """ht_neuron names its receptors ('AMPA', 'GABA_A', ...): a Projection with one of them
    reaches that receptor (AMPA input depolarises, GABA input hyperpolarises the cell)."""
    ht = sim.native_cell_type("ht_neuron")
    assert ht.receptor_types == list(nest.GetDefaults("ht_neuron")["receptor_types"])
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    cells = {r: sim.Population(1, ht()) for r in ("none", "AMPA", "GABA_A", "GABA_B")}
    prj = {}
    for receptor, p in cells.items():
        p.record("V_m")
        if receptor != "none":
            prj[receptor] = sim.Projection(src, p, sim.AllToAllConnector(),
                                           sim.StaticSynapse(weight=0.01, delay=1.0), receptor_type=receptor)
    assert prj["AMPA"].get("weight", format="list") == [(0, 0, 0.01)]
    sim.run(60.0)
    v = {r: p.get_data().segments[0].analogsignals[0].magnitude[:, 0] for r, p in cells.items()}
    assert (v["AMPA"] - v["none"]).max() > 2.0
    for receptor in ("GABA_A", "GABA_B"):
        assert (v[receptor] - v["none"]).min() < -1.0
        assert (v[receptor] - v["none"]).max() < 0.5


def test_reset_rebuilds_exactly():
    p = sim.Population(3, sim.IF_cond_exp(i_offset=0.5))
    noise = sim.Population(3, sim.SpikeSourceArray(spike_times=[2.0, 4.0]))
    sim.Projection(noise, p, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.05, delay=3.0))
    p.record(["spikes", "v"])
    sim.run(30.0)   # spikes in transit at t = 30 must not leak into the next segment
    sim.reset()
    sim.run(30.0)
    segs = p.get_data().segments
    v0, v1 = segs[0].analogsignals[0].magnitude, segs[1].analogsignals[0].magnitude
    np.testing.assert_array_equal(v0, v1)


def test_random_weights_are_drawn_again_not_kept_and_reach_nest_exactly_after_reset():
    """NEST keeps the weights; the core keeps how to draw them (pyNN.common.redrawn_values)."""
    from pyNN.random import NumpyRNG, RandomDistribution
    p = sim.Population(60, sim.IF_cond_exp())
    weight = RandomDistribution("uniform", low=0.002, high=0.006, rng=NumpyRNG(seed=4))
    prj = sim.Projection(p, p, sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=8)),
                         sim.StaticSynapse(weight=weight, delay=0.5), receptor_type="inhibitory")
    assert prj._syn.redrawn() == ["weight"]
    expected = np.random.RandomState(4).uniform(0.002, 0.006, len(prj))  # one chunk: the order of the draw
    np.testing.assert_array_equal(prj.get("weight", format="list", with_address=False), expected)

    def in_nest():
        conns, order = prj._nest_connections()
        return np.asarray(conns.get("weight"), dtype=float)[order]

    np.testing.assert_allclose(in_nest(), -1000.0 * expected, rtol=1e-15)
    sim.run(1.0)
    sim.reset()  # a new kernel: every connection is made again from the core's values
    np.testing.assert_allclose(in_nest(), -1000.0 * expected, rtol=1e-15)
    np.testing.assert_array_equal(prj.get("weight", format="list", with_address=False), expected)


def test_refused_projection_leaves_nothing_in_nest(monkeypatch):
    import pyNN.connectors as connectors
    monkeypatch.setattr(connectors, "_BLOCK_ELEMENTS", 10)  # many chunks
    p = sim.Population(20, sim.IF_curr_exp())
    before = nest.num_connections
    # only the last chunk has a delay below the minimum
    delays = np.full((20, 20), 1.0)
    delays[:, -1] = 0.01
    with pytest.raises(sim.errors.ConnectionError, match="below the minimum delay"):
        sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=delays))
    assert nest.num_connections == before
    assert not sim.state.projections


def _recorded_v(threads):
    sim.setup(timestep=0.1, threads=threads)
    pop = sim.Population(7, sim.IF_cond_exp(i_offset=np.linspace(0.0, 1.2, 7)))
    pop[1:6].record("v", sampling_interval=0.3)
    sim.run(20.2)  # not a multiple of the sampling interval
    sim.run(10.0)
    (segment,) = pop.get_data_arrays("v")
    (v,) = segment["v"]
    return v


def test_multimeter_samples_do_not_depend_on_the_order_nest_delivers_them():
    # one thread: NEST's events come time-major and are reshaped in place; two threads
    # interleave the cells, and the recorder sorts them; both give the same array
    one = _recorded_v(1)
    sim.end()
    two = _recorded_v(2)
    np.testing.assert_array_equal(one.times, two.times)
    np.testing.assert_array_equal(one.ids, two.ids)
    np.testing.assert_allclose(one.values, two.values, rtol=0, atol=1e-12)
    assert one.values.shape == (101, 5) and np.ptp(one.values[:, -1]) > 1.0


def test_off_grid_spike_times_are_kept_exactly():
    sim.setup(timestep=0.05, spike_precision="off_grid")
    p = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.075, 10.025, 12.34]))
    p.record("spikes")
    sim.run(20.0)
    assert p.get_data().segments[0].spiketrains[0].magnitude.tolist() == [0.075, 10.025, 12.34]


def test_gif_initial_values_nest_cannot_set_warn_and_keep_defaults():
    with pytest.warns(UserWarning, match="initial value of 'v_t' cannot be changed on the NEST backend"):
        cells = sim.Population(2, sim.GIF_cond_exp(), initial_values={"v": -65.0, "v_t": -55.0})
    cells.record("v_t")
    sim.run(1.0)
    assert cells.initial_values["v_t"].evaluate(simplify=True) == -48.0
    v_t = cells.get_data().segments[0].filter(name="v_t")[0].magnitude
    np.testing.assert_allclose(v_t[0], [-48.0, -48.0])  # NEST's start value, as the warning says


def test_tau_minus_is_one_value_per_post_cell_across_plastic_projections():
    # NEST keeps tau_minus on the neuron: two plastic projections may share post cells only with
    # the same value; a different value on a shared cell is refused, on other cells it is fine
    sim.setup(timestep=0.1)
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[5.0]))
    post = sim.Population(4, sim.IF_curr_exp())

    def stdp(tau_minus):
        return sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_minus=tau_minus),
                                 weight_dependence=sim.AdditiveWeightDependence(w_max=1.0), weight=0.1)

    sim.Projection(pre, post[0:2], sim.AllToAllConnector(), stdp(20.0))
    sim.Projection(pre, post[1:3], sim.AllToAllConnector(), stdp(20.0))  # same value: accepted
    sim.Projection(pre, post[3:4], sim.AllToAllConnector(), stdp(30.0))  # no shared cell: accepted
    with pytest.raises(errors.InvalidParameterValueError, match="tau_minus.*30.*differs from the value 20"):
        sim.Projection(pre, post[2:4], sim.AllToAllConnector(), stdp(30.0))
    sim.run(10.0)
    sim.end()


# --- NEST's communication interval (min_delay) and delay range, fixed at the first run -----------

def _delay_network(record_v=False, delay=1.5, min_delay="auto", plastic=False):
    """Spike sources driving cells over `delay`, with a cell-to-cell projection of 2 * delay."""
    sim.setup(timestep=0.1, min_delay=min_delay)
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=[[1.0, 7.3], [2.2], [4.0, 4.1, 9.9]]), label="src")
    cells = sim.Population(4, sim.IF_cond_exp(tau_refrac=1.0), label="cells")
    syn = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(20.0, 20.0, 0.01, 0.012),
                            weight_dependence=sim.AdditiveWeightDependence(0.0, 0.04),
                            weight=0.03, delay=delay) if plastic else sim.StaticSynapse(weight=0.03, delay=delay)
    sim.Projection(src, cells, sim.AllToAllConnector(), syn, label="drive")
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(3)),
                   sim.StaticSynapse(weight=0.01, delay=2 * delay), label="recurrent")
    cells.record("spikes")
    if record_v:
        cells.record("v")
    return src, cells


def _spike_lists(population):
    return [list(np.round(st.magnitude, 6)) for st in population.get_data("spikes").segments[-1].spiketrains]


def test_min_delay_auto_is_the_shortest_delay_at_the_first_run_and_spikes_do_not_change():
    _, cells = _delay_network()
    sim.run(30.0)
    assert nest.GetKernelStatus("min_delay") == pytest.approx(1.5)
    fast = _spike_lists(cells)
    assert sum(map(len, fast)) > 4
    # a recorded state variable keeps NEST's min_delay at one step: the same spikes
    _, cells = _delay_network(record_v=True)
    sim.run(30.0)
    assert nest.GetKernelStatus("min_delay") == pytest.approx(0.1)
    assert _spike_lists(cells) == fast
    v = cells.get_data("v").segments[0].analogsignals[0]
    assert v.shape == (301, 4) and np.all(np.isfinite(v.magnitude))


def test_explicit_min_delay_is_nests_min_delay():
    _, cells = _delay_network(delay=1.5, min_delay=1.0)
    sim.run(15.0)
    sim.run(15.0)  # a second run continues with the same interval
    assert nest.GetKernelStatus("min_delay") == pytest.approx(1.0)
    first = _spike_lists(cells)
    _, cells = _delay_network(delay=1.5)
    sim.run(30.0)
    assert _spike_lists(cells) == first


def test_shorter_delay_after_the_first_run_is_refused_with_the_min_delay_in_force():
    src, cells = _delay_network()
    sim.run(5.0)
    with pytest.raises(errors.NotSupportedError, match=r"'late'.*0\.5 ms.*min_delay 1\.5 ms.*'auto'"):
        sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.5),
                       label="late")
    prj = sim.state.projections[0]
    with pytest.raises(errors.NotSupportedError, match=r"'drive'.*0\.2 ms.*min_delay 1\.5 ms"):
        prj.set(delay=0.2)
    # delays >= the min_delay in force still connect after the run, and reset() chooses anew
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=2.0))
    sim.run(5.0)
    sim.reset()
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.5))
    sim.run(5.0)
    assert nest.GetKernelStatus("min_delay") == pytest.approx(0.5)


def _connections_made_by_record(delay, min_delay="auto", record_v=False):
    """NEST connections that cells.record() makes at once, before any run (the rest wait)."""
    sim.setup(timestep=0.1, min_delay=min_delay)
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0], [2.0]]))
    cells = sim.Population(3, sim.IF_cond_exp())
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.03, delay=delay))
    before = nest.GetKernelStatus("num_connections")
    cells.record(["spikes", "v"] if record_v else "spikes")
    return nest.GetKernelStatus("num_connections") - before


@pytest.mark.parametrize("delay, min_delay, record_v, made", [
    # 3 to the spike recorder, 3 from the multimeter, and the 2 generator -> parrot connections
    # of the spike source, which waited until then
    (0.1, "auto", False, 5),   # a one-step delay: the interval cannot be longer
    (1.5, 0.1, False, 3),      # setup(min_delay) of one step (known from the start: the
                               # generators were connected when the spike source was created)
    (1.5, "auto", True, 8),    # a recorded state variable keeps the interval at one step
    (1.5, "auto", False, 0),   # the interval is chosen at the first run
    (1.5, 1.0, False, 0),
])
def test_devices_are_connected_at_once_when_the_interval_is_bound_to_be_one_step(delay, min_delay, record_v, made):
    # (NEST's cost of a neuron's first device connection then falls in the build, as natively)
    assert _connections_made_by_record(delay, min_delay, record_v) == made
    sim.run(3.0)
    assert nest.GetKernelStatus("min_delay") == pytest.approx(0.1 if made else 1.0 if min_delay == 1.0 else delay)


def test_devices_connected_at_once_give_the_same_results_as_devices_connected_at_the_first_run():
    def network(record_first):
        sim.setup(timestep=0.1)
        src = sim.Population(3, sim.SpikeSourceArray(spike_times=[[1.0, 7.3], [2.2], [4.0, 4.1, 9.9]]))
        cells = sim.Population(4, sim.IF_cond_exp(tau_refrac=1.0))
        if record_first:  # no projection yet: the spike recorder waits for the first run
            cells.record("spikes")
            cells.record(None)  # (and another device connection stays waiting)
            cells.record("spikes")
        sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.03, delay=0.1))
        sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(3)),
                       sim.StaticSynapse(weight=0.01, delay=0.2))
        if not record_first:  # the waiting generator -> parrot connections are made with it
            cells.record("spikes")
            cells.inject(sim.DCSource(amplitude=0.2, start=3.0, stop=20.0))
        waiting = len(sim.state._pending_devices)
        if record_first:
            cells.inject(sim.DCSource(amplitude=0.2, start=3.0, stop=20.0))
        sim.run(30.0)
        assert nest.GetKernelStatus("min_delay") == pytest.approx(0.1)
        return waiting, _spike_lists(cells)

    waiting, late = network(record_first=True)
    assert waiting == 2  # the generators' and the spike recorder's connections
    waiting, early = network(record_first=False)
    assert waiting == 0
    assert early == late and sum(map(len, early)) > 4


def test_delays_lengthened_before_the_first_run_rebuild_the_devices_connected_at_once(caplog):
    _, cells = _delay_network(delay=0.1)
    assert not sim.state._pending_devices  # the devices were connected with one step
    drive, recurrent = sim.state.projections
    drive.set(delay=1.5)
    recurrent.set(delay=3.0)
    with caplog.at_level("INFO", logger="PyNN"):
        sim.run(30.0)
    assert "kernel is rebuilt" in caplog.text
    # the interval chosen as if the delays had been 1.5 and 3 ms from the start
    assert nest.GetKernelStatus("min_delay") == pytest.approx(1.5)
    lengthened = _spike_lists(cells)
    _, cells = _delay_network(delay=1.5)
    sim.run(30.0)
    assert _spike_lists(cells) == lengthened and sum(map(len, lengthened)) > 4


def test_explicit_min_delay_refuses_shorter_delays_before_anything_reaches_nest():
    sim.setup(timestep=0.1, min_delay=1.0)
    p = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(errors.ConnectionError, match=r"0\.5 ms is below the minimum delay 1 ms"):
        sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.5))
    assert nest.GetKernelStatus("num_connections") == 0


def test_state_variable_recorded_after_a_first_run_with_a_long_min_delay_has_every_sample():
    # NEST delivers multimeter samples one min_delay late: those of the last steps of each run
    # are read from the cells, so the recording equals one made from the start (one-step interval)
    for interval in (None, 0.3):
        _, cells = _delay_network()
        cells.record("v", sampling_interval=interval or 0.1)  # before the first run: one-step interval
        sim.run(37.0)
        assert nest.GetKernelStatus("min_delay") == pytest.approx(0.1)
        reference = cells.get_data("v").segments[0].analogsignals[0]
        _, cells = _delay_network()
        sim.run(6.0)  # (on the grid of both sampling intervals)
        cells.record("v", sampling_interval=interval or 0.1)
        chunks = []
        for duration in (0.7, 3.0, 0.1, 12.4, 14.8):  # runs ending inside and at NEST's intervals
            sim.run(duration)
            chunks.append(cells.get_data("v", clear=False).segments[0].analogsignals[0])
        assert nest.GetKernelStatus("min_delay") == pytest.approx(1.5)
        late = chunks[-1]
        k = round(float(late.t_start.magnitude) / float(late.sampling_period.magnitude))
        np.testing.assert_allclose(late.magnitude, reference.magnitude[k:k + late.shape[0]], rtol=0, atol=1e-9)
        assert late.shape[0] == reference.shape[0] - k
        for chunk in chunks:  # every intermediate get_data had every sample up to then
            np.testing.assert_array_equal(chunk.magnitude, late.magnitude[:chunk.shape[0]])


def test_spike_times_nest_can_no_longer_deliver_are_refused():
    src, _ = _delay_network()
    sim.run(10.0)
    with pytest.raises(errors.NotSupportedError, match=r"'src'.*11 ms.*min_delay \(1\.5 ms\).*after 11\.5 ms"):
        src[0:1].set(spike_times=[[1.0, 11.0]])
    src[0:1].set(spike_times=[[1.0, 12.0]])
    src.record("spikes")
    sim.run(5.0)
    assert 12.0 in _spike_lists(src)[0]


def test_delay_range_reserve_is_kept_small_for_plastic_networks():
    _delay_network(plastic=False, delay=0.2)
    sim.run(1.0)
    # a reserve of 1 ms beyond the longest delay (0.4 ms): NEST's cost per step grows with it
    assert nest.GetKernelStatus("max_delay") == pytest.approx(1.0)
    _delay_network(plastic=True, delay=0.2)
    sim.run(1.0)
    assert nest.GetKernelStatus("max_delay") == pytest.approx(0.4)
    _delay_network(plastic=True)
    sim.run(1.0)
    # STDP costs grow with NEST's max_delay: no reserve beyond the longest delay in use
    assert nest.GetKernelStatus("max_delay") == pytest.approx(3.0)
    sim.setup(timestep=0.1, max_delay=8.0)
    p = sim.Population(2, sim.IF_cond_exp())
    sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=1.0))
    sim.run(1.0)
    assert nest.GetKernelStatus(["min_delay", "max_delay"]) == pytest.approx((1.0, 8.0))


def test_synapse_dynamics_keep_min_delay_at_one_step_and_are_refused_after_a_longer_one():
    _delay_network(plastic=True)
    sim.run(1.0)
    # NEST updates plastic synapses when it delivers spikes: weights read between runs must
    # include every spike sent before, so the interval stays one step
    assert nest.GetKernelStatus("min_delay") == pytest.approx(0.1)
    src, cells = _delay_network()
    sim.run(1.0)
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(20.0, 20.0, 0.01, 0.012),
                             weight_dependence=sim.AdditiveWeightDependence(0.0, 0.04), weight=0.03, delay=1.5)
    n_before = nest.GetKernelStatus("num_connections")
    with pytest.raises(errors.NotSupportedError, match=r"'late'.*STDPMechanism.*min_delay is 1\.5 ms.*reset\(\)"):
        sim.Projection(src, cells, sim.AllToAllConnector(), stdp, label="late")
    assert nest.GetKernelStatus("num_connections") == n_before
    sim.reset()
    sim.Projection(src, cells, sim.AllToAllConnector(), stdp, label="late")
    sim.run(1.0)
    assert nest.GetKernelStatus("min_delay") == pytest.approx(0.1)


# --- delays beyond NEST's reserved range, after a run (relay parrots, pyNN.nest.delay_relays) ----

def _late_fan(late, precision="on_grid", threads=1, **setup):
    """Output of 3 sources -> 4 cells with delays up to 60 ms (beyond NEST's reserve), the
    projection made before the first run or after it."""
    sim.setup(timestep=0.1, spike_precision=precision, threads=threads, **setup)
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=[[15.03, 40.0], [16.0, 30.07], [17.0]]), label="src")
    cells = sim.Population(4, sim.IF_curr_exp(tau_syn_E=2.0), label="cells")
    cells.record(["spikes", "v"])
    delays = np.array([[1.0, 5.0, 5.1, 12.0], [20.0, 33.3, 49.9, 4.0], [60.0, 0.5, 10.0, 25.0]])

    def connect():
        return sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=12.0, delay=delays))
    prj = None if late else connect()
    sim.run(10.0)
    prj = connect() if late else prj
    sim.run(90.0)
    seg = cells.get_data().segments[-1]
    return prj, [np.asarray(st.magnitude).tolist() for st in seg.spiketrains], seg.filter(name="v")[0].magnitude


@pytest.mark.parametrize("precision,threads", [("off_grid", 1), ("on_grid", 2)])
def test_relayed_delays_are_exact_off_grid_and_with_threads(precision, threads):
    _, spikes, v = _late_fan(False, precision, threads)
    _, late_spikes, late_v = _late_fan(True, precision, threads)
    assert sum(map(len, spikes)) >= 6
    if precision == "off_grid":  # precise spike times survive the relays (parrot_neuron_ps)
        assert any(t != round(t, 1) for st in spikes for t in st)
    assert late_spikes == spikes
    np.testing.assert_array_equal(late_v, v)


def test_relay_parrots_are_invisible_and_gone_after_reset(caplog):
    _, reference, _ = _late_fan(False)
    plain_size = nest.network_size
    with caplog.at_level("INFO", logger="PyNN"):
        prj, spikes, _ = _late_fan(True)
    assert "go through relay parrot neurons" in caplog.text and "setup(max_delay=...)" in caplog.text
    assert nest.network_size > plain_size  # the relays exist in NEST ...
    # ... but nothing of the library sees them: populations, connections, descriptions, data
    assert [p.label for p in sim.state.populations] == ["src", "cells"]
    assert len(prj) == 12 and len(prj.nest_connections) == 12
    assert sorted(prj.nest_connections.get("target")) == sorted(prj.post.node_collection.tolist() * 3)
    assert "parrot" not in prj.describe() and "parrot" not in prj.post.describe()
    assert spikes == reference
    assert [c[:2] for c in prj.get("weight", format="list")] == [(i, j) for j in range(4) for i in range(3)]
    # weights set after the run reach the real (last-leg) connections, in the right places
    prj.set(weight=np.arange(1.0, 13.0).reshape(3, 4))
    got = prj.get("weight", format="array")
    np.testing.assert_array_equal(got, np.arange(1.0, 13.0).reshape(3, 4))
    assert sorted(prj.nest_connections.get("weight")) == [1000.0 * k for k in range(1, 13)]
    # reset() rebuilds the kernel with room for every delay: no relay, the same output
    prj.set(weight=12.0)
    sim.reset()
    assert prj._relays is None
    assert set(prj.nest_connections.get("source")) <= set(prj.pre.node_collection.tolist())
    sim.run(100.0)
    assert nest.network_size == plain_size  # (after the first run: the kernel's own idle pair exists then)
    seg = prj.post.get_data().segments[-1]
    assert [np.asarray(st.magnitude).tolist() for st in seg.spiketrains] == reference


def test_relays_with_min_delay_given_and_max_delay_auto():
    # with min_delay given, NEST's range is [min_delay, 1 ms]: longer delays after a run are relayed too
    # (the same output as the network made up front, where min_delay changes nothing)
    _, spikes, v = _late_fan(False)
    _, late_spikes, late_v = _late_fan(True, min_delay=0.5)
    assert late_spikes == spikes
    np.testing.assert_array_equal(late_v, v)


def test_plastic_projection_cannot_get_a_longer_delay_by_set_after_run():
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence(),
                             weight=0.5, delay=2.0)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="stdp")
    sim.run(10.0)
    # (a plastic network gets no reserve beyond its longest delay: NEST's range is [dt, 2 ms])
    with pytest.raises(errors.NotSupportedError, match=r"'stdp'.*25 ms.*\(2 ms\).*setup\(max_delay"):
        prj.set(delay=25.0)
    assert np.all(prj.get("delay", format="array") == 2.0)  # nothing changed
    assert np.all(np.asarray(prj.nest_connections.get("delay")) == 2.0)
    prj.set(delay=1.5)  # within the range: fine
    assert np.all(np.asarray(prj.nest_connections.get("delay")) == 1.5)
    sim.run(10.0)


@pytest.mark.parametrize("low,high", [(0.1, 5.0), (1.0, 5.0), (2.0, 3.0)])
def test_relay_legs_lie_in_nest_delay_range(low, high):
    """Every leg of a relay chain lies in NEST's fixed delay range [low, high] and the legs add
    up to the delay; a range narrower than twice its minimum cannot relay every delay, and
    says which."""
    from pyNN.nest.delay_relays import RelayChains
    nest.ResetKernel()  # a kernel with the given range (the library pins NEST's minimum to dt)
    nest.SetKernelStatus({"resolution": 0.1})
    nest.SetKernelStatus({"min_delay": low, "max_delay": high})
    relays = RelayChains()
    delays = np.round(np.arange(high + 0.1, 40.0, 0.1), 1)
    depth, last = relays.split(delays)
    link = relays.stage_steps * 0.1
    assert low - 1e-9 <= link <= high + 1e-9 and np.all(depth >= 1)
    np.testing.assert_allclose(depth * link + last, delays, atol=1e-9)
    fits = (last >= low - 1e-9) & (last <= high + 1e-9)
    if high >= 2 * low:
        assert np.all(fits) and relays.unreachable(delays) is None
    else:
        assert not np.all(fits) and relays.unreachable(delays) == pytest.approx(delays[~fits][0])


def test_explicit_min_delay_leaves_max_delay_unlimited_before_the_first_run():
    sim.setup(timestep=0.1, min_delay=1.0)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    cells = sim.Population(1, sim.IF_curr_exp())
    sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=5.0, delay=25.0))
    cells.record("spikes")
    sim.run(40.0)
    assert nest.GetKernelStatus(["min_delay", "max_delay"]) == pytest.approx((1.0, 25.0))
    spikes = _spike_lists(cells)[0]
    assert len(spikes) == 1 and 27.0 < spikes[0] < 40.0  # the input arrives at 27 ms


def _isyn_cell():
    point = sim.PointNeuron(sim.LIF(), AMPA=sim.CurrExpPostSynapticResponse(tau_syn=3.0))
    post = sim.Population(2, point, label="isyn cells")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[4.0, 9.5]), label="isyn source")
    sim.Projection(source, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.2, delay=0.5),
                   receptor_type="AMPA")
    return post


def test_receptor_current_recording_must_start_with_the_segment():
    """NEST does not expose a receptor current: the library rebuilds the last sample of each
    run from the spikes since the last delivered sample, so it must know the current when
    recording starts: at time 0 of a segment, or for cells recorded until then."""
    post = _isyn_cell()
    sim.run(5.0)
    with pytest.raises(errors.NotSupportedError, match="AMPA.isyn.*isyn cells.*reset"):
        post.record("AMPA.isyn")
    assert post.recorder.recorded.get("AMPA.isyn") is None  # a refused record() changes nothing
    sim.reset()
    post.record("AMPA.isyn")  # at the start of the new segment
    sim.run(5.0)
    first = post.get_data("AMPA.isyn", clear=True).segments[-1].analogsignals[0]
    sim.run(5.0)  # cells recorded until now: recording goes on, from the last sample
    second = post.get_data("AMPA.isyn").segments[-1].analogsignals[0]
    assert first.magnitude[-1, 0] == pytest.approx(0.2 * np.exp(-0.5 / 3.0), rel=1e-12)
    assert second.magnitude[0, 0] == first.magnitude[-1, 0]
    # 9.5 + 0.5 arrives in the last step of the second run
    assert second.magnitude[-1, 0] == pytest.approx(0.2 * np.exp(-5.5 / 3.0) + 0.2, rel=1e-12)
