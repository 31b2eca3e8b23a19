"""Which ``setup()`` option belongs to which backend: one table for the whole library.

PyNN scripts pass the options of every simulator they were written for to ``setup()``
(``threads=4`` for NEST, ``use_cvode=True`` for NEURON, ...), and each backend takes the
options it knows. Here:

- an option that this backend uses is checked against the table (one error type,
  :class:`pyNN.errors.InvalidParameterValueError`, on every backend) and passed on;
- an option that another backend, or PyNN itself, defines is ignored with one INFO log line
  naming the backend(s) that would use it;
- any other name is ignored with a warning that suggests close matches (never an error:
  scripts may carry options of simulators that we do not know).
"""

import logging
import numbers
import os
import warnings

from pyNN import errors

logger = logging.getLogger("PyNN")

#: the name each backend module has (``pyNN.<name>``) by its State's ``backend_name``
BACKEND_MODULES = {"nest": "nest", "neuron": "neuron", "brian2": "brian2", "hardware": "hardware"}


def _integer(minimum=None):
    def check(value):
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        return ok and (minimum is None or value >= minimum)
    return check, "an integer" + ("" if minimum is None else f" >= {minimum}")


def _number(positive=False):
    def check(value):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        return ok and (not positive or value > 0)
    return check, "a positive number" if positive else "a number"


def _one_of(*choices):
    return (lambda value: isinstance(value, str) and value in choices), f"one of {list(choices)}"


def _optional(spec):
    check, text = spec
    return (lambda value: value is None or check(value)), f"None or {text}"


_BOOL = ((lambda value: isinstance(value, (bool, numbers.Integral))), "True or False")
_TEXT = ((lambda value: isinstance(value, str)), "a string")
_PATH = ((lambda value: value is None or isinstance(value, (str, os.PathLike))), "None or a path")
_SEED = _optional(_integer(0))
_ANY = ((lambda value: True), "any value")
_SEEDS = ((lambda value: isinstance(value, (list, tuple)) and len(value) > 0), "a non-empty list of seeds")
_PROFILE = ((lambda value: isinstance(value, str) or hasattr(value, "settings")),
            "a profile name or a HardwareProfile")

#: "PyNN" marks options that PyNN itself (older versions, its export front-ends) defines and
#: that no backend of this library uses
PYNN = "PyNN"

#: option name -> {backend module name (or PYNN): (check, description of allowed values)}
SETUP_OPTIONS = {
    "threads": {"nest": _integer(1), "hardware": _integer(1)},
    # the values each backend supports are its State's `spike_precisions` (checked in setup())
    "spike_precision": {"nest": _one_of("on_grid", "off_grid"), "neuron": _one_of("on_grid", "off_grid")},
    "verbosity": {"nest": _one_of("all", "info", "deprecated", "warning", "error", "fatal")},
    "recording_precision": {"nest": _integer(0)},
    "t_flush": {"nest": _optional(_number())},
    "rng_type": {"nest": _optional(_TEXT)},
    "grng_seed": {"nest": _SEED},
    "rng_seeds": {"nest": _optional(_SEEDS)},
    "rng_seeds_seed": {"nest": _SEED},
    "rng_seed": {"nest": _SEED, "neuron": _SEED, "brian2": _SEED, "hardware": _SEED},
    "use_cvode": {"neuron": _BOOL},
    "rtol": {"neuron": _optional(_number(positive=True))},
    "atol": {"neuron": _optional(_number(positive=True))},
    "default_maxstep": {"neuron": _number(positive=True)},
    "native_rng_baseseed": {"neuron": _integer(0)},
    "codegen_target": {"brian2": _optional(_one_of("cython", "numpy", "cpp_standalone"))},
    "cache_dir": {"brian2": _PATH},
    "share_groups": {"brian2": _BOOL},
    "profile": {"hardware": _PROFILE},
    "policy": {"hardware": _one_of("strict", "lenient")},
    "seed": {"hardware": _SEED},
    # defined by PyNN for simulators or front-ends that this library does not have
    "rank": {PYNN: _ANY},
    "num_processes": {PYNN: _ANY},
    "label": {PYNN: _ANY},
    "filename": {PYNN: _ANY},
    "reference": {PYNN: _ANY},
    "save_format": {PYNN: _ANY},
    "debug": {PYNN: _ANY},
    "quit_on_end": {PYNN: _ANY},
    "loglevel": {PYNN: _ANY},
    # PyNN's former FACETS hardware backend (its examples pass them to every simulator)
    "useSystemSim": {PYNN: _ANY},
    "hardwareNeuronSize": {PYNN: _ANY},
    "maxNeuronLoss": {PYNN: _ANY},
    "maxSynapseLoss": {PYNN: _ANY},
}


def select_setup_options(backend, options, extra_names=()):
    """Split the keyword options given to ``setup()`` into those `backend` uses.

    Parameters
    ----------
    backend : str
        Module name of the backend (``"nest"``, ``"neuron"``, ``"brian2"``, ``"hardware"``).
    options : dict
        The keyword options given to ``setup()`` (without timestep/min_delay/max_delay).
    extra_names : iterable of str
        Further option names the backend takes that are not fixed in advance (the settings of
        a hardware profile); their values are checked by the backend itself.

    Returns
    -------
    dict
        The options for `backend`, their values checked.

    Raises
    ------
    pyNN.errors.InvalidParameterValueError
        If an option that `backend` uses has a value of the wrong type or outside its range.
    """
    extra_names = set(extra_names)
    selected = {}
    for name, value in options.items():
        users = SETUP_OPTIONS.get(name, {})
        if backend in users:
            check, allowed = users[backend]
            if not check(value):
                raise errors.InvalidParameterValueError(
                    f"setup(): option '{name}' of pyNN.{backend} must be {allowed}, got {value!r}")
            selected[name] = value
        elif name in extra_names:
            selected[name] = value
        elif users:
            owners = ", ".join("PyNN" if b == PYNN else f"pyNN.{b}" for b in users)
            logger.info("setup(): option '%s' is ignored by pyNN.%s (it is used by %s)",
                        name, backend, owners)
        else:
            hint = errors.close_matches(name, list(SETUP_OPTIONS) + sorted(extra_names))
            warnings.warn(
                f"setup(): option '{name}' is not known to pyNN.{backend} or any other backend; "
                f"it is ignored." + (f" Did you mean: {', '.join(hint)}?" if hint else ""),
                UserWarning, stacklevel=3)
    return selected
