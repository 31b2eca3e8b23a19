"""Which NEST populations the divergence check reads (pyNN/nest/divergence.py), and that it
still stops the runs in which NEST lets V_m become NaN without an error of its own."""

import numpy as np
import pytest

from pyNN import errors

sim = pytest.importorskip("pyNN.nest")


@pytest.fixture(autouse=True)
def fresh():
    sim.setup(timestep=0.1)
    yield
    sim.end()


def _kicked(celltype, weight, synapse=None):
    """Cells 0 and 2 of three get two spikes of `weight` at once (at 6 ms)."""
    kick = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]), label="kick")
    cells = sim.Population(3, celltype, label="kicked")
    prj = sim.Projection(kick, cells[[0, 2]], sim.AllToAllConnector(),
                         synapse or sim.StaticSynapse(weight=weight, delay=1.0), label="big")
    return cells, prj


@pytest.mark.parametrize("celltype", ["IF_cond_exp", "IF_cond_alpha", "EIF_cond_exp_isfa_ista",
                                      "EIF_cond_alpha_isfa_ista"])
def test_a_conductance_that_overflows_stops_the_run(celltype):
    """Two spikes of 1e305 uS (1e308 nS in NEST) make the conductance infinite and V_m NaN,
    which NEST does not report for these models: the check must find it."""
    _kicked(getattr(sim, celltype)(), 1e305)
    with pytest.raises(errors.NumericalInstabilityError) as info:
        sim.run(20.0)
    assert f"'kicked' ({celltype})" in str(info.value)
    assert "2 of 3 cells (indices 0, 2)" in str(info.value)


def test_exactly_integrated_and_moderately_driven_conductance_cells_are_not_read():
    quiet, prj = _kicked(sim.IF_cond_exp(), 0.01)
    exact = sim.Population(4, sim.IF_curr_exp(), label="exact")
    spikes = sim.Population(2, sim.SpikeSourcePoisson(rate=10.0), label="poisson")
    sim.run(10.0)
    assert not quiet._divergence_check_needed() and not exact._divergence_check_needed()
    assert not spikes._divergence_check_needed()
    assert quiet._membrane_potential() is None
    # a weight that could overflow the conductance: read from the next run on
    prj.set(weight=1e200)
    sim.run(10.0)
    assert quiet._divergence_check_needed()
    assert quiet._membrane_potential().shape == (3,)
    prj.set(weight=0.02)
    sim.run(10.0)
    assert not quiet._divergence_check_needed()


@pytest.mark.parametrize("celltype", ["EIF_cond_exp_isfa_ista", "HH_cond_exp", "Izhikevich"])
def test_models_that_can_diverge_silently_are_always_read(celltype):
    cells, _ = _kicked(getattr(sim, celltype)(), 0.001)
    sim.run(10.0)
    assert cells._divergence_check_needed()
    assert np.isfinite(cells._membrane_potential()).all()


def test_weights_nest_changes_during_a_run_are_read():
    """A plastic projection's weights change in the run: the bound of the core's weights does
    not hold, so the conductance cells are read."""
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence(),
                             weight=0.001, delay=1.0)
    cells, _ = _kicked(sim.IF_cond_exp(), None, synapse=stdp)
    sim.run(10.0)
    assert cells._divergence_check_needed()


def test_random_weights_drawn_again_are_bounded_without_a_copy():
    """Weights kept as the generator states that draw them (pyNN.common.redrawn_values):
    their largest magnitude is found chunk by chunk."""
    from pyNN.common.redrawn_values import RedrawnColumn
    from pyNN.random import NumpyRNG, RandomDistribution

    pre = sim.Population(50, sim.SpikeSourcePoisson(rate=5.0), label="pre")
    post = sim.Population(20, sim.IF_cond_exp(), label="post")
    weights = RandomDistribution("uniform", low=0.001, high=0.002, rng=NumpyRNG(seed=3))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=weights, delay=1.0))
    assert isinstance(prj._syn.stored("weight"), RedrawnColumn)
    largest = prj._syn.largest_magnitude("weight")
    assert largest == pytest.approx(np.max(prj.get("weight", format="list", with_address=False)))
    sim.run(5.0)
    assert not post._divergence_check_needed()
