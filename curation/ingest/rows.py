"""One record of an export, read into a respondent's details, consent and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from curation.ingest.columns import Column, normalise_region
from curation.ingest.consent_columns import MEDIA_CONSENT, READING_ROLE_OF
from curation.ingest.dialects import Dialect, norm_header, parse_time
from curation.rights.readings import (
    YES,
    Reading,
    ReadingBook,
    ReadingRole,
    column_key,
    normalise_answer,
    weakest,
)
from curation.unicode_safety import strip_spoofing

# Consent answers repeat thousands of times in a file; normalise each distinct one once.
_normalised = lru_cache(maxsize=8192)(normalise_answer)
_region = lru_cache(maxsize=4096)(normalise_region)  # likewise the few region spellings


@dataclass
class ParsedRow:
    row: int
    source_id: str = ""
    submitted_raw: str = ""
    submitted_at: datetime | None = None
    fields: dict[str, object] = field(default_factory=dict)
    answers: list[tuple[int, str]] = field(default_factory=list)  # (question number, text)
    problems: list[str] = field(default_factory=list)  # reported, the row is still imported


def _short(value: str, limit: int = 40) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


class RowReader:
    """Reads records with a fixed column plan; built once per file."""

    def __init__(self, columns: list[Column], dialect: Dialect, book: ReadingBook) -> None:
        self.dialect = dialect
        self.book = book
        # (column index, reading role, header key, stored key) of every consent/naming column
        self.reading_columns = [
            (c.index, READING_ROLE_OF[c.role], norm_header(c.header),
             column_key(READING_ROLE_OF[c.role].value, norm_header(c.header)))
            for c in columns if c.role in READING_ROLE_OF
        ]  # fmt: skip
        self.media_columns = [c.index for c in columns if c.role == MEDIA_CONSENT]
        self.questions = [(c.index, c.question) for c in columns if c.role == "question"]
        by_role: dict[str, list[Column]] = {}
        for c in columns:
            by_role.setdefault(c.role, []).append(c)

        # A name question of the form's own beats the export's sign-in Name column.
        def own_first(cols: list[Column]) -> list[int]:
            return [c.index for c in sorted(cols, key=lambda c: c.how.endswith(" column"))]

        self.names = own_first(by_role.get("name", []))
        self.emails = own_first(by_role.get("email", []))
        self.single = {
            role: by_role[role][0].index
            for role in ("id", "submitted", "first_name", "last_name", "organisation", "sector",
                         "region")
            if by_role.get(role)
        }  # fmt: skip
        self.consent_index = next(
            (i for i, role, _, _ in self.reading_columns
             if role in (ReadingRole.CONSENT, ReadingRole.CONSENT_ANONYMOUS)), None,
        )  # fmt: skip
        # Every cell `_read_consent` looks at, and what it made of each combination seen.
        self._consent_cells = [i for i, _, _, _ in self.reading_columns] + self.media_columns
        self._consent_seen: dict[tuple[str, ...], dict[str, object]] = {}

    def _first(self, record: list[str], indexes: list[int]) -> str:
        for j in indexes:
            value = record[j].strip()
            if value and value.lower() not in self.dialect.placeholders:
                return value
        return ""

    def _get(self, record: list[str], role: str) -> str:
        j = self.single.get(role)
        return record[j] if j is not None else ""

    def read(self, record: list[str], row: int) -> ParsedRow:
        parsed = ParsedRow(row=row)
        parsed.source_id = self._get(record, "id").strip()
        parsed.submitted_raw = self._get(record, "submitted").strip()
        parsed.submitted_at = parse_time(parsed.submitted_raw, self.dialect)
        name = self._first(record, self.names)
        if not name:
            name = " ".join(
                p for p in (self._get(record, "first_name").strip(),
                            self._get(record, "last_name").strip()) if p
            )  # fmt: skip
        f = parsed.fields
        f["name"] = strip_spoofing(name).strip()[:200] or None
        f["email"] = self._first(record, self.emails)[:320] or None
        f["organisation"] = strip_spoofing(self._get(record, "organisation")).strip()[:300] or None
        f["sector"] = self._get(record, "sector").strip()[:120] or None
        region_raw = self._get(record, "region").strip()
        f["region"] = _region(region_raw) if region_raw else None
        if region_raw and f["region"] is None:
            parsed.problems.append(f"region '{_short(region_raw)}' is not a UK region; left blank")
        self._consent(record, parsed)
        for j, number in self.questions:
            text = record[j]
            if text.strip():
                parsed.answers.append((number, text))  # type: ignore[arg-type]
        return parsed

    def _consent(self, record: list[str], parsed: ParsedRow) -> None:
        """Each consent and naming answer read on its own; the most cautious reading wins.

        A reading depends only on the column and the answer, and a file has few distinct
        answers: each distinct combination of a row's consent cells is read once."""
        cells = tuple(record[i] for i in self._consent_cells)
        known = self._consent_seen.get(cells)
        if known is None:
            known = {}
            scratch = ParsedRow(row=parsed.row, fields=known)
            self._read_consent(record, scratch)
            if len(self._consent_seen) < 65536:
                self._consent_seen[cells] = known
        parsed.fields.update(known)
        parsed.fields["consent_answers"] = dict(known["consent_answers"])  # type: ignore[call-overload]

    def _read_consent(self, record: list[str], parsed: ParsedRow) -> None:
        f = parsed.fields
        answers: dict[str, str] = {}
        readings: list[Reading] = []
        has_consent = False
        for index, role, header, key in self.reading_columns:
            answer = _normalised(record[index])
            answers[key] = answer
            readings.append(self.book.read(header, role, answer).reading)
            has_consent = has_consent or role in (
                ReadingRole.CONSENT, ReadingRole.CONSENT_ANONYMOUS
            )  # fmt: skip
        reading = weakest(readings) if has_consent else Reading.NOT_QUOTABLE
        f["consent_answers"] = answers
        f["consent_reading"] = reading.value
        f["consent_to_quote"] = reading is not Reading.NOT_QUOTABLE
        f["anonymous"] = reading is Reading.ANONYMOUS or Reading.ANONYMOUS in readings
        raw = record[self.consent_index] if self.consent_index is not None else ""
        f["consent_raw"] = raw.strip()[:300] or None
        f["media_consent"] = bool(self.media_columns) and all(
            _normalised(record[j]) in YES for j in self.media_columns
        )
