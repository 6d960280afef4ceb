"""Import X analytics CSV exports, for accounts whose API access cannot read metrics.

Both the classic export ("Tweet id", "impressions", "url clicks", ...) and the newer
one ("Post id", "Impressions", "URL Clicks", ...) are read; headers are matched
without regard to case. Rows are matched to our X posts by remote id (or the id at
the end of the permalink). Rows about other tweets of the account are counted, not
errors. A file with any unusable row is refused whole, naming the rows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.errors import UnusableInput
from curation.store.base import utcnow
from curation.store.metrics import COUNTERS, MetricSnapshot
from curation.store.posts import Post

MAX_BYTES = 20 * 1024 * 1024
ID_HEADERS = ("tweet id", "post id", "id")
LINK_HEADERS = ("tweet permalink", "post link", "permalink")
# Our counter -> the headers X has used for it, in order of preference.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "impressions": ("impressions",),
    "engagements": ("engagements",),
    "likes": ("likes",),
    "reposts": ("retweets", "reposts", "shares"),
    "replies": ("replies",),
    "quotes": ("quotes", "quote tweets"),
    "bookmarks": ("bookmarks",),
    "link_clicks": ("url clicks", "link clicks"),
    "profile_clicks": ("user profile clicks", "profile visits", "profile clicks"),
}
_STATUS_ID = re.compile(r"/status(?:es)?/(\d+)")


@dataclass
class CsvImportReport:
    rows: int = 0
    stored: int = 0
    unmatched: int = 0  # rows about tweets that are not posts of ours
    errors: list[str] = field(default_factory=list)


def _number(text: str) -> int | None:
    cleaned = text.strip().replace(",", "").replace("\u00a0", "")
    if cleaned in ("", "-"):
        return None
    value = float(cleaned)  # exports sometimes write "12.0"
    if value < 0 or value != int(value):
        raise ValueError(text)
    return int(value)


def _find(headers: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((headers[n] for n in names if n in headers), None)


def parse_x_csv(data: bytes) -> tuple[list[tuple[int, str, dict[str, int | None]]], list[str]]:
    """[(row number, tweet id, counters)] and a list of row errors."""
    if len(data) > MAX_BYTES:
        raise UnusableInput(f"file is {len(data)} bytes; the limit is {MAX_BYTES}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"not UTF-8 text (byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in (reader.fieldnames or []) if h}
    id_col, link_col = _find(headers, ID_HEADERS), _find(headers, LINK_HEADERS)
    if id_col is None and link_col is None:
        raise UnusableInput("not an X analytics export: no 'Tweet id' or 'Tweet permalink' column")
    columns = {c: _find(headers, aliases) for c, aliases in COLUMN_ALIASES.items()}
    if not any(columns.values()):
        raise UnusableInput("not an X analytics export: no metric columns (impressions, likes…)")
    rows, errors = [], []
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        tweet_id = (row.get(id_col) or "").strip() if id_col else ""
        if not tweet_id and link_col and (m := _STATUS_ID.search(row.get(link_col) or "")):
            tweet_id = m.group(1)
        if not tweet_id.isdigit():
            errors.append(f"row {number}: no usable tweet id ({tweet_id[:30]!r})")
            continue
        counters: dict[str, int | None] = {}
        for counter, header in columns.items():
            raw = (row.get(header) or "") if header else ""
            try:
                counters[counter] = _number(raw)
            except ValueError:
                errors.append(f"row {number}: {header} is not a count ({raw[:20]!r})")
        rows.append((number, tweet_id, counters))
    return rows, errors


def import_x_csv(
    session: Session, actor: Actor, path: Path, *, now: datetime | None = None
) -> CsvImportReport:
    """Store one `csv` snapshot per matched row; refuse the whole file if any row is unusable."""
    require(actor, Permission.SYNC_METRICS)
    now = now or utcnow()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnusableInput(f"cannot read {path.name}: {exc.strerror}") from exc
    rows, errors = parse_x_csv(data)
    if errors:
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise UnusableInput(f"{path.name}: {'; '.join(errors[:5])}{more}; nothing imported")
    ours = dict(
        session.execute(
            select(Post.remote_id, Post.id).where(Post.network == "x", Post.remote_id.is_not(None))
        ).all()
    )
    report = CsvImportReport(rows=len(rows))
    for _row, tweet_id, counters in rows:
        post_id = ours.get(tweet_id)
        if post_id is None:
            report.unmatched += 1
            continue
        session.add(
            MetricSnapshot(
                post_id=post_id,
                taken_at=now,
                source="csv",
                is_demo=False,
                **{c: counters.get(c) for c in COUNTERS},
            )
        )
        report.stored += 1
    audit.record(
        session,
        actor,
        "metrics.import_x_csv",
        "file",
        path.name,
        {"rows": report.rows, "stored": report.stored, "unmatched": report.unmatched},
        now=now,
    )
    return report
