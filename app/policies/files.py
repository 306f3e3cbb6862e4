"""Reading policy files and their `extends` bases; routing only validates the parsed bodies."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from app.errors import NotFound, PolicyInvalid
from app.pipeline.plan import DEFAULT_POLICY
from providers.profile import Catalog, parse_document
from routing.policy import BaseDocument, BaseFinder, Policy, PolicyError, validate_policy

MAX_POLICY_BYTES = 256_000  # hundreds of times a commented policy; refuse before parsing
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "policies"
_BASES = "policies/bases"
_ISSUE = re.compile(r"^(?P<where>[^:]+:\d+): (?P<field>[^:]+): ")


def builtin_bases() -> tuple[str, ...]:
    """Names of the base policies shipped in `app/policies/bases/`."""
    folder = resources.files("app").joinpath(_BASES)
    return tuple(sorted(f.name[:-5] for f in folder.iterdir() if f.name.endswith(".yaml")))


def read_policy_file(path: Path) -> str:
    """The file's text, capped and decoded, or a `PolicyError` naming the path."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise PolicyError([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyError([f"{path}: larger than {MAX_POLICY_BYTES // 1000} kB; not a policy"])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError([f"{path}: not UTF-8 text (byte {exc.start})"]) from exc


def _builtin_finder(name: str) -> BaseDocument | None:
    found = resources.files("app").joinpath(_BASES, f"{name}.yaml")
    if not found.is_file():
        return None
    # A built-in base can only extend other built-ins.
    data, smap = parse_document(found.read_text(encoding="utf-8"), f"{_BASES}/{name}.yaml")
    return BaseDocument(data, smap, _builtin_finder)


def folder_finder(folder: Path | None) -> BaseFinder:
    """`<folder>/<name>.yaml`, else a built-in base; None: built-in bases only."""

    def find(name: str) -> BaseDocument | None:
        local = folder / f"{name}.yaml" if folder is not None else None
        if local is not None and local.is_file():
            data, smap = parse_document(read_policy_file(local), str(local), PolicyError)
            return BaseDocument(data, smap, folder_finder(folder))
        return _builtin_finder(name)

    return find


def parse_policy_text(
    text: str, name: str = "<policy>", catalog: Catalog | None = None, base_dir: Path | None = None
) -> Policy:
    """Policy text → a resolved `Policy`; `extends` looks in `base_dir`, then the built-ins."""
    data, smap = parse_document(text, name, PolicyError)
    return validate_policy(data, smap, name, catalog, folder_finder(base_dir))


def load_policy(path: Path | str, catalog: Catalog | None = None) -> Policy:
    """Read and validate a policy file (YAML or JSON). Raises `PolicyError`."""
    path = Path(path)
    return parse_policy_text(read_policy_file(path), str(path), catalog, base_dir=path.parent)


def parse_policy_body(body: dict[str, Any], catalog: Catalog | None = None) -> Policy:
    """An inline policy body (an API or request object); `extends` may name built-ins only."""
    return parse_policy_text(json.dumps(body, indent=2), "policy.body", catalog)


def policy_invalid(exc: PolicyError) -> PolicyInvalid:
    """The app error for a routing `PolicyError`: `field` from its first issue."""
    first = exc.issues[0] if exc.issues else str(exc)
    match = _ISSUE.match(first)
    return PolicyInvalid(str(exc), field=match["field"] if match else None)


class FilePolicySource:
    """The CLI's policies: `ref.id` is a file path or the name of an example policy; inline
    bodies are parsed as such; the enforced policy is a file from the settings (or none)."""

    def __init__(self, catalog: Catalog, enforced_path: Path | None = None) -> None:
        self._catalog = catalog
        self._enforced_path = enforced_path

    def resolve(self, ref: Any, tenant: str) -> Policy:
        if ref is None:
            return DEFAULT_POLICY
        try:
            if ref.body is not None:
                return parse_policy_body(ref.body, self._catalog)
            return load_policy(self._path(str(ref.id)), self._catalog)
        except PolicyError as exc:
            raise policy_invalid(exc) from exc

    def enforced(self, tenant: str) -> Policy | None:
        if self._enforced_path is None:
            return None
        try:
            return load_policy(self._enforced_path, self._catalog)
        except PolicyError as exc:
            raise policy_invalid(exc) from exc

    @staticmethod
    def _path(ref_id: str) -> Path:
        path = Path(ref_id)
        if path.exists():
            return path
        example = EXAMPLES_DIR / f"{ref_id}.yaml"
        if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", ref_id) and example.is_file():
            return example
        raise NotFound(f"no policy {ref_id!r}: not a file, nor an example policy", field="policy")
