"""The quote workflow: drafts, approval by a second person, consent, audit, the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from curation import app_settings
from curation.access import users
from curation.access.actors import LOCAL_ADMIN, Actor, Role
from curation.cli import app
from curation.errors import (
    ConsentError,
    NotFound,
    PermissionDenied,
    UnusableInput,
    WorkflowError,
)
from curation.quotes import workflow
from curation.store import Database
from curation.store.foundation import AuditEntry, Consultation, Respondent, Response
from curation.store.quotes import Quote, QuoteStatus
from tests.quote_fixtures import LONG_ANSWER, add_response

LOCAL = "Local people should decide what success looks like, not officials in Whitehall."
LOCAL_AT = LONG_ANSWER.index(LOCAL)
BUS = "Our bus routes were cut"
BUS_AT = LONG_ANSWER.index(BUS)


def _response(db: Database, consultation: Consultation, **kw: object) -> int:
    with db.session() as session:
        return add_response(session, consultation, **kw).id  # type: ignore[arg-type]


def _draft(
    db: Database, actor: Actor, response_id: int, spans: list[tuple[int, int]], now: datetime
) -> int:
    with db.session() as session:
        return workflow.create_quote(session, actor, response_id, spans, now=now).id


def _audit(db: Database, quote_id: int) -> list[tuple[str, str, str]]:
    with db.session() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "quote", AuditEntry.target_id == str(quote_id))
            .order_by(AuditEntry.id)
        ).all()
        return [(r.action, r.actor, r.details.get("to", r.details.get("status", ""))) for r in rows]


def test_create_stores_exact_words_as_a_draft(db, consultation, curator, now) -> None:
    """A picked quote keeps its offsets, its exact text and starts as a draft."""
    rid = _response(db, consultation)
    with db.session() as session:
        quote = workflow.create_quote(
            session, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], note="strong", now=now
        )
        assert quote.text == LOCAL
        assert quote.spans == [{"start": LOCAL_AT, "end": LOCAL_AT + len(LOCAL)}]
        assert quote.status == QuoteStatus.DRAFT
        assert quote.created_by == curator.name and quote.created_at == now
        assert [n.text for n in quote.notes] == ["strong"]


def test_two_spans_are_joined_by_an_ellipsis(db, consultation, curator, now) -> None:
    """Spans from different sentences join with " … " and nothing else changes."""
    rid = _response(db, consultation)
    spans = [(LOCAL_AT, LOCAL_AT + len(LOCAL)), (BUS_AT, BUS_AT + len(BUS))]
    with db.session() as session:
        quote = workflow.create_quote(session, curator, rid, spans, now=now)
        assert quote.text == f"{LOCAL} … {BUS}"


def test_bad_spans_are_refused_and_nothing_is_saved(db, consultation, curator, now) -> None:
    """Overlapping, reversed or out-of-bounds spans are unusable input; no quote is stored."""
    rid = _response(db, consultation)
    for spans in ([(10, 5)], [(0, 30), (20, 40)], [(0, 10_000)], []):
        with pytest.raises(UnusableInput), db.session() as session:
            workflow.create_quote(session, curator, rid, spans, now=now)
    with db.session() as session:
        assert session.scalars(select(Quote)).all() == []


def test_viewers_cannot_pick(db, consultation, viewer, now) -> None:
    """Picking needs PICK_QUOTES; a viewer is refused."""
    rid = _response(db, consultation)
    with pytest.raises(PermissionDenied), db.session() as session:
        workflow.create_quote(session, viewer, rid, [(0, 20)], now=now)


def test_non_quotable_response_cannot_be_picked(db, consultation, curator, now) -> None:
    """A respondent without consent (or anonymous, by default) cannot be quoted."""
    no = _response(db, consultation, consent=False)
    anon = _response(db, consultation, anonymous=True)
    for rid in (no, anon):
        with pytest.raises(ConsentError), db.session() as session:
            workflow.create_quote(session, curator, rid, [(0, 30)], now=now)


def test_same_words_twice_is_refused(db, consultation, curator, now) -> None:
    """Saving identical words of the same response twice is a workflow error."""
    rid = _response(db, consultation)
    _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with pytest.raises(WorkflowError, match="already holds"), db.session() as session:
        workflow.create_quote(session, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now=now)


def test_picker_cannot_approve_their_own_quote(db, consultation, approver, now) -> None:
    """Four eyes: the person who picked a quote may not approve it."""
    rid = _response(db, consultation)
    qid = _draft(db, approver, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with pytest.raises(PermissionDenied, match="someone else"), db.session() as session:
        workflow.approve(session, approver, qid, now=now)


def test_single_person_approval_setting_allows_own_approval(
    db, consultation, approver, now
) -> None:
    """With single-person approval switched on, a picker may approve their own quote."""
    rid = _response(db, consultation)
    qid = _draft(db, approver, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with db.session() as session:
        app_settings.put(session, LOCAL_ADMIN, "single_person_approval", True)
    with db.session() as session:
        assert workflow.approve(session, approver, qid, now=now).status == "approved"


def test_second_person_approves_and_everything_is_audited(
    db, consultation, curator, approver, now
) -> None:
    """Curator picks, approver approves; each step is audited with its actor."""
    rid = _response(db, consultation)
    qid = _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    later = now + timedelta(hours=1)
    with db.session() as session:
        quote = workflow.approve(session, approver, qid, now=later)
        assert (quote.status, quote.approved_by, quote.approved_at) == (
            "approved",
            approver.name,
            later,
        )
    with db.session() as session:
        workflow.mark_scheduled(session, LOCAL_ADMIN, qid, now=later)
        workflow.mark_published(session, LOCAL_ADMIN, qid, now=later)
    assert _audit(db, qid) == [
        ("quote.create", curator.name, "draft"),
        ("quote.approve", approver.name, "approved"),
        ("quote.schedule", LOCAL_ADMIN.name, "scheduled"),
        ("quote.publish", LOCAL_ADMIN.name, "published"),
    ]


def test_audit_details_hold_no_respondent_words(db, consultation, curator, now) -> None:
    """Audit entries for quotes carry ids, spans and states, never the quote text."""
    rid = _response(db, consultation)
    _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with db.session() as session:
        details = [json.dumps(e.details) for e in session.scalars(select(AuditEntry))]
    assert details and not any("Whitehall" in d for d in details)


def test_curator_cannot_approve(db, consultation, curator, approver, now) -> None:
    """Approving needs APPROVE_QUOTES."""
    rid = _response(db, consultation)
    qid = _draft(db, approver, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with pytest.raises(PermissionDenied), db.session() as session:
        workflow.approve(session, curator, qid, now=now)


def test_personal_data_blocks_approval_until_overridden(
    db, consultation, curator, approver, now
) -> None:
    """A phone number blocks approval; an override reason lets it through and is recorded."""
    text = "Ring the hub on 01482 123456 if you want to help the food bank this winter."
    rid = _response(db, consultation, text=text)
    qid = _draft(db, curator, rid, [(0, len(text))], now)
    with pytest.raises(WorkflowError, match="UK phone number"), db.session() as session:
        workflow.approve(session, approver, qid, now=now)
    with db.session() as session:
        quote = workflow.approve(
            session, approver, qid, override_reason="public helpline of the charity", now=now
        )
        assert quote.status == "approved"
        assert quote.pd_override_reason == "public helpline of the charity"
        assert quote.pd_override_by == approver.name
        assert [f["kind"] for f in quote.pd_findings] == ["phone"]


def test_reject_needs_a_note_and_records_it(db, consultation, curator, approver, now) -> None:
    """Rejection without a note is refused; with one, the note and rejecter are kept."""
    rid = _response(db, consultation)
    qid = _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with pytest.raises(UnusableInput), db.session() as session:
        workflow.reject(session, approver, qid, "  ", now=now)
    with db.session() as session:
        quote = workflow.reject(session, approver, qid, "too close to another quote", now=now)
        assert (quote.status, quote.rejected_by) == ("rejected", approver.name)
        assert [(n.author, n.text) for n in quote.notes] == [
            (approver.name, "too close to another quote")
        ]
    with pytest.raises(WorkflowError), db.session() as session:
        workflow.approve(session, approver, qid, now=now)


def test_withdrawn_respondent_quotes_become_withdrawn_on_approval(
    db, consultation, curator, approver, now
) -> None:
    """Consent is rechecked at approval: the quote becomes withdrawn and stays so."""
    rid = _response(db, consultation)
    qid = _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with db.session() as session:
        session.get(Response, rid).respondent.withdrawn_at = now  # type: ignore[union-attr]
    with pytest.raises(ConsentError), db.session() as session:
        workflow.approve(session, approver, qid, now=now)
    with db.session() as session:
        assert session.get(Quote, qid).status == "withdrawn"  # type: ignore[union-attr]
    with pytest.raises(WorkflowError), db.session() as session:
        workflow.approve(session, approver, qid, now=now)


def test_withdrawn_approved_quote_cannot_be_scheduled(
    db, consultation, curator, approver, now
) -> None:
    """Scheduling a quote whose respondent withdrew is refused (the caller's whole transaction
    rolls back); cards refuse it, the shortlist hides it, and a sync marks it withdrawn."""
    rid = _response(db, consultation)
    qid = _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with db.session() as session:
        workflow.approve(session, approver, qid, now=now)
        session.get(Response, rid).respondent.consent_to_quote = False  # type: ignore[union-attr]
    with pytest.raises(ConsentError), db.session() as session:
        workflow.mark_scheduled(session, LOCAL_ADMIN, qid, now=now)
    with db.session() as session:
        assert session.get(Quote, qid).status == "approved"  # type: ignore[union-attr]
        with pytest.raises(ConsentError):
            workflow.card_content(session, qid)
        assert workflow.list_quotes(session, curator, consultation.id) == []
        assert session.get(Quote, qid).status == "approved"  # type: ignore[union-attr]
        assert workflow.sync_withdrawn(session, curator, consultation.id, now=now) == 1
    with db.session() as session:
        assert session.get(Quote, qid).status == "withdrawn"  # type: ignore[union-attr]
    assert _audit(db, qid)[-1] == ("quote.withdraw", curator.name, "withdrawn")


def test_withdraw_quotes_for_respondent(db, consultation, curator, approver, now) -> None:
    """The withdrawal flow withdraws every quote of the person, leaving others alone."""
    with db.session() as session:
        first = add_response(session, consultation)
        second = add_response(session, consultation, question=5, respondent=first.respondent)
        other = add_response(session, consultation, name="Dewi Evans")
        ids = (first.id, second.id, other.id, first.respondent_id)
    q1 = _draft(db, curator, ids[0], [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    q2 = _draft(db, curator, ids[1], [(BUS_AT, BUS_AT + len(BUS))], now)
    q3 = _draft(db, curator, ids[2], [(BUS_AT, BUS_AT + len(BUS))], now)
    with db.session() as session:
        workflow.approve(session, approver, q2, now=now)
        with pytest.raises(PermissionDenied):
            workflow.withdraw_quotes_for_respondent(session, curator, ids[3], now=now)
        assert workflow.withdraw_quotes_for_respondent(session, LOCAL_ADMIN, ids[3], now=now) == 2
    with db.session() as session:
        assert [session.get(Quote, q).status for q in (q1, q2, q3)] == [  # type: ignore[union-attr]
            "withdrawn",
            "withdrawn",
            "draft",
        ]
    assert _audit(db, q2)[-1] == ("quote.withdraw", LOCAL_ADMIN.name, "withdrawn")


def test_changed_response_text_blocks_approval(db, consultation, curator, approver, now) -> None:
    """The quote text is recomputed; if the response changed, approval is refused."""
    rid = _response(db, consultation)
    qid = _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with db.session() as session:
        session.get(Response, rid).text = "Completely different words now. " * 8  # type: ignore[union-attr]
    with pytest.raises(WorkflowError, match=r"changed|no longer fits"), db.session() as session:
        workflow.approve(session, approver, qid, now=now)


def test_list_quotes_filters_and_hides_non_quotable(db, consultation, curator, now) -> None:
    """The shortlist filters by status, question, mission and region and hides withdrawn people."""
    with db.session() as session:
        a = add_response(session, consultation, question=4, region="Wales", missions=["transport"])
        b = add_response(session, consultation, question=6, region="London")
        c = add_response(session, consultation, question=6, region="London")
        ids = (a.id, b.id, c.id, c.respondent_id)
    qa = _draft(db, curator, ids[0], [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    qb = _draft(db, curator, ids[1], [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    _draft(db, curator, ids[2], [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with db.session() as session:
        session.get(Respondent, ids[3]).withdrawn_at = now  # type: ignore[union-attr]
    with db.session() as session:

        def listed(**kw: object) -> list[int]:
            return [r.id for r in workflow.list_quotes(session, curator, consultation.id, **kw)]

        assert sorted(listed()) == [qa, qb]
        assert listed(question=6) == [qb]
        assert listed(theme="transport") == [qa]
        assert listed(region="Wales") == [qa]
        assert listed(status="approved") == []
        with pytest.raises(UnusableInput):
            listed(status="bogus")
        # Listing reads only: the withdrawn person's quote keeps its status until a sync.
        assert workflow.sync_withdrawn(session, curator, consultation.id, now=now) == 1


def test_card_content_uses_the_consent_attribution(
    db, consultation, curator, approver, now
) -> None:
    """Card content carries exact text, the consent rule's credit and the question."""
    rid = _response(db, consultation)
    qid = _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with db.session() as session:
        content = workflow.card_content(session, qid)
    assert content.text == LOCAL
    assert content.attribution == "Priya Shah, Hull Food Bank (Yorkshire and the Humber)"
    assert (content.question_number, content.question_label) == (4, "Defining success")
    assert content.organisation == "Social Value UK" and content.anonymous is False
    with db.session() as session, pytest.raises(NotFound):
        workflow.card_content(session, 9999)


def test_anonymous_card_content_when_allowed(db, consultation, curator, now) -> None:
    """With anonymous quoting on, the card credits "Anonymous respondent" and the region only."""
    with db.session() as session:
        app_settings.put(session, LOCAL_ADMIN, "allow_anonymous_quotes", True)
    rid = _response(db, consultation, anonymous=True)
    qid = _draft(db, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], now)
    with db.session() as session:
        content = workflow.card_content(session, qid)
    assert content.attribution == "Anonymous respondent, Yorkshire and the Humber"
    assert content.anonymous is True and "Priya" not in content.attribution


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_add_approve_reject_and_list(db, consultation, now) -> None:
    """The CLI adds a quote (JSON), approves it as another user, lists and rejects."""
    rid = _response(db, consultation)
    with db.session() as session:
        users.add_user(session, LOCAL_ADMIN, "abe", Role.APPROVER)
    code, out, _ = _cli(
        "quote",
        "add",
        str(rid),
        "--span",
        f"{LOCAL_AT}:{LOCAL_AT + len(LOCAL)}",
        "--span",
        f"{BUS_AT}:{BUS_AT + len(BUS)}",
        "--json",
    )
    assert code == 0
    added = json.loads(out)
    assert added["text"] == f"{LOCAL} … {BUS}" and added["status"] == "draft"
    assert added["response_id"] == rid and len(added["spans"]) == 2
    code, out, _ = _cli("quote", "approve", str(added["id"]), "--as", "abe", "--json")
    assert code == 0 and json.loads(out)["status"] == "approved"
    code, out, _ = _cli("quotes", "--status", "approved", "--json")
    assert code == 0 and [q["id"] for q in json.loads(out)] == [added["id"]]
    code, _, _ = _cli("quote", "reject", str(added["id"]), "--as", "abe", "--note", "on reflection")
    assert code == 0
    code, out, _ = _cli("quotes", "--json")
    assert json.loads(out)[0]["status"] == "rejected"


def test_cli_bad_span_exits_2_and_writes_nothing(db, consultation) -> None:
    """A malformed or out-of-range span exits 2 with one line, and no quote is stored."""
    rid = _response(db, consultation)
    for span in ("12-40", "0:99999"):
        code, _, err = _cli("quote", "add", str(rid), "--span", span)
        assert code == 2 and err.startswith("error:") and err.count("\n") == 1
    with db.session() as session:
        assert session.scalars(select(Quote)).all() == []


def test_cli_own_approval_is_refused(db, consultation) -> None:
    """The local admin picked it, so the local admin approving it is refused (exit 3)."""
    rid = _response(db, consultation)
    code, out, _ = _cli(
        "quote", "add", str(rid), "--span", f"{LOCAL_AT}:{LOCAL_AT + len(LOCAL)}", "--json"
    )
    code, _, err = _cli("quote", "approve", str(json.loads(out)["id"]))
    assert code == 3 and "someone else" in err


def test_erasure_scrubs_quote_words_but_keeps_rows(
    db, consultation, curator, now, monkeypatch
) -> None:
    """The erasure hook empties text, notes and override reasons and withdraws the quotes."""
    from curation.rights import privacy
    from curation.rights.privacy import erase_respondent
    from curation.rights.withdrawal import withdraw_respondent

    # Only this feature's step: the erasure flow passes the actor.
    steps = [("quotes", workflow.delete_quotes_for_respondent)]
    monkeypatch.setattr(privacy, "ERASURE_HOOKS", steps)

    rid = _response(db, consultation)
    with db.session() as session:
        quote = workflow.create_quote(
            session, curator, rid, [(LOCAL_AT, LOCAL_AT + len(LOCAL))], note="lovely", now=now
        )
        qid, person = quote.id, quote.response.respondent_id
    with db.session() as session:
        withdraw_respondent(session, LOCAL_ADMIN, person, now=now)
    with db.session() as session:
        result = erase_respondent(session, LOCAL_ADMIN, person, now=now)
        assert result.hooks_run == {"quotes": 1}
    with db.session() as session:
        stored = session.get(Quote, qid)
        assert stored is not None and (stored.text, stored.status, stored.notes) == (
            "",
            "withdrawn",
            [],
        )


def test_pick_approve_list_and_balance_on_every_backend(any_db, curator, approver, now) -> None:
    """The whole path (pick, approve, withdraw-sync, shortlist, balance) works on SQLite
    and PostgreSQL."""
    from curation import consultations
    from curation.quotes import balance

    with any_db.session() as session:
        c = consultations.ensure_bundled(session, LOCAL_ADMIN)
        keep = add_response(session, c, missions=["transport"])
        gone = add_response(session, c, name="Gwen Price")
        ids = (c.id, keep.id, gone.id, gone.respondent_id)
    span = [(LOCAL_AT, LOCAL_AT + len(LOCAL))]
    with any_db.session() as session:
        kept = workflow.create_quote(session, curator, ids[1], span, now=now).id
        workflow.create_quote(session, curator, ids[2], span, now=now)
        workflow.approve(session, approver, kept, now=now)
        session.get(Respondent, ids[3]).withdrawn_at = now  # type: ignore[union-attr]
    with any_db.session() as session:
        rows = workflow.list_quotes(session, curator, ids[0], theme="transport")
        assert [(r.id, r.status, r.missions) for r in rows] == [(kept, "approved", ["Transport"])]
        report = balance.balance_report(session, approver, ids[0])
        assert (report.total_quotes, report.total_responses) == (1, 1)


def test_spans_of_a_timed_transcript_carry_seconds(db, consultation, curator, now) -> None:
    """A quote from a recorded answer with timed cues stores start and end seconds per span."""
    from curation.store.media import TranscriptCue

    text = "We need buses that run after six. Without them young people cannot work."
    with db.session() as session:
        response = add_response(session, consultation, text=text)
        response.kind = "video"
        cut = text.index("Without")
        session.add_all(
            [
                TranscriptCue(
                    response_id=response.id,
                    index=0,
                    start_seconds=0.0,
                    end_seconds=3.0,
                    start_char=0,
                    end_char=cut - 1,
                ),
                TranscriptCue(
                    response_id=response.id,
                    index=1,
                    start_seconds=3.0,
                    end_seconds=6.0,
                    start_char=cut,
                    end_char=len(text),
                ),
            ]
        )
        rid = response.id
    with db.session() as session:
        quote = workflow.create_quote(session, curator, rid, [(cut, len(text))], now=now)
        (span,) = quote.spans
    assert span["start"] == cut and 2.7 <= span["t_start"] <= 3.0 and span["t_end"] <= 6.0
