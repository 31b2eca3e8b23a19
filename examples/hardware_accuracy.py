"""
How accurate is the emulated hardware? The same network on every profile
========================================================================

Neuromorphic hardware computes with fixed-point numbers (SpiNNaker) or analog circuits
(BrainScaleS-2): weights are quantised, parameters are clipped to what the chip can
represent, analog neurons differ from one another. This example runs one small network —
cells driven by fixed input spike trains — on the backend named on the command line (the
reference) and on three profiles of ``pyNN.hardware``, then compares membrane potentials
and firing rates with the reference.

Usage::

    python examples/hardware_accuracy.py nest [--simtime 300] [--output-dir results]
"""

import os

import numpy as np

import pyNN.hardware as hw
from pyNN.random import NumpyRNG
from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 300.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)

# fixed input: the same spike times on every backend and profile
rng = NumpyRNG(seed=3)
input_times = [np.sort(np.round(rng.uniform(1.0, options.simtime, 12), 0)) for _ in range(50)]


def run(sim, **setup_options):
    """Build and run the network on `sim`; return the segment of the recorded cells."""
    sim.setup(timestep=1.0, **setup_options)
    inputs = sim.Population(50, sim.SpikeSourceArray(spike_times=input_times), label="inputs")
    cells = sim.Population(20, sim.IF_cond_exp(tau_refrac=2.0, v_thresh=-55.0), label="cells")
    sim.Projection(inputs, cells, sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=4)),
                   sim.StaticSynapse(weight=0.006, delay=1.0), receptor_type="excitatory")
    cells.record("spikes")
    cells[0:1].record("v")   # an analog chip reads out the membrane of only a few neurons
    sim.run(options.simtime)
    segment = cells.get_data().segments[0]
    sim.end()
    return segment


reference = run(sim)
results = {"ideal": run(hw, profile="ideal"),
           "spinnaker1": run(hw, profile="spinnaker1", policy="lenient"),
           "brainscales2": run(hw, profile="brainscales2", policy="lenient")}


def rates(segment):
    return np.array([len(st) for st in segment.spiketrains]) / (options.simtime / 1000.0)


v_ref = np.asarray(reference.filter(name="v")[0])
print(f"reference ({sim.__name__}): mean rate {rates(reference).mean():.1f} Hz")
for profile, segment in results.items():
    v = np.asarray(segment.filter(name="v")[0])
    rms = np.sqrt(np.mean((v - v_ref) ** 2))
    print(f"{profile:13s} mean rate {rates(segment).mean():5.1f} Hz, "
          f"rate difference per cell {np.abs(rates(segment) - rates(reference)).mean():5.1f} Hz, "
          f"v RMS difference (cell 0) {rms:5.2f} mV")

backend = sim.__name__.split(".")[-1]
names = ["reference", *results]
signals = [reference.filter(name="v")[0]] + [seg.filter(name="v")[0] for seg in results.values()]
Figure(
    Panel(*signals, data_labels=names, legend=True, ylabel="v of cell 0 (mV)", xlabel="Time (ms)",
          xlim=(0, options.simtime)),
    title=f"The same network: {backend} and three hardware profiles", size=(8, 4),
).save(os.path.join(options.output_dir, f"hardware_accuracy_{backend}.png"))
