"""STDP against weight changes computed here from the formulas of doc/behaviour.md.

Each case drives post-synaptic cells to fire at known times (a strong static input from a
SpikeSourceArray onto IF_curr_delta cells) while SpikeSourceArray cells fire through a
plastic one-to-one projection. The expected weights are computed in this file, with numpy,
from the recorded pre and post spike times and the rule's formulas, independently of the
library; they are compared with ``Projection.get('weight')`` after the run.
"""

import numpy as np
import pytest

from pyNN import errors

DELAY = 1.5
# pre spike trains of the plastic connections, one per connection
PRE_TRAINS = [
    [10.0, 25.0, 31.0, 60.0, 62.0, 90.0],
    [5.0, 40.0, 41.0, 70.0],
    [20.0, 33.5, 50.0, 80.0, 81.0, 95.0],
    [12.0, 13.0, 14.0, 66.0],
]
# times at which the teacher makes each post cell fire (the post spike is one delay later)
POST_TRAINS = [
    [14.0, 27.0, 29.0, 30.0, 58.5, 75.0],  # 58.5 + DELAY == 60: simultaneous in the synapse's time
    [3.0, 39.0, 43.0, 44.0, 69.0],
    [21.0, 32.0, 48.5, 52.0, 79.0, 93.0],
    [11.0, 15.0, 64.0, 65.0],
]
TEACHER_DELAY = 1.0
T_STOP = 110.0


def _driven_network(sim, current_based=False):
    """SpikeSourceArray cells firing PRE_TRAINS, and IF_curr_delta cells that a teacher makes
    fire one TEACHER_DELAY after each time of POST_TRAINS (`current_based`: IF_curr_exp cells
    with a fast synaptic current, which fire one time step later)."""
    n = len(PRE_TRAINS)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in PRE_TRAINS]), label="pre")
    teacher = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in POST_TRAINS]),
                             label="teacher")
    if current_based:
        cell, teacher_weight = sim.IF_curr_exp(v_thresh=-55.0, tau_refrac=0.5, tau_m=5.0, tau_syn_E=0.2), 500.0
    else:
        cell, teacher_weight = sim.IF_curr_delta(v_thresh=-55.0, tau_refrac=0.5, tau_m=5.0), 50.0
    post = sim.Population(n, cell, label="post")
    post.initialize(v=-65.0)
    sim.Projection(teacher, post, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=teacher_weight, delay=TEACHER_DELAY), label="teacher->post")
    return pre, post


def _timing_rule(sim, timing, positional=False):
    """The backend's timing dependence for a case dict (by keyword, or in PyNN 0.13's order)."""
    names = ("tau_plus", "tau_minus", "A_plus", "A_minus") if timing["name"] == "pair" else ("tau", "eta", "rho")
    cls = sim.SpikePairRule if timing["name"] == "pair" else sim.Vogels2011Rule
    if positional:
        return cls(*(timing[name] for name in names))
    return cls(**{name: timing[name] for name in names})


def _reference_weights(pre_trains, post_trains, w0, rule, weight_dep, delay, fraction, replaced=None):
    """The weight after the last pre event, from doc/behaviour.md, for each connection.
    `replaced`: (t, w), the weight set to w (Projection.set) at time t: the traces carry over,
    and the potentiation of post spikes since the last pre event acts on w at the next one."""
    out = []
    for pre, post in zip(pre_trains, post_trains):
        s_pre = np.asarray(pre) + (1.0 - fraction) * delay
        s_post = np.asarray(post) + fraction * delay
        w_min, w_max = weight_dep["w_min"], weight_dep["w_max"]
        span = w_max - w_min
        x = (w0 - w_min) / span
        mu_plus, mu_minus = weight_dep["mu"]
        if rule["name"] == "pair":
            tau_plus, tau_minus = rule["tau_plus"], rule["tau_minus"]
            a_post, a_minus = rule["A_plus"], rule["A_minus"]
        else:  # Vogels2011Rule: additive, both traces with tau, eta in weight units
            tau_plus = tau_minus = rule["tau"]
            a_post = rule["eta"] / span
            a_minus = 2.0 * rule["rho"] * rule["tau"] / 1000.0 * rule["eta"] / span
        last = -np.inf
        for t in s_pre:
            if replaced is not None and last <= replaced[0] < t:
                x = (replaced[1] - w_min) / span
            for tp in s_post[(s_post > last) & (s_post <= t)]:  # potentiation, in time order
                earlier = s_pre[s_pre < tp]
                k_plus = np.exp(-(tp - earlier) / tau_plus).sum()
                x = min(1.0, x + a_post * (1.0 - x) ** mu_plus * k_plus)
            k_minus = np.exp(-(t - s_post[s_post < t]) / tau_minus).sum()
            if rule["name"] == "pair":
                x = max(0.0, x - a_minus * x ** mu_minus * k_minus)
            else:
                x = min(1.0, x + a_post * k_minus)
                x = max(0.0, x - a_minus)
            last = t
        out.append(w_min + x * span)
    return np.array(out)


WEIGHT_DEPENDENCES = {
    "additive": ("AdditiveWeightDependence", {}, (0.0, 0.0)),
    "multiplicative": ("MultiplicativeWeightDependence", {}, (1.0, 1.0)),
    "apmd": ("AdditivePotentiationMultiplicativeDepression", {}, (0.0, 1.0)),
    "gutig": ("GutigWeightDependence", {"mu_plus": 0.7, "mu_minus": 0.4}, (0.7, 0.4)),
}
PAIR = {"name": "pair", "tau_plus": 16.8, "tau_minus": 33.7, "A_plus": 0.3, "A_minus": 0.35}
VOGELS = {"name": "vogels", "tau": 20.0, "eta": 0.02, "rho": 10.0}
#: a rule that keeps the weights of these trains off the bounds
WEAK_PAIR = dict(PAIR, A_plus=0.05, A_minus=0.06)


def _run_case(sim, timing, weight_dep_name, w_min=0.0, w_max=0.5, w0=0.2, fraction=1.0, current_based=False):
    cls_name, extra, mu = WEIGHT_DEPENDENCES[weight_dep_name]
    pre, post = _driven_network(sim, current_based)
    rule = _timing_rule(sim, timing)
    weight_dep = getattr(sim, cls_name)(w_min=w_min, w_max=w_max, **extra)
    stdp = sim.STDPMechanism(timing_dependence=rule, weight_dependence=weight_dep, weight=w0, delay=DELAY,
                             dendritic_delay_fraction=fraction)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp, label="plastic")
    post.record("spikes")
    sim.run(T_STOP)
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    # the teacher alone decides the post spikes (the plastic input stays far below threshold)
    lag = TEACHER_DELAY + (sim.get_time_step() if current_based else 0.0)
    for got, wanted in zip(post_times, POST_TRAINS):
        np.testing.assert_allclose(got, np.asarray(wanted) + lag)
    weights = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    expected = _reference_weights(PRE_TRAINS, post_times, w0, timing,
                                  {"w_min": w_min, "w_max": w_max, "mu": mu}, DELAY, fraction)
    return weights, expected


@pytest.mark.parametrize("weight_dep_name", list(WEIGHT_DEPENDENCES))
def test_spike_pair_rule_against_hand_computation(sim, weight_dep_name):
    weights, expected = _run_case(sim, PAIR, weight_dep_name)
    assert not np.allclose(expected, 0.2)  # the protocol does change the weights
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5)


def test_vogels_rule_against_hand_computation(sim):
    weights, expected = _run_case(sim, VOGELS, "additive")
    assert not np.allclose(expected, 0.2)
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5)


def test_depression_only_and_weight_bounds(sim):
    """A_plus = 0 (depression only) and a rule strong enough to hit both bounds."""
    depression_only = dict(PAIR, A_plus=0.0)
    weights, expected = _run_case(sim, depression_only, "additive")
    assert np.all(expected < 0.2)
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5)


def test_weights_clipped_to_bounds(sim):
    strong = dict(PAIR, A_plus=2.0, A_minus=3.0)
    weights, expected = _run_case(sim, strong, "additive")
    assert np.any(expected == 0.0) or np.any(expected == 0.5)
    assert np.all((weights >= 0.0) & (weights <= 0.5))
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5)


@pytest.mark.parametrize("backend_name", ["hardware", "brian2", "neuron"])
def test_nonzero_w_min(backend_name):
    """w_min != 0 (the hardware engine, Brian2 and NEURON support it; NEST refuses it, see below)."""
    sim = pytest.importorskip(f"pyNN.{backend_name}")
    sim.setup(timestep=0.1)
    for name in ("additive", "multiplicative", "gutig"):
        weights, expected = _run_case(sim, PAIR, name, w_min=0.1, w_max=0.6, w0=0.3)
        np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5)
        sim.reset()
    sim.end()


#: backends that run dendritic_delay_fraction = 0 (NEST 3.10 cannot: see test_stdp_refused_where_unavailable)
FRACTION_ZERO_BACKENDS = ("neuron", "hardware", "brian2")


#: backends that run any dendritic_delay_fraction in [0, 1] (Brian2 runs 0 and 1)
ANY_FRACTION_BACKENDS = ("neuron", "hardware")
FRACTION_ZERO_CASES = [(PAIR, name) for name in WEIGHT_DEPENDENCES] + [
    (dict(PAIR, A_plus=0.0, A_minus=0.05), "additive"), (VOGELS, "additive")]


@pytest.mark.parametrize("timing, weight_dep_name", FRACTION_ZERO_CASES,
                         ids=[f"{t['name']}{'-depression' if t.get('A_plus') == 0 else ''}-{w}"
                              for t, w in FRACTION_ZERO_CASES])
def test_no_dendritic_delay(sim, timing, weight_dep_name):
    """dendritic_delay_fraction = 0: the rule sees a pre spike when it arrives and a post spike
    when it is emitted."""
    if sim.__name__.rsplit(".", 1)[-1] not in FRACTION_ZERO_BACKENDS:
        pytest.skip("this backend refuses dendritic_delay_fraction=0 (tested in test_stdp_refused_where_unavailable)")
    weights, expected = _run_case(sim, timing, weight_dep_name, fraction=0.0, current_based=True)
    # the fraction matters for these trains
    with_f1 = _reference_weights(PRE_TRAINS, [np.asarray(t) + TEACHER_DELAY + 0.1 for t in POST_TRAINS], 0.2,
                                 timing, {"w_min": 0.0, "w_max": 0.5, "mu": WEIGHT_DEPENDENCES[weight_dep_name][2]},
                                 DELAY, 1.0)
    assert np.max(np.abs(with_f1 - expected)) > 1e-3
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5)


def test_hand_computed_pairs_without_dendritic_delay():
    """The reference itself, on pairs computed by hand (f = 0: s_pre = t_pre + d, s_post = t_post;
    additive SpikePairRule, tau_plus = tau_minus = 20 ms, A_plus = 0.1, A_minus = 0.12, x0 = 0.5).
    A pre spike at 10 arrives at 11.5, a post spike at 15: potentiation 0.1*exp(-3.5/20), applied
    at the next pre spike (30, arriving at 31.5), which depresses by 0.12*exp(-16.5/20). With
    f = 1 the same spikes pair as s_pre = 10, s_post = 16.5 and 31.5."""
    rule = {"name": "pair", "tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.1, "A_minus": 0.12}
    additive = {"w_min": 0.0, "w_max": 1.0, "mu": (0.0, 0.0)}
    got = _reference_weights([[10.0, 30.0]], [[15.0]], 0.5, rule, additive, DELAY, 0.0)[0]
    assert got == pytest.approx(0.5 + 0.1 * np.exp(-3.5 / 20) - 0.12 * np.exp(-16.5 / 20), abs=1e-15)
    got = _reference_weights([[10.0, 30.0]], [[15.0]], 0.5, rule, additive, DELAY, 1.0)[0]
    assert got == pytest.approx(0.5 + 0.1 * np.exp(-6.5 / 20) - 0.12 * np.exp(-13.5 / 20), abs=1e-15)
    # a post spike between emission and arrival of the pre spike: post before pre with f = 0
    got = _reference_weights([[10.0, 30.0]], [[11.0]], 0.5, rule, additive, DELAY, 0.0)[0]
    assert got == pytest.approx(0.5 - 0.12 * np.exp(-0.5 / 20) - 0.12 * np.exp(-20.5 / 20), abs=1e-15)


@pytest.mark.parametrize("fraction", [0.0, 0.5])
def test_single_pairs_without_dendritic_delay(sim, fraction):
    """One pre and one post spike per connection at known intervals around the delay, against
    the formulas (f = 0 and, where the backend runs it, f = 0.5)."""
    name = sim.__name__.rsplit(".", 1)[-1]
    if name not in FRACTION_ZERO_BACKENDS or (fraction not in (0.0, 1.0) and name not in ANY_FRACTION_BACKENDS):
        pytest.skip(f"this backend refuses dendritic_delay_fraction={fraction}")
    pre_trains = [[20.0, 60.0], [20.0, 60.0], [20.0, 60.0], [20.0, 60.0]]
    # post spike (teacher + 1.1 ms) at 19.6, 20.6, 21.6 and 25.1: before, during and after the delay
    teacher = [[18.5], [19.5], [20.5], [24.0]]
    n = len(pre_trains)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in pre_trains]), label="pre")
    drive = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in teacher]), label="teacher")
    post = sim.Population(n, sim.IF_curr_exp(v_thresh=-55.0, tau_refrac=0.5, tau_m=5.0, tau_syn_E=0.2),
                          label="post")
    sim.Projection(drive, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=500.0, delay=1.0))
    rule = {"name": "pair", "tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.1, "A_minus": 0.12}
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.1, A_minus=0.12),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0), weight=0.5, delay=DELAY,
        dendritic_delay_fraction=fraction))
    post.record("spikes")
    sim.run(80.0)
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    np.testing.assert_allclose(np.concatenate(post_times), [19.6, 20.6, 21.6, 25.1], atol=1e-9)
    expected = _reference_weights(pre_trains, post_times, 0.5, rule, {"w_min": 0.0, "w_max": 1.0, "mu": (0.0, 0.0)},
                                  DELAY, fraction)
    # post spikes before, at about and after the pre spike's arrival (21.5) pair differently
    assert np.unique(np.round(expected, 6)).size == n
    weights = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9)


def test_hardware_profiles_refuse_axonal_delay_stdp():
    """dendritic_delay_fraction < 1 runs on the ideal profile's engine only."""
    sim = pytest.importorskip("pyNN.hardware")
    sim.setup(timestep=0.1, profile="spinnaker1")
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")
    with pytest.raises(errors.InvalidParameterValueError, match="'plastic'.*dendritic_delay_fraction.*'ideal'"):
        sim.Projection(pre, post, sim.AllToAllConnector(), _stdp(sim, dendritic_delay_fraction=0.0), label="plastic")
    sim.end()


def test_positional_parameters_of_pynn_0_13(sim):
    rule = sim.SpikePairRule(20.0, 25.0, 0.01, 0.012)
    assert rule.parameter_space["tau_minus"] == 25.0
    assert rule.parameter_space["A_minus"] == 0.012
    gutig = sim.GutigWeightDependence(0.0, 2.0, 0.3, 0.6)
    assert gutig.parameter_space["w_max"] == 2.0 and gutig.parameter_space["mu_minus"] == 0.6
    vogels = sim.Vogels2011Rule(15.0, 0.5, 4.0)
    assert vogels.parameter_space["eta"] == 0.5
    with pytest.raises(errors.InvalidTypeError, match="tau_plus"):
        sim.SpikePairRule(20.0, tau_plus=10.0)
    with pytest.raises(errors.InvalidTypeError, match="at most 4"):
        sim.SpikePairRule(1.0, 2.0, 3.0, 4.0, 5.0)


def _stdp(sim, rule=None, weight_dep=None, **kwargs):
    return sim.STDPMechanism(timing_dependence=rule or sim.SpikePairRule(),
                             weight_dependence=weight_dep or sim.AdditiveWeightDependence(),
                             weight=0.1, delay=1.0, **kwargs)


@pytest.mark.parametrize("bad, match", [
    ({"weight_dep": ("AdditiveWeightDependence", {"w_min": 1.0, "w_max": 0.5})}, "w_min must not exceed w_max"),
    ({"rule": ("SpikePairRule", {"tau_plus": -5.0})}, "tau_plus"),
    ({"rule": ("SpikePairRule", {"A_minus": -0.1})}, "A_minus"),
    ({"rule": ("Vogels2011Rule", {"tau": -1.0})}, "tau"),
])
def test_bad_stdp_parameters_refused_before_the_simulator(sim, bad, match):
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")
    kwargs = {key: getattr(sim, cls)(**params) for key, (cls, params) in bad.items()}
    with pytest.raises(errors.InvalidParameterValueError, match=match):
        sim.Projection(pre, post, sim.AllToAllConnector(), _stdp(sim, **kwargs), label="bad")


def test_stdp_refused_where_unavailable(sim):
    """Each combination a backend cannot run exactly raises a pyNN error naming the reason."""
    name = sim.__name__.rsplit(".", 1)[-1]
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")

    def connect(synapse):
        return sim.Projection(pre, post, sim.AllToAllConnector(), synapse, label="plastic")

    if name == "neuron":  # not onto NEURON's artificial cells, which have no plastic NET_RECEIVE
        other = sim.Population(2, sim.IntFire1(), label="native")
        with pytest.raises(errors.NoModelAvailableError, match="STDPMechanism.*NEURON.*IF_curr.*IntFire1"):
            sim.Projection(pre, other, sim.AllToAllConnector(), _stdp(sim), label="plastic")
        izh = sim.Population(2, sim.Izhikevich(), label="izh")
        with pytest.raises(errors.InvalidParameterValueError, match="dendritic_delay_fraction.*Izhikevich.*1.0"):
            sim.Projection(pre, izh, sim.AllToAllConnector(), _stdp(sim, dendritic_delay_fraction=0.0))
        delta = sim.Population(2, sim.IF_curr_delta(), label="delta")
        with pytest.raises(errors.InvalidParameterValueError, match="dendritic_delay_fraction.*IF_curr_delta.*1.0"):
            sim.Projection(pre, delta, sim.AllToAllConnector(), _stdp(sim, dendritic_delay_fraction=0.0))
        # a PointNeuron gets its inputs one step early too (its recorded receptor current holds
        # the jump at the arrival sample)
        point = sim.Population(2, sim.PointNeuron(sim.LIF(), fast=sim.CurrExpPostSynapticResponse()), label="point")
        with pytest.raises(errors.InvalidParameterValueError, match="dendritic_delay_fraction.*PointNeuron.*1.0"):
            sim.Projection(pre, point, sim.AllToAllConnector(), _stdp(sim, dendritic_delay_fraction=0.0),
                           receptor_type="fast")
    if name in ("brian2", "hardware"):  # f < 1 is processed at arrival: not for voltage jumps
        delta = sim.Population(2, sim.IF_curr_delta(), label="delta")
        with pytest.raises(errors.InvalidParameterValueError,
                           match="'plastic'.*dendritic_delay_fraction.*IF_curr_delta.*1.0"):
            sim.Projection(pre, delta, sim.AllToAllConnector(), _stdp(sim, dendritic_delay_fraction=0.0),
                           label="plastic")
    if name == "brian2":  # 0 or 1, one value per projection
        with pytest.raises(errors.InvalidParameterValueError, match="dendritic_delay_fraction.*0.0 or 1.0"):
            connect(_stdp(sim, dendritic_delay_fraction=0.5))
        with pytest.raises(errors.InvalidParameterValueError, match="dendritic_delay_fraction.*0.0 or 1.0"):
            connect(_stdp(sim, dendritic_delay_fraction=np.array([0.0, 1.0, 0.0, 1.0])))
        axonal = connect(_stdp(sim, dendritic_delay_fraction=0.0))
        with pytest.raises(errors.NotSupportedError, match="dendritic_delay_fraction"):
            axonal.set(dendritic_delay_fraction=1.0)
    if name not in FRACTION_ZERO_BACKENDS:
        # all-of-the-delay-dendritic STDP only, and the error says so
        with pytest.raises((errors.NoModelAvailableError, errors.InvalidParameterValueError),
                           match="dendritic_delay_fraction.*1"):
            connect(_stdp(sim, dendritic_delay_fraction=0.0))
    # Vogels2011Rule is additive only (as NEST's vogels_sprekeler_synapse)
    with pytest.raises(errors.NoModelAvailableError, match="Vogels2011Rule"):
        connect(_stdp(sim, rule=sim.Vogels2011Rule(), weight_dep=sim.MultiplicativeWeightDependence()))
    if name == "nest":
        with pytest.raises(errors.InvalidParameterValueError, match="w_min.*0"):
            connect(_stdp(sim, weight_dep=sim.AdditiveWeightDependence(w_min=0.1)))


def test_array_and_random_parameters(sim):
    """Per-connection parameters (arrays, RandomDistributions) give per-connection rules."""
    from pyNN.random import NumpyRNG, RandomDistribution
    n = len(PRE_TRAINS)
    a_plus = np.array([0.1, 0.2, 0.3, 0.4])
    w_max = RandomDistribution("uniform", (0.4, 0.8), rng=NumpyRNG(seed=7))
    pre, post = _driven_network(sim)
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=PAIR["tau_plus"], tau_minus=PAIR["tau_minus"],
                                            A_plus=a_plus, A_minus=0.15),
        weight_dependence=sim.MultiplicativeWeightDependence(w_min=0.0, w_max=w_max), weight=0.2, delay=DELAY)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    post.record("spikes")
    sim.run(T_STOP)
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    w_maxes = np.asarray(plastic.get("w_max", format="list", with_address=False), float)
    assert np.unique(w_maxes).size == n
    weights = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    for i in range(n):
        expected = _reference_weights([PRE_TRAINS[i]], [post_times[i]], 0.2, dict(PAIR, A_plus=a_plus[i],
                                                                                  A_minus=0.15),
                                      {"w_min": 0.0, "w_max": w_maxes[i], "mu": (1.0, 1.0)}, DELAY, 1.0)
        assert weights[i] == pytest.approx(expected[0], abs=1e-9 * w_maxes[i])



@pytest.mark.parametrize("per_connection", ["weight", "w_max"])
@pytest.mark.parametrize("timing, weight_dep_name", [(WEAK_PAIR, "multiplicative"), (VOGELS, "additive")],
                         ids=["pair-multiplicative", "vogels-additive"])
def test_inhibitory_stdp_with_per_connection_values(sim, per_connection, timing, weight_dep_name):
    """Inhibitory plastic weights given per connection (or per-connection bounds): NEST's
    model defaults must then take the sign of the inhibitory weights (NEST raised
    'Weight and Wmax must have same sign' from CopyModel)."""
    weights = np.array([0.1, 0.2, 0.25, 0.3]) if per_connection == "weight" else 0.2
    w_max = np.array([0.4, 0.5, 0.6, 0.45]) if per_connection == "w_max" else 0.5
    pre, post = _driven_network(sim)
    cls_name, _, mu = WEIGHT_DEPENDENCES[weight_dep_name]
    stdp = sim.STDPMechanism(timing_dependence=_timing_rule(sim, timing),
                             weight_dependence=getattr(sim, cls_name)(w_min=0.0, w_max=w_max),
                             weight=weights, delay=DELAY)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp, receptor_type="inhibitory", label="plastic")
    post.record("spikes")
    sim.run(T_STOP)
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    got = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    for i in range(len(PRE_TRAINS)):
        expected = _reference_weights([PRE_TRAINS[i]], [post_times[i]], np.broadcast_to(weights, 4)[i], timing,
                                      {"w_min": 0.0, "w_max": np.broadcast_to(w_max, 4)[i], "mu": mu},
                                      DELAY, 1.0)[0]
        assert abs(expected - np.broadcast_to(weights, 4)[i]) > 1e-3
        assert got[i] == pytest.approx(expected, abs=1e-9 * 0.5)


# --- weight trajectories: every backend against the reference and against each other ---------

#: run boundaries (ms): no pre spike is emitted within DELAY ms before any of them, so every
#: backend has processed the same pre spikes when the weights are read; no post spike falls on
#: one (see test_brian2_cell_spike_in_the_last_step_of_a_run)
CHUNK_ENDS = [17.5, 28.5, 37.0, 46.0, 55.0, 64.5, 75.0, 87.0, T_STOP]
TRAJECTORY_CASES = [(PAIR, name) for name in WEIGHT_DEPENDENCES] + [(VOGELS, "additive")]
STDP_BACKENDS = ["nest", "hardware", "brian2", "neuron"]


def _trajectory(backend_name, timing, weight_dep_name, receptor_type="excitatory", fraction=1.0):
    """Weights after each of CHUNK_ENDS (one row per chunk), and the post spike times (f < 1:
    onto current-based cells, which every backend runs with f = 0)."""
    sim = pytest.importorskip(f"pyNN.{backend_name}")
    sim.setup(timestep=0.1)
    cls_name, extra, _ = WEIGHT_DEPENDENCES[weight_dep_name]
    pre, post = _driven_network(sim, current_based=fraction < 1.0)
    rule = _timing_rule(sim, timing, positional=True)
    stdp = sim.STDPMechanism(timing_dependence=rule,
                             weight_dependence=getattr(sim, cls_name)(w_min=0.0, w_max=0.5, **extra),
                             weight=0.2, delay=DELAY, dendritic_delay_fraction=fraction)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp, receptor_type=receptor_type)
    post.record("spikes")
    rows = []
    for t_end in CHUNK_ENDS:
        sim.run_until(t_end)
        rows.append(np.asarray(plastic.get("weight", format="list", with_address=False), float))
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    sim.end()
    return np.array(rows), post_times


@pytest.mark.parametrize("fraction", [1.0, 0.0])
@pytest.mark.parametrize("timing, weight_dep_name", TRAJECTORY_CASES,
                         ids=[f"{t['name']}-{w}" for t, w in TRAJECTORY_CASES])
def test_weight_trajectories_equal_across_backends(timing, weight_dep_name, fraction):
    """The same pre and post trains give the same weight after every run on every backend
    that runs STDP with this dendritic_delay_fraction (within 1e-9 of w_max), and that is the
    reference trajectory."""
    results = {}
    for name in STDP_BACKENDS:
        if fraction != 1.0 and name not in FRACTION_ZERO_BACKENDS:
            continue
        try:
            results[name] = _trajectory(name, timing, weight_dep_name, fraction=fraction)
        except pytest.skip.Exception:
            continue
    assert results, "no backend with STDP is installed"
    _, _, mu = WEIGHT_DEPENDENCES[weight_dep_name]
    for name, (rows, post_times) in results.items():
        # (no pre spike is emitted within DELAY before a chunk end: with either fraction, the
        # pre events processed by t_end are those of the spikes emitted by t_end)
        expected = np.array([
            _reference_weights([[t for t in train if t <= t_end] for train in PRE_TRAINS], post_times,
                               0.2, timing, {"w_min": 0.0, "w_max": 0.5, "mu": mu}, DELAY, fraction)
            for t_end in CHUNK_ENDS])
        assert not np.allclose(expected[-1], 0.2)
        np.testing.assert_allclose(rows, expected, rtol=0, atol=1e-9 * 0.5, err_msg=name)
    names = list(results)
    for other in names[1:]:
        np.testing.assert_allclose(results[other][0], results[names[0]][0], rtol=0, atol=1e-9 * 0.5)


def test_inhibitory_plastic_weights_keep_their_bound():
    """On the inhibitory receptor of a current-based cell NEST holds negative weights (and a
    negative Wmax); the weights read back are the same as on the engine."""
    rows = {name: _trajectory(name, PAIR, "multiplicative", receptor_type="inhibitory")[0]
            for name in STDP_BACKENDS if _importable(name)}
    assert all(np.all((r >= 0) & (r <= 0.5)) for r in rows.values())
    values = list(rows.values())
    for other in values[1:]:
        np.testing.assert_allclose(other, values[0], rtol=0, atol=1e-9 * 0.5)


def _importable(name):
    try:
        __import__(f"pyNN.{name}")
    except ImportError:
        return False
    return True


def _set_between_runs(backend_name):
    sim = pytest.importorskip(f"pyNN.{backend_name}")
    sim.setup(timestep=0.1)
    pre, post = _driven_network(sim)
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(16.8, 33.7, 0.3, 0.35),
                             weight_dependence=sim.GutigWeightDependence(0.0, 0.5, 0.7, 0.4), weight=0.2, delay=DELAY)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    sim.run(46.0)
    plastic.set(A_plus=0.05)
    plastic.set(mu_minus=1.0, tau_plus=10.0)
    with pytest.raises(errors.NotSupportedError, match="tau_minus"):
        plastic.set(tau_minus=12.0)
    sim.run_until(T_STOP)
    weights = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    sim.end()
    return weights


def test_parameters_changed_between_runs_act_on_every_backend():
    """NEST, the engine and NEURON apply a post spike's potentiation at the next pre spike, with
    the parameters then in force; they agree after set() between runs. Brian2 (which applies it
    at the post spike) refuses such changes."""
    results = [_set_between_runs(name) for name in ("nest", "hardware", "neuron") if _importable(name)]
    unchanged = _reference_weights(PRE_TRAINS, [np.asarray(t) + TEACHER_DELAY for t in POST_TRAINS], 0.2, PAIR,
                                   {"w_min": 0.0, "w_max": 0.5, "mu": (0.7, 0.4)}, DELAY, 1.0)
    assert np.all(np.abs(results[0] - unchanged) > 1e-6)
    for other in results[1:]:
        np.testing.assert_allclose(other, results[0], rtol=0, atol=1e-9 * 0.5)


def _weight_set_between_runs(backend_name, weight_dep_name):
    sim = pytest.importorskip(f"pyNN.{backend_name}")
    sim.setup(timestep=0.1)
    cls_name, extra, _ = WEIGHT_DEPENDENCES[weight_dep_name]
    pre, post = _driven_network(sim)
    stdp = sim.STDPMechanism(timing_dependence=_timing_rule(sim, WEAK_PAIR),
                             weight_dependence=getattr(sim, cls_name)(w_min=0.0, w_max=0.5, **extra),
                             weight=0.2, delay=DELAY)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    post.record("spikes")
    sim.run(46.0)
    plastic.set(weight=0.3)
    sim.run_until(T_STOP)
    weights = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    sim.end()
    return weights, post_times


@pytest.mark.parametrize("weight_dep_name", ["additive", "gutig"])
def test_weight_set_between_runs_keeps_the_traces(weight_dep_name):
    """set(weight=...) between runs replaces the weights only: the pre-synaptic traces and the
    post spikes not yet applied carry over (as on NEST). The hardware engine restarted the whole
    rule state, so that the potentiation of the post spikes since t = 0 was applied again at the
    next pre spike (0.2 = 40 % of w_max apart from NEST). Brian2 refuses the change
    (test_brian2_refuses_stdp_changes_between_runs)."""
    results = {name: _weight_set_between_runs(name, weight_dep_name) for name in ("nest", "hardware", "neuron")
               if _importable(name)}
    assert results, "no backend with set() between runs is installed"
    mu = WEIGHT_DEPENDENCES[weight_dep_name][2]
    for name, (weights, post_times) in results.items():
        expected = _reference_weights(PRE_TRAINS, post_times, 0.2, WEAK_PAIR,
                                      {"w_min": 0.0, "w_max": 0.5, "mu": mu}, DELAY, 1.0, replaced=(46.0, 0.3))
        assert np.all((expected > 0.0) & (expected < 0.5))
        unset = _reference_weights(PRE_TRAINS, post_times, 0.2, WEAK_PAIR, {"w_min": 0.0, "w_max": 0.5, "mu": mu},
                                   DELAY, 1.0)
        assert np.max(np.abs(expected - unset)) > 0.05  # the new weight matters
        np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5, err_msg=name)


def test_brian2_cell_spike_in_the_last_step_of_a_run():
    """A spike in the last step of a run reaches its targets in the next run (Brian2 empties
    its spike space when a run ends; the backend puts those spikes back)."""
    sim = pytest.importorskip("pyNN.brian2")
    sim.setup(timestep=0.1)
    _, post = _driven_network(sim)  # post cell 0 fires at 28.0
    out = sim.Population(len(PRE_TRAINS), sim.IF_curr_delta(tau_m=5.0))
    out.initialize(v=-65.0)
    sim.Projection(post, out, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=1.0))
    out.record("v")
    sim.run_until(28.0)
    sim.run_until(40.0)
    v = out.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    sim.end()
    assert v[291] > -64.5  # the jump at 28.0 + 1.0 ms


def test_brian2_refuses_stdp_changes_between_runs():
    sim = pytest.importorskip("pyNN.brian2")
    sim.setup(timestep=0.1)
    pre, post = _driven_network(sim)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence(), weight=0.2,
        delay=DELAY))
    plastic.set(A_plus=0.02)  # before the first run: fine
    sim.run(10.0)
    for change in ({"A_plus": 0.05}, {"weight": 0.1}, {"w_max": 2.0}):
        with pytest.raises(errors.NotSupportedError, match="Brian2 applies"):
            plastic.set(**change)
    sim.reset()
    plastic.set(A_plus=0.05)
    sim.end()


def _skip_unless_fraction_runs(sim, fraction):
    if fraction != 1.0 and sim.__name__.rsplit(".", 1)[-1] not in FRACTION_ZERO_BACKENDS:
        pytest.skip(f"this backend refuses dendritic_delay_fraction={fraction}")


@pytest.mark.parametrize("fraction", [1.0, 0.0])
def test_reset_restarts_plasticity(sim, fraction):
    """After reset() the weights and traces start again from their initial values."""
    _skip_unless_fraction_runs(sim, fraction)
    first, expected = _run_case(sim, PAIR, "gutig", fraction=fraction, current_based=fraction < 1.0)
    np.testing.assert_allclose(first, expected, rtol=0, atol=1e-9 * 0.5)
    sim.reset()
    assert np.asarray(sim.state.projections[-1].get("weight", format="list", with_address=False),
                      float) == pytest.approx(np.full(len(PRE_TRAINS), 0.2))
    sim.run(T_STOP)
    again = np.asarray(sim.state.projections[-1].get("weight", format="list", with_address=False), float)
    np.testing.assert_allclose(again, expected, rtol=0, atol=1e-9 * 0.5)


@pytest.mark.parametrize("fraction", [1.0, 0.0])
def test_heterogeneous_delays(sim, fraction):
    """One delay per connection: each connection pairs with its own dendritic (f = 1) or
    axonal (f = 0) delay."""
    _skip_unless_fraction_runs(sim, fraction)
    pre, post = _driven_network(sim, current_based=fraction < 1.0)
    delays = np.array([1.0, 1.5, 2.3, 3.0])
    stdp = sim.STDPMechanism(timing_dependence=_timing_rule(sim, PAIR, positional=True),
                             weight_dependence=sim.GutigWeightDependence(0.0, 0.5, 0.7, 0.4), weight=0.2,
                             delay=delays, dendritic_delay_fraction=fraction)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    post.record("spikes")
    sim.run(T_STOP)
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    weights = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    expected = [_reference_weights([PRE_TRAINS[i]], [post_times[i]], 0.2, PAIR,
                                   {"w_min": 0.0, "w_max": 0.5, "mu": (0.7, 0.4)}, delays[i], fraction)[0]
                for i in range(len(PRE_TRAINS))]
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5)


@pytest.mark.parametrize("fraction", [1.0, 0.0])
def test_presynaptic_cells(sim, fraction):
    """Pre-synaptic neurons, not spike sources (a neuron's spike and a source's are scheduled
    differently in Brian2): the weights follow the recorded pre and post spike times."""
    _skip_unless_fraction_runs(sim, fraction)
    n = len(PRE_TRAINS)
    cell = sim.IF_curr_exp(v_thresh=-55.0, tau_refrac=0.5, tau_m=5.0, tau_syn_E=0.2)
    drivers = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in PRE_TRAINS]),
                             label="drivers")
    pre = sim.Population(n, cell, label="pre cells")
    sim.Projection(drivers, pre, sim.OneToOneConnector(), sim.StaticSynapse(weight=500.0, delay=TEACHER_DELAY))
    _, post = _driven_network(sim, current_based=True)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), sim.STDPMechanism(
        timing_dependence=_timing_rule(sim, PAIR), weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.5),
        weight=0.2, delay=DELAY, dendritic_delay_fraction=fraction))
    pre.record("spikes")
    post.record("spikes")
    sim.run(T_STOP)
    pre_times = [st.magnitude for st in pre.get_data().segments[0].spiketrains]
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    for got, wanted in zip(pre_times, PRE_TRAINS):
        np.testing.assert_allclose(got, np.asarray(wanted) + TEACHER_DELAY + sim.get_time_step())
    expected = _reference_weights(pre_times, post_times, 0.2, PAIR, {"w_min": 0.0, "w_max": 0.5, "mu": (0.0, 0.0)},
                                  DELAY, fraction)
    assert not np.allclose(expected, 0.2)
    weights = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * 0.5)


def _membrane_with_plastic_input(backend_name, fraction):
    sim = pytest.importorskip(f"pyNN.{backend_name}")
    sim.setup(timestep=0.1)
    pre, post = _driven_network(sim, current_based=True)
    sim.Projection(pre, post, sim.OneToOneConnector(), sim.STDPMechanism(
        timing_dependence=_timing_rule(sim, PAIR), weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=5.0),
        weight=2.0, delay=DELAY, dendritic_delay_fraction=fraction))
    post.record("v")
    sim.run(T_STOP)
    v = np.asarray(post.get_data().segments[0].filter(name="v")[0].magnitude)
    sim.end()
    return v


# --- other target cell types: the rule needs each cell's own spikes --------------------------------

#: teacher times for cells that cannot fire twice within a few ms (HH, AdEx)
SPARSE_POST_TRAINS = [[14.0, 27.0, 58.5, 75.0], [3.0, 39.0, 69.0], [21.0, 32.0, 48.5, 79.0, 93.0], [11.0, 64.0]]
#: cell type: (parameters, teacher weight in uS or, for Izhikevich, mV) making one post spike per
#: teacher spike
OTHER_TARGETS = {
    "EIF_cond_exp_isfa_ista": ({"tau_syn_E": 1.0, "tau_refrac": 2.0}, 0.3),
    "HH_cond_exp": ({"tau_syn_E": 1.0}, 0.2),
    "Izhikevich": ({}, 100.0),
    "PointNeuron": ({"tau_refrac": 2.0}, 500.0),  # LIF with one current receptor 'fast' (nA)
}


def _target_cell(sim, celltype, params):
    if celltype == "PointNeuron":
        return sim.PointNeuron(sim.LIF(**params), fast=sim.CurrExpPostSynapticResponse(tau_syn=0.2))
    return getattr(sim, celltype)(**params)
#: plastic weights (uS) small enough to leave the post spikes to the teacher
SMALL_W_MAX = 0.005


def _weights_onto(backend_name, celltype):
    """STDP (SpikePairRule, additive) onto `celltype` cells that a teacher makes fire: the final
    weights and the post spike times."""
    sim = pytest.importorskip(f"pyNN.{backend_name}")
    sim.setup(timestep=0.1)
    params, teacher_weight = OTHER_TARGETS[celltype]
    n = len(PRE_TRAINS)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in PRE_TRAINS]), label="pre")
    teacher = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in SPARSE_POST_TRAINS]),
                             label="teacher")
    post = sim.Population(n, _target_cell(sim, celltype, params), label="post")
    receptor = "fast" if celltype == "PointNeuron" else "excitatory"
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=teacher_weight,
                                                                             delay=TEACHER_DELAY),
                   receptor_type=receptor)
    stdp = sim.STDPMechanism(timing_dependence=_timing_rule(sim, PAIR),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=SMALL_W_MAX),
                             weight=0.4 * SMALL_W_MAX, delay=DELAY)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp, receptor_type=receptor, label="plastic")
    post.record("spikes")
    sim.run(T_STOP)
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    weights = np.asarray(plastic.get("weight", format="list", with_address=False), float)
    sim.end()
    return weights, post_times


@pytest.mark.parametrize("celltype", list(OTHER_TARGETS))
def test_weights_onto_other_cell_types_equal_across_backends(celltype):
    """Onto AdEx, HH, Izhikevich and PointNeuron cells too, every backend gives the reference weights for the post
    spikes it recorded (so the cell reports each of its spikes to the rule), and the same
    post spikes and weights as the others."""
    results = {name: _weights_onto(name, celltype) for name in STDP_BACKENDS if _importable(name)}
    assert results, "no backend with STDP is installed"
    for name, (weights, post_times) in results.items():
        assert [len(t) for t in post_times] == [len(t) for t in SPARSE_POST_TRAINS], name
        expected = _reference_weights(PRE_TRAINS, post_times, 0.4 * SMALL_W_MAX, PAIR,
                                      {"w_min": 0.0, "w_max": SMALL_W_MAX, "mu": (0.0, 0.0)}, DELAY, 1.0)
        assert np.unique(np.round(expected / SMALL_W_MAX, 3)).size > 2  # potentiated and depressed
        np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-9 * SMALL_W_MAX, err_msg=name)
    names = list(results)
    for other in names[1:]:
        for got, reference in zip(results[other][1], results[names[0]][1]):
            np.testing.assert_allclose(got, reference, atol=1e-9, err_msg=f"{other} vs {names[0]}")
        np.testing.assert_allclose(results[other][0], results[names[0]][0], rtol=0, atol=1e-9 * SMALL_W_MAX)


@pytest.mark.parametrize("fraction", [1.0, 0.0])
def test_plastic_weights_delivered_at_the_same_time_everywhere(fraction):
    """The membrane potential of the post cells (which the plastic input moves by up to a few
    mV) is the same on every backend that runs this fraction: each spike is delivered at
    t_pre + d with the weight of the rule."""
    traces = {name: _membrane_with_plastic_input(name, fraction) for name in STDP_BACKENDS
              if _importable(name) and (fraction == 1.0 or name in FRACTION_ZERO_BACKENDS)}
    assert len(traces) >= 2
    names = list(traces)
    for other in names[1:]:
        np.testing.assert_allclose(traces[other], traces[names[0]], rtol=0, atol=1e-9, err_msg=f"{other} vs {names[0]}")
