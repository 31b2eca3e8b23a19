"""The SpiNNaker 1 part of the mapper (profile kind ``digital``).

Steps: time step, parameters, spike-source times, delays (ticks, native slots, delay
extensions), weights (shift per post population and synapse type, 16-bit words),
partitioning into core slices, placement on chips, synaptic rows and SDRAM, routing
entries, load estimates, recording cost. Everything loops over populations, projections,
slices or chips, never over cells or connections.
"""

import math
import warnings

import numpy as np

from pyNN import errors
from pyNN.hardware.mapping.context import (check_ranges, connectivity_row, delay_ticks, drop_over_capacity,
                                           is_source, max_rate, rounding_warning, spike_time_arrays, weight_stats)
from pyNN.hardware.mapping import spinnaker_stdp
from pyNN.hardware.numerics import fixedpoint

#: chips of one 48-chip board (SpiNN-5): for each row y, the range of x
_BOARD_ROWS = ((0, 5), (0, 6), (0, 7), (0, 8), (1, 8), (2, 8), (3, 8), (4, 8))
_BOARD_WIDTH = 8


def board_chips(n_boards):
    """(x, y) of every chip, board by board (boards side by side along x; an assumption)."""
    chips = []
    for b in range(n_boards):
        for y, (x0, x1) in enumerate(_BOARD_ROWS):
            chips.extend((b * _BOARD_WIDTH + x, y) for x in range(x0, x1))
    return chips


def _route_chips(src, dst):
    """Chips on a dimension-ordered route (x first, then y), both ends included.

    A simplification of SpiNNaker's routing; positions off the board are skipped by the caller.
    """
    (x0, y0), (x1, y1) = src, dst
    sx = 1 if x1 >= x0 else -1
    sy = 1 if y1 >= y0 else -1
    path = [(x, y0) for x in range(x0, x1 + sx, sx)]
    path += [(x1, y) for y in range(y0 + sy, y1 + sy, sy)]
    return path


def atoms_per_core(prof, celltype):
    """Cells of type `celltype` that one core simulates (neurons or spike sources)."""
    if celltype.startswith("SpikeSourcePoisson"):
        return int(prof["poisson_sources_per_core"])
    if celltype == "SpikeSourceArray":
        return int(prof["array_sources_per_core"])
    return int(prof["neurons_per_core"])


def native_delay_slots(prof, atoms_on_core):
    """Delay slots of a post core: 16 (legacy), or from its ring-buffer memory (current model)."""
    if prof["delay_model"] == "legacy":
        return int(prof["legacy_native_delay_ticks"])
    if prof["delay_model"] != "current":
        raise errors.InvalidParameterValueError(
            f"hardware profile '{prof.name}': delay_model must be 'legacy' or 'current', not {prof['delay_model']!r}")
    entry_bytes = int(prof["ring_buffer_bits"]) // 8
    per_slot = max(1, atoms_on_core) * 2 * entry_bytes
    slots = max(1, int(prof["ring_buffer_bytes_per_core"]) // per_slot)
    slots = 1 << (slots.bit_length() - 1)  # ring buffers are a power of two long
    return min(slots, int(prof["current_max_delay_slots"]))


def max_delay_ticks(prof, atoms_on_core):
    """(native slots, largest delay in ticks including delay extensions)."""
    native = native_delay_slots(prof, atoms_on_core)
    if not prof["allow_delay_extensions"]:
        return native, native
    return native, native * (1 + int(prof["delay_extension_blocks"]))


def map_spinnaker(ctx):
    """Map onto a SpiNNaker 1 profile, step by step (see the module docstring).

    Parameters
    ----------
    ctx : MappingContext
        Filled in place: realised delays and weights, kept connections, numerics, report.
    """
    _check_timestep(ctx)
    _check_state_ranges(ctx)
    lay = _Layout()
    _partition(ctx, lay)
    _realise_delays(ctx, lay)
    _place_cores(ctx, lay)
    _quantise_weights(ctx, lay)
    lay.stdp = spinnaker_stdp.plasticity_rows(ctx, lay.shifts)
    _synaptic_rows(ctx, lay)
    _check_memory(ctx, lay)
    _route(ctx, lay)
    _placement_rows(ctx, lay)
    _resources_and_load(ctx, lay)
    _recording_cost(ctx)
    ctx.report.noise = {"model": "none (digital profile)",
                        "router_drop_probability": ctx.profile["router_drop_probability"],
                        "seeds": dict(ctx.seeds)}
    _set_numerics(ctx, lay)


class _Layout:
    """What the steps of :func:`map_spinnaker` work out and hand on to each other."""

    def __init__(self):
        self.slices = []            # (population index, lo, hi) of every neuron/source core
        self.pop_slices = []        # per population: (atoms per core, index of its first slice)
        self.ticks = {}             # projection label -> realised delays in ticks
        self.n_ext_conn = {}        # projection label -> connections needing a delay extension
        self.ext_sources = set()    # (pre population, pre slice) needing a delay-extension core
        self.shifts = {}            # (post label, receptor) -> weight shift
        self.stored = {}            # projection label -> stored 16-bit weights
        self.pair_keys = []         # (source slice, target core) pairs, for routing


def _check_timestep(ctx):
    prof = ctx.profile
    if ctx.dt < float(prof["dt_recommended_min"]):
        diag = ctx.report.add_diagnostic(
            "SMALL_TIMESTEP", "info", "setup",
            f"a time step of {ctx.dt} ms is below SpiNNaker's usual {prof['dt_recommended_min']} ms; before 2025 "
            f"sPyNNaker slowed such runs down by a factor of {prof['legacy_time_scale_factor_small_dt']:g}",
            "check that the cores keep up (see the load estimates), or raise time_scale_factor")
        warnings.warn(str(diag), errors.HardwareConstraintWarning, stacklevel=4)


def _check_state_ranges(ctx):
    """Parameter ranges, the s16.15 range of the state, SpikeSourceArray times on the tick grid."""
    check_ranges(ctx)
    for pop in ctx.populations:
        ctx.report.parameters.append({"population": pop.label, "parameter": "(all state)", "requested_min": None,
                                      "requested_max": None, "allowed_min": fixedpoint.S1615_MIN,
                                      "allowed_max": fixedpoint.S1615_MAX, "n_clipped": 0,
                                      "step": fixedpoint.S1615_LSB, "conflict": None})
        if pop.celltype == "SpikeSourceArray" and "spike_times" in pop.parameters:
            _round_spike_times_up(ctx, pop)


def _partition(ctx, lay):
    """Cut every population into core slices of at most atoms_per_core cells."""
    for i, pop in enumerate(ctx.populations):
        apc = atoms_per_core(ctx.profile, pop.celltype)
        bounds = [(lo, min(lo + apc, pop.size)) for lo in range(0, pop.size, apc)] or [(0, 0)]
        lay.pop_slices.append((apc, len(lay.slices)))
        lay.slices.extend((i, lo, hi) for lo, hi in bounds)
        ctx.report.partitioning.append({"population": pop.label, "model": pop.celltype, "size": pop.size,
                                        "unit_size": apc, "n_units": len(bounds), "slices": bounds})


def _realise_delays(ctx, lay):
    """Delays in ticks, clipped (policy) to what the post core and the delay extensions
    support; which source slices need a delay-extension core. Delays come before placement
    because the extension cores need places too."""
    for prj in ctx.projections:
        ticks, _, _ = delay_ticks(ctx, prj, prj.label)
        native, ticks = check_delay_range(ctx, prj, ticks)
        needs_ext = ticks > native
        lay.n_ext_conn[prj.label] = int(needs_ext.sum())
        if needs_ext.any():
            apc_pre = lay.pop_slices[prj.pre][0]
            for s in np.unique(prj.pre_index[needs_ext] // apc_pre):
                lay.ext_sources.add((prj.pre, int(s)))
        lay.ticks[prj.label] = ticks
        ctx.delay[prj.label] = ticks * ctx.dt


def check_delay_range(ctx, prj, ticks):
    """Delays (in ticks) against what the post core's delay slots and the delay extensions
    hold; also checked when the projection is created (pyNN.hardware.mapping.early).
    Returns (native delay slots, ticks clipped under the lenient policy)."""
    prof, dt = ctx.profile, ctx.dt
    post = ctx.pop(prj.post)
    apc_post = atoms_per_core(prof, post.celltype)
    native, top = max_delay_ticks(prof, min(apc_post, max(post.size, 1)))
    over = ticks > top
    if over.any():
        worst = int(ticks.max())
        ctx.violation(
            "DELAY_OUT_OF_RANGE", errors.InvalidParameterValueError,
            f"projection '{prj.label}': delay {worst * dt:g} ms = {worst} ticks exceeds the {top} ticks "
            f"({top * dt:g} ms) that the post core's {native} delay slots and "
            f"{prof['delay_extension_blocks'] if prof['allow_delay_extensions'] else 0} delay-extension blocks "
            f"support ({prof['delay_model']} delay model)",
            "shorten the delays, use a larger time step, or delay_model='current' with fewer neurons_per_core",
            prj.label, f"clipped {int(over.sum())} delays to {top} ticks")
        ticks = np.minimum(ticks, top)
    return native, ticks


def _place_cores(ctx, lay):
    """One core per slice and per delay extension, filled chip by chip (core 0 is the monitor)."""
    prof = ctx.profile
    usable = int(prof["cores_per_chip"]) - int(prof["monitor_cores_per_chip"])
    lay.n_boards = int(prof["n_boards"])
    lay.chips = board_chips(lay.n_boards)
    lay.chip_index = {c: k for k, c in enumerate(lay.chips)}
    lay.n_cores = n_cores = len(lay.slices) + len(lay.ext_sources)
    lay.available = usable * len(lay.chips)
    if n_cores > lay.available:
        biggest = max(ctx.populations, key=lambda p: p.size).label if ctx.populations else ""
        ctx.exhausted("user cores", n_cores, lay.available, f"the network ({len(lay.slices)} neuron/source slices + "
                      f"{len(lay.ext_sources)} delay-extension cores)",
                      f"use more boards (n_boards={math.ceil(n_cores * lay.n_boards / lay.available)} or more), "
                      f"or increase neurons_per_core (now {prof['neurons_per_core']}; largest population "
                      f"'{biggest}')")
    lay.core_chip = np.array([lay.chips[k // usable] for k in range(n_cores)], dtype=np.int64).reshape(-1, 2)
    lay.core_p = np.array([1 + k % usable for k in range(n_cores)], dtype=np.int64)
    lay.core_chip_idx = np.array([lay.chip_index[tuple(c)] for c in lay.core_chip], dtype=np.int64)


def _quantise_weights(ctx, lay):
    """One weight shift per (post population, receptor); 16-bit stored weights."""
    groups = {}
    for prj in ctx.projections:
        groups.setdefault((prj.post, prj.receptor_type), []).append(prj)
    for (post, receptor), prjs in groups.items():
        shift, bound = _shift_for(ctx, prjs)
        shift = _fit_shift(ctx, prjs, shift, post)
        label = ctx.pop(post).label
        lay.shifts[(label, receptor)] = shift
        lsb = fixedpoint.weight_lsb(shift)
        ctx.report.weight_shifts.append({"post": label, "receptor": receptor, "shift": shift,
                                         "weight_scale": 2.0 ** (fixedpoint.S1615_FRAC_BITS - shift),
                                         "lsb": lsb, "max_summed_input": bound,
                                         "representable_max": lsb * ((1 << int(ctx.profile["weight_bits"])) - 1)})
        for prj in prjs:
            _store_weights(ctx, lay, prj, shift)


def _shift_for(ctx, prjs):
    """(shift, summed-weight bound) of the projections onto one (post population, receptor)."""
    prof = ctx.profile
    incoming = []
    for prj in prjs:
        keep = ctx.keep[prj.label]
        w = np.asarray(prj.weight, dtype=np.float64)[keep]
        in_deg = int(np.bincount(prj.post_index[keep]).max()) if keep.any() else 0
        d = ctx.delay[prj.label][keep]
        plastic = prj.synapse_parameters or {}
        w_max = plastic.get("w_max") if prj.synapse_type != "StaticSynapse" else None
        # sPyNNaker uses a known rate only for Poisson sources, spikes_per_second otherwise
        pre_pop = ctx.pop(prj.pre)
        rate = max_rate(pre_pop) if pre_pop.celltype.startswith("SpikeSourcePoisson") else None
        incoming.append(fixedpoint.IncomingStats(w, in_deg, rate, bool(d.size == 0 or np.all(d == d[0])),
                                                 None if w_max is None else float(np.max(w_max))))
    override = prof["weight_shift_override"]
    if override is not None:
        return int(override), float("nan")
    return fixedpoint.weight_shift(incoming, ctx.dt, float(prof["spikes_per_second"]),
                                   float(prof["ring_buffer_sigma"]), bool(prof["weights_signed"]),
                                   prof["max_expected_summed_weight"])


def _store_weights(ctx, lay, prj, shift):
    """Quantise one projection's weights for `shift`; rounding warning and report row."""
    prof, dt = ctx.profile, ctx.dt
    stored, realised, _ = fixedpoint.quantise_weights(prj.weight, shift, int(prof["weight_bits"]),
                                                      prof["weight_rounding"], ctx.rng)
    lay.stored[prj.label] = stored
    ctx.weight[prj.label] = realised
    stats = weight_stats(prj.weight, realised, ctx.keep[prj.label])
    lsb = fixedpoint.weight_lsb(shift)
    rounding_warning(ctx, prj, stats, lsb)
    ticks = lay.ticks[prj.label]
    requested = np.asarray(prj.delay, dtype=np.float64)
    ctx.report.quantisation.append(dict(
        projection=prj.label, lsb=lsb, shift=shift,
        representable_max=lsb * ((1 << int(prof["weight_bits"])) - 1), n_clipped=0,
        delay_requested_min=float(requested.min()) if requested.size else None,
        delay_requested_max=float(requested.max()) if requested.size else None,
        delay_realised_min=float(ticks.min() * dt) if ticks.size else None,
        delay_realised_max=float(ticks.max() * dt) if ticks.size else None,
        delays_clipped=int(np.count_nonzero(np.abs(ticks * dt - requested) > 0.5 * dt + 1e-9)),
        **stats))


def _synaptic_rows(ctx, lay):
    """Synaptic rows (one per source cell and post core; overlong rows dropped by policy),
    their SDRAM, the event and spike rates arriving at each core, the routing pairs."""
    prof = ctx.profile
    max_row = int(prof["max_row_length"])
    row_bytes = int(prof["row_header_words"]) * 4
    syn_bytes = int(prof["synapse_word_bytes"])
    lay.core_sdram = np.full(lay.n_cores, int(prof["core_sdram_overhead"]), dtype=np.int64)
    lay.core_events = np.zeros(lay.n_cores)      # synaptic events per ms arriving at each post core
    lay.core_spikes = np.zeros(lay.n_cores)      # spikes per ms arriving at each post core (input buffer)
    for prj in ctx.projections:
        apc_post, first_post = lay.pop_slices[prj.post]
        apc_pre, first_pre = lay.pop_slices[prj.pre]
        n_post_cores = max(1, math.ceil(ctx.pop(prj.post).size / apc_post))
        post_core = prj.post_index // apc_post
        row_key = prj.pre_index.astype(np.int64) * n_post_cores + post_core
        dropped = drop_over_capacity(
            ctx, prj, row_key, max_row, "synapses in one synaptic row", "POP_TABLE_MAX_ROW_LENGTH",
            "avoid more than 256 connections from one source neuron onto one core (multapses), or lower "
            "neurons_per_core")
        keep = ctx.keep[prj.label]
        rows, row_len = np.unique(row_key[keep], return_counts=True)
        row_core = first_post + rows % n_post_cores
        extra = int(prof["plastic_synapse_extra_bytes"]) if prj.synapse_type != "StaticSynapse" else 0
        np.add.at(lay.core_sdram, row_core, row_bytes + row_len * (syn_bytes + extra))
        rate = max_rate(ctx.pop(prj.pre))
        rate = float(prof["default_neuron_rate"]) if rate is None else rate
        np.add.at(lay.core_events, first_post + post_core[keep], rate / 1000.0)
        np.add.at(lay.core_spikes, row_core, rate / 1000.0)
        src_slice = first_pre + prj.pre_index[keep] // apc_pre
        lay.pair_keys.append(np.unique(src_slice.astype(np.int64) * lay.n_cores + first_post + post_core[keep]))
        connectivity_row(ctx, prj, hw_synapses=int(keep.sum()), rows=int(rows.size),
                         max_row_length=int(row_len.max()) if row_len.size else 0,
                         delay_extension=lay.n_ext_conn[prj.label], dropped_row_overflow=dropped,
                         weight_shift=lay.shifts[(ctx.pop(prj.post).label, prj.receptor_type)])


def _check_memory(ctx, lay):
    """SDRAM per chip (synaptic matrices) and DTCM per core (neuron state and ring buffers:
    slots x 2 synapse types x entries)."""
    prof = ctx.profile
    lay.chip_sdram = (np.bincount(lay.core_chip_idx, weights=lay.core_sdram, minlength=len(lay.chips))
                      if lay.n_cores else np.zeros(1))
    lay.sdram_limit = int(prof["sdram_per_chip"])
    if lay.chip_sdram.max() > lay.sdram_limit:
        worst = int(np.argmax(lay.chip_sdram))
        ctx.exhausted(f"SDRAM on chip {lay.chips[worst]}", int(lay.chip_sdram[worst]), lay.sdram_limit,
                      "the synaptic matrices",
                      "spread the network over more boards (n_boards) or reduce the number of synapses")
    lay.dtcm = np.zeros(lay.n_cores, dtype=np.int64)
    for k, (i, lo, hi) in enumerate(lay.slices):
        if not is_source(ctx.pop(i).celltype):
            atoms = hi - lo
            slots = native_delay_slots(prof, atoms)
            lay.dtcm[k] = (atoms * int(prof["neuron_dtcm_bytes"])
                           + atoms * 2 * slots * (int(prof["ring_buffer_bits"]) // 8))
    lay.dtcm_limit = int(prof["dtcm_per_core"])
    if lay.dtcm.size and lay.dtcm.max() > lay.dtcm_limit:
        k = int(np.argmax(lay.dtcm))
        ctx.exhausted("DTCM on one core", int(lay.dtcm[k]), lay.dtcm_limit,
                      f"population '{ctx.pop(lay.slices[k][0]).label}'", "reduce neurons_per_core")


def _route(ctx, lay):
    """Multicast routing entries per chip: one per source slice and chip on its routes."""
    lay.entries = entries = np.zeros(len(lay.chips), dtype=np.int64)
    if lay.pair_keys:
        pairs = np.unique(np.concatenate(lay.pair_keys))
        per_source = {}
        for s, d in zip((pairs // lay.n_cores).tolist(), (pairs % lay.n_cores).tolist()):
            src = (int(lay.core_chip[s, 0]), int(lay.core_chip[s, 1]))
            dst = (int(lay.core_chip[d, 0]), int(lay.core_chip[d, 1]))
            per_source.setdefault(s, set()).update(c for c in _route_chips(src, dst) if c in lay.chip_index)
        for chip_set in per_source.values():
            for c in chip_set:
                entries[lay.chip_index[c]] += 1
    lay.routing_limit = limit = int(ctx.profile["routing_entries_per_chip"])
    for k in np.flatnonzero(entries):
        ctx.report.routing.append({"chip": lay.chips[k], "entries": int(entries[k])})
    if entries.size and entries.max() > limit:
        worst = int(np.argmax(entries))
        ctx.exhausted(f"multicast routing entries on chip {lay.chips[worst]}", int(entries[worst]), limit,
                      "the routes of the network (one entry per source slice and chip, before compression)",
                      "increase neurons_per_core (fewer source slices) or spread the network over more boards")


def _placement_rows(ctx, lay):
    for k, (i, lo, hi) in enumerate(lay.slices):
        x, y = lay.core_chip[k]
        ctx.report.placement.append({"population": ctx.pop(i).label, "lo": lo, "hi": hi, "unit": "core",
                                     "location": (int(x), int(y), int(lay.core_p[k])),
                                     "sdram": int(lay.core_sdram[k]), "dtcm": int(lay.dtcm[k])})
    for j, (i, s) in enumerate(sorted(lay.ext_sources)):
        k = len(lay.slices) + j
        apc = lay.pop_slices[i][0]
        x, y = lay.core_chip[k]
        ctx.report.placement.append({"population": f"{ctx.pop(i).label} (delay extension)", "lo": s * apc,
                                     "hi": min((s + 1) * apc, ctx.pop(i).size), "unit": "core",
                                     "location": (int(x), int(y), int(lay.core_p[k])), "sdram": None, "dtcm": None})


def _resources_and_load(ctx, lay):
    rep, prof = ctx.report, ctx.profile
    n_chips, n_cores = len(lay.chips), lay.n_cores
    used_chips = len(np.unique(lay.core_chip_idx)) if n_cores else 0
    rep.add_resource("user cores", n_cores, lay.available, "machine")
    rep.add_resource("chips", used_chips, n_chips, "machine")
    rep.add_resource("boards", math.ceil(used_chips / n_chips * lay.n_boards) if used_chips else 0, lay.n_boards,
                     "machine")
    rep.add_resource("delay-extension cores", len(lay.ext_sources), None, "machine")
    rep.add_resource("SDRAM (max per chip)", int(lay.chip_sdram.max()) if n_cores else 0, lay.sdram_limit, "chip",
                     "bytes")
    rep.add_resource("DTCM (max per core)", int(lay.dtcm.max()) if lay.dtcm.size else 0, lay.dtcm_limit, "core",
                     "bytes")
    limit = lay.routing_limit
    rep.add_resource("routing entries (max per chip)", int(lay.entries.max()) if lay.entries.size else 0, limit,
                     "chip")
    rep.add_resource("routing entries (total)", int(lay.entries.sum()), limit * n_chips, "machine")
    tsf = float(prof["time_scale_factor"])
    budget = float(prof["synaptic_events_per_ms_per_core"]) * tsf
    events = lay.core_events
    peak = float(events.max()) if events.size else 0.0
    k = int(np.argmax(events)) if events.size else 0
    where = (int(lay.core_chip[k, 0]), int(lay.core_chip[k, 1]), int(lay.core_p[k])) if n_cores else '-'
    rep.add_load("core", "peak synaptic events per ms", peak, budget, "CPU_OVERLOAD",
                 ctx.pop(lay.slices[k][0]).label if lay.slices else "network",
                 f"estimated {peak:.0f} synaptic events per ms on core {where}, above the budget of {budget:.0f}",
                 "reduce neurons_per_core or increase time_scale_factor")
    spikes_tick = float(lay.core_spikes.max()) * ctx.dt if lay.core_spikes.size else 0.0
    buf = int(prof["input_buffer_size"])
    # spikes are taken from the buffer while the tick goes on, so this is a risk, not a loss
    rep.add_load("core", "peak spikes arriving per tick", spikes_tick, buf, "INPUT_BUFFER_RISK", "network",
                 f"about {spikes_tick:.0f} spikes may arrive at one core per tick; the input buffer holds {buf} "
                 f"(a burst could overflow it)", "reduce neurons_per_core or increase time_scale_factor", "info")
    rep.add_load("run", "wall-clock time per ms of model time (ms)", tsf, None)


def _recording_cost(ctx):
    """Bytes per tick of every recording (all requests are granted on SpiNNaker)."""
    prof, rep = ctx.profile, ctx.report
    rec_cost = 0.0
    for pop in ctx.populations:
        for var, idx in ctx.recorded[pop.label].items():
            n = len(idx)
            per_tick = (n * int(prof["v_bytes_per_neuron_tick"]) if var == "v" else
                        n * int(prof["gsyn_bytes_per_neuron_tick"]) / 2 if var.startswith(("gsyn", "isyn")) else
                        math.ceil(n / 256) * int(prof["spike_bytes_per_256_neurons_tick"]) if var == "spikes" else
                        n * 4)
            rec_cost += per_tick
            rep.recording.append({"population": pop.label, "variable": var, "requested": n, "granted": n,
                                  "refused": 0, "note": f"{per_tick:g} bytes per tick"})
    rep.add_resource("recording bytes per tick", rec_cost, None, "machine", "bytes")


def _stdp_luts(ctx):
    """Exponential look-up tables of the STDP timing rules (sPyNNaker generates them on the host)."""
    prof = ctx.profile
    luts = {}
    for prj in ctx.projections:
        params = prj.synapse_parameters or {}
        if prj.synapse_type != "StaticSynapse":
            tables = {name: fixedpoint.stdp_exp_lut(float(np.max(params[name])), ctx.dt, prof["stdp_lut_variant"],
                                                    int(prof["stdp_fixed_point_one"]))
                      for name in ("tau_plus", "tau_minus") if name in params}
            if tables:
                luts[prj.label] = tables
    return luts


def _set_numerics(ctx, lay):
    """The engine settings of the s16.15 numerics."""
    prof = ctx.profile
    ctx.numerics.update({
        "stdp_lut": _stdp_luts(ctx), "stdp_constants": lay.stdp,
        "kind": "s1615", "internal_dt": ctx.dt, "rounding": prof["rounding"], "saturate": bool(prof["saturate"]),
        "weight_shift": lay.shifts, "stored_weight": lay.stored, "weight_bits": int(prof["weight_bits"]),
        "ring_buffer_bits": int(prof["ring_buffer_bits"]), "ring_buffer_saturate": bool(prof["ring_buffer_saturate"]),
        "scale_input_by_init": bool(prof["scale_input_by_init"]), "delay_ticks": lay.ticks,
        "input_buffer_size": int(prof["input_buffer_size"]),
        "router_drop_probability": float(prof["router_drop_probability"]),
        "time_scale_factor": float(prof["time_scale_factor"]), "refractory_rounding": "ceil",
        "spike_source_array_rounding": "up",
        "stdp_lut_variant": prof["stdp_lut_variant"], "stdp_fixed_point_one": int(prof["stdp_fixed_point_one"]),
    })


def _fit_shift(ctx, prjs, shift, post):
    """Make sure every weight fits in the weight word; policy: error, or a larger shift."""
    prof = ctx.profile
    top = (1 << int(prof["weight_bits"])) - 1
    w_max = max((float(np.max(p.weight)) for p in prjs if len(p.weight)), default=0.0)
    if w_max <= fixedpoint.weight_lsb(shift) * (top + 0.5):
        return shift
    needed = shift
    while w_max > fixedpoint.weight_lsb(needed) * (top + 0.5):
        needed += 1
    label = ctx.pop(post).label
    ctx.violation("WEIGHT_TOO_LARGE", errors.InvalidWeightError,
                  f"population '{label}', receptor '{prjs[0].receptor_type}': weight {w_max:g} does not fit a "
                  f"{prof['weight_bits']}-bit weight with shift {shift} (largest representable "
                  f"{fixedpoint.weight_lsb(shift) * top:g}); shift {needed} is needed",
                  "raise max_expected_summed_weight, or remove weight_shift_override", label,
                  f"used shift {needed} instead of {shift}")
    return needed


def _round_spike_times_up(ctx, pop):
    """SpikeSourceArray times that are not multiples of dt move up to the next tick (sPyNNaker)."""
    times = spike_time_arrays(pop.parameters["spike_times"])
    dt = ctx.dt
    lengths = np.fromiter((t.size for t in times), dtype=np.int64, count=len(times))
    flat = np.concatenate(times) if lengths.sum() else np.zeros(0)
    moved = np.ceil(flat / dt - 1e-9) * dt
    n_moved = int(np.count_nonzero(np.abs(moved - flat) > 1e-9))
    out = np.empty(len(times), dtype=object)
    for k, part in enumerate(np.split(moved, np.cumsum(lengths)[:-1]) if len(times) else []):
        out[k] = part  # object arrays cannot take a list of equal-length arrays in one assignment
    ctx.parameters[pop.label]["spike_times"] = out
    if n_moved:
        warnings.warn(f"population '{pop.label}': {n_moved} spike times were not multiples of dt = {dt} ms and "
                      f"were moved up to the next tick, as sPyNNaker does", errors.RoundingWarning, stacklevel=4)
        ctx.report.add_diagnostic("SPIKE_TIMES_ROUNDED_UP", "info", pop.label,
                                  f"{n_moved} spike times moved up to the next tick")
