"""Visual regression: every template × format × sample quote matches its golden image."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from curation.cards.brand import load_brand
from curation.cards.contact_sheet import GOLDENS, SAMPLES, golden_of, render_sample
from curation.cards.templates import FORMATS, TEMPLATES

BRAND = load_brand()
REFUSALS: dict[str, str] = json.loads((GOLDENS / "refusals.json").read_text(encoding="utf-8"))
CASES = [(t, f, s.name) for t in TEMPLATES for f in FORMATS for s in SAMPLES]
MEAN_TOLERANCE = 1.5  # mean absolute difference per channel, 0..255
PIXEL_TOLERANCE = 0.004  # share of pixels allowed to differ by more than 48


@pytest.mark.parametrize(("template", "fmt", "sample"), CASES)
def test_card_matches_its_golden(template: str, fmt: str, sample: str) -> None:
    """The card (reduced 4×) differs from its golden by no more than anti-aliasing noise."""
    name = f"{template}-{fmt}-{sample}"
    card = render_sample(next(s for s in SAMPLES if s.name == sample), template, fmt, BRAND)
    if name in REFUSALS:
        assert card == REFUSALS[name]  # still refused, offering the same formats
        return
    assert isinstance(card, Image.Image), card
    got = np.asarray(golden_of(card), dtype=np.int16)
    want = np.asarray(Image.open(GOLDENS / f"{name}.png").convert("RGB"), dtype=np.int16)
    assert got.shape == want.shape
    diff = np.abs(got - want)
    assert diff.mean() <= MEAN_TOLERANCE, (name, float(diff.mean()))
    assert (diff.max(axis=2) > 48).mean() <= PIXEL_TOLERANCE, name


def test_goldens_cover_every_case() -> None:
    """Each case has a golden image or a recorded refusal, and nothing else is stored."""
    names = {f"{t}-{f}-{s}" for t, f, s in CASES}
    stored = {p.stem for p in GOLDENS.glob("*.png")}
    assert stored | set(REFUSALS) == names and not stored & set(REFUSALS)
