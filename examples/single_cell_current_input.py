"""
Neuron families under current input
===================================

One cell of each family — leaky integrate-and-fire with current and with conductance
synapses, adaptive exponential (AdEx), Izhikevich, Hodgkin-Huxley and the generalized
integrate-and-fire (GIF) neuron — receives the same kind of stimulus: a current step
that switches on at 50 ms and increases at 250 ms. The membrane potentials show how
differently the models respond to the same protocol.

Usage::

    python examples/single_cell_current_input.py nest [--simtime 400] [--output-dir results]
"""

import os

from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 400.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

# %%
# One population of one cell per model, and the step amplitudes (nA) that suit each one:
# the Izhikevich model works in much smaller currents, the HH cell has a small membrane.
models = {
    "IF_curr_exp": (sim.IF_curr_exp(), (0.6, 1.2)),
    "IF_cond_exp": (sim.IF_cond_exp(), (0.6, 1.2)),
    "EIF_cond_exp_isfa_ista": (sim.EIF_cond_exp_isfa_ista(), (0.6, 1.0)),
    "Izhikevich": (sim.Izhikevich(), (0.005, 0.012)),
    "HH_cond_exp": (sim.HH_cond_exp(), (0.2, 0.5)),
    "GIF_cond_exp": (sim.GIF_cond_exp(lambda0=0.5, tau_refrac=2.0, a_eta=sim.ArrayParameter([0.1, 0.05, 0.02]),
                                      a_gamma=sim.ArrayParameter([2.0, 1.0, 0.5])), (0.6, 1.2)),
}
cells = {}
for name, (cell_type, (low, high)) in models.items():
    cells[name] = sim.Population(1, cell_type, label=name)
    step = sim.StepCurrentSource(times=[50.0, 250.0], amplitudes=[low, high])
    cells[name].inject(step)
    cells[name].record(["v", "spikes"])

sim.run(options.simtime)

# %%
# Each population gives a Neo block; we plot the membrane potential of each cell.
panels = []
for name, population in cells.items():
    segment = population.get_data().segments[0]
    n_spikes = len(segment.spiketrains[0])
    print(f"{name:24s} {n_spikes:3d} spikes")
    panels.append(Panel(segment.filter(name="v")[0], ylabel=f"{name}\nv (mV)", xticks=False,
                        xlim=(0, options.simtime)))
panels[-1].options.update(xticks=True, xlabel="Time (ms)")
figure = Figure(*panels, title="One cell of each family under a current step", size=(7, 10))
backend = sim.__name__.split(".")[-1]
figure.save(os.path.join(options.output_dir, f"single_cell_current_input_{backend}.png"))
sim.end()
