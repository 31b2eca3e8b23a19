"""The start state of NEST's tsodyks_synapse, moved to NEST's time origin.

A tsodyks_synapse brings its state forward from its last spike, and before the first one
from NEST time 0. The NEST kernel runs ``offset`` ms ahead of the user's time
(pyNN.nest.simulator), so a state set before NEST simulates the connections (before the
first run, after reset(), or for connections made since the last run) would be brought
forward over ``offset`` ms more than on the other backends, whose connections start with a
last event at user time 0 (doc/behaviour.md, "Short-term plasticity"). The state set in NEST is
therefore the one that the exact solution between spikes takes, in ``offset`` ms, to the
state the user gave: u decays with tau_facil, y with tau_psc into the recovering resources
z = 1 - x - y, which recover into x with tau_rec. NEST takes only states with u in [0, 1],
x, y >= 0 and x + y <= 1; a start state whose earlier state is outside them (for example
x + y = 1 with y > 0: y must have come from somewhere) is refused with a clear error.
"""

import numpy as np

from pyNN import errors


def earlier_state(state, tau_rec, tau_facil, tau_psc, span, floor):
    """The Tsodyks-Markram state (dict u, x, y of arrays) that becomes `state` after `span` ms
    without spikes (parameters: one value per connection, ms). A connection whose tau_psc is
    `floor` or less (a target without a synaptic time constant: y becomes z at once at a
    spike) keeps y in z: only what it adds to z matters."""
    u, x, y = (np.asarray(state[name], dtype=float) for name in ("u", "x", "y"))
    tau_rec, tau_facil, tau_psc = (np.asarray(v, dtype=float) for v in (tau_rec, tau_facil, tau_psc))
    p_zz = np.exp(-span / tau_rec)
    jump = tau_psc <= floor
    safe_psc = np.where(jump, 1.0, tau_psc)
    p_yy = np.where(jump, 0.0, np.exp(-span / safe_psc))
    same = np.abs(safe_psc - tau_rec) < 1e-9 * tau_rec
    p_xy = np.where(same, 1.0 - p_zz * (1.0 + span / tau_rec),
                    ((p_zz - 1.0) * tau_rec - (p_yy - 1.0) * safe_psc) / np.where(same, 1.0, safe_psc - tau_rec))
    y_before = np.where(jump, 0.0, y / np.where(jump, 1.0, p_yy))
    # forward: x = x_b + p_xy y_b + (1 - p_zz) (1 - x_b - y_b)
    x_before = (x - (1.0 - p_zz) - y_before * (p_xy - (1.0 - p_zz))) / p_zz
    facilitating = tau_facil > 0
    u_before = np.where(facilitating, u * np.exp(span / np.where(facilitating, tau_facil, 1.0)), u)
    return {"u": u_before, "x": x_before, "y": y_before}


def representable(projection, before, given, span):
    """The earlier state `before` as NEST takes it (rounding errors clipped), or
    NotSupportedError if NEST cannot hold it for a connection (`given`: the state the user
    gave, dict of arrays)."""
    u, x, y = before["u"], before["x"], before["y"]
    tol = 1e-12
    bad = (u > 1.0 + tol) | (u < -tol) | (x < -tol) | (y < -tol) | (x + y > 1.0 + tol)
    if not bad.any():
        # (rounding: NEST refuses x + y = 1 + 1e-16)
        y = np.clip(y, 0.0, 1.0)
        return {"u": np.clip(u, 0.0, 1.0), "x": np.clip(x, 0.0, 1.0 - y), "y": y}
    k = int(np.flatnonzero(bad)[0])
    raise errors.NotSupportedError(
        f"Projection '{projection.label}': the NEST backend cannot start connection {k} from u = "
        f"{float(given['u'][k]):g}, x = {float(given['x'][k]):g}, y = {float(given['y'][k]):g}: NEST's clock runs "
        f"{span:g} ms ahead of the simulation's, so its tsodyks_synapse must hold the state of {span:g} ms "
        f"earlier (u = {float(u[k]):g}, x = {float(x[k]):g}, y = {float(y[k]):g}), which is outside the ranges NEST "
        f"accepts (u in [0, 1], x + y <= 1). Leave more recovering resources (1 - x - y) for the active ones y, "
        f"or u further below 1; the other backends take this state")
