"""The Responses page: filters and search by key, pagination, detail view, pick button per role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from response_fixtures import add_person
from streamlit.testing.v1 import AppTest

from curation import consultations
from curation.access.actors import LOCAL_ADMIN, Actor, Role
from curation.store import Database

PAGE = "../app_pages/responses.py"


@pytest.fixture
def store(db: Database) -> Database:
    """30 quotable answers to question 1, a few to question 2, and hidden ones."""
    with db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        start = datetime(2022, 2, 20, 9, tzinfo=UTC)
        for i in range(30):
            add_person(
                s,
                c,
                {1: f"Answer number {i} about rural bus routes."},
                name=f"Person {i}",
                submitted_at=start + timedelta(hours=i),
            )
        add_person(
            s,
            c,
            {2: "Our *school* needs [teachers](http://evil.example) <b>now</b>"},
            name="Gwên **Bold**",
            region="Scotland",
            sector="education",
            kind="video",
        )
        add_person(s, c, {1: "HIDDEN not consented"}, state="not consented")
        add_person(s, c, {1: "HIDDEN anonymous"}, state="anonymous")
        add_person(s, c, {1: "HIDDEN withdrawn"}, state="withdrawn")
    return db


def open_page(role: Role = Role.CURATOR) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["actor"] = Actor(f"someone-{role.value}", role)
    at.run()
    assert not at.exception
    return at


def shown_texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_lists_quotable_responses_and_counts_the_rest(store: Database) -> None:
    """The first page shows 25 quotable answers; excluded ones appear only as numbers."""
    at = open_page()
    assert len(shown_texts(at)) == 25
    assert not any("HIDDEN" in t for t in shown_texts(at))
    assert metric(at, "Quotable (matching)") == "31"
    assert (metric(at, "Not consented"), metric(at, "Anonymous"), metric(at, "Withdrawn")) == (
        "1",
        "1",
        "1",
    )


def test_user_text_is_shown_literally(store: Database) -> None:
    """Markdown and HTML in answers and names are shown as typed, never interpreted."""
    at = open_page()
    at.multiselect(key="resp_questions").select(2).run()
    assert shown_texts(at) == ["Our *school* needs [teachers](http://evil.example) <b>now</b>"]
    assert any("Gwên \\*\\*Bold\\*\\*" in m.value for m in at.markdown)


def test_filters_and_search_narrow_the_list(store: Database) -> None:
    """Question, region, kind filters and the search box narrow the list."""
    at = open_page()
    at.multiselect(key="resp_regions").select("Scotland").run()
    assert metric(at, "Quotable (matching)") == "1"
    at.multiselect(key="resp_regions").unselect("Scotland").run()
    at.multiselect(key="resp_kinds").select("video").run()
    assert metric(at, "Quotable (matching)") == "1"
    at.multiselect(key="resp_kinds").unselect("video").run()
    at.text_input(key="resp_search").input('"number" 7* (').run()
    assert not at.exception
    assert shown_texts(at) == ["Answer number 7 about rural bus routes."]


def test_pagination_moves_through_the_list(store: Database) -> None:
    """Page 2 holds the remaining answers; changing a filter goes back to page 1."""
    at = open_page()
    first = shown_texts(at)
    at.number_input(key="resp_page").set_value(2).run()
    second = shown_texts(at)
    assert len(second) == 6 and not set(first) & set(second)
    at.text_input(key="resp_search").input("rural").run()
    assert at.number_input(key="resp_page").value == 1


def test_detail_view_shows_the_full_answer(store: Database) -> None:
    """Details opens the full text with the question; Close hides it again."""
    at = open_page()
    at.multiselect(key="resp_questions").select(2).run()
    button = next(b for b in at.button if (b.key or "").startswith("detail_"))
    button.click().run()
    assert not at.exception
    assert any("Can you give us examples" in c.value for c in at.caption)
    assert any("recording itself is not in the store" in c.value for c in at.caption)
    at.button(key="resp_detail_close").click().run()
    assert not any("Can you give us examples" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("role", "can_pick"),
    [(Role.VIEWER, False), (Role.CURATOR, True), (Role.APPROVER, True), (Role.ADMIN, True)],
)
def test_pick_button_only_for_roles_that_pick(store: Database, role: Role, can_pick: bool) -> None:
    """The "Pick quotes" button appears for curators and above, not for viewers."""
    at = open_page(role)
    keys = [b.key or "" for b in at.button]
    assert any(k.startswith("detail_") for k in keys)
    assert any(k.startswith("pick_") for k in keys) is can_pick
