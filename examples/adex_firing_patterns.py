"""
Adaptive exponential integrate-and-fire: tonic, adapting and bursting cells
===========================================================================

The AdEx model (Brette & Gerstner 2005) adds to the leaky membrane an exponential spike
initiation and an adaptation current ``w``. Its parameters select the firing pattern
(Naud et al. 2008); four of their sets, converted to the standard units (nF, nS, nA, ms),
give tonic spiking, adaptation, an initial burst and regular bursting under a current
step. The adaptation current is recorded next to the membrane potential.

Usage::

    python examples/adex_firing_patterns.py nest [--simtime 400] [--output-dir results]
"""

import os

from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 400.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

# name: (C pF, g_L nS, E_L mV, a nS, tau_w ms, b pA, V_r mV, I pA), after Naud et al. (2008)
patterns = {
    "tonic": (200.0, 10.0, -70.0, 2.0, 30.0, 0.0, -58.0, 500.0),
    "adapting": (200.0, 12.0, -70.0, 2.0, 300.0, 60.0, -58.0, 500.0),
    "initial burst": (130.0, 18.0, -58.0, 4.0, 150.0, 120.0, -50.0, 400.0),
    "regular bursting": (200.0, 10.0, -58.0, 2.0, 120.0, 100.0, -46.0, 210.0),
}
panels = []
populations = {}
for name, (C, g_L, E_L, a, tau_w, b, V_r, current) in patterns.items():
    cell_type = sim.EIF_cond_exp_isfa_ista(cm=C / 1000.0, tau_m=C / g_L, v_rest=E_L, a=a, tau_w=tau_w,
                                           b=b / 1000.0, v_reset=V_r, v_thresh=-50.0, delta_T=2.0,
                                           v_spike=0.0, tau_refrac=0.0)
    populations[name] = sim.Population(1, cell_type, initial_values={"v": E_L, "w": 0.0}, label=name)
    populations[name].inject(sim.DCSource(amplitude=current / 1000.0, start=50.0))
    populations[name].record(["v", "w", "spikes"])
sim.run(options.simtime)

for name, population in populations.items():
    segment = population.get_data().segments[0]
    print(f"{name:18s} {len(segment.spiketrains[0]):3d} spikes")
    panels.append(Panel(segment.filter(name="v")[0], ylabel=f"{name}\nv (mV)", xticks=False,
                        xlim=(0, options.simtime)))
    panels.append(Panel(segment.filter(name="w")[0], ylabel="w (nA)", xticks=False, xlim=(0, options.simtime),
                        line_properties={"color": "tab:red"}))
panels[-1].options.update(xticks=True, xlabel="Time (ms)")
backend = sim.__name__.split(".")[-1]
Figure(*panels, title=f"AdEx firing patterns ({backend})", size=(7, 12)).save(
    os.path.join(options.output_dir, f"adex_firing_patterns_{backend}.png"))
sim.end()
