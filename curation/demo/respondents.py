"""A deterministic, clearly fictional demo dataset for the bundled consultation.

Respondents are marked `is_demo`, so `remove_demo` (and `curation demo --reset`) touch
nothing else. Answers are composed from the phrase banks in data/demo/phrases.toml with a
seeded `random.Random`: the same seed always gives the same people and the same words.
"""

from __future__ import annotations

import hashlib
import random
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.responses import themes
from curation.responses.browse import UK_REGIONS
from curation.store.base import utcnow
from curation.store.foundation import Consultation, Respondent, Response, ResponseTheme

PHRASES = Path(__file__).resolve().parent.parent / "data" / "demo" / "phrases.toml"
DEMO_SEED = 20220217
DEMO_RESPONDENTS = 320
SECTORS = (
    "charity", "social enterprise", "local government", "central government", "business",
    "housing association", "education", "health", "community group", "individual",
)  # fmt: skip
# Consent states and their share of respondents; "named" is the quotable one.
CONSENT_STATES = {"named": 55, "anonymous": 15, "not consented": 12, "blank": 10, "withdrawn": 8}
_CONSENT_WORDS = {
    "named": ["Yes, and you can use my name", "Yes", "ydw", "I agree", "Yes please"],
    "withdrawn": ["Yes, and you can use my name", "Yes"],
    "anonymous": ["Yes, but keep me anonymous", "Yes - please don't use my name"],
    "not consented": ["No, keep it private", "No", "Na", "I do not agree"],
    "blank": ["", "not sure", "?"],
}


@dataclass(frozen=True)
class DemoReport:
    consultation_id: int
    respondents: int
    responses: int
    created: bool  # False when demo data was already there and nothing was written


@lru_cache(maxsize=1)
def _phrases() -> dict[str, Any]:
    with PHRASES.open("rb") as fh:
        return tomllib.load(fh)


def demo_count(session: Session, consultation_id: int) -> int:
    """How many demo respondents the consultation holds."""
    return (
        session.scalar(
            select(func.count(Respondent.id)).where(
                Respondent.consultation_id == consultation_id, Respondent.is_demo.is_(True)
            )
        )
        or 0
    )


def remove_demo(session: Session, actor: Actor, consultation: Consultation) -> int:
    """Delete the consultation's demo respondents and their responses; nothing else."""
    require(actor, Permission.IMPORT_RESPONSES)
    demo_ids = select(Respondent.id).where(
        Respondent.consultation_id == consultation.id, Respondent.is_demo.is_(True)
    )
    # Responses first and explicitly, so the search index triggers see every row go.
    session.execute(delete(Response).where(Response.respondent_id.in_(demo_ids)))
    removed = demo_count(session, consultation.id)
    session.execute(
        delete(Respondent).where(
            Respondent.consultation_id == consultation.id, Respondent.is_demo.is_(True)
        )
    )
    audit.record(
        session, actor, "demo.remove", "consultation", consultation.id, {"respondents": removed}
    )
    return removed


def seed_demo(
    session: Session,
    actor: Actor,
    consultation: Consultation,
    *,
    reset: bool = False,
    count: int = DEMO_RESPONDENTS,
    seed: int = DEMO_SEED,
    now: datetime | None = None,
    with_media: bool = True,
) -> DemoReport:
    """Add the demo respondents (once); with `reset`, replace any earlier demo data.

    `with_media=False` leaves the generated recordings out (`add_demo_media` adds them
    later: the first start does so in the background)."""
    require(actor, Permission.IMPORT_RESPONSES)
    if reset:
        remove_demo(session, actor, consultation)
    elif existing := demo_count(session, consultation.id):
        responses = (
            session.scalar(
                select(func.count(Response.id))
                .join(Respondent, Response.respondent_id == Respondent.id)
                .where(Respondent.consultation_id == consultation.id, Respondent.is_demo.is_(True))
            )
            or 0
        )
        return DemoReport(consultation.id, existing, responses, created=False)
    now = now or utcnow()
    rng = random.Random(seed)
    questions = {q.number: q for q in consultation.questions}
    opens = datetime.combine(consultation.opens_on or now.date(), time(9), UTC)
    span_s = max(1, int(((consultation.closes_on or now.date()) - opens.date()).days * 86_400))
    people = [_person(rng, i, consultation.id, opens, span_s, now) for i in range(count)]
    for person in people:
        person.responses = _answers(rng, person, questions, opens, span_s)
    session.add_all(people)
    session.flush()
    tags = [
        {"response_id": r.id, "theme_id": t.id, "source": "keyword"}
        for p in people
        for r in p.responses
        for t in themes.matching_themes(r.text, consultation.themes)
    ]
    if tags:
        session.execute(insert(ResponseTheme), tags)
    n_responses = sum(len(p.responses) for p in people)
    audit.record(
        session,
        actor,
        "demo.seed",
        "consultation",
        consultation.id,
        {"respondents": len(people), "responses": n_responses, "seed": seed, "reset": reset},
        now=now,
    )
    if with_media:
        # Generated recordings for a few demo audio/video answers, so audiograms work at once.
        from curation.demo.media import add_demo_media

        add_demo_media(session, actor, consultation.id, now=now)
    # A published history with metric snapshots, so the Engagement page means something.
    from curation.demo.metrics import seed_demo_metrics

    seed_demo_metrics(session, consultation.id, now=now)
    return DemoReport(consultation.id, len(people), n_responses, created=True)


def _pick_state(rng: random.Random, i: int) -> str:
    states = list(CONSENT_STATES)
    if i < len(states):  # every state is present whatever the count
        return states[i]
    return rng.choices(states, weights=list(CONSENT_STATES.values()))[0]


def _person(
    rng: random.Random, i: int, consultation_id: int, opens: datetime, span_s: int, now: datetime
) -> Respondent:
    bank = _phrases()
    region = UK_REGIONS[i] if i < len(UK_REGIONS) else rng.choice(UK_REGIONS)
    sector = SECTORS[i % len(SECTORS)] if i < 2 * len(SECTORS) else rng.choice(SECTORS)
    first = rng.choice(bank["people"]["first_names"])
    last = rng.choice(bank["people"]["surnames"])
    town = rng.choice(bank["places"][region])
    organisation = rng.choice(bank["people"]["organisations"][sector]).format(town=town) or None
    state = _pick_state(rng, i)
    raw = rng.choice(_CONSENT_WORDS[state])
    withdrawn = (
        opens + timedelta(seconds=span_s + rng.randrange(86_400 * 30))
        if state == "withdrawn"
        else None
    )
    local = f"{first}.{last}".lower().replace(" ", "-")
    return Respondent(
        consultation_id=consultation_id,
        source_key=f"demo-{i:04d}",
        source_ids={"demo": i},
        name=f"{first} {last}",
        email=f"{local}@example.org",
        organisation=organisation,
        sector=sector,
        region=region,
        consent_to_quote=state in ("named", "anonymous", "withdrawn"),
        consent_raw=(raw or None) if rng.random() < 0.5 else raw,
        anonymous=state == "anonymous",
        media_consent=state == "named" and rng.random() < 0.5,
        withdrawn_at=min(withdrawn, now) if withdrawn else None,
        is_demo=True,
    )


def _answers(
    rng: random.Random,
    person: Respondent,
    questions: dict[int, Any],
    opens: datetime,
    span_s: int,
) -> list[Response]:
    numbers = sorted(questions)
    how_many = rng.choices(
        range(1, len(numbers) + 1), weights=[6, 6, 8, 8, 8, 6, 5, 4, 4, 10][: len(numbers)]
    )[0]
    chosen = sorted(rng.sample(numbers, how_many))
    town = rng.choice(_phrases()["places"][person.region or "London"])
    submitted = opens + timedelta(seconds=rng.randrange(span_s))
    # About one respondent in twenty recorded a clip for one of their answers.
    clip_for = rng.choice(chosen) if rng.random() < 0.05 else None
    answers = []
    for number in chosen:
        kind = rng.choice(["audio", "video"]) if number == clip_for else "text"
        if kind != "text":
            text = _transcript(rng, number)
        elif person.region == "Wales" and rng.random() < 0.3:
            text = _welsh(rng, number)
        else:
            text = _written(rng, number)
        if rng.random() < 0.07:
            text = f"{text} {rng.choice(_phrases()['shared']['emoji'])}"
        text = text.replace("{place}", town).replace("{region}", person.region or "")
        answers.append(
            Response(
                question_id=questions[number].id,
                text=text,
                kind=kind,
                media_ref=None,
                submitted_at=submitted,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
            )
        )
    return answers


def _written(rng: random.Random, number: int) -> str:
    bank = _phrases()
    own = bank[f"q{number}"]
    shared = bank["shared"]
    style = rng.random()
    if style < 0.2:  # one sentence
        return rng.choice(own["points"] + own["openers"])
    if style < 0.7:  # one paragraph
        sentences = [rng.choice(own["openers"]), *rng.sample(own["points"], rng.randint(1, 3))]
        if rng.random() < 0.4:
            sentences.append(rng.choice(shared["closers"]))
        return " ".join(sentences)
    points = rng.sample(own["points"], min(len(own["points"]), rng.randint(3, 6)))
    paragraphs = [rng.choice(own["openers"])]
    while points:
        n = rng.randint(1, 2)
        take, points = points[:n], points[n:]
        if len(take) == 2:
            first = take[1][0].lower() + take[1][1:]
            take[1] = f"{rng.choice(shared['connectives'])} {first}"
        paragraphs.append(" ".join(take))
    paragraphs.append(rng.choice(shared["closers"]))
    return "\n\n".join(paragraphs)


def _welsh(rng: random.Random, number: int) -> str:
    welsh = _phrases()["welsh"]
    text = " ".join(rng.sample(welsh["sentences"], rng.randint(1, 3)))
    if rng.random() < 0.3:  # bilingual answers: Welsh first, then English
        text = f"{text}\n\n{_written(rng, number)}"
    return f"{text} {rng.choice(welsh['closers'])}"


def _transcript(rng: random.Random, number: int) -> str:
    shared = _phrases()["shared"]
    points = rng.sample(_phrases()[f"q{number}"]["points"], 2)
    body = " ... ".join(p[0].lower() + p[1:] for p in points)
    return f"{rng.choice(shared['spoken_openers'])} {body} {rng.choice(shared['spoken_closers'])}"
