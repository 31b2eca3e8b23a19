"""Describe the core's network (populations, projections, what is recorded) to the mapper
as plain specs, and map it.

Projections onto or from an Assembly are split into one spec per pair of root
populations, because the hardware maps populations, not groups of them.
"""

import numpy as np

from pyNN.common.populations import Assembly
from pyNN.hardware.engine.stdp_s1615 import RULE_PARAMETERS, rule_of
from pyNN.hardware.mapping import map_network
from pyNN.hardware.mapping.specs import PopulationSpec, ProjectionSpec


class MappedNetwork:
    """The specs handed to the mapper, and which core objects they belong to.

    Attributes
    ----------
    population_specs : list of PopulationSpec
        One per population, in the order of ``state.populations``.
    projection_specs : list of ProjectionSpec
    projection_parts : list of tuple
        For each projection spec: (projection, pre root population, post root population,
        positions of its connections in the projection's core order).
    """

    def __init__(self, population_specs, projection_specs, projection_parts):
        self.population_specs = population_specs
        self.projection_specs = projection_specs
        self.projection_parts = projection_parts


def map_current_network(state):
    """Describe the network of `state` to the mapper and map it.

    Parameters
    ----------
    state : pyNN.hardware.simulator.State
        Supplies the populations, projections, profile, time step, policy and seed.

    Returns
    -------
    (MappingResult, MappedNetwork)
    """
    pop_specs, position = population_specs(state.populations)
    # the STDP parameters matter to the SpiNNaker mapping only (weight shift, fixed-point rule)
    digital = state.profile is not None and state.profile.kind == "digital"
    proj_specs, parts = _projection_specs(state.projections, position, digital)
    result = map_network(state.profile, pop_specs, proj_specs, dt=state.dt, policy=state.policy,
                         seed=state.rng_seed)
    return result, MappedNetwork(pop_specs, proj_specs, parts)


def population_specs(populations):
    """One spec per population (unique labels), and each population's position."""
    used = set()
    specs, position = [], {}
    for k, p in enumerate(populations):
        recorded = {var: np.flatnonzero(mask) for var, mask in p.recorder.recorded.items() if mask.any()}
        specs.append(PopulationSpec(label=_unique(p.label, used), celltype=type(p.celltype).__name__,
                                    size=p.size, parameters=p._engine_parameters(), recorded=recorded))
        position[id(p)] = k
    return specs, position


def _projection_specs(projections, position, with_stdp=False):
    """One spec per (projection, pre root population, post root population); `with_stdp`:
    with the STDP parameters of plastic projections (ProjectionSpec.synapse_parameters)."""
    used = set()
    specs, parts = [], []
    for proj in projections:
        more_specs, more_parts = projection_specs(proj, proj._pre, proj._post, proj._values("weight"),
                                                  proj._values("delay"), proj._syn.get("weight"), position, used,
                                                  _stdp_parameters(proj) if with_stdp else None)
        specs.extend(more_specs)
        parts.extend(more_parts)
    return specs, parts


def _stdp_parameters(proj):
    """For an STDPMechanism whose rule a digital profile emulates (pyNN.hardware.engine.stdp_s1615):
    ``rule`` and the per-connection values of its parameters; None for any other synapse type."""
    syn = proj.synapse_type
    if getattr(syn, "timing_dependence", None) is None:
        return None
    rule = rule_of(syn)
    if rule is None:
        return None
    out = {"rule": rule}
    for name in RULE_PARAMETERS[rule]:
        out[name] = np.asarray(proj._values(name), dtype=float)
    return out


def projection_specs(proj, pre, post, weight, delay, user_weight, position, used, stdp=None):
    """The specs of one projection's connections (`pre`, `post` indices into its pre and post
    groups, with their `weight` magnitudes or signed values and `delay`; `user_weight`: the
    weights as the user gave them, whose sign is kept; `stdp`: see _stdp_parameters), and the
    parts they come from."""
    specs, parts = [], []
    weight = np.abs(np.broadcast_to(np.asarray(weight, dtype=float), np.shape(pre)))
    delay = np.broadcast_to(np.asarray(delay, dtype=float), np.shape(pre))
    negative = user_weight is not None and np.any(np.asarray(user_weight) < 0)
    pre_parts = _roots_of(proj.pre, pre)
    for pre_root, pre_idx, pre_sel in pre_parts:
        for post_root, post_idx, post_sel in _roots_of(proj.post, post[pre_sel]):
            sel = pre_sel[post_sel]
            if not sel.size:
                continue
            label = proj.label if len(pre_parts) == 1 and post_sel.size == pre_sel.size \
                else f"{proj.label}[{pre_root.label}->{post_root.label}]"
            specs.append(ProjectionSpec(
                label=_unique(label, used), pre=position[id(pre_root)], post=position[id(post_root)],
                pre_index=pre_idx[post_sel], post_index=post_idx, weight=weight[sel], delay=delay[sel],
                receptor_type=proj.receptor_type, synapse_type=type(proj.synapse_type).__name__,
                user_sign=-np.ones(sel.size) if negative else None,
                synapse_parameters=None if stdp is None else {
                    k: (v if isinstance(v, str) else v[sel]) for k, v in stdp.items()}))
            parts.append((proj, pre_root, post_root, sel))
    return specs, parts


def _roots_of(group, index):
    """Split indices into `group` (Population, view or Assembly) into
    [(root population, root indices, positions in `index`)]."""
    index = np.asarray(index, dtype=np.int64)
    if isinstance(group, Assembly):
        out = []
        offsets = group._offsets()
        for k, member in enumerate(group.populations):
            sel = np.flatnonzero((index >= offsets[k]) & (index < offsets[k + 1]))
            out.append((member.grandparent, member._indices[index[sel] - offsets[k]], sel))
        return out
    return [(group.grandparent, group._indices[index], np.arange(index.size))]


def _unique(label, used):
    """`label` (or "unnamed"), with "#2", "#3"... appended if it is already in `used`."""
    label = label or "unnamed"
    out, k = label, 1
    while out in used:
        k += 1
        out = f"{label}#{k}"
    used.add(out)
    return out
