"""The Unicode bidi algorithm (UAX #9): resolved embedding levels for a line of text.

Pillow's Raqm layout runs the bidi algorithm, but only inside one `draw.text` call with
one font; a card mixes fonts (Latin, Arabic, Hebrew, emoji), so the levels are resolved
here for the whole line and each same-font, same-level run is then drawn on its own.
FriBiDi (the library Raqm itself uses, loaded by Pillow) does the work; python-bidi's
implementation is the fallback where FriBiDi is missing.

FriBiDi's C API (fribidi-bidi.h, fribidi-bidi-types.h): `fribidi_get_bidi_types`,
`fribidi_get_bracket_types`, `fribidi_get_par_embedding_levels_ex`; paragraph types are
bit masks: LTR = STRONG|LETTER (0x110), RTL = LTR|RTL (0x111), ON = NEUTRAL (0x40).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any

import regex

PAR_LTR, PAR_RTL, PAR_ON = 0x110, 0x111, 0x40
_NEEDS_BIDI = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}\p{Bidi_Class=AN}"
                            r"\u202a-\u202e\u2066-\u2069]")  # fmt: skip


def _load_fribidi() -> Any:
    name = ctypes.util.find_library("fribidi")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
    return lib


_FRIBIDI = _load_fribidi()
ENGINE = "fribidi" if _FRIBIDI is not None else "python-bidi"


def needs_bidi(text: str) -> bool:
    """Whether anything in `text` can be right-to-left (else every level is 0)."""
    return bool(_NEEDS_BIDI.search(text))


def _fribidi_levels(text: str, base: int) -> tuple[int, ...]:
    n = len(text)
    chars = (ctypes.c_uint32 * n)(*(ord(c) for c in text))
    types = (ctypes.c_uint32 * n)()
    brackets = (ctypes.c_uint32 * n)()
    levels = (ctypes.c_int8 * n)()
    _FRIBIDI.fribidi_get_bidi_types(chars, n, types)
    _FRIBIDI.fribidi_get_bracket_types(chars, n, types, brackets)
    par = ctypes.c_uint32(PAR_RTL if base else PAR_LTR)
    if _FRIBIDI.fribidi_get_par_embedding_levels_ex(types, brackets, n, ctypes.byref(par),
                                                    levels) == 0:  # fmt: skip
        raise ValueError("FriBiDi could not resolve the text's directions")
    return tuple(int(v) for v in levels)


def _python_bidi_levels(text: str, base: int) -> tuple[int, ...]:
    from bidi import algorithm as uba  # python-bidi's pure-Python UAX #9

    storage = uba.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    uba.get_embedding_levels(text, storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    return tuple(int(c["level"]) for c in storage["chars"])


@lru_cache(maxsize=4096)
def levels(text: str, base: int) -> tuple[int, ...]:
    """The resolved level of every code point of one line, in a paragraph of `base` (0/1).

    Rule L1 is applied: whitespace at the end of the line takes the paragraph level.
    """
    if not text:
        return ()
    if not base and not needs_bidi(text):
        return (0,) * len(text)
    out = list(_fribidi_levels(text, base) if _FRIBIDI else _python_bidi_levels(text, base))
    end = len(out)
    while end and text[end - 1].isspace():
        end -= 1
        out[end] = base
    return tuple(out)


@lru_cache(maxsize=1024)
def base_level(text: str) -> int:
    """The paragraph level by rules P2-P3: the first strong letter decides (0: LTR, 1: RTL)."""
    for ch in text:
        kind = _strong(ch)
        if kind is not None:
            return kind
    return 0


_L = regex.compile(r"\p{Bidi_Class=L}")
_R = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}]")


def _strong(ch: str) -> int | None:
    if _R.match(ch):
        return 1
    if _L.match(ch):
        return 0
    return None


def visual_order(run_levels: list[int]) -> list[int]:
    """Rule L2: the display order of runs (indices into `run_levels`, left to right)."""
    order = list(range(len(run_levels)))
    if not run_levels:
        return order
    highest = max(run_levels)
    lowest_odd = min(v for v in run_levels if v % 2) if any(v % 2 for v in run_levels) else 0
    if not lowest_odd:
        return order
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if run_levels[order[i]] >= level:
                j = i
                while j < len(order) and run_levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order
