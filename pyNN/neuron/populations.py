"""NEURON populations: one mechanism instance per cell, registered under its ID as gid.

Cells are point processes in the state's shared section (spike sources: artificial
cells). NEURON's Python API sets values object by object, so setting parameters is one
tight loop per parameter over the selected cells.
"""

import numpy as np

from pyNN import errors
from pyNN.common import populations as common
from pyNN.neuron import hoc, reinit, simulator
from pyNN.neuron.hoc import get_value, set_values
from pyNN.neuron.recording import Recorder
from pyNN.neuron.standardmodels.cells import NeuronPointNeuronModel
from pyNN.parameters import ArrayParameter


def _per_cell(value, n, keep=None):
    """A list with one value per cell from a scalar or an array (of which only the positions
    `keep` are taken, if given)."""
    if isinstance(value, np.ndarray) and value.ndim:
        return (value if keep is None else value[keep]).tolist()
    if isinstance(value, np.generic):
        value = value.item()
    return [value] * n


class Population(common.Population):
    """A group of cells simulated by NEURON."""

    _simulator = simulator
    _recorder_class = Recorder
    _point_neuron_model = NeuronPointNeuronModel  # a PointNeuron's native type

    def _check_backend_support(self):
        state = simulator.state
        state.ensure_mechanisms()

    # --- creation --------------------------------------------------------------------
    def _create_cells(self):
        state = simulator.state
        h = hoc.h()
        celltype = self.native_type
        mechanism = getattr(h, celltype.native_name)
        # in a distributed run only this process's cells exist in NEURON (None elsewhere)
        self._refuse_state_set_after_start(self._initial)  # (before any NEURON object is made)
        local = self._mask_local.tolist()
        if celltype.artificial:
            self._cells = [mechanism() if mine else None for mine in local]
        else:
            location = state.section(0.5)
            self._cells = [mechanism(location) if mine else None for mine in local]
        self._feeders = [None] * self.size
        self._retired_feeders = []
        native = dict(getattr(celltype, "extra_parameters", {}))
        native.update(self._translate(self._std))
        self._set_native_parameters(native, self._indices, queue=False)
        if self._has_random:
            self._seed(self._indices)
        # created after the first initialisation: NEURON accepts events for these cells only after
        # the next (state-preserving) one, so their input is queued then (see _after_reinit)
        self._awaiting_init = state.nrn_initialized
        self._register_gids()
        state.objects_added()

    def _register_gids(self):
        state = simulator.state
        h = hoc.h()
        pc = state.pc
        # every mechanism emits its spikes with net_event (cells: from a WATCH on `spk`), so
        # the output NetCon has the mechanism itself as source (a NetCon watching a variable
        # through a pointer costs time proportional to the number of existing ones)
        self._detectors = []
        local = np.flatnonzero(self._mask_local)
        cells = [self._cells[i] for i in local.tolist()]
        gids = self._native_ids()[local]
        for gid, cell in zip(gids.tolist(), cells):
            pc.set_gid2node(gid, pc.id())
            detector = h.NetCon(cell, None)
            detector.delay = reinit.UNUSED_DELAY
            pc.cell(gid, detector)
            self._detectors.append(detector)
        if local.size:
            pc.spike_record(h.Vector(gids.astype(float)), state._spike_times, state._spike_ids)
        # pointers to each local cell's `spk` flag, read in one call at the end of a run (see
        # State.catch_last_step_spikes); `_spk_cells` are the cells' indices
        self._spk_flags = None
        self._spk_cells = local
        if local.size and hasattr(cells[0], "_ref_spk"):
            self._spk_flags = h.PtrVector(local.size)
            for k, cell in enumerate(cells):
                self._spk_flags.pset(k, cell._ref_spk)
        # and to each cell's membrane potential, read in one call after every slice of a run
        # (see pyNN.common.numerical_safety)
        self._v_pointers = None
        native_v = self.native_type.variable_map.get("v")
        if local.size and native_v and hasattr(cells[0], "_ref_" + native_v):
            # only this process's cells exist in NEURON (the others are None)
            self._v_pointers = h.PtrVector(local.size)
            for k, cell in enumerate(cells):
                self._v_pointers.pset(k, getattr(cell, "_ref_" + native_v))
            self._v_values = h.Vector(local.size)
            self._v_cells = None if local.size == self.size else local

    def _native_ids(self):
        return self.first_id_int + self._indices

    def _local_selection(self, indices):
        """(positions in `indices` of the cells simulated by this process, their indices);
        the positions are None when every cell is local (a one-process run)."""
        indices = np.asarray(indices, dtype=np.int64)
        if self._all_local:
            return None, indices
        keep = np.flatnonzero(self._mask_local[indices])
        return keep, indices[keep]

    @property
    def _all_local(self):
        return simulator.state.world is None

    def _release(self):
        """Drop the NEURON objects of this population (a new setup() was called)."""
        self._detectors = []
        self._feeders = [None] * self.size
        self._retired_feeders = []
        self._cells = []
        self._v_pointers = None

    # --- parameters ------------------------------------------------------------------
    def _set_native_parameters(self, native_values, indices, queue=True):
        cells = self._cells
        keep, mine = self._local_selection(indices)
        selected = [cells[i] for i in mine.tolist()]
        n = len(selected)
        for name, value in native_values.items():
            if name == "spike_times":
                self._set_spike_times(value, indices)
                continue
            set_values(selected, name, _per_cell(value, n, keep))
        if self.native_type.source_kind == "renewal" and queue and simulator.state.nrn_initialized \
                and not self._awaiting_init:
            self._restart_sources(indices)

    def _set_spike_times(self, value, indices):
        indices = np.asarray(indices)
        # per cell: the steps of its spikes, or with spike_precision='off_grid' their times (ms)
        if not hasattr(self, "_spike_events"):
            self._spike_events = [np.zeros(0, np.int64)] * self.size
        values = value if isinstance(value, np.ndarray) and value.dtype == object else [value] * len(indices)
        state = simulator.state
        for i, v in zip(indices.tolist(), values):
            times = np.asarray(v.value if isinstance(v, ArrayParameter) else v, dtype=float).reshape(-1)
            if state.spike_precision == "off_grid":
                self._spike_events[i] = times.copy()  # (finite: checked by the core)
            else:
                self._spike_events[i] = state.time_to_steps(times, f"spike times of '{self.label}'") \
                    if times.size else np.zeros(0, np.int64)
        if state.nrn_initialized and not getattr(self, "_awaiting_init", True):
            self._queue_spike_times(indices, from_step=state.steps)

    def _queue_spike_times(self, indices, from_step=0):
        """Feed the relays of SpikeSourceArray cells their spike times from `from_step` on
        (events queued earlier for these cells are withdrawn). With spike_precision='off_grid'
        the times are queued as given: NEURON's event queue delivers them to the relay at that
        time, which emits (and records) its spike then."""
        h = hoc.h()
        dt = simulator.state.dt
        exact = simulator.state.spike_precision == "off_grid"
        for i in self._local_selection(indices)[1].tolist():
            old = self._feeders[i]
            if old is not None:
                old.weight[0] = 0.0  # queued events of the old feeder are ignored by the relay
                self._retired_feeders.append(old)  # events in the queue refer to it: keep it alive
            feeder = h.NetCon(None, self._cells[i])
            feeder.weight[0] = 1.0
            self._feeders[i] = feeder
            events = self._spike_events[i]
            event = feeder.event
            if exact:
                # not before NEURON's clock (from_step * dt may exceed h.t by float noise)
                for time in events[events >= from_step * dt].tolist():
                    event(max(time, h.t))
                continue
            for step in events[events >= from_step].tolist():
                event(step * dt)

    def _seed(self, indices):
        """Random streams of the random sources: (seed, gid, segment)."""
        state = simulator.state
        seed = state.rng_seed % (2 ** 32)
        segment = state.segment_counter
        ids = self._native_ids()
        for i in self._local_selection(indices)[1].tolist():
            self._cells[i].r.set_ids(seed, int(ids[i]), segment)

    def _restart_sources(self, indices):
        """Restart random sources from the current time after a parameter change."""
        h = hoc.h()
        t_now = simulator.state.t
        for i in self._local_selection(indices)[1].tolist():
            if self._feeders[i] is None:
                self._feeders[i] = h.NetCon(None, self._cells[i])
            self._feeders[i].event(t_now)

    def _source_state(self):
        """What SaveState does not keep: random stream positions (and the generation of
        random sources' self-events)."""
        if not self._has_random or self._awaiting_init:
            return None
        renewal = self.native_type.source_kind == "renewal"
        return [(cell.gen if renewal else None, cell.r.get_seq()) for cell in self._cells if cell is not None]

    def _restore_source_state(self, values):
        if values is not None:
            for cell, (gen, seq) in zip([c for c in self._cells if c is not None], values):
                if gen is not None:
                    cell.gen = gen
                cell.r.set_seq(seq)

    #: set when a stochastic synapse targets these cells: their mechanism's RANDOM stream is used
    _random_inputs = False

    @property
    def _has_random(self):
        """Whether the cells' mechanism draws from its RANDOM stream `r` (random cells and
        sources, and the targets of stochastic synapses)."""
        return self.native_type.has_random or self._random_inputs

    def _use_random_inputs(self):
        """A stochastic synapse targets these cells: seed their streams now and at each
        initialisation."""
        if not self._random_inputs:
            self._random_inputs = True
            self._seed(self._indices)

    def _before_finitialize(self):
        if self._has_random:
            self._seed(self._indices)

    def _after_finitialize(self):
        self._retired_feeders = []  # the event queue is empty now
        self._awaiting_init = False
        self._set_state_after_init(self._indices)
        if self.native_type.source_kind == "relay":
            self._queue_spike_times(self._indices)

    def _new_object_references(self):
        """Pointers to the variables that the initialisation sets in the cells of a population
        created since the last one (see reinit.py)."""
        if not self._awaiting_init:
            return []
        variables = reinit.initialised_variables(self.native_type.native_name)
        return reinit.variable_references([c for c in self._cells if c is not None], variables)

    def _after_reinit(self):
        """After the state-preserving initialisation that activated cells created after a run
        (they have their initial values now): replay the initial events of spike sources at the
        current time. (A cell's initial event, which arms the WATCH that emits its spikes, is
        delivered within finitialize(), and the restored state keeps the WATCH armed.)"""
        if not self._awaiting_init:
            return
        self._awaiting_init = False
        self._start_now()
        kind = self.native_type.source_kind
        if kind == "relay":
            self._queue_spike_times(self._indices, from_step=simulator.state.steps)
        elif kind == "renewal":
            for cell in self._cells:
                if cell is not None:
                    cell.r.set_seq(0)  # the stream as the INITIAL block leaves it
            self._restart_sources(self._indices)

    def _start_now(self):
        """What the INITIAL block of cells created after a run did relative to time 0 (within
        the finitialize() whose state and events were then replaced), done at the current time
        (NEURON's IntFire2 and IntFire4: the start of their self-events; see the cell type's
        `start_now`)."""
        start_now = getattr(self.native_type, "start_now", None)  # (PointNeuron, NESTML: none)
        if start_now is None:
            return
        receive_flag_1 = hoc.h().pynn_start_self_events
        for cell in self._cells:
            if cell is not None:
                start_now(cell, receive_flag_1)

    # --- state variables -------------------------------------------------------------
    def _set_state_after_init(self, indices, names=None):
        """Set the state that NEURON's INITIAL block of an artificial cell sets to 0 (IntFire1's
        m) to the initial values: right after an initialisation at time 0, where the block has
        set the time m decays from (t0) to 0 as well, so the value is exact."""
        names = getattr(self.native_type, "state_set_after_init", ()) if names is None else names
        if not names:
            return
        keep, mine = self._local_selection(indices)
        selected = [self._cells[i] for i in mine.tolist()]
        for name in names:
            values = self._initial[name][indices]
            values = (values if keep is None else values[keep]) / self.native_type.scale_factors.get(name, 1.0)
            set_values(selected, self.native_type.variable_map[name], values.tolist())

    def _refuse_state_set_after_start(self, values):
        """IntFire1's m decays from the time of the cell's last event, which NEURON does not
        expose: an initial m is exact only for cells that start at time 0 (before the first
        run, after reset())."""
        names = getattr(self.native_type, "state_set_after_init", ())
        if simulator.state.steps == 0 or not names:
            return
        for name in names:
            if name in values and np.any(np.asarray(values[name]) != self.native_type.default_initial_values[name]):
                raise errors.NotSupportedError(
                    f"Population '{self.label}': an initial {name} of NEURON's {self.native_type.native_name} "
                    f"takes effect at time 0 only (before the first run or after reset()) on the NEURON "
                    f"backend; the simulation is at step {simulator.state.steps}")

    def _set_initial_values(self, indices, initial_values):
        self._refuse_state_set_after_start(initial_values)  # (before the core stores anything)
        super()._set_initial_values(indices, initial_values)

    def _set_native_initial_values(self, std_initial_values, indices):
        celltype = self.native_type
        after_init = [name for name in std_initial_values if name in getattr(celltype, "state_set_after_init", ())]
        if after_init:
            # stored by the core; set in the cells now, for what is read before the run (the first
            # sample), and again after the initialisation, whose INITIAL block sets them to 0
            self._set_state_after_init(indices, after_init)
            std_initial_values = {k: v for k, v in std_initial_values.items() if k not in after_init}
        vmap = celltype.variable_map
        scales = celltype.scale_factors
        cells = self._cells
        keep, mine = self._local_selection(indices)
        selected = [cells[i] for i in mine.tolist()]
        for name, values in std_initial_values.items():
            native = vmap[name]
            values = np.broadcast_to(np.asarray(values, dtype=float), (len(indices),))
            native_values = ((values if keep is None else values[keep]) / scales.get(name, 1.0)).tolist()
            set_values(selected, "init_" + native, native_values)
            set_values(selected, native, native_values)

    def _native_state(self, variable, indices):
        """Current value of a state variable in standard units (NaN for the cells of other
        processes in a distributed run)."""
        celltype = self.native_type
        native = celltype.variable_map[variable]
        cells = self._cells
        keep, mine = self._local_selection(indices)
        values = np.array([get_value(cells[i], native) for i in mine.tolist()], dtype=float)
        if keep is not None:
            values, local_values = np.full(len(indices), np.nan), values
            values[keep] = local_values
        return values * celltype.scale_factors.get(variable, 1.0)

    def _nrn_cells(self):
        return self._cells

    def _membrane_potential(self):
        pointers = getattr(self, "_v_pointers", None)
        if pointers is None:
            return None
        pointers.gather(self._v_values)
        if self._v_cells is None:
            return self._v_values.as_numpy()
        v = np.zeros(self.size)  # cells of other processes are checked there
        v[self._v_cells] = self._v_values.as_numpy()
        return v

    def _add_injection(self, source, indices):
        # after a run the new groups of injected cells are played continuously (injection.py)
        simulator.state.injections_changed = True  # the groups of injected cells are made anew


class PopulationView(common.PopulationView):
    """A subset of a NEURON population."""

    def _nrn_cells(self):
        cells = self.grandparent._cells
        return [cells[i] for i in self._indices.tolist()]


class Assembly(common.Assembly):
    """A group of NEURON populations."""

    def _nrn_cells(self):
        return [cell for p in self.populations for cell in p._nrn_cells()]


Population._view_class = PopulationView
Population._assembly_class = Assembly
