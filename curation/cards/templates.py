"""Templates (designs) and formats (sizes), and the geometry of each combination.

A template names the colour role of every text/background pair it draws, so a brand
kit can be checked for contrast before any card is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from curation.cards.contrast import check_pair
from curation.cards.layout import Box
from curation.errors import UnusableInput

if TYPE_CHECKING:
    from curation.cards.brand import Brand


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    width: int
    height: int


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("square", "Square 1080×1080", 1080, 1080),
        Format("portrait", "Portrait 1080×1350", 1080, 1350),
        Format("landscape", "Landscape 1200×675", 1200, 675),
        Format("story", "Story 1080×1920", 1080, 1920),
        Format("link", "Link preview 1200×627", 1200, 627),
    )
}


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    background: str  # colour role
    quote_colour: str
    quote_font: str  # font role: regular | bold | italic
    attribution_colour: str
    handle_colour: str
    accent: str  # quotation marks, rules: graphics (3:1)
    logo_on_dark: bool
    kicker_colour: str | None = None  # small text over `kicker_background`
    kicker_background: str | None = None
    band_text: str | None = None
    detail_colour: str | None = None  # organisation and region (default: the quote's colour)


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template("bold", "Bold colour", "Brand colour with large quotation marks",
                 background="primary", quote_colour="on_primary", quote_font="bold",
                 attribution_colour="accent", handle_colour="on_primary", accent="accent",
                 logo_on_dark=True),
        Template("band", "Question band", "A header band naming the consultation question",
                 background="paper", quote_colour="ink", quote_font="regular",
                 attribution_colour="accent_on_light", handle_colour="ink", accent="primary",
                 logo_on_dark=False, kicker_colour="accent", kicker_background="primary",
                 band_text="on_primary"),
        Template("photo", "Photo", "The brand's photo or illustration behind the quote, under "
                 "a scrim checked for contrast on its actual pixels",
                 background="primary", quote_colour="on_primary", quote_font="bold",
                 attribution_colour="accent", handle_colour="on_primary", accent="accent",
                 logo_on_dark=True, kicker_colour="on_primary", kicker_background="primary",
                 detail_colour="on_primary"),
        Template("editorial", "Editorial", "A light editorial layout with an accent rule",
                 background="paper", quote_colour="ink", quote_font="italic",
                 attribution_colour="ink", handle_colour="ink", accent="accent_on_light",
                 logo_on_dark=False, kicker_colour="accent_on_light", kicker_background="paper"),
    )
}  # fmt: skip


def get_template(name: str) -> Template:
    if name not in TEMPLATES:
        raise UnusableInput(f"unknown template {name!r}; choose one of {', '.join(TEMPLATES)}")
    return TEMPLATES[name]


def get_format(name: str) -> Format:
    if name not in FORMATS:
        raise UnusableInput(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[name]


def check_template_contrast(name: str, brand: Brand) -> None:
    """Refuse (with the measured ratio) any text/background pair below WCAG 2.x minimums."""
    t = TEMPLATES[name]
    c = brand.colours
    bg = c[t.background]
    pairs = [
        (t.quote_colour, t.background, True, "quote text"),
        (t.attribution_colour, t.background, False, "attribution"),
        (t.handle_colour, t.background, False, "handle"),
        (t.detail_colour or t.quote_colour, t.background, False, "organisation and region"),
        (t.accent, t.background, True, "quotation marks and rules"),
    ]
    if t.kicker_colour and t.kicker_background:
        pairs.append((t.kicker_colour, t.kicker_background, False, "question kicker"))
    if t.band_text and t.kicker_background:
        pairs.append((t.band_text, t.kicker_background, True, "question label"))
    for fg, back, large, what in pairs:
        check_pair(
            c[fg],
            c[back] if back != t.background else bg,
            large=large,
            what=f"template '{name}' {what} ({fg} on {back})",
        )


# The type scale, in pixels on a 1080-pixel-wide card; other widths scale with their width,
# so every format shows the same size on a phone screen (a 1080 px card shown 390 px wide
# makes 44 px about 16 px: the smallest comfortable reading size).
MIN_QUOTE_PX = 44
MAX_QUOTE_PX = 116
NAME_PX = 32  # the respondent's name: clearly smaller than the smallest quote
DETAIL_PX = 28  # organisation and region, on the next line
SMALL_PX = 25  # handle, kicker
BAND_LABEL_PX = 40
LINE_HEIGHT = 1.25
OPTICAL_CENTRE = 0.44  # the content sits a little above the geometric centre of its area


@dataclass(frozen=True)
class Frame:
    """Where everything goes on one template × format.

    Every text block starts at the same left edge (`edge`). `content` is the free area the
    quote and attribution are balanced in; `quote` is the largest box the quote may take.
    """

    width: int
    height: int
    unit: int  # the shorter side; margins and graphics scale with it
    scale: float  # type scale: width / 1080
    edge: int
    content: Box
    quote: Box
    attribution: Box  # name and details, two lines, at the bottom of `content`
    footer: Box
    kicker: Box | None
    label: Box | None
    band: Box | None
    mark_size: int  # size of the decorative opening quotation mark (0: none)
    mark_height: int  # the room the mark takes above the quote
    rule_height: int  # the accent bar between quote and attribution (bold), 0: none
    gap: int  # between quote, rule and attribution
    quote_max_size: int
    quote_min_size: int
    attribution_size: int
    detail_size: int
    small_size: int


def frame_for(template: Template, fmt: Format) -> Frame:
    w, h = fmt.width, fmt.height
    u = min(w, h)
    s = w / 1080
    edge = round(0.075 * w)
    top_safe = round(0.11 * h) if fmt.name == "story" else 0  # stories: room for app UI
    bottom_safe = round(0.08 * h) if fmt.name == "story" else 0
    my = round(0.07 * u)
    small = round(SMALL_PX * s)
    footer_h = round(1.7 * small)
    footer = Box(edge, h - my - bottom_safe - footer_h, w - edge, h - my - bottom_safe)
    gap = round(0.04 * u)
    kicker = label = band = None
    mark_size = mark_height = rule_height = 0
    top = my + top_safe
    if template.name == "band":
        label_size = round(BAND_LABEL_PX * s)
        pad = round(0.045 * u)
        kicker = Box(edge, top_safe + pad, w - edge, top_safe + pad + round(1.2 * small))
        label_lines = 1 if w / h > 1.5 else 2  # wide cards keep the band to one line
        label_top = kicker.y1 + round(0.3 * small)
        label_h = round((0.3 + 1.2 * label_lines) * label_size)
        label = Box(edge, label_top, w - edge, label_top + label_h)
        band = Box(0, 0, w, label.y1 + pad)
        top = band.y1 + gap
    elif template.name in ("editorial", "photo"):
        kicker = Box(edge, top, w - edge, top + round(1.2 * small))
        top = kicker.y1 + gap
    if template.name == "bold":
        mark_size = round(0.26 * u)
        mark_height = round((0.1 if w / h > 1.5 else 0.15) * u)
        rule_height = max(4, round(0.008 * u))
    content = Box(edge, top, w - edge, footer.y0 - round(1.5 * gap))
    name_size, detail_size = round(NAME_PX * s), round(DETAIL_PX * s)
    attr_h = round(LINE_HEIGHT * name_size + 1.2 * detail_size)
    attribution = Box(edge, content.y1 - attr_h, w - edge, content.y1)
    below = attr_h + gap + (rule_height + gap if rule_height else 0)
    quote = Box(edge, content.y0 + mark_height, w - edge, content.y1 - below)
    return Frame(
        width=w, height=h, unit=u, scale=s, edge=edge, content=content, quote=quote,
        attribution=attribution, footer=footer, kicker=kicker, label=label, band=band,
        mark_size=mark_size, mark_height=mark_height, rule_height=rule_height, gap=gap,
        quote_max_size=min(round(MAX_QUOTE_PX * s), round(0.14 * u)),
        quote_min_size=round(MIN_QUOTE_PX * s), attribution_size=name_size,
        detail_size=detail_size, small_size=small,
    )  # fmt: skip
