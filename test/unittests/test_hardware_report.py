"""The mapping report: verdict, tables, provenance, text/dict/JSON exports, sPyNNaker-style files."""

import json
import os

import numpy as np
import pytest
from hardware_specs import all_to_all, cells, pairs, poisson, run_map

from pyNN.hardware.mapping.report import DOES_NOT_FIT, FITS, FITS_WITH_DEGRADATION, MappingReport


def _spinnaker_result():
    pops = [poisson("src", 600), cells("exc", 300, recorded={"spikes": np.arange(300), "v": np.arange(10)})]
    res, _ = run_map("spinnaker1", pops, [all_to_all("input", 0, 1, 600, 300, 0.02, 2.0)], dt=1.0, seed=9)
    return res


def test_summary_text():
    text = _spinnaker_result().report.summary()
    assert "Mapping report: profile 'spinnaker1' v1.0.0 (digital), policy strict, dt = 1.0 ms" in text
    assert "Verdict: FITS" in text
    for section in ("Resource usage:", "Partitioning:", "Connectivity:", "Weight quantisation:", "Weight shifts:",
                    "Parameters:", "Load estimates:", "Recording:", "Noise and mismatch:", "Diagnostics:"):
        assert section in text
    assert "user cores" in text and "routing entries (max per chip)" in text
    assert "'map': 9" in text  # seeds in the header


def test_to_dict_and_json():
    rep = _spinnaker_result().report
    d = rep.to_dict()
    assert d["verdict"] == FITS and d["blocking_issues"] == []
    assert d["header"]["profile"] == "spinnaker1" and d["header"]["profile_sources"]["S1"].startswith("SpiNNaker")
    assert d["header"]["seeds"] == {"map": 9, "chip": 9, "run": 10}
    cores = next(r for r in d["resources"] if r["resource"] == "user cores")
    assert (cores["used"], cores["available"]) == (4, 768)
    assert [p["slices"] for p in d["partitioning"]] == [[[0, 500], [500, 600]], [[0, 256], [256, 300]]]
    assert d["connectivity"][0]["requested"] == 180000 and d["connectivity"][0]["lost"] == 0
    assert d["weight_shifts"][0]["post"] == "exc" and d["weight_shifts"][0]["receptor"] == "excitatory"
    assert {"n_zero", "n_clipped", "max_abs_error", "lsb"} <= set(d["quantisation"][0])
    back = json.loads(rep.to_json())
    assert back["verdict"] == FITS and back["weight_shifts"] == json.loads(json.dumps(d["weight_shifts"]))
    # placement by core: (x, y, p)
    assert all(len(p["location"]) == 3 for p in back["placement"])


def test_provenance_after_runs():
    rep = _spinnaker_result().report
    rep.add_provenance({"ring_buffer_saturations": 0, "input_buffer_lost": 0, "run_time": 100.0})
    assert rep.verdict == FITS
    rep.add_provenance({"ring_buffer_saturations": 3, "input_buffer_lost": 2, "run_time": 50.0})
    assert rep.verdict == FITS_WITH_DEGRADATION
    sat = rep.diagnostics_of("RING_BUFFER_SATURATED")[0]
    assert "3 times" in sat.message and "spikes_per_second" in sat.suggestion and "ring_buffer_sigma" in sat.suggestion
    lost = rep.diagnostics_of("INPUT_BUFFER_LOST")[0]
    assert "neurons_per_core" in lost.suggestion and "time_scale_factor" in lost.suggestion
    assert rep.provenance_totals() == {"ring_buffer_saturations": 3, "input_buffer_lost": 2, "run_time": 150.0}
    d = rep.to_dict()
    assert [p["run"] for p in d["provenance"]] == [0, 1]
    assert "Run-time provenance (totals):" in rep.summary()


def test_write_reports_with_spinnaker_names(tmp_path):
    paths = _spinnaker_result().report.write_reports(str(tmp_path / "reports"))
    names = sorted(os.path.basename(p) for p in paths)
    assert names == sorted(["mapping_report.json", "mapping_summary.txt", "partitioned_by_vertex.rpt",
                            "placement_by_vertex_using_graph.rpt", "placement_by_core_using_graph.rpt",
                            "chip_sdram_usage_by_core.rpt", "routing_summary.rpt"])
    part = (tmp_path / "reports" / "partitioned_by_vertex.rpt").read_text()
    assert "**** Vertex: 'exc'" in part and "Slice 256:299 (44 atoms)" in part
    place = (tmp_path / "reports" / "placement_by_vertex_using_graph.rpt").read_text()
    assert "Population 'src' slice 0:499 on core (0, 0, 1)" in place and "SDRAM required" in place
    routing = (tmp_path / "reports" / "routing_summary.rpt").read_text()
    assert "Chip 0:0 has" in routing and "Max entries per chip" in routing
    assert json.loads((tmp_path / "reports" / "mapping_report.json").read_text())["verdict"] == FITS


def test_verdict_of_an_empty_and_of_a_failed_report():
    rep = MappingReport()
    assert rep.verdict == FITS
    rep.add_diagnostic("X", "info", "a", "note")
    assert rep.verdict == FITS
    rep.add_diagnostic("Y", "error", "b", "broken", "fix it")
    assert rep.verdict == DOES_NOT_FIT
    assert rep.to_dict()["blocking_issues"] == ["[ERROR] Y (b): broken. Suggestion: fix it"]


def test_analog_report_lists_noise_and_recording():
    pops = [poisson("src", 10), cells("n", 8, recorded={"v": np.array([3])})]
    res, _ = run_map("brainscales2", pops, [all_to_all("p", 0, 1, 10, 8, 0.2, 0.1)], dt=0.1, seed=4)
    d = res.report.to_dict()
    assert d["noise"]["preset"] == "calibrated" and d["noise"]["chip_seed"] == 4 and d["noise"]["run_seed"] == 5
    assert len(d["noise"]["deviations"]["n"]["tau_m"]) == 8  # realised per-neuron deviations are exportable
    assert d["recording"][0] == {"population": "n", "variable": "v", "requested": 1, "granted": 1, "refused": 0,
                                 "note": "analog read-out"}
    names = {r["resource"] for r in d["resources"]}
    assert {"neuron circuits", "synapses", "synapse drivers"} <= names
    text = res.report.summary()
    assert "largest |deviation| in 'n'" in text and "preset: calibrated" in text


@pytest.mark.parametrize("profile, celltype, dt", [("ideal", "IF_curr_exp", 0.1), ("spinnaker1", "IF_curr_exp", 1.0),
                                                   ("brainscales2", "IF_curr_exp", 0.1),
                                                   ("spikey", "IF_facets_hardware1", 0.1)])
def test_every_profile_maps_empty_networks_and_projections(profile, celltype, dt):
    res, _ = run_map(profile, [], [], dt=dt)
    assert res.report.verdict == FITS and json.loads(res.report.to_json())["verdict"] == FITS
    pops = [poisson("src", 3), cells("n", 4, celltype), cells("empty", 0, celltype)]
    prjs = [pairs("none", 0, 1, np.zeros(0, int), np.zeros(0, int), 0.01, dt), pairs("one", 0, 1, [0], [1], 0.01, dt)]
    res, _ = run_map(profile, pops, prjs, dt=dt, **({} if profile in ("ideal", "spinnaker1") else {"noise": "off"}))
    assert res.weight["none"].size == 0 and res.keep["none"].size == 0
    assert res.weight["one"][0] == pytest.approx(0.01, rel=0.01)
    assert res.report.verdict == FITS
    res.report.summary()


def test_cumulative_provenance_is_turned_into_per_run_values():
    rep = MappingReport()
    rep.add_provenance({"steps": 100, "ring_buffer_saturations": 0, "numba": True}, cumulative=True)
    rep.add_provenance({"steps": 250, "ring_buffer_saturations": 4, "numba": True}, cumulative=True)
    assert [p["steps"] for p in rep.provenance] == [100, 150]
    assert rep.provenance[1]["ring_buffer_saturations"] == 4 and rep.provenance[1]["numba"] is True
    assert len(rep.diagnostics_of("RING_BUFFER_SATURATED")) == 1
    # after a reset the running totals start again
    rep.add_provenance({"steps": 30, "ring_buffer_saturations": 0}, cumulative=True)
    assert rep.provenance[2]["steps"] == 30
    assert rep.provenance_totals() == {"steps": 280, "ring_buffer_saturations": 4}
