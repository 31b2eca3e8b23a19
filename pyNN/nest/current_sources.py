"""NEST current sources: one NEST generator per source, connected with NEST's min_delay.

Generator times are shifted by ``state.device_shift`` so that the current acts on the
steps given by the library's convention (see simulator.py). NoisyCurrentSource plays
the core's noise trace through a step_current_generator, so that the noise is the same
as on every other backend and all targets of one source receive the same current.
"""

import warnings

import nest
import numpy as np

from pyNN.common.current_sources import CurrentSourceMixin, current_source_classes
from pyNN.nest import simulator
from pyNN.nest.standardmodels import electrodes as tables
from pyNN.parameters import ArrayParameter


class NestCurrentSource(CurrentSourceMixin):
    """NEST behaviour shared by the four current sources."""

    _simulator = simulator

    def _create_device(self):
        model = "step_current_generator" if self._is_noise() else self.native_name
        self._device = nest.Create(model)
        self._push_parameters()

    def _is_noise(self):
        return getattr(self, "draws_noise", False)

    def _connect(self, root, indices):
        targets = root._nodes[np.asarray(indices).tolist()]
        simulator.state.connect_device(self._device, targets)

    def _push_parameters(self):
        state = simulator.state
        if self._is_noise():
            self._push_noise(state.steps)
            return
        native = type(self).translate(self._values())
        shift = state.device_shift
        out = {}
        for name, value in native.items():
            if isinstance(value, ArrayParameter):
                value = value.value
            if name in ("start", "stop"):
                value = float(value) + shift
            elif name == "amplitude_times":
                value = (np.rint(np.asarray(value, dtype=float) / state.dt) * state.dt + shift).tolist()
            elif isinstance(value, np.ndarray):
                value = value.tolist()
            out[name] = value
        if "amplitude_times" in out:
            out["amplitude_times"] = self._not_before_next_step(out["amplitude_times"])
            # times rounded onto one step: the last amplitude given for that step holds (the
            # core's waveform rule); NEST refuses repeated steps
            steps = np.rint(np.asarray(out["amplitude_times"]) / state.dt).astype(np.int64)
            last = np.append(steps[1:] != steps[:-1], True) if steps.size else np.zeros(0, bool)
            out["amplitude_times"] = np.asarray(out["amplitude_times"])[last].tolist()
            out["amplitude_values"] = np.asarray(out["amplitude_values"], dtype=float)[last].tolist()
        if "stop" in out:
            out["stop"] = min(out["stop"], 1e9)  # NEST's time range is bounded
        if "phase" in out:
            # NEST's ac_generator phase refers to NEST time 0; the standard phase refers to `start`
            out["phase"] = (out["phase"] - 360.0 * out["frequency"] / 1000.0 * out["start"]) % 360.0
        self._device.set(out)

    def _not_before_next_step(self, nest_times):
        """NEST times of changes of amplitude, none before the first one NEST still applies.

        NEST applies an amplitude time only if it lies after the kernel's current time, and
        silently ignores earlier ones. With the generator's connection of NEST's min_delay
        (``state.comm_delay``), after a run to user time t the first user time it can still
        apply is t + comm_delay + dt (t + 2 dt with the usual one-step min_delay). A change
        given for an earlier time is moved there, and holds from then on, with a warning: on
        NEST it acts up to comm_delay + dt later than on the other backends.
        """
        state = simulator.state
        times = np.asarray(nest_times, dtype=float)
        if not state.warmed_up or times.size == 0:
            return times.tolist()
        earliest = state.nest_time(state.t) + state.dt
        late = times < earliest - 0.5 * state.dt
        if late.any():
            first = earliest - state.device_shift
            warnings.warn(
                f"{type(self).__name__}: {int(late.sum())} change(s) of amplitude before {first:g} ms act "
                f"from {first:g} ms on NEST (current time {state.t:g} ms): NEST's generator has already "
                f"sent the current of the steps before", UserWarning, stacklevel=4)
            times = np.where(late, earliest, times)
        return times.tolist()

    def _push_noise(self, from_step, to_step=None):
        state = simulator.state
        to_step = state.steps if to_step is None else to_step
        times, amps = self.noise_samples(to_step * state.dt + state.dt)
        later = times > from_step * state.dt - 1e-9 * state.dt
        if from_step > 0:
            later &= times > (from_step * state.dt) + 1e-9 * state.dt
        times, amps = times[later], amps[later]
        if times.size == 0:
            return
        nest_times = np.rint(times / state.dt) * state.dt + state.device_shift
        self._device.set({"amplitude_times": nest_times.tolist(),
                          "amplitude_values": (amps * 1000.0).tolist()})

    def _prepare_run(self, end_steps):
        if self._is_noise():
            self._push_noise(simulator.state.steps, end_steps)


DCSource, ACSource, StepCurrentSource, NoisyCurrentSource = current_source_classes(
    NestCurrentSource, tables).values()
