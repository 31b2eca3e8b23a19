"""Mapping a network onto a hardware profile (validation, quantisation, partitioning,
placement, routing, estimates) and the mapping report."""
