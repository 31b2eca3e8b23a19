"""Tests for pyNN.utility (everything except plotting)."""

import datetime
import logging
import os
import re
import subprocess
import sys
import types
import warnings

import numpy as np
import pytest

from pyNN import utility
from pyNN.utility import (
    ProgressBar,
    SimulationProgressBar,
    Timer,
    forgetful_memoize,
    get_script_args,
    get_simulator,
    init_logging,
    normalized_filename,
    notify,
    sort_by_column,
)


def test_import_does_not_load_matplotlib():
    code = "import sys, pyNN.utility; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert result.stdout.strip() == "False"


# --- get_simulator / get_script_args ---


@pytest.fixture
def fake_backend(monkeypatch):
    module = types.ModuleType("pyNN.fakesim")
    monkeypatch.setitem(sys.modules, "pyNN.fakesim", module)
    return module


def test_get_simulator_imports_backend(fake_backend):
    sim, args = get_simulator(argv=["fakesim"])
    assert sim is fake_backend
    assert args.simulator == "fakesim"


def test_get_simulator_extra_arguments(fake_backend):
    sim, args = get_simulator(
        ("--plot-figure", "plot the results", {"action": "store_true"}),
        ("n", "number of cells", {"type": int}),
        ("--label", "a label"),
        argv=["fakesim", "12", "--plot-figure"],
    )
    assert sim is fake_backend
    assert args.plot_figure is True
    assert args.n == 12
    assert args.label is None


def test_get_simulator_reads_sys_argv(fake_backend, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["script.py", "fakesim", "--debug"])
    sim, args = get_simulator(("--debug", "debug mode", {"action": "store_true"}))
    assert sim is fake_backend and args.debug


def test_get_simulator_unknown_backend(capsys):
    with pytest.raises(SystemExit):
        get_simulator(argv=["no_such_backend_xyz"])
    assert "no_such_backend_xyz" in capsys.readouterr().err


def test_get_simulator_bad_argument_spec():
    with pytest.raises(ValueError, match="tuple"):
        get_simulator(("--only-a-name",), argv=["fakesim"])


def test_get_script_args(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["nrniv", "-python", "my_script.py", "a", "b"])
    monkeypatch.setattr(sys.modules["__main__"], "__file__", "/some/where/my_script.py", raising=False)
    assert get_script_args(2) == ["a", "b"]
    with pytest.raises(ValueError, match=r"(?s)requires 3 argument.*usage: foo"):
        get_script_args(3, usage="usage: foo")


# --- logging ---


def test_init_logging_to_file(tmp_path):
    logfile = tmp_path / "logs" / "run.log"
    logger = init_logging(str(logfile), debug=True)
    try:
        assert logger is logging.getLogger("PyNN")
        assert logger.level == logging.DEBUG
        logging.getLogger("PyNN.sub").debug("hello %d", 42)
        for handler in logger.handlers:
            handler.flush()
        assert "hello 42" in logfile.read_text()
        # calling again replaces our handler instead of adding a second one
        init_logging(str(logfile), level=logging.WARNING)
        assert logger.level == logging.WARNING
        assert sum(isinstance(h, logging.FileHandler) for h in logger.handlers) == 1
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()


def test_init_logging_stderr_and_mpi_rank(tmp_path):
    logger = init_logging(None)
    try:
        assert logger.level == logging.INFO
        assert any(isinstance(h, logging.StreamHandler) and h.stream is sys.stderr
                   for h in logger.handlers)
        init_logging(str(tmp_path / "mpi.log"), num_processes=4, rank=2)
        logger.info("from rank two")
        for handler in logger.handlers:
            handler.flush()
        assert "from rank two" in (tmp_path / "mpi.log.2").read_text()
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()


# --- normalized_filename ---


def test_normalized_filename():
    name = normalized_filename("Results", "small_network", "pkl", "nest")
    today = datetime.date.today().strftime("%Y%m%d")
    directory, base = os.path.split(name)
    assert directory in (os.path.join("Results", today),
                         os.path.join("Results", (datetime.date.today()
                                                  + datetime.timedelta(days=1)).strftime("%Y%m%d")))
    assert re.fullmatch(r"small_network_nest_\d{8}-\d{6}\.pkl", base)
    assert base.split("_")[-1][:8] == os.path.basename(directory)


def test_normalized_filename_np_and_iso():
    name = normalized_filename("R", "net", ".h5", "neuron", num_processes=4, use_iso8601=True)
    directory, base = os.path.split(name)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", os.path.basename(directory))
    assert re.fullmatch(r"net_neuron_np4_\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.h5", base)


# --- Timer ---


def test_timer(monkeypatch, capsys):
    clock = [100.0]
    monkeypatch.setattr(utility.time, "perf_counter", lambda: clock[0])
    timer = Timer()
    clock[0] += 2.5
    assert timer.elapsed_time() == pytest.approx(2.5)
    assert timer.diff() == pytest.approx(2.5)
    clock[0] += 1.0
    assert timer.diff() == pytest.approx(1.0)
    clock[0] += 123.0
    assert timer.diff(format="long") == "2 minutes, 3 seconds"
    clock[0] += 4.0
    assert timer.mark("build") == pytest.approx(4.0)
    assert "build: 4 seconds" in capsys.readouterr().out
    assert timer.marks == [("build", pytest.approx(4.0))]
    assert timer.elapsed_time(format="long") == "2 minutes, 10.5 seconds"
    timer.reset()
    assert timer.elapsed_time() == 0.0
    assert timer.marks == []
    clock[0] += 1.0
    timer.start()
    assert timer.elapsed_time() == 0.0
    with pytest.raises(ValueError):
        timer.elapsed_time(format="short")


def test_timer_deprecated_alias():
    timer = Timer()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = timer.elapsedTime()
    assert isinstance(value, float) and value >= 0
    assert any(issubclass(w.category, DeprecationWarning) and "elapsed_time" in str(w.message)
               for w in caught)


@pytest.mark.parametrize("seconds, words", [
    (0, "0 seconds"),
    (0.25, "0.25 seconds"),
    (1, "1 second"),
    (59, "59 seconds"),
    (60, "1 minute"),
    (123, "2 minutes, 3 seconds"),
    (3600, "1 hour"),
    (3661, "1 hour, 1 minute, 1 second"),
    (24 * 3600, "1 day"),
    (2 * 86400 + 7200 + 1.5, "2 days, 2 hours, 1.5 seconds"),
    (59.999, "1 minute"),
])
def test_time_in_words(seconds, words):
    assert Timer.time_in_words(seconds) == words


# --- progress bars ---


def test_progress_bar_fixed(capsys):
    bar = ProgressBar(width=27)
    bar(0.5)
    out = capsys.readouterr().out
    assert out == "\r[##########          ]  50%"
    bar.set_level(1.0)
    out = capsys.readouterr().out
    assert out == "\r[####################] 100%\n"
    with pytest.raises(ValueError):
        bar(1.5)


def test_progress_bar_dynamic(capsys):
    bar = ProgressBar(width=17, char="*", mode="dynamic")
    bar(0.3)
    out = capsys.readouterr().out
    assert out.startswith("\r[***]  30%")
    assert len(out) == 1 + 17
    with pytest.raises(ValueError):
        ProgressBar(mode="sideways")


def test_simulation_progress_bar(capsys):
    bar = SimulationProgressBar(10.0, 100.0)
    assert bar(0.0) == 10.0
    assert bar(50.0) == 60.0
    assert "50%" in capsys.readouterr().out
    assert bar(100.0) == 110.0
    assert capsys.readouterr().out.endswith("100%\n")
    assert bar.level == 1.0
    with pytest.raises(ValueError):
        SimulationProgressBar(0, 100.0)


# --- misc ---


def test_notify_without_smtp_logs(caplog):
    with caplog.at_level(logging.INFO, logger="PyNN"):
        assert notify("all done") is False
    assert "all done" in caplog.text


def test_notify_sends_mail(monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host):
            self.host = host

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def send_message(self, message):
            sent.append((self.host, message))

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    assert notify("body text", subject="subj", smtphost="mail.example.org",
                  address="me@example.org") is True
    host, message = sent[0]
    assert host == "mail.example.org"
    assert message["Subject"] == "subj" and message["To"] == "me@example.org"
    assert "body text" in message.get_content()


def test_sort_by_column():
    a = np.array([[3, 0.1], [1, 0.2], [2, 0.3], [1, 0.4]])
    result = sort_by_column(a, 0)
    np.testing.assert_array_equal(result, [[1, 0.2], [1, 0.4], [2, 0.3], [3, 0.1]])
    np.testing.assert_array_equal(sort_by_column(a, 1), a)


def test_forgetful_memoize():
    calls = []

    @forgetful_memoize
    def f(x, y=0):
        calls.append((x, y))
        return x + y

    assert f(1) == 1
    assert f(1) == 1
    assert calls == [(1, 0)]
    assert f(2, y=3) == 5
    assert f(2, y=3) == 5
    assert len(calls) == 2
    assert f(1) == 1  # only the most recent call is remembered
    assert len(calls) == 3
    f.cache_clear()
    f(1)
    assert len(calls) == 4
    assert f.__name__ == "f"


def test_forgetful_memoize_unhashable_arguments():
    calls = []

    @forgetful_memoize
    def total(arr):
        calls.append(1)
        return arr.sum()

    a = np.arange(5)
    assert total(a) == 10
    assert total(a) == 10  # same object: cached
    assert len(calls) == 1
    assert total(np.arange(5)) == 10  # different object: recomputed
    assert len(calls) == 2


def test_save_and_load_population(tmp_path):
    class FakeCellType:
        def __init__(self, **parameters):
            self.parameters = parameters
            self.default_initial_values = {"v": -65.0}

        @staticmethod
        def get_parameter_names():
            return ["tau_m", "cm"]

    class FakePopulation:
        def __init__(self, size, celltype, label=None):
            self.size, self.celltype, self.label = size, celltype, label
            self.initial_values = {"v": -70.0}
            self.positions = np.zeros((3, size))

        def get(self, names, gather=False, simplify=True):
            return [self.celltype.parameters[n] for n in names]

        def initialize(self, **values):
            self.initial_values.update(values)

    sim = types.SimpleNamespace(Population=FakePopulation, FakeCellType=FakeCellType)
    original = FakePopulation(4, FakeCellType(tau_m=12.0, cm=0.5), label="exc")
    original.positions = np.arange(12.0).reshape(3, 4)
    filename = str(tmp_path / "pop.shelf")
    utility.save_population(original, filename)
    loaded = utility.load_population(filename, sim)
    assert loaded.label == "exc" and loaded.size == 4
    assert loaded.celltype.parameters == {"tau_m": 12.0, "cm": 0.5}
    assert loaded.initial_values == {"v": -70.0}
    np.testing.assert_array_equal(loaded.positions, original.positions)
