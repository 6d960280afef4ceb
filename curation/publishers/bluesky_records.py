"""Bluesky post records: the fixed record key, facets and the lexicon's text limits.

Facets come from the SDK's detection (`client_utils.detect_facets`: links and #tags, the
port of @atproto/api's detectFacets) plus @mentions resolved to DIDs; their offsets are
UTF-8 byte offsets (lexicons/app/bsky/richtext/facet.json). Text limits are
lexicons/app/bsky/feed/post.json's (300 graphemes, 3000 bytes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import regex
from atproto import client_utils, models

from curation.publishers.bluesky_media import ALT_MAX_GRAPHEMES

COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES, MAX_BYTES = 300, 3000  # lexicons/app/bsky/feed/post.json: text
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def record_key(idempotency_key: str, micros: int, *, reply: bool = False) -> str:
    """A valid TID (13 base32-sortable characters) fixed by the post's key and creation time."""
    clock = int(hashlib.sha256(idempotency_key.encode()).hexdigest(), 16) % 1024
    value = ((micros + (1 if reply else 0)) & ((1 << 53) - 1)) << 10 | clock
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def rich_text(text: str, resolve: Callable[[str], str | None] | None = None) -> list[Any]:
    """Facets for links, #tags and @mentions (those `resolve` turns into a DID)."""
    facets: list[Any] = list(client_utils.detect_facets(text))
    for mention in client_utils.detect_mentions(text) if resolve is not None else []:
        did = resolve(mention.handle) if resolve is not None else None
        if did:
            facets.append(
                models.AppBskyRichtextFacet.Main(
                    features=[models.AppBskyRichtextFacet.Mention(did=did)],
                    index=models.AppBskyRichtextFacet.ByteSlice(
                        byte_start=mention.byte_start, byte_end=mention.byte_end
                    ),
                )
            )
    return sorted(facets, key=lambda facet: facet.index.byte_start)


def graphemes(text: str) -> list[str]:
    return list(regex.findall(r"\X", text))


def alt_text(text: str | None) -> str:
    """Alt text within Bluesky's limit (cut at a grapheme, marked with an ellipsis)."""
    parts = graphemes(text or "")
    if len(parts) <= ALT_MAX_GRAPHEMES:
        return text or ""
    return "".join(parts[: ALT_MAX_GRAPHEMES - 1]) + "…"


def blob_facts(blob: Any) -> dict[str, object]:
    """What a receipt keeps of a blob ref: its CID, type and size."""
    return {"cid": str(getattr(blob.ref, "link", blob.ref)), "mimeType": blob.mime_type,
            "size": blob.size}  # fmt: skip
