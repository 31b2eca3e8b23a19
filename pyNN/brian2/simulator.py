"""Brian2 state: code generation target, the Network, run and exact reset.

Time grid. In each step (starting at t) Brian2 integrates every group over the step,
lets spike sources fire ('thresholds' slot), propagates and delivers spikes ('synapses'),
then tests the cells' thresholds ('after_synapses', so that a voltage jump delivered in
the step can make a cell fire in it, as on NEST) and applies resets. A cell found above
threshold in that step is stamped t + dt (the end of the step, NEST's convention); a
source firing in it is stamped t. A cell's spike enters the synaptic queue in the next
step, a source's in the same step, so with a Brian2 delay of D - 1 steps for a delay of
D steps the target's variables jump in the step ending at spike time + delay: the
sample at spike time + delay shows the jump. Delays are whole steps >= 1 (the core
refuses smaller ones), so no delay becomes 0 silently.

Code generation. ``setup(codegen_target=...)`` chooses Brian2's runtime target:
'cython' (the default; compiled code is cached on disk, by default in Brian2's cache or
in ``setup(cache_dir=...)``/``$PYNN_BRIAN2_CACHE``) or 'numpy' (no compilation). The
environment variable ``PYNN_BRIAN2_TARGET`` overrides the default. cpp_standalone is
refused: it cannot run several times with reset() in between.

Shared objects. ``setup(share_groups=True)`` (the default) lets populations of one cell type
share a NeuronGroup and static projections between the same groups share a Synapses object
(see groups.py and projections.py): fewer code objects run per step. With False every
population and projection has Brian2 objects of its own; the results are the same.

Reset. Before each run, every Brian2 object that has not been seen before is
snapshotted (its state, as ``Network.store`` does, but without the arrays Brian2 keeps
constant during runs: connectivity and constant parameters, which no run changes and which
would double the memory of the synapses); ``reset()`` restores every object
from its snapshot — including objects created after the first run, whose snapshot is
their state when they first ran — then re-applies the current parameters, weights and
delays from the core, so changes made after creation are kept.
"""

import gc
import logging
import os
import warnings

import brian2
from brian2.core import network as _b2network
from brian2.core.variables import ArrayVariable
from brian2.groups.group import VariableOwner

from pyNN import errors
from pyNN.brian2 import compile_feedback
from pyNN.common import mpi_guard
from pyNN.common.control import BaseState
from pyNN.common.interrupt import REPLACEABLE_HANDLERS

logger = logging.getLogger("PyNN")

TARGETS = ("cython", "numpy")


def _cython_available():
    try:
        import Cython  # noqa: F401
    except ImportError:
        return False
    return True


def default_target():
    """The code generation target used when setup() is not given one."""
    env = os.environ.get("PYNN_BRIAN2_TARGET")
    if env:
        return env
    return "cython" if _cython_available() else "numpy"


class _NoCollect:
    """Stands in for the ``gc`` module inside brian2.core.network during our runs: Brian2
    calls ``gc.collect()`` at every ``run()`` only to warn about objects outside any network,
    which cannot happen here (every object goes into our explicit Network), and a full
    collection costs ~0.1 s per run call."""

    @staticmethod
    def collect(*args):
        return 0


# Brian2 installs a SIGINT handler at import that ends a run early without telling its caller;
# during runs the core's handler replaces it (see pyNN.common.interrupt)
if getattr(brian2, "_int_handler", None) is not None:
    REPLACEABLE_HANDLERS.append(brian2._int_handler)


def _run_state(obj):
    """What a run can change of a Brian2 object, for reset(): its full state (``_full_state``)
    without the variables Brian2 declares constant during a run (a Synapses object's
    connectivity, ``(constant)`` parameters). Objects with state of another kind (spike
    queues, spike generators) give their own full state."""
    if type(obj)._full_state is not VariableOwner._full_state:
        return obj._full_state()
    return {var.name: (var.get_value().copy(), var.size) for var in obj.variables.values()
            if isinstance(var, ArrayVariable) and var.owner is not None and var.owner.name == obj.name
            and not var.constant}


class State(BaseState):
    """The Brian2 backend's global state."""

    backend_name = "Brian2"

    def __init__(self):
        super().__init__()
        self.network = None
        self.rng_seed = 42
        self.codegen_target = None
        self.share_groups = True
        self._snapshots = {}
        self.object_counter = 0
        self._clear_groups()

    def _clear_groups(self):
        self.pending_populations = []  # populations waiting for their shared group (groups.py)
        self.pending_synapses = []  # parts of static projections waiting for their Synapses
        self.shared_groups = []

    def build_pending(self, synapses=True):
        """Build the Brian2 objects of pending populations, then (if `synapses`) of pending
        projections: each population or projection waits until it is needed, so that those
        created together share objects (see groups.py and projections.py)."""
        if self.pending_populations:
            from pyNN.brian2.groups import build_pending
            build_pending()
        if synapses and self.pending_synapses:
            from pyNN.brian2.projections import build_pending
            build_pending()

    def check_processes(self, n, source):
        """Brian2 simulates a network in one process; it has no MPI distribution."""
        raise mpi_guard.refuse_processes(
            "Brian2", n, source, "Brian2 runs a network in one process (it has no MPI support)",
            "Run the script as one process (python script.py), or use pyNN.nest (threads) for a "
            "larger network")

    def _setup(self, codegen_target=None, cache_dir=None, rng_seed=42, share_groups=True, **unknown):
        if unknown:
            raise errors.InvalidTypeError(
                f"setup() got unknown Brian2 option(s) {sorted(unknown)}; Brian2 options are "
                f"codegen_target, cache_dir, rng_seed, share_groups, max_delay")
        target = codegen_target or default_target()
        if target == "cpp_standalone":
            raise errors.NotSupportedError(
                "setup(codegen_target='cpp_standalone') is not supported by the Brian2 backend: standalone "
                "mode builds one program for the whole script and cannot run several times with reset() "
                "in between; use 'cython' (compiled, the default) or 'numpy'")
        if target not in TARGETS:
            raise errors.InvalidParameterValueError(
                f"setup(): codegen_target must be one of {TARGETS}, not {target!r}")
        if target == "cython" and not _cython_available():
            warnings.warn("Cython is not installed: the Brian2 backend uses the numpy target", stacklevel=4)
            target = "numpy"
        cache_dir = cache_dir or os.environ.get("PYNN_BRIAN2_CACHE")
        if cache_dir:
            os.makedirs(cache_dir, exist_ok=True)
        # (None: Brian2's own default location; a cache_dir of an earlier setup() is not kept)
        brian2.prefs.codegen.runtime.cython.cache_dir = cache_dir or None
        brian2.prefs.codegen.target = target
        brian2.prefs.logging.file_log = False
        brian2.prefs.logging.std_redirection = False
        self.codegen_target = target
        self.rng_seed = int(rng_seed)
        self.share_groups = bool(share_groups)
        brian2.defaultclock.dt = self.dt * brian2.ms
        self.network = brian2.Network()
        self._snapshots = {}
        self.object_counter = 0
        self._clear_groups()
        brian2.seed(self.rng_seed)

    def unique_name(self, prefix):
        """A Brian2 object name unique in this set-up (names identify snapshots)."""
        self.object_counter += 1
        return f"pynn_{prefix}_{self.object_counter}"

    def add(self, *objects):
        self.network.add(*objects)

    def _all_objects(self):
        return _b2network._get_all_objects(self.network.objects)

    def _snapshot_new_objects(self):
        for obj in self._all_objects():
            if obj.name not in self._snapshots and hasattr(obj, "_full_state"):
                self._snapshots[obj.name] = _run_state(obj)
            clock = getattr(obj, "clock", None)
            if clock is not None and clock.name not in self._snapshots:
                self._snapshots[clock.name] = clock._full_state()

    #: Brian2 stops its own loop at the end of a step when asked (_request_stop): no slices
    slice_runs = False

    def _request_stop(self):
        _b2network.Network._globally_stopped = True

    def _advance(self, n_steps):
        self.build_pending()
        for shared in self.shared_groups:
            shared.before_run(self.steps + n_steps)
        self._snapshot_new_objects()
        saved = _b2network.gc
        _b2network.gc = _NoCollect
        failed = True
        try:
            self.network.run(n_steps * self.dt * brian2.ms, namespace={}, **self._report_options(n_steps))
            failed = False
        finally:
            _b2network.gc = saved
            compile_feedback.watch.run_ended(failed)
        # after a stop request Brian2 ends at the end of a whole step; float accumulation in
        # its clock must not move us off the grid
        done = n_steps
        if _b2network.Network._globally_stopped:
            done = min(n_steps, round(self.network.t_ * 1e3 / self.dt) - self.steps)
        self.network.t_ = (self.steps + done) * self.dt * 1e-3
        for shared in self.shared_groups:
            shared.after_run((self.steps + done - 1) * self.dt * 1e-3)
        return done

    def _report_options(self, n_steps):
        """Brian2's own progress reports, forwarded to run(progress=...) (Brian2 runs unsliced)."""
        progress = self.progress
        if progress is None:
            return {}
        t0, span = self.t, n_steps * self.dt

        def report(elapsed, completed, start, duration):
            progress.update(t0 + float(completed) * span)

        return dict(report=report, report_period=0.25 * brian2.second)

    def _reset(self):
        for obj in self._all_objects():
            snap = self._snapshots.get(obj.name)
            if snap is not None:
                obj._restore_from_full_state(snap)
            clock = getattr(obj, "clock", None)
            if clock is not None and clock.name in self._snapshots:
                clock._restore_from_full_state(self._snapshots[clock.name])
        self.network.t_ = 0.0
        brian2.seed(self.rng_seed + self.segment_counter)
        for shared in self.shared_groups:
            shared.after_restore()
        for population in self.populations:
            population._after_restore()
        for projection in self.projections:
            projection._after_restore()
        for recorder in self.recorders:
            recorder._after_restore()

    def _end(self):
        gc.collect()


compile_feedback.install()
state = State()
