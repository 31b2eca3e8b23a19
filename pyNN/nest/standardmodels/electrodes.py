"""NEST 3.10 translation tables for the standard current sources.

Currents are translated nA -> pA. ``start``/``stop`` are passed through unchanged; the
backend shifts device times so that the current acts on the same steps as on other
simulators. ``variable_map``/``scale_factors`` give the NEST recordable of the injected
current (``I``, in pA) and the factor back to nA.
"""

from pyNN.standardmodels import build_translations, electrodes


class NestCurrentSourceMixin:
    """Defaults of the NEST-specific attributes of a current source."""

    variable_map = {"i": "I"}
    scale_factors = {"i": 0.001}


_WINDOW = (("start", "start"), ("stop", "stop"))


class DCSource(NestCurrentSourceMixin, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    native_name = "dc_generator"
    translations = build_translations(("amplitude", "amplitude", 1000.0), *_WINDOW)


class ACSource(NestCurrentSourceMixin, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    native_name = "ac_generator"
    translations = build_translations(
        ("amplitude", "amplitude", 1000.0),
        ("offset", "offset", 1000.0),
        ("frequency", "frequency"),
        ("phase", "phase"),  # degrees in both
        *_WINDOW,
    )


class StepCurrentSource(NestCurrentSourceMixin, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    native_name = "step_current_generator"
    translations = build_translations(
        ("amplitudes", "amplitude_values", 1000.0),
        ("times", "amplitude_times"),
    )


class NoisyCurrentSource(NestCurrentSourceMixin, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    native_name = "noise_generator"
    translations = build_translations(
        ("mean", "mean", 1000.0),
        ("stdev", "std", 1000.0),
        ("dt", "dt"),
        *_WINDOW,
    )


__all__ = ["ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource"]
