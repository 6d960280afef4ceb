"""Posts published by hand: download an outbox post's pack, then record where it went out.

An outbox post is "ready to post by hand" once its pack is written. A person posts it
(LinkedIn, Instagram, any network) and marks it posted with the real URL; only then is
it "posted by hand" (audited, with a receipt). Consent is checked again at that moment.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import WORKER, Actor, Permission, require
from curation.errors import ConsentError, UnusableInput, WorkflowError
from curation.posts.claims import outgoing
from curation.posts.receipts import new_receipt
from curation.posts.service import get_post
from curation.publishers.base import Media
from curation.publishers.outbox import pack_zip
from curation.rights.gate import ConsentGate
from curation.store.base import utcnow
from curation.store.posts import Post, PostStatus


def _media(post: Post) -> Media | None:
    if not post.media_path or not Path(post.media_path).is_file():
        return None
    path = Path(post.media_path)
    video = path.suffix.lower() == ".mp4"
    mime = "video/mp4" if video else f"image/{path.suffix.lstrip('.').lower() or 'png'}"
    return Media(path=path, alt_text=post.alt_text or "", mime_type=mime.replace("jpg", "jpeg"))


def _check_quotable(session: Session, post: Post) -> None:
    from curation.store.quotes import Quote

    quote = session.get(Quote, post.quote_id)
    if quote is None or not ConsentGate.of(session).may_post(quote.response.respondent):
        raise ConsentError(f"post {post.id}: the respondent may no longer be quoted")


def pack_for(session: Session, actor: Actor, post_id: int) -> bytes:
    """The zip to post by hand: the card PNG (or video), alt text, post text and manifest."""
    require(actor, Permission.SCHEDULE_POSTS)
    post = get_post(session, post_id)
    if post.status != PostStatus.READY_BY_HAND.value:
        raise WorkflowError(f"post {post_id} is {post.status}; only packs ready by hand download")
    _check_quotable(session, post)
    return pack_zip(outgoing(post), _media(post))


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or len(url) > 1000:
        raise UnusableInput("give the post's public https:// address")
    return url


def mark_posted(
    session: Session, actor: Actor, post_id: int, url: str, *, now: datetime | None = None
) -> Post:
    """Record that a person posted this pack at `url` (https only); audited, idempotent."""
    require(actor, Permission.SCHEDULE_POSTS)
    now = now or utcnow()
    url = _check_url(url)
    post = get_post(session, post_id)
    if post.status == PostStatus.POSTED_BY_HAND.value and post.remote_url == url:
        return post
    if post.status != PostStatus.READY_BY_HAND.value:
        raise WorkflowError(
            f"post {post_id} is {post.status}; only a post ready by hand can be marked posted"
        )
    _check_quotable(session, post)
    post.status = PostStatus.POSTED_BY_HAND.value
    post.remote_url = url
    post.posted_at = now
    post.last_error = None
    post.updated_at = now
    session.add(
        new_receipt(
            post.id, post.network, "by_hand", {"marked_by": actor.name}, response_url=url, now=now
        )
    )
    audit.record(
        session, actor, "post.mark_posted", "post", post.id, {"url": url, "network": post.network}
    )
    _mark_quote_published(session, post.quote_id, now)
    return post


def _mark_quote_published(session: Session, quote_id: int, now: datetime) -> None:
    from curation.quotes import workflow
    from curation.store.quotes import Quote

    quote = session.get(Quote, quote_id)
    if quote is not None and quote.status in ("approved", "scheduled"):
        workflow.mark_published(session, WORKER, quote_id, now=now)
