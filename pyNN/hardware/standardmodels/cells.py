"""Translation tables of the hardware backend's cell types.

The engine works in the standard units, so every table is the identity; ``native_name``
names the engine model (see :data:`pyNN.hardware.engine.ENGINE_MODELS`). Which types a
hardware profile accepts is decided by the profile (``pyNN.hardware.profiles``): a type
the profile does not support raises NoModelAvailableError when the population is created.
"""

from pyNN.hardware.engine.models import ENGINE_MODELS
from pyNN.standardmodels import build_translations
from pyNN.standardmodels import cells as std

LIMITATIONS = (
    "native models: `native_cell_type()`, `native_synapse_type()` and `native_electrode_type()` raise "
    "NotSupportedError (the engine runs the standard types only).",
    "profile `ideal` (the default): every standard cell type, float64; LIF types with current synapses are "
    "integrated exactly, conductance-based LIF/GIF with the conductances at mid-step (second order), "
    "AdExp and HH with RK4 on an internal step, Izhikevich with NEST's Euler scheme.",
    "hardware profiles (`spinnaker1`, `brainscales2`, `spikey`) accept only the cell types their hardware "
    "implements; any other type raises NoModelAvailableError naming the profile and the reason.",
    "HH_cond_exp's 'source_section.gap' receptor (gap junctions) is not available; connecting to it raises "
    "NoModelAvailableError.",
    "synapses: StaticSynapse, TsodyksMarkramSynapse and STDPMechanism(SpikePairRule, additive/multiplicative/"
    "APMD/Gutig) with the algorithms of NEST's static, tsodyks and stdp synapses (dendritic_delay_fraction 1).",
    "SpikeSourceInhGamma draws each interval with the shape and scale of the bin in force at the previous "
    "spike (exact when a and b are constant).",
)


def _identity(cls):
    return build_translations(*((name, name) for name in cls.default_parameters))


def _engine_type(std_cls):
    """The backend class of a standard cell type: identity translations plus engine name."""
    return type(std_cls.__name__, (std_cls,), {
        "__doc__": std_cls.__doc__, "__module__": __name__,
        "translations": _identity(std_cls),
        "native_name": ENGINE_MODELS[std_cls.__name__],
        "missing_reason": None,
    })


IF_curr_alpha = _engine_type(std.IF_curr_alpha)
IF_curr_exp = _engine_type(std.IF_curr_exp)
IF_curr_delta = _engine_type(std.IF_curr_delta)
IF_cond_alpha = _engine_type(std.IF_cond_alpha)
IF_cond_exp = _engine_type(std.IF_cond_exp)
IF_cond_exp_gsfa_grr = _engine_type(std.IF_cond_exp_gsfa_grr)
IF_facets_hardware1 = _engine_type(std.IF_facets_hardware1)
HH_cond_exp = _engine_type(std.HH_cond_exp)
EIF_cond_alpha_isfa_ista = _engine_type(std.EIF_cond_alpha_isfa_ista)
EIF_cond_exp_isfa_ista = _engine_type(std.EIF_cond_exp_isfa_ista)
Izhikevich = _engine_type(std.Izhikevich)
GIF_cond_exp = _engine_type(std.GIF_cond_exp)
SpikeSourcePoisson = _engine_type(std.SpikeSourcePoisson)
SpikeSourcePoissonRefractory = _engine_type(std.SpikeSourcePoissonRefractory)
SpikeSourceGamma = _engine_type(std.SpikeSourceGamma)
SpikeSourceInhGamma = _engine_type(std.SpikeSourceInhGamma)
SpikeSourceArray = _engine_type(std.SpikeSourceArray)

# components of PointNeuron: the engine reads their parameters directly
PointNeuron = std.PointNeuron
LIF = std.LIF
AdExp = std.AdExp
CurrExpPostSynapticResponse = std.CurrExpPostSynapticResponse
CondExpPostSynapticResponse = std.CondExpPostSynapticResponse
CondAlphaPostSynapticResponse = std.CondAlphaPostSynapticResponse
CondBetaPostSynapticResponse = std.CondBetaPostSynapticResponse
ExpPSR = std.ExpPSR
AlphaPSR = std.AlphaPSR
BetaPSR = std.BetaPSR

STANDARD_CELL_TYPES = [
    IF_curr_alpha, IF_curr_exp, IF_curr_delta, IF_cond_alpha, IF_cond_exp, IF_cond_exp_gsfa_grr,
    IF_facets_hardware1, HH_cond_exp, EIF_cond_alpha_isfa_ista, EIF_cond_exp_isfa_ista, Izhikevich,
    GIF_cond_exp, SpikeSourcePoisson, SpikeSourcePoissonRefractory, SpikeSourceGamma,
    SpikeSourceInhGamma, SpikeSourceArray,
]

__all__ = [cls.__name__ for cls in STANDARD_CELL_TYPES] + [
    "PointNeuron", "LIF", "AdExp", "CurrExpPostSynapticResponse", "CondExpPostSynapticResponse",
    "CondAlphaPostSynapticResponse", "CondBetaPostSynapticResponse", "ExpPSR", "AlphaPSR", "BetaPSR",
]
