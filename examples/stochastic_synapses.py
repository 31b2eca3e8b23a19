"""
Stochastic synapses: unreliable and depressing release
======================================================

The same regular spike train (50 Hz) reaches three groups of counting cells through synapses
that transmit at random: ``SimpleStochasticSynapse`` (each spike transmitted with probability
p = 0.5), ``MultiQuantalSynapse`` (five release sites that each release with probability U and
refill slowly, so that release runs down during the train) and
``StochasticTsodyksMarkramSynapse`` (the same with one site). The cells do not leak and never
fire: each transmitted quantum raises v by the weight, so v counts the releases. The mean
over the trials is printed next to the expectation of the algorithm (doc/behaviour.md,
"Stochastic synapses"); the draws themselves differ between backends.

Usage::

    python examples/stochastic_synapses.py nest [--simtime 1000] [--output-dir results]
"""

import os

import numpy as np

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
counters = {}
for name, make in synapses.items():
    cells = sim.Population(n_trials, sim.IF_curr_delta(tau_m=1e9, v_rest=0.0, v_thresh=1e6), label=name)
    cells.initialize(v=0.0)
    sim.Projection(source, cells, sim.OneToOneConnector(), make(), label=name)
    cells.record("v", sampling_interval=1.0)
    counters[name] = cells
sim.run(options.simtime)


def expected_total(U, n, tau_rec, weight, times):
    """Mean of weight x (quanta released) over the spikes at `times` (no facilitation)."""
    total, available, last = 0.0, float(n), None
    for t in times:
        if last is not None:
            available += (n - available) * (1 - np.exp(-(t - last) / tau_rec))
        total += U * available
        available -= U * available
        last = t
    return weight * total


delivered = [t for t in train if t + 1.0 < options.simtime]
expected = {"SimpleStochasticSynapse": 0.5 * len(delivered),
            "MultiQuantalSynapse": expected_total(0.5, 5, 400.0, 0.2, delivered),
            "StochasticTsodyksMarkramSynapse": expected_total(0.5, 1, 400.0, 1.0, delivered)}

panels = []
for name, cells in counters.items():
    v = cells.get_data().segments[0].filter(name="v")[0]
    print(f"{name}: mean {float(np.mean(v[-1])):.2f} (weight units; expected {expected[name]:.2f}) from "
          f"{len(delivered)} spikes per synapse")
    panels.append(Panel(v, ylabel=f"{name.replace('Synapse', '')}\nreleases x weight", xticks=False,
                        xlim=(0, options.simtime)))
panels[-1].options.update(xticks=True, xlabel="Time (ms)")
backend = sim.__name__.split(".")[-1]
Figure(*panels, title=f"Stochastic synapses, {n_trials} trials each ({backend})", size=(7, 2.5 * len(panels) + 1)).save(
    os.path.join(options.output_dir, f"stochastic_synapses_{backend}.png"))
sim.end()
