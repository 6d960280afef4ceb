"""Every `curation` command in the README parses as written (commands, options, argument types)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer import _click as click  # typer vendors its own click
from typer.core import TyperGroup

from curation.cli.lazy import real_commands

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_commands() -> list[str]:
    """`curation …` lines of the README's bash blocks, split at && and without comments."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = []
    for block in blocks:
        for line in block.splitlines():
            for part in line.split("#", 1)[0].split("&&"):
                part = part.strip().removesuffix("&").strip()
                if part.startswith("curation "):
                    found.append(part)
    return found


def test_the_readme_shows_the_serve_command_first():
    """The first command installs and runs `curation serve`, then says the URL and how to stop."""
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)\n```", text, re.S)
    assert first is not None
    assert first.group(1) == (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/curation serve"
    )
    assert "http://localhost:8501" in text and "Ctrl-C" in text
    assert "source .venv/bin/activate" in text


@pytest.mark.parametrize("line", _readme_commands())
def test_readme_command_parses(line):
    """The command, its subcommands, options and argument types exist as the README writes them."""
    words = shlex.split(line)[1:]
    shell = [i for i, w in enumerate(words) if w in ("|", "<") or w.lstrip("012&").startswith(">")]
    words = words[: shell[0]] if shell else words  # a redirection is the shell's, not ours
    command: click.Command = real_commands()[words[0]]
    path, rest = [words[0]], words[1:]
    while isinstance(command, TyperGroup) and rest:
        sub = command.get_command(click.Context(command), rest[0])
        assert sub is not None, f"no subcommand {rest[0]!r} in `curation {' '.join(path)}`"
        path.append(rest.pop(0))
        command = sub
    command.make_context(" ".join(path), list(rest))  # raises on an unknown option or bad type
