"""
Vogels-Abbott benchmark network (COBA)
======================================

The conductance-based benchmark of Brette et al. (2007), after Vogels & Abbott (2005):
4000 integrate-and-fire cells, 80 % excitatory, randomly connected with probability
2 %, with exponential conductance synapses (6 nS excitatory, 67 nS inhibitory). Random
initial membrane potentials and conductances and a short burst of Poisson input during
the first 50 ms start self-sustained irregular activity. ``--scale`` shrinks the network
(the connection probability is raised to keep the number of inputs per cell).

Usage::

    python examples/va_benchmark.py nest [--simtime 1000] [--scale 1.0] [--output-dir results]
"""

import os

import numpy as np

from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.utility import Timer, get_simulator
from pyNN.utility.plotting import Figure, Histogram, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 1000.0}),
    ("--scale", "network size relative to the 4000 cells of the benchmark", {"type": float, "default": 1.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
timer = Timer()
timer.start()
sim.setup(timestep=0.1, min_delay=0.1)
rng = NumpyRNG(seed=20070101)

n_cells = int(4000 * options.scale)
n_exc = int(0.8 * n_cells)
p_connect = min(1.0, 0.02 / options.scale)  # the same number of inputs per cell at every scale

cell_parameters = {"cm": 0.2, "tau_m": 20.0, "v_rest": -60.0, "v_thresh": -50.0, "v_reset": -60.0,
                   "tau_refrac": 5.0, "e_rev_E": 0.0, "e_rev_I": -80.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0}
exc = sim.Population(n_exc, sim.IF_cond_exp(**cell_parameters), label="excitatory")
inh = sim.Population(n_cells - n_exc, sim.IF_cond_exp(**cell_parameters), label="inhibitory")
all_cells = exc + inh
all_cells.initialize(v=RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng),
                     gsyn_exc=RandomDistribution("normal_clipped", mu=0.04, sigma=0.015, low=0.0, high=1.0, rng=rng),
                     gsyn_inh=RandomDistribution("normal_clipped", mu=0.2, sigma=0.12, low=0.0, high=1.0, rng=rng))

# %%
# The kick-off: 20 Poisson sources firing at 50 Hz during the first 50 ms.
kick = sim.Population(20, sim.SpikeSourcePoisson(rate=50.0, start=0.0, duration=50.0), label="kick")
sim.Projection(kick, all_cells, sim.FixedProbabilityConnector(0.1, rng=rng),
               sim.StaticSynapse(weight=0.02, delay=0.1), receptor_type="excitatory")

connector = sim.FixedProbabilityConnector(p_connect, allow_self_connections=False, rng=rng)
sim.Projection(exc, all_cells, connector, sim.StaticSynapse(weight=0.006, delay=0.1),
               receptor_type="excitatory", label="excitatory connections")
sim.Projection(inh, all_cells, connector, sim.StaticSynapse(weight=0.067, delay=0.1),
               receptor_type="inhibitory", label="inhibitory connections")
build_time = timer.diff()

exc.record("spikes")
exc[:5].record("v")
sim.run(options.simtime)
run_time = timer.diff()

segment = exc.get_data().segments[0]
rates = np.array([len(st) for st in segment.spiketrains]) / (options.simtime / 1000.0)
print(f"{n_cells} cells built in {build_time:.1f} s, {options.simtime:g} ms simulated in {run_time:.1f} s; "
      f"mean excitatory rate {rates.mean():.1f} Hz")

backend = sim.__name__.split(".")[-1]
Figure(
    Panel(segment.spiketrains[:200], ylabel="Cell index", markersize=0.5, xlim=(0, options.simtime)),
    Panel(segment.filter(name="v")[0], ylabel="v (mV)", xlabel="Time (ms)", xlim=(0, options.simtime)),
    Panel(Histogram(rates, bins=20), xlabel="Firing rate (Hz)", ylabel="Cells"),
    title=f"Vogels-Abbott COBA network ({n_cells} cells, {backend})",
).save(os.path.join(options.output_dir, f"va_benchmark_{backend}.png"))
sim.end()
