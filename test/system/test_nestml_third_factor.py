"""The NESTML paper's third-factor STDP rule on every backend: a continuous input port of the
synapse (``I_post_dend``) reads a state variable of its postsynaptic NESTML neuron.

The postsynaptic cells are NESTML's iaf_psc_exp neuron; the third factor is its inhibitory
synaptic current ``I_syn_inh`` (``postsynaptic_variables={"I_post_dend": "I_syn_inh"}``),
driven by a "modulator" spike source through weak inhibitory connections (a few pA, which
barely move the membrane). A teacher makes the cells fire at known times, so the current at
each post spike is known in closed form, and the weights every backend reaches must match a
hand computation of the rule (and so each other) within 1e-9. No two events of one
connection share a synapse time, and no modulator spike arrives in the step of a post
spike, so the result does not depend on same-time ordering.
"""

import importlib
import math
import os
import sys

import numpy as np
import pytest

from pyNN import errors

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

LIBRARY = os.path.join(sys.prefix, "models")
HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "nestml_models")
THIRD_FACTOR = os.path.join(HERE, "stdp_third_factor_synapse.nestml")
NEURON = os.path.join(LIBRARY, "neurons", "iaf_psc_exp_neuron.nestml")
BACKENDS = ["nest", "neuron", "brian2", "hardware"]
DT = 0.1
DELAY = 1.5
TEACHER_DELAY = 1.0
MOD_DELAY = 1.0
TAU_SYN_INH = 2.0
NESTML_CELL = dict(C_m=1.0, tau_m=5.0, E_L=-65.0, V_reset=-65.0, V_th=-55.0, refr_T=0.5, tau_syn_exc=0.2,
                   tau_syn_inh=TAU_SYN_INH, I_e=0.0)
RULE = {"lambda": 0.05, "alpha": 1.2, "mu_plus": 1.0, "tau_tr_pre": 16.8, "tau_tr_post": 33.7}
W0 = 0.5  # NESTML weight (0..1); the library weight is W0/1000
# (connection 2: its post spikes reach the synapse exactly at a pre spike's time, 22.6 and 42.6)
PRE_TRAINS = [[10.0, 25.0, 40.0, 61.0, 82.0], [5.0, 30.0, 52.0, 70.0, 90.0], [12.0, 22.6, 35.0, 42.6, 50.0]]
POST_TRAINS = [[14.0, 28.0, 45.0, 65.0, 85.0], [8.0, 33.0, 56.0, 74.0, 94.0], [20.0, 40.0]]
#: modulator spikes and their current (pA): before some post spikes, so that the gate is
#: fully open (>= 1 pA), partly open or closed at different post spikes
MOD_TRAINS = [[13.5, 43.0, 64.2], [32.0, 55.0, 73.5], [19.4, 38.0]]
MOD_PA = [1.6, 0.9, 1.2]
PAPER = dict(pre=PRE_TRAINS, post=POST_TRAINS, mod=MOD_TRAINS, mod_pa=MOD_PA, delay=DELAY)
#: a cell firing every 2 ms and a delay of 5 ms: several post spikes of one cell wait to be
#: handled at once (Brian2 handles a post event two delays after the spike, NEURON and the
#: emulator at the next pre spike), each with its own value of the third factor
IN_FLIGHT = dict(pre=[[3.0, 17.3, 31.7, 48.2, 60.0]], post=[[10.0 + 2.0 * k for k in range(16)]],
                 mod=[[13.3, 22.7, 30.2]], mod_pa=[2.5], delay=5.0)
T_STOP = 100.0
_types = {}


def third_factor_type(backend):
    sim = importlib.import_module(f"pyNN.{backend}")
    if backend not in _types:
        _types[backend] = sim.nestml.nestml_synapse_type(
            "stdp_third_factor_synapse", THIRD_FACTOR, postsynaptic_neuron_nestml_description=NEURON,
            postsynaptic_variables={"I_post_dend": "I_syn_inh"})
    return sim, _types[backend]


pytestmark = pytest.mark.usefixtures("forget_nestml_modules")


def _current_at(t, k, scenario=PAPER):
    """I_syn_inh (pA) of post cell k at time t: each modulator spike adds mod_pa[k] on arrival."""
    return sum(scenario["mod_pa"][k] * math.exp(-(t - (s + MOD_DELAY)) / TAU_SYN_INH)
               for s in scenario["mod"][k] if s + MOD_DELAY <= t + 1e-9)


def _reference(pre, post_emitted, k, scenario=PAPER, gated=True):
    """The rule of stdp_third_factor_synapse.nestml, event by event (synapse times); without
    `gated`, as if the gate were always open. As on NEST, the weight is that of the last pre
    spike: later post events are not handled yet. A post event at a pre spike's time is handled
    first, but the pre handler reads the post trace without it (as NESTML's NEST code)."""
    p = RULE
    delay = scenario["delay"]
    events = sorted([(t, "pre", None) for t in pre] + [(round(t + delay, 9), "post", t) for t in post_emitted
                                                          if t + delay < max(pre)])
    w, pre_tr, post_tr, last = W0, 0.0, 0.0, 0.0
    post_before = None  # (time, post trace before it) of the last post event
    for t, kind, emitted in events:
        pre_tr *= math.exp(-(t - last) / p["tau_tr_pre"])
        post_tr *= math.exp(-(t - last) / p["tau_tr_post"])
        last = t
        if kind == "pre":
            pre_tr += 1.0
            read = post_before[1] if post_before and abs(post_before[0] - t) < 1e-9 else post_tr
            w = max(0.0, w - p["alpha"] * p["lambda"] * read * w)
        else:
            post_before = (t, post_tr)
            post_tr += 1.0
            new_w = w + p["lambda"] * pre_tr * (1.0 - w) ** p["mu_plus"]
            gate = min(_current_at(emitted, k, scenario), 1.0) if gated else 1.0
            w = min(1.0, gate * new_w + (1.0 - gate) * w)
    return w


def _run(backend, scenario):
    sim, syn = third_factor_type(backend)
    sim.setup(timestep=DT, min_delay=DT)
    n = len(scenario["pre"])

    def trains(key):
        return sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in scenario[key]])

    pre = sim.Population(n, trains("pre"), label="pre")
    teacher = sim.Population(n, trains("post"), label="teacher")
    mod = sim.Population(n, trains("mod"), label="mod")
    post = sim.Population(n, syn.postsynaptic_cell_type(**NESTML_CELL), label="post")
    post.initialize(V_m=-65.0)
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=500.0, delay=TEACHER_DELAY),
                   receptor_type="excitatory")
    sim.Projection(mod, post, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=[-x / 1000.0 for x in scenario["mod_pa"]], delay=MOD_DELAY),
                   receptor_type="inhibitory")
    prj = sim.Projection(pre, post, sim.OneToOneConnector(),
                         syn(weight=W0 / 1000.0, delay=scenario["delay"], **RULE), receptor_type="excitatory")
    post.record(["spikes", "I_syn_inh"])
    sim.run(T_STOP)
    block = post.get_data()
    weights = np.asarray(prj.get("weight", format="list", with_address=False), float) * 1000.0
    spikes = [np.asarray(st.magnitude) for st in block.segments[0].spiketrains]
    signal = block.segments[0].filter(name="I_syn_inh")[0]
    current = (np.asarray(signal.times.rescale("ms").magnitude), np.asarray(signal.rescale("pA").magnitude))
    sim.end()
    return weights, spikes, current


@pytest.mark.parametrize("scenario", [PAPER, IN_FLIGHT], ids=["paper", "in_flight"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_third_factor_rule_matches_hand_computation(backend, scenario):
    weights, spikes, (times, current) = _run(backend, scenario)
    pre = scenario["pre"]
    for k in range(len(pre)):  # the third factor is what the modulator makes it
        np.testing.assert_allclose(current[:, k], [_current_at(t, k, scenario) for t in times], rtol=1e-9,
                                   atol=1e-12)
    for times, wanted in zip(spikes, scenario["post"]):
        np.testing.assert_allclose(times, np.asarray(wanted) + TEACHER_DELAY + DT)  # one step of tau_syn_exc
    reference = [_reference(pre[k], np.round(spikes[k], 9), k, scenario) for k in range(len(pre))]
    ungated = [_reference(pre[k], np.round(spikes[k], 9), k, scenario, gated=False) for k in range(len(pre))]
    assert not np.allclose(reference, W0) and np.all(np.abs(np.subtract(reference, ungated)) > 1e-3)
    gates = [min(_current_at(t, k, scenario), 1.0) for k in range(len(spikes)) for t in spikes[k]]
    assert min(gates) == 0.0 and max(gates) == 1.0 and any(0.0 < g < 1.0 for g in gates)  # closed, open, partly
    np.testing.assert_allclose(weights, reference, rtol=0, atol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_third_factor_port_needs_its_postsynaptic_variable(backend):
    sim = importlib.import_module(f"pyNN.{backend}")
    expected = "continuous input port 'I_post_dend'.*postsynaptic_variables"
    with pytest.raises(errors.NoModelAvailableError, match=expected):
        sim.nestml.nestml_synapse_type("stdp_third_factor_synapse", THIRD_FACTOR,
                                       postsynaptic_neuron_nestml_description=NEURON)


@pytest.mark.parametrize("backend", BACKENDS)
def test_third_factor_postsynaptic_variable_checked(backend):
    sim = importlib.import_module(f"pyNN.{backend}")
    with pytest.raises(errors.ModelDescriptionError, match="'I_dend', which is not a state variable.*iaf_psc_exp"):
        sim.nestml.nestml_synapse_type("stdp_third_factor_synapse", THIRD_FACTOR,
                                       postsynaptic_neuron_nestml_description=NEURON,
                                       postsynaptic_variables={"I_post_dend": "I_dend"})
    with pytest.raises(errors.ModelDescriptionError, match="in pA but the postsynaptic variable 'V_m'.*in mV"):
        sim.nestml.nestml_synapse_type("stdp_third_factor_synapse", THIRD_FACTOR,
                                       postsynaptic_neuron_nestml_description=NEURON,
                                       postsynaptic_variables={"I_post_dend": "V_m"})


@pytest.mark.parametrize("backend", ["brian2", "hardware"])
def test_third_factor_needs_a_nestml_target(backend):
    sim, syn = third_factor_type(backend)
    sim.setup(timestep=DT)
    try:
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
        post = sim.Population(1, sim.IF_curr_exp(), label="standard cells")
        with pytest.raises(errors.NoModelAvailableError, match="Projection 'gated'.*I_syn_inh.*'standard cells'"):
            sim.Projection(pre, post, sim.OneToOneConnector(), syn(), label="gated")
    finally:
        sim.end()


def test_brian2_step_ring_keeps_recent_values_when_it_grows():
    """The ring behind the third factors on Brian2 (and the weights in flight of modulated
    synapses) grows when a delay grows between runs, keeping what spikes in flight will read."""
    sim = importlib.import_module("pyNN.brian2")
    from pyNN.brian2.nestml_synapse import StepRing
    sim.setup(timestep=DT)
    try:
        sim.run(10.0)  # step 100
        ring = StepRing("test")
        ring.require(3, 4)
        steps = np.array([96, 97, 98, 99])
        for k in range(3):
            ring._write(np.full(4, k), steps, 10.0 * k + steps)
        ring.require(5, 9)
        assert ring.window == 9 and ring.values.shape == (5, 9)
        for k in range(3):
            np.testing.assert_array_equal(ring._read(np.full(4, k), steps), 10.0 * k + steps)
        np.testing.assert_array_equal(ring._read(np.full(4, 4), steps), 0.0)
    finally:
        sim.end()
