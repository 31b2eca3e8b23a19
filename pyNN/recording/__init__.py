"""Recording bookkeeping, columnar storage of recorded data and Neo output.

The core decides what is recorded and keeps the data as columns (cell indices,
spike times; sample matrices for signals).  A backend's ``Recorder`` subclass only
tells its simulator what to record and fetches raw arrays through the hooks
``_configure``, ``_fetch_spikes``, ``_fetch_signal`` and ``_current_values``.
Neo objects are built only when the user asks (``get_data``/``write_data``).
"""

from collections import namedtuple
from datetime import datetime

import numpy as np

from pyNN import errors
from pyNN.core import missing_hook

Variable = namedtuple("Variable", ["name", "location", "label"])


class _SignalEpoch:
    """Samples of one variable for a fixed set of cells, from `t_start` on."""

    def __init__(self, indices, t_start_steps, interval_steps, first_row):
        self.indices = np.asarray(indices, dtype=np.int64)
        self.t_start_steps = t_start_steps
        self.interval_steps = interval_steps
        self.chunks = [np.asarray(first_row, dtype=float).reshape(1, -1)]

    def take_first_row(self):
        """If the epoch holds nothing but its first sample, remove and return it (1 x cells);
        None otherwise. A backend building the epoch's first block of samples puts it at the
        head of that block, so that the samples need not be copied again to be joined."""
        if len(self.chunks) == 1 and len(self.chunks[0]) == 1:
            return self.chunks.pop()
        return None

    def values(self):
        """All samples as one (samples x cells) array. The chunks are joined once and the
        result kept, so that asking again (another get_data) costs no copy."""
        if len(self.chunks) > 1:
            self.chunks = [np.concatenate(self.chunks, axis=0)]
        # read-only: the Neo signals and the arrays handed out share this memory
        self.chunks[0].flags.writeable = False
        return self.chunks[0]


class _SegmentData:
    """Recorded columns of one segment (one run/reset cycle)."""

    def __init__(self, t_start_steps, index):
        self.t_start_steps = t_start_steps
        self.index = index
        self.spike_indices = []
        self.spike_times = []
        # (indices, start step) for each group of cells whose spike recording began together
        self.spike_epochs = []
        self.signals = {}  # variable -> list of _SignalEpoch
        self.annotations = {}
        self.t_stop_steps = None
        self.rec_datetime = datetime.now()

    def spikes(self):
        if not self.spike_indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if len(self.spike_indices) > 1:  # join once; later calls cost no copy
            self.spike_indices = [np.concatenate(self.spike_indices)]
            self.spike_times = [np.concatenate(self.spike_times)]
        return self.spike_indices[0], self.spike_times[0]

    def spike_columns(self, in_view, dt):
        """Spikes of the cells marked in `in_view` (a mask over the population).

        Returns (recorded, start_steps, indices, times): the recorded cells in view, the
        step at which each began recording, and the spikes' cell indices and times (ms),
        those after the segment's end dropped.
        """
        start_of = np.full(len(in_view), -1, dtype=np.int64)
        for indices, start in self.spike_epochs:  # one pass per recording request, not per cell
            indices = np.asarray(indices, dtype=np.int64)
            fresh = start_of[indices] < 0
            start_of[indices[fresh]] = start
        recorded = np.flatnonzero((start_of >= 0) & in_view)
        idx, times = self.spikes()
        t_stop = self.t_stop_steps * dt
        keep = in_view[idx] & (times <= t_stop + 1e-6 * dt)
        return recorded, start_of[recorded], idx[keep], np.minimum(times[keep], t_stop)  # float noise at t_stop

    def signal_columns(self, variable, in_view):
        """(epoch, values, indices) for each recording epoch of `variable` with cells in
        `in_view`; `values` is the stored (read-only) array unless only part of its
        columns are in view."""
        for epoch in self.signals.get(variable, []):
            if getattr(epoch, "superseded", False):
                continue
            keep = in_view[epoch.indices]
            if not keep.any():
                continue
            values, indices = epoch.values(), epoch.indices
            if not keep.all():  # only then copy the columns
                values, indices = values[:, keep], indices[keep]
            yield epoch, values, indices


def sampling_interval_steps(sampling_interval, dt, owner):
    """The number of time steps `dt` in `sampling_interval` (ms), or a pyNN error naming
    `owner` (e.g. "Population 'exc'") if it is not a positive multiple of the time step."""
    if isinstance(sampling_interval, bool) or not isinstance(sampling_interval, (int, float, np.number)):
        raise errors.InvalidTypeError(f"{owner}: sampling_interval must be a number of ms, got "
                                      f"{sampling_interval!r}")
    steps = sampling_interval / dt
    if not np.isfinite(steps) or sampling_interval <= 0 or abs(steps - round(steps)) > 1e-6:
        raise errors.InvalidParameterValueError(
            f"{owner}: sampling_interval={sampling_interval} ms must be a positive multiple of the time "
            f"step ({dt} ms)")
    return max(1, round(steps))


class Recorder:
    """Bookkeeping of what a population records, and the data recorded so far.

    One Recorder per Population (views and assemblies share their parents').
    """

    def __init__(self, population):
        self.population = population
        self.state = population._simulator.state
        self.recorded = {}  # variable -> bool mask over the population
        self.sampling_interval = None  # ms; one for all signals of the population
        self.segments = []  # finished segments
        self.current = _SegmentData(self.state.steps, self.state.segment_counter)
        self._fetched_steps = self.state.steps
        self.state.recorders.append(self)

    # --- what is recorded --------------------------------------------------------
    def record(self, variables, indices, sampling_interval=None):
        """Start recording `variables` from the cells at `indices` (or stop all, if None)."""
        self.fetch()
        now = self.state.steps
        if variables is None:
            for var in list(self.recorded):
                self._end_signal_epoch(var)
                self._configure(var, np.zeros(0, dtype=np.int64), self._interval_steps())
            self.recorded = {}
            return
        if isinstance(variables, str):
            variables = [variables]
        celltype = self.population.celltype
        for var in variables:
            if var == "all" or not celltype.can_record(var):
                raise errors.RecordingError(var, celltype, self.population.label)
            self._check_backend_can_record(var)
        analog = [v for v in variables if v != "spikes"]
        if analog:
            self._set_sampling_interval(sampling_interval)
        n = self.population.size
        for var in variables:
            mask = self.recorded.get(var, np.zeros(n, dtype=bool))
            new_mask = mask.copy()
            new_mask[indices] = True
            if np.array_equal(new_mask, mask):
                continue
            self.recorded[var] = new_mask
            added = np.flatnonzero(new_mask & ~mask)
            if var == "spikes":
                self.current.spike_epochs.append((added, now))
            else:
                self._end_signal_epoch(var)
                self._start_signal_epoch(var, np.flatnonzero(new_mask))
            self._configure(var, np.flatnonzero(new_mask), self._interval_steps())

    def _set_sampling_interval(self, sampling_interval):
        dt = self.state.dt
        if sampling_interval is None:
            if self.sampling_interval is None:
                self.sampling_interval = dt
            return
        sampling_interval_steps(sampling_interval, dt, f"Population '{self.population.label}'")
        if self.sampling_interval is not None and any(v != "spikes" for v in self.recorded) \
                and abs(sampling_interval - self.sampling_interval) > 1e-9:
            raise errors.InvalidParameterValueError(
                f"Population '{self.population.label}': sampling_interval={sampling_interval} ms differs "
                f"from the {self.sampling_interval} ms already used for its recorded signals; "
                f"all signals of one population share one sampling interval")
        self.sampling_interval = float(sampling_interval)

    def _interval_steps(self):
        si = self.sampling_interval or self.state.dt
        return max(1, round(si / self.state.dt))

    def _start_signal_epoch(self, var, indices):
        first = self._gathered_columns(np.asarray(self._current_values(var, indices), dtype=float).reshape(1, -1),
                                       indices)
        epoch = _SignalEpoch(indices, self.state.steps, self._interval_steps(), first)
        self.current.signals.setdefault(var, []).append(epoch)

    def refresh_first_samples(self):
        """Take again the first sample of every signal epoch that began at the current step
        and has no later sample: called after initial values changed at t = 0 (e.g.
        ``initialize(v=...)`` after ``record('v')`` and before the first run), so that the
        sample at that time shows the values the cells start from."""
        now = self.state.steps
        for var, epochs in self.current.signals.items():
            epoch = epochs[-1]
            if (getattr(epoch, "closed", False) or epoch.t_start_steps != now or len(epoch.chunks) != 1
                    or len(epoch.chunks[0]) != 1):
                continue
            row = np.asarray(self._current_values(var, epoch.indices), dtype=float).reshape(1, -1)
            epoch.chunks = [self._gathered_columns(row, epoch.indices)]

    def _end_signal_epoch(self, var):
        epochs = self.current.signals.get(var)
        if epochs:
            epoch = epochs[-1]
            epoch.closed = True
            if epoch.t_start_steps == self.state.steps and len(epoch.chunks) == 1:
                # ended at the step it began: it holds only the sample that the epoch
                # replacing it also has (or none is wanted), so it is not output. It is kept
                # in the list so that its id() is not reused by the next epoch.
                epoch.superseded = True

    @property
    def recorded_variables(self):
        """Names of the variables recorded from at least one cell."""
        return [v for v, m in self.recorded.items() if m.any()]

    def recorded_variables_ever(self):
        """Every variable with data in a kept segment or recorded now."""
        names = {v for v, m in self.recorded.items() if m.any()}
        for seg in self.segments + [self.current]:
            names.update(v for v, epochs in seg.signals.items()
                         if any(not getattr(e, "superseded", False) for e in epochs))
            if seg.spike_epochs:
                names.add("spikes")
        return sorted(names)

    # --- data flow ---------------------------------------------------------------
    def fetch(self):
        """Pull data produced since the last fetch from the simulator into columns."""
        if self.state.steps == self._fetched_steps:
            return
        world = self.state.world
        if "spikes" in self.recorded:
            idx, times = self._fetch_spikes()
            if world is not None:  # every process keeps every spike (see pyNN.common.distributed)
                idx, times = world.gather_spikes(idx, times)
            if len(idx):
                self.current.spike_indices.append(np.asarray(idx, dtype=np.int64))
                self.current.spike_times.append(np.asarray(times, dtype=float))
        for var, epochs in self.current.signals.items():
            epoch = epochs[-1]
            if getattr(epoch, "closed", False) or not self.recorded.get(var, np.zeros(0)).any():
                continue
            values = self._fetch_signal(var, epoch)
            if values is None:
                continue
            # a backend may hand over several row blocks (e.g. a view of the simulator's
            # buffer and a last row read from the cells' state), so that nothing is copied
            # just to join them here; they are joined once, when the data are asked for
            for block in (values if isinstance(values, list) else [values]):
                block = self._gathered_columns(block, epoch.indices)
                if len(block):
                    epoch.chunks.append(block)
        self._fetched_steps = self.state.steps

    def _gathered_columns(self, block, indices):
        """A (samples x cells) block as a float array; in a distributed run, each column is
        taken from the process that simulates the cell (a backend fills only its own cells'
        columns), so that every process holds the whole block."""
        block = np.asarray(block, dtype=float)
        world = self.state.world
        if world is None:
            return block
        return world.merge_columns(block, self.population._mask_local[np.asarray(indices, dtype=np.int64)])

    def close_segment(self, annotations):
        """Called by reset(): finish the current segment and keep it."""
        self.fetch()
        if self.current.t_start_steps == self.state.steps:
            # nothing ran in this segment (a reset() before the first run or right after
            # another reset(), or everything was taken by get_data(clear=True)): as in PyNN,
            # no empty segment is kept, so that segment k of a trial loop is trial k
            return
        self.current.annotations = dict(annotations)
        self.current.t_stop_steps = self.state.steps
        self.segments.append(self.current)

    def open_segment(self):
        """Called after reset(): start a new segment with the same recording list."""
        self.current = _SegmentData(0, self.state.segment_counter)
        self._fetched_steps = 0
        for var, mask in self.recorded.items():
            indices = np.flatnonzero(mask)
            if var == "spikes":
                self.current.spike_epochs.append((indices, 0))
            else:
                self._start_signal_epoch(var, indices)
            self._configure(var, indices, self._interval_steps())

    def reattach(self):
        """Called when the backend rebuilt its simulator objects at t = 0 without a reset()
        (pyNN.nest loading a module into an empty kernel): record what was recorded, into the
        same segment."""
        for var, mask in self.recorded.items():
            self._configure(var, np.flatnonzero(mask), self._interval_steps())

    def clear(self):
        """Forget data recorded so far; recording goes on from the current time."""
        self.segments = []
        self.current = _SegmentData(self.state.steps, self.state.segment_counter)
        self._fetched_steps = self.state.steps
        for var, mask in self.recorded.items():
            indices = np.flatnonzero(mask)
            if var == "spikes":
                self.current.spike_epochs.append((indices, self.state.steps))
            else:
                self._start_signal_epoch(var, indices)
                self._restart_signal(var, indices)

    # --- output ----------------------------------------------------------------------
    def spike_counts(self, indices):
        """Number of spikes of each cell in `indices` in the current segment."""
        self.fetch()
        idx, _ = self.current.spikes()
        counts = np.bincount(idx, minlength=self.population.size)
        return counts[indices]

    def get_columns(self, variable="spikes"):
        """Fast path: the raw recorded columns of the current segment.

        Returns (indices, times) for spikes, or a list of (indices, t_start, dt, values)
        tuples for a signal.
        """
        self.fetch()
        if variable == "spikes":
            return self.current.spikes()
        dt = self.state.dt
        return [(e.indices, e.t_start_steps * dt, e.interval_steps * dt, e.values())
                for e in self.current.signals.get(variable, []) if not getattr(e, "superseded", False)]

    def segment_list(self, clear=False):
        """Return the Neo segments recorded so far, including the current one once run() was called.

        Parameters
        ----------
        clear : bool
            Unused: the callers clear the data after writing it.
        """
        self.fetch()
        segs = list(self.segments)
        self.current.t_stop_steps = self.state.steps
        if getattr(self.state, "running", True):
            # as in PyNN: the segment begun by reset() (or set-up) appears once run() is called,
            # so that n x (run, reset) gives n segments
            segs.append(self.current)
        return segs

    # --- hooks for backends ----------------------------------------------------------
    def _check_backend_can_record(self, variable):
        """Raise NoModelAvailableError if the backend cannot record `variable`."""

    def _configure(self, variable, indices, interval_steps):
        raise missing_hook(self, "_configure")

    def _fetch_spikes(self):
        raise missing_hook(self, "_fetch_spikes")

    def _fetch_signal(self, variable, epoch):
        """Samples of `epoch` since the last fetch: a (samples x cells) array, a list of
        such row blocks (in time order), or None."""
        raise missing_hook(self, "_fetch_signal")

    def _current_values(self, variable, indices):
        raise missing_hook(self, "_current_values")

    def _restart_signal(self, variable, indices):
        """After clear(): drop samples the simulator still buffers for `variable`."""


def get_io(filename):
    """Return a Neo IO object chosen from the file's extension."""
    from pyNN.recording import neo_output
    return neo_output.get_io(filename)


def check_write_target(target, owner=None):
    """Refuse (pyNN error) a write target that is neither a file name of a known format nor a
    Neo IO (see neo_output.check_write_target)."""
    from pyNN.recording import neo_output
    neo_output.check_write_target(target, owner)


def write_block(target, block, owner=None):
    """Write a neo.Block to a filename (atomically) or a Neo IO (see neo_output.write_block)."""
    from pyNN.recording import neo_output
    return neo_output.write_block(target, block, owner)


def data_arrays(populations_with_views, variables, clear):
    """Recorded data as plain numpy arrays (see arrays.data_arrays)."""
    check_readable(populations_with_views, variables)
    from pyNN.recording import arrays
    return arrays.data_arrays(populations_with_views, variables, clear)


def check_readable(populations_with_views, variables):
    """Refuse (RecordingError) a variable that no cell type of the (population, indices, offset)
    entries can record: a misspelt name must not give an empty result. A variable that can be
    recorded but was not gives no data, as in PyNN."""
    if variables is None or (isinstance(variables, str) and variables == "all"):
        return
    for var in ([variables] if isinstance(variables, str) else variables):
        if not any(pop.celltype.can_record(var) for pop, _, _ in populations_with_views):
            pop = populations_with_views[0][0]
            raise errors.RecordingError(var, pop.celltype, pop.label)


def data_block(populations_with_views, variables, clear, name, description, annotations):
    """Build a neo.Block for (population, indices, offset) entries (see neo_output.data_block)."""
    check_readable(populations_with_views, variables)
    from pyNN.recording import neo_output
    return neo_output.data_block(populations_with_views, variables, clear, name, description, annotations)
