"""Feedback on long work: announcements of first-use compiles and progress of ``run()``.

A first-use compile (NEURON's mechanisms, Brian2's Cython code, the emulator's numba
kernels, a NESTML model) can take a minute, with nothing else to see. :class:`announce_work`
logs one INFO line when such work starts and one when it ends; when the work takes longer
than :data:`PRINT_AFTER` seconds both lines are also printed to standard error, so that a
user without logging configured knows the program is not hanging (quick cache hits stay
silent).

:class:`RunProgress` reports how far a ``run()`` has got, either as a text bar on standard
error (``run(..., progress=True)``) or by calling the user's function with the current and
the final time (``run(..., progress=callback)``).
"""

import logging
import sys
import threading
import time

from pyNN import errors

logger = logging.getLogger("PyNN")

#: work that lasts longer than this (seconds) is also announced on standard error
PRINT_AFTER = 2.0

#: a progress bar is drawn on the current line of standard error (other output starts a new line)
_open_bar = {"stream": None}


def _end_open_bar(stream):
    if _open_bar["stream"] is stream:
        stream.write("\n")
        _open_bar["stream"] = None


class announce_work:
    """Context manager announcing a piece of long work at its start and end.

    Parameters
    ----------
    what : str
        What is being done, e.g. ``"pyNN.neuron: compiling the NMODL mechanisms"``.
    why : str
        Why it happens now, e.g. ``"first use with NEURON 9.0.2"``.
    expected : str
        How long it usually takes, e.g. ``"about 20 s"``.
    print_after : float
        Seconds after which the announcement is also printed to `stream`.
    stream : file-like, optional
        Where to print (standard error by default, looked up when printing).
    """

    def __init__(self, what, why, expected, print_after=None, stream=None):
        self.what = what
        self.why = why
        self.expected = expected
        self.print_after = PRINT_AFTER if print_after is None else print_after
        self._stream = stream
        self._printed = False
        self._lock = threading.Lock()
        self._timer = None
        self._started = None
        self.elapsed = None
        #: what was done, for the closing line (e.g. "12 modules"); may be set inside the block
        self.detail = None

    @property
    def start_message(self):
        return f"{self.what} ({self.why}; usually {self.expected}) ..."

    def _print(self, line):
        stream = self._stream or sys.stderr
        try:
            _end_open_bar(stream)
            print(line, file=stream, flush=True)
        except (OSError, ValueError):  # a closed stream must not break the work itself
            pass

    def _print_start(self):
        with self._lock:
            if self._started is not None and self.elapsed is None:
                self._printed = True
                self._print(self.start_message)

    def __enter__(self):
        self._started = time.perf_counter()
        logger.info(self.start_message)
        self._timer = threading.Timer(self.print_after, self._print_start)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self._timer.cancel()
        with self._lock:
            self.elapsed = time.perf_counter() - self._started
        outcome = "done" if exc_type is None else f"failed ({exc_type.__name__})"
        if self.detail:
            outcome += f", {self.detail},"
        line = f"{self.what}: {outcome} in {self.elapsed:.1f} s"
        logger.info(line)
        if self._printed:
            self._print(line)
        return False


class RunProgress:
    """How far a run has got, reported to a callback or as a text bar.

    Parameters
    ----------
    progress : True or callable
        ``True`` draws a text bar on standard error; a callable is called as
        ``progress(t, t_stop)`` (both in ms) as the run advances and once at its end.
    t_start, t_stop : float
        Simulation time (ms) at the start and the end of the run.
    min_interval : float
        Shortest wall time (s) between two reports (the last one is always made).
    """

    def __init__(self, progress, t_start, t_stop, min_interval=0.25, stream=None):
        if not (progress is True or callable(progress)):
            raise errors.InvalidParameterValueError(
                f"run(): progress must be True, False/None or a function f(t, t_stop), not {progress!r}")
        self._callback = progress if callable(progress) else None
        self.t_start = t_start
        self.t_stop = t_stop
        self.min_interval = min_interval
        self._stream = stream
        self._wall_start = time.perf_counter()
        self._last_report = None
        self._finished = False

    def update(self, t, final=False):
        """Report that simulation time `t` (ms) has been reached."""
        now = time.perf_counter()
        if not final and self._last_report is not None and now - self._last_report < self.min_interval:
            return
        self._last_report = now
        if self._callback is not None:
            self._callback(t, self.t_stop)
        else:
            self._draw(t, now, final)

    def finish(self, t):
        """Report the end of the run (at time `t`, earlier than t_stop after an interrupt)."""
        if not self._finished:
            self._finished = True
            self.update(t, final=True)

    def _draw(self, t, now, final):
        span = self.t_stop - self.t_start
        fraction = 1.0 if span <= 0 else min(1.0, max(0.0, (t - self.t_start) / span))
        elapsed = now - self._wall_start
        width = 30
        filled = round(fraction * width)
        bar = "#" * filled + "-" * (width - filled)
        if final:
            tail = f"{elapsed:.1f} s"
        elif fraction > 0:
            tail = f"about {elapsed * (1 - fraction) / fraction:.0f} s left"
        else:
            tail = "starting"
        stream = self._stream or sys.stderr
        end = "\n" if final else ""
        try:
            previous = _open_bar["stream"]
            if previous is not None and previous is not stream:
                _end_open_bar(previous)
            text = f"run [{bar}] {100 * fraction:5.1f}%  t = {t:g}/{self.t_stop:g} ms  {tail}"
            stream.write(f"\r{text:<78}{end}")
            stream.flush()
            _open_bar["stream"] = None if final else stream
        except (OSError, ValueError):
            pass
