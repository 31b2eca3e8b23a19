"""Standard current sources (electrodes): names, defaults, units and value checks.

These classes are data only. Currents are in nA and times in ms; a source is active for
``start <= t < stop``. The injected current can be recorded as the variable ``'i'``.
"""

import numpy as np

from pyNN.parameters import Sequence
from pyNN.standardmodels import StandardCurrentSource, backend_type, identity_translations
from pyNN.standardmodels.cells import ValueChecksMixin


def _stop_not_before_start(start, stop):
    return np.all(np.asarray(stop, dtype=float) >= np.asarray(start, dtype=float))


def _times_increasing_non_negative(t):
    ok = t >= 0
    if t.size > 1:
        ok[1:] &= np.diff(t) > 0
    return ok


def _active(t, v, dt):
    """Steps that begin in [start, stop)."""
    return (t >= v["start"] - 1e-9 * dt) & (t < v["stop"] - 1e-9 * dt)


def _held(steps, change_steps, amplitudes):
    """Piecewise-constant value at `steps`: amplitudes[k] from change_steps[k] on, 0 before."""
    if len(change_steps) == 0:
        return np.zeros(np.shape(steps))
    k = np.searchsorted(change_steps, steps, side="right") - 1
    return np.where(k >= 0, np.asarray(amplitudes, dtype=float)[np.maximum(k, 0)], 0.0)


def values_of(sequence):
    """The values of a Sequence (or array-like) as a float array."""
    return np.asarray(getattr(sequence, "value", sequence), dtype=float)


_TIMING_CHECK = (("start", "stop"), _stop_not_before_start, "stop must not be earlier than start")
_TIMING_TEXT = {"start": "time at which the current is switched on",
                "stop": "time at which the current is switched off",
                "i": "injected current"}


class _CurrentSource(ValueChecksMixin, StandardCurrentSource):
    recordable = ["i"]
    cross_checks = (_TIMING_CHECK,)
    #: stop=inf means "never switched off" (checked to work on every backend)
    infinity_allowed = ("stop",)


class DCSource(_CurrentSource):
    """Constant current of size `amplitude`, switched on at `start` and off at `stop`."""

    default_parameters = {"amplitude": 1.0, "start": 0.0, "stop": 1e12}
    units = {"amplitude": "nA", "start": "ms", "stop": "ms", "i": "nA"}
    descriptions = dict(_TIMING_TEXT, amplitude="size of the current")

    @staticmethod
    def waveform(steps, dt, v, noise=None):
        """The current (nA) during the steps starting at `steps` * dt, for values `v`."""
        return np.where(_active(np.asarray(steps) * dt, v, dt), v["amplitude"], 0.0)


class ACSource(_CurrentSource):
    """Sinusoidal current ``offset + amplitude*sin(2*pi*frequency*t + phase)`` between
    `start` and `stop`; the phase is given in degrees."""

    default_parameters = {"amplitude": 1.0, "start": 0.0, "stop": 1e12, "frequency": 10.0,
                          "offset": 0.0, "phase": 0.0}
    units = {"amplitude": "nA", "start": "ms", "stop": "ms", "frequency": "Hz", "offset": "nA",
             "phase": "deg", "i": "nA"}
    descriptions = dict(_TIMING_TEXT, amplitude="amplitude of the sine wave", frequency="frequency of the sine wave",
                        offset="constant current added to the sine wave", phase="phase of the sine wave at start")

    @staticmethod
    def waveform(steps, dt, v, noise=None):
        """The current (nA) during the steps starting at `steps` * dt, for values `v`."""
        t = np.asarray(steps) * dt
        phase = np.deg2rad(v["phase"])
        wave = v["offset"] + v["amplitude"] * np.sin(2 * np.pi * v["frequency"] * (t - v["start"]) / 1000.0
                                                      + phase)
        return np.where(_active(t, v, dt), wave, 0.0)
    parameter_checks = (("frequency", lambda v: v >= 0, "must be >= 0 Hz"),)


class StepCurrentSource(_CurrentSource):
    """Piecewise-constant current: zero before the first time in `times`, then
    `amplitudes[k]` from `times[k]` on, the last value being held to the end."""

    default_parameters = {"amplitudes": Sequence([]), "times": Sequence([])}
    units = {"amplitudes": "nA", "times": "ms", "i": "nA"}
    descriptions = {"amplitudes": "current from each of the change times on",
                    "times": "times at which the current changes", "i": _TIMING_TEXT["i"]}

    @staticmethod
    def waveform(steps, dt, v, noise=None):
        """The current (nA) during the steps starting at `steps` * dt, for values `v`."""
        change_steps = np.rint(values_of(v["times"]) / dt).astype(np.int64)
        return _held(np.asarray(steps), change_steps, values_of(v["amplitudes"]))
    array_checks = (
        ("times", _times_increasing_non_negative, "times must be >= 0 ms and strictly increasing"),
    )
    cross_checks = (
        (("amplitudes", "times"), lambda a, t: len(a) == len(t),
         "amplitudes and times need the same number of elements"),
    )


class NoisyCurrentSource(_CurrentSource):
    """Gaussian white-noise current: a new value drawn from N(`mean`, `stdev`) every `dt`
    ms and held constant in between, active between `start` and `stop`."""

    default_parameters = {"mean": 0.0, "stdev": 1.0, "start": 0.0, "stop": 1e12, "dt": 0.1}
    units = {"mean": "nA", "stdev": "nA", "start": "ms", "stop": "ms", "dt": "ms", "i": "nA"}
    descriptions = dict(_TIMING_TEXT, mean="mean of the noise", stdev="standard deviation of the noise",
                        dt="interval between two new noise values")
    #: the noise samples are drawn by the source object (see pyNN.common.current_sources)
    draws_noise = True

    @staticmethod
    def waveform(steps, dt, v, noise=None):
        """`noise` = (times, amplitudes) of the noise steps drawn so far."""
        times, amps = noise
        values = _held(np.asarray(steps), np.rint(times / dt).astype(np.int64), amps)
        return np.where(_active(np.asarray(steps) * dt, v, dt), values, 0.0)
    parameter_checks = (
        ("stdev", lambda v: v >= 0, "must be >= 0 nA"),
        ("dt", lambda v: v > 0, "must be > 0 ms"),
    )


__all__ = ["ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource"]


#: every standard current source, in the order of the documentation
STANDARD_CURRENT_SOURCES = (DCSource, ACSource, StepCurrentSource, NoisyCurrentSource)


def waveform_tables(module, native_name, native_description, identity=False):
    """A backend's classes of the standard current sources when it plays the core's waveform
    (see :class:`pyNN.common.current_sources.WaveformCurrentSource`).

    Parameters
    ----------
    module : str
        ``__module__`` of the classes (the backend's ``standardmodels.electrodes``).
    native_name, native_description : str
        What plays the current in the backend, for the support matrix.
    identity : bool
        The parameters stay in the core, so by default nothing is translated (empty tables);
        True gives tables that keep every parameter under its standard name and unit.

    Returns
    -------
    dict
        name -> class, in the order of :data:`STANDARD_CURRENT_SOURCES`.
    """
    return {standard.__name__: backend_type(standard, module, native_name=native_name,
                                            native_description=native_description,
                                            translations=identity_translations(standard) if identity else {})
            for standard in STANDARD_CURRENT_SOURCES}
