"""The S3 blob store and the clip cache in a bucket, against moto's S3 server on loopback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from app.api.written import WrittenScripts
from app.ingest.model import Scene, Script, SourceKind
from app.ingest.url.ingest import URL_IMAGES
from app.pipeline.cache import ClipCache, S3ClipStore, clip_cache
from app.service.request import RenderSource
from app.store.blobs import BlobKeyError, build_blob_store
from app.store.db import Database, default_url
from app.store.s3 import BlobStoreError, Bucket, S3BlobStore
from providers.types import Clip, SceneKind
from tests.s3_server import S3, s3, s3_endpoint, s3_settings

__all__ = ["s3", "s3_endpoint"]  # the fixtures, used by name below

MiB = 1024 * 1024


def _tree(folder: Path, files: dict[str, bytes]) -> Path:
    for name, body in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(body)
    return folder


def test_put_get_presign_replace_delete(s3: S3, tmp_path: Path) -> None:
    store = build_blob_store(s3_settings(s3, tmp_path, s3_prefix="prod/"))
    assert isinstance(store, S3BlobStore)
    first = _tree(tmp_path / "out1", {"a.mp4": b"video", "manifest.json": b"{}", "x/y.txt": b"y"})
    keys = store.put_tree("renders/r1", first)
    assert keys == ["renders/r1/a.mp4", "renders/r1/manifest.json", "renders/r1/x/y.txt"]
    assert not first.exists()  # moved, like the local store
    listed = s3.client().list_objects_v2(Bucket=s3.bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == [f"prod/{k}" for k in keys]

    path = store.local_path("renders/r1/a.mp4")
    assert path is not None and path.read_bytes() == b"video"
    assert store.local_path("renders/r1/nothing.mp4") is None

    url = store.download_url("renders/r1/a.mp4", "a.mp4", "video/mp4")
    assert url is not None and url.startswith(s3.endpoint)
    got = httpx.get(url)
    assert got.status_code == 200 and got.content == b"video"
    assert got.headers["content-type"] == "video/mp4"
    assert 'filename="a.mp4"' in got.headers["content-disposition"]
    ranged = httpx.get(url, headers={"Range": "bytes=1-3"})
    assert ranged.status_code == 206 and ranged.content == b"ide"

    # A second put under the same prefix replaces the set: stale files go.
    store.put_tree("renders/r1", _tree(tmp_path / "out2", {"manifest.json": b"{2}"}))
    assert store.local_path("renders/r1/a.mp4") is None
    store.delete_tree("renders/r1")
    assert s3.client().list_objects_v2(Bucket=s3.bucket).get("KeyCount") == 0
    assert store.check() == f"s3://{s3.bucket}/prod/"


def test_large_files_go_up_in_parts(s3: S3, tmp_path: Path) -> None:
    settings = s3_settings(
        s3, tmp_path, s3_multipart_threshold_bytes=5 * MiB, s3_multipart_chunk_bytes=5 * MiB
    )
    bucket = Bucket.from_settings(settings)
    big, small = tmp_path / "big.bin", tmp_path / "small.bin"
    body = bytes(range(256)) * (11 * MiB // 256)  # 11 MiB: three parts
    big.write_bytes(body)
    small.write_bytes(body[: 4 * MiB])  # under the threshold: one PUT
    bucket.upload(big, "clips/big.bin")
    bucket.upload(small, "clips/small.bin")
    client = s3.client()
    big_etag = client.head_object(Bucket=s3.bucket, Key="clips/big.bin")["ETag"].strip('"')
    small_etag = client.head_object(Bucket=s3.bucket, Key="clips/small.bin")["ETag"].strip('"')
    assert big_etag.endswith("-3"), big_etag  # a multipart ETag names its part count
    assert small_etag == hashlib.md5(body[: 4 * MiB]).hexdigest()  # a single PUT's ETag
    back = tmp_path / "back.bin"
    assert bucket.download("clips/big.bin", back)
    assert back.read_bytes() == body


def test_keys_cannot_climb_out(s3: S3, tmp_path: Path) -> None:
    store = build_blob_store(s3_settings(s3, tmp_path))
    for bad in ("", "/etc/passwd", "../x", "renders/../../x"):
        with pytest.raises(BlobKeyError):
            store.local_path(bad)
        with pytest.raises(BlobKeyError):
            store.download_url(bad, "x", "video/mp4")
    with pytest.raises(BlobKeyError):
        store.put_tree("../up", _tree(tmp_path / "o", {"a": b"a"}))
    # a normalised key reaches the same object, never a sibling outside the prefix
    store.put_tree("renders/r2", _tree(tmp_path / "o2", {"a.txt": b"a"}))
    path = store.local_path("renders/./r2//a.txt")
    assert path is not None and path.is_relative_to(tmp_path / "data" / "blob-mirror")


def test_a_missing_bucket_is_an_error_not_a_hang(s3: S3, tmp_path: Path) -> None:
    store = build_blob_store(s3_settings(s3, tmp_path, s3_bucket="rr-no-such-bucket"))
    with pytest.raises(BlobStoreError, match="rr-no-such-bucket"):
        store.check()
    with pytest.raises(BlobStoreError):
        store.put_tree("renders/r3", _tree(tmp_path / "o", {"a": b"a"}))


def _clip(path: Path, body: bytes) -> Clip:
    path.write_bytes(body)
    return Clip(
        path=path, duration=1.0, fps=24.0, width=64, height=36,
        sha256=hashlib.sha256(body).hexdigest(), provider_id="fakea", model_id="m1",
        provider_job_id="job-1", cost_usd=0.25,
    )  # fmt: skip


def test_any_worker_reuses_a_clip_another_made(s3: S3, tmp_path: Path) -> None:
    key = "ab" + "0" * 62
    one = clip_cache(s3_settings(s3, tmp_path / "w1"))
    two = clip_cache(s3_settings(s3, tmp_path / "w2"))
    assert isinstance(one.where, S3ClipStore) and one.root != two.root
    assert two.load(key) is None
    made = one.store(key, _clip(one.path_for(key), b"clip bytes"))
    names = [o["Key"] for o in s3.client().list_objects_v2(Bucket=s3.bucket)["Contents"]]
    assert sorted(names) == [f"clips/ab/{key}.json", f"clips/ab/{key}.mp4"]

    reused = two.load(key)  # another machine: fetched from the bucket
    assert reused is not None and reused.path.is_relative_to(two.root)
    assert (reused.sha256, reused.cost_usd, reused.provider_job_id) == (made.sha256, 0.25, "job-1")

    reused.path.write_bytes(b"a broken working copy")  # the bucket still has a good one
    again = two.load(key)
    assert again is not None and again.sha256 == made.sha256

    # Bytes that don't match the recorded sha256 are a miss, never a wrong clip.
    s3.client().put_object(Bucket=s3.bucket, Key=f"clips/ab/{key}.mp4", Body=b"tampered")
    three = ClipCache(S3ClipStore(Bucket.from_settings(s3_settings(s3, tmp_path)), tmp_path / "c3"))
    assert three.load(key) is None


def test_presigned_urls_name_the_public_endpoint(s3: S3, tmp_path: Path) -> None:
    public = "http://localhost:9000"  # where clients reach the bucket; servers use s3.endpoint
    store = build_blob_store(s3_settings(s3, tmp_path, s3_public_endpoint_url=public))
    url = store.download_url("renders/r4/a.mp4", "a.mp4", "video/mp4")
    assert url is not None and url.startswith(f"{public}/{s3.bucket}/renders/r4/a.mp4?")
    assert "X-Amz-Expires=900" in url


async def test_a_url_source_s_images_reach_a_worker_on_another_machine(
    s3: S3, tmp_path: Path
) -> None:
    """The API fetched the article (its image is in the API's own data folder); a worker with
    a data folder of its own reads the script from the ledger and the image from the bucket."""
    api_settings = s3_settings(s3, tmp_path / "api")
    worker_settings = s3_settings(s3, tmp_path / "worker")
    db = Database(default_url(tmp_path))
    await db.migrate()
    image = api_settings.data_dir / URL_IMAGES / "ab12.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\nthe article's picture")
    local = tmp_path / "api" / "mine.png"  # a file a script named: not shared, left as it is
    scenes = (
        Scene(0, "Boats rest.", "Dawn", "boats", SceneKind.LANDSCAPE, 3.0, image_hint=image),
        Scene(1, "They sail.", "Noon", "sails", SceneKind.LANDSCAPE, 3.0, image_hint=local),
    )
    script = Script("Harbour", SourceKind.URL, "sha256:abc", scenes)

    async def write(source: RenderSource) -> tuple[Script, tuple[str, ...]]:
        return script, ()

    source = RenderSource(kind="url", url="https://example.org/a")
    try:
        assert await WrittenScripts(api_settings, db, write)(source) == (script, ())
        got = await WrittenScripts(worker_settings, db, write)(source)
        assert got is not None
        hints = [s.image_hint for s in got[0].scenes]
        assert hints == [worker_settings.data_dir / URL_IMAGES / "ab12.png", local]
        assert hints[0] is not None and hints[0].read_bytes() == image.read_bytes()
    finally:
        await db.close()


def test_put_file_replaces_one_blob_and_read_returns_it(s3: S3, tmp_path: Path) -> None:
    store = build_blob_store(s3_settings(s3, tmp_path, s3_prefix="prod/"))
    source = tmp_path / "manifest.json"
    source.write_bytes(b"{1}")
    store.put_file("drafts/r1/manifest.json", source)
    assert source.exists()  # copied, not moved: the draft keeps writing its own
    source.write_bytes(b"{2}")
    store.put_file("drafts/r1/manifest.json", source)
    assert store.read("drafts/r1/manifest.json") == b"{2}"
    assert store.read("drafts/r1/nothing.json") is None
    listed = s3.client().list_objects_v2(Bucket=s3.bucket)["Contents"]
    assert [o["Key"] for o in listed] == ["prod/drafts/r1/manifest.json"]
    store.delete_tree("drafts/r1")
    assert store.read("drafts/r1/manifest.json") is None
