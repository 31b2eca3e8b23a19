"""Random numbers addressed by position, for connectors that generate any part of a network alone.

A sequential generator (such as the Mersenne Twister behind :class:`~pyNN.random.NumpyRNG`)
gives the n-th number only after the n - 1 before it, so a process that builds only the
connections onto its own cells would still have to draw every other process's numbers. Here
the number at ``(row, column)`` of a stream is a function of the stream's key, the row and the
column alone: SplitMix64's output at position ``row * 2**32 + column`` of the sequence started
by the key. Any process can compute any block of rows by itself, in any order, and gets the
same numbers as a process that computes them all, so the network does not depend on how the
rows (postsynaptic cells) are dealt over the MPI processes or cut into blocks.

The key of a stream is drawn from the connector's own RNG (:func:`stream_key`), so the user's
seed still decides the network and two projections sharing one RNG get different streams.
"""

import numpy as np

# SplitMix64 (Steele, Lea and Flood 2014): the golden-ratio increment and the two multipliers
# of its output function (Stafford's "Mix13" variant)
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32 = (np.uint64(s) for s in (30, 27, 31, 32))

#: random bits per number: as many as a double's significand holds
BITS = 53
_SCALE = 2.0 ** -BITS


def stream_key(rng):
    """A 64-bit key for a new stream, drawn from `rng` (two uniform numbers of 32 bits each),
    so that the same seed gives the same stream on every process."""
    u = np.asarray(rng.next(2, "uniform", {"low": 0.0, "high": 1.0}), dtype=float).reshape(-1)
    hi, lo = (int(x * 2.0 ** 32) & 0xFFFFFFFF for x in u[:2])
    return np.uint64((hi << 32) | lo)


def sequential_generator(key):
    """A numpy RandomState seeded by `key`: for the few draws that every process makes for the
    whole network alike (e.g. how many connections each cell gets), where numpy's samplers
    (binomial, hypergeometric) are needed rather than numbers at given positions. Its
    numbers are independent of the keyed stream's, and the same on every process."""
    key = int(key)
    # (a different seed sequence from any plain 32-bit seed: three words, the last a tag)
    return np.random.RandomState(np.array([key >> 32, key & 0xFFFFFFFF, 0x5EED], dtype=np.uint32))


def random_bits(key, rows, first_column, n_columns, bits=BITS):
    """(len(rows), n_columns) array of `bits` (at most 64) uniformly random bits (as uint64) at
    the given rows (int array) and the columns ``first_column .. first_column + n_columns - 1``
    (`first_column`: one int for every row, or an array of one per row)."""
    rows = np.asarray(rows, dtype=np.uint64).reshape(-1, 1)
    z = np.arange(n_columns, dtype=np.uint64).reshape(1, -1)
    if np.ndim(first_column):
        z = z + np.asarray(first_column, dtype=np.uint64).reshape(-1, 1)
    else:
        z += np.uint64(first_column)
    z = z | (rows << _S32)  # the position in the sequence (one new array, then in place)
    with np.errstate(over="ignore"):  # the arithmetic is modulo 2**64 by design
        z *= _GAMMA
        z += np.uint64(key)
        z ^= z >> _S30
        z *= _MIX1
        z ^= z >> _S27
        z *= _MIX2
        z ^= z >> _S31
    if bits < 64:
        z >>= np.uint64(64 - bits)
    return z


def uniform(key, rows, first_column, n_columns):
    """Uniform numbers in [0, 1) at the given rows and columns (see :func:`random_bits`;
    `first_column` may give each row its own first column)."""
    out = random_bits(key, rows, first_column, n_columns).astype(float)
    out *= _SCALE
    return out


def bernoulli(key, rows, n_columns, p):
    """Where a Bernoulli(p) trial succeeds in each of the given rows of `n_columns` trials:
    ``(row_positions, columns)`` in row-major order (row_positions index into `rows`).

    A uniform number per trial would cost `n_columns` numbers per row; for small p the gaps
    between successes, geometrically distributed, are drawn instead (about p * n_columns
    numbers per row, topped up for the rare row that needs more), which gives the same
    distribution. Which method is used depends on p only, so every process agrees.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if p <= 0 or not rows.size or n_columns == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if p >= GAP_METHOD_BELOW:
        # one trial per 32 bits, two per number: the trial at column c uses the high half
        # (c even) or the low half (c odd) of the number at column c // 2
        if p >= 1:
            return np.nonzero(np.ones((rows.size, n_columns), dtype=bool))
        threshold = np.uint64(round(p * 2.0 ** 32))
        z = random_bits(key, rows, 0, (n_columns + 1) // 2, bits=64)
        success = np.empty((rows.size, 2 * z.shape[1]), dtype=bool)
        np.less(z >> _S32, threshold, out=success[:, 0::2])
        z &= np.uint64(0xFFFFFFFF)
        np.less(z, threshold, out=success[:, 1::2])
        return np.nonzero(success[:, :n_columns])
    width = _gap_batch(n_columns, p)
    inv_log_q = 1.0 / np.log1p(-p)
    row_parts, col_parts = [], []
    todo = np.arange(rows.size)
    last = np.full(rows.size, -1.0)  # the column of each row's latest success
    first = 0
    while todo.size:
        u = uniform(key, rows[todo], first, width)
        # failures before the next success: floor(log(1 - u) / log(1 - p)), 1 - u in (0, 1]
        np.negative(u, out=u)
        np.log1p(u, out=u)
        u *= inv_log_q
        np.floor(u, out=u)
        u += 1.0
        np.cumsum(u, axis=1, out=u)
        u += last[todo, np.newaxis]
        r, c = np.nonzero(u < n_columns)
        row_parts.append(todo[r])
        col_parts.append(u[r, c].astype(np.int64))
        # a row whose successes all fell inside the row needs more numbers
        more = u[:, -1] < n_columns
        last[todo[more]] = u[more, -1]
        todo = todo[more]
        first += width
    if len(row_parts) == 1:
        return row_parts[0], col_parts[0]
    r, c = np.concatenate(row_parts), np.concatenate(col_parts)
    order = np.lexsort((c, r))
    return r[order], c[order]


def _gap_batch(n_columns, p):
    """Gaps drawn per row at a time: enough for all but about one row in 10**9."""
    mean = n_columns * p
    return int(mean + 6.0 * np.sqrt(mean * (1.0 - p)) + 16)


#: FixedProbability uses one number per trial from this probability on (the gaps cost a
#: logarithm each, so for dense connectivity plain trials are cheaper)
GAP_METHOD_BELOW = 0.25


def derived_key(*parts):
    """A 64-bit stream key from non-negative integers (e.g. a seed, a segment number and a tag):
    each part, taken modulo 2**32, is the row of one number drawn from the stream of the key so
    far, so that different tuples give unrelated keys."""
    key = np.uint64(0x6A09E667F3BCC909)  # (any fixed start)
    for part in parts:
        key = random_bits(key, [int(part) % 2 ** 32], 0, 1, bits=64)[0, 0]
    return np.uint64(key)
