"""Stable respondent keys from the source's own ids, and the pseudonym left after erasure."""

from __future__ import annotations

import hashlib

MAX_KEY_CHARS = 200


def pseudonym(consultation_id: int, source_key: str) -> str:
    """The `ErasureRecord.pseudonym` for a respondent: sha256 of consultation id and source key.

    Erasure stores this so a re-import of the same file does not bring the person back,
    without keeping anything that identifies them.
    """
    return hashlib.sha256(f"{consultation_id}:{source_key}".encode()).hexdigest()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def source_key(dialect: str, *, source_id: str, submitted: str, email: str, row: int) -> str:
    """The key a respondent is found by on re-import.

    The source's own respondent/response id when there is one; else a hash of the
    submission time and email (Google Forms); else the row number, which holds only
    as long as the file keeps its order.
    """
    if source_id.strip():
        key = f"{dialect}:id:{source_id.strip()}"
        return key if len(key) <= MAX_KEY_CHARS else f"{dialect}:idh:{_digest(source_id.strip())}"
    if submitted.strip() or email.strip():
        return f"{dialect}:ts:{_digest(submitted.strip(), email.strip().lower())}"
    return f"{dialect}:row:{row}"
