"""docker/compose.yaml and .env.example, read as data: the topology the deploy guide promises,
and no REELROUTE_* name the settings model doesn't know (a typo there is silently ignored at
run time, so it must fail here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from app.config import Settings

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker" / "compose.yaml"
DOCKERFILE = REPO / "docker" / "Dockerfile"


def setting_names(model: type[BaseModel] = Settings, prefix: str = "REELROUTE_") -> set[str]:
    """Every environment name Settings reads: REELROUTE_FIELD, REELROUTE_GROUP__FIELD, …"""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        names.add(env)
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            names |= setting_names(nested, f"{env}__")
    return names


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def test_compose_has_the_scale_out_topology() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "minio", "minio-init", "migrate", "api", "worker"}
    worker, api, migrate = services["worker"], services["api"], services["migrate"]
    assert worker["command"] == ["worker"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=N works
    assert api["command"][0] == "serve" and "8000:8000" in api["ports"]
    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    for name in ("api", "worker"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert needs["minio-init"]["condition"] == "service_completed_successfully"
        assert services[name]["secrets"] == ["manifest_key", "c2pa_cert", "c2pa_key"]
    init = " ".join(services["minio-init"]["command"])
    assert "mc mb --ignore-existing" in init
    assert services["postgres"]["healthcheck"] and services["redis"]["healthcheck"]


def test_every_reelroute_variable_is_a_setting() -> None:
    known = setting_names()
    assert {"REELROUTE_S3_BUCKET", "REELROUTE_KLING__ACCESS_KEY"} <= known
    services = _compose()["services"]
    used: dict[str, set[str]] = {}
    for name, service in services.items():
        env = service.get("environment") or {}
        if isinstance(env, list):  # the KEY=value form
            env = dict(item.split("=", 1) for item in env)
        used[name] = {k for k in env if k.startswith("REELROUTE_")}
    assert used["api"] == used["worker"] == used["migrate"]  # one configuration for all
    assert {"REELROUTE_DATABASE_URL", "REELROUTE_REDIS_URL", "REELROUTE_S3_BUCKET"} <= used["api"]
    unknown = {f"{svc}: {v}" for svc, names in used.items() for v in names if v not in known}
    assert unknown == set()

    example = (REPO / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*(REELROUTE_[A-Z0-9_]+)=", example, flags=re.M))
    assert "REELROUTE_CLIP_CONCURRENCY" in listed
    assert listed - known == set()


def test_settings_accept_what_compose_sets(tmp_path: Path) -> None:
    env = _compose()["services"]["api"]["environment"]
    values = {
        k.removeprefix("REELROUTE_").lower(): re.sub(r"\$\{[^}]*\}", "x", str(v))
        for k, v in env.items()
        if k.startswith("REELROUTE_")
    }
    settings = Settings(**values)  # validates every value's shape (paths, URLs, formats)
    assert settings.s3_endpoint_url == "http://minio:9000" and settings.log_format == "json"


def test_dockerfile_is_multi_stage_non_root_with_a_health_check() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM ", text, flags=re.M)) == 2
    assert "COPY --from=build" in text
    assert re.search(r"^USER reelroute$", text, flags=re.M)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "apt-get" not in text  # ffmpeg comes from the imageio-ffmpeg wheel
