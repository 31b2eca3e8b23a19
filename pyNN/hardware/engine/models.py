"""Which engine model simulates which standard cell type, with which receptors.

:func:`build_group` takes a standard cell type instance, the number of cells and the
per-cell parameter values in standard units, and returns the engine group.
"""

import numpy as np

from pyNN import errors
import pyNN.hardware.engine.neurons as neurons
import pyNN.hardware.engine.sources as sources
from pyNN.hardware.engine.receptors import ReceptorSpec
from pyNN.standardmodels import cells as std

#: engine model of each standard cell type, by name (the description shown in the support matrix)
ENGINE_MODELS = {
    "IF_curr_exp": "lif_curr_exp (exact integration)",
    "IF_curr_alpha": "lif_curr_alpha (exact integration)",
    "IF_curr_delta": "lif_curr_delta (exact integration)",
    "IF_cond_exp": "lif_cond_exp (exponential midpoint)",
    "IF_cond_alpha": "lif_cond_alpha (exponential midpoint)",
    "IF_cond_exp_gsfa_grr": "lif_cond_exp_gsfa_grr (exponential midpoint)",
    "IF_facets_hardware1": "lif_cond_exp (exponential midpoint)",
    "HH_cond_exp": "hh_traub (RK4, 0.01 ms)",
    "EIF_cond_alpha_isfa_ista": "adex_cond_alpha (RK4, 0.025 ms)",
    "EIF_cond_exp_isfa_ista": "adex_cond_exp (RK4, 0.025 ms)",
    "Izhikevich": "izhikevich (Euler, as NEST)",
    "GIF_cond_exp": "gif_cond_exp (exponential midpoint, escape noise)",
    "SpikeSourcePoisson": "poisson (Bernoulli per step)",
    "SpikeSourcePoissonRefractory": "poisson_dead_time",
    "SpikeSourceGamma": "gamma (Erlang renewal)",
    "SpikeSourceInhGamma": "inh_gamma (renewal, per-bin gamma)",
    "SpikeSourceArray": "spike_array",
    "PointNeuron": "lif/adex with named receptors",
}


#: spike-source group of each standard source type
SOURCE_GROUPS = {
    std.SpikeSourceArray: sources.ArraySource,
    std.SpikeSourcePoisson: sources.PoissonSource,
    std.SpikeSourcePoissonRefractory: sources.PoissonRefractorySource,
    std.SpikeSourceGamma: sources.GammaSource,
    std.SpikeSourceInhGamma: sources.InhGammaSource,
}

#: (neuron group, receptor kind, conductance-based) of each standard neuron type
NEURON_GROUPS = {
    std.IF_curr_exp: (neurons.LIFCurrent, "curr_exp", False),
    std.IF_curr_alpha: (neurons.LIFCurrent, "curr_alpha", False),
    std.IF_curr_delta: (neurons.LIFCurrent, "delta", False),
    std.IF_cond_exp: (neurons.LIFConductance, "cond_exp", True),
    std.IF_cond_alpha: (neurons.LIFConductance, "cond_alpha", True),
    std.IF_cond_exp_gsfa_grr: (neurons.LIFConductance, "cond_exp", True),
    std.IF_facets_hardware1: (neurons.LIFConductance, "cond_exp", True),
    std.HH_cond_exp: (neurons.HodgkinHuxley, "cond_exp", True),
    std.EIF_cond_alpha_isfa_ista: (neurons.AdExp, "cond_alpha", True),
    std.EIF_cond_exp_isfa_ista: (neurons.AdExp, "cond_exp", True),
    std.Izhikevich: (neurons.Izhikevich, "delta", False),
    std.GIF_cond_exp: (neurons.GIF, "cond_exp", True),
}

#: neuron group of each PointNeuron membrane (None: LIF, current- or conductance-based by its receptors)
MEMBRANE_GROUPS = {std.LIF: None, std.AdExp: neurons.AdExp}


def _registered(table, cls):
    """The entry of `cls` or of its nearest registered base class, or None."""
    return next((table[base] for base in cls.__mro__ if base in table), None)


def _exc_inh(kind, params, cond):
    if kind == "delta":
        return [ReceptorSpec("excitatory", "delta", sign=1.0), ReceptorSpec("inhibitory", "delta", sign=-1.0)]
    if cond:
        return [ReceptorSpec("excitatory", kind, params["tau_syn_E"], e_rev=params["e_rev_E"]),
                ReceptorSpec("inhibitory", kind, params["tau_syn_I"], e_rev=params["e_rev_I"])]
    return [ReceptorSpec("excitatory", kind, params["tau_syn_E"], sign=1.0),
            ReceptorSpec("inhibitory", kind, params["tau_syn_I"], sign=-1.0)]


def _point_neuron_specs(celltype, params):
    """The receptors of a PointNeuron, from its post-synaptic response components."""
    specs = []
    for name, cls in type(celltype).receptor_classes.items():
        if issubclass(cls, std.CurrExpPostSynapticResponse):
            specs.append(ReceptorSpec(name, "curr_exp", params[f"{name}.tau_syn"], sign=celltype.receptor_sign(name)))
        elif issubclass(cls, std.CondExpPostSynapticResponse):
            specs.append(ReceptorSpec(name, "cond_exp", params[f"{name}.tau_syn"], e_rev=params[f"{name}.e_syn"]))
        elif issubclass(cls, std.CondAlphaPostSynapticResponse):
            specs.append(ReceptorSpec(name, "cond_alpha", params[f"{name}.tau_syn"],
                                      e_rev=params[f"{name}.e_syn"]))
        elif issubclass(cls, std.CondBetaPostSynapticResponse):
            specs.append(ReceptorSpec(name, "cond_beta", params[f"{name}.tau_decay"],
                                      e_rev=params[f"{name}.e_syn"], tau_rise=params[f"{name}.tau_rise"]))
        else:
            raise errors.NoModelAvailableError(
                f"PointNeuron receptor '{name}' ({cls.__name__}) is not available on the hardware backend")
    return specs


def _with_specs(cls, fn):
    """A subclass of `cls` whose receptor list is recomputed by `fn(params)` after each
    parameter change."""
    class Group(cls):
        def receptor_specs_from(self, params):
            return fn(params)
    Group.__name__ = cls.__name__
    Group.__qualname__ = cls.__qualname__
    return Group


_CACHE = {}


def _group_class(base, fn_key, fn):
    key = (base, fn_key)
    if key not in _CACHE:
        _CACHE[key] = _with_specs(base, fn)
    return _CACHE[key]


def facets_parameters(params, n):
    """IF_facets_hardware1 expressed as IF_cond_exp parameters (cm 0.2 nF, 1 ms
    refractory period, e_rev_E 0 mV, no offset current)."""
    out = dict(params)
    out["cm"] = np.full(n, 0.2)
    out["tau_m"] = 0.2 / (1e-3 * np.asarray(params["g_leak"], float))
    out["tau_refrac"] = np.full(n, 1.0)
    out["e_rev_E"] = np.zeros(n)
    out["i_offset"] = np.zeros(n)
    return out


def build_group(celltype, n, params, h, rng, to_steps=None):
    """The engine group simulating `n` cells of standard type `celltype`.

    Parameters
    ----------
    celltype : StandardCellType instance
    n : int
    params : dict
        Standard parameter name -> per-cell ndarray (standard units).
    h : float
        Time step (ms).
    rng : numpy.random.Generator
        Stream of the group's random draws (random sources, escape noise).
    to_steps : callable, optional
        Converts spike times (ms) to steps with the simulator's grid rule.

    Returns
    -------
    NeuronGroup or SourceGroup

    Raises
    ------
    NoModelAvailableError
        If the engine has no model of `celltype`.
    """
    cls = type(celltype)
    generated = getattr(cls, "engine_group", None)  # a NESTML neuron (pyNN.hardware.nestml)
    if generated is not None:
        return generated(n, params, h, rng)
    source = _registered(SOURCE_GROUPS, cls)
    if source is sources.ArraySource:
        return source(n, params, h, rng, to_steps)
    if source is not None:
        return source(n, params, h, rng)
    neuron = _registered(NEURON_GROUPS, cls)
    if neuron is not None:
        base, kind, cond = neuron
        group_cls = _group_class(base, (kind, cond), lambda p, kind=kind, cond=cond: _exc_inh(kind, p, cond))
        params = adapt_parameters(celltype, params, n)
        specs = _exc_inh(kind, params, cond)
        if issubclass(cls, std.IF_cond_exp_gsfa_grr):
            return group_cls(n, params, specs, h, rng, adaptation=True)
        return group_cls(n, params, specs, h, rng)
    if issubclass(cls, std.PointNeuron):
        return _point_neuron_group(celltype, n, params, h, rng)
    raise errors.NoModelAvailableError(f"{cls.__name__} is not available on the hardware backend")


def _point_neuron_group(celltype, n, params, h, rng):
    membrane = type(celltype).neuron_type
    if not any(base in MEMBRANE_GROUPS for base in membrane.__mro__):
        raise errors.NoModelAvailableError(
            f"PointNeuron with a {membrane.__name__} membrane is not available on the hardware backend")
    base = _registered(MEMBRANE_GROUPS, membrane)
    if base is None:
        base = neurons.LIFConductance if celltype.conductance_based else neurons.LIFCurrent
    cls = _group_class(base, ("point", id(type(celltype))), lambda p, ct=celltype: _point_neuron_specs(ct, p))
    return cls(n, params, _point_neuron_specs(celltype, params), h, rng)


def adapt_parameters(celltype, params, n):
    """Parameters as the group expects them (IF_facets_hardware1 is re-expressed)."""
    if isinstance(celltype, std.IF_facets_hardware1):
        return facets_parameters(params, n)
    return params
