"""
Generalized integrate-and-fire neurons: adaptation and stochastic firing
========================================================================

The GIF model (Mensi et al. 2012, Pozzorini et al. 2015) fires stochastically — the
firing intensity grows exponentially as the membrane potential approaches a moving
threshold ``v_t`` — and adapts through a spike-triggered current ``i_eta`` and the
threshold's own jump after each spike. Twenty identical cells receive the same current:
their spike trains differ from trial to trial because of the escape noise. The current
and threshold of the first cell are recorded.

Usage::

    python examples/gif_neuron.py nest [--simtime 500] [--output-dir results]
"""

import os

from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 500.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

gif = sim.GIF_cond_exp(
    cm=0.5, tau_m=20.0, v_rest=-65.0, v_reset=-68.0, tau_refrac=4.0,
    v_t_star=-55.0, delta_v=1.0, lambda0=1.0,
    tau_eta=sim.ArrayParameter([10.0, 100.0]), a_eta=sim.ArrayParameter([0.05, 0.02]),        # nA
    tau_gamma=sim.ArrayParameter([20.0, 200.0]), a_gamma=sim.ArrayParameter([4.0, 1.0]),      # mV
)
cells = sim.Population(20, gif, label="GIF")
cells.inject(sim.StepCurrentSource(times=[50.0, 300.0], amplitudes=[0.5, 0.8]))
cells.record("spikes")
cells[0:1].record(["v", "v_t", "i_eta"])
sim.run(options.simtime)

segment = cells.get_data().segments[0]
counts = [len(st) for st in segment.spiketrains]
print(f"spike counts of the 20 cells: min {min(counts)}, max {max(counts)}")
backend = sim.__name__.split(".")[-1]
Figure(
    Panel(segment.spiketrains, ylabel="Trial (cell)", markersize=2, xticks=False, xlim=(0, options.simtime)),
    Panel(segment.filter(name="v")[0], segment.filter(name="v_t")[0], ylabel="mV", xticks=False,
          data_labels=["v", "v_t (moving threshold)"], legend=True, xlim=(0, options.simtime)),
    Panel(segment.filter(name="i_eta")[0], ylabel="i_eta (nA)", xlabel="Time (ms)", xlim=(0, options.simtime)),
    title=f"GIF neurons: one input, twenty different responses ({backend})", size=(7, 8),
).save(os.path.join(options.output_dir, f"gif_neuron_{backend}.png"))
sim.end()
