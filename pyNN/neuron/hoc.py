"""Access to NEURON's hoc interpreter and to the variables of mechanism instances.

Every other module of the backend reaches NEURON through here: ``h()`` is the
interpreter (imported on first use), and a mechanism variable is named as in the
translation tables, either plainly (``'vm'``) or as an element of an array variable
(``'out[2]'``, the PointNeuron receptor outputs).
"""

_h = None


def h():
    """NEURON's hoc interpreter (``neuron.h``, imported on first use)."""
    global _h
    if _h is None:
        from neuron import h as interpreter
        _h = interpreter
    return _h


def _element(name):
    """'out[2]' -> ('out', 2); 'vm' -> ('vm', None)."""
    if name.endswith("]"):
        base, _, index = name[:-1].partition("[")
        return base, int(index)
    return name, None


def set_value(cell, name, value):
    """Set the variable `name` (plain or array element) of the mechanism instance `cell`."""
    base, index = _element(name)
    if index is None:
        setattr(cell, name, value)
    else:
        getattr(cell, base)[index] = value


def set_values(cells, name, values):
    """Set the variable `name` of each mechanism instance in `cells` to the matching value
    in `values` (one tight loop: the name is parsed once, not per cell)."""
    base, index = _element(name)
    if index is None:
        for cell, value in zip(cells, values):
            setattr(cell, name, value)
    else:
        for cell, value in zip(cells, values):
            getattr(cell, base)[index] = value


def get_value(cell, name):
    """The value of the variable `name` (plain or array element) of `cell`."""
    base, index = _element(name)
    return getattr(cell, name) if index is None else getattr(cell, base)[index]


def reference(cell, name):
    """NEURON pointer to the variable `name` (plain or array element) of `cell`, e.g. for
    ``Vector.record`` or ``Vector.play``."""
    base, index = _element(name)
    ref = getattr(cell, "_ref_" + base)
    return ref if index is None else ref[index]
