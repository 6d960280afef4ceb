"""Role × action matrix: every service function in curation/ refuses the roles it should.

Service functions are discovered by introspection (module-level functions whose first two
parameters are `session, actor`). Each needs an entry in MATRIX: the permission it needs and
a factory for minimal arguments. A new service without an entry fails
`test_every_service_function_has_an_entry`, so the matrix stays complete as features grow.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

import curation
from curation import consultations
from curation.access.actors import LOCAL_ADMIN, ROLE_PERMISSIONS, Actor, Permission, Role
from curation.errors import PermissionDenied
from curation.store import Database
from curation.store.foundation import Respondent, Response, User

P = Permission
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PASSWORD = "a perfectly fine password"


@dataclass
class Ctx:
    """What minimal arguments can refer to: a consultation, a respondent, a response, a user."""

    consultation_id: int
    respondent_id: int
    response_id: int
    other_user: str
    tmp: Path

    def consultation(self, session: Session) -> Any:
        return consultations.get_consultation(session, str(self.consultation_id))


Args = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    """`needs`: the permission that lets a role call it; None means any signed-in role."""

    needs: Permission | None
    args: Callable[[Ctx, Session], Args]


def a(*args: Any, **kwargs: Any) -> Callable[[Ctx, Session], Args]:
    """Fixed arguments."""
    return lambda _c, _s: (args, kwargs)


MISSING = 99_999  # an id that does not exist: the role check must come before the lookup


def _response_filter() -> Any:
    from curation.responses.browse import ResponseFilter

    return ResponseFilter()


def _missing_quote_context() -> Any:
    from curation.posts.service import QuoteContext

    return QuoteContext(MISSING, "words", "Ann", "A question?", None)


MATRIX: dict[str, Entry] = {
    # access (this feature)
    "curation.access.accounts.create_user": Entry(
        P.MANAGE_USERS, a("newbie", "viewer", password=PASSWORD)
    ),
    "curation.access.accounts.list_users": Entry(P.MANAGE_USERS, a()),
    "curation.access.accounts.set_active": Entry(
        P.MANAGE_USERS, lambda c, _s: ((c.other_user, False), {})
    ),
    "curation.access.users.add_user": Entry(P.MANAGE_USERS, a("newbie", "viewer")),
    "curation.access.auth.set_password": Entry(
        P.MANAGE_USERS, lambda c, _s: ((c.other_user, PASSWORD), {})
    ),
    "curation.access.auth.reset_password": Entry(
        P.MANAGE_USERS, lambda c, _s: ((c.other_user,), {})
    ),
    "curation.access.auth.change_password": Entry(None, a("old password here", PASSWORD)),
    "curation.access.auth.complete_forced_change": Entry(None, a(PASSWORD)),
    "curation.access.auth.current_actor": Entry(None, a()),
    "curation.access.sessions.start": Entry(None, a()),  # one's own session only
    "curation.respondent_search.find_respondents": Entry(
        P.IMPORT_RESPONSES, lambda c, _s: ((c.consultation_id, "ann"), {})
    ),
    "curation.audit_sentences.readable_entries": Entry(P.VIEW_AUDIT, a()),
    "curation.app_settings.put": Entry(P.MANAGE_SETTINGS, a("allow_anonymous_quotes", True)),
    "curation.audit.audit_entries": Entry(P.VIEW_AUDIT, a()),
    "curation.audit.known_actions": Entry(P.VIEW_AUDIT, a()),
    "curation.rights.privacy.erase_respondent": Entry(
        P.ERASE, lambda c, _s: ((c.respondent_id,), {})
    ),
    "curation.rights.privacy.apply_retention": Entry(P.ERASE, a(dry_run=True, now=NOW)),
    # foundation
    "curation.consultations.add_consultation": Entry(
        P.MANAGE_CONSULTATIONS, lambda c, _s: ((c.tmp / "missing.toml",), {})
    ),
    # engagement metrics
    "curation.metrics.engagement_view": Entry(
        P.VIEW_ENGAGEMENT, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.metrics.metrics_summary": Entry(
        P.VIEW_ENGAGEMENT, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.metrics.sync.sync_metrics": Entry(P.SYNC_METRICS, a(clients={}, now=NOW)),
    "curation.metrics.x_csv.import_x_csv": Entry(
        P.SYNC_METRICS, lambda c, _s: ((c.tmp / "missing.csv",), {})
    ),
    "curation.consultations.set_current": Entry(P.IMPORT_RESPONSES, a("levelling-up-2022")),
    "curation.consultations.ensure_bundled": Entry(P.READ_RESPONSES, a()),
    # import and demo data
    "curation.ingest.importer.import_file": Entry(
        P.IMPORT_RESPONSES, lambda c, _s: ((c.consultation_id, c.tmp / "missing.csv"), {})
    ),
    "curation.ingest.importer.preview_file": Entry(
        P.IMPORT_RESPONSES, lambda c, _s: ((c.consultation_id, c.tmp / "missing.csv"), {})
    ),
    "curation.demo.respondents.seed_demo": Entry(
        P.IMPORT_RESPONSES, lambda c, s: ((c.consultation(s),), {"count": 2, "now": NOW})
    ),
    "curation.demo.respondents.remove_demo": Entry(
        P.IMPORT_RESPONSES, lambda c, s: ((c.consultation(s),), {})
    ),
    # listing
    "curation.responses.browse.list_responses": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.responses.browse.get_response": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.response_id,), {})
    ),
    "curation.responses.browse.exclusion_counts": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.listing.iter_responses": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.listing.count_responses": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.consultation_id, _response_filter()), {})
    ),
    "curation.listing.iter_quotes": Entry(P.PICK_QUOTES, lambda c, _s: ((c.consultation_id,), {})),
    "curation.listing.iter_posts": Entry(P.COMPOSE_POSTS, lambda c, _s: ((c.consultation_id,), {})),
    "curation.responses.themes.set_tags": Entry(
        P.PICK_QUOTES, lambda c, _s: ((c.response_id, []), {})
    ),
    # quotes
    "curation.quotes.picking.pick_view": Entry(P.PICK_QUOTES, lambda c, _s: ((c.response_id,), {})),
    "curation.quotes.reading.list_quotes": Entry(
        P.PICK_QUOTES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.quotes.balance.balance_report": Entry(
        P.VIEW_BALANCE, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.quotes.workflow.create_quote": Entry(
        P.PICK_QUOTES, lambda c, _s: ((c.response_id, [(0, 10)]), {"now": NOW})
    ),
    "curation.quotes.workflow.get_quote": Entry(P.READ_RESPONSES, a(MISSING)),
    "curation.quotes.workflow.add_note": Entry(P.PICK_QUOTES, a(MISSING, "a note")),
    "curation.quotes.workflow.approve": Entry(P.APPROVE_QUOTES, a(MISSING)),
    "curation.quotes.workflow.reject": Entry(P.APPROVE_QUOTES, a(MISSING, "not this one")),
    "curation.quotes.workflow.mark_scheduled": Entry(P.SCHEDULE_POSTS, a(MISSING)),
    "curation.quotes.workflow.mark_unscheduled": Entry(P.SCHEDULE_POSTS, a(MISSING)),
    "curation.quotes.workflow.mark_published": Entry(P.PUBLISH, a(MISSING)),
    "curation.quotes.workflow.sync_withdrawn": Entry(
        P.PICK_QUOTES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.quotes.workflow.withdraw_quotes_for_respondent": Entry(
        P.WITHDRAW_CONSENT, lambda c, _s: ((c.respondent_id,), {})
    ),
    # posts
    "curation.posts.service.list_posts": Entry(P.COMPOSE_POSTS, a()),
    "curation.posts.service.draft_texts": Entry(P.COMPOSE_POSTS, a(MISSING)),
    "curation.posts.service.schedule_post": Entry(
        P.SCHEDULE_POSTS, a(MISSING, "x", NOW + timedelta(days=1), now=NOW, render_card=False)
    ),
    "curation.posts.service.reschedule": Entry(
        P.SCHEDULE_POSTS, a(MISSING, NOW + timedelta(days=1))
    ),
    "curation.posts.service.cancel": Entry(P.SCHEDULE_POSTS, a(MISSING)),
    "curation.posts.approval.approve_post": Entry(P.APPROVE_QUOTES, a(MISSING, now=NOW)),
    "curation.posts.approval.edit_post": Entry(P.COMPOSE_POSTS, a(MISSING, text="New words")),
    "curation.posts.approval.waiting_posts": Entry(
        P.APPROVE_QUOTES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.rights.reading_store.change_readings": Entry(P.IMPORT_RESPONSES, a(1, [])),
    "curation.rights.switches.change_setting": Entry(
        P.MANAGE_SETTINGS, a("single_person_approval", True)
    ),
    "curation.rights.reading_store.save_readings": Entry(P.IMPORT_RESPONSES, a(1, [])),
    "curation.rights.reading_store.saved_readings": Entry(P.IMPORT_RESPONSES, a(1)),
    "curation.ingest.settled.save_roles": Entry(P.IMPORT_RESPONSES, a(1, {}, NOW)),
    "curation.posts.service.calendar": Entry(P.SCHEDULE_POSTS, a(NOW, NOW + timedelta(days=7))),
    "curation.posts.by_hand.pack_for": Entry(P.SCHEDULE_POSTS, a(MISSING)),
    "curation.posts.by_hand.mark_posted": Entry(
        P.SCHEDULE_POSTS, a(MISSING, "https://example.org/p/1", now=NOW)
    ),
    "curation.posts.receipts.receipts_for": Entry(P.SCHEDULE_POSTS, a(MISSING)),
    # media
    "curation.media.intake.add_media": Entry(
        P.IMPORT_RESPONSES, lambda c, _s: ((c.respondent_id, 1, c.tmp / "missing.mp4"), {})
    ),
    "curation.media.intake.add_media_detailed": Entry(
        P.IMPORT_RESPONSES, lambda c, _s: ((c.respondent_id, 1, c.tmp / "missing.mp4"), {})
    ),
    "curation.media.intake.ensure_asset": Entry(P.IMPORT_RESPONSES, a(None, "0" * 64, "x", NOW)),
    "curation.media.audiogram.make_audiogram": Entry(
        P.PREVIEW_CARDS, lambda c, _s: ((MISSING, c.tmp / "out.mp4"), {})
    ),
    "curation.demo.media.add_demo_media": Entry(
        P.IMPORT_RESPONSES, lambda c, _s: ((c.consultation_id, c.tmp / "media"), {"now": NOW})
    ),
    "curation.media.erasure.delete_media_for_respondent": Entry(
        P.ERASE, lambda c, _s: ((c.respondent_id,), {})
    ),
    "curation.media.intake.add_media_upload": Entry(
        P.IMPORT_RESPONSES, lambda c, _s: ((c.respondent_id, 1, "clip.mp4", b"not a clip"), {})
    ),
    "curation.media.playback.list_media_responses": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.media.playback.media_for_response": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.response_id,), {})
    ),
    "curation.media.playback.quote_start_seconds": Entry(P.READ_RESPONSES, a(MISSING)),
    # cards
    "curation.cards.service.card_png": Entry(P.PREVIEW_CARDS, a(MISSING)),
    "curation.cards.service.cards_of_quote": Entry(P.PREVIEW_CARDS, a(MISSING)),
    "curation.cards.service.delete_cards_for_respondent": Entry(
        P.ERASE, lambda c, _s: ((c.respondent_id,), {})
    ),  # withdraw or erase: admins
    "curation.cards.service.export_zip": Entry(P.PREVIEW_CARDS, a([MISSING], ["square"], ["bold"])),
    "curation.cards.service.previewable_quotes": Entry(
        P.PREVIEW_CARDS, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.cards.service.render_quote_card": Entry(P.PREVIEW_CARDS, a(MISSING, now=NOW)),
    "curation.cards.service.update_alt_text": Entry(P.COMPOSE_POSTS, a(MISSING, "alt text")),
    "curation.cards.service.render_typed_card": Entry(P.COMPOSE_POSTS, a("Words", "A person")),
    "curation.cards.service.update_brand": Entry(P.MANAGE_BRAND, a(colours={})),
    "curation.cards.service.question_titles": Entry(
        P.PREVIEW_CARDS, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.cards.service.update_public_title": Entry(P.MANAGE_BRAND, a(MISSING, "Title")),
    # posts and accounts
    "curation.publishers.health.account_health": Entry(P.MANAGE_ACCOUNTS, a()),
    "curation.publishers.health.check_accounts": Entry(
        P.MANAGE_ACCOUNTS, a(networks=("outbox",), publishers={}, now=NOW)
    ),
    "curation.posts.service.card_preview": Entry(P.COMPOSE_POSTS, a(MISSING)),
    "curation.posts.service.composable_quotes": Entry(
        P.COMPOSE_POSTS, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.posts.video.audiogram_possible": Entry(P.COMPOSE_POSTS, a(MISSING)),
    "curation.posts.video.attach_audiogram": Entry(
        P.SCHEDULE_POSTS, lambda _c, _s: ((_missing_quote_context(), None), {"now": NOW})
    ),
    # themes, campaigns and the quote plan
    "curation.analysis.job.start_run": Entry(
        P.PICK_QUOTES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.analysis.service.latest_run": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.analysis.service.list_themes": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.analysis.service.rename_theme": Entry(P.PICK_QUOTES, a(MISSING, "A label")),
    "curation.analysis.service.merge_themes": Entry(P.PICK_QUOTES, a(MISSING, MISSING + 1)),
    "curation.analysis.service.split_theme": Entry(P.PICK_QUOTES, a(MISSING)),
    "curation.analysis.service.duplicate_groups": Entry(
        P.READ_RESPONSES, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.analysis.service.campaign_marks": Entry(
        P.READ_RESPONSES, lambda c, _s: (([c.response_id],), {})
    ),
    "curation.analysis.plan.quote_plan": Entry(
        P.VIEW_BALANCE, lambda c, _s: ((c.consultation_id,), {})
    ),
    "curation.analysis.plan.representativeness_figure": Entry(
        P.VIEW_BALANCE, lambda c, _s: ((c.consultation_id,), {})
    ),
    # erasure and withdrawal hooks
    "curation.quotes.delete_quotes_for_respondent": Entry(
        P.ERASE, lambda c, _s: ((c.respondent_id,), {"now": NOW})
    ),
    "curation.quotes.workflow.delete_quotes_for_respondent": Entry(
        P.ERASE, lambda c, _s: ((c.respondent_id,), {"now": NOW})
    ),
    "curation.rights.withdrawal.withdraw_respondent": Entry(
        P.WITHDRAW_CONSENT, lambda c, _s: ((c.respondent_id,), {"publishers": {}, "now": NOW})
    ),
}

# Functions that take (session, actor) but are not actions a role performs.
EXEMPT: dict[str, str] = {
    "curation.audit.record": "writes the log entry for an action its caller already authorised",
    "curation.rights.lost_consent.undo_for_lost_consent": (
        "runs the withdrawal steps after a change its caller already authorised (an import, a "
        "reading); acts as the consent-rules system actor"
    ),
    "curation.rights.withdrawal.undo_publication": (
        "the withdrawal steps; callers (withdraw_respondent, lost consent) authorise first"
    ),
}

# Entries whose function does not check the role yet; strict xfail, so fixing one shows up.
KNOWN_GAPS: dict[str, str] = {}


def discover_services() -> tuple[dict[str, Callable[..., Any]], dict[str, str]]:
    """Every module-level function in curation/ whose first parameters are (session, actor)."""
    found: dict[str, Callable[..., Any]] = {}
    broken: dict[str, str] = {}
    for info in pkgutil.walk_packages(curation.__path__, "curation."):
        if info.name.startswith(("curation.cli", "curation.store.migrations")):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception as exc:  # a module that does not import is a failure of its own
            broken[info.name] = repr(exc)
            continue
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != info.name or name.startswith("_"):
                continue
            if list(inspect.signature(fn).parameters)[:2] == ["session", "actor"]:
                found[f"{info.name}.{name}"] = fn
    return found, broken


SERVICES, BROKEN = discover_services()


def test_every_curation_module_imports():
    """Every module in curation/ imports (otherwise its services escape the matrix)."""
    assert BROKEN == {}


def test_every_service_function_has_an_entry():
    """Each discovered service function is in MATRIX or EXEMPT, and no entry is stale."""
    listed = set(MATRIX) | set(EXEMPT)
    assert sorted(set(SERVICES) - listed) == [], "add these to MATRIX in tests/test_roles_matrix.py"
    assert sorted(listed - set(SERVICES)) == [], "these entries name functions that are gone"


@pytest.fixture
def ctx(db: Database, tmp_path: Path) -> Ctx:
    """A consultation with one consented respondent and response, and a second user."""
    with db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        r = Respondent(
            consultation_id=c.id,
            source_key="matrix:1",
            name="Ann Example",
            consent_to_quote=True,
            consent_raw="Yes",
        )
        s.add(r)
        s.flush()
        resp = Response(
            respondent_id=r.id,
            question_id=c.questions[0].id,
            text="Buses are the first thing to fix in our town.",
            content_hash="0",
        )
        s.add(resp)
        s.add(User(name="someone-else", role=Role.ADMIN.value))
        s.flush()
        return Ctx(c.id, r.id, resp.id, "someone-else", tmp_path)


def _call(db: Database, ctx: Ctx, name: str, role: Role) -> BaseException | None:
    """Call `name` as a user with `role` in a session that is rolled back; the exception, if any."""
    entry = MATRIX[name]
    actor = Actor(f"matrix-{role.value}", role)
    session = Session(db.engine, expire_on_commit=False)
    try:
        args, kwargs = entry.args(ctx, session)
        SERVICES[name](session, actor, *args, **kwargs)
    except BaseException as exc:
        return exc
    finally:
        session.rollback()
        session.close()
    return None


def _params() -> list[Any]:
    out = []
    for name in sorted(MATRIX):
        gap = KNOWN_GAPS.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        out.append(pytest.param(name, id=name.removeprefix("curation."), marks=marks))
    return out


@pytest.mark.parametrize("name", _params())
def test_wrong_roles_are_refused_and_right_roles_are_not(db, ctx, name):
    """Roles without the permission get PermissionDenied; roles with it never do."""
    if name not in SERVICES:
        pytest.skip(f"{name} is not in this installation")
    needs = MATRIX[name].needs
    for role in Role:
        allowed = needs is None or needs in ROLE_PERMISSIONS[role]
        outcome = _call(db, ctx, name, role)
        if allowed:
            assert not isinstance(outcome, PermissionDenied), f"{role.value} refused: {outcome}"
        else:
            assert isinstance(outcome, PermissionDenied), (
                f"{role.value} was not refused by {name} (got {outcome!r})"
            )
