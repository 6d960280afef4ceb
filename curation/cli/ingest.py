"""`curation import PATH`: import a form export (all or nothing; a re-import changes nothing)."""

from __future__ import annotations

from enum import StrEnum
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


class DialectChoice(StrEnum):
    auto = "auto"
    google_forms = "google-forms"
    microsoft_forms = "microsoft-forms"
    surveymonkey = "surveymonkey"
    typeform = "typeform"
    generic = "generic"


@app.command("import")
@command
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON export.", show_default=False)],
    dialect: Annotated[
        DialectChoice, typer.Option("--dialect", help="Which tool wrote it (default: detect).")
    ] = DialectChoice.auto,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="TOML file naming what each column holds.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")
    ] = False,
    as_user: AsUser = None,
    consultation: ConsultationOpt = None,
    json_out: JsonFlag = False,
) -> None:
    """Import PATH into the consultation: one respondent per row, one response per answer."""
    ctx = open_context(as_user, consultation)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        target = ctx.consultation_of(session)
        report = import_file(
            session, actor, target.id, path,
            dialect=dialect.value, mapping=mapping, dry_run=dry_run,
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
