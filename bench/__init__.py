"""Benchmarks and long load/fault runs: ``python -m bench.<name>`` (docs/performance.md)."""
