"""The session cookie and CSRF tokens without a browser: sealing, tampering, binding."""

from __future__ import annotations

import stat
from pathlib import Path

from app.config import Settings
from app.web.routes.session import safe_next
from app.web.session import SECRET_FILE, SessionCodec, load_secret


def test_a_sealed_session_opens_only_with_its_secret_and_intact() -> None:
    codec = SessionCodec(b"one secret")
    cookie = codec.seal("rrk_abc")
    assert "rrk_abc" not in cookie
    opened = codec.open(cookie)
    assert opened is not None and opened.api_key == "rrk_abc"
    assert SessionCodec(b"another secret").open(cookie) is None
    flipped = cookie[:-5] + ("A" if cookie[-5] != "A" else "B") + cookie[-4:]
    assert codec.open(flipped) is None
    assert codec.open("") is None and codec.open(None) is None and codec.open("junk") is None
    assert codec.seal("rrk_abc") != cookie  # a fresh nonce (and IV) per sign-in


def test_csrf_tokens_are_bound_to_their_nonce() -> None:
    codec = SessionCodec(b"s")
    session = codec.open(codec.seal("rrk_x"))
    assert session is not None
    token = codec.csrf_token(session.nonce)
    assert codec.csrf_valid(session.nonce, token)
    tampered = token[:-1] + ("1" if token.endswith("0") else "0")  # one hex digit changed
    assert not codec.csrf_valid(session.nonce, tampered)
    assert not codec.csrf_valid("another nonce", token)
    assert not codec.csrf_valid(None, token) and not codec.csrf_valid(session.nonce, None)


def test_the_secret_is_made_once_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = load_secret(settings)
    path = settings.keys_dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(settings) == first and len(first) >= 32
    configured = Settings(data_dir=tmp_path / "data", web_session_secret="shared")
    assert load_secret(configured) == b"shared"


def test_sign_in_only_returns_to_a_path_on_this_site() -> None:
    assert safe_next("/renders/rnd_1?x=1") == "/renders/rnd_1?x=1"
    hostile = ("https://evil.example/", "//evil.example/x", "evil", "", None, "/\\evil",
               "/\tevil", "/x\r\nSet-Cookie: a=b")  # fmt: skip
    for target in hostile:
        assert safe_next(target) == "/", target
