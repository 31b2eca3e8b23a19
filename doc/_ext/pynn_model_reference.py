"""Sphinx extension: the model reference pages, generated from the standard models' data.

At the start of each build it writes ``reference/generated/*.rst``: for every standard cell,
synapse, plasticity and current-source type, its summary, a table of its parameters
(name, default, unit, meaning), a table of its state variables (initial value, unit,
recordable, meaning) and, from the backends' translation tables, what each backend
simulates it with (the rows of ``doc/support_matrix.md``). Nothing here is written by hand,
so the pages cannot drift from the code.
"""

import importlib.util
import os

from pyNN.standardmodels import cells, documentation, electrodes, synapses

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.dirname(HERE)
TOOL = os.path.join(DOC, os.pardir, "tools", "support_matrix.py")


def _support_tool():
    spec = importlib.util.spec_from_file_location("pynn_support_matrix", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _summary(cls):
    """First paragraph of the hand-written summary (RST)."""
    text = getattr(cls, "_model_summary", "") or ""
    return text.split("\n\n")[0].strip()


def _cell_text(value):
    return str(value).replace("*", r"\*").replace("|", r"\|") or " "


def _list_table(title, header, rows, widths):
    lines = [f".. list-table:: {title}", "   :header-rows: 1", f"   :widths: {' '.join(map(str, widths))}", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {_cell_text(row[0])}")
        lines += [f"     - {_cell_text(item)}" for item in row[1:]]
    return lines + [""]


def _type_section(cls, backends, tool, kind):
    name = cls.__name__
    lines = [f".. _model-{name}:", "", name, "-" * len(name), "", _summary(cls), ""]
    params = documentation.parameter_rows(cls)
    if params:
        lines += _list_table("Parameters", ("name", "default", "unit", "meaning"), params, (18, 12, 12, 58))
    states = [(n, init, unit, "yes" if rec else "no", text)
              for n, init, unit, rec, text in documentation.state_variable_rows(cls)]
    if states:
        lines += _list_table("State variables", ("name", "initial value", "unit", "recordable", "meaning"),
                             states, (14, 12, 12, 10, 52))
    if kind is not None and backends:
        rows = [(backend, tool._cell(getattr(tables[kind], name, None))) for backend, tables in backends]
        lines += _list_table("Implementation on each backend (native model and numerics)",
                             ("backend", "implementation"), rows, (15, 85))
    return lines


def _page(title, intro, types, backends, tool, kind):
    lines = [title, "=" * len(title), "", intro, "", ".. contents:: Types", "   :local:", "   :depth: 1", ""]
    for cls in types:
        lines += _type_section(cls, backends, tool, kind)
    return "\n".join(lines) + "\n"


def _pages():
    tool = _support_tool()
    backends = [(b, t) for b in tool.BACKENDS if (t := tool._tables(b)) is not None]
    components = [cells.LIF, cells.AdExp, cells.CurrExpPostSynapticResponse, cells.CondExpPostSynapticResponse,
                  cells.CondAlphaPostSynapticResponse, cells.CondBetaPostSynapticResponse]
    stdp_parts = [synapses.SpikePairRule, synapses.Vogels2011Rule, synapses.AdditiveWeightDependence,
                  synapses.MultiplicativeWeightDependence, synapses.AdditivePotentiationMultiplicativeDepression,
                  synapses.GutigWeightDependence]
    return {
        "cells": _page(
            "Cell types",
            "The standard cell types and spike sources. Units are those of the behaviour contract "
            "(mV, ms, nA, uS, nF, Hz); values read back are always in these units.",
            [getattr(cells, n) for n in tool.CELL_TYPES], backends, tool, "cells"),
        "point_neurons": _page(
            "PointNeuron components",
            "``PointNeuron(neuron, **receptors)`` assembles a membrane model with any number of named "
            "receptors; the receptor parameters and variables are then prefixed by the receptor name "
            "(``'AMPA.tau_syn'``). LIF and AdExp with these receptors run on every backend.",
            [cells.PointNeuron, *components], backends, tool, None),
        "synapses": _page(
            "Synapse types",
            "Weights are magnitudes: nA onto current-based cells, uS onto conductance-based cells and "
            "mV onto the voltage-jump cells (IF_curr_delta, Izhikevich).",
            [getattr(synapses, n) for n in tool.SYNAPSE_TYPES], backends, tool, "synapses"),
        "plasticity": _page(
            "Spike-timing-dependent plasticity",
            "``STDPMechanism(timing_dependence=..., weight_dependence=..., ...)`` combines one rule of "
            "each kind; the parameters of the parts become parameters of the synapse.",
            [synapses.STDPMechanism, *stdp_parts], backends, tool, "synapses"),
        "current_sources": _page(
            "Current sources",
            "Currents are in nA and times in ms; a source is active for ``start <= t < stop``.",
            [getattr(electrodes, n) for n in tool.ELECTRODES], backends, tool, "electrodes"),
    }


def generate(app):
    """Write the pages (only when their text changed, so that Sphinx rebuilds only what changed)."""
    target = os.path.join(app.srcdir, "reference", "generated")
    os.makedirs(target, exist_ok=True)
    for name, text in _pages().items():
        path = os.path.join(target, f"{name}.rst")
        if os.path.exists(path):
            with open(path) as f:
                if f.read() == text:
                    continue
        with open(path, "w") as f:
            f.write(text)


def setup(app):
    app.connect("builder-inited", generate)
    return {"version": "1.0", "parallel_read_safe": True}
