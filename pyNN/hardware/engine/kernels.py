"""Compiled inner loops (numba) with pure-numpy equivalents.

numba is optional: without it (or with ``PYNN_HARDWARE_NUMBA=0`` in the environment, or
``set_use_numba(False)``) the numpy versions run; both give the same results (the
system tests check it). Each compiled kernel does, for one group or one connection
block, what the generic numpy code does in several array operations.
"""

import math
import os

import numpy as np

try:  # pragma: no cover - depends on the installation
    import numba
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    numba = None
    HAVE_NUMBA = False

_use_numba = HAVE_NUMBA and os.environ.get("PYNN_HARDWARE_NUMBA", "1") not in ("0", "false", "no")


def use_numba():
    """True if the compiled kernels are used."""
    return _use_numba


def set_use_numba(flag):
    """Switch the compiled kernels on or off (off always works); returns the previous setting."""
    global _use_numba
    previous = _use_numba
    _use_numba = bool(flag) and HAVE_NUMBA
    return previous


# ---------------------------------------------------------------------------------------------
# Spike delivery: CSR rows of the spiking presynaptic cells into a ring buffer
# ---------------------------------------------------------------------------------------------

def deliver_numpy(indptr, post, weight, delay, spikes, step, buffer, receptor):
    """Add the weights of every connection of the `spikes` cells to
    ``buffer[(step + delay) % L, receptor, post]``."""
    starts = indptr[spikes]
    counts = indptr[spikes + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return
    offsets = np.cumsum(counts) - counts
    pos = np.arange(total) - np.repeat(offsets - starts, counts)
    n_slots, n_receptors, n = buffer.shape
    slot = (step + delay[pos]) % n_slots
    flat = (slot * n_receptors + receptor) * n + post[pos]
    np.add.at(buffer.reshape(-1), flat, weight[pos])


def _deliver_loop(indptr, post, weight, delay, spikes, step, buffer, receptor):
    n_slots = buffer.shape[0]
    for s in spikes:
        for j in range(indptr[s], indptr[s + 1]):
            buffer[(step + delay[j]) % n_slots, receptor, post[j]] += weight[j]


def _first_at_least(post, a, b, value):
    """First j in a..b-1 with post[j] >= value (b if none); post[a:b] is sorted."""
    while a < b:
        m = (a + b) >> 1
        if post[m] < value:
            a = m + 1
        else:
            b = m
    return a


def _deliver_range(indptr, post, weight, delay, spikes, step, buffer, receptor, lo, hi):
    """The part of _deliver_loop that goes to the target cells lo..hi-1. Every thread walks
    all the spiking rows in the same order, so each buffer element receives its weights in
    the order of the serial loop: the sums are bit for bit the same. Each row is sorted by
    target (Block), so the connections into lo..hi-1 are found by bisection: a thread
    touches only its own part of the row, and T threads together do the work of one."""
    n_slots = buffer.shape[0]
    for s in spikes:
        a = _first_at_least_c(post, indptr[s], indptr[s + 1], lo)
        b = _first_at_least_c(post, a, indptr[s + 1], hi)
        for j in range(a, b):
            buffer[(step + delay[j]) % n_slots, receptor, post[j]] += weight[j]


# ---------------------------------------------------------------------------------------------
# Fused step of the most common groups (LIF with two exponential receptors)
# ---------------------------------------------------------------------------------------------

def _lif_cond_exp_membrane(v, ref, g, half_decay, e_rev, g_leak_e, g_leak, cm, i_tot, v_reset, h, lo, hi):
    """v over one step of the LIF cells lo..hi-1 with two exponential conductances
    (mid-step values)."""
    for i in range(lo, hi):
        if ref[i] > 0:
            v[i] = v_reset[i]
            ref[i] -= 1
        else:
            ge = g[0, i] * half_decay[0, i]
            gi = g[1, i] * half_decay[1, i]
            g_tot = g_leak[i] + ge + gi
            g_e = g_leak_e[i] + ge * e_rev[0, i] + gi * e_rev[1, i]
            v_inf = (g_e + i_tot[i]) / g_tot
            v[i] = v_inf + (v[i] - v_inf) * np.exp(-h * g_tot / cm[i])


def _lif_curr_exp_membrane(v, ref, y, k_y, v_rest, p22, p20, i_tot, v_reset, lo, hi):
    """v over one step of the LIF cells lo..hi-1 with two exponential currents (exact
    propagator)."""
    for i in range(lo, hi):
        if ref[i] > 0:
            v[i] = v_reset[i]
            ref[i] -= 1
        else:
            v[i] = (v[i] - v_rest[i]) * p22[i] + v_rest[i] + i_tot[i] * p20[i] \
                + k_y[0, i] * y[0, i] + k_y[1, i] * y[1, i]


def _exp_receptors_and_fire(v, ref, y, decay, arrivals, v_reset, threshold, ref_steps, out, lo, hi):
    """Decay two exponential receptors of the cells lo..hi-1, take the arrivals (and clear
    them), fire. Returns the spike count; the spiking cells are in out[lo:lo + count]."""
    count = 0
    for i in range(lo, hi):
        y[0, i] = y[0, i] * decay[0, i] + arrivals[0, i]
        y[1, i] = y[1, i] * decay[1, i] + arrivals[1, i]
        arrivals[0, i] = 0.0
        arrivals[1, i] = 0.0
        if v[i] >= threshold[i]:
            v[i] = v_reset[i]
            ref[i] = ref_steps[i]
            out[lo + count] = i
            count += 1
    return count



# ---------------------------------------------------------------------------------------------
# RK4 models (AdExp, Hodgkin-Huxley): the whole step of every cell with its internal steps
# ---------------------------------------------------------------------------------------------
# Receptor tables (ReceptorBank.kernel_tables): kind code per receptor (KIND_CODES), tau,
# tau_rise, e_rev (R, n), sign (R,), is_cond (R,). The numpy fallback is the models' own
# vectorised code; the formulas here are the same, evaluated per cell.

KIND_CODES = {"delta": 0, "curr_exp": 1, "cond_exp": 1, "curr_alpha": 2, "cond_alpha": 2, "cond_beta": 3}


def _synaptic_current(i, v, s, codes, y, x, tau, tau_rise, e_rev, sign, is_cond):
    total = 0.0
    for k in range(codes.shape[0]):
        code = codes[k]
        if code == 0:
            continue
        if code == 1:
            g = y[k, i] * math.exp(-s / tau[k, i])
        elif code == 2:
            g = (y[k, i] + s * x[k, i]) * math.exp(-s / tau[k, i])
        else:
            g = y[k, i] * math.exp(-s / tau[k, i]) - x[k, i] * math.exp(-s / tau_rise[k, i])
        if is_cond[k]:
            total += g * (e_rev[k, i] - v)
        else:
            total += sign[k] * g
    return total


def _adex_derivatives(i, v, w, i_ext, s, frozen, crossed, threshold, g_leak, delta_t, v_t, safe_delta, exp_on,
                      v_rest, v_reset, a, tau_w, cm, codes, y, x, tau, tau_rise, e_rev, sign, is_cond):
    v_c = min(v, threshold[i])
    spike_current = g_leak[i] * delta_t[i] * math.exp((v_c - v_t[i]) / safe_delta[i]) if exp_on[i] else 0.0
    dv = 0.0
    if not frozen:
        dv = (-g_leak[i] * (v - v_rest[i]) + spike_current - w + i_ext
              + _synaptic_current_c(i, v, s, codes, y, x, tau, tau_rise, e_rev, sign, is_cond)) / cm[i]
    v_w = v_reset[i] if crossed else v  # reset at the crossing (see AdExp._derivatives)
    dw = (a[i] * (v_w - v_rest[i]) - w) / tau_w[i]
    return dv, dw


def _adex_integrate(v, w, ref, i_tot, v_reset, threshold, g_leak, delta_t, v_t, safe_delta, exp_on, v_rest, a,
                    tau_w, cm, codes, tau, tau_rise, e_rev, sign, is_cond, y, x, h, rk_steps, b, b_given, lo, hi):
    """One step of the AdExp cells lo..hi-1 (RK4 on `rk_steps` internal steps), in place;
    a cell crossing the peak gets its jump b at once (``b_given``)."""
    hs = h / rk_steps
    for i in range(lo, hi):
        refractory = ref[i] > 0
        vi = v_reset[i] if refractory else v[i]
        wi = w[i]
        crossed = False
        ie = i_tot[i]
        for j in range(rk_steps):
            frozen = refractory or crossed
            s = j * hs
            args = (threshold, g_leak, delta_t, v_t, safe_delta, exp_on, v_rest, v_reset, a, tau_w, cm,
                    codes, y, x, tau, tau_rise, e_rev, sign, is_cond)
            k1v, k1w = _adex_derivatives_c(i, vi, wi, ie, s, frozen, crossed, *args)
            k2v, k2w = _adex_derivatives_c(i, vi + 0.5 * hs * k1v, wi + 0.5 * hs * k1w, ie, s + 0.5 * hs, frozen,
                                           crossed, *args)
            k3v, k3w = _adex_derivatives_c(i, vi + 0.5 * hs * k2v, wi + 0.5 * hs * k2w, ie, s + 0.5 * hs, frozen,
                                           crossed, *args)
            k4v, k4w = _adex_derivatives_c(i, vi + hs * k3v, wi + hs * k3w, ie, s + hs, frozen, crossed, *args)
            vi = vi + hs / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
            wi = wi + hs / 6.0 * (k1w + 2 * k2w + 2 * k3w + k4w)
            if not refractory and not crossed and vi >= threshold[i]:
                crossed = True
                wi += b[i]
        v[i] = v_reset[i] if refractory else vi
        w[i] = wi
        b_given[i] = crossed
        if refractory:
            ref[i] -= 1


def _vtrap_scalar(x, k):
    r = x / k
    if abs(r) < 1e-6:
        return k * (1.0 - 0.5 * r)
    return x / math.expm1(r)


def _hh_derivatives(i, v, m, n, hg, i_ext, s, p, codes, y, x, tau, tau_rise, e_rev, sign, is_cond):
    u = v - p[0, i]
    alpha_n = 0.032 * _vtrap_c(15.0 - u, 5.0)
    beta_n = 0.5 * math.exp((10.0 - u) / 40.0)
    alpha_m = 0.32 * _vtrap_c(13.0 - u, 4.0)
    beta_m = 0.28 * _vtrap_c(u - 40.0, 5.0)
    alpha_h = 0.128 * math.exp((17.0 - u) / 18.0)
    beta_h = 4.0 / (1.0 + math.exp((40.0 - u) / 5.0))
    i_na = p[1, i] * m ** 3 * hg * (v - p[2, i])
    i_k = p[3, i] * n ** 4 * (v - p[4, i])
    i_l = p[5, i] * (v - p[6, i])
    dv = (-i_na - i_k - i_l + i_ext
          + _synaptic_current_c(i, v, s, codes, y, x, tau, tau_rise, e_rev, sign, is_cond)) / p[7, i]
    return (dv, alpha_m * (1 - m) - beta_m * m, alpha_n * (1 - n) - beta_n * n,
            alpha_h * (1 - hg) - beta_h * hg)


def _hh_integrate(v, m, n, hg, i_tot, p, codes, tau, tau_rise, e_rev, sign, is_cond, y, x, h, rk_steps, lo, hi):
    """One step of the Hodgkin-Huxley cells lo..hi-1 (RK4 on `rk_steps` internal steps), in place.
    `p` rows: v_offset, gbar_Na, e_rev_Na, gbar_K, e_rev_K, g_leak, e_rev_leak, cm."""
    hs = h / rk_steps
    for i in range(lo, hi):
        a0, a1, a2, a3 = v[i], m[i], n[i], hg[i]
        ie = i_tot[i]
        for j in range(rk_steps):
            s = j * hs
            k1 = _hh_derivatives_c(i, a0, a1, a2, a3, ie, s, p, codes, y, x, tau, tau_rise, e_rev, sign, is_cond)
            k2 = _hh_derivatives_c(i, a0 + 0.5 * hs * k1[0], a1 + 0.5 * hs * k1[1], a2 + 0.5 * hs * k1[2],
                                   a3 + 0.5 * hs * k1[3], ie, s + 0.5 * hs, p, codes, y, x, tau, tau_rise,
                                   e_rev, sign, is_cond)
            k3 = _hh_derivatives_c(i, a0 + 0.5 * hs * k2[0], a1 + 0.5 * hs * k2[1], a2 + 0.5 * hs * k2[2],
                                   a3 + 0.5 * hs * k2[3], ie, s + 0.5 * hs, p, codes, y, x, tau, tau_rise,
                                   e_rev, sign, is_cond)
            k4 = _hh_derivatives_c(i, a0 + hs * k3[0], a1 + hs * k3[1], a2 + hs * k3[2], a3 + hs * k3[3], ie,
                                   s + hs, p, codes, y, x, tau, tau_rise, e_rev, sign, is_cond)
            a0 = a0 + hs / 6.0 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
            a1 = a1 + hs / 6.0 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
            a2 = a2 + hs / 6.0 * (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2])
            a3 = a3 + hs / 6.0 * (k1[3] + 2 * k2[3] + 2 * k3[3] + k4[3])
        v[i], m[i], n[i], hg[i] = a0, a1, a2, a3



# ---------------------------------------------------------------------------------------------
# spinnaker1: one s16.15 tick of IF_curr_exp / IF_cond_exp cells in integer arithmetic
# ---------------------------------------------------------------------------------------------
# Bit for bit the tick of pyNN.hardware.fixedpoint.lif_curr_exp_step_s1615 and
# lif_cond_exp_step_s1615 for the deterministic roundings (mode 0 "nearest", 1 "truncate"),
# saturation counts included; stochastic rounding stays on the numpy path.

_I32_MIN = -(1 << 31)
_I32_MAX = (1 << 31) - 1


def _shift(x, bits, mode):
    if mode == 0:
        return (x + (1 << (bits - 1))) >> bits
    return x >> bits


def _narrow(x, saturate):
    """(int32 value as int64, 1 if out of range else 0)"""
    if x > _I32_MAX or x < _I32_MIN:
        if saturate:
            return (_I32_MAX if x > 0 else _I32_MIN), 1
        return ((x + (1 << 31)) & ((1 << 32) - 1)) - (1 << 31), 1
    return x, 0


def _lif_s1615_tick(v, syn_e, syn_i, refrac, in_e, in_i, v_rest, v_reset, v_thresh, r_membrane, exp_tc, i_offset,
                    refrac_ticks, decay_e, decay_i, init_e, init_i, e_rev_e, e_rev_i, conductance, scale_by_init,
                    mode, saturate, spiked):
    """In place; returns the number of saturation (or wrap) events."""
    n_sat = 0
    for i in range(v.shape[0]):
        a_e = in_e[i]
        a_i = in_i[i]
        if scale_by_init:
            a_e = _shift_c(min(max(a_e, _I32_MIN), _I32_MAX) * np.int64(init_e[i]), 32, mode)
            a_i = _shift_c(min(max(a_i, _I32_MIN), _I32_MAX) * np.int64(init_i[i]), 32, mode)
        ge, k = _narrow_c(np.int64(syn_e[i]) + a_e, saturate)
        n_sat += k
        gi, k = _narrow_c(np.int64(syn_i[i]) + a_i, saturate)
        n_sat += k
        vi = np.int64(v[i])
        if conductance:
            de, _ = _narrow_c(np.int64(e_rev_e[i]) - vi, saturate)
            di, _ = _narrow_c(np.int64(e_rev_i[i]) - vi, saturate)
            ie, k = _narrow_c(_shift_c(ge * de, 15, mode), saturate)
            n_sat += k
            ii, k = _narrow_c(_shift_c(gi * di, 15, mode), saturate)
            n_sat += k
            total, k = _narrow_c(ie + ii + i_offset[i], saturate)
        else:
            total, k = _narrow_c(ge - gi + i_offset[i], saturate)
        n_sat += k
        drive, k = _narrow_c(_shift_c(total * np.int64(r_membrane[i]), 15, mode), saturate)
        n_sat += k
        alpha, k = _narrow_c(drive + v_rest[i], saturate)
        n_sat += k
        diff, k = _narrow_c(alpha - vi, saturate)
        n_sat += k
        v_free, k = _narrow_c(alpha - _shift_c(diff * np.int64(exp_tc[i]), 32, mode), saturate)
        n_sat += k
        fired = False
        if refrac[i] <= 0:
            vi = v_free
            if vi >= v_thresh[i]:
                fired = True
                vi = v_reset[i]
                refrac[i] = refrac_ticks[i]
        else:
            refrac[i] -= 1
        spiked[i] = fired
        v[i] = vi
        syn_e[i] = _shift_c(ge * np.int64(decay_e[i]), 32, mode)
        syn_i[i] = _shift_c(gi * np.int64(decay_i[i]), 32, mode)
    return n_sat


if HAVE_NUMBA:  # pragma: no cover - compiled lazily on first use
    _jit = numba.njit(cache=True, nogil=True)
    deliver_compiled = _jit(_deliver_loop)
    _first_at_least_c = _jit(_first_at_least)
    deliver_range = _jit(_deliver_range)
    lif_cond_exp_membrane = _jit(_lif_cond_exp_membrane)
    lif_curr_exp_membrane = _jit(_lif_curr_exp_membrane)
    exp_receptors_and_fire = _jit(_exp_receptors_and_fire)
    # inner functions first: the outer kernels call them by these global names
    _synaptic_current_c = _jit(_synaptic_current)
    _adex_derivatives_c = _jit(_adex_derivatives)
    _vtrap_c = _jit(_vtrap_scalar)
    _hh_derivatives_c = _jit(_hh_derivatives)
    adex_integrate = _jit(_adex_integrate)
    hh_integrate = _jit(_hh_integrate)
    _shift_c = _jit(_shift)
    _narrow_c = _jit(_narrow)
    lif_s1615_tick = _jit(_lif_s1615_tick)
else:  # pragma: no cover
    deliver_compiled = deliver_range = None
    lif_cond_exp_membrane = lif_curr_exp_membrane = exp_receptors_and_fire = None
    adex_integrate = hh_integrate = lif_s1615_tick = None


def deliver(indptr, post, weight, delay, spikes, step, buffer, receptor):
    """Spike delivery with the compiled loop if enabled, numpy otherwise."""
    if _use_numba:
        deliver_compiled(indptr, post, weight, delay, spikes, step, buffer, receptor)
    else:
        deliver_numpy(indptr, post, weight, delay, spikes, step, buffer, receptor)
