"""Posting a quote's audiogram (MP4) instead of its card: who may, and what gets attached.

The audiogram rule is `curation.media.audiogram.media_refusal` (media consent, named
respondent, a recorded answer): the same check the Preview page's button uses. The post
keeps the MP4's path in `media_path`; publishers tell video from image by the `.mp4` suffix.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.errors import ConsentError, UnusableInput

if TYPE_CHECKING:
    from curation.posts.service import QuoteContext

ALT_TEXT_LIMIT = 1000


def audiogram_format(card_format: str | None) -> str:
    """The audiogram frame for a card format: portrait stays portrait, the rest are square."""
    return "portrait" if card_format in ("portrait", "story") else "square"


def audiogram_refusal(session: Session, quote_id: int, network: str | None = None) -> str | None:
    """Why this quote cannot be posted as an audiogram (on `network`), or None."""
    from curation.media.audiogram import media_refusal

    refusal = media_refusal(session, quote_id)
    if refusal is not None:
        return refusal
    if network == "bluesky":
        from curation.publishers.bluesky import supports_video

        if not supports_video():
            return "this atproto version cannot post video to Bluesky; post the card instead"
    return None


def check_audiogram_allowed(session: Session, quote_id: int, network: str) -> None:
    """Raise a clear refusal unless the quote's audiogram may go out on `network`."""
    refusal = audiogram_refusal(session, quote_id, network)
    if refusal is None:
        return
    if refusal.startswith("this atproto"):
        raise UnusableInput(refusal)
    raise ConsentError(f"quote {quote_id} cannot be posted as an audiogram: {refusal}")


def audiogram_possible(session: Session, actor: Actor, quote_id: int) -> bool:
    """Whether the composer should offer the audiogram choice for this quote."""
    require(actor, Permission.COMPOSE_POSTS)
    return audiogram_refusal(session, quote_id) is None


def video_alt_text(ctx: QuoteContext, fmt: str) -> str:
    """Alt text for the audiogram: the exact words, the credit, and what the video shows."""
    shows = (
        f" A {fmt} video of the recorded answer: the spoken words with burned-in captions "
        "and a moving waveform over the quote card."
    )
    credit = f" — {ctx.attribution}." if ctx.attribution else "."
    room = ALT_TEXT_LIMIT - len(shows) - len(credit) - len("Audiogram: “”")
    quote = ctx.quote if len(ctx.quote) <= room else ctx.quote[: max(0, room - 1)].rstrip() + "…"
    return f"Audiogram: “{quote}”{credit}{shows}"[:ALT_TEXT_LIMIT]


def attach_audiogram(
    session: Session,
    actor: Actor,
    ctx: QuoteContext,
    card_format: str | None,
    *,
    now: datetime | None = None,
) -> tuple[str, str]:
    """The audiogram file to attach (made unless already there) and its alt text.

    An approved quote's words and time range no longer change, so an audiogram already
    made for it (e.g. on the Preview page) is reused; withdrawal deletes these files.
    """
    from curation.media.audiogram import audiogram_path, make_audiogram

    require(actor, Permission.SCHEDULE_POSTS)
    fmt = audiogram_format(card_format)
    path = audiogram_path(ctx.quote_id, fmt)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        make_audiogram(session, actor, ctx.quote_id, path, fmt=fmt, now=now)
    return str(path), video_alt_text(ctx, fmt)
