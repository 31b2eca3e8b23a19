"""
Current injection: DC, sine, steps and noise
============================================

The four standard current sources, each injected into its own cell: a constant current
(``DCSource``), a sine wave (``ACSource``), a staircase (``StepCurrentSource``) and white
noise (``NoisyCurrentSource``). Sources record the current they inject, so the figure
shows each current next to the membrane potential it produces.

Usage::

    python examples/current_sources.py nest [--simtime 400] [--output-dir results]
"""

import os

from pyNN.utility import get_simulator
from pyNN.utility.plotting import Figure, Panel

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 400.0}),
    ("--output-dir", "where the figure goes", {"default": "results"}),
)
sim.setup(timestep=0.1)

cells = sim.Population(4, sim.IF_curr_exp(v_thresh=-55.0, tau_refrac=2.0), label="cells")
sources = {
    "DCSource": sim.DCSource(amplitude=0.4, start=50.0, stop=300.0),
    "ACSource": sim.ACSource(amplitude=0.4, offset=0.3, frequency=10.0, start=50.0, stop=350.0),
    "StepCurrentSource": sim.StepCurrentSource(times=[50.0, 150.0, 250.0], amplitudes=[0.2, 0.45, 0.1]),
    "NoisyCurrentSource": sim.NoisyCurrentSource(mean=0.3, stdev=0.3, start=50.0, stop=350.0, dt=1.0),
}
for k, source in enumerate(sources.values()):
    cells[k:k + 1].inject(source)   # a view of one cell; any population, view or assembly can be given
    source.record()
cells.record(["v", "spikes"])
sim.run(options.simtime)

v = cells.get_data().segments[0].filter(name="v")[0]
panels = []
for k, (name, source) in enumerate(sources.items()):
    current = source.get_data()   # an AnalogSignal of the injected current
    print(f"{name:19s} mean current {float(current.magnitude.mean()):.3f} nA, "
          f"mean v {float(v[:, k].magnitude.mean()):.2f} mV")
    panels.append(Panel(current, ylabel=f"{name}\ni (nA)", xticks=False, xlim=(0, options.simtime),
                        line_properties={"color": "tab:orange"}))
    panels.append(Panel(v[:, k], ylabel="v (mV)", xticks=False, xlim=(0, options.simtime)))
panels[-1].options.update(xticks=True, xlabel="Time (ms)")
backend = sim.__name__.split(".")[-1]
Figure(*panels, title=f"The four current sources ({backend})", size=(7, 11)).save(
    os.path.join(options.output_dir, f"current_sources_{backend}.png"))
sim.end()
