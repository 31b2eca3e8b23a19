"""Connectors: decide which cells are connected, as index arrays, generated with numpy.

Every connector yields chunks of ``(pre_indices, post_indices, values)`` whose
memory is bounded (a block of postsynaptic cells at a time), ordered by post index
then pre index, and drawn from the connector's RNG, so the same seed gives the same
network on every backend. The projection evaluates the synapse type's parameters for
each chunk with :func:`evaluate_synapse_values`.
"""

import contextlib
import itertools
import numbers
import os

import numpy as np
from lazyarray import larray

from pyNN import descriptions, errors, keyed_random
from pyNN import memory
from pyNN.core import IndexBasedExpression, index_dtype, missing_hook, sorted_by_post_then_pre
from pyNN.memory import check_connection_memory
from pyNN.random import NumpyRNG, RandomDistribution

#: PyNN's fixed default seed for connectors without an rng: reproducible connectivity
DEFAULT_CONNECTOR_SEED = 151985012

#: upper bound on the number of (pre, post) candidate pairs handled at once (a block's
#: temporaries, e.g. 8 MB of uniform draws, stay small next to the connections themselves)
_BLOCK_ELEMENTS = 1_000_000

#: names usable in distance expressions such as "exp(-d**2/400.0)"
_EXPRESSION_NAMESPACE = {name: getattr(np, name) for name in (
    "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "arcsinh", "arccosh", "arctanh", "abs", "minimum", "maximum", "where", "floor", "ceil",
    "fabs", "power", "pi", "e")}
_EXPRESSION_NAMESPACE["__builtins__"] = {}


def distance_expression(expression, owner):
    """Compile a string expression in the distance ``d`` into a vectorised function."""
    try:
        code = compile(expression, "<distance expression>", "eval")
    except SyntaxError as exc:
        raise errors.InvalidParameterValueError(
            f"{owner}: {expression!r} is not a valid expression in the distance 'd' ({exc.msg})") from exc
    unknown = [n for n in code.co_names if n != "d" and n not in _EXPRESSION_NAMESPACE]
    if unknown:
        raise errors.InvalidParameterValueError(
            f"{owner}: expression {expression!r} uses unknown name(s) {unknown}; it may only use 'd' and "
            f"numpy functions such as exp, sqrt, log, sin, cos, abs, minimum, maximum")

    def f(d):
        return eval(code, _EXPRESSION_NAMESPACE, {"d": d})
    f.expression = expression
    return f


def _pair_distances(projection, pre, post):
    space = projection.space
    pre_pos = projection.pre.positions
    post_pos = projection.post.positions
    dist = space.distance_generator(lambda i: pre_pos[:, i], lambda j: post_pos[:, j])
    return dist(pre, post)


def evaluate_synapse_values(projection, pre, post, connector_values, overrides=None, replays=None):
    """Synaptic parameter values for the connections (pre[k], post[k]).

    Values come from `connector_values` (e.g. FromList columns) first, else from the
    projection's synapse type. Homogeneous values stay scalars. Given a dict `replays`, the
    function puts in it, for each parameter drawn from a RandomDistribution whose generator
    can be replayed, the :class:`pyNN.random.Replay` that draws the same values again.
    """
    ps = projection.synapse_type.parameter_space
    names = list(overrides) if overrides is not None else list(ps.keys())
    out = {}
    n = len(pre)
    for name in names:
        if name in connector_values:
            out[name] = np.asarray(connector_values[name], dtype=float)
            continue
        value = overrides[name] if overrides is not None else ps[name]
        distribution = _distribution_of(value)
        if replays is not None and distribution is not None and n:
            drawn, replay = distribution.next_replayable(n)
            out[name] = np.asarray(drawn, dtype=float).reshape(-1)
            if replay is not None:
                replays[name] = replay
            continue
        out[name] = _evaluate(value, name, projection, pre, post, n)
    if overrides is None:
        for name, value in connector_values.items():
            out.setdefault(name, np.asarray(value, dtype=float))
    return out


def _distribution_of(value):
    """The RandomDistribution a parameter value is (directly or as a lazy array without
    operations), or None."""
    if isinstance(value, larray) and not value.operations:
        value = value.base_value
    return value if isinstance(value, RandomDistribution) else None


def _evaluate(value, name, projection, pre, post, n):
    owner = f"Projection '{projection.label}', parameter '{name}'"
    if isinstance(value, larray):
        base = value.base_value
        if not value.operations:
            value = base
        elif isinstance(base, numbers.Number):
            return float(value.evaluate(simplify=True)) if value.is_homogeneous else value.evaluate()
    if value is None:
        return None
    if isinstance(value, numbers.Number):
        return float(value)
    if isinstance(value, RandomDistribution):
        return np.asarray(value.next(n), dtype=float).reshape(-1) if n else np.zeros(0)
    if isinstance(value, str):
        f = distance_expression(value, owner)
        return _checked_array(f(_pair_distances(projection, pre, post)), n, owner)
    if isinstance(value, IndexBasedExpression):
        value.projection = projection
        return _checked_array(value(pre, post), n, owner)
    if callable(value):
        return _checked_array(value(_pair_distances(projection, pre, post)), n, owner)
    arr = _float_array(value, owner)
    if arr.ndim == 0:
        return float(arr)
    if arr.shape == projection.shape:
        return arr[pre, post]
    if arr.ndim == 1 and arr.size == n:
        return arr
    raise errors.InvalidDimensionsError(
        f"{owner}: an array of synaptic values must have shape {projection.shape} (n_pre, n_post), "
        f"got {arr.shape}")


def _float_array(values, owner):
    """`values` as an array of floats; a ragged or non-numeric value is a pyNN error naming the
    projection and the parameter (not numpy's)."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        shown = repr(values)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise errors.InvalidParameterValueError(
            f"{owner}: {shown} is not a number, an array of numbers of shape (n_pre, n_post) or "
            "(number of connections,), a RandomDistribution, a distance expression or a function "
            "of distance") from None


def _checked_array(values, n, owner):
    arr = _float_array(values, owner)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise errors.InvalidDimensionsError(f"{owner}: expression gave shape {arr.shape}, expected ({n},)")
    return arr


def _post_blocks(n_pre, n_post):
    """Slices of postsynaptic cells such that n_pre * block stays bounded."""
    block = max(1, _BLOCK_ELEMENTS // max(n_pre, 1))
    for start in range(0, n_post, block):
        yield start, min(n_post, start + block)


def _world(projection):
    """The MPI processes of a distributed run (None in a one-process run)."""
    return getattr(projection._simulator.state, "world", None)


def _generated_post_blocks(connector, projection, width):
    """Blocks of postsynaptic indices to generate connections onto, as ``(posts, stop)``
    (an index array and the progress in post cells), such that ``block * width`` (numbers
    drawn per postsynaptic cell, usually n_pre) stays bounded: every cell in one process; in a
    distributed run, for a connector that generates per postsynaptic cell, only this
    process's cells, cut at the same block boundaries as in one process."""
    n_post = projection.post.size
    local = _local_posts(connector, projection)
    if local is not None:
        local = np.flatnonzero(local)
    for start, stop in _post_blocks(width, n_post):
        if local is None:
            yield np.arange(start, stop), stop
        else:
            yield local[np.searchsorted(local, start):np.searchsorted(local, stop)], stop


def _pre_share(connector, projection):
    """``(first, stop)``: the presynaptic cells whose connections this process generates. Every
    cell in one process; in a distributed run, for a connector that generates per presynaptic
    cell (``_generates_pre_share``), a contiguous share of them, the shares in rank order
    (``_gathered`` relies on that order) and of sizes that differ by one at most."""
    n_pre = projection.pre.size
    world = _world(projection)
    if world is None or not connector._generates_pre_share:
        return 0, n_pre
    return n_pre * world.rank // world.size, n_pre * (world.rank + 1) // world.size


def _local_posts(connector, projection):
    """Boolean mask of this process's postsynaptic cells, for a connector that generates only
    the connections onto them in a distributed run; None (every cell) otherwise."""
    if connector._generates_local_posts and _world(projection) is not None:
        return projection.post._local
    return None


def _gathered(projection, world, chunks, connector):
    """Join the chunks that every process generated for its own postsynaptic cells and hand
    them on in the blocks of postsynaptic cells a one-process run would use, so that the
    synapse type's random values are drawn in the same order and amounts as in one process.

    Each process sends its connections cut at those blocks, with indices of the
    projection's narrow index types, and each block's pieces are let go once the block is
    handed on: the exchanged connections exist about once on a process, beside what the
    projection keeps of them (not as received parts, their concatenation and a sorted copy)."""
    n_pre, n_post = projection.shape

    def block_edges():
        # (known once the chunks are generated: a connector may size its blocks by what it drew)
        return list(_post_blocks(connector._block_width or n_pre, n_post))

    failure = None
    try:
        mine, blocks = _cut_at_blocks(chunks, block_edges, index_dtype(n_pre), index_dtype(n_post))
    except errors.PyNNError as exc:
        # (e.g. a probability outside [0, 1] for this process's cells only): every process
        # must hear of it, or the others would wait for this one forever
        failure, mine = exc, None
    parts = world.allgather(mine if failure is None else f"{type(failure).__name__}: {failure}")
    del mine
    if failure is not None:
        raise failure
    failed = [(rank, part) for rank, part in enumerate(parts) if isinstance(part, str)]
    if failed:
        rank, message = failed[0]
        raise errors.ConnectionError(f"Projection '{projection.label}': generating the connections failed on "
                                     f"MPI rank {rank}: {message}")
    # (a process may have read no row of a file, so not give every value)
    names = sorted(set().union(*(piece[2] for part in parts for piece in part)))
    for k, (_, stop) in enumerate(blocks):
        pieces = [part[k] for part in parts]
        for part in parts:
            part[k] = None  # (let the block go once it is handed on)
        pre = np.concatenate([piece[0] for piece in pieces])
        post = np.concatenate([piece[1] for piece in pieces])
        values = {n: np.concatenate([piece[2].get(n, np.full(len(piece[0]), np.nan)) for piece in pieces])
                  for n in names}
        del pieces
        # every process's piece is in (post, pre) order, and a post cell's connections come
        # from one process only (connectors generating per post cell) or from the processes'
        # shares of presynaptic cells in rank order (_pre_share): either way a stable sort by
        # post gives the one-process order
        order = np.argsort(post, kind="stable")
        yield stop / max(n_post, 1), (pre[order], post[order], {n: v[order] for n, v in values.items()})


def _cut_at_blocks(chunks, blocks_of, pre_dtype, post_dtype):
    """This process's connections, from `chunks` (in (post, pre) order), as one piece
    ``(pre, post, values)`` per block ``(start, stop)`` of postsynaptic cells; the blocks
    (``blocks_of()``, asked once the chunks are consumed) are returned too."""
    pre_parts, post_parts, value_parts = [], [], []
    for _, (pre, post, values) in chunks:
        pre_parts.append(np.asarray(pre).astype(pre_dtype, copy=False))
        post_parts.append(np.asarray(post).astype(post_dtype, copy=False))
        value_parts.append(values)
    names = sorted(value_parts[0]) if value_parts else []
    pre = _joined(pre_parts).astype(pre_dtype, copy=False)
    post = _joined(post_parts).astype(post_dtype, copy=False)
    values = {n: _joined([np.broadcast_to(np.asarray(v[n], dtype=float), p.shape)
                          for v, p in zip(value_parts, pre_parts)]) for n in names}
    del pre_parts, post_parts, value_parts
    blocks = blocks_of()
    edges = np.searchsorted(post, [start for start, _ in blocks] + [blocks[-1][1] if blocks else 0])
    # (views: a view pickles its own elements only)
    return [(pre[a:b], post[a:b], {n: v[a:b] for n, v in values.items()})
            for a, b in itertools.pairwise(edges)], blocks


def _joined(parts):
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _same_cells(projection, pre, post):
    """Boolean array: is pre[k] the same cell as post[k]?"""
    return projection.pre._ids[pre] == projection.post._ids[post]


def _may_have_self(projection):
    a, b = projection.pre._ids, projection.post._ids
    return a.size and b.size and a.max() >= b.min() and b.max() >= a.min() and \
        np.intersect1d(a, b, assume_unique=False).size > 0


def _without_mutual(projection, chunks):
    """allow_self_connections='NoMutual': no self-connections, and of two cells connected
    both ways only the connection from the cell with the lower id is kept. Needs every
    connection at once, so the chunks are gathered first."""
    gathered = list(chunks)
    if not gathered:
        return
    pre_ids = np.concatenate([projection.pre._ids[c[1][0]] for c in gathered])
    post_ids = np.concatenate([projection.post._ids[c[1][1]] for c in gathered])
    key = pre_ids * (2 ** 31) + post_ids
    reverse = post_ids * (2 ** 31) + pre_ids
    drop = (pre_ids == post_ids) | (np.isin(reverse, key) & (pre_ids > post_ids))
    start = 0
    for fraction, (pre, post, values) in gathered:
        n = len(pre)
        keep = ~drop[start:start + n]
        start += n
        kept = {k: (v[keep] if isinstance(v, np.ndarray) and v.ndim else v) for k, v in values.items()}
        yield fraction, (pre[keep], post[keep], kept)


class Connector:
    """Base class of connectors.

    Parameters
    ----------
    safe : bool
        Check weights and delays (always done by this library; kept for compatibility).
    callback : callable, optional
        Called with the fraction of work done (0..1) as connections are generated.
    location_selector : optional
        Only meaningful for multicompartment cells; must be None for point neurons.
    """

    parameter_names = ()
    #: numbers drawn per postsynaptic cell that sized the blocks of the last generate(), when
    #: not n_pre (set by generate(); the exchange between processes cuts at the same blocks)
    _block_width = None
    #: True if generate() yields index and value arrays that it neither keeps nor reuses, so
    #: that the projection may keep them as they are instead of copying them
    _hands_over_chunks = False
    #: True if generate() can make the connections onto any subset of the postsynaptic cells
    #: alone (see _generated_post_blocks), the same as when it makes them all
    _generates_local_posts = False
    #: True if generate() makes, in a distributed run, only the connections of this process's
    #: share of the presynaptic cells (see _pre_share), the same as when it makes them all
    _generates_pre_share = False

    def __init__(self, safe=True, callback=None, location_selector=None):
        self.safe = safe
        self.callback = callback
        if location_selector is not None:
            raise errors.NotSupportedError(
                f"{type(self).__name__}: location_selector={location_selector!r} is only meaningful for "
                f"multicompartment neurons, which this library does not support yet; leave it None")
        self.location_selector = location_selector

    def connect(self, projection):
        """Generate the connections and hand them, chunk by chunk, to `projection`.

        In a distributed run a connector that generates per postsynaptic cell
        (`_generates_local_posts`) makes only the connections onto this process's cells, one
        that generates per presynaptic cell (`_generates_pre_share`) only those of its share of
        the presynaptic cells; the processes then exchange them, so that every process keeps
        the whole projection."""
        chunks = self._chunks_with_progress(projection)
        world = _world(projection)
        if world is not None and (self._generates_local_posts or self._generates_pre_share):
            chunks = _gathered(projection, world, chunks, self)
        if getattr(self, "allow_self_connections", True) == "NoMutual":
            chunks = _without_mutual(projection, chunks)
        for fraction, (pre, post, values) in chunks:
            projection._add_connections(pre, post, values, owned=self._hands_over_chunks)
            if self.callback is not None:
                self.callback(fraction)
        projection._finish_connections()

    def _chunks_with_progress(self, projection):
        n_post = max(projection.post.size, 1)
        for pre, post, values, done in self.generate(projection):
            yield done / n_post, (pre, post, values)

    def generate(self, projection):
        """Yield ``(pre, post, values, n_post_done)`` chunks."""
        raise missing_hook(self, "generate")

    def expected_size(self, projection):
        """The number of connections this connector will make (an expected value for random
        connectors), or None when it cannot be told without generating them."""
        return None

    def check_size(self, projection):
        """Refuse, before generating anything, a request that cannot fit in memory."""
        n = self.expected_size(projection)
        if n:
            check_connection_memory(n, f"Projection '{projection.label}'", type(self).__name__)

    def get_parameters(self):
        """Return a dict of the connector's parameter names and values."""
        return {name: getattr(self, name) for name in self.parameter_names}

    def weight_hint(self):
        """Weights this connector supplies itself (to guess the receptor), or None."""
        return None

    def describe(self, template="connector_default.txt", engine="default"):
        """Human-readable description of the connector; a dict when `template` is None."""
        context = {"name": type(self).__name__, "parameters": self.get_parameters()}
        return descriptions.render(engine, template, context, builtin=descriptions.call_text)

    def _rng(self, rng):
        if rng is None:
            return NumpyRNG(seed=DEFAULT_CONNECTOR_SEED)
        if getattr(rng, "is_native", False) and hasattr(rng, "fallback"):
            return rng.fallback() if callable(rng.fallback) else rng.fallback
        return rng


def _check_self_connections(value, owner):
    if value not in (True, False, "NoMutual"):
        raise errors.InvalidParameterValueError(
            f"{owner}: allow_self_connections must be True, False or 'NoMutual', got {value!r}")
    return value


class _MatrixConnector(Connector):
    """Connectors that decide, for each block of post cells, which (pre, post) pairs of
    the block matrix are connected."""

    allow_self_connections = True
    _generates_local_posts = True

    #: cells of each side sampled to estimate the size of a probabilistic connector
    SIZE_SAMPLE = 64

    def _probabilities(self, projection, pre, post):
        """(len(post), len(pre)) matrix of connection probabilities of the cells at indices
        `pre` and `post`, for connectors whose probability is a function (else None)."""
        return None

    def expected_size(self, projection):
        """For a probability that is a function of the pair: when even every pair could not
        be stored, the expected number from a sample of SIZE_SAMPLE x SIZE_SAMPLE pairs,
        lowered by three standard errors (so only a request that clearly cannot fit is
        refused). Pairs are sampled with a private generator: the connector's RNG draws the
        same network as without the check."""
        n_pre, n_post = projection.pre.size, projection.post.size
        available = memory.available_memory()
        if available is None or float(n_pre) * n_post * memory.MIN_BYTES_PER_CONNECTION <= available:
            return None  # every pair fits: nothing to estimate
        sampler = np.random.default_rng(12345)
        pre = np.sort(sampler.choice(n_pre, min(self.SIZE_SAMPLE, n_pre), replace=False))
        post = np.sort(sampler.choice(n_post, min(self.SIZE_SAMPLE, n_post), replace=False))
        p = self._probabilities(projection, pre, post)
        if p is None or not p.size:
            return None
        lower = max(float(p.mean()) - 3.0 * float(p.std()) / np.sqrt(p.size), 0.0)
        return lower * n_pre * n_post

    def _block_connections(self, projection, key, posts):
        """(row positions in `posts`, pre indices) of the connections onto the cells at
        indices `posts`, in row-major order. By default from the block's probability matrix."""
        p = self._probabilities(projection, np.arange(projection.pre.size), posts)
        self._check_block(p, projection)
        draws = keyed_random.uniform(key, posts, 0, projection.pre.size)
        return np.nonzero(draws < p)

    def _check_block(self, p, projection):
        """Refuse probabilities outside [0, 1]."""

    def generate(self, projection):
        n_pre = projection.pre.size
        check_self = self.allow_self_connections is not True and _may_have_self(projection)
        key = self._stream_key()
        for posts, stop in _generated_post_blocks(self, projection, n_pre):
            rows, pre = self._block_connections(projection, key, posts)
            post = posts[rows]
            if check_self:
                keep = ~_same_cells(projection, pre, post)
                pre, post = pre[keep], post[keep]
            yield pre, post, {}, stop

    def _stream_key(self):
        """The key of this connection's random numbers (drawn from the connector's RNG)."""
        rng = getattr(self, "rng", None)
        return None if rng is None else keyed_random.stream_key(rng)


class AllToAllConnector(_MatrixConnector):
    """Connect every presynaptic cell to every postsynaptic cell."""

    parameter_names = ("allow_self_connections",)

    def __init__(self, allow_self_connections=True, location_selector=None, safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        self.allow_self_connections = _check_self_connections(allow_self_connections, "AllToAllConnector")

    def _block_connections(self, projection, key, posts):
        n_pre = projection.pre.size
        return np.repeat(np.arange(posts.size), n_pre), np.tile(np.arange(n_pre), posts.size)

    def expected_size(self, projection):
        return float(projection.pre.size) * projection.post.size


class FixedProbabilityConnector(_MatrixConnector):
    """Connect each (pre, post) pair independently with probability `p_connect`."""

    parameter_names = ("p_connect", "allow_self_connections")

    def __init__(self, p_connect, allow_self_connections=True, location_selector=None, rng=None,
                 safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        if not isinstance(p_connect, numbers.Real) or not 0 <= p_connect <= 1:
            raise errors.InvalidParameterValueError(
                f"FixedProbabilityConnector: p_connect={p_connect!r} must be a probability in [0, 1]")
        self.p_connect = float(p_connect)
        self.allow_self_connections = _check_self_connections(allow_self_connections,
                                                              "FixedProbabilityConnector")
        self.rng = self._rng(rng)

    def expected_size(self, projection):
        return self.p_connect * projection.pre.size * projection.post.size

    def _block_connections(self, projection, key, posts):
        return keyed_random.bernoulli(key, posts, projection.pre.size, self.p_connect)


class DistanceDependentProbabilityConnector(_MatrixConnector):
    """Connect each pair with a probability given by a function of their distance.

    Parameters
    ----------
    d_expression : str or callable
        E.g. ``"exp(-d**2/400.0)"``, in the distance ``d`` given by the projection's Space.
    """

    parameter_names = ("d_expression", "allow_self_connections")

    def __init__(self, d_expression, allow_self_connections=True, location_selector=None, rng=None,
                 safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        owner = "DistanceDependentProbabilityConnector"
        if isinstance(d_expression, str):
            self._f = distance_expression(d_expression, owner)
        elif callable(d_expression):
            self._f = d_expression
        else:
            raise errors.InvalidParameterValueError(
                f"{owner}: d_expression must be a string in 'd' or a callable, got {d_expression!r}")
        probe = np.asarray(self._f(np.array([0.0, 1.0, 1e12])), dtype=float)
        if np.any(probe < 0) or np.any(np.isnan(probe)):
            raise errors.InvalidParameterValueError(
                f"{owner}: d_expression {d_expression!r} gives negative or NaN probabilities "
                f"(at d = 0, 1, 1e12: {probe.tolist()})")
        self.d_expression = d_expression
        self.allow_self_connections = _check_self_connections(allow_self_connections, owner)
        self.rng = self._rng(rng)

    def _probabilities(self, projection, pre, post):
        d = projection.space.distances(projection.pre.positions[:, pre],
                                       projection.post.positions[:, post]).T  # (post, pre)
        p = np.asarray(self._f(d), dtype=float)
        return np.broadcast_to(p, d.shape) if p.shape != d.shape else p

    def _check_block(self, p, projection):
        if p.size and (p.min() < 0 or p.max() > 1 or np.isnan(p).any()):
            raise errors.InvalidParameterValueError(
                f"Projection '{projection.label}': DistanceDependentProbabilityConnector expression "
                f"{self.d_expression!r} gives probabilities outside [0, 1] "
                f"(min {np.nanmin(p):g}, max {np.nanmax(p):g})")


class OneToOneConnector(Connector):
    """Connect cell i of the presynaptic group to cell i of the postsynaptic group."""

    def __init__(self, location_selector=None, safe=True, callback=None):
        super().__init__(safe, callback, location_selector)

    def generate(self, projection):
        if projection.pre.size != projection.post.size:
            raise errors.InvalidDimensionsError(
                f"OneToOneConnector needs pre and post of the same size; Projection "
                f"'{projection.label}' has {projection.pre.size} and {projection.post.size} cells")
        idx = np.arange(projection.pre.size)
        yield idx, idx, {}, projection.post.size

    def expected_size(self, projection):
        return float(projection.pre.size)


#: a lower bound of the mean of the distributions that give counts, from their parameters
_COUNT_MEANS = {
    "binomial": lambda p: p["n"] * p["p"],
    "poisson": lambda p: p["lambda_"],
    "uniform_int": lambda p: p["low"],  # (the lowest value: a bound whatever the upper end means)
}


def _mean_count(n):
    """Connections per cell for an int `n`, or (a lower bound of) the mean of a binomial,
    Poisson or uniform_int RandomDistribution; 0 (no up-front check) for any other
    distribution, whose mean is not known without drawing."""
    if isinstance(n, numbers.Integral):
        return float(n)
    mean = _COUNT_MEANS.get(getattr(n, "name", None))
    try:
        return max(float(mean(n.parameters)), 0.0) if mean is not None else 0.0
    except (KeyError, TypeError, ValueError):  # parameters not plain numbers: no estimate
        return 0.0


def _draw_n(n, count, rng, owner):
    """Per-cell numbers of connections from an int or a RandomDistribution."""
    if isinstance(n, RandomDistribution):
        values = np.asarray(n.next(count), dtype=float).reshape(-1)
        if np.any(values < 0) or np.any(values != np.round(values)):
            raise errors.InvalidParameterValueError(
                f"{owner}: the distribution for n gave values that are not non-negative integers")
        return values.astype(np.int64)
    if not isinstance(n, numbers.Integral) or n < 0:
        raise errors.InvalidParameterValueError(f"{owner}: n must be an int >= 0 or a RandomDistribution, "
                                                f"got {n!r}")
    return np.full(count, int(n), dtype=np.int64)


def _available(n_cand, forbidden_col_of_row):
    """Number of candidates of each row (one fewer where a self-connection is excluded)."""
    return n_cand - (0 if forbidden_col_of_row is None else (forbidden_col_of_row >= 0).astype(np.int64))


def _check_counts(n_cand, counts, forbidden_col_of_row, owner):
    """A row that must take connections needs at least one candidate. (More connections than
    candidates are fine: without replacement every candidate is taken once before any twice,
    as PyNN documents.)"""
    available = np.broadcast_to(_available(n_cand, forbidden_col_of_row), np.shape(counts))
    bad = (counts > 0) & (available == 0)
    if np.any(bad):
        k = int(np.argmax(bad))
        raise errors.ConnectionError(
            f"{owner}: cell {k} must get {int(counts[k])} connection(s) but has no cell to connect "
            f"to (self-connections are not allowed)")


def _choose_full_rounds(key, rows, n_cand, counts, forbidden_col_of_row):
    """Without replacement and with more connections than candidates: each row takes every
    candidate counts // available times, then counts % available distinct ones at random;
    returns ``(row_indices, cols)`` ordered by row, then column (as _choose_rows)."""
    f = None if forbidden_col_of_row is None else forbidden_col_of_row[rows]
    available = np.broadcast_to(_available(n_cand, f), rows.shape)
    rounds = counts[rows] // np.maximum(available, 1)
    remainder = counts.copy()
    remainder[rows] = counts[rows] - rounds * available
    r_rest, c_rest = _choose_rows(key, rows, n_cand, remainder, False, forbidden_col_of_row)
    allowed = np.ones((rows.size, n_cand), dtype=bool)
    if f is not None:
        r = np.flatnonzero(f >= 0)
        allowed[r, f[r]] = False
    rr, cc = np.nonzero(allowed)
    r_full, c_full = np.repeat(rows[rr], rounds[rr]), np.repeat(cc, rounds[rr])
    r_all, c_all = np.concatenate([r_full, r_rest]), np.concatenate([c_full, c_rest])
    order = np.lexsort((c_all, r_all))
    return r_all[order], c_all[order].astype(np.int64, copy=False)


def _choose_rows(key, rows, n_cand, counts, replace, forbidden_col_of_row):
    """For each row in `rows` (global indices) choose counts[row] column indices among n_cand
    candidates, from the keyed stream `key` (the choice of a row depends on the row alone).

    Returns ``(row_indices, cols)`` ordered by row and, within a row, by column.
    `forbidden_col_of_row` (array, -1 for none) excludes one candidate per row
    (self-connections). Without replacement the choice is the counts[row] smallest of
    n_cand uniform keys per row; with replacement each choice is one uniform number.
    """
    c = counts[rows]
    kmax = int(c.max()) if c.size else 0
    if kmax == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    f = None if forbidden_col_of_row is None else forbidden_col_of_row[rows]
    if not replace and np.any(c > _available(n_cand, f)):
        return _choose_full_rounds(key, rows, n_cand, counts, forbidden_col_of_row)
    if replace:
        n_allowed = np.full(rows.size, float(n_cand)) if f is None else n_cand - (f >= 0).astype(float)
        u = keyed_random.uniform(key, rows, 0, kmax)
        u *= n_allowed[:, np.newaxis]
        part = np.minimum(u.astype(np.int64), n_cand - 1)
        if f is not None:  # skip the forbidden candidate
            part += (f[:, np.newaxis] >= 0) & (part >= f[:, np.newaxis])
    else:
        keys = keyed_random.uniform(key, rows, 0, n_cand)
        if f is not None:
            r = np.flatnonzero(f >= 0)
            keys[r, f[r]] = np.inf
        if kmax < n_cand:
            part = np.argpartition(keys, kmax - 1, axis=1)[:, :kmax]
            if c.min() < kmax:
                # order the kmax smallest keys of each row so the first counts[row] are a random
                # subset (when every row takes all kmax, which ones is already decided)
                part_keys = np.take_along_axis(keys, part, axis=1)
                part = np.take_along_axis(part, np.argsort(part_keys, axis=1), axis=1)
        else:
            part = np.argsort(keys, axis=1)
        del keys
    take = np.arange(kmax)[np.newaxis, :] < c[:, np.newaxis]
    # sort the chosen columns within each row (unchosen slots get n_cand and sort last), so
    # that the row-major order of `take` gives (row, col) order without a global sort
    part = np.where(take, part, n_cand)
    part.sort(axis=1)
    return rows[np.nonzero(take)[0]], part[take].astype(np.int64, copy=False)


def _forbidden_columns(projection, allow_self_connections, rows_from, cols_from):
    """For each cell of `rows_from`, the index in `cols_from` of the same cell (or -1); None
    when self-connections are allowed or the two groups share no cell."""
    if allow_self_connections is True or not _may_have_self(projection):
        return None
    col_ids = cols_from._ids
    row_ids = rows_from._ids
    order = np.argsort(col_ids, kind="stable")  # an Assembly's ids need not be sorted
    sorted_ids = col_ids[order]
    pos_c = np.minimum(np.searchsorted(sorted_ids, row_ids), col_ids.size - 1)
    return np.where(sorted_ids[pos_c] == row_ids, order[pos_c], -1)


def _drawn_per_row(n_cand, counts, replace):
    """Numbers _choose_rows draws per row: one per chosen column with replacement (the
    largest count), one key per candidate without."""
    if replace:
        return max(int(counts.max()) if counts.size else 0, 1)
    return n_cand


def _chosen_per_post(connector, projection, key, counts, forbidden):
    """``(pre, post, {}, stop)`` chunks: counts[j] presynaptic cells chosen for each
    postsynaptic cell j (of this process, in a distributed run), from the keyed stream `key`,
    one block of postsynaptic cells at a time, so that no array of every connection exists at
    once (Connector.connect keeps the last chunk alive while the simulator connects)."""
    n_pre, n_post = projection.shape
    # a block holds as many post cells as keep its draws bounded: n_pre keys per cell without
    # replacement, but only the cell's own count with it (at 100,000 cells with 100 inputs
    # each, blocks of 10,000 cells instead of 10: 10 chunks instead of 10,000, each with the
    # projection's fixed cost per chunk)
    width = _drawn_per_row(n_pre, counts, connector.with_replacement)
    connector._block_width = width
    done = False
    for posts, stop in _generated_post_blocks(connector, projection, width):
        post, pre = _choose_rows(key, posts, n_pre, counts, connector.with_replacement, forbidden)
        done = True
        yield pre, post, {}, stop
    if not done:
        yield np.zeros(0, np.int64), np.zeros(0, np.int64), {}, n_post


class FixedNumberPreConnector(Connector):
    """Each postsynaptic cell receives connections from `n` presynaptic cells chosen at random.

    Parameters
    ----------
    n : int or RandomDistribution
        Number of incoming connections per postsynaptic cell.
    with_replacement : bool
        If True a presynaptic cell may be chosen more than once. If False (default), a cell
        is chosen again only once every candidate has been chosen: with `n` larger than the
        number of candidates, each gets ``n // candidates`` connections and ``n % candidates``
        of them, chosen at random, one more (as PyNN).
    """

    parameter_names = ("n", "allow_self_connections", "with_replacement")
    _generates_local_posts = True

    def __init__(self, n, allow_self_connections=True, with_replacement=False, location_selector=None,
                 rng=None, safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        self.n = n
        self.allow_self_connections = _check_self_connections(allow_self_connections, type(self).__name__)
        self.with_replacement = with_replacement
        self.rng = self._rng(rng)
        _draw_n(n, 0, self.rng, type(self).__name__)  # validate early

    def expected_size(self, projection):
        return _mean_count(self.n) * projection.post.size

    def generate(self, projection):
        owner = f"Projection '{projection.label}' ({type(self).__name__})"
        n_pre, n_post = projection.shape
        counts = _draw_n(self.n, n_post, self.rng, owner)
        forbidden = _forbidden_columns(projection, self.allow_self_connections, projection.post, projection.pre)
        _check_counts(n_pre, counts, forbidden, owner)
        key = keyed_random.stream_key(self.rng)
        yield from _chosen_per_post(self, projection, key, counts, forbidden)


class FixedNumberPostConnector(FixedNumberPreConnector):
    """Each presynaptic cell makes connections onto `n` postsynaptic cells chosen at random.

    The choice of a presynaptic cell spans every postsynaptic cell, so in a distributed run
    the work is divided by presynaptic cells: each process draws the choices of its share of
    them (a contiguous range, ``_pre_share``) from the keyed stream of each cell, and the
    processes exchange the connections (``Connector.connect``). The network is the one of a
    single process for any number of processes.
    """

    _generates_local_posts = False
    _generates_pre_share = True

    def expected_size(self, projection):
        return _mean_count(self.n) * projection.pre.size

    def generate(self, projection):
        owner = f"Projection '{projection.label}' ({type(self).__name__})"
        n_pre, n_post = projection.shape
        # (every cell's count, on every process: one number per cell from the connector's stream)
        counts = _draw_n(self.n, n_pre, self.rng, owner)
        forbidden = _forbidden_columns(projection, self.allow_self_connections, projection.pre, projection.post)
        _check_counts(n_post, counts, forbidden, owner)
        key = keyed_random.stream_key(self.rng)
        first, stop = _pre_share(self, projection)
        #: how many presynaptic cells this process drew the choices of (the division of the work)
        self._generated_pre = stop - first
        pre_parts, post_parts = [], []
        width = _drawn_per_row(n_post, counts, self.with_replacement)
        for start, end in _post_blocks(width, stop - first):  # (blocks of presynaptic cells)
            pre, post = _choose_rows(key, np.arange(first + start, first + end), n_post, counts,
                                     self.with_replacement, forbidden)
            pre_parts.append(pre)
            post_parts.append(post)
        pre, post = _joined(pre_parts), _joined(post_parts)
        del pre_parts, post_parts
        order = np.lexsort((pre, post))
        pre, post = pre[order], post[order]
        # handed on in the blocks of postsynaptic cells the exchange between processes uses
        # (_gathered), so that the synapse values are drawn in the same chunks for any number;
        # a block holds about _BLOCK_ELEMENTS connections (by the mean count per post cell:
        # blocks of _BLOCK_ELEMENTS // n_pre cells made N^2 / _BLOCK_ELEMENTS chunks)
        self._block_width = max(1, -(-int(counts.sum()) // max(n_post, 1)))
        blocks = list(_post_blocks(self._block_width, n_post)) or [(0, n_post)]
        edges = np.searchsorted(post, [a for a, _ in blocks] + [n_post])
        for (a, b), (_, end) in zip(itertools.pairwise(edges), blocks):
            yield pre[a:b], post[a:b], {}, end


def _check_value_columns(projection, column_names, source):
    """Every value column must be a parameter of the projection's synapse type."""
    names = projection.synapse_type.get_parameter_names()
    for name in column_names:
        if name not in names:
            raise errors.NonExistentParameterError(
                name, f"{type(projection.synapse_type).__name__} ({source} of "
                      f"Projection '{projection.label}')", names)


def _first_out_of_range(projection, pre, post):
    """(role, row, size) of the first index outside its population, or None."""
    for role, idx, size in (("pre", pre, projection.pre.size), ("post", post, projection.post.size)):
        if not idx.size or (idx.min() >= 0 and idx.max() < size):  # reductions: no temporaries
            continue
        out = np.flatnonzero((idx < 0) | (idx >= size))
        if out.size:
            return role, int(out[0]), size
    return None


class FromListConnector(Connector):
    """Connections given explicitly as rows ``(pre_index, post_index, value1, value2, ...)``.

    Parameters
    ----------
    conn_list : list of tuples or 2D array
    column_names : list of str, optional
        Names of the value columns; with 4 columns and no names, ('weight', 'delay').
    """

    parameter_names = ("conn_list",)
    _hands_over_chunks = True  # generate() makes new arrays from conn_list every time

    def __init__(self, conn_list, column_names=None, location_selector=None, safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        try:
            arr = np.asarray(conn_list, dtype=float)
        except (TypeError, ValueError) as exc:
            raise errors.InvalidParameterValueError(
                f"FromListConnector: conn_list must be rows of numbers (pre, post, values...) of equal length; "
                f"{exc}") from None
        if arr.size == 0:
            arr = arr.reshape(0, 2 if column_names is None else 2 + len(column_names))
        if arr.ndim != 2 or arr.shape[1] < 2:
            raise errors.InvalidDimensionsError(
                f"FromListConnector: conn_list must be rows of (pre, post, values...), got shape {arr.shape}")
        n_values = arr.shape[1] - 2
        if column_names is None:
            if n_values == 0:
                column_names = ()
            elif n_values == 2:
                column_names = ("weight", "delay")
            else:
                raise errors.InvalidTypeError(f"FromListConnector: conn_list has {n_values} value columns; "
                                              f"give their column_names")
        column_names = tuple(column_names)
        if len(column_names) != n_values:
            raise errors.InvalidDimensionsError(
                f"FromListConnector: {len(column_names)} column_names {column_names} for "
                f"{n_values} value columns; give one name per value column")
        if np.any(arr[:, :2] != np.round(arr[:, :2])):
            raise errors.ConnectionError("FromListConnector: pre and post indices must be integers")
        self.conn_list = arr
        self.column_names = column_names

    def weight_hint(self):
        if "weight" in self.column_names and len(self.conn_list):
            return self.conn_list[:, 2 + self.column_names.index("weight")]
        return None

    def generate(self, projection):
        _check_value_columns(projection, self.column_names, "FromListConnector column")
        arr = self.conn_list
        n_pre, n_post = projection.pre.size, projection.post.size
        # the index columns are whole numbers (checked on construction): check their range on
        # the float columns, then cast them once, to the narrow type the projection keeps
        bad = _first_out_of_range(projection, arr[:, 0], arr[:, 1])
        if bad:
            role, r, size = bad
            raise errors.ConnectionError(
                f"FromListConnector: {role}synaptic index {int(arr[r, 0 if role == 'pre' else 1])} is out of "
                f"range for Projection '{projection.label}' ({role} has {size} cells)")
        pre = arr[:, 0].astype(index_dtype(n_pre))
        post = arr[:, 1].astype(index_dtype(n_post))
        order = self._post_pre_order(pre, post, n_pre, n_post)
        if order is None:  # already sorted (e.g. a list written by Projection.save())
            values = {name: arr[:, 2 + k].copy() for k, name in enumerate(self.column_names)}
            yield pre, post, values, n_post
        else:
            # np.take on each (strided) column: much faster than arr[order, k]
            values = {name: np.take(arr[:, 2 + k], order) for k, name in enumerate(self.column_names)}
            yield np.take(pre, order), np.take(post, order), values, n_post

    @staticmethod
    def _post_pre_order(pre, post, n_pre, n_post):
        """The stable order that sorts the rows by post index, then pre index (the same as
        ``np.lexsort((pre, post))``, faster), or None if they are sorted already."""
        if post.size < 2:
            return None
        # a list in random order is told by its post column alone, without the combined key
        if sorted_by_post_then_pre(pre, post):
            return None
        if n_pre <= 2 ** 16 and n_post <= 2 ** 16:
            # two stable passes over 16-bit keys (numpy sorts those with a radix sort)
            order = np.argsort(pre.astype(np.uint16, copy=False), kind="stable")
            return order[np.argsort(post.astype(np.uint16, copy=False)[order], kind="stable")]
        key = post.astype(np.int64) * n_pre
        key += pre
        return np.argsort(key, kind="stable")


#: rows of a connection file read (and handed to the projection) at a time by FromFileConnector
_FILE_CHUNK_ROWS = 100_000


def _with_final_progress(chunks, n_post):
    """Pass `(pre, post, values, done)` chunks through one behind, so that the last one
    reports every postsynaptic cell done (for connectors that cannot tell their progress
    before the end)."""
    previous = None
    for chunk in chunks:
        if previous is not None:
            yield previous
        previous = chunk
    if previous is not None:
        yield previous[:3] + (n_post,)


class FromFileConnector(Connector):
    """Connections read from a file written by ``Projection.save()`` (or by hand), streamed.

    Each row is ``(pre_index, post_index, value1, value2, ...)``. The header line
    ``# columns = ['i', 'j', 'weight', 'delay']`` names the columns ('i' and 'j', the
    indices, are stripped; the other names must be parameters of the synapse type).
    Without a header, 2 columns are indices only and 4 columns are
    ``(i, j, weight, delay)``.

    The file is read in blocks of rows
    (:meth:`~pyNN.recording.files.StandardTextFile.iter_chunks`), each block validated
    and handed to the projection before the next one is read, so the connections are
    never held twice in memory: this connector keeps no copy of them.

    Parameters
    ----------
    file : str, path-like or pyNN.recording.files.BaseFile
        A path is read as a :class:`~pyNN.recording.files.StandardTextFile`. A file object
        of another format (PickleFile, NumpyBinaryFile, ...) has no block reader and is
        read whole, then handed over in blocks.
    distributed : bool
        If True, read ``<file>.<rank>``, with the MPI rank of this process (``<file>.0``
        in a single process), e.g. one file written by each process.
    """

    parameter_names = ("file", "distributed")

    def __init__(self, file, distributed=False, location_selector=None, safe=True, callback=None):
        from pyNN.recording import files
        super().__init__(safe, callback, location_selector)
        if not isinstance(file, (str, os.PathLike, files.BaseFile)):
            raise errors.InvalidTypeError(f"FromFileConnector: file must be a file name, a path or a "
                                          f"pyNN.recording.files object, got {file!r}")
        self.file = file
        self.distributed = bool(distributed)
        # each process reads its own file; the processes then exchange what they read
        self._generates_local_posts = self.distributed
        self._name = os.fspath(file.name if isinstance(file, files.BaseFile) else file)
        self._columns = None
        # as in PyNN, a file named here may be written after the connector is made (it is read
        # when a Projection uses the connector); one that exists is checked now
        if isinstance(file, files.BaseFile) or os.path.exists(self._path(file)):
            self._read_header()

    @property
    def column_names(self):
        """Names of the value columns (after 'i' and 'j'), from the file's header."""
        if self._columns is None:
            self._read_header()
        return self._columns

    def _read_header(self):
        with self._open() as f:
            self._name = f.name
            columns = f.get_metadata().get("columns")
            if columns is None:
                first = next(self._chunks(f), None)
                n_values = 0 if first is None else first.shape[1] - 2
                if n_values == 0:
                    columns = ["i", "j"]
                elif n_values == 2:
                    columns = ["i", "j", "weight", "delay"]
                else:
                    raise errors.InvalidTypeError(
                        f"FromFileConnector: file '{f.name}' has {n_values + 2} columns and no "
                        f"'# columns = [...]' header line; add one naming them, e.g. "
                        f"# columns = ['i', 'j', 'weight', 'delay']")
        if not isinstance(columns, (list, tuple)) or list(columns[:2]) != ["i", "j"]:
            raise errors.DataFileError(f"FromFileConnector: file '{self._name}' has columns {columns!r}; a "
                                       f"connection file must start with the index columns 'i' and 'j' "
                                       f"(save it with Projection.save(..., with_address=True))")
        self._columns = tuple(str(c) for c in columns[2:])

    def _path(self, name):
        name = os.fspath(name)
        if self.distributed:
            from pyNN.random import get_mpi_config
            name = f"{name}.{get_mpi_config()[0]}"
        return name

    @contextlib.contextmanager
    def _open(self):
        """The file object to read (opened here, and closed afterwards, unless it is the
        user's own object)."""
        from pyNN.recording import files
        if isinstance(self.file, files.BaseFile) and not self.distributed:
            yield self.file
            return
        path = self._path(self.file.name if isinstance(self.file, files.BaseFile) else self.file)
        try:
            f = (type(self.file) if isinstance(self.file, files.BaseFile) else files.StandardTextFile)(path, mode="rb")
        except OSError as exc:
            if isinstance(exc, errors.PyNNError):
                raise
            kind = errors.DataFileNotFoundError if isinstance(exc, FileNotFoundError) else errors.DataFileError
            raise kind(f"FromFileConnector: cannot read '{path}': {exc.strerror or exc} ({type(exc).__name__})") \
                from exc
        try:
            yield f
        finally:
            f.close()

    @staticmethod
    def _chunks(f):
        """2D float arrays of at most _FILE_CHUNK_ROWS rows each."""
        rows = _FILE_CHUNK_ROWS
        if hasattr(f, "iter_chunks"):
            yield from f.iter_chunks(rows)
            return
        data = np.asarray(f.read(), dtype=float)
        if data.size == 0:
            return
        data = data.reshape(1, -1) if data.ndim == 1 else data
        for start in range(0, data.shape[0], rows):
            yield data[start:start + rows]

    def weight_hint(self):
        """Weights of the first block that has a non-zero weight (a projection mixing signs
        is refused anyway, so one block tells the sign); reads one block, usually."""
        if "weight" not in self.column_names:
            return None
        k = 2 + self.column_names.index("weight")
        with self._open() as f:
            for chunk in self._chunks(f):
                if chunk.shape[1] > k and np.any(chunk[:, k] != 0):
                    return chunk[:, k].copy()
        return None

    def _validated(self, chunk, first_row, projection):
        """(pre, post, values, 0) of a block of rows, or a clear error naming the file,
        the row and the projection."""
        where = f"FromFileConnector: file '{self._name}'"
        width = 2 + len(self.column_names)
        if chunk.ndim != 2 or chunk.shape[1] != width:
            raise errors.InvalidDimensionsError(
                f"{where} has rows of {chunk.shape[-1]} values from data row {first_row} on, but its "
                f"columns are {['i', 'j', *self.column_names]} ({width} values)")
        index = chunk[:, :2]
        bad = np.flatnonzero(np.any(index != np.round(index), axis=1))
        if bad.size:
            r = int(bad[0])
            raise errors.ConnectionError(
                f"{where}, data row {first_row + r}: indices {index[r].tolist()} are not integers")
        pre = chunk[:, 0].astype(np.int64)
        post = chunk[:, 1].astype(np.int64)
        bad = _first_out_of_range(projection, pre, post)
        if bad:
            role, r, size = bad
            idx = pre if role == "pre" else post
            raise errors.ConnectionError(
                f"{where}, data row {first_row + r}: {role}synaptic index {int(idx[r])} is out of "
                f"range for Projection '{projection.label}' ({role} has {size} cells)")
        values = {name: chunk[:, 2 + k] for k, name in enumerate(self.column_names)}
        return pre, post, values, 0

    def generate(self, projection):
        _check_value_columns(projection, self.column_names, f"FromFileConnector column of file '{self._name}'")

        def blocks():
            row = 0
            with self._open() as f:
                for chunk in self._chunks(f):
                    yield self._validated(chunk, row, projection)
                    row += chunk.shape[0]
        yield from _with_final_progress(blocks(), projection.post.size)


class ArrayConnector(Connector):
    """Connections given by a boolean (n_pre, n_post) matrix."""

    parameter_names = ("array",)

    def __init__(self, array, location_selector=None, safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        self.array = np.asarray(array, dtype=bool)

    def generate(self, projection):
        if self.array.shape != projection.shape:
            raise errors.InvalidDimensionsError(
                f"ArrayConnector: array has shape {self.array.shape}, Projection '{projection.label}' "
                f"needs {projection.shape}")
        post, pre = np.nonzero(self.array.T)
        yield pre, post, {}, projection.post.size


class FixedTotalNumberConnector(Connector):
    """Exactly `n` connections in total, between pairs chosen at random.

    The pairs are drawn in two steps, which give the same distribution as drawing `n` pairs
    at once: how many connections each postsynaptic cell receives (a multinomial draw with
    replacement, a multivariate hypergeometric one without, over the pairs each cell can
    take), then which presynaptic cells, uniformly among those it can connect from (as for
    FixedNumberPreConnector). The counts are drawn for every cell on every process from a
    stream keyed by the connector's RNG (one number per cell), the choices per postsynaptic
    cell from the keyed stream, so in a distributed run each process generates only the
    connections onto its own cells and the network does not depend on the number of processes.
    """

    parameter_names = ("n", "allow_self_connections", "with_replacement")
    _generates_local_posts = True

    def __init__(self, n, allow_self_connections=True, with_replacement=True, location_selector=None,
                 rng=None, safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        if not isinstance(n, numbers.Integral) or n < 0:
            raise errors.InvalidParameterValueError(f"FixedTotalNumberConnector: n must be an int >= 0, "
                                                    f"got {n!r}")
        self.n = int(n)
        self.allow_self_connections = _check_self_connections(allow_self_connections,
                                                              "FixedTotalNumberConnector")
        self.with_replacement = with_replacement
        self.rng = self._rng(rng)

    def expected_size(self, projection):
        return float(self.n)

    def generate(self, projection):
        owner = f"Projection '{projection.label}' (FixedTotalNumberConnector)"
        n_pre, n_post = projection.shape
        forbidden = _forbidden_columns(projection, self.allow_self_connections, projection.post, projection.pre)
        allowed = np.full(n_post, n_pre, dtype=np.int64)  # the pairs each post cell can take
        if forbidden is not None:
            allowed -= forbidden >= 0
        n_pairs = int(allowed.sum())
        if self.n > 0 and (n_pairs == 0 or (not self.with_replacement and self.n > n_pairs)):
            raise errors.ConnectionError(
                f"FixedTotalNumberConnector: cannot make {self.n} "
                f"{'' if self.with_replacement else 'distinct '}connections among {n_pairs} pairs of "
                f"Projection '{projection.label}'"
                f"{'' if forbidden is None else ' (without self-connections)'}")
        key = keyed_random.stream_key(self.rng)
        counts = _split_uniformly(allowed, self.n, keyed_random.sequential_generator(key), owner,
                                  with_replacement=self.with_replacement)
        yield from _chosen_per_post(self, projection, key, counts, forbidden)


def _check_probabilities(p, projection, what):
    """Refuse connection probabilities outside [0, 1] (or NaN), naming the projection,
    what computed them and the offending values."""
    if p.size and (np.isnan(p).any() or p.min() < 0 or p.max() > 1):
        bad = p[np.isnan(p) | (p < 0) | (p > 1)]
        raise errors.InvalidParameterValueError(
            f"Projection '{projection.label}': {what} gives probabilities outside [0, 1] "
            f"(e.g. {float(bad[0]):g}; min {np.min(p):g}, max {np.max(p):g})")


class IndexBasedProbabilityConnector(_MatrixConnector):
    """Connect (i, j) with a probability given by an IndexBasedExpression of the indices."""

    parameter_names = ("index_expression", "allow_self_connections")

    def __init__(self, index_expression, allow_self_connections=True, location_selector=None, rng=None,
                 safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        if not isinstance(index_expression, IndexBasedExpression):
            raise errors.InvalidTypeError(f"IndexBasedProbabilityConnector: index_expression must be an "
                                          f"IndexBasedExpression instance, got {index_expression!r}")
        self.index_expression = index_expression
        self.allow_self_connections = _check_self_connections(allow_self_connections,
                                                              "IndexBasedProbabilityConnector")
        self.rng = self._rng(rng)

    def _probabilities(self, projection, pre, post):
        self.index_expression.projection = projection
        post, pre = np.meshgrid(post, pre, indexing="ij")
        return np.asarray(self.index_expression(pre.ravel(), post.ravel()), dtype=float).reshape(post.shape)

    def _check_block(self, p, projection):
        _check_probabilities(p, projection, f"IndexBasedProbabilityConnector expression "
                                            f"{type(self.index_expression).__name__}")


class DisplacementDependentProbabilityConnector(_MatrixConnector):
    """Connect with a probability given by a function of the displacement (post - pre),
    called with one (3, N) array."""

    parameter_names = ("disp_function", "allow_self_connections")

    def __init__(self, disp_function, allow_self_connections=True, location_selector=None, rng=None,
                 safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        self.disp_function = disp_function
        self.allow_self_connections = _check_self_connections(allow_self_connections,
                                                              "DisplacementDependentProbabilityConnector")
        self.rng = self._rng(rng)

    def _probabilities(self, projection, pre, post):
        pre_pos = projection.pre.positions[:, pre]
        post_pos = projection.post.positions[:, post]
        disp = post_pos[:, :, np.newaxis] - pre_pos[:, np.newaxis, :]  # (3, post, pre)
        return np.asarray(self.disp_function(disp.reshape(3, -1)), dtype=float).reshape(disp.shape[1:])

    def _check_block(self, p, projection):
        _check_probabilities(p, projection, f"DisplacementDependentProbabilityConnector disp_function "
                                            f"{getattr(self.disp_function, '__name__', self.disp_function)!r}")


class CloneConnector(Connector):
    """The same connectivity (not weights) as an existing projection."""

    parameter_names = ("reference_projection",)

    def __init__(self, reference_projection, safe=True, callback=None):
        super().__init__(safe, callback)
        self.reference_projection = reference_projection

    def generate(self, projection):
        ref = self.reference_projection
        if ref.shape != projection.shape:
            raise errors.ConnectionError(
                f"CloneConnector: reference projection has shape {ref.shape}, Projection "
                f"'{projection.label}' has {projection.shape}")
        yield ref._pre.astype(np.int64), ref._post.astype(np.int64), {}, projection.post.size


def _smallest_per_row(mask, keys, counts):
    """Boolean matrix marking, in each row r, the counts[r] entries of `mask` with the
    smallest `keys` (a uniform random subset when the keys are uniform draws).
    counts[r] must not exceed the number of True entries of row r."""
    out = np.zeros(mask.shape, dtype=bool)
    kmax = int(counts.max()) if counts.size else 0
    if kmax == 0:
        return out
    k = np.where(mask, keys, np.inf)
    if kmax < k.shape[1]:
        part = np.argpartition(k, kmax - 1, axis=1)[:, :kmax]
        part = np.take_along_axis(part, np.argsort(np.take_along_axis(k, part, axis=1), axis=1), axis=1)
    else:
        part = np.argsort(k, axis=1)
    take = np.arange(kmax)[np.newaxis, :] < counts[:, np.newaxis]
    out[np.nonzero(take)[0], part[take]] = True
    return out


def _split_uniformly(sizes, total, rng, owner, with_replacement=False):
    """How many of `total` items drawn uniformly from the union of groups of the given sizes
    fall in each group: a multivariate hypergeometric draw (without replacement) or a
    multinomial one with probabilities proportional to the sizes (with replacement).

    The groups are halved recursively, each split being one vectorised hypergeometric
    (binomial) draw, so this takes log2(len(sizes)) calls and O(len(sizes)) memory."""
    sizes = np.asarray(sizes, dtype=np.int64)
    counts = np.zeros(sizes.size, dtype=np.int64)
    name = "binomial" if with_replacement else "hypergeometric"
    draw = getattr(rng, name, None)
    if draw is None:
        raise errors.NotSupportedError(f"{owner}: needs an rng with a {name}() method, such as NumpyRNG; "
                                       f"got {type(rng).__name__}")
    edges = np.concatenate([[0], np.cumsum(sizes)])
    lo, hi, n = np.array([0]), np.array([sizes.size]), np.array([int(total)], dtype=np.int64)
    while lo.size:
        busy = n > 0
        lo, hi, n = lo[busy], hi[busy], n[busy]
        single = hi - lo == 1
        counts[lo[single]] = n[single]
        lo, hi, n = lo[~single], hi[~single], n[~single]
        if not lo.size:
            break
        mid = (lo + hi) // 2
        good, bad = edges[mid] - edges[lo], edges[hi] - edges[mid]
        if with_replacement:
            left = np.asarray(draw(n, good / (good + bad)), dtype=np.int64).reshape(-1)
        else:
            left = np.asarray(draw(good, bad, n), dtype=np.int64).reshape(-1)
        lo, hi, n = np.concatenate([lo, mid]), np.concatenate([mid, hi]), np.concatenate([left, n - left])
    return counts


class SmallWorldConnector(Connector):
    """Small-world connectivity in the style of Watts and Strogatz, on the cells' positions.

    1. *Local connections*: each postsynaptic cell receives a connection from every
       presynaptic cell within distance `degree` of it (inclusive), the distance being
       measured by the projection's :class:`~pyNN.space.Space`.
    2. *Rewiring*: each local connection is, independently with probability `rewiring`,
       moved to a new presynaptic cell chosen uniformly at random, keeping its
       postsynaptic cell (so every cell keeps its in-degree). The new presynaptic cells
       of one postsynaptic cell are drawn without replacement among the presynaptic
       cells it has no local connection from (and, unless self-connections are allowed,
       not the cell itself), so rewiring never creates multiple connections between a
       pair. If a cell has fewer such candidates than connections to rewire, only as
       many connections as there are candidates are rewired (those from the
       lowest-indexed presynaptic cells), the others stay where they are.

    Parameters
    ----------
    degree : float
        Radius (in the units of the cells' positions, after the Space's scale factor
        and offset) of the neighbourhood connected locally.
    rewiring : float
        Probability, in [0, 1], that a local connection is rewired. 0 gives a purely
        local network, 1 a random network with the same in-degrees.
    allow_self_connections : bool or 'NoMutual'
        Whether a cell may connect to itself (a cell is within distance 0 of itself).
    n_connections : int, optional
        The total number of connections. If given, the local connections are a uniform
        random sample of exactly `n_connections` of the (pre, post) pairs within
        distance `degree` (so each pair within reach is kept with the same probability)
        and these are then rewired as above; rewiring does not change the number of
        connections, so the projection has exactly `n_connections` connections
        (ConnectionError if fewer pairs are within reach). If None, every pair within
        reach is connected before rewiring.
    rng : NumpyRNG, optional
        Default: a NumpyRNG with PyNN's fixed connector seed.

    Notes
    -----
    Connections are generated for blocks of postsynaptic cells at a time; each
    postsynaptic cell uses its own row of a stream keyed by the connector's RNG
    (:mod:`pyNN.keyed_random`), so the network depends only on the seed, not on the block
    size nor on the number of MPI processes (each generates the connections onto its own
    cells).
    """

    parameter_names = ("degree", "rewiring", "allow_self_connections", "n_connections")
    _generates_local_posts = True

    def __init__(self, degree, rewiring, allow_self_connections=True, n_connections=None,
                 location_selector=None, rng=None, safe=True, callback=None):
        super().__init__(safe, callback, location_selector)
        owner = "SmallWorldConnector"
        if isinstance(degree, bool) or not isinstance(degree, numbers.Real) or not degree >= 0:
            raise errors.InvalidParameterValueError(
                f"{owner}: degree={degree!r} must be a distance >= 0 (the radius of the "
                f"neighbourhood connected locally)")
        if isinstance(rewiring, bool) or not isinstance(rewiring, numbers.Real) or not 0 <= rewiring <= 1:
            raise errors.InvalidParameterValueError(
                f"{owner}: rewiring={rewiring!r} must be a probability in [0, 1]")
        if n_connections is not None and (isinstance(n_connections, bool)
                                          or not isinstance(n_connections, numbers.Integral)
                                          or n_connections < 0):
            raise errors.InvalidParameterValueError(
                f"{owner}: n_connections={n_connections!r} must be None or an int >= 0")
        self.degree = float(degree)
        self.rewiring = float(rewiring)
        self.allow_self_connections = _check_self_connections(allow_self_connections, owner)
        self.n_connections = None if n_connections is None else int(n_connections)
        self.rng = self._rng(rng)

    def _local_block(self, projection, posts, check_self):
        """(local, same): the (len(posts), n_pre) matrix of pairs within reach (self pairs
        removed when not allowed) and the matrix of self pairs (or None)."""
        post_pos = projection.post.positions[:, posts]
        d = projection.space.distances(projection.pre.positions, post_pos).T
        local = d <= self.degree * (1 + 1e-12)
        same = None
        if check_self:
            same = projection.post._ids[posts, np.newaxis] == projection.pre._ids[np.newaxis, :]
            local &= ~same
        return local, same

    def _quota(self, projection, key, planes, check_self, owner):
        """How many of the n_connections each postsynaptic cell gets: a uniform sample of the
        pairs within reach, split over the cells (the same on every process)."""
        n_pre, n_post = projection.shape
        within = np.zeros(n_post, dtype=np.int64)
        for posts, _ in _generated_post_blocks(self, projection, n_pre * planes):
            within[posts] = self._local_block(projection, posts, check_self)[0].sum(axis=1)
        world = _world(projection)
        if world is not None:  # each process counted its own cells
            within = np.sum(world.allgather(within), axis=0)
        if self.n_connections > within.sum():
            raise errors.ConnectionError(
                f"{owner}: n_connections={self.n_connections} but only {int(within.sum())} pairs of "
                f"cells are within distance degree={self.degree:g}; increase degree or lower "
                f"n_connections")
        return _split_uniformly(within, self.n_connections, keyed_random.sequential_generator(key), owner)

    def generate(self, projection):
        owner = f"Projection '{projection.label}' (SmallWorldConnector)"
        n_pre = projection.pre.size
        check_self = self.allow_self_connections is not True and bool(_may_have_self(projection))
        # random numbers per postsynaptic cell, one per presynaptic cell in each "plane":
        # rewire or not, keys choosing the new presynaptic cells, keys choosing the sample
        # of n_connections (only the planes that are needed); the numbers of cell j are the
        # keyed stream's row j, so any process can generate the connections onto its cells
        plane_rewire = 0 < self.rewiring < 1
        plane_keys = self.rewiring > 0
        plane_sample = self.n_connections is not None
        planes = plane_rewire + plane_keys + plane_sample
        key = keyed_random.stream_key(self.rng)
        quota = self._quota(projection, key, planes, check_self, owner) if plane_sample else None
        for posts, stop in _generated_post_blocks(self, projection, n_pre * max(planes, 1)):
            local, same = self._local_block(projection, posts, check_self)
            u = keyed_random.uniform(key, posts, 0, planes * n_pre).reshape(posts.size, planes, n_pre)
            if plane_sample:
                local = _smallest_per_row(local, u[:, planes - 1], quota[posts])
            if not plane_keys:
                post_local, pre = np.nonzero(local)
                yield pre, posts[post_local], {}, stop
                continue
            rewire = local & (u[:, 0] < self.rewiring) if plane_rewire else local.copy()
            candidates = ~local if same is None else ~(local | same)
            available = candidates.sum(axis=1)
            n_rewire = rewire.sum(axis=1)
            short = np.flatnonzero(n_rewire > available)
            if short.size:  # rewire only as many as there are candidates, the lowest-indexed
                rewire[short] &= np.cumsum(rewire[short], axis=1) <= available[short, np.newaxis]
                n_rewire[short] = available[short]
            new = _smallest_per_row(candidates, u[:, int(plane_rewire)], n_rewire)
            post_local, pre = np.nonzero((local & ~rewire) | new)
            yield pre, posts[post_local], {}, stop


#: an optional package needed by a connector is not installed (kept here for code that imports it
#: from pyNN.connectors, as in PyNN)
MissingPackageError = errors.MissingPackageError


def _import_csa():
    try:
        import csa
    except ImportError:
        return None
    return csa


#: True if the Connection-Set Algebra package ``csa`` can be imported (CSAConnector works)
haveCSA = _import_csa() is not None

#: number of connections converted from a connection-set to arrays at a time
_CSA_CHUNK = 100_000


class CSAConnector(Connector):
    """Connections described by a Connection-Set Algebra expression (needs ``pip install csa``).

    Parameters
    ----------
    cset : csa mask or connection-set
        A mask (arity 0: which pairs are connected; the synapse type gives the values)
        or a connection-set of arity 2 whose two value sets are the weights and the
        delays. It may be infinite: only the part inside (n_pre, n_post) is used.
    """

    parameter_names = ("cset",)

    def __init__(self, cset, safe=True, callback=None):
        csa = _import_csa()
        if csa is None:
            raise MissingPackageError(
                "CSAConnector needs the Connection-Set Algebra package 'csa', which is not installed; "
                "install it with 'pip install csa'", name="csa")
        super().__init__(safe, callback)
        self._csa = csa
        kinds = tuple(k for k in (getattr(csa, "Mask", None), getattr(csa, "ConnectionSet", None)) if k)
        if kinds and not isinstance(cset, kinds):
            raise errors.InvalidTypeError(f"CSAConnector: cset must be a csa mask or connection-set, got {cset!r}")
        arity = csa.arity(cset)
        if arity not in (0, 2):
            raise errors.InvalidParameterValueError(
                f"CSAConnector: cset has arity {arity}; give a mask (arity 0) or a connection-set with "
                f"two value sets, weights and delays (arity 2)")
        self.cset = cset
        self.arity = arity

    def generate(self, projection):
        n_pre, n_post = projection.shape
        if n_pre == 0 or n_post == 0:
            return
        yield from _with_final_progress(self._chunks(n_pre, n_post), n_post)

    def _chunks(self, n_pre, n_post):
        """The finite part of the connection-set inside the projection, as arrays of at
        most _CSA_CHUNK connections (csa iterates in post-major order)."""
        finite = self._csa.cross((0, n_pre - 1), (0, n_post - 1)) * self.cset
        names = ("weight", "delay") if self.arity == 2 else ()
        width = 2 + len(names)
        iterator = iter(finite)
        while True:
            rows = list(itertools.islice(iterator, _CSA_CHUNK))
            if not rows:
                break
            arr = np.array(rows, dtype=float).reshape(len(rows), width)
            pre, post = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
            values = {name: arr[:, 2 + k] for k, name in enumerate(names)}
            yield pre, post, values, 0
