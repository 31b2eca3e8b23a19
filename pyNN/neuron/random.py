"""``pyNN.neuron.random``: the module path where PyNN scripts find ``NativeRNG`` for neuron.

It is the core :class:`pyNN.random.NativeRNG` (the same on every backend, see
doc/differences.md), so ``from pyNN.neuron.random import NativeRNG`` works as in PyNN.
"""

from pyNN.random import NativeRNG

__all__ = ["NativeRNG"]
