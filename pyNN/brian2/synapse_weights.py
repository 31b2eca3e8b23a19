"""One weight for a whole static Synapses object, kept in its namespace.

A static Synapses object (no state of its own, see Projection._shareable_type) whose
connections all have the same weight does not need a weight per synapse: the generated
``on_pre`` code then reads one constant of the object's namespace instead of an array of
one double per connection (less memory, and no array read at each delivery). As for the
homogeneous parameters of a NeuronGroup (pyNN.brian2.groups), a later change that makes
the weights differ turns the constant into a per-synapse variable holding the old value,
and Brian2 generates the object's code anew at the next run (it looks a name up in the
object's variables before its namespace).

The core keeps every connection's weight, so ``Projection.get``/``save`` are unchanged;
recording the weight needs the per-synapse variable (see Projection._native_synapse_sampler).
"""

import brian2
import numpy as np
from brian2.equations.equations import dimensions_and_type_from_string
from brian2.units.fundamentalunits import get_dimensions

from pyNN.brian2.groups import constant_value, homogeneous
from pyNN.brian2.standardmodels.cells import state_array

NAME = "weight"


def is_constant(syn):
    """True if `syn` keeps its weight as one constant of its namespace."""
    return NAME not in syn.variables


def make_per_synapse(syn, unit=None):
    """Turn the constant weight of `syn` into a per-synapse variable holding it everywhere
    (`unit`, the Brian2 unit of the weight, is needed only before the constant is set)."""
    if not is_constant(syn):
        return
    value = syn.namespace.pop(NAME)
    dims = get_dimensions(value) if value is not None else dimensions_and_type_from_string(unit)[0]
    syn.variables.add_dynamic_array(NAME, size=syn.variables["N"].get_value().item(), dimensions=dims,
                                    dtype=brian2.prefs.core.default_float_dtype, constant=True)
    syn.register_variable(syn.variables[NAME])  # (resized with the connections, as Brian2's own)
    state_array(syn, NAME)[:] = np.asarray(value) if value is not None else np.nan


def set_weights(syn, part, values, unit):
    """Write the SI `values` (array or one value) of the connections `part` (a slice) of `syn`,
    keeping the constant if they all equal it, or if `part` is the whole object (or the
    constant is still unset, while the object is being built) and they are one value."""
    if is_constant(syn):
        single = homogeneous(values)
        current = syn.namespace.get(NAME)
        n = syn.variables["N"].get_value().item()
        if single is not None:
            new = constant_value(unit, single)
            if current is None or part.indices(n)[:2] == (0, n) or bool(current == new):
                syn.namespace[NAME] = new
                return
        make_per_synapse(syn, unit)
    state_array(syn, NAME)[part] = values

