"""Cross-backend agreement: one cell, the same inputs, on NEST and on every other backend.

Each standard cell type gets the same protocol on every backend: a train of excitatory
and inhibitory input spikes (sub-threshold), then a DC step that makes the cell fire.
The sub-threshold membrane trace and the spike times are compared with NEST's within
the tolerances documented in ``doc/behaviour.md`` ("Agreement between backends").
"""

import functools
import importlib

import numpy as np
import pytest

from pyNN import errors

REFERENCE = "nest"
OTHERS = ["neuron", "brian2", "hardware"]

DT = 0.1
T_SIM = 300.0
DC_START, DC_STOP = 100.0, 250.0
EXC_TIMES = [10.0, 30.0, 32.0, 34.0, 60.0]
INH_TIMES = [20.0, 80.0]
DELAY = 1.0

#: tolerances per model family: (max |v difference| before the DC step (mV),
#: max spike-time difference (ms))
TOLERANCE = {
    "lif": (0.2, DT + 1e-9),
    "nonlinear": (0.5, 1.0),
}

#: cell type -> (parameters, excitatory weight, inhibitory weight, DC amplitude (nA), family)
CASES = {
    "IF_curr_exp": ({}, 0.5, 0.5, 1.0, "lif"),
    "IF_curr_alpha": ({}, 0.5, 0.5, 1.0, "lif"),
    "IF_curr_delta": ({}, 1.0, 1.0, 1.0, "lif"),
    "IF_cond_exp": ({}, 0.01, 0.02, 1.0, "lif"),
    "IF_cond_alpha": ({}, 0.01, 0.02, 1.0, "lif"),
    "IF_cond_exp_gsfa_grr": ({}, 0.01, 0.02, 1.0, "lif"),
    "IF_facets_hardware1": ({}, 0.0005, 0.001, 0.6, "lif"),
    "HH_cond_exp": ({}, 0.01, 0.02, 0.5, "nonlinear"),
    "EIF_cond_exp_isfa_ista": ({}, 0.002, 0.004, 1.0, "nonlinear"),
    "EIF_cond_alpha_isfa_ista": ({}, 0.002, 0.004, 1.0, "nonlinear"),
    "Izhikevich": ({}, 1.0, 1.0, 0.01, "nonlinear"),
    # stochastic firing switched off (lambda0 = 0): only the deterministic trace is compared
    "GIF_cond_exp": ({"lambda0": 0.0}, 0.01, 0.02, 0.2, "lif"),
}


def _backend(name):
    try:
        return importlib.import_module(f"pyNN.{name}")
    except ImportError:
        pytest.skip(f"backend pyNN.{name} is not installed")


@functools.cache
def _run_protocol(backend_name, cell_name):
    """(times, v, spike_times) of one cell under the protocol, or the backend's reason
    (a string) if it cannot simulate the cell type."""
    sim = importlib.import_module(f"pyNN.{backend_name}")
    parameters, w_exc, w_inh, amplitude, _ = CASES[cell_name]
    sim.setup(timestep=DT)
    try:
        cell = sim.Population(1, getattr(sim, cell_name)(**parameters), label=f"{cell_name} cell")
        exc = sim.Population(1, sim.SpikeSourceArray(spike_times=EXC_TIMES), label="exc input")
        inh = sim.Population(1, sim.SpikeSourceArray(spike_times=INH_TIMES), label="inh input")
        sim.Projection(exc, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=w_exc, delay=DELAY),
                       receptor_type="excitatory")
        sim.Projection(inh, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=w_inh, delay=DELAY),
                       receptor_type="inhibitory")
        sim.DCSource(amplitude=amplitude, start=DC_START, stop=DC_STOP).inject_into(cell)
        cell.record(["spikes", "v"])
        sim.run(T_SIM)
    except errors.NoModelAvailableError as exc:
        sim.end()
        return f"{type(exc).__name__}: {exc}"
    segment = cell.get_data().segments[0]
    v = segment.filter(name="v")[0]
    result = (np.asarray(v.times, dtype=float), np.asarray(v.magnitude[:, 0], dtype=float),
              np.sort(np.asarray(segment.spiketrains[0].magnitude, dtype=float)))
    sim.end()
    return result


def _both(backend_name, cell_name):
    _backend(REFERENCE)
    _backend(backend_name)
    reference = _run_protocol(REFERENCE, cell_name)
    other = _run_protocol(backend_name, cell_name)
    for name, result in ((REFERENCE, reference), (backend_name, other)):
        if isinstance(result, str):
            pytest.skip(f"{cell_name} not available on {name}: {result}")
    return reference, other


def test_protocol_exercises_the_cell():
    """On the reference backend the protocol gives PSPs before the step and spikes during it."""
    _backend(REFERENCE)
    for cell_name in CASES:
        times, v, spikes = _run_protocol(REFERENCE, cell_name)
        before = times < DC_START
        assert np.ptp(v[before & (times > 5.0)]) > 0.05, cell_name  # inputs moved the membrane
        if CASES[cell_name][0].get("lambda0") != 0.0:
            during = spikes[(spikes >= DC_START) & (spikes < DC_STOP + 20.0)]
            assert during.size >= 2, cell_name
            assert np.all(spikes >= DC_START), f"{cell_name} fired before the DC step: {spikes}"


@pytest.mark.parametrize("cell_name", sorted(CASES))
@pytest.mark.parametrize("backend_name", OTHERS)
def test_subthreshold_trace_agrees_with_nest(backend_name, cell_name):
    (t_ref, v_ref, _), (t, v, _) = _both(backend_name, cell_name)
    assert t.shape == t_ref.shape and np.allclose(t, t_ref)
    tol_v = TOLERANCE[CASES[cell_name][4]][0]
    window = t_ref < DC_START
    diff = np.abs(v[window] - v_ref[window])
    assert diff.max() <= tol_v, (
        f"{cell_name} on {backend_name}: v differs from NEST by up to {diff.max():.4f} mV "
        f"(at t = {t_ref[window][np.argmax(diff)]:.1f} ms; tolerance {tol_v} mV)")


@pytest.mark.parametrize("cell_name", sorted(CASES))
@pytest.mark.parametrize("backend_name", OTHERS)
def test_spike_times_agree_with_nest(backend_name, cell_name):
    (_, _, s_ref), (_, _, s) = _both(backend_name, cell_name)
    tol_t = TOLERANCE[CASES[cell_name][4]][1]
    assert s.size == s_ref.size, (
        f"{cell_name} on {backend_name}: {s.size} spikes, NEST {s_ref.size} ({s[:5]} vs {s_ref[:5]})")
    if s.size:
        worst = np.abs(s - s_ref).max()
        assert worst <= tol_t, (f"{cell_name} on {backend_name}: spike times differ from NEST by up to "
                                f"{worst:.3f} ms (tolerance {tol_t} ms)")
