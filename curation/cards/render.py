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
from functools import lru_cache
from typing import Any, cast

from PIL import Image, ImageChops, ImageDraw

from curation.cards import alt_text, glyphs, imagery
from curation.cards.brand import Brand, load_brand
from curation.cards.canvas import RGB, Canvas
from curation.cards.contrast import hex_to_rgb
from curation.cards.fonts import (
    UndrawableText,
    direction,
    emoji_scaled,
    normalise,
    paragraph_is_rtl,
    truetype,
)
from curation.cards.layout import Box, TextBlock, block_height, fit_text, shift_block
from curation.cards.templates import (
    BAND_LABEL_PX,
    FORMATS,
    LINE_HEIGHT,
    MIN_QUOTE_PX,
    OPTICAL_CENTRE,
    Format,
    Frame,
    Template,
    frame_for,
    get_format,
    get_template,
)
from curation.errors import UnusableInput

RENDERER_VERSION = "2"
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
    """The font of each run kind for one style (regular, bold, italic).

    Arabic inside bold text uses the bold Arabic face, inside italic text the oblique one
    (Noto Sans Arabic has no italic: `make_assets.make_oblique` slants the regular face).
    """
    f = brand.fonts
    arabic = f.get(f"arabic_{style}", f["arabic"]) if style in ("bold", "italic") else f["arabic"]
    return {"main": str(f[style]), "arabic": str(arabic), "hebrew": str(f["hebrew"]),
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
            if t.rtl:  # shaped whole, in its direction
                draw.text((t.x - x0, t.baseline - y0), t.text, font=truetype(t.path, t.size),
                          fill=255, anchor="ls", **direction(True))  # fmt: skip
            else:
                glyphs.draw_run(mask, t.x - x0, round(t.baseline) - y0, t.text, t.path, t.size)
        canvas.paint_mask(mask, (x0, y0), hex_to_rgb(colour), hex_to_rgb(background))
    for e in block.emoji:
        canvas.paste_over(emoji_scaled(e.path, e.cluster, e.size), (e.x, e.top),
                          hex_to_rgb(background), f"{e.path}|{e.cluster}|{e.size}")  # fmt: skip


LogoLayers = list[tuple[Image.Image, RGB]]


_logo_cache: dict[tuple[str, str, int, int], LogoLayers | Image.Image] = {}


def _logo_layers(brand: Brand, height: int, max_width: int) -> LogoLayers | Image.Image:
    """The logo scaled to fit (cached per brand and size)."""
    key = (brand.fingerprint, str(brand.logo), height, max_width)
    if key not in _logo_cache:
        _logo_cache[key] = _load_logo(brand, height, max_width)
    return _logo_cache[key]


def _load_logo(brand: Brand, height: int, max_width: int) -> LogoLayers | Image.Image:
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
_base: dict[tuple[str, ...], Canvas] = {}


def _base_layer(t: Template, fr: Frame, brand: Brand, alpha: float = 0.0) -> Canvas:
    """Background, band, hairline, logo and handle: the same for every card of a template
    and format (cached; a handful per brand). `alpha`: the Photo template's scrim."""
    key = (t.name, f"{fr.width}x{fr.height}", brand.fingerprint, str(alpha))
    if key in _base:
        return _base[key]
    c = brand.colours
    bg = c[t.background]
    canvas = Canvas((fr.width, fr.height), hex_to_rgb(bg))
    if t.name == "photo":  # the picture under its scrim: an RGB canvas
        canvas.image = imagery.background(brand, (fr.width, fr.height), alpha).copy()
    if fr.band is not None and t.kicker_background:
        canvas.rectangle((fr.band.x0, fr.band.y0, fr.band.x1 - 1, fr.band.y1 - 1),
                         hex_to_rgb(c[t.kicker_background]))  # fmt: skip
    if t.name not in ("bold", "photo"):  # a hairline above the footer on light designs
        y = fr.footer.y0 - round(0.75 * fr.gap)
        canvas.rectangle((fr.edge, y, fr.width - fr.edge - 1, y + max(1, fr.unit // 540) - 1),
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
                      max_size=fr.small_size, min_size=10, max_lines=1,
                      valign="middle")  # fmt: skip
    _shift_right(handle, handle_box)
    _paint(canvas, handle, c[t.handle_colour], bg)
    if len(_base) > 64:
        _base.clear()
    _base[key] = canvas
    return canvas


def _static_layer(
    t: Template, fr: Frame, brand: Brand, kicker: str, label: str, alpha: float = 0.0
) -> Canvas:
    """The base layer plus the question kicker and label: the same for every quote
    answering one question (cached)."""
    key = (t.name, f"{fr.width}x{fr.height}", brand.fingerprint, kicker, label, str(alpha))
    if key in _static:
        _static.move_to_end(key)
        return _static[key]
    c = brand.colours
    canvas = _base_layer(t, fr, brand, alpha).copy()
    if fr.kicker is not None and t.kicker_colour and t.kicker_background:
        k = fit_text(kicker, _fonts(brand, "bold"), fr.kicker, max_size=fr.small_size,
                     min_size=8, max_lines=1, valign="middle")  # fmt: skip
        if t.name == "photo":  # a solid label: the small kicker never depends on the picture
            pad = round(0.45 * fr.small_size)
            canvas.rectangle((round(k.ink[0]) - pad, round(k.ink[1]) - pad,
                              round(k.ink[2]) + pad, round(k.ink[3]) + pad),
                             hex_to_rgb(c[t.kicker_background]))  # fmt: skip
        _paint(canvas, k, c[t.kicker_colour], c[t.kicker_background])
    if fr.label is not None and t.band_text and t.kicker_background and label:
        lab = fit_text(label, _fonts(brand, "bold"), fr.label,
                       max_size=round(BAND_LABEL_PX * fr.scale), min_size=10,
                       max_lines=2 if fr.label.height > 2 * BAND_LABEL_PX * fr.scale else 1,
                       line_height=1.2, valign="middle")  # fmt: skip
        _paint(canvas, lab, c[t.band_text], c[t.kicker_background])
    _static[key] = canvas
    while len(_static) > 64:
        _static.popitem(last=False)
    return canvas


def _shift_right(block: TextBlock, box: Box) -> None:
    """Right-align a one-line block that was laid out from the left."""
    dx = box.x1 - block.ink[2]
    if dx > 0:
        shift_block(block, dx, 0)


def split_attribution(content: CardContent) -> tuple[str, str]:
    """The credit as (name, organisation · region): the same words, on two lines."""
    text = normalise(content.attribution)
    region = (content.respondent_region or "").strip()
    org = (content.organisation or "").strip()
    details: list[str] = []
    if region and text.endswith(f" ({region})"):
        text = text[: -len(f" ({region})")]
        details.append(region)
    elif region and text.endswith(f", {region}"):
        text = text[: -len(f", {region}")]
        details.append(region)
    if org and text.endswith(f", {org}"):
        text = text[: -len(f", {org}")]
        details.insert(0, org)
    return text, " · ".join(details)


def _fit_line(text: str, fonts: dict[str, str], fr: Frame, size: int, lines: int) -> TextBlock:
    """A credit line at `size`, shrinking to 85% before taking a second line. Credits are
    set left to right from the card's left edge, whatever script a name is written in."""
    box = Box(fr.edge, 0, fr.width - fr.edge, round((lines * LINE_HEIGHT + 0.3) * size))
    try:
        return fit_text(text, fonts, box, max_size=size, min_size=round(0.85 * size),
                        max_lines=1, line_height=LINE_HEIGHT, base=0)  # fmt: skip
    except UndrawableText:
        raise
    except UnusableInput:
        return fit_text(text, fonts, box, max_size=size, min_size=10, max_lines=lines,
                        line_height=LINE_HEIGHT, base=0)  # fmt: skip


def _kickers(content: CardContent, brand: Brand, t: Template) -> tuple[str, str]:
    number = content.question_number
    title = content.consultation_title or f"{brand.organisation} consultation"
    if t.name == "band":
        kicker = (f"QUESTION {number}  ·  " if number else "") + title.upper()
        label = content.question_label or title
        return kicker, label
    return (title.upper() + (f"  ·  Q{number}" if number else "")), ""


@lru_cache(maxsize=16)
def _mark(path: str, size: int) -> Image.Image:
    """The opening quotation mark's coverage mask, cropped to its ink."""
    font = truetype(path, size)
    left, top, right, bottom = (round(v) for v in font.getbbox("“", anchor="ls"))
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), "“", font=font, fill=255, anchor="ls")
    return mask


def quote_block(text: str, template: str, fmt: str, brand: Brand) -> TextBlock | None:
    """The quote laid out in its box at a readable size; None when it needs smaller type.

    Raises `UndrawableText` when a grapheme cannot be drawn as written.
    """
    t, f = get_template(template), get_format(fmt)
    fr = frame_for(t, f)
    shown = text if (t.name == "bold" or paragraph_is_rtl(text)) else f"“{text}”"
    try:
        return fit_text(shown, _fonts(brand, t.quote_font), fr.quote,
                        max_size=fr.quote_max_size, min_size=fr.quote_min_size,
                        line_height=LINE_HEIGHT, align="start")  # fmt: skip
    except UndrawableText:
        raise
    except UnusableInput:
        return None


def fit_quote(text: str, template: str, fmt: str, brand: Brand) -> TextBlock:
    """The quote laid out at a readable size, or `QuoteTooLong` naming where it fits."""
    block = quote_block(text, template, fmt, brand)
    if block is None:
        raise QuoteTooLong(text, get_template(template), get_format(fmt), brand)
    return block


class QuoteTooLong(UnusableInput):
    """The quote would need type smaller than the format's minimum; names where it fits."""

    def __init__(self, text: str, template: Template, fmt: Format, brand: Brand) -> None:
        self.fits = [
            name for name in FORMATS
            if name != fmt.name and quote_block(text.strip(), template.name, name, brand)
        ]  # fmt: skip
        where = (
            "it fits " + ", ".join(FORMATS[name].title for name in self.fits)
            if self.fits else "it fits no format of this template"
        )  # fmt: skip
        self.args_for_pickle = (text, template, fmt, brand)
        super().__init__(
            f"the quote is too long for a {fmt.title} {template.title} card at a readable "
            f"size ({round(MIN_QUOTE_PX * fmt.width / 1080)} px minimum): {where}; "
            "or choose a shorter selection"
        )

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across worker processes
        return (type(self), self.args_for_pickle)


def _photo_scrim(brand: Brand, fr: Frame, t: Template, quote: TextBlock, credit_y: float,
                 name_h: float, detail: TextBlock | None
                 ) -> tuple[float, dict[str, float]]:  # fmt: skip
    """The lightest scrim under which every text on the Photo card meets WCAG AA (the
    kicker sits on a solid label of the brand colour, checked with the brand kit)."""
    c = brand.colours
    right = fr.width - fr.edge
    credit_bottom = credit_y + name_h + (0.35 * fr.detail_size + fr.detail_size * 1.3
                                         if detail else 0)  # fmt: skip
    ink = tuple(round(v) for v in quote.ink)
    checks = [
        imagery.TextCheck("quote", (ink[0], ink[1], ink[2], ink[3]), c[t.quote_colour]),
        imagery.TextCheck("name", (fr.edge, round(credit_y), right, round(credit_y + name_h)),
                          c[t.attribution_colour]),
        imagery.TextCheck("details", (fr.edge, round(credit_y + name_h), right,
                                      round(credit_bottom)), c[t.detail_colour or t.quote_colour]),
        imagery.TextCheck("footer", (fr.footer.x0, fr.footer.y0, fr.footer.x1, fr.footer.y1),
                          c[t.handle_colour]),
    ]  # fmt: skip
    alpha, ratios = imagery.choose_alpha(brand, (fr.width, fr.height), checks)
    return alpha, ratios


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
    quote = fit_quote(text, template, fmt, brand)
    name, details = split_attribution(content) if content.attribution.strip() else ("", "")
    name_block = (
        _fit_line(name, _fonts(brand, "bold"), fr, fr.attribution_size, 2) if name else None
    )
    detail_block = (_fit_line(details, _fonts(brand, "regular"), fr, fr.detail_size, 1)
                    if details else None)  # fmt: skip
    quote_h = block_height(quote.line_count, quote.size, LINE_HEIGHT)
    name_h = block_height(name_block.line_count, name_block.size, LINE_HEIGHT) if name_block else 0
    detail_h = block_height(1, detail_block.size, LINE_HEIGHT) if detail_block else 0
    below = (fr.gap + (fr.rule_height + fr.gap if fr.rule_height else 0)) if name_block else 0
    group = fr.mark_height + quote_h + below + name_h + (0.35 * fr.detail_size + detail_h
                                                        if detail_block else 0)  # fmt: skip
    top = fr.content.y0 + max(0.0, fr.content.height - group) * OPTICAL_CENTRE
    if t.name == "photo":  # text lands low on a darker scrim: keep the group near the bottom
        top = fr.content.y0 + max(0.0, fr.content.height - group) * 0.85
    y = top + fr.mark_height
    shift_block(quote, 0, y - fr.quote.y0)
    y += quote_h
    credit_y = y + (fr.gap + (fr.rule_height + fr.gap if fr.rule_height else 0))
    alpha: float = 0.0
    ratios: dict[str, float] = {}
    if t.name == "photo":
        alpha, ratios = _photo_scrim(brand, fr, t, quote, credit_y, name_h, detail_block)
    canvas = _static_layer(t, fr, brand, *_kickers(content, brand, t), alpha).copy()
    canvas.contrast = ratios
    if fr.mark_size:
        mask = _mark(str(brand.fonts["bold"]), fr.mark_size)
        canvas.paint_mask(mask, (fr.edge, round(top)), hex_to_rgb(c[t.accent]), hex_to_rgb(bg))
    if t.name == "editorial":  # the accent rule hangs in the margin beside the quote's lines
        width = max(6, round(0.012 * fr.unit))
        x = fr.edge - round(0.035 * fr.unit) - width
        canvas.rectangle((x, round(quote.ink[1]), x + width - 1, round(quote.ink[3])),
                         hex_to_rgb(c[t.accent]))  # fmt: skip
    _paint(canvas, quote, c[t.quote_colour], bg)
    if name_block is not None:
        y += fr.gap
        if fr.rule_height:
            canvas.rectangle((fr.edge, round(y), fr.edge + round(0.09 * fr.unit) - 1,
                              round(y) + fr.rule_height - 1), hex_to_rgb(c[t.accent]))  # fmt: skip
            y += fr.rule_height + fr.gap
        shift_block(name_block, 0, y)
        _paint(canvas, name_block, c[t.attribution_colour], bg)
        y += name_h
    if detail_block is not None:
        y += 0.35 * fr.detail_size
        shift_block(detail_block, 0, y)
        _paint(canvas, detail_block, c[t.detail_colour or t.quote_colour], bg)
    return canvas, quote.size


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
    _base.clear()
    imagery._backgrounds.clear()
    imagery._luminances.clear()
    glyphs.clear()
    _logo_cache.clear()


def forget(hashes: Iterable[str]) -> None:
    """Drop cards from the in-process cache (a respondent withdrew)."""
    for digest in hashes:
        _rendered.pop(digest, None)
