"""Populations, PopulationViews and Assemblies inside a simulation: recording through a
view, data of a view, Assembly output, initialize/get/set in all value forms.
"""

import numpy as np
import pytest

from scenario_tools import population, record, run, signal


def cells(sim, n, label, **params):
    return population(sim, n, "IF_curr_exp", label=label, **params)


# --- get / set / initialize -------------------------------------------------------------------

def test_set_and_get_value_forms(sim):
    pop = cells(sim, 6, "cells")
    pop.set(tau_m=15.0)
    assert pop.get("tau_m") == pytest.approx(15.0)
    pop.set(cm=np.linspace(0.5, 1.0, 6))
    np.testing.assert_allclose(pop.get("cm"), np.linspace(0.5, 1.0, 6))
    pop.set(v_thresh=lambda i: -55.0 + i)
    np.testing.assert_allclose(pop.get("v_thresh"), -55.0 + np.arange(6))
    pop.set(tau_refrac=sim.RandomDistribution("uniform", (1.0, 3.0), rng=sim.NumpyRNG(seed=3)))
    tr = pop.get("tau_refrac")
    assert np.all((tr >= 1.0) & (tr <= 3.0)) and len(np.unique(tr)) == 6
    tau_m, cm = pop.get(["tau_m", "cm"])
    assert tau_m == pytest.approx(15.0) and len(cm) == 6
    np.testing.assert_allclose(pop.get("tau_m", simplify=False), [15.0] * 6)


def test_view_get_set(sim):
    pop = cells(sim, 6, "cells")
    view = pop[1:5:2]  # cells 1 and 3
    view.set(tau_m=np.array([11.0, 13.0]))
    np.testing.assert_allclose(pop.get("tau_m"), [20.0, 11.0, 20.0, 13.0, 20.0, 20.0])
    np.testing.assert_allclose(view.get("tau_m"), [11.0, 13.0])
    view.set(i_offset=0.25)
    np.testing.assert_allclose(pop.get("i_offset"), [0, 0.25, 0, 0.25, 0, 0])
    view.set(cm=sim.RandomDistribution("uniform", (0.5, 0.6), rng=sim.NumpyRNG(seed=1)))
    cm = pop.get("cm")
    assert np.all(cm[[0, 2, 4, 5]] == 1.0) and np.all((cm[[1, 3]] >= 0.5) & (cm[[1, 3]] <= 0.6))
    mask_view = pop[np.array([True, False, False, False, False, True])]
    mask_view.set(v_rest=-70.0)
    np.testing.assert_allclose(pop.get("v_rest"), [-70, -65, -65, -65, -65, -70])


def test_initialize_forms_take_effect(sim):
    pop = cells(sim, 4, "cells", v_thresh=0.0)
    pop.initialize(v=-60.0)
    pop[2:].initialize(v=np.array([-70.0, -75.0]))
    record(pop, "v")
    run(sim, 1.0)
    v0 = pop.get_data().segments[0].analogsignals[0].magnitude[0]
    np.testing.assert_allclose(v0, [-60.0, -60.0, -70.0, -75.0])


def test_initialize_with_callable_and_random(sim):
    pop = cells(sim, 5, "cells", v_thresh=0.0)
    pop.initialize(v=lambda i: -70.0 + i)
    view = pop[[0, 4]]
    view.initialize(v=sim.RandomDistribution("uniform", (-80.0, -79.0), rng=sim.NumpyRNG(seed=2)))
    record(pop, "v")
    run(sim, 1.0)
    v0 = pop.get_data().segments[0].analogsignals[0].magnitude[0]
    np.testing.assert_allclose(v0[1:4], [-69.0, -68.0, -67.0])
    assert np.all((v0[[0, 4]] >= -80.0) & (v0[[0, 4]] <= -79.0))


def test_initial_values_from_constructor(sim):
    celltype = sim.IF_curr_exp(v_thresh=0.0)
    pop = sim.Population(3, celltype, initial_values={"v": -58.0}, label="cells")
    record(pop, "v")
    run(sim, 1.0)
    np.testing.assert_allclose(pop.get_data().segments[0].analogsignals[0].magnitude[0], -58.0)


# --- recording through views ------------------------------------------------------------------

def test_recording_a_view(sim):
    pop = cells(sim, 6, "cells")
    pop.set(i_offset=np.linspace(1.0, 2.0, 6))
    view = pop[[1, 4]]
    record(view, ["spikes", "v"])
    run(sim, 50.0)
    seg = pop.get_data().segments[0]
    v = signal(seg, "v")
    assert v.shape == (501, 2)
    np.testing.assert_array_equal(v.array_annotations["channel_index"], [1, 4])
    np.testing.assert_array_equal(np.asarray(v.annotations["channel_ids"], dtype=int),
                                  [int(pop[1]), int(pop[4])])
    assert [st.annotations["source_index"] for st in seg.spiketrains] == [1, 4]
    assert all(len(st) > 0 for st in seg.spiketrains)


def test_view_get_data_only_contains_the_view(sim):
    pop = cells(sim, 6, "cells")
    pop.set(i_offset=np.linspace(1.0, 2.0, 6))
    record(pop, ["spikes", "v"])
    run(sim, 50.0)
    view = pop[2:4]
    seg_view = view.get_data().segments[0]
    seg_all = pop.get_data().segments[0]
    v_view, v_all = signal(seg_view, "v"), signal(seg_all, "v")
    assert v_view.shape == (501, 2)
    np.testing.assert_array_equal(v_view.array_annotations["channel_index"], [2, 3])
    np.testing.assert_allclose(v_view.magnitude, v_all.magnitude[:, 2:4])
    assert [st.annotations["source_index"] for st in seg_view.spiketrains] == [2, 3]
    for a, b in zip(seg_view.spiketrains, seg_all.spiketrains[2:4]):
        np.testing.assert_array_equal(a.magnitude, b.magnitude)
    # view of a view
    inner = view[1:]
    assert [st.annotations["source_index"] for st in inner.get_data().segments[0].spiketrains] == [3]
    assert view.get_spike_counts() == {pop[2]: len(seg_all.spiketrains[2]),
                                       pop[3]: len(seg_all.spiketrains[3])}


def test_record_none_on_view_stops_whole_population(sim):
    pop = cells(sim, 4, "cells")
    record(pop, "v")
    run(sim, 5.0)
    pop[0:1].record(None)
    run(sim, 5.0)
    v = pop.get_data().segments[0].analogsignals[0]
    assert v.shape == (51, 4)


# --- assemblies --------------------------------------------------------------------------------

def test_assembly_get_data(sim):
    a = cells(sim, 3, "A")
    b = population(sim, 2, "IF_cond_exp", label="B")
    a.set(i_offset=1.0)
    b.set(i_offset=1.0)
    asm = sim.Assembly(a, b, label="both")
    assert asm.size == 5
    record(asm, ["spikes", "v"])
    run(sim, 40.0)
    block = asm.get_data()
    assert block.name == "both"
    assert block.annotations["size"] == 5
    seg = block.segments[0]
    # as in PyNN, one signal per variable, the members' channels side by side
    [v] = [s for s in seg.analogsignals if s.name == "v"]
    np.testing.assert_array_equal(v.array_annotations["channel_index"], np.arange(5))
    assert v.array_annotations["source_population"].tolist() == ["A"] * 3 + ["B"] * 2
    assert len(seg.spiketrains) == 5
    assert {st.annotations["source_population"] for st in seg.spiketrains} == {"A", "B"}
    # same data as from the members
    v_a = signal(a.get_data().segments[0], "v")
    np.testing.assert_allclose(v.magnitude[:, :3], v_a.magnitude)
    counts = asm.get_spike_counts()
    assert set(counts) == set(a.all_cells) | set(b.all_cells)


def test_assembly_recording_skips_unrecordable_variables(sim):
    a = cells(sim, 2, "curr")
    b = population(sim, 2, "IF_cond_exp", label="cond")
    asm = a + b
    record(asm, ["v", "gsyn_exc"])
    run(sim, 5.0)
    seg = asm.get_data().segments[0]
    names = sorted((s.name, tuple(s.array_annotations.get("source_population", [s.annotations["source_population"]])))
                   for s in seg.analogsignals)
    assert names == [("gsyn_exc", ("cond",)), ("v", ("curr", "curr", "cond", "cond"))]


def test_assembly_get_set_initialize(sim):
    a, b = cells(sim, 2, "A"), cells(sim, 3, "B")
    asm = sim.Assembly(a, b)
    asm.set(tau_m=np.arange(10.0, 15.0))
    np.testing.assert_allclose(a.get("tau_m"), [10.0, 11.0])
    np.testing.assert_allclose(b.get("tau_m"), [12.0, 13.0, 14.0])
    np.testing.assert_allclose(asm.get("tau_m"), np.arange(10.0, 15.0))
    asm.initialize(v=-61.0)
    record(asm, "v")
    run(sim, 1.0)
    for s in asm.get_data().segments[0].analogsignals:
        np.testing.assert_allclose(s.magnitude[0], -61.0)


def test_assembly_projection(sim):
    """Projections accept assemblies on both sides; indices run across the members."""
    a, b = cells(sim, 2, "A"), cells(sim, 3, "B")
    asm = a + b
    src = population(sim, 2, "SpikeSourceArray", label="src", spike_times=[1.0])
    prj = sim.Projection(src, asm, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    assert prj.size() == 10
    assert prj.shape == (2, 5)
    assert {j for _, j in prj.get([], format="list")} == set(range(5))
