"""Build the brand kit's generated assets: the emoji font subset and the default wordmark.

Run `python -m curation.cards.make_assets` after changing the brand name or the emoji
list; the results are committed in assets/ so rendering never depends on the machine.
Needs Debian's fonts-noto-color-emoji (for the subset) and fontTools.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
NOTO_EMOJI = NOTO_DIR / "NotoColorEmoji.ttf"
# Text fonts are shipped without TrueType hinting: at card sizes hinting adds nothing
# visible, and FreeType renders and measures unhinted glyphs two to four times faster.
TEXT_FONTS = ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf",
              "NotoSansArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf"]  # fmt: skip

# A curated set keeps the font small (a few MB at most): faces, hands, hearts, weather,
# places, transport, money, common symbols and the UK flags. Others are substituted
# (skin tones dropped to the base emoji; anything else drawn as a bullet).
EMOJI_RANGES = [
    (0x1F600, 0x1F64F), (0x1F90C, 0x1F92F), (0x1F970, 0x1F97A), (0x1F440, 0x1F450),
    (0x1F493, 0x1F49F), (0x2600, 0x26FF), (0x2700, 0x27BF), (0x1F3E0, 0x1F3F0),
    (0x1F30D, 0x1F30F), (0x1F331, 0x1F33F), (0x1F4B0, 0x1F4B8), (0x1F680, 0x1F6A8),
]  # fmt: skip
EMOJI_EXTRA = [
    0x2764, 0x1F90D, 0x1F90E, 0x1F9E1, 0x1F5A4, 0x1F389, 0x1F38A, 0x1F393, 0x1F4A1,
    0x1F4AA, 0x1F4AF, 0x1F525, 0x1F4E2, 0x1F4E3, 0x1F4CA, 0x1F4C8, 0x1F4C9, 0x1F3C6,
    0x1F3AF, 0x1F4F0, 0x1F4DA, 0x1F4DD, 0x1F50D, 0x1F517, 0x1F4AC, 0x1F5E3, 0x1F464,
    0x1F465, 0x1F46A, 0x1F6B2, 0x1F6B6, 0x1F91D, 0x1F4A9, 0x2B50, 0x2B06, 0x2B07,
    0x1F199, 0x1F3F4, 0xE0067, 0xE0062, 0xE0065, 0xE006E, 0xE0073, 0xE0063, 0xE0074,
    0xE0077, 0xE006C, 0xE007F, 0x1F1EC, 0x1F1E7, 0x1F1EA, 0x1F1FA, 0xFE0F, 0x200D,
]  # fmt: skip


def make_emoji_subset(out: Path) -> int:
    """Write the emoji subset to `out`; returns its size in bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(NOTO_EMOJI))
    cmap = font.getBestCmap()
    wanted = {c for a, b in EMOJI_RANGES for c in range(a, b + 1)} | set(EMOJI_EXTRA)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(c for c in wanted if c in cmap))
    subsetter.subset(font)
    font.save(str(out))
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


def main() -> None:
    from curation.cards.brand import load_brand
    from curation.config import load_settings

    assets = load_settings().assets_dir
    if NOTO_EMOJI.exists():
        size = make_emoji_subset(assets / "fonts" / "NotoColorEmoji-Subset.ttf")
        print(f"emoji subset: {size} bytes")
        for name in TEXT_FONTS:
            print(f"{name}: {dehint(NOTO_DIR / name, assets / 'fonts' / name)} bytes, unhinted")
    brand = load_brand(check_files=False)
    make_wordmark(brand.organisation, assets / "fonts" / "NotoSans-Bold.ttf",
                  brand.colours["primary"], brand.colours["accent_on_light"], assets / "logo.png")
    print("wordmark: assets/logo.png")


if __name__ == "__main__":
    main()
