"""The Vogels-Abbott COBA network on pyNN.hardware versus the same network in PyNEST.

The network, the recording and the timed phases are exactly those of ``va_coba.py``
(4,000 IF_cond_exp cells, FixedProbabilityConnector(0.02), 20 Poisson kick-off sources,
dt = 0.1 ms, 1 s, spikes of all cells recorded); the native variant is the PyNEST script
of ``va_coba.py``. Variants:

* ``ideal``: ``pyNN.hardware`` with the ``ideal`` profile (float64 engine);
* ``spinnaker``: ``pyNN.hardware`` with the ``spinnaker1`` profile (dt 0.1 ms accepted
  with the profile's warning), lenient policy so that the mapping does not refuse it;
* ``native``: PyNEST.

Run: ``.venv/bin/python benchmarks/va_coba_hardware.py`` (``--help`` for options).
"""

import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import current_rss_mb, main
from va_coba import (CELL_PARAMS, DELAY, DT, N_EXC, N_INH, N_STIM, P_CONNECT, P_STIM, STIM_RATE, STIM_STOP,
                     V_INIT, W_EXC, W_INH, W_STIM, _native, _options, _rates, _seeds)


def _hardware(timer, options, profile, policy="strict"):
    seeds = _seeds(options)
    with timer.phase("import"):
        import numpy as np
        import pyNN.hardware as sim
        from pyNN.random import NumpyRNG, RandomDistribution
    extra = {"rss_after_import_mb": current_rss_mb()}
    t_sim = options["t_sim"]
    with timer.phase("build"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.setup(timestep=DT, profile=profile, policy=policy, seed=seeds["nest"])
        v_init = RandomDistribution("uniform", low=V_INIT[0], high=V_INIT[1], rng=NumpyRNG(seed=seeds["v"]))
        celltype = sim.IF_cond_exp(**CELL_PARAMS)
        exc = sim.Population(N_EXC, celltype, initial_values={"v": v_init}, label="exc")
        inh = sim.Population(N_INH, celltype, initial_values={"v": v_init}, label="inh")
        stim = sim.Population(N_STIM, sim.SpikeSourcePoisson(rate=STIM_RATE, start=0.0, duration=STIM_STOP),
                              label="stim")
        exc.record("spikes")
        inh.record("spikes")
        rng = NumpyRNG(seed=seeds["connect"])
        connector = sim.FixedProbabilityConnector(P_CONNECT, rng=rng)
        exc_syn = sim.StaticSynapse(weight=W_EXC, delay=DELAY)
        inh_syn = sim.StaticSynapse(weight=W_INH, delay=DELAY)
        projections = [
            sim.Projection(exc, exc, connector, exc_syn, receptor_type="excitatory"),
            sim.Projection(exc, inh, connector, exc_syn, receptor_type="excitatory"),
            sim.Projection(inh, exc, connector, inh_syn, receptor_type="inhibitory"),
            sim.Projection(inh, inh, connector, inh_syn, receptor_type="inhibitory"),
            sim.Projection(stim, exc, sim.FixedProbabilityConnector(P_STIM, rng=rng),
                           sim.StaticSynapse(weight=W_STIM, delay=DELAY), receptor_type="excitatory"),
        ]
    with timer.phase("run"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.run(t_sim)
    with timer.phase("data"):
        n_spikes = {}
        blocks = {}
        for pop in (exc, inh):
            blocks[pop.label] = pop.get_data("spikes")
            _channels, times = blocks[pop.label].segments[0].spiketrains.multiplexed
            n_spikes[pop.label] = len(times)
    timer.times["total"] = timer.times["build"] + timer.times["run"] + timer.times["data"]
    with timer.phase("trains"):
        per_cell = [np.asarray(st.magnitude) for b in blocks.values() for st in b.segments[0].spiketrains]
    assert sum(len(s) for s in per_cell) == sum(n_spikes.values())
    extra.update(_rates(n_spikes, t_sim))
    extra["n_connections"] = sum(len(p) for p in projections)
    report = sim.get_mapping_report().to_dict()
    extra["numba"] = bool(sim.state.provenance().get("numba"))
    extra["report_keys"] = sorted(report)[:12]
    sim.end()
    return extra


def _ideal(timer, options):
    return _hardware(timer, options, "ideal")


def _spinnaker(timer, options):
    return _hardware(timer, options, "spinnaker1", policy="lenient")


VARIANTS = {"ideal": _ideal, "spinnaker": _spinnaker, "native": _native}
PAIRS = [("VA COBA, ideal profile", "ideal", "native"), ("VA COBA, spinnaker1 profile", "spinnaker", "native")]
TARGETS = {"total": 1.0}


if __name__ == "__main__":
    main("va_coba_hardware", "Vogels-Abbott COBA benchmark: pyNN.hardware vs PyNEST",
         VARIANTS, PAIRS, ["import", "build", "run", "data", "total", "trains"], TARGETS, _options)
