"""A card under construction: palette mode while every colour is known, RGB otherwise.

Cards are flat colours plus text whose anti-aliasing is posterised to `LEVELS` steps, so
they usually need far fewer than 256 colours. Building the palette image directly (rather
than counting and quantising an RGB image afterwards) is exact and fast. Anything with
colours of its own (colour emoji, a photographic logo) switches the canvas to RGB.
"""

from __future__ import annotations

import io
import zlib
from typing import cast

from PIL import Image, ImageDraw

LEVELS = 24  # anti-aliasing steps kept per text colour (invisible at card sizes)
_LUT = [round(round(v * (LEVELS - 1) / 255) * 255 / (LEVELS - 1)) for v in range(256)]
_LEVEL_VALUES = sorted(set(_LUT))
_COVERED = [255 if level else 0 for level in _LUT]  # pixels the posterised text touches
PNG_COMPRESS_LEVEL = 1  # with Z_RLE the level barely changes the size

RGB = tuple[int, int, int]


def posterise(mask: Image.Image) -> Image.Image:
    return mask.point(_LUT)


class Canvas:
    def __init__(self, size: tuple[int, int], background: RGB) -> None:
        self.palette: list[RGB] = [background]
        self.index: dict[RGB, int] = {background: 0}
        self.image = Image.new("P", size, 0)

    def copy(self) -> Canvas:
        other = Canvas.__new__(Canvas)
        other.palette = list(self.palette)
        other.index = dict(self.index)
        other.image = self.image.copy()
        return other

    @property
    def is_palette(self) -> bool:
        return self.image.mode == "P"

    def _colour(self, rgb: RGB) -> int | None:
        """The palette index of `rgb`, adding it; None when the palette is full."""
        found = self.index.get(rgb)
        if found is None and len(self.palette) < 256:
            found = self.index[rgb] = len(self.palette)
            self.palette.append(rgb)
        return found

    def to_rgb(self) -> None:
        if self.is_palette:
            self.image.putpalette([v for rgb in self.palette for v in rgb])
            self.image = self.image.convert("RGB")

    def rectangle(self, box: tuple[int, int, int, int], rgb: RGB) -> None:
        fill = self._colour(rgb) if self.is_palette else rgb
        if fill is None:
            self.to_rgb()
            fill = rgb
        ImageDraw.Draw(self.image).rectangle(box, fill=fill)

    def paint_mask(self, mask: Image.Image, origin: tuple[int, int], fg: RGB, bg: RGB) -> None:
        """Paint `fg` through a coverage mask over a region known to be flat `bg`.

        Coverage is posterised to `LEVELS` steps; in palette mode each step is one palette
        entry (the exact blend of fg over bg), so no colour is ever approximated.
        """
        if self.is_palette:
            by_level: dict[int, int] = {}
            for level in _LEVEL_VALUES:
                a = level / 255
                r, g, b = (round(c0 + (c1 - c0) * a) for c1, c0 in zip(fg, bg, strict=True))
                index = self._colour((r, g, b))
                if index is None:
                    break
                by_level[level] = index
            if len(by_level) == LEVELS:
                lut = [by_level[_LUT[v]] for v in range(256)]
                indices = Image.frombytes("P", mask.size, mask.point(lut).tobytes())
                self.image.paste(indices, origin, mask.point(_COVERED))
                return
            self.to_rgb()
        box = (*origin, origin[0] + mask.width, origin[1] + mask.height)
        self.image.paste(fg, box, posterise(mask))

    def paste_rgba(self, img: Image.Image, origin: tuple[int, int]) -> None:
        self.to_rgb()
        self.image.paste(img, origin, img)

    def png(self) -> bytes:
        """Metadata-free PNG bytes; identical canvases give identical bytes."""
        out = io.BytesIO()
        img = self.image
        if self.is_palette:
            img = img.copy()
            img.putpalette([v for rgb in self.palette for v in rgb])
        else:
            img = _exact_palette(img) or img
        # Z_RLE suits flat colour runs: as small as the default strategy here, much faster.
        img.save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL, compress_type=zlib.Z_RLE)
        return out.getvalue()


def _exact_palette(img: Image.Image) -> Image.Image | None:
    """`img` as a palette image with exactly the same pixels, or None past 256 colours.

    (Pillow's quantize-to-palette is approximate, so the mapping is done here.)
    """
    colours = img.getcolors(256)
    if colours is None:
        return None
    import numpy as np

    rgb = np.asarray(img, dtype=np.uint32)
    keys = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    triples = [cast(tuple[int, int, int], rgb) for _n, rgb in colours]
    palette = np.array(sorted((r << 16) | (g << 8) | b for r, g, b in triples), dtype=np.uint32)
    indices = np.searchsorted(palette, keys).astype(np.uint8)
    out = Image.frombytes("P", (img.width, img.height), indices.tobytes())
    out.putpalette([v for k in palette.tolist() for v in (k >> 16, (k >> 8) & 255, k & 255)])
    return out
