"""Wrapping NEST's own models (native names and units) as PyNN types."""

import nest
import numpy as np

from pyNN import errors
from pyNN.models import BaseCellType, BaseCurrentSource, BaseSynapseType
from pyNN.standardmodels import StandardModelType, build_translations


def _numeric_defaults(model, exclude=()):
    try:
        defaults = nest.GetDefaults(model)
    except Exception as exc:
        raise errors.NoModelAvailableError(f"NEST has no model '{model}': {exc}") from exc
    return {k: float(v) for k, v in defaults.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in exclude}, defaults


_NON_PARAMETERS = ("global_id", "local_id", "thread", "vp", "model_id", "frozen", "node_uses_wfr",
                   "local", "thread_local_id", "elementsize", "supports_precise_spikes", "receptor_type",
                   "synapse_model", "synapse_modelid", "num_connections", "sizeof", "has_delay",
                   "requires_symmetric", "weight_recorder", "n_events", "archiver_length", "post_trace",
                   "t_spike", "available", "capacity", "instantiations", "type_id", "has_connections",
                   "n_synapses", "n_receptors", "Ca")


class _NativeChecks:
    """NEST's own names follow NEST's rules, not the standard models' (e.g. tau_fac = 0 is
    valid for tsodyks_synapse): keep only the checks the class declares, and leave range
    checks of native values to NEST."""

    @classmethod
    def _all_checks(cls):
        return list(cls.parameter_checks)


def _positive_receptor_sign(self, receptor_type):
    """Named NEST receptor ports (ht_neuron's 'AMPA', 'GABA_A', ...) select the synapse by
    port, so weights keep their sign as given (NEST wants them positive)."""
    return 1.0


def native_cell_type(model_name):
    """A cell type class for the NEST model `model_name`, with NEST's parameter names
    and units (weights are still given in nA/uS and scaled by 1000)."""
    params, defaults = _numeric_defaults(model_name, _NON_PARAMETERS)
    recordables = [str(r) for r in defaults.get("recordables", [])]
    receptors = defaults.get("receptor_types", {})
    is_source = defaults.get("element_type") == "stimulator"
    state_vars = {r: params[r] for r in recordables if r in params}
    attrs = {
        "default_parameters": {k: v for k, v in params.items() if k not in state_vars},
        "default_initial_values": state_vars,
        "recordable": recordables + ["spikes"],
        # a list in NEST's order, as PyNN gives it for native models
        "receptor_types": list(receptors) if receptors else ([] if is_source else ["excitatory", "inhibitory"]),
        "units": {k: "unknown" for k in list(params) + recordables},
        "injectable": not is_source,
        "native_name": model_name,
        "variable_map": {r: r for r in recordables},
        "scale_factors": {},
        "weight_scale": 1000.0,
        "sign_selects_receptor": not receptors,
        # models with named receptors (ht_neuron's 'AMPA', ...): NEST port of each name
        "receptor_ports": {str(name): int(port) for name, port in receptors.items()} if receptors else None,
        "receptor_sign": _positive_receptor_sign,
        "uses_parrot": is_source,
        "conductance_based": "g_ex" in recordables or "g_in" in recordables or any(
            r.startswith("g_") for r in recordables),
    }
    cls = type(model_name, (_NativeChecks, StandardModelType, BaseCellType), attrs)
    cls.translations = build_translations(*[(k, k) for k in attrs["default_parameters"]])
    return cls


def native_synapse_type(model_name):
    """A synapse type class for the NEST synapse model `model_name`."""
    params, _ = _numeric_defaults(model_name, _NON_PARAMETERS)
    params.setdefault("weight", 0.0)
    params["delay"] = None
    attrs = {"default_parameters": params, "native_name": model_name, "units": {k: "unknown" for k in params}}
    cls = type(model_name, (_NativeChecks, StandardModelType, BaseSynapseType), attrs)
    cls.translations = build_translations(*[(k, k) for k in params])
    return cls


def native_electrode_type(model_name):
    """A current source class for the NEST generator `model_name`."""
    from pyNN.nest.current_sources import NestCurrentSource
    params, _ = _numeric_defaults(model_name, _NON_PARAMETERS + ("origin",))
    attrs = {"default_parameters": params, "native_name": model_name, "units": {k: "unknown" for k in params},
             "recordable": []}
    cls = type(model_name, (_NativeChecks, NestCurrentSource, StandardModelType, BaseCurrentSource), attrs)
    cls.translations = build_translations(*[(k, k) for k in params])
    return cls


__all__ = ["native_cell_type", "native_electrode_type", "native_synapse_type", "np"]
