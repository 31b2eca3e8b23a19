"""pyNN: simulator-independent spiking neural network models.

Import a backend to use it, e.g. ``import pyNN.nest as sim``.
"""

__version__ = "0.13.0.post1"
