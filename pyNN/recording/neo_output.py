"""Building Neo objects from the recorder's columns (imported only when data are asked for,
so that a simulation script does not pay for importing Neo until it needs it)."""

import os

import neo
import numpy as np
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList



def get_io(filename):
    """Return a Neo IO object chosen from the file's extension."""
    ext = os.path.splitext(filename)[1].lower()
    directory = os.path.dirname(os.fspath(filename))
    if directory and ext not in (".txt", ".ras", ".v", ".gsyn"):
        os.makedirs(directory, exist_ok=True)  # e.g. Results/<date>/ from normalized_filename
    if ext in (".txt", ".ras", ".v", ".gsyn"):
        raise OSError(f"ASCII output ({ext}) is no longer supported; use .pkl, .nix/.h5 or .mat "
                      f"(file '{filename}')")
    if ext in (".pkl", ".pickle"):
        return neo.io.PickleIO(filename=filename)
    if ext in (".nix", ".h5"):
        try:
            return neo.io.NixIO(filename=filename, mode="ow")
        except Exception as exc:  # nixio missing
            raise OSError(f"Writing '{filename}' needs the 'nixio' package ({exc}); "
                          f"pip install nixio, or use a .pkl file") from exc
    if ext == ".mat":
        try:
            import scipy.io  # noqa: F401 - NeoMatlabIO writes through scipy
        except ImportError as exc:
            raise OSError(f"Writing '{filename}' needs the 'scipy' package; pip install scipy, "
                          f"or use a .pkl file") from exc
        return neo.io.NeoMatlabIO(filename=filename)
    if ext == ".nwb":
        return neo.io.NWBIO(filename=filename, mode="w")
    raise ValueError(f"Cannot tell the file format of '{filename}' from its extension; "
                     f"use one of .pkl, .pickle, .nix, .h5, .mat, .nwb")


class _FastSpikeTrainList(SpikeTrainList):
    """SpikeTrainList whose conversion to SpikeTrains sorts once (O(n log n))
    instead of masking the whole spike array for every channel."""

    def _spiketrains_from_array(self):
        self._items = []
        if self._spike_time_array is None:
            return
        channels = np.asarray(self._channel_id_array)
        times = self._spike_time_array
        order = np.lexsort((times.magnitude, channels))
        channels_sorted = channels[order]
        times_sorted = times[order]
        all_ids = np.asarray(self._all_channel_ids)
        starts = np.searchsorted(channels_sorted, all_ids, side="left")
        stops = np.searchsorted(channels_sorted, all_ids, side="right")
        per_channel = {k: v for k, v in self._annotations.items()
                       if not isinstance(v, str) and hasattr(v, "__len__") and len(v) == len(all_ids)}
        shared = {k: v for k, v in self._annotations.items() if k not in per_channel}
        # one SpikeTrain holding every spike, sliced per channel: neo checks units and the
        # [t_start, t_stop] range once, not once per channel (about 20 times faster)
        everything = neo.SpikeTrain(times_sorted, **self._spiketrain_metadata)
        for i, channel_id in enumerate(all_ids):
            st = everything[starts[i]:stops[i]]
            # a slice shares its parent's annotations dict and t_start/t_stop objects
            st.annotations = {}
            st.t_start = everything.t_start.copy()
            st.t_stop = everything.t_stop.copy()
            st.annotate(**shared)
            st.annotate(**{k: v[i] for k, v in per_channel.items()})
            st.annotate(channel_id=int(channel_id))
            st.segment = self.segment
            self._items.append(st)


def build_segment(recorder, seg, variables, view_indices, description):
    """Build a neo.Segment from stored columns for the cells `view_indices`."""
    pop = recorder.population
    dt = recorder.state.dt
    t_stop = seg.t_stop_steps * dt
    segment = neo.Segment(name=f"segment{seg.index:03d}", description=description,
                          rec_datetime=seg.rec_datetime)
    segment.annotate(**seg.annotations)
    in_view = np.zeros(pop.size, dtype=bool)
    in_view[view_indices] = True
    if "spikes" in variables and seg.spike_epochs:
        segment.spiketrains = _build_spiketrains(recorder, seg, in_view, t_stop, dt)
    for var in variables:
        if var == "spikes":
            continue
        for epoch in seg.signals.get(var, []):
            if getattr(epoch, "superseded", False):
                continue
            keep = in_view[epoch.indices]
            if not keep.any():
                continue
            values = epoch.values()[:, keep]
            indices = epoch.indices[keep]
            ids = pop.first_id + indices
            signal = neo.AnalogSignal(
                values, units=_units(pop.celltype, var),
                t_start=epoch.t_start_steps * dt * pq.ms,
                sampling_period=epoch.interval_steps * dt * pq.ms,
                name=var, source_population=pop.label, channel_ids=ids,
                array_annotations={"channel_index": indices})
            signal.segment = segment
            segment.analogsignals.append(signal)
    return segment

def _build_spiketrains(recorder, seg, in_view, t_stop, dt):
    pop = recorder.population
    idx, times = seg.spikes()
    start_of = np.full(pop.size, -1, dtype=np.int64)
    for indices, start in seg.spike_epochs:
        fresh = start_of[indices] < 0
        start_of[np.asarray(indices)[fresh]] = start
    recorded = np.flatnonzero((start_of >= 0) & in_view)
    keep = in_view[idx] & (times <= t_stop + 1e-6 * dt)
    idx, times = idx[keep], np.minimum(times[keep], t_stop)  # float noise at t_stop
    starts = np.unique(start_of[recorded])
    if len(starts) <= 1:
        t_start = (starts[0] if len(starts) else seg.t_start_steps) * dt
        stl = _FastSpikeTrainList.from_spike_time_array(
            times * pq.ms, pop.first_id + idx, pop.first_id + recorded, t_stop=t_stop * pq.ms,
            units="ms", t_start=t_start * pq.ms, source_population=pop.label,
            source_index=recorded)
        return stl
    trains = []  # cells whose recording began at different times: plain SpikeTrains
    order = np.lexsort((times, idx))
    idx, times = idx[order], times[order]
    lo = np.searchsorted(idx, recorded, "left")
    hi = np.searchsorted(idx, recorded, "right")
    for k, i in enumerate(recorded):
        trains.append(neo.SpikeTrain(times[lo[k]:hi[k]] * pq.ms, t_start=start_of[i] * dt * pq.ms,
                                     t_stop=t_stop * pq.ms, source_population=pop.label,
                                     source_index=int(i), channel_id=int(pop.first_id + i)))
    return trains


def _units(celltype, variable):
    unit = getattr(celltype, "units", {}).get(variable, "dimensionless")
    if unit in (None, "", "unknown"):
        unit = "dimensionless"
    try:
        return pq.Quantity(1.0, unit).units
    except Exception:
        return pq.dimensionless


def _join_signals_by_name(segment):
    """As in PyNN, one AnalogSignal per variable for an Assembly: signals of the members
    with the same name, units and time base are joined channel-wise."""
    groups = {}
    for sig in segment.analogsignals:
        key = (sig.name, str(sig.units), sig.shape[0], float(sig.t_start.rescale("ms").magnitude),
               float(sig.sampling_period.rescale("ms").magnitude))
        groups.setdefault(key, []).append(sig)
    if all(len(sigs) == 1 for sigs in groups.values()):
        return
    joined = []
    for sigs in groups.values():
        if len(sigs) > 1:
            for sig in sigs:  # which member each channel comes from
                sig.array_annotations["source_population"] = np.full(
                    sig.shape[1], str(sig.annotations.get("source_population", "")))
        sig = sigs[0]
        for other in sigs[1:]:
            sig = sig.merge(other)
        sig.segment = segment
        joined.append(sig)
    segment.analogsignals = joined


def data_block(populations_with_views, variables, clear, name, description, annotations):
    """Build a neo.Block for one or several (population, indices, offset) entries.

    Segments with the same index are merged. With `offset` None, AnalogSignal
    `channel_index` is the index in the population; with an int (Assembly members), it
    is the position among the entry's `indices` plus `offset`, so that indices are
    unique within an Assembly (even for several views of one population).
    """
    block = neo.Block(name=name, description=description)
    block.annotate(**annotations)
    merged = {}
    to_clear = []
    for population, indices, offset in populations_with_views:
        recorder = population.recorder
        wanted = recorder.recorded_variables_ever() if variables == "all" else (
            [variables] if isinstance(variables, str) else list(variables))
        for seg in recorder.segment_list():
            neo_seg = build_segment(recorder, seg, wanted, indices, description)
            if offset is not None:
                position = np.full(population.size, -1, dtype=np.int64)
                position[np.asarray(indices, dtype=np.int64)] = np.arange(len(indices))
                for sig in neo_seg.analogsignals:
                    sig.array_annotations["channel_index"] = \
                        position[sig.array_annotations["channel_index"]] + offset
            key = seg.index
            if key not in merged:
                merged[key] = neo_seg
            else:
                target = merged[key]
                target.analogsignals.extend(neo_seg.analogsignals)
                existing = list(target.spiketrains)
                target.spiketrains = existing + list(neo_seg.spiketrains)
        if clear and all(r is not recorder for r in to_clear):
            to_clear.append(recorder)
    for recorder in to_clear:  # after every entry: an Assembly may hold several views of one population
        recorder.clear()
    for key in sorted(merged):
        seg = merged[key]
        _join_signals_by_name(seg)
        seg.block = block
        block.segments.append(seg)
    if block.segments:
        block.rec_datetime = block.segments[0].rec_datetime
    return block

