"""Plastic NESTML synapse models on every backend, against the library's own STDP.

One network per backend: SpikeSourceArray cells fire the pre trains of test_stdp.py through
plastic one-to-one projections, and a teacher makes the post cells fire at known times. The
post cells are the library's IF_curr_exp (with STDPMechanism) and NESTML's iaf_psc_exp
neuron with the same parameters (with the NESTML synapse; on NEST and NEURON the synapse is
generated together with that neuron). Both fire at the same times, so the NESTML synapse must
reach the weights of STDPMechanism(SpikePairRule, Additive/Multiplicative) with the matching
parameters, within 1e-9 of w_max; both are also checked against the hand computation of
test_stdp.py. The NESTML models are compiled once per backend and cached (NEST: minutes the
first time).
"""

import importlib
import os
import sys

import numpy as np
import pytest

from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

from test_stdp import DELAY, PAIR, POST_TRAINS, PRE_TRAINS, TEACHER_DELAY, _reference_weights

LIBRARY = os.path.join(sys.prefix, "models")
HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "nestml_models")
BACKENDS = ["nest", "neuron", "brian2", "hardware"]
W0 = 0.2
T_STOP = 110.0
#: the library's IF_curr_exp and NESTML's iaf_psc_exp_neuron with the same parameters
STANDARD = dict(cm=1.0, tau_m=5.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-55.0, tau_refrac=0.5, tau_syn_E=0.2,
                tau_syn_I=2.0, i_offset=0.0)
NESTML_CELL = dict(C_m=1.0, tau_m=5.0, E_L=-65.0, V_reset=-65.0, V_th=-55.0, refr_T=0.5, tau_syn_exc=0.2,
                   tau_syn_inh=2.0, I_e=0.0)  # not tau_m: NESTML's propagators are singular there
_types = {}


def synapse_type(backend, name, path):
    """`sim.nestml.nestml_synapse_type` with NESTML's iaf_psc_exp neuron as postsynaptic neuron,
    once per backend and model in this module."""
    sim = importlib.import_module(f"pyNN.{backend}")
    key = (backend, name)
    if key not in _types:
        _types[key] = sim.nestml.nestml_synapse_type(
            name, path, postsynaptic_neuron_nestml_description=os.path.join(LIBRARY, "neurons",
                                                                            "iaf_psc_exp_neuron.nestml"))
    return sim, _types[key]


pytestmark = pytest.mark.usefixtures("forget_nestml_modules")


def _post(sim, cell, label, pre_trains, post_trains):
    n = len(pre_trains)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in pre_trains]),
                         label=f"pre {label}")
    teacher = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in post_trains]),
                             label=f"teacher {label}")
    post = sim.Population(n, cell, label=f"post {label}")
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=500.0, delay=TEACHER_DELAY),
                   receptor_type="excitatory")
    post.record("spikes")
    return pre, post


def _compare(sim, syn, cases, pre_trains=PRE_TRAINS, post_trains=POST_TRAINS):
    """`cases`: list of (STDPMechanism, NESTML synapse instance, reference rule, weight
    dependence dict, initial weight); the teacher makes the post cells fire one step after `post_trains` + its
    delay. Returns the per-case (library weights, NESTML weights, reference)."""
    sim.setup(timestep=0.1, min_delay=0.1)
    runs = []
    for k, (stdp, nestml, rule, dep, w0) in enumerate(cases):
        pre_a, post_a = _post(sim, sim.IF_curr_exp(**STANDARD), f"std{k}", pre_trains, post_trains)
        post_a.initialize(v=-65.0)
        pre_b, post_b = _post(sim, syn.postsynaptic_cell_type(**NESTML_CELL), f"nestml{k}", pre_trains,
                              post_trains)
        post_b.initialize(V_m=-65.0)
        a = sim.Projection(pre_a, post_a, sim.OneToOneConnector(), stdp, receptor_type="excitatory")
        b = sim.Projection(pre_b, post_b, sim.OneToOneConnector(), nestml, receptor_type="excitatory")
        runs.append((a, b, post_a, post_b, rule, dep, w0))
    sim.run(T_STOP)
    out = []
    for a, b, post_a, post_b, rule, dep, w0 in runs:
        times_a = [st.magnitude for st in post_a.get_data().segments[0].spiketrains]
        times_b = [st.magnitude for st in post_b.get_data().segments[0].spiketrains]
        for ta, tb, wanted in zip(times_a, times_b, post_trains):
            np.testing.assert_allclose(ta, np.asarray(wanted) + TEACHER_DELAY + 0.1)  # one step of tau_syn_E
            np.testing.assert_array_equal(tb, ta)
        w_a = np.asarray(a.get("weight", format="list", with_address=False), float)
        w_b = np.asarray(b.get("weight", format="list", with_address=False), float)
        # (the recorded times rounded to the grid, so that the hand computation sees a post spike
        # one delay before a pre spike as simultaneous with it)
        reference = _reference_weights(pre_trains, [np.round(t, 9) for t in times_b], w0, rule, dep, DELAY, 1.0)
        out.append((w_a, w_b, reference))
    sim.end()
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_nestml_stdp_synapse_matches_stdp_mechanism(backend):
    """NESTML's stdp_synapse with mu = 0 (additive) and mu = 1 (multiplicative)."""
    sim, syn = synapse_type(backend, "stdp_synapse", os.path.join(LIBRARY, "synapses", "stdp_synapse.nestml"))
    w_max = 0.5
    cases = []
    for mu, dependence in ((0.0, sim.AdditiveWeightDependence), (1.0, sim.MultiplicativeWeightDependence)):
        stdp = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(tau_plus=PAIR["tau_plus"], tau_minus=PAIR["tau_minus"],
                                                A_plus=PAIR["A_plus"], A_minus=PAIR["A_minus"]),
            weight_dependence=dependence(w_min=0.0, w_max=w_max), weight=W0, delay=DELAY)
        nestml = syn(weight=W0, delay=DELAY, tau_tr_pre=PAIR["tau_plus"], tau_tr_post=PAIR["tau_minus"],
                     mu_plus=mu, mu_minus=mu, Wmin=0.0, Wmax=w_max * 1000.0,
                     alpha=PAIR["A_minus"] / PAIR["A_plus"], **{"lambda": PAIR["A_plus"]})
        cases.append((stdp, nestml, PAIR, {"w_min": 0.0, "w_max": w_max, "mu": (mu, mu)}, W0))
    for w_library, w_nestml, reference in _compare(sim, syn, cases):
        assert not np.allclose(reference, W0)  # the protocol changes the weights
        np.testing.assert_allclose(w_library, reference, rtol=0, atol=1e-9 * w_max)
        np.testing.assert_allclose(w_nestml, w_library, rtol=0, atol=1e-9 * w_max)


@pytest.mark.parametrize("backend", BACKENDS)
def test_nestml_paper_stdp_synapse_matches_additive_rule(backend):
    """The NESTML paper's STDP synapse (one trace time constant, learning rate alpha, no bounds):
    the additive rule with A_plus = A_minus = alpha/1000 and bounds the weights never reach."""
    sim, syn = synapse_type(backend, "stdp_paper_synapse", os.path.join(HERE, "stdp_paper_synapse.nestml"))
    alpha, tau, w_max = 20.0, 25.0, 1.0
    rule = {"name": "pair", "tau_plus": tau, "tau_minus": tau, "A_plus": alpha / 1000.0, "A_minus": alpha / 1000.0}
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=tau, tau_minus=tau, A_plus=alpha / 1000.0,
                                            A_minus=alpha / 1000.0),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=w_max), weight=0.5, delay=DELAY)
    nestml = syn(weight=0.5, delay=DELAY, tau_tr=tau, alpha=alpha)
    [(w_library, w_nestml, reference)] = _compare(
        sim, syn, [(stdp, nestml, rule, {"w_min": 0.0, "w_max": w_max, "mu": (0.0, 0.0)}, 0.5)])
    assert np.all((reference > 0.0) & (reference < w_max)) and not np.allclose(reference, 0.5)
    np.testing.assert_allclose(w_library, reference, rtol=0, atol=1e-9 * w_max)
    np.testing.assert_allclose(w_nestml, w_library, rtol=0, atol=1e-9 * w_max)


@pytest.mark.parametrize("backend", BACKENDS)
def test_post_spike_at_the_time_of_a_pre_spike(backend):
    """Post spikes whose synapse time (emission + delay) is exactly that of a pre spike: the
    post spike potentiates with the earlier pre spikes, and the pre spike depresses with the
    earlier post spikes only, as NEST's stdp_synapse and NESTML's NEST code do."""
    sim, syn = synapse_type(backend, "stdp_synapse", os.path.join(LIBRARY, "synapses", "stdp_synapse.nestml"))
    post_trains = [[10.0, 30.0, 50.0], [20.0, 40.0]]
    # each post cell fires at teacher + 1.1 ms, so its spikes reach the synapse at teacher + 2.6 ms
    pre_trains = [[8.0, 12.6, 20.0, 32.6, 40.0, 52.6, 60.0], [15.0, 22.6, 30.0, 42.6, 50.0]]
    rule = dict(PAIR, A_plus=0.05, A_minus=0.06)  # weak enough that no weight reaches a bound
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=rule["tau_plus"], tau_minus=rule["tau_minus"],
                                            A_plus=rule["A_plus"], A_minus=rule["A_minus"]),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.5), weight=W0, delay=DELAY)
    nestml = syn(weight=W0, delay=DELAY, tau_tr_pre=rule["tau_plus"], tau_tr_post=rule["tau_minus"],
                 mu_plus=0.0, mu_minus=0.0, Wmin=0.0, Wmax=500.0, alpha=rule["A_minus"] / rule["A_plus"],
                 **{"lambda": rule["A_plus"]})
    [(w_library, w_nestml, reference)] = _compare(
        sim, syn, [(stdp, nestml, rule, {"w_min": 0.0, "w_max": 0.5, "mu": (0.0, 0.0)}, W0)], pre_trains, post_trains)
    assert np.all((reference > 0.0) & (reference < 0.5)) and not np.allclose(reference, W0)
    np.testing.assert_allclose(w_library, reference, rtol=0, atol=1e-9 * 0.5)
    np.testing.assert_allclose(w_nestml, w_library, rtol=0, atol=1e-9 * 0.5)


THIRD_FACTOR = os.path.join(HERE, "stdp_third_factor_synapse.nestml")


@pytest.mark.parametrize("backend, name, path, construct", [
    (backend, "stdp_third_factor_synapse", THIRD_FACTOR, "continuous input port 'I_post_dend'")
    for backend in ["neuron", "brian2", "hardware", "nest"]] + [
    (backend, "static_synapse", os.path.join(LIBRARY, "synapses", "static_synapse.nestml"), "a synapse without state")
    for backend in ["neuron", "brian2", "hardware"]])
def test_untranslatable_synapses_refused(backend, name, path, construct):
    sim = importlib.import_module(f"pyNN.{backend}")
    expected = f"NESTML synapse '{name}'.*{construct}.*{getattr(sim.nestml, 'BACKEND', 'NEST')}"
    with pytest.raises(errors.NoModelAvailableError, match=expected):
        sim.nestml.nestml_synapse_type(name, path, postsynaptic_neuron_nestml_description=os.path.join(
            LIBRARY, "neurons", "iaf_psc_exp_neuron.nestml"))


def test_nestml_synapse_refused_on_hardware_profiles():
    sim, syn = synapse_type("hardware", "stdp_synapse", os.path.join(LIBRARY, "synapses", "stdp_synapse.nestml"))
    sim.setup(timestep=0.1, profile="spinnaker1")
    try:
        pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]))
        post = sim.Population(2, sim.IF_curr_exp())
        with pytest.raises(errors.NoModelAvailableError, match="NESTML synapse 'stdp_synapse'.*profile 'ideal'"):
            sim.Projection(pre, post, sim.OneToOneConnector(), syn())
    finally:
        sim.end()


def test_nestml_synapse_on_neuron_needs_its_postsynaptic_neuron():
    sim = importlib.import_module("pyNN.neuron")
    with pytest.raises(errors.NoModelAvailableError, match="postsynaptic_neuron_nestml_description"):
        sim.nestml.nestml_synapse_type("stdp_synapse", os.path.join(LIBRARY, "synapses", "stdp_synapse.nestml"))


@pytest.mark.parametrize("backend", ["nest", "neuron", "hardware"])
def test_nestml_stdp_weight_set_between_runs_keeps_the_traces(backend):
    """set(weight=...) between runs on a plastic NESTML synapse replaces the weights only: its
    traces and the post spikes not yet applied carry over, as for STDPMechanism (the hardware
    engine restarted the synapse state). Brian2 refuses the change."""
    sim, syn = synapse_type(backend, "stdp_synapse", os.path.join(LIBRARY, "synapses", "stdp_synapse.nestml"))
    rule = dict(PAIR, A_plus=0.05, A_minus=0.06)
    w_max = 0.5
    sim.setup(timestep=0.1, min_delay=0.1)
    pre, post = _post(sim, syn.postsynaptic_cell_type(**NESTML_CELL), "nestml", PRE_TRAINS, POST_TRAINS)
    post.initialize(V_m=-65.0)
    nestml = syn(weight=W0, delay=DELAY, tau_tr_pre=rule["tau_plus"], tau_tr_post=rule["tau_minus"],
                 mu_plus=0.0, mu_minus=0.0, Wmin=0.0, Wmax=w_max * 1000.0,
                 alpha=rule["A_minus"] / rule["A_plus"], **{"lambda": rule["A_plus"]})
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), nestml, receptor_type="excitatory")
    sim.run(46.0)
    prj.set(weight=0.3)
    sim.run_until(T_STOP)
    times = [np.round(st.magnitude, 9) for st in post.get_data().segments[0].spiketrains]
    weights = np.asarray(prj.get("weight", format="list", with_address=False), float)
    sim.end()
    dep = {"w_min": 0.0, "w_max": w_max, "mu": (0.0, 0.0)}
    expected = _reference_weights(PRE_TRAINS, times, W0, rule, dep, DELAY, 1.0, replaced=(46.0, 0.3))
    assert np.max(np.abs(expected - _reference_weights(PRE_TRAINS, times, W0, rule, dep, DELAY, 1.0))) > 0.05
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * w_max)
