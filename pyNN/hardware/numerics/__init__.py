"""Number formats of the hardware families: SpiNNaker's s16.15 fixed point and the analog
profiles' discrete weights, DAC quantisation, mismatch and noise."""
