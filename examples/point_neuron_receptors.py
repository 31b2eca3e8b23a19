"""
Neurons with named receptors: PointNeuron
=========================================

The standard cell types have one excitatory and one inhibitory synapse. A ``PointNeuron``
combines a membrane model (``LIF``, ``AdExp``) with any number of named receptors, each
with its own kinetics and reversal potential: here a fast AMPA-like receptor (alpha-function
conductance), a slow NMDA-like one (difference of exponentials, voltage-independent) and a
GABA-A-like inhibitory one (alpha function). A projection targets a receptor by its name,
and each receptor's conductance can be recorded as ``'<name>.gsyn'``. Which combinations of
receptors a backend can run is in the support matrix (NEST needs one of its multisynapse
models).

Usage::

    python examples/point_neuron_receptors.py nest [--simtime 300] [--output-dir results]
"""

import os

from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 300.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

cell_type = sim.PointNeuron(
    sim.LIF(tau_m=20.0, cm=0.5, v_thresh=-45.0),
    AMPA=sim.CondAlphaPostSynapticResponse(tau_syn=1.0, e_syn=0.0),
    NMDA=sim.CondBetaPostSynapticResponse(tau_rise=5.0, tau_decay=80.0, e_syn=0.0),
    GABAA=sim.CondAlphaPostSynapticResponse(tau_syn=5.0, e_syn=-70.0),
)
cell = sim.Population(1, cell_type, label="cell")
inputs = {
    "AMPA": ([20.0, 25.0, 30.0], 0.01),
    "NMDA": ([100.0, 105.0, 110.0], 0.002),
    "GABAA": ([200.0, 205.0, 210.0], 0.01),
}
for receptor, (times, weight) in inputs.items():
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=times), label=f"{receptor} input")
    sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight, delay=1.0),
                   receptor_type=receptor)
cell.record(["v", "AMPA.gsyn", "NMDA.gsyn", "GABAA.gsyn"])
sim.run(options.simtime)

segment = cell.get_data().segments[0]
conductances = [segment.filter(name=f"{r}.gsyn")[0] for r in inputs]
for receptor, g in zip(inputs, conductances):
    print(f"{receptor:6s} peak conductance {float(g.magnitude.max()):.4f} uS")
backend = sim.__name__.split(".")[-1]
Figure(
    Panel(segment.filter(name="v")[0], ylabel="v (mV)", xticks=False, xlim=(0, options.simtime)),
    Panel(*conductances, data_labels=list(inputs), legend=True, ylabel="gsyn (µS)", xlabel="Time (ms)",
          xlim=(0, options.simtime)),
    title=f"A PointNeuron with three receptors ({backend})", size=(7, 6),
).save(os.path.join(options.output_dir, f"point_neuron_receptors_{backend}.png"))
sim.end()
