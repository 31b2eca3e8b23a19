"""Neuron models of the engine, vectorised over the cells of one group (numpy).

Every model advances its cells by one step ``h`` in three calls, in this order (see
:mod:`pyNN.hardware.engine.core` for the step cycle):

1. ``integrate(i_ext)``: the sub-threshold dynamics from t to t + h, with the external
   current ``i_ext`` (nA, one value per cell: i_offset plus current sources) held over
   the step and the synaptic state of time t;
2. ``arrive(amounts)``: weights arriving at t + h (shape (R, n), one row per receptor);
3. ``fire()``: threshold test at t + h, reset and refractoriness; returns the indices
   of the cells that spike at t + h.

Integration methods (``ideal`` profile, float64):

- LIF with current-based synapses (exp, alpha, delta): exact integration of the linear
  system, as NEST's iaf_psc_* models do;
- conductance-based LIF (and GIF): exponential integration with the conductances at the
  middle of the step (second order, unconditionally stable);
- AdExp, Hodgkin-Huxley: classical Runge-Kutta (RK4) on a fine internal step;
- Izhikevich: the Euler scheme of NEST's ``izhikevich`` model (whose parameters are
  defined for it).

Refractoriness as in NEST: after a spike, v is held at v_reset for
``ceil(tau_refrac / dt)`` steps while the synapses keep evolving.
"""

import numpy as np

import pyNN.hardware.engine.kernels as kernels
from pyNN.hardware.engine.receptors import ReceptorBank


def _steps(tau, h):
    """Whole steps of a refractory period: counted up, as NEST does (and as the core puts an
    off-grid tau_refrac on the grid); an analog profile's realised period at its internal
    step counts the same way."""
    return np.ceil(np.asarray(tau, dtype=float) / h - 1e-6).astype(np.int64)


def _expm1_ratio(a, h):
    """(1 - exp(-a h)) / a, also for a -> 0."""
    ah = a * h
    small = np.abs(ah) < 1e-8
    safe = np.where(small, 1.0, a)
    return np.where(small, h, -np.expm1(-ah) / safe)


def _second_moment(a, h):
    """integral_0^h s exp(-a s) ds, also for a -> 0."""
    ah = a * h
    small = np.abs(ah) < 1e-4
    safe = np.where(small, 1.0, a)
    exact = (1.0 - np.exp(-ah) * (1.0 + ah)) / safe ** 2
    series = h * h * (0.5 - ah / 3.0 + ah * ah / 8.0)
    return np.where(small, series, exact)


class NeuronGroup:
    """Base of the neuron models: parameters, receptors, refractoriness, recording."""

    kind = "neuron"
    #: state variables (standard names) other than receptor values
    state_names = ("v",)

    def __init__(self, n, params, receptor_specs, h, rng=None):
        self.n = n
        self.h = h
        self.rng = rng
        self.params = params
        self.receptors = ReceptorBank(receptor_specs, n)
        self.ref = np.zeros(n, dtype=np.int64)
        #: cells held at v_reset during the step being taken (refractory when it began)
        self.held = np.zeros(n, dtype=bool)
        self.v = np.zeros(n)
        self.set_parameters(params)

    # --- parameters ----------------------------------------------------------------
    def set_parameters(self, params):
        """(Re)compute everything derived from the parameters (standard units)."""
        self.params = params
        self.receptors.set_specs(self.receptor_specs_from(params))
        self.receptors.prepare(self.h)
        self.prepare()

    def receptor_specs_from(self, params):
        return self.receptors.specs

    def prepare(self):
        pass

    # --- state -----------------------------------------------------------------------
    def receptor_of_variable(self, name):
        """Receptor index holding the standard state variable `name`, or None."""
        table = {"isyn_exc": "excitatory", "isyn_inh": "inhibitory",
                 "gsyn_exc": "excitatory", "gsyn_inh": "inhibitory"}
        receptor = table.get(name)
        if receptor is None and "." in name:
            receptor = name.split(".", 1)[0]
        return self.receptors.index.get(receptor)

    def set_state(self, name, values, indices):
        k = self.receptor_of_variable(name)
        if k is not None:
            self.receptors.set_value(k, values, indices)
        else:
            self._set_own_state(name, values, indices)

    def _set_own_state(self, name, values, indices):
        getattr(self, name)[indices] = values

    def get(self, name):
        """Current value of a recordable (standard units), one value per cell."""
        k = self.receptor_of_variable(name)
        if k is not None:
            return self.receptors.value(k).copy()
        return np.asarray(getattr(self, name), dtype=float).copy()

    def reset_dynamic_state(self):
        """Forget everything that is not an initial value (refractoriness, synapses)."""
        self.ref[:] = 0
        self.held[:] = False
        self.receptors.reset()

    # --- one step ----------------------------------------------------------------------
    def integrate(self, i_ext):
        """Advance the sub-threshold dynamics by one step (every model defines it)."""
        raise NotImplementedError  # builtin on purpose: an abstract method, a Python protocol error

    def arrive(self, amounts):
        self.receptors.arrive(amounts)
        for k, kind in enumerate(self.receptors.kinds):
            if kind == "delta":
                # as NEST: spikes arriving during the refractory period are discarded, in
                # every step that began refractory (the last one included, although
                # integrate() has already counted it down)
                self.v += np.where(self.held, 0.0, self.receptors.specs[k].sign * amounts[k])

    def fire(self):
        spiking = np.flatnonzero(self.v >= self.threshold)
        if spiking.size:
            self.v[spiking] = self.v_reset[spiking]
            self.ref[spiking] = self.ref_steps[spiking]
            self.after_spike(spiking)
        return spiking

    def after_spike(self, spiking):
        pass

    def _lif_common(self):
        p = self.params
        self.cm = np.asarray(p["cm"], float)
        self.tau_m = np.asarray(p["tau_m"], float)
        self.v_rest = np.asarray(p["v_rest"], float)
        self.v_reset = np.asarray(p["v_reset"], float)
        self.threshold = np.asarray(p["v_thresh"], float) if "v_thresh" in p else np.full(self.n, np.inf)
        self.i_offset = np.asarray(p.get("i_offset", np.zeros(self.n)), float)
        self.ref_steps = _steps(p["tau_refrac"], self.h)


class LIFCurrent(NeuronGroup):
    """LIF with current-based receptors (exp, alpha or delta), exact integration."""

    def prepare(self):
        self._lif_common()
        h = self.h
        self.p22 = np.exp(-h / self.tau_m)
        self.p20 = self.tau_m / self.cm * (1.0 - self.p22)
        # effect on v of each receptor's current during one step, per unit of state
        self.k_y = []
        self.k_x = []
        for spec in self.receptors.specs:
            if spec.kind == "delta":
                self.k_y.append(None)
                self.k_x.append(None)
                continue
            a = 1.0 / spec.tau - 1.0 / self.tau_m
            self.k_y.append(spec.sign * self.p22 * _expm1_ratio(a, h) / self.cm)
            self.k_x.append(spec.sign * self.p22 * _second_moment(a, h) / self.cm
                            if spec.kind == "curr_alpha" else None)

    def integrate(self, i_ext):
        rec = self.receptors
        dv = (self.v - self.v_rest) * self.p22 + self.v_rest + (self.i_offset + i_ext) * self.p20
        for k in range(len(rec)):
            if self.k_y[k] is not None:
                dv += self.k_y[k] * rec.y[k]
                if self.k_x[k] is not None:
                    dv += self.k_x[k] * rec.x[k]
        refractory = self.ref > 0
        self.held = refractory
        self.v = np.where(refractory, self.v_reset, dv)
        self.ref[refractory] -= 1
        rec.advance(self.h)


class LIFConductance(NeuronGroup):
    """LIF with conductance-based receptors; optional spike-triggered conductances
    (IF_cond_exp_gsfa_grr's g_s and g_r, in nS)."""

    state_names = ("v", "g_s", "g_r")

    def __init__(self, n, params, receptor_specs, h, rng=None, adaptation=False):
        self.adaptation = adaptation
        self.g_s = np.zeros(n)
        self.g_r = np.zeros(n)
        super().__init__(n, params, receptor_specs, h, rng)

    def prepare(self):
        self._lif_common()
        self.g_leak = self.cm / self.tau_m
        if self.adaptation:
            p = self.params
            self.decay_sfa_half = np.exp(-0.5 * self.h / np.asarray(p["tau_sfa"], float))
            self.decay_rr_half = np.exp(-0.5 * self.h / np.asarray(p["tau_rr"], float))

    def _conductances_mid(self):
        """(total conductance, sum of g E) at the middle of the step, leak included."""
        rec = self.receptors
        g_tot = self.g_leak.copy()
        g_e = self.g_leak * self.v_rest
        for k, spec in enumerate(rec.specs):
            g = rec.value_mid(k)
            g_tot += g
            g_e += g * spec.e_rev
        if self.adaptation:
            p = self.params
            gs = 1e-3 * self.g_s * self.decay_sfa_half
            gr = 1e-3 * self.g_r * self.decay_rr_half
            g_tot += gs + gr
            g_e += gs * p["e_rev_sfa"] + gr * p["e_rev_rr"]
        return g_tot, g_e

    def integrate(self, i_ext):
        g_tot, g_e = self._conductances_mid()
        v_inf = (g_e + (self.i_offset + i_ext)) / g_tot
        new_v = v_inf + (self.v - v_inf) * np.exp(-self.h * g_tot / self.cm)
        refractory = self.ref > 0
        self.v = np.where(refractory, self.v_reset, new_v)
        self.ref[refractory] -= 1
        self.receptors.advance(self.h)
        if self.adaptation:
            self.g_s *= self.decay_sfa_half ** 2
            self.g_r *= self.decay_rr_half ** 2

    def after_spike(self, spiking):
        if self.adaptation:
            self.g_s[spiking] += self.params["q_sfa"][spiking]
            self.g_r[spiking] += self.params["q_rr"][spiking]


class _RK4Group(NeuronGroup):
    """Models integrated with RK4 on `rk_steps` internal steps per time step.

    Synaptic conductances are known exactly inside the step (linear kinetics) and are
    evaluated at each internal time."""

    max_internal_step = 0.01  # ms

    #: the engine's threads (set by Engine.add_group); None: one thread
    team = None

    def in_ranges(self, part):
        """Run the compiled ``part(lo, hi)`` over every cell, split over the engine's threads
        if it pays (each cell's update is independent of the others: engine.threads)."""
        if self.team is None:
            part(0, self.n)
        else:
            # an RK4 step costs some 50 times a LIF step, hence the smaller ranges
            self.team.run(part, self.n, self.team.parts(self.n * 50, self.team.min_cells))

    def prepare_rk_steps(self):
        self.rk_steps = max(1, int(np.ceil(self.h / self.max_internal_step - 1e-9)))

    def synaptic_current(self, v, s):
        """Synaptic current (nA) at time `s` into the step, for membrane potential v."""
        rec = self.receptors
        total = np.zeros(self.n)
        for k, spec in enumerate(rec.specs):
            if spec.kind == "delta":
                continue
            g = rec.value_at(k, s)
            if spec.e_rev is not None:
                total += g * (spec.e_rev - v)
            else:
                total += spec.sign * g
        return total


class AdExp(_RK4Group):
    """Adaptive exponential integrate-and-fire (Brette & Gerstner 2005), RK4."""

    state_names = ("v", "w")
    max_internal_step = 0.025

    def __init__(self, n, params, receptor_specs, h, rng=None):
        self.w = np.zeros(n)
        self.b_given = np.zeros(n, dtype=bool)  # cells whose w jumped inside the last step
        super().__init__(n, params, receptor_specs, h, rng)

    def prepare(self):
        self._lif_common()
        p = self.params
        self.g_leak = self.cm / self.tau_m
        self.delta_t = np.asarray(p["delta_T"], float)
        self.v_t = np.asarray(p["v_thresh"], float)
        self.a = 1e-3 * np.asarray(p["a"], float)  # nS -> uS
        self.b = np.asarray(p["b"], float)
        self.tau_w = np.asarray(p["tau_w"], float)
        exp_on = self.delta_t > 0
        self.threshold = np.where(exp_on, np.asarray(p["v_spike"], float), self.v_t)
        self.safe_delta = np.where(exp_on, self.delta_t, 1.0)
        self.exp_on = exp_on
        self.prepare_rk_steps()

    def _derivatives(self, v, w, i_ext, s, frozen, crossed):
        v_c = np.minimum(v, self.threshold)  # the exponential term stays finite past the peak
        spike_current = np.where(self.exp_on, self.g_leak * self.delta_t
                                 * np.exp((v_c - self.v_t) / self.safe_delta), 0.0)
        dv = (-self.g_leak * (v - self.v_rest) + spike_current - w + i_ext
              + self.synaptic_current(v, s)) / self.cm
        dv = np.where(frozen, 0.0, dv)
        # a cell that crossed the peak in this step is reset there (as NEST and NEURON do):
        # v is kept above the peak only for fire() to see it, w already sees v_reset
        dw = (self.a * (np.where(crossed, self.v_reset, v) - self.v_rest) - w) / self.tau_w
        return dv, dw

    def integrate(self, i_ext):
        i_tot = self.i_offset + i_ext
        if kernels.use_numba():
            tables = self.receptors.kernel_tables()

            def part(lo, hi):
                kernels.adex_integrate(self.v, self.w, self.ref, i_tot, self.v_reset, self.threshold, self.g_leak,
                                       self.delta_t, self.v_t, self.safe_delta, self.exp_on, self.v_rest, self.a,
                                       self.tau_w, self.cm, *tables, self.receptors.y, self.receptors.x, self.h,
                                       self.rk_steps, self.b, self.b_given, lo, hi)
            self.in_ranges(part)
            self.receptors.advance(self.h)
            return
        refractory = self.ref > 0
        v = np.where(refractory, self.v_reset, self.v)
        w = self.w
        hs = self.h / self.rk_steps
        crossed = np.zeros(self.n, dtype=bool)
        for j in range(self.rk_steps):
            frozen = refractory | crossed
            s = j * hs
            k1v, k1w = self._derivatives(v, w, i_tot, s, frozen, crossed)
            k2v, k2w = self._derivatives(v + 0.5 * hs * k1v, w + 0.5 * hs * k1w, i_tot, s + 0.5 * hs, frozen,
                                         crossed)
            k3v, k3w = self._derivatives(v + 0.5 * hs * k2v, w + 0.5 * hs * k2w, i_tot, s + 0.5 * hs, frozen,
                                         crossed)
            k4v, k4w = self._derivatives(v + hs * k3v, w + hs * k3w, i_tot, s + hs, frozen, crossed)
            v = v + hs / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
            w = w + hs / 6.0 * (k1w + 2 * k2w + 2 * k3w + k4w)
            new = (~refractory) & (~crossed) & (v >= self.threshold)
            w = w + np.where(new, self.b, 0.0)  # the jump at the crossing, as NEST and NEURON
            crossed |= new
        self.v = np.where(refractory, self.v_reset, v)
        self.w = w
        self.b_given = crossed
        self.ref[refractory] -= 1
        self.receptors.advance(self.h)

    def after_spike(self, spiking):
        # cells that crossed during integrate() got their jump there; others (pushed over
        # the peak by a voltage-jump arrival) get it now
        self.w[spiking] += np.where(self.b_given[spiking], 0.0, self.b[spiking])


def _vtrap(x, k):
    """x / (exp(x / k) - 1), also at x = 0."""
    r = x / k
    small = np.abs(r) < 1e-6
    return np.where(small, k * (1.0 - 0.5 * r), x / np.where(small, 1.0, np.expm1(r)))


class HodgkinHuxley(_RK4Group):
    """Traub-Miles Hodgkin-Huxley neuron (as NEST's hh_cond_exp_traub), RK4 on 0.01 ms.

    A spike is reported, as by NEST, at the step where v (above v_offset + 30 mV) begins
    to fall, with a detection dead time of 2 ms."""

    state_names = ("v", "m", "n", "h")

    def __init__(self, n, params, receptor_specs, h, rng=None):
        self.m = np.zeros(n)
        self.n_gate = np.zeros(n)
        self.h_gate = np.ones(n)
        super().__init__(n, params, receptor_specs, h, rng)

    def _set_own_state(self, name, values, indices):
        attr = {"n": "n_gate", "h": "h_gate"}.get(name, name)
        getattr(self, attr)[indices] = values

    def get(self, name):
        if name == "n":
            return self.n_gate.copy()
        if name == "h":
            return self.h_gate.copy()
        return super().get(name)

    def prepare(self):
        p = self.params
        self.cm = np.asarray(p["cm"], float)
        self.i_offset = np.asarray(p["i_offset"], float)
        self.threshold = np.asarray(p["v_offset"], float) + 30.0
        self.kernel_parameters = np.array([np.broadcast_to(np.asarray(p[name], float), (self.n,)) for name in (
            "v_offset", "gbar_Na", "e_rev_Na", "gbar_K", "e_rev_K", "g_leak", "e_rev_leak", "cm")])
        self.prepare_rk_steps()

    def _derivatives(self, v, m, n, hg, i_ext, s):
        p = self.params
        u = v - p["v_offset"]
        alpha_n = 0.032 * _vtrap(15.0 - u, 5.0)
        beta_n = 0.5 * np.exp((10.0 - u) / 40.0)
        alpha_m = 0.32 * _vtrap(13.0 - u, 4.0)
        beta_m = 0.28 * _vtrap(u - 40.0, 5.0)
        alpha_h = 0.128 * np.exp((17.0 - u) / 18.0)
        beta_h = 4.0 / (1.0 + np.exp((40.0 - u) / 5.0))
        i_na = p["gbar_Na"] * m ** 3 * hg * (v - p["e_rev_Na"])
        i_k = p["gbar_K"] * n ** 4 * (v - p["e_rev_K"])
        i_l = p["g_leak"] * (v - p["e_rev_leak"])
        dv = (-i_na - i_k - i_l + i_ext + self.synaptic_current(v, s)) / self.cm
        return (dv, alpha_m * (1 - m) - beta_m * m, alpha_n * (1 - n) - beta_n * n,
                alpha_h * (1 - hg) - beta_h * hg)

    def integrate(self, i_ext):
        i_tot = self.i_offset + i_ext
        if kernels.use_numba():
            self.v_before = self.v.copy()
            tables = self.receptors.kernel_tables()

            def part(lo, hi):
                kernels.hh_integrate(self.v, self.m, self.n_gate, self.h_gate, i_tot, self.kernel_parameters,
                                     *tables, self.receptors.y, self.receptors.x, self.h, self.rk_steps, lo, hi)
            self.in_ranges(part)
            self.receptors.advance(self.h)
            return
        y = [self.v, self.m, self.n_gate, self.h_gate]
        hs = self.h / self.rk_steps
        self.v_before = self.v.copy()
        for j in range(self.rk_steps):
            s = j * hs
            k1 = self._derivatives(*y, i_tot, s)
            k2 = self._derivatives(*[a + 0.5 * hs * b for a, b in zip(y, k1)], i_tot, s + 0.5 * hs)
            k3 = self._derivatives(*[a + 0.5 * hs * b for a, b in zip(y, k2)], i_tot, s + 0.5 * hs)
            k4 = self._derivatives(*[a + hs * b for a, b in zip(y, k3)], i_tot, s + hs)
            y = [a + hs / 6.0 * (b1 + 2 * b2 + 2 * b3 + b4) for a, b1, b2, b3, b4 in zip(y, k1, k2, k3, k4)]
        self.v, self.m, self.n_gate, self.h_gate = y
        self.receptors.advance(self.h)

    #: spike-detection dead time (ms), NEST's default t_ref of hh_cond_exp_traub
    detection_dead_time = 2.0

    def fire(self):
        # as NEST: a spike is the step at which v, above v_offset + 30 mV, starts to fall
        free = self.ref == 0
        self.ref[~free] -= 1
        spiking = np.flatnonzero(free & (self.v >= self.threshold) & (self.v_before > self.v))
        self.ref[spiking] = round(self.detection_dead_time / self.h)
        return spiking


class Izhikevich(NeuronGroup):
    """Izhikevich (2003) neuron with the Euler scheme of NEST's ``izhikevich`` model.

    As in NEST, the external current enters the equation in pA (i_offset in nA x 1000).
    """

    state_names = ("v", "u")

    def __init__(self, n, params, receptor_specs, h, rng=None):
        self.u = np.zeros(n)
        super().__init__(n, params, receptor_specs, h, rng)

    def prepare(self):
        p = self.params
        self.i_offset = np.asarray(p["i_offset"], float)
        self.threshold = np.full(self.n, 30.0)
        self.v_reset = np.asarray(p["c"], float)

    def integrate(self, i_ext):
        p = self.params
        h = self.h
        v_old, u_old = self.v, self.u
        current = 1000.0 * (self.i_offset + i_ext)
        self.v = v_old + h * (0.04 * v_old * v_old + 5.0 * v_old + 140.0 - u_old + current)
        self.u = u_old + h * p["a"] * (p["b"] * v_old - u_old)

    def arrive(self, amounts):
        for k, spec in enumerate(self.receptors.specs):
            self.v += spec.sign * amounts[k]

    def fire(self):
        spiking = np.flatnonzero(self.v >= 30.0)
        if spiking.size:
            self.v[spiking] = self.params["c"][spiking]
            self.u[spiking] += self.params["d"][spiking]
        return spiking


def _kernel_matrix(values, n):
    """Per-cell ArrayParameters (object array) -> float array (K, n)."""
    rows = [np.asarray(getattr(v, "value", v), dtype=float) for v in np.atleast_1d(values)]
    if len(rows) == 1 and n != 1:
        rows = rows * n
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        from pyNN import errors
        raise errors.InvalidParameterValueError(
            "GIF_cond_exp on the hardware backend: every cell of a population needs the same number "
            "of tau_eta/tau_gamma kernels")
    return np.array(rows, dtype=float).T.reshape(-1, n)


class GIF(LIFConductance):
    """Generalised integrate-and-fire with escape noise (as NEST's gif_cond_exp): a
    spike-triggered current (sum of exponentials, ``i_eta``) and a moving threshold
    (``v_t`` = v_t_star + sum of exponentials); firing probability per step
    ``1 - exp(-lambda0 exp((v - v_t)/delta_v) dt)``."""

    state_names = ("v", "i_eta", "v_t")

    def __init__(self, n, params, receptor_specs, h, rng=None):
        self.eta = None
        self.gamma = None
        #: (indices, values) of each v_t set since the last step: the kernels hold
        #: v_t - v_t_star, and a v_t_star set with it reaches the group only when the network
        #: is mapped for the next run, so prepare() takes the offsets again then
        self._v_t_given = []
        #: (i_eta, v_t) taken at the start of the last step (None before a step)
        self._step_sums = None
        super().__init__(n, params, receptor_specs, h, rng)

    def prepare(self):
        super().prepare()
        p = self.params
        self.tau_eta = _kernel_matrix(p["tau_eta"], self.n)
        self.a_eta = _kernel_matrix(p["a_eta"], self.n)
        self.tau_gamma = _kernel_matrix(p["tau_gamma"], self.n)
        self.a_gamma = _kernel_matrix(p["a_gamma"], self.n)
        if self.eta is None or self.eta.shape != self.tau_eta.shape:
            self.eta = np.zeros(self.tau_eta.shape)
        if self.gamma is None or self.gamma.shape != self.tau_gamma.shape:
            self.gamma = np.zeros(self.tau_gamma.shape)
        self.decay_eta = np.exp(-self.h / self.tau_eta)
        self.decay_gamma = np.exp(-self.h / self.tau_gamma)
        given, self._v_t_given = self._v_t_given, []
        for indices, values in given:
            self._set_own_state("v_t", values, indices)

    # As NEST's gif_cond_exp, each step takes the kernel sums at its start (before they decay
    # and before a spike of the step adds to them): the membrane integrates with that i_eta,
    # the escape noise compares v with that v_t, and they are the step's recorded values, so a
    # spike shows in i_eta and v_t from the next sample on. Before the first step (and after
    # a state is set) i_eta and v_t are the current sums.

    @property
    def i_eta(self):
        return self.eta.sum(axis=0) if self._step_sums is None else self._step_sums[0]

    @property
    def v_t(self):
        if self._step_sums is None:
            return self.params["v_t_star"] + self.gamma.sum(axis=0)
        return self._step_sums[1]

    def _set_own_state(self, name, values, indices):
        if name == "i_eta":
            self.eta[:, indices] = 0.0
            self.eta[0, indices] = values
            self._step_sums = None
        elif name == "v_t":
            self.gamma[:, indices] = 0.0
            self.gamma[0, indices] = np.asarray(values) - self.params["v_t_star"][indices]
            self._v_t_given.append((indices, values))
            self._step_sums = None
        else:
            super()._set_own_state(name, values, indices)

    def reset_dynamic_state(self):
        super().reset_dynamic_state()
        self._step_sums = None

    def integrate(self, i_ext):
        self._v_t_given = []
        self._step_sums = (self.eta.sum(axis=0), self.params["v_t_star"] + self.gamma.sum(axis=0))
        super().integrate(i_ext - self._step_sums[0])
        self.eta *= self.decay_eta
        self.gamma *= self.decay_gamma

    def fire(self):
        p = self.params
        rate = p["lambda0"] / 1000.0 * np.exp(np.minimum((self.v - self.v_t) / p["delta_v"], 50.0))
        prob = -np.expm1(-rate * self.h)
        draw = self.rng.random(self.n)
        spiking = np.flatnonzero((self.ref == 0) & (draw < prob))
        if spiking.size:
            self.v[spiking] = self.v_reset[spiking]
            self.ref[spiking] = self.ref_steps[spiking]
            self.eta[:, spiking] += self.a_eta[:, spiking]
            self.gamma[:, spiking] += self.a_gamma[:, spiking]
        return spiking
