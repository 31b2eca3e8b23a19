"""Current sources of the hardware backend: identity tables (the engine takes the current
of each step in nA from the core's waveform, ``CurrentSourceMixin.current_at_steps``)."""

from pyNN.standardmodels.electrodes import waveform_tables

DCSource, ACSource, StepCurrentSource, NoisyCurrentSource = waveform_tables(
    __name__, "waveform", "the core's current on the time grid, added by the engine each step", identity=True).values()

__all__ = ["ACSource", "DCSource", "NoisyCurrentSource", "StepCurrentSource"]
