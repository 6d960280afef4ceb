"""Every registered page opens without an exception for an admin on a store with demo data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from curation import bootstrap
from curation.access.actors import LOCAL_ADMIN
from curation.store import Database
from curation.store.foundation import Respondent
from ui.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a prepared store (migrated, consultation, demo data), made once."""
    data = tmp_path_factory.mktemp("demo-store") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CURATION_DATA_DIR", str(data))
        mp.setenv("CURATION_DATABASE_URL", f"sqlite:///{data / 'test.sqlite3'}")
        db = Database(os.environ["CURATION_DATABASE_URL"])
        bootstrap.prepare(db, demo="now")  # the full demo, once for the module
        with db.session() as session:
            assert session.scalar(select(func.count(Respondent.id))) >= 300
        db.dispose()  # closes the WAL so the file can be copied
    return data


@pytest.mark.parametrize("spec", PAGES, ids=[p.title for p in PAGES])
def test_page_opens_for_an_admin_on_demo_data(spec: object, demo_data_dir: Path) -> None:
    """The page script runs to the end with no exception."""
    path = ROOT / spec.path  # type: ignore[attr-defined]
    assert path.is_file(), f"{spec.path} is registered but missing"  # type: ignore[attr-defined]
    target = Path(os.environ["CURATION_DATA_DIR"])
    shutil.copytree(demo_data_dir, target, dirs_exist_ok=True)
    at = AppTest.from_file(str(path), default_timeout=60)
    at.session_state["actor"] = LOCAL_ADMIN
    at.run()
    assert not at.exception, [e.value for e in at.exception]
