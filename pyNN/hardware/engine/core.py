"""The time-stepped engine: groups of cells, connection blocks, ring buffers, the step loop.

Step cycle (one step k takes every group from t_k = k*dt to t_{k+1}):

1. every neuron group integrates its sub-threshold dynamics over the step, with the
   external current of step k (i_offset + current sources) and the synaptic state at t_k;
2. the weights arriving at t_{k+1} are taken from each group's ring buffer (slot
   (k+1) mod L) into the receptors (a delta synapse makes v jump now);
3. threshold test at t_{k+1}: the spikes of step k+1 (time t_{k+1});
4. spike sources emit their spikes of step k+1;
5. every spike of step k+1 is delivered through the connection blocks of its group to
   ``slot (k+1+d) mod L`` of the target's buffer, d being the delay in steps (>= 1);
6. recorded spikes and samples of step k+1 are stored.

So a spike emitted at step k with a delay of d steps arrives at step k+d, and a
post-synaptic current that starts then changes v from step k+d+1 on; sources fire at
exactly their steps, t = 0 included (emitted before the first step of a segment).
"""

import numpy as np

from pyNN.hardware.engine import kernels
from pyNN.hardware.engine.fixed_point import quantise_state
from pyNN.hardware.engine.neurons import GIF, LIFConductance, LIFCurrent


class SignalRecord:
    """Samples of one variable of some cells, every `interval` steps from step `t0`."""

    def __init__(self, indices, t0, interval):
        self.indices = np.asarray(indices, dtype=np.int64)
        self.t0 = int(t0)
        self.interval = int(interval)
        self.rows = []
        self.steps = []


class GroupRecording:
    """What one group records, and the data not yet fetched by the core."""

    def __init__(self, n):
        self.spike_mask = None
        self.spike_cells = []
        self.spike_steps = []
        self.signals = {}

    def clear(self):
        self.spike_cells = []
        self.spike_steps = []
        for record in self.signals.values():
            record.rows = []
            record.steps = []


class Block:
    """Connections from one group to one receptor of another, as CSR rows per
    presynaptic cell (post index, weight, delay in steps)."""

    def __init__(self, pre, post, receptor, pre_index, post_index, weight, delay_steps):
        self.pre = pre
        self.post = post
        self.receptor = receptor
        order = np.argsort(pre_index, kind="stable")
        counts = np.bincount(pre_index, minlength=pre.n)
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.post_index = np.ascontiguousarray(post_index[order], dtype=np.int64)
        self.weight = np.ascontiguousarray(weight[order], dtype=float)
        self.delay = np.ascontiguousarray(delay_steps[order], dtype=np.int64)
        self.max_delay = int(self.delay.max()) if self.delay.size else 1


class Engine:
    """Runs groups of cells connected by blocks, on a fixed time step `dt` (ms)."""

    def __init__(self, dt, seed=0):
        self.dt = float(dt)
        self.seed = int(seed)
        self.groups = []
        self.blocks = []
        self.outgoing = {}
        self.buffers = {}
        self.step = 0
        self.emitted_through = -1
        self.segment = 0
        self.counters = {"spikes": 0, "synaptic_events": 0, "steps": 0, "saturations": 0}

    # --- construction ---------------------------------------------------------------
    def add_group(self, group):
        group.recording = GroupRecording(group.n)
        group.index = len(self.groups)
        self.groups.append(group)
        return group

    def group_rng(self, index):
        return np.random.default_rng([self.seed, self.segment, index])

    def set_blocks(self, blocks):
        """Replace every connection (new network or changed synapses); spikes in
        transit are kept where the target receptor still exists."""
        self.blocks = list(blocks)
        self.outgoing = {}
        for block in self.blocks:
            self.outgoing.setdefault(block.pre.index, []).append(block)
        for group in self.groups:
            if group.kind != "neuron":
                continue
            longest = max([b.max_delay for b in self.blocks if b.post is group] + [1])
            shape = (longest + 1, len(group.receptors), group.n)
            old = self.buffers.get(group.index)
            if old is None or old.shape != shape:
                new = np.zeros(shape)
                if old is not None and old.shape[1:] == shape[1:]:
                    # move pending arrivals to the same absolute steps in the new ring
                    for s in range(self.step + 1, self.step + min(old.shape[0], shape[0])):
                        new[s % shape[0]] = old[s % old.shape[0]]
                self.buffers[group.index] = new

    # --- reset --------------------------------------------------------------------------
    def reset(self):
        self.step = 0
        self.emitted_through = -1
        self.segment += 1
        for buf in self.buffers.values():
            buf[:] = 0.0
        for group in self.groups:
            group.recording.clear()
            if group.kind == "neuron":
                group.reset_dynamic_state()
                group.rng = self.group_rng(group.index)
            else:
                group.reset(self.group_rng(group.index))

    # --- running --------------------------------------------------------------------------
    def run(self, n_steps, external=None):
        """Advance by `n_steps`. `external` maps a group index to a list of (cell
        indices, current array of n_steps values in nA) from current sources."""
        external = external or {}
        k0 = self.step
        if self.emitted_through < k0:
            for group in self.groups:
                if group.kind == "source":
                    self._spiked(group, group.emit(k0), k0)
            self.emitted_through = k0
        neurons = [g for g in self.groups if g.kind == "neuron"]
        sources = [g for g in self.groups if g.kind == "source"]
        fast = {g.index: _fast_kernel(g) for g in neurons} if kernels.use_numba() else {}
        zero = {g.index: np.zeros(g.n) for g in neurons}
        quantised = {g.index: getattr(g, "quantise", False) for g in neurons}
        substeps = {g.index: getattr(g, "substeps", 1) for g in neurons}
        out = {g.index: np.empty(g.n, dtype=np.int64) for g in neurons}
        for k in range(k0, k0 + n_steps):
            s = k + 1
            for g in neurons:
                i_ext = zero[g.index]
                injections = external.get(g.index)
                if injections:
                    i_ext = np.zeros(g.n)
                    for cells, trace in injections:
                        i_ext[cells] += trace[k - k0]
                buf = self.buffers[g.index]
                arrivals = buf[s % buf.shape[0]]
                kernel = fast.get(g.index)
                if kernel is not None:
                    count = kernel(g, i_ext, arrivals, out[g.index])
                    spikes = out[g.index][:count]
                elif substeps[g.index] > 1:
                    spikes = _substepped(g, i_ext, arrivals, substeps[g.index])
                else:
                    g.integrate(i_ext)
                    g.arrive(arrivals)
                    arrivals[:] = 0.0
                    spikes = g.fire()
                    if quantised[g.index]:
                        self.counters["saturations"] += quantise_state(g)
                if spikes.size:
                    self._spiked(g, spikes, s)
            for g in sources:
                spikes = g.emit(s)
                if spikes.size:
                    self._spiked(g, spikes, s)
            self._sample(s)
        self.step = k0 + n_steps
        self.emitted_through = max(self.emitted_through, self.step)
        self.counters["steps"] += n_steps

    def _spiked(self, group, spikes, s):
        spikes = np.asarray(spikes, dtype=np.int64)
        if not spikes.size:
            return
        self.counters["spikes"] += int(spikes.size)
        rec = group.recording
        if rec.spike_mask is not None:
            kept = spikes[rec.spike_mask[spikes]]
            if kept.size:
                rec.spike_cells.append(kept.copy())
                rec.spike_steps.append(np.full(kept.size, s, dtype=np.int64))
        for block in self.outgoing.get(group.index, ()):
            kernels.deliver(block.indptr, block.post_index, block.weight, block.delay, spikes, s,
                            self.buffers[block.post.index], block.receptor)
            self.counters["synaptic_events"] += int((block.indptr[spikes + 1] - block.indptr[spikes]).sum())

    def _sample(self, s):
        for group in self.groups:
            signals = group.recording.signals
            if not signals:
                continue
            for name, record in signals.items():
                if s > record.t0 and (s - record.t0) % record.interval == 0:
                    record.rows.append(group.get(name)[record.indices])
                    record.steps.append(s)


def _substepped(group, i_ext, arrivals, m):
    """One step of a group integrated on `m` internal steps (continuous-time analog
    profiles): the threshold is tested after every internal step, spikes are reported
    on the step grid, arrivals are taken at the end of the step."""
    fired = []
    for j in range(m):
        group.integrate(i_ext)
        if j == m - 1:
            group.arrive(arrivals)
            arrivals[:] = 0.0
        fired.append(group.fire())
    sd = getattr(group, "membrane_noise", 0.0)
    if sd:
        # trial-to-trial membrane noise of analog hardware (mV per step, free cells only)
        group.v = group.v + np.where(group.ref == 0, group.rng.normal(0.0, sd, group.n), 0.0)
    spikes = np.concatenate(fired)
    return np.unique(spikes) if len(fired) > 1 else spikes


def _fast_kernel(group):
    """A compiled step function for `group`, or None if it has no fused kernel."""
    rec = group.receptors
    if getattr(group, "quantise", False) or getattr(group, "substeps", 1) > 1:
        return None
    exact_lif_cond = isinstance(group, LIFConductance) and not isinstance(group, GIF)
    if exact_lif_cond and not group.adaptation and rec.kinds == ["cond_exp", "cond_exp"]:
        e_rev = np.array([np.broadcast_to(spec.e_rev, (group.n,)) for spec in rec.specs], dtype=float)
        g_leak_e = group.g_leak * group.v_rest

        def step(g, i_ext, arrivals, out):
            i_tot = g.i_offset + i_ext
            return kernels.lif_cond_exp_step(g.v, g.ref, rec.y, rec.half_decay, rec.decay, e_rev, g_leak_e,
                                             g.g_leak, g.cm, i_tot, g.v_reset, g.threshold, g.ref_steps,
                                             g.h, arrivals, out)
        return step
    if isinstance(group, LIFCurrent) and rec.kinds == ["curr_exp", "curr_exp"]:
        k_y = np.array(group.k_y, dtype=float)

        def step(g, i_ext, arrivals, out):
            i_tot = g.i_offset + i_ext
            return kernels.lif_curr_exp_step(g.v, g.ref, rec.y, rec.decay, k_y, g.v_rest, g.p22, g.p20, i_tot,
                                             g.v_reset, g.threshold, g.ref_steps, arrivals, out)
        return step
    return None
