"""Translation tables of the hardware backend's cell types.

The engine works in the standard units, so every table is the identity; ``native_name``
names the engine model and ``native_description`` its integration scheme (see
:data:`pyNN.hardware.engine.ENGINE_MODELS`). Which types a
hardware profile accepts is decided by the profile (``pyNN.hardware.profiles``): a type
the profile does not support raises NoModelAvailableError when the population is created.
"""

from pyNN.hardware.engine.models import ENGINE_MODELS
from pyNN.standardmodels import backend_type, identity_translations
from pyNN.standardmodels import cells as std

LIMITATIONS = (
    "native models: `native_cell_type()`, `native_synapse_type()` and `native_electrode_type()` raise "
    "NotSupportedError (the engine runs the standard types only).",
    "`setup(spike_precision='off_grid')` is ignored (an INFO log line): the engine is clocked, spike times "
    "stay on the time grid.",
    "profile `ideal` (the default): every standard cell type, float64; LIF types with current synapses are "
    "integrated exactly, conductance-based LIF/GIF with the conductances at mid-step (second order), "
    "AdExp and HH with RK4 on an internal step, Izhikevich with NEST's Euler scheme.",
    "hardware profiles (`spinnaker1`, `brainscales2`, `spikey`) accept only the cell types their hardware "
    "implements; any other type raises NoModelAvailableError naming the profile and the reason.",
    "HH_cond_exp's 'source_section.gap' receptor (gap junctions) is not available; connecting to it raises "
    "NoModelAvailableError.",
    "synapses: StaticSynapse, TsodyksMarkramSynapse, the stochastic synapses and STDPMechanism(SpikePairRule, "
    "additive/multiplicative/APMD/Gutig; Vogels2011Rule, additive) with the algorithms of NEST's static, "
    "tsodyks, bernoulli, quantal_stp, stdp and vogels_sprekeler synapses (any w_min; any "
    "dendritic_delay_fraction in [0, 1], below 1 only on profile `ideal` and not onto voltage-jump targets, "
    "IF_curr_delta and Izhikevich: InvalidParameterValueError). The hardware profiles accept only the synapse "
    "types of their `supported_synapse_dynamics` (stochastic synapses: profile `ideal` only); others raise "
    "NoModelAvailableError, with the hardware's reason, when the projection is created (either policy). STDP "
    "per profile: `ideal` exact; `spinnaker1` sPyNNaker's fixed-point rules (SpikePairRule with the "
    "additive or multiplicative dependence, Vogels2011Rule with the additive one; one value per parameter and "
    "projection; within the error bound of doc/behaviour.md); `brainscales2` and `spikey` refuse "
    "STDPMechanism (their plasticity hardware is not emulated). Once mapped, get('weight') returns the "
    "realised (quantised) weights.",
    "SpikeSourceInhGamma draws each interval with the shape and scale of the bin in force at the previous "
    "spike (exact when a and b are constant).",
    "processes and threads: a launch as several MPI processes is refused with NotSupportedError; "
    "`setup(threads=T)` (an integer >= 1, else InvalidParameterValueError) runs the engine's compiled loops "
    "(cell updates of the numba kernels, static spike delivery) on T threads with results bit for bit those of "
    "T=1; loops are split only for large groups (about 4,000 cells or 8,000 delivered connections per thread), "
    "and the numpy path (no numba), STP/STDP/stochastic/rate-limited deliveries and the spinnaker1 integer "
    "tick run in one thread.",
)


def _engine_type(standard_type):
    """The backend class of a standard cell type: identity translations, and the engine
    model with its integration scheme from the engine's table (e.g. 'lif_curr_exp (exact
    integration)')."""
    model, _, scheme = ENGINE_MODELS[standard_type.__name__].partition(" ")
    return backend_type(standard_type, __name__, translations=identity_translations(standard_type),
                        native_name=model, native_description=scheme.strip("()") or None)


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
# the engine reads the parameters of PointNeuron's components directly
PointNeuron = _engine_type(std.PointNeuron)

LIF = std.LIF
AdExp = std.AdExp
CurrExpPostSynapticResponse = std.CurrExpPostSynapticResponse
CondExpPostSynapticResponse = std.CondExpPostSynapticResponse
CondAlphaPostSynapticResponse = std.CondAlphaPostSynapticResponse
CondBetaPostSynapticResponse = std.CondBetaPostSynapticResponse
ExpPSR = std.ExpPSR
AlphaPSR = std.AlphaPSR
BetaPSR = std.BetaPSR

#: the same names as the standard module, with this module's classes
__all__ = list(std.__all__)
