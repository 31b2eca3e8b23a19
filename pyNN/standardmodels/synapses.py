"""Standard synapse types: static, short-term plastic, stochastic, electrical and STDP.

Weights are in nA for current-based and in uS for conductance-based post-synaptic cells
(in mV for the voltage-jump cells IF_curr_delta and Izhikevich); the unit is therefore
decided by the post-synaptic cell type, which is why ``units['weight']`` is only a note.
Delays are in ms; ``delay=None`` means "the simulator's minimum delay".
"""

import numpy as np

from pyNN import errors
from pyNN.standardmodels import StandardModelType, StandardSynapseType
from pyNN.standardmodels.cells import ValueChecksMixin, assemble_type

_WEIGHT_UNIT = "nA or uS"  # set by the post-synaptic cell type (mV for voltage-jump cells)
_WEIGHT_TEXT = ("synaptic weight: nA onto current-based, uS onto conductance-based and mV onto "
                "voltage-jump cells (IF_curr_delta, Izhikevich)")
_DELAY_TEXT = "transmission delay (None: the simulator's minimum delay)"
_STP_TEXT = {
    "weight": _WEIGHT_TEXT, "delay": _DELAY_TEXT,
    "U": "utilisation of the synaptic resources by a spike (release probability)",
    "tau_rec": "recovery time constant of the synaptic resources (depression)",
    "tau_facil": "time constant with which the utilisation relaxes back to U (facilitation; 0: none)",
}


def _fraction(v):
    return (v >= 0) & (v <= 1)


def _non_negative(v):
    return v >= 0


class StaticSynapse(StandardSynapseType):
    """Synapse whose weight and delay never change."""

    default_parameters = {"weight": 0.0, "delay": None}
    units = {"weight": _WEIGHT_UNIT, "delay": "ms"}
    descriptions = {"weight": _WEIGHT_TEXT, "delay": _DELAY_TEXT}


class ElectricalSynapse(StandardSynapseType):
    """Gap junction: a symmetric conductance (uS) between two cells, with no delay."""

    default_parameters = {"weight": 0.0}
    units = {"weight": "uS"}
    descriptions = {"weight": "conductance of the gap junction"}
    parameter_checks = (("weight", _non_negative, "must be >= 0 uS"),)


class TsodyksMarkramSynapse(StandardSynapseType):
    """Synapse with short-term depression and facilitation (Tsodyks & Markram 1997):
    each spike uses a fraction `u` of the available resources, which recover with
    `tau_rec`; `u` relaxes towards `U` with `tau_facil`.
    """

    default_parameters = {"weight": 0.0, "delay": None, "U": 0.5, "tau_rec": 100.0, "tau_facil": 0.0}
    #: the state each connection starts from (doc/behaviour.md, "Short-term plasticity");
    #: Projection.initialize() changes it
    default_initial_values = {"u": 0.0, "x": 1.0, "y": 0.0}
    units = {"weight": _WEIGHT_UNIT, "delay": "ms", "U": "dimensionless", "tau_rec": "ms",
             "tau_facil": "ms", "u": "dimensionless", "x": "dimensionless", "y": "dimensionless"}
    descriptions = dict(_STP_TEXT, u="current utilisation: the fraction of the available resources the next "
                                     "spike releases",
                        x="fraction of the resources available for release",
                        y="fraction of the resources active (released, decaying with the target's tau_syn)")
    #: recordable with Projection.record(): utilisation, available and active resources,
    #: as they stand after the last spike (doc/behaviour.md, "Short-term plasticity")
    state_variables = ("u", "x", "y")
    parameter_checks = (
        *StandardSynapseType.parameter_checks,
        ("U", _fraction, "must be between 0 and 1"),
    )
    #: checks of Projection.initialize() (pyNN.common.synapse_state)
    initial_value_checks = tuple((name, _fraction, "must be between 0 and 1") for name in ("u", "x", "y"))
    initial_value_relations = ((("x", "y"), lambda x, y: x + y <= 1.0 + 1e-12,
                                "the available and active fractions x + y must not exceed 1 (the rest, "
                                "1 - x - y, is recovering)"),)


class SimpleStochasticSynapse(StandardSynapseType):
    """Synapse that transmits each spike with probability `p`, independently."""

    default_parameters = {"weight": 0.0, "delay": None, "p": 0.5}
    units = {"weight": _WEIGHT_UNIT, "delay": "ms", "p": "dimensionless"}
    descriptions = {"weight": _WEIGHT_TEXT, "delay": _DELAY_TEXT,
                    "p": "probability that a pre-synaptic spike is transmitted"}
    parameter_checks = (
        *StandardSynapseType.parameter_checks,
        ("p", _fraction, "must be a probability between 0 and 1"),
    )


class StochasticTsodyksMarkramSynapse(StandardSynapseType):
    """Single-release-site version of the Tsodyks-Markram synapse: the site releases with
    probability `u` when it is occupied, and refills stochastically with time constant
    `tau_rec`.
    """

    default_parameters = {"weight": 0.0, "delay": None, "U": 0.5, "tau_rec": 100.0, "tau_facil": 0.0}
    units = {"weight": _WEIGHT_UNIT, "delay": "ms", "U": "dimensionless", "tau_rec": "ms",
             "tau_facil": "ms"}
    descriptions = dict(_STP_TEXT, U="release probability of the occupied site",
                        tau_rec="time constant with which the empty site refills")
    parameter_checks = (
        *StandardSynapseType.parameter_checks,
        ("U", _fraction, "must be between 0 and 1"),
    )
    #: state that starts at a parameter's value: the site available, utilisation ``u`` = `U`
    start_state_from = {"u": "U"}


class MultiQuantalSynapse(StandardSynapseType):
    """Stochastic short-term plasticity with `n` release sites (Fuhrmann et al. 2002):
    each occupied site releases with probability `u`; empty sites refill with
    time constant `tau_rec`.
    """

    default_parameters = {"weight": 0.0, "delay": None, "U": 0.5, "n": 1, "tau_rec": 800.0,
                          "tau_facil": 0.0}
    units = {"weight": _WEIGHT_UNIT, "delay": "ms", "U": "dimensionless", "n": "dimensionless",
             "tau_rec": "ms", "tau_facil": "ms"}
    descriptions = dict(_STP_TEXT, U="release probability of each occupied site",
                        n="number of release sites",
                        tau_rec="time constant with which empty sites refill")
    parameter_checks = (
        *StandardSynapseType.parameter_checks,
        ("U", _fraction, "must be between 0 and 1"),
        ("n", lambda v: (v >= 1) & (v == np.round(v)), "must be an integer >= 1"),
    )
    #: state that starts at a parameter's value: all `n` sites available (``a``), and
    #: utilisation ``u`` = `U` (NEST's quantal_stp_synapse names); Projection.initialize
    #: takes these start values only
    start_state_from = {"a": "n", "u": "U"}


# ---------------------------------------------------------------------------------------------
# Spike-timing-dependent plasticity
# ---------------------------------------------------------------------------------------------

class _STDPComponent(StandardModelType):
    """A part of an STDPMechanism. Its parameters may also be given by position, in the
    order of ``default_parameters`` (PyNN 0.13's order, e.g. ``SpikePairRule(20.0, 20.0,
    0.01, 0.012)``)."""

    units = {}

    def __init__(self, *args, **parameters):
        names = list(self.default_parameters)
        if len(args) > len(names):
            raise errors.InvalidTypeError(
                f"{type(self).__name__}() takes at most {len(names)} positional parameters "
                f"({', '.join(names)}), {len(args)} were given")
        for name, value in zip(names, args):
            if name in parameters:
                raise errors.InvalidTypeError(
                    f"{type(self).__name__}() got two values for parameter '{name}' (by position and by name)")
            parameters[name] = value
        super().__init__(**parameters)


class STDPWeightDependence(_STDPComponent):
    """Base class of the rules that set how the size of a weight change depends on the
    current weight."""


class STDPTimingDependence(_STDPComponent):
    """Base class of the rules that set how a weight change depends on the relative timing
    of pre- and post-synaptic spikes."""


class STDPVoltageDependence(_STDPComponent):
    """Base class of rules that make weight changes depend on the post-synaptic voltage."""

    units = {}


_BOUNDS_UNITS = {"w_min": _WEIGHT_UNIT, "w_max": _WEIGHT_UNIT}
_BOUNDS_TEXT = {"w_min": "lower bound of the weight", "w_max": "upper bound of the weight"}


class _BoundedWeightDependence(ValueChecksMixin, STDPWeightDependence):
    cross_checks = (
        (("w_min", "w_max"), lambda lo, hi: np.all(np.asarray(lo) <= np.asarray(hi)),
         "w_min must not exceed w_max"),
    )


class AdditiveWeightDependence(_BoundedWeightDependence):
    """Weight changes of fixed size (not scaled by the weight), with the weight clipped to
    [`w_min`, `w_max`]."""

    default_parameters = {"w_min": 0.0, "w_max": 1.0}
    units = dict(_BOUNDS_UNITS)
    descriptions = dict(_BOUNDS_TEXT)


class MultiplicativeWeightDependence(_BoundedWeightDependence):
    """Potentiation scaled by the distance to `w_max` and depression by the distance to
    `w_min`, so weights approach the bounds softly."""

    default_parameters = {"w_min": 0.0, "w_max": 1.0}
    units = dict(_BOUNDS_UNITS)
    descriptions = dict(_BOUNDS_TEXT)


class AdditivePotentiationMultiplicativeDepression(_BoundedWeightDependence):
    """Potentiation of fixed size (clipped at `w_max`), depression proportional to the
    distance to `w_min`."""

    default_parameters = {"w_min": 0.0, "w_max": 1.0}
    units = dict(_BOUNDS_UNITS)
    descriptions = dict(_BOUNDS_TEXT)


class GutigWeightDependence(_BoundedWeightDependence):
    """Power-law soft bounds (Guetig et al. 2003): potentiation scales with
    (w_max - w)^mu_plus and depression with (w - w_min)^mu_minus."""

    default_parameters = {"w_min": 0.0, "w_max": 1.0, "mu_plus": 0.5, "mu_minus": 0.5}
    units = dict(_BOUNDS_UNITS, mu_plus="dimensionless", mu_minus="dimensionless")
    descriptions = dict(_BOUNDS_TEXT, mu_plus="exponent of the soft bound of potentiation (0: additive)",
                        mu_minus="exponent of the soft bound of depression (0: additive)")
    parameter_checks = (
        ("mu_plus", _non_negative, "must be >= 0"),
        ("mu_minus", _non_negative, "must be >= 0"),
    )


class SpikePairRule(STDPTimingDependence):
    """Pair-based STDP with all-to-all pairing: a pre-before-post pair potentiates by
    A_plus*exp(-dt/tau_plus), a post-before-pre pair depresses by A_minus*exp(-dt/tau_minus),
    both relative to w_max - w_min and scaled by the weight dependence (see
    doc/behaviour.md for the exact algorithm)."""

    default_parameters = {"tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.01, "A_minus": 0.01}
    #: time constants of the post-synaptic trace (see STDPMechanism.post_trace_parameters)
    post_trace_parameters = ("tau_minus",)
    units = {"tau_plus": "ms", "tau_minus": "ms", "A_plus": "dimensionless", "A_minus": "dimensionless"}
    descriptions = {"tau_plus": "time constant of the potentiation window (pre before post)",
                    "tau_minus": "time constant of the depression window (post before pre)",
                    "A_plus": "amplitude of potentiation, relative to the weight range",
                    "A_minus": "amplitude of depression, relative to the weight range"}
    parameter_checks = (
        ("A_plus", _non_negative, "must be >= 0"),
        ("A_minus", _non_negative, "must be >= 0"),
    )


class Vogels2011Rule(STDPTimingDependence):
    """Inhibitory STDP (Vogels et al. 2011): near-coincident spikes potentiate, each
    pre-synaptic spike depresses by a constant, driving the post-synaptic rate towards
    `rho`.

    `eta` is a weight (nA or uS, as the connection's weight), as in NEST's
    ``vogels_sprekeler_synapse``: a post spike adds eta*K_pre, a pre spike adds eta*K_post
    and then removes 2*rho*tau/1000*eta (see doc/behaviour.md). Only the additive weight
    dependence applies.
    """

    default_parameters = {"tau": 20.0, "eta": 1e-10, "rho": 3.0}
    post_trace_parameters = ("tau",)
    units = {"tau": "ms", "eta": _WEIGHT_UNIT, "rho": "Hz"}
    descriptions = {"tau": "time constant of the symmetric timing window",
                    "eta": "learning rate, in weight units (as NEST's vogels_sprekeler_synapse)",
                    "rho": "target firing rate of the post-synaptic cell"}
    parameter_checks = (
        ("eta", _non_negative, "must be >= 0"),
        ("rho", _non_negative, "must be >= 0 Hz"),
    )


def _rebuild_stdp(cls, components):
    return cls(**components)


class STDPMechanism(StandardSynapseType):
    """A plastic synapse assembled from a timing dependence, a weight dependence and
    (optionally) a voltage dependence.

    Parameters
    ----------
    timing_dependence : STDPTimingDependence, optional
    weight_dependence : STDPWeightDependence, optional
    voltage_dependence : STDPVoltageDependence, optional
    dendritic_delay_fraction : float
        Part of the delay that is dendritic (1.0: all of it), which decides when the
        pre-synaptic spike is seen by the learning rule.
    weight, delay
        As for :class:`StaticSynapse`.

    Notes
    -----
    The parameter names are ``weight``, ``delay``, ``dendritic_delay_fraction`` plus those
    of the components. Each instance gets a private subclass (see
    :func:`~pyNN.standardmodels.cells.assemble_type`) whose ``default_parameters``,
    ``units``, ``translations`` and ``extra_parameters`` merge the mechanism's own with the
    components'; a backend subclass sets ``base_translations`` for the own parameters.
    """

    default_parameters = {"weight": 0.0, "delay": None, "dendritic_delay_fraction": 1.0}
    units = {"weight": _WEIGHT_UNIT, "delay": "ms", "dendritic_delay_fraction": "dimensionless"}
    descriptions = {"weight": _WEIGHT_TEXT, "delay": _DELAY_TEXT,
                    "dendritic_delay_fraction": "part of the delay that is dendritic, which sets when the "
                                                "learning rule sees the pre-synaptic spike (1: all of it)"}
    parameter_checks = (
        *StandardSynapseType.parameter_checks,
        ("dendritic_delay_fraction", _fraction, "must be between 0 and 1"),
    )
    base_translations = {}
    translations = {}
    #: names of the mechanism's own parameters (the rest belong to the components)
    own_parameters = ("weight", "delay", "dendritic_delay_fraction")
    #: classes of the components, set per instance
    component_types = ()

    def __init__(self, timing_dependence=None, weight_dependence=None, voltage_dependence=None,
                 dendritic_delay_fraction=1.0, weight=0.0, delay=None):
        for arg, expected, label in ((timing_dependence, STDPTimingDependence, "timing_dependence"),
                                     (weight_dependence, STDPWeightDependence, "weight_dependence"),
                                     (voltage_dependence, STDPVoltageDependence, "voltage_dependence")):
            if arg is not None and not isinstance(arg, expected):
                raise errors.InvalidTypeError(f"STDPMechanism: {label} must be an instance of a "
                                              f"{expected.__name__} subclass, not {arg!r}")
        self.timing_dependence = timing_dependence
        self.weight_dependence = weight_dependence
        self.voltage_dependence = voltage_dependence

        cls = getattr(type(self), "_assembled_from", None) or type(self)
        defaults = {name: cls.default_parameters[name] for name in cls.own_parameters}
        units = {name: cls.units[name] for name in cls.own_parameters}
        descriptions = {name: cls.descriptions[name] for name in cls.own_parameters}
        translations = dict(cls.base_translations)
        extra = dict(cls.extra_parameters)
        for component in self.components:
            clash = set(component.default_parameters) & set(defaults)
            if clash:
                raise errors.InvalidModelError(
                    f"STDPMechanism: parameter name(s) {sorted(clash)} of {type(component).__name__} "
                    f"are already used by another part of the mechanism; give the parts distinct "
                    f"parameter names")
            defaults.update(component.default_parameters)
            units.update(component.units)
            descriptions.update(component.descriptions)
            translations.update(component.translations)
            extra.update(component.extra_parameters)
        base = assemble_type(self, default_parameters=defaults, units=units, descriptions=descriptions,
                             translations=translations,
                             extra_parameters=extra,
                             component_types=tuple(type(c) for c in self.components))
        super().__init__(weight=weight, delay=delay, dendritic_delay_fraction=dendritic_delay_fraction)
        self.parameter_space.component = base
        for component in self.components:
            ps = component.parameter_space
            self.parameter_space.update(**{key: ps[key] for key in tuple(ps.keys())})

    @property
    def components(self):
        """The timing, weight and voltage dependences that are present."""
        return [c for c in (self.timing_dependence, self.weight_dependence, self.voltage_dependence)
                if c is not None]

    @property
    def plastic(self):
        """True: the synapse weights change with spike timing."""
        return True

    #: why `parameters_fixed_after_run` cannot change once the simulation has run
    fixed_after_run_reason = ("they set the decay of the post-synaptic STDP trace, which already holds "
                              "spikes (NEST would apply a new value to part of the past)")

    @property
    def parameters_fixed_after_run(self):
        """Parameters Projection.set() refuses between runs (allowed again after reset())."""
        return self.post_trace_parameters

    @property
    def post_trace_parameters(self):
        """Parameters that set how the post-synaptic trace decays. Changing them once the
        traces hold spikes has no single meaning (NEST applies the new time constant to the
        decay since each cell's last spike, so to part of the past), so Projection.set()
        refuses it between runs; after reset() it is allowed."""
        return tuple(name for c in self.components for name in getattr(c, "post_trace_parameters", ()))

    def __reduce__(self):
        components = {"timing_dependence": self.timing_dependence,
                      "weight_dependence": self.weight_dependence,
                      "voltage_dependence": self.voltage_dependence}
        return (_rebuild_stdp, (type(self)._assembled_from, components), self.__dict__)

    def __repr__(self):
        parts = ", ".join(f"{type(c).__name__}(...)" for c in self.components)
        return f"{type(self).__name__}({parts})"

    @classmethod
    def check_values(cls, std_values, owner_label):
        """Range-check the mechanism's own parameters and those of each component."""
        own = {k: v for k, v in std_values.items() if k in cls.own_parameters}
        super().check_values(own, owner_label)
        for component_type in cls.component_types:
            values = {k: v for k, v in std_values.items() if k in component_type.default_parameters}
            if values:
                component_type.check_values(values, owner_label)


__all__ = [
    "AdditivePotentiationMultiplicativeDepression", "AdditiveWeightDependence", "ElectricalSynapse",
    "GutigWeightDependence", "MultiQuantalSynapse", "MultiplicativeWeightDependence", "STDPMechanism",
    "STDPTimingDependence", "STDPVoltageDependence", "STDPWeightDependence", "SimpleStochasticSynapse",
    "SpikePairRule", "StaticSynapse", "StochasticTsodyksMarkramSynapse", "TsodyksMarkramSynapse",
    "Vogels2011Rule",
]

#: the synapse types every backend exports (the STDP component base classes are not types)
BACKEND_NAMES = [name for name in __all__ if not name.startswith("STDP") or name == "STDPMechanism"]


#: every standard synapse type apart from STDPMechanism (assembled from components)
STANDARD_SYNAPSE_TYPES = (StaticSynapse, TsodyksMarkramSynapse, SimpleStochasticSynapse,
                          StochasticTsodyksMarkramSynapse, MultiQuantalSynapse, ElectricalSynapse)
