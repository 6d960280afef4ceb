"""The imagery template: the brand's photo or illustration behind the quote, under a scrim.

The scrim is the brand's dark colour laid over the picture, stronger towards the bottom
where the quote sits. Its strength is chosen per card: the lightest of `ALPHAS` at which
every piece of text reaches WCAG AA contrast against the actual pixels behind it (not
against the brand colours alone). At full strength the scrim is the flat brand colour,
whose pairs the brand kit already checks, so a card can always be made.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageOps

from curation.cards.brand import Brand
from curation.cards.contrast import NORMAL_TEXT_MIN, hex_to_rgb, relative_luminance
from curation.errors import UnusableInput

ALPHAS = (0.45, 0.6, 0.72, 0.84, 0.93, 1.0)
MAX_CACHED = 12  # scrimmed pictures (and their luminance) kept: a few MB each
_LINEAR = np.array(
    [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
     for c in (v / 255 for v in range(256))]
)  # fmt: skip


@dataclass(frozen=True)
class TextCheck:
    """One piece of text to check: where it is, its colour, the ratio it needs."""

    what: str
    box: tuple[int, int, int, int]
    colour: str
    need: float = NORMAL_TEXT_MIN


@lru_cache(maxsize=8)
def _cover(path: str, fingerprint: str, size: tuple[int, int]) -> Image.Image:
    """The picture cropped to fill `size` (centred), as RGB."""
    with Image.open(path) as src:
        picture = src.convert("RGB")
    return ImageOps.fit(picture, size, Image.Resampling.LANCZOS)


_backgrounds: OrderedDict[tuple[str, int, int, float], Image.Image] = OrderedDict()


def background(brand: Brand, size: tuple[int, int], alpha: float) -> Image.Image:
    """The picture under a scrim of strength `alpha` (cached)."""
    if brand.image is None:
        raise UnusableInput("the brand kit has no image for the Photo template (brand.toml: image)")
    key = (brand.fingerprint, *size, alpha)
    if key in _backgrounds:
        _backgrounds.move_to_end(key)
        return _backgrounds[key]
    picture = np.asarray(_cover(str(brand.image), brand.fingerprint, size), dtype=np.float32)
    height = size[1]
    # Stronger towards the bottom: 60% of `alpha` at the top, all of it from two thirds down;
    # the strongest scrim covers the picture evenly (the flat brand colour).
    ramp = np.clip(0.6 + 0.6 * np.arange(height, dtype=np.float32) / height, 0.0, 1.0)
    if alpha >= ALPHAS[-1]:
        ramp[:] = 1.0
    weights = (alpha * ramp)[:, None, None]
    scrim = np.array(hex_to_rgb(brand.colours["primary"]), dtype=np.float32)
    mixed = picture * (1 - weights) + scrim * weights
    image = Image.fromarray(np.round(mixed).astype(np.uint8), "RGB")
    _backgrounds[key] = image
    while len(_backgrounds) > MAX_CACHED:
        _backgrounds.popitem(last=False)
    return image


def luminance(image: Image.Image) -> np.ndarray:
    """WCAG relative luminance of every pixel of an RGB image."""
    pixels = np.asarray(image, dtype=np.uint8)
    lum = (0.2126 * _LINEAR[pixels[..., 0]] + 0.7152 * _LINEAR[pixels[..., 1]]
           + 0.0722 * _LINEAR[pixels[..., 2]])  # fmt: skip
    return lum.astype(np.float32)


_luminances: OrderedDict[tuple[str, int, int, float], np.ndarray] = OrderedDict()


def _background_luminance(brand: Brand, size: tuple[int, int], alpha: float) -> np.ndarray:
    key = (brand.fingerprint, *size, alpha)
    if key not in _luminances:
        _luminances[key] = luminance(background(brand, size, alpha))
        while len(_luminances) > MAX_CACHED:
            _luminances.popitem(last=False)
    return _luminances[key]


def min_contrast(image: Image.Image | np.ndarray, box: tuple[int, int, int, int],
                 colour: str) -> float:  # fmt: skip
    """The lowest WCAG contrast between `colour` and any pixel inside `box` of an RGB image
    (or of its precomputed `luminance`)."""
    lum = luminance(image) if isinstance(image, Image.Image) else image
    height, width = lum.shape
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(width, box[2]), min(height, box[3])
    if x1 <= x0 or y1 <= y0:
        return float("inf")
    area = lum[y0:y1, x0:x1]
    text = relative_luminance(colour)
    darkest, lightest = float(area.min()), float(area.max())
    if darkest <= text <= lightest:
        return 1.0  # some pixel is as light as the text itself
    # The ratio grows with the distance in luminance: the nearest extreme is the worst pixel.
    nearest = lightest if text > lightest else darkest
    return (max(text, nearest) + 0.05) / (min(text, nearest) + 0.05)


def choose_alpha(
    brand: Brand, size: tuple[int, int], checks: list[TextCheck]
) -> tuple[float, dict[str, float]]:
    """The lightest scrim at which every check passes, and each check's measured ratio."""
    ratios: dict[str, float] = {}
    for alpha in ALPHAS:
        lum = _background_luminance(brand, size, alpha)
        ratios = {c.what: min_contrast(lum, c.box, c.colour) for c in checks}
        if all(ratios[c.what] >= c.need for c in checks):
            return alpha, ratios
    return ALPHAS[-1], ratios
