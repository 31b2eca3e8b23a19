"""Brian2-specific behaviour: code generation target, exact reset of objects created after a
run, refused projections, delays on the grid, plastic synapses."""

import os
import tempfile
import warnings

import numpy as np
import pytest

from pyNN import errors

sim = pytest.importorskip("pyNN.brian2")
brian2 = pytest.importorskip("brian2")

#: compiled Cython code of these tests is kept here, so only the first test run compiles
CACHE = os.path.join(tempfile.gettempdir(), "pynn_brian2_test_cache")


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=0.1)
    yield
    sim.end()


def _lif_network():
    """One LIF cell driven by a spike source and a DC source; returns (cell, source)."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0, 4.0, 9.0]), label="in")
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=10.0, v_thresh=-60.0, tau_refrac=1.0), label="cell")
    cell.initialize(v=-65.0)
    sim.Projection(source, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.5, delay=1.0))
    dc = sim.DCSource(amplitude=0.2, start=3.0, stop=8.0)
    cell.inject(dc)
    cell.record(["v", "spikes"])
    return cell, source


# --- code generation target ----------------------------------------------------------------------

def test_target_comes_from_setup_then_environment(monkeypatch):
    sim.setup(timestep=0.1, codegen_target="numpy")
    assert sim.state.codegen_target == "numpy" and brian2.prefs.codegen.target == "numpy"
    monkeypatch.setenv("PYNN_BRIAN2_TARGET", "cython")
    assert sim.simulator.default_target() == "cython"
    monkeypatch.delenv("PYNN_BRIAN2_TARGET")
    # a fresh machine has Cython: compiled code is the default
    assert sim.simulator.default_target() == "cython"


def test_unsupported_targets_are_refused():
    with pytest.raises(NotImplementedError, match="cpp_standalone"):
        sim.setup(timestep=0.1, codegen_target="cpp_standalone")
    with pytest.raises(errors.InvalidParameterValueError, match="codegen_target"):
        sim.setup(timestep=0.1, codegen_target="fortran")
    sim.setup(timestep=0.1, threads=2)  # a NEST option: ignored here


def _compiled_modules():
    if not os.path.isdir(CACHE):
        return set()
    return {name for name in os.listdir(CACHE) if name.endswith(".so")}


def test_cython_target_gives_the_numpy_results(caplog):
    results = {}
    for target in ("numpy", "cython"):
        sim.setup(timestep=0.1, codegen_target=target, cache_dir=CACHE)
        # few Brian2 objects: compiling takes several seconds per code object on a fresh cache
        cell = sim.Population(1, sim.IF_curr_exp(tau_m=10.0, v_thresh=-60.0, tau_refrac=1.0, i_offset=0.8))
        cell.record(["v", "spikes"])
        before = _compiled_modules()
        caplog.clear()
        with caplog.at_level("INFO", logger="PyNN"):
            sim.run(12.0)
        # first-use compiles are announced, with the number of modules; a warm cache is silent
        new_modules = len(_compiled_modules() - before)
        messages = [r.getMessage() for r in caplog.records]
        announced = [m for m in messages if "compiling the network's code with Cython" in m]
        if new_modules:
            assert announced and any(f"{new_modules} Cython module(s)" in m for m in announced), messages
        else:
            assert not announced, messages
        seg = cell.get_data().segments[0]
        results[target] = (np.asarray(seg.analogsignals[0].magnitude)[:, 0],
                           np.asarray(seg.spiketrains[0].magnitude))
    assert brian2.prefs.codegen.target == "cython"
    assert os.listdir(CACHE), "no compiled code was cached"
    np.testing.assert_allclose(results["cython"][0], results["numpy"][0], atol=1e-9)
    np.testing.assert_array_equal(results["cython"][1], results["numpy"][1])
    assert len(results["numpy"][1]) >= 1


# --- reset ---------------------------------------------------------------------------------------------

def test_reset_restores_objects_created_after_the_first_run():
    """Everything made after a run (population, projection, current source, recording) starts
    again from its initial state after reset(), exactly as in a network built before any run."""
    first, _ = _lif_network()
    sim.run(5.0)
    late_source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 3.0, 6.0]), label="late in")
    late = sim.Population(1, sim.IF_cond_exp(tau_m=10.0, v_thresh=-60.0), label="late")
    late.initialize(v=-64.0)
    sim.Projection(late_source, late, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02, delay=0.5))
    late.inject(sim.StepCurrentSource(times=[2.0, 5.0], amplitudes=[0.3, 0.0]))
    late.record(["v", "gsyn_exc", "spikes"])
    sim.run(7.0)
    n_objects = len(sim.state.network.objects)
    sim.reset()
    assert len(sim.state.network.objects) == n_objects
    sim.run(12.0)
    late_trace = np.asarray(late.get_data().segments[1].filter(name="v")[0].magnitude)[:, 0]
    late_g = np.asarray(late.get_data().segments[1].filter(name="gsyn_exc")[0].magnitude)[:, 0]
    first_trace = np.asarray(first.get_data().segments[1].filter(name="v")[0].magnitude)[:, 0]

    # the same network, all built before the first run
    sim.setup(timestep=0.1)
    first_ref, _ = _lif_network()
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 3.0, 6.0]))
    ref = sim.Population(1, sim.IF_cond_exp(tau_m=10.0, v_thresh=-60.0))
    ref.initialize(v=-64.0)
    sim.Projection(src, ref, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02, delay=0.5))
    ref.inject(sim.StepCurrentSource(times=[2.0, 5.0], amplitudes=[0.3, 0.0]))
    ref.record(["v", "gsyn_exc", "spikes"])
    sim.run(12.0)
    seg = ref.get_data().segments[0]
    np.testing.assert_allclose(late_trace, seg.filter(name="v")[0].magnitude[:, 0], atol=1e-12)
    np.testing.assert_allclose(late_g, seg.filter(name="gsyn_exc")[0].magnitude[:, 0], atol=1e-15)
    assert late_g.max() > 0.01  # the input arrived
    np.testing.assert_allclose(first_trace, first_ref.get_data().segments[0].filter(name="v")[0].magnitude[:, 0],
                               atol=1e-12)


def test_reset_keeps_parameters_set_after_the_snapshot():
    cell = sim.Population(2, sim.IF_curr_exp(i_offset=0.0))
    cell.record("v")
    sim.run(5.0)
    cell.set(i_offset=np.array([0.0, 0.5]))
    sim.reset()
    sim.run(5.0)
    v = cell.get_data().segments[1].analogsignals[0].magnitude
    assert abs(v[-1, 0] - (-65.0)) < 1e-9 and v[-1, 1] > -64.0


def test_spikes_while_recording_was_stopped_are_not_data():
    cell = sim.Population(1, sim.IF_curr_exp(i_offset=3.0, tau_refrac=2.0))
    cell.record("spikes")
    sim.run(30.0)
    first = cell.get_data().segments[0].spiketrains[0].magnitude.copy()
    cell.record(None)
    sim.run(30.0)
    cell.record("spikes")
    sim.run(30.0)
    spikes = cell.get_data().segments[0].spiketrains[0].magnitude
    assert len(first) >= 2
    assert not np.any((spikes > 30.0 + 1e-9) & (spikes < 60.0 - 1e-9))
    assert np.any(spikes > 60.0)


# --- projections ---------------------------------------------------------------------------------------

def test_refused_projection_leaves_nothing_in_the_network():
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(3, sim.IF_cond_exp())
    n_objects = len(sim.state.network.objects)
    with pytest.raises(errors.ConnectionError):
        sim.Projection(pre, post, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=np.array([[0.1, -0.1, 0.1]] * 3), delay=1.0))
    with pytest.raises(errors.ConnectionError):
        sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=-0.1, delay=1.0),
                       receptor_type="excitatory")
    assert len(sim.state.network.objects) == n_objects
    assert not sim.state.projections
    post.record("v")
    sim.run(5.0)  # the network still runs
    assert sim.get_current_time() == 5.0


def test_one_synapses_object_per_projection_connected_in_one_call():
    """A plastic projection (state of its own per synapse) has a Synapses object of its own;
    both are made before the first run (sharing: see test_brian2_sharing.py)."""
    pre = sim.Population(20, sim.SpikeSourcePoisson(rate=10.0))
    post = sim.Population(30, sim.IF_cond_exp())
    rng = sim.NumpyRNG(seed=1)
    plastic = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.3, rng=rng),
                             sim.TsodyksMarkramSynapse(weight=0.01, delay=0.5))
    static = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.3, rng=rng),
                            sim.StaticSynapse(weight=0.02, delay=0.5))
    assert not plastic._synapses and not static._synapses
    sim.run(0.1)
    for prj, weight in ((plastic, 0.01), (static, 0.02)):
        assert len(prj._synapses) == 1
        syn = prj._synapses[0][0]
        assert len(syn) == len(prj)
        np.testing.assert_array_equal(syn.i[:], prj._pre)
        np.testing.assert_array_equal(syn.j[:], prj._post)
        if prj is static:  # one weight: a constant of the object (pyNN/brian2/synapse_weights.py)
            assert "weight" not in syn.variables
            assert float(syn.namespace["weight"]) == pytest.approx(weight * 1e-6)
        else:
            np.testing.assert_allclose(syn.weight_[:], weight * 1e-6)


def test_delay_below_one_step_is_an_error_never_zero():
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(1, sim.IF_curr_delta())
    with pytest.raises(errors.ConnectionError, match="below the minimum delay"):
        sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=0.05))


def test_off_grid_delay_is_rounded_and_arrives_on_the_grid():
    """0.14 ms becomes one step: a source's spike at 1.0 ms arrives at 1.1 ms, where the
    voltage jump makes the relay cell fire (in the step it arrives, as on NEST); the relay's
    spike reaches the next cell one step later."""
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    relay = sim.Population(1, sim.IF_curr_delta(v_thresh=-60.0, tau_refrac=5.0))
    post = sim.Population(1, sim.IF_curr_delta(tau_m=1e4))
    for p in (relay, post):
        p.initialize(v=-65.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prj = sim.Projection(pre, relay, sim.OneToOneConnector(), sim.StaticSynapse(weight=10.0, delay=0.14))
    assert any(issubclass(w.category, errors.RoundingWarning) for w in caught)
    assert prj.get("delay", format="list", with_address=False) == pytest.approx([0.1])
    sim.Projection(relay, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=0.1))
    relay.record("spikes")
    post.record("v")
    sim.run(3.0)
    spike = relay.get_data().segments[0].spiketrains[0].magnitude
    assert spike.tolist() == pytest.approx([1.1])
    sig = post.get_data().segments[0].analogsignals[0]
    t, v_post = sig.times.magnitude, sig.magnitude[:, 0]
    assert t[np.flatnonzero(v_post > -64.5)[0]] == pytest.approx(1.2)


def test_homogeneous_get_returns_a_scalar():
    p = sim.Population(4, sim.IF_cond_exp(tau_m=12.0))
    assert p.get("tau_m") == 12.0
    assert isinstance(p.get("tau_m"), float)


def test_stdp_onto_conductance_cells_and_refusals():
    """STDP weights in uS onto IF_cond_exp stay within [w_min, w_max] and change; an
    unsupported combination is refused clearly (the exact values: test_stdp.py)."""
    pre = sim.Population(2, sim.SpikeSourcePoisson(rate=80.0))
    post = sim.Population(2, sim.IF_cond_exp(i_offset=2.0))
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=0.05, A_minus=0.06),
                             weight_dependence=sim.MultiplicativeWeightDependence(w_min=0.001, w_max=0.02),
                             weight=0.01, delay=1.0)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    sim.run(200.0)
    w = np.asarray(prj.get("weight", format="list", with_address=False), float)
    assert np.all((w >= 0.001) & (w <= 0.02)) and np.all(w != 0.01)
    soft_vogels = sim.STDPMechanism(timing_dependence=sim.Vogels2011Rule(),
                                    weight_dependence=sim.MultiplicativeWeightDependence(), weight=0.01, delay=1.0)
    with pytest.raises(errors.NoModelAvailableError, match="Brian2.*additive only"):
        sim.Projection(pre, post, sim.AllToAllConnector(), soft_vogels)


def test_tsodyks_markram_depresses_successive_responses():
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 10.0, 15.0]))
    post = sim.Population(1, sim.IF_cond_exp())
    sim.Projection(pre, post, sim.OneToOneConnector(),
                   sim.TsodyksMarkramSynapse(weight=0.01, delay=1.0, U=0.5, tau_rec=100.0, tau_facil=0.0))
    post.record("gsyn_exc")
    sim.run(20.0)
    sig = post.get_data().segments[0].analogsignals[0]
    g = sig.magnitude[:, 0]
    t = sig.times.magnitude
    decay = np.exp(-0.1 / 5.0)  # one step of the default tau_syn_E
    jumps = [g[np.isclose(t, s + 1.0)][0] - decay * g[np.isclose(t, s + 0.9)][0] for s in (5.0, 10.0, 15.0)]
    # three-state model (doc/behaviour.md) with tau_psc = tau_syn_E = 5 ms: after the first
    # spike x = y = 0.5; the active half decays into the recovering pool, which refills x
    p_zz, p_yy = np.exp(-5.0 / 100.0), np.exp(-5.0 / 5.0)
    p_xy = ((p_zz - 1) * 100.0 - (p_yy - 1) * 5.0) / (5.0 - 100.0)
    x2 = 0.5 + p_xy * 0.5
    np.testing.assert_allclose(jumps[0], 0.01 * 0.5, rtol=1e-6)
    np.testing.assert_allclose(jumps[1], 0.01 * 0.5 * x2, rtol=1e-3)
    assert jumps[2] < jumps[1]


# --- homogeneous parameters as constants ---------------------------------------------------------

def test_homogeneous_parameters_are_constants_until_set_makes_them_differ():
    shared = sim.Population(3, sim.IF_cond_exp(i_offset=1.0, tau_m=20.0, tau_refrac=2.0))
    per_cell = sim.Population(3, sim.IF_cond_exp(i_offset=1.0, tau_m=np.array([20.0, 10.0, 20.0]),
                                                 tau_refrac=np.array([2.0, 5.0, 2.0])))
    assert {"inv_tau_m", "ref_steps", "v_thresh"} <= set(shared.group.namespace)
    assert not {"inv_tau_m", "ref_steps"} & set(per_cell.group.namespace)
    for p in (shared, per_cell):
        p.record(["v", "spikes"])
    sim.run(30.0)
    shared[1:2].set(tau_m=20.0)  # the same value: still a constant
    assert "inv_tau_m" in shared.group.namespace
    shared[1:2].set(tau_m=10.0, tau_refrac=5.0)
    assert not {"inv_tau_m", "ref_steps"} & set(shared.group.namespace)
    assert list(shared.get("tau_m")) == [20.0, 10.0, 20.0]
    assert list(shared.get("tau_refrac")) == [2.0, 5.0, 2.0]
    sim.reset()
    sim.run(30.0)
    first = shared.get_data().segments[0].analogsignals[0].magnitude
    a = shared.get_data().segments[1].analogsignals[0].magnitude
    b = per_cell.get_data().segments[1].analogsignals[0].magnitude
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[:, 0], first[:, 0])  # cell 0 is unchanged
    assert np.abs(a[:, 1] - first[:, 1]).max() > 1.0  # cell 1 now has tau_m = 10 ms
    assert [len(s) for s in shared.get_data().segments[1].spiketrains] == \
        [len(s) for s in per_cell.get_data().segments[1].spiketrains]


def test_a_new_homogeneous_value_replaces_the_constant():
    changed = sim.Population(2, sim.IF_cond_exp(i_offset=1.0, tau_m=20.0))
    reference = sim.Population(2, sim.IF_cond_exp(i_offset=1.0, tau_m=10.0))
    for p in (changed, reference):
        p.record("v")
    sim.run(10.0)
    changed.set(tau_m=10.0)
    assert "inv_tau_m" in changed.group.namespace
    sim.reset()
    sim.run(10.0)
    np.testing.assert_array_equal(changed.get_data().segments[1].analogsignals[0].magnitude,
                                  reference.get_data().segments[1].analogsignals[0].magnitude)


def test_synapse_recording_started_off_the_sampling_grid_of_time_zero():
    """A recording that starts at 0.3 ms with samples every 1 ms: the Brian2 monitor (whose
    clock ticks from t = 0) samples every step, and the samples are the values read at
    1.3, 2.3, ... ms by stepping the run."""
    def network():
        sim.setup(timestep=0.1)
        pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[[0.5, 1.5, 2.5], [1.0, 2.0]]))
        post = sim.Population(2, sim.IF_cond_exp())
        prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                             sim.TsodyksMarkramSynapse(weight=0.01, delay=0.5, U=0.5, tau_rec=20.0))
        sim.run(0.3)
        return prj

    prj = network()
    prj.record("x", sampling_interval=1.0)
    sim.run(3.0)
    recorded = np.asarray(prj.get_data().segments[0].analogsignals[0].magnitude)
    sim.end()
    prj = network()
    stepped = [prj._read_synapse_state("x")]
    for _ in range(3):
        sim.run(1.0)
        stepped.append(prj._read_synapse_state("x"))
    assert recorded.shape == (4, 4)
    np.testing.assert_array_equal(recorded, np.array(stepped))
    assert np.ptp(recorded) > 0.1  # the synapses depressed, so the comparison means something


def test_connecting_raises_no_deprecation_warning_from_the_library():
    """Connecting writes Brian2's synapse arrays directly (projections._connect_arrays): no
    numpy DeprecationWarning from the library's code on the way (Brian2's own, e.g. from
    pyparsing, are not ours)."""
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(2, sim.IF_curr_exp())
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=DeprecationWarning, module=r"pyNN\.")
        prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.1))
        sim.run(2.0)
    assert len(prj) == 6
