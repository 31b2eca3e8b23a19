"""Building Neo objects from the recorder's columns (imported only when data are asked for,
so that a simulation script does not pay for importing Neo until it needs it)."""

import copyreg
import os
import tempfile

import neo
import numpy as np
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList

from pyNN import errors



_TEXT_EXTENSIONS = (".txt", ".ras", ".v", ".gsyn")
_NEO_EXTENSIONS = (".pkl", ".pickle", ".nix", ".h5", ".mat", ".nwb")


def _checked_extension(filename):
    """The file's extension, if the library can write that format; an error otherwise."""
    ext = os.path.splitext(filename)[1].lower()
    if ext in _TEXT_EXTENSIONS:
        raise errors.DataFileError(f"ASCII output ({ext}) is no longer supported; use .pkl, .nix/.h5 or .mat "
                                   f"(file '{filename}')")
    if ext not in _NEO_EXTENSIONS:
        raise errors.DataFileError(f"Cannot tell the file format of '{filename}' from its extension; "
                                   f"use one of .pkl, .pickle, .nix, .h5, .mat, .nwb")
    return ext


def get_io(filename):
    """Return a Neo IO object chosen from the file's extension (`filename` may be a
    str or a :class:`pathlib.Path`)."""
    filename = os.fspath(filename)
    ext = _checked_extension(filename)
    directory = os.path.dirname(filename)
    if directory:
        os.makedirs(directory, exist_ok=True)  # e.g. Results/<date>/ from normalized_filename
    if ext in (".pkl", ".pickle"):
        return neo.io.PickleIO(filename=filename)
    if ext in (".nix", ".h5"):
        try:
            return neo.io.NixIO(filename=filename, mode="ow")
        except Exception as exc:  # nixio missing
            raise errors.DataFileError(f"Writing '{filename}' needs the 'nixio' package ({exc}); "
                                       f"pip install nixio, or use a .pkl file") from exc
    if ext == ".mat":
        try:
            import scipy.io  # noqa: F401 - NeoMatlabIO writes through scipy
        except ImportError as exc:
            raise errors.DataFileError(f"Writing '{filename}' needs the 'scipy' package; pip install scipy, "
                                       f"or use a .pkl file") from exc
        return neo.io.NeoMatlabIO(filename=filename)
    if ext == ".nwb":
        try:
            import pynwb  # noqa: F401 - Neo's NWBIO writes through pynwb
        except ImportError as exc:
            raise errors.NotSupportedError(
                f"Writing '{filename}' needs the 'pynwb' package, which is not installed; "
                f"pip install pynwb, or use a .pkl, .nix/.h5 or .mat file") from exc
        return neo.io.NWBIO(filename=filename, mode="w")
    # unreachable, an internal check rather than a user error: _checked_extension knows the same formats
    raise AssertionError(ext)


class _FastSpikeTrainList(SpikeTrainList):
    """SpikeTrainList whose conversion to SpikeTrains sorts once (O(n log n))
    instead of masking the whole spike array for every channel.

    It exists only until it is used: once its SpikeTrains are built it turns into a
    plain :class:`neo.core.spiketrainlist.SpikeTrainList`, and it is always pickled
    (and deep-copied) as one, so files and pickles need Neo, not pyNN, to be read.
    """

    def __reduce_ex__(self, protocol):
        # rebuilt by the standard library as Neo's own class, with the same state
        return copyreg._reconstructor, (SpikeTrainList, object, None), dict(self.__dict__)

    def _spiketrains_from_array(self):
        self._build_spiketrains()
        self.__class__ = SpikeTrainList  # from now on a plain Neo object

    def _build_spiketrains(self):
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
            st.t_start = everything.t_start.copy()
            st.t_stop = everything.t_stop.copy()
            # the annotations are the library's own (a label, indices, ids: types Neo accepts);
            # Neo's checks in annotate() took a quarter of the time per train
            annotations = dict(shared)
            for k, v in per_channel.items():
                annotations[k] = v[i]
            annotations["channel_id"] = int(channel_id)
            st.annotations = annotations
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
        # a SpikeTrainList assigned whole keeps its own parent; point it (and the
        # SpikeTrains it makes later) at this segment
        segment.spiketrains.segment = segment
    for var in variables:
        if var == "spikes":
            continue
        for epoch, values, indices in seg.signal_columns(var, in_view):
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
    recorded, start_steps, idx, times = seg.spike_columns(in_view, dt)
    starts = np.unique(start_steps)
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
        trains.append(neo.SpikeTrain(times[lo[k]:hi[k]] * pq.ms, t_start=start_steps[k] * dt * pq.ms,
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


def check_write_target(target, owner=None):
    """Refuse a `target` that is neither a file name (str or os.PathLike) with the extension of
    a known format nor an object with a ``write_block`` method (a Neo IO); `owner` names the
    data in the message."""
    if isinstance(target, (str, os.PathLike)):
        _checked_extension(os.fspath(target))
    elif not callable(getattr(target, "write_block", None)):
        whose = f"{owner}: " if owner else ""
        raise errors.InvalidTypeError(
            f"{whose}the data can be written to a file name (str or pathlib.Path, whose extension chooses "
            f"the format) or a Neo IO object, not {target!r} ({type(target).__name__})")


def write_block(target, block, owner=None):
    """Write `block` to `target`: a Neo IO object, or a filename whose extension chooses the
    format. `owner` (e.g. "Population 'exc'") names the data in error messages.

    A file is written under a temporary name in the same directory, flushed to disk and only
    then renamed onto `filename` (``os.replace``, atomic on POSIX and Windows). A failed or
    interrupted write therefore never leaves a half-written file under the final name: the
    previous file, if any, stays intact. (A process killed during the write may leave its
    temporary file, named ``.<name>.<random>.partial<ext>``, behind.) An operating-system error
    (no such directory, no permission, disk full...) is a DataFileError naming the file.
    """
    whose = f"{owner}: " if owner else ""
    check_write_target(target, owner)
    if not isinstance(target, (str, os.PathLike)):
        target.write_block(block)  # a Neo IO given by the caller stays open for further writes
        return
    filename = os.fspath(target)
    ext = _checked_extension(filename)  # before any file is created
    directory, name = os.path.split(os.path.abspath(filename))
    temporary = None
    try:
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=f".partial{ext}", dir=directory)
        os.close(fd)
        os.chmod(temporary, _file_mode(filename))
        io = get_io(temporary)
        io.write_block(block)
        if hasattr(io, "close"):
            io.close()
        with open(temporary, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(temporary, filename)
    except BaseException as exc:
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)
        if isinstance(exc, OSError) and not isinstance(exc, errors.PyNNError):
            raise errors.DataFileError(
                f"{whose}cannot write '{filename}': {exc.strerror or exc} "
                f"({type(exc).__name__}{'' if exc.filename is None else ' on ' + repr(exc.filename)}); "
                f"nothing was written there and the recorded data are kept") from exc
        raise


def _file_mode(filename):
    """Permissions for the new file: those of the file it replaces, else the usual ones for a
    new file under the process's umask (mkstemp makes private files)."""
    try:
        return os.stat(filename).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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



def synapse_block(recorder, segments, variables, annotations):
    """neo.Block of the synapse samples of `recorder` (a SynapseRecorder): one Segment per
    entry of `segments`, one AnalogSignal per variable with one channel per connection,
    whose array annotations give the pre- and post-synaptic indices."""
    prj = recorder.projection
    dt = recorder.state.dt
    pre = prj._pre.astype(np.int64)
    post = prj._post.astype(np.int64)
    block = neo.Block(name=prj.label, description=f"synapse state of Projection '{prj.label}'")
    block.annotate(**annotations)
    for seg in segments:
        segment = neo.Segment(name=f"segment{seg.index:03d}")
        segment.annotate(**seg.annotations)
        for var in variables:
            values = seg.values(var)
            if values is None:
                continue
            signal = neo.AnalogSignal(
                values, units=recorder.units(var), t_start=seg.first_step * dt * pq.ms,
                sampling_period=recorder.interval_steps * dt * pq.ms, name=var,
                source_projection=prj.label, presynaptic_population=getattr(prj.pre, "label", None),
                postsynaptic_population=getattr(prj.post, "label", None),
                array_annotations={"presynaptic_index": pre, "postsynaptic_index": post,
                                   "channel_index": np.arange(pre.size)})
            signal.segment = segment
            segment.analogsignals.append(signal)
        segment.block = block
        block.segments.append(segment)
    return block
