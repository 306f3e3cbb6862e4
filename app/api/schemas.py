"""Request and response bodies of the API, each with an OpenAPI example."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.render.quality import Quality
from app.service.request import check_source_payload
from providers.music import Mood
from providers.types import Aspect

_SCRIPT = (
    "Lisbon's trams climb hills no bus would try.\n\n"
    "Tram 28 rattles through Alfama every twelve minutes."
)
PLAN_EXAMPLE: dict[str, Any] = {
    "render_id": "rnd_4f1c2a9e8b7d6c5a",
    "title": "Lisbon's trams",
    "policy": {"id": "default", "sha256": "sha256:9f2c…"},
    "enforced_policy": None,
    "estimated_cost_usd": 0.0,
    "within_budget": True,
    "scenes": [
        {
            "index": 0,
            "narration": "Lisbon's trams climb hills no bus would try.",
            "on_screen_text": "Lisbon's trams",
            "visual_prompt": "a yellow tram on a hill",
            "kind": "landscape",
            "target_duration": 3.2,
            "chosen": "local/local-motion-1",
            "fallbacks": [],
            "exclusions": [
                {"provider": "kling", "model": "kling-v2-1-master", "reasons": ["not_configured"]}
            ],
            "estimated_cost_usd": 0.0,
        }
    ],
}


# provider/model, as SceneEdit accepts it
PROVIDER_MODEL = r"^[a-z0-9][a-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._:-]*$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceIn(_Body):
    kind: Literal["script", "outline", "prompt", "url"]
    text: str | None = Field(default=None, description="script, outline or prompt text")
    url: str | None = Field(default=None, description="the article to turn into a video")
    minutes: float | None = Field(default=None, gt=0, le=60, description="asked length")

    @model_validator(mode="after")
    def _one_payload(self) -> SourceIn:
        check_source_payload(self.kind, self.text, self.url)  # the request's own rule
        return self


class PolicyIn(_Body):
    """A tenant policy by name (`name` or `name@version`), or an inline body."""

    id: str | None = Field(default=None, examples=["acme-strict"])
    body: dict[str, Any] | None = None


class CreateRender(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": {"kind": "script", "text": _SCRIPT},
                    "policy": {"id": "acme-strict"},
                    "aspects": ["16:9", "9:16"],
                    "quality": "draft",
                    "voice": "espeak",
                    "approve": False,
                }
            ]
        },
    )
    source: SourceIn
    policy: PolicyIn | str | None = Field(
        default=None, description='a policy name, {"id": name}, or {"body": {...}}'
    )
    aspects: list[Aspect] = Field(
        default_factory=lambda: [Aspect("16:9"), Aspect("9:16"), Aspect("1:1")],
        min_length=1,
        max_length=4,
        description="at most 4, each once",
    )
    quality: Quality = Quality.STANDARD
    voice: Literal["piper", "espeak"] | None = None
    music_mood: Mood | None = None
    approve: bool = Field(default=False, description="queue at once (plan + approve)")
    draft: bool = Field(
        default=False,
        description="make a 540p draft first (GET /v1/renders/{id}/draft), refined scene by "
        "scene as clips arrive; the final outputs are the same",
    )


class SceneEditIn(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"narration": "Tram 28 climbs into Alfama.", "pin": "local/local-motion-1"}
            ]
        },
    )
    narration: str | None = Field(default=None, min_length=1, pattern=r"\S")
    visual_prompt: str | None = Field(default=None, min_length=1, pattern=r"\S")
    pin: str | None = Field(
        default=None, pattern=PROVIDER_MODEL, description="provider/model; null clears the pin"
    )
    prefer: str | None = Field(
        default=None, pattern=PROVIDER_MODEL, description="provider/model, used when eligible"
    )


class RegenerateIn(_Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"pin": "local/local-motion-1"}]}
    )
    pin: str | None = Field(
        default=None, pattern=PROVIDER_MODEL, description="provider/model for the new take"
    )
    approve: bool = True


class RerouteIn(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"policy": {"id": "no-distillation"}, "approve": True}]},
    )
    policy: PolicyIn | str
    approve: bool = True


class SceneOut(BaseModel):
    index: int
    state: str = Field(description="planned | queued | generating | fallback | done | failed")
    kind: str
    narration: str
    chosen: str | None = Field(description="planned provider/model")
    provider: str | None = Field(description="who made the clip, once made")
    model: str | None
    duration_s: float
    estimated_cost_usd: float
    cost_usd: float


class RenderOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "rnd_4f1c2a9e8b7d6c5a",
                    "state": "planned",
                    "tenant": "acme",
                    "parent_id": None,
                    "estimated_cost_usd": 0.0,
                    "cost_usd": 0.0,
                    "policy": {"name": "acme-strict", "version": 1, "sha256": "sha256:9f2c…"},
                    "created_at": "2026-12-04T14:00:00Z",
                    "updated_at": "2026-12-04T14:00:00Z",
                    "error": None,
                    "outputs": [],
                    "scenes": [],
                    "plan": PLAN_EXAMPLE,
                }
            ]
        }
    )
    id: str
    state: str = Field(
        description="planned | approved | generating | composing | succeeded | failed | cancelled"
    )
    tenant: str
    parent_id: str | None
    estimated_cost_usd: float
    cost_usd: float
    policy: dict[str, Any] | None
    created_at: str
    updated_at: str
    error: dict[str, Any] | None
    outputs: list[dict[str, Any]]
    scenes: list[SceneOut]
    plan: dict[str, Any]


class RenderSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "rnd_4f1c2a9e8b7d6c5a",
                    "state": "succeeded",
                    "parent_id": None,
                    "estimated_cost_usd": 0.0,
                    "cost_usd": 0.0,
                    "created_at": "2026-12-04T14:00:00Z",
                    "title": "Lisbon's trams",
                    "duration_s": 12.4,
                }
            ]
        }
    )

    id: str
    state: str
    parent_id: str | None
    estimated_cost_usd: float
    cost_usd: float
    created_at: str
    title: str | None = Field(default=None, description="the script's title")
    duration_s: float = Field(
        default=0.0, description="the video's length: the outputs' once made, else planned"
    )


class RenderPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [], "total": 0, "limit": 50, "offset": 0}]}
    )

    items: list[RenderSummary]
    total: int
    limit: int
    offset: int


class PolicyOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "acme-strict",
                    "version": 1,
                    "sha256": "sha256:9f2c…",
                    "used": False,
                    "created_at": "2026-12-04T14:00:00Z",
                    "body": {"id": "acme-strict"},
                }
            ]
        }
    )
    id: str
    version: int
    sha256: str
    used: bool
    created_at: str
    body: dict[str, Any]


class EnforcedIn(_Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"policy_id": "acme-strict"}]}
    )
    policy_id: str | None = Field(description="a tenant policy name; null lifts the enforcement")


class EnforcedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"policy_id": "acme-strict"}]})

    policy_id: str | None


WebhookEvent = Literal["render.planned", "render.succeeded", "render.failed"]
WEBHOOK_EVENTS: tuple[WebhookEvent, ...] = ("render.planned", "render.succeeded", "render.failed")


class WebhookIn(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.example.com/reelroute",
                    "events": ["render.planned", "render.succeeded", "render.failed"],
                }
            ]
        },
    )
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://")
    events: list[WebhookEvent] = Field(
        default_factory=lambda: list(WEBHOOK_EVENTS),
        min_length=1,
    )


class WebhookOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "whk_1a2b3c4d5e6f7a8b",
                    "url": "https://hooks.example.com/reelroute",
                    "events": ["render.succeeded"],
                    "created_at": "2026-12-04T14:00:00Z",
                    "secret": "whsec_…",
                }
            ]
        }
    )

    id: str
    url: str
    events: list[str]
    created_at: str
    secret: str | None = Field(default=None, description="shown once, at creation")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "event": "render.succeeded",
                    "render_id": "rnd_4f1c2a9e8b7d6c5a",
                    "attempt": 1,
                    "status_code": 200,
                    "ok": True,
                    "error": None,
                    "created_at": "2026-12-04T14:03:00Z",
                }
            ]
        }
    )

    id: int
    event: str
    render_id: str | None
    attempt: int
    status_code: int | None
    ok: bool
    error: str | None
    created_at: str


class KeyIn(_Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "creator"}]})
    role: Literal["creator", "agency_admin", "auditor"]


class KeyOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "key_0a1b2c3d4e5f6a7b",
                    "tenant": "acme",
                    "role": "creator",
                    "created_at": "2026-12-04T14:00:00Z",
                    "revoked": False,
                    "key": "rrk_…",
                }
            ]
        }
    )

    id: str
    tenant: str
    role: str
    created_at: str | None = None
    revoked: bool = False
    key: str | None = Field(default=None, description="the secret, shown once at creation")


class AuditScene(BaseModel):
    render_id: str
    render_created_at: str
    scene: int
    kind: str
    provider: str
    model: str | None
    duration_s: float
    cost_usd: float
    narration: str


class AuditScenes(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "render_id": "rnd_4f1c2a9e8b7d6c5a",
                            "render_created_at": "2026-12-04T14:00:00Z",
                            "scene": 0,
                            "kind": "landscape",
                            "provider": "local",
                            "model": "local-motion-1",
                            "duration_s": 4.3,
                            "cost_usd": 0.0,
                            "narration": "Lisbon trams climb hills.",
                        }
                    ],
                    "limit": 1000,
                    "offset": 0,
                }
            ]
        }
    )

    items: list[AuditScene]
    limit: int
    offset: int


class AuditProvider(BaseModel):
    provider: str
    scenes: int
    seconds: float
    cost_usd: float


class AuditSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "providers": [
                        {"provider": "local", "scenes": 3, "seconds": 13.1, "cost_usd": 0.0}
                    ]
                }
            ]
        }
    )

    providers: list[AuditProvider]


class VerifyCheck(BaseModel):
    name: str
    verdict: Literal["pass", "fail", "skip", "warn"]  # warn: worth knowing, not a failure
    detail: str


class FoundRender(BaseModel):
    """A render whose output the uploaded copy matches, by its picture's fingerprint."""

    render_id: str
    aspect: str = Field(description="the output (aspect) of the render the copy matches")
    output: str = Field(description="that output's file name in the render")
    manifest: str = Field(description="where the render's signed manifest.json is served")
    start_s: float = Field(description="where the matching span starts in the render's output")
    end_s: float = Field(description="where it ends (to the nearest second)")
    copy_start_s: float = Field(description="where the matching span starts in the copy")
    distance_bits: float = Field(description="mean bits (of 64) the frame hashes differ by")


class FindOut(BaseModel):
    """Which of your renders the upload is a copy of, from its picture alone (metadata and
    C2PA stripped, re-encoded, scaled or trimmed copies included)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "matched",
                    "detail": "matches 1 output of the renders you can see",
                    "matches": [
                        {
                            "render_id": "rnd_4f1c2a9e8b7d6c5a",
                            "aspect": "16:9",
                            "output": "lisbon-s-trams-16x9.mp4",
                            "manifest": "/v1/renders/rnd_4f1c2a9e8b7d6c5a/manifest",
                            "start_s": 3.0,
                            "end_s": 14.0,
                            "copy_start_s": 0.0,
                            "distance_bits": 0.4,
                        }
                    ],
                }
            ]
        }
    )

    status: Literal["matched", "no_match", "not_video"] = Field(
        description="matched: see `matches`; no_match: none of the renders you can see; "
        "not_video: the upload has no picture to match"
    )
    detail: str
    matches: list[FoundRender] = Field(description="best match first")


class VerifyOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ok": True,
                    "checks": [
                        {
                            "name": "manifest.signature",
                            "verdict": "pass",
                            "detail": "Ed25519, key sha256:a312…",
                        }
                    ],
                    "scenes": [
                        {
                            "index": 0,
                            "start": 0.0,
                            "end": 4.3,
                            "provider": "local",
                            "model": "local-motion-1",
                        }
                    ],
                    "find": {
                        "status": "matched",
                        "detail": "matches 1 output of the renders you can see",
                        "matches": [
                            {
                                "render_id": "rnd_4f1c2a9e8b7d6c5a",
                                "aspect": "16:9",
                                "output": "lisbon-s-trams-16x9.mp4",
                                "manifest": "/v1/renders/rnd_4f1c2a9e8b7d6c5a/manifest",
                                "start_s": 0.0,
                                "end_s": 21.0,
                                "copy_start_s": 0.0,
                                "distance_bits": 0.0,
                            }
                        ],
                    },
                }
            ]
        }
    )

    ok: bool
    checks: list[VerifyCheck]
    scenes: list[dict[str, Any]] = Field(description="per-scene disclosure from the credentials")
    find: FindOut = Field(
        description="the render(s) this is a copy of, by its picture's fingerprint, among the "
        "renders the caller may see"
    )


class DraftSceneOut(BaseModel):
    index: int
    start: float
    duration: float
    state: str = Field(description="pending | placeholder | final")
    segment: str | None = Field(description="its file under /draft/ (changes when swapped)")
    fragment: str | None = Field(
        default=None,
        description="the same segment as fragmented MP4, timestamps from 0: a Media Source "
        "Extensions player appends it at `start`",
    )
    sha256: str | None
    revision: int = Field(description="the draft revision that wrote this scene's segment")
    provider: str
    model: str


class DraftOut(BaseModel):
    """A render's draft (`draft: true` when it was created): a preview, never publishable."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "schema": "reelroute.draft/1",
                    "draft": True,
                    "publishable": False,
                    "label": "Draft",
                    "render_id": "rnd_4f1c2a9e8b7d6c5a",
                    "aspect": "16:9",
                    "width": 960,
                    "height": 540,
                    "fps": 30,
                    "duration": 181.2,
                    "revision": 3,
                    "complete": True,
                    "playlist": "draft.m3u8",
                    "video": "draft.mp4",
                    "scenes": [],
                }
            ]
        },
    )
    schema_: str = Field(alias="schema")
    draft: bool
    publishable: bool
    label: str
    render_id: str
    aspect: str
    width: int
    height: int
    fps: int
    duration: float
    revision: int = Field(description="bumped by every scene swapped in")
    complete: bool = Field(description="every scene has a segment (draft.mp4 exists)")
    playlist: str
    video: str | None
    soundtrack: str | None = Field(
        default=None, description="the whole soundtrack as fragmented MP4 (for MSE), once made"
    )
    codecs: dict[str, str] = Field(
        default_factory=dict, description="RFC 6381 codecs of the video and audio (for MSE)"
    )
    scenes: list[DraftSceneOut]
