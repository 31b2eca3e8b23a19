"""Shared pytest configuration: plots never need a display."""

import matplotlib

matplotlib.use("Agg")
