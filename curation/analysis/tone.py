"""Tone: a sentiment reading where a maintained lexicon supports the language.

English answers are read with VADER (its lexicon ships inside the package; nothing is
downloaded). Welsh and every other language are "not available": there is no lexicon we
trust for them, and a tone is never guessed. Language detection is explicit and
conservative: an answer is English only when English function words make up a good share
of it and no Welsh marker appears; when unsure the answer is left without a language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from curation.analysis.tokens import WORD

NOT_AVAILABLE = "not available"
POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
TONES = (POSITIVE, NEUTRAL, NEGATIVE, NOT_AVAILABLE)
CUTOFF = 0.05  # VADER's own recommended compound-score thresholds
MIN_WORDS = 4
ENGLISH_SHARE = 0.2
WELSH_SHARE = 0.15

_ENGLISH = frozenset(
    "the and of to in is that it for we our are be this not with have they on as but more "  # noqa: SIM905
    "should would there their was were been has had from by at than what which who can will "
    "you your my me".split()
)
# Welsh function words that are not also English words.
_WELSH = frozenset(
    "yn y yr mae ddim bod gyda ein eu hefyd ond iawn wedi sy'n sydd hyn hynny fod oes rhaid "  # noqa: SIM905
    "dros ar gan mewn ni chi nhw ei fy dy ac neu oherwydd angen cymru cymunedau ydy roedd "
    "byddai gallu gwneud llywodraeth pobl lleol".split()
)
_WELSH_LETTERS = frozenset("ŵŷŴŶ")


@dataclass(frozen=True)
class ToneReading:
    language: str | None  # "en", "cy" or None when not sure
    tone: str  # positive | neutral | negative | not available
    score: float | None  # VADER compound score, English only


def detect_language(text: str) -> str | None:
    """ "en", "cy", or None when the text does not clearly read as either."""
    if any(ch in _WELSH_LETTERS for ch in text):
        return "cy"
    words = [w.replace("’", "'") for w in WORD.findall(text.lower())]
    if len(words) < MIN_WORDS:
        return None
    welsh = sum(w in _WELSH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if welsh / len(words) >= WELSH_SHARE and welsh > english:
        return "cy"
    if english / len(words) >= ENGLISH_SHARE and welsh <= 1:
        return "en"
    return None


@lru_cache(maxsize=1)
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def read_tone(text: str) -> ToneReading:
    """The tone of one answer, or "not available" when its language has no lexicon here."""
    language = detect_language(text)
    if language != "en":
        return ToneReading(language, NOT_AVAILABLE, None)
    score = float(_analyser().polarity_scores(text)["compound"])
    if score >= CUTOFF:
        tone = POSITIVE
    elif score <= -CUTOFF:
        tone = NEGATIVE
    else:
        tone = NEUTRAL
    return ToneReading(language, tone, round(score, 4))


def read_tones(texts: list[str]) -> list[ToneReading]:
    """Tone readings for a batch (runs in a worker process for big jobs)."""
    return [read_tone(t) for t in texts]
