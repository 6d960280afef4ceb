"""Sign-in sessions that survive a browser refresh: opaque random tokens, stored hashed.

A sign-in with a password starts a session: 32 random bytes (`secrets.token_urlsafe`) go to
the browser (the dashboard keeps them in a cookie) and only their SHA-256 is stored, so a copy
of the database cannot be replayed as a sign-in. Every use checks the row: not revoked, not
idle past the inactivity timeout, not older than `MAX_LIFETIME`, and the user still active.
Signing out, deactivation and a password reset revoke at once. Single sign-on needs none of
this: `st.login` keeps its own signed cookie.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Role
from curation.errors import UnusableInput
from curation.store.base import utcnow
from curation.store.foundation import User
from curation.store.sessions import SignInSession

DEFAULT_SESSION_TIMEOUT = timedelta(minutes=30)


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: who, and whether they must choose a new password first."""

    actor: Actor
    must_change_password: bool


def session_timeout() -> timedelta:
    """Inactivity that ends a dashboard session: `CURATION_SESSION_TIMEOUT_MINUTES` (30)."""
    raw = os.environ.get("CURATION_SESSION_TIMEOUT_MINUTES", "").strip()
    if not raw:
        return DEFAULT_SESSION_TIMEOUT
    try:
        minutes = float(raw)
    except ValueError:
        return DEFAULT_SESSION_TIMEOUT
    return timedelta(minutes=minutes) if minutes > 0 else DEFAULT_SESSION_TIMEOUT


# However active, a browser signs in again after this long.
MAX_LIFETIME = timedelta(hours=12)
# last_seen_at is written at most this often, so every click is not a database write.
TOUCH_EVERY = timedelta(seconds=30)
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")

SIGNED_OUT = "signed out"
IDLE = "inactive"
DEACTIVATED = "deactivated"
PASSWORD_RESET = "password reset"  # noqa: S105 (a reason, not a password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: object) -> bool:
    """A string shaped like a token we issue (anything else is never looked up)."""
    return isinstance(token, str) and bool(_TOKEN_SHAPE.fullmatch(token))


def start(session: Session, actor: Actor, *, now: datetime | None = None) -> str:
    """A new session for the signed-in `actor` (their own local account); the raw token.

    Shown to nobody: the dashboard hands it to the browser and forgets it on sign-out.
    """
    now = now or utcnow()
    user = session.scalar(select(User).where(User.name == actor.name))
    if user is None or not user.active:
        raise UnusableInput(f"{actor.name!r} has no active local account")
    # Rows that can no longer be used are kept a day (for a look), then dropped.
    session.execute(
        delete(SignInSession).where(
            SignInSession.user_id == user.id, SignInSession.expires_at < now - timedelta(days=1)
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        SignInSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + MAX_LIFETIME,
        )
    )
    session.flush()
    return token


def resume(
    session: Session,
    token: str,
    *,
    now: datetime | None = None,
    timeout: timedelta | None = None,
) -> SignIn | None:
    """Who `token` signs in, if its session is still good; marks it used (a click, a refresh).

    None for an unknown, revoked, idle (past `timeout`, default the configured inactivity
    timeout), too old or deactivated one; an idle or too old one is revoked on the way.
    """
    if not well_formed(token):
        return None
    now = now or utcnow()
    timeout = timeout or session_timeout()
    row = session.scalar(select(SignInSession).where(SignInSession.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    if now - row.last_seen_at > timeout or now >= row.expires_at:
        _revoke_row(row, IDLE, now)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        _revoke_row(row, DEACTIVATED, now)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return SignIn(Actor(user.name, Role(user.role)), bool(user.must_change_password))


def end(
    session: Session, token: str, reason: str = SIGNED_OUT, *, now: datetime | None = None
) -> bool:
    """Revoke the session of `token` (sign-out, inactivity); True if it was live."""
    if not well_formed(token):
        return False
    row = session.scalar(select(SignInSession).where(SignInSession.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return False
    _revoke_row(row, reason, now or utcnow())
    return True


def end_all_for_user(
    session: Session, user_id: int, reason: str, *, now: datetime | None = None
) -> int:
    """Revoke every live session of a user (deactivation, a password reset); how many."""
    result = session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user_id, SignInSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow(), revoked_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _revoke_row(row: SignInSession, reason: str, now: datetime) -> None:
    row.revoked_at = now
    row.revoked_reason = reason
