"""NESTML's AdEx neuron (``aeif_cond_exp_neuron``: exponential spike current, adaptation, a
numeric solver) agrees across the four backends.

NEST integrates it with GSL's adaptive RKF45 (NESTML's NEST code); NEURON's generator with RK4
on 10 sub-steps per time step (its default for nonlinear ODEs), Brian2 and the emulator with
RK4 on ``substeps=10``. One cell receives conductance-based synaptic input below threshold, one
a DC current that makes it fire with adapting intervals. Measured at dt = 0.1 ms: the same
spike times on all four; V_m within 5e-7 mV of NEST below threshold, within 1.3e-3 mV away from
the last millisecond before a spike, and within 0.13 mV in that millisecond (the exponential
upstroke, where the integrators differ most).
"""

import importlib
import os
import sys

import numpy as np
import pytest

pytest.importorskip("pynestml", reason="the nestml package is part of requirements.txt")

AEIF = os.path.join(sys.prefix, "models", "neurons", "aeif_cond_exp_neuron.nestml")
DT = 0.1
_runs = {}

pytestmark = pytest.mark.usefixtures("forget_nestml_modules")


def _run(backend):
    """Spike trains and V_m of the two cells on `backend`, once per backend."""
    if backend not in _runs:
        sim = importlib.import_module(f"pyNN.{backend}")
        options = {"substeps": 10} if backend in ("brian2", "hardware") else {}
        celltype = sim.nestml.nestml_cell_type("aeif_cond_exp_neuron", AEIF, **options)
        sim.setup(timestep=DT)
        cells = sim.Population(2, celltype())
        source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 20.0, 20.5, 40.0]))
        sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02, delay=1.0),
                       receptor_type="excitatory")
        sim.DCSource(amplitude=0.8, start=50.0, stop=250.0).inject_into(cells[1:2])
        cells.record(["spikes", "V_m"])
        sim.run(300.0)
        segment = cells.get_data().segments[0]
        _runs[backend] = ([np.asarray(s.magnitude) for s in segment.spiketrains],
                          np.asarray(segment.filter(name="V_m")[0].magnitude))
        sim.end()
    return _runs[backend]


@pytest.mark.parametrize("backend", ["neuron", "brian2", "hardware"])
def test_aeif_agrees_with_nest(backend):
    reference_spikes, reference_v = _run("nest")
    assert len(reference_spikes[0]) == 0 and len(reference_spikes[1]) >= 4
    intervals = np.diff(reference_spikes[1])
    assert np.all(np.diff(intervals) > 0)  # adaptation: the intervals grow
    spikes, v = _run(backend)
    for ours, theirs in zip(spikes, reference_spikes):
        assert len(ours) == len(theirs)
        assert np.max(np.abs(ours - theirs), initial=0.0) <= DT + 1e-9  # within one time step
    difference = np.abs(v - reference_v)
    assert np.max(difference[:, 0]) < 1e-5  # below threshold
    t = np.arange(v.shape[0]) * DT
    upstroke = np.zeros(t.size, bool)
    for spike in reference_spikes[1]:
        upstroke |= (t > spike - 1.0) & (t <= spike + 1e-9)
    assert np.max(difference[~upstroke, 1]) < 0.01
    assert np.max(difference[upstroke, 1]) < 0.5
