"""`curation media add` and `curation audiogram`: recorded answers, captioned audiograms."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, fail, open_context, print_json

media_app = typer.Typer(help="Audio and video answers: add a recording with its transcript.")
app.add_typer(media_app, name="media")


@media_app.command("add")
@command
def media_add(
    respondent_id: Annotated[int, typer.Argument(help="The respondent's id.")],
    file: Annotated[Path, typer.Argument(help="mp3, m4a, wav, ogg, mp4, webm or mov.")],
    question: Annotated[int, typer.Option("--question", "-q", help="Question number.")],
    transcript: Annotated[
        Path | None, typer.Option("--transcript", help="WebVTT, SRT or plain-text transcript.")
    ] = None,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Add (or replace) RESPONDENT_ID's recorded answer to a question, with its transcript."""
    from curation.media.intake import add_media_detailed

    for path in (file, transcript):
        if path is not None and not path.is_file():
            fail(f"{path}: no such file")
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        _, done = add_media_detailed(
            session, ctx.actor(session), respondent_id, question, file, transcript_path=transcript
        )
    out = {
        "response_id": done.response_id,
        "created": done.created,
        "kind": done.kind,
        "sha256": done.sha256,
        "duration_seconds": done.duration_seconds,
        "cues": done.cues,
        "transcript_format": done.transcript_format,
        "notes": list(done.notes),
    }
    if json_out:
        print_json(out)
        return
    verb = "added" if done.created else "updated"
    typer.echo(
        f"{verb} {done.kind} response {done.response_id}: {done.duration_seconds:.1f} s, "
        f"{done.cues} timed cues"
    )
    for note in done.notes:
        typer.echo(f"note: {note}")


@app.command("audiogram")
@command
def audiogram(
    quote_id: Annotated[int, typer.Argument(help="The quote's id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The MP4 file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="square or portrait.")] = "square",
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Write a captioned audiogram (H.264 + AAC MP4) of a quote from a recorded answer."""
    from curation.media.audiogram import make_audiogram

    if out.suffix.lower() != ".mp4":
        fail(f"{out}: the audiogram is an MP4; name the file .mp4")
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        result = make_audiogram(session, ctx.actor(session), quote_id, out, fmt=fmt)
    summary = {
        "path": str(result.path),
        "duration_seconds": result.duration,
        "width": result.width,
        "height": result.height,
        "format": fmt,
    }
    if json_out:
        print_json(summary)
    else:
        typer.echo(f"wrote {result.path}: {result.duration:.1f} s, {result.width}x{result.height}")
