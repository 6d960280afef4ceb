"""Cards draw the respondent's exact words: every emoji sequence whole, bidi per line, bold
Arabic, a readable type scale with published limits, balanced layout, public header titles."""

from __future__ import annotations

import dataclasses
import io
import zlib

import pytest
from PIL import Image, ImageChops

from curation.cards import bidi, imagery, limits, render, service
from curation.cards.brand import load_brand
from curation.cards.canvas import Canvas
from curation.cards.fonts import UndrawableText, emoji_bitmap, truetype, undrawable
from curation.cards.layout import Box, fit_text
from curation.cards.render import CardContent, QuoteTooLong, compose, render_card
from curation.cards.templates import FORMATS, MIN_QUOTE_PX, TEMPLATES, frame_for
from curation.errors import PermissionDenied, UnusableInput
from curation.quotes import workflow
from tests.quote_fixtures import LONG_ANSWER, add_response

BRAND = load_brand()
EMOJI = str(BRAND.fonts["emoji"])
# ZWJ sequences, skin tones, flags (regional and subdivision), keycaps, presentation forms.
CORPUS = [
    "👨‍👩‍👧‍👦", "👩‍👩‍👧", "👨🏿‍🦰", "🧑🏽‍💻", "🧑🏿‍🤝‍🧑🏻", "👩‍❤️‍👨", "🏳️‍🌈", "🏳️‍⚧️", "🐦‍🔥",
    "🙏🏽", "👍🏻", "💪🏾", "👋🏿", "🤞🏼",
    "🇬🇧", "🇮🇪", "🇺🇦", "🇪🇺",
    "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🏴󠁧󠁢󠁷󠁬󠁳󠁿",
    "1️⃣", "#️⃣", "*️⃣", "🔟",
    "❤️", "☀️", "✊🏽", "😀", "🚌", "🦄",
]  # fmt: skip
LOCAL = "Local people should decide what success looks like, not officials in Whitehall."


def _fonts(style: str = "bold") -> dict[str, str]:
    return render._fonts(BRAND, style)


@pytest.mark.parametrize("cluster", CORPUS)
def test_every_emoji_sequence_is_drawn_whole(cluster: str) -> None:
    """Each sequence is one emoji glyph, drawn as written: nothing dropped, split or replaced."""
    block = fit_text(f"Yes {cluster} here", _fonts(), Box(0, 0, 1000, 300), max_size=60)
    assert [e.cluster for e in block.emoji] == [cluster]
    assert "".join(t.text for t in block.texts).replace(" ", "") == "Yeshere"
    font = truetype(EMOJI, 109)
    assert font.getlength(cluster) == font.getlength("😀")  # one glyph wide, not several
    base = cluster.replace("\ufe0f", "")[0]
    if len(cluster.replace("\ufe0f", "")) > 1:  # the sequence is not its first code point
        assert emoji_bitmap(EMOJI, cluster).tobytes() != emoji_bitmap(EMOJI, base).tobytes()


def test_a_card_with_the_whole_corpus_keeps_every_grapheme() -> None:
    """A story card with every sequence renders, and none is reported undrawable."""
    text = "Our flags and families: " + " ".join(CORPUS)
    assert undrawable(text, _fonts()) == []
    card = render_card(CardContent(text, "A respondent"), "bold", "story", BRAND)
    assert card.width == 1080 and len(card.png) < 1_000_000


def test_undrawable_graphemes_are_named_before_saving_and_refused_at_render() -> None:
    """check_quote names the grapheme; rendering refuses rather than altering the words."""
    text = "Good 漢 and 🦄\u200d🚌 words"
    check = limits.check_quote(text)
    assert check.undrawable == ["漢", "🦄\u200d🚌"] and check.fits == {}
    with pytest.raises(UndrawableText, match="U\\+6F22"):
        render_card(CardContent(text, "A respondent"), "bold", "square", BRAND)


def test_bidi_puts_the_comma_after_an_arabic_name_on_its_right() -> None:
    """In an English line, 'أحمد علي, Leeds' keeps the comma right of the Arabic name."""
    block = fit_text("Thanks to أحمد علي, Leeds", _fonts("regular"), Box(0, 0, 1400, 200),
                     max_size=50)  # fmt: skip
    arabic = next(t for t in block.texts if t.rtl and t.text.strip())
    comma = next(t for t in block.texts if t.text.startswith(","))
    assert arabic.text == "أحمد علي" and comma.x > arabic.x
    assert not comma.rtl


def test_bidi_levels_follow_the_unicode_algorithm() -> None:
    """Numbers in Arabic text sit at level 2, the paragraph direction comes from P2-P3."""
    text = "عدد 2022 سنة"
    assert bidi.base_level(text) == 1
    assert bidi.levels(text, 1) == (1,) * 4 + (2,) * 4 + (1,) * 4
    assert bidi.visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert bidi.visual_order([1, 2, 1]) == [2, 1, 0]


ARABIC_FACES = [
    ("bold", "NotoSansArabic-Bold.ttf"),
    ("italic", "NotoSansArabic-Oblique.ttf"),
    ("regular", "NotoSansArabic-Regular.ttf"),
]


@pytest.mark.parametrize(("style", "face"), ARABIC_FACES)
def test_arabic_uses_the_face_of_the_surrounding_text(style: str, face: str) -> None:
    """Arabic words inside bold or italic text use the bold or slanted Arabic face."""
    block = fit_text("Welcome مرحبا friends", _fonts(style), Box(0, 0, 1000, 200), max_size=50)
    arabic = next(t for t in block.texts if t.rtl and t.text.strip())
    assert arabic.path.endswith(face)


@pytest.mark.parametrize(("template", "fmt"), [(t, f) for t in TEMPLATES for f in FORMATS])
def test_type_scale_minimum_and_smaller_attribution(template: str, fmt: str) -> None:
    """A quote at its limit is drawn at >= the minimum size; the credit is clearly smaller."""
    frame = frame_for(TEMPLATES[template], FORMATS[fmt])
    limit = limits.character_limit(template, fmt)
    text = limits.SAMPLE[:limit].rsplit(" ", 1)[0]
    content = CardContent(text, "Priya Shah, Hull Food Bank (Yorkshire)",
                          organisation="Hull Food Bank", respondent_region="Yorkshire")  # fmt: skip
    _canvas, size = compose(content, template, fmt, BRAND)
    assert size >= frame.quote_min_size == round(MIN_QUOTE_PX * FORMATS[fmt].width / 1080)
    assert frame.attribution_size <= 0.75 * frame.quote_min_size
    assert frame.detail_size < frame.attribution_size


def test_limits_are_published_per_template_and_format() -> None:
    """character_limits gives every template × format; tall formats hold more than wide ones."""
    table = limits.character_limits()
    assert set(table) == set(TEMPLATES)
    for per_format in table.values():
        assert set(per_format) == set(FORMATS)
        assert per_format["story"] >= per_format["square"] > per_format["landscape"] >= 50


def test_a_quote_over_the_limit_is_offered_the_formats_where_it_fits() -> None:
    """Too long for a link card: refused with the formats that hold it, never shrunk."""
    text = limits.SAMPLE[:330].rsplit(" ", 1)[0]
    with pytest.raises(QuoteTooLong) as caught:
        render_card(CardContent(text, "P"), "band", "link", BRAND)
    assert "story" in caught.value.fits and "link" not in caught.value.fits
    assert "Story 1080×1920" in str(caught.value)
    assert "link" not in limits.formats_that_fit(text, "band")
    assert isinstance(caught.value, UnusableInput)


def _ink_box(img: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The bounding box of everything that differs from the background inside `box`."""
    region = img.crop(box)
    background = region.getpixel((region.width - 1, 1))
    diff = ImageChops.difference(region, Image.new("RGB", region.size, background))
    found = diff.convert("L").point(lambda v: 255 if v > 40 else 0).getbbox()
    assert found is not None
    return found


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_left_edges_line_up_and_the_block_is_balanced(fmt: str) -> None:
    """Quote, credit and logo start at one left edge; the group sits near the optical centre."""
    for template in ("bold", "band", "editorial"):  # flat backgrounds: ink found by colour
        frame = frame_for(TEMPLATES[template], FORMATS[fmt])
        canvas, _size = compose(CardContent("Give towns the power to decide.", "Priya Shah"),
                                template, fmt, BRAND)  # fmt: skip
        canvas.to_rgb()
        content = (frame.edge, frame.content.y0, frame.width - frame.edge, frame.content.y1)
        ink = _ink_box(canvas.image, content)
        logo = _ink_box(canvas.image, (0, frame.footer.y0, frame.width // 2, frame.footer.y1))
        # Opening quotation marks and italics start a few pixels right of the edge.
        assert 0 <= ink[0] <= round(0.03 * frame.width), (template, fmt, ink)
        assert abs(logo[0] - frame.edge) <= 4, (template, fmt, logo, frame.edge)
        above, below = ink[1], frame.content.height - ink[3]
        if above + below > 0.25 * frame.content.height:  # room to balance: not top-aligned
            assert 0.3 <= above / (above + below) <= 0.62, (template, fmt, above, below)


def test_credit_is_split_into_bold_name_and_lighter_details() -> None:
    """'Name, Organisation (Region)' becomes the name, then 'Organisation · Region'."""
    content = CardContent("x", "Priya Shah, Hull Food Bank (Yorkshire and the Humber)",
                          organisation="Hull Food Bank",
                          respondent_region="Yorkshire and the Humber")  # fmt: skip
    assert render.split_attribution(content) == (
        "Priya Shah",
        "Hull Food Bank · Yorkshire and the Humber",
    )
    anonymous = CardContent("x", "Anonymous respondent, Wales", respondent_region="Wales")
    assert render.split_attribution(anonymous) == ("Anonymous respondent", "Wales")
    assert render.split_attribution(CardContent("x", "Sam")) == ("Sam", "")


def test_banded_png_is_lossless_and_independent_of_cache_state() -> None:
    """PNG bands reused from the cached layer give the same bytes as a cold render, and the
    zlib stream (with its combined Adler-32) decodes."""
    content = CardContent("Give towns the power to decide.", "Priya Shah", 2, "Who leads?")
    warm = render_card(content, "band", "square", BRAND).png
    render.clear_caches()
    cold_canvas, _size = compose(content, "band", "square", BRAND)
    alone = Canvas.__new__(Canvas)
    alone.__dict__.update(cold_canvas.__dict__, parent=None, _bands={})
    assert warm == cold_canvas.png() == alone.png()
    idat = warm[warm.index(b"IDAT") + 4 :]
    zlib.decompress(idat[: int.from_bytes(warm[warm.index(b"IDAT") - 4 : warm.index(b"IDAT")])])
    decoded = Image.open(io.BytesIO(warm)).convert("RGB")
    cold_canvas.to_rgb()
    assert decoded.tobytes() == cold_canvas.image.tobytes()


def test_band_header_uses_the_editable_public_title(db, consultation, curator, approver, admin,
                                                     viewer, now) -> None:  # fmt: skip
    """The card names the question in public words; an admin can change them, others cannot."""
    at = LONG_ANSWER.index(LOCAL)
    with db.session() as session:
        rid = add_response(session, consultation).id
        qid = workflow.create_quote(session, curator, rid, [(at, at + len(LOCAL))], now=now).id
        workflow.approve(session, approver, qid, now=now)
        content = service.quote_content(session, qid)
        question = next(q for q in service.question_titles(session, viewer, consultation.id)
                        if q.public_title == content.question_label)  # fmt: skip
        assert content.question_label == question.public_title
        assert content.question_label not in {q.label for q in consultation.questions}
        with pytest.raises(PermissionDenied):
            service.update_public_title(session, viewer, question.id, "Something")
        with pytest.raises(UnusableInput):
            service.update_public_title(session, admin, question.id, "   ")
        service.update_public_title(session, admin, question.id, "Who decides  what counts?")
        assert service.quote_content(session, qid).question_label == "Who decides what counts?"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_photo_scrim_meets_aa_on_the_pixels_behind_every_text(fmt: str) -> None:
    """On the Photo card each text reaches 4.5:1 against the actual pixels behind it."""
    content = CardContent(LOCAL, "Priya Shah, Hull Food Bank (Yorkshire)", 4, "Who decides?",
                          "Levelling Up consultation", "Hull Food Bank", "Yorkshire")  # fmt: skip
    canvas, _size = compose(content, "photo", fmt, BRAND)
    assert set(canvas.contrast) >= {"quote", "name", "details", "footer"}
    assert min(canvas.contrast.values()) >= 4.5, canvas.contrast
    assert canvas.image.mode == "RGB"  # the picture is really there, not a flat colour


def test_a_light_picture_gets_a_stronger_scrim(tmp_path) -> None:
    """A white picture needs a darker scrim than the shipped illustration; AA still holds."""
    white = tmp_path / "white.png"
    Image.new("RGB", (400, 400), "white").save(white)
    light = dataclasses.replace(BRAND, image=white, fingerprint="white-picture")
    check = [imagery.TextCheck("quote", (80, 300, 1000, 700), BRAND.colours["on_primary"])]
    alpha_light, ratios = imagery.choose_alpha(light, (1080, 1080), check)
    alpha_shipped, _ = imagery.choose_alpha(BRAND, (1080, 1080), check)
    assert alpha_light > alpha_shipped and ratios["quote"] >= 4.5
    assert imagery.min_contrast(Image.new("RGB", (10, 10), "white"), (0, 0, 10, 10),
                                "#FFFFFF") == 1.0  # fmt: skip


def test_admins_replace_the_photo_templates_picture(db, admin, curator) -> None:
    """An uploaded picture is checked, shrunk to 2160 px, stored as a JPEG and used by cards."""
    big = io.BytesIO()
    Image.new("RGB", (3000, 1500), (250, 250, 240)).save(big, format="PNG")
    with db.session() as session, pytest.raises(PermissionDenied):
        service.update_brand(session, curator, image=big.getvalue())
    with db.session() as session, pytest.raises(UnusableInput):
        service.update_brand(session, admin, image=b"not an image")
    with db.session() as session:
        brand = service.update_brand(session, admin, image=big.getvalue())
    assert brand.image is not None and brand.image.suffix == ".jpg"
    with Image.open(brand.image) as stored:
        assert stored.size == (2160, 1080) and not stored.getexif()
    canvas, _size = compose(CardContent(LOCAL, "Priya Shah"), "photo", "square", brand)
    assert min(canvas.contrast.values()) >= 4.5  # a near-white picture gets a strong scrim
