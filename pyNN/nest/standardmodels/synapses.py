"""NEST 3.10 translation tables for the standard synapse types.

Each class adds ``native_name`` (a NEST synapse model, or None with a ``missing_reason``)
and ``translations``. Weights are translated by name only: the backend multiplies them by
the post-synaptic cell type's ``weight_scale`` (and negates inhibitory ones where the cell
type has ``sign_selects_receptor``). Other attributes:

``variable_map``
    standard synaptic state variable (initial value) -> NEST connection property.
``native_state_from``
    NEST state -> NEST parameter whose value it must start from after connecting.
``needs_tau_psc``
    the NEST model needs ``tau_psc`` = the post-synaptic current time constant of the
    target receptor (tau_syn_E or tau_syn_I of the post cell).
``postsynaptic_translations``
    learning-rule parameters that NEST keeps on the post-synaptic neuron (``tau_minus``),
    which must then be homogeneous over the post-synaptic population.
"""

import numpy as np

from pyNN.nest.standardmodels.cells import as_integer
from pyNN.standardmodels import build_translations, synapses


class NestSynapseTypeMixin:
    """Defaults of the NEST-specific attributes of a synapse type."""

    variable_map = {}
    native_state_from = {}
    needs_tau_psc = False
    postsynaptic_translations = {}


_WEIGHT_DELAY = (("weight", "weight"), ("delay", "delay"))


class StaticSynapse(NestSynapseTypeMixin, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    native_name = "static_synapse"
    translations = build_translations(*_WEIGHT_DELAY)


class ElectricalSynapse(NestSynapseTypeMixin, synapses.ElectricalSynapse):
    __doc__ = synapses.ElectricalSynapse.__doc__
    missing_reason = ("NEST's gap_junction connects only neuron models built for gap junctions "
                      "(e.g. hh_psc_alpha_gap); none of the standard cell types maps to one")
    translations = {}


class TsodyksMarkramSynapse(NestSynapseTypeMixin, synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    native_name = "tsodyks_synapse"
    translations = build_translations(
        *_WEIGHT_DELAY,
        ("U", "U"),
        ("tau_rec", "tau_rec"),
        ("tau_facil", "tau_fac"),
    )
    variable_map = {"u": "u"}
    needs_tau_psc = True


class SimpleStochasticSynapse(NestSynapseTypeMixin, synapses.SimpleStochasticSynapse):
    __doc__ = synapses.SimpleStochasticSynapse.__doc__
    native_name = "bernoulli_synapse"
    translations = build_translations(*_WEIGHT_DELAY, ("p", "p_transmit"))


class StochasticTsodyksMarkramSynapse(NestSynapseTypeMixin, synapses.StochasticTsodyksMarkramSynapse):
    __doc__ = synapses.StochasticTsodyksMarkramSynapse.__doc__
    # the algorithm of doc/behaviour.md ("Stochastic synapses") is quantal_stp_synapse's with
    # one release site (PyNN 0.13 uses stochastic_stp_synapse of its NEST extension instead)
    native_name = "quantal_stp_synapse"
    native_description = "quantal_stp_synapse with n = 1"
    translations = build_translations(
        *_WEIGHT_DELAY,
        ("U", "U"),
        ("tau_rec", "tau_rec"),
        ("tau_facil", "tau_fac"),
    )
    extra_parameters = {"n": 1}
    # the site starts available; quantal_stp_synapse uses u unchanged at the first spike
    native_state_from = {"a": "n", "u": "U"}


class MultiQuantalSynapse(NestSynapseTypeMixin, synapses.MultiQuantalSynapse):
    __doc__ = synapses.MultiQuantalSynapse.__doc__
    native_name = "quantal_stp_synapse"
    translations = build_translations(
        *_WEIGHT_DELAY,
        ("U", "U"),
        ("n", "n", as_integer("n"), as_integer("n")),
        ("tau_rec", "tau_rec"),
        ("tau_facil", "tau_fac"),
    )
    # all sites start available; quantal_stp_synapse uses u unchanged at the first spike, so
    # u = U there is the first release probability of doc/behaviour.md
    native_state_from = {"a": "n", "u": "U"}


# --- STDP ------------------------------------------------------------------------------------------
# The algorithm is the one of doc/behaviour.md, which is NEST's. Parameters in weight units
# (Wmax, and Vogels2011Rule's eta) are translated by name only: the projection multiplies them
# by the post-synaptic cell type's weight_scale, as it does the weights.

class _NestSTDPComponent(NestSynapseTypeMixin):
    native_name = "stdp_synapse"
    translations = {}


_W_MIN_ZERO = (("w_min", lambda v: v == 0,
                "must be 0 on NEST (stdp_synapse and vogels_sprekeler_synapse have no lower bound)"),)
_WMAX = (("w_max", "Wmax"),)


class AdditiveWeightDependence(_NestSTDPComponent, synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = build_translations(*_WMAX)
    extra_parameters = {"mu_plus": 0.0, "mu_minus": 0.0}
    parameter_checks = _W_MIN_ZERO


class MultiplicativeWeightDependence(_NestSTDPComponent, synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = build_translations(*_WMAX)
    extra_parameters = {"mu_plus": 1.0, "mu_minus": 1.0}
    parameter_checks = _W_MIN_ZERO


class AdditivePotentiationMultiplicativeDepression(
        _NestSTDPComponent, synapses.AdditivePotentiationMultiplicativeDepression):
    __doc__ = synapses.AdditivePotentiationMultiplicativeDepression.__doc__
    translations = build_translations(*_WMAX)
    extra_parameters = {"mu_plus": 0.0, "mu_minus": 1.0}
    parameter_checks = _W_MIN_ZERO


class GutigWeightDependence(_NestSTDPComponent, synapses.GutigWeightDependence):
    __doc__ = synapses.GutigWeightDependence.__doc__
    translations = build_translations(*_WMAX, ("mu_plus", "mu_plus"), ("mu_minus", "mu_minus"))
    parameter_checks = (*synapses.GutigWeightDependence.parameter_checks, *_W_MIN_ZERO)


#: tau_plus given to NEST for a depression-only rule (A_plus = 0): the pre-synaptic trace is
#: then exactly 0 one step after each pre spike, so stdp_synapse never potentiates
_NO_POTENTIATION_TAU = 1e-300


def _pair_arrays(values, *names):
    """A_plus and A_minus (then `names`) as broadcast arrays, and where the rule is
    depression-only (A_plus = 0 < A_minus)."""
    arrays = np.broadcast_arrays(*(np.asarray(values[name], dtype=float) for name in ("A_plus", "A_minus", *names)))
    return (*arrays, (arrays[0] == 0) & (arrays[1] > 0))


def _scalar_if_0d(out):
    return float(out) if out.ndim == 0 else out


def _lambda(values):
    """stdp_synapse's lambda: the potentiation step (A_minus for a depression-only rule)."""
    a_plus, a_minus, depression_only = _pair_arrays(values)
    return _scalar_if_0d(np.where(depression_only, a_minus, a_plus))


def _alpha(values):
    """alpha = A_minus / A_plus (1 for a depression-only rule, 0 where both are 0)."""
    a_plus, a_minus, depression_only = _pair_arrays(values)
    out = np.zeros(a_plus.shape)
    np.divide(a_minus, a_plus, out=out, where=a_plus != 0)
    return _scalar_if_0d(np.where(depression_only, 1.0, out))


def _tau_plus(values):
    _, _, tau_plus, depression_only = _pair_arrays(values, "tau_plus")
    return _scalar_if_0d(np.where(depression_only, _NO_POTENTIATION_TAU, tau_plus))


class SpikePairRule(_NestSTDPComponent, synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    # stdp_synapse: lambda is the potentiation step, alpha the depression/potentiation ratio
    translations = build_translations(
        ("tau_plus", "tau_plus", _tau_plus, "tau_plus"),
        ("A_plus", "lambda", _lambda, lambda native: native["lambda"] * (native["tau_plus"] > 1e-200)),
        ("A_minus", "alpha", _alpha, lambda native: native["alpha"] * native["lambda"]),
    )
    postsynaptic_translations = build_translations(("tau_minus", "tau_minus"))


def _vogels_alpha(values):
    """vogels_sprekeler_synapse's alpha = 2 rho tau (rho in Hz, tau in ms)."""
    return 2.0 * np.asarray(values["rho"], dtype=float) * np.asarray(values["tau"], dtype=float) / 1000.0


class Vogels2011Rule(_NestSTDPComponent, synapses.Vogels2011Rule):
    __doc__ = synapses.Vogels2011Rule.__doc__
    native_name = "vogels_sprekeler_synapse"
    translations = build_translations(
        ("tau", "tau"),
        ("eta", "eta"),  # a weight: scaled by the projection
        ("rho", "alpha", _vogels_alpha, lambda native: native["alpha"] * 1000.0 / (2.0 * native["tau"])),
    )
    # the post-synaptic trace of vogels_sprekeler_synapse decays with the neuron's tau_minus
    postsynaptic_translations = build_translations(("tau", "tau_minus"))


class STDPMechanism(NestSynapseTypeMixin, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(*_WEIGHT_DELAY)
    parameter_checks = (
        *synapses.STDPMechanism.parameter_checks,
        ("dendritic_delay_fraction", lambda v: v == 1,
         "must be 1.0 on NEST: its STDP synapses treat the whole delay as dendritic, so NEST supports "
         "only dendritic_delay_fraction=1.0"),
    )

    def __init__(self, timing_dependence=None, weight_dependence=None, voltage_dependence=None,
                 dendritic_delay_fraction=1.0, weight=0.0, delay=None):
        super().__init__(timing_dependence=timing_dependence, weight_dependence=weight_dependence,
                         voltage_dependence=voltage_dependence,
                         dendritic_delay_fraction=dendritic_delay_fraction, weight=weight, delay=delay)
        # type(self) is this instance's own subclass (see assemble_type): store the
        # assembled NEST facts there so that class-level queries see them too
        assembled = type(self)
        assembled.postsynaptic_translations = {}
        for component in self.components:
            assembled.postsynaptic_translations.update(getattr(component, "postsynaptic_translations", {}))
        assembled.native_name, assembled.missing_reason = self._choose_model()

    def _choose_model(self):
        if self.timing_dependence is None or self.weight_dependence is None:
            return None, "NEST's STDP synapses need both a timing and a weight dependence"
        if self.voltage_dependence is not None:
            return None, "NEST's stdp_synapse has no voltage dependence"
        for component in self.components:
            if getattr(component, "native_name", None) is None:
                reason = getattr(component, "missing_reason", None) or "no NEST translation"
                return None, f"{type(component).__name__}: {reason}"
        if isinstance(self.timing_dependence, synapses.Vogels2011Rule):
            if not isinstance(self.weight_dependence, synapses.AdditiveWeightDependence):
                return None, (f"Vogels2011Rule with {type(self.weight_dependence).__name__}: NEST's "
                              f"vogels_sprekeler_synapse is additive only (use AdditiveWeightDependence)")
            # vogels_sprekeler_synapse has no mu_plus/mu_minus
            type(self).extra_parameters = {k: v for k, v in type(self).extra_parameters.items()
                                           if k not in ("mu_plus", "mu_minus")}
            return "vogels_sprekeler_synapse", None
        return "stdp_synapse", None


__all__ = list(synapses.BACKEND_NAMES)
