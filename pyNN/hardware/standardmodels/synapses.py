"""Synapse types of the hardware backend: StaticSynapse and TsodyksMarkramSynapse run on
the engine; the others are listed with the reason they are not available
(NoModelAvailableError on use)."""

from pyNN.standardmodels import build_translations
from pyNN.standardmodels import synapses as std

_NOT_YET = "not implemented by the hardware backend's engine yet (static, Tsodyks-Markram and STDP synapses only)"


def _table(cls):
    return build_translations(*((name, name) for name in cls.default_parameters))


def _synapse_type(std_cls, native_name=None, missing_reason=None):
    return type(std_cls.__name__, (std_cls,), {
        "__doc__": std_cls.__doc__, "__module__": __name__, "translations": _table(std_cls),
        "native_name": native_name, "missing_reason": missing_reason,
    })


StaticSynapse = _synapse_type(std.StaticSynapse, "static (CSR + ring buffer)")
ElectricalSynapse = _synapse_type(std.ElectricalSynapse, missing_reason="gap junctions are not modelled by the "
                                  "engine (it is event-driven over spikes)")
TsodyksMarkramSynapse = _synapse_type(std.TsodyksMarkramSynapse, "tsodyks (as NEST's tsodyks_synapse)")
SimpleStochasticSynapse = _synapse_type(std.SimpleStochasticSynapse, missing_reason=_NOT_YET)
StochasticTsodyksMarkramSynapse = _synapse_type(std.StochasticTsodyksMarkramSynapse, missing_reason=_NOT_YET)
MultiQuantalSynapse = _synapse_type(std.MultiQuantalSynapse, missing_reason=_NOT_YET)


def _component(std_cls, native_name="stdp (as NEST's stdp_synapse)", missing_reason=None):
    return type(std_cls.__name__, (std_cls,), {
        "__doc__": std_cls.__doc__, "__module__": __name__, "translations": _table(std_cls),
        "native_name": native_name, "missing_reason": missing_reason,
    })


AdditiveWeightDependence = _component(std.AdditiveWeightDependence)
MultiplicativeWeightDependence = _component(std.MultiplicativeWeightDependence)
AdditivePotentiationMultiplicativeDepression = _component(std.AdditivePotentiationMultiplicativeDepression)
GutigWeightDependence = _component(std.GutigWeightDependence)
SpikePairRule = _component(std.SpikePairRule)
Vogels2011Rule = _component(std.Vogels2011Rule, None, "not implemented by the hardware backend's engine")


class STDPMechanism(std.STDPMechanism):
    __doc__ = std.STDPMechanism.__doc__
    base_translations = build_translations(("weight", "weight"), ("delay", "delay"),
                                           ("dendritic_delay_fraction", "dendritic_delay_fraction"))
    native_name = "stdp (as NEST's stdp_synapse: all-to-all pairs, dendritic delay)"
    missing_reason = None


__all__ = list(std.BACKEND_NAMES)
