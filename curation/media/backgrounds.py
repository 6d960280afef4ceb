"""The still image under an audiogram: the brand's quote card (cards' renderer) above a panel
for the waveform and captions; a plain brand-coloured card if the renderer fails."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    background: RGB = (14, 59, 67)  # deep teal
    panel: RGB = (9, 38, 43)
    accent: RGB = (242, 177, 52)
    muted: RGB = (150, 175, 180)
    text: RGB = (255, 255, 255)


@dataclass(frozen=True)
class Backdrop:
    image: Image.Image
    palette: Palette
    panel_top: int  # the waveform and captions go below this line


def _hex(value: object, fallback: RGB) -> RGB:
    text = str(value or "").lstrip("#")
    try:
        return (
            (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
            if len(text) == 6
            else fallback
        )
    except ValueError:
        return fallback


def _mix(a: RGB, b: RGB, share: float) -> RGB:
    return (
        round(a[0] * (1 - share) + b[0] * share),
        round(a[1] * (1 - share) + b[1] * share),
        round(a[2] * (1 - share) + b[2] * share),
    )


def _palette(colours: dict[str, str]) -> Palette:
    base = Palette()
    primary = _hex(colours.get("primary"), base.background)
    text = _hex(colours.get("on_primary"), base.text)
    return Palette(
        background=primary,
        panel=_mix(primary, (0, 0, 0), 0.35),
        accent=_hex(colours.get("accent"), base.accent),
        muted=_mix(primary, text, 0.45),
        text=text,
    )


def _brand_card(content: Any, side: int) -> tuple[Image.Image, Palette] | None:
    """The brand's square quote card, resized to `side`, or None when it cannot be rendered."""
    try:
        from curation.cards.brand import load_brand
        from curation.cards.render import render_card

        brand = load_brand()
        card = render_card(content, None, "square", brand)
        image = Image.open(io.BytesIO(card.png)).convert("RGB")
        return image.resize((side, side), Image.Resampling.LANCZOS), _palette(brand.colours)
    except Exception as exc:  # a broken brand kit must not block the audiogram: plain card
        # Only the error's type: its message could quote the respondent's words.
        log.warning("card renderer failed (%s); using a plain audiogram card", type(exc).__name__)
        return None


def _plain_card(content: Any, side: int, palette: Palette, assets_dir: Path) -> Image.Image:
    image = Image.new("RGB", (side, side), palette.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, side, max(6, side // 50)), fill=palette.accent)
    font_path = assets_dir / "fonts" / "NotoSans-Bold.ttf"

    def font(px: int) -> Any:
        if font_path.is_file():
            return ImageFont.truetype(str(font_path), px)
        return ImageFont.load_default(px)

    def fitted(text: str, px: int) -> Any:
        while px > 12 and draw.textlength(text, font=font(px)) > side - side // 9:
            px -= 2
        return font(px)

    margin = side // 18
    label = f"Q{content.question_number} · {content.question_label}"
    draw.text((margin, side // 12), label, font=fitted(label, side // 26), fill=palette.muted)
    draw.text((margin, side // 6), "“", font=font(side // 4), fill=palette.accent)
    top = int(side * 0.55)
    who = str(content.attribution)
    draw.text((margin, top), who, font=fitted(who, side // 18), fill=palette.text)
    org = str(content.organisation or "")
    draw.text((margin, top + side // 12), org, font=fitted(org, side // 28), fill=palette.muted)
    return image


def audiogram_background(
    session: Session, content: Any, fmt: str, size: tuple[int, int]
) -> Backdrop:
    """The frame's still parts: the card on top, a panel below for waveform and captions."""
    from curation.config import load_settings

    width, height = size
    # Portrait: the card fills the width; square: a smaller card leaves room for captions.
    side = width if height >= width * 1.5 else int(height * 0.62)
    found = _brand_card(content, side)
    if found is None:
        palette = Palette()
        card = _plain_card(content, side, palette, load_settings().assets_dir)
    else:
        card, palette = found
    image = Image.new("RGB", size, palette.background)
    gap = 0 if side == width else int(height * 0.03)
    image.paste(card, ((width - side) // 2, gap))
    return Backdrop(image, palette, panel_top=gap + side + gap)
