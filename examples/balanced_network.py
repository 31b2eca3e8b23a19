"""
Balanced network on 2D grids
============================

A balanced network of excitatory and inhibitory conductance-based neurons on 2D grids,
in the style of Vogels & Abbott (2005), written with the PyNN 0.13 API.

- excitatory (100 x 100) and inhibitory (50 x 50) (by default) IF_cond_exp populations on grids,
  joined into an Assembly with ``+``;
- external drive from SpikeSourcePoisson cells with normally distributed rates, and a
  NoisyCurrentSource injected into the whole Assembly;
- recurrent connections with a Gaussian distance-dependent probability
  ``exp(-d**2/400.0)`` and distance-dependent delays ``0.5+0.01*d``;
- two trials separated by ``reset(annotations=...)``; the data of both come back as
  two Neo segments, are written to a file and plotted.

Usage::

    python examples/balanced_network.py nest [--simtime 500] [--output-dir results] [--side 100]

The backend is the first argument (nest, neuron, brian2 or hardware); ``--side 40``
builds a smaller network (1,600 + 400 cells) for the slower simulators.
"""

import os

from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.utility import Timer, get_simulator

sim, options = get_simulator(
    ("--simtime", "simulated time per trial (ms)", {"type": float, "default": 500.0}),
    ("--output-dir", "where the data file and the figure go", {"default": "results"}),
    ("--seed", "seed of the random number generator", {"type": int, "default": 1234}),
    ("--side", "side of the excitatory grid (the inhibitory grid has half as many cells per side)",
     {"type": int, "default": 100}),
)
if options.side < 2 or options.side % 2:
    raise SystemExit(f"--side must be an even number >= 2, not {options.side}")

timer = Timer()
timer.start()
sim.setup(timestep=0.1, min_delay=0.5, max_delay=5.0)
rng = NumpyRNG(seed=options.seed)

cell_parameters = {"tau_m": 20.0, "cm": 0.2, "v_rest": -60.0, "v_thresh": -50.0, "v_reset": -60.0,
                   "tau_refrac": 5.0, "e_rev_E": 0.0, "e_rev_I": -80.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0}
side = options.side
exc = sim.Population((side, side), sim.IF_cond_exp(**cell_parameters), label="excitatory")
inh = sim.Population((side // 2, side // 2), sim.IF_cond_exp(**cell_parameters), label="inhibitory")
# the inhibitory grid is half as dense, covering the same area as the excitatory one
inh.positions = inh.positions * 2.0
all_cells = exc + inh
all_cells.initialize(v=RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng))

drive = sim.Population(400, sim.SpikeSourcePoisson(
    rate=RandomDistribution("normal", mu=20.0, sigma=5.0, rng=rng)), label="poisson drive")
noise = sim.NoisyCurrentSource(mean=0.0, stdev=0.05, start=0.0, dt=1.0)
all_cells.inject(noise)

connector = sim.DistanceDependentProbabilityConnector("exp(-d**2/400.0)", allow_self_connections=False,
                                                      rng=rng)
exc_synapse = sim.StaticSynapse(weight=0.0004, delay="0.5+0.01*d")
inh_synapse = sim.StaticSynapse(weight=0.004, delay="0.5+0.01*d")
projections = {
    "e->e": sim.Projection(exc, exc, connector, exc_synapse, receptor_type="excitatory"),
    "e->i": sim.Projection(exc, inh, connector, exc_synapse, receptor_type="excitatory"),
    "i->e": sim.Projection(inh, exc, connector, inh_synapse, receptor_type="inhibitory"),
    "i->i": sim.Projection(inh, inh, connector, inh_synapse, receptor_type="inhibitory"),
    "drive": sim.Projection(drive, all_cells, sim.FixedProbabilityConnector(0.02, rng=rng),
                            sim.StaticSynapse(weight=0.006, delay=1.0), receptor_type="excitatory"),
}
build_time = timer.diff()

all_cells.record("spikes")
exc[0:5].record(["v", "gsyn_exc", "gsyn_inh"])

sim.run(options.simtime)
sim.reset(annotations={"trial": 0, "mean_drive_rate": 20.0})
drive.set(rate=RandomDistribution("normal", mu=25.0, sigma=5.0, rng=rng))
sim.run(options.simtime)
run_time = timer.diff()

# under mpirun (pyNN.neuron) every process runs this script: one of them reports
report = print if sim.rank() == 0 else (lambda *args, **kwargs: None)
n_connections = {name: prj.size() for name, prj in projections.items()}
data = all_cells.get_data()
os.makedirs(options.output_dir, exist_ok=True)
data_file = os.path.join(options.output_dir, f"balanced_network_{sim.__name__.split('.')[-1]}.pkl")
all_cells.write_data(data_file)

report(f"Built {all_cells.size} neurons and {sum(n_connections.values())} connections in {build_time:.1f} s; "
      f"simulated 2 x {options.simtime:g} ms in {run_time:.1f} s")
for name, n in n_connections.items():
    report(f"  {name:6s}: {n} connections")
for k, segment in enumerate(data.segments):
    duration_s = float(segment.t_stop - segment.t_start) / 1000.0
    for population in (exc, inh):
        ids = set(int(i) for i in population.all_cells)
        counts = [len(st) for st in segment.spiketrains if st.annotations["channel_id"] in ids]
        rate = sum(counts) / (len(counts) * duration_s) if counts else 0.0
        report(f"  trial {k} ({segment.annotations or 'no annotations'}): {population.label} "
              f"mean rate {rate:.2f} Hz")
report(f"Data written to {data_file}")

from pyNN.utility.plotting import Figure, Panel  # noqa: E402 - matplotlib only when plotting

figure_file = os.path.join(options.output_dir, f"balanced_network_{sim.__name__.split('.')[-1]}.png")
vm_data = exc[0:5].get_data()
panels = []
for k, segment in enumerate(data.segments):
    exc_trains = [st for st in segment.spiketrains if st.annotations["source_population"] == "excitatory"]
    panels.append(Panel(exc_trains[::20], xlabel="" if k == 0 else "Time (ms)",
                        ylabel=f"trial {k}: exc. cell id", markersize=0.5, xlim=(0, options.simtime)))
for k, segment in enumerate(vm_data.segments):
    v = next(sig for sig in segment.analogsignals if sig.name == "v")
    panels.append(Panel(v, ylabel=f"trial {k}: v (mV)", xlabel="Time (ms)", xlim=(0, options.simtime)))
if sim.rank() == 0:
    Figure(*panels, title="Balanced network (excitatory raster, membrane potential of 5 cells)").save(figure_file)
report(f"Figure written to {figure_file}")
sim.end()
