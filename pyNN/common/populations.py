"""Populations, views of populations, assemblies and cell IDs (written once).

Every group of cells is described by its root :class:`Population` and an integer
index array into it. Parameter values and initial values are stored in the core as
numpy arrays in standard units; the backend is handed translated arrays, one call per
population (or view).
"""

import logging
import time
import warnings
from itertools import chain
from typing import NamedTuple

import numpy as np

from pyNN import descriptions, errors, random, recording, space
import pyNN.common.distributed as distributed
from pyNN.common.control import check_current, check_same_backend
from pyNN.core import deprecated, is_listlike, missing_hook
from pyNN.models import BaseCellType, require_native
from pyNN.parameters import ArrayParameter, LazyArray, ParameterSpace, simplify
from pyNN.recording import files
from pyNN.standardmodels.cells import PointNeuron

logger = logging.getLogger("PyNN")


class ID(int):
    """A cell: an integer id carrying a reference to its population.

    Parameters of the cell can be read and written as attributes (``cell.tau_m``).
    """

    def __new__(cls, value, parent=None):
        obj = int.__new__(cls, value)
        int.__setattr__(obj, "parent", parent)
        return obj

    @property
    def _index(self):
        return int(self) - self.parent.first_id

    @property
    def celltype(self):
        """The cell type of the population the cell belongs to."""
        return self.parent.celltype

    @property
    def is_standard_cell(self):
        """True if the cell type is a standard (simulator-independent) type."""
        from pyNN.standardmodels import StandardCellType
        return isinstance(self.parent.celltype, StandardCellType)

    @property
    def local(self):
        """True if the cell lives on this MPI process (always, in a one-process run)."""
        return bool(self.parent._mask_local[self._index])

    def __getattr__(self, name):
        parent = None if name.startswith("_") or name == "parent" else int.__getattribute__(self, "parent")
        if parent is None or name == "set":
            hint = ("Cells have no set() method: use cell.set_parameters(**params), or "
                    "population[i:i+1].set(...)") if name == "set" else name
            # attribute-lookup protocol: hasattr()/getattr() need an AttributeError
            raise AttributeError(hint)
        if parent.celltype.has_parameter(name):
            return parent.as_root_values(name)[self._index]
        raise errors.NonExistentParameterError(name, type(parent.celltype).__name__,
                                               parent.celltype.get_parameter_names())

    def __setattr__(self, name, value):
        if name == "parent":
            int.__setattr__(self, name, value)
        elif name == "position":
            self.parent.grandparent._set_position(self._index, value)
        elif self.parent is not None and self.parent.celltype.has_parameter(name):
            self.as_view().set(**{name: value})
        else:
            raise errors.NonExistentParameterError(name, type(self.parent.celltype).__name__,
                                                   self.parent.celltype.get_parameter_names())

    def get_parameters(self):
        """Return a dict of the cell's parameter values."""
        return {name: self.parent.as_root_values(name)[self._index]
                for name in self.parent.celltype.get_parameter_names()}

    def set_parameters(self, **parameters):
        """Set parameters (name=value) of this cell."""
        self.as_view().set(**parameters)

    @property
    def position(self):
        """Position (x, y, z) of the cell."""
        return self.parent.grandparent.positions[:, self._index]

    @position.setter
    def position(self, pos):
        self.parent.grandparent._set_position(self._index, pos)

    def get_initial_value(self, variable):
        """Return the initial value of state variable `variable` of this cell."""
        return self.parent.grandparent._initial[variable][self._index]

    def set_initial_value(self, variable, value):
        """Set the initial value of state variable `variable` of this cell."""
        self.as_view().initialize(**{variable: value})

    def inject(self, current_source, location=None):
        """Inject `current_source` into this cell (`location` is ignored: point neurons)."""
        current_source.inject_into(self.as_view())

    def as_view(self):
        """Return a PopulationView holding only this cell."""
        return self.parent.grandparent[self._index:self._index + 1]


def _short_repr(value, limit=60):
    """repr() of a value for an error message, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _normalize_variables(variables, owner="record()"):
    if variables is None:
        return None
    if isinstance(variables, str):
        return [variables]
    if not hasattr(variables, "__iter__") or not all(isinstance(v, str) for v in variables):
        raise errors.InvalidTypeError(
            f"{owner}: variables must be a name such as 'v', a list of names, 'all' or None, got {variables!r}")
    return list(variables)


class BasePopulation:
    """Behaviour shared by Population and PopulationView."""

    # set by subclasses: grandparent (root Population) and _indices (into it)

    # --- size and ids --------------------------------------------------------------
    def __repr__(self):
        # PyNN's form: the constructor call that would make this object
        if self is self.grandparent:
            return f"Population({self.size}, {self.celltype!r}, structure={self.structure!r}, label={self.label!r})"
        return f"PopulationView(parent={self.parent!r}, selector={self.mask!r}, label={self.label!r})"

    def __len__(self):
        return self.size

    @property
    def size(self):
        """Number of cells."""
        return len(self._indices)

    @property
    def local_size(self):
        """Number of cells on this MPI process (all of them in a one-process run)."""
        return int(self._local.sum())

    @property
    def _local(self):
        """Bool per cell of this population or view: whether it lives on this process."""
        return self.grandparent._mask_local[self._indices]

    @property
    def _ids(self):
        return self.grandparent.first_id + self._indices

    @property
    def all_cells(self):
        """Array of the IDs of all cells."""
        root = self.grandparent
        out = np.empty(self.size, dtype=object)
        out[:] = [ID(i, root) for i in self._ids.tolist()]
        return out

    @property
    def local_cells(self):
        """Array of the IDs of the cells on this MPI process (all of them in one process)."""
        return self.all_cells[self._local]

    def __iter__(self):
        root = self.grandparent
        return (ID(i, root) for i in self._ids.tolist())

    def all(self):
        """Iterate over the IDs of all cells."""
        return iter(self)

    @property
    def first_id(self):
        """The smallest ID of the view (as PyNN: a sample or a reversed slice does not start
        with it), or None if empty."""
        return ID(int(self._ids.min()), self.grandparent) if self.size else None

    @property
    def last_id(self):
        """The largest ID of the view, or None if empty."""
        return ID(int(self._ids.max()), self.grandparent) if self.size else None

    def is_local(self, id):
        """Whether cell `id` lives on this MPI process (always, in a one-process run)."""
        return bool(self._local[self.id_to_index(id)])

    def id_to_index(self, id):
        """Position of cell(s) `id` within this population or view."""
        scalar = not is_listlike(id)
        ids = np.atleast_1d(np.asarray(id, dtype=np.int64))
        pos = _positions_in(self._ids, ids)
        if np.any(pos < 0):
            bad = ids[pos < 0]
            raise errors.UnknownIDError(
                f"ID(s) {bad[:5].tolist()} are not in '{self.label}' "
                f"(ids {int(self._ids[0]) if self.size else None}.."
                f"{int(self._ids[-1]) if self.size else None})")
        return int(pos[0]) if scalar else pos

    def id_to_local_index(self, id):
        """Position of cell(s) `id` among the cells of this population on this MPI process
        (the same as id_to_index() in a one-process run)."""
        local = self._local
        if local.all():
            return self.id_to_index(id)
        pos = np.atleast_1d(self.id_to_index(id))
        if not local[pos].all():
            raise errors.InvalidParameterValueError(
                f"ID(s) {np.asarray(self._ids[pos[~local[pos]]])[:5].tolist()} of '{self.label}' do not live "
                f"on MPI process {self._simulator.state.mpi_rank}")
        out = np.cumsum(local)[pos] - 1
        return int(out[0]) if not is_listlike(id) else out

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            n = self.size
            if not -n <= index < n:
                raise errors.InvalidIndexError(
                    f"Index {index} is out of range for '{self.label}' of size {n}; allowed are "
                    f"{-n} to {n - 1}")
            return ID(int(self._ids[index]), self.grandparent)
        if isinstance(index, (slice, list, np.ndarray, tuple)):
            if isinstance(index, tuple):
                index = list(index)
            return self.grandparent._view_class(self, index)
        raise errors.InvalidTypeError(
            f"'{self.label}' can be indexed by an int, slice, list, tuple or numpy array, "
            f"not {type(index).__name__}")

    def __add__(self, other):
        """An Assembly of this population (or view) followed by `other` (a population, view or Assembly)."""
        others = other.populations if isinstance(other, Assembly) else [other]
        return self.grandparent._assembly_class(self, *others)

    # --- cell type properties ----------------------------------------------------------
    @property
    def conductance_based(self):
        """True if the cell type has conductance-based synapses."""
        return self.celltype.conductance_based

    @property
    def receptor_types(self):
        """The receptor (synapse) types of the cell type."""
        return self.celltype.receptor_types

    @property
    def injectable(self):
        """True if current can be injected into the cells."""
        return self.celltype.injectable

    def can_record(self, variable, location=None):
        """Return True if the cell type can record `variable`."""
        return self.celltype.can_record(variable)

    def find_units(self, variable):
        """Units (string) of a parameter or recordable variable."""
        name = getattr(variable, "name", variable)
        units = getattr(self.celltype, "units", {})
        if name not in units:
            raise errors.NonExistentParameterError(name, type(self.celltype).__name__, list(units))
        return units[name]

    # --- parameters ----------------------------------------------------------------------
    def _view_indices(self):
        return self._indices

    def _check_current(self):
        """A pyNN error if the population was made before the last setup() (see
        :func:`pyNN.common.control.check_current`)."""
        root = self.grandparent
        check_current(root, f"Population '{root.label}'")

    def get(self, parameter_names, gather=False, simplify=True):
        """Values of one or more parameters, in standard units.

        Parameters
        ----------
        parameter_names : str or list of str
        gather : bool
            Ignored in a single process (all values are local).
        simplify : bool
            Return a single value when all cells have the same value.

        Returns
        -------
        One value (scalar or array) for a str; a list of values for a list.
        """
        single = isinstance(parameter_names, str)
        names = [parameter_names] if single else list(parameter_names)
        root = self.grandparent
        out = []
        for name in names:
            values = root.as_root_values(name)[self._indices]
            out.append(_simplified(values) if simplify else values)
        return out[0] if single else out

    def set(self, **parameters):
        """Set parameters of these cells (standard names and units).

        Values may be scalars, arrays with one value per cell, callables of the cell's
        index (within this population or view), RandomDistributions, or for array-valued
        parameters a Sequence/ArrayParameter (or one per cell).
        """
        self._check_current()
        self.grandparent._set_parameters(self._indices, parameters)

    def initialize(self, **initial_values):
        """Set initial values of state variables (standard names and units)."""
        self._check_current()
        self.grandparent._set_initial_values(self._indices, initial_values)

    def annotate(self, **annotations):
        """Add annotations (name=value), which are attached to the recorded data."""
        self.annotations.update(annotations)

    # --- recording -------------------------------------------------------------------------
    def record(self, variables, to_file=None, sampling_interval=None, locations=None):
        """Record `variables` ('spikes', 'v', ...) from these cells; None stops all recording
        of the whole population."""
        variables = _normalize_variables(variables, f"'{self.label}': record()")
        self._check_current()
        if to_file is not None and variables is not None:
            # a bad target is refused now, not at end() when the file is written
            recording.check_write_target(to_file, f"'{self.label}': record(to_file=...)")
        self.grandparent.recorder.record(variables, self._indices, sampling_interval)
        if to_file is not None and variables is not None:
            self._simulator.state.files_to_write.append((self, to_file, variables))

    @deprecated("record('v')")
    def record_v(self, to_file=None):
        """Deprecated PyNN 0.7 spelling of ``record('v')``; it warns and delegates."""
        self.record("v", to_file)

    @deprecated("record(['gsyn_exc', 'gsyn_inh'])")
    def record_gsyn(self, to_file=None):
        """Deprecated PyNN 0.7 spelling of ``record(['gsyn_exc', 'gsyn_inh'])``; it warns and delegates."""
        self.record(["gsyn_exc", "gsyn_inh"], to_file)

    def _block_annotations(self):
        state = self._simulator.state
        ann = {"size": self.size, "first_index": 0, "last_index": self.size,
               "first_id": int(self._ids[0]) if self.size else None,
               "last_id": int(self._ids[-1]) if self.size else None,
               "label": self.label, "simulator": state.backend_name, "dt": state.dt,
               "mpi_processes": state.num_processes}
        ann.update(state.block_annotations())
        ann.update(self.grandparent.annotations)
        if self is not self.grandparent:
            ann.update(self.annotations)
        return ann

    def get_data(self, variables="all", gather=True, clear=False, annotations=None, locations=None):
        """Recorded data as a ``neo.Block`` (one Segment per run/reset cycle)."""
        self._check_current()
        ann = self._block_annotations()
        ann.update(annotations or {})
        # gather=False: only the cells of this process (the data of every cell are kept on every
        # process, see pyNN.common.distributed)
        indices = self._indices if gather else self._indices[self._local]
        return recording.data_block([(self.grandparent, indices, None)], variables, clear,
                                    self.label, self.describe(), ann)

    def get_data_arrays(self, variables="all", clear=False):
        """Recorded data as plain numpy arrays, without building Neo objects.

        The fast path for users who do not need Neo: the same numbers as ``get_data()``,
        in a fraction of its time and memory.

        Parameters
        ----------
        variables : str or list of str
            ``'spikes'``, signal names (e.g. ``'v'``), or ``'all'`` (the default).
        clear : bool
            Forget the data once returned (as ``get_data(clear=True)``).

        Returns
        -------
        list of dict
            One dict per segment (as the segments of ``get_data()``). ``'spikes'`` maps to a
            ``SpikeArrays(ids, times, recorded_ids)`` named tuple (times in ms, sorted by
            ID then time); each signal name maps to a list of
            ``SignalArrays(times, values, ids)`` (``values`` is samples x cells, read-only),
            one per group of cells whose recording began together.
        """
        return recording.data_arrays([(self.grandparent, self._indices, None)], variables, clear)

    def write_data(self, io, variables="all", gather=True, clear=False, annotations=None,
                   locations=None):
        """Write recorded data through a Neo IO (an IO object, or a filename whose extension
        chooses the format)."""
        block = self.get_data(variables, gather, False, annotations)
        _write_block(io, block, self.label, [self.grandparent.recorder] if clear else [],
                     self._simulator.state, gather)

    def get_spike_counts(self, gather=True):
        """Dict {ID: number of spikes} over the current segment, for the cells whose spikes
        are recorded (and any other cell with spikes in the segment), as in PyNN."""
        self._check_current()
        counts, ids = self._recorded_spike_counts()
        root = self.grandparent
        return {ID(i, root): int(c) for i, c in zip(ids.tolist(), counts.tolist())}

    def mean_spike_count(self, gather=True):
        """Return the mean number of spikes per cell whose spikes are recorded (0 if none), as
        in PyNN: a population with a sample of its cells recorded gives the sample's mean."""
        self._check_current()
        counts, _ = self._recorded_spike_counts()
        return float(counts.mean()) if counts.size else 0

    def _recorded_spike_counts(self):
        """Spike counts of the cells whose spikes are recorded or that have spikes in the
        current segment (recording may have been switched off since), and their IDs."""
        recorder = self.grandparent.recorder
        counts = recorder.spike_counts(self._indices)
        recorded = recorder.recorded.get("spikes")
        keep = counts > 0
        if recorded is not None:
            keep |= recorded[self._indices]
        return counts[keep], self._ids[keep]

    @deprecated("mean_spike_count()")
    def meanSpikeCount(self, gather=True):
        """Deprecated PyNN 0.7 spelling of ``mean_spike_count()``; it warns and delegates."""
        return self.mean_spike_count(gather)

    @deprecated("get_data('spikes')")
    def getSpikes(self, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``get_data('spikes')``; it warns and delegates."""
        return self.get_data("spikes", gather)

    @deprecated("get_data('v')")
    def get_v(self, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``get_data('v')``; it warns and delegates."""
        return self.get_data("v", gather)

    @deprecated("get_data(['gsyn_exc', 'gsyn_inh'])")
    def get_gsyn(self, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``get_data(['gsyn_exc', 'gsyn_inh'])``; it warns and delegates."""
        return self.get_data(["gsyn_exc", "gsyn_inh"], gather)

    @deprecated("write_data(file, 'spikes')")
    def printSpikes(self, file, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``write_data(file, 'spikes')``; it warns and delegates."""
        self.write_data(file, "spikes", gather)

    @deprecated("write_data(file, 'v')")
    def print_v(self, file, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``write_data(file, 'v')``; it warns and delegates."""
        self.write_data(file, "v", gather)

    @deprecated("write_data(file, ['gsyn_exc', 'gsyn_inh'])")
    def print_gsyn(self, file, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``write_data(file, ['gsyn_exc', 'gsyn_inh'])``; it warns and delegates."""
        self.write_data(file, ["gsyn_exc", "gsyn_inh"], gather)

    @deprecated("set(parametername=value)")
    def tset(self, parametername, value_array):
        """Deprecated PyNN 0.7 spelling of ``set(parametername=value_array)``; it warns and delegates."""
        self.set(**{parametername: value_array})

    @deprecated("set(parametername=rand_distr)")
    def rset(self, parametername, rand_distr):
        """Deprecated PyNN 0.7 spelling of ``set(parametername=rand_distr)``; it warns and delegates."""
        self.set(**{parametername: rand_distr})

    # --- stimulation ---------------------------------------------------------------------
    def inject(self, current_source):
        """Inject a current source into every cell of this group."""
        self._check_current()
        if not self.celltype.injectable:
            raise errors.InvalidTypeError(f"Cannot inject current into '{self.label}': "
                                          f"{type(self.celltype).__name__} cells are not injectable")
        current_source.inject_into(self)

    # --- space ---------------------------------------------------------------------------
    @property
    def positions(self):
        """Array (3, size) of the cell positions."""
        return self.grandparent.positions[:, self._indices]

    @property
    def position_generator(self):
        """Function that returns the position(s) of the cell(s) at given indices."""
        return _position_generator(self.positions)

    def nearest(self, position):
        """ID of the cell nearest to `position` (x, y, z)."""
        pos = np.asarray(position, dtype=float).reshape(3, 1)
        d = np.sum((self.positions - pos) ** 2, axis=0)
        return self[int(np.argmin(d))]

    def sample(self, n, rng=None):
        """A view of `n` cells chosen at random without replacement.

        As in PyNN, the cells are the first `n` of ``rng.permutation(size)``, in that
        (random) order: ``view.mask`` and ``view.all_cells`` follow it.
        """
        chosen = _sample_indices(self, n, rng)
        return self.grandparent._view_class(self, chosen)._in_order(chosen)

    def save_positions(self, file):
        """Write rows ``index x y z`` with metadata {'population': label}."""
        data = np.column_stack([np.arange(self.size), self.positions.T])
        f = files.StandardTextFile(file, mode="wb") if isinstance(file, str) else file
        f.write(data, {"population": self.label})
        f.close()

    def describe(self, template="population_default.txt", engine="default"):
        """Human-readable description; a dict when `template` is None."""
        # as in PyNN, the cell type is its own description: {'name': ..., 'parameters': ...}
        context = {"label": self.label, "celltype": self.celltype.describe(template=None),
                   "size": self.size, "size_local": self.local_size,
                   "first_id": int(self._ids[0]) if self.size else None,
                   "last_id": int(self._ids[-1]) if self.size else None,
                   "local_first_id": int(self._ids[self._local][0]) if self.local_size else None,
                   "structure": getattr(self.grandparent.structure, "describe", lambda **k: None)(
                       template=None) if self.grandparent.structure else None,
                   "cell_parameters": {}, "annotations": dict(self.annotations)}
        if self is not self.grandparent:
            context.update(parent=self.parent.label, mask=self.mask)
        # as in PyNN, annotations are also top-level entries (without hiding the standard ones)
        context.update({k: v for k, v in self.annotations.items() if k not in context})
        return descriptions.render(engine, template, context, builtin=self._describe_text)

    def _describe_text(self, context):
        """The layout of PyNN's documented default description (label, structure, local
        cells, cell type, ID range, first local cell), which scripts may read back."""
        if self is not self.grandparent:
            lines = [f'PopulationView "{self.label}"', f'    parent : "{self.parent.label}"',
                     f"    size   : {self.size}", f"    mask   : {self.mask}"]
        else:
            lines = [f'Population "{self.label}"']
            structure = context["structure"]
            if structure:
                lines.append(f"    Structure   : {structure['name']}")
                lines += [f"      {k}: {v}" for k, v in structure["parameters"].items()]
            lines += [f"    Local cells : {context['size_local']}",
                      f"    Cell type   : {context['celltype']['name']}",
                      f"    ID range    : {context['first_id']}-{context['last_id']}"]
            if context["size_local"]:
                lines += ["    First cell on this node:", f"      ID: {context['local_first_id']}"]
                lines += [f"      {k}: {v}" for k, v in self._first_local_parameters().items()]
        if self.annotations:
            lines.append(f"    annotations: {self.annotations}")
        return "\n".join(lines)

    def _first_local_parameters(self):
        """Parameter values of the first local cell, as plain numbers where they are."""
        index = int(np.flatnonzero(self._local)[0])
        values = self[index].get_parameters()
        return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in values.items()}


def _position_generator(positions):
    """f(i) -> position of cell i: shape (3,) for one index, (n, 3) for n indices, as in PyNN."""
    rows = positions.T
    return lambda i: rows[i]


def _positions_in(values, query):
    """Position of each `query` item in the 1D array `values` (which need not be sorted,
    e.g. a view made with a reversed slice), or -1 where absent."""
    values = np.asarray(values)
    query = np.asarray(query)
    out = np.full(query.shape, -1, dtype=np.int64)
    if values.size == 0:
        return out
    order = None if np.all(values[1:] > values[:-1]) else np.argsort(values, kind="stable")
    sorted_values = values if order is None else values[order]
    pos = np.minimum(np.searchsorted(sorted_values, query), values.size - 1)
    hit = sorted_values[pos] == query
    out[hit] = pos[hit] if order is None else order[pos[hit]]
    return out


def _simplified(values):
    if isinstance(values, np.ndarray) and values.size and values.dtype != object:
        if np.all(values == values.flat[0]):
            return values.flat[0].item()
        return values
    return simplify(values)


def _write_block(io, block, label, recorders_to_clear=(), state=None, gather=True):
    """Write `block` (atomically when `io` is a filename), then clear `recorders_to_clear`:
    data are forgotten only once they are safely in the file, so a bad path loses nothing.

    In a distributed run, the gathered block (the same on every process) is written once, by
    rank 0, and the other processes wait until the file is complete; with ``gather=False``
    every process writes its own cells' data to its own file (the rank is added to a file
    name: ``data.pkl`` becomes ``data.1.pkl`` on rank 1).
    """
    world = state.world if state is not None else None
    empty = not block.segments or all(not s.analogsignals and not len(s.spiketrains) for s in block.segments)
    if empty and (world is None or gather):  # (a process may own none of the recorded cells)
        raise errors.NothingToWriteError(f"'{label}' has no recorded data to write")
    t_wall = time.perf_counter()
    owner = f"write_data() of '{label}'"
    if world is None:
        recording.write_block(io, block, owner)
    elif gather:
        world.on_root(lambda: recording.write_block(io, block, owner), owner)
    else:
        recording.write_block(_rank_file(io, world.rank), block, owner)
    logger.debug("wrote the data of '%s' (%d segment(s)) to %s in %.3f s", label, len(block.segments),
                 getattr(io, "filename", io), time.perf_counter() - t_wall)
    for recorder in recorders_to_clear:
        recorder.clear()


def _rank_file(io, rank):
    """`io` with the MPI rank before the extension of a file name (an IO object is used as is)."""
    if not isinstance(io, str):
        return io
    head, dot, ext = io.rpartition(".")
    return f"{head}.{rank}.{ext}" if dot and "/" not in ext else f"{io}.{rank}"


class Population(BasePopulation):
    """A group of cells of one type.

    Parameters
    ----------
    size : int or tuple of ints
        Number of cells, or a shape of up to three dimensions (giving a Line, Grid2D
        or Grid3D structure).
    cellclass : cell type instance
        E.g. ``IF_cond_exp(tau_m=15.0)``. (A class plus ``cellparams`` dict still
        works, with a DeprecationWarning.)
    cellparams : dict, optional
        Deprecated: parameters when `cellclass` is a class.
    structure : BaseStructure, optional
        Spatial structure giving cell positions (default ``Line()``).
    initial_values : dict, optional
        Initial values of state variables, overriding the type's defaults.
    label : str, optional
    """

    _simulator = None  # set by each backend
    _recorder_class = recording.Recorder
    _view_class = None  # set below / by each backend: the PopulationView class to create
    _assembly_class = None
    #: set by a backend that describes each PointNeuron by an object of its own: called with
    #: the PointNeuron, it returns that object (the population's ``native_type``)
    _point_neuron_model = None

    def __init__(self, size, cellclass, cellparams=None, structure=None, initial_values=None,
                 label=None):
        state = self._simulator.state
        state.ensure_setup("Population created")
        self.size_shape, size, structure = _resolve_size(size, structure)
        self.celltype = _resolve_celltype(cellclass, cellparams)
        if label is None:
            label = f"population{state.population_counter}"
        state.population_counter += 1
        self.label = label
        self.annotations = {}
        self._structure = structure if structure is not None else space.Line()
        self._positions = None
        self._indices = np.arange(size, dtype=np.int64)
        self.first_id_int = state.id_counter
        self._session = state.session
        state.id_counter += size
        # the cells simulated by this process (all of them unless the run is distributed)
        self._mask_local = np.ones(size, dtype=bool) if state.world is None else \
            distributed.local_mask(self.first_id_int, size, state.world.rank, state.world.size)
        self.native_type = self._native_type()
        require_native(self.native_type, state.backend_name, type(self.celltype).__name__)
        self._check_backend_support()
        self._std = self._evaluate_parameter_space(self.celltype.parameter_space, np.arange(size))
        type(self.celltype).check_values(self._std, f"Population '{label}'")
        self._round_to_grid(self._std)
        self._check_backend_values(self._std)
        self._initial = {}
        iv = dict(self.celltype.default_initial_values)
        # cells whose initial value of a variable follows a parameter (never given explicitly)
        self._following = {name: np.full(size, name not in (initial_values or {}))
                           for name in self.celltype.initial_values_from_parameters}
        for name, parameter in self.celltype.initial_values_from_parameters.items():
            iv[name] = self._std[parameter]
        iv.update(initial_values or {})
        self._check_initial_names(iv)
        for name, value in iv.items():
            self._initial[name] = self._evaluate_value(name, value, np.arange(size), kind="initial")
        t_wall = time.perf_counter()
        self._create_cells()
        self._apply_initial_values()
        self.recorder = self._recorder_class(self)
        state.populations.append(self)
        logger.debug("%s: created Population '%s' of %d %s cells in %.3f s", state.backend_name, label, size,
                     type(self.celltype).__name__, time.perf_counter() - t_wall)

    # root-population identity
    @property
    def grandparent(self):
        """The population itself (a view's grandparent is its root population)."""
        return self

    @property
    def parent(self):
        """None: a population has no parent."""
        return None

    @property
    def first_id(self):
        """ID of the first cell, or None if empty."""
        return ID(self.first_id_int, self) if self.size else None

    @property
    def _ids(self):
        return self.first_id_int + self._indices

    @property
    def initial_values(self):
        """Dict of state-variable name to initial values (lazy arrays)."""
        return {name: _lazy_initial(values) for name, values in self._initial.items()}

    # --- parameter storage --------------------------------------------------------------
    def as_root_values(self, name):
        """Return the per-cell values of parameter `name` for the whole population.

        Raises
        ------
        NonExistentParameterError
            If the cell type has no parameter `name`.
        """
        if name in self._std:
            return self._std[name]
        raise errors.NonExistentParameterError(name, f"{type(self.celltype).__name__} in '{self.label}'",
                                               self.celltype.get_parameter_names())

    def _evaluate_value(self, name, value, indices, kind="parameter"):
        schema = self.celltype.get_schema() if kind == "parameter" else None
        if schema is not None and name not in schema and "." in name:
            # a receptor's parameter by its dotted name ('AMPA.tau_syn'): the nested entry
            entry = schema
            for part in name.split("."):
                entry = entry[part]
            schema = {name: entry}
        shape, mask = (self.size,), (None if len(indices) == self.size else indices)
        if len(indices) == 0:
            # an empty view (p[[]]): lazyarray refuses an empty mask; nothing to evaluate
            shape, mask = (0,), None
        elif (mask is not None and is_listlike(value) and not isinstance(value, ArrayParameter)
                and len(value) == len(indices)):
            # one value per selected cell (e.g. an array given to a PopulationView)
            shape, mask = (len(indices),), None
        elif mask is not None and (isinstance(value, random.RandomDistribution)
                                   or (callable(value) and not hasattr(value, "evaluate"))):
            # as in PyNN, a view is set like a population of its own: f(i) gets the index
            # within the view, and a distribution draws one value per selected cell
            shape, mask = (len(indices),), None
        if isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype == bool):
            # True would silently become 1.0 (no standard parameter or state variable is a flag)
            what = "initial value" if kind == "initial" else kind
            raise errors.InvalidParameterValueError(
                f"Population '{self.label}': {type(self.celltype).__name__} {what} '{name}' got the boolean "
                f"value {value!r}; a number is needed")
        try:
            ps = ParameterSpace({name: value}, schema=schema, shape=shape,
                                component=type(self.celltype))
        except errors.InvalidDimensionsError as exc:
            raise errors.InvalidDimensionsError(
                f"Population '{self.label}' ({len(indices)} cell(s) selected): {exc}") from None
        except errors.InvalidParameterValueError as exc:
            raise errors.InvalidParameterValueError(f"Population '{self.label}': {exc}") from None
        ps.evaluate(mask=mask, simplify=False)
        values = ps[name]
        if kind == "initial":
            values = np.asarray(values, dtype=float)
            if not np.isfinite(values).all():
                bad = values[~np.isfinite(values)].flat[0]
                raise errors.InvalidParameterValueError(
                    f"Population '{self.label}': initial value of '{name}' = {bad:g} is not allowed: "
                    f"initial values must be finite numbers")
        return values

    def _evaluate_parameter_space(self, parameter_space, indices):
        ps = parameter_space.copy()
        try:
            ps.shape = (self.size,)
            ps.evaluate(mask=None if len(indices) == self.size else indices, simplify=False)
        except errors.InvalidDimensionsError as exc:
            raise _wrong_shape_error(parameter_space, self.size, self.label, exc) from None
        except ValueError as exc:
            if isinstance(exc, errors.PyNNError):
                raise
            raise _wrong_shape_error(parameter_space, self.size, self.label, exc) from None
        return ps.flatten().as_dict() if hasattr(ps, "flatten") else ps.as_dict()

    def _set_parameters(self, indices, parameters):
        if len(indices) == 0:
            self._check_for_empty_selection(parameters, self._checked_parameter_values)
            return
        new = self._checked_parameter_values(indices, parameters)
        before = {name: self._std[name].copy() for name in new}
        if self._simulator.state.steps != 0:
            # the sample at the current time holds the state the last run ended with (a
            # backend that reads it late, Brian2, would show a recorded expression of the
            # parameters, e.g. GIF's v_t, with the new values)
            self.recorder.fetch()
        try:
            self._store_parameters(indices, new)
            self._push_parameters(indices, list(parameters))
            self._follow_parameters(indices, parameters)
        except Exception as exc:
            # the simulator refused (e.g. a native model's own rule): keep what it holds
            self._std.update(before)
            try:
                self._push_parameters(indices, list(parameters))
            except Exception:  # the first error is the one to report
                pass
            if isinstance(exc, errors.InvalidParameterValueError):
                given = ", ".join(f"{name}={_short_repr(value)}" for name, value in parameters.items())
                raise errors.InvalidParameterValueError(
                    f"{exc} (set({given}) on {len(indices)} cell(s)); nothing was changed") from None
            raise

    def _checked_parameter_values(self, indices, parameters):
        """The values of `parameters` for the cells at `indices`, evaluated and checked (names,
        values, relations with the values that stay, the backend's limits); changes nothing."""
        celltype = self.celltype
        valid = celltype.get_parameter_names()
        for name in parameters:
            if name not in valid:
                raise errors.NonExistentParameterError(name, f"{type(celltype).__name__} in '{self.label}'",
                                                       valid)
        new = {}
        for name, value in parameters.items():
            new[name] = self._evaluate_value(name, value, indices)
        # relations between parameters (v_reset < v_thresh...) need the values that stay too;
        # checking whole-population arrays makes the cell numbers in messages population indices
        merged = {}
        for name, values in self._std.items():
            if name in new and values.dtype != object and np.asarray(new[name]).dtype != object:
                merged[name] = values.copy()
                merged[name][indices] = new[name]
            elif name in new:
                merged[name] = new[name]
            elif values.dtype != object:
                merged[name] = values
        type(celltype).check_values(merged, f"Population '{self.label}'")
        self._round_to_grid(new)
        self._check_backend_values(merged)
        return new

    def _check_for_empty_selection(self, values, check):
        """Refuse bad `values` (name -> value) given to no cell (an empty view): each one-for-all
        value is checked by `check(indices, values)` as if given to the population's first cell,
        and one-per-cell values must be empty; nothing is changed."""
        shared = {name: value for name, value in values.items()
                  if not is_listlike(value) or isinstance(value, ArrayParameter)}
        for name, value in values.items():
            if name not in shared and len(value) != 0:
                raise errors.InvalidDimensionsError(
                    f"Population '{self.label}': {len(value)} values of '{name}' given to an empty "
                    f"selection of cells (0 cells)")
        check(np.zeros(1, dtype=np.int64), shared)

    def _store_parameters(self, indices, new):
        """Put the evaluated values `new` (name -> values of the cells at `indices`) into the
        population's standard values."""
        for name, values in new.items():
            arr = self._std[name]
            if arr.dtype == object or (isinstance(values, np.ndarray) and values.dtype == object):
                if arr.dtype != object:
                    arr = arr.astype(object)
                for k, i in enumerate(np.asarray(indices).tolist()):
                    arr[i] = values[k] if np.ndim(values) else values
                self._std[name] = arr
            else:
                arr[indices] = values

    def _round_to_grid(self, std_values):
        """Put the type's ``grid_times`` (e.g. start and duration of a Poisson source) on the
        time grid, in place: the grid convention of every event time (nearest step, one
        RoundingWarning per population and parameter), so that no backend rounds its own way
        and NEST never refuses an off-grid device time. Infinite values are kept."""
        state = self._simulator.state
        for name in getattr(self.celltype, "grid_times", ()):
            if name not in std_values:
                continue
            values = np.asarray(std_values[name], dtype=float)
            finite = np.isfinite(values)
            steps = np.where(finite, values, 0.0) / state.dt
            off = finite & (np.abs(steps - np.floor(steps + 0.5 + 1e-9)) > 1e-6)
            if not off.any():
                continue
            rounded = np.where(off, state.steps_to_time(state.time_to_steps(
                np.where(finite, values, 0.0), f"'{name}' of Population '{self.label}'", key=(name, id(self)))),
                values)
            std_values[name] = rounded if np.ndim(std_values[name]) else float(rounded)

    def _push_parameters(self, indices, changed):
        # backends get cells in increasing order (NEST requires it); a view may list them in
        # another order (sample(), reversed slices), so the values are read back in that order
        indices = np.sort(np.asarray(indices, dtype=np.int64))
        std_subset = {name: values[indices] for name, values in self._std.items()}
        self._set_native_parameters(self._translate(std_subset), indices)

    def _translate(self, std_values):
        """Standard values -> native values, through the backend's table (`native_type`)."""
        return self.native_type.translate(std_values)

    def _check_initial_names(self, names):
        valid = list(self.celltype.default_initial_values)
        for name in names:
            if name not in valid:
                raise errors.NonExistentParameterError(
                    name, f"state variables of {type(self.celltype).__name__} in '{self.label}'", valid)

    def _follow_parameters(self, indices, parameters):
        """Initial values that follow a parameter of `parameters` (and were never given) take
        its new values: from now on as the start of the next segment (reset()), and before
        the first run also of this one."""
        for name, parameter in self.celltype.initial_values_from_parameters.items():
            if parameter not in parameters:
                continue
            cells = np.asarray(indices, dtype=np.int64)
            cells = cells[self._following[name][cells]]
            if cells.size:
                self._initial[name][cells] = self._std[parameter][cells]
                if self._simulator.state.steps == 0:
                    self._push_initial_values(cells, [name])
                    self.recorder.refresh_first_samples()

    def _set_initial_values(self, indices, initial_values):
        if len(indices) == 0:
            self._check_for_empty_selection(initial_values, self._checked_initial_values)
            return
        for name, values in self._checked_initial_values(indices, initial_values).items():
            self._initial[name][indices] = values
            if name in self._following:
                self._following[name][indices] = False
        at_start = self._simulator.state.steps == 0
        if not at_start:
            # the sample at the current time (the end of the last run) holds the state before
            # this change on every backend: take it now, before a backend that reads it late
            # (Brian2, from its monitor at the next step) would see the new values
            self.recorder.fetch()
        self._push_initial_values(indices, list(initial_values))
        if at_start:
            # before the first step of a segment the cells start from the new values: the
            # sample at t = 0, taken when recording began, is taken again
            self.recorder.refresh_first_samples()

    def _checked_initial_values(self, indices, initial_values):
        """The initial values for the cells at `indices`, evaluated and checked; changes nothing."""
        self._check_initial_names(initial_values)
        return {name: self._evaluate_value(name, value, indices, kind="initial")
                for name, value in initial_values.items()}

    def _apply_initial_values(self):
        self._push_initial_values(self._indices, list(self._initial))

    def _push_initial_values(self, indices, names):
        if names:
            indices = np.sort(np.asarray(indices, dtype=np.int64))  # see _push_parameters
            self._set_native_initial_values({n: self._initial[n][indices] for n in names}, indices)

    # --- space -------------------------------------------------------------------------
    @property
    def structure(self):
        """The spatial structure (pyNN.space) of the population, or None."""
        return self._structure

    @structure.setter
    def structure(self, structure):
        if structure != self._structure:
            self._positions = None
        self._structure = structure

    @property
    def positions(self):
        """Array (3, size) of the cell positions, generated from the structure on first use.

        Raises
        ------
        InvalidParameterValueError
            If the population has neither a structure nor explicit positions.
        """
        if self._positions is None:
            if self._structure is None:
                raise errors.InvalidParameterValueError(
                    f"'{self.label}' has neither a structure nor explicit positions; give "
                    f"structure=... when creating it or assign positions")
            self._positions = self._structure.generate_positions(self.size)
        return self._positions

    @positions.setter
    def positions(self, pos_array):
        pos = np.asarray(pos_array, dtype=float)
        if pos.shape != (3, self.size):
            raise errors.InvalidDimensionsError(
                f"'{self.label}': positions must have shape (3, {self.size}), got {pos.shape}")
        self._positions = pos.copy()
        self._structure = None

    def _set_position(self, index, pos):
        positions = self.positions.copy()
        positions[:, index] = np.asarray(pos, dtype=float)
        self._positions = positions

    @property
    def position_generator(self):
        """Function that returns the position(s) of the cell(s) at given indices."""
        return _position_generator(self.positions)

    # --- hooks for backends --------------------------------------------------------------
    def _native_type(self):
        """What holds the backend's translation data for this population's cells: the cell
        type itself, or for a PointNeuron the object the backend's ``_point_neuron_model``
        builds for it. It has ``native_name`` (None when the backend has no model),
        ``missing_reason`` and ``translate()``; the core keeps it as ``native_type``."""
        if self._point_neuron_model is not None and isinstance(self.celltype, PointNeuron):
            return self._point_neuron_model(self.celltype)
        return self.celltype

    def _check_backend_support(self):
        """Refuse what the backend cannot simulate beyond a missing model (the core has
        already checked ``native_type.native_name``), e.g. the limits of a hardware profile."""

    def _check_backend_values(self, std_values):
        """Refuse (with a pyNN error) parameter values the backend cannot simulate, e.g. outside
        a hardware profile's ranges; `std_values`: every parameter (standard units, one value
        per cell or a scalar), called at creation and by set() before anything is kept."""

    def _create_cells(self):
        raise missing_hook(self, "_create_cells")

    def _set_native_parameters(self, native_values, indices):
        raise missing_hook(self, "_set_native_parameters")

    def _set_native_initial_values(self, std_initial_values, indices):
        raise missing_hook(self, "_set_native_initial_values")

    def _native_ids(self):
        """Simulator handles (e.g. node ids) of the cells, as an integer array."""
        raise missing_hook(self, "_native_ids")

    def _membrane_potential(self):
        """Current membrane potential of every cell (any unit; only its finiteness is checked,
        see :mod:`pyNN.common.numerical_safety`), or None for cells without one (spike
        sources). Called after every slice of a run: a backend returns the array its
        simulator already holds, without a loop per cell."""
        return None

    def _divergence_check_needed(self):
        """Whether the divergence check reads this population's membrane potential (see
        :mod:`pyNN.common.numerical_safety`); False where :meth:`_membrane_potential` gives
        None because the backend knows that its simulator cannot diverge silently here."""
        return True

    def _add_injection(self, source, indices):
        """`source`, a current source whose waveform the core computes (see
        :class:`pyNN.common.current_sources.WaveformCurrentSource`), was injected into the
        cells at `indices`: a backend that plays such waveforms prepares to do so."""


def _wrong_shape_error(parameter_space, size, label, exc):
    """An InvalidDimensionsError naming the parameter(s) whose array does not fit `size` cells
    (lazyarray itself only says that some shape could not be changed)."""
    bad = []
    for name in parameter_space.keys():
        value = parameter_space[name]
        shape = getattr(getattr(value, "base_value", value), "shape", None)
        if shape is not None and tuple(shape) not in ((), (size,)):
            bad.append(f"'{name}' has {int(np.prod(shape))} values")
    what = "; ".join(bad) if bad else str(exc)
    return errors.InvalidDimensionsError(
        f"Population '{label}' has {size} cell(s) but {what}: give one value per cell or a single "
        f"value")


def _resolve_size(size, structure):
    if isinstance(size, (tuple, list)):
        shape = tuple(int(s) for s in size)
        if any(s < 1 for s in shape):
            raise errors.InvalidParameterValueError(
                f"Population: every dimension of the shape {shape} must be >= 1 (a population "
                f"needs at least one cell)")
        if structure is not None:
            raise errors.InvalidParameterValueError(
                f"Population: give either a shape tuple or a structure, not both (got shape {shape} "
                f"and structure {structure!r})")
        if len(shape) == 1:
            structure = space.Line()
        elif len(shape) == 2:
            structure = space.Grid2D(aspect_ratio=shape[0] / shape[1])
        elif len(shape) == 3:
            structure = space.Grid3D(shape[0] / shape[1], shape[0] / shape[2])
        else:
            raise errors.InvalidDimensionsError(
                f"Population: shape {shape} has {len(shape)} dimensions; shapes of more than 3 dimensions "
                f"are not supported")
        return shape, int(np.prod(shape)), structure
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise errors.InvalidParameterValueError(
            f"Population: size must be a positive int or a shape tuple, got {size!r}")
    if size < 1:
        raise errors.InvalidParameterValueError(
            f"Population: size must be >= 1 (a population needs at least one cell), got {size!r}")
    return (int(size),), int(size), structure


def _resolve_celltype(cellclass, cellparams):
    if isinstance(cellclass, BaseCellType):
        if cellparams:
            raise errors.InvalidParameterValueError(
                f"Population: cellparams can only be given with a cell type class, not with the instance "
                f"{cellclass!r}; put the parameters in the instance, e.g. "
                f"{type(cellclass).__name__}(**cellparams)")
        return cellclass
    if isinstance(cellclass, type) and issubclass(cellclass, BaseCellType):
        warnings.warn("Passing a cell type class and a parameter dict to Population is deprecated; "
                      "pass an instance, e.g. IF_cond_exp(tau_m=15.0)", DeprecationWarning, stacklevel=3)
        return cellclass(**(cellparams or {}))
    raise errors.InvalidTypeError(
        f"Population: cellclass must be a cell type instance such as IF_cond_exp(), got {cellclass!r}")


class PopulationView(BasePopulation):
    """A subset of the cells of a Population (or of another view).

    Parameters
    ----------
    parent : Population or PopulationView
    selector : slice, list/array of int, or boolean mask of the parent's size
    label : str, optional
    """

    def __init__(self, parent, selector, label=None):
        self.parent = parent
        self.grandparent = parent.grandparent
        self._simulator = parent._simulator
        local = _selector_to_indices(selector, parent.size, parent.label)
        self.mask = local
        self._indices = parent._indices[local]
        self.label = label or f"view of '{parent.label}' with size {len(local)}"
        self.annotations = {}

    @property
    def celltype(self):
        """The cell type of the root population."""
        return self.grandparent.celltype

    @property
    def recorder(self):
        """The recorder of the root population."""
        return self.grandparent.recorder

    @property
    def structure(self):
        """The spatial structure of the root population."""
        return self.grandparent.structure

    @property
    def initial_values(self):
        """Dict of state-variable name to the initial values of the view's cells."""
        root = self.grandparent
        return {name: _lazy_initial(values[self._indices]) for name, values in root._initial.items()}

    def as_root_values(self, name):
        """Return the per-cell values of parameter `name` of the root population."""
        return self.grandparent.as_root_values(name)

    def _in_order(self, local):
        """Put the cells in the order of `local` (each index into the parent once)."""
        self.mask = np.asarray(local, dtype=np.int64)
        self._indices = self.parent._indices[self.mask]
        return self

    def index_in_grandparent(self, indices):
        """Return the indices in the root population of the view indices `indices`."""
        return self._indices[indices]

    def index_from_parent_index(self, indices):
        """Return the indices in this view of the parent-population indices `indices`."""
        return _positions_in(self.mask, np.asarray(indices, dtype=np.int64))

    def _native_ids(self):
        return self.grandparent._native_ids()[self._indices]

    def __eq__(self, other):
        return (isinstance(other, PopulationView) and other.grandparent is self.grandparent
                and np.array_equal(other._indices, self._indices))

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = object.__hash__


def _selector_to_indices(selector, size, label):
    if isinstance(selector, slice):
        return np.arange(size)[selector]
    arr = np.asarray(selector)
    if arr.dtype == bool:
        if arr.size != size:
            raise errors.InvalidDimensionsError(
                f"Boolean mask of size {arr.size} cannot select from '{label}' of size {size}")
        return np.flatnonzero(arr)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        raise errors.InvalidTypeError(
            f"Cannot select cells of '{label}' with {selector!r}; use a slice, integer indices or a "
            f"boolean mask")
    arr = arr.astype(np.int64).reshape(-1)
    arr = np.where(arr < 0, arr + size, arr)
    if arr.min() < 0 or arr.max() >= size:
        raise errors.InvalidIndexError(
            f"Index out of range for '{label}' of size {size}: {arr[(arr < 0) | (arr >= size)][:5].tolist()}; "
            f"allowed are {-size} to {size - 1}")
    unique = np.unique(arr)
    if unique.size != arr.size:
        warnings.warn(f"Duplicate indices in a view of '{label}' were removed", stacklevel=3)
    elif np.any(np.diff(arr) < 0):
        pass  # views are kept in increasing order, as in PyNN
    return unique


class Assembly:
    """A group of Populations and/or PopulationViews, possibly of different cell types.

    Parameters
    ----------
    *populations : Population or PopulationView
    label : str, optional
    """

    def __init__(self, *populations, **kwargs):
        label = kwargs.pop("label", None)
        if kwargs:
            raise errors.InvalidTypeError(
                f"Assembly() got unexpected keyword arguments {sorted(kwargs)}; only 'label' is allowed")
        self.populations = []
        for p in populations:
            self._insert(p)
        state = self._simulator.state if self.populations else None
        if label is None:
            n = state.assembly_counter if state else 0
            label = f"assembly{n}"
            if state:
                state.assembly_counter += 1
        self.label = label
        self.annotations = {}

    @property
    def _simulator(self):
        return self.populations[0]._simulator

    def _check_current(self):
        for p in self.populations:
            p._check_current()

    def _insert(self, p):
        if not isinstance(p, BasePopulation):
            raise errors.InvalidTypeError(f"An Assembly can only contain Populations or PopulationViews, not {p!r}")
        check_same_backend(self.populations + [p], "An Assembly")
        p._check_current()
        for q in self.populations:
            if q.grandparent is p.grandparent and np.intersect1d(q._indices, p._indices).size:
                warnings.warn(f"'{p.label}' overlaps '{q.label}', already in assembly; ignored",
                              stacklevel=3)
                return
        self.populations.append(p)

    @property
    def size(self):
        """Total number of cells."""
        return sum(p.size for p in self.populations)

    def __repr__(self):
        return f"Assembly(*{self.populations!r}, label={self.label!r})"

    def __len__(self):
        return self.size

    @property
    def local_size(self):
        """Number of cells on this MPI process (all of them in a one-process run)."""
        return sum(p.local_size for p in self.populations)

    @property
    def _local(self):
        """Bool per cell, population after population: whether it lives on this process."""
        return np.concatenate([p._local for p in self.populations] + [np.zeros(0, dtype=bool)])

    def _offsets(self):
        return np.cumsum([0] + [p.size for p in self.populations])

    @property
    def _ids(self):
        return np.concatenate([p._ids for p in self.populations]) if self.populations else np.zeros(0, int)

    def _native_ids(self):
        return np.concatenate([p._native_ids() for p in self.populations])

    def __iter__(self):
        return chain(*(iter(p) for p in self.populations))

    def all(self):
        """Iterate over the IDs of all cells of the assembly."""
        return iter(self)

    @property
    def all_cells(self):
        """Array of the IDs of all cells, population after population."""
        return np.concatenate([p.all_cells for p in self.populations])

    @property
    def local_cells(self):
        """Array of the IDs of the cells on this MPI process, population after population."""
        return np.concatenate([p.local_cells for p in self.populations])

    @property
    def first_id(self):
        """The smallest ID of the assembly's cells (as PyNN, whatever the order of the
        populations), or None if empty."""
        ids = [p.first_id for p in self.populations if p.size]
        return min(ids, key=int) if ids else None

    @property
    def last_id(self):
        """The largest ID of the assembly's cells, or None if empty."""
        ids = [p.last_id for p in self.populations if p.size]
        return max(ids, key=int) if ids else None

    def id_to_index(self, id):
        """Return the index (or indices) in the assembly of the cell ID(s) `id`."""
        scalar = not is_listlike(id)
        ids = np.atleast_1d(np.asarray(id, dtype=np.int64))
        out = np.full(ids.shape, -1, dtype=np.int64)
        for p, offset in zip(self.populations, self._offsets()):
            pos = _positions_in(p._ids, ids)
            hit = pos >= 0
            out[hit] = offset + pos[hit]
        if np.any(out < 0):
            raise errors.UnknownIDError(
                f"ID(s) {ids[out < 0][:5].tolist()} are not in assembly '{self.label}'")
        return int(out[0]) if scalar else out

    def _locate(self, indices):
        """Split assembly indices into (population, local indices) pairs."""
        offsets = self._offsets()
        which = np.searchsorted(offsets, indices, side="right") - 1
        for k, p in enumerate(self.populations):
            sel = indices[which == k] - offsets[k]
            if sel.size:
                yield p, sel

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            if not -self.size <= index < self.size:
                raise errors.InvalidIndexError(
                    f"Index {index} is out of range for assembly '{self.label}' of size {self.size}; "
                    f"allowed are {-self.size} to {self.size - 1}")
            index = index % self.size
            p, local = next(self._locate(np.array([index])))
            return p[int(local[0])]
        indices = _selector_to_indices(index, self.size, self.label)
        return type(self)(*[p.grandparent._view_class(p, local) for p, local in self._locate(indices)],
                        label=f"{self.label}[subset]")

    def __add__(self, other):
        if isinstance(other, Assembly):
            return type(self)(*(self.populations + other.populations))
        if isinstance(other, BasePopulation):
            return type(self)(*(self.populations + [other]))
        raise errors.InvalidTypeError(
            f"Can only add a Population, PopulationView or Assembly to assembly '{self.label}', "
            f"not {type(other).__name__}")

    def __iadd__(self, other):
        others = other.populations if isinstance(other, Assembly) else [other]
        for p in others:
            self._insert(p)
        return self

    def get_population(self, label):
        """Return the population with the given label.

        Raises
        ------
        UnknownNameError
            If no population of the assembly has that label.
        """
        for p in self.populations:
            if p.label == label:
                return p
        labels = [p.label for p in self.populations]
        raise errors.UnknownNameError(
            f"Assembly '{self.label}' contains no population labelled '{label}'; its populations are "
            f"{labels}")

    @property
    def conductance_based(self):
        """True if every population's cell type has conductance-based synapses."""
        return all(p.celltype.conductance_based for p in self.populations)

    @property
    def receptor_types(self):
        """Receptor types shared by all populations."""
        types = [set(p.celltype.receptor_types) for p in self.populations]
        common = set.intersection(*types) if types else set()
        return [r for r in self.populations[0].celltype.receptor_types if r in common] if types else []

    @property
    def injectable(self):
        """True if current can be injected into every population."""
        return all(p.celltype.injectable for p in self.populations)

    @property
    def positions(self):
        """Array (3, size) of the cell positions, population after population."""
        return np.hstack([p.positions for p in self.populations])

    @property
    def position_generator(self):
        """Function that returns the position(s) of the cell(s) at given indices."""
        return _position_generator(self.positions)

    def find_units(self, variable):
        """Return the units of `variable`, which must be the same in all populations.

        Raises
        ------
        InvalidParameterValueError
            If the populations give `variable` different units.
        """
        units = {p.find_units(variable) for p in self.populations}
        if len(units) > 1:
            raise errors.InvalidParameterValueError(
                f"'{variable}' has different units in assembly '{self.label}': {units}")
        return units

    def sample(self, n, rng=None):
        """Return a random sample of `n` cells as an assembly.

        The cells are the first `n` of ``rng.permutation(size)``: the sample holds one view
        per member population that has chosen cells, each in the order of the permutation.

        Parameters
        ----------
        n : int
            Number of cells.
        rng : random number generator, optional
            A NumpyRNG by default.
        """
        chosen = _sample_indices(self, n, rng)
        # as in PyNN: one view per member population, in the assembly's order, each holding
        # its chosen cells in the (random) order of the permutation
        return type(self)(*[p.grandparent._view_class(p, local)._in_order(local)
                            for p, local in self._locate(chosen)], label=f"{self.label}[sample]")

    def initialize(self, **initial_values):
        """Set initial values of state variables (name=value) in every population."""
        self._per_population("initialize", initial_values)

    def set(self, **parameters):
        """Set parameters (name=value) in every population."""
        self._per_population("set", parameters)

    def _per_population(self, method, values):
        offsets = self._offsets()
        for k, p in enumerate(self.populations):
            local = {}
            for name, value in values.items():
                if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == self.size:
                    value = value[offsets[k]:offsets[k + 1]]
                elif isinstance(value, list) and len(value) == self.size \
                        and not isinstance(value, ArrayParameter):
                    value = value[offsets[k]:offsets[k + 1]]
                local[name] = value
            getattr(p, method)(**local)

    def get(self, parameter_names, gather=False, simplify=True):
        """Return parameter values of all cells, population after population.

        Parameters
        ----------
        parameter_names : str or list of str
            One name, or several names.
        gather : bool
            Ignored (single process).
        simplify : bool
            If True, a value shared by all cells is returned once instead of as an array.

        Returns
        -------
        value or list
            The values of one parameter, or a list with one entry per name.
        """
        single = isinstance(parameter_names, str)
        names = [parameter_names] if single else list(parameter_names)
        out = []
        for name in names:
            values = np.concatenate([np.atleast_1d(p.get(name, simplify=False)) for p in self.populations])
            out.append(_simplified(values) if simplify else values)
        return out[0] if single else out

    def record(self, variables, to_file=None, sampling_interval=None, locations=None):
        """Record `variables` from every population that can record them.

        Parameters
        ----------
        variables : str, list of str or None
            Variables to record (``"spikes"``, ``"v"``...); ``"all"`` for all; None stops recording.
        to_file : str or Neo IO, optional
            Where end() writes the data.
        sampling_interval : float, optional
            Sampling interval (ms) of analog signals.
        locations : optional
            Ignored (point neurons only).
        """
        for p in self.populations:
            vars_p = variables
            if variables is not None and not isinstance(variables, str):
                vars_p = [v for v in variables if p.can_record(v)]
            elif isinstance(variables, str) and not p.can_record(variables):
                continue
            p.record(vars_p, sampling_interval=sampling_interval)
        if to_file is not None and variables is not None:
            self._simulator.state.files_to_write.append((self, to_file, variables))

    @deprecated("record('v')")
    def record_v(self, to_file=None):
        """Deprecated PyNN 0.7 spelling of ``record('v')``; it warns and delegates."""
        self.record("v", to_file)

    @deprecated("record(['gsyn_exc', 'gsyn_inh'])")
    def record_gsyn(self, to_file=None):
        """Deprecated PyNN 0.7 spelling of ``record(['gsyn_exc', 'gsyn_inh'])``; it warns and delegates."""
        self.record(["gsyn_exc", "gsyn_inh"], to_file)

    def get_data(self, variables="all", gather=True, clear=False, annotations=None, locations=None):
        """Recorded data of every member as one ``neo.Block``; AnalogSignal channel
        indices are offset by the cumulative size of the preceding members."""
        self._check_current()
        state = self._simulator.state
        ann = {"size": self.size, "first_index": 0, "last_index": self.size, "label": self.label,
               "simulator": state.backend_name, "dt": state.dt, "mpi_processes": state.num_processes}
        ann.update(state.block_annotations())
        ann.update(self.annotations)
        ann.update(annotations or {})
        return recording.data_block(roots(self), variables, clear, self.label, self.describe(), ann)

    def get_data_arrays(self, variables="all", clear=False):
        """Recorded data of every member as plain numpy arrays (see
        ``Population.get_data_arrays``); the spikes of all members are merged, signals are
        listed member by member."""
        return recording.data_arrays(roots(self), variables, clear)

    def write_data(self, io, variables="all", gather=True, clear=False, annotations=None):
        """Write the recorded data of every population to `io`.

        Parameters
        ----------
        io : str or Neo IO
            File name or Neo IO object.
        variables : str or list of str
            Variables to write; ``"all"`` for everything recorded.
        gather : bool
            Ignored (single process).
        clear : bool
            If True, forget the data once written.
        annotations : dict, optional
            Added to the Neo block.
        """
        recorders = {id(p.grandparent): p.grandparent.recorder for p in self.populations} if clear else {}
        _write_block(io, self.get_data(variables, gather, False, annotations), self.label,
                     list(recorders.values()), self._simulator.state, gather)

    def get_spike_counts(self, gather=True):
        """Return the number of spikes of each recorded cell.

        Returns
        -------
        dict
            Cell ID to spike count.
        """
        counts = {}
        for p in self.populations:
            counts.update(p.get_spike_counts(gather))
        return counts

    def mean_spike_count(self, gather=True):
        """Return the mean number of spikes per recorded cell."""
        counts = self.get_spike_counts(gather)
        return float(np.mean(list(counts.values()))) if counts else 0

    def inject(self, current_source):
        """Inject `current_source` into every cell of the assembly.

        Raises
        ------
        InvalidTypeError
            If the assembly contains spike sources.
        """
        if not self.injectable:
            raise errors.InvalidTypeError(
                f"Cannot inject current into assembly '{self.label}': it contains non-injectable cells "
                f"(spike sources)")
        current_source.inject_into(self)

    def save_positions(self, file):
        """Write the index and x, y, z position of each cell to `file` (text)."""
        data = np.column_stack([np.arange(self.size), self.positions.T])
        f = files.StandardTextFile(file, mode="wb") if isinstance(file, str) else file
        f.write(data, {"assembly": self.label})
        f.close()

    def get_annotations(self, annotation_keys, simplify=True):
        """Return the annotation values of every cell.

        Parameters
        ----------
        annotation_keys : str or list of str
            The annotation names.
        simplify : bool
            If True, a value shared by all cells is returned once.

        Returns
        -------
        dict
            Annotation name to value (or array of per-cell values, None where a population lacks it).
        """
        keys = [annotation_keys] if isinstance(annotation_keys, str) else list(annotation_keys)
        out = {}
        for key in keys:
            values = np.concatenate([np.full(p.size, p.grandparent.annotations.get(key, None), dtype=object)
                                     for p in self.populations])
            out[key] = _simplified(values) if simplify else values
        return out

    def describe(self, template="assembly_default.txt", engine="default"):
        """Human-readable description of the assembly and its populations; a dict when `template` is None."""
        context = {"label": self.label, "populations": [p.describe(template=None) for p in self.populations],
                   "size": self.size}
        return descriptions.render(engine, template, context, builtin=self._describe_text)

    def _describe_text(self, context):
        lines = [f"Assembly '{self.label}' of {self.size} cells in {len(self.populations)} population(s):"]
        lines += [f"  {p.label}: {p.size} {type(p.celltype).__name__}" for p in self.populations]
        return "\n".join(lines)

    @deprecated("get_data('spikes')")
    def getSpikes(self, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``get_data('spikes')``; it warns and delegates."""
        return self.get_data("spikes", gather)

    @deprecated("get_data('v')")
    def get_v(self, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``get_data('v')``; it warns and delegates."""
        return self.get_data("v", gather)

    @deprecated("get_data(['gsyn_exc', 'gsyn_inh'])")
    def get_gsyn(self, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``get_data(['gsyn_exc', 'gsyn_inh'])``; it warns and delegates."""
        return self.get_data(["gsyn_exc", "gsyn_inh"], gather)

    @deprecated("write_data(file, 'spikes')")
    def printSpikes(self, file, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``write_data(file, 'spikes')``; it warns and delegates."""
        self.write_data(file, "spikes", gather)

    @deprecated("write_data(file, 'v')")
    def print_v(self, file, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``write_data(file, 'v')``; it warns and delegates."""
        self.write_data(file, "v", gather)

    @deprecated("write_data(file, ['gsyn_exc', 'gsyn_inh'])")
    def print_gsyn(self, file, gather=True, compatible_output=True):
        """Deprecated PyNN 0.7 spelling of ``write_data(file, ['gsyn_exc', 'gsyn_inh'])``; it warns and delegates."""
        self.write_data(file, ["gsyn_exc", "gsyn_inh"], gather)

    @deprecated("set(parametername=rand_distr)")
    def rset(self, parametername, rand_distr):
        """Deprecated PyNN 0.7 spelling of ``set(parametername=rand_distr)``; it warns and delegates."""
        self.set(**{parametername: rand_distr})


Population._view_class = PopulationView
Population._assembly_class = Assembly


class RootPart(NamedTuple):
    """One member of a group of cells, seen from its root population."""

    #: the root Population holding the cells
    root: Population
    #: indices of the member's cells in `root`
    indices: np.ndarray
    #: position of the member's first cell within the group
    offset: int


def roots(group):
    """Split a Population, PopulationView or Assembly into its root populations.

    Returns
    -------
    list of RootPart
        One ``(root, indices, offset)`` per member, in the group's order (a Population or
        PopulationView is one member), so that cell k of the group is
        ``root.<cell indices[k - offset]>`` of the member whose range holds k.
    """
    members = group.populations if isinstance(group, Assembly) else [group]
    parts, offset = [], 0
    for member in members:
        parts.append(RootPart(member.grandparent, member._indices, offset))
        offset += member.size
    return parts


def _lazy_initial(values):
    """Initial values as a lazy array; homogeneous when every cell has the same value, so
    that ``evaluate(simplify=True)`` gives one number, as in PyNN."""
    values = np.asarray(values)
    if values.size and values.dtype != object and np.all(values == values.flat[0]):
        return LazyArray(values.flat[0], shape=values.shape)
    return LazyArray(values)


def _sample_indices(group, n, rng):
    """The first `n` indices of ``rng.permutation(group.size)`` (PyNN's sampling rule)."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise errors.InvalidTypeError(f"sample() from '{group.label}': n must be an int, got {n!r}")
    if not 0 <= n <= group.size:
        raise errors.InvalidParameterValueError(
            f"sample() from '{group.label}': cannot sample {n} cells; n must be between 0 and the "
            f"size {group.size}")
    rng = rng or random.NumpyRNG()
    return np.asarray(rng.permutation(group.size))[:n].astype(np.int64)
