"""s16.15 numerics of the ``spinnaker1`` profile (mapping numerics ``kind == "s1615"``).

Integer groups (int32 s16.15 state, u0.32 decays, int64 products; the kernels are in
:mod:`pyNN.hardware.numerics.fixedpoint`), refractory period of ceil(tau_refrac/dt) ticks:

- IF_curr_exp (``lif_curr_exp_step_s1615``) and IF_cond_exp (``lif_cond_exp_step_s1615``)
  in sPyNNaker's order of operations: the tick's ring-buffer input is added first (so an
  input acts on v one tick earlier than in the ``ideal`` engine), the membrane is updated
  in closed form with the current of the start of the tick, then the synapses decay;
- IF_curr_alpha and IF_curr_delta (``lif_curr_propagator_step_s1615``): the float
  engine's exact propagators, quantised, in the float engine's order.

The ring buffer holds stored (16-bit) weights per (post population, receptor) with the
mapper's weight shift; a sum above 2**bits - 1 saturates and is counted. Other LIF
variants (PointNeuron with named receptors, IF_cond_exp_gsfa_grr) run on the float engine
with their state rounded to the s16.15 grid (and saturated to its range) after every tick,
and ceil(tau_refrac/dt) refractory ticks.
"""

import numpy as np

import pyNN.hardware.engine.kernels as kernels
from pyNN.hardware.engine.neurons import GIF, LIFConductance, LIFCurrent, NeuronGroup
from pyNN.hardware.numerics import fixedpoint as fx

class RingInput:
    """Converts a tick's summed (float, realised) weights into saturated stored-weight
    sums and s16.15 input, per receptor, with the mapper's shift."""

    def __init__(self, shifts, bits=16, saturate=True):
        self.shifts = list(shifts)
        self.bits = int(bits)
        self.saturate = bool(saturate)
        self.saturations = 0

    def to_s1615(self, k, amounts):
        """s16.15 input (int64) of receptor `k` for the summed realised weights `amounts`."""
        shift = self.shifts[k]
        if shift is None:
            return fx.s1615_from_float(amounts).astype(np.int64)
        entries = np.rint(np.asarray(amounts) / fx.weight_lsb(shift)).astype(np.int64)
        top = (1 << self.bits) - 1
        over = entries > top
        if over.any():
            self.saturations += int(over.sum())
            entries = np.minimum(entries, top) if self.saturate else np.bitwise_and(entries, top)
        return fx.ring_buffer_to_s1615(entries, shift)


class LIFCurrExpS1615(NeuronGroup):
    """IF_curr_exp in s16.15 integer arithmetic, one timer tick per step."""

    def __init__(self, n, params, receptor_specs, h, rng=None, numerics=None, ring=None):
        self.numerics = numerics or {}
        self.ring = ring
        self.raw_v = np.zeros(n, dtype=np.int32)
        self.raw_exc = np.zeros(n, dtype=np.int32)
        self.raw_inh = np.zeros(n, dtype=np.int32)
        self.raw_ref = np.zeros(n, dtype=np.int32)
        self.saturations = 0
        super().__init__(n, params, receptor_specs, h, rng)

    def prepare(self):
        self.rounding = self.numerics.get("rounding") or "nearest"
        # constants are quantised once on the host (to nearest under stochastic rounding,
        # which applies to the products of every tick)
        self.host_rounding = "nearest" if self.rounding == "stochastic" else self.rounding
        self.const = fx.lif_constants_s1615(self.params, self.h, self.host_rounding)
        self.i_offset = np.asarray(self.params["i_offset"], float)
        self.threshold = np.asarray(self.params["v_thresh"], float)
        self.v_reset = np.asarray(self.params["v_reset"], float)

    # state in standard units <-> raw
    @property
    def v(self):
        return fx.s1615_to_float(self.raw_v)

    @v.setter
    def v(self, values):
        if hasattr(self, "raw_v"):
            self.raw_v = fx.s1615_from_float(np.asarray(values, float))

    def set_state(self, name, values, indices):
        raw = fx.s1615_from_float(np.asarray(values, float))
        target = self._raw_state().get(name)
        if target is not None:
            target[indices] = raw
        self._state_set(name, indices)

    def _state_set(self, name, indices):
        pass

    def _raw_state(self):
        return {"v": self.raw_v, "isyn_exc": self.raw_exc, "isyn_inh": self.raw_inh}

    def get(self, name):
        return fx.s1615_to_float(self._raw_state()[name])

    def reset_dynamic_state(self):
        self.raw_ref[:] = 0
        self.raw_exc[:] = 0
        self.raw_inh[:] = 0

    def integrate(self, i_ext):
        self._i_ext = i_ext

    def arrive(self, amounts):
        self._exc = self.ring.to_s1615(0, amounts[0])
        self._inh = self.ring.to_s1615(1, amounts[1])

    #: conductance-based (the compiled tick's switch)
    conductance = False

    def _compiled_tick(self, c):
        """The tick with the compiled kernel (deterministic rounding); spiking cells or None."""
        if not kernels.use_numba() or self.rounding not in ("nearest", "truncate"):
            return None
        e_rev = getattr(self, "raw_e_rev", (c.v_rest, c.v_rest))
        for name in ("raw_v", "raw_exc", "raw_inh", "raw_ref"):
            setattr(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.int32))
        spiked = np.zeros(self.n, dtype=np.bool_)
        n_sat = kernels.lif_s1615_tick(
            self.raw_v, self.raw_exc, self.raw_inh, self.raw_ref, np.asarray(self._exc, np.int64),
            np.asarray(self._inh, np.int64), c.v_rest, c.v_reset, c.v_thresh, c.r_membrane, c.exp_tc,
            np.asarray(c.i_offset, np.int64), c.refrac_ticks, c.decay_exc, c.decay_inh, c.init_exc, c.init_inh,
            e_rev[0], e_rev[1], self.conductance, bool(self.numerics.get("scale_input_by_init", True)),
            0 if self.rounding == "nearest" else 1, bool(self.numerics.get("saturate", True)), spiked)
        self.saturations += int(n_sat)
        return np.flatnonzero(spiked)

    def fire(self):
        c = self.const
        if np.any(self._i_ext):
            c = c._replace(i_offset=fx.s1615_from_float(self.i_offset + self._i_ext))
        compiled = self._compiled_tick(c)
        if compiled is not None:
            return compiled
        result = self._numpy_tick(c, rounding=self.rounding, saturate=bool(self.numerics.get("saturate", True)),
                                  scale_input_by_init=bool(self.numerics.get("scale_input_by_init", True)),
                                  rng=self.rng)
        self.raw_v, self.raw_exc, self.raw_inh, self.raw_ref = result.v, result.i_exc, result.i_inh, result.refrac
        self.saturations += int(result.n_saturated)
        return np.flatnonzero(result.spiked)

    def _numpy_tick(self, c, **options):
        """The integer tick on the numpy path (any rounding)."""
        return fx.lif_curr_exp_step_s1615(self.raw_v, self.raw_exc, self.raw_inh, self.raw_ref, self._exc,
                                          self._inh, c, **options)


class LIFCondExpS1615(LIFCurrExpS1615):
    """IF_cond_exp in s16.15 integer arithmetic (sPyNNaker's conductance input type:
    the current g (E - v) of the start of the tick is held over the tick)."""

    def prepare(self):
        super().prepare()
        self.raw_e_rev = [fx.s1615_from_float(np.broadcast_to(spec.e_rev, (self.n,)), self.host_rounding)
                          for spec in self.receptors.specs]

    def _raw_state(self):
        return {"v": self.raw_v, "gsyn_exc": self.raw_exc, "gsyn_inh": self.raw_inh}

    conductance = True

    def _numpy_tick(self, c, **options):
        return fx.lif_cond_exp_step_s1615(self.raw_v, self.raw_exc, self.raw_inh, self.raw_ref, self._exc,
                                          self._inh, c, self.raw_e_rev[0], self.raw_e_rev[1], **options)


class LIFCurrPropagatorS1615(LIFCurrExpS1615):
    """IF_curr_alpha and IF_curr_delta in s16.15 integer arithmetic: the exact
    propagators of the float engine, quantised, in the float engine's order (an input acts
    at the same step as on ``ideal``)."""

    def __init__(self, n, params, receptor_specs, h, rng=None, numerics=None, ring=None, kind="curr_alpha"):
        self.synapse_kind = kind  # (`kind` is the engine's group category)
        self.raw_x = np.zeros((2, n), dtype=np.int32)
        super().__init__(n, params, receptor_specs, h, rng, numerics, ring)

    def prepare(self):
        super().prepare()
        ref = LIFCurrent.__new__(LIFCurrent)  # the float engine's propagators for these parameters
        ref.n, ref.h, ref.params, ref.receptors = self.n, self.h, self.params, self.receptors
        LIFCurrent.prepare(ref)
        self.drive_per_na = ref.p20
        self.prop = fx.lif_propagators_s1615(
            self.params, self.h, self.synapse_kind, [None if k is None else np.abs(k) for k in ref.k_y],
            [None if k is None else np.abs(k) for k in ref.k_x], ref.p20, self.host_rounding)

    def _state_set(self, name, indices):
        if name in ("isyn_exc", "isyn_inh"):
            self.raw_x[0 if name == "isyn_exc" else 1, indices] = 0  # all of it in the decaying part

    def reset_dynamic_state(self):
        super().reset_dynamic_state()
        self.raw_x[:] = 0

    def _compiled_tick(self, c):
        return None

    def fire(self):
        c = self.prop
        if np.any(self._i_ext):
            c = c._replace(drive=fx.s1615_from_float((self.i_offset + self._i_ext) * self.drive_per_na))
        y = np.array([self.raw_exc, self.raw_inh])
        result = fx.lif_curr_propagator_step_s1615(
            self.raw_v, y, self.raw_x, self.raw_ref, np.array([self._exc, self._inh]), c, self.synapse_kind,
            rounding=self.rounding, saturate=bool(self.numerics.get("saturate", True)), rng=self.rng)
        self.raw_v, self.raw_ref, self.raw_x = result.v, result.refrac, result.x
        self.raw_exc, self.raw_inh = result.y[0].copy(), result.y[1].copy()
        self.saturations += int(result.n_saturated)
        return np.flatnonzero(result.spiked)


def quantise_state(group):
    """Round a float group's state to the s16.15 grid, saturating to its range; returns
    the number of saturated values."""
    lsb, lo, hi = fx.S1615_LSB, fx.S1615_MIN, fx.S1615_MAX
    n_sat = 0
    arrays = [group.receptors.y, group.receptors.x]
    for arr in arrays:
        over = np.abs(arr) >= -lo  # |x| >= 65536: outside the range
        n_sat += int(over.sum())
        np.clip(np.rint(arr / lsb) * lsb, lo, hi, out=arr)
    over = np.abs(group.v) >= -lo
    n_sat += int(over.sum())
    group.v = np.clip(np.rint(group.v / lsb) * lsb, lo, hi)
    return n_sat


def convert_for_s1615(group, numerics, shifts):
    """The group to run under s16.15 numerics: a fixed-point IF_curr_exp group (state
    carried over), or `group` itself marked for state quantisation."""
    kinds = group.receptors.kinds
    names = [spec.name for spec in group.receptors.specs]
    cls = extra = None
    if names == ["excitatory", "inhibitory"] and isinstance(group, LIFCurrent):
        if kinds == ["curr_exp", "curr_exp"]:
            cls, extra = LIFCurrExpS1615, {}
        elif kinds in (["curr_alpha", "curr_alpha"], ["delta", "delta"]):
            cls, extra = LIFCurrPropagatorS1615, {"kind": kinds[0]}
    elif (names == ["excitatory", "inhibitory"] and isinstance(group, LIFConductance)
          and not isinstance(group, GIF) and not group.adaptation and kinds == ["cond_exp", "cond_exp"]):
        cls, extra = LIFCondExpS1615, {}
    if cls is not None:
        ring = RingInput(shifts, numerics.get("ring_buffer_bits", 16), numerics.get("ring_buffer_saturate", True))
        new = cls(group.n, group.params, group.receptors.specs, group.h, group.rng, numerics, ring, **extra)
        new.raw_v = fx.s1615_from_float(group.v)
        new.raw_exc = fx.s1615_from_float(group.receptors.y[0])
        new.raw_inh = fx.s1615_from_float(group.receptors.y[1])
        if cls is LIFCurrPropagatorS1615:
            new.raw_x = fx.s1615_from_float(group.receptors.x)
        new.recording = group.recording
        new.index = group.index
        return new
    group.quantise = True
    if numerics.get("refractory_rounding") == "ceil" and "tau_refrac" in group.params:
        # sPyNNaker counts ceil(tau_refrac / dt) refractory ticks
        group.ref_steps = np.ceil(np.asarray(group.params["tau_refrac"], float) / group.h - 1e-9).astype(np.int64)
    return group
