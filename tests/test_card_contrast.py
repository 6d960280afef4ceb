"""WCAG contrast: luminance, ratios, and brand kits or templates that fail are refused."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w

from curation.cards import contrast
from curation.cards.brand import load_brand, parse_brand
from curation.cards.templates import TEMPLATES, check_template_contrast
from curation.config import load_settings
from curation.errors import UnusableInput


def test_relative_luminance_of_known_colours() -> None:
    """Black is 0, white is 1, and mid grey follows the sRGB curve."""
    assert contrast.relative_luminance("#000000") == 0
    assert contrast.relative_luminance("#FFFFFF") == pytest.approx(1.0)
    assert contrast.relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)


def test_contrast_ratio_matches_wcag_examples() -> None:
    """Black on white is 21:1, order does not matter, #767676 on white just passes 4.5:1."""
    assert contrast.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast.contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert contrast.contrast_ratio("#777777", "#FFFFFF") < 4.5


def test_large_text_needs_only_three_to_one() -> None:
    """A 3.5:1 pair is refused for normal text and accepted for large text."""
    fg, bg = "#8A8A8A", "#FFFFFF"
    ratio = contrast.contrast_ratio(fg, bg)
    assert 3.0 < ratio < 4.5
    assert contrast.check_pair(fg, bg, large=True, what="x") == pytest.approx(ratio)
    expected = r"contrast 3\.\d\d:1 .* below the WCAG minimum of 4\.5:1"
    with pytest.raises(UnusableInput, match=expected):
        contrast.check_pair(fg, bg, large=False, what="attribution")


def test_shipped_brand_passes_every_template() -> None:
    """The shipped kit meets WCAG in all templates (every text/background pair)."""
    brand = load_brand()
    for name in TEMPLATES:
        check_template_contrast(name, brand)


def _kit(**colours: str) -> dict:
    path = load_settings().assets_dir / "brand.toml"
    data = tomllib.loads(path.read_text())
    data["colours"].update(colours)
    return data


def test_low_contrast_brand_is_refused_with_the_measured_ratio() -> None:
    """An accent too close to the primary colour is refused, naming template and ratio."""
    base = load_settings().assets_dir
    with pytest.raises(UnusableInput) as err:
        parse_brand(_kit(accent="#1A4A52"), base)
    message = str(err.value)
    assert "template 'bold'" in message and ":1" in message
    ratio = contrast.contrast_ratio("#1A4A52", "#0E3B43")
    assert f"{ratio:.2f}:1" in message


@pytest.mark.parametrize("bad", ["red", "#12345", "#GGGGGG", "123456", ""])
def test_colours_must_be_hex(bad: str) -> None:
    """Colours that are not #RRGGBB are refused before anything is drawn."""
    with pytest.raises(UnusableInput, match="#RRGGBB"):
        parse_brand(_kit(ink=bad), load_settings().assets_dir)


def test_missing_font_file_is_refused(tmp_path: Path) -> None:
    """A kit naming a font that is not there is refused with the path."""
    assets = load_settings().assets_dir
    shutil.copy(assets / "logo.png", tmp_path / "logo.png")
    data = _kit()
    data["fonts"] = {k: str(assets / v) for k, v in data["fonts"].items()}
    data["fonts"]["bold"] = "fonts/missing.ttf"
    (tmp_path / "brand.toml").write_text(tomli_w.dumps(data))
    with pytest.raises(UnusableInput, match="font 'bold' not found"):
        load_brand(tmp_path / "brand.toml")
