"""NESTML models as cell and synapse types (``sim.nestml``).

The front end (:mod:`~pyNN.nestml.frontend`) reads a model with the ``nestml`` package and
``odetoolbox`` into one intermediate form (:mod:`~pyNN.nestml.ir`) that every back end
reads; :mod:`~pyNN.nestml.types` makes cell and synapse types from it; a back end's
generator builds the simulator code, cached by :mod:`~pyNN.nestml.cache`. See
``doc/nestml.md``.
"""
