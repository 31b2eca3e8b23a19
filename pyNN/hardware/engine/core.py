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

import pyNN.hardware.engine.kernels as kernels
from pyNN.hardware.engine import fused
from pyNN.hardware.engine.s1615 import quantise_state
from pyNN.hardware.engine.threads import ThreadTeam


class SignalRecord:
    """Samples of one variable of some cells, every `interval` steps from step `t0`."""

    def __init__(self, indices, t0, interval):
        self.indices = np.asarray(indices, dtype=np.int64)
        self.t0 = int(t0)
        self.interval = int(interval)
        self.rows = []
        self.steps = []
        self.granted = None  # bool mask over `indices`, or None: every cell


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
    presynaptic cell (post index, weight, delay in steps); within a row the connections
    are in increasing target order (connections to the same target in the given order)."""

    def __init__(self, pre, post, receptor, pre_index, post_index, weight, delay_steps):
        self.pre = pre
        self.post = post
        self.receptor = receptor
        order = np.argsort(pre_index, kind="stable")
        if np.any((np.diff(post_index[order]) < 0) & (np.diff(pre_index[order]) == 0)):
            # each row sorted by target (the split delivery bisects rows: kernels.deliver_range);
            # the core's order (by post, then pre) already gives that
            order = np.lexsort((post_index, pre_index))
        counts = np.bincount(pre_index, minlength=pre.n)
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.post_index = np.ascontiguousarray(post_index[order], dtype=np.int64)
        self.weight = np.ascontiguousarray(weight[order], dtype=float)
        self.delay = np.ascontiguousarray(delay_steps[order], dtype=np.int64)
        self.max_delay = int(self.delay.max()) if self.delay.size else 1
        self.order = order
        self.stp = None
        self.stdp = None
        self.stochastic = None
        self.driver = None

    def use_short_term_plasticity(self, U, tau_rec, tau_facil, tau_psc):
        """Make the connections Tsodyks-Markram synapses (arrays in the caller's order),
        with the algorithm of NEST's tsodyks_synapse: resources x (available), y (in use,
        decaying with the target's tau_psc), u (utilisation)."""
        o = self.order
        self.stp = {"U": np.asarray(U, float)[o], "tau_rec": np.asarray(tau_rec, float)[o],
                    "tau_fac": np.asarray(tau_facil, float)[o], "tau_psc": np.asarray(tau_psc, float)[o]}
        self.reset_stp()

    def reset_stp(self):
        if self.stp is not None:
            n = self.weight.size
            # as if each synapse had last been used at t = 0 (doc/behaviour.md)
            self.stp.update(u=np.zeros(n), x=np.ones(n), y=np.zeros(n), last=np.zeros(n))

    def use_stdp(self, state, history):
        """Make the connections plastic (pair-based STDP, see engine.plasticity)."""
        self.stdp = state
        self.history = history
        self.initial_weight = self.weight.copy()

    def reset_plastic(self, segment=0):
        self.reset_stp()
        if self.stochastic is not None:
            self.stochastic.reset(segment)
        if self.stdp is not None:
            self.weight[:] = self.initial_weight
            self.stdp.reset(self.weight.size)

    def positions(self, spikes):
        """CSR positions of every connection of the `spikes` cells."""
        starts = self.indptr[spikes]
        counts = self.indptr[spikes + 1] - starts
        total = int(counts.sum())
        return np.arange(total) - np.repeat(np.cumsum(counts) - counts - starts, counts)

    def _add(self, pos, step, buffer, amounts):
        n_slots, n_receptors, n = buffer.shape
        flat = (((step + self.delay[pos]) % n_slots) * n_receptors + self.receptor) * n + self.post_index[pos]
        np.add.at(buffer.reshape(-1), flat, amounts)

    def limit_events(self, driver, cap, load):
        """Rate limit of analog hardware: each connection goes through synapse driver
        `driver[j]` (CSR order); one spike of one source on one driver is one event, and a
        driver carries at most `cap` events per step (`load` counts them, shared by all
        blocks); the connections of excess events are dropped and counted."""
        self.driver = np.asarray(driver, dtype=np.int64)[self.order]
        self.event_cap = int(cap)
        self.driver_load = load
        self.dropped_events = 0

    def drop_excess_events(self, spikes):
        """Positions of the connections of `spikes` that are delivered (rate limit applied)."""
        spikes = np.asarray(spikes, dtype=np.int64)
        pos = self.positions(spikes)
        if not pos.size:
            return pos
        counts = self.indptr[spikes + 1] - self.indptr[spikes]
        source = np.repeat(np.arange(spikes.size), counts)
        drv = self.driver[pos]
        key = drv * (spikes.size + 1) + source
        events, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        event_driver = drv[first]
        order = np.argsort(event_driver, kind="stable")
        sorted_drivers = event_driver[order]
        starts = np.searchsorted(sorted_drivers, sorted_drivers, side="left")
        rank = np.empty(events.size, dtype=np.int64)
        rank[order] = np.arange(events.size) - starts
        allowed = self.driver_load[event_driver] + rank < self.event_cap
        np.add.at(self.driver_load, event_driver[allowed], 1)
        self.dropped_events += int((~allowed).sum())
        return pos[allowed[inverse.reshape(-1)]]

    def deliver_limited(self, spikes, step, buffer):
        pos = self.drop_excess_events(spikes)
        if pos.size:
            self._add(pos, step, buffer, self.weight[pos])
        return int(pos.size)

    def deliver_stdp(self, spikes, step, dt, buffer):
        """Update the plastic weights of the spiking cells' connections, then deliver them;
        with some dendritic_delay_fraction < 1, queue them until they arrive instead
        (see deliver_arrived)."""
        pos = self.positions(np.unique(spikes))
        if not pos.size:
            return
        if self.stdp.at_arrival:
            arrival = step + self.delay[pos]
            pending = self.stdp.pending
            for when in np.unique(arrival).tolist():
                pending.setdefault(when, []).append((pos[arrival == when], step))
            return
        weights = self.stdp.update(pos, step * dt, self.delay[pos] * dt, self.weight, self.post_index,
                                   self.history)
        self._add(pos, step, buffer, weights)

    def deliver_arrived(self, step, dt):
        """The plastic connections whose spikes arrive at `step` (queued by deliver_stdp):
        update their weights, now that the target cells' spikes of this step are known, and
        add the weights to the target's receptors, as if they had been in the ring buffer
        (the same for every input but a voltage jump, which the rule refuses)."""
        events = self.stdp.pending.pop(step, None)
        if not events:
            return
        pos = np.concatenate([p for p, _ in events])
        emitted = np.concatenate([np.full(p.size, sent * dt) for p, sent in events])
        weights = self.stdp.update(pos, emitted, self.delay[pos] * dt, self.weight, self.post_index, self.history)
        amounts = np.zeros((len(self.post.receptors), self.post.n))
        np.add.at(amounts[self.receptor], self.post_index[pos], weights)
        self.post.arrive(amounts)

    def deliver_stochastic(self, spikes, step, dt, buffer):
        """Deliver weight * (quanta released) through the spiking cells' connections
        (see engine.stochastic); connections that release nothing deliver nothing."""
        pos = self.positions(np.unique(spikes))
        if not pos.size:
            return
        count = self.stochastic.released(pos, step * dt)
        sent = count > 0
        if sent.any():
            self._add(pos[sent], step, buffer, self.weight[pos[sent]] * count[sent])

    def deliver_stp(self, spikes, step, dt, buffer):
        """Update the synapses of the spiking cells and deliver weight * (resources used)."""
        pos = self.positions(np.unique(spikes))
        if not pos.size:
            return
        p = self.stp
        t = step * dt
        h = t - p["last"][pos]
        tau_fac, tau_rec, tau_psc = p["tau_fac"][pos], p["tau_rec"][pos], p["tau_psc"][pos]
        p_uu = np.where(tau_fac > 0, np.exp(-h / np.where(tau_fac > 0, tau_fac, 1.0)), 0.0)
        p_yy = np.exp(-h / tau_psc)
        p_zz = np.exp(-h / tau_rec)
        same = np.isclose(tau_psc, tau_rec)
        p_xy = np.where(same, 1.0 - p_zz - h / tau_rec * p_zz,
                        ((p_zz - 1.0) * tau_rec - (p_yy - 1.0) * tau_psc) / np.where(same, 1.0, tau_psc - tau_rec))
        u, x, y = p["u"][pos], p["x"][pos], p["y"][pos]
        z = 1.0 - x - y
        u = u * p_uu
        x = x + p_xy * y + (1.0 - p_zz) * z
        y = y * p_yy
        u = u + p["U"][pos] * (1.0 - u)
        used = u * x
        p["u"][pos], p["x"][pos], p["y"][pos] = u, x - used, y + used
        p["last"][pos] = t
        self._add(pos, step, buffer, self.weight[pos] * used)


class Engine:
    """Runs groups of cells connected by blocks, on a fixed time step `dt` (ms), with
    `threads` threads for the compiled loops of large groups (see engine.threads)."""

    def __init__(self, dt, seed=0, threads=1):
        self.dt = float(dt)
        self.seed = int(seed)
        self.team = ThreadTeam(threads)
        self.groups = []
        self.blocks = []
        self.outgoing = {}
        self.buffers = {}
        self.step = 0
        self.emitted_through = -1
        self.segment = 0
        self.counters = {"spikes": 0, "synaptic_events": 0, "steps": 0, "saturations": 0}
        self.driver_load = None  # events per synapse driver in the current step (analog profiles)
        self.router_drop = 0.0  # probability that a spike packet is lost (digital profiles)
        self.router_rng = np.random.default_rng([self.seed, 7])
        self._defer = False  # static deliveries wait in _pending (threads, during a run)
        self._pending = []
        #: False: every run takes the general path (step by step), even where the fused path
        #: (engine.fused: the whole run in compiled code) would give the same results
        self.fused_path = True
        self.fused_table = None  # the blocks' rows end to end (fused.BlockTable)
        self.last_path = None  # "fused" or "general": the path the last run took

    # --- construction ---------------------------------------------------------------
    def add_group(self, group):
        group.recording = GroupRecording(group.n)
        group.index = len(self.groups)
        group.team = self.team
        self.groups.append(group)
        return group

    def group_rng(self, index):
        return np.random.default_rng([self.seed, self.segment, index])

    def set_blocks(self, blocks):
        """Replace every connection (new network or changed synapses); spikes in
        transit are kept where the target receptor still exists."""
        self.blocks = list(blocks)
        self.fused_table = None
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
        for block in self.blocks:
            block.reset_plastic(self.segment)
        for group in self.groups:
            if getattr(group, "history", None) is not None:
                group.history.reset()
        for group in self.groups:
            group.recording.clear()
            if group.kind == "neuron":
                group.reset_dynamic_state()
                group.rng = self.group_rng(group.index)
            else:
                group.reset(self.group_rng(group.index))

    # --- running --------------------------------------------------------------------------
    def load(self):
        """Have the compiled loop of the next run ready if it takes the fused path
        (:func:`fused.load`); returns True if it will."""
        return fused.load(self, *self._neurons_and_sources())

    def _neurons_and_sources(self):
        return ([g for g in self.groups if g.kind == "neuron"], [g for g in self.groups if g.kind == "source"])

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
        neurons, sources = self._neurons_and_sources()
        if n_steps > 0 and fused.covers(self, neurons, sources):
            fused.run(self, neurons, sources, external, k0, n_steps)
            if self.driver_load is not None:
                self.driver_load[:] = 0
            self.last_path = "fused"
        else:
            self._run_general(k0, n_steps, external, neurons, sources)
            self.last_path = "general"
        self.step = k0 + n_steps
        self.emitted_through = max(self.emitted_through, self.step)
        self.counters["steps"] += n_steps

    def _run_general(self, k0, n_steps, external, neurons, sources):
        """Steps k0..k0+n_steps-1 one after the other, the loops over cells and connections
        compiled (or numpy), the rest in Python."""
        fast = {g.index: _fast_kernel(g) for g in neurons} if kernels.use_numba() else {}
        zero = {g.index: np.zeros(g.n) for g in neurons}
        # the built-in fused kernels take i_offset + i_ext; without current sources it is the
        # same every step of this run, so it is added once
        steady = {g.index: g.i_offset + zero[g.index] for g in neurons
                  if getattr(fast.get(g.index), "takes_total", False) and not external.get(g.index)}
        # with threads, static deliveries wait for the next hand-over to the threads; when
        # every group has a fused kernel they are done in the step hand-over itself (see _with_deliveries)
        self._defer = self.team.n_threads > 1 and kernels.use_numba()
        fused = self._defer and all(fast.get(g.index) is not None for g in neurons)
        quantised = {g.index: getattr(g, "quantise", False) for g in neurons}
        substeps = {g.index: getattr(g, "substeps", 1) for g in neurons}
        out = {g.index: np.empty(g.n, dtype=np.int64) for g in neurons}
        # plastic blocks whose events are processed when they arrive (dendritic_delay_fraction < 1)
        arriving = [b for b in self.blocks if b.stdp is not None and b.stdp.at_arrival]
        for k in range(k0, k0 + n_steps):
            s = k + 1
            if self.driver_load is not None:
                self.driver_load[:] = 0
            # every group's step first, then the deliveries in group order: a delivery goes to
            # slot (s + d) mod L with 1 <= d < L, never to the slot s the groups read, so this
            # is the order of doing each group's step and delivery in turn; it lets the fused
            # kernels of all groups run in one hand-over to the threads per step
            stepped = []
            jobs = []
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
                    if getattr(kernel, "takes_total", False):
                        i_in = steady.get(g.index)
                        if i_in is None:
                            i_in = g.i_offset + i_ext
                    else:
                        i_in = i_ext
                    part = kernel(g, i_in, arrivals, out[g.index])
                    if fused and self._pending:
                        part = self._with_deliveries(part, g)
                    jobs.append((part, g.n, out[g.index]))
                    spikes = None
                elif substeps[g.index] > 1:
                    spikes = _substepped(g, i_ext, arrivals, substeps[g.index])
                else:
                    g.integrate(i_ext)
                    g.arrive(arrivals)
                    arrivals[:] = 0.0
                    spikes = g.fire()
                    if quantised[g.index]:
                        self.counters["saturations"] += quantise_state(g)
                stepped.append([g, spikes])
            if jobs:
                fired = iter(self.team.spikes_of_groups(jobs))
                if fused:
                    self._pending = []  # done by the hand-over
                for entry in stepped:
                    if entry[1] is None:
                        entry[1] = next(fired)
            for g, spikes in stepped:
                if spikes.size:
                    self._spiked(g, spikes, s)
            for g in sources:
                spikes = g.emit(s)
                if spikes.size:
                    self._spiked(g, spikes, s)
            for block in arriving:
                block.deliver_arrived(s, self.dt)
            if not fused:
                self._flush()  # the next step's groups read the buffers outside the threads
            self._sample(s)
        self._flush()
        self._defer = False

    def _spiked(self, group, spikes, s):
        spikes = np.asarray(spikes, dtype=np.int64)
        if not spikes.size:
            return
        self.counters["spikes"] += int(spikes.size)
        history = getattr(group, "history", None)
        if history is not None:
            history.add(spikes, s * self.dt)
        rec = group.recording
        if rec.spike_mask is not None:
            kept = spikes[rec.spike_mask[spikes]]
            if kept.size:
                rec.spike_cells.append(kept.copy())
                rec.spike_steps.append(np.full(kept.size, s, dtype=np.int64))
        blocks = self.outgoing.get(group.index, ())
        if blocks and self.router_drop > 0:
            # packets lost in the router (digital profiles): the spike is recorded, not delivered
            delivered = self.router_rng.random(spikes.size) >= self.router_drop
            self.counters["router_dropped_spikes"] = self.counters.get("router_dropped_spikes", 0) + int(
                (~delivered).sum())
            spikes = spikes[delivered]
        for block in blocks:
            buffer = self.buffers[block.post.index]
            static = block.stp is None and block.stochastic is None and block.stdp is None and block.driver is None
            if not static:
                # a non-static delivery adds to the buffers after every static one before it
                self._flush()
            if block.stp is not None:
                block.deliver_stp(spikes, s, self.dt, buffer)
            elif block.stochastic is not None:
                block.deliver_stochastic(spikes, s, self.dt, buffer)
            elif block.stdp is not None:
                block.deliver_stdp(spikes, s, self.dt, buffer)
            elif block.driver is not None:
                self.counters["synaptic_events"] += block.deliver_limited(spikes, s, buffer)
                continue
            else:
                events = int((block.indptr[spikes + 1] - block.indptr[spikes]).sum())
                self.counters["synaptic_events"] += events
                if self._defer:
                    # a copy: `spikes` may be a view of the array the next step's threads write
                    self._pending.append((block, spikes.copy(), s, events))
                else:
                    self._deliver(block, spikes, s, buffer, events)
                continue
            self.counters["synaptic_events"] += int((block.indptr[spikes + 1] - block.indptr[spikes]).sum())

    def _deliver(self, block, spikes, s, buffer, events):
        """Static connections into the ring buffer; split by target cell over the threads
        if there are enough events (the sums stay those of one thread: engine.threads)."""
        parts = min(self.team.parts(events, self.team.min_events), block.post.n) if kernels.use_numba() else 1
        if parts <= 1:
            kernels.deliver(block.indptr, block.post_index, block.weight, block.delay, spikes, s, buffer,
                            block.receptor)
            return

        def part(lo, hi):
            kernels.deliver_range(block.indptr, block.post_index, block.weight, block.delay, spikes, s, buffer,
                                  block.receptor, lo, hi)
        self.team.run(part, block.post.n, parts)

    def _with_deliveries(self, part, group):
        """`part` of a group's fused step, preceded by the pending static deliveries into
        the same cells lo..hi-1: the thread that steps a range of cells is the only one
        that writes their buffers, and the deliveries (to slots s + d, d >= 1, of the
        previous step s) are in the buffers before the step reads its slot."""
        entries = [(b, spikes, s) for b, spikes, s, _ in self._pending if b.post is group]
        if not entries:
            return part
        buffer = self.buffers[group.index]

        def deliver_then_step(lo, hi):
            for b, spikes, s in entries:
                kernels.deliver_range(b.indptr, b.post_index, b.weight, b.delay, spikes, s, buffer, b.receptor,
                                      lo, hi)
            return part(lo, hi)
        return deliver_then_step

    def _flush(self):
        """Do the pending static deliveries, in their order, in one hand-over to the threads:
        thread k adds the weights for range k of the target cells of every target group."""
        pending = self._pending
        if not pending:
            return
        self._pending = []
        if len(pending) == 1:
            block, spikes, s, events = pending[0]
            self._deliver(block, spikes, s, self.buffers[block.post.index], events)
            return
        targets = {}
        for block, spikes, s, events in pending:
            entry = targets.setdefault(block.post.index, [block.post.n, 0, []])
            entry[1] += events
            entry[2].append((block, spikes, s))
        plans = [(self.buffers[index], n, min(self.team.parts(events, self.team.min_events), n), entries)
                 for index, (n, events, entries) in targets.items()]
        width = max(p for _, _, p, _ in plans)

        def work(k, _):
            for buffer, n, p, entries in plans:
                if k < p:
                    lo, hi = n * k // p, n * (k + 1) // p
                    for b, spikes, s in entries:
                        kernels.deliver_range(b.indptr, b.post_index, b.weight, b.delay, spikes, s, buffer,
                                              b.receptor, lo, hi)
        self.team.run(work, width, width)

    def _sample(self, s):
        for group in self.groups:
            signals = group.recording.signals
            if not signals:
                continue
            for name, record in signals.items():
                if s > record.t0 and (s - record.t0) % record.interval == 0:
                    row = group.get(name)[record.indices]
                    if record.granted is not None:
                        row[~record.granted] = np.nan
                    record.rows.append(row)
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
    """For a group with a fused compiled step, a function of (group, i_ext, arrivals, out)
    that returns the step of the cells lo..hi-1, ``count = part(lo, hi)`` (spiking cells in
    ``out[lo:lo + count]``); None if the group has no fused kernel."""
    rec = group.receptors
    if getattr(group, "quantise", False) or getattr(group, "substeps", 1) > 1:
        return None
    if hasattr(group, "fast_kernel"):  # a group that compiles its own fused step (generated models)
        return group.fast_kernel()
    kind = fused.lif_exp_kind(group)
    if kind == "cond_exp":
        e_rev, g_leak_e = fused.cond_exp_tables(group)

        def step(g, i_tot, arrivals, out):
            def part(lo, hi):
                kernels.lif_cond_exp_membrane(g.v, g.ref, rec.y, rec.half_decay, e_rev, g_leak_e, g.g_leak, g.cm,
                                              i_tot, g.v_reset, g.h, lo, hi)
                return kernels.exp_receptors_and_fire(g.v, g.ref, rec.y, rec.decay, arrivals, g.v_reset,
                                                      g.threshold, g.ref_steps, out, lo, hi)
            return part
        step.takes_total = True
        return step
    if kind == "curr_exp":
        k_y = np.array(group.k_y, dtype=float)

        def step(g, i_tot, arrivals, out):
            def part(lo, hi):
                kernels.lif_curr_exp_membrane(g.v, g.ref, rec.y, k_y, g.v_rest, g.p22, g.p20, i_tot, g.v_reset,
                                              lo, hi)
                return kernels.exp_receptors_and_fire(g.v, g.ref, rec.y, rec.decay, arrivals, g.v_reset,
                                                      g.threshold, g.ref_steps, out, lo, hi)
            return part
        step.takes_total = True
        return step
    return None
