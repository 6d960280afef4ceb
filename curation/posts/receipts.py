"""Receipts: what each network call of a post sent and what the network answered.

A receipt holds the request (post text, reply text, media file and alt text, plus what the
publisher adds: media ids, reply-to id) and the response id and URL; a take-down holds the
network's answer. Tokens and secrets never get in: keys that look like credentials are
dropped before anything is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.publishers.base import Outgoing, Result
from curation.store.base import utcnow
from curation.store.posts import PostReceipt

_SECRET_WORDS = ("token", "secret", "password", "authorization", "cookie", "jwt", "key")
_KEPT_KEYS = ("idempotency_key",)  # a request id, not a credential
MAX_VALUE_CHARS = 4000


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    return lowered not in _KEPT_KEYS and any(word in lowered for word in _SECRET_WORDS)


def scrub(value: Any) -> Any:
    """`value` with every credential-looking key removed, as JSON-safe values."""
    if isinstance(value, Mapping):
        return {str(k): scrub(v) for k, v in value.items() if not _looks_secret(str(k))}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_VALUE_CHARS]


def request_of(post: Outgoing, result: Result | None = None) -> dict[str, Any]:
    """The request a post's send carried: its texts and media, and the publisher's extras."""
    request: dict[str, Any] = {
        "text": post.text,
        "reply_text": post.reply_text,
        "idempotency_key": post.idempotency_key,
    }
    if post.media_path:
        request["media"] = {"file": Path(post.media_path).name, "alt_text": post.alt_text}
    if result is not None:
        if result.reply_remote_id:
            request["reply_to"] = result.remote_id
        request.update(result.receipt or {})
    return scrub(request)


def new_receipt(
    post_id: int,
    network: str,
    kind: str,
    request: Mapping[str, Any],
    *,
    response_id: str | None = None,
    response_url: str | None = None,
    answer: str | None = None,
    now: datetime | None = None,
) -> PostReceipt:
    """A receipt row, for the caller to add in the transaction that records the outcome."""
    return PostReceipt(
        post_id=post_id,
        network=network,
        kind=kind,
        request=scrub(dict(request)),
        response_id=response_id,
        response_url=response_url,
        answer=answer,
        created_at=now or utcnow(),
    )


def receipt_row(receipt: PostReceipt) -> dict[str, Any]:
    return {
        "at": receipt.created_at.isoformat(),
        "network": receipt.network,
        "kind": receipt.kind,
        "request": receipt.request,
        "response_id": receipt.response_id,
        "response_url": receipt.response_url,
        "answer": receipt.answer,
    }


def receipts_for(session: Session, actor: Actor, post_id: int) -> list[dict[str, Any]]:
    """A post's receipts, oldest first."""
    require(actor, Permission.SCHEDULE_POSTS)
    rows = session.scalars(
        select(PostReceipt)
        .where(PostReceipt.post_id == post_id)
        .order_by(PostReceipt.created_at, PostReceipt.id)
    )
    return [receipt_row(r) for r in rows]
