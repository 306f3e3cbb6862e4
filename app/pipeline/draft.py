"""The draft-first side path: a watchable draft seconds after approval, refined scene by scene.

`DraftBuilder.run` writes, into the render's draft folder:

    draft.m3u8      HLS master playlist: video.m3u8 plus the soundtrack as an audio rendition
    video.m3u8      one segment per scene; an EVENT playlist that grows while the first draft
                    is encoded, ended (`EXT-X-ENDLIST`) once every scene has its segment
    audio.m3u8, audio.ts    the whole soundtrack (narration + ducked music, -14 LUFS), once
    audio.mp4       the same soundtrack as a fragmented MP4 (for Media Source Extensions)
    seg_NNNN.rK.ts  scene NNNN's segment as of draft revision K
    seg_NNNN.rK.mp4 the same segment copied into a fragmented MP4, timestamps from 0 (MSE)
    draft.mp4       segments + soundtrack joined by stream copy, index first (plays in a browser)
    manifest.json   `draft: true`, each scene placeholder or final, its files and where it
                    starts; rewritten as each segment appears, so a player can follow it

then, as each scene's clip arrives, re-encodes that scene's segment alone (a new revision
file), rewrites the playlist and re-joins draft.mp4 by stream copy. Other segments are never
touched. A swapped scene's playlist entry gets a new file name: players reload the playlist
when the `draft` event says so (a playlist that changed an entry is a new version, not a live
extension). With an outbox (`app.pipeline.draft_outbox`), every file is also copied to the
blob store as it is written, for API processes on other machines. The draft is a side path:
it reads what the final render reads and writes nothing the final uses, so the final outputs
are the same bytes with or without it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.pipeline.draft_outbox import DraftOutbox
from app.pipeline.draft_plan import DRAFT_ENCODE
from app.provenance.draft_manifest import DRAFT_LABEL, DRAFT_SCHEMA
from app.render.audio import VoicePlacement
from app.render.captions import ass_document
from app.render.compose import MUSIC_GAIN_DB, concat_list, install_fonts
from app.render.draft_audio import render_draft_soundtrack
from app.render.draft_media import (
    AUDIO_CODEC,
    VIDEO_CODEC,
    PlaylistEntry,
    audio_fragment_argv,
    audio_playlist,
    audio_ts_argv,
    fragment_argv,
    master_playlist,
    segment_ts_argv,
    stitch_argv,
    video_playlist,
)
from app.render.segments import SegmentJob
from app.render.timeline import OutputSpec, SceneSlot, Timeline, VisibleLabel
from providers.media import RenderError, run_ffmpeg, sha256_file
from providers.music import MusicTrack
from providers.types import Aspect

_log = logging.getLogger(__name__)
SEGMENTS_AT_ONCE = 2  # two ffmpeg processes fill two cores; more only queue for them


class SceneDraft(StrEnum):
    """Where one scene of the draft stands."""

    PENDING = "pending"  # not encoded yet
    PLACEHOLDER = "placeholder"  # drawn by the built-in renderer
    FINAL = "final"  # the scene's own clip


class DraftStage(StrEnum):
    """What a `draft` event announces."""

    PLAYABLE = "playable"  # the playlist plays from the start (soundtrack + first segment)
    READY = "ready"  # every scene has a segment: the whole draft plays, draft.mp4 exists
    SCENE_FINAL = "scene_final"  # a scene's clip was swapped in (a new revision)
    FAILED = "failed"  # the draft stopped; the render goes on without it


@dataclass(frozen=True)
class DraftSpec:
    """What the draft is made of, fixed once the narration is known."""

    render_id: str
    tenant: str
    title: str
    aspect: Aspect
    timeline: Timeline  # placeholders, hard cuts (`app.pipeline.draft_plan.draft_timeline`)
    voices: tuple[VoicePlacement, ...]
    label: VisibleLabel | None  # the policy's AI label
    label_whole_video: bool  # the policy labels every scene, not only trained-model ones


@dataclass(frozen=True)
class Arrival:
    """A scene's clip, arrived: its draft slot and whether the policy labels it."""

    index: int
    slot: SceneSlot
    provider: str
    model: str
    labelled: bool


@dataclass
class _Scene:
    state: SceneDraft = SceneDraft.PENDING
    segment: str = ""
    fragment: str = ""  # the segment as fragmented MP4
    sha256: str = ""
    provider: str = "local"
    model: str = "placeholder"
    revision: int = 0


@dataclass
class _Progress:
    encoded: set[int] = field(default_factory=set)
    audio: bool = False
    playable: bool = False


class DraftBuilder:
    """Makes and refines one render's draft; `arrived` may be called from the render at any
    time, `close` says no more clips will come."""

    def __init__(
        self,
        spec: DraftSpec,
        folder: Path,
        news: Callable[[dict[str, Any]], None],
        outbox: DraftOutbox | None = None,
    ):
        self.spec = spec
        self.outbox = outbox
        self.folder = folder.resolve()
        self._work = self.folder / ".work"
        self._news = news
        self._scenes = [_Scene() for _ in spec.timeline.slots]
        self._pending: dict[int, Arrival] = {}
        self._wake = asyncio.Event()
        self._closed = False
        self._progress = _Progress()
        self.revision = 0
        self.complete = False
        self.size = spec.aspect.frame_size(DRAFT_ENCODE.short_side)
        self._fonts = "fonts"  # installed in the work folder by `run`

    @property
    def mp4(self) -> Path:
        return self.folder / "draft.mp4"

    @property
    def playlist(self) -> Path:
        return self.folder / "draft.m3u8"

    def arrived(self, arrival: Arrival) -> None:
        self._pending[arrival.index] = arrival
        self._wake.set()

    def close(self) -> None:
        self._closed = True
        self._wake.set()

    async def run(self, music: Awaitable[MusicTrack]) -> None:
        """The first draft, then each arrived clip swapped in, until `close`. Never raises a
        render error: a draft that fails is announced and the render goes on."""
        try:
            self._work.mkdir(parents=True, exist_ok=True)
            self._fonts = install_fonts(self._work)
            await self._first(music)
            await self._refine()
        except (RenderError, OSError, ValueError) as exc:
            _log.warning("render %s: the draft stopped: %s", self.spec.render_id, exc)
            self._announce(DraftStage.FAILED, message=str(exc).splitlines()[0][:300])
        if self.outbox is not None:
            await self.outbox.flush()

    async def _refine(self) -> None:
        while True:
            self._wake.clear()
            while self._pending:
                index = next(iter(self._pending))
                await self._swap(self._pending.pop(index))
            if self._closed and not self._pending:
                return
            if not self._pending:
                await self._wake.wait()

    # -- the first draft ------------------------------------------------------------------

    async def _first(self, music: Awaitable[MusicTrack]) -> None:
        """Every scene's first segment, and the soundtrack. The draft plays once the soundtrack
        and segment 0 are there, so those two go first: the soundtrack (music, mix, encode: one
        process at a time) holds one of the `SEGMENTS_AT_ONCE` places until it is made, and the
        segments take the others in scene order, segment 0 first."""
        gate = asyncio.Semaphore(SEGMENTS_AT_ONCE)
        slots = self.spec.timeline.slots

        async def soundtrack() -> None:
            try:
                await self._soundtrack(music)
            finally:
                gate.release()

        async def scene(i: int) -> None:
            async with gate:
                early = self._pending.pop(i, None)  # a clip already here skips the placeholder
                await self._encode(i, early)
                self._progress.encoded.add(i)
                self._publish_progress()

        await gate.acquire()  # the soundtrack's place, taken before any segment queues
        await asyncio.gather(soundtrack(), *(scene(i) for i in range(len(slots))))
        self.complete = True
        self._write_video_playlist()
        await self._stitch()
        self._write_manifest()
        self._announce(DraftStage.READY)

    async def _soundtrack(self, music: Awaitable[MusicTrack]) -> None:
        track = await music
        tl = self.spec.timeline
        encoded = await render_draft_soundtrack(
            self.spec.voices, track.path, tl.duration, self._work, DRAFT_ENCODE.audio_bitrate,
            MUSIC_GAIN_DB,
        )  # fmt: skip
        encoded.replace(self.folder / "audio.m4a")
        await run_ffmpeg(audio_ts_argv(self.folder / "audio.m4a", self.folder / "audio.ts"))
        await self._fragment(audio_fragment_argv, self.folder / "audio.m4a", "audio.mp4")
        self._share(self.folder / "audio.ts")
        self._write(self.folder / "audio.m3u8", audio_playlist("audio.ts", tl.duration))
        self._progress.audio = True
        self._publish_progress()

    def _publish_progress(self) -> None:
        """Grow the EVENT playlist by the segments now contiguous from the first, and the
        manifest by every segment there (an MSE player appends each as it appears); announce
        the draft playable once the soundtrack and the first segment are there."""
        self._write_video_playlist()
        if self._progress.audio and 0 in self._progress.encoded and not self._progress.playable:
            self._write(self.playlist, master_playlist("video.m3u8", "audio.m3u8", self.size))
            self._progress.playable = True
            self._write_manifest()
            self._announce(DraftStage.PLAYABLE)
        elif self._progress.playable:
            self._write_manifest()

    # -- segments -------------------------------------------------------------------------

    async def _encode(self, i: int, arrival: Arrival | None) -> None:
        """Encode scene `i` (its placeholder, or its clip) as a new segment file."""
        base = self.spec.timeline.slots[i]
        slot = arrival.slot if arrival else base
        labelled = arrival.labelled if arrival else self.spec.label_whole_video
        mark = f"{DRAFT_LABEL}" if arrival else f"{DRAFT_LABEL} · placeholder"
        name = f"seg_{i:04d}.r{self.revision}.ts"
        out = OutputSpec(self.spec.aspect, *self.size, self.folder / name)
        caption = f"cap_{i:04d}.r{self.revision}.ass"
        doc = ass_document(
            slot.captions, self.spec.aspect, *self.size,
            self.spec.label if labelled else None, slot.duration,
            marks=(VisibleLabel(mark, _mark_corner(self.spec.label)),),
        )  # fmt: skip
        (self._work / caption).write_text(doc, encoding="utf-8")
        last = len(self.spec.timeline.slots) - 1
        job = SegmentJob(slot, None, (out,), (caption,), i == 0, i == last)
        partial = self._work / f"{name}.partial"
        argv = segment_ts_argv(job, self.spec.timeline, DRAFT_ENCODE, self._fonts)
        argv[-1] = str(partial)
        await run_ffmpeg(argv, cwd=self._work)
        partial.replace(out.path)
        (self._work / caption).unlink(missing_ok=True)
        fragment = name.removesuffix(".ts") + ".mp4"
        await self._fragment(fragment_argv, out.path, fragment)
        self._share(out.path)
        entry = self._scenes[i]
        entry.segment, entry.sha256 = name, "sha256:" + sha256_file(out.path)
        entry.fragment = fragment
        entry.revision = self.revision
        if arrival:
            entry.state, entry.provider, entry.model = (
                SceneDraft.FINAL, arrival.provider, arrival.model,
            )  # fmt: skip
        else:
            entry.state = SceneDraft.PLACEHOLDER

    async def _swap(self, arrival: Arrival) -> None:
        """Scene `arrival.index` alone re-encoded from its clip; the rest re-joined as is."""
        self.revision += 1
        await self._encode(arrival.index, arrival)
        self._write_video_playlist()
        await self._stitch()
        self._write_manifest()
        self._announce(DraftStage.SCENE_FINAL, scene=arrival.index)

    async def _stitch(self) -> None:
        """draft.mp4 from the current segments and the soundtrack, by stream copy."""
        segments = [self.folder / s.segment for s in self._scenes]
        listing = self._work / "segments.txt"
        listing.write_text(concat_list(segments), encoding="utf-8")
        partial = self._work / "draft.partial.mp4"
        await run_ffmpeg(stitch_argv(listing, self.folder / "audio.m4a", partial, self.spec.title))
        partial.replace(self.mp4)
        self._share(self.mp4)

    async def _fragment(
        self, argv: Callable[[Path, Path], list[str]], source: Path, name: str
    ) -> None:
        """`source` copied into the fragmented MP4 `name` (a stream copy, no decode)."""
        partial = self._work / f"{name}.partial"
        await run_ffmpeg(argv(source, partial))
        partial.replace(self.folder / name)
        self._share(self.folder / name)

    def _share(self, path: Path) -> None:
        """Copy `path` to the blob store (queued, in write order) when the draft has an outbox."""
        if self.outbox is not None:
            self.outbox.send(path)

    def _write(self, path: Path, text: str) -> None:
        _write(path, text)
        self._share(path)

    # -- records --------------------------------------------------------------------------

    def _write_video_playlist(self) -> None:
        slots = self.spec.timeline.slots
        entries: list[PlaylistEntry] = []
        for slot, scene in zip(slots, self._scenes, strict=True):
            if scene.state is SceneDraft.PENDING:
                break
            entries.append(PlaylistEntry(scene.segment, slot.duration))
        longest = max(s.duration for s in slots)
        self._write(self.folder / "video.m3u8", video_playlist(entries, longest, self.complete))

    def scene_states(self) -> list[str]:
        return [s.state.value for s in self._scenes]

    def segment_hashes(self) -> list[str]:
        return [s.sha256 for s in self._scenes]

    def manifest(self) -> dict[str, Any]:
        spec, tl = self.spec, self.spec.timeline
        return {
            "schema": DRAFT_SCHEMA,
            "draft": True,
            "publishable": False,
            "note": "a low-resolution preview with placeholder scenes; the final render has "
            "its own manifest, credentials and outputs",
            "label": DRAFT_LABEL,
            "render_id": spec.render_id,
            "tenant": spec.tenant,
            "title": spec.title,
            "aspect": spec.aspect.value,
            "width": self.size[0],
            "height": self.size[1],
            "fps": tl.fps,
            "duration": round(tl.duration, 6),
            "revision": self.revision,
            "complete": self.complete,
            "playlist": self.playlist.name,
            "video": self.mp4.name if self.mp4.exists() else None,
            "soundtrack": "audio.mp4" if (self.folder / "audio.mp4").exists() else None,
            "codecs": {"video": VIDEO_CODEC, "audio": AUDIO_CODEC},
            "scenes": [
                {
                    "index": slot.index,
                    "start": round(slot.start, 6),
                    "duration": round(slot.duration, 6),
                    "state": s.state.value,
                    "segment": s.segment or None,
                    "fragment": s.fragment or None,
                    "sha256": s.sha256 or None,
                    "revision": s.revision,
                    "provider": s.provider,
                    "model": s.model,
                }
                for slot, s in zip(tl.slots, self._scenes, strict=True)
            ],
        }

    def _write_manifest(self) -> None:
        self._write(self.folder / "manifest.json", json.dumps(self.manifest(), indent=2) + "\n")

    def _announce(self, stage: DraftStage, scene: int | None = None, message: str = "") -> None:
        self._news({
            "state": stage.value, "revision": self.revision, "scene": scene,
            "folder": str(self.folder), "playlist": self.playlist.name,
            "video": self.mp4.name if self.complete else None,
            "scenes": self.scene_states(),
            "final_scenes": [i for i, s in enumerate(self._scenes) if s.state is SceneDraft.FINAL],
            "segments": self.segment_hashes(), "message": message,
        })  # fmt: skip


def _mark_corner(label: VisibleLabel | None) -> str:
    """The draft mark takes a top corner the policy's label does not."""
    return "top_left" if label is not None and label.position == "top_right" else "top_right"


def _write(path: Path, text: str) -> None:
    """Replace `path` whole: a player reading it never sees half a playlist."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
