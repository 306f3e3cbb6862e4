"""R5 re-route: after a policy change that excludes the provider of k of n scenes, a re-render
calls providers exactly k times.

The same script is rendered twice through the real `render_script` (draft quality, one aspect)
with one data folder, so the second render sees the first one's clip cache. Three counting fakes
are registered in the real `Registry`; each is the best fit for some scene kinds, and the script
gives k of its n scenes to `bench-c`. The first policy allows every fake; the second one
`extends` it and `ignore`s `bench-c`, so only those k scenes move to another provider. Every
other clip is keyed by the same request, provider and model as before and comes from the cache.
The fakes make real clips (the offline renderer at a small size) because the render composes
them.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.config import Settings
from app.ingest.model import Scene, Script, SourceKind
from app.pipeline.disclose import RenderResult
from app.pipeline.env import RenderEnv
from app.pipeline.events import RenderEvent, Stage
from app.pipeline.plan import plan_script
from app.pipeline.run import RenderOptions, render_script
from app.policies import load_policy
from app.render.quality import Quality
from app.service.entry import build_render_env
from bench.orchestration import fake_catalog, fake_profile
from providers.local import MODEL_ID, LocalProvider
from providers.registry import Registry
from providers.types import Aspect, Clip, ClipRequest, ProgressCallback, SceneKind
from routing.policy import Policy

EXCLUDED = "bench-c"
KINDS = {
    "bench-a": (SceneKind.LANDSCAPE, SceneKind.ACTION, SceneKind.PEOPLE),
    "bench-b": (SceneKind.PRODUCT, SceneKind.TALKING_HEAD, SceneKind.STYLIZED),
    EXCLUDED: (SceneKind.DATA, SceneKind.TEXT),
}
CLIP_SHORT_SIDE = 144  # the fakes' clips are small: R5 counts calls, compose scales them
BEFORE = "id: bench-before\nname: every bench fake may make any scene\n"
AFTER = (
    "id: bench-after\nname: the same, without bench-c\nextends: bench-before\n"
    f"ignore: [{EXCLUDED}]\n"
)


@dataclass
class CountingProvider:
    """Counts its calls and makes each clip with the offline renderer, under its own id."""

    pid: str
    calls: list[str] = field(default_factory=list)  # the prompt of each call
    _renderer: LocalProvider = field(default_factory=LocalProvider)

    @property
    def id(self) -> str:
        return self.pid

    def is_configured(self) -> bool:
        return True

    async def generate(
        self,
        request: ClipRequest,
        model: str,
        dest: Path,
        progress: ProgressCallback | None = None,
    ) -> Clip:
        self.calls.append(request.prompt)
        width, height = request.aspect.frame_size(CLIP_SHORT_SIDE)
        made = await self._renderer.generate(
            replace(request, width=width, height=height), MODEL_ID, dest
        )
        return replace(
            made,
            provider_id=self.pid,
            model_id=model,
            provider_job_id=f"{self.pid}-{len(self.calls)}",
        )


def bench_script(n: int, k: int) -> Script:
    """n scenes, k of them (evenly spread) of kinds only `bench-c` is the best fit for."""
    if not 0 < k <= n:
        raise ValueError(f"need 0 < k <= n, got n={n}, k={k}")
    moved = {int((i + 0.5) * n / k) for i in range(k)}
    others = [*KINDS["bench-a"], *KINDS["bench-b"]]
    scenes = []
    for i in range(n):
        kind = KINDS[EXCLUDED][i % 2] if i in moved else others[i % len(others)]
        scenes.append(
            Scene(
                index=i,
                narration=f"Scene {i + 1}.",  # short: every scene lasts the minimum
                on_screen_text=f"Scene {i + 1}",
                visual_prompt=f"re-route bench scene {i + 1}, {kind.value}",
                kind=kind,
                target_duration=2.5,
            )
        )
    digest = hashlib.sha256(f"r5/{n}/{k}".encode()).hexdigest()
    return Script("bench reroute", SourceKind.SCRIPT, digest, tuple(scenes))


@dataclass
class ClipsReady:
    """A progress sink noting when the last clip of a render was in hand."""

    at: float = 0.0

    async def __call__(self, event: RenderEvent) -> None:
        if event.stage == Stage.GENERATE and event.done == event.total:
            self.at = time.perf_counter()


@dataclass(frozen=True)
class Render:
    wall_s: float
    clips_ready_s: float  # from the start of the render until every clip was in hand
    calls: dict[str, int]  # per provider, calls during this render
    result: RenderResult


async def _render(env: RenderEnv, fakes: list[CountingProvider], script: Script,
                  policy: Policy, out: Path) -> Render:  # fmt: skip
    before = {f.pid: len(f.calls) for f in fakes}
    options = RenderOptions(
        env.new_id(), policy, aspects=(Aspect.LANDSCAPE,), quality=Quality.DRAFT
    )
    ready = ClipsReady()
    env.events = ready
    t0 = time.perf_counter()
    routed = plan_script(script, policy, env.catalog, env.registry, Aspect.LANDSCAPE)
    result = await render_script(script, routed, options, env, out)
    wall = time.perf_counter() - t0
    calls = {f.pid: len(f.calls) - before[f.pid] for f in fakes}
    return Render(wall, ready.at - t0, calls, result)


async def _measure(workdir: Path, n: int, k: int) -> tuple[Render, Render]:
    fakes = [CountingProvider(pid) for pid in KINDS]
    catalog = fake_catalog(fake_profile(pid, kinds) for pid, kinds in KINDS.items())
    folder = workdir / "r5-policies"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench-before.yaml").write_text(BEFORE, encoding="utf-8")
    (folder / "bench-after.yaml").write_text(AFTER, encoding="utf-8")
    first_policy = load_policy(folder / "bench-before.yaml", catalog)
    second_policy = load_policy(folder / "bench-after.yaml", catalog)
    settings = Settings(data_dir=workdir / "r5-data", voice="espeak")
    env = build_render_env(settings, registry=Registry(fakes), catalog=catalog)
    script = bench_script(n, k)
    first = await _render(env, fakes, script, first_policy, workdir / "r5-out-1")
    second = await _render(env, fakes, script, second_policy, workdir / "r5-out-2")
    return first, second


def run_r5(workdir: Path, quick: bool = False) -> dict[str, object]:
    """Measure R5 once: n=12, k=4 (quick, a smoke test: n=3, k=1)."""
    n, k = (3, 1) if quick else (12, 4)
    first, second = asyncio.run(_measure(workdir, n, k))
    calls = sum(second.calls.values())
    moved_from = [s.index for s in first.result.scenes if s.provider == EXCLUDED]
    raw: dict[str, object] = {
        "n": n,
        "k": k,
        "excluded_provider": EXCLUDED,
        "first_render_calls": first.calls,
        "second_render_calls": second.calls,
        "first_render_wall_s": round(first.wall_s, 3),
        "second_render_wall_s": round(second.wall_s, 3),
        "first_render_clips_ready_s": round(first.clips_ready_s, 3),
        "second_render_clips_ready_s": round(second.clips_ready_s, 3),
        "scenes_on_excluded_provider_first": moved_from,
        "rerouted_to": {
            str(s.index): s.provider for s in second.result.scenes if s.index in moved_from
        },
        "second_render_cached_scenes": sum(1 for s in second.result.scenes if s.cached),
        "quality": Quality.DRAFT.value,
        "aspects": [Aspect.LANDSCAPE.value],
    }
    return {
        "name": "re-route: provider calls of a re-render after a policy change",
        "value": calls,
        "target": k,
        "comparison": "==",
        "unit": "provider calls",
        "met": calls == k and len(moved_from) == k and second.calls[EXCLUDED] == 0,
        "raw": raw,
        "note": (
            f"{n} scenes rendered, then re-rendered under a policy that ignores {EXCLUDED}, "
            f"which made {len(moved_from)} of them. Clips were ready after "
            f"{second.clips_ready_s:.1f} s (first render: {first.clips_ready_s:.1f} s); the "
            f"whole re-render took {second.wall_s:.1f} s ({first.wall_s:.1f} s), mostly "
            f"composing, which any change of clips redoes."
        ),
    }


__all__ = ["CountingProvider", "bench_script", "run_r5"]
