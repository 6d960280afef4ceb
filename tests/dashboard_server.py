"""Start the real dashboard (`streamlit run dashboard.py`) on a free loopback port, for browsers.

Used by the browser journey (tests/test_journey.py) and docs/make_screenshots.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def dashboard(env: Mapping[str, str], log: Path, *, startup_seconds: float = 60) -> Iterator[str]:
    """The dashboard's base URL while it runs with `env`; its output goes to `log`."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.showErrorDetails", "true",  # an exception box names its error in the report
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + startup_seconds
            while not _healthy(f"{base}/_stcore/health"):
                if process.poll() is not None:
                    raise RuntimeError(f"streamlit exited ({process.returncode}); see {log}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer in {startup_seconds}s; see {log}")
                time.sleep(0.2)  # polling a starting process, not waiting on the page
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
