"""Save a screenshot of every dashboard page, on the demo data, to docs/screenshots/<page>.png.

    python docs/make_screenshots.py [--only responses engagement ...]

Starts the dashboard on a throwaway store (which the first start fills with the demo
data), signs in as the first admin in headless Debian Chromium (/usr/bin/chromium; no
browser is downloaded) and opens each page from the sidebar. Needs Playwright for Python.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, dashboard  # noqa: E402
from ui.pages import PAGES  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WAIT_MS = 60_000
PASSWORD = secrets.token_urlsafe(18)  # a throwaway store; nobody signs in again


def settle(page: Page) -> None:
    """Wait for the script run to finish and the skeletons to go."""
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=WAIT_MS)
    for busy in ('[data-testid="stStatusWidget"]', '[data-testid="stSkeleton"]'):
        expect(page.locator(busy)).to_have_count(0, timeout=WAIT_MS)
    errors = page.locator('[data-testid="stException"]')
    if errors.count():
        print(f"  exception box: {errors.first.inner_text()[:300]}", file=sys.stderr)


def sign_in(page: Page, data_dir: Path) -> None:
    text = (data_dir / "first-admin-password.txt").read_text(encoding="utf-8")
    one_time = next(ln.split(": ", 1)[1] for ln in text.splitlines() if ln.startswith("password"))
    page.locator(".st-key-signin_name input").fill("admin")
    page.locator(".st-key-signin_password input").fill(one_time)
    page.locator(".st-key-signin_submit button").click()
    expect(page.locator(".st-key-newpw_1 input")).to_be_visible(timeout=WAIT_MS)
    page.locator(".st-key-newpw_1 input").fill(PASSWORD)
    page.locator(".st-key-newpw_2 input").fill(PASSWORD)
    page.locator(".st-key-newpw_submit button").click()
    expect(page.locator('[data-testid="stSidebarNav"]')).to_be_visible(timeout=WAIT_MS)
    settle(page)


def open_page(page: Page, title: str, url_path: str) -> None:
    nav = page.locator('[data-testid="stSidebarNav"]')
    link = nav.get_by_role("link", name=title, exact=True)
    if not link.count():
        nav.get_by_text(re.compile(r"^View \d+ more$")).click()
    link.click()
    page.wait_for_url(re.compile(f"/{url_path}$"), timeout=WAIT_MS)
    settle(page)
    expect(page.locator("h1").first).to_be_visible(timeout=WAIT_MS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="page names (file stems) to shoot")
    options = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="curation-shots-") as tmp:
        data_dir = Path(tmp) / "data"
        env = {
            "CURATION_DATA_DIR": str(data_dir),
            "CURATION_DATABASE_URL": f"sqlite:///{data_dir / 'demo.sqlite3'}",
        }
        with dashboard(env, Path(tmp) / "streamlit.log") as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            page.goto(base)
            expect(page.locator(".st-key-signin_name input")).to_be_visible(timeout=WAIT_MS)
            sign_in(page, data_dir)
            for i, spec in enumerate(PAGES):
                name = Path(spec.path).stem
                url_path = "" if i == 0 else name  # the first page is the default, at /
                if options.only and name not in options.only:
                    continue
                if name == "pick":  # the picker needs a response: come from the list
                    open_page(page, PAGES[0].title, "")
                    page.get_by_role("button", name="Pick quotes").first.click()
                    expect(page.locator(".st-key-pick_save")).to_be_visible(timeout=WAIT_MS)
                    settle(page)
                else:
                    open_page(page, spec.title, url_path)
                if name == "quotes":  # the demo has no drafts; show the whole shortlist
                    page.locator(".st-key-quotes_status").get_by_role("combobox").click()
                    page.get_by_role("option", name="any", exact=True).click()
                    settle(page)
                    expect(page.locator('[class*="st-key-quote_"]').first).to_be_visible()
                page.mouse.move(0, 0)  # no hover highlight in the picture
                page.screenshot(path=str(OUT / f"{name}.png"))
                print(f"docs/screenshots/{name}.png")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
