"""Brian2 populations: one NeuronGroup (or SpikeGeneratorGroup) per population.

Parameters are in SI units. A parameter that has one value over the whole population when
the population is created (the common case) is a constant of the group (in its
``namespace``, not declared in the equations), so that Brian2 hoists everything computed
from it out of the per-cell loop; the others are per-cell variables, written with one
vectorised assignment per parameter. When ``set()`` later gives a constant parameter
different values in different cells, it becomes a per-cell variable of the group (the
group's code is generated again at the next run); the value is the same either way, so
get(), set() and reset() behave identically for both.
"""

import re

import brian2
import numpy as np
from brian2.equations.equations import dimensions_and_type_from_string

from pyNN import errors
from pyNN.brian2 import simulator
from pyNN.brian2.current_sources import Injection
from pyNN.brian2.recording import Recorder
from pyNN.brian2.standardmodels.cells import PointNeuronModel, si_factor, state_array
from pyNN.common import populations as common
from pyNN.parameters import ArrayParameter


#: a parameter declaration in Brian2 equations: ``name : unit``
_DECLARATION = re.compile(r"^\s*(\w+)\s*:\s*([^=()]+?)\s*$")


def _homogeneous(value):
    """The single value of a parameter that is the same in every cell, else None."""
    arr = np.asarray(value)
    if arr.dtype == object or arr.size == 0:
        return None
    first = arr.reshape(-1)[0]
    return first if np.all(arr == first) else None


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
        self._shared_units = {}
        if self.size == 0:
            self.group = None
            return
        name = state.unique_name(f"{type(self.celltype).__name__.lower()}")
        if model.kind == "array":
            self.group = brian2.SpikeGeneratorGroup(self.size, np.zeros(0, dtype=int), np.zeros(0) * brian2.second,
                                                    name=name, sorted=True)
        else:
            if getattr(self.celltype, "kernel_parameters", None):
                counts = self._kernel_counts()
                self._n_eta, self._n_gamma = counts["tau_eta"], counts["tau_gamma"]
                model = self.brian2_model = self.celltype.brian2_model(self._n_eta, self._n_gamma)
            native_values = self._translate(self._std)
            equations, namespace = self._shared_parameters(model, native_values)
            self.group = brian2.NeuronGroup(
                self.size, equations, threshold=model.threshold, reset=model.reset,
                refractory=model.refractory, method=model.method, name=name, namespace=namespace)
            if model.spikes_after_update:
                # test the threshold after this step's spikes were delivered, so that a
                # voltage jump can make the cell fire in the step it arrives (as on NEST)
                self.group.thresholder["spike"].when = "after_synapses"
            if model.regular_code:
                self.group.run_regularly(model.regular_code, when=model.regular_when, order=-1,
                                         name=f"{name}_regular")
        state.add(self.group)
        self._set_native_parameters(self._translate(self._std), self._indices)
        self._set_kernel_parameters(self._indices)

    # --- parameters -----------------------------------------------------------------------
    def _shared_parameters(self, model, native_values):
        """Equations without the declarations of the parameters that are homogeneous over the
        population, and the namespace giving their values (see the module docstring)."""
        # parameters read through Synapses (``x_post``) or by Python code stay per cell
        fixed = set(re.findall(r"(\w+)_post\b", " ".join(model.receptors.values()))) | set(model.per_cell)
        self._shared_units = {}
        namespace, lines = {}, []
        for line in model.equations.split("\n"):
            match = _DECLARATION.match(line)
            if match and match.group(1) in native_values and match.group(1) not in fixed:
                name, unit = match.groups()
                value = _homogeneous(native_values[name])
                if value is not None:
                    self._shared_units[name] = unit
                    namespace[name] = self._constant(name, value)
                    continue
            lines.append(line)
        return "\n".join(lines), namespace

    def _constant(self, name, value):
        dims, kind = dimensions_and_type_from_string(self._shared_units[name])
        if kind == "integer":
            return int(value)
        if kind == "boolean":
            return bool(value)
        return brian2.Quantity(float(value), dim=dims)

    def _make_per_cell(self, name):
        """Turn a constant parameter into a per-cell variable holding the constant (Brian2
        looks a name up in the group's variables before its namespace)."""
        dims, kind = dimensions_and_type_from_string(self._shared_units.pop(name))
        value = np.asarray(self.group.namespace.pop(name))
        dtype = {"integer": np.int32, "boolean": bool}.get(kind, brian2.prefs.core.default_float_dtype)
        self.group.variables.add_array(name, size=self.size, dimensions=dims, dtype=dtype, constant=True)
        state_array(self.group, name)[:] = value

    def _set_native_parameters(self, native_values, indices):
        if self.group is None or len(indices) == 0:
            return
        indices = np.asarray(indices, dtype=np.int64)
        whole = len(indices) == self.size
        for name, value in native_values.items():
            if name == "spike_times":
                self._set_spike_times(value, indices)
                continue
            if name in self._shared_units:
                single = _homogeneous(value)
                if single is not None and (whole or self.group.namespace[name] == self._constant(name, single)):
                    self.group.namespace[name] = self._constant(name, single)
                    continue
                self._make_per_cell(name)
            target = state_array(self.group, name)
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
        if not kernel_params or self.group is None:
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
                state_array(self.group, f"{name}_{k}")[indices] = table[:, k] * si_factor(units[name])

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
        steps, cells = key // self.size, key % self.size
        self.group.set_spikes(cells, steps * state.dt * brian2.ms, sorted=True)

    # --- state variables ----------------------------------------------------------------------
    def _set_native_initial_values(self, std_initial_values, indices):
        if self.group is None or len(indices) == 0:
            return
        model = self.brian2_model
        indices = np.asarray(indices, dtype=np.int64)
        for name, values in std_initial_values.items():
            values = np.asarray(values, dtype=float)
            setter = model.settable_subexpressions.get(name)
            factor = model.state[name][1] if name in model.state else 1.0
            if setter is not None:
                setter(self.group, values * factor, indices)
                continue
            if name not in model.state:
                continue
            native, factor = model.state[name]
            state_array(self.group, native)[indices] = values * factor

    def _membrane_potential(self):
        if self.group is None or "v" not in self.brian2_model.state:
            return None
        return state_array(self.group, self.brian2_model.state["v"][0])

    def _native_state(self, std_variable, indices):
        """Current value of a state variable, in standard units."""
        native, factor = self.brian2_model.state[std_variable]
        if std_variable in self.brian2_model.settable_subexpressions:  # computed by Brian2
            values = getattr(self.group, native + "_")[:]
        else:
            values = state_array(self.group, native)
        return np.asarray(values, dtype=float)[indices] / factor

    def _native_ids(self):
        return self.first_id_int + self._indices

    def _add_injection(self, source, indices):
        """Play `source` into the cells at `indices` through this population's TimedArray."""
        if self.group is None:
            return
        if getattr(self, "_injection", None) is None:
            self._injection = Injection(self)
        self._injection.add(source, indices)

    # --- run / reset hooks -------------------------------------------------------------------
    def _before_run(self, end_steps):
        injection = getattr(self, "_injection", None)
        if injection is not None:
            injection.prepare(end_steps)
        last = getattr(self, "_last_step_spikes", None)
        if last is not None and last.size:
            # hand the previous run's last-step spikes to the synapses (see _after_run)
            space = state_array(self.group, "_spikespace")
            space[:last.size] = last
            space[-1] = last.size
        self._last_step_spikes = None

    def _after_run(self, last_step_start):
        """Keep the cells that fired in the last step of the run (it began at `last_step_start`, s).

        With the threshold tested after the synapses (``spikes_after_update``), a spike of
        the last step is pushed to the synapses only in the next step, but Brian2 empties
        the spike space when a run ends, so the next run would not transmit it. Brian2
        keeps ``lastspike`` (models with a refractory period, i.e. every standard one that
        tests after the synapses): the cells whose lastspike is that step's time are put
        back into the spike space before the next run (_before_run).
        """
        self._last_step_spikes = None
        if self.group is None or "lastspike" not in self.group.variables \
                or self.group.thresholder["spike"].when != "after_synapses":
            return
        lastspike = state_array(self.group, "lastspike")
        dt = simulator.state.dt * 1e-3
        self._last_step_spikes = np.flatnonzero(np.abs(lastspike - last_step_start) < 0.25 * dt).astype(np.int32)

    def _after_restore(self):
        """After the snapshot was restored: the current parameters again (set() may have changed them)."""
        self._last_step_spikes = None  # reset(): the spikes of the run before are not carried over
        if self.group is None:
            return
        self._set_native_parameters(self._translate(self._std), self._indices)
        self._set_kernel_parameters(self._indices)
        injection = getattr(self, "_injection", None)
        if injection is not None:
            injection.restore()


class PopulationView(common.PopulationView):
    """A subset of a Brian2 population."""


class Assembly(common.Assembly):
    """A group of Brian2 populations."""


Population._view_class = PopulationView
Population._assembly_class = Assembly
