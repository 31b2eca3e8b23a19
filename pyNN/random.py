"""Random number generators and random distributions.

The core draws every random number it needs (parameter values, connectivity,
positions) through the objects in this module, so that the same seed gives the same
network on every backend.

Public names
------------
available_distributions
    Mapping from distribution name to the names of its parameters, in the order used
    for positional parameters.
NumpyRNG, GSLRNG
    Seedable generators wrapping :class:`numpy.random.RandomState` and the GNU
    Scientific Library (through ``pygsl``).
NativeRNG
    Marker meaning "let the simulator draw the numbers"; falls back to numpy when the
    core itself has to draw.
RandomDistribution
    A distribution plus an RNG; usable wherever a parameter value is expected,
    including inside a :class:`lazyarray.larray`.
AbstractRNG, WrappedRNG, get_mpi_config
    Base classes and the MPI helper.

Parallel safety
---------------
An RNG with ``parallel_safe=True`` always draws the values for the whole model and
then keeps those selected by a mask, so every MPI process sees the same numbers
whatever the number of processes.  With ``parallel_safe=False`` each process draws
only what it needs, from a stream whose seed is offset by the MPI rank.
"""

import importlib.util
import math
import numbers
import time
from copy import deepcopy
from typing import ClassVar

import numpy as np
from lazyarray import VectorizedIterable

from pyNN import errors
from pyNN.core import missing_hook

__all__ = [
    "GSLRNG",
    "MAX_REDRAWS",
    "AbstractRNG",
    "NativeRNG",
    "NumpyRNG",
    "RandomDistribution",
    "WrappedRNG",
    "available_distributions",
    "get_mpi_config",
    "have_gsl",
]

#: True if ``pygsl`` (needed by :class:`GSLRNG`) is installed; PyNN scripts test it before
#: creating a GSLRNG. Found without importing it.
have_gsl = importlib.util.find_spec("pygsl") is not None

#: Distribution name -> parameter names (all required, in positional order).
available_distributions = {
    "binomial": ("n", "p"),
    "gamma": ("k", "theta"),
    "exponential": ("beta",),
    "lognormal": ("mu", "sigma"),
    "normal": ("mu", "sigma"),
    "normal_clipped": ("mu", "sigma", "low", "high"),
    "normal_clipped_to_boundary": ("mu", "sigma", "low", "high"),
    "poisson": ("lambda_",),
    "uniform": ("low", "high"),
    "uniform_int": ("low", "high"),
    "vonmises": ("mu", "kappa"),
}

#: Rounds of redrawing tried by 'normal_clipped' before giving up.
MAX_REDRAWS = 1000

# Per-distribution constraints: (parameter, test on the float value, what is allowed).
# A test receives the whole parameter dict so that relations (low <= high) can be checked.
_CONSTRAINTS = {
    "binomial": (
        ("n", lambda p: p["n"] >= 0 and float(p["n"]).is_integer(), "a non-negative integer"),
        ("p", lambda p: 0.0 <= p["p"] <= 1.0, "a probability in [0, 1]"),
    ),
    "gamma": (
        ("k", lambda p: p["k"] > 0, "a positive number (shape)"),
        ("theta", lambda p: p["theta"] > 0, "a positive number (scale)"),
    ),
    "exponential": (("beta", lambda p: p["beta"] >= 0, "a non-negative number (scale, i.e. the mean)"),),
    "lognormal": (("sigma", lambda p: p["sigma"] >= 0, "a non-negative number"),),
    "normal": (("sigma", lambda p: p["sigma"] >= 0, "a non-negative number"),),
    "normal_clipped": (
        ("sigma", lambda p: p["sigma"] >= 0, "a non-negative number"),
        ("high", lambda p: p["low"] <= p["high"], "a number >= low"),
    ),
    "normal_clipped_to_boundary": (
        ("sigma", lambda p: p["sigma"] >= 0, "a non-negative number"),
        ("high", lambda p: p["low"] <= p["high"], "a number >= low"),
    ),
    "poisson": (("lambda_", lambda p: p["lambda_"] >= 0, "a non-negative number"),),
    "uniform": (
        ("low", lambda p: math.isfinite(p["low"]), "a finite number"),
        ("high", lambda p: math.isfinite(p["high"]) and p["low"] <= p["high"], "a finite number >= low"),
    ),
    "uniform_int": (
        ("low", lambda p: float(p["low"]).is_integer(), "an integer"),
        ("high", lambda p: float(p["high"]).is_integer() and p["low"] < p["high"],
         "an integer > low (high is exclusive)"),
    ),
    "vonmises": (("kappa", lambda p: p["kappa"] >= 0, "a non-negative number"),),
}

# Parameters that may legitimately be infinite (open-ended clipping intervals).
_MAY_BE_INFINITE = {"low", "high"}


class _MissingParameterError(errors.PyNNError, KeyError):
    """A distribution parameter without a value: a KeyError whose message is shown as written
    (KeyError would quote it)."""

    def __str__(self):
        return str(self.args[0])


def get_mpi_config():
    """Return ``(rank, num_processes)`` of this process in MPI.COMM_WORLD.

    Returns ``(0, 1)`` when the script was not launched as several processes (mpirun,
    mpiexec, srun) or mpi4py is not installed. mpi4py is imported only for such a launch,
    so that a one-process run never initialises MPI.
    """
    from pyNN.common.mpi_guard import launched_processes
    if launched_processes()[0] <= 1:
        return 0, 1
    try:
        from mpi4py import MPI
    except ImportError:
        return 0, 1
    comm = MPI.COMM_WORLD
    return comm.Get_rank(), comm.Get_size()


def _shared_seed():
    """A seed from the operating system's entropy, the same on every MPI process (rank 0's):
    an unseeded parallel-safe generator must draw the same numbers on every process."""
    seed = int(np.random.SeedSequence().generate_state(1)[0])
    from mpi4py import MPI
    return MPI.COMM_WORLD.bcast(seed, root=0)


def _check_distribution_name(distribution):
    if distribution not in available_distributions:
        names = ", ".join(sorted(available_distributions))
        msg = (f"Unknown random distribution {distribution!r} (parameter 'distribution'). "
               f"Available distributions are: {names}.")
        suggestions = errors.close_matches(distribution, available_distributions)
        if suggestions:
            msg += f" Did you mean: {', '.join(suggestions)}?"
        raise errors.InvalidParameterValueError(msg)


def _resolve_parameters(distribution, parameters):
    """Turn `parameters` (dict, positional list/tuple or None) into a dict in the
    canonical order, checking names and values.  Returns the values as given."""
    _check_distribution_name(distribution)
    names = available_distributions[distribution]
    label = f"Distribution '{distribution}'"
    if parameters is None:
        parameters = {}
    if isinstance(parameters, dict):
        unknown = [k for k in parameters if k not in names]
        if unknown:
            raise errors.NonExistentParameterError(unknown[0], label, names)
        given = dict(parameters)
    elif isinstance(parameters, (list, tuple, np.ndarray)):
        if len(parameters) != len(names):
            raise errors.InvalidParameterValueError(
                f"{label} takes {len(names)} positional parameters ({', '.join(names)}), "
                f"but {len(parameters)} were given: {tuple(parameters)!r}.")
        given = dict(zip(names, parameters))
    else:
        raise errors.InvalidParameterValueError(
            f"{label}: 'parameters' must be a dict or a list/tuple in the order "
            f"({', '.join(names)}), not {type(parameters).__name__} {parameters!r}.")
    missing = [k for k in names if k not in given]
    if missing:
        raise _MissingParameterError(
            f"{label} needs values for all of its parameters ({', '.join(names)}); "
            f"missing: {', '.join(missing)}. There are no default values.")

    numeric = {}
    for name in names:
        value = given[name]
        try:
            ok = np.ndim(value) == 0 and not isinstance(value, (bool, np.bool_, str))
            as_float = float(value) if ok else None
        except (TypeError, ValueError):
            ok = False
        if not ok or math.isnan(as_float) or (
                math.isinf(as_float) and name not in _MAY_BE_INFINITE):
            raise errors.InvalidParameterValueError(
                f"{label}: parameter {name}={value!r} is not allowed; it must be a single "
                f"finite real number.")
        numeric[name] = as_float
    for name, test, allowed in _CONSTRAINTS.get(distribution, ()):
        if not test(numeric):
            raise errors.InvalidParameterValueError(
                f"{label}: parameter {name}={given[name]!r} is not allowed; it must be {allowed} "
                f"(parameters were {_format_parameters(given)}).")
    return {name: given[name] for name in names}


def _format_parameters(parameters):
    return ", ".join(f"{k}={v!r}" for k, v in parameters.items())


def _check_count(n):
    """Validate a number of values to draw and return it as an int."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (numbers.Integral, float, np.floating)):
        raise errors.InvalidParameterValueError(
            f"n={n!r} is not allowed; the number of random values must be a non-negative integer "
            f"(or None for a single value).")
    if not float(n).is_integer():
        raise errors.InvalidParameterValueError(
            f"n={n!r} is not allowed; the number of random values must be a whole number.")
    n = int(n)
    if n < 0:
        raise errors.InvalidParameterValueError(
            f"n={n} is not allowed; the number of random values must be >= 0.")
    return n


def _normalise_mask(mask, n):
    """Validate `mask` against an array of `n` values.

    Returns ``(index, count)``: something that indexes a numpy array of length `n`,
    and the number of values it selects.
    """
    if isinstance(mask, slice):
        return mask, len(range(*mask.indices(n)))
    mask = np.asarray(mask)
    if mask.dtype == bool:
        if mask.shape != (n,):
            raise errors.InvalidDimensionsError(
                f"Boolean mask has shape {mask.shape} but {n} values were requested; "
                f"a boolean mask must have shape ({n},).")
        return mask, int(np.count_nonzero(mask))
    if mask.size == 0:
        return np.empty(0, dtype=int), 0
    if mask.ndim != 1 or not np.issubdtype(mask.dtype, np.integer):
        raise errors.InvalidDimensionsError(
            f"mask must be a slice, a boolean array of length {n} or a 1D array of integer "
            f"indices, not an array of dtype {mask.dtype} and shape {mask.shape}.")
    if mask.max() >= n or mask.min() < -n:
        raise errors.InvalidIndexError(
            f"mask contains indices outside the range [{-n}, {n}) of the {n} values.")
    return mask, int(mask.size)


class AbstractRNG:
    """Base class of every random number generator that pyNN accepts.

    Parameters
    ----------
    seed : int or None
        Seed of the generator; None means "seed from the operating system".
    parallel_safe : bool
        If True, the values handed to each MPI process do not depend on the number of
        processes (see the module docstring).

    Attributes
    ----------
    is_native : bool
        False here; True for :class:`NativeRNG`, telling backends to use their own
        generator.
    """

    is_native = False

    def __init__(self, seed=None, parallel_safe=True):
        if seed is not None and (isinstance(seed, (bool, np.bool_))
                                 or not isinstance(seed, numbers.Integral)):
            raise errors.InvalidParameterValueError(
                f"{type(self).__name__}: seed={seed!r} is not allowed; the seed must be an "
                f"integer or None.")
        self.seed = None if seed is None else int(seed)
        self.parallel_safe = bool(parallel_safe)

    def __repr__(self):
        return f"{type(self).__name__}(seed={self.seed!r}, parallel_safe={self.parallel_safe!r})"

    def next(self, n=None, distribution="uniform", parameters=None, mask=None, mask_local=None):
        """Return random values; see :meth:`WrappedRNG.next`."""
        raise missing_hook(self, "next")

    def describe(self):
        """One-line description of the generator."""
        safe = "parallel safe" if self.parallel_safe else "not parallel safe"
        return f"{type(self).__name__} with seed {self.seed} ({safe})"

    def _replay_state(self):
        """A copy of the generator's state from which :meth:`_twin` draws the same values
        again, or None if this generator cannot be replayed (the default)."""
        return None

    def _twin(self, state):
        """A new generator like this one, in `state` (from :meth:`_replay_state`)."""
        raise missing_hook(self, "_twin")


class WrappedRNG(AbstractRNG):
    """Base class for RNGs that wrap a generator living in Python.

    Subclasses implement :meth:`_draw_basic`, which draws ``n`` values from one of the
    distributions other than the two clipped normals (those are built here on top of
    'normal').  :meth:`next` adds argument checking, masking and parallel safety, and
    is the vectorised entry point used by the rest of the library.

    With ``parallel_safe=False`` the seed is offset by the MPI rank so that processes
    draw different streams.
    """

    def __init__(self, seed=None, parallel_safe=True):
        super().__init__(seed, parallel_safe)
        self.mpi_rank, self.num_processes = get_mpi_config()
        if self.seed is None and self.parallel_safe and self.num_processes > 1:
            # (every process creates its generators in the same order, as for any MPI call)
            self.seed = _shared_seed()
        if self.seed is not None and not self.parallel_safe:
            self.seed += self.mpi_rank

    def __getattr__(self, name):
        # Unknown attributes are looked up on the wrapped generator ``self.rng``. Only called for
        # attributes not found normally; the guard stops recursion while the object is half-built
        # (copy/pickle create it without calling __init__).
        if name.startswith("__") or name == "rng":
            # attribute-lookup protocol: hasattr()/getattr() need an AttributeError
            raise AttributeError(name)
        return getattr(self.rng, name)

    def next(self, n=None, distribution="uniform", parameters=None, mask=None, mask_local=None):
        """Draw random values from a named distribution.

        Parameters
        ----------
        n : int or None
            Number of values for the whole model.  None returns a single scalar,
            0 an empty array; a negative value is an InvalidParameterValueError.
        distribution : str
            One of :data:`available_distributions`.  ``None`` means 'uniform'.
        parameters : dict, list, tuple or None
            Distribution parameters by name, or positionally in the order of
            :data:`available_distributions`.  For 'uniform', None means [0, 1).
        mask : bool array, integer index array, slice or None
            Which of the ``n`` values the caller needs.  A parallel-safe RNG draws all
            ``n`` values and returns ``values[mask]``, so the result does not depend on
            how the model is split across processes; otherwise only the selected number
            of values is drawn.
        mask_local : same as `mask`
            PyNN's name for `mask`; give one or the other.

        Returns
        -------
        numpy.ndarray or scalar
        """
        mask = _either_mask(mask, mask_local)
        if distribution is None:
            distribution = "uniform"
        if distribution == "uniform" and parameters is None:
            parameters = {"low": 0.0, "high": 1.0}
        params = _resolve_parameters(distribution, parameters)
        if n is None:
            if mask is not None:
                raise errors.InvalidParameterValueError(
                    f"mask={mask!r} can only be used together with a number of values n; n is None.")
            return self._draw(distribution, 1, params)[0]
        n = _check_count(n)
        if mask is None:
            return self._draw(distribution, n, params)
        index, count = _normalise_mask(mask, n)
        if self.parallel_safe:
            return self._draw(distribution, n, params)[index]
        return self._draw(distribution, count, params)

    def normal_clipped(self, mu=0.0, sigma=1.0, low=-np.inf, high=np.inf, size=None):
        """Normal values redrawn until they lie in [low, high] (PyNN's method form of the
        'normal_clipped' distribution); a scalar when `size` is None."""
        return self._method_draw("normal_clipped", mu, sigma, low, high, size)

    def normal_clipped_to_boundary(self, mu=0.0, sigma=1.0, low=-np.inf, high=np.inf, size=None):
        """Normal values with those outside [low, high] set to the nearer bound; a scalar
        when `size` is None."""
        return self._method_draw("normal_clipped_to_boundary", mu, sigma, low, high, size)

    def _method_draw(self, distribution, mu, sigma, low, high, size):
        params = _resolve_parameters(distribution, {"mu": mu, "sigma": sigma, "low": low, "high": high})
        if size is None:
            return self._draw(distribution, 1, params)[0]
        return self._draw(distribution, _check_count(size), params)

    def _draw(self, distribution, n, parameters):
        """Draw exactly `n` values (no masking); `parameters` already validated."""
        if n == 0:
            dtype = int if distribution in ("binomial", "poisson", "uniform_int") else float
            return np.empty(0, dtype=dtype)
        if distribution == "normal_clipped":
            return self._normal_clipped(n, parameters)
        if distribution == "normal_clipped_to_boundary":
            values = self._draw_basic("normal", n, {"mu": parameters["mu"], "sigma": parameters["sigma"]})
            return np.clip(values, parameters["low"], parameters["high"])
        return np.asarray(self._draw_basic(distribution, n, parameters))

    def _normal_clipped(self, n, parameters):
        normal = {"mu": parameters["mu"], "sigma": parameters["sigma"]}
        low, high = parameters["low"], parameters["high"]
        values = np.asarray(self._draw_basic("normal", n, normal), dtype=float)
        # Redraw only the rejected values each round, so the cost is per round, not per value.
        bad = np.flatnonzero((values < low) | (values > high))
        rounds = 0
        while bad.size:
            if rounds >= MAX_REDRAWS:
                raise errors.InvalidParameterValueError(
                    f"Distribution 'normal_clipped' with {_format_parameters(parameters)}: after "
                    f"{MAX_REDRAWS} rounds of redrawing, {bad.size} of {n} values were still outside "
                    f"[low, high]. The interval holds almost none of the probability mass; widen "
                    f"[low, high], move mu into it, or use 'normal_clipped_to_boundary'.")
            redrawn = np.asarray(self._draw_basic("normal", bad.size, normal), dtype=float)
            values[bad] = redrawn
            bad = bad[(redrawn < low) | (redrawn > high)]
            rounds += 1
        return values

    def _draw_basic(self, distribution, n, parameters):
        raise missing_hook(self, "_draw_basic")

    def describe(self):
        """One-line description of the generator, including its MPI context."""
        return (f"{super().describe()}, MPI rank {self.mpi_rank} of {self.num_processes} "
                f"process(es)")


class NumpyRNG(WrappedRNG):
    """Random number generator wrapping :class:`numpy.random.RandomState` (Mersenne Twister).

    Parameters
    ----------
    seed : int or None
        Seed; None seeds from the operating system's entropy source.
    parallel_safe : bool
        See the module docstring.  If False, the seed is offset by the MPI rank.

    Notes
    -----
    Attributes that this class does not define are looked up on the wrapped
    ``RandomState``, so ``rng.permutation(10)`` or ``rng.uniform(size=5)`` work.
    The distributions are drawn with the same ``RandomState`` calls as PyNN 0.13, so
    a given seed produces the same numbers.

    Examples
    --------
    >>> rng = NumpyRNG(seed=42)
    >>> rng.next(3, 'normal', {'mu': 0.0, 'sigma': 1.0}).shape
    (3,)
    """

    # Each sampler maps validated pyNN parameters onto RandomState arguments.
    _samplers: ClassVar[dict] = {
        "binomial": lambda rs, n, p: rs.binomial(int(p["n"]), p["p"], size=n),
        "gamma": lambda rs, n, p: rs.gamma(shape=p["k"], scale=p["theta"], size=n),
        "exponential": lambda rs, n, p: rs.exponential(scale=p["beta"], size=n),
        "lognormal": lambda rs, n, p: rs.lognormal(mean=p["mu"], sigma=p["sigma"], size=n),
        "normal": lambda rs, n, p: rs.normal(loc=p["mu"], scale=p["sigma"], size=n),
        "poisson": lambda rs, n, p: rs.poisson(lam=p["lambda_"], size=n),
        "uniform": lambda rs, n, p: rs.uniform(low=p["low"], high=p["high"], size=n),
        "uniform_int": lambda rs, n, p: rs.randint(int(p["low"]), int(p["high"]), size=n),
        "vonmises": lambda rs, n, p: rs.vonmises(mu=p["mu"], kappa=p["kappa"], size=n),
    }

    def __init__(self, seed=None, parallel_safe=True):
        super().__init__(seed, parallel_safe)
        if self.seed is not None and not 0 <= self.seed < 2**32:
            raise errors.InvalidParameterValueError(
                f"NumpyRNG: seed={seed!r} is not allowed; numpy seeds must be in [0, 2**32).")
        self.rng = np.random.RandomState(self.seed)

    def _draw_basic(self, distribution, n, parameters):
        return self._samplers[distribution](self.rng, n, parameters)

    def _replay_state(self):
        # (a generator the user swapped for another kind has no state we know how to copy)
        return self.rng.get_state() if type(self.rng) is np.random.RandomState else None

    def _twin(self, state):
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.rng = np.random.RandomState()
        twin.rng.set_state(state)
        return twin


class GSLRNG(WrappedRNG):
    """Random number generator from the GNU Scientific Library, through ``pygsl``.

    Parameters
    ----------
    seed : int or None
        Seed; None uses the current time (in seconds).
    type : str
        Name of a GSL generator type available in ``pygsl.rng`` (e.g. 'mt19937',
        'ranlxd2', 'taus').
    parallel_safe : bool
        See the module docstring.

    Raises
    ------
    pyNN.errors.MissingPackageError
        If ``pygsl`` is not installed (an ImportError).

    Notes
    -----
    GSL has no von Mises distribution, so 'vonmises' raises NotSupportedError (a
    NotImplementedError).
    Unknown attributes are looked up on the wrapped GSL generator.
    """

    def __init__(self, seed=None, type="mt19937", parallel_safe=True):
        try:
            import pygsl.rng as gsl_rng
        except ImportError as err:
            raise errors.MissingPackageError(
                "GSLRNG needs the 'pygsl' package, which is not installed. Install it with "
                "'pip install pygsl', or use pyNN.random.NumpyRNG instead.", name="pygsl") from err
        if seed is None:
            seed = int(time.time())
        super().__init__(seed, parallel_safe)
        factory = getattr(gsl_rng, type, None)
        if not callable(factory):
            raise errors.InvalidParameterValueError(
                f"GSLRNG: type={type!r} is not a generator type known to pygsl.rng "
                f"(e.g. 'mt19937', 'ranlxd2', 'taus').")
        self.type = type
        self.rng = factory()
        self.rng.set(self.seed)

    def __repr__(self):
        return (f"GSLRNG(seed={self.seed!r}, type={self.type!r}, "
                f"parallel_safe={self.parallel_safe!r})")

    def _draw_basic(self, distribution, n, p):
        r = self.rng
        # pygsl's samplers take the GSL arguments followed by the number of values.
        if distribution == "uniform":
            values = r.flat(p["low"], p["high"], n)
        elif distribution == "uniform_int":
            # gsl_rng_uniform_int(r, m) gives [0, m-1]: shift to [low, high).
            values = int(p["low"]) + np.asarray(r.uniform_int(int(p["high"]) - int(p["low"]), n))
        elif distribution == "normal":
            values = p["mu"] + np.asarray(r.gaussian(p["sigma"], n))
        elif distribution == "lognormal":
            values = r.lognormal(p["mu"], p["sigma"], n)
        elif distribution == "gamma":
            values = r.gamma(p["k"], p["theta"], n)
        elif distribution == "exponential":
            values = r.exponential(p["beta"], n)
        elif distribution == "poisson":
            values = r.poisson(p["lambda_"], n)
        elif distribution == "binomial":
            values = r.binomial(p["p"], int(p["n"]), n)
        else:
            raise errors.NotSupportedError(
                f"GSLRNG cannot draw from the {distribution!r} distribution (GSL has no such "
                f"generator); use NumpyRNG for it.")
        # pygsl may return a plain scalar when asked for a single value.
        return np.atleast_1d(np.asarray(values))


class NativeRNG(AbstractRNG):
    """Marker RNG: "let the simulator draw these numbers with its own generator".

    Backends look at :attr:`is_native` (True) and, where they can, hand the
    distribution to the simulator instead of drawing in Python; a backend may subclass
    this to translate distributions.

    When the core itself has to draw (e.g. a backend that cannot), :meth:`next` falls
    back to a :class:`NumpyRNG` created on first use with the same seed, and other
    attribute look-ups (``permutation`` etc.) go to that fallback too.  Numbers drawn
    this way are therefore reproducible for a given seed, but they are not the numbers
    the simulator's own generator would have produced.

    Parameters
    ----------
    seed : int or None
        Seed for the simulator's generator (and for the numpy fallback).
    """

    is_native = True

    def __init__(self, seed=None, parallel_safe=True):
        super().__init__(seed, parallel_safe=parallel_safe)
        self._fallback = None

    def __repr__(self):
        return f"{type(self).__name__}(seed={self.seed!r})"

    @property
    def fallback(self):
        """The :class:`NumpyRNG` used when the core has to draw the numbers itself."""
        if self._fallback is None:
            self._fallback = NumpyRNG(seed=self.seed, parallel_safe=True)
        return self._fallback

    def next(self, n=None, distribution="uniform", parameters=None, mask=None, mask_local=None):
        """Draw with the numpy fallback generator; same arguments as :meth:`WrappedRNG.next`."""
        return self.fallback.next(n, distribution, parameters, _either_mask(mask, mask_local))

    def __getattr__(self, name):
        if name.startswith("__") or name in ("_fallback", "fallback", "seed"):
            # attribute-lookup protocol: hasattr()/getattr() need an AttributeError
            raise AttributeError(name)
        return getattr(self.fallback, name)


def _either_mask(mask, mask_local):
    """The mask given as `mask` or under PyNN's name `mask_local` (not both)."""
    if mask is not None and mask_local is not None:
        raise errors.InvalidParameterValueError("next(): give either mask or mask_local, not both")
    return mask_local if mask is None else mask


class RandomDistribution(VectorizedIterable):
    """A named probability distribution together with the RNG that samples it.

    Usable as a parameter value (one value drawn per cell or per connection) and as
    the base value of a :class:`lazyarray.larray`.

    Parameters
    ----------
    distribution : str
        One of the names in :data:`available_distributions`.
    parameters_pos : tuple or list, optional
        Parameter values in the order listed in :data:`available_distributions`.
    rng : AbstractRNG, optional
        Generator to draw from; default: a new, unseeded :class:`NumpyRNG`.
    **parameters_named
        Parameter values by name (instead of `parameters_pos`; giving both is an error).

    Attributes
    ----------
    name : str
        The distribution name.
    parameters : dict
        Parameter values by name, in canonical order.
    rng : AbstractRNG

    Raises
    ------
    ValueError
        If both positional and named parameters are given, if the distribution is
        unknown (:class:`~pyNN.errors.InvalidParameterValueError`) or a value is out
        of range.
    KeyError
        If a parameter name is wrong or a parameter is missing.

    Notes
    -----
    All parameters are required; there are no defaults.

    ==========================  ======================  ============================================
    name                        parameters              notes
    ==========================  ======================  ============================================
    binomial                    n, p                    number of successes in n trials
    gamma                       k, theta                shape k, scale theta (mean k*theta)
    exponential                 beta                    scale (mean) beta
    lognormal                   mu, sigma               exp of normal(mu, sigma)
    normal                      mu, sigma               mean, standard deviation
    normal_clipped              mu, sigma, low, high    values outside [low, high] are redrawn
    normal_clipped_to_boundary  mu, sigma, low, high    values outside [low, high] are clipped
    poisson                     ``lambda_``             mean ``lambda_``
    uniform                     low, high               continuous on [low, high)
    uniform_int                 low, high               integers on [low, high) (high excluded)
    vonmises                    mu, kappa               circular, on [-pi, pi]
    ==========================  ======================  ============================================

    **With lazyarray.**  This class derives from ``lazyarray.VectorizedIterable``, so a
    deep copy of an ``larray`` keeps a reference to the same distribution (and stream),
    and defines :meth:`lazily_evaluate`, which lazyarray calls as
    ``lazily_evaluate(addr, shape=full_shape)`` for partial evaluation and
    ``lazily_evaluate(shape=full_shape)`` for full evaluation.  With a parallel-safe RNG
    the values for the full shape are drawn and then indexed, so any part of the array
    is the same whichever process evaluates it.

    A deep copy of a RandomDistribution shares its RNG: copying a parameter set must not
    make two objects replay the same random numbers.

    Examples
    --------
    >>> rd = RandomDistribution('uniform', (-70.0, -50.0))
    >>> rd = RandomDistribution('normal', mu=0.5, sigma=0.1, rng=NumpyRNG(seed=8658764))
    >>> rd.next(4).shape
    (4,)
    """

    def __init__(self, distribution, parameters_pos=None, rng=None, **parameters_named):
        _check_distribution_name(distribution)
        if parameters_pos is not None and parameters_named:
            raise errors.InvalidParameterValueError(
                f"RandomDistribution({distribution!r}): give the parameters either positionally "
                f"({parameters_pos!r}) or by name ({_format_parameters(parameters_named)}), not both.")
        self.name = distribution
        given = parameters_pos if parameters_pos is not None else parameters_named
        self.parameters = _resolve_parameters(distribution, given)
        if rng is None:
            rng = NumpyRNG()
        elif not (isinstance(rng, AbstractRNG) or callable(getattr(rng, "next", None))):
            raise errors.InvalidTypeError(
                f"RandomDistribution: rng={rng!r} is not allowed; it must be a pyNN.random RNG "
                f"such as NumpyRNG, GSLRNG or NativeRNG.")
        self.rng = rng

    def next(self, n=None, mask=None, mask_local=None):
        """Draw values.

        Parameters
        ----------
        n : int or None
            Number of values for the whole model (None: a single scalar).
        mask : bool array, index array, slice or None
            Which of the `n` values are wanted (see :meth:`WrappedRNG.next`).
        mask_local : same as `mask`
            PyNN's name for `mask`.
        """
        return self.rng.next(n=n, distribution=self.name, parameters=self.parameters,
                             mask=_either_mask(mask, mask_local))

    def next_replayable(self, n):
        """Draw `n` values (as :meth:`next`) and say how to draw them again.

        Returns
        -------
        (numpy.ndarray, Replay or None)
            The values, and a :class:`Replay` that draws the very same values again without
            touching this distribution's generator, or None when the generator cannot be
            replayed (only :class:`NumpyRNG` can).
        """
        state = self.rng._replay_state()
        values = self.next(n)
        if state is None:
            return values, None
        return values, Replay(self.rng, state, self.name, dict(self.parameters), n)

    def lazily_evaluate(self, mask=None, shape=None):
        """Return an array of values for the array `shape`, or the part `mask` of it.

        Parameters
        ----------
        mask : index expression, optional
            Anything that indexes a numpy array of `shape` (int, slice, bool array,
            integer array or a tuple of those), as passed by lazyarray.
        shape : tuple of int
            The full shape of the array being evaluated.

        Returns
        -------
        numpy.ndarray or scalar
            ``full[mask]``, where ``full`` has shape `shape`.  If the RNG is parallel
            safe the whole ``full`` is drawn and then indexed; otherwise only the
            selected number of values is drawn.
        """
        if shape is None:
            if mask is None:
                return self.next()
            raise errors.InvalidParameterValueError(
                f"RandomDistribution({self.name!r}).lazily_evaluate(): mask={mask!r} needs the full "
                f"shape of the array; shape is None.")
        shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)
        size = math.prod(shape)
        if mask is None:
            return self.next(size).reshape(shape)
        if getattr(self.rng, "parallel_safe", True):
            return self.next(size).reshape(shape)[mask]
        # Work out the shape of the selection on a zero-stride view: no full-size allocation.
        selected_shape = np.broadcast_to(np.int8(0), shape)[mask].shape
        values = self.next(math.prod(selected_shape))
        return values.reshape(selected_shape) if selected_shape else values[0]

    def __deepcopy__(self, memo):
        obj = type(self).__new__(type(self))
        memo[id(self)] = obj
        for key, value in self.__dict__.items():
            # The RNG is a stream, not a value: share it (see the class docstring).
            obj.__dict__[key] = value if key == "rng" else deepcopy(value, memo)
        return obj

    def __repr__(self):
        return f"RandomDistribution({self.name!r}, {_format_parameters(self.parameters)}, rng={self.rng!r})"

    __str__ = __repr__


class Replay:
    """How to draw one block of random values again, bit for bit.

    Holds the state the generator had before the block was drawn (about 2.5 kB for a
    Mersenne Twister) instead of the values: a caller that needs the values only now and
    then keeps this and calls it when it does. The generator itself is not touched.
    """

    __slots__ = ("distribution", "n", "parameters", "rng", "state")

    def __init__(self, rng, state, distribution, parameters, n):
        self.rng = rng
        self.state = state
        self.distribution = distribution
        self.parameters = parameters
        self.n = n

    def __call__(self):
        """The `n` values, exactly as drawn the first time."""
        return self.rng._twin(self.state).next(self.n, self.distribution, self.parameters)
