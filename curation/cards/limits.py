"""What fits where: each template's character limit per format, and the formats a quote fits.

A quote is never shrunk below its format's minimum size (`templates.MIN_QUOTE_PX`, scaled
to the card's width): a quote over the limit is offered the formats where it fits instead.
The published limit is measured, not guessed: the longest stretch of typical English prose
that fits at the minimum size, rounded down to a multiple of ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from curation.cards.brand import Brand, load_brand
from curation.cards.fonts import undrawable
from curation.cards.render import _fonts, quote_block
from curation.cards.templates import FORMATS, TEMPLATES, get_format, get_template

# Typical consultation prose (mixed word lengths and punctuation) to measure limits with.
SAMPLE = (
    "Levelling up will only work if the money stops arriving in short, competitive pots "
    "that small councils cannot afford to bid for. We need long-term funding, decided "
    "locally, with communities round the table from the start, not consulted at the end "
    "when the decisions have already been made. Our high street has lost its bank, its "
    "post office and two bus routes in five years, and no amount of regeneration branding "
    "changes that for the people who live here. Measure what changes for people, publish "
    "it every year, and let us hold you to it. Pride in place means nothing if the library "
    "closes on Tuesdays and Thursdays and the youth club has gone for good."
)


def _fits(text: str, template: str, fmt: str, brand: Brand) -> bool:
    return quote_block(text, template, fmt, brand) is not None


@lru_cache(maxsize=256)
def _limit(template: str, fmt: str, brand: Brand) -> int:
    lo, hi = 10, min(len(SAMPLE), 600)
    while lo < hi:  # the longest prefix (cut at a space) that fits
        mid = (lo + hi + 1) // 2
        cut = SAMPLE[:mid].rsplit(" ", 1)[0]
        if _fits(cut, template, fmt, brand):
            lo = mid
        else:
            hi = mid - 1
    return max(10, lo // 10 * 10)


def character_limit(template: str, fmt: str, brand: Brand | None = None) -> int:
    """How many characters of typical prose a template × format holds at a readable size."""
    t, f = get_template(template), get_format(fmt)
    return _limit(t.name, f.name, brand or load_brand())


def character_limits(brand: Brand | None = None) -> dict[str, dict[str, int]]:
    """Every template's limit per format: {template: {format: characters}}."""
    brand = brand or load_brand()
    return {t: {f: character_limit(t, f, brand) for f in FORMATS} for t in TEMPLATES}


def formats_that_fit(text: str, template: str, brand: Brand | None = None) -> list[str]:
    """The formats of `template` whose card holds `text` at a readable size."""
    brand = brand or load_brand()
    return [f for f in FORMATS if _fits(text.strip(), template, f, brand)]


@dataclass(frozen=True)
class CardCheck:
    """What the pick page shows before saving a quote."""

    text: str
    undrawable: list[str]  # graphemes no shipped font draws as written
    fits: dict[str, list[str]]  # template -> formats whose card holds the quote


def check_quote(text: str, brand: Brand | None = None) -> CardCheck:
    """Undrawable graphemes (named, so the curator can change the selection) and, when
    every grapheme is drawable, the formats of each template the quote fits."""
    brand = brand or load_brand()
    text = text.strip()
    missing: list[str] = []
    for style in ("regular", "bold", "italic"):
        missing.extend(g for g in undrawable(text, _fonts(brand, style)) if g not in missing)
    fits = {} if missing or not text else {t: formats_that_fit(text, t, brand) for t in TEMPLATES}
    return CardCheck(text, missing, fits)


def fit_table(check: CardCheck, brand: Brand | None = None) -> list[dict[str, str]]:
    """One row per template: each format's character limit, ticked where the quote fits."""
    brand = brand or load_brand()
    rows = []
    for t in TEMPLATES:
        row = {"Template": TEMPLATES[t].title}
        for f in FORMATS:
            mark = "✓" if f in check.fits.get(t, []) else "✗"
            row[FORMATS[f].name] = f"{mark} {character_limit(t, f, brand)}"
        rows.append(row)
    return rows
