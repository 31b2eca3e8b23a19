"""The mapper on the spinnaker1 and ideal profiles (no engine needed)."""

import numpy as np
import pytest
from hardware_specs import all_to_all, cells, pairs, poisson, run_map

from pyNN import errors
from pyNN.hardware.mapping import map_network
from pyNN.hardware.mapping.report import DOES_NOT_FIT, FITS, FITS_WITH_DEGRADATION


def _delay_net(delay_ms, post_size=10):
    return [poisson("src", 4), cells("post", post_size)], [all_to_all("p", 0, 1, 4, post_size, 0.5, delay_ms)]


# --- ideal --------------------------------------------------------------------------------------------

def test_ideal_maps_everything_unchanged():
    pops = [poisson("src", 5), cells("hh", 3, "HH_cond_exp", tau_m=123.0)]
    w = np.linspace(0.0011, 0.9, 15)
    prj = all_to_all("p", 0, 1, 5, 3, w, 0.37)
    res, caught = run_map("ideal", pops, [prj], dt=0.01)
    assert res.weight["p"].tolist() == w.tolist()
    assert res.delay["p"].tolist() == [0.37] * 15
    assert res.keep["p"].all()
    assert res.parameters["hh"]["tau_m"].tolist() == [123.0] * 3
    assert res.numerics["kind"] == "float64"
    assert res.report.verdict == FITS
    assert not caught


# --- types and parameters -----------------------------------------------------------------------------

def test_unsupported_cell_type_quotes_the_reason():
    with pytest.raises(errors.NoModelAvailableError) as info:
        run_map("spinnaker1", [cells("a", 3, "IF_cond_alpha")], [], dt=1.0)
    msg = str(info.value)
    assert "'a'" in msg and "IF_cond_alpha" in msg and "spinnaker1" in msg
    assert "Not currently supported by the tool chain" in msg and "Suggestion" in msg
    assert info.value.report.verdict == DOES_NOT_FIT
    # the lenient policy has no fallback either
    with pytest.raises(errors.NoModelAvailableError):
        run_map("spinnaker1", [cells("a", 3, "IF_facets_hardware1")], [], dt=1.0, policy="lenient")


def test_unsupported_synapse_type():
    pops = [poisson("src", 2), cells("post", 2)]
    prj = all_to_all("p", 0, 1, 2, 2, 0.5, synapse_type="TsodyksMarkramSynapse")
    with pytest.raises(errors.NoModelAvailableError, match="TsodyksMarkramSynapse"):
        run_map("spinnaker1", pops, [prj], dt=1.0)


def test_bad_policy():
    with pytest.raises(errors.InvalidParameterValueError, match="policy"):
        map_network("ideal", [], [], dt=0.1, policy="sloppy")


# --- weights ----------------------------------------------------------------------------------------------

def test_weights_are_quantised_with_the_shift_of_their_synapse_type():
    pops = [poisson("src", 100), cells("post", 50)]
    rng = np.random.default_rng(3)
    w = rng.uniform(0.1, 0.5, 5000)
    res, caught = run_map("spinnaker1", pops, [all_to_all("p", 0, 1, 100, 50, w)], dt=1.0)
    # worst case 1 spike/tick * w_max * 100 inputs < 50 -> s = 6, LSB 2**-9
    assert res.numerics["weight_shift"] == {("post", "excitatory"): 6}
    lsb = 2.0 ** -9
    stored = res.numerics["stored_weight"]["p"]
    assert np.array_equal(stored, np.floor(w / lsb + 0.5))
    assert np.array_equal(res.weight["p"], stored * lsb)
    assert np.abs(res.weight["p"] - w).max() <= lsb / 2
    assert res.numerics["kind"] == "s1615"
    rounding = [c for c in caught if issubclass(c.category, errors.RoundingWarning)]
    assert len(rounding) == 1 and "'p'" in str(rounding[0].message)  # one per projection
    q = res.report.quantisation[0]
    assert q["lsb"] == lsb and q["n_zero"] == 0 and q["max_abs_error"] <= lsb / 2


def test_small_weight_next_to_large_summed_input_rounds_to_zero():
    pops = [poisson("dense", 1000), poisson("weak", 5), cells("post", 4)]
    strong = all_to_all("strong", 0, 2, 1000, 4, 1.0)
    weak = all_to_all("weak", 1, 2, 5, 4, 0.01)
    res, caught = run_map("spinnaker1", pops, [strong, weak], dt=1.0)
    assert res.numerics["weight_shift"][("post", "excitatory")] == 10
    assert res.weight["weak"].tolist() == [0.0] * 20
    assert res.weight["strong"].tolist() == [1.0] * 4000
    diag = res.report.diagnostics_of("WEIGHT_ROUNDED_TO_ZERO")
    assert len(diag) == 1 and diag[0].obj == "weak" and "max_expected_summed_weight" in diag[0].suggestion
    assert res.report.verdict == FITS_WITH_DEGRADATION
    assert any("rounded to zero" in str(c.message) for c in caught)
    # the user can size the shift themselves (sPyNNaker PR #1458) ...
    res2, _ = run_map("spinnaker1", pops, [strong, weak], dt=1.0, max_expected_summed_weight=1.5)
    assert res2.numerics["weight_shift"][("post", "excitatory")] == 1
    assert np.allclose(res2.weight["weak"], 0.01, rtol=2e-3)


def test_weight_above_the_16_bit_range():
    pops = [poisson("src", 3), cells("post", 2)]
    prj = all_to_all("p", 0, 1, 3, 2, 5.0)
    with pytest.raises(errors.InvalidWeightError) as info:
        run_map("spinnaker1", pops, [prj], dt=1.0, weight_shift_override=1)
    assert "weight 5" in str(info.value) and "shift 2 is needed" in str(info.value)
    res, caught = run_map("spinnaker1", pops, [prj], dt=1.0, policy="lenient", weight_shift_override=1)
    assert res.numerics["weight_shift"][("post", "excitatory")] == 2
    assert res.weight["p"].tolist() == [5.0] * 6
    assert any(issubclass(c.category, errors.HardwareConstraintWarning) for c in caught)
    assert res.report.diagnostics_of("WEIGHT_TOO_LARGE", "warning")


def test_excitatory_and_inhibitory_get_separate_shifts():
    pops = [poisson("src", 10), cells("post", 2)]
    res, _ = run_map("spinnaker1", pops, [all_to_all("e", 0, 1, 10, 2, 0.1),
                                          all_to_all("i", 0, 1, 10, 2, 3.0, receptor="inhibitory")], dt=1.0)
    shifts = res.numerics["weight_shift"]
    assert shifts[("post", "excitatory")] == 1   # 10 inputs * 0.1 = 1.0: ceil(log2 1) = 0, 2**0 <= 1 -> 1
    assert shifts[("post", "inhibitory")] == 5   # 10 * 3.0 = 30 -> 5


# --- delays -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ticks, extension", [(16, 0), (17, 40), (144, 40)])
def test_legacy_delay_limits(ticks, extension):
    pops, prjs = _delay_net(float(ticks))
    res, _ = run_map("spinnaker1", pops, prjs, dt=1.0)
    assert res.delay["p"].tolist() == [float(ticks)] * 40
    row = res.report.connectivity[0]
    assert row["delay_extension"] == extension
    ext = next(r for r in res.report.resources if r["resource"] == "delay-extension cores")
    assert ext["used"] == (1 if extension else 0)
    assert res.report.verdict == FITS


def test_legacy_delay_of_145_ticks_is_refused_or_clipped():
    pops, prjs = _delay_net(145.0)
    with pytest.raises(errors.InvalidParameterValueError) as info:
        run_map("spinnaker1", pops, prjs, dt=1.0)
    assert "145 ticks exceeds the 144 ticks" in str(info.value) and "Suggestion" in str(info.value)
    res, caught = run_map("spinnaker1", pops, prjs, dt=1.0, policy="lenient")
    assert res.delay["p"].max() == 144.0
    assert res.report.diagnostics_of("DELAY_OUT_OF_RANGE", "warning")
    assert any(issubclass(c.category, errors.HardwareConstraintWarning) for c in caught)


def test_legacy_limits_scale_with_the_time_step():
    pops, prjs = _delay_net(1.7)
    res, caught = run_map("spinnaker1", pops, prjs, dt=0.1)
    assert res.report.connectivity[0]["delay_extension"] == 40
    assert res.report.diagnostics_of("SMALL_TIMESTEP")
    assert any(issubclass(c.category, errors.HardwareConstraintWarning) and "slowed" in str(c.message)
               for c in caught)


def test_without_delay_extensions_the_native_slots_are_the_limit():
    pops, prjs = _delay_net(17.0)
    with pytest.raises(errors.InvalidParameterValueError, match="17 ticks exceeds the 16 ticks"):
        run_map("spinnaker1", pops, prjs, dt=1.0, allow_delay_extensions=False)


@pytest.mark.parametrize("post_size, native", [(256, 32), (100, 64), (1, 512)])
def test_current_delay_model_native_slots_and_eight_extension_blocks(post_size, native):
    # the post core's ring-buffer memory (32 KiB, 2 synapse types, 16-bit entries, a power of two)
    # decides the native slots: 32 for a full core, up to 512 for a tiny one
    pops, prjs = _delay_net(float(native), post_size)
    res, _ = run_map("spinnaker1", pops, prjs, dt=1.0, delay_model="current")
    assert res.report.connectivity[0]["delay_extension"] == 0
    pops, prjs = _delay_net(float(native + 1), post_size)
    res, _ = run_map("spinnaker1", pops, prjs, dt=1.0, delay_model="current")
    assert res.report.connectivity[0]["delay_extension"] == 4 * post_size
    pops, prjs = _delay_net(float(9 * native), post_size)
    run_map("spinnaker1", pops, prjs, dt=1.0, delay_model="current")
    pops, prjs = _delay_net(float(9 * native + 1), post_size)
    with pytest.raises(errors.InvalidParameterValueError, match=f"exceeds the {9 * native} ticks"):
        run_map("spinnaker1", pops, prjs, dt=1.0, delay_model="current")


def test_delays_round_to_the_nearest_tick():
    pops = [poisson("src", 1), cells("post", 4)]
    prj = pairs("p", 0, 1, [0, 0, 0, 0], [0, 1, 2, 3], 0.5, [1.4, 1.5, 2.6, 0.2])
    res, caught = run_map("spinnaker1", pops, [prj], dt=1.0)
    assert res.delay["p"].tolist() == [1.0, 2.0, 3.0, 1.0]
    assert any(issubclass(c.category, errors.RoundingWarning) and "delays rounded" in str(c.message) for c in caught)


# --- partitioning, placement, resources ---------------------------------------------------------------------------

def test_partitioning_into_core_slices_and_placement():
    pops = [poisson("src", 600), cells("exc", 300)]
    res, _ = run_map("spinnaker1", pops, [all_to_all("p", 0, 1, 600, 300, 0.01)], dt=1.0)
    part = {p["population"]: p for p in res.report.partitioning}
    assert part["src"]["slices"] == [(0, 500), (500, 600)]
    assert part["exc"]["slices"] == [(0, 256), (256, 300)]
    locations = [tuple(p["location"]) for p in res.report.placement]
    assert len(set(locations)) == 4
    assert all(1 <= loc[2] <= 16 for loc in locations)  # core 0 is the monitor
    cores = next(r for r in res.report.resources if r["resource"] == "user cores")
    assert (cores["used"], cores["available"]) == (4, 768)


def test_override_neurons_per_core():
    res, _ = run_map("spinnaker1", [cells("exc", 300)], [], dt=1.0, neurons_per_core=100)
    assert len(res.report.partitioning[0]["slices"]) == 3


def test_too_many_cores_names_resource_need_and_have():
    with pytest.raises(errors.ResourceExhaustedError) as info:
        run_map("spinnaker1", [cells("big", 800)], [], dt=1.0, neurons_per_core=1)
    err = info.value
    assert (err.resource, err.needed, err.available) == ("user cores", 800, 768)
    msg = str(err)
    assert "user cores" in msg and "800" in msg and "768" in msg and "spinnaker1" in msg
    assert "n_boards=2" in msg and "neurons_per_core" in msg
    assert err.report.verdict == DOES_NOT_FIT
    # the lenient policy cannot drop its way out of this either
    with pytest.raises(errors.ResourceExhaustedError):
        run_map("spinnaker1", [cells("big", 800)], [], dt=1.0, neurons_per_core=1, policy="lenient")
    run_map("spinnaker1", [cells("big", 800)], [], dt=1.0, neurons_per_core=1, n_boards=2)


def test_routing_entries_per_chip():
    pops = [poisson("src", 1100), cells("post", 1)]
    prj = all_to_all("p", 0, 1, 1100, 1, 0.01)
    with pytest.raises(errors.ResourceExhaustedError) as info:
        run_map("spinnaker1", pops, [prj], dt=1.0, poisson_sources_per_core=1, n_boards=2)
    assert "routing entries" in info.value.resource and info.value.available == 1024
    assert info.value.needed > 1024 and "neurons_per_core" in str(info.value)


def test_synaptic_row_length_strict_and_lenient():
    # 300 connections from one source neuron onto one post core: rows hold at most 256
    pops = [poisson("src", 1), cells("post", 1)]
    prj = pairs("p", 0, 1, np.zeros(300, int), np.zeros(300, int), 0.01)
    with pytest.raises(errors.ResourceExhaustedError) as info:
        run_map("spinnaker1", pops, [prj], dt=1.0)
    assert (info.value.needed, "256" in str(info.value.available)) == (300, True)
    res, caught = run_map("spinnaker1", pops, [prj], dt=1.0, policy="lenient")
    assert res.keep["p"].sum() == 256 and not res.keep["p"][256:].any()
    row = res.report.connectivity[0]
    assert (row["requested"], row["realised"], row["lost"]) == (300, 256, 44)
    assert res.report.verdict == FITS_WITH_DEGRADATION
    assert any(issubclass(c.category, errors.HardwareConstraintWarning) for c in caught)
    with pytest.raises(errors.ResourceExhaustedError, match="max_synapse_loss"):
        run_map("spinnaker1", pops, [prj], dt=1.0, policy="lenient", max_synapse_loss=0.1)


def test_load_estimate_warns_above_the_cpu_budget():
    pops = [poisson("src", 200, rate=1000.0), cells("post", 256)]
    res, _ = run_map("spinnaker1", pops, [all_to_all("p", 0, 1, 200, 256, 0.001)], dt=1.0)
    load = res.report.load[0]
    assert load["estimate"] == pytest.approx(200 * 256 * 1.0)  # 1000 Hz = 1 event/ms per connection
    assert load["budget"] == 10000
    diag = res.report.diagnostics_of("CPU_OVERLOAD")
    assert diag and "time_scale_factor" in diag[0].suggestion
    res, _ = run_map("spinnaker1", pops, [all_to_all("p", 0, 1, 200, 256, 0.001)], dt=1.0, time_scale_factor=10)
    assert not res.report.diagnostics_of("CPU_OVERLOAD")


def test_spike_source_array_times_move_up_to_the_next_tick():
    from pyNN.hardware.mapping import PopulationSpec
    times = np.empty(2, dtype=object)
    times[0] = np.array([1.0, 2.3])
    times[1] = np.array([0.5])
    src = PopulationSpec("arr", "SpikeSourceArray", 2, {"spike_times": times}, {})
    res, caught = run_map("spinnaker1", [src], [], dt=1.0)
    realised = res.parameters["arr"]["spike_times"]
    assert realised[0].tolist() == [1.0, 3.0] and realised[1].tolist() == [1.0]
    assert any(issubclass(c.category, errors.RoundingWarning) for c in caught)


def test_parameter_outside_the_s1615_range():
    with pytest.raises(errors.InvalidParameterValueError, match="valid range for parameter v_thresh"):
        run_map("spinnaker1", [cells("a", 2, v_thresh=1e6)], [], dt=1.0)


def test_exactly_representable_weights_are_realised_exactly():
    # with s = 6 the weight step is 2**-9: multiples of it are stored without error
    pops = [poisson("src", 100), cells("post", 50)]
    k = np.random.default_rng(5).integers(50, 256, 5000)
    w = k * 2.0 ** -9
    res, caught = run_map("spinnaker1", pops, [all_to_all("p", 0, 1, 100, 50, w)], dt=1.0)
    assert res.numerics["weight_shift"][("post", "excitatory")] == 6
    assert np.array_equal(res.weight["p"], w) and np.array_equal(res.numerics["stored_weight"]["p"], k)
    assert not [c for c in caught if issubclass(c.category, errors.RoundingWarning)]
    assert res.report.quantisation[0]["n_rounded"] == 0


def test_plastic_projection_sizes_the_shift_by_w_max_and_gets_luts():
    from pyNN.hardware.mapping import ProjectionSpec
    pops = [poisson("src", 10), cells("post", 2)]
    base = all_to_all("stdp", 0, 1, 10, 2, 0.1, synapse_type="STDPMechanism")
    prj = ProjectionSpec(**{**base.__dict__, "synapse_parameters": {"w_max": 4.0, "tau_plus": 20.0,
                                                                    "tau_minus": 10.0}})
    res, _ = run_map("spinnaker1", pops, [prj], dt=1.0)
    # worst case 1 spike/tick * w_max 4.0 * 10 inputs = 40 -> s = 6 (with w = 0.1 alone it would be 1)
    assert res.numerics["weight_shift"][("post", "excitatory")] == 6
    luts = res.numerics["stdp_lut"]["stdp"]
    assert luts["tau_plus"].size == 154 and luts["tau_plus"][0] == 2048
    assert luts["tau_minus"].size == 78  # ceil(ln(2048) * 10) = 77, rounded up to even
    static, _ = run_map("spinnaker1", pops, [base], dt=1.0)
    assert static.numerics["weight_shift"][("post", "excitatory")] == 1


def test_shift_uses_the_rate_of_poisson_sources_only():
    fast = [poisson("src", 100, rate=4000.0), cells("post", 2)]   # 4 spikes per 1 ms tick
    res, _ = run_map("spinnaker1", fast, [all_to_all("p", 0, 1, 100, 2, 0.1)], dt=1.0)
    assert res.report.weight_shifts[0]["max_summed_input"] == pytest.approx(4 * 0.1 * 100)
    from pyNN.hardware.mapping import PopulationSpec
    times = np.empty(100, dtype=object)
    for i in range(100):
        times[i] = np.arange(1.0, 50.0)  # 1000 Hz, but arrays use spikes_per_second as sPyNNaker does
    arrays = [PopulationSpec("arr", "SpikeSourceArray", 100, {"spike_times": times}, {}), cells("post", 2)]
    res, _ = run_map("spinnaker1", arrays, [all_to_all("p", 0, 1, 100, 2, 0.1)], dt=1.0)
    assert res.report.weight_shifts[0]["max_summed_input"] == pytest.approx(1 * 0.1 * 100)
