"""
Simple STDP: weight changes against spike timing
================================================

Ten pre-synaptic cells each fire one spike per second; a post-synaptic cell is driven to fire
at fixed times through a strong static synapse, so that each plastic connection sees pairs of
pre and post spikes at its own interval Δt = t_post - t_pre (from -50 ms to +50 ms). With the
pair rule (``SpikePairRule``) and the additive weight dependence, a pre spike shortly before a
post spike strengthens the connection, shortly after weakens it. The weights are recorded
during the run with ``Projection.record('weight')`` and plotted against time, and the final
change against Δt next to the rule's window.

Usage::

    python examples/simple_stdp.py nest [--simtime 1000] [--output-dir results]
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

period = 100.0  # one pairing per connection every `period` ms
post_times = np.arange(60.0, options.simtime, period)
offsets = np.linspace(-40.0, 40.0, 9)  # Δt = t_post - t_pre of connection k
pre_times = [list(post_times - dt) for dt in offsets]
pre = sim.Population(offsets.size, sim.SpikeSourceArray(spike_times=pre_times), label="pre")
teacher = sim.Population(1, sim.SpikeSourceArray(spike_times=list(post_times - 1.5)), label="teacher")
post = sim.Population(1, sim.IF_curr_exp(tau_refrac=20.0), label="post")
sim.Projection(teacher, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=8.0, delay=1.0))

A_plus, A_minus, tau = 0.02, 0.021, 20.0
stdp = sim.STDPMechanism(
    timing_dependence=sim.SpikePairRule(tau_plus=tau, tau_minus=tau, A_plus=A_plus, A_minus=A_minus),
    weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.1),
    weight=0.05, delay=1.0)
plastic = sim.Projection(pre, post, sim.AllToAllConnector(), stdp, label="plastic")
plastic.record("weight", sampling_interval=1.0)
post.record("spikes")

sim.run(options.simtime)

weights = plastic.get_data().segments[0].filter(name="weight")[0]
final = np.asarray(plastic.get("weight", format="list", with_address=False))
change = final - 0.05
post_spikes = post.get_data().segments[0].spiketrains[0].magnitude
print("post spikes:", post_spikes[:5], "...")
lag = post_spikes[0] - post_times[0] if post_spikes.size else 0.0  # the teacher's PSP takes time to fire the cell
for dt, dw in zip(offsets + lag, change):
    print(f"t_post - t_pre = {dt:+5.1f} ms: weight change {dw:+.5f} nA")

backend = sim.__name__.split(".")[-1]
Figure(
    Panel(weights, ylabel="weight (nA)", xlabel="Time (ms)", xticks=True, xlim=(0, options.simtime)),
    title=f"STDP: weights of nine pairings ({backend})", size=(7, 4),
).save(os.path.join(options.output_dir, f"simple_stdp_{backend}.png"))
sim.end()
