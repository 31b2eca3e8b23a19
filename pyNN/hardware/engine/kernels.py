"""Compiled inner loops (numba) with pure-numpy equivalents.

numba is optional: without it (or with ``PYNN_HARDWARE_NUMBA=0`` in the environment, or
``set_use_numba(False)``) the numpy versions run; both give the same results (the
system tests check it). Each compiled kernel does, for one group or one connection
block, what the generic numpy code does in several array operations.
"""

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


# ---------------------------------------------------------------------------------------------
# Fused step of the most common groups (LIF with two exponential receptors)
# ---------------------------------------------------------------------------------------------

def _lif_cond_exp_membrane(v, ref, g, half_decay, e_rev, g_leak_e, g_leak, cm, i_tot, v_reset, h):
    """v over one step of LIF cells with two exponential conductances (mid-step values)."""
    for i in range(v.shape[0]):
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


def _lif_curr_exp_membrane(v, ref, y, k_y, v_rest, p22, p20, i_tot, v_reset):
    """v over one step of LIF cells with two exponential currents (exact propagator)."""
    for i in range(v.shape[0]):
        if ref[i] > 0:
            v[i] = v_reset[i]
            ref[i] -= 1
        else:
            v[i] = (v[i] - v_rest[i]) * p22[i] + v_rest[i] + i_tot[i] * p20[i] \
                + k_y[0, i] * y[0, i] + k_y[1, i] * y[1, i]


def _exp_receptors_and_fire(v, ref, y, decay, arrivals, v_reset, threshold, ref_steps, out):
    """Decay two exponential receptors, take the arrivals (and clear them), fire.
    Returns the spike count; the spiking cells are in out[:count]."""
    count = 0
    for i in range(v.shape[0]):
        y[0, i] = y[0, i] * decay[0, i] + arrivals[0, i]
        y[1, i] = y[1, i] * decay[1, i] + arrivals[1, i]
        arrivals[0, i] = 0.0
        arrivals[1, i] = 0.0
        if v[i] >= threshold[i]:
            v[i] = v_reset[i]
            ref[i] = ref_steps[i]
            out[count] = i
            count += 1
    return count


if HAVE_NUMBA:  # pragma: no cover - compiled lazily on first use
    _jit = numba.njit(cache=True, nogil=True)
    deliver_compiled = _jit(_deliver_loop)
    lif_cond_exp_membrane = _jit(_lif_cond_exp_membrane)
    lif_curr_exp_membrane = _jit(_lif_curr_exp_membrane)
    exp_receptors_and_fire = _jit(_exp_receptors_and_fire)
else:  # pragma: no cover
    deliver_compiled = None
    lif_cond_exp_membrane = lif_curr_exp_membrane = exp_receptors_and_fire = None


def deliver(indptr, post, weight, delay, spikes, step, buffer, receptor):
    """Spike delivery with the compiled loop if enabled, numpy otherwise."""
    if _use_numba:
        deliver_compiled(indptr, post, weight, delay, spikes, step, buffer, receptor)
    else:
        deliver_numpy(indptr, post, weight, delay, spikes, step, buffer, receptor)
