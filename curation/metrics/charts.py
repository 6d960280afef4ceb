"""Plotly figures for the Engagement page and report, in the brand's colours."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from curation.config import load_settings
from curation.metrics.aggregate import BREAKDOWNS

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
DAY_MS = 86_400_000  # plotly measures date axes in milliseconds
MIN_DAYS_SHOWN = 7  # shorter series get a padded range and one tick a day
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Used only when assets/brand.toml is absent or has no colours.
_FALLBACK = {"primary": "#1B4F72", "accent": "#E67E22", "background": "#FFFFFF", "text": "#1C2833"}


@dataclass(frozen=True)
class Palette:
    primary: str
    accent: str
    background: str
    text: str
    series: tuple[str, ...]


def _colours(data: Any, prefix: str = "") -> dict[str, str]:
    """Every `name = "#hex"` in the brand file, nested tables flattened by their last key."""
    found: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and _HEX.match(value.strip()):
                found.setdefault(str(key).lower(), value.strip())
            elif isinstance(value, dict | list):
                found.update({k: v for k, v in _colours(value, key).items() if k not in found})
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, str) and _HEX.match(value.strip()):
                found.setdefault(f"{prefix}{i}", value.strip())
    return found


def _pick(colours: dict[str, str], names: tuple[str, ...], default: str) -> str:
    for name in names:  # exact role names first, as the brand kit spells them
        if name in colours:
            return colours[name]
    return default


def _brand_file() -> Path:
    """The kit in force: the Brand page's saved override, else assets/brand.toml."""
    try:
        from curation.cards.brand import brand_path

        return brand_path()
    except ImportError:
        return load_settings().assets_dir / "brand.toml"


def brand_palette(path: Path | None = None) -> Palette:
    """The brand's colours from the brand kit (fallbacks where it says nothing)."""
    path = path or _brand_file()
    colours: dict[str, str] = {}
    try:
        colours = _colours(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        colours = {}
    primary = _pick(colours, ("primary", "brand", "main"), _FALLBACK["primary"])
    accent = _pick(colours, ("accent", "secondary", "highlight"), _FALLBACK["accent"])
    background = _pick(colours, ("paper", "background", "bg"), _FALLBACK["background"])
    text = _pick(colours, ("ink", "text", "foreground"), _FALLBACK["text"])
    others = [
        c
        for k, c in colours.items()
        if c not in {primary, accent, background, text} and not k.startswith("on_")
    ]
    return Palette(primary, accent, background, text, tuple([primary, accent, *others]))


def _layout(fig: go.Figure, palette: Palette, title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        paper_bgcolor=palette.background,
        plot_bgcolor=palette.background,
        font={"color": palette.text},
        colorway=list(palette.series),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def series_figure(series: pd.DataFrame, palette: Palette) -> go.Figure:
    """Engagements of the posts published each day (bars) and engagements gained each day (line)."""
    fig = go.Figure()
    fig.add_bar(
        x=series["day"],
        y=series["engagements"],
        name="Engagements on posts published",
        marker_color=palette.primary,
    )
    fig.add_scatter(
        x=series["day"],
        y=series["engagements_gained"],
        name="Engagements gained",
        mode="lines+markers",
        line={"color": palette.accent},
    )
    fig.update_traces(selector={"type": "bar"}, width=0.8 * DAY_MS)  # daily bars, not hairlines
    _day_axis(fig, series["day"])
    return _layout(fig, palette, "Engagement over time")


def _day_axis(fig: go.Figure, days: pd.Series) -> None:
    """A date x axis at least a few days wide, so one day's data doesn't get millisecond ticks."""
    fig.update_xaxes(type="date", tickformat="%d %b")
    if days.empty:
        return
    first, last = pd.to_datetime(days.min()), pd.to_datetime(days.max())
    if last - first < pd.Timedelta(days=MIN_DAYS_SHOWN):
        fig.update_xaxes(
            range=[first - pd.Timedelta(days=1), last + pd.Timedelta(days=1)], dtick=DAY_MS
        )


def breakdown_figure(frame: pd.DataFrame, by: str, palette: Palette, top: int = 15) -> go.Figure:
    """Engagements and debate (replies + quotes) per value of `by`, largest first."""
    data = frame.head(top).iloc[::-1]
    fig = go.Figure()
    fig.add_bar(
        y=data[by].astype(str),
        x=data["engagements"],
        name="Engagements",
        orientation="h",
        marker_color=palette.primary,
    )
    fig.add_bar(
        y=data[by].astype(str),
        x=data["debate"],
        name="Replies + quotes",
        orientation="h",
        marker_color=palette.accent,
    )
    fig.update_layout(barmode="group", height=max(260, 40 + 28 * len(data)))
    return _layout(fig, palette, f"By {BREAKDOWNS.get(by, by).lower()}")


def heatmap_figure(grid: pd.DataFrame, palette: Palette, *, thin: bool) -> go.Figure:
    """Mean engagements per post by weekday × hour (Europe/London)."""
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{h:02d}:00" for h in grid.columns],
            y=WEEKDAYS,
            colorscale=[[0, palette.background], [1, palette.primary]],
            hoverongaps=False,
            colorbar={"title": "Mean eng."},
        )
    )
    fig.update_yaxes(autorange="reversed")
    title = "Best time to post (Europe/London)"
    return _layout(fig, palette, title + (" — thin data, treat as a hint" if thin else ""))


def all_figures(view: Any, palette: Palette | None = None) -> dict[str, go.Figure]:
    """Every chart for an `EngagementView`, keyed by name."""
    palette = palette or brand_palette()
    figures = {"series": series_figure(view.series, palette)}
    for by, frame in view.breakdowns.items():
        figures[by] = breakdown_figure(frame, by, palette)
    figures["heatmap"] = heatmap_figure(view.heatmap, palette, thin=view.heatmap_thin)
    return figures
