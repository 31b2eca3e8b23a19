"""Brian2: populations of one cell type share a NeuronGroup and static projections between
the same groups share a Synapses object (pyNN/brian2/groups.py). The results are exactly
those of one Brian2 object per population and projection (``setup(share_groups=False)``),
through set(), initialize(), views, assemblies, current sources, recording, reset() and
populations created after a run; also for NESTML neuron types."""

import numpy as np
import pytest

from pyNN import errors

sim = pytest.importorskip("pyNN.brian2")


@pytest.fixture(autouse=True)
def fresh():
    yield
    sim.end()


def _network(share):
    """Run a small E/I network in three segments; return every recorded array and the
    Brian2 groups of its populations."""
    sim.setup(timestep=0.1, share_groups=share)
    rng = sim.NumpyRNG(seed=7)
    v0 = sim.RandomDistribution("uniform", low=-70.0, high=-52.0, rng=sim.NumpyRNG(seed=8))
    exc = sim.Population(40, sim.IF_cond_exp(i_offset=0.25), initial_values={"v": v0}, label="exc")
    inh = sim.Population(10, sim.IF_cond_exp(i_offset=0.25), label="inh")
    inh.initialize(v=-58.0)  # before the group exists
    stim = sim.Population(5, sim.SpikeSourceArray(spike_times=[1.0, 4.0, 8.0]), label="stim")
    cells = exc + inh
    sim.Projection(exc, cells, sim.FixedProbabilityConnector(0.2, rng=rng),
                   sim.StaticSynapse(weight=0.004, delay=0.1), receptor_type="excitatory")
    sim.Projection(inh, cells, sim.FixedProbabilityConnector(0.2, rng=rng),
                   sim.StaticSynapse(weight=0.02, delay=0.3), receptor_type="inhibitory")
    sim.Projection(stim, exc[::2], sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0))
    sim.DCSource(amplitude=0.3, start=5.0, stop=40.0).inject_into(inh[2:6])
    exc.record(["spikes", "v"])
    inh.record("spikes")
    inh[1:4].record("gsyn_exc")
    sim.run(30.0)
    inh[:3].set(tau_m=12.0)  # a constant of the shared group becomes per cell
    exc.set(v_thresh=-52.0)
    sim.run(20.0)
    sim.reset()
    late = sim.Population(6, sim.IF_cond_exp(i_offset=1.0), label="late")
    late_too = sim.Population(4, sim.IF_cond_exp(i_offset=1.0), label="late_too")
    sim.Projection(late, late_too, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.1))
    sim.DCSource(amplitude=0.5, start=2.0, stop=20.0).inject_into(late_too)
    late.record("spikes")
    late_too.record(["v", "spikes"])
    exc[5:9].initialize(v=-51.0)
    sim.run(30.0)
    out = []
    for pop in (exc, inh, late, late_too):
        for seg in pop.get_data().segments:
            out.append([np.asarray(st.magnitude) for st in seg.spiketrains])
            out.extend(np.asarray(sig.magnitude) for sig in seg.analogsignals)
    out.append(np.asarray(cells.get("tau_m")))
    return out, {p.label: p.group for p in (exc, inh, stim, late, late_too)}


def test_shared_groups_give_exactly_the_unshared_results():
    shared, groups = _network(True)
    unshared, separate = _network(False)
    assert groups["exc"] is groups["inh"]
    assert groups["late"] is groups["late_too"] and groups["late"] is not groups["exc"]
    assert groups["stim"] is not groups["exc"]
    assert len({id(g) for g in separate.values()}) == 5
    assert len(shared) == len(unshared)
    n_spikes = 0
    for a, b in zip(shared, unshared):
        if isinstance(a, list):
            assert [len(s) for s in a] == [len(s) for s in b]
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)
            n_spikes += sum(len(s) for s in a)
        else:
            np.testing.assert_array_equal(a, b)
    assert n_spikes > 100  # the network is active, so the comparison means something


def test_populations_with_different_constants_keep_their_own_groups():
    sim.setup(timestep=0.1)
    a = sim.Population(3, sim.IF_cond_exp(tau_m=20.0))
    b = sim.Population(3, sim.IF_cond_exp(tau_m=10.0))
    c = sim.Population(3, sim.IF_cond_exp(tau_m=20.0))
    d = sim.Population(3, sim.IF_curr_exp(tau_m=20.0))
    assert a.group is c.group
    assert b.group is not a.group and d.group is not a.group
    assert a._offset == 0 and c._offset == 3
    assert "inv_tau_m" in a.group.namespace


def test_static_projections_share_one_synapses_object_holding_each_one_slice():
    sim.setup(timestep=0.1)
    rng = sim.NumpyRNG(seed=3)
    pre = sim.Population(20, sim.SpikeSourcePoisson(rate=50.0))
    post_a = sim.Population(15, sim.IF_cond_exp())
    post_b = sim.Population(25, sim.IF_cond_exp())
    prj_a = sim.Projection(pre, post_a, sim.FixedProbabilityConnector(0.3, rng=rng),
                           sim.StaticSynapse(weight=0.01, delay=0.5))
    prj_b = sim.Projection(pre, post_b, sim.FixedProbabilityConnector(0.3, rng=rng),
                           sim.StaticSynapse(weight=0.02, delay=0.5))
    other_delay = sim.Projection(pre, post_b[:20], sim.OneToOneConnector(),
                                 sim.StaticSynapse(weight=0.03, delay=0.7))
    assert not prj_a._synapses  # made before the run, with the others
    sim.run(1.0)
    syn = prj_a._synapses[0][0]
    assert prj_b._synapses[0][0] is syn
    assert other_delay._synapses[0][0] is not syn
    assert len(syn) == len(prj_a) + len(prj_b)
    for prj, weight in ((prj_a, 0.01), (prj_b, 0.02)):
        _, positions, _, part = prj._synapses[0]
        np.testing.assert_array_equal(syn.i[part], prj._pre[positions])
        np.testing.assert_array_equal(syn.j[part], prj.post._offset + prj._post[positions])
        np.testing.assert_allclose(syn.weight_[part], weight * 1e-6)
    prj_b.set(weight=0.05)  # only its own slice
    np.testing.assert_allclose(syn.weight_[prj_a._synapses[0][3]], 0.01e-6)
    np.testing.assert_allclose(syn.weight_[prj_b._synapses[0][3]], 0.05e-6)


def _two_projections(weight_a, weight_b):
    """Two static projections from one source onto two populations of one type."""
    sim.setup(timestep=0.1)
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
    post_a = sim.Population(2, sim.IF_curr_exp())
    post_b = sim.Population(4, sim.IF_curr_exp())
    return (sim.Projection(pre, post_a, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight_a, delay=0.5)),
            sim.Projection(pre, post_b, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight_b, delay=0.5)))


def test_delay_of_a_shared_scalar_delay_synapses_object_is_fixed_after_the_first_run():
    prj_a, prj_b = _two_projections(1.0, 1.0)
    sim.run(1.0)
    prj_a.set(delay=0.5)  # the same value: nothing changes
    with pytest.raises(errors.NotSupportedError, match="share_groups=False"):
        prj_b.set(delay=1.0)
    assert prj_b.get("delay", format="list", with_address=False) == pytest.approx([0.5] * 12)


def test_a_delay_set_before_the_first_run_decides_the_sharing():
    prj_a, prj_b = _two_projections(1.0, 1.0)
    prj_b.set(delay=0.8)  # kept by the core until the objects are made
    sim.run(1.0)
    assert prj_a._synapses[0][0] is not prj_b._synapses[0][0]
    assert float(prj_b._synapses[0][0].delay_[:]) == pytest.approx(0.7e-3)  # one step less (projections.py)


def test_weight_recording_of_a_shared_synapses_object_samples_only_the_projection():
    prj_a, prj_b = _two_projections(0.5, 0.25)
    sim.run(1.0)
    assert prj_a._synapses[0][0] is prj_b._synapses[0][0]
    prj_b.record("weight", sampling_interval=1.0)
    sim.run(3.0)
    sig = prj_b.get_data().segments[0].analogsignals[0]
    assert sig.shape[1] == len(prj_b) == 12
    np.testing.assert_allclose(np.asarray(sig.magnitude), 0.25)


@pytest.mark.parametrize("synapse", ["static", "tsodyks_markram"])
def test_equal_delays_may_become_heterogeneous_until_the_first_run(synapse):
    """PyNN 0.13 scenarios set per-connection delays on a projection created with one delay:
    the Synapses objects are made at the first run, with the delays of that moment."""
    sim.setup(timestep=0.1)
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(3, sim.IF_curr_exp(tau_m=1e4))
    kind = sim.StaticSynapse if synapse == "static" else sim.TsodyksMarkramSynapse
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), kind(weight=1.0, delay=0.5))
    prj.set(delay=np.array([0.5, 1.0, 1.5]))
    post.record("v")
    sim.run(5.0)
    assert prj.get("delay", format="list", with_address=False) == pytest.approx([0.5, 1.0, 1.5])
    sig = post.get_data().segments[0].analogsignals[0]
    t = sig.times.magnitude
    arrival = [t[np.flatnonzero(sig.magnitude[:, k] > -64.99)[0]] for k in range(3)]
    assert np.diff(arrival) == pytest.approx([0.5, 0.5])  # (v rises one step after the current)
    prj.set(delay=np.array([1.0, 1.5, 0.5]))  # per-synapse delays: may change after the run too
    other = sim.Projection(pre, post, sim.OneToOneConnector(), kind(weight=1.0, delay=0.5))
    sim.run(1.0)
    with pytest.raises(errors.NotSupportedError, match="one shared delay"):
        other.set(delay=np.array([0.5, 1.0, 1.5]))
    assert other.get("delay", format="list", with_address=False) == pytest.approx([0.5] * 3)


def _nestml_network(share):
    """Two populations of one NESTML cell type in an E/I network with a current source and a
    parameter change between runs; return the recorded arrays and the populations' groups."""
    import os
    import sys
    path = os.path.join(sys.prefix, "models", "neurons", "iaf_psc_exp_neuron.nestml")
    if not os.path.exists(path):
        pytest.skip("the nestml package's model library is not installed")
    sim.setup(timestep=0.1, share_groups=share)
    celltype = sim.nestml.nestml_cell_type("iaf_psc_exp_neuron", path)
    rng = sim.NumpyRNG(seed=3)
    v0 = sim.RandomDistribution("uniform", low=-70.0, high=-52.0, rng=sim.NumpyRNG(seed=4))
    exc = sim.Population(30, celltype(I_e=300.0), initial_values={"V_m": v0}, label="exc")
    inh = sim.Population(10, celltype(I_e=300.0), label="inh")
    cells = exc + inh
    sim.Projection(exc, cells, sim.FixedProbabilityConnector(0.3, rng=rng),
                   sim.StaticSynapse(weight=0.05, delay=0.1), receptor_type="excitatory")
    sim.Projection(inh, cells, sim.FixedProbabilityConnector(0.3, rng=rng),
                   sim.StaticSynapse(weight=0.1, delay=0.3), receptor_type="inhibitory")
    sim.DCSource(amplitude=0.2, start=5.0, stop=30.0).inject_into(inh[2:6])
    cells.record(["spikes", "V_m"])
    sim.run(25.0)
    inh[:3].set(tau_m=12.0)  # a constant of the shared group becomes per cell
    sim.run(25.0)
    out = []
    for pop in (exc, inh):
        for seg in pop.get_data().segments:
            out.append([np.asarray(st.magnitude) for st in seg.spiketrains])
            out.extend(np.asarray(sig.magnitude) for sig in seg.analogsignals)
    return out, (exc.group, inh.group)


def test_nestml_populations_share_a_group_with_exactly_the_unshared_results():
    shared, (exc_group, inh_group) = _nestml_network(True)
    sim.end()
    alone, (exc_alone, inh_alone) = _nestml_network(False)
    assert exc_group is inh_group
    assert exc_alone is not inh_alone
    assert sum(len(t) for t in shared[0]) > 0
    assert len(shared) == len(alone)
    for a, b in zip(shared, alone):
        if isinstance(a, list):
            assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
        else:
            np.testing.assert_array_equal(a, b)
