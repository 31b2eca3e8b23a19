"""Helpers shared by the system-test scenarios.

Everything here uses only the public API of a backend module (the ``sim`` fixture), so
that the scenarios run unchanged on every backend. A backend that lacks a model or a
feature says so by raising :class:`pyNN.errors.NoModelAvailableError`; the helpers turn
that into a pytest skip carrying the backend's own message, which is what the support
matrix shows.
"""

import contextlib

import numpy as np
import pytest

from pyNN import errors


@contextlib.contextmanager
def backend_support():
    """Skip the current test, with the backend's reason, if it cannot do what is asked."""
    try:
        yield
    except errors.NoModelAvailableError as exc:
        pytest.skip(f"{type(exc).__name__}: {exc}")


#: library bugs known on one backend, not yet fixed: (backend module, key) -> reason
KNOWN_BUGS = {
    ("pyNN.nest", "source change lag"):
        "NEST backend: the kernel runs min_delay + dt ahead of user time, so a current-source "
        "parameter changed between runs acts min_delay + dt late, with a warning (the generator output "
        "for those steps is already in transit)",
    ("pyNN.nest", "spike source change lag"):
        "NEST backend: a spike_generator's spikes take NEST's min_delay to reach the network, so a spike "
        "time set between runs within min_delay of the current time cannot be delivered "
        "(NotSupportedError)",
    ("pyNN.brian2", "gif kernel sums"):
        "Brian2 backend: GIF_cond_exp's i_eta and v_t are the kernels' current sums, so a spike shows in "
        "them in the sample at the spike time and the escape noise sees the threshold after the step's "
        "decay; NEST (and NEURON, the emulator) take the sums at the start of each step, so the jump shows "
        "one sample later",
    ("pyNN.neuron", "conductance at the end of a run"):
        "NEURON backend: NEURON delivers an event due at the end of a step within that step or at the "
        "start of the next one, as the rounding of its clock falls; a recorded gsyn_exc / gsyn_inh taken "
        "(get_data, record, reset, ...) right after a run that ends when a spike arrives lacks the jump in "
        "the sample at the end of the run when NEURON has not delivered the spike yet (the next run's "
        "samples are exact)",
}


def known_bug(request, sim, key):
    """Mark the running test as a strict xfail if `key` is a known bug of this backend."""
    reason = KNOWN_BUGS.get((sim.__name__, key))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


def cell_type(sim, name, **parameters):
    """``getattr(sim, name)(**parameters)``, skipping if the backend lacks the type."""
    cls = getattr(sim, name, None)
    if cls is None:
        pytest.skip(f"backend {sim.__name__} does not export the cell type {name}")
    with backend_support():
        return cls(**parameters)


def population(sim, size, name, label=None, structure=None, **parameters):
    """A Population of the standard type `name`, skipping if the backend lacks it."""
    celltype = cell_type(sim, name, **parameters)
    with backend_support():
        return sim.Population(size, celltype, label=label, structure=structure)


def record(pop, variables, **kwargs):
    """pop.record(...), skipping if the backend cannot record one of `variables`."""
    with backend_support():
        pop.record(variables, **kwargs)


def run(sim, t):
    with backend_support():
        return sim.run(t)


def signal(segment, name):
    """The AnalogSignal called `name` in `segment` (exactly one must exist)."""
    found = [s for s in segment.analogsignals if s.name == name]
    assert len(found) == 1, f"expected one signal '{name}', got {[s.name for s in segment.analogsignals]}"
    return found[0]


def trace(segment, name, column=0):
    """(times in ms, values as a 1D float array) of one recorded cell."""
    sig = signal(segment, name)
    return np.asarray(sig.times.rescale("ms").magnitude), np.asarray(sig.magnitude)[:, column]


def spike_times(segment, index=0):
    """Spike times (ms, float array) of the `index`-th spike train in `segment`."""
    return np.asarray(segment.spiketrains[index].rescale("ms").magnitude)


# --- reference solutions -------------------------------------------------------------

def lif_charging(t, v_start, v_inf, tau_m):
    """Membrane of a leaky integrator relaxing from `v_start` towards `v_inf`."""
    return v_inf + (v_start - v_inf) * np.exp(-np.asarray(t) / tau_m)


def first_passage(v_start, v_inf, theta, tau_m):
    """Time for a leaky integrator starting at `v_start` to reach `theta` (inf if never)."""
    if v_inf <= theta:
        return np.inf
    return tau_m * np.log((v_inf - v_start) / (v_inf - theta))


def psp_exp(s, weight, cm, tau_m, tau_syn):
    """PSP (mV) at time `s` after arrival of an exponential current of peak `weight` nA."""
    s = np.asarray(s, dtype=float)
    out = weight / cm * tau_m * tau_syn / (tau_m - tau_syn) * (np.exp(-s / tau_m) - np.exp(-s / tau_syn))
    return np.where(s >= 0, out, 0.0)


def psp_alpha(s, weight, cm, tau_m, tau_syn):
    """PSP (mV) at `s` after arrival of an alpha current ``w e/tau s exp(-s/tau)`` (peak `weight`)."""
    s = np.asarray(s, dtype=float)
    a = 1.0 / tau_syn - 1.0 / tau_m
    sp = np.maximum(s, 0.0)
    out = weight * np.e / (cm * tau_syn) * np.exp(-sp / tau_m) * (1 - np.exp(-a * sp) * (1 + a * sp)) / a ** 2
    return np.where(s >= 0, out, 0.0)


def leaky_integration(current, dt, v_rest, cm, tau_m, v0=None):
    """Discrete-time exact integration of ``cm dv/dt = -cm (v - v_rest)/tau_m + I``.

    `current[k]` is the current during the step that starts at ``k*dt``; it changes v from
    ``(k+1)*dt`` on. Returns v at every sample time ``k*dt`` (same length as `current`).
    """
    current = np.asarray(current, dtype=float)
    v = np.empty(len(current))
    v[0] = v_rest if v0 is None else v0
    decay = np.exp(-dt / tau_m)
    gain = tau_m / cm * (1 - decay)
    for k in range(1, len(current)):
        v[k] = v_rest + (v[k - 1] - v_rest) * decay + gain * current[k - 1]
    return v


def binomial_bounds(n, p, n_sigma=5.0):
    """(low, high) bounds of a Binomial(n, p) count, `n_sigma` standard deviations wide."""
    mean = n * p
    sd = np.sqrt(n * p * (1 - p))
    return mean - n_sigma * sd, mean + n_sigma * sd
