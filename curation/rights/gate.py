"""The consent gate: one object answers "may this person be listed, quoted, named, carded,
posted or made into an audiogram, and how are they credited?".

It reads the anonymous-quotes setting once, when it is made (`ConsentGate.of(session)`),
so a page or a job asks the same question the same way everywhere. The SQL filter and
the exclusion counts derive from the same rule as the Python checks (`curation.rights.consent`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy.orm import Session

from curation import app_settings
from curation.rights.consent import attribution, exclusion_reason, is_quotable, quotable_clause
from curation.store.foundation import Respondent

# Quotes in these workflow states may be composed into posts and sent.
POSTABLE_QUOTE_STATUSES = ("approved", "scheduled", "published")
# Why a response is hidden (counts are shown in this order; `why_hidden` tests withdrawal
# first, then consent, anonymity and a missing name).
EXCLUSION_REASONS = ("not consented", "anonymous", "withdrawn", "no name")


@dataclass(frozen=True)
class ConsentGate:
    """The consent rule with the organisation's anonymous-quotes setting applied."""

    allow_anonymous: bool = False

    @classmethod
    def of(cls, session: Session) -> ConsentGate:
        return cls(allow_anonymous=app_settings.allow_anonymous(session))

    def may_quote(self, person: Respondent) -> bool:
        """Listed, quoted, carded and posted: consented, not withdrawn, named or allowed."""
        return is_quotable(person, allow_anonymous=self.allow_anonymous)

    may_list = may_quote
    may_card = may_quote
    may_post = may_quote

    def may_name(self, person: Respondent) -> bool:
        """Whether the person's name (and organisation) may appear at all."""
        return self.may_quote(person) and not person.anonymous

    def may_use_recording(self, person: Respondent) -> bool:
        """Voice and face: only named people who also consented to their recording's use."""
        return self.may_name(person) and bool(person.media_consent)

    def credit(self, person: Respondent) -> str:
        """ "Name, Organisation (Region)", or "Anonymous respondent, Region"; ConsentError if
        the person may not be quoted."""
        return attribution(person, allow_anonymous=self.allow_anonymous)

    def why_hidden(self, person: Respondent) -> str | None:
        """One of EXCLUSION_REASONS, or None when the person may be quoted."""
        return exclusion_reason(person, allow_anonymous=self.allow_anonymous)

    def sql_filter(self) -> ColumnElement[bool]:
        """`may_quote` as a SQL condition on Respondent."""
        return quotable_clause(allow_anonymous=self.allow_anonymous)

    def sql_reason(self) -> ColumnElement[str | None]:
        """`why_hidden` as a SQL expression on Respondent (NULL for quotable people)."""
        whens: list[tuple[ColumnElement[bool], str]] = [
            (or_(Respondent.withdrawn_at.is_not(None), Respondent.erased_at.is_not(None)),
             "withdrawn"),
            (Respondent.consent_to_quote.is_not(True), "not consented"),
        ]  # fmt: skip
        if not self.allow_anonymous:
            whens.append((Respondent.anonymous.is_(True), "anonymous"))
        nameless = or_(Respondent.name.is_(None), func.trim(Respondent.name) == "")
        whens.append((and_(Respondent.anonymous.is_not(True), nameless), "no name"))
        return case(*whens, else_=None)
