"""Behaviour specific to the hardware-emulation backend (``pyNN.hardware``): the compiled
and pure-numpy engine paths, the ready-made profile modules, map-only mode, and the
errors for what a profile or the engine cannot do."""

import importlib
import warnings

import numpy as np
import pytest

from pyNN import errors

sim = pytest.importorskip("pyNN.hardware")
from pyNN.hardware.engine import kernels  # noqa: E402




def small_network(seed=7):
    """Poisson input onto a conductance-based and a current-based population that are
    connected recurrently; returns (populations, total spike count)."""
    sim.setup(timestep=0.1, seed=seed)
    rng = sim.NumpyRNG(seed=11)
    stim = sim.Population(30, sim.SpikeSourcePoisson(rate=80.0), label="stim")
    cond = sim.Population(60, sim.IF_cond_exp(tau_refrac=2.0, v_thresh=-55.0), label="cond",
                          initial_values={"v": sim.RandomDistribution("uniform", (-65.0, -56.0), rng=rng)})
    curr = sim.Population(40, sim.IF_curr_exp(tau_refrac=1.0, v_thresh=-55.0), label="curr")
    alpha = sim.Population(10, sim.IF_curr_alpha(v_thresh=-58.0), label="alpha")
    conn = sim.FixedProbabilityConnector(0.2, rng=rng)
    sim.Projection(stim, cond, conn, sim.StaticSynapse(weight=0.01, delay=0.5), receptor_type="excitatory")
    sim.Projection(stim, curr, conn, sim.StaticSynapse(weight=0.8, delay=1.0), receptor_type="excitatory")
    sim.Projection(cond, curr, conn, sim.StaticSynapse(weight=0.3, delay=0.3), receptor_type="inhibitory")
    sim.Projection(curr, cond, conn, sim.StaticSynapse(weight=0.005, delay=2.0), receptor_type="inhibitory")
    sim.Projection(curr, alpha, conn, sim.StaticSynapse(weight=0.5, delay=0.1), receptor_type="excitatory")
    pops = (cond, curr, alpha)
    for p in pops:
        p.record(["spikes", "v"])
    sim.run(200.0)
    out = {}
    for p in pops:
        seg = p.get_data().segments[0]
        out[p.label] = ([np.asarray(st.magnitude) for st in seg.spiketrains],
                        np.asarray(seg.analogsignals[0].magnitude))
    sim.end()
    return out


@pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba is not installed")
def test_numba_and_numpy_paths_agree():
    previous = kernels.set_use_numba(True)
    try:
        compiled = small_network()
        kernels.set_use_numba(False)
        plain = small_network()
    finally:
        kernels.set_use_numba(previous)
    n_spikes = sum(len(t) for trains, _ in compiled.values() for t in trains)
    assert n_spikes > 50  # the comparison is meaningful
    for label in compiled:
        for a, b in zip(compiled[label][0], plain[label][0]):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(compiled[label][1], plain[label][1], rtol=0, atol=1e-9)


@pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba is not installed")
@pytest.mark.parametrize("cell_name, i_offset", [("HH_cond_exp", 0.5), ("EIF_cond_exp_isfa_ista", 0.6),
                                                 ("EIF_cond_alpha_isfa_ista", 0.6)])
def test_rk4_kernels_match_the_numpy_path(cell_name, i_offset):
    """The compiled RK4 step of the AdExp and HH models gives the numpy path's results
    (to float rounding), with excitatory and inhibitory conductance input."""
    def run():
        sim.setup(timestep=0.1)
        src = sim.Population(3, sim.SpikeSourceArray(spike_times=[[2.0, 9.0, 15.0], [4.0, 11.0], [6.5, 13.0]]))
        cells = sim.Population(2, getattr(sim, cell_name)(i_offset=i_offset))
        cells.initialize(v=[-65.0, -60.0])
        for receptor in ("excitatory", "inhibitory"):
            sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.5),
                           receptor_type=receptor)
        cells.record(["v", "spikes"])
        sim.run(40.0)
        seg = cells.get_data().segments[0]
        out = np.asarray(seg.analogsignals[0].magnitude), [np.asarray(st.magnitude) for st in seg.spiketrains]
        sim.end()
        return out
    previous = kernels.set_use_numba(True)
    try:
        compiled = run()
        kernels.set_use_numba(False)
        plain = run()
    finally:
        kernels.set_use_numba(previous)
    assert sum(len(t) for t in compiled[1]) >= 2
    np.testing.assert_allclose(compiled[0], plain[0], rtol=0, atol=1e-8)
    for a, b in zip(compiled[1], plain[1]):
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_result_and_segments_differ():
    first = small_network(seed=3)
    second = small_network(seed=3)
    for label in first:
        for a, b in zip(first[label][0], second[label][0]):
            np.testing.assert_array_equal(a, b)
    sim.setup(timestep=0.1, seed=3)
    src = sim.Population(20, sim.SpikeSourcePoisson(rate=100.0))
    src.record("spikes")
    sim.run(100.0)
    sim.reset()
    sim.run(100.0)
    seg0, seg1 = src.get_data().segments
    assert any(not np.array_equal(a.magnitude, b.magnitude) for a, b in zip(seg0.spiketrains, seg1.spiketrains))


@pytest.mark.parametrize("module, profile", [
    ("pyNN.hardware", "ideal"), ("pyNN.hardware.ideal", "ideal"), ("pyNN.hardware.spinnaker", "spinnaker1"),
    ("pyNN.hardware.brainscales2", "brainscales2"), ("pyNN.hardware.spikey", "spikey"),
    ("pyNN.hardware.facets.stage1", "spikey"),
])
def test_ready_made_modules_pick_their_profile(module, profile):
    mod = importlib.import_module(module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. a profile's note about its default time step
        mod.setup()
    assert mod.get_profile().name == profile
    expected_dt = float(mod.get_profile().get("dt_default", 0.1)) if module != "pyNN.hardware" else 0.1
    assert mod.get_time_step() == pytest.approx(expected_dt)
    assert profile in mod.list_profiles()
    mod.end()


def test_profile_refuses_cell_types_its_hardware_lacks():
    sim.setup(timestep=1.0, profile="spinnaker1")
    with pytest.raises(errors.NoModelAvailableError, match="HH_cond_exp.*spinnaker1"):
        sim.Population(2, sim.HH_cond_exp())
    sim.setup(timestep=0.1, profile="spikey")
    with pytest.raises(errors.NoModelAvailableError, match="spikey"):
        sim.Population(2, sim.IF_curr_exp())
    sim.end()


def test_map_only_does_not_run():
    sim.setup(timestep=0.1)
    src = sim.Population(5, sim.SpikeSourceArray(spike_times=[1.0, 2.0]), label="src")
    cells = sim.Population(5, sim.IF_curr_exp(), label="cells")
    sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    report = sim.map()
    assert sim.get_current_time() == 0.0
    text = report.summary()
    assert "ideal" in text
    assert isinstance(report.to_dict(), dict)
    assert sim.run(None) == 0.0
    assert sim.get_mapping_report() is report  # nothing changed: no new mapping
    sim.run(5.0)
    assert sim.get_current_time() == pytest.approx(5.0)
    sim.end()


def test_engine_errors_name_the_feature():
    sim.setup(timestep=0.1)
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(2, sim.IF_curr_exp())
    stdp = sim.STDPMechanism(timing_dependence=sim.Vogels2011Rule(),
                             weight_dependence=sim.MultiplicativeWeightDependence(), weight=0.1, delay=1.0)
    with pytest.raises(errors.NoModelAvailableError, match="hardware.*Vogels2011Rule"):
        sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    with pytest.raises(errors.NoModelAvailableError, match="ElectricalSynapse.*hardware"):
        sim.Projection(pre, post, sim.AllToAllConnector(), sim.ElectricalSynapse(weight=0.1))
    hh = sim.Population(1, sim.HH_cond_exp())
    with pytest.raises(errors.NoModelAvailableError, match="source_section.gap"):
        sim.Projection(pre, hh, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0),
                       receptor_type="source_section.gap")
    sim.end()


def test_delay_in_steps_and_exact_psp_onset():
    """A spike emitted at step k with a delay of d steps acts from step k + d; IF_curr_exp
    is integrated exactly, so the PSP equals the analytic one to rounding error."""
    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=10.0, cm=0.25, tau_syn_E=3.0, v_thresh=0.0))
    cell.initialize(v=-65.0)
    sim.Projection(src, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=0.7))
    cell.record("v")
    sim.run(20.0)
    sig = cell.get_data().segments[0].analogsignals[0]
    t = sig.times.rescale("ms").magnitude
    v = sig.magnitude[:, 0]
    s = t - 2.7
    expected = -65.0 + np.where(s >= 0, 0.5 / 0.25 * 10.0 * 3.0 / (10.0 - 3.0)
                                * (np.exp(-np.maximum(s, 0) / 10.0) - np.exp(-np.maximum(s, 0) / 3.0)), 0.0)
    np.testing.assert_allclose(v, expected, atol=1e-9)
    sim.end()




def driven_cells(profile, n=1, celltype=None, params=None, **setup_extra):
    """`n` identical cells (default IF_curr_exp) under constant current (1 ms ticks);
    returns (spike trains, v trace of the first cell)."""
    celltype = celltype or sim.IF_curr_exp
    params = params or dict(i_offset=0.9, tau_refrac=2.0, v_thresh=-52.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.setup(timestep=1.0, profile=profile, **setup_extra)
        cells = sim.Population(n, celltype(**params), label="cells")
        cells.record("spikes")
        cells[0:1].record("v")
        sim.run(300.0)
    seg = cells.get_data().segments[0]
    return [np.asarray(st.magnitude) for st in seg.spiketrains], np.asarray(seg.analogsignals[0].magnitude)


def test_spinnaker1_fixed_point_stays_within_a_tick_of_ideal():
    ideal_spikes, _ = driven_cells("ideal")
    fixed_spikes, fixed_v = driven_cells("spinnaker1")
    assert sim.state.provenance()["numerics"] == "s1615"
    assert type(sim.state.populations[0]._group).__name__ == "LIFCurrExpS1615"
    assert len(ideal_spikes[0]) >= 5 and len(fixed_spikes[0]) == len(ideal_spikes[0])
    np.testing.assert_allclose(fixed_spikes[0], ideal_spikes[0], atol=1.0 + 1e-9)
    # s16.15 values: every sample is a multiple of 2**-15 mV
    np.testing.assert_allclose(fixed_v * 2 ** 15, np.rint(fixed_v * 2 ** 15), atol=1e-6)
    sim.end()


def test_brainscales2_internal_step_and_mismatch():
    trains, _ = driven_cells("brainscales2", n=4, seed=5)
    group = sim.state.populations[0]._group
    assert group.substeps > 1  # a fine internal step
    # fixed-pattern mismatch: identical cells fire differently, reproducibly for one seed
    assert len({tuple(t) for t in trains}) > 1
    again, _ = driven_cells("brainscales2", n=4, seed=5)
    for a, b in zip(trains, again):
        np.testing.assert_array_equal(a, b)
    sim.end()


def test_tsodyks_markram_depression():
    """The first spike of a depressing synapse acts like a static synapse of weight U*w;
    later spikes of a regular train act less (resources recover with tau_rec)."""
    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(10.0, 200.0, 20.0)))
    cells = sim.Population(2, sim.IF_curr_exp(tau_syn_E=3.0, v_thresh=0.0), label="cells")
    cells.initialize(v=-65.0)
    U, w = 0.5, 1.0
    sim.Projection(src, cells[0:1], sim.AllToAllConnector(),
                   sim.TsodyksMarkramSynapse(weight=w, delay=1.0, U=U, tau_rec=100.0, tau_facil=0.0))
    sim.Projection(src, cells[1:2], sim.AllToAllConnector(), sim.StaticSynapse(weight=U * w, delay=1.0))
    cells.record("v")
    sim.run(200.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    dt = sim.get_time_step()
    first = slice(round(11.0 / dt), round(30.0 / dt))
    np.testing.assert_allclose(v[first, 0], v[first, 1], atol=1e-9)
    peaks = [v[round(t / dt):round((t + 19.0) / dt), 0].max() - v[round(t / dt), 0]
             for t in np.arange(11.0, 190.0, 20.0)]
    assert np.all(np.diff(peaks[:5]) < 0)
    assert peaks[-1] < 0.6 * peaks[0]
    sim.end()


def test_stdp_pair_rule_against_hand_computation():
    """One pre spike before and one after a post spike (all of the delay dendritic, as on
    NEST): additive STDP changes the weight by A_plus exp(-(t_post + d - t_pre1)/tau_plus)
    - A_minus exp(-(t_pre2 - d - t_post)/tau_minus)."""
    sim.setup(timestep=0.1)
    d, w0, a_plus, a_minus, tau_plus, tau_minus = 1.0, 0.2, 0.05, 0.04, 20.0, 30.0
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 60.0]), label="pre")
    driver = sim.Population(1, sim.SpikeSourceArray(spike_times=[19.0]), label="driver")
    post = sim.Population(1, sim.IF_curr_delta(v_thresh=-55.0, tau_refrac=1.0), label="post")
    post.initialize(v=-65.0)
    sim.Projection(driver, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=50.0, delay=1.0))
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=tau_plus, tau_minus=tau_minus, A_plus=a_plus, A_minus=a_minus),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0), weight=w0, delay=d)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    post.record("spikes")
    sim.run(100.0)
    np.testing.assert_allclose(post.get_data().segments[0].spiketrains[0].magnitude, [20.0])
    t_post = 20.0
    expected = (w0 + a_plus * np.exp(-(t_post + d - 10.0) / tau_plus)
                - a_minus * np.exp(-(60.0 - d - t_post) / tau_minus))
    assert plastic.get("weight", format="list", with_address=False)[0] == pytest.approx(expected, rel=1e-12)
    sim.reset()  # plastic weights go back to their initial values
    assert plastic.get("weight", format="list", with_address=False)[0] == pytest.approx(w0)
    sim.end()


def test_lenient_recording_limit_gives_nan_for_refused_cells_and_hardware_time():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.setup(timestep=0.1, profile="brainscales2", policy="lenient")
        cells = sim.Population(4, sim.IF_cond_exp(i_offset=0.3), label="cells")
        cells.record(["v", "spikes"])
        sim.run(20.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    refused = np.isnan(v[1:]).all(axis=0)
    assert refused.any() and not refused.all()  # only some analog channels were granted
    assert np.isfinite(v[1:, ~refused]).all()
    counters = sim.state.provenance()
    assert counters["estimated_hardware_time_ms"] == pytest.approx(20.0 / sim.get_profile().get("speedup"))
    sim.end()


def test_adexp_without_exponential_term_is_a_lif():
    """With delta_T = 0 and no adaptation, EIF_cond_exp_isfa_ista (RK4 on internal steps)
    is a LIF: its first spike is at the analytic first-passage time, within one step."""
    sim.setup(timestep=0.1)
    params = dict(delta_T=0.0, a=0.0, b=0.0, tau_m=10.0, cm=0.2, v_rest=-70.0, v_thresh=-55.0,
                  v_reset=-70.0, i_offset=0.4, tau_refrac=2.0)
    cell = sim.Population(1, sim.EIF_cond_exp_isfa_ista(**params))
    cell.initialize(v=-70.0)
    cell.record("spikes")
    sim.run(50.0)
    spikes = cell.get_data().segments[0].spiketrains[0].magnitude
    v_inf = -70.0 + 10.0 / 0.2 * 0.4
    t_first = 10.0 * np.log((v_inf + 70.0) / (v_inf + 55.0))
    assert len(spikes) >= 2
    assert abs(spikes[0] - t_first) <= sim.get_time_step() + 1e-9
    isi = 2.0 + t_first
    np.testing.assert_allclose(np.diff(spikes), isi, atol=sim.get_time_step() + 1e-9)
    sim.end()


def test_brainscales2_event_rate_limit_per_driver():
    """Events beyond a synapse driver's bandwidth (one per minimum event gap) in one step
    are dropped and counted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.setup(timestep=0.1, profile="brainscales2")
        src = sim.Population(100, sim.SpikeSourceArray(spike_times=[5.0, 10.0]), label="src")
        cells = sim.Population(2, sim.IF_cond_exp(), label="cells")
        sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.001, delay=0.1))
        sim.run(20.0)
    numerics = sim.state.mapping.numerics
    cap = int(np.floor(0.1 / numerics["event_min_gap"] + 1e-9))
    drivers = np.asarray(numerics["driver_index"]["src→cells"]).reshape(2, 100)[0]  # (post, pre) order
    sources_per_driver = np.bincount(drivers)
    expected_dropped = 2 * int(np.maximum(sources_per_driver - cap, 0).sum())
    assert expected_dropped > 0
    counters = sim.state.provenance()
    assert counters["rate_limited_events"] == expected_dropped
    sim.end()


def test_backend_works_without_numba():
    """With numba not importable, the engine falls back to numpy and runs."""
    import os
    import subprocess
    import sys
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "import pyNN.hardware as sim\n"
        "from pyNN.hardware.engine import kernels\n"
        "assert not kernels.HAVE_NUMBA and not kernels.use_numba()\n"
        "sim.setup(timestep=0.1)\n"
        "src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))\n"
        "cell = sim.Population(1, sim.IF_cond_exp())\n"
        "sim.Projection(src, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01, delay=1.0))\n"
        "cell.record('v')\n"
        "sim.run(10.0)\n"
        "v = cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]\n"
        "assert v[25] > v[20] and v[20] == -65.0\n"
        "print('ok')\n")
    env = dict(os.environ)
    root = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)
    env["PYTHONPATH"] = os.path.abspath(root) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")


# --- agreement of each hardware profile with `ideal` (noise off, representable values) ----------

def _input_trains(t_stop):
    return [list(np.arange(5.0, t_stop, 7.0)), list(np.arange(9.0, t_stop, 13.0))]


def _realised_parameters(profile, celltype, params, dt, **overrides):
    """The parameter values `profile` realises for one cell (so that `ideal` can be given
    exactly the values the profile represents)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.setup(timestep=dt, profile=profile, **overrides)
        sim.Population(1, celltype(**params), label="cells")
        realised = {k: float(v[0]) for k, v in sim.state.map().parameters["cells"].items()}
    sim.end()
    return realised


def _synaptic_drive(profile, celltype, params, weight, dt, delay, t_stop=200.0, v0=None, **overrides):
    """One cell driven by two regular input trains through excitatory synapses; returns
    (spike times, v trace sampled every step)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.setup(timestep=dt, profile=profile, **overrides)
        src = sim.Population(2, sim.SpikeSourceArray(spike_times=_input_trains(t_stop)), label="src")
        cells = sim.Population(1, celltype(**params), label="cells")
        if v0 is not None:
            cells.initialize(v=v0)
        sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight, delay=delay),
                       receptor_type="excitatory")
        cells.record(["spikes", "v"])
        sim.run(t_stop)
        seg = cells.get_data().segments[0]
        out = (np.asarray(seg.spiketrains[0].magnitude), np.asarray(seg.analogsignals[0].magnitude)[:, 0])
    group = sim.state.populations[1]._group
    sim.end()
    return out, group


#: cell type -> (parameters, weight, ticks by which an input acts earlier than on ideal,
#: bound on |v - v_ideal| in mV); weights are multiples of the profile's weight LSB
SPINNAKER_LIF = {
    "IF_curr_exp": (dict(tau_m=10.0, cm=1.0, tau_syn_E=5.0), 2.0, 1, 0.05),
    "IF_curr_alpha": (dict(tau_m=10.0, cm=1.0, tau_syn_E=5.0), 1.0, 0, 16 * 2.0 ** -15),
    "IF_curr_delta": (dict(tau_m=10.0, cm=1.0), 4.0, 0, 16 * 2.0 ** -15),
}


@pytest.mark.parametrize("cell_name", sorted(SPINNAKER_LIF) + ["IF_cond_exp"])
def test_spinnaker1_agrees_with_ideal_under_constant_current(cell_name):
    """Bound (doc/hardware_engine.md): constant drive, no synaptic input -> the same spike
    ticks and v within 8 LSB (2**-12 mV) of ideal at every tick."""
    celltype = getattr(sim, cell_name)
    params = dict(i_offset=0.9, tau_refrac=2.0, v_thresh=-52.0)
    ideal = driven_cells("ideal", celltype=celltype, params=params)
    fixed = driven_cells("spinnaker1", celltype=celltype, params=params)
    assert type(sim.state.populations[0]._group).__name__.endswith("S1615")  # integer s16.15 arithmetic
    sim.end()
    assert len(ideal[0][0]) >= 5
    np.testing.assert_array_equal(fixed[0][0], ideal[0][0])
    np.testing.assert_allclose(fixed[1][:, 0], ideal[1][:, 0], rtol=0, atol=8 * 2.0 ** -15)


@pytest.mark.parametrize("cell_name", sorted(SPINNAKER_LIF))
def test_spinnaker1_current_based_agrees_with_ideal_under_synaptic_input(cell_name):
    """Bound (doc/hardware_engine.md): representable weights (multiples of the weight LSB).
    IF_curr_exp follows sPyNNaker's order (input added before the membrane update), so an
    input acts one tick earlier: spinnaker1 with delay d has exactly the spike ticks of ideal
    with delay d - 1 and v within 0.05 mV (the current held over a tick, scaled by `init`).
    IF_curr_alpha/delta use the ideal engine's propagators in s16.15: the same spike ticks
    as ideal with the same delay and v within 16 LSB. Against ideal with the same delay
    every spike is within one tick."""
    celltype = getattr(sim, cell_name)
    extra, weight, lead, v_bound = SPINNAKER_LIF[cell_name]
    params = dict(tau_refrac=2.0, v_thresh=-55.0, **extra)
    (fixed_t, fixed_v), group = _synaptic_drive("spinnaker1", celltype, params, weight, 1.0, 2.0, t_stop=300.0)
    assert type(group).__name__.endswith("S1615")
    (early_t, early_v), _ = _synaptic_drive("ideal", celltype, params, weight, 1.0, 2.0 - lead, t_stop=300.0)
    (same_t, _), _ = _synaptic_drive("ideal", celltype, params, weight, 1.0, 2.0, t_stop=300.0)
    assert len(early_t) >= 10
    np.testing.assert_array_equal(fixed_t, early_t)
    np.testing.assert_allclose(fixed_v, early_v, rtol=0, atol=v_bound)
    assert len(same_t) == len(fixed_t)
    np.testing.assert_allclose(fixed_t, same_t, rtol=0, atol=1.0 + 1e-9)
    np.testing.assert_allclose(fixed_v * 2 ** 15, np.rint(fixed_v * 2 ** 15), atol=1e-6)  # on the s16.15 grid


def test_spinnaker1_cond_exp_agrees_with_ideal_under_synaptic_input():
    """Bound (doc/hardware_engine.md): IF_cond_exp in s16.15 holds g (E - v) of the start
    of a tick over the tick (sPyNNaker's conductance input) and, like IF_curr_exp, takes
    input one tick earlier. Subthreshold, v stays within 1 % of its excursion from rest of
    ideal with delay d - 1; firing, the spike count is within 5 % and the spikes are within
    one tick of ideal's up to the first spike gained or lost where v grazes the threshold
    (after which the trains realign with the input)."""
    params = dict(tau_m=10.0, cm=1.0, tau_syn_E=5.0, tau_refrac=2.0)
    for v_thresh in (-40.0, -55.0):
        params["v_thresh"] = v_thresh
        (fixed_t, fixed_v), group = _synaptic_drive("spinnaker1", sim.IF_cond_exp, params, 0.03125, 1.0, 2.0,
                                                    t_stop=300.0)
        assert type(group).__name__ == "LIFCondExpS1615"
        (early_t, early_v), _ = _synaptic_drive("ideal", sim.IF_cond_exp, params, 0.03125, 1.0, 1.0,
                                                t_stop=300.0)
        if v_thresh == -40.0:  # never reached
            assert len(early_t) == len(fixed_t) == 0
            excursion = np.abs(early_v + 65.0).max()
            assert excursion > 10.0
            np.testing.assert_allclose(fixed_v, early_v, rtol=0, atol=0.01 * excursion)
        else:
            assert len(early_t) >= 20 and abs(len(fixed_t) - len(early_t)) <= 0.05 * len(early_t)
            n = min(len(fixed_t), len(early_t))
            off = np.flatnonzero(np.abs(fixed_t[:n] - early_t[:n]) > 1.0 + 1e-9)
            first_off = off[0] if off.size else n
            assert first_off >= 10


@pytest.mark.parametrize("profile, cell_name, weight, overrides", [
    ("brainscales2", "IF_curr_exp", 2.0, dict(weight_lsb_current=1.0)),
    ("brainscales2", "IF_cond_exp", 0.02, dict(weight_lsb_conductance=0.01)),
    ("spikey", "IF_facets_hardware1", 0.012, dict(weight_rounding="nearest")),
])
def test_analog_profile_agrees_with_ideal_on_its_internal_step(profile, cell_name, weight, overrides):
    """Bound (doc/hardware_engine.md): with mismatch and trial noise off, integer weights and
    the realised (CapMem-quantised) parameters, an analog profile at time step dt is ideal
    run at its internal step h (same inputs, the profile's one-step delay): v equal at every
    dt (1e-9 mV) and every spike time the ideal one rounded up to the dt grid
    (0 <= difference < dt)."""
    celltype = getattr(sim, cell_name)
    params = {"IF_facets_hardware1": dict(g_leak=40.0, tau_syn_E=5.0, v_thresh=-55.0)}.get(
        cell_name, dict(tau_m=10.0, cm=1.0, tau_syn_E=5.0, v_thresh=-55.0, tau_refrac=2.0))
    dt = 0.1
    realised = _realised_parameters(profile, celltype, params, dt, noise="off", **overrides)
    (hw_t, hw_v), group = _synaptic_drive(profile, celltype, realised, weight, dt, None, v0=realised["v_rest"],
                                          noise="off", **overrides)
    h = group.h
    assert group.substeps == round(dt / h) > 1
    (fine_t, fine_v), _ = _synaptic_drive("ideal", celltype, realised, weight, h, dt, v0=realised["v_rest"])
    assert len(fine_t) >= 10 and len(hw_t) == len(fine_t)
    lag = hw_t - fine_t
    assert np.all(lag >= -1e-9) and np.all(lag < dt - 1e-9)
    np.testing.assert_allclose(hw_t / dt, np.rint(hw_t / dt), atol=1e-6)
    stride = round(dt / h)
    np.testing.assert_allclose(hw_v, fine_v[::stride][:hw_v.size], rtol=0, atol=1e-9)


@pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba is not installed")
@pytest.mark.parametrize("cell_name, weight", [("IF_curr_exp", 3.0), ("IF_cond_exp", 0.6)])
def test_spinnaker1_compiled_tick_is_bit_identical(cell_name, weight):
    """The compiled s16.15 tick gives exactly the numpy integer tick's state, spikes and
    saturation counts (here with a ring buffer that saturates)."""
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim.setup(timestep=1.0, profile="spinnaker1", policy="lenient", max_expected_summed_weight=weight)
            src = sim.Population(40, sim.SpikeSourcePoisson(rate=60.0), label="src")
            cells = sim.Population(5, getattr(sim, cell_name)(i_offset=0.1, tau_refrac=2.0), label="cells")
            for receptor, w in (("excitatory", weight), ("inhibitory", weight / 4)):
                sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=w, delay=1.0),
                               receptor_type=receptor)
            cells.record(["v", "spikes"])
            sim.run(200.0)
        seg = cells.get_data().segments[0]
        out = (np.asarray(seg.analogsignals[0].magnitude), [np.asarray(st.magnitude) for st in seg.spiketrains],
               {k: sim.state.provenance().get(k, 0) for k in ("saturations", "ring_buffer_saturations")})
        sim.end()
        return out
    previous = kernels.set_use_numba(True)
    try:
        compiled = run()
        kernels.set_use_numba(False)
        plain = run()
    finally:
        kernels.set_use_numba(previous)
    np.testing.assert_array_equal(compiled[0], plain[0])
    for a, b in zip(compiled[1], plain[1]):
        np.testing.assert_array_equal(a, b)
    assert compiled[2] == plain[2] and compiled[2]["ring_buffer_saturations"] > 0
    assert sum(len(t) for t in compiled[1]) > 0


@pytest.mark.parametrize("cell_name", ["IF_curr_exp", "IF_cond_exp", "IF_curr_alpha"])
def test_spinnaker1_stochastic_rounding_runs_reproducibly(cell_name):
    """rounding="stochastic" rounds every product of a tick with the group's random stream:
    reproducible for one seed, different from round-to-nearest by a few LSB only."""
    celltype = getattr(sim, cell_name)
    params = dict(i_offset=0.9, tau_refrac=2.0, v_thresh=-52.0)
    first = driven_cells("spinnaker1", celltype=celltype, params=params, rounding="stochastic", seed=4)
    sim.end()
    again = driven_cells("spinnaker1", celltype=celltype, params=params, rounding="stochastic", seed=4)
    sim.end()
    nearest = driven_cells("spinnaker1", celltype=celltype, params=params)
    sim.end()
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], nearest[1])
    np.testing.assert_allclose(first[0][0], nearest[0][0], atol=1.0 + 1e-9)
    np.testing.assert_allclose(first[1], nearest[1], rtol=0, atol=64 * 2.0 ** -15)
