"""Per scene: the invisible watermark its vendor says it embeds, and what we can say about it.

Every clip is re-encoded by the composer (scaled, reframed, re-compressed, crossfaded), and
nothing in reelroute checks for a vendor's watermark afterwards, so its survival is reported
as unknown rather than implied. The vendor's claim comes from the catalog, with its evidence;
a model the catalog has no evidence for is `unknown`. The vendor's own C2PA manifest, when the
clip has one, stays attached to the scene's C2PA ingredient (`app.provenance.credentials`).
"""

from __future__ import annotations

from app.provenance.manifest_model import UpstreamMarks, WatermarkEvidence
from app.provenance.source_types import PROCEDURAL_PROVIDERS
from providers.profile import Catalog

RE_ENCODED = (
    "re-encoded by reelroute (scaled, reframed, re-compressed, crossfaded); whether the "
    "vendor's invisible watermark survived was not checked"
)
OWN_RENDERER = "drawn by reelroute's procedural renderer, which embeds no watermark"


def _catalog_evidence(catalog: Catalog, provider: str, model: str) -> WatermarkEvidence | None:
    try:
        found = catalog.get(provider).models.get(model)
    except KeyError:
        return None
    fact = found.watermark if found else None
    if fact is None:
        return None
    return WatermarkEvidence(
        value=str(fact.value), basis=str(fact.basis), source=fact.source,
        as_of=fact.as_of.isoformat(),
    )  # fmt: skip


def upstream_marks(catalog: Catalog, provider: str, model: str, today: str) -> UpstreamMarks:
    """What the manifest says about `provider/model`'s watermark on a scene made `today`."""
    if provider in PROCEDURAL_PROVIDERS:
        none = WatermarkEvidence(value="none", basis="primary", source=OWN_RENDERER, as_of=today)
        return UpstreamMarks(watermark=none, survival="not_applicable", reason=OWN_RENDERER)
    evidence = _catalog_evidence(catalog, provider, model) or WatermarkEvidence(
        value="unknown", basis="unconfirmed",
        source=f"the catalog records no watermark evidence for {provider}/{model}", as_of=today,
    )  # fmt: skip
    return UpstreamMarks(watermark=evidence, survival="unknown", reason=RE_ENCODED)
