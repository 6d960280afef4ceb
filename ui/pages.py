"""The dashboard's pages and the permission each needs; a role sees only its own pages."""

from __future__ import annotations

from dataclasses import dataclass

from curation.access.actors import Actor, Permission


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    permission: Permission
    section: str


PAGES: list[PageSpec] = [
    PageSpec(
        "app_pages/responses.py",
        "Responses",
        ":material/forum:",
        Permission.READ_RESPONSES,
        "Curate",
    ),
    PageSpec(
        "app_pages/import_responses.py",
        "Import",
        ":material/upload_file:",
        Permission.IMPORT_RESPONSES,
        "Curate",
    ),
    PageSpec(
        "app_pages/pick.py",
        "Pick quote",
        ":material/format_quote:",
        Permission.PICK_QUOTES,
        "Curate",
    ),
    PageSpec(
        "app_pages/quotes.py", "Quotes", ":material/fact_check:", Permission.PICK_QUOTES, "Curate"
    ),
    PageSpec(
        "app_pages/media.py",
        "Media",
        ":material/graphic_eq:",
        Permission.IMPORT_RESPONSES,
        "Curate",
    ),
    PageSpec(
        "app_pages/balance.py", "Balance", ":material/balance:", Permission.VIEW_BALANCE, "Manage"
    ),
    PageSpec(
        "app_pages/engagement.py",
        "Engagement",
        ":material/insights:",
        Permission.VIEW_ENGAGEMENT,
        "Manage",
    ),
    PageSpec(
        "app_pages/compose.py",
        "Compose",
        ":material/edit_square:",
        Permission.COMPOSE_POSTS,
        "Publish",
    ),
    PageSpec(
        "app_pages/approve_posts.py",
        "Approve posts",
        ":material/task_alt:",
        Permission.APPROVE_QUOTES,
        "Publish",
    ),
    PageSpec(
        "app_pages/calendar.py",
        "Calendar",
        ":material/calendar_month:",
        Permission.SCHEDULE_POSTS,
        "Publish",
    ),
    PageSpec(
        "app_pages/accounts.py",
        "Accounts",
        ":material/manage_accounts:",
        Permission.MANAGE_ACCOUNTS,
        "Publish",
    ),
    PageSpec(
        "app_pages/preview.py", "Preview", ":material/image:", Permission.PREVIEW_CARDS, "Cards"
    ),
    PageSpec(
        "app_pages/brand.py", "Brand", ":material/palette:", Permission.PREVIEW_CARDS, "Cards"
    ),
    PageSpec("app_pages/users.py", "Users", ":material/group:", Permission.MANAGE_USERS, "Admin"),
    PageSpec("app_pages/privacy.py", "Privacy", ":material/shield:", Permission.ERASE, "Admin"),
    PageSpec("app_pages/audit.py", "Audit", ":material/history:", Permission.VIEW_AUDIT, "Admin"),
]


def pages_for(actor: Actor) -> list[PageSpec]:
    """The pages this actor's role may open, in menu order."""
    return [p for p in PAGES if actor.can(p.permission)]
