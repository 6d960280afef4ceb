"""`curation responses` (the quotable list) and `curation demo` (the fictional demo data).

Text is only ever printed for quotable responses: `--quotable` is the default and the
only mode, and is accepted so scripts can say so explicitly. Excluded responses appear
as counts only (on stderr, outside --json).
"""

from __future__ import annotations

from typing import Annotated

import typer

from curation import consultations
from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, fail, open_context, print_json
from curation.demo import respondents as demo
from curation.responses import browse as responses


@app.command("responses")
@command
def responses_list(
    quotable: Annotated[
        bool,
        typer.Option(
            "--quotable",
            help="Only quotable responses (always on: text is never printed otherwise).",
        ),
    ] = True,
    question: Annotated[
        int | None, typer.Option("--question", help="Only this question number.")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Words that must all appear.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (1-1000).")] = 50,
    offset: Annotated[
        int, typer.Option("--offset", help="Skip this many first (the next page's offset).")
    ] = 0,
    all_rows: Annotated[
        bool, typer.Option("--all", help="Every match from --offset on, as JSON lines.")
    ] = False,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """List quotable responses, newest first, with attribution and missions."""
    from curation import listing

    if not 1 <= limit <= responses.MAX_PAGE_SIZE:
        fail(f"--limit must be between 1 and {responses.MAX_PAGE_SIZE}")
    if offset < 0:
        fail("--offset must be 0 or more")
    keys = ("id", "respondent_id", "question", "text", "attribution", "region", "kind",
            "missions")  # fmt: skip
    ctx = open_context(as_user)
    with ctx.db.read_session() as session:
        actor = ctx.actor(session)
        consultation = ctx.consultation_of(session)
        if question is not None:
            consultations.question_by_number(consultation, question)
        flt = responses.ResponseFilter(
            questions=(question,) if question is not None else (), search=search or ""
        )
        found = listing.iter_responses(
            session, actor, consultation.id, flt, offset=offset, limit=None if all_rows else limit
        )
        if all_rows:  # streamed: one JSON object per line, as each batch loads
            for row in found:
                print_json({k: row[k] for k in keys})
            return
        rows = [{k: row[k] for k in keys} for row in found]
        total = listing.count_responses(session, actor, consultation.id, flt)
        excluded = responses.exclusion_counts(session, actor, consultation.id)
    if json_out:
        print_json(rows)
        return
    for item in rows:
        typer.echo(
            f"#{item['id']}  Q{item['question']}  {item['attribution']}  "
            f"[{', '.join(item['missions'])}]"
        )
        typer.echo(f"    {item['text']}\n")
    shown = f"{len(rows)} of {total} quotable"
    if offset + len(rows) < total:
        shown += f" (next page: --offset {offset + len(rows)})"
    hidden = ", ".join(f"{n} {why}" for why, n in excluded.items() if n)
    typer.echo(f"{shown}; excluded: {hidden or 'none'}", err=True)


@app.command("demo")
@command
def demo_command(
    reset: Annotated[
        bool, typer.Option("--reset", help="Replace the demo data with a fresh copy.")
    ] = False,
    remove: Annotated[
        bool, typer.Option("--remove", help="Delete the demo data and add nothing.")
    ] = False,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Add fictional demo respondents to the bundled consultation (touches demo data only)."""
    if reset and remove:
        fail("choose --reset or --remove, not both")
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        consultation = consultations.ensure_bundled(session, actor)
        if remove:
            removed = demo.remove_demo(session, actor, consultation)
            out = {"consultation": consultation.slug, "removed": removed}
            message = f"removed {removed} demo respondents from {consultation.slug}"
        else:
            report = demo.seed_demo(session, actor, consultation, reset=reset)
            out = {
                "consultation": consultation.slug,
                "respondents": report.respondents,
                "responses": report.responses,
                "created": report.created,
            }
            verb = "added" if report.created else "already there:"
            message = (
                f"{verb} {report.respondents} demo respondents, {report.responses} responses "
                f"in {consultation.slug}"
            )
    if json_out:
        print_json(out)
    else:
        typer.echo(message)
