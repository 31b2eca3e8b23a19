"""The mapping's checks that depend on one population or one projection alone, made when the
object is created or changed.

Under the strict policy a value outside the hardware profile's limits is then an error at
the line that made it (``Population(...)``, ``Projection(...)``, ``set()``), naming the
object, the parameter, the value and the allowed range, and nothing of it is kept. The
checks are the mapping's own functions, run on a mapping context holding only that object,
so the messages are those of the mapping. Under the lenient policy nothing is checked here:
the mapping clips and warns at run(), as before. Checks that need the whole network
(placement, capacity, SpiNNaker's weight shift per post population) stay in the mapping.
"""

import numpy as np

from pyNN.common.populations import roots
from pyNN.hardware.mapping import analog, spinnaker
from pyNN.hardware.mapping.context import MappingContext, check_ranges, validate_types
from pyNN.hardware.mapping.network import projection_specs
from pyNN.hardware.mapping.specs import PopulationSpec


def check_population(state, label, celltype, size, parameters):
    """Refuse parameter values outside the profile's ranges (strict policy).

    Parameters
    ----------
    state : pyNN.hardware.simulator.State
        Supplies the profile, the policy and the time step.
    label, celltype : str
        The population's label and cell-type name.
    size : int
    parameters : dict
        Standard parameter values (arrays of one value per cell, or scalars).
    """
    if state.policy != "strict" or state.profile is None:
        return
    spec = PopulationSpec(label=label, celltype=celltype, size=size, parameters=parameters)
    check_ranges(MappingContext(state.profile, [spec], [], state.dt, state.policy, None))


def check_projection(state, projection, pre, post, values):
    """Refuse connections the profile cannot realise (strict policy): the synapse type, and
    per family the sign and size of the weights and the delays.

    Parameters
    ----------
    state : pyNN.hardware.simulator.State
    projection : pyNN.hardware.projections.Projection
        Being created or changed; its arrays are not yet updated.
    pre, post : ndarray
        Indices of every connection of the projection into its pre and post groups.
    values : dict
        Every synaptic parameter, one value (or array of values) per connection, in
        standard units with the user's signs.
    """
    if state.policy != "strict" or state.profile is None or not len(pre):
        return
    populations = []
    for part in roots(projection.pre) + roots(projection.post):
        if all(part.root is not p for p in populations):
            populations.append(part.root)
    position = {id(p): k for k, p in enumerate(populations)}
    population_specs = [PopulationSpec(label=p.label, celltype=type(p.celltype).__name__, size=p.size,
                                       parameters=p._engine_parameters()) for p in populations]
    weight = values.get("weight")
    delay = values.get("delay")
    specs, _ = projection_specs(projection, np.asarray(pre), np.asarray(post),
                                np.nan if weight is None else weight,
                                state.min_delay if delay is None else delay, weight, position, set())
    ctx = MappingContext(state.profile, population_specs, specs, state.dt, state.policy, None)
    validate_types(ctx)
    for spec in specs:
        if state.profile.kind == "analog":
            analog.check_projection(ctx, spec)
        elif state.profile.kind == "digital":
            # whole ticks as the mapping rounds them, without its RoundingWarning (given at run())
            ticks = np.maximum(np.floor(np.asarray(spec.delay) / state.dt + 0.5 + 1e-9), 1).astype(np.int64)
            spinnaker.check_delay_range(ctx, spec, ticks)
