"""A built-in scene as a recipe: the filter graph that draws it, for a compositor to draw it
straight into its own graph instead of encoding a clip and decoding it again.

Drawing a scene costs about a quarter of making its clip (measured at 1080p: 0.2-0.7 CPU-s to
draw 6 s, 1.5-1.8 CPU-s more to encode it with x264 ultrafast, 0.4 to decode it again), so an
extra aspect drawn in place costs a fraction of an extra clip. The recipe's sha256 stands in
for a clip's: it is the fingerprint of the request and model, from which the same graph is
built again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from providers.errors import CapabilityNotSupported
from providers.local.graphs import filter_graph
from providers.local.provider import MODEL_ID, PROVIDER_ID, _fonts, request_fingerprint
from providers.local.spec import InvalidRequest, spec_of
from providers.types import Aspect, ClipRequest, SceneKind


@dataclass(frozen=True)
class Recipe:
    graph: str  # a filter graph with no inputs whose output label is `out`
    width: int
    height: int
    fps: int
    frames: int
    sha256: str  # request_fingerprint(request, model)


def recipe_of(request: ClipRequest, model: str = MODEL_ID) -> Recipe:
    """The graph that draws `request`. Scenes over a reference image need the image as an
    input and are made as clips instead (CapabilityNotSupported)."""
    if model != MODEL_ID or request.reference_image is not None:
        raise CapabilityNotSupported(
            "only imageless scenes of the local renderer are drawn from a recipe",
            provider_id=PROVIDER_ID,
        )
    try:
        spec = spec_of(request, _fonts())
    except InvalidRequest as exc:
        raise CapabilityNotSupported(str(exc), provider_id=PROVIDER_ID) from exc
    frame = spec.frame
    return Recipe(
        filter_graph(spec), frame.width, frame.height, frame.fps, frame.frames,
        request_fingerprint(request, model),
    )  # fmt: skip


def request_from_record(data: dict[str, Any]) -> ClipRequest:
    """The request a manifest recorded for a drawn scene (JSON of its fields), as it was.
    Raises ValueError naming the field when the record is not a drawable request."""
    try:
        fields = dict(data)
        if fields.get("reference_image") is not None:
            raise ValueError("reference_image: a drawn scene has none")
        fields["aspect"] = Aspect(fields["aspect"])
        fields["kind"] = SceneKind(fields["kind"])
        return ClipRequest(**fields)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a clip request: {exc}") from exc
