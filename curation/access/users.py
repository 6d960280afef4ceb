"""Users of the dashboard and CLI, and how a name becomes an `Actor`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import LOCAL_ADMIN, Actor, Permission, Role, require
from curation.errors import NotFound, UnusableInput
from curation.store.foundation import User
from curation.unicode_safety import contains_spoofing

SPOOFING_REFUSAL = (
    "user names and emails may not contain invisible, control or direction characters"
)


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise UnusableInput(
            f"unknown role {value!r}; choose one of {', '.join(r.value for r in Role)}"
        ) from None


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(
            f"no user named {name!r}: add one with `curation user add {name} --role ROLE`"
        )
    return user


def add_user(
    session: Session, actor: Actor, name: str, role: Role | str, *, email: str | None = None
) -> User:
    """Create a user (admins only). Passwords are set separately."""
    require(actor, Permission.MANAGE_USERS)
    name = name.strip()
    if not name or len(name) > 120:
        raise UnusableInput("a user name needs 1 to 120 characters")
    if contains_spoofing(name) or (email and contains_spoofing(email)):
        raise UnusableInput(SPOOFING_REFUSAL)
    role = parse_role(role) if isinstance(role, str) else role
    if session.scalar(select(User).where(User.name == name)):
        raise UnusableInput(f"a user named {name!r} already exists")
    user = User(name=name, role=role.value, email=email)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.add", "user", user.id, {"name": name, "role": role.value})
    return user


def actor_for(session: Session, name: str | None) -> Actor:
    """The actor for a user name; no name means the local administrator (CLI default)."""
    if name is None:
        return LOCAL_ADMIN
    user = get_user(session, name)
    if not user.active:
        raise UnusableInput(f"user {name!r} is deactivated")
    return Actor(user.name, Role(user.role))
