"""Right before sending: the credit baked into a post still matches the respondent's current one.

A post's text, card and alt text are made when it is scheduled, with the attribution of
that moment. If the person has since asked not to be named (a re-import, a changed
reading), that post must not go out with the old name: it is cancelled, and composing it
again gives the current credit.
"""

from __future__ import annotations

import regex

from curation.rights.consent import attribution
from curation.store.foundation import Respondent
from curation.store.posts import Post

ATTRIBUTION_CHANGED = "attribution changed since the post was composed: compose it again"
NAMES_ANONYMOUS = "the post names a respondent who is now anonymous"


def _name_parts(name: str) -> list[str]:
    parts = [p for p in regex.split(r"[\s,]+", name.strip()) if len(p) >= 3]
    return [name.strip(), *parts] if name.strip() else []


def stale_attribution(post: Post, respondent: Respondent, *, allow_anonymous: bool) -> str | None:
    """Why this post's credit is out of date (cancel it), or None. Call only for quotable people."""
    current = attribution(respondent, allow_anonymous=allow_anonymous)
    if post.attribution is not None and post.attribution != current:
        return ATTRIBUTION_CHANGED
    if respondent.anonymous:
        words = " ".join(t for t in (post.text, post.reply_text, post.alt_text) if t)
        for part in _name_parts(respondent.name or ""):
            if regex.search(rf"(?<!\w){regex.escape(part)}(?!\w)", words, regex.IGNORECASE):
                return NAMES_ANONYMOUS
    return None
