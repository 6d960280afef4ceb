"""Erasure (after withdrawal), retention, the audit log reader, and safe CSV exports."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from curation import app_settings, audit
from curation.access.actors import Actor
from curation.errors import NotFound, PermissionDenied, WorkflowError
from curation.exports import audit_csv, csv_text, neutralise_cell
from curation.rights import privacy
from curation.store import Database
from curation.store.foundation import (
    AuditEntry,
    Consultation,
    ErasureRecord,
    Respondent,
    Response,
)

SECRET_TEXT = "My street floods every winter and nobody listens."


def make_respondent(
    db: Database,
    consultation: Consultation,
    key: str,
    *,
    consent: bool = True,
    withdrawn: bool = False,
    created=None,
    media_ref: str | None = None,
) -> int:
    """One respondent with an answer to the first question; returns their id."""
    with db.session() as s:
        question_id = (
            s.scalar(select(Consultation).where(Consultation.id == consultation.id)).questions[0].id
        )
        r = Respondent(
            consultation_id=consultation.id,
            source_key=key,
            source_ids={"email": f"{key}@x.org"},
            name=f"Person {key}",
            email=f"{key}@x.org",
            organisation="Town Council",
            region="North East",
            consent_to_quote=consent,
            consent_raw="Yes" if consent else "No",
        )
        if created is not None:
            r.created_at = created
        s.add(r)
        s.flush()
        if withdrawn:
            r.withdrawn_at = r.created_at
        s.add(
            Response(
                respondent_id=r.id,
                question_id=question_id,
                text=SECRET_TEXT,
                kind="video" if media_ref else "text",
                media_ref=media_ref,
                content_hash=hashlib.sha256(SECRET_TEXT.encode()).hexdigest(),
            )
        )
        return r.id


def test_erasure_is_refused_until_withdrawn(db, consultation, admin):
    """Erasing someone who has not withdrawn says to withdraw first."""
    rid = make_respondent(db, consultation, "k1")
    with db.session() as s, pytest.raises(WorkflowError, match="curation withdraw"):
        privacy.erase_respondent(s, admin, rid)
    with db.session() as s, pytest.raises(NotFound):
        privacy.erase_respondent(s, admin, 9999)


def test_erasure_deletes_personal_data_and_keeps_a_pseudonym(db, consultation, admin, now):
    """Name, email, organisation, source ids and texts are gone; only a hash remains."""
    rid = make_respondent(db, consultation, "k1", withdrawn=True)
    with db.session() as s:
        result = privacy.erase_respondent(s, admin, rid, now=now)
    assert result.responses_cleared == 1 and not result.already_erased
    with db.session() as s:
        r = s.get(Respondent, rid)
        assert (r.name, r.email, r.organisation, r.source_ids) == (None, None, None, {})
        assert r.erased_at == now and r.consent_raw is None
        assert "k1" not in r.source_key
        assert [resp.text for resp in r.responses] == [""]
        record = s.scalar(select(ErasureRecord))
        assert record.pseudonym == hashlib.sha256(f"{consultation.id}:k1".encode()).hexdigest()
        assert record.actor == admin.name
        assert privacy.is_erased(s, consultation.id, "k1")
        assert not privacy.is_erased(s, consultation.id, "k2")
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "respondent.erase"))
        assert entry.target_id == str(rid)
        dumped = str(entry.details) + str(record.__dict__)
        assert "Person k1" not in dumped and SECRET_TEXT not in dumped and "k1@x.org" not in dumped


def test_withdraw_then_erase_scrubs_quotes_and_posts(db, consultation, admin, now):
    """The full path: withdrawal, then erasure leaves no words in quotes or posts."""
    from curation.quotes.workflow import create_quote
    from curation.rights.withdrawal import withdraw_respondent
    from curation.store.posts import Post
    from curation.store.quotes import Quote

    rid = make_respondent(db, consultation, "k1")
    with db.session() as s:
        response_id = s.get(Respondent, rid).responses[0].id
        quote = create_quote(s, admin, response_id, [(0, 20)], now=now)
        s.add(
            Post(
                quote_id=quote.id,
                network="bluesky",
                text=f"“{quote.text}” Person k1",
                alt_text=quote.text,
                scheduled_at=now,
                scheduled_local="2026-03-10 12:00",
                idempotency_key="k" * 64,
                created_by=admin.name,
                status="cancelled",
            )
        )
    with db.session() as s:
        withdraw_respondent(s, admin, rid, publishers={}, now=now)
    with db.session() as s:
        result = privacy.erase_respondent(s, admin, rid, now=now)
    assert result.hooks_run["posts"] == 1 and result.hooks_run["quotes"] == 1
    with db.session() as s:
        assert [q.text for q in s.scalars(select(Quote))] == [""]
        post = s.scalar(select(Post))
        assert post.text == "" and not post.alt_text
        assert "Person k1" not in str(s.scalars(select(AuditEntry.details)).all())


def test_erasure_is_idempotent(db, consultation, admin, now):
    """Erasing twice changes nothing the second time and keeps one record."""
    rid = make_respondent(db, consultation, "k1", withdrawn=True)
    with db.session() as s:
        privacy.erase_respondent(s, admin, rid, now=now)
    with db.session() as s:
        again = privacy.erase_respondent(s, admin, rid, now=now + timedelta(days=1))
    assert again.already_erased
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ErasureRecord)) == 1
        assert s.get(Respondent, rid).erased_at == now
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "respondent.erase")
            )
            == 1
        )


def test_erasure_deletes_media_and_transcripts_inside_the_data_dir(
    db, consultation, admin, monkeypatch
):
    """Without the media feature's hook, a clip path and its transcript are deleted directly."""
    from curation.config import load_settings

    monkeypatch.setattr(privacy, "ERASURE_HOOKS", [])

    media = load_settings().media_dir
    media.mkdir(parents=True)
    (media / "clip1.mp4").write_bytes(b"\0" * 10)
    (media / "clip1.vtt").write_text("WEBVTT\n")
    rid = make_respondent(db, consultation, "k1", withdrawn=True, media_ref="clip1.mp4")
    with db.session() as s:
        result = privacy.erase_respondent(s, admin, rid)
    assert result.files_deleted == 2
    assert not (media / "clip1.mp4").exists() and not (media / "clip1.vtt").exists()


def test_erasure_never_deletes_outside_the_data_dir(db, consultation, admin, tmp_path):
    """A media reference pointing outside the data directory is left alone."""
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(b"x")
    rid = make_respondent(db, consultation, "k1", withdrawn=True, media_ref="../../elsewhere.mp4")
    with db.session() as s:
        privacy.erase_respondent(s, admin, rid)
    assert outside.exists()


def test_erasure_asks_every_feature_to_delete_its_share(db, consultation, admin, monkeypatch):
    """Each erasure step is called with the acting user and its count reported."""
    calls = []

    def step(session, actor, rid):
        calls.append((actor.name, rid))
        return 1

    monkeypatch.setattr(privacy, "ERASURE_HOOKS", [("fake", step)])
    rid = make_respondent(db, consultation, "k1", withdrawn=True)
    with db.session() as s:
        result = privacy.erase_respondent(s, admin, rid)
    assert calls == [(admin.name, rid)]
    assert result.hooks_run == {"fake": 1}


def test_erasure_and_retention_need_the_erase_permission(db, consultation, curator, approver):
    """Curators and approvers may not erase or apply retention."""
    rid = make_respondent(db, consultation, "k1", withdrawn=True)
    for who in (curator, approver):
        with db.session() as s:
            with pytest.raises(PermissionDenied):
                privacy.erase_respondent(s, who, rid)
            with pytest.raises(PermissionDenied):
                privacy.apply_retention(s, who, dry_run=True)


def test_retention_dry_run_lists_and_apply_purges(db, consultation, admin, now):
    """Dry run changes nothing; apply purges old non-consented respondents only."""
    old = now - timedelta(days=400)
    keep_consented = make_respondent(db, consultation, "c", consent=True, created=old)
    purge_no = make_respondent(db, consultation, "n", consent=False, created=old)
    purge_withdrawn = make_respondent(db, consultation, "w", withdrawn=True, created=old)
    keep_recent = make_respondent(
        db, consultation, "r", consent=False, created=now - timedelta(days=10)
    )
    with db.session() as s:
        preview = privacy.apply_retention(s, admin, dry_run=True, now=now)
    assert preview.respondent_ids == [purge_no, purge_withdrawn]
    assert preview.responses == 2 and preview.retention_days == 365
    with db.session() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(Respondent)
                .where(Respondent.erased_at.is_not(None))
            )
            == 0
        )
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "retention.apply")
            )
            == 0
        )
    with db.session() as s:
        done = privacy.apply_retention(s, admin, now=now)
    assert done.respondent_ids == [purge_no, purge_withdrawn]
    with db.session() as s:
        for rid in (purge_no, purge_withdrawn):
            r = s.get(Respondent, rid)
            assert r.erased_at == now and r.name is None and r.responses[0].text == ""
        for rid in (keep_consented, keep_recent):
            r = s.get(Respondent, rid)
            assert r.erased_at is None and r.responses[0].text == SECRET_TEXT
        assert privacy.is_erased(s, consultation.id, "n")
    with db.session() as s:
        assert privacy.apply_retention(s, admin, now=now).respondent_ids == []


def test_retention_days_setting_is_used(db, consultation, admin, now):
    """A shorter retention_days setting purges younger respondents."""
    rid = make_respondent(db, consultation, "n", consent=False, created=now - timedelta(days=40))
    with db.session() as s:
        app_settings.put(s, admin, "retention_days", 30)
    with db.session() as s:
        assert privacy.apply_retention(s, admin, dry_run=True, now=now).respondent_ids == [rid]


def write_export(path, question_text: str):
    """A small generic form export: two consenting respondents."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "Respondent ID",
                "Name",
                "Email",
                "Organisation",
                "May we quote you?",
                "Do you want to stay anonymous?",
                question_text,
            ]
        )
        w.writerow(["101", "Ann Example", "ann@x.org", "Council", "Yes", "No", SECRET_TEXT])
        w.writerow(["102", "Bob Example", "bob@x.org", "", "Yes", "No", "Fund buses."])
    return path


def test_erasure_survives_reimport(db, consultation, admin, tmp_path, now):
    """Re-importing the same export does not bring an erased respondent back."""
    from curation.ingest import import_file

    path = write_export(tmp_path / "export.csv", consultation.questions[0].text)
    with db.session() as s:
        import_file(s, admin, consultation.id, path, now=now)
    with db.session() as s:
        ann = s.scalar(select(Respondent).where(Respondent.name == "Ann Example"))
        ann.withdrawn_at = now
        rid = ann.id
    with db.session() as s:
        privacy.erase_respondent(s, admin, rid, now=now)
    with db.session() as s:
        report = import_file(s, admin, consultation.id, path, now=now + timedelta(hours=1))
    assert report.respondents_created == 0
    assert any("erased" in skip["reason"] for skip in report.skipped)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Respondent)) == 2
        assert (
            s.scalar(
                select(func.count()).select_from(Respondent).where(Respondent.name == "Ann Example")
            )
            == 0
        )
        texts = s.scalars(select(Response.text)).all()
        assert SECRET_TEXT not in texts


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("  =1+1", "'  =1+1"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralise_cell(cell, expected):
    """Cells a spreadsheet would run as formulas get a leading apostrophe."""
    assert neutralise_cell(cell) == expected


def test_csv_text_neutralises_every_cell_including_headers():
    """Every cell in a CSV export is neutralised and the CSV stays parseable."""
    out = csv_text([{"=a": "=1+2", "b": 'say "hi", ok'}], ["=a", "b"])
    assert list(csv.reader(io.StringIO(out))) == [["'=a", "b"], ["'=1+2", 'say "hi", ok']]


def test_audit_entries_filter_and_export(db, admin, viewer, now):
    """The audit reader filters by actor, action prefix and date; CSV is neutralised."""
    bob = Actor("=bob", admin.role)
    with db.session() as s:
        audit.record(
            s,
            admin,
            "respondent.withdraw",
            "respondent",
            1,
            {"before": "consented", "after": "withdrawn"},
            now=now,
        )
        audit.record(s, bob, "user.add", "user", 2, {"name": "x"}, now=now - timedelta(days=3))
    with db.session() as s:
        every = audit.audit_entries(s, admin)
        assert [e.action for e in every] == ["respondent.withdraw", "user.add"]
        assert every[0].change == "consented → withdrawn"
        only = audit.AuditFilter(action="respondent")
        assert [e.action for e in audit.audit_entries(s, admin, only)] == ["respondent.withdraw"]
        recent = audit.AuditFilter(since=now - timedelta(days=1))
        assert len(audit.audit_entries(s, admin, recent)) == 1
        by_bob = audit.audit_entries(s, admin, audit.AuditFilter(actor="=bob"))
        assert len(by_bob) == 1
        with pytest.raises(PermissionDenied):
            audit.audit_entries(s, viewer)
    rows = list(csv.DictReader(io.StringIO(audit_csv(every))))
    assert rows[1]["actor"] == "'=bob"
    assert rows[0]["change"] == "consented → withdrawn"


@pytest.mark.parametrize(
    ("details", "action", "expected"),
    [
        ({"from": "draft", "to": "approved"}, "quote.approve", "draft → approved"),
        ({"before": False, "after": True}, "setting.change", "False → True"),
        ({"before": "scheduled"}, "post.cancel", "was scheduled"),
        ({"newly_withdrawn": True}, "respondent.withdraw", "consent: given → withdrawn"),
        ({"responses_cleared": 2}, "respondent.erase", "personal data: kept → erased"),
        ({"name": "x"}, "user.add", ""),
    ],
)
def test_audit_shows_before_and_after_for_consent_and_status(details, action, expected):
    """The audit log's change column reads the services' before/after conventions."""
    assert audit.describe_change(details, action) == expected
