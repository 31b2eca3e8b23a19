"""Current sources of the hardware backend.

The core keeps each source's parameters, history and targets, and computes its current
on the time grid (``current_at_steps``); before each run the backend hands those
currents to the engine, so nothing needs to be created in a simulator here.
"""

from pyNN.common.current_sources import CurrentSourceMixin
from pyNN.hardware import simulator
from pyNN.hardware.standardmodels import electrodes as tables


class EngineCurrentSource(CurrentSourceMixin):
    """Hooks of a current source on the hardware backend (nothing to create)."""

    _simulator = simulator

    def _create_device(self):
        pass

    def _connect(self, root, indices):
        pass

    def _push_parameters(self):
        pass


class DCSource(EngineCurrentSource, tables.DCSource):
    __doc__ = tables.DCSource.__doc__


class ACSource(EngineCurrentSource, tables.ACSource):
    __doc__ = tables.ACSource.__doc__


class StepCurrentSource(EngineCurrentSource, tables.StepCurrentSource):
    __doc__ = tables.StepCurrentSource.__doc__


class NoisyCurrentSource(EngineCurrentSource, tables.NoisyCurrentSource):
    __doc__ = tables.NoisyCurrentSource.__doc__
