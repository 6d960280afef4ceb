"""`curation serve`: the dashboard and the publisher in one command."""

from __future__ import annotations

from typing import Annotated

import typer

from curation.cli import app
from curation.cli.context import command, fail, open_context


@app.command("serve")
@command
def serve_command(
    port: Annotated[int, typer.Option("--port", help="The dashboard's port.")] = 8501,
    address: Annotated[
        str,
        typer.Option("--address", help="Where to listen (0.0.0.0 for other machines)."),
    ] = "localhost",
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between the publisher's runs.")
    ] = 30.0,
) -> None:
    """Start the dashboard and the publisher together; Ctrl-C stops both."""
    from curation import serve

    script = serve.dashboard_script()
    if script is None:
        fail("dashboard.py not found: run this from the project folder (pip install -e .)")
        return
    if not 0 < port < 65536:
        fail(f"--port must be 1-65535, not {port}")
    from curation import bootstrap

    db = open_context().db  # migrated once here, before two processes open the store
    bootstrap.prepare(db, demo="off")  # a first start prints the admin's one-time password now;
    db.dispose()  # the demo data is added by the dashboard, in the background
    local = address in ("localhost", "127.0.0.1", "0.0.0.0", "::", "")  # noqa: S104
    code = serve.serve(
        serve.children(script, port=port, address=address, interval=interval),
        health_url=f"http://{'127.0.0.1' if local else address}:{port}/_stcore/health",
        open_url=f"http://{'localhost' if local else address}:{port}",
        cwd=script.parent,
    )
    raise typer.Exit(code)
