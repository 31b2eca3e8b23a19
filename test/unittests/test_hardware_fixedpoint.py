"""s16.15 / u0.32 arithmetic, the SpiNNaker weight-shift rule, 16-bit weights, STDP LUTs and
the fixed-point LIF step (pyNN.hardware.fixedpoint). No engine needed."""

import math

import numpy as np
import pytest

from pyNN.hardware.numerics import fixedpoint as fp

LSB = fp.S1615_LSB


# --- formats -------------------------------------------------------------------------------------

def test_s1615_conversion_round_trip_and_saturation():
    raw = fp.s1615_from_float([1.5, -2.25, 1e6, -1e6])
    assert raw.dtype == np.int32
    assert raw.tolist() == [49152, -73728, 2 ** 31 - 1, -2 ** 31]
    assert fp.s1615_to_float(raw[:2]).tolist() == [1.5, -2.25]


def test_s1615_wraps_when_saturation_is_off():
    raw = fp.s1615_from_float([65536.0], saturate=False)
    assert raw[0] == -2 ** 31  # 2**31 wraps to the most negative value


def test_rounding_modes_of_conversion():
    x = np.array([0.4, 0.5, -0.5]) * LSB
    assert fp.s1615_from_float(x, "nearest").tolist() == [0, 1, 0]   # halves up
    assert fp.s1615_from_float(x, "truncate").tolist() == [0, 0, -1]  # towards -inf
    rng = np.random.default_rng(1)
    draws = fp.s1615_from_float(np.full(20000, 0.25 * LSB), "stochastic", rng=rng)
    assert set(np.unique(draws)) == {0, 1}
    assert abs(draws.mean() - 0.25) < 0.02


def test_stochastic_rounding_needs_a_generator():
    with pytest.raises(ValueError, match="Generator"):
        fp.s1615_from_float([0.1], "stochastic")


def test_decay_and_init_as_u032():
    d = fp.decay_u032(np.array([20.0, 5.0]), 1.0)
    assert d.dtype == np.uint32
    assert np.allclose(fp.u032_to_float(d), np.exp(-1.0 / np.array([20.0, 5.0])), atol=2 ** -32)
    init = fp.init_u032(5.0, 1.0)
    assert abs(fp.u032_to_float(init) - 5.0 * (1 - math.exp(-0.2))) < 2 ** -32
    assert fp.decay_u032(0.0, 1.0) == 0
    assert fp.decay_u032(np.inf, 1.0) == fp.U032_MAX


def test_mul_accum_fract_is_exact_with_int64_and_rounds():
    a = fp.s1615_from_float([1.0, -1.0, fp.S1615_MAX, fp.S1615_MIN])
    f = fp.decay_u032(20.0, 1.0)
    out = fp.mul_accum_fract(a, f)
    exact = a.astype(np.float64) * float(f) / 2 ** 32
    assert np.all(np.abs(out - exact) <= 0.5)
    trunc = fp.mul_accum_fract(a, f, "truncate")
    assert np.all(trunc == np.floor(exact))


def test_add_accum_counts_overflows():
    big = fp.s1615_from_float([60000.0, -60000.0])
    total, n = fp.add_accum(big, big)
    assert n == 2
    assert total.tolist() == [2 ** 31 - 1, -2 ** 31]
    wrapped, n = fp.add_accum(big, big, saturate=False)
    assert n == 2 and wrapped[0] < 0


# --- weight shift (sPyNNaker rule, worked examples) -------------------------------------------------

def test_shift_equal_delays_uses_worst_case_sum():
    # 100 inputs per neuron, w = 0.5 nA, one delay: 1 spike/tick (max(1, 30 Hz * 1 ms)) * 0.5 * 100 = 50
    stats = [fp.IncomingStats(np.full(10, 0.5), 100, None, True)]
    s, bound = fp.weight_shift(stats, dt=1.0)
    assert bound == pytest.approx(50.0)
    assert s == 6  # ceil(log2 50) = 6 and 2**6 = 64 > 50


def test_shift_adds_one_when_bound_is_a_power_of_two():
    stats = [fp.IncomingStats(np.full(4, 0.5), 128, None, True)]  # total exactly 64
    assert fp.weight_shift(stats, dt=1.0)[0] == 7
    assert fp.shift_for_summed_weight(64.0) == 7
    assert fp.shift_for_summed_weight(63.9) == 6
    assert fp.shift_for_summed_weight(0.0) == 0
    assert fp.shift_for_summed_weight(0.3) == 0


def test_shift_signed_weights_add_a_bit():
    stats = [fp.IncomingStats(np.full(10, 0.5), 100, None, True)]
    assert fp.weight_shift(stats, dt=1.0, signed=True)[0] == 7


def test_shift_with_varied_delays_uses_poisson_bound():
    # lambda = 100 * 30 Hz * 1 ms = 3 spikes per tick; mean 3 * 0.5 = 1.5;
    # SD = sqrt(3 * 0.5**2) (weights all equal); bound = 1.5 + 5 * SD = 5.83 -> s = 3
    stats = [fp.IncomingStats(np.full(10, 0.5), 100, None, False)]
    s, bound = fp.weight_shift(stats, dt=1.0)
    assert bound == pytest.approx(1.5 + 5 * math.sqrt(0.75))
    assert s == 3


def test_shift_uses_source_rate_when_known():
    # 2000 Hz at dt = 1 ms: 2 spikes per tick in the worst case
    stats = [fp.IncomingStats(np.full(10, 0.5), 100, 2000.0, True)]
    assert fp.weight_shift(stats, dt=1.0)[1] == pytest.approx(100.0)


def test_max_expected_summed_weight_overrides_the_rule():
    stats = [fp.IncomingStats(np.full(10, 0.5), 100, None, True)]
    s, bound = fp.weight_shift(stats, dt=1.0, max_expected_summed_weight=3.0)
    assert (s, bound) == (2, 3.0)


def test_large_summed_input_rounds_a_small_weight_to_zero():
    # the symptom of sPyNNaker PR #745 / issue #419: one synapse type shared by a dense,
    # strong projection and a weak one
    strong = fp.IncomingStats(np.full(1000, 1.0), 1000, None, True)
    weak = fp.IncomingStats(np.full(5, 0.01), 5, None, True)
    s, _ = fp.weight_shift([strong, weak], dt=1.0)
    assert s == 10  # bound 1000.05 -> ceil(log2) = 10, and 2**10 = 1024 > 1000.05
    stored, realised, clipped = fp.quantise_weights([0.01, 1.0], s)
    assert stored.tolist() == [0, 32]       # 0.01 * 2**(15-10) = 0.32 -> 0
    assert realised.tolist() == [0.0, 1.0]
    assert not clipped.any()


# --- 16-bit weights ----------------------------------------------------------------------------------

@pytest.mark.parametrize("s", range(9))
def test_stored_weight_round_trip(s):
    lsb = 2.0 ** (s - 15)
    assert fp.weight_lsb(s) == lsb
    k = np.array([0, 1, 2, 3, 1000, 32768, 65535])
    stored, realised, clipped = fp.quantise_weights(k * lsb, s)
    assert stored.tolist() == k.tolist()
    assert realised.tolist() == (k * lsb).tolist()
    assert not clipped.any()
    # 1.0 is stored as 2**(15-s); halfway values round to the nearest step (halves up)
    assert fp.quantise_weights([1.0], s)[0][0] == 2 ** (15 - s)
    assert fp.quantise_weights([2.5 * lsb], s)[0][0] == 3
    assert fp.quantise_weights([2.4 * lsb], s)[0][0] == 2
    assert fp.quantise_weights([2.9 * lsb], s, rounding="truncate")[0][0] == 2
    # the largest weight is just below 2**(s+1)
    top = fp.quantise_weights([2.0 ** (s + 1)], s)
    assert top[0][0] == 65535 and top[2][0]


def test_ring_buffer_saturates_and_counts():
    buf = np.zeros(4, dtype=np.int64)
    n = fp.ring_buffer_add(buf, np.array([0, 0, 1]), np.array([40000, 40000, 5]))
    assert n == 1
    assert buf.tolist() == [65535, 5, 0, 0]
    wrap = np.zeros(1, dtype=np.int64)
    assert fp.ring_buffer_add(wrap, np.array([0, 0]), np.array([40000, 40000]), saturate=False) == 1
    assert wrap[0] == 80000 - 65536
    assert fp.ring_buffer_to_s1615(np.array([3]), 4)[0] == 48


# --- STDP LUT -----------------------------------------------------------------------------------------

def test_stdp_lut_floor_variant():
    lut = fp.stdp_exp_lut(20.0, 1.0, "floor")
    assert lut.dtype == np.uint16
    assert lut.size == 154  # ceil(ln(2048) * 20) = 153, rounded up to even
    assert lut[0] == 2048
    assert lut[1] == math.floor(2048 * math.exp(-1 / 20))  # 1948
    assert np.all(np.diff(lut.astype(int)) <= 0)
    assert fp.stdp_lut_lookup(lut, [0, 1, 154, 1000, -1]).tolist() == [2048, 1948, 0, 0, 0]


def test_stdp_lut_round_variant():
    lut = fp.stdp_exp_lut(20.0, 1.0, "round")
    assert lut.size == 167
    assert lut[0] == 2048
    assert lut[-1] == 1 and round(2048 * math.exp(-167 / 20)) == 0
    with pytest.raises(ValueError):
        fp.stdp_exp_lut(20.0, 1.0, "ceil")


# --- LIF step in s16.15 against float64 -------------------------------------------------------------------

def _lif_parameters(n, v_thresh):
    return dict(v_rest=np.full(n, -65.0), cm=np.full(n, 1.0), tau_m=np.full(n, 20.0), tau_refrac=np.full(n, 2.0),
                tau_syn_E=np.full(n, 5.0), tau_syn_I=np.full(n, 5.0), i_offset=np.full(n, 0.125),
                v_reset=np.full(n, -70.0), v_thresh=np.full(n, v_thresh))


def _run_lif(rounding, n=300, steps=1000, v_thresh=1000.0):
    dt, shift = 1.0, 3
    p = _lif_parameters(n, v_thresh)
    c = fp.lif_constants_s1615(p, dt)
    v = fp.s1615_from_float(np.full(n, -65.0))
    ie = np.zeros(n, np.int32)
    ii = np.zeros(n, np.int32)
    rf = np.zeros(n, np.int32)
    vf, ief, iif, rff = np.full(n, -65.0), np.zeros(n), np.zeros(n), np.zeros(n, int)
    rng = np.random.default_rng(0)
    v_err, i_err, spikes_fixed, spikes_float = [], [], [], []
    for _ in range(steps):
        we = rng.poisson(0.3, n) * rng.integers(0, 3000, n)   # ring-buffer sums of stored weights
        wi = rng.poisson(0.2, n) * rng.integers(0, 3000, n)
        r = fp.lif_curr_exp_step_s1615(v, ie, ii, rf, fp.ring_buffer_to_s1615(we, shift),
                                       fp.ring_buffer_to_s1615(wi, shift), c, rounding=rounding)
        v, ie, ii, rf = r.v, r.i_exc, r.i_inh, r.refrac
        vf, ief, iif, rff, sp = fp.lif_curr_exp_step_float(vf, ief, iif, rff, we * fp.weight_lsb(shift),
                                                           wi * fp.weight_lsb(shift), p, dt)
        v_err.append(np.abs(fp.s1615_to_float(v) - vf) / LSB)
        i_err.append(max(np.abs(fp.s1615_to_float(ie) - ief).max(), np.abs(fp.s1615_to_float(ii) - iif).max()) / LSB)
        spikes_fixed.append(r.spiked)
        spikes_float.append(sp)
    return np.array(v_err), np.array(i_err), np.array(spikes_fixed), np.array(spikes_float)


def test_lif_step_s1615_agrees_with_float64_over_many_steps():
    v_err, i_err, _, _ = _run_lif("nearest")
    # synaptic currents: each tick adds at most 0.5 LSB of rounding, contracted by the decay
    assert i_err.max() <= 3.0
    # voltage: a current error of <= 3 LSB enters through R = 20 MOhm, and the membrane
    # product adds <= 0.5 LSB per tick, contracted by exp(-1/20): bound 3*20 + 0.5/(1 - e^-0.05) + 1
    bound = 3 * 20 + 0.5 / (1 - math.exp(-1 / 20)) + 1
    assert v_err.max() <= bound
    assert v_err.mean() < 10  # typically a few LSB (~1.7e-4 mV)


def test_truncation_is_less_accurate_than_rounding():
    v_near, i_near, _, _ = _run_lif("nearest", steps=500)
    v_trunc, i_trunc, _, _ = _run_lif("truncate", steps=500)
    assert i_trunc.max() > i_near.max()
    assert v_trunc.mean() > v_near.mean()


def test_lif_step_spikes_like_float64_and_holds_v_while_refractory():
    _, _, fixed, ref = _run_lif("nearest", n=100, steps=400, v_thresh=-60.0)
    assert ref.sum() > 100  # the neurons do fire
    # spike trains agree, apart from rare threshold crossings decided by a few LSB
    assert np.count_nonzero(fixed != ref) <= 0.02 * ref.sum()
    n = 1
    p = {k: v[:n] for k, v in _lif_parameters(n, -64.0).items()}
    p["i_offset"] = np.full(n, 5.0)
    c = fp.lif_constants_s1615(p, 1.0)
    assert c.refrac_ticks[0] == 2
    v = fp.s1615_from_float([-64.5])
    zero = np.zeros(n, np.int32)
    r = fp.lif_curr_exp_step_s1615(v, zero, zero, zero, zero.astype(np.int64), zero.astype(np.int64), c)
    assert r.spiked[0] and fp.s1615_to_float(r.v)[0] == -70.0 and r.refrac[0] == 2
    r2 = fp.lif_curr_exp_step_s1615(r.v, r.i_exc, r.i_inh, r.refrac, zero.astype(np.int64), zero.astype(np.int64), c)
    assert r2.v[0] == r.v[0] and r2.refrac[0] == 1 and not r2.spiked[0]


def test_input_scaling_by_init_is_an_option():
    p = {k: v[:1] for k, v in _lif_parameters(1, 1000.0).items()}
    c = fp.lif_constants_s1615(p, 1.0)
    one = fp.s1615_from_float([1.0]).astype(np.int64)
    zero32 = np.zeros(1, np.int32)
    v = fp.s1615_from_float([-65.0])
    scaled = fp.lif_curr_exp_step_s1615(v, zero32, zero32, zero32, one, np.zeros(1, np.int64), c)
    plain = fp.lif_curr_exp_step_s1615(v, zero32, zero32, zero32, one, np.zeros(1, np.int64), c,
                                       scale_input_by_init=False)
    decay = math.exp(-1 / 5)
    init = 5 * (1 - decay)
    assert abs(fp.s1615_to_float(scaled.i_exc)[0] - init * decay) < 2 * LSB
    assert abs(fp.s1615_to_float(plain.i_exc)[0] - decay) < 2 * LSB


# --- IF_cond_exp and the propagator tick (alpha / delta synapses) against float64 -------------------------

def test_lif_cond_exp_step_s1615_agrees_with_the_same_tick_in_float64():
    n, dt, steps = 200, 1.0, 600
    p = _lif_parameters(n, 1000.0)
    e_exc, e_inh = 0.0, -80.0
    c = fp.lif_constants_s1615(p, dt)
    v = fp.s1615_from_float(np.full(n, -65.0))
    ge = np.zeros(n, np.int32)
    gi = np.zeros(n, np.int32)
    rf = np.zeros(n, np.int32)
    vf, gef, gif = np.full(n, -65.0), np.zeros(n), np.zeros(n)
    init = (5.0 / dt) * -np.expm1(-dt / 5.0)
    rng = np.random.default_rng(1)
    worst = 0.0
    for _ in range(steps):
        we = rng.poisson(0.4, n) * rng.integers(0, 300, n)  # stored words, shift 0: 2**-15 uS each
        wi = rng.poisson(0.2, n) * rng.integers(0, 300, n)
        r = fp.lif_cond_exp_step_s1615(v, ge, gi, rf, fp.ring_buffer_to_s1615(we, 0), fp.ring_buffer_to_s1615(wi, 0),
                                       c, fp.s1615_from_float(np.full(n, e_exc)),
                                       fp.s1615_from_float(np.full(n, e_inh)))
        v, ge, gi, rf = r.v, r.i_exc, r.i_inh, r.refrac
        gef = gef + we * LSB * init
        gif = gif + wi * LSB * init
        alpha = (gef * (e_exc - vf) + gif * (e_inh - vf) + p["i_offset"]) * 20.0 + p["v_rest"]
        vf = alpha - np.exp(-dt / 20.0) * (alpha - vf)
        gef *= np.exp(-dt / 5.0)
        gif *= np.exp(-dt / 5.0)
        worst = max(worst, np.abs(fp.s1615_to_float(v) - vf).max() / LSB)
    assert np.ptp(vf) > 2.0  # the input moves v
    # one LSB of conductance error acts through |E - v| <= 80 mV and R = 20 MOhm; the
    # conductances stay within 2 LSB of float (as the currents above), two receptors
    assert worst <= 2 * 2 * 80 * 20


@pytest.mark.parametrize("kind", ["curr_alpha", "delta"])
def test_lif_propagator_step_s1615_follows_the_float_propagators(kind):
    n, dt, steps = 50, 0.1, 2000
    p = _lif_parameters(n, 1000.0)
    tau_m, cm, tau_s = 20.0, 1.0, 5.0
    p22 = np.exp(-dt / tau_m)
    p20 = tau_m / cm * (1 - p22)
    a = 1 / tau_s - 1 / tau_m
    k_y = p22 * (-np.expm1(-a * dt) / a) / cm
    k_x = p22 * (1 - np.exp(-a * dt) * (1 + a * dt)) / a ** 2 / cm
    rows = [np.full(n, k_y)] * 2 if kind == "curr_alpha" else [None, None]
    xrows = [np.full(n, k_x)] * 2 if kind == "curr_alpha" else [None, None]
    c = fp.lif_propagators_s1615(p, dt, kind, rows, xrows, p20)
    v = fp.s1615_from_float(np.full(n, -65.0))
    y = np.zeros((2, n), np.int32)
    x = np.zeros((2, n), np.int32)
    rf = np.zeros(n, np.int32)
    vf, yf, xf = np.full(n, -65.0), np.zeros((2, n)), np.zeros((2, n))
    decay = np.exp(-dt / tau_s)
    rng = np.random.default_rng(2)
    worst = 0.0
    for _ in range(steps):
        words = (rng.random((2, n)) < 0.02) * rng.integers(0, 20000, (2, n))
        r = fp.lif_curr_propagator_step_s1615(v, y, x, rf, words.astype(np.int64), c, kind)
        v, y, x, rf = r.v, r.y, r.x, r.refrac
        amount = words * LSB
        if kind == "curr_alpha":
            vf = p["v_rest"] + (vf - p["v_rest"]) * p22 + 0.125 * p20 + k_y * (yf[0] - yf[1]) + k_x * (xf[0] - xf[1])
            yf = (yf + dt * xf) * decay
            xf = xf * decay + amount * np.e / tau_s
        else:
            vf = p["v_rest"] + (vf - p["v_rest"]) * p22 + 0.125 * p20 + amount[0] - amount[1]
        worst = max(worst, np.abs(fp.s1615_to_float(v) - vf).max() / LSB)
    assert np.ptp(vf) > 1.0
    # rounding errors (half an LSB per product) accumulate, contracted per tick by the
    # decays: x by `decay` (decay and arrival products), y by `decay` (its own two products
    # plus dt times x's error), v by p22 (three products plus the receptor errors it sees)
    e_x = 2 * 0.5 / (1 - decay) if kind == "curr_alpha" else 0.0
    e_y = (2 * 0.5 + dt * e_x) / (1 - decay) if kind == "curr_alpha" else 0.0
    bound = (3 * 0.5 + 2 * (k_y * e_y + k_x * e_x)) / (1 - p22) + 1
    assert worst <= bound
