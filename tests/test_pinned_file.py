"""A draft file replaced between the response being made and being sent is served whole, as
it was when measured: the length promised matches the bytes sent (issue 17's CI failure)."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.api.pinned_file import PinnedFileResponse

OLD = b"old manifest " * 40  # 520 bytes
NEW = b"new, longer manifest " * 400  # 8400 bytes


def _app(path: Path, opened: list[PinnedFileResponse]) -> Starlette:
    """Opens the file, then swaps it the way the draft writer does (write aside, rename over)."""

    async def serve(request: Request) -> Response:
        response = PinnedFileResponse.open(path, media_type="application/json")
        if response is None:
            return Response(status_code=404)
        opened.append(response)
        aside = path.with_name(".partial")
        aside.write_bytes(NEW)
        aside.replace(path)
        return response

    return Starlette(routes=[Route("/f", serve, methods=["GET", "HEAD"])])


async def _get(path: Path, opened: list[PinnedFileResponse], **kw: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(path, opened))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(str(kw.pop("method", "GET")), "/f", **kw)  # type: ignore[arg-type]


async def test_a_file_swapped_after_opening_is_sent_whole_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(OLD)
    opened: list[PinnedFileResponse] = []
    got = await _get(path, opened)
    assert got.status_code == 200
    assert got.content == OLD
    assert got.headers["content-length"] == str(len(OLD))
    assert path.read_bytes() == NEW  # the swap did happen
    assert opened[0]._file.closed  # the descriptor is released once sent


async def test_a_range_of_a_swapped_file_reads_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "draft.mp4"
    path.write_bytes(OLD)
    got = await _get(path, [], headers={"Range": "bytes=500-"})
    assert got.status_code == 206
    assert got.content == OLD[500:]
    assert got.headers["content-range"] == f"bytes 500-{len(OLD) - 1}/{len(OLD)}"


async def test_a_range_past_the_measured_end_is_refused_with_the_measured_size(
    tmp_path: Path,
) -> None:
    path = tmp_path / "draft.mp4"
    path.write_bytes(OLD)
    got = await _get(path, [], headers={"Range": "bytes=600-700"})  # inside NEW, not OLD
    assert got.status_code == 416
    assert got.headers["content-range"] == f"bytes */{len(OLD)}"


async def test_a_missing_file_or_a_folder_gives_no_response(tmp_path: Path) -> None:
    assert PinnedFileResponse.open(tmp_path / "absent.json") is None
    assert PinnedFileResponse.open(tmp_path) is None
