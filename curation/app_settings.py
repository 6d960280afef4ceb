"""Organisation-wide switches stored in the database, with their defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.errors import UnusableInput
from curation.store.foundation import Setting

DEFAULTS: dict[str, Any] = {
    # Anonymous respondents are hidden from curation unless this is switched on.
    "allow_anonymous_quotes": False,
    # Nobody approves their own pick unless this is switched on.
    "single_person_approval": False,
    # Days after which responses without consent are purged by `retention apply`.
    "retention_days": 365,
    # The consultation the dashboard and CLI work on when none is chosen.
    "current_consultation": None,
}


def get(session: Session, key: str) -> Any:
    """The stored value for `key`, or its default."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = session.get(Setting, key)
    return DEFAULTS[key] if row is None else row.value


def put(session: Session, actor: Actor, key: str, value: Any) -> None:
    """Change a setting (admins only); audited with before and after."""
    require(actor, Permission.MANAGE_SETTINGS)
    if key not in DEFAULTS:
        raise UnusableInput(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULTS))}")
    _store(session, key, value, actor)


def put_system(session: Session, key: str, value: Any, actor: Actor) -> None:
    """Change a setting as a side effect of an already-authorised action."""
    _store(session, key, value, actor)


def _store(session: Session, key: str, value: Any, actor: Actor) -> None:
    before = get(session, key)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    audit.record(
        session, actor, "setting.change", "setting", key, {"before": before, "after": value}
    )


def allow_anonymous(session: Session) -> bool:
    return bool(get(session, "allow_anonymous_quotes"))
