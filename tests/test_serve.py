"""`curation serve`: one command runs the dashboard and the publisher, and stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from curation import serve
from curation.store import Database
from curation.store.posts import WorkerHeartbeat
from tests.dashboard_server import PROJECT_ROOT, free_port

pytestmark = pytest.mark.slow
DEADLINE = 90.0


def _until(what: str, check: Callable[[], object], seconds: float = DEADLINE) -> object:
    """Poll `check` until it gives something truthy, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)  # polling a starting or stopping process
    pytest.fail(f"timed out waiting for {what}")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.exists() else []


def _heartbeat(db: Database) -> WorkerHeartbeat | None:
    with db.session() as s:
        return s.scalar(select(WorkerHeartbeat))


@contextmanager
def _serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Database]]:
    """`curation serve` on a free port with the test's data folder; killed if left running."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from curation.cli import main; main()", "serve",
         "--port", str(port), "--address", "127.0.0.1", "--interval", "1"],
        cwd=PROJECT_ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    db = Database(os.environ["CURATION_DATABASE_URL"])
    try:
        yield proc, port, db
    finally:
        if proc.poll() is None:
            for child in _children(proc.pid):
                os.kill(child, signal.SIGKILL)
            proc.kill()
            proc.wait()
        db.dispose()
        log.close()


def test_serve_starts_the_dashboard_and_the_publisher_and_sigterm_stops_both(tmp_path):
    """The dashboard answers and the worker beats; SIGTERM stops both children and exits 0."""
    with _serving(tmp_path) as (proc, port, db):
        _until("the dashboard's health check", lambda: _healthy(port))
        beat = _until("the worker's heartbeat", lambda: _heartbeat(db))
        assert isinstance(beat, WorkerHeartbeat) and beat.stopped_at is None
        children = _children(proc.pid)
        assert len(children) == 2 and beat.pid in children
        log = _until(
            "the ready line",
            lambda: (
                "Ctrl-C to stop" in (tmp_path / "serve.log").read_text()
                and (tmp_path / "serve.log").read_text()
            ),
        )
        assert f"Quote desk is ready: open http://localhost:{port}" in str(log)
        first_start = str(log).index("First start: sign in as 'admin'")
        assert first_start < str(log).index("Quote desk is ready")  # the password comes first
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=DEADLINE) == 0
        _until("both children to exit", lambda: not any(_alive(c) for c in children), 30)
        assert not _healthy(port)
        stopped = _heartbeat(db)
        assert stopped is not None and stopped.stopped_at is not None  # a clean worker stop


def test_when_one_child_dies_serve_stops_the_other(tmp_path):
    """If the publisher dies, the dashboard is stopped too and serve exits non-zero."""
    with _serving(tmp_path) as (proc, port, db):
        _until("the dashboard's health check", lambda: _healthy(port))
        beat = _until("the worker's heartbeat", lambda: _heartbeat(db))
        assert isinstance(beat, WorkerHeartbeat)
        children = _children(proc.pid)
        os.kill(beat.pid, signal.SIGKILL)
        assert proc.wait(timeout=DEADLINE) != 0
        _until("the dashboard to exit", lambda: not any(_alive(c) for c in children), 30)
        assert "The publisher stopped" in (tmp_path / "serve.log").read_text()


def test_the_children_are_streamlit_and_the_worker():
    """serve runs `streamlit run dashboard.py` on the port and `curation worker`."""
    script = serve.dashboard_script()
    assert script is not None and script.name == "dashboard.py"
    dash, worker = serve.children(script, port=8502, address="localhost", interval=5)
    assert dash.command[1:4] == ["-m", "streamlit", "run"] and "8502" in dash.command
    assert worker.command[-3:] == ["worker", "--interval", "5"]


def test_serve_is_listed_in_the_fast_help():
    """`curation --help` lists serve from the lazy table, without importing its module."""
    done = subprocess.run(
        [sys.executable, "-c",
         "import sys; from curation.cli import main\n"
         "try:\n main()\nexcept SystemExit: pass\n"
         "print('LOADED' if 'curation.serve' in sys.modules else 'LAZY')", "--help"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert "serve" in done.stdout and done.stdout.strip().endswith("LAZY")
