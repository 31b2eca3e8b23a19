"""
Post-synaptic responses of the integrate-and-fire cells
=======================================================

The same spike trains — excitatory spikes at 20, 60, 62 and 64 ms, inhibitory spikes at
120 and 160 ms — arrive at five integrate-and-fire cells whose synapses differ: the
current jumps and decays (``IF_curr_exp``), rises and decays as an alpha function
(``IF_curr_alpha``), makes the potential jump (``IF_curr_delta``), or is a conductance
(``IF_cond_exp``, ``IF_cond_alpha``). The weight unit follows the synapse: nA for
current synapses, µS for conductances and mV for voltage jumps.

Usage::

    python examples/single_cell_synaptic_input.py nest [--simtime 200] [--output-dir results]
"""

import os

from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 200.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

excitatory = sim.Population(1, sim.SpikeSourceArray(spike_times=[20.0, 60.0, 62.0, 64.0]), label="exc input")
inhibitory = sim.Population(1, sim.SpikeSourceArray(spike_times=[120.0, 160.0]), label="inh input")

# %%
# (cell type, excitatory weight, inhibitory weight), in the unit of each synapse type
cases = {
    "IF_curr_exp": (sim.IF_curr_exp(), 0.5, 0.5),
    "IF_curr_alpha": (sim.IF_curr_alpha(), 0.5, 0.5),
    "IF_curr_delta": (sim.IF_curr_delta(), 2.0, 2.0),
    "IF_cond_exp": (sim.IF_cond_exp(), 0.01, 0.02),
    "IF_cond_alpha": (sim.IF_cond_alpha(), 0.01, 0.02),
}
cells = {}
for name, (cell_type, w_exc, w_inh) in cases.items():
    cells[name] = sim.Population(1, cell_type, label=name)
    sim.Projection(excitatory, cells[name], sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=w_exc, delay=1.0), receptor_type="excitatory")
    sim.Projection(inhibitory, cells[name], sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=w_inh, delay=1.0), receptor_type="inhibitory")
    cells[name].record("v")

sim.run(options.simtime)

panels = []
for name in cases:
    v = cells[name].get_data().segments[0].filter(name="v")[0]
    print(f"{name:14s} v between {float(v.min()):.2f} and {float(v.max()):.2f} mV")
    panels.append(Panel(v, ylabel=f"{name}\nv (mV)", xticks=False, xlim=(0, options.simtime)))
panels[-1].options.update(xticks=True, xlabel="Time (ms)")
backend = sim.__name__.split(".")[-1]
Figure(*panels, title="The same input through five kinds of synapse", size=(7, 9)).save(
    os.path.join(options.output_dir, f"single_cell_synaptic_input_{backend}.png"))
sim.end()
