"""Thresholds and initial values set before or between runs act in the runs that follow.

NEST's first run starts with warm-up steps during which the thresholds are out of reach and
after which the cells are set back to their initial values (pyNN/nest/simulator.py); later
runs touch neither. Whatever a backend does around its runs, a set() or initialize() must
reach the cells of the next run.
"""

import numpy as np
import pytest

#: g_L = cm / tau_m = 0.05 uS: i_offset 0.5 nA holds v at v_rest + 10 mV = -55 mV
DRIVEN = {"cm": 1.0, "tau_m": 20.0, "v_rest": -65.0, "v_reset": -65.0, "tau_refrac": 2.0, "i_offset": 0.5}


def _spike_counts(cells):
    """Spikes per segment (all cells together)."""
    return [sum(len(st) for st in seg.spiketrains) for seg in cells.get_data("spikes").segments]


def _spikes_between(cells, t0, t1):
    trains = cells.get_data("spikes").segments[-1].spiketrains
    return sum(int(np.count_nonzero((st.magnitude > t0) & (st.magnitude <= t1))) for st in trains)


def test_a_threshold_set_between_runs_acts_in_the_next_run(sim):
    cells = sim.Population(2, sim.IF_cond_exp(v_thresh=-60.0, **DRIVEN), label="driven")
    cells.record("spikes")
    sim.run(100.0)
    assert _spikes_between(cells, 0.0, 100.0) > 0  # v heads for -55 mV, past -60
    cells.set(v_thresh=-50.0)  # out of reach now
    sim.run(100.0)
    # after the last reset (at most 2 ms refractory and the way back from -65 mV), no spike
    assert _spikes_between(cells, 110.0, 200.0) == 0
    cells[1:2].set(v_thresh=-60.0)
    sim.run(100.0)
    trains = cells.get_data("spikes").segments[-1].spiketrains
    late = [int(np.count_nonzero(st.magnitude > 200.0)) for st in trains]
    assert late[0] == 0 and late[1] > 0


def test_values_set_before_the_first_run_survive_its_start(sim):
    """Set after creation, before anything ran: the first run starts from them."""
    cells = sim.Population(3, sim.IF_cond_exp(v_thresh=-60.0, **DRIVEN), label="driven")
    cells.set(v_thresh=-50.0)
    cells.initialize(v=np.array([-70.0, -52.0, -58.0]))
    cells.record(["spikes", "v"])
    sim.run(50.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    assert v[0] == pytest.approx([-70.0, -52.0, -58.0])
    # -52 mV is below the new threshold: each cell relaxes towards -55 mV (tau_m 20 ms) and
    # none fires
    assert _spike_counts(cells) == [0]
    start = np.array([-70.0, -52.0, -58.0])
    assert v[-1] == pytest.approx(-55.0 + (start + 55.0) * np.exp(-50.0 / 20.0), abs=0.01)


def test_initial_values_set_between_runs_are_those_of_the_next_segment(sim):
    cells = sim.Population(2, sim.IF_cond_exp(v_thresh=-50.0, **DRIVEN), label="driven")
    cells.record("v")
    sim.run(20.0)
    cells.initialize(v=np.array([-75.0, -60.0]))
    sim.reset()
    sim.run(20.0)
    first, second = (seg.analogsignals[0].magnitude for seg in cells.get_data().segments)
    assert first[0] == pytest.approx([-65.0, -65.0])
    assert second[0] == pytest.approx([-75.0, -60.0])
    sim.reset()
    sim.run(20.0)  # a run after a reset starts from them again
    third = cells.get_data().segments[-1].analogsignals[0].magnitude
    assert np.array_equal(third, second)
