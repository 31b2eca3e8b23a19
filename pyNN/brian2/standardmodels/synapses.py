"""Brian2 descriptions of the standard synapse types.

Each class adds ``native_name`` ('Synapses', or None with a ``missing_reason``) and
``translations``.
Weights are translated by name only: the projection scales them to the SI unit of the
target variable (S, A or V). A plastic type adds ``brian2_equations`` (synaptic
variables), ``brian2_initial`` (their start values) and ``brian2_on_pre``, in which
``{deliver}`` stands for the target's update with ``weight`` scaled by ``release``.
"""

from pyNN.standardmodels import build_translations, synapses


class Brian2SynapseTypeMixin:
    """Defaults of the Brian2-specific attributes of a synapse type."""

    brian2_equations = ""
    brian2_initial = {}
    brian2_on_pre = None


_WEIGHT_DELAY = (("weight", "weight"), ("delay", "delay"))


class StaticSynapse(Brian2SynapseTypeMixin, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    native_name = "Synapses"
    native_description = "on_pre increment"
    translations = build_translations(*_WEIGHT_DELAY)


class TsodyksMarkramSynapse(Brian2SynapseTypeMixin, synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    native_name = "Synapses"
    native_description = "event-driven Tsodyks-Markram resources (as NEST's tsodyks2_synapse)"
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U_tm"), ("tau_rec", "tau_rec", 1e-3),
                                      ("tau_facil", "tau_facil", 1e-3))
    brian2_equations = ("U_tm : 1\ntau_rec : second\ntau_facil : second\nu_tm : 1\nx_tm : 1\n"
                        "t_last : second\n")
    brian2_initial = {"u_tm": 0.0, "x_tm": 1.0, "t_last": -1e9}
    # resources recover, then the utilisation is updated (tau_facil = 0: no facilitation)
    brian2_on_pre = (
        "x_tm = 1 + (x_tm - x_tm*u_tm - 1)*exp(-(t - t_last)/tau_rec)\n"
        "u_tm = U_tm + u_tm*(1 - U_tm)*int(tau_facil > 0*ms)*exp(-(t - t_last)/(tau_facil + "
        "int(tau_facil <= 0*ms)*ms))\n"
        "t_last = t\n"
        "{deliver}"
    )
    release = "x_tm*u_tm"


class ElectricalSynapse(Brian2SynapseTypeMixin, synapses.ElectricalSynapse):
    __doc__ = synapses.ElectricalSynapse.__doc__
    missing_reason = "gap junctions (continuous coupling) are not implemented in the Brian2 backend"
    translations = {}


class SimpleStochasticSynapse(Brian2SynapseTypeMixin, synapses.SimpleStochasticSynapse):
    __doc__ = synapses.SimpleStochasticSynapse.__doc__
    missing_reason = "stochastic synapses are not implemented in the Brian2 backend"
    translations = {}


class StochasticTsodyksMarkramSynapse(Brian2SynapseTypeMixin, synapses.StochasticTsodyksMarkramSynapse):
    __doc__ = synapses.StochasticTsodyksMarkramSynapse.__doc__
    missing_reason = "stochastic synapses are not implemented in the Brian2 backend"
    translations = {}


class MultiQuantalSynapse(Brian2SynapseTypeMixin, synapses.MultiQuantalSynapse):
    __doc__ = synapses.MultiQuantalSynapse.__doc__
    missing_reason = "stochastic synapses are not implemented in the Brian2 backend"
    translations = {}


class STDPMechanism(Brian2SynapseTypeMixin, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    missing_reason = ("spike-timing-dependent plasticity is not implemented in the Brian2 backend "
                      "(a Projection with an STDPMechanism raises NoModelAvailableError)")


AdditiveWeightDependence = synapses.AdditiveWeightDependence
MultiplicativeWeightDependence = synapses.MultiplicativeWeightDependence
AdditivePotentiationMultiplicativeDepression = synapses.AdditivePotentiationMultiplicativeDepression
GutigWeightDependence = synapses.GutigWeightDependence
SpikePairRule = synapses.SpikePairRule
Vogels2011Rule = synapses.Vogels2011Rule

__all__ = list(synapses.BACKEND_NAMES)
