"""The standard cell types with non-default parameters, initial values and sources, on every
backend: behaviour that the default-parameter protocol of ``test_cross_backend.py`` cannot
show (doc/behaviour.md, "Agreement between backends", "Beyond the default parameters").
"""

import pytest

from pyNN import errors

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


def test_gif_threshold_starts_at_v_t_star(sim):
    """GIF_cond_exp's moving threshold starts at v_t_star (the kernels at rest) unless v_t is
    initialised: with a v_t_star other than the default, from t = 0, also after set() of
    v_t_star before the first run, between runs (the threshold moves with it) and after reset()."""
    cell = population(sim, 2, "GIF_cond_exp", label="gif", lambda0=0.0, v_t_star=-55.0)
    cell[1:].set(v_t_star=-52.0)
    record(cell, ["v_t"])
    run(sim, 5.0)
    cell.set(v_t_star=-50.0)
    run(sim, 5.0)
    sim.reset()
    run(sim, 5.0)
    first, second = cell.get_data().segments
    t, v_t0 = trace(first, "v_t", 0)
    _, v_t1 = trace(first, "v_t", 1)
    before = t <= 5.0 + 1e-9  # the sample at the end of the first run holds its state
    assert v_t0[before] == pytest.approx(-55.0, abs=1e-9) and v_t1[before] == pytest.approx(-52.0, abs=1e-9), (
        f"v_t before the change: {v_t0[before][:3]}, {v_t1[before][:3]}")
    for column in (0, 1):
        _, after = trace(first, "v_t", column)
        assert after[~before] == pytest.approx(-50.0, abs=1e-9)
        _, again = trace(second, "v_t", column)
        assert again == pytest.approx(-50.0, abs=1e-9), f"after reset(): {again[:3]}"


def test_hh_gap_receptor_is_refused_where_missing(sim):
    """HH_cond_exp's 'source_section.gap' receptor: no backend models gap junctions, so
    connecting to it is a NoModelAvailableError naming the receptor and the backend (NEST took
    it as the excitatory input, silently)."""
    cells = population(sim, 2, "HH_cond_exp", label="hh")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="input")
    with pytest.raises(errors.NoModelAvailableError, match=r"source_section\.gap.*not available on the"):
        sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.05),
                       receptor_type="source_section.gap")
