"""Blobs in an S3 bucket (AWS or any S3-compatible store such as MinIO), through boto3.

Every API process and worker shares the bucket: finished renders (outputs, manifest, report,
captions) live under `renders/<id>/`, the clip cache under `clips/`. Files at least
`s3_multipart_threshold_bytes` large go up in parts. Clients download through presigned URLs,
so video bytes never pass through the API. Region and credentials come from boto3's standard
chain (AWS_* environment, ~/.aws files, an instance or task role).
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.store.blobs import BlobKeyError, checked_key

if TYPE_CHECKING:
    from types_boto3_s3.client import S3Client
    from types_boto3_s3.type_defs import ObjectIdentifierTypeDef

    from app.config import Settings

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
# The manifest names and hashes every other file: it goes up last, so a reader that finds it
# finds the files it vouches for.
_LAST = "manifest.json"


class BlobStoreError(OSError):
    """The bucket could not be read or written (unreachable, missing, access denied)."""


@contextmanager
def _s3_errors(what: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "?"))
        raise BlobStoreError(f"{what}: S3 said {code}") from exc
    except (BotoCoreError, Boto3Error) as exc:  # unreachable, timed out, a failed transfer
        raise BlobStoreError(f"{what}: {exc}") from exc


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


@functools.lru_cache(maxsize=8)
def make_client(endpoint_url: str | None) -> S3Client:
    """One client per endpoint per process: making one loads botocore's service model (up to
    a second), and a client is safe to share between threads."""
    # Path-style addressing for custom endpoints: MinIO and friends don't resolve
    # bucket.host names; AWS itself picks its own default.
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 4, "mode": "standard"},
    )
    client: S3Client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url, config=config
    )
    return client


class Bucket:
    """One bucket and key prefix. Keys given to it are relative (`renders/<id>/a.mp4`)."""

    def __init__(
        self,
        client: S3Client,
        name: str,
        *,
        prefix: str = "",
        transfer: TransferConfig | None = None,
        presigner: S3Client | None = None,
        expiry_s: int = 900,
    ) -> None:
        self.client, self.name, self.prefix = client, name, prefix
        self.transfer = transfer or TransferConfig()
        self.presigner = presigner or client
        self.expiry_s = expiry_s

    @classmethod
    def from_settings(cls, settings: Settings) -> Bucket:
        if not settings.s3_bucket:
            raise ValueError("REELROUTE_S3_BUCKET is not set")
        client = make_client(settings.s3_endpoint_url)
        public = settings.s3_public_endpoint_url
        return cls(
            client,
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            transfer=TransferConfig(
                multipart_threshold=settings.s3_multipart_threshold_bytes,
                multipart_chunksize=settings.s3_multipart_chunk_bytes,
                max_concurrency=4,
            ),
            presigner=make_client(public) if public else None,
            expiry_s=settings.s3_presign_expiry_s,
        )

    def _full(self, key: str) -> str:
        return self.prefix + checked_key(key)

    def upload(self, path: Path, key: str) -> None:
        """Upload `path` (in parts when it is at least the multipart threshold)."""
        with _s3_errors(f"uploading {key}"):
            self.client.upload_file(str(path), self.name, self._full(key), Config=self.transfer)

    def download(self, key: str, dest: Path) -> bool:
        """Write the object to `dest` (whole or not at all); False when it doesn't exist."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.partial")
        try:
            with _s3_errors(f"downloading {key}"):
                try:
                    self.client.download_file(
                        self.name, self._full(key), str(partial), Config=self.transfer
                    )
                except ClientError as exc:
                    if _missing(exc):
                        return False
                    raise
            os.replace(partial, dest)
            return True
        finally:
            partial.unlink(missing_ok=True)

    def read(self, key: str) -> bytes | None:
        """The object's bytes; None when it doesn't exist."""
        with _s3_errors(f"reading {key}"):
            try:
                reply = self.client.get_object(Bucket=self.name, Key=self._full(key))
            except ClientError as exc:
                if _missing(exc):
                    return None
                raise
            body: bytes = reply["Body"].read()
        return body

    def exists(self, key: str) -> bool:
        with _s3_errors(f"looking up {key}"):
            try:
                self.client.head_object(Bucket=self.name, Key=self._full(key))
            except ClientError as exc:
                if _missing(exc):
                    return False
                raise
        return True

    def keys(self, prefix: str) -> list[str]:
        """Every key under `prefix/` (relative, without the bucket's own prefix)."""
        start = self._full(prefix) + "/"
        found: list[str] = []
        with _s3_errors(f"listing {prefix}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.name, Prefix=start
            )
            for page in pages:
                found += [obj["Key"][len(self.prefix) :] for obj in page.get("Contents", [])]
        return sorted(found)

    def delete(self, keys: list[str]) -> None:
        with _s3_errors("deleting"):
            for i in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
                batch: list[ObjectIdentifierTypeDef] = [
                    {"Key": self._full(k)} for k in keys[i : i + 1000]
                ]
                self.client.delete_objects(
                    Bucket=self.name, Delete={"Objects": batch, "Quiet": True}
                )

    def presign(self, key: str, filename: str, media_type: str) -> str:
        safe = filename.replace('"', "").replace("\\", "")
        with _s3_errors(f"presigning {key}"):
            url: str = self.presigner.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.name,
                    "Key": self._full(key),
                    "ResponseContentType": media_type,
                    "ResponseContentDisposition": f'inline; filename="{safe}"',
                },
                ExpiresIn=self.expiry_s,
            )
        return url

    def check(self) -> str:
        with _s3_errors(f"bucket {self.name}"):
            self.client.head_bucket(Bucket=self.name)
        return f"s3://{self.name}/{self.prefix}"


class S3BlobStore:
    """The BlobStore on a bucket. `mirror` holds local copies of the few objects the API
    reads itself (a verify upload's manifest); downloads to clients are presigned."""

    def __init__(self, bucket: Bucket, mirror: Path) -> None:
        self.bucket, self.mirror = bucket, mirror

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        return cls(Bucket.from_settings(settings), settings.blob_mirror_dir)

    def put_tree(self, prefix: str, folder: Path) -> list[str]:
        prefix = checked_key(prefix)
        files = sorted(
            (p for p in folder.rglob("*") if p.is_file()), key=lambda p: (p.name == _LAST, p)
        )
        keys = [f"{prefix}/{p.relative_to(folder).as_posix()}" for p in files]
        for path, key in zip(files, keys, strict=True):
            self.bucket.upload(path, key)
        stale = sorted(set(self.bucket.keys(prefix)) - set(keys))
        if stale:  # the previous set under this prefix: replaced, as the local store does
            self.bucket.delete(stale)
        shutil.rmtree(folder)  # moved, like the local store's put_tree
        return sorted(keys)

    def put_file(self, key: str, path: Path) -> None:
        self.bucket.upload(path, key)

    def read(self, key: str) -> bytes | None:
        return self.bucket.read(key)

    def local_path(self, key: str) -> Path | None:
        dest = self.mirror.joinpath(*checked_key(key).split("/"))
        return dest if self.bucket.download(key, dest) else None

    def delete_tree(self, prefix: str) -> None:
        keys = self.bucket.keys(checked_key(prefix))
        if keys:
            self.bucket.delete(keys)
        shutil.rmtree(self.mirror.joinpath(*checked_key(prefix).split("/")), ignore_errors=True)

    def download_url(self, key: str, filename: str, media_type: str) -> str | None:
        return self.bucket.presign(key, filename, media_type)

    def check(self) -> str:
        return self.bucket.check()


__all__ = ["BlobKeyError", "BlobStoreError", "Bucket", "S3BlobStore", "make_client"]
