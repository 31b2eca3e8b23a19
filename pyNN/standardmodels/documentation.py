"""What ``help()`` shows for a standard model type: the model, not the translation machinery.

The docstring of every standard type is generated from its data (``default_parameters``,
``units``, ``descriptions``, ``recordable``, ``default_initial_values``): the hand-written
summary of the core class followed by numpy-style sections with one entry per parameter
and per state variable. A backend's subclass shows the same docstring, and
:class:`ModelTypeMeta` leaves the backend's translation attributes out of ``dir()``, which is
what ``help()`` lists.
"""

import inspect

#: attributes that translate a standard type to a simulator; reachable, but not listed
TRANSLATION_MACHINERY = frozenset({
    "translations", "base_translations", "extra_parameters", "variable_map", "scale_factors",
    "get_native_names", "translate", "reverse_translate", "simple_parameters", "scaled_parameters",
    "computed_parameters", "dependencies", "native_parameters",
    "native_name", "missing_reason", "native_description", "off_grid_name", "describe_native",
})

_CORE_MODULES = ("pyNN.models", "pyNN.standardmodels")


def _is_core(cls):
    return cls.__module__ == "pyNN.models" or cls.__module__.startswith(_CORE_MODULES[1])


class ModelTypeMeta(type):
    """Metaclass of the standard model types: ``dir()`` (and so ``help()``) lists what a
    modeller uses, not the names a backend adds to translate the type."""

    def __dir__(cls):
        core_names = set()
        for klass in cls.__mro__:
            if _is_core(klass) or klass is object:
                core_names.update(vars(klass))
        return sorted(name for name in super().__dir__()
                      if name in core_names and name not in TRANSLATION_MACHINERY)


def format_value(value):
    """A default or initial value as shown in the documentation."""
    if value is None:
        return "None"
    inner = getattr(value, "value", value)  # Sequence / ArrayParameter
    if hasattr(inner, "tolist"):
        inner = inner.tolist()
    if isinstance(inner, float):
        return f"{inner:g}"
    return repr(inner) if not isinstance(inner, list) else str(inner)


def _entry(name, kind, text):
    return [f"{name} : {kind}", f"    {text or '(no description)'}"]


def parameter_rows(cls):
    """(name, default, unit, meaning) for every parameter of `cls`."""
    return [(name, format_value(default), cls.units.get(name, ""), cls.descriptions.get(name, ""))
            for name, default in cls.default_parameters.items()]


def state_variable_rows(cls):
    """(name, initial value or '', unit, recordable, meaning) for every state variable and
    every recordable of `cls`, recordables first in their declared order."""
    recordable = list(getattr(cls, "recordable", ()))
    names = recordable + [n for n in cls.default_initial_values if n not in recordable]
    rows = []
    for name in names:
        initial = cls.default_initial_values.get(name)
        rows.append((name, "" if initial is None else format_value(initial), cls.units.get(name, ""),
                     name in recordable, cls.descriptions.get(name, "")))
    return rows


def model_sections(cls):
    """The numpy-style 'Parameters' and 'State variables' sections of `cls`'s docstring."""
    lines = []
    params = parameter_rows(cls)
    if params:
        lines += ["Parameters", "----------"]
        for name, default, unit, text in params:
            lines += _entry(name, f"{unit or 'dimensionless'}, default {default}", text)
        lines.append("")
    states = state_variable_rows(cls)
    if states:
        lines += ["State variables", "---------------"]
        for name, initial, unit, recordable, text in states:
            kind = ", ".join(part for part in (unit or "dimensionless",
                                               f"initial value {initial}" if initial else "",
                                               "recordable" if recordable else "") if part)
            lines += _entry(name, kind, text)
        lines.append("")
    return "\n".join(lines)


def document_model(cls):
    """Give `cls` the generated docstring: its summary followed by :func:`model_sections`.

    The summary is the class's own docstring, unless that is a copy of an ancestor's
    (backends copy the core class's docstring) or the class is assembled per instance
    (``PointNeuron``, ``STDPMechanism``), in which case the ancestor's summary is kept.
    """
    own = cls.__dict__.get("__doc__")
    copied = any(own == klass.__dict__.get("__doc__") for klass in cls.__mro__[1:])
    if own and not copied and "_assembled_from" not in cls.__dict__:
        cls._model_summary = inspect.cleandoc(own)
    summary = getattr(cls, "_model_summary", "")
    sections = model_sections(cls)
    cls.__doc__ = f"{summary}\n\n{sections}" if sections else summary
