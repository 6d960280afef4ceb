"""The quotable list: consent, filters, full-text search, pagination, counts, detail, CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from response_fixtures import add_person
from sqlalchemy import select, text
from typer.testing import CliRunner

from curation import app_settings, consultations
from curation.access.actors import LOCAL_ADMIN, Actor
from curation.cli import app
from curation.errors import ConsentError, NotFound, UnusableInput
from curation.responses.browse import (
    ResponseFilter,
    exclusion_counts,
    facets,
    fts5_query,
    get_response,
    list_responses,
    search_words,
)
from curation.store import Database
from curation.store.foundation import Response

HOSTILE = ['"', "*", "NEAR(", "'); drop table responses; --", 'bus" OR "x', "^col:", "(", "-",
           "AND", "a\x00b", "🚌", "\\", "%_", "NEAR(bus rural, 2)", "text:bus", '"""']  # fmt: skip


@pytest.fixture
def store(any_db: Database) -> tuple[Database, int]:
    """A store holding the bundled consultation and respondents in every consent state."""
    with any_db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        add_person(
            s,
            c,
            {1: "Rural buses were cut during the pandemic.", 3: "Housing is missing."},
            name="Siân Quillfeather",
            region="Wales",
            sector="charity",
            submitted_at=datetime(2022, 2, 20, 9, tzinfo=UTC),
        )
        add_person(
            s,
            c,
            {1: "Schools need more teachers, not targets."},
            name="Derek Fernsby",
            region="North East",
            sector="education",
            kind="audio",
            submitted_at=datetime(2022, 3, 15, 9, tzinfo=UTC),
        )
        add_person(
            s,
            c,
            {2: "Mae trafnidiaeth gyhoeddus yn wael. Café culture matters."},
            name="Gwên ap Tegid",
            region="Wales",
            sector="community group",
            submitted_at=datetime(2022, 3, 30, 9, tzinfo=UTC),
        )
        add_person(s, c, {1: "SECRET-anon rural buses"}, state="anonymous", region="London")
        add_person(s, c, {1: "SECRET-no rural buses", 2: "SECRET-no2"}, state="not consented")
        add_person(s, c, {1: "SECRET-blank rural buses"}, state="blank")
        add_person(s, c, {1: "SECRET-withdrawn rural buses"}, state="withdrawn")
        add_person(s, c, {1: "SECRET-noname rural buses"}, name="")
        return any_db, c.id


def texts(db: Database, cid: int, flt: ResponseFilter | None = None, **kw: int) -> list[str]:
    with db.session() as s:
        return [r.text for r in list_responses(s, LOCAL_ADMIN, cid, flt, **kw).items]


def test_only_quotable_responses_are_listed_with_attribution(store: tuple[Database, int]) -> None:
    """Consented, named, not withdrawn responses only, newest first, credited by name."""
    db, cid = store
    with db.session() as s:
        page = list_responses(s, LOCAL_ADMIN, cid)
    assert page.total == 4
    assert not any("SECRET" in r.text for r in page.items)
    assert page.items[0].text.startswith("Mae trafnidiaeth")
    first = next(r for r in page.items if r.text.startswith("Rural"))
    assert first.attribution == "Siân Quillfeather, Example Trust (Wales)"
    assert first.question == 1 and first.question_label == "Pandemic inequalities"
    assert first.missions == ["Transport"]


def test_anonymous_switch_lists_anonymous_respondents_without_their_name(
    store: tuple[Database, int],
) -> None:
    """With anonymous quoting allowed, anonymous answers appear as "Anonymous respondent"."""
    db, cid = store
    with db.session() as s:
        app_settings.put(s, LOCAL_ADMIN, "allow_anonymous_quotes", True)
    with db.session() as s:
        rows = list_responses(s, LOCAL_ADMIN, cid).items
    anon = [r for r in rows if r.text.startswith("SECRET-anon")]
    assert [r.attribution for r in anon] == ["Anonymous respondent, London"]
    assert len(rows) == 5


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (ResponseFilter(questions=(1,)), 2),
        (ResponseFilter(questions=(1, 2)), 3),
        (ResponseFilter(regions=("Wales",)), 3),
        (ResponseFilter(sectors=("education",)), 1),
        (ResponseFilter(kinds=("audio",)), 1),
        (ResponseFilter(themes=("transport",)), 2),
        (ResponseFilter(themes=("housing", "education")), 2),
        (ResponseFilter(date_from=date(2022, 3, 1)), 2),
        (ResponseFilter(date_to=date(2022, 3, 15)), 3),
        (ResponseFilter(date_from=date(2022, 3, 15), date_to=date(2022, 3, 15)), 1),
        (ResponseFilter(questions=(1,), regions=("Wales",), kinds=("text",)), 1),
    ],
)
def test_filters_narrow_the_list(
    store: tuple[Database, int], flt: ResponseFilter, expected: int
) -> None:
    """Each filter (and combinations) narrows the quotable list as expected."""
    db, cid = store
    with db.session() as s:
        page = list_responses(s, LOCAL_ADMIN, cid, flt)
    assert page.total == expected == len(page.items)
    assert not any("SECRET" in r.text for r in page.items)


def test_search_requires_every_word_and_never_reveals_excluded_text(
    store: tuple[Database, int],
) -> None:
    """Search matches all words (any case); excluded answers with the words stay hidden."""
    db, cid = store
    assert texts(db, cid, ResponseFilter(search="RURAL buses")) == [
        "Rural buses were cut during the pandemic."
    ]
    assert texts(db, cid, ResponseFilter(search="rural teachers")) == []
    assert texts(db, cid, ResponseFilter(search="trafnidiaeth")) == [
        "Mae trafnidiaeth gyhoeddus yn wael. Café culture matters."
    ]
    assert texts(db, cid, ResponseFilter(search="SECRET")) == []


def test_search_ignores_accents_on_sqlite(sqlite_db: Database) -> None:
    """FTS5's unicode61 tokenizer with remove_diacritics finds "café" from "cafe"."""
    with sqlite_db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        add_person(s, c, {1: "Café culture matters."})
        cid = c.id
    assert texts(sqlite_db, cid, ResponseFilter(search="cafe")) == ["Café culture matters."]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_search_strings_are_plain_words(store: tuple[Database, int], hostile: str) -> None:
    """Query syntax and quotes in the search box never break the query or reveal anything."""
    db, cid = store
    found = texts(db, cid, ResponseFilter(search=hostile))
    assert not any("SECRET" in t for t in found)
    with db.session() as s:  # the table is still there
        assert s.query(Response).count() == 10


def test_search_words_are_quoted_for_fts5() -> None:
    """Every word becomes a quoted FTS5 string; punctuation-only input has no words."""
    assert (
        fts5_query(search_words('NEAR(bus "rural", 2) OR x*'))
        == '"NEAR" "bus" "rural" "2" "OR" "x"'
    )
    assert search_words('"*()') == []


def test_search_index_follows_edits_and_deletes(sqlite_db: Database) -> None:
    """The FTS5 triggers keep the index in step when text changes or a response goes."""
    with sqlite_db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        rid = add_person(s, c, {1: "The trams are late."}).responses[0].id
        cid = c.id
    with sqlite_db.session() as s:
        s.get(Response, rid).text = "The ferries are late."  # type: ignore[union-attr]
    assert texts(sqlite_db, cid, ResponseFilter(search="trams")) == []
    assert texts(sqlite_db, cid, ResponseFilter(search="ferries")) == ["The ferries are late."]
    with sqlite_db.session() as s:
        s.delete(s.get(Response, rid))
    assert texts(sqlite_db, cid, ResponseFilter(search="ferries")) == []
    with sqlite_db.engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO responses_fts(responses_fts) VALUES ('integrity-check')")


def test_postgres_search_uses_the_gin_index(postgres_db: Database) -> None:
    """On PostgreSQL the search expression matches the GIN index of migration 0002."""
    with postgres_db.session() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))
        from curation.responses.browse import _search_clause

        query = select(Response.id).where(_search_clause(s, ["bus", "rural"]))
        sql = query.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in s.connection().exec_driver_sql(f"EXPLAIN {sql}"))
    assert "ix_responses_text_fts" in plan


def test_pages_come_from_the_database(store: tuple[Database, int]) -> None:
    """Pages are disjoint slices of one ordering, with the total counted separately."""
    db, cid = store
    with db.session() as s:
        pages = [list_responses(s, LOCAL_ADMIN, cid, page=n, page_size=3) for n in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [3, 1, 0]
    assert {p.total for p in pages} == {4}
    assert pages[0].pages == 2
    ids = [r.id for p in pages for r in p.items]
    assert len(set(ids)) == 4
    with db.session() as s, pytest.raises(UnusableInput):
        list_responses(s, LOCAL_ADMIN, cid, page=0)
    with db.session() as s, pytest.raises(UnusableInput):
        list_responses(s, LOCAL_ADMIN, cid, page_size=100_000)


def test_exclusion_counts_are_numbers_by_reason(store: tuple[Database, int]) -> None:
    """Excluded responses are counted by reason; blank consent counts as not consented."""
    db, cid = store
    with db.session() as s:
        counts = exclusion_counts(s, LOCAL_ADMIN, cid)
    assert counts == {"not consented": 3, "anonymous": 1, "withdrawn": 1, "no name": 1}
    assert all(isinstance(n, int) for n in counts.values())


def test_detail_shows_a_quotable_response_in_full(
    store: tuple[Database, int], viewer: Actor
) -> None:
    """The detail view has the full text, question, attribution and missions."""
    db, cid = store
    with db.session() as s:
        row = list_responses(s, viewer, cid, ResponseFilter(kinds=("audio",))).items[0]
        detail = get_response(s, viewer, row.id)
    assert detail.text == "Schools need more teachers, not targets."
    assert detail.question_text.startswith("Do you think the Government")
    assert detail.kind == "audio" and detail.media_ref is None
    assert detail.missions == ["Education"]


def test_detail_refuses_non_quotable_responses(store: tuple[Database, int]) -> None:
    """Asking for an excluded response by id raises ConsentError; a missing id NotFound."""
    db, _ = store
    with db.session() as s:
        secret_ids = [r.id for r in s.query(Response) if r.text.startswith("SECRET")]
        assert len(secret_ids) == 6
        for rid in secret_ids:
            with pytest.raises(ConsentError):
                get_response(s, LOCAL_ADMIN, rid)
        with pytest.raises(NotFound):
            get_response(s, LOCAL_ADMIN, 999_999)


def test_facets_offer_questions_missions_regions_and_sectors(store: tuple[Database, int]) -> None:
    """Filter options: ten questions, twelve missions, all UK regions, stored sectors, dates."""
    db, cid = store
    with db.session() as s:
        f = facets(s, cid)
    assert len(f.questions) == 10 and len(f.themes) == 12
    assert len(f.regions) == 12 and "Northern Ireland" in f.regions
    assert f.sectors == ["charity", "community group", "education"]
    assert f.first_day == date(2022, 2, 20) and f.last_day == date(2022, 3, 30)


def test_cli_prints_the_quotable_list_as_json(sqlite_db: Database) -> None:
    """`curation responses --json` prints only quotable rows, with the documented keys."""
    with sqlite_db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        add_person(
            s, c, {4: "Local people should decide.", 5: "Children first."}, name="Aled Example"
        )
        add_person(s, c, {4: "SECRET local people"}, state="withdrawn")
    runner = CliRunner()
    result = runner.invoke(app, ["responses", "--quotable", "--question", "4", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1
    assert set(rows[0]) == {
        "id",
        "respondent_id",
        "question",
        "text",
        "attribution",
        "region",
        "kind",
        "missions",
    }
    assert rows[0]["question"] == 4 and rows[0]["text"] == "Local people should decide."
    assert rows[0]["attribution"] == "Aled Example, Example Trust (Wales)"
    searched = runner.invoke(app, ["responses", "--search", "people", "--json"])
    assert [r["text"] for r in json.loads(searched.stdout)] == ["Local people should decide."]
    limited = runner.invoke(app, ["responses", "--limit", "1", "--json"])
    assert len(json.loads(limited.stdout)) == 1


@pytest.mark.parametrize(
    ("args", "reason"),
    [(["--limit", "0"], "--limit"), (["--question", "42"], "no question 42")],
)
def test_cli_refuses_unusable_options(sqlite_db: Database, args: list[str], reason: str) -> None:
    """A bad --limit or unknown question exits 2 with a one-line reason."""
    with sqlite_db.session() as s:
        consultations.ensure_bundled(s, LOCAL_ADMIN)
    result = CliRunner().invoke(app, ["responses", *args])
    assert result.exit_code == 2
    assert reason in result.stderr
