"""Helpers for tests and benchmarks: the plaintext oracle of a federation, and throwaway
clusters of ``scql serve`` processes on loopback.

No product module imports this package (tests/test_layers.py checks it).
"""
