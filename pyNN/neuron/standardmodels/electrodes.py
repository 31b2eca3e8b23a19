"""NEURON tables for the standard current sources.

The core computes each source's current on the time grid (``waveform``); the backend
sums the currents of the sources injected into each cell and plays the sum, one value
per step, into the cell mechanism's ``i_inj`` (nA) with ``Vector.play``. No parameter is
translated, so the tables are empty.
"""

from pyNN.standardmodels.electrodes import waveform_tables

DCSource, ACSource, StepCurrentSource, NoisyCurrentSource = waveform_tables(
    __name__, "Vector.play", "the summed current of the cell's sources, into its i_inj").values()

__all__ = ["ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource"]
