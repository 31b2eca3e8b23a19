"""Fixtures of the core unit tests: the in-memory backend (no external simulator)."""

import pytest

import pyNN.mock as inmemory_backend


@pytest.fixture
def sim():
    """The in-memory backend module, set up afresh with dt = 0.1 ms."""
    inmemory_backend.setup(timestep=0.1)
    yield inmemory_backend
    inmemory_backend.end()
