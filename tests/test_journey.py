"""The whole journey in headless Chromium against the real dashboard, a fresh store and a fake X.

Sign in (first admin, forced password change) -> import a Google Forms export -> pick a
suggested quote -> approve it as a second user -> preview the card -> schedule it on X ->
`curation publish-due --once` -> Calendar shows it published, the fake X got the text and
the alt text -> `curation metrics sync` -> Engagement shows the numbers. A screenshot of
each step goes to test-artifacts/journey/; any Streamlit exception box fails the test.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, PROJECT_ROOT, dashboard
from tests.fakes.metrics import MetricsX

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect
Page = playwright_api.Page

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "journey"
EXPORT = PROJECT_ROOT / "tests" / "fixtures" / "exports" / "google_forms.csv"
ADMIN_PASSWORD = "a long admin passphrase 1"
APPROVER, APPROVER_PASSWORD = "approver1", "an approver passphrase 2"
WAIT_MS = 30_000
X_METRICS = {
    "public_metrics": {"retweet_count": 3, "reply_count": 5, "like_count": 41,
                       "quote_count": 2, "bookmark_count": 1, "impression_count": 4321},
    "non_public_metrics": {"impression_count": 4321, "url_link_clicks": 6,
                           "user_profile_clicks": 4},
    "organic_metrics": {"impression_count": 4321, "like_count": 41, "reply_count": 5,
                        "retweet_count": 3, "url_link_clicks": 6, "user_profile_clicks": 4},
}  # fmt: skip


def _curation_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run the `curation` command with the dashboard's environment; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", "from curation.cli import main; main()", *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"curation {' '.join(args)} failed: {done.stderr.strip()}"
    return done.stdout


class Journey:
    """The browser side: page-level helpers that wait for Streamlit and check for errors."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.step = 0

    def key(self, key: str, inner: str = "") -> Any:
        """The element of the widget with `key` (Streamlit adds the class `st-key-<key>`)."""
        return self.page.locator(f".st-key-{key} {inner}".strip()).first

    def settled(self) -> None:
        """Wait until the script run is over, then fail on any exception box."""
        app = self.page.locator('[data-testid="stApp"]')
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=WAIT_MS)
        for busy in ('[data-testid="stStatusWidget"]', '[data-testid="stSkeleton"]'):
            expect(self.page.locator(busy)).to_have_count(0, timeout=WAIT_MS)
        boxes = self.page.locator('[data-testid="stException"]')
        if boxes.count():
            pytest.fail("Streamlit exception on the page:\n" + boxes.first.inner_text())

    def shot(self, name: str, focus: Any = None) -> None:
        """Save a screenshot of the settled page, scrolled to `focus` if given."""
        self.settled()
        if focus is not None:
            focus.first.scroll_into_view_if_needed()
        self.step += 1
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)

    def open(self, title: str, heading: str | None = None) -> None:
        """Open a page from the sidebar (a client-side switch: the session stays signed in)."""
        nav = self.page.locator('[data-testid="stSidebarNav"]')
        link = nav.get_by_role("link", name=title, exact=True)  # the icon is aria-hidden
        if not link.count():
            nav.get_by_text(re.compile(r"^View \d+ more$")).click()
        link.click()
        expect(self.page.locator("h1", has_text=heading or title).first).to_be_visible(
            timeout=WAIT_MS
        )
        self.settled()

    def click(self, key: str) -> None:
        button = self.key(key, "button")
        expect(button).to_be_enabled(timeout=WAIT_MS)
        button.click()

    def choose(self, key: str, option_text: str) -> None:
        """Pick the option containing `option_text` in the selectbox with `key`."""
        self.key(key).get_by_role("combobox").click()
        self.page.get_by_role("option").filter(has_text=option_text).first.click()
        chosen = re.compile(re.escape(option_text))
        expect(self.key(key).get_by_role("combobox")).to_have_value(chosen, timeout=WAIT_MS)
        self.settled()

    def sign_in(self, name: str, password: str) -> None:
        expect(self.key("signin_name", "input")).to_be_visible(timeout=WAIT_MS)
        self.key("signin_name", "input").fill(name)
        self.key("signin_password", "input").fill(password)
        self.click("signin_submit")

    def signed_in(self, name: str) -> None:
        sidebar = self.page.locator('[data-testid="stSidebar"]')
        expect(sidebar.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=WAIT_MS)
        self.settled()


@pytest.fixture
def fake_x() -> Iterator[MetricsX]:
    server = MetricsX()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def browser_page() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            yield context.new_page()
        finally:
            browser.close()


def _journey_export(folder: Path) -> Path:
    """The Google Forms fixture plus one longer answer, long enough to get suggestions.

    The fixture's answers are all shorter than a suggestion's minimum (40 characters).
    """
    with EXPORT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    extra = dict.fromkeys(header, "")
    extra.update({
        header[0]: "2022/02/19 2:05:11 PM GMT", header[1]: "ffion@example.org",
        header[2]: "Ffion Morgan", header[4]: "Wales", header[-1]: "Yes, and you can use my name",
        header[6]: ("Our valley lost its last bus route in the spring. Without a bus, young "
                    "people cannot reach college or the first jobs they are offered."),
    })  # fmt: skip
    path = folder / "google_forms_journey.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([*rows, [extra[h] for h in header]])
    return path


def _first_admin_password(data_dir: Path) -> str:
    text = (data_dir / "first-admin-password.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    return next(line.split(": ", 1)[1] for line in lines if line.startswith("password: "))


def test_the_whole_journey_from_import_to_engagement(
    tmp_path: Path, fake_x: MetricsX, browser_page: Any
) -> None:
    """A curator's and an approver's whole day works in a real browser, with no exception box."""
    import os

    data_dir = tmp_path / "journey-data"
    env = {
        **os.environ,
        "CURATION_DATA_DIR": str(data_dir),
        "CURATION_DATABASE_URL": f"sqlite:///{data_dir / 'journey.sqlite3'}",
        "CURATION_X_API_BASE": fake_x.base,
        "CURATION_X_CONSUMER_KEY": "ck",
        "CURATION_X_CONSUMER_SECRET": "cs",
        "CURATION_X_ACCESS_TOKEN": "at",
        "CURATION_X_ACCESS_TOKEN_SECRET": "ats",
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("failure.*")]:
        old.unlink(missing_ok=True)  # failure.png matches both
    j = Journey(browser_page, ARTIFACTS)
    page = browser_page

    try:
        with dashboard(env, ARTIFACTS / "streamlit.log") as base:
            # 1. The first admin signs in with the one-time password and must choose a new one.
            page.goto(base)
            expect(j.key("signin_name", "input")).to_be_visible(timeout=60_000)
            j.shot("sign-in")
            j.sign_in("admin", _first_admin_password(data_dir))
            expect(j.key("newpw_1", "input")).to_be_visible(timeout=WAIT_MS)
            j.shot("forced-password-change")
            j.key("newpw_1", "input").fill(ADMIN_PASSWORD)
            j.key("newpw_2", "input").fill(ADMIN_PASSWORD)
            j.click("newpw_submit")
            j.signed_in("admin")
            assert not (data_dir / "first-admin-password.txt").exists()

            # The second pair of eyes, added from the command line; the demo data goes, so
            # every number below is this journey's own.
            _curation_cli(env, "user", "add", APPROVER, "--role", "approver", "--password-stdin",
                          stdin=APPROVER_PASSWORD + "\n")  # fmt: skip
            _curation_cli(env, "demo", "--remove")

            # 2. Import a Google Forms export: dry run first, then import.
            j.open("Import", "Import responses")
            j.key("import_file", 'input[type="file"]').set_input_files(
                str(_journey_export(tmp_path))
            )
            expect(j.key("import_dry_run", "button")).to_be_visible(timeout=WAIT_MS)
            j.click("import_dry_run")
            expect(page.get_by_role("heading", name="Dry run")).to_be_visible(timeout=WAIT_MS)
            j.shot("import-dry-run")
            j.click("import_go")
            expect(
                page.get_by_text(re.compile(r"Imported google_forms_journey\.csv"))
            ).to_be_visible(timeout=WAIT_MS)
            j.shot("import-done")

            # 3. Find the response, pick a suggested quote, save it.
            j.open("Responses")
            j.key("resp_search", "input").fill("valley bus")
            j.key("resp_search", "input").press("Enter")
            row = page.locator('[class*="st-key-resp_row_"]', has_text="Ffion Morgan").filter(
                has_text="last bus route"
            )
            expect(row).to_have_count(1, timeout=WAIT_MS)
            j.shot("responses-search")
            row.get_by_role("button", name="Pick quotes").click()
            expect(page.locator("h1", has_text="Pick a quote")).to_be_visible(timeout=WAIT_MS)
            j.click("suggest_0")
            j.settled()
            quote_text = j.key("pick_preview").inner_text().strip().strip("“”")
            assert quote_text, "the suggestion gave no selection"
            j.shot("pick-suggestion")
            j.click("pick_save")
            done = page.get_by_text(re.compile(r"Saved quote \d+ as a draft"))
            expect(done).to_be_visible(timeout=WAIT_MS)
            j.shot("quote-saved", focus=done)

            # 4. Sign out; the approver signs in and approves it.
            j.click("signout")
            j.sign_in(APPROVER, APPROVER_PASSWORD)
            j.signed_in(APPROVER)
            j.open("Quotes")
            card = page.locator('[class*="st-key-quote_"]', has_text=quote_text).first
            expect(card).to_be_visible(timeout=WAIT_MS)
            card.get_by_role("button", name="Approve").click()
            done = page.get_by_text(re.compile(r"Quote \d+: approve done"))
            expect(done).to_be_visible(timeout=WAIT_MS)
            j.shot("quote-approved", focus=done)

            # 5. Preview the card.
            j.open("Preview", "Card preview")
            j.choose("prev_quote", quote_text[:40])
            expect(page.locator('[data-testid="stImage"] img').first).to_be_visible(timeout=WAIT_MS)
            j.shot("card-preview")

            # 6. Schedule it on X, now.
            j.open("Compose")
            j.choose("compose_quote", quote_text[:40])
            expect(page.locator('[data-testid="stImage"] img').first).to_be_visible(timeout=WAIT_MS)
            alt_text = page.locator('[class*="st-key-compose_alt_"] textarea').first.input_value()
            post_text = page.locator(
                '[class*="st-key-compose_text_x_"] textarea'
            ).first.input_value()
            assert alt_text and post_text
            j.key("compose_when").get_by_text("Now", exact=True).click()
            j.settled()
            j.click("compose_schedule")
            done = page.get_by_text(re.compile(r"x: post \d+ scheduled for"))
            expect(done).to_be_visible(timeout=WAIT_MS)
            j.shot("scheduled", focus=done)
            waiting = json.loads(_curation_cli(env, "publish-due", "--once", "--json"))
            assert waiting == [], "nothing goes out before a second person approves the post"

            # 6b. A second person (the admin) reads the post as it will go out and approves it.
            j.click("signout")
            j.sign_in("admin", ADMIN_PASSWORD)
            j.signed_in("admin")
            j.open("Approve posts")
            waiting_post = page.locator('[class*="st-key-waiting_"]').first
            expect(waiting_post.get_by_text(post_text[:30]).first).to_be_visible(timeout=WAIT_MS)
            expect(waiting_post.locator('[data-testid="stImage"] img')).to_be_visible(
                timeout=WAIT_MS
            )
            j.shot("post-waiting-for-approval", focus=waiting_post)
            waiting_post.get_by_role("button", name="Approve this post").click()
            done = page.get_by_text(re.compile(r"Approved: it goes out"))
            expect(done).to_be_visible(timeout=WAIT_MS)
            j.shot("post-approved", focus=done)

            # 7. The worker publishes it to the (fake) X, with the card and its alt text.
            published = json.loads(_curation_cli(env, "publish-due", "--once", "--json"))
            assert [r["status"] for r in published] == ["posted"], published
            tweets = list(fake_x.tweets.values())
            assert [t["text"] for t in tweets] == [post_text]
            metadata = [r.json() for r in fake_x.calls("POST", "/2/media/metadata")]
            assert [m["metadata"]["alt_text"]["text"] for m in metadata] == [alt_text]
            assert tweets[0]["body"]["media"]["media_ids"] == [metadata[0]["id"]]

            j.open("Calendar")
            expect(j.key("calendar_chart").get_by_text("posted").first).to_be_visible(
                timeout=WAIT_MS
            )
            j.shot("calendar-published")

            # 8. Metrics come back from X and show on the Engagement page.
            fake_x.metrics[tweets[0]["id"]] = X_METRICS
            synced = json.loads(_curation_cli(env, "metrics", "sync", "--json"))
            assert synced["networks"]["x"]["stored"] == 1, synced
            j.open("Engagement")
            tiles = page.locator('[data-testid="stMetricValue"]')
            expect(tiles.filter(has_text="4,321").first).to_be_visible(timeout=WAIT_MS)
            j.shot("engagement")

    except BaseException:
        page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
        (ARTIFACTS / "failure.html").write_text(page.content(), encoding="utf-8")
        raise
