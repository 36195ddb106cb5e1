"""Benchmarks of the five-order flow (issue 8): `make bench`, `make bench-scale`."""
