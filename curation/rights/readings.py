"""Answer readings: what one answer to a consent or naming question allows.

A reading is *named*, *anonymous* or *not quotable*. It is certain only for the exact
choice texts that form tools offer (Yes/No, Ydw/Nac ydw, "I agree", "Yes, but
anonymously", ...). Any other wording gets a cautious proposal and waits for a person
to confirm it: a mention of names, credit, attribution, initials or anonymity reads at
most *anonymous*, anything unclear reads *not quotable*. Nothing here ever guesses
upwards.

Columns have a role with a polarity:
- `consent`: "May we quote you?" (yes = quotable; combined answers may also speak of names)
- `name_permission`: "May we use your name?" (yes = named, no = anonymous)
- `anonymity`: "Would you like to remain anonymous?" (yes = anonymous, no = named)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import regex


class Reading(StrEnum):
    NOT_QUOTABLE = "not_quotable"
    ANONYMOUS = "anonymous"
    NAMED = "named"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def label(self) -> str:
        return {"not_quotable": "not quotable", "anonymous": "anonymous", "named": "named"}[
            self.value
        ]


_RANK = {Reading.NOT_QUOTABLE: 0, Reading.ANONYMOUS: 1, Reading.NAMED: 2}


def weakest(readings: list[Reading]) -> Reading:
    """The most cautious of several readings (one person, several columns)."""
    return min(readings, key=lambda r: r.rank) if readings else Reading.NOT_QUOTABLE


class ReadingRole(StrEnum):
    CONSENT = "consent"  # yes = quotable
    CONSENT_ANONYMOUS = "consent_anonymous"  # yes = quotable without a name
    NAME_PERMISSION = "name_permission"  # yes = named, no = anonymous
    ANONYMITY = "anonymity"  # yes = anonymous, no = named
    NAMING_CHOICE = "naming_choice"  # the answer names the choice; yes/no says nothing


class Source(StrEnum):
    BUILT_IN = "built-in"  # an exact, known choice text
    CONFIRMED = "confirmed"  # a person chose the reading (saved for the consultation)
    CAUTIOUS = "cautious"  # a proposal for unknown wording; needs a reading


@dataclass(frozen=True)
class Proposal:
    """The reading of one answer, where it comes from and why."""

    reading: Reading
    source: Source
    why: str

    @property
    def needs_confirmation(self) -> bool:
        return self.source is Source.CAUTIOUS


BLANK = "(blank)"


def normalise_header(text: str) -> str:
    """A header as compared and stored: lower case, straight quotes, single spaces."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return regex.sub(r"\s+", " ", text).strip().lower()


def normalise_answer(value: object) -> str:
    """An answer as compared and stored: NFKC, lower case, straight quotes, single spaces,
    separators written ", ", no closing full stop. Blank answers are "" (shown as BLANK)."""
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = regex.sub(r"\s+", " ", text).strip()
    text = regex.sub(r"\s*[,;:]\s*|\s+[-–—/]\s+|\s*[–—]\s*", ", ", text)
    text = regex.sub(r"^[\s,.!]+|[\s,.!]+$", "", text)
    return text[:300]


def _set(*answers: str) -> frozenset[str]:
    return frozenset(normalise_answer(a) for a in answers)


# Exact choice texts. Google Forms, Microsoft Forms, SurveyMonkey and Typeform all write
# the option text the form's author typed (Typeform's Yes/No and Legal fields export
# 1/0 or Yes/No, "Accept"/"Don't accept"); bilingual Welsh forms pair both languages.
YES = _set(
    "yes", "y", "yes please", "yes, please", "true", "1", "checked", "agree", "i agree",
    "i consent", "yes, i agree", "yes, i consent", "yes i agree", "yes i consent", "accept",
    "i accept", "accepted", "ok", "okay", "ydw", "ie", "oes", "hoffwn", "cytuno",
    "rwy'n cytuno", "dw i'n cytuno", "yes / ydw", "ydw / yes", "yes / ie", "ie / yes",
    "yes / oes", "i agree / rwy'n cytuno", "strongly agree",
)  # fmt: skip
NO = _set(
    "no", "n", "no thanks", "no, thanks", "no thank you", "no, thank you", "false", "0",
    "unchecked", "disagree", "i disagree", "i do not agree", "i don't agree", "do not agree",
    "i do not consent", "i don't consent", "no, i do not agree", "no, i don't agree",
    "no, i do not consent", "no, i don't consent", "don't accept", "do not accept",
    "i don't accept", "i do not accept", "decline", "nac ydw", "na", "nage", "nac oes",
    "na hoffwn", "dim diolch", "anghytuno", "no / nac ydw", "nac ydw / no", "no / na",
    "na / no", "no / nac oes", "strongly disagree",
)  # fmt: skip
# Combined consent answers whose meaning is fixed: quote me, and how.
QUOTE_NAMED = _set(
    "yes, you can use my name", "yes, with my name", "yes, please use my name",
    "yes, and you can use my name", "yes, and use my name", "yes, quote me by name",
    "yes, by name", "yes, with my name and organisation", "yes, named",
    "yes, you may use my name", "yes, happy to be named", "yes, i'm happy to be named",
    "yes, with attribution", "yes, attributed", "ydw, gallwch ddefnyddio fy enw",
    "ydw, gyda fy enw", "ie, gyda fy enw",
)  # fmt: skip
QUOTE_ANONYMOUS = _set(
    "yes, anonymously", "yes, but anonymously", "yes, anonymously only",
    "yes, but keep me anonymous", "yes, but anonymous", "yes, anonymous",
    "yes, but don't use my name", "yes, but do not use my name", "yes, without my name",
    "yes, but not my name", "yes, but not by name", "yes, but don't name me",
    "yes, but do not name me", "yes, but without my name", "yes, without attribution",
    "yes, but please don't name me", "yes, but please do not use my name",
    "ydw, yn ddienw", "ydw, ond yn ddienw", "ie, yn ddienw", "ydw, heb fy enw",
    "ydw, ond peidiwch â defnyddio fy enw", "ydw, ond peidiwch a defnyddio fy enw",
    "anonymously", "anonymous",
)  # fmt: skip

# Answers that name the choice itself, under any naming question.
NAMED_CHOICE = _set(
    "named", "by name", "use my name", "please use my name", "you can use my name",
    "with my name", "name me", "credit me", "credit me by name", "i'm happy to be named",
    "happy to be named", "i am happy to be named", "with my full name", "full name",
    "my full name", "name and organisation", "my name and organisation", "gyda fy enw",
    "defnyddiwch fy enw",
)  # fmt: skip
ANONYMOUS_CHOICE = QUOTE_ANONYMOUS | _set(
    "anonymous", "anonymously", "remain anonymous", "stay anonymous", "keep me anonymous",
    "please keep me anonymous", "i'd like to remain anonymous", "i would like to remain anonymous",
    "i wish to remain anonymous", "i want to remain anonymous", "don't use my name",
    "do not use my name", "please don't use my name", "please do not use my name",
    "don't name me", "do not name me", "please don't name me", "please do not name me",
    "without my name", "not by name", "no name", "no names", "yn ddienw", "dienw",
    "peidiwch â defnyddio fy enw", "peidiwch a defnyddio fy enw", "heb fy enw",
)  # fmt: skip

# Any sign that the answer is about names, credit or identity: never reads *named*
# unless the whole answer is a built-in choice above.
NAME_TALK = regex.compile(
    r"anonym|\bnam(e|ed|es|ing)\b|\bcredit|attribut|\binitials?\b|\bfirst name|\bsurname|"
    r"withh[oe]ld|identif|pseudonym|\bunnamed|\bnameless|\borgani[sz]ation\b|\bmy (company|"
    r"employer|charity|org)\b|\bdienw|\benw\b|\bcyfenw|\bblaenlythrennau|\bprivate\b|"
    r"\bsecret\b|\bconfidential",
    regex.IGNORECASE,
)
_AFFIRMATIVE = regex.compile(
    r"^(yes|yeah|yep|yup|sure|certainly|absolutely|of course|happy|i am happy|i'm happy|"
    r"i agree|i consent|agreed|ok|okay|fine|please do|go ahead|ydw|ie|oes|iawn|cytuno|hoffwn)\b"
)
_NEGATIVE = regex.compile(
    r"^(no|nope|nah|na|nac|nage|never|not|don't|do not|please don't|please do not|i don't|"
    r"i do not|i would not|i wouldn't|i'd rather not|rather not|prefer not|decline|"
    r"dim|peidiwch)\b|\b(not|n't|never|no longer|refuse|withdraw|opt out|opt-out|"
    r"prefer not|rather not|peidiwch|ddim)\b"
)
_CONDITIONAL = regex.compile(
    r"\b(if|unless|only if|provided|as long as|check with me|ask me|contact me|let me see|"
    r"approve|depends|maybe|perhaps|not sure|unsure|don't know|dunno)\b"
)


def read_answer(role: ReadingRole, answer: object) -> Proposal:
    """The built-in or cautious reading of one answer in a column with `role`."""
    text = normalise_answer(answer)
    if role in (ReadingRole.CONSENT, ReadingRole.CONSENT_ANONYMOUS):
        return _consent(text, anonymous_yes=role is ReadingRole.CONSENT_ANONYMOUS)
    if text in ANONYMOUS_CHOICE:
        return Proposal(Reading.ANONYMOUS, Source.BUILT_IN, "asks not to be named")
    if text in NAMED_CHOICE:
        return Proposal(Reading.NAMED, Source.BUILT_IN, "asks to be named")
    if role is ReadingRole.NAMING_CHOICE:
        if text in YES or text in NO:
            return Proposal(Reading.NOT_QUOTABLE, Source.CAUTIOUS, "yes/no does not say which")
        if not text:
            return Proposal(Reading.ANONYMOUS, Source.CAUTIOUS, "blank answer: at most anonymous")
        return _cautious(text, naming=True)
    yes_means = Reading.NAMED if role is ReadingRole.NAME_PERMISSION else Reading.ANONYMOUS
    no_means = Reading.ANONYMOUS if role is ReadingRole.NAME_PERMISSION else Reading.NAMED
    question = "may we use your name" if role is ReadingRole.NAME_PERMISSION else "stay anonymous"
    if not text:
        return Proposal(Reading.ANONYMOUS, Source.CAUTIOUS, f"blank answer to '{question}'")
    if text in YES:
        return Proposal(yes_means, Source.BUILT_IN, f"'yes' to '{question}'")
    if text in NO:
        return Proposal(no_means, Source.BUILT_IN, f"'no' to '{question}'")
    return _cautious(text, naming=True)


def _consent(text: str, *, anonymous_yes: bool) -> Proposal:
    if not text:
        return Proposal(Reading.NOT_QUOTABLE, Source.BUILT_IN, "blank consent means no")
    if text in YES:
        if anonymous_yes:
            return Proposal(Reading.ANONYMOUS, Source.BUILT_IN, "consents to an anonymous quote")
        return Proposal(Reading.NAMED, Source.BUILT_IN, "consents to be quoted")
    if text in NO:
        return Proposal(Reading.NOT_QUOTABLE, Source.BUILT_IN, "does not consent")
    if text in QUOTE_NAMED:
        return Proposal(Reading.NAMED, Source.BUILT_IN, "consents to be quoted by name")
    if text in QUOTE_ANONYMOUS:
        return Proposal(Reading.ANONYMOUS, Source.BUILT_IN, "consents to be quoted anonymously")
    if _DECLINES.match(text) and not _NO_OBJECTION.search(text):
        return Proposal(Reading.NOT_QUOTABLE, Source.BUILT_IN, "declines to be quoted")
    return _cautious(text, naming=False)


# "No, ..." can only refuse; "no problem" and "don't mind" are the exceptions that agree.
_DECLINES = regex.compile(r"^(no|nope|nac ydw|nac oes|na|nage)(, | thanks| thank you|$)")
_NO_OBJECTION = regex.compile(
    r"\bno (problem|worries|objection|issue)|\b(don't|do not) mind\b|"
    r"\bnot a problem\b|\bwhy not\b"
)


def _cautious(text: str, *, naming: bool) -> Proposal:
    """Unknown wording: at most anonymous when it is about names, else not quotable."""
    lead_yes = bool(_AFFIRMATIVE.match(text))
    negative = bool(_NEGATIVE.search(text))
    conditional = bool(_CONDITIONAL.search(text))
    name_talk = bool(NAME_TALK.search(text))
    if conditional:
        return Proposal(
            Reading.NOT_QUOTABLE, Source.CAUTIOUS, "conditional or unsure: needs a reading"
        )
    if naming and (lead_yes or negative or name_talk):
        return Proposal(Reading.ANONYMOUS, Source.CAUTIOUS, "unknown wording: at most anonymous")
    if not naming and name_talk and (lead_yes or not _NEGATIVE.match(text)) and _quote_ok(text):
        return Proposal(Reading.ANONYMOUS, Source.CAUTIOUS, "speaks of names: at most anonymous")
    return Proposal(Reading.NOT_QUOTABLE, Source.CAUTIOUS, "unclear: needs a reading")


_QUOTE_REFUSED = regex.compile(
    r"\b(do not|don't|not|never|no) (be )?(quote|quoted|share|shared|publish|published|use it|"
    r"use this|use my (response|answer|words|comments?|views?))\b|\bkeep (it|this|them|my "
    r"(response|answers?|views?|comments?)) (private|confidential)\b|^(no|nope|nah|na|nac|nage)\b"
)


def _quote_ok(text: str) -> bool:
    """Whether a consent answer that speaks of names still agrees to a quote at all."""
    return not _QUOTE_REFUSED.search(text)


@dataclass
class ReadingBook:
    """Readings confirmed by people for one consultation, over the built-in ones."""

    confirmed: dict[tuple[str, str, str], tuple[Reading, str]]  # (header, role, answer)

    def read(self, header_key: str, role: ReadingRole, answer: str) -> Proposal:
        """The reading of a normalised `answer` in the column `header_key` with `role`."""
        found = self.confirmed.get((header_key, role.value, answer))
        if found is not None:
            return Proposal(found[0], Source.CONFIRMED, f"confirmed by {found[1]}")
        return read_answer(role, answer)


def column_key(role: str, header_key: str) -> str:
    """How a respondent's stored answers name a column: "role|normalised header"."""
    return f"{role}|{header_key}"


def reading_of_answers(book: ReadingBook, answers: dict[str, str]) -> Reading:
    """The reading of one respondent's stored answers (see `column_key`); none = not quotable."""
    readings: list[Reading] = []
    has_consent = False
    for key, answer in answers.items():
        role, _, header = key.partition("|")
        reading_role = ReadingRole(role)
        has_consent = has_consent or reading_role in (
            ReadingRole.CONSENT, ReadingRole.CONSENT_ANONYMOUS
        )  # fmt: skip
        readings.append(book.read(header, reading_role, answer).reading)
    return weakest(readings) if has_consent else Reading.NOT_QUOTABLE
