"""`curation responses|quotes` page with --offset and stream with --all; `curation export`
writes what the acting user may see as CSV, XLSX or JSON lines, formula-safe."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from curation.access.actors import Actor
from curation.cli import app
from curation.quotes import workflow
from curation.store import Database
from curation.store.foundation import Consultation, Response
from tests.quote_fixtures import add_response

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def stored(db: Database, consultation: Consultation, curator: Actor) -> list[int]:
    """Seven quotable answers (newest first by id), one formula-like, and one never shown."""
    with db.session() as session:
        ids = []
        for i in range(7):
            text = FORMULA if i == 3 else f"Answer number {i} about buses and broadband."
            response = add_response(session, consultation, text, name=f"Person {i}")
            response.submitted_at = NOW + timedelta(minutes=i)
            ids.append(response.id)
        add_response(session, consultation, "Private words, never exported.", consent=False)
        workflow.create_quote(session, curator, ids[0], [(0, 13)], now=NOW)
        workflow.create_quote(session, curator, ids[1], [(0, 13)], now=NOW + timedelta(seconds=1))
    return ids[::-1]  # newest first, the list's order


def _json(args: list[str]) -> object:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_responses_page_with_offset(stored: list[int]) -> None:
    """--offset skips rows in the list's order, and two pages cover the list once."""
    first = _json(["responses", "--json", "--limit", "4"])
    second = _json(["responses", "--json", "--limit", "4", "--offset", "4"])
    assert [r["id"] for r in first] + [r["id"] for r in second] == stored  # type: ignore[index]


def test_responses_all_streams_json_lines(stored: list[int]) -> None:
    """--all prints every quotable response from --offset on, one JSON object per line."""
    result = CliRunner().invoke(app, ["responses", "--all", "--offset", "2"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == stored[2:]
    assert "Private words" not in result.stdout


def test_quotes_page_and_all(stored: list[int]) -> None:
    """`quotes` pages with --offset/--limit and streams with --all."""
    everything = _json(["quotes", "--json"])
    page = _json(["quotes", "--json", "--offset", "1", "--limit", "1"])
    assert len(everything) == 2  # type: ignore[arg-type]
    assert page == everything[1:]  # type: ignore[index]
    result = CliRunner().invoke(app, ["quotes", "--all"])
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [
        q["id"]
        for q in everything  # type: ignore[attr-defined]
    ]


def test_export_responses_csv_is_formula_safe(stored: list[int], tmp_path: Path) -> None:
    """The CSV export has every quotable response, formula cells neutralised, no hidden text."""
    out = tmp_path / "responses.csv"
    result = CliRunner().invoke(app, ["export", "responses", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == stored
    assert "'" + FORMULA in [r["text"] for r in rows]
    assert "Private words" not in text


def test_export_xlsx_cells_are_text(stored: list[int], tmp_path: Path) -> None:
    """The XLSX export writes formula-like answers as text, never as formulas."""
    out = tmp_path / "responses.xlsx"
    result = CliRunner().invoke(app, ["export", "responses", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "id"
    texts = [row[4] for row in values[1:]]
    assert "'" + FORMULA in texts
    assert len(texts) == len(stored)


def test_export_quotes_and_posts_jsonl(db: Database, stored: list[int]) -> None:
    """Quotes and posts export as JSON lines; xlsx without --out is refused with exit 2."""
    quotes = CliRunner().invoke(app, ["export", "quotes", "--format", "jsonl"])
    assert quotes.exit_code == 0, quotes.output
    assert len(quotes.stdout.splitlines()) == 2
    posts = CliRunner().invoke(app, ["export", "posts", "--format", "jsonl"])
    assert posts.exit_code == 0, posts.output
    assert posts.stdout == ""
    refused = CliRunner().invoke(app, ["export", "quotes", "--format", "xlsx"])
    assert refused.exit_code == 2
    with db.session() as session:
        assert session.scalar(select(Response.id).where(Response.id == stored[0]))
