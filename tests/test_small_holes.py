"""Small holes: Markdown in names, stale sign-ins, CLI rights, file modes, bidi characters."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner, Result

from curation import app_settings
from curation.access import accounts, users
from curation.access.actors import Actor, Role
from curation.cli import app as cli_app
from curation.config import create_private_file
from curation.errors import UnusableInput
from curation.posts import service as posts
from curation.quotes import workflow
from curation.store import Database, open_database
from curation.store.foundation import AuditEntry, Consultation, Respondent, User
from tests.quote_fixtures import LONG_ANSWER, add_response
from ui.safe_text import escape_markdown

ROOT = Path(__file__).resolve().parent.parent
EVIL_NAME = "Eve ![t](https://example.org/t.png) [re-verify](https://example.org)"
EVIL_ORG = "[Acme](http://evil.example) **Ltd** <img src=x>"

# Elements whose text Streamlit renders as Markdown (st.text, dataframes, text areas and the
# options of select boxes show characters as they are, so they are not checked).
_MARKDOWN_VALUES = {"markdown", "caption", "error", "warning", "info", "success", "toast",
                    "title", "header", "subheader"}  # fmt: skip


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _markdown_strings(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown: bodies, labels, options."""
    found: list[str] = []
    for node in _walk(at._tree):
        kind = getattr(node, "type", "")
        if kind in _MARKDOWN_VALUES and isinstance(getattr(node, "value", None), str):
            found.append(node.value)
        label = getattr(node, "label", None)
        if isinstance(label, str):
            found.append(label)
        if kind == "radio":
            found.extend(str(o) for o in node.options)
    return found


def _assert_no_live_markdown(at: AppTest) -> list[str]:
    strings = _markdown_strings(at)
    for value in strings:
        assert "![" not in value, f"an image in rendered Markdown: {value!r}"
        assert "](http" not in value, f"a link in rendered Markdown: {value!r}"
        assert "://" not in value, f"a bare address in rendered Markdown: {value!r}"
    return strings


def _page(name: str, actor: Actor, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60)
    at.session_state["actor"] = actor
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def evil(db: Database, consultation: Consultation, curator: Actor, approver: Actor) -> dict:
    """A consenting, named respondent called EVIL_NAME with an approved quote and a queued post."""
    with db.session() as session:
        response = add_response(
            session, consultation, text=LONG_ANSWER, name=EVIL_NAME, organisation=EVIL_ORG
        )
        response.kind = "video"
        response.media_ref = "0" * 64
        session.flush()
        quote = workflow.create_quote(session, curator, response.id, [(23, 103)])
        workflow.approve(session, approver, quote.id)
        soon = datetime.now(UTC) + timedelta(hours=2)
        post = posts.schedule_post(session, curator, quote.id, "mastodon", soon, render_card=False)
        post.last_error = f"the network said: no such account {EVIL_NAME}"  # a remote's words
        return {
            "response_id": response.id,
            "respondent_id": response.respondent_id,
            "quote_id": quote.id,
            "post_id": post.id,
            "day": soon.date(),
        }


def test_escape_markdown_disarms_links_images_and_addresses() -> None:
    """The one escaper turns a name with an image, a link and an address into literal text."""
    escaped = escape_markdown(EVIL_NAME)
    assert "![" not in escaped and "](http" not in escaped and "://" not in escaped
    assert escaped.replace("\\", "") == EVIL_NAME


def test_there_is_one_markdown_escaper() -> None:
    """Pages and ui/ import the escaper from ui.safe_text; no other module defines one."""
    defining = [
        p.relative_to(ROOT).as_posix()
        for folder in ("curation", "ui", "app_pages")
        for p in (ROOT / folder).rglob("*.py")
        if "def escape_markdown" in p.read_text(encoding="utf-8")
    ]
    assert defining == ["ui/safe_text.py"]


# page, role, session state taken from the `evil` fixture, whether Markdown shows the name
PAGES_WITH_A_NAME = [
    ("responses", "viewer", {}, True),
    ("pick", "curator", {"pick_response_id": "response_id"}, True),
    ("quotes", "curator", {"quotes_status": "any"}, True),
    ("media", "curator", {}, True),
    ("preview", "viewer", {}, False),  # the name is in the card image and the alt text box
    ("compose", "curator", {}, False),  # ... and in the post text boxes
    ("calendar", "curator", {"calendar_day": "day"}, False),  # ... and the post's st.text
    ("balance", "approver", {}, False),
    ("privacy", "admin", {"privacy_respondent": "respondent_id"}, False),
]


@pytest.mark.parametrize(("page", "who", "state", "named"), PAGES_WITH_A_NAME)
def test_a_name_with_markdown_is_shown_literally_on_every_page(
    request: pytest.FixtureRequest,
    evil: dict,
    consultation: Consultation,
    page: str,
    who: str,
    state: dict[str, object],
    named: bool,
) -> None:
    """A respondent named with an image and links makes no page render an image or a link."""
    actor = request.getfixturevalue(who)
    values = {key: evil.get(str(name), name) for key, name in state.items()}
    at = _page(page, actor, consultation_id=consultation.id, **values)
    strings = _assert_no_live_markdown(at)
    assert strings, "the page rendered some Markdown to check"
    if named:
        assert any(escape_markdown(EVIL_NAME) in s for s in strings), strings


def test_pick_page_shows_the_escaped_name(evil: dict, curator: Actor) -> None:
    """On the picker the attribution is present, escaped, and reads as the name."""
    at = _page("pick", curator, pick_response_id=evil["response_id"])
    shown = [c.value for c in at.caption]
    assert any(escape_markdown(EVIL_NAME) in c for c in shown), shown


def test_calendar_shows_a_posts_note_escaped(evil: dict, curator: Actor) -> None:
    """A post's last note (a network's own words) is shown on the Calendar as literal text."""
    at = _page("calendar", curator, calendar_day=evil["day"])
    notes = [c.value for c in at.caption if c.value.startswith("Last note: ")]
    assert notes == [
        "Last note: " + escape_markdown(f"the network said: no such account {EVIL_NAME}")
    ]


def test_users_page_shows_a_new_users_name_escaped(
    db: Database, consultation: Consultation
) -> None:
    """Adding a user whose name holds a link shows the name literally in the message."""
    at = _page("users", Actor("ada", Role.ADMIN))
    at.text_input(key="user_add_name").input("eve [x](https://example.org)")
    at.selectbox(key="user_add_role").select("viewer")
    at.button(key="user_add_submit").click().run()
    assert not at.exception
    assert at.success, [e.value for e in at.error]
    _assert_no_live_markdown(at)


def test_responses_detail_shows_the_escaped_name(evil: dict, viewer: Actor) -> None:
    """The Responses page's list shows the name escaped in bold."""
    at = _page("responses", viewer)
    assert any(escape_markdown(EVIL_NAME) in m.value for m in at.markdown)
    _assert_no_live_markdown(at)


# -- 2. a deactivated or demoted user loses their rights on the next click ------------------

PASSWORD = "correct horse battery"
OIDC_SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
             "client_id": "id", "client_secret": "s",
             "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration"},
    "curation": {"roles": {"viewers": ["@example.org"]}},
}  # fmt: skip


def _dashboard_signed_in(db: Database, admin: Actor, name: str, role: Role) -> AppTest:
    with db.session() as session:
        accounts.create_user(session, admin, name, role, password=PASSWORD)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(PASSWORD)
    at.button(key="signin_submit").click().run()
    assert not at.exception, at.exception
    assert at.session_state["actor"] == Actor(name, role)
    return at


def test_a_deactivated_user_is_signed_out_on_the_next_click(
    db: Database, consultation: Consultation, admin: Actor
) -> None:
    """Deactivating a signed-in user signs them out at their next script run."""
    at = _dashboard_signed_in(db, admin, "cara", Role.CURATOR)
    with db.session() as session:
        accounts.set_active(session, admin, "cara", False)
    at.run()
    assert not at.exception, at.exception
    assert "actor" not in at.session_state
    assert at.text_input(key="signin_name") is not None
    assert at.info, "a notice says the session ended"


def test_a_demoted_user_loses_the_old_roles_pages_on_the_next_click(
    db: Database, consultation: Consultation, admin: Actor
) -> None:
    """A curator made a viewer in the store is a viewer at the next run: no Pick page."""
    at = _dashboard_signed_in(db, admin, "cara", Role.CURATOR)
    at.switch_page("app_pages/pick.py").run()
    assert not at.exception
    with db.session() as session:
        session.scalars(select(User).where(User.name == "cara")).one().role = Role.VIEWER.value
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["actor"] == Actor("cara", Role.VIEWER)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/pick.py")


def test_a_single_sign_on_user_with_a_deactivated_local_account_is_signed_out(
    db: Database, consultation: Consultation, admin: Actor
) -> None:
    """An OIDC user stays signed in across runs until their local account is deactivated."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": "vic@example.org", "email_verified": True}
    at.run()
    assert at.session_state["actor"] == Actor("vic@example.org", Role.VIEWER)
    at.run()
    assert at.session_state["actor"] == Actor("vic@example.org", Role.VIEWER)
    with db.session() as session:
        users.add_user(session, admin, "vic", Role.VIEWER, email="vic@example.org")
        accounts.set_active(session, admin, "vic", False)
    at.run()
    assert not at.exception, at.exception
    assert "actor" not in at.session_state


# -- 3. `consultation use` and `render --text` need a curator or above and are audited -------


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli_app, list(args))


def _staff(db: Database, admin: Actor) -> None:
    with db.session() as session:
        users.add_user(session, admin, "vic", Role.VIEWER)
        users.add_user(session, admin, "cara", Role.CURATOR)


def _audit(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_consultation_use_needs_a_curator_and_is_audited(
    db: Database, consultation: Consultation, admin: Actor
) -> None:
    """A viewer's `consultation use` exits 3 and changes nothing; a curator's is audited."""
    _staff(db, admin)
    refused = _cli("consultation", "use", consultation.slug, "--as", "vic")
    assert refused.exit_code == 3, refused.output
    assert refused.stderr.startswith("error:")
    with db.session() as session:
        assert app_settings.get(session, "current_consultation") is None
    done = _cli("consultation", "use", consultation.slug, "--as", "cara")
    assert done.exit_code == 0, done.output
    entries = [e for e in _audit(db, "setting.change") if e.target_id == "current_consultation"]
    assert [(e.actor, e.role, e.details["after"]) for e in entries] == [
        ("cara", "curator", consultation.slug)
    ]


def test_render_text_needs_a_curator_and_is_audited_without_the_words(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    """A viewer's `render --text` exits 3 with no file; a curator's is audited by PNG hash."""
    _staff(db, admin)
    out = tmp_path / "card.png"
    args = ("render", "--text", "Buses, please.", "--attribution", "Ann Other", "--out", str(out))
    refused = _cli(*args, "--as", "vic")
    assert refused.exit_code == 3, refused.output
    assert not out.exists() and _audit(db, "card.render_text") == []
    done = _cli(*args, "--as", "cara")
    assert done.exit_code == 0, done.output
    [entry] = _audit(db, "card.render_text")
    assert (entry.actor, entry.role) == ("cara", "curator")
    assert entry.details["png_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert "Buses" not in json.dumps(entry.details) and "Ann" not in json.dumps(entry.details)


# -- 5. bidirectional control characters are stripped from names and alt text ---------------


def test_saved_alt_text_loses_direction_and_invisible_characters(
    db: Database, consultation: Consultation, curator: Actor, approver: Actor
) -> None:
    """Alt text saved with an RTL override, isolates and a zero-width space is stored clean."""
    from curation.cards import service as cards

    with db.session() as session:
        response = add_response(session, consultation, text=LONG_ANSWER)
        quote = workflow.create_quote(session, curator, response.id, [(23, 103)])
        workflow.approve(session, approver, quote.id)
        card = cards.render_quote_card(session, curator, quote.id, None, "square")
        saved = cards.update_alt_text(
            session, curator, card.id, "A card \u202equoting\u202c \u2067Priya\u2069 Sh\u200bah."
        )
        assert saved.alt_text == "A card quoting Priya Shah."


# -- 4. the SQLite file and the data folder are readable by their owner only -----------------


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask that would make new files world-readable (0644) and folders 0755."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_store_and_data_folder_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    """Opening a store creates the data folder 0700 and the SQLite file (and WAL) 0600."""
    data = tmp_path / "fresh" / "data"
    monkeypatch.setenv("CURATION_DATA_DIR", str(data))
    monkeypatch.setenv("CURATION_DATABASE_URL", f"sqlite:///{data / 'curation.sqlite3'}")
    db = open_database()
    try:
        with db.session() as session:
            session.add(User(name="ann", role=Role.VIEWER.value))
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        files = sorted(p.name for p in data.iterdir())
        assert "curation.sqlite3" in files
        for name in files:
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    finally:
        db.dispose()


def test_a_store_elsewhere_gets_a_private_folder_and_file(
    tmp_path: Path, loose_umask: None
) -> None:
    """A SQLite URL outside the data folder also gets a 0700 folder and a 0600 file."""
    target = tmp_path / "elsewhere" / "store.sqlite3"
    db = Database(f"sqlite:///{target}")
    try:
        db.migrate()
        assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        db.dispose()


def test_an_existing_folder_keeps_its_mode(tmp_path: Path, loose_umask: None) -> None:
    """A folder that already exists (maybe shared on purpose) is not changed."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    create_private_file(shared / "store.sqlite3")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "store.sqlite3").stat().st_mode) == 0o600


def test_import_strips_direction_characters_from_names_and_organisations(
    db: Database, consultation: Consultation, tmp_path: Path
) -> None:
    """An imported name and organisation lose bidi overrides, isolates, marks and zero-widths."""
    export = Path(__file__).parent / "fixtures" / "exports" / "google_forms.csv"
    text = export.read_text(encoding="utf-8")
    assert "Aled Jones,Cymdeithas Tai" in text
    spoofed = tmp_path / "spoofed.csv"
    spoofed.write_text(
        text.replace(
            "Aled Jones,Cymdeithas Tai",
            "\u202eAled\u202c Jo\u200bnes\u200f,\u2067Cymdeithas\u2069 Tai\u202a",
        ),
        encoding="utf-8",
        newline="",
    )
    result = _cli("import", str(spoofed), "--json")
    assert result.exit_code == 0, result.output
    with db.session() as session:
        names = session.execute(
            select(Respondent.name, Respondent.organisation).where(Respondent.name.like("%Aled%"))
        ).all()
    assert [tuple(row) for row in names] == [("Aled Jones", "Cymdeithas Tai")]


def test_users_add_user_refuses_spoofing_characters_like_create_user(
    db: Database, admin: Actor
) -> None:
    """`users.add_user` refuses a name or email with direction or invisible characters."""
    for name, email in (("adm\u202ein", None), ("ad\u200bmin", None), ("ann", "a\u200f@x.org")):
        with db.session() as session, pytest.raises(UnusableInput, match="direction"):
            users.add_user(session, admin, name, Role.VIEWER, email=email)
    with db.session() as session:
        assert session.scalars(select(User.name)).all() == []


def test_the_sidebar_shows_a_signed_in_name_literally(
    db: Database, consultation: Consultation, admin: Actor
) -> None:
    """A user name holding a link shows as literal text in the dashboard's sidebar."""
    at = _dashboard_signed_in(db, admin, "eve [x](https://example.org)", Role.VIEWER)
    assert any(escape_markdown("eve [x](https://example.org)") in c.value for c in at.caption)
    _assert_no_live_markdown(at)
