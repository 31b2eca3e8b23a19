"""Child process of test_interrupt.py: a network run for a long time, optionally interrupted
with Ctrl-C (SIGINT from the parent) and continued; writes what it recorded as JSON.

usage: python interrupt_child.py BACKEND T_MS MODE OUT.json   (MODE: plain | interrupt)
"""

import importlib
import json
import sys
import time

import numpy as np


def _recorded(seg):
    """The end of the recorded interval, spike trains and membrane potential samples, as JSON
    values. (The end is the spike trains' t_stop: Neo's Segment.t_stop is the latest end of its
    children, and an analog signal ends one sampling interval after its last sample.)"""
    v = seg.analogsignals[0]
    return {"t_stop": float(seg.spiketrains[0].t_stop.rescale("ms").magnitude),
            "spikes": [np.asarray(st.magnitude).tolist() for st in seg.spiketrains],
            "v": np.asarray(v.magnitude).tolist(),
            "v_times": np.asarray(v.times.rescale("ms").magnitude).tolist()}


def main(backend, t_stop, mode, out):
    sim = importlib.import_module(f"pyNN.{backend}")
    from pyNN.random import NumpyRNG
    sim.setup(timestep=0.1)
    inputs = sim.Population(100, sim.SpikeSourcePoisson(rate=40.0), label="inputs")
    cells = sim.Population(100, sim.IF_cond_exp(tau_refrac=2.0), label="cells")
    rng = NumpyRNG(seed=7)
    sim.Projection(inputs, cells, sim.FixedProbabilityConnector(0.2, rng=rng),
                   sim.StaticSynapse(weight=0.004, delay=1.0))
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.1, rng=rng),
                   sim.StaticSynapse(weight=0.002, delay=1.5))
    cells.record("spikes")
    cells[:2].record("v", sampling_interval=1.0)
    result = {}
    print("running", flush=True)
    if mode == "interrupt":
        try:
            sim.run(t_stop)
        except KeyboardInterrupt:
            result["stopped_at_wall"] = time.time()
            result["t_interrupt"] = sim.get_current_time()
            print("interrupted", flush=True)
            # what the data say was simulated, before the run continues
            result["at_interrupt"] = _recorded(cells.get_data(clear=False).segments[0])
        sim.run_until(t_stop)
    else:
        sim.run(t_stop)
    result["t"] = sim.get_current_time()
    result.update(_recorded(cells.get_data().segments[0]))
    with open(out, "w") as f:
        json.dump(result, f)
    sim.end()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4])
