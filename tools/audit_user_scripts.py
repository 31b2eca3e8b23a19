# The checks are written as users write scripts (objects made only for their side effects,
# expressions evaluated for the error they raise), which these rules would flag.
# ruff: noqa: B007, B018, B904, E712, E741, F841, RUF015
"""User scripts written the way PyNN 0.13 users write them, run on one backend.

An audit of the less-travelled API surface (views, assemblies, IDs, structures and spaces,
every connector, Projection get/set/save, recording and files, reset and segments, the
procedural and deprecated API). Each check is a short script that asserts the documented
result; a few print values that differ by design (see doc/differences.md). Usage::

    python tools/audit_user_scripts.py nest [check_name ...]

prints one PASS/FAIL line per check (the list is in doc/pynn_scripts.md, "User-script audit").
"""

import importlib
import os
import pickle
import sys
import tempfile
import traceback
import warnings

import numpy as np

from pyNN.core import IndexBasedExpression
from pyNN.parameters import Sequence
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.recording import files
from pyNN.space import Cuboid, Grid2D, Grid3D, Line, RandomStructure, Space, Sphere

warnings.simplefilter("ignore")
sim = importlib.import_module("pyNN." + (sys.argv[1] if len(sys.argv) > 1 else "nest"))
TMP = tempfile.mkdtemp()
CHECKS = []


def check(f):
    CHECKS.append(f)
    return f


def pairs(prj):
    """Sorted (pre, post) index pairs of a projection."""
    return sorted((int(c[0]), int(c[1])) for c in prj.get("weight", format="list"))


# --- User-script style checks, part A: populations, views, assemblies, IDs, structures. -
@check
def view_slices():
    sim.setup()
    p = sim.Population(10, sim.IF_cond_exp(), label="P")
    v = p[2:8:2]
    assert v.size == 3, v.size
    assert list(v.all_cells) == [p[2], p[4], p[6]]
    assert list(v.mask) == [2, 4, 6] or list(np.arange(10)[v.mask]) == [2, 4, 6]
    neg = p[-3:]
    assert list(neg.all_cells) == list(p.all_cells[-3:])
    assert p[-1] == p.all_cells[-1]
    bm = p[np.array([i % 3 == 0 for i in range(10)])]
    assert list(bm.all_cells) == [p[0], p[3], p[6], p[9]], bm.all_cells
    arr = p[np.array([7, 1, 4])]
    assert arr.size == 3
    lst = p[[1, 5]]
    assert lst.size == 2
    vv = p[1:9][::2]  # view of view: parent indices 1,3,5,7
    assert list(vv.all_cells) == [p[1], p[3], p[5], p[7]], vv.all_cells
    assert vv.grandparent is p
    assert list(vv.index_in_grandparent([0, 3])) == [1, 7]
    vvv = vv[[-1]]
    assert list(vvv.all_cells) == [p[7]]
    assert vv[-1] == p[7]
    assert p.id_to_index(p[7]) == 7
    assert vv.id_to_index(p[5]) == 2
    assert p[2:5] == p[2:5]
    assert p[2:5] != p[2:6]
    tup = p[(1, 2)]
    assert tup.size == 2
    print("label", v.label)


@check
def view_set_get_record():
    sim.setup()
    p = sim.Population(6, sim.IF_curr_exp(i_offset=0.0), label="Q")
    v = p[[1, 3, 5]]
    v.set(i_offset=2.0)
    io = p.get("i_offset")
    assert np.allclose(io, [0, 2, 0, 2, 0, 2]), io
    assert np.allclose(v.get("i_offset"), 2.0)
    vv = v[1:]
    vv.set(tau_m=np.array([10.0, 12.0]))
    assert np.allclose(p.get("tau_m"), [20, 20, 20, 10, 20, 12]), p.get("tau_m")
    vv.record("spikes")
    v.record("v")
    sim.run(50)
    blk = vv.get_data()
    sts = blk.segments[0].spiketrains
    assert len(sts) == 2, len(sts)
    assert [st.annotations["source_index"] for st in sts] == [3, 5], [st.annotations for st in sts]
    assert all(len(st) > 0 for st in sts)
    vs = blk.segments[0].analogsignals
    assert len(vs) == 1 and vs[0].shape[1] == 2, [a.shape for a in vs]
    full = p.get_data()
    assert len(full.segments[0].spiketrains) == 2
    assert full.segments[0].analogsignals[0].shape[1] == 3
    sim.end()


@check
def view_initialize():
    sim.setup()
    p = sim.Population(4, sim.IF_curr_exp(), label="R")
    p[1:3].initialize(v=-55.0)
    p.record("v")
    sim.run(1.0)
    sig = p.get_data().segments[0].analogsignals[0]
    assert np.allclose(np.asarray(sig[0]).ravel(), [-65, -55, -55, -65]), sig[0]
    sim.end()


@check
def assembly_basic():
    sim.setup()
    a = sim.Population(3, sim.IF_cond_exp(), label="A")
    b = sim.Population(4, sim.IF_cond_exp(), label="B")
    c = sim.Population(2, sim.IF_cond_exp(), label="C")
    asm = a + b
    assert isinstance(asm, sim.Assembly)
    assert asm.size == 7 and len(asm) == 7
    asm2 = asm + c
    assert asm2.size == 9
    asm3 = sum([a, b, c], sim.Assembly())
    assert asm3.size == 9, asm3.size
    assert asm2[3] == b[0]
    assert asm2[-1] == c[1]
    sub = asm2[2:5]
    assert isinstance(sub, sim.Assembly) and sub.size == 3
    assert list(sub.all_cells) == [a[2], b[0], b[1]]
    assert asm2.id_to_index(c[0]) == 7
    assert asm2.get_population("B") is b
    asm += c
    assert asm.size == 9
    assert np.isscalar(asm.get("tau_m")) or asm.get("tau_m").shape == (9,)
    asm.set(tau_m=15.0)
    assert np.allclose(b.get("tau_m"), 15.0)
    asm.set(v_thresh=np.arange(9) - 60.0)
    assert np.allclose(c.get("v_thresh"), [-53, -52])
    d = asm.describe()
    assert "A" in d and "B" in d
    dd = asm.describe(template=None)
    assert isinstance(dd, dict), type(dd)
    assert asm.positions.shape == (3, 9)
    s = asm.sample(4, rng=NumpyRNG(3))
    assert s.size == 4
    asm.initialize(v=-60.0)
    assert asm.conductance_based
    assert "excitatory" in asm.receptor_types


@check
def assembly_record():
    sim.setup()
    a = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="A")
    b = sim.Population(2, sim.IF_curr_exp(i_offset=0.0), label="B")
    asm = sim.Assembly(a, b, label="AB")
    asm.record(["v", "spikes"])
    sim.run(30)
    blk = asm.get_data()
    assert blk.name == "AB", blk.name
    seg = blk.segments[0]
    assert len(seg.spiketrains) == 5, len(seg.spiketrains)
    v = [s for s in seg.analogsignals if s.name == "v"][0]
    assert v.shape == (301, 5), v.shape
    assert list(v.array_annotations["channel_index"]) == [0, 1, 2, 3, 4]
    counts = asm.get_spike_counts()
    assert len(counts) == 5
    assert counts[a[0]] > 0 and counts[b[0]] == 0
    m = asm.mean_spike_count()
    assert abs(m - sum(counts.values()) / 5) < 1e-9, m
    with tempfile.TemporaryDirectory() as d:
        asm.write_data(os.path.join(d, "x.pkl"))
        import pickle

        with open(os.path.join(d, "x.pkl"), "rb") as f:
            blk2 = pickle.load(f)
        assert len(blk2.segments[0].spiketrains) == 5
    sim.end()


@check
def id_properties():
    sim.setup()
    p = sim.Population(3, sim.IF_cond_exp(tau_m=12.0), label="I")
    i = p[1]
    params = i.get_parameters()
    assert abs(params["tau_m"] - 12.0) < 1e-9, params
    i.set_parameters(tau_m=17.0, cm=0.5)
    assert np.allclose(p.get("tau_m"), [12, 17, 12])
    assert abs(i.tau_m - 17.0) < 1e-9
    i.v_thresh = -52.0
    assert np.allclose(p.get("v_thresh"), [-50, -52, -50])
    assert i.local is True or i.local == True
    assert i.parent is p
    assert i.celltype is p.celltype
    pos = i.position
    assert np.allclose(pos, [1, 0, 0]), pos
    i.position = (5.0, 6.0, 7.0)
    assert np.allclose(p.positions[:, 1], [5, 6, 7])
    assert np.allclose(i.get_initial_value("v"), -65.0)
    i.set_initial_value("v", -60.0)
    assert np.allclose(i.get_initial_value("v"), -60.0)
    av = i.as_view()
    assert av.size == 1 and av[0] == i
    try:
        i.set(tau_m=3)
    except AttributeError:
        pass
    else:
        raise AssertionError("id.set should raise AttributeError")
    try:
        i.nonsense_param
    except (AttributeError, KeyError):
        pass


@check
def structures():
    sim.setup()
    p = sim.Population(5, sim.IF_cond_exp(), structure=Line(dx=2.0, x0=1.0, y=3.0))
    assert np.allclose(p.positions[0], [1, 3, 5, 7, 9]) and np.allclose(p.positions[1], 3)
    g = sim.Population(6, sim.IF_cond_exp(), structure=Grid2D(aspect_ratio=1.5, dx=2.0, dy=3.0))
    pos = g.positions
    # nx = sqrt(6*1.5)=3, ny=2 ; y fastest
    assert np.allclose(pos[0], [0, 0, 2, 2, 4, 4]), pos
    assert np.allclose(pos[1], [0, 3, 0, 3, 0, 3]), pos
    g3 = sim.Population(8, sim.IF_cond_exp(), structure=Grid3D())
    assert np.allclose(g3.positions[2], [0, 1, 0, 1, 0, 1, 0, 1])
    s = sim.Population(
        200, sim.IF_cond_exp(), structure=RandomStructure(Sphere(10.0), origin=(1, 2, 3), rng=NumpyRNG(5))
    )
    r = np.linalg.norm(s.positions - np.array([[1], [2], [3]]), axis=0)
    assert r.max() <= 10.0 + 1e-9
    c = sim.Population(200, sim.IF_cond_exp(), structure=RandomStructure(Cuboid(2, 4, 6), rng=NumpyRNG(5)))
    assert np.all(np.abs(c.positions[0]) <= 1) and np.all(np.abs(c.positions[2]) <= 3)
    assert np.abs(c.positions[2]).max() > 2
    t = sim.Population((3, 4), sim.IF_cond_exp())
    assert t.size == 12 and isinstance(t.structure, Grid2D)
    assert t.nearest((2.1, 0.9, 0)) == t[2 * 4 + 1], t.nearest((2.1, 0.9, 0))
    vpos = t[3:5].positions
    assert vpos.shape == (3, 2)
    newpos = np.random.rand(3, 12)
    t.positions = newpos
    assert np.allclose(t.positions, newpos)
    with tempfile.TemporaryDirectory() as d:
        p.save_positions(os.path.join(d, "pos.txt"))
        data = np.loadtxt(os.path.join(d, "pos.txt"))
        assert data.shape == (5, 4), data.shape
        assert np.allclose(data[:, 1], [1, 3, 5, 7, 9])


@check
def space_periodic():
    sim.setup()
    p = sim.Population(10, sim.IF_cond_exp(), structure=Line())
    sp = Space(periodic_boundaries=((0, 10), None, None))
    d = sp.distances(p.positions[:, :1], p.positions)
    assert np.allclose(d.ravel(), [0, 1, 2, 3, 4, 5, 4, 3, 2, 1]), d
    sp2 = Space(axes="y")
    d2 = sp2.distances(p.positions[:, :1], p.positions)
    assert np.allclose(d2, 0)
    prj = sim.Projection(
        p,
        p,
        sim.DistanceDependentProbabilityConnector("d<1.5", allow_self_connections=False),
        sim.StaticSynapse(weight=0.01),
        space=sp,
    )
    conns = prj.get("weight", format="list")
    pairs = sorted((int(a), int(b)) for a, b, w in conns)
    assert len(pairs) == 20, pairs
    assert (0, 9) in pairs and (9, 0) in pairs


@check
def population_misc():
    sim.setup()
    p = sim.Population(4, sim.IF_cond_exp(), label="M")
    assert p.label == "M"
    assert len(list(p)) == 4
    assert p.local_size == 4
    assert p.is_local(p[0])
    assert p.first_id == p[0] and p.last_id == p[3]
    d = p.describe(template=None)
    assert d["size"] == 4 and d["label"] == "M", d
    s = p.describe()
    assert "M" in s
    p.annotate(foo="bar")
    assert p.can_record("v") and not p.can_record("w")
    v = p.sample(2, rng=NumpyRNG(1))
    assert v.size == 2
    d = p.get(["tau_m", "cm"])
    assert len(d) == 2
    p2 = sim.Population(3, sim.SpikeSourceArray(spike_times=[[1.0], [2.0, 3.0], []]))
    st = p2.get("spike_times")
    assert len(st) == 3 and list(st[1].value) == [2.0, 3.0], st


# --- User-script style checks, part B: connectors and projections. ----------------------
@check
def alltoall_noself():
    sim.setup()
    p = sim.Population(4, sim.IF_cond_exp())
    prj = sim.Projection(
        p, p, sim.AllToAllConnector(allow_self_connections=False), sim.StaticSynapse(weight=0.01, delay=1.0)
    )
    assert prj.size() == 12 and len(prj) == 12, (prj.size(), len(prj))
    assert all(a != b for a, b in pairs(prj))
    w = prj.get("weight", format="array")
    assert w.shape == (4, 4) and np.isnan(np.diag(w)).all() and np.allclose(w[0, 1:], 0.01)
    # view to view self connections: same cells through views
    v1, v2 = p[0:3], p[1:4]
    prj2 = sim.Projection(
        v1, v2, sim.AllToAllConnector(allow_self_connections=False), sim.StaticSynapse(weight=0.01)
    )
    # pre index i in v1 is cell i; post index j in v2 is cell j+1: self pairs are (1,0),(2,1)
    ps = pairs(prj2)
    assert len(ps) == 7, ps
    assert (1, 0) not in ps and (2, 1) not in ps, ps


@check
def onetoone_fixedprob():
    sim.setup()
    a = sim.Population(5, sim.IF_cond_exp())
    b = sim.Population(5, sim.IF_cond_exp())
    prj = sim.Projection(a, b, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.02, delay=0.5))
    assert pairs(prj) == [(i, i) for i in range(5)]
    assert np.allclose(prj.get("delay", format="list", with_address=False), 0.5)
    prj2 = sim.Projection(
        a, b, sim.FixedProbabilityConnector(0.5, rng=NumpyRNG(seed=42)), sim.StaticSynapse(weight=0.02)
    )
    n = prj2.size()
    assert 3 <= n <= 22, n
    prj3 = sim.Projection(a, b, sim.FixedProbabilityConnector(1.0), sim.StaticSynapse(weight=0.02))
    assert prj3.size() == 25
    prj4 = sim.Projection(a, a, sim.FixedProbabilityConnector(1.0, allow_self_connections=False))
    assert prj4.size() == 20
    print("fixedprob n", n)


@check
def fixednumber():
    sim.setup()
    a = sim.Population(6, sim.IF_cond_exp())
    b = sim.Population(4, sim.IF_cond_exp())
    prj = sim.Projection(
        a, b, sim.FixedNumberPreConnector(3, rng=NumpyRNG(1)), sim.StaticSynapse(weight=0.01)
    )
    ps = pairs(prj)
    assert prj.size() == 12
    for j in range(4):
        pre = [x for x, y in ps if y == j]
        assert len(pre) == 3 and len(set(pre)) == 3, ps
    prj = sim.Projection(
        a, b, sim.FixedNumberPostConnector(2, rng=NumpyRNG(1)), sim.StaticSynapse(weight=0.01)
    )
    ps = pairs(prj)
    assert prj.size() == 12
    for i in range(6):
        post = [y for x, y in ps if x == i]
        assert len(post) == 2 and len(set(post)) == 2, ps
    prj = sim.Projection(
        a,
        b,
        sim.FixedNumberPreConnector(10, with_replacement=True, rng=NumpyRNG(1)),
        sim.StaticSynapse(weight=0.01),
    )
    assert prj.size() == 40
    prj = sim.Projection(
        a,
        a,
        sim.FixedNumberPreConnector(5, allow_self_connections=False, rng=NumpyRNG(1)),
        sim.StaticSynapse(weight=0.01),
    )
    ps = pairs(prj)
    assert len(ps) == 30 and all(x != y for x, y in ps)
    prj = sim.Projection(
        a,
        a,
        sim.FixedNumberPostConnector(5, allow_self_connections=False, rng=NumpyRNG(1)),
        sim.StaticSynapse(weight=0.01),
    )
    ps = pairs(prj)
    assert len(ps) == 30 and all(x != y for x, y in ps)
    prj = sim.Projection(
        a,
        b,
        sim.FixedNumberPreConnector(
            RandomDistribution("uniform_int", low=1, high=3, rng=NumpyRNG(2)), rng=NumpyRNG(1)
        ),
        sim.StaticSynapse(weight=0.01),
    )
    assert 4 <= prj.size() <= 12
    prj = sim.Projection(
        a, b, sim.FixedTotalNumberConnector(7, rng=NumpyRNG(1)), sim.StaticSynapse(weight=0.01)
    )
    assert prj.size() == 7
    # PyNN: without replacement, every single connection before any duplicate
    prj = sim.Projection(a, b, sim.FixedNumberPreConnector(8, rng=NumpyRNG(1)), sim.StaticSynapse(weight=0.01))
    w = prj.get("weight", format="array")
    w = np.sort(w, axis=0)  # per post cell: four pre cells once, two twice
    assert prj.size() == 32 and np.allclose(w[-2:], 0.02) and np.allclose(w[:-2], 0.01)


@check
def distance_dependent():
    sim.setup()
    a = sim.Population(10, sim.IF_cond_exp(), structure=Line())
    prj = sim.Projection(
        a,
        a,
        sim.DistanceDependentProbabilityConnector("d < 2.5", allow_self_connections=False),
        sim.StaticSynapse(weight="0.01 + 0.001*d", delay="0.2 + 0.1*d"),
    )
    ps = pairs(prj)
    assert all(0 < abs(x - y) <= 2 for x, y in ps) and len(ps) == 2 * (9 + 8), len(ps)
    lst = prj.get(["weight", "delay"], format="list")
    for i, j, w, d in lst:
        dist = abs(i - j)
        assert abs(w - (0.01 + 0.001 * dist)) < 1e-9, (i, j, w)
        assert abs(d - (0.2 + 0.1 * dist)) < 1e-9, (i, j, d)
    prj2 = sim.Projection(
        a,
        a,
        sim.DistanceDependentProbabilityConnector("exp(-d*d/4.0)", rng=NumpyRNG(3)),
        sim.StaticSynapse(weight=lambda d: 0.01 * d + 0.001),
    )
    w = prj2.get("weight", format="list")
    for i, j, ww in w:
        assert abs(ww - (0.01 * abs(i - j) + 0.001)) < 1e-9
    assert prj2.size() > 10


@check
def index_based_displacement():
    sim.setup()
    a = sim.Population(5, sim.IF_cond_exp(), structure=Line())

    class Diag(IndexBasedExpression):
        def __call__(self, i, j):
            return (i == j + 1).astype(float)

    prj = sim.Projection(a, a, sim.IndexBasedProbabilityConnector(Diag()), sim.StaticSynapse(weight=0.01))
    assert pairs(prj) == [(i + 1, i) for i in range(4)], pairs(prj)

    def fwd(disp):
        return (disp[0] > 0) & (disp[0] < 2)

    prj2 = sim.Projection(
        a, a, sim.DisplacementDependentProbabilityConnector(fwd), sim.StaticSynapse(weight=0.01)
    )
    # displacement is post - pre
    assert pairs(prj2) == [(i, i + 1) for i in range(4)], pairs(prj2)


@check
def small_world():
    sim.setup()
    a = sim.Population(20, sim.IF_cond_exp(), structure=Line())
    prj = sim.Projection(
        a,
        a,
        sim.SmallWorldConnector(degree=2.0, rewiring=0.0, allow_self_connections=False),
        sim.StaticSynapse(weight=0.01),
    )
    ps = pairs(prj)
    assert all(abs(x - y) <= 2 for x, y in ps) and len(ps) > 0, ps
    prj = sim.Projection(
        a,
        a,
        sim.SmallWorldConnector(degree=2.0, rewiring=0.5, rng=NumpyRNG(3)),
        sim.StaticSynapse(weight=0.01),
    )
    assert prj.size() > 0


@check
def from_list_columns():
    sim.setup()
    a = sim.Population(3, sim.IF_cond_exp())
    b = sim.Population(3, sim.IF_cond_exp())
    conn = [(0, 1, 0.01, 0.5), (2, 0, 0.03, 1.5), (1, 1, 0.02, 1.0)]
    prj = sim.Projection(a, b, sim.FromListConnector(conn), sim.StaticSynapse())
    got = sorted(tuple(x) for x in prj.get(["weight", "delay"], format="list"))
    assert np.allclose(got, sorted(conn)), got
    conn2 = [(0, 1, 0.01), (2, 0, 0.03)]
    prj = sim.Projection(
        a, b, sim.FromListConnector(conn2, column_names=["weight"]), sim.StaticSynapse(delay=0.7)
    )
    got = sorted(tuple(x) for x in prj.get(["weight", "delay"], format="list"))
    assert np.allclose(got, [(0, 1, 0.01, 0.7), (2, 0, 0.03, 0.7)]), got
    conn3 = [(0, 1, 0.01, 1.0, 0.6, 50.0), (1, 2, 0.02, 1.0, 0.3, 100.0)]
    prj = sim.Projection(
        a,
        b,
        sim.FromListConnector(conn3, column_names=["weight", "delay", "U", "tau_rec"]),
        sim.TsodyksMarkramSynapse(tau_facil=0.0),
    )
    got = sorted(tuple(x) for x in prj.get(["weight", "U", "tau_rec"], format="list"))
    assert np.allclose(got, [(0, 1, 0.01, 0.6, 50.0), (1, 2, 0.02, 0.3, 100.0)]), got
    conn4 = [(0, 0), (1, 2)]
    prj = sim.Projection(a, b, sim.FromListConnector(conn4), sim.StaticSynapse(weight=0.05))
    assert pairs(prj) == [(0, 0), (1, 2)]
    arr = np.array([[0, 1, 0.01, 0.5], [2, 2, 0.02, 0.5]])
    prj = sim.Projection(a, b, sim.FromListConnector(arr), sim.StaticSynapse())
    assert prj.size() == 2
    try:
        sim.Projection(a, b, sim.FromListConnector([(5, 0, 0.1, 1.0)]), sim.StaticSynapse())
    except Exception as e:
        print("out of range:", type(e).__name__)
    else:
        raise AssertionError("out-of-range index accepted")


@check
def from_file_save():
    sim.setup()
    a = sim.Population(4, sim.IF_cond_exp())
    b = sim.Population(3, sim.IF_cond_exp())
    prj = sim.Projection(
        a,
        b,
        sim.FixedProbabilityConnector(0.6, rng=NumpyRNG(8)),
        sim.StaticSynapse(
            weight=RandomDistribution("uniform", low=0.01, high=0.02, rng=NumpyRNG(3)), delay=1.0
        ),
    )
    with tempfile.TemporaryDirectory() as d:
        fn = os.path.join(d, "conn.txt")
        prj.save("all", fn, format="list")
        prj2 = sim.Projection(a, b, sim.FromFileConnector(fn), sim.StaticSynapse())
        l1 = sorted(tuple(x) for x in prj.get(["weight", "delay"], format="list"))
        l2 = sorted(tuple(x) for x in prj2.get(["weight", "delay"], format="list"))
        assert np.allclose(l1, l2), (l1, l2)
        fn2 = os.path.join(d, "w.txt")
        prj.save("weight", fn2, format="array")
        arr = np.loadtxt(fn2)
        assert arr.shape == (4, 3), arr.shape
        fn3 = os.path.join(d, "w2.txt")
        prj.save(["weight", "delay"], fn3, format="list", with_address=False)
        arr3 = np.loadtxt(fn3)
        assert arr3.shape == (prj.size(), 2), arr3.shape
        # hand-written file in PyNN format
        fn4 = os.path.join(d, "hand.txt")
        with open(fn4, "w") as f:
            f.write("# columns = ['i', 'j', 'weight', 'delay']\n0 0 0.5 1.0\n3 2 0.25 2.0\n")
        prj4 = sim.Projection(a, b, sim.FromFileConnector(fn4), sim.StaticSynapse())
        got = sorted(tuple(x) for x in prj4.get(["weight", "delay"], format="list"))
        assert np.allclose(got, [(0, 0, 0.5, 1.0), (3, 2, 0.25, 2.0)]), got
        fn5 = os.path.join(d, "nohdr.txt")
        np.savetxt(fn5, np.array([[1, 1, 0.1, 1.0], [2, 0, 0.2, 1.0]]))
        prj5 = sim.Projection(a, b, sim.FromFileConnector(fn5), sim.StaticSynapse())
        assert prj5.size() == 2


@check
def clone_array():
    sim.setup()
    a = sim.Population(4, sim.IF_cond_exp())
    b = sim.Population(3, sim.IF_cond_exp())
    prj = sim.Projection(
        a, b, sim.FixedProbabilityConnector(0.5, rng=NumpyRNG(1)), sim.StaticSynapse(weight=0.01)
    )
    c = sim.Projection(
        a, b, sim.CloneConnector(prj), sim.StaticSynapse(weight=0.05), receptor_type="inhibitory"
    )
    assert pairs(c) == pairs(prj)
    assert np.allclose(c.get("weight", format="list", with_address=False), 0.05)
    m = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 0], [1, 1, 1]], dtype=bool)
    arr = sim.Projection(a, b, sim.ArrayConnector(m), sim.StaticSynapse(weight=0.01))
    assert pairs(arr) == sorted(zip(*np.nonzero(m))), pairs(arr)


@check
def csa():
    try:
        import csa  # noqa
    except ImportError:
        try:
            sim.CSAConnector
        except AttributeError:
            print("no CSAConnector exported")
            return
        try:
            sim.CSAConnector(None)
        except ImportError as e:
            print("CSA:", str(e)[:100])
            return
        raise AssertionError("CSAConnector without csa did not raise")


@check
def projection_get_set():
    sim.setup()
    a = sim.Population(3, sim.IF_cond_exp())
    b = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0))
    prj.set(weight=0.02)
    assert np.allclose(prj.get("weight", format="array"), 0.02)
    w = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    prj.set(weight=w)
    assert np.allclose(prj.get("weight", format="array"), w)
    lst = prj.get("weight", format="list")
    assert [(int(i), int(j)) for i, j, _ in lst] == [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)], lst
    prj.set(delay=RandomDistribution("uniform", low=1.0, high=2.0, rng=NumpyRNG(4)))
    d = prj.get("delay", format="array")
    assert d.min() >= 1.0 and d.max() <= 2.0
    ws, ds = prj.get(["weight", "delay"], format="array")
    assert ws.shape == (3, 2) and ds.shape == (3, 2)
    flat = prj.get("weight", format="list", with_address=False)
    assert (len(flat) == 6 and np.isscalar(flat[0])) or np.ndim(flat[0]) == 0
    both = prj.get(["weight", "delay"], format="list", with_address=False)
    assert len(both) == 6 and len(both[0]) == 2, both
    g = prj.get("weight", format="array", gather=True)
    assert g.shape == (3, 2)
    prj.set(weight=np.arange(6) * 0.01)  # one value per connection, row-major pre,post
    arr = prj.get("weight", format="array")
    assert np.allclose(arr, np.arange(6).reshape(3, 2) * 0.01), arr
    try:
        prj.get("weight", format="dict")
    except Exception as e:
        print("bad format:", type(e).__name__)
    else:
        raise AssertionError


@check
def projection_iter_describe():
    sim.setup()
    a = sim.Population(3, sim.IF_cond_exp(), label="pre")
    b = sim.Population(2, sim.IF_cond_exp(), label="post")
    prj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0), label="x")
    n = 0
    for c in prj.connections:
        n += 1
        assert abs(c.weight - 0.01) < 1e-12
        assert 0 <= c.presynaptic_index < 3 and 0 <= c.postsynaptic_index < 2
    assert n == 6
    for c in prj:
        pass
    c0 = prj[0]
    assert abs(c0.weight - 0.01) < 1e-12
    c0.weight = 0.05
    assert abs(np.nansum(prj.get("weight", format="array")) - 0.1) < 1e-9
    t = c0.as_tuple("weight", "delay")
    assert len(t) >= 2
    d = prj.describe(template=None)
    assert isinstance(d, dict) and d["size"] == 6, d
    s = prj.describe()
    assert isinstance(s, str) and "x" in s
    assert prj.shape == (3, 2)
    assert prj.label == "x"
    prj2 = sim.Projection(a, b, sim.AllToAllConnector())
    assert "pre" in prj2.label and "post" in prj2.label
    assert np.allclose(prj2.get("weight", format="array"), 0.0)


@check
def receptor_types_synapses():
    sim.setup()
    a = sim.Population(2, sim.SpikeSourceArray(spike_times=[5.0]))
    b = sim.Population(1, sim.IF_cond_exp())
    e = sim.Projection(
        a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01), receptor_type="excitatory"
    )
    i = sim.Projection(
        a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02), receptor_type="inhibitory"
    )
    assert e.receptor_type == "excitatory" and i.receptor_type == "inhibitory"
    b.record(["gsyn_exc", "gsyn_inh"])
    sim.run(10)
    seg = b.get_data().segments[0]
    ge = [s for s in seg.analogsignals if s.name == "gsyn_exc"][0]
    gi = [s for s in seg.analogsignals if s.name == "gsyn_inh"][0]
    assert float(np.max(ge)) > 0.015, float(np.max(ge))
    assert float(np.max(gi)) > 0.03, float(np.max(gi))
    try:
        sim.Projection(a, b, sim.AllToAllConnector(), receptor_type="foo")
    except Exception as e:
        print("bad receptor:", type(e).__name__)
    else:
        raise AssertionError
    sim.end()


@check
def tsodyks_stdp_projection():
    sim.setup()
    a = sim.Population(3, sim.SpikeSourcePoisson(rate=50.0))
    b = sim.Population(2, sim.IF_cond_exp())
    tm = sim.Projection(
        a,
        b,
        sim.AllToAllConnector(),
        sim.TsodyksMarkramSynapse(U=0.5, tau_rec=200.0, tau_facil=0.0, weight=0.01, delay=1.0),
    )
    assert np.allclose(tm.get("U", format="array"), 0.5)
    tm.set(U=0.3)
    assert np.allclose(tm.get("U", format="list", with_address=False), 0.3)
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.012),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
        weight=0.02,
        delay=1.0,
    )
    sp = sim.Projection(a, b, sim.AllToAllConnector(), stdp)
    sim.run(200)
    w = sp.get("weight", format="array")
    assert w.shape == (3, 2) and np.all(w >= 0) and np.all(w <= 0.05)
    assert not np.allclose(w, 0.02), w
    aplus = sp.get("A_plus", format="list", with_address=False)
    assert np.allclose(aplus, 0.01), aplus
    wmax = sp.get("w_max", format="list", with_address=False)
    assert np.allclose(wmax, 0.05), wmax
    am = sp.get("A_minus", format="list", with_address=False)
    assert np.allclose(am, 0.012), am
    sim.end()


# --- User-script style checks, part C: recording, IO, control, procedural API. ----------
@check
def sampling_interval():
    sim.setup(timestep=0.1)
    p = sim.Population(2, sim.IF_curr_exp(i_offset=[0.0, 2.0]))
    p.record("v", sampling_interval=1.0)
    p.record("spikes")
    sim.run(20.0)
    seg = p.get_data().segments[0]
    v = seg.analogsignals[0]
    assert v.shape == (21, 2), v.shape
    assert float(v.sampling_period.rescale("ms")) == 1.0
    assert float(v.t_start) == 0.0
    assert len(seg.spiketrains[1]) > 0 and len(seg.spiketrains[0]) == 0
    assert float(seg.spiketrains[0].t_stop.rescale("ms")) == 20.0
    try:
        p.record("v", sampling_interval=0.5)
    except Exception as e:
        print("diff interval:", type(e).__name__)
    sim.end()


@check
def record_none():
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0))
    p.record(["v", "spikes"])
    sim.run(10)
    p.record(None)
    sim.run(10)
    seg = p.get_data().segments[0]
    v = seg.analogsignals[0]
    # recording stopped at t=10
    assert float(v.times[-1]) <= 10.0 + 1e-9, v.times[-1]
    assert all(float(st.max()) <= 10.0 for st in seg.spiketrains if len(st))
    sim.end()


@check
def record_to_file_end():
    fn = os.path.join(TMP, "rec_%s.pkl" % sys.argv[1])
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0), label="tofile")
    p.record(["v", "spikes"], to_file=fn)
    sim.run(20)
    sim.end()
    assert os.path.exists(fn)
    with open(fn, "rb") as f:
        blk = pickle.load(f)
    seg = blk.segments[0]
    assert len(seg.spiketrains) == 2 and seg.analogsignals[0].shape == (201, 2), seg.analogsignals[0].shape


@check
def write_data_ios():
    sim.setup()
    p = sim.Population(3, sim.IF_curr_exp(i_offset=2.0), label="io")
    p.record(["v", "spikes"])
    sim.run(10)
    fn = os.path.join(TMP, "w_%s.pkl" % sys.argv[1])
    p.write_data(fn)
    blk = pickle.load(open(fn, "rb"))
    assert len(blk.segments[0].spiketrains) == 3
    import neo

    fn2 = os.path.join(TMP, "w2_%s.pkl" % sys.argv[1])
    p.write_data(neo.io.PickleIO(fn2), variables="spikes")
    blk2 = neo.io.PickleIO(fn2).read_block()
    assert len(blk2.segments[0].analogsignals) == 0 and len(blk2.segments[0].spiketrains) == 3
    try:
        import nixio  # noqa

        fn3 = os.path.join(TMP, "w3_%s.nix" % sys.argv[1])
        p.write_data(fn3)
        io = neo.io.NixIO(fn3, mode="ro")
        b3 = io.read_block()
        io.close()
        assert len(b3.segments[0].spiketrains) == 3
        print("nix ok")
    except ImportError:
        print("no nixio")
    fn4 = os.path.join(TMP, "w4_%s.mat" % sys.argv[1])
    try:
        p.write_data(fn4)
        print("mat ok")
    except ImportError as e:
        print("mat:", e)
    try:
        p.write_data(os.path.join(TMP, "x.txt"))
    except OSError as e:
        print("txt:", type(e).__name__)
    else:
        raise AssertionError("txt accepted")
    sim.end()


@check
def get_data_clear():
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0))
    p.record(["v", "spikes"])
    sim.run(10)
    b1 = p.get_data(clear=True)
    assert b1.segments[0].analogsignals[0].shape[0] == 101
    sim.run(10)
    b2 = p.get_data()
    assert len(b2.segments) == 1
    v = b2.segments[0].analogsignals[0]
    assert abs(float(v.t_start) - 10.0) < 1e-9, v.t_start
    for st in b2.segments[0].spiketrains:
        assert float(st.t_start) == 10.0 and all(float(t) >= 10.0 for t in st)
    n1 = sum(len(st) for st in b1.segments[0].spiketrains)
    n2 = sum(len(st) for st in b2.segments[0].spiketrains)
    assert n1 > 0 and n2 > 0
    sim.end()


@check
def reset_segments():
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0), label="seg")
    p.record(["v", "spikes"])
    sim.run(10)
    sim.reset(annotations={"trial": 0})
    assert sim.get_current_time() == 0.0
    p.set(i_offset=0.0)
    sim.run(10)
    sim.reset(annotations={"trial": 1})
    sim.run(5)
    blk = p.get_data()
    assert len(blk.segments) == 3, len(blk.segments)
    assert blk.segments[0].annotations.get("trial") == 0, blk.segments[0].annotations
    assert blk.segments[1].annotations.get("trial") == 1, blk.segments[1].annotations
    assert [s.name for s in blk.segments] == ["segment000", "segment001", "segment002"], [
        s.name for s in blk.segments
    ]
    assert blk.segments[1].analogsignals[0].shape[0] == 101
    assert blk.segments[2].analogsignals[0].shape[0] == 51
    assert sum(len(s) for s in blk.segments[0].spiketrains) > 0
    assert sum(len(s) for s in blk.segments[1].spiketrains) == 0
    v0 = np.asarray(blk.segments[1].analogsignals[0][0]).ravel()
    assert np.allclose(v0, -65.0), v0
    assert blk.annotations["size"] == 2 and blk.annotations["label"] == "seg"
    sim.end()


@check
def spike_counts():
    sim.setup()
    p = sim.Population(3, sim.SpikeSourceArray(spike_times=[[1.0, 2.0, 3.0], [4.0], []]))
    p.record("spikes")
    sim.run(10)
    c = p.get_spike_counts()
    assert c == {p[0]: 3, p[1]: 1, p[2]: 0}, c
    assert abs(p.mean_spike_count() - 4 / 3) < 1e-9
    v = p[0:2]
    assert v.get_spike_counts() == {p[0]: 3, p[1]: 1}
    try:
        m = p.meanSpikeCount()
        assert abs(m - 4 / 3) < 1e-9
    except AttributeError:
        print("no meanSpikeCount")
    st = p.get_data().segments[0].spiketrains
    assert [list(np.asarray(s)) for s in st] == [[1.0, 2.0, 3.0], [4.0], []], [list(s) for s in st]
    fn = os.path.join(TMP, "spk_%s.pkl" % sys.argv[1])
    try:
        p.printSpikes(fn)
        assert os.path.exists(fn)
    except AttributeError:
        print("no printSpikes")
    try:
        sp = p.getSpikes()
        print("getSpikes type", type(sp).__name__)
    except AttributeError:
        print("no getSpikes")
    sim.end()


@check
def print_v_deprecated():
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp())
    p.record_v()
    sim.run(5)
    fn = os.path.join(TMP, "v_%s.pkl" % sys.argv[1])
    p.print_v(fn)
    assert os.path.exists(fn)
    v = p.get_v()
    print("get_v type", type(v).__name__)
    sim.end()


@check
def control_functions():
    r = sim.setup(timestep=0.1, min_delay=0.5, max_delay=5.0)
    assert r == 0
    assert sim.get_time_step() == 0.1
    assert sim.get_min_delay() == 0.5, sim.get_min_delay()
    assert sim.get_max_delay() == 5.0, sim.get_max_delay()
    assert sim.num_processes() == 1 and sim.rank() == 0
    p = sim.Population(1, sim.IF_curr_exp())
    t = sim.run(10.0)
    assert abs(t - 10.0) < 1e-9, t
    t = sim.run_for(5.0)
    assert abs(t - 15.0) < 1e-9
    t = sim.run_until(20.0)
    assert abs(t - 20.0) < 1e-9 and abs(sim.get_current_time() - 20.0) < 1e-9
    calls = []

    def cb(t):
        calls.append(t)
        return t + 2.0

    sim.run(5.0, callbacks=[cb])
    assert len(calls) >= 2, calls
    assert abs(sim.get_current_time() - 25.0) < 1e-9
    try:
        sim.run_until(10.0)
    except ValueError:
        pass
    else:
        raise AssertionError("run_until into the past accepted")
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.end()
    names = sim.list_standard_models()
    assert "IF_cond_exp" in names and "StandardCellType" not in names


@check
def procedural_api():
    sim.setup()
    cells = sim.create(sim.IF_curr_exp(i_offset=2.0), n=3)
    assert isinstance(cells, sim.Population) and cells.size == 3
    src = sim.create(sim.SpikeSourceArray, {"spike_times": [1.0, 2.0]}, n=2)
    prj = sim.connect(src, cells, weight=0.5, delay=1.0, p=1.0)
    assert prj.size() == 6
    prj2 = sim.connect(src[0], cells[1], weight=0.3, receptor_type="excitatory")
    assert prj2.size() == 1
    sim.set(cells, tau_m=15.0)
    assert np.allclose(cells.get("tau_m"), 15.0)
    sim.initialize(cells, v=-60.0)
    fn = os.path.join(TMP, "proc_%s.pkl" % sys.argv[1])
    sim.record(["spikes", "v"], cells, fn)
    sim.run(10)
    sim.end()
    blk = pickle.load(open(fn, "rb"))
    assert len(blk.segments[0].spiketrains) == 3
    v = [a for a in blk.segments[0].analogsignals if a.name == "v"][0]
    assert np.allclose(np.asarray(v[0]).ravel(), -60.0)


@check
def procedural_record_v():
    sim.setup()
    cells = sim.create(sim.IF_cond_exp(), n=2)
    fn = os.path.join(TMP, "procv_%s.pkl" % sys.argv[1])
    sim.record_v(cells, fn)
    fn2 = os.path.join(TMP, "procg_%s.pkl" % sys.argv[1])
    sim.record_gsyn(cells, fn2)
    sim.run(5)
    sim.end()
    blk = pickle.load(open(fn, "rb"))
    assert blk.segments[0].analogsignals[0].name == "v"
    blk = pickle.load(open(fn2, "rb"))
    assert {a.name for a in blk.segments[0].analogsignals} == {"gsyn_exc", "gsyn_inh"}


@check
def random_params():
    sim.setup()
    rng = NumpyRNG(seed=77)
    p = sim.Population(100, sim.IF_cond_exp(tau_m=RandomDistribution("normal", mu=20.0, sigma=2.0, rng=rng)))
    t = p.get("tau_m")
    assert 18 < t.mean() < 22 and t.std() > 1
    p.initialize(v=RandomDistribution("uniform", low=-70.0, high=-60.0, rng=rng))
    p.record("v")
    p2 = sim.Population(5, sim.IF_cond_exp(tau_m=lambda i: 10.0 + i))
    assert np.allclose(p2.get("tau_m"), [10, 11, 12, 13, 14])
    p2.set(cm=lambda i: 0.5 + 0.1 * i)
    assert np.allclose(p2.get("cm"), [0.5, 0.6, 0.7, 0.8, 0.9])
    sim.run(1.0)
    v0 = np.asarray(p.get_data().segments[0].analogsignals[0][0])
    assert v0.min() >= -70 and v0.max() <= -60 and v0.std() > 1
    sim.end()


@check
def current_sources():
    sim.setup()
    p = sim.Population(3, sim.IF_curr_exp())
    dc = sim.DCSource(amplitude=0.5, start=5.0, stop=15.0)
    p[0:2].inject(dc)
    step = sim.StepCurrentSource(times=[2.0, 8.0], amplitudes=[0.3, 0.0])
    step.inject_into([p[2]])
    p.record("v")
    dc.record()
    sim.run(20)
    v = p.get_data().segments[0].analogsignals[0]
    assert float(v[100, 0]) > -63.5 and float(v[50, 2]) > -64.5 and float(v[10, 2]) < -64.99
    i = dc.get_data()
    assert abs(float(i[100]) - 0.5) < 1e-9 and abs(float(i[10])) < 1e-9
    dc.amplitude = 1.0
    assert abs(float(dc.amplitude) - 1.0) < 1e-9
    sim.end()


# --- User-script style checks, part D: edge cases of views, assemblies, projections. ----
@check
def view_mask_order_dupes():
    sim.setup()
    p = sim.Population(10, sim.IF_cond_exp())
    v = p[np.array([7, 1, 4])]
    print("array view order", [p.id_to_index(i) for i in v.all_cells])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        d = p[[3, 3, 5]]
    print("dupe view size", d.size, [str(x.message)[:60] for x in w])
    try:
        p[np.ones(5, dtype=bool)]
    except Exception as e:
        print("bad mask:", type(e).__name__)
    else:
        raise AssertionError("bad mask size accepted")
    try:
        p[2.5]
    except TypeError:
        pass
    try:
        p[10]
    except IndexError:
        pass
    else:
        raise AssertionError("p[10] accepted")
    assert list(p.id_to_index([p[2], p[5]])) == [2, 5]
    vv = p[2:8]
    assert list(vv.index_from_parent_index(np.array([3, 4]))) == [1, 2]
    assert vv[1:3].grandparent is p
    assert list(p.all()) == list(p.all_cells)
    assert vv.describe()
    dd = vv.describe(template=None)
    assert isinstance(dd, dict)


@check
def projection_from_views_indices():
    sim.setup()
    a = sim.Population(6, sim.IF_cond_exp())
    b = sim.Population(6, sim.IF_cond_exp())
    prj = sim.Projection(a[3:5], b[[0, 5]], sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    assert pairs(prj) == [(0, 0), (0, 1), (1, 0), (1, 1)], pairs(prj)
    assert prj.get("weight", format="array").shape == (2, 2)
    # presynaptic_cell ids
    cs = list(prj.connections)
    ids = sorted((int(c.presynaptic_cell), int(c.postsynaptic_cell)) for c in cs)
    assert ids == sorted((int(a[i]), int(b[j])) for i in (3, 4) for j in (0, 5)), ids


@check
def projection_assembly():
    sim.setup()
    a = sim.Population(2, sim.IF_cond_exp(), label="a")
    b = sim.Population(3, sim.IF_cond_exp(), label="b")
    c = sim.Population(2, sim.IF_curr_exp(), label="c")
    asm = a + b
    prj = sim.Projection(asm, asm, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01))
    assert pairs(prj) == [(i, i) for i in range(5)]
    prj2 = sim.Projection(c, asm, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    assert prj2.get("weight", format="array").shape == (2, 5)
    try:
        sim.Projection(c, a + c, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    except Exception as e:
        print("mixed assembly:", type(e).__name__)
    else:
        raise AssertionError("mixed cond/curr assembly accepted")
    sa = asm[np.array([True, False, True, False, True])]
    assert sa.size == 3 and list(sa.all_cells) == [a[0], b[0], b[2]], sa.all_cells
    sa2 = asm[[0, 4]]
    assert list(sa2.all_cells) == [a[0], b[2]]


@check
def assembly_views_record():
    sim.setup()
    a = sim.Population(4, sim.IF_curr_exp(i_offset=2.0), label="a")
    b = sim.Population(3, sim.IF_curr_exp(), label="b")
    asm = sim.Assembly(a[1:3], b)
    asm.record("spikes")
    asm.record("v", sampling_interval=1.0)
    sim.run(20)
    blk = asm.get_data()
    seg = blk.segments[0]
    assert len(seg.spiketrains) == 5, len(seg.spiketrains)
    v = seg.analogsignals[0]
    assert v.shape == (21, 5), v.shape
    b2 = asm.get_data(clear=True)
    sim.run(10)
    b3 = asm.get_data()
    assert abs(float(b3.segments[0].analogsignals[0].t_start) - 20.0) < 1e-9
    dd = asm.describe(template=None)
    print("assembly describe keys", sorted(dd))
    fn = os.path.join(TMP, "asm_%s.pkl" % sys.argv[1])
    asm.write_data(fn, annotations={"x": 1})
    blk = pickle.load(open(fn, "rb"))
    assert blk.annotations.get("x") == 1
    sim.end()


@check
def multiple_synapses():
    sim.setup()
    a = sim.Population(2, sim.IF_cond_exp())
    b = sim.Population(1, sim.IF_cond_exp())
    prj = sim.Projection(
        a,
        b,
        sim.FromListConnector([(0, 0, 0.1, 1.0), (0, 0, 0.3, 1.0), (1, 0, 0.2, 1.0)]),
        sim.StaticSynapse(),
    )
    assert prj.size() == 3
    s = prj.get("weight", format="array")
    assert np.allclose(s.ravel(), [0.4, 0.2]), s
    for ms, exp in [("first", 0.1), ("last", 0.3), ("min", 0.1), ("max", 0.3), ("sum", 0.4)]:
        got = prj.get("weight", format="array", multiple_synapses=ms)[0, 0]
        assert abs(got - exp) < 1e-9, (ms, got)
    lst = prj.get("weight", format="list")
    assert len(lst) == 3


@check
def projection_set_callable_and_space():
    sim.setup()
    a = sim.Population(4, sim.IF_cond_exp(), structure=Line(dx=10.0))
    sp = Space(axes="x", scale_factor=0.1)
    prj = sim.Projection(
        a,
        a,
        sim.AllToAllConnector(allow_self_connections=False),
        sim.StaticSynapse(weight=0.01, delay="0.5+d"),
        space=sp,
    )
    d = prj.get("delay", format="array")
    # as in PyNN, scale_factor (and offset) apply to the post-synaptic positions only
    exp = 0.5 + np.abs(np.subtract.outer(np.arange(4) * 10.0, 0.1 * np.arange(4) * 10.0))
    np.fill_diagonal(exp, np.nan)
    assert np.allclose(d, exp, equal_nan=True), d
    prj.set(weight=lambda d: 0.001 * d)
    w = prj.get("weight", format="array")
    assert np.allclose(w, 0.001 * (exp - 0.5), equal_nan=True), w
    prj.set(weight="0.002*d")
    w = prj.get("weight", format="array")
    assert np.allclose(w, 0.002 * (exp - 0.5), equal_nan=True), w


@check
def save_array_string_header():
    sim.setup()
    a = sim.Population(2, sim.IF_cond_exp())
    b = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(a, b, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01, delay=1.0))
    fn = os.path.join(TMP, "arr.txt")
    prj.save("weight", fn, format="array")
    txt = open(fn).read()
    print(repr(txt[:200]))
    arr = np.loadtxt(fn)
    assert arr.shape == (2, 2)
    fn2 = os.path.join(TMP, "lst.txt")
    prj.save("all", fn2)
    txt = open(fn2).read()
    print(repr(txt[:200]))
    fn3 = os.path.join(TMP, "conn.txt")
    prj.save("connections", fn3)
    print(repr(open(fn3).read()[:200]))


@check
def population_get_options():
    sim.setup()
    p = sim.Population(3, sim.IF_cond_exp(tau_m=[10.0, 11.0, 12.0], cm=1.0))
    assert np.allclose(p.get("tau_m", gather=True), [10, 11, 12])
    cm = p.get("cm", simplify=False)
    assert np.shape(cm) == (3,), cm
    cm = p.get("cm")
    assert np.isscalar(cm) or np.ndim(cm) == 0 or np.shape(cm) == (3,)
    print("homogeneous get type", type(cm).__name__)
    v = p[1:]
    assert np.allclose(v.get("tau_m"), [11, 12])
    p.structure = Grid2D()
    try:
        p.positions
    except Exception as e:
        print("grid 3 cells:", type(e).__name__)
    p2 = sim.Population(3, sim.IF_cond_exp(), initial_values={"v": -55.0})
    assert (
        np.allclose(p2.initial_values["v"].evaluate(), -55.0)
        if hasattr(p2.initial_values["v"], "evaluate")
        else True
    )
    try:
        p.get("foo")
    except Exception as e:
        print("bad param:", type(e).__name__)
        assert isinstance(e, KeyError)


@check
def network_class():
    sim.setup()
    a = sim.Population(3, sim.IF_curr_exp(i_offset=2.0), label="na")
    b = sim.Population(2, sim.IF_curr_exp(), label="nb")
    prj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5))
    net = sim.Network(a, b, prj)
    assert net.count_neurons() == 5 and net.count_connections() == 6
    assert net.get_component("na") is a
    net.record("spikes")
    sim.run(20)
    data = net.get_data()
    print("network get_data", type(data).__name__, len(data))
    sim.end()


@check
def spike_source_record_get():
    sim.setup()
    p = sim.Population(2, sim.SpikeSourcePoisson(rate=100.0, start=10.0, duration=50.0))
    p.record("spikes")
    sim.run(100)
    sts = p.get_data("spikes").segments[0].spiketrains
    for st in sts:
        assert len(st) > 0 and float(st.min()) >= 10.0 and float(st.max()) <= 60.0, st
    p.set(rate=0.0)
    sim.run(50)
    sts = p.get_data().segments[0].spiketrains
    assert all(float(st.max()) <= 60.0 for st in sts)
    sim.end()


@check
def get_data_variables_filter():
    sim.setup()
    p = sim.Population(2, sim.IF_cond_exp(i_offset=1.0))
    p.record(["v", "gsyn_exc", "spikes"])
    sim.run(10)
    seg = p.get_data(["v"]).segments[0]
    assert len(seg.spiketrains) == 0 and [s.name for s in seg.analogsignals] == ["v"]
    seg = p.get_data("spikes").segments[0]
    assert len(seg.spiketrains) == 2 and len(seg.analogsignals) == 0
    seg = p.get_data().segments[0]
    assert sorted(s.name for s in seg.analogsignals) == ["gsyn_exc", "v"]
    v = seg.filter(name="v")[0]
    assert v.annotations["source_population"] == p.label
    assert list(v.array_annotations["channel_index"]) == [0, 1]
    assert str(v.units) in ("1.0 mV", "mV") or v.units.dimensionality.string == "mV"
    g = seg.filter(name="gsyn_exc")[0]
    assert g.units.dimensionality.string == "uS", g.units
    sim.end()


@check
def record_after_reset_change():
    sim.setup()
    p = sim.Population(1, sim.IF_cond_exp(i_offset=1.0))
    p.record("v")
    sim.run(5)
    sim.reset()
    p.record("spikes")
    sim.run(50)
    blk = p.get_data()
    assert len(blk.segments) == 2
    assert len(blk.segments[1].spiketrains) == 1 and len(blk.segments[1].spiketrains[0]) > 0
    assert len(blk.segments[0].spiketrains) in (0, 1)
    sim.end()


@check
def id_on_view_and_local():
    sim.setup()
    p = sim.Population(5, sim.IF_cond_exp())
    v = p[1:4]
    i = v[0]
    assert i == p[1]
    assert i.parent is p, i.parent
    assert i.local
    i.tau_m = 33.0
    assert abs(p.get("tau_m")[1] - 33.0) < 1e-9 if np.ndim(p.get("tau_m")) else False
    src = sim.DCSource(amplitude=0.1)
    i.inject(src)
    for c in v:
        assert c.local
    pos = v.positions
    assert np.allclose(pos[0], [1, 2, 3])


# --- User-script style checks, part E: deprecated names, utility, misc. -----------------
@check
def deprecated_projection_methods():
    sim.setup()
    a = sim.Population(3, sim.IF_cond_exp())
    b = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0))
    prj.setWeights(0.02)
    w = prj.getWeights(format="array")
    assert np.allclose(w, 0.02), w
    prj.setDelays(2.0)
    assert np.allclose(prj.getDelays(format="list"), 2.0), prj.getDelays(format="list")
    prj.randomizeWeights(RandomDistribution("uniform", low=0.0, high=0.01, rng=NumpyRNG(1)))
    w = prj.getWeights(format="array")
    assert w.max() <= 0.01
    fn = os.path.join(TMP, "pw.txt")
    prj.printWeights(fn)
    assert os.path.exists(fn)
    fn2 = os.path.join(TMP, "sc.txt")
    prj.saveConnections(fn2)
    assert os.path.exists(fn2)
    h = prj.weightHistogram(min=0.0, max=0.01, nbins=5)
    assert len(h) == 2 and np.sum(h[0]) == 6, h


@check
def deprecated_population_methods():
    sim.setup()
    p = sim.Population(3, sim.IF_cond_exp())
    p.tset("tau_m", np.array([10.0, 11.0, 12.0]))
    assert np.allclose(p.get("tau_m"), [10, 11, 12])
    p.rset("cm", RandomDistribution("uniform", low=0.5, high=1.0, rng=NumpyRNG(3)))
    cm = p.get("cm")
    assert np.all((cm >= 0.5) & (cm <= 1.0))
    p.record_gsyn()
    p.record("spikes")
    sim.run(5)
    g = p.get_gsyn()
    fn = os.path.join(TMP, "g_%s.pkl" % sys.argv[1])
    p.print_gsyn(fn)
    assert os.path.exists(fn)
    sim.end()


@check
def sim_set_id_error():
    sim.setup()
    p = sim.Population(3, sim.IF_cond_exp())
    try:
        sim.set(p[0], tau_m=12.0)
    except AttributeError:
        pass
    else:
        print("sim.set(ID) accepted; tau_m", p.get("tau_m"))
    sim.set(p[0:2], tau_m=12.0)
    assert np.allclose(p.get("tau_m"), [12, 12, 20])


@check
def state_object():
    sim.setup(timestep=0.05)
    assert sim.state.dt == 0.05
    p = sim.Population(1, sim.IF_cond_exp())
    sim.run(1.0)
    assert abs(sim.state.t - 1.0) < 1e-9, sim.state.t
    assert sim.simulator.state is sim.state
    print("state.min_delay", sim.state.min_delay)


@check
def utility_bits():
    from pyNN.utility import Timer, SimulationProgressBar, normalized_filename

    t = Timer()
    t.start()
    sim.setup()
    p = sim.Population(1, sim.IF_cond_exp())
    pb = SimulationProgressBar(10.0, 50.0)
    sim.run(50.0, callbacks=[pb])
    assert abs(sim.get_current_time() - 50.0) < 1e-9
    e = t.elapsed_time()
    assert e >= 0
    fn = normalized_filename(TMP, "x", "pkl", sys.argv[1])
    assert fn.endswith(".pkl") and sys.argv[1] in fn
    from pyNN.utility.plotting import connection_plot

    prj = sim.Projection(p, p, sim.AllToAllConnector())
    s = connection_plot(prj)
    print(repr(s))


@check
def spike_array_sequences():
    sim.setup()
    p = sim.Population(
        3, sim.SpikeSourceArray(spike_times=[Sequence([1.0, 5.0]), Sequence([2.0]), Sequence([])])
    )
    p.record("spikes")
    p[1].spike_times = Sequence([3.0, 4.0])
    p.set(spike_times=[Sequence([1.5]), Sequence([3.0, 4.0]), Sequence([7.0])])
    p2 = sim.Population(2, sim.SpikeSourceArray(spike_times=lambda i: Sequence([1.0 + i, 9.0])))
    p2.record("spikes")
    sim.run(10)
    sts = [list(np.asarray(s)) for s in p.get_data().segments[0].spiketrains]
    assert sts == [[1.5], [3.0, 4.0], [7.0]], sts
    sts = [list(np.asarray(s)) for s in p2.get_data().segments[0].spiketrains]
    assert sts == [[1.0, 9.0], [2.0, 9.0]], sts
    sim.end()


@check
def projection_initialize_and_sources():
    sim.setup()
    a = sim.Population(2, sim.SpikeSourceArray(spike_times=[[2.0, 4.0, 6.0], [3.0]]))
    b = sim.Population(1, sim.IF_cond_exp())
    prj = sim.Projection(
        a, b, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(U=0.5, tau_rec=100.0, weight=0.01, delay=0.5)
    )
    prj.initialize(u=0.2)
    b.record("gsyn_exc")
    ac = sim.ACSource(amplitude=0.1, frequency=100.0, start=1.0, stop=8.0)
    nz = sim.NoisyCurrentSource(mean=0.0, stdev=0.1, start=1.0, stop=9.0, dt=1.0)
    b.inject(ac)
    b.inject(nz)
    b.record("v")
    sim.run(10)
    g = b.get_data().segments[0].filter(name="gsyn_exc")[0]
    assert float(np.max(g)) > 0
    sim.end()


@check
def rng_features():
    sim.setup()
    r1 = NumpyRNG(seed=3, parallel_safe=True)
    x = r1.next(5, "uniform", {"low": 0, "high": 1})
    assert len(x) == 5
    rd = RandomDistribution("normal_clipped", mu=0.0, sigma=1.0, low=-0.5, high=0.5, rng=NumpyRNG(1))
    v = rd.next(100)
    assert v.min() >= -0.5 and v.max() <= 0.5
    rd2 = RandomDistribution("gamma", (2.0, 1.0), rng=NumpyRNG(1))
    assert rd2.next() > 0
    nr = sim.NativeRNG(seed=5)
    a = sim.Population(4, sim.IF_cond_exp())
    b = sim.Population(4, sim.IF_cond_exp())
    prj = sim.Projection(
        a,
        b,
        sim.FixedProbabilityConnector(0.5, rng=nr),
        sim.StaticSynapse(
            weight=RandomDistribution("uniform", low=0.01, high=0.02, rng=nr),
            delay=RandomDistribution("uniform", low=0.5, high=1.5, rng=NumpyRNG(2)),
        ),
    )
    d = prj.get("delay", format="list", with_address=False)
    assert np.allclose(np.round(np.asarray(d) / 0.1) * 0.1, d), d
    w = prj.get("weight", format="list", with_address=False)
    assert np.all((np.asarray(w) >= 0.01) & (np.asarray(w) <= 0.02))


@check
def get_data_before_run():
    sim.setup()
    p = sim.Population(2, sim.IF_cond_exp())
    p.record("v")
    try:
        b = p.get_data()
        print(
            "get_data before run: segments",
            len(b.segments),
            [a.shape for s in b.segments for a in s.analogsignals],
        )
    except Exception as e:
        print("get_data before run:", type(e).__name__, str(e)[:100])


@check
def positions_setter_drops_structure():
    sim.setup()
    p = sim.Population(4, sim.IF_cond_exp(), structure=Grid2D())
    new = np.arange(12, dtype=float).reshape(3, 4)
    p.positions = new
    print("structure after set", p.structure)
    assert np.allclose(p.positions, new)
    v = p[1:3]
    assert np.allclose(v.positions, new[:, 1:3])
    p[0].position = (9, 9, 9)
    assert np.allclose(p.positions[:, 0], 9)
    r = sim.Population(9, sim.IF_cond_exp(), structure=Grid2D(fill_order="random", rng=NumpyRNG(4)))
    ps = r.positions
    assert sorted(map(tuple, ps.T)) == sorted(map(tuple, Grid2D().generate_positions(9).T))


@check
def find_units_annotations():
    sim.setup()
    p = sim.Population(2, sim.IF_cond_exp(), label="fu")
    q = sim.Population(2, sim.IF_cond_exp(), label="fq")
    try:
        print("find_units('v')", p.find_units("v"))
    except Exception as e:
        print("find_units:", type(e).__name__)
    p.annotate(layer=1)
    q.annotate(layer=2)
    asm = p + q
    try:
        print("asm.get_annotations", asm.get_annotations("layer"))
    except Exception as e:
        print("get_annotations:", type(e).__name__, e)
    assert p.celltype.units["v"] == "mV"


# --- User-script style checks, part F: more edges. --------------------------------------
@check
def assembly_more():
    sim.setup()
    a = sim.Population(2, sim.IF_cond_exp(), label="a")
    b = sim.Population(3, sim.IF_cond_exp(), label="b")
    c = sim.Population(1, sim.IF_cond_exp(), label="c")
    asm = a + b
    asm2 = c + asm  # a Population plus an Assembly
    assert isinstance(asm2, sim.Assembly) and asm2.size == 6
    assert asm2[0] == c[0]
    r = asm[::-1]
    print("reverse slice cells", [asm.id_to_index(i) for i in r.all_cells])
    asm.initialize(v=np.array([-60.0, -61, -62, -63, -64]))
    asm.record("v")
    g = asm.get("tau_m", simplify=False)
    assert np.shape(g) == (5,), g
    fn = os.path.join(TMP, "asmf_%s.pkl" % sys.argv[1])
    asm.record("spikes", to_file=fn)
    sim.run(2.0)
    v0 = np.asarray(asm.get_data().segments[0].filter(name="v")[0][0]).ravel()
    assert np.allclose(v0, [-60, -61, -62, -63, -64]), v0
    sim.end()
    assert os.path.exists(fn)
    blk = pickle.load(open(fn, "rb"))
    assert len(blk.segments[0].spiketrains) == 5, len(blk.segments[0].spiketrains)
    try:
        asm.get_population("zzz")
    except KeyError:
        pass


@check
def view_record_none_and_union():
    sim.setup()
    p = sim.Population(6, sim.IF_curr_exp(i_offset=2.0))
    p[0:2].record("spikes")
    p[4:6].record("spikes")
    sim.run(20)
    sts = p.get_data().segments[0].spiketrains
    assert [st.annotations["source_index"] for st in sts] == [0, 1, 4, 5], [
        st.annotations["source_index"] for st in sts
    ]
    p[0:1].record(None)
    sim.run(20)
    sts = p.get_data().segments[0].spiketrains
    print("after view.record(None):", [(st.annotations["source_index"], float(st.max())) for st in sts])
    sim.end()


@check
def set_errors():
    sim.setup()
    a = sim.Population(3, sim.IF_cond_exp())
    b = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(
        a, b, sim.FixedProbabilityConnector(0.7, rng=NumpyRNG(5)), sim.StaticSynapse(weight=0.01)
    )
    n = prj.size()
    try:
        prj.set(weight=np.ones(n + 1) * 0.01)
    except Exception as e:
        print("wrong length set:", type(e).__name__)
    else:
        raise AssertionError("wrong length accepted")
    arr = np.full((3, 2), 0.05)
    prj.set(weight=arr)
    assert np.allclose(prj.get("weight", format="list", with_address=False), 0.05)
    w = prj.get("weight", format="array")
    w2 = np.where(np.isnan(w), np.nan, 0.03)
    prj.set(weight=w2)
    assert np.allclose(prj.get("weight", format="list", with_address=False), 0.03)
    try:
        sim.Projection(a, b, sim.ArrayConnector(np.ones((2, 2), dtype=bool)), sim.StaticSynapse())
    except Exception as e:
        print("bad array conn:", type(e).__name__)
    else:
        raise AssertionError("bad array shape accepted")
    c = sim.Population(4, sim.IF_cond_exp())
    try:
        sim.Projection(a, c, sim.CloneConnector(prj), sim.StaticSynapse())
    except Exception as e:
        print("bad clone:", type(e).__name__)
    else:
        raise AssertionError("bad clone accepted")
    try:
        sim.Projection(a, b, sim.OneToOneConnector())
    except Exception as e:
        print("one-to-one size mismatch:", type(e).__name__)
    else:
        raise AssertionError


@check
def stdp_from_list_weights():
    sim.setup()
    a = sim.Population(2, sim.SpikeSourcePoisson(rate=20.0))
    b = sim.Population(2, sim.IF_cond_exp())
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(),
        weight_dependence=sim.MultiplicativeWeightDependence(w_max=0.1),
        delay=1.0,
    )
    prj = sim.Projection(
        a, b, sim.FromListConnector([(0, 0, 0.01), (1, 1, 0.02)], column_names=["weight"]), stdp
    )
    assert np.allclose(sorted(prj.get("weight", format="list", with_address=False)), [0.01, 0.02])
    assert np.allclose(prj.get("delay", format="list", with_address=False), 1.0)
    g = prj.get(["tau_plus", "w_max"], format="list")
    assert all(abs(x[2] - 20.0) < 1e-9 and abs(x[3] - 0.1) < 1e-9 for x in g), g


@check
def nest_specific():
    if sys.argv[1] != "nest":
        return
    sim.setup()
    p = sim.Population(3, sim.IF_cond_exp())
    nc = p.node_collection
    assert len(nc) == 3
    assert len(p.local_node_collection) == 3
    prj = sim.Projection(p, p, sim.AllToAllConnector())
    print("nest_connections", type(prj.nest_connections).__name__)
    print(sim.nest.GetKernelStatus("resolution"))


@check
def connector_describe():
    c = sim.FixedProbabilityConnector(0.3)
    s = c.describe()
    assert "0.3" in s, s
    d = c.get_parameters()
    assert d["p_connect"] == 0.3, d
    s = sim.DistanceDependentProbabilityConnector("exp(-d)").describe()
    assert "exp(-d)" in s, s
    print(sim.StaticSynapse(weight=0.2).describe()[:80])
    print(sim.IF_cond_exp().describe()[:80])


@check
def random_structure_reproducible():
    sim.setup()
    p = sim.Population(5, sim.IF_cond_exp(), structure=RandomStructure(Sphere(5.0), rng=NumpyRNG(11)))
    print("pos0", np.round(p.positions[:, 0], 6).tolist())
    prj = sim.Projection(
        p,
        p,
        sim.FixedProbabilityConnector(0.5, rng=NumpyRNG(seed=42)),
        sim.StaticSynapse(weight=RandomDistribution("uniform", low=0.0, high=1.0, rng=NumpyRNG(9))),
    )
    print(
        "conn",
        pairs(prj)[:6],
        prj.size(),
        np.round(prj.get("weight", format="list", with_address=False)[:3], 6).tolist(),
    )


@check
def dd_expressions():
    sim.setup()
    p = sim.Population(10, sim.IF_cond_exp(), structure=Line())
    for expr in [
        "d<3",
        "0.5*exp(-d/2.0)",
        "abs(sin(d))",
        "(d>1)*(d<4)",
        "1/(1+d)",
        "sqrt(d)<1.5",
        "d**2 < 5",
        "where(d<2, 1.0, 0.0)",
    ]:
        try:
            prj = sim.Projection(
                p,
                p,
                sim.DistanceDependentProbabilityConnector(expr, rng=NumpyRNG(1)),
                sim.StaticSynapse(weight=0.01),
            )
            print(f"expr {expr!r}: {prj.size()}")
        except Exception as e:
            print(f"expr {expr!r}: {type(e).__name__}: {str(e)[:120]}")
    for w in ["0.1*d", "0.01*exp(-d)", "0.01 + 0.0*d", "abs(0.01*cos(d))"]:
        prj = sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=w))
        x = prj.get("weight", format="array")
        print(f"weight {w!r}: {x[0, :3].round(5).tolist()}")


@check
def record_after_run_new_cells():
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0))
    p[0:1].record("spikes")
    sim.run(20)
    try:
        p[1:2].record("spikes")
        sim.run(20)
        sts = p.get_data().segments[0].spiketrains
        print(
            "add cell after run:",
            [(st.annotations["source_index"], float(st.t_start), len(st), float(st.min())) for st in sts],
        )
    except Exception as e:
        print("add cell after run:", type(e).__name__, str(e)[:150])
    sim.end()


# --- User-script style checks, part G. --------------------------------------------------
@check
def old_style_population():
    sim.setup()
    p = sim.Population(3, sim.IF_cond_exp, {"tau_m": 15.0, "v_thresh": -52.0})
    assert np.allclose(p.get("tau_m"), 15.0)
    p2 = sim.Population(2, sim.IF_cond_exp, cellparams={"cm": 0.5})
    assert np.allclose(p2.get("cm"), 0.5)
    p3 = sim.Population(2, sim.SpikeSourceArray, {"spike_times": [1.0, 2.0]})
    st = p3.get("spike_times")
    print("shared spike_times get:", st)
    try:
        sim.IF_cond_exp(tau_mm=3)
    except Exception as e:
        print("typo param:", type(e).__name__, str(e)[:120])


@check
def projection_slices():
    sim.setup()
    a = sim.Population(3, sim.IF_cond_exp())
    b = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    try:
        s = prj[1:3]
        print("prj[1:3]:", type(s).__name__, len(s))
    except Exception as e:
        print("prj[1:3]:", type(e).__name__)
    c = prj[-1]
    print("prj[-1]:", c.presynaptic_index, c.postsynaptic_index)
    try:
        prj[6]
    except IndexError:
        pass
    else:
        raise AssertionError("prj[6] accepted")


@check
def stdp_ddf():
    sim.setup()
    a = sim.Population(2, sim.SpikeSourcePoisson(rate=20.0))
    b = sim.Population(2, sim.IF_cond_exp())
    for ddf in (0.0, 1.0, 0.5):
        try:
            stdp = sim.STDPMechanism(
                timing_dependence=sim.SpikePairRule(),
                weight_dependence=sim.AdditiveWeightDependence(),
                weight=0.01,
                delay=1.0,
                dendritic_delay_fraction=ddf,
            )
            sim.Projection(a, b, sim.AllToAllConnector(), stdp)
            print("ddf", ddf, "ok")
        except Exception as e:
            print("ddf", ddf, type(e).__name__, str(e)[:100])
    sim.run(10)


@check
def tm_state():
    sim.setup()
    a = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 2.0, 3.0]))
    b = sim.Population(1, sim.IF_cond_exp())
    prj = sim.Projection(
        a,
        b,
        sim.AllToAllConnector(),
        sim.TsodyksMarkramSynapse(U=0.5, tau_rec=800.0, tau_facil=0.0, weight=0.01, delay=0.5),
    )
    sim.run(5)
    for name in ("u", "x", "U", "tau_rec"):
        try:
            print(name, prj.get(name, format="list", with_address=False))
        except Exception as e:
            print(name, type(e).__name__, str(e)[:80])


@check
def inject_spike_source():
    sim.setup()
    p = sim.Population(1, sim.SpikeSourcePoisson())
    try:
        p.inject(sim.DCSource())
    except TypeError:
        pass
    else:
        raise AssertionError


@check
def two_setups():
    sim.setup(timestep=0.1)
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0))
    p.record("spikes")
    sim.run(20)
    sim.end()
    sim.setup(timestep=0.05)
    q = sim.Population(1, sim.IF_curr_exp(i_offset=2.0))
    q.record("v")
    sim.run(10)
    v = q.get_data().segments[0].analogsignals[0]
    assert v.shape == (201, 1), v.shape
    assert abs(sim.get_current_time() - 10.0) < 1e-9
    sim.end()
    sim.end()


@check
def poisson_rate_list_rd():
    sim.setup()
    p = sim.Population(3, sim.SpikeSourcePoisson(rate=[10.0, 200.0, 0.0]))
    p.record("spikes")
    p2 = sim.Population(
        3, sim.SpikeSourcePoisson(rate=RandomDistribution("uniform", low=50, high=60, rng=NumpyRNG(3)))
    )
    r = p2.get("rate")
    assert np.all((r >= 50) & (r <= 60))
    sim.run(500)
    c = p.get_spike_counts()
    assert c[p[2]] == 0 and 50 < c[p[1]] < 150 and c[p[0]] < 20, c
    sim.end()


@check
def celltype_class_api():
    ct = sim.IF_cond_exp
    assert ct.default_parameters["tau_m"] == 20.0
    assert "v" in ct.recordable and "spikes" in ct.recordable
    assert ct.default_initial_values["v"] == -65.0
    assert ct.has_parameter("cm") and not ct.has_parameter("foo")
    names = ct.get_parameter_names()
    assert "e_rev_E" in names
    c = ct(tau_m=10.0)
    ps = c.parameter_space
    assert ps["tau_m"].base_value == 10.0 if hasattr(ps["tau_m"], "base_value") else True
    print("units", ct.units["gsyn_exc"], ct.units["v"])
    assert ct.receptor_types == ("excitatory", "inhibitory") or list(ct.receptor_types) == [
        "excitatory",
        "inhibitory",
    ]
    assert (
        sim.Izhikevich.voltage_based_synapses if hasattr(sim.Izhikevich, "voltage_based_synapses") else True
    )
    print("schema", list(ct.get_schema().items())[:2])


@check
def weights_rd_negative_curr():
    sim.setup()
    a = sim.Population(3, sim.SpikeSourceArray(spike_times=[2.0]))
    b = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(
        a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.5), receptor_type="inhibitory"
    )
    w = prj.get("weight", format="array")
    print("inhib curr weights read back:", w[0, 0])
    b.record("v")
    sim.run(10)
    v = b.get_data().segments[0].analogsignals[0]
    assert float(np.min(v)) < -65.5, float(np.min(v))
    sim.end()


@check
def initialize_callable_and_view_ids():
    sim.setup()
    p = sim.Population(4, sim.IF_cond_exp())
    p.initialize(v=lambda i: -70.0 + i)
    p.record("v")
    sim.run(0.5)
    v0 = np.asarray(p.get_data().segments[0].analogsignals[0][0]).ravel()
    assert np.allclose(v0, [-70, -69, -68, -67]), v0
    sim.end()


@check
def get_current_time_types():
    sim.setup()
    p = sim.Population(1, sim.IF_cond_exp())
    t = sim.run(0.3)
    print("run returns", repr(t), "get_current_time", repr(sim.get_current_time()))
    for _ in range(7):
        sim.run(0.1)
    print("after 7x0.1:", repr(sim.get_current_time()))
    sim.run_until(1.05)
    print("run_until 1.05:", repr(sim.get_current_time()))


# --- User-script style checks, part H. --------------------------------------------------
@check
def grid_periodic_2d():
    sim.setup()
    p = sim.Population(16, sim.IF_cond_exp(), structure=Grid2D(dx=1.0, dy=1.0))
    sp = Space(periodic_boundaries=((0, 4), (0, 4), None))
    prj = sim.Projection(
        p,
        p,
        sim.DistanceDependentProbabilityConnector("d < 1.1", allow_self_connections=False),
        sim.StaticSynapse(weight="0.01*d"),
        space=sp,
    )
    ps = pairs(prj)
    assert len(ps) == 64, len(ps)  # 4 neighbours each on a torus
    post0 = sorted(j for i, j in ps if i == 0)
    assert post0 == [1, 3, 4, 12], post0


@check
def sampling_off_grid():
    sim.setup(timestep=0.1)
    p = sim.Population(1, sim.IF_cond_exp())
    try:
        p.record("v", sampling_interval=0.25)
        sim.run(1.0)
        v = p.get_data().segments[0].analogsignals[0]
        print("sampling 0.25:", v.sampling_period, v.shape)
    except Exception as e:
        print("sampling 0.25:", type(e).__name__, str(e)[:150])


@check
def clear_twice_and_reset():
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0))
    p.record(["spikes", "v"])
    sim.run(10)
    p.get_data(clear=True)
    b = p.get_data()
    print(
        "get_data right after clear:",
        len(b.segments),
        [a.shape for s in b.segments for a in s.analogsignals],
        [len(st) for s in b.segments for st in s.spiketrains],
    )
    sim.run(10)
    sim.reset()
    b = p.get_data(clear=True)
    print("after reset clear:", len(b.segments), [a.shape for s in b.segments for a in s.analogsignals])
    sim.run(5)
    b = p.get_data()
    assert len(b.segments) == 1 and b.segments[0].analogsignals[0].shape == (51, 2), [
        a.shape for s in b.segments for a in s.analogsignals
    ]
    sim.end()


@check
def counts_without_recording():
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp())
    sim.run(1)
    try:
        print("get_spike_counts no rec:", p.get_spike_counts())
    except Exception as e:
        print("get_spike_counts no rec:", type(e).__name__, str(e)[:100])
    try:
        print("mean_spike_count no rec:", p.mean_spike_count())
    except Exception as e:
        print("mean_spike_count no rec:", type(e).__name__, str(e)[:100])


@check
def gather_all_and_gather_false():
    sim.setup()
    a = sim.Population(2, sim.IF_curr_exp(i_offset=2.0))
    b = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    l = prj.get("weight", format="list", gather="all")
    assert len(l) == 4
    a.record("spikes")
    sim.run(10)
    blk = a.get_data(gather=False)
    assert len(blk.segments[0].spiketrains) == 2
    assert a.get_spike_counts(gather=False)
    sim.end()


@check
def reset_without_run_and_multiple_reset():
    sim.setup()
    p = sim.Population(1, sim.IF_curr_exp(i_offset=2.0))
    p.record("spikes")
    sim.reset()
    sim.reset()
    sim.run(20)
    sim.reset()
    sim.reset()
    sim.run(20)
    b = p.get_data()
    print(
        "segments after reset,reset,run,reset,reset,run:",
        len(b.segments),
        [len(s.spiketrains[0]) for s in b.segments],
    )
    assert len(b.segments) == 2
    sim.end()


@check
def callbacks_each_step():
    sim.setup(timestep=0.1)
    p = sim.Population(1, sim.IF_curr_exp())
    ts = []

    def cb(t):
        ts.append(t)
        return t + 0.1

    sim.run(1.0, callbacks=[cb])
    print("callback count", len(ts), ts[:4], ts[-2:])
    assert len(ts) in (10, 11), len(ts)


@check
def write_multi_segments_nix():
    sim.setup()
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0), label="multi")
    p.record(["spikes", "v"])
    for k in range(3):
        sim.run(10)
        sim.reset(annotations={"k": k})
    try:
        import nixio  # noqa

        fn = os.path.join(TMP, "multi_%s.nix" % sys.argv[1])
        p.write_data(fn)
        import neo

        io = neo.io.NixIO(fn, mode="ro")
        b = io.read_block()
        io.close()
        assert len(b.segments) == 3, len(b.segments)
        print("nix seg annotations", [s.annotations.get("k") for s in b.segments])
    except ImportError:
        pass
    fn = os.path.join(TMP, "multi_%s.pkl" % sys.argv[1])
    p.write_data(fn)
    b = pickle.load(open(fn, "rb"))
    assert len(b.segments) == 3 and [s.annotations.get("k") for s in b.segments] == [0, 1, 2]
    sim.end()


@check
def view_of_view_record_getdata():
    sim.setup()
    p = sim.Population(10, sim.IF_curr_exp(i_offset=np.linspace(0, 3, 10)))
    vv = p[2:9][1::3]  # parent indices 3, 6
    assert [p.id_to_index(i) for i in vv.all_cells] == [3, 6]
    vv.record(["spikes", "v"])
    sim.run(20)
    b = vv.get_data()
    assert [st.annotations["source_index"] for st in b.segments[0].spiketrains] == [3, 6]
    v = b.segments[0].analogsignals[0]
    assert list(v.array_annotations["channel_index"]) == [3, 6], v.array_annotations
    c = vv.get_spike_counts()
    assert set(c) == {p[3], p[6]}
    sim.end()


# --- User-script style checks, part I: files, odd connector arguments. ------------------
@check
def file_objects():
    sim.setup()
    a = sim.Population(4, sim.IF_cond_exp())
    b = sim.Population(3, sim.IF_cond_exp())
    prj = sim.Projection(
        a,
        b,
        sim.FixedProbabilityConnector(0.5, rng=NumpyRNG(2)),
        sim.StaticSynapse(
            weight=RandomDistribution("uniform", low=0.01, high=0.05, rng=NumpyRNG(1)), delay=1.0
        ),
    )
    ref = sorted(tuple(x) for x in prj.get(["weight", "delay"], format="list"))
    for cls, ext in [
        (files.StandardTextFile, "txt"),
        (files.NumpyBinaryFile, "npz"),
        (files.PickleFile, "pkl"),
    ]:
        fn = os.path.join(TMP, "c." + ext)
        prj.save("all", cls(fn, mode="wb"))
        prj2 = sim.Projection(a, b, sim.FromFileConnector(cls(fn, mode="rb")), sim.StaticSynapse())
        got = sorted(tuple(x) for x in prj2.get(["weight", "delay"], format="list"))
        assert np.allclose(got, ref), (cls.__name__, got[:2], ref[:2])
        print(cls.__name__, "ok")
    fn = os.path.join(TMP, "plain.txt")
    prj.save("all", fn)
    f = files.StandardTextFile(fn, mode="rb")
    print("metadata", f.get_metadata())


@check
def index_expression_uses_projection():
    sim.setup()
    a = sim.Population(4, sim.IF_cond_exp(), structure=Line())
    b = sim.Population(4, sim.IF_cond_exp(), structure=Line())

    class Near(IndexBasedExpression):
        def __call__(self, i, j):
            pre = self.projection.pre.positions[0][i]
            post = self.projection.post.positions[0][j]
            return np.abs(pre - post) < 1.5

    prj = sim.Projection(a, b, sim.IndexBasedProbabilityConnector(Near()), sim.StaticSynapse(weight=0.01))
    assert len(pairs(prj)) == 10, pairs(prj)

    class W(IndexBasedExpression):
        def __call__(self, i, j):
            return 0.01 * (i + j + 1)

    prj2 = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=W()))
    w = prj2.get("weight", format="array")
    assert np.allclose(w, 0.01 * (np.add.outer(np.arange(4), np.arange(4)) + 1)), w


@check
def dd_callable_and_delay_only_list():
    sim.setup()
    a = sim.Population(6, sim.IF_cond_exp(), structure=Line())
    prj = sim.Projection(
        a,
        a,
        sim.DistanceDependentProbabilityConnector(lambda d: d < 1.5, allow_self_connections=False),
        sim.StaticSynapse(weight=0.01),
    )
    assert len(pairs(prj)) == 10
    prj = sim.Projection(
        a,
        a,
        sim.FromListConnector([(0, 1, 2.0), (1, 0, 3.0)], column_names=["delay"]),
        sim.StaticSynapse(weight=0.02),
    )
    got = sorted(tuple(x) for x in prj.get(["weight", "delay"], format="list"))
    assert np.allclose(got, [(0, 1, 0.02, 2.0), (1, 0, 0.02, 3.0)]), got
    prj = sim.Projection(
        a,
        a,
        sim.FixedNumberPostConnector(
            RandomDistribution("uniform_int", low=1, high=2, rng=NumpyRNG(2)), rng=NumpyRNG(3)
        ),
        sim.StaticSynapse(weight=0.01),
    )
    n = prj.size()
    assert 6 <= n <= 12, n


@check
def projection_get_on_assembly_and_views():
    sim.setup()
    a = sim.Population(2, sim.IF_cond_exp())
    b = sim.Population(2, sim.IF_cond_exp())
    asm = a + b
    prj = sim.Projection(asm[1:3], asm, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    w = prj.get("weight", format="array")
    assert w.shape == (2, 4)
    prj.set(weight=np.arange(8, dtype=float).reshape(2, 4) * 0.001)
    assert np.allclose(prj.get("weight", format="array"), np.arange(8).reshape(2, 4) * 0.001)


@check
def connection_attributes():
    sim.setup()
    a = sim.Population(2, sim.SpikeSourcePoisson(rate=10.0))
    b = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(
        a, b, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(U=0.4, weight=0.01, delay=1.5)
    )
    c = list(prj.connections)[0]
    print("conn attrs", c.presynaptic_index, c.postsynaptic_index, c.weight, c.delay, c.U, c.tau_rec)
    c.U = 0.7
    assert 0.7 in np.round(prj.get("U", format="list", with_address=False), 9)
    c.delay = 2.0
    assert 2.0 in np.round(prj.get("delay", format="list", with_address=False), 9)
    print(c.as_tuple("weight", "U"))


# --- User-script style checks, part J: spike times in every shape users give them. ------
def trains(p):
    return [list(np.round(np.asarray(s), 6)) for s in p.get_data().segments[-1].spiketrains]


@check
def spike_time_shapes():
    sim.setup()
    a = sim.Population(2, sim.SpikeSourceArray(spike_times=np.array([1.0, 2.0])))
    b = sim.Population(2, sim.SpikeSourceArray(spike_times=[np.array([1.0]), np.array([2.0, 3.0])]))
    c = sim.Population(3, sim.SpikeSourceArray(spike_times=[[1.0], [2.0], [3.0]]))
    d = sim.Population(2, sim.SpikeSourceArray())
    d[0].spike_times = [4.0, 5.0]
    e = sim.Population(4, sim.SpikeSourceArray())
    e[1:3].set(spike_times=[[6.0], [7.0, 8.0]])
    f = sim.Population(2, sim.SpikeSourceArray(spike_times=Sequence(np.arange(1.0, 4.0))))
    for x in (a, b, c, d, e, f):
        x.record("spikes")
    sim.run(10)
    assert trains(a) == [[1.0, 2.0], [1.0, 2.0]], trains(a)
    assert trains(b) == [[1.0], [2.0, 3.0]], trains(b)
    assert trains(c) == [[1.0], [2.0], [3.0]], trains(c)
    assert trains(d) == [[4.0, 5.0], []], trains(d)
    assert trains(e) == [[], [6.0], [7.0, 8.0], []], trains(e)
    assert trains(f) == [[1.0, 2.0, 3.0]] * 2, trains(f)
    print("id get spike_times", d[0].spike_times, d[0].get_parameters())
    sim.end()


@check
def spike_times_between_runs():
    sim.setup()
    a = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 2.0]))
    a.record("spikes")
    sim.run(10)
    a.set(spike_times=[15.0, 17.0])
    sim.run(10)
    assert trains(a) == [[1.0, 2.0, 15.0, 17.0]], trains(a)
    sim.reset()
    sim.run(20)
    print("after reset:", trains(a))
    sim.end()


@check
def sequence_ops():
    s = Sequence([1.0, 2.0])
    t = s + 5.0
    print("seq+5", t.value if hasattr(t, "value") else t)
    u = s * 2
    print("seq*2", u.value if hasattr(u, "value") else u)
    assert np.allclose(s.value, [1, 2])
    assert s == Sequence([1.0, 2.0])
    print("seq max", s.max())


@check
def poisson_set_after_run_and_reset():
    sim.setup()
    p = sim.Population(1, sim.SpikeSourcePoisson(rate=0.0))
    p.record("spikes")
    sim.run(100)
    p.set(rate=500.0)
    sim.run(100)
    t = trains(p)[0]
    assert len(t) > 20 and min(t) >= 100.0, (len(t), t[:3])
    sim.reset()
    sim.run(200)
    t = trains(p)[0]
    assert 60 < len(t) < 140 and min(t) < 20, (len(t), t[:3])
    sim.end()


# --- User-script style checks, part K: plastic synapse parameters get/set. --------------
@check
def stdp_params_get_set():
    sim.setup()
    a = sim.Population(2, sim.SpikeSourcePoisson(rate=20.0))
    b = sim.Population(2, sim.IF_cond_exp())
    for wd in (
        sim.AdditiveWeightDependence(w_min=0.0, w_max=0.04),
        sim.MultiplicativeWeightDependence(w_min=0.0, w_max=0.04),
        sim.AdditivePotentiationMultiplicativeDepression(w_min=0.0, w_max=0.04),
        sim.GutigWeightDependence(w_min=0.0, w_max=0.04, mu_plus=0.3, mu_minus=0.7),
    ):
        stdp = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(tau_plus=15.0, tau_minus=25.0, A_plus=0.01, A_minus=0.02),
            weight_dependence=wd,
            weight=0.01,
            delay=1.0,
        )
        try:
            prj = sim.Projection(a, b, sim.AllToAllConnector(), stdp)
        except Exception as e:
            print(type(wd).__name__, "create:", type(e).__name__, str(e)[:100])
            continue
        names = ["tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max"] + (
            ["mu_plus", "mu_minus"] if "Gutig" in type(wd).__name__ else []
        )
        exp = dict(
            tau_plus=15.0,
            tau_minus=25.0,
            A_plus=0.01,
            A_minus=0.02,
            w_min=0.0,
            w_max=0.04,
            mu_plus=0.3,
            mu_minus=0.7,
        )
        for n in names:
            try:
                v = prj.get(n, format="list", with_address=False)
                ok = np.allclose(v, exp[n])
                if not ok:
                    print(type(wd).__name__, n, "WRONG", v)
            except Exception as e:
                print(type(wd).__name__, n, "get:", type(e).__name__, str(e)[:100])
        try:
            prj.set(A_plus=0.03, tau_minus=30.0, w_max=0.05)
            assert np.allclose(prj.get("A_plus", format="list", with_address=False), 0.03)
            assert np.allclose(prj.get("tau_minus", format="list", with_address=False), 30.0)
            assert np.allclose(prj.get("w_max", format="list", with_address=False), 0.05)
        except Exception as e:
            print(type(wd).__name__, "set:", type(e).__name__, str(e)[:100])
        try:
            print(
                type(wd).__name__,
                "ddf",
                prj.get("dendritic_delay_fraction", format="list", with_address=False)[:1],
            )
        except Exception as e:
            print(type(wd).__name__, "ddf get:", type(e).__name__, str(e)[:100])
    sim.run(50)
    sim.end()


@check
def tm_params_get_set():
    sim.setup()
    a = sim.Population(2, sim.SpikeSourcePoisson(rate=20.0))
    b = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(
        a,
        b,
        sim.AllToAllConnector(),
        sim.TsodyksMarkramSynapse(U=0.3, tau_rec=300.0, tau_facil=50.0, weight=0.5, delay=1.0),
    )
    for n, e in dict(U=0.3, tau_rec=300.0, tau_facil=50.0, weight=0.5, delay=1.0).items():
        v = prj.get(n, format="array")
        assert np.allclose(v, e), (n, v)
    prj.set(tau_facil=RandomDistribution("uniform", low=10.0, high=20.0, rng=NumpyRNG(2)))
    v = prj.get("tau_facil", format="array")
    assert np.all((v >= 10) & (v <= 20)) and v.std() > 0
    sim.run(50)
    sim.end()


def main(names):
    failed = 0
    for f in CHECKS:
        if names and f.__name__ not in names:
            continue
        try:
            f()
            print(f"PASS {sys.argv[1]} {f.__name__}", flush=True)
        except Exception as e:  # report every failing check, then go on with the next
            failed += 1
            tb = traceback.format_exc().strip().splitlines()
            print(f"FAIL {sys.argv[1]} {f.__name__}: {type(e).__name__}: {str(e)[:300]}", flush=True)
            print("   " + "\n   ".join(tb[-6:]), flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[2:]) else 0)
