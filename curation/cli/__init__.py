"""The `curation` command: a thin layer over the domain core.

Each feature registers its commands from its own module below.
"""

from __future__ import annotations

import logging
import os

import typer

from curation.cli.context import AsUser, ConsultationOpt, set_globals
from curation.cli.lazy import LazyGroup

# Command modules load when their command runs (see curation/cli/lazy.py): add a new
# command to `lazy.COMMANDS` and its module to `_register` below.
app = typer.Typer(
    cls=LazyGroup,
    rich_markup_mode=None,  # plain help: loading rich costs more than the rest of the start
    help="The consultation quote desk: import responses, pick quotes, render cards, publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(as_user: AsUser = None, consultation: ConsultationOpt = None) -> None:
    """Options given before the subcommand apply to it."""
    logging.basicConfig(level=os.environ.get("CURATION_LOG_LEVEL", "WARNING"))
    set_globals(as_user, consultation)


def _register() -> None:
    # Every command module; imported on demand (lazy.load_all), never at start.
    from curation.cli import (
        access,  # noqa: F401
        analysis,  # noqa: F401
        cards,  # noqa: F401
        consultations,  # noqa: F401
        ingest,  # noqa: F401
        media,  # noqa: F401
        metrics,  # noqa: F401
        publishing,  # noqa: F401
        quotes,  # noqa: F401
        responses,  # noqa: F401
        serve,  # noqa: F401
    )


def main() -> None:
    try:
        app()
    except Exception as exc:
        from curation.store import DatabaseUnreachable  # not before: it loads SQLAlchemy

        if not isinstance(exc, DatabaseUnreachable):
            raise
        # commands outside `reporting_errors`: still one line
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
