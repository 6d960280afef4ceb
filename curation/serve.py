"""`curation serve`: the dashboard and the publisher together, as two child processes.

A small process manager: it migrates the store once, starts `streamlit run dashboard.py` and
`curation worker`, says where to open the dashboard, forwards Ctrl-C and SIGTERM to both,
and stops the other when one of them ends, so the desk is never half up.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 20.0  # a child gets this long to stop after SIGTERM, then it is killed
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Child:
    name: str
    command: list[str]


def dashboard_script(root: Path = PROJECT_ROOT) -> Path | None:
    """The dashboard's entry point beside the package (an editable install), or in the cwd."""
    for candidate in (root / "dashboard.py", Path.cwd() / "dashboard.py"):
        if candidate.is_file():
            return candidate
    return None


def children(script: Path, *, port: int, address: str, interval: float) -> list[Child]:
    """The two commands: Streamlit serving `script`, and the worker loop."""
    python = sys.executable
    return [
        Child(
            "dashboard",
            [
                python, "-m", "streamlit", "run", str(script),
                "--server.port", str(port), "--server.address", address,
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
        ),
        Child(
            "publisher",
            [python, "-c", "from curation.cli import main; main()", "worker",
             "--interval", f"{interval:g}"],
        ),
    ]  # fmt: skip


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 (our own http URL)
            return bool(answer.status == 200)
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child (Linux): get SIGTERM if `curation serve` itself is killed outright."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop_all(running: dict[str, subprocess.Popen[bytes]], say: Callable[[str], None]) -> None:
    for proc in running.values():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for name, proc in running.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"the {name} did not stop in {STOP_SECONDS:g}s; killing it")
            proc.kill()
            proc.wait()


def serve(
    procs: Sequence[Child],
    *,
    health_url: str,
    open_url: str,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
    cwd: Path | None = None,
) -> int:
    """Run `procs` until a stop signal (exit 0) or until one ends (its code, at least 1).

    SIGINT and SIGTERM set `stop` (installed here when none is given). The children run in
    their own sessions, so a terminal's Ctrl-C reaches them once, through this process.
    """
    stream = out or sys.stderr

    def say(line: str) -> None:
        print(line, file=stream, flush=True)

    if stop is None:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda _n, _f: stop.set())
    running: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for child in procs:
            running[child.name] = subprocess.Popen(
                child.command, cwd=cwd, start_new_session=True, preexec_fn=_die_with_parent
            )
        announced = False
        while not stop.is_set():
            for name, proc in running.items():
                code = proc.poll()
                if code is not None:
                    say(f"The {name} stopped (exit code {code}); stopping the rest.")
                    return code or 1
            if not announced and _healthy(health_url):
                say(f"Quote desk is ready: open {open_url}")
                say("The publisher sends due posts. Ctrl-C to stop.")
                announced = True
            stop.wait(POLL_SECONDS)
        say("Stopping the dashboard and the publisher…")
        return 0
    finally:
        _stop_all(running, say)
