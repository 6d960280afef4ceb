"""The Pick page checks a selection against the cards before it is saved: limits, formats
that fit, and any grapheme a card cannot draw (which blocks saving)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from curation.store import Database
from curation.store.foundation import Consultation
from tests.quote_fixtures import add_response

ROOT = Path(__file__).resolve().parent.parent
DRAWABLE = "Give towns the power to decide 🏴󠁧󠁢󠁷󠁬󠁳󠁿 and fund buses that run every hour."
UNDRAWABLE = "Give towns the power 漢 to decide and fund buses that run every single hour."


def _pick(db: Database, consultation: Consultation, curator, text: str) -> AppTest:
    with db.session() as session:
        rid = add_response(session, consultation, text=text).id
    at = AppTest.from_file(str(ROOT / "app_pages" / "pick.py"), default_timeout=60)
    at.session_state["actor"] = curator
    at.session_state["pick_response_id"] = rid
    at.session_state["pick_for_response"] = rid  # choose the whole answer as the selection
    at.session_state["pick_mode"] = "Start and end"
    at.session_state["pick_start"] = 0
    at.session_state["pick_end"] = len(text)
    at.run()
    assert not at.exception, at.exception
    return at


def test_limits_and_fitting_formats_are_shown_live(db, consultation, curator) -> None:
    """A drawable selection shows each template's limit per format, ticked where it fits."""
    at = _pick(db, consultation, curator, DRAWABLE)
    table = at.dataframe[0].value
    assert list(table["Template"]) == ["Bold colour", "Question band", "Photo", "Editorial"]
    assert all(str(cell).startswith("✓") for cell in table["square"])
    assert not at.button(key="pick_save").disabled


def test_an_undrawable_grapheme_is_named_and_saving_is_blocked(db, consultation, curator) -> None:
    """漢 is named with its code point before saving, and the Save button is disabled."""
    at = _pick(db, consultation, curator, UNDRAWABLE)
    assert any("漢" in e.value and "6F22" in e.value for e in at.error)
    assert at.button(key="pick_save").disabled
