"""NEST 3.10 translation tables for the standard cell types.

Each class adds to its standard counterpart:

``native_name``
    the NEST model, or None when NEST has no such model (see ``missing_reason``).
``off_grid_name``
    the model used with ``setup(spike_precision='off_grid')`` (the ``_ps`` precise
    spike-timing model) where it differs from ``native_name``.
``translations``
    standard name -> NEST name, with a scale factor or forward/reverse expressions.
``extra_parameters``
    NEST parameters with a fixed value that have no standard counterpart.
``variable_map`` / ``scale_factors``
    standard state variable -> NEST recordable/state name; NEST value x factor = standard.
``variable_offsets``
    standard variable -> standard parameter whose value must be added to the recorded
    NEST value.
``fixed_initial_values``
    standard state variables that NEST does not let us set: they always start at their
    default value (the backend should refuse other initial values for them).
``weight_scale``
    standard weight x weight_scale = NEST weight (pA, nS; 1.0 where weights are in mV).
``sign_selects_receptor``
    True if NEST picks the excitatory or inhibitory input by the sign of the weight, so
    the backend must give inhibitory connections negative NEST weights.
``uses_parrot``
    True for generator-based spike sources: NEST generators send an independent train to
    each target, so each cell is a generator feeding one parrot neuron
    (``parrot_neuron`` on grid, ``parrot_neuron_ps`` off grid).

Nothing here needs a running NEST kernel.
"""

import numpy as np

from pyNN import errors
from pyNN.standardmodels import StandardModelType, build_translations, cells
from pyNN.standardmodels.cells import (  # noqa: F401 - re-exported through __all__
    LIF,
    AdExp,
    AlphaPSR,
    BetaPSR,
    CondAlphaPostSynapticResponse,
    CondBetaPostSynapticResponse,
    CondExpPostSynapticResponse,
    CurrExpPostSynapticResponse,
    ExpPSR,
    PointNeuron,
)


class NestCellTypeMixin:
    """Defaults of the NEST-specific attributes of a cell type."""

    off_grid_name = None
    variable_map = {}
    scale_factors = {}
    variable_offsets = {}
    fixed_initial_values = ()
    weight_scale = 1000.0
    sign_selects_receptor = True
    uses_parrot = False

    @classmethod
    def describe_native(cls):
        """The NEST model, with the off-grid one where it differs (support matrix)."""
        text = super().describe_native()
        if text and cls.off_grid_name:
            text += f" (off-grid: `{cls.off_grid_name}`)"
        return text

# --- translation pieces shared by several models -------------------------------------------------

_MEMBRANE = (
    ("v_rest", "E_L"),
    ("cm", "C_m", 1000.0),
    ("tau_refrac", "t_ref"),
    ("i_offset", "I_e", 1000.0),
    ("v_reset", "V_reset"),
    ("v_thresh", "V_th"),
)
_TAU_M = (("tau_m", "tau_m"),)
# conductance-based models store the leak conductance (nS) instead of tau_m
_LEAK_CONDUCTANCE = (("tau_m", "g_L", "1000.0 * cm / tau_m", "C_m / g_L"),)
_SYN_TAUS = (("tau_syn_E", "tau_syn_ex"), ("tau_syn_I", "tau_syn_in"))
_REVERSALS = (("e_rev_E", "E_ex"), ("e_rev_I", "E_in"))

_V = {"v": "V_m"}
_GSYN = {"gsyn_exc": "g_ex", "gsyn_inh": "g_in"}
_GSYN_SCALE = {"gsyn_exc": 0.001, "gsyn_inh": 0.001}


# --- integrate-and-fire --------------------------------------------------------------------------

class IF_curr_alpha(NestCellTypeMixin, cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    native_name = "iaf_psc_alpha"
    off_grid_name = "iaf_psc_alpha_ps"
    translations = build_translations(*_MEMBRANE, *_TAU_M, *_SYN_TAUS)
    variable_map = dict(_V)
    fixed_initial_values = ("isyn_exc", "isyn_inh")


class IF_curr_exp(NestCellTypeMixin, cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    native_name = "iaf_psc_exp"
    off_grid_name = "iaf_psc_exp_ps"
    translations = build_translations(*_MEMBRANE, *_TAU_M, *_SYN_TAUS)
    variable_map = dict(_V)
    fixed_initial_values = ("isyn_exc", "isyn_inh")


class IF_curr_delta(NestCellTypeMixin, cells.IF_curr_delta):
    __doc__ = cells.IF_curr_delta.__doc__
    native_name = "iaf_psc_delta"
    off_grid_name = "iaf_psc_delta_ps"
    translations = build_translations(*_MEMBRANE, *_TAU_M)
    variable_map = dict(_V)
    weight_scale = 1.0  # weights are voltage jumps in mV, as in NEST


class IF_cond_alpha(NestCellTypeMixin, cells.IF_cond_alpha):
    __doc__ = cells.IF_cond_alpha.__doc__
    native_name = "iaf_cond_alpha"
    translations = build_translations(*_MEMBRANE, *_LEAK_CONDUCTANCE, *_SYN_TAUS, *_REVERSALS)
    variable_map = dict(_V, **_GSYN)
    scale_factors = dict(_GSYN_SCALE)


class IF_cond_exp(NestCellTypeMixin, cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    native_name = "iaf_cond_exp"
    translations = build_translations(*_MEMBRANE, *_LEAK_CONDUCTANCE, *_SYN_TAUS, *_REVERSALS)
    variable_map = dict(_V, **_GSYN)
    scale_factors = dict(_GSYN_SCALE)


class IF_cond_exp_gsfa_grr(NestCellTypeMixin, cells.IF_cond_exp_gsfa_grr):
    __doc__ = cells.IF_cond_exp_gsfa_grr.__doc__
    native_name = "iaf_cond_exp_sfa_rr"
    translations = build_translations(
        *_MEMBRANE, *_LEAK_CONDUCTANCE, *_SYN_TAUS, *_REVERSALS,
        ("tau_sfa", "tau_sfa"),
        ("e_rev_sfa", "E_sfa"),
        ("q_sfa", "q_sfa"),  # nS in both
        ("tau_rr", "tau_rr"),
        ("e_rev_rr", "E_rr"),
        ("q_rr", "q_rr"),
    )
    variable_map = dict(_V, **_GSYN, g_r="g_rr", g_s="g_sfa")  # g_rr, g_sfa are in nS, like g_r, g_s
    scale_factors = dict(_GSYN_SCALE)


class IF_facets_hardware1(NestCellTypeMixin, cells.IF_facets_hardware1):
    __doc__ = cells.IF_facets_hardware1.__doc__
    native_name = "iaf_cond_exp"
    translations = build_translations(
        ("g_leak", "g_L"),  # nS in both
        ("tau_syn_E", "tau_syn_ex"),
        ("tau_syn_I", "tau_syn_in"),
        ("v_reset", "V_reset"),
        ("e_rev_I", "E_in"),
        ("v_rest", "E_L"),
        ("v_thresh", "V_th"),
    )
    extra_parameters = {"C_m": 200.0, "t_ref": 1.0, "E_ex": 0.0, "I_e": 0.0}
    variable_map = dict(_V, **_GSYN)
    scale_factors = dict(_GSYN_SCALE)


class HH_cond_exp(NestCellTypeMixin, cells.HH_cond_exp):
    __doc__ = cells.HH_cond_exp.__doc__
    native_name = "hh_cond_exp_traub"
    translations = build_translations(
        ("gbar_Na", "g_Na", 1000.0),
        ("gbar_K", "g_K", 1000.0),
        ("g_leak", "g_L", 1000.0),
        ("cm", "C_m", 1000.0),
        ("v_offset", "V_T"),
        ("e_rev_Na", "E_Na"),
        ("e_rev_K", "E_K"),
        ("e_rev_leak", "E_L"),
        ("e_rev_E", "E_ex"),
        ("e_rev_I", "E_in"),
        ("tau_syn_E", "tau_syn_ex"),
        ("tau_syn_I", "tau_syn_in"),
        ("i_offset", "I_e", 1000.0),
    )
    variable_map = dict(_V, **_GSYN, m="Act_m", n="Act_n", h="Inact_h")
    scale_factors = dict(_GSYN_SCALE)
    fixed_initial_values = ("gsyn_exc", "gsyn_inh")  # recordable, but not settable in NEST
    #: standard receptors NEST's model lacks -> why (connecting to one is refused)
    unavailable_receptors = {
        "source_section.gap": "hh_cond_exp_traub has no gap-junction input (NEST's gap junctions need "
                              "models built for them, e.g. hh_psc_alpha_gap)",
    }


_ADEXP = (
    ("cm", "C_m", 1000.0),
    ("tau_refrac", "t_ref"),
    ("v_spike", "V_peak"),
    ("v_reset", "V_reset"),
    ("v_rest", "E_L"),
    ("tau_m", "g_L", "1000.0 * cm / tau_m", "C_m / g_L"),
    ("i_offset", "I_e", 1000.0),
    ("a", "a"),  # nS in both
    ("b", "b", 1000.0),
    ("delta_T", "Delta_T"),
    ("tau_w", "tau_w"),
    ("v_thresh", "V_th"),
)


class EIF_cond_alpha_isfa_ista(NestCellTypeMixin, cells.EIF_cond_alpha_isfa_ista):
    __doc__ = cells.EIF_cond_alpha_isfa_ista.__doc__
    native_name = "aeif_cond_alpha"
    translations = build_translations(*_ADEXP, *_SYN_TAUS, *_REVERSALS)
    variable_map = dict(_V, **_GSYN, w="w")
    scale_factors = dict(_GSYN_SCALE, w=0.001)


class EIF_cond_exp_isfa_ista(NestCellTypeMixin, cells.EIF_cond_exp_isfa_ista):
    __doc__ = cells.EIF_cond_exp_isfa_ista.__doc__
    native_name = "aeif_cond_exp"
    translations = build_translations(*_ADEXP, *_SYN_TAUS, *_REVERSALS)
    variable_map = dict(_V, **_GSYN, w="w")
    scale_factors = dict(_GSYN_SCALE, w=0.001)


class Izhikevich(NestCellTypeMixin, cells.Izhikevich):
    __doc__ = cells.Izhikevich.__doc__
    native_name = "izhikevich"
    translations = build_translations(
        ("a", "a"),
        ("b", "b"),
        ("c", "c"),
        ("d", "d"),
        ("i_offset", "I_e", 1000.0),
    )
    variable_map = dict(_V, u="U_m")
    weight_scale = 1.0  # weights are voltage jumps in mV, as in NEST


class GIF_cond_exp(NestCellTypeMixin, cells.GIF_cond_exp):
    __doc__ = cells.GIF_cond_exp.__doc__
    native_name = "gif_cond_exp"
    translations = build_translations(
        ("v_rest", "E_L"),
        ("cm", "C_m", 1000.0),
        ("tau_m", "g_L", "1000.0 * cm / tau_m", "C_m / g_L"),
        ("tau_refrac", "t_ref"),
        *_SYN_TAUS, *_REVERSALS,
        ("v_reset", "V_reset"),
        ("i_offset", "I_e", 1000.0),
        ("delta_v", "Delta_V"),
        ("v_t_star", "V_T_star"),
        ("lambda0", "lambda_0"),
        ("tau_eta", "tau_stc"),
        ("tau_gamma", "tau_sfa"),
        ("a_eta", "q_stc", 1000.0),
        ("a_gamma", "q_sfa"),
    )
    variable_map = dict(_V, **_GSYN, i_eta="I_stc", v_t="E_sfa")
    scale_factors = dict(_GSYN_SCALE, i_eta=0.001)
    # NEST 3.10's E_sfa is the whole moving threshold (V_T_star included)
    fixed_initial_values = ("v_t", "i_eta")  # E_sfa and I_stc are read-only in NEST


# --- spike sources -------------------------------------------------------------------------------

_WINDOW = (
    ("start", "start"),
    ("duration", "stop", "start + duration", "stop - start"),
)


def as_integer(name):
    """Transform passing an integer-valued parameter on with an integer dtype (NEST
    refuses floats for integer parameters)."""
    def transform(values):
        value = values[name]
        return np.asarray(value).astype(int) if np.ndim(value) else int(value)
    return transform


class _NestSpikeSource(NestCellTypeMixin):
    uses_parrot = True
    always_local = True
    sign_selects_receptor = False


# The random sources' trains are drawn by the library (pyNN.random_sources) with the statistics
# of NEST's generators and played by spike_generators: NEST's generators draw from the stream of
# the thread each target is on, so their trains would depend on setup(threads=...).

class SpikeSourcePoisson(_NestSpikeSource, cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    random_kind = "poisson"
    #: the NEST generators whose statistics the library's trains have (and whose parameter
    #: names the table gives)
    generator_models = ("poisson_generator", "poisson_generator_ps")
    native_name = "spike_generator"
    native_description = "library-drawn trains, statistics of `poisson_generator` (off-grid: `poisson_generator_ps`)"
    translations = build_translations(("rate", "rate"), *_WINDOW)


class SpikeSourcePoissonRefractory(_NestSpikeSource, cells.SpikeSourcePoissonRefractory):
    __doc__ = cells.SpikeSourcePoissonRefractory.__doc__
    random_kind = "refractory"
    generator_models = ("ppd_sup_generator", "poisson_generator_ps")
    native_name = "spike_generator"
    native_description = "library-drawn trains, statistics of `ppd_sup_generator` (off-grid: `poisson_generator_ps`)"
    # both generators take `rate` as the mean rate including the dead time
    translations = build_translations(("rate", "rate"), ("tau_refrac", "dead_time"), *_WINDOW)


class SpikeSourceGamma(_NestSpikeSource, cells.SpikeSourceGamma):
    __doc__ = cells.SpikeSourceGamma.__doc__
    random_kind = "gamma"
    generator_models = ("gamma_sup_generator",)
    native_name = "spike_generator"
    native_description = "library-drawn trains, statistics of `gamma_sup_generator`"
    # NEST's rate is the mean firing rate beta/alpha; gamma_shape is an integer
    translations = build_translations(
        ("alpha", "gamma_shape", as_integer("alpha"), as_integer("gamma_shape")),
        ("beta", "rate", "beta / alpha", "rate * gamma_shape"),
        *_WINDOW,
    )


class SpikeSourceInhGamma(_NestSpikeSource, cells.SpikeSourceInhGamma):
    __doc__ = cells.SpikeSourceInhGamma.__doc__
    missing_reason = ("NEST 3.10 has no inhomogeneous gamma generator (inh_gamma_generator was "
                      "removed; sinusoidal_gamma_generator only produces sinusoidal rates)")
    translations = {}


class SpikeSourceArray(_NestSpikeSource, cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    native_name = "spike_generator"
    translations = build_translations(("spike_times", "spike_times"))
    # NEST refuses plastic synapses (stdp, tsodyks...) whose source is a spike_generator,
    # so each cell is a spike_generator feeding a parrot neuron, like the other sources.
    uses_parrot = True


__all__ = list(cells.__all__)  # the same public names as the standard module

#: what the support matrix lists under "Recording and parameter limitations" for NEST
LIMITATIONS = (
    "native models: `native_cell_type(name)`, `native_synapse_type(name)` and `native_electrode_type(name)` "
    "wrap any NEST model, with NEST's parameter names and units.",
    "HH_cond_exp's 'source_section.gap' receptor (gap junctions) is not available (hh_cond_exp_traub has no "
    "gap-junction input); connecting to it raises NoModelAvailableError.",
    "`gsyn_exc`/`gsyn_inh` of HH_cond_exp cannot be recorded (NEST does not expose their current value, which "
    "the library needs for the last sample of each run); recording them raises NoModelAvailableError.",
    "`<receptor>.isyn` of PointNeuron(LIF, CurrExpPostSynapticResponse): NEST does not expose the receptor "
    "current, so the last sample of each run is rebuilt exactly from the last sample NEST delivered and the "
    "spikes arriving since (a weight_recorder on the synapse models of the projections onto the population, "
    "restricted to the recorded cells); recording it must therefore start at time 0 of a segment (before the "
    "first run or after reset()) or go on from cells recorded until then, else NotSupportedError.",
    "the initial values of synaptic currents/conductances and GIF's `v_t`/`i_eta` cannot be changed (NEST "
    "does not allow setting them); setting them gives a warning and they start at their default values (as in PyNN).",
    "TsodyksMarkramSynapse: `Projection.initialize(u=, x=, y=)` of connections NEST has not simulated yet (made "
    "since the last run, or after reset()) sets in tsodyks_synapse the state of min_delay + dt earlier (NEST's "
    "clock runs that far ahead of the simulation's), so that they start from the given state at t = 0 exactly as "
    "on the other backends; a state whose earlier state NEST refuses (x + y > 1 or u > 1: x + y close to 1 with "
    "y > 0, or u close to 1 with a short tau_facil) raises NotSupportedError naming the connection. Between runs "
    "it sets the state as of each connection's last spike; a connection that has run but not transmitted a spike "
    "yet keeps its last event min_delay + dt before t = 0 (NEST does not tell which ones), so a y > 0 or u > 0 "
    "given to it then decays that much longer than on the other backends.",
    "STDP: `dendritic_delay_fraction` must be 1.0 and `w_min` 0 (NEST's stdp_synapse and "
    "vogels_sprekeler_synapse treat the whole delay as dendritic and have no lower bound); other values raise "
    "InvalidParameterValueError. `tau_minus` (Vogels2011Rule: `tau`) is kept on the post-synaptic neuron, so it "
    "must be the same for all plastic connections onto one cell (InvalidParameterValueError otherwise).",
    "processes and threads: `setup(threads=T)` gives results identical to T=1, random spike sources included "
    "(SpikeSourcePoisson, SpikeSourcePoissonRefractory and SpikeSourceGamma have their trains drawn by the "
    "library, with the statistics of NEST's generators, and played by spike_generators), except for the models "
    "whose random numbers NEST draws from per-thread streams: SimpleStochasticSynapse (bernoulli_synapse), "
    "StochasticTsodyksMarkramSynapse and MultiQuantalSynapse (quantal_stp_synapse), GIF_cond_exp (escape "
    "noise), NESTML models calling random functions and native NEST models that draw random numbers (a warning "
    "at setup(threads > 1) names them); a launch as several MPI processes (mpirun) is distributed over them "
    "with an MPI-enabled NEST built from source (NEST's placement of the cells; the same network and spikes "
    "for any number of processes; doc/parallel.md, 'NEST over MPI') and refused with the PyPI wheel, which "
    "has no MPI (NotSupportedError already at `import pyNN.nest`, since such a NEST ends the process when "
    "imported under mpirun).",
    "after a run, delays longer than NEST's delay range (the longest delay before the first run, at least 1 ms "
    "and twice min_delay unless a plastic projection exists then, or `setup(max_delay=...)`) are realised "
    "exactly through internal relay parrot neurons for StaticSynapse and SimpleStochasticSynapse (at creation "
    "and by `set(delay=...)`); "
    "for plastic synapses (STDP, Tsodyks-Markram, NESTML synapses), which would see their presynaptic spikes "
    "late, they raise NotSupportedError naming the projection, the delay and the range: give "
    "`setup(max_delay=...)` the longest delay, or connect before the first run or after reset().",
    "NEST's min_delay (communication interval) is fixed at the first run: `setup(min_delay=...)`, or with 'auto' "
    "the shortest delay then, but one step while a state variable is recorded or a projection has synapse "
    "dynamics (NEST delivers multimeter samples, and updates plastic synapses, once per interval). When it is "
    "longer than one step, after that run a shorter delay, a new projection with synapse dynamics and "
    "SpikeSourceArray spike times within min_delay of the current time raise NotSupportedError, and "
    "current-source changes act min_delay + dt after the current time (with a warning).",
    "the check for a diverged integration (NaN or infinite membrane potential) takes at most 2 % of a run's wall "
    "time, because NEST reads node states one by one (a short run of a large network may end unchecked); it reads "
    "only cells that NEST can let diverge without an error: never the exactly integrated `iaf_psc_*` models, "
    "`IF_cond_exp`/`IF_cond_alpha` only when a projection onto them has weights above 1e100 or synapse dynamics "
    "(their conductance must overflow to make V_m NaN), every other model always (pyNN/nest/divergence.py).",
)


# --- PointNeuron: a neuron component plus named receptors, on a NEST multisynapse model ----------

_LIF_ON_IAF = build_translations(*_MEMBRANE, *_TAU_M)
_LIF_ON_AEIF = build_translations(*_MEMBRANE, *_LEAK_CONDUCTANCE)
_ADEXP_ON_AEIF = build_translations(*_ADEXP)

# NEST's aeif models drop the exponential term when Delta_T == 0 and then spike when V_m
# reaches V_th; with a = b = 0 the adaptation current stays at 0: a plain LIF neuron.
_LIF_AS_AEIF_EXTRA = {"Delta_T": 0.0, "a": 0.0, "b": 0.0}

# receptor class -> (standard parameter, NEST per-port array parameter) pairs, per NEST model
_RECEPTOR_ARRAYS = {
    "iaf_psc_exp_multisynapse": {
        CurrExpPostSynapticResponse: (("tau_syn", "tau_syn"),),
    },
    "aeif_cond_alpha_multisynapse": {
        CondAlphaPostSynapticResponse: (("e_syn", "E_rev"), ("tau_syn", "tau_syn")),
    },
    "aeif_cond_beta_multisynapse": {
        CondBetaPostSynapticResponse: (("e_syn", "E_rev"), ("tau_rise", "tau_rise"),
                                       ("tau_decay", "tau_decay")),
        # with equal rise and decay times NEST's beta kernel is the alpha function
        CondAlphaPostSynapticResponse: (("e_syn", "E_rev"), ("tau_syn", "tau_decay"),
                                        ("tau_syn", "tau_rise")),
    },
}

_SUPPORTED_POINT_NEURONS = (
    "LIF + CurrExpPostSynapticResponse -> iaf_psc_exp_multisynapse; "
    "LIF or AdExp + CondAlphaPostSynapticResponse -> aeif_cond_alpha_multisynapse; "
    "LIF or AdExp + CondBetaPostSynapticResponse (alone or mixed with CondAlpha) "
    "-> aeif_cond_beta_multisynapse"
)


class NestPointNeuronModel:
    """How one :class:`PointNeuron` is realised in NEST.

    Unpacks as ``(nest_model_name, native_parameters, variable_map)``, where
    `native_parameters` are the cell type's own values translated to NEST. Receptors are
    NEST ports 1..n in the order they were given (``receptor_ports``); their parameters become
    per-port arrays (e.g. ``tau_syn``, ``E_rev``).

    Attributes
    ----------
    nest_model : str
        NEST model name (also as ``native_name``).
    receptor_ports : dict
        receptor name -> NEST receptor_type (port) number.
    variable_map, scale_factors : dict
        standard recordable -> NEST recordable, and NEST value x factor = standard value.
    extra_parameters : dict
        fixed NEST values with no standard counterpart.
    weight_scale : float
        standard weight x weight_scale = NEST weight (pA or nS).
    sign_selects_receptor : bool
        False: the port, not the weight sign, selects the receptor.
    """

    weight_scale = 1000.0
    sign_selects_receptor = False

    def __init__(self, point_neuron, nest_model, neuron_translations, extra_parameters, receptor_arrays):
        self.point_neuron = point_neuron
        self.nest_model = nest_model
        self.native_name = nest_model
        self.neuron_translations = neuron_translations
        self.extra_parameters = dict(extra_parameters)
        self.receptor_names = list(point_neuron.post_synaptic_receptors)
        self.receptor_ports = {name: k + 1 for k, name in enumerate(self.receptor_names)}
        # receptor name -> ((standard parameter, NEST array name), ...)
        self.receptor_arrays = {
            name: receptor_arrays[type(psr)]
            for name, psr in point_neuron.post_synaptic_receptors.items()
        }
        self.variable_map = {"v": "V_m"}
        self.scale_factors = {}
        if "w" in point_neuron.neuron.recordable:
            self.variable_map["w"] = "w"
            self.scale_factors["w"] = 0.001
        for name, psr in point_neuron.post_synaptic_receptors.items():
            port = self.receptor_ports[name]
            for var in psr.recordable:
                native = {"isyn": f"I_syn_{port}", "gsyn": f"g_{port}"}[var]
                self.variable_map[f"{name}.{var}"] = native
                self.scale_factors[f"{name}.{var}"] = 0.001

    def __iter__(self):
        yield self.nest_model
        yield self.native_parameters
        yield self.variable_map

    @property
    def native_array_names(self):
        """Names of the NEST per-port array parameters used by this model."""
        names = []
        for pairs in self.receptor_arrays.values():
            names.extend(native for _, native in pairs if native not in names)
        return names

    @property
    def native_parameters(self):
        """The point neuron's own parameter values, translated to NEST (extra
        parameters included)."""
        values = dict(self.point_neuron.get_parameters())
        native = dict(self.extra_parameters)
        native.update(self.translate(values))
        return native

    def _split(self, std_values):
        neuron_values, receptor_values = {}, {name: {} for name in self.receptor_names}
        for key, value in std_values.items():
            if key in receptor_values and isinstance(value, dict):
                receptor_values[key].update(value)
                continue
            receptor, name = self.point_neuron.split_name(key)
            if receptor is None:
                neuron_values[name] = value
            else:
                receptor_values[receptor][name] = value
        return neuron_values, receptor_values

    def translate(self, std_values):
        """Standard values (neuron names plus receptor values, flat 'AMPA.tau_syn' or
        nested {'AMPA': {...}}) -> NEST values.

        A per-port array is produced only when every receptor's value for it is given;
        it has shape (n_ports,) when all values are scalars, else (n_cells, n_ports).
        """
        neuron_values, receptor_values = self._split(std_values)
        native = StandardModelType.translate.__func__(_Table(self.neuron_translations), neuron_values)
        if "V_th" in native and self.extra_parameters.get("Delta_T") == 0.0:
            native["V_peak"] = native["V_th"]  # unused when Delta_T == 0, but must be >= V_th
        for array_name in self.native_array_names:
            columns = []
            for receptor in self.receptor_names:
                std_name = [s for s, n in self.receptor_arrays[receptor] if n == array_name]
                if not std_name or std_name[0] not in receptor_values[receptor]:
                    break
                columns.append(receptor_values[receptor][std_name[0]])
            else:
                native[array_name] = _stack_ports(columns)
        return native

    def reverse_translate(self, native_values):
        """NEST values -> standard values with flat names ('AMPA.tau_syn')."""
        std = StandardModelType.reverse_translate.__func__(_Table(self.neuron_translations), native_values)
        for receptor, pairs in self.receptor_arrays.items():
            column = self.receptor_ports[receptor] - 1
            for std_name, array_name in pairs:
                key = f"{receptor}.{std_name}"
                if array_name in native_values and key not in std:
                    arr = np.asarray(native_values[array_name], dtype=float)
                    std[key] = float(arr[column]) if arr.ndim == 1 else arr[:, column]
        return std


class _Table:
    """Minimal stand-in giving the StandardModelType translation functions a table."""

    def __init__(self, translations):
        self.translations = translations


def _stack_ports(columns):
    if not columns:
        return np.zeros(0)
    if all(np.ndim(c) == 0 for c in columns):
        return np.array([float(c) for c in columns])
    n = max(np.size(c) for c in columns)
    return np.column_stack([np.broadcast_to(np.asarray(c, dtype=float), (n,)) for c in columns])


def point_neuron_nest_model(point_neuron):
    """Choose the NEST model for a :class:`PointNeuron` and describe its translation.

    Returns a :class:`NestPointNeuronModel` (unpacks as ``(nest_model_name,
    native_parameters, variable_map)``). Raises NoModelAvailableError for combinations
    NEST cannot simulate.
    """
    neuron = point_neuron.neuron
    kinds = {type(psr) for psr in point_neuron.post_synaptic_receptors.values()}
    combination = (f"{type(neuron).__name__} with "
                   f"{', '.join(sorted(k.__name__ for k in kinds)) or 'no receptors'}")
    cond_kinds = {CondAlphaPostSynapticResponse, CondBetaPostSynapticResponse}
    if isinstance(neuron, LIF) and kinds <= {CurrExpPostSynapticResponse} and kinds:
        model, table, extra = "iaf_psc_exp_multisynapse", _LIF_ON_IAF, {}
    elif isinstance(neuron, (LIF, AdExp)) and kinds <= cond_kinds:
        model = ("aeif_cond_beta_multisynapse" if CondBetaPostSynapticResponse in kinds
                 else "aeif_cond_alpha_multisynapse")
        if isinstance(neuron, LIF):
            table, extra = _LIF_ON_AEIF, _LIF_AS_AEIF_EXTRA
        else:
            table, extra = _ADEXP_ON_AEIF, {}
    else:
        raise errors.NoModelAvailableError(
            f"PointNeuron({combination}) is not available on the NEST backend: NEST 3.10 has no "
            f"multisynapse model for it. Supported combinations: {_SUPPORTED_POINT_NEURONS}.")
    return NestPointNeuronModel(point_neuron, model, table, extra, _RECEPTOR_ARRAYS[model])
