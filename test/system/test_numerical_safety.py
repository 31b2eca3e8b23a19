"""A run whose integration diverges stops with a pyNN error, on every backend.

One weight of 10^6 uS onto a Hodgkin-Huxley cell makes every backend's integrator produce
NaN (NEST's and NEURON's adaptive solvers, Brian2's and the emulator's fixed-step ones);
the core's check after each slice of the run (pyNN.common.numerical_safety) must name the
population, the cells and the time, and leave the session usable after reset().
"""

import re

import numpy as np
import pytest

from pyNN import errors


def _exploding_network(sim, weight=1e6):
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="kick")
    cells = sim.Population(3, sim.HH_cond_exp(), label="exploding")
    quiet = sim.Population(2, sim.HH_cond_exp(), label="quiet")
    cells.record("v")
    quiet.record("v")
    prj = sim.Projection(source, cells[[0, 2]], sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=weight, delay=1.0), label="huge")
    return cells, quiet, prj


def test_diverging_integration_stops_the_run_with_a_pyNN_error(sim):
    cells, quiet, _ = _exploding_network(sim)
    with pytest.raises(errors.NumericalInstabilityError) as info:
        sim.run(50.0)
    message = str(info.value)
    assert "'exploding'" in message and "HH_cond_exp" in message
    assert "'quiet'" not in message
    assert "2 of 3 cells (indices 0, 2)" in message
    assert "between t = 0 ms and t = 50 ms" in message
    # the first recorded NaN: the spike at 5 ms arrives at 6 ms and v is sampled from there
    first = float(re.search(r"first NaN or infinite at t = ([0-9.]+) ms", message).group(1))
    assert 6.0 <= first <= 7.0
    assert "projection 'huge'" in message and "1e+06" in message
    assert isinstance(info.value, errors.SimulatorError)
    # time and data describe what was simulated, up to the end of the slice
    assert sim.get_current_time() == pytest.approx(50.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    assert not np.isfinite(v[-1, 0]) and np.isfinite(v[-1, 1])
    assert np.isfinite(quiet.get_data().segments[0].analogsignals[0].magnitude).all()


def test_after_a_divergence_the_next_run_is_refused_until_reset(sim):
    cells, _, prj = _exploding_network(sim)
    with pytest.raises(errors.NumericalInstabilityError):
        sim.run(20.0)
    # the state is still NaN: running on is refused again rather than producing more NaN
    with pytest.raises(errors.NumericalInstabilityError, match="between t = 20 ms and t = 30 ms"):
        sim.run(10.0)
    # fixed: a sensible weight and reset() give a normal run
    prj.set(weight=0.01)
    sim.reset()
    sim.run(20.0)
    v = cells.get_data().segments[-1].analogsignals[0].magnitude
    assert np.isfinite(v).all()
    assert v.shape == (201, 3)


def test_a_blow_up_of_a_conductance_based_IF_cell_is_caught(sim):
    """The case of the fault report: IF_cond_exp with a weight of 1000 uS (NaN with RK4 on
    NEURON and Brian2; NEST's adaptive solver and the emulator's exact update stay finite,
    and then nothing may be reported)."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="kick")
    cells = sim.Population(2, sim.IF_cond_exp(), label="if_cells")
    cells.record("v")
    sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=1000.0, delay=1.0))
    try:
        sim.run(50.0)
    except errors.NumericalInstabilityError as exc:
        assert "'if_cells'" in str(exc)
        return
    assert np.isfinite(cells.get_data().segments[0].analogsignals[0].magnitude).all()


def test_check_runs_after_every_slice_of_a_long_run(sim):
    """The divergence is found after the slice where it happened (the first slice is
    FIRST_SLICE_STEPS steps), not at the end of the run."""
    from pyNN.common.interrupt import FIRST_SLICE_STEPS
    if not sim.simulator.state.slice_runs:
        pytest.skip(f"{sim.__name__} runs in one piece (Brian2 stops its own loop on Ctrl-C)")
    _exploding_network(sim)
    with pytest.raises(errors.NumericalInstabilityError) as info:
        sim.run(5000.0)
    stopped = sim.get_current_time()
    assert stopped == pytest.approx(FIRST_SLICE_STEPS * 0.1)
    assert f"and t = {stopped:g} ms" in str(info.value)
