"""A word cache for drawing text: each word is rasterised once per font and size.

Most of a card's drawing time is FreeType rasterising glyphs. Left-to-right runs are drawn
word by word from cached coverage masks, placed at the advances Raqm measures (kerning
never crosses a space); right-to-left runs are drawn whole, shaped in their direction.
"""

from __future__ import annotations

from collections import OrderedDict

from PIL import Image, ImageChops, ImageDraw

from curation.cards.fonts import direction, truetype

_words: OrderedDict[tuple[str, int, str], tuple[Image.Image, int, int, float]] = OrderedDict()
MAX_WORDS = 8192


def word(path: str, size: int, text: str) -> tuple[Image.Image, int, int, float]:
    """(coverage mask, left and top offset from the pen at the baseline, advance)."""
    key = (path, size, text)
    found = _words.get(key)
    if found is not None:
        _words.move_to_end(key)
        return found
    font = truetype(path, size)
    left, top, right, bottom = (int(v) for v in font.getbbox(text, anchor="ls", **direction(False)))
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255, anchor="ls",
                              **direction(False))  # fmt: skip
    found = (mask, left, top, font.getlength(text, **direction(False)))
    _words[key] = found
    while len(_words) > MAX_WORDS:
        _words.popitem(last=False)
    return found


def draw_run(mask: Image.Image, x: float, baseline: int, text: str, path: str, size: int) -> None:
    """Draw a left-to-right run onto `mask` word by word (coverage combined by maximum)."""
    space = word(path, size, " ")[3]
    for i, part in enumerate(text.split(" ")):
        if i:
            x += space
        if not part:
            continue
        glyphs, left, top, advance = word(path, size, part)
        at = (round(x) + left, baseline + top)
        box = (*at, at[0] + glyphs.width, at[1] + glyphs.height)
        mask.paste(ImageChops.lighter(mask.crop(box), glyphs), at)
        x += advance


def clear() -> None:
    _words.clear()
