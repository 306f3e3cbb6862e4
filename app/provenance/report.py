"""report.html: a self-contained audit report a person can read (no scripts, no external files).

Built from the manifest just before it is signed (the signature then covers this report's
sha256), the verification checks run when it was written, and one small JPEG thumbnail per
scene (inline data URIs, taken at each scene's midpoint). Every piece of text from the manifest
is HTML-escaped.
"""

from __future__ import annotations

import base64
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from html import escape
from pathlib import Path

from app.provenance.checks import Check, Verdict
from app.provenance.manifest_model import Manifest, OutputRecord, Routing, SceneRecord
from app.provenance.sources_html import sources_section
from providers.media import run_ffmpeg

THUMB_WIDTH = 192

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #d8dee4;padding:.45rem;
vertical-align:top;text-align:left}th{background:#f3f5f7;font-weight:600}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.meta td:first-child{width:11rem;color:#57606a}.thumb{width:192px;border-radius:4px}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
.skip,.warn{color:#9a6700;font-weight:600}.muted{color:#57606a}.nowrap{white-space:nowrap}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:1rem;font-weight:600}
.ok{background:#dafbe1;color:#1a7f37}.bad{background:#ffebe9;color:#cf222e}
"""


async def scene_thumbnails(video: Path, times: Sequence[float]) -> list[str | None]:
    """One `data:image/jpeg;base64,...` URI per time (None where ffmpeg could not take one)."""
    uris: list[str | None] = []
    with tempfile.TemporaryDirectory(prefix="reelroute-thumbs-") as tmp:
        for i, t in enumerate(times):
            dest = Path(tmp) / f"scene-{i}.jpg"
            await run_ffmpeg([
                "-v", "error", "-ss", f"{max(0.0, t):.3f}", "-i", str(video.resolve()),
                "-frames:v", "1", "-vf", f"scale={THUMB_WIDTH}:-2", "-q:v", "6", str(dest),
            ])  # fmt: skip
            data = dest.read_bytes() if dest.is_file() else b""
            uris.append(
                "data:image/jpeg;base64," + base64.b64encode(data).decode() if data else None
            )
    return uris


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _exclusions(routing: Routing) -> str:
    by_reason: dict[str, list[str]] = defaultdict(list)
    for ex in routing.exclusions:
        for reason in ex.reasons:
            by_reason[reason].append(f"{ex.provider}/{ex.model}")
    if not by_reason:
        return "none"
    parts = []
    for reason in sorted(by_reason):
        models = by_reason[reason]
        providers = sorted({m.split("/", 1)[0] for m in models})
        parts.append(
            f"<code>{_e(reason)}</code>: {len(models)} model{'s' if len(models) != 1 else ''} "
            f"<span class=muted>({_e(', '.join(providers))})</span>"
        )
    return "<br>".join(parts)


def _why(routing: Routing, ref: str) -> str:
    chosen = routing.chosen
    chosen_ref = f"{chosen.provider}/{chosen.model}" if chosen else "None/None"
    score = routing.scores.get(chosen_ref)
    parts = ", ".join(f"{_e(k)} {_e(v)}" for k, v in sorted(score.parts.items())) if score else ""
    line = f"eligible; chosen <b>{_e(chosen_ref)}</b>: score {_e(score.total if score else '—')}"
    line += f" <span class=muted>({parts})</span>" if parts else ""
    if ref != chosen_ref:
        line += f"<br>made by fallback <b>{_e(ref)}</b>"
    fallbacks = ", ".join(f"{f.provider}/{f.model}" for f in routing.fallbacks)
    return line + f"<br>fallbacks: {_e(fallbacks or 'none')}"


def _cost(scene: SceneRecord) -> str:
    costs = [a.cost_usd for a in scene.attempts if a.outcome == "succeeded"]
    if not costs and any(a.outcome == "cached" for a in scene.attempts):
        return "$0.00<br><span class=muted>clip reused from cache</span>"
    if any(c is None for c in costs):
        return "unknown"
    return f"${sum(c for c in costs if c is not None):.2f}"


def _recheck(check: Check | None) -> str:
    if check is None:
        return "<span class=muted>not re-checked</span>"
    verdict = check.verdict.value
    return f"re-checked: <span class={verdict}>{verdict}</span> {_e(check.detail)}"


def _made_how(scene: SceneRecord) -> str:
    """The scene's source type, and what is known of its vendor's watermark."""
    if scene.source_type is None:
        return ""
    marks = scene.upstream_marks
    mark = (
        f"<br><span class=muted>watermark: {_e(marks.watermark.value)} "
        f"({_e(marks.watermark.basis)}); survival {_e(marks.survival)}</span>"
        if marks and marks.survival != "not_applicable"
        else ""
    )
    return f"<br><code>{_e(scene.source_type)}</code>{mark}{_input_image(scene)}"


def _input_image(scene: SceneRecord) -> str:
    """The article image or local picture the scene's clip was made from."""
    image = scene.input_image
    if image is None:
        return ""
    where = "article image" if image.origin == "article" else "local image"
    return (
        f"<br>made from the {where} <code>{_e(image.ref)}</code> "
        f"<span class=muted>({_e(image.media_type)}, <code>{_e(image.sha256)}</code>)</span>"
    )


def _elements(manifest: Manifest) -> list[tuple[str, str]]:
    """Rows for the whole output's source type, the narration, the music and approval."""
    if manifest.digital_source_type is None:
        return []
    voice, music, approval = manifest.voice, manifest.music, manifest.approval
    approved = (f"approved by {_e(approval.by)} at {_e(approval.at)} (human_validated)"
                if approval else "not approved by a person (prompt_guided)")  # fmt: skip
    return [
        ("source type", f"<code>{_e(manifest.digital_source_type)}</code>"),
        ("narration", f"{_e(voice.engine)} {_e(voice.voice)}: "
                      f"<code>{_e(voice.source_type)}</code>"),
        ("music", f"{_e(music.source)}: <code>{_e(music.source_type)}</code>"),
        ("plan", approved),
    ]  # fmt: skip


def _scene_row(scene: SceneRecord, thumb: str | None, recheck: Check | None) -> str:
    clip, tl = scene.clip, scene.timeline
    img = f'<img class=thumb alt="scene {scene.number}" src="{thumb}">' if thumb else "—"
    return (
        f"<tr><td>{img}</td><td><b>Scene {scene.number}</b><br>{_e(scene.kind)}<br>"
        f"<span class=nowrap>{float(tl.start):.2f}–{float(tl.end):.2f} s</span></td>"
        f"<td>{_e(clip.provider)}<br><code>{_e(clip.model)}</code><br>"
        f"<span class=muted>{_e(clip.model_version)}</span>{_made_how(scene)}</td>"
        f"<td>{_why(scene.routing, clip.ref)}<br>{_recheck(recheck)}</td>"
        f"<td>{_exclusions(scene.routing)}</td><td>{_cost(scene)}</td></tr>"
    )


def _checks(checks: Sequence[Check]) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(c.name)}</code></td><td class={c.verdict.value}>{c.verdict.value}"
        f"</td><td>{_e(c.detail)}</td></tr>"
        for c in checks
    )
    return f"<table><tr><th>check</th><th>verdict</th><th>detail</th></tr>{rows}</table>"


def _status(checks: Sequence[Check]) -> str:
    counts = {v: sum(c.verdict is v for c in checks) for v in Verdict}
    ok = counts[Verdict.FAIL] == 0
    label = "verified" if ok else "verification FAILED"
    warned = f", {counts[Verdict.WARN]} warned" if counts[Verdict.WARN] else ""
    return (
        f'<span class="badge {"ok" if ok else "bad"}">{label}</span> '
        f"{counts[Verdict.PASS]} passed, {counts[Verdict.FAIL]} failed, "
        f"{counts[Verdict.SKIP]} skipped{warned} <span class=muted>(when this report was "
        "written; re-check any time with <code>reelroute verify</code> on this folder)</span>"
    )


def _signature(manifest: Manifest, signer: str | None) -> str:
    if manifest.signature is not None:
        sig = manifest.signature
        return f"{_e(sig.alg)} key <code>{_e(sig.key_id)}</code>"
    if signer:
        after = "signed after this report was written; the signature covers its sha256"
        return f"Ed25519 key <code>{_e(signer)}</code> <span class=muted>({after})</span>"
    return "none"


def _meta(manifest: Manifest, checks: Sequence[Check], signer: str | None) -> str:
    policy = manifest.policy
    rows = [
        ("render", f"<code>{_e(manifest.render_id)}</code>, {_e(manifest.created_at)}"),
        ("policy", f"<b>{_e(policy.id)}</b> v{_e(policy.version)} "
                   f"<code>{_e(policy.sha256)}</code>"),
        ("catalog", f"<code>{_e(manifest.catalog.sha256)}</code>"),
        *_elements(manifest),
        ("manifest signature", _signature(manifest, signer)),
        ("verification", _status(checks)),
    ]  # fmt: skip
    return (
        "<table class=meta>"
        + "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
        + "</table>"
    )


def _output_row(o: OutputRecord) -> str:
    return (
        f"<tr><td>{_e(o.aspect)}</td><td>{_e(o.file)}</td><td>{_e(o.width)}×{_e(o.height)}"
        f"</td><td>{float(o.duration):.2f} s</td><td><code>{_e(o.sha256)}</code></td></tr>"
    )


def _outputs(manifest: Manifest) -> str:
    rows = "".join(_output_row(o) for o in manifest.outputs)
    head = "<tr><th>aspect</th><th>file</th><th>size</th><th>duration</th><th>sha256</th></tr>"
    return f"<table>{head}{rows}</table>"


def render_report(
    manifest: Manifest,
    thumbnails: Sequence[str | None],
    checks: Sequence[Check],
    signer: str | None = None,
) -> str:
    """The whole HTML document; `signer` is the key id that will sign an unsigned manifest."""
    title = manifest.input.title or "reelroute render"
    head = ("<tr><th>frame</th><th>scene</th><th>made by</th><th>policy verdict and why</th>"
            "<th>excluded (reason: models)</th><th>cost</th></tr>")  # fmt: skip
    by_name = {c.name: c for c in checks}
    scenes = "".join(
        _scene_row(s, t, by_name.get(f"scene[{s.number}].policy"))
        for s, t in zip(manifest.scenes, thumbnails, strict=False)
    )
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)} — disclosure report</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class=muted>Per-scene AI generation disclosure by reelroute "
        f"{_e(manifest.software.version)}</p>"
        f"{_meta(manifest, checks, signer)}{sources_section(manifest.document())}"
        f"<h2>Scenes</h2><table>{head}{scenes}</table>"
        f"<h2>Outputs</h2>{_outputs(manifest)}<h2>Checks</h2>{_checks(checks)}"
        "</body></html>\n"
    )
