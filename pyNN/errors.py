"""Exception hierarchy for every user-facing error.

Each error message names the object (population/projection label), the parameter,
the offending value and what would have been allowed.
"""

import difflib


def close_matches(name, candidates, n=3):
    """Return up to `n` entries of `candidates` that look like `name`."""
    return difflib.get_close_matches(str(name), [str(c) for c in candidates], n=n, cutoff=0.6)


class InvalidParameterValueError(ValueError):
    """A parameter was given a value outside its allowed range or of the wrong type."""


class NonExistentParameterError(KeyError):
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


class InvalidDimensionsError(ValueError):
    """An array has the wrong shape for what it is used for."""


class ConnectionError(Exception):
    """A connection cannot be made as requested (bad pre/post, weight sign, indices)."""


class InvalidModelError(Exception):
    """A model name that does not exist."""


class NoModelAvailableError(Exception):
    """The backend has no implementation of the requested standard model or feature."""


class RoundingWarning(Warning):
    """A value was rounded to fit the simulation grid."""


class NothingToWriteError(IOError):
    """There is no recorded data to write or return."""


class InvalidWeightError(ValueError):
    """A weight value that is not allowed (e.g. the wrong sign)."""


class NotLocalError(Exception):
    """A cell or connection that lives on another MPI rank."""


class RecordingError(Exception):
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


class ResourceExhaustedError(Exception):
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


class HardwareConstraintWarning(UserWarning):
    """A hardware profile's limit was worked around (clipped, dropped, ignored) under the lenient policy,
    or a setting is outside what the hardware normally runs (e.g. a small SpiNNaker time step)."""
