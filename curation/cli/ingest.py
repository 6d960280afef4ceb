"""`curation import PATH`: import a form export (all or nothing; a re-import changes nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curation.cli import app
from curation.cli.context import (
    AsUser,
    ConsultationOpt,
    JsonFlag,
    command,
    open_context,
    print_json,
)
from curation.ingest import ImportReport, import_file
from curation.ingest.dialects import DIALECT_NAMES
from curation.ingest.settled import load_readings_file, parse_column_option, parse_reading
from curation.rights.reading_store import Confirmation, change_readings


@app.command("import")
@command
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON export.", show_default=False)],
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect",
            help=f"Which tool wrote it: auto (detect) or one of {', '.join(DIALECT_NAMES)}.",
        ),
    ] = "auto",
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="TOML file naming what each column holds.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")
    ] = False,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            help='Settle what a column asks: "HEADER=ROLE" (consent, consent_anonymous, '
            "name_permission, anonymity, naming_choice, media_consent, ignore, ...). Saved.",
        ),
    ] = None,
    readings: Annotated[
        Path | None,
        typer.Option(
            "--readings",
            help='Confirm how answers read: TOML ["Header"] "answer" = "named|anonymous|'
            'not quotable", or the JSON readings list of --dry-run --json. Saved.',
        ),
    ] = None,
    as_user: AsUser = None,
    consultation: ConsultationOpt = None,
    json_out: JsonFlag = False,
) -> None:
    """Import PATH into the consultation: one respondent per row, one response per answer.

    Consent and naming answers are read only where the reading is certain; others read
    cautiously and are listed as needing a reading (see --readings)."""
    columns = dict(parse_column_option(value) for value in column or [])
    confirmations = load_readings_file(readings) if readings is not None else None
    ctx = open_context(as_user, consultation)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        target = ctx.consultation_of(session)
        report = import_file(
            session, actor, target.id, path,
            dialect=dialect, mapping=mapping, dry_run=dry_run, columns=columns,
            readings=confirmations,
        )  # fmt: skip
    if json_out:
        print_json(report.to_json())
    else:
        _print_human(report)


def _print_human(report: ImportReport) -> None:
    prefix = "dry run, nothing written: " if report.dry_run else ""
    typer.echo(f"{prefix}{report.file}: {report.dialect}, {report.rows} rows")
    typer.echo(
        f"  respondents: {report.respondents_created} new, {report.respondents_updated} updated"
    )
    typer.echo(
        f"  responses: {report.responses_created} new, {report.responses_updated} updated, "
        f"{report.responses_unchanged} unchanged"
    )
    if not report.changed:
        typer.echo("  nothing changed: this file was already imported")
    for column in report.unmatched:
        typer.echo(f"  column not used: {column}")
    for warning in report.warnings:
        typer.echo(f"  warning: {warning}")
    for item in report.skipped:
        typer.echo(f"  row {item['row']} skipped: {item['reason']}")
    for item in report.errors:
        typer.echo(f"  row {item['row']}: {item['reason']}")
    if report.needs_reading:
        typer.echo(f"  {len(report.needs_reading)} answers need a reading (read cautiously until "
                   "confirmed with --readings):")  # fmt: skip
        for row in report.needs_reading:
            typer.echo(f"    column {row['column']}: '{row['answer'][:60]}' × {row['count']} -> "
                       f"{row['reading'].replace('_', ' ')} ({row['why']})")  # fmt: skip
    if report.consent_lost:
        steps = report.consent_lost_steps
        typer.echo(
            f"  consent or name lost for {len(report.consent_lost)} respondents: "
            f"{steps.get('posts_cancelled', 0)} posts cancelled, "
            f"{steps.get('posts_deleted', 0)} taken down, {steps.get('cards_deleted', 0)} cards "
            "deleted"
        )


@app.command("readings")
@command
def readings_command(
    header: Annotated[str, typer.Option("--column", help="The column's header, as in the file.")],
    answer: Annotated[str, typer.Option("--answer", help='The answer ("(blank)" for blank).')],
    reading: Annotated[str, typer.Option("--reading", help="named, anonymous or not quotable.")],
    as_user: AsUser = None,
    consultation: ConsultationOpt = None,
    json_out: JsonFlag = False,
) -> None:
    """Change how one answer reads; applied again to every stored respondent at once."""
    found = [Confirmation(header, answer, parse_reading(reading, "--reading"))]
    ctx = open_context(as_user, consultation)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        target = ctx.consultation_of(session)
        result = change_readings(session, actor, target.id, found)
    if json_out:
        print_json(result)
    else:
        typer.echo(
            f"{result['respondents_updated']} respondents read again; consent or name lost for "
            f"{len(result['consent_lost'])}"  # type: ignore[arg-type]
        )
