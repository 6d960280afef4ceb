"""What people settled for a consultation: column roles and answer readings, saved and reused."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.errors import UnusableInput
from curation.ingest.dialects import norm_header
from curation.rights.reading_store import Confirmation
from curation.rights.readings import Reading
from curation.store.consent import ColumnRoleChoice

MAX_READINGS_BYTES = 500_000
_READING_WORDS = {
    "named": Reading.NAMED, "name": Reading.NAMED,
    "anonymous": Reading.ANONYMOUS, "anon": Reading.ANONYMOUS,
    "not quotable": Reading.NOT_QUOTABLE, "not_quotable": Reading.NOT_QUOTABLE,
    "no": Reading.NOT_QUOTABLE, "not-quotable": Reading.NOT_QUOTABLE,
}  # fmt: skip


def parse_reading(value: object, where: str) -> Reading:
    """ "named", "anonymous" or "not quotable" (a few spellings); UnusableInput otherwise."""
    word = str(value).strip().lower()
    if word not in _READING_WORDS:
        raise UnusableInput(f"{where}: unknown reading '{value}' (use named, anonymous or "
                            "not quotable)")  # fmt: skip
    return _READING_WORDS[word]


def load_readings_file(path: Path | str) -> list[Confirmation]:
    """A readings file: TOML `["Header"] "answer" = "reading"`, or the JSON `readings` list
    that `curation import --dry-run --json` prints, with each `reading` as decided."""
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise UnusableInput(f"{label}: no such readings file")
    if path.stat().st_size > MAX_READINGS_BYTES:
        raise UnusableInput(f"{label}: readings file larger than {MAX_READINGS_BYTES:,} bytes")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnusableInput(f"{label}: not valid JSON ({exc})") from exc
        items = data.get("readings", data) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise UnusableInput(f"{label}: expected a list of readings")
        found = []
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not {"header", "answer", "reading"} <= item.keys():
                raise UnusableInput(f"{label}: reading {n} needs header, answer and reading")
            found.append(
                Confirmation(
                    str(item["header"]),
                    str(item["answer"]),
                    parse_reading(item["reading"], f"{label}: reading {n}"),
                )
            )
        return found
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UnusableInput(f"{label}: not a valid TOML readings file ({exc})") from exc
    found = []
    for header, answers in data.items():
        if not isinstance(answers, dict):
            raise UnusableInput(f"{label}: '{header}' should be a table of answer = reading")
        for answer, reading in answers.items():
            found.append(Confirmation(header, answer, parse_reading(reading, f"{label}: {header}")))
    return found


def parse_column_option(value: str) -> tuple[str, str]:
    """`--column "HEADER=ROLE"`, split at the last '='."""
    header, sep, role = value.rpartition("=")
    if not sep or not header.strip() or not role.strip():
        raise UnusableInput(f"--column '{value}': write it as \"HEADER=ROLE\"")
    return header.strip(), role.strip()


def saved_roles(session: Session, consultation_id: int) -> dict[str, str]:
    """Column roles people settled for this consultation: normalised header -> role."""
    rows = session.scalars(
        select(ColumnRoleChoice).where(ColumnRoleChoice.consultation_id == consultation_id)
    )
    return {row.header_key: row.role for row in rows}


def save_roles(
    session: Session, actor: Actor, consultation_id: int, roles: dict[str, str], now: datetime
) -> None:
    """Save the roles `actor` chose for columns of this consultation (each one audited)."""
    require(actor, Permission.IMPORT_RESPONSES)
    existing = {
        row.header_key: row
        for row in session.scalars(
            select(ColumnRoleChoice).where(ColumnRoleChoice.consultation_id == consultation_id)
        )
    }
    for header, role in roles.items():
        key = norm_header(header)
        row = existing.get(key)
        if row is not None and row.role == role:
            continue
        if row is None:
            session.add(
                ColumnRoleChoice(
                    consultation_id=consultation_id,
                    header_key=key,
                    role=role,
                    decided_by=actor.name,
                    decided_at=now,
                )
            )
        else:
            row.role, row.decided_by, row.decided_at = role, actor.name, now
        audit.record(session, actor, "import.column_role", "consultation", consultation_id,
                     {"header": key[:200], "role": role}, now=now)  # fmt: skip
