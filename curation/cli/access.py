"""`curation user ...`, `curation erase`, `curation retention apply`, `curation audit`."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from curation import audit
from curation.access import accounts, auth
from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, fail, open_context, print_json
from curation.exports import audit_csv
from curation.rights import privacy

user_app = typer.Typer(help="Users of the dashboard: add, set passwords, list.")
app.add_typer(user_app, name="user")
retention_app = typer.Typer(help="Retention: purge responses without consent after a while.")
app.add_typer(retention_app, name="retention")

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _stdin_password() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        fail("no password on stdin")
    return password


@user_app.command("add")
@command
def user_add(
    name: str,
    role: Annotated[str, typer.Option("--role", help="viewer, curator, approver or admin.")],
    email: Annotated[str | None, typer.Option("--email")] = None,
    password_stdin: PasswordStdin = False,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a user; without --password-stdin a one-time password is printed once."""
    password = _stdin_password() if password_stdin else None
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        one_time = accounts.create_user(
            session, ctx.actor(session), name, role, email=email, password=password
        )
    if json_out:
        print_json({"name": name, "role": role, "one_time_password": one_time})
    elif one_time:
        typer.echo(f"added {name} ({role}); one-time password (shown once): {one_time}")
        typer.echo("they must choose a new password at first sign-in")
    else:
        typer.echo(f"added {name} ({role})")


@user_app.command("passwd")
@command
def user_passwd(name: str, password_stdin: PasswordStdin = False, as_user: AsUser = None) -> None:
    """Set NAME's password (prompted twice, or read from stdin)."""
    if password_stdin:
        password = _stdin_password()
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        auth.set_password(session, ctx.actor(session), name, password)
    typer.echo(f"password set for {name}")


@user_app.command("list")
@command
def user_list(as_user: AsUser = None, json_out: JsonFlag = False) -> None:
    """List users, their roles and whether they are active."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        rows = [u.as_dict() for u in accounts.list_users(session, ctx.actor(session))]
    if json_out:
        print_json(rows)
        return
    for r in rows:
        state = "active" if r["active"] else "deactivated"
        typer.echo(f"{r['name']:<24} {r['role']:<9} {state:<12} {r['email'] or ''}")


@user_app.command("deactivate")
@command
def user_deactivate(name: str, as_user: AsUser = None) -> None:
    """Stop NAME from signing in (their history stays in the audit log)."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        accounts.set_active(session, ctx.actor(session), name, False)
    typer.echo(f"deactivated {name}")


@app.command("erase")
@command
def erase(respondent_id: int, as_user: AsUser = None, json_out: JsonFlag = False) -> None:
    """Delete a withdrawn respondent's personal data, keeping a pseudonymous record."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        result = privacy.erase_respondent(session, ctx.actor(session), respondent_id)
    if json_out:
        print_json(result.as_dict())
    elif result.already_erased:
        typer.echo(f"respondent {respondent_id} was already erased; nothing to do")
    else:
        typer.echo(
            f"erased respondent {respondent_id}: {result.responses_cleared} responses cleared, "
            f"{result.files_deleted} files deleted"
        )
        for label, count in result.hooks_run.items():
            typer.echo(f"  {label}: {count}")


@retention_app.command("apply")
@command
def retention_apply(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List, change nothing.")] = False,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Purge respondents without consent older than the retention_days setting."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        result = privacy.apply_retention(session, ctx.actor(session), dry_run=dry_run)
    if json_out:
        print_json(result.as_dict())
        return
    verb = "would purge" if dry_run else "purged"
    typer.echo(
        f"{verb} {len(result.respondent_ids)} respondents ({result.responses} responses) "
        f"stored before {result.cutoff:%Y-%m-%d} (retention {result.retention_days} days)"
    )


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            fail(f"--since {value!r} is not a date (YYYY-MM-DD) or ISO time")
            raise  # unreachable: fail exits
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("audit")
@command
def audit_cmd(
    actor: Annotated[str | None, typer.Option("--actor", help="Only this user's entries.")] = None,
    action: Annotated[str | None, typer.Option("--action", help="Action or prefix.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="YYYY-MM-DD or ISO time.")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write a CSV file.")] = None,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Show the audit log, newest first."""
    filters = audit.AuditFilter(actor=actor, action=action, since=_parse_since(since))
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        rows = audit.audit_entries(session, ctx.actor(session), filters)
    if csv_file is not None:
        csv_file.write_text(audit_csv(rows), encoding="utf-8", newline="")
    if json_out:
        print_json([r.as_dict() for r in rows])
    elif csv_file is not None:
        typer.echo(f"wrote {len(rows)} entries to {csv_file}")
    else:
        for r in rows:
            change = f"  [{r.change}]" if r.change else ""
            target = f"{r.target_type}:{r.target_id}" if r.target_id else r.target_type
            typer.echo(f"{r.at:%Y-%m-%d %H:%M:%S}  {r.actor:<18} {r.action:<24} {target}{change}")
