"""Scheduling in Europe/London: clock changes, slots, gaps, daily caps, repeats, and composing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from curation.access.actors import Actor
from curation.errors import ConsentError, PermissionDenied, UnusableInput, WorkflowError
from curation.posts import compose, scheduling, service
from curation.posts.scheduling import AmbiguousLocalTime, NonexistentLocalTime, Rules
from curation.store import Database
from curation.store.foundation import Consultation, Respondent
from curation.store.posts import Post
from curation.store.quotes import Quote
from tests.fakes.rows import approved_quote

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday, GMT


# -- wall times --------------------------------------------------------------------------


def test_spring_forward_time_does_not_exist() -> None:
    """2026-03-29 01:30 London never happens (01:00 GMT jumps to 02:00 BST) and is refused."""
    with pytest.raises(NonexistentLocalTime, match="does not exist"):
        scheduling.parse_local("2026-03-29 01:30")


def test_autumn_time_is_ambiguous_and_lists_both_utc_options() -> None:
    """2026-10-25 01:30 London happens twice; without a fold the error names both UTC instants."""
    with pytest.raises(AmbiguousLocalTime) as caught:
        scheduling.parse_local("2026-10-25 01:30")
    assert caught.value.options == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ]
    assert "00:30 UTC" in str(caught.value) and "01:30 UTC" in str(caught.value)


def test_fold_chooses_the_first_or_second_autumn_occurrence() -> None:
    """fold=0 is the BST 01:30 (00:30 UTC); fold=1 the GMT one (01:30 UTC)."""
    first = scheduling.parse_local("2026-10-25 01:30", fold=0)
    second = scheduling.parse_local("2026-10-25 01:30", fold=1)
    assert first.utc == datetime(2026, 10, 25, 0, 30, tzinfo=UTC) and first.fold == 0
    assert second.utc == datetime(2026, 10, 25, 1, 30, tzinfo=UTC) and second.fold == 1
    assert first.local == second.local == "2026-10-25 01:30"


def test_summer_and_winter_times_convert_to_utc() -> None:
    """A BST time is one hour ahead of UTC; a GMT time equals UTC."""
    assert scheduling.parse_local("2026-07-01 12:30").utc == datetime(
        2026, 7, 1, 11, 30, tzinfo=UTC
    )
    assert scheduling.parse_local("2026-01-15 12:30").utc == datetime(
        2026, 1, 15, 12, 30, tzinfo=UTC
    )


def test_badly_written_time_is_unusable_input() -> None:
    """A time not written YYYY-MM-DD HH:MM is refused with the expected format."""
    with pytest.raises(UnusableInput, match="YYYY-MM-DD HH:MM"):
        scheduling.parse_local("tomorrow noon")


# -- composing ---------------------------------------------------------------------------


def test_x_counts_by_weighted_length_and_urls_as_23() -> None:
    """X counts a long URL as 23 and CJK characters as 2; Bluesky counts graphemes."""
    url = "https://example.org/" + "a" * 100
    assert compose.count("x", url) == 23
    assert compose.count("x", "日本") == 4
    family = "👨‍👩‍👧"
    assert compose.count("bluesky", family) == 1
    assert compose.count("mastodon", "hi " + url) == 3 + 23


def test_default_text_fits_each_network_and_keeps_link_and_credit() -> None:
    """A long quote is shortened (with an ellipsis) until the text fits the network."""
    quote = "We need buses that run late. " * 20
    for network in ("x", "bluesky", "mastodon"):
        text = compose.default_text(
            network,
            quote=quote.strip(),
            attribution="Ann, Leeds",
            question="Who should own success?",
            link="https://example.org/consultation",
            hashtags=["#LU"],
        )
        assert compose.fits(network, text), network
        assert "Ann, Leeds" in text and "https://example.org/consultation" in text
    assert "…" in compose.default_text(
        "x", quote=quote, attribution="A", question="Q", link=None, hashtags=[]
    )


def test_default_text_gives_up_hashtags_and_question_before_the_quote() -> None:
    """A short quote stays whole: the question makes room before the quote is cut."""
    quote = "A clear role for the community sector in delivery, with resources to match."
    question = "What would you like to see as part of the next steps to reassure you? " * 3
    text = compose.default_text(
        "x",
        quote=quote,
        attribution="Siân, Wales",
        question=question.strip(),
        link="https://example.org/c",
        hashtags=["#LevellingUp", "#SocialValue"],
    )
    assert compose.fits("x", text)
    assert f"“{quote}”" in text and "…" not in text
    assert "reassure" not in text and "#LevellingUp #SocialValue" in text


# -- rules against the store -------------------------------------------------------------


@pytest.fixture
def quote_id(db: Database, consultation: Consultation) -> int:
    with db.session() as session:
        return approved_quote(session, consultation)


def _schedule(db: Database, actor: Actor, quote: int, network: str, at: str, **kw: object) -> Post:
    with db.session() as session:
        return service.schedule_post(session, actor, quote, network, at, now=NOW, **kw)  # type: ignore[arg-type]


def test_schedule_stores_utc_and_london_wall_time_and_marks_quote_scheduled(
    db: Database, curator: Actor, quote_id: int
) -> None:
    """Scheduling stores UTC, the London wall time and fold, and the quote becomes scheduled."""
    post = _schedule(db, curator, quote_id, "x", "2026-04-02 12:30")
    assert post.scheduled_at == datetime(2026, 4, 2, 11, 30, tzinfo=UTC)
    assert post.scheduled_local == "2026-04-02 12:30" and post.status == "scheduled"
    assert compose.fits("x", post.text) and len(post.idempotency_key) == 32
    with db.session() as session:
        assert session.get(Quote, quote_id).status == "scheduled"


def test_viewer_may_not_schedule(db: Database, viewer: Actor, quote_id: int) -> None:
    """Scheduling needs the schedule-posts permission."""
    with pytest.raises(PermissionDenied):
        _schedule(db, viewer, quote_id, "x", "now")


def test_unapproved_or_unconsented_quotes_are_refused(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """A draft quote is refused; a respondent without consent is refused with a consent error."""
    with db.session() as session:
        draft = approved_quote(session, consultation, key="d")
        session.get(Quote, draft).status = "draft"
        blocked = approved_quote(session, consultation, key="b")
        session.get(Quote, blocked).response.respondent.consent_to_quote = False
    with pytest.raises(WorkflowError, match="draft"):
        _schedule(db, curator, draft, "x", "now")
    with pytest.raises(ConsentError):
        _schedule(db, curator, blocked, "x", "now")


def test_too_long_custom_text_is_refused(db: Database, curator: Actor, quote_id: int) -> None:
    """Custom text over X's 280 weighted limit is refused and nothing is written."""
    with pytest.raises(UnusableInput, match="280"):
        _schedule(db, curator, quote_id, "x", "now", text="日本" * 80)
    with db.session() as session:
        assert session.query(Post).count() == 0


def test_minimum_gap_per_account(db: Database, curator: Actor, consultation: Consultation) -> None:
    """A second X post within the minimum gap is refused; another network is unaffected."""
    with db.session() as session:
        first, second = (
            approved_quote(session, consultation, key="a"),
            approved_quote(session, consultation, key="b"),
        )
    _schedule(db, curator, first, "x", "2026-04-02 12:30")
    with pytest.raises(WorkflowError, match="minutes between"):
        _schedule(db, curator, second, "x", "2026-04-02 13:00")
    _schedule(db, curator, second, "bluesky", "2026-04-02 13:00")
    _schedule(db, curator, second, "x", "2026-04-02 13:30")


def test_daily_cap_per_rolling_24_hours(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """X's default cap is 17 posts in any 24 hours; the 18th is refused."""
    rules = Rules(min_gap_minutes={"x": 0})
    with db.session() as session:
        ids = [approved_quote(session, consultation, key=f"k{i}") for i in range(18)]
    start = datetime(2026, 4, 2, 8, 0)
    for i, q in enumerate(ids[:17]):
        _schedule(
            db,
            curator,
            q,
            "x",
            (start + timedelta(minutes=20 * i)).strftime("%Y-%m-%d %H:%M"),
            rules=rules,
        )
    with pytest.raises(WorkflowError, match="at most 17"):
        _schedule(db, curator, ids[17], "x", "2026-04-03 07:00", rules=rules)
    _schedule(db, curator, ids[17], "x", "2026-04-03 09:00", rules=rules)


def test_same_quote_not_repeated_on_a_network_within_the_window(
    db: Database, curator: Actor, quote_id: int
) -> None:
    """The same quote on the same network within the repeat window is refused; after it, allowed."""
    _schedule(db, curator, quote_id, "mastodon", "2026-04-02 12:30")
    with pytest.raises(WorkflowError, match="already posted"):
        _schedule(db, curator, quote_id, "mastodon", "2026-04-09 12:30")
    _schedule(db, curator, quote_id, "mastodon", "2026-04-20 12:30")


def test_next_slot_skips_taken_slots_and_the_spring_gap(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """next-slot picks the first free Tuesday/Thursday 12:30 and a slot at 01:30 skips 29 March."""
    with db.session() as session:
        scheduling.set_slots(session, "x", [(1, "12:30"), (3, "12:30")])
        scheduling.set_slots(session, "bluesky", [(6, "01:30")])
        first, second = (
            approved_quote(session, consultation, key="a"),
            approved_quote(session, consultation, key="b"),
        )
    a = _schedule(db, curator, first, "x", "next-slot")
    assert a.scheduled_local == "2026-03-10 12:30"  # Tuesday, later that day
    b = _schedule(db, curator, second, "x", "next-slot")
    assert b.scheduled_local == "2026-03-12 12:30"  # Thursday
    with db.session() as session:
        when = scheduling.next_slot(
            session,
            network="bluesky",
            after=datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
            quote_id=first,
            rules=Rules(),
        )
    assert when.local == "2026-04-05 01:30"  # 29 March 01:30 does not exist


def test_next_slot_without_slots_is_unusable(db: Database, curator: Actor, quote_id: int) -> None:
    """Asking for next-slot where no slots are set says so."""
    with pytest.raises(UnusableInput, match="no posting slots"):
        _schedule(db, curator, quote_id, "mastodon", "next-slot")


def test_reschedule_and_cancel(db: Database, curator: Actor, quote_id: int) -> None:
    """A scheduled post can be moved (rules apply) and cancelled; the quote returns to approved."""
    post = _schedule(db, curator, quote_id, "x", "2026-04-02 12:30")
    with db.session() as session:
        moved = service.reschedule(session, curator, post.id, "2026-10-25 01:30", fold=1, now=NOW)
        assert moved.scheduled_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        assert moved.scheduled_fold == 1
    with db.session() as session:
        service.cancel(session, curator, post.id, now=NOW)
    with db.session() as session:
        assert session.get(Post, post.id).status == "cancelled"
        assert session.get(Quote, quote_id).status == "approved"
        rows = service.calendar(
            session, curator, datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
        )
        assert [r["day"] for r in rows] == ["2026-10-25"]


def test_anonymous_respondent_is_refused_unless_allowed(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """Anonymous respondents cannot be posted while the switch is off."""
    with db.session() as session:
        q = approved_quote(session, consultation, key="anon", anonymous=True)
        assert session.query(Respondent).count() == 1
    with pytest.raises(ConsentError):
        _schedule(db, curator, q, "x", "now")
