"""Small network descriptions for the hardware mapper tests (no engine needed)."""

import warnings

import numpy as np

from pyNN.hardware.mapping import PopulationSpec, ProjectionSpec, map_network
from pyNN.hardware.profiles import load_profile

LIF_CURR = dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0, i_offset=0.0,
                v_reset=-65.0, v_thresh=-50.0)
LIF_COND = dict(LIF_CURR, e_rev_E=0.0, e_rev_I=-70.0)
FACETS = dict(g_leak=40.0, tau_syn_E=30.0, tau_syn_I=30.0, v_reset=-80.0, e_rev_I=-80.0, v_rest=-65.0,
              v_thresh=-55.0)


def cells(label, size, celltype="IF_curr_exp", recorded=None, **params):
    base = {"IF_curr_exp": LIF_CURR, "IF_cond_exp": LIF_COND, "IF_facets_hardware1": FACETS,
            "IF_curr_delta": {k: v for k, v in LIF_CURR.items() if not k.startswith("tau_syn")}}.get(celltype, {})
    values = dict(base, **params)
    return PopulationSpec(label, celltype, size, {k: np.full(size, float(v)) for k, v in values.items()},
                          recorded or {})


def poisson(label, size, rate=10.0):
    return PopulationSpec(label, "SpikeSourcePoisson", size,
                          {"rate": np.full(size, rate), "start": np.zeros(size), "duration": np.full(size, 1e10)}, {})


def all_to_all(label, pre, post, n_pre, n_post, weight, delay=1.0, receptor="excitatory",
               synapse_type="StaticSynapse", user_sign=None):
    pre_index = np.repeat(np.arange(n_pre), n_post)
    post_index = np.tile(np.arange(n_post), n_pre)
    n = pre_index.size
    weight = np.broadcast_to(np.asarray(weight, dtype=float), (n,)).copy()
    delay = np.broadcast_to(np.asarray(delay, dtype=float), (n,)).copy()
    sign = None if user_sign is None else np.full(n, float(user_sign))
    return ProjectionSpec(label, pre, post, pre_index, post_index, weight, delay, receptor, synapse_type, sign)


def pairs(label, pre, post, pre_index, post_index, weight, delay=1.0, receptor="excitatory", user_sign=None):
    pre_index = np.asarray(pre_index)
    n = pre_index.size
    return ProjectionSpec(label, pre, post, pre_index, np.asarray(post_index),
                          np.broadcast_to(np.asarray(weight, dtype=float), (n,)).copy(),
                          np.broadcast_to(np.asarray(delay, dtype=float), (n,)).copy(), receptor, "StaticSynapse",
                          None if user_sign is None else np.full(n, float(user_sign)))


def run_map(profile, populations, projections, dt, policy="strict", seed=1, **overrides):
    """map_network with warnings captured; returns (result, list of warnings)."""
    prof = load_profile(profile, **overrides)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = map_network(prof, populations, projections, dt=dt, policy=policy, seed=seed)
    return result, caught
