"""The dashboard's pages and the permission each needs; navigation shows only what a role may use."""

from __future__ import annotations

from dataclasses import dataclass

from curation.actors import Actor, Permission


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    permission: Permission
    section: str


PAGES: list[PageSpec] = [
    PageSpec("app_pages/responses.py", "Responses", ":material/forum:", Permission.READ_RESPONSES, "Curate"),
    PageSpec("app_pages/import_responses.py", "Import", ":material/upload_file:", Permission.IMPORT_RESPONSES, "Curate"),
]


def pages_for(actor: Actor) -> list[PageSpec]:
    """The pages this actor's role may open, in menu order."""
    return [p for p in PAGES if actor.can(p.permission)]
