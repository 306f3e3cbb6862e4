"""A blog URL through the API: planned from the article (with its citations), refused at a
private address, and rendered from the same script the creator approved."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ingest.url.settings import FetchSettings
from tests.api_harness import FAKES_POLICY, running_api
from tests.fakes_http.articles import serve_articles

pytestmark = pytest.mark.slow


def url_body(url: str) -> dict[str, object]:
    return {
        "source": {"kind": "url", "url": url, "minutes": 0.5},
        "policy": "fakes",
        "aspects": ["16:9"],
        "quality": "draft",
        "voice": "espeak",
    }


async def test_a_blog_url_is_planned_with_citations_and_rendered(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}"
    fetch = FetchSettings(allow_hosts=frozenset({"127.0.0.1"}))
    with serve_articles() as site:
        async with running_api(tmp_path, db, fetch=fetch) as api:
            await api.policy("acme", FAKES_POLICY)
            creator = await api.key("acme", "creator")
            made = await api.client.post(
                "/v1/renders", json=url_body(f"{site}/article.html"), headers=creator
            )
            assert made.status_code == 201, made.text
            planned = made.json()
            assert len(planned["scenes"]) >= 2
            rid = planned["id"]
            approved = await api.client.post(f"/v1/renders/{rid}/approve", headers=creator)
            assert approved.status_code == 200, approved.text
            done = await api.wait_state(rid, creator, "succeeded", "failed")
            assert done["state"] == "succeeded", done["error"]
            got = await api.client.get(f"/v1/renders/{rid}/manifest", headers=creator)
            manifest = got.json()
    source = manifest["input"]["source"]
    assert source["fetch"]["url"] == f"{site}/article.html"
    # The executed script is the approved one: same narration, scene by scene.
    assert [s["narration"] for s in manifest["scenes"]] == [
        s["narration"] for s in planned["scenes"]
    ]
    assert any(c for c in source["citations"])


async def test_a_private_address_is_refused_naming_the_rule(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}"
    async with running_api(tmp_path, db) as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        made = await api.client.post(
            "/v1/renders", json=url_body("http://10.0.0.5/post"), headers=creator
        )
    assert made.status_code == 422, made.text
    assert "ssrf.private" in made.json()["error"]["message"]
