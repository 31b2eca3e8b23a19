"""Positions of cells in space and distances between them.

Positions are dimensionless floats (the user chooses the unit, typically µm) held as
arrays of shape ``(3, n)``: one column per cell, rows x, y and z.

Public names
------------
Space
    How distances are measured: which axes count, scaling and offset of the
    post-synaptic positions, periodic boundaries.
distance
    Distance between two cells (objects with a ``position``).
BaseStructure, Line, Grid2D, Grid3D, RandomStructure
    Ways of laying out the cells of a population (``generate_positions(n)``).
Shape, Cuboid, Sphere
    Volumes that a :class:`RandomStructure` fills uniformly.
"""

import math
import numbers
from typing import ClassVar

import numpy as np

from pyNN import descriptions, errors
from pyNN.core import missing_hook
from pyNN.random import NumpyRNG

__all__ = [
    "BaseStructure",
    "Cuboid",
    "Grid2D",
    "Grid3D",
    "Line",
    "RandomStructure",
    "Shape",
    "Space",
    "Sphere",
    "distance",
]

# Tolerance when checking that a grid side computed with sqrt/cbrt is a whole number.
_GRID_TOLERANCE = 1e-6


# ---------------------------------------------------------------------------------------
# helpers


def _check_real(owner, name, value, positive=False, non_negative=False):
    """Return `value` as a float, or raise naming `owner`, `name` and `value`."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if ok:
        value_f = float(value)
        ok = math.isfinite(value_f) and (not positive or value_f > 0) and (
            not non_negative or value_f >= 0)
    if not ok:
        what = ("a positive" if positive else "a non-negative" if non_negative else "a") + " finite number"
        raise errors.InvalidParameterValueError(
            f"{owner}: {name}={value!r} is not allowed; it must be {what}.")
    return value


def _check_size(owner, n):
    """Return the number of cells `n` as an int, or raise."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < 0:
        raise errors.InvalidParameterValueError(
            f"{owner}.generate_positions: n={n!r} is not allowed; the number of cells must be a "
            f"non-negative integer.")
    return int(n)


def _check_fill_order(owner, fill_order):
    if fill_order not in ("sequential", "random"):
        raise errors.InvalidParameterValueError(
            f"{owner}: fill_order={fill_order!r} is not allowed; use 'sequential' or 'random'.")
    return fill_order


def _period_lengths(periodic_boundaries, owner):
    """Normalise `periodic_boundaries` to three box lengths (None = not periodic).

    Each of the three per-axis entries may be None, a ``(min, max)`` pair or a single
    box length.
    """
    if periodic_boundaries is None:
        return (None, None, None)
    entries = tuple(periodic_boundaries)
    if len(entries) != 3:
        raise errors.InvalidParameterValueError(
            f"{owner}: periodic_boundaries={periodic_boundaries!r} is not allowed; give one entry "
            f"per axis (x, y, z), each None or a (min, max) pair, e.g. ((0, 100), (0, 100), None).")
    lengths = []
    for axis_name, entry in zip("xyz", entries):  # always three axes
        if entry is None:
            lengths.append(None)
            continue
        try:
            if np.ndim(entry) == 0:
                length = float(entry)
            else:
                low, high = (float(v) for v in entry)
                length = high - low
        except (TypeError, ValueError):
            length = float("nan")
        if not (math.isfinite(length) and length > 0):
            raise errors.InvalidParameterValueError(
                f"{owner}: periodic boundary {entry!r} for axis {axis_name} is not allowed; it must "
                f"be None or a (min, max) pair of finite numbers with max > min.")
        lengths.append(length)
    return tuple(lengths)


def _wrap(d, length):
    """Minimum-image distance for absolute displacements `d` on a period `length`."""
    if length is None:
        return d
    d = np.mod(d, length)
    return np.minimum(d, length - d)


def _as_coordinate_column(value, ndim):
    """Shape a scalar or per-axis (3,) value so it broadcasts along axis 0 of an array
    with `ndim` dimensions."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return arr
    if arr.shape != (3,):
        raise errors.InvalidDimensionsError(
            f"A per-axis scale_factor or offset must have shape (3,), not {arr.shape}.")
    return arr.reshape((3,) + (1,) * (ndim - 1))


def _as_positions(value, name):
    """Return `value` as a float array of shape (3, n); a (3,) array is one cell."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 1:
        arr = arr.reshape(3, 1) if arr.shape == (3,) else arr
    if arr.ndim != 2 or arr.shape[0] != 3:
        raise errors.InvalidDimensionsError(
            f"Space.distances: {name} must have shape (3,) or (3, n) (rows x, y, z), "
            f"not {np.shape(value)}.")
    return arr


def _values_equal(a, b):
    """Equality that works for numbers, tuples, arrays and parameterised objects."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and bool(np.all(np.asarray(a) == np.asarray(b)))
    return bool(a == b)


# ---------------------------------------------------------------------------------------
# distances


class Space:
    """How distances between cells are measured.

    Parameters
    ----------
    axes : {None, 'x', 'y', 'z', 'xy', 'yz', 'xz', 'xyz'}
        The axes that count in distance calculations; None means all three.
    scale_factor : float or (3,) array
        Post-synaptic positions are multiplied by this (after adding `offset`), so that
        pre and post positions can be in different units.
    offset : float or (3,) array
        Added to post-synaptic positions before scaling.
    periodic_boundaries : tuple of three entries, or None
        Per axis (x, y, z): None (not periodic) or ``(min, max)``.  Distances along a
        periodic axis use the minimum image, i.e. the shortest way round.

    Attributes
    ----------
    axes : numpy.ndarray
        Indices (0, 1, 2) of the axes that count.

    Examples
    --------
    >>> s = Space(axes='xy', periodic_boundaries=((0, 10), (0, 10), None))
    >>> float(s.distances([1, 1, 0], [9, 1, 5])[0, 0])
    2.0
    """

    AXES: ClassVar[dict] = {None: (0, 1, 2), "x": (0,), "y": (1,), "z": (2,), "xy": (0, 1), "yz": (1, 2),
            "xz": (0, 2), "xyz": (0, 1, 2)}

    def __init__(self, axes=None, scale_factor=1.0, offset=0.0, periodic_boundaries=None):
        if not (axes is None or isinstance(axes, str)) or axes not in self.AXES:
            raise errors.InvalidParameterValueError(
                f"Space: axes={axes!r} is not allowed; use None (all axes) or one of "
                f"'x', 'y', 'z', 'xy', 'yz', 'xz', 'xyz'.")
        _period_lengths(periodic_boundaries, "Space")  # validate now, not at first use
        for name, value in (("scale_factor", scale_factor), ("offset", offset)):
            if np.ndim(value) == 0:
                _check_real("Space", name, value)
            elif np.shape(value) != (3,):
                raise errors.InvalidParameterValueError(
                    f"Space: {name}={value!r} is not allowed; it must be a number or one number "
                    f"per axis (shape (3,)).")
        self.axes = np.array(self.AXES[axes])
        self.scale_factor = scale_factor
        self.offset = offset
        self.periodic_boundaries = periodic_boundaries

    def __repr__(self):
        names = "".join("xyz"[a] for a in self.axes)
        return (f"Space(axes={names!r}, scale_factor={self.scale_factor!r}, offset={self.offset!r}, "
                f"periodic_boundaries={self.periodic_boundaries!r})")

    def _transform_post(self, positions):
        ndim = positions.ndim
        return (_as_coordinate_column(self.scale_factor, ndim)
                * (positions + _as_coordinate_column(self.offset, ndim)))

    def distances(self, A, B, expand=False):
        """Matrix of distances between every position in `A` and every one in `B`.

        Parameters
        ----------
        A : (3,) or (3, N) array
            Pre-synaptic positions.
        B : (3,) or (3, M) array
            Post-synaptic positions (transformed as ``scale_factor * (B + offset)``).
        expand : bool
            If True, return the absolute distance along each selected axis separately.

        Returns
        -------
        numpy.ndarray
            Shape (N, M) of Euclidean distances over the selected axes, or, with
            ``expand=True``, shape (len(axes), N, M).
        """
        A = _as_positions(A, "A")
        B = self._transform_post(_as_positions(B, "B"))
        lengths = _period_lengths(self.periodic_boundaries, "Space")
        per_axis = []
        total = np.zeros((A.shape[1], B.shape[1]))
        # At most three passes; each works on an (N, M) block.
        for axis in self.axes:
            d = _wrap(np.abs(A[axis][:, np.newaxis] - B[axis][np.newaxis, :]), lengths[axis])
            if expand:
                per_axis.append(d)
            else:
                total += d * d
        if expand:
            return np.stack(per_axis)
        return np.sqrt(total)

    def distance_generator(self, f, g):
        """Return a function of index arrays giving pairwise distances.

        Parameters
        ----------
        f, g : callable
            Map indices to positions: ``f(i)`` has shape ``(3,) + np.shape(i)``
            (pre-synaptic), ``g(j)`` likewise (post-synaptic; transformed as in
            :meth:`distances`).

        Returns
        -------
        callable
            ``distance_map(i, j)`` giving the distance between pre cell ``i[k]`` and post
            cell ``j[k]``, with ``i`` and ``j`` broadcast against each other as numpy
            does (scalars, equal-shaped arrays, or a scalar with an array).  This is the
            protocol lazyarray uses for a callable base value of a 2D ``larray``.
        """
        def distance_map(i, j):
            a = np.asarray(f(i), dtype=float)
            b = self._transform_post(np.asarray(g(j), dtype=float))
            # Put the coordinate axis last so that the index shapes broadcast normally.
            a = np.moveaxis(a, 0, -1)
            b = np.moveaxis(b, 0, -1)
            lengths = _period_lengths(self.periodic_boundaries, "Space")
            total = 0.0
            for axis in self.axes:
                d = _wrap(np.abs(a[..., axis] - b[..., axis]), lengths[axis])
                total = total + d * d
            return np.sqrt(total)
        return distance_map


def distance(src, tgt, mask=None, scale_factor=1.0, offset=0.0, periodic_boundaries=None):
    """Euclidean distance between two cells.

    Parameters
    ----------
    src, tgt : objects with a (3,) ``position`` attribute
        Typically cell IDs.
    mask : index array or bool array over the axes, optional
        Axes to consider, e.g. ``[0, 1]`` to ignore z.
    scale_factor, offset : float or (3,) array
        The target position is transformed as ``scale_factor * (position + offset)``.
    periodic_boundaries : tuple of three entries, or None
        As for :class:`Space`: per axis None or ``(min, max)`` (a single box length is
        also accepted).

    Returns
    -------
    float
    """
    a = np.asarray(src.position, dtype=float)
    b = np.asarray(tgt.position, dtype=float)
    ndim = b.ndim
    b = _as_coordinate_column(scale_factor, ndim) * (b + _as_coordinate_column(offset, ndim))
    d = np.abs(a - b)
    lengths = _period_lengths(periodic_boundaries, "distance")
    if any(length is not None for length in lengths):
        d = np.stack([_wrap(d[axis], lengths[axis]) for axis in range(3)])
    if mask is not None:
        d = d[np.asarray(mask)]
    return np.sqrt(np.sum(d * d, axis=0))


# ---------------------------------------------------------------------------------------
# structures and shapes


class _Parameterised:
    """Shared behaviour of structures and shapes: parameters, equality, description."""

    parameter_names = ()
    _summary = ""

    def get_parameters(self):
        """Return the parameters as a dict, in the order of :attr:`parameter_names`."""
        return {name: getattr(self, name) for name in self.parameter_names}

    def __eq__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        mine, theirs = self.get_parameters(), other.get_parameters()
        return all(_values_equal(mine[k], theirs[k]) for k in self.parameter_names)

    def __hash__(self):
        # Equal objects have the same type, so this is consistent with __eq__.
        return hash(type(self).__name__)

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        return f"{type(self).__name__}({params})"

    def describe(self, template="default", engine="default"):
        """Describe the object.

        Parameters
        ----------
        template : str or None
            None returns the description as a dict (``name`` and ``parameters``); the
            default gives the built-in one-line text; a template string or file is
            rendered with `engine` (see :mod:`pyNN.descriptions`).
        engine : str
            ``'default'``, ``'string'`` or ``'jinja2'``.

        Returns
        -------
        str or dict
        """
        context = {"name": type(self).__name__, "parameters": self.get_parameters()}
        return descriptions.render(engine, template, context, builtin=self._describe_text)

    def _describe_text(self, context):
        params = ", ".join(f"{k}={v!r}" for k, v in context["parameters"].items())
        return f"{self._summary} ({context['name']}) with {params}" if params else self._summary


class BaseStructure(_Parameterised):
    """Base class of population layouts.

    Subclasses define :attr:`parameter_names` and :meth:`generate_positions`.
    """

    def generate_positions(self, n):
        """Return the positions of `n` cells as a float array of shape (3, n)."""
        raise missing_hook(self, "generate_positions")


class Line(BaseStructure):
    """Cells evenly spaced along a line parallel to the x axis.

    Cell ``i`` is at ``(x0 + i*dx, y, z)``.

    Parameters
    ----------
    dx : float
        Spacing between neighbouring cells.
    x0, y, z : float
        Position of the first cell.
    """

    parameter_names = ("dx", "x0", "y", "z")
    _summary = "Cells evenly spaced along a line parallel to the x axis"

    def __init__(self, dx=1.0, x0=0.0, y=0.0, z=0.0):
        for name, value in (("dx", dx), ("x0", x0), ("y", y), ("z", z)):
            _check_real("Line", name, value)
        self.dx, self.x0, self.y, self.z = dx, x0, y, z

    def generate_positions(self, n):
        """Return positions of shape (3, n)."""
        n = _check_size("Line", n)
        positions = np.empty((3, n))
        positions[0] = self.x0 + self.dx * np.arange(n)
        positions[1] = self.y
        positions[2] = self.z
        return positions


def _permute_columns(positions, rng):
    """Shuffle the cells (columns); uses the RNG's permutation() where available."""
    n = positions.shape[1]
    permutation = getattr(rng, "permutation", None)
    order = permutation(n) if callable(permutation) else np.argsort(rng.next(n))
    return positions[:, order]


class Grid2D(BaseStructure):
    """Cells on a regular two-dimensional grid in the plane z = `z`.

    With ``nx = sqrt(n * aspect_ratio)`` columns along x and ``ny = n / nx`` rows
    along y (both must be whole numbers), cell ``k`` sits at grid point
    ``(ix, iy) = divmod(k, ny)``: y varies fastest, i.e. the order is
    (0, 0), (0, 1), ..., (0, ny-1), (1, 0), ...  Its position is
    ``(x0 + dx*ix, y0 + dy*iy, z)``.

    Parameters
    ----------
    aspect_ratio : float
        ``nx / ny``.
    dx, dy : float
        Grid spacing along x and y.
    x0, y0, z : float
        Position of grid point (0, 0).
    fill_order : {'sequential', 'random'}
        'random' assigns the grid points to cells in a random order.
    rng : AbstractRNG, optional
        Used for ``fill_order='random'``; default an unseeded :class:`~pyNN.random.NumpyRNG`.
    """

    parameter_names = ("aspect_ratio", "dx", "dy", "x0", "y0", "z", "fill_order")
    _summary = "Cells on a two-dimensional grid"

    def __init__(self, aspect_ratio=1.0, dx=1.0, dy=1.0, x0=0.0, y0=0.0, z=0,
                 fill_order="sequential", rng=None):
        _check_real("Grid2D", "aspect_ratio", aspect_ratio, positive=True)
        for name, value in (("dx", dx), ("dy", dy), ("x0", x0), ("y0", y0), ("z", z)):
            _check_real("Grid2D", name, value)
        self.aspect_ratio = aspect_ratio
        self.dx, self.dy, self.x0, self.y0, self.z = dx, dy, x0, y0, z
        self.fill_order = _check_fill_order("Grid2D", fill_order)
        self.rng = rng if rng is not None else NumpyRNG()

    def calculate_size(self, n):
        """Return ``(nx, ny)`` for `n` cells, or raise if `n` does not fit the aspect ratio."""
        n = _check_size("Grid2D", n)
        nx_exact = math.sqrt(n * self.aspect_ratio)
        nx = round(nx_exact)
        if n > 0 and (nx == 0 or abs(nx_exact - nx) > _GRID_TOLERANCE or n % nx):
            raise errors.InvalidDimensionsError(
                f"Grid2D: n={n} cells cannot be laid out with aspect_ratio={self.aspect_ratio!r}: "
                f"nx = sqrt(n*aspect_ratio) = {nx_exact:g} must be a whole number that divides n "
                f"(ny = n/nx).{self._suggest_sizes(n)}")
        return nx, (n // nx if nx else 0)

    def _suggest_sizes(self, n):
        # Only a handful of candidates near the requested size; used for error messages.
        ny_guess = math.sqrt(n / self.aspect_ratio)
        sizes = set()
        for ny in range(max(1, math.floor(ny_guess) - 3), math.ceil(ny_guess) + 4):
            nx = ny * self.aspect_ratio
            if abs(nx - round(nx)) < _GRID_TOLERANCE and round(nx) > 0:
                sizes.add(round(nx) * ny)
        below = [s for s in sizes if s < n]
        above = [s for s in sizes if s > n]
        nearest = ([max(below)] if below else []) + ([min(above)] if above else [])
        if not nearest:
            return ""
        return f" Nearby sizes that fit: {', '.join(str(s) for s in nearest)}."

    def generate_positions(self, n):
        """Return positions of shape (3, n), y varying fastest (before any random fill)."""
        _, ny = self.calculate_size(n)
        if n == 0:
            return np.empty((3, 0))
        ix, iy = np.divmod(np.arange(n), ny)
        positions = np.empty((3, n))
        positions[0] = self.x0 + self.dx * ix
        positions[1] = self.y0 + self.dy * iy
        positions[2] = self.z
        if self.fill_order == "random":
            positions = _permute_columns(positions, self.rng)
        return positions


class Grid3D(BaseStructure):
    """Cells on a regular three-dimensional grid.

    The grid has ``nx = cbrt(n * aspect_ratioXY * aspect_ratioXZ)`` points along x,
    ``ny = nx / aspect_ratioXY`` along y and ``nz = nx / aspect_ratioXZ`` along z (all
    whole numbers).  Cell ``k`` sits at grid point ``(ix, iy, iz)`` with z varying
    fastest, then y, then x; its position is ``(x0 + dx*ix, y0 + dy*iy, z0 + dz*iz)``.

    Parameters
    ----------
    aspect_ratioXY, aspect_ratioXZ : float
        ``nx / ny`` and ``nx / nz``.
    dx, dy, dz : float
        Grid spacing.
    x0, y0, z0 : float
        Position of grid point (0, 0, 0).
    fill_order : {'sequential', 'random'}
    rng : AbstractRNG, optional
        Used for ``fill_order='random'``; default an unseeded :class:`~pyNN.random.NumpyRNG`.
    """

    parameter_names = ("aspect_ratioXY", "aspect_ratioXZ", "dx", "dy", "dz", "x0", "y0", "z0",
                       "fill_order")
    _summary = "Cells on a three-dimensional grid"

    def __init__(self, aspect_ratioXY=1.0, aspect_ratioXZ=1.0, dx=1.0, dy=1.0, dz=1.0,
                 x0=0.0, y0=0.0, z0=0, fill_order="sequential", rng=None):
        _check_real("Grid3D", "aspect_ratioXY", aspect_ratioXY, positive=True)
        _check_real("Grid3D", "aspect_ratioXZ", aspect_ratioXZ, positive=True)
        for name, value in (("dx", dx), ("dy", dy), ("dz", dz), ("x0", x0), ("y0", y0), ("z0", z0)):
            _check_real("Grid3D", name, value)
        self.aspect_ratioXY, self.aspect_ratioXZ = aspect_ratioXY, aspect_ratioXZ
        self.dx, self.dy, self.dz = dx, dy, dz
        self.x0, self.y0, self.z0 = x0, y0, z0
        self.fill_order = _check_fill_order("Grid3D", fill_order)
        self.rng = rng if rng is not None else NumpyRNG()

    def calculate_size(self, n):
        """Return ``(nx, ny, nz)`` for `n` cells, or raise if `n` does not fit."""
        n = _check_size("Grid3D", n)
        if n == 0:
            return 0, 0, 0
        nx_exact = (n * self.aspect_ratioXY * self.aspect_ratioXZ) ** (1.0 / 3.0)
        ny_exact = nx_exact / self.aspect_ratioXY
        nz_exact = nx_exact / self.aspect_ratioXZ
        sides = [round(v) for v in (nx_exact, ny_exact, nz_exact)]
        whole = all(abs(v - s) <= _GRID_TOLERANCE * max(1.0, v)
                    for v, s in zip((nx_exact, ny_exact, nz_exact), sides))
        if not whole or min(sides) < 1 or math.prod(sides) != n:
            raise errors.InvalidDimensionsError(
                f"Grid3D: n={n} cells cannot be laid out with aspect_ratioXY={self.aspect_ratioXY!r} "
                f"and aspect_ratioXZ={self.aspect_ratioXZ!r}: that needs nx={nx_exact:g}, "
                f"ny={ny_exact:g}, nz={nz_exact:g} points per side, which must be whole numbers "
                f"with nx*ny*nz = n.")
        return tuple(sides)

    def generate_positions(self, n):
        """Return positions of shape (3, n), z varying fastest (before any random fill)."""
        _, ny, nz = self.calculate_size(n)
        if n == 0:
            return np.empty((3, 0))
        ix, rest = np.divmod(np.arange(n), ny * nz)
        iy, iz = np.divmod(rest, nz)
        positions = np.empty((3, n))
        positions[0] = self.x0 + self.dx * ix
        positions[1] = self.y0 + self.dy * iy
        positions[2] = self.z0 + self.dz * iz
        if self.fill_order == "random":
            positions = _permute_columns(positions, self.rng)
        return positions


class Shape(_Parameterised):
    """Base class of volumes that :class:`RandomStructure` samples uniformly."""

    def sample(self, n, rng):
        """Return `n` points drawn uniformly in the shape, as an array of shape (n, 3),
        relative to the shape's centre."""
        raise missing_hook(self, "sample")


class Cuboid(Shape):
    """A box centred on the origin.

    Parameters
    ----------
    width, height, depth : float
        Extent along x, y and z.
    """

    parameter_names = ("width", "height", "depth")
    _summary = "Box-shaped volume"

    def __init__(self, width, height, depth):
        for name, value in (("width", width), ("height", height), ("depth", depth)):
            _check_real("Cuboid", name, value, non_negative=True)
        self.width, self.height, self.depth = width, height, depth

    def sample(self, n, rng):
        """Return `n` points uniform in the box, shape (n, 3)."""
        n = _check_size("Cuboid", n)
        unit = rng.next(3 * n, "uniform", {"low": -1.0, "high": 1.0}).reshape(n, 3)
        return 0.5 * unit * np.array([self.width, self.height, self.depth], dtype=float)


class Sphere(Shape):
    """A ball centred on the origin.

    Parameters
    ----------
    radius : float
    """

    parameter_names = ("radius",)
    _summary = "Spherical volume"

    def __init__(self, radius):
        _check_real("Sphere", "radius", radius, non_negative=True)
        self.radius = radius

    def sample(self, n, rng):
        """Return `n` points uniform in the ball, shape (n, 3).

        Points are drawn uniformly in the enclosing cube and those outside the ball are
        rejected, in batches, until there are enough.
        """
        n = _check_size("Sphere", n)
        points = np.empty((n, 3))
        filled = 0
        while filled < n:
            needed = n - filled
            # About 52% (pi/6) of the cube is inside the ball; ask for a bit more than twice.
            batch = 2 * needed + 16
            candidates = rng.next(3 * batch, "uniform", {"low": -1.0, "high": 1.0}).reshape(batch, 3)
            inside = candidates[np.einsum("ij,ij->i", candidates, candidates) <= 1.0][:needed]
            points[filled:filled + len(inside)] = inside
            filled += len(inside)
        return points * float(self.radius)


class RandomStructure(BaseStructure):
    """Cells placed uniformly at random inside a volume.

    Parameters
    ----------
    boundary : Shape
        The volume, e.g. ``Cuboid(100, 100, 50)`` or ``Sphere(30)``.
    origin : sequence of three floats
        Position of the centre of the volume.
    rng : AbstractRNG, optional
        Default: an unseeded :class:`~pyNN.random.NumpyRNG`.
    """

    parameter_names = ("boundary", "origin", "rng")
    _summary = "Cells placed uniformly at random inside a volume"

    def __init__(self, boundary, origin=(0.0, 0.0, 0.0), rng=None):
        if not callable(getattr(boundary, "sample", None)):
            raise errors.InvalidParameterValueError(
                f"RandomStructure: boundary={boundary!r} is not allowed; it must be a shape with a "
                f"sample(n, rng) method, such as Cuboid or Sphere.")
        if np.shape(origin) != (3,):
            raise errors.InvalidParameterValueError(
                f"RandomStructure: origin={origin!r} is not allowed; it must be three numbers (x, y, z).")
        for axis_name, value in zip("xyz", origin):
            _check_real("RandomStructure", f"origin ({axis_name})", value)
        self.boundary = boundary
        self.origin = tuple(float(v) for v in origin)
        self.rng = rng if rng is not None else NumpyRNG()

    def generate_positions(self, n):
        """Return positions of shape (3, n), uniform inside the boundary."""
        n = _check_size("RandomStructure", n)
        points = np.asarray(self.boundary.sample(n, self.rng), dtype=float)
        return np.ascontiguousarray((points + np.asarray(self.origin)).T)
