"""Stochastic synapses: the release probability, measured, where a backend has the model;
a clear NoModelAvailableError (and a support-matrix entry) where it has not."""

import numpy as np
import pytest

from pyNN import errors
from scenario_tools import binomial_bounds, run

N_CELLS = 40
SPIKES = np.arange(5.0, 205.0, 10.0)  # 20 spikes per source


def _transmitted(sim, synapse):
    """Count, per connection, the spikes that reached the target: each source drives its own
    IF_curr_delta cell with weight 1 mV and a membrane that does not leak (tau_m = 1e9 ms),
    so that v rises by exactly 1 mV per transmitted spike."""
    sources = sim.Population(N_CELLS, sim.SpikeSourceArray(spike_times=SPIKES), label="sources")
    cells = sim.Population(N_CELLS, sim.IF_curr_delta(tau_m=1e9, v_rest=-65.0, v_thresh=1e6, tau_refrac=0.1),
                           label="counters")
    cells.initialize(v=-65.0)
    sim.Projection(sources, cells, sim.OneToOneConnector(), synapse, label="stochastic")
    cells.record("v", sampling_interval=SPIKES[-1] + 5.0)
    run(sim, SPIKES[-1] + 5.0)
    signal = cells.get_data().segments[0].analogsignals[0]
    return np.rint(signal.magnitude[-1] - (-65.0)).astype(int)


def test_simple_stochastic_release_probability(sim):
    synapse_type = sim.SimpleStochasticSynapse
    p = np.where(np.arange(N_CELLS) < N_CELLS // 2, 0.2, 0.8)
    synapse = synapse_type(weight=1.0, delay=1.0, p=p)
    if synapse.native_name is None:
        with pytest.raises(errors.NoModelAvailableError, match="SimpleStochasticSynapse.*available on the"):
            _transmitted(sim, synapse)
        return
    counts = _transmitted(sim, synapse)
    assert np.all((counts >= 0) & (counts <= SPIKES.size))
    for prob, group in ((0.2, counts[p == 0.2]), (0.8, counts[p == 0.8])):
        low, high = binomial_bounds(group.size * SPIKES.size, prob)
        assert low <= group.sum() <= high, (prob, group.sum(), low, high)


@pytest.mark.parametrize("name", ["StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse"])
def test_other_stochastic_synapses_run_or_are_refused(sim, name):
    """Where a backend has the model, a depressing synapse releases less on later spikes;
    where not, the error names the type, the backend and the reason."""
    synapse = getattr(sim, name)(weight=1.0, delay=1.0, U=0.5, tau_rec=500.0)
    if synapse.native_name is None:
        with pytest.raises(errors.NoModelAvailableError, match=f"{name} is not available on the .* backend: .+"):
            _transmitted(sim, synapse)
        return
    counts = _transmitted(sim, synapse)
    # with tau_rec = 500 ms and one spike every 10 ms the site(s) rarely refill: far fewer
    # than the U * 20 = 10 releases per connection a synapse without depression would give
    assert 0 < counts.sum() < 0.6 * 0.5 * N_CELLS * SPIKES.size
