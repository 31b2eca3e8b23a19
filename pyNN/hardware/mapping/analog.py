"""The analog part of the mapper (profile kind ``analog``): BrainScaleS-2 and Spikey.

Steps: parameter ranges, weights (integer codes, multi-synapse connections, sign per row),
delays (none), fan-in and logical-neuron size (BrainScaleS-2) or line drivers per block
(Spikey), placement on circuits, shared parameters, CapMem quantisation, fixed-pattern
mismatch (from ``chip_seed``), analog recording channels, event-rate load. Placement,
drivers, shared parameters and recording channels are in
:mod:`~pyNN.hardware.mapping.analog_placement`.
"""

import numpy as np

from pyNN import errors
import pyNN.hardware.mapping.analog_placement as placement
from pyNN.hardware.mapping.context import (check_ranges, conductance_based, connectivity_row, is_source, max_rate,
                                           noise_preset, per_cell, rounding_warning, weight_stats)
from pyNN.hardware.numerics import analog

SIGN_MESSAGE = ("Weights must be positive for conductance-based and/or excitatory synapses and negative for "
                "inhibitory synapses")
#: parameters whose fixed-pattern deviation is additive (mV); deviations of the others are relative
VOLTAGE_PARAMETERS = ("v_rest", "v_reset", "v_thresh", "v_spike", "e_rev_E", "e_rev_I")
#: parameters without fixed-pattern deviation
MISMATCH_FREE = ("i_offset",)


def map_analog(ctx):
    """Map onto an analog profile (BrainScaleS-2 or Spikey), step by step (see the module docstring).

    Parameters
    ----------
    ctx : MappingContext
        Filled in place: realised weights, delays and parameters, kept connections,
        granted recordings, numerics, report.
    """
    prof = ctx.profile
    lay = _Layout(ctx)
    if prof.get("time_domain", "bio") != "bio":
        ctx.fail("TIME_DOMAIN", errors.NoModelAvailableError,
                 f"hardware profile '{prof.name}': time_domain={prof['time_domain']!r} is not implemented by the "
                 f"emulator (times and time constants are given in biological ms; the report lists hardware times)",
                 "use time_domain='bio'", "setup")
    check_ranges(ctx)
    for k, prj in enumerate(ctx.projections):
        codes, lsb, n_clipped = check_projection(ctx, prj)
        lay.n_syn[prj.label] = _map_weights(ctx, prj, k, codes, lsb, n_clipped, lay.preset)
    placement.place(ctx, lay)
    if "shared_parameters" in prof:
        placement.shared_parameters(ctx, lay.neuron_pops, lay.first)
    _realise_parameters(ctx, lay)
    for prj in ctx.projections:
        n_syn = lay.n_syn[prj.label][ctx.keep[prj.label]]
        connectivity_row(ctx, prj, hw_synapses=int(n_syn.sum()),
                         hw_synapses_per_connection_max=int(n_syn.max()) if n_syn.size else 0)
    placement.recording(ctx, lay.neuron_pops, lay.circuits, lay.first)
    placement.driver_load(ctx, lay)
    _resources(ctx, lay)
    _input_load(ctx, lay)
    _noise_and_numerics(ctx, lay)


class _Layout:
    """What the steps of :func:`map_analog` work out and hand on to each other."""

    def __init__(self, ctx):
        prof = ctx.profile
        self.bss2 = "neuron_circuits" in prof   # BrainScaleS-2 (else Spikey)
        self.preset = noise_preset(ctx)
        self.speedup = float(prof["speedup"])
        self.neuron_pops = [i for i, p in enumerate(ctx.populations) if not is_source(p.celltype)]
        self.n_syn = {}          # projection label -> hardware synapses per connection
        self.circuits = {}       # neuron population index -> circuits per neuron
        self.first = {}          # neuron population index -> first circuit of each neuron
        self.executions = 1      # sequential runs of a partitioned network
        self.n_units = 0         # neuron circuits (BrainScaleS-2) or neurons (Spikey) of the chip
        self.unit_name = ""
        self.driver_of = {}      # projection label -> synapse (line) driver of each connection
        self.n_drivers = 0
        self.gap_bio = None      # minimum gap between events on one driver (bio ms), if limited
        self.deviations = {}     # population label -> {parameter: realised - requested}
        sd = {"tau": 0.0, "v": 0.0}
        if self.preset != "off":
            sd = {"tau": float(prof[f"mismatch_tau_rel_{self.preset}"]),
                  "v": float(prof[f"mismatch_v_mv_{self.preset}"])}
        self.mismatch_sd = sd


def _realise_parameters(ctx, lay):
    """DAC (CapMem) or n-bit quantisation of every ranged parameter, then the fixed-pattern
    mismatch of the circuits (or, for shared parameters, the blocks) the neurons sit on."""
    prof = ctx.profile
    bits = int(prof.get("capmem_bits", 10))
    max_code = prof.get("capmem_max_code")
    rows = {(r["population"], r["parameter"]): r for r in ctx.report.parameters}
    for i in lay.neuron_pops:
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
            if name in VOLTAGE_PARAMETERS:
                kind, sd = "v", lay.mismatch_sd["v"]
            elif name in MISMATCH_FREE:
                kind, sd = "other", 0.0
            else:
                kind, sd = "tau", lay.mismatch_sd["tau"]
            if "shared_parameters" in prof and name in prof["shared_parameters"]:
                unit = lay.first[i] // int(prof["neurons_per_block"])  # one shared circuit per block
            else:
                unit = lay.first[i]
            realised = analog.apply_parameter_mismatch(programmed, unit, ctx.seeds["chip"], name, kind, sd,
                                                       lay.n_units)
            if kind == "v":  # a circuit's voltages cannot leave the DAC range
                realised = np.clip(realised, lo, hi)
            ctx.parameters[pop.label][name] = realised
            lay.deviations.setdefault(pop.label, {})[name] = realised - values
            row = rows.get((pop.label, name))
            if row is not None:
                row["step"] = step


def _resources(ctx, lay):
    prof, rep = ctx.profile, ctx.report
    circuits = lay.circuits
    used_units = sum(ctx.pop(i).size * circuits[i] for i in lay.neuron_pops)
    if lay.executions > 1:
        used_units = max(analog.neurons_per_chip(circuits[i], lay.n_units) * circuits[i] for i in lay.neuron_pops)
    rep.add_resource(lay.unit_name, used_units, lay.n_units, "chip")
    total_syn = sum(int(lay.n_syn[p.label][ctx.keep[p.label]].sum()) for p in ctx.projections)
    if lay.bss2:
        rows = int(prof["hemispheres"]) * int(prof["synapse_rows_per_hemisphere"])
        rep.add_resource("synapses", total_syn, rows * int(prof["synapse_columns_per_hemisphere"]), "chip")
        rep.add_resource("synapse rows", int(prof["rows_per_driver"]) * lay.n_drivers, rows, "chip")
        rep.add_resource("synapse drivers", lay.n_drivers,
                         int(prof["hemispheres"]) * int(prof["synapse_drivers_per_hemisphere"]), "chip")
        rep.add_resource("background sources", 0, int(prof["background_sources"]), "chip")
        rep.add_resource("sequential executions", lay.executions, None, "run")
    else:
        rep.add_resource("synapses", total_syn, int(prof["blocks"]) * int(prof["neurons_per_block"])
                         * int(prof["line_drivers_per_block"]), "chip")
        rep.add_resource("line drivers", lay.n_drivers, int(prof["blocks"]) * int(prof["line_drivers_per_block"]),
                         "chip")


def _input_load(ctx, lay):
    """Load of the chip's external spike input (in hardware time) and the run's wall-clock time."""
    prof, rep = ctx.profile, ctx.report
    if "external_input_rate_hw" in prof:
        # every spike of an off-chip source is one event through the external input, in hardware time
        bio = sum(float(np.sum(per_cell(p.parameters.get("rate", 0.0), p.size))) if p.celltype.startswith(
            "SpikeSourcePoisson") else (max_rate(p) or 0.0) * p.size
            for p in ctx.populations if is_source(p.celltype))
        hw_rate = bio * lay.speedup
        limit = float(prof["external_input_rate_hw"])
        rep.add_load("chip", "external input events per s (hardware time)", hw_rate, limit, "INPUT_BANDWIDTH",
                     "network", f"the spike sources send about {hw_rate:.3g} events/s of hardware time, above the "
                     f"input bandwidth of {limit:.3g}", "lower the input rates or use fewer sources")
    rep.add_load("run", "hardware wall-clock ms per ms of model time", 1.0 / lay.speedup, None)


def _noise_and_numerics(ctx, lay):
    """The noise section of the report and the engine settings of the analog numerics."""
    prof, preset = ctx.profile, lay.preset
    chip_seed = ctx.seeds["chip"]
    trial_sd = 0.0 if preset == "off" else float(prof["trial_noise_v_mv"])
    ctx.report.noise = {
        "preset": preset, "chip_seed": chip_seed, "run_seed": ctx.seeds["run"],
        "parameter_mismatch": {"time constants (relative SD)": lay.mismatch_sd["tau"],
                               "voltages (SD, mV)": lay.mismatch_sd["v"]},
        "weight_mismatch_relative_sd": 0.0 if preset == "off" else float(prof["mismatch_weight_rel"]),
        "trial_noise_v_mv": trial_sd,
        "note": "mismatch values are assumptions (A) of the profile; no residual-mismatch figures in the sources",
        "deviations": lay.deviations,
    }
    neuron_pops = lay.neuron_pops
    ctx.numerics.update({
        "kind": "analog", "internal_dt": min(float(prof["internal_dt"]), ctx.dt), "speedup": lay.speedup,
        "time_domain": prof["time_domain"], "rounding": prof["weight_rounding"], "saturate": True,
        "weight_shift": {}, "chip_seed": chip_seed, "run_seed": ctx.seeds["run"], "trial_noise_v_mv": trial_sd,
        "event_min_gap": lay.gap_bio, "driver_index": lay.driver_of, "n_drivers": max(lay.n_drivers, 1),
        "hw_synapses": lay.n_syn, "circuits_per_neuron": {ctx.pop(i).label: lay.circuits[i] for i in neuron_pops},
        "first_circuit": {ctx.pop(i).label: lay.first[i] for i in neuron_pops}, "executions": lay.executions,
        "minimum_input_isi": float(prof.get("minimum_input_isi", 0.0) or 0.0),
        "analog_sample_interval": (float(prof["analog_sample_interval_hw"]) * lay.speedup
                                   if "analog_sample_interval_hw" in prof else None),
    })


def _check_sign(ctx, prj):
    if prj.user_sign is None or len(prj.user_sign) == 0:
        return
    post = ctx.pop(prj.post)
    sign = np.asarray(prj.user_sign)
    cond = conductance_based(post.celltype)
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


def check_projection(ctx, prj):
    """The checks that depend on this projection alone (sign, weight range, delays); also
    made when it is created (pyNN.hardware.mapping.early). Returns the weight codes, the
    weight step, the number of weights clipped (lenient policy)."""
    _check_sign(ctx, prj)
    codes, lsb, n_clipped = _weight_codes(ctx, prj)
    _map_delays(ctx, prj)
    return codes, lsb, n_clipped


def _weight_codes(ctx, prj):
    """Integer weight codes (units of the weight step), checked against the largest hardware weight."""
    prof = ctx.profile
    post = ctx.pop(prj.post)
    if "neuron_circuits" in prof:  # BrainScaleS-2 (as _Layout.bss2): the step depends on the cell type
        lsb = float(prof["weight_lsb_conductance"] if conductance_based(post.celltype) else prof["weight_lsb_current"])
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
    return codes, lsb, n_clipped


def _map_weights(ctx, prj, k, codes, lsb, n_clipped, preset):
    """Multi-synapse counts, realised weights (with mismatch). Returns synapses per connection."""
    prof = ctx.profile
    max_w = int(prof["max_synapse_weight"])
    cap = prof.get("max_synapses_per_connection")
    n_syn = analog.synapses_per_connection(codes, max_w)
    quantised = codes * lsb
    stats = weight_stats(prj.weight, quantised, ctx.keep[prj.label])
    rounding_warning(ctx, prj, stats, lsb)
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
