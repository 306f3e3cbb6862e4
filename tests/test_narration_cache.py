"""The narration cache checks each WAV against the sha256 its sidecar recorded, like the clip
cache does for clips: a damaged entry is spoken again, never reused."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.pipeline.cache import narration_store
from app.pipeline.narration import narrate_one
from providers.media import sha256_file
from providers.voice import Narration, VoiceEngine, VoiceInfo, get_voice
from tests.s3_server import S3, s3, s3_endpoint, s3_settings

__all__ = ["s3", "s3_endpoint"]  # the fixtures, used by name below

TEXT = "A quiet harbour at dawn."


@dataclass
class CountingVoice:
    """The real eSpeak voice, counting how often it is asked to speak."""

    inner: VoiceEngine
    spoken: list[str] = field(default_factory=list)

    @property
    def info(self) -> VoiceInfo:
        return self.inner.info

    async def synthesize(self, text: str, dest: Path) -> Narration:
        self.spoken.append(text)
        return await self.inner.synthesize(text, dest)


@pytest.fixture
def voice() -> CountingVoice:
    return CountingVoice(get_voice("espeak"))


def _entry(cache: Path) -> tuple[Path, Path]:
    (wav,) = cache.glob("*.wav")
    return wav, wav.with_suffix(".json")


async def test_an_intact_entry_is_reused_and_records_its_sha256(
    voice: CountingVoice, tmp_path: Path
) -> None:
    first = await narrate_one(voice, TEXT, tmp_path)
    again = await narrate_one(voice, TEXT, tmp_path)
    assert voice.spoken == [TEXT], "the second call is a cache hit"
    wav, meta = _entry(tmp_path)
    assert again.sha256 == first.sha256 == "sha256:" + sha256_file(wav)
    assert json.loads(meta.read_text())["sha256"] == first.sha256
    assert again.narration.words == first.narration.words


async def test_a_corrupted_wav_is_spoken_again(voice: CountingVoice, tmp_path: Path) -> None:
    first = await narrate_one(voice, TEXT, tmp_path)
    wav, meta = _entry(tmp_path)
    data = bytearray(wav.read_bytes())
    data[len(data) // 2] ^= 0x55  # in the samples: the WAV header still parses
    wav.write_bytes(bytes(data))
    corrupted = "sha256:" + sha256_file(wav)

    again = await narrate_one(voice, TEXT, tmp_path)

    assert voice.spoken == [TEXT, TEXT]
    assert again.sha256 != corrupted
    assert again.sha256 == "sha256:" + sha256_file(wav)
    assert json.loads(meta.read_text())["sha256"] == again.sha256
    assert [w.word for w in again.narration.words] == [w.word for w in first.narration.words]


async def test_a_sidecar_without_a_hash_is_a_miss(voice: CountingVoice, tmp_path: Path) -> None:
    await narrate_one(voice, TEXT, tmp_path)
    _, meta = _entry(tmp_path)
    words = json.loads(meta.read_text())["words"]
    meta.write_text(json.dumps({"words": words}))  # as written before the cache had hashes

    again = await narrate_one(voice, TEXT, tmp_path)

    assert len(voice.spoken) == 2
    assert json.loads(meta.read_text())["sha256"] == again.sha256


async def test_a_narration_one_worker_made_is_fetched_by_another(
    voice: CountingVoice, s3: S3, tmp_path: Path
) -> None:
    """Split workers share narrations through the bucket: the composing worker (or the draft
    step) speaks the take the first worker made, not one of its own."""
    one, two = (narration_store(s3_settings(s3, tmp_path / w)) for w in ("w1", "w2"))
    assert one is not None and two is not None and one.root != two.root
    made = await narrate_one(voice, TEXT, one.root, one)
    keys = [o["Key"] for o in s3.client().list_objects_v2(Bucket=s3.bucket)["Contents"]]
    assert sorted(k.rsplit(".", 1)[1] for k in keys) == ["json", "wav"]
    assert all(k.startswith("narration/") for k in keys)

    fetched = await narrate_one(voice, TEXT, two.root, two)
    assert voice.spoken == [TEXT], "the second worker fetched it"
    assert fetched.sha256 == made.sha256 and fetched.narration.path.is_relative_to(two.root)
    assert fetched.narration.words == made.narration.words

    # A tampered WAV in the bucket is a miss there too: spoken again, never reused.
    wav_key = next(k for k in keys if k.endswith(".wav"))
    s3.client().put_object(Bucket=s3.bucket, Key=wav_key, Body=b"RIFF tampered")
    three = narration_store(s3_settings(s3, tmp_path / "w3"))
    assert three is not None
    again = await narrate_one(voice, TEXT, three.root, three)
    assert len(voice.spoken) == 2 and again.sha256 == "sha256:" + sha256_file(again.narration.path)


async def test_the_same_text_asked_twice_at_once_is_spoken_once(
    voice: CountingVoice, tmp_path: Path
) -> None:
    """A worker's draft step and scene step narrate the same text at the same moment: one
    synthesis, and both get the same take (never two writers on one WAV)."""
    one, two = await asyncio.gather(
        narrate_one(voice, TEXT, tmp_path), narrate_one(voice, TEXT, tmp_path)
    )
    assert voice.spoken == [TEXT]
    assert one.sha256 == two.sha256 == "sha256:" + sha256_file(one.narration.path)
