"""Exports of the engagement figures: a CSV per post and a one-page HTML report that works offline.

The CSV goes through `curation.exports.csv_text`, which neutralises spreadsheet formulas.
The HTML escapes every piece of text and carries plotly's JavaScript inline, so it opens
without a network connection.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from curation.exports import csv_text
from curation.metrics.aggregate import BREAKDOWNS, EngagementView, Kpi
from curation.metrics.charts import Palette, all_figures, brand_palette

CSV_COLUMNS = (
    "post_id", "network", "posted_at", "question", "missions", "template", "format", "region",
    "sector", "quote_id", "quote_text", "remote_url", "impressions", "likes", "reposts",
    "replies", "quotes", "bookmarks", "link_clicks", "profile_clicks", "engagements", "debate",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def engagement_csv(view: EngagementView) -> str:
    """One row per post with its latest figures; formulas neutralised."""
    rows = ({k: _plain(v) for k, v in row.items()} for row in view.posts.to_dict("records"))
    return csv_text(rows, CSV_COLUMNS)


def format_kpi(kpi: Kpi) -> tuple[str, str | None]:
    """The tile's value and its change against the previous period, as text."""
    if kpi.value is None:
        value = "—"
    elif kpi.label == "Engagement rate":
        value = f"{kpi.value:.2%}"
    else:
        value = f"{int(kpi.value):,}"
    change = None if kpi.change is None else f"{kpi.change:+.0%} vs previous period"
    return value, change


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in columns)
    body = []
    for row in frame[columns].to_dict("records"):
        cells = "".join(
            f"<td>{html.escape('' if _plain(v) is None else str(_plain(v)))}</td>"
            for v in row.values()
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def engagement_html(view: EngagementView, *, title: str, palette: Palette | None = None) -> str:
    """A one-page, self-contained HTML report: tiles, every chart, the top quotes."""
    palette = palette or brand_palette()
    figures = all_figures(view, palette)
    charts = []
    for i, (name, fig) in enumerate(figures.items()):
        charts.append(
            f'<section class="chart" id="chart-{html.escape(name)}">'
            + fig.to_html(
                full_html=False,
                include_plotlyjs="inline" if i == 0 else False,
                config={"displaylogo": False},
            )
            + "</section>"
        )
    tiles = []
    for kpi in view.kpis:
        value, change = format_kpi(kpi)
        tiles.append(
            f'<div class="tile"><div class="label">{html.escape(kpi.label)}</div>'
            f'<div class="value">{html.escape(value)}</div>'
            f'<div class="change">{html.escape(change or "")}</div></div>'
        )
    f = view.filters
    scope = (
        f"{f.start or 'start'} to {f.end or 'today'}; networks: "
        f"{', '.join(f.networks) if f.networks else 'all'}"
    )
    thin = (
        "<p class='note'>Thin data: fewer than enough posts for a reliable best time to "
        "post; treat the heatmap as a hint.</p>"
        if view.heatmap_thin
        else ""
    )
    top = _table(
        view.top_quotes,
        ["quote_text", "question", "networks", "posts", "engagements", "debate", "post_url"],
    )
    generated = view.generated_at.isoformat(timespec="minutes") if view.generated_at else ""
    breakdown_names = ", ".join(BREAKDOWNS.values())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; background: {palette.background};
       color: {palette.text}; margin: 2rem; }}
h1 {{ color: {palette.primary}; }}
.tiles {{ display: flex; gap: 1rem; flex-wrap: wrap; }}
.tile {{ border-top: 4px solid {palette.accent}; padding: .5rem 1rem; min-width: 10rem;
        background: #fff; }}
.tile .value {{ font-size: 1.6rem; font-weight: bold; color: {palette.primary}; }}
.tile .change, .note {{ font-size: .85rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ccc; padding: .3rem; text-align: left; vertical-align: top; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(scope)}. Generated {html.escape(generated)} UTC.
Breakdowns: {html.escape(breakdown_names)}.</p>
<div class="tiles">{"".join(tiles)}</div>
{"".join(charts)}
{thin}
<h2>Top quotes</h2>
{top}
</body></html>
"""
