"""A TOML mapping file for exports no dialect recognises.

    # which row(s) are headers (default 1)
    header_rows = 1
    [columns]
    "Ref no" = "id"
    "Date received" = "submitted"
    "Full name" = "name"
    "Org" = "organisation"
    "Can we quote you?" = "consent"          # yes = quotable
    "Use my name?" = "name_permission"       # yes = named, no = anonymous
    "Stay anonymous?" = "anonymity"          # yes = anonymous, no = named
    "Answer A" = "question 1"      # or "q1" or "1"
    "Notes" = "ignore"

Columns it does not name are still detected automatically.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import regex

from curation.errors import UnusableInput
from curation.ingest.consent_columns import CONSENT_ROLES

ROLES = (
    "id", "submitted", "name", "first_name", "last_name", "email", "organisation", "sector",
    "region", *CONSENT_ROLES, "ignore",
)  # fmt: skip
# Older names of roles, still accepted.
_ALIASES = {
    "organization": "organisation", "timestamp": "submitted", "skip": "ignore",
    "anonymous": "anonymity", "stay_anonymous": "anonymity", "use_name": "name_permission",
    "quote_consent": "consent",
}  # fmt: skip
MAX_MAPPING_BYTES = 200_000


@dataclass(frozen=True)
class Mapping:
    name: str
    header_rows: int = 1
    columns: dict[str, str] = field(default_factory=dict)  # header -> role or "question N"


def parse_role(value: object, header: str, label: str) -> str:
    """A role as written in a mapping file or `--column`: "question N" or one of ROLES."""
    return _role(value, header, label)


def _role(value: object, header: str, label: str) -> str:
    text = str(value).strip().lower().replace("-", "_")
    m = regex.fullmatch(r"(?:question\s*|q)?(\d{1,3})", text)
    if m:
        return f"question {int(m.group(1))}"
    text = _ALIASES.get(text, text)
    if text not in ROLES:
        raise UnusableInput(
            f"{label}: column '{header}' has an unknown role '{value}' "
            f"(use 'question N' or one of {', '.join(ROLES)})"
        )
    return text


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file; `UnusableInput` names the file and the problem."""
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise UnusableInput(f"{label}: no such mapping file")
    if path.stat().st_size > MAX_MAPPING_BYTES:
        raise UnusableInput(f"{label}: mapping file larger than {MAX_MAPPING_BYTES:,} bytes")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UnusableInput(f"{label}: not a valid UTF-8 TOML mapping file ({exc})") from exc
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise UnusableInput(f"{label}: the mapping needs a [columns] table")
    header_rows = data.get("header_rows", 1)
    if header_rows not in (1, 2):
        raise UnusableInput(f"{label}: header_rows must be 1 or 2")
    return Mapping(
        name=label,
        header_rows=header_rows,
        columns={str(h): _role(v, str(h), label) for h, v in columns.items()},
    )
