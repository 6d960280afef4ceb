"""OAuth 2.0 user context for X: the PKCE flow's tokens, refreshed before they expire.

X's user access tokens live two hours; with the `offline.access` scope the token endpoint
also returns a refresh token, and every refresh returns a new pair (docs:
fundamentals/authentication/oauth-2-0/authorization-code.mdx, "two hours";
user-access-token.mdx, "Step 5: POST oauth2/token - refresh token": form-encoded
`grant_type=refresh_token`, `refresh_token`, `client_id`; confidential clients add HTTP
Basic `client_id:client_secret`). So the pair is stored after each refresh (the configured
refresh token is used once), and each refresh is audited.

The first pair comes from the Authorization Code Flow with PKCE (authorization-code.mdx:
`https://x.com/i/oauth2/authorize` with `code_challenge_method` S256; user-access-token.mdx
"Step 3": the code exchanged with `code`, `grant_type`, `client_id`, `redirect_uri` and
`code_verifier`): `start_authorization` and `finish_authorization`, behind
`curation accounts x-login`.

An app-only bearer token is not user context: X refuses it for `POST /2/tweets` and media
upload (openapi.json: their `security` lists only OAuth2UserToken and UserToken).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlencode, urlparse

import requests

from curation.publishers.base import AuthFailed, NotSent, RateLimited

REFRESH_ENDPOINT = "https://api.x.com/2/oauth2/token"
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
# What posting needs (openapi.json security of POST /2/tweets and /2/media/*), plus a refresh
# token (offline.access).
SCOPES = ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access")
REFRESH_MARGIN = timedelta(minutes=5)  # refresh this long before the two hours are up
SETTING_KEY = "x.oauth2_token"


@dataclass(frozen=True)
class OAuth2Token:
    access_token: str | None
    refresh_token: str
    expires_at: datetime | None
    seed: str  # which configured refresh token this pair descends from (a hash, no secret)

    def as_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "seed": self.seed,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> OAuth2Token:
        expires = value.get("expires_at")
        return cls(
            access_token=value.get("access_token"),
            refresh_token=str(value["refresh_token"]),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            seed=str(value.get("seed") or ""),
        )


class TokenStore(Protocol):
    def load(self) -> OAuth2Token | None: ...

    def save(self, token: OAuth2Token, *, action: str = "x.oauth2_refreshed") -> None: ...


class MemoryTokenStore:
    """Keeps the pair in memory (tests, one-off commands)."""

    def __init__(self) -> None:
        self.token: OAuth2Token | None = None
        self.saves = 0

    def load(self) -> OAuth2Token | None:
        return self.token

    def save(self, token: OAuth2Token, *, action: str = "x.oauth2_refreshed") -> None:
        self.token = token
        self.saves += 1


class SettingTokenStore:
    """The pair in the `settings` table (key `x.oauth2_token`); each refresh is audited."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def load(self) -> OAuth2Token | None:
        from curation.store import Database
        from curation.store.foundation import Setting

        db = Database(self.database_url)
        try:
            with db.session() as session:
                row = session.get(Setting, SETTING_KEY)
                return OAuth2Token.from_json(row.value) if row and row.value else None
        finally:
            db.dispose()

    def save(self, token: OAuth2Token, *, action: str = "x.oauth2_refreshed") -> None:
        from curation import audit
        from curation.access.actors import WORKER
        from curation.store import Database
        from curation.store.foundation import Setting

        db = Database(self.database_url)
        try:
            with db.session() as session:
                row = session.get(Setting, SETTING_KEY)
                if row is None:
                    session.add(Setting(key=SETTING_KEY, value=token.as_json()))
                else:
                    row.value = token.as_json()
                expires = token.expires_at.isoformat() if token.expires_at else None
                audit.record(session, WORKER, action, "account", "x", {"expires_at": expires})
        finally:
            db.dispose()


def seed_of(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]


class UserTokens:
    """Hands out a valid user access token, refreshing it through X's token endpoint."""

    def __init__(
        self,
        session: requests.Session,
        *,
        client_id: str,
        refresh_token: str,
        client_secret: str | None = None,
        store: TokenStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.session = session
        self.client_id = client_id
        self.client_secret = client_secret
        self.store = store or MemoryTokenStore()
        self.clock = clock
        seed = seed_of(refresh_token)
        stored = self.store.load()
        # A stored pair wins while it descends from the configured token; a new
        # configured refresh token (the account was re-authorised) starts afresh.
        if stored is not None and stored.seed == seed:
            self.token = stored
        else:
            self.token = OAuth2Token(None, refresh_token, None, seed)

    def _fresh(self, token: OAuth2Token) -> bool:
        expires = token.expires_at
        return (
            bool(token.access_token)
            and expires is not None
            and (expires - REFRESH_MARGIN > self.clock())
        )

    def _adopt_stored(self) -> bool:
        """Take a pair another worker refreshed meanwhile (refresh tokens work only once)."""
        stored = self.store.load()
        if stored is None or stored.seed != self.token.seed or stored == self.token:
            return False
        self.token = stored
        return True

    def access_token(self) -> str:
        if self._fresh(self.token):
            return self.token.access_token or ""
        if self._adopt_stored() and self._fresh(self.token):
            return self.token.access_token or ""
        return self.refresh()

    def refresh(self) -> str:
        used = self.token.refresh_token
        try:
            return self._refresh()
        except AuthFailed:
            # Another worker may have used the same refresh token a moment earlier.
            if self._adopt_stored() and self.token.refresh_token != used:
                return self.access_token()
            raise

    def _refresh(self) -> str:
        form = {"grant_type": "refresh_token", "refresh_token": self.token.refresh_token}
        auth = None
        if self.client_secret:  # confidential client: Basic auth carries the client id
            auth = (self.client_id, self.client_secret)
        else:
            form["client_id"] = self.client_id
        try:
            response = self.session.post(REFRESH_ENDPOINT, data=form, auth=auth, timeout=30)
        except requests.RequestException as exc:
            raise NotSent(f"X token refresh failed: {type(exc).__name__}") from exc
        if response.status_code == 429:
            raise RateLimited("X token refresh rate limited")
        if response.status_code >= 500:
            raise NotSent(f"X token refresh failed ({response.status_code})")
        if response.status_code != 200:
            # invalid_grant: the refresh token was revoked or already used: reconnect.
            error = _error_name(response)
            raise AuthFailed(f"X refused the OAuth 2.0 refresh token ({error}): reconnect X")
        body = response.json()
        expires_in = int(body.get("expires_in") or 7200)
        self.token = OAuth2Token(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or self.token.refresh_token),
            expires_at=self.clock() + timedelta(seconds=expires_in),
            seed=self.token.seed,
        )
        self.store.save(self.token)
        return self.token.access_token or ""


# -- the first pair: Authorization Code Flow with PKCE -------------------------------------


@dataclass(frozen=True)
class Authorization:
    """One authorisation in progress: the link to open and what checks the way back."""

    url: str
    state: str
    verifier: str
    redirect_uri: str


def new_verifier() -> str:
    return secrets.token_urlsafe(64)  # 86 characters: RFC 7636 asks for 43 to 128


def new_state() -> str:
    return secrets.token_urlsafe(16)


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def start_authorization(client_id: str, redirect_uri: str) -> Authorization:
    """The authorize link (S256 challenge) for a person to open and approve."""
    verifier, state = new_verifier(), new_state()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(SCOPES),
            "state": state,
            "code_challenge": challenge_of(verifier),
            "code_challenge_method": "S256",
        },
        quote_via=quote,
    )
    return Authorization(f"{AUTHORIZE_URL}?{query}", state, verifier, redirect_uri)


def finish_authorization(
    session: requests.Session,
    started: Authorization,
    redirected_to: str,
    *,
    client_id: str,
    client_secret: str | None = None,
    store: TokenStore | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> OAuth2Token:
    """Exchange the code X sent back (in the address the person landed on) for the pair."""
    query = parse_qs(urlparse(redirected_to).query)
    if "error" in query:
        raise AuthFailed(f"X did not authorise: {query['error'][0]}")
    if query.get("state") != [started.state]:
        raise AuthFailed("the address does not answer this authorisation (state differs)")
    code = query.get("code", [""])[0]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": started.redirect_uri,
        "code_verifier": started.verifier,
    }
    auth = (client_id, client_secret) if client_secret else None
    if auth is None:
        form["client_id"] = client_id
    try:
        response = session.post(REFRESH_ENDPOINT, data=form, auth=auth, timeout=30)
    except requests.RequestException as exc:
        raise NotSent(f"X token exchange failed: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise AuthFailed(f"X refused the authorisation code ({_error_name(response)})")
    body = response.json()
    if not body.get("refresh_token"):
        raise AuthFailed("X gave no refresh token: the app must ask for offline.access")
    token = OAuth2Token(
        access_token=str(body["access_token"]),
        refresh_token=str(body["refresh_token"]),
        expires_at=clock() + timedelta(seconds=int(body.get("expires_in") or 7200)),
        seed=seed_of(str(body["refresh_token"])),
    )
    (store or MemoryTokenStore()).save(token, action="x.oauth2_connected")
    return token


def _error_name(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code)
    return str(body.get("error") or response.status_code) if isinstance(body, dict) else "?"
