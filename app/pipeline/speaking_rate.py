"""How fast the configured narrator really speaks, so `--minutes` gives the length asked.

`REELROUTE_WORDS_PER_MINUTE` (150 by default) is a planning figure; the voices run faster (we
measured about 200 spoken words a minute for eSpeak NG at its 165 wpm setting and about 215 for
Piper's joe voice, on the fixture article). A script written to fill N minutes must be sized at
the narrator's real rate, so this synthesises one fixed passage with the engine in use, times
it, and caches the rate per engine, voice and model hash under the narration cache.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from app.ingest.timing import MAX_WORDS_PER_MINUTE, MIN_WORDS_PER_MINUTE, spoken_words
from providers.voice import VoiceEngine

# A plain explanatory passage: the register of an article read aloud, with one figure.
CALIBRATION = (
    "The harbour opens at six in the morning, when the first boats come back from the sea. "
    "Each crew unloads its catch onto the quay, where buyers compare the fish and agree on a "
    "price. By nine o'clock most of the 40 boats are tied up again, and the market is quiet "
    "until the evening tide brings the rest of the fleet home."
)
CACHE_FILE = "speaking-rates.json"


async def measured_rate(voice: VoiceEngine, cache_dir: Path) -> float:
    """The voice's speaking rate in spoken words per minute (`timing.spoken_words`)."""
    info = voice.info
    key = f"{info.engine}:{info.voice}:{info.model_sha256}"
    cache = cache_dir / CACHE_FILE
    rates = _read(cache)
    if key not in rates:
        with tempfile.TemporaryDirectory(prefix="reelroute-rate-") as tmp:
            narration = await voice.synthesize(CALIBRATION, Path(tmp) / "calibration.wav")
        rate = spoken_words(CALIBRATION) * 60.0 / narration.duration
        rates[key] = min(max(rate, MIN_WORDS_PER_MINUTE), MAX_WORDS_PER_MINUTE)
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(".partial")
        partial.write_text(json.dumps(rates, indent=1, sort_keys=True), encoding="utf-8")
        partial.replace(cache)
    return rates[key]


def _read(cache: Path) -> dict[str, float]:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no cache yet, or a damaged one: measure again
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}
