"""`curation themes compute|list|rename|merge|split`, `curation duplicates` and
`curation balance --json`: what the answers say, and how fairly the quotes show it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer

from curation.analysis import campaigns, job, plan, service
from curation.cli import app
from curation.cli.context import AsUser, JsonFlag, command, open_context, print_json
from curation.quotes import balance

themes_app = typer.Typer(help="Themes found in the answers to each question.")
app.add_typer(themes_app, name="themes")


@themes_app.command("compute")
@command
def themes_compute(
    threshold: Annotated[
        float, typer.Option("--threshold", help="Near-duplicate similarity (0-1).")
    ] = campaigns.THRESHOLD,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """Find themes, campaign groups and tone for the current consultation (staff edits kept)."""
    if not 0 < threshold <= 1:
        from curation.errors import UnusableInput

        raise UnusableInput("--threshold must be above 0 and at most 1")
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        consultation_id = ctx.consultation_of(session).id
        run_id = job.start_run(session, actor, consultation_id, threshold=threshold)

    def progress(stage: str, fraction: float) -> None:
        if not json_out:
            typer.echo(f"{fraction:4.0%}  {stage}", err=True)

    figures = job.run_analysis(ctx.db, actor, run_id, on_progress=progress)
    out = {k: v for k, v in figures.items() if k != "counts"}
    if json_out:
        print_json({"run": run_id, **out})
    else:
        typer.echo(
            f"{out['answers']} answers; {out['groups']} near-duplicate groups holding "
            f"{out['in_groups']} answers (similarity >= {out['threshold']:.2f})"
        )


def _theme_out(view: service.ThemeView) -> dict[str, Any]:
    out = asdict(view)
    out["passages"] = [asdict(p) for p in view.passages]
    return out


@themes_app.command("list")
@command
def themes_list(
    question: Annotated[int | None, typer.Option("--question", help="Only this question.")] = None,
    as_user: AsUser = None,
    json_out: JsonFlag = False,
) -> None:
    """The themes with their terms, shares and representative passages."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        views = service.list_themes(session, actor, ctx.consultation_of(session).id, question)
        rows = [_theme_out(v) for v in views]
    if json_out:
        print_json(rows)
        return
    if not rows:
        typer.echo("No themes yet: run `curation themes compute`.")
    for r in rows:
        typer.echo(
            f"[{r['id']}] Q{r['question_number']} {r['label']} — {r['answer_share']:.0%} of "
            f"answers, {r['quotable_share']:.0%} of quotable; terms: {', '.join(r['terms'])}"
        )


@themes_app.command("rename")
@command
def themes_rename(theme_id: int, label: str, as_user: AsUser = None) -> None:
    """Give theme THEME_ID the label LABEL (kept across recomputes)."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        service.rename_theme(session, ctx.actor(session), theme_id, label)
    typer.echo(f"theme {theme_id} renamed")


@themes_app.command("merge")
@command
def themes_merge(source_id: int, target_id: int, as_user: AsUser = None) -> None:
    """Merge theme SOURCE_ID into TARGET_ID (kept across recomputes)."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        service.merge_themes(session, ctx.actor(session), source_id, target_id)
    typer.echo(f"theme {source_id} merged into {target_id}")


@themes_app.command("split")
@command
def themes_split(theme_id: int, as_user: AsUser = None) -> None:
    """Split theme THEME_ID in two by its answers' words (kept across recomputes)."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        service.split_theme(session, ctx.actor(session), theme_id)
    typer.echo(f"theme {theme_id} split in two")


@app.command("duplicates")
@command
def duplicates(as_user: AsUser = None, json_out: JsonFlag = False) -> None:
    """Campaign and near-duplicate groups (sizes and response ids, no text)."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        consultation_id = ctx.consultation_of(session).id
        groups = [asdict(g) for g in service.duplicate_groups(session, actor, consultation_id)]
        run = service.latest_run(session, actor, consultation_id)
    threshold = (run.figures.get("threshold") if run else None) or campaigns.THRESHOLD
    if json_out:
        print_json({"threshold": threshold, "groups": groups})
        return
    typer.echo(f"{len(groups)} groups (word 3-gram similarity >= {threshold:.2f})")
    for g in groups:
        typer.echo(
            f"  group {g['key']}: Q{g['question_number']}, {g['size']} answers, "
            f"{g['quotable']} quotable"
        )


@app.command("balance")
@command
def balance_cmd(as_user: AsUser = None, json_out: JsonFlag = False) -> None:
    """The quote plan: shares per dimension, the flagged gaps and the proposed next quotes."""
    ctx = open_context(as_user)
    with ctx.db.session() as session:
        actor = ctx.actor(session)
        consultation_id = ctx.consultation_of(session).id
        the_plan = plan.quote_plan(session, actor, consultation_id)
    gaps = [{**asdict(g), "points": g.points, "flagged": g.flagged} for g in the_plan.gaps]
    out = {
        "quotes": the_plan.total_quotes,
        "effective_responses": round(the_plan.effective_responses, 2),
        "representativeness": the_plan.representativeness,
        "gap_limit_points": balance.GAP * 100,
        "gaps": gaps,
        "proposals": [asdict(p) for p in the_plan.proposals],
    }
    if json_out:
        print_json(out)
        return
    figure = the_plan.representativeness
    typer.echo(
        f"{the_plan.total_quotes} quotes; representativeness "
        + (f"{figure:.0%}" if figure is not None else "not yet measured")
    )
    for g in the_plan.flagged:
        typer.echo(f"  off by {g.points:+.0f} points: {g.dimension} {g.group}")
    for p in the_plan.proposals:
        typer.echo(f"  propose response {p.response_id} [{p.start}:{p.end}] ({p.theme})")
