"""Per-connection values given to a projection (``set()``), and the initial state of its
synapses (``initialize()``).

``Projection.initialize(u=..., x=...)`` works like ``Population.initialize``: the values are
evaluated once per connection (scalars stay scalars), checked, kept by the core, set at once
on the connections in the simulator, and set again by every ``reset()``, so that each
segment starts from them. Between runs they replace the state as of each connection's last
spike (the time of that spike is kept, as the state is stored at spike times).
"""

import numpy as np

from pyNN import errors
from pyNN.connectors import evaluate_synapse_values
from pyNN.core import is_listlike


def per_connection(projection, name, value, method):
    """`value` of `name` for the connections of `projection`, in the core's order (sorted by
    post, then pre): a float when it is one value, else one value per connection.

    `value` may be a scalar, a RandomDistribution, an (n_pre, n_post) array, a sequence with
    one value per connection in PyNN's order (by presynaptic, then postsynaptic index: the
    row-major order of the array) or a callable of distance. `method` names the caller in
    error messages.
    """
    pre, post = projection._pre, projection._post
    n = pre.size
    if is_listlike(value) and np.ndim(value) == 1:
        arr = np.asarray(value, dtype=float)
        if arr.size != n:
            raise errors.InvalidDimensionsError(
                f"Projection '{projection.label}': {method}({name}=...) got {arr.size} values for {n} connections")
        out = np.empty(n)
        out[np.lexsort((post, pre))] = arr
        return out
    if is_listlike(value) and np.ndim(value) == 2:
        arr = np.asarray(value, dtype=float)
        if arr.shape != projection.shape:
            raise errors.InvalidDimensionsError(
                f"Projection '{projection.label}': {method}({name}=...) array has shape {arr.shape}, "
                f"expected {projection.shape}")
        return arr[pre, post]
    return evaluate_synapse_values(projection, pre.astype(np.int64), post.astype(np.int64), {},
                                   {name: value})[name]


def initial_state(projection, values):
    """The values given to ``initialize()`` (name -> value as the user gave it), checked and
    evaluated per connection (name -> float or array in the core's order)."""
    syn = projection.synapse_type
    allowed = tuple(getattr(syn, "state_variables", ()))
    for name in values:
        if name not in allowed:
            raise errors.NonExistentParameterError(
                name, f"{type(syn).__name__} of Projection '{projection.label}' (initialize())", allowed)
    new = {name: per_connection(projection, name, value, "initialize") for name, value in values.items()}
    _check(projection, new)
    return new


def _check(projection, new):
    """Refuse values that are not finite, outside their range (the synapse type's
    ``initial_value_checks``) or that break a relation between variables
    (``initial_value_relations``, checked on the whole state the connections would start from)."""
    syn = projection.synapse_type
    owner = f"Projection '{projection.label}'"
    for name, value in new.items():
        arr = np.asarray(value, dtype=float)
        if arr.size and not np.all(np.isfinite(arr)):
            raise errors.InvalidParameterValueError(
                f"{owner}: initialize({name}=...) got {float(arr[~np.isfinite(arr)].flat[0])!r}; initial values "
                f"must be finite numbers")
    for name, test, text in getattr(syn, "initial_value_checks", ()):
        if name in new:
            arr = np.asarray(new[name], dtype=float)
            bad = ~np.asarray(test(arr), dtype=bool)
            if bad.any():
                raise errors.InvalidParameterValueError(
                    f"{owner}: initialize({name}={float(np.broadcast_to(arr, bad.shape)[bad].flat[0]):g}) is not "
                    f"allowed: the initial {name} of {type(syn).__name__} {text}")
    relations = getattr(syn, "initial_value_relations", ())
    if relations:
        whole = {**getattr(syn, "default_initial_values", {}), **projection._initial_state, **new}
        for names, test, text in relations:
            if not any(name in new for name in names):
                continue
            args = np.broadcast_arrays(*(np.asarray(whole[name], dtype=float) for name in names))
            bad = ~np.asarray(test(*args), dtype=bool)
            if bad.any():
                k = int(np.flatnonzero(bad.reshape(-1))[0])
                found = ", ".join(f"{name} = {float(a.reshape(-1)[k]):g}" for name, a in zip(names, args))
                raise errors.InvalidParameterValueError(
                    f"{owner}: initialize() would start a connection from {found}: {text}")


def nestml_state_refused(projection, names):
    """The error of a backend whose NESTML synapses start every connection from the model's
    initial values, for ``initialize()`` of the state variables `names`."""
    return errors.NotSupportedError(
        f"Projection '{projection.label}': initialize({', '.join(sorted(names))}) of a NESTML synapse's state is "
        f"not implemented on the {projection._simulator.state.backend_name} backend (its connections start from the "
        f"model's initial values, {projection.synapse_type.default_initial_values}); the NEST backend supports it")
