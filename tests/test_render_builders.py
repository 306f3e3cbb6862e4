"""Pure tests of the compositor's builders: no ffmpeg is run here."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from app.render import audio
from app.render.captions import ass_document, chunk_words, time_captions
from app.render.compose import concat_list, mux_argv
from app.render.quality import SETTINGS, Quality
from app.render.segments import segment_argv, segment_filter, segment_jobs
from app.render.timeline import Caption, DrawnScene, OutputSpec, Reframe, build_timeline
from providers.types import Aspect


def _timeline(n: int = 3, transition: float = 0.4) -> tuple:  # type: ignore[type-arg]
    clips = [Path(f"/clips/c{i}.mp4") for i in range(n)]
    caps = [(Caption(0.3, 1.5, f"caption {i}"),) for i in range(n)]
    tl = build_timeline(
        [2.01, 3.333, 4.0][:n],
        clips,
        [(1920, 1080), (1280, 720), (1080, 1920)][:n],
        [Reframe.CROP, Reframe.PAD, Reframe.CROP][:n],
        caps,
        fps=30,
        transition=transition,
    )
    outs = [
        OutputSpec(a, *a.frame_size(1080), Path(f"/out/v-{a.value.replace(':', 'x')}.mp4"))
        for a in (Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE)
    ]
    return tl, outs


def test_aspect_frame_sizes() -> None:
    assert Aspect.LANDSCAPE.frame_size(1080) == (1920, 1080)
    assert Aspect.PORTRAIT.frame_size(1080) == (1080, 1920)
    assert Aspect.SQUARE.frame_size(1080) == (1080, 1080)
    assert Aspect.FOUR_FIVE.frame_size(1080) == (1080, 1350)
    assert Aspect.LANDSCAPE.frame_size(540) == (960, 540)


def test_timeline_snaps_every_scene_to_whole_frames() -> None:
    tl, _ = _timeline()
    for slot in tl.slots:
        assert abs(slot.duration * 30 - round(slot.duration * 30)) < 1e-9
        assert abs(slot.start * 30 - round(slot.start * 30)) < 1e-9
    assert tl.slots[1].start == pytest.approx(tl.slots[0].duration)
    assert tl.duration == pytest.approx(sum(s.duration for s in tl.slots))
    assert [s.clip_offset for s in tl.slots] == [0.0, 0.4, 0.4]


def test_timeline_rejects_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="one entry per scene"):
        build_timeline([1.0], [], [], [], [], fps=30, transition=0)


def test_segment_jobs_name_files_per_scene_and_aspect() -> None:
    tl, outs = _timeline()
    jobs = segment_jobs(tl, outs, Path("/work"))
    assert [j.outputs[1].path.name for j in jobs] == [
        "seg_0000_9x16.mp4",
        "seg_0001_9x16.mp4",
        "seg_0002_9x16.mp4",
    ]
    assert jobs[0].next_slot is tl.slots[1] and jobs[-1].next_slot is None
    assert jobs[0].is_first and jobs[-1].is_last and not jobs[1].is_first


def test_segment_decodes_each_clip_once_and_writes_every_aspect() -> None:
    tl, outs = _timeline()
    job = segment_jobs(tl, outs, Path("/work"))[1]
    argv = segment_argv(job, tl, SETTINGS[Quality.STANDARD], "fonts")
    assert argv.count("-i") == 2  # its own clip + the next clip's head for the crossfade
    assert argv[argv.index("-i") + 1] == "/clips/c1.mp4"
    # Each input is read only as far as it is used (offset + duration; the head), one thread.
    inputs = [i for i, a in enumerate(argv) if a == "-i"]
    assert [argv[i - 4 : i] for i in inputs] == [
        ["-threads", "1", "-t", f"{0.4 + 100 / 30 + 1 / 30:.4f}"],
        ["-threads", "1", "-t", f"{0.4 + 1 / 30:.4f}"],
    ]
    graph = argv[argv.index("-filter_complex") + 1]
    assert graph.count("[0:v]") == 1  # one decode feeds every aspect
    for i in range(3):  # every aspect's stream is defined exactly once
        assert graph.count(f"[o{i}]") == 1
    assert "trim=start=0.4000" in graph  # starts after the incoming crossfade
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "-map"] == ["[o0]", "[o1]", "[o2]"]
    assert argv[-1] == "/work/seg_0001_1x1.mp4"
    assert "subtitles=filename=cap_0001_9x16.ass:fontsdir=fonts" in graph


def test_crossfade_overlays_the_next_head_on_the_tail_only() -> None:
    tl, outs = _timeline()
    graph = segment_filter(segment_jobs(tl, outs, Path("/w"))[0], tl, "fonts")
    assert "xfade" not in graph  # it would convert every frame to 4:4:4 and back
    assert graph.count("fade=t=in:st=0:d=0.4000:alpha=1") == 3
    assert graph.count("setpts=PTS+1.6000/TB") == 3  # the head starts 0.4 s before the cut
    # The head is framed the way the next scene (PAD) frames it: blurred pad for 9:16 and 1:1.
    assert graph.count("[hbg1]") == 2 and graph.count("[hbg2]") == 2


def test_last_segment_fades_out_and_has_no_crossfade() -> None:
    tl, outs = _timeline()
    job = segment_jobs(tl, outs, Path("/w"))[-1]
    graph = segment_filter(job, tl, "fonts")
    assert "[1:v]" not in graph
    assert graph.count("fade=t=out") == 3


def test_crop_cuts_each_aspect_from_the_source_before_scaling() -> None:
    tl, outs = _timeline()
    jobs = segment_jobs(tl, outs, Path("/w"))
    crop_graph = segment_filter(jobs[0], tl, "f", "bicubic").split("[1:v]")[0]
    assert "boxblur" not in crop_graph
    assert "[vd0]setsar=1[v0]" in crop_graph  # 1920x1080 source into 16:9: untouched
    assert "crop=606:1080,scale=1080:1920:flags=bicubic" in crop_graph  # 9:16
    assert "crop=1080:1080,setsar=1" in crop_graph  # 1:1 needs no scaling at all
    portrait = segment_filter(jobs[2], tl, "f", "bicubic")  # a 1080x1920 source
    assert "crop=1080:606,scale=1920:1080" in portrait
    assert "[vd1]setsar=1[v1]" in portrait  # 9:16 keeps the clip's full resolution


def test_pad_shares_one_blur_source_and_one_fitted_foreground() -> None:
    tl, outs = _timeline()
    graph = segment_filter(segment_jobs(tl, outs, Path("/w"))[1], tl, "f").split("[1:v]")[0]
    assert graph.count("boxblur") == 2  # 9:16 and 1:1; 16:9 has the clip's own shape
    assert graph.count("scale=160:90:flags=fast_bilinear,split=2") == 1  # one small blur source
    assert graph.count("scale=1080:606:flags=bicubic") == 1  # both aspects fit to 1080 wide
    assert "[vd0]scale=1920:1080:flags=bicubic,setsar=1[v0]" in graph


def test_hard_cuts_when_transition_is_zero() -> None:
    tl, outs = _timeline(transition=0.0)
    job = segment_jobs(tl, outs, Path("/w"))[0]
    assert "[1:v]" not in segment_filter(job, tl, "f")
    assert segment_argv(job, tl, SETTINGS[Quality.DRAFT], "f").count("-i") == 1


def test_caption_chunks_break_on_punctuation_and_length() -> None:
    text = "Morning light hits the harbour. Boats leave early, nets ready, engines humming loudly."
    chunks = chunk_words(text)
    assert chunks[0] == "Morning light hits the harbour."
    assert all(len(c.split()) <= 7 for c in chunks)
    assert " ".join(chunks) == text


def test_captions_span_speech_proportionally_without_word_times() -> None:
    caps = time_captions("one two three. four five six seven eight nine ten", 0.35, 4.0)
    assert caps[0].start == pytest.approx(0.35)
    assert caps[-1].end == pytest.approx(4.35, abs=1e-3)
    assert all(a.end == pytest.approx(b.start, abs=1e-3) for a, b in itertools.pairwise(caps))


def test_captions_follow_word_times_when_given() -> None:
    words = [(0.0, 0.2), (0.25, 0.5), (0.6, 0.9)]
    caps = time_captions("alpha beta gamma", 1.0, 1.0, words)
    assert caps == (Caption(1.0, 1.9, "alpha beta gamma"),)


def test_ass_document_sits_inside_the_safe_area_and_sanitises_text() -> None:
    doc = ass_document([Caption(0, 1.25, r"{\b1}evil\N text")], Aspect.PORTRAIT, 1080, 1920)
    assert "PlayResX: 1080" in doc and "PlayResY: 1920" in doc
    style = next(line for line in doc.splitlines() if line.startswith("Style:"))
    assert style.split(",")[-2] == str(round(1920 * 0.22))  # MarginV keeps clear of feed UI
    dialogue = doc.splitlines()[-1]
    assert dialogue.startswith("Dialogue: 0,0:00:00.00,0:00:01.25,Caption")
    assert "{" not in dialogue.split(",,", 1)[1] and "\\" not in dialogue


def test_loudness_targets_and_correction() -> None:
    assert audio.Loudness(-14.2, -1.5).within_target()
    assert not audio.Loudness(-14.0, -0.4).within_target()
    assert not audio.Loudness(-16.0, -3.0).within_target()
    assert audio.correction_db(audio.Loudness(-16.0, -5.0)) == pytest.approx(2.0)
    # Over the ceiling: come down by the excess plus margin even if that costs loudness.
    assert audio.correction_db(audio.Loudness(-14.0, -0.5)) == pytest.approx(-0.8)


def test_parse_ebur128_summary() -> None:
    stderr = """[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -14.1 LUFS
    Threshold: -24.3 LUFS

  Loudness range:
    LRA:         5.2 LU

  True peak:
    Peak:       -1.3 dBFS
"""
    assert audio.parse_ebur128(stderr) == audio.Loudness(-14.1, -1.3)
    with pytest.raises(ValueError):
        audio.parse_ebur128("nothing here")


def test_mix_ducks_music_under_the_voice() -> None:
    argv = audio.mix_argv(Path("v.wav"), Path("m.wav"), 12.5, Path("mix.wav"), -13.0)
    graph = argv[argv.index("-filter_complex") + 1]
    assert "[bed][key]sidechaincompress" in graph
    assert "atrim=end=12.5000" in graph and "volume=-13.0dB" in graph


def test_concat_list_escapes_quotes_and_mux_copies_streams() -> None:
    text = concat_list([Path("/a/it's.mp4"), Path("/b/x.mp4")])
    assert text.splitlines() == ["file '/a/it'\\''s.mp4'", "file '/b/x.mp4'"]
    argv = mux_argv(Path("l.txt"), Path("a.m4a"), Path("o.mp4"), "T")
    assert argv[argv.index("-c") + 1] == "copy" and "+faststart" in argv


def test_pad_blur_source_stays_large_enough_for_tiny_clips() -> None:
    tl, outs = _timeline()
    tiny = replace(tl, slots=tuple(replace(s, clip_size=(212, 120)) for s in tl.slots))
    graph = segment_filter(segment_jobs(tiny, outs, Path("/w"))[1], tiny, "f")
    # 1/8 of 212x120 would leave a 9:16 crop too narrow for boxblur's chroma radius.
    assert "scale=112:64:flags=fast_bilinear" in graph
    assert "crop=36:64,boxblur" in graph


def test_the_gain_is_found_on_exactly_what_the_encoder_gets() -> None:
    pcm = audio.level_argv(Path("mix.wav"), Path("level.wav"), 5.7)
    aac = audio.encode_argv(Path("mix.wav"), Path("a.m4a"), 5.7, "192k")
    chain = pcm[pcm.index("-af") + 1]
    assert chain == aac[aac.index("-af") + 1]
    assert chain.startswith("volume=5.70dB,alimiter=") and "pcm_f32le" in pcm
    assert aac[aac.index("-c:a") + 1] == "aac"


def test_the_crossfade_head_of_a_drawn_scene_is_drawn_without_its_later_words() -> None:
    """The next scene's head shows its first 0.4 s: words that appear later are not drawn
    there (they are in the next segment, which draws the whole scene)."""
    from providers.local.filtergraph import Graph, filter_

    def drawn(aspect: Aspect, word_at: float) -> DrawnScene:
        graph = Graph([filter_("color", {"c": "navy", "s": "1080x1920", "d": 5})])
        word = graph.source([filter_("color", {"c": "yellow", "s": "64x32", "d": 5})])
        graph.overlay(word, "8", "8", enable=f"gte(t,{word_at})", streamed=True)
        return DrawnScene(aspect, graph.text("out"), aspect.frame_size(1080), 30, "0" * 64)

    tl, outs = _timeline(2)
    slots = [replace(s, natives=(drawn(Aspect.PORTRAIT, 1.0),)) for s in tl.slots]
    tl = replace(tl, slots=tuple(slots))
    graph = segment_filter(segment_jobs(tl, outs, Path("/w"))[0], tl, "fonts")
    assert graph.count("c=yellow") == 1  # this scene's word (at 1 s of 2 s), not the head's
    assert "[cur1_s2]" in graph and "[nxt1_s2]" not in graph
    assert "[nxt1_s1]null[nxt1_m3]" in graph


def test_a_crossfade_head_is_shared_only_between_two_drawn_scenes() -> None:
    """Scene 1 and 2 are drawn for 9:16: 2 writes that head for 1, which reads it; scene 0
    (a clip) draws scene 1's head itself, and every other head is made where it fades in."""
    from app.render.segments import share_heads
    from providers.local.filtergraph import Graph, filter_

    graph = Graph([filter_("color", {"c": "navy", "s": "1080x1920", "d": 5})]).text("out")
    drawn = DrawnScene(Aspect.PORTRAIT, graph, (1080, 1920), 30, "0" * 64)
    tl, outs = _timeline(3)
    slots = [s if s.index == 0 else replace(s, natives=(drawn,)) for s in tl.slots]
    tl = replace(tl, slots=tuple(slots))
    (run,) = share_heads(segment_jobs(tl, outs, Path("/w")), tl, 1)
    assert [j.slot.index for j in run] == [2, 1, 0]
    by_index = {j.slot.index: j for j in run}
    head = Path("/w/seg_0002_9x16.head.nut")
    assert by_index[2].head_out == (None, head, None)
    assert by_index[1].head_in == (None, head, None)
    assert by_index[0].head_in == () and by_index[1].head_out == ()
    assert "[nxt1_" in segment_filter(by_index[0], tl, "f")  # drawn where it fades in
    reader = segment_filter(by_index[1], tl, "f")
    assert "[nxt1_" not in reader and "[2:v]format=yuva420p" in reader  # its clip, then the file
    # Two lanes: the boundary between them shares nothing, so neither waits for the other.
    lanes = share_heads(segment_jobs(tl, outs, Path("/w")), tl, 2)
    assert [[j.slot.index for j in lane] for lane in lanes] == [[1, 0], [2]]
    assert all(not j.head_in and not j.head_out for lane in lanes for j in lane)
