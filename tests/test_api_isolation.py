"""Every endpoint × role × own/other tenant: another tenant's (or another creator's) resource
is a 404, a role's forbidden action is a 403, no key is a 401."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.provenance.credentials import load_trust_anchors
from app.provenance.verify import VerifyInputs, verify_path
from tests.api_harness import FAKES_POLICY, Api, running_api
from tests.service_db import database_url  # noqa: F401  (fixture)
from tests.test_api_renders import create_body

ROLES = ("creator", "creator2", "agency_admin", "auditor")


@dataclass(frozen=True)
class Upload:
    """A multipart file body (the matrix's other bodies are JSON)."""

    data: bytes


FILES = ("outputs/16x9", "manifest", "report", "disclosure.vtt", "captions.srt", "captions.vtt")
FILES += ("disclosure",)


def resource_rows(rid: str, wid: str, kid: str) -> list[tuple[str, str, object, dict[str, int]]]:
    """(method, path, json body, expected status per own-tenant role; a role left out is not
    tried there because it would change the fixture, e.g. approving)."""
    r = f"/v1/renders/{rid}"
    derive = {"creator": 409, "creator2": 404, "agency_admin": 409, "auditor": 403}
    rows: list[tuple[str, str, object, dict[str, int]]] = [
        ("GET", r, None, {"creator": 200, "creator2": 404, "agency_admin": 200, "auditor": 200}),
        ("PATCH", f"{r}/scenes/0", {"narration": "Boats at dawn."},
         {"creator": 200, "creator2": 404, "agency_admin": 200, "auditor": 403}),
        ("POST", f"{r}/approve", None, {"creator2": 404, "auditor": 403}),
        ("POST", f"{r}/cancel", None, {"creator2": 404, "auditor": 403}),
        ("GET", f"{r}/events", None, {"creator2": 404}),
        ("POST", f"{r}/scenes/0/regenerate", {}, derive),
        ("POST", f"{r}/reroute", {"policy": "fakes"}, derive),
        ("GET", "/v1/policies/fakes", None, dict.fromkeys(ROLES, 200)),
        ("GET", "/v1/policies/fakes/versions", None, dict.fromkeys(ROLES, 200)),
        ("GET", "/v1/policies/fakes/explain", None, dict.fromkeys(ROLES, 200)),
        ("GET", f"/v1/webhooks/{wid}/deliveries", None,
         {"creator": 403, "creator2": 403, "agency_admin": 200, "auditor": 403}),
        ("DELETE", f"/v1/webhooks/{wid}", None, {"creator": 403, "auditor": 403}),
        ("DELETE", f"/v1/keys/{kid}", None, {"creator": 403, "auditor": 403}),
    ]  # fmt: skip
    files = {"creator": 409, "creator2": 404, "agency_admin": 409, "auditor": 409}
    rows += [("GET", f"{r}/{name}", None, files) for name in FILES]
    return rows


TENANT_ROWS: list[tuple[str, str, object, dict[str, int]]] = [
    ("POST", "/v1/renders", create_body(), {"auditor": 403}),
    ("GET", "/v1/renders", None, dict.fromkeys(ROLES, 200)),
    ("POST", "/v1/policies", None, {"creator": 403, "auditor": 403}),
    ("GET", "/v1/policies", None, dict.fromkeys(ROLES, 200)),
    ("GET", "/v1/policies/enforced", None, dict.fromkeys(ROLES, 200)),
    ("PUT", "/v1/policies/enforced", {"policy_id": None}, {"creator": 403, "auditor": 403}),
    ("GET", "/v1/providers", None, dict.fromkeys(ROLES, 200)),
    ("GET", "/v1/audit/scenes", None,
     {"creator": 403, "creator2": 403, "agency_admin": 200, "auditor": 200}),
    ("GET", "/v1/audit/summary", None,
     {"creator": 403, "creator2": 403, "agency_admin": 200, "auditor": 200}),
    ("POST", "/v1/webhooks", {"url": "http://127.0.0.1:9/hook"},
     {"creator": 403, "auditor": 403}),
    ("GET", "/v1/webhooks", None, {"creator": 403, "agency_admin": 200, "auditor": 403}),
    ("GET", "/v1/keys", None, {"creator": 403, "agency_admin": 200, "auditor": 403}),
    ("POST", "/v1/keys", {"role": "creator"}, {"creator": 403, "auditor": 403}),
    ("GET", "/v1/spend", None,
     {"creator": 403, "creator2": 403, "agency_admin": 200, "auditor": 200}),
    ("POST", "/v1/policies/preview", {"source": "id: x\n"},
     {"creator": 403, "auditor": 403, "agency_admin": 200}),
    # any role may verify any file; what it learns about renders is tested below
    ("POST", "/v1/verify", Upload(b"not a video" * 64), dict.fromkeys(ROLES, 200)),
]  # fmt: skip


async def test_isolation_matrix(tmp_path: Path, database_url: str) -> None:  # noqa: F811
    async with running_api(tmp_path, database_url) as api:
        await api.policy("acme", FAKES_POLICY)
        own = {role: await api.key("acme", role.rstrip("2"), role[-1:] if role.endswith("2")
                                   else "") for role in ROLES}  # fmt: skip
        other = {role: await api.key("globex", role.rstrip("2")) for role in ROLES}
        rid = (await api.client.post("/v1/renders", json=create_body(),
                                     headers=own["creator"])).json()["id"]  # fmt: skip
        wid = (await api.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"},
                                     headers=own["agency_admin"])).json()["id"]  # fmt: skip
        kid = (await api.client.post("/v1/keys", json={"role": "creator"},
                                     headers=own["agency_admin"])).json()["id"]  # fmt: skip
        wrong: list[str] = []

        async def expect(method: str, path: str, body: object, headers: dict[str, str],
                         status: int, who: str) -> None:  # fmt: skip
            if isinstance(body, Upload):
                files = {"file": ("x.mp4", body.data, "video/mp4")}
                got = await api.client.request(method, path, files=files, headers=headers)
            else:
                got = await api.client.request(method, path, json=body, headers=headers)
            if got.status_code != status:
                wrong.append(f"{who} {method} {path}: {got.status_code}, expected {status}")
            elif status >= 400:
                assert set(got.json()["error"]) == {"code", "message", "field"}

        for method, path, body, expected in resource_rows(rid, wid, kid):
            for role, status in expected.items():
                await expect(method, path, body, own[role], status, f"acme {role}")
            for role in ROLES:
                await expect(method, path, body, other[role], 404, f"globex {role}")
            await expect(method, path, body, {}, 401, "no key")
        for method, path, body, expected in TENANT_ROWS:
            for role, status in expected.items():
                await expect(method, path, body, own[role], status, f"acme {role}")
            await expect(method, path, body, {"Authorization": "Bearer rrk_nope"}, 401, "bad")
        theirs = await api.client.get("/v1/renders", headers=other["agency_admin"])
        assert theirs.json()["total"] == 0
        enforce = await api.client.put("/v1/policies/enforced", json={"policy_id": "fakes"},
                                       headers=other["agency_admin"])  # fmt: skip
        assert enforce.status_code == 404
        assert wrong == []
        assert api.calls() == 0


async def test_verify_uses_the_manifest_only_for_those_who_may_see_the_render(
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    """The tenant's creator and auditor get the render's per-scene disclosure; another
    creator of the tenant, and every role of another tenant uploading a copy, get the checks
    of the file alone (never the other render's manifest)."""
    async with running_api(tmp_path, database_url) as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        body = create_body(approve=True)
        rid = (await api.client.post("/v1/renders", json=body, headers=creator)).json()["id"]
        done = await api.wait_state(rid, creator, "succeeded", "failed")
        assert done["state"] == "succeeded", done["error"]
        video = (await api.client.get(f"/v1/renders/{rid}/outputs/16x9", headers=creator)).content
        upload = {"file": ("copy.mp4", video, "video/mp4")}
        seen: dict[str, tuple[bool, list[str], list[str]]] = {}
        found: dict[str, list[str]] = {}  # who the upload's picture is traced to, per caller
        who = [("acme", r) for r in ROLES] + [("globex", r) for r in ROLES]
        for tenant, role in who:
            headers = await api.key(tenant, role.rstrip("2"), role[-1:] if role[-1] == "2" else "")
            got = await api.client.post("/v1/verify", files=upload, headers=headers)
            assert got.status_code == 200, (tenant, role, got.text)
            out = got.json()
            checks = [(c["name"], c["verdict"], c["detail"]) for c in out["checks"]]
            seen[f"{tenant} {role}"] = (out["ok"], [s["provider"] for s in out["scenes"]], checks)
            found[f"{tenant} {role}"] = [m["render_id"] for m in out["find"]["matches"]]
        for name in ("acme creator", "acme agency_admin", "acme auditor"):
            ok, providers, _ = seen[name]
            assert ok and providers == ["fakea", "fakea"], (name, seen[name])
        lone = lone_checks(api, tmp_path, video)  # `reelroute verify` of the file by itself
        assert seen["acme creator"][2] != lone  # the tenant's own verify used the manifest
        file_only = [n for n in seen if n.startswith("globex") or n == "acme creator2"]
        for name in file_only:
            _, providers, checks = seen[name]
            assert providers == [], (name, seen[name])  # no per-scene disclosure from the ledger
            assert checks == lone, name
        assert api.calls() == 2  # the one render; verifying calls no provider
        # The fingerprint search names the render only to those who may see it.
        assert {n for n, rids in found.items() if rids == [rid]} == {
            "acme creator", "acme agency_admin", "acme auditor",
        }, found  # fmt: skip
        assert all(found[n] == [] for n in file_only), found


def lone_checks(api: Api, tmp_path: Path, video: bytes) -> list[tuple[str, str, str]]:
    folder = tmp_path / "lone"
    folder.mkdir(exist_ok=True)
    (folder / "upload.mp4").write_bytes(video)
    settings = api.service.settings
    inputs = VerifyInputs(
        load_trust_anchors(settings), settings.clip_cache_dir, api.service.catalog
    )
    checks = verify_path(folder / "upload.mp4", inputs)
    inside = f"{folder}{os.sep}"
    return [(c.name, c.verdict.value, c.detail.replace(inside, "")) for c in checks]
