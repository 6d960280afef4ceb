"""Consent and naming wordings from real forms, through the CLI import to `responses --json`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from curation.cli import app
from curation.ingest.consent_columns import UNCERTAIN, classify_header
from curation.rights.readings import Reading, ReadingRole, read_answer
from curation.store import Database
from curation.store.foundation import Respondent
from tests.consent_corpus import FORMS, UNCERTAIN_HEADERS, WITHHOLDING, Form, wording_count

runner = CliRunner()
RANK = {"not_quotable": 0, "anonymous": 1, "named": 2}
QUESTION_1 = (
    "Do you think the Government's plans adequately address the inequalities experienced "
    "(and made more stark) as a result of the pandemic within the UK?"
)


def cli(*args: str) -> tuple[int, str]:
    out = runner.invoke(app, list(args))
    return out.exit_code, out.stdout


def write_form(folder: Path, index: int, form: Form) -> tuple[Path, list[tuple[str, str]]]:
    """A Google Forms export of `form`: one respondent a row, each with a unique name."""
    path = folder / f"form_{index}.csv"
    people = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Timestamp", "What is your name?", QUESTION_1, *form.headers])
        for row, (answers, expected) in enumerate(form.rows):
            name = f"Person{index}x{row} Testname"
            people.append((name, expected))
            writer.writerow([f"2022/02/{10 + index} 10:{row:02d}:00 AM GMT", name,
                             f"Levelling up must reach everyone, says respondent {row}.",
                             *answers])  # fmt: skip
    return path, people


def test_the_corpus_holds_at_least_eighty_wordings() -> None:
    """The corpus covers at least 80 consent and naming answers across the form shapes."""
    assert wording_count() >= 80


@pytest.mark.parametrize("index", range(len(FORMS)), ids=[f.name for f in FORMS])
def test_corpus_form_imports_with_no_leak(db: Database, consultation, tmp_path, index) -> None:
    """Named consents are listed by name; nobody is named or listed beyond what they allowed."""
    form = FORMS[index]
    path, people = write_form(tmp_path, index, form)
    code, out = cli("import", str(path), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["respondents_created"] == len(people)
    code, out = cli("responses", "--json", "--limit", "1000")
    assert code == 0, out
    listed = " ".join(row["attribution"] or "" for row in json.loads(out))
    with db.session() as session:
        stored = {r.name: r.consent_reading for r in session.scalars(select(Respondent))}
    for name, expected in people:
        got = stored[name]
        assert got is not None and RANK[got] <= RANK[expected], (name, expected, got)
        if expected == "named":
            assert got == "named", (name, form.rows)
            assert name in listed
        else:
            assert name not in listed, (name, expected)


@pytest.mark.parametrize("header", UNCERTAIN_HEADERS)
def test_uncertain_header_stops_the_import_and_says_how_to_settle(
    db: Database, consultation, tmp_path, header
) -> None:
    """A header whose consent role or polarity is not certain exits 2 naming the column."""
    form = Form("uncertain", ("May we quote you?", header), ((("Yes", "Yes"), "anonymous"),))
    path, _ = write_form(tmp_path, 0, form)
    code, _out = cli("import", str(path))
    assert code == 2
    with db.session() as session:
        assert session.scalars(select(Respondent)).first() is None
    settled = cli("import", str(path), "--column", f"{header}=anonymity", "--json")
    assert settled[0] == 0, settled[1]
    again = cli("import", str(path), "--dry-run", "--json")  # the choice was saved
    assert again[0] == 0, again[1]


def test_uncertain_header_message_names_column_and_roles(db: Database, consultation, tmp_path):
    """The one-line refusal names the column, its number and the --column form to settle it."""
    form = Form("uncertain", ("May we quote you?", "Attribution preferences"),
                ((("Yes", "Full"), "anonymous"),))  # fmt: skip
    path, _ = write_form(tmp_path, 0, form)
    out = runner.invoke(app, ["import", str(path)])
    assert out.exit_code == 2
    assert "column 5 'Attribution preferences'" in out.output
    assert '--column "Attribution preferences=ROLE"' in out.output


def test_social_media_is_not_a_recording() -> None:
    """A consent question that mentions social media is consent to quote, not media consent."""
    for header in (
        "May we quote your response publicly, for example on social media?",
        "Can we share your views on social media?",
        "Are you happy for us to use your comments in social media posts?",
    ):
        assert classify_header(header.lower()).role == "consent", header
    assert classify_header("may we share your video clip on social media?").role == "media_consent"


def test_every_uncertain_corpus_header_is_uncertain() -> None:
    """The corpus's uncertain headers classify as uncertain, never as a guessed role."""
    for header in UNCERTAIN_HEADERS:
        assert classify_header(header.lower()).role == UNCERTAIN, header


@settings(max_examples=300, deadline=None)
@given(
    before=st.sampled_from(["", "yes, ", "Yes ", "ok - ", "sure, but ", "ydw, ond ", "1 "]),
    phrase=st.sampled_from(WITHHOLDING),
    after=st.sampled_from(["", " please", ".", " thanks!", " (and my organisation)", " x"]),
    role=st.sampled_from(list(ReadingRole)),
)
def test_a_name_withholding_phrase_never_reads_named(before, phrase, after, role) -> None:
    """Any answer containing a name-withholding phrase reads at most anonymous, in any column."""
    assert read_answer(role, before + phrase + after).reading is not Reading.NAMED
