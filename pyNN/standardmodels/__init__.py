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
    raise errors.InvalidTypeError(
        f"Invalid translation transform {spec!r}: give a callable of a dict or an expression string")


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
            raise errors.InvalidParameterValueError(
                f"Invalid translation definition {definition!r}: give (standard_name, native_name), "
                f"(standard_name, native_name, scale_factor) or (standard_name, native_name, forward, "
                f"reverse)")
        table[std] = {"translated_name": native, "forward_transform": fwd,
                      "reverse_transform": rev, "scale_factor": scale}
    return table


def identity_translations(model_type):
    """A translation table keeping every parameter of `model_type` under its standard name
    and unit (for a backend that works in standard names and units)."""
    return build_translations(*((name, name) for name in model_type.default_parameters))


def backend_type(standard_type, module, mixins=(), **attributes):
    """A backend's class of a standard type: a subclass of `mixins` (first) and
    `standard_type`, with the standard type's name and docstring, defined in `module`,
    with `attributes` as class attributes (``translations``, ``native_name``, ...).

    For backends whose classes of several types differ only in such data, so that the
    classes need not be written out one by one.
    """
    namespace = {"__doc__": standard_type.__doc__, "__module__": module}
    namespace.update(attributes)
    return type(standard_type.__name__, (*mixins, standard_type), namespace)


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
    #: ((names...), test, description): rules between parameters; `test` gets one numpy
    #: array per name (broadcast over cells) and returns one bool per cell
    relations = ()
    #: parameters for which infinity has a meaning (e.g. a source that never stops)
    infinity_allowed = ()

    @classmethod
    def get_native_names(cls, *names):
        """Native names of the standard parameters `names` (default: all translated ones)."""
        if not names:
            names = cls.translations.keys()
        return [cls.translations[name]["translated_name"] for name in names]

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
        """Standard parameters passed on unchanged (renamed at most)."""
        return [n for n, e in cls.translations.items() if e["scale_factor"] == 1.0]

    @classmethod
    def scaled_parameters(cls):
        """Standard parameters translated by a scale factor other than 1."""
        return [n for n, e in cls.translations.items() if e["scale_factor"] not in (None, 1.0)]

    @classmethod
    def computed_parameters(cls):
        """Standard parameters translated by expressions (possibly of several parameters)."""
        return [n for n, e in cls.translations.items() if e["scale_factor"] is None]

    @property
    def native_parameters(self):
        """This instance's parameter values translated to the backend (homogeneous ones as
        scalars)."""
        ps = self.parameter_space.copy()
        ps.shape = (1,)
        ps.evaluate(simplify=True)
        return self.translate(ps.as_dict())

    @classmethod
    def check_values(cls, std_values, owner_label):
        """Raise InvalidParameterValueError for values outside their allowed range.

        Checks, in this order: NaN and infinity (:func:`check_finite`), the range of each
        parameter, then the ``relations`` between parameters (:func:`check_relations`).
        """
        check_finite(cls, std_values, owner_label)
        cls._check_structured(std_values, owner_label)
        cls._check_ranges(std_values, owner_label)
        check_relations(cls, std_values, owner_label)

    @classmethod
    def _check_structured(cls, std_values, owner_label):
        """Checks of array-valued parameters and of several parameters per cell (see
        ``pyNN.standardmodels.cells.ValueChecksMixin``); none by default."""

    @classmethod
    def _check_ranges(cls, std_values, owner_label):
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
            # (a time constant whose default is 0 means "off" at 0, as tau_fac of NESTML's tsodyks_synapse)
            if name in ("tau_refrac", "duration", "start", "tau_facil") or (
                    name.startswith("tau") and _is_zero(cls.default_parameters[name])):
                checks.append((name, lambda v: v >= 0, "must be >= 0 ms"))
            elif name.startswith("tau") and not isinstance(cls.default_parameters[name], ArrayParameter):
                checks.append((name, lambda v: v > 0, "must be > 0 ms"))
            elif name == "cm":
                checks.append((name, lambda v: v > 0, "must be > 0 nF"))
            elif name in ("rate", "beta", "lambda0"):
                checks.append((name, lambda v: v >= 0, "must be >= 0 Hz"))
        return checks


def _numbers_in(value):
    """The numbers held by one parameter value, as a flat float array (empty for values that
    hold no numbers, e.g. None or a string expression)."""
    if isinstance(value, ArrayParameter):
        return value.value
    if isinstance(value, np.ndarray) and value.dtype == object:
        parts = [_numbers_in(item) for item in value.reshape(-1)]
        return np.concatenate(parts) if parts else np.zeros(0)
    if value is None or isinstance(value, (str, dict)):
        return np.zeros(0)
    try:
        return np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return np.zeros(0)  # not numeric: the schema check reports it


def _holds_none(value):
    if value is None:
        return True
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(item is None for item in value.reshape(-1))
    return False


def check_finite(model_class, std_values, owner_label):
    """Refuse NaN for every parameter, and infinity for every parameter not listed in the
    type's ``infinity_allowed`` (nor infinite by default, as some parameters of native
    simulator models are), naming the owner, the type and the parameter."""
    allowed_inf = tuple(getattr(model_class, "infinity_allowed", ()))
    defaults = getattr(model_class, "default_parameters", {})
    for name, value in std_values.items():
        if defaults.get(name, 0.0) is not None and _holds_none(value):
            raise errors.InvalidParameterValueError(
                f"{owner_label}: {getattr(model_class, '__name__', model_class)} parameter '{name}' "
                f"is None; a number is needed")
        numbers = _numbers_in(value)
        if numbers.size == 0 or np.isfinite(numbers).all():
            continue
        type_name = getattr(model_class, "__name__", str(model_class))
        if np.isnan(numbers).any():
            raise errors.InvalidParameterValueError(
                f"{owner_label}: {type_name} parameter '{name}' is NaN; every parameter needs a number")
        if name in allowed_inf and not np.isneginf(numbers).any():
            continue
        infinite = numbers[~np.isfinite(numbers)]
        default = defaults.get(name)
        if isinstance(default, float) and np.isinf(default) and (infinite == default).all():
            continue  # e.g. NEST's V_min = -inf of a native model: the default gives the meaning
        bad = infinite[0]
        where = (f"infinity is only accepted for {', '.join(allowed_inf)}" if allowed_inf
                 else f"{type_name} accepts no infinite value")
        raise errors.InvalidParameterValueError(
            f"{owner_label}: {type_name} parameter '{name}' = {bad:g} is not allowed: it must be "
            f"finite ({where})")


def check_relations(model_class, std_values, owner_label):
    """Apply the type's ``relations`` (rules between parameters) to every cell at once.

    A rule is skipped when one of its parameters is absent from `std_values` (callers that
    change a few parameters pass the merged values of the cells concerned)."""
    for names, test, allowed in getattr(model_class, "relations", ()):
        if not all(n in std_values for n in names):
            continue
        try:
            arrays = [np.asarray(std_values[n], dtype=float) for n in names]
        except (TypeError, ValueError):
            continue  # array-valued parameters: checked by the type's own cross checks
        ok = np.asarray(test(*np.broadcast_arrays(*arrays)), dtype=bool)
        if ok.all():
            continue
        flat = ok.reshape(-1)
        k = int(np.argmin(flat))
        shown = ", ".join(f"{n}={float(np.broadcast_to(a, ok.shape).reshape(-1)[k]):g}"
                          for n, a in zip(names, arrays))
        n_bad = int((~flat).sum())
        where = ""
        if ok.ndim and flat.size > 1:
            where = f" (cell {k}" + (f", and {n_bad - 1} more cell(s)" if n_bad > 1 else "") + ")"
        type_name = getattr(model_class, "__name__", str(model_class))
        raise errors.InvalidParameterValueError(
            f"{owner_label}: {type_name} parameters {shown}{where} are not allowed: {allowed}")


class StandardCellType(StandardModelType, models.BaseCellType):
    """Base class of standardized cell types."""

    #: backend variable names for recordables, e.g. {'v': 'V_m'}
    variable_map = {}
    #: multiply native recorded values by this to get standard units
    scale_factors = {}


def _is_zero(value):
    """True for a default value that is the number 0."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


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
