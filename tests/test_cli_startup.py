"""The CLI starts fast: `curation --help` loads no heavy module, commands load on demand."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from typer.testing import CliRunner

from curation.cli import app, lazy

HEAVY = ("alembic", "sqlalchemy", "argon2", "av", "PIL", "pandas", "plotly", "numpy", "rich",
         "sklearn", "streamlit")  # fmt: skip

_HELP_THEN_LIST_MODULES = """
import json, sys
sys.argv = ["curation", "--help"]
from curation.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _run(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, check=True
    )


def test_help_loads_no_heavy_module() -> None:
    """`curation --help` lists every command without importing the store, pandas, images."""
    done = _run(_HELP_THEN_LIST_MODULES)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
    for name in lazy.COMMANDS:
        assert re.search(rf"^  {re.escape(name)}\s", done.stdout, re.MULTILINE), name


def test_entry_module_imports_quickly() -> None:
    """Importing `curation.cli` takes well under a second (generous bound for a busy machine)."""
    done = _run("import curation.cli", "-X", "importtime")
    line = next(x for x in done.stderr.splitlines() if x.rstrip().endswith("| curation.cli"))
    cumulative_us = int(line.split("|")[1])
    assert cumulative_us < 1_000_000, line


def test_command_table_matches_the_modules() -> None:
    """Every registered command is in `lazy.COMMANDS` with the module that registers it."""
    real = lazy.real_commands()
    assert set(real) == set(lazy.COMMANDS)
    for name, command in real.items():
        callback = command.callback
        subcommands = getattr(command, "commands", None)
        if subcommands:
            callback = next(iter(subcommands.values())).callback
        module = getattr(callback, "__module__", "")
        assert module == f"curation.cli.{lazy.COMMANDS[name][0]}", name
        assert lazy.COMMANDS[name][1]


def test_a_command_loads_on_demand_and_runs() -> None:
    """A command whose module is not loaded yet still runs with its own options."""
    result = CliRunner().invoke(app, ["quote", "--help"])
    assert result.exit_code == 0
    assert "approve" in result.output
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2
