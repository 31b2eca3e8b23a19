"""Simulation control written once for every backend: setup, run, reset, end.

A backend provides a subclass of :class:`BaseState` implementing the underscore
hooks (``_setup``, ``_advance``, ``_reset``...). Time is held as an integer number of
steps of ``dt``; one grid convention applies everywhere: an event at time t acts at
step ``round(t / dt)``.
"""

import logging
import math
from collections.abc import Mapping
import numbers
import time
import warnings

import numpy as np

from pyNN import errors
import pyNN.common.mpi_guard as mpi_guard
from pyNN.common.interrupt import advance_in_slices
from pyNN.recording.synapses import next_sample_step, take_due_samples
from pyNN.common.setup_options import select_setup_options
from pyNN.core import missing_hook
from pyNN.memory import check_recording_memory
from pyNN.utility.feedback import RunProgress

logger = logging.getLogger("PyNN")

#: the largest number of steps a time may have: integer step counts stay far from int64 overflow
MAX_STEPS = 2 ** 60

#: keyword names that PyNN 0.13 refuses in setup() (old spellings of timestep etc.)
_FORBIDDEN_SETUP_NAMES = ("mindelay", "maxdelay", "dt", "time_step")


class GridWarnings:
    """Collects off-grid time warnings so each source warns once with a count."""

    def __init__(self):
        self._seen = {}

    def warn(self, what, n_off, example, key=None):
        """Warn once per `key` that time values were rounded to the time grid.

        Later calls with the same key only add to the count and do not warn again.

        Parameters
        ----------
        what : str
            What holds the times (named in the message).
        n_off : int
            How many values are not multiples of the time step.
        example : float
            One of those values.
        key : hashable, optional
            Identity of the warning; `what` by default.
        """
        key = what if key is None else key
        if key in self._seen:
            self._seen[key] += n_off
            return
        self._seen[key] = n_off
        warnings.warn(
            f"{what}: {n_off} time value(s) are not multiples of the time step "
            f"(e.g. {example!r}); they are rounded to the nearest step. Further rounding of "
            f"{what} is not reported again.", errors.RoundingWarning, stacklevel=4)


class BaseState:
    """The simulator-independent part of a backend's global state.

    Attributes
    ----------
    dt : float
        Time step (ms), fixed by ``setup()``.
    steps : int
        Number of whole steps simulated since the last reset.
    """

    backend_name = "base"

    #: the values of ``setup(spike_precision=...)`` that the backend supports. "on_grid" (the
    #: default everywhere): every spike time is a multiple of dt. "off_grid": the backend keeps
    #: spike times between grid points where its simulator can (which objects do is documented
    #: per backend in doc/behaviour.md). A backend declares "off_grid" here and takes the option
    #: in pyNN.common.setup_options; the chosen value is `spike_precision`.
    spike_precisions = ("on_grid",)

    def block_annotations(self):
        """Backend-specific entries for the annotations of every Neo Block the
        backend returns (plain str/number values only, so any Neo IO can store them)."""
        return {}

    def __init__(self):
        self.initialized = False
        #: True while run() is in progress (its callbacks and progress function are called then)
        self.in_run = False
        #: True while the simulator is inside a run, between its slices (pyNN.common.interrupt):
        #: the progress function is called then, callbacks are not
        self.in_slices = False
        #: the processes of a distributed run (pyNN.common.distributed.World), set by a backend
        #: that distributes the network over MPI processes; None in a one-process run
        self.world = None
        self.session = 0  # incremented by every setup(): objects remember the one they belong to
        #: True from end() until the next setup(): the session's network is finished, and nothing
        #: that comes before the next setup() (e.g. a NESTML module loaded into pyNN.nest) may
        #: rebuild it
        self.ended = False
        self._clear_bookkeeping()
        self.dt = 0.1
        self._min_delay = None
        self._max_delay = None
        self.spike_precision = "on_grid"

    def _clear_bookkeeping(self):
        self.steps = 0
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.recorders = []
        self.synapse_recorders = []  # pyNN.recording.synapses.SynapseRecorder, one per recording projection
        self.id_counter = 0
        self.population_counter = 0
        self.assembly_counter = 0
        self.segment_counter = 0
        self.has_run = False
        self.running = False  # True once run() is called, until the next reset()
        self.grid_warnings = GridWarnings()
        self.files_to_write = []
        self.reset_annotations = {}

    # --- processes -------------------------------------------------------------
    @property
    def mpi_rank(self):
        """This process's MPI rank (0 in a one-process run)."""
        return self.world.rank if self.world is not None else 0

    @property
    def num_processes(self):
        """Number of MPI processes the network is distributed over (1 in a one-process run)."""
        return self.world.size if self.world is not None else 1

    # --- time ------------------------------------------------------------------
    @property
    def t(self):
        """The current simulation time (ms).

        When a millisecond is a whole number of steps (dt = 0.1, 0.025, ...) this is
        steps / (steps per ms), the number closest to the grid time: 3 steps of 0.1 ms give
        0.3, where the product 3 * 0.1 gives 0.30000000000000004, which scripts comparing
        `get_current_time()` with their own times would trip over.
        """
        return self.steps_to_time(self.steps)

    def steps_to_time(self, steps):
        """Time(s) in ms of whole numbers of steps (an int or an array).

        When a millisecond is a whole number of steps (dt = 0.1, 0.025, ...) this divides by
        that number, which gives the number closest to the grid time (6 steps of 0.1 ms are
        0.6, where 6 * 0.1 is 0.6000000000000001); otherwise it is steps * dt.
        """
        per_ms = round(1.0 / self.dt)
        if per_ms >= 1 and abs(per_ms * self.dt - 1.0) < 1e-12:
            return steps / per_ms
        return steps * self.dt

    def time_to_steps(self, t, what="time", key=None):
        """Convert time(s) in ms to whole steps, rounding off-grid values with one warning
        per `key` (default: per `what`, the description used in the message)."""
        arr = np.asarray(t, dtype=float)
        shape = arr.shape
        arr = arr.reshape(-1)  # a view; 1D so that the in-place steps below also work on scalars
        exact = arr / self.dt
        # two reductions instead of a boolean temporary (NaN fails both comparisons)
        if arr.size and not (-MAX_STEPS < exact.min() and exact.max() < MAX_STEPS):
            bad = float(arr[~(np.abs(exact) < MAX_STEPS)].flat[0])
            raise errors.InvalidParameterValueError(
                f"{what}: {bad:g} ms is not a time the simulation can reach (times must be finite "
                f"and below {MAX_STEPS * self.dt:.3g} ms at dt = {self.dt} ms)")
        # floor(exact + 0.5 + 1e-9), in place: halves round up (as NEST), despite float noise
        steps = np.add(exact, 0.5)
        steps += 1e-9
        np.floor(steps, out=steps)
        np.subtract(exact, steps, out=exact)  # exact is no longer needed: reuse it
        np.abs(exact, out=exact)
        off = exact > 1e-6
        if off.any():
            self.grid_warnings.warn(what, int(off.sum()), float(arr[off].flat[0]), key)
        del exact, off
        steps = steps.astype(np.int64).reshape(shape)
        return int(steps) if np.ndim(t) == 0 else steps

    @property
    def min_delay(self):
        """The shortest allowed synaptic delay (ms); the time step unless set in setup()."""
        return self._min_delay if self._min_delay is not None else self.dt

    @property
    def max_delay(self):
        """The longest allowed synaptic delay (ms), or None for no limit."""
        return self._max_delay

    # --- lifecycle -----------------------------------------------------------------
    def ensure_setup(self, what):
        """Set up with the default settings if the script has not called setup() yet.

        PyNN scripts may create objects before ``setup()``; they are then built with the
        defaults, and a later ``setup()`` starts a new network with its own settings (as
        re-calling ``setup()`` always does).
        """
        if not self.initialized:
            logger.info("%s before setup(): setting up %s with the default settings",
                        what, self.backend_name)
            self.implicit_setup()

    def implicit_setup(self):
        """Set up with the defaults (dt = 0.1 ms, automatic delays) when the user did not call setup()."""
        self.setup(0.1, "auto", "auto")

    def setup(self, timestep, min_delay, max_delay, **extra_params):
        """Start a new session: clear the bookkeeping, then set the time step and delays.

        Parameters
        ----------
        timestep : float
            Integration time step (ms).
        min_delay, max_delay : float or ``"auto"``
            Delay limits (ms); ``"auto"`` means the time step and no upper limit.
        **extra_params
            Backend-specific options, passed on to the backend; ``spike_precision`` is
            checked against the backend's `spike_precisions` and kept as `spike_precision`.
        """
        precision = extra_params.pop("spike_precision", "on_grid")
        if precision not in self.spike_precisions:
            raise errors.InvalidParameterValueError(
                f"setup(): spike_precision of the {self.backend_name} backend must be one of "
                f"{list(self.spike_precisions)}, got {precision!r}")
        self.session += 1
        self.ended = False
        self._clear_bookkeeping()
        self._divergence_watch = None  # the cost of a check is measured anew on the new network
        self.dt = float(timestep)
        self._min_delay = None if min_delay == "auto" else float(min_delay)
        self._max_delay = None if max_delay == "auto" else float(max_delay)
        self.spike_precision = precision
        self._setup(**extra_params)
        self.initialized = True

    #: the RunProgress of the run in progress (None when no progress was asked for)
    progress = None

    def run_steps(self, n_steps):
        """Advance the simulation by `n_steps` time steps.

        Parameters
        ----------
        n_steps : int
            Number of steps; must be >= 0.

        Raises
        ------
        InvalidParameterValueError
            If `n_steps` is negative.
        """
        if n_steps < 0:
            raise errors.InvalidParameterValueError(
                f"Cannot run for a negative time ({n_steps * self.dt} ms); the duration must be >= 0")
        for obj in self.current_sources:
            obj._prepare_run(self.steps + n_steps)
        start = self.steps
        try:
            interrupted = self._advance_sampling_synapses(n_steps)
        finally:
            # also after a run stopped by an error (e.g. a diverged integration) time has moved
            if n_steps == 0 or self.steps != start:
                self.has_run = True
                self.running = True
        if interrupted:
            # time and recorded data describe the steps simulated; the next run() continues
            raise KeyboardInterrupt(f"run interrupted at t = {self.t:g} ms")

    def _advance_sampling_synapses(self, n_steps):
        """Advance `n_steps` (in interruptible slices), stopping at each step at which a
        projection records its synapse state to take the samples (exact at that time on every
        backend: they are read as get() reads them between runs). True if interrupted."""
        target = self.steps + n_steps
        while True:
            take_due_samples(self)
            if self.steps >= target:
                return False
            due = next_sample_step(self)
            stop = target if due is None else min(due, target)
            if advance_in_slices(self, stop - self.steps):
                return True

    def reset(self, annotations):
        """Close the current recording segment and return the simulation to t = 0.

        Parameters
        ----------
        annotations : dict
            Annotations given to the segment that is closed.
        """
        for recorder in self.recorders + self.synapse_recorders:
            recorder.close_segment(annotations)
        self.segment_counter += 1
        logger.debug("%s: reset at t = %g ms; segment %d starts", self.backend_name, self.t, self.segment_counter)
        self._reset()
        self.steps = 0
        for population in self.populations:
            population._apply_initial_values()
        for projection in self.projections:
            projection._apply_initial_state()
        for recorder in self.recorders + self.synapse_recorders:
            recorder.open_segment()
        self.running = False

    # --- hooks for backends --------------------------------------------------------
    def _setup(self, **extra_params):
        if extra_params:
            raise errors.InvalidTypeError(
                f"setup() got unexpected keyword arguments {sorted(extra_params)}; the "
                f"{self.backend_name} backend takes no extra options")

    def check_processes(self, n, source):
        """Called by ``setup()`` when the script was launched as `n` > 1 processes (`source`:
        the environment variable that says so; see :mod:`pyNN.common.mpi_guard`). No backend
        distributes a network over MPI processes yet, so the default refuses."""
        raise mpi_guard.refuse_processes(
            self.backend_name, n, source,
            f"the {self.backend_name} backend of pyNN does not distribute a network over MPI "
            f"processes (not implemented yet)",
            f"Run the script as one process (python script.py){self._threads_hint()}")

    def _threads_hint(self):
        """How this backend can use several cores in one process, for error messages."""
        return ""

    #: wall time (s) to read one cell's membrane potential for the divergence check, as far
    #: as it is known before the first check (see pyNN.common.numerical_safety)
    state_read_cost = 0.0

    #: whether run() advances in slices of bounded wall time (see pyNN.common.interrupt); a
    #: backend whose _advance stops early on _request_stop() may run in one piece
    slice_runs = True

    def _begin_run(self, target_steps):
        """Hook: prepare a run that will end at step `target_steps` (before its first slice)."""

    def _advance(self, n_steps):
        """Hook: simulate `n_steps` steps; return the number done if fewer (after _request_stop)."""
        raise missing_hook(self, "_advance")

    def _end_run(self):
        """Hook: after the last slice of a run (also when it failed or was interrupted)."""

    def _request_stop(self):
        """Hook, called from the SIGINT handler: ask a running _advance to stop early."""

    def _reset(self):
        raise missing_hook(self, "_reset")

    def _end(self):
        pass


def _checked_callbacks(callbacks, function):
    """`callbacks` as a list of callables, or a pyNN error before anything runs."""
    if callable(callbacks) or isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        hint = " (put a single function in a list: callbacks=[f])" if callable(callbacks) else ""
        raise errors.InvalidTypeError(
            f"{function}: callbacks must be a list of functions f(t) -> next time (ms), got "
            f"{callbacks!r} ({type(callbacks).__name__}){hint}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise errors.InvalidTypeError(
                f"{function}: every callback must be a function f(t) that returns the next time (ms) it wants "
                f"to be called; {cb!r} ({type(cb).__name__}) is not callable")
    return callbacks


def _next_call_step(state, cb, value):
    """The step at which callback `cb`, which returned `value`, is called next (at least the
    next step); a pyNN error naming the callback if `value` is not a finite time in ms."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value):
        name = getattr(cb, "__qualname__", None) or repr(cb)
        raise errors.InvalidParameterValueError(
            f"run(): callback {name} returned {value!r} at t = {state.t:g} ms; a callback must return the next "
            f"time (a finite number of ms) at which it wants to be called. The simulation stopped at "
            f"t = {state.t:g} ms; the data recorded so far are kept")
    return max(state.steps + 1, state.time_to_steps(value, "callback time"))


def _run_with_callbacks(state, target, callbacks):
    """Run to step `target`, stopping whenever a callback asked to be called: each callback
    returns the next time (ms) it wants to be called; times are kept on whole steps."""
    next_calls = [state.steps] * len(callbacks)
    while state.steps < target:
        for k, cb in enumerate(callbacks):
            if next_calls[k] <= state.steps:
                next_calls[k] = _next_call_step(state, cb, cb(state.t))
        stop = min(min(next_calls), target)
        state.run_steps(stop - state.steps)
    for k, cb in enumerate(callbacks):
        if next_calls[k] <= state.steps:
            cb(state.t)



def check_current(obj, description):
    """Refuse to use `obj` (a Population, Projection or current source, described by
    `description`) after a later setup() of its backend: its simulator objects are gone, and
    on some simulators their ids already belong to new objects."""
    state = obj._simulator.state
    if getattr(state, "in_slices", False):
        raise errors.SimulationStateError(
            f"{description} cannot be used from the progress function of run(): it is called while the "
            f"simulator is in the middle of the run (t = {state.t:g} ms), where reading data or changing the "
            f"network would leave it inconsistent. Use run(..., callbacks=[f]), whose functions are called "
            f"between parts of the run, to read data or change the network during a run")
    made_in = getattr(obj, "_session", state.session)
    if made_in != state.session:
        raise errors.SimulationStateError(
            f"{description} was created before the last call of setup() ({state.backend_name}: "
            f"set-up {made_in}, now {state.session}) and no longer exists in the simulator; "
            f"create it again after setup()")


def check_same_backend(objects, what):
    """Refuse to combine objects of different backends (e.g. pyNN.nest and pyNN.brian2) in
    `what`."""
    simulators = {}
    for obj in objects:
        simulators.setdefault(obj._simulator, []).append(getattr(obj, "label", None) or type(obj).__name__)
    if len(simulators) > 1:
        parts = "; ".join(f"{getattr(sim, '__name__', sim)}: {', '.join(map(str, labels))}"
                          for sim, labels in simulators.items())
        raise errors.SimulationStateError(
            f"{what} mixes objects of different backends ({parts}); every object of a network "
            f"must come from the same backend module")


def check_run_time(value, function, argument):
    """`value` as a float if it is a finite real number of ms; a pyNN error otherwise.

    Strings are refused rather than converted ('10' is a mistake, not a time), and so are
    NaN and infinity: a run must end.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise errors.InvalidTypeError(
            f"{function}: {argument} must be a number of ms, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise errors.InvalidParameterValueError(
            f"{function}: {argument} must be a finite number of ms, got {value}")
    return value


def refuse_during_run(state, function):
    """Refuse a control call (run, reset, setup, end) made while run() is in progress, i.e.
    from a callback or progress function of run(): the simulator is then between two slices
    of the run, or inside one, and a nested run or reset would leave it (and the recorded
    data) inconsistent."""
    if getattr(state, "in_run", False):
        raise errors.SimulationStateError(
            f"{function} was called while run() is in progress (from a callback or progress function of "
            f"run(), at t = {state.t:g} ms); a callback may read data and change parameters, and returns "
            f"the time it wants to be called next. Call {function} after run() has returned")


def _setup_time(value, argument, allow_auto):
    """`value` of setup() argument `argument` as a float of ms (or 'auto' if allowed); a pyNN
    error if it is not a finite positive real number (booleans and strings are mistakes)."""
    if allow_auto and isinstance(value, str) and value == "auto":
        return value
    allowed = "a positive number of ms" + (" or 'auto'" if allow_auto else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        # (a ValueError, as setup() has always raised for a bad time step)
        raise errors.InvalidParameterValueError(
            f"setup(): {argument} must be {allowed}, got {value!r} ({type(value).__name__})")
    if not (math.isfinite(value) and value > 0):
        raise errors.InvalidParameterValueError(f"setup(): {argument} must be {allowed}, got {value!r}")
    return float(value)


def _checked_setup_arguments(timestep, min_delay, extra_params):
    """Refuse what no backend's setup() accepts; returns (timestep, min_delay, max_delay) as
    floats or 'auto' (max_delay is taken out of `extra_params`)."""
    for name in _FORBIDDEN_SETUP_NAMES:
        if name in extra_params:
            raise errors.InvalidTypeError(f"'{name}' is not a valid argument of setup(); use 'timestep', "
                                          f"'min_delay' and 'max_delay'.")
    timestep = _setup_time(timestep, "timestep", allow_auto=False)
    min_delay = _setup_time(min_delay, "min_delay", allow_auto=True)
    max_delay = _setup_time(extra_params.pop("max_delay", "auto"), "max_delay", allow_auto=True)
    if min_delay != "auto" and min_delay < timestep * (1 - 1e-9):
        raise errors.InvalidParameterValueError(
            f"setup(): min_delay ({min_delay} ms) must be >= timestep ({timestep} ms)")
    if max_delay != "auto" and min_delay != "auto" and max_delay < min_delay * (1 - 1e-9):
        raise errors.InvalidParameterValueError(
            f"setup(): min_delay ({min_delay} ms) must be <= max_delay ({max_delay} ms)")
    if max_delay != "auto" and max_delay < timestep * (1 - 1e-9):
        raise errors.InvalidParameterValueError(
            f"setup(): max_delay ({max_delay} ms) must be >= timestep ({timestep} ms), the shortest possible delay")
    return timestep, min_delay, max_delay


def _shortest_delay_so_far(state):
    """The shortest delay (ms) of the connections made so far, or None if there are none."""
    delays = [np.min(p._syn["delay"]) for p in state.projections
              if p._pre.size and p._syn.get("delay") is not None]
    return float(min(delays)) if delays else None


def build_control(state, backend_label):
    """Create the module-level control functions bound to a backend's `state`."""

    def setup(timestep=0.1, min_delay="auto", **extra_params):
        """Initialise (or re-initialise) the simulator; returns the MPI rank.

        Parameters
        ----------
        timestep : float
            Integration time step (ms).
        min_delay : float or 'auto'
            Minimum synaptic delay (ms); 'auto' means one time step.
        max_delay : float or 'auto', optional (keyword)
            Maximum synaptic delay (ms); 'auto' means unlimited.
        **extra_params
            Backend-specific options. Options of other backends (or of PyNN itself) are
            ignored with an INFO log line; unknown names with a warning (see
            :mod:`pyNN.common.setup_options`).
        """
        refuse_during_run(state, "setup()")
        timestep, min_delay, max_delay = _checked_setup_arguments(timestep, min_delay, extra_params)
        backend = state.backend_name.lower()
        extra_names = state.extra_setup_options() if hasattr(state, "extra_setup_options") else ()
        extra_params = select_setup_options(backend, extra_params, extra_names)
        mpi_guard.check_launch(state)
        state.setup(timestep, min_delay, max_delay, **extra_params)
        logger.debug("%s: set up with dt = %g ms, min_delay = %s, max_delay = %s, options %s",
                     state.backend_name, state.dt, min_delay, max_delay, sorted(extra_params))
        return state.mpi_rank

    # objects created (or run() called) before setup() use the module's own defaults
    state.implicit_setup = setup

    def end(compatible_output=True):
        """Write any files requested with record(..., to_file=...) and finish."""
        refuse_during_run(state, "end()")
        for population, filename, variables in state.files_to_write:
            population.write_data(filename, variables)
        state.files_to_write = []
        state._end()
        state.ended = True

    def run_until(time_point, callbacks=None, progress=None):
        """Advance the simulation until `time_point` (ms); returns the current time.

        Parameters
        ----------
        time_point : float
            Simulation time (ms) to advance to.
        callbacks : list of callables, optional
            Each is called as ``f(t)`` and returns the next time (ms) it wants to be called.
        progress : bool or callable, optional
            ``True`` shows a progress bar on standard error; a function is called as
            ``f(t, t_stop)`` (ms) as the run advances and once when it ends.
        """
        refuse_during_run(state, "run()/run_until()")
        time_point = check_run_time(time_point, "run_until()", "time_point")
        if callbacks is not None:
            callbacks = _checked_callbacks(callbacks, "run_until()")
        state.ensure_setup("run_until()")
        target = state.time_to_steps(time_point, "run_until() time")
        if time_point < state.t - state.dt / 2:
            raise errors.InvalidParameterValueError(
                f"run_until({time_point}): time is in the past (current time {state.t} ms); give a time "
                f">= the current time")
        # refused here rather than after hours of filling memory (signals only: spikes cannot be told)
        check_recording_memory(state.recorders, target - state.steps, state.dt)
        if progress is not None and progress is not False:
            state.progress = RunProgress(progress, state.t, target * state.dt)
        t_wall = time.perf_counter()
        logger.debug("%s: running from t = %g ms to t = %g ms", state.backend_name, state.t, target * state.dt)
        state.in_run = True
        try:
            if not callbacks:
                state.run_steps(target - state.steps)
            else:
                _run_with_callbacks(state, target, callbacks)
        finally:
            state.in_run = False
            if state.progress is not None:
                state.progress.finish(state.t)
                state.progress = None
        logger.debug("%s: reached t = %g ms in %.3f s of wall time", state.backend_name, state.t,
                     time.perf_counter() - t_wall)
        return state.t

    def run(simtime, callbacks=None, progress=None):
        """Advance the simulation by `simtime` (ms); returns the current time.

        `callbacks` and `progress` are as for :func:`run_until`.
        """
        simtime = check_run_time(simtime, "run()", "simtime")
        if simtime < 0:
            raise errors.InvalidParameterValueError(f"run(): simtime must be >= 0 ms, got {simtime}")
        state.ensure_setup("run()")
        n = state.time_to_steps(simtime, "run() duration")
        return run_until((state.steps + n) * state.dt, callbacks, progress)

    def reset(annotations=None):
        """Go back to t = 0 with every state variable at its initial value.

        Parameters and connections are kept; recorded data so far are closed as one
        Neo Segment carrying `annotations`, and a new Segment is started.
        """
        refuse_during_run(state, "reset()")
        if annotations is not None and not isinstance(annotations, Mapping):
            raise errors.InvalidTypeError(
                f"reset(): annotations must be a dict of name -> value for the segment that is closed, got "
                f"{annotations!r} ({type(annotations).__name__}); nothing was reset")
        state.reset(dict(annotations or {}))

    return dict(setup=setup, end=end, run=run, run_for=run, run_until=run_until, reset=reset,
                **_build_state_queries(state))


def _build_state_queries(state):
    """The module-level functions that report a backend's `state` (time, step, delays, ranks)."""

    def get_current_time():
        """Current simulation time (ms)."""
        return state.t

    def get_time_step():
        """Integration time step (ms)."""
        return state.dt

    def get_min_delay():
        """Minimum synaptic delay (ms); always a number.

        With ``min_delay='auto'`` this is, as on PyNN's NEST and Brian2 backends, the
        shortest delay of the connections made so far (one time step if there are none).
        """
        if state._min_delay is None:
            shortest = _shortest_delay_so_far(state)
            if shortest is not None:
                return shortest
        return state.min_delay

    def get_max_delay():
        """Maximum synaptic delay (ms), or 'auto' when unlimited."""
        return state.max_delay if state.max_delay is not None else "auto"

    def num_processes():
        """Number of MPI processes the network is distributed over (1 unless a backend that
        distributes, such as NEURON, runs under mpirun)."""
        return state.num_processes

    def rank():
        """MPI rank of this process (0 in a one-process run)."""
        return state.mpi_rank

    return dict(get_current_time=get_current_time, get_time_step=get_time_step,
                get_min_delay=get_min_delay, get_max_delay=get_max_delay,
                num_processes=num_processes, rank=rank)
