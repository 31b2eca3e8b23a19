"""Brian2 groups shared by several populations.

Every Brian2 group costs a few code objects per time step (state update, threshold,
reset, monitors), whatever its size, so a network of many small populations of one cell
type pays that cost many times over. Populations of the same standard cell type whose
homogeneous parameters (the group's constants, see ``populations.py``) are equal
therefore share one NeuronGroup: each population is the slice ``[offset, offset + size)``
of it. They also share one SpikeMonitor and one current-injection table.

When groups are formed. A population of a mergeable type is *pending* when it is created:
its parameters and initial values are kept by the core, and nothing exists in Brian2 yet.
The pending populations are built together, grouped by their merge key, as soon as any of
them is needed in Brian2 (recording, a plastic projection, reading a state variable,
injecting a current) and at the latest before the next run. A population created after
that is pending again, and joins a new group with the other populations created after it.
Snapshots for reset() are taken per Brian2 object before each run, so a group formed
after the first run is restored to its state at the first run it took part in.

NESTML neuron types (whose generated code only reads the group's own variables, like a
standard type's) are merged in the same way: two populations of one NESTML type with equal
homogeneous parameters share a group. Cell types with Python-side state setters (GIF,
PointNeuron) and SpikeSourceArray keep a group of their own, built at creation.
"""

import re

import brian2
import numpy as np
from brian2.equations.equations import dimensions_and_type_from_string

from pyNN.brian2 import simulator
from pyNN.brian2.standardmodels.cells import state_array

#: a parameter declaration in Brian2 equations: ``name : unit``
_DECLARATION = re.compile(r"^\s*(\w+)\s*:\s*([^=()]+?)\s*$")


def homogeneous(value):
    """The single value of a parameter that is the same in every cell, else None."""
    arr = np.asarray(value)
    if arr.dtype == object or arr.size == 0:
        return None
    first = arr.reshape(-1)[0]
    return first if np.all(arr == first) else None


def constant_names(model, native_values):
    """{name: (unit, single value)} of the declared parameters of `model` that are the same in
    every cell of `native_values` and may be constants of the group (parameters read through
    Synapses, ``x_post``, or by Python code stay per cell)."""
    fixed = set(re.findall(r"(\w+)_post\b", " ".join(model.receptors.values()))) | set(model.per_cell)
    out = {}
    for line in model.equations.split("\n"):
        match = _DECLARATION.match(line)
        if match and match.group(1) in native_values and match.group(1) not in fixed:
            value = homogeneous(native_values[match.group(1)])
            if value is not None:
                out[match.group(1)] = (match.group(2), value)
    return out


def mergeable(population):
    """True if `population` may share its NeuronGroup with others (see the module docstring)."""
    model = population.brian2_model
    celltype = population.celltype
    return (simulator.state.share_groups and model.kind == "neuron" and not model.settable_subexpressions
            and not getattr(celltype, "kernel_parameters", None)
            and (type(celltype).__module__ == "pyNN.brian2.standardmodels.cells"
                 or getattr(celltype, "nestml_model", None) is not None))


def merge_key(population, constants):
    """Populations with equal keys share a group: the same model and the same constants."""
    model = population.brian2_model
    method = model.method
    return (type(population.celltype), model.equations, model.threshold, model.reset, str(model.refractory),
            type(method).__name__, getattr(method, "name", None), model.regular_code, model.regular_when,
            model.spikes_after_update,
            tuple(sorted((name, unit, repr(value)) for name, (unit, value) in constants.items())))


def constant_value(unit, value):
    """A group constant in Brian2's terms (quantity, int or bool) from its SI value."""
    dims, kind = dimensions_and_type_from_string(unit)
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return bool(value)
    return brian2.Quantity(float(value), dim=dims)


#: the variable in which a group without Brian2's `lastspike` keeps its cells' last spike time
OWN_LASTSPIKE = "lastspike_pynn"
#: its value before a cell's first spike (s), as Brian2's own `lastspike`
NEVER_FIRED = -1e4


class SharedGroup:
    """The NeuronGroup of one or more populations with the same model and constants.

    Parameters
    ----------
    members : list of Population
        the populations, in creation order; each gets ``_shared``, ``_offset`` and ``_root``.
    constants : dict
        name -> (unit, SI value) of the parameters that are constants of the group.
    """

    def __init__(self, members, constants):
        state = simulator.state
        self.members = list(members)
        first = self.members[0]
        model = first.brian2_model
        self.model = model
        self.size = sum(p.size for p in self.members)
        self.units = {name: unit for name, (unit, _) in constants.items()}
        namespace = {name: constant_value(unit, value) for name, (unit, value) in constants.items()}
        namespace.update(getattr(model, "functions", {}))
        equations = "\n".join(line for line in model.equations.split("\n")
                              if not ((m := _DECLARATION.match(line)) and m.group(1) in self.units))
        name = state.unique_name(type(first.celltype).__name__.lower())
        reset = model.reset
        # a model without a refractory period has no Brian2 `lastspike`; after_run needs to
        # know which cells fired in a run's last step, so the reset keeps the time itself
        own_lastspike = model.spikes_after_update and not model.refractory
        if own_lastspike:
            equations += f"\n{OWN_LASTSPIKE} : second"
            reset = "\n".join(part for part in (reset, f"{OWN_LASTSPIKE} = t") if part)
        self.group = brian2.NeuronGroup(
            self.size, equations, threshold=model.threshold, reset=reset,
            refractory=model.refractory, method=model.method, name=name, namespace=namespace)
        if own_lastspike:
            setattr(self.group, OWN_LASTSPIKE, NEVER_FIRED * brian2.second)
        if model.spikes_after_update:
            # test the threshold after this step's spikes were delivered, so that a voltage
            # jump can make the cell fire in the step it arrives (as on NEST)
            self.group.thresholder["spike"].when = "after_synapses"
        if model.regular_code:
            self.group.run_regularly(model.regular_code, when=model.regular_when, order=-1,
                                     name=f"{name}_regular")
        offset = 0
        for p in self.members:
            p._shared, p._root, p._offset = self, self.group, offset
            offset += p.size
        self.injection = None
        self.spike_monitor = None
        #: variable -> values at the cells' recent spikes (pyNN.brian2.nestml_synapse: third factors)
        self.spike_value_histories = {}
        self._last_step_spikes = None
        state.add(self.group)
        state.shared_groups.append(self)

    # --- constants ------------------------------------------------------------------------------
    def set_constant(self, name, value, population, indices):
        """Keep parameter `name` a constant if it can hold `value` (one value) for the cells
        `indices` of `population`; return False if it must become a per-cell variable."""
        single = homogeneous(value)
        if single is None:
            return False
        new = constant_value(self.units[name], single)
        if self.group.namespace[name] == new:
            return True
        if len(self.members) == 1 and len(indices) == self.size:
            self.group.namespace[name] = new
            return True
        return False

    def make_per_cell(self, name):
        """Turn a constant into a per-cell variable holding it in every cell of the group
        (Brian2 looks a name up in the group's variables before its namespace); the group's
        code is generated again at the next run."""
        dims, kind = dimensions_and_type_from_string(self.units.pop(name))
        value = np.asarray(self.group.namespace.pop(name))
        dtype = {"integer": np.int32, "boolean": bool}.get(kind, brian2.prefs.core.default_float_dtype)
        self.group.variables.add_array(name, size=self.size, dimensions=dims, dtype=dtype, constant=True)
        state_array(self.group, name)[:] = value

    # --- shared devices -------------------------------------------------------------------------
    def get_spike_monitor(self):
        """The SpikeMonitor of the whole group (each population's recorder keeps its slice)."""
        if self.spike_monitor is None:
            state = simulator.state
            self.spike_monitor = brian2.SpikeMonitor(self.group, name=state.unique_name("spikes"), when="end")
            state.add(self.spike_monitor)
        return self.spike_monitor

    def get_injection(self):
        """The current-injection table of the group (made at the first injection)."""
        if self.injection is None:
            from pyNN.brian2.current_sources import Injection
            self.injection = Injection(self)
        return self.injection

    # --- run / reset hooks --------------------------------------------------------------------
    def before_run(self, end_steps):
        if self.injection is not None:
            self.injection.prepare(end_steps)
        last = self._last_step_spikes
        if last is not None and last.size:
            # hand the previous run's last-step spikes to the synapses (see after_run)
            space = state_array(self.group, "_spikespace")
            space[:last.size] = last
            space[-1] = last.size
        self._last_step_spikes = None

    def after_run(self, last_step_start):
        """Keep the cells that fired in the last step of the run (it began at `last_step_start`, s).

        With the threshold tested after the synapses (``spikes_after_update``), a spike of
        the last step is pushed to the synapses only in the next step, but Brian2 empties
        the spike space when a run ends, so the next run would not transmit it. Brian2
        keeps ``lastspike`` for models with a refractory period (every standard one that
        tests after the synapses); other such models (NESTML ones) keep it in
        :data:`OWN_LASTSPIKE`, set by their reset. The cells whose last spike is that step's
        time are put back into the spike space before the next run (before_run).
        """
        self._last_step_spikes = None
        if self.group.thresholder["spike"].when != "after_synapses":
            return
        name = next((n for n in ("lastspike", OWN_LASTSPIKE) if n in self.group.variables), None)
        if name is None:
            return
        lastspike = state_array(self.group, name)
        dt = simulator.state.dt * 1e-3
        self._last_step_spikes = np.flatnonzero(np.abs(lastspike - last_step_start) < 0.25 * dt).astype(np.int32)

    def after_restore(self):
        """reset(): the spikes of the run before are not carried over; the injection table's
        columns are given back to the cells."""
        self._last_step_spikes = None
        if self.injection is not None:
            self.injection.restore()
        for history in self.spike_value_histories.values():
            history.reset()


def build_pending():
    """Build the pending populations: one SharedGroup per merge key, in creation order."""
    state = simulator.state
    pending, state.pending_populations = state.pending_populations, []
    groups = {}
    for population in pending:
        native = population._translate(population._std)
        constants = constant_names(population.brian2_model, native)
        key = merge_key(population, constants)
        groups.setdefault(key, ([], constants))[0].append(population)
    for members, constants in groups.values():
        SharedGroup(members, constants)
        for population in members:
            population._after_build()
