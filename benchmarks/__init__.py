"""Benchmarks: run with ``python -m benchmarks`` (see README, "Performance")."""
