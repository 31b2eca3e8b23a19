"""Plasticity on the hardware profiles: spinnaker1 runs STDP in sPyNNaker's fixed-point form
(within the error bound of doc/behaviour.md of the exact rule), reports what differs and reads
back the weights it uses; brainscales2 and spikey refuse STDP with their hardware's reason.

The exact weights are computed here with numpy from the recorded spike times and the rule's
formulas (doc/behaviour.md), independently of the library.
"""

import os
import runpy
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest

from pyNN import errors

sim = pytest.importorskip("pyNN.hardware")

DELAY = 2.0
# pre spike times of the plastic connections and the times the teacher makes each post cell
# fire (one TEACHER_DELAY later); on the 1 ms grid, no post spike arrives in a pre spike's tick
# fire once before each connection's first pre spike (sPyNNaker's Vogels2011Rule makes no pre-spike change before)
PRE = [[20.0, 40.0, 70.0, 100.0, 160.0, 230.0], [20.0, 50.0, 90.0, 142.0, 200.0],
       [5.0, 30.0, 32.0, 110.0, 180.0, 260.0]]
TEACHER = [[11.0, 33.0, 73.0, 118.0, 170.0], [15.0, 52.0, 83.0, 137.0, 207.0, 250.0],
           [1.0, 24.0, 36.0, 104.0, 190.0]]
TEACHER_DELAY = 1.0
RULE = {"tau_plus": 20.0, "tau_minus": 25.0, "A_plus": 0.05, "A_minus": 0.06}
VOGELS = {"tau": 20.0, "eta": 0.03, "rho": 4.0}
W0, W_MAX = 0.5, 1.0


def _network(profile, weight_dep, policy="strict", vogels=False):
    sim.setup(timestep=1.0, profile=profile, policy=policy)
    n = len(PRE)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in PRE]), label="pre")
    teacher = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in TEACHER]),
                             label="teacher")
    post = sim.Population(n, sim.IF_curr_delta(v_thresh=-55.0, tau_refrac=0.5, tau_m=5.0), label="post")
    post.initialize(v=-65.0)
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=50.0, delay=TEACHER_DELAY),
                   label="teacher->post")
    dependence = getattr(sim, weight_dep)(w_min=0.0, w_max=W_MAX)
    timing = sim.Vogels2011Rule(**VOGELS) if vogels else sim.SpikePairRule(**RULE)
    stdp = sim.STDPMechanism(timing_dependence=timing, weight_dependence=dependence, weight=W0, delay=DELAY)
    # on the inhibitory receptor, so that the plastic weights get their own weight shift
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp, receptor_type="inhibitory",
                             label="plastic")
    post.record("spikes")
    return post, plastic


def _exact(pre_times, post_times, rule, until):
    """The exact rule's weight after the pre spikes emitted up to `until` (w_min = 0), and
    the number of post spikes each of those pre spikes pairs with (potentiation).
    `rule`: "additive", "multiplicative" (SpikePairRule) or "vogels" (Vogels2011Rule, additive)."""
    mu = 1.0 if rule == "multiplicative" else 0.0
    if rule == "vogels":
        tau_plus = tau_minus = VOGELS["tau"]
        a_plus = VOGELS["eta"] / W_MAX
    else:
        tau_plus, tau_minus, a_plus = RULE["tau_plus"], RULE["tau_minus"], RULE["A_plus"]
    x, k_plus, last = W0 / W_MAX, 0.0, 0.0
    arrivals = np.asarray(post_times) + DELAY
    pairs = []
    for t in [t for t in pre_times if t <= until]:
        window = arrivals[(arrivals > last) & (arrivals <= t)]
        for a in np.sort(window):
            x = min(1.0, x + a_plus * (1.0 - x) ** mu * k_plus * np.exp(-(a - last) / tau_plus))
        k_minus = np.exp(-(t - arrivals[arrivals < t]) / tau_minus).sum()
        if rule == "vogels":  # eta (K_minus - alpha), alpha = 2 rho tau / 1000
            x = min(1.0, x + a_plus * k_minus)
            x = max(0.0, x - a_plus * 2.0 * VOGELS["rho"] * VOGELS["tau"] / 1000.0)
        else:
            x = max(0.0, x - RULE["A_minus"] * x ** mu * k_minus)
        k_plus = k_plus * np.exp(-(t - last) / tau_plus) + 1.0
        last = t
        pairs.append(window.size)
    return x * W_MAX, pairs


def _spikes_per_table(times, tau):
    """The most spikes of `times` within one look-up table's length (ln(2048) tau at dt = 1 ms),
    and the largest value of their exact trace."""
    times = np.sort(np.asarray(times))
    span = np.log(2048.0) * tau
    count = int(max(np.searchsorted(times, t + span) - k for k, t in enumerate(times)))
    trace = max(np.exp(-(t - times[times <= t]) / tau).sum() for t in times)
    return count, float(trace)


@pytest.mark.parametrize("rule", ["additive", "multiplicative", "vogels"])
def test_spinnaker1_stays_within_its_documented_fixed_point_bound(rule):
    from pyNN.hardware.mapping.spinnaker_stdp import error_bound_per_event
    weight_dep = "MultiplicativeWeightDependence" if rule == "multiplicative" else "AdditiveWeightDependence"
    post, plastic = _network("spinnaker1", weight_dep, vogels=rule == "vogels")
    checkpoints = [60.0, 150.0, 300.0]
    hardware = []
    for t in checkpoints:
        sim.run(t - sim.get_current_time())
        hardware.append(np.asarray(plastic.get("weight", format="list", with_address=False), float))
    post_times = [st.magnitude for st in post.get_data().segments[0].spiketrains]
    for k, times in enumerate(post_times):  # the teacher made each cell fire one delay later
        np.testing.assert_allclose(times, np.asarray(TEACHER[k]) + TEACHER_DELAY)
    constants = sim.state.mapping.numerics["stdp_constants"]["plastic"]
    values = dict(VOGELS if rule == "vogels" else RULE, w_min=0.0, w_max=W_MAX)
    tau_plus, tau_minus = ((VOGELS["tau"],) * 2 if rule == "vogels" else (RULE["tau_plus"], RULE["tau_minus"]))
    lsb = sim.state.mapping.report.plasticity[0]["weight_lsb"]
    differs = False
    for t, weights in zip(checkpoints, hardware):
        # the weights the hardware uses: whole multiples of the weight LSB
        np.testing.assert_allclose(weights / lsb, np.round(weights / lsb), atol=1e-9)
        for k in range(len(PRE)):
            exact, pairs = _exact(PRE[k], post_times[k], rule, t)
            (n_pre, k_pre), (n_post, k_post) = (_spikes_per_table(PRE[k], tau_plus),
                                                _spikes_per_table(post_times[k], tau_minus))
            bound = sum(error_bound_per_event(constants, values, pairs=p, spikes=max(n_pre, n_post),
                                              trace=max(k_pre, k_post)) for p in pairs)
            assert abs(weights[k] - exact) <= bound, (t, k, weights[k], exact, bound)
            # a real emulation, but a close one: under 1 % of the weight range over the run
            assert bound < 0.01 * W_MAX
            differs |= abs(weights[k] - exact) > 1e-12
    assert differs
    sim.end()


def test_spinnaker1_and_ideal_agree_within_the_bound_for_the_same_spikes():
    results = {}
    for profile in ("ideal", "spinnaker1"):
        post, plastic = _network(profile, "AdditiveWeightDependence")
        sim.run(300.0)
        results[profile] = (np.asarray(plastic.get("weight", format="list", with_address=False), float),
                            [st.magnitude for st in post.get_data().segments[0].spiketrains])
        if profile == "spinnaker1":
            report = sim.state.mapping.report
        sim.end()
    for a, b in zip(results["ideal"][1], results["spinnaker1"][1]):
        np.testing.assert_array_equal(a, b)
    row = report.plasticity[0]
    # six pre spikes at most, each within its per-spike bound (one pairing, traces of 3 spikes or fewer)
    assert np.max(np.abs(results["ideal"][0] - results["spinnaker1"][0])) <= 6 * row["error_bound_per_pre_spike"]


def test_spinnaker1_mapping_report_states_what_differs():
    _network("spinnaker1", "AdditiveWeightDependence")
    sim.map()
    report = sim.state.mapping.report
    (row,) = report.plasticity
    assert row["projection"] == "plastic" and row["rule"] == "SpikePairRule, additive"
    # floor variant: ceil(ln(2048) tau / dt) entries, rounded up to an even number
    assert row["lut_tau_plus"] == 154 and row["lut_tau_minus"] == 192
    assert row["fixed_point_one"] == 2048
    assert row["A_plus_realised"] == pytest.approx(RULE["A_plus"], abs=2.0 ** -15)
    assert row["w_max_realised"] == W_MAX
    assert any("look-up tables" in text for text in row["differences"])
    assert any("15 post-synaptic spikes" in text for text in row["differences"])
    assert report.diagnostics_of("STDP_FIXED_POINT")
    assert "Plasticity" in report.summary()
    assert report.to_dict()["plasticity"][0]["lut_tau_plus"] == 154
    sim.end()


def test_get_weight_returns_the_quantised_weights_once_mapped():
    sim.setup(timestep=1.0, profile="spinnaker1")
    pre = sim.Population(4, sim.SpikeSourcePoisson(rate=10.0), label="pre")
    post = sim.Population(4, sim.IF_curr_exp(), label="post")
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.123456, delay=1.0),
                         label="static")
    requested = np.asarray(prj.get("weight", format="list", with_address=False))
    np.testing.assert_array_equal(requested, 0.123456)
    with pytest.warns(errors.RoundingWarning):
        sim.map()
    lsb = sim.state.mapping.report.quantisation[0]["lsb"]
    used = np.asarray(prj.get("weight", format="list", with_address=False))
    np.testing.assert_array_equal(used, np.round(0.123456 / lsb) * lsb)
    assert np.all(used != 0.123456)
    prj.set(weight=0.2)  # a new request: read back as requested until mapped again
    np.testing.assert_array_equal(np.asarray(prj.get("weight", format="list", with_address=False)), 0.2)
    sim.end()


@pytest.mark.parametrize("policy", ["strict", "lenient"])
@pytest.mark.parametrize("timing, weight_dep, match", [
    ("SpikePairRule", "GutigWeightDependence", r"GutigWeightDependence.*not emulated.*'spinnaker1'"),
    ("SpikePairRule", "AdditivePotentiationMultiplicativeDepression", r"not emulated.*'spinnaker1'"),
])
def test_spinnaker1_refuses_rules_sPyNNaker_lacks_at_creation(policy, timing, weight_dep, match):
    sim.setup(timestep=1.0, profile="spinnaker1", policy=policy)
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")
    stdp = sim.STDPMechanism(timing_dependence=getattr(sim, timing)(), weight_dependence=getattr(sim, weight_dep)(),
                             weight=0.5, delay=1.0)
    with pytest.raises(errors.NoModelAvailableError, match=match):
        sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="plastic")
    assert not sim.state.projections
    sim.end()


def test_spinnaker1_refuses_stdp_parameters_that_vary_between_connections():
    sim.setup(timestep=1.0, profile="spinnaker1")
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=sim.RandomDistribution("uniform", (10.0, 20.0))),
        weight_dependence=sim.AdditiveWeightDependence(), weight=0.5, delay=1.0)
    with pytest.raises(errors.NoModelAvailableError, match=r"'plastic'.*tau_plus vary.*one value"):
        sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="plastic")
    sim.end()


def test_spinnaker1_refuses_set_of_varying_stdp_parameters_and_keeps_the_old_ones():
    _, plastic = _network("spinnaker1", "AdditiveWeightDependence")
    with pytest.raises(errors.InvalidParameterValueError, match=r"'plastic'.*A_plus would vary.*'spinnaker1'"):
        plastic.set(A_plus=np.array([0.01, 0.02, 0.03]))
    np.testing.assert_array_equal(plastic.get("A_plus", format="list", with_address=False), RULE["A_plus"])
    plastic.set(A_plus=0.02)  # one value: accepted
    np.testing.assert_array_equal(plastic.get("A_plus", format="list", with_address=False), 0.02)
    sim.end()


@pytest.mark.parametrize("policy", ["strict", "lenient"])
@pytest.mark.parametrize("profile, cell, match", [
    ("brainscales2", "IF_cond_exp", r"'plastic'.*STDPMechanism.*'brainscales2'.*PlasticityRule.*Timer"),
    ("spikey", "IF_facets_hardware1", r"'plastic'.*STDPMechanism.*'spikey'.*correlation.*not emulated"),
])
def test_analog_profiles_refuse_stdp_with_the_reason_at_creation(policy, profile, cell, match):
    sim.setup(timestep=0.1, profile=profile, policy=policy)
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]), label="pre")
    post = sim.Population(2, getattr(sim, cell)(), label="post")
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence(),
                             weight=0.001)
    with pytest.raises(errors.NoModelAvailableError, match=match):
        sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="plastic")
    assert not sim.state.projections
    sim.end()


def test_simple_stdp_example_runs_on_spinnaker1(tmp_path, monkeypatch, capsys):
    """examples/simple_stdp.py (SpikePairRule, additive) on profile spinnaker1."""
    script = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "examples", "simple_stdp.py")
    setup = sim.setup
    monkeypatch.setattr(sim, "setup", lambda *args, **kwargs: setup(*args, profile="spinnaker1", **kwargs))
    monkeypatch.setattr(sys, "argv", [script, "hardware", "--simtime", "300", "--output-dir", str(tmp_path)])
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        plt.close("all")
    assert (tmp_path / "simple_stdp_hardware.png").exists()
    assert "weight change" in capsys.readouterr().out
