"""Smoke versions of benchmarks R3 (orchestration) and R5 (re-route): they still run and count
right. No timing is asserted; `make bench` reports the figures against their targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.orchestration import fifo_makespan, lower_bound, run_r3
from bench.reroute import EXCLUDED, bench_script, run_r5

ENTRY_KEYS = {"name", "value", "target", "comparison", "unit", "met", "raw", "note"}


def test_lower_bound_is_the_largest_per_provider_bound() -> None:
    latencies = {"a": [3.0, 1.0, 1.0, 1.0], "b": [5.0], "c": [2.0, 2.0]}
    limits = {"a": 2, "b": 4, "c": 1}
    # a: max(3, 6/2) = 3; b: its one job, 5; c: serial, 2 + 2 = 4
    assert lower_bound(latencies, limits) == 5.0
    del latencies["b"]
    assert lower_bound(latencies, limits) == 4.0
    assert lower_bound({"a": [1.0, 1.0, 1.0, 1.0]}, {"a": 2}) == 2.0
    assert lower_bound({"a": []}, {"a": 1}) == 0.0


def test_fifo_makespan_starts_jobs_in_order_as_slots_free() -> None:
    assert fifo_makespan([3.0, 1.0, 1.0, 1.0], 2) == 3.0
    assert fifo_makespan([1.0, 1.0, 3.0], 2) == 4.0  # the long job comes last: above the bound
    assert fifo_makespan([2.0, 2.0], 1) == 4.0


def test_r3_quick_reports_the_ratio_to_the_bound_of_its_own_latencies(tmp_path: Path) -> None:
    entry = run_r3(tmp_path, quick=True)
    assert set(entry) == ENTRY_KEYS
    assert (entry["target"], entry["comparison"], entry["unit"]) == (1.2, "<=", "x lower bound")
    raw: dict[str, Any] = entry["raw"]  # type: ignore[assignment]
    latencies, limits = raw["latencies_s"], raw["limits"]
    assert sum(raw["calls"].values()) == raw["scenes"] == 8
    assert {p: len(jobs) for p, jobs in latencies.items()} == raw["calls"]
    assert raw["lower_bound_s"] == pytest.approx(lower_bound(latencies, limits), abs=2e-3)
    # both are rounded to milliseconds in raw, and the quick run lasts about a tenth of a second
    assert entry["value"] == pytest.approx(raw["wall_s"] / raw["lower_bound_s"], rel=0.02)
    assert all(raw["max_in_flight"][p] <= c for p, c in limits.items())
    assert raw["limits_respected"] is True
    ratio = entry["value"]
    assert isinstance(ratio, float) and entry["met"] == (ratio <= 1.2)


def test_r5_script_gives_k_scenes_to_the_excluded_provider_kinds() -> None:
    script = bench_script(12, 4)
    moved = [s.index for s in script.scenes if s.kind.value in ("data", "text")]
    assert moved == [1, 4, 7, 10]
    with pytest.raises(ValueError):
        bench_script(3, 0)


@pytest.mark.slow
def test_r5_quick_rerender_calls_only_the_rerouted_scenes(tmp_path: Path) -> None:
    entry = run_r5(tmp_path, quick=True)
    assert set(entry) == ENTRY_KEYS
    raw: dict[str, Any] = entry["raw"]  # type: ignore[assignment]
    n, k = raw["n"], raw["k"]
    assert (entry["comparison"], entry["unit"], entry["target"]) == ("==", "provider calls", k)
    assert sum(raw["first_render_calls"].values()) == n
    assert raw["first_render_calls"][EXCLUDED] == k
    assert entry["value"] == sum(raw["second_render_calls"].values()) == k
    assert raw["second_render_calls"][EXCLUDED] == 0
    assert len(raw["scenes_on_excluded_provider_first"]) == k
    assert set(raw["rerouted_to"].values()) - {EXCLUDED} == set(raw["rerouted_to"].values())
    assert raw["second_render_cached_scenes"] == n - k
    assert entry["met"] is True
