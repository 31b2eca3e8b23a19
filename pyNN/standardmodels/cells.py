"""Standard cell types, neuron components and post-synaptic responses.

Every class here is pure data: parameter names with their defaults (in the standard
units of ``doc/units.md``: mV, ms, nA, uS, nF, Hz), the state variables that can be
recorded, their default initial values and the unit of every name. Backends subclass
these classes and add a translation table; nothing here talks to a simulator.
"""

import numpy as np

from pyNN import errors
from pyNN.parameters import ArrayParameter, ParameterSpace, Sequence
from pyNN.standardmodels import (
    StandardCellType,
    StandardCellTypeComponent,
    StandardPostSynapticResponse,
)

# ---------------------------------------------------------------------------------------------
# Helpers shared with synapses.py and electrodes.py
# ---------------------------------------------------------------------------------------------


def _as_float_array(value):
    if isinstance(value, ArrayParameter):
        return value.value
    return np.asarray(value, dtype=float).reshape(-1)


def _is_per_cell(value):
    return isinstance(value, np.ndarray) and value.ndim > 0


def _cell_values(values):
    """Yield (cell index or None, tuple of per-cell values) for a list of parameter values,
    some of which may hold one value per cell."""
    sizes = [len(v) for v in values if _is_per_cell(v)]
    if not sizes:
        yield None, tuple(values)
        return
    for i in range(max(sizes)):
        yield i, tuple(v[i] if _is_per_cell(v) else v for v in values)


def _describe(value):
    if isinstance(value, ArrayParameter):
        return repr(value)
    if isinstance(value, (float, int, np.number)):
        return f"{float(value):g}"
    return repr(value)


class ValueChecksMixin:
    """Checks for array-valued parameters and for rules that involve several parameters.

    ``array_checks`` holds ``(name, test, allowed)`` triples where `test` gets the 1D
    float array held by one cell (a :class:`Sequence` or :class:`ArrayParameter`) and
    returns one bool per element. ``cross_checks`` holds ``(names, test, allowed)`` where
    `test` gets the values of `names` for one cell and returns a bool. Both are checked
    before the scalar ``parameter_checks`` of :class:`StandardModelType`.
    """

    array_checks = ()
    cross_checks = ()

    @classmethod
    def _check_structured(cls, std_values, owner_label):
        for name, test, allowed in cls.array_checks:
            if name not in std_values:
                continue
            value = std_values[name]
            items = value if isinstance(value, np.ndarray) and value.dtype == object else [value]
            for cell, item in enumerate(items):
                arr = _as_float_array(item)
                ok = np.asarray(test(arr), dtype=bool).reshape(-1)
                if ok.size and not ok.all():
                    k = int(np.argmin(ok))
                    where = f" for cell {cell}" if len(items) > 1 else ""
                    raise errors.InvalidParameterValueError(
                        f"{owner_label}: {cls.__name__} parameter '{name}'{where} = {_describe(item)} "
                        f"is not allowed: element {k} ({arr[k]:g}) fails the rule '{allowed}'")
        for names, test, allowed in cls.cross_checks:
            if not all(n in std_values for n in names):
                continue
            for cell, values in _cell_values([std_values[n] for n in names]):
                if values and any(v is None for v in values):
                    continue
                if not bool(test(*values)):
                    where = f" (cell {cell})" if cell is not None else ""
                    shown = ", ".join(f"{n}={_describe(v)}" for n, v in zip(names, values))
                    raise errors.InvalidParameterValueError(
                        f"{owner_label}: {cls.__name__} parameters {shown}{where} are not allowed "
                        f"({allowed})")

    @classmethod
    def _check_ranges(cls, std_values, owner_label):
        array_names = {c[0] for c in cls.array_checks}
        super()._check_ranges({k: v for k, v in std_values.items() if k not in array_names}, owner_label)


def assemble_type(instance, **class_attributes):
    """Move `instance` to a private subclass of its class that carries `class_attributes`.

    Types assembled from components (:class:`PointNeuron`, ``STDPMechanism``) only know
    their parameters, units, translations... once the components are given. Keeping
    those as class attributes of a per-instance subclass means every class-level query
    (``type(x).translate(...)``, ``type(x).check_values(...)``, ``type(x).get_schema()``)
    sees the assembled data, exactly as for ordinary types. The subclass keeps the name of
    the public class and records it as ``_assembled_from``.
    """
    base = getattr(type(instance), "_assembled_from", None) or type(instance)
    class_attributes.update(__module__=base.__module__, __qualname__=base.__qualname__,
                            __doc__=base.__doc__, _assembled_from=base)
    instance.__class__ = type(base.__name__, (base,), class_attributes)
    return base


# ---------------------------------------------------------------------------------------------
# Checks and units used by several cell types
# ---------------------------------------------------------------------------------------------

def _times_sorted_non_negative(t):
    ok = t >= 0
    if t.size > 1:
        ok[1:] &= np.diff(t) >= 0
    return ok


def _positive(v):
    return v > 0


def _non_negative(v):
    return v >= 0


#: the rule of every integrate-and-fire type with a fixed threshold (NEST's iaf_* models
#: refuse anything else; other simulators would fire on every step)
_RESET_BELOW_THRESHOLD = (("v_reset", "v_thresh"), lambda reset, thresh: reset < thresh,
                          "v_reset must be lower than v_thresh")

#: exp((v_spike - v_thresh) / delta_T) must stay far below the largest double at the spike
#: (NEST refuses the same combinations with the same bound)
_EIF_MAX_EXPONENT = float(np.log(np.finfo(float).max / 1e20))

_EIF_RELATIONS = (
    (("v_reset", "v_spike"), lambda reset, spike: reset < spike, "v_reset must be lower than v_spike"),
    (("v_spike", "v_thresh"), lambda spike, thresh: spike >= thresh,
     "v_spike (the spike-detection voltage) must be >= v_thresh"),
    (("v_spike", "v_thresh", "delta_T"),
     lambda spike, thresh, delta: (delta <= 0) | ((spike - thresh) < _EIF_MAX_EXPONENT * delta),
     f"(v_spike - v_thresh) / delta_T must be below {_EIF_MAX_EXPONENT:.1f}, or exp() overflows at "
     f"the spike: raise delta_T or lower v_spike"),
)


_IF_UNITS = {
    "v_rest": "mV", "cm": "nF", "tau_m": "ms", "tau_refrac": "ms", "tau_syn_E": "ms",
    "tau_syn_I": "ms", "i_offset": "nA", "v_reset": "mV", "v_thresh": "mV",
    "e_rev_E": "mV", "e_rev_I": "mV",
    "spikes": "ms", "v": "mV", "isyn_exc": "nA", "isyn_inh": "nA",
    "gsyn_exc": "uS", "gsyn_inh": "uS",
}

_EIF_UNITS = {
    "cm": "nF", "tau_refrac": "ms", "v_spike": "mV", "v_reset": "mV", "v_rest": "mV",
    "tau_m": "ms", "i_offset": "nA", "a": "nS", "b": "nA", "delta_T": "mV", "tau_w": "ms",
    "v_thresh": "mV", "e_rev_E": "mV", "tau_syn_E": "ms", "e_rev_I": "mV", "tau_syn_I": "ms",
    "spikes": "ms", "v": "mV", "w": "nA", "gsyn_exc": "uS", "gsyn_inh": "uS",
}

_SOURCE_UNITS = {"rate": "Hz", "start": "ms", "duration": "ms", "tau_refrac": "ms", "spikes": "ms"}


def _units(table, *names):
    return {name: table[name] for name in names}


# What each parameter and state variable means: shown by help(), in the model reference of the
# documentation, and checked for completeness by test/unittests/test_model_descriptions.py.
_IF_DESCRIPTIONS = {
    "v_rest": "resting membrane potential",
    "cm": "membrane capacitance",
    "tau_m": "membrane time constant",
    "tau_refrac": "refractory period: after a spike, v is held at v_reset for this long",
    "tau_syn_E": "decay time constant of the excitatory synaptic current",
    "tau_syn_I": "decay time constant of the inhibitory synaptic current",
    "i_offset": "constant current injected into the cell",
    "v_reset": "membrane potential right after a spike",
    "v_thresh": "spike threshold",
    "e_rev_E": "reversal potential of the excitatory synapses",
    "e_rev_I": "reversal potential of the inhibitory synapses",
    "spikes": "spike times",
    "v": "membrane potential",
    "isyn_exc": "total excitatory synaptic current",
    "isyn_inh": "total inhibitory synaptic current",
    "gsyn_exc": "total excitatory synaptic conductance",
    "gsyn_inh": "total inhibitory synaptic conductance",
}

_ALPHA_CURRENT_TEXT = {
    "tau_syn_E": "time to peak of the excitatory synaptic current (alpha function)",
    "tau_syn_I": "time to peak of the inhibitory synaptic current (alpha function)",
}
_EXP_CONDUCTANCE_TEXT = {
    "tau_syn_E": "decay time constant of the excitatory synaptic conductance",
    "tau_syn_I": "decay time constant of the inhibitory synaptic conductance",
}
_ALPHA_CONDUCTANCE_TEXT = {
    "tau_syn_E": "time to peak of the excitatory synaptic conductance (alpha function)",
    "tau_syn_I": "time to peak of the inhibitory synaptic conductance (alpha function)",
}

_EIF_DESCRIPTIONS = dict(
    _IF_DESCRIPTIONS, **_EXP_CONDUCTANCE_TEXT,
    v_spike="potential at which the exponential upswing counts as a spike and v is reset",
    v_thresh="threshold potential of the exponential term (V_T): spikes are initiated above it",
    a="sub-threshold adaptation conductance: coupling of the adaptation current to v - v_rest",
    b="increment of the adaptation current w at each spike",
    delta_T="slope factor: sharpness of the exponential spike initiation",
    tau_w="time constant of the adaptation current",
    w="adaptation current",
)

_SOURCE_DESCRIPTIONS = {
    "rate": "mean firing rate",
    "start": "time at which the source starts emitting",
    "duration": "length of the interval during which the source emits",
    "tau_refrac": "dead time after each spike",
    "spikes": "spike times",
}


def _described(table, *names, **overrides):
    """The descriptions of `names` from `table`, with some texts replaced."""
    texts = dict(table, **overrides)
    return {name: texts[name] for name in names}


# ---------------------------------------------------------------------------------------------
# Integrate-and-fire cells
# ---------------------------------------------------------------------------------------------

class IF_curr_alpha(StandardCellType):
    """Leaky integrate-and-fire neuron with a fixed threshold and current-based synapses
    whose post-synaptic current has the shape of an alpha function.
    """

    default_parameters = {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.1, "tau_syn_E": 0.5,
        "tau_syn_I": 0.5, "i_offset": 0.0, "v_reset": -65.0, "v_thresh": -50.0,
    }
    recordable = ["spikes", "v"]
    default_initial_values = {"v": -65.0, "isyn_exc": 0.0, "isyn_inh": 0.0}
    units = _units(_IF_UNITS, *default_parameters, "spikes", "v", "isyn_exc", "isyn_inh")
    relations = (_RESET_BELOW_THRESHOLD,)
    descriptions = _described(_IF_DESCRIPTIONS, *units, **_ALPHA_CURRENT_TEXT)
    conductance_based = False


class IF_curr_exp(StandardCellType):
    """Leaky integrate-and-fire neuron with a fixed threshold and current-based synapses
    whose post-synaptic current jumps on each spike and then decays exponentially.
    """

    default_parameters = {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.1, "tau_syn_E": 5.0,
        "tau_syn_I": 5.0, "i_offset": 0.0, "v_reset": -65.0, "v_thresh": -50.0,
    }
    recordable = ["spikes", "v"]
    default_initial_values = {"v": -65.0, "isyn_exc": 0.0, "isyn_inh": 0.0}
    units = _units(_IF_UNITS, *default_parameters, "spikes", "v", "isyn_exc", "isyn_inh")
    relations = (_RESET_BELOW_THRESHOLD,)
    descriptions = _described(_IF_DESCRIPTIONS, *units)
    conductance_based = False


class IF_curr_delta(StandardCellType):
    """Leaky integrate-and-fire neuron in which each incoming spike makes the membrane
    potential jump instantly; synaptic weights are therefore voltages (mV).
    """

    default_parameters = {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.1, "i_offset": 0.0,
        "v_reset": -65.0, "v_thresh": -50.0,
    }
    recordable = ["spikes", "v"]
    default_initial_values = {"v": -65.0}
    units = _units(_IF_UNITS, *default_parameters, "spikes", "v")
    relations = (_RESET_BELOW_THRESHOLD,)
    descriptions = _described(_IF_DESCRIPTIONS, *units)
    conductance_based = False
    voltage_based_synapses = True


class IF_cond_alpha(StandardCellType):
    """Leaky integrate-and-fire neuron with a fixed threshold and conductance-based
    synapses whose conductance follows an alpha function after each spike.
    """

    default_parameters = {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.1, "tau_syn_E": 0.3,
        "tau_syn_I": 0.5, "e_rev_E": 0.0, "e_rev_I": -70.0, "v_thresh": -50.0,
        "v_reset": -65.0, "i_offset": 0.0,
    }
    recordable = ["spikes", "v", "gsyn_exc", "gsyn_inh"]
    default_initial_values = {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    units = _units(_IF_UNITS, *default_parameters, *recordable)
    relations = (_RESET_BELOW_THRESHOLD,)
    descriptions = _described(_IF_DESCRIPTIONS, *units, **_ALPHA_CONDUCTANCE_TEXT)


class IF_cond_exp(StandardCellType):
    """Leaky integrate-and-fire neuron with a fixed threshold and conductance-based
    synapses whose conductance jumps on each spike and then decays exponentially.
    """

    default_parameters = {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.1, "tau_syn_E": 5.0,
        "tau_syn_I": 5.0, "e_rev_E": 0.0, "e_rev_I": -70.0, "v_thresh": -50.0,
        "v_reset": -65.0, "i_offset": 0.0,
    }
    recordable = ["spikes", "v", "gsyn_exc", "gsyn_inh"]
    default_initial_values = {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    units = _units(_IF_UNITS, *default_parameters, *recordable)
    relations = (_RESET_BELOW_THRESHOLD,)
    descriptions = _described(_IF_DESCRIPTIONS, *units, **_EXP_CONDUCTANCE_TEXT)


class IF_cond_exp_gsfa_grr(StandardCellType):
    """Conductance-based leaky integrate-and-fire neuron with exponential synapses and two
    spike-triggered potassium-like conductances: one for spike-frequency adaptation
    (``g_s``) and one for relative refractoriness (``g_r``).
    """

    default_parameters = {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.1, "tau_syn_E": 5.0,
        "tau_syn_I": 5.0, "e_rev_E": 0.0, "e_rev_I": -70.0, "v_thresh": -50.0,
        "v_reset": -65.0, "i_offset": 0.0,
        "tau_sfa": 100.0, "e_rev_sfa": -75.0, "q_sfa": 15.0,
        "tau_rr": 2.0, "e_rev_rr": -75.0, "q_rr": 3000.0,
    }
    recordable = ["spikes", "v", "g_r", "g_s", "gsyn_exc", "gsyn_inh"]
    default_initial_values = {"v": -65.0, "g_r": 0.0, "g_s": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    units = dict(_units(_IF_UNITS, "v_rest", "cm", "tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I",
                        "e_rev_E", "e_rev_I", "v_thresh", "v_reset", "i_offset",
                        "spikes", "v", "gsyn_exc", "gsyn_inh"),
                 tau_sfa="ms", e_rev_sfa="mV", q_sfa="nS", tau_rr="ms", e_rev_rr="mV", q_rr="nS",
                 g_r="nS", g_s="nS")
    relations = (_RESET_BELOW_THRESHOLD,)
    descriptions = _described(
        _IF_DESCRIPTIONS, *units, **_EXP_CONDUCTANCE_TEXT,
        tau_sfa="decay time constant of the spike-frequency adaptation conductance g_s",
        e_rev_sfa="reversal potential of the spike-frequency adaptation conductance",
        q_sfa="increment of the adaptation conductance g_s at each spike",
        tau_rr="decay time constant of the relative refractory conductance g_r",
        e_rev_rr="reversal potential of the relative refractory conductance",
        q_rr="increment of the relative refractory conductance g_r at each spike",
        g_s="spike-frequency adaptation conductance",
        g_r="relative refractory conductance",
    )
    parameter_checks = (
        ("q_sfa", _non_negative, "must be >= 0 nS"),
        ("q_rr", _non_negative, "must be >= 0 nS"),
    )


class IF_facets_hardware1(StandardCellType):
    """Conductance-based leaky integrate-and-fire neuron with exponential synapses, fixed
    to the properties of the FACETS neuromorphic chip (capacitance 0.2 nF, refractory
    period 1 ms, excitatory reversal potential 0 mV).
    """

    default_parameters = {
        "g_leak": 40.0, "tau_syn_E": 30.0, "tau_syn_I": 30.0, "v_reset": -80.0,
        "e_rev_I": -80.0, "v_rest": -65.0, "v_thresh": -55.0,
    }
    recordable = ["spikes", "v", "gsyn_exc", "gsyn_inh"]
    default_initial_values = {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    units = dict(_units(_IF_UNITS, "tau_syn_E", "tau_syn_I", "v_reset", "e_rev_I", "v_rest",
                        "v_thresh", *recordable),
                 g_leak="nS")
    relations = (_RESET_BELOW_THRESHOLD,)
    descriptions = _described(_IF_DESCRIPTIONS, *units, **_EXP_CONDUCTANCE_TEXT,
                              g_leak="leak conductance (sets the membrane time constant with cm = 0.2 nF)")
    parameter_checks = (("g_leak", _positive, "must be > 0 nS"),)


class HH_cond_exp(StandardCellType):
    """Single-compartment Hodgkin-Huxley neuron (Traub & Miles sodium and potassium
    kinetics) with conductance-based synapses that decay exponentially.
    """

    default_parameters = {
        "gbar_Na": 20.0, "gbar_K": 6.0, "g_leak": 0.01, "cm": 0.2, "v_offset": -63.0,
        "e_rev_Na": 50.0, "e_rev_K": -90.0, "e_rev_leak": -65.0, "e_rev_E": 0.0,
        "e_rev_I": -80.0, "tau_syn_E": 0.2, "tau_syn_I": 2.0, "i_offset": 0.0,
    }
    recordable = ["spikes", "v", "gsyn_exc", "gsyn_inh", "m", "n", "h"]
    default_initial_values = {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0,
                              "h": 1.0, "m": 0.0, "n": 0.0}
    units = dict(_units(_IF_UNITS, "cm", "e_rev_E", "e_rev_I", "tau_syn_E", "tau_syn_I",
                        "i_offset", "spikes", "v", "gsyn_exc", "gsyn_inh"),
                 gbar_Na="uS", gbar_K="uS", g_leak="uS", v_offset="mV", e_rev_Na="mV",
                 e_rev_K="mV", e_rev_leak="mV", m="dimensionless", n="dimensionless",
                 h="dimensionless")
    descriptions = _described(
        _IF_DESCRIPTIONS, *units, **_EXP_CONDUCTANCE_TEXT,
        gbar_Na="maximal conductance of the sodium channels",
        gbar_K="maximal conductance of the delayed-rectifier potassium channels",
        g_leak="leak conductance",
        v_offset="offset of the voltage dependence of the gating kinetics (V_T of Traub & Miles)",
        e_rev_Na="reversal potential of sodium",
        e_rev_K="reversal potential of potassium",
        e_rev_leak="reversal potential of the leak current",
        m="activation of the sodium channels (gating variable)",
        h="inactivation of the sodium channels (gating variable)",
        n="activation of the potassium channels (gating variable)",
    )
    receptor_types = ("excitatory", "inhibitory", "source_section.gap")
    parameter_checks = (
        ("gbar_Na", _non_negative, "must be >= 0 uS"),
        ("gbar_K", _non_negative, "must be >= 0 uS"),
        ("g_leak", _non_negative, "must be >= 0 uS"),
    )


_EIF_DEFAULTS = {
    "cm": 0.281, "tau_refrac": 0.1, "v_spike": -40.0, "v_reset": -70.6, "v_rest": -70.6,
    "tau_m": 9.3667, "i_offset": 0.0, "a": 4.0, "b": 0.0805, "delta_T": 2.0, "tau_w": 144.0,
    "v_thresh": -50.4, "e_rev_E": 0.0, "tau_syn_E": 5.0, "e_rev_I": -80.0, "tau_syn_I": 5.0,
}

_EIF_CHECKS = (
    ("delta_T", _non_negative, "must be >= 0 mV"),
)


class EIF_cond_alpha_isfa_ista(StandardCellType):
    """Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005): an
    exponential spike-initiation current plus an adaptation current ``w`` driven by
    sub-threshold voltage and by spikes; conductance synapses with alpha-function shape.
    """

    default_parameters = dict(_EIF_DEFAULTS)
    recordable = ["spikes", "v", "w", "gsyn_exc", "gsyn_inh"]
    default_initial_values = {"v": -70.6, "w": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    units = _units(_EIF_UNITS, *default_parameters, *recordable)
    relations = _EIF_RELATIONS
    descriptions = _described(_EIF_DESCRIPTIONS, *units, **_ALPHA_CONDUCTANCE_TEXT)
    parameter_checks = _EIF_CHECKS


class EIF_cond_exp_isfa_ista(StandardCellType):
    """Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) with
    conductance-based synapses that jump on each spike and decay exponentially.
    """

    default_parameters = dict(_EIF_DEFAULTS)
    recordable = ["spikes", "v", "w", "gsyn_exc", "gsyn_inh"]
    default_initial_values = {"v": -70.6, "w": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    units = _units(_EIF_UNITS, *default_parameters, *recordable)
    relations = _EIF_RELATIONS
    descriptions = _described(_EIF_DESCRIPTIONS, *units)
    parameter_checks = _EIF_CHECKS


class Izhikevich(StandardCellType):
    """Izhikevich (2003) two-variable neuron: a quadratic membrane equation coupled to a
    recovery variable ``u``, reset to ``c`` and incremented by ``d`` after each spike.
    Incoming spikes make ``v`` jump, so weights are in mV.
    """

    default_parameters = {"a": 0.02, "b": 0.2, "c": -65.0, "d": 2.0, "i_offset": 0.0}
    recordable = ["spikes", "v", "u"]
    default_initial_values = {"v": -70.0, "u": -14.0}
    units = {"a": "/ms", "b": "/ms", "c": "mV", "d": "mV/ms", "i_offset": "nA",
             "spikes": "ms", "v": "mV", "u": "mV/ms"}
    descriptions = {
        "a": "time scale of the recovery variable u (smaller: slower recovery)",
        "b": "sensitivity of u to the sub-threshold membrane potential",
        "c": "membrane potential right after a spike",
        "d": "increment of the recovery variable u at each spike",
        "i_offset": _IF_DESCRIPTIONS["i_offset"],
        "spikes": "spike times",
        "v": "membrane potential",
        "u": "recovery variable",
    }
    conductance_based = False
    voltage_based_synapses = True


class GIF_cond_exp(ValueChecksMixin, StandardCellType):
    """Generalized integrate-and-fire neuron (Mensi et al. 2012, Pozzorini et al. 2015)
    with stochastic escape-noise firing, a spike-triggered current ``i_eta`` and a moving
    threshold ``v_t``, each a sum of exponential kernels; exponential conductance synapses.
    """

    default_parameters = {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 4.0, "tau_syn_E": 5.0,
        "tau_syn_I": 5.0, "e_rev_E": 0.0, "e_rev_I": -70.0, "v_reset": -65.0, "i_offset": 0.0,
        "delta_v": 0.5, "v_t_star": -48.0, "lambda0": 1.0,
        "tau_eta": ArrayParameter([1.0, 10.0, 100.0]),
        "tau_gamma": ArrayParameter([1.0, 10.0, 100.0]),
        "a_eta": ArrayParameter([1.0, 1.0, 1.0]),
        "a_gamma": ArrayParameter([1.0, 1.0, 1.0]),
    }
    recordable = ["spikes", "v", "gsyn_exc", "gsyn_inh", "i_eta", "v_t"]
    default_initial_values = {"v": -65.0, "v_t": -48.0, "i_eta": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    # the threshold at rest is v_t_star (NEST's gif_cond_exp cannot start anywhere else): the
    # default v_t (-48 mV) is the default v_t_star's
    initial_values_from_parameters = {"v_t": "v_t_star"}
    units = dict(_units(_IF_UNITS, "v_rest", "cm", "tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I",
                        "e_rev_E", "e_rev_I", "v_reset", "i_offset", "spikes", "v", "gsyn_exc",
                        "gsyn_inh"),
                 delta_v="mV", v_t_star="mV", lambda0="Hz", tau_eta="ms", tau_gamma="ms",
                 a_eta="nA", a_gamma="mV", i_eta="nA", v_t="mV")
    descriptions = _described(
        _IF_DESCRIPTIONS, *units, **_EXP_CONDUCTANCE_TEXT,
        tau_refrac="absolute refractory period: after a spike, v is held at v_reset for this long",
        delta_v="voltage scale of the escape noise: the firing intensity is lambda0*exp((v - v_t)/delta_v)",
        v_t_star="baseline of the moving threshold v_t",
        lambda0="firing intensity when v equals the threshold v_t",
        tau_eta="time constants of the exponential kernels of the spike-triggered current",
        a_eta="amplitudes of the exponential kernels of the spike-triggered current",
        tau_gamma="time constants of the exponential kernels of the moving threshold",
        a_gamma="amplitudes of the exponential kernels of the moving threshold",
        i_eta="spike-triggered current (sum of the eta kernels)",
        v_t="moving threshold (v_t_star plus the sum of the gamma kernels)",
    )
    parameter_checks = (("delta_v", _positive, "must be > 0 mV"),)
    array_checks = (
        ("tau_eta", _positive, "every time constant must be > 0 ms"),
        ("tau_gamma", _positive, "every time constant must be > 0 ms"),
    )
    cross_checks = (
        (("tau_eta", "a_eta"), lambda t, a: len(t) == len(a),
         "tau_eta and a_eta need the same number of elements"),
        (("tau_gamma", "a_gamma"), lambda t, a: len(t) == len(a),
         "tau_gamma and a_gamma need the same number of elements"),
    )


# ---------------------------------------------------------------------------------------------
# Spike sources
# ---------------------------------------------------------------------------------------------

class _SpikeSource(StandardCellType):
    """Common attributes of spike sources: they only emit spikes and take no input."""

    recordable = ["spikes"]
    default_initial_values = {}
    injectable = False
    receptor_types = ()


class SpikeSourcePoisson(_SpikeSource):
    """Source emitting spikes as a Poisson process of constant rate, between `start` and
    `start + duration`.
    """

    grid_times = ("start", "duration")
    default_parameters = {"rate": 1.0, "start": 0.0, "duration": 1e10}
    units = _units(_SOURCE_UNITS, "rate", "start", "duration", "spikes")
    descriptions = _described(_SOURCE_DESCRIPTIONS, *units)


class SpikeSourcePoissonRefractory(ValueChecksMixin, _SpikeSource):
    """Source emitting spikes as a Poisson process with a dead time after each spike
    (a renewal process); `rate` is the resulting mean rate.
    """

    grid_times = ("start", "duration")
    default_parameters = {"rate": 1.0, "tau_refrac": 0.0, "start": 0.0, "duration": 1e10}
    units = _units(_SOURCE_UNITS, "rate", "tau_refrac", "start", "duration", "spikes")
    descriptions = _described(_SOURCE_DESCRIPTIONS, *units)
    cross_checks = (
        (("rate", "tau_refrac"), lambda rate, tau: np.all(np.asarray(rate) * np.asarray(tau) < 1000.0),
         "the mean interval 1000/rate (ms) must be longer than the dead time tau_refrac"),
    )


class SpikeSourceGamma(_SpikeSource):
    """Source whose inter-spike intervals follow a gamma distribution of integer shape
    `alpha` and rate `beta`, so the mean interval is alpha/beta.
    """

    grid_times = ("start", "duration")
    default_parameters = {"alpha": 2, "beta": 1.0, "start": 0.0, "duration": 1e10}
    units = dict(_units(_SOURCE_UNITS, "start", "duration", "spikes"), alpha="dimensionless", beta="Hz")
    descriptions = _described(
        _SOURCE_DESCRIPTIONS, *units,
        alpha="shape of the gamma distribution of the intervals (an integer: the number of Poisson "
              "events of rate beta that make one interval)",
        beta="rate of the underlying Poisson events (the mean interval is alpha/beta)",
    )
    parameter_checks = (
        ("alpha", lambda v: (v >= 1) & (v == np.round(v)), "must be an integer >= 1"),
    )


class SpikeSourceInhGamma(ValueChecksMixin, _SpikeSource):
    """Source whose spikes follow an inhomogeneous gamma process: shape `a` and scale `b`
    are piecewise constant, taking a new value at each time in `tbins`.
    """

    grid_times = ("start", "duration")
    default_parameters = {
        "a": Sequence([1.0]), "b": Sequence([1.0]), "tbins": Sequence([0.0]),
        "start": 0.0, "duration": 1e10,
    }
    units = dict(_units(_SOURCE_UNITS, "start", "duration", "spikes"),
                 a="dimensionless", b="s", tbins="ms")
    descriptions = _described(
        _SOURCE_DESCRIPTIONS, *units,
        a="shape of the gamma process in each time bin",
        b="scale of the gamma process in each time bin",
        tbins="start time of each bin",
    )
    array_checks = (
        ("a", _positive, "every shape value must be > 0"),
        ("b", _positive, "every scale value must be > 0 s"),
        ("tbins", _times_sorted_non_negative, "bin times must be >= 0 ms and non-decreasing"),
    )
    cross_checks = (
        (("a", "b", "tbins"), lambda a, b, t: len(a) == len(b) == len(t),
         "a, b and tbins need the same number of elements"),
    )


class SpikeSourceArray(ValueChecksMixin, _SpikeSource):
    """Source emitting spikes at the times given in `spike_times` (one list per cell, or
    one list shared by all cells).
    """

    default_parameters = {"spike_times": Sequence([])}
    units = {"spike_times": "ms", "spikes": "ms"}
    descriptions = {"spike_times": "times at which the cell emits a spike", "spikes": "spike times"}
    array_checks = (
        ("spike_times", _times_sorted_non_negative, "spike times must be >= 0 ms and non-decreasing"),
    )


# ---------------------------------------------------------------------------------------------
# Neuron components and post-synaptic responses, combined by PointNeuron
# ---------------------------------------------------------------------------------------------

class LIF(StandardCellTypeComponent):
    """Leaky integrate-and-fire membrane with a fixed threshold and a refractory period,
    without synapses: combine it with post-synaptic responses in a :class:`PointNeuron`.
    """

    default_parameters = {
        "cm": 1.0, "tau_refrac": 0.1, "v_reset": -65.0, "v_rest": -65.0, "tau_m": 20.0,
        "i_offset": 0.0, "v_thresh": -50.0,
    }
    recordable = ["spikes", "v"]
    default_initial_values = {"v": -65.0}
    units = _units(_IF_UNITS, *default_parameters, "spikes", "v")
    relations = (_RESET_BELOW_THRESHOLD,)
    descriptions = _described(_IF_DESCRIPTIONS, *units)
    receptor_types = ()


class AdExp(StandardCellTypeComponent):
    """Adaptive exponential integrate-and-fire membrane (Brette & Gerstner 2005), without
    synapses: combine it with post-synaptic responses in a :class:`PointNeuron`.
    """

    default_parameters = {
        "cm": 0.281, "tau_refrac": 0.1, "v_spike": -40.0, "v_reset": -70.6, "v_rest": -70.6,
        "tau_m": 9.3667, "i_offset": 0.0, "a": 4.0, "b": 0.0805, "delta_T": 2.0, "tau_w": 144.0,
        "v_thresh": -50.4,
    }
    recordable = ["spikes", "v", "w"]
    default_initial_values = {"v": -70.6, "w": 0.0}
    units = _units(_EIF_UNITS, *default_parameters, "spikes", "v", "w")
    descriptions = _described(_EIF_DESCRIPTIONS, *units)
    receptor_types = ()
    relations = _EIF_RELATIONS
    parameter_checks = _EIF_CHECKS


class CurrExpPostSynapticResponse(StandardPostSynapticResponse):
    """Current-based receptor: each spike adds the weight (nA) to a current that decays
    exponentially with time constant `tau_syn`.
    """

    default_parameters = {"tau_syn": 5.0}
    recordable = ["isyn"]
    default_initial_values = {"isyn": 0.0}
    units = {"tau_syn": "ms", "isyn": "nA"}
    descriptions = {"tau_syn": "decay time constant of the synaptic current", "isyn": "synaptic current"}
    conductance_based = False


class CondExpPostSynapticResponse(StandardPostSynapticResponse):
    """Conductance-based receptor with reversal potential `e_syn`: each spike adds the
    weight (uS) to a conductance that decays exponentially with time constant `tau_syn`.
    """

    default_parameters = {"e_syn": 0.0, "tau_syn": 5.0}
    recordable = ["gsyn"]
    default_initial_values = {"gsyn": 0.0}
    units = {"e_syn": "mV", "tau_syn": "ms", "gsyn": "uS"}
    descriptions = {"e_syn": "reversal potential of the receptor",
                    "tau_syn": "decay time constant of the synaptic conductance", "gsyn": "synaptic conductance"}
    conductance_based = True


class CondAlphaPostSynapticResponse(StandardPostSynapticResponse):
    """Conductance-based receptor with reversal potential `e_syn` whose conductance after
    a spike is an alpha function peaking at the weight (uS) after `tau_syn`.
    """

    default_parameters = {"e_syn": 0.0, "tau_syn": 5.0}
    recordable = ["gsyn"]
    default_initial_values = {"gsyn": 0.0}
    units = {"e_syn": "mV", "tau_syn": "ms", "gsyn": "uS"}
    descriptions = {"e_syn": "reversal potential of the receptor",
                    "tau_syn": "time to peak of the synaptic conductance (alpha function)",
                    "gsyn": "synaptic conductance"}
    conductance_based = True


class CondBetaPostSynapticResponse(StandardPostSynapticResponse):
    """Conductance-based receptor with reversal potential `e_syn` whose conductance after
    a spike is a difference of exponentials (rise `tau_rise`, decay `tau_decay`) with a
    peak equal to the weight (uS).
    """

    default_parameters = {"e_syn": 0.0, "tau_rise": 0.2, "tau_decay": 1.7}
    recordable = ["gsyn"]
    default_initial_values = {"gsyn": 0.0}
    units = {"e_syn": "mV", "tau_rise": "ms", "tau_decay": "ms", "gsyn": "uS"}
    descriptions = {"e_syn": "reversal potential of the receptor",
                    "tau_rise": "rise time constant of the synaptic conductance",
                    "tau_decay": "decay time constant of the synaptic conductance",
                    "gsyn": "synaptic conductance"}
    conductance_based = True


ExpPSR = CondExpPostSynapticResponse
AlphaPSR = CondAlphaPostSynapticResponse
BetaPSR = CondBetaPostSynapticResponse


def _rebuild_point_neuron(cls, neuron, receptors):
    return cls(neuron, **receptors)


class PointNeuron(StandardCellType):
    """Single-compartment neuron assembled from a membrane component (e.g. :class:`LIF`,
    :class:`AdExp`) and any number of named receptors (post-synaptic responses).

    Parameters
    ----------
    neuron : StandardCellTypeComponent
        The membrane model instance.
    **post_synaptic_receptors : StandardPostSynapticResponse
        Receptor instances by name, e.g. ``AMPA=AlphaPSR(tau_syn=1.5)``. The names become
        the receptor types of the cell and prefix the receptor parameters and variables
        (``'AMPA.tau_syn'``, ``'AMPA.gsyn'``).

    Notes
    -----
    Receptors must be all conductance-based or all current-based. Each instance gets a
    private subclass (see :func:`assemble_type`) whose class attributes describe the
    assembled cell: flat ``default_parameters`` ('AMPA.tau_syn'), ``recordable``,
    ``units``, ``receptor_types``... The parameter space holds the neuron values plus one
    nested space per receptor. Translation to a simulator is done by each backend from the
    ``neuron`` and ``post_synaptic_receptors`` attributes.
    """

    translations = {}
    receptor_types = ()
    #: class of the neuron component and of each receptor, set per instance
    neuron_type = None
    receptor_classes = {}

    def __init__(self, neuron, **post_synaptic_receptors):
        if not isinstance(neuron, StandardCellTypeComponent):
            raise errors.InvalidTypeError(
                f"PointNeuron needs a neuron component instance such as LIF() or AdExp() as its "
                f"first argument, not {neuron!r}")
        for name, psr in post_synaptic_receptors.items():
            if not isinstance(psr, StandardPostSynapticResponse):
                raise errors.InvalidTypeError(
                    f"PointNeuron receptor '{name}' must be a post-synaptic response instance "
                    f"such as CondAlphaPostSynapticResponse(), not {psr!r}")
            if name in neuron.default_parameters or name in neuron.default_initial_values:
                raise errors.InvalidParameterValueError(
                    f"PointNeuron receptor name '{name}' clashes with a parameter or variable of "
                    f"{type(neuron).__name__}; choose another receptor name")
        kinds = {bool(psr.conductance_based) for psr in post_synaptic_receptors.values()}
        if len(kinds) > 1:
            cond = sorted(n for n, p in post_synaptic_receptors.items() if p.conductance_based)
            curr = sorted(n for n, p in post_synaptic_receptors.items() if not p.conductance_based)
            raise errors.InvalidModelError(
                f"PointNeuron cannot mix conductance-based receptors ({', '.join(cond)}) with "
                f"current-based receptors ({', '.join(curr)}); use one kind for all receptors")
        self.neuron = neuron
        # the order the user gave (keyword order), as PyNN reports receptor_types
        self.post_synaptic_receptors = dict(post_synaptic_receptors)

        recordable = list(neuron.recordable)
        initial = dict(neuron.default_initial_values)
        units = dict(neuron.units)
        descriptions = dict(neuron.descriptions)
        defaults = dict(neuron.default_parameters)
        for name, psr in self.post_synaptic_receptors.items():
            recordable.extend(f"{name}.{var}" for var in psr.recordable)
            initial.update({f"{name}.{var}": value for var, value in psr.default_initial_values.items()})
            units.update({f"{name}.{key}": unit for key, unit in psr.units.items()})
            descriptions.update({f"{name}.{key}": f"receptor '{name}': {text}"
                                 for key, text in psr.descriptions.items()})
            defaults.update({f"{name}.{key}": value for key, value in psr.default_parameters.items()})
        base = assemble_type(
            self,
            neuron_type=type(neuron),
            receptor_classes={name: type(psr) for name, psr in self.post_synaptic_receptors.items()},
            conductance_based=kinds.pop() if kinds else False,
            receptor_types=tuple(self.post_synaptic_receptors),
            voltage_based_synapses=False,
            recordable=recordable,
            default_initial_values=initial,
            units=units,
            descriptions=descriptions,
            default_parameters=defaults,  # flat names, e.g. 'AMPA.tau_syn'
        )

        self.parameter_space = ParameterSpace({}, schema=self.get_schema(), shape=None, component=base)
        ps = neuron.parameter_space
        self.parameter_space.update(**{key: ps[key] for key in tuple(ps.keys())})
        for name, psr in self.post_synaptic_receptors.items():
            self.parameter_space.update(**{name: psr.parameter_space.copy()})

    def receptor_sign(self, receptor_type):
        """Sign given to weight magnitudes arriving at `receptor_type`.

        As on the standard current-based cells, a current receptor named 'inhibitory'
        makes its input hyperpolarizing (-1); every other receptor, and every
        conductance-based one, takes the magnitude as it is (+1).
        """
        psr = self.post_synaptic_receptors.get(receptor_type)
        return -1.0 if (receptor_type == "inhibitory" and psr is not None and not psr.conductance_based) else 1.0

    def __reduce__(self):
        return (_rebuild_point_neuron,
                (type(self)._assembled_from, self.neuron, self.post_synaptic_receptors),
                self.__dict__)

    def __repr__(self):
        receptors = ", ".join(f"{n}={type(p).__name__}(...)" for n, p in self.post_synaptic_receptors.items())
        return f"PointNeuron({type(self.neuron).__name__}(...), {receptors})"

    @classmethod
    def get_schema(cls):
        """Neuron parameter types, plus one nested schema per receptor name."""
        if cls.neuron_type is None:
            return {}
        schema = cls.neuron_type.get_schema()
        for name, psr_class in cls.receptor_classes.items():
            schema[name] = psr_class.get_schema()
        return schema

    @classmethod
    def split_name(cls, name):
        """'AMPA.tau_syn' -> ('AMPA', 'tau_syn'); a neuron name -> (None, name)."""
        receptor, sep, rest = name.partition(".")
        if sep and receptor in cls.receptor_classes:
            return receptor, rest
        return None, name

    @classmethod
    def check_values(cls, std_values, owner_label):
        """Range-check neuron values, and receptor values given either nested
        (``{'AMPA': {...}}``) or flat (``{'AMPA.tau_syn': ...}``)."""
        neuron_values = {}
        receptor_values = {name: {} for name in cls.receptor_classes}
        for key, value in std_values.items():
            if key in receptor_values and isinstance(value, dict):
                receptor_values[key].update(value)
                continue
            receptor, name = cls.split_name(key)
            if receptor is None:
                neuron_values[name] = value
            else:
                receptor_values[receptor][name] = value
        if cls.neuron_type is not None:
            cls.neuron_type.check_values(neuron_values, owner_label)
        for receptor, values in receptor_values.items():
            if values:
                cls.receptor_classes[receptor].check_values(values, f"{owner_label}, receptor '{receptor}'")


#: cell types of this module that users instantiate directly
__all__ = [
    "LIF",
    "AdExp",
    "AlphaPSR",
    "BetaPSR",
    "CondAlphaPostSynapticResponse",
    "CondBetaPostSynapticResponse",
    "CondExpPostSynapticResponse",
    "CurrExpPostSynapticResponse",
    "EIF_cond_alpha_isfa_ista",
    "EIF_cond_exp_isfa_ista",
    "ExpPSR",
    "GIF_cond_exp",
    "HH_cond_exp",
    "IF_cond_alpha",
    "IF_cond_exp",
    "IF_cond_exp_gsfa_grr",
    "IF_curr_alpha",
    "IF_curr_delta",
    "IF_curr_exp",
    "IF_facets_hardware1",
    "Izhikevich",
    "PointNeuron",
    "SpikeSourceArray",
    "SpikeSourceGamma",
    "SpikeSourceInhGamma",
    "SpikeSourcePoisson",
    "SpikeSourcePoissonRefractory",
]

#: every standard cell type (the PointNeuron components and PointNeuron itself aside), in the
#: order of the documentation; backends provide a class of the same name for each
STANDARD_CELL_TYPES = (
    IF_curr_alpha, IF_curr_exp, IF_curr_delta, IF_cond_alpha, IF_cond_exp, IF_cond_exp_gsfa_grr,
    IF_facets_hardware1, HH_cond_exp, EIF_cond_alpha_isfa_ista, EIF_cond_exp_isfa_ista, Izhikevich,
    GIF_cond_exp, SpikeSourcePoisson, SpikeSourcePoissonRefractory, SpikeSourceGamma,
    SpikeSourceInhGamma, SpikeSourceArray,
)
