"""Brian2 tables for the standard current sources.

The library computes every source's current on the time grid (see
pyNN.common.current_sources); the Brian2 backend plays it into the cells through a
TimedArray, so no parameter needs a native name here.
"""

from pyNN.standardmodels.electrodes import waveform_tables

DCSource, ACSource, StepCurrentSource, NoisyCurrentSource = waveform_tables(
    __name__, "TimedArray", "the summed current of the cell's sources on the time grid").values()

__all__ = ["ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource"]
