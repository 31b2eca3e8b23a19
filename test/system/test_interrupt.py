"""Ctrl-C during run() on every backend: the run stops within about a second, time and
recorded data describe exactly what was simulated, and continuing gives exactly the data of
an uninterrupted run. Each scenario runs in a child process (interrupt_child.py)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

CHILD = os.path.join(os.path.dirname(__file__), "interrupt_child.py")

#: simulated time (ms) that takes a few seconds of wall time on each backend
DURATION = {"nest": 15000.0, "neuron": 15000.0, "brian2": 3000.0, "hardware": 150000.0}


def _run_child(backend, mode, out, interrupt_after=None):
    proc = subprocess.Popen([sys.executable, CHILD, backend, str(DURATION[backend]), mode, str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sent = None
    try:
        assert proc.stdout.readline().strip() == "running"
        if interrupt_after is not None:
            time.sleep(interrupt_after)
            sent = time.time()
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-3000:]
    with open(out) as f:
        return json.load(f), sent


def test_interrupted_run_continues_exactly(sim, tmp_path):
    backend = sim.__name__.split(".")[-1]
    t_stop = DURATION[backend]
    reference, _ = _run_child(backend, "plain", tmp_path / "plain.json")
    result, sent = _run_child(backend, "interrupt", tmp_path / "interrupted.json", interrupt_after=1.0)
    assert "t_interrupt" in result, "the run ended before the interrupt: make DURATION longer"
    assert 0.0 < result["t_interrupt"] < t_stop
    # stopped within about a second (slices of ~0.2 s; generous for a loaded machine)
    assert result["stopped_at_wall"] - sent < 1.5
    assert result["t"] == pytest.approx(t_stop) and result["t_stop"] == reference["t_stop"]
    assert sum(map(len, reference["spikes"])) > 100
    assert result["spikes"] == reference["spikes"]
    assert result["v_times"] == reference["v_times"]
    assert result["v"] == reference["v"]
    # at the interrupt, the segment ends where the simulation stopped and holds exactly the data
    # of the uninterrupted run up to then
    t_i, now = result["t_interrupt"], result["at_interrupt"]
    assert now["t_stop"] == pytest.approx(t_i)
    assert now["spikes"] == [[t for t in train if t <= t_i + 1e-9] for train in reference["spikes"]]
    n = len(now["v_times"])
    assert now["v_times"] == reference["v_times"][:n] and now["v"] == reference["v"][:n]
    assert now["v_times"][-1] <= t_i + 1e-9 < reference["v_times"][n]
