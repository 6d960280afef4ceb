"""A card under construction: palette mode while every colour is known, RGB otherwise.

Cards are flat colours plus text whose anti-aliasing is posterised to `LEVELS` steps, so
they usually need far fewer than 256 colours. Building the palette image directly (rather
than counting and quantising an RGB image afterwards) is exact and fast. Anything with
colours of its own (colour emoji, a photographic logo) switches the canvas to RGB.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import cast

import numpy as np
from PIL import Image, ImageDraw

LEVELS = 24  # anti-aliasing steps kept per text colour (invisible at card sizes)
_LUT = [round(round(v * (LEVELS - 1) / 255) * 255 / (LEVELS - 1)) for v in range(256)]
_LEVEL_VALUES = sorted(set(_LUT))
_COVERED = [255 if level else 0 for level in _LUT]  # pixels the posterised text touches
PICTURE_COLOURS = 24  # colours kept per emoji on a palette card (median cut)
PNG_COMPRESS_LEVEL = 1  # with Z_RLE the level barely changes the size

RGB = tuple[int, int, int]


def posterise(mask: Image.Image) -> Image.Image:
    return mask.point(_LUT)


class Canvas:
    def __init__(self, size: tuple[int, int], background: RGB) -> None:
        self.palette: list[RGB] = [background]
        self.index: dict[RGB, int] = {background: 0}
        self.image = Image.new("P", size, 0)
        self.parent: Canvas | None = None
        # band -> its deflated rows and their Adler-32 (when this canvas is a cached layer)
        self._bands: dict[int, tuple[bytes, int]] = {}
        self._scanlines: tuple[Image.Image, bytes] | None = None
        self.contrast: dict[str, float] = {}  # measured on the pixels behind text (imagery)

    def copy(self) -> Canvas:
        """A canvas to draw on; PNG bands it leaves unchanged reuse this one's encoding."""
        other = Canvas.__new__(Canvas)
        other.palette = list(self.palette)
        other.index = dict(self.index)
        other.image = self.image.copy()
        other.parent = self
        other._bands = {}
        other._scanlines = None
        other.contrast = {}
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
            if self.parent is not None and self.parent.is_palette:
                self.parent = None  # its bands are palette rows: nothing to reuse

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

    def paste_over(self, img: Image.Image, origin: tuple[int, int], bg: RGB, key: str) -> None:
        """Paste a small colour image (an emoji) over a region known to be flat `bg`.

        In palette mode it is blended over `bg` and reduced to at most `PICTURE_COLOURS`
        colours (median cut, no dithering: deterministic), which keeps the card a small,
        fast palette PNG; past the palette's room the canvas turns RGB and keeps every colour.
        `key` names the image (the reduction is cached by it).
        """
        room = 256 - len(self.palette)
        if not self.is_palette or room < PICTURE_COLOURS:
            self.paste_rgba(img, origin)
            return
        found = _reductions.get((key, bg))
        if found is None:
            if len(_reductions) > 1024:
                _reductions.clear()
            found = _reductions[(key, bg)] = _reduce(img, bg)
        colours, reduced, covered = found
        lut = list(range(256))
        for i, rgb in colours:
            index = self._colour(rgb)
            if index is None:  # cannot happen: room was checked
                self.paste_rgba(img, origin)
                return
            lut[i] = index
        indices = Image.frombytes("P", reduced.size, reduced.point(lut).tobytes())
        self.image.paste(indices, origin, covered)

    def _raw(self) -> bytes:
        """The PNG scanlines (filter byte 0, then the row's pixels), cached."""
        if self._scanlines is None or self._scanlines[0] is not self.image:
            width, height = self.image.size
            depth = 1 if self.is_palette else 3
            rows = np.zeros((height, width * depth + 1), dtype=np.uint8)
            pixels = np.frombuffer(self.image.tobytes(), dtype=np.uint8)
            rows[:, 1:] = pixels.reshape(height, width * depth)
            self._scanlines = (self.image, rows.tobytes())
        return self._scanlines[1]

    def _banded_png(self) -> bytes:
        """A PNG (palette, or RGB) whose IDAT is deflated in independent bands of
        `BAND_ROWS` rows (each ends in a full flush), so bands equal to the cached layer's
        are not compressed again. The bytes depend only on the pixels and the palette."""
        width, height = self.image.size
        raw = self._raw()
        stride = BAND_ROWS * (len(raw) // height)
        parent = self.parent
        reuse = (parent is not None and parent.image.mode == self.image.mode
                 and parent.image.size == self.image.size)  # fmt: skip
        parent_raw = parent._raw() if reuse and parent is not None else b""
        parts = []
        adler = 1  # the Adler-32 of nothing
        for band, start in enumerate(range(0, len(raw), stride)):
            rows = raw[start : start + stride]
            if reuse and parent is not None and parent_raw[start : start + stride] == rows:
                cached = parent._bands.get(band)
                if cached is None:
                    cached = parent._bands[band] = (_deflate(rows), zlib.adler32(rows))
                deflated, band_adler = cached
            else:
                deflated, band_adler = _deflate(rows), zlib.adler32(rows)
            parts.append(deflated)
            adler = _adler32_combine(adler, band_adler, len(rows))
        final = zlib.compressobj(PNG_COMPRESS_LEVEL, zlib.DEFLATED, -15).flush()
        idat = b"\x78\x01" + b"".join(parts) + final + adler.to_bytes(4, "big")
        colour_type = 3 if self.is_palette else 2
        header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
        chunks = [_chunk(b"IHDR", header)]
        if self.is_palette:
            chunks.append(_chunk(b"PLTE", bytes(v for rgb in self.palette for v in rgb)))
        chunks += [_chunk(b"IDAT", idat), _chunk(b"IEND", b"")]
        return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)

    def png(self) -> bytes:
        """Metadata-free PNG bytes; identical canvases give identical bytes."""
        if self.is_palette or self.parent is not None:  # drawn over a cached layer
            return self._banded_png()
        out = io.BytesIO()
        img = _exact_palette(self.image) or self.image
        # Z_RLE suits flat colour runs: as small as the default strategy here, much faster.
        img.save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL, compress_type=zlib.Z_RLE)
        return out.getvalue()


BAND_ROWS = 16


Reduction = tuple[list[tuple[int, RGB]], Image.Image, Image.Image]
_reductions: dict[tuple[str, RGB], Reduction] = {}


def _reduce(img: Image.Image, bg: RGB) -> Reduction:
    """An emoji blended over `bg` and reduced to a few colours: the (index, colour) pairs
    it uses, its index image (mode L) and its coverage mask."""
    flat = Image.new("RGB", img.size, bg)
    flat.paste(img, (0, 0), img)
    reduced = flat.quantize(PICTURE_COLOURS, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = reduced.getpalette() or []
    used = sorted(set(reduced.tobytes()))
    colours = [(i, (palette[3 * i], palette[3 * i + 1], palette[3 * i + 2])) for i in used]
    indices = Image.frombytes("L", reduced.size, reduced.tobytes())
    covered = img.getchannel("A").point([0] + [255] * 255)
    return colours, indices, covered


def _deflate(raw: bytes) -> bytes:
    """Raw deflate of one band, ending byte-aligned with a full flush (no shared history)."""
    packer = zlib.compressobj(PNG_COMPRESS_LEVEL, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    return packer.compress(raw) + packer.flush(zlib.Z_FULL_FLUSH)


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings joined, from theirs (zlib's adler32_combine)."""
    base = 65521
    rem = second_length % base
    sum1 = first & 0xFFFF
    sum2 = (rem * sum1) % base
    sum1 = (sum1 + (second & 0xFFFF) + base - 1) % base
    sum2 = (sum2 + ((first >> 16) & 0xFFFF) + ((second >> 16) & 0xFFFF) + base - rem) % base
    return sum1 | (sum2 << 16)


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(body, zlib.crc32(kind))
    return len(body).to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big")


def _exact_palette(img: Image.Image) -> Image.Image | None:
    """`img` as a palette image with exactly the same pixels, or None past 256 colours.

    (Pillow's quantize-to-palette is approximate, so the mapping is done here.)
    """
    colours = img.getcolors(256)
    if colours is None:
        return None

    rgb = np.asarray(img, dtype=np.uint32)
    keys = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    triples = [cast(tuple[int, int, int], rgb) for _n, rgb in colours]
    palette = np.array(sorted((r << 16) | (g << 8) | b for r, g, b in triples), dtype=np.uint32)
    indices = np.searchsorted(palette, keys).astype(np.uint8)
    out = Image.frombytes("P", (img.width, img.height), indices.tobytes())
    out.putpalette([v for k in palette.tolist() for v in (k >> 16, (k >> 8) & 255, k & 255)])
    return out
