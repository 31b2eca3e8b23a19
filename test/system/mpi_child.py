"""Child script of test_mpi.py, run as ``mpirun -np N python mpi_child.py NETWORK OUTDIR``.

Builds a small recurrent network on pyNN.neuron, or on the backend named by the environment
variable PYNN_MPI_BACKEND (``nest`` with an MPI-enabled NEST; PYNN_MPI_THREADS: NEST threads per
process) (NETWORK: fixed_probability,
distance_dependent, fixed_number (with all-to-all), from_list or tiny — two cells, so that
with 3 processes one owns none; "connectors" builds projections of the connectors whose choice
for a cell spans several cells and does not run; "plastic" builds STDP and Tsodyks-Markram
projections, see `plastic`; "currents": current sources and additions after a run, see
`currents_and_additions`),
runs it with Poisson and array inputs, a reset and a second run, and writes what every
process sees of it to OUTDIR/rank{R}.npz: the gathered connection lists, the spikes,
membrane potential and excitatory conductance of every cell, the local cells and counts. Rank 0 also writes the
recorded data with write_data() to OUTDIR/cells.pkl and the connections with save(); each
rank writes its own cells' spikes to OUTDIR/local.R.pkl (write_data(gather=False)) and the
connections onto its cells to OUTDIR/connections_local.txt.R (save(gather=False)), which
FromFileConnector(distributed=True) reads back.
"""

import importlib
import os
import sys

import numpy as np

sim = importlib.import_module("pyNN." + os.environ.get("PYNN_MPI_BACKEND", "neuron"))
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: E402 - after the backend's import
from pyNN.space import Grid2D  # noqa: E402


def build(network):
    """The populations and projections of `network`; returns (cells, projections)."""
    rng = NumpyRNG(seed=11)
    if network == "tiny":
        source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 12.0, 30.0]), label="source")
        cells = sim.Population(1, sim.IF_cond_exp(), label="cells")
        prj = sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))
        return cells, [prj]
    times = np.random.default_rng(3).uniform(0.0, 80.0, size=(12, 10))
    arrays = sim.Population(12, sim.SpikeSourceArray(spike_times=[sim.Sequence(np.sort(np.round(t, 1)))
                                                                    for t in times]), label="arrays")
    poisson = sim.Population(7, sim.SpikeSourcePoisson(rate=60.0), label="poisson")
    cells = sim.Population(25, sim.IF_cond_exp(tau_m=15.0), structure=Grid2D(dx=10.0, dy=10.0),
                           label="cells")
    cells.initialize(v=RandomDistribution("uniform", (-65.0, -55.0), rng=NumpyRNG(seed=5)))
    weights = RandomDistribution("uniform", (0.01, 0.03), rng=rng)
    if network == "fixed_probability":
        connector = sim.FixedProbabilityConnector(0.3, rng=rng)
        recurrent = sim.FixedProbabilityConnector(0.15, rng=rng)
    elif network == "distance_dependent":
        connector = sim.FixedProbabilityConnector(0.3, rng=rng)
        recurrent = sim.DistanceDependentProbabilityConnector("0.8 * exp(-d / 15.0)", rng=rng)
    elif network == "fixed_number":
        connector = sim.FixedNumberPreConnector(RandomDistribution("binomial", (8, 0.5), rng=rng), rng=rng)
        recurrent = sim.FixedNumberPreConnector(4, allow_self_connections=False, rng=rng)
    elif network == "from_list":
        pairs = np.random.default_rng(9).integers(0, [12, 25], size=(60, 2))
        connector = sim.FromListConnector([(int(i), int(j), 0.02, 1.0) for i, j in pairs],
                                          column_names=["weight", "delay"])
        recurrent = sim.FromListConnector([(int(i), int((i * 7 + 3) % 25), 0.01, 0.5 + 0.1 * (i % 4))
                                           for i in range(25)], column_names=["weight", "delay"])
    else:
        raise SystemExit(f"unknown network {network!r}")
    projections = [
        sim.Projection(arrays, cells, connector, sim.StaticSynapse(weight=weights, delay=1.0),
                       receptor_type="excitatory", label="arrays->cells"),
        sim.Projection(poisson, cells, sim.AllToAllConnector() if network == "fixed_number"
                       else sim.FixedProbabilityConnector(0.4, rng=rng),
                       sim.StaticSynapse(weight=RandomDistribution("uniform", (0.005, 0.01), rng=rng),
                                         delay=0.7), receptor_type="excitatory", label="poisson->cells"),
        sim.Projection(cells, cells, recurrent, sim.StaticSynapse(weight=0.02, delay=0.5),
                       receptor_type="inhibitory", label="cells->cells"),
    ]
    return cells, projections


def connectors_only(outdir):
    """The "connectors" network: projections made by the connectors whose choice for one cell
    spans several cells, no run; every process writes the gathered connection lists and the
    number of connections onto its own cells."""
    rng = NumpyRNG(seed=23)
    cells = sim.Population(49, sim.IF_cond_exp(), structure=Grid2D(dx=10.0, dy=10.0), label="cells")
    others = sim.Population(17, sim.IF_cond_exp(), label="others")
    connectors = {
        "fixed_number_post": sim.FixedNumberPostConnector(5, allow_self_connections=False, rng=rng),
        "fixed_number_post_replace": sim.FixedNumberPostConnector(
            RandomDistribution("poisson", (4,), rng=rng), with_replacement=True, rng=rng),
        "fixed_total": sim.FixedTotalNumberConnector(300, allow_self_connections=False, rng=rng),
        "fixed_total_distinct": sim.FixedTotalNumberConnector(700, with_replacement=False, rng=rng),
        "small_world": sim.SmallWorldConnector(15.0, 0.3, allow_self_connections=False, rng=rng),
        "small_world_n": sim.SmallWorldConnector(25.0, 0.5, n_connections=150, rng=rng),
    }
    out = {"rank": sim.rank(), "num_processes": sim.num_processes()}
    for name, connector in connectors.items():
        post = others if name == "fixed_number_post_replace" else cells
        prj = sim.Projection(cells, post, connector, sim.StaticSynapse(
            weight=RandomDistribution("uniform", (0.01, 0.02), rng=rng), delay=0.5), label=name)
        out[f"connections_{name}"] = np.asarray(prj.get(["weight", "delay"], format="list"), dtype=float)
        out[f"local_{name}"] = np.array([len(prj), prj.post.local_size])
        if hasattr(connector, "_generated_pre"):  # (FixedNumberPost: the presynaptic cells this process drew for)
            out[f"generated_{name}"] = np.array([connector._generated_pre, prj.pre.size])
    np.savez(f"{outdir}/rank{sim.rank()}.npz", **out)
    sim.end()


def plastic(outdir):
    """The "plastic" network: array inputs onto 7 cells (an uneven split over 2 and 3
    processes) through STDP and Tsodyks-Markram connections (from a state given to
    Projection.initialize), whose weights and u NEURON
    changes during the run, and onto one more cell through STDP (made on one process only).
    Every process writes what get() returns with gather=True and gather=False, and the
    recorded weights; save() writes the weights once (weights.txt, rank 0) and per process
    (weights_local.txt.R)."""
    rng = NumpyRNG(seed=31)
    times = np.random.default_rng(4).uniform(1.0, 70.0, size=(10, 14))
    sources = sim.Population(10, sim.SpikeSourceArray(spike_times=[sim.Sequence(np.sort(np.round(t, 1)))
                                                                     for t in times]), label="sources")
    cells = sim.Population(7, sim.IF_cond_exp(tau_m=10.0), label="cells")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.012),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
        weight=RandomDistribution("uniform", (0.01, 0.03), rng=rng), delay=1.0)
    prj = sim.Projection(sources, cells, sim.FixedProbabilityConnector(0.6, rng=rng), stdp,
                         receptor_type="excitatory", label="stdp")
    tm = sim.Projection(sources, cells, sim.FixedProbabilityConnector(0.4, rng=rng),
                        sim.TsodyksMarkramSynapse(U=0.3, tau_rec=100.0, tau_facil=50.0, weight=0.005, delay=1.0),
                        receptor_type="excitatory", label="tm")
    # a start state of its own for each connection (each process writes those of its NetCons)
    tm.initialize(u=RandomDistribution("uniform", (0.0, 0.5), rng=NumpyRNG(seed=8)), x=0.7, y=0.2)
    # onto one cell: the other processes have no connection of it
    lonely = sim.Projection(sources, sim.Population(1, sim.IF_cond_exp(), label="lonely"), sim.AllToAllConnector(),
                            sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=0.01, A_minus=0.012),
                                              weight_dependence=sim.AdditiveWeightDependence(w_max=0.05),
                                              weight=0.04, delay=1.0), label="lonely")
    prj.record("weight", sampling_interval=5.0)
    cells.record("spikes")
    initial = np.asarray(prj.get("weight", format="list"), dtype=float)
    sim.run(80.0)
    out = {"initial": initial, "rank": sim.rank(), "num_processes": sim.num_processes(),
           "local_ids": np.asarray(cells.local_cells, dtype=np.int64),
           "spike_counts": np.array([len(st) for st in sorted(cells.get_data().segments[0].spiketrains,
                                                               key=lambda st: st.annotations["channel_id"])])}
    for name, projection, attribute in (("weights", prj, "weight"), ("u", tm, "u")):
        out[name] = np.asarray(projection.get([attribute, "delay"], format="list", gather=True), dtype=float)
        out[f"local_{name}"] = np.asarray(projection.get([attribute, "delay"], format="list", gather=False),
                                          dtype=float).reshape(-1, 4)
    out["lonely"] = np.asarray(lonely.get("weight", format="list"), dtype=float)
    out["weight_array"] = prj.get("weight", format="array")
    out["local_weight_array"] = prj.get("weight", format="array", gather=False)
    out["recorded"] = np.asarray(prj.get_data("weight").segments[0].filter(name="weight")[0].magnitude)
    prj.save("weight", f"{outdir}/weights.txt")
    prj.save("weight", f"{outdir}/weights_local.txt", gather=False)
    np.savez(f"{outdir}/rank{sim.rank()}.npz", **out)
    sim.end()


def currents_and_additions(outdir):
    """The "currents" network: DC, noisy and step current sources on parts of a population,
    a population and a projection added after a first run, and a parameter changed; every
    process writes the gathered spikes, membrane potentials and new connections."""
    cells = sim.Population(9, sim.IF_cond_exp(tau_m=12.0), label="cells")
    cells.record(["spikes", "v"])
    sim.DCSource(amplitude=0.6, start=5.0, stop=40.0).inject_into(cells[::2])
    sim.NoisyCurrentSource(mean=0.5, stdev=0.3, dt=1.0, start=0.0, stop=50.0).inject_into(cells[1:4])
    sim.StepCurrentSource(times=[10.0, 30.0], amplitudes=[0.8, 0.0]).inject_into(cells[1::3])
    sim.run(30.0)
    late = sim.Population(4, sim.SpikeSourceArray(spike_times=[35.0, 45.0]), label="late")
    prj = sim.Projection(late, cells, sim.FixedProbabilityConnector(0.5, rng=NumpyRNG(seed=3)),
                         sim.StaticSynapse(weight=0.05, delay=1.0), receptor_type="excitatory")
    cells.set(tau_m=20.0)
    sim.run(30.0)
    segment = cells.get_data().segments[0]
    trains = sorted(segment.spiketrains, key=lambda st: st.annotations["channel_id"])
    np.savez(f"{outdir}/rank{sim.rank()}.npz", rank=sim.rank(), num_processes=sim.num_processes(),
             spikes=np.concatenate([np.asarray(st.magnitude) for st in trains]),
             spike_counts0=np.array([len(st) for st in trains]),
             v=np.asarray(segment.filter(name="v")[0].magnitude),
             connections=np.asarray(prj.get("weight", format="list"), dtype=float),
             tau_m=np.asarray(cells.get("tau_m")))
    sim.end()


def main(network, outdir):
    threads = int(os.environ.get("PYNN_MPI_THREADS", "1"))  # (NEST: threads in every process)
    sim.setup(timestep=0.1, min_delay=0.5, **({"threads": threads} if threads > 1 else {}))
    if network == "connectors":
        connectors_only(outdir)
        return
    if network == "plastic":
        plastic(outdir)
        return
    if network == "currents":
        currents_and_additions(outdir)
        return
    cells, projections = build(network)
    reread = None
    if sim.num_processes() > 1:
        # each process saves the connections onto its own cells (connections_local.txt.<rank>)
        # and reads its file back: the processes' parts make up the whole projection again
        projections[-1].save("all", f"{outdir}/connections_local.txt", gather=False)
        # (onto another population, so that the network's activity does not change; its
        # cells are dealt to other processes than those whose files are read)
        copies = sim.Population(cells.size, sim.IF_cond_exp(), label="copies")
        reread = sim.Projection(cells, copies, sim.FromFileConnector(f"{outdir}/connections_local.txt",
                                                                    distributed=True),
                                sim.StaticSynapse(), receptor_type="inhibitory", label="reread")
    cells.record(["spikes", "v", "gsyn_exc"])
    sim.run(60.0)
    sim.reset()
    sim.run(25.0)  # (two runs: the sample at the end of a run of the gathered gsyn_exc)
    sim.run(15.0)
    block = cells.get_data()
    out = {"rank": sim.rank(), "num_processes": sim.num_processes(),
           "local_ids": np.asarray(cells.local_cells, dtype=np.int64),
           "n_segments": len(block.segments)}
    if hasattr(cells, "node_collection"):  # NEST: the node ids of this process's cells, as the
        # library places them and as NEST says (its 'local' flag)
        node_ids = np.asarray(cells._native_ids(), dtype=np.int64)
        out["local_node_ids"] = node_ids[np.asarray([cell.local for cell in cells.all_cells])]
        out["local_node_ids_nest"] = node_ids[np.asarray(cells.node_collection.get("local"), dtype=bool)]
    for s, segment in enumerate(block.segments):
        trains = sorted(segment.spiketrains, key=lambda st: st.annotations["channel_id"])
        out[f"spikes{s}"] = np.concatenate([np.asarray(st.magnitude) for st in trains] + [np.zeros(0)])
        out[f"spike_counts{s}"] = np.array([len(st) for st in trains])
        out[f"v{s}"] = np.asarray(segment.filter(name="v")[0].magnitude)
        out[f"gsyn_exc{s}"] = np.asarray(segment.filter(name="gsyn_exc")[0].magnitude)
    local_block = cells.get_data("spikes", gather=False)
    out["local_trains"] = np.array([st.annotations["channel_id"] for st in local_block.segments[0].spiketrains],
                                   dtype=np.int64)
    for k, prj in enumerate(projections):
        out[f"connections{k}"] = np.asarray(prj.get(["weight", "delay"], format="list"), dtype=float)
        out[f"size{k}"] = np.array([prj.size(), prj.size(gather=False), len(prj)])
        out[f"local_connections{k}"] = np.asarray(prj.get(["weight", "delay"], format="list", gather=False),
                                                  dtype=float).reshape(-1, 4)
    out["weights"] = projections[-1].get("weight", format="array")
    out["local_weights"] = projections[-1].get("weight", format="array", gather=False)
    if reread is not None:
        out["local_reread"] = np.asarray(reread.get(["weight", "delay"], format="list"), dtype=float)
    cells.write_data(f"{outdir}/cells.pkl")
    cells.write_data(f"{outdir}/local.pkl", "spikes", gather=False)  # one file per process
    projections[-1].save("all", f"{outdir}/connections.txt")
    np.savez(f"{outdir}/rank{sim.rank()}.npz", **out)
    sim.end()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
