"""NEST state: kernel set-up, the time offset convention, run and exact reset.

Time convention on NEST. NEST devices cannot act in the very first step of a
simulation (a generator's output travels through a connection of NEST's min_delay,
and output of step 0 is not delivered). To give the library's single time-grid
convention (a current source with ``start=0`` acts from the first step; a spike source
may fire at t=0), the NEST kernel runs ``offset`` = min_delay + dt ahead of user time
(two steps with a one-step min_delay): user time t is NEST time ``t + offset``. Those
warm-up steps are
simulated at the first run, after which every cell's state is set back to its initial
values. Device times are shifted accordingly; recorded times are shifted back.

Communication interval. NEST exchanges spikes between its update slices every
``min_delay`` ms, and every connection, including those of devices, must be at least that
long. The library fixes it at the first run (``State._fix_delay_range``): the
``setup(min_delay=...)`` value if given, otherwise the shortest delay of the projections
that exist then, but one step while a state variable is recorded (NEST's multimeter
delivers its samples one interval late, and each run must end with every sample) or a
projection has synapse dynamics (NEST updates a plastic synapse when it delivers a spike,
at the end of the interval in which it was sent, and its state read between runs or
sampled during a run must include every spike sent before).
Device connections get that delay: they wait for the first run unless the interval is
bound to be one step already (then they are made at once, in the build, as a native
script makes them; see ``State.connect_device``), and the kernel runs
``min_delay + dt`` ahead of user time (``offset``), so that generators still act from user
time 0 (see doc/behaviour.md, "NEST's communication interval").

Reset. NEST 3 has no network reset, so ``reset()`` rebuilds the kernel from the
core's description of the network (populations with their current parameters,
connections from the stored arrays, current sources, recorders). This is exact: no
spike in transit and no device state survives a reset.
"""

import logging
import tempfile

import nest
import numpy as np

from pyNN import errors
from pyNN.common import distributed, mpi_guard
from pyNN.common.control import BaseState
import pyNN.nest.launch as launch

logger = logging.getLogger("PyNN")

#: delays (ms) up to which projections can be created after a run with max_delay='auto',
#: unless a plastic projection exists at the first run (see State._delay_reserve). Each NEST
#: cell keeps input buffers of (min_delay + max_delay) / dt slots, and NEST's cost per step
#: grows with them: 5 ms made a network with 0.1 ms delays run 1.3-1.5 x slower than with
#: 1 ms (benchmarks/README.md, scaling.py). 1 ms is what a native script gets whose devices
#: are connected with NEST's default delay; longer delays after a run go through relays.
DELAY_FLOOR = 1.0

_VERBOSITY = {"all": "ALL", "info": "INFO", "deprecated": "DEPRECATED", "warning": "WARNING",
              "error": "ERROR", "fatal": "FATAL"}


#: why PyNN's NEST options `recording_precision` and `t_flush` change nothing here
_INEFFECTIVE = {
    "recording_precision": "recorded values come from NEST as float64 arrays in memory, not from "
                           "text files written with a given number of digits",
    "t_flush": "reset() rebuilds the NEST kernel, so nothing of a previous run is left to flush",
}


def _log_ineffective(**options):
    """Accept PyNN's NEST options that have no effect on this backend, and say so (INFO)."""
    for name, value in options.items():
        if value is not None:
            logger.info("setup(%s=%r) has no effect on the NEST backend: %s", name, value, _INEFFECTIVE[name])


#: the standard models whose random numbers NEST draws from the stream of the thread a cell or
#: connection is on (logged at setup(threads > 1); the random spike sources are drawn by the
#: library instead, see pyNN.nest.random_sources)
THREAD_DEPENDENT_DRAWS = (
    "NEST draws the random numbers of SimpleStochasticSynapse (bernoulli_synapse), "
    "StochasticTsodyksMarkramSynapse and MultiQuantalSynapse (quantal_stp_synapse), GIF_cond_exp "
    "(its escape noise), NESTML models that call random functions and native NEST models that draw "
    "random numbers from the stream of the thread each cell or connection is on, so their results "
    "differ from those of threads=1 (same statistics, other draws); everything else, random spike "
    "sources included (drawn by the library), gives the results of threads=1")


def nest_has_mpi():
    """Whether the installed NEST was built with MPI (the PyPI wheel is not)."""
    return bool(nest.build_info.get("have_mpi", False))


def world_for(n, source):
    """The processes of a launch of `n` processes (a :class:`~pyNN.common.distributed.World`),
    checked to be the same for MPI (mpi4py) and for NEST.

    NEST places every neuron on one process (node id ``i`` on rank ``i % n``, whatever the
    number of threads) and creates on each process only the connections onto its neurons;
    the core then generates only those connections and gathers recorded data
    (:mod:`pyNN.common.distributed`)."""
    if not nest_has_mpi():
        raise launch.refusal_without_mpi(n, source, f"{nest.__version__} ")
    world = distributed.start(n, source, "NEST")
    if nest.NumProcesses() != world.size:
        raise errors.NotSupportedError(
            f"setup(): this script was launched as {n} processes ({source}={n}) and MPI sees them, but "
            f"NEST sees {nest.NumProcesses()} (NEST and mpi4py must use the same MPI library: build NEST "
            f"with the MPI compiler wrappers of the MPI mpi4py uses, see the 'Running on a cluster' page)")
    return world


class State(BaseState):
    """The NEST backend's global state."""

    backend_name = "NEST"
    #: off_grid: NEST's precise-timing models (see populations.py)
    spike_precisions = ("on_grid", "off_grid")

    #: NEST hands out node states one by one (measured 10-40 us per node, 10^5 nodes, by load):
    #: the divergence check is spaced out accordingly (pyNN.common.numerical_safety), and
    #: made only where NEST can diverge silently (pyNN.nest.divergence)
    state_read_cost = 3e-5

    def __init__(self):
        super().__init__()
        self.threads = 1
        self.rng_seed = 42
        self.warmed_up = False
        self._comm_steps = 1
        self._pending_devices = []
        self._comm_steps_early = None
        self._delays_seen = 0
        self.records_signals = False
        self.model_counter = 0
        self.synapse_models = {}
        #: called after every nest.ResetKernel() (e.g. to install NESTML modules again)
        self.kernel_reset_hooks = []

    @property
    def comm_delay(self):
        """NEST's min_delay (ms): the delay of every device connection. One step until the
        first run fixes it (see :meth:`_fix_delay_range`)."""
        return self._comm_steps * self.dt

    @property
    def offset(self):
        """NEST time minus user time (ms): the device delay plus the step in which NEST
        devices cannot act (see the module docstring)."""
        return (self._comm_steps + 1) * self.dt

    @property
    def device_shift(self):
        """Added to user times of generators, whose output reaches cells ``comm_delay`` later."""
        return self.dt

    def connect_device(self, sources, targets, rule="all_to_all"):
        """Connect a device (or generator -> parrot) with the device delay. Before the first
        run that delay is known only when the communication interval is bound to be one step
        (see :meth:`_one_step_interval_known`): the connection is then made at once, so that
        NEST's one-off cost of a neuron's first device connection (about 30 us per neuron,
        measured natively with NEST 3.10) falls in the build, as in a native script; otherwise
        it waits for the first run (and is made with the next device connection that finds the
        interval known)."""
        self._pending_devices.append((sources, targets, rule))
        if self.warmed_up or self._one_step_interval_known():
            self._connect_pending_devices()

    def _connect_pending_devices(self):
        pending, self._pending_devices = self._pending_devices, []
        for sources, targets, rule in pending:
            nest.Connect(sources, targets, rule, syn_spec={"delay": self.comm_delay})

    def _explicit_comm_steps(self):
        """setup(min_delay) in steps (None with 'auto')."""
        return None if self._min_delay is None else max(1, int(self._min_delay / self.dt + 1e-9))

    def _shortest_delay_steps(self):
        """The shortest delay of the projections that exist, in steps (None without any)."""
        delays = [np.min(p._syn["delay"]) for p in self.projections
                  if p._pre.size and p._syn.get("delay") is not None]
        return max(1, round(float(min(delays)) / self.dt)) if delays else None

    def _one_step_needed(self):
        """One step whatever the delays: a state variable is recorded or a projection has
        synapse dynamics (see the module docstring)."""
        return self.records_signals or any(p._has_synapse_dynamics() for p in self.projections)

    def _choose_comm_steps(self):
        """NEST's min_delay in steps, chosen at the first run: one step while a state variable
        is recorded or a projection has synapse dynamics, else setup(min_delay) or, with
        'auto', the shortest existing delay."""
        if self._one_step_needed():
            return 1
        if self._min_delay is not None:
            return self._explicit_comm_steps()
        return self._shortest_delay_steps() or 1

    def _one_step_interval_known(self):
        """Whether :meth:`_choose_comm_steps` is bound to choose one step at the first run,
        whatever is created before it (one step is the shortest interval, so one reason for it
        is enough): a state variable recorded, synapse dynamics, setup(min_delay) of one step,
        or, with 'auto', a projection with a one-step delay. Only the last can be undone before
        the run (``Projection.set(delay=...)``): :meth:`run_steps` then rebuilds the kernel."""
        if self._comm_steps_early:
            return True
        if self._one_step_needed() or self._explicit_comm_steps() == 1:
            self._comm_steps_early = "fixed"
        elif self._min_delay is None and len(self.projections) != self._delays_seen:
            # (the delays are looked at again only when projections were added: a delay set
            # shorter without one only leaves the devices waiting, as before)
            self._delays_seen = len(self.projections)
            if self._shortest_delay_steps() == 1:
                self._comm_steps_early = "delays"
        return bool(self._comm_steps_early)

    def run_steps(self, n_steps):
        # devices connected early on the strength of a one-step delay that set(delay=...) has
        # lengthened since: rebuild (at t = 0) so that they wait for the interval of the run
        if not self.warmed_up and self._comm_steps_early == "delays" and self._choose_comm_steps() != 1:
            logger.info("NEST: the projections' delays changed before the first run; the kernel is rebuilt "
                        "so that the devices get the communication interval chosen now")
            self.rebuild()
        super().run_steps(n_steps)

    def _delay_reserve(self):
        """Delay (ms) of the idle connection that reserves NEST's delay range for projections
        created after the first run: setup(max_delay) if given; else at least DELAY_FLOOR and
        twice the communication interval (so that relay chains can reach any longer delay, see
        pyNN.nest.delay_relays), except when a plastic projection exists, because every STDP
        synapse then pays for the range (NEST keeps postsynaptic spike history and ring buffers
        over max_delay: twice the run time for the VA network with STDP) and the range stays
        the longest delay in use."""
        if self._max_delay is not None:
            return self._max_delay
        if any(getattr(p.synapse_type, "plastic", False) for p in self.projections):
            return self.comm_delay
        return max(DELAY_FLOOR, 2 * self.comm_delay)

    def _fix_delay_range(self):
        """Before the first Simulate: fix NEST's min_delay (two idle parrots connected with it
        pin it) and reserve its max_delay, then make the connections of devices that waited."""
        self._comm_steps = self._choose_comm_steps()
        pair = nest.Create("parrot_neuron", 2)
        nest.Connect(pair[0], pair[1], syn_spec={"delay": self.comm_delay})
        nest.Connect(pair[1], pair[0], syn_spec={"delay": max(self._delay_reserve(), self.comm_delay)})
        self._connect_pending_devices()

    def check_processes(self, n, source):
        """A launch of `n` > 1 processes is accepted with an MPI-enabled NEST that sees them all
        (the network is then distributed, see :func:`world_for`); NEST from PyPI has no MPI."""
        world_for(n, source)

    def _threads_hint(self):
        return " and use setup(threads=T) for several cores"

    def _setup(self, threads=1, rng_seed=42, verbosity="error",
               recording_precision=None, t_flush=None, rng_type=None, grng_seed=None, rng_seeds=None,
               rng_seeds_seed=None, **unknown):
        """NEST's set-up options (see doc/behaviour.md). `recording_precision` and `t_flush`
        are PyNN options that have no effect here (see :func:`_log_ineffective`)."""
        if unknown:
            raise errors.InvalidTypeError(
                f"setup() got unknown NEST option(s) {sorted(unknown)}; NEST options are "
                f"threads, rng_seed, spike_precision, verbosity, recording_precision, max_delay")
        if verbosity not in _VERBOSITY:
            raise errors.InvalidParameterValueError(
                f"setup(): verbosity must be one of {sorted(_VERBOSITY)}, not {verbosity!r}")
        if grng_seed is not None:
            rng_seed = grng_seed
        elif rng_seeds is not None:
            rng_seed = rng_seeds[0]
        elif rng_seeds_seed is not None:
            rng_seed = rng_seeds_seed
        _log_ineffective(recording_precision=recording_precision, t_flush=t_flush)
        self.threads = int(threads)
        self.rng_seed = int(rng_seed)
        if self.threads > 1:
            logger.warning("setup(threads=%d): %s", self.threads, THREAD_DEPENDENT_DRAWS)
        self.rng_type = rng_type
        self.verbosity = verbosity
        self.model_counter = 0
        n, source = mpi_guard.launched_processes()
        self.world = world_for(n, source) if n > 1 else None
        self._build_kernel()

    def _build_kernel(self):
        nest.ResetKernel()
        for hook in self.kernel_reset_hooks:
            hook()
        nest.verbosity = getattr(nest.VerbosityLevel, _VERBOSITY[self.verbosity])
        kernel = {"resolution": self.dt, "local_num_threads": self.threads,
                  # a different stream per segment, so trials after reset() are not replays
                  "rng_seed": (self.rng_seed + self.segment_counter) % (2 ** 31 - 1) or 1,
                  "overwrite_files": True, "data_path": tempfile.gettempdir()}
        if self.rng_type:
            kernel["rng_type"] = self.rng_type
        if self.world is not None:
            # NEST 3.10 under MPI routes spikes wrongly when it has built its compressed-spike
            # tables (nest.GetConnections builds them) and connections are made before the next
            # Simulate: with 2 processes, a Tsodyks-Markram connection got the spikes of another
            # source after Projection.initialize() (GetConnections) and the device connections
            # that wait for the first run. Without compression each spike carries its target.
            kernel["use_compressed_spikes"] = False
        nest.SetKernelStatus(kernel)
        # NEST fixes its delay range at the first Simulate, from the connections that exist:
        # _fix_delay_range chooses it then; device connections wait for it
        self._comm_steps = 1
        self._pending_devices = []
        #: why devices may be connected before the first run (see _one_step_interval_known):
        #: None (not known yet), "fixed" or "delays"
        self._comm_steps_early = None
        self._delays_seen = 0  # projections whose delays _one_step_interval_known has looked at
        #: set by the recorders when a state variable is recorded (NEST's multimeter)
        self.records_signals = False
        self.synapse_models = {}
        self.weight_event_logs = {}  # synapse model -> recording.WeightEventLog
        # NEST node id -> value of the STDP parameters kept on neurons (tau_minus), per name
        self.postsynaptic_stdp_values = {}
        self.warmed_up = False

    def weight_event_log(self, model, targets=None):
        """The log of the weight events of synapse model `model` (a weight_recorder attached
        to it at the first call, until the kernel is rebuilt), for spikes reaching the node
        ids `targets` (with other callers' targets; None: every target)."""
        log = self.weight_event_logs.get(model)
        if log is None:
            from pyNN.nest.recording import WeightEventLog  # imported here: recording imports us
            log = self.weight_event_logs[model] = WeightEventLog(model, targets)
        else:
            log.watch(targets)
        return log

    def _feed_random_sources(self, end_step):
        """Give the random sources' spike_generators their trains up to what NEST sends when
        run to user step `end_step` (see pyNN.nest.random_sources)."""
        for population in self.populations:
            if getattr(population, "_random", None) is not None:
                population._random.feed(end_step)

    def _begin_run(self, target_steps):
        for population in self.populations:  # (pyNN.nest.divergence)
            population.plan_divergence_check()
        if not self.warmed_up:
            self._fix_delay_range()
            # the warm-up already sends the spikes of the first min_delay of user time
            self._feed_random_sources(target_steps)
            # no cell may fire before user time 0: thresholds are out of reach during warm-up
            saved = [(p, p._suppress_spiking()) for p in self.populations]
            for projection in self.projections:  # (NESTML synapse state holding a time)
                projection.shift_time_state()
            nest.Simulate(self.offset)
            for population, native in saved:
                population._restore_native(native)
                population._apply_initial_values()
            self.warmed_up = True
        for recorder in self.recorders:
            recorder._before_run()  # e.g. listen to the spikes of projections made since the last run
        # Prepare/Run/Cleanup is NEST's way of simulating in slices (see pyNN.common.interrupt)
        nest.Prepare()

    def _advance(self, n_steps):
        """Simulate `n_steps`. When multimeters record with a min_delay longer than one step (a
        state variable recorded for the first time after the first run), NEST delivers their
        samples one interval late: the slice's last steps are then simulated one by one and the
        recorders read those samples from the cells (see recording.Recorder._capture_tail)."""
        self._feed_random_sources(self.steps + n_steps)
        tail = self._late_sample_steps(n_steps)
        if tail < n_steps:
            nest.Run((n_steps - tail) * self.dt)
        for k in range(n_steps - tail, n_steps):
            nest.Run(self.dt)
            if k + 1 < n_steps:  # (the sample at the end is read when data are fetched)
                for recorder in self.recorders:
                    recorder._capture_tail(self.steps + k + 1)

    def _late_sample_steps(self, n_steps):
        """How many of the last of `n_steps` steps end inside NEST's current interval, whose
        multimeter samples it delivers only in the next one (0 without such multimeters)."""
        if self._comm_steps == 1 or not any(r._multimeters for r in self.recorders):
            return 0
        end = self.steps + n_steps + round(self.offset / self.dt)  # NEST step at the end
        delivered = self.last_delivered_nest_step(end)
        return min(n_steps, end - delivered)

    def last_delivered_nest_step(self, nest_step):
        """The last NEST step whose multimeter sample NEST has delivered when its clock is at
        `nest_step`: samples come at the start of the interval after theirs."""
        return ((nest_step - 1) // self._comm_steps) * self._comm_steps

    def _end_run(self):
        nest.Cleanup()

    def _reset(self):
        for recorder in self.recorders:
            recorder._forget_devices()
        self._build_kernel()
        for population in self.populations:
            population._create_cells()
        for projection in self.projections:
            projection._rebuild()
        for source in self.current_sources:
            source._rebuild()

    def rebuild(self):
        """Rebuild the kernel from the core's description of the network at t = 0 (before the
        first run, or after reset()), keeping the current recording segment: NEST loads a
        module only into a kernel without nodes (pyNN.nest.nestml)."""
        if self.steps:
            raise errors.SimulationStateError(
                f"the NEST kernel can be rebuilt without a reset() only at t = 0, not at t = {self.t:g} ms")
        self._reset()
        for population in self.populations:
            population._apply_initial_values()
        for projection in self.projections:
            projection._apply_initial_state()
        for recorder in self.recorders + self.synapse_recorders:
            recorder.reattach()

    def nest_time(self, user_time):
        """NEST kernel time (ms) of a user time (see the module docstring)."""
        return user_time + self.offset

    def synapse_model(self, base_model, fixed_params, owner_key):
        """A NEST synapse model with `fixed_params` as defaults; one copy per distinct
        parameter set and per (pre, post) population pair group."""
        key = (base_model, tuple(sorted(fixed_params.items())), owner_key)
        name = self.synapse_models.get(key)
        if name is None:
            self.model_counter += 1
            name = f"{base_model}_pyNN{self.model_counter}"
            nest.CopyModel(base_model, name, fixed_params)
            self.synapse_models[key] = name
        return name


state = State()
