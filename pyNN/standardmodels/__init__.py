"""Standard model types and the machinery that translates them to backends.

A standard type declares its parameters in standard PyNN units (see ``doc/units.md``).
A backend subclasses it and sets ``translations``, built with
:func:`build_translations`, mapping each standard parameter to a native name with a
scale factor or with a pair of forward/reverse expressions.
"""

import numpy as np

from pyNN import errors
from pyNN import models
from pyNN.parameters import ArrayParameter
from pyNN.standardmodels import documentation


def _make_transform(spec, source_names):
    """Turn a transform spec (callable, number or expression string) into f(dict)->array."""
    if callable(spec):
        return spec
    if isinstance(spec, str):
        code = compile(spec, f"<translation '{spec}'>", "eval")

        def transform(values, _code=code):
            namespace = {"np": np, "exp": np.exp, "log": np.log, "sqrt": np.sqrt}
            namespace.update(values)
            return eval(_code, namespace)
        return transform
    raise TypeError(f"Invalid translation transform {spec!r}")


def build_translations(*definitions):
    """Build a translation table.

    Each definition is ``(standard_name, native_name)``,
    ``(standard_name, native_name, scale_factor)`` or
    ``(standard_name, native_name, forward, reverse)`` where `forward` is an
    expression (or callable of a dict) in standard names giving the native value and
    `reverse` an expression in native names giving the standard value.
    """
    table = {}
    for definition in definitions:
        std, native = definition[0], definition[1]
        if len(definition) == 2:
            fwd = _identity(std)
            rev = _identity(native)
            scale = 1.0
        elif len(definition) == 3:
            scale = float(definition[2])
            fwd = _scaled(std, scale)
            rev = _scaled(native, 1.0 / scale)
        elif len(definition) == 4:
            scale = None
            fwd = _make_transform(definition[2], None)
            rev = _make_transform(definition[3], None)
        else:
            raise ValueError(f"Invalid translation definition {definition!r}")
        table[std] = {"translated_name": native, "forward_transform": fwd,
                      "reverse_transform": rev, "scale_factor": scale}
    return table


def _identity(name):
    return lambda values: values[name]


def _scaled(name, factor):
    def transform(values):
        v = values[name]
        if isinstance(v, np.ndarray) and v.dtype == object:
            return np.array([item * factor for item in v], dtype=object) if v.size else v
        return v * factor
    return transform


class StandardModelType(models.BaseModelType, metaclass=documentation.ModelTypeMeta):
    """A model type with standard parameter names and units, translatable to a backend."""

    def __init_subclass__(cls, **kwargs):
        """Each new model type gets its docstring generated from its data."""
        super().__init_subclass__(**kwargs)
        documentation.document_model(cls)  # help() shows parameters, units and meanings

    translations = {}
    #: fixed native parameter values that have no standard counterpart
    extra_parameters = {}
    #: (name, test, description) range checks applied to standard values
    parameter_checks = ()

    @classmethod
    def get_native_names(cls, *names):
        if not names:
            names = cls.translations.keys()
        return [cls.translations[name]["translated_name"] for name in names]

    @classmethod
    def _computed(cls, name):
        return cls.translations[name]["scale_factor"] is None

    @classmethod
    def dependencies(cls, name):
        """Standard names that must be known together with `name` to translate it."""
        return [n for n in cls.translations if cls._computed(n) or n == name] if cls._computed(name) else [name]

    @classmethod
    def translate(cls, std_values):
        """Standard values (dict name -> array/scalar) -> native values dict.

        Computed parameters need all the standard values they depend on; missing ones
        are skipped together with the computed parameter.
        """
        native = {}
        for name, entry in cls.translations.items():
            if name not in std_values:
                continue
            try:
                native[entry["translated_name"]] = entry["forward_transform"](std_values)
            except KeyError:
                continue  # computed parameter whose other inputs are not in this update
        return native

    @classmethod
    def reverse_translate(cls, native_values):
        """Native values dict -> standard values dict."""
        std = {}
        for name, entry in cls.translations.items():
            if entry["translated_name"] in native_values:
                try:
                    std[name] = entry["reverse_transform"](native_values)
                except KeyError:
                    continue
        return std

    @classmethod
    def simple_parameters(cls):
        return [n for n, e in cls.translations.items() if e["scale_factor"] == 1.0]

    @classmethod
    def scaled_parameters(cls):
        return [n for n, e in cls.translations.items() if e["scale_factor"] not in (None, 1.0)]

    @classmethod
    def computed_parameters(cls):
        return [n for n, e in cls.translations.items() if e["scale_factor"] is None]

    @property
    def native_parameters(self):
        ps = self.parameter_space.copy()
        ps.shape = (1,)
        ps.evaluate(simplify=True)
        return self.translate(ps.as_dict())

    @classmethod
    def check_values(cls, std_values, owner_label):
        """Raise InvalidParameterValueError for values outside their allowed range."""
        for name, test, allowed in cls._all_checks():
            if name not in std_values:
                continue
            value = std_values[name]
            if isinstance(value, np.ndarray) and value.dtype == object:
                bad = [v for v in value if not test(np.asarray(v.value if isinstance(v, ArrayParameter) else v))]
                if bad:
                    raise errors.InvalidParameterValueError(
                        f"{owner_label}: {cls.__name__} parameter '{name}' = {bad[0]!r} is not allowed "
                        f"({allowed})")
                continue
            arr = np.asarray(value, dtype=float)
            ok = test(arr)
            if not np.all(ok):
                bad_value = arr.reshape(-1)[np.argmin(np.asarray(ok).reshape(-1))] if arr.ndim else arr
                raise errors.InvalidParameterValueError(
                    f"{owner_label}: {cls.__name__} parameter '{name}' = {float(bad_value):g} is not "
                    f"allowed ({allowed})")

    @classmethod
    def _all_checks(cls):
        checks = list(cls.parameter_checks)
        for name in cls.default_parameters:
            if name in ("tau_refrac", "duration", "start", "tau_facil"):
                checks.append((name, lambda v: v >= 0, "must be >= 0 ms"))
            elif name.startswith("tau") and not isinstance(cls.default_parameters[name], ArrayParameter):
                checks.append((name, lambda v: v > 0, "must be > 0 ms"))
            elif name == "cm":
                checks.append((name, lambda v: v > 0, "must be > 0 nF"))
            elif name in ("rate", "beta", "lambda0"):
                checks.append((name, lambda v: v >= 0, "must be >= 0 Hz"))
        return checks


class StandardCellType(StandardModelType, models.BaseCellType):
    """Base class of standardized cell types."""

    #: backend variable names for recordables, e.g. {'v': 'V_m'}
    variable_map = {}
    #: multiply native recorded values by this to get standard units
    scale_factors = {}


class StandardCellTypeComponent(StandardModelType, models.BaseCellType):
    """A cell type used as the neuron part of a :class:`PointNeuron`."""


class StandardPostSynapticResponse(StandardModelType):
    """A receptor (post-synaptic response) component of a :class:`PointNeuron`."""

    recordable = []


class StandardSynapseType(StandardModelType, models.BaseSynapseType):
    """Base class of standardized synapse types."""

    parameter_checks = (("delay", lambda v: v > 0, "must be > 0 ms"),)


class StandardCurrentSource(StandardModelType, models.BaseCurrentSource):
    """Base class of standardized current sources."""
