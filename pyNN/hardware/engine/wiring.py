"""Give the engine the network the mapping realised: per-population parameters and
numerics, connection blocks (with short-term plasticity, STDP and event-rate limits), the
currents of the current sources, and the run-time counters for the report.

Called by :class:`pyNN.hardware.simulator.State`; synapse types are told apart with
``isinstance`` on the standard classes.
"""

import numpy as np

import pyNN.hardware.engine.kernels as kernels
from pyNN.hardware.engine.core import Block
from pyNN.hardware.engine import stdp_s1615
from pyNN.hardware.engine.plasticity import SpikeHistory, STDPState, stdp_parameters
from pyNN.hardware.engine.s1615 import convert_for_s1615
from pyNN.hardware.engine.stochastic import StochasticRelease
from pyNN.standardmodels.synapses import (MultiQuantalSynapse, SimpleStochasticSynapse, STDPMechanism,
                                          StochasticTsodyksMarkramSynapse, TsodyksMarkramSynapse)


def apply_mapping(engine, dt, populations, result, network, previous):
    """Set up `engine` to run the realised network.

    Parameters
    ----------
    engine : Engine
    dt : float
        Time step (ms).
    populations : list of Population
        In the order of ``network.population_specs``.
    result : MappingResult
    network : MappedNetwork
    previous : dict
        Projection-spec label -> Block of the previous mapping, whose plastic state
        (STP resources, STDP weights and traces) carries over.

    Returns
    -------
    dict
        Projection-spec label -> the new Block.
    """
    numerics = getattr(result, "numerics", None) or {}
    engine.router_drop = float(numerics.get("router_drop_probability", 0.0) or 0.0)
    for spec, population in zip(network.population_specs, populations):
        _configure_population(engine, dt, population, spec.label, result, numerics)
    blocks = {}
    for number, (spec, part) in enumerate(zip(network.projection_specs, network.projection_parts)):
        blocks[spec.label] = block = _build_block(engine, dt, spec, part, result, numerics, previous.get(spec.label))
        _use_stochastic(engine, block, part[0], number, previous.get(spec.label))
    engine.set_blocks(list(blocks.values()))
    return blocks


def _configure_population(engine, dt, population, label, result, numerics):
    """Granted recordings, realised parameters, and the numerics of one population's group."""
    granted = (getattr(result, "recorded", None) or {}).get(label, {})
    for var, record in population._group.recording.signals.items():
        allowed = granted.get(var)
        # cells whose analog recording the mapping refused (lenient policy) give NaN
        record.granted = None if allowed is None else np.isin(record.indices, allowed)
    realised = result.parameters.get(label)
    if realised is not None:
        population._use_parameters(realised)
    group = population._group
    if group.kind != "neuron":
        return
    if numerics.get("kind") == "s1615":
        shifts = [numerics.get("weight_shift", {}).get((label, r.name)) for r in group.receptors.specs]
        population._group = convert_for_s1615(group, numerics, shifts)
        engine.groups[population._group.index] = population._group
    elif numerics.get("kind") == "analog":
        _use_internal_step(group, dt, numerics.get("internal_dt", dt))
        group.membrane_noise = float(numerics.get("trial_noise_v_mv", 0.0) or 0.0)


def _use_internal_step(group, dt, internal_dt):
    """Integrate `group` on round(dt / internal_dt) internal steps per time step."""
    m = max(1, round(dt / internal_dt))
    if m > 1 and getattr(group, "substeps", 1) != m:
        group.substeps = m
        group.h = dt / m
        group.set_parameters(group.params)


def _build_block(engine, dt, spec, part, result, numerics, old):
    """The Block of one projection spec: the kept connections with realised weights and delays."""
    projection, pre_root, post_root, selection = part
    keep = np.asarray(result.keep.get(spec.label, np.ones(spec.pre_index.size, bool)), dtype=bool)
    weight = np.asarray(result.weight.get(spec.label, spec.weight), dtype=float)
    delay = np.asarray(result.delay.get(spec.label, spec.delay), dtype=float)
    if not keep.all():
        weight, delay = weight[keep], delay[keep]
    if spec.user_sign is not None and projection._keeps_weight_sign():
        # mapped as magnitudes; on a receptor named by the user the sign is the current's (PyNN)
        weight = -np.abs(weight)
    post_index = spec.post_index[keep]
    delay_steps = np.maximum(1, np.floor(delay / dt + 0.5 + 1e-9).astype(np.int64))
    post_group = post_root._group
    receptor = post_group.receptors.index[spec.receptor_type]
    block = Block(pre_root._group, post_group, receptor, spec.pre_index[keep], post_index, weight, delay_steps)
    sel = selection[keep]
    if isinstance(projection.synapse_type, TsodyksMarkramSynapse):
        _use_stp(block, projection, sel, post_index, old)
    elif isinstance(projection.synapse_type, STDPMechanism):
        _use_stdp(block, projection, sel, old, numerics.get("stdp_constants", {}).get(spec.label))
    elif getattr(projection.synapse_type, "engine_functions", None) is not None:
        _use_nestml_synapse(block, projection, sel, old, dt)
    drivers = numerics.get("driver_index", {}).get(spec.label)
    stochastic = isinstance(projection.synapse_type, _STOCHASTIC)
    if drivers is not None and numerics.get("event_min_gap") and block.stp is None and block.stdp is None \
            and not stochastic:
        _limit_rate(engine, dt, block, np.asarray(drivers)[keep], numerics)
    block.core_positions = sel[block.order]
    block.projection = projection
    return block


def _use_stp(block, projection, sel, post_index, old):
    """Tsodyks-Markram dynamics; the state of `old` carries over if the connections are the same."""
    post_group = block.post
    spec_r = post_group.receptors.specs[block.receptor]
    tau = spec_r.tau if spec_r.tau is not None else np.full(post_group.n, 1e-9)
    block.use_short_term_plasticity(
        *(np.asarray(projection._values(name), float)[sel] for name in ("U", "tau_rec", "tau_facil")),
        np.broadcast_to(np.asarray(tau, float), (post_group.n,))[post_index])
    for name, value in projection._initial_state.items():  # (Projection.initialize())
        value = np.asarray(value, dtype=float)
        block.stp[name][:] = value[sel][block.order] if value.ndim else value
    if old is not None and old.stp is not None and old.weight.size == block.weight.size:
        block.stp.update({k: old.stp[k] for k in ("u", "x", "y", "last")})


_STOCHASTIC = (SimpleStochasticSynapse, MultiQuantalSynapse, StochasticTsodyksMarkramSynapse)


def _use_stochastic(engine, block, projection, number, old):
    """Stochastic release (see engine.stochastic); the state and random stream of `old`
    carry over if the connections are the same."""
    syn = projection.synapse_type
    if not isinstance(syn, _STOCHASTIC):
        return
    pos = block.core_positions  # core positions of the block's connections, in CSR order
    size = pos.size

    def values(name, default):
        if name not in syn.get_parameter_names():
            return np.full(size, default)
        return np.broadcast_to(np.asarray(projection._values(name), dtype=float), (len(projection),))[pos]

    if isinstance(syn, SimpleStochasticSynapse):
        release = StochasticRelease("bernoulli", values("p", 0.0), np.ones(size), np.zeros(size), np.zeros(size),
                                    (engine.seed, 11, number))
    else:
        release = StochasticRelease("quantal", values("U", 0.5), values("n", 1.0), values("tau_rec", 1.0),
                                    values("tau_facil", 0.0), (engine.seed, 11, number))
    release.reset(engine.segment)
    if old is not None and old.stochastic is not None and old.weight.size == block.weight.size:
        release.carry_over(old.stochastic)
    block.stochastic = release


def _use_stdp(block, projection, sel, old, fixed_point=None):
    """Pair-based STDP; weights and traces of `old` carry over unless the user set new weights.
    `fixed_point`: the constants of sPyNNaker's fixed-point rule that the mapping made for
    this projection (profile spinnaker1, pyNN.hardware.mapping.spinnaker_stdp), or None:
    the exact rule."""
    post_group = block.post
    if getattr(post_group, "history", None) is None:
        post_group.history = SpikeHistory(post_group.n)
    if fixed_point is not None:
        traces = stdp_s1615.post_traces(post_group.history, post_group.n, fixed_point["lut_minus"],
                                        fixed_point["one"], fixed_point["dt"])
        state = stdp_s1615.SpiNNakerSTDPState(fixed_point, block.weight.size, traces)
    else:
        names = list(projection.synapse_type.get_parameter_names())
        values = {name: np.asarray(projection._values(name), float)[sel] for name in names
                  if name not in ("weight", "delay")}
        params = stdp_parameters(projection.synapse_type, values)
        state = STDPState({k: v[block.order] for k, v in params.items()}, block.weight.size)
    block.use_stdp(state, post_group.history)
    if old is None or old.stdp is None or old.weight.size != block.weight.size:
        return
    if not getattr(projection, "_weights_replaced", False):
        block.weight[:] = old.weight
        block.initial_weight = old.initial_weight
    # set(weight=...) replaces the weights only: the pre-synaptic traces, the time of each
    # connection's last pre event (which post spikes it has applied) and the spikes in transit
    # (dendritic_delay_fraction < 1) carry over, as NEST keeps them
    block.stdp.k_plus, block.stdp.t_last = old.stdp.k_plus, old.stdp.t_last
    block.stdp.pending = old.stdp.pending


def _modulatory_trains(projection):
    """Modulatory port -> the ModulatoryTrains collecting its source's spikes, one per root
    population of the source (the followers of its spike history, made once per projection,
    port and root: a new mapping reuses them, so spikes already collected are kept)."""
    from pyNN.common.populations import roots
    from pyNN.hardware.nestml_synapse import ModulatoryTrain
    trains = {}
    for source in getattr(projection, "modulatory_sources", ()):
        trains[source.port] = []
        for root, indices, _ in roots(source.population):
            group = root._group
            if getattr(group, "history", None) is None:
                group.history = SpikeHistory(group.n)
            key = (id(projection), source.port)
            train = next((f for f in group.history.followers if getattr(f, "key", None) == key), None)
            if train is None:
                multiplicity = np.bincount(np.asarray(indices, dtype=np.int64).ravel(), minlength=group.n)
                train = ModulatoryTrain(multiplicity, source.delay)
                train.key = key
                group.history.followers.append(train)
            trains[source.port].append(train)
    return trains


def _use_nestml_synapse(block, projection, sel, old, dt):
    """A NESTML synapse (pyNN.hardware.nestml_synapse); weights and state of `old` carry over
    unless the user set new weights."""
    from pyNN.hardware.nestml_synapse import NESTMLSynapseState, check_post_inputs, synapse_parameters
    post_group = block.post
    names = [n for n in projection.synapse_type.get_parameter_names() if n not in ("weight", "delay")]
    values = {name: np.asarray(projection._values(name), float)[sel] for name in names}
    params = synapse_parameters(projection, values)
    if getattr(post_group, "history", None) is None:
        post_group.history = SpikeHistory(post_group.n)
    inputs = projection.synapse_type.synapse_program.post_inputs
    if inputs:
        check_post_inputs(projection, post_group)
        post_group.history.watch(post_group, sorted(set(inputs.values())))
    state = NESTMLSynapseState(projection.synapse_type, {k: v[block.order] for k, v in params.items()},
                               block.weight.size, trains=_modulatory_trains(projection), dt=dt)
    block.use_stdp(state, post_group.history)
    if old is None or not isinstance(old.stdp, NESTMLSynapseState) or old.weight.size != block.weight.size:
        return
    if not getattr(projection, "_weights_replaced", False):
        block.weight[:] = old.weight
        block.initial_weight = old.initial_weight
    # the rest of the state carries over after set(weight=...) too: each update takes the
    # weight from block.weight first (NESTMLSynapseState.update, catch_up)
    block.stdp.state, block.stdp.t_last = old.stdp.state, old.stdp.t_last


def _limit_rate(engine, dt, block, drivers, numerics):
    """The event-rate limit of the analog synapse drivers (one shared load counter per engine)."""
    cap = max(1, int(np.floor(dt / float(numerics["event_min_gap"]) + 1e-9)))
    n_drivers = int(numerics.get("n_drivers", 1))
    if engine.driver_load is None or engine.driver_load.size < n_drivers:
        engine.driver_load = np.zeros(max(n_drivers, int(np.max(drivers, initial=0)) + 1), dtype=np.int64)
    block.limit_events(drivers, cap, engine.driver_load)


def external_currents(current_sources, first_step, n_steps):
    """The currents (nA) of the current sources over the next `n_steps` steps.

    Returns
    -------
    dict
        Engine group index -> list of (cell indices, current array of `n_steps` values).
    """
    external = {}
    steps = np.arange(first_step, first_step + n_steps)
    for source in current_sources:
        if not source._targets:
            continue
        trace = np.asarray(source.current_at_steps(steps), dtype=float)
        for root, indices in source._targets:
            external.setdefault(root._group.index, []).append((indices, trace))
    return external


def run_counters(engine, numerics, dt):
    """The engine's run-time counters (provenance) for the mapping report."""
    counters = dict(engine.counters)
    counters["rate_limited_events"] = sum(getattr(b, "dropped_events", 0) for b in engine.blocks)
    # stored plastic words clipped to 16 bits (spinnaker1's fixed-point STDP)
    counters["plastic_weight_saturations"] = sum(getattr(b.stdp, "saturations", 0) for b in engine.blocks
                                                 if b.stdp is not None)
    for group in engine.groups:
        ring = getattr(group, "ring", None)
        counters["saturations"] += getattr(group, "saturations", 0)
        counters["ring_buffer_saturations"] = counters.get("ring_buffer_saturations", 0) + (
            ring.saturations if ring is not None else 0)
    counters["numerics"] = numerics.get("kind", "float64")
    bio_ms = engine.step * dt
    if numerics.get("time_scale_factor"):
        counters["estimated_hardware_time_ms"] = bio_ms * float(numerics["time_scale_factor"])
    elif numerics.get("speedup"):
        counters["estimated_hardware_time_ms"] = bio_ms / float(numerics["speedup"])
    counters["simulated_time_ms"] = engine.step * dt
    counters["numba"] = kernels.use_numba()
    return counters
