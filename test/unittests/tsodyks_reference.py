"""NESTML's library ``tsodyks_synapse`` computed by hand from its model text, for the tests of
the synapse program (here) and of the backends (test/system/test_nestml_tsodyks.py)."""

import math

import numpy as np


def released(times, U, tau_rec, tau_fac, tau_psc, u0=0.5):
    """The fraction of the resources each presynaptic spike at `times` (ms) releases; the
    spike transmits it times the weight. x starts at 1, y at 0, the last update at t = 0 and u
    at `u0` (the model's ``u real = U`` evaluated with U's default, 0.5)."""
    return run_rule(times, U, tau_rec, tau_fac, tau_psc, u0)[0]


def run_rule(times, U, tau_rec, tau_fac, tau_psc, u0=0.5):
    """(:func:`released`, the state (x, y, u) after the last spike)."""
    x, y, u, last, out = 1.0, 0.0, u0, 0.0, []
    for t in times:
        h, last = t - last, t
        p_uu = 0.0 if tau_fac == 0 else math.exp(-h / tau_fac)
        p_yy, p_zz = math.exp(-h / tau_psc), math.exp(-h / tau_rec)
        p_xy = ((p_zz - 1) * tau_rec - (p_yy - 1) * tau_psc) / (tau_psc - tau_rec)
        z = 1 - x - y
        u *= p_uu
        x += p_xy * y + (1 - p_zz) * z
        y *= p_yy
        u += U * (1 - u)
        out.append(u * x)
        x, y = x - u * x, y + u * x
    return np.array(out), (x, y, u)
