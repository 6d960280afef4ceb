"""Fonts and text runs: which shipped font draws each piece of text, loaded once per size.

Pillow has no font fallback, so text is split into runs: the brand's Latin font, Arabic,
Hebrew, and colour emoji (a CBDT bitmap font drawn at its one strike, 109 px, then scaled).
Emoji the subset lacks lose their skin-tone/ZWJ tail, or become a bullet: never a box.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex
from PIL import Image, ImageDraw, ImageFont, features

RAQM = features.check("raqm")
LAYOUT = ImageFont.Layout.RAQM if RAQM else ImageFont.Layout.BASIC
if not RAQM:  # Pillow built without libraqm: no shaping, so Arabic and Hebrew look wrong
    logging.getLogger(__name__).warning(
        "Pillow has no Raqm layout: using BASIC layout; right-to-left text is not shaped"
    )
EMOJI_STRIKE = 109  # the only size Noto Color Emoji's bitmaps come in
SUBSTITUTE = "•"
_IGNORABLE = {0x200D, 0x200C, 0xFE0E, 0xFE0F, 0x20E3} | set(range(0xE0020, 0xE0080))
_SKIN_TONES = regex.compile("[\U0001f3fb-\U0001f3ff]")
_EMOJI_PRESENTATION = regex.compile(r"^(?:\p{Emoji_Presentation}|\p{Regional_Indicator})")
_EMOJI_ANY = regex.compile(r"^(?:\p{Emoji}|\p{Extended_Pictographic})")
_ARABIC = regex.compile(r"\p{Script=Arabic}")
_HEBREW = regex.compile(r"\p{Script=Hebrew}")
_STRONG = regex.compile(r"\p{L}")


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


@dataclass(frozen=True)
class Run:
    """Text drawn with one font in one direction. `kind` names the font role."""

    text: str
    kind: str  # "main" | "arabic" | "hebrew" | "emoji"

    @property
    def rtl(self) -> bool:
        return self.kind in ("arabic", "hebrew")


def normalise(text: str) -> str:
    """NFC, with runs of whitespace (including newlines) made single spaces."""
    return regex.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _covered(cluster: str, cmap: frozenset[int]) -> bool:
    return all(ord(ch) in cmap or ord(ch) in _IGNORABLE for ch in cluster)


def _emoji_cluster(cluster: str, emoji_cmap: frozenset[int]) -> str | None:
    """The cluster itself if the emoji font draws it, else its base emoji, else None."""
    if _covered(cluster, emoji_cmap):
        return cluster
    base = _SKIN_TONES.sub("", cluster).split("\u200d")[0]
    if base and _covered(base, emoji_cmap):
        return base
    return None


def _is_emoji(cluster: str, main_cmap: frozenset[int]) -> bool:
    """Emoji presentation: by default, by U+FE0F, or a pictograph the text font lacks."""
    if _EMOJI_PRESENTATION.match(cluster) or ("\u200d" in cluster and _EMOJI_ANY.match(cluster)):
        return True
    if _EMOJI_ANY.match(cluster) and ("\ufe0f" in cluster or "\u20e3" in cluster):
        return True
    return bool(regex.match(r"\p{Extended_Pictographic}", cluster)) and not _covered(
        cluster, main_cmap
    )


def split_runs(word: str, cmaps: dict[str, frozenset[int]]) -> list[Run]:
    """Split one word (no spaces) into runs by the font that can draw each grapheme."""
    runs: list[Run] = []
    for cluster in regex.findall(r"\X", word):
        kind = "main"
        if _is_emoji(cluster, cmaps["main"]):
            found = _emoji_cluster(cluster, cmaps["emoji"])
            kind, cluster = ("emoji", found) if found else ("main", SUBSTITUTE)
        elif _ARABIC.search(cluster):
            kind = "arabic"
        elif _HEBREW.search(cluster):
            kind = "hebrew"
        elif not _covered(cluster, cmaps["main"]):
            # Neutral marks inside an Arabic/Hebrew word stay with that script's font.
            if runs and runs[-1].kind in ("arabic", "hebrew") and _covered(
                cluster, cmaps[runs[-1].kind]
            ):
                kind = runs[-1].kind
            else:
                cluster = SUBSTITUTE
        if kind == "main" and runs and runs[-1].kind in ("arabic", "hebrew") and not _STRONG.search(
            cluster
        ) and _covered(cluster, cmaps[runs[-1].kind]):
            kind = runs[-1].kind  # punctuation and digits follow the script around them
        if runs and runs[-1].kind == kind and kind != "emoji":
            runs[-1] = Run(runs[-1].text + cluster, kind)
        else:
            runs.append(Run(cluster, kind))
    return runs


def paragraph_is_rtl(text: str) -> bool:
    """Unicode's rule of thumb: the first strong letter decides the paragraph direction."""
    match = _STRONG.search(text)
    return bool(match and (_ARABIC.match(match.group()) or _HEBREW.match(match.group())))


@lru_cache(maxsize=2048)
def emoji_bitmap(path: str, cluster: str) -> Image.Image:
    """The emoji drawn in colour at the font's strike size (RGBA, tightly cropped box)."""
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
