"""Tone: VADER for English, "not available" for Welsh and anything unsure, never guessed."""

from __future__ import annotations

from curation.analysis import tone

WELSH = "Mae angen mwy o fysiau yn ein cymunedau ni, ac mae'r llywodraeth yn gwybod hynny."
BILINGUAL = WELSH + " We need more buses in our towns and the council knows it."


def test_english_answers_get_a_tone_from_vader() -> None:
    """A warm English answer reads positive, an angry one negative, a flat one neutral."""
    happy = tone.read_tone("The new bus routes are wonderful and we are grateful for the help.")
    angry = tone.read_tone("The cuts are a disgrace and the council has failed our awful town.")
    flat = tone.read_tone("The bus leaves from the station at the end of the road.")
    assert (happy.language, happy.tone) == ("en", tone.POSITIVE)
    assert happy.score is not None and happy.score >= tone.CUTOFF
    assert angry.tone == tone.NEGATIVE and angry.score is not None and angry.score < 0
    assert flat.tone == tone.NEUTRAL


def test_welsh_is_not_available() -> None:
    """Welsh has no maintained lexicon here: the tone is "not available", with no score."""
    reading = tone.read_tone(WELSH)
    assert reading == tone.ToneReading("cy", tone.NOT_AVAILABLE, None)


def test_welsh_letters_alone_mark_welsh() -> None:
    """A circumflexed w or y (ŵ, ŷ) is Welsh, whatever else the text holds."""
    assert tone.detect_language("The dŵr is fine and we are happy with the service.") == "cy"


def test_bilingual_answers_are_not_guessed() -> None:
    """Welsh and English together is not read as English: no tone is given."""
    assert tone.read_tone(BILINGUAL).tone == tone.NOT_AVAILABLE


def test_other_languages_and_short_answers_are_not_guessed() -> None:
    """French, German and three-word answers get no language and no tone."""
    for text in (
        "Nous avons besoin de plus de bus dans nos villes et nos villages.",
        "Wir brauchen mehr Busse in unseren Städten und Dörfern.",
        "Great plan, thanks",
    ):
        reading = tone.read_tone(text)
        assert reading.language is None and reading.tone == tone.NOT_AVAILABLE, text


def test_tone_is_deterministic() -> None:
    """The same answer always reads the same."""
    text = "Honestly the plan is good but the funding is terrible."
    assert tone.read_tones([text, text]) == [tone.read_tone(text)] * 2
