"""Who is acting, and what each role may do.

Every service function takes an `Actor` first and checks it with `require`, so
the rules hold whether the call comes from a page, the CLI or a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from curation.errors import PermissionDenied


class Role(StrEnum):
    VIEWER = "viewer"  # staff: read quotable responses, preview cards
    CURATOR = "curator"  # comms: import, pick, compose, schedule
    APPROVER = "approver"  # managers: approve, engagement, balance view
    ADMIN = "admin"  # users, accounts, brand kit, withdrawal and erasure


class Permission(StrEnum):
    READ_RESPONSES = "read_responses"
    PREVIEW_CARDS = "preview_cards"
    IMPORT_RESPONSES = "import_responses"
    PICK_QUOTES = "pick_quotes"
    COMPOSE_POSTS = "compose_posts"
    SCHEDULE_POSTS = "schedule_posts"
    APPROVE_QUOTES = "approve_quotes"
    VIEW_ENGAGEMENT = "view_engagement"
    VIEW_BALANCE = "view_balance"
    SYNC_METRICS = "sync_metrics"
    PUBLISH = "publish"
    MANAGE_CONSULTATIONS = "manage_consultations"
    MANAGE_USERS = "manage_users"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_BRAND = "manage_brand"
    MANAGE_SETTINGS = "manage_settings"
    WITHDRAW_CONSENT = "withdraw_consent"
    ERASE = "erase"
    VIEW_AUDIT = "view_audit"


_VIEWER = {Permission.READ_RESPONSES, Permission.PREVIEW_CARDS}
_CURATOR = _VIEWER | {
    Permission.IMPORT_RESPONSES,
    Permission.PICK_QUOTES,
    Permission.COMPOSE_POSTS,
    Permission.SCHEDULE_POSTS,
}
_APPROVER = _CURATOR | {
    Permission.APPROVE_QUOTES,
    Permission.VIEW_ENGAGEMENT,
    Permission.VIEW_BALANCE,
    Permission.SYNC_METRICS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset(_VIEWER),
    Role.CURATOR: frozenset(_CURATOR),
    Role.APPROVER: frozenset(_APPROVER),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class Actor:
    """The person (or process) on whose behalf the core acts."""

    name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


# The CLI acts as this local administrator unless `--as USER` is given.
LOCAL_ADMIN = Actor("local-admin", Role.ADMIN)
# The worker and scheduled jobs act as this system account.
WORKER = Actor("worker", Role.ADMIN)
# Undoes publication when consent is lost as a result of someone else's authorised change
# (a re-import, a confirmed reading, a setting); audited beside that person's own entry.
CONSENT_RULES = Actor("consent-rules", Role.ADMIN)


def require(actor: Actor, permission: Permission) -> None:
    """Refuse with `PermissionDenied` unless the actor's role grants `permission`."""
    if not actor.can(permission):
        raise PermissionDenied(
            f"{actor.name} ({actor.role.value}) may not {permission.value.replace('_', ' ')}"
        )
