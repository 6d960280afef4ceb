"""The consent rule: who may be listed, quoted, rendered or posted, and how they are named.

Every path (lists, cards, posts, exports, the worker right before sending) asks
`is_quotable` or filters with `quotable_clause`; there is no other definition.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex
from sqlalchemy import ColumnElement, and_, func, or_

from curation.store.foundation import Respondent

ANONYMOUS_ATTRIBUTION = "Anonymous respondent"

_YES = {
    "yes", "y", "true", "1", "i agree", "agree", "i consent", "consent", "ok", "okay",
    "yes please", "yes i agree", "ydw", "ie", "oes", "cytuno", "rwy'n cytuno", "checked", "x",
}  # fmt: skip
_NO = {
    "no", "n", "false", "0", "na", "i do not agree", "i don't agree", "do not agree",
    "disagree", "no thanks", "nac ydw", "nage", "nac oes", "unchecked", "",
}  # fmt: skip
_ANON_WORDS = regex.compile(
    r"\b(anonym\w*|don'?t (use|name|show|publish) my name|do not (use|name|show|publish) my name|"
    r"without (my )?name|keep me (private|anonymous)|no name|d?dienw)\b",
    regex.IGNORECASE,
)
_NAMED_WORDS = regex.compile(
    r"\b(use my name|with my name|name me|credit me|attribute|you can use my name|enwi)\b",
    regex.IGNORECASE,
)
_PRIVATE_WORDS = regex.compile(
    r"\b(keep (it|this|them|my (views?|response|answers?)) private|do not (quote|share|publish)|"
    r"don'?t (quote|share|publish)|not (be )?quoted|private)\b",
    regex.IGNORECASE,
)


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = text.replace("’", "'")
    return regex.sub(r"[\s.!]+$", "", regex.sub(r"\s+", " ", text))


def parse_yes_no(value: object) -> bool | None:
    """A yes/no answer: True, False, or None when it is ambiguous. Blank means no."""
    text = _clean(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


@dataclass(frozen=True)
class ConsentAnswer:
    """What one answer to a consent question says; `ambiguous` answers count as no."""

    quote: bool
    anonymous: bool | None  # None when the answer says nothing about names
    ambiguous: bool = False


def parse_combined(value: object) -> ConsentAnswer:
    """Read one combined consent answer, such as "Yes, but keep me anonymous".

    Recognises plain yes/no too. Anything it cannot read is ambiguous: no consent.
    """
    text = _clean(value)
    plain = parse_yes_no(text)
    if plain is not None:
        return ConsentAnswer(quote=plain, anonymous=None)
    first = regex.split(r"[,;:\-–—(]| but | and ", text, maxsplit=1)[0].strip()
    lead = parse_yes_no(first)
    if lead is False or (lead is None and _PRIVATE_WORDS.search(text)):
        return ConsentAnswer(quote=False, anonymous=None)
    if lead is True or regex.match(r"^(yes|ydw|ie|i agree|happy)\b", text):
        if _ANON_WORDS.search(text):
            return ConsentAnswer(quote=True, anonymous=True)
        if _NAMED_WORDS.search(text) or lead is True:
            return ConsentAnswer(quote=True, anonymous=False)
    return ConsentAnswer(quote=False, anonymous=None, ambiguous=True)


def parse_anonymous(value: object) -> bool | None:
    """An answer to "do you want to stay anonymous?": True, False, or None if ambiguous.

    Blank means not anonymous only where the form made the question optional; callers
    decide. Phrases like "please keep me anonymous" count as yes.
    """
    plain = parse_yes_no(value)
    if plain is not None:
        return plain
    text = _clean(value)
    if _ANON_WORDS.search(text):
        return True
    if _NAMED_WORDS.search(text):
        return False
    return None


def is_quotable(respondent: Respondent, *, allow_anonymous: bool = False) -> bool:
    """The rule: consented, not withdrawn, not erased, and named (unless anonymous is allowed)."""
    if not respondent.consent_to_quote:
        return False
    if respondent.withdrawn_at is not None or respondent.erased_at is not None:
        return False
    if respondent.anonymous:
        return allow_anonymous
    return bool((respondent.name or "").strip())


def quotable_clause(*, allow_anonymous: bool = False) -> ColumnElement[bool]:
    """`is_quotable` as a SQL condition on `Respondent`, for listing queries."""
    named = and_(
        Respondent.anonymous.is_(False),
        Respondent.name.is_not(None),
        func.trim(Respondent.name) != "",
    )
    who = or_(named, Respondent.anonymous.is_(True)) if allow_anonymous else named
    return and_(
        Respondent.consent_to_quote.is_(True),
        Respondent.withdrawn_at.is_(None),
        Respondent.erased_at.is_(None),
        who,
    )


def exclusion_reason(respondent: Respondent, *, allow_anonymous: bool = False) -> str | None:
    """Why a respondent is not quotable (for counts), or None if they are."""
    if respondent.withdrawn_at is not None or respondent.erased_at is not None:
        return "withdrawn"
    if not respondent.consent_to_quote:
        return "not consented"
    if respondent.anonymous and not allow_anonymous:
        return "anonymous"
    if not respondent.anonymous and not (respondent.name or "").strip():
        return "no name"
    return None


def attribution(respondent: Respondent, *, allow_anonymous: bool = False) -> str:
    """How a quotable respondent is credited: "Name, Organisation (Region)".

    Anonymous respondents (only where allowed) are "Anonymous respondent" with the
    region at most. Raises `ConsentError` for anyone who is not quotable.
    """
    from curation.errors import ConsentError

    if not is_quotable(respondent, allow_anonymous=allow_anonymous):
        raise ConsentError("this respondent may not be quoted")
    if respondent.anonymous:
        return ANONYMOUS_ATTRIBUTION + (f", {respondent.region}" if respondent.region else "")
    parts = [respondent.name.strip() if respondent.name else ""]
    if respondent.organisation and respondent.organisation.strip():
        parts.append(respondent.organisation.strip())
    text = ", ".join(parts)
    return f"{text} ({respondent.region})" if respondent.region else text
