"""Fixed-point arithmetic of SpiNNaker 1 (s16.15 and u0.32), vectorised with numpy; every
fixed-point constant of the backend is defined here.

Formats (sPyNNaker ``maths-util.h``):

- **s16.15** (``accum``, the type of every state variable): int32, value = raw / 2**15,
  range [-65536, 65536 - 2**-15], LSB 2**-15 ~ 3.05e-5.
- **u0.32** (``unsigned long fract``, decay factors): uint32, value = raw / 2**32, range
  [0, 1 - 2**-32].

Products are formed exactly in int64 and brought back to 32 bits with a selectable
rounding (``"nearest"``: half up; ``"truncate"``: drop the low bits, i.e. round towards
minus infinity as an arithmetic shift does; ``"stochastic"``: add a uniform random
fraction before dropping bits) and with saturation or two's complement wrap-around on
overflow.

Also here: the host-side weight-shift rule and 16-bit weight quantisation, the STDP
exponential look-up tables, and :func:`lif_curr_exp_step_s1615`, one vectorised timer tick
of the LIF neuron with exponential current synapses.
"""

import math
from typing import NamedTuple

import numpy as np

from pyNN import errors

S1615_FRAC_BITS = 15
S1615_ONE = 1 << S1615_FRAC_BITS
S1615_LSB = 2.0 ** -S1615_FRAC_BITS
INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1
S1615_MAX = INT32_MAX / S1615_ONE
S1615_MIN = INT32_MIN / S1615_ONE
U032_FRAC_BITS = 32
U032_MAX = (1 << 32) - 1

ROUNDING_MODES = ("nearest", "truncate", "stochastic")


def _check_rounding(rounding, rng):
    if rounding not in ROUNDING_MODES:
        raise errors.InvalidParameterValueError(
            f"rounding must be one of {', '.join(ROUNDING_MODES)}, not {rounding!r}")
    if rounding == "stochastic" and rng is None:
        raise errors.InvalidParameterValueError("stochastic rounding needs a numpy Generator (rng=...)")


def round_scaled(scaled, rounding="nearest", rng=None):
    """Round float64 values (already in units of the target LSB) to integers, as float64.

    ``"nearest"``: halves up; ``"truncate"``: floor; ``"stochastic"``: up with probability
    equal to the fractional part.
    """
    _check_rounding(rounding, rng)
    scaled = np.asarray(scaled, dtype=np.float64)
    if rounding == "nearest":
        return np.floor(scaled + 0.5)
    if rounding == "truncate":
        return np.floor(scaled)
    return np.floor(scaled + rng.random(scaled.shape))


def shift_round(x, bits, rounding="nearest", rng=None):
    """Divide the int64 array `x` by ``2**bits``, rounding as requested (result int64).

    ``"nearest"`` rounds exact halves up (towards +inf), ``"truncate"`` floors (an
    arithmetic right shift), ``"stochastic"`` rounds up with probability equal to the
    dropped fraction.
    """
    _check_rounding(rounding, rng)
    x = np.asarray(x, dtype=np.int64)
    if bits == 0:
        return x.copy()
    if rounding == "nearest":
        return (x + (np.int64(1) << np.int64(bits - 1))) >> np.int64(bits)
    if rounding == "truncate":
        return x >> np.int64(bits)
    noise = rng.integers(0, 1 << bits, size=x.shape, dtype=np.int64)
    return (x + noise) >> np.int64(bits)


def narrow_int32(x, saturate=True):
    """Bring the int64 array `x` into int32.

    Returns
    -------
    (ndarray of int32, int)
        The narrowed values (saturated at the int32 limits, or wrapped around in two's
        complement) and the number of values that were out of range.
    """
    x = np.asarray(x, dtype=np.int64)
    over = (x > INT32_MAX) | (x < INT32_MIN)
    n_over = int(np.count_nonzero(over))
    if saturate:
        return np.clip(x, INT32_MIN, INT32_MAX).astype(np.int32), n_over
    return x.astype(np.int32), n_over  # numpy's int64 -> int32 cast keeps the low 32 bits


def s1615_from_float(x, rounding="nearest", saturate=True, rng=None):
    """Convert floats to s16.15 raw values (int32)."""
    raw = round_scaled(np.asarray(x, dtype=np.float64) * S1615_ONE, rounding, rng)
    raw = np.clip(raw, -2.0 ** 62, 2.0 ** 62).astype(np.int64)
    return narrow_int32(raw, saturate)[0]


def s1615_to_float(raw):
    """Convert s16.15 raw values to float64."""
    return np.asarray(raw, dtype=np.float64) / S1615_ONE


def u032_from_float(f, rounding="nearest"):
    """Convert fractions in [0, 1] to u0.32 raw values (uint32, 1.0 saturates to 1 - 2**-32)."""
    scaled = np.asarray(f, dtype=np.float64) * 2.0 ** 32
    raw = np.floor(scaled + 0.5) if rounding == "nearest" else np.floor(scaled)
    return np.clip(raw, 0, U032_MAX).astype(np.uint32)


def u032_to_float(raw):
    """Convert u0.32 raw values to float64."""
    return np.asarray(raw, dtype=np.float64) / 2.0 ** 32


def decay_u032(tau, dt):
    """The per-tick decay ``exp(-dt/tau)`` as u0.32 (tau = inf gives the largest fraction, tau <= 0 gives 0)."""
    tau = np.asarray(tau, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(tau > 0, np.exp(-dt / np.where(tau > 0, tau, 1.0)), 0.0)
    return u032_from_float(value)


def init_u032(tau, dt):
    """The synaptic input scale ``(tau/dt) * (1 - exp(-dt/tau))`` as u0.32 (sPyNNaker's ``init``)."""
    tau = np.asarray(tau, dtype=np.float64)
    safe = np.where(tau > 0, tau, 1.0)
    value = np.where(tau > 0, (safe / dt) * -np.expm1(-dt / safe), 0.0)
    return u032_from_float(value)


def mul_accum_fract(a, f, rounding="nearest", rng=None):
    """Multiply s16.15 values `a` (int32) by u0.32 fractions `f` (uint32); result s16.15 int32.

    The product is exact in int64 (|a| <= 2**31, f < 2**32, so |a*f| < 2**63) and then
    shifted right by 32 bits with the requested rounding. Because f < 1 the result always
    fits in int32.
    """
    prod = np.asarray(a, dtype=np.int64) * np.asarray(f, dtype=np.uint32).astype(np.int64)
    return shift_round(prod, U032_FRAC_BITS, rounding, rng).astype(np.int32)


def mul_accum(a, b, rounding="nearest", saturate=True, rng=None):
    """Multiply two s16.15 arrays; result s16.15 int32 and the number of overflows."""
    prod = np.asarray(a, dtype=np.int64) * np.asarray(b, dtype=np.int64)
    return narrow_int32(shift_round(prod, S1615_FRAC_BITS, rounding, rng), saturate)


def add_accum(a, b, saturate=True):
    """Add two s16.15 arrays with saturation (or wrap-around); returns (sum int32, n_overflows)."""
    return narrow_int32(np.asarray(a, dtype=np.int64) + np.asarray(b, dtype=np.int64), saturate)


# --- weights -------------------------------------------------------------------------------

class IncomingStats(NamedTuple):
    """What the shift rule needs to know about one projection onto a (post population, synapse type).

    Attributes
    ----------
    weights : ndarray
        Weight magnitudes (nA or uS) of the projection.
    max_in_degree : int
        Largest number of connections of this projection onto one postsynaptic neuron.
    rate : float or None
        Largest firing rate of the sources (Hz) if known, else None (then the
        profile's ``spikes_per_second`` is used).
    delays_equal : bool
        Whether every connection of the projection has the same delay.
    w_max : float, optional
        Largest weight the projection can reach (plastic synapses: the weight
        dependence's w_max, as sPyNNaker's ``get_weight_maximum``); default: the largest
        of `weights`.
    """

    weights: np.ndarray
    max_in_degree: int
    rate: float | None
    delays_equal: bool
    w_max: float | None = None


def summed_weight_bound(incoming, dt, spikes_per_second=30.0, ring_buffer_sigma=5.0):
    """The largest summed input per tick that one synapse type is expected to receive.

    Follows sPyNNaker's host rule (``_get_ring_buffer_to_input_left_shifts``):

    - total = sum over projections of max(1, rate*dt) * w_max * max_in_degree, the
      worst case if every source fires in the same tick;
    - if every projection has a single delay value, the bound is max(total, biggest weight);
    - otherwise it is min(mean + sigma * SD, total), then at least the biggest weight,
      where mean and SD describe the summed input of a compound Poisson process: the
      number of spikes per tick is Poisson with lambda = sum(n_in * rate * dt) and each
      spike carries an independent draw from the pooled weight distribution, so
      mean = lambda * mu and variance = lambda * (mu**2 + sigma_w**2). (sPyNNaker writes
      the weight-variance part with truncated incomplete-gamma sums; this closed form is
      the untruncated limit.)

    Parameters
    ----------
    incoming : list of IncomingStats
    dt : float
        Time step in ms.
    spikes_per_second, ring_buffer_sigma : float
        Profile defaults (sPyNNaker ``spynnaker.cfg``: 30 Hz, 5).
    """
    if not incoming:
        return 0.0
    ticks_per_second = 1000.0 / dt
    total = 0.0
    biggest = 0.0
    lam = 0.0
    sum_w = 0.0
    sum_w2 = 0.0
    n_items = 0
    all_equal = True
    for item in incoming:
        w = np.abs(np.asarray(item.weights, dtype=np.float64))
        if w.size == 0:
            continue
        rate = spikes_per_second if item.rate is None else float(item.rate)
        spikes_per_tick = max(1.0, rate / ticks_per_second)
        w_max = max(float(w.max()), float(item.w_max or 0.0))
        total += spikes_per_tick * w_max * item.max_in_degree
        biggest = max(biggest, w_max)
        # pooled moments, each projection weighted by its in-degree as sPyNNaker's running stats do
        n = item.max_in_degree
        sum_w += n * float(w.mean())
        sum_w2 += n * (float(w.var()) + float(w.mean()) ** 2)
        n_items += n
        lam += n * rate / ticks_per_second
        all_equal = all_equal and item.delays_equal
    if n_items == 0:
        return 0.0
    if all_equal:
        return max(total, biggest)
    mu = sum_w / n_items
    second_moment = sum_w2 / n_items  # E[w**2] = mu**2 + var
    bound = lam * mu + ring_buffer_sigma * math.sqrt(lam * second_moment)
    return max(min(bound, total), biggest)


def shift_for_summed_weight(w_max, signed=False):
    """The left shift s for a largest expected summed input `w_max` (sPyNNaker rule).

    s = max(0, ceil(log2 w_max)); one more if 2**s <= w_max (the representable range
    stops just below 2**s); one more again if the weights are signed.
    """
    s = 0 if w_max <= 0 else max(0, math.ceil(math.log2(w_max)))
    if w_max > 0 and 2.0 ** s <= w_max:
        s += 1
    if signed:
        s += 1
    return int(s)


def weight_shift(incoming, dt, spikes_per_second=30.0, ring_buffer_sigma=5.0, signed=False,
                 max_expected_summed_weight=None):
    """The weight shift s for one (post population, synapse type).

    Parameters
    ----------
    incoming : list of IncomingStats
        The projections onto that synapse type of that population.
    dt : float
        Time step (ms).
    spikes_per_second, ring_buffer_sigma : float
        Profile settings of the shift rule.
    signed : bool
        Whether the synapse dynamics use signed weights (adds one bit).
    max_expected_summed_weight : float, optional
        Overrides the automatic bound (sPyNNaker PR #1458).

    Returns
    -------
    (int, float)
        The shift s and the summed-weight bound it was computed from.
    """
    if max_expected_summed_weight is not None:
        bound = float(max_expected_summed_weight)
    else:
        bound = summed_weight_bound(incoming, dt, spikes_per_second, ring_buffer_sigma)
    return shift_for_summed_weight(bound, signed), bound


def weight_lsb(shift):
    """The value (nA or uS) of one unit of a 16-bit weight stored with shift `shift`: 2**(s-15)."""
    return 2.0 ** (shift - S1615_FRAC_BITS)


def quantise_weights(weights, shift, bits=16, rounding="nearest", rng=None):
    """Store weight magnitudes as `bits`-bit integers for shift `shift` (w_int = round(|w| * 2**(15-s))).

    Returns
    -------
    (ndarray of int64, ndarray of float64, ndarray of bool)
        The stored integers (clipped to 2**bits - 1), the weights they represent
        (w_int * 2**(s-15)) and a mask of the weights that did not fit and were clipped.
    """
    stored = round_scaled(np.abs(np.asarray(weights, dtype=np.float64)) / weight_lsb(shift), rounding, rng)
    top = (1 << bits) - 1
    clipped = stored > top
    stored = np.minimum(stored, top).astype(np.int64)
    return stored, stored * weight_lsb(shift), clipped


def ring_buffer_to_s1615(entries, shift):
    """Turn ring-buffer sums of stored weights into s16.15 input (entries << shift, as int64)."""
    return np.asarray(entries, dtype=np.int64) << np.int64(shift)


def ring_buffer_add(buffer, index, values, bits=16, saturate=True):
    """Add stored weights into a ring buffer in place, with saturation at ``2**bits - 1``.

    Parameters
    ----------
    buffer : ndarray of int64
        Flat buffer of entries.
    index : ndarray of int
        Flat position of each value (repeated positions are summed).
    values : ndarray of int
        The stored weights to add.

    Returns
    -------
    int
        The number of entries that saturated (or wrapped) in this call.
    """
    top = (1 << bits) - 1
    np.add.at(buffer, index, np.asarray(values, dtype=np.int64))
    n = int(np.count_nonzero(buffer > top))
    if saturate:
        np.minimum(buffer, top, out=buffer)
    else:
        np.bitwise_and(buffer, top, out=buffer)
    return n


# --- STDP look-up tables ---------------------------------------------------------------------

def stdp_exp_lut(tau, dt, variant="floor", one=2048):
    """Exponential look-up table for STDP traces, as sPyNNaker generates them.

    Parameters
    ----------
    tau, dt : float
        Time constant and time step (ms).
    variant : {"floor", "round"}
        ``"floor"``: floor(exp(-k*dt/tau) * one) for k < ceil(ln(one) * tau/dt), the length
        rounded up to an even number; ``"round"``: round(exp(-k*dt/tau) * one) for every k
        before the first value that rounds to 0.
    one : int
        The fixed-point one (``STDP_FIXED_POINT_ONE`` = 2048).

    Returns
    -------
    ndarray of uint16
        Entries beyond the end of the table are taken as 0.
    """
    if tau <= 0 or dt <= 0:
        raise errors.InvalidParameterValueError(f"STDP LUT needs tau > 0 and dt > 0 (got tau={tau}, dt={dt})")
    if variant == "floor":
        n = math.ceil(math.log(one) * tau / dt)
        n += n % 2
        k = np.arange(n)
        return np.floor(np.exp(-k * dt / tau) * one).astype(np.uint16)
    if variant == "round":
        # round(x) == 0 once exp(-k dt/tau) * one < 0.5
        n = math.floor(tau / dt * math.log(2 * one)) + 1
        k = np.arange(n)
        values = np.floor(np.exp(-k * dt / tau) * one + 0.5)
        return values[values > 0].astype(np.uint16)
    raise errors.InvalidParameterValueError(f"STDP LUT variant must be 'floor' or 'round', not {variant!r}")


def stdp_lut_lookup(lut, dt_ticks):
    """Look up LUT values for time differences in ticks (0 beyond the end or for negative ticks)."""
    dt_ticks = np.asarray(dt_ticks, dtype=np.int64)
    inside = (dt_ticks >= 0) & (dt_ticks < lut.size)
    out = np.zeros(dt_ticks.shape, dtype=np.int64)
    out[inside] = lut[dt_ticks[inside]]
    return out


# --- LIF with exponential current synapses -----------------------------------------------------

class LIFConstantsS1615(NamedTuple):
    """Per-neuron constants of :func:`lif_curr_exp_step_s1615`, precomputed on the host.

    Voltages and currents are s16.15 (int32), decays and input scales u0.32 (uint32).
    """

    v_rest: np.ndarray
    v_reset: np.ndarray
    v_thresh: np.ndarray
    r_membrane: np.ndarray      # tau_m / cm (MOhm), s16.15
    exp_tc: np.ndarray          # exp(-dt/tau_m), u0.32
    i_offset: np.ndarray
    refrac_ticks: np.ndarray    # ceil(tau_refrac / dt), int32
    decay_exc: np.ndarray
    decay_inh: np.ndarray
    init_exc: np.ndarray
    init_inh: np.ndarray


def lif_constants_s1615(parameters, dt, rounding="nearest"):
    """Quantise the standard IF_curr_exp parameters (dict of arrays, standard units) for one tick `dt`.

    Missing tau_syn_E/I (e.g. for IF_curr_delta) give a decay of 0.
    """
    p = {k: np.asarray(v, dtype=np.float64) for k, v in parameters.items()}

    def fx(x):
        return s1615_from_float(x, rounding)

    size = np.broadcast(*p.values()).shape if p else ()
    zeros = np.zeros(size)
    tau_e = p.get("tau_syn_E", zeros)
    tau_i = p.get("tau_syn_I", zeros)
    return LIFConstantsS1615(
        v_rest=fx(p["v_rest"]), v_reset=fx(p["v_reset"]), v_thresh=fx(p["v_thresh"]),
        r_membrane=fx(p["tau_m"] / p["cm"]), exp_tc=decay_u032(p["tau_m"], dt),
        i_offset=fx(p.get("i_offset", zeros)),
        # a tiny tolerance so that 2.0/0.1 counts as 20 ticks, not 21
        refrac_ticks=np.ceil(p.get("tau_refrac", zeros) / dt - 1e-9).astype(np.int32),
        decay_exc=decay_u032(tau_e, dt), decay_inh=decay_u032(tau_i, dt),
        init_exc=init_u032(tau_e, dt), init_inh=init_u032(tau_i, dt))


class LIFStepResult(NamedTuple):
    v: np.ndarray
    i_exc: np.ndarray
    i_inh: np.ndarray
    refrac: np.ndarray
    spiked: np.ndarray
    n_saturated: int


def _closed_form_tick(v, refrac, total, c, rounding, saturate, rng):
    """Membrane part of a LIF tick in s16.15: closed-form update with the input current
    `total` held over the tick (unless refractory: v kept, timer counted down), then the
    threshold test and reset. Returns (v, refrac, spiked, n_saturated)."""
    n_sat = 0
    drive, k = mul_accum(total, c.r_membrane, rounding, saturate, rng)
    n_sat += k
    alpha, k = add_accum(drive, c.v_rest, saturate)
    n_sat += k
    diff, k = narrow_int32(alpha.astype(np.int64) - v, saturate)
    n_sat += k
    v_free, k = narrow_int32(alpha.astype(np.int64) - mul_accum_fract(diff, c.exp_tc, rounding, rng), saturate)
    n_sat += k
    active = refrac <= 0
    v_new = np.where(active, v_free, v).astype(np.int32)
    refrac_new = np.where(active, refrac, refrac - 1).astype(np.int32)
    spiked = active & (v_new >= c.v_thresh)
    v_new = np.where(spiked, c.v_reset, v_new).astype(np.int32)
    refrac_new = np.where(spiked, c.refrac_ticks, refrac_new).astype(np.int32)
    return v_new, refrac_new, spiked, n_sat


def _add_input(i_syn, raw_input, init, scale_input_by_init, rounding, saturate, rng):
    """``I += input`` (times ``init`` if `scale_input_by_init`); returns (I, n_saturated)."""
    if scale_input_by_init:
        raw_input = mul_accum_fract(np.clip(raw_input, INT32_MIN, INT32_MAX), init, rounding, rng)
    return add_accum(i_syn, raw_input, saturate)


def lif_curr_exp_step_s1615(v, i_exc, i_inh, refrac, exc_input, inh_input, c, *, rounding="nearest",
                            saturate=True, scale_input_by_init=True, rng=None):
    """One timer tick of the LIF neuron with exponential current synapses in s16.15.

    The order within a tick follows sPyNNaker's neuron loop:

    1. the tick's ring-buffer input is added to each synaptic current
       (``I += input * init`` if `scale_input_by_init`, else ``I += input``);
    2. a neuron that is not refractory integrates in closed form,
       ``alpha = (I_exc - I_inh + i_offset) * R + v_rest``, ``v = alpha - exp_tc * (alpha - v)``;
       a refractory neuron keeps v and counts its timer down;
    3. a non-refractory neuron with ``v >= v_thresh`` spikes: v = v_reset and the timer is
       set to ``refrac_ticks``;
    4. the synaptic currents decay, ``I *= decay``.

    Parameters
    ----------
    v, i_exc, i_inh : ndarray of int32
        State in s16.15 (mV, nA, nA). Not modified; new arrays are returned.
    refrac : ndarray of int32
        Remaining refractory ticks.
    exc_input, inh_input : ndarray of int64
        This tick's synaptic input in s16.15 (see :func:`ring_buffer_to_s1615`), magnitudes.
    c : LIFConstantsS1615
        From :func:`lif_constants_s1615`.
    rounding : {"nearest", "truncate", "stochastic"}
        Rounding of every accum x fract and accum x accum product.
    saturate : bool
        Saturate on overflow (True) or wrap around.
    scale_input_by_init : bool
        Whether input is scaled by ``init`` when added (profile option; sPyNNaker's
        ``add_input`` does this, not verified).
    rng : numpy.random.Generator, optional
        Needed for stochastic rounding.

    Returns
    -------
    LIFStepResult
        New (v, i_exc, i_inh, refrac), the boolean spike mask and the number of
        saturation (or wrap) events in this tick.
    """
    i_exc, n_exc = _add_input(i_exc, exc_input, c.init_exc, scale_input_by_init, rounding, saturate, rng)
    i_inh, n_inh = _add_input(i_inh, inh_input, c.init_inh, scale_input_by_init, rounding, saturate, rng)
    n_sat = n_exc + n_inh

    total, k = narrow_int32(i_exc.astype(np.int64) - i_inh + c.i_offset, saturate)
    n_sat += k
    v_new, refrac_new, spiked, k = _closed_form_tick(v, refrac, total, c, rounding, saturate, rng)
    n_sat += k

    i_exc = mul_accum_fract(i_exc, c.decay_exc, rounding, rng)
    i_inh = mul_accum_fract(i_inh, c.decay_inh, rounding, rng)
    return LIFStepResult(v_new, i_exc, i_inh, refrac_new, spiked, n_sat)


def lif_curr_exp_step_float(v, i_exc, i_inh, refrac, exc_input, inh_input, parameters, dt,
                            scale_input_by_init=True):
    """The same tick as :func:`lif_curr_exp_step_s1615` in float64 (the reference for tests).

    `exc_input`/`inh_input` are in nA; `parameters` is a dict of standard parameter arrays.
    Returns (v, i_exc, i_inh, refrac, spiked).
    """
    p = parameters
    dec_e = np.exp(-dt / p["tau_syn_E"])
    dec_i = np.exp(-dt / p["tau_syn_I"])
    if scale_input_by_init:
        exc_input = exc_input * (p["tau_syn_E"] / dt) * (1 - dec_e)
        inh_input = inh_input * (p["tau_syn_I"] / dt) * (1 - dec_i)
    i_exc = i_exc + exc_input
    i_inh = i_inh + inh_input
    alpha = (i_exc - i_inh + p["i_offset"]) * (p["tau_m"] / p["cm"]) + p["v_rest"]
    v_free = alpha - np.exp(-dt / p["tau_m"]) * (alpha - v)
    active = refrac <= 0
    v_new = np.where(active, v_free, v)
    refrac_new = np.where(active, refrac, refrac - 1)
    spiked = active & (v_new >= p["v_thresh"])
    v_new = np.where(spiked, p["v_reset"], v_new)
    refrac_new = np.where(spiked, np.ceil(p["tau_refrac"] / dt - 1e-9).astype(int), refrac_new)
    return v_new, i_exc * dec_e, i_inh * dec_i, refrac_new, spiked


def lif_cond_exp_step_s1615(v, g_exc, g_inh, refrac, exc_input, inh_input, c, e_rev_exc, e_rev_inh, *,
                            rounding="nearest", saturate=True, scale_input_by_init=True, rng=None):
    """One timer tick of the LIF neuron with exponential conductance synapses in s16.15.

    As :func:`lif_curr_exp_step_s1615`, with sPyNNaker's conductance input type: the
    conductances (uS, s16.15) receive the tick's input first, the membrane then sees the
    current ``g_exc (e_rev_exc - v) + g_inh (e_rev_inh - v) + i_offset`` (v of the start
    of the tick, held over the tick), and the conductances decay last.

    Parameters
    ----------
    g_exc, g_inh : ndarray of int32
        Conductances in s16.15 (uS).
    e_rev_exc, e_rev_inh : ndarray of int32
        Reversal potentials in s16.15 (mV).
    Other parameters as :func:`lif_curr_exp_step_s1615`.

    Returns
    -------
    LIFStepResult
        With the new conductances in the ``i_exc``/``i_inh`` fields.
    """
    g_exc, n_exc = _add_input(g_exc, exc_input, c.init_exc, scale_input_by_init, rounding, saturate, rng)
    g_inh, n_inh = _add_input(g_inh, inh_input, c.init_inh, scale_input_by_init, rounding, saturate, rng)
    n_sat = n_exc + n_inh
    v64 = v.astype(np.int64)
    i_e, k1 = mul_accum(g_exc, narrow_int32(e_rev_exc - v64, saturate)[0], rounding, saturate, rng)
    i_i, k2 = mul_accum(g_inh, narrow_int32(e_rev_inh - v64, saturate)[0], rounding, saturate, rng)
    total, k3 = narrow_int32(i_e.astype(np.int64) + i_i + c.i_offset, saturate)
    v_new, refrac_new, spiked, k4 = _closed_form_tick(v, refrac, total, c, rounding, saturate, rng)
    g_exc = mul_accum_fract(g_exc, c.decay_exc, rounding, rng)
    g_inh = mul_accum_fract(g_inh, c.decay_inh, rounding, rng)
    return LIFStepResult(v_new, g_exc, g_inh, refrac_new, spiked, n_sat + k1 + k2 + k3 + k4)


class LIFPropagatorsS1615(NamedTuple):
    """Per-neuron constants of :func:`lif_curr_propagator_step_s1615` (s16.15 unless noted).

    ``p22`` (u0.32) is the membrane decay exp(-dt/tau_m); ``drive`` the change of v over
    one tick caused by i_offset, ``i_offset * tau_m/cm * (1 - p22)``, quantised once from
    the float product on the host; ``k_y``/``k_x`` (shape (2, n): excitatory, inhibitory)
    the effect on v of one unit of receptor state over one tick; ``decay`` (u0.32, (2, n))
    and ``gain`` (e/tau for alpha receptors, (2, n)) the receptor propagation and arrival.
    ``k_y``, ``k_x`` and ``gain`` are int64 with PROPAGATOR_FRAC_BITS (24) fraction bits:
    these factors are often far below 1 (k_x ~ dt**2/(2 cm)), where s16.15 would lose
    several significant digits; below 128 their products with s16.15 state fit int64."""

    v_rest: np.ndarray
    v_reset: np.ndarray
    v_thresh: np.ndarray
    p22: np.ndarray
    drive: np.ndarray
    refrac_ticks: np.ndarray
    k_y: np.ndarray
    k_x: np.ndarray
    decay: np.ndarray
    gain: np.ndarray
    dt: int


PROPAGATOR_FRAC_BITS = 24


def _propagator_from_float(x, rounding):
    raw = round_scaled(np.asarray(x, dtype=np.float64) * 2.0 ** PROPAGATOR_FRAC_BITS, rounding)
    return np.clip(raw, 0, INT32_MAX).astype(np.int64)


def _mul_propagator(k, a, rounding, saturate, rng):
    """s16.15 `a` times a propagator `k` (PROPAGATOR_FRAC_BITS); (int32, n_overflow)."""
    prod = np.asarray(k, dtype=np.int64) * np.asarray(a, dtype=np.int64)
    return narrow_int32(shift_round(prod, PROPAGATOR_FRAC_BITS, rounding, rng), saturate)


def lif_propagators_s1615(parameters, dt, kind, k_y, k_x, drive_per_na, rounding="nearest"):
    """Quantise the exact-integration propagators of a current-based LIF (`kind` "curr_alpha"
    or "delta") for one tick `dt`; `k_y`, `k_x` (shape (2, n), mV per nA and mV per nA/ms,
    None rows for none) and `drive_per_na` (mV per nA of constant current, tau_m/cm (1 -
    p22)) come from the float engine's propagators."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in parameters.items()}
    n = np.asarray(p["v_rest"]).size
    zeros = np.zeros((2, n))

    def rows(values):
        return np.array([zeros[0] if r is None else np.broadcast_to(r, (n,)) for r in values], float)

    if kind == "curr_alpha":
        tau = np.array([np.broadcast_to(p["tau_syn_E"], (n,)), np.broadcast_to(p["tau_syn_I"], (n,))])
        decay, gain = decay_u032(tau, dt), _propagator_from_float(np.e / tau, rounding)
    else:
        decay, gain = u032_from_float(zeros), _propagator_from_float(zeros, rounding)
    return LIFPropagatorsS1615(
        v_rest=s1615_from_float(p["v_rest"], rounding), v_reset=s1615_from_float(p["v_reset"], rounding),
        v_thresh=s1615_from_float(p["v_thresh"], rounding), p22=decay_u032(p["tau_m"], dt),
        drive=s1615_from_float(p.get("i_offset", zeros[0]) * drive_per_na, rounding),
        refrac_ticks=np.ceil(p.get("tau_refrac", zeros[0]) / dt - 1e-9).astype(np.int32),
        k_y=_propagator_from_float(rows(k_y), rounding), k_x=_propagator_from_float(rows(k_x), rounding),
        decay=decay, gain=gain, dt=int(s1615_from_float(dt, rounding)))


class LIFPropagatorStepResult(NamedTuple):
    v: np.ndarray
    y: np.ndarray
    x: np.ndarray
    refrac: np.ndarray
    spiked: np.ndarray
    n_saturated: int


def lif_curr_propagator_step_s1615(v, y, x, refrac, inputs, c, kind, *, rounding="nearest", saturate=True,
                                   rng=None):
    """One tick of a current-based LIF with alpha or delta synapses in s16.15, by the
    exact propagators of the ``ideal`` engine evaluated in integer arithmetic (the
    engine's order: membrane over the tick with the receptor state of its start, receptor
    propagation, arrival of the tick's input, threshold).

    - ``v = v_rest + (v - v_rest) p22 + drive + sum_r sign_r (k_y[r] y[r] + k_x[r] x[r])``,
      or v held at v_reset while refractory (the timer counts down);
    - alpha receptors: ``y = (y + dt x) decay``, ``x = x decay``, arrival ``x += input e/tau``;
    - delta receptors: arrival ``v += input`` (excitatory) / ``-= input`` (inhibitory),
      ignored while refractory (as NEST and the ``ideal`` engine);
    - threshold -> v_reset and ``refrac_ticks`` (ceil(tau_refrac/dt)).

    Parameters
    ----------
    v : ndarray of int32
    y, x : ndarray of int32, shape (2, n)
        Receptor state (excitatory, inhibitory magnitudes), s16.15 nA and nA/ms.
    refrac : ndarray of int32
    inputs : ndarray of int64, shape (2, n)
        This tick's input magnitudes (s16.15 nA for alpha, mV for delta).
    c : LIFPropagatorsS1615
    kind : {"curr_alpha", "delta"}

    Returns
    -------
    LIFPropagatorStepResult
    """
    n_sat = 0
    v64 = v.astype(np.int64)
    acc = c.v_rest.astype(np.int64) + mul_accum_fract(narrow_int32(v64 - c.v_rest, saturate)[0], c.p22,
                                                      rounding, rng) + c.drive
    if kind == "curr_alpha":
        for r, sign in ((0, 1), (1, -1)):
            acc += sign * (_mul_propagator(c.k_y[r], y[r], rounding, saturate, rng)[0].astype(np.int64)
                           + _mul_propagator(c.k_x[r], x[r], rounding, saturate, rng)[0])
    v_free, k = narrow_int32(acc, saturate)
    n_sat += k
    refractory = refrac > 0
    v_new = np.where(refractory, c.v_reset, v_free).astype(np.int32)
    refrac_new = np.where(refractory, refrac - 1, refrac).astype(np.int32)
    if kind == "curr_alpha":
        y, x, k = _alpha_receptor_tick(y, x, inputs, c, rounding, saturate, rng)
        n_sat += k
    else:
        jump = np.where(refrac_new == 0, inputs[0] - inputs[1], 0)
        v_new, k = narrow_int32(v_new.astype(np.int64) + jump, saturate)
        n_sat += k
    spiked = v_new >= c.v_thresh
    v_new = np.where(spiked, c.v_reset, v_new).astype(np.int32)
    refrac_new = np.where(spiked, c.refrac_ticks, refrac_new).astype(np.int32)
    return LIFPropagatorStepResult(v_new, y, x, refrac_new, spiked, n_sat)


def _alpha_receptor_tick(y, x, inputs, c, rounding, saturate, rng):
    """Alpha receptors over one tick: ``y = (y + dt x) decay``, ``x = x decay``, then the
    arrival ``x += input e/tau``; returns (y, x, n_saturated)."""
    n_sat = 0
    step, k = mul_accum(x, np.int32(c.dt), rounding, saturate, rng)
    n_sat += k
    y_sum, k = add_accum(y, step, saturate)
    n_sat += k
    y = mul_accum_fract(y_sum, c.decay, rounding, rng)
    x = mul_accum_fract(x, c.decay, rounding, rng)
    gained, k = _mul_propagator(c.gain, np.clip(inputs, INT32_MIN, INT32_MAX), rounding, saturate, rng)
    n_sat += k
    x, k = add_accum(x, gained, saturate)
    return y, x, n_sat + k
