"""Card services: render and store a quote's card, edit alt text, export, delete on withdrawal.

Every path asks the consent rule again (through `card_content` and the respondent), so a
withdrawn or non-consented respondent never gets a card, a file or an export entry.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.cards import render
from curation.cards.alt_text import MAX_ALT_TEXT
from curation.cards.brand import Brand, load_brand, save_brand, validate_image, validate_logo
from curation.cards.render import CardContent, RenderedCard
from curation.cards.templates import FORMATS, TEMPLATES, get_format, get_template
from curation.config import load_settings
from curation.errors import ConsentError, PermissionDenied, UnusableInput
from curation.exports import neutralise_cell
from curation.rights.gate import POSTABLE_QUOTE_STATUSES, ConsentGate
from curation.store.base import get_or_not_found, utcnow
from curation.store.cards import Card
from curation.store.foundation import Question, Respondent, Response
from curation.store.quotes import Quote
from curation.unicode_safety import strip_spoofing

Progress = Callable[[int, int], object]
MAX_PUBLIC_TITLE = 120
PREVIEWABLE = POSTABLE_QUOTE_STATUSES


def _respondent_of(session: Session, quote_id: int) -> Respondent:
    quote = get_or_not_found(session, Quote, quote_id, "quote")
    respondent = session.get(Respondent, quote.response.respondent_id)
    assert respondent is not None  # guaranteed by the foreign key
    return respondent


def quote_content(session: Session, quote_id: int) -> CardContent:
    """The card's words and credit from the quotes module, after the consent rule again."""
    from curation.quotes.reading import card_content

    respondent = _respondent_of(session, quote_id)
    if not ConsentGate.of(session).may_card(respondent):
        raise ConsentError(f"quote {quote_id}: the respondent may not be quoted")
    content = CardContent.of(card_content(session, quote_id))
    quote = session.get(Quote, quote_id)
    question = quote.response.question if quote is not None else None
    if question is not None:  # the header's words for the public, not the internal label
        content = replace(content, question_label=header_title(question))
    return content


def header_title(question: Question) -> str:
    """A question's card header: its public title, else its text when short, else its label."""
    if question.public_title and question.public_title.strip():
        return question.public_title.strip()
    return question.text.strip() if len(question.text.strip()) <= 90 else question.label


def question_titles(session: Session, actor: Actor, consultation_id: int) -> list[Question]:
    """The consultation's questions in order, with their public card titles."""
    require(actor, Permission.PREVIEW_CARDS)
    return list(session.scalars(
        select(Question).where(Question.consultation_id == consultation_id)
        .order_by(Question.number)
    ))  # fmt: skip


def update_public_title(session: Session, actor: Actor, question_id: int, title: str) -> Question:
    """Set the words a card's header shows for one question (1..120 characters; admins)."""
    require(actor, Permission.MANAGE_BRAND)
    question = get_or_not_found(session, Question, question_id, "question")
    cleaned = " ".join(title.split())
    if not cleaned:
        raise UnusableInput("the public title cannot be empty")
    if len(cleaned) > MAX_PUBLIC_TITLE:
        raise UnusableInput(f"the public title has {len(cleaned)} characters; at most "
                            f"{MAX_PUBLIC_TITLE}")  # fmt: skip
    question.public_title = cleaned
    session.flush()
    audit.record(session, actor, "question.public_title", "question", question.id,
                 {"number": question.number, "length": len(cleaned)})  # fmt: skip
    return question


def card_file(card: Card) -> Path:
    return load_settings().cards_dir / card.path


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(path)


def render_quote_card(
    session: Session,
    actor: Actor,
    quote_id: int,
    template: str | None = None,
    fmt: str = "square",
    *,
    now: datetime | None = None,
    brand: Brand | None = None,
) -> Card:
    """Render a quote's card and store it (PNG under the cards directory, by content hash).

    Reuses the stored card when nothing that shows has changed.
    """
    require(actor, Permission.PREVIEW_CARDS)
    brand = brand or load_brand()
    template = get_template(template or brand.default_template).name
    fmt = get_format(fmt).name
    content = quote_content(session, quote_id)
    rendered = render.render_card(content, template, fmt, brand)
    relative = f"{rendered.content_hash[:2]}/{rendered.content_hash}.png"
    path = load_settings().cards_dir / relative
    same_card = select(Card).where(
        Card.quote_id == quote_id, Card.content_hash == rendered.content_hash
    )
    existing = session.scalar(same_card)
    if not path.is_file():
        _write_atomically(path, rendered.png)
    if existing is not None:
        return existing
    card = Card(
        quote_id=quote_id, template=template, format=fmt, content_hash=rendered.content_hash,
        path=relative, width=rendered.width, height=rendered.height, bytes=len(rendered.png),
        font_size=rendered.font_size, alt_text=rendered.alt_text, alt_text_edited=False,
        created_at=now or utcnow(), created_by=actor.name,
    )  # fmt: skip
    try:
        with session.begin_nested():  # another process may store the same card meanwhile
            session.add(card)
            session.flush()
    except IntegrityError:
        raced = session.scalar(same_card)
        if raced is None:
            raise
        return raced
    audit.record(session, actor, "card.render", "card", card.id, {
        "quote_id": quote_id, "template": template, "format": fmt,
        "content_hash": rendered.content_hash, "bytes": len(rendered.png),
    }, now=now)  # fmt: skip
    return card


def preview_text_card(
    actor: Actor, text: str, attribution: str, template: str | None = None, fmt: str = "square"
) -> RenderedCard:
    """A card for typed text (drafts, demos): rendered in memory, never stored."""
    require(actor, Permission.PREVIEW_CARDS)
    return render.render_card(CardContent(text=text, attribution=attribution), template, fmt)


def render_typed_card(
    session: Session,
    actor: Actor,
    text: str,
    attribution: str,
    template: str | None = None,
    fmt: str = "square",
) -> RenderedCard:
    """A card for typed text to keep as a file (`curation render --text`): curators and up.

    A branded card with any words and any name is a forgery risk, so making one to keep is
    audited: the template, format, lengths and the PNG's SHA-256 (never the words).
    """
    require(actor, Permission.COMPOSE_POSTS)
    rendered = preview_text_card(actor, text, attribution, template, fmt)
    audit.record(session, actor, "card.render_text", "card", None, {
        "template": template, "format": fmt, "characters": len(text),
        "attribution_characters": len(attribution),
        "png_sha256": hashlib.sha256(rendered.png).hexdigest(),
    })  # fmt: skip
    return rendered


def card_png(session: Session, actor: Actor, card_id: int) -> bytes:
    """The stored PNG of a card (after the consent rule again)."""
    require(actor, Permission.PREVIEW_CARDS)
    card = get_or_not_found(session, Card, card_id, "card")
    quote_content(session, card.quote_id)
    return card_file(card).read_bytes()


def update_alt_text(session: Session, actor: Actor, card_id: int, text: str) -> Card:
    """Replace a card's alt text with the comms team's own words (1..1,000 characters)."""
    require(actor, Permission.COMPOSE_POSTS)
    card = get_or_not_found(session, Card, card_id, "card")
    cleaned = " ".join(strip_spoofing(text).split())
    if not cleaned:
        raise UnusableInput("alt text cannot be empty")
    if len(cleaned) > MAX_ALT_TEXT:
        raise UnusableInput(f"alt text has {len(cleaned)} characters; at most {MAX_ALT_TEXT}")
    card.alt_text = cleaned
    card.alt_text_edited = True
    audit.record(session, actor, "card.alt_text", "card", card.id,
                 {"quote_id": card.quote_id, "length": len(cleaned)})  # fmt: skip
    return card


def delete_cards_for_respondent(session: Session, actor: Actor, respondent_id: int) -> int:
    """Delete every card (rows and files) of a respondent's quotes; returns how many.

    Called by withdrawal and erasure. Also forgets the in-process render cache.
    """
    if not (actor.can(Permission.WITHDRAW_CONSENT) or actor.can(Permission.ERASE)):
        raise PermissionDenied(f"{actor.name} ({actor.role.value}) may not delete cards")
    cards = list(session.scalars(
        select(Card).join(Quote, Quote.id == Card.quote_id)
        .join(Response, Response.id == Quote.response_id)
        .where(Response.respondent_id == respondent_id)
    ))  # fmt: skip
    doomed = {c.id for c in cards}
    for card in cards:
        shared = session.scalar(
            select(Card.id).where(Card.path == card.path, Card.id.not_in(doomed)).limit(1)
        )
        if shared is None:
            card_file(card).unlink(missing_ok=True)
        session.delete(card)
    render.forget(c.content_hash for c in cards)
    session.flush()
    audit.record(session, actor, "card.delete_for_respondent", "respondent", respondent_id,
                 {"cards": len(cards)})  # fmt: skip
    return len(cards)


def export_zip(
    session: Session,
    actor: Actor,
    quote_ids: Iterable[int],
    formats: Iterable[str],
    templates: Iterable[str],
    progress: Progress | None = None,
) -> bytes:
    """A ZIP of every quote × template × format card plus alt-text.csv (deterministic bytes).

    File names hold ids only, never names. Refuses the whole export if any quote is not
    quotable any more.
    """
    require(actor, Permission.PREVIEW_CARDS)
    ids, fmts, tmpls = list(dict.fromkeys(quote_ids)), list(formats), list(templates)
    if not ids or not fmts or not tmpls:
        raise UnusableInput("choose at least one quote, one template and one format")
    for name in fmts:
        get_format(name)
    for name in tmpls:
        get_template(name)
    total, done = len(ids) * len(fmts) * len(tmpls), 0
    out = io.BytesIO()
    rows = [["file", "quote_id", "template", "format", "width", "height", "alt_text"]]
    brand = load_brand()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for quote_id in ids:
            for template in tmpls:
                for fmt in fmts:
                    card = render_quote_card(session, actor, quote_id, template, fmt, brand=brand)
                    name = f"quote-{quote_id}/{template}-{fmt}.png"
                    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    archive.writestr(info, card_file(card).read_bytes())
                    rows.append([name, str(quote_id), template, fmt, str(card.width),
                                 str(card.height), neutralise_cell(card.alt_text)])  # fmt: skip
                    done += 1
                    if progress is not None:
                        progress(done, total)
        table = io.StringIO()
        csv.writer(table, lineterminator="\n").writerows(rows)
        info = zipfile.ZipInfo("alt-text.csv", date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(info, table.getvalue().encode("utf-8"))
    audit.record(session, actor, "card.export", "quote", None,
                 {"quotes": ids, "templates": tmpls, "formats": fmts, "cards": total})  # fmt: skip
    return out.getvalue()


def previewable_quotes(session: Session, actor: Actor, consultation_id: int) -> list[Quote]:
    """Approved (or scheduled/published) quotes of quotable respondents, newest first."""
    require(actor, Permission.PREVIEW_CARDS)
    gate = ConsentGate.of(session)
    return list(session.scalars(
        select(Quote).join(Response, Response.id == Quote.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Respondent.consultation_id == consultation_id, Quote.status.in_(PREVIEWABLE))
        .where(gate.sql_filter())
        .order_by(Quote.id.desc())
    ))  # fmt: skip


def cards_of_quote(session: Session, actor: Actor, quote_id: int) -> list[Card]:
    require(actor, Permission.PREVIEW_CARDS)
    return list(session.scalars(select(Card).where(Card.quote_id == quote_id).order_by(Card.id)))


def update_brand(
    session: Session,
    actor: Actor,
    *,
    colours: dict[str, str] | None = None,
    logo: bytes | None = None,
    image: bytes | None = None,
) -> Brand:
    """Change the brand kit's colours, logo and/or Photo-template picture (admins);
    validated, contrast-checked, audited."""
    require(actor, Permission.MANAGE_BRAND)
    checked = validate_logo(logo) if logo is not None else None
    picture = validate_image(image) if image is not None else None
    brand = save_brand(colours=colours, logo=checked, image=picture)
    render.clear_caches()
    audit.record(session, actor, "brand.update", "brand", brand.fingerprint, {
        "colours": sorted(colours or {}), "logo_bytes": len(checked.png) if checked else None,
        "image_bytes": len(picture) if picture else None,
    })  # fmt: skip
    return brand


__all__ = [
    "FORMATS",
    "TEMPLATES",
    "cards_of_quote",
    "delete_cards_for_respondent",
    "export_zip",
    "preview_text_card",
    "previewable_quotes",
    "question_titles",
    "render_quote_card",
    "update_alt_text",
    "update_brand",
    "update_public_title",
]
