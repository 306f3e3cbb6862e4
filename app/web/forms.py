"""The "New video" form: its choices, and turning what was posted into the API's body."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from app.api.schemas import CreateRender, PolicyIn, SourceIn
from app.errors import InputError
from app.render.quality import Quality
from providers.music import Mood
from providers.types import Aspect

ASPECT_CHOICES = [
    ("16:9", "16:9 landscape"),
    ("9:16", "9:16 vertical"),
    ("1:1", "1:1 square"),
    ("4:5", "4:5 portrait"),
]
VOICE_CHOICES = [("", "Server default"), ("piper", "Piper (neural)"), ("espeak", "eSpeak (fast)")]
MOOD_CHOICES = [("", "Server default"), *((m.value, m.value.capitalize()) for m in Mood)]
QUALITY_CHOICES = [
    (Quality.STANDARD.value, "Standard (1080p)"),
    (Quality.DRAFT.value, "Draft (fast preview)"),
]
MAX_SCRIPT_FILE_BYTES = 512_000


@dataclass
class NewVideo:
    """What the form holds (as posted, so a refused form comes back filled in)."""

    script: str = ""
    outline: bool = False
    url: str = ""
    prompt: str = ""
    minutes: str = ""
    aspects: list[str] = field(default_factory=lambda: ["16:9", "9:16", "1:1"])
    quality: str = Quality.STANDARD.value
    voice: str = ""
    music_mood: str = ""
    policy: str = ""

    def body(self) -> CreateRender:
        """The API's `CreateRender`; InputError names the field to fix."""
        source = self._source()
        try:
            return CreateRender(
                source=source,
                policy=PolicyIn(id=self.policy) if self.policy else None,
                aspects=[Aspect(a) for a in self.aspects],
                quality=Quality(self.quality),
                voice=self.voice or None,
                music_mood=Mood(self.music_mood) if self.music_mood else None,
                approve=False,
                draft=True,  # the result page shows the draft at once, refined scene by scene
            )
        except (ValidationError, ValueError) as exc:
            raise InputError(_first_error(exc), field="form") from exc

    def _source(self) -> SourceIn:
        given = [name for name in ("script", "url", "prompt") if getattr(self, name).strip()]
        if len(given) != 1:
            raise InputError(
                "Give one source: a script, a blog URL or a prompt"
                + (f" (you gave {' and '.join(given)})." if given else "."),
                field="source",
            )
        minutes = self._minutes()
        try:
            if given == ["url"]:
                return SourceIn(kind="url", url=self.url.strip(), minutes=minutes)
            if given == ["prompt"]:
                return SourceIn(kind="prompt", text=self.prompt.strip(), minutes=minutes)
            kind = "outline" if self.outline else "script"
            return SourceIn(kind=kind, text=self.script.strip())
        except ValidationError as exc:
            raise InputError(_first_error(exc), field="source") from exc

    def _minutes(self) -> float | None:
        if not self.minutes.strip():
            return None
        try:
            value = float(self.minutes)
        except ValueError:
            raise InputError("Length is a number of minutes, e.g. 1.5.", field="minutes") from None
        if not 0 < value <= 60:
            raise InputError("Length is between 0 and 60 minutes.", field="minutes")
        return value


def _first_error(exc: ValidationError | ValueError) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return str(exc)


def decode_script_file(data: bytes) -> str:
    if len(data) > MAX_SCRIPT_FILE_BYTES:
        raise InputError(
            f"The script file is over {MAX_SCRIPT_FILE_BYTES // 1000} kB.", field="script_file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("The script file is not UTF-8 text.", field="script_file") from None
