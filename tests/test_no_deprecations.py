"""No deprecation warnings from the app's own code: every page runs without Streamlit's."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from curation import bootstrap
from curation.access.actors import LOCAL_ADMIN
from curation.store import Database
from ui.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
DEPRECATED_ARGUMENTS = ("use_container_width", "st.experimental_", "components.v1")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def deprecations() -> Iterator[list[str]]:
    """What Streamlit's deprecation logger says during the test."""
    handler = _Collect()
    logger = logging.getLogger("streamlit.deprecation_util")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a prepared store and the small demo, made once."""
    data = tmp_path_factory.mktemp("deprecations") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CURATION_DATA_DIR", str(data))
        mp.setenv("CURATION_DATABASE_URL", f"sqlite:///{data / 'test.sqlite3'}")
        db = Database(os.environ["CURATION_DATABASE_URL"])
        bootstrap.prepare(db, demo="small")
        bootstrap.wait_for_demo(db)
        db.dispose()
    return data


def _uses_a_deprecated_argument() -> None:
    import pandas as pd
    import streamlit as st

    st.dataframe(pd.DataFrame({"a": [1]}), use_container_width=True)


def test_the_check_notices_a_deprecated_argument(deprecations):
    """The logger check is live: a deprecated argument is caught."""
    AppTest.from_function(_uses_a_deprecated_argument).run()
    assert any("use_container_width" in m for m in deprecations)


@pytest.mark.parametrize("spec", PAGES, ids=[p.title for p in PAGES])
def test_page_runs_without_deprecation_warnings(spec, demo_store, deprecations):
    """An admin opening the page on demo data triggers no Streamlit deprecation warning."""
    shutil.copytree(demo_store, Path(os.environ["CURATION_DATA_DIR"]), dirs_exist_ok=True)
    at = AppTest.from_file(str(ROOT / spec.path), default_timeout=60)
    at.session_state["actor"] = LOCAL_ADMIN
    at.run()
    assert not at.exception
    assert deprecations == []
    assert not any("deprecat" in w.value.lower() for w in at.warning)


def test_no_deprecated_arguments_in_the_sources():
    """No page, ui module or the router uses an argument Streamlit has deprecated."""
    files = [ROOT / "dashboard.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    found = [
        f"{f.relative_to(ROOT)}: {word}"
        for f in files
        for word in DEPRECATED_ARGUMENTS
        if word in f.read_text(encoding="utf-8")
    ]
    assert found == []
