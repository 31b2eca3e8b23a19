"""NEURON-specific behaviour: the mechanism cache, set-up options, delay queries, and
objects added to a running simulation."""

import logging
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

sim = pytest.importorskip("pyNN.neuron")
from pyNN.errors import RoundingWarning  # noqa: E402
from pyNN.neuron import mechanisms  # noqa: E402

TINY_MOD = """NEURON { ARTIFICIAL_CELL PyNNTestTiny%d }
NET_RECEIVE (w) { net_event(t) }
"""


@pytest.fixture
def fresh():
    sim.setup(timestep=0.1)
    yield
    sim.end()


@pytest.fixture
def mod_dir(tmp_path):
    directory = tmp_path / "mods"
    directory.mkdir()
    (directory / "tiny.mod").write_text(TINY_MOD % 1)
    return directory


# --- mechanism cache ---------------------------------------------------------------------------

def test_mechanisms_compile_once_then_reuse_then_rebuild_on_change(mod_dir, tmp_path, caplog):
    root = str(tmp_path / "cache")
    with caplog.at_level(logging.INFO, logger="PyNN"):
        first, compiled = mechanisms.build(str(mod_dir), root)
    assert compiled
    # the compile is announced (what, why, how long) and its end logged
    messages = [r.getMessage() for r in caplog.records]
    assert any("compiling the backend's NMODL mechanisms" in m and "first use with NEURON" in m for m in messages)
    assert any(m.endswith(" s") and ": done in " in m for m in messages)
    caplog.clear()
    assert mechanisms._library_in(first)
    assert os.path.dirname(first) == root
    with caplog.at_level(logging.INFO, logger="PyNN"):
        again, compiled_again = mechanisms.build(str(mod_dir), root)
    assert again == first and not compiled_again
    assert not any("compiling" in r.getMessage() for r in caplog.records)  # a cache hit is silent
    # no temporary build directories are left behind
    assert os.listdir(root) == [os.path.basename(first)]
    (mod_dir / "tiny.mod").write_text(TINY_MOD % 2)
    changed, compiled_changed = mechanisms.build(str(mod_dir), root)
    assert compiled_changed and changed != first
    assert mechanisms._library_in(changed)


def test_two_processes_building_at_once_both_succeed(mod_dir, tmp_path):
    root = str(tmp_path / "cache")
    code = ("import sys; from pyNN.neuron import mechanisms; "
            "d, c = mechanisms.build(sys.argv[1], sys.argv[2]); print(d)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(mod_dir), root], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outputs]
    dirs = {out.strip().splitlines()[-1] for out, _ in outputs}
    assert len(dirs) == 1
    assert mechanisms._library_in(dirs.pop())
    assert len(os.listdir(root)) == 1  # the loser's temporary directory was removed


def test_missing_compiler_is_reported_with_what_to_install(mod_dir, tmp_path, monkeypatch):
    empty = tmp_path / "empty_path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CXX", raising=False)
    with pytest.raises(mechanisms.MechanismBuildError, match="C\\+\\+ compiler.*apt-get install g\\+\\+"):
        mechanisms.build(str(mod_dir), str(tmp_path / "cache"))
    assert not os.path.exists(tmp_path / "cache")  # nothing was attempted


def test_cache_location_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PYNN_NEURON_CACHE", str(tmp_path / "here"))
    assert mechanisms.cache_root() == str(tmp_path / "here")
    monkeypatch.delenv("PYNN_NEURON_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mechanisms.cache_root() == os.path.join(str(tmp_path / "xdg"), "pyNN", "neuron")


def test_source_hash_depends_on_every_mod_file(mod_dir):
    before = mechanisms.source_hash(str(mod_dir))
    shutil.copy(mod_dir / "tiny.mod", mod_dir / "other.mod")
    assert mechanisms.source_hash(str(mod_dir)) != before


# --- set-up options and delays ---------------------------------------------------------------

def test_setup_options(fresh):
    sim.setup(timestep=0.1, rtol=1e-4, atol=1e-6, default_maxstep=5.0, native_rng_baseseed=3)
    assert sim.state.default_maxstep == 5.0
    assert sim.state.rng_seed == 42 + 3
    with pytest.raises(NotImplementedError, match="use_cvode"):
        sim.setup(use_cvode=True)
    with pytest.raises(ValueError, match="default_maxstep"):
        sim.setup(default_maxstep=-1.0)
    sim.setup(threads=2)  # a NEST option: ignored here


def test_get_min_delay_is_always_a_number(fresh):
    assert sim.get_min_delay() == pytest.approx(0.1)
    p = sim.Population(2, sim.IF_cond_exp())
    sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=2.0))
    sim.run(1.0)
    assert sim.get_min_delay() == pytest.approx(2.0)  # 'auto': the shortest delay made
    sim.setup(timestep=0.1, min_delay=0.5)
    assert sim.get_min_delay() == pytest.approx(0.5)
    assert isinstance(sim.get_min_delay(), float)


def test_dt_reaches_neuron(fresh):
    sim.setup(timestep=0.025)
    sim.Population(1, sim.IF_curr_exp())
    sim.run(1.0)
    assert sim.h.dt == pytest.approx(0.025)
    assert sim.h.t == pytest.approx(1.0)


# --- objects added after a run ------------------------------------------------------------------

def test_population_and_projection_created_after_a_run_work(fresh):
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0, 12.0]))
    sim.run(5.0)
    target = sim.Population(1, sim.IF_curr_delta(tau_m=1e4, v_thresh=0.0))
    target.initialize(v=-65.0)
    sim.Projection(source, target, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.5, delay=1.0))
    target.record("v")
    source.record("spikes")
    sim.run(15.0)
    v = target.get_data().segments[0].analogsignals[0]
    times = v.times.rescale("ms").magnitude
    values = v.magnitude[:, 0]
    # only the spike emitted after the projection existed arrives, at 12 + 1 ms
    assert values[times < 13.0 - 1e-9].max() == pytest.approx(-65.0)
    assert values[np.argmin(np.abs(times - 13.0))] == pytest.approx(-63.5)
    assert values[-1] == pytest.approx(-63.5, abs=0.01)
    spikes = source.get_data().segments[0].spiketrains[0].magnitude
    np.testing.assert_allclose(spikes, [12.0])  # recording began at 5 ms


def test_random_sources_continue_their_stream_across_a_reinitialisation(fresh):
    """Adding a recording after a run re-initialises NEURON with the state kept: a Poisson
    train is the same as without the extra recording."""
    def train(extra_recording):
        sim.setup(timestep=0.1)
        src = sim.Population(3, sim.SpikeSourcePoisson(rate=100.0))
        cell = sim.Population(1, sim.IF_cond_exp())
        src.record("spikes")
        sim.run(100.0)
        if extra_recording:
            cell.record("v")
        sim.run(100.0)
        return [st.magnitude.copy() for st in src.get_data().segments[0].spiketrains]
    plain, with_extra = train(False), train(True)
    assert sum(len(t) for t in plain) > 30
    for a, b in zip(plain, with_extra):
        np.testing.assert_array_equal(a, b)


def test_random_sources_keep_their_streams_when_random_sources_are_added_after_a_run(fresh):
    """On NEURON each random source has its own stream: one created after a run neither
    changes nor repeats the trains of the older ones."""
    def trains(add_late):
        sim.setup(timestep=0.1)
        src = sim.Population(3, sim.SpikeSourcePoisson(rate=100.0))
        src.record("spikes")
        sim.run(50.0)
        late = sim.Population(3, sim.SpikeSourcePoisson(rate=100.0)) if add_late else None
        if late is not None:
            late.record("spikes")
        sim.run(50.0)
        old = [st.magnitude.copy() for st in src.get_data().segments[0].spiketrains]
        return old, late and [st.magnitude.copy() for st in late.get_data().segments[0].spiketrains]
    plain, _ = trains(False)
    old, late = trains(True)
    for a, b in zip(plain, old):
        np.testing.assert_array_equal(a, b)
    assert all(len(t) > 0 and t.min() > 50.0 for t in late)
    assert not any(np.array_equal(a[a > 50.0], b) for a in old for b in late)


def _intfire_train(native, t0, run_first):
    """Spikes (relative to t0) of a native cell created at t0 (after a run of t0 ms if
    run_first), with inputs at t0 + 5, 6, 7 and 20 ms."""
    sim.setup(timestep=0.1)
    sim.Population(1, sim.IF_curr_exp(i_offset=1.2), label="old cell")
    if run_first:
        sim.run(t0)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[t0 + s for s in (5.0, 6.0, 7.0, 20.0)]))
    cell = sim.Population(1, native, label="native")
    sim.Projection(src, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    cell.record("spikes")
    sim.run_until(t0 + 40.0)
    return (cell.get_data().segments[0].spiketrains[0].magnitude - t0).tolist()


def test_native_intfire1_created_after_a_run_starts_from_its_initial_state(fresh):
    reference = _intfire_train(sim.IntFire1(tau=10.0, refrac=5.0), 0.0, run_first=False)
    assert reference
    assert _intfire_train(sim.IntFire1(tau=10.0, refrac=5.0), 50.0, run_first=True) == pytest.approx(reference)


def test_native_intfire1_initial_m(fresh):
    """IntFire1 takes an initial m (PyNN's nrn_artificial_cell.py example gives a random one):
    m decays from it, so one input of 0.1 at 2 ms fires exactly the cells with
    m0 * exp(-2 / tau) + 0.1 > 1; it holds again after reset(); an initial m given while the
    cells run, which NEURON cannot start from, is refused and changes nothing."""
    from pyNN.errors import NotSupportedError
    tau, m0 = 100.0, np.array([0.0, 0.5, 0.9, 0.95])
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    cells = sim.Population(4, sim.IntFire1(tau=tau, refrac=5.0), initial_values={"m": m0}, label="if1")
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0),
                   receptor_type="default")  # (PyNN's only receptor of the IntFire cells)
    cells.record(["spikes", "m"])
    sim.run(10.0)
    with pytest.raises(NotSupportedError, match="'if1'.*initial m .*IntFire1.*time 0"):
        cells.initialize(m=0.2)
    with pytest.raises(NotSupportedError, match="'late'.*initial m"):
        sim.Population(2, sim.IntFire1(), initial_values={"m": 0.5}, label="late")
    sim.Population(2, sim.IntFire1(), label="late, from m = 0")  # NEURON's own start: accepted
    np.testing.assert_array_equal(cells.initial_values["m"].evaluate(), m0)
    sim.reset()
    sim.run(10.0)
    block = cells.get_data()
    expected = (m0 * np.exp(-2.0 / tau) + 0.1 > 1.0).tolist()
    assert expected == [False, False, False, True]
    for segment in block.segments:
        assert [len(st) == 1 for st in segment.spiketrains] == expected
        m = segment.filter(name="m")[0].magnitude
        np.testing.assert_allclose(m[0], m0)  # the recorded start
    sim.reset()
    cells.initialize(m=0.99)  # accepted after reset(), before the run
    sim.run(10.0)
    assert all(len(st) == 1 for st in cells.get_data().segments[-1].spiketrains)


@pytest.mark.parametrize("native, parameters", [
    ("IntFire2", {"ib": 0.8}),  # the bias drives m from the cell's start on
    ("IntFire2", {"ib": 1.5}),  # fires on its own: the self-event of its first firing
    ("IntFire2", {"taum": 20.0, "taus": 10.0, "ib": 1.2}),  # INITIAL adjusts taus (a parameter)
    ("IntFire4", {"taum": 30.0}),
])
def test_native_cells_with_initial_self_events_created_after_a_run_start_from_their_initial_state(
        fresh, native, parameters):
    """IntFire2 and IntFire4 queue the self-event of their first firing in their INITIAL
    block: created after a run, they behave as created at time 0, shifted in time."""
    reference = _intfire_train(getattr(sim, native)(**parameters), 0.0, run_first=False)
    assert reference
    late = _intfire_train(getattr(sim, native)(**parameters), 50.0, run_first=True)
    np.testing.assert_allclose(late, reference, atol=1e-9)


def _unstimulated_then_driven(native, late):
    """Spikes of an old cell, of native cells that either exist from the start (late=False;
    no input before 50 ms) or are created after a run of 50 ms, and of a cell they drive, when
    inputs reach the native cells from 55 ms on."""
    sim.setup(timestep=0.1)
    old = sim.Population(2, sim.IF_curr_exp(i_offset=1.2), label="old cells")
    downstream = sim.Population(1, sim.IntFire1(tau=10.0, refrac=2.0), label="downstream")
    populations = [old, downstream]
    if not late:
        cells = sim.Population(3, native, label="native")
        populations.append(cells)
    sim.run(50.0)
    if late:
        cells = sim.Population(3, native, label="native")
        populations.append(cells)
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=[55.0, 56.0, 57.0, 58.0, 70.0, 71.0, 72.0]))
    sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=np.array([0.3, 0.6, 0.9]), delay=1.0))
    sim.Projection(cells, downstream, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.5, delay=2.0))
    for p in populations:
        p.record("spikes")
    sim.run_until(120.0)
    return {p.label: [st.magnitude.tolist() for st in p.get_data().segments[0].spiketrains] for p in populations}


@pytest.mark.parametrize("native", ["IntFire2", "IntFire4"])
def test_native_cells_created_after_a_run_spike_as_cells_that_existed_without_input(fresh, native):
    """Created after a run, IntFire2 and IntFire4 cells (at rest, as NEURON's defaults leave
    them) give exactly the spikes of cells that existed from the start and received no input
    until then; their start emits no spike and the old cells are undisturbed."""
    reference = _unstimulated_then_driven(getattr(sim, native)(), late=False)
    late = _unstimulated_then_driven(getattr(sim, native)(), late=True)
    assert sum(len(t) for t in reference["native"]) >= 2 and reference["downstream"][0]
    assert late == reference
    assert all(t > 50.0 + 1e-9 for train in late["native"] for t in train)


def test_unsupported_synapse_and_cell_types_say_so(fresh):
    p = sim.Population(2, sim.IF_cond_exp())
    # NEURON's own artificial cells have no plastic NET_RECEIVE
    native = sim.Population(2, sim.IntFire1())
    with pytest.raises(sim.errors.NoModelAvailableError, match="TsodyksMarkramSynapse.*NEURON.*IF_.*IntFire1"):
        sim.Projection(p, native, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.01))
    with pytest.raises(sim.errors.NoModelAvailableError, match="STDPMechanism.*NEURON.*IntFire1"):
        sim.Projection(p, native, sim.AllToAllConnector(), sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence()))
    with pytest.raises(sim.errors.NoModelAvailableError, match="SpikeSourceInhGamma.*NEURON"):
        sim.Population(1, sim.SpikeSourceInhGamma())


# --- PointNeuron -----------------------------------------------------------------------------

def _driven_pair(celltype, receptors, weights):
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence([5.0, 7.0, 30.0, 31.0]),
                                                                 sim.Sequence([15.0, 40.0])]))
    cell = sim.Population(1, celltype)
    for k, (receptor, weight) in enumerate(zip(receptors, weights)):
        sim.Projection(source[k:k + 1], cell, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=weight, delay=1.0), receptor_type=receptor)
    cell.record(["v", "spikes"])
    return cell


@pytest.mark.parametrize("neuron, psr, reference, weights", [
    ("LIF", "CondExpPostSynapticResponse", "IF_cond_exp", (0.02, 0.03)),
    ("LIF", "CurrExpPostSynapticResponse", "IF_curr_exp", (2.0, -1.0)),
    ("AdExp", "CondAlphaPostSynapticResponse", "EIF_cond_alpha_isfa_ista", (0.02, 0.03)),
])
def test_point_neuron_equals_the_standard_cell_type(fresh, neuron, psr, reference, weights):
    """A PointNeuron with two receptors behaves exactly like the standard type with the
    same synapses (same mechanism code path for the membrane, another for the receptors)."""
    e_inh = -80.0 if neuron == "AdExp" else -70.0
    params = dict(tau_syn=5.0) if psr.startswith("Curr") else dict(tau_syn=5.0, e_syn=0.0)
    inh_params = dict(params, e_syn=e_inh) if "e_syn" in params else params
    cell_params = dict(i_offset=0.9) if neuron == "LIF" else dict(i_offset=0.55)
    point = sim.PointNeuron(getattr(sim, neuron)(**cell_params), excitatory=getattr(sim, psr)(**params),
                            inhibitory=getattr(sim, psr)(**inh_params))
    a = _driven_pair(point, ("excitatory", "inhibitory"), weights)
    b = _driven_pair(getattr(sim, reference)(**cell_params), ("excitatory", "inhibitory"), weights)
    sim.run(100.0)
    seg_a, seg_b = a.get_data().segments[0], b.get_data().segments[0]
    assert len(seg_b.spiketrains[0]) >= 2
    np.testing.assert_array_equal(seg_a.spiketrains[0].magnitude, seg_b.spiketrains[0].magnitude)
    np.testing.assert_allclose(seg_a.analogsignals[0].magnitude, seg_b.analogsignals[0].magnitude, atol=1e-6)


def test_point_neuron_beta_receptor_peaks_at_the_weight(fresh):
    tau_rise, tau_decay, weight = 0.5, 3.0, 0.01
    point = sim.PointNeuron(sim.LIF(v_thresh=0.0), AMPA=sim.CondBetaPostSynapticResponse(
        tau_rise=tau_rise, tau_decay=tau_decay, e_syn=0.0))
    cell = _driven_pair(point, ("AMPA",), (weight,))
    cell.record("AMPA.gsyn")
    sim.run(20.0)
    g = next(s for s in cell.get_data().segments[0].analogsignals if s.name == "AMPA.gsyn")
    t = g.times.rescale("ms").magnitude
    s = t - 6.0
    t_peak = tau_rise * tau_decay / (tau_decay - tau_rise) * np.log(tau_decay / tau_rise)
    shape = np.where(s >= 0, np.exp(-s / tau_decay) - np.exp(-s / tau_rise), 0.0)
    expected = weight * shape / (np.exp(-t_peak / tau_decay) - np.exp(-t_peak / tau_rise))
    window = t < 8.0 + 1e-9  # up to the arrival of the second input spike
    np.testing.assert_allclose(g.magnitude[window, 0], expected[window], atol=1e-9)


def test_point_neuron_with_too_many_receptors_is_refused(fresh):
    receptors = {f"r{k}": sim.CondExpPostSynapticResponse() for k in range(7)}
    with pytest.raises(sim.errors.NoModelAvailableError, match="at most 6 receptors"):
        sim.Population(1, sim.PointNeuron(sim.LIF(), **receptors))


def test_gif_with_too_many_kernels_is_refused(fresh):
    kernels = sim.ArrayParameter([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    with pytest.raises(sim.errors.NoModelAvailableError, match="more than 5 kernels in 'tau_eta'"):
        sim.Population(1, sim.GIF_cond_exp(tau_eta=kernels, a_eta=kernels))


def test_gif_escape_noise_rate_grows_with_drive_and_threshold_adapts(fresh):
    cells = sim.Population(40, sim.GIF_cond_exp(lambda0=20.0, delta_v=2.0, tau_refrac=2.0,
                                                 a_gamma=sim.ArrayParameter([2.0, 0.0, 0.0])))
    cells.set(i_offset=np.repeat([0.0, 0.8], 20))  # at rest: lambda ~ 0.004 Hz; driven: ~10 Hz
    cells.record(["spikes", "v_t"])
    sim.run(500.0)
    seg = cells.get_data().segments[0]
    counts = np.array([len(st) for st in seg.spiketrains])
    assert counts[:20].sum() < 5 and counts[20:].sum() > 30
    v_t = next(s for s in seg.analogsignals if s.name == "v_t").magnitude
    assert v_t[0, 0] == pytest.approx(-48.0)
    assert v_t[:, 20:].max() > -48.0 + 1.0  # each spike raises the threshold by a_gamma[0]


def test_poisson_rate_changed_between_runs_acts_from_then_on(fresh):
    sources = sim.Population(20, sim.SpikeSourcePoisson(rate=0.0))
    sources.record("spikes")
    sim.run(100.0)
    sources.set(rate=200.0)
    sim.run(100.0)
    spikes = np.concatenate([st.magnitude for st in sources.get_data().segments[0].spiketrains])
    assert spikes.size > 200 and spikes.min() > 100.0


def test_cell_to_voltage_jump_cell_with_the_minimum_delay(fresh):
    """The NetCon onto a voltage-jump cell is one step shorter than the delay: with
    delay = dt it is 0, and the jump still shows in the sample at spike time + dt."""
    dt = sim.get_time_step()
    driver = sim.Population(1, sim.IF_curr_exp(i_offset=1.0, tau_refrac=2.0))
    target = sim.Population(1, sim.IF_curr_delta(tau_m=1e4, v_thresh=0.0))
    target.initialize(v=-65.0)
    sim.Projection(driver, target, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=dt))
    driver.record("spikes")
    target.record("v")
    sim.run(40.0)
    t_spike = driver.get_data().segments[0].spiketrains[0].magnitude[0]
    v = target.get_data().segments[0].analogsignals[0]
    times, values = v.times.rescale("ms").magnitude, v.magnitude[:, 0]
    k = int(np.argmin(np.abs(times - (t_spike + dt))))
    assert values[k - 1] == pytest.approx(-65.0) and values[k] == pytest.approx(-64.0, abs=1e-3)


# --- Tsodyks-Markram ---------------------------------------------------------------------------

def _tm_trace(extra_recording=False, u0=None):
    sim.setup(timestep=0.1)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 20.0, 30.0, 40.0, 150.0]))
    cell = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0, tau_m=2.0, cm=0.1, tau_syn_E=1.0))
    other = sim.Population(1, sim.IF_curr_exp())
    prj = sim.Projection(source, cell, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.5, delay=1.0, U=0.5, tau_rec=100.0))
    if u0 is not None:
        prj.initialize(u=u0)
    cell.record("v")
    sim.run(25.0)
    if extra_recording:
        other.record("v")  # makes the backend re-initialise NEURON with the state kept
    sim.run(175.0)
    return cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]


def test_tsodyks_markram_depresses_and_recovers(fresh):
    v = _tm_trace()
    rest = -65.0
    peaks = [np.max(v[round(t / 0.1):round((t + 9.0) / 0.1)]) - rest for t in (11.0, 21.0, 31.0, 41.0, 151.0)]
    # each of the first four spikes releases less than the one before (U = 0.5, tau_rec = 100 ms)
    assert peaks[0] > peaks[1] > peaks[2] > peaks[3] > 0
    assert peaks[1] / peaks[0] == pytest.approx(0.5 * (1 + (1 - np.exp(-10.0 / 100.0))), rel=0.05)
    assert peaks[4] > peaks[3] * 2  # recovered after 110 ms


def test_tsodyks_markram_state_survives_a_reinitialisation(fresh):
    np.testing.assert_allclose(_tm_trace(extra_recording=True), _tm_trace(), atol=1e-12)


def test_stdp_warns_when_a_cell_fires_more_often_than_its_spike_record_holds(fresh):
    """A plastic connection applies the post spikes since its previous pre spike from its
    target's record of its last 64 spikes: more of them (here 70) are reported, not dropped silently."""
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 300.0]))
    teacher = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(10.0, 290.0, 4.0)))
    post = sim.Population(1, sim.IF_curr_exp(tau_syn_E=0.2, tau_refrac=0.5))
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=500.0, delay=1.0))
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence(), weight=0.5,
        delay=1.0))
    post.record("spikes")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.run(200.0)  # the first pre spike, then 48 post spikes: nothing lost yet
    with pytest.warns(UserWarning, match=r"6 post-synaptic spike\(s\) were not applied.*64"):
        sim.run(110.0)
    assert len(post.get_data().segments[0].spiketrains[0]) == 70
    assert 0.0 <= plastic.get("weight", format="list", with_address=False)[0] <= 1.0


def test_plastic_targets_share_one_net_receive():
    """Every mechanism a Tsodyks-Markram, STDP or stochastic connection may target takes its
    NET_RECEIVE from pynn_synapse.inc (one slot layout), and no other one of its own."""
    import re

    from pyNN.neuron.standardmodels.synapses import PLASTIC_TARGETS
    found = {}
    for name in mechanisms.mod_files():
        if name.endswith(".mod"):
            with open(os.path.join(mechanisms.MOD_DIR, name)) as f:
                text = f.read()
            process = re.search(r"POINT_PROCESS\s+(\w+)", text)
            if process and process.group(1) in PLASTIC_TARGETS:
                found[process.group(1)] = text
    assert sorted(found) == sorted(PLASTIC_TARGETS)
    for name, text in found.items():
        assert 'INCLUDE "pynn_synapse.inc"' in text, name
        assert re.search(r"^NET_RECEIVE", text, re.MULTILINE) is None, name


def test_stdp_slots_match_the_net_receive_arguments():
    """The backend writes the Tsodyks-Markram parameters after the weight and the STDP rule
    from STDP_FIRST_SLOT on, in the order of STDP_SLOTS: that must be where the shared
    NET_RECEIVE (pynn_synapse.inc) expects them (kind, w0, ..., preoff)."""
    import re

    from pyNN.neuron.standardmodels.synapses import (PORT_SLOT, STDP_FIRST_SLOT, STDP_SLOTS, STOCHASTIC_FIRST_SLOT,
                                                     TsodyksMarkramSynapse)
    with open(os.path.join(mechanisms.MOD_DIR, "pynn_synapse.inc")) as f:
        args = re.search(r"NET_RECEIVE\s*\(([^)]*)\)", f.read()).group(1)
    names = [a.strip() for a in args.replace("\n", " ").split(",")]
    tm = TsodyksMarkramSynapse.weight_slots
    assert names[1:1 + len(tm)] == list(tm)
    assert names[1 + len(tm):3 + len(tm)] == ["tau_psc", "u0"]  # then written by _set_slots
    assert names[STDP_FIRST_SLOT:STDP_FIRST_SLOT + len(STDP_SLOTS)] == list(STDP_SLOTS)
    assert names[STDP_FIRST_SLOT + len(STDP_SLOTS):STOCHASTIC_FIRST_SLOT] == ["kp", "tpre", "km", "tpost", "nseen"]
    # then the stochastic release (pynn_stochastic.inc): its kind and number of sites
    assert names[STOCHASTIC_FIRST_SLOT:] == ["sto", "nsites", "port"]
    assert names[PORT_SLOT] == "port"


def test_off_grid_spike_times_set_between_runs_and_after_reset():
    # spike_precision='off_grid': times given after a run are queued from the current time on,
    # unrounded; a reset replays them; a source created after a run keeps its exact times too
    sim.setup(timestep=0.05, spike_precision="off_grid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RoundingWarning
        p = sim.Population(2, sim.SpikeSourceArray(spike_times=[0.075, 3.33]), label="sources")
        p.record("spikes")
        sim.run(5.0)
        p[1:].set(spike_times=[2.0, 6.025, 7.3])  # 2.0 is in the past: not emitted
        sim.run(5.0)
        first = [st.magnitude.tolist() for st in p.get_data().segments[0].spiketrains]
        sim.reset()
        late = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.01, 12.345]), label="late")
        late.record("spikes")
        sim.run(10.0)
        sim.run(5.0)
    assert first == [[0.075, 3.33], [0.075, 3.33, 6.025, 7.3]]
    assert [st.magnitude.tolist() for st in p.get_data().segments[1].spiketrains] == [[0.075, 3.33],
                                                                                       [2.0, 6.025, 7.3]]
    assert late.get_data().segments[-1].spiketrains[0].magnitude.tolist() == [10.01, 12.345]


def test_off_grid_source_drives_its_target_through_the_event_queue():
    # the spike at 0.075 ms (+ 1 ms delay) reaches the cell at the step NEURON delivers it in,
    # which is not later than the on-grid spike at 0.1 ms
    first_change = {}
    for precision in ("on_grid", "off_grid"):
        sim.setup(timestep=0.05, spike_precision=precision)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RoundingWarning)  # (on_grid: 0.075 is rounded to 0.1)
            source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.075]))
        cell = sim.Population(1, sim.IF_curr_exp())
        sim.Projection(source, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=1.0))
        cell.record("v")
        sim.run(2.0)
        v = cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]
        first_change[precision] = np.flatnonzero(np.abs(v - v[0]) > 1e-9)[0]
    assert first_change["on_grid"] == 23  # arrives at 1.1 ms, acts from the next sample
    assert first_change["off_grid"] == 22  # arrives at 1.075 ms: NEURON delivers it at the 1.05 ms step
