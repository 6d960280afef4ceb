"""Load a command's module only when that command runs, so `curation --help` starts fast.

`COMMANDS` names each top-level command, the module under `curation.cli` that registers
it and the one-line help `curation --help` shows. tests/test_cli_startup.py checks it
matches what the modules register; a command missing here still works (every module is
then imported to find it), it only makes that call slower.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
import typer.main
from typer import _click as click  # typer 0.29 vendors its own click
from typer.core import TyperCommand, TyperGroup

# command -> (module under curation.cli, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "consultation": ("consultations", "Consultations: add one from a TOML file, list, choose."),
    "import": ("ingest", "Import PATH into the consultation: one respondent per row."),
    "readings": ("ingest", "Change how one answer reads; applied again to every respondent."),
    "responses": ("responses", "List quotable responses, newest first (--offset, --all)."),
    "demo": ("responses", "Add fictional demo respondents to the bundled consultation."),
    "export": ("export", "Export quotable responses, quotes or posts: CSV, XLSX or JSON lines."),
    "quote": ("quotes", "Quotes: pick exact words of a response, approve or reject them."),
    "quotes": ("quotes", "List the quotes of the current consultation (--offset, --all)."),
    "themes": ("analysis", "Themes found in the answers to each question."),
    "duplicates": ("analysis", "Campaign and near-duplicate groups (sizes and ids, no text)."),
    "balance": ("analysis", "The quote plan: shares per dimension, gaps, next quotes."),
    "render": ("cards", "Render a quote card (--quote ID, or --text) to --out FILE.png."),
    "media": ("media", "Audio and video answers: add a recording with its transcript."),
    "audiogram": ("media", "Write a captioned audiogram (MP4) of a quote from a recording."),
    "post": ("publishing", "Posts: schedule a quote on a network; set posting slots."),
    "posts": ("publishing", "List posts (newest first), with remote id and URL once posted."),
    "accounts": ("publishing", "Network accounts: test connections."),
    "publish-due": ("publishing", "Publish every post that is due now, once."),
    "serve": ("serve", "Start the dashboard and the publisher; Ctrl-C stops both."),
    "worker": ("publishing", "Publish due posts in a loop until SIGTERM or Ctrl-C."),
    "publisher-status": ("publishing", "Whether a worker is running and when it last ran."),
    "withdraw": ("publishing", "Withdraw a respondent: cancel and delete their posts and cards."),
    "metrics": ("metrics", "Engagement metrics: sync, summary, X CSV import, export."),
    "user": ("access", "Users of the dashboard: add, set passwords, list."),
    "retention": ("access", "Retention: purge responses without consent after a while."),
    "erase": ("access", "Delete a withdrawn respondent's personal data (pseudonymous record)."),
    "audit": ("access", "Show the audit log, newest first."),
}
MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


def load_all() -> None:
    """Import every command module (each registers its commands on `curation.cli.app`)."""
    from curation.cli import _register

    _register()
    for module in MODULES:
        importlib.import_module(f"curation.cli.{module}")


class LazyGroup(TyperGroup):
    """The root group: lists commands from `COMMANDS`, imports a module when it is used."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(dict.fromkeys([*self.commands, *COMMANDS]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = self.commands.get(cmd_name)
        if found is not None:
            return found
        if self._listing and cmd_name in COMMANDS:  # help only needs the one line
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        if cmd_name in COMMANDS:
            importlib.import_module(f"curation.cli.{COMMANDS[cmd_name][0]}")
        else:
            load_all()
        self._refresh()
        return self.commands.get(cmd_name)

    def _refresh(self) -> None:
        """Add the click commands of everything registered on the app since."""
        from curation.cli import app

        built = typer.main.get_group(app)
        for name, cmd in built.commands.items():
            self.commands.setdefault(name, cmd)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        self._listing = False
        return super().resolve_command(ctx, args)


def real_commands() -> dict[str, Any]:
    """Every top-level command as the modules register it: name -> click command."""
    from curation.cli import app

    load_all()
    return dict(typer.main.get_group(app).commands)
