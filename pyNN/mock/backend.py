"""The mock backend (``import pyNN.mock as sim``): a pure-Python "simulator" that runs
no dynamics, for trying out the API, documentation examples and the core's unit tests.

It implements the underscore hooks of the core classes just far enough for the core to
run, and keeps everything the core hands over in plain dicts and numpy arrays so that
tests can assert on it:

- ``Population.native`` (dict native name -> per-cell array) holds the translated
  parameter values; ``Population.native_state`` (dict standard name -> per-cell array)
  holds the state variables set through ``_set_native_initial_values``; every hook
  call is appended to ``Population.calls``.
- ``Recorder``: recorded cells "spike" deterministically -- cell ``i`` (index in its
  population) spikes at ``k * SPIKE_PERIOD + (i % 5) * 1.0`` ms for k = 1, 2, ... --
  and a recorded signal is the cell's current state value held constant (state
  variables never evolve here), so every sample count, t_start, epoch and segment the
  core reports can be predicted exactly.
- ``Projection.native`` holds one row per connection (native pre/post handles and
  translated parameter arrays) in the order the core keeps them.
- Current sources keep their translated parameters and their targets.

Every standard cell type, synapse type and current source of the core is available;
those without a toy table above translate every parameter to itself.

Use it like a backend module: ``import pyNN.mock as sim; sim.setup()``.
"""

import sys as _sys
import types

import numpy as np

from pyNN import errors, recording
from pyNN.common import control as _control
from pyNN.common import exports as _exports
from pyNN.common import populations as _populations
from pyNN.common import projections as _projections
from pyNN.common.current_sources import CurrentSourceMixin
from pyNN.standardmodels import build_translations
from pyNN.standardmodels import cells as _std_cells
from pyNN.standardmodels import electrodes as _std_electrodes
from pyNN.standardmodels import synapses as _std_synapses

#: every recorded cell spikes with this period (ms); cell i is shifted by (i % 5) ms
SPIKE_PERIOD = 10.0
#: handles of cells in the "simulator" are their IDs plus this offset
NATIVE_ID_OFFSET = 100000


# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------

class State(_control.BaseState):
    """Clock of the in-memory simulator: advancing does nothing but count."""

    backend_name = "mock"

    def __init__(self):
        super().__init__()
        self.advance_calls = []
        self.reset_calls = 0
        self.end_calls = 0
        self.options = {}

    def extra_setup_options(self):
        return {"verbosity"}

    def _setup(self, verbosity="quiet", **unknown):
        if unknown:
            raise errors.InvalidTypeError(f"setup() got unknown mock option(s) {sorted(unknown)}")
        self.options = {"verbosity": verbosity}
        self.advance_calls = []
        self.reset_calls = 0
        self.end_calls = 0

    def _advance(self, n_steps):
        self.advance_calls.append(int(n_steps))

    def _reset(self):
        self.reset_calls += 1
        for recorder in self.recorders:
            recorder._simulator_reset()

    def _end(self):
        self.end_calls += 1


state = State()
simulator = types.ModuleType("pyNN.mock.simulator")
simulator.state = state
simulator.State = State


# ---------------------------------------------------------------------------------------------
# Standard types with a toy translation table
# ---------------------------------------------------------------------------------------------

_MEMBRANE = (
    ("v_rest", "E_L"),
    ("cm", "C_m", 1000.0),
    ("tau_refrac", "t_ref"),
    ("i_offset", "I_e", 1000.0),
    ("v_reset", "V_reset"),
    ("v_thresh", "V_th"),
)
_SYN_TAUS = (("tau_syn_E", "tau_syn_ex"), ("tau_syn_I", "tau_syn_in"))


class _InMemoryModel:
    """Every type this backend translates runs on its (pretend) native model."""

    native_name = "in-memory"


class IF_cond_exp(_InMemoryModel, _std_cells.IF_cond_exp):
    __doc__ = _std_cells.IF_cond_exp.__doc__
    # tau_m is stored as a leak conductance (nS) computed from cm (nF) and tau_m (ms)
    translations = build_translations(
        *_MEMBRANE, *_SYN_TAUS,
        ("tau_m", "g_L", "1000.0 * cm / tau_m", "C_m / g_L"),
        ("e_rev_E", "E_ex"),
        ("e_rev_I", "E_in"),
    )


class IF_cond_alpha(_InMemoryModel, _std_cells.IF_cond_alpha):
    __doc__ = _std_cells.IF_cond_alpha.__doc__
    translations = IF_cond_exp.translations


class IF_curr_exp(_InMemoryModel, _std_cells.IF_curr_exp):
    __doc__ = _std_cells.IF_curr_exp.__doc__
    translations = build_translations(*_MEMBRANE, *_SYN_TAUS, ("tau_m", "tau_m"))


class IF_curr_alpha(_InMemoryModel, _std_cells.IF_curr_alpha):
    __doc__ = _std_cells.IF_curr_alpha.__doc__
    translations = IF_curr_exp.translations


class SpikeSourceArray(_InMemoryModel, _std_cells.SpikeSourceArray):
    __doc__ = _std_cells.SpikeSourceArray.__doc__
    translations = build_translations(("spike_times", "spike_times"))


class SpikeSourcePoisson(_InMemoryModel, _std_cells.SpikeSourcePoisson):
    __doc__ = _std_cells.SpikeSourcePoisson.__doc__
    translations = build_translations(("rate", "rate"), ("start", "start"), ("duration", "duration"))


def _identity_type(std_cls):
    """`std_cls` with every parameter translated to itself (a type the toy tables above
    do not cover)."""
    return type(std_cls.__name__, (_InMemoryModel, std_cls), {
        "__doc__": std_cls.__doc__, "__module__": __name__,
        "translations": build_translations(*((name, name) for name in std_cls.default_parameters))})


IF_curr_delta = _identity_type(_std_cells.IF_curr_delta)
IF_cond_exp_gsfa_grr = _identity_type(_std_cells.IF_cond_exp_gsfa_grr)
IF_facets_hardware1 = _identity_type(_std_cells.IF_facets_hardware1)
HH_cond_exp = _identity_type(_std_cells.HH_cond_exp)
EIF_cond_alpha_isfa_ista = _identity_type(_std_cells.EIF_cond_alpha_isfa_ista)
EIF_cond_exp_isfa_ista = _identity_type(_std_cells.EIF_cond_exp_isfa_ista)
Izhikevich = _identity_type(_std_cells.Izhikevich)
SpikeSourcePoissonRefractory = _identity_type(_std_cells.SpikeSourcePoissonRefractory)
SpikeSourceGamma = _identity_type(_std_cells.SpikeSourceGamma)



class StaticSynapse(_InMemoryModel, _std_synapses.StaticSynapse):
    __doc__ = _std_synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight", 1000.0), ("delay", "delay"))


class TsodyksMarkramSynapse(_InMemoryModel, _std_synapses.TsodyksMarkramSynapse):
    """Tsodyks-Markram synapse whose weights the in-memory simulator may change: the core
    must read them back from the backend (``_read_plastic``)."""

    translations = build_translations(
        ("weight", "weight", 1000.0), ("delay", "delay"), ("U", "U"), ("tau_rec", "tau_rec"),
        ("tau_facil", "tau_fac"),
    )
    dynamic_parameters = ("weight",)


AdditiveWeightDependence = _identity_type(_std_synapses.AdditiveWeightDependence)
MultiplicativeWeightDependence = _identity_type(_std_synapses.MultiplicativeWeightDependence)
AdditivePotentiationMultiplicativeDepression = _identity_type(
    _std_synapses.AdditivePotentiationMultiplicativeDepression)
GutigWeightDependence = _identity_type(_std_synapses.GutigWeightDependence)
SpikePairRule = _identity_type(_std_synapses.SpikePairRule)
Vogels2011Rule = _identity_type(_std_synapses.Vogels2011Rule)


class STDPMechanism(_InMemoryModel, _std_synapses.STDPMechanism):
    __doc__ = _std_synapses.STDPMechanism.__doc__
    base_translations = build_translations(("weight", "weight", 1000.0), ("delay", "delay"),
                                           ("dendritic_delay_fraction", "dendritic_delay_fraction"))


class _InMemoryCurrentSource(_InMemoryModel, CurrentSourceMixin):
    """Device of the in-memory simulator: translated parameters and targets in ``_device``."""

    _simulator = simulator

    def _create_device(self):
        created = self._device["created"] + 1 if hasattr(self, "_device") else 1
        self._device = {"created": created, "targets": [], "native": {}}
        self._push_parameters()

    def _connect(self, root, indices):
        self._device["targets"].append((root, np.array(indices)))

    def _push_parameters(self):
        self._device["native"] = type(self).translate(self._values())


class DCSource(_InMemoryCurrentSource, _std_electrodes.DCSource):
    __doc__ = _std_electrodes.DCSource.__doc__
    translations = build_translations(("amplitude", "amplitude", 1000.0), ("start", "start"),
                                      ("stop", "stop"))


class ACSource(_InMemoryCurrentSource, _std_electrodes.ACSource):
    __doc__ = _std_electrodes.ACSource.__doc__
    translations = build_translations(*((name, name) for name in _std_electrodes.ACSource.default_parameters))


class NoisyCurrentSource(_InMemoryCurrentSource, _std_electrodes.NoisyCurrentSource):
    __doc__ = _std_electrodes.NoisyCurrentSource.__doc__
    translations = build_translations(
        *((name, name) for name in _std_electrodes.NoisyCurrentSource.default_parameters))


class StepCurrentSource(_InMemoryCurrentSource, _std_electrodes.StepCurrentSource):
    __doc__ = _std_electrodes.StepCurrentSource.__doc__
    translations = build_translations(("amplitudes", "amplitude_values", 1000.0),
                                      ("times", "amplitude_times"))


# ---------------------------------------------------------------------------------------------
# Populations
# ---------------------------------------------------------------------------------------------

def _copy_values(values):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in values.items()}


class Population(_populations.Population):
    """Cells of the in-memory simulator: translated parameter arrays in ``native``."""

    _simulator = simulator

    def _create_cells(self):
        self.calls = [("create", self.size)]
        native = self._translate(self._std)
        self.native = {}
        for name, value in native.items():
            arr = np.asarray(value) if not (isinstance(value, np.ndarray) and value.dtype == object) \
                else value.copy()
            if arr.ndim == 0:
                arr = np.full(self.size, arr.item())
            self.native[name] = arr.copy()
        self.native_state = {}

    def _set_native_parameters(self, native_values, indices):
        indices = np.asarray(indices)
        self.calls.append(("set_parameters", indices.copy(), _copy_values(native_values)))
        for name, value in native_values.items():
            arr = self.native[name]
            if isinstance(value, np.ndarray) and value.dtype == object and arr.dtype != object:
                arr = arr.astype(object)
                self.native[name] = arr
            if arr.dtype == object:
                for k, i in enumerate(indices.tolist()):
                    arr[i] = value[k] if isinstance(value, np.ndarray) and value.ndim else value
            else:
                arr[indices] = value

    def _set_native_initial_values(self, std_initial_values, indices):
        indices = np.asarray(indices)
        self.calls.append(("set_initial_values", indices.copy(), _copy_values(std_initial_values)))
        for name, value in std_initial_values.items():
            arr = self.native_state.setdefault(name, np.full(self.size, np.nan))
            arr[indices] = value

    def _native_ids(self):
        return NATIVE_ID_OFFSET + self.first_id_int + self._indices


PopulationView = _populations.PopulationView
Assembly = _populations.Assembly


# ---------------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------------

class Recorder(recording.Recorder):
    """Fake recording devices with predictable output (see module docstring)."""

    def __init__(self, population):
        super().__init__(population)
        self.configure_calls = []
        self._spike_cells = np.zeros(0, dtype=np.int64)
        self._simulator_reset()

    def _simulator_reset(self):
        self._spike_last = 0  # last step whose spikes were delivered
        self._signal_last = {}  # id(epoch) -> (epoch, last delivered sample step)

    def _configure(self, variable, indices, interval_steps):
        indices = np.asarray(indices, dtype=np.int64)
        self.configure_calls.append((variable, indices.copy(), int(interval_steps)))
        if variable == "spikes":
            # the core fetched everything up to now before calling us
            self._spike_cells = indices.copy()
            self._spike_last = self.state.steps

    def _fetch_spikes(self):
        dt = self.state.dt
        now = self.state.steps
        cells = self._spike_cells
        k_steps = round(SPIKE_PERIOD / dt)
        off_steps = (cells % 5) * round(1.0 / dt)
        # spike steps of cell i: off_i + m * k_steps for m >= 1, within (last, now]
        m_lo = np.maximum(1, (self._spike_last - off_steps) // k_steps + 1)
        m_hi = (now - off_steps) // k_steps
        counts = np.maximum(0, m_hi - m_lo + 1)
        self._spike_last = now
        idx = np.repeat(cells, counts)
        m = np.concatenate([np.arange(a, a + c) for a, c in zip(m_lo, counts)]) if counts.sum() \
            else np.zeros(0, dtype=np.int64)
        times = m * SPIKE_PERIOD + (idx % 5) * 1.0
        return idx, times.astype(float)

    def _current_values(self, variable, indices):
        return self.population.native_state[variable][np.asarray(indices)].copy()

    def _fetch_signal(self, variable, epoch):
        now = self.state.steps
        _, last = self._signal_last.get(id(epoch), (epoch, epoch.t_start_steps))
        k = epoch.interval_steps
        first = epoch.t_start_steps + ((last - epoch.t_start_steps) // k + 1) * k
        steps = np.arange(first, now + 1, k)
        self._signal_last[id(epoch)] = (epoch, now)
        if steps.size == 0:
            return None
        row = self.population.native_state[variable][epoch.indices]
        return np.tile(row, (steps.size, 1))


Population._recorder_class = Recorder


# ---------------------------------------------------------------------------------------------
# Projections
# ---------------------------------------------------------------------------------------------

class Projection(_projections.Projection):
    """Connections of the in-memory simulator, one row per connection in ``native``."""

    _simulator = simulator
    _static_synapse_class = StaticSynapse
    _simulator_keeps_values = True  # every value is a column of `native`

    def _prepare_backend(self):
        self.calls = []
        self.native = {"source": np.zeros(0, dtype=np.int64), "target": np.zeros(0, dtype=np.int64)}

    def _create_connections(self, pre, post, values):
        self.calls.append(("create", np.array(pre), np.array(post), _copy_values(values)))
        n = len(pre)
        native = type(self.synapse_type).translate(values)
        old_n = self.native["source"].size
        self.native["source"] = np.concatenate([self.native["source"], self.pre._native_ids()[pre]])
        self.native["target"] = np.concatenate([self.native["target"], self.post._native_ids()[post]])
        for name, value in native.items():
            column = np.broadcast_to(np.asarray(value, dtype=float), (n,))
            old = self.native.get(name, np.full(old_n, np.nan))
            self.native[name] = np.concatenate([old, column])

    def _set_attributes(self, values):
        self.calls.append(("set", _copy_values(values)))
        n = self.native["source"].size
        for name, value in type(self.synapse_type).translate(values).items():
            self.native[name] = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()

    def _set_state_variables(self, values):
        self.calls.append(("set_state", _copy_values(values)))
        n = self.native["source"].size
        for name, value in values.items():
            self.native[f"state_{name}"] = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()

    def _read_state_variable(self, name):
        return self.native.get(f"state_{name}")

    def _read_plastic(self, name):
        if name not in getattr(self.synapse_type, "dynamic_parameters", ()):
            return None
        entry = type(self.synapse_type).translations[name]
        return np.asarray(entry["reverse_transform"](self.native), dtype=float)


# ---------------------------------------------------------------------------------------------
# Module-level API, as a backend exports it
# ---------------------------------------------------------------------------------------------

globals().update(_exports.exported_objects(simulator, _sys.modules[__name__]))

__all__ = [name for name in dir() if not name.startswith("_")]
