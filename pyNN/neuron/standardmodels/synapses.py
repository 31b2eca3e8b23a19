"""NEURON translation tables for the standard synapse types.

A static connection is a NetCon (``native_name = 'NetCon'``): its weight is the jump of
the target's synaptic current (nA), conductance (uS) or membrane potential (mV), its
delay the synaptic delay. Plastic and stochastic synapses have no mechanism in this
backend yet: projections using them raise NoModelAvailableError. A Tsodyks-Markram
connection is a NetCon whose weight vector also holds U, tau_rec, tau_facil, tau_psc,
the initial u and the synapse's state, updated by the target's NET_RECEIVE (IF cells only).
"""

from pyNN.standardmodels import build_translations, synapses


class NeuronSynapseTypeMixin:
    """Defaults of the NEURON-specific attributes of a synapse type."""

    #: NetCon weight-vector slots (after the weight) holding the synapse's parameters
    weight_slots = ()
    #: cell mechanisms whose NET_RECEIVE implements the synapse's dynamics
    target_mechanisms = None


_WEIGHT_DELAY = (("weight", "weight"), ("delay", "delay"))
_NOT_YET = "no NEURON mechanism for it has been written in this backend yet"


class StaticSynapse(NeuronSynapseTypeMixin, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    native_name = "NetCon"
    translations = build_translations(*_WEIGHT_DELAY)


class ElectricalSynapse(NeuronSynapseTypeMixin, synapses.ElectricalSynapse):
    __doc__ = synapses.ElectricalSynapse.__doc__
    missing_reason = ("the cells of this backend are point processes with their own membrane "
                      "potential, which a gap junction cannot couple")
    translations = {}


class TsodyksMarkramSynapse(NeuronSynapseTypeMixin, synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    # the IF mechanisms' NET_RECEIVE carries the per-connection state (NEST's tsodyks_synapse,
    # with tau_psc = the target receptor's tau_syn)
    native_name = "NetCon"
    native_description = "Tsodyks-Markram state in the weight vector, updated by PyNN_IF_curr/PyNN_IF_cond"
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U"), ("tau_rec", "tau_rec"),
                                      ("tau_facil", "tau_facil"))
    weight_slots = ("U", "tau_rec", "tau_facil")
    target_mechanisms = ("PyNN_IF_curr", "PyNN_IF_cond")


class SimpleStochasticSynapse(NeuronSynapseTypeMixin, synapses.SimpleStochasticSynapse):
    __doc__ = synapses.SimpleStochasticSynapse.__doc__
    missing_reason = _NOT_YET
    translations = build_translations(*_WEIGHT_DELAY, ("p", "p"))


class StochasticTsodyksMarkramSynapse(NeuronSynapseTypeMixin, synapses.StochasticTsodyksMarkramSynapse):
    __doc__ = synapses.StochasticTsodyksMarkramSynapse.__doc__
    missing_reason = _NOT_YET
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U"), ("tau_rec", "tau_rec"),
                                      ("tau_facil", "tau_facil"))


class MultiQuantalSynapse(NeuronSynapseTypeMixin, synapses.MultiQuantalSynapse):
    __doc__ = synapses.MultiQuantalSynapse.__doc__
    missing_reason = _NOT_YET
    translations = build_translations(*_WEIGHT_DELAY, ("U", "U"), ("n", "n"), ("tau_rec", "tau_rec"),
                                      ("tau_facil", "tau_facil"))


class _NeuronSTDPComponent(NeuronSynapseTypeMixin):
    missing_reason = _NOT_YET
    translations = {}


class AdditiveWeightDependence(_NeuronSTDPComponent, synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__


class MultiplicativeWeightDependence(_NeuronSTDPComponent, synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__


class AdditivePotentiationMultiplicativeDepression(
        _NeuronSTDPComponent, synapses.AdditivePotentiationMultiplicativeDepression):
    __doc__ = synapses.AdditivePotentiationMultiplicativeDepression.__doc__


class GutigWeightDependence(_NeuronSTDPComponent, synapses.GutigWeightDependence):
    __doc__ = synapses.GutigWeightDependence.__doc__


class SpikePairRule(_NeuronSTDPComponent, synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__


class Vogels2011Rule(_NeuronSTDPComponent, synapses.Vogels2011Rule):
    __doc__ = synapses.Vogels2011Rule.__doc__


class STDPMechanism(NeuronSynapseTypeMixin, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    missing_reason = "STDP is not implemented in the NEURON backend yet"
    base_translations = build_translations(*_WEIGHT_DELAY)


#: the standard synapse types (the abstract STDP component bases are not exported here)
__all__ = list(synapses.BACKEND_NAMES)
