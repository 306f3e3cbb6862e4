"""An S3 server on loopback for tests: moto's ThreadedMotoServer on a free port, one per
session, and a fresh bucket per test (with the AWS credentials boto3 needs in the environment,
so it never looks for an instance role off the machine)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from app.config import Settings
from app.store.s3 import make_client


@dataclass(frozen=True)
class S3:
    endpoint: str
    bucket: str

    def settings(self, **extra: Any) -> dict[str, Any]:
        """The REELROUTE_S3_* values that point at this bucket."""
        return {"s3_bucket": self.bucket, "s3_endpoint_url": self.endpoint, **extra}

    def client(self) -> Any:
        return make_client(self.endpoint)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    bucket = "rr-test-" + secrets.token_hex(4)
    client = make_client(s3_endpoint)
    client.create_bucket(Bucket=bucket)
    yield S3(s3_endpoint, bucket)
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    for obj in listed:
        client.delete_object(Bucket=bucket, Key=obj["Key"])
    client.delete_bucket(Bucket=bucket)


def s3_settings(s3: S3, tmp_path: Any, **extra: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", **s3.settings(**extra))
