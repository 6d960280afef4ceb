"""The access CLI: `curation user ...`, `erase`, `retention apply`, `audit`."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select
from typer.testing import CliRunner

from curation.access import accounts, auth
from curation.cli import app
from curation.store.foundation import Respondent

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_user_add_prints_a_one_time_password_and_list_shows_it(db):
    """`user add` without a password prints a one-time one; `user list --json` shows the user."""
    out = run("user", "add", "ann", "--role", "curator", "--json")
    assert out.exit_code == 0, out.output
    one_time = json.loads(out.stdout)["one_time_password"]
    with db.session() as s:
        result = auth.sign_in(s, "ann", one_time)
    assert result is not None and result.must_change_password
    listed = json.loads(run("user", "list", "--json").stdout)
    assert [(u["name"], u["role"], u["must_change_password"]) for u in listed] == [
        ("ann", "curator", True)
    ]
    assert "hash" not in json.dumps(listed)


def test_user_add_with_password_stdin_and_bad_input(db):
    """--password-stdin sets the password; a weak one or unknown role exits 2, writing nothing."""
    assert (
        run(
            "user",
            "add",
            "bob",
            "--role",
            "viewer",
            "--password-stdin",
            input="bob's long password\n",
        ).exit_code
        == 0
    )
    weak = run("user", "add", "cat", "--role", "viewer", "--password-stdin", input="short\n")
    assert weak.exit_code == 2 and "12 characters" in weak.stderr
    assert run("user", "add", "dan", "--role", "boss").exit_code == 2
    names = [u["name"] for u in json.loads(run("user", "list", "--json").stdout)]
    assert names == ["bob"]
    with db.session() as s:
        assert auth.authenticate(s, "bob", "bob's long password") is not None


def test_user_passwd_prompts_twice(db, admin):
    """`user passwd` asks twice and sets the password; a non-admin may not set another's."""
    with db.session() as s:
        accounts.create_user(s, admin, "bob", "viewer", password="bob's long password")
        accounts.create_user(s, admin, "eve", "viewer", password="eve's long password")
    out = run("user", "passwd", "bob", input="a new password!!\na new password!!\n")
    assert out.exit_code == 0, out.output
    with db.session() as s:
        assert auth.authenticate(s, "bob", "a new password!!") is not None
    refused = run(
        "--as", "eve", "user", "passwd", "bob", "--password-stdin", input="eve took over bob\n"
    )
    assert refused.exit_code == 3


def test_erase_and_retention_from_the_cli(db, consultation, now):
    """`erase` refuses before withdrawal (exit 2), erases after; retention dry run is JSON."""
    with db.session() as s:
        r = Respondent(
            consultation_id=consultation.id, source_key="c1", name="Ann", consent_to_quote=True
        )
        s.add(r)
        s.flush()
        rid = r.id
    early = run("erase", str(rid))
    assert early.exit_code == 2 and "withdraw first" in early.stderr
    with db.session() as s:
        s.get(Respondent, rid).withdrawn_at = now
    done = run("erase", str(rid), "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["already_erased"] is False
    assert json.loads(run("erase", str(rid), "--json").stdout)["already_erased"] is True
    with db.session() as s:
        assert s.scalar(select(Respondent.name).where(Respondent.id == rid)) is None
    dry = run("retention", "apply", "--dry-run", "--json")
    assert dry.exit_code == 0
    assert json.loads(dry.stdout)["dry_run"] is True


def test_audit_cli_filters_and_writes_neutralised_csv(db, admin, tmp_path):
    """`audit --action user --csv FILE` writes the matching entries, formulas neutralised."""
    with db.session() as s:
        accounts.create_user(s, admin, "bob", "viewer", password="bob's long password")
    path = tmp_path / "audit.csv"
    out = run("audit", "--action", "user", "--since", "2000-01-01", "--csv", str(path))
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert {r["action"] for r in rows} == {"user.add", "user.password_set"}
    as_json = json.loads(run("audit", "--actor", "local-admin", "--json").stdout)
    assert len(as_json) == len(rows)
    assert run("audit", "--since", "last tuesday").exit_code == 2
    assert run("--as", "bob", "audit").exit_code == 3
