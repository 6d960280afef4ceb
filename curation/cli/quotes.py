"""`curation quote add|approve|reject` and `curation quotes`: pick and approve quotes."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, open_context, print_json
from curation.errors import UnusableInput
from curation.quotes import workflow
from curation.quotes.spans import Span
from curation.store.quotes import Quote

quote_app = typer.Typer(help="Quotes: pick exact words of a response, approve or reject them.")
app.add_typer(quote_app, name="quote")


def parse_span(value: str) -> Span:
    """START:END character offsets, as typed on the command line."""
    start, sep, end = value.partition(":")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit():
        raise UnusableInput(f"--span {value!r}: expected START:END, e.g. 0:120")
    return Span(int(start), int(end))


def _out(quote: Quote) -> dict[str, Any]:
    return {
        "id": quote.id,
        "response_id": quote.response_id,
        "text": quote.text,
        "spans": quote.spans,
        "status": quote.status,
    }


@quote_app.command("add")
@command
def quote_add(
    response_id: Annotated[int, typer.Argument(help="The response to quote.")],
    span: Annotated[list[str], typer.Option("--span", help="START:END offsets; repeat in order.")],
    note: Annotated[str | None, typer.Option("--note", help="A note for the approver.")] = None,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Save a draft quote from one or more spans of RESPONSE_ID."""
    spans = [parse_span(s) for s in span]
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        quote = workflow.create_quote(session, ctx.actor(session), response_id, spans, note=note)
        out = _out(quote)
        findings = [f["reason"] for f in quote.pd_findings]
    if json_out:
        print_json(out)
    else:
        typer.echo(f"quote {out['id']} ({out['status']}): {out['text']}")
        for reason in findings:
            typer.echo(f"  personal data? {reason}")


@quote_app.command("approve")
@command
def quote_approve(
    quote_id: int,
    override_reason: Annotated[
        str | None,
        typer.Option("--override-reason", help="Why personal-data findings are acceptable."),
    ] = None,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Approve a draft quote (someone other than its picker)."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        quote = workflow.approve(
            session, ctx.actor(session), quote_id, override_reason=override_reason
        )
        out = _out(quote)
    if json_out:
        print_json(out)
    else:
        typer.echo(f"quote {quote_id} approved")


@quote_app.command("reject")
@command
def quote_reject(
    quote_id: int,
    note: Annotated[str, typer.Option("--note", help="Why it is rejected.")],
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Reject a quote, with a note saying why."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        quote = workflow.reject(session, ctx.actor(session), quote_id, note)
        out = _out(quote)
    if json_out:
        print_json(out)
    else:
        typer.echo(f"quote {quote_id} rejected")


@app.command("quotes")
@command
def quotes_list(
    status: Annotated[
        str | None, typer.Option("--status", help="Only quotes in this state.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many.")] = None,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many first.")] = 0,
    all_rows: Annotated[
        bool, typer.Option("--all", help="Every quote from --offset on, as JSON lines.")
    ] = False,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """List the quotes of the current consultation (quotable respondents only)."""
    from curation import listing

    keys = ("id", "response_id", "status", "question", "text", "attribution", "created_by",
            "approved_by", "personal_data")  # fmt: skip
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        consultation = ctx.consultation_of(session)
        found = listing.iter_quotes(
            session, ctx.actor(session), consultation.id, status=status, offset=offset,
            limit=None if all_rows else limit,
        )  # fmt: skip
        out = [{k: r[k] for k in keys} for r in found]
    if all_rows:
        for row in out:
            print_json(row)
        return
    if json_out:
        print_json(out)
        return
    for r in out:
        typer.echo(f"{r['id']:>4}  {r['status']:<9}  Q{r['question']}  {r['text']}")
