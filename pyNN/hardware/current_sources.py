"""Current sources of the hardware backend.

The core keeps each source's parameters, history and targets, and computes its current
on the time grid (``current_at_steps``); before each run the backend hands those
currents to the engine, so nothing needs to be created in a simulator here.
"""

from pyNN.common.current_sources import WaveformCurrentSource, current_source_classes
from pyNN.hardware import simulator
from pyNN.hardware.standardmodels import electrodes as tables

DCSource, ACSource, StepCurrentSource, NoisyCurrentSource = current_source_classes(
    WaveformCurrentSource, tables, simulator, __name__).values()
