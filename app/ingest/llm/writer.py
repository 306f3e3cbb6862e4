"""The optional LLM script writer: a prompt or an article → scene drafts of the asked length.

The model is asked for one JSON object (see `schema.py`), given the length in words and, for an
article, its paragraphs numbered so each scene can cite them. The reply is validated by
pydantic and by `check_script`. An invalid reply is sent back once with the validation errors;
a second invalid reply, a timeout, a 429 beyond its budget or any other failure gives an
outcome without drafts whose `writer.fallback_reason` says why: the caller then uses the
deterministic writer, and the manifest and the CLI say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pydantic import ValidationError

from app.ingest.draft import SceneDraft, title_card
from app.ingest.llm.client import LLMUnavailable, Sleep, chat
from app.ingest.llm.schema import WrittenScript, check_script
from app.ingest.llm.settings import LLMSettings
from app.ingest.source_record import WriterRecord
from app.ingest.url.article import Article
from app.ingest.url.summarize import word_budget

MAX_BRIEF_WORDS = 12_000  # of article text sent; longer articles are cut at a paragraph
MAX_ERRORS_SHOWN = 8

_SCHEMA = json.dumps(WrittenScript.model_json_schema(), separators=(",", ":"))
_SYSTEM = (
    "You write narration scripts for short explainer videos. Reply with one JSON object and "
    "nothing else, valid against this JSON Schema: " + _SCHEMA + ". Each scene is one shot: "
    "`narration` is what the narrator says (at most 45 words), `on_screen_text` a short "
    "headline, `visual_prompt` what the camera shows, `kind` the kind of shot, `section` the "
    "part of the video it belongs to, `sources` the numbers of the paragraphs it draws on."
)


@dataclass(frozen=True)
class ArticleBrief:
    article: Article
    minutes: float
    words_per_minute: float


@dataclass(frozen=True)
class PromptBrief:
    prompt: str
    minutes: float
    words_per_minute: float


@dataclass(frozen=True)
class WriterOutcome:
    writer: WriterRecord
    title: str = ""
    drafts: list[SceneDraft] = field(default_factory=list)  # empty: use the deterministic path


async def write_with_llm(
    settings: LLMSettings, brief: ArticleBrief | PromptBrief, *, sleep: Sleep
) -> WriterOutcome:
    """Drafts written by the configured model, or an outcome that says why there are none."""
    title = brief.article.title if isinstance(brief, ArticleBrief) else ""
    target = word_budget(brief.minutes, brief.words_per_minute, title)
    paragraphs = len(brief.article.paragraphs) if isinstance(brief, ArticleBrief) else 0
    messages = [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": _request(brief, target)},
    ]
    problems: list[str] = []
    for _attempt in range(2):
        try:
            reply = await chat(settings, messages, sleep=sleep)
        except LLMUnavailable as exc:
            return _fallback(settings, str(exc))
        script, problems = _validate(reply, paragraphs, target)
        if script is not None:
            return _success(settings, script, title)
        messages += [
            {"role": "assistant", "content": reply},
            {"role": "user", "content": "That reply is invalid:\n- " + "\n- ".join(problems)
             + "\nReply with the corrected JSON object only."},
        ]  # fmt: skip
    return _fallback(settings, "invalid output twice: " + problems[0])


def _request(brief: ArticleBrief | PromptBrief, target: float) -> str:
    length = (
        f"Write about {target:.0f} words of narration in total (about {brief.minutes:g} minutes "
        f"at {brief.words_per_minute:g} words per minute)."
    )
    if isinstance(brief, PromptBrief):
        return f"{length} The video is about:\n{brief.prompt}\nUse an empty `sources` list."
    article = brief.article
    lines, words = [], 0
    for p in article.paragraphs:
        words += len(p.text.split())
        if words > MAX_BRIEF_WORDS:
            break
        lines.append(f"[{p.number}] ({p.section or 'introduction'}) {p.text}")
    return (
        f"{length} Summarise this article faithfully: follow its sections in order, use them "
        "as `section`, add no fact that is not in it, and cite in `sources` the paragraph "
        f"numbers each scene draws on.\nTitle: {article.title}\n" + "\n".join(lines)
    )


def _validate(reply: str, paragraphs: int, target: float) -> tuple[WrittenScript | None, list[str]]:
    try:
        script = WrittenScript.model_validate_json(reply)
    except ValidationError as exc:
        errors = exc.errors()[:MAX_ERRORS_SHOWN]
        return None, [
            f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in errors
        ]
    problems = check_script(script, paragraphs=paragraphs, target_words=target)
    return (None, problems) if problems else (script, [])


def _success(settings: LLMSettings, script: WrittenScript, title: str) -> WriterOutcome:
    title = title or script.title.strip()
    drafts = [title_card(title)] + [
        SceneDraft(
            narration=" ".join(s.narration.split()),
            visual=s.visual_prompt.strip(),
            on_screen=s.on_screen_text.strip(),
            section=s.section.strip(),
            kind=s.kind,
            sources=tuple(sorted(set(s.sources))),
        )
        for s in script.scenes
    ]
    return WriterOutcome(_record(settings), title, drafts)


def _fallback(settings: LLMSettings, reason: str) -> WriterOutcome:
    return WriterOutcome(_record(settings, reason))


def _record(settings: LLMSettings, reason: str = "") -> WriterRecord:
    kind = "llm" if not reason else "extractive"
    return WriterRecord(kind, settings.model, settings.base_url, fallback_reason=reason)
