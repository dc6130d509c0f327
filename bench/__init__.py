"""Benchmarks: ``python -m bench pdf``."""
