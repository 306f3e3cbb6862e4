"""report.html's "Source and citations" section, from the manifest's `input.source` block.

For a URL source: where the article came from (URL, final URL, fetch time, sha256 of the
bytes, extraction library and version), who wrote the script, each scene's cited paragraphs
(number, section, opening words, a link that scrolls to the paragraph) and the article images
used or skipped. For an LLM-written prompt, who wrote it. Nothing for other sources.

Everything from the manifest is HTML-escaped; only http(s) URLs become links.
"""

from __future__ import annotations

from html import escape
from typing import Any


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _link(url: str, text: str | None = None) -> str:
    label = _e(text if text is not None else url)
    if not url.lower().startswith(("http://", "https://")):
        return label
    return f'<a href="{_e(url)}" rel="noreferrer noopener">{label}</a>'


_DETERMINISTIC = {
    "extractive": "extractive summary (deterministic, no model)",
    "rules": "reelroute's rules (deterministic, no model)",
}


def _writer(writer: dict[str, Any]) -> str:
    kind, model = writer.get("kind", ""), writer.get("model", "")
    if kind == "llm":
        return f"LLM <code>{_e(model)}</code> at {_e(writer.get('endpoint', ''))}"
    html = _e(_DETERMINISTIC.get(kind, kind))
    if writer.get("fallback_reason"):
        html += f"; the configured LLM <code>{_e(model)}</code> was not used: "
        html += _e(writer["fallback_reason"])
    return html


def _meta(source: dict[str, Any]) -> str:
    rows = [("script written by", _writer(source.get("writer", {})))]
    fetch = source.get("fetch")
    if fetch:
        article = source.get("article", {})
        extraction = source.get("extraction", {})
        byline = ", ".join(x for x in (article.get("author"), article.get("date")) if x)
        rows = [
            ("article", f"<b>{_e(article.get('title', ''))}</b> {_e(byline)}"),
            ("URL", _link(fetch["url"])),
            ("fetched", f"{_e(fetch['fetched_at'])} from {_link(fetch['final_url'])}"),
            ("bytes", f"{_e(fetch['bytes'])} {_e(fetch['media_type'])}; {_e(fetch['charset'])}; "
                      f"<code>{_e(fetch['sha256'])}</code>"),
            ("extracted by", f"{_e(extraction.get('library'))} {_e(extraction.get('version'))}"),
            *rows,
        ]  # fmt: skip
    if source.get("minutes_asked") is not None:
        rows.append(("length asked", f"{_e(source['minutes_asked'])} min"))
    body = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return f"<table class=meta>{body}</table>"


def _citations(source: dict[str, Any]) -> str:
    paragraphs = {p["number"]: p for p in source.get("paragraphs", [])}
    rows = []
    for cite in source.get("citations", []):
        cited = [paragraphs[n] for n in cite["paragraphs"] if n in paragraphs]
        text = (
            "<br>".join(f"¶{_e(p['number'])} {_link(p['link'], p['excerpt'])}" for p in cited)
            or "<span class=muted>title card: not from a paragraph</span>"
        )
        section = _e(cited[0]["section"]) if cited else ""
        rows.append(f"<tr><td class=nowrap>Scene {cite['scene'] + 1}</td><td>{section}</td>"
                    f"<td>{text}</td></tr>")  # fmt: skip
    head = "<tr><th>scene</th><th>section</th><th>from (paragraph: opening words)</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _images(source: dict[str, Any]) -> str:
    rows = [
        f"<tr><td>{_link(i['url'])}</td><td><code>{_e(i['sha256'])}</code></td>"
        f"<td>{', '.join(f'Scene {n + 1}' for n in i['scenes'])}</td></tr>"
        for i in source.get("images", [])
    ] + [
        f"<tr><td>{_link(i['url'])}</td><td colspan=2 class=muted>not used: "
        f"{_e(i['reason'])}</td></tr>"
        for i in source.get("images_skipped", [])
    ]
    if not rows:
        return "<p class=muted>The article has no images.</p>"
    return f"<table><tr><th>image</th><th>sha256</th><th>shown in</th></tr>{''.join(rows)}</table>"


def sources_section(manifest: dict[str, Any]) -> str:
    """The section's HTML, or "" when the render's script was used as given."""
    source = (manifest.get("input") or {}).get("source")
    if not source:
        return ""
    html = f"<h2>Source and citations</h2>{_meta(source)}"
    if source.get("fetch"):
        html += f"<h3>Where each scene comes from</h3>{_citations(source)}"
        html += f"<h3>Article images</h3>{_images(source)}"
    return html
