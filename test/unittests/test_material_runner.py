"""tools/run_pynn_material.py: the data summary of an example's output and the cross-backend comparison."""

import importlib.util
import os
import pickle

import neo
import numpy as np
import quantities as pq

ROOT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)


def _runner():
    spec = importlib.util.spec_from_file_location(
        "run_pynn_material", os.path.join(ROOT, "tools", "run_pynn_material.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _block(counts, v_level):
    block = neo.Block(name="block")
    seg = neo.Segment()
    for label, n in counts.items():
        st = neo.SpikeTrain(np.linspace(1.0, 90.0, n) * pq.ms, t_stop=100.0 * pq.ms)
        st.annotate(source_population=label)
        seg.spiketrains.append(st)
    seg.analogsignals.append(neo.AnalogSignal(np.full((11, 1), v_level) * pq.mV, name="v",
                                              sampling_period=0.1 * pq.ms))
    block.segments.append(seg)
    return block


def test_summary_keys_files_across_backends_and_counts_spikes(tmp_path):
    runner = _runner()
    folder = tmp_path / "Results" / "20260101"
    folder.mkdir(parents=True)
    with open(folder / "net_nest_np1_20260101-101500.pkl", "wb") as f:
        pickle.dump(_block({"exc": 7, "inh": 3}, -65.0), f)
    with open(folder / "nest_model_nest.pkl", "wb") as f:  # the backend's name, also in the example's
        pickle.dump(_block({"p": 0}, -70.0), f)
    (folder / "broken_nest.pkl").write_bytes(b"not a pickle")
    summary = runner._data_summary(tmp_path / "Results", "nest")
    assert summary["net_<sim>_np1.pkl"] == {"segments": 1, "spikes": {"exc": 7, "inh": 3},
                                           "signal_means": {"v": -65.0}}
    assert summary["nest_model_<sim>.pkl"]["spikes"] == {"p": 0}
    assert "unreadable" in summary["broken_<sim>.pkl"]


def test_compare_flags_only_large_differences():
    runner = _runner()
    results = {
        "a.py[nest]": {"data": {"f.pkl": {"spikes": {"exc": 100, "inh": 40},
                                          "signal_means": {"v": -65.0, "w": 0.2}}}},
        "a.py[neuron]": {"data": {"f.pkl": {"spikes": {"exc": 104, "inh": 0},
                                            "signal_means": {"v": -65.5, "w": 0.1}}}},
        "b.py[nest]": {"data": {"g.pkl": {"spikes": {"p": 3}}}},
    }
    lines = runner.compare_data(results, ["nest", "neuron", "brian2"])
    flags = {line.split(":")[0].split()[-1]: line.split()[0] for line in lines}
    # b.py ran on one backend only: nothing to compare
    assert flags == {"exc": "ok", "inh": "DIFFERS", "v": "ok", "w": "DIFFERS"}
    assert any("spikes inh: nest=40, neuron=0" in line for line in lines)
