"""Tests for pyNN.space: distances, periodic boundaries, structures and shapes."""

from types import SimpleNamespace

import numpy as np
import pytest
from lazyarray import larray

from pyNN import errors
from pyNN.random import NumpyRNG
from pyNN.space import (
    BaseStructure,
    Cuboid,
    Grid2D,
    Grid3D,
    Line,
    RandomStructure,
    Space,
    Sphere,
    distance,
)

# --------------------------------------------------------------------------- Space.distances

A = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]])         # two cells: (0,0,0), (1,2,3)
B = np.array([[3.0, 0.0, 1.0], [4.0, 0.0, 2.0], [0.0, 12.0, 3.0]])  # (3,4,0), (0,0,12), (1,2,3)


def test_distances_all_axes_hand_computed():
    d = Space().distances(A, B)
    expected = np.array([[5.0, 12.0, np.sqrt(14)],
                         [np.sqrt(4 + 4 + 9), np.sqrt(1 + 4 + 81), 0.0]])
    assert d.shape == (2, 3)
    assert np.allclose(d, expected)


@pytest.mark.parametrize("axes, expected", [
    ("x", [[3, 0, 1], [2, 1, 0]]),
    ("y", [[4, 0, 2], [2, 2, 0]]),
    ("z", [[0, 12, 3], [3, 9, 0]]),
    ("xy", [[5, 0, np.sqrt(5)], [np.sqrt(8), np.sqrt(5), 0]]),
    ("xz", [[3, 12, np.sqrt(10)], [np.sqrt(13), np.sqrt(82), 0]]),
    ("yz", [[4, 12, np.sqrt(13)], [np.sqrt(13), np.sqrt(85), 0]]),
    ("xyz", [[5, 12, np.sqrt(14)], [np.sqrt(17), np.sqrt(86), 0]]),
])
def test_distances_selected_axes(axes, expected):
    assert np.allclose(Space(axes=axes).distances(A, B), expected)


def test_distances_single_positions_and_expand():
    s = Space(axes="xz")
    d = s.distances(np.array([0.0, 0.0, 0.0]), np.array([3.0, 9.0, -4.0]))
    assert d.shape == (1, 1) and d[0, 0] == pytest.approx(5.0)
    e = s.distances(A, B, expand=True)
    assert e.shape == (2, 2, 3)
    assert np.allclose(e[0], [[3, 0, 1], [2, 1, 0]]) and np.allclose(e[1], [[0, 12, 3], [3, 9, 0]])


def test_distances_scale_factor_and_offset_apply_to_post_only():
    s = Space(scale_factor=2.0, offset=1.0)
    # post (1,1,1) -> 2*((1,1,1)+1) = (4,4,4); pre at origin
    assert s.distances([0, 0, 0], [1, 1, 1])[0, 0] == pytest.approx(np.sqrt(48))
    # pre is not transformed
    assert s.distances([4, 4, 4], [1, 1, 1])[0, 0] == pytest.approx(0.0)
    per_axis = Space(offset=np.array([1.0, 0.0, 0.0]))
    assert per_axis.distances([0, 0, 0], [[0, 2], [0, 0], [0, 0]]).tolist() == [[1.0, 3.0]]


def test_periodic_boundaries_minimum_image():
    s = Space(periodic_boundaries=((0, 10), (0, 10), None))
    pre = np.array([[1.0], [1.0], [0.0]])
    post = np.array([[9.0, 5.0, 1.0], [1.0, 9.5, 1.0], [0.0, 0.0, 8.0]])
    d = s.distances(pre, post)
    # x wraps: |1-9| = 8 -> 2;  y wraps: |1-9.5| = 8.5 -> 1.5;  z is not periodic
    assert np.allclose(d, [[2.0, np.sqrt(16 + 1.5**2), 8.0]])
    # positions outside the box are folded back too
    assert s.distances([1, 1, 0], [21, 1, 0])[0, 0] == pytest.approx(0.0)
    assert s.distances([0, 0, 0], [5, 0, 0])[0, 0] == pytest.approx(5.0)  # half box: either way


def test_periodic_boundaries_with_axes_and_expand():
    s = Space(axes="y", periodic_boundaries=(None, (-5, 5), None))
    assert s.distances([0, -4, 0], [100, 4, 7])[0, 0] == pytest.approx(2.0)
    assert np.allclose(s.distances([0, -4, 0], [0, 4, 0], expand=True), [[[2.0]]])


def test_distances_large_is_vectorised():
    rng = np.random.RandomState(0)
    pre, post = rng.uniform(0, 100, (3, 400)), rng.uniform(0, 100, (3, 300))
    d = Space().distances(pre, post)
    ref = np.sqrt(((pre[:, :, None] - post[:, None, :]) ** 2).sum(axis=0))
    assert np.allclose(d, ref)


@pytest.mark.parametrize("kwargs, match", [
    ({"axes": "w"}, "axes='w'.*'xyz'"),
    ({"axes": "yx"}, "axes='yx'"),
    ({"axes": ["x"]}, r"axes=\['x'\]"),
    ({"periodic_boundaries": ((0, 10), (0, 10))}, "one entry per axis"),
    ({"periodic_boundaries": ((0, 10), (5, 5), None)}, "axis y"),
    ({"scale_factor": "big"}, "scale_factor='big'"),
    ({"offset": [1, 2]}, r"offset=\[1, 2\]"),
])
def test_space_bad_arguments(kwargs, match):
    with pytest.raises(errors.InvalidParameterValueError, match=match):
        Space(**kwargs)


def test_distances_bad_shape():
    with pytest.raises(errors.InvalidDimensionsError, match=r"A must have shape \(3,\)"):
        Space().distances(np.zeros((2, 4)), np.zeros(3))


# --------------------------------------------------------------------------- distance_generator

def test_distance_generator_pairs_and_broadcasts():
    pre_pos = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    post_pos = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 0.0]])
    s = Space(periodic_boundaries=(None, (0, 6), None))
    gen = s.distance_generator(lambda i: pre_pos[:, i], lambda j: post_pos[:, j])
    full = s.distances(pre_pos, post_pos)
    assert gen(1, 0) == pytest.approx(full[1, 0])
    assert np.allclose(gen(np.array([0, 2]), np.array([1, 0])), [full[0, 1], full[2, 0]])
    assert np.allclose(gen(np.arange(3), 1), full[:, 1])
    assert np.allclose(gen(2, np.arange(2)), full[2, :])
    ii, jj = np.meshgrid(np.arange(3), np.arange(2), indexing="ij")
    assert np.allclose(gen(ii, jj), full)


def test_distance_generator_as_larray_base_value():
    pre_pos = np.random.RandomState(1).uniform(0, 10, (3, 5))
    post_pos = np.random.RandomState(2).uniform(0, 10, (3, 4))
    s = Space(axes="xy", scale_factor=0.5)
    la = larray(s.distance_generator(lambda i: pre_pos[:, i], lambda j: post_pos[:, j]), shape=(5, 4))
    full = s.distances(pre_pos, post_pos)
    assert np.allclose(la[:, 2], full[:, 2])
    assert np.allclose(la[3, :], full[3, :])
    assert np.allclose(la[1:4, 1:3], full[1:4, 1:3])


# --------------------------------------------------------------------------- distance()

def test_distance_between_cells():
    a, b = SimpleNamespace(position=np.array([0.0, 0.0, 0.0])), SimpleNamespace(position=np.array([3.0, 4.0, 12.0]))
    assert distance(a, b) == pytest.approx(13.0)
    assert distance(a, b, mask=np.array([0, 1])) == pytest.approx(5.0)
    assert distance(a, b, scale_factor=2.0) == pytest.approx(26.0)
    assert distance(a, b, offset=-1.0) == pytest.approx(np.sqrt(4 + 9 + 121))
    assert distance(a, b, periodic_boundaries=((0, 10), (0, 10), (0, 10))) == pytest.approx(np.sqrt(9 + 16 + 4))


# --------------------------------------------------------------------------- structures

def test_line():
    pos = Line(dx=2.0, x0=1.0, y=5.0, z=-1.0).generate_positions(4)
    assert pos.shape == (3, 4) and pos.dtype == float
    assert np.array_equal(pos, [[1, 3, 5, 7], [5, 5, 5, 5], [-1, -1, -1, -1]])
    assert Line().generate_positions(0).shape == (3, 0)


def test_grid2d_ordering_y_fastest():
    pos = Grid2D().generate_positions(9)
    assert pos.shape == (3, 9)
    assert [tuple(p) for p in pos[:2].T[:4]] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert np.all(pos[2] == 0)


def test_grid2d_aspect_ratio_spacing_and_origin():
    g = Grid2D(aspect_ratio=2.0, dx=10.0, dy=3.0, x0=1.0, y0=-1.0, z=7.0)
    assert g.calculate_size(8) == (4, 2)
    pos = g.generate_positions(8)
    assert np.array_equal(pos[0], 1.0 + 10.0 * np.array([0, 0, 1, 1, 2, 2, 3, 3]))
    assert np.array_equal(pos[1], -1.0 + 3.0 * np.array([0, 1, 0, 1, 0, 1, 0, 1]))
    assert np.all(pos[2] == 7.0)
    assert Grid2D(aspect_ratio=1 / 3).calculate_size(12) == (2, 6)


def test_grid2d_invalid_size_message():
    with pytest.raises(errors.InvalidDimensionsError) as info:
        Grid2D().generate_positions(10)
    msg = str(info.value)
    assert "n=10" in msg and "aspect_ratio=1.0" in msg and "9, 16" in msg
    with pytest.raises(errors.InvalidDimensionsError, match="aspect_ratio=2.0"):
        Grid2D(aspect_ratio=2.0).generate_positions(9)


def test_grid2d_random_fill_is_permutation_reproducible():
    seq = Grid2D().generate_positions(16)
    rnd = Grid2D(fill_order="random", rng=NumpyRNG(seed=3)).generate_positions(16)
    assert not np.array_equal(seq, rnd)
    assert sorted(map(tuple, rnd.T)) == sorted(map(tuple, seq.T))
    assert np.array_equal(rnd, Grid2D(fill_order="random", rng=NumpyRNG(seed=3)).generate_positions(16))
    assert np.array_equal(rnd, seq[:, np.random.RandomState(3).permutation(16)])


def test_grid3d_ordering_z_fastest():
    pos = Grid3D(dx=1.0, dy=10.0, dz=100.0, x0=0.5).generate_positions(8)
    assert pos.shape == (3, 8)
    idx = [(p[0] - 0.5, p[1] / 10, p[2] / 100) for p in pos.T]
    assert idx == [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1)]


def test_grid3d_aspect_ratios():
    g = Grid3D(aspect_ratioXY=2.0, aspect_ratioXZ=0.5)
    assert g.calculate_size(64) == (4, 2, 8)
    pos = g.generate_positions(64)
    assert sorted(set(pos[0])) == [0, 1, 2, 3]
    assert sorted(set(pos[1])) == [0, 1] and sorted(set(pos[2])) == list(range(8))
    with pytest.raises(errors.InvalidDimensionsError, match="n=32.*aspect_ratioXY=2.0"):
        g.generate_positions(32)


def test_grid3d_random_fill():
    rnd = Grid3D(fill_order="random", rng=NumpyRNG(seed=1)).generate_positions(27)
    seq = Grid3D().generate_positions(27)
    assert sorted(map(tuple, rnd.T)) == sorted(map(tuple, seq.T)) and not np.array_equal(rnd, seq)


@pytest.mark.parametrize("factory, match", [
    (lambda: Grid2D(aspect_ratio=0), "aspect_ratio=0 .*positive"),
    (lambda: Grid2D(fill_order="spiral"), "fill_order='spiral'.*'sequential' or 'random'"),
    (lambda: Grid3D(aspect_ratioXZ=-1.0), "aspect_ratioXZ=-1.0"),
    (lambda: Line(dx="1"), "dx='1'"),
    (lambda: Cuboid(1, -2, 3), "height=-2"),
    (lambda: Sphere(np.nan), "radius=nan"),
    (lambda: RandomStructure(boundary="box"), "boundary='box'"),
    (lambda: RandomStructure(Sphere(1), origin=(0, 0)), r"origin=\(0, 0\)"),
    (lambda: Line().generate_positions(-1), "n=-1"),
])
def test_structure_bad_arguments(factory, match):
    with pytest.raises(errors.InvalidParameterValueError, match=match):
        factory()


def test_parameters_equality_and_describe():
    g = Grid2D(aspect_ratio=2.0, dx=3.0)
    assert g.get_parameters() == {"aspect_ratio": 2.0, "dx": 3.0, "dy": 1.0, "x0": 0.0, "y0": 0.0,
                                  "z": 0, "fill_order": "sequential"}
    assert g.parameter_names[0] == "aspect_ratio"
    assert g == Grid2D(aspect_ratio=2.0, dx=3.0, rng=NumpyRNG(seed=1))  # rng is not a parameter
    assert g != Grid2D(aspect_ratio=2.0, dx=4.0)
    assert Line() != Grid2D() and Line() == Line()
    assert Cuboid(1, 2, 3) == Cuboid(1, 2, 3) and Cuboid(1, 2, 3) != Sphere(1)
    assert isinstance(g, BaseStructure)
    text = g.describe()
    assert isinstance(text, str) and "Grid2D" in text and "aspect_ratio=2.0" in text
    assert g.describe(template=None) == {"name": "Grid2D", "parameters": g.get_parameters()}
    rng = NumpyRNG(seed=1)
    rs = RandomStructure(Sphere(2.0), origin=(1, 2, 3), rng=rng)
    assert rs == RandomStructure(Sphere(2.0), origin=(1.0, 2.0, 3.0), rng=rng)
    assert rs != RandomStructure(Sphere(3.0), origin=(1, 2, 3), rng=rng)
    assert "Sphere(radius=2.0)" in rs.describe()


# --------------------------------------------------------------------------- random structures

def test_cuboid_sample_bounds_and_uniformity():
    pts = Cuboid(4.0, 2.0, 0.5).sample(20_000, NumpyRNG(seed=1))
    assert pts.shape == (20_000, 3)
    half = np.array([2.0, 1.0, 0.25])
    assert np.all(np.abs(pts) <= half)
    assert np.allclose(pts.max(axis=0), half, rtol=0.01) and np.allclose(pts.min(axis=0), -half, rtol=0.01)
    assert np.allclose(pts.mean(axis=0), 0, atol=0.03)
    assert np.allclose(pts.var(axis=0), (2 * half) ** 2 / 12, rtol=0.05)


def test_sphere_sample_bounds_and_uniformity():
    r = 3.0
    pts = Sphere(r).sample(20_000, NumpyRNG(seed=2))
    assert pts.shape == (20_000, 3)
    radii = np.linalg.norm(pts, axis=1)
    assert radii.max() <= r
    # uniform in the ball: P(|x| < r/2) = 1/8 and E|x| = 3r/4
    assert np.mean(radii < r / 2) == pytest.approx(0.125, abs=0.01)
    assert radii.mean() == pytest.approx(0.75 * r, rel=0.01)
    assert np.allclose(pts.mean(axis=0), 0, atol=0.05)
    assert Sphere(1.0).sample(0, NumpyRNG(seed=1)).shape == (0, 3)


def test_random_structure_positions():
    rs = RandomStructure(Cuboid(2, 2, 2), origin=(10.0, -5.0, 1.0), rng=NumpyRNG(seed=4))
    pos = rs.generate_positions(500)
    assert pos.shape == (3, 500) and pos.dtype == float
    assert np.all(np.abs(pos - np.array([[10.0], [-5.0], [1.0]])) <= 1.0)
    again = RandomStructure(Cuboid(2, 2, 2), origin=(10.0, -5.0, 1.0), rng=NumpyRNG(seed=4))
    assert np.array_equal(pos, again.generate_positions(500))
    sph = RandomStructure(Sphere(5.0), rng=NumpyRNG(seed=5)).generate_positions(300)
    assert np.linalg.norm(sph, axis=0).max() <= 5.0


def test_random_structure_default_rng():
    rs = RandomStructure(Sphere(1.0))
    assert isinstance(rs.rng, NumpyRNG) and rs.rng.seed is None
    assert rs.generate_positions(3).shape == (3, 3)
