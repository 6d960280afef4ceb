"""Personal-data checks on quote text: contact details, places people can be found, names.

Detection is deliberately cautious (a finding only blocks approval until an approver
overrides it with a reason), but common place, month and policy words that are
capitalised in ordinary sentences ("Hull", "May", "Reading", "Levelling Up") are not names.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import regex

from curation.quotes.vocabulary import NOT_NAMES, RELATION_WORDS, TITLES


@dataclass(frozen=True)
class Finding:
    """One thing that looks like personal data, at `span` (start, end) of the checked text."""

    kind: str  # email | url | handle | phone | postcode | own_name | name
    span: tuple[int, int]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        start, end = self.span
        return {"kind": self.kind, "start": start, "end": end, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(data["kind"], (int(data["start"]), int(data["end"])), data["reason"])


_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", regex.UNICODE)
_URL = regex.compile(
    r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|info|io|co\.uk|org\.uk|gov\.uk|"
    r"ac\.uk|nhs\.uk|uk|wales|scot|cymru)\b(?:/[^\s<>\"']*)?",
    regex.IGNORECASE,
)
_HANDLE = regex.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
# Candidates for UK phone numbers; the digit count decides (10 or 11 once +44 becomes 0).
_PHONE = regex.compile(
    r"(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)\d{1,4}\)?(?:[\s-]?\d{2,4}){1,3}(?!\d)"
)
# The real shape of a UK postcode (outward code, space optional, inward code).
_POSTCODE = regex.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRVWXY])"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b",
    regex.IGNORECASE,
)
_CAP_WORD = regex.compile(r"\b[A-Z][a-z]+(?:['’-][A-Za-z]+)*\b")
_TITLED = regex.compile(
    rf"\b(?:{'|'.join(TITLES)})\.?\s+[A-Z][a-z]+(?:['’-][A-Za-z]+)*(?:\s+[A-Z][a-z]+(?:['’-][A-Za-z]+)*)?"
)
_RELATION = regex.compile(
    rf"\b[Mm]y\s+(?:{'|'.join(RELATION_WORDS)}),?\s+([A-Z][a-z]+(?:['’-][A-Za-z]+)*)"
)
_TRAILING = ".,;:!?)]}'\"’”"


def _strip_trailing(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return start, end


def _contacts(text: str) -> list[Finding]:
    found = [
        Finding("email", m.span(), "looks like an email address") for m in _EMAIL.finditer(text)
    ]
    for m in _URL.finditer(text):
        found.append(Finding("url", _strip_trailing(text, *m.span()), "looks like a web address"))
    found += [
        Finding("handle", m.span(), "looks like a social media handle")
        for m in _HANDLE.finditer(text)
    ]
    for m in _PHONE.finditer(text):
        if _is_uk_phone(m.group()):
            found.append(Finding("phone", m.span(), "looks like a UK phone number"))
    found += [
        Finding("postcode", m.span(), "looks like a UK postcode") for m in _POSTCODE.finditer(text)
    ]
    return found


def _is_uk_phone(candidate: str) -> bool:
    digits = regex.sub(r"\D", "", candidate)
    if candidate.startswith("+44"):
        digits = digits[2:]
        if not digits.startswith("0"):
            digits = "0" + digits
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] in "1235789"


def _own_name(text: str, respondent_name: str | None) -> list[Finding]:
    parts = {p for p in regex.findall(r"\p{L}[\p{L}'’-]*", respondent_name or "") if len(p) >= 3}
    found: list[Finding] = []
    for part in sorted(parts, key=len, reverse=True):
        pattern = rf"(?<![\p{{L}}\d]){regex.escape(part)}(?![\p{{L}}\d])"
        for m in regex.finditer(pattern, text, regex.IGNORECASE):
            found.append(Finding("own_name", m.span(), "the respondent's own name"))
    return found


def _sentence_starts(text: str) -> set[int]:
    starts = {0}
    for m in regex.finditer(r"(?:[.!?…:;]\s+|\n\s*|[\"“‘(]\s*)", text):
        starts.add(m.end())
    # a leading ellipsis joiner also starts a fresh fragment
    for m in regex.finditer(r" … ", text):
        starts.add(m.end())
    return starts


def _known(word: str) -> bool:
    return word.lower().rstrip("'’s") in NOT_NAMES or word.lower() in NOT_NAMES


def _names(text: str) -> list[Finding]:
    found = [
        Finding("name", m.span(), "a title followed by a name") for m in _TITLED.finditer(text)
    ]
    found += [
        Finding("name", m.span(1), "a name after 'my …'")
        for m in _RELATION.finditer(text)
        if not _known(m.group(1))
    ]
    starts = _sentence_starts(text)
    words = [m for m in _CAP_WORD.finditer(text) if m.start() not in starts]
    for first, second in itertools.pairwise(words):
        gap = text[first.end() : second.start()]
        if gap != " " or _known(first.group()) or _known(second.group()):
            continue
        span = (first.start(), second.end())
        found.append(Finding("name", span, "two capitalised words, like a name"))
    return found


def _drop_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the first finding (in priority order) wherever two overlap."""
    kept: list[Finding] = []
    for f in findings:
        if all(f.span[1] <= k.span[0] or f.span[0] >= k.span[1] for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: (f.span, f.kind))


def find_personal_data(text: str, *, respondent_name: str | None = None) -> list[Finding]:
    """Everything in `text` that looks like personal data, in text order."""
    return _drop_overlaps(_contacts(text) + _own_name(text, respondent_name) + _names(text))
