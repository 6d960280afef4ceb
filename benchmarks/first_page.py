"""The first visit on a fresh install: how long until the sign-in form has rendered.

    python -m benchmarks.first_page

An AppTest of dashboard.py on an empty data directory (the store is created, migrated,
the first admin made, the demo started in the background), next to its floor: an
AppTest of a one-line page in the same process. Streamlit itself is imported first, as
a running server has it. Target: <= 3 s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        os.environ["CURATION_DATA_DIR"] = str(data)
        os.environ["CURATION_DATABASE_URL"] = f"sqlite:///{data / 'store.sqlite3'}"
        os.environ["CURATION_DEMO_SEED"] = "background"
        from streamlit.testing.v1 import AppTest  # the server has this loaded before a visit

        floor_page = Path(tmp) / "floor.py"
        floor_page.write_text("import streamlit as st\nst.text_input('Name', key='name')\n")
        started = time.perf_counter()
        floor = AppTest.from_file(str(floor_page), default_timeout=60)
        floor.run()
        floor_seconds = time.perf_counter() - started
        started = time.perf_counter()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.run()
        seconds = time.perf_counter() - started
        shown = at.text_input(key="signin_name") is not None and not at.exception
        from curation import bootstrap
        from curation.store import Database

        started = time.perf_counter()
        db = Database(os.environ["CURATION_DATABASE_URL"])
        bootstrap.wait_for_demo(db)
        demo = time.perf_counter() - started + seconds
        db.dispose()
    print(f"first_page_seconds: {seconds:.2f} (sign-in form shown: {shown})")
    print(f"first_page_floor_seconds: {floor_seconds:.2f} (a one-line page with a text input)")
    print(f"demo_ready_seconds: {demo:.1f} (in the background, after the form)")
    return 0 if shown else 1


if __name__ == "__main__":
    sys.exit(main())
