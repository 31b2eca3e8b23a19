"""Synaptic receptors of one group of cells: exponential, alpha, beta and delta kinetics.

Every receptor keeps at most two state rows of shape (n,) in one bank, integrated
exactly between steps (the kinetics are linear):

=============  ===============================  ==================================
kind           state                            arrival of weight w
=============  ===============================  ==================================
``*_exp``      y (current nA or conductance uS)  y += w
``*_alpha``    x, y with dx = -x/tau,           x += w e / tau (peak of y is w,
               dy = -y/tau + x                   reached tau after the spike)
``cond_beta``  y (decay part), x (rise part);   y += w f, x += w f with f making
               value = y - x                     the peak equal to w
``delta``      none (the membrane jumps by w)   handled by the membrane
=============  ===============================  ==================================
"""

import numpy as np

CURRENT_KINDS = ("curr_exp", "curr_alpha", "delta")
CONDUCTANCE_KINDS = ("cond_exp", "cond_alpha", "cond_beta")


class ReceptorSpec:
    """Description of one receptor of a cell type.

    Parameters
    ----------
    name : str
        Receptor type name ('excitatory', 'inhibitory', or a PointNeuron receptor name).
    kind : str
        One of CURRENT_KINDS or CONDUCTANCE_KINDS.
    tau : ndarray
        Time constant (ms; the decay time constant for a beta receptor).
    sign : float
        +1, or -1 for a current-based inhibitory receptor (weights are magnitudes).
    e_rev : ndarray, optional
        Reversal potential (mV) of a conductance-based receptor.
    tau_rise : ndarray, optional
        Rise time constant of a beta receptor (ms).
    """

    def __init__(self, name, kind, tau=None, sign=1.0, e_rev=None, tau_rise=None):
        self.name = name
        self.kind = kind
        self.tau = tau
        self.sign = sign
        self.e_rev = e_rev
        self.tau_rise = tau_rise


def _beta_factor(tau_decay, tau_rise):
    """Factor making the peak of exp(-t/tau_decay) - exp(-t/tau_rise) equal to 1."""
    td, tr = np.broadcast_arrays(np.asarray(tau_decay, float), np.asarray(tau_rise, float))
    same = np.isclose(td, tr)
    tr = np.where(same, td * (1 - 1e-6), tr)
    t_peak = td * tr / (td - tr) * np.log(td / tr)
    return 1.0 / (np.exp(-t_peak / td) - np.exp(-t_peak / tr))


class ReceptorBank:
    """State of every receptor of one group of `n` cells."""

    def __init__(self, specs, n):
        self.specs = list(specs)
        self.n = n
        self.index = {spec.name: k for k, spec in enumerate(self.specs)}
        r = len(self.specs)
        self.y = np.zeros((r, n))
        self.x = np.zeros((r, n))
        self.kinds = [spec.kind for spec in self.specs]
        self.prepare_dt = None

    def __len__(self):
        return len(self.specs)

    def set_specs(self, specs):
        """New parameter values (same receptors); state is kept."""
        self.specs = list(specs)
        self.prepare_dt = None

    def prepare(self, h):
        """Precompute the propagators for a step of `h` ms."""
        self.decay = np.ones((len(self.specs), self.n))
        self.decay_rise = np.ones((len(self.specs), self.n))
        self.arrival_gain = np.ones((len(self.specs), self.n))
        self.half_decay = np.ones((len(self.specs), self.n))
        self.half_decay_rise = np.ones((len(self.specs), self.n))
        for k, spec in enumerate(self.specs):
            if spec.kind == "delta":
                continue
            self.decay[k] = np.exp(-h / spec.tau)
            self.half_decay[k] = np.exp(-0.5 * h / spec.tau)
            if spec.kind.endswith("alpha"):
                self.arrival_gain[k] = np.e / spec.tau
            elif spec.kind == "cond_beta":
                self.decay_rise[k] = np.exp(-h / spec.tau_rise)
                self.half_decay_rise[k] = np.exp(-0.5 * h / spec.tau_rise)
                self.arrival_gain[k] = _beta_factor(spec.tau, spec.tau_rise)
        self.prepare_dt = h
        self._tables = None

    def kernel_tables(self):
        """The receptors as arrays for the compiled RK4 kernels: (kind codes (R,), tau,
        tau_rise, e_rev (R, n), sign (R,), is_cond (R,))."""
        if getattr(self, "_tables", None) is None:
            from pyNN.hardware.engine.kernels import KIND_CODES
            r, n = len(self.specs), self.n

            def rows(attr, fill):
                out = np.full((r, n), fill, dtype=float)
                for k, spec in enumerate(self.specs):
                    value = getattr(spec, attr)
                    if value is not None:
                        out[k] = np.broadcast_to(np.asarray(value, dtype=float), (n,))
                return out

            self._tables = (
                np.array([KIND_CODES[spec.kind] for spec in self.specs], dtype=np.int64).reshape(r),
                rows("tau", 1.0), rows("tau_rise", 1.0), rows("e_rev", 0.0),
                np.array([float(spec.sign) for spec in self.specs], dtype=float).reshape(r),
                np.array([spec.e_rev is not None for spec in self.specs], dtype=np.bool_).reshape(r))
        return self._tables

    # --- values ------------------------------------------------------------------
    def value(self, k):
        """Current (nA) or conductance (uS) of receptor `k` now (without sign)."""
        if self.kinds[k] == "cond_beta":
            return self.y[k] - self.x[k]
        return self.y[k]

    def value_at(self, k, s):
        """Value of receptor `k` a time `s` (ms, scalar) after now, with no new arrivals."""
        spec = self.specs[k]
        kind = spec.kind
        if kind == "delta":
            return np.zeros(self.n)
        if kind.endswith("exp"):
            return self.y[k] * np.exp(-s / spec.tau)
        if kind.endswith("alpha"):
            return (self.y[k] + s * self.x[k]) * np.exp(-s / spec.tau)
        return self.y[k] * np.exp(-s / spec.tau) - self.x[k] * np.exp(-s / spec.tau_rise)

    def value_mid(self, k):
        """Value of receptor `k` half a step after now, with no new arrivals."""
        kind = self.kinds[k]
        if kind == "delta":
            return np.zeros(self.n)
        if kind.endswith("alpha"):
            return (self.y[k] + 0.5 * self.prepare_dt * self.x[k]) * self.half_decay[k]
        if kind == "cond_beta":
            return self.y[k] * self.half_decay[k] - self.x[k] * self.half_decay_rise[k]
        return self.y[k] * self.half_decay[k]

    def set_value(self, k, values, indices):
        """Set the value of receptor `k` (initial values): all of it in the decaying part."""
        self.y[k, indices] = values
        self.x[k, indices] = 0.0

    # --- dynamics ----------------------------------------------------------------
    def advance(self, h):
        """Exact propagation of every receptor over one step of `h` ms."""
        for k, kind in enumerate(self.kinds):
            if kind == "delta":
                continue
            if kind.endswith("alpha"):
                self.y[k] = (self.y[k] + h * self.x[k]) * self.decay[k]
                self.x[k] *= self.decay[k]
            elif kind == "cond_beta":
                self.y[k] *= self.decay[k]
                self.x[k] *= self.decay_rise[k]
            else:
                self.y[k] *= self.decay[k]

    def arrive(self, amounts):
        """Add arriving weights, `amounts` of shape (R, n) (delta receptors excluded)."""
        for k, kind in enumerate(self.kinds):
            a = amounts[k]
            if kind == "delta":
                continue
            if kind.endswith("alpha"):
                self.x[k] += a * self.arrival_gain[k]
            elif kind == "cond_beta":
                g = a * self.arrival_gain[k]
                self.y[k] += g
                self.x[k] += g
            else:
                self.y[k] += a

    def reset(self):
        self.y[:] = 0.0
        self.x[:] = 0.0
