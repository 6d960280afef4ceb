"""Engagement exports (CSV formulas neutralised, offline HTML), X CSV import and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from curation.access.actors import Actor
from curation.cli import app
from curation.errors import UnusableInput
from curation.metrics import engagement_view
from curation.metrics.report import engagement_csv, engagement_html
from curation.metrics.x_csv import import_x_csv
from curation.store import Database
from curation.store.foundation import Consultation
from curation.store.metrics import MetricSnapshot
from tests.metrics_fixtures import published_post

FORMULA = '=HYPERLINK("http://evil.example","click") is what we need in every town.'
CLASSIC_HEADER = (
    '"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements",'
    '"engagement rate","retweets","replies","likes","user profile clicks",'
    '"url clicks","hashtag clicks"\n'
)


def _post_with_metrics(
    db: Database, consultation: Consultation, text: str = FORMULA, remote_id: str = "1001"
) -> int:
    with db.session() as session:
        c = session.get(Consultation, consultation.id)
        assert c is not None
        post = published_post(
            session,
            c,
            network="x",
            remote_id=remote_id,
            text=text,
            question=4,
            missions=["pay"],
            posted_at=datetime(2026, 3, 2, 12, tzinfo=UTC),
        )
        session.add(
            MetricSnapshot(
                post_id=post.id,
                taken_at=datetime(2026, 3, 3, tzinfo=UTC),
                impressions=200,
                likes=8,
                replies=2,
                quotes=1,
                engagements=15,
                source="api",
            )
        )
        return post.id


def test_csv_export_neutralises_spreadsheet_formulas(
    db: Database, consultation: Consultation, approver: Actor
) -> None:
    """A quote starting with '=' is written with a leading apostrophe; figures stay numbers."""
    _post_with_metrics(db, consultation)
    with db.session() as session:
        view = engagement_view(session, approver, consultation.id)
    rows = list(csv.DictReader(io.StringIO(engagement_csv(view))))
    assert len(rows) == 1
    assert rows[0]["quote_text"] == "'" + FORMULA
    figures = (rows[0]["impressions"], rows[0]["engagements"], rows[0]["replies"])
    assert figures == ("200", "15", "2")
    assert rows[0]["network"] == "x"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values() if v)


def test_html_report_is_self_contained_and_escapes_text(
    db: Database, consultation: Consultation, approver: Actor
) -> None:
    """The report carries plotly inline (works offline) and shows respondent text escaped."""
    _post_with_metrics(db, consultation, text="<script>alert(1)</script> buses matter most here.")
    with db.session() as session:
        view = engagement_view(session, approver, consultation.id)
    page = engagement_html(view, title="Engagement <test>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Engagement &lt;test&gt;" in page
    assert 'src="https://cdn.plot.ly' not in page and "cdn.plot.ly/plotly" not in page
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # the library itself is inline
    assert "#0E3B43" in page  # the brand's primary colour


def test_x_csv_import_matches_posts_by_tweet_id(
    db: Database, consultation: Consultation, approver: Actor, tmp_path: Path, now: datetime
) -> None:
    """Rows for our tweets become csv snapshots; other tweets of the account are counted."""
    post_id = _post_with_metrics(db, consultation, remote_id="1500000000000000001")
    export = tmp_path / "tweet_activity.csv"
    export.write_text(
        CLASSIC_HEADER
        + '"1500000000000000001","https://twitter.com/desk/status/1500000000000000001","…",'
        '"2026-03-02 12:00 +0000","1,234","56","0.045","4","3","30","5","9","0"\n'
        + '"1500000000000000999","https://twitter.com/desk/status/1500000000000000999","…",'
        '"2026-03-01 12:00 +0000","10","1","0.1","0","0","1","0","0","0"\n',
        encoding="utf-8",
    )
    with db.session() as session:
        report = import_x_csv(session, approver, export, now=now)
    assert (report.rows, report.stored, report.unmatched) == (2, 1, 1)
    with db.session() as session:
        snap = session.scalars(
            select(MetricSnapshot).where(
                MetricSnapshot.post_id == post_id, MetricSnapshot.source == "csv"
            )
        ).one()
    assert (snap.impressions, snap.engagements, snap.reposts, snap.replies, snap.likes) == (
        1234,
        56,
        4,
        3,
        30,
    )
    assert (snap.profile_clicks, snap.link_clicks, snap.quotes, snap.taken_at) == (5, 9, None, now)


def test_x_csv_with_bad_rows_is_refused_whole_with_row_numbers(
    db: Database, consultation: Consultation, approver: Actor, tmp_path: Path
) -> None:
    """An unusable row names its row number; nothing from the file is stored."""
    _post_with_metrics(db, consultation, remote_id="1500000000000000001")
    export = tmp_path / "bad.csv"
    export.write_text(
        CLASSIC_HEADER
        + '"1500000000000000001","","…","","100","5","","0","0","5","0","0","0"\n'
        + '"","","…","","100","5","","0","0","5","0","0","0"\n'
        + '"1500000000000000001","","…","","lots","5","","0","0","5","0","0","0"\n',
        encoding="utf-8",
    )
    with db.session() as session, pytest.raises(UnusableInput) as err:
        import_x_csv(session, approver, export)
    assert "row 3: no usable tweet id" in str(err.value)
    assert "row 4: impressions is not a count ('lots')" in str(err.value)
    with db.session() as session:
        assert session.scalar(select(func.count()).where(MetricSnapshot.source == "csv")) == 0


def test_newer_x_export_headers_and_permalink_ids_are_understood(
    db: Database, consultation: Consultation, approver: Actor, tmp_path: Path
) -> None:
    """ "Post Link" and "Reposts"-style headers from the newer export are read too."""
    post_id = _post_with_metrics(db, consultation, remote_id="1700000000000000002")
    export = tmp_path / "new.csv"
    export.write_text(
        "Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,"
        "Replies,Reposts,Profile visits,URL Clicks\n"
        ",2026-03-02,…,https://x.com/desk/status/1700000000000000002,900,20,40,3,1,4,6,2,5\n",
        encoding="utf-8",
    )
    with db.session() as session:
        report = import_x_csv(session, approver, export)
    assert report.stored == 1
    with db.session() as session:
        snap = session.scalars(
            select(MetricSnapshot).where(
                MetricSnapshot.post_id == post_id, MetricSnapshot.source == "csv"
            )
        ).one()
    assert (snap.impressions, snap.reposts, snap.bookmarks, snap.profile_clicks) == (900, 6, 3, 2)


def test_a_file_that_is_not_an_x_export_is_refused(
    db: Database, approver: Actor, tmp_path: Path
) -> None:
    """A CSV without a tweet id column says what is wrong."""
    other = tmp_path / "other.csv"
    other.write_text("name,email\nA,a@example.org\n", encoding="utf-8")
    with db.session() as session, pytest.raises(UnusableInput, match="not an X analytics export"):
        import_x_csv(session, approver, other)


def test_cli_summary_json_has_the_documented_shape(
    db: Database, consultation: Consultation
) -> None:
    """`curation metrics summary --json` prints totals, by_question and by_mission."""
    _post_with_metrics(db, consultation)
    result = CliRunner().invoke(app, ["metrics", "summary", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {k: out[k] for k in ("posts", "impressions", "engagements", "replies", "quotes")} == {
        "posts": 1,
        "impressions": 200,
        "engagements": 15,
        "replies": 2,
        "quotes": 1,
    }
    assert out["engagement_rate"] == pytest.approx(0.075)
    assert out["by_question"]["Q4 Defining success"]["engagements"] == 15
    assert list(out["by_mission"]) != []


def test_cli_sync_without_credentials_skips_every_network(db: Database) -> None:
    """`curation metrics sync --json` runs offline and says why nothing was asked."""
    result = CliRunner().invoke(app, ["metrics", "sync", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["stored"] == 0 and set(out["networks"]) == {"x", "bluesky", "mastodon"}


def test_cli_export_and_import_exit_codes(
    db: Database, consultation: Consultation, tmp_path: Path
) -> None:
    """Export writes the file; a bad import exits 2 with one line; export needs one target."""
    _post_with_metrics(db, consultation)
    runner = CliRunner()
    target = tmp_path / "e.csv"
    assert runner.invoke(app, ["metrics", "export", "--csv", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("post_id,network")
    html_target = tmp_path / "e.html"
    assert runner.invoke(app, ["metrics", "export", "--html", str(html_target)]).exit_code == 0
    assert html_target.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert runner.invoke(app, ["metrics", "export"]).exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n", encoding="utf-8")
    result = runner.invoke(app, ["metrics", "import-x-csv", str(bad)])
    assert result.exit_code == 2
    assert "not an X analytics export" in result.stderr
