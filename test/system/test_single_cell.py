"""A single leaky integrate-and-fire cell driven by a constant current, against the
analytic solution.

Below threshold ``v(t) = v_rest + R I (1 - exp(-t/tau_m))`` with ``R = tau_m/cm``; the
cell fires when v first reaches v_thresh, is held at v_reset for tau_refrac, then charges
again from v_reset. The library's grid convention: signals include t = 0 (the initial
value) and t_stop; a current acting during the step that starts at t changes v from
t + dt on.
"""

import numpy as np
import pytest

from scenario_tools import (
    first_passage, lif_charging, population, record, run, spike_times, trace,
)

PARAMS = dict(v_rest=-65.0, v_reset=-70.0, v_thresh=-55.0, tau_m=15.0, cm=0.5, tau_refrac=2.0)
AMPLITUDE = 0.5  # nA; R I = 15 mV, so v_inf = -50 mV, 5 mV above threshold
V_INF = PARAMS["v_rest"] + PARAMS["tau_m"] / PARAMS["cm"] * AMPLITUDE


def expected_spikes(first_charge_start, t_end, recorded):
    """Analytic spike times; after the first, each is predicted from the previous
    *recorded* spike (so one-step differences do not accumulate)."""
    p = PARAMS
    predicted = [first_charge_start + first_passage(p["v_rest"], V_INF, p["v_thresh"], p["tau_m"])]
    isi_after_reset = p["tau_refrac"] + first_passage(p["v_reset"], V_INF, p["v_thresh"], p["tau_m"])
    for t_prev in recorded[:-1]:
        predicted.append(t_prev + isi_after_reset)
    return np.array([t for t in predicted if t < t_end])


def check_spikes_and_trace(sim, times, v, spikes, charge_start, t_end):
    dt = sim.get_time_step()
    p = PARAMS
    predicted = expected_spikes(charge_start, t_end, spikes)
    assert len(spikes) == len(predicted) >= 3, (spikes, predicted)
    np.testing.assert_array_less(np.abs(spikes - predicted), dt + 1e-9)

    # before the current starts, and up to one step before the first spike: exact charging
    before = times <= charge_start
    np.testing.assert_allclose(v[before], p["v_rest"], atol=1e-9)
    window = (times > charge_start) & (times < spikes[0] - dt / 2)
    expected = lif_charging(times[window] - charge_start, p["v_rest"], V_INF, p["tau_m"])
    np.testing.assert_allclose(v[window], expected, atol=0.02)

    for k, t_spike in enumerate(spikes):
        # held at v_reset during the refractory period
        refractory = (times > t_spike + dt / 2) & (times < t_spike + p["tau_refrac"] - dt / 2)
        assert refractory.sum() >= round(p["tau_refrac"] / dt) - 2
        np.testing.assert_allclose(v[refractory], p["v_reset"], atol=1e-6)
        # then charges again from v_reset; the end of refractoriness may be off by one step,
        # so the trace must lie between the analytic curves shifted by -dt and +dt
        t_free = t_spike + p["tau_refrac"]
        t_next = spikes[k + 1] if k + 1 < len(spikes) else min(t_end, charge_start + 1e9)
        charging = (times > t_free + dt / 2) & (times < t_next - dt / 2)
        s = times[charging] - t_free
        low = lif_charging(np.maximum(s - dt, 0), p["v_reset"], V_INF, p["tau_m"]) - 0.02
        high = lif_charging(s + dt, p["v_reset"], V_INF, p["tau_m"]) + 0.02
        assert np.all(v[charging] >= low) and np.all(v[charging] <= high)
        assert np.all(v[charging] < p["v_thresh"] + 1e-9)


@pytest.mark.parametrize("celltype", ["IF_curr_exp", "IF_curr_alpha"])
def test_lif_with_i_offset_matches_analytic_solution(sim, celltype):
    cell = population(sim, 1, celltype, label="lif", i_offset=AMPLITUDE, **PARAMS)
    cell.initialize(v=PARAMS["v_rest"])
    record(cell, ["v", "spikes"])
    t_end = 80.0
    run(sim, t_end)
    seg = cell.get_data().segments[0]
    times, v = trace(seg, "v")
    dt = sim.get_time_step()
    assert len(times) == round(t_end / dt) + 1
    assert times[0] == 0.0 and abs(times[-1] - t_end) < 1e-9
    check_spikes_and_trace(sim, times, v, spike_times(seg), 0.0, t_end)


@pytest.mark.parametrize("celltype", ["IF_curr_exp", "IF_curr_alpha"])
def test_lif_with_dc_source_matches_analytic_solution(sim, celltype):
    start, stop, t_end = 5.0, 75.0, 100.0
    cell = population(sim, 1, celltype, label="lif", **PARAMS)
    cell.initialize(v=PARAMS["v_rest"])
    source = sim.DCSource(amplitude=AMPLITUDE, start=start, stop=stop)
    cell.inject(source)
    record(cell, ["v", "spikes"])
    run(sim, t_end)
    seg = cell.get_data().segments[0]
    times, v = trace(seg, "v")
    spikes = spike_times(seg)
    assert np.all(spikes <= stop + sim.get_time_step())
    check_spikes_and_trace(sim, times, v, spikes, start, stop)
    # after the source stops, the membrane relaxes to rest without firing
    assert abs(v[-1] - PARAMS["v_rest"]) < abs(v[times <= stop + 1e-9][-1] - PARAMS["v_rest"]) + 1e-9
    assert v[-1] < PARAMS["v_thresh"]


def test_subthreshold_steady_state_scales_with_resistance(sim):
    """Two cells with different cm (so different R = tau_m/cm) settle to v_rest + R I."""
    cells = population(sim, 2, "IF_curr_exp", label="lif", tau_m=10.0, v_thresh=0.0,
                       v_rest=-65.0, i_offset=0.1)
    cells.set(cm=np.array([1.0, 0.25]))
    cells.initialize(v=-65.0)
    record(cells, "v")
    run(sim, 150.0)
    sig = cells.get_data().segments[0].analogsignals[0]
    final = np.asarray(sig.magnitude)[-1]
    np.testing.assert_allclose(final, [-65.0 + 10.0 / 1.0 * 0.1, -65.0 + 10.0 / 0.25 * 0.1], atol=1e-3)
