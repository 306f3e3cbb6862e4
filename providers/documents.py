"""YAML/JSON documents with line numbers, read defensively: shared by the catalog and policies.

`read_document` + `parse_document` give plain data and a `SourceMap`, so every error a schema
finds can be reported as `file:line: field: problem` (`validation_issues`). Both the catalog
(`providers.profile`) and policies (`routing.policy`) load through here, so both get the same
defences against a hostile file:

- a size cap (`MAX_DOCUMENT_BYTES`) before anything is parsed;
- text must be UTF-8; anything else is a clear error naming the byte offset;
- YAML anchors and aliases are refused (an alias bomb expands a kilobyte into gigabytes; our
  files never need them), so the parsed data is never larger than the text;
- nesting deeper than `MAX_DEPTH` is refused before any recursive step can overflow the stack;
- duplicate keys are an error (YAML would silently keep the last one, hiding a contradiction).

Every refusal is a `DocumentError` (or the caller's subclass), never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

MAX_DOCUMENT_BYTES = 1 << 20  # the built-in catalog is ~60 KB; a policy a few KB
MAX_DEPTH = 64  # the catalog nests 7 levels deep


class DocumentError(ValueError):
    """A YAML/JSON document failed to load. Each issue reads `file:line: field: problem`."""

    def __init__(self, issues: Sequence[str]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(self.issues))


def read_document(path: Path, error: type[DocumentError] = DocumentError) -> str:
    """The text of the document at `path`: at most MAX_DOCUMENT_BYTES of UTF-8, else `error`."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise error([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise error([f"{path}: larger than {MAX_DOCUMENT_BYTES} bytes; refused"])
    return decode_document(raw, str(path), error)


def decode_document(raw: bytes, name: str, error: type[DocumentError] = DocumentError) -> str:
    """UTF-8 text of `raw` (a BOM is dropped), or `error` naming where the bad bytes start."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error([f"{name}:{line}: not UTF-8 text (bad byte at offset {exc.start})"]) from exc


def deep_merge(base: Any, override: Any) -> Any:
    """`override` on top of `base`: mappings merge recursively, None deletes, else replace."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = deep_merge(base.get(key), value)
    return merged


def canonical_json(data: Any) -> str:
    """The one canonical JSON form used for hashing: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


DocPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceMap:
    """Where each value of a parsed document sits: path -> (file name, 1-based line)."""

    lines: Mapping[DocPath, tuple[str, int]]
    name: str

    def overlay(self, other: SourceMap) -> SourceMap:
        """Locations of `other` win: used after merging `other`'s document on top of ours."""
        return SourceMap(lines={**self.lines, **other.lines}, name=other.name)

    def locate(self, loc: Sequence[str | int]) -> tuple[DocPath, str]:
        """The deepest known path along `loc` and its `file:line` prefix.

        Items of `loc` that are not document keys (pydantic's union-member tags) are skipped.
        """
        path: DocPath = ()
        where = self.lines.get((), (self.name, 1))
        for item in loc:
            for candidate in (item, str(item)):
                if (*path, candidate) in self.lines:
                    path = (*path, candidate)
                    where = self.lines[path]
                    break
        return path, f"{where[0]}:{where[1]}"

    def issue(self, path: Sequence[str | int], message: str) -> str:
        """`file:line: field: message` for a problem found at `path`."""
        _, where = self.locate(path)
        return f"{where}: {format_path(path)}: {message}"


def format_path(path: Sequence[str | int]) -> str:
    """`a.b[0].c` style, as users write it."""
    out = ""
    for item in path:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else str(item))
    return out or "(document)"


class _Refused(Exception):
    """A structural refusal found while composing, with the line it was found on."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and bounds nesting while it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(line, "YAML anchors and aliases (&, *) are not accepted")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(line, f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_document(
    text: str, name: str, error: type[DocumentError] = DocumentError
) -> tuple[Any, SourceMap]:
    """Parse YAML (JSON is accepted as YAML) into plain data plus a `SourceMap`; raises `error`
    for text over the size cap, anchors/aliases, deep nesting, duplicate keys or bad syntax."""
    if len(text) > MAX_DOCUMENT_BYTES or len(text.encode("utf-8", "replace")) > MAX_DOCUMENT_BYTES:
        raise error([f"{name}: larger than {MAX_DOCUMENT_BYTES} bytes; refused"])
    if text.lstrip().startswith(("{", "[")):
        # JSON allows tab indentation, YAML does not; in valid JSON a raw tab is only whitespace.
        text = text.replace("\t", " ")
    node, data = _compose(text, name, error)
    lines: dict[DocPath, tuple[str, int]] = {}
    _walk(node, (), name, lines, error)
    return data, SourceMap(lines=lines, name=name)


def _reader_issue(name: str, text: str, exc: yaml.reader.ReaderError) -> str:
    line = text.count("\n", 0, max(exc.position, 0)) + 1
    char = chr(exc.character) if isinstance(exc.character, int) else exc.character
    return f"{name}:{line}: invalid YAML/JSON: character {char!r} is not allowed"


def _compose(text: str, name: str, error: type[DocumentError]) -> tuple[yaml.Node, Any]:
    try:  # the reader checks the characters as soon as the loader is made
        loader = _GuardedLoader(text)
    except yaml.reader.ReaderError as exc:
        raise error([_reader_issue(name, text, exc)]) from exc
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise error([f"{name}:{exc.line}: {exc.problem}"]) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise error([f"{name}:{line}: invalid YAML/JSON: {exc.problem}"]) from exc
    except yaml.reader.ReaderError as exc:  # a character YAML forbids; it carries no mark
        raise error([_reader_issue(name, text, exc)]) from exc
    except yaml.YAMLError as exc:  # e.g. a control character the reader will not take
        raise error([f"{name}:1: invalid YAML/JSON: {exc}"]) from exc
    finally:
        loader.dispose()
    if node is None:
        raise error([f"{name}:1: the document is empty"])
    return node, data


def _walk(
    node: yaml.Node,
    path: DocPath,
    name: str,
    out: dict[DocPath, tuple[str, int]],
    error: type[DocumentError],
) -> None:
    # A mapping entry is located at its key's line (set first, so the value does not move it).
    # Depth is bounded by the loader (MAX_DEPTH), so this recursion cannot overflow.
    out.setdefault(path, (name, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise error([f"{name}:{line}: {format_path((*path, key))}: duplicate key"])
            seen.add(key)
            out[(*path, key)] = (name, key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), name, out, error)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), name, out, error)


def validation_issues(exc: ValidationError, smap: SourceMap) -> list[str]:
    """pydantic errors as `file:line: field: message`, one per field (union messages joined)."""
    grouped: dict[tuple[DocPath, str], list[str]] = {}
    for err in exc.errors(include_url=False):
        path, where = smap.locate(err["loc"])
        if err["type"] == "missing" and err["loc"]:
            path = (*path, err["loc"][-1])  # the missing field is not in the document
        message = _friendly(err["type"], err["msg"])
        bucket = grouped.setdefault((path, where), [])
        if message not in bucket:
            bucket.append(message)
    return [f"{where}: {format_path(p)}: {' or '.join(m)}" for (p, where), m in grouped.items()]


def _friendly(kind: str, msg: str) -> str:
    if kind == "extra_forbidden":
        return "unknown field"
    return re.sub(r"^Value error, ", "", msg)
