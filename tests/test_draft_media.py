"""The draft's media as data: segment argv, playlists, placeholders, marks; and `verify`'s
refusal of anything that calls itself a draft."""

from __future__ import annotations

import json
from pathlib import Path

from app.config import Settings
from app.context import load_effective_catalog
from app.pipeline.draft_plan import DRAFT_ENCODE, draft_timeline, final_slot, placeholder
from app.provenance.credentials import load_trust_anchors
from app.provenance.draft_manifest import DRAFT_SCHEMA, is_draft
from app.provenance.verify import VerifyInputs, failed, verify_render
from app.render.captions import ass_document
from app.render.draft_media import (
    PlaylistEntry,
    audio_playlist,
    master_playlist,
    segment_ts_argv,
    stitch_argv,
    video_playlist,
)
from app.render.segments import SegmentJob
from app.render.timeline import Caption, OutputSpec, Reframe, VisibleLabel
from providers.types import Aspect, ClipRequest, SceneKind


def _request(kind: SceneKind, text: str, image: Path | None = None) -> ClipRequest:
    return ClipRequest(
        prompt="a harbour at dawn", duration=4.4, aspect=Aspect.LANDSCAPE, width=1920,
        height=1080, kind=kind, on_screen_text=text, reference_image=image, seed=3,
    )  # fmt: skip


def test_the_draft_timeline_keeps_the_finals_slots_with_hard_cuts() -> None:
    requests = [_request(SceneKind.TEXT, "One"), _request(SceneKind.DATA, "40 percent")]
    captions = ((Caption(0.35, 1.2, "one"),), ())
    tl = draft_timeline(requests, [4.0, 3.1], captions, Aspect.LANDSCAPE, 0.4)
    assert tl.transition == 0.0 and tl.fps == DRAFT_ENCODE.fps
    assert [s.start for s in tl.slots] == [0.0, 4.0]
    assert [s.clip_offset for s in tl.slots] == [0.0, 0.4]  # the final's picture, uncrossfaded
    drawn = tl.slots[1].natives[0]
    assert drawn.aspect is Aspect.LANDSCAPE and drawn.size == (960, 540)
    assert tl.slots[0].captions == captions[0]


def test_a_scene_over_an_image_gets_a_placeholder_drawn_without_it(tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(b"not read")
    drawn = placeholder(_request(SceneKind.LANDSCAPE, "Harbour", image), Aspect.PORTRAIT, 540)
    assert drawn.size == (540, 960) and "[out]" in drawn.graph and "movie" not in drawn.graph


def test_a_final_slot_decodes_its_clip(tmp_path: Path) -> None:
    tl = draft_timeline([_request(SceneKind.TEXT, "One")], [4.0], [()], Aspect.LANDSCAPE, 0.4)
    slot = final_slot(tl.slots[0], tmp_path / "clip.mp4", (1280, 720), Reframe.TRACK)
    assert slot.natives == () and slot.clip == (tmp_path / "clip.mp4").resolve()
    assert (slot.start, slot.duration) == (tl.slots[0].start, tl.slots[0].duration)


def test_a_segment_is_the_compositors_graph_written_as_ts_at_its_timeline_place() -> None:
    tl = draft_timeline(
        [_request(SceneKind.TEXT, "One"), _request(SceneKind.TEXT, "Two")],
        [4.0, 3.0], [(), ()], Aspect.LANDSCAPE, 0.4,
    )  # fmt: skip
    out = OutputSpec(Aspect.LANDSCAPE, 960, 540, Path("/d/seg_0001.r0.ts"))
    job = SegmentJob(tl.slots[1], None, (out,), ("cap.ass",), False, True)
    argv = segment_ts_argv(job, tl, DRAFT_ENCODE, "fonts")
    assert argv[argv.index("-output_ts_offset") + 1] == "4.000000"
    assert argv[-1] == "/d/seg_0001.r0.ts" and argv[argv.index("-f") + 1] == "mpegts"
    assert "ultrafast" in argv and "-i" not in argv  # drawn: no clip decoded
    assert "fade=t=out" in argv[argv.index("-filter_complex") + 1]


def test_playlists_grow_then_end_and_the_audio_is_one_rendition() -> None:
    entries = [PlaylistEntry("seg_0000.r0.ts", 4.0)]
    growing = video_playlist(entries, 6.2, complete=False)
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in growing and "#EXT-X-ENDLIST" not in growing
    assert "#EXT-X-TARGETDURATION:7" in growing  # fixed by the longest scene still to come
    done = video_playlist([*entries, PlaylistEntry("seg_0001.r2.ts", 6.2)], 6.2, complete=True)
    assert done.endswith("seg_0001.r2.ts\n#EXT-X-ENDLIST\n")
    audio = audio_playlist("audio.ts", 10.2)
    assert "#EXTINF:10.200000,\naudio.ts" in audio and "#EXT-X-ENDLIST" in audio
    master = master_playlist("video.m3u8", "audio.m3u8", (960, 540))
    assert 'TYPE=AUDIO,GROUP-ID="soundtrack"' in master and 'URI="audio.m3u8"' in master
    assert 'RESOLUTION=960x540,AUDIO="soundtrack"' in master and master.endswith("video.m3u8\n")


def test_the_stitch_copies_both_streams_into_an_mp4_with_its_index_first() -> None:
    argv = stitch_argv(Path("list.txt"), Path("audio.m4a"), Path("draft.mp4"), "T")
    assert argv[argv.index("-c") + 1] == "copy"
    assert argv[argv.index("-movflags") + 1] == "+faststart"


def test_marks_add_a_corner_label_and_change_nothing_without_them() -> None:
    label = VisibleLabel("AI-generated", "top_right")
    plain = ass_document((), Aspect.LANDSCAPE, 960, 540, label, 4.0)
    assert ass_document((), Aspect.LANDSCAPE, 960, 540, label, 4.0, marks=()) == plain
    marked = ass_document((), Aspect.LANDSCAPE, 960, 540, label, 4.0,
                          marks=(VisibleLabel("Draft", "top_left"),))  # fmt: skip
    assert "Style: Mark0," in marked and ",Mark0,,0,0,0,,Draft" in marked


def test_verify_refuses_any_folder_whose_manifest_is_a_drafts(tmp_path: Path) -> None:
    inputs = VerifyInputs(load_trust_anchors(Settings()), None, load_effective_catalog(Settings()))
    for body in ({"schema": DRAFT_SCHEMA}, {"schema": "reelroute.manifest/1", "draft": True}):
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps(body))
        (folder / "draft.mp4").write_bytes(b"")
        for path in (folder, folder / "draft.mp4"):
            result = verify_render(path, inputs)
            assert [c.name for c in result.checks] == ["draft"] and failed(result.checks)
            assert "not a publishable output" in result.checks[0].detail
    assert not is_draft({"schema": "reelroute.manifest/1"}) and not is_draft([])
