"""Modulatory spike inputs of NESTML synapses (e.g. ``mod_spikes`` of neuromodulated STDP).

A NESTML synapse may have spike ports besides its pre- and postsynaptic ones: the
neuromodulated STDP rule's ``mod_spikes`` receives dopamine-like spikes. Their sources are
given on the synapse-type instance, port -> population, with the modulatory delay::

    dopa = sim.Population(1, sim.SpikeSourceArray(spike_times=[...]))
    prj = sim.Projection(pre, post, conn,
                         syn(weight=0.5, modulatory_inputs={"mod_spikes": dopa}, modulatory_delay=1.0))

Every spike of every cell of the population reaches every connection of the projection and
takes effect at its emission time plus the modulatory delay (ms; default: the simulation's
``min_delay``, the shortest delay NEST's volume transmitter connection can have). What a
modulatory spike does, and when, is defined in :mod:`pyNN.nestml.synapse_program`.

This module checks the mapping and the delay, once, for every back end: the instance checks
what it can alone (:func:`check_instance_inputs`), the projection the rest
(:func:`resolve`), before anything is sent to a simulator.
"""

from dataclasses import dataclass

import numpy as np

from pyNN import errors


@dataclass
class ModulatorySource:
    """One modulatory port of one projection: the population feeding it and the delay (ms)."""

    port: str
    population: object
    delay: float


def modulatory_ports(model):
    """The spike ports of the NESTML synapse `model` (an ir.Model) other than its pre- and
    postsynaptic ports, in declaration order."""
    return [p for p in model.spike_ports() if p not in (model.pre_port, *model.post_ports)]


def _population_like(value):
    from pyNN.common.populations import Assembly, BasePopulation
    return isinstance(value, (BasePopulation, Assembly))


def check_instance_inputs(model, modulatory_inputs, modulatory_delay):
    """The ``modulatory_inputs`` and ``modulatory_delay`` keywords of a NESTML synapse-type
    instance, checked against the synapse `model`; returns (dict port -> population, delay or
    None). Raises ModelDescriptionError for a key that is not a modulatory spike port,
    InvalidTypeError for a value that is not a population and InvalidParameterValueError for a
    delay that is not a positive finite number."""
    if modulatory_inputs is None:
        modulatory_inputs = {}
    if not isinstance(modulatory_inputs, dict):
        raise errors.InvalidTypeError(
            f"NESTML synapse '{model.name}': modulatory_inputs must be a dict spike port -> Population, "
            f"PopulationView or Assembly, got {modulatory_inputs!r}")
    ports = modulatory_ports(model)
    for port, source in modulatory_inputs.items():
        if port not in ports:
            other = " (its pre- or postsynaptic port, fed by the projection itself)" \
                if port in (model.pre_port, *model.post_ports) else ""
            raise errors.ModelDescriptionError(
                f"NESTML synapse '{model.name}': modulatory_inputs names '{port}'{other}, which is not one of its "
                f"modulatory spike ports {ports}")
        if not _population_like(source):
            raise errors.InvalidTypeError(
                f"NESTML synapse '{model.name}': modulatory_inputs['{port}'] must be a Population, PopulationView "
                f"or Assembly (its cells' spikes feed the port), got {source!r}")
    if modulatory_delay is not None:
        try:
            delay = float(modulatory_delay)
        except (TypeError, ValueError):
            delay = float("nan")
        if not (np.isfinite(delay) and delay > 0):
            raise errors.InvalidParameterValueError(
                f"NESTML synapse '{model.name}': modulatory_delay must be a positive number of ms (a multiple of "
                f"the time step, >= min_delay), got {modulatory_delay!r}")
        modulatory_delay = delay
    return dict(modulatory_inputs), modulatory_delay


def resolve(projection):
    """The :class:`ModulatorySource` of every modulatory port of `projection`'s NESTML synapse
    type (a list in port order; empty for a synapse without such ports), after checking that
    every port has a source of the projection's simulator and that the delay is allowed:
    >= min_delay, <= max_delay and a multiple of dt. Raises ConnectionError naming the
    projection otherwise."""
    synapse_type = projection.synapse_type
    model = synapse_type.nestml_model
    ports = modulatory_ports(model)
    given = getattr(synapse_type, "modulatory_inputs", {}) or {}
    missing = [p for p in ports if p not in given]
    if missing:
        raise errors.ConnectionError(
            f"Projection '{projection.label}': the NESTML synapse '{model.name}' has the modulatory spike port(s) "
            f"{missing} without a source; give their spike sources on the synapse type, e.g. "
            f"{type(synapse_type).__name__}(..., modulatory_inputs={{'{missing[0]}': <Population>}})")
    if not ports:
        return []
    state = projection._simulator.state
    for port, source in given.items():
        sim = getattr(source, "_simulator", None)
        if sim is not None and sim is not projection._simulator:
            raise errors.ConnectionError(
                f"Projection '{projection.label}': modulatory_inputs['{port}'] ('{source.label}') belongs to "
                f"another simulator backend than the projection")
        source._check_current()
    delay = getattr(synapse_type, "modulatory_delay", None)
    delay = state.min_delay if delay is None else delay
    if delay < state.min_delay - 1e-9 * state.dt:
        raise errors.ConnectionError(
            f"Projection '{projection.label}': modulatory_delay {delay:g} ms is below the minimum delay "
            f"{state.min_delay:g} ms (set min_delay in setup())")
    if state.max_delay is not None and delay > state.max_delay + 1e-9:
        raise errors.ConnectionError(
            f"Projection '{projection.label}': modulatory_delay {delay:g} ms exceeds max_delay "
            f"{state.max_delay:g} ms set in setup()")
    steps = delay / state.dt
    if abs(steps - round(steps)) > 1e-6:
        raise errors.ConnectionError(
            f"Projection '{projection.label}': modulatory_delay {delay:g} ms is not a multiple of the time step "
            f"{state.dt:g} ms")
    delay = round(steps) * state.dt
    return [ModulatorySource(port, given[port], delay) for port in ports]


def describe_inputs(synapse_type):
    """One line describing the modulatory inputs of a NESTML synapse-type instance ('' if none)."""
    given = getattr(synapse_type, "modulatory_inputs", {}) or {}
    if not given:
        return ""
    delay = getattr(synapse_type, "modulatory_delay", None)
    delay_text = "min_delay" if delay is None else f"{delay:g} ms"
    sources = ", ".join(f"{port} <- '{pop.label}' ({pop.size} cells)" for port, pop in given.items())
    return f"  modulatory inputs: {sources}; every spike reaches every connection after {delay_text}"
