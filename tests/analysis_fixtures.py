"""Answers with known themes and one campaign, stored for the analysis tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from curation.store.foundation import Consultation
from tests.quote_fixtures import add_response

TOPICS = {
    "buses": "bus buses fares routes timetable drivers depot services stops passengers",
    "housing": "housing rents homes landlords tenants repairs damp deposits flats estates",
    "schools": "schools teachers pupils classes nurseries tutoring lessons exams uniforms heads",
}
PLACES = ("Hull", "Leeds", "Wigan", "Barry", "Crewe", "Ely", "Bude", "Rhyl", "Selby", "Troon")
PATTERNS = (
    "In {place} the {a} and {b} have been neglected for {n} years, and {c} suffer.",
    "We need {a} people rely on, with {b} and {c} funded properly.",
    "Nobody in {place} was asked about {a}, {b} or {c}.",
    "Fixing {a}, {b} and {c} would change daily life here.",
    "Our {a} and {b} matter more than {c} promises.",
    "Since {n} the {a}, the {b} and the {c} got worse in {place}.",
    "Ask any family about {a} and {b}: the {c} tell the story.",
    "Put {a} first, then {b}, then {c}, and {place} will notice.",
)
CAMPAIGN = (
    "I support the Fair Deal for Towns campaign. Ministers promised that levelling up would "
    "reach towns like ours, yet the money went to bids written by consultants. We ask for long "
    "term settlements decided locally, for transport, housing and skills, with a yearly report "
    "of what was spent and what changed."
)
NAMES = ("Ann", "Ben", "Cat", "Dev", "Eli", "Fay", "Gus", "Hal", "Ida", "Jon", "Kit", "Lou")
SURNAMES = ("Jones", "Patel", "Evans", "Okafor", "Nowak", "Reid", "Singh", "Price", "Kaur")


@dataclass
class Stored:
    topic_of: dict[int, str] = field(default_factory=dict)  # response id -> topic
    campaign: list[int] = field(default_factory=list)
    not_quotable: list[int] = field(default_factory=list)


def store_answers(
    session: Session, consultation: Consultation, *, per_topic: int = 14, question: int = 4
) -> Stored:
    """`per_topic` answers on each of three topics, a campaign of 8 and some non-consented."""
    rng = random.Random(4)
    out = Stored()
    n = 0
    for topic, words in TOPICS.items():
        bank = words.split()
        for i in range(per_topic):
            sentences = [
                pattern.format(place=rng.choice(PLACES), n=rng.randint(3, 40),
                               a=rng.choice(bank), b=rng.choice(bank), c=rng.choice(bank))
                for pattern in rng.sample(PATTERNS, 2)
            ]  # fmt: skip
            text = " ".join(sentences)
            consent = i % 5 != 4
            r = add_response(session, consultation, text, question=question,
                             name=f"{NAMES[n % 12]} {SURNAMES[n // 12]}", consent=consent,
                             region=("Wales", "London", "North East")[n % 3])  # fmt: skip
            out.topic_of[r.id] = topic
            if not consent:
                out.not_quotable.append(r.id)
            n += 1
    for i in range(8):
        text = CAMPAIGN if i % 2 else "Hello. " + CAMPAIGN.replace("yearly", "annual")
        r = add_response(session, consultation, text, question=question,
                         name=f"{NAMES[i]} {SURNAMES[-1]}", region="London")  # fmt: skip
        out.campaign.append(r.id)
    return out
