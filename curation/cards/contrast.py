"""WCAG 2.x contrast: relative luminance and the ratio every text/background pair must meet."""

from __future__ import annotations

from curation.errors import UnusableInput

NORMAL_TEXT_MIN = 4.5
LARGE_TEXT_MIN = 3.0  # large text (>= 24 px regular or 18.66 px bold) and graphics


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _channel(c8: int) -> float:
    c = c8 / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #RRGGBB colour (0 black .. 1 white)."""
    r, g, b = hex_to_rgb(colour)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), lighter over darker: 1.0 .. 21.0."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def check_pair(foreground: str, background: str, *, large: bool, what: str) -> float:
    """The ratio, or `UnusableInput` naming the pair and the measured ratio when too low."""
    need = LARGE_TEXT_MIN if large else NORMAL_TEXT_MIN
    ratio = contrast_ratio(foreground, background)
    if ratio < need:
        raise UnusableInput(
            f"{what}: contrast {ratio:.2f}:1 ({foreground} on {background}) is below "
            f"the WCAG minimum of {need}:1"
        )
    return ratio
