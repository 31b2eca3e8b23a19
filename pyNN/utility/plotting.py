"""Quick plots of simulation results (Neo objects) with matplotlib.

A :class:`Figure` is a vertical stack of :class:`Panel` objects; each panel overlays
one or more data items::

    from pyNN.utility.plotting import Figure, Panel

    data = population.get_data().segments[0]
    Figure(
        Panel(data.filter(name="v")[0], ylabel="Membrane potential (mV)", y_offset=5.0),
        Panel(data.spiketrains, xlabel="Time (ms)", xticks=True, markersize=3),
        title="Example",
    ).save("results/example.png")

Data items a panel understands: ``neo.AnalogSignal`` and ``neo.IrregularlySampledSignal``
(one line per channel), a list of ``neo.SpikeTrain`` or a
``neo.core.spiketrainlist.SpikeTrainList`` (raster), a 2D ``numpy.ndarray`` (image),
:class:`DataTable` (scatter plot, optionally with a fitted curve) and
:class:`Histogram`.

When there is no display (e.g. on a cluster node) matplotlib's non-interactive Agg
backend is used.
"""

import difflib
import os
import sys

import matplotlib
import matplotlib.pyplot as plt
import neo
import numpy as np
import quantities as pq
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from neo.core.spiketrainlist import SpikeTrainList

# pyplot picks its backend lazily, so switching here is safe until a figure is made
if (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("MPLBACKEND")
        and not plt.get_fignums()):
    matplotlib.use("Agg")

__all__ = [
    "DataTable",
    "Figure",
    "Histogram",
    "Panel",
    "comparison_plot",
    "connection_plot",
    "isi_histogram",
    "plot_array_as_image",
    "plot_hist",
    "plot_signal",
    "plot_signals",
    "plot_spiketrainlist",
    "plot_spiketrains",
    "scatterplot",
    "variable_names",
]

_SIGNAL_TYPES = (neo.AnalogSignal, neo.IrregularlySampledSignal)
_DEFAULT_MARKERSIZE = 2.5


# --- data containers ---------------------------------------------------------------


class DataTable:
    """Paired x and y values, drawn as a scatter plot.

    Parameters
    ----------
    x, y : array-like
        Values of equal length.
    """

    def __init__(self, x, y):
        self.x = np.asarray(x, dtype=float).ravel()
        self.y = np.asarray(y, dtype=float).ravel()
        if self.x.shape != self.y.shape:
            raise ValueError(f"DataTable: x and y must have the same length "
                             f"(got {self.x.size} and {self.y.size})")
        self.fitted_function = None
        self.fitted_parameters = None
        self.fitted_covariance = None

    def fit_curve(self, f, p0, **fitting_parameters):
        """Fit ``y = f(x, *p)`` by least squares; the fitted curve is drawn with the data.

        Parameters
        ----------
        f : callable
            Model function ``f(x, *parameters)``.
        p0 : sequence of float
            Initial guess of the parameters.
        **fitting_parameters
            Passed on to :func:`scipy.optimize.curve_fit`.

        Returns
        -------
        popt : numpy.ndarray
            Best-fit parameters.
        pcov : numpy.ndarray
            Their estimated covariance.
        """
        try:
            from scipy.optimize import curve_fit
        except ImportError as err:
            raise ImportError("DataTable.fit_curve() needs scipy, which is not installed") from err
        popt, pcov = curve_fit(f, self.x, self.y, p0=p0, **fitting_parameters)
        self.fitted_function = f
        self.fitted_parameters = popt
        self.fitted_covariance = pcov
        return popt, pcov

    def fitted_curve(self, n_points=200):
        """Return ``(x, y)`` arrays sampling the fitted curve over the range of the data."""
        if self.fitted_function is None:
            raise ValueError("DataTable: call fit_curve() first")
        x = np.linspace(self.x.min(), self.x.max(), n_points)
        return x, self.fitted_function(x, *self.fitted_parameters)


class Histogram:
    """Values to be shown as a histogram.

    Parameters
    ----------
    data : array-like
        The raw values (not bin counts).
    bins : int or sequence
        Number of bins or bin edges, as for :func:`numpy.histogram`.
    range : (float, float), optional
        Lower and upper range of the bins.
    """

    def __init__(self, data, bins=10, range=None):
        self.data = np.asarray(data, dtype=float).ravel()
        self.counts, self.bin_edges = np.histogram(self.data, bins=bins, range=range)

    @property
    def bin_width(self):
        """Widths of the bins."""
        return np.diff(self.bin_edges)


# --- low-level plotting functions ------------------------------------------------------


_TIME_FACTORS = {}  # dimensionality key -> factor to ms


def _time_factor(quantity):
    """Factor converting the time units of `quantity` to ms (cached: called per spike train)."""
    dimensionality = quantity.dimensionality
    key = tuple((unit.name, power) for unit, power in dimensionality.items())
    factor = _TIME_FACTORS.get(key)
    if factor is None:
        factor = float(pq.Quantity(1.0, dimensionality).rescale(pq.ms).magnitude)
        _TIME_FACTORS[key] = factor
    return factor


def _times_ms(obj):
    """Times of a signal or spike train as a float array in ms."""
    times = obj.times
    return times.magnitude * _time_factor(times)


def plot_signal(ax, signal, index=None, label="", **options):
    """Plot one channel of a signal against time (ms).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    signal : neo.AnalogSignal or neo.IrregularlySampledSignal
    index : int, optional
        Channel to plot (required if the signal has more than one channel).
    label : str
        Legend label.
    **options
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    list of matplotlib.lines.Line2D
    """
    values = np.asarray(signal.magnitude)
    if values.ndim == 2:
        if index is None:
            if values.shape[1] != 1:
                raise ValueError(f"plot_signal(): signal '{signal.name}' has {values.shape[1]} "
                                 f"channels; give the channel index")
            index = 0
        values = values[:, index]
    return ax.plot(_times_ms(signal), values, label=label or None, **options)


def plot_signals(ax, signal_array, label_prefix="", label=None, y_offset=None, **options):
    """Plot every channel of a signal against time (ms), with one ``plot`` call.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    signal_array : neo.AnalogSignal or neo.IrregularlySampledSignal
    label_prefix : str
        Channels are labelled ``<label_prefix><i>`` when no `label` is given.
    label : str, optional
        A single legend label for the whole signal (put on the first line only).
    y_offset : float, optional
        Channel ``i`` is shifted up by ``i * y_offset``, to separate the traces.
    **options
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    list of matplotlib.lines.Line2D
    """
    values = np.asarray(signal_array.magnitude, dtype=float)
    if values.ndim == 1:
        values = values[:, np.newaxis]
    n_channels = values.shape[1]
    if hasattr(y_offset, "rescale"):  # a quantity: in the signal's units
        y_offset = float(y_offset.rescale(signal_array.units).magnitude)
    if y_offset:
        values = values + y_offset * np.arange(n_channels)
    lines = ax.plot(_times_ms(signal_array), values, **options)
    if label:
        lines[0].set_label(label)
    elif label_prefix:
        for i, line in enumerate(lines):
            line.set_label(f"{label_prefix}{i}")
    return lines


def _raster_points(spiketrains):
    """Return (times in ms, y positions, t_start, t_stop) for a group of spike trains.

    y is the ``source_index`` annotation of each train if present, otherwise its position
    in the list; for a SpikeTrainList built from arrays it is the channel id.
    """
    if isinstance(spiketrains, neo.SpikeTrain):
        spiketrains = [spiketrains]
    if isinstance(spiketrains, SpikeTrainList) and getattr(spiketrains, "_items", None) is None:
        # stored as flat arrays: use them directly, no per-train objects are made
        channel_ids, spike_times = spiketrains.multiplexed
        times = np.asarray(getattr(spike_times, "magnitude", spike_times), dtype=float)
        if hasattr(spike_times, "dimensionality"):
            times = times * _time_factor(spike_times)
        try:
            t_start = float(spiketrains.t_start.rescale(pq.ms).magnitude)
            t_stop = float(spiketrains.t_stop.rescale(pq.ms).magnitude)
        except (AttributeError, TypeError, ValueError):
            t_start = t_stop = None
        return times, np.asarray(channel_ids, dtype=float), t_start, t_stop
    trains = list(spiketrains)
    if not trains:
        return np.empty(0), np.empty(0), None, None
    for st in trains:
        if not isinstance(st, neo.SpikeTrain):
            raise TypeError(f"Expected neo.SpikeTrain objects, got {type(st).__name__}")
    y_per_train = np.array([st.annotations.get("source_index", i) for i, st in enumerate(trains)],
                           dtype=float)
    counts = np.fromiter((st.size for st in trains), dtype=np.intp, count=len(trains))
    factors = np.array([_time_factor(st) for st in trains])
    times = np.concatenate([st.magnitude for st in trains]) * np.repeat(factors, counts)
    y = np.repeat(y_per_train, counts)
    # t_start/t_stop share their train's units in neo
    t_start = float(np.min([st.t_start.magnitude for st in trains] * factors))
    t_stop = float(np.max([st.t_stop.magnitude for st in trains] * factors))
    return times, y, t_start, t_stop


def plot_spiketrains(ax, spiketrains, label="", **options):
    """Draw a spike raster with a single ``scatter`` call.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    spiketrains : list of neo.SpikeTrain, or SpikeTrainList
        Each train is drawn on the row given by its ``source_index`` annotation (or its
        position in the list).
    label : str
        Legend label.
    **options
        ``markersize`` (points, default 2.5) and anything accepted by
        :meth:`matplotlib.axes.Axes.scatter` (``color``, ``marker``, ...).

    Returns
    -------
    matplotlib.collections.PathCollection
    """
    times, y, t_start, t_stop = _raster_points(spiketrains)
    markersize = options.pop("markersize", None) or _DEFAULT_MARKERSIZE
    options.setdefault("marker", "o")
    options.setdefault("linewidths", 0)
    collection = ax.scatter(times, y, s=markersize ** 2, label=label or None, **options)
    if t_start is not None and t_stop is not None and t_stop > t_start:
        lo, hi = ax.get_xlim() if ax.collections[:-1] or ax.lines else (t_start, t_stop)
        ax.set_xlim(min(lo, t_start), max(hi, t_stop))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return collection


def plot_spiketrainlist(ax, spiketrains, label="", **options):
    """Draw a raster of a :class:`neo.core.spiketrainlist.SpikeTrainList`.

    Same as :func:`plot_spiketrains`; kept as a separate name for compatibility.
    """
    return plot_spiketrains(ax, spiketrains, label=label, **options)


def plot_array_as_image(ax, arr, label="", colorbar=False, **options):
    """Show a 2D array as an image.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    arr : numpy.ndarray
        2D array.
    label : str
        Label of the image (used as colour-bar label).
    colorbar : bool
        Add a colour bar next to the panel.
    **options
        Passed to :meth:`matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib.image.AxesImage
    """
    arr = np.asarray(arr)
    if arr.ndim != 2:
        raise ValueError(f"plot_array_as_image(): expected a 2D array, got shape {arr.shape}")
    options.setdefault("interpolation", "none")
    options.setdefault("aspect", "auto")
    image = ax.imshow(arr, **options)
    if label:
        image.set_label(label)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=label or None)
    return image


def scatterplot(ax, data_table, label="", **options):
    """Scatter plot of a :class:`DataTable`, with its fitted curve if there is one.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    data_table : DataTable
    label : str
        Legend label.
    **options
        ``markersize`` (points) and anything accepted by
        :meth:`matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.collections.PathCollection
    """
    markersize = options.pop("markersize", None)
    if markersize:
        options["s"] = markersize ** 2
    collection = ax.scatter(data_table.x, data_table.y, label=label or None, **options)
    if data_table.fitted_function is not None and data_table.x.size:
        x, y = data_table.fitted_curve()
        facecolors = collection.get_facecolor()
        ax.plot(x, y, "-", color=facecolors[0] if len(facecolors) else None,
                label=f"{label} (fit)" if label else None)
    return collection


def plot_hist(ax, histogram, label="", **options):
    """Draw a :class:`Histogram` as bars.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    histogram : Histogram
    label : str
        Legend label.
    **options
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.container.BarContainer
    """
    options.pop("markersize", None)
    return ax.bar(histogram.bin_edges[:-1], histogram.counts, width=histogram.bin_width,
                  align="edge", label=label or None, **options)


def variable_names(segment):
    """Names of the signals (recorded variables) in a Neo segment, in order of appearance."""
    names = []
    for signal in list(segment.analogsignals) + list(segment.irregularlysampledsignals):
        if signal.name not in names:
            names.append(signal.name)
    return names


# --- panels and figures --------------------------------------------------------------------


_PANEL_OPTIONS = {
    "data_labels", "line_properties", "xlabel", "ylabel", "xlim", "ylim", "xticks", "yticks",
    "xticklabels", "yticklabels", "legend", "y_offset", "markersize",
}


def _data_kind(datum):
    if isinstance(datum, _SIGNAL_TYPES):
        return "signal"
    if isinstance(datum, (SpikeTrainList, neo.SpikeTrain)):
        return "spikes"
    if isinstance(datum, (list, tuple)) and all(isinstance(d, neo.SpikeTrain) for d in datum):
        return "spikes"
    if isinstance(datum, DataTable):
        return "table"
    if isinstance(datum, Histogram):
        return "histogram"
    if isinstance(datum, np.ndarray) and datum.ndim == 2:
        return "image"
    raise TypeError(
        f"Panel cannot plot an object of type {type(datum).__name__}; expected an AnalogSignal, "
        f"IrregularlySampledSignal, list of SpikeTrains, SpikeTrainList, 2D array, DataTable "
        f"or Histogram")


def _auto_label(kind, datum, axis):
    if kind in ("signal", "spikes") and axis == "x":
        return "Time (ms)"
    if kind == "signal":
        units = datum.units.dimensionality.string
        return f"{datum.name} ({units})" if datum.name else units
    if kind == "spikes":
        return "Neuron index"
    if kind == "histogram":
        return "Count"
    return None


def _apply_ticks(axes, axis, value):
    """xticks/yticks: True shows tick labels, False hides them, a sequence sets the ticks."""
    if value is True:
        return
    if value is False or value is None:
        axes.tick_params(axis=axis, **{"labelbottom" if axis == "x" else "labelleft": False})
    else:
        getattr(axes, f"set_{axis}ticks")(value)


def _apply_ticklabels(axes, axis, value):
    if value is True:
        return
    if value is False or value is None:
        axes.tick_params(axis=axis, **{"labelbottom" if axis == "x" else "labelleft": False})
    else:
        getattr(axes, f"set_{axis}ticklabels")(value)


class Panel:
    """One set of axes in a :class:`Figure`, overlaying one or more data items.

    Parameters
    ----------
    *data
        Data items: ``neo.AnalogSignal``, ``neo.IrregularlySampledSignal``, a list of
        ``neo.SpikeTrain``, a ``SpikeTrainList``, a 2D ``numpy.ndarray``,
        :class:`DataTable` or :class:`Histogram`.
    data_labels : list of str, optional
        Legend label for each data item.
    line_properties : dict or list of dict, optional
        Matplotlib properties for each data item (one dict is used for all of them),
        e.g. ``[{"color": "r", "linewidth": 2}]``.
    xlabel, ylabel : str, optional
        Axis labels; ``'auto'`` derives them from the first data item (signal name and
        units, "Time (ms)", "Neuron index").
    xlim, ylim : (float, float), optional
        Axis limits.
    xticks, yticks : bool or sequence, optional
        ``False`` hides the tick labels, a sequence sets the tick positions.
    legend : bool, str or dict, optional
        Draw a legend (a str gives its location, a dict the arguments of
        :meth:`matplotlib.axes.Axes.legend`).
    y_offset : float, optional
        Vertical shift between successive channels of a signal.
    markersize : float, optional
        Marker size (points) for rasters and scatter plots.
    **options
        Any other name ``key`` calls ``axes.set_<key>(value)``, e.g. ``title='...'``,
        ``xscale='log'``.
    """

    def __init__(self, *data, **options):
        self.data = list(data)
        self.kinds = [_data_kind(d) for d in self.data]
        for key in options:
            if key not in _PANEL_OPTIONS and not hasattr(Axes, f"set_{key}"):
                known = sorted(_PANEL_OPTIONS) + [n[4:] for n in dir(Axes) if n.startswith("set_")]
                hint = difflib.get_close_matches(key, known, n=3)
                raise ValueError(f"Panel: unknown option '{key}'"
                                 + (f"; did you mean {', '.join(hint)}?" if hint else ""))
        self.options = options

    def _per_item(self, name, default):
        value = self.options.get(name)
        n = len(self.data)
        if value is None:
            return [default() for _ in range(n)]
        if isinstance(value, dict):
            return [dict(value) for _ in range(n)]
        value = list(value)
        if len(value) < n:
            value += [default() for _ in range(n - len(value))]
        return value

    def plot(self, axes):
        """Draw the panel's data on `axes` and apply the options.

        Parameters
        ----------
        axes : matplotlib.axes.Axes
        """
        options = dict(self.options)
        labels = self._per_item("data_labels", lambda: None)
        properties = self._per_item("line_properties", dict)
        y_offset = options.pop("y_offset", None)
        markersize = options.pop("markersize", None)
        several = len(self.data) > 1
        for k, (datum, kind) in enumerate(zip(self.data, self.kinds)):
            props = dict(properties[k] or {})
            label = labels[k]
            if several and kind in ("signal", "spikes", "table"):
                # one colour per data item, so overlaid items can be told apart
                props.setdefault("color", f"C{k % 10}")
            if kind == "signal":
                plot_signals(axes, datum, label=label, y_offset=y_offset, **props)
            elif kind == "spikes":
                if markersize is not None:
                    props["markersize"] = markersize
                plot_spiketrains(axes, datum, label=label, **props)
            elif kind == "image":
                plot_array_as_image(axes, datum, label=label, **props)
            elif kind == "table":
                if markersize is not None:
                    props["markersize"] = markersize
                scatterplot(axes, datum, label=label, **props)
            else:
                plot_hist(axes, datum, label=label, **props)

        for axis in ("x", "y"):
            text = options.pop(f"{axis}label", None)
            if text == "auto":
                text = _auto_label(self.kinds[0], self.data[0], axis) if self.data else None
            if text:
                getattr(axes, f"set_{axis}label")(text)
            limits = options.pop(f"{axis}lim", None)
            if limits is not None:
                getattr(axes, f"set_{axis}lim")(limits)
            if f"{axis}ticks" in options:
                _apply_ticks(axes, axis, options.pop(f"{axis}ticks"))
            if f"{axis}ticklabels" in options:
                _apply_ticklabels(axes, axis, options.pop(f"{axis}ticklabels"))
        legend = options.pop("legend", None)
        options.pop("data_labels", None)
        options.pop("line_properties", None)
        if legend and axes.get_legend_handles_labels()[0]:
            if isinstance(legend, dict):
                axes.legend(**legend)
            elif isinstance(legend, str):
                axes.legend(loc=legend)
            else:
                axes.legend()
        for key, value in options.items():
            getattr(axes, f"set_{key}")(value)


class Figure:
    """A figure made of panels stacked vertically.

    Parameters
    ----------
    *panels : Panel
        Panels, drawn from top to bottom.
    title : str, optional
        Figure title.
    annotations : str, optional
        Text written in small type at the bottom of the figure (e.g. parameter values).
    settings : dict, optional
        Matplotlib rc settings used for this figure, e.g. ``{"font.size": 8}``.
    size : (float, float)
        Width and height in inches.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    axes : list of matplotlib.axes.Axes
        One per panel.
    """

    def __init__(self, *panels, title=None, annotations=None, settings=None, size=(6, 8)):
        self.panels = list(panels)
        self.settings = dict(settings or {})
        with matplotlib.rc_context(self.settings):
            self.fig = plt.figure(figsize=size, layout="constrained")
            self.axes = []
            if self.panels:
                self.axes = list(self.fig.subplots(len(self.panels), 1, squeeze=False)[:, 0])
            for panel, axes in zip(self.panels, self.axes):
                panel.plot(axes)
            if title:
                self.fig.suptitle(title)
            if annotations:
                self._annotate(str(annotations), size[1])

    def _annotate(self, text, height):
        fontsize = matplotlib.font_manager.FontProperties(size="small").get_size_in_points()
        n_lines = text.count("\n") + 1
        # reserve a strip at the bottom that the layout engine leaves free
        strip = min(0.5, (n_lines * 1.3 * fontsize / 72.0 + 0.1) / height)
        self.fig.text(0.01, 0.01, text, fontsize="small", ha="left", va="bottom")
        engine = self.fig.get_layout_engine()
        if engine is not None:
            engine.set(rect=(0, strip, 1, 1 - strip))

    def save(self, filename, **kwargs):
        """Save the figure, creating the parent directory if needed.

        Parameters
        ----------
        filename : str or path-like
            The format is taken from the extension (``.png``, ``.pdf``, ``.svg``, ...).
        **kwargs
            Passed to :meth:`matplotlib.figure.Figure.savefig`.
        """
        filename = os.fspath(filename)
        directory = os.path.dirname(filename)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with matplotlib.rc_context(self.settings):
            self.fig.savefig(filename, **kwargs)

    def show(self):
        """Display the figure (needs an interactive matplotlib backend)."""
        plt.show()

    def close(self):
        """Release the figure's memory."""
        plt.close(self.fig)


# --- higher-level helpers ------------------------------------------------------------------


def comparison_plot(segments, labels, title="", annotations=None, fig_settings=None,
                    with_spikes=True):
    """Compare the same recorded variables from several Neo segments.

    Makes one panel per variable, overlaying that variable from every segment (each
    segment in its own colour, earlier ones drawn with thicker lines so overlapping
    traces stay visible), plus one raster panel with the spikes of all segments.

    Parameters
    ----------
    segments : list of neo.Segment
        E.g. the same network run on different simulators.
    labels : list of str
        One legend label per segment.
    title : str
        Figure title.
    annotations : str, optional
        Text at the bottom of the figure.
    fig_settings : dict, optional
        Matplotlib rc settings.
    with_spikes : bool
        Add the raster panel (if there are spikes).

    Returns
    -------
    Figure
    """
    segments = list(segments)
    labels = list(labels)
    if len(labels) != len(segments):
        raise ValueError(f"comparison_plot(): got {len(segments)} segments but {len(labels)} labels")
    n_seg = len(segments)
    names = []
    for segment in segments:
        names.extend(n for n in variable_names(segment) if n not in names)

    panels = []
    for name in names:
        signals, data_labels, properties = [], [], []
        units = None
        for k, (segment, label) in enumerate(zip(segments, labels)):
            for signal in list(segment.analogsignals) + list(segment.irregularlysampledsignals):
                if signal.name != name:
                    continue
                if units is None:
                    units = signal.units
                elif signal.units != units:
                    try:
                        signal = signal.rescale(units)
                    except ValueError:
                        pass  # incompatible units: plot as they are
                signals.append(signal)
                data_labels.append(label)
                properties.append({"color": f"C{k % 10}", "linewidth": 1.0 + (n_seg - 1 - k)})
        ylabel = f"{name} ({units.dimensionality.string})" if units is not None else name
        panels.append(Panel(*signals, data_labels=data_labels, line_properties=properties,
                            ylabel=ylabel, xticks=False))

    if with_spikes and any(len(segment.spiketrains) > 0 for segment in segments):
        trains, data_labels, properties = [], [], []
        for k, (segment, label) in enumerate(zip(segments, labels)):
            if len(segment.spiketrains) == 0:
                continue
            trains.append(segment.spiketrains)
            data_labels.append(label)
            properties.append({"color": f"C{k % 10}",
                               "markersize": _DEFAULT_MARKERSIZE * (1 + 0.75 * (n_seg - 1 - k))})
        panels.append(Panel(*trains, data_labels=data_labels, line_properties=properties,
                            ylabel="Neuron index", xticks=False))

    if not panels:
        raise ValueError("comparison_plot(): the segments contain no signals or spike trains")
    panels[0].options["legend"] = True
    panels[-1].options["xticks"] = True
    panels[-1].options["xlabel"] = "Time (ms)"
    return Figure(*panels, title=title or None, annotations=annotations, settings=fig_settings,
                  size=(6, max(4, 2 * len(panels))))


def isi_histogram(segment, bins=10):
    """Histogram of the inter-spike intervals (ms) of all spike trains in a segment.

    Parameters
    ----------
    segment : neo.Segment
    bins : int or sequence
        As for :func:`numpy.histogram`.

    Returns
    -------
    Histogram
    """
    intervals = [np.diff(np.sort(st.magnitude)) * _time_factor(st)
                 for st in segment.spiketrains]
    all_isis = np.concatenate(intervals) if intervals else np.empty(0)
    return Histogram(all_isis, bins=bins)


def connection_plot(projection, positive="O", zero=".", empty=" ", spacer=""):
    """Text picture of a projection's connectivity matrix.

    One line per presynaptic cell, one character per postsynaptic cell.

    Parameters
    ----------
    projection : Projection
    positive : str
        Character for a connection with a non-zero weight.
    zero : str
        Character for a connection with zero weight.
    empty : str
        Character where there is no connection.
    spacer : str
        Placed between characters.

    Returns
    -------
    str
    """
    weights = np.asarray(projection.get("weight", format="array", gather=True), dtype=float)
    chars = np.where(np.isnan(weights), empty, np.where(weights != 0, positive, zero))
    return "\n".join(spacer.join(row) for row in chars)
