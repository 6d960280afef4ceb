"""The contact sheet and the golden images: every template × format × sample quote.

`python -m curation.cards.contact_sheet` writes one sheet per template to docs/cards/
(tiles 390 px wide: the width of a phone screen, so the sheet shows the cards at phone
size) with an index page; `--goldens` also rewrites the reduced golden images the visual
regression test compares against (tests/goldens/cards/). Quotes too long for a format at a
readable size show the refusal and the formats offered instead.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from curation.cards.brand import Brand, load_brand
from curation.cards.fonts import truetype
from curation.cards.render import CardContent, QuoteTooLong, compose
from curation.cards.templates import FORMATS, TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "cards"
GOLDENS = ROOT / "tests" / "goldens" / "cards"
GOLDEN_REDUCE = 4  # goldens keep a quarter of each side: layout and type, small files
TILE_WIDTH = 390  # a phone screen's width in CSS pixels


@dataclass(frozen=True)
class Sample:
    name: str
    content: CardContent


_CREDIT: dict[str, Any] = dict(
    question_number=4, question_label="Who should decide what success looks like?",
    consultation_title="Levelling Up consultation",
)  # fmt: skip
LONG = (
    "Levelling up will only work if the money stops arriving in short, competitive pots that "
    "small councils cannot afford to bid for. We need long-term funding, decided locally, with "
    "communities round the table from the start, not consulted at the end when the decisions "
    "have already been made. Our high street has lost its bank, its post office and two bus "
    "routes in five years, and no amount of regeneration branding changes that for the people "
    "who live here. Measure what changes for people, publish it every year, and let us hold "
    "you to it."
)
SAMPLES = [
    Sample("short", CardContent("Give towns the power to decide.",
                                "Priya Shah, Hull Food Bank (Yorkshire and the Humber)",
                                organisation="Hull Food Bank",
                                respondent_region="Yorkshire and the Humber", **_CREDIT)),
    Sample("long", CardContent(LONG, "Tom Reid, Fife Council (Scotland)",
                               organisation="Fife Council", respondent_region="Scotland",
                               **_CREDIT)),
    Sample("welsh", CardContent(
        "Mae angen i'r cynllun wrando ar gymunedau yng Nghymru: ŵyr ac wyresau, ŷd a thân, "
        "a'r un llais i bawb.", "Rhiannon Jones, Powys Community Trust (Wales)",
        organisation="Powys Community Trust", respondent_region="Wales", **_CREDIT)),
    Sample("emoji", CardContent(
        "Love this 😍 but where are the buses? 🚌 Our young people need jobs here 💪🏽 "
        "👨‍👩‍👧‍👦 🏴󠁧󠁢󠁷󠁬󠁳󠁿 🏴󠁧󠁢󠁳󠁣󠁴󠁿 🏴󠁧󠁢󠁥󠁮󠁧󠁿 1️⃣", "Anonymous respondent, North East",
        respondent_region="North East", anonymous=True, **_CREDIT)),
    Sample("arabic", CardContent(
        "Our community centre said it best: «نحتاج إلى استثمار حقيقي في مجتمعاتنا» "
        "— we need real investment, not slogans.", "Amira Haddad, جمعية الجالية, Leeds (Yorkshire)",
        organisation="جمعية الجالية, Leeds", respondent_region="Yorkshire", **_CREDIT)),
]  # fmt: skip


def render_sample(sample: Sample, template: str, fmt: str, brand: Brand) -> Image.Image | str:
    """The card as RGB, or the refusal's reason when the quote is too long for the format."""
    try:
        canvas, _size = compose(sample.content, template, fmt, brand)
    except QuoteTooLong as exc:
        offered = ", ".join(exc.fits) or "none"
        return f"too long at a readable size; offered: {offered}"
    canvas.to_rgb()
    return canvas.image


def golden_of(image: Image.Image) -> Image.Image:
    return image.reduce(GOLDEN_REDUCE)


def _tile(card: Image.Image | str, fmt: str, brand: Brand) -> Image.Image:
    f = FORMATS[fmt]
    height = round(TILE_WIDTH * f.height / f.width)
    if isinstance(card, Image.Image):
        return card.resize((TILE_WIDTH, height), Image.Resampling.LANCZOS)
    tile = Image.new("RGB", (TILE_WIDTH, height), (236, 236, 236))
    draw = ImageDraw.Draw(tile)
    font = truetype(str(brand.fonts["regular"]), 16)
    words, lines, line = card.split(), [], ""
    for word in words:
        if font.getlength(f"{line} {word}") > TILE_WIDTH - 40 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    for i, text in enumerate(lines):
        draw.text((20, 20 + 22 * i), text, font=font, fill=(60, 60, 60))
    return tile


def contact_sheet(template: str, brand: Brand) -> Image.Image:
    """One template: a row per sample quote, a column per format, tiles at phone width."""
    gap, label_h = 16, 28
    font = truetype(str(brand.fonts["bold"]), 18)
    rows = []
    for sample in SAMPLES:
        tiles = [_tile(render_sample(sample, template, f, brand), f, brand) for f in FORMATS]
        rows.append((sample.name, tiles))
    width = gap + len(FORMATS) * (TILE_WIDTH + gap)
    height = gap + sum(label_h + max(t.height for t in tiles) + gap for _n, tiles in rows)
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    y = gap
    for name, tiles in rows:
        for i, (fmt, tile) in enumerate(zip(FORMATS, tiles, strict=True)):
            x = gap + i * (TILE_WIDTH + gap)
            draw.text((x, y), f"{name} · {FORMATS[fmt].title}", font=font, fill=(30, 30, 30))
            sheet.paste(tile, (x, y + label_h))
        y += label_h + max(t.height for t in tiles) + gap
    return sheet


def write(goldens: bool = False, brand: Brand | None = None) -> list[Path]:
    brand = brand or load_brand()
    DOCS.mkdir(parents=True, exist_ok=True)
    written = []
    refusals: dict[str, str] = {}
    for template in TEMPLATES:
        sheet = contact_sheet(template, brand)
        path = DOCS / f"contact-sheet-{template}.png"
        sheet.quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, optimize=True)  # fmt: skip
        written.append(path)
        if goldens:
            GOLDENS.mkdir(parents=True, exist_ok=True)
            for sample in SAMPLES:
                for fmt in FORMATS:
                    card = render_sample(sample, template, fmt, brand)
                    name = f"{template}-{fmt}-{sample.name}"
                    if isinstance(card, str):
                        refusals[name] = card
                    else:
                        golden_of(card).save(GOLDENS / f"{name}.png", optimize=True)
    if goldens:
        (GOLDENS / "refusals.json").write_text(
            json.dumps(refusals, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8")  # fmt: skip
    index = ["# Quote cards: contact sheet", "",
             "Every template × format × sample quote (short, long, Welsh, emoji, Arabic with "
             "English). Tiles are 390 px wide, the width of a phone screen, so this page shows "
             "the cards at phone size; open a sheet for the full-resolution cards' layout. "
             "Regenerate with `python -m curation.cards.contact_sheet` "
             "(add `--goldens` to refresh the visual regression goldens).", ""]  # fmt: skip
    for template in TEMPLATES:
        index += [f"## {TEMPLATES[template].title}", "", TEMPLATES[template].description, "",
                  f"![{TEMPLATES[template].title}](contact-sheet-{template}.png)", ""]  # fmt: skip
    (DOCS / "README.md").write_text("\n".join(index), encoding="utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goldens", action="store_true", help="also rewrite the goldens")
    args = parser.parse_args()
    for path in write(goldens=args.goldens):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
