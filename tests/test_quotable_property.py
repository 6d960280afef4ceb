"""Property: whatever the consent states, no non-quotable text reaches list, CLI or page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from curation import app_settings, consultations
from curation.access.actors import LOCAL_ADMIN, Actor, Role
from curation.cli import app
from curation.responses.browse import list_responses
from curation.rights.consent import is_quotable
from curation.store import Database
from curation.store.foundation import Consultation, Respondent, Response

SETTINGS = settings(
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Person:
    consent: bool
    anonymous: bool
    withdrawn: bool
    erased: bool
    name: str | None
    answers: tuple[str, ...]


people = st.lists(
    st.builds(
        Person,
        consent=st.booleans(),
        anonymous=st.booleans(),
        withdrawn=st.booleans(),
        erased=st.booleans(),
        name=st.sampled_from([None, "", "  ", "Siân Example", "Dafydd ap Example", "O'Brien *x*"]),
        answers=st.lists(
            st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40),
            min_size=1,
            max_size=3,
        ).map(tuple),
    ),
    min_size=1,
    max_size=8,
)


@pytest.fixture
def bundled(db: Database) -> Iterator[Consultation]:
    with db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        c.questions  # noqa: B018 - load before the session closes
    yield c


def store_people(
    db: Database, c: Consultation, group: list[Person], allow_anon: bool
) -> tuple[set[str], set[str]]:
    """Replace all respondents with `group`; the markers of quotable and hidden answers."""
    shown: set[str] = set()
    hidden: set[str] = set()
    with db.session() as s:
        s.execute(delete(Response))
        s.execute(delete(Respondent))
        app_settings.put(s, LOCAL_ADMIN, "allow_anonymous_quotes", allow_anon)
        for i, p in enumerate(group):
            person = Respondent(
                consultation_id=c.id,
                source_key=f"p{i}",
                name=p.name,
                region="Wales",
                consent_to_quote=p.consent,
                anonymous=p.anonymous,
                withdrawn_at=datetime(2026, 1, 1, tzinfo=UTC) if p.withdrawn else None,
                erased_at=datetime(2026, 1, 2, tzinfo=UTC) if p.erased else None,
            )
            quotable = is_quotable(person, allow_anonymous=allow_anon)
            for q, answer in enumerate(p.answers, start=1):
                marker = f"MARK{i}Q{q}Z"
                person.responses.append(
                    Response(
                        question_id=c.questions[q - 1].id,
                        text=f"{marker} {answer}",
                        content_hash=marker,
                    )
                )
                (shown if quotable else hidden).add(marker)
            s.add(person)
    return shown, hidden


@settings(SETTINGS, max_examples=40)  # each example runs the CLI three times
@given(group=people, allow_anon=st.booleans())
def test_list_and_cli_never_show_non_quotable_text(
    db: Database, bundled: Consultation, group: list[Person], allow_anon: bool
) -> None:
    """list_responses and `curation responses --quotable` list exactly the quotable answers."""
    shown, hidden = store_people(db, bundled, group, allow_anon)
    with db.session() as s:
        page = list_responses(s, LOCAL_ADMIN, bundled.id, page_size=1000)
    listed = {r.text.split(" ", 1)[0] for r in page.items}
    assert listed == shown
    assert not listed & hidden
    for extra in ([], ["--question", "1"], ["--search", "MARK0Q1Z"]):
        result = CliRunner().invoke(
            app, ["responses", "--quotable", "--json", "--limit", "1000", *extra]
        )
        assert result.exit_code == 0, result.output
        assert not any(marker in result.output for marker in hidden)
        printed = {row["text"].split(" ", 1)[0] for row in json.loads(result.stdout)}
        assert printed <= shown


def _page_strings(at: AppTest) -> str:
    parts: list[str] = []
    for kind in (at.text, at.markdown, at.caption, at.subheader, at.info, at.warning, at.metric):
        parts.extend(str(getattr(el, "value", "")) for el in kind)
    return "\n".join(parts)


@settings(SETTINGS, max_examples=6)
@given(group=people, allow_anon=st.booleans())
def test_responses_page_never_shows_non_quotable_text(
    db: Database, bundled: Consultation, group: list[Person], allow_anon: bool
) -> None:
    """The Responses page, list and detail, shows no marker of a non-quotable answer."""
    shown, hidden = store_people(db, bundled, group, allow_anon)
    at = AppTest.from_file("../app_pages/responses.py", default_timeout=30)
    at.session_state["actor"] = Actor("cara", Role.CURATOR)
    at.run()
    assert not at.exception
    page = _page_strings(at)
    assert not any(marker in page for marker in hidden)
    assert all(marker in page for marker in shown)
    for button in [b for b in at.button if (b.key or "").startswith("detail_")][:2]:
        button.click().run()
        assert not at.exception
        assert not any(marker in _page_strings(at) for marker in hidden)
