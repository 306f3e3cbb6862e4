"""A render request as data: what the CLI, the API and the queue pass to the render entry.

It round-trips through `model_dump(mode="json")` / `model_validate`, so the ledger and the queue
store it as JSON and a worker rebuilds exactly what was asked. It says what to render, never how
(no paths of the machine that runs it, except a source's own folder for outline images).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from app.render.quality import Quality
from providers.music import Mood
from providers.types import Aspect

DEFAULT_ASPECTS = [Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE]
# Render ids name work folders and ledger rows: keep them to a safe, short alphabet.
_RENDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_PROVIDER_MODEL = re.compile(r"^[a-z0-9][a-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._:-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_source_payload(kind: str, text: str | None, url: str | None) -> None:
    """A url source carries `url` alone; every other kind carries `text` alone."""
    if kind == "url":
        if not url or text is not None:
            raise ValueError("a url source needs `url` and no `text`")
    elif text is None or url is not None:
        raise ValueError(f"a {kind} source needs `text` and no `url`")


class RenderSource(_Strict):
    """What to turn into scenes: text for script/outline/prompt, or a URL to fetch."""

    kind: Literal["script", "outline", "prompt", "url"]
    text: str | None = None  # script / outline / prompt
    url: str | None = None  # url sources
    minutes: float | None = Field(default=None, gt=0, le=60)  # asked length (url/prompt)
    # Where relative outline image paths are looked up (the CLI sets the source file's folder;
    # the API leaves it unset, so inline text can never reach local files).
    base_dir: str | None = None
    name: str | None = None  # the file or input the text came from, for messages and manifest

    @model_validator(mode="after")
    def _one_payload(self) -> RenderSource:
        check_source_payload(self.kind, self.text, self.url)
        return self


class PolicyRef(_Strict):
    """Exactly one of: a policy id (resolved by a `PolicySource`), or an inline policy body."""

    id: str | None = None
    body: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PolicyRef:
        if (self.id is None) == (self.body is None):
            raise ValueError("give exactly one of `id` or `body`")
        return self


class SceneEdit(_Strict):
    """A change to one scene of the plan, applied after ingestion."""

    narration: str | None = None
    visual_prompt: str | None = None
    pin: str | None = None  # "provider/model": hard; a forbidden pin is PinForbidden
    prefer: str | None = None  # "provider/model": soft; used when eligible, else routed
    # A new take of the scene: its seed and cache key differ, so the same model makes a new clip
    # (regenerating without a pin); None is the first take, the clip every plan shares.
    take: int | None = Field(default=None, ge=1, le=1000)

    @field_validator("pin", "prefer")
    @classmethod
    def _provider_model(cls, value: str | None) -> str | None:
        if value is not None and not _PROVIDER_MODEL.match(value):
            raise ValueError(f"{value!r} is not of the form provider/model")
        return value

    @field_validator("narration", "visual_prompt")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value


class ApprovalRef(_Strict):
    """Who approved the plan, and when (filled by the service's approval gate)."""

    by: Annotated[str, Field(min_length=1, max_length=200)]
    at: AwareDatetime


class RenderRequest(_Strict):
    """Everything needed to plan and render one video."""

    render_id: str
    tenant: str = "local"
    source: RenderSource
    policy: PolicyRef | None = None  # None: the default policy
    aspects: list[Aspect] = Field(default_factory=lambda: list(DEFAULT_ASPECTS))
    quality: Quality = Quality.STANDARD
    voice: Literal["piper", "espeak"] | None = None  # None: the settings' default
    music_mood: Mood | None = None  # None: the settings' default
    edits: dict[int, SceneEdit] = Field(default_factory=dict)  # 0-based scene index -> edit
    parent_id: str | None = None  # regenerate / reroute lineage, recorded in the manifest
    approval: ApprovalRef | None = None  # recorded in the manifest; sets C2PA oversight level
    # A 540p draft first, refined scene by scene as clips arrive (app.pipeline.draft); the
    # final outputs are the same either way.
    draft: bool = False

    @field_validator("render_id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        if not _RENDER_ID.match(value):
            raise ValueError(
                "use 1-64 letters, digits, '-' or '_', starting with a letter or digit"
            )
        return value

    @field_validator("aspects")
    @classmethod
    def _distinct_aspects(cls, value: list[Aspect]) -> list[Aspect]:
        if not value:
            raise ValueError("needs at least one aspect ratio, e.g. 16:9")
        return list(dict.fromkeys(value))

    @field_validator("edits")
    @classmethod
    def _non_negative(cls, value: dict[int, SceneEdit]) -> dict[int, SceneEdit]:
        if any(i < 0 for i in value):
            raise ValueError("scene indexes are 0-based and not negative")
        return value
