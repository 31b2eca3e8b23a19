"""Numerics of the analog profiles (BrainScaleS-2, Spikey): discrete weights, parameter
ranges and CapMem quantisation, fixed-pattern mismatch and trial-to-trial noise.

Every random draw comes from a seed: mismatch from ``chip_seed`` (the same chip gives the
same fixed pattern whatever network is mapped on it, because deviations are drawn per
physical circuit or synapse and then looked up by placement), trial noise from
``run_seed`` and the run index.
"""

import numpy as np

from pyNN.hardware.numerics.fixedpoint import round_scaled

#: streams of the fixed-pattern generator, one per kind of circuit quantity
_MISMATCH_STREAMS = {"tau": 1, "v": 2, "weight": 3, "cm": 4, "other": 5}


def weight_codes(weights, lsb, rounding="nearest", rng=None):
    """Integer hardware weights (units of `lsb`) for weight magnitudes.

    Returns
    -------
    (ndarray of int64, ndarray of bool)
        The codes and a mask of the weights that were not an exact multiple of `lsb`
        (within 1e-9 relative), i.e. that were rounded.
    """
    scaled = np.abs(np.asarray(weights, dtype=np.float64)) / lsb
    codes = round_scaled(scaled, rounding, rng)
    rounded = np.abs(codes - scaled) > 1e-9 * np.maximum(scaled, 1.0)
    return codes.astype(np.int64), rounded


def synapses_per_connection(codes, max_weight=63):
    """Hardware synapses one connection needs: max(1, ceil(code / max_weight)) (pynn-brainscales ``round_up_63``)."""
    codes = np.asarray(codes, dtype=np.int64)
    return np.maximum(1, -(-codes // max_weight))


def split_multi_synapse(codes, max_weight=63):
    """Per-synapse codes of multi-synapse connections.

    A connection of code c is spread over n = max(1, ceil(c/max_weight)) synapses: n - 1
    synapses at `max_weight` and one holding the remainder, so the codes sum to c.

    Returns
    -------
    (ndarray, ndarray)
        `connection` (index of the connection each hardware synapse belongs to) and
        `code` (that synapse's weight).
    """
    codes = np.asarray(codes, dtype=np.int64)
    n = synapses_per_connection(codes, max_weight)
    connection = np.repeat(np.arange(codes.size), n)
    first = np.cumsum(n) - n
    rank = np.arange(connection.size) - first[connection]
    remainder = codes - (n - 1) * max_weight
    per = np.where(rank < n[connection] - 1, max_weight, remainder[connection])
    return connection, per


def out_of_range(values, lo, hi):
    """Mask of `values` outside the closed interval [lo, hi]."""
    values = np.asarray(values, dtype=np.float64)
    return (values < lo) | (values > hi)


def capmem_quantise(values, lo, hi, bits=10, max_code=None):
    """Quantise parameter values to a DAC/CapMem grid spread linearly over [lo, hi].

    Parameters
    ----------
    bits : int
        DAC resolution. The grid has ``max_code + 1`` points, code 0 at `lo` and `max_code`
        at `hi` (``max_code`` defaults to 2**bits - 2, since on BrainScaleS-2 the top
        CapMem code 1023 means "off").

    Returns
    -------
    (ndarray of float64, ndarray of int64, float)
        Realised values, codes and the quantisation step. Values outside the range are
        clipped to it first.
    """
    if max_code is None:
        max_code = 2 ** bits - 2
    step = (hi - lo) / max_code
    values = np.clip(np.asarray(values, dtype=np.float64), lo, hi)
    codes = np.floor((values - lo) / step + 0.5).astype(np.int64)
    return lo + codes * step, codes, step


def bit_quantise(values, lo, hi, bits):
    """Quantise to an n-bit code over (0, hi] in steps of hi / (2**bits - 1), clipped to [lo, hi]."""
    step = hi / (2 ** bits - 1)
    codes = np.clip(np.floor(np.asarray(values, dtype=np.float64) / step + 0.5), round(lo / step), 2 ** bits - 1)
    return codes * step, codes.astype(np.int64), step


def mismatch_generator(chip_seed, kind, key=0):
    """The numpy Generator of one fixed-pattern stream (`kind`, `key`) of chip `chip_seed`."""
    return np.random.default_rng([int(chip_seed), _MISMATCH_STREAMS[kind], int(key)])


def circuit_deviation(chip_seed, kind, key, n_circuits, sd):
    """Per-circuit fixed-pattern deviations N(0, sd) for parameter stream (`kind`, `key`).

    One value per physical circuit (index 0..n_circuits-1), drawn from `chip_seed` alone,
    so a circuit keeps its deviation whatever is mapped onto it.
    """
    if sd == 0:
        return np.zeros(n_circuits)
    return mismatch_generator(chip_seed, kind, key).normal(0.0, sd, size=n_circuits)


def apply_parameter_mismatch(values, circuits, chip_seed, name, kind, sd, n_circuits):
    """Realised per-neuron values with the fixed pattern of the circuits they are placed on.

    Parameters
    ----------
    values : ndarray
        Requested values (one per neuron).
    circuits : ndarray of int
        First circuit of each neuron.
    name : str
        Parameter name (each parameter has its own stream).
    kind : {"tau", "v", "cm", "other"}
        ``"v"`` deviations are additive (sd in mV); the others are relative
        (value * (1 + N(0, sd))), kept positive.
    """
    key = sum(ord(ch) * 31 ** i for i, ch in enumerate(name)) % (2 ** 31)
    dev = circuit_deviation(chip_seed, kind, key, n_circuits, sd)[np.asarray(circuits, dtype=np.int64)]
    values = np.asarray(values, dtype=np.float64)
    if kind == "v":
        return values + dev
    return values * np.maximum(1.0 + dev, 0.05)


def apply_weight_mismatch(weights, chip_seed, projection_index, rel_sd):
    """ESS-style multiplicative weight distortion: w * (1 + N(0, rel_sd)), clipped at 0.

    Drawn per connection from `chip_seed` and the projection's index.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if rel_sd == 0 or weights.size == 0:
        return weights.copy()
    rng = mismatch_generator(chip_seed, "weight", projection_index)
    return np.maximum(weights * (1.0 + rng.normal(0.0, rel_sd, size=weights.shape)), 0.0)


def trial_generator(run_seed, run_index=0):
    """The Generator of the trial-to-trial noise of one run (segment) `run_index`."""
    return np.random.default_rng([int(run_seed), 7, int(run_index)])


def trial_noise(run_seed, run_index, shape, sd):
    """Additive trial-to-trial noise N(0, sd) of the given shape for run `run_index`."""
    if sd == 0:
        return np.zeros(shape)
    return trial_generator(run_seed, run_index).normal(0.0, sd, size=shape)


def rate_limit(event_counts, dt, min_gap):
    """Events a synapse driver can pass within one step of length `dt`, given a minimum gap.

    Parameters
    ----------
    event_counts : ndarray of int
        Events arriving at each driver in this step.
    dt, min_gap : float
        Step and minimum inter-event gap, in the same (bio) time unit.

    Returns
    -------
    (ndarray, ndarray)
        Delivered and dropped counts per driver.
    """
    capacity = max(1, int(np.floor(dt / min_gap + 1e-9)))
    counts = np.asarray(event_counts, dtype=np.int64)
    delivered = np.minimum(counts, capacity)
    return delivered, counts - delivered


def logical_neuron_size(fan_in, signed, fan_in_per_circuit=256, fan_in_per_circuit_signed=128):
    """Circuits per logical neuron for `fan_in` hardware synapses (BrainScaleS-2: c = ceil(N/128) if signed)."""
    per = fan_in_per_circuit_signed if signed else fan_in_per_circuit
    return max(1, -(-int(fan_in) // per))


def neurons_per_chip(circuits_per_neuron, n_circuits=512):
    """floor(n_circuits / c): how many logical neurons of c circuits fit on the chip."""
    return n_circuits // int(circuits_per_neuron)


def partitions_needed(n_neurons, circuits_per_neuron, n_circuits=512):
    """ceil(N / N(c)): sequential executions needed for a layer of `n_neurons`."""
    per_chip = neurons_per_chip(circuits_per_neuron, n_circuits)
    if per_chip == 0:
        return None
    return -(-int(n_neurons) // per_chip)
