"""Synaptic values a projection does not keep but draws again when they are read.

A simulator that keeps its own copy of every connection's parameters (NEST) does not need
the core's copy of values drawn from a random distribution: the core keeps, per chunk of
connections, the state the generator had before drawing the chunk (a
:class:`pyNN.random.Replay`, a few kB) and draws the very same numbers again when the
values are read (``Projection.get``, ``save``, a rebuild after ``reset``). Ten million
weights then cost about 250 kB instead of 80 MB, and drawing them again takes about 0.1 s.

:class:`SynapseValues` is the projection's ``_syn`` mapping: reading an entry gives the
values as an array, whatever form they are kept in.
"""

from bisect import bisect_right
from collections.abc import MutableMapping

import numpy as np


class RedrawnColumn:
    """One synaptic parameter over consecutive chunks of connections, kept as the replays
    that draw each chunk's values again."""

    def __init__(self):
        self.replays = []
        self.starts = [0]  # position of each chunk's first connection; the last entry is the size
        self._cached = (None, None)  # (chunk number, its values) while a backend reads it in parts

    @property
    def size(self):
        """Number of connections."""
        return self.starts[-1]

    def __len__(self):
        return self.size

    def append(self, replay):
        """Add the next chunk of connections, given as the replay that draws its values."""
        self.replays.append(replay)
        self.starts.append(self.starts[-1] + replay.n)

    def _chunk(self, i):
        if self._cached[0] != i:
            self._cached = (i, np.asarray(self.replays[i](), dtype=float).reshape(-1))
        return self._cached[1]

    def release(self):
        """Forget the chunk kept from the last read in parts."""
        self._cached = (None, None)

    def array(self):
        """Every value, as a new array."""
        out = np.empty(self.size)
        for i, replay in enumerate(self.replays):
            out[self.starts[i]:self.starts[i + 1]] = replay()
        return out

    def largest_magnitude(self):
        """The largest absolute value (NaN ignored; 0 when empty), drawn chunk by chunk and
        kept until a chunk is added (the chunks never change)."""
        known = getattr(self, "_largest", None)
        if known is None or known[0] != len(self.replays):
            largest = 0.0
            for replay in self.replays:
                chunk = np.abs(np.asarray(replay(), dtype=float))
                if chunk.size and not np.isnan(chunk).all():
                    largest = max(largest, float(np.nanmax(chunk)))
            known = self._largest = (len(self.replays), largest)
        return known[1]

    def part(self, start, stop):
        """The values of connections start..stop-1, drawing only the chunks they lie in."""
        start, stop = max(start, 0), min(stop, self.size)
        out = np.empty(max(stop - start, 0))
        i = bisect_right(self.starts, start) - 1
        at = start
        while at < stop:
            first, end = self.starts[i], self.starts[i + 1]
            upto = min(end, stop)
            out[at - start:upto - start] = self._chunk(i)[at - first:upto - first]
            at = upto
            i += 1
        return out

    def __getitem__(self, key):
        if isinstance(key, slice) and key.step in (None, 1):
            start, stop, _ = key.indices(self.size)
            return self.part(start, stop)
        return self.array()[key]


class SynapseValues(MutableMapping):
    """Parameter name -> scalar (shared by every connection), None (no value) or one value per
    connection; a value kept as a :class:`RedrawnColumn` is drawn again when it is read."""

    def __init__(self, values=()):
        self._stored = dict(values)

    def __getitem__(self, name):
        value = self._stored[name]
        return value.array() if isinstance(value, RedrawnColumn) else value

    def __setitem__(self, name, value):
        self._stored[name] = value

    def __delitem__(self, name):
        del self._stored[name]

    def __iter__(self):
        return iter(self._stored)

    def __len__(self):
        return len(self._stored)

    def __repr__(self):
        return f"SynapseValues({self._stored!r})"

    def stored(self, name, default=None):
        """The value of `name` as kept (a RedrawnColumn is not drawn)."""
        return self._stored.get(name, default)

    def stored_items(self):
        """(name, value) as kept: a RedrawnColumn is not drawn (index it to read a part)."""
        return self._stored.items()

    def largest_magnitude(self, name):
        """The largest absolute value of `name` over every connection (0 without any), without
        keeping a copy of a value that is drawn again."""
        value = self._stored.get(name)
        if isinstance(value, RedrawnColumn):
            return value.largest_magnitude()
        values = np.abs(np.asarray(value if value is not None else [], dtype=float))
        return float(np.nanmax(values)) if values.size and not np.isnan(values).all() else 0.0

    def redrawn(self):
        """The names of the values that are drawn again when read."""
        return [name for name, value in self._stored.items() if isinstance(value, RedrawnColumn)]


def part_of(value, sel):
    """`value` (scalar, None, array or RedrawnColumn) for the connections `sel` (slice or
    index array): scalars are shared, arrays and redrawn columns are indexed."""
    if isinstance(value, (np.ndarray, RedrawnColumn)):
        return value[sel]
    return value
