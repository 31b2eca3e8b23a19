"""Parameter containers: lazily evaluated per-cell parameter values.

A :class:`ParameterSpace` holds, for each parameter name, a value that may be a
scalar, an array with one value per cell, a callable ``f(i)`` of the cell index, a
:class:`~pyNN.random.RandomDistribution`, or (for parameters whose value is itself an
array, such as spike times) an :class:`ArrayParameter`/:class:`Sequence` or one such
per cell.  Values are kept lazy until the population asks for them.
"""

import numbers

import numpy as np
from lazyarray import larray

from pyNN import errors
from pyNN.core import is_listlike


class LazyArray(larray):
    """A lazily evaluated array (`lazyarray.larray`) that also accepts strings as
    expressions of the distance ``d``, turned into functions by the caller."""

    def __init__(self, value, shape=None, dtype=None):
        if isinstance(value, str):
            raise errors.InvalidTypeError(
                f"The string parameter value {value!r} is only meaningful as a function of distance "
                f"'d' in a Projection's synapse parameters; give a number, an array or a "
                f"RandomDistribution")
        super().__init__(value, shape=shape, dtype=dtype)

    def by_column(self, mask=None):
        """Iterate over the columns of a 2D lazy array, evaluating one at a time."""
        columns = np.arange(self.ncols) if mask is None else np.arange(self.ncols)[mask]
        for j in columns:
            yield self._partially_evaluate((slice(None), j), simplify=True)


class ArrayParameter:
    """A parameter whose value for one cell is itself an array (e.g. time constants
    of a multi-timescale adaptation current).

    Distinguishes "an array value for one cell" from "one value per cell".
    """

    is_lazyarray_scalar = True

    def __init__(self, value):
        if isinstance(value, ArrayParameter):
            value = value.value
        self.value = np.array(value, dtype=float).reshape(-1)

    def __len__(self):
        return self.value.size

    def __iter__(self):
        return iter(self.value)

    def __getitem__(self, item):
        return self.value[item]

    def max(self):
        """Return the largest element."""
        return self.value.max()

    def _combine(self, other, op):
        if isinstance(other, ArrayParameter):
            return type(self)(op(self.value, other.value))
        if isinstance(other, numbers.Number):
            return type(self)(op(self.value, other))
        if isinstance(other, np.ndarray):
            # one ArrayParameter per element of `other`
            out = np.empty(other.shape, dtype=object)
            flat = out.reshape(-1)
            for k, item in enumerate(other.reshape(-1)):
                flat[k] = type(self)(op(self.value, item))
            return out
        return NotImplemented

    def __add__(self, other):
        return self._combine(other, np.add)

    __radd__ = __add__

    def __sub__(self, other):
        return self._combine(other, np.subtract)

    def __rsub__(self, other):
        return self._combine(other, lambda a, b: np.subtract(b, a))

    def __mul__(self, other):
        return self._combine(other, np.multiply)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return self._combine(other, np.divide)

    def __rtruediv__(self, other):
        return self._combine(other, lambda a, b: np.divide(b, a))

    def __eq__(self, other):
        if isinstance(other, ArrayParameter):
            return self.value.shape == other.value.shape and bool(np.all(self.value == other.value))
        if isinstance(other, (list, tuple, np.ndarray)):
            return self.value.tolist() == list(np.asarray(other, dtype=float).reshape(-1))
        return False

    def __hash__(self):
        return hash(self.value.tobytes())

    def __repr__(self):
        return f"{type(self).__name__}({self.value.tolist()!r})"


class Sequence(ArrayParameter):
    """A time series value for one cell: spike times, step-current times/amplitudes."""


def _is_per_cell_sequence_list(value):
    """True if `value` gives one array-valued parameter per cell (a list of lists,
    of Sequences, or an object array of them)."""
    if isinstance(value, np.ndarray):
        return value.dtype == object
    if isinstance(value, (list, tuple)) and len(value) > 0:
        return all(isinstance(v, (ArrayParameter, list, tuple, np.ndarray)) for v in value)
    return False


class _ObjectValue:
    """Storage for an array-valued (Sequence/ArrayParameter) parameter: one shared
    value, or one per cell."""

    def __init__(self, value, kind, shape):
        self.kind = kind
        self.shape = shape
        if _is_per_cell_sequence_list(value):
            items = list(value)
            arr = np.empty(len(items), dtype=object)
            for k, item in enumerate(items):
                arr[k] = item if isinstance(item, kind) else kind(item)
            self.base_value = arr
        elif _is_index_function(value):
            self.base_value = value  # a function of the cell index, called when evaluated
        else:
            self.base_value = value if isinstance(value, kind) else kind(value)

    @property
    def is_homogeneous(self):
        return not (isinstance(self.base_value, np.ndarray) or _is_index_function(self.base_value))

    def evaluate(self, mask=None, simplify=False):
        if _is_index_function(self.base_value):
            return self._call_per_cell(mask)
        if self.is_homogeneous:
            if simplify:
                return self.base_value
            n = _size_of(self.shape, mask)
            out = np.empty(n, dtype=object)
            for k in range(n):  # object arrays cannot be broadcast-filled with a sized value
                out[k] = self.base_value
            return out
        return self.base_value if mask is None else self.base_value[mask]


    def _call_per_cell(self, mask):
        indices = np.arange(_size_of(self.shape, None))
        if mask is not None:
            indices = indices[mask]
        out = np.empty(indices.size, dtype=object)
        # as in PyNN, the function is first given the array of indices (it may return one
        # Sequence per index); a function of one index is then called once per cell
        try:
            items = self.base_value(indices)
        except Exception:
            items = None
        if not (isinstance(items, (list, tuple, np.ndarray)) and len(items) == indices.size
                and all(isinstance(item, (ArrayParameter, list, tuple, np.ndarray)) for item in items)):
            items = [self.base_value(i) for i in indices.tolist()]
        for k, item in enumerate(items):
            out[k] = item if isinstance(item, self.kind) else self.kind(item)
        return out


def _is_index_function(value):
    """True for a user function of the cell index (not an array-like parameter value)."""
    return callable(value) and not isinstance(value, (ArrayParameter, np.ndarray, larray))


def _size_of(shape, mask):
    if mask is None:
        return int(np.prod(shape)) if shape else 1
    mask = np.asarray(mask)
    return int(mask.sum()) if mask.dtype == bool else mask.size


def _expected_kind(schema, name):
    kind = schema.get(name) if schema else None
    if isinstance(kind, type) and issubclass(kind, ArrayParameter):
        return kind
    return None


def quantity_magnitude(value, unit, where):
    """A quantities.Quantity as plain numbers (float array) in `unit`; a pyNN error naming
    `where` (e.g. "Projection 'p': set(weight=...)") if the unit is not known or the
    dimensions differ."""
    if unit in (None, "", "unknown", "dimensionless"):
        raise errors.InvalidParameterValueError(
            f"{where} got {value!r}, a quantity with units, but the parameter's unit is not known; give plain numbers")
    try:
        return np.asarray(value.rescale(unit).magnitude, dtype=float)
    except (ValueError, LookupError, TypeError) as exc:  # other dimensions, or a unit that depends on use
        raise errors.InvalidParameterValueError(
            f"{where} got {value!r}, which cannot be converted to {unit} (the unit of the value); "
            f"give a value in {unit}") from exc


class ParameterSpace:
    """Parameter values for a set of cells (or connections), kept lazy until needed.

    Parameters
    ----------
    parameters : dict
        name -> value (scalar, array, callable of index, RandomDistribution,
        Sequence/ArrayParameter, list of Sequences, or a nested dict for a component).
    schema : dict, optional
        name -> expected type (``float``, ``int``, ``Sequence``, ``ArrayParameter``...),
        used to check names and values.
    shape : tuple, optional
        Shape of the cell (or connection) set, e.g. ``(n,)``.
    component : class, optional
        The model class the parameters belong to, for error messages.
    """

    def __init__(self, parameters, schema=None, shape=None, component=None):
        self._values = {}
        self.schema = schema
        self._shape = shape
        self.component = component
        self._evaluated = False
        if parameters:
            self.update(**parameters)

    # --- shape ----------------------------------------------------------------
    @property
    def shape(self):
        """Shape of the arrays the parameter space evaluates to (e.g. (n_cells,))."""
        return self._shape

    @shape.setter
    def shape(self, value):
        self._shape = value
        for name, v in self._values.items():
            if isinstance(v, larray):
                fixed = getattr(v.base_value, "shape", ())
                if fixed and value is not None and tuple(fixed) != tuple(value):
                    # checked here so that the user sees the parameter's name, not lazyarray's ValueError
                    raise errors.InvalidDimensionsError(
                        f"{self._model_name()}: parameter '{name}' has {int(np.prod(fixed))} values but "
                        f"there are {int(np.prod(value))} cells (shape {tuple(value)}); give one value "
                        f"per cell or a single value")
                v.shape = value
            elif isinstance(v, _ObjectValue):
                v.shape = value
            elif isinstance(v, ParameterSpace):
                v.shape = value

    # --- dict-like ----------------------------------------------------------------
    def keys(self):
        """Return the parameter names."""
        return self._values.keys()

    def items(self):
        """(name, value) pairs: lazy arrays before :meth:`evaluate`, numpy arrays (or
        scalars, with ``simplify``) after it; nested components as ParameterSpaces."""
        return [(name, self[name]) for name in self._values]

    def __contains__(self, name):
        return name in self._values

    def __len__(self):
        return len(self._values)

    def __getitem__(self, name):
        value = self._values[name]
        if isinstance(value, (_ObjectValue, _Evaluated)):
            return value.base_value
        return value

    def __setitem__(self, name, value):
        self.update(**{name: value})

    def pop(self, name, default=None):
        """Remove parameter `name` and return its value (`default` if absent)."""
        value = self._values.pop(name, None)
        if value is None:
            return default
        return value.base_value if isinstance(value, _ObjectValue) else value

    def _model_name(self):
        if self.component is None:
            return "model"
        return getattr(self.component, "__name__", type(self.component).__name__)

    def update(self, **parameters):
        """Set or replace parameter values (checked against the schema if given)."""
        for name, value in parameters.items():
            if self.schema is not None and name not in self.schema:
                raise errors.NonExistentParameterError(name, self._model_name(), self.schema.keys())
            kind = _expected_kind(self.schema, name)
            if kind is None and isinstance(value, (list, tuple)) and value \
                    and all(hasattr(v, "rescale") for v in value):
                # one quantity per cell: plain numbers in the parameter's unit
                value = np.array([self._plain_magnitude(name, v) for v in value], dtype=float)
            if value is None or (isinstance(value, str)
                                 and getattr(self.component, "accepts_distance_expressions", False)):
                # delay=None means "the minimum delay"; a string is an expression in the
                # distance d (synapse types only): both are resolved by the Projection
                self._values[name] = _Evaluated(value)
            elif isinstance(value, ParameterSpace):
                self._values[name] = value
            elif isinstance(value, dict):
                sub_schema = self.schema.get(name) if self.schema else None
                if self.schema is not None and not isinstance(sub_schema, dict):
                    raise errors.InvalidParameterValueError(
                        f"{self._model_name()}: parameter '{name}' got the dict {value!r}; a number, array, "
                        f"callable or RandomDistribution is needed")
                self._values[name] = ParameterSpace(
                    value, schema=sub_schema if isinstance(sub_schema, dict) else None,
                    shape=self._shape)
            elif kind is not None or isinstance(value, ArrayParameter) or (
                    _is_per_cell_sequence_list(value) and not self._is_array_of_shape(value)):
                kind = kind or (type(value) if isinstance(value, ArrayParameter) else Sequence)
                if isinstance(value, larray):
                    value = value.base_value
                if hasattr(value, "rescale") and hasattr(value, "dimensionality"):  # a quantities.Quantity
                    value = self._plain_magnitude(name, value)
                self._check_sequence_value(name, value, kind)
                self._values[name] = self._object_value(name, value, kind)
            else:
                self._values[name] = self._as_larray(name, value)
        self._evaluated = False

    def _object_value(self, name, value, kind):
        """An array-valued parameter's storage, or a pyNN error naming the parameter if the
        value (or one cell's value) is not an array of real numbers."""
        items = value if _is_per_cell_sequence_list(value) else [value]
        if any(isinstance(item, (str, bytes, dict)) for item in items):
            raise errors.InvalidParameterValueError(
                f"{self._model_name()}: parameter '{name}' got {value!r}; a {kind.__name__} of numbers "
                f"(e.g. a list or numpy array) is needed")
        try:
            return _ObjectValue(value, kind, self._shape)
        except (TypeError, ValueError) as exc:
            raise errors.InvalidParameterValueError(
                f"{self._model_name()}: parameter '{name}' got {value!r}, which is not an array of real "
                f"numbers ({exc}); a {kind.__name__} of numbers is needed") from None

    def _is_array_of_shape(self, value):
        """True if nested lists `value` are a numeric array of exactly this space's shape
        (e.g. ``[[1, 2, 3], [4, 5, 6]]`` for shape (2, 3)): values, not one list per cell."""
        if self._shape is None or len(self._shape) < 2 or isinstance(value, np.ndarray):
            return False
        try:
            arr = np.asarray(value)
        except ValueError:  # ragged
            return False
        return arr.shape == tuple(self._shape) and np.issubdtype(arr.dtype, np.number)

    def _check_sequence_value(self, name, value, kind):
        if _is_per_cell_sequence_list(value) and self._shape is not None:
            n = int(np.prod(self._shape))
            if len(value) != n:
                raise errors.InvalidDimensionsError(
                    f"{self._model_name()}: parameter '{name}' was given {len(value)} "
                    f"{kind.__name__}s but there are {n} cells (give one per cell, or one for all)")

    def _plain_magnitude(self, name, value):
        """A quantities.Quantity given for parameter `name` as plain numbers in the parameter's
        unit (the model's ``units``); a pyNN error if the dimensions differ or the unit is
        not known."""
        return quantity_magnitude(value, getattr(self.component, "units", {}).get(name),
                                  f"{self._model_name()}: parameter '{name}'")

    def _as_larray(self, name, value):
        if isinstance(value, str):
            raise errors.InvalidParameterValueError(
                f"{self._model_name()}: parameter '{name}' got the string {value!r}; "
                f"a number, array, callable or RandomDistribution is needed")
        if hasattr(value, "rescale") and hasattr(value, "dimensionality"):  # a quantities.Quantity
            value = self._plain_magnitude(name, value)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]  # a 0-d array is one value for every cell
        wanted = self.schema.get(name) if self.schema else None
        if isinstance(value, (bool, np.bool_)) and wanted not in (None, bool):
            raise errors.InvalidParameterValueError(
                f"{self._model_name()}: parameter '{name}' got the boolean {value!r}; a number is needed")
        if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
            raise errors.InvalidParameterValueError(
                f"{self._model_name()}: parameter '{name}' got the complex number {value!r}; a real number "
                f"is needed")
        if isinstance(value, larray):
            value = larray(value, shape=self._shape) if value.shape is None else value
            return value
        if is_listlike(value):
            arr = np.asarray(value)
            if arr.dtype == object or arr.dtype.kind == "c" or (
                    not np.issubdtype(arr.dtype, np.number) and arr.dtype != bool) or (
                    arr.dtype == bool and wanted not in (None, bool)):
                raise errors.InvalidParameterValueError(
                    f"{self._model_name()}: parameter '{name}' has non-numeric values {value!r}; "
                    f"real numbers are needed")
            if self._shape is not None and arr.shape != tuple(self._shape):
                if arr.size == np.prod(self._shape):
                    arr = arr.reshape(self._shape)
                else:
                    raise errors.InvalidDimensionsError(
                        f"{self._model_name()}: parameter '{name}' has {arr.size} values but "
                        f"there are {int(np.prod(self._shape))} cells (shape {self._shape}); "
                        f"give one value per cell or a single value")
            if arr.dtype.kind in "iub" and not self._keeps_ints(name):
                arr = arr.astype(float)
            return LazyArray(arr, shape=self._shape)
        if isinstance(value, numbers.Number) or isinstance(value, np.number):
            if self._keeps_ints(name) and not isinstance(value, (bool, np.bool_)):
                return LazyArray(value, shape=self._shape)
            return LazyArray(float(value), shape=self._shape)
        if callable(value) or hasattr(value, "lazily_evaluate") or hasattr(value, "next"):
            return LazyArray(value, shape=self._shape)
        raise errors.InvalidParameterValueError(
            f"{self._model_name()}: parameter '{name}' got {value!r} of type "
            f"{type(value).__name__}; expected a number, array, callable or RandomDistribution")

    def _keeps_ints(self, name):
        # a model's float parameter given as an int becomes a float; without a schema
        # (a free-standing ParameterSpace) the value keeps its type, as in PyNN
        return self.schema is None or self.schema.get(name) is int

    # --- evaluation -------------------------------------------------------------
    @property
    def is_homogeneous(self):
        """True if every parameter has the same value for all cells."""
        return all(v.is_homogeneous for v in self._values.values())

    def evaluate(self, mask=None, simplify=False):
        """Evaluate every lazy value, in place, for the cells selected by `mask`.

        After this, ``self[name]`` is a numpy array (or a scalar when ``simplify`` is
        true and the value is homogeneous).
        """
        if self._shape is None:
            raise errors.InvalidDimensionsError(
                f"Cannot evaluate a ParameterSpace (parameters {sorted(self._values)}) without a shape; "
                f"set its shape first")
        for name, value in list(self._values.items()):
            if isinstance(value, ParameterSpace):
                value.evaluate(mask=mask, simplify=simplify)
            elif isinstance(value, _ObjectValue):
                self._values[name] = _Evaluated(value.evaluate(mask=mask, simplify=simplify))
            elif isinstance(value, _Evaluated):
                continue
            else:
                self._values[name] = _Evaluated(_evaluate_larray(value, mask, simplify))
        self._evaluated = True

    def as_dict(self):
        """Evaluated values as a plain dict (call :meth:`evaluate` first)."""
        if not self._evaluated:
            raise errors.InvalidParameterValueError(
                f"ParameterSpace (parameters {sorted(self._values)}) must be evaluated with evaluate() "
                f"before calling as_dict()")
        out = {}
        for name, value in self._values.items():
            out[name] = value.as_dict() if isinstance(value, ParameterSpace) else value.base_value
        return out

    def __iter__(self):
        """Per-cell dicts of values (after evaluation)."""
        d = self.as_dict()
        n = max((np.size(v) for v in d.values() if isinstance(v, np.ndarray)), default=1)
        for k in range(n):
            yield {name: (v[k] if isinstance(v, np.ndarray) and v.ndim > 0 else v)
                   for name, v in d.items()}

    def columns(self):
        """(index, per-cell dict) pairs, for backends that need them."""
        return enumerate(self)

    def expand(self, new_shape, mask):
        """Return a copy whose values are expanded from the cells in `mask` to
        `new_shape`, putting each existing value at the masked positions."""
        n = int(np.prod(new_shape))
        new = ParameterSpace({}, schema=self.schema, shape=new_shape, component=self.component)
        for name, value in self._values.items():
            base = value.base_value if isinstance(value, _Evaluated) else None
            if base is None:
                new._values[name] = value
                continue
            full = np.empty(n, dtype=np.asarray(base).dtype if np.ndim(base) else type(base))
            full[mask] = base
            new._values[name] = _Evaluated(full)
        return new

    def flatten(self, with_prefix=True):
        """Flatten nested (component) parameter spaces into 'component.name' keys."""
        flat = ParameterSpace({}, shape=self._shape, component=self.component)
        for name, value in self._values.items():
            if isinstance(value, ParameterSpace):
                for sub_name, sub_value in value.flatten(with_prefix)._values.items():
                    key = f"{name}.{sub_name}" if with_prefix else sub_name
                    flat._values[key] = sub_value
            else:
                flat._values[name] = value
        flat._evaluated = self._evaluated
        return flat

    @property
    def parallel_safe(self):
        """True if every random value comes from a parallel-safe generator."""
        return all(getattr(getattr(v, "base_value", None), "rng", None) is None
                   or getattr(v.base_value.rng, "parallel_safe", True)
                   for v in self._values.values())

    @property
    def has_native_rngs(self):
        """True if a value is drawn from a simulator-native random number generator."""
        return any(getattr(getattr(getattr(v, "base_value", None), "rng", None), "is_native", False)
                   for v in self._values.values())

    def copy(self):
        """Return a copy of the parameter space."""
        new = ParameterSpace({}, schema=self.schema, shape=self._shape, component=self.component)
        for name, value in self._values.items():
            if isinstance(value, ParameterSpace):
                new._values[name] = value.copy()
            elif isinstance(value, larray):
                new._values[name] = LazyArray(value, shape=value.shape)
                new._values[name].operations = list(value.operations)
            else:
                new._values[name] = value
        new._evaluated = self._evaluated
        return new

    def __repr__(self):
        return f"<ParameterSpace {', '.join(self._values.keys())}, shape={self._shape}>"


class _Evaluated:
    """An already evaluated value (numpy array, object array or scalar)."""

    def __init__(self, value):
        self.base_value = value

    @property
    def is_homogeneous(self):
        v = self.base_value
        if not isinstance(v, np.ndarray) or v.ndim == 0 or v.size == 0:
            return True
        if v.dtype == object:
            first = v.flat[0]
            return all(item == first for item in v.flat)
        return bool(np.all(v == v.flat[0]))


def _evaluate_larray(value, mask, simplify):
    if mask is None:
        result = value.evaluate(simplify=simplify)
    else:
        result = value[mask]
        if simplify and value.is_homogeneous and isinstance(result, np.ndarray) and result.size:
            result = result.flat[0]
    if isinstance(result, np.ndarray) and result.ndim == 0:
        result = result[()]
    if mask is None and not simplify and value.shape and np.ndim(result) == 0:
        # lazyarray gives a one-element array back as a scalar: keep one value per cell
        result = np.full(value.shape, result)
    return result


def simplify(value):
    """Return a scalar if `value` is an array whose elements are all equal, else the array."""
    if isinstance(value, np.ndarray) and value.size > 0:
        if value.dtype == object:
            first = value.flat[0]
            if all(item == first for item in value.flat):
                return first
            return value
        if np.all(value == value.flat[0]):
            return value.flat[0].item() if hasattr(value.flat[0], "item") else value.flat[0]
    return value
