"""Placement on the analog chips (BrainScaleS-2 and Spikey): circuits per neuron,
placement, partitioning, line and synapse drivers, shared parameters and the analog
read-out channels. Used by :mod:`pyNN.hardware.mapping.analog`."""

import math

import numpy as np

from pyNN import errors
from pyNN.hardware.mapping.context import is_source, max_rate, per_cell
from pyNN.hardware.numerics import analog

#: firing rate (Hz) assumed for the driver load of sources whose rate is not known
DEFAULT_RATE = 30.0


def place(ctx, lay):
    """Circuits per neuron and the first circuit of each neuron (`lay.circuits`, `lay.first`),
    sequential executions, and the chip's number of neuron units.

    Parameters
    ----------
    ctx : MappingContext
    lay : the analog mapping's layout (see :func:`pyNN.hardware.mapping.analog.map_analog`)
    """
    prof = ctx.profile
    if lay.bss2:
        lay.circuits, lay.first, lay.executions = _place_bss2(ctx, lay.neuron_pops, lay.n_syn)
        lay.n_units, lay.unit_name = int(prof["neuron_circuits"]), "neuron circuits"
    else:
        lay.circuits = {i: 1 for i in lay.neuron_pops}
        lay.first, lay.executions = _place_spikey(ctx, lay.neuron_pops)
        lay.n_units, lay.unit_name = int(prof["neurons"]), "neurons"


def _fan_in(ctx, i, n_syn_of):
    """Largest hardware fan-in of one neuron of population i, per sign: (exc, inh)."""
    size = ctx.pop(i).size
    exc = np.zeros(size)
    inh = np.zeros(size)
    for prj in ctx.projections:
        if prj.post != i:
            continue
        keep = ctx.keep[prj.label]
        target = inh if prj.receptor_type == "inhibitory" else exc
        target += np.bincount(prj.post_index[keep], weights=n_syn_of[prj.label][keep], minlength=size)
    return exc, inh


def _feed_forward(ctx, neuron_pops):
    """Whether the projections between neuron populations form no cycle (self-loops included)."""
    edges = {(p.pre, p.post) for p in ctx.projections if p.pre in neuron_pops and p.post in neuron_pops}
    remaining = set(neuron_pops)
    while remaining:
        roots = [n for n in remaining if not any(b == n and a in remaining for a, b in edges)]
        if not roots:
            return False
        remaining -= set(roots)
    return True


def _place_bss2(ctx, neuron_pops, n_syn_of):
    """Logical neurons of enough circuits for their fan-in, placed one after another
    (partitioned into sequential runs if allowed and needed); (circuits, first, executions)."""
    prof = ctx.profile
    n_circuits = int(prof["neuron_circuits"])
    per = int(prof["fan_in_per_circuit"])
    per_signed = int(prof["fan_in_per_circuit_signed"])
    circuits = {}
    for i in neuron_pops:
        exc, inh = _fan_in(ctx, i, n_syn_of)
        signed = bool(exc.any() and inh.any())
        need = int(max(exc.max(initial=0), inh.max(initial=0))) if signed else int((exc + inh).max(initial=0))
        c = analog.logical_neuron_size(need, signed, per, per_signed)
        circuits[i] = c
        pop = ctx.pop(i)
        ctx.report.partitioning.append({"population": pop.label, "model": pop.celltype, "size": pop.size,
                                        "unit_size": 1, "n_units": pop.size, "circuits_per_neuron": c,
                                        "fan_in": need, "signed": signed,
                                        "neurons_per_chip": analog.neurons_per_chip(c, n_circuits),
                                        "executions": analog.partitions_needed(pop.size, c, n_circuits),
                                        "slices": [(0, pop.size)]})
        if c > n_circuits:
            ctx.exhausted("neuron circuits for one logical neuron", c, n_circuits, f"population '{pop.label}' "
                          f"(fan-in {need})", "reduce the fan-in (fewer or smaller-weight inputs per neuron)")
    needed = sum(ctx.pop(i).size * circuits[i] for i in neuron_pops)
    executions = 1
    if needed > n_circuits:
        if prof["allow_partitioning"] and _feed_forward(ctx, neuron_pops):
            executions = sum(analog.partitions_needed(ctx.pop(i).size, circuits[i], n_circuits) for i in neuron_pops)
            ctx.report.add_diagnostic("PARTITIONED", "info", "network",
                                      f"the network needs {needed} circuits; it runs as {executions} sequential "
                                      f"feed-forward partitions")
        else:
            detail = ", ".join(f"'{ctx.pop(i).label}': {ctx.pop(i).size} x {circuits[i]}" for i in neuron_pops)
            hint = ("split the network into feed-forward partitions with allow_partitioning=True"
                    if _feed_forward(ctx, neuron_pops) else
                    "make the populations smaller (the network is recurrent, so it cannot be partitioned)")
            ctx.exhausted("neuron circuits", needed, n_circuits, f"the network ({detail})",
                          f"{hint}, or reduce the fan-in so that smaller logical neurons suffice")
    first = {}
    start = 0
    for i in neuron_pops:
        size, c = ctx.pop(i).size, circuits[i]
        first[i] = (start + np.arange(size) * c) % n_circuits if executions > 1 else start + np.arange(size) * c
        half = int(prof["synapse_columns_per_hemisphere"])
        if size:
            ctx.report.placement.append({"population": ctx.pop(i).label, "lo": 0, "hi": size, "unit": "circuits",
                                         "location": (int(first[i][0]) // half, int(first[i][0]),
                                                      int(first[i][-1] + c - 1)),
                                         "sdram": None, "circuits_per_neuron": c})
        start += size * c
    return circuits, first, executions


def _place_spikey(ctx, neuron_pops):
    """One neuron circuit per neuron, populations one after another; (first, executions)."""
    prof = ctx.profile
    n = int(prof["neurons"])
    block = int(prof["neurons_per_block"])
    needed = sum(ctx.pop(i).size for i in neuron_pops)
    if needed > n:
        ctx.exhausted("neurons", needed, n, "the network", "use at most 384 neurons (2 blocks of 192)")
    first = {}
    start = 0
    for i in neuron_pops:
        pop = ctx.pop(i)
        first[i] = start + np.arange(pop.size)
        ctx.report.partitioning.append({"population": pop.label, "model": pop.celltype, "size": pop.size,
                                        "unit_size": 1, "n_units": pop.size, "circuits_per_neuron": 1,
                                        "executions": 1, "slices": [(0, pop.size)]})
        if pop.size:
            ctx.report.placement.append({"population": pop.label, "lo": 0, "hi": pop.size, "unit": "block/neuron",
                                         "location": (int(start // block), int(start), int(start + pop.size - 1)),
                                         "sdram": None})
        start += pop.size
    _line_drivers(ctx, first)
    return first, 1


def _source_ids(ctx):
    """Global source number of each population's first cell (sources and neurons numbered together)."""
    offsets, total = {}, 0
    for i, pop in enumerate(ctx.populations):
        offsets[i] = total
        total += pop.size
    return offsets


def _line_drivers(ctx, first):
    """Spikey: each block has 256 line drivers (64 external-only); one per (source, sign) feeding the block."""
    prof = ctx.profile
    block = int(prof["neurons_per_block"])
    n_blocks = int(prof["blocks"])
    per_block = int(prof["line_drivers_per_block"])
    offsets = _source_ids(ctx)
    n_sources = sum(p.size for p in ctx.populations)
    internal_cap = per_block - int(prof["external_only_drivers_per_block"])
    for b in range(n_blocks):
        keys, owners, internal = [], [], []
        for k, prj in enumerate(ctx.projections):
            if prj.post not in first:
                continue
            in_block = (first[prj.post][prj.post_index] // block == b) & ctx.keep[prj.label]
            sign = 1 if prj.receptor_type == "inhibitory" else 0
            keys.append((offsets[prj.pre] + prj.pre_index[in_block]) * 2 + sign)
            owners.append((k, np.flatnonzero(in_block)))
            internal.append(np.full(int(in_block.sum()), not is_source(ctx.pop(prj.pre).celltype)))
        if not keys:
            continue
        allkeys = np.concatenate(keys)
        uniq, first_seen = np.unique(allkeys, return_index=True)
        is_internal = np.concatenate(internal)[first_seen]
        if uniq.size <= per_block and is_internal.sum() <= internal_cap:
            continue
        # accept sources in order of appearance: at most 192 from neurons on the chip, 256 in all
        order = np.argsort(first_seen)
        ordered, ordered_internal = uniq[order], is_internal[order]
        accepted = ~ordered_internal | (np.cumsum(ordered_internal) <= internal_cap)
        accepted &= np.cumsum(accepted) <= per_block
        refused = ordered[~accepted]
        if is_internal.sum() > internal_cap:
            resource, need, have = (f"line drivers for on-chip sources in block {b}", int(is_internal.sum()),
                                    internal_cap)
        else:
            resource, need, have = f"line drivers in block {b}", int(uniq.size), per_block
        n_lost = int(np.isin(allkeys, refused).sum())
        total = sum(len(p.pre_index) for p in ctx.projections)
        limit = float(prof.get("max_synapse_loss", 0.0))
        if ctx.policy == "strict" or n_lost / max(total, 1) > limit:
            ctx.exhausted(resource, need, have, f"the sources projecting onto block {b} (of {n_sources} sources)",
                          "reduce the number of distinct presynaptic sources per block (the top 64 line drivers "
                          "take external input only), or place fewer target neurons per block")
        for (k, idx), key in zip(owners, keys):
            lost = np.isin(key, refused)
            prj = ctx.projections[k]
            ctx.keep[prj.label][idx[lost]] = False
        ctx.violation("SYNAPSES_DROPPED", errors.ResourceExhaustedError, f"{resource}: needed {need}, have {have}",
                      "reduce the number of distinct presynaptic sources per block", f"block {b}",
                      f"dropped {n_lost} synapses from {refused.size} sources")


def shared_parameters(ctx, neuron_pops, first):
    """Spikey: v_rest, v_reset, v_thresh and e_rev_I are one value per block."""
    prof = ctx.profile
    block = int(prof["neurons_per_block"])
    for name in prof["shared_parameters"]:
        vals, blocks, owners = [], [], []
        for i in neuron_pops:
            if name in ctx.parameters[ctx.pop(i).label]:
                vals.append(per_cell(ctx.parameters[ctx.pop(i).label][name], ctx.pop(i).size))
                blocks.append(first[i] // block)
                owners.append(i)
        if not vals:
            continue
        allv = np.concatenate(vals)
        allb = np.concatenate(blocks)
        for b in np.unique(allb):
            in_b = allv[allb == b]
            if np.all(in_b == in_b[0]):
                continue
            ctx.violation("SHARED_PARAMETER_CONFLICT", errors.InvalidParameterValueError,
                          f"{name} is shared by all neurons of block {int(b)}, but the populations placed there "
                          f"ask for {len(np.unique(in_b))} different values ({np.unique(in_b)[:4].tolist()})",
                          f"give every population in the same block the same {name}", f"block {int(b)}",
                          f"used the first value {in_b[0]:g} for the whole block")
            for i, bl in zip(owners, blocks):
                label = ctx.pop(i).label
                new = np.where(bl == b, in_b[0], per_cell(ctx.parameters[label][name], ctx.pop(i).size))
                ctx.parameters[label][name] = new
            for row in ctx.report.parameters:
                if row["parameter"] == name:
                    row["conflict"] = f"block {int(b)}"


def recording(ctx, neuron_pops, circuits, first):
    """Analog read-out limits: `analog_channels` neurons, one observable each, (BSS-2) one
    even + one odd; refusals follow the policy (error, or record the first allowed neurons)."""
    prof = ctx.profile
    analog_vars = set(prof["analog_variables"])
    channels = _Channels(prof)
    for i in neuron_pops:
        pop = ctx.pop(i)
        for var, idx in ctx.recorded[pop.label].items():
            idx = np.asarray(idx, dtype=np.int64)
            if var not in analog_vars:
                ctx.report.recording.append({"population": pop.label, "variable": var, "requested": len(idx),
                                             "granted": len(idx), "refused": 0, "note": "digital (all neurons)"})
                continue
            ok = channels.grant(i, pop.label, var, idx, circuits[i], first[i])
            kept = idx[ok]
            ctx.recorded[pop.label][var] = kept
            ctx.report.recording.append({"population": pop.label, "variable": var, "requested": len(idx),
                                         "granted": int(kept.size), "refused": int(idx.size - kept.size),
                                         "note": "analog read-out"})
    if channels.refusals:
        _refuse_recordings(ctx, channels)


class _Channels:
    """The free analog read-out channels and what each neuron already records."""

    def __init__(self, prof):
        self.prof = prof
        self.parity = bool(prof["analog_channel_parity"])
        self.free = {"even": 1, "odd": 1} if self.parity else {"any": int(prof["analog_channels"])}
        self.per_neuron = int(prof["analog_observables_per_neuron"])
        self.granted = {}        # (pop, cell) -> set of variables
        self.refusals = []

    def grant(self, i, label, var, idx, circuits, first):
        """Mask of the cells `idx` of population `i` whose variable `var` gets a channel."""
        ok = np.zeros(idx.size, dtype=bool)
        for pos, cell in enumerate(idx.tolist()):
            mine = self.granted.get((i, cell))
            if mine is not None:
                if var in mine or len(mine) < self.per_neuron:
                    mine.add(var)
                    ok[pos] = True
                else:
                    self.refusals.append(f"cell {cell} of '{label}' already records {sorted(mine)}; only "
                                         f"{self.per_neuron} analog observable per neuron ('{var}' refused)")
                continue
            if self.parity:
                kind = "any" if circuits > 1 else ("even" if first[cell] % 2 == 0 else "odd")
                options = ["even", "odd"] if kind == "any" else [kind]
            else:
                options = ["any"]
            chan = next((o for o in options if self.free.get(o, 0) > 0), None)
            if chan is None:
                what = f"{options[0]} " if self.parity and len(options) == 1 else ""
                self.refusals.append(f"cell {cell} of '{label}' ('{var}'): no free {what}analog channel "
                                     f"({int(self.prof['analog_channels'])} channel(s)"
                                     f"{', one for even and one for odd circuits' if self.parity else ''})")
                if not any(self.free.values()):  # every channel is taken: the rest of this request is refused
                    break
                continue
            self.free[chan] -= 1
            self.granted[(i, cell)] = {var}
            ok[pos] = True
        return ok


def _refuse_recordings(ctx, channels):
    prof, parity = ctx.profile, channels.parity
    n_refused = sum(r["refused"] for r in ctx.report.recording)
    text = "; ".join(channels.refusals[:5]) + (f"; ... ({n_refused} refused in all)" if n_refused > 5 else "")
    message = f"analog recording beyond the limits of hardware profile '{prof.name}': {text}"
    suggestion = ("record analog signals from at most "
                  f"{'one even and one odd neuron' if parity else str(prof['analog_channels']) + ' neuron(s)'}"
                  ", one variable each; spikes can be recorded from every neuron")
    if ctx.policy == "strict":
        ctx.fail("RECORDING_LIMIT", errors.RecordingLimitError(f"{message}. Suggestion: {suggestion}"),
                 message, suggestion, "recording")
    ctx.violation("RECORDING_LIMIT", errors.RecordingLimitError, message, suggestion, "recording",
                  "recorded the first allowed neurons only")


def driver_load(ctx, lay):
    """Synapse (line) driver of every connection (`lay.driver_of`, `lay.n_drivers`) and, if
    the profile limits the event rate of a driver, the load estimate of the busiest one."""
    prof = ctx.profile
    lay.gap_bio = float(prof["driver_min_event_gap_hw"]) * lay.speedup if "driver_min_event_gap_hw" in prof else None
    lay.driver_of, lay.n_drivers, driver_rate = _drivers(ctx, lay.first, lay.bss2)
    if lay.gap_bio:
        budget = 1000.0 / lay.gap_bio  # events per second (bio) one driver can take
        peak = float(driver_rate.max()) if driver_rate.size else 0.0
        ctx.report.add_load("synapse driver", "peak input events per s (bio)", peak, budget, "DRIVER_RATE_LIMIT",
                            "network", f"a synapse driver may receive {peak:.0f} events/s (bio), above the "
                            f"{budget:.0f} events/s its 8 ns minimum gap allows; the excess will be dropped",
                            "spread the input over more sources or lower the input rates")


def _driver_geometry(prof, bss2):
    """(neurons per unit, sources per driver, drivers per unit, units) of the chip."""
    if bss2:
        return (int(prof["synapse_columns_per_hemisphere"]), 2 ** int(prof["source_label_bits"]),
                int(prof["synapse_drivers_per_hemisphere"]), int(prof["hemispheres"]))
    return int(prof["neurons_per_block"]), 1, int(prof["line_drivers_per_block"]), int(prof["blocks"])


def _drivers(ctx, first, bss2):
    """Assign each connection's source to a synapse (line) driver; estimate each driver's event rate.

    BrainScaleS-2: per hemisphere, distinct sources are numbered in order and 64 share a
    driver (6-bit labels). Spikey: one line driver per (source, sign) and block.
    Returns (driver of each connection by projection label, drivers used, event rate per driver).
    """
    prof = ctx.profile
    half, per_driver, drivers_per_unit, n_units = _driver_geometry(prof, bss2)
    offsets = _source_ids(ctx)
    stride = 2 * (sum(p.size for p in ctx.populations) + 1)
    keys, spans = [], []
    for prj in ctx.projections:
        if prj.post not in first:
            keys.append(np.zeros(0, dtype=np.int64))
            spans.append(0)
            continue
        unit = (first[prj.post][prj.post_index] // half).astype(np.int64)
        sign = 1 if (prj.receptor_type == "inhibitory" and not bss2) else 0
        src = offsets[prj.pre] + prj.pre_index.astype(np.int64)
        keys.append(unit * stride + src * 2 + sign)
        spans.append(len(prj.pre_index))
    allkeys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    uniq, inverse = np.unique(allkeys, return_inverse=True)
    unit_of = uniq // stride if uniq.size else uniq
    # rank of each distinct source within its unit
    starts = np.searchsorted(unit_of, np.arange(n_units + 1))
    rank = np.arange(uniq.size) - starts[np.minimum(unit_of, n_units)]
    driver = unit_of * drivers_per_unit + rank // per_driver
    if bss2:
        _check_drivers(ctx, unit_of, uniq.size, n_units, per_driver, drivers_per_unit)
    driver_rate = _driver_rates(ctx, driver, inverse, spans, uniq.size)
    driver_of = {}
    pos = 0
    for prj, span in zip(ctx.projections, spans):
        driver_of[prj.label] = driver[inverse[pos:pos + span]] if span else np.zeros(0, dtype=np.int64)
        pos += span
    return driver_of, int(np.unique(driver).size), driver_rate


def _check_drivers(ctx, unit_of, n_sources, n_units, per_driver, drivers_per_unit):
    """BrainScaleS-2: the distinct sources of each hemisphere must fit its synapse drivers."""
    per_unit_need = np.bincount(unit_of, minlength=n_units) if n_sources else np.zeros(n_units, dtype=np.int64)
    for u in range(n_units):
        need = math.ceil(per_unit_need[u] / per_driver)
        if need > drivers_per_unit:
            ctx.exhausted(f"synapse drivers in hemisphere {u}", need, drivers_per_unit,
                          f"the {int(per_unit_need[u])} sources projecting onto hemisphere {u}",
                          "reduce the number of distinct presynaptic sources per hemisphere")


def _driver_rates(ctx, driver, inverse, spans, n_sources):
    """Event rate per driver: each distinct (source, unit) sends its spikes through its driver once."""
    rates = np.zeros(n_sources)
    pos = 0
    src_rate = {i: max_rate(p) for i, p in enumerate(ctx.populations)}
    for prj, span in zip(ctx.projections, spans):
        r = src_rate[prj.pre]
        rates[inverse[pos:pos + span]] = DEFAULT_RATE if r is None else r
        pos += span
    return np.bincount(driver, weights=rates) if n_sources else np.zeros(0)
