"""Tagging responses with themes (missions) by keywords; tags can be edited later."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import regex
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.store.base import get_or_not_found
from curation.store.foundation import Response, ResponseTheme, Theme


@lru_cache(maxsize=256)
def _pattern(keywords: tuple[str, ...]) -> regex.Pattern[str]:
    words = sorted({k.strip().lower() for k in keywords if k.strip()}, key=len, reverse=True)
    if not words:
        return regex.compile(r"(?!x)x")
    alternation = "|".join(regex.escape(w) for w in words)
    return regex.compile(rf"(?<![\w&]){'(?:' + alternation + ')'}(?![\w&])", regex.IGNORECASE)


def matching_themes(text: str, themes: Sequence[Theme]) -> list[Theme]:
    """The themes whose keywords appear in `text` as whole words."""
    return [t for t in themes if _pattern(tuple(t.keywords or ())).search(text)]


def tag_by_keywords(session: Session, response: Response, themes: Iterable[Theme]) -> list[Theme]:
    """Replace a response's keyword tags (manual tags stay) and return the themes matched."""
    found = matching_themes(response.text, list(themes))
    session.execute(
        delete(ResponseTheme).where(
            ResponseTheme.response_id == response.id, ResponseTheme.source == "keyword"
        )
    )
    manual = set(
        session.scalars(
            select(ResponseTheme.theme_id).where(ResponseTheme.response_id == response.id)
        )
    )
    for theme in found:
        if theme.id not in manual:
            session.add(ResponseTheme(response_id=response.id, theme_id=theme.id, source="keyword"))
    return found


def set_tags(session: Session, actor: Actor, response_id: int, theme_ids: Iterable[int]) -> None:
    """Set a response's themes by hand (these survive keyword re-tagging)."""
    require(actor, Permission.PICK_QUOTES)
    get_or_not_found(session, Response, response_id, "response")  # refuses unknown ids
    before = sorted(
        session.scalars(
            select(ResponseTheme.theme_id).where(ResponseTheme.response_id == response_id)
        )
    )
    session.execute(delete(ResponseTheme).where(ResponseTheme.response_id == response_id))
    after = sorted(set(theme_ids))
    for theme_id in after:
        session.add(ResponseTheme(response_id=response_id, theme_id=theme_id, source="manual"))
    audit.record(
        session, actor, "response.tags", "response", response_id, {"before": before, "after": after}
    )
