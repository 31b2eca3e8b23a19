"""The fused path of the engine: a whole run in compiled code, for the common networks.

``Engine.run`` takes this path when every neuron group is a LIF group with two exponential
receptors (IF_cond_exp, IF_curr_exp and the like: the built-in fused kernels), every
connection block is static, and nothing needs Python during a step (no quantisation or
internal steps, no router drop, no spike history for plasticity, only ``v`` and receptor
values sampled). Everything else runs on the general path, step by step.

The path gives exactly the results of the general path (the tests compare them bit for
bit): the step is computed cell by cell with the same compiled kernels, spikes are
delivered in the same order per ring-buffer element, and the sources draw the same
numbers (they emit every step of a chunk before the chunk runs: they do not depend on the
network). With ``setup(threads=T)`` the loop is compiled with numba's ``parallel`` and
each step is one parallel region over T ranges of cells (see
:mod:`pyNN.hardware.engine.fused_loop`): no Python, lock or thread wake-up of ours per step.

State moves in and out of the loop's arrays once per ``run()``: neuron state (v,
refractory counters, receptors), the pending arrivals of the ring buffers, and the recorded
data, appended to the groups' recordings in the general path's layout.
"""

import numpy as np

from pyNN.hardware.engine import fused_loop, kernels
from pyNN.hardware.engine.neurons import GIF, LIFConductance, LIFCurrent, NeuronGroup

#: at most this many recorded signal values are held by one compiled call (the run is cut
#: into chunks of steps accordingly)
MAX_VALUES_PER_CHUNK = 1 << 22
#: steps in one compiled call at most (the sources' spikes of a chunk are drawn before it)
MAX_STEPS_PER_CHUNK = 5000


def lif_exp_kind(group):
    """'cond_exp' or 'curr_exp' for a LIF group with a built-in fused step (two exponential
    receptors, no adaptation, no quantisation, no internal steps), None otherwise."""
    if getattr(group, "quantise", False) or getattr(group, "substeps", 1) > 1 or hasattr(group, "fast_kernel"):
        return None
    kinds = group.receptors.kinds
    if isinstance(group, LIFConductance) and not isinstance(group, GIF) and not group.adaptation \
            and kinds == ["cond_exp", "cond_exp"]:
        return "cond_exp"
    if isinstance(group, LIFCurrent) and kinds == ["curr_exp", "curr_exp"]:
        return "curr_exp"
    return None


def cond_exp_tables(group):
    """(reversal potentials (2, n), g_leak * v_rest) of a cond_exp group's fused step."""
    e_rev = np.array([np.broadcast_to(spec.e_rev, (group.n,)) for spec in group.receptors.specs], dtype=float)
    return e_rev, group.g_leak * group.v_rest


def _signal_code(group, name):
    """0 for v, 1 + k for receptor k's value, None for a signal the loop does not sample."""
    if name == "v":
        return 0
    k = group.receptor_of_variable(name)
    return None if k is None else 1 + k


def _static(block):
    return block.stp is None and block.stochastic is None and block.stdp is None and block.driver is None


def covers(engine, neurons, sources):
    """True if the fused path can run this network (see the module docstring)."""
    if not engine.fused_path or not kernels.use_numba() or fused_loop.run_steps is None:
        return False
    if engine.router_drop > 0 or not all(_static(b) for b in engine.blocks):
        return False
    for group in neurons + sources:
        if getattr(group, "history", None) is not None:
            return False
    for group in neurons:
        if lif_exp_kind(group) is None or type(group).get is not NeuronGroup.get:
            return False
        if any(_signal_code(group, name) is None for name in group.recording.signals):
            return False
    return True


def _cells(neurons, rings):
    """The neurons' state and parameters laid end to end (fused_loop's `cells` tuple), and
    i_offset over the cell space."""
    g_off = np.concatenate([[0], np.cumsum([g.n for g in neurons])]).astype(np.int64)
    n = int(g_off[-1])
    one = {name: np.zeros(n) for name in ("g_leak_e", "g_leak", "cm", "v_rest", "p22", "p20", "v_reset",
                                          "threshold", "i_offset")}
    one["cm"][:] = 1.0  # cells of current-based groups: not used, but never a division by 0
    two = {name: np.zeros((2, n)) for name in ("y", "decay", "half_decay", "e_rev", "k_y")}
    v = np.zeros(n)
    ref = np.zeros(n, np.int64)
    ref_steps = np.zeros(n, np.int64)
    kinds = np.zeros(len(neurons), np.int64)
    for j, g in enumerate(neurons):
        cells = slice(g_off[j], g_off[j + 1])
        rec = g.receptors
        v[cells] = g.v
        ref[cells] = g.ref
        ref_steps[cells] = g.ref_steps
        two["y"][:, cells] = rec.y
        two["decay"][:, cells] = rec.decay
        for name in ("v_reset", "threshold", "i_offset"):
            one[name][cells] = getattr(g, name)
        if lif_exp_kind(g) == "cond_exp":
            kinds[j] = fused_loop.COND_EXP
            two["e_rev"][:, cells], one["g_leak_e"][cells] = cond_exp_tables(g)
            two["half_decay"][:, cells] = rec.half_decay
            one["g_leak"][cells] = g.g_leak
            one["cm"][cells] = g.cm
        else:
            kinds[j] = fused_loop.CURR_EXP
            two["k_y"][:, cells] = np.array(g.k_y, dtype=float)
            for name in ("v_rest", "p22", "p20"):
                one[name][cells] = getattr(g, name)
    i_tot = one["i_offset"] + np.zeros(n)  # the general path's i_offset + i_ext without current sources
    h = np.array([g.h for g in neurons], dtype=float)
    cells = (g_off, kinds, np.asarray(rings, np.int64), h, v, ref, two["y"], two["decay"], two["half_decay"],
             two["e_rev"], two["k_y"], one["g_leak_e"], one["g_leak"], one["cm"], one["v_rest"], one["p22"],
             one["p20"], one["v_reset"], one["threshold"], ref_steps, i_tot)
    return cells, one["i_offset"]


class BlockTable:
    """The rows of every block end to end, so the compiled loop reaches them through flat
    arrays. The blocks' own arrays become views of the table's (no connection is stored
    twice); the engine drops the table when its blocks are replaced (Engine.set_blocks)."""

    def __init__(self, blocks):
        self.blocks = list(blocks)
        sizes = [b.post_index.size for b in self.blocks]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        total = int(starts[-1])
        self.post = np.empty(total, np.int64)
        self.weight = np.empty(total)
        self.delay = np.empty(total, np.int64)
        self.first_row = {}
        rows = [np.zeros(0, np.int64)]
        n_rows = 0
        for b, a, size in zip(self.blocks, starts.tolist(), sizes):
            for name, table in (("post_index", self.post), ("weight", self.weight), ("delay", self.delay)):
                table[a:a + size] = getattr(b, name)
                setattr(b, name, table[a:a + size])
            rows.append(b.indptr + a)
            self.first_row[id(b)] = n_rows
            n_rows += b.indptr.size
        self.indptr = np.concatenate(rows).astype(np.int64)

    def matches(self, blocks):
        return len(blocks) == len(self.blocks) and all(a is b for a, b in zip(blocks, self.blocks))


def _block_table(engine):
    table = engine.fused_table
    if table is None or not table.matches(engine.blocks):
        table = engine.fused_table = BlockTable(engine.blocks)
    return table


def _blocks(engine, groups, position, offsets, table):
    """The blocks in the general path's delivery order (spiking groups in order, each
    group's outgoing blocks in order), as fused_loop's `blocks` tuple."""
    rows = []
    for g in groups:
        for b in engine.outgoing.get(g.index, ()):
            post = position[b.post.index]
            rows.append((position[g.index], offsets[post], b.post.n, b.receptor,
                         engine.buffers[b.post.index].shape[0], table.first_row[id(b)]))
    meta = np.array(rows, dtype=np.int64).reshape(-1, 6)
    return tuple(np.ascontiguousarray(meta[:, j]) for j in range(6)) + (table.indptr, table.post, table.weight,
                                                                         table.delay)


def _injections(external, neurons, offsets, i_offset, n_steps):
    """Current sources as (cells, pointers, traces (sources, n_steps)), one entry per source
    and target group in the general path's order."""
    cells, traces = [], []
    for j, g in enumerate(neurons):
        for indices, trace in external.get(g.index, ()):
            # numpy's i_ext[cells] += x adds x once to a cell listed twice
            cells.append(np.unique(np.arange(g.n)[indices]).astype(np.int64) + offsets[j])
            traces.append(np.asarray(trace, dtype=float).reshape(n_steps))
    ptr = np.concatenate([[0], np.cumsum([c.size for c in cells])]).astype(np.int64)
    flat = np.concatenate(cells) if cells else np.zeros(0, np.int64)
    trace = np.array(traces, dtype=float).reshape(len(traces), n_steps)
    return flat, ptr, trace, np.zeros(i_offset.size), i_offset


class _Sampler:
    """The sampled signals of the neuron groups (fused_loop's `sampling` tuple per chunk)."""

    def __init__(self, neurons, offsets):
        self.records = []
        for j, g in enumerate(neurons):
            for name, record in g.recording.signals.items():
                self.records.append((record, _signal_code(g, name), record.indices + offsets[j]))
        self.widths = np.array([r.indices.size for r, _, _ in self.records], dtype=np.int64)
        self.idx_ptr = np.concatenate([[0], np.cumsum(self.widths)]).astype(np.int64)
        self.idx = np.concatenate([c for _, _, c in self.records] or [np.zeros(0, np.int64)]).astype(np.int64)
        self.t0 = np.array([r.t0 for r, _, _ in self.records], dtype=np.int64)
        self.interval = np.array([r.interval for r, _, _ in self.records], dtype=np.int64)
        self.code = np.array([c for _, c, _ in self.records], dtype=np.int64)

    def values_per_step(self):
        return float(np.sum(self.widths / np.maximum(self.interval, 1)))

    def prepare(self, first, last):
        """Room for the samples of steps first..last."""
        steps = np.arange(first, last + 1)
        self.steps = [steps[(steps > r.t0) & ((steps - r.t0) % r.interval == 0)] for r, _, _ in self.records]
        sizes = np.array([s.size for s in self.steps], dtype=np.int64) * self.widths
        self.out_off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        values = np.empty(int(self.out_off[-1]))
        return (self.t0, self.interval, self.code, self.idx_ptr, self.idx, self.out_off[:-1].copy(),
                np.zeros(len(self.records), np.int64), values)

    def store(self, sampling):
        values = sampling[-1]
        for j, (record, _, _) in enumerate(self.records):
            steps = self.steps[j]
            if not steps.size:
                continue
            rows = values[self.out_off[j]:self.out_off[j + 1]].reshape(steps.size, self.widths[j])
            if record.granted is not None:
                rows[:, ~record.granted] = np.nan
            record.rows.append(rows)
            record.steps.extend(steps.tolist())


def _emit(sources, first, n_steps, offsets):
    """The sources' spikes of steps first..first+n_steps-1 (all space), step by step and in
    each step source after source, as (pointers per step, ids)."""
    steps, groups, ids = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for j, (g, off) in enumerate(zip(sources, offsets)):
        ptr, cells = g.emit_steps(first, n_steps)
        steps.append(np.repeat(np.arange(n_steps), np.diff(ptr)))
        groups.append(np.full(cells.size, j, np.int64))
        ids.append(cells + off)
    steps, groups, ids = (np.concatenate(a).astype(np.int64) for a in (steps, groups, ids))
    order = np.argsort(steps * len(sources) + groups, kind="stable")
    ptr = np.searchsorted(steps[order], np.arange(n_steps + 1)).astype(np.int64)
    return ptr, ids[order]


class _Network:
    """The arrays the compiled loop works on, made from the engine's groups and blocks (state
    moves in here at the start of a run and back at its end, see :meth:`give_back`)."""

    def __init__(self, engine, neurons, sources):
        groups = neurons + sources
        self.neurons, self.groups = neurons, groups
        self.offsets = np.concatenate([[0], np.cumsum([g.n for g in groups])]).astype(np.int64)
        position = {g.index: j for j, g in enumerate(groups)}
        self.rings = [engine.buffers[g.index].shape[0] for g in neurons]
        self.cells, self.i_offset = _cells(neurons, self.rings)
        self.n = int(self.cells[0][-1])
        self.buffer = np.zeros((max(self.rings + [1]), 2, self.n))
        for j, g in enumerate(neurons):
            self.buffer[:self.rings[j], :, self.offsets[j]:self.offsets[j + 1]] = engine.buffers[g.index]
        self.blocks = _blocks(engine, groups, position, self.offsets, _block_table(engine))
        self.recorded = np.zeros(int(self.offsets[-1]), dtype=bool)
        for j, g in enumerate(groups):
            if g.recording.spike_mask is not None:
                self.recorded[self.offsets[j]:self.offsets[j + 1]] = g.recording.spike_mask
        self.sampler = _Sampler(neurons, self.offsets)
        team = engine.team
        self.parts = team.parts(self.n, team.min_cells) if team.n_threads > 1 else 1
        self.loop = fused_loop.run_steps
        if self.parts > 1:
            team.use_numba_threads(self.parts)
            self.loop = fused_loop.run_steps_parallel

    def arguments(self, k, n_steps, sources, injections, sampling):
        """The loop's arguments for steps k..k+n_steps-1 (`sources`: their spikes, _emit)."""
        capacity = self.n + int(np.max(np.diff(sources[0]), initial=0))
        return (k, n_steps, self.parts, self.cells, self.buffer, self.blocks, self.offsets, sources, injections,
                self.recorded, np.empty(1024, np.int64), np.empty(1024, np.int64), sampling, capacity)

    def give_back(self, engine):
        """The neurons' state and the pending arrivals back into the engine's groups."""
        for j, g in enumerate(self.neurons):
            cells_j = slice(self.offsets[j], self.offsets[j + 1])
            g.v[:] = self.cells[4][cells_j]
            g.ref[:] = self.cells[5][cells_j]
            g.receptors.y[:] = self.cells[6][:, cells_j]
            engine.buffers[g.index][:] = self.buffer[:self.rings[j], :, cells_j]


def load(engine, neurons, sources):
    """If the next run of this network takes the fused path, have its compiled loop ready
    (loaded from numba's disk cache, or compiled) and numba's threads started, without
    running a step; called when the network is mapped, so that the first run's time is
    the simulation's. Returns True if it did."""
    if not covers(engine, neurons, sources):
        return False
    import numba
    net = _Network(engine, neurons, sources)
    no_spikes = (np.zeros(2, np.int64), np.zeros(0, np.int64))  # as _emit gives them: no random draw
    injections = _injections({}, neurons, net.offsets, net.i_offset, 1)
    args = net.arguments(engine.step, 1, no_spikes, injections, net.sampler.prepare(engine.step + 1, engine.step + 1))
    net.loop.compile(tuple(numba.typeof(a) for a in args))
    return True


def run(engine, neurons, sources, external, k0, n_steps):
    """Steps k0..k0+n_steps-1 of the engine on the fused path (covers() must be true)."""
    net = _Network(engine, neurons, sources)
    injections = _injections(external, neurons, net.offsets, net.i_offset, n_steps)
    sampler = net.sampler
    chunk = int(max(1, min(MAX_STEPS_PER_CHUNK, MAX_VALUES_PER_CHUNK // max(1.0, sampler.values_per_step()))))
    for c0 in range(0, n_steps, chunk):
        m = min(chunk, n_steps - c0)
        first = k0 + c0 + 1
        src = _emit(sources, first, m, net.offsets[len(neurons):])
        chunk_injections = injections[:2] + (np.ascontiguousarray(injections[2][:, c0:c0 + m]),) + injections[3:]
        sampling = sampler.prepare(first, first + m - 1)
        n_spikes, events, ids, steps, n_rec = net.loop(*net.arguments(k0 + c0, m, src, chunk_injections, sampling))
        engine.counters["spikes"] += int(n_spikes)
        engine.counters["synaptic_events"] += int(events)
        _store_spikes(net.groups, net.offsets, ids[:n_rec], steps[:n_rec])
        sampler.store(sampling)
    net.give_back(engine)


def _store_spikes(groups, offsets, ids, steps):
    """The recorded spikes into each group's recording, in the general path's layout."""
    if not ids.size:
        return
    for j, g in enumerate(groups):
        mine = (ids >= offsets[j]) & (ids < offsets[j + 1])
        if mine.any():
            g.recording.spike_cells.append(ids[mine] - offsets[j])
            g.recording.spike_steps.append(steps[mine].copy())
