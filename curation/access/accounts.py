"""User administration for the Users page and `curation user ...`: list, create, deactivate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access import auth, users
from curation.access import sessions as browser_sessions
from curation.access.actors import Actor, Permission, Role, require
from curation.errors import UnusableInput, WorkflowError
from curation.store.foundation import User
from curation.unicode_safety import contains_spoofing

# What each role may do, in the words the Users page and `curation user` show.
ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.VIEWER: "Reads the quotable responses and previews quote cards; changes nothing.",
    Role.CURATOR: "Imports responses, picks quotes, composes and schedules posts.",
    Role.APPROVER: "Everything a curator does, plus approving quotes and posts (the second "
    "pair of eyes), engagement and balance.",
    Role.ADMIN: "Everything, plus users, network accounts, the brand kit, withdrawal and "
    "erasure, and the audit log.",
}


@dataclass(frozen=True)
class UserRow:
    """What the Users page and `curation user list` show (never the hash)."""

    name: str
    role: str
    email: str | None
    active: bool
    has_password: bool
    must_change_password: bool
    last_sign_in_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            **self.__dict__,
            "last_sign_in_at": self.last_sign_in_at and self.last_sign_in_at.isoformat(),
        }


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    require(actor, Permission.MANAGE_USERS)
    return [
        UserRow(
            u.name,
            u.role,
            u.email,
            u.active,
            u.password_hash is not None,
            u.must_change_password,
            u.last_sign_in_at,
        )
        for u in session.scalars(select(User).order_by(User.name))
    ]


def create_user(
    session: Session,
    actor: Actor,
    name: str,
    role: Role | str,
    *,
    email: str | None = None,
    password: str | None = None,
) -> str | None:
    """Add a user with `password`, or with a one-time password that is returned (to show once)."""
    require(actor, Permission.MANAGE_USERS)
    if contains_spoofing(name) or (email and contains_spoofing(email)):
        raise UnusableInput(users.SPOOFING_REFUSAL)
    if email is not None and email.strip() and "@" not in email:
        raise UnusableInput(f"{email!r} does not look like an email address")
    if password is not None:
        auth.check_password_policy(name.strip(), password)
    user = users.add_user(session, actor, name, role, email=(email or "").strip() or None)
    one_time = None
    if password is None:
        one_time = auth.one_time_password()
    auth.set_password(
        session, actor, user.name, password or one_time or "", must_change=password is None
    )
    return one_time


def set_active(session: Session, actor: Actor, name: str, active: bool) -> None:
    """Deactivate (or reactivate) a user; nobody deactivates themself or the last admin."""
    require(actor, Permission.MANAGE_USERS)
    user = users.get_user(session, name)
    if user.active == active:
        return
    if not active:
        if name == actor.name:
            raise WorkflowError("you cannot deactivate yourself; ask another administrator")
        if user.role == Role.ADMIN.value:
            auth.ensure_not_last_admin(session, name)
    user.active = active
    if not active:
        browser_sessions.end_all_for_user(session, user.id, browser_sessions.DEACTIVATED)
    audit.record(
        session,
        actor,
        "user.activate" if active else "user.deactivate",
        "user",
        user.id,
        {"name": name, "before": not active, "after": active},
    )
