"""The compiled loop of the fused path (:mod:`pyNN.hardware.engine.fused`): many steps of a
network of LIF groups with static connections in one call, without Python in between.

The cells of every neuron group are laid end to end in one *cell space* (group g has cells
``g_off[g]..g_off[g+1]-1``), their state and parameters in arrays over that space and their
ring buffers in one array ``buffer[slot, receptor, cell]`` (group g uses its own ring length
``g_ring[g]``, the first slots). Spikes are numbered in an *all space*: the cell space
followed by the cells of the spike sources (``all_off``), so one array holds the spikes of
a step, group after group, in the order the general path delivers them.

Step s (s = k + 1 for step k of the loop) in `parts` contiguous ranges of the cell space,
range p in parallel with the others (``prange``; a plain loop when compiled without
``parallel``), then a serial part:

1. range p adds the static deliveries of the spikes of step s - 1 into its own cells, every
   block in delivery order and every spike in order, so each buffer element receives its
   weights in the order of one thread (:func:`kernels._deliver_range`): the float sums are
   bit for bit those of the general path;
2. range p steps its cells (membrane, receptors and arrivals of slot s, threshold), cell by
   cell with the kernels of the general path, and writes its spiking cells to
   ``out[lo:lo + count]``;
3. serial: the spiking cells of the ranges (in range order, so in increasing cell order),
   then the sources' spikes of step s, become the spikes of step s; they are counted,
   recorded, and the sampled signals are stored.

The deliveries of the last step are done at the end of the call, so a call leaves only
arrivals in the buffers, as a step of the general path does.
"""

import types

import numpy as np

from pyNN.hardware.engine import kernels

#: kinds of neuron group in the fused loop (``g_kind``)
COND_EXP, CURR_EXP = 0, 1


def _deliver_into(lo, hi, spikes, seg, step, all_off, blocks, buffer):
    """The static deliveries of the spikes of `step` into the cells lo..hi-1. `spikes` holds
    the step's spikes in all space, group g's in ``spikes[seg[g]:seg[g + 1]]``; `blocks` are
    in delivery order, their rows concatenated (``b_row`` indexes ``indptr``)."""
    b_pre, b_post_off, b_post_n, b_receptor, b_ring, b_row, indptr, post, weight, delay = blocks
    for b in range(b_pre.shape[0]):
        off = b_post_off[b]
        t_lo = max(lo, off) - off
        t_hi = min(hi, off + b_post_n[b]) - off
        if t_lo >= t_hi:
            continue
        g = b_pre[b]
        row0 = b_row[b] - all_off[g]
        ring = b_ring[b]
        r = b_receptor[b]
        for j in range(seg[g], seg[g + 1]):
            row = row0 + spikes[j]
            a = kernels._first_at_least_c(post, indptr[row], indptr[row + 1], t_lo)
            e = kernels._first_at_least_c(post, a, indptr[row + 1], t_hi)
            for c in range(a, e):
                buffer[(step + delay[c]) % ring, r, off + post[c]] += weight[c]


def _step_cells(lo, hi, s, cells, buffer, out):
    """Step s of the cells lo..hi-1 (any groups) with the general path's kernels; returns the
    spike count, the spiking cells being in ``out[lo:lo + count]`` in increasing order."""
    (g_off, g_kind, g_ring, g_h, v, ref, y, decay, half_decay, e_rev, k_y, g_leak_e, g_leak, cm, v_rest, p22, p20,
     v_reset, threshold, ref_steps, i_tot) = cells
    count = 0
    for g in range(g_kind.shape[0]):
        a = max(lo, g_off[g])
        e = min(hi, g_off[g + 1])
        if a >= e:
            continue
        if g_kind[g] == COND_EXP:
            kernels.lif_cond_exp_membrane(v, ref, y, half_decay, e_rev, g_leak_e, g_leak, cm, i_tot, v_reset,
                                          g_h[g], a, e)
        else:
            kernels.lif_curr_exp_membrane(v, ref, y, k_y, v_rest, p22, p20, i_tot, v_reset, a, e)
        fired = kernels.exp_receptors_and_fire(v, ref, y, decay, buffer[s % g_ring[g]], v_reset, threshold,
                                               ref_steps, out, a, e)
        for j in range(fired):  # after the spikes of the range's groups before this one
            out[lo + count + j] = out[a + j]
        count += fired
    return count


def _inject(k, injections, i_tot):
    """i_offset + the current sources' values at step k of the cells they feed (the
    sources of a cell added in order, as the general path does)."""
    cells, ptr, trace, i_ext, i_offset = injections
    n = ptr.shape[0] - 1
    for j in range(n):
        for c in cells[ptr[j]:ptr[j + 1]]:
            i_ext[c] = 0.0
    for j in range(n):
        amount = trace[j, k]
        for c in cells[ptr[j]:ptr[j + 1]]:
            i_ext[c] += amount
    for j in range(n):
        for c in cells[ptr[j]:ptr[j + 1]]:
            i_tot[c] = i_offset[c] + i_ext[c]


def _gather(k, parts, n_cells, counts, out, sources, all_off, spikes, seg):
    """The spikes of the step: the ranges' spiking cells, then the sources' spikes of step k
    of the call; fills `spikes` and the group segments `seg`, returns their number."""
    src_ptr, src_ids = sources
    n = 0
    for p in range(parts):
        lo = n_cells * p // parts
        for j in range(counts[p]):
            spikes[n] = out[lo + j]
            n += 1
    for j in range(src_ptr[k], src_ptr[k + 1]):
        spikes[n] = src_ids[j]
        n += 1
    j = 0
    n_groups = all_off.shape[0] - 1
    for g in range(n_groups):
        seg[g] = j
        while j < n and spikes[j] < all_off[g + 1]:
            j += 1
    seg[n_groups] = n
    return n


def _count_events(spikes, seg, all_off, blocks):
    b_pre, _, _, _, _, b_row, indptr = blocks[:7]
    events = 0
    for b in range(b_pre.shape[0]):
        g = b_pre[b]
        row0 = b_row[b] - all_off[g]
        for j in range(seg[g], seg[g + 1]):
            row = row0 + spikes[j]
            events += indptr[row + 1] - indptr[row]
    return events


def _record(spikes, n, s, recorded, ids, steps, n_rec):
    """Append the recorded ones among the step's spikes to (ids, steps), growing them."""
    for j in range(n):
        c = spikes[j]
        if recorded[c]:
            if n_rec == ids.shape[0]:
                bigger_ids = np.empty(2 * ids.shape[0], np.int64)
                bigger_steps = np.empty(2 * ids.shape[0], np.int64)
                bigger_ids[:n_rec] = ids[:n_rec]
                bigger_steps[:n_rec] = steps[:n_rec]
                ids, steps = bigger_ids, bigger_steps
            ids[n_rec] = c
            steps[n_rec] = s
            n_rec += 1
    return ids, steps, n_rec


def _sample(s, sampling, v, y):
    """Store the sampled signals of step s: record r takes ``v`` (code 0) or receptor
    ``code - 1``'s value of its cells every `interval` steps after `t0`."""
    t0, interval, code, idx_ptr, idx, out_off, out_row, values = sampling
    for r in range(t0.shape[0]):
        if s > t0[r] and (s - t0[r]) % interval[r] == 0:
            width = idx_ptr[r + 1] - idx_ptr[r]
            base = out_off[r] + out_row[r] * width - idx_ptr[r]
            for j in range(idx_ptr[r], idx_ptr[r + 1]):
                c = idx[j]
                values[base + j] = v[c] if code[r] == 0 else y[code[r] - 1, c]
            out_row[r] += 1


def _run_steps(k0, n_steps, parts, cells, buffer, blocks, all_off, sources, injections, recorded, rec_ids,
               rec_steps, sampling, capacity):
    """Steps k0..k0+n_steps-1 (see the module docstring). Returns (spike count, synaptic
    events, recorded spike ids, their steps, number recorded)."""
    n_cells = cells[0][-1]
    i_tot = cells[-1]
    v = cells[4]
    y = cells[6]
    out = np.empty(max(n_cells, 1), np.int64)
    counts = np.zeros(parts, np.int64)
    spikes = np.empty(capacity, np.int64)
    seg = np.zeros(all_off.shape[0], np.int64)
    n_spikes = 0
    n = 0
    events = 0
    n_rec = 0
    for k in range(n_steps):
        s = k0 + k + 1
        _inject_c(k, injections, i_tot)
        for p in numba.prange(parts):
            lo = n_cells * p // parts
            hi = n_cells * (p + 1) // parts
            _deliver_into_c(lo, hi, spikes[:n], seg, s - 1, all_off, blocks, buffer)
            counts[p] = _step_cells_c(lo, hi, s, cells, buffer, out)
        n = _gather_c(k, parts, n_cells, counts, out, sources, all_off, spikes, seg)
        n_spikes += n
        events += _count_events_c(spikes, seg, all_off, blocks)
        rec_ids, rec_steps, n_rec = _record_c(spikes, n, s, recorded, rec_ids, rec_steps, n_rec)
        _sample_c(s, sampling, v, y)
    _deliver_into_c(0, n_cells, spikes[:n], seg, k0 + n_steps, all_off, blocks, buffer)
    return n_spikes, events, rec_ids, rec_steps, n_rec


def _named_copy(func, name):
    """`func` under another name: numba's disk cache files compiled code by the function's
    name and signature, not by compile options, so the one-thread and the parallel build of
    one function would overwrite (and load) each other."""
    copy = types.FunctionType(func.__code__, func.__globals__, name, func.__defaults__, func.__closure__)
    copy.__qualname__ = name
    copy.__doc__ = func.__doc__
    return copy


if kernels.HAVE_NUMBA:  # pragma: no cover - compiled lazily on first use
    import numba
    _jit = numba.njit(cache=True, nogil=True)
    _deliver_into_c = _jit(_deliver_into)
    _step_cells_c = _jit(_step_cells)
    _inject_c = _jit(_inject)
    _gather_c = _jit(_gather)
    _count_events_c = _jit(_count_events)
    _record_c = _jit(_record)
    _sample_c = _jit(_sample)
    #: one thread (prange is a plain loop), and `parts` ranges over numba's threads
    run_steps = _jit(_run_steps)
    run_steps_parallel = numba.njit(cache=True, nogil=True, parallel=True)(_named_copy(_run_steps,
                                                                                       "_run_steps_parallel"))
else:  # pragma: no cover
    run_steps = run_steps_parallel = None
