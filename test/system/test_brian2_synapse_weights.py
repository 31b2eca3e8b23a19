"""Brian2: a static Synapses object whose connections all have one weight keeps it as a
constant of its namespace (pyNN/brian2/synapse_weights.py); a set() that makes the weights
differ turns it into a per-synapse variable. Results, get(), save-able values and recorded
weights are those of per-synapse weights throughout."""

import numpy as np
import pytest

sim = pytest.importorskip("pyNN.brian2")
from pyNN.brian2 import synapse_weights  # noqa: E402


@pytest.fixture(autouse=True)
def fresh():
    yield
    sim.end()


def _network(per_synapse_from_start):
    """Two projections sharing one Synapses object (same weight) and a third of its own; a
    run, a set() of one weight per connection on the first, a set() of a new single weight
    on the third, another run. Returns the recorded arrays, the weights read back and the
    projections."""
    sim.setup(timestep=0.1)
    rng = sim.NumpyRNG(seed=11)
    stim = sim.Population(30, sim.SpikeSourcePoisson(rate=80.0, duration=60.0), label="stim")
    a = sim.Population(20, sim.IF_cond_exp(), label="a")
    b = sim.Population(20, sim.IF_cond_exp(), label="b")
    shared_1 = sim.Projection(stim, a, sim.FixedProbabilityConnector(0.3, rng=rng),
                              sim.StaticSynapse(weight=0.006, delay=0.5))
    shared_2 = sim.Projection(stim, b, sim.FixedProbabilityConnector(0.3, rng=rng),
                              sim.StaticSynapse(weight=0.006, delay=0.5))
    alone = sim.Projection(a, b, sim.FixedProbabilityConnector(0.2, rng=rng),
                           sim.StaticSynapse(weight=0.01, delay=1.0), receptor_type="inhibitory")
    for pop in (a, b):
        pop.record(["spikes", "v"])
    sim.simulator.state.build_pending()
    objects = {id(prj._synapses[0][0]): prj._synapses[0][0] for prj in (shared_1, shared_2, alone)}
    assert len(objects) == 2
    assert shared_1._synapses[0][0] is shared_2._synapses[0][0]
    for syn in objects.values():
        assert synapse_weights.is_constant(syn)
        if per_synapse_from_start:
            synapse_weights.make_per_synapse(syn)
            assert not synapse_weights.is_constant(syn)
    sim.run(30.0)
    heterogeneous = np.linspace(0.002, 0.012, len(shared_1))
    shared_1.set(weight=heterogeneous)  # only its slice of the shared object
    alone.set(weight=0.02)  # the whole object: one value again
    sim.run(30.0)
    recorded = [np.asarray(sig.magnitude) for pop in (a, b) for seg in pop.get_data().segments
                for sig in seg.analogsignals]
    spikes = [np.asarray(st.magnitude) for pop in (a, b) for seg in pop.get_data().segments
              for st in seg.spiketrains]
    weights = [prj.get("weight", format="list") for prj in (shared_1, shared_2, alone)]
    return recorded, spikes, weights, (shared_1, shared_2, alone)


def test_constant_weight_turns_per_synapse_when_set_makes_it_differ():
    recorded, spikes, weights, (shared_1, shared_2, alone) = _network(per_synapse_from_start=False)
    shared = shared_1._synapses[0][0]
    assert not synapse_weights.is_constant(shared)  # the set() of one weight per connection
    np.testing.assert_allclose(shared.variables["weight"].get_value()[shared_2._synapses[0][3]], 0.006e-6)
    assert synapse_weights.is_constant(alone._synapses[0][0])  # one new value for the whole object
    assert float(alone._synapses[0][0].namespace["weight"]) == pytest.approx(0.02e-6)
    sim.end()
    ref_recorded, ref_spikes, ref_weights, _ = _network(per_synapse_from_start=True)
    assert sum(s.size for s in spikes) > 0
    for ours, ref in zip(recorded + spikes, ref_recorded + ref_spikes):
        np.testing.assert_array_equal(ours, ref)
    for ours, ref in zip(weights, ref_weights):
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(ref))


def test_recorded_weights_of_a_constant_weight_projection():
    sim.setup(timestep=0.1)
    stim = sim.Population(5, sim.SpikeSourceArray(spike_times=[2.0]))
    cells = sim.Population(4, sim.IF_cond_exp())
    prj = sim.Projection(stim, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.004, delay=0.5))
    sim.run(5.0)
    assert synapse_weights.is_constant(prj._synapses[0][0])
    prj.record("weight", sampling_interval=1.0)
    sim.run(5.0)
    prj.set(weight=0.008)
    sim.run(5.0)
    signal = prj.get_data().segments[0].analogsignals[0]
    values = np.asarray(signal.magnitude)
    assert values.shape[1] == len(prj)
    np.testing.assert_allclose(values[:5], 0.004)
    np.testing.assert_allclose(values[-4:], 0.008)
    np.testing.assert_allclose(prj.get("weight", format="array"), 0.008)
