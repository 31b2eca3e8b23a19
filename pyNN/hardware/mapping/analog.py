"""The analog part of the mapper (profile kind ``analog``): BrainScaleS-2 and Spikey.

Steps: parameter ranges, weights (integer codes, multi-synapse connections, sign per row),
delays (none), fan-in and logical-neuron size (BrainScaleS-2) or line drivers per block
(Spikey), placement on circuits, shared parameters, CapMem quantisation, fixed-pattern
mismatch (from ``chip_seed``), analog recording channels, event-rate load.
"""

import math

import numpy as np

from pyNN import errors
from pyNN.hardware.mapping.context import (_check_ranges, _conductance_based, _connectivity_row, _is_source, _max_rate,
                                  _noise_preset, _rounding_warning, _weight_stats, per_cell)
from pyNN.hardware.numerics import analog

SIGN_MESSAGE = ("Weights must be positive for conductance-based and/or excitatory synapses and negative for "
                "inhibitory synapses")


def map_analog(ctx):
    prof = ctx.profile
    bss2 = "neuron_circuits" in prof
    preset = _noise_preset(ctx)
    speedup = float(prof["speedup"])
    if prof.get("time_domain", "bio") != "bio":
        ctx.fail("TIME_DOMAIN", errors.NoModelAvailableError,
                 f"hardware profile '{prof.name}': time_domain={prof['time_domain']!r} is not implemented by the "
                 f"emulator (times and time constants are given in biological ms; the report lists hardware times)",
                 "use time_domain='bio'", "setup")
    _check_ranges(ctx)

    neuron_pops = [i for i, p in enumerate(ctx.populations) if not _is_source(p.celltype)]
    n_syn_of = {}
    for k, prj in enumerate(ctx.projections):
        _check_sign(ctx, prj)
        n_syn_of[prj.label] = _map_weights(ctx, prj, k, bss2, preset)
        _map_delays(ctx, prj)

    # --- circuits per neuron, placement ---------------------------------------------------------------
    if bss2:
        circuits, first_circuit, executions = _place_bss2(ctx, neuron_pops, n_syn_of)
        n_units = int(prof["neuron_circuits"])
        unit_name = "neuron circuits"
    else:
        circuits = {i: 1 for i in neuron_pops}
        first_circuit, executions = _place_spikey(ctx, neuron_pops)
        n_units = int(prof["neurons"])
        unit_name = "neurons"

    # --- shared parameters (Spikey: per block) ------------------------------------------------------
    if "shared_parameters" in prof:
        _shared_parameters(ctx, neuron_pops, first_circuit)

    # --- parameter quantisation and mismatch --------------------------------------------------------
    chip_seed = ctx.seeds["chip"]
    tau_sd = 0.0 if preset == "off" else float(prof[f"mismatch_tau_rel_{preset}"])
    v_sd = 0.0 if preset == "off" else float(prof[f"mismatch_v_mv_{preset}"])
    bits = int(prof.get("capmem_bits", 10))
    max_code = prof.get("capmem_max_code")
    rows = {(r["population"], r["parameter"]): r for r in ctx.report.parameters}
    deviations = {}
    for i in neuron_pops:
        pop = ctx.pop(i)
        spec = ctx.profile.cell_spec(pop.celltype) or {}
        quant = spec.get("quantisation", {})
        for name, (lo, hi) in spec.get("ranges", {}).items():
            if name not in pop.parameters:
                continue
            values = per_cell(ctx.parameters[pop.label][name], pop.size)
            if name in quant:
                programmed, _, step = analog.bit_quantise(values, lo, hi, int(quant[name]))
            else:
                programmed, _, step = analog.capmem_quantise(values, lo, hi, bits, max_code)
            if name in ("v_rest", "v_reset", "v_thresh", "v_spike", "e_rev_E", "e_rev_I"):
                kind, sd = "v", v_sd
            elif name in ("i_offset",):
                kind, sd = "other", 0.0
            else:
                kind, sd = "tau", tau_sd
            if "shared_parameters" in prof and name in prof["shared_parameters"]:
                unit = first_circuit[i] // int(prof["neurons_per_block"])  # one shared circuit per block
            else:
                unit = first_circuit[i]
            realised = analog.apply_parameter_mismatch(programmed, unit, chip_seed, name, kind, sd, n_units)
            if kind == "v":  # a circuit's voltages cannot leave the DAC range
                realised = np.clip(realised, lo, hi)
            ctx.parameters[pop.label][name] = realised
            deviations.setdefault(pop.label, {})[name] = realised - values
            row = rows.get((pop.label, name))
            if row is not None:
                row["step"] = step

    for prj in ctx.projections:
        n_syn = n_syn_of[prj.label][ctx.keep[prj.label]]
        _connectivity_row(ctx, prj, hw_synapses=int(n_syn.sum()),
                          hw_synapses_per_connection_max=int(n_syn.max()) if n_syn.size else 0)

    # --- recording ------------------------------------------------------------------------------------
    _recording(ctx, neuron_pops, circuits, first_circuit, bss2)

    # --- load: events per synapse driver ---------------------------------------------------------------
    gap_bio = float(prof["driver_min_event_gap_hw"]) * speedup if "driver_min_event_gap_hw" in prof else None
    driver_of, n_drivers_used, driver_rate = _drivers(ctx, first_circuit, circuits, bss2)
    rep = ctx.report
    if gap_bio:
        budget = 1000.0 / gap_bio  # events per second (bio) one driver can take
        peak = float(driver_rate.max()) if driver_rate.size else 0.0
        rep.add_load("synapse driver", "peak input events per s (bio)", peak, budget, "DRIVER_RATE_LIMIT", "network",
                     f"a synapse driver may receive {peak:.0f} events/s (bio), above the {budget:.0f} events/s "
                     f"its 8 ns minimum gap allows; the excess will be dropped",
                     "spread the input over more sources or lower the input rates")

    # --- resources --------------------------------------------------------------------------------------
    used_units = sum(ctx.pop(i).size * circuits[i] for i in neuron_pops)
    if executions > 1:
        used_units = max(analog.neurons_per_chip(circuits[i], n_units) * circuits[i] for i in neuron_pops)
    rep.add_resource(unit_name, used_units, n_units, "chip")
    total_syn = sum(int(n_syn_of[p.label][ctx.keep[p.label]].sum()) for p in ctx.projections)
    if bss2:
        rep.add_resource("synapses", total_syn, int(prof["hemispheres"]) * int(prof["synapse_rows_per_hemisphere"])
                         * int(prof["synapse_columns_per_hemisphere"]), "chip")
        rep.add_resource("synapse rows", int(prof["rows_per_driver"]) * n_drivers_used,
                         int(prof["hemispheres"]) * int(prof["synapse_rows_per_hemisphere"]), "chip")
        rep.add_resource("synapse drivers", n_drivers_used,
                         int(prof["hemispheres"]) * int(prof["synapse_drivers_per_hemisphere"]), "chip")
        rep.add_resource("background sources", 0, int(prof["background_sources"]), "chip")
        rep.add_resource("sequential executions", executions, None, "run")
    else:
        rep.add_resource("synapses", total_syn, int(prof["blocks"]) * int(prof["neurons_per_block"])
                         * int(prof["line_drivers_per_block"]), "chip")
        rep.add_resource("line drivers", n_drivers_used, int(prof["blocks"]) * int(prof["line_drivers_per_block"]),
                         "chip")
    if "external_input_rate_hw" in prof:
        # every spike of an off-chip source is one event through the external input, in hardware time
        bio = sum(float(np.sum(per_cell(p.parameters.get("rate", 0.0), p.size))) if p.celltype.startswith(
            "SpikeSourcePoisson") else (_max_rate(p) or 0.0) * p.size
            for p in ctx.populations if _is_source(p.celltype))
        hw_rate = bio * speedup
        limit = float(prof["external_input_rate_hw"])
        rep.add_load("chip", "external input events per s (hardware time)", hw_rate, limit, "INPUT_BANDWIDTH",
                     "network", f"the spike sources send about {hw_rate:.3g} events/s of hardware time, above the "
                     f"input bandwidth of {limit:.3g}", "lower the input rates or use fewer sources")
    rep.add_load("run", "hardware wall-clock ms per ms of model time", 1.0 / speedup, None)

    trial_sd = 0.0 if preset == "off" else float(prof["trial_noise_v_mv"])
    rep.noise = {
        "preset": preset, "chip_seed": chip_seed, "run_seed": ctx.seeds["run"],
        "parameter_mismatch": {"time constants (relative SD)": tau_sd, "voltages (SD, mV)": v_sd},
        "weight_mismatch_relative_sd": 0.0 if preset == "off" else float(prof["mismatch_weight_rel"]),
        "trial_noise_v_mv": trial_sd,
        "note": "mismatch values are assumptions (A) of the profile; no residual-mismatch figures in the sources",
        "deviations": deviations,
    }
    internal_dt = float(prof["internal_dt"])
    ctx.numerics.update({
        "kind": "analog", "internal_dt": min(internal_dt, ctx.dt), "speedup": speedup,
        "time_domain": prof["time_domain"], "rounding": prof["weight_rounding"], "saturate": True,
        "weight_shift": {}, "chip_seed": chip_seed, "run_seed": ctx.seeds["run"], "trial_noise_v_mv": trial_sd,
        "event_min_gap": gap_bio, "driver_index": driver_of, "n_drivers": max(n_drivers_used, 1),
        "hw_synapses": n_syn_of, "circuits_per_neuron": {ctx.pop(i).label: circuits[i] for i in neuron_pops},
        "first_circuit": {ctx.pop(i).label: first_circuit[i] for i in neuron_pops}, "executions": executions,
        "minimum_input_isi": float(prof.get("minimum_input_isi", 0.0) or 0.0),
        "analog_sample_interval": (float(prof["analog_sample_interval_hw"]) * speedup
                                   if "analog_sample_interval_hw" in prof else None),
    })


def _check_sign(ctx, prj):
    if prj.user_sign is None or len(prj.user_sign) == 0:
        return
    post = ctx.pop(prj.post)
    sign = np.asarray(prj.user_sign)
    cond = _conductance_based(post.celltype)
    inhibitory = prj.receptor_type == "inhibitory"
    if inhibitory and not cond and ctx.profile.get("inhibitory_sign_current", "any") == "negative":
        wrong = sign > 0
        needed = "negative"
    elif inhibitory:
        wrong = np.zeros(sign.shape, dtype=bool)
        needed = "any"
    else:
        wrong = sign < 0
        needed = "positive"
    if wrong.any():
        ctx.fail("WEIGHT_SIGN", errors.ConnectionError,
                 f"projection '{prj.label}' onto {post.celltype} receptor '{prj.receptor_type}': {SIGN_MESSAGE} "
                 f"({int(wrong.sum())} weights are not {needed})",
                 "give inhibitory weights of current-based cells as negative numbers, the others as positive",
                 prj.label)


def _map_weights(ctx, prj, k, bss2, preset):
    """Integer codes, multi-synapse counts, realised weights (with mismatch). Returns synapses per connection."""
    prof = ctx.profile
    post = ctx.pop(prj.post)
    if bss2:
        lsb = float(prof["weight_lsb_conductance"] if _conductance_based(post.celltype) else prof["weight_lsb_current"])
    else:
        lsb = float(prof["weight_lsb_inh"] if prj.receptor_type == "inhibitory" else prof["weight_lsb_exc"])
    max_w = int(prof["max_synapse_weight"])
    codes, _ = analog.weight_codes(prj.weight, lsb, prof["weight_rounding"], ctx.rng)
    cap = prof.get("max_synapses_per_connection")
    n_clipped = 0
    if cap is not None:
        top = int(cap) * max_w
        over = codes > top
        if over.any():
            n_clipped = int(over.sum())
            ctx.violation("WEIGHT_TOO_LARGE", errors.InvalidWeightError,
                          f"projection '{prj.label}': weight {float(np.max(prj.weight)):g} needs code "
                          f"{int(codes.max())}, above the largest hardware weight {top} "
                          f"(= {top * lsb:g}: {int(cap)} synapse(s) of at most {max_w} x weight step {lsb:g})",
                          f"use weights up to {top * lsb:g} or raise the weight step", prj.label,
                          f"clipped {n_clipped} weights to {top * lsb:g}")
            codes = np.minimum(codes, top)
    n_syn = analog.synapses_per_connection(codes, max_w)
    quantised = codes * lsb
    stats = _weight_stats(prj.weight, quantised, ctx.keep[prj.label])
    _rounding_warning(ctx, prj, stats, lsb)
    rel_sd = 0.0 if preset == "off" else float(prof["mismatch_weight_rel"])
    ctx.weight[prj.label] = analog.apply_weight_mismatch(quantised, ctx.seeds["chip"], k, rel_sd)
    ctx.report.quantisation.append(dict(projection=prj.label, lsb=lsb, representable_max=(
        None if cap is None else int(cap) * max_w * lsb), n_clipped=n_clipped,
        hw_synapses_max=int(n_syn.max()) if n_syn.size else 0, weight_mismatch_rel_sd=rel_sd, **stats))
    return n_syn


def _map_delays(ctx, prj):
    d = np.asarray(prj.delay, dtype=np.float64)
    bad = np.abs(d - ctx.dt) > 1e-9 * max(1.0, ctx.dt)
    if bad.any():
        ctx.violation("DELAY_UNSUPPORTED", errors.InvalidParameterValueError,
                      f"projection '{prj.label}': delay {float(d[bad][0]):g} ms requested, but hardware profile "
                      f"'{ctx.profile.name}' has no configurable delays (Setting the delay unequal 0 is not "
                      f"supported.); only the minimal delay of one time step ({ctx.dt:g} ms) is realised",
                      "leave the delay at its default (min_delay) or use a profile with delays", prj.label,
                      f"ignored {int(bad.sum())} delays (realised {ctx.dt:g} ms)")
    ctx.delay[prj.label] = np.full(d.shape, ctx.dt)


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
            internal.append(np.full(int(in_block.sum()), not _is_source(ctx.pop(prj.pre).celltype)))
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


def _shared_parameters(ctx, neuron_pops, first):
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


def _recording(ctx, neuron_pops, circuits, first, bss2):
    """Analog read-out limits: `analog_channels` neurons, one observable each, (BSS-2) one even + one odd."""
    prof = ctx.profile
    analog_vars = set(prof["analog_variables"])
    parity = bool(prof["analog_channel_parity"])
    free = {"even": 1, "odd": 1} if parity else {"any": int(prof["analog_channels"])}
    per_neuron = int(prof["analog_observables_per_neuron"])
    granted = {}        # (pop, cell) -> set of variables
    refusals = []
    for i in neuron_pops:
        pop = ctx.pop(i)
        for var, idx in ctx.recorded[pop.label].items():
            idx = np.asarray(idx, dtype=np.int64)
            if var not in analog_vars:
                ctx.report.recording.append({"population": pop.label, "variable": var, "requested": len(idx),
                                             "granted": len(idx), "refused": 0, "note": "digital (all neurons)"})
                continue
            ok = np.zeros(idx.size, dtype=bool)
            for pos, cell in enumerate(idx.tolist()):
                mine = granted.get((i, cell))
                if mine is not None:
                    if var in mine or len(mine) < per_neuron:
                        mine.add(var)
                        ok[pos] = True
                    else:
                        refusals.append(f"cell {cell} of '{pop.label}' already records {sorted(mine)}; only "
                                        f"{per_neuron} analog observable per neuron ('{var}' refused)")
                    continue
                if parity:
                    kind = "any" if circuits[i] > 1 else ("even" if first[i][cell] % 2 == 0 else "odd")
                    options = ["even", "odd"] if kind == "any" else [kind]
                else:
                    options = ["any"]
                chan = next((o for o in options if free.get(o, 0) > 0), None)
                if chan is None:
                    what = f"{options[0]} " if parity and len(options) == 1 else ""
                    refusals.append(f"cell {cell} of '{pop.label}' ('{var}'): no free {what}analog channel "
                                    f"({int(prof['analog_channels'])} channel(s)"
                                    f"{', one for even and one for odd circuits' if parity else ''})")
                    if not any(free.values()):  # every channel is taken: the rest of this request is refused
                        break
                    continue
                free[chan] -= 1
                granted[(i, cell)] = {var}
                ok[pos] = True
            kept = idx[ok]
            ctx.recorded[pop.label][var] = kept
            ctx.report.recording.append({"population": pop.label, "variable": var, "requested": len(idx),
                                         "granted": int(kept.size), "refused": int(idx.size - kept.size),
                                         "note": "analog read-out"})
    if refusals:
        n_refused = sum(r["refused"] for r in ctx.report.recording)
        text = "; ".join(refusals[:5]) + (f"; ... ({n_refused} refused in all)" if n_refused > 5 else "")
        message = f"analog recording beyond the limits of hardware profile '{prof.name}': {text}"
        suggestion = ("record analog signals from at most "
                      f"{'one even and one odd neuron' if parity else str(prof['analog_channels']) + ' neuron(s)'}"
                      ", one variable each; spikes can be recorded from every neuron")
        if ctx.policy == "strict":
            ctx.fail("RECORDING_LIMIT", errors.RecordingLimitError(f"{message}. Suggestion: {suggestion}"),
                     message, suggestion, "recording")
        ctx.violation("RECORDING_LIMIT", errors.RecordingLimitError, message, suggestion, "recording",
                      "recorded the first allowed neurons only")


def _drivers(ctx, first, circuits, bss2):
    """Assign each connection's source to a synapse (line) driver; estimate each driver's event rate.

    BrainScaleS-2: per hemisphere, distinct sources are numbered in order and 64 share a
    driver (6-bit labels). Spikey: one line driver per (source, sign) and block.
    """
    prof = ctx.profile
    offsets = _source_ids(ctx)
    if bss2:
        half = int(prof["synapse_columns_per_hemisphere"])
        per_driver = 2 ** int(prof["source_label_bits"])
        drivers_per_unit = int(prof["synapse_drivers_per_hemisphere"])
        n_units = int(prof["hemispheres"])
    else:
        half = int(prof["neurons_per_block"])
        per_driver = 1
        drivers_per_unit = int(prof["line_drivers_per_block"])
        n_units = int(prof["blocks"])
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
    n_used = int(np.unique(driver).size)
    per_unit_need = np.bincount(unit_of, minlength=n_units) if uniq.size else np.zeros(n_units, dtype=np.int64)
    for u in range(n_units):
        need = math.ceil(per_unit_need[u] / per_driver)
        if need > drivers_per_unit and bss2:
            ctx.exhausted(f"synapse drivers in hemisphere {u}", need, drivers_per_unit,
                          f"the {int(per_unit_need[u])} sources projecting onto hemisphere {u}",
                          "reduce the number of distinct presynaptic sources per hemisphere")
    # event rate per driver: each distinct (source, unit) sends its spikes through its driver once
    rates = np.zeros(uniq.size)
    pos = 0
    src_rate = {i: _max_rate(p) for i, p in enumerate(ctx.populations)}
    default = 30.0
    for prj, span in zip(ctx.projections, spans):
        r = src_rate[prj.pre]
        rates[inverse[pos:pos + span]] = default if r is None else r
        pos += span
    driver_rate = np.bincount(driver, weights=rates) if uniq.size else np.zeros(0)
    driver_of = {}
    pos = 0
    for prj, span in zip(ctx.projections, spans):
        driver_of[prj.label] = driver[inverse[pos:pos + span]] if span else np.zeros(0, dtype=np.int64)
        pos += span
    return driver_of, n_used, driver_rate
