"""Neuromorphic-hardware emulation backend: ``import pyNN.hardware as sim``.

``sim.setup(timestep=0.1, profile='ideal', policy='strict', seed=None, **profile_overrides)``
chooses a hardware profile (``sim.list_profiles()``); the network is mapped onto it
(``sim.map()`` maps without running and returns the report, "does it fit?") and run by
the backend's own time-stepped engine with the profile's constraints.
``sim.get_mapping_report()`` returns the mapping report of the last mapping, with the
run-time counters of the runs since. The plain module uses the ``ideal`` profile
(float64, no limits); ``pyNN.hardware.spinnaker``, ``.brainscales2``, ``.spikey``,
``.ideal`` and ``.facets.stage1`` default to their profile. What the module exports is
defined once for every backend (:mod:`pyNN.common.exports`); the functions below are the
hardware backend's own.
"""

from pyNN.common import exports as _exports
from pyNN.hardware import simulator
from pyNN.standardmodels.cells import STANDARD_CELL_TYPES as _STANDARD_CELL_TYPES

globals().update(_exports.backend_exports(__name__))
state = simulator.state
from pyNN.hardware import nestml  # noqa: E402,F401 - sim.nestml.nestml_cell_type(...)

from pyNN.common.native import unsupported_native_types  # noqa: E402

globals().update(unsupported_native_types(
    "hardware", "Use the standard types that "
    "the chosen profile supports (see list_standard_models())."))

_run_steps = run  # noqa: F821 - defined by _exports.backend_exports above


def run(simtime, callbacks=None, progress=None):
    """Advance the simulation by `simtime` (ms) and return the current time;
    ``run(None)`` only maps the network (like :func:`map`). `callbacks` and `progress` are
    as for :func:`run_until`."""
    if simtime is None:
        map()
        return state.t
    return _run_steps(simtime, callbacks, progress)


run_for = run


def map():
    """Map the network onto the hardware profile without running it.

    Returns
    -------
    The mapping report (``summary()``, ``to_dict()``, ``to_json()``). With
    ``policy='strict'`` a network that does not fit raises the pyNN.errors exception the
    mapper reports (e.g. ResourceExhaustedError, NoModelAvailableError).
    """
    return state.map().report


def get_mapping_report():
    """The report of the last mapping (mapping first if the network changed), with the
    run-time counters (provenance) of the runs since."""
    return state.map().report


def list_profiles():
    """Names of the hardware profiles that ``setup(profile=...)`` accepts."""
    return simulator.list_profiles()


def get_profile(name=None, **overrides):
    """The hardware profile `name` (default: the one in use) as a profile object."""
    if name is None:
        return state.profile if state.profile is not None else simulator.load_profile("ideal")
    return simulator.load_profile(name, **overrides)


def list_standard_models():
    """Names of the standard cell types the current profile can run."""
    profile = get_profile()
    return [cls.__name__ for cls in _STANDARD_CELL_TYPES if profile.cell_spec(cls.__name__) is not None]


def _setup_for_profile(default_profile):
    """A setup() whose profile defaults to `default_profile` (for the ready-made modules);
    the default time step is the profile's."""
    generic_setup = setup  # noqa: F821 - defined by _exports.backend_exports above

    def setup_with_profile(timestep=None, min_delay="auto", profile=default_profile, **extra_params):
        if timestep is None:
            timestep = float(simulator.load_profile(profile).get("dt_default", 0.1))
        return generic_setup(timestep, min_delay, profile=profile, **extra_params)

    setup_with_profile.__doc__ = (f"setup() with profile '{default_profile}' by default (and its default "
                                  f"time step).\n\n" + (generic_setup.__doc__ or ""))
    return setup_with_profile
