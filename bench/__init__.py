"""Benchmarks: figures measured in one run and reported as ratios, never asserted as timings."""
