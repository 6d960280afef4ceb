"""Importing into the store: idempotent re-import, dry run, all or nothing, caps, consent state."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from curation import consultations
from curation.access.actors import LOCAL_ADMIN, Actor, Role
from curation.cli import app
from curation.errors import PermissionDenied, UnusableInput
from curation.ingest import import_file, pseudonym, readers, writer
from curation.ingest.tagging import KeywordTagger
from curation.responses import themes
from curation.store import Database
from curation.store.consent import ColumnRoleChoice
from curation.store.foundation import (
    AuditEntry,
    ErasureRecord,
    ImportBatch,
    Respondent,
    Response,
    ResponseTheme,
    Theme,
)

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
GOOGLE = EXPORTS / "google_forms.csv"
JSON_KEYS = ["dialect", "rows", "respondents_created", "respondents_updated",
             "responses_created", "responses_unchanged", "skipped", "errors"]  # fmt: skip


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Respondent, Response, ResponseTheme, ImportBatch, AuditEntry)
        }


def imported(db: Database, consultation_id: int, path: Path = GOOGLE, **kw: object):
    with db.session() as s:
        return import_file(s, LOCAL_ADMIN, consultation_id, path, **kw)  # type: ignore[arg-type]


def edited_copy(tmp_path: Path, old: str, new: str, source: Path = GOOGLE) -> Path:
    copy = tmp_path / source.name
    text = source.read_text(encoding="utf-8")
    assert old in text
    copy.write_text(text.replace(old, new), encoding="utf-8", newline="")
    return copy


def test_reimporting_the_same_file_changes_nothing_and_says_so(db, consultation):
    """A second import of the same file creates and updates nothing; it reports unchanged."""
    first = imported(db, consultation.id)
    before = counts(db)
    second = imported(db, consultation.id)
    after = counts(db)
    assert first.responses_created == 10 and first.changed
    assert (second.respondents_created, second.respondents_updated) == (0, 0)
    assert (second.responses_created, second.responses_updated) == (0, 0)
    assert second.responses_unchanged == 10 and not second.changed
    for table in ("respondents", "responses", "response_themes"):
        assert after[table] == before[table]
    # Each import is recorded: one batch and one audit entry each.
    assert after["import_batches"] == 2 and after["audit_log"] == before["audit_log"] + 1


def test_a_changed_answer_updates_its_response_and_tags(db, consultation, tmp_path):
    """Changing one answer updates that response (new hash, new missions), nothing else."""
    imported(db, consultation.id)
    with db.session() as s:
        old = s.scalars(select(Response).where(Response.text == "Schools need more.")).one()
        old_id, old_hash = old.id, old.content_hash
    changed = edited_copy(tmp_path, "Schools need more.", "Buses need more.")
    report = imported(db, consultation.id, changed)
    assert (report.responses_updated, report.responses_created) == (1, 0)
    assert report.responses_unchanged == 9
    with db.session() as s:
        new = s.get(Response, old_id)
        assert new is not None and new.text == "Buses need more."
        assert new.content_hash != old_hash
        assert [t.slug for t in new.themes] == ["transport"]


def test_a_manual_tag_survives_a_changed_answer(db, consultation, tmp_path):
    """Keyword tags are redone for a changed answer; tags set by hand stay."""
    imported(db, consultation.id)
    with db.session() as s:
        resp = s.scalars(select(Response).where(Response.text == "Schools need more.")).one()
        crime = s.scalars(select(Theme).where(Theme.slug == "crime")).one()
        themes.set_tags(s, LOCAL_ADMIN, resp.id, [crime.id])
        resp_id = resp.id
    imported(db, consultation.id, edited_copy(tmp_path, "Schools need more.", "Trains, please."))
    with db.session() as s:
        got = sorted(t.slug for t in s.get(Response, resp_id).themes)  # type: ignore[union-attr]
    assert got == ["crime", "transport"]


def test_changed_details_update_the_respondent(db, consultation, tmp_path):
    """A changed consent answer in a later export updates the same respondent."""
    imported(db, consultation.id)
    report = imported(
        db, consultation.id,
        edited_copy(tmp_path, "No, keep it private", "Yes, and you can use my name"),
    )  # fmt: skip
    assert (report.respondents_updated, report.respondents_created) == (1, 0)
    with db.session() as s:
        sam = s.scalars(select(Respondent).where(Respondent.name == "Sam Taylor")).one()
        assert sam.consent_to_quote is True


def test_dry_run_writes_nothing_but_reports_the_same(db, consultation):
    """--dry-run counts what would happen and leaves every table as it was."""
    before = counts(db)
    report = imported(db, consultation.id, dry_run=True)
    assert counts(db) == before
    assert report.dry_run and report.batch_id is None
    assert (report.respondents_created, report.responses_created) == (4, 10)


def test_a_failure_midway_leaves_nothing_even_if_the_caller_commits(db, consultation, monkeypatch):
    """All or nothing: an error after some rows were written rolls the whole file back."""
    monkeypatch.setattr(writer, "CHUNK_ROWS", 1)  # write row by row, so rows land before the error
    calls = {"n": 0}
    real = writer.bulk_insert

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "bulk_insert", failing)
    before = counts(db)
    with db.session() as s:
        with pytest.raises(RuntimeError):
            import_file(s, LOCAL_ADMIN, consultation.id, GOOGLE)
        assert s.scalar(select(func.count()).select_from(Response)) == 0
        s.commit()  # a careless caller: the savepoint already undid the partial import
    assert counts(db) == before


def test_a_parser_error_is_raised_in_the_caller(db, consultation, monkeypatch):
    """An error in the background parser thread reaches the caller; nothing is written."""

    def broken(self, text):
        raise ValueError("tagger broke")

    monkeypatch.setattr(KeywordTagger, "theme_ids", broken)
    before = counts(db)
    with pytest.raises(ValueError, match="tagger broke"):
        imported(db, consultation.id)
    assert counts(db) == before


@pytest.mark.parametrize(
    ("cap", "value", "message"),
    [("MAX_ROWS", 2, "caps.csv: more than 2 rows"),
     ("MAX_FIELD_CHARS", 20, "caps.csv: row 3, column 'Q1' has 30 characters; the limit is 20"),
     ("MAX_FILE_BYTES", 50, "caps.csv: file is 52 bytes; the limit is 50")],
)  # fmt: skip
def test_caps_give_clear_errors_and_write_nothing(
    db, consultation, monkeypatch, tmp_path, cap, value, message
):
    """Caps on rows, field length and file size each refuse the file with a specific reason."""
    path = tmp_path / "caps.csv"
    path.write_text("Ref,Q1\nA,short\nB,a rather longer answer than 20\nC,x\n", encoding="utf-8")
    monkeypatch.setattr(readers, cap, value)
    before = counts(db)
    with pytest.raises(UnusableInput, match=message.replace(".", r"\.")):
        imported(db, consultation.id, path)
    assert counts(db) == before


def test_withdrawn_respondent_stays_withdrawn_after_reimport(db, consultation, tmp_path, now):
    """Withdrawal survives a re-import, even of a file with a changed answer from them."""
    imported(db, consultation.id)
    with db.session() as s:
        aled = s.scalars(select(Respondent).where(Respondent.name == "Aled Jones")).one()
        aled.withdrawn_at = now
    changed = edited_copy(tmp_path, "Everyone", "Everyone, truly")
    report = imported(db, consultation.id, changed)
    assert {"row": 2, "reason": "respondent has withdrawn; left unchanged"} in report.skipped
    with db.session() as s:
        aled = s.scalars(select(Respondent).where(Respondent.name == "Aled Jones")).one()
        assert aled.withdrawn_at == now
        texts = {r.text for r in aled.responses}
    assert "Everyone" in texts and "Everyone, truly" not in texts


def test_erased_respondent_is_not_brought_back(db, consultation):
    """An erasure record (pseudonym of consultation + source key) stops a re-import."""
    imported(db, consultation.id)
    with db.session() as s:
        priya = s.scalars(select(Respondent).where(Respondent.name == "Priya Shah")).one()
        marker = pseudonym(consultation.id, priya.source_key)
        s.add(ErasureRecord(consultation_id=consultation.id, pseudonym=marker, actor="x"))
        s.delete(priya)
    report = imported(db, consultation.id)
    assert {"row": 3, "reason": "respondent was erased; not re-imported"} in report.skipped
    assert report.respondents_created == 0
    with db.session() as s:
        assert s.scalars(select(Respondent).where(Respondent.name == "Priya Shah")).first() is None


def test_pseudonym_is_sha256_of_consultation_and_key():
    """The pseudonym other code stores on erasure: sha256 of "<consultation id>:<source key>"."""
    import hashlib

    assert pseudonym(7, "typeform:id:abc") == hashlib.sha256(b"7:typeform:id:abc").hexdigest()


def test_viewer_may_not_import(db, consultation, viewer):
    """Importing needs the import permission (curators and up)."""
    with db.session() as s, pytest.raises(PermissionDenied):
        import_file(s, viewer, consultation.id, GOOGLE)


def test_progress_reports_rows_done(db, consultation):
    """The progress callback ends at (total, total)."""
    seen: list[tuple[int, int]] = []
    imported(db, consultation.id, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5, 5)


def test_responses_are_tagged_with_missions(db, consultation):
    """Imported answers get keyword mission tags (trains -> transport, housing -> housing)."""
    imported(db, consultation.id)
    with db.session() as s:
        by_text = {r.text: sorted(t.slug for t in r.themes) for r in s.scalars(select(Response))}
    assert by_text["Line one\nLine two, with the trains late again."] == ["transport"]
    assert by_text["Mostly, but housing is missing."] == ["housing"]
    assert by_text["None"] == []


def test_bulk_tagger_agrees_with_the_theme_rule(db, consultation):
    """KeywordTagger gives exactly themes.matching_themes on random keyword-laden texts."""
    with db.session() as s:
        theme_list = list(s.scalars(select(Theme).where(Theme.consultation_id == consultation.id)))
        keywords = [k for t in theme_list for k in t.keywords]
        filler = ["the", "Rail", "well-being", "R&D", "trainings", "decision-making", "homes!",
                  "cost of living", "safe", "(NHS)", "local government", "x-transport",
                  "école"]  # fmt: skip
        rng = random.Random(3)
        tagger = KeywordTagger(theme_list)
        for _ in range(400):
            words = rng.choices(keywords + filler, k=rng.randint(1, 8))
            text = rng.choice([" ", "-", ", ", "&"]).join(words)
            text = text.upper() if rng.random() < 0.2 else text
            expected = sorted(t.id for t in themes.matching_themes(text, theme_list))
            assert tagger.theme_ids(text) == expected, text


def test_import_and_reimport_on_every_backend(any_db):
    """The bulk paths work on SQLite and PostgreSQL alike, and re-import is idempotent there."""
    with any_db.session() as s:
        cid = consultations.ensure_bundled(s, LOCAL_ADMIN).id
    first = imported(any_db, cid, EXPORTS / "surveymonkey.xlsx")
    second = imported(any_db, cid, EXPORTS / "surveymonkey.xlsx")
    assert (first.responses_created, second.responses_unchanged, second.responses_created) == (
        4, 4, 0,
    )  # fmt: skip
    with any_db.session() as s:
        r = s.scalars(select(Response).where(Response.text == "Local people")).one()
        assert r.submitted_at == datetime(2022, 2, 22, 9, 14, 55, tzinfo=UTC)
        assert r.respondent.source_ids["id"] == "114227081563"


# --- the CLI ---------------------------------------------------------------------------

runner = CliRunner()


def test_cli_json_shape_and_exit_zero(db, consultation):
    """`curation import --json` prints one object with the documented keys first."""
    result = runner.invoke(app, ["import", str(GOOGLE), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out)[: len(JSON_KEYS)] == JSON_KEYS
    assert out["skipped"] == [{"row": 6, "reason": "no answer to any question"}]
    assert all(set(e) == {"row", "reason"} for e in out["errors"])


def test_cli_unusable_file_exits_2_with_one_line_and_writes_nothing(db, consultation, tmp_path):
    """An unusable file: exit 2, one line naming the file on stderr, nothing written."""
    bad = tmp_path / "notes.csv"
    bad.write_text("colour,size\nred,large\n")
    before = counts(db)
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "notes.csv" in result.stderr
    assert counts(db) == before


def test_cli_human_output_lists_skipped_rows_and_dry_run(db, consultation):
    """Human output names skipped rows by number; --dry-run says nothing was written."""
    result = runner.invoke(app, ["import", str(GOOGLE), "--dry-run"])
    assert result.exit_code == 0
    assert "row 6 skipped: no answer to any question" in result.stdout
    assert "dry run, nothing written" in result.stdout
    assert counts(db)["responses"] == 0


def test_cli_as_viewer_is_refused(db, consultation):
    """--as a viewer cannot import: exit 3 (refused), nothing written."""
    from curation.access import users

    with db.session() as s:
        users.add_user(s, LOCAL_ADMIN, "vic", Role.VIEWER)
    result = runner.invoke(app, ["import", str(GOOGLE), "--as", "vic"])
    assert result.exit_code == 3
    assert "may not import responses" in result.stderr
    assert counts(db)["responses"] == 0


# --- the Import page -------------------------------------------------------------------

PAGE = "../app_pages/import_responses.py"


def open_page(role: Role = Role.CURATOR) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["actor"] = Actor(f"someone-{role.value}", role)
    at.run()
    assert not at.exception
    return at


def test_page_without_a_file_invites_an_upload(db, consultation):
    """With nothing uploaded the page explains what it accepts and shows no buttons."""
    at = open_page()
    assert at.file_uploader(key="import_file") is not None
    assert any("Choose an export file" in i.value for i in at.info)
    assert not at.button


def test_page_upload_preview_dry_run_then_import(db, consultation):
    """Upload shows dialect and columns; Import is enabled only after a dry run; then writes."""
    at = open_page()
    upload = ("typeform.csv", (EXPORTS / "typeform.csv").read_bytes(), "text/csv")
    at.file_uploader(key="import_file").set_value(upload).run()
    assert not at.exception
    assert any("typeform" in m.value for m in at.markdown)
    assert at.button(key="import_go").disabled
    before = counts(db)["responses"]  # the page's first start may have added demo data
    at.button(key="import_dry_run").click().run()
    assert not at.exception
    assert counts(db)["responses"] == before
    assert any(m.label == "New responses" and m.value == "4" for m in at.metric)
    assert not at.button(key="import_go").disabled
    at.button(key="import_go").click().run()
    assert not at.exception
    assert counts(db)["responses"] == before + 4
    assert any("Imported" in s.value for s in at.success)


def test_page_shows_unusable_file_as_an_error(db, consultation):
    """An unusable upload shows a clear error, not an exception."""
    at = open_page()
    at.file_uploader(key="import_file").set_value(("x.csv", b"a,b\n1,2\n", "text/csv")).run()
    assert not at.exception
    assert any("no column matches" in e.value for e in at.error)


def test_page_refuses_viewers(db, consultation):
    """A viewer sees a refusal, not the uploader."""
    at = open_page(Role.VIEWER)
    assert at.error and not at.file_uploader


def test_fixture_files_are_unchanged_by_imports(tmp_path, db, consultation):
    """Importing reads the file only (the fixture on disk is byte-identical afterwards)."""
    copy = tmp_path / "g.csv"
    shutil.copy(GOOGLE, copy)
    imported(db, consultation.id, copy)
    assert copy.read_bytes() == GOOGLE.read_bytes()


UNCERTAIN_EXPORT = (
    b"Timestamp,What is your name?,Who should own and define what success looks like?,"
    b"May we quote you?,Attribution preferences\n"
    b"2022/02/17 10:00:00 AM GMT,Ada Quote,Communities should.,Yes,Full name\n"
    b'2022/02/17 10:05:00 AM GMT,Bo Private,Councils should.,"Yes, initials only",Initials\n'
)


def test_page_asks_about_an_uncertain_column_and_confirms_readings(db, consultation):
    """An uncertain column gets a select box; the readings table confirms answers in one go."""
    at = open_page()
    at.file_uploader(key="import_file").set_value(("u.csv", UNCERTAIN_EXPORT, "text/csv")).run()
    assert not at.exception
    assert at.button(key="import_dry_run").disabled  # nothing can run until it is settled
    at.selectbox(key="import_role_5").set_value("naming_choice").run()
    assert not at.exception
    assert not at.button(key="import_dry_run").disabled
    table = next(d.value for d in at.dataframe if d.key == "import_readings")
    answers = set(table["answer"])
    assert {"full name", "initials", "yes", "yes, initials only"} <= answers
    at.checkbox(key="import_confirm_all").check().run()
    at.button(key="import_dry_run").click().run()
    at.button(key="import_go").click().run()
    assert not at.exception
    with db.session() as s:
        people = {r.name: r.consent_reading for r in s.scalars(select(Respondent))}
        saved = s.scalars(select(ColumnRoleChoice)).all()
    assert people["Ada Quote"] == "named"  # "full name" is a built-in naming choice
    assert people["Bo Private"] == "anonymous"
    assert [(c.header_key, c.role) for c in saved] == [("attribution preferences", "naming_choice")]


def test_page_changes_a_saved_reading_and_reads_everyone_again(db, consultation, tmp_path):
    """A confirmed reading changed on the page re-reads stored respondents at once."""
    export = tmp_path / "u.csv"
    export.write_bytes(UNCERTAIN_EXPORT)
    with db.session() as s:
        import_file(s, LOCAL_ADMIN, consultation.id, export,
                    columns={"Attribution preferences": "naming_choice"})  # fmt: skip
    with db.session() as s:
        from curation.rights.reading_store import Confirmation, save_readings
        from curation.rights.readings import Reading

        save_readings(s, LOCAL_ADMIN, consultation.id, [
            Confirmation("Attribution preferences", "Initials", Reading.ANONYMOUS, "naming_choice"),
            Confirmation("Attribution preferences", "Full name", Reading.NAMED, "naming_choice"),
        ])  # fmt: skip
    at = open_page()
    editor = next(d for d in at.dataframe if d.key == "saved_readings")
    assert set(editor.value["answer"]) == {"initials", "full name"}
    assert at.button(key="apply_readings").disabled
    row = list(editor.value["answer"]).index("full name")
    at.session_state["saved_readings"] = {
        "edited_rows": {row: {"reading": "anonymous"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="apply_readings").click().run()
    assert not at.exception
    assert any("1 lost consent or their name" in s.value for s in at.success)
    with db.session() as s:
        ada = s.scalars(select(Respondent).where(Respondent.name == "Ada Quote")).one()
        assert (ada.consent_reading, ada.anonymous) == ("anonymous", True)
