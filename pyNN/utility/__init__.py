"""Helpers for simulation scripts.

Command-line handling (choosing the simulator backend), logging set-up, timing,
progress bars, time-stamped file names and a few small tools.

Plotting lives in :mod:`pyNN.utility.plotting`; importing this package does not import
matplotlib.
"""

import argparse
import datetime
import functools
import importlib
import logging
import os
import sys
import time

import numpy as np

from pyNN import errors
from pyNN.core import deprecated

__all__ = [
    "ProgressBar",
    "SimulationProgressBar",
    "Timer",
    "forgetful_memoize",
    "get_script_args",
    "get_simulator",
    "init_logging",
    "load_population",
    "normalized_filename",
    "notify",
    "save_population",
    "sort_by_column",
]

logger = logging.getLogger("PyNN")



def get_simulator(*arguments, argv=None):
    """Import the simulator backend named on the command line.

    The first positional command-line argument is the backend name (``nest``,
    ``neuron``, ``brian2``, ...); the module ``pyNN.<name>`` is imported and returned.

    Parameters
    ----------
    *arguments : tuple
        Extra command-line arguments, each given as ``(name, help)`` or
        ``(name, help, kwargs)`` where ``kwargs`` is a dict passed on to
        :meth:`argparse.ArgumentParser.add_argument`, e.g.
        ``("--plot-figure", "plot the results", {"action": "store_true"})``.
    argv : list of str, optional
        Arguments to parse instead of ``sys.argv[1:]`` (mainly for testing).

    Returns
    -------
    sim : module
        The imported backend module.
    args : argparse.Namespace
        All parsed arguments; ``args.simulator`` holds the backend name.
    """
    parser = argparse.ArgumentParser(
        description="Run a PyNN script with the chosen simulator backend.")
    parser.add_argument(
        "simulator",
        help="name of the simulator backend, e.g. nest, neuron or brian2")
    for argument in arguments:
        if not isinstance(argument, (tuple, list)) or len(argument) not in (2, 3):
            raise errors.InvalidParameterValueError(
                f"get_simulator(): each extra argument must be a tuple (name, help) or "
                f"(name, help, kwargs), not {argument!r}")
        name, help_text = argument[0], argument[1]
        kwargs = dict(argument[2]) if len(argument) == 3 else {}
        parser.add_argument(name, help=help_text, **kwargs)
    args = parser.parse_args(argv)
    backend = args.simulator
    if not backend.isidentifier():
        parser.error(f"'{backend}' is not a valid simulator name")
    try:
        sim = importlib.import_module(f"pyNN.{backend}")
    except ModuleNotFoundError as err:
        # only translate the error if it is the backend module itself that is missing
        if err.name in (f"pyNN.{backend}",):
            parser.error(f"unknown simulator backend '{backend}' (module pyNN.{backend} not found)")
        raise
    return sim, args


def _script_arguments():
    """Return the command-line arguments that follow the script name.

    Some launchers (e.g. ``nrniv -python script.py ...``) put their own options before
    the script name, so we look for the script in ``sys.argv`` rather than assuming it
    is ``sys.argv[0]``.
    """
    argv = list(sys.argv)
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if script:
        script_name = os.path.basename(script)
        for i, arg in enumerate(argv):
            if os.path.basename(arg) == script_name:
                return argv[i + 1:]
    for i, arg in enumerate(argv):
        if arg.endswith(".py"):
            return argv[i + 1:]
    return argv[1:]


def get_script_args(n_args, usage=""):
    """Return the command-line arguments given to the running script.

    Parameters
    ----------
    n_args : int
        The number of arguments the script needs.
    usage : str
        Usage message included in the error when the count is wrong.

    Returns
    -------
    list of str

    Raises
    ------
    pyNN.errors.InvalidParameterValueError
        If the number of arguments is not `n_args` (a ValueError).
    """
    args = _script_arguments()
    if len(args) != n_args:
        msg = f"Script requires {n_args} argument(s), you supplied {len(args)}"
        if usage:
            msg += f"\n{usage}"
        raise errors.InvalidParameterValueError(msg)
    return args


class _PyNNLogHandlerMixin:
    """Marks handlers installed by :func:`init_logging`, so repeated calls replace them."""


class _StreamHandler(_PyNNLogHandlerMixin, logging.StreamHandler):
    pass


class _FileHandler(_PyNNLogHandlerMixin, logging.FileHandler):
    pass


def init_logging(logfile, debug=False, num_processes=1, rank=0, level=None):
    """Configure the 'PyNN' logger.

    Parameters
    ----------
    logfile : str or None
        File to log to; ``None`` logs to standard error. With more than one MPI process
        the rank is appended to the file name (``logfile.<rank>``).
    debug : bool
        Log at DEBUG level (and include more detail in each record).
    num_processes, rank : int
        MPI process count and this process's rank.
    level : int, optional
        Explicit logging level; overrides `debug`.

    Returns
    -------
    logging.Logger
        The configured 'PyNN' logger.
    """
    if level is None:
        level = logging.DEBUG if debug else logging.INFO
    if num_processes > 1:
        fmt = f"%(asctime)s %(levelname)-8s [{rank}] %(name)s: %(message)s"
    elif debug:
        fmt = "%(asctime)s %(levelname)-8s %(name)s (%(module)s:%(lineno)d): %(message)s"
    else:
        fmt = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

    pynn_logger = logging.getLogger("PyNN")
    for handler in list(pynn_logger.handlers):
        if isinstance(handler, _PyNNLogHandlerMixin):
            pynn_logger.removeHandler(handler)
            handler.close()

    if logfile is None:
        handler = _StreamHandler(sys.stderr)
    else:
        logfile = os.fspath(logfile)
        if num_processes > 1:
            logfile = f"{logfile}.{rank}"
        directory = os.path.dirname(logfile)
        if directory:
            os.makedirs(directory, exist_ok=True)
        handler = _FileHandler(logfile, mode="w")
    handler.setFormatter(logging.Formatter(fmt))
    handler.setLevel(level)
    pynn_logger.addHandler(handler)
    pynn_logger.setLevel(level)
    return pynn_logger


def normalized_filename(root, basename, extension, simulator, num_processes=None,
                        use_iso8601=False):
    """Build a time-stamped file name, filed in a directory named after today's date.

    The result has the form
    ``root/YYYYMMDD/basename_<simulator>[_np<N>]_YYYYMMDD-HHMMSS.<extension>``, or with
    `use_iso8601`, ``root/YYYY-MM-DD/basename_<simulator>[_np<N>]_YYYY-MM-DDTHH:MM:SS.<extension>``.

    Parameters
    ----------
    root : str
        Top-level directory.
    basename : str
        Start of the file name.
    extension : str
        File extension, with or without the leading dot.
    simulator : str
        Simulator name, included in the file name.
    num_processes : int, optional
        If given, ``_np<N>`` is added after the simulator name.
    use_iso8601 : bool
        Use ISO 8601 date and time formats.

    Returns
    -------
    str
    """
    now = datetime.datetime.now()
    if use_iso8601:
        date_dir = now.strftime("%Y-%m-%d")
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S")
    else:
        date_dir = now.strftime("%Y%m%d")
        stamp = now.strftime("%Y%m%d-%H%M%S")
    np_part = f"_np{num_processes}" if num_processes else ""
    extension = str(extension).lstrip(".")
    filename = f"{basename}_{simulator}{np_part}_{stamp}.{extension}"
    return os.path.join(root, date_dir, filename)


class Timer:
    """Measure wall-clock time in a script.

    The timer starts when it is created.

    Examples
    --------
    >>> timer = Timer()
    >>> build_network()
    >>> timer.diff()          # seconds since the previous check (here, since start)
    >>> run_simulation()
    >>> timer.mark("run")     # prints the time since the previous check, labelled
    >>> timer.elapsed_time(format="long")
    """

    def __init__(self):
        self.marks = []
        self.start()

    def start(self):
        """Start (or restart) timing from now."""
        self._start_time = time.perf_counter()
        self._last_check = self._start_time

    def reset(self):
        """Restart the timer from zero (same as :meth:`start`); recorded marks are discarded."""
        self.marks = []
        self.start()

    @staticmethod
    def _format(seconds, format):
        if format == "long":
            return Timer.time_in_words(seconds)
        if format is None:
            return seconds
        raise errors.InvalidParameterValueError(f"Timer: format must be None or 'long', not {format!r}")

    def elapsed_time(self, format=None):
        """Time since the timer was started.

        Parameters
        ----------
        format : None or 'long'
            ``None`` returns a float number of seconds, ``'long'`` a phrase such as
            ``'2 minutes, 3 seconds'``.
        """
        return self._format(time.perf_counter() - self._start_time, format)

    @deprecated("elapsed_time()")
    def elapsedTime(self, format=None):
        """Deprecated alias of :meth:`elapsed_time`."""
        return self.elapsed_time(format)

    def diff(self, format=None):
        """Time since the previous call to :meth:`diff` or :meth:`mark` (or since start).

        Parameters
        ----------
        format : None or 'long'
            As for :meth:`elapsed_time`.
        """
        now = time.perf_counter()
        interval = now - self._last_check
        self._last_check = now
        return self._format(interval, format)

    def mark(self, label):
        """Print and remember the time since the previous check, with a label.

        Parameters
        ----------
        label : str

        Returns
        -------
        float
            The interval in seconds.
        """
        interval = self.diff()
        self.marks.append((label, interval))
        print(f"{label}: {self.time_in_words(interval)}")
        return interval

    @staticmethod
    def time_in_words(s):
        """Describe a duration in seconds in words.

        Examples
        --------
        >>> Timer.time_in_words(1)
        '1 second'
        >>> Timer.time_in_words(123)
        '2 minutes, 3 seconds'
        >>> Timer.time_in_words(24 * 3600)
        '1 day'
        >>> Timer.time_in_words(0.25)
        '0.25 seconds'
        """
        s = float(s)
        if s < 0:
            raise errors.InvalidParameterValueError(f"time_in_words(): duration must not be negative, got {s}")
        days, rest = divmod(s, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        seconds = round(seconds, 2)
        if seconds >= 60:  # rounding carried over
            minutes, seconds = minutes + 1, 0.0

        def plural(value, unit):
            return f"{value} {unit}" if value == 1 else f"{value} {unit}s"

        parts = [plural(int(value), unit)
                 for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if value]
        if seconds or not parts:
            if seconds == int(seconds):
                parts.append(plural(int(seconds), "second"))
            else:
                parts.append(f"{seconds:g} seconds")
        return ", ".join(parts)


class ProgressBar:
    """A text progress bar written to standard output.

    Parameters
    ----------
    width : int
        Total width of the printed line in characters.
    char : str
        Character used to fill the bar.
    mode : {'fixed', 'dynamic'}
        ``'fixed'`` draws the full-width frame from the start and fills it; ``'dynamic'``
        draws a bar whose frame grows with progress.

    Examples
    --------
    >>> bar = ProgressBar(width=27)
    >>> bar(0.5)   # prints '[##########          ]  50%'
    """

    def __init__(self, width=77, char="#", mode="fixed"):
        if mode not in ("fixed", "dynamic"):
            raise errors.InvalidParameterValueError(f"ProgressBar: mode must be 'fixed' or 'dynamic', not {mode!r}")
        if len(char) != 1:
            raise errors.InvalidParameterValueError(f"ProgressBar: char must be a single character, not {char!r}")
        # '[' + ']' + ' 100%' take 7 characters
        if width < 8:
            raise errors.InvalidParameterValueError(f"ProgressBar: width must be at least 8, not {width}")
        self.char = char
        self.mode = mode
        self.width = int(width)
        self.bar_width = self.width - 7
        self.level = 0.0

    def _render(self, level):
        n_filled = round(level * self.bar_width)
        filled = self.char * n_filled
        if self.mode == "fixed":
            bar = filled.ljust(self.bar_width)
        else:
            bar = filled
        return f"[{bar}] {int(level * 100):3d}%"

    def set_level(self, level):
        """Show progress `level`, a number between 0 and 1."""
        level = float(level)
        if not 0.0 <= level <= 1.0:
            raise errors.InvalidParameterValueError(f"ProgressBar: level must be between 0 and 1, not {level}")
        self.level = level
        line = self._render(level)
        # in dynamic mode the line gets longer; pad so leftovers are overwritten
        sys.stdout.write("\r" + line.ljust(self.width))
        if level == 1.0:
            sys.stdout.write("\n")
        sys.stdout.flush()

    def __call__(self, level):
        """Same as :meth:`set_level`."""
        self.set_level(level)


class SimulationProgressBar(ProgressBar):
    """A progress bar for a simulation, to be passed to ``run(..., callbacks=[bar])``.

    Parameters
    ----------
    interval : float
        How often (in ms of simulated time) to update the bar.
    t_stop : float
        Simulated time (ms) at which the bar is full.
    char : str
        Fill character.
    mode : {'fixed', 'dynamic'}
        See :class:`ProgressBar`.

    Examples
    --------
    >>> sim.run(1000.0, callbacks=[SimulationProgressBar(10.0, 1000.0)])
    """

    def __init__(self, interval, t_stop, char="#", mode="fixed"):
        super().__init__(width=77, char=char, mode=mode)
        if interval <= 0:
            raise errors.InvalidParameterValueError(f"SimulationProgressBar: interval must be positive, not {interval}")
        if t_stop <= 0:
            raise errors.InvalidParameterValueError(f"SimulationProgressBar: t_stop must be positive, not {t_stop}")
        self.interval = interval
        self.t_stop = t_stop

    def __call__(self, t):
        """Update the bar for simulated time `t` (ms) and return the next time to be called."""
        self.set_level(min(max(float(t) / self.t_stop, 0.0), 1.0))
        return t + self.interval


def notify(msg="Simulation finished.", subject="Simulation finished.", smtphost=None,
           address=None):
    """Send an e-mail when a simulation finishes (or just log the message).

    Parameters
    ----------
    msg : str
        Message body.
    subject : str
        E-mail subject.
    smtphost : str, optional
        SMTP server; without it (or without `address`) the message is only logged.
    address : str, optional
        Recipient (also used as sender).

    Returns
    -------
    bool
        True if an e-mail was sent.
    """
    if not (smtphost and address):
        logger.info("notify: %s", msg)
        return False
    # (imported here: e-mail and SSL cost every script 1 MiB of memory)
    import smtplib
    from email.message import EmailMessage

    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = address
    email["To"] = address
    email.set_content(msg)
    try:
        with smtplib.SMTP(smtphost) as server:
            server.send_message(email)
    except (OSError, smtplib.SMTPException) as err:
        logger.warning("notify: could not send e-mail via %s: %s", smtphost, err)
        return False
    return True


def save_population(population, filename, variables=None):
    """Save a population's label, cell type, parameters, positions and state with shelve.

    Legacy helper; see :func:`load_population`.

    Parameters
    ----------
    population : Population
    filename : str
    variables : list of str, optional
        State variables to save as initial values (default: the cell type's
        ``default_initial_values`` names).
    """
    celltype = population.celltype
    parameter_names = list(celltype.get_parameter_names())
    values = population.get(parameter_names, gather=True, simplify=True) if parameter_names else []
    if variables is None:
        variables = list(getattr(celltype, "default_initial_values", {}))
    initial_values = {}
    for name in variables:
        value = population.initial_values[name]
        if hasattr(value, "evaluate"):
            value = value.evaluate(simplify=True)
        initial_values[name] = value
    import shelve  # (only here: with its e-mail and SSL dependencies, 1 MiB for every script)

    with shelve.open(os.fspath(filename), flag="n") as store:
        store["label"] = population.label
        store["size"] = population.size
        store["celltype"] = type(celltype).__name__
        store["parameters"] = dict(zip(parameter_names, values))
        store["initial_values"] = initial_values
        store["positions"] = np.asarray(population.positions)


def load_population(filename, sim):
    """Re-create a population saved with :func:`save_population`.

    Parameters
    ----------
    filename : str
    sim : module
        The backend module (e.g. ``pyNN.nest``) in which to create the population.

    Returns
    -------
    Population
    """
    import shelve

    with shelve.open(os.fspath(filename), flag="r") as store:
        data = dict(store)
    celltype_class = getattr(sim, data["celltype"])
    population = sim.Population(data["size"], celltype_class(**data["parameters"]),
                                label=data["label"])
    population.positions = data["positions"]
    if data["initial_values"]:
        population.initialize(**data["initial_values"])
    return population


def sort_by_column(a, col):
    """Return the rows of 2D array `a` sorted by column `col` (stable sort)."""
    a = np.asarray(a)
    return a[np.argsort(a[:, col], kind="stable")]


def forgetful_memoize(func):
    """Decorator that caches only the result of the most recent call.

    If the function is called again with the same arguments as the previous call, the
    stored result is returned; a call with different arguments replaces the cache.
    Hashable arguments are compared by value, others (e.g. numpy arrays) by identity.
    The wrapped function gains a ``cache_clear()`` method.
    """
    last = {"valid": False, "args": (), "kwargs": {}, "result": None}

    def same(x, y):
        if x is y:
            return True
        try:
            hash(x)
            hash(y)
        except TypeError:
            return False
        try:
            return bool(x == y)
        except (TypeError, ValueError):  # e.g. ambiguous array comparisons
            return False

    def matches_last(args, kwargs):
        old_args, old_kwargs = last["args"], last["kwargs"]
        return (last["valid"]
                and len(args) == len(old_args)
                and all(same(a, b) for a, b in zip(args, old_args))
                and kwargs.keys() == old_kwargs.keys()
                and all(same(kwargs[k], old_kwargs[k]) for k in kwargs))

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if matches_last(args, kwargs):
            return last["result"]
        result = func(*args, **kwargs)
        last.update(valid=True, args=args, kwargs=kwargs, result=result)
        return result

    def cache_clear():
        last.update(valid=False, args=(), kwargs={}, result=None)

    wrapper.cache_clear = cache_clear
    return wrapper
