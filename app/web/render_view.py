"""One render as the render page shows it: the API's body plus what the page adds (the
reason for each choice, the time range of each scene, the players and the downloads)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.api.schemas import RenderOut
from app.api.state import Service
from app.pipeline.events import Stage
from app.store.models import RenderRow
from app.web import explain

IN_FLIGHT = ("approved", "generating", "composing")
# the stages a viewer follows, in order (plan is done before approval)
STAGES = [s for s in Stage if s is not Stage.PLAN]
STAGE_LABELS = {
    Stage.NARRATE: "Narration",
    Stage.GENERATE: "Clips",
    Stage.LAYOUT: "Framing",
    Stage.MUSIC: "Music",
    Stage.COMPOSE: "Encoding",
    Stage.MUX: "Soundtrack",
    Stage.DISCLOSE: "Disclosure",
    Stage.PUBLISH: "Publishing",
}
DOWNLOADS = [
    ("manifest.json", "Manifest (JSON, signed)"),
    ("report.html", "Audit report (HTML)"),
    ("disclosure.vtt", "Disclosure track (WebVTT)"),
    ("captions.srt", "Captions (SubRip)"),
    ("captions.vtt", "Captions (WebVTT)"),
]


@dataclass
class SceneView:
    index: int
    narration: str
    kind: str
    state: str
    chosen: str | None
    made_by: str | None  # provider/model that made the clip, once made
    why: str
    pinned: str | None
    fallbacks: list[str]
    eligible: list[str]
    excluded: list[tuple[str, list[str]]]
    estimated_cost_usd: float
    cost_usd: float
    duration_s: float
    start: float | None = None
    end: float | None = None

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class Player:
    aspect: str
    slug: str  # 16x9
    width: int | None
    height: int | None
    duration: float | None


@dataclass
class RenderView:
    title: str
    scenes: list[SceneView]
    players: list[Player] = field(default_factory=list)
    downloads: list[tuple[str, str]] = field(default_factory=list)
    in_flight: bool = False
    stages: list[tuple[str, str]] = field(default_factory=list)
    planned_seconds: float = 0.0


def _timeline(service: Service, row: RenderRow) -> dict[int, tuple[float, float]]:
    """Scene index -> (start, end) in the video, from the stored manifest."""
    for entry in row.outputs:
        if entry.get("name") != "manifest.json":
            continue
        path = service.blobs.local_path(str(entry["key"]))
        if path is None:
            return {}
        try:
            scenes = json.loads(path.read_text(encoding="utf-8")).get("scenes") or []
            return {
                int(s["index"]): (float(s["timeline"]["start"]), float(s["timeline"]["end"]))
                for s in scenes
            }
        except (OSError, ValueError, KeyError, TypeError):
            return {}
    return {}


def _download_name(stored: str) -> str:
    """The web route's name of a stored file (captions are stored under the video's name)."""
    if stored.endswith(".srt"):
        return "captions.srt"
    if stored.endswith(".vtt") and stored != "disclosure.vtt":
        return "captions.vtt"
    return stored


def render_view(service: Service, out: RenderOut, row: RenderRow) -> RenderView:
    edits: dict[str, Any] = row.request.get("edits") or {}
    plan_scenes: list[dict[str, Any]] = out.plan.get("scenes") or []
    times = _timeline(service, row) if out.state == "succeeded" else {}
    scenes = []
    for s in out.scenes:
        plan = plan_scenes[s.index] if s.index < len(plan_scenes) else {}
        pinned = (edits.get(str(s.index)) or {}).get("pin")
        start, end = times.get(s.index, (None, None))
        scenes.append(
            SceneView(
                index=s.index,
                narration=s.narration,
                kind=s.kind,
                state=s.state,
                chosen=s.chosen,
                made_by=f"{s.provider}/{s.model}" if s.provider else None,
                why=explain.why_chosen(plan, pinned),
                pinned=pinned,
                fallbacks=list(plan.get("fallbacks") or []),
                eligible=explain.ranked_models(plan),
                excluded=explain.excluded_models(plan),
                estimated_cost_usd=s.estimated_cost_usd,
                cost_usd=s.cost_usd,
                duration_s=float(plan.get("target_duration") or s.duration_s),
                start=start,
                end=end,
            )
        )
    players = [
        Player(
            aspect=str(o["aspect"]),
            slug=str(o["aspect"]).replace(":", "x"),
            width=o.get("width"),
            height=o.get("height"),
            duration=o.get("duration"),
        )
        for o in out.outputs
        if o.get("aspect")
    ]
    names = {_download_name(str(o["name"])) for o in out.outputs if o.get("name")}
    return RenderView(
        title=str(out.plan.get("title") or out.id),
        scenes=scenes,
        players=players,
        downloads=[(n, label) for n, label in DOWNLOADS if n in names],
        in_flight=out.state in IN_FLIGHT,
        stages=[(s.value, STAGE_LABELS[s]) for s in STAGES],
        planned_seconds=sum(s.duration_s for s in scenes),
    )
