"""s16.15 numerics of the ``spinnaker1`` profile (mapping numerics ``kind == "s1615"``).

- IF_curr_exp runs tick by tick in integer arithmetic with sPyNNaker's order of
  operations (``pyNN.hardware.fixedpoint.lif_curr_exp_step_s1615``): int32 s16.15 state,
  u0.32 decays, the tick's ring-buffer input added first (so an input acts on v one tick
  earlier than in the ``ideal`` engine, within the one-tick bound), refractory period of
  ceil(tau_refrac/dt) ticks.
- The ring buffer holds stored (16-bit) weights per (post population, receptor) with the
  mapper's weight shift; a sum above 2**bits - 1 saturates and is counted.
- The other LIF types of the profile run on the float engine with their state rounded to
  the s16.15 grid (and saturated to its range) after every tick, and ceil(tau_refrac/dt)
  refractory ticks.
"""

import numpy as np

from pyNN.hardware.engine.neurons import NeuronGroup

LSB = 2.0 ** -15
RANGE = 65536.0


def _fixedpoint():
    from pyNN.hardware import fixedpoint  # HW-MAPPER's module, imported only for this profile
    return fixedpoint


class RingInput:
    """Converts a tick's summed (float, realised) weights into saturated stored-weight
    sums and s16.15 input, per receptor, with the mapper's shift."""

    def __init__(self, shifts, bits=16, saturate=True):
        self.shifts = list(shifts)
        self.bits = int(bits)
        self.saturate = bool(saturate)
        self.saturations = 0

    def to_s1615(self, k, amounts):
        fx = _fixedpoint()
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
        fx = _fixedpoint()
        self.rounding = self.numerics.get("rounding") or "nearest"
        self.const = fx.lif_constants_s1615(self.params, self.h, self.rounding)
        self.i_offset = np.asarray(self.params["i_offset"], float)
        self.threshold = np.asarray(self.params["v_thresh"], float)
        self.v_reset = np.asarray(self.params["v_reset"], float)

    # state in standard units <-> raw
    @property
    def v(self):
        return _fixedpoint().s1615_to_float(self.raw_v)

    @v.setter
    def v(self, values):
        if hasattr(self, "raw_v"):
            self.raw_v = _fixedpoint().s1615_from_float(np.asarray(values, float))

    def set_state(self, name, values, indices):
        fx = _fixedpoint()
        raw = fx.s1615_from_float(np.asarray(values, float))
        target = {"v": self.raw_v, "isyn_exc": self.raw_exc, "isyn_inh": self.raw_inh}.get(name)
        if target is not None:
            target[indices] = raw

    def get(self, name):
        fx = _fixedpoint()
        raw = {"v": self.raw_v, "isyn_exc": self.raw_exc, "isyn_inh": self.raw_inh}[name]
        return fx.s1615_to_float(raw)

    def reset_dynamic_state(self):
        self.raw_ref[:] = 0
        self.raw_exc[:] = 0
        self.raw_inh[:] = 0

    def integrate(self, i_ext):
        self._i_ext = i_ext

    def arrive(self, amounts):
        self._exc = self.ring.to_s1615(0, amounts[0])
        self._inh = self.ring.to_s1615(1, amounts[1])

    def fire(self):
        fx = _fixedpoint()
        c = self.const
        if np.any(self._i_ext):
            c = c._replace(i_offset=fx.s1615_from_float(self.i_offset + self._i_ext))
        result = fx.lif_curr_exp_step_s1615(
            self.raw_v, self.raw_exc, self.raw_inh, self.raw_ref, self._exc, self._inh, c,
            rounding=self.rounding, saturate=bool(self.numerics.get("saturate", True)),
            scale_input_by_init=bool(self.numerics.get("scale_input_by_init", True)))
        self.raw_v, self.raw_exc, self.raw_inh, self.raw_ref = result.v, result.i_exc, result.i_inh, result.refrac
        self.saturations += int(result.n_saturated)
        return np.flatnonzero(result.spiked)


def quantise_state(group):
    """Round a float group's state to the s16.15 grid, saturating to its range; returns
    the number of saturated values."""
    n_sat = 0
    arrays = [group.receptors.y, group.receptors.x]
    for arr in arrays:
        over = np.abs(arr) >= RANGE
        n_sat += int(over.sum())
        np.clip(np.rint(arr / LSB) * LSB, -RANGE, RANGE - LSB, out=arr)
    over = np.abs(group.v) >= RANGE
    n_sat += int(over.sum())
    group.v = np.clip(np.rint(group.v / LSB) * LSB, -RANGE, RANGE - LSB)
    return n_sat


def convert_for_s1615(group, numerics, shifts):
    """The group to run under s16.15 numerics: a fixed-point IF_curr_exp group (state
    carried over), or `group` itself marked for state quantisation."""
    if type(group).__name__ == "LIFCurrent" and group.receptors.kinds == ["curr_exp", "curr_exp"]:
        ring = RingInput(shifts, numerics.get("ring_buffer_bits", 16), numerics.get("ring_buffer_saturate", True))
        new = LIFCurrExpS1615(group.n, group.params, group.receptors.specs, group.h, group.rng, numerics, ring)
        new.raw_v = _fixedpoint().s1615_from_float(group.v)
        new.raw_exc = _fixedpoint().s1615_from_float(group.receptors.y[0])
        new.raw_inh = _fixedpoint().s1615_from_float(group.receptors.y[1])
        new.recording = group.recording
        new.index = group.index
        return new
    group.quantise = True
    if numerics.get("refractory_rounding") == "ceil" and "tau_refrac" in group.params:
        # sPyNNaker counts ceil(tau_refrac / dt) refractory ticks
        group.ref_steps = np.ceil(np.asarray(group.params["tau_refrac"], float) / group.h - 1e-9).astype(np.int64)
    return group
