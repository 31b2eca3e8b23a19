"""The same script under ``mpirun -np N``: the same network and results for any N.

Each test runs ``mpi_child.py`` with NEURON, and the tests parametrised over ``backend`` also
with NEST when the NEST found is built with MPI (skipped with the PyPI wheel; see
doc/parallel.md to build one and shadow the wheel with PYTHONPATH), under the mpirun of the MPI
installed with the library (requirements.txt: mpi4py and the mpich wheel) at 1, 2 and 3
processes, and compares what every process wrote. With 3 processes and 25 cells the split is uneven; in
the "tiny" network (2 cells) the third process owns no cell at all.
"""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

CHILD = Path(__file__).with_name("mpi_child.py")


def _mpirun():
    """The launcher of the MPI that mpi4py uses (the one beside this Python first)."""
    beside = Path(sys.executable).with_name("mpirun")
    if beside.exists():
        return str(beside)
    return shutil.which("mpirun")


MPIRUN = _mpirun()

try:
    import mpi4py  # noqa: F401 - only whether it is installed
    _HAVE_MPI4PY = True
except ImportError:
    _HAVE_MPI4PY = False

pytestmark = [
    pytest.mark.skipif(MPIRUN is None, reason="no mpirun (install the mpich package: pip install mpich)"),
    pytest.mark.skipif(not _HAVE_MPI4PY, reason="mpi4py is not installed (pip install mpi4py)"),
]


def _nest_has_mpi():
    """Whether the NEST that a child process would import is built with MPI, found without
    importing NEST here (pyNN/nest/launch.py is loaded on its own: importing the package
    would import NEST, and an MPI-enabled NEST would start MPI in this process)."""
    import importlib.util

    import pyNN
    path = Path(pyNN.__file__).parent / "nest" / "launch.py"
    spec = importlib.util.spec_from_file_location("_pynn_nest_launch", path)
    launch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launch)
    return bool(launch.kernel_links_mpi())


#: the backends that distribute a network over MPI processes; NEST only when built with MPI
#: (the wheel from PyPI is not: see doc/parallel.md for building one)
BACKENDS = ["neuron", pytest.param("nest", marks=pytest.mark.skipif(
    not _nest_has_mpi(), reason="the installed NEST is built without MPI (the PyPI wheel); "
                                "build NEST with -Dwith-mpi=ON to run these tests (doc/parallel.md)"))]

_RUNS = {}

#: the say() function of the child scripts: a file per process, as the processes' shared
#: stdout may interleave their lines
_SAY = ("import os\n"
        "def say(text):\n"
        "    with open(os.path.join(os.path.dirname(__file__), 'out.' + os.environ['PMI_RANK']), 'a') as f:\n"
        "        f.write(text + '\\n')\n")


def _lines_of_each_process(folder, n, completed):
    """The lines that each of ``n`` processes wrote to its own file ``out.<rank>`` in ``folder``."""
    files = sorted(folder.glob("out.*"))
    assert len(files) == n, completed.stdout + completed.stderr
    return [line for path in files for line in path.read_text().splitlines()]


def _run_on_processes(script, n, *args):
    """Run `script` (with command-line `args`) under mpirun with `n` processes: (the lines they
    wrote with say(), the completed process)."""
    for old in script.parent.glob("out.*"):  # (from an earlier run of the same script)
        old.unlink()
    out = subprocess.run([MPIRUN, "-np", str(n), sys.executable, str(script), *args], capture_output=True,
                         text=True, timeout=300)
    return _lines_of_each_process(script.parent, n, out), out


def _run_on_two_processes(script, *args):
    """`_run_on_processes` with 2 processes."""
    return _run_on_processes(script, 2, *args)


def _run(network, n, tmp_path_factory, backend="neuron", threads=1):
    """Run the child on `n` processes with `backend` (and NEST `threads` per process; once per
    network, n, backend and threads); the per-rank results."""
    key = (network, n, backend, threads)
    if key not in _RUNS:
        outdir = tmp_path_factory.mktemp(f"{backend}_{network}_np{n}_t{threads}")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("OMPI_", "PMI_", "PMIX_", "MPI_LOCALNRANKS", "SLURM_"))}
        env.update(PYNN_MPI_BACKEND=backend, PYNN_MPI_THREADS=str(threads))
        proc = subprocess.run([MPIRUN, "-np", str(n), sys.executable, str(CHILD), network, str(outdir)],
                              capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        ranks = [dict(np.load(outdir / f"rank{r}.npz")) for r in range(n)]
        _RUNS[key] = (outdir, ranks)
    return _RUNS[key]


_PER_RANK = ("rank", "local_ids", "local_trains")


def _assert_same_results(reference, other, what):
    """The gathered connections and spikes are identical; the membrane potential and the
    conductance are the same to rounding (events arriving in the same step may be summed in
    another order)."""
    for key, expected in reference.items():
        if key in _PER_RANK or key == "num_processes" or key.startswith(("size", "local_")):
            continue
        if key.startswith("v"):
            np.testing.assert_allclose(other[key], expected, rtol=0, atol=1e-9, err_msg=f"{what}: {key}")
        elif key.startswith("gsyn"):
            np.testing.assert_allclose(other[key], expected, rtol=1e-12, atol=1e-15, err_msg=f"{what}: {key}")
        else:
            np.testing.assert_array_equal(other[key], expected, err_msg=f"{what}: {key}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("network", ["fixed_probability", "distance_dependent", "fixed_number", "from_list"])
@pytest.mark.parametrize("n", [2, 3])
def test_same_network_and_spikes_for_any_number_of_processes(network, n, backend, tmp_path_factory):
    _, (single,) = _run(network, 1, tmp_path_factory, backend)
    _, ranks = _run(network, n, tmp_path_factory, backend)
    assert single["num_processes"] == 1 and single["spike_counts0"].sum() > 20  # the network is active
    assert len(single["connections2"]) > 10
    for r, result in enumerate(ranks):
        assert int(result["rank"]) == r and int(result["num_processes"]) == n
        _assert_same_results(single, result, f"{network}, rank {r} of {n}")
        # save(gather=False) + FromFileConnector(distributed=True) give the projection back
        np.testing.assert_array_equal(result["local_reread"], single["connections2"])
    # get(gather=False): each process's part holds the connections onto its own cells, and
    # the parts make up the whole projection
    all_ids = single["local_ids"]
    for k in range(3):
        parts = []
        for result in ranks:
            local = result[f"local_connections{k}"]
            local_indices = np.searchsorted(all_ids, result["local_ids"])
            assert np.isin(local[:, 1], local_indices).all()
            parts.append(local)
        joined = np.concatenate(parts)
        joined = joined[np.lexsort((joined[:, 0], joined[:, 1]))]
        np.testing.assert_array_equal(joined, single[f"connections{k}"])
    # ... and in 'array' format: the columns of this process's cells, NaN elsewhere
    for result in ranks:
        local_indices = np.searchsorted(all_ids, result["local_ids"])
        others = np.setdiff1d(np.arange(all_ids.size), local_indices)
        np.testing.assert_array_equal(result["local_weights"][:, local_indices], single["weights"][:, local_indices])
        assert np.isnan(result["local_weights"][:, others]).all()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n", [2, 3])
def test_plastic_values_for_any_number_of_processes(n, backend, tmp_path_factory):
    """STDP weights and Tsodyks-Markram u, which NEURON changes during the run, on the process
    that owns the connection: get(gather=True), the recorded weights and save() give every
    connection's value on every process, as with one process; get(gather=False) gives this
    process's connections only, as for the static delays beside them."""
    outdir1, (single,) = _run("plastic", 1, tmp_path_factory, backend)
    outdir, ranks = _run("plastic", n, tmp_path_factory, backend)
    assert single["spike_counts"].sum() > 5  # the cells fire, so STDP acts
    assert len(single["weights"]) > 20 and len(single["u"]) > 10
    changed = np.abs(single["weights"][:, 2] - single["initial"][:, 2]) > 1e-6
    assert changed.sum() > len(changed) // 2
    assert np.ptp(single["u"][:, 2]) > 0.01  # u differs between connections after the run
    assert np.ptp(single["lonely"][:, 2]) > 1e-4  # (the cell that one process owns fires)
    all_ids = single["local_ids"]
    for r, result in enumerate(ranks):
        what = f"rank {r} of {n}"
        for key in ("initial", "weights", "u", "lonely", "weight_array", "recorded", "spike_counts"):
            np.testing.assert_allclose(result[key], single[key], rtol=0, atol=1e-12, err_msg=f"{what}: {key}")
        local_indices = np.searchsorted(all_ids, result["local_ids"])
        for name in ("weights", "u"):
            local = result[f"local_{name}"]
            mine = np.isin(single[name][:, 1], local_indices)
            np.testing.assert_allclose(local, single[name][mine], rtol=0, atol=1e-12, err_msg=f"{what}: {name}")
        others = np.setdiff1d(np.arange(all_ids.size), local_indices)
        np.testing.assert_array_equal(result["local_weight_array"][:, local_indices],
                                      single["weight_array"][:, local_indices])
        assert np.isnan(result["local_weight_array"][:, others]).all()
        # save(gather=False): the weights of this process's connections
        saved = np.loadtxt(outdir / f"weights_local.txt.{r}", ndmin=2)
        np.testing.assert_allclose(saved, result["local_weights"][:, :3], rtol=0, atol=1e-12)
    # save(gather=True): one file with every connection's weight, as with one process
    np.testing.assert_allclose(np.loadtxt(outdir / "weights.txt"), np.loadtxt(outdir1 / "weights.txt"),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n", [2, 3])
def test_connectors_choosing_across_cells_give_the_same_network_for_any_number_of_processes(
        n, backend, tmp_path_factory):
    """FixedNumberPost, FixedTotalNumber and SmallWorld: each process generates only the
    connections onto its own cells, and the gathered lists equal those of one process."""
    _, (single,) = _run("connectors", 1, tmp_path_factory, backend)
    _, ranks = _run("connectors", n, tmp_path_factory, backend)
    names = [k[len("connections_"):] for k in single if k.startswith("connections_")]
    assert len(names) == 6
    assert len(single["connections_fixed_total"]) == 300
    assert len(single["connections_fixed_total_distinct"]) == 700
    assert len(single["connections_small_world_n"]) == 150
    for name in names:
        expected = single[f"connections_{name}"]
        assert len(expected) > 50, name
        for r, result in enumerate(ranks):
            np.testing.assert_array_equal(result[f"connections_{name}"], expected,
                                          err_msg=f"{name}, rank {r} of {n}")
        # every process holds the connections onto its own cells, and they add up to all
        local = [int(result[f"local_{name}"][0]) for result in ranks]
        assert sum(local) == len(expected), name


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n", [2, 3])
def test_fixed_number_post_divides_the_generation_over_the_processes(n, backend, tmp_path_factory):
    """FixedNumberPost draws the choices of each presynaptic cell over every postsynaptic cell:
    each process draws those of its own share of the presynaptic cells (49 cells: 24 + 25
    with 2 processes, 16 + 16 + 17 with 3), not of all of them, and the network is still that
    of one process (test above)."""
    _, (single,) = _run("connectors", 1, tmp_path_factory, backend)
    _, ranks = _run("connectors", n, tmp_path_factory, backend)
    for name in ("fixed_number_post", "fixed_number_post_replace"):
        n_pre = int(single[f"generated_{name}"][1])
        assert int(single[f"generated_{name}"][0]) == n_pre == 49
        shares = [int(result[f"generated_{name}"][0]) for result in ranks]
        assert sum(shares) == n_pre, name
        assert max(shares) - min(shares) <= 1 and max(shares) == -(-n_pre // n), (name, shares)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n", [2, 3])
def test_cells_and_connections_are_split_over_the_processes(n, backend, tmp_path_factory):
    _, (single,) = _run("fixed_probability", 1, tmp_path_factory, backend)
    _, ranks = _run("fixed_probability", n, tmp_path_factory, backend)
    owned = np.concatenate([r["local_ids"] for r in ranks])
    assert np.array_equal(np.sort(owned), single["local_ids"])  # every cell on exactly one process
    for r, result in enumerate(ranks):
        # dealt round-robin: by ID on NEURON, by NEST's node id on NEST (whose devices take ids too)
        assert (result["local_ids" if backend == "neuron" else "local_node_ids"] % n == r).all()
        if backend == "nest":  # the library's placement is NEST's
            np.testing.assert_array_equal(result["local_node_ids"], result["local_node_ids_nest"])
        assert abs(len(result["local_ids"]) - single["local_ids"].size / n) < 1  # evenly
        # get_data(gather=False): the trains of this process's cells only
        assert np.array_equal(result["local_trains"], result["local_ids"])
    for k in range(3):
        total = int(single[f"size{k}"][0])
        assert all(int(r[f"size{k}"][0]) == total for r in ranks)  # size(): every connection
        local = [int(r[f"size{k}"][1]) for r in ranks]  # size(gather=False) == len(prj)
        assert sum(local) == total and all(int(r[f"size{k}"][2]) == m for r, m in zip(ranks, local))


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "neuron"])
def test_nest_processes_with_threads_give_the_results_of_one_process(n, backend, tmp_path_factory):
    """NEST with 2 threads in each of n processes (2n virtual processes): the cells are still
    placed on rank node_id % n, and the network, spikes and signals are those of one process
    with one thread."""
    _, (single,) = _run("distance_dependent", 1, tmp_path_factory, backend)
    _, ranks = _run("distance_dependent", n, tmp_path_factory, backend, threads=2)
    for r, result in enumerate(ranks):
        _assert_same_results(single, result, f"rank {r} of {n}, 2 threads each")
        np.testing.assert_array_equal(result["local_node_ids"], result["local_node_ids_nest"])
        assert (result["local_node_ids"] % n == r).all()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n", [2, 3])
def test_current_sources_and_additions_after_a_run_for_any_number_of_processes(n, backend, tmp_path_factory):
    """DC, noisy and step current sources, then a population, a projection and a parameter
    change after a first run: the same spikes, membrane potentials and connections as with one
    process. (On NEURON the first run has no connection between processes, and the projection
    made after it is the first: the spikes must still be exchanged in time, see
    State.set_exchange_interval.)"""
    _, (single,) = _run("currents", 1, tmp_path_factory, backend)
    _, ranks = _run("currents", n, tmp_path_factory, backend)
    assert single["spike_counts0"].sum() > 5 and len(single["connections"]) > 5
    assert np.all(single["tau_m"] == 20.0)
    for r, result in enumerate(ranks):
        assert int(result["num_processes"]) == n
        _assert_same_results(single, result, f"currents, rank {r} of {n}")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_process_with_no_cells(backend, tmp_path_factory):
    _, (single,) = _run("tiny", 1, tmp_path_factory, backend)
    _, ranks = _run("tiny", 3, tmp_path_factory, backend)
    owners = [r["local_ids"].tolist() for r in ranks]
    if backend == "neuron":
        assert owners == [[], [1], []]  # rank 2: no cell at all
    else:  # (on NEST the rank of NEST's node id)
        assert sorted(owners) == [[], [], [1]]
    assert single["spike_counts0"].sum() > 0
    for r, result in enumerate(ranks):
        _assert_same_results(single, result, f"tiny, rank {r} of 3")


@pytest.mark.parametrize("backend", BACKENDS)
def test_gathers_are_the_same_on_every_process(backend, tmp_path_factory):
    _, ranks = _run("distance_dependent", 3, tmp_path_factory, backend)
    for result in ranks[1:]:
        _assert_same_results(ranks[0], result, "rank 0 against another rank")


@pytest.mark.parametrize("backend", BACKENDS)
def test_write_data_writes_one_complete_file(backend, tmp_path_factory):
    import neo
    outdir, ranks = _run("fixed_probability", 2, tmp_path_factory, backend)
    files = sorted(p.name for p in outdir.iterdir())
    assert files == ["cells.pkl", "connections.txt", "connections_local.txt.0", "connections_local.txt.1",
                     "local.0.pkl", "local.1.pkl", "rank0.npz", "rank1.npz"]
    block = neo.io.PickleIO(str(outdir / "cells.pkl")).read_block()
    assert len(block.segments) == 2
    counts = [len(st) for st in sorted(block.segments[0].spiketrains, key=lambda st: st.annotations["channel_id"])]
    assert counts == ranks[0]["spike_counts0"].tolist()
    np.testing.assert_array_equal(np.asarray(block.segments[1].filter(name="v")[0].magnitude), ranks[0]["v1"])
    # write_data(gather=False): each process's own cells, in a file of its own
    for r, result in enumerate(ranks):
        local = neo.io.PickleIO(str(outdir / f"local.{r}.pkl")).read_block()
        ids = [st.annotations["channel_id"] for st in local.segments[0].spiketrains]
        assert ids == result["local_ids"].tolist()
    saved = np.loadtxt(outdir / "connections.txt")
    assert saved.shape[0] == len(ranks[0]["connections2"])
    np.testing.assert_array_equal(saved[:, 2:4], ranks[0]["connections2"][:, 2:4])


def test_nest_and_brian2_refuse_a_real_mpirun_launch(tmp_path):
    """NEST from PyPI has no MPI and Brian2 none at all: under a real mpirun with 2
    processes, both refuse with the reason instead of running two copies (NEST already at
    ``import pyNN.nest``, as NEST itself would end the process when imported)."""
    script = tmp_path / "refuse.py"
    script.write_text(
        "import importlib, os, sys\n"
        "from pyNN.errors import NotSupportedError\n"
        + _SAY +
        "try:\n    sim = importlib.import_module('pyNN.' + sys.argv[1])\n    sim.setup()\n"
        "except NotSupportedError as e:\n    say(f'REFUSED {e}')\n"
        "else:\n    say('ACCEPTED')\n")
    reasons = {"nest": "built without MPI", "brian2": "Brian2 runs a network in one process"}
    if _nest_has_mpi():  # (an MPI-enabled NEST runs distributed: the tests parametrised over backend)
        del reasons["nest"]
    for backend, reason in reasons.items():
        lines, out = _run_on_two_processes(script, backend)
        assert len(lines) == 2, out.stdout + out.stderr
        assert all(line.startswith("REFUSED") and reason in line and "2 processes" in line
                   for line in lines), lines


def test_delays_too_short_for_neuron_across_processes_are_refused(tmp_path):
    """NEURON exchanges spikes between processes at intervals of the shortest delay and needs
    two steps at least: a one-step delay is refused before anything is created (or, by set(),
    changed), with the projection, the delay and the shortest allowed."""
    script = tmp_path / "short_delay.py"
    script.write_text(
        "import pyNN.neuron as sim\n"
        "from pyNN.errors import InvalidParameterValueError\n"
        + _SAY +
        "sim.setup(timestep=0.1)\n"
        "a = sim.Population(2, sim.SpikeSourcePoisson(rate=10.0), label='a')\n"
        "b = sim.Population(2, sim.IF_cond_exp(), label='b')\n"
        "try:\n"
        "    sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.1),"
        " label='a->b')\n"
        "except InvalidParameterValueError as e:\n    say(f'REFUSED {e}')\n"
        "ok = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.2))\n"
        "try:\n"
        "    ok.set(delay=0.1)\n"
        "except InvalidParameterValueError as e:\n    say(f'REFUSED {e}')\n"
        "sim.run(5.0)\n"
        "say(f'RAN {ok.size()}')\n")
    lines, out = _run_on_two_processes(script)
    refused = [line for line in lines if line.startswith("REFUSED")]
    assert len(refused) == 4, out.stdout + out.stderr
    assert "Projection 'a->b': delay 0.1 ms is too short" in refused[0]
    assert "at least 0.2 ms" in refused[0]
    assert "delay 0.1 ms is too short for a NEURON run" in refused[1]  # set() of such a delay
    assert lines.count("RAN 4") == 2, out.stdout + out.stderr


#: connections made after a run with delays shorter than the spike-exchange interval in force
#: (min_delay 'auto': set at the first run from the shortest delay then, 1 ms): refused with
#: NotSupportedError in a distributed run (argument "try"), accepted after reset(); the same
#: for set(delay=...) (a longer delay is accepted after the run); every
#: process writes the gathered spikes of both runs
_SHORTER_AFTER_A_RUN = (
    "import sys\n"
    "import pyNN.neuron as sim\n"
    "from pyNN.errors import NotSupportedError\n"
    + _SAY +
    "sim.setup(timestep=0.1)\n"
    "src = sim.Population(3, sim.SpikeSourceArray(spike_times=[[2.0, 11.0, 21.0], [4.0, 13.5], [6.0, 19.0]]),"
    " label='src')\n"
    "cells = sim.Population(4, sim.IF_cond_exp(tau_m=10.0), label='cells')\n"
    "first = sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.06, delay=1.0),"
    " label='first')\n"
    "cells.record('spikes')\n"
    "sim.run(10.0)\n"
    "def short():\n"
    "    connector = sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=2))\n"
    "    return sim.Projection(src, cells, connector, sim.StaticSynapse(weight=0.06, delay=0.5), label='short')\n"
    "if sys.argv[1] == 'try':\n"
    "    try:\n"
    "        short()\n"
    "    except NotSupportedError as e:\n"
    "        say(f'REFUSED {e}')\n"
    "    try:\n"
    "        first.set(delay=0.5)\n"
    "    except NotSupportedError as e:\n"
    "        say(f'REFUSED {e}')\n"
    "first.set(delay=1.5)\n"
    "sim.run(15.0)\n"
    "sim.reset()\n"
    "short()\n"
    "sim.run(25.0)\n"
    "for segment in cells.get_data('spikes').segments:\n"
    "    for st in sorted(segment.spiketrains, key=lambda st: st.annotations['channel_id']):\n"
    "        say(f\"spikes {st.annotations['channel_id']} {[round(float(x), 6) for x in st.magnitude]}\")\n")


def test_shorter_delays_after_a_run_are_refused_in_a_distributed_run_and_accepted_after_reset(tmp_path):
    """With min_delay 'auto', NEURON exchanges spikes between processes at the shortest delay of
    the first run until the next reset(): a projection made after a run with a shorter delay is
    refused on every process before anything is created (it would stop NEURON with 'Event
    arrived out of order'), as is set() of such a delay (NEURON would deliver spikes late,
    silently); a longer delay set after the run, and the same projection made after reset(),
    run with the results of one process."""
    script = tmp_path / "shorter.py"
    script.write_text(_SHORTER_AFTER_A_RUN)
    reference, out = _run_on_processes(script, 1, "skip")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert sum(len(line.split(" ", 2)[2]) > 2 for line in reference) >= 4  # spikes in both segments
    for n in (2, 3):
        lines, out = _run_on_processes(script, n, "try")
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        refused = [line for line in lines if line.startswith("REFUSED")]
        assert len(refused) == 2 * n, lines
        assert "Projection 'short': delay 0.5 ms is too short for a connection made after a run" in refused[0]
        assert "every 0.9 ms until the next reset()" in refused[0] and "min_delay" in refused[0]
        assert "Projection 'first': delay 0.5 ms is too short for a connection changed after a run" in refused[1]
        assert "change the delays before the first run or after reset()" in refused[1]
        spikes = [line for line in lines if not line.startswith("REFUSED")]
        assert spikes == reference * n, f"{n} processes"


#: a network that grows after a run: populations (cells, NEURON's IntFire2, a random source),
#: projections (one from sources with spikes in flight at the end of the run, which must not
#: travel on it), signal recording and a current injection; every process writes the
#: gathered spikes and membrane potentials
_GROWING_NETWORK = (
    "import numpy as np\n"
    "import pyNN.neuron as sim\n"
    + _SAY +
    "sim.setup(timestep=0.1)\n"
    "src = sim.Population(4, sim.SpikeSourceArray(spike_times=[[5.0, 29.8], [8.0, 29.9], [12.0, 45.0], [20.0]]))\n"
    "noise = sim.Population(6, sim.SpikeSourcePoisson(rate=200.0))\n"
    "cells = sim.Population(4, sim.IF_cond_exp(), label='cells')\n"
    "static = sim.StaticSynapse\n"
    "sim.Projection(src, cells, sim.AllToAllConnector(), static(weight=0.03, delay=1.0))\n"
    "watchers = sim.Population(4, sim.IF_cond_exp(), label='watchers')\n"
    "sim.Projection(src, watchers, sim.AllToAllConnector(), static(weight=0.03, delay=1.0))\n"
    "sim.Projection(noise, cells, sim.AllToAllConnector(), static(weight=0.01, delay=0.5))\n"
    "recurrent = sim.AllToAllConnector(allow_self_connections=False)\n"
    "sim.Projection(cells, cells, recurrent, static(weight=0.01, delay=0.3))\n"
    "cells.record('spikes')\n"
    "sim.run(30.0)\n"
    "late = sim.Population(3, sim.IF_cond_exp(), label='late')\n"
    "sim.Projection(cells, late, sim.AllToAllConnector(), static(weight=0.05, delay=2.0))\n"
    "sim.Projection(src, cells, sim.OneToOneConnector(), static(weight=0.03, delay=2.0))\n"
    "native = sim.Population(2, sim.IntFire2(ib=1.5), label='native')\n"
    "poisson = sim.Population(3, sim.SpikeSourcePoisson(rate=100.0), label='poisson')\n"
    "sim.Projection(poisson, cells, sim.AllToAllConnector(), static(weight=0.01, delay=0.5))\n"
    "sim.DCSource(amplitude=0.3, start=40.0).inject_into(cells[1:3])\n"
    "for p in (late, native, poisson):\n"
    "    p.record('spikes')\n"
    "cells.record('v')\n"
    "sim.run(30.0)\n"
    "for p in (cells, late, native, poisson):\n"
    "    for st in sorted(p.get_data('spikes').segments[0].spiketrains, key=lambda st: st.annotations['channel_id']):\n"
    "        say(f\"{p.label} {st.annotations['channel_id']} {np.round(st.magnitude, 6).tolist()}\")\n"
    "v = cells.get_data('v').segments[0].filter(name='v')[0]\n"
    "say(f'signal {v.times[0]} {v.times[-1]} {v.shape}')\n"
    "say('v ' + ' '.join(f'{x:.12g}' for x in np.asarray(v.magnitude).ravel()))\n")


def test_additions_after_a_run_in_a_distributed_run_give_the_results_of_one_process(tmp_path):
    """Populations, projections, signal recording and current injections added after a run:
    on 2 and 3 processes exactly the spikes (and, to rounding, the membrane potentials) of one
    process, whose spikes in flight at the end of the first run stay off the connections made
    after it."""
    script = tmp_path / "growing.py"
    script.write_text(_GROWING_NETWORK)
    results = {}
    for n in (1, 2, 3):
        lines, out = _run_on_processes(script, n)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        per_rank = len(lines) // n
        assert per_rank and len(lines) == n * per_rank, "\n".join(lines)
        results[n] = [lines[r * per_rank:(r + 1) * per_rank] for r in range(n)]
    (reference,) = results[1]
    spikes = {}
    for line in reference[:-1]:
        label, _, times = line.split(" ", 2)
        if label != "signal":
            spikes.setdefault(label, []).extend(ast.literal_eval(times))
    assert all(spikes[label] for label in ("cells", "late", "native", "poisson"))
    assert min(spikes["late"] + spikes["native"] + spikes["poisson"]) > 30.0
    v_reference = np.array(reference[-1].split()[1:], dtype=float)
    for n in (2, 3):
        for rank_lines in results[n]:
            assert rank_lines[:-1] == reference[:-1], f"{n} processes"
            np.testing.assert_allclose(np.array(rank_lines[-1].split()[1:], dtype=float), v_reference,
                                       rtol=0, atol=1e-9, err_msg=f"{n} processes")


def test_a_connector_error_on_one_process_stops_every_process(tmp_path):
    """A probability outside [0, 1] for the cells of one process only: that process raises
    the connector's error, the other one an error naming the rank, and none waits forever."""
    script = tmp_path / "bad_probability.py"
    script.write_text(
        "import os\n"
        "import numpy as np\n"
        "import pyNN.neuron as sim\n"
        "from pyNN.errors import PyNNError\n"
        "from pyNN.space import Line\n"
        + _SAY +
        "sim.setup(timestep=0.1)\n"
        "cells = sim.Population(2, sim.IF_cond_exp(), structure=Line(dx=10.0), label='cells')\n"
        "# only the cell at x = 10 has a presynaptic cell on its left: p = 2 for that pair\n"
        "f = lambda disp: np.where(disp[0] > 0, 2.0, 0.1)\n"
        "try:\n"
        "    sim.Projection(cells, cells, sim.DisplacementDependentProbabilityConnector(f), label='c->c')\n"
        "except PyNNError as e:\n    say(f'REFUSED {type(e).__name__} {e}')\n"
        "else:\n    say('ACCEPTED')\n"
        "sim.end()\n")
    lines, out = _run_on_two_processes(script)
    lines = sorted(lines)
    assert len(lines) == 2 and all(line.startswith("REFUSED") for line in lines), out.stdout + out.stderr
    assert sum("probabilities outside [0, 1]" in line and "failed on MPI rank" not in line for line in lines) == 1
    assert sum(line.startswith("REFUSED ConnectionError Projection 'c->c': generating the connections failed "
                               "on MPI rank") for line in lines) == 1
