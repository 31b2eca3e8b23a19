"""NEURON translation tables for the standard cell types.

Each class adds to its standard counterpart:

``native_name``
    the mechanism of ``pyNN/neuron/nmodl`` that simulates it (None with a
    ``missing_reason`` when there is none).
``translations``
    standard name -> mechanism parameter; the mechanisms use the standard units, so
    most entries are plain renamings.
``extra_parameters``
    fixed mechanism values with no standard counterpart (e.g. the synapse ``shape``).
``variable_map`` / ``scale_factors``
    standard state variable -> mechanism variable (settable as ``init_<name>``), and
    mechanism value x factor = standard value.
``arrival_values``
    standard variable -> mechanism variable holding its value at the start of each step,
    after the events due then: the backend records this copy for the variable (NEURON
    records a step's sample before it delivers the events due at that time, so the
    variable itself would show a spike's jump one sample late; see recording.py).
``voltage_jump``
    True where the projections deliver events one step early, to act at the end of the
    step ending at their arrival: incoming spikes add their weight to v (IF_curr_delta,
    Izhikevich) or to a PointNeuron receptor (so its recorded current or conductance
    holds the jump in the sample at the arrival time).
``has_random``
    True if the mechanism draws random numbers (seeded by the backend).
``artificial``
    True for spike sources (artificial cells, not placed in the cells' section).
``source_kind``
    'renewal' (random spike sources) or 'relay' (SpikeSourceArray).
``start_now``
    None, or for a mechanism whose INITIAL block does something relative to the time of
    the initialisation (queues a self-event, notes the time) a function
    ``start_now(cell, receive_flag_1)`` that does it at the current time for a cell created
    after a run, given the state the INITIAL block left (see pyNN/neuron/reinit.py).

Weights: the mechanisms send positive weights to the excitatory input and negative
ones to the inhibitory input, so the backend negates the weights of inhibitory
projections.
"""

import numpy as np

from pyNN import errors
from pyNN.standardmodels import build_translations, cells
from pyNN.standardmodels.cells import (
    LIF,
    AdExp,
    CondAlphaPostSynapticResponse,
    CondBetaPostSynapticResponse,
    CondExpPostSynapticResponse,
    CurrExpPostSynapticResponse,
)


class NeuronCellTypeMixin:
    """Defaults of the NEURON-specific attributes of a cell type."""

    variable_map = {}
    scale_factors = {}
    arrival_values = {}
    artificial = False
    source_kind = None
    # events are delivered one step early and act at the end of the step ending at their
    # arrival: incoming spikes add their weight to v (IF_curr_delta, Izhikevich), or to a
    # receptor whose recorded value then holds the jump at the arrival time (PointNeuron)
    voltage_jump = False
    has_random = False  # the mechanism draws from its own RANDOM stream `r`
    start_now = None


def _same(*names):
    return [(name, name) for name in names]


_LIF = _same("v_rest", "cm", "tau_m", "tau_refrac", "i_offset", "v_reset", "v_thresh")
_SYN_TAUS = _same("tau_syn_E", "tau_syn_I")
_REVERSALS = _same("e_rev_E", "e_rev_I")
_V = {"v": "vm"}
_ISYN = {"isyn_exc": "ie", "isyn_inh": "ii"}
_GSYN = {"gsyn_exc": "ge", "gsyn_inh": "gi"}
_GSYN_ARRIVAL = {"gsyn_exc": "ge_start", "gsyn_inh": "gi_start"}

# synaptic kernel of the mechanisms (parameter 'shape')
_EXP, _ALPHA, _DELTA = 0, 1, 2


class IF_curr_alpha(NeuronCellTypeMixin, cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    native_name = "PyNN_IF_curr"
    translations = build_translations(*_LIF, *_SYN_TAUS)
    extra_parameters = {"shape": _ALPHA}
    variable_map = dict(_V, **_ISYN)


class IF_curr_exp(NeuronCellTypeMixin, cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    native_name = "PyNN_IF_curr"
    translations = build_translations(*_LIF, *_SYN_TAUS)
    extra_parameters = {"shape": _EXP}
    variable_map = dict(_V, **_ISYN)


class IF_curr_delta(NeuronCellTypeMixin, cells.IF_curr_delta):
    __doc__ = cells.IF_curr_delta.__doc__
    native_name = "PyNN_IF_curr"
    translations = build_translations(*_LIF)
    extra_parameters = {"shape": _DELTA}
    variable_map = dict(_V)
    voltage_jump = True


class IF_cond_alpha(NeuronCellTypeMixin, cells.IF_cond_alpha):
    __doc__ = cells.IF_cond_alpha.__doc__
    native_name = "PyNN_IF_cond"
    translations = build_translations(*_LIF, *_SYN_TAUS, *_REVERSALS)
    extra_parameters = {"shape": _ALPHA}
    variable_map = dict(_V, **_GSYN)
    arrival_values = _GSYN_ARRIVAL


class IF_cond_exp(NeuronCellTypeMixin, cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    native_name = "PyNN_IF_cond"
    translations = build_translations(*_LIF, *_SYN_TAUS, *_REVERSALS)
    extra_parameters = {"shape": _EXP}
    variable_map = dict(_V, **_GSYN)
    arrival_values = _GSYN_ARRIVAL


class IF_cond_exp_gsfa_grr(NeuronCellTypeMixin, cells.IF_cond_exp_gsfa_grr):
    __doc__ = cells.IF_cond_exp_gsfa_grr.__doc__
    native_name = "PyNN_IF_cond"
    translations = build_translations(
        *_LIF, *_SYN_TAUS, *_REVERSALS,
        *_same("tau_sfa", "e_rev_sfa", "q_sfa", "tau_rr", "e_rev_rr", "q_rr"),  # q in nS in both
    )
    extra_parameters = {"shape": _EXP}
    variable_map = dict(_V, **_GSYN, g_r="gr", g_s="gs")  # nS in both
    arrival_values = _GSYN_ARRIVAL


class IF_facets_hardware1(NeuronCellTypeMixin, cells.IF_facets_hardware1):
    __doc__ = cells.IF_facets_hardware1.__doc__
    native_name = "PyNN_IF_cond"
    # fixed cm = 0.2 nF: tau_m = cm / g_leak = 200 / g_leak(nS) ms
    translations = build_translations(
        ("g_leak", "tau_m", "200.0 / g_leak", "200.0 / tau_m"),
        *_SYN_TAUS,
        *_same("v_reset", "e_rev_I", "v_rest", "v_thresh"),
    )
    extra_parameters = {"shape": _EXP, "cm": 0.2, "tau_refrac": 1.0, "e_rev_E": 0.0, "i_offset": 0.0}
    variable_map = dict(_V, **_GSYN)
    arrival_values = _GSYN_ARRIVAL


class HH_cond_exp(NeuronCellTypeMixin, cells.HH_cond_exp):
    __doc__ = cells.HH_cond_exp.__doc__
    native_name = "PyNN_HH"
    translations = build_translations(*_same(
        "gbar_Na", "gbar_K", "g_leak", "cm", "v_offset", "e_rev_Na", "e_rev_K", "e_rev_leak",
        "e_rev_E", "e_rev_I", "tau_syn_E", "tau_syn_I", "i_offset"))
    variable_map = dict(_V, **_GSYN, m="m", n="n", h="h")
    arrival_values = _GSYN_ARRIVAL


_ADEXP = _same("cm", "tau_refrac", "v_spike", "v_reset", "v_rest", "tau_m", "i_offset", "a", "b",
               "delta_T", "tau_w", "v_thresh")  # a in nS in both


class EIF_cond_alpha_isfa_ista(NeuronCellTypeMixin, cells.EIF_cond_alpha_isfa_ista):
    __doc__ = cells.EIF_cond_alpha_isfa_ista.__doc__
    native_name = "PyNN_AdExp"
    translations = build_translations(*_ADEXP, *_SYN_TAUS, *_REVERSALS)
    extra_parameters = {"shape": _ALPHA}
    variable_map = dict(_V, **_GSYN, w="w")
    arrival_values = _GSYN_ARRIVAL


class EIF_cond_exp_isfa_ista(NeuronCellTypeMixin, cells.EIF_cond_exp_isfa_ista):
    __doc__ = cells.EIF_cond_exp_isfa_ista.__doc__
    native_name = "PyNN_AdExp"
    translations = build_translations(*_ADEXP, *_SYN_TAUS, *_REVERSALS)
    extra_parameters = {"shape": _EXP}
    variable_map = dict(_V, **_GSYN, w="w")
    arrival_values = _GSYN_ARRIVAL


class Izhikevich(NeuronCellTypeMixin, cells.Izhikevich):
    __doc__ = cells.Izhikevich.__doc__
    native_name = "PyNN_Izhikevich"
    translations = build_translations(*_same("a", "b", "c", "d", "i_offset"))
    variable_map = dict(_V, u="u")
    voltage_jump = True


#: most exponential kernels of GIF's spike-triggered current and threshold (PyNN_GIF arrays)
MAX_GIF_KERNELS = 5
_GIF_KERNELS = (("tau_eta", "a_eta", "n_eta"), ("tau_gamma", "a_gamma", "n_gamma"))


def _kernel_rows(value):
    """The kernel values of each cell: a list of 1D arrays (one per cell), or a single
    1D array when all cells share one ArrayParameter."""
    if isinstance(value, np.ndarray) and value.dtype == object:
        return [np.asarray(getattr(v, "value", v), dtype=float).reshape(-1) for v in value]
    return np.asarray(getattr(value, "value", value), dtype=float).reshape(-1)


class GIF_cond_exp(NeuronCellTypeMixin, cells.GIF_cond_exp):
    __doc__ = cells.GIF_cond_exp.__doc__
    native_name = "PyNN_GIF"
    has_random = True
    translations = build_translations(*_same(
        "v_rest", "cm", "tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I", "e_rev_E", "e_rev_I", "v_reset",
        "i_offset", "delta_v", "v_t_star", "lambda0"))
    variable_map = dict(_V, **_GSYN, i_eta="i_eta", v_t="v_t")
    arrival_values = _GSYN_ARRIVAL

    @classmethod
    def translate(cls, std_values):
        """Scalar parameters by name; each kernel list (an ArrayParameter per cell) becomes
        one mechanism array element per kernel, plus the number of kernels."""
        native = super().translate(std_values)
        for tau, amplitude, count in _GIF_KERNELS:
            for name in (tau, amplitude):
                if name not in std_values:
                    continue
                rows = _kernel_rows(std_values[name])
                per_cell = isinstance(rows, list)
                lengths = [len(r) for r in rows] if per_cell else [len(rows)]
                if max(lengths, default=0) > MAX_GIF_KERNELS:
                    raise errors.NoModelAvailableError(
                        f"GIF_cond_exp with more than {MAX_GIF_KERNELS} kernels in '{name}' is not available "
                        f"on the NEURON backend (PyNN_GIF has {MAX_GIF_KERNELS})")
                for k in range(MAX_GIF_KERNELS):
                    if per_cell:
                        native[f"{name}[{k}]"] = np.array([r[k] if k < len(r) else 1.0 for r in rows])
                    else:
                        native[f"{name}[{k}]"] = float(rows[k]) if k < len(rows) else 1.0
                if name == tau:
                    native[count] = np.array(lengths, dtype=float) if per_cell else float(lengths[0])
        return native


# --- spike sources -------------------------------------------------------------------------------

def _mean_interval(rate):
    """1000/rate ms; a rate of 0 gives an interval so long that no spike is ever emitted."""
    rate = np.asarray(rate, dtype=float)
    out = np.full(rate.shape, 1e30)
    np.divide(1000.0, rate, out=out, where=rate > 0)
    return float(out) if out.ndim == 0 else out


def _rate(interval):
    interval = np.asarray(interval, dtype=float)
    out = np.where(interval >= 1e29, 0.0, 1000.0 / interval)
    return float(out) if out.ndim == 0 else out


_WINDOW = _same("start", "duration")


class _NeuronSpikeSource(NeuronCellTypeMixin):
    artificial = True
    source_kind = "renewal"
    has_random = True
    native_name = "PyNN_Renewal"


class SpikeSourcePoisson(_NeuronSpikeSource, cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = build_translations(
        ("rate", "scale", lambda v: _mean_interval(v["rate"]), lambda n: _rate(n["scale"])), *_WINDOW)
    extra_parameters = {"shape": 1, "dead": 0.0}


class SpikeSourcePoissonRefractory(_NeuronSpikeSource, cells.SpikeSourcePoissonRefractory):
    __doc__ = cells.SpikeSourcePoissonRefractory.__doc__
    # `rate` is the mean rate including the dead time: mean interval = dead + scale
    translations = build_translations(
        ("rate", "scale", lambda v: _mean_interval(v["rate"]) - np.asarray(v["tau_refrac"]),
         lambda n: _rate(np.asarray(n["scale"]) + np.asarray(n["dead"]))),
        ("tau_refrac", "dead"),
        *_WINDOW,
    )
    extra_parameters = {"shape": 1}


class SpikeSourceGamma(_NeuronSpikeSource, cells.SpikeSourceGamma):
    __doc__ = cells.SpikeSourceGamma.__doc__
    # `alpha` exponential intervals of mean 1/beta each
    translations = build_translations(
        ("alpha", "shape"),
        ("beta", "scale", lambda v: _mean_interval(v["beta"]), lambda n: _rate(n["scale"])),
        *_WINDOW,
    )
    extra_parameters = {"dead": 0.0}


class SpikeSourceInhGamma(_NeuronSpikeSource, cells.SpikeSourceInhGamma):
    __doc__ = cells.SpikeSourceInhGamma.__doc__
    native_name = None
    missing_reason = "no mechanism for an inhomogeneous gamma process has been written yet"
    translations = {}


class SpikeSourceArray(_NeuronSpikeSource, cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    native_name = "PyNN_Relay"
    source_kind = "relay"
    has_random = False
    translations = build_translations(("spike_times", "spike_times"))


# receptor aliases and PointNeuron are the standard classes (PointNeuron is translated by
# NeuronPointNeuronModel below)
AlphaPSR, BetaPSR, ExpPSR, PointNeuron = cells.AlphaPSR, cells.BetaPSR, cells.ExpPSR, cells.PointNeuron

#: the same names as the standard module, with this module's NEURON classes
__all__ = list(cells.__all__)

#: what the support matrix lists under "Recording and parameter limitations" for NEURON
LIMITATIONS = (
    "native models: NEURON's artificial cells `IntFire1`, `IntFire2`, `IntFire4` (NEURON's parameter names; "
    "receptors 'excitatory'/'inhibitory' select the sign of the weight); `native_cell_type()`, "
    "`native_synapse_type()` and `native_electrode_type()` raise NotSupportedError.",
    "`setup(spike_precision='off_grid')`: SpikeSourceArray cells emit and record their spike times exactly "
    "(no rounding, no RoundingWarning), and NEURON's event queue delivers their spikes to the targets at the "
    "step of its fixed-step method; all other cells still fire on the time grid.",
    "`setup(use_cvode=True)` raises NotImplementedError: the mechanisms integrate on the fixed time grid.",
    "a cell whose `tau_refrac` is shorter than one time step cannot fire in two consecutive steps "
    "(the second spike is not detected).",
    "GIF_cond_exp takes at most 5 kernels in each of tau_eta/a_eta and tau_gamma/a_gamma (PyNN_GIF).",
    "PointNeuron takes at most 6 receptors (PyNN_PointNeuron); more raise NoModelAvailableError.",
    "TsodyksMarkramSynapse, STDP and the stochastic synapses (SimpleStochasticSynapse, "
    "StochasticTsodyksMarkramSynapse, MultiQuantalSynapse) onto every standard cell type, PointNeuron "
    "included (the target mechanisms share one NET_RECEIVE); onto NESTML cells and NEURON's native "
    "IntFire cells they raise NoModelAvailableError.",
    "STDP: any `dendritic_delay_fraction` in [0, 1] and any `w_min`, except that targets which apply "
    "their inputs at the end of a step (IF_curr_delta, Izhikevich, PointNeuron) take 1.0 only "
    "(InvalidParameterValueError). Each cell keeps its last 64 "
    "spikes for the rule: exact while a cell fires at most 64 times between two pre-synaptic spikes of one of "
    "its plastic connections (a warning says when spikes were missed).",
    "processes: under `mpirun -np N` the cells are distributed over the N MPI processes (mpi4py and an MPI, e.g. "
    "the mpich wheel, installed), with the same network and spikes for any N; delays must then be at least two "
    "time steps (InvalidParameterValueError otherwise). See doc/parallel.md.",
    "after a run: populations (cells and spike sources), projections and recording join the running network "
    "at the current time, and current sources injected after a run act exactly as if injected before the first "
    "run; NEURON's own IntFire1, IntFire2 and IntFire4 created after a run start then as from time 0. "
    "The same holds in a run distributed over MPI processes, with the results of one process; there a "
    "projection made (or a delay set) after a run may not have a delay shorter than NEURON's spike-exchange "
    "interval, fixed at the first run (or reset()) from min_delay (with 'auto', from the shortest delay then) "
    "(NotSupportedError otherwise; accepted after reset()).",
)


# --- PointNeuron: a LIF or AdExp membrane with named receptors, on PyNN_PointNeuron --------------

#: receptor class -> (kind code of the mechanism, (standard parameter, mechanism array), ...)
_RECEPTORS = {
    CurrExpPostSynapticResponse: (0, (("tau_syn", "tau1"),)),
    CondExpPostSynapticResponse: (1, (("tau_syn", "tau1"), ("e_syn", "e_syn"))),
    CondAlphaPostSynapticResponse: (2, (("tau_syn", "tau1"), ("e_syn", "e_syn"))),
    CondBetaPostSynapticResponse: (3, (("tau_rise", "tau1"), ("tau_decay", "tau2"), ("e_syn", "e_syn"))),
}
MAX_RECEPTORS = 6
# the mechanism's AdExp membrane is a LIF one without exponential term and adaptation
_LIF_AS_ADEXP = {"delta_T": 0.0, "a": 0.0, "b": 0.0}


class NeuronPointNeuronModel:
    """How one :class:`PointNeuron` is realised by the ``PyNN_PointNeuron`` mechanism.

    Receptor k (in the order the receptors were given) uses the k-th element of the mechanism's arrays
    (``rkind``, ``tau1``, ``tau2``, ``e_syn``; recorded as ``out[k]``); connections carry the
    receptor index in the weight-vector slot ``PORT_SLOT`` (pynn_synapse.inc).
    """

    native_name = "PyNN_PointNeuron"
    artificial = False
    source_kind = None
    voltage_jump = True  # events delivered one step early, held to the end of the step (pynn_point_neuron.mod)
    arrival_values = {}  # (so the recorded receptor values hold the events due at their time)
    has_random = False
    scale_factors = {}

    def __init__(self, point_neuron):
        self.point_neuron = point_neuron
        receptors = point_neuron.post_synaptic_receptors
        neuron = point_neuron.neuron
        if not isinstance(neuron, (LIF, AdExp)) or len(receptors) > MAX_RECEPTORS or any(
                type(psr) not in _RECEPTORS for psr in receptors.values()):
            raise errors.NoModelAvailableError(
                f"{point_neuron!r} is not available on the NEURON backend: PyNN_PointNeuron takes a LIF or "
                f"AdExp neuron with at most {MAX_RECEPTORS} receptors of the kinds "
                f"{', '.join(sorted(c.__name__ for c in _RECEPTORS))}")
        self.neuron_parameters = set(neuron.default_parameters)
        self.receptor_index = {name: k for k, name in enumerate(receptors)}
        self.receptor_arrays = {name: dict(_RECEPTORS[type(psr)][1]) for name, psr in receptors.items()}
        self.receptor_is_current = {name: _RECEPTORS[type(psr)][0] == 0 for name, psr in receptors.items()}
        self.extra_parameters = dict(_LIF_AS_ADEXP) if isinstance(neuron, LIF) else {}
        self.extra_parameters["nrec"] = len(receptors)
        for name, psr in receptors.items():
            self.extra_parameters[f"rkind[{self.receptor_index[name]}]"] = _RECEPTORS[type(psr)][0]
        self.variable_map = {"v": "vm"}
        if "w" in neuron.recordable:
            self.variable_map["w"] = "w"
        for name, psr in receptors.items():
            for var in psr.recordable:
                self.variable_map[f"{name}.{var}"] = f"out[{self.receptor_index[name]}]"

    def translate(self, std_values):
        """Standard values (flat 'AMPA.tau_syn' or nested {'AMPA': {...}}) -> mechanism values."""
        native = {}
        for key, value in std_values.items():
            if key in self.receptor_index and isinstance(value, dict):
                for name, v in value.items():
                    native.update(self._receptor_value(key, name, v))
                continue
            receptor, name = self.point_neuron.split_name(key)
            if receptor is None:
                if name in self.neuron_parameters:
                    native[name] = value
            else:
                native.update(self._receptor_value(receptor, name, value))
        return native

    def _receptor_value(self, receptor, name, value):
        array = self.receptor_arrays[receptor].get(name)
        return {f"{array}[{self.receptor_index[receptor]}]": value} if array else {}
