"""Build the brand kit's font files and the default wordmark.

Run `python -m curation.cards.make_assets` after changing the brand name or the fonts; the
results are committed in assets/ so rendering never depends on the machine. Needs Debian's
fonts-noto-core and fonts-noto-color-emoji (`NOTO_DIR`) and fontTools.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
NOTO_EMOJI = NOTO_DIR / "NotoColorEmoji.ttf"
# Text fonts are shipped without TrueType hinting: at card sizes hinting adds nothing
# visible, and FreeType renders and measures unhinted glyphs two to four times faster.
TEXT_FONTS = ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf",
              "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
              "NotoSansHebrew-Regular.ttf"]  # fmt: skip


def copy_emoji_font(out: Path) -> int:
    """Copy the complete colour emoji font (every RGI sequence: ZWJ, skin tones, flags
    including England, Scotland and Wales, keycaps): a card never drops a part of one."""
    out.write_bytes(NOTO_EMOJI.read_bytes())
    return out.stat().st_size


def dehint(src: Path, out: Path) -> int:
    """Copy a font without its hinting instructions (all glyphs and layout features kept)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(src))
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap().keys())
    subsetter.subset(font)
    font.save(str(out))
    return out.stat().st_size


def make_oblique(src: Path, out: Path, angle: float = 11.0) -> int:
    """An oblique (slanted) copy of a font for scripts with no italic face (Arabic): every
    outline, component offset and mark anchor is sheared by `angle` degrees, so marks stay
    on their letters. A modified version under the OFL, renamed "Oblique"."""
    import math

    from fontTools.ttLib import TTFont

    slant = math.tan(math.radians(angle))
    font = TTFont(str(src))
    glyf = font["glyf"]
    for name in font.getGlyphOrder():
        glyph = glyf[name]
        if glyph.isComposite():
            for component in glyph.components:
                component.x = round(component.x + slant * component.y)
        elif glyph.numberOfContours > 0:
            coordinates = glyph.coordinates
            for i, (x, y) in enumerate(coordinates):
                coordinates[i] = (round(x + slant * y), y)
    for name in font.getGlyphOrder():
        glyf[name].recalcBounds(glyf)
    for lookup in font["GPOS"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            for anchor in _anchors(sub):
                anchor.XCoordinate = round(anchor.XCoordinate + slant * anchor.YCoordinate)
    font["post"].italicAngle = -angle
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection | 0x01) & ~0x40  # italic, not regular
    font["head"].macStyle |= 0x02
    family = font["name"].getDebugName(1) or "Font"
    for record in font["name"].names:
        if record.nameID == 2:
            record.string = "Oblique"
        elif record.nameID in (4, 6):
            full = f"{family} Oblique"
            record.string = full.replace(" ", "") if record.nameID == 6 else full
    font.save(str(out))
    return out.stat().st_size


def _anchors(sub: object) -> list[Any]:
    """Every anchor of a mark-to-base, mark-to-ligature or mark-to-mark subtable."""
    found: list[Any] = []
    marks = getattr(sub, "MarkArray", None) or getattr(sub, "Mark1Array", None)
    if marks is not None:
        found += [record.MarkAnchor for record in marks.MarkRecord]
    bases = getattr(sub, "BaseArray", None)
    if bases is not None:
        found += [a for record in bases.BaseRecord for a in record.BaseAnchor if a]
    mark2 = getattr(sub, "Mark2Array", None)
    if mark2 is not None:
        found += [a for record in mark2.Mark2Record for a in record.Mark2Anchor if a]
    ligatures = getattr(sub, "LigatureArray", None)
    if ligatures is not None:
        for attach in ligatures.LigatureAttach:
            for component in attach.ComponentRecord:
                found += [a for a in component.LigatureAnchor if a]
    return found


def make_wordmark(name: str, font_path: Path, colour: str, accent: str, out: Path) -> None:
    """Draw the organisation's name as a two-tone wordmark PNG (transparent background).

    The first word takes the accent colour, the rest the main colour: simple, legible at
    small sizes, and deterministic.
    """
    height = 150
    font = ImageFont.truetype(str(font_path), 112)
    first, _, rest = name.partition(" ")
    gap = font.getlength(" ")
    w_first = font.getlength(first)
    width = int(w_first + gap + font.getlength(rest)) + 8
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.text((4, 118), first, font=font, fill=accent, anchor="ls")
    draw.text((4 + w_first + gap, 118), rest, font=font, fill=colour, anchor="ls")
    img.save(out, optimize=True)


def make_illustration(out: Path, size: tuple[int, int] = (1600, 1600)) -> None:
    """A flat, deterministic illustration for the imagery template: a town under hills at
    dusk (sky, sun, three ridges, rows of houses). Brand photos can replace it."""
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    top, bottom = (246, 196, 120), (233, 120, 86)
    for y in range(h):
        t = y / h
        draw.line(
            [(0, y), (w, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    draw.ellipse((w * 0.58, h * 0.16, w * 0.80, h * 0.38), fill=(252, 226, 160))
    ridges = [(0.46, (64, 122, 112), 0.05), (0.58, (38, 96, 92), 0.07), (0.70, (20, 70, 74), 0.06)]
    for level, colour, wave in ridges:
        points: list[tuple[float, float]] = [(0, h)]
        for i in range(0, 41):
            px = w * i / 40
            py = h * (level + wave * ((i * 7919) % 13 / 13 - 0.5) + 0.03 * ((i % 9) / 9))
            points.append((px, py))
        points.append((w, h))
        draw.polygon(points, fill=colour)
    for row, (y0, scale) in enumerate(((0.76, 1.0), (0.86, 1.3))):
        x: float = -20 + 37 * row
        while x < w:
            hw, hh = 60 * scale, 56 * scale
            base = h * y0 + (x * 31 % 17)
            body = (222, 214, 196) if (int(x) // 90) % 3 else (200, 188, 170)
            draw.rectangle((x, base - hh, x + hw, base), fill=body)
            draw.polygon([(x - 6, base - hh), (x + hw / 2, base - hh - 34 * scale),
                          (x + hw + 6, base - hh)], fill=(120, 60, 48))  # fmt: skip
            draw.rectangle((x + hw * 0.3, base - hh * 0.6, x + hw * 0.55, base - hh * 0.3),
                           fill=(250, 210, 120))  # fmt: skip
            x += hw + 26 * scale
    img.save(out, optimize=True)


def main() -> None:
    from curation.cards.brand import load_brand
    from curation.config import load_settings

    assets = load_settings().assets_dir
    if NOTO_EMOJI.exists():
        size = copy_emoji_font(assets / "fonts" / "NotoColorEmoji.ttf")
        print(f"emoji font: {size} bytes")
        for name in TEXT_FONTS:
            print(f"{name}: {dehint(NOTO_DIR / name, assets / 'fonts' / name)} bytes, unhinted")
        oblique = assets / "fonts" / "NotoSansArabic-Oblique.ttf"
        size = make_oblique(assets / "fonts" / "NotoSansArabic-Regular.ttf", oblique)
        print(f"NotoSansArabic-Oblique.ttf: {size} bytes")
    brand = load_brand(check_files=False)
    make_wordmark(
        brand.organisation,
        assets / "fonts" / "NotoSans-Bold.ttf",
        brand.colours["primary"],
        brand.colours["accent_on_light"],
        assets / "logo.png",
    )
    print("wordmark: assets/logo.png")
    make_illustration(assets / "illustration.png")
    print("illustration: assets/illustration.png")


if __name__ == "__main__":
    main()
