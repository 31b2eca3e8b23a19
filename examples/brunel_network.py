"""
Brunel network: sparse excitatory-inhibitory network of delta-synapse neurons
=============================================================================

The model "A" of Brunel (2000): excitatory and inhibitory integrate-and-fire cells with
voltage-jump synapses (``IF_curr_delta``, weights in mV), each receiving a fixed number of
inputs from each population (``FixedNumberPreConnector``) and independent Poisson input.
The relative strength of inhibition ``g`` and the external rate ``eta`` (in units of the
rate that brings a cell to threshold) set the regime; the defaults (g = 5, eta = 2) give
asynchronous irregular firing.

Usage::

    python examples/brunel_network.py nest [--simtime 500] [--g 5] [--eta 2] [--scale 1] [--output-dir results]
"""

import os

import numpy as np

from pyNN.random import NumpyRNG
from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Histogram, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 500.0}),
    ("--g", "relative strength of inhibition", {"type": float, "default": 5.0}),
    ("--eta", "external rate relative to the threshold rate", {"type": float, "default": 2.0}),
    ("--scale", "network size relative to 2500 cells", {"type": float, "default": 1.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1, min_delay=1.5)
rng = NumpyRNG(seed=2000)

n_exc = int(2000 * options.scale)
n_inh = n_exc // 4
c_exc, c_inh = n_exc // 10, n_inh // 10      # 10 % connectivity, fixed in-degree
J = 0.2                                       # mV, the jump caused by one excitatory spike
cell = sim.IF_curr_delta(tau_m=20.0, v_rest=0.0, v_reset=10.0, v_thresh=20.0, tau_refrac=2.0, cm=1.0)
nu_threshold = 20.0 / (J * c_exc * 20.0)      # rate (per ms) that brings the mean input to threshold
external_rate = options.eta * nu_threshold * c_exc * 1000.0  # Hz, one Poisson source stands for c_exc inputs

exc = sim.Population(n_exc, cell, initial_values={"v": 0.0}, label="excitatory")
inh = sim.Population(n_inh, cell, initial_values={"v": 0.0}, label="inhibitory")
cells = exc + inh
noise = sim.Population(cells.size, sim.SpikeSourcePoisson(rate=external_rate), label="external")

sim.Projection(noise, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=J, delay=1.5),
               receptor_type="excitatory")
sim.Projection(exc, cells, sim.FixedNumberPreConnector(c_exc, rng=rng), sim.StaticSynapse(weight=J, delay=1.5),
               receptor_type="excitatory")
sim.Projection(inh, cells, sim.FixedNumberPreConnector(c_inh, rng=rng),
               sim.StaticSynapse(weight=options.g * J, delay=1.5), receptor_type="inhibitory")

exc[:100].record("spikes")
sim.run(options.simtime)

spiketrains = exc[:100].get_data().segments[0].spiketrains
all_times = np.concatenate([np.asarray(st.magnitude) for st in spiketrains])
rate = len(all_times) / (len(spiketrains) * options.simtime / 1000.0)
print(f"g = {options.g:g}, eta = {options.eta:g}: mean rate {rate:.1f} Hz")

backend = sim.__name__.split(".")[-1]
Figure(
    Panel(spiketrains, ylabel="Cell index", markersize=1, xlim=(0, options.simtime), xticks=False),
    Panel(Histogram(all_times, bins=int(options.simtime), range=(0, options.simtime)),
          xlabel="Time (ms)", ylabel="Spikes per ms\n(100 cells)", xlim=(0, options.simtime)),
    title=f"Brunel network, g = {options.g:g}, eta = {options.eta:g} ({backend})", size=(7, 6),
).save(os.path.join(options.output_dir, f"brunel_network_{backend}.png"))
sim.end()
