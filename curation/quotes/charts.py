"""Plotly figures for the balance view (no Streamlit here)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

QUOTE_COLOUR = "#1f5f8b"
RESPONSE_COLOUR = "#b0b7bf"


def balance_figure(table: pd.DataFrame, title: str) -> go.Figure:
    """Share of quotes beside share of quotable responses, one pair of bars per group."""
    figure = go.Figure()
    figure.add_bar(
        name="Share of quotes",
        x=table["group"],
        y=table["quote_share"],
        marker_color=QUOTE_COLOUR,
        customdata=table["quotes"],
        hovertemplate="%{x}<br>%{y:.0%} of quotes (%{customdata})<extra></extra>",
    )
    figure.add_bar(
        name="Share of quotable responses",
        x=table["group"],
        y=table["response_share"],
        marker_color=RESPONSE_COLOUR,
        customdata=table["quotable_responses"],
        hovertemplate="%{x}<br>%{y:.0%} of quotable responses (%{customdata})<extra></extra>",
    )
    figure.update_layout(
        title=title,
        barmode="group",
        yaxis_tickformat=".0%",
        legend_orientation="h",
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
    )
    return figure
