"""STDP on SpiNNaker 1: the constants sPyNNaker writes for each plastic projection (look-up
tables, s16.15 bounds and rates for the projection's weight shift) and the mapping-report
rows that say how they differ from the requested rule (the engine's side is
:mod:`pyNN.hardware.engine.stdp_s1615`)."""

import numpy as np

from pyNN.hardware.engine.stdp_s1615 import RULE_PARAMETERS
from pyNN.hardware.numerics import fixedpoint as fx

#: what differs from the exact rule of profile 'ideal', whatever the parameters
DIFFERENCES = (
    "times in whole ticks, the whole delay dendritic",
    "traces in fixed point (one = STDP_FIXED_POINT_ONE) decayed through look-up tables, products floored, "
    "0 past the end of a table",
    "the last 15 post-synaptic spikes of each cell only",
    "weights updated in s16.15 and stored truncated to the weight LSB after each pre-synaptic spike",
    "traces are not limited to sPyNNaker's 16 bits (there they would overflow after about 16 spikes in "
    "quick succession)",
)


def stdp_constants(parameters, shift, dt, variant, one):
    """The host-side constants of one plastic projection.

    Parameters
    ----------
    parameters : dict
        ``rule`` ("additive", "multiplicative" or "vogels") and the single values (standard
        units) of its parameters (``RULE_PARAMETERS[rule]``).
    shift : int
        The weight shift of the target (post population, receptor).
    dt : float
        Time step (ms).
    variant, one
        The profile's LUT variant and fixed-point one.

    Returns
    -------
    dict
        ``lut_plus``, ``lut_minus`` (uint16 arrays); ``w_min``, ``w_max``, ``a_plus``, ``a_minus``
        as s16.15 integers (sPyNNaker pre-multiplies the additive rule's rates by w_max);
        ``rule``, ``shift``, ``one``, ``dt``; for "vogels" also ``alpha`` (trace units, one = `one`).
    """
    rule = parameters["rule"]
    scale = 1 << fx.S1615_FRAC_BITS
    if rule == "vogels":
        # sPyNNaker's A_plus = eta / w_max, pre-multiplied by w_max; alpha in trace units
        table = fx.stdp_exp_lut(float(parameters["tau"]), dt, variant, one)
        return {
            "rule": rule, "shift": int(shift), "one": int(one), "dt": float(dt), "lut_plus": table,
            "lut_minus": table, "w_min": round(float(parameters["w_min"]) * scale),
            "w_max": round(float(parameters["w_max"]) * scale), "a_plus": round(float(parameters["eta"]) * scale),
            "a_minus": 0, "alpha": round(2.0 * float(parameters["rho"]) * float(parameters["tau"]) / 1000.0 * one),
        }
    rate_factor = float(parameters["w_max"]) if rule == "additive" else 1.0
    return {
        "rule": rule, "shift": int(shift), "one": int(one), "dt": float(dt),
        "lut_plus": fx.stdp_exp_lut(float(parameters["tau_plus"]), dt, variant, one),
        "lut_minus": fx.stdp_exp_lut(float(parameters["tau_minus"]), dt, variant, one),
        "w_min": round(float(parameters["w_min"]) * scale),
        "w_max": round(float(parameters["w_max"]) * scale),
        "a_plus": round(float(parameters["A_plus"]) * rate_factor * scale),
        "a_minus": round(float(parameters["A_minus"]) * rate_factor * scale),
    }


def single_values(synapse_parameters):
    """{name: float} of the per-connection STDP parameter arrays of a projection spec (sPyNNaker
    takes one value per projection; varying values are refused when the projection is made)."""
    out = {"rule": synapse_parameters["rule"]}
    for name in RULE_PARAMETERS[out["rule"]]:
        value = np.ravel(np.asarray(synapse_parameters[name], dtype=float))
        out[name] = float(value[0]) if value.size else 0.0
    return out


def plasticity_rows(ctx, shifts):
    """The constants of every plastic projection (projection label -> dict, for the engine) and
    one report row per projection: the LUTs, and the bounds and rates the core uses against
    the requested ones. `shifts`: (post label, receptor) -> weight shift."""
    prof = ctx.profile
    constants = {}
    for prj in ctx.projections:
        params = prj.synapse_parameters or {}
        if params.get("rule") not in RULE_PARAMETERS:
            continue
        values = single_values(params)
        shift = shifts[(ctx.pop(prj.post).label, prj.receptor_type)]
        c = stdp_constants(values, shift, ctx.dt, prof["stdp_lut_variant"], int(prof["stdp_fixed_point_one"]))
        constants[prj.label] = c
        ctx.report.plasticity.append(_report_row(prj.label, c, values, prof["stdp_lut_variant"]))
    if constants:
        ctx.report.add_diagnostic(
            "STDP_FIXED_POINT", "info", ", ".join(constants),
            "STDP runs in sPyNNaker's fixed-point form: " + "; ".join(DIFFERENCES)
            + " (see the report's Plasticity rows and doc/behaviour.md for the error bound)")
    return constants


def _report_row(label, c, values, variant):
    """The report's row for one plastic projection: the tables, the constants as requested and
    as the core uses them, the error bound, and the list of what differs from the exact rule."""
    per = 2.0 ** -fx.S1615_FRAC_BITS
    row = {"projection": label, "lut_tau_plus": int(c["lut_plus"].size), "lut_tau_minus": int(c["lut_minus"].size),
           "lut_variant": variant, "fixed_point_one": c["one"], "weight_lsb": fx.weight_lsb(c["shift"]),
           "w_min": values["w_min"], "w_min_realised": c["w_min"] * per,
           "w_max": values["w_max"], "w_max_realised": c["w_max"] * per,
           # one pairing, traces of at most 3 spikes per table length (the formula is in doc/behaviour.md)
           "error_bound_per_pre_spike": error_bound_per_event(c, values)}
    rules = []
    if c["rule"] == "vogels":
        alpha = 2.0 * values["rho"] * values["tau"] / 1000.0
        row.update(rule="Vogels2011Rule, additive", eta=values["eta"], eta_realised=c["a_plus"] * per,
                   alpha=alpha, alpha_realised=c["alpha"] / c["one"])
        rules += ["the pre spike's change (eta (trace - alpha)) is made only once the target has fired, includes "
                  "a post spike arriving in its tick, and is clipped at w_max only (not at w_min)"]
    else:
        rules.append("a post spike in the tick of a pre spike's arrival cancels that pre spike's depression")
        rate_factor = values["w_max"] if c["rule"] == "additive" and values["w_max"] else 1.0
        row.update(rule=f"SpikePairRule, {c['rule']}",
                   A_plus=values["A_plus"], A_plus_realised=c["a_plus"] * per / rate_factor,
                   A_minus=values["A_minus"], A_minus_realised=c["a_minus"] * per / rate_factor)
        if c["rule"] == "additive" and values["w_min"]:
            rules.append(f"the additive rule changes weights by A * w_max (exact rule: A * (w_max - w_min) = "
                         f"A * {values['w_max'] - values['w_min']:g})")
        if c["rule"] == "multiplicative":
            rules.append("weights are not clipped to [w_min, w_max] (soft bounds only)")
    row["differences"] = list(DIFFERENCES) + rules
    return row


def error_bound_per_event(constants, values, pairs=1, spikes=3, trace=None):
    """The most by which one pre-synaptic spike's weight change can differ from the exact
    rule's, for the same spike ticks (doc/behaviour.md, "STDP on spinnaker1").

    One weight LSB (the stored word is truncated), plus for each of the `pairs` pairings the
    spike applies and for its depression: amp_q e_K + |amp_q - amp| K + (K + 2) 2**-15, where
    amp is the rate in weight units (A w_max additive, A (w_max - w_min) multiplicative), amp_q
    its s16.15 value, K the largest trace value (`trace`, default `spikes`) and
    e_K = (spikes + 1) (K + 1) 2**-11 the error of a LUT-built trace holding at most `spikes`
    spikes within one table length (each LUT step loses at most (K + 1) 2**-11, and the
    errors decay with the trace).
    """
    per = 2.0 ** -fx.S1615_FRAC_BITS
    k = float(spikes if trace is None else trace)
    trace_error = (spikes + 1.0) * (k + 1.0) / constants["one"]
    if constants["rule"] == "vogels":
        # one rate (eta) for both terms; the pre term also carries alpha's rounding
        alpha = 2.0 * values["rho"] * values["tau"] / 1000.0
        amp_q, amp = abs(constants["a_plus"]) * per, abs(values["eta"])
        trace_error += abs(constants["alpha"] / constants["one"] - alpha)
        worst = amp_q * trace_error + abs(amp_q - amp) * (k + alpha) + (k + 2.0) * per
        return fx.weight_lsb(constants["shift"]) + (pairs + 1) * worst
    additive = constants["rule"] == "additive"
    span = max(values["w_max"] - values["w_min"], 0.0)
    worst = 0.0
    for rate, exact in ((constants["a_plus"], values["A_plus"]), (constants["a_minus"], values["A_minus"])):
        amp_q = abs(rate) * per * (1.0 if additive else span)
        amp = abs(exact) * (values["w_max"] if additive else span)
        worst = max(worst, amp_q * trace_error + abs(amp_q - amp) * k + (k + 2.0) * per)
    return fx.weight_lsb(constants["shift"]) + (pairs + 1) * worst
