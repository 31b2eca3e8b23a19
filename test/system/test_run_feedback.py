"""Feedback during long work on every backend: run(progress=...), and the library's log of its
main steps with init_logging(debug=True)."""

import logging

import pytest

from pyNN import errors


def _network(sim):
    cells = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="cells")
    inputs = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0, 5.0]), label="inputs")
    sim.Projection(inputs, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    cells.record("spikes")
    return cells


def test_progress_callback_sees_the_run_advance_to_its_end(sim):
    _network(sim)
    sim.run(10.0)
    calls = []
    t = sim.run(40.0, progress=lambda t, t_stop: calls.append((t, t_stop)))
    assert t == pytest.approx(50.0)
    times = [c[0] for c in calls]
    assert calls[-1] == (pytest.approx(50.0), pytest.approx(50.0))
    assert all(c[1] == pytest.approx(50.0) for c in calls)
    assert times == sorted(times) and 10.0 <= times[0] <= 50.0
    calls.clear()
    sim.run_until(60.0, progress=lambda t, t_stop: calls.append((t, t_stop)))
    assert calls[-1] == (pytest.approx(60.0), pytest.approx(60.0))


def test_progress_bar_on_stderr(sim, capsys):
    _network(sim)
    sim.run(20.0, progress=True)
    err = capsys.readouterr().err
    assert "run [" in err and "100.0%" in err and "t = 20/20 ms" in err


def test_progress_with_callbacks(sim):
    _network(sim)
    seen, called = [], []

    def every_5ms(t):
        called.append(t)
        return t + 5.0

    sim.run(20.0, callbacks=[every_5ms], progress=lambda t, t_stop: seen.append(t))
    assert called[:4] == pytest.approx([0.0, 5.0, 10.0, 15.0])
    assert seen[-1] == pytest.approx(20.0)


def test_bad_progress_is_refused_before_running(sim):
    _network(sim)
    with pytest.raises(errors.InvalidParameterValueError, match="progress must be True"):
        sim.run(10.0, progress="yes")
    assert sim.get_current_time() == 0.0
    sim.run(10.0)  # the session is still usable
    assert sim.get_current_time() == pytest.approx(10.0)


def test_debug_log_names_the_main_steps(sim, caplog, tmp_path):
    with caplog.at_level(logging.DEBUG, logger="PyNN"):
        sim.setup(timestep=0.1)
        cells = _network(sim)
        sim.run(10.0)
        cells.write_data(str(tmp_path / "cells.pkl"))
        sim.reset()
    messages = "\n".join(r.getMessage() for r in caplog.records)
    for expected in ("set up with dt = 0.1 ms", "created Population 'cells' of 3 IF_curr_exp cells",
                     "connected Projection 'inputs\u2192cells' with AllToAllConnector: 6 connections",
                     "running from t = 0 ms to t = 10 ms", "reached t = 10 ms",
                     "wrote the data of 'cells'", "reset at t = 10 ms"):
        assert expected in messages, f"{expected!r} not logged:\n{messages}"
