"""Every example of the gallery runs on every backend (short simulated time) and writes its figure.

The examples are run in this process with ``runpy`` and the command line they would get
(``python examples/NAME.py BACKEND --simtime T --output-dir DIR``), which saves the start-up
of one interpreter and simulator per run.
"""

import glob
import importlib
import os
import runpy
import sys

import matplotlib.pyplot as plt
import pytest

from pyNN.errors import NoModelAvailableError

BACKENDS = ["nest", "neuron", "brian2", "hardware"]

EXAMPLES_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "examples")
#: the balanced network has its own test (test_examples.py), with output checks
EXAMPLES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(EXAMPLES_DIR, "*.py"))
                  if not p.endswith("balanced_network.py"))
#: simulated time (ms); Brian2's numpy code (used in the tests, see conftest.py) is slow per step
SIMTIME = {"nest": "100", "neuron": "100", "brian2": "20", "hardware": "100"}
#: smaller networks where the full size would dominate the test time
EXTRA_ARGUMENTS = {"va_benchmark": ["--scale", "0.1"], "brunel_network": ["--scale", "0.1"]}


def _stdp_missing(sim):
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence())
    return stdp.native_name is None


#: examples a backend may not be able to run yet: they must then stop with the documented
#: NoModelAvailableError (see doc/support_matrix.md), decided from the backend's tables
NEEDS_MODEL = {"simple_stdp": _stdp_missing}


def test_there_are_enough_examples():
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_runs_and_writes_its_figure(example, backend, tmp_path, monkeypatch, capsys):
    pytest.importorskip(f"pyNN.{backend}")
    script = os.path.join(EXAMPLES_DIR, f"{example}.py")
    argv = [script, backend, "--simtime", SIMTIME[backend], "--output-dir", str(tmp_path),
            *EXTRA_ARGUMENTS.get(example, [])]
    monkeypatch.setattr(sys, "argv", argv)
    missing = NEEDS_MODEL.get(example)
    if missing is not None and missing(importlib.import_module(f"pyNN.{backend}")):
        with pytest.raises(NoModelAvailableError, match=f"(?i)not available on the {backend}"):
            try:
                runpy.run_path(script, run_name="__main__")
            finally:
                plt.close("all")
        return
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        plt.close("all")
    figures = [f for f in os.listdir(tmp_path) if f.endswith(f"_{backend}.png")]
    assert f"{example}_{backend}.png" in figures, f"{example} wrote {sorted(os.listdir(tmp_path))}"
    assert os.path.getsize(tmp_path / f"{example}_{backend}.png") > 10_000
    assert capsys.readouterr().out.strip(), f"{example} printed no summary of its results"
