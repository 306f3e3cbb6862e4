"""Decorative shapes never cover the words, in any aspect (seen in the 9:16 demo: a ring over
the headline "Imagine each cherry ...").

Measured on the layout geometry: every shape's whole drift (its size around every point of its
path) against the headline with its accent rule and the caption band, for headlines of every
length, many seeds and every aspect.
"""

from __future__ import annotations

import itertools

import pytest

from providers.local.layout import CLEARANCE, drift_box
from providers.local.looks_typographic import stylized_layout
from providers.local.spec import SceneSpec, load_fonts, spec_of
from providers.types import Aspect, ClipRequest, SceneKind

HEADLINES = (
    "Coffee, reimagined",
    "Imagine each cherry as a tiny parcel",
    "Imagine each cherry as a tiny parcel: a sweet red skin, a sticky layer of fruit",
    "Two",
)
ASPECTS = (Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE, Aspect.FOUR_FIVE)


def spec_for(text: str, aspect: Aspect, seed: int) -> SceneSpec:
    w, h = aspect.frame_size(1080)
    request = ClipRequest(
        prompt=text, duration=6.0, aspect=aspect, width=w, height=h, kind=SceneKind.STYLIZED,
        on_screen_text=text, seed=seed,
    )  # fmt: skip
    return spec_of(request, load_fonts())


@pytest.mark.parametrize("aspect", ASPECTS, ids=lambda a: a.value)
def test_shapes_keep_clear_of_the_words_in_every_aspect(aspect: Aspect) -> None:
    shown = 0
    cases = list(itertools.product(HEADLINES, range(12)))
    for text, seed in cases:
        spec = spec_for(text, aspect, seed)
        block, keep_out, shapes = stylized_layout(spec)
        assert block is not None
        words = keep_out[0]
        assert (words.left, words.top, words.right) == (block.left, block.top, block.right)
        gap = CLEARANCE * spec.frame.unit
        for shape in shapes:
            area = drift_box(shape)
            for box in keep_out:
                assert not area.overlaps(box.grown(gap)), (text, seed, aspect, shape.cx, box)
            # the centre stays in the frame, so the shape is seen
            assert 0 <= shape.cx <= spec.frame.width and 0 <= shape.cy <= spec.frame.height
        shown += len(shapes)
    # moved or shrunk, but not simply dropped: most scenes keep both shapes
    assert shown >= 1.5 * len(cases), f"{aspect.value}: {shown} shapes in {len(cases)} scenes"


def test_the_demo_headline_in_9x16_keeps_its_ring_above_the_words() -> None:
    spec = spec_for("Imagine each cherry as a tiny parcel", Aspect.PORTRAIT, 5)
    block, _, shapes = stylized_layout(spec)
    assert block is not None and shapes
    ring = drift_box(shapes[0])
    assert ring.bottom <= block.top or ring.top >= block.bottom  # moved off the words' rows
