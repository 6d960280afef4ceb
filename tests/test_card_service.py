"""Stored cards: consent checked again, files by content hash, alt text, export, withdrawal,
logo uploads, the `curation render` command and the Preview and Brand pages."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from curation.access.actors import Actor, Role
from curation.cards import service
from curation.cards.brand import MAX_LOGO_BYTES, load_brand, validate_logo
from curation.cli import app
from curation.config import load_settings
from curation.errors import ConsentError, PermissionDenied, UnusableInput
from curation.quotes import workflow
from curation.store import Database
from curation.store.cards import Card
from curation.store.foundation import AuditEntry, Consultation, Respondent
from tests.quote_fixtures import LONG_ANSWER, add_response

ROOT = Path(__file__).resolve().parent.parent
LOCAL = "Local people should decide what success looks like, not officials in Whitehall."
AT = LONG_ANSWER.index(LOCAL)


def _approved(db: Database, consultation: Consultation, curator: Actor, approver: Actor,
              now, **kw: object) -> int:  # fmt: skip
    with db.session() as session:
        rid = add_response(session, consultation, **kw).id  # type: ignore[arg-type]
        qid = workflow.create_quote(session, curator, rid, [(AT, AT + len(LOCAL))], now=now).id
        workflow.approve(session, approver, qid, now=now)
    return qid


def test_render_stores_png_by_hash_and_reuses_it(db, consultation, curator, approver, viewer,
                                                  now) -> None:  # fmt: skip
    """A viewer renders a card: PNG under cards_dir by hash, consent credit, reused next time."""
    qid = _approved(db, consultation, curator, approver, now)
    with db.session() as session:
        card = service.render_quote_card(session, viewer, qid, "band", "portrait", now=now)
        card_id, path = card.id, service.card_file(card)
        assert (card.width, card.height, card.created_by) == (1080, 1350, viewer.name)
        assert "Priya Shah, Hull Food Bank (Yorkshire and the Humber)" in card.alt_text
        assert LOCAL in card.alt_text
    assert path.is_file() and path.is_relative_to(load_settings().cards_dir)
    assert path.stem == card.content_hash and path.stat().st_size == card.bytes
    with db.session() as session:
        again = service.render_quote_card(session, viewer, qid, "band", "portrait", now=now)
        assert again.id == card_id
        assert session.scalar(select(AuditEntry.action).where(
            AuditEntry.target_type == "card")) == "card.render"  # fmt: skip


def test_non_quotable_respondent_gets_no_card(db, consultation, curator, approver, viewer,
                                              now) -> None:  # fmt: skip
    """Once consent is gone the card is refused and no file is written."""
    qid = _approved(db, consultation, curator, approver, now)
    with db.session() as session:
        person = session.scalars(select(Respondent)).one()
        person.consent_to_quote = False
    with db.session() as session, pytest.raises(ConsentError):
        service.render_quote_card(session, viewer, qid, now=now)
    cards_dir = load_settings().cards_dir
    assert not cards_dir.exists() or not any(cards_dir.rglob("*.png"))


def test_withdrawal_deletes_card_rows_and_files(db, consultation, curator, approver, viewer,
                                                admin, now) -> None:  # fmt: skip
    """delete_cards_for_respondent removes every card row and file of that respondent."""
    from curation.cards.service import delete_cards_for_respondent

    qid = _approved(db, consultation, curator, approver, now)
    with db.session() as session:
        paths = [service.card_file(service.render_quote_card(session, viewer, qid, t, "square"))
                 for t in ("bold", "band")]  # fmt: skip
        respondent_id = session.scalars(select(Respondent.id)).one()
    with db.session() as session, pytest.raises(PermissionDenied):
        delete_cards_for_respondent(session, viewer, respondent_id)
    with db.session() as session:
        assert delete_cards_for_respondent(session, admin, respondent_id) == 2
    with db.session() as session:
        assert session.scalars(select(Card)).all() == []
    assert not any(p.exists() for p in paths)


def test_alt_text_is_editable_by_comms_only(db, consultation, curator, approver, viewer,
                                            now) -> None:  # fmt: skip
    """Curators edit alt text (stored, flagged as edited); viewers may not; 1,000 chars max."""
    qid = _approved(db, consultation, curator, approver, now)
    with db.session() as session:
        card_id = service.render_quote_card(session, viewer, qid).id
    with db.session() as session, pytest.raises(PermissionDenied):
        service.update_alt_text(session, viewer, card_id, "A card.")
    with db.session() as session, pytest.raises(UnusableInput, match="at most 1000"):
        service.update_alt_text(session, curator, card_id, "x" * 1001)
    with db.session() as session:
        service.update_alt_text(session, curator, card_id, "  Quote card:  local people decide. ")
    with db.session() as session:
        card = session.get(Card, card_id)
        assert card is not None
        assert (card.alt_text, card.alt_text_edited) == ("Quote card: local people decide.", True)


def test_export_zip_holds_every_card_and_alt_text(db, consultation, curator, approver, viewer,
                                                  now) -> None:  # fmt: skip
    """quotes × templates × formats in the ZIP, ids-only names, a CSV of alt text, progress."""
    first = _approved(db, consultation, curator, approver, now)
    second = _approved(db, consultation, curator, approver, now, name="Dai Evans",
                       organisation=None, region="Wales")  # fmt: skip
    seen: list[tuple[int, int]] = []
    with db.session() as session:
        data = service.export_zip(session, viewer, [first, second], ["square", "link"],
                                  ["bold"], progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(archive.namelist())
    assert names == sorted([f"quote-{first}/bold-square.png", f"quote-{first}/bold-link.png",
                            f"quote-{second}/bold-square.png", f"quote-{second}/bold-link.png",
                            "alt-text.csv"])  # fmt: skip
    assert not any("Priya" in n or "Dai" in n for n in names)
    assert seen[-1] == (4, 4)
    csv_text = archive.read("alt-text.csv").decode()
    assert "Dai Evans (Wales)" in csv_text
    with Image.open(io.BytesIO(archive.read(f"quote-{first}/bold-link.png"))) as img:
        assert img.size == (1200, 627)


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))  # fmt: skip

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))  # fmt: skip


def _image_bytes(fmt: str, size: tuple[int, int] = (200, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 60, 70)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (_image_bytes("PNG")[:60], "not a readable PNG"),
    (_png_header(20000, 20000), "pixels is more than"),
    (_image_bytes("GIF"), "only PNG or JPEG"),
    (_image_bytes("BMP"), "only PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a readable PNG"),
    (b"\xff\xd8\xff" + _image_bytes("PNG")[3:], "not a readable JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_LOGO_BYTES + 1), "bytes is more than"),
])  # fmt: skip
def test_bad_logo_files_are_refused(data: bytes, reason: str) -> None:
    """Zero bytes, truncated, 20000×20000, other formats renamed, oversized: all refused."""
    with pytest.raises(UnusableInput, match=reason):
        validate_logo(data)


def test_good_logo_is_reencoded_without_metadata() -> None:
    """A JPEG logo with EXIF comes back as a plain RGBA PNG with the same size."""
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    Image.new("RGB", (300, 100), (200, 30, 30)).save(out, format="JPEG", exif=exif)
    logo = validate_logo(out.getvalue())
    assert (logo.width, logo.height, logo.source_format) == (300, 100, "JPEG")
    with Image.open(io.BytesIO(logo.png)) as img:
        assert img.format == "PNG" and img.mode == "RGBA" and not img.getexif()


def test_brand_update_checks_permission_contrast_and_changes_cards(db, curator, admin) -> None:
    """Admins change colours (contrast-checked, saved under data/); curators may not."""
    before = load_brand()
    with db.session() as session, pytest.raises(PermissionDenied):
        service.update_brand(session, curator, colours={"primary": "#202020"})
    with db.session() as session, pytest.raises(UnusableInput, match="contrast"):
        service.update_brand(session, admin, colours={"paper": "#FFFFFF", "ink": "#EEEEEE"})
    assert load_brand().fingerprint == before.fingerprint
    with db.session() as session:
        brand = service.update_brand(session, admin, colours={"primary": "#3A1D5C"},
                                     logo=_image_bytes("PNG", (400, 120)))  # fmt: skip
    assert brand.colours["primary"] == "#3A1D5C" and brand.fingerprint != before.fingerprint
    assert brand.logo.is_relative_to(load_settings().data_dir)
    assert (load_settings().assets_dir / "brand.toml").read_text().count("#0E3B43") == 1


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_render_text_and_quote(db, consultation, curator, approver, now, tmp_path) -> None:
    """`curation render` writes the PNG and prints its path, size, bytes, font size, alt text."""
    out = tmp_path / "card.png"
    code, stdout, _err = _cli("render", "--text", "Buses, please.", "--attribution", "A person",
                              "--format", "link", "--out", str(out), "--json")  # fmt: skip
    assert code == 0
    result = json.loads(stdout)
    assert set(result) == {"path", "width", "height", "bytes", "font_size", "alt_text"}
    assert (result["width"], result["height"], result["bytes"]) == (1200, 627, out.stat().st_size)
    qid = _approved(db, consultation, curator, approver, now)
    quote_out = tmp_path / "quote.png"
    code, stdout, _err = _cli("render", "--quote", str(qid), "--template", "editorial",
                              "--out", str(quote_out), "--json")  # fmt: skip
    assert code == 0 and "Priya Shah" in json.loads(stdout)["alt_text"]


def test_cli_render_unusable_input_exits_2_and_writes_nothing(db, tmp_path) -> None:
    """Bad template, missing attribution or both sources: exit 2, a reason, no file."""
    out = tmp_path / "card.png"
    for args in (
        ["--text", "x", "--attribution", "y", "--template", "fancy"],
        ["--text", "x"],
        ["--text", "x", "--attribution", "y", "--quote", "1"],
    ):
        code, _out, err = _cli("render", *args, "--out", str(out))
        assert code == 2 and err.startswith("error:")
        assert not out.exists()


def _page(name: str, actor: Actor) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60)
    at.session_state["actor"] = actor
    at.run()
    assert not at.exception, at.exception
    return at


def test_preview_page_shows_card_grid_and_saves_alt_text(db, consultation, curator, approver,
                                                         now) -> None:  # fmt: skip
    """Choose an approved quote, see it, open the grid of formats, and save edited alt text."""
    qid = _approved(db, consultation, curator, approver, now)
    at = _page("preview", curator)
    assert at.radio(key="prev_source").value == "Approved quote"
    assert at.selectbox(key="prev_quote").value == qid
    assert len(at.get("image")) == 1
    at.selectbox(key="prev_template").set_value("editorial").run()
    at.toggle(key="prev_grid").set_value(True).run()
    assert not at.exception
    assert len(at.get("image")) == 6
    with db.session() as session:
        card_id = session.scalars(select(Card.id).where(Card.template == "editorial")).first()
    at.text_area(key=f"prev_alt_{card_id}").set_value("A quote card about local power.").run()
    at.button(key="prev_save_alt").click().run()
    assert not at.exception and at.success
    with db.session() as session:
        assert session.get(Card, card_id).alt_text == "A quote card about local power."


def test_preview_page_typed_text_for_viewers(db, consultation, viewer) -> None:
    """A viewer can try typed text; its alt text is read-only for them."""
    at = _page("preview", viewer)
    if at.radio(key="prev_source").value != "Typed text":  # demo data may hold quotes
        at.radio(key="prev_source").set_value("Typed text").run()
    at.text_area(key="prev_text").set_value("Mae angen ŵyr 😀").run()
    assert not at.exception
    assert len(at.get("image")) == 1
    assert at.text_area(key="prev_alt_None").disabled


def test_brand_page_is_read_only_for_viewers_and_editable_for_admins(db, consultation, viewer,
                                                                      admin) -> None:  # fmt: skip
    """Viewers see the kit; admins get the save button and a bad colour pair is refused."""
    at = _page("brand", viewer)
    assert at.color_picker(key="brand_colour_ink").disabled
    assert not at.button
    at = _page("brand", Actor("ada-admin", Role.ADMIN))
    at.color_picker(key="brand_colour_ink").set_value("#F0F0F0").run()
    at.button(key="brand_save").click().run()
    assert not at.exception and at.error and "contrast" in at.error[0].value
