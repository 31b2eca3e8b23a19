"""Stochastic release of the engine: SimpleStochasticSynapse, MultiQuantalSynapse and
StochasticTsodyksMarkramSynapse (the quantal model with one site), with the algorithm of
doc/behaviour.md ("Stochastic synapses").

Each block of such connections draws from its own numpy Generator, seeded from the
engine's seed, the segment (a new stream after every reset) and the block's place in the
network, so the same script with the same seed gives the same releases. The draws are
vectorised over the connections of the cells that spiked in a step: one binomial draw per
connection for the sites that refill and one for the sites that release (the sum of the
per-site Bernoulli draws of the algorithm, drawn at once).
"""

import numpy as np


class StochasticRelease:
    """Release state of the connections of one block (arrays in the block's CSR order).

    Parameters
    ----------
    kind : {"bernoulli", "quantal"}
        "bernoulli": each spike is transmitted whole with probability `U` (SimpleStochasticSynapse's p);
        "quantal": `n` release sites that refill with `tau_rec`, release probability following
        the facilitation of `tau_facil`.
    U, n, tau_rec, tau_facil : arrays
        Per connection (n, tau_rec and tau_facil are ignored by "bernoulli").
    seed_key : tuple of int
        The block's part of the seed; the segment number is appended at each reset.
    """

    def __init__(self, kind, U, n, tau_rec, tau_facil, seed_key):
        self.kind = kind
        self.U = np.asarray(U, dtype=float)
        self.n = np.asarray(n, dtype=np.int64)
        self.tau_rec = np.asarray(tau_rec, dtype=float)
        self.tau_facil = np.asarray(tau_facil, dtype=float)
        self.seed_key = tuple(int(k) for k in seed_key)
        self.reset(0)

    def reset(self, segment):
        """Start state (every site available, u = 0, last spike at t = 0) and the random
        stream of `segment`."""
        self.rng = np.random.default_rng([*self.seed_key, int(segment)])
        self.u = np.zeros(self.U.size)
        self.available = self.n.copy()
        self.last = np.zeros(self.U.size)

    def carry_over(self, old):
        """Keep the state and stream of `old` (the same connections, mapped again)."""
        self.rng, self.u, self.available, self.last = old.rng, old.u, old.available, old.last

    def released(self, pos, t):
        """Quanta released by a spike at time `t` (ms) through the connections at `pos`."""
        if self.kind == "bernoulli":
            return (self.rng.random(pos.size) < self.U[pos]).astype(float)
        h = t - self.last[pos]
        tau_facil = self.tau_facil[pos]
        decay_u = np.where(tau_facil > 0, np.exp(-h / np.where(tau_facil > 0, tau_facil, 1.0)), 0.0)
        U = self.U[pos]
        u = U + self.u[pos] * (1.0 - U) * decay_u
        refill = -np.expm1(-h / self.tau_rec[pos])
        available = self.available[pos]
        # (after n was lowered between runs more sites may be available than n: none is empty)
        available = available + self.rng.binomial(np.maximum(self.n[pos] - available, 0), refill)
        count = self.rng.binomial(available, u)
        self.u[pos] = u
        self.available[pos] = available - count
        self.last[pos] = t
        return count.astype(float)
