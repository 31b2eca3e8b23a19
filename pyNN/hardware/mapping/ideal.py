"""The ``ideal`` profile (kind ``ideal``): the network as given, in float64, with no limits."""

from pyNN.hardware.mapping.context import connectivity_row, is_source


def map_ideal(ctx):
    """Map onto the ``ideal`` profile: every value unchanged, float64, no limits.

    Parameters
    ----------
    ctx : MappingContext
        Filled in place (numerics, report rows).
    """
    ctx.numerics.update({"kind": "float64", "internal_dt": ctx.dt, "rounding": None, "saturate": False,
                         "weight_shift": {}})
    n_neurons = 0
    for pop in ctx.populations:
        ctx.report.partitioning.append({"population": pop.label, "model": pop.celltype, "size": pop.size,
                                        "unit_size": pop.size, "n_units": 1, "slices": [(0, pop.size)]})
        if not is_source(pop.celltype):
            n_neurons += pop.size
    n_syn = 0
    for prj in ctx.projections:
        connectivity_row(ctx, prj)
        n_syn += len(prj.pre_index)
    ctx.report.add_resource("neurons", n_neurons, None, "system")
    ctx.report.add_resource("synapses", n_syn, None, "system")
    ctx.report.noise = {"model": "none"}
    for pop in ctx.populations:
        for var, idx in ctx.recorded[pop.label].items():
            ctx.report.recording.append({"population": pop.label, "variable": var, "requested": len(idx),
                                         "granted": len(idx), "refused": 0, "note": ""})
