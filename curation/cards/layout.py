"""Fitting text into a box: the largest size that fits, balanced lines, safe breaks.

Words are measured once at a reference size and scaled for the size search (cheap
arithmetic); the chosen size is then checked with real measurements at that size,
including the glyphs' ink boxes, and the search steps down if anything would leave the box.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from curation.cards import bidi
from curation.cards.fonts import (
    RTL_KINDS,
    Run,
    coverage,
    direction,
    emoji_advance,
    normalise,
    split_runs,
    truetype,
)
from curation.errors import UnusableInput

REF = 100  # reference size for measurements; widths scale almost linearly with size
ASCENT = 0.96  # ink above the baseline as a share of the size (accented capitals, Ŵ Ŷ)
DESCENT = 0.27  # ink below the baseline (descenders, emoji)
EMOJI_RISE = 0.86  # an emoji's top sits this far above the baseline; its height is 1 em


@dataclass(frozen=True)
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def contains(self, other: tuple[float, float, float, float]) -> bool:
        return (other[0] >= self.x0 and other[1] >= self.y0
                and other[2] <= self.x1 and other[3] <= self.y1)  # fmt: skip


@dataclass(frozen=True)
class Word:
    runs: tuple[Run, ...]
    ref_width: float


@dataclass(frozen=True)
class PlacedText:
    """One segment to draw at (x, baseline) with `anchor="ls"`."""

    x: float
    baseline: float
    text: str
    path: str
    size: int
    rtl: bool


@dataclass(frozen=True)
class PlacedEmoji:
    x: int
    top: int
    cluster: str
    path: str
    size: int


@dataclass
class TextBlock:
    size: int
    lines: list[list[Word]]
    texts: list[PlacedText] = field(default_factory=list)
    emoji: list[PlacedEmoji] = field(default_factory=list)
    ink: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    rtl: bool = False

    @property
    def line_count(self) -> int:
        return len(self.lines)


@lru_cache(maxsize=65536)
def _run_width(path: str, text: str, rtl: bool, emoji: bool, size: int) -> float:
    if emoji:
        return emoji_advance(path, text, size)
    return truetype(path, size).getlength(text, **direction(rtl))


def make_word(text: str, fonts: dict[str, str]) -> Word:
    runs = tuple(split_runs(text, fonts))
    width = sum(_run_width(fonts[r.kind], r.text, r.rtl, r.kind == "emoji", REF) for r in runs)
    return Word(runs, width)


@lru_cache(maxsize=4096)
def _words(text: str, fonts_key: tuple[tuple[str, str], ...]) -> tuple[Word, ...]:
    fonts = dict(fonts_key)
    return tuple(make_word(w, fonts) for w in normalise(text).split(" ") if w)


@lru_cache(maxsize=256)
def _grapheme_widths(
    text: str, fonts_key: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, float], ...]:
    fonts = dict(fonts_key)
    return tuple((g, make_word(g, fonts).ref_width) for g in regex.findall(r"\X", text))


def _break_long(word: Word, max_ref: float, fonts: dict[str, str]) -> list[Word]:
    """Split a word wider than the line into grapheme pieces that each fit.

    Widths are summed per grapheme (measured once); any kerning difference is caught by
    the real measurement in `_place`, which then steps the size down.
    """
    text = "".join(r.text for r in word.runs)
    pieces: list[Word] = []
    current, width = "", 0.0
    for cluster, cluster_width in _grapheme_widths(text, tuple(sorted(fonts.items()))):
        if current and width + cluster_width > max_ref:
            pieces.append(make_word(current, fonts))
            current, width = "", 0.0
        current += cluster
        width += cluster_width
    if current:
        pieces.append(make_word(current, fonts))
    return pieces


def _greedy(words: list[Word], max_ref: float, space: float) -> list[list[Word]]:
    lines: list[list[Word]] = []
    line: list[Word] = []
    width = 0.0
    for word in words:
        extra = word.ref_width + (space if line else 0.0)
        if line and width + extra > max_ref:
            lines.append(line)
            line, width = [word], word.ref_width
        else:
            line.append(word)
            width += extra
    if line:
        lines.append(line)
    return lines


def block_height(lines: int, size: int, line_height: float) -> float:
    return (lines - 1) * line_height * size + (ASCENT + DESCENT) * size


def _tokens(words: tuple[Word, ...], max_ref: float, fonts: dict[str, str]) -> list[Word]:
    out: list[Word] = []
    for w in words:
        out.extend(_break_long(w, max_ref, fonts) if w.ref_width > max_ref else [w])
    return out


def _balance(lines: list[list[Word]], max_ref: float, space: float) -> list[list[Word]]:
    """The narrowest measure that keeps the same number of lines, then no lone last word."""
    if len(lines) < 2:
        return lines
    words = [w for line in lines for w in line]
    lo, hi = max(w.ref_width for w in words), max_ref
    best = lines
    for _ in range(14):
        mid = (lo + hi) / 2
        trial = _greedy(words, mid, space)
        if len(trial) <= len(lines):
            best, hi = trial, mid
        else:
            lo = mid
    if len(best[-1]) == 1 and len(best[-2]) >= 3:
        moved = best[-2][-1]
        last_width = best[-1][0].ref_width + space + moved.ref_width
        if last_width <= hi:
            best = [*best[:-2], best[-2][:-1], [moved, *best[-1]]]
    return best


def _space_kind(before: str | None, after: str | None, fonts: dict[str, str]) -> str:
    """A space between two runs of the same right-to-left script is drawn in its font."""
    if before == after and before in RTL_KINDS and 32 in coverage(fonts[before]):
        return before
    return "main"


def _segments(line: list[Word], base: int, fonts: dict[str, str]) -> list[Run]:
    """A line's drawable runs (same font, same bidi level) in visual, left-to-right order.

    Levels come from the Unicode bidi algorithm over the whole line (`bidi.levels`), runs
    are reordered by rule L2, and each run is drawn by Raqm in its own direction.
    """
    pieces: list[tuple[str, str]] = []  # (text, font kind) in logical order
    for i, word in enumerate(line):
        if i:
            after = word.runs[0].kind if word.runs else None
            pieces.append((" ", _space_kind(pieces[-1][1] if pieces else None, after, fonts)))
        pieces.extend((run.text, run.kind) for run in word.runs)
    levels = bidi.levels("".join(text for text, _kind in pieces), base)
    runs: list[Run] = []
    at = 0
    for text, kind in pieces:
        if kind == "emoji":  # one cluster, one bitmap
            runs.append(Run(text, kind, levels[at]))
            at += len(text)
            continue
        for ch in text:
            level = levels[at]
            at += 1
            last = runs[-1] if runs else None
            if last is not None and last.kind == kind and last.level == level:
                runs[-1] = Run(last.text + ch, kind, level)
            else:
                runs.append(Run(ch, kind, level))
    return [runs[i] for i in bidi.visual_order([r.level for r in runs])]


def shift_block(block: TextBlock, dx: float, dy: float) -> None:
    """Move a placed block (and its ink box) by whole pixels vertically, any amount across."""
    dy = round(dy)
    block.texts[:] = [PlacedText(t.x + dx, t.baseline + dy, t.text, t.path, t.size, t.rtl)
                      for t in block.texts]  # fmt: skip
    block.emoji[:] = [PlacedEmoji(round(e.x + dx), e.top + dy, e.cluster, e.path, e.size)
                      for e in block.emoji]  # fmt: skip
    block.ink = (block.ink[0] + dx, block.ink[1] + dy, block.ink[2] + dx, block.ink[3] + dy)


def _place(
    lines: list[list[Word]],
    size: int,
    box: Box,
    fonts: dict[str, str],
    *,
    line_height: float,
    align: str,
    valign: str,
    rtl: bool,
) -> TextBlock | None:
    """Position every segment at `size`; None if a real measurement leaves the box."""
    block = TextBlock(size=size, lines=lines, rtl=rtl)
    height = block_height(len(lines), size, line_height)
    top = box.y0 + (max(0.0, (box.height - height) / 2) if valign == "middle" else 0.0)
    ink = [float("inf"), float("inf"), float("-inf"), float("-inf")]
    for i, line in enumerate(lines):
        baseline = round(top + ASCENT * size + i * line_height * size)
        segs = _segments(line, 1 if rtl else 0, fonts)
        widths = [_run_width(fonts[r.kind], r.text, r.rtl, r.kind == "emoji", size) for r in segs]
        line_width = sum(widths)
        if line_width > box.width + 0.5:
            return None
        if align == "center":
            x = box.x0 + (box.width - line_width) / 2
        else:
            x = box.x1 - line_width if rtl else float(box.x0)
        line_texts: list[PlacedText] = []
        line_emoji: list[PlacedEmoji] = []
        line_ink = [float("inf"), float("inf"), float("-inf"), float("-inf")]
        for run, width in zip(segs, widths, strict=True):
            if run.kind == "emoji":
                emoji = PlacedEmoji(
                    round(x), round(baseline - EMOJI_RISE * size), run.text, fonts["emoji"], size
                )
                line_emoji.append(emoji)
                bbox = (float(emoji.x), float(emoji.top), emoji.x + width, float(emoji.top + size))
            else:
                placed = PlacedText(x, baseline, run.text, fonts[run.kind], size, run.rtl)
                line_texts.append(placed)
                font = truetype(placed.path, size)
                gl, gt, gr, gb = font.getbbox(run.text, anchor="ls", **direction(run.rtl))
                bbox = (x + gl, baseline + gt, x + gr, baseline + gb)
            line_ink = [min(line_ink[0], bbox[0]), min(line_ink[1], bbox[1]),
                        max(line_ink[2], bbox[2]), max(line_ink[3], bbox[3])]  # fmt: skip
            x += width
        block.texts.extend(line_texts)
        block.emoji.extend(line_emoji)
        ink = [min(ink[0], line_ink[0]), min(ink[1], line_ink[1]),
               max(ink[2], line_ink[2]), max(ink[3], line_ink[3])]  # fmt: skip
    # Italic overhangs and side bearings: move the whole block back inside when there is
    # room, so every line keeps the same alignment.
    shift = max(0.0, box.x0 - ink[0]) - max(0.0, ink[2] - box.x1)
    if shift:
        block.texts = [PlacedText(t.x + shift, t.baseline, t.text, t.path, t.size, t.rtl)
                       for t in block.texts]  # fmt: skip
        block.emoji = [PlacedEmoji(round(e.x + shift), e.top, e.cluster, e.path, e.size)
                       for e in block.emoji]  # fmt: skip
        ink[0] += shift
        ink[2] += shift
    block.ink = (ink[0], ink[1], ink[2], ink[3])
    return block if box.contains(block.ink) else None


def fit_text(
    text: str,
    fonts: dict[str, str],
    box: Box,
    *,
    max_size: int,
    min_size: int = 12,
    line_height: float = 1.28,
    align: str = "start",
    valign: str = "top",
    max_lines: int | None = None,
    base: int | None = None,
) -> TextBlock:
    """The largest size (<= max_size) at which `text` fits `box`, laid out and placed.

    `fonts` maps run kinds ("main", "arabic", "hebrew", "emoji") to font files.
    Raises `UnusableInput` when even `min_size` cannot hold the text.
    """
    words = _words(text, tuple(sorted(fonts.items())))
    if not words:
        raise UnusableInput("there is no text to lay out")
    # The paragraph direction: from the text (rules P2-P3) unless the caller sets it.
    rtl = (bidi.base_level(normalise(text)) if base is None else base) == 1
    space = _run_width(fonts["main"], " ", False, False, REF)

    def lines_at(size: int) -> list[list[Word]] | None:
        max_ref = box.width * REF / size
        lines = _greedy(_tokens(words, max_ref, fonts), max_ref, space)
        if max_lines is not None and len(lines) > max_lines:
            return None
        return lines if block_height(len(lines), size, line_height) <= box.height else None

    hi = max_size
    while hi >= min_size:
        lo, best = min_size, None
        top = hi
        while lo <= top:  # largest size whose estimate fits
            mid = (lo + top) // 2
            if lines_at(mid) is not None:
                best, lo = mid, mid + 1
            else:
                top = mid - 1
        if best is None:
            break
        lines = lines_at(best)
        assert lines is not None
        lines = _balance(lines, box.width * REF / best, space)
        placed = _place(
            lines, best, box, fonts, line_height=line_height, align=align, valign=valign, rtl=rtl
        )
        if placed is not None:
            return placed
        hi = best - 1  # real measurement disagreed with the estimate: step down
    raise UnusableInput(f"the text is too long to fit a {box.width}×{box.height} area")
