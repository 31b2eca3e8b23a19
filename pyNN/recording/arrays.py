"""Recorded data as plain numpy arrays: the fast path of ``get_data_arrays()``.

It reads the same columns as the Neo output (``neo_output``) and applies the same
selection (cells in view, spikes up to the end of each segment), but builds no Neo or
quantities object: signals come back as the stored (samples x cells) arrays, shared and
read-only, and spikes as two flat arrays.
"""

from collections import namedtuple

import numpy as np

SpikeArrays = namedtuple("SpikeArrays", ["ids", "times", "recorded_ids"])
SpikeArrays.__doc__ = """Spikes of one segment.

ids, times : 1D arrays of equal length
    The ID of the cell that fired each spike and its time (ms), sorted by ID, then time.
recorded_ids : 1D array
    The IDs of every cell whose spikes were recorded, including those that never fired.
"""

SignalArrays = namedtuple("SignalArrays", ["times", "values", "ids"])
SignalArrays.__doc__ = """Samples of one variable for a group of cells recorded together.

times : 1D array
    Sample times (ms).
values : 2D array (samples x cells)
    In the units of the cell type's ``units[variable]`` (those of the Neo AnalogSignal);
    read-only, as it may share memory with the recorder and with Neo signals.
ids : 1D array
    The ID of the cell of each column.
"""


def data_arrays(populations_with_views, variables, clear):
    """Recorded data of (population, indices, offset) entries as a list with one dict
    per segment: ``'spikes'`` -> SpikeArrays, each signal name -> list of SignalArrays
    (one per member population and group of cells whose recording began together)."""
    merged = {}
    spikes = {}  # segment index -> list of (ids, times, recorded ids)
    cleared = []
    for population, indices, _ in populations_with_views:
        recorder = population.recorder
        dt = recorder.state.dt
        wanted = recorder.recorded_variables_ever() if variables == "all" else (
            [variables] if isinstance(variables, str) else list(variables))
        in_view = np.zeros(population.size, dtype=bool)
        in_view[np.asarray(indices, dtype=np.int64)] = True
        first_id = population.first_id
        for seg in recorder.segment_list():
            out = merged.setdefault(seg.index, {})
            for var in wanted:
                if var == "spikes":
                    if seg.spike_epochs:
                        recorded, _, idx, times = seg.spike_columns(in_view, dt)
                        spikes.setdefault(seg.index, []).append((first_id + idx, times, first_id + recorded))
                    continue
                for epoch, values, cells in seg.signal_columns(var, in_view):
                    times = (epoch.t_start_steps + epoch.interval_steps * np.arange(len(values))) * dt
                    out.setdefault(var, []).append(SignalArrays(times, values, first_id + cells))
        if clear and all(r is not recorder for r in cleared):
            cleared.append(recorder)
    for recorder in cleared:  # after every entry: an Assembly may hold several views of one population
        recorder.clear()
    for key, parts in spikes.items():
        ids, times, recorded = (np.concatenate(column) for column in zip(*parts))
        order = np.lexsort((times, ids))
        merged[key]["spikes"] = SpikeArrays(ids[order], times[order], np.unique(recorded))
    return [merged[key] for key in sorted(merged)]
