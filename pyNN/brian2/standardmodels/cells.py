"""Brian2 descriptions of the standard cell types: equations, thresholds, resets, and the
translation of standard names and units to Brian2 variables in SI units.

Each class adds to its standard counterpart:

``native_name``
    the Brian2 object that simulates a population ('NeuronGroup' or
    'SpikeGeneratorGroup'), or None with a ``missing_reason``; ``native_description``
    says which model and integration method (shown in the support matrix).
``translations``
    standard parameter -> Brian2 variable, scaled from standard units to SI. Built
    automatically from the type's ``units`` (see :func:`si_translations`).
``brian2_model()``
    a :class:`Brian2Model`: the equations and everything needed to build the
    ``NeuronGroup`` (or ``SpikeGeneratorGroup``) of a population.

Integration methods (see :mod:`pyNN.brian2.integration`): current-based LIF types (and
PointNeuron(LIF, CurrExp...)) use the exact propagator :class:`ExactLIF` (as NEST's
iaf_psc models); conductance-based LIF types (GIF included), the exponential
integrate-and-fire types and conductance PointNeurons ``rk4``; HH ``rk4`` on 4 sub-steps
per dt; Izhikevich ``euler`` (as NEST's izhikevich).
"""

import math
import re

import numpy as np

from pyNN import errors
from pyNN.brian2.integration import ExactLIF, SharedMethod, SubstepMethod
from pyNN.standardmodels import build_translations, cells
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

#: standard unit -> (factor to SI, Brian2 unit in equations)
UNITS = {
    "mV": (1e-3, "volt"), "ms": (1e-3, "second"), "nA": (1e-9, "amp"), "nF": (1e-9, "farad"),
    "uS": (1e-6, "siemens"), "nS": (1e-9, "siemens"), "Hz": (1.0, "Hz"), "dimensionless": (1.0, "1"),
    "/ms": (1e3, "1/second"), "mV/ms": (1.0, "volt/second"), "s": (1.0, "second"),
}

#: standard names that are Brian2 unit names, or otherwise clash, and their native names
_RENAMED = {"cm": "c_m", "a": "a_w", "b": "b_w", "w": "w_ad"}


def state_array(obj, name):
    """The numpy array holding a Brian2 variable (runtime targets): reading and writing it
    directly needs no generated code, unlike indexing ``obj.<name>_`` (which compiles a
    code object per variable on the Cython target)."""
    return obj.variables[name].get_value()


def native_name_of(name):
    """Brian2 identifier of a standard parameter or variable ('AMPA.tau_syn' -> 'AMPA_tau_syn')."""
    if "." in name:
        receptor, _, rest = name.partition(".")
        return f"{receptor}_{native_name_of(rest)}"
    return _RENAMED.get(name, name)


def si_factor(unit):
    """Factor from a standard unit ('mV', 'nA', ...) to SI."""
    return UNITS[unit][0]


def si_translations(units, names):
    """Translation table: each standard parameter to its native name, scaled to SI."""
    return build_translations(*[(n, native_name_of(n), si_factor(units[n])) for n in names])


def _dt():
    from pyNN.brian2 import simulator  # the time step of the current set-up
    return simulator.state.dt


#: refractoriness of the cells: as Brian2's ``refractory='tau_refrac + dt'`` (which gives
#: NEST's dead time), but with the number of steps precomputed per cell, so that the
#: update does not divide tau_refrac by dt for every cell and step
_REFRACTORY_STEPS = "timestep(t - lastspike, dt) < ref_steps"


def with_refractory_steps(table):
    """A translation table in which tau_refrac (ms) becomes ``ref_steps`` (an integer)."""
    if "tau_refrac" in table:
        table = dict(table)
        table["tau_refrac"] = {
            "translated_name": "ref_steps", "scale_factor": None,
            # whole steps counted up, as NEST counts an off-grid period
            "forward_transform": lambda v: np.ceil(np.asarray(v["tau_refrac"], dtype=float) / _dt()
                                                   - 1e-6).astype(np.int64) + 1,
            "reverse_transform": lambda v: (np.asarray(v["ref_steps"]) - 1) * _dt()}
    return table


class Brian2Model:
    """Everything needed to build the Brian2 group of one population.

    Attributes
    ----------
    kind : 'neuron' or 'array'
        'array' builds a SpikeGeneratorGroup, 'neuron' a NeuronGroup.
    equations : str
        Brian2 equations, including the parameter declarations.
    threshold, reset, refractory, method : str or None
        As for ``brian2.NeuronGroup``.
    receptors : dict
        receptor type -> ``on_pre`` statement of a Synapses object onto this model (the
        synaptic weight, a magnitude in SI units, is called ``weight``).
    weight_unit : str
        Brian2 unit of the weight.
    state : dict
        standard state variable -> (native variable, factor from standard units to SI).
    spikes_after_update : bool
        True when the threshold tests the state after it was integrated over the step, so a
        spike found in the step starting at t is stamped t + dt (as NEST does); False for
        sources, whose spike in that step is stamped t.
    regular_code : str or None
        Code run every step (``run_regularly``) in Brian2's slot `regular_when` (default
        just before the threshold).
    settable_subexpressions : dict
        standard state variable that is a subexpression -> function(group, values, indices)
        setting its underlying variables.
    per_cell : tuple of str
        parameters read by Python code (settable_subexpressions), which stay per-cell
        variables even when homogeneous.
    functions : dict
        name -> Brian2 ``Function`` the code uses (put in the group's namespace).
    """

    def __init__(self, name, equations, threshold=None, reset=None, refractory=False, method=None,
                 receptors=None, weight_unit="1", state=None, kind="neuron", spikes_after_update=True,
                 regular_code=None, regular_when="thresholds", settable_subexpressions=None,
                 injectable=True, per_cell=(), functions=None):
        self.name = name
        self.functions = dict(functions or {})
        self.per_cell = tuple(per_cell)
        self.threshold = threshold
        self.reset = reset
        if refractory == "tau_refrac + dt":
            refractory = _REFRACTORY_STEPS
            equations = equations.replace("tau_refrac : second", "ref_steps : integer")
        self.equations = equations
        self.refractory = refractory
        # per-cell parameters make the derived code the same for every group of a model
        self.method = SharedMethod(method) if isinstance(method, str) else method
        self.receptors = receptors or {}
        self.weight_unit = weight_unit
        self.state = state or {}
        self.kind = kind
        self.spikes_after_update = spikes_after_update
        self.regular_code = regular_code
        self.regular_when = regular_when
        self.settable_subexpressions = settable_subexpressions or {}
        self.injectable = injectable


def _declarations(units, names):
    return "\n".join(f"{native_name_of(n)} : {UNITS[units[n]][1]}" for n in names)


def _state(units, names):
    return {n: (native_name_of(n), si_factor(units[n])) for n in names}


#: external input of every injectable cell: current sources (see current_sources.py)
_INJECTION = "I_inj : amp\ncs_row : integer\n"

_E = repr(math.e)


# --- integrate-and-fire -------------------------------------------------------------------------

def _exact_lif(shape, names=(("isyn_exc", "tau_syn_E", "y_exc"), ("isyn_inh", "tau_syn_I", "y_inh"))):
    if shape == "delta":
        return ExactLIF([])
    return ExactLIF([(c, t, a if shape == "alpha" else None) for c, t, a in names])


def _if_synapses(kind, shape):
    """(equations, current expression, receptors, method) of the two standard synapses."""
    if kind == "curr":
        var, unit = "isyn", "amp"
        current = "isyn_exc + isyn_inh"
        sign = {"exc": "+", "inh": "-"}
    else:
        var, unit = "gsyn", "siemens"
        current = "gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v)"
        sign = {"exc": "+", "inh": "+"}
    eqs, receptors = [], {}
    for rec, suffix, tau in (("excitatory", "exc", "tau_syn_E"), ("inhibitory", "inh", "tau_syn_I")):
        if shape == "exp":
            eqs.append(f"d{var}_{suffix}/dt = -{var}_{suffix}/{tau} : {unit}")
            receptors[rec] = f"{var}_{suffix}_post {sign[suffix]}= weight"
        else:  # alpha: an auxiliary variable y decays, the response rises from it
            eqs.append(f"d{var}_{suffix}/dt = (y_{suffix} - {var}_{suffix})/{tau} : {unit}")
            eqs.append(f"dy_{suffix}/dt = -y_{suffix}/{tau} : {unit}")
            receptors[rec] = f"y_{suffix}_post {sign[suffix]}= {_E}*weight"
    return "\n".join(eqs), current, receptors


#: integration method of the conductance-based LIF types (the current-based ones use
#: ExactLIF): conductances change within a step, so exponential Euler, which holds them
#: fixed over the step, drifts from NEST's adaptive solver (RK4 agrees to the step)
_LIF_METHODS = {("cond", "exp"): "rk4", ("cond", "alpha"): "rk4"}


#: parameters that only divide in the conductance-based LIF equations: stored as their
#: reciprocals, so that the compiled update multiplies (a division per neuron and step is
#: what made per-cell parameters cost twice Brian2 constants)
_RECIPROCALS = ("tau_m", "c_m", "tau_syn_E", "tau_syn_I", "tau_sfa", "tau_rr")


def reciprocal_translations(base):
    """Translation table of a conductance-based LIF type: SI values, with the parameters of
    _RECIPROCALS stored as ``inv_<name>``."""
    table = {}
    for name in base.default_parameters:
        native = native_name_of(name)
        factor = si_factor(base.units[name])
        if native in _RECIPROCALS:
            table[name] = {"translated_name": f"inv_{native}", "scale_factor": None,
                           "forward_transform": lambda v, _n=name, _f=factor: 1.0 / (np.asarray(v[_n]) * _f),
                           "reverse_transform": lambda v, _n=native, _f=factor: 1.0 / (np.asarray(v[f"inv_{_n}"]) * _f)}
        else:
            table.update(build_translations((name, native, factor)))
    return with_refractory_steps(table)


def _use_reciprocals(equations, units, params):
    """Equations with ``/x`` -> ``*inv_x`` and the declarations of ``inv_x`` (see _RECIPROCALS)."""
    lines = []
    for line in equations.split("\n"):
        name = line.split(":")[0].strip()
        if name in _RECIPROCALS and ":" in line and "=" not in line:
            unit = UNITS[units[{"c_m": "cm"}.get(name, name)]][1]
            line = f"inv_{name} : " + ("Hz" if unit == "second" else f"1/{unit}")
        for r in _RECIPROCALS:
            line = line.replace(f"/{r}", f"*inv_{r}")
        lines.append(line)
    return "\n".join(lines)


def _lif_model(celltype, kind, shape, extra_current="", extra_eqs="", reset_extra=""):
    units = type(celltype).units
    params = list(type(celltype).default_parameters)
    if shape == "delta":
        syn_eqs, syn_current, receptors = "", "0*amp", {
            "excitatory": "v_post += weight*int(not_refractory_post)",
            "inhibitory": "v_post -= weight*int(not_refractory_post)"}
    else:
        syn_eqs, syn_current, receptors = _if_synapses(kind, shape)
    eqs = (f"dv/dt = (v_rest - v)/tau_m + ({syn_current}{extra_current} + i_offset + I_inj)/c_m "
           f": volt (unless refractory)\n{syn_eqs}\n{extra_eqs}\n{_INJECTION}"
           + _declarations(units, params))
    state = _state(units, [v for v in type(celltype).default_initial_values])
    if kind == "cond":
        eqs = _use_reciprocals(eqs, units, params)
    weight_unit = {"curr": "amp", "cond": "siemens", "delta": "volt"}[kind if shape != "delta" else "delta"]
    return Brian2Model(
        type(celltype).__name__, eqs, threshold="v >= v_thresh", reset="v = v_reset" + reset_extra,
        refractory="tau_refrac + dt", method=_LIF_METHODS.get((kind, shape)) or _exact_lif(shape),
        receptors=receptors, weight_unit=weight_unit, state=state)


class Brian2CellTypeMixin:
    """Defaults of the Brian2-specific attributes of a cell type: a population is one
    NeuronGroup, built from ``brian2_model()``."""

    native_name = "NeuronGroup"


def _std_table(base):
    return with_refractory_steps(si_translations(base.units, list(base.default_parameters)))


class IF_curr_alpha(Brian2CellTypeMixin, cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    native_description = "LIF, alpha-shaped currents (exact)"
    translations = _std_table(cells.IF_curr_alpha)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _lif_model(self, "curr", "alpha")


class IF_curr_exp(Brian2CellTypeMixin, cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    native_description = "LIF, exponential currents (exact)"
    translations = _std_table(cells.IF_curr_exp)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _lif_model(self, "curr", "exp")


class IF_curr_delta(Brian2CellTypeMixin, cells.IF_curr_delta):
    __doc__ = cells.IF_curr_delta.__doc__
    native_description = "LIF, voltage jumps (exact)"
    translations = _std_table(cells.IF_curr_delta)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _lif_model(self, "delta", "delta")


class IF_cond_alpha(Brian2CellTypeMixin, cells.IF_cond_alpha):
    __doc__ = cells.IF_cond_alpha.__doc__
    native_description = "LIF, alpha-shaped conductances (RK4)"
    translations = reciprocal_translations(cells.IF_cond_alpha)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _lif_model(self, "cond", "alpha")


class IF_cond_exp(Brian2CellTypeMixin, cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    native_description = "LIF, exponential conductances (RK4)"
    translations = reciprocal_translations(cells.IF_cond_exp)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _lif_model(self, "cond", "exp")


class IF_cond_exp_gsfa_grr(Brian2CellTypeMixin, cells.IF_cond_exp_gsfa_grr):
    __doc__ = cells.IF_cond_exp_gsfa_grr.__doc__
    native_description = "LIF, exponential conductances, adaptation and relative refractoriness (RK4)"
    translations = reciprocal_translations(cells.IF_cond_exp_gsfa_grr)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _lif_model(
            self, "cond", "exp",
            extra_current=" + g_s*(e_rev_sfa - v) + g_r*(e_rev_rr - v)",
            extra_eqs="dg_s/dt = -g_s/tau_sfa : siemens\ndg_r/dt = -g_r/tau_rr : siemens",
            reset_extra="; g_s += q_sfa; g_r += q_rr")


class IF_facets_hardware1(Brian2CellTypeMixin, cells.IF_facets_hardware1):
    __doc__ = cells.IF_facets_hardware1.__doc__
    native_description = "LIF, exponential conductances, cm 0.2 nF, t_ref 1 ms, E_ex 0 mV (RK4)"
    translations = _std_table(cells.IF_facets_hardware1)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        units = cells.IF_facets_hardware1.units
        syn_eqs, current, receptors = _if_synapses("cond", "exp")
        current = current.replace("e_rev_E", "0*mV")
        eqs = (f"dv/dt = (g_leak*(v_rest - v) + {current} + I_inj)/(0.2*nfarad) : volt (unless refractory)\n"
               f"{syn_eqs}\n{_INJECTION}" + _declarations(units, list(self.default_parameters)))
        return Brian2Model("IF_facets_hardware1", eqs, threshold="v >= v_thresh", reset="v = v_reset",
                           refractory="1*ms + dt", method="rk4", receptors=receptors,
                           weight_unit="siemens", state=_state(units, list(self.default_initial_values)))


class HH_cond_exp(Brian2CellTypeMixin, cells.HH_cond_exp):
    __doc__ = cells.HH_cond_exp.__doc__
    native_description = "Hodgkin-Huxley (Traub), exponential conductances (RK4, 4 sub-steps per dt)"
    translations = _std_table(cells.HH_cond_exp)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        units = cells.HH_cond_exp.units
        syn_eqs, current, receptors = _if_synapses("cond", "exp")
        receptors.pop("source_section.gap", None)
        eqs = f"""
        dv/dt = (g_leak*(e_rev_leak - v) + gbar_Na*m**3*h*(e_rev_Na - v) + gbar_K*n**4*(e_rev_K - v)
                 + {current} + i_offset + I_inj)/c_m : volt
        u_hh = (v - v_offset)/mV : 1
        dm/dt = (1.28/exprel((13 - u_hh)/4)*(1 - m) - 1.4/exprel((u_hh - 40)/5)*m)/ms : 1
        dn/dt = (0.16/exprel((15 - u_hh)/5)*(1 - n) - 0.5*exp((10 - u_hh)/40)*n)/ms : 1
        dh/dt = (0.128*exp((17 - u_hh)/18)*(1 - h) - 4/(1 + exp((40 - u_hh)/5))*h)/ms : 1
        {syn_eqs}
        """ + _INJECTION + _declarations(units, list(self.default_parameters))
        # as NEST's hh_cond_exp_traub: a spike at the peak above v_offset + 30 mV (v falls
        # again), then 2 ms without spike detection
        eqs += "\nv_before : volt"
        return Brian2Model("HH_cond_exp", eqs, threshold="v > v_offset + 30*mV and v < v_before",
                           refractory="2*ms + dt", method=SubstepMethod("rk4", 4),
                           regular_code="v_before = v", regular_when="before_groups",
                           receptors=receptors, weight_unit="siemens",
                           state=_state(units, list(self.default_initial_values)))


def _adexp_equations(current):
    # As NEST's aeif models, the right-hand sides see v bounded by the spike peak: in the step
    # in which v crosses v_spike, the RK4 stages would otherwise evaluate the exponential
    # term, and w its drive a*(v - v_rest), at potentials far beyond the peak (w jumped by
    # nA with v_spike = -30 mV). The exponent is clipped only against overflow (delta_T = 0).
    current = re.sub(r"\bv\b", "v_b", current)
    return f"""
    dv/dt = (c_m/tau_m*(v_rest - v_b) + c_m/tau_m*delta_T*exp(clip((v_b - v_thresh)/(delta_T + 1e-9*mV), -500, 700))
             - w_ad + {current} + i_offset + I_inj)/c_m : volt (unless refractory)
    dw_ad/dt = (a_w*(v_b - v_rest) - w_ad)/tau_w : amp
    v_b = clip(v, -inf*volt, v_spike) : volt
    """


#: with delta_T = 0 the AdExp neuron fires at v_thresh, as NEST's aeif models do
_ADEXP_THRESHOLD = "v >= v_spike*int(delta_T > 0*mV) + v_thresh*int(delta_T <= 0*mV)"


def _eif_model(celltype, shape):
    units = type(celltype).units
    syn_eqs, current, receptors = _if_synapses("cond", shape)
    eqs = _adexp_equations(current) + syn_eqs + "\n" + _INJECTION + _declarations(
        units, list(type(celltype).default_parameters))
    return Brian2Model(type(celltype).__name__, eqs, threshold=_ADEXP_THRESHOLD,
                       reset="v = v_reset; w_ad += b_w", refractory="tau_refrac + dt", method="rk4",
                       receptors=receptors, weight_unit="siemens",
                       state=_state(units, list(type(celltype).default_initial_values)))


class EIF_cond_alpha_isfa_ista(Brian2CellTypeMixin, cells.EIF_cond_alpha_isfa_ista):
    __doc__ = cells.EIF_cond_alpha_isfa_ista.__doc__
    native_description = "AdExp, alpha-shaped conductances (RK4)"
    translations = _std_table(cells.EIF_cond_alpha_isfa_ista)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _eif_model(self, "alpha")


class EIF_cond_exp_isfa_ista(Brian2CellTypeMixin, cells.EIF_cond_exp_isfa_ista):
    __doc__ = cells.EIF_cond_exp_isfa_ista.__doc__
    native_description = "AdExp, exponential conductances (RK4)"
    translations = _std_table(cells.EIF_cond_exp_isfa_ista)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _eif_model(self, "exp")


class Izhikevich(Brian2CellTypeMixin, cells.Izhikevich):
    __doc__ = cells.Izhikevich.__doc__
    native_description = "Izhikevich (forward Euler, as NEST)"
    translations = _std_table(cells.Izhikevich)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        units = cells.Izhikevich.units
        # currents act as in NEST's izhikevich: 1 pA changes v by 1 mV/ms
        eqs = ("dv/dt = (0.04/mV*v**2 + 5*v + 140*mV)/ms - u + (i_offset + I_inj)/pfarad : volt\n"
               "du/dt = a_w*(b_w*v - u) : volt/second\n" + _INJECTION
               + _declarations(units, list(self.default_parameters)))
        return Brian2Model("Izhikevich", eqs, threshold="v >= 30*mV", reset="v = c; u += d",
                           method="euler", weight_unit="volt",
                           receptors={"excitatory": "v_post += weight", "inhibitory": "v_post -= weight"},
                           state=_state(units, list(self.default_initial_values)))


class GIF_cond_exp(Brian2CellTypeMixin, cells.GIF_cond_exp):
    __doc__ = cells.GIF_cond_exp.__doc__
    native_description = "GIF, escape noise, exponential conductances (RK4)"
    #: array-valued parameters, each split into one native variable per kernel
    kernel_parameters = ("tau_eta", "tau_gamma", "a_eta", "a_gamma")
    translations = with_refractory_steps(si_translations(
        cells.GIF_cond_exp.units,
        [n for n in cells.GIF_cond_exp.default_parameters if n not in ("tau_eta", "tau_gamma", "a_eta", "a_gamma")]))

    def brian2_model(self, n_eta=3, n_gamma=3):
        """The Brian2Model of the GIF cell, with one state variable per kernel.

        Parameters
        ----------
        n_eta, n_gamma : int
            Number of exponential kernels of the spike-triggered current and of the
            threshold movement.
        """
        units = cells.GIF_cond_exp.units
        syn_eqs, current, receptors = _if_synapses("cond", "exp")
        scalar = [n for n in self.default_parameters if n not in self.kernel_parameters]
        eta = [f"eta{k}" for k in range(n_eta)]
        gamma = [f"gamma{k}" for k in range(n_gamma)]
        lines = [
            f"dv/dt = (v_rest - v)/tau_m + ({current} - i_eta + i_offset + I_inj)/c_m : volt (unless refractory)",
            f"i_eta = {' + '.join(eta) or '0*amp'} : amp",
            f"v_t = v_t_star + {' + '.join(gamma) or '0*mV'} : volt",
            syn_eqs,
        ]
        for k, name in enumerate(eta):
            lines += [f"d{name}/dt = -{name}/tau_eta_{k} : amp", f"tau_eta_{k} : second",
                      f"a_eta_{k} : amp"]
        for k, name in enumerate(gamma):
            lines += [f"d{name}/dt = -{name}/tau_gamma_{k} : volt", f"tau_gamma_{k} : second",
                      f"a_gamma_{k} : volt"]
        eqs = "\n".join(lines) + "\n" + _INJECTION + _declarations(units, scalar)
        reset = "; ".join(["v = v_reset"] + [f"eta{k} += a_eta_{k}" for k in range(n_eta)]
                          + [f"gamma{k} += a_gamma_{k}" for k in range(n_gamma)])
        state = _state(units, list(self.default_initial_values))

        def set_i_eta(group, values, indices):
            # the whole spike-triggered current starts in the first kernel
            for k in range(n_eta):
                state_array(group, f"eta{k}")[indices] = values if k == 0 else 0.0

        def set_v_t(group, values, indices):
            for k in range(n_gamma):
                v_t_star = state_array(group, "v_t_star")[indices]
                state_array(group, f"gamma{k}")[indices] = (values - v_t_star) if k == 0 else 0.0
        return Brian2Model(
            "GIF_cond_exp", eqs,
            threshold="rand() < 1 - exp(-lambda0*exp((v - v_t)/delta_v)*dt)",
            reset=reset, refractory="tau_refrac + dt", method=_LIF_METHODS[("cond", "exp")], receptors=receptors,
            weight_unit="siemens", state=state,
            settable_subexpressions={"i_eta": set_i_eta, "v_t": set_v_t}, per_cell=("v_t_star",))


# --- spike sources ------------------------------------------------------------------------------

#: a source fires in the steps with start < t <= start + duration (as NEST's generators)
_WINDOW = "timestep(t, dt) > timestep(start, dt) and timestep(t, dt) <= timestep(start + duration, dt)"


def _source_model(celltype, equations_extra="", threshold="", refractory=False, reset=None,
                  regular_code=None):
    units = type(celltype).units
    eqs = equations_extra + "\n" + _declarations(units, list(type(celltype).default_parameters))
    return Brian2Model(type(celltype).__name__, eqs, threshold=threshold, refractory=refractory,
                       reset=reset, spikes_after_update=False, regular_code=regular_code,
                       injectable=False)


class SpikeSourcePoisson(Brian2CellTypeMixin, cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    native_description = "Bernoulli trial per step"
    translations = _std_table(cells.SpikeSourcePoisson)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return _source_model(self, threshold=f"{_WINDOW} and rand() < rate*dt")


class SpikeSourcePoissonRefractory(Brian2CellTypeMixin, cells.SpikeSourcePoissonRefractory):
    __doc__ = cells.SpikeSourcePoissonRefractory.__doc__
    native_description = "Bernoulli trial per step after a dead time"
    # tau_refrac stays a time here: the threshold needs it
    translations = si_translations(cells.SpikeSourcePoissonRefractory.units,
                                   list(cells.SpikeSourcePoissonRefractory.default_parameters))

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        # the hazard after the dead time gives the requested mean rate: Brian2's refractory
        # period tau_refrac blocks the round(tau_refrac/dt) - 1 steps after a spike, and a
        # spike is possible from the next one on (as the emulator's source)
        return _source_model(self, threshold=f"{_WINDOW} and rand() < "
                                             "rate/(1 - rate*clip(tau_refrac - dt, 0*ms, tau_refrac))*dt",
                             refractory="tau_refrac")


class SpikeSourceGamma(Brian2CellTypeMixin, cells.SpikeSourceGamma):
    __doc__ = cells.SpikeSourceGamma.__doc__
    native_description = "counting alpha Poisson events of rate beta"
    translations = _std_table(cells.SpikeSourceGamma)

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        # as NEST's gamma_sup_generator with one process, the process starts in its last stage:
        # the first spike needs one event (`fired` is 0 until then)
        return _source_model(self, "n_events : 1\nfired : 1",
                             threshold="n_events >= alpha - 0.5 - (alpha - 1)*(1 - fired)",
                             reset="n_events = 0; fired = 1",
                             regular_code=f"n_events += int(({_WINDOW}) and rand() < beta*dt)")


class SpikeSourceInhGamma(Brian2CellTypeMixin, cells.SpikeSourceInhGamma):
    __doc__ = cells.SpikeSourceInhGamma.__doc__
    native_name = None
    missing_reason = ("an inhomogeneous gamma process with a time-varying non-integer shape has no "
                      "Brian2 implementation in this library")
    translations = {}


class SpikeSourceArray(Brian2CellTypeMixin, cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    native_name = "SpikeGeneratorGroup"
    translations = build_translations(("spike_times", "spike_times"))

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        return Brian2Model("SpikeSourceArray", "", kind="array", spikes_after_update=False,
                           injectable=False)


# --- PointNeuron --------------------------------------------------------------------------------

def _receptor_parts(name, psr, sign=1.0):
    """(equations, current term, on_pre statement, extra native parameters) of one receptor;
    `sign` is the core's PointNeuron.receptor_sign for current receptors."""
    p = f"{name}_"
    units = type(psr).units
    decl = "\n".join(f"{p}{k} : {UNITS[units[k]][1]}" for k in type(psr).default_parameters)
    if isinstance(psr, CurrExpPostSynapticResponse):
        return (f"d{p}isyn/dt = -{p}isyn/{p}tau_syn : amp\n{decl}", f"{p}isyn",
                f"{p}isyn_post {'-' if sign < 0 else '+'}= weight", "amp")
    driving = f"*({p}e_syn - v)"
    if isinstance(psr, CondExpPostSynapticResponse):
        return (f"d{p}gsyn/dt = -{p}gsyn/{p}tau_syn : siemens\n{decl}", f"{p}gsyn{driving}",
                f"{p}gsyn_post += weight", "siemens")
    if isinstance(psr, CondAlphaPostSynapticResponse):
        return (f"d{p}gsyn/dt = ({p}y - {p}gsyn)/{p}tau_syn : siemens\nd{p}y/dt = -{p}y/{p}tau_syn : siemens\n"
                f"{decl}", f"{p}gsyn{driving}", f"{p}y_post += {_E}*weight", "siemens")
    if isinstance(psr, CondBetaPostSynapticResponse):
        return (f"{p}gsyn = {p}decay - {p}rise : siemens\nd{p}decay/dt = -{p}decay/{p}tau_decay : siemens\n"
                f"d{p}rise/dt = -{p}rise/{p}tau_rise : siemens\n{p}peak_norm : 1\n{decl}",
                f"{p}gsyn{driving}", f"{p}decay_post += weight*{p}peak_norm_post; "
                f"{p}rise_post += weight*{p}peak_norm_post", "siemens")
    raise errors.NoModelAvailableError(
        f"PointNeuron receptor '{name}' ({type(psr).__name__}) is not available on the Brian2 backend")


def beta_peak_norm(tau_rise, tau_decay):
    """1 / peak of exp(-t/tau_decay) - exp(-t/tau_rise), so that a weight is the peak conductance."""
    tau_rise = np.asarray(tau_rise, dtype=float)
    tau_decay = np.asarray(tau_decay, dtype=float)
    same = np.isclose(tau_rise, tau_decay)
    tr = np.where(same, tau_decay * (1 - 1e-6), tau_rise)
    t_peak = tau_decay * tr / (tau_decay - tr) * np.log(tau_decay / tr)
    return 1.0 / (np.exp(-t_peak / tau_decay) - np.exp(-t_peak / tr))


class PointNeuronModel:
    """Translation data of one :class:`PointNeuron` instance (its Brian2 model and table):
    the native type of a population of PointNeurons."""

    native_name = "NeuronGroup"

    def __init__(self, point_neuron):
        neuron = point_neuron.neuron
        receptors = point_neuron.post_synaptic_receptors
        for name in receptors:
            if not name.isidentifier():
                raise errors.NoModelAvailableError(
                    f"PointNeuron receptor name {name!r} is not available on the Brian2 backend: receptor "
                    f"names must be valid identifiers")
        cls = type(point_neuron)
        self.units = cls.units
        eqs, currents, on_pre, weight_units = [], [], {}, set()
        for name, psr in receptors.items():
            e, current, statement, wu = _receptor_parts(name, psr, point_neuron.receptor_sign(name))
            eqs.append(e)
            currents.append(current)
            on_pre[name] = statement
            weight_units.add(wu)
        current = " + ".join(currents) or "0*amp"
        neuron_params = list(type(neuron).default_parameters)
        if isinstance(neuron, AdExp):
            membrane = _adexp_equations(current)
            threshold, reset, method = _ADEXP_THRESHOLD, "v = v_reset; w_ad += b_w", "rk4"
        elif isinstance(neuron, LIF):
            membrane = f"dv/dt = (v_rest - v)/tau_m + ({current} + i_offset + I_inj)/c_m : volt (unless refractory)"
            threshold, reset = "v >= v_thresh", "v = v_reset"
            method = "rk4" if cls.conductance_based else ExactLIF(
                [(f"{n}_isyn", f"{n}_tau_syn", None) for n in receptors])
        else:
            raise errors.NoModelAvailableError(
                f"PointNeuron({type(neuron).__name__}) is not available on the Brian2 backend: only LIF and "
                f"AdExp neurons are")
        equations = "\n".join([membrane] + eqs) + "\n" + _INJECTION + _declarations(self.units, neuron_params)
        self.model = Brian2Model("PointNeuron", equations, threshold=threshold, reset=reset,
                                 refractory="tau_refrac + dt", method=method, receptors=on_pre,
                                 weight_unit=weight_units.pop() if weight_units else "1",
                                 state=_state(self.units, list(cls.default_initial_values)))
        beta = [n for n, psr in receptors.items() if isinstance(psr, CondBetaPostSynapticResponse)]
        for name in beta:
            def set_gsyn(group, values, indices, _p=f"{name}_"):
                state_array(group, f"{_p}decay")[indices] = values
                state_array(group, f"{_p}rise")[indices] = 0.0
            self.model.settable_subexpressions[f"{name}.gsyn"] = set_gsyn
        names = [n for n in cls.default_parameters]
        table = with_refractory_steps(si_translations(self.units, names))
        for name in beta:
            table[f"{name}.peak_norm"] = {
                "translated_name": f"{name}_peak_norm", "scale_factor": None,
                "forward_transform": lambda v, _n=name: beta_peak_norm(v[f"{_n}.tau_rise"], v[f"{_n}.tau_decay"]),
                "reverse_transform": lambda v: None}
        self.translations = table

    def brian2_model(self):
        """The Brian2Model (equations, threshold, reset, receptors) of this cell type."""
        """The Brian2 description of the point neuron (built once, by the constructor)."""
        return self.model

    def translate(self, std_values):
        """Standard values (flat 'AMPA.tau_syn' names) -> Brian2 values in SI units."""
        native = {}
        for _name, entry in self.translations.items():
            try:
                native[entry["translated_name"]] = entry["forward_transform"](std_values)
            except KeyError:
                continue
        return native


LIMITATIONS = (
    "native models: `native_cell_type()`, `native_synapse_type()` and `native_electrode_type()` raise "
    "NotSupportedError (Brian2 models are equations; use the standard types or PointNeuron).",
    "SpikeSourceInhGamma is not available (raises NoModelAvailableError).",
    "`setup(spike_precision='off_grid')` is ignored (an INFO log line): spike times stay on the time grid.",
    "STDP: `dendritic_delay_fraction` must be 0.0 or 1.0, one value per projection, and 1.0 onto voltage-jump "
    "targets (IF_curr_delta, Izhikevich) (InvalidParameterValueError); it cannot be changed with set() "
    "(NotSupportedError); the weight and the rule's "
    "parameters of a plastic projection cannot be changed with set() between runs (NotSupportedError; allowed "
    "before the first run and after reset()).",
    "A projection whose delays are all equal when it is created gets one shared Brian2 delay; making them "
    "different per connection later with set() raises NotImplementedError.",
    "A SpikeSourceArray cell emits at most one spike per time step: several spike times of one cell "
    "that round to the same step give one spike (with a UserWarning saying how many were dropped; the "
    "other backends deliver each one).",
    "processes: a launch as several MPI processes (mpirun) is refused with NotSupportedError (Brian2 runs a "
    "network in one process).",
)

#: the same names as the standard module, with this module's Brian2 classes
__all__ = list(cells.__all__)
