"""A finished render's disclosure: per scene who made it, the policy's verdict and why, cost;
the stored files verified afresh, so an altered file shows as failing."""

from __future__ import annotations

from pathlib import Path

from app.store.renders import get_render
from tests.api_harness import FAKES_POLICY, running_api
from tests.test_api_renders import create_body


async def test_disclosure_per_scene_and_a_tampered_file_fails(tmp_path: Path) -> None:
    async with running_api(tmp_path, f"sqlite:///{tmp_path / 'l.db'}") as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        rid = (
            await api.client.post("/v1/renders", json=create_body(approve=True), headers=creator)
        ).json()["id"]
        auditor = await api.key("acme", "auditor")
        early = await api.client.get(f"/v1/renders/{rid}/disclosure", headers=auditor)
        assert early.status_code in (200, 409)  # 409 until it succeeded
        done = await api.wait_state(rid, creator, "succeeded", "failed")
        assert done["state"] == "succeeded", done["error"]

        got = await api.client.get(f"/v1/renders/{rid}/disclosure", headers=auditor)
        assert got.status_code == 200, got.text
        out = got.json()
        assert out["verified"] is True, [c for c in out["checks"] if c["verdict"] == "fail"]
        names = {c["name"]: c["verdict"] for c in out["checks"]}
        assert names["manifest.signature"] == "pass"
        assert any("c2pa" in n and v == "pass" for n, v in names.items())
        assert out["policy"]["id"] == "fakes" and out["signature"]["alg"]
        assert out["cost_usd"] == done["cost_usd"] > 0
        first = out["scenes"][0]
        assert (first["provider"], first["model"], first["fell_back"]) == ("fakea", "m1", False)
        assert first["verdict"]["verdict"] == "pass"
        assert [c["ref"] for c in first["eligible"]] == ["fakea/m1", "fakeb/m1"]
        local = next(c for c in first["excluded"] if c["ref"].startswith("local/"))
        assert local["reasons"] == [
            {"code": "policy.only", "text": "not in the policy's `only` list"}
        ]
        assert first["cost_usd"] > 0 and first["attempts"][0]["outcome"] == "succeeded"
        assert first["end"] > first["start"] == 0
        manifest = await api.client.get(out["downloads"]["manifest"], headers=auditor)
        assert manifest.status_code == 200 and manifest.json()["render_id"] == rid
        assert (
            await api.client.get(out["downloads"]["report"], headers=auditor)
        ).status_code == 200

        globex = await api.key("globex", "auditor")
        assert (
            await api.client.get(f"/v1/renders/{rid}/disclosure", headers=globex)
        ).status_code == 404

        row = await get_render(api.service.db, rid)
        assert row is not None
        key = next(str(o["key"]) for o in row.outputs if o.get("aspect") == "16:9")
        stored = api.service.blobs.local_path(key)
        assert stored is not None
        data = bytearray(stored.read_bytes())
        data[len(data) // 2] ^= 0xFF
        stored.write_bytes(bytes(data))
        tampered = (await api.client.get(f"/v1/renders/{rid}/disclosure", headers=auditor)).json()
        assert tampered["verified"] is False
        assert any(c["verdict"] == "fail" for c in tampered["checks"])
