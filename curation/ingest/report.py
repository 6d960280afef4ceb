"""What an import did, and how a file will be read (its plan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curation.ingest.columns import Column
from curation.ingest.dialects import Dialect
from curation.ingest.mapping import Mapping
from curation.ingest.readers import RawTable


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    dialect: str
    file: str = ""
    format: str = ""
    encoding: str | None = None
    dry_run: bool = False
    batch_id: int | None = None
    rows: int = 0
    respondents_created: int = 0
    respondents_updated: int = 0
    respondents_unchanged: int = 0
    responses_created: int = 0
    responses_updated: int = 0
    responses_unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    # One row per distinct answer of each consent or naming column (see answer_table).
    readings: list[dict[str, Any]] = field(default_factory=list)
    consent_lost: list[int] = field(default_factory=list)  # respondent ids
    consent_lost_steps: dict[str, int] = field(default_factory=dict)

    @property
    def needs_reading(self) -> list[dict[str, Any]]:
        return [r for r in self.readings if r["needs_reading"]]

    @property
    def changed(self) -> bool:
        return bool(
            self.respondents_created or self.respondents_updated
            or self.responses_created or self.responses_updated
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "dialect": self.dialect,
            "rows": self.rows,
            "respondents_created": self.respondents_created,
            "respondents_updated": self.respondents_updated,
            "responses_created": self.responses_created,
            "responses_unchanged": self.responses_unchanged,
            "skipped": list(self.skipped),
            "errors": list(self.errors),
            "responses_updated": self.responses_updated,
            "respondents_unchanged": self.respondents_unchanged,
            "changed": self.changed,
            "dry_run": self.dry_run,
            "batch_id": self.batch_id,
            "file": self.file,
            "format": self.format,
            "encoding": self.encoding,
            "warnings": list(self.warnings),
            "columns": list(self.columns),
            "unmatched": list(self.unmatched),
            "readings": list(self.readings),
            "needs_reading": len(self.needs_reading),
            "consent_lost": list(self.consent_lost),
            "consent_lost_steps": dict(self.consent_lost_steps),
        }


@dataclass
class Plan:
    """How a file will be read: its records, dialect and the role of every column."""

    table: RawTable
    dialect: Dialect
    columns: list[Column]
    warnings: list[str]
    mapping: Mapping | None = None

    @property
    def data_start(self) -> int:
        return 1 if self.table.synthetic_header else self.dialect.header_rows

    @property
    def total_rows(self) -> int:
        return max(0, len(self.table.records) - self.data_start)
