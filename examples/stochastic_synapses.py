"""
Stochastic synapses: unreliable and depressing release
======================================================

The same regular spike train (50 Hz) reaches three counting cells through synapses that
transmit at random: ``SimpleStochasticSynapse`` (each spike transmitted with probability
p = 0.5), and, where the backend has them, ``MultiQuantalSynapse`` (five release sites that
each release with probability U and refill slowly, so that release runs down during the
train) and ``StochasticTsodyksMarkramSynapse``. The cells do not leak and never fire: each
transmitted quantum raises v by the weight, so v counts the releases. A backend without one
of the models says so with NoModelAvailableError (see the support matrix) and the example
shows the others.

Usage::

    python examples/stochastic_synapses.py nest [--simtime 1000] [--output-dir results]
"""

import os

import numpy as np

from pyNN.errors import NoModelAvailableError
from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 1000.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

n_trials = 20  # independent synapses of each kind, one counting cell each
train = list(np.arange(10.0, options.simtime, 20.0))
source = sim.Population(n_trials, sim.SpikeSourceArray(spike_times=train), label="input")
synapses = {
    "SimpleStochasticSynapse": lambda: sim.SimpleStochasticSynapse(weight=1.0, delay=1.0, p=0.5),
    "MultiQuantalSynapse": lambda: sim.MultiQuantalSynapse(weight=0.2, delay=1.0, U=0.5, n=5, tau_rec=400.0),
    "StochasticTsodyksMarkramSynapse": lambda: sim.StochasticTsodyksMarkramSynapse(
        weight=1.0, delay=1.0, U=0.5, tau_rec=400.0),
}
counters, refusals = {}, []
for name, make in synapses.items():
    cells = sim.Population(n_trials, sim.IF_curr_delta(tau_m=1e9, v_rest=0.0, v_thresh=1e6), label=name)
    cells.initialize(v=0.0)
    try:
        sim.Projection(source, cells, sim.OneToOneConnector(), make(), label=name)
    except NoModelAvailableError as error:
        print(f"{name}: not on this backend ({error})")
        refusals.append(error)
        continue
    cells.record("v", sampling_interval=1.0)
    counters[name] = cells

if not counters:
    raise refusals[0]  # none of the stochastic synapses exists on this backend
sim.run(options.simtime)

panels = []
for name, cells in counters.items():
    v = cells.get_data().segments[0].filter(name="v")[0]
    n_spikes = sum(t + 1.0 < options.simtime for t in train)
    print(f"{name}: mean {float(np.mean(v[-1])):.2f} (weight units) from {n_spikes} spikes per synapse")
    panels.append(Panel(v, ylabel=f"{name.replace('Synapse', '')}\nreleases x weight", xticks=False,
                        xlim=(0, options.simtime)))
panels[-1].options.update(xticks=True, xlabel="Time (ms)")
backend = sim.__name__.split(".")[-1]
Figure(*panels, title=f"Stochastic synapses, {n_trials} trials each ({backend})", size=(7, 2.5 * len(panels) + 1)).save(
    os.path.join(options.output_dir, f"stochastic_synapses_{backend}.png"))
sim.end()
