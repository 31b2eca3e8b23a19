"""Overhead of recording synapse state: ``Projection.record('weight', sampling_interval=1.0)``.

1,000 Poisson sources (10 Hz) connect all-to-all onto 100 IF_curr_exp cells: 100,000
plastic connections (STDPMechanism with SpikePairRule and the additive weight dependence;
where a backend has no STDP yet, TsodyksMarkramSynapse, whose 'weight' is then recorded
just the same). Each backend runs the same network twice, each in its own process: without
recording (``<backend>_plain``) and recording the weight of every connection every 1 ms
(``<backend>_recording``). The ratio of the 'run' phases is the overhead of recording;
the target is <= 2. The 'fetch' phase (``get_data()``, the Neo block) is shown apart.

Run: ``.venv/bin/python benchmarks/synapse_recording.py`` (``--help`` for options, e.g.
``--variants nest_plain nest_recording``, ``--t-sim 100`` for a quick check).
"""

import importlib
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import main

BACKENDS = ("nest", "neuron", "brian2", "hardware")


def _options(parser):
    parser.add_argument("--n-pre", type=int, default=1000, help="Poisson sources (default 1000)")
    parser.add_argument("--n-post", type=int, default=100, help="post-synaptic cells (default 100)")
    parser.add_argument("--t-sim", type=float, default=200.0,
                        help="simulated ms (default 200: 201 samples of every connection)")


def _synapse(sim):
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01,
                                                                  A_minus=0.012),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
                             weight=0.02, delay=1.0)
    if stdp.native_name is not None:
        return stdp, "STDP"
    return sim.TsodyksMarkramSynapse(weight=0.02, delay=1.0, U=0.5, tau_rec=100.0), "TsodyksMarkram"


def _variant(backend, recording):
    def variant(timer, options):
        with timer.phase("import"):
            sim = importlib.import_module(f"pyNN.{backend}")
        with timer.phase("build"):
            sim.setup(timestep=0.1)
            pre = sim.Population(options["n_pre"], sim.SpikeSourcePoisson(rate=10.0), label="pre")
            post = sim.Population(options["n_post"], sim.IF_curr_exp(), label="post")
            synapse, kind = _synapse(sim)
            prj = sim.Projection(pre, post, sim.AllToAllConnector(), synapse, label="plastic")
            if recording:
                prj.record("weight", sampling_interval=1.0)
        with timer.phase("run"):
            sim.run(options["t_sim"])
        extra = {"n_connections": len(prj), "synapse": kind}
        if recording:
            with timer.phase("fetch"):
                signal = prj.get_data().segments[0].analogsignals[0]
            extra["shape"] = "x".join(map(str, signal.shape))
            extra["checksum"] = float(np.asarray(signal[-1]).sum())
        sim.end()
        return extra
    return variant


VARIANTS = {}
for _name in BACKENDS:
    VARIANTS[f"{_name}_plain"] = _variant(_name, False)
    VARIANTS[f"{_name}_recording"] = _variant(_name, True)

if __name__ == "__main__":
    main("synapse_recording",
         "recording the weights of 100,000 connections every 1 ms",
         VARIANTS,
         [(name, f"{name}_recording", f"{name}_plain") for name in BACKENDS],
         ["build", "run"],
         {"run": 2.0}, add_options=_options)
