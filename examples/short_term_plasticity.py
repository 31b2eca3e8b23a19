"""
Short-term plasticity: depressing and facilitating synapses
===========================================================

A Tsodyks-Markram synapse (``TsodyksMarkramSynapse``) changes its efficacy with use: each
spike consumes a fraction ``U`` of the available resources, which recover with
``tau_rec`` (depression), while ``tau_facil`` lets the used fraction grow with each spike
(facilitation). The same regular 20 Hz train, followed by one late "recovery" spike,
reaches three cells through a static, a depressing and a facilitating synapse. The cells
are kept below threshold so that the post-synaptic potentials can be compared.

Usage::

    python examples/short_term_plasticity.py nest [--simtime 1000] [--output-dir results]
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

train = list(np.arange(50.0, 450.0, 50.0)) + [850.0]   # 20 Hz, then a spike after a pause
source = sim.Population(1, sim.SpikeSourceArray(spike_times=train), label="input")
synapses = {
    "static": sim.StaticSynapse(weight=0.5, delay=1.0),
    "depressing": sim.TsodyksMarkramSynapse(weight=1.0, delay=1.0, U=0.5, tau_rec=800.0, tau_facil=0.0),
    "facilitating": sim.TsodyksMarkramSynapse(weight=5.0, delay=1.0, U=0.04, tau_rec=100.0, tau_facil=1000.0),
}
cells = {}
for name, synapse in synapses.items():
    # a high threshold keeps the cells silent: we look at the synaptic responses only
    cells[name] = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0, tau_syn_E=2.0), label=name)
    sim.Projection(source, cells[name], sim.AllToAllConnector(), synapse, receptor_type="excitatory")
    cells[name].record("v")

sim.run(options.simtime)

panels = []
for name, population in cells.items():
    v = population.get_data().segments[0].filter(name="v")[0]
    print(f"{name:13s} peak depolarisation {float(np.max(v) - v[0, 0]):.2f} mV")
    panels.append(Panel(v, ylabel=f"{name}\nv (mV)", xticks=False, xlim=(0, options.simtime)))
panels[-1].options.update(xticks=True, xlabel="Time (ms)")
backend = sim.__name__.split(".")[-1]
Figure(*panels, title=f"Static, depressing and facilitating synapses ({backend})", size=(7, 7)).save(
    os.path.join(options.output_dir, f"short_term_plasticity_{backend}.png"))
sim.end()
