"""The consent rule and the normalisation of consent answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from curation.errors import ConsentError
from curation.rights.consent import (
    ANONYMOUS_ATTRIBUTION,
    attribution,
    exclusion_reason,
    is_quotable,
    parse_anonymous,
    parse_combined,
    parse_yes_no,
)
from curation.store.foundation import Respondent


def person(**kw: object) -> Respondent:
    base: dict[str, object] = dict(
        name="Ffion Jones",
        organisation="Cwmni Cyf",
        region="Wales",
        consent_to_quote=True,
        anonymous=False,
        withdrawn_at=None,
        erased_at=None,
    )
    base.update(kw)
    return Respondent(**base)


@pytest.mark.parametrize(
    "value", ["yes", "Y", "TRUE", "1", "I agree", "ydw", "Ie", " Yes. ", "i agree!"]
)
def test_yes_answers_mean_yes(value: str) -> None:
    """Every accepted spelling of yes, English and Welsh, normalises to True."""
    assert parse_yes_no(value) is True


@pytest.mark.parametrize(
    "value", ["no", "N", "false", "0", "na", "I do not agree", "", None, "   "]
)
def test_no_and_blank_answers_mean_no(value: object) -> None:
    """No, its spellings and blank all normalise to False."""
    assert parse_yes_no(value) is False


@pytest.mark.parametrize("value", ["maybe", "ask me first", "yes and no", "?"])
def test_unclear_answers_are_ambiguous(value: str) -> None:
    """Anything else is ambiguous (None), which callers treat as no."""
    assert parse_yes_no(value) is None


@pytest.mark.parametrize(
    ("value", "quote", "anonymous"),
    [
        ("Yes, and you can use my name", True, False),
        ("Yes, but keep me anonymous", True, True),
        ("Yes - but please don't use my name", True, True),
        ("No, keep it private", False, None),
        ("Yes", True, None),
        ("No", False, None),
        ("Ydw, ond yn ddienw", True, True),
    ],
)
def test_combined_answers_give_consent_and_anonymity(
    value: str, quote: bool, anonymous: bool | None
) -> None:
    """A combined consent question yields both the consent and the anonymity answer."""
    answer = parse_combined(value)
    assert (answer.quote, answer.anonymous, answer.ambiguous) == (quote, anonymous, False)


def test_unreadable_combined_answer_is_ambiguous_and_no() -> None:
    """An answer the parser cannot read is flagged ambiguous and counts as no consent."""
    answer = parse_combined("Only if you ask me first")
    assert answer.ambiguous and answer.quote is False


def test_anonymous_phrases() -> None:
    """Phrases asking for anonymity count as anonymous; plain yes/no as usual."""
    assert parse_anonymous("Please keep me anonymous") is True
    assert parse_anonymous("No") is False
    assert parse_anonymous("hmm") is None


def test_only_consented_named_unwithdrawn_respondents_are_quotable() -> None:
    """Consent, a name, no withdrawal: all three are needed."""
    assert is_quotable(person())
    assert not is_quotable(person(consent_to_quote=False))
    assert not is_quotable(person(anonymous=True))
    assert not is_quotable(person(withdrawn_at=datetime(2026, 1, 1, tzinfo=UTC)))
    assert not is_quotable(person(name="  "))
    assert not is_quotable(person(erased_at=datetime(2026, 1, 1, tzinfo=UTC)))


def test_withdrawal_beats_the_anonymous_switch() -> None:
    """Allowing anonymous quotes never lets a withdrawn respondent through."""
    withdrawn = person(anonymous=True, withdrawn_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert not is_quotable(withdrawn, allow_anonymous=True)
    assert is_quotable(person(anonymous=True), allow_anonymous=True)


def test_attribution_names_a_named_respondent() -> None:
    """Named respondents are credited with name, organisation and region."""
    assert attribution(person()) == "Ffion Jones, Cwmni Cyf (Wales)"
    assert attribution(person(organisation=None, region=None)) == "Ffion Jones"


def test_anonymous_attribution_shows_region_at_most() -> None:
    """Anonymous attribution never carries the name, email or organisation."""
    text = attribution(person(anonymous=True, email="f@example.org"), allow_anonymous=True)
    assert text == f"{ANONYMOUS_ATTRIBUTION}, Wales"
    assert "Ffion" not in text and "Cwmni" not in text


def test_attribution_refuses_the_unquotable() -> None:
    """Asking to attribute someone who is not quotable is an error, not a fallback."""
    with pytest.raises(ConsentError):
        attribution(person(consent_to_quote=False))


def test_exclusion_reasons() -> None:
    """Excluded respondents are counted under one reason each, withdrawal first."""
    assert exclusion_reason(person()) is None
    assert exclusion_reason(person(consent_to_quote=False)) == "not consented"
    assert exclusion_reason(person(anonymous=True)) == "anonymous"
    assert (
        exclusion_reason(
            person(consent_to_quote=False, withdrawn_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
        == "withdrawn"
    )
