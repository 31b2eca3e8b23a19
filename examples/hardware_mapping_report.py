"""
Does it fit? Mapping a network onto neuromorphic hardware
=========================================================

``pyNN.hardware`` emulates neuromorphic systems. Before running, its mapper places the
network on the chosen *profile* — SpiNNaker 1, BrainScaleS-2, Spikey — and writes a
mapping report: the verdict (fits, fits with degradation, does not fit), the resources
used, how weights were quantised, and a diagnostic for everything it had to change.

The model is written once, as a function of the simulator module. It runs on the backend
named on the command line (the reference), then is mapped, without running, onto each
hardware profile. Spikey only implements ``IF_facets_hardware1``, so the mapper refuses
this network there with an error that names the profile and the reason.

Usage::

    python examples/hardware_mapping_report.py nest [--simtime 500] [--output-dir results]
"""

import os

import matplotlib.pyplot as plt

import pyNN.hardware as hw
from pyNN.errors import NoModelAvailableError
from pyNN.random import NumpyRNG
from pyNN.utility import get_simulator

sim, options = get_simulator(
    ("--simtime", "simulated time (ms)", {"type": float, "default": 500.0}),
    ("--output-dir", "where the reports and the figure go", {"default": "results"}),
)


def build_network(sim):
    """An excitatory-inhibitory network driven by Poisson input; the same code for every backend."""
    rng = NumpyRNG(seed=11)
    exc = sim.Population(400, sim.IF_curr_exp(tau_refrac=2.0), label="excitatory")
    inh = sim.Population(100, sim.IF_curr_exp(tau_refrac=2.0), label="inhibitory")
    drive = sim.Population(200, sim.SpikeSourcePoisson(rate=15.0), label="drive")
    connector = sim.FixedProbabilityConnector(0.1, rng=rng)
    sim.Projection(drive, exc + inh, connector, sim.StaticSynapse(weight=0.5, delay=1.0), receptor_type="excitatory")
    sim.Projection(exc, exc + inh, connector, sim.StaticSynapse(weight=0.11, delay=1.0), receptor_type="excitatory")
    sim.Projection(inh, exc, connector, sim.StaticSynapse(weight=0.37, delay=1.0), receptor_type="inhibitory")
    return exc


# %%
# The reference run on the backend given on the command line.
sim.setup(timestep=1.0)
exc = build_network(sim)
exc.record("spikes")
sim.run(options.simtime)
n_spikes = sum(len(st) for st in exc.get_data().segments[0].spiketrains)
print(f"{sim.__name__}: {n_spikes / (exc.size * options.simtime / 1000.0):.1f} Hz mean excitatory rate")
sim.end()

# %%
# The same network mapped onto each hardware profile (``map()`` does not run it).
usage = {}
os.makedirs(options.output_dir, exist_ok=True)
for profile in ("spinnaker1", "brainscales2", "spikey"):
    hw.setup(timestep=1.0, profile=profile, policy="lenient")
    try:
        build_network(hw)
        report = hw.map()
    except NoModelAvailableError as error:
        print(f"--- {profile}: does not fit\n{error}\n")
    else:
        print(f"--- {profile}\n{report.summary()}\n")
        report.write_reports(os.path.join(options.output_dir, f"mapping_{profile}"))
        usage[profile] = {r["resource"]: r["percent"] for r in report.to_dict()["resources"]
                          if r["percent"] is not None}
    hw.end()

# %%
# The share of each resource the network takes on the profiles where it fits.
backend = sim.__name__.split(".")[-1]
fig, axes = plt.subplots(len(usage), 1, figsize=(7, 2.5 * len(usage)), layout="constrained", squeeze=False)
for ax, (profile, percent) in zip(axes[:, 0], usage.items()):
    ax.barh(list(percent), list(percent.values()), color="tab:blue")
    ax.set_title(f"{profile}: resources used")
    ax.set_xlabel("% of the available amount")
fig.savefig(os.path.join(options.output_dir, f"hardware_mapping_report_{backend}.png"))
