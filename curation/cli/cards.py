"""`curation render`: a quote card as a PNG file, from a stored quote or from typed text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, open_context, print_json
from curation.errors import UnusableInput


@app.command("render")
@command
def render_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the PNG.")],
    quote: Annotated[int | None, typer.Option("--quote", help="A stored quote's id.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Text to render instead.")] = None,
    attribution: Annotated[
        str | None, typer.Option("--attribution", help="Credit line for --text.")
    ] = None,
    template: Annotated[
        str | None, typer.Option("--template", help="bold, band or editorial.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="square, portrait, landscape, story or link.")
    ] = "square",
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Render a quote card (--quote ID, or --text with --attribution) to --out FILE.png."""
    if (quote is None) == (text is None):
        raise UnusableInput("give either --quote ID or --text TEXT (with --attribution)")
    if text is not None and attribution is None:
        raise UnusableInput("--text needs --attribution")
    if out.suffix.lower() != ".png":
        raise UnusableInput(f"{out}: the output file must end in .png")
    if not out.parent.is_dir():
        raise UnusableInput(f"{out.parent}: no such directory")
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        if quote is not None:
            from curation.cards.service import card_file, render_quote_card

            card = render_quote_card(session, actor, quote, template, fmt)
            png = card_file(card).read_bytes()
            result = {"width": card.width, "height": card.height, "font_size": card.font_size,
                      "alt_text": card.alt_text}  # fmt: skip
        else:
            from curation.cards.service import render_typed_card

            rendered = render_typed_card(
                session, actor, text or "", attribution or "", template, fmt
            )
            png = rendered.png
            result = {"width": rendered.width, "height": rendered.height,
                      "font_size": rendered.font_size, "alt_text": rendered.alt_text}  # fmt: skip
    out.write_bytes(png)
    summary = {"path": str(out), "bytes": len(png), **result}
    if json_out:
        print_json(summary)
    else:
        typer.echo(f"wrote {out} ({summary['width']}×{summary['height']}, {len(png)} bytes)")
