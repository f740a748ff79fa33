"""Benchmarks: `make bench` (python -m bench) runs them; results go to bench/results/<name>-<date>.json."""
