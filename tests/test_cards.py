"""Quote cards: text always fits, balanced breaks, scripts really drawn, PNG output rules."""

from __future__ import annotations

import io
import unicodedata
import zlib

import pytest
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from curation.cards import alt_text, render
from curation.cards.brand import load_brand
from curation.cards.fonts import UndrawableText, emoji_scaled, truetype
from curation.cards.layout import Box, TextBlock, fit_text
from curation.cards.render import CardContent, render_card
from curation.cards.templates import FORMATS, TEMPLATES, frame_for
from curation.errors import UnusableInput

BRAND = load_brand()
LONG = (
    "Levelling up will only work if the money stops arriving in short, competitive pots "
    "that small councils cannot afford to bid for. We need long-term funding, decided "
    "locally, with communities round the table from the start."
)
COMBOS = [(t, f) for t in TEMPLATES for f in FORMATS]


def _fonts(style: str = "bold") -> dict[str, str]:
    return render._fonts(BRAND, style)


def _ink(block: TextBlock, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The real pixels the block draws (text mask plus emoji alpha), as a bounding box."""
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for t in block.texts:
        kw = {"direction": "rtl" if t.rtl else "ltr"}
        draw.text((t.x, t.baseline), t.text, font=truetype(t.path, t.size), fill=255,
                  anchor="ls", **kw)  # fmt: skip
    for e in block.emoji:
        img = emoji_scaled(e.path, e.cluster, e.size)
        mask.paste(img.getchannel("A"), (e.x, e.top), img.getchannel("A"))
    return mask.getbbox()


def _assert_inside(block: TextBlock, box: Box, size: tuple[int, int]) -> None:
    ink = _ink(block, size)
    assert ink is not None, "nothing was drawn"
    assert ink[0] >= box.x0 and ink[1] >= box.y0, (ink, box)
    assert ink[2] <= box.x1 and ink[3] <= box.y1, (ink, box)


ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list("ŵŷâêîôûẁẃŴŶ.,;:!?'’“”–—()%£&/-") + [" "] * 12
    + list("مرحباعالمשלוםעולם") + ["😀", "🚌", "💪🏽", "🇬🇧", "👩‍👩‍👧", "🦄", "W", "@"]
)  # fmt: skip
QUOTES = (
    st.lists(ALPHABET, min_size=1, max_size=600)
    .map("".join)
    .filter(lambda s: s.strip() and len(s) <= 600)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=QUOTES, combo=st.sampled_from(COMBOS))
def test_text_never_leaves_the_safe_area(text: str, combo: tuple[str, str]) -> None:
    """Any quote of 1..600 characters, in any template and format, draws inside its box."""
    template, fmt = combo
    frame = frame_for(TEMPLATES[template], FORMATS[fmt])
    block = fit_text(text, _fonts(TEMPLATES[template].quote_font), frame.quote,
                     max_size=frame.quote_max_size)  # fmt: skip
    _assert_inside(block, frame.quote, (frame.width, frame.height))


@pytest.mark.parametrize(("template", "fmt"), COMBOS)
def test_worst_cases_fit_every_template_and_format(template: str, fmt: str) -> None:
    """600 wide letters, one 600-character token and 300 emoji all fit every combination."""
    frame = frame_for(TEMPLATES[template], FORMATS[fmt])
    fonts = _fonts(TEMPLATES[template].quote_font)
    for text in ("W" * 600, "W " * 300, "https://example.org/" + "x" * 580, "😀" * 300):
        block = fit_text(text, fonts, frame.quote, max_size=frame.quote_max_size)
        _assert_inside(block, frame.quote, (frame.width, frame.height))


def test_short_quotes_are_large_and_long_quotes_smaller() -> None:
    """The size search fills the area: a short quote gets a much larger size than a long one."""
    frame = frame_for(TEMPLATES["bold"], FORMATS["square"])
    short = fit_text("Give towns the power.", _fonts(), frame.quote, max_size=frame.quote_max_size)
    long = fit_text(LONG * 2, _fonts(), frame.quote, max_size=frame.quote_max_size)
    assert short.size == frame.quote_max_size
    assert long.size < short.size * 0.6
    # Filling: one step larger would not fit.
    with pytest.raises(UnusableInput):
        fit_text(LONG * 2, _fonts(), frame.quote, max_size=frame.quote_max_size,
                 min_size=long.size + 1)  # fmt: skip


def test_lines_are_balanced_without_a_lone_last_word() -> None:
    """Breaks are balanced: the last line is never a single word when it can be avoided."""
    box = Box(0, 0, 900, 900)
    for text in (
        "Give the towns the power to decide what happens next in them",
        LONG,
        "one two three four five six seven eight nine ten eleven",
    ):
        block = fit_text(text, _fonts(), box, max_size=70)
        if block.line_count > 1:
            assert len(block.lines[-1]) >= 2, [len(line) for line in block.lines]
            widths = [sum(w.ref_width for w in line) for line in block.lines]
            assert min(widths[:-1]) > 0.6 * max(widths)


def test_long_unbreakable_tokens_are_split_safely() -> None:
    """A URL longer than the line is broken into pieces that each fit, losing no character."""
    url = "https://www.example.org/" + "levelling-up-" * 12
    box = Box(0, 0, 600, 800)
    block = fit_text(url, _fonts(), box, max_size=60)
    drawn = "".join(t.text for t in block.texts)
    assert drawn == url
    assert block.line_count > 1
    _assert_inside(block, box, (600, 800))


def test_text_is_nfc_normalised() -> None:
    """Decomposed ŵ (w + combining circumflex) is drawn as the single precomposed letter."""
    decomposed = unicodedata.normalize("NFD", "ŵyr ŷd")
    block = fit_text(decomposed, _fonts(), Box(0, 0, 800, 400), max_size=60)
    assert "".join(t.text for t in block.texts).replace(" ", "") == "ŵyrŷd"


def _glyph_mask(text: str, path: str) -> bytes:
    font = truetype(path, 80)
    img = Image.new("L", (400, 140), 0)
    ImageDraw.Draw(img).text((10, 110), text, font=font, fill=255, anchor="ls")
    return img.tobytes()


def test_welsh_letters_are_real_glyphs_not_boxes() -> None:
    """ŵ ŷ â are in the shipped font's cmap and draw differently from the missing-glyph box."""
    path = str(BRAND.fonts["regular"])
    cmap = TTFont(path).getBestCmap()
    notdef = _glyph_mask("\ue000", path)
    for ch in "ŵŷâŴŶ":
        assert ord(ch) in cmap
        assert _glyph_mask(ch, path) != notdef


def test_emoji_are_drawn_in_colour() -> None:
    """An emoji run uses the colour emoji font: the card gains saturated colour pixels."""
    card = render_card(CardContent("Buses please 🚌😀", "A respondent"), "band", "square", BRAND)
    img = Image.open(io.BytesIO(card.png)).convert("RGB")
    colours = img.getcolors(1_000_000) or []
    yellowish = [c for _n, c in colours if c[0] > 200 and c[1] > 150 and c[2] < 90]
    assert yellowish, "no emoji colour found"


def test_graphemes_no_font_draws_are_refused_not_substituted() -> None:
    """A grapheme no shipped font draws (a CJK letter, a made-up ZWJ pair) is refused by name."""
    for text, bad in (("Strong 漢 words", "漢"), ("Odd 🦄\u200d🚌 pair", "🦄\u200d🚌")):
        with pytest.raises(UndrawableText) as caught:
            fit_text(text, _fonts(), Box(0, 0, 1000, 300), max_size=60)
        assert caught.value.graphemes == [bad]
        assert bad in str(caught.value)


def test_right_to_left_text_is_shaped_and_ordered() -> None:
    """Arabic uses its own font, is shaped (joined), and comes after Latin reading leftwards."""
    block = fit_text("مرحبا بالعالم Social Value", _fonts(), Box(0, 0, 1000, 300), max_size=50)
    assert block.rtl
    arabic = [t for t in block.texts if t.rtl and t.text.strip()]
    latin = [t for t in block.texts if not t.rtl]
    assert arabic and latin and arabic[0].path.endswith("NotoSansArabic-Bold.ttf")
    assert latin[0].x < arabic[0].x  # the first (Arabic) words sit at the right
    font = truetype(arabic[0].path, 50)
    word = "بالعالم"
    joined = font.getlength(word, direction="rtl")
    isolated = sum(font.getlength(ch, direction="rtl") for ch in word)
    assert joined != isolated  # contextual forms: Raqm shaped the word
    ink = _ink(block, (1000, 300))
    assert ink is not None and ink[2] <= 1000


def test_identical_inputs_give_identical_bytes() -> None:
    """Rendering twice (cache cleared) gives byte-identical PNGs and the same hash."""
    content = CardContent(LONG, "Priya Shah, Hull Food Bank", 4, "Defining success")
    first = render_card(content, "editorial", "portrait", BRAND)
    render.clear_caches()
    second = render_card(content, "editorial", "portrait", BRAND)
    assert first.png == second.png and first.content_hash == second.content_hash


def _chunks(png: bytes) -> list[bytes]:
    pos, names = 8, []
    while pos < len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        names.append(png[pos + 4 : pos + 8])
        pos += 12 + length
    return names


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_png_has_no_metadata_and_is_compact(fmt: str) -> None:
    """No text/EXIF/time chunks; plain cards are palette PNGs well under 1 MB."""
    text = LONG if FORMATS[fmt].height > 1000 else LONG[:120]
    card = render_card(CardContent(text, "Priya Shah, Hull Food Bank"), "bold", fmt, BRAND)
    assert set(_chunks(card.png)) <= {b"IHDR", b"PLTE", b"IDAT", b"IEND"}
    with Image.open(io.BytesIO(card.png)) as img:
        assert img.info == {} or set(img.info) <= {"transparency"}
        assert not img.getexif()
        assert img.mode == "P" and img.size == (card.width, card.height)
    assert len(card.png) < 300_000


def test_palette_conversion_is_lossless() -> None:
    """Palette PNGs decode to exactly the composed pixels, built directly or from RGB."""
    content = CardContent("Give towns the power to decide.", "Priya Shah")
    canvas, _size = render.compose(content, "band", "square", BRAND)
    assert canvas.is_palette
    as_rgb = canvas.copy()
    as_rgb.to_rgb()
    decoded = Image.open(io.BytesIO(canvas.png()))
    assert decoded.mode == "P"
    assert decoded.convert("RGB").tobytes() == as_rgb.image.tobytes()
    from_rgb = Image.open(io.BytesIO(as_rgb.png()))  # the RGB path finds <= 256 colours
    assert from_rgb.mode == "P"
    assert from_rgb.convert("RGB").tobytes() == as_rgb.image.tobytes()


def test_emoji_cards_stay_small_palette_pngs() -> None:
    """Colour emoji are blended into the palette (a few dozen colours each): still < 300 KB."""
    card = render_card(CardContent("Yes 😀 " * 30, "A respondent"), "bold", "story", BRAND)
    with Image.open(io.BytesIO(card.png)) as img:
        assert img.mode == "P"
        colours = img.convert("RGB").getcolors(1_000_000) or []
    assert any(c[0] > 200 and c[1] > 150 and c[2] < 90 for _n, c in colours)  # emoji yellow
    assert len(card.png) < 300_000
    zlib.crc32(card.png)


def test_alt_text_names_quote_attribution_organisation_and_design() -> None:
    """Alt text holds the quote, the credit, the organisation and what the image shows."""
    content = CardContent("Give towns the power.", "Priya Shah, Hull Food Bank", 4,
                          "Defining success", "Levelling Up consultation")  # fmt: skip
    text = alt_text.describe(content, "band", "square", BRAND)
    for part in (
        "Give towns the power.",
        "Priya Shah, Hull Food Bank",
        "Social Value UK",
        "header band",
        "question 4 (Defining success)",
        "@SocialValueUK",
    ):
        assert part in text
    long = alt_text.describe(CardContent("word " * 400, "P"), "bold", "square", BRAND)
    assert len(long) <= 1000 and "…" in long and "Social Value UK" in long


def test_too_long_or_empty_quotes_are_refused() -> None:
    """More than 600 characters, or nothing at all, is refused with a reason."""
    with pytest.raises(UnusableInput, match="at most 600"):
        render_card(CardContent("a" * 601, "P"), "bold", "square", BRAND)
    with pytest.raises(UnusableInput, match="empty"):
        render_card(CardContent("   ", "P"), "bold", "square", BRAND)
    with pytest.raises(UnusableInput, match="unknown template"):
        render_card(CardContent("x", "P"), "fancy", "square", BRAND)
