"""The web app's session cookie and CSRF tokens.

The session cookie holds the API key itself, encrypted and authenticated with Fernet (AES-CBC +
HMAC, with a timestamp), so no session table is needed and a revoked key ends every session at
once: each request authenticates the key again. The cookie is HttpOnly, SameSite=Strict and
Secure on https. CSRF tokens are HMACs of a random nonce (the session's own nonce once signed
in, a short-lived `rr_pre` cookie before), so a token is only valid with the cookie it was made
for (a signed double-submit token).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from app.config import Settings
from app.provenance.signing import write_private_pem

SESSION_COOKIE = "rr_session"
PRE_COOKIE = "rr_pre"  # the CSRF nonce of a browser that has not signed in yet
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_TTL_S = 12 * 3600
SECRET_FILE = "web-session.key"


@dataclass(frozen=True)
class Session:
    api_key: str
    nonce: str  # the CSRF nonce of this session


class SessionCodec:
    """Seals and opens session cookies and makes and checks CSRF tokens."""

    def __init__(self, secret: bytes) -> None:
        digest = hashlib.sha256(b"reelroute.web.session|" + secret).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._mac_key = hashlib.sha256(b"reelroute.web.csrf|" + secret).digest()

    def seal(self, api_key: str) -> str:
        payload = json.dumps({"k": api_key, "n": secrets.token_urlsafe(16)})
        return self._fernet.encrypt(payload.encode()).decode()

    def open(self, cookie: str | None) -> Session | None:
        """The session in a cookie, or None when absent, expired, forged or malformed."""
        if not cookie:
            return None
        try:
            raw = self._fernet.decrypt(cookie.encode(), ttl=SESSION_TTL_S)
            data = json.loads(raw)
            return Session(api_key=str(data["k"]), nonce=str(data["n"]))
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None

    def csrf_token(self, nonce: str) -> str:
        return hmac.new(self._mac_key, nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token:
            return False
        return hmac.compare_digest(self.csrf_token(nonce), token)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def load_secret(settings: Settings) -> bytes:
    """The configured secret, or the data folder's (created on first use, mode 0600)."""
    if settings.web_session_secret is not None:
        return settings.web_session_secret.get_secret_value().encode()
    path: Path = settings.keys_dir / SECRET_FILE
    if not path.exists():
        # another server process may make it first: then use theirs
        with contextlib.suppress(FileExistsError):
            write_private_pem(path, secrets.token_urlsafe(48).encode())
    return path.read_bytes().strip()
