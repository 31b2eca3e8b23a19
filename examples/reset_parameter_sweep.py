"""
Multiple runs with reset(): an f-I curve
========================================

One network is built once and simulated several times. Between runs, ``reset()`` puts the
time back to zero and the state variables back to their initial values while keeping the
network, and ``set()`` changes a parameter. Each run becomes one Neo ``Segment`` of the
block returned by ``get_data()``, annotated with the value used, which is all one needs
for a parameter sweep: here, the firing rate of three cell types as a function of the
injected current.

Usage::

    python examples/reset_parameter_sweep.py nest [--simtime 500] [--output-dir results]
"""

import os

import numpy as np

from pyNN.utility import get_simulator
from pyNN.utility.plotting import DataTable, Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time per run (ms)", {"type": float, "default": 500.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

cells = {
    "IF_cond_exp": sim.Population(1, sim.IF_cond_exp(tau_refrac=2.0), label="IF_cond_exp"),
    "EIF_cond_exp_isfa_ista": sim.Population(1, sim.EIF_cond_exp_isfa_ista(), label="EIF_cond_exp_isfa_ista"),
    "HH_cond_exp": sim.Population(1, sim.HH_cond_exp(), label="HH_cond_exp"),
}
all_cells = sum(cells.values(), start=sim.Assembly())
all_cells.record("spikes")
all_cells[0:1].record("v")

currents = np.linspace(0.0, 1.5, 7)
for amplitude in currents:
    all_cells.set(i_offset=amplitude)
    sim.run(options.simtime)
    sim.reset(annotations={"i_offset": amplitude})   # closes the segment of this run

# %%
# One segment per run; the annotation tells which current it used.
panels = []
for name, population in cells.items():
    block = population.get_data("spikes")
    amplitudes = [seg.annotations["i_offset"] for seg in block.segments]
    rates = [len(seg.spiketrains[0]) / (options.simtime / 1000.0) for seg in block.segments]
    print(f"{name:24s} " + " ".join(f"{r:5.0f}" for r in rates) + "  Hz")
    panels.append(Panel(DataTable(amplitudes, rates), ylabel=f"{name}\nrate (Hz)", markersize=6, xticks=False))
panels[-1].options.update(xticks=True, xlabel="i_offset (nA)")
first = all_cells[0:1].get_data("v")
panels.append(Panel(*[seg.filter(name="v")[0] for seg in first.segments[::2]], xlabel="Time (ms)",
                    ylabel="IF_cond_exp\nv (mV)", data_labels=[f"{a:.2f} nA" for a in currents[::2]], legend=True))

backend = sim.__name__.split(".")[-1]
Figure(*panels, title=f"f-I curves from {len(currents)} runs separated by reset() ({backend})",
       size=(7, 10)).save(os.path.join(options.output_dir, f"reset_parameter_sweep_{backend}.png"))
sim.end()
