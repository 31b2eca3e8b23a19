"""NEURON state: set-up, the fixed-step run, exact reset and spike collection.

How the library maps onto NEURON. Every cell model is a point process written for this
backend (``nmodl/*.mod``) that holds its own state and advances it once per time step,
exactly (linear models) or with 4th-order Runge-Kutta sub-steps (non-linear models),
so the results follow the library's time grid whatever NEURON's integrator would do.
All of them sit in one shared single-segment section; spike sources are artificial
cells. Every mechanism emits its spikes with ``net_event`` (cells through a WATCH on
their spike flag), and its output NetCon is registered with the ParallelContext under
the cell's ID (its gid); connections are ``gid_connect`` NetCons; all spikes are
recorded into one ``spike_record`` pair of vectors. ``run()`` is one
``ParallelContext.psolve`` call; ``reset()`` is ``finitialize`` (every mechanism's
INITIAL block restores the initial values; the event queue is emptied) followed by
re-queuing the spike sources' input.

Time grid. NEURON delivers an event due at time te in the step that starts at the
grid time nearest te, before that step's update, and a cell that crosses threshold
during the step ending at t spikes at t: a spike emitted at t with delay d acts on its
target in the step starting at t + d, i.e. it appears in the sample at t + d + dt. A
recorded synaptic conductance holds it already in the sample at t + d, as on the other
backends (see recording.py).
"""

import logging
import warnings

import numpy as np

from pyNN import errors
from pyNN.common import mpi_guard
from pyNN.common.control import BaseState, _shortest_delay_so_far
from pyNN.neuron import mechanisms, reinit
from pyNN.neuron.injection import InjectionGroup
from pyNN.neuron.mpi import world_for
from pyNN.neuron.hoc import h as hoc
from pyNN.neuron.standardmodels.synapses import NESTML_STDP_TARGETS, STDP_HISTORY, STDP_TARGETS

logger = logging.getLogger("PyNN")


class State(BaseState):
    """The NEURON backend's global state."""

    backend_name = "NEURON"
    #: off_grid: SpikeSourceArray cells emit (and record) their spike times exactly, through
    #: NEURON's event queue (see populations.py); cells still fire on the grid
    spike_precisions = ("on_grid", "off_grid")

    def __init__(self):
        super().__init__()
        self.pc = None
        self.section = None
        self.nrn_initialized = False
        self.rng_seed = 42
        self.use_cvode = False
        self.default_maxstep = 10.0
        self.rtol = None
        self.atol = None
        self._pending_spikes = {}
        self.injections_changed = False
        self.exchange_interval = None

    # --- set-up ----------------------------------------------------------------------
    def check_processes(self, n, source):
        """A launch of `n` > 1 processes is accepted when MPI and NEURON both see them: the
        network is then distributed over the processes (see pyNN.common.distributed)."""
        world_for(n, source, self._parallel_context())

    def _parallel_context(self):
        if self.pc is None:
            self.pc = hoc().ParallelContext()
        return self.pc

    def setup(self, *args, **kwargs):
        """Release the previous network's NEURON objects, then set up as every backend."""
        self._release_network()
        super().setup(*args, **kwargs)

    def _release_network(self):
        """Let NEURON free the previous network's objects (re-running setup() starts anew).
        The cells' section is kept for the whole process, so that cells still referenced
        somewhere remain valid point processes."""
        if self.pc is not None:
            self.pc.gid_clear()
        for recorder in self.recorders:
            recorder._drop_all()
        for group in list(getattr(self, "stim_groups", {}).values()) + getattr(self, "_retired_groups", []):
            group.detach()
        for projection in self.projections:
            projection._netcons = []
            projection._n_initialised = 0
            projection._weight_pointers = None
            projection._readout_pointers = None
            if getattr(projection, "_modulation", None) is not None:
                projection._modulation.netcons = []
        for population in self.populations:
            population._release()

    def _setup(self, use_cvode=False, rtol=None, atol=None, default_maxstep=10.0, native_rng_baseseed=0,
               rng_seed=42, **unknown):
        if unknown:
            raise errors.InvalidTypeError(
                f"setup() got unknown NEURON option(s) {sorted(unknown)}; NEURON options are "
                f"use_cvode, rtol, atol, default_maxstep, native_rng_baseseed, rng_seed, max_delay")
        if use_cvode:
            raise errors.NotSupportedError(
                "setup(use_cvode=True) is not supported by the pyNN.neuron backend: its cell mechanisms "
                "integrate themselves exactly on the fixed time grid (see doc/behaviour.md, NEURON section)")
        if not (isinstance(default_maxstep, (int, float)) and default_maxstep > 0):
            raise errors.InvalidParameterValueError(
                f"setup(): default_maxstep must be a positive number of ms, got {default_maxstep!r}")
        for name, value in (("rtol", rtol), ("atol", atol)):
            if value is not None and not (isinstance(value, (int, float)) and value > 0):
                raise errors.InvalidParameterValueError(f"setup(): {name} must be a positive number, got {value!r}")
        h = hoc()
        self.use_cvode = False
        self.rtol, self.atol = rtol, atol
        self.default_maxstep = float(default_maxstep)
        self.rng_seed = int(rng_seed) + int(native_rng_baseseed)
        pc = self._parallel_context()
        n, source = mpi_guard.launched_processes()
        self.world = world_for(n, source, pc) if n > 1 else None
        # the processes must advance together, so a run is not cut into slices of wall time
        # (the slices would differ between processes)
        self.slice_runs = self.world is None
        self.exchange_interval = None  # (a distributed run's, see set_exchange_interval)
        self.pc.gid_clear()
        self.nrn_initialized = False
        self.needs_reinit = False
        self._pending_spikes = {}
        self.injections_changed = False
        self.stim_groups = {}
        self._retired_groups = []  # step-wise groups stopped after a run (injection.py)
        self._guarded_sources = np.zeros(0, np.int64)  # see guard_sources
        self._source_guards = []
        h.dt = self.dt
        cvode = h.CVode()
        cvode.active(0)
        self._spike_times = h.Vector()
        self._spike_ids = h.Vector()  # each population adds its cells (see populations.py)
        self._stdp_lost = _lost_events("stdp_lost", (*STDP_TARGETS, *NESTML_STDP_TARGETS))
        self._mod_lost = _lost_events("mod_lost", NESTML_STDP_TARGETS)

    def objects_added(self):
        """Called when NEURON objects are created: after the first finitialize() they
        need a state-preserving re-initialisation before the next run."""
        if self.nrn_initialized:
            self.needs_reinit = True

    def guard_sources(self, gids):
        """In a distributed run, give each source (`gids`) of connections made on this process
        one NetCon that never carries a spike (inactive, with reinit.UNUSED_DELAY): NEURON then
        never queues a spike that arrived from another process as one event at its source's
        common delay. Such an event would be handed on to connections made after the spike
        was emitted, and NEURON's SaveState cannot restore it (the process crashes), so that
        the state-preserving re-initialisation needs it gone. (A cell of this process has its
        detector, see Population._register_gids.)"""
        if self.world is None:
            return
        new = np.setdiff1d(np.asarray(gids, dtype=np.int64), self._guarded_sources)
        if not new.size:
            return
        h = hoc()
        if not self._source_guards:
            self._guard_target = h.PyNN_Relay()  # (receives nothing: the guards are inactive)
        for gid in new.tolist():
            guard = self.pc.gid_connect(gid, self._guard_target)
            guard.weight[0] = 0.0
            guard.delay = reinit.UNUSED_DELAY
            guard.active(False)
            self._source_guards.append(guard)
        self._guarded_sources = np.union1d(self._guarded_sources, new)
        self.objects_added()

    def ensure_mechanisms(self):
        """Compile/load the mechanisms and create the section holding the cells (and the
        dormant artificial cells that let spike sources be created after a run, see reinit.py)."""
        mechanisms.load()
        if self.section is None:
            self.section = hoc().Section(name="pyNN_cells")
            self.section.L = self.section.diam = 10.0
            self._dormant_cells = reinit.dormant_cells()

    @property
    def min_delay(self):
        return self._min_delay if self._min_delay is not None else self.dt

    # --- running -------------------------------------------------------------------------
    def _initialize(self):
        h = hoc()
        self.ensure_mechanisms()  # (the dormant cells must take part in the first initialisation)
        h.dt = self.dt
        for population in self.populations:
            population._before_finitialize()
        for group in self._retired_groups:
            group.detach()  # (finitialize() empties the event queue that still names them)
        self._retired_groups = []
        self.attach_continuous_injections()
        # before finitialize(): it starts the exchange of spikes between MPI processes at the
        # interval set here
        self.set_exchange_interval(fresh=True)
        h.finitialize()
        self.nrn_initialized = True
        self.needs_reinit = False
        for population in self.populations:
            population._after_finitialize()
        for projection in self.projections:
            projection._after_init()
        for recorder in self.recorders:
            recorder._after_finitialize()

    def _reinit_preserving_state(self):
        """Activate NEURON objects created since the last finitialize() (recording and
        playing vectors, cells, spike sources, connections): the new ones start from their
        initial values at the current time, the simulation of the others goes on exactly
        as without them (see reinit.py)."""
        for recorder in self.recorders:
            recorder.fetch()
        self.collect_spikes()
        reinit.continue_with_new_objects(self)
        self._spike_times.resize(0)  # spikes "emitted" by finitialize() are not data
        self._spike_ids.resize(0)
        for recorder in self.recorders:
            recorder._after_reinit()

    def _begin_run(self, target_steps):
        self._run_start = self.steps
        self.prepare_injections(target_steps)
        if not self.nrn_initialized:
            self._initialize()
        elif self.needs_reinit and self.steps == 0:
            self._initialize()  # at time 0 every state is its initial value: nothing to preserve
        elif self.needs_reinit:
            self.set_exchange_interval(fresh=False)
            self._reinit_preserving_state()
        self.needs_reinit = False

    def set_exchange_interval(self, fresh):
        """Give NEURON the longest interval between two exchanges of spikes between MPI
        processes (``ParallelContext.set_maxstep``; NEURON exchanges at the shortest of it and
        the delays of the connections between processes), before a (re-)initialisation.

        In a distributed run the interval is chosen at each initialisation from t = 0
        (`fresh`) and kept until the next one. A state-preserving re-initialisation after a run
        (reinit.py) restores NEURON's saved event queue, in which the next exchange is still due
        at the interval chosen before: had a connection made after the run shortened it, a
        spike sent on that connection would reach its target before the exchange that brings
        it ("Event arrived out of order", which stops NEURON). So the interval is never longer
        than any connection made later may be (`exchange_floor`), and connections made after a
        run that are shorter still are refused (Projection._check_backend_delays).
        """
        if self.world is None:
            self.pc.set_maxstep(self.default_maxstep)
            return
        if fresh or self.exchange_interval is None:
            self.exchange_interval = float(self.pc.set_maxstep(min(self.default_maxstep, self.exchange_floor())))
            return
        interval = float(self.pc.set_maxstep(self.exchange_interval))
        if interval < self.exchange_interval - 1e-9 * self.dt:
            # (a safety net: the connections are checked when they are made)
            raise errors.NotSupportedError(
                f"run(): a connection made after the last run has a delay of {interval:g} ms (as NEURON delivers "
                f"it), shorter than the {self.exchange_interval:g} ms interval at which NEURON exchanges spikes "
                f"between the {self.num_processes} MPI processes of this run until the next reset(); give setup() a "
                f"min_delay no longer than the shortest delay you will use, or make the connection before the "
                f"first run or after reset()")

    def exchange_floor(self):
        """The shortest delay (ms, as NEURON delivers it) that a connection made in a
        distributed run may have: ``min_delay`` (with 'auto', the shortest delay of the
        connections made so far), less the one step by which the inputs of voltage-jump cells
        and PointNeurons are delivered early, and at least the two steps NEURON needs (see
        Projection._check_backend_delays)."""
        shortest = self.min_delay if self._min_delay is not None else _shortest_delay_so_far(self)
        return max(2 * self.dt, (shortest if shortest is not None else 0.0) - self.dt)

    def _advance(self, n_steps):
        end = self.steps + n_steps
        samplers = [r.native for r in self.synapse_recorders
                    if r.variables and hasattr(r.native, "sample_steps")]
        if samplers:
            self._advance_sampling_weights(end, samplers)
        else:
            self.pc.psolve(end * self.dt)
        self.catch_last_step_spikes(end * self.dt)
        self._check_stdp_history()

    def _end_run(self):
        if self.steps != self._run_start:
            for recorder in self.recorders:
                recorder._run_ended()

    def _advance_sampling_weights(self, end, samplers):
        """Run to step `end`, stopping at each weight-sample time of the projections that
        record STDP weights (see recording.WeightSampler)."""
        for sampler in samplers:
            sampler.run_starts()
        stops = np.unique(np.concatenate([s.sample_steps(self.steps, end) for s in samplers]))
        for stop in stops.tolist():
            self.pc.psolve(stop * self.dt)
            for sampler in samplers:
                sampler.reached(stop)
        if not stops.size or stops[-1] < end:
            self.pc.psolve(end * self.dt)
        for sampler in samplers:
            # the spikes since the last sample time (the vectors are emptied below) may be
            # delivered in the next run
            sampler.note_spikes()

    def _check_stdp_history(self):
        """Warn when an STDP connection missed post-synaptic spikes because its target fired
        more often between two of its pre-synaptic spikes than the cell's spike record holds
        (see pynn_stdp.inc)."""
        if not any(hasattr(p.synapse_type, "stdp_slots") for p in self.projections):
            return
        self._warn_lost("_stdp_lost", "stdp_lost", (*STDP_TARGETS, *NESTML_STDP_TARGETS), lambda n: (
            f"pyNN.neuron STDP: {n} post-synaptic spike(s) were not applied to plastic connections whose target "
            f"cell fired more than {STDP_HISTORY} times between two of their pre-synaptic spikes (the cell keeps its "
            f"last {STDP_HISTORY} spikes); the weights of those connections differ from the rule of "
            f"doc/behaviour.md"))
        self._warn_lost("_mod_lost", "mod_lost", NESTML_STDP_TARGETS, _modulatory_lost_message)

    def _warn_lost(self, attribute, prefix, mechanisms, message):
        """Warn with `message(count)` if the mechanisms' counters of events they could not apply
        (``<prefix>_<mechanism>``, see _lost_events) went up since the total kept in `attribute`;
        keep the new total there."""
        lost = _lost_events(prefix, mechanisms)
        if lost > getattr(self, attribute):
            # (stacklevel: the caller of _advance, through _check_stdp_history)
            warnings.warn(message(int(lost - getattr(self, attribute))), UserWarning, stacklevel=4)
        setattr(self, attribute, lost)

    def catch_last_step_spikes(self, t_end):
        """Report now the spikes of the last step of a run.

        A cell's WATCH on `spk` emits its spike event at the start of the next step, i.e. in
        the next run(); nest, brian2 and hardware report such a spike in the run where it
        happened, so it is taken here from the `spk` flags, and the copy NEURON records at
        the start of the next run is dropped (see collect_spikes).
        """
        h = hoc()
        self.collect_spikes()  # (drops the copies of the previous run's early spikes)
        self._early_spikes = {}
        for population in self.populations:
            flags = getattr(population, "_spk_flags", None)
            recorded = population.recorder.recorded.get("spikes")
            if flags is None or recorded is None or not recorded.any():
                continue
            cells = population._spk_cells  # the cells of this process, in the order of the flags
            values = h.Vector(cells.size)
            flags.gather(values)
            fired = cells[(values.as_numpy() > 0.5) & recorded[cells]]
            if fired.size:
                self._pending_spikes.setdefault(id(population), []).append(
                    (fired, np.full(fired.size, t_end)))
                self._early_spikes[id(population)] = (fired, t_end)

    def _reset(self):
        self.collect_spikes()
        self._pending_spikes = {}
        self._early_spikes = {}  # their events are dropped by the re-initialisation
        if self.pc is not None:
            self._initialize()
            self._spike_times.resize(0)
            self._spike_ids.resize(0)

    # --- current sources ---------------------------------------------------------------------
    def prepare_injections(self, end_steps):
        """Before a run up to step `end_steps`: (re)compute the summed current of every group
        of cells that receive the same sources and, if injections changed, connect each
        group's vector to its cells (see injection.py)."""
        if not self.current_sources:
            return
        if self.injections_changed or not self.stim_groups:
            self._connect_injection_groups(end_steps)
        steps = np.arange(end_steps + 2)
        for key, group in self.stim_groups.items():
            total = np.zeros(steps.size)
            for k in key:
                total += self.current_sources[k].current_at_steps(steps)
            vec = group.values
            old = vec.as_numpy()
            n = min(old.size, total.size)
            if not np.array_equal(old[self.steps:n], total[self.steps:n]):
                # a parameter changed between runs: NEURON has already fetched the values of the
                # next steps, so the vector is only read afresh after a re-initialisation
                self.objects_added()
            if vec.size() != total.size:
                vec.resize(total.size)
            vec.as_numpy()[:] = total
            if group.update_knots(self.dt):
                self.objects_added()  # a continuous play is set up for its new length (injection.py)

    def _connect_injection_groups(self, end_steps):
        """One group per set of sources: a Vector played into the i_inj of its cells
        (step-wise before the simulation has advanced, continuously after a run: see
        injection.py)."""
        continuous = self.nrn_initialized and self.steps > 0
        for group in self.stim_groups.values():
            if not continuous:
                group.detach()
            elif group.retire(self.steps):
                self._retired_groups.append(group)
        self.stim_groups = {}
        for key, cells in _injection_groups(self.current_sources).items():
            group = InjectionGroup(cells, end_steps + 2, continuous)
            group.start(self.dt)
            self.stim_groups[key] = group
        self.injections_changed = False
        self.objects_added()

    def detach_continuous_injections(self):
        """Before the state-preserving re-initialisation saves the state (see injection.py)."""
        for group in self.stim_groups.values():
            if group.continuous:
                group.detach()

    def attach_continuous_injections(self):
        """After the state was saved, before finitialize() (see injection.py)."""
        for group in self.stim_groups.values():
            group.attach()

    # --- spikes ----------------------------------------------------------------------------
    def collect_spikes(self):
        """Move the spikes NEURON recorded into per-population buffers (cell index, step)."""
        if self.pc is None or self._spike_times.size() == 0:
            return
        times = self._spike_times.as_numpy().copy()
        gids = self._spike_ids.as_numpy().astype(np.int64)
        self._spike_times.resize(0)
        self._spike_ids.resize(0)
        early = getattr(self, "_early_spikes", {})
        for population in self.populations:
            if not population.recorder.recorded.get("spikes", np.zeros(0, bool)).any():
                continue
            first = population.first_id_int
            sel = (gids >= first) & (gids < first + population.size)
            if id(population) in early:
                # already reported at the end of the previous run
                cells, t_end = early[id(population)]
                sel &= ~(np.isin(gids - first, cells) & (np.abs(times - t_end) < 0.5 * self.dt))
            if sel.any():
                self._pending_spikes.setdefault(id(population), []).append((gids[sel] - first, times[sel]))

    def take_spikes(self, population):
        """The spikes of `population` collected so far: (indices, times on the grid; with
        spike_precision='off_grid', a SpikeSourceArray's times as given)."""
        self.collect_spikes()
        chunks = self._pending_spikes.pop(id(population), [])
        if not chunks:
            return np.zeros(0, np.int64), np.zeros(0)
        idx = np.concatenate([c[0] for c in chunks])
        times = np.concatenate([c[1] for c in chunks])
        if self.spike_precision == "off_grid" and getattr(population.native_type, "source_kind", None) == "relay":
            return idx, times  # a SpikeSourceArray's own times (see populations.py)
        return idx, self.steps_to_time(np.rint(times / self.dt))

    def discard_spikes(self, population):
        """Forget the spikes of `population` collected so far (they are not data)."""
        self.collect_spikes()
        self._pending_spikes.pop(id(population), None)


def _lost_events(prefix, mechanisms):
    """The total of the counters ``<prefix>_<mechanism>`` (globals of the mechanisms that keep
    a bounded record of events: STDP post spikes, NESTML modulatory spikes) of `mechanisms`:
    the events those mechanisms could not apply so far."""
    h = hoc()
    return sum(getattr(h, f"{prefix}_{name}", 0.0) for name in mechanisms)


def _modulatory_lost_message(count):
    from pyNN.neuron.nestml_synapse_nmodl import NMOD
    return (f"pyNN.neuron NESTML synapses: {count} modulatory spike(s) were not applied to connections whose "
            f"target cell received more than {NMOD} modulatory spikes of their projection between two of their "
            f"pre-synaptic spikes (the cell keeps the last {NMOD}); the state of those connections differs from "
            f"the rule")


def _injection_groups(sources):
    """{tuple of source positions: [(population, cell index), ...]} for every injected cell."""
    per_cell = {}
    for k, source in enumerate(sources):
        for root, indices in source._targets:
            for i in np.unique(indices).tolist():
                per_cell.setdefault((id(root), i), (root, i, []))[2].append(k)
    groups = {}
    for root, i, positions in per_cell.values():
        groups.setdefault(tuple(positions), []).append((root, i))
    return groups


state = State()
