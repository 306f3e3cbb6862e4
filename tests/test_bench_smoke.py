"""`make bench` in miniature: every figure of the suite runs end to end on a tiny pool.

Nothing here is timed against a threshold (targets are for `make bench` to report); these
tests prove the suite still works and that what it reports is well-formed and consistent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.render.quality import SETTINGS, Quality
from bench.__main__ import PLANS, run, table
from bench.inputs import ASPECTS
from bench.moviepy_job import moviepy_path
from bench.render_figures import linear_fit
from providers.media import probe

pytestmark = pytest.mark.slow

ENTRY_KEYS = {"name", "value", "target", "comparison", "unit", "met", "raw", "note"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def report(workdir: Path) -> dict[str, object]:
    lines: list[str] = []
    made = run(PLANS["quick"], workdir, lines.append)
    assert any("R5" in line for line in lines)  # progress is reported as it goes
    return made


def _figures(report: dict[str, object]) -> dict[str, dict[str, object]]:
    figures = report["figures"]
    assert isinstance(figures, dict)
    return figures


def test_every_figure_is_reported_with_its_target_and_raw_measurements(
    report: dict[str, object],
) -> None:
    figures = _figures(report)
    assert set(figures) == {"R1", "R2", "R3", "R4", "R5", "R6", "R6b", "L1", "scaling"}
    for key, entry in figures.items():
        assert set(entry) >= ENTRY_KEYS, key
        assert isinstance(entry["value"], int | float) and entry["value"] >= 0, key
        assert entry["comparison"] in {"<=", ">=", "=="}
        assert isinstance(entry["raw"], dict) and entry["raw"], key
    json.dumps(report)  # results.json must be writable as is
    assert "R5" in table(report)


def test_pool_really_mixes_sizes_and_frame_rates(report: dict[str, object]) -> None:
    pool = report["pool"]
    assert isinstance(pool, list)
    assert len({(c["width"], c["height"]) for c in pool}) >= 5
    assert len({c["fps"] for c in pool}) >= 3


def test_r1_compares_the_render_with_a_positive_encode_floor(report: dict[str, object]) -> None:
    r1 = _figures(report)["R1"]
    raw = r1["raw"]
    assert isinstance(raw, dict)
    assert raw["floor_encode_s"] > 0 and raw["render_s"] > 0
    assert r1["value"] == pytest.approx(raw["render_s"] / raw["floor_encode_s"], rel=0.01)
    assert raw["floor_frames_per_output"] == round(raw["video_s"] * 30)


def test_scaling_points_and_memory_come_from_real_renders(report: dict[str, object]) -> None:
    scaling, r4 = _figures(report)["scaling"], _figures(report)["R4"]
    points = scaling["raw"]["points"]  # type: ignore[index]
    assert [p["scenes"] for p in points] == [1, 2, 3]
    assert points[2]["video_s"] == pytest.approx(3 * points[0]["video_s"])
    assert r4["value"] == max(p["peak_rss_mb"] for p in points)
    assert all(p["peak_rss_mb"] > 20 for p in points)  # python + ffmpeg were really sampled


def test_r2_made_every_aspect_both_ways(report: dict[str, object], workdir: Path) -> None:
    raw = _figures(report)["R2"]["raw"]
    assert isinstance(raw, dict)
    assert raw["moviepy_wall_s"] > 0 and raw["our_wall_s"] > 0 and raw["moviepy_peak_rss_mb"] > 0
    enc = SETTINGS[Quality.DRAFT]
    ours = workdir / "r2" / "ours-draft-2"
    for aspect in ASPECTS:
        for path in (ours / f"bench-{aspect.value.replace(':', 'x')}.mp4",
                     moviepy_path(workdir / "r2" / "moviepy-draft-2", aspect)):  # fmt: skip
            info = probe(path)
            assert (info.width, info.height) == aspect.frame_size(enc.short_side), path
            assert info.duration == pytest.approx(10.0, abs=0.1) and info.has_audio, path


def test_r3_and_r5_hold_their_invariants(report: dict[str, object]) -> None:
    r3, r5 = _figures(report)["R3"], _figures(report)["R5"]
    assert r3["raw"]["limits_respected"] is True  # type: ignore[index]
    assert float(str(r3["value"])) >= 1.0  # nothing beats the lower bound
    assert r5["value"] == r5["target"] and r5["met"] is True


def test_linear_fit_finds_the_line_and_the_worst_point_off_it() -> None:
    assert linear_fit([60, 180, 600], [32, 80, 248]) == (8.0, 0.4, 0.0)
    fixed, rate, worst = linear_fit([1, 2, 3], [1.0, 2.0, 4.0])
    assert (fixed, rate) == (-0.67, 1.5)  # y = -2/3 + 1.5x
    assert worst == pytest.approx((5 / 6 - 1) / (5 / 6) * -1, abs=1e-3)  # the point at x=1


def test_layout_figure_renders_the_same_timeline_letterboxed_and_native(
    report: dict[str, object], workdir: Path
) -> None:
    l1 = _figures(report)["L1"]
    raw = l1["raw"]
    assert isinstance(raw, dict)
    before, after = raw["before_cpu_s"], raw["after_cpu_s"]
    assert len(before) == len(after) == len(raw["pair_ratios"]) >= 1
    assert min(before) > 0 and min(after) > 0 and min(raw["after_wall_s"]) > 0
    assert raw["pair_ratios"] == [round(a / b, 3) for b, a in zip(before, after, strict=True)]
    assert l1["value"] == sorted(raw["pair_ratios"])[len(before) // 2]
    scenes = raw["scenes"]
    for side in ("before", "after"):
        for aspect in ASPECTS:
            tag = aspect.value.replace(":", "x")
            made = workdir / f"layout-{side}-{scenes}" / "0" / f"bench-{tag}.mp4"
            assert probe(made).has_video, made


def test_r6_draft_plays_before_it_is_whole_and_every_swap_is_measured(
    report: dict[str, object],
) -> None:
    raw = _figures(report)["R6"]["raw"]
    assert isinstance(raw, dict)
    assert 0 < float(raw["playable_s"]) <= float(raw["ready_s"])
    assert raw["swaps_measured"] == raw["final_scenes_after_swaps"] == int(raw["scenes"]) - 1
    assert 0 < float(raw["swap_cpu_s_mean"]) < float(raw["first_draft_cpu_s"])
    assert 0 < float(raw["draft_share_of_final_cpu"]) < 1
