"""
Recording, Neo data, files and plotting
=======================================

What comes back from a simulation is a Neo ``Block``: one ``Segment`` per run (separated
by ``reset()``), holding a ``SpikeTrain`` per cell and an ``AnalogSignal`` per recorded
variable, with annotations that say where they came from. This example records two
trials, writes them to a file and reads them back, and draws the usual figures with
:mod:`pyNN.utility.plotting`: a raster, membrane potentials, an inter-spike-interval
histogram and a side-by-side comparison of the two trials.

Usage::

    python examples/plotting_and_files.py nest [--simtime 500] [--output-dir results]
"""

import os

import neo
import numpy as np

from pyNN.random import NumpyRNG
from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Histogram, Panel, comparison_plot

sim, options = get_simulator(
    ("--simtime", "simulated time per trial (ms)", {"type": float, "default": 500.0}),
    ("--output-dir", "where the data file and the figures go", {"default": "results"}),
)
sim.setup(timestep=0.1)
rng = NumpyRNG(seed=7)

cells = sim.Population(50, sim.IF_cond_exp(tau_refrac=2.0), label="cells")
inputs = sim.Population(100, sim.SpikeSourcePoisson(rate=20.0), label="inputs")
sim.Projection(inputs, cells, sim.FixedProbabilityConnector(0.2, rng=rng), sim.StaticSynapse(weight=0.006, delay=1.0),
               receptor_type="excitatory")
cells.record("spikes")
cells[0:3].record(["v", "gsyn_exc"], sampling_interval=0.5)

sim.run(options.simtime)
sim.reset(annotations={"input_rate": 20.0})
inputs.set(rate=30.0)
sim.run(options.simtime)
sim.reset(annotations={"input_rate": 30.0})

# %%
# Writing and reading: the file format follows the extension (here Neo's pickle format).
backend = sim.__name__.split(".")[-1]
data_file = os.path.join(options.output_dir, f"plotting_and_files_{backend}.pkl")
os.makedirs(options.output_dir, exist_ok=True)
cells.write_data(data_file)
block = neo.io.PickleIO(data_file).read_block()
for segment in block.segments:
    n_spikes = sum(len(st) for st in segment.spiketrains)
    names = [sig.name for sig in segment.analogsignals]
    print(f"{segment.name}: {segment.annotations}, {len(segment.spiketrains)} spike trains "
          f"({n_spikes} spikes), signals {names}")

# %%
# One figure for the first trial, built from panels ...
first = block.segments[0]
isis = np.concatenate([np.diff(st.magnitude) for st in first.spiketrains] + [np.array([])])
Figure(
    Panel(first.spiketrains, ylabel="Cell", markersize=1, xticks=False, xlim=(0, options.simtime)),
    Panel(first.filter(name="v")[0], ylabel="v (mV)", xticks=False, xlim=(0, options.simtime)),
    Panel(first.filter(name="gsyn_exc")[0], ylabel="gsyn_exc (µS)", xlabel="Time (ms)",
          xlim=(0, options.simtime)),
    Panel(Histogram(isis, bins=30), xlabel="Inter-spike interval (ms)", ylabel="Count"),
    title=f"Trial 1: raster, signals and ISI histogram ({backend})", size=(7, 10),
).save(os.path.join(options.output_dir, f"plotting_and_files_{backend}.png"))

# %%
# ... and both trials side by side with one call.
comparison_plot(block.segments, labels=["20 Hz input", "30 Hz input"],
                title=f"Two trials compared ({backend})").save(
    os.path.join(options.output_dir, f"plotting_and_files_comparison_{backend}.png"))
sim.end()
