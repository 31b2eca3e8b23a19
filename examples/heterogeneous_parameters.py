"""
Heterogeneous parameters from distributions and functions
=========================================================

Real neurons differ from one another. Here each of 100 cells gets its membrane time
constant from a clipped normal distribution (``RandomDistribution``), its bias current from
a function of its index, and its initial membrane potential at random. Parameters can be
read back per cell with ``get()``; the figure relates each cell's firing rate to its
parameters.

Usage::

    python examples/heterogeneous_parameters.py nest [--simtime 1000] [--output-dir results]
"""

import os

import numpy as np

from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.utility import get_simulator
from pyNN.utility.plotting import DataTable, Figure, Histogram, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 1000.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)
rng = NumpyRNG(seed=12345)
n = 100

cell_type = sim.IF_cond_exp(
    tau_m=RandomDistribution("normal_clipped", mu=20.0, sigma=5.0, low=5.0, high=40.0, rng=rng),
    i_offset=lambda i: 0.4 + 0.6 * i / (n - 1),   # 0.4 to 1.0 nA, rising with the index
)
cells = sim.Population(n, cell_type, label="heterogeneous",
                       initial_values={"v": RandomDistribution("uniform", low=-65.0, high=-50.0, rng=rng)})
cells.record("spikes")
sim.run(options.simtime)

tau_m, i_offset = cells.get(["tau_m", "i_offset"])
spiketrains = cells.get_data().segments[0].spiketrains
rates = np.array([len(st) for st in spiketrains]) / (options.simtime / 1000.0)
print(f"tau_m {tau_m.min():.1f}-{tau_m.max():.1f} ms, rates {rates.min():.1f}-{rates.max():.1f} Hz")

backend = sim.__name__.split(".")[-1]
Figure(
    Panel(Histogram(tau_m, bins=15), xlabel="tau_m (ms)", ylabel="Cells"),
    Panel(DataTable(i_offset, rates), xlabel="i_offset (nA)", ylabel="Rate (Hz)", markersize=4),
    Panel(DataTable(tau_m, rates), xlabel="tau_m (ms)", ylabel="Rate (Hz)", markersize=4),
    Panel(spiketrains, xlabel="Time (ms)", ylabel="Cell index", markersize=1, xlim=(0, options.simtime)),
    title=f"100 cells with heterogeneous parameters ({backend})", size=(7, 10),
).save(os.path.join(options.output_dir, f"heterogeneous_parameters_{backend}.png"))
sim.end()
