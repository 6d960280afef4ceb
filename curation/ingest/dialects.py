"""Form-export dialects: recognised by the shape of their header rows.

A dialect says how many header rows there are, which columns carry the source's
own ids and submission time, and which metadata columns to ignore.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import regex

from curation.errors import UnusableInput
from curation.rights.readings import normalise_header

LONDON = ZoneInfo("Europe/London")
DIALECT_NAMES = ("google-forms", "microsoft-forms", "surveymonkey", "typeform", "generic")


def norm_header(text: str) -> str:
    """A header for comparison (the same key confirmed readings are saved under)."""
    return normalise_header(text)


@dataclass(frozen=True)
class Dialect:
    name: str
    header_rows: int = 1
    # Normalised header -> role, for the dialect's own metadata columns.
    meta: dict[str, str] = field(default_factory=dict)
    # Values in the metadata name/email columns that mean "not known" (Microsoft Forms).
    placeholders: frozenset[str] = frozenset()
    # strptime formats for the submission time, tried in order; naive times are in `zone`.
    time_formats: tuple[str, ...] = ()
    zone: ZoneInfo | None = LONDON


_ISO = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")

GOOGLE = Dialect(
    "google-forms",
    meta={"timestamp": "submitted", "email address": "email", "score": "ignore"},
    time_formats=("%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", *_ISO),
)
MICROSOFT = Dialect(
    "microsoft-forms",
    meta={
        "id": "id",
        "start time": "ignore",
        "completion time": "submitted",
        "email": "email",
        "name": "name",
        "last modified time": "ignore",
        "total points": "ignore",
        "quiz feedback": "ignore",
    },
    placeholders=frozenset({"anonymous", "anon", "anonymous user"}),
    time_formats=(*_ISO, "%m/%d/%y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"),
)
SURVEYMONKEY = Dialect(
    "surveymonkey",
    header_rows=2,
    meta={
        "respondent id": "id",
        "collector id": "ignore",
        "start date": "ignore",
        "end date": "submitted",
        "ip address": "ignore",
        "email address": "email",
        "first name": "first_name",
        "last name": "last_name",
        "custom data 1": "ignore",
        "custom data": "ignore",
    },
    time_formats=("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", *_ISO),
)
TYPEFORM = Dialect(
    "typeform",
    meta={
        "#": "id",
        "response type": "ignore",
        "start date (utc)": "ignore",
        "stage date (utc)": "ignore",
        "submit date (utc)": "submitted",
        "network id": "ignore",
        "tags": "ignore",
        "ending": "ignore",
    },
    time_formats=_ISO,
    zone=ZoneInfo("UTC"),
)
GENERIC = Dialect(
    "generic", time_formats=(*_ISO, "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
)

DIALECTS = {d.name: d for d in (GOOGLE, MICROSOFT, SURVEYMONKEY, TYPEFORM, GENERIC)}


def detect(records: list[list[str]]) -> Dialect:
    """The dialect whose header shape the first row(s) match; generic otherwise."""
    header = [norm_header(h) for h in records[0]]
    names = set(header)
    if {"respondent id", "collector id"} <= names and len(records) > 1:
        return SURVEYMONKEY
    if header[:3] == ["id", "start time", "completion time"]:
        return MICROSOFT
    if header and header[0] == "#" and names & {"submit date (utc)", "network id"}:
        return TYPEFORM
    if header and header[0] == "timestamp":
        return GOOGLE
    return GENERIC


def by_name(name: str, records: list[list[str]], label: str) -> Dialect:
    """The named dialect ("auto" detects it); refuses names it does not know."""
    if name == "auto":
        return detect(records)
    if name not in DIALECTS:
        raise UnusableInput(
            f"{label}: unknown dialect '{name}' (choose auto, {', '.join(DIALECT_NAMES)})"
        )
    return DIALECTS[name]


_ZONE_SUFFIX = regex.compile(r"\s+(GMT|UTC|BST)([+-]\d{1,2})?$")
_GOOGLE_TIME = regex.compile(
    r"(\d{4})/(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})(?: ([AaPp][Mm]))?"
)


def _google_time(text: str) -> datetime | None:
    """Google's "2022/02/17 9:41:05 PM" without strptime (which is slow at 50,000 rows)."""
    m = _GOOGLE_TIME.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    half = (m.group(7) or "").upper()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "PM" else 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _iso_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _formatted_time(text: str, dialect: Dialect) -> datetime | None:
    for fmt in dialect.time_formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_time(value: str, dialect: Dialect) -> datetime | None:
    """A submission time in UTC, or None when the text is not a time we recognise."""
    text = value.strip()
    if not text:
        return None
    zone = dialect.zone
    # Google writes "2022/02/17 10:15:32 AM GMT" or "... GMT+1"; the suffix is the offset.
    m = _ZONE_SUFFIX.search(text)
    if m:
        text = text[: m.start()]
        hours = int(m.group(2) or 0) + (1 if m.group(1) == "BST" else 0)
        zone = None
        fixed = timezone(timedelta(hours=hours))
    else:
        fixed = None
    parsed = _google_time(text) or _iso_time(text) or _formatted_time(text, dialect)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=fixed or zone or UTC)
    return parsed.astimezone(UTC)
