"""The readings table of a file: each distinct consent or naming answer, how often, and how
it reads; and the message that stops an import over an uncertain column."""

from __future__ import annotations

from collections import Counter
from typing import Any

from curation.ingest.columns import Column
from curation.ingest.consent_columns import READING_ROLE_OF, ROLE_HELP
from curation.ingest.dialects import norm_header
from curation.ingest.report import Plan
from curation.rights.readings import BLANK, ReadingBook, normalise_answer

SETTLE_ROLES = (*ROLE_HELP, "ignore")


def answer_table(plan: Plan, book: ReadingBook) -> list[dict[str, Any]]:
    """Rows of (column, header, role, answer, count, reading, source, why, needs_reading)."""
    rows: list[dict[str, Any]] = []
    records = plan.table.records[plan.data_start :]
    for column in plan.columns:
        role = READING_ROLE_OF.get(column.role)
        if role is None:
            continue
        raw = Counter(
            record[column.index] if column.index < len(record) else ""
            for record in records
            if any(cell.strip() for cell in record)
        )
        counts: Counter[str] = Counter()
        for value, n in raw.items():  # each distinct cell normalised once
            counts[normalise_answer(value)] += n
        header = norm_header(column.header)
        for answer, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            proposal = book.read(header, role, answer)
            rows.append({
                "column": column.index + 1, "header": column.header, "role": column.role,
                "answer": answer or BLANK, "count": count, "reading": proposal.reading.value,
                "source": proposal.source.value, "why": proposal.why,
                "needs_reading": proposal.needs_confirmation,
            })  # fmt: skip
    return rows


def uncertain_message(file: str, columns: list[Column]) -> str:
    """One line naming the first uncertain column and how to settle it."""
    first = columns[0]
    more = f" (and {len(columns) - 1} more)" if len(columns) > 1 else ""
    return (
        f"{file}: column {first.index + 1} '{first.header[:80]}' may be a consent or naming "
        f"question ({first.how.removeprefix('by header: ')}){more}; say what it asks with "
        f'--column "{first.header[:80]}=ROLE" (ROLE: {", ".join(SETTLE_ROLES)}) '
        "or in a mapping file"
    )
