"""NEST populations: create nodes, set native parameters and state variables."""

import logging
import warnings

import nest
import numpy as np

from pyNN import errors
from pyNN.common import distributed
from pyNN.common import populations as common
from pyNN.nest import divergence, simulator
from pyNN.nest.random_sources import RandomSourceFeed
from pyNN.nest.recording import Recorder
from pyNN.nest.standardmodels.cells import point_neuron_nest_model
from pyNN.parameters import ArrayParameter

logger = logging.getLogger("PyNN")


def nest_model_name(native_type):
    """The NEST model of a population's native type under the current spike precision."""
    if simulator.state.spike_precision == "off_grid":
        return getattr(native_type, "off_grid_name", None) or native_type.native_name
    return native_type.native_name


def _to_nest_values(values):
    """numpy arrays -> what NodeCollection.set accepts (lists for array-valued parameters)."""
    out = {}
    for name, value in values.items():
        if isinstance(value, np.ndarray) and value.dtype == object:
            out[name] = [np.asarray(v.value if isinstance(v, ArrayParameter) else v, dtype=float).tolist()
                         for v in value]
        elif isinstance(value, np.ndarray):
            out[name] = value.tolist() if value.dtype.kind in "iu" else value.astype(float)
        else:
            out[name] = value
    return out


#: nodes per call when values differ between nodes (NEST takes one dictionary per node)
_SET_SLICE = 10_000

try:  # NodeCollection.set() first reads every node's 'local' flag (~13 us per node), which a
    # single-process simulation does not need; the kernel call below is what set() ends with
    from nest.lib.hl_api_types import nestkernel as _kernel
    _set_status = _kernel.llapi_set_nc_status
except (ImportError, AttributeError):  # pragma: no cover - other NEST versions
    _set_status = None


def _set_per_node(nodes, values):
    """Set native values on `nodes`: each value is a scalar, or an array/list with one
    value per node (an array holding a single value is passed as a scalar)."""
    values = {k: (v.flat[0].item() if isinstance(v, np.ndarray) and v.size and (v.ndim == 0 or (
                  v.ndim == 1 and np.all(v == v.flat[0]))) else v)
              for k, v in values.items()}
    shared = {k: v for k, v in values.items() if not isinstance(v, (np.ndarray, list))}
    per_node = {k: v for k, v in values.items() if isinstance(v, (np.ndarray, list))}
    if _set_status is None:
        nodes.set(values)
        return
    if shared:
        _set_status(nodes._datum, [shared])
    if per_node:
        keys = list(per_node)
        columns = [v.tolist() if isinstance(v, np.ndarray) else v for v in per_node.values()]
        n = len(nodes)
        for start in range(0, n, _SET_SLICE):
            stop = min(n, start + _SET_SLICE)
            part = nodes if stop - start == n else nodes[start:stop]
            rows = zip(*(c[start:stop] for c in columns))
            _set_status(part._datum, [dict(zip(keys, row)) for row in rows])


class Population(common.Population):
    """A group of cells simulated by NEST (one ``nest.Create`` per population)."""

    _simulator = simulator
    _recorder_class = Recorder
    _point_neuron_model = staticmethod(point_neuron_nest_model)  # a PointNeuron's native type

    def _create_cells(self):
        celltype = self.native_type
        model = nest_model_name(celltype)
        native = self._translate(self._std)
        native.update(getattr(celltype, "extra_parameters", {}))
        if getattr(celltype, "uses_parrot", False):
            parrot = "parrot_neuron_ps" if simulator.state.spike_precision == "off_grid" else "parrot_neuron"
            self._generators = nest.Create(model, self.size)
            if model == "spike_generator" and simulator.state.spike_precision == "off_grid" and self.size:
                # off-grid spike times are kept exactly (NEST otherwise refuses them)
                self._generators.set(precise_times=True)
            self._nodes = nest.Create(parrot, self.size)
            self._model = parrot
            if self.size:
                simulator.state.connect_device(self._generators, self._nodes, "one_to_one")
        else:
            self._generators = None
            self._nodes = nest.Create(model, self.size)
            self._model = model
        # random sources: trains drawn by the library, the same for any number of threads
        self._random = RandomSourceFeed(self) if getattr(celltype, "random_kind", None) else None
        if self.size and self._random is None:
            self._set_native_parameters(native, self._indices)
        # one nest.Create gives consecutive node ids: no need to read every node's status
        first = self._nodes[0].global_id if self.size else 0
        self._node_ids = first + np.arange(self.size, dtype=np.int64)
        world = simulator.state.world
        if world is not None:
            # NEST's placement, not the core's ID counter: node id i lives on rank i % n (its
            # virtual process is i % (n * threads), on rank vp % n). Devices and relays take node
            # ids too, so the two differ; every rank creates the same nodes, so it agrees.
            self._mask_local = distributed.local_mask(first, self.size, world.rank, world.size)

    @property
    def node_collection(self):
        """The NEST NodeCollection of the population's neurons."""
        return self._nodes

    local_node_collection = node_collection

    def _native_ids(self):
        return self._node_ids

    def _target(self, indices):
        nodes = self._generators if self._generators is not None else self._nodes
        if len(indices) == self.size:
            return nodes
        return nodes[np.asarray(indices, dtype=np.int64).tolist()]

    def _set_native_parameters(self, native_values, indices):
        if not native_values or len(indices) == 0:
            return
        if self._random is not None:
            self._random.change(indices)  # the trains go on with the core's new values
            return
        values = dict(native_values)
        if self._generators is not None:
            values = self._shift_device_times(values)
        target = self._target(indices)
        # lists (integer or array-valued parameters) and arrays give one value per cell
        try:
            _set_per_node(target, _to_nest_values(values))
        except nest.NESTError as exc:
            # a native model's own rules (the core checks those of the standard types first)
            raise errors.InvalidParameterValueError(
                f"Population '{self.label}': NEST's {nest_model_name(self.native_type)} refused the "
                f"parameter values: {exc}") from None

    def _shift_device_times(self, values):
        """Generator times are given in NEST time (see simulator module docstring)."""
        shift = simulator.state.device_shift
        out = dict(values)
        if "spike_times" in out:
            st = out["spike_times"]
            self._check_spikes_reachable(st)
            out["spike_times"] = np.array(
                [self._on_grid(np.asarray(v.value if isinstance(v, ArrayParameter) else v, dtype=float), shift)
                 if simulator.state.spike_precision == "on_grid"
                 else np.asarray(v.value if isinstance(v, ArrayParameter) else v, dtype=float) + shift
                 for v in st], dtype=object)
        for name in ("start", "stop"):
            if name in out:
                out[name] = np.asarray(out[name], dtype=float) + shift
        return out

    def _on_grid(self, times, shift):
        """Spike times on the grid as on every backend (the core's nearest step, halves up,
        one RoundingWarning), then shifted to NEST time (`shift` is a whole number of steps)."""
        state = simulator.state
        steps = state.time_to_steps(times, f"spike times of '{self.label}'") if times.size else np.zeros(0)
        return np.round(steps + shift / state.dt) * state.dt

    def _check_spikes_reachable(self, spike_times):
        """Refuse spike times set after a run that NEST can no longer deliver: a generator's
        spike reaches its parrot NEST's min_delay later (see simulator.py), so after a run to
        user time t, times in (t, t + min_delay] would be dropped without a word."""
        state = simulator.state
        if not state.warmed_up:
            return
        now, last = state.t + 0.5 * state.dt, state.t + state.comm_delay + 0.5 * state.dt
        for times in spike_times:
            arr = np.asarray(times.value if isinstance(times, ArrayParameter) else times, dtype=float)
            lost = arr[(arr > now) & (arr < last)]
            if lost.size:
                raise errors.NotSupportedError(
                    f"Population '{self.label}': spike time {lost[0]:g} ms, set at t = {state.t:g} ms, cannot be "
                    f"delivered on NEST: a spike generator's spikes take NEST's min_delay "
                    f"({state.comm_delay:g} ms) to reach the network, so spikes set after a run must lie after "
                    f"{state.t + state.comm_delay:g} ms")

    #: native parameters that make a model unable to fire, and the values that do it
    _NO_SPIKING = {"V_th": 1e9, "V_peak": 1e9, "lambda_0": 0.0}

    def _suppress_spiking(self):
        """Put thresholds out of reach; returns the native values to restore."""
        if self._generators is not None or not self.size:
            return {}
        # (the model's name, not a node's: the first node may live on another MPI process)
        names = [k for k in self._NO_SPIKING if k in nest.GetDefaults(self._model)]
        if not names:
            return {}
        _set_per_node(self._nodes, {k: self._NO_SPIKING[k] for k in names})
        return names

    def _restore_native(self, names):
        """Give back the threshold parameters from the core's values (no read-back)."""
        if names:
            native = dict(getattr(self.native_type, "extra_parameters", {}))
            native.update(self._translate(self._std))
            defaults = nest.GetDefaults(self._model)
            _set_per_node(self._nodes, {k: native.get(k, defaults[k]) for k in names})

    def _set_native_initial_values(self, std_initial_values, indices):
        celltype = self.native_type
        vmap = getattr(celltype, "variable_map", {})
        scales = getattr(celltype, "scale_factors", {})
        fixed = getattr(celltype, "fixed_initial_values", ())
        native = {}
        for name, values in std_initial_values.items():
            native_name = vmap.get(name)
            if native_name is None or name in fixed or "." in name:
                # not a settable NEST state variable: only its default start value is possible;
                # as PyNN does, scripts that set it still run, with a warning saying so
                default = self.celltype.default_initial_values.get(name)
                parameter = self.celltype.initial_values_from_parameters.get(name)
                if parameter is not None:  # NEST starts it at the parameter's value
                    default = self._std[parameter][np.asarray(indices, dtype=np.int64)]
                if default is not None and np.any(np.asarray(values, dtype=float) != default):
                    start = f"the value of '{parameter}'" if parameter is not None else default
                    warnings.warn(
                        f"Population '{self.label}': the initial value of '{name}' cannot be changed on "
                        f"the NEST backend (NEST does not allow setting it); it starts at {start}",
                        UserWarning, stacklevel=5)
                    # what the cells really start from (recorded first sample, initial_values)
                    self._initial[name][np.asarray(indices, dtype=np.int64)] = default
                continue
            native[native_name] = np.asarray(values, dtype=float) / scales.get(name, 1.0)
        if native and len(indices) and self._generators is None:
            _set_per_node(self._target(indices), {k: v.astype(float) for k, v in native.items()})

    #: whether the divergence check reads this population in the current run (decided at
    #: the start of each run by plan_divergence_check, see pyNN.nest.divergence)
    _divergence_checked = True

    def plan_divergence_check(self):
        """Decide, for the run that starts, whether the divergence check reads the cells."""
        self._divergence_checked = bool(
            self.size and self._generators is None and "v" in getattr(self.native_type, "variable_map", {})
            and divergence.needs_check(self, str(nest_model_name(self.native_type))))

    def _divergence_check_needed(self):
        return self._divergence_checked

    def _membrane_potential(self):
        if not self._divergence_checked:
            return None
        # NEST reads node states one by one (about 10 us each): the core spaces these checks
        # out to stay within its budget (see pyNN.common.numerical_safety)
        variable = self.native_type.variable_map["v"]
        if self._mask_local.all():
            return np.asarray(self._nodes.get(variable), dtype=float).reshape(-1)
        v = np.zeros(self.size)  # cells of other MPI processes are checked there
        local = np.flatnonzero(self._mask_local)
        if local.size:
            v[local] = self._read_local(variable, local)
        return v

    def _native_state(self, std_variable, indices):
        """Current value of a state variable in standard units (for recording starts); NaN for
        the cells of other MPI processes, whose values the core takes from their process."""
        celltype = self.native_type
        variable = celltype.variable_map[std_variable]
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        values = np.full(indices.size, np.nan)
        local = self._mask_local[indices]
        mine = indices if local.all() else indices[local]
        if mine.size:
            values[local] = self._read_local(variable, mine)
        values = values * celltype.scale_factors.get(std_variable, 1.0)
        offset = getattr(celltype, "variable_offsets", {}).get(std_variable)
        if offset:
            values = values + self._std[offset][indices]
        return values

    def _read_local(self, variable, indices):
        """A native state variable of cells `indices`, all of this MPI process (NEST has no
        value for the others, and no key at all if none of a collection's nodes is local)."""
        target = self._target(indices)
        if variable.startswith("g_") and variable[2:].isdigit():
            # multisynapse conductances are read from the per-receptor array 'g'
            port = int(variable[2:]) - 1
            g = target.get("g")
            g = [g] if len(indices) == 1 else g
            # before NEST first updates a new node its array has not been sized: still 0
            return np.array([row[port] if len(row) > port else 0.0
                             for row in (np.atleast_1d(np.asarray(r, dtype=float)) for r in g)])
        return np.asarray(target.get(variable), dtype=float).reshape(-1)


class PopulationView(common.PopulationView):
    """A subset of a NEST population."""

    @property
    def node_collection(self):
        """The NEST NodeCollection of the view's neurons."""
        return self.grandparent._nodes[self._indices.tolist()]


class Assembly(common.Assembly):
    """A group of NEST populations."""


Population._view_class = PopulationView
Population._assembly_class = Assembly
