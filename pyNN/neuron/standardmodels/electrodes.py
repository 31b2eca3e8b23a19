"""NEURON translation tables for the standard current sources.

The core computes each source's current on the time grid (``waveform``); the backend
sums the currents of the sources injected into each cell and plays the sum, one value
per step, into the cell mechanism's ``i_inj`` (nA) with ``Vector.play``. No parameter is
translated, so the tables are empty; ``native_name`` names the mechanism variable.
"""

from pyNN.standardmodels import electrodes


class NeuronCurrentSourceMixin:
    native_name = "Vector.play into i_inj"
    missing_reason = None
    translations = {}


class DCSource(NeuronCurrentSourceMixin, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__


class ACSource(NeuronCurrentSourceMixin, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__


class StepCurrentSource(NeuronCurrentSourceMixin, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__


class NoisyCurrentSource(NeuronCurrentSourceMixin, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__


__all__ = ["ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource"]

STANDARD_CURRENT_SOURCES = [DCSource, ACSource, StepCurrentSource, NoisyCurrentSource]
