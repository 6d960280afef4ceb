"""One record of an export, read into a respondent's details, consent and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from curation.consent import ConsentAnswer, parse_anonymous, parse_combined, parse_yes_no
from curation.ingest.columns import Column, normalise_region
from curation.ingest.dialects import Dialect, parse_time

# Consent answers repeat thousands of times in a file; parse each distinct one once.
_combined = lru_cache(maxsize=4096)(parse_combined)
_anonymous = lru_cache(maxsize=4096)(parse_anonymous)
_yes_no = lru_cache(maxsize=4096)(parse_yes_no)


@dataclass
class ParsedRow:
    row: int
    source_id: str = ""
    submitted_raw: str = ""
    submitted_at: datetime | None = None
    fields: dict[str, object] = field(default_factory=dict)
    answers: list[tuple[int, str]] = field(default_factory=list)  # (question number, text)
    problems: list[str] = field(default_factory=list)  # reported, the row is still imported
    combined_consent: bool = False


def _short(value: str, limit: int = 40) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


class RowReader:
    """Reads records with a fixed column plan; built once per file."""

    def __init__(self, columns: list[Column], dialect: Dialect) -> None:
        self.dialect = dialect
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
                         "region", "consent", "anonymous", "media_consent")
            if by_role.get(role)
        }  # fmt: skip
        self.has_consent = "consent" in self.single

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
        f["name"] = name[:200] or None
        f["email"] = self._first(record, self.emails)[:320] or None
        f["organisation"] = self._get(record, "organisation").strip()[:300] or None
        f["sector"] = self._get(record, "sector").strip()[:120] or None
        region_raw = self._get(record, "region").strip()
        f["region"] = normalise_region(region_raw) if region_raw else None
        if region_raw and f["region"] is None:
            parsed.problems.append(f"region '{_short(region_raw)}' is not a UK region; left blank")
        self._consent(record, parsed)
        for j, number in self.questions:
            text = record[j]
            if text.strip():
                parsed.answers.append((number, text))  # type: ignore[arg-type]
        return parsed

    def _consent(self, record: list[str], parsed: ParsedRow) -> None:
        f = parsed.fields
        raw = self._get(record, "consent")
        answer: ConsentAnswer = _combined(raw)
        if answer.ambiguous:
            parsed.problems.append(f"consent answer '{_short(raw)}' is ambiguous; treated as no")
        parsed.combined_consent = answer.anonymous is not None
        f["consent_to_quote"] = answer.quote
        f["consent_raw"] = raw.strip()[:300] or None
        anonymous = bool(answer.anonymous)
        if "anonymous" in self.single:
            anon_raw = self._get(record, "anonymous")
            said = _anonymous(anon_raw)
            if said is None:
                parsed.problems.append(
                    f"anonymity answer '{_short(anon_raw)}' is ambiguous; treated as anonymous"
                )
                said = True
            anonymous = anonymous or said
        f["anonymous"] = anonymous
        media = False
        if "media_consent" in self.single:
            media_raw = self._get(record, "media_consent")
            said_media = _yes_no(media_raw)
            if said_media is None:
                parsed.problems.append(
                    f"media consent answer '{_short(media_raw)}' is ambiguous; treated as no"
                )
            media = bool(said_media)
        f["media_consent"] = media
