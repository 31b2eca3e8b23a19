"""NEURON recorders: ``Vector.record`` per recorded cell and variable, spikes from the
state's single ``ParallelContext.spike_record``.

Signal vectors record every step; each fetch turns them into one (steps x cells)
matrix, keeps the samples on the epoch's sampling grid and empties the vectors.

NEURON records the sample of time t before it delivers the events due at t, so a synaptic
conductance or current recorded directly would show a spike's jump one sample after its
arrival. A cell type lists such variables in ``arrival_values``: its mechanism copies each of
them at the start of every step, after the events due then, and the backend records the
copy, which NEURON stores one step later (the entry recorded at step s + 1 is the sample of
step s). The sample of the last step of a run is read from the cells when the run ends
(`Recorder._run_ended`), and the entry that the next run records for that step is skipped.
Known limit: NEURON delivers an event due at the end of a step within that step or at the
start of the next one, as the rounding of its clock falls, so a spike arriving exactly when
a run ends may not be in that last sample yet (doc/differences.md).
"""

import numpy as np

from pyNN import errors, recording
from pyNN.recording import synapses
from pyNN.neuron import hoc, simulator


class Recorder(recording.Recorder):
    """Tells NEURON what to record for one population and fetches raw arrays."""

    def __init__(self, population):
        self._vectors = {}  # variable -> {"vectors", "base" (step of entry 0), "last" (last step given)}
        super().__init__(population)

    def _check_backend_can_record(self, variable):
        if variable != "spikes" and variable not in self.population.native_type.variable_map:
            raise errors.NoModelAvailableError(
                f"Recording '{variable}' of '{self.population.label}' is not available on the NEURON backend")

    def _configure(self, variable, indices, interval_steps):
        state = simulator.state
        if variable == "spikes":
            state.discard_spikes(self.population)  # spikes before now are not data of new cells
            return
        self._drop(variable)
        if len(indices) == 0:
            return
        h = hoc.h()
        celltype = self.population.native_type
        native = celltype.variable_map[variable]
        copy = celltype.arrival_values.get(variable)
        cells = self.population._cells
        # in a distributed run: vectors for this process's cells only (`keep`: their positions
        # among the recorded cells; the core fills the other columns from their processes)
        keep, mine = self.population._local_selection(indices)
        vectors = []
        for i in mine.tolist():
            vec = h.Vector()
            vec.record(hoc.reference(cells[i], copy or native))
            vectors.append(vec)
        # vectors installed before the first finitialize() get the sample of step 0 first
        base = state.steps + 1 if state.nrn_initialized else 0
        self._vectors[variable] = {"vectors": vectors, "base": base, "last": state.steps,
                                   "keep": keep, "n": len(indices),
                                   "final": _FinalValues(cells, mine, native) if copy else None}
        state.objects_added()

    def _drop(self, variable):
        old = self._vectors.pop(variable, None)
        if old:
            for vec in old["vectors"]:
                vec.play_remove()

    def _drop_all(self):
        for variable in list(self._vectors):
            self._drop(variable)

    def _after_finitialize(self):
        """finitialize() empties the vectors and records the state at t = 0."""
        for info in self._vectors.values():
            info["base"] = 0
            info["last"] = 0

    def _after_reinit(self):
        """After a state-preserving re-initialisation: the vectors hold only the value
        recorded by finitialize(); samples resume with the next step."""
        steps = simulator.state.steps
        for info in self._vectors.values():
            for vec in info["vectors"]:
                vec.resize(0)
            info["base"] = steps + 1
            info["last"] = max(info["last"], steps)

    def _fetch_spikes(self):
        idx, times = simulator.state.take_spikes(self.population)
        keep = self.recorded.get("spikes", np.zeros(self.population.size, bool))[idx] if idx.size \
            else np.zeros(0, bool)
        return idx[keep], times[keep]

    def _run_ended(self):
        """End of a run: keep the values of the last step of the variables recorded through an
        arrival copy (see the module docstring), before anything can change them between runs."""
        for info in self._vectors.values():
            if info["final"] is not None:
                info["final"].take(simulator.state.steps)

    def _fetch_signal(self, variable, epoch):
        info = self._vectors.get(variable)
        if info is None:
            return None
        state = simulator.state
        now = state.steps
        k = epoch.interval_steps
        last = max(info["last"], epoch.t_start_steps)
        first = epoch.t_start_steps + ((last - epoch.t_start_steps) // k + 1) * k
        wanted = np.arange(first, now + 1, k)
        vectors = info["vectors"]
        final = info["final"]
        # entry j of a vector was recorded at step base + j; through an arrival copy it holds
        # the sample of the step before, and the sample of step `now` is not in it yet
        shift = 0
        tail = None
        if final is not None:
            shift = 1
            if wanted.size and wanted[-1] == now:
                wanted, tail = wanted[:-1], final.values(now)
        factor = self.population.native_type.scale_factors.get(variable, 1.0)
        rows = None
        if (wanted.size or tail is not None) and info["keep"] is not None:
            rows = self._local_rows(info, wanted - info["base"] + shift, tail, factor)
        elif wanted.size or tail is not None:
            at = wanted - info["base"] + shift
            # the wanted samples are usually a run of consecutive ones: a slice, not a gather
            span = slice(at[0], at[-1] + 1) if at.size and at[-1] - at[0] + 1 == at.size else at
            # if the epoch holds only its first sample, it heads the block, so that nothing is
            # joined (copied) later
            head = epoch.take_first_row()
            n_head = 0 if head is None else 1
            # the whole (cells x samples) array at once, one contiguous row per Vector (NEURON
            # keeps one per cell), handed over transposed as (samples x cells)
            block = np.empty((len(vectors), n_head + at.size + (tail is not None)))
            if at.size:
                for j, vec in enumerate(vectors):
                    block[j, n_head:n_head + at.size] = vec.as_numpy()[span]
            if tail is not None:
                block[:, -1] = tail
            if factor != 1.0:
                block[:, n_head:] *= factor
            if head is not None:
                block[:, 0] = head[0]
            rows = block.T
        for vec in vectors:
            vec.resize(0)
        info["base"] = now + 1
        info["last"] = now
        return rows

    def _local_rows(self, info, at, tail, factor):
        """Distributed run: (samples x recorded cells) with this process's columns filled and
        the others NaN (the core takes each column from the process that owns the cell);
        `at`: the entries of the vectors, `tail`: None or a last row of this process's cells."""
        rows = np.full((at.size + (tail is not None), info["n"]), np.nan)
        for j, vec in zip(info["keep"].tolist(), info["vectors"]):
            rows[:at.size, j] = vec.as_numpy()[at]
        if tail is not None:
            rows[-1, info["keep"]] = tail
        return rows * factor

    def _current_values(self, variable, indices):
        return self.population._native_state(variable, indices)

    def _restart_signal(self, variable, indices):
        info = self._vectors.get(variable)
        if info is not None:
            for vec in info["vectors"]:
                vec.resize(0)
            info["base"] = simulator.state.steps + 1
            info["last"] = simulator.state.steps


class _FinalValues:
    """The values of one variable of the recorded cells of this process at the end of a run,
    read through one vector of pointers."""

    def __init__(self, cells, mine, native):
        h = hoc.h()
        self._pointers = None
        self._out = h.Vector(len(mine))
        if len(mine):  # (NEURON has no empty PtrVector)
            self._pointers = h.PtrVector(len(mine))
            for k, i in enumerate(mine.tolist()):  # once, when recording starts
                self._pointers.pset(k, hoc.reference(cells[i], native))
        self._step = None
        self._values = None

    def take(self, step):
        self._step = step
        self._values = self._read()

    def values(self, step):
        """The values kept at the end of the run that ended at `step` (read now if none was)."""
        return self._values if self._step == step else self._read()

    def _read(self):
        if self._pointers is not None:
            self._pointers.gather(self._out)
        return self._out.as_numpy().copy()


class WeightSampler:
    """Samples of the weights of a projection of STDP connections on the sample grid,
    without stopping the core's run at each sample (see pyNN.recording.synapses).

    A connection's weight changes only when a pre-synaptic spike is delivered to it
    (pynn_stdp.inc): after the spike is recorded, between spike + shortest and spike +
    longest delay of its cell's connections (plus one step). The State's run therefore steps
    from sample time to sample time with plain ``psolve`` calls, and at each sample time
    reads, through one vector of pointers per pre-synaptic cell, only the connections of
    the cells with a spike whose delivery may have shown since the previous sample time.
    Those readings are events (connection, step, value); the samples are rebuilt from them
    when the data are asked for, and equal what ``get()`` returns after running to each
    sample time."""

    includes_now = True

    def __init__(self, projection, interval_steps):
        self.projection = projection
        self.interval = interval_steps
        pre = projection._pre.astype(np.int64)
        order = np.argsort(pre, kind="stable")
        cells, starts = np.unique(pre[order], return_index=True)
        # pre index -> (positions of its connections, their weights' pointers, output vector)
        h = hoc.h()
        netcons = projection._netcons
        self._by_pre = {}
        for cell, positions in zip(cells.tolist(), np.split(order, starts[1:])):
            pointers = h.PtrVector(positions.size)
            for k, position in enumerate(positions.tolist()):  # once, when recording starts
                pointers.pset(k, netcons[position]._ref_weight[0])
            out = h.Vector(positions.size)
            # (a numpy view of the output vector, made once: its memory stays in place)
            self._by_pre[cell] = (positions, pointers, out, out.as_numpy())
        gids = np.asarray(projection.pre._native_ids(), dtype=np.int64)
        self._gid_order = np.argsort(gids, kind="stable")
        self._sorted_gids = gids[self._gid_order]
        self._update_delays()
        self.restart()

    def _update_delays(self):
        """The shortest and longest delay (steps) of each pre-synaptic cell's connections."""
        state = simulator.state
        n = self.projection._pre.size
        delays = np.broadcast_to(np.asarray(self.projection._syn["delay"], dtype=float), (n,))
        pre = self.projection._pre.astype(np.int64)
        shortest = np.full(self.projection.pre.size, np.inf)
        longest = np.zeros(self.projection.pre.size)
        np.minimum.at(shortest, pre, delays)
        np.maximum.at(longest, pre, delays)
        shortest[np.isinf(shortest)] = 0.0
        self._shortest = np.rint(shortest / state.dt).astype(np.int64)
        self._longest = np.rint(longest / state.dt).astype(np.int64)

    def _read_all(self):
        """The weights of every connection now (standard units), through the vectors of
        pointers of the pre-synaptic cells (a vector for all of them would cost as much
        again to build)."""
        raw = np.empty(self.projection._pre.size)
        for positions, pointers, out, view in self._by_pre.values():
            pointers.gather(out)
            raw[positions] = view
        return self.projection._standard_plastic_weights(raw, slice(None))

    def restart(self):
        """At creation and after reset(): start from the weights NEURON holds now."""
        self.current = self._read_all()
        self._new_readings()
        # windows of sample steps at which a cell's connections are read: cell, first, last
        self.windows = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.spikes_seen = 0

    def values_changed(self, names):
        """Projection.set() between runs."""
        if "delay" in names:
            self._update_delays()
        if "weight" in names:
            self.current = self._read_all()

    def _grid_at_or_after(self, steps):
        recorder = self.projection._synapse_recorder
        anchor = recorder.current.t_start_steps
        return anchor + -(-(np.asarray(steps) - anchor) // self.interval) * self.interval

    def sample_steps(self, start, end):
        """The sample steps in (start, end]."""
        first = int(self._grid_at_or_after(start + 1))
        return np.arange(first, end + 1, self.interval, dtype=np.int64)

    def run_starts(self):
        """The spike vectors are emptied at the end of every run (State.collect_spikes)."""
        self.spikes_seen = 0

    def reached(self, step):
        """NEURON has run to `step`, a sample step: read the connections that may have changed."""
        self.note_spikes()
        cells, first, last = self.windows
        if not cells.size:
            return
        due = cells[first <= step]
        keep = last > step
        self.windows = (cells[keep], first[keep], last[keep])
        for cell in np.unique(due).tolist():
            positions, pointers, out, view = self._by_pre[cell]
            pointers.gather(out)
            self.values.append(view.copy())
            self.positions.append(positions)
            self.reading_steps.append(step)

    def _new_readings(self):
        self.values = []  # raw weights read at each reading
        self.positions = []  # positions of the connections read at each reading
        self.reading_steps = []  # step of each reading

    def note_spikes(self):
        """Open a window of sample steps for each spike since the last call: from the first
        sample at or after spike + shortest delay - one step (a voltage-jump target gets its
        input one step early) to the first at or after spike + longest delay + two steps."""
        state = simulator.state
        n = int(state._spike_ids.size())
        if n <= self.spikes_seen:
            return
        gids = state._spike_ids.as_numpy()[self.spikes_seen:n].astype(np.int64)
        times = state._spike_times.as_numpy()[self.spikes_seen:n]
        self.spikes_seen = n
        found = np.minimum(np.searchsorted(self._sorted_gids, gids), max(self._sorted_gids.size - 1, 0))
        mine = self._sorted_gids[found] == gids if self._sorted_gids.size else np.zeros(gids.size, bool)
        cells = self._gid_order[found[mine]]
        cells = cells[np.isin(cells, list(self._by_pre))] if len(self._by_pre) < self.projection.pre.size \
            else cells
        spike_steps = np.rint(times[mine] / state.dt).astype(np.int64)
        first = self._grid_at_or_after(spike_steps + self._shortest[cells] - 1)
        last = self._grid_at_or_after(spike_steps + self._longest[cells] + 2)
        self.windows = tuple(np.concatenate([old, new]) for old, new in zip(self.windows, (cells, first, last)))

    def samples(self, steps):
        """{'weight': function building the (len(steps) x connections) samples}."""
        if self.positions:
            positions = np.concatenate(self.positions)
            sizes = [p.size for p in self.positions]
            first_steps = np.repeat(np.asarray(self.reading_steps, dtype=np.int64), sizes)
            values = self.projection._standard_plastic_weights(np.concatenate(self.values), positions)
        else:
            positions, first_steps, values = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        self._new_readings()
        start = self.current
        self.current = synapses.after_events(start, positions, values)
        steps = np.array(steps, dtype=np.int64)
        return {"weight": lambda: synapses.step_function_samples(start, positions, first_steps, values, steps)}
