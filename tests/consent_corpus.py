"""Consent and naming wordings as people and form tools write them, with what each allows.

Each form is a list of consent/naming headers and rows of answers with the reading the
row must get: "named" (listed by name, no question asked), or the most it may get:
"anonymous" (never named) or "not_quotable" (never listed). The choice texts are those
Google Forms, Microsoft Forms, SurveyMonkey and Typeform export (the option text the
form's author typed; Typeform's Yes/No as 1/0 or Yes/No), and what people type into
"Other" boxes and free-text consent questions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Form:
    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], str], ...]  # (answers per header, expected reading)


N, A, X = "named", "anonymous", "not_quotable"

COMBINED = Form(
    "one combined question",
    ("Can we quote your response publicly, and if so may we use your name?",),
    (
        (("Yes",), N),
        (("yes",), N),
        (("Yes.",), N),
        (("YES",), N),
        (("Y",), N),
        (("Yes please",), N),
        (("Yes, and you can use my name",), N),
        (("Yes, you can use my name",), N),
        (("Yes, with my name",), N),
        (("No",), X),
        (("No thanks",), X),
        (("",), X),
        (("N",), X),
        (("Yes, but don't name me",), A),
        (("Yes, but not by name",), A),
        (("Yes, you can quote me but do not credit me",), A),
        (("Yes, but keep me anonymous",), A),
        (("Yes, anonymously",), A),
        (("Yes – anonymously please",), A),
        (("Yes, initials only",), A),
        (("Yes, first name only",), A),
        (("Yes, but just my first name",), A),
        (("Yes, credit my organisation rather than me",), A),
        (("Yes but no name please",), A),
        (("Yes, without attribution",), A),
        (("Yes, but please don't print my surname",), A),
        (("Happy to be quoted but not identified",), A),
        (("Yes, under a pseudonym",), A),
        (("Yes - use my initials (J.S.)",), A),
        (("Sure, just not my name",), A),
        (("Yes, but keep my name private",), A),
        (("Maybe",), X),
        (("Maybe later",), X),
        (("Only if you check with me first",), X),
        (("Not sure",), X),
        (("I'd rather not",), X),
        (("Please don't",), X),
        (("No, keep it private",), X),
        (("Do not quote me",), X),
        (("N/A",), X),
        (("-",), X),
        (("Option 1",), X),
    ),
)
SOCIAL_MEDIA_AND_ANONYMITY = Form(
    "consent mentioning social media, and a separate 'remain anonymous' question",
    (
        "May we quote your response publicly, for example on social media?",
        "Would you like to remain anonymous?",
    ),
    (
        (("Yes", "No"), N),
        (("Yes", "Yes"), A),
        (("No", "No"), X),
        (("Yes", ""), A),
        (("Yes", "Please don't name me"), A),
        (("Yes", "Do not credit me"), A),
        (("Yes", "Yes please"), A),
        (("Yes", "I'd prefer that"), A),
        (("Yes", "Only my first name"), A),
        (("Yes", "Initials please"), A),
        (("Yes", "No, happy to be named"), A),
        (("", "No"), X),
        (("I agree", "No"), N),
        (("Yes", "Keep me anonymous"), A),
    ),
)
NAME_PERMISSION = Form(
    "a separate 'use your name?' question",
    (
        "Are you happy for us to quote your response?",
        "May we use your name alongside your quote?",
    ),
    (
        (("Yes", "Yes"), N),
        (("Yes", "No"), A),
        (("No", "Yes"), X),
        (("Yes", ""), A),
        (("Yes", "First name only"), A),
        (("Yes", "Initials only"), A),
        (("Yes", "My organisation, not me"), A),
        (("Yes", "Yes, but just my first name"), A),
        (("Yes", "Prefer not"), A),
        (("Yes", "Yes please"), N),
    ),
)
WITHHOLD = Form(
    "'withhold your name?' (yes = anonymous)",
    ("Do you consent to being quoted?", "Should we withhold your name if we quote you?"),
    (
        (("Yes", "No"), N),
        (("Yes", "Yes"), A),
        (("I consent", "No"), N),
        (("Yes", "Yes please"), A),
        (("No", "No"), X),
        (("Yes", "Please"), A),
    ),
)
WELSH = Form(
    "bilingual Welsh form",
    (
        "Caniatâd i ddyfynnu / Consent to quote",
        "Hoffech chi aros yn ddienw? / Would you like to remain anonymous?",
    ),
    (
        (("Ydw", "Na"), N),
        (("Ie", "Nac ydw"), N),
        (("Yes / Ydw", "No / Nac ydw"), N),
        (("Ydw", "Hoffwn"), A),
        (("Nac ydw", "Na"), X),
        (("Ydw, ond peidiwch â defnyddio fy enw", "Na"), A),
        (("Ydw, yn ddienw", "Nac ydw"), A),
        (("Ydw", "Ydw"), A),
        (("Na", "Na"), X),
    ),
)
WELSH_COMBINED = Form(
    "Welsh combined consent",
    ("Ydych chi'n fodlon i ni eich dyfynnu? / May we quote you?",),
    (
        (("Ydw",), N),
        (("Nac ydw",), X),
        (("Ydw, ond peidiwch â defnyddio fy enw",), A),
        (("Ydw, heb fy enw",), A),
        (("Ydw, ond dim ond fy enw cyntaf",), A),
    ),
)
TYPEFORM_AND_CHOICE = Form(
    "Typeform Yes/No as 1/0 and a named-or-anonymous choice",
    ("Can we share your words on our website?", "Would you like to be named or anonymous?"),
    (
        (("1", "Named"), N),
        (("1", "Anonymous"), A),
        (("0", "Named"), X),
        (("1", "Use my name"), N),
        (("1", "Yes"), X),
        (("1", ""), A),
        (("true", "Named"), N),
        (("1", "Named, but not my organisation"), A),
    ),
)
ANONYMOUS_CONSENT = Form(
    "'May we quote you anonymously?' (yes never names)",
    ("May we quote you anonymously?",),
    ((("Yes",), A), (("No",), X), (("Yes, with my name",), N), (("Agree",), A)),
)

FORMS = (
    COMBINED, SOCIAL_MEDIA_AND_ANONYMITY, NAME_PERMISSION, WITHHOLD, WELSH, WELSH_COMBINED,
    TYPEFORM_AND_CHOICE, ANONYMOUS_CONSENT,
)  # fmt: skip

# Phrases that ask not to be named, for the property test.
WITHHOLDING = (
    "don't name me", "do not name me", "not by name", "without my name", "anonymously",
    "keep me anonymous", "initials only", "first name only", "just my first name",
    "don't use my name", "do not credit me", "no name", "not my name", "withhold my name",
    "my organisation, not me", "credit my organisation", "unnamed", "pseudonym",
    "peidiwch â defnyddio fy enw", "yn ddienw", "heb fy enw", "not identified",
    "keep my name private", "no attribution", "without attribution",
)  # fmt: skip

# Headers whose role or polarity is not certain: the import must ask.
UNCERTAIN_HEADERS = (
    "Do you NOT want to be quoted?",
    "Would you prefer not to remain anonymous?",
    "Can we use your video and quote your written answer?",
    "Are you happy for your response to be quoted, or would you prefer not to be named?",
    "Attribution preferences",
    "How should we refer to you?",
)


def wording_count() -> int:
    return sum(len(form.rows) for form in FORMS)
