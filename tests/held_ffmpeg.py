"""ffmpeg behind a wrapper that holds one kind of output until the test creates a gate file:
a test reads what exists while that step is still to come, deterministically, not by racing."""

from __future__ import annotations

import stat
from pathlib import Path

from providers.media import ffmpeg_exe

_WRAPPER = """#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    {pattern}) while [ ! -e "{gate}" ]; do sleep 0.05; done ;;
  esac
done
exec "{real}" "$@"
"""


def held_ffmpeg(folder: Path, name: str, pattern: str) -> tuple[Path, Path]:
    """(gate, wrapper): the wrapper runs ffmpeg, but one writing an argument that matches the
    shell `pattern` waits until `gate` exists. Point IMAGEIO_FFMPEG_EXE at the wrapper."""
    gate, wrapper = folder / f"{name}-gate", folder / f"ffmpeg-{name}"
    text = _WRAPPER.format(pattern=pattern, gate=gate, real=ffmpeg_exe())
    wrapper.write_text(text, encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return gate, wrapper
