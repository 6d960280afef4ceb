"""Reading form exports: every dialect, encoding and format, column matching and regions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from curation.access.actors import Actor
from curation.errors import UnusableInput
from curation.ingest import import_file, preview_file
from curation.ingest.columns import normalise_region, plan_columns
from curation.ingest.dialects import GENERIC, detect
from curation.ingest.readers import clean_text, read_table
from curation.store import Database
from curation.store.foundation import Consultation, Question, Respondent, Response

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def answers(db: Database) -> dict[tuple[str, int], str]:
    """Every stored answer keyed by (respondent name, question number)."""
    with db.session() as s:
        rows = s.execute(
            select(Respondent.name, Question.number, Response.text)
            .join(Response, Response.respondent_id == Respondent.id)
            .join(Question, Question.id == Response.question_id)
        )
        return {(name or "", number): text for name, number, text in rows}


def people(db: Database) -> dict[str, Respondent]:
    with db.session() as s:
        return {r.name or r.source_key: r for r in s.scalars(select(Respondent))}


def run(db: Database, consultation: Consultation, actor: Actor, name: str, **kw: object):
    with db.session() as s:
        return import_file(s, actor, consultation.id, EXPORTS / name, **kw)  # type: ignore[arg-type]


def test_google_forms_csv_reads_questions_people_and_combined_consent(db, consultation, curator):
    """Google Forms: Timestamp first, question texts matched, combined consent understood."""
    report = run(db, consultation, curator, "google_forms.csv")
    assert report.dialect == "google-forms"
    assert report.rows == 5 and report.respondents_created == 4
    roles = {c["header"][:20]: (c["role"], c["question"]) for c in report.columns}
    assert roles["Timestamp"] == ("submitted", None)
    assert roles["Which region do you "] == ("region", None)
    assert [c["question"] for c in report.columns if c["role"] == "question"] == [1, 2, 3, 4, 5]
    found = people(db)
    aled, priya, sam = found["Aled Jones"], found["Priya Shah"], found["Sam Taylor"]
    assert (aled.consent_to_quote, aled.anonymous, aled.region) == (True, False, "Wales")
    assert aled.organisation == "Cymdeithas Tai" and aled.email == "aled@example.org"
    assert (priya.consent_to_quote, priya.anonymous) == (True, True)
    assert (sam.consent_to_quote, sam.region) == (False, "Yorkshire and the Humber")
    assert aled.source_key.startswith("google-forms:ts:")
    readings = {r["answer"]: (r["reading"], r["source"]) for r in report.readings}
    assert readings["yes, and you can use my name"] == ("named", "built-in")
    assert readings["yes, but keep me anonymous"] == ("anonymous", "built-in")


def test_answers_are_kept_exactly(db, consultation, curator):
    """'None' and 'NA' are answers, leading zeros stay, emoji and newlines survive."""
    run(db, consultation, curator, "google_forms.csv")
    got = answers(db)
    assert got[("Priya Shah", 1)] == "None"
    assert got[("Priya Shah", 2)] == "NA"
    assert got[("Priya Shah", 3)] == "007"
    assert got[("Aled Jones", 1)] == "No. Rural Wales was left behind 😞"
    assert got[("Sam Taylor", 1)] == "Line one\nLine two, with the trains late again."
    assert ("Priya Shah", 4) not in got  # a blank answer is no response, not ""


def test_ambiguous_consent_needs_a_reading_and_unknown_region_is_reported_by_row(
    db, consultation, curator
):
    """An unclear consent answer reads not quotable and is listed as needing a reading."""
    report = run(db, consultation, curator, "google_forms.csv")
    unclear = [r for r in report.readings if r["needs_reading"]]
    assert [(r["answer"], r["reading"], r["count"]) for r in unclear] == [
        ("maybe later", "not_quotable", 1)
    ]
    assert any(e["row"] == 5 and "Mars" in e["reason"] for e in report.errors)
    assert people(db)["Jo Bloggs"].consent_to_quote is False
    assert report.skipped == [{"row": 6, "reason": "no answer to any question"}]


def test_utf8_with_bom_reads_the_same_as_without(db, consultation, curator):
    """A UTF-8 BOM does not end up in the first header (Timestamp still detected)."""
    report = run(db, consultation, curator, "google_forms_bom.csv")
    assert report.dialect == "google-forms" and report.encoding == "utf-8-sig"
    assert report.responses_created == 10


def test_microsoft_forms_xlsx_uses_the_name_question_not_anonymous(db, consultation, curator):
    """Microsoft Forms: "anonymous" in Email/Name is ignored; the name question is the name."""
    report = run(db, consultation, curator, "microsoft_forms.xlsx")
    assert report.dialect == "microsoft-forms" and report.format == "xlsx"
    found = people(db)
    assert set(found) == {"Morag Campbell", "Dylan Evans", "Chris Byrne"}
    morag, dylan, chris = found["Morag Campbell"], found["Dylan Evans"], found["Chris Byrne"]
    assert morag.email is None and morag.source_key == "microsoft-forms:id:1"
    assert (morag.consent_to_quote, morag.anonymous, morag.region) == (True, False, "Scotland")
    assert dylan.anonymous is True
    assert (chris.consent_to_quote, chris.region) == (False, "Northern Ireland")
    got = answers(db)
    assert got[("Dylan Evans", 2)] == "42" and got[("Dylan Evans", 3)] == "0123"
    assert got[("Morag Campbell", 1)] == "Not at all."


@pytest.mark.parametrize("name", ["surveymonkey.csv", "surveymonkey.xlsx"])
def test_surveymonkey_two_header_rows(db, consultation, curator, name):
    """SurveyMonkey: question row + sub-header row; contact parts found; duplicate id reported."""
    report = run(db, consultation, curator, name)
    assert report.dialect == "surveymonkey"
    assert [c["question"] for c in report.columns if c["role"] == "question"] == [1, 4, 7]
    fatima = people(db)["Fatima Begum"]
    assert fatima.organisation == "Bradford Women's Network"
    assert fatima.email == "fatima@example.org"
    assert fatima.source_key == "surveymonkey:id:114227081563"
    assert fatima.consent_to_quote is True
    assert report.skipped == [{"row": 5, "reason": "same respondent id as row 4; kept the first"}]
    assert "Which region are you in? / Other (please specify)" in report.unmatched
    assert answers(db)[("Fatima Begum", 7)] == "Councils with communities"


def test_typeform_csv(db, consultation, curator):
    """Typeform: '#' token as id, metadata columns ignored, combined consent."""
    report = run(db, consultation, curator, "typeform.csv")
    assert report.dialect == "typeform"
    assert report.unmatched == []
    found = people(db)
    grace, harry = found["Grace Okafor"], found["Harry Patel"]
    assert grace.source_key == "typeform:id:p0s8d7f6g5h4j3k2"
    assert grace.region == "Yorkshire and the Humber"
    assert grace.organisation == "Leeds Community Foundation"
    assert (harry.consent_to_quote, harry.anonymous) == (True, True)
    assert harry.region == "East of England"


def test_excel_unicode_text_utf16_tabs(db, consultation, curator):
    """Excel's "Unicode Text" (UTF-16 LE with BOM, tab-separated) reads, accents intact."""
    report = run(db, consultation, curator, "excel_unicode_text.txt")
    assert report.encoding == "utf-16" and report.dialect == "generic"
    sian = people(db)["Siân Llewellyn"]
    assert (sian.region, sian.consent_to_quote, sian.anonymous) == ("Wales", True, False)
    assert answers(db)[("Zoë Brontë", 1)] == "Café owners struggle"


def test_windows_1252_fallback_keeps_pound_and_curly_quote(db, consultation, curator):
    """A cp1252 file (not valid UTF-8) is read with £ and ’ intact."""
    report = run(db, consultation, curator, "windows_1252.csv")
    assert report.encoding == "cp1252"
    got = answers(db)
    assert got[("Ellen O’Brien", 1)] == "It costs £20 more a week to heat a home."
    assert got[("Ellen O’Brien", 2)] == "Rents are too high – far too high."
    assert people(db)["Ellen O’Brien"].consent_to_quote is True  # "I agree"


def test_json_list_of_objects(db, consultation, curator):
    """JSON: keys are headers, q1/q4 matched by number, 0 kept as the answer "0"."""
    report = run(db, consultation, curator, "responses.json")
    assert report.format == "json" and report.respondents_created == 2
    got = answers(db)
    assert got[("Rhys Morgan", 9)] == "0"
    assert ("Ana Silva", 4) not in got  # null is no answer
    assert people(db)["Ana Silva"].consent_to_quote is False


def test_mapping_file_names_columns(db, consultation, curator):
    """A TOML mapping maps odd headers; unnamed roles are never guessed wrongly."""
    report = run(db, consultation, curator, "needs_mapping.csv",
                 mapping=EXPORTS / "needs_mapping.toml")  # fmt: skip
    assert report.dialect == "generic (mapping)"
    beth = people(db)["Beth Ward"]
    assert (beth.organisation, beth.consent_to_quote) == ("Hull CVS", True)
    assert beth.source_key == "generic:id:M-1"
    got = answers(db)
    assert got[("Beth Ward", 1)] == "Cost of living bites."
    assert got[("Beth Ward", 7)] == "Decision making should be local."


def test_mapping_naming_a_missing_column_is_unusable(db, consultation, curator, tmp_path):
    """A mapping that names a column the file lacks is refused, naming the column."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"Nope" = "q1"\n')
    with pytest.raises(UnusableInput, match="'Nope'"):
        run(db, consultation, curator, "needs_mapping.csv", mapping=mapping)


def test_without_mapping_the_odd_file_is_unusable(db, consultation, curator):
    """No column matching a question: UnusableInput naming the file and suggesting --mapping."""
    with pytest.raises(UnusableInput, match=r"needs_mapping\.csv: no column matches.*--mapping"):
        run(db, consultation, curator, "needs_mapping.csv")


def test_forced_dialect_overrides_detection(db, consultation, curator):
    """--dialect generic reads a Google export without its dialect's time and email rules."""
    with db.session() as s:
        report = preview_file(s, curator, consultation.id, EXPORTS / "google_forms.csv",
                              dialect="generic")  # fmt: skip
    assert report.dialect == "generic"
    with db.session() as s, pytest.raises(UnusableInput, match="unknown dialect"):
        preview_file(s, curator, consultation.id, EXPORTS / "google_forms.csv", dialect="x")


def test_detect_by_header_shape():
    """Each tool's header shape is recognised; anything else is generic."""
    assert detect([["Timestamp", "Q1"]]).name == "google-forms"
    assert detect([["ID", "Start time", "Completion time", "Email", "Name"]]).name == (
        "microsoft-forms"
    )
    assert detect([["Respondent ID", "Collector ID", "Start Date"], ["", "", ""]]).name == (
        "surveymonkey"
    )
    assert detect([["#", "Q1", "Submit Date (UTC)", "Network ID"]]).name == "typeform"
    assert detect([["Ref", "Q1"]]).name == "generic"


def test_question_columns_by_number_and_text(consultation):
    """'Q3', '3.', 'Question 3' and a fuzzy question text all match; a name question does not."""
    qs = [(q.number, q.text, q.label) for q in consultation.questions]
    headers = ["Q3", "4. Who should own it?", "Question 5",
               "Who should be leading decision making on levelling up?", "1. Your name",
               "Pandemic inequalities", "Favourite colour"]  # fmt: skip
    cols = plan_columns([headers], GENERIC, qs)
    got = [(c.role, c.question) for c in cols]
    assert got == [("question", 3), ("question", 4), ("question", 5), ("question", 7),
                   ("name", None), ("question", 1), ("unmatched", None)]  # fmt: skip


def test_consent_headers_beat_name_headers(consultation):
    """'May we use your name?' is consent, 'Organisation name' is organisation, not name."""
    qs = [(q.number, q.text, q.label) for q in consultation.questions]
    cols = plan_columns([["Q1", "May we use your name and quote you?", "Organisation name",
                          "Would you prefer to stay anonymous?", "Consent to use video"]],
                        GENERIC, qs)  # fmt: skip
    assert [c.role for c in cols] == [
        "question", "consent", "organisation", "anonymity", "media_consent",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "region"),
    [("North East", "North East"), ("yorkshire & humber", "Yorkshire and the Humber"),
     ("East of England", "East of England"), ("Greater London", "London"),
     ("South West England", "South West"), ("Cymru", "Wales"), ("NI", "Northern Ireland"),
     ("Scotland ", "Scotland"), ("West Midlands", "West Midlands"), ("Mars", None), ("", None)],
)  # fmt: skip
def test_regions_normalise_to_uk_nations_and_english_regions(raw, region):
    """Free-text regions map to the twelve UK nations and English regions, else None."""
    assert normalise_region(raw) == region


def test_clean_text_nfc_and_control_characters():
    """Decomposed accents become NFC; control characters go; newlines and tabs stay."""
    assert clean_text("Sia\u0302n\x00\x07 ok\r\nnext\tcol\x1b") == "Siân ok\nnext\tcol"


def test_unusable_files_raise_one_line_reasons(tmp_path):
    """Empty, undecodable, old .xls, broken JSON and non-list JSON each give a clear reason."""
    cases = {
        "empty.csv": (b"", "empty"),
        "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old Excel"),
        "bad.json": (b"[{", "not valid JSON"),
        "obj.json": (b'{"a": 1}', "list of objects"),
        "broken.xlsx": (b"PK\x03\x04garbage", "not a readable .xlsx"),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(UnusableInput, match=reason) as caught:
            read_table(path)
        assert name in str(caught.value) and "\n" not in str(caught.value)


def test_undecodable_utf16_is_unusable(tmp_path):
    """A UTF-16 BOM followed by an odd number of bytes cannot be decoded: UnusableInput."""
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\xff\xfeA\x00B")
    with pytest.raises(UnusableInput, match="cannot be read as utf-16"):
        read_table(path)


def test_fixture_copy_with_other_name_keeps_the_given_filename(db, consultation, curator, tmp_path):
    """The page passes the uploaded file's name; reports and batches use it."""
    copy = tmp_path / "upload-123.bin"
    shutil.copy(EXPORTS / "typeform.csv", copy)
    with db.session() as s:
        report = import_file(s, curator, consultation.id, copy, filename="typeform.csv")
    assert report.file == "typeform.csv" and report.dialect == "typeform"
