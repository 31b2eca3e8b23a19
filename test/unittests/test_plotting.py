"""Tests for pyNN.utility.plotting."""

import copy

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import neo
import numpy as np
import pytest
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList

from pyNN.utility.plotting import (
    DataTable,
    Figure,
    Histogram,
    Panel,
    comparison_plot,
    connection_plot,
    isi_histogram,
    plot_spiketrains,
    variable_names,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def make_segment(offset=0.0, n_cells=3, name="segment000"):
    seg = neo.Segment(name=name)
    t = np.arange(0, 20.1, 0.1)
    v = np.column_stack([-65 + offset + np.sin(t / (i + 1)) for i in range(n_cells)])
    seg.analogsignals.append(
        neo.AnalogSignal(v, units="mV", sampling_period=0.1 * pq.ms, name="v"))
    seg.analogsignals.append(
        neo.AnalogSignal(np.abs(v) * 1e-3, units="uS", sampling_period=0.1 * pq.ms, name="gsyn_exc"))
    for i in range(n_cells):
        seg.spiketrains.append(neo.SpikeTrain(np.array([1.0, 5.0, 12.5]) + i + offset, t_stop=20.1,
                                              units="ms", source_index=i))
    return seg


def assert_png(path):
    assert path.exists()
    assert path.stat().st_size > 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_figure_save(tmp_path):
    seg = make_segment()
    fig = Figure(
        Panel(seg.filter(name="v")[0], ylabel="auto", y_offset=5.0, data_labels=["v"], legend=True,
              xticks=False),
        Panel(seg.spiketrains, xlabel="auto", ylabel="auto", markersize=3, title="raster"),
        title="Test figure",
        annotations="a = 1\nb = 2",
        settings={"font.size": 7},
    )
    assert len(fig.axes) == 2
    assert fig.axes[0].get_ylabel() == "v (mV)"
    assert fig.axes[1].get_xlabel() == "Time (ms)"
    assert fig.axes[1].get_ylabel() == "Neuron index"
    assert fig.axes[1].get_title() == "raster"  # generic Axes setter
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3  # one per channel
    # y_offset separates channels
    raw = seg.filter(name="v")[0].magnitude
    np.testing.assert_allclose(lines[2].get_ydata(), raw[:, 2] + 10.0)
    np.testing.assert_allclose(lines[0].get_ydata(), raw[:, 0])
    np.testing.assert_allclose(lines[0].get_xdata()[[0, -1]], [0.0, 20.0])
    out = tmp_path / "new" / "dir" / "figure.png"  # parent dirs are created
    fig.save(out)
    assert_png(out)


def test_raster_is_one_scatter_call():
    # building 10,000 SpikeTrains with the constructor takes seconds; copy a template instead
    template = neo.SpikeTrain([0.0, 0.0], t_stop=10.0, units="ms")
    trains = []
    for i in range(10_000):
        st = copy.copy(template)
        st.magnitude[:] = [1.0, 2.0 + i % 7]
        st.annotations = {"source_index": i}
        trains.append(st)
    fig = Figure(Panel(trains))
    ax = fig.axes[0]
    assert len(ax.collections) == 1
    assert len(ax.lines) == 0
    offsets = ax.collections[0].get_offsets()
    assert offsets.shape == (20_000, 2)
    assert offsets[:, 1].max() == 9999
    assert ax.get_xlim() == (0.0, 10.0)


def test_raster_positions_and_units():
    _, ax = plt.subplots()
    trains = [neo.SpikeTrain([0.001, 0.002], t_stop=0.01, units="s", source_index=5),
              neo.SpikeTrain([3.0], t_stop=10.0, units="ms")]  # no annotation: position in list
    plot_spiketrains(ax, trains)
    offsets = np.asarray(ax.collections[0].get_offsets())
    np.testing.assert_allclose(offsets, [[1.0, 5], [2.0, 5], [3.0, 1]])


def test_spiketrainlist_from_arrays():
    stl = SpikeTrainList.from_spike_time_array(
        np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 2, 0, 1]), all_channel_ids=[0, 1, 2],
        units="ms", t_start=0 * pq.ms, t_stop=5 * pq.ms)
    fig = Figure(Panel(stl))
    offsets = np.asarray(fig.axes[0].collections[0].get_offsets())
    assert sorted(map(tuple, offsets)) == [(1.0, 0), (2.0, 2), (3.0, 0), (4.0, 1)]
    assert fig.axes[0].get_xlim() == (0.0, 5.0)


def test_large_spiketrainlist_from_arrays():
    n = 10_000
    stl = SpikeTrainList.from_spike_time_array(
        np.tile([1.0, 2.0], n), np.repeat(np.arange(n), 2), all_channel_ids=np.arange(n),
        units="ms", t_start=0 * pq.ms, t_stop=10 * pq.ms)
    fig = Figure(Panel(stl))
    assert len(fig.axes[0].collections) == 1
    assert fig.axes[0].collections[0].get_offsets().shape == (2 * n, 2)


def test_spiketrainlist_from_trains():
    seg = make_segment()
    stl = SpikeTrainList(items=list(seg.spiketrains))
    fig = Figure(Panel(stl))
    assert len(fig.axes[0].collections[0].get_offsets()) == 9


def test_irregular_signal_image_table_histogram(tmp_path):
    sig = neo.IrregularlySampledSignal([0.0, 1.0, 3.0], np.array([[1.0, 2.0], [2.0, 3.0], [0.5, 1.0]]),
                                       units="nA", time_units="ms", name="i")
    table = DataTable(np.arange(10.0), 2.0 * np.arange(10.0) + 1.0)
    try:
        import scipy
    except ImportError:
        with pytest.raises(ImportError, match="needs scipy"):
            table.fit_curve(lambda x, a, b: a * x + b, p0=[1.0, 0.0])
    else:
        popt, _ = table.fit_curve(lambda x, a, b: a * x + b, p0=[1.0, 0.0])
        np.testing.assert_allclose(popt, [2.0, 1.0], atol=1e-6)
    hist = Histogram(np.array([1, 1, 2, 3, 3, 3]), bins=3)
    np.testing.assert_array_equal(hist.counts, [2, 1, 3])
    fig = Figure(
        Panel(sig, ylabel="auto", ylim=(0, 5)),
        Panel(np.arange(12.0).reshape(3, 4)),
        Panel(table, markersize=4, xscale="linear"),
        Panel(hist, ylabel="auto"),
    )
    assert fig.axes[0].get_ylabel() == "i (nA)"
    assert fig.axes[0].get_ylim() == (0, 5)
    assert len(fig.axes[1].images) == 1
    has_fit = hasattr(table, "fitted_parameters") or len(fig.axes[2].lines) == 1
    assert len(fig.axes[2].collections) == 1  # the data
    try:
        import scipy  # noqa: F401
        assert has_fit  # and the fitted curve
    except ImportError:
        assert len(fig.axes[2].lines) == 0
    assert len(fig.axes[3].patches) == 3
    assert fig.axes[3].get_ylabel() == "Count"
    fig.save(tmp_path / "misc.png")
    assert_png(tmp_path / "misc.png")


def test_panel_rejects_bad_input():
    with pytest.raises(ValueError, match="ylabl.*ylabel"):
        Panel(np.zeros((2, 2)), ylabl="x")
    with pytest.raises(TypeError, match="str"):
        Panel("not data")


def test_overlaid_items_get_different_colours():
    seg1, seg2 = make_segment(), make_segment(offset=1.0)
    fig = Figure(Panel(seg1.analogsignals[0], seg2.analogsignals[0], data_labels=["a", "b"],
                       legend=True))
    lines = fig.axes[0].get_lines()
    assert len(lines) == 6
    assert lines[0].get_color() != lines[3].get_color()
    legend_texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend_texts == ["a", "b"]


def test_variable_names():
    assert variable_names(make_segment()) == ["v", "gsyn_exc"]


def test_comparison_plot(tmp_path):
    segments = [make_segment(), make_segment(offset=0.5)]
    fig = comparison_plot(segments, ["nest", "neuron"], title="comparison", annotations="dt = 0.1")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3  # v, gsyn_exc, spikes
    assert fig.axes[0].get_ylabel() == "v (mV)"
    assert fig.axes[1].get_ylabel() == "gsyn_exc (uS)"
    assert len(fig.axes[0].get_lines()) == 2 * 3  # both segments overlaid, 3 channels each
    assert len(fig.axes[2].collections) == 2  # one raster per segment
    assert fig.axes[2].get_xlabel() == "Time (ms)"
    out = tmp_path / "cmp" / "comparison.png"
    fig.save(out)
    assert_png(out)
    fig_no_spikes = comparison_plot(segments, ["a", "b"], with_spikes=False)
    assert len(fig_no_spikes.axes) == 2
    with pytest.raises(ValueError, match="labels"):
        comparison_plot(segments, ["only one"])


def test_comparison_plot_rescales_units():
    seg1 = make_segment()
    seg2 = make_segment()
    seg2.analogsignals[0] = seg2.analogsignals[0].rescale("V")
    fig = comparison_plot([seg1, seg2], ["mV", "V"], with_spikes=False)
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), lines[3].get_ydata())


def test_isi_histogram():
    seg = make_segment()
    hist = isi_histogram(seg)
    assert isinstance(hist, Histogram)
    np.testing.assert_allclose(np.sort(hist.data), [4.0] * 3 + [7.5] * 3)
    assert hist.counts.sum() == 6


def test_connection_plot():
    class FakeProjection:
        def get(self, attribute, format, gather=True):
            assert attribute == "weight" and format == "array"
            return np.array([[0.5, np.nan, 0.0], [np.nan, 1.0, np.nan]])

    assert connection_plot(FakeProjection()) == "O .\n O "
    assert connection_plot(FakeProjection(), positive="x", spacer=" ") == "x   .\n  x  "
