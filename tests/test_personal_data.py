"""Personal-data checks on realistic UK quote text, and ordinary words that must pass."""

from __future__ import annotations

import pytest

from curation.quotes.personal_data import Finding, find_personal_data


def found(text: str, name: str | None = None) -> list[tuple[str, str]]:
    return [
        (f.kind, text[f.span[0] : f.span[1]])
        for f in find_personal_data(text, respondent_name=name)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email me at jo.bloggs@example.co.uk for details.", ("email", "jo.bloggs@example.co.uk")),
        ("Write to info@hull-foodbank.org.uk.", ("email", "info@hull-foodbank.org.uk")),
        ("Call 07700 900123 any time.", ("phone", "07700 900123")),
        ("Call 07700900123 any time.", ("phone", "07700900123")),
        ("Ring +44 7700 900123 please", ("phone", "+44 7700 900123")),
        ("Ring +44 (0)20 7946 0018 please", ("phone", "+44 (0)20 7946 0018")),
        ("The office is on 020 7946 0018.", ("phone", "020 7946 0018")),
        ("Our line: (01632) 960 001.", ("phone", "(01632) 960 001")),
        ("Phone 0113 496 0123 today", ("phone", "0113 496 0123")),
        ("Phone 01482-123456 today", ("phone", "01482-123456")),
        ("We are at SW1A 1AA now.", ("postcode", "SW1A 1AA")),
        ("Come to M1 1AE on Friday", ("postcode", "M1 1AE")),
        ("My home, CF10 3AT, floods.", ("postcode", "CF10 3AT")),
        ("Send it to hu1 2aa please", ("postcode", "hu1 2aa")),
        ("See https://example.org/my-story for more.", ("url", "https://example.org/my-story")),
        ("See www.mycampaign.co.uk.", ("url", "www.mycampaign.co.uk")),
        ("Follow @levelupleeds on there.", ("handle", "@levelupleeds")),
        ("I told Mr Smith about it.", ("name", "Mr Smith")),
        ("Our councillor, Cllr Jones, ignored us.", ("name", "Cllr Jones")),
        ("We asked Dr Aisha Khan to speak.", ("name", "Dr Aisha Khan")),
        ("I spoke to Sarah Thompson at the council.", ("name", "Sarah Thompson")),
        ("my neighbour Gareth cannot afford the bus.", ("name", "Gareth")),
    ],
)
def test_detects_uk_personal_data(text: str, expected: tuple[str, str]) -> None:
    """Emails, UK phone numbers, postcodes, URLs, handles and names are found with their span."""
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "In Hull we waited until May for any news.",
        "Reading and Bath have done better than most of the South West.",
        "Wales and Northern Ireland were barely mentioned in the White Paper.",
        "In London in March the Levelling Up Fund was announced again.",
        "Levelling Up must mean more than the Towns Fund and the Shared Prosperity Fund.",
        "By 2030 every area should see 12 missions delivered; 1,000 jobs went in 2022.",
        "Growth was 0.5% and 25 per cent of children live in poverty.",
        "The Greater Manchester Combined Authority and the North East Mayor lead here.",
        "Our Local Authority and the NHS Trust must work together.",
        "I think the Government has listened a little. We need buses!",
    ],
)
def test_ordinary_place_month_and_policy_words_pass(text: str) -> None:
    """Places, months and policy names are not flagged as names or contact details."""
    assert found(text) == []


def test_respondent_own_name_any_part() -> None:
    """Any part of the respondent's own name (3+ letters) is found, case-insensitive, whole word."""
    text = "As a Shah family we, the shahs, feel priya-led change matters; Shahid disagrees."
    kinds = found(text, "Priya Shah")
    assert ("own_name", "Shah") in kinds and ("own_name", "priya") in kinds
    assert all(word != "Shahid" for _, word in kinds)


def test_short_name_parts_are_ignored() -> None:
    """Name parts under three letters (e.g. "Jo", "Al") are not searched for."""
    assert found("Jo said we should all go.", "Jo Al") == []


def test_email_is_not_also_a_handle_or_url() -> None:
    """An email address is one finding, not an email plus a handle plus a URL."""
    assert found("Contact sam@example.com today.") == [("email", "sam@example.com")]


def test_findings_round_trip_as_dicts() -> None:
    """Findings store as plain dicts (kind, start, end, reason) and read back unchanged."""
    finding = find_personal_data("Call 07700 900123 now")[0]
    assert Finding.from_dict(finding.as_dict()) == finding
    assert finding.as_dict()["kind"] == "phone" and finding.reason
