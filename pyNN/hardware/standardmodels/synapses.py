"""Synapse types of the hardware backend: StaticSynapse, TsodyksMarkramSynapse, the three
stochastic synapses and STDPMechanism (SpikePairRule with the additive, multiplicative, APMD
or Gutig weight dependence, Vogels2011Rule with the additive one) run on the engine (which of
them a profile accepts is in its ``supported_synapse_dynamics``); ElectricalSynapse is listed
with the reason it is not available (NoModelAvailableError on use)."""

from pyNN.hardware.engine.plasticity import unsupported_reason
from pyNN.standardmodels import backend_type, build_translations, identity_translations
from pyNN.standardmodels import synapses as std



def _synapse_type(standard_type, native_name=None, description=None, missing_reason=None):
    """The backend class of a standard synapse type (or STDP component): identity
    translations, and the engine's synapse model or the reason there is none."""
    return backend_type(standard_type, __name__, translations=identity_translations(standard_type),
                        native_name=native_name, native_description=description, missing_reason=missing_reason)


StaticSynapse = _synapse_type(std.StaticSynapse, "static", "CSR + ring buffer")
ElectricalSynapse = _synapse_type(std.ElectricalSynapse, missing_reason="gap junctions are not modelled by the "
                                  "engine (it is event-driven over spikes)")
TsodyksMarkramSynapse = _synapse_type(std.TsodyksMarkramSynapse, "tsodyks", "as NEST's tsodyks_synapse")
SimpleStochasticSynapse = _synapse_type(std.SimpleStochasticSynapse, "bernoulli",
                                        "one Bernoulli draw per spike and connection (as NEST's bernoulli_synapse)")
StochasticTsodyksMarkramSynapse = _synapse_type(std.StochasticTsodyksMarkramSynapse, "quantal",
                                                "quantal release with one site (as NEST's quantal_stp_synapse, n=1)")
MultiQuantalSynapse = _synapse_type(std.MultiQuantalSynapse, "quantal",
                                    "binomial refill and release over n sites (as NEST's quantal_stp_synapse)")

_STDP = ("stdp", "as NEST's stdp_synapse")
AdditiveWeightDependence = _synapse_type(std.AdditiveWeightDependence, *_STDP)
MultiplicativeWeightDependence = _synapse_type(std.MultiplicativeWeightDependence, *_STDP)
AdditivePotentiationMultiplicativeDepression = _synapse_type(std.AdditivePotentiationMultiplicativeDepression, *_STDP)
GutigWeightDependence = _synapse_type(std.GutigWeightDependence, *_STDP)
SpikePairRule = _synapse_type(std.SpikePairRule, *_STDP)
Vogels2011Rule = _synapse_type(std.Vogels2011Rule, "stdp", "as NEST's vogels_sprekeler_synapse (additive only)")


class STDPMechanism(std.STDPMechanism):
    __doc__ = std.STDPMechanism.__doc__
    base_translations = build_translations(("weight", "weight"), ("delay", "delay"),
                                           ("dendritic_delay_fraction", "dendritic_delay_fraction"))
    native_name = "stdp"
    native_description = "as NEST's stdp_synapse: all-to-all pairs, any dendritic_delay_fraction"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # type(self) is this instance's own subclass (see assemble_type)
        reason = unsupported_reason(self)
        type(self).native_name = None if reason else "stdp"
        type(self).missing_reason = reason
        if isinstance(self.timing_dependence, std.Vogels2011Rule):
            type(self).native_description = ("as NEST's vogels_sprekeler_synapse: all-to-all pairs, any "
                                             "dendritic_delay_fraction")


__all__ = list(std.BACKEND_NAMES)
