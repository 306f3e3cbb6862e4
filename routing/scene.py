"""The router's view of one scene: only what routing decisions depend on."""

from __future__ import annotations

from dataclasses import dataclass

from providers.types import Aspect, SceneKind


@dataclass(frozen=True)
class SceneSpec:
    index: int  # 0-based position in the script
    kind: SceneKind
    duration: float  # seconds the scene needs
    aspect: Aspect  # the aspect the clip is generated in
    has_reference_image: bool = False  # a still exists for image-to-video

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError(f"scene {self.index}: duration must be positive, got {self.duration}")

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "kind": self.kind.value,
            "duration": self.duration,
            "aspect": self.aspect.value,
            "has_reference_image": self.has_reference_image,
        }
