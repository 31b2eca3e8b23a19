"""The examples run as written (with short simulated times) and produce data and a figure."""

import os
import subprocess
import sys

import neo
import pytest

ROOT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)


#: grid side used per backend: the full network on NEST, a smaller one where building
#: millions of connections would dominate the test suite's time
SIDES = {"nest": 100, "neuron": 20, "brian2": 20, "hardware": 40}


@pytest.mark.parametrize("backend", sorted(SIDES))
def test_balanced_network_example(backend, tmp_path):
    pytest.importorskip(f"pyNN.{backend}")
    side = SIDES[backend]
    script = os.path.join(ROOT, "examples", "balanced_network.py")
    result = subprocess.run([sys.executable, script, backend, "--simtime", "50", "--output-dir", str(tmp_path),
                             "--side", str(side)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mean rate" in result.stdout
    data_file = tmp_path / f"balanced_network_{backend}.pkl"
    figure_file = tmp_path / f"balanced_network_{backend}.png"
    assert figure_file.stat().st_size > 10_000
    block = neo.io.PickleIO(str(data_file)).read_block()
    assert len(block.segments) == 2
    assert block.segments[0].annotations["trial"] == 0
    assert len(block.segments[0].spiketrains) == side ** 2 + (side // 2) ** 2
    assert sum(len(st) for st in block.segments[1].spiketrains) > 0
