"""Local accounts: argon2 password hashes, sign-in, the first administrator, session expiry.

Passwords never leave this module except as hashes; sign-in attempts are audited
without the password. OIDC sign-in (through `st.login`) lives in `curation.access.oidc`.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curation import audit
from curation.access import sessions as browser_sessions
from curation.access.actors import Actor, Permission, Role
from curation.access.sessions import SignIn
from curation.config import load_settings
from curation.errors import PermissionDenied, UnusableInput, WorkflowError
from curation.store.base import utcnow
from curation.store.foundation import AuditEntry, User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything, but a megabyte "password" is an attack
BOOTSTRAP_ADMIN = "admin"
FIRST_ADMIN_FILE = "first-admin-password.txt"
# Slows password guessing: after this many failures in the window, the account waits.
MAX_FAILURES = 10
LOCKOUT_WINDOW = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verified when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_policy(name: str, password: str) -> None:
    """Refuse passwords that are too short, too long, or the user's own name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UnusableInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UnusableInput(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().casefold() == name.strip().casefold():
        raise UnusableInput("a password may not be the user name")
    if not password.strip():
        raise UnusableInput("a password may not be blank")


def one_time_password() -> str:
    """A random password for a new account or a reset (to be changed at first sign-in)."""
    return secrets.token_urlsafe(18)


def _user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def _store_password(user: User, password: str, *, must_change: bool) -> None:
    check_password_policy(user.name, password)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    if user.name == BOOTSTRAP_ADMIN and not must_change:
        forget_first_admin_password()


def set_password(
    session: Session, actor: Actor, name: str, password: str, *, must_change: bool = False
) -> None:
    """Set `name`'s password: admins for anyone, everyone else only for themself."""
    if not actor.can(Permission.MANAGE_USERS) and actor.name != name:
        raise PermissionDenied(
            f"{actor.name} ({actor.role.value}) may only change their own password"
        )
    user = _user(session, name)
    if user is None:
        raise UnusableInput(f"no user named {name!r}")
    _store_password(user, password, must_change=must_change)
    audit.record(
        session,
        actor,
        "user.password_set",
        "user",
        user.id,
        {"name": name, "must_change": must_change},
    )


def reset_password(session: Session, actor: Actor, name: str) -> str:
    """Give `name` a new one-time password (admins only); returned once, never stored in clear."""
    if not actor.can(Permission.MANAGE_USERS):
        raise PermissionDenied(f"{actor.name} ({actor.role.value}) may not manage users")
    password = one_time_password()
    set_password(session, actor, name, password, must_change=True)
    user = _user(session, name)
    if user is not None:  # whoever holds a session of theirs is signed out at once
        browser_sessions.end_all_for_user(session, user.id, browser_sessions.PASSWORD_RESET)
    return password


def change_password(session: Session, actor: Actor, old_password: str, new_password: str) -> None:
    """The signed-in user replaces their own password (needs the old one)."""
    user = _user(session, actor.name)
    if user is None or not _verify(user.password_hash, old_password):
        raise UnusableInput("the current password is not right")
    if new_password == old_password:
        raise UnusableInput("the new password must differ from the current one")
    _store_password(user, new_password, must_change=False)
    audit.record(session, actor, "user.password_change", "user", user.id, {"name": user.name})


def complete_forced_change(session: Session, actor: Actor, new_password: str) -> None:
    """The first-sign-in change: the user just proved the one-time password, so no old one."""
    user = _user(session, actor.name)
    if user is None or not user.must_change_password:
        raise WorkflowError("no password change is pending for this account")
    if _verify(user.password_hash, new_password):
        raise UnusableInput("the new password must differ from the one you were given")
    _store_password(user, new_password, must_change=False)
    audit.record(session, actor, "user.password_change", "user", user.id, {"name": user.name})


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(
    session: Session, name: str, password: str, *, now: datetime | None = None
) -> Actor | None:
    """The actor for a right name and password, else None. Every attempt is audited."""
    result = sign_in(session, name, password, now=now)
    return result.actor if result else None


def sign_in(
    session: Session, name: str, password: str, *, now: datetime | None = None
) -> SignIn | None:
    """Like `authenticate`, also saying whether a password change is due."""
    now = now or utcnow()
    name = name.strip()[:120]
    user = _user(session, name) if name else None
    # Always run one argon2 verification, so timing does not reveal which names exist.
    ok = _verify(user.password_hash if user else None, password[:MAX_PASSWORD_LENGTH])
    reason = None
    if user is None:
        reason = "unknown user"
    elif _recent_failures(session, name, now) >= MAX_FAILURES:
        reason = "locked: too many failed attempts"  # even with the right password
    elif not ok:
        reason = "wrong password"
    elif not user.active:
        reason = "deactivated"
    who = Actor(name or "?", Role(user.role) if user else Role.VIEWER)
    if reason is not None or user is None:
        audit.record(
            session,
            who,
            "auth.sign_in_failed",
            "user",
            user.id if user else None,
            {"name": name, "reason": reason},
            now=now,
        )
        return None
    if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = now
    audit.record(
        session, who, "auth.sign_in", "user", user.id, {"name": name, "method": "password"}, now=now
    )
    return SignIn(who, bool(user.must_change_password))


def _recent_failures(session: Session, name: str, now: datetime) -> int:
    """Failed sign-ins for `name` within the lockout window (read from the audit log)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.actor == name,
                AuditEntry.action == "auth.sign_in_failed",
                AuditEntry.at > now - LOCKOUT_WINDOW,
            )
        )
        or 0
    )


def must_change_password(session: Session, name: str) -> bool:
    user = _user(session, name)
    return bool(user and user.must_change_password)


def bootstrap_admin(session: Session) -> str | None:
    """When no user exists, create "admin" with a one-time password and return that password.

    The caller shows it once (terminal, a 0600 file); it must be changed at first sign-in.
    """
    if session.scalar(select(func.count()).select_from(User)):
        return None
    password = one_time_password()
    user = User(
        name=BOOTSTRAP_ADMIN,
        role=Role.ADMIN.value,
        password_hash=hash_password(password),
        must_change_password=True,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # another process created it at the same moment
        return None
    audit.record(
        session,
        Actor("system", Role.ADMIN),
        "user.bootstrap",
        "user",
        user.id,
        {"name": BOOTSTRAP_ADMIN, "role": Role.ADMIN.value},
    )
    return password


def first_admin_file(data_dir: Path | None = None) -> Path:
    return (data_dir or load_settings().data_dir) / FIRST_ADMIN_FILE


def remember_first_admin_password(password: str, data_dir: Path | None = None) -> Path:
    """Write the one-time password to a file only the owner can read (for a missed terminal)."""
    path = first_admin_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            f"user: {BOOTSTRAP_ADMIN}\npassword: {password}\n"
            "Sign in and choose a new password; this file is then deleted.\n"
        )
    os.chmod(path, 0o600)
    return path


def forget_first_admin_password(data_dir: Path | None = None) -> None:
    first_admin_file(data_dir).unlink(missing_ok=True)


def session_expired(last_seen: datetime | None, now: datetime, timeout: timedelta) -> bool:
    """True when more than `timeout` passed since `last_seen`.

    No `last_seen` counts as not expired: the gate stamps it at sign-in, and session
    state is server-side, so only our own code can put an actor there.
    """
    if last_seen is None:
        return False
    return now - last_seen > timeout


def current_actor(session: Session, actor: Actor, *, single_sign_on: bool = False) -> Actor | None:
    """`actor` as the store has them now: their current role, or None once they may not act.

    Checked on every dashboard run, so deactivating or demoting someone takes effect on
    their next click. A local account that is gone or deactivated gives None. A single
    sign-on identity has no local account unless an admin made one (by email or name);
    such an account, when deactivated, also gives None, and the role stays the mapping's.
    """
    if single_sign_on:
        local = session.scalar(
            select(User).where((User.email == actor.name) | (User.name == actor.name))
        )
        return None if local is not None and not local.active else actor
    user = _user(session, actor.name)
    if user is None or not user.active:
        return None
    return Actor(user.name, Role(user.role))


def ensure_not_last_admin(session: Session, name: str) -> None:
    """Refuse a change that would leave no active administrator."""
    admins = session.scalars(
        select(User.name).where(User.role == Role.ADMIN.value, User.active.is_(True))
    ).all()
    if list(admins) == [name]:
        raise WorkflowError(f"{name!r} is the last active administrator; add another admin first")
