"""
A travelling wave on a ring
===========================

200 cells on a ring (a ``Line`` with periodic boundaries in a ``Space``) connect to their
neighbours within 3 µm, with weights that fall off with distance and delays that grow
with it. One spike fed into cell 0 starts two waves that run around the ring in opposite
directions and die where they meet, because the cells there are refractory.

Usage::

    python examples/ring_wave.py nest [--simtime 150] [--output-dir results]
"""

import os

from pyNN.space import Line, Space
from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 150.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1, min_delay=0.5)

n = 200
ring = sim.Population(n, sim.IF_curr_exp(tau_refrac=20.0, tau_syn_E=2.0), structure=Line(dx=1.0), label="ring")
# distances are measured along x, and wrap around after n µm
space = Space(axes="x", periodic_boundaries=((0, n), None, None))
sim.Projection(ring, ring, sim.DistanceDependentProbabilityConnector("d < 3.5", allow_self_connections=False),
               sim.StaticSynapse(weight="20.0*exp(-d/2.0)", delay="0.5 + 0.5*d"), space=space,
               receptor_type="excitatory", label="neighbours")

trigger = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]), label="trigger")
sim.Projection(trigger, ring[0:1], sim.AllToAllConnector(), sim.StaticSynapse(weight=20.0, delay=1.0),
               receptor_type="excitatory")

ring.record("spikes")
sim.run(options.simtime)

spiketrains = ring.get_data().segments[0].spiketrains
first_spikes = [float(st[0]) for st in spiketrains if len(st)]
print(f"{len(first_spikes)} of {n} cells fired; the last one at {max(first_spikes, default=0):.1f} ms")

backend = sim.__name__.split(".")[-1]
Figure(Panel(spiketrains, xlabel="Time (ms)", ylabel="Position on the ring (µm)", markersize=2,
             xlim=(0, options.simtime)),
       title=f"Two waves running around a ring ({backend})", size=(7, 5)).save(
    os.path.join(options.output_dir, f"ring_wave_{backend}.png"))
sim.end()
