"""Fonts and text runs: which shipped font draws each grapheme, loaded once per size.

Pillow has no font fallback, so text is split into runs: the brand's Latin font, Arabic,
Hebrew, and colour emoji (Noto Color Emoji, a CBDT bitmap font drawn at its one strike,
109 px, then scaled). A grapheme no shipped font can draw exactly as written is refused
(`UndrawableText` names it), never replaced: the card shows the respondent's own words.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex
from PIL import Image, ImageDraw, ImageFont, features

from curation.cards import bidi
from curation.errors import UnusableInput

RAQM = features.check("raqm")
LAYOUT = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC
if not RAQM:  # Pillow built without libraqm: no shaping, so Arabic and Hebrew look wrong
    logging.getLogger(__name__).warning(
        "Pillow has no Raqm layout: using BASIC layout; right-to-left text is not shaped"
    )
EMOJI_STRIKE = 109  # the only size Noto Color Emoji's bitmaps come in
# Code points that draw nothing by themselves: joiners, variation selectors, tag letters.
_IGNORABLE = {0x200D, 0x200C, 0x200E, 0x200F, 0xFE0E, 0xFE0F} | set(range(0xE0020, 0xE0080))
_PRESENTATION = {0xFE0F, 0xFE0E}
_EMOJI_PRESENTATION = regex.compile(r"^(?:\p{Emoji_Presentation}|\p{Regional_Indicator})")
_EMOJI_ANY = regex.compile(r"^(?:\p{Emoji}|\p{Extended_Pictographic})")
_ARABIC = regex.compile(r"\p{Script=Arabic}")
_HEBREW = regex.compile(r"\p{Script=Hebrew}")
_STRONG = regex.compile(r"\p{L}")
RTL_KINDS = ("arabic", "hebrew")


class UndrawableText(UnusableInput):
    """The text holds graphemes no shipped font draws as written; `graphemes` names them."""

    def __init__(self, graphemes: list[str]) -> None:
        self.graphemes = graphemes
        shown = ", ".join(f"{g} ({describe_grapheme(g)})" for g in graphemes[:5])
        super().__init__(
            f"the card cannot draw {shown} exactly as written; choose other words or a "
            "different quote (the card is never made with changed characters)"
        )

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across worker processes
        return (type(self), (self.graphemes,))


def describe_grapheme(grapheme: str) -> str:
    """U+ code points and names, so a curator can tell invisible differences apart."""
    return " ".join(
        f"U+{ord(ch):04X} {unicodedata.name(ch, '').title()}".strip() for ch in grapheme
    )


def direction(rtl: bool) -> dict[str, Any]:
    """Keyword arguments for a run's direction (only Raqm understands them)."""
    return {"direction": "rtl" if rtl else "ltr"} if RAQM else {}


@lru_cache(maxsize=512)
def truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A font at one pixel size, loaded once per process (Raqm layout where available)."""
    return ImageFont.truetype(path, size, layout_engine=LAYOUT)


@lru_cache(maxsize=16)
def coverage(path: str) -> frozenset[int]:
    """The code points a font file maps to glyphs (its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=4)
def emoji_sequences(path: str) -> frozenset[tuple[int, ...]]:
    """Every multi-code-point emoji the font draws as one glyph (its GSUB ligatures:
    ZWJ sequences, skin tones, flags, subdivision flags, keycaps), without U+FE0F."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        by_glyph: dict[str, int] = {}
        for cp, glyph in sorted(font.getBestCmap().items()):
            by_glyph.setdefault(glyph, cp)
        found: set[tuple[int, ...]] = set()
        if "GSUB" not in font:
            return frozenset()
        for lookup in font["GSUB"].table.LookupList.Lookup:
            if lookup.LookupType != 4:  # ligature substitution
                continue
            for sub in lookup.SubTable:
                for first, ligatures in sub.ligatures.items():
                    for lig in ligatures:
                        names = [first, *lig.Component]
                        if all(n in by_glyph for n in names):
                            found.add(tuple(by_glyph[n] for n in names if by_glyph[n] != 0xFE0F))
        return frozenset(found)


@dataclass(frozen=True)
class Run:
    """Text drawn with one font at one bidi level. `kind` names the font role."""

    text: str
    kind: str  # "main" | "arabic" | "hebrew" | "emoji"
    level: int = 0

    @property
    def rtl(self) -> bool:
        return bool(self.level % 2)


def normalise(text: str) -> str:
    """NFC, with runs of whitespace (including newlines) made single spaces."""
    return regex.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _covered(cluster: str, cmap: frozenset[int]) -> bool:
    return all(ord(ch) in cmap or ord(ch) in _IGNORABLE for ch in cluster)


def emoji_drawable(cluster: str, path: str) -> bool:
    """The emoji font draws the whole cluster as one glyph (no part dropped or split)."""
    points = tuple(ord(ch) for ch in cluster if ord(ch) not in _PRESENTATION)
    if len(points) == 1:
        return points[0] in coverage(path)
    return points in emoji_sequences(path)


def _is_emoji(cluster: str, main_cmap: frozenset[int]) -> bool:
    """Emoji presentation: by default, by U+FE0F, or a pictograph the text font lacks."""
    if _EMOJI_PRESENTATION.match(cluster) or ("\u200d" in cluster and _EMOJI_ANY.match(cluster)):
        return True
    if _EMOJI_ANY.match(cluster) and ("\ufe0f" in cluster or "\u20e3" in cluster):
        return True
    if regex.match(r"\p{Extended_Pictographic}", cluster) and not _covered(cluster, main_cmap):
        return True
    return len(cluster) > 1 and bool(regex.search(r"[\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]",
                                                 cluster))  # fmt: skip


def _kind(cluster: str, cmaps: dict[str, frozenset[int]], fonts: dict[str, str],
          previous: str | None) -> str | None:  # fmt: skip
    """The font role that draws `cluster` exactly, or None when none can."""
    if _is_emoji(cluster, cmaps["main"]):
        return "emoji" if emoji_drawable(cluster, fonts["emoji"]) else None
    for kind, pattern in (("arabic", _ARABIC), ("hebrew", _HEBREW)):
        if pattern.search(cluster):
            return kind if _covered(cluster, cmaps[kind]) else None
    # Neutrals (punctuation, digits) next to Arabic/Hebrew stay in that script's font.
    if previous in RTL_KINDS and not _STRONG.search(cluster) and _covered(cluster, cmaps[previous]):
        return previous
    if _covered(cluster, cmaps["main"]):
        return "main"
    for kind in RTL_KINDS:  # e.g. the Arabic comma (U+060C, script Common)
        if _covered(cluster, cmaps[kind]):
            return kind
    return None


def cmaps_of(fonts: dict[str, str]) -> dict[str, frozenset[int]]:
    return {kind: coverage(path) for kind, path in fonts.items()}


def split_runs(word: str, fonts: dict[str, str]) -> list[Run]:
    """Split one word (no spaces) into runs by the font that draws each grapheme.

    Raises `UndrawableText` naming every grapheme no shipped font can draw.
    """
    cmaps = cmaps_of(fonts)
    runs: list[Run] = []
    missing: list[str] = []
    for cluster in regex.findall(r"\X", word):
        kind = _kind(cluster, cmaps, fonts, runs[-1].kind if runs else None)
        if kind is None:
            missing.append(cluster)
            continue
        level = 1 if kind in RTL_KINDS else 0
        if runs and runs[-1].kind == kind and kind != "emoji":
            runs[-1] = Run(runs[-1].text + cluster, kind, level)
        else:
            runs.append(Run(cluster, kind, level))
    if missing:
        raise UndrawableText(list(dict.fromkeys(missing)))
    return runs


def undrawable(text: str, fonts: dict[str, str]) -> list[str]:
    """The graphemes of `text` that no shipped font draws exactly (empty: all drawable)."""
    missing: list[str] = []
    for word in normalise(text).split(" "):
        try:
            split_runs(word, fonts)
        except UndrawableText as exc:
            missing.extend(g for g in exc.graphemes if g not in missing)
    return missing


def paragraph_is_rtl(text: str) -> bool:
    """Rules P2-P3 of the bidi algorithm: the first strong letter sets the direction."""
    return bidi.base_level(text) == 1


@lru_cache(maxsize=2048)
def emoji_bitmap(path: str, cluster: str) -> Image.Image:
    """The emoji drawn in colour at the font's strike size (RGBA, one glyph's box)."""
    font = truetype(path, EMOJI_STRIKE)
    width = max(1, int(font.getlength(cluster)))
    img = Image.new("RGBA", (width, 128), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((0, 0), cluster, font=font, embedded_color=True)
    return img


@lru_cache(maxsize=4096)
def emoji_scaled(path: str, cluster: str, size: int) -> Image.Image:
    """The emoji scaled so its height matches `size` pixels (one em of the text)."""
    src = emoji_bitmap(path, cluster)
    width = max(1, round(src.width * size / src.height))
    return src.resize((width, size), Image.Resampling.LANCZOS)


def emoji_advance(path: str, cluster: str, size: int) -> float:
    src = emoji_bitmap(path, cluster)
    return src.width * size / src.height
