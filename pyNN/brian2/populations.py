"""Brian2 populations: a slice of a NeuronGroup (shared by the populations of one cell type,
see ``groups.py``) or a SpikeGeneratorGroup of their own.

Parameters are in SI units. A parameter that has one value over the whole group when the
group is formed (the common case) is a constant of the group (in its ``namespace``, not
declared in the equations), so that Brian2 hoists everything computed from it out of the
per-cell loop; the others are per-cell variables, written with one vectorised assignment
per parameter. When ``set()`` later gives a constant parameter different values in
different cells (or another value in one of the populations sharing the group), it
becomes a per-cell variable of the group (the group's code is generated again at the next
run); the value is the same either way, so get(), set() and reset() behave identically
for both.

A population waiting for its group (pending, see ``groups.py``) has nothing in Brian2:
parameters and initial values set meanwhile are kept by the core and written when the
group is built.
"""

import warnings

import brian2
import numpy as np

from pyNN import errors
from pyNN.brian2 import groups, simulator
from pyNN.brian2.recording import Recorder
from pyNN.brian2.standardmodels.cells import PointNeuronModel, si_factor, state_array
from pyNN.common import populations as common
from pyNN.parameters import ArrayParameter


def _first_repeat(unique_keys, keys):
    """One key that occurs more than once in `keys` (`unique_keys` are its distinct values)."""
    counts = np.bincount(np.searchsorted(unique_keys, keys), minlength=unique_keys.size)
    return unique_keys[np.argmax(counts > 1)]


def _values_of(item):
    return np.asarray(item.value if isinstance(item, ArrayParameter) else item, dtype=float).reshape(-1)


class Population(common.Population):
    """A group of cells simulated by Brian2."""

    _simulator = simulator
    _recorder_class = Recorder
    _point_neuron_model = PointNeuronModel  # a PointNeuron's native type

    def _check_backend_support(self):
        self.brian2_model = self.native_type.brian2_model()

    # --- creation ---------------------------------------------------------------------------
    def _kernel_counts(self):
        """Number of kernels of array-valued parameters (GIF): the longest array of any cell."""
        counts = {}
        for name in getattr(self.celltype, "kernel_parameters", ()):
            counts[name] = max([len(_values_of(v)) for v in self._std[name]] or [0])
        return counts

    def _create_cells(self):
        state = simulator.state
        model = self.brian2_model
        self._source_times = None
        self._shared = self._root = None
        self._offset = 0
        self._waiting = False
        if self.size == 0:
            return
        if model.kind == "array":
            self._root = brian2.SpikeGeneratorGroup(
                self.size, np.zeros(0, dtype=int), np.zeros(0) * brian2.second,
                name=state.unique_name(type(self.celltype).__name__.lower()), sorted=True)
            state.add(self._root)
            self._set_native_parameters(self._translate(self._std), self._indices)
            return
        if getattr(self.celltype, "kernel_parameters", None):
            counts = self._kernel_counts()
            self._n_eta, self._n_gamma = counts["tau_eta"], counts["tau_gamma"]
            self.brian2_model = self.celltype.brian2_model(self._n_eta, self._n_gamma)
        if groups.mergeable(self):
            self._waiting = True
            state.pending_populations.append(self)
            return
        groups.SharedGroup([self], groups.constant_names(self.brian2_model, self._translate(self._std)))
        self._after_build(initial_values=False)  # (the core applies them after _create_cells)

    def _after_build(self, initial_values=True):
        """The group exists: write the parameters and initial values kept by the core."""
        self._waiting = False
        self._set_native_parameters(self._translate(self._std), self._indices)
        self._set_kernel_parameters(self._indices)
        if initial_values:
            self._apply_initial_values()

    @property
    def group(self):
        """The Brian2 group holding this population's cells (built now if pending); the
        population is the slice ``[_offset, _offset + size)`` of it."""
        if self._waiting:
            simulator.state.build_pending(synapses=False)
        return self._root

    def _array(self, name):
        """This population's part of the array of Brian2 variable `name` (a view)."""
        return state_array(self.group, name)[self._offset:self._offset + self.size]

    # --- parameters -----------------------------------------------------------------------
    def _set_native_parameters(self, native_values, indices):
        if self._root is None or len(indices) == 0:
            return  # (pending: written when the group is built)
        indices = np.asarray(indices, dtype=np.int64)
        whole = len(indices) == self.size
        shared = self._shared
        for name, value in native_values.items():
            if name == "spike_times":
                self._set_spike_times(value, indices)
                continue
            if shared is not None and name in shared.units:
                if shared.set_constant(name, value, self, indices):
                    continue
                shared.make_per_cell(name)
            target = self._array(name)
            if whole:
                target[:] = value
            else:
                target[indices] = value

    def _push_parameters(self, indices, changed):
        super()._push_parameters(indices, changed)
        if set(changed) & set(getattr(self.celltype, "kernel_parameters", ())):
            self._set_kernel_parameters(indices)

    def _set_kernel_parameters(self, indices):
        """Array-valued parameters (GIF kernels): element k of each cell's array -> variable `name_k`."""
        kernel_params = getattr(self.celltype, "kernel_parameters", ())
        if not kernel_params or self._root is None:
            return
        units = type(self.celltype).units
        counts = {"tau_eta": self._n_eta, "a_eta": self._n_eta, "tau_gamma": self._n_gamma,
                  "a_gamma": self._n_gamma}
        for name in kernel_params:
            rows = [_values_of(v) for v in self._std[name][indices]]
            n = counts[name]
            if any(len(r) > n for r in rows):
                raise errors.InvalidParameterValueError(
                    f"Population '{self.label}': {name} has more kernels than when the population was "
                    f"created ({n}); the Brian2 backend fixes the number of kernels at creation")
            # missing kernels are inert: zero amplitude, unit time constant
            pad = 1.0 if name.startswith("tau") else 0.0
            table = np.array([np.concatenate([r, np.full(n - len(r), pad)]) for r in rows]).reshape(len(rows), n)
            for k in range(n):
                self._array(f"{name}_{k}")[indices] = table[:, k] * si_factor(units[name])

    def _set_spike_times(self, value, indices):
        """Give the SpikeGeneratorGroup every cell's spike times, on the grid, one per step."""
        state = simulator.state
        if self._source_times is None:
            self._source_times = [np.zeros(0)] * self.size
        value = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
        for k, i in enumerate(indices.tolist()):
            item = value[k] if value.ndim else value.item()
            self._source_times[i] = _values_of(item)
        cells = np.repeat(np.arange(self.size), [len(t) for t in self._source_times])
        times = np.concatenate(self._source_times) if cells.size else np.zeros(0)
        steps = state.time_to_steps(times, f"spike times of '{self.label}'") if times.size else \
            np.zeros(0, dtype=np.int64)
        steps = np.atleast_1d(steps)
        # one spike per cell and step (Brian2 refuses more), in time order
        key = np.unique(steps * self.size + cells)
        if key.size < steps.size:
            # (a documented limitation of this backend: the others deliver every spike)
            warnings.warn(
                f"SpikeSourceArray '{self.label}': {steps.size - key.size} spike time(s) fall on a time "
                f"step that already has a spike of the same cell (e.g. cell "
                f"{int(_first_repeat(key, steps * self.size + cells) % self.size)}); Brian2 emits one spike "
                f"per cell and step, so they are dropped (NEST, NEURON and the emulator deliver each one)",
                UserWarning, stacklevel=4)
        steps, cells = key // self.size, key % self.size
        self._root.set_spikes(cells, steps * state.dt * brian2.ms, sorted=True)

    # --- state variables ----------------------------------------------------------------------
    def _set_native_initial_values(self, std_initial_values, indices):
        if self._root is None or len(indices) == 0:
            return  # (pending: written when the group is built)
        model = self.brian2_model
        indices = np.asarray(indices, dtype=np.int64)
        for name, values in std_initial_values.items():
            values = np.asarray(values, dtype=float)
            setter = model.settable_subexpressions.get(name)
            factor = model.state[name][1] if name in model.state else 1.0
            if setter is not None:  # (only in a group of its own: offset 0)
                setter(self._root, values * factor, indices)
                continue
            if name not in model.state:
                continue
            native, factor = model.state[name]
            self._array(native)[indices] = values * factor

    def _membrane_potential(self):
        if self._root is None or "v" not in self.brian2_model.state:
            return None  # (pending: nothing has run)
        return self._array(self.brian2_model.state["v"][0])

    def _native_state(self, std_variable, indices):
        """Current value of a state variable, in standard units."""
        native, factor = self.brian2_model.state[std_variable]
        if std_variable in self.brian2_model.settable_subexpressions:  # computed by Brian2 (own group)
            values = getattr(self.group, native + "_")[:]
        else:
            values = self._array(native)
        return np.asarray(values, dtype=float)[indices] / factor

    def _native_ids(self):
        return self.first_id_int + self._indices

    def _add_injection(self, source, indices):
        """Play `source` into the cells at `indices` through the group's TimedArray."""
        if self.size == 0:
            return
        self.group  # noqa: B018 (builds the group if pending)
        self._shared.get_injection().add(source, self._offset + np.asarray(indices, dtype=np.int64))

    # --- reset hook ---------------------------------------------------------------------------
    def _after_restore(self):
        """After the snapshot was restored: the current parameters again (set() may have changed them)."""
        if self._root is None:
            return
        self._set_native_parameters(self._translate(self._std), self._indices)
        self._set_kernel_parameters(self._indices)


class PopulationView(common.PopulationView):
    """A subset of a Brian2 population."""


class Assembly(common.Assembly):
    """A group of Brian2 populations."""


Population._view_class = PopulationView
Population._assembly_class = Assembly
