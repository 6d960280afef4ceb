"""The audit log in plain sentences: "ann approved the quote “Buses are the first thing…”".

Targets are named, not numbered: users by name, respondents by name (or "an anonymous
respondent", "an erased respondent"), quotes by their first words while their respondent may
still be quoted, posts by network and quote. The recorded details stay available as labelled
fields for a closer look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor
from curation.rights.gate import ConsentGate
from curation.store.foundation import Respondent, Response, User
from curation.store.posts import Post
from curation.store.quotes import Quote
from curation.timefmt import human_time

QUOTE_WORDS = 8
NETWORK_NAMES = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon", "outbox": "the outbox"}

# action -> (what the Action filter shows, the sentence after the actor's name).
# {target} is the named target; other {fields} come from the entry's details.
ACTIONS: dict[str, tuple[str, str]] = {
    "auth.sign_in": ("Signed in", "signed in"),
    "auth.sign_in_failed": ("Failed sign-in", "could not sign in ({reason})"),
    "user.add": ("User added", "added the user {name} as {role}"),
    "user.bootstrap": ("First administrator created", "created the first administrator"),
    "user.activate": ("User reactivated", "reactivated {target}"),
    "user.deactivate": ("User deactivated", "deactivated {target}"),
    "user.password_set": ("Password set", "set the password of {target}"),
    "user.password_change": ("Password changed", "changed their own password"),
    "respondent.withdraw": ("Respondent withdrawn", "withdrew {target}"),
    "respondent.erase": ("Respondent erased", "erased the personal data of {target}"),
    "respondent.consent_lost": ("Consent lost", "undid the uses of {target} ({reason})"),
    "retention.apply": ("Retention applied", "applied the retention rule"),
    "quote.create": ("Quote picked", "picked {target}"),
    "quote.approve": ("Quote approved", "approved {target}"),
    "quote.reject": ("Quote rejected", "rejected {target}"),
    "quote.note": ("Quote note", "added a note to {target}"),
    "quote.erase": ("Quote erased", "erased {target}"),
    "post.schedule": ("Post scheduled", "scheduled {target}"),
    "post.reschedule": ("Post rescheduled", "rescheduled {target}"),
    "post.cancel": ("Post cancelled", "cancelled {target}"),
    "post.approve": ("Post approved", "approved {target} as it will go out"),
    "post.edit": ("Post edited", "edited {target}"),
    "post.mark_posted": ("Posted by hand", "marked {target} as posted by hand"),
    "post.refused": ("Post refused", "refused to send {target} ({reason})"),
    "post.not_connected": ("Network not connected", "held {target}: the network is not connected"),
    "posts.publish_now": ("Published what was due", "published what was due"),
    "card.render": ("Card rendered", "rendered a card"),
    "card.render_text": ("Card from text", "rendered a card from typed text"),
    "card.alt_text": ("Alt text edited", "edited a card's alt text"),
    "card.export": ("Cards exported", "exported {cards} cards"),
    "card.delete_for_respondent": ("Cards deleted", "deleted the cards of {target}"),
    "brand.update": ("Brand kit changed", "changed the brand kit"),
    "setting.change": ("Setting changed", "changed the setting “{target}”"),
    "responses.import": ("Responses imported", "imported a file of {rows} rows"),
    "import.column_role": ("Column role set", "set a column's role to {role}"),
    "import.reading": ("Answer reading changed", "changed how an answer reads, to {after}"),
    "response.tags": ("Tags changed", "changed the tags of an answer"),
    "media.add": ("Recording added", "added a recording for {target}"),
    "media.erase": ("Recordings erased", "erased the recordings of {target}"),
    "media.demo": ("Demo recordings", "added the demo recordings"),
    "audiogram.make": ("Audiogram made", "made an audiogram of {target}"),
    "demo.seed": ("Demo data added", "added the demo data"),
    "demo.remove": ("Demo data removed", "removed the demo data"),
    "consultation.add": ("Consultation added", "added a consultation"),
    "question.public_title": ("Question title", "changed a question's public title"),
    "theme.rename": ("Theme renamed", "renamed a theme to “{after}”"),
    "theme.merge": ("Themes merged", "merged two themes"),
    "theme.split": ("Theme split", "split a theme"),
    "metrics.sync": ("Metrics synced", "synced the engagement figures of {target}"),
    "metrics.import_x_csv": ("X figures imported", "imported X's figures file"),
    "accounts.check": ("Accounts tested", "tested the network connections"),
}

# details keys -> how the details panel names them
FIELD_NAMES = {
    "before": "Before", "after": "After", "name": "Name", "role": "Role", "reason": "Reason",
    "network": "Network", "method": "How", "url": "Address", "rows": "Rows",
    "respondent_id": "Respondent", "quote_id": "Quote", "response_id": "Answer",
}  # fmt: skip


@dataclass(frozen=True)
class ReadableEntry:
    """One audit entry for people: when, who, a sentence, and labelled details."""

    at: datetime
    actor: str
    role: str
    action: str
    sentence: str
    details: tuple[tuple[str, str], ...]


def action_label(action: str) -> str:
    """What the Action filter shows for `action` ("post.cancel" -> "Post cancelled")."""
    known = ACTIONS.get(action)
    return known[0] if known else action.replace(".", ": ").replace("_", " ").capitalize()


def readable_entries(
    session: Session, actor: Actor, filters: audit.AuditFilter | None = None
) -> list[ReadableEntry]:
    """The filtered audit log as sentences (admins only, like the log itself)."""
    rows = audit.audit_entries(session, actor, filters)
    names = _target_names(session, rows)
    return [
        ReadableEntry(
            r.at,
            r.actor,
            r.role,
            r.action,
            sentence(r, names.get((r.target_type, str(r.target_id)))),
            detail_fields(r.details),
        )
        for r in rows
    ]


def sentence(row: audit.AuditRow, target: str | None = None) -> str:
    """ "ann approved the quote “…”": the actor, what they did, to what or whom."""
    target = target or _fallback_target(row)
    known = ACTIONS.get(row.action)
    if known is None:
        what = row.action.replace(".", " ").replace("_", " ")
        return f"{row.actor}: {what}" + (f" ({target})" if target else "")
    values = _Defaulting({k: _plain(v) for k, v in row.details.items()})
    values["target"] = target or "something no longer stored"
    return f"{row.actor} {known[1].format_map(values)}"


def detail_fields(details: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The details as (label, text) pairs: no dicts, no brackets."""
    return tuple(
        (FIELD_NAMES.get(k, k.replace("_", " ").capitalize()), _plain(v))
        for k, v in details.items()
    )


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "not recorded"


def _plain(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return human_time(value)
        except ValueError:
            return value
    return str(value)


def _fallback_target(row: audit.AuditRow) -> str:
    if row.target_type == "network" and row.target_id:
        return NETWORK_NAMES.get(str(row.target_id), str(row.target_id))
    if row.target_type == "setting" and row.target_id:
        return str(row.target_id).replace("_", " ")
    return ""


def _ids(rows: Iterable[audit.AuditRow], kind: str) -> set[int]:
    return {
        int(str(r.target_id)) for r in rows if r.target_type == kind and str(r.target_id).isdigit()
    }


def _target_names(session: Session, rows: list[audit.AuditRow]) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for user in session.scalars(select(User).where(User.id.in_(_ids(rows, "user")))):
        names["user", str(user.id)] = user.name
    respondent_ids = _ids(rows, "respondent")
    for person in session.scalars(select(Respondent).where(Respondent.id.in_(respondent_ids))):
        names["respondent", str(person.id)] = respondent_name(person)
    for response_id, person in session.execute(
        select(Response.id, Respondent)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Response.id.in_(_ids(rows, "response")))
    ):
        names["response", str(response_id)] = respondent_name(person)
    quote_ids = _ids(rows, "quote")
    posts = list(session.scalars(select(Post).where(Post.id.in_(_ids(rows, "post")))))
    quote_ids |= {p.quote_id for p in posts}
    quotes = {
        quote.id: _quote_words(quote, person)
        for quote, person in session.execute(
            select(Quote, Respondent)
            .join(Response, Response.id == Quote.response_id)
            .join(Respondent, Respondent.id == Response.respondent_id)
            .where(Quote.id.in_(quote_ids))
        )
    }
    for quote_id, words in quotes.items():
        names["quote", str(quote_id)] = words
    for post in posts:
        network = NETWORK_NAMES.get(post.network, post.network)
        names["post", str(post.id)] = (
            f"the post on {network} of {quotes.get(post.quote_id, 'a quote')}"
        )
    return names


def respondent_name(person: Respondent) -> str:
    """How the audit names a respondent: their name unless anonymous or erased."""
    if person.erased_at is not None:
        return "an erased respondent"
    if person.anonymous or not (person.name or "").strip():
        return "an anonymous respondent"
    return (person.name or "").strip()


def _quote_words(quote: Quote, person: Respondent) -> str:
    """ "the quote “first words…”" while its respondent may be quoted, else just "a quote"."""
    if not ConsentGate().may_name(person) or not quote.text.strip():
        return "a quote"
    words = quote.text.split()
    shown = " ".join(words[:QUOTE_WORDS]) + ("…" if len(words) > QUOTE_WORDS else "")
    return f"the quote “{shown}”"
