"""Cross-backend agreement: one cell, the same inputs, on NEST and on every other backend.

Each standard cell type gets the same protocol on every backend: a train of excitatory
and inhibitory input spikes (sub-threshold), then a DC step that makes the cell fire.
Every variable the type can record is recorded, and each is compared with NEST's: the
sample times, the units and the values, within the tolerances documented in
``doc/behaviour.md`` ("Agreement between backends"), which are set just above the
measured differences. The protocol runs twice per backend: once in one run with a sample
every step, once in two runs of half the time with a sample every 0.5 ms. The current
sources are compared through the membrane of an exactly integrated cell they drive.
"""

import functools
import importlib

import numpy as np
import pytest

from pyNN import errors
from scenario_tools import known_bug

REFERENCE = "nest"
OTHERS = ["neuron", "brian2", "hardware"]

DT = 0.1
T_SIM = 300.0
DC_START, DC_STOP = 100.0, 250.0
EXC_TIMES = [10.0, 30.0, 32.0, 34.0, 60.0]
INH_TIMES = [20.0, 80.0]
DELAY = 1.0

#: how the protocol is run and sampled: variant -> (sampling interval (ms), number of runs)
VARIANTS = {"one run": (DT, 1), "two runs, 0.5 ms": (0.5, 2)}

#: cell type -> (parameters, excitatory weight, inhibitory weight, DC amplitude (nA), family)
CASES = {
    "IF_curr_exp": ({}, 0.5, 0.5, 1.0, "lif exact"),
    "IF_curr_alpha": ({}, 0.5, 0.5, 1.0, "lif exact"),
    "IF_curr_delta": ({}, 1.0, 1.0, 1.0, "lif exact"),
    "IF_cond_exp": ({}, 0.01, 0.02, 1.0, "lif cond"),
    "IF_cond_alpha": ({}, 0.01, 0.02, 1.0, "lif cond"),
    "IF_cond_exp_gsfa_grr": ({}, 0.01, 0.02, 1.0, "lif cond"),
    "IF_facets_hardware1": ({}, 0.0005, 0.001, 0.6, "lif cond"),
    "HH_cond_exp": ({}, 0.01, 0.02, 0.5, "hh"),
    "EIF_cond_exp_isfa_ista": ({}, 0.002, 0.004, 1.0, "eif"),
    "EIF_cond_alpha_isfa_ista": ({}, 0.002, 0.004, 1.0, "eif"),
    "Izhikevich": ({}, 1.0, 1.0, 0.01, "izhikevich"),
    # stochastic firing switched off (lambda0 = 0): only the deterministic trace is compared
    "GIF_cond_exp": ({"lambda0": 0.0}, 0.01, 0.02, 0.2, "lif cond"),
}

#: spike-time tolerance (ms) per family: the LIF cells fire on the same steps on every
#: backend; the non-linear ones cross the spike peak inside a step, where NEST's adaptive
#: solver and the fixed-step solvers of the others may put it on neighbouring steps
SPIKE_TOLERANCE = {"lif exact": 1e-9, "lif cond": 1e-9, "hh": 1e-9, "eif": DT + 1e-9, "izhikevich": 1e-9}

#: largest |difference| to NEST, per family and variable, (a) before the DC step and (b)
#: over the whole trace as long as the two backends' spike trains agree (up to the first
#: spike that differs), each just above the largest difference measured on NEURON and the
#: emulator ('ideal'); see doc/behaviour.md ("Agreement between backends") for the table
TOLERANCE = {
    "lif exact": {"v": (1e-11, 1e-11)},  # rounding only
    "lif cond": {"v": (1e-10, 2e-9), "gsyn_exc": (1e-12, 1e-12), "gsyn_inh": (1e-12, 1e-12),
                 "g_r": (1e-12, 1e-6), "g_s": (1e-12, 1e-12), "i_eta": (1e-12, 1e-12), "v_t": (1e-12, 1e-12)},
    "hh": {"v": (2e-4, 1.0), "m": (3e-5, 6e-3), "n": (1e-6, 3e-3), "h": (1e-7, 3e-3),
           "gsyn_exc": (1e-12, 1e-12), "gsyn_inh": (1e-12, 1e-12)},
    "eif": {"v": (1e-9, 0.1), "w": (1e-12, 1e-4), "gsyn_exc": (1e-12, 1e-12), "gsyn_inh": (1e-12, 1e-12)},
    "izhikevich": {"v": (1e-12, 1e-12), "u": (1e-12, 1e-12)},
}

#: exceptions to TOLERANCE, each with its cause:
#: (backend or "*", cell type or family, variable) -> tolerances
LOOSER = {
    # NEST integrates iaf_cond_alpha's conductances with its adaptive solver (relative error
    # ~2.5e-5 at the peak); NEURON and the emulator use the exact alpha function
    ("*", "IF_cond_alpha", "gsyn_exc"): (3e-7, 3e-7),
    ("*", "IF_cond_alpha", "gsyn_inh"): (4e-8, 4e-8),
    ("*", "IF_cond_alpha", "v"): (5e-6, 5e-6),
    # ... and iaf_cond_exp_sfa_rr's adaptation conductances (g_r jumps by 3000 nS at a spike)
    ("*", "IF_cond_exp_gsfa_grr", "v"): (1e-10, 2e-5),
    # Brian2 integrates the conductances with RK4 (one step per dt) instead of exactly
    ("brian2", "lif cond", "v"): (5e-9, 2e-8),
    ("brian2", "lif cond", "gsyn_exc"): (2e-11, 2e-11),
    ("brian2", "lif cond", "gsyn_inh"): (2e-11, 2e-11),
    ("brian2", "IF_cond_alpha", "gsyn_exc"): (7e-6, 7e-6),
    ("brian2", "IF_cond_alpha", "gsyn_inh"): (2e-6, 2e-6),
    ("brian2", "IF_cond_alpha", "v"): (1e-4, 1e-4),
    ("brian2", "IF_cond_exp_gsfa_grr", "v"): (5e-9, 3e-4),
    ("brian2", "IF_cond_exp_gsfa_grr", "g_r"): (1e-12, 1e-4),
    ("brian2", "hh", "gsyn_exc"): (1e-8, 1e-8),
    ("brian2", "hh", "gsyn_inh"): (1e-11, 1e-11),
    ("brian2", "eif", "gsyn_exc"): (5e-11, 5e-11),
    ("brian2", "eif", "gsyn_inh"): (5e-11, 5e-11),
    ("brian2", "izhikevich", "v"): (1e-12, 2e-9),
    ("brian2", "izhikevich", "u"): (1e-12, 5e-12),
    # Brian2 resets at the end of the step in which v crossed the peak: w integrates the
    # rest of that step with v above the peak and jumps by b one sub-step late
    ("brian2", "eif", "v"): (5e-8, 0.6),
    ("brian2", "eif", "w"): (5e-12, 4e-4),
    # the emulator's conductance-based LIF: exponential integration with mid-step
    # conductances (second order, unconditionally stable)
    ("hardware", "lif cond", "v"): (5e-5, 5e-5),
    ("hardware", "IF_cond_exp_gsfa_grr", "v"): (5e-5, 5e-4),
    ("hardware", "IF_cond_alpha", "v"): (8e-3, 8e-3),
}

#: NEST cannot record these (doc/support_matrix.md); they are compared with the exact
#: solution instead
NOT_ON_REFERENCE = {("HH_cond_exp", "gsyn_exc"), ("HH_cond_exp", "gsyn_inh")}

#: the current sources, each driving an IF_curr_exp cell (exact integration on every
#: backend) hard enough to fire: name -> parameters
SOURCES = {
    "DCSource": dict(amplitude=1.0, start=20.0, stop=80.0),
    "StepCurrentSource": dict(times=[10.0, 30.0, 50.0, 80.0], amplitudes=[0.4, -0.2, 1.5, 0.0]),
    "ACSource": dict(amplitude=0.4, offset=0.8, frequency=50.0, phase=30.0, start=10.0, stop=90.0),
    "NoisyCurrentSource": dict(mean=0.9, stdev=0.3, start=10.0, stop=90.0, dt=1.0),
}
SOURCE_T_SIM = 100.0


def _backend(name):
    try:
        return importlib.import_module(f"pyNN.{name}")
    except ImportError:
        pytest.skip(f"backend pyNN.{name} is not installed")


def _signals(segment):
    """{name: (times (ms), values, units)} of the analog signals of one cell."""
    return {sig.name: (np.asarray(sig.times.rescale("ms").magnitude, dtype=float),
                       np.asarray(sig.magnitude[:, 0], dtype=float), sig.units.dimensionality.string)
            for sig in segment.analogsignals}


def _recorded(pop):
    """(signals, sorted spike times) of the first cell of `pop`, over all runs."""
    segment = pop.get_data().segments[0]
    return _signals(segment), np.sort(np.asarray(segment.spiketrains[0].rescale("ms").magnitude, dtype=float))


def _run(sim, t_total, n_runs):
    for _ in range(n_runs):
        sim.run(t_total / n_runs)


@functools.cache
def _run_protocol(backend_name, cell_name, variant="one run"):
    """The recording of one cell under the protocol, or the backend's reason (a string) if it
    cannot simulate the cell type: a dict with 'signals' ({variable: (times, values, units)}),
    'spikes', 'input spikes' and 'unrecordable' ({variable: reason})."""
    sim = importlib.import_module(f"pyNN.{backend_name}")
    parameters, w_exc, w_inh, amplitude, _ = CASES[cell_name]
    sampling_interval, n_runs = VARIANTS[variant]
    sim.setup(timestep=DT)
    unrecordable = {}
    try:
        celltype = getattr(sim, cell_name)(**parameters)
        cell = sim.Population(1, celltype, label=f"{cell_name} cell")
        exc = sim.Population(1, sim.SpikeSourceArray(spike_times=EXC_TIMES), label="exc input")
        inh = sim.Population(1, sim.SpikeSourceArray(spike_times=INH_TIMES), label="inh input")
        sim.Projection(exc, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=w_exc, delay=DELAY),
                       receptor_type="excitatory")
        sim.Projection(inh, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=w_inh, delay=DELAY),
                       receptor_type="inhibitory")
        sim.DCSource(amplitude=amplitude, start=DC_START, stop=DC_STOP).inject_into(cell)
        for variable in celltype.recordable:
            try:
                cell.record(variable, sampling_interval=sampling_interval)
            except errors.NoModelAvailableError as exc_:
                unrecordable[variable] = str(exc_)
        exc.record("spikes")
        _run(sim, T_SIM, n_runs)
    except errors.NoModelAvailableError as exc_:
        sim.end()
        return f"{type(exc_).__name__}: {exc_}"
    signals, spikes = _recorded(cell)
    result = {"signals": signals, "spikes": spikes, "input spikes": _recorded(exc)[1],
              "unrecordable": unrecordable}
    sim.end()
    return result


def _both(backend_name, cell_name, variant="one run"):
    _backend(REFERENCE)
    _backend(backend_name)
    reference = _run_protocol(REFERENCE, cell_name, variant)
    other = _run_protocol(backend_name, cell_name, variant)
    for name, result in ((REFERENCE, reference), (backend_name, other)):
        if isinstance(result, str):
            pytest.skip(f"{cell_name} not available on {name}: {result}")
    return reference, other


def _first_disagreement(s_ref, s, tol):
    """Time from which two spike trains disagree (inf if they agree within `tol`): from
    there on, the traces are shifted against each other by a spike."""
    n = min(s_ref.size, s.size)
    differ = np.flatnonzero(np.abs(s_ref[:n] - s[:n]) > tol)
    if differ.size:
        k = differ[0]
        return min(s_ref[k], s[k])
    if s_ref.size != s.size:
        return np.concatenate([s_ref[n:], s[n:]]).min()
    return np.inf


def _tolerance(backend_name, cell_name, variable):
    family = CASES[cell_name][4]
    for key in ((backend_name, cell_name, variable), ("*", cell_name, variable), (backend_name, family, variable)):
        if key in LOOSER:
            return LOOSER[key]
    return TOLERANCE[family][variable]


def _exact_exponential_conductance(cell_name, variable, times):
    """The exponential conductance the protocol's inputs give (uS), for variables NEST cannot record."""
    parameters, w_exc, w_inh, *_ = CASES[cell_name]
    defaults = dict(getattr(_backend(REFERENCE), cell_name).default_parameters, **parameters)
    if variable == "gsyn_exc":
        spikes, weight, tau = EXC_TIMES, w_exc, defaults["tau_syn_E"]
    else:
        spikes, weight, tau = INH_TIMES, w_inh, defaults["tau_syn_I"]
    lag = times[:, None] - (np.asarray(spikes) + DELAY)[None, :]
    return np.where(lag > -1e-9, weight * np.exp(-np.clip(lag, 0.0, None) / tau), 0.0).sum(axis=1)


def _compared_variables():
    """(cell type, variable) of every analog recordable of every case."""
    standard = importlib.import_module("pyNN.standardmodels.cells")
    return [(cell_name, variable) for cell_name in sorted(CASES)
            for variable in getattr(standard, cell_name).recordable if variable != "spikes"]


#: cell types whose gsyn_exc / gsyn_inh are exponential conductances
EXPONENTIAL_CONDUCTANCES = ("IF_cond_exp", "IF_cond_exp_gsfa_grr", "IF_facets_hardware1", "HH_cond_exp",
                            "EIF_cond_exp_isfa_ista", "GIF_cond_exp")


def test_protocol_exercises_the_cell():
    """On the reference backend the protocol gives PSPs before the step and spikes during it."""
    _backend(REFERENCE)
    for cell_name in CASES:
        result = _run_protocol(REFERENCE, cell_name)
        times, v, _ = result["signals"]["v"]
        spikes = result["spikes"]
        before = times < DC_START
        assert np.ptp(v[before & (times > 5.0)]) > 0.05, cell_name  # inputs moved the membrane
        if CASES[cell_name][0].get("lambda0") != 0.0:
            during = spikes[(spikes >= DC_START) & (spikes < DC_STOP + 20.0)]
            assert during.size >= 2, cell_name
            assert np.all(spikes >= DC_START), f"{cell_name} fired before the DC step: {spikes}"
        for variable, (_, values, _) in result["signals"].items():
            # every recorded variable moves (i_eta and v_t only when a GIF cell fires)
            assert np.ptp(values) > 0 or (cell_name, variable) in {("GIF_cond_exp", "i_eta"),
                                                                   ("GIF_cond_exp", "v_t")}, (cell_name, variable)
        assert set(result["unrecordable"]) == {v for c, v in NOT_ON_REFERENCE if c == cell_name}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("cell_name, variable", _compared_variables())
@pytest.mark.parametrize("backend_name", OTHERS)
def test_recorded_signal_agrees_with_nest(backend_name, cell_name, variable, variant, request):
    if cell_name in EXPONENTIAL_CONDUCTANCES and variable in ("gsyn_exc", "gsyn_inh"):
        # NEURON's recorded exponential conductance lags one sample (doc/differences.md)
        known_bug(request, _backend(backend_name), "standard conductance at arrival")
    reference, other = _both(backend_name, cell_name, variant)
    assert variable in other["signals"], f"{cell_name} on {backend_name}: {variable} was not recorded"
    t, values, units = other["signals"][variable]
    sampling_interval = VARIANTS[variant][0]
    np.testing.assert_allclose(t, np.arange(round(T_SIM / sampling_interval) + 1) * sampling_interval,
                               atol=1e-9, err_msg=f"{cell_name}.{variable} on {backend_name}: sample times")
    standard = getattr(importlib.import_module("pyNN.standardmodels.cells"), cell_name)
    assert units == standard.units[variable], f"{cell_name}.{variable} on {backend_name}: units {units}"
    if (cell_name, variable) in NOT_ON_REFERENCE:
        expected = _exact_exponential_conductance(cell_name, variable, t)
        t_agree = np.inf
    else:
        t_ref, expected, units_ref = reference["signals"][variable]
        assert units == units_ref
        np.testing.assert_array_equal(t, t_ref)
        t_agree = _first_disagreement(reference["spikes"], other["spikes"], 0.5 * DT)
    diff = np.abs(values - expected)
    # (the sample at a spike time shows the reset)
    windows = ((t < DC_START, "before the DC step"), (t < t_agree - 0.5 * DT, "while the spikes agree"))
    for (window, label), tol in zip(windows, _tolerance(backend_name, cell_name, variable)):
        worst = diff[window].max()
        assert worst <= tol, (
            f"{cell_name}.{variable} on {backend_name} ({variant}) differs from NEST by up to {worst:.3g} "
            f"{units} {label} (at t = {t[window][np.argmax(diff[window])]:.1f} ms; tolerance {tol:g})")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("cell_name", sorted(CASES))
@pytest.mark.parametrize("backend_name", OTHERS)
def test_spike_times_agree_with_nest(backend_name, cell_name, variant):
    reference, other = _both(backend_name, cell_name, variant)
    s_ref, s = reference["spikes"], other["spikes"]
    tol_t = SPIKE_TOLERANCE[CASES[cell_name][4]]
    assert s.size == s_ref.size, (
        f"{cell_name} on {backend_name}: {s.size} spikes, NEST {s_ref.size} ({s[:5]} vs {s_ref[:5]})")
    if s.size:
        worst = np.abs(s - s_ref).max()
        assert worst <= tol_t, (f"{cell_name} on {backend_name}: spike times differ from NEST by up to "
                                f"{worst:.3f} ms (tolerance {tol_t} ms)")
    # the inputs' own recording: the SpikeSourceArray times, on every backend
    np.testing.assert_allclose(other["input spikes"], EXC_TIMES, atol=1e-9)
    np.testing.assert_allclose(reference["input spikes"], EXC_TIMES, atol=1e-9)


@pytest.mark.parametrize("cell_name", sorted(CASES))
@pytest.mark.parametrize("backend_name", [REFERENCE] + OTHERS)
def test_two_runs_and_coarser_sampling_give_the_same_samples(backend_name, cell_name):
    """On each backend, two runs sampled every 0.5 ms record exactly the samples of one run
    sampled every step at those times."""
    _backend(backend_name)
    one, two = _run_protocol(backend_name, cell_name), _run_protocol(backend_name, cell_name, "two runs, 0.5 ms")
    if isinstance(one, str):
        pytest.skip(one)
    np.testing.assert_array_equal(two["spikes"], one["spikes"])
    every = round(VARIANTS["two runs, 0.5 ms"][0] / DT)
    for variable, (t, values, units) in one["signals"].items():
        t2, values2, units2 = two["signals"][variable]
        assert units2 == units
        np.testing.assert_allclose(t2, t[::every], atol=1e-9)
        np.testing.assert_allclose(values2, values[::every], rtol=1e-12, atol=1e-12 * np.abs(values).max(),
                                   err_msg=f"{cell_name}.{variable} on {backend_name}")


@functools.cache
def _run_source(backend_name, source_name):
    """(signals, spikes, injected current (times, values, units)) of an IF_curr_exp cell
    driven by one current source."""
    sim = importlib.import_module(f"pyNN.{backend_name}")
    sim.setup(timestep=DT, rng_seed=1234)
    cell = sim.Population(1, sim.IF_curr_exp(tau_refrac=2.0), label=f"cell driven by {source_name}")
    source = getattr(sim, source_name)(**SOURCES[source_name])
    source.inject_into(cell)
    source.record()
    cell.record(["v", "spikes"])
    sim.run(SOURCE_T_SIM)
    signals, spikes = _recorded(cell)
    current = source.get_data()
    injected = (np.asarray(current.times.rescale("ms").magnitude), np.asarray(current.magnitude[:, 0]),
                current.units.dimensionality.string)
    sim.end()
    return signals, spikes, injected


@pytest.mark.parametrize("source_name", sorted(SOURCES))
@pytest.mark.parametrize("backend_name", OTHERS)
def test_current_source_response_agrees_with_nest(backend_name, source_name):
    _backend(REFERENCE)
    _backend(backend_name)
    (signals_ref, spikes_ref, injected_ref) = _run_source(REFERENCE, source_name)
    (signals, spikes, injected) = _run_source(backend_name, source_name)
    assert spikes_ref.size >= 1  # the source makes the cell fire
    np.testing.assert_allclose(spikes, spikes_ref, atol=1e-9)
    t_ref, v_ref, units_ref = signals_ref["v"]
    t, v, units = signals["v"]
    assert units == units_ref == "mV"
    np.testing.assert_array_equal(t, t_ref)
    worst = np.abs(v - v_ref).max()
    assert worst <= 1e-11, f"{source_name} on {backend_name}: v differs by {worst:.3g} mV"
    # the recorded source current: the same samples, in nA
    assert injected[2] == injected_ref[2] == "nA"
    np.testing.assert_array_equal(injected[0], injected_ref[0])
    np.testing.assert_allclose(injected[1], injected_ref[1], rtol=0, atol=1e-12)
