"""
Populations in space and distance-dependent connections
=======================================================

Excitatory cells sit on a 2D grid and inhibitory cells at random positions in the same
square (``RandomStructure`` in a ``Cuboid``). Connections are made with a probability
that decays with distance, ``exp(-d/50)``, and delays grow with distance,
``0.5 + 0.02*d`` ms (a conduction speed of 50 µm/ms, positions being in µm). The figure shows
the positions, the distances of the connections that were made, and the activity that
a Poisson drive evokes.

Usage::

    python examples/spatial_network.py nest [--simtime 300] [--output-dir results]
"""

import os

import numpy as np

from pyNN.random import NumpyRNG
from pyNN.space import Cuboid, Grid2D, RandomStructure
from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Histogram, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 300.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1, min_delay=0.5)
rng = NumpyRNG(seed=42)

# %%
# 20 x 20 excitatory cells 20 µm apart, 100 inhibitory cells anywhere in the same square
exc = sim.Population(400, sim.IF_cond_exp(), structure=Grid2D(aspect_ratio=1.0, dx=20.0, dy=20.0),
                     label="excitatory")
square = Cuboid(400.0, 400.0, 0.0)
inh = sim.Population(100, sim.IF_cond_exp(),
                     structure=RandomStructure(boundary=square, origin=(190.0, 190.0, 0.0), rng=rng),
                     label="inhibitory")

connector = sim.DistanceDependentProbabilityConnector("exp(-d/50.0)", allow_self_connections=False, rng=rng)
e2e = sim.Projection(exc, exc, connector, sim.StaticSynapse(weight=0.002, delay="0.5 + 0.02*d"),
                     receptor_type="excitatory")
e2i = sim.Projection(exc, inh, connector, sim.StaticSynapse(weight=0.002, delay="0.5 + 0.02*d"),
                     receptor_type="excitatory")
i2e = sim.Projection(inh, exc, connector, sim.StaticSynapse(weight=0.01, delay="0.5 + 0.02*d"),
                     receptor_type="inhibitory")
drive = sim.Population(100, sim.SpikeSourcePoisson(rate=40.0), label="drive")
sim.Projection(drive, exc, sim.FixedProbabilityConnector(0.1, rng=rng), sim.StaticSynapse(weight=0.01, delay=1.0),
               receptor_type="excitatory")

# %%
# The connections as a list of (pre index, post index, delay): the distance follows from the
# delay rule, and can be checked against the positions.
connections = np.array(e2e.get("delay", format="list", with_address=True))
pre, post, delay = connections[:, 0].astype(int), connections[:, 1].astype(int), connections[:, 2]
distance = np.linalg.norm(exc.positions[:, pre] - exc.positions[:, post], axis=0)
print(f"{e2e.size()} e->e, {e2i.size()} e->i, {i2e.size()} i->e connections; "
      f"mean e->e distance {distance.mean():.0f} µm, mean delay {delay.mean():.2f} ms")

exc.record("spikes")
sim.run(options.simtime)
spiketrains = exc.get_data().segments[0].spiketrains

backend = sim.__name__.split(".")[-1]
figure = Figure(
    Panel(Histogram(distance, bins=30), xlabel="Distance of e->e connections (µm)", ylabel="Connections"),
    Panel(spiketrains, xlabel="Time (ms)", ylabel="Excitatory cell", markersize=1, xlim=(0, options.simtime)),
    title=f"Distance-dependent network ({backend})", size=(7, 9),
)
# a third panel drawn with matplotlib directly: where the cells are
axes = figure.fig.add_axes((0.68, 0.72, 0.25, 0.2))
axes.scatter(*exc.positions[:2], s=2, c="tab:blue", label="exc.")
axes.scatter(*inh.positions[:2], s=4, c="tab:red", label="inh.")
axes.set_aspect("equal")
axes.set_xticks([])
axes.set_yticks([])
axes.legend(fontsize="x-small", loc="lower right")
figure.save(os.path.join(options.output_dir, f"spatial_network_{backend}.png"))
sim.end()
