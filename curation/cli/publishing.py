"""`curation post schedule`, `posts`, `worker`, `publish-due`, `withdraw`, `accounts`."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer

from curation.access.actors import Permission, require
from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, fail, open_context, print_json

post_app = typer.Typer(help="Posts: schedule a quote on a network; set posting slots.")
app.add_typer(post_app, name="post")
accounts_app = typer.Typer(help="Network accounts: test connections.")
app.add_typer(accounts_app, name="accounts")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@post_app.command("schedule")
@command
def post_schedule(
    quote_id: Annotated[int, typer.Argument(help="An approved quote's id.")],
    network: Annotated[str, typer.Option("--network", help="x, bluesky, mastodon or outbox.")],
    at: Annotated[str, typer.Option("--at", help='"YYYY-MM-DD HH:MM" (London), now or next-slot.')],
    text: Annotated[
        str | None, typer.Option("--text", help="Post text (default: template).")
    ] = None,
    reply: Annotated[str | None, typer.Option("--reply", help="A debate follow-up reply.")] = None,
    template: Annotated[str | None, typer.Option("--template", help="Card/text template.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Card format.")] = None,
    fold: Annotated[
        int | None, typer.Option("--fold", help="0 or 1 at the autumn clock change.")
    ] = None,
    media: Annotated[
        str,
        typer.Option("--media", help="card, or audiogram (the quote's MP4; needs media consent)."),
    ] = "card",
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Schedule QUOTE_ID on a network at a London time, now, or the next free slot."""
    from curation.posts import service

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        post = service.schedule_post(
            session,
            ctx.actor(session),
            quote_id,
            network,
            at,
            text=text,
            template=template,
            fmt=fmt,
            reply_text=reply,
            fold=fold,
            media=media,
        )
        out = {**service.post_row(post), "media": media}
    if json_out:
        print_json(out)
    else:
        typer.echo(
            f"post {out['id']}: quote {quote_id} on {network} at {out['scheduled_local']} London"
        )


@post_app.command("approve")
@command
def post_approve(
    post_id: Annotated[int, typer.Argument(help="A post waiting to go out.")],
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Approve POST_ID exactly as it will go out (a second person: not its composer)."""
    from curation.posts import approval, service

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        out = service.post_row(approval.approve_post(session, ctx.actor(session), post_id))
    if json_out:
        print_json(out)
    else:
        typer.echo(f"post {post_id}: approved; it goes out at {out['scheduled_local']} London")


@post_app.command("edit")
@command
def post_edit(
    post_id: Annotated[int, typer.Argument(help="A post waiting to go out.")],
    text: Annotated[str | None, typer.Option("--text", help="The new post text.")] = None,
    reply: Annotated[
        str | None, typer.Option("--reply", help='The new debate reply ("" removes it).')
    ] = None,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Change a waiting post's text or reply; it needs approving again."""
    from curation.posts import approval, service

    if text is None and reply is None:
        fail("give --text, --reply or both")
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        post = approval.edit_post(session, ctx.actor(session), post_id, text=text,
                                  reply_text=reply)  # fmt: skip
        out = service.post_row(post)
    if json_out:
        print_json(out)
    else:
        typer.echo(f"post {post_id}: changed; it waits for approval again")


@post_app.command("mark-posted")
@command
def post_mark_posted(
    post_id: Annotated[int, typer.Argument(help="An outbox post that is ready to post by hand.")],
    url: Annotated[str, typer.Argument(help="Where it was posted (https://...).")],
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Record that a person posted POST_ID's pack at URL (audited)."""
    from curation.posts import by_hand, service

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        out = service.post_row(by_hand.mark_posted(session, ctx.actor(session), post_id, url))
    if json_out:
        print_json(out)
    else:
        typer.echo(f"post {post_id}: posted by hand at {out['remote_url']}")


@post_app.command("pack")
@command
def post_pack(
    post_id: Annotated[int, typer.Argument(help="An outbox post that is ready to post by hand.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the zip.")],
    as_user: AsUser = None,
) -> None:
    """Write POST_ID's pack (card, alt text, post text, manifest) as a zip."""
    from curation.posts import by_hand

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        data = by_hand.pack_for(session, ctx.actor(session), post_id)
    out.write_bytes(data)
    typer.echo(f"post {post_id}: pack written to {out}")


@post_app.command("receipts")
@command
def post_receipts(
    post_id: Annotated[int, typer.Argument(help="A post's id.")],
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """What each network call of POST_ID sent and what came back (never secrets)."""
    from curation.posts import receipts

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        rows = receipts.receipts_for(session, ctx.actor(session), post_id)
    if json_out:
        print_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['at'][:19]}  {r['kind']:<9} {r['network']:<9} {r['response_id'] or ''} "
            f"{r['response_url'] or ''} {r['answer'] or ''}".rstrip()
        )


@app.command("publisher-status")
@command
def publisher_status_command(json_out: JsonFlag = False) -> None:
    """Whether a worker is running (from the heartbeats) and when it last ran."""
    from curation.posts import heartbeat

    ctx = open_context()
    with ctx.db.session() as session:
        status = heartbeat.publisher_status(session)
    if json_out:
        print_json(
            {
                "running": status.running,
                "last_run": status.last_run.isoformat() if status.last_run else None,
                "networks": list(status.networks),
                "label": status.label(),
            }
        )
    else:
        typer.echo(status.label())


@post_app.command("slots")
@command
def post_slots(
    network: Annotated[str, typer.Argument(help="x, bluesky, mastodon or outbox.")],
    slot: Annotated[list[str], typer.Option("--slot", help='e.g. "tue 12:30" (repeatable).')],
    as_user: AsUser = None,
) -> None:
    """Replace NETWORK's recurring London posting slots."""
    from curation.posts import scheduling

    pairs = []
    for item in slot:
        day, _, hhmm = item.strip().lower().partition(" ")
        if day[:3] not in WEEKDAYS:
            fail(f"slot {item!r}: start with a weekday like tue")
        pairs.append((WEEKDAYS.index(day[:3]), hhmm.strip()))
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        require(ctx.actor(session), Permission.SCHEDULE_POSTS)
        rows = scheduling.set_slots(session, network, pairs)
        typer.echo(f"{network}: {len(rows)} slots")


@app.command("posts")
@command
def posts_list(
    status: Annotated[
        str | None, typer.Option("--status", help="Only posts in this state.")
    ] = None,
    network: Annotated[str | None, typer.Option("--network")] = None,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """List posts (newest first), with remote id and URL once posted."""
    from curation.posts import destinations, service

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        found = [
            service.post_row(p)
            for p in service.list_posts(session, ctx.actor(session), status=status, network=network)
        ]
        demo = destinations.demo_post_ids(session, [r["id"] for r in found])
        rows = destinations.with_states(found, destinations.not_connected_networks(session), demo)
    if json_out:
        print_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['id']:>5}  {r['network']:<9} {r['state']:<26} {r['scheduled_local']}  "
            f"{r['remote_url'] or ''}"
        )


@app.command("publish-due")
@command
def publish_due_command(
    once: Annotated[
        bool, typer.Option("--once", help="One pass over the due posts, then exit.")
    ] = False,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Publish every post that is due now, once."""
    from curation.posts.worker import publish_due

    if not once:
        fail("publish-due runs one pass; say --once (or run `curation worker` for a loop)")
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        require(ctx.actor(session), Permission.PUBLISH)
    results = [r.as_dict() for r in publish_due(ctx.db, worker_id="cli")]
    if json_out:
        print_json(results)
    else:
        for r in results:
            typer.echo(f"post {r['post_id']} on {r['network']}: {r['status']}")
        typer.echo(f"{len(results)} due posts handled")


@app.command("worker")
@command
def worker_command(
    interval: Annotated[float, typer.Option("--interval", help="Seconds between runs.")] = 30.0,
    as_user: AsUser = None,
) -> None:
    """Publish due posts in a loop until SIGTERM or Ctrl-C (the current post finishes first)."""
    import os
    import socket

    from curation.posts.worker import install_stop_signals, run_worker

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        require(ctx.actor(session), Permission.PUBLISH)
    stop = threading.Event()
    install_stop_signals(stop)
    typer.echo(f"worker {os.getpid()} started; every {interval:g}s", err=True)
    # Unique across hosts: each worker has its own heartbeat row.
    worker_id = f"worker-{socket.gethostname()}-{os.getpid()}"[:120]
    runs = run_worker(ctx.db, stop, interval, worker_id=worker_id)
    typer.echo(f"worker stopped after {runs} runs", err=True)


@app.command("withdraw")
@command
def withdraw_command(
    respondent_id: Annotated[int, typer.Argument(help="The respondent who withdrew consent.")],
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Withdraw a respondent: cancel and delete their posts, cards and quotes (idempotent)."""
    from curation.rights.withdrawal import withdraw_respondent

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        report = withdraw_respondent(session, ctx.actor(session), respondent_id).as_dict()
    if json_out:
        print_json(report)
    else:
        typer.echo(
            f"respondent {respondent_id} withdrawn: {len(report['cancelled'])} posts "
            f"cancelled, {sum(len(v) for v in report['deleted'].values())} deleted, "
            f"{report['quotes_withdrawn']} quotes withdrawn"
        )


@accounts_app.command("x-login")
@command
def accounts_x_login(
    redirect_uri: Annotated[
        str, typer.Option("--redirect-uri", help="The callback URL registered for your X app.")
    ],
    as_user: AsUser = None,
) -> None:
    """Connect X with OAuth 2.0 (PKCE): open the link, approve, paste the address you land on."""
    from curation.publishers import registry
    from curation.publishers.base import PublishError
    from curation.publishers.x import api_session
    from curation.publishers.x_oauth2 import (
        SettingTokenStore,
        finish_authorization,
        start_authorization,
    )

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        require(ctx.actor(session), Permission.MANAGE_ACCOUNTS)
    found = registry.credentials("x")
    client_id = found.get("oauth2_client_id")
    if not client_id:
        fail("set CURATION_X_OAUTH2_CLIENT_ID (your X app's OAuth 2.0 client id) first")
        return
    started = start_authorization(client_id, redirect_uri)
    typer.echo(f"Open this link, approve, then paste the address X sends you to:\n{started.url}")
    redirected = typer.prompt("Address", hide_input=True)
    try:
        token = finish_authorization(
            api_session(found.get("api_base")),
            started,
            redirected,
            client_id=client_id,
            client_secret=found.get("oauth2_client_secret"),
            store=SettingTokenStore(ctx.db.url),
        )
    except PublishError as exc:
        fail(str(exc))
        return
    typer.echo(
        "X is connected. Set CURATION_X_OAUTH2_REFRESH_TOKEN (or oauth2_refresh_token under [x]\n"
        "in .streamlit/secrets.toml) to the token below; it is used once, and the pair X\n"
        "rotates at each refresh is kept in the database from then on:"
    )
    typer.echo(token.refresh_token)


@accounts_app.command("check")
@command
def accounts_check(as_user: AsUser = None, json_out: JsonFlag = False) -> None:
    """Test each network account's connection (secrets are never shown)."""
    from curation.publishers.health import check_accounts

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        rows = check_accounts(session, ctx.actor(session))
    if json_out:
        print_json(rows)
        return
    for r in rows:
        state = "ok" if r["ok"] else ("needs reconnect" if r["needs_reconnect"] else "failing")
        typer.echo(
            f"{r['network']:<9} {r['mode']:<7} {state:<16} {r['account'] or ''} "
            f"{r['last_error'] or ''}"
        )
