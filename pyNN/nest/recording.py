"""NEST recorders: one spike_recorder per population, one multimeter per signal epoch.

NEST delivers multimeter samples one min_delay late, so the sample at the current time
is read directly from the cells' state and the rest come from the multimeter. While a
state variable is recorded at the first run, the kernel's min_delay is one step (see
simulator.py); a recording started after a first run that fixed a longer one also has
the samples of the last steps of each slice read from the cells (``_capture_tail``).
"""

import nest
import numpy as np

from pyNN import errors, recording
from pyNN.recording import synapses
from pyNN.nest import simulator
from pyNN.nest.receptor_currents import ReceptorCurrentTracker


def _set_device(device, **params):
    """Set parameters of one recording device through the kernel call NodeCollection.set()
    ends with: set() itself first reads the device's 'local' flag and, given a dict, its
    whole status, and either read builds the full status, events included, which costs as
    much as fetching the recorded data once more."""
    from pyNN.nest.populations import _set_status  # imported here: populations imports us
    if _set_status is None:  # pragma: no cover - other NEST versions
        device.set([params])
    else:
        _set_status(device._datum, [params])


def _get_device(device, key):
    """One status entry of one recording device (as NodeCollection.get(key), without its
    checks)."""
    from pyNN.nest import populations  # imported here: populations imports us
    if populations._set_status is None:  # pragma: no cover - other NEST versions
        return device.get(key)
    return populations._kernel.llapi_get_nc_status(device._datum, key)


class Recorder(recording.Recorder):
    """Tells NEST what to record for one population and fetches raw arrays."""

    def __init__(self, population):
        self._forget_devices()
        super().__init__(population)

    def _forget_devices(self):
        self._spike_recorder = None
        self._spike_connected = None
        self._multimeters = {}  # id(epoch) -> (multimeter, last fetched step)
        self._epochs = {}  # the same keys -> the signal epoch
        self._tail = {}  # the same keys -> {step: samples read from the cells (see _capture_tail)}
        self._trackers = {}  # variable -> ReceptorCurrentTracker (receptor currents NEST does not expose)

    def record(self, variables, indices, sampling_interval=None):
        # a receptor current can only be recorded from a known value (see receptor_currents):
        # refused before anything changes
        state = simulator.state
        names = [variables] if isinstance(variables, str) else (variables or [])
        tracked = [v for v in names if _tracked(self.population, v) and self.population.celltype.can_record(v)]
        if tracked and state.steps > 0 and state.warmed_up:
            self.fetch()
            for var in tracked:
                mask = self.recorded.get(var, np.zeros(self.population.size, dtype=bool)).copy()
                mask[indices] = True
                tracker = self._trackers.get(var) or ReceptorCurrentTracker(self.population, var)
                tracker.value_now(np.flatnonzero(mask))
        super().record(variables, indices, sampling_interval)

    def _before_run(self):
        for tracker in self._trackers.values():
            tracker.attach()

    def _capture_tail(self, step):
        """Read the samples of user step `step` from the cells, for multimeters whose samples
        NEST will deliver only after the end of the current run (see State._advance)."""
        for key, epoch in self._epochs.items():
            k = epoch.interval_steps
            if key[0] in self._trackers:
                continue  # rebuilt from the spikes when fetched (receptor_currents)
            if step > epoch.t_start_steps and (step - epoch.t_start_steps) % k == 0:
                values = np.asarray(self._current_native(key[0], epoch.indices), dtype=float)
                self._tail.setdefault(key, {})[step] = values

    def _check_backend_can_record(self, variable):
        if variable == "spikes":
            return
        pop = self.population
        native = pop.native_type.variable_map.get(variable, "")
        model = pop._model if pop.size else None  # (not a node's: it may live on another MPI process)
        readable = set(nest.GetDefaults(model)) if model else set()
        multisynapse_g = native.startswith("g_") and native[2:].isdigit() and "g" in readable
        if native not in readable and not multisynapse_g and not _tracked(pop, variable):
            # NEST's multimeter delivers the sample at the end of a run one step late, so the
            # library reads that sample from the cell's state, which NEST does not expose here
            raise errors.NoModelAvailableError(
                f"Recording '{variable}' of '{pop.label}' ({type(pop.celltype).__name__}) is not "
                f"available on the NEST backend: NEST's {model} does not expose the current value of "
                f"'{native}'")

    def _configure(self, variable, indices, interval_steps):
        pop = self.population
        if variable == "spikes":
            if self._spike_recorder is None:
                self._spike_recorder = nest.Create("spike_recorder")
                self._spike_connected = np.zeros(pop.size, dtype=bool)
            new = np.zeros(pop.size, dtype=bool)
            new[indices] = True
            add = np.flatnonzero(new & ~self._spike_connected)
            if add.size:
                # NEST's min_delay (NEST's default 1 ms may lie outside the kernel's delay range);
                # the spike recorder stores spike times whatever the delay, at the end of each slice
                simulator.state.connect_device(pop._nodes[add.tolist()], self._spike_recorder)
                self._spike_connected[add] = True
            return
        epochs = self.current.signals.get(variable)
        if not epochs or len(indices) == 0:
            return
        epoch = epochs[-1]
        for key, (mm, _) in list(self._multimeters.items()):
            if key[0] == variable and key[1] != id(epoch):
                self._stop(mm)
                self._epochs.pop(key, None)  # no samples of a stopped epoch are read any more
        key = (variable, id(epoch))
        if key in self._multimeters:
            return
        state = simulator.state
        si = interval_steps * state.dt
        start_nest = state.nest_time(epoch.t_start_steps * state.dt)
        offset = round((start_nest % si) / state.dt) * state.dt
        if abs(offset - si) < 1e-9 * si:
            offset = 0.0
        native_var = pop.native_type.variable_map[variable]
        if _tracked(pop, variable):
            self._trackers.setdefault(variable, ReceptorCurrentTracker(pop, variable)).restart(epoch.indices)
        mm = nest.Create("multimeter", params={"record_from": [native_var], "interval": si,
                                               "offset": offset})
        state.records_signals = True  # keeps NEST's min_delay at one step (see simulator.py)
        state.connect_device(mm, pop._nodes[np.asarray(epoch.indices).tolist()])
        self._multimeters[key] = (mm, epoch.t_start_steps)
        self._epochs[key] = epoch

    def _stop(self, mm):
        state = simulator.state
        _set_device(mm, stop=state.nest_time(state.t) + state.dt)

    def _fetch_spikes(self):
        if self._spike_recorder is None:
            return np.zeros(0, np.int64), np.zeros(0)
        events = self._spike_recorder.get("events")
        _set_device(self._spike_recorder, n_events=0)
        senders = np.asarray(events["senders"], dtype=np.int64)
        state = simulator.state
        times = np.asarray(events["times"], dtype=float) - state.offset
        if state.spike_precision == "on_grid":
            times = state.steps_to_time(np.rint(times / state.dt))  # remove float noise of the offset
        else:
            times = np.round(times, 12)  # (precise times: the offset's float noise only)
        index = senders - self.population._node_ids[0] if senders.size else senders
        keep = self.recorded.get("spikes", np.zeros(self.population.size, bool))[index] if index.size else \
            np.zeros(0, bool)
        # spikes of the warm-up steps (before user time 0, see simulator.py) are not data
        keep &= times > -0.5 * state.dt
        return index[keep], times[keep]

    def _fetch_signal(self, variable, epoch):
        key = (variable, id(epoch))
        if key not in self._multimeters:
            return None
        mm, last_step = self._multimeters[key]
        state = simulator.state
        now = state.steps
        k_step = epoch.interval_steps
        # sample steps on the epoch's grid in (last_step, now]
        first = last_step + k_step - ((last_step - epoch.t_start_steps) % k_step)
        wanted = np.arange(first, now + 1, k_step)
        if wanted.size == 0:
            return None
        pop = self.population
        native_var = pop.native_type.variable_map[variable]
        events = mm.get("events")
        _set_device(mm, n_events=0)
        # NEST's multimeter has delivered the samples up to the start of its current interval
        # (all but the last with a one-step min_delay); the later ones were read from the cells
        offset_steps = round(state.offset / state.dt)
        delivered = state.last_delivered_nest_step(now + offset_steps) - offset_steps
        from_mm = wanted[(wanted < now) & (wanted <= delivered)]
        late = wanted[(wanted < now) & (wanted > delivered)]
        chunks = []
        if from_mm.size:
            block = self._time_major_block(events, native_var, epoch, last_step, now, from_mm)
            if block is None:
                block = self._sorted_block(events, native_var, epoch, last_step, now, from_mm)
            del events  # the times and senders arrays are not needed any more: free them now
            celltype = pop.native_type
            factor = celltype.scale_factors.get(variable, 1.0)
            if factor != 1.0:
                block *= factor
            offset_param = getattr(celltype, "variable_offsets", {}).get(variable)
            if offset_param:
                block += pop._std[offset_param][epoch.indices]
            chunks.append(block)
        tracker = self._trackers.get(variable)
        if tracker is not None:
            if from_mm.size:
                tracker.delivered(from_mm[-1], chunks[-1][-1])
            rest = wanted[wanted > (from_mm[-1] if from_mm.size else last_step)]
            if rest.size:
                chunks.append(tracker.values_at(rest))
            self._multimeters[key] = (mm, now)
            return chunks
        if late.size:
            captured = self._tail.get(key, {})
            missing = [int(step) for step in late if step not in captured]
            if missing:
                raise errors.SimulatorError(
                    f"NEST multimeter for '{native_var}' of '{pop.label}': the samples of steps {missing[:3]} were "
                    f"neither delivered by NEST nor read from the cells")
            chunks.append(np.stack([captured[step] for step in late.tolist()]))
        if wanted[-1] == now:
            chunks.append(np.asarray(self._current_native(variable, epoch.indices), dtype=float).reshape(1, -1))
        self._tail[key] = {step: v for step, v in self._tail.get(key, {}).items() if step > now}
        self._multimeters[key] = (mm, now)
        return chunks

    def _time_major_block(self, events, native_var, epoch, last_step, now, from_mm):
        """The samples as a (len(from_mm) x cells) view of NEST's value array, if NEST
        delivered them time-major with the senders in the epoch's order (its usual order
        with one thread); None otherwise. Checks cost a few passes, no sort and no copy."""
        state = simulator.state
        n_cells = len(epoch.indices)
        values = np.asarray(events[native_var], dtype=float)
        if n_cells == 0 or values.size % n_cells or not self.population._mask_local[epoch.indices].all():
            return None
        n_rows = values.size // n_cells
        senders = np.asarray(events["senders"]).reshape(n_rows, n_cells)
        node_ids = self.population._node_ids[epoch.indices]
        if not (senders == node_ids).all():
            return None
        times = np.asarray(events["times"], dtype=float).reshape(n_rows, n_cells)
        if not (times == times[:, :1]).all():
            return None
        steps = np.rint((times[:, 0] - state.offset) / state.dt).astype(np.int64)
        rows = np.flatnonzero((steps > last_step) & (steps < now))
        if rows.size != from_mm.size or (rows.size and rows[-1] - rows[0] + 1 != rows.size) \
                or not np.array_equal(steps[rows], from_mm):
            return None
        # a writable view: the scale factor and offset are applied in place
        return values.reshape(n_rows, n_cells)[rows[0]:rows[-1] + 1]

    def _sorted_block(self, events, native_var, epoch, last_step, now, from_mm):
        """The samples as a (len(from_mm) x cells) array, whatever NEST's order (several
        threads interleave their cells). In a distributed run NEST's multimeter has the samples
        of this process's cells only: the other columns are NaN, and the core takes them from
        the processes that own the cells (pyNN.common.distributed)."""
        state = simulator.state
        times = np.asarray(events["times"], dtype=float)
        steps = np.rint((times - state.offset) / state.dt).astype(np.int64)
        senders = np.asarray(events["senders"], dtype=np.int64)
        values = np.asarray(events[native_var], dtype=float)
        indices = np.asarray(epoch.indices, dtype=np.int64)
        local = self.population._mask_local[indices]
        sel = (steps > last_step) & (steps < now)
        expected = from_mm.size * int(np.count_nonzero(local))
        if np.count_nonzero(sel) != expected:
            raise errors.SimulatorError(f"NEST multimeter for '{native_var}' of "
                                        f"'{self.population.label}' returned {np.count_nonzero(sel)} values, "
                                        f"expected {expected}")
        if local.all():
            order = np.lexsort((senders[sel], steps[sel]))
            return values[sel][order].reshape(from_mm.size, indices.size)
        block = np.full((from_mm.size, indices.size), np.nan)
        node_ids = self.population._node_ids[indices]
        by_id = np.argsort(node_ids, kind="stable")
        columns = by_id[np.searchsorted(node_ids, senders[sel], sorter=by_id)]
        block[np.searchsorted(from_mm, steps[sel]), columns] = values[sel]
        return block

    def _current_native(self, variable, indices):
        return self.population._native_state(variable, indices)

    def _current_values(self, variable, indices):
        state = simulator.state
        if _tracked(self.population, variable) and state.steps > 0:
            tracker = self._trackers.get(variable)
            if tracker is None:
                tracker = self._trackers[variable] = ReceptorCurrentTracker(self.population, variable)
            return tracker.value_now(indices)
        if not state.warmed_up or state.steps == 0:
            return self.population._initial[variable][indices] if variable in self.population._initial \
                else np.zeros(len(indices))
        return self._current_native(variable, indices)

    def _restart_signal(self, variable, indices):
        epochs = self.current.signals.get(variable)
        if epochs:
            self._configure(variable, indices, self._interval_steps())


class WeightEventLog:
    """The events of a weight_recorder attached to one NEST synapse model: (sender,
    target, time, weight) of every spike its connections transmit, the weight being the one
    after the synapse's update. Fetched from NEST in pieces (and the device emptied, so that
    no event is fetched twice) and shared by the samplers of the projections using the model."""

    FIELDS = ("senders", "targets", "times", "weights", "ports", "receptors")

    def __init__(self, model, targets=None):
        # targets: node ids whose incoming spikes are wanted (None: all)
        self.targets = None if targets is None else np.unique(np.asarray(targets, dtype=np.int64))
        params = {} if self.targets is None else {"targets": nest.NodeCollection(self.targets.tolist())}
        self.device = nest.Create("weight_recorder", params=params)
        nest.SetDefaults(model, {"weight_recorder": self.device})
        self.pieces = []  # (number of the first event, {name: array})
        self.fetched = 0  # events fetched so far
        self.cursors = {}  # reader key -> number of the next event it has not taken

    def watch(self, targets=None):
        """Report the spikes reaching `targets` (node ids) too; None: those reaching any cell."""
        if self.targets is None:
            return
        if targets is None:
            self.targets = None
            _set_device(self.device, targets=nest.NodeCollection([]))  # (an empty filter lets all pass)
            return
        wider = np.union1d(self.targets, np.asarray(targets, dtype=np.int64))
        if wider.size != self.targets.size:
            self.targets = wider
            _set_device(self.device, targets=nest.NodeCollection(wider.tolist()))

    def register(self, key):
        """A reader `key` that takes the events not fetched yet and all later ones. (Those
        not fetched yet happened before now: a reader that starts from the weights of now
        finds them again by applying them, so none of them can be missing.)"""
        self.cursors[key] = self.fetched

    def take(self, key, extra=()):
        """The events that reader `key` has not taken yet: (senders, targets, times, weights),
        followed by the fields named in `extra` ('ports', 'receptors')."""
        # one status read: NEST builds the whole status, events included, for any of its keys
        events = _get_device(self.device, "events")
        n = np.asarray(events["times"]).size
        if n:
            self.pieces.append((self.fetched, {name: np.asarray(events[name]) for name in self.FIELDS}))
            _set_device(self.device, n_events=0)
            self.fetched += n
        first = self.cursors[key]
        parts = [(start, piece) for start, piece in self.pieces if start + piece["times"].size > first]
        self.cursors[key] = self.fetched
        # pieces every reader has taken are not needed any more
        oldest = min(self.cursors.values())
        self.pieces = [(start, piece) for start, piece in self.pieces if start + piece["times"].size > oldest]
        out = []
        for name in ("senders", "targets", "times", "weights") + tuple(extra):
            arrays = [piece[name][max(first - start, 0):] for start, piece in parts]
            out.append(np.concatenate(arrays) if arrays else np.zeros(0))
        return out


class WeightSampler:
    """Samples of the weights of a projection of stdp-type synapses on the sample grid,
    rebuilt from NEST's weight_recorder (see pyNN.recording.synapses), without stopping the
    run or reading the connections: a NEST synapse changes its weight only when it transmits
    a spike, and the weight_recorder reports the new weight then. NEST delivers the spikes
    of one min_delay slice at the start of the next slice, so the sample at step k sees a
    spike stamped s iff the end of s's slice is before k: exactly what ``get()`` would read
    after running to k."""

    includes_now = True

    def __init__(self, projection):
        self.projection = projection
        self.current = np.array(projection._read_synapse_state("weight"), dtype=float)
        self._attach()

    def _attach(self):
        self.log = simulator.state.weight_event_log(self.projection._nest_model)
        self.log.register(id(self.projection))

    def samples(self, steps):
        """{'weight': function building the (len(steps) x connections) samples}: the events
        are turned into samples when the data are asked for (get_data)."""
        senders, targets, times, weights = self.log.take(id(self.projection))
        positions = self.projection._connection_positions(senders.astype(np.int64), targets.astype(np.int64))
        mine = positions >= 0
        positions, times = positions[mine], np.asarray(times, dtype=float)[mine]
        values = self.projection._standard_plastic_weights(weights[mine])
        world = simulator.state.world
        if world is not None:
            # each MPI process has the events of the connections onto its own cells: every
            # process takes them all (a collective call, as every fetch of recorded data), in
            # time order (a connection transmits at most once per step)
            parts = world.allgather((positions, times, values))
            positions, times, values = (np.concatenate([part[k] for part in parts]) for k in range(3))
            order = np.argsort(times, kind="stable")
            positions, times, values = positions[order], times[order], values[order]
        first_steps = self._first_steps(times)
        start = self.current
        self.current = synapses.after_events(start, positions, values)
        steps = np.array(steps, dtype=np.int64)
        return {"weight": lambda: synapses.step_function_samples(start, positions, first_steps, values, steps)}

    def _first_steps(self, times):
        """The first user step whose sample sees a spike stamped at NEST time `times`."""
        state = simulator.state
        stamp = np.rint(np.asarray(times, dtype=float) / state.dt).astype(np.int64)
        slice_steps = max(1, round(nest.GetKernelStatus("min_delay") / state.dt))
        slice_end = -(-stamp // slice_steps) * slice_steps
        return slice_end + 1 - round(state.offset / state.dt)

    def values_changed(self, names):
        """Projection.set() between runs: NEST's weights are now the core's."""
        if "weight" in names:
            # the events so far were delivered before now (and every sample up to now has
            # been taken): the new weights replace what they did
            self.log.take(id(self.projection))
            self.current = self.projection._core_weights()

    def restart(self):
        """After reset(): the kernel was rebuilt from the core's values, with a new model."""
        self.current = self.projection._core_weights()
        self._attach()


def _tracked(population, variable):
    """Whether `variable` is a receptor current that NEST records but does not expose
    (its last sample of a run comes from a ReceptorCurrentTracker)."""
    native = getattr(population.native_type, "variable_map", {}).get(variable, "")
    return native.startswith("I_syn_") and native[6:].isdigit() and hasattr(population.native_type,
                                                                                "receptor_ports")
