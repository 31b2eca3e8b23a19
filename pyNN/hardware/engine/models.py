"""Which engine model simulates which standard cell type, with which receptors.

:func:`build_group` takes a standard cell type instance, the number of cells and the
per-cell parameter values in standard units, and returns the engine group.
"""

import numpy as np

from pyNN import errors
from pyNN.hardware.engine import neurons, sources
from pyNN.hardware.engine.receptors import ReceptorSpec

#: engine model of each standard cell type (also shown in the support matrix)
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


def _exc_inh(kind, params, cond):
    if kind == "delta":
        return [ReceptorSpec("excitatory", "delta", sign=1.0), ReceptorSpec("inhibitory", "delta", sign=-1.0)]
    if cond:
        return [ReceptorSpec("excitatory", kind, params["tau_syn_E"], e_rev=params["e_rev_E"]),
                ReceptorSpec("inhibitory", kind, params["tau_syn_I"], e_rev=params["e_rev_I"])]
    return [ReceptorSpec("excitatory", kind, params["tau_syn_E"], sign=1.0),
            ReceptorSpec("inhibitory", kind, params["tau_syn_I"], sign=-1.0)]


def _point_neuron_specs(celltype, params):
    specs = []
    for name, cls in type(celltype).receptor_classes.items():
        base = cls.__name__
        if base == "CurrExpPostSynapticResponse":
            specs.append(ReceptorSpec(name, "curr_exp", params[f"{name}.tau_syn"], sign=1.0))
        elif base == "CondExpPostSynapticResponse":
            specs.append(ReceptorSpec(name, "cond_exp", params[f"{name}.tau_syn"], e_rev=params[f"{name}.e_syn"]))
        elif base == "CondAlphaPostSynapticResponse":
            specs.append(ReceptorSpec(name, "cond_alpha", params[f"{name}.tau_syn"],
                                      e_rev=params[f"{name}.e_syn"]))
        elif base == "CondBetaPostSynapticResponse":
            specs.append(ReceptorSpec(name, "cond_beta", params[f"{name}.tau_decay"],
                                      e_rev=params[f"{name}.e_syn"], tau_rise=params[f"{name}.tau_rise"]))
        else:
            raise errors.NoModelAvailableError(
                f"PointNeuron receptor '{name}' ({base}) is not available on the hardware backend")
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
    """
    name = type(celltype).__name__
    if name == "SpikeSourceArray":
        return sources.ArraySource(n, params, h, rng, to_steps)
    if name == "SpikeSourcePoisson":
        return sources.PoissonSource(n, params, h, rng)
    if name == "SpikeSourcePoissonRefractory":
        return sources.PoissonRefractorySource(n, params, h, rng)
    if name == "SpikeSourceGamma":
        return sources.GammaSource(n, params, h, rng)
    if name == "SpikeSourceInhGamma":
        return sources.InhGammaSource(n, params, h, rng)
    kinds = {
        "IF_curr_exp": (neurons.LIFCurrent, "curr_exp", False),
        "IF_curr_alpha": (neurons.LIFCurrent, "curr_alpha", False),
        "IF_curr_delta": (neurons.LIFCurrent, "delta", False),
        "IF_cond_exp": (neurons.LIFConductance, "cond_exp", True),
        "IF_cond_alpha": (neurons.LIFConductance, "cond_alpha", True),
        "IF_cond_exp_gsfa_grr": (neurons.LIFConductance, "cond_exp", True),
        "IF_facets_hardware1": (neurons.LIFConductance, "cond_exp", True),
        "HH_cond_exp": (neurons.HodgkinHuxley, "cond_exp", True),
        "EIF_cond_alpha_isfa_ista": (neurons.AdExp, "cond_alpha", True),
        "EIF_cond_exp_isfa_ista": (neurons.AdExp, "cond_exp", True),
        "Izhikevich": (neurons.Izhikevich, "delta", False),
        "GIF_cond_exp": (neurons.GIF, "cond_exp", True),
    }
    if name in kinds:
        base, kind, cond = kinds[name]
        cls = _group_class(base, (kind, cond), lambda p, kind=kind, cond=cond: _exc_inh(kind, p, cond))
        if name == "IF_facets_hardware1":
            params = facets_parameters(params, n)
        specs = _exc_inh(kind, params, cond)
        if name == "IF_cond_exp_gsfa_grr":
            return cls(n, params, specs, h, rng, adaptation=True)
        return cls(n, params, specs, h, rng)
    if name == "PointNeuron":
        neuron = type(celltype).neuron_type.__name__
        base = {"LIF": None, "AdExp": neurons.AdExp}.get(neuron, "missing")
        if base == "missing":
            raise errors.NoModelAvailableError(
                f"PointNeuron with a {neuron} membrane is not available on the hardware backend")
        if base is None:
            base = neurons.LIFConductance if celltype.conductance_based else neurons.LIFCurrent
        cls = _group_class(base, ("point", id(type(celltype))), lambda p, ct=celltype: _point_neuron_specs(ct, p))
        return cls(n, params, _point_neuron_specs(celltype, params), h, rng)
    raise errors.NoModelAvailableError(f"{name} is not available on the hardware backend")


def adapt_parameters(celltype, params, n):
    """Parameters as the group expects them (IF_facets_hardware1 is re-expressed)."""
    if type(celltype).__name__ == "IF_facets_hardware1":
        return facets_parameters(params, n)
    return params
