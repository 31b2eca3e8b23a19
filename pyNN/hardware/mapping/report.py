"""The mapping report: how a network fits a hardware profile, and what was degraded.

A :class:`MappingReport` is filled by the mapper (resources, partitioning, placement,
connectivity, quantisation, parameters, load, noise, recording, diagnostics) and, after
each ``run()``, by the engine through :meth:`MappingReport.add_provenance`. It can be read
as text (:meth:`~MappingReport.summary`), as a dict or JSON, or written as text files
named like sPyNNaker's reports (:meth:`~MappingReport.write_reports`).
"""

import datetime
import json
import os
from dataclasses import asdict, dataclass, field

import numpy as np

FITS = "FITS"
FITS_WITH_DEGRADATION = "FITS_WITH_DEGRADATION"
DOES_NOT_FIT = "DOES_NOT_FIT"

#: provenance counters the engine may report, with the diagnostic each one raises when nonzero
PROVENANCE_DIAGNOSTICS = {
    "ring_buffer_saturations": (
        "RING_BUFFER_SATURATED",
        "the synaptic input ring buffer saturated {n} times",
        "increase spikes_per_second and / or ring_buffer_sigma, or set max_expected_summed_weight"),
    "state_saturations": (
        "STATE_SATURATED",
        "s16.15 state arithmetic overflowed {n} times",
        "scale the model so that voltages and currents stay within +-65536"),
    "saturations": (
        "STATE_SATURATED",
        "neuron state arithmetic saturated {n} times",
        "scale the model so that voltages and currents stay within the fixed-point range"),
    "plastic_weight_saturations": (
        "PLASTIC_WEIGHT_SATURATED",
        "plastic synaptic weights saturated {n} times",
        "lower w_max or the learning rates, or set max_expected_summed_weight"),
    "input_buffer_lost": (
        "INPUT_BUFFER_LOST",
        "the input buffer lost {n} packets",
        "reduce neurons_per_core or increase time_scale_factor"),
    "rate_limit_dropped": (
        "EVENTS_DROPPED",
        "{n} events were dropped by the synapse-driver event-rate limit",
        "spread the input over more sources or lower the input rates"),
    "router_dropped": (
        "ROUTER_DROPPED",
        "the router dropped {n} packets",
        "reduce the traffic per chip or increase time_scale_factor"),
    "lost_input_spikes": (
        "INPUT_SPIKES_LOST",
        "{n} input spikes were lost on the way to the chip",
        "lower the input rates or raise minimum_input_isi knowingly"),
    "pulse_loss_before_sim": (
        "PULSE_LOSS",
        "{n} events were dropped before the emulation (input playback bandwidth)",
        "lower the input rates"),
    "timer_overruns": (
        "TIMER_OVERRUN",
        "the time step overran {n} times",
        "reduce neurons_per_core or increase time_scale_factor"),
    "late_spikes": (
        "LATE_SPIKES",
        "{n} spikes arrived late and were skipped",
        "increase time_scale_factor"),
}


def _plain(value):
    """Convert numpy scalars/arrays and tuples to JSON-friendly Python objects."""
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else "/".join(map(str, k)) if isinstance(k, tuple) else str(k)):
                _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class Diagnostic:
    """One finding of the mapper or of a run.

    severity is ``"error"`` (the network does not fit), ``"warning"`` (it runs, degraded)
    or ``"info"``.
    """

    code: str
    severity: str
    obj: str
    message: str
    suggestion: str = ""

    def __str__(self):
        tail = f" Suggestion: {self.suggestion}" if self.suggestion else ""
        return f"[{self.severity.upper()}] {self.code} ({self.obj}): {self.message}.{tail}"


@dataclass
class MappingReport:
    """Everything the mapper found out about one network on one profile."""

    header: dict = field(default_factory=dict)
    resources: list = field(default_factory=list)
    partitioning: list = field(default_factory=list)
    placement: list = field(default_factory=list)
    connectivity: list = field(default_factory=list)
    quantisation: list = field(default_factory=list)
    weight_shifts: list = field(default_factory=list)
    plasticity: list = field(default_factory=list)
    parameters: list = field(default_factory=list)
    load: list = field(default_factory=list)
    noise: dict = field(default_factory=dict)
    recording: list = field(default_factory=list)
    routing: list = field(default_factory=list)
    provenance: list = field(default_factory=list)
    diagnostics: list = field(default_factory=list)

    # --- filling -------------------------------------------------------------------------
    def add_diagnostic(self, code, severity, obj, message, suggestion=""):
        """Append a :class:`Diagnostic` and return it."""
        diag = Diagnostic(code, severity, str(obj), message, suggestion)
        self.diagnostics.append(diag)
        return diag

    def add_resource(self, resource, used, available, level="", unit=""):
        """Append a row of the resource-usage table (available None means unlimited)."""
        pct = None if not available else 100.0 * used / available
        self.resources.append({"level": level, "resource": resource, "used": used, "available": available,
                               "percent": pct, "unit": unit})

    def add_load(self, unit, quantity, estimate, budget, code=None, obj="network", message="", suggestion="",
                 severity="warning"):
        """Append a load estimate; if it is above `budget` and `code` is given, add that diagnostic too.

        Returns True when the estimate exceeds the budget.
        """
        pct = None if not budget else 100.0 * estimate / budget
        self.load.append({"unit": unit, "quantity": quantity, "estimate": estimate, "budget": budget, "percent": pct})
        over = budget is not None and estimate > budget
        if over and code:
            self.add_diagnostic(code, severity, obj, message, suggestion)
        return over

    def add_provenance(self, counters, cumulative=False):
        """Merge the run-time counters of one ``run()`` into the report.

        Parameters
        ----------
        counters : dict
            Counter name -> value, e.g. ``{"ring_buffer_saturations": 3, "steps": 1000}``.
            Known counters (see ``PROVENANCE_DIAGNOSTICS``) that are nonzero for this run add
            a warning diagnostic with a suggestion.
        cumulative : bool
            False: the values are this run's. True: they are running totals (e.g. since the
            engine was built); the report keeps the difference to the previous call as this
            run's values (a total that went down, after a reset, counts from zero again).
            Non-numeric values are kept as given.
        """
        counters = _plain(dict(counters))
        if cumulative:
            last = getattr(self, "_last_cumulative", {})
            self._last_cumulative = dict(counters)
            numeric = {k: v for k, v in counters.items() if _is_number(v)}
            restarted = any(v < last.get(k, 0) for k, v in numeric.items() if _is_number(last.get(k, 0)))
            counters = {k: (v - last.get(k, 0) if k in numeric and not restarted and _is_number(last.get(k, 0))
                            else v) for k, v in counters.items()}
        entry = {"run": len(self.provenance)}
        entry.update(counters)
        self.provenance.append(entry)
        for name, (code, text, hint) in PROVENANCE_DIAGNOSTICS.items():
            n = counters.get(name, 0)
            if _is_number(n) and n:
                self.add_diagnostic(code, "warning", f"run {entry['run']}", text.format(n=n), hint)

    def provenance_totals(self):
        """Sum of each numeric counter over every run so far."""
        totals = {}
        for entry in self.provenance:
            for key, value in entry.items():
                if key != "run" and _is_number(value):
                    totals[key] = totals.get(key, 0) + value
        return totals

    # --- reading -------------------------------------------------------------------------
    @property
    def verdict(self):
        """``FITS``, ``FITS_WITH_DEGRADATION`` or ``DOES_NOT_FIT``."""
        severities = {d.severity for d in self.diagnostics}
        if "error" in severities:
            return DOES_NOT_FIT
        if "warning" in severities:
            return FITS_WITH_DEGRADATION
        return FITS

    @property
    def blocking_issues(self):
        return [d for d in self.diagnostics if d.severity == "error"]

    def diagnostics_of(self, code=None, severity=None):
        return [d for d in self.diagnostics
                if (code is None or d.code == code) and (severity is None or d.severity == severity)]

    def to_dict(self):
        """The whole report as plain Python objects (JSON-serialisable)."""
        return {
            "header": _plain(self.header),
            "verdict": self.verdict,
            "blocking_issues": [str(d) for d in self.blocking_issues],
            "resources": _plain(self.resources),
            "partitioning": _plain(self.partitioning),
            "placement": _plain(self.placement),
            "connectivity": _plain(self.connectivity),
            "quantisation": _plain(self.quantisation),
            "weight_shifts": _plain(self.weight_shifts),
            "plasticity": _plain(self.plasticity),
            "parameters": _plain(self.parameters),
            "load": _plain(self.load),
            "noise": _plain(self.noise),
            "recording": _plain(self.recording),
            "routing": _plain(self.routing),
            "provenance": _plain(self.provenance),
            "provenance_totals": _plain(self.provenance_totals()),
            "diagnostics": [_plain(asdict(d)) for d in self.diagnostics],
        }

    def to_json(self, indent=2):
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    # --- text ----------------------------------------------------------------------------
    @staticmethod
    def _table(rows, columns):
        if not rows:
            return ["  (none)"]

        def fmt(v):
            if isinstance(v, float):
                return f"{v:.6g}"
            if v is None:
                return "-"
            return str(v)

        cells = [[fmt(r.get(c)) for c in columns] for r in rows]
        widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
        out = ["  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths)),
               "  " + "  ".join("-" * w for w in widths)]
        out += ["  " + "  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
        return out

    def summary(self):
        """A human-readable text summary of the report."""
        h = self.header
        lines = [f"Mapping report: profile '{h.get('profile')}' v{h.get('profile_version')} "
                 f"({h.get('profile_kind')}), policy {h.get('policy')}, dt = {h.get('dt')} ms",
                 f"  library {h.get('library_version')}, seeds {h.get('seeds')}, "
                 f"speed-up {h.get('speedup')}, time_scale_factor {h.get('time_scale_factor')}, {h.get('timestamp')}",
                 "", f"Verdict: {self.verdict}"]
        for d in self.blocking_issues:
            lines.append(f"  blocking: {d}")
        sections = [
            ("Resource usage", self.resources, ["level", "resource", "used", "available", "percent", "unit"]),
            ("Partitioning", self.partitioning, ["population", "model", "size", "unit_size", "n_units",
                                                  "circuits_per_neuron", "executions"]),
            ("Connectivity", self.connectivity, ["projection", "requested", "realised", "lost", "lost_percent",
                                                 "hw_synapses", "rows", "delay_extension"]),
            ("Weight quantisation", self.quantisation, ["projection", "w_min", "w_max", "lsb", "representable_max",
                                                        "n_rounded", "n_zero", "n_clipped", "max_abs_error",
                                                        "max_rel_error", "delays_clipped"]),
            ("Weight shifts", self.weight_shifts, ["post", "receptor", "shift", "weight_scale",
                                                   "max_summed_input"]),
            ("Plasticity (what differs from the exact rule: see to_dict()['plasticity'])", self.plasticity,
             ["projection", "rule", "lut_tau_plus", "lut_tau_minus", "weight_lsb", "w_max_realised",
              "A_plus_realised", "A_minus_realised", "error_bound_per_pre_spike"]),
            ("Parameters", self.parameters, ["population", "parameter", "requested_min", "requested_max",
                                             "allowed_min", "allowed_max", "n_clipped", "step", "conflict"]),
            ("Load estimates", self.load, ["unit", "quantity", "estimate", "budget", "percent"]),
            ("Recording", self.recording, ["population", "variable", "requested", "granted", "refused", "note"]),
        ]
        for title, rows, cols in sections:
            lines += ["", f"{title}:"] + self._table(rows, cols)
        lines += ["", "Noise and mismatch:"]
        for k, v in self.noise.items():
            if k == "deviations":  # per-neuron arrays: summarise, the full values are in to_dict()
                for pop, params in v.items():
                    text = ", ".join(f"{name} {float(np.max(np.abs(d))) if np.size(d) else 0.0:.3g}"
                                     for name, d in params.items())
                    lines.append(f"  largest |deviation| in '{pop}': {text}")
            else:
                lines.append(f"  {k}: {v}")
        if not self.noise:
            lines.append("  (none)")
        if self.provenance:
            lines += ["", "Run-time provenance (totals):"]
            lines += [f"  {k}: {v}" for k, v in self.provenance_totals().items()]
        lines += ["", "Diagnostics:"]
        lines += [f"  {d}" for d in self.diagnostics] or ["  (none)"]
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    # --- sPyNNaker-style text files ---------------------------------------------------------------
    def write_reports(self, directory):
        """Write the report as files in `directory` (created if needed); returns their paths.

        Files: ``mapping_report.json``, ``mapping_summary.txt`` and, named like
        sPyNNaker's, ``partitioned_by_vertex.rpt``, ``placement_by_vertex_using_graph.rpt``,
        ``placement_by_core_using_graph.rpt``, ``chip_sdram_usage_by_core.rpt`` and
        ``routing_summary.rpt``.
        """
        os.makedirs(directory, exist_ok=True)
        texts = {
            "mapping_report.json": self.to_json(),
            "mapping_summary.txt": self.summary(),
            "partitioned_by_vertex.rpt": self._partition_text(),
            "placement_by_vertex_using_graph.rpt": self._placement_text(by_core=False),
            "placement_by_core_using_graph.rpt": self._placement_text(by_core=True),
            "chip_sdram_usage_by_core.rpt": self._sdram_text(),
            "routing_summary.rpt": self._routing_text(),
        }
        paths = []
        for name, text in texts.items():
            path = os.path.join(directory, name)
            with open(path, "w") as f:
                f.write(text + "\n")
            paths.append(path)
        return paths

    def _partition_text(self):
        lines = ["        Partitioning by population", ""]
        for p in self.partitioning:
            lines.append(f"**** Vertex: '{p['population']}'")
            lines.append(f"Model: {p['model']}")
            lines.append(f"Pop size: {p['size']}")
            lines.append("Machine Vertices:")
            for lo, hi in p.get("slices", []):
                lines.append(f"  Slice {lo}:{hi - 1} ({hi - lo} atoms)")
            lines.append("")
        return "\n".join(lines)

    def _placement_text(self, by_core):
        lines = [f"        Placements by {'core' if by_core else 'vertex'}", ""]
        rows = sorted(self.placement, key=lambda r: tuple(r.get("location", ()))) if by_core else self.placement
        for r in rows:
            loc = tuple(r.get("location", ()))
            sdram = r.get("sdram")
            extra = f" SDRAM required: {sdram} bytes" if sdram is not None else ""
            if by_core:
                lines.append(f"Core {loc}: population '{r['population']}' slice {r['lo']}:{r['hi'] - 1}{extra}")
            else:
                lines.append(f"Population '{r['population']}' slice {r['lo']}:{r['hi'] - 1} on "
                             f"{r.get('unit', 'core')} {loc}{extra}")
        return "\n".join(lines)

    def _sdram_text(self):
        lines = ["        Memory usage by core", ""]
        for r in self.placement:
            if r.get("sdram") is not None:
                lines.append(f"SDRAM reqs for core {tuple(r['location'])} is {r['sdram']} bytes "
                             f"({r['population']} {r['lo']}:{r['hi'] - 1})")
        return "\n".join(lines)

    def _routing_text(self):
        lines = ["        Routing summary", ""]
        for r in self.routing:
            lines.append(f"Chip {r['chip'][0]}:{r['chip'][1]} has {r['entries']} entries")
        if self.routing:
            worst = max(self.routing, key=lambda r: r["entries"])
            lines.append(f"Max entries per chip: {worst['entries']} on chip {worst['chip'][0]}:{worst['chip'][1]}")
            lines.append(f"Total entries: {sum(r['entries'] for r in self.routing)}")
        return "\n".join(lines)


def make_header(profile, policy, dt, seeds, speedup=None, time_scale_factor=None):
    """The report header for `profile` (a HardwareProfile)."""
    try:
        from pyNN import __version__ as library_version
    except ImportError:  # pragma: no cover - the package always defines it
        library_version = "unknown"
    return {
        "profile": profile.name, "profile_version": profile.version, "profile_kind": profile.kind,
        "experimental": profile.experimental,
        "profile_sources": dict(profile.sources), "overrides": dict(profile.overrides),
        "library_version": library_version, "policy": policy, "dt": dt, "seeds": dict(seeds),
        "speedup": speedup, "time_scale_factor": time_scale_factor,
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
