"""Recording the state of a projection's synapses (weights, Tsodyks-Markram u/x/y) during a run.

Written once for every backend. The core samples at fixed times: a run that records
synapse state advances to each sample time and asks the projection for its current values
through ``Projection._read_synapse_state`` (the same path as ``get()`` between runs, so a
sample equals what ``get()`` would return at that time on every backend). A backend may
instead give a sampler (``Projection._native_synapse_sampler``) that takes the samples
during the run without stopping it; it hands them over at ``collect()`` as arrays or as
functions that build them from events (:func:`step_function_samples`) when the data are
asked for. The samples are kept as (samples x connections) blocks per variable and
segment; ``get_data`` builds a Neo block with one AnalogSignal per variable whose channels
are the connections, annotated with their pre- and post-synaptic indices.

The protocol of a sampler: ``samples(steps)`` returns {variable: array or function} for
the sample steps `steps` (those before now, or up to now if it has ``includes_now``);
``restart()`` after reset(); optional ``values_changed(names)`` after Projection.set()
between runs and ``close()`` when recording stops or changes.
"""

import numpy as np

from pyNN import errors
from pyNN.recording import sampling_interval_steps

#: units of the recordable synapse variables other than the weight
_STATE_UNITS = {"u": "dimensionless", "x": "dimensionless", "y": "dimensionless"}


class _Segment:
    """Samples of one run/reset cycle: (samples x connections) rows per variable."""

    def __init__(self, index, t_start_steps):
        self.index = index
        self.t_start_steps = t_start_steps
        self.first_step = None  # step of the first sample
        self.rows = {}  # variable -> list of 1D arrays
        self.annotations = {}
        self.t_stop_steps = None

    def values(self, variable):
        rows = self.rows.get(variable, [])
        if not rows:
            return None
        # a backend's sampler may hand over a block as a function that builds it (NEST: from
        # the weight events), so that the work is done when the data are asked for
        rows = [np.atleast_2d(r() if callable(r) else r) for r in rows]
        self.rows[variable] = [np.vstack(rows)] if len(rows) > 1 else rows
        return self.rows[variable][0]


class SynapseRecorder:
    """What one projection records of its synapses, and the samples so far."""

    def __init__(self, projection):
        self.projection = projection
        self.state = projection._simulator.state
        self.variables = []
        self.interval_steps = None
        self.segments = []
        self.current = _Segment(self.state.segment_counter, self.state.steps)
        self.next_step = None
        self.native = None  # the backend's sampler, if it samples during runs by itself
        self.state.synapse_recorders.append(self)

    # --- what is recorded -----------------------------------------------------------------
    def record(self, variables, sampling_interval=None):
        """Start recording `variables` (a name or list of names; None stops recording)."""
        label = f"Projection '{self.projection.label}'"
        if variables is None:
            self.collect()
            self.variables = []
            self.next_step = None
            self._close_native()
            return
        names = [variables] if isinstance(variables, str) else list(variables)
        allowed = self.projection.synapse_type.recordable_synapse_variables()
        for name in names:
            if name not in allowed:
                raise errors.SynapseRecordingError(
                    f"{label}: cannot record {name!r} of {type(self.projection.synapse_type).__name__}; "
                    f"recordable synapse variables are {', '.join(allowed)}")
        interval = self._interval_steps(sampling_interval, label)
        if self.variables and interval != self.interval_steps and self.current.rows:
            raise errors.InvalidParameterValueError(
                f"{label}: sampling_interval={sampling_interval} ms differs from the "
                f"{self.interval_steps * self.state.dt} ms already used for its recorded synapse variables; "
                f"all of them share one sampling interval")
        if self.current.rows and set(names) - set(self.variables):
            raise errors.SynapseRecordingError(
                f"{label}: synapse variables can be added to the recording only before the first sample "
                f"of a segment (recording {', '.join(self.variables)}); call record() before run() or "
                f"after reset()")
        self.collect()
        self.interval_steps = interval
        self.variables = self.variables + [name for name in names if name not in self.variables]
        if self.next_step is None:
            self.next_step = self._first_step()
        # a backend that samples during a run by itself (NEST, NEURON, Brian2: see their
        # recording modules) spares the run from stopping at every sample time
        self._close_native()
        self.native = self.projection._native_synapse_sampler(self.variables, self.interval_steps)

    def _close_native(self):
        """Let the backend's sampler stop working in the simulator (it is replaced or no longer
        needed)."""
        if self.native is not None and hasattr(self.native, "close"):
            self.native.close()
        self.native = None

    def _interval_steps(self, sampling_interval, label):
        if sampling_interval is None:
            return self.interval_steps or 1
        return sampling_interval_steps(sampling_interval, self.state.dt, label)

    def _first_step(self):
        """The first sample: now if now is on the segment's sampling grid, else the next grid step."""
        offset = self.state.steps - self.current.t_start_steps
        return self.current.t_start_steps + -(-offset // self.interval_steps) * self.interval_steps

    # --- sampling (called by the state's run loop) -------------------------------------------
    def sample(self):
        """Take the sample due now: the projection's current values of every variable."""
        seg = self.current
        if seg.first_step is None:
            seg.first_step = self.state.steps
        for name in self.variables:
            seg.rows.setdefault(name, []).append(
                np.array(self.projection._read_synapse_state(name), dtype=float, copy=True))
        self.next_step = self.state.steps + self.interval_steps

    @property
    def stops_runs(self):
        """Whether runs must stop at this recorder's sample times."""
        return self.native is None and self.next_step is not None

    def collect(self):
        """Take the samples due from the last one taken up to now: from the backend's
        sampler, except the one at now (if due), which is read directly unless the sampler
        says it has it too (``includes_now``)."""
        if self.native is None or self.next_step is None or self.next_step > self.state.steps:
            return
        now = self.state.steps
        wanted = np.arange(self.next_step, now + 1, self.interval_steps)
        if getattr(self.native, "includes_now", False):
            seg = self.current
            if seg.first_step is None:
                seg.first_step = int(wanted[0])
            found = self.native.samples(wanted)
            for name in self.variables:
                seg.rows.setdefault(name, []).append(found[name])
            self.next_step = int(wanted[-1]) + self.interval_steps
            return
        before = wanted[wanted < now]
        seg = self.current
        if seg.first_step is None:
            seg.first_step = int(wanted[0])
        if before.size:
            found = self.native.samples(before)
            for name in self.variables:
                seg.rows.setdefault(name, []).append(found[name])
        if wanted[-1] == now:
            self.sample()
        else:
            self.next_step = int(wanted[-1]) + self.interval_steps

    def values_changed(self, names):
        """The parameters `names` were set between runs (Projection.set): tell the backend's
        sampler, whose record of the current values may start from them."""
        if self.native is not None and hasattr(self.native, "values_changed"):
            self.native.values_changed(names)

    # --- segments ------------------------------------------------------------------------------
    def close_segment(self, annotations):
        """End the current segment (at reset()), with `annotations`."""
        self.collect()
        if self.current.t_start_steps == self.state.steps:
            return  # nothing ran in this segment: no empty segment is kept (as for cells)
        self.current.annotations.update(annotations)
        self.current.t_stop_steps = self.state.steps
        self.segments.append(self.current)

    def open_segment(self):
        """Start a new segment at the current time (after reset())."""
        self.current = _Segment(self.state.segment_counter, self.state.steps)
        self.next_step = self._first_step() if self.variables else None
        if self.native is not None:
            self.native.restart()

    def reattach(self):
        """The backend rebuilt its simulator objects at t = 0 without a reset(): the backend's
        sampler starts again from the rebuilt connections; the segment goes on."""
        if self.native is not None:
            self.native.restart()

    def clear(self):
        """Forget the samples so far; the current segment goes on from now."""
        self.collect()
        self.segments = []
        self.current = _Segment(self.current.index, self.state.steps)
        self.next_step = self._first_step() if self.variables else None

    def has_data(self):
        """Whether anything is being or was recorded."""
        return bool(self.variables) or any(seg.rows for seg in self.segments + [self.current])

    # --- output --------------------------------------------------------------------------------
    def get_data(self, variables="all", clear=False, annotations=None):
        """A neo.Block with one Segment per run/reset cycle (see the module docstring)."""
        from pyNN.recording.neo_output import synapse_block

        self.collect()
        names = self._names(variables)
        self.current.t_stop_steps = self.state.steps
        block = synapse_block(self, self.segments + [self.current], names, annotations or {})
        if clear:
            self.clear()
        return block

    def _names(self, variables):
        recorded = sorted({name for seg in self.segments + [self.current] for name in seg.rows})
        if variables == "all" or variables is None:
            return recorded
        names = [variables] if isinstance(variables, str) else list(variables)
        for name in names:
            if name not in recorded:
                raise errors.SynapseRecordingError(
                    f"Projection '{self.projection.label}': {name!r} was not recorded (recorded: "
                    f"{', '.join(recorded) or 'nothing'})")
        return names

    def units(self, variable):
        """Unit of a recorded variable: that of the weights, or dimensionless."""
        if variable == "weight":
            return self.projection._weight_units()
        return _STATE_UNITS.get(variable, "dimensionless")


def step_function_samples(start, positions, first_steps, values, steps, block_size=2**22):
    """Samples of per-connection values that change only at events, on the steps `steps`.

    Parameters
    ----------
    start : ndarray (n,)
        The values of the n connections before the first event.
    positions, first_steps, values : ndarray (events,)
        Event e sets connection ``positions[e]`` to ``values[e]``; samples at steps
        >= ``first_steps[e]`` see it. Events must be in time order (an event of a connection
        after that connection's earlier events).
    steps : ndarray (samples,)
        Increasing sample steps.
    block_size : int
        Elements of a block of samples built at once (bounds the memory of the index arrays).

    Returns
    -------
    ndarray (samples, n)
    """
    start = np.asarray(start, dtype=float)
    n = start.size
    positions = np.asarray(positions, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    steps = np.asarray(steps, dtype=np.int64)
    out = np.empty((steps.size, n))
    # row of the first sample that sees each event (steps.size: none does)
    rows = np.searchsorted(steps, np.asarray(first_steps, dtype=np.int64), side="left")
    order = np.argsort(rows, kind="stable")  # keeps the time order of each connection's events
    rows, positions, values = rows[order], positions[order], values[order]
    carry = start
    per_block = max(1, block_size // max(n, 1))
    for r0 in range(0, steps.size, per_block):  # blocks of many samples, not one per sample
        r1 = min(steps.size, r0 + per_block)
        lo, hi = np.searchsorted(rows, [r0, r1], side="left")
        latest = np.full((r1 - r0, n), -1, dtype=np.int64)
        _assign_last(latest, (rows[lo:hi] - r0) * n + positions[lo:hi], np.arange(lo, hi))
        # the latest event seen by each sample: the running maximum down the samples, as
        # event numbers grow with time for each connection
        np.maximum.accumulate(latest, axis=0, out=latest)
        block = out[r0:r1]
        np.copyto(block, carry[np.newaxis, :])
        seen = latest >= 0
        block[seen] = values[latest[seen]]
        carry = block[-1]
    return out


def after_events(start, positions, values):
    """The values of connections (`start` before the events) after events setting connection
    ``positions[e]`` to ``values[e]``, in time order."""
    end = np.array(start, dtype=float)
    _assign_last(end, np.asarray(positions, dtype=np.int64), values)
    return end


def _assign_last(target, flat_index, values):
    """target.flat[flat_index] = values where an index repeats: the last of its values wins
    (numpy does not promise which one a plain fancy assignment keeps)."""
    if not flat_index.size:
        return
    reverse = flat_index[::-1]
    unique, first_in_reverse = np.unique(reverse, return_index=True)
    target.reshape(-1)[unique] = np.asarray(values)[::-1][first_in_reverse]


def next_sample_step(state):
    """The earliest step at which a synapse recorder of `state` wants a sample, or None."""
    steps = [r.next_step for r in getattr(state, "synapse_recorders", ()) if r.stops_runs]
    return min(steps) if steps else None


def take_due_samples(state):
    """Let every synapse recorder whose sample is due at the current step take it."""
    for recorder in state.synapse_recorders:
        if recorder.stops_runs and recorder.next_step <= state.steps:
            recorder.sample()
        elif recorder.native is not None:
            recorder.collect()
