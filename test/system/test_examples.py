"""The examples run as written (with short simulated times) and produce data and a figure."""

import os
import subprocess
import sys

import neo
import pytest

ROOT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)


@pytest.mark.parametrize("backend", ["nest"])
def test_balanced_network_example(backend, tmp_path):
    pytest.importorskip(f"pyNN.{backend}")
    script = os.path.join(ROOT, "examples", "balanced_network.py")
    result = subprocess.run([sys.executable, script, backend, "--simtime", "50", "--output-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mean rate" in result.stdout
    data_file = tmp_path / f"balanced_network_{backend}.pkl"
    figure_file = tmp_path / f"balanced_network_{backend}.png"
    assert figure_file.stat().st_size > 10_000
    block = neo.io.PickleIO(str(data_file)).read_block()
    assert len(block.segments) == 2
    assert block.segments[0].annotations["trial"] == 0
    assert len(block.segments[0].spiketrains) == 12500
    assert sum(len(st) for st in block.segments[1].spiketrains) > 0
