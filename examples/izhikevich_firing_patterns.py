"""
Izhikevich neurons: four firing patterns from four parameter sets
=================================================================

The Izhikevich (2003) model reproduces many cortical firing patterns with two equations and
four parameters ``a, b, c, d``. One population holds one cell per pattern — regular
spiking, intrinsically bursting, chattering and fast spiking — each parameter given as a
list with one value per cell. The same current step (10 pA) drives all of them.

Usage::

    python examples/izhikevich_firing_patterns.py nest [--simtime 300] [--output-dir results]
"""

import os

from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 300.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

patterns = {  # name: (a, b, c, d)
    "regular spiking": (0.02, 0.2, -65.0, 8.0),
    "intrinsically bursting": (0.02, 0.2, -55.0, 4.0),
    "chattering": (0.02, 0.2, -50.0, 2.0),
    "fast spiking": (0.1, 0.2, -65.0, 2.0),
}
a, b, c, d = (list(values) for values in zip(*patterns.values()))
cells = sim.Population(len(patterns), sim.Izhikevich(a=a, b=b, c=c, d=d),
                       initial_values={"v": -70.0, "u": -14.0}, label="Izhikevich")
cells.inject(sim.DCSource(amplitude=0.01, start=20.0))
cells.record(["v", "u", "spikes"])
sim.run(options.simtime)

segment = cells.get_data().segments[0]
v = segment.filter(name="v")[0]
panels = []
for k, name in enumerate(patterns):
    print(f"{name:24s} {len(segment.spiketrains[k]):3d} spikes")
    panels.append(Panel(v[:, k], ylabel=f"{name}\nv (mV)", xticks=False, xlim=(0, options.simtime)))
panels[-1].options.update(xticks=True, xlabel="Time (ms)")
backend = sim.__name__.split(".")[-1]
Figure(*panels, title=f"Izhikevich firing patterns ({backend})", size=(7, 8)).save(
    os.path.join(options.output_dir, f"izhikevich_firing_patterns_{backend}.png"))
sim.end()
