"""
A Hodgkin-Huxley neuron and its gating variables
================================================

``HH_cond_exp`` is a single-compartment Hodgkin-Huxley neuron with the sodium and
potassium kinetics of Traub & Miles. Besides the membrane potential, its three gating
variables can be recorded: sodium activation ``m`` and inactivation ``h``, potassium
activation ``n``. A short pulse gives one action potential; a longer, weaker step gives
a train.

Usage::

    python examples/hodgkin_huxley.py nest [--simtime 150] [--output-dir results]
"""

import os

from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 150.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

cell = sim.Population(1, sim.HH_cond_exp(), label="HH")
cell.inject(sim.StepCurrentSource(times=[10.0, 12.0, 60.0, 120.0], amplitudes=[1.0, 0.0, 0.3, 0.0]))
cell.record(["v", "m", "h", "n", "spikes"])
sim.run(options.simtime)

segment = cell.get_data().segments[0]
print(f"spike times: {segment.spiketrains[0].magnitude.round(2)}")
signals = {name: segment.filter(name=name)[0] for name in ("v", "m", "h", "n")}
backend = sim.__name__.split(".")[-1]
Figure(
    Panel(signals["v"], ylabel="v (mV)", xticks=False, xlim=(0, options.simtime)),
    Panel(signals["m"], signals["h"], signals["n"], ylabel="gating variable", xlabel="Time (ms)",
          data_labels=["m (Na activation)", "h (Na inactivation)", "n (K activation)"], legend=True,
          xlim=(0, options.simtime)),
    title=f"Hodgkin-Huxley neuron ({backend})", size=(7, 6),
).save(os.path.join(options.output_dir, f"hodgkin_huxley_{backend}.png"))
sim.end()
