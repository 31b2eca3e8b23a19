"""Shared machinery of the mapping steps: the mapping context (inputs, policy, realised
values, report) and the checks and report rows that every hardware family uses."""

import warnings

import numpy as np

from pyNN import errors
from pyNN.hardware.mapping.report import MappingReport
from pyNN.hardware.mapping.specs import MappingResult
from pyNN.hardware.numerics import analog
from pyNN.standardmodels import cells as standard_cells

POLICIES = ("strict", "lenient")
SPIKE_SOURCES = ("SpikeSourcePoisson", "SpikeSourceArray", "SpikeSourcePoissonRefractory",
                 "SpikeSourceGamma", "SpikeSourceInhGamma")


class MappingContext:
    """Everything one mapping reads and writes: the inputs, the policy, the seeds, the
    realised values (filled by the steps) and the report.

    Parameters
    ----------
    profile : HardwareProfile
    populations : list of PopulationSpec
    projections : list of ProjectionSpec
    dt : float
        Time step (ms).
    policy : {"strict", "lenient"}
    seed : int or None
        Map seed; the chip and run seeds derive from it unless the profile sets them.
    """

    def __init__(self, profile, populations, projections, dt, policy, seed):
        self.profile = profile
        self.populations = list(populations)
        self.projections = list(projections)
        self.dt = float(dt)
        self.policy = policy
        self.map_seed = 0 if seed is None else int(seed)
        chip = profile.get("chip_seed")
        run = profile.get("run_seed")
        self.seeds = {"map": self.map_seed,
                      "chip": self.map_seed if chip is None else int(chip),
                      "run": self.map_seed + 1 if run is None else int(run)}
        self.rng = np.random.default_rng([self.map_seed, 11])
        self.report = MappingReport()
        n = len(self.projections)
        self.weight = {p.label: np.asarray(p.weight, dtype=np.float64).copy() for p in self.projections}
        self.delay = {p.label: np.asarray(p.delay, dtype=np.float64).copy() for p in self.projections}
        self.keep = {p.label: np.ones(len(p.pre_index), dtype=bool) for p in self.projections}
        self.parameters = {pop.label: {k: (v.copy() if isinstance(v, np.ndarray) else v)
                                       for k, v in pop.parameters.items()} for pop in self.populations}
        self.recorded = {pop.label: {var: np.asarray(idx, dtype=np.int64).copy() for var, idx in pop.recorded.items()}
                         for pop in self.populations}
        self.numerics = {"dt": self.dt, "seeds": dict(self.seeds)}
        self.n_projections = n

    # --- policy -------------------------------------------------------------------------
    def fail(self, code, exc, message, suggestion="", obj=""):
        """Record an error diagnostic and raise `exc` (an exception instance or class)."""
        self.report.add_diagnostic(code, "error", obj, message, suggestion)
        if isinstance(exc, BaseException):
            err = exc
        else:
            err = exc(f"{message}. Suggestion: {suggestion}" if suggestion else message)
        err.report = self.report
        raise err

    def violation(self, code, exc, message, suggestion, obj, action):
        """Strict: raise. Lenient: warn, record a warning diagnostic saying what was done (`action`)."""
        if self.policy == "strict":
            self.fail(code, exc, message, suggestion, obj)
        text = f"{message}; lenient policy: {action}"
        warnings.warn(f"{text}. Suggestion: {suggestion}" if suggestion else text,
                      errors.HardwareConstraintWarning, stacklevel=4)
        self.report.add_diagnostic(code, "warning", obj, text, suggestion)

    def exhausted(self, resource, needed, available, obj, suggestion):
        """Raise ResourceExhaustedError (with the report) for a resource the network needs more of."""
        err = errors.ResourceExhaustedError(resource, needed, available, obj, suggestion, self.profile.name)
        self.fail("RESOURCE_EXHAUSTED", err, str(err), "", obj)

    def pop(self, i):
        """The PopulationSpec with index `i`."""
        return self.populations[i]

    def result(self):
        """The realised network as a MappingResult."""
        return MappingResult(self.weight, self.delay, self.keep, self.parameters, self.numerics, self.report,
                             self.recorded)


def per_cell(values, size):
    """A parameter value (scalar or array) as a float64 array of one value per cell."""
    return np.array(np.broadcast_to(np.asarray(values, dtype=np.float64), (size,)))


def spike_time_arrays(times):
    """Per-cell spike times (object array of Sequence/arrays/lists) as a list of float64 arrays."""
    return [np.ravel(np.asarray(getattr(t, "value", t), dtype=np.float64)) for t in np.ravel(times)]


def is_source(celltype):
    """Whether the cell type called `celltype` is a spike source (no neuron circuit needed)."""
    return celltype in SPIKE_SOURCES


def conductance_based(celltype):
    """Whether the standard cell type called `celltype` has conductance-based synapses."""
    cls = getattr(standard_cells, celltype, None)
    return bool(getattr(cls, "conductance_based", True))


def max_rate(pop):
    """Largest firing rate (Hz) of a spike source population, or None if not known."""
    p = pop.parameters
    if pop.celltype.startswith("SpikeSourcePoisson") and "rate" in p:
        rate = np.asarray(p["rate"], dtype=np.float64)
        return float(rate.max()) if rate.size else 0.0
    if pop.celltype == "SpikeSourceArray" and "spike_times" in p:
        times = spike_time_arrays(p["spike_times"])
        best = 0.0
        lengths = np.fromiter((t.size for t in times), dtype=np.int64, count=len(times))
        if lengths.size and lengths.max() > 0:
            flat = np.concatenate(times)
            owner = np.repeat(np.arange(lengths.size), lengths)
            last = np.zeros(lengths.size)
            np.maximum.at(last, owner, flat)
            rate = 1000.0 * lengths / np.maximum(last, 1.0)
            best = float(rate.max())
        return best
    return None


def validate_types(ctx):
    """Every cell type and synapse type must be available on the profile (NoModelAvailableError)."""
    prof = ctx.profile
    for pop in ctx.populations:
        if prof.cell_spec(pop.celltype) is None:
            reason = prof.unsupported_reason(pop.celltype)
            supported = ", ".join(sorted(c for c in prof.cells if c != "*"))
            ctx.fail("UNSUPPORTED_CELL_TYPE", errors.NoModelAvailableError,
                     f"population '{pop.label}': cell type {pop.celltype} is not available on hardware profile "
                     f"'{prof.name}': {reason}",
                     f"use one of the profile's cell types ({supported}) or another profile", pop.label)
    for prj in ctx.projections:
        if not prof.supports_synapse_dynamics(prj.synapse_type):
            ctx.fail("UNSUPPORTED_SYNAPSE_TYPE", errors.NoModelAvailableError,
                     unsupported_synapse_message(prof, prj.label, prj.synapse_type),
                     "use a supported synapse type or another profile", prj.label)


def unsupported_synapse_message(profile, label, synapse_type):
    """The NoModelAvailableError text for a synapse type the profile does not accept."""
    return (f"projection '{label}': synapse type {synapse_type} is not available on hardware profile "
            f"'{profile.name}' ({profile.synapse_dynamics_reason(synapse_type)})")


def check_ranges(ctx):
    """Range check of every population's parameters (policy: error or clip)."""
    if ctx.profile.get("ignore_parameter_ranges", False):
        return
    for pop in ctx.populations:
        spec = ctx.profile.cell_spec(pop.celltype) or {}
        for name, (lo, hi) in spec.get("ranges", {}).items():
            if name not in pop.parameters:
                continue
            values = per_cell(ctx.parameters[pop.label][name], pop.size)
            bad = analog.out_of_range(values, lo, hi)
            row = {"population": pop.label, "parameter": name,
                   "requested_min": float(values.min()) if values.size else None,
                   "requested_max": float(values.max()) if values.size else None,
                   "allowed_min": lo, "allowed_max": hi, "n_clipped": int(bad.sum()), "step": None,
                   "conflict": None}
            if bad.any():
                first = np.flatnonzero(bad)
                shown = ", ".join(f"{values[i]:g}" for i in first[:3])
                ctx.violation(
                    "PARAMETER_OUT_OF_RANGE", errors.InvalidParameterValueError,
                    f"population '{pop.label}' ({pop.celltype}): {name} = {shown}"
                    f"{' ...' if first.size > 3 else ''} ({first.size} of {values.size} cells) is out of the range "
                    f"supported by hardware profile '{ctx.profile.name}' (valid range for parameter {name} is: "
                    f"({lo:g}, {hi:g}))",
                    f"choose {name} within ({lo:g}, {hi:g}), use policy='lenient' to clip, or "
                    f"ignore_parameter_ranges=True for mapping-only runs", pop.label,
                    f"clipped {first.size} values to the range")
                ctx.parameters[pop.label][name] = np.clip(values, lo, hi)
            ctx.report.parameters.append(row)


def delay_ticks(ctx, prj, warn_label):
    """Delays in whole ticks (nearest, halves up), clamped to >= 1, with one RoundingWarning."""
    d = np.asarray(prj.delay, dtype=np.float64)
    exact = d / ctx.dt
    ticks = np.floor(exact + 0.5 + 1e-9).astype(np.int64)
    off_grid = np.abs(exact - ticks) > 1e-6
    low = ticks < 1
    ticks = np.maximum(ticks, 1)
    if off_grid.any() or low.any():
        warnings.warn(f"projection '{warn_label}': {int(off_grid.sum() + low.sum())} delays rounded to whole "
                      f"ticks of {ctx.dt} ms (minimum 1 tick)", errors.RoundingWarning, stacklevel=4)
    return ticks, int(off_grid.sum()), int(low.sum())


def weight_stats(requested, realised, keep):
    """Rounding statistics of the kept connections' weights (for the quantisation rows of the report)."""
    r = np.asarray(requested, dtype=np.float64)[keep]
    q = np.asarray(realised, dtype=np.float64)[keep]
    err = np.abs(q - r)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(r > 0, err / r, 0.0)
    return {
        "w_min": float(r.min()) if r.size else None, "w_max": float(r.max()) if r.size else None,
        "n_rounded": int(np.count_nonzero(err > 1e-12 * np.maximum(r, 1e-300))),
        "n_zero": int(np.count_nonzero((q == 0) & (r > 0))),
        "mean_abs_error": float(err.mean()) if err.size else 0.0,
        "max_abs_error": float(err.max()) if err.size else 0.0,
        "mean_rel_error": float(rel.mean()) if rel.size else 0.0,
        "max_rel_error": float(rel.max()) if rel.size else 0.0,
    }


def rounding_warning(ctx, prj, stats, lsb):
    """One RoundingWarning per projection with rounded weights; a diagnostic if any became zero."""
    if stats["n_rounded"]:
        warnings.warn(f"projection '{prj.label}': {stats['n_rounded']} weights rounded to the hardware weight "
                      f"step {lsb:.6g} (largest relative error {stats['max_rel_error']:.3g}"
                      f"{', ' + str(stats['n_zero']) + ' rounded to zero' if stats['n_zero'] else ''})",
                      errors.RoundingWarning, stacklevel=4)
    if stats["n_zero"]:
        ctx.report.add_diagnostic(
            "WEIGHT_ROUNDED_TO_ZERO", "warning", prj.label,
            f"{stats['n_zero']} nonzero weights were rounded to 0 (weight step {lsb:.6g})",
            "raise these weights, move them to another synapse type, or set max_expected_summed_weight "
            "(SpiNNaker) / weight_lsb (analog)")


def drop_over_capacity(ctx, prj, key, capacity, resource, available_text, suggestion):
    """Keep at most `capacity` connections per value of `key` (one per connection); policy-driven.

    The connections beyond the capacity in each group (in the core's order) are dropped
    under the lenient policy if the projection's loss stays within max_synapse_loss.
    """
    keep = ctx.keep[prj.label]
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return 0
    k = key[idx]
    # cheap check first: most networks are far below the capacity and need no sort
    most = int(np.bincount(k).max()) if k.max() < 50_000_000 else int(np.unique(k, return_counts=True)[1].max())
    if most <= capacity:
        return 0
    order = np.argsort(k, kind="stable")
    sorted_k = k[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_k)) + 1]
    counts = np.diff(np.r_[starts, sorted_k.size])
    if counts.max() <= capacity:
        return 0
    rank = np.arange(sorted_k.size) - np.repeat(starts, counts)
    excess = idx[order[rank >= capacity]]
    fraction = excess.size / len(keep)
    limit = float(ctx.profile.get("max_synapse_loss", 0.0))
    need = int(counts.max())
    if ctx.policy == "strict" or fraction > limit:
        extra = "" if ctx.policy == "strict" else (
            f" (dropping the excess would lose {100 * fraction:.1f} % of the synapses, more than "
            f"max_synapse_loss = {limit})")
        ctx.exhausted(resource, need, f"{capacity} ({available_text}){extra}", f"projection '{prj.label}'",
                      suggestion)
    keep[excess] = False
    ctx.violation("SYNAPSES_DROPPED", errors.ResourceExhaustedError, f"{resource}: needed {need}, have {capacity}",
                  suggestion, prj.label, f"dropped {excess.size} synapses ({100 * fraction:.2f} %)")
    return int(excess.size)


def connectivity_row(ctx, prj, **extra):
    """Add (and return) the report's connectivity row of one projection, with family-specific `extra` columns."""
    keep = ctx.keep[prj.label]
    n = len(keep)
    lost = int(n - keep.sum())
    row = {"projection": prj.label, "pre": ctx.pop(prj.pre).label, "post": ctx.pop(prj.post).label,
           "receptor": prj.receptor_type, "synapse_type": prj.synapse_type, "requested": n,
           "realised": n - lost, "lost": lost, "lost_percent": 100.0 * lost / n if n else 0.0}
    row.update(extra)
    ctx.report.connectivity.append(row)
    return row


def noise_preset(ctx):
    """The profile's noise preset: "off", "calibrated" or "uncalibrated"."""
    preset = ctx.profile.get("noise", "off")
    if preset not in ("off", "calibrated", "uncalibrated"):
        raise errors.InvalidParameterValueError(
            f"hardware profile '{ctx.profile.name}': noise must be 'off', 'calibrated' or 'uncalibrated', "
            f"not {preset!r}")
    return preset
