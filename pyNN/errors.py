"""Exception hierarchy for every user-facing error.

Each error message names the object (population/projection label), the parameter,
the offending value and what would have been allowed.

Every class derives from :class:`PyNNError`, so ``except pyNN.errors.PyNNError`` catches any
error the library raises on purpose. Each class also derives from the builtin exception that
describes the same kind of mistake (``ValueError``, ``TypeError``, ``KeyError`` ...), so code
written for PyNN that catches the builtin keeps working.
"""

import difflib


def close_matches(name, candidates, n=3):
    """Return up to `n` entries of `candidates` that look like `name`."""
    return difflib.get_close_matches(str(name), [str(c) for c in candidates], n=n, cutoff=0.6)


class PyNNError(Exception):
    """Base class of every error that the library raises deliberately."""


class InvalidParameterValueError(PyNNError, ValueError):
    """A parameter was given a value outside its allowed range or of the wrong type."""


class NonExistentParameterError(PyNNError, KeyError):
    """A parameter name that the model does not have."""

    def __init__(self, parameter_name, model_name, valid_parameter_names=("unknown",)):
        self.parameter_name = parameter_name
        self.model_name = model_name
        self.valid_parameter_names = sorted(valid_parameter_names)
        super().__init__(parameter_name)

    def __str__(self):
        msg = (f"{self.model_name} has no parameter '{self.parameter_name}'. "
               f"Valid parameter names are: {', '.join(self.valid_parameter_names)}.")
        suggestions = close_matches(self.parameter_name, self.valid_parameter_names)
        if suggestions:
            msg += f" Did you mean: {', '.join(suggestions)}?"
        return msg


class InvalidDimensionsError(PyNNError, ValueError):
    """An array has the wrong shape for what it is used for."""


class ConnectionError(PyNNError, ValueError):
    """A connection cannot be made as requested (bad pre/post, weight sign, indices)."""


class InvalidModelError(PyNNError, ValueError):
    """A model name that does not exist."""


class NoModelAvailableError(PyNNError, NotImplementedError):
    """The backend has no implementation of the requested standard model or feature."""


class InvalidTypeError(PyNNError, TypeError):
    """An argument of the wrong type (e.g. a class where an instance is expected, a string where a
    number is expected)."""


class InvalidIndexError(PyNNError, IndexError):
    """An index or ID outside the object it indexes (population, view, projection)."""


class UnknownIDError(InvalidIndexError, InvalidParameterValueError):
    """A cell ID that is not in the population, view or assembly asked (``id_to_index``).
    Both an IndexError and a ValueError: PyNN raises ValueError from
    ``Population.id_to_index`` and IndexError from the view's and the assembly's (and this
    library raised InvalidParameterValueError before)."""


class UnknownNameError(PyNNError, KeyError):
    """A name that is not one of the allowed choices (a receptor type, a backend option, a file
    format...). Use :class:`NonExistentParameterError` for model parameters."""

    def __str__(self):
        # KeyError quotes its argument; show the message as written
        return str(self.args[0]) if self.args else ""


class NotSupportedError(PyNNError, NotImplementedError):
    """A feature that this backend (or hardware profile) does not provide. The message names the
    feature, the backend and what to use instead."""


class SimulationStateError(PyNNError, RuntimeError):
    """An operation that the simulation's current state does not allow (e.g. a time in the past,
    an object from an earlier ``setup()``, running before ``setup()``)."""


class SimulatorError(PyNNError, RuntimeError):
    """The underlying simulator failed; the message says which object and what it reported."""


class NumericalInstabilityError(SimulatorError):
    """The simulator's integration diverged during a run (a state variable became NaN or
    infinite); the message names the population, the cells and the time interval."""


class RoundingWarning(Warning):
    """A value was rounded to fit the simulation grid."""


class NothingToWriteError(PyNNError, OSError):
    """There is no recorded data to write or return."""


class InvalidWeightError(PyNNError, ValueError):
    """A weight value that is not allowed (e.g. the wrong sign)."""


class NotLocalError(PyNNError, IndexError):
    """A cell or connection that lives on another MPI rank."""


class RecordingError(PyNNError, ValueError):
    """A variable that the cell type cannot record."""

    def __init__(self, variable, cell_type, population_label=None):
        self.variable = variable
        self.cell_type = cell_type
        self.population_label = population_label
        super().__init__(variable)

    def __str__(self):
        recordable = list(getattr(self.cell_type, "recordable", []))
        type_name = getattr(self.cell_type, "__name__", type(self.cell_type).__name__)
        where = f" (population '{self.population_label}')" if self.population_label else ""
        msg = (f"Cannot record '{self.variable}' from cell type {type_name}{where}. "
               f"Recordable variables are: {', '.join(recordable)}.")
        suggestions = close_matches(self.variable, recordable)
        if suggestions:
            msg += f" Did you mean: {', '.join(suggestions)}?"
        return msg


class ResourceExhaustedError(PyNNError, RuntimeError):
    """A network needs more of a hardware resource than the chosen hardware profile has.

    Parameters
    ----------
    resource : str
        The resource, e.g. ``"cores"``, ``"neuron circuits"``, ``"routing entries on chip (0, 0)"``.
    needed, available : number
        How much the network needs and how much the profile offers.
    obj : str, optional
        The population or projection that ran out (its label), if one can be named.
    suggestion : str, optional
        What the user can change so that the network fits.
    profile : str, optional
        The hardware profile's name.
    """

    def __init__(self, resource, needed, available, obj=None, suggestion=None, profile=None):
        self.resource = resource
        self.needed = needed
        self.available = available
        self.obj = obj
        self.suggestion = suggestion
        self.profile = profile
        super().__init__(resource)

    def __str__(self):
        where = f" for {self.obj}" if self.obj else ""
        on = f" on hardware profile '{self.profile}'" if self.profile else ""
        msg = (f"Not enough {self.resource}{on}: the network needs {self.needed}{where} "
               f"but only {self.available} are available.")
        if self.suggestion:
            msg += f" Suggestion: {self.suggestion}"
        return msg


class RecordingLimitError(RecordingError):
    """A recording request that the hardware's recording channels cannot serve.

    Unlike its parent class, the variable exists on the cell type; what is missing is a
    free recording channel (e.g. analog read-out of too many neurons at once).
    """

    def __init__(self, message, variable=None, population_label=None):
        self.message = message
        super().__init__(variable, None, population_label)

    def __str__(self):
        return self.message


class SynapseRecordingError(RecordingError):
    """A synapse variable a projection cannot record (Projection.record), or a request for
    synapse data that were not recorded."""

    def __init__(self, message, variable=None, projection_label=None):
        self.message = message
        super().__init__(variable, None, projection_label)

    def __str__(self):
        return self.message


class HardwareConstraintWarning(UserWarning):
    """A hardware profile's limit was worked around (clipped, dropped, ignored) under the lenient policy,
    or a setting is outside what the hardware normally runs (e.g. a small SpiNNaker time step)."""


class MissingPackageError(PyNNError, ImportError, RuntimeError):
    """An optional package that a feature needs is not installed; the message names the feature,
    the package and how to install it. (An ImportError, and a RuntimeError as in PyNN.)"""


class DataFileError(PyNNError, OSError, ValueError):
    """A data file that cannot be written or read as asked: an unknown or no longer supported
    format, a package that the format needs is missing, a file that is closed or opened in the
    wrong mode, or rows of different lengths. Both an OSError and a ValueError, like Python's own
    ``io.UnsupportedOperation``."""


class DataFileNotFoundError(DataFileError, FileNotFoundError):
    """A data file to read (e.g. by FromFileConnector) does not exist; also a
    FileNotFoundError, which PyNN raised for it."""


class DuplicateInjectionWarning(UserWarning):
    """A current source was injected into a cell that already receives it: the cell then
    receives the current once per injection (twice the current for two injections)."""


class ModelDescriptionError(PyNNError, ValueError):
    """A model description (e.g. a NESTML model) that does not parse or does not check. The
    message names the file, line and column and quotes the model tool's message; ``problems``
    lists every one as (path, line, column, message)."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


class CodeGenerationError(PyNNError, RuntimeError):
    """Code for a user-defined model could not be generated or compiled (a missing compiler or
    header, a failing build); the message says what to install or where the build log is."""
