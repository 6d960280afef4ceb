"""`curation export responses|quotes|posts --format csv|xlsx|jsonl`: what the acting user may see.

Text only of respondents who may be quoted (the consent gate, as on the pages). CSV and
XLSX cells that a spreadsheet would run as a formula are neutralised; rows stream, so an
export of half a million responses does not hold them all in memory.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from curation.cli import app
from curation.cli.context import AsUser, command, fail, open_context


class What(StrEnum):
    responses = "responses"
    quotes = "quotes"
    posts = "posts"


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"


def _plain(value: Any) -> Any:
    """A value for a cell: lists joined, times as ISO text."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def write_csv(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], out: IO[str]) -> int:
    import csv

    from curation.exports import neutralise_cell

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([neutralise_cell(_plain(row.get(c))) for c in columns])
        count += 1
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        count += 1
    return count


def write_xlsx(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], path: Path) -> int:
    """A streamed (write-only) workbook; every cell is text, neutralised like the CSV."""
    from openpyxl import Workbook

    from curation.exports import neutralise_cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("export")
    sheet.append(list(columns))
    count = 0
    for row in rows:
        sheet.append([neutralise_cell(_plain(row.get(c))) for c in columns])
        count += 1
    book.save(path)
    return count


@app.command("export")
@command
def export(
    what: Annotated[What, typer.Argument(help="responses (quotable), quotes or posts.")],
    fmt: Annotated[Format, typer.Option("--format", help="csv, xlsx or jsonl.")] = Format.csv,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to FILE (required for xlsx; else stdout).")
    ] = None,
    question: Annotated[
        int | None, typer.Option("--question", help="Responses: only this question number.")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Responses: words that must all appear.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Quotes or posts: only this state.")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Export quotable responses, quotes or posts as CSV, XLSX or JSON lines."""
    from curation import listing

    if fmt is Format.xlsx and out is None:
        fail("--format xlsx needs --out FILE")
    if what is What.responses and status:
        fail("--status applies to quotes and posts")
    if what is not What.responses and (question is not None or search):
        fail("--question and --search apply to responses")
    ctx = open_context(as_user)
    columns = {
        What.responses: listing.RESPONSE_COLUMNS,
        What.quotes: listing.QUOTE_COLUMNS,
        What.posts: listing.POST_COLUMNS,
    }[what]
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        consultation = ctx.consultation_of(session)
        rows: Iterator[dict[str, Any]]
        if what is What.responses:
            from curation import consultations
            from curation.responses import browse as responses

            if question is not None:
                consultations.question_by_number(consultation, question)
            flt = responses.ResponseFilter(
                questions=(question,) if question is not None else (), search=search or ""
            )
            rows = listing.iter_responses(session, actor, consultation.id, flt)
        elif what is What.quotes:
            rows = listing.iter_quotes(session, actor, consultation.id, status=status)
        else:
            rows = listing.iter_posts(session, actor, consultation.id, status=status)
        if fmt is Format.xlsx:
            assert out is not None
            count = write_xlsx(rows, columns, out)
        else:
            handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
            try:
                if fmt is Format.csv:
                    count = write_csv(rows, columns, handle)
                else:
                    count = write_jsonl(rows, handle)
            finally:
                if out:
                    handle.close()
    where = f" to {out}" if out else ""
    typer.echo(f"exported {count} {what.value}{where}", err=True)
