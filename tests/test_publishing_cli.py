"""The publishing CLI: schedule, list, publish-due, withdraw, accounts check, worker on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curation.cli import app
from curation.store import Database
from curation.store.foundation import Consultation
from curation.store.posts import Post
from curation.store.quotes import Quote
from tests.fakes.rows import approved_quote

runner = CliRunner()


def _quote(db: Database, consultation: Consultation, key: str = "r1") -> int:
    with db.session() as session:
        return approved_quote(session, consultation, key=key)


def _approve(db: Database, post_id: int) -> None:
    """`post approve` by a second person (the CLI's local admin composed the post)."""
    from sqlalchemy import select

    from curation.access import users
    from curation.access.actors import LOCAL_ADMIN, Role
    from curation.store.foundation import User

    with db.session() as session:
        if session.scalar(select(User).where(User.name == "abe")) is None:
            users.add_user(session, LOCAL_ADMIN, "abe", Role.APPROVER)
    out = runner.invoke(app, ["post", "approve", str(post_id), "--as", "abe", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["id"] == post_id


def test_schedule_now_then_publish_due_writes_the_outbox(
    db: Database, consultation: Consultation
) -> None:
    """`post schedule --at now`, `publish-due --once`: the pack is written, "ready by hand"."""
    quote_id = _quote(db, consultation)
    out = runner.invoke(
        app, ["post", "schedule", str(quote_id), "--network", "outbox", "--at", "now", "--json"]
    )
    assert out.exit_code == 0, out.output
    scheduled = json.loads(out.stdout)
    assert set(scheduled) >= {"id", "quote_id", "network", "status", "scheduled_at"}
    assert scheduled["status"] == "scheduled" and scheduled["network"] == "outbox"
    waiting = runner.invoke(app, ["publish-due", "--once", "--json"])
    assert json.loads(waiting.stdout) == []  # nothing goes out before a second person approves
    _approve(db, scheduled["id"])
    done = runner.invoke(app, ["publish-due", "--once", "--json"])
    assert done.exit_code == 0, done.output
    assert [r["status"] for r in json.loads(done.stdout)] == ["ready_by_hand"]
    assert json.loads(runner.invoke(app, ["posts", "--status", "posted", "--json"]).stdout) == []
    listed = json.loads(runner.invoke(app, ["posts", "--status", "ready_by_hand", "--json"]).stdout)
    assert listed[0]["id"] == scheduled["id"] and listed[0]["remote_url"] is None
    assert listed[0]["state"] == "ready to post by hand"
    folder = Path(os.environ["CURATION_DATA_DIR"]) / "outbox" / "outbox" / f"post-{scheduled['id']}"
    assert (folder / "manifest.json").is_file()


def test_unusable_time_exits_2_and_writes_nothing(db: Database, consultation: Consultation) -> None:
    """A non-existent London time exits 2 with a one-line reason; no post is stored."""
    quote_id = _quote(db, consultation)
    out = runner.invoke(
        app, ["post", "schedule", str(quote_id), "--network", "x", "--at", "2026-03-29 01:30"]
    )
    assert out.exit_code == 2
    assert "does not exist" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    with db.session() as session:
        assert session.query(Post).count() == 0


def test_ambiguous_time_needs_fold(db: Database, consultation: Consultation) -> None:
    """An autumn double time exits 2 without --fold and is accepted with --fold 1."""
    quote_id = _quote(db, consultation)
    base = ["post", "schedule", str(quote_id), "--network", "x", "--at", "2099-10-25 01:30"]
    assert runner.invoke(app, base).exit_code == 2
    done = runner.invoke(app, [*base, "--fold", "1", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["scheduled_at"].startswith("2099-10-25T01:30")


def test_withdraw_cancels_and_is_idempotent(db: Database, consultation: Consultation) -> None:
    """`withdraw` cancels pending posts and a second run reports nothing new."""
    quote_id = _quote(db, consultation)
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 12:00")
    runner.invoke(app, ["post", "schedule", str(quote_id), "--network", "x", "--at", later])
    with db.session() as session:
        respondent_id = session.get(Quote, quote_id).response.respondent_id
    first = json.loads(runner.invoke(app, ["withdraw", str(respondent_id), "--json"]).stdout)
    assert len(first["cancelled"]) == 1 and first["newly_withdrawn"]
    second = json.loads(runner.invoke(app, ["withdraw", str(respondent_id), "--json"]).stdout)
    assert second["cancelled"] == [] and not second["newly_withdrawn"]


def test_accounts_check_without_credentials_reports_not_connected(db: Database) -> None:
    """With no credentials every network is "not connected"; only the outbox is ready."""
    out = runner.invoke(app, ["accounts", "check", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert {r["network"]: r["mode"] for r in rows} == {
        "x": "not connected",
        "bluesky": "not connected",
        "mastodon": "not connected",
        "outbox": "outbox",
    }
    assert {r["network"]: r["ok"] for r in rows} == {
        "x": False,
        "bluesky": False,
        "mastodon": False,
        "outbox": True,
    }


def test_worker_stops_cleanly_on_sigterm(db: Database) -> None:
    """`curation worker` exits 0 soon after SIGTERM."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from curation.cli import main; main()",
            "worker",
            "--interval",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # "worker N started": the signal handlers are in place
        assert "started" in line
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


UNREACHABLE = "postgresql://quotes:pw@127.0.0.1:1/quotes"  # nobody listens on port 1


def test_cli_exits_2_with_one_line_when_the_database_is_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`posts` with the database down: exit 2, one line naming it (no password), no traceback."""
    monkeypatch.setenv("CURATION_DATABASE_URL", UNREACHABLE)
    out = runner.invoke(app, ["posts", "--json"])
    assert out.exit_code == 2
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("error: cannot reach the database postgresql://quotes:***@127.0.0.1:1")
    assert "pw@" not in line and out.stdout == ""


def test_worker_exits_2_with_one_line_when_the_database_is_unreachable() -> None:
    """`curation worker` with the database down: exit 2 and one line on stderr, no traceback."""
    env = {**os.environ, "CURATION_DATABASE_URL": UNREACHABLE}
    done = subprocess.run(
        [sys.executable, "-c", "from curation.cli import main; main()", "worker"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: cannot reach the database") and "Traceback" not in done.stderr


def test_pack_mark_posted_and_receipts_from_the_command_line(
    db: Database, consultation: Consultation, tmp_path: Path
) -> None:
    """`post pack` writes the zip, `post mark-posted` records the URL, `post receipts` shows it."""
    quote_id = _quote(db, consultation)
    made = runner.invoke(
        app, ["post", "schedule", str(quote_id), "--network", "outbox", "--at", "now", "--json"]
    )
    post_id = str(json.loads(made.stdout)["id"])
    _approve(db, int(post_id))
    assert runner.invoke(app, ["publish-due", "--once"]).exit_code == 0
    pack = tmp_path / "pack.zip"
    assert runner.invoke(app, ["post", "pack", post_id, "--out", str(pack)]).exit_code == 0
    assert f"post-{post_id}/manifest.json" in zipfile.ZipFile(pack).namelist()
    refused = runner.invoke(app, ["post", "mark-posted", post_id, "file:///tmp/x"])
    assert refused.exit_code == 2 and "https" in refused.stderr
    url = "https://www.linkedin.com/feed/update/urn:li:activity:9"
    marked = runner.invoke(app, ["post", "mark-posted", post_id, url, "--json"])
    assert marked.exit_code == 0, marked.output
    assert json.loads(marked.stdout)["status"] == "posted_by_hand"
    listed = json.loads(runner.invoke(app, ["post", "receipts", post_id, "--json"]).stdout)
    assert [(r["kind"], r["response_url"]) for r in listed] == [("publish", None), ("by_hand", url)]


def test_publisher_status_reports_no_worker_running(db: Database) -> None:
    """`publisher-status --json` says no worker is running when none has a heartbeat."""
    out = runner.invoke(app, ["publisher-status", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {
        "running": 0,
        "last_run": None,
        "networks": [],
        "label": "Publisher not running: posts will not go out",
    }
