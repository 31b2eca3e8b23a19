"""Current sources of the hardware backend: identity tables (the engine takes the current
of each step in nA from the core's waveform, ``CurrentSourceMixin.current_at_steps``)."""

from pyNN.standardmodels import build_translations, electrodes as std


def _table(cls):
    return build_translations(*((name, name) for name in cls.default_parameters))


class _EngineCurrentSource:
    native_name = "waveform from the core"
    missing_reason = None


class DCSource(_EngineCurrentSource, std.DCSource):
    __doc__ = std.DCSource.__doc__
    translations = _table(std.DCSource)


class ACSource(_EngineCurrentSource, std.ACSource):
    __doc__ = std.ACSource.__doc__
    translations = _table(std.ACSource)


class StepCurrentSource(_EngineCurrentSource, std.StepCurrentSource):
    __doc__ = std.StepCurrentSource.__doc__
    translations = _table(std.StepCurrentSource)


class NoisyCurrentSource(_EngineCurrentSource, std.NoisyCurrentSource):
    __doc__ = std.NoisyCurrentSource.__doc__
    translations = _table(std.NoisyCurrentSource)
