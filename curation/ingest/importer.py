"""Importing one export file into a consultation: all or nothing, idempotent, in bulk.

`make_plan` reads the file and decides what each column holds; `import_file` writes
inside a savepoint (rolled back for a dry run or on any error).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.errors import UnusableInput
from curation.ingest.answer_table import answer_table, uncertain_message
from curation.ingest.columns import plan_columns
from curation.ingest.consent_columns import UNCERTAIN
from curation.ingest.dialects import by_name, norm_header
from curation.ingest.mapping import Mapping, load_mapping, parse_role
from curation.ingest.readers import read_table
from curation.ingest.report import ImportReport, Plan
from curation.ingest.settled import save_roles, saved_roles
from curation.ingest.writer import Progress, Writer
from curation.rights.lost_consent import undo_for_lost_consent
from curation.rights.reading_store import (
    Confirmation,
    load_book,
    save_readings,
    with_confirmations,
)
from curation.store.base import get_or_not_found, utcnow
from curation.store.foundation import Consultation, ImportBatch


def _questions(consultation: Consultation) -> list[tuple[int, str, str]]:
    return [(q.number, q.text, q.label) for q in consultation.questions]


def _consultation(session: Session, consultation_id: int) -> Consultation:
    found = get_or_not_found(session, Consultation, consultation_id, "consultation")
    return found


def make_plan(
    consultation: Consultation,
    path: Path,
    *,
    dialect: str = "auto",
    mapping: Mapping | Path | str | None = None,
    filename: str | None = None,
    settled: dict[str, str] | None = None,
) -> Plan:
    """Read `path` and decide what every column holds; `UnusableInput` if nothing usable.

    `settled` maps headers to roles people chose (saved ones and `--column`); a mapping
    file's own columns come last and win."""
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    overrides = dict(settled or {}) | (mapping.columns if mapping else {})
    table = read_table(Path(path), name=filename)
    chosen = by_name(dialect, table.records, table.name)
    if mapping is not None and not table.synthetic_header:
        chosen = replace(chosen, header_rows=mapping.header_rows)
    if table.synthetic_header:
        chosen = replace(chosen, header_rows=1)
    columns = plan_columns(table.records, chosen, _questions(consultation), overrides)
    chosen_by_people = {norm_header(h) for h in settled or {}} - {
        norm_header(h) for h in (mapping.columns if mapping else {})
    }
    for column in columns:
        if column.how == "mapping file" and norm_header(column.header) in chosen_by_people:
            column.how = "chosen for this consultation"
    if mapping is not None:
        known = {norm_header(c.header) for c in columns} | {
            norm_header(h) for h in table.records[0]
        }
        missing = [h for h in mapping.columns if norm_header(h) not in known]
        if missing:
            raise UnusableInput(
                f"{table.name}: mapping {mapping.name} names column '{missing[0]}' "
                "which the file does not have"
            )
    if not any(c.role == "question" for c in columns):
        shown = ", ".join(f"'{c.header[:30]}'" for c in columns[:4])
        raise UnusableInput(
            f"{table.name}: no column matches a question of '{consultation.slug}' "
            f"(headers start {shown}); use --mapping"
        )
    plan = Plan(table, chosen, columns, [], mapping if isinstance(mapping, Mapping) else None)
    if plan.total_rows == 0:
        raise UnusableInput(f"{table.name}: a header but no data rows")
    roles = {c.role for c in columns}
    if not roles & {"consent", "consent_anonymous", UNCERTAIN}:
        plan.warnings.append("no consent column found: nobody from this file will be quotable")
    if not roles & {"id", "submitted", "email"}:
        plan.warnings.append(
            "no id, time or email column: respondents are keyed by row number, so a "
            "re-import only matches if the rows keep their order"
        )
    return plan


def preview_file(
    session: Session,
    actor: Actor,
    consultation_id: int,
    path: Path | str,
    *,
    dialect: str = "auto",
    mapping: Mapping | Path | str | None = None,
    filename: str | None = None,
    columns: dict[str, str] | None = None,
    readings: list[Confirmation] | None = None,
) -> ImportReport:
    """The detected dialect, column roles (uncertain ones included, for a person to settle)
    and the readings table of a file, without reading rows into the store."""
    require(actor, Permission.IMPORT_RESPONSES)
    consultation = _consultation(session, consultation_id)
    settled = _settled(session, consultation.id, columns, Path(path).name)
    plan = make_plan(
        consultation, Path(path), dialect=dialect, mapping=mapping, filename=filename,
        settled=settled,
    )  # fmt: skip
    report = _empty_report(plan, dry_run=True)
    book = with_confirmations(load_book(session, consultation.id), _roled(plan, readings), actor)
    report.readings = answer_table(plan, book)
    return report


def _settled(
    session: Session, consultation_id: int, columns: dict[str, str] | None, label: str
) -> dict[str, str]:
    """Saved column roles for the consultation, then the ones given now (checked)."""
    chosen = {h: parse_role(r, h, label) for h, r in (columns or {}).items()}
    return saved_roles(session, consultation_id) | chosen


def _roled(plan: Plan, readings: list[Confirmation] | None) -> list[Confirmation]:
    """Confirmations with their column's role filled in; unknown headers are refused."""
    if not readings:
        return []
    by_header = {norm_header(c.header): c.role for c in plan.columns}
    found = []
    for c in readings:
        role = c.role or by_header.get(c.header_key)
        if role is None:
            raise UnusableInput(
                f"{plan.table.name}: a reading names column '{c.header}', which the file lacks"
            )
        found.append(Confirmation(c.header, c.answer, c.reading, role))
    return found


def _empty_report(plan: Plan, *, dry_run: bool) -> ImportReport:
    return ImportReport(
        dialect=plan.dialect.name + (" (mapping)" if plan.mapping else ""),
        file=plan.table.name,
        format=plan.table.format,
        encoding=plan.table.encoding,
        dry_run=dry_run,
        rows=plan.total_rows,
        warnings=list(plan.warnings),
        columns=[c.to_json() for c in plan.columns],
        unmatched=[
            c.header or f"column {c.index + 1}" for c in plan.columns if c.role == "unmatched"
        ],
    )


def import_file(
    session: Session,
    actor: Actor,
    consultation_id: int,
    path: Path | str,
    *,
    dialect: str = "auto",
    mapping: Mapping | Path | str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
    filename: str | None = None,
    columns: dict[str, str] | None = None,
    readings: list[Confirmation] | None = None,
) -> ImportReport:
    """Import one export file: all or nothing, and a re-import of the same file changes nothing.

    `columns` settles what uncertain columns ask ("header" -> role); `readings` confirms
    how answers read. Both are saved for the consultation (not on a dry run). A column
    that may be about consent or naming and is not settled stops the import. A dry run
    does the same work inside a savepoint and rolls it back. Respondents whose reading
    goes down (a re-import, a confirmed reading) lose their posts, cards and quotes.
    """
    require(actor, Permission.IMPORT_RESPONSES)
    now = now or utcnow()
    consultation = _consultation(session, consultation_id)
    settled = _settled(session, consultation.id, columns, Path(path).name)
    plan = make_plan(
        consultation, Path(path), dialect=dialect, mapping=mapping, filename=filename,
        settled=settled,
    )  # fmt: skip
    uncertain = [c for c in plan.columns if c.role == UNCERTAIN]
    if uncertain:
        raise UnusableInput(uncertain_message(plan.table.name, uncertain))
    confirmations = _roled(plan, readings)
    book = with_confirmations(load_book(session, consultation.id), confirmations, actor)
    report = _empty_report(plan, dry_run=dry_run)
    savepoint = session.begin_nested()
    bigger_cache = _sqlite(session)
    if bigger_cache:
        # One big transaction: a larger page cache stops SQLite spilling pages mid-import.
        session.execute(text("PRAGMA cache_size = -131072"))
    try:
        batch = ImportBatch(
            consultation_id=consultation.id, filename=plan.table.name[:500],
            file_sha256=plan.table.sha256, dialect=plan.dialect.name, actor=actor.name,
            report={}, created_at=now,
        )  # fmt: skip
        session.add(batch)
        session.flush()
        writer = Writer(session, consultation, plan, report, batch.id, now, book)
        writer.run(progress)
        report.readings = answer_table(plan, book)
        report.consent_lost = sorted(set(writer.lost_consent))
        if not dry_run:
            save_roles(session, actor, consultation.id, columns or {}, now)
            save_readings(session, actor, consultation.id, confirmations, now)
            if report.consent_lost:
                report.consent_lost_steps = undo_for_lost_consent(
                    session, actor, report.consent_lost, reason="consent changed on re-import",
                    now=now,
                )  # fmt: skip
        batch.report = {k: v for k, v in report.to_json().items() if k not in ("columns",)}
        audit.record(
            session, actor, "responses.import", "import_batch", batch.id,
            {
                "consultation_id": consultation.id, "dialect": plan.dialect.name,
                "file_sha256": plan.table.sha256, "rows": report.rows,
                "respondents_created": report.respondents_created,
                "respondents_updated": report.respondents_updated,
                "responses_created": report.responses_created,
                "responses_updated": report.responses_updated,
                "responses_unchanged": report.responses_unchanged,
                "skipped": len(report.skipped), "errors": len(report.errors),
                "consent_lost": len(report.consent_lost),
                "needs_reading": sum(r["needs_reading"] for r in report.readings),
            },
            now=now,
        )  # fmt: skip
        session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    finally:
        if bigger_cache:
            session.execute(text("PRAGMA cache_size = -2000"))
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        report.batch_id = batch.id
    return report


def _sqlite(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "sqlite"
