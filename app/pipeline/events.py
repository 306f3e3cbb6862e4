"""Progress events a render emits; the CLI draws them as bars, the API will stream them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    PLAN = "plan"  # routing every scene
    NARRATE = "narrate"  # synthesising the voice per scene
    GENERATE = "generate"  # making (or reusing) a clip per scene
    LAYOUT = "layout"  # a clip per aspect where one is made, else finding each clip's subject
    MUSIC = "music"  # generating the music bed
    COMPOSE = "compose"  # encoding scene segments into every aspect
    MUX = "mux"  # joining segments with the soundtrack
    DISCLOSE = "disclose"  # writing the manifest and disclosure track


@dataclass(frozen=True)
class ProgressEvent:
    stage: Stage
    done: int
    total: int
    message: str = ""


ProgressSink = Callable[[ProgressEvent], None]
