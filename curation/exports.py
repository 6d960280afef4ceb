"""CSV exports that are safe to open in a spreadsheet.

Every CSV the product writes goes through `csv_text`, which neutralises cells a
spreadsheet would run as a formula (CSV injection): a leading apostrophe makes
them plain text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would treat it as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    # Leading whitespace does not stop some spreadsheets evaluating "  =1+1".
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """`rows` as CSV (header first), every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise_cell(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise_cell(row.get(c)) for c in columns])
    return out.getvalue()


AUDIT_COLUMNS = ("at", "actor", "role", "action", "target_type", "target_id", "change", "details")


def audit_csv(entries: Iterable[Any]) -> str:
    """The audit entries (`curation.audit.AuditRow`) as a neutralised CSV."""
    return csv_text((e.as_dict() for e in entries), AUDIT_COLUMNS)
