"""Base classes for cell, synapse and current-source types.

A model type is data: parameter names with defaults (which fix the expected type of
each parameter), initial values of state variables, recordable variables and units.
Which backend can run a type is data too: a backend's class of the type names its
native model (``native_name``), or says why there is none (``missing_reason``);
:func:`require_native` is the one place that turns a missing model into an error.
"""

import numbers

import numpy as np

from pyNN import descriptions, errors
from pyNN.parameters import ArrayParameter, ParameterSpace


def _schema_type(default):
    if isinstance(default, ArrayParameter):
        return type(default)
    if isinstance(default, bool):
        return bool
    if isinstance(default, numbers.Integral):
        return int
    if isinstance(default, dict):
        return dict
    return float


class BaseModelType:
    """Base class of every model type (cells, synapses, current sources).

    Parameters
    ----------
    **parameters
        Values for any of the type's parameters; others keep their defaults.
    """

    default_parameters = {}
    default_initial_values = {}
    #: state variable -> parameter whose value (per cell) is the variable's initial value
    #: unless one is given (e.g. GIF's moving threshold v_t starts at v_t_star)
    initial_values_from_parameters = {}
    units = {}
    #: the model a backend runs for this type (a NEST model, a NEURON mechanism, a Brian2
    #: object, an engine model); None when the backend has none (see `missing_reason`)
    native_name = None
    #: why the backend has no model for this type (shown in errors and the support matrix)
    missing_reason = None
    #: how the backend implements the type, in words, for the support matrix (optional)
    native_description = None
    #: what each parameter and state variable means (one short phrase per name)
    descriptions = {}

    def __init__(self, **parameters):
        self.parameter_space = ParameterSpace(self.default_parameters, self.get_schema(),
                                              shape=None, component=type(self))
        if parameters:
            self.parameter_space.update(**parameters)

    def __repr__(self):
        return f"{type(self).__name__}(<parameters>)"

    @classmethod
    def has_parameter(cls, name):
        """Return True if the model has a parameter called `name`."""
        return name in cls.default_parameters

    @classmethod
    def get_parameter_names(cls):
        """Return the list of parameter names of the model."""
        return list(cls.default_parameters.keys())

    @classmethod
    def get_schema(cls):
        """Parameter name -> expected type, derived from the defaults."""
        return {name: _schema_type(value) for name, value in cls.default_parameters.items()}

    def describe(self, template="modeltype_default.txt", engine="default"):
        """Short description; a dict when `template` is None."""
        context = {"name": type(self).__name__,
                   "parameters": {k: self._described_value(k) for k in self.get_parameter_names()}}
        return descriptions.render(engine, template, context, builtin=descriptions.call_text)

    def _described_value(self, name):
        """The value given for `name` as it was given (a number, or the object: a random
        distribution is shown, not drawn from), the default if none was given."""
        ps = getattr(self, "parameter_space", None)
        if ps is None or name not in ps:
            return self.default_parameters[name]
        value = ps[name]
        if getattr(value, "operations", None):  # transformed lazily: show the default
            return self.default_parameters[name]
        return getattr(value, "base_value", value)

    @classmethod
    def describe_native(cls):
        """One line for the support matrix: the native model and, if given, how it is used."""
        if not cls.native_name:
            return None
        text = f"`{cls.native_name}`"
        return f"{text}: {cls.native_description}" if cls.native_description else text

    def get_parameters(self):
        """The type's parameter values (homogeneous ones as scalars)."""
        ps = self.parameter_space.copy()
        ps.shape = (1,)
        ps.evaluate(simplify=True)
        return ps.as_dict()


class BaseCellType(BaseModelType):
    """Base class of cell types."""

    recordable = []
    receptor_types = ("excitatory", "inhibitory")
    conductance_based = True
    injectable = True
    voltage_based_synapses = False
    always_local = False

    @classmethod
    def can_record(cls, variable, location=None):
        """Return True if `variable` is recordable from this cell type (`location` is ignored)."""
        return variable in cls.recordable


class BaseSynapseType(BaseModelType):
    """Base class of synapse types. Every synapse type has `weight` and `delay`."""

    connection_type = None
    has_presynaptic_components = False
    #: parameters may be strings: expressions in the distance d, e.g. "0.5+0.01*d"
    accepts_distance_expressions = True

    def __init__(self, **parameters):
        super().__init__(**parameters)

    @property
    def plastic(self):
        """False: a plain synapse type has no plasticity."""
        return False

    def check_projection(self, projection):
        """Checks that need the projection (its simulator, populations and settings), run by the
        Projection before a backend sees it; nothing for most synapse types."""

    def describe_inputs(self):
        """One line on inputs the synapse type takes besides the projection's own (e.g. the
        modulatory populations of a NESTML synapse), for Projection.describe(); '' if none."""
        return ""

    #: state variables (besides the weight) that Projection.record() can sample
    state_variables = ()

    @classmethod
    def recordable_synapse_variables(cls):
        """Names Projection.record() accepts for this synapse type: 'weight' and its state."""
        return ("weight",) + tuple(cls.state_variables)


class BaseCurrentSource(BaseModelType):
    """Base class of current sources (electrodes)."""


def require_native(model_type, backend_name, type_name=None):
    """The native model of `model_type` on a backend, or NoModelAvailableError.

    Parameters
    ----------
    model_type : model type class or instance, or a backend object describing one
        Anything with ``native_name`` (and ``missing_reason``) attributes, e.g. a backend's
        cell type, or the description a backend builds for a PointNeuron.
    backend_name : str
        The backend's name as used in messages ('NEST', 'NEURON', ...).
    type_name : str, optional
        Name of the type in the message (default: the class name of `model_type`).

    Returns
    -------
    The ``native_name`` of `model_type`.
    """
    name = getattr(model_type, "native_name", None)
    if name:
        return name
    if type_name is None:
        type_name = (model_type if isinstance(model_type, type) else type(model_type)).__name__
    reason = getattr(model_type, "missing_reason", None) or f"the {backend_name} backend defines no model for it"
    raise errors.NoModelAvailableError(f"{type_name} is not available on the {backend_name} backend: {reason}")


def check_weight_sign(weights, receptor_type, conductance_based, label):
    """Apply the library's single weight-sign rule; return the weights as magnitudes.

    Conductance-based targets need weights >= 0. Current-based targets accept
    magnitudes (>= 0) for any receptor, PyNN-style negative weights on the inhibitory
    receptor, and (as in PyNN) negative weights on a receptor named by the user (a
    PointNeuron's 'GABAA'), whose sign is the sign of the current; only 'excitatory'
    refuses them. Mixed signs within one projection are always refused.
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        return w
    # two reductions over the weights, no temporaries (NaN propagates through both)
    lo, hi = w.min(), w.max()
    if np.isnan(lo) or np.isnan(hi):
        raise errors.ConnectionError(f"Projection '{label}': weights contain NaN")
    has_neg = bool(lo < 0)
    has_pos = bool(hi > 0)
    if has_neg and has_pos:
        raise errors.ConnectionError(
            f"Projection '{label}': weights have mixed signs (min {lo:g}, max {hi:g}). "
            f"Weights are magnitudes: give all weights >= 0 and select the receptor with "
            f"receptor_type (or all <= 0 on an inhibitory current-based projection).")
    if has_neg:
        if conductance_based:
            raise errors.ConnectionError(
                f"Projection '{label}': conductance-based synapses need weights >= 0, "
                f"got {lo:g}. Use receptor_type='inhibitory' with positive weights.")
        if receptor_type == "excitatory":
            raise errors.ConnectionError(
                f"Projection '{label}': negative weights (min {lo:g}) are not allowed on the "
                f"'excitatory' receptor; give weights >= 0, or use the 'inhibitory' receptor (or a "
                f"current receptor named by the user) for negative weights.")
        return -w
    return w
