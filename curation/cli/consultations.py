"""`curation consultation ...`: add, list and choose consultations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curation import consultations
from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, open_context, print_json

consultation_app = typer.Typer(help="Consultations: add one from a TOML file, list, choose.")
app.add_typer(consultation_app, name="consultation")


@consultation_app.command("add")
@command
def consultation_add(
    file: Annotated[Path, typer.Argument(help="A consultation TOML file.")],
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Store a consultation (questions and themes) from FILE."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        c = consultations.add_consultation(session, ctx.actor(session), file)
        out = {"id": c.id, "slug": c.slug, "questions": len(c.questions), "themes": len(c.themes)}
    if json_out:
        print_json(out)
    else:
        typer.echo(f"added {out['slug']}: {out['questions']} questions, {out['themes']} themes")


@consultation_app.command("list")
@command
def consultation_list(json_out: JsonFlag = False) -> None:
    """List stored consultations."""
    ctx = open_context()
    with ctx.db.session() as session:
        rows = [
            {"id": c.id, "slug": c.slug, "title": c.title, "organisation": c.organisation}
            for c in consultations.list_consultations(session)
        ]
    if json_out:
        print_json(rows)
    else:
        for r in rows:
            typer.echo(f"{r['id']:>3}  {r['slug']}  {r['title']}")


@consultation_app.command("use")
@command
def consultation_use(slug: str, as_user: AsUser = None) -> None:
    """Make SLUG the consultation commands work on by default."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        c = consultations.set_current(session, ctx.actor(session), slug)
        typer.echo(f"now working on {c.slug}")
