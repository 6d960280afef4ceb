"""Single sign-on (OIDC through `st.login`): mapping an identity to a role.

The mapping comes from secrets, e.g.::

    [curation.roles]
    admins = ["ada@example.org"]
    approvers = ["group:managers"]        # or a plain group name
    curators = ["comms@example.org", "comms-team"]
    viewers = ["@example.org"]            # a whole email domain
    [curation.roles.roles_by_email]
    "bob@example.org" = "approver"
    [curation.roles.roles_by_group]
    "staff" = "viewer"

Unknown identities get no role and are refused. The highest matching role wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Role
from curation.store.base import utcnow
from curation.store.foundation import User

_RANK = [Role.VIEWER, Role.CURATOR, Role.APPROVER, Role.ADMIN]
_LIST_KEYS = {
    "admins": Role.ADMIN,
    "approvers": Role.APPROVER,
    "curators": Role.CURATOR,
    "viewers": Role.VIEWER,
}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _role(value: object) -> Role | None:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        return None


def role_for_identity(
    email: str | None, groups: Iterable[str] | None, mapping: Mapping[str, Any]
) -> Role | None:
    """The highest role `mapping` grants this email or any of these groups; None if none."""
    mail = (email or "").strip().casefold()
    group_set = {g.strip().casefold() for g in (groups or []) if str(g).strip()}
    found: set[Role] = set()

    def matches(entry: str) -> bool:
        entry = entry.strip().casefold()
        if entry.startswith("group:"):
            return entry[6:] in group_set
        if entry.startswith("@"):
            return bool(mail) and mail.endswith(entry)
        if "@" in entry:
            return bool(mail) and entry == mail
        return entry in group_set

    for key, role in _LIST_KEYS.items():
        if any(matches(e) for e in _as_list(mapping.get(key))):
            found.add(role)
    for addr, value in dict(mapping.get("roles_by_email") or {}).items():
        if mail and str(addr).strip().casefold() == mail and (r := _role(value)):
            found.add(r)
    for group, value in dict(mapping.get("roles_by_group") or {}).items():
        if str(group).strip().casefold() in group_set and (r := _role(value)):
            found.add(r)
    return max(found, key=_RANK.index) if found else None


def identity_from_claims(claims: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    """(email, groups) from an OIDC user-info mapping; an unverified email counts as none."""
    email = claims.get("email")
    if claims.get("email_verified") is False:
        email = None
    groups = claims.get("groups") or claims.get("roles") or []
    return (str(email) if email else None), _as_list(groups)


def oidc_sign_in(
    session: Session,
    email: str | None,
    groups: Iterable[str] | None,
    mapping: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> Actor | None:
    """The actor for an identity the provider vouched for, or None (audited either way).

    A local user with that email or name who was deactivated stays refused.
    """
    now = now or utcnow()
    role = role_for_identity(email, groups, mapping)
    name = (email or "?")[:120]
    local = None
    if email:
        local = session.scalar(select(User).where(or_(User.email == email, User.name == email)))
    reason = None
    if role is None:
        reason = "no role mapped"
    elif local is not None and not local.active:
        reason = "deactivated"
    who = Actor(name, role or Role.VIEWER)
    if reason is not None or role is None:
        audit.record(
            session,
            who,
            "auth.sign_in_failed",
            "user",
            local.id if local else None,
            {"name": name, "reason": reason, "method": "oidc"},
            now=now,
        )
        return None
    if local is not None:
        local.last_sign_in_at = now
    audit.record(
        session,
        who,
        "auth.sign_in",
        "user",
        local.id if local else None,
        {"name": name, "method": "oidc", "role": role.value},
        now=now,
    )
    return who
