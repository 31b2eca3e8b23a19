"""The mapper on the brainscales2 and spikey profiles, and pyNN.hardware.analog (no engine needed)."""

import numpy as np
import pytest
from hardware_specs import all_to_all, cells, pairs, poisson, run_map

from pyNN import errors
from pyNN.hardware.numerics import analog
from pyNN.hardware.mapping.report import FITS, FITS_WITH_DEGRADATION

EXACT = dict(noise="off", weight_lsb_current=1.0, weight_lsb_conductance=1.0)


# --- analog numerics ------------------------------------------------------------------------------

def test_multi_synapse_rule():
    codes = np.array([0, 1, 63, 64, 126, 127, 200])
    assert analog.synapses_per_connection(codes).tolist() == [1, 1, 1, 2, 2, 3, 4]
    conn, per = analog.split_multi_synapse(codes)
    assert np.bincount(conn, weights=per).tolist() == codes.tolist()
    assert per.max() == 63
    assert per[conn == 3].tolist() == [63, 1]


def test_weight_codes_rounding():
    codes, rounded = analog.weight_codes([0.0, 1.0, 1.49, 1.5, 2.0000000001], 1.0)
    assert codes.tolist() == [0, 1, 1, 2, 2]
    assert rounded.tolist() == [False, False, True, True, False]
    rng = np.random.default_rng(0)
    stoch, _ = analog.weight_codes(np.full(10000, 0.5), 1.0, "stochastic", rng)
    assert abs(stoch.mean() - 0.5) < 0.03


def test_capmem_quantisation():
    realised, codes, step = analog.capmem_quantise([0.5, 60.0, 20.0, 100.0], 0.5, 60.0)
    assert step == pytest.approx(59.5 / 1022)
    assert codes.tolist()[:2] == [0, 1022] and codes[3] == 1022
    assert abs(realised[2] - 20.0) <= step / 2


def test_partitioning_formula():
    assert analog.logical_neuron_size(784, signed=True) == 7
    assert analog.neurons_per_chip(7) == 73
    assert analog.partitions_needed(100, 7) == 2
    assert analog.logical_neuron_size(784, signed=False) == 4
    assert analog.logical_neuron_size(0, signed=True) == 1


def test_mismatch_is_a_fixed_pattern_of_the_chip():
    a = analog.circuit_deviation(5, "tau", 1, 512, 0.1)
    b = analog.circuit_deviation(5, "tau", 1, 512, 0.1)
    c = analog.circuit_deviation(6, "tau", 1, 512, 0.1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    v = analog.apply_parameter_mismatch(np.full(3, 20.0), np.array([10, 11, 10]), 5, "tau_m", "tau", 0.1, 512)
    assert v[0] == v[2] != v[1]  # same circuit, same deviation
    w = analog.apply_weight_mismatch(np.full(1000, 2.0), 5, 0, 0.2)
    assert w.min() >= 0 and abs(w.std() / 2.0 - 0.2) < 0.03
    assert np.array_equal(analog.trial_noise(3, 0, 5, 1.0), analog.trial_noise(3, 0, 5, 1.0))
    assert not np.array_equal(analog.trial_noise(3, 0, 5, 1.0), analog.trial_noise(3, 1, 5, 1.0))


def test_rate_limit():
    delivered, dropped = analog.rate_limit(np.array([0, 5, 20]), dt=0.1, min_gap=0.008)
    assert delivered.tolist() == [0, 5, 12] and dropped.tolist() == [0, 0, 8]


# --- BrainScaleS-2 mapping --------------------------------------------------------------------------

def test_weight_64_uses_two_synapses():
    pops = [poisson("src", 2), cells("post", 1)]
    prj = pairs("p", 0, 1, [0, 1], [0, 0], [64.0, 63.0], 0.1)
    res, caught = run_map("brainscales2", pops, [prj], dt=0.1, **EXACT)
    assert res.numerics["hw_synapses"]["p"].tolist() == [2, 1]
    assert res.weight["p"].tolist() == [64.0, 63.0]  # integer weights, no noise: exact
    assert res.report.connectivity[0]["hw_synapses"] == 3
    assert res.report.verdict == FITS and not caught


def test_delay_of_one_ms_is_refused_or_ignored():
    pops = [poisson("src", 2), cells("post", 2)]
    prj = all_to_all("p", 0, 1, 2, 2, 1.0, delay=1.0)
    with pytest.raises(errors.InvalidParameterValueError) as info:
        run_map("brainscales2", pops, [prj], dt=0.1, **EXACT)
    assert "Setting the delay unequal 0 is not supported" in str(info.value) and "'p'" in str(info.value)
    res, caught = run_map("brainscales2", pops, [prj], dt=0.1, policy="lenient", **EXACT)
    assert res.delay["p"].tolist() == [0.1] * 4
    assert any(issubclass(c.category, errors.HardwareConstraintWarning) for c in caught)
    assert res.report.verdict == FITS_WITH_DEGRADATION


def test_wrong_sign_is_a_connection_error_under_both_policies():
    pops = [poisson("src", 2), cells("post", 2)]
    neg_exc = all_to_all("p", 0, 1, 2, 2, 1.0, 0.1, "excitatory", user_sign=-1)
    for policy in ("strict", "lenient"):
        with pytest.raises(errors.ConnectionError) as info:
            run_map("brainscales2", pops, [neg_exc], dt=0.1, policy=policy, **EXACT)
        assert "Weights must be positive for conductance-based and/or excitatory synapses" in str(info.value)
    pos_inh = all_to_all("q", 0, 1, 2, 2, 1.0, 0.1, "inhibitory", user_sign=1)
    with pytest.raises(errors.ConnectionError, match="negative for inhibitory"):
        run_map("brainscales2", pops, [pos_inh], dt=0.1, **EXACT)
    neg_inh = all_to_all("r", 0, 1, 2, 2, 1.0, 0.1, "inhibitory", user_sign=-1)
    run_map("brainscales2", pops, [neg_inh], dt=0.1, **EXACT)
    # conductance-based cells take positive inhibitory weights
    cond = [poisson("src", 2), cells("post", 2, "IF_cond_exp")]
    run_map("brainscales2", cond, [all_to_all("s", 0, 1, 2, 2, 1.0, 0.1, "inhibitory", user_sign=1)], dt=0.1, **EXACT)


def test_one_analog_observable_per_neuron():
    pops = [cells("n", 4, recorded={"v": np.array([0]), "isyn_inh": np.array([0])})]
    with pytest.raises(errors.RecordingError) as info:
        run_map("brainscales2", pops, [], dt=0.1, **EXACT)
    assert isinstance(info.value, errors.RecordingLimitError)
    assert "only 1 analog observable per neuron" in str(info.value) and "'isyn_inh' refused" in str(info.value)


def test_two_even_neurons_cannot_be_read_out_together():
    pops = [cells("n", 4, recorded={"v": np.array([0, 2])})]
    with pytest.raises(errors.RecordingLimitError, match="no free even analog channel"):
        run_map("brainscales2", pops, [], dt=0.1, **EXACT)
    res, _ = run_map("brainscales2", [cells("n", 4, recorded={"v": np.array([0, 1]), "spikes": np.arange(4)})], [],
                     dt=0.1, **EXACT)
    assert res.recorded["n"]["v"].tolist() == [0, 1]
    res, caught = run_map("brainscales2", pops, [], dt=0.1, policy="lenient", **EXACT)
    assert res.recorded["n"]["v"].tolist() == [0]
    assert [r["refused"] for r in res.report.recording] == [1]
    assert any(issubclass(c.category, errors.HardwareConstraintWarning) for c in caught)


def _mnist_layer(n_hidden):
    pops = [poisson("pixels", 784), cells("hidden", n_hidden)]
    prjs = [all_to_all("exc", 0, 1, 784, n_hidden, 1.0, 0.1),
            all_to_all("inh", 0, 1, 784, n_hidden, 1.0, 0.1, "inhibitory", user_sign=-1)]
    return pops, prjs


def test_784_input_layer_needs_7_circuits_per_neuron_and_73_fit():
    pops, prjs = _mnist_layer(73)
    res, _ = run_map("brainscales2", pops, prjs, dt=0.1, **EXACT)
    part = res.report.partitioning[0]
    assert (part["circuits_per_neuron"], part["neurons_per_chip"], part["fan_in"]) == (7, 73, 784)
    assert res.numerics["circuits_per_neuron"] == {"hidden": 7}
    assert res.numerics["first_circuit"]["hidden"][:3].tolist() == [0, 7, 14]
    circuits = next(r for r in res.report.resources if r["resource"] == "neuron circuits")
    assert (circuits["used"], circuits["available"]) == (511, 512)


def test_74_neurons_of_fan_in_784_do_not_fit():
    pops, prjs = _mnist_layer(74)
    with pytest.raises(errors.ResourceExhaustedError) as info:
        run_map("brainscales2", pops, prjs, dt=0.1, **EXACT)
    err = info.value
    assert (err.resource, err.needed, err.available) == ("neuron circuits", 518, 512)
    assert "allow_partitioning=True" in str(err) and "74 x 7" in str(err)
    res, _ = run_map("brainscales2", pops, prjs, dt=0.1, allow_partitioning=True, **EXACT)
    assert res.numerics["executions"] == 2
    assert res.report.diagnostics_of("PARTITIONED")


def test_recurrent_networks_cannot_be_partitioned():
    pops = [cells("a", 300)]
    prj = all_to_all("rec", 0, 0, 300, 300, 1.0, 0.1)
    with pytest.raises(errors.ResourceExhaustedError, match="recurrent"):
        run_map("brainscales2", pops, [prj], dt=0.1, allow_partitioning=True, **EXACT)


def test_parameter_range_strict_and_lenient():
    pops = [cells("n", 3, tau_m=100.0)]
    with pytest.raises(errors.InvalidParameterValueError) as info:
        run_map("brainscales2", pops, [], dt=0.1, **EXACT)
    assert "valid range for parameter tau_m is: (0.5, 60)" in str(info.value) and "'n'" in str(info.value)
    res, caught = run_map("brainscales2", pops, [], dt=0.1, policy="lenient", **EXACT)
    assert res.parameters["n"]["tau_m"].tolist() == [60.0] * 3
    row = next(r for r in res.report.parameters if r["parameter"] == "tau_m")
    assert row["n_clipped"] == 3 and row["allowed_max"] == 60.0
    assert res.report.verdict == FITS_WITH_DEGRADATION
    assert any(issubclass(c.category, errors.HardwareConstraintWarning) and "tau_m" in str(c.message)
               for c in caught)
    run_map("brainscales2", pops, [], dt=0.1, ignore_parameter_ranges=True, **EXACT)


def test_capmem_steps_and_mismatch_from_chip_seed():
    pops = [cells("n", 20, tau_m=20.0)]
    exact, _ = run_map("brainscales2", pops, [], dt=0.1, **EXACT)
    step = 59.5 / 1022
    assert np.all(np.abs(exact.parameters["n"]["tau_m"] - 20.0) <= step / 2)
    assert np.ptp(exact.parameters["n"]["tau_m"]) == 0  # no noise: every neuron alike
    noisy = dict(EXACT, noise="calibrated")
    a, _ = run_map("brainscales2", pops, [], dt=0.1, chip_seed=7, **noisy)
    b, _ = run_map("brainscales2", pops, [], dt=0.1, chip_seed=7, **noisy)
    c, _ = run_map("brainscales2", pops, [], dt=0.1, chip_seed=8, **noisy)
    ta, tb, tc = (r.parameters["n"]["tau_m"] for r in (a, b, c))
    assert np.array_equal(ta, tb) and not np.array_equal(ta, tc)
    assert 0.005 < np.std(ta / 20.0) < 0.05  # calibrated preset: 2 % relative SD (an assumption)
    assert a.report.noise["chip_seed"] == 7 and a.numerics["chip_seed"] == 7


def test_weight_mismatch_applies_after_quantisation():
    pops = [poisson("src", 50), cells("post", 20)]
    prj = all_to_all("p", 0, 1, 50, 20, 10.0, 0.1)
    res, _ = run_map("brainscales2", pops, [prj], dt=0.1, **dict(EXACT, noise="uncalibrated"))
    w = res.weight["p"]
    assert abs(w.mean() - 10.0) < 0.3 and abs(w.std() / 10.0 - 0.2) < 0.03 and w.min() >= 0


def test_driver_rate_load_estimate():
    pops = [poisson("src", 10, rate=50000.0), cells("post", 2)]
    res, _ = run_map("brainscales2", pops, [all_to_all("p", 0, 1, 10, 2, 1.0, 0.1)], dt=0.1, **EXACT)
    load = next(r for r in res.report.load if r["unit"] == "synapse driver")
    assert load["budget"] == pytest.approx(125000.0)
    assert load["estimate"] == pytest.approx(500000.0)  # 10 sources share one driver
    assert res.report.diagnostics_of("DRIVER_RATE_LIMIT")
    assert res.numerics["event_min_gap"] == pytest.approx(0.008)


def test_brainscales2_unsupported_cell():
    with pytest.raises(errors.NoModelAvailableError, match="alpha-shaped synapses are not available"):
        run_map("brainscales2", [cells("n", 2, "IF_curr_alpha")], [], dt=0.1)


# --- Spikey -------------------------------------------------------------------------------------

SPIKEY_EXACT = dict(noise="off", weight_rounding="nearest", weight_lsb_exc=1.0, weight_lsb_inh=1.0)


def test_spikey_only_runs_facets_neurons():
    with pytest.raises(errors.NoModelAvailableError, match="only implements IF_facets_hardware1"):
        run_map("spikey", [cells("n", 2, "IF_curr_exp")], [], dt=0.1)


def test_spikey_four_bit_weights():
    pops = [poisson("src", 2), cells("n", 1, "IF_facets_hardware1")]
    prj = pairs("p", 0, 1, [0, 1], [0, 0], [15.0, 16.0], 0.1)
    with pytest.raises(errors.InvalidWeightError, match="above the largest hardware weight 15"):
        run_map("spikey", pops, [prj], dt=0.1, **SPIKEY_EXACT)
    res, _ = run_map("spikey", pops, [prj], dt=0.1, policy="lenient", **SPIKEY_EXACT)
    assert res.weight["p"].tolist() == [15.0, 15.0]
    assert res.report.quantisation[0]["n_clipped"] == 1


def test_spikey_weights_are_rounded_stochastically():
    pops = [poisson("src", 100), cells("n", 100, "IF_facets_hardware1")]
    prj = all_to_all("p", 0, 1, 100, 100, 0.0025, 0.1)  # 2.5 x minExcWeight (0.001 uS)
    res, _ = run_map("spikey", pops, [prj], dt=0.1, noise="off")
    assert set(np.unique(np.round(res.weight["p"] / 0.001))) == {2.0, 3.0}
    assert abs(res.weight["p"].mean() - 0.0025) < 0.0001


def test_spikey_shared_parameters_per_block():
    a = cells("a", 100, "IF_facets_hardware1", v_rest=-65.0)
    b = cells("b", 50, "IF_facets_hardware1", v_rest=-60.0)
    with pytest.raises(errors.InvalidParameterValueError, match="v_rest is shared by all neurons of block 0"):
        run_map("spikey", [a, b], [], dt=0.1, noise="off")
    res, _ = run_map("spikey", [a, b], [], dt=0.1, noise="off", policy="lenient")
    step = 60.0 / 1022
    assert np.all(np.abs(res.parameters["b"]["v_rest"] + 65.0) <= step)
    assert res.report.diagnostics_of("SHARED_PARAMETER_CONFLICT", "warning")
    # in different blocks the values may differ
    a192 = cells("a", 192, "IF_facets_hardware1", v_rest=-65.0)
    res, _ = run_map("spikey", [a192, b], [], dt=0.1, noise="off")
    assert abs(res.parameters["b"]["v_rest"][0] + 60.0) <= step


def test_spikey_capacity_and_line_drivers():
    with pytest.raises(errors.ResourceExhaustedError) as info:
        run_map("spikey", [cells("n", 385, "IF_facets_hardware1")], [], dt=0.1)
    assert (info.value.needed, info.value.available) == (385, 384)
    pops = [poisson("src", 300), cells("n", 2, "IF_facets_hardware1")]
    prj = all_to_all("p", 0, 1, 300, 2, 0.001, 0.1)
    with pytest.raises(errors.ResourceExhaustedError) as info:
        run_map("spikey", pops, [prj], dt=0.1, noise="off")
    assert info.value.resource == "line drivers in block 0" and info.value.needed == 300
    res, _ = run_map("spikey", pops, [prj], dt=0.1, noise="off", policy="lenient")
    assert res.keep["p"].sum() == 2 * 256 and not res.keep["p"][-2 * 44:].any()
    assert res.report.connectivity[0]["lost"] == 88


def test_spikey_records_one_membrane():
    pops = [cells("n", 4, "IF_facets_hardware1", recorded={"v": np.array([0, 3])})]
    with pytest.raises(errors.RecordingLimitError, match="1 channel"):
        run_map("spikey", pops, [], dt=0.1, noise="off")


def test_spikey_on_chip_sources_cannot_use_the_external_only_drivers():
    # 200 neurons of block 1 (after 192 in block 0) project onto block 0: 192 drivers take on-chip input
    pops = [cells("a", 192, "IF_facets_hardware1"), cells("b", 192, "IF_facets_hardware1")]
    prj = pairs("ba", 1, 0, np.arange(192), np.zeros(192, int), 0.001, 0.1)
    run_map("spikey", pops, [prj], dt=0.1, noise="off")  # 192 on-chip sources: fits
    pops = [cells("a", 150, "IF_facets_hardware1"), cells("b", 234, "IF_facets_hardware1")]
    prj = pairs("ba", 1, 0, np.arange(234), np.zeros(234, int), 0.001, 0.1)
    with pytest.raises(errors.ResourceExhaustedError) as info:
        run_map("spikey", pops, [prj], dt=0.1, noise="off")
    assert info.value.resource == "line drivers for on-chip sources in block 0"
    assert (info.value.needed, info.value.available) == (234, 192)
    assert "external input only" in str(info.value)


def test_brainscales2_only_emulates_biological_time():
    with pytest.raises(errors.NoModelAvailableError, match="time_domain='hardware' is not implemented"):
        run_map("brainscales2", [cells("n", 2)], [], dt=0.1, time_domain="hardware")


def test_brainscales2_input_bandwidth_and_sample_interval():
    pops = [poisson("src", 1000, rate=100.0), cells("n", 2)]
    res, _ = run_map("brainscales2", pops, [all_to_all("p", 0, 1, 1000, 2, 1.0, 0.1)], dt=0.1, **EXACT)
    load = next(r for r in res.report.load if r["quantity"].startswith("external input"))
    assert load["estimate"] == pytest.approx(1000 * 100.0 * 1000)  # bio rate x speed-up
    assert not res.report.diagnostics_of("INPUT_BANDWIDTH")
    res, _ = run_map("brainscales2", pops, [all_to_all("p", 0, 1, 1000, 2, 1.0, 0.1)], dt=0.1,
                     external_input_rate_hw=1e6, **EXACT)
    assert res.report.diagnostics_of("INPUT_BANDWIDTH")
    assert res.numerics["analog_sample_interval"] == pytest.approx(0.034)


def test_lenient_recording_keeps_looking_for_a_free_channel():
    # 30 even neurons then an odd one: the odd channel is still free for the last
    idx = np.r_[np.arange(0, 60, 2), 61]
    pops = [cells("n", 64, recorded={"v": idx})]
    res, _ = run_map("brainscales2", pops, [], dt=0.1, policy="lenient", **EXACT)
    assert res.recorded["n"]["v"].tolist() == [0, 61]
    with pytest.raises(errors.RecordingLimitError, match="29 refused in all"):
        run_map("brainscales2", pops, [], dt=0.1, **EXACT)
