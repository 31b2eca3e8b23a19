"""State of the hardware-emulation backend: profile, mapping, engine, run and reset.

``setup(timestep, profile='ideal', policy='strict', seed=None, **profile_overrides)``
loads a hardware profile. Before the first run after any change of the network
(population, projection, parameter or synapse values) the network is *mapped*: the
mapper (``pyNN.hardware.mapper.map_network``) checks it against the profile and returns
the realised network (quantised weights, realised delays, dropped connections, realised
parameters) and a mapping report; the engine then runs exactly that realised network.
``map()`` does only the mapping ("does it fit?").

Time in the engine, in recorded data and in every parameter is biological time (ms);
the estimated hardware wall-clock time is in the report.
"""

import json
from dataclasses import dataclass, field

import numpy as np

from pyNN import errors
from pyNN.common.control import BaseState
from pyNN.common.populations import Assembly
from pyNN.hardware.engine import Engine, kernels
from pyNN.hardware.engine.core import Block
from pyNN.hardware.engine.fixed_point import convert_for_s1615
from pyNN.hardware.engine.plasticity import SpikeHistory, STDPState, stdp_parameters

DEFAULT_SEED = 42


# ---------------------------------------------------------------------------------------------
# Profiles and the mapper (HW-MAPPER's modules), with stand-ins while they are missing
# ---------------------------------------------------------------------------------------------

def _profiles_module():
    try:
        from pyNN.hardware import profiles
        return profiles
    except ImportError:  # pragma: no cover - only while the profiles package is missing
        return None


class _IdealProfile:
    """Stand-in for the ``ideal`` profile when the profiles package is not available."""

    name = "ideal"
    version = "builtin"
    kind = "ideal"
    cells = {"*": {}}
    unsupported_cells = {}

    def get(self, name, default=None):
        return {"dt_default": 0.1, "speedup": 1.0}.get(name, default)

    def cell_spec(self, celltype):
        return {}

    def unsupported_reason(self, celltype):
        return ""

    def to_dict(self):
        return {"name": "ideal", "version": "builtin", "kind": "ideal"}


def load_profile(name, **overrides):
    """The hardware profile called `name` (see ``pyNN.hardware.profiles``)."""
    module = _profiles_module()
    if module is None:
        if name != "ideal" or overrides:
            raise errors.NoModelAvailableError(
                f"hardware profile '{name}' is not available (the profiles package is missing)")
        return _IdealProfile()
    return module.load_profile(name, **overrides)


def list_profiles():
    """Names of the available hardware profiles."""
    module = _profiles_module()
    return module.list_profiles() if module is not None else ["ideal"]


@dataclass
class _PopulationSpec:
    label: str
    celltype: str
    size: int
    parameters: dict
    recorded: dict


@dataclass
class _ProjectionSpec:
    label: str
    pre: int
    post: int
    pre_index: np.ndarray
    post_index: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    receptor_type: str
    synapse_type: str
    user_sign: object = None


class _IdentityReport:
    """Mapping report of the identity mapping (used until the mapper is available)."""

    def __init__(self, profile, populations, projections, dt, policy, seed):
        self.header = {"profile": profile.name, "version": getattr(profile, "version", ""), "timestep": dt,
                       "policy": policy, "seed": seed}
        self.populations = [(p.label, p.celltype, p.size) for p in populations]
        self.projections = [(p.label, int(p.pre_index.size)) for p in projections]
        self.provenance = {}
        self.verdict = "FITS"

    def add_provenance(self, counters):
        self.provenance.update(counters)

    def to_dict(self):
        return {"header": self.header, "verdict": self.verdict,
                "populations": [{"label": a, "celltype": b, "size": c} for a, b, c in self.populations],
                "projections": [{"label": a, "synapses": b} for a, b in self.projections],
                "provenance": dict(self.provenance)}

    def to_json(self):
        return json.dumps(self.to_dict(), indent=2, default=str)

    def summary(self):
        lines = [f"Mapping report: profile '{self.header['profile']}', dt {self.header['timestep']} ms, "
                 f"policy {self.header['policy']}", f"Verdict: {self.verdict}"]
        lines += [f"  population {a}: {c} x {b}" for a, b, c in self.populations]
        lines += [f"  projection {a}: {b} synapses" for a, b in self.projections]
        if self.provenance:
            lines.append("Provenance: " + ", ".join(f"{k}={v}" for k, v in self.provenance.items()))
        return "\n".join(lines)


@dataclass
class _IdentityResult:
    weight: dict
    delay: dict
    keep: dict
    parameters: dict
    numerics: dict
    report: object = field(default=None)


def _identity_mapping(profile, populations, projections, *, dt, policy="strict", seed=None):
    """Every value realised as given (what the ``ideal`` profile does)."""
    return _IdentityResult(
        weight={p.label: p.weight for p in projections}, delay={p.label: p.delay for p in projections},
        keep={p.label: np.ones(p.pre_index.size, dtype=bool) for p in projections},
        parameters={p.label: dict(p.parameters) for p in populations},
        numerics={"kind": "float64", "dt": dt, "internal_dt": dt},
        report=_IdentityReport(profile, populations, projections, dt, policy, seed))


def _mapper():
    """(map_network, PopulationSpec, ProjectionSpec) of the mapper, or the identity stand-ins."""
    try:
        from pyNN.hardware import mapper
        return mapper.map_network, mapper.PopulationSpec, mapper.ProjectionSpec
    except ImportError:
        return _identity_mapping, _PopulationSpec, _ProjectionSpec


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


class MappedNetwork:
    """The specs handed to the mapper, and which engine objects they belong to."""

    def __init__(self, population_specs, projection_specs, projection_parts):
        self.population_specs = population_specs
        self.projection_specs = projection_specs
        self.projection_parts = projection_parts


def _unique(label, used):
    label = label or "unnamed"
    out, k = label, 1
    while out in used:
        k += 1
        out = f"{label}#{k}"
    used.add(out)
    return out


def map_current_network(state):
    """Describe the network of `state` to the mapper and map it; returns
    (mapping result, MappedNetwork)."""
    map_network, PopulationSpec, ProjectionSpec = _mapper()
    used = set()
    pop_specs = []
    position = {}
    for k, p in enumerate(state.populations):
        recorded = {var: np.flatnonzero(mask) for var, mask in p.recorder.recorded.items() if mask.any()}
        pop_specs.append(PopulationSpec(label=_unique(p.label, used), celltype=type(p.celltype).__name__,
                                        size=p.size, parameters=p._engine_parameters(), recorded=recorded))
        position[id(p)] = k
    used = set()
    proj_specs, parts = [], []
    for proj in state.projections:
        pre_parts = _roots_of(proj.pre, proj._pre)
        weight = np.abs(np.asarray(proj._values("weight"), dtype=float))
        delay = np.asarray(proj._values("delay"), dtype=float)
        user_w = proj._syn.get("weight")
        for pre_root, pre_idx, pre_sel in pre_parts:
            for post_root, post_idx_all, post_sel in _roots_of(proj.post, proj._post[pre_sel]):
                sel = pre_sel[post_sel]
                if not sel.size:
                    continue
                label = proj.label if len(pre_parts) == 1 and post_sel.size == pre_sel.size \
                    else f"{proj.label}[{pre_root.label}->{post_root.label}]"
                sign = None
                if user_w is not None and np.any(np.asarray(user_w) < 0):
                    sign = -np.ones(sel.size)
                proj_specs.append(ProjectionSpec(
                    label=_unique(label, used), pre=position[id(pre_root)], post=position[id(post_root)],
                    pre_index=pre_idx[post_sel], post_index=post_idx_all, weight=weight[sel], delay=delay[sel],
                    receptor_type=proj.receptor_type, synapse_type=type(proj.synapse_type).__name__,
                    user_sign=sign))
                parts.append((proj, pre_root, post_root, sel))
    result = map_network(state.profile, pop_specs, proj_specs, dt=state.dt, policy=state.policy,
                         seed=state.rng_seed)
    return result, MappedNetwork(pop_specs, proj_specs, parts)


def _use_internal_step(group, dt, internal_dt):
    """Integrate `group` on round(dt / internal_dt) internal steps per time step."""
    m = max(1, round(dt / internal_dt))
    if m > 1 and getattr(group, "substeps", 1) != m:
        group.substeps = m
        group.h = dt / m
        group.set_parameters(group.params)


class State(BaseState):
    """Global state of the hardware-emulation backend."""

    backend_name = "hardware"

    def __init__(self):
        super().__init__()
        self.profile_name = "ideal"
        self.profile = None
        self.policy = "strict"
        self.rng_seed = DEFAULT_SEED
        self.engine = Engine(self.dt, self.rng_seed)
        self.mapping = None
        self.mapped_network = None
        self._dirty = True

    def extra_setup_options(self):
        """setup() takes any hardware-profile setting as an override (see the core's option table)."""
        return {name for p in list_profiles() for name in load_profile(p).settings}

    def _setup(self, profile="ideal", policy="strict", seed=None, rng_seed=None, **profile_overrides):
        if policy not in ("strict", "lenient"):
            raise errors.InvalidParameterValueError(
                f"setup(): policy must be 'strict' or 'lenient', not {policy!r}")
        self.profile = load_profile(profile, **profile_overrides)
        self.profile_name = profile
        self.policy = policy
        seed = seed if seed is not None else rng_seed
        self.rng_seed = int(seed) if seed is not None else DEFAULT_SEED
        self.engine = Engine(self.dt, self.rng_seed)
        self.mapping = None
        self.mapped_network = None
        self._dirty = True

    # --- the network changed: map again before the next run ---------------------------
    def network_changed(self):
        self._dirty = True

    def map(self):
        """Map the network onto the profile (if it changed); returns the mapping result."""
        if self._dirty or self.mapping is None:
            self.mapping, self.mapped_network = map_current_network(self)
            self._apply_mapping()
            self._dirty = False
        return self.mapping

    def _apply_mapping(self):
        result, network = self.mapping, self.mapped_network
        numerics = getattr(result, "numerics", None) or {}
        self.engine.router_drop = float(numerics.get("router_drop_probability", 0.0) or 0.0)
        granted = getattr(result, "recorded", None) or {}
        for spec, population in zip(network.population_specs, self.populations):
            for var, record in population._group.recording.signals.items():
                allowed = granted.get(spec.label, {}).get(var)
                # cells whose analog recording the mapping refused (lenient policy) give NaN
                record.granted = None if allowed is None else np.isin(record.indices, allowed)
            realised = result.parameters.get(spec.label)
            if realised is not None:
                population._use_parameters(realised)
            if numerics.get("kind") == "s1615" and population._group.kind == "neuron":
                shifts = [numerics.get("weight_shift", {}).get((spec.label, r.name))
                          for r in population._group.receptors.specs]
                population._group = convert_for_s1615(population._group, numerics, shifts)
                self.engine.groups[population._group.index] = population._group
            elif numerics.get("kind") == "analog" and population._group.kind == "neuron":
                _use_internal_step(population._group, self.dt, numerics.get("internal_dt", self.dt))
                population._group.membrane_noise = float(numerics.get("trial_noise_v_mv", 0.0) or 0.0)
        blocks = []
        previous = getattr(self, "_blocks_by_label", {})
        by_label = {}
        for spec, (projection, pre_root, post_root, selection) in zip(network.projection_specs,
                                                                       network.projection_parts):
            keep = np.asarray(result.keep.get(spec.label, np.ones(spec.pre_index.size, bool)), dtype=bool)
            weight = np.asarray(result.weight.get(spec.label, spec.weight), dtype=float)
            delay = np.asarray(result.delay.get(spec.label, spec.delay), dtype=float)
            if not keep.all():
                weight, delay = weight[keep], delay[keep]
            pre_index, post_index = spec.pre_index[keep], spec.post_index[keep]
            delay_steps = np.maximum(1, np.floor(delay / self.dt + 0.5 + 1e-9).astype(np.int64))
            post_group = post_root._group
            receptor = post_group.receptors.index[spec.receptor_type]
            block = Block(pre_root._group, post_group, receptor, pre_index, post_index, weight, delay_steps)
            if type(projection.synapse_type).__name__ == "TsodyksMarkramSynapse":
                sel = selection[keep]
                spec_r = post_group.receptors.specs[receptor]
                tau = spec_r.tau if spec_r.tau is not None else np.full(post_group.n, 1e-9)
                block.use_short_term_plasticity(
                    *(np.asarray(projection._values(name), float)[sel] for name in ("U", "tau_rec", "tau_facil")),
                    np.broadcast_to(np.asarray(tau, float), (post_group.n,))[post_index])
                old = previous.get(spec.label)
                if old is not None and old.stp is not None and old.weight.size == block.weight.size:
                    block.stp.update({k: old.stp[k] for k in ("u", "x", "y", "last")})
            elif type(projection.synapse_type).__name__ == "STDPMechanism":
                sel = selection[keep]
                names = list(projection.synapse_type.get_parameter_names())
                values = {name: np.asarray(projection._values(name), float)[sel] for name in names
                          if name not in ("weight", "delay")}
                params = stdp_parameters(projection.synapse_type, values)
                if getattr(post_group, "history", None) is None:
                    post_group.history = SpikeHistory(post_group.n)
                block.use_stdp(STDPState({k: v[block.order] for k, v in params.items()}, block.weight.size),
                               post_group.history)
                old = previous.get(spec.label)
                replaced = getattr(projection, "_weights_replaced", False)
                if old is not None and old.stdp is not None and old.weight.size == block.weight.size \
                        and not replaced:
                    block.weight[:] = old.weight
                    block.initial_weight = old.initial_weight
                    block.stdp.k_plus, block.stdp.t_last = old.stdp.k_plus, old.stdp.t_last
            drivers = numerics.get("driver_index", {}).get(spec.label)
            gap = numerics.get("event_min_gap")
            if drivers is not None and gap and block.stp is None and block.stdp is None:
                cap = max(1, int(np.floor(self.dt / float(gap) + 1e-9)))
                n_drivers = int(numerics.get("n_drivers", 1))
                if self.engine.driver_load is None or self.engine.driver_load.size < n_drivers:
                    self.engine.driver_load = np.zeros(max(n_drivers, int(np.max(drivers, initial=0)) + 1),
                                                       dtype=np.int64)
                block.limit_events(np.asarray(drivers)[keep], cap, self.engine.driver_load)
            block.core_positions = selection[keep][block.order]
            block.projection = projection
            blocks.append(block)
            by_label[spec.label] = block
        self.engine.set_blocks(blocks)
        self._blocks_by_label = by_label
        for projection in self.projections:
            projection._weights_replaced = False

    # --- running ------------------------------------------------------------------------
    def _advance(self, n_steps):
        self.map()
        external = {}
        steps = np.arange(self.steps, self.steps + n_steps)
        for source in self.current_sources:
            if not source._targets:
                continue
            trace = np.asarray(source.current_at_steps(steps), dtype=float)
            for root, indices in source._targets:
                external.setdefault(root._group.index, []).append((indices, trace))
        self.engine.run(n_steps, external)
        self.mapping.report.add_provenance(self.provenance())

    def plastic_weights(self, projection):
        """Current weights (magnitudes, core order) of a projection with plastic weights,
        or None before the network has been mapped."""
        if self.mapping is None or self._dirty:
            return None
        weights = np.abs(np.asarray(projection._syn.get("weight", 0.0), dtype=float)) * np.ones(len(projection))
        for block in self.engine.blocks:
            if getattr(block, "projection", None) is projection and block.stdp is not None:
                weights[block.core_positions] = block.weight
        return weights

    def provenance(self):
        """Run-time counters of the engine (for the mapping report)."""
        counters = dict(self.engine.counters)
        counters["rate_limited_events"] = sum(getattr(b, "dropped_events", 0) for b in self.engine.blocks)
        for group in self.engine.groups:
            ring = getattr(group, "ring", None)
            counters["saturations"] += getattr(group, "saturations", 0)
            counters["ring_buffer_saturations"] = counters.get("ring_buffer_saturations", 0) + (
                ring.saturations if ring is not None else 0)
        numerics = getattr(self.mapping, "numerics", None) or {}
        counters["numerics"] = numerics.get("kind", "float64")
        bio_ms = self.engine.step * self.dt
        if numerics.get("time_scale_factor"):
            counters["estimated_hardware_time_ms"] = bio_ms * float(numerics["time_scale_factor"])
        elif numerics.get("speedup"):
            counters["estimated_hardware_time_ms"] = bio_ms / float(numerics["speedup"])
        counters["simulated_time_ms"] = self.engine.step * self.dt
        counters["numba"] = kernels.use_numba()
        return counters

    def _reset(self):
        self.engine.reset()
        for population in self.populations:
            population._group.rng = self.engine.group_rng(population._group.index)


state = State()
