"""Feedback on long work: compile announcements and run progress (pyNN.utility.feedback)."""

import io
import logging
import os
import time

import pytest

from pyNN import errors
from pyNN.utility import build
from pyNN.utility.feedback import RunProgress, announce_work


def _messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "PyNN"]


def test_quick_work_is_logged_but_not_printed(caplog):
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="PyNN"):
        with announce_work("compiling X", "first use", "about 1 min", print_after=5.0, stream=stream):
            pass
    assert stream.getvalue() == ""
    start, end = _messages(caplog)
    assert start == "compiling X (first use; usually about 1 min) ..."
    assert end.startswith("compiling X: done in ") and end.endswith(" s")


def test_long_work_is_printed_at_start_and_end():
    stream = io.StringIO()
    with announce_work("compiling Y", "cache miss", "a while", print_after=0.05, stream=stream) as work:
        time.sleep(0.3)
        work.detail = "3 modules"
    lines = stream.getvalue().splitlines()
    assert lines[0] == "compiling Y (cache miss; usually a while) ..."
    assert lines[1].startswith("compiling Y: done, 3 modules, in ")
    assert 0.3 <= work.elapsed < 5


def test_failed_work_says_so_and_the_error_propagates(caplog):
    with caplog.at_level(logging.INFO, logger="PyNN"):
        with pytest.raises(ValueError):
            with announce_work("compiling Z", "first use", "1 s", print_after=5.0, stream=io.StringIO()):
                raise ValueError("broken")
    assert "compiling Z: failed (ValueError) in" in _messages(caplog)[-1]


def test_build_into_announces_a_build_and_not_a_cache_hit(tmp_path, caplog):
    target = str(tmp_path / "artefact")

    def make(work):
        open(os.path.join(work, "lib.so"), "w").close()

    def complete(directory):
        return os.path.isfile(os.path.join(directory, "lib.so"))

    with caplog.at_level(logging.INFO, logger="PyNN"):
        assert build.build_into(target, make, complete, ("building it", "first use", "1 s")) == (target, True)
    assert any(m.startswith("building it (first use") for m in _messages(caplog))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="PyNN"):
        assert build.build_into(target, make, complete, ("building it", "first use", "1 s")) == (target, False)
    assert _messages(caplog) == []


def test_progress_callback_gets_current_and_final_time():
    calls = []
    progress = RunProgress(lambda t, t_stop: calls.append((t, t_stop)), 10.0, 110.0, min_interval=0.0)
    for t in (30.0, 60.0, 110.0):
        progress.update(t)
    progress.finish(110.0)
    progress.finish(110.0)  # once only
    assert calls == [(30.0, 110.0), (60.0, 110.0), (110.0, 110.0), (110.0, 110.0)]


def test_progress_reports_are_throttled_but_the_last_is_always_made():
    calls = []
    progress = RunProgress(lambda t, t_stop: calls.append(t), 0.0, 100.0, min_interval=60.0)
    for t in range(1, 100):
        progress.update(float(t))
    progress.finish(100.0)
    assert calls == [1.0, 100.0]


def test_progress_bar_text():
    stream = io.StringIO()
    progress = RunProgress(True, 0.0, 200.0, min_interval=0.0, stream=stream)
    progress.update(50.0)
    progress.finish(200.0)
    text = stream.getvalue()
    assert "25.0%" in text and "t = 50/200 ms" in text and "left" in text
    assert text.endswith("\n") and "100.0%" in text.split("\r")[-1]


def test_announcement_during_a_progress_bar_starts_a_new_line():
    stream = io.StringIO()
    progress = RunProgress(True, 0.0, 100.0, min_interval=0.0, stream=stream)
    progress.update(10.0)
    with announce_work("compiling W", "first use", "1 s", print_after=0.0, stream=stream):
        time.sleep(0.1)
    progress.finish(100.0)
    lines = stream.getvalue().split("\n")
    assert lines[0].lstrip("\r").startswith("run [") and lines[1].startswith("compiling W (first use")


@pytest.mark.parametrize("bad", [1, "yes", 0.5])
def test_progress_must_be_true_or_a_function(bad):
    with pytest.raises(errors.InvalidParameterValueError, match="progress must be True"):
        RunProgress(bad, 0.0, 1.0)
