"""Drawing a card: a cached static layer (background, marks, logo, handle) plus fitted text.

Text is drawn as a coverage mask posterised to a few dozen levels and painted in one
flat colour over a flat background, so a typical card has well under 256 colours and is
stored as a palette PNG without loss. PNGs carry no metadata and are byte-for-byte
deterministic for identical inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, cast

from PIL import Image, ImageChops, ImageDraw

from curation.cards import alt_text
from curation.cards.brand import Brand, load_brand
from curation.cards.canvas import RGB, Canvas
from curation.cards.contrast import hex_to_rgb
from curation.cards.fonts import direction, emoji_scaled, paragraph_is_rtl, truetype
from curation.cards.layout import Box, PlacedEmoji, PlacedText, TextBlock, fit_text
from curation.cards.templates import Frame, Template, frame_for, get_format, get_template
from curation.errors import UnusableInput

RENDERER_VERSION = "1"
MAX_QUOTE_CHARS = 600


@dataclass(frozen=True)
class CardContent:
    """What a card says. Attribution must come from the consent rule (`card_content`)."""

    text: str
    attribution: str
    question_number: int | None = None
    question_label: str | None = None
    consultation_title: str | None = None
    organisation: str | None = None
    respondent_region: str | None = None
    anonymous: bool = False

    @classmethod
    def of(cls, value: Any) -> CardContent:
        """From any object with the same attributes (such as quotes' QuoteCardContent)."""
        if isinstance(value, CardContent):
            return value
        fields: dict[str, Any] = {
            name: getattr(value, name, None) for name in cls.__dataclass_fields__
        }
        fields["anonymous"] = bool(fields["anonymous"])
        return cls(**fields)


@dataclass(frozen=True)
class RenderedCard:
    png: bytes
    width: int
    height: int
    font_size: int
    alt_text: str
    content_hash: str
    template: str
    fmt: str


def content_hash(content: CardContent, template: str, fmt: str, brand: Brand) -> str:
    """Everything that changes the pixels, hashed: same hash, same bytes."""
    payload = json.dumps(
        [RENDERER_VERSION, template, fmt, brand.fingerprint, asdict(content)],
        ensure_ascii=False, sort_keys=True, default=str,
    )  # fmt: skip
    return hashlib.sha256(payload.encode()).hexdigest()


def _fonts(brand: Brand, style: str) -> dict[str, str]:
    f = brand.fonts
    return {"main": str(f[style]), "arabic": str(f["arabic"]), "hebrew": str(f["hebrew"]),
            "emoji": str(f["emoji"])}  # fmt: skip


def _paint(canvas: Canvas, block: TextBlock, colour: str, background: str) -> None:
    """Draw a placed block: text through a coverage mask in one colour, emoji in colour."""
    if block.texts:
        x0 = max(0, int(block.ink[0]) - 2)
        y0 = max(0, int(block.ink[1]) - 2)
        x1 = min(canvas.image.width, int(block.ink[2]) + 3)
        y1 = min(canvas.image.height, int(block.ink[3]) + 3)
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        draw = ImageDraw.Draw(mask)
        for t in block.texts:
            draw.text((t.x - x0, t.baseline - y0), t.text, font=truetype(t.path, t.size),
                      fill=255, anchor="ls", **direction(t.rtl))  # fmt: skip
        canvas.paint_mask(mask, (x0, y0), hex_to_rgb(colour), hex_to_rgb(background))
    for e in block.emoji:
        canvas.paste_rgba(emoji_scaled(e.path, e.cluster, e.size), (e.x, e.top))


LogoLayers = list[tuple[Image.Image, RGB]]


def _logo_layers(brand: Brand, height: int, max_width: int) -> LogoLayers | Image.Image:
    """The logo scaled to fit, as (coverage mask, colour) pairs when it has at most eight
    flat colours (the wordmark), else as an RGBA image."""
    with Image.open(brand.logo) as src:
        logo = src.convert("RGBA")
    scale = min(height / logo.height, max_width / logo.width)
    size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    alpha = logo.getchannel("A")
    lowest_alpha = cast(tuple[int, int], alpha.getextrema())[0]
    solid = logo.convert("RGB").getcolors(8) if lowest_alpha < 255 else None
    if solid is None:
        return logo.resize(size, Image.Resampling.LANCZOS)
    colours: list[RGB] = sorted({cast(RGB, rgb) for _n, rgb in solid})
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for rgb in colours for v in rgb])
    quantised = logo.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE)
    indices = Image.frombytes("L", quantised.size, quantised.tobytes())  # raw palette indices
    layers: LogoLayers = []
    for i, rgb in enumerate(colours):
        only = indices.point([255 if v == i else 0 for v in range(256)])
        mask = ImageChops.multiply(only, alpha).resize(size, Image.Resampling.LANCZOS)
        if mask.getbbox():
            layers.append((mask, rgb))
    return layers


_static: OrderedDict[tuple[str, ...], Canvas] = OrderedDict()


def _static_layer(t: Template, fr: Frame, brand: Brand, kicker: str, label: str) -> Canvas:
    """Background, band, question kicker and label, marks, logo and handle: the same for
    every quote answering one question (cached)."""
    key = (t.name, f"{fr.width}x{fr.height}", brand.fingerprint, kicker, label)
    if key in _static:
        _static.move_to_end(key)
        return _static[key]
    c = brand.colours
    bg = c[t.background]
    canvas = Canvas((fr.width, fr.height), hex_to_rgb(bg))
    bold = str(brand.fonts["bold"])
    if fr.band is not None and t.kicker_background:
        canvas.rectangle((fr.band.x0, fr.band.y0, fr.band.x1 - 1, fr.band.y1 - 1),
                         hex_to_rgb(c[t.kicker_background]))  # fmt: skip
    if fr.mark_size:
        font = truetype(bold, fr.mark_size)
        left, top, right, bottom = font.getbbox("“", anchor="ls")
        x, baseline = fr.mark_at[0] - left, fr.mark_at[1] - top
        mark = TextBlock(size=fr.mark_size, lines=[])
        mark.texts.append(PlacedText(x, baseline, "“", bold, fr.mark_size, False))
        mark.ink = (x + left, baseline + top, x + right, baseline + bottom)
        _paint(canvas, mark, c[t.accent], bg)
    if fr.rule is not None:
        canvas.rectangle((fr.rule.x0, fr.rule.y0, fr.rule.x1 - 1, fr.rule.y1 - 1),
                         hex_to_rgb(c[t.accent]))  # fmt: skip
    if t.name != "bold":  # a hairline above the footer on light designs
        y = fr.footer.y0 - round(0.03 * fr.unit)
        canvas.rectangle((fr.footer.x0, y, fr.footer.x1 - 1, y + max(1, fr.unit // 540) - 1),
                         hex_to_rgb(c[t.accent]))  # fmt: skip
    logo = _logo_layers(brand, fr.footer.height, fr.footer.width // 2)
    if isinstance(logo, list):
        for mask, rgb in logo:
            origin = (fr.footer.x0, fr.footer.y1 - mask.height)
            # On dark designs a flat logo becomes one light silhouette.
            colour = hex_to_rgb(c["on_primary"]) if t.logo_on_dark else rgb
            canvas.paint_mask(mask, origin, colour, hex_to_rgb(bg))
    else:
        canvas.paste_rgba(logo, (fr.footer.x0, fr.footer.y1 - logo.height))
    handle_box = Box(fr.footer.x0 + fr.footer.width // 2, fr.footer.y0, fr.footer.x1, fr.footer.y1)
    handle = fit_text(brand.handle, _fonts(brand, "regular"), handle_box,
                      max_size=max(14, round(0.028 * fr.unit)), min_size=10, max_lines=1,
                      valign="middle")  # fmt: skip
    _shift_right(handle, handle_box)
    _paint(canvas, handle, c[t.handle_colour], bg)
    if fr.kicker is not None and t.kicker_colour and t.kicker_background:
        k = fit_text(kicker, _fonts(brand, "bold"), fr.kicker, max_size=fr.kicker.height,
                     min_size=8, max_lines=1, valign="middle")  # fmt: skip
        _paint(canvas, k, c[t.kicker_colour], c[t.kicker_background])
    if fr.label is not None and t.band_text and t.kicker_background and label:
        lab = fit_text(label, _fonts(brand, "bold"), fr.label, max_size=round(0.058 * fr.unit),
                       min_size=10, max_lines=1, valign="middle")  # fmt: skip
        _paint(canvas, lab, c[t.band_text], c[t.kicker_background])
    _static[key] = canvas
    while len(_static) > 64:
        _static.popitem(last=False)
    return canvas


def _shift_right(block: TextBlock, box: Box) -> None:
    """Right-align a one-line block that was laid out from the left."""
    dx = box.x1 - block.ink[2]
    if dx <= 0:
        return
    block.texts[:] = [PlacedText(t.x + dx, t.baseline, t.text, t.path, t.size, t.rtl)
                      for t in block.texts]  # fmt: skip
    block.emoji[:] = [PlacedEmoji(round(e.x + dx), e.top, e.cluster, e.path, e.size)
                      for e in block.emoji]  # fmt: skip
    block.ink = (block.ink[0] + dx, block.ink[1], block.ink[2] + dx, block.ink[3])


def _fit_attribution(text: str, brand: Brand, fr: Frame) -> TextBlock:
    """One line where it stays readable (>= 80% of the full size), else two."""
    fonts = _fonts(brand, "bold")
    one = fit_text(text, fonts, fr.attribution, max_size=fr.attribution_size, min_size=10,
                   max_lines=1, valign="middle")  # fmt: skip
    if one.size >= 0.8 * fr.attribution_size:
        return one
    return fit_text(text, fonts, fr.attribution, max_size=fr.attribution_size, min_size=10,
                    max_lines=2, valign="middle")  # fmt: skip


def _kickers(content: CardContent, brand: Brand, t: Template) -> tuple[str, str]:
    number = content.question_number
    title = content.consultation_title or f"{brand.organisation} consultation"
    if t.name == "band":
        kicker = f"QUESTION {number}" if number else title.upper()
        label = content.question_label or ("Consultation response" if number is None else title)
        return kicker, label
    return (title.upper() + (f"  ·  Q{number}" if number else "")), ""


def compose(content: CardContent, template: str, fmt: str, brand: Brand) -> tuple[Canvas, int]:
    """The card as a canvas, and the quote's font size."""
    t, f = get_template(template), get_format(fmt)
    text = content.text.strip()
    if not text:
        raise UnusableInput("the quote is empty")
    if len(text) > MAX_QUOTE_CHARS:
        raise UnusableInput(
            f"the quote has {len(text)} characters; cards hold at most {MAX_QUOTE_CHARS}"
        )
    fr = frame_for(t, f)
    c = brand.colours
    bg = c[t.background]
    kicker, label = _kickers(content, brand, t)
    canvas = _static_layer(t, fr, brand, kicker, label).copy()
    rtl = paragraph_is_rtl(text)
    shown = text if (t.name == "bold" or rtl) else f"“{text}”"
    quote = fit_text(shown, _fonts(brand, t.quote_font), fr.quote, max_size=fr.quote_max_size,
                     align="start", valign="middle")  # fmt: skip
    if t.name == "editorial":  # the accent rule runs alongside the quote's lines
        width = max(6, round(0.012 * fr.unit))
        x = fr.quote.x0 - round(0.045 * fr.unit)
        canvas.rectangle((x, round(quote.ink[1]), x + width - 1, round(quote.ink[3])),
                         hex_to_rgb(c[t.accent]))  # fmt: skip
    _paint(canvas, quote, c[t.quote_colour], bg)
    if content.attribution.strip():
        lead = "" if t.name == "bold" else "— "
        _paint(canvas, _fit_attribution(lead + content.attribution, brand, fr),
               c[t.attribution_colour], bg)  # fmt: skip
    return canvas, quote.size


def encode_png(canvas: Canvas) -> bytes:
    return canvas.png()


_rendered: OrderedDict[str, RenderedCard] = OrderedDict()


def render_card(
    content: Any, template: str | None = None, fmt: str = "square", brand: Brand | None = None
) -> RenderedCard:
    """Render (or fetch from the in-process cache) one card as PNG bytes with its alt text."""
    brand = brand or load_brand()
    template = template or brand.default_template
    card = CardContent.of(content)
    digest = content_hash(card, template, fmt, brand)
    if digest in _rendered:
        _rendered.move_to_end(digest)
        return _rendered[digest]
    canvas, size = compose(card, template, fmt, brand)
    rendered = RenderedCard(
        png=canvas.png(), width=canvas.image.width, height=canvas.image.height, font_size=size,
        alt_text=alt_text.describe(card, template, fmt, brand), content_hash=digest,
        template=template, fmt=fmt,
    )  # fmt: skip
    _rendered[digest] = rendered
    while len(_rendered) > 128:
        _rendered.popitem(last=False)
    return rendered


def clear_caches() -> None:
    _rendered.clear()
    _static.clear()


def forget(hashes: Iterable[str]) -> None:
    """Drop cards from the in-process cache (a respondent withdrew)."""
    for digest in hashes:
        _rendered.pop(digest, None)
