"""User-facing behaviour of current sources, written once for every backend.

Timing convention (the same on every backend): a source is active on the steps
``start <= t < stop``; the current present during the step that begins at t changes
the membrane from t + dt on. StepCurrentSource is zero before its first time and
holds its last amplitude. A NoisyCurrentSource draws one noise trace per source (all
its targets receive the same current) from its own RNG, in the core, so the noise is
identical on every backend.
"""

import warnings

import numpy as np

from pyNN import errors
from pyNN.common.control import check_current, check_same_backend
from pyNN.common.populations import Assembly, BasePopulation, ID, roots
from pyNN.core import missing_hook
from pyNN.parameters import Sequence
from pyNN.standardmodels import backend_type, electrodes
from pyNN.random import NumpyRNG


def _targets_of(cells):
    """(root population, indices) pairs of the cells a source is injected into."""
    if isinstance(cells, (BasePopulation, Assembly)):
        return [(part.root, part.indices) for part in roots(cells)]
    if isinstance(cells, ID):
        return [(cells.parent.grandparent, np.array([cells._index]))]
    if isinstance(cells, (list, tuple, np.ndarray)) and all(isinstance(c, ID) for c in cells):
        out = {}
        for c in cells:
            out.setdefault(id(c.parent.grandparent), (c.parent.grandparent, []))[1].append(c._index)
        return [(root, np.unique(np.array(idx))) for root, idx in out.values()]
    raise errors.InvalidTypeError(f"inject_into() takes a Population, PopulationView, Assembly or list of "
                                  f"cell IDs, not {cells!r}")


#: switching times (ms) from this one on mean "never" and are not put on the time grid
#: (NEST's generators take times up to 1e9 ms; the default stop is 1e12 ms)
NEVER = 1e9


class CurrentSourceMixin:
    """Behaviour of a current source; combined with a backend's standard type classes."""

    _simulator = None  # set by each backend

    def __init__(self, **parameters):
        super().__init__(**parameters)
        self._check()
        self._targets = []
        self._recording = False
        self._noise = None
        state = self._simulator.state
        self._session = state.session
        state.current_sources.append(self)
        self._index = len(state.current_sources)
        # (segment, first step, parameter values): what was in force when, for get_data()
        self._history = [(state.segment_counter, 0, self._values())]
        self._create_device()

    # --- parameters --------------------------------------------------------------------
    def _values(self, parameter_space=None, on_grid=True):
        """The parameter values; with `on_grid`, change times put on the time grid (as
        the source acts: see :meth:`_on_grid`)."""
        ps = (self.parameter_space if parameter_space is None else parameter_space).copy()
        ps.shape = (1,)
        ps.evaluate(simplify=True)
        values = ps.as_dict()
        return self._on_grid(values) if on_grid else values

    def _on_grid(self, values):
        """Switching and change times rounded to the nearest step (one RoundingWarning per
        source and parameter): `start` and `stop` (a finite value off the grid), and the step
        change times, of which, when several fall on one step, only the last acts (the
        earlier amplitudes would last no time at all), so only it is kept, with its
        amplitude. The values read back are those the simulation uses, on every backend
        (NEST's generators refuse off-grid times; the waveform played elsewhere would
        otherwise switch at the first step at or after the time)."""
        for name in ("start", "stop"):
            if name in values:
                values[name] = self._switch_time_on_grid(name, values[name])
        if "times" not in values or "amplitudes" not in values:
            return values
        times = electrodes.values_of(values["times"])
        if times.size == 0:
            return values
        state = self._simulator.state
        steps = state.time_to_steps(times, f"'times' of {type(self).__name__} (current source {self._index})",
                                    key=("times", id(self)))
        last = np.append(steps[1:] != steps[:-1], True)  # the last time given for each step
        amplitudes = electrodes.values_of(values["amplitudes"])
        values["times"] = Sequence(state.steps_to_time(steps[last]))
        values["amplitudes"] = Sequence(amplitudes[last])
        return values

    def _switch_time_on_grid(self, name, value):
        """`value` (ms) of `start`/`stop` on the time grid. Values from NEVER on (the default
        stop, 1e12 ms, and infinity) mean "never" and are kept as they are."""
        state = self._simulator.state
        value = float(value)
        if not value < NEVER:
            return value
        steps = state.time_to_steps(value, f"'{name}' of {type(self).__name__} (current source {self._index})",
                                    key=(name, id(self)))
        return state.steps_to_time(steps)

    def _check(self, parameter_space=None):
        # PyNN's rule: the times as given must be >= 0 and strictly increasing
        values = self._values(parameter_space, on_grid=False)
        type(self).check_values(values, type(self).__name__)
        for name in ("start", "stop"):
            if name in values and values[name] < 0:
                raise errors.InvalidParameterValueError(
                    f"{type(self).__name__}: {name}={values[name]} ms must be >= 0")

    def get_parameters(self):
        """Parameter values in standard units."""
        return self._values()

    def set_parameters(self, copy=True, **parameters):
        """Change parameters; the change acts from the current time on."""
        self._check_current()
        valid = self.get_parameter_names()
        for name in parameters:
            if name not in valid:
                raise errors.NonExistentParameterError(name, type(self).__name__, valid)
        changed = self.parameter_space.copy()
        changed.update(**parameters)
        self._check(changed)  # a refused change leaves the source as it was
        self.parameter_space = changed
        state = self._simulator.state
        seg, step = state.segment_counter, state.steps
        self._history = [h for h in self._history if not (h[0] == seg and h[1] >= step)]
        self._history.append((seg, step, self._values()))
        self._noise = None if "dt" in parameters or "mean" in parameters or "stdev" in parameters \
            else self._noise
        self._push_parameters()

    def __getattr__(self, name):
        private = name.startswith("_") or name == "parameter_space"
        if not private and type(self).has_parameter(name):
            return self._values()[name]
        if private:
            message = name
        elif name == "set":
            message = ("Current sources have no set() method: use source.set_parameters(name=value) "
                       "or source.name = value")
        else:
            message = f"{type(self).__name__} has no attribute '{name}'"
        # attribute-lookup protocol: hasattr()/getattr() need an AttributeError
        raise AttributeError(message)

    def __setattr__(self, name, value):
        if not name.startswith("_") and name != "parameter_space" and type(self).has_parameter(name):
            self.set_parameters(**{name: value})
        else:
            object.__setattr__(self, name, value)

    def _check_current(self):
        check_current(self, f"{type(self).__name__} (current source {self._index})")

    # --- injection ---------------------------------------------------------------------
    def inject_into(self, cells):
        """Inject this current into `cells` (Population, PopulationView, Assembly or IDs)."""
        self._check_current()
        targets = _targets_of(cells)
        check_same_backend([self] + [root for root, _ in targets], f"Injecting a {type(self).__name__}")
        for root, _ in targets:
            root._check_current()
        for root, indices in targets:
            if not root.celltype.injectable:
                raise errors.InvalidTypeError(f"Cannot inject current into '{root.label}': "
                                              f"{type(root.celltype).__name__} cells are not injectable")
            # in increasing order, whatever the order of a view (NEST requires it)
            indices = np.unique(np.asarray(indices, dtype=np.int64))
            if indices.size == 0:
                continue  # an empty view: no cell to connect (NEST would refuse every later run)
            self._warn_if_duplicate(root, indices)
            self._connect(root, indices)  # (first: a backend that refuses leaves no target behind)
            self._targets.append((root, indices))

    def _warn_if_duplicate(self, root, indices):
        """Warn (once per source) when some of `indices` already receive this source. Every
        backend then adds the current once per injection; the warning says so."""
        if getattr(self, "_warned_duplicate", False):
            return
        already = [other for other_root, other in self._targets if other_root is root]
        again = np.intersect1d(indices, np.concatenate(already)) if already else indices[:0]
        if again.size:
            self._warned_duplicate = True
            warnings.warn(
                f"{type(self).__name__} is injected again into {again.size} cell(s) of "
                f"'{root.label}' that already receive it (e.g. cell {int(again[0])}): those cells "
                f"now receive the current once per injection (twice the current for two "
                f"injections). Further duplicates of this source are not reported.",
                errors.DuplicateInjectionWarning, stacklevel=3)

    # --- the current on the time grid ---------------------------------------------------
    def _parameter_history(self):
        """[(first step, values)] of the parameters in force during the current segment
        (a change made by set_parameters() acts from the time it was made)."""
        seg = self._simulator.state.segment_counter
        current = [(step, v) for s, step, v in self._history if s == seg]
        if not current or current[0][0] > 0:
            older = [v for s, _, v in self._history if s != seg]
            current.insert(0, (0, older[-1] if older else self._values()))
        return current

    def current_at_steps(self, steps):
        """The current (nA) during the steps starting at `steps` * dt."""
        steps = np.asarray(steps)
        history = self._parameter_history()
        if len(history) == 1 or getattr(self, "draws_noise", False):
            return self._current_with(steps, self._values())
        out = np.zeros(steps.shape)
        bounds = [step for step, _ in history[1:]] + [np.inf]
        for (first, values), end in zip(history, bounds):
            sel = (steps >= first) & (steps < end)
            out[sel] = self._current_with(steps[sel], values)
        return out

    def _current_with(self, steps, v):
        dt = self._simulator.state.dt
        noise = None
        if getattr(self, "draws_noise", False):
            noise = self.noise_samples((float(np.max(steps)) + 1) * dt if np.size(steps) else 0.0)
        return self.waveform(np.asarray(steps), dt, v, noise)

    def noise_samples(self, until):
        """(times, amplitudes) of the noise steps in [start, min(stop, until)]."""
        v = self._values()
        state = self._simulator.state
        ndt = max(state.dt, round(v["dt"] / state.dt) * state.dt)
        stop = min(v["stop"], until)
        n = max(0, int(np.ceil((stop - v["start"]) / ndt - 1e-9)))
        if self._noise is None:
            seed = (state.rng_seed if hasattr(state, "rng_seed") else 42) * 1000003 + self._index
            self._noise = (NumpyRNG(seed=seed % (2 ** 32)), np.zeros(0))
        rng, drawn = self._noise
        if drawn.size < n:
            extra = rng.next(n - drawn.size, "normal", {"mu": 0.0, "sigma": 1.0})
            drawn = np.concatenate([drawn, np.atleast_1d(extra)])
            self._noise = (rng, drawn)
        times = v["start"] + ndt * np.arange(n)
        amps = v["mean"] + v["stdev"] * drawn[:n]
        if v["stop"] <= until and n:
            times = np.append(times, v["stop"])
            amps = np.append(amps, 0.0)
        return times, amps

    # --- recording -----------------------------------------------------------------------
    def record(self):
        """Record the injected current (retrieve it with get_data())."""
        self._recording = True

    def get_data(self):
        """The current injected so far as a neo.AnalogSignal (nA), one sample per step,
        including t = 0 and the current time."""
        import neo  # only when data are asked for
        import quantities as pq

        self._check_current()

        state = self._simulator.state
        steps = np.arange(state.steps + 1)
        values = self.current_at_steps(steps)
        return neo.AnalogSignal(values.reshape(-1, 1), units="nA", t_start=0 * pq.ms,
                                sampling_period=state.dt * pq.ms, name="i",
                                source=type(self).__name__)

    # --- hooks for backends ----------------------------------------------------------------
    def _create_device(self):
        raise missing_hook(self, "_create_device")

    def _connect(self, root, indices):
        raise missing_hook(self, "_connect")

    def _push_parameters(self):
        raise missing_hook(self, "_push_parameters")

    def _prepare_run(self, end_steps):
        """Called before every run up to step `end_steps` (e.g. to extend a noise trace)."""

    def _rebuild(self):
        """Re-create the device and its connections after a reset."""
        self._create_device()
        for root, indices in self._targets:
            self._connect(root, indices)


class WaveformCurrentSource(CurrentSourceMixin):
    """A current source whose waveform the core computes and the backend plays.

    Nothing is created in the simulator when the source is made, changed or reset: before
    each run the backend reads ``current_at_steps()`` of the sources in
    ``state.current_sources`` (their targets are in ``_targets``). Injecting into cells only
    tells the root population, through its ``_add_injection(source, indices)`` hook.
    """

    def _create_device(self):
        pass

    def _connect(self, root, indices):
        root._add_injection(self, indices)

    def _push_parameters(self):
        pass  # the waveform is computed afresh from the parameter history before each run

    def _rebuild(self):
        pass  # nothing native to re-create: the waveform restarts with the new segment


def current_source_classes(adapter, tables, simulator=None, module=None):
    """The standard current sources of a backend: for each type of
    ``pyNN.standardmodels.electrodes.STANDARD_CURRENT_SOURCES``, a class combining `adapter`
    (the backend's hooks, e.g. :class:`WaveformCurrentSource` or a class driving native
    devices) with the class of that name in `tables` (the backend's translation tables).

    Parameters
    ----------
    adapter : subclass of CurrentSourceMixin
    tables : module
        The backend's ``standardmodels.electrodes``.
    simulator : module, optional
        The backend's simulator module, when `adapter` does not set ``_simulator``.
    module : str, optional
        ``__module__`` of the classes (default: the adapter's module).

    Returns
    -------
    dict
        name -> class, in the order of ``STANDARD_CURRENT_SOURCES`` (DCSource, ACSource,
        StepCurrentSource, NoisyCurrentSource), so that a backend binds them by unpacking
        ``.values()`` (a new standard source makes that unpacking fail loudly).
    """
    attributes = {} if simulator is None else {"_simulator": simulator}
    return {standard.__name__: backend_type(getattr(tables, standard.__name__), module or adapter.__module__,
                                            (adapter,), **attributes)
            for standard in electrodes.STANDARD_CURRENT_SOURCES}
