"""The standard cell types with non-default parameters, initial values and sources, on every
backend: behaviour that the default-parameter protocol of ``test_cross_backend.py`` cannot
show (doc/behaviour.md, "Agreement between backends", "Beyond the default parameters").
"""

import pytest

from scenario_tools import population, record, run, spike_times, trace

DT = 0.1


@pytest.mark.parametrize("cell_name", ["EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista"])
def test_adexp_w_jumps_by_b_with_a_high_spike_peak(sim, cell_name):
    """With the peak v_spike well above v_thresh, the step in which v crosses it must not let
    w integrate a*(v - v_rest) at the potentials past the peak (NEST bounds v by the peak in
    the right-hand sides): w jumps by b at each spike and the cell goes on firing."""
    b = 0.0805
    cell = population(sim, 1, cell_name, label="adexp", i_offset=1.0, tau_refrac=2.0, v_spike=-30.0, b=b)
    cell.initialize(v=-66.0)
    record(cell, ["v", "w", "spikes"])
    run(sim, 40.0)
    segment = cell.get_data().segments[0]
    spikes = spike_times(segment)
    assert spikes.size == 2, f"{cell_name}: spikes at {spikes} (NEST: 10.4 and 26.0 ms)"
    _, w = trace(segment, "w")
    for s in spikes:
        k = round(s / DT)
        jump = w[k] - w[k - 1]
        assert abs(jump - b) < 2e-3, f"{cell_name}: w jumps by {jump:.4g} nA at the spike at {s} ms (b = {b} nA)"

