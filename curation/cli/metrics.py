"""`curation metrics ...`: sync from the networks, summarise, import X exports, export reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, fail, open_context, print_json

metrics_app = typer.Typer(help="Engagement metrics: sync, summary, X CSV import, export.")
app.add_typer(metrics_app, name="metrics")


@metrics_app.command("sync")
@command
def metrics_sync(as_user: AsUser = None, json_out: JsonFlag = False) -> None:
    """Fetch every published post's metrics and store a time-stamped snapshot."""
    from curation.metrics.sync import sync_metrics

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
    report = sync_metrics(ctx.db, actor)
    if json_out:
        print_json(report.to_dict())
        return
    for net in report.networks.values():
        state = (
            net.skipped
            or net.error
            or ("rate limited, rest next run" if net.rate_limited else "ok")
        )
        extra = ", public metrics only" if net.fallback_public else ""
        typer.echo(
            f"{net.network:<9} posts {net.posts:>5}  stored {net.stored:>5}  "
            f"missing {net.missing:>3}  {state}{extra}"
        )


@metrics_app.command("summary")
@command
def metrics_summary(as_user: AsUser = None, json_out: JsonFlag = False) -> None:
    """Totals overall, by question and by mission (each post's latest snapshot)."""
    from curation.metrics import metrics_summary as summarise

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        out = summarise(session, ctx.actor(session), ctx.consultation_of(session).id)
    if json_out:
        print_json(out)
        return
    rate = "—" if out["engagement_rate"] is None else f"{out['engagement_rate']:.2%}"
    typer.echo(
        f"posts {out['posts']}  impressions {out['impressions']}  engagements "
        f"{out['engagements']}  rate {rate}  replies {out['replies']}  "
        f"quotes {out['quotes']}"
    )
    for title, key in (("By question", "by_question"), ("By mission", "by_mission")):
        typer.echo(title + ":")
        for name, row in out[key].items():
            typer.echo(f"  {name[:50]:<50} posts {row['posts']:>4}  eng {row['engagements']:>7}")


@metrics_app.command("import-x-csv")
@command
def metrics_import_x_csv(
    file: Annotated[Path, typer.Argument(help="An X analytics CSV export.")],
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Store snapshots from an X analytics export, matched to our posts by tweet id."""
    from curation.metrics.x_csv import import_x_csv

    ctx = open_context(as_user)
    with ctx.db.session() as session:
        report = import_x_csv(session, ctx.actor(session), file)
    out = {"rows": report.rows, "stored": report.stored, "unmatched": report.unmatched}
    if json_out:
        print_json(out)
    else:
        typer.echo(
            f"{out['rows']} rows: {out['stored']} stored, {out['unmatched']} not posts of ours"
        )


@metrics_app.command("export")
@command
def metrics_export(
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write a CSV per post.")] = None,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Write a one-page report.")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Export the engagement figures as CSV (formulas neutralised) or a self-contained HTML page."""
    from curation.metrics import engagement_view
    from curation.metrics.report import engagement_csv, engagement_html

    if (csv_file is None) == (html_file is None):
        fail("give exactly one of --csv FILE or --html FILE")
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        consultation = ctx.consultation_of(session)
        view = engagement_view(session, ctx.actor(session), consultation.id)
        title = f"Engagement — {consultation.title}"
    if csv_file is not None:
        csv_file.write_text(engagement_csv(view), encoding="utf-8", newline="")
        typer.echo(f"wrote {csv_file} ({len(view.posts)} posts)")
    elif html_file is not None:
        html_file.write_text(engagement_html(view, title=title), encoding="utf-8")
        typer.echo(f"wrote {html_file}")
