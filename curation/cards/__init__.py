"""Branded quote cards: brand kit, layout that always fits, templates, rendering, alt text.

The services live in `curation.cards.service`; the two that other features call by name
are forwarded here lazily (withdrawal and erasure look for `delete_cards_for_respondent`).
"""

from __future__ import annotations

from typing import Any


def render_quote_card(*args: Any, **kwargs: Any) -> Any:
    from curation.cards.service import render_quote_card as run

    return run(*args, **kwargs)


def delete_cards_for_respondent(*args: Any, **kwargs: Any) -> int:
    from curation.cards.service import delete_cards_for_respondent as run

    return run(*args, **kwargs)
