"""Brian2 tables for the standard current sources.

The library computes every source's current on the time grid (see
pyNN.common.current_sources); the Brian2 backend plays it into the cells through a
TimedArray, so no parameter needs a native name here.
"""

from pyNN.standardmodels import electrodes


class Brian2CurrentSourceMixin:
    native_name = "TimedArray of the current on the time grid"
    missing_reason = None
    translations = {}


class DCSource(Brian2CurrentSourceMixin, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__


class ACSource(Brian2CurrentSourceMixin, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__


class StepCurrentSource(Brian2CurrentSourceMixin, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__


class NoisyCurrentSource(Brian2CurrentSourceMixin, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__


__all__ = ["ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource"]

STANDARD_CURRENT_SOURCES = [DCSource, ACSource, StepCurrentSource, NoisyCurrentSource]
