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
        (t.accent, t.background, True, "quotation marks and rules"),
    ]
    if t.kicker_colour and t.kicker_background:
        pairs.append((t.kicker_colour, t.kicker_background, False, "question kicker"))
    if t.band_text and t.kicker_background:
        pairs.append((t.band_text, t.kicker_background, True, "question label"))
    for fg, back, large, what in pairs:
        check_pair(c[fg], c[back] if back != t.background else bg, large=large,
                   what=f"template '{name}' {what} ({fg} on {back})")


@dataclass(frozen=True)
class Frame:
    """Where everything goes on one template × format."""

    width: int
    height: int
    unit: int  # the shorter side; sizes scale with it
    quote: Box
    attribution: Box
    footer: Box
    kicker: Box | None
    label: Box | None
    band: Box | None
    mark_size: int  # size of the decorative quotation mark (0: none)
    mark_at: tuple[int, int]
    rule: Box | None  # a horizontal accent bar above the attribution
    quote_max_size: int
    attribution_size: int


def frame_for(template: Template, fmt: Format) -> Frame:
    w, h = fmt.width, fmt.height
    u = min(w, h)
    wide = w / h > 1.5
    mx = max(round(0.075 * u), round(0.065 * w))
    top_safe = round(0.12 * h) if fmt.name == "story" else 0  # stories: leave room for app UI
    my = round(0.075 * u) + top_safe
    bottom = h - my
    footer = Box(mx, bottom - round(0.06 * u), w - mx, bottom)
    attribution_size = max(16, round(0.034 * u))
    attr_h = round(2 * 1.28 * attribution_size)
    attr_bottom = footer.y0 - round(0.06 * u)
    attribution = Box(mx, attr_bottom - attr_h, w - mx, attr_bottom)
    gap = round(0.045 * u)
    kicker = label = band = rule = None
    mark_size, mark_at = 0, (0, 0)
    quote_x0, quote_y0 = mx, my
    if template.name == "bold":
        mark_size = round(0.34 * u)
        mark_at = (mx - round(0.012 * u), my)
        if wide:
            quote_x0 = mx + round(0.20 * u)
        else:
            quote_y0 = my + round(0.17 * u)
        bar_h = max(4, round(0.008 * u))
        bar_bottom = attribution.y0 - gap // 2
        rule = Box(mx, bar_bottom - bar_h, mx + round(0.09 * u), bar_bottom)
        quote_bottom = rule.y0 - gap
    elif template.name == "band":
        band = Box(0, 0, w, top_safe + round(0.19 * u))
        inner = Box(mx, top_safe + round(0.035 * u), w - mx, band.y1 - round(0.035 * u))
        k_h = round(0.3 * inner.height)
        kicker = Box(inner.x0, inner.y0, inner.x1, inner.y0 + k_h)
        label = Box(inner.x0, kicker.y1 + round(0.01 * u), inner.x1, inner.y1)
        quote_y0 = band.y1 + round(0.07 * u)
        quote_bottom = attribution.y0 - gap
    else:  # editorial
        k_h = round(0.032 * u)
        kicker = Box(mx, my, w - mx, my + k_h)
        quote_y0 = kicker.y1 + round(0.06 * u)
        quote_x0 = mx + round(0.055 * u)  # room for the vertical accent rule
        quote_bottom = attribution.y0 - gap
    quote = Box(quote_x0, quote_y0, w - mx, quote_bottom)
    if template.name == "editorial":
        attribution = Box(quote_x0, attribution.y0, attribution.x1, attribution.y1)
    return Frame(
        width=w, height=h, unit=u, quote=quote, attribution=attribution, footer=footer,
        kicker=kicker, label=label, band=band, mark_size=mark_size, mark_at=mark_at,
        rule=rule, quote_max_size=round((0.085 if wide else 0.1) * u),
        attribution_size=attribution_size,
    )  # fmt: skip
