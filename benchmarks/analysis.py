"""Themes, campaign groups and tone over a generated 500,000-answer consultation.

    python -m benchmarks.analysis [--answers N] [--keep DIR]

Prints one figure per line (`name: value`). Target on a 2-core machine: themes and
campaign groups (load, words, groups, themes, passages, save) <= 60 s for 500,000 answers
(`analysis_seconds`). Tone (VADER, English only) is read once per answer text and kept,
so it is timed on its own: `tone_seconds` on the first run, ~0 on a recompute.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from curation import consultations
from curation.access.actors import LOCAL_ADMIN
from curation.analysis import job
from curation.store import Database
from curation.store.foundation import Question, Respondent, Response

TOPICS = (
    "bus buses fares routes timetable drivers depot services stops rail trains stations",
    "housing rents homes landlords tenants repairs damp deposits flats estates mortgages",
    "schools teachers pupils classes nurseries tutoring lessons exams colleges skills",
    "health doctors nurses clinics waiting lists dentists pharmacies care hospitals",
    "jobs wages employers apprenticeships shifts contracts factories retail hospitality",
    "broadband signal internet coverage phone masts rural connection speeds",
    "police crime safety streets lighting antisocial behaviour youth clubs",
    "council devolution mayor powers funding bids decisions local leaders",
    "high street shops pride place parks heritage markets empty buildings",
    "climate flooding energy bills insulation heat pumps green jobs",
)
FILLER = (  # noqa: SIM905
    "the and of to in that it is we for our not on with as be this are have they more but "
    "people area local need should would think feel really about there what from very much "
    "places where most those who which years since every week town village families"
).split()
TEMPLATE_COUNT = 40
CAMPAIGN_SHARE = 0.08


def _answer(rng: random.Random) -> str:
    topic = rng.choice(TOPICS).split()
    other = rng.choice(TOPICS).split()
    sentences = []
    for _ in range(rng.randint(2, 5)):
        words = [
            rng.choice(topic) if r < 0.3 else rng.choice(other) if r < 0.38 else rng.choice(FILLER)
            for r in (rng.random() for _ in range(rng.randint(6, 16)))
        ]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def _edited(rng: random.Random, template: str) -> str:
    if rng.random() < 0.4:
        return template
    words = template.split()
    for _ in range(rng.randint(1, 2)):
        words[rng.randrange(len(words))] = rng.choice(FILLER)
    return ("Dear minister, " if rng.random() < 0.5 else "") + " ".join(words)


def populate(db: Database, answers: int, seed: int = 19) -> int:
    """A consultation with `answers` answers over ten questions (10 per respondent)."""
    rng = random.Random(seed)
    templates = [_answer(rng) + " " + _answer(rng) for _ in range(TEMPLATE_COUNT)]
    with db.session() as session:
        consultation = consultations.ensure_bundled(session, LOCAL_ADMIN)
        cid = consultation.id
        questions = list(session.scalars(select(Question.id).where(
            Question.consultation_id == cid).order_by(Question.number)))  # fmt: skip
    people = answers // len(questions)
    batch = 5_000
    for first in range(0, people, batch):
        with db.session() as session:
            rows = [{"consultation_id": cid, "source_key": f"bench-{i}", "name": f"Person {i}",
                     "region": "Wales" if i % 7 == 0 else "London", "sector": "Individual",
                     "consent_to_quote": i % 4 != 0, "consent_raw": "Yes"}
                    for i in range(first, min(people, first + batch))]  # fmt: skip
            ids = session.scalars(insert(Respondent).returning(Respondent.id), rows).all()
            responses = []
            for person in ids:
                for question in questions:
                    text = (_edited(rng, rng.choice(templates)) if rng.random() < CAMPAIGN_SHARE
                            else _answer(rng))  # fmt: skip
                    responses.append(
                        {
                            "respondent_id": person,
                            "question_id": question,
                            "text": text,
                            "content_hash": hashlib.sha256(text.encode()).hexdigest(),
                        }
                    )
            session.execute(insert(Response), responses)
    return cid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=500_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the store")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db_file = work / "analysis.sqlite3"
        db_file.unlink(missing_ok=True)
        db = Database(f"sqlite:///{db_file}")
        db.migrate()
        started = time.perf_counter()
        cid = populate(db, args.answers)
        print(f"generate_seconds: {time.perf_counter() - started:.1f}")
        print(f"load_average_before: {os.getloadavg()[0]:.2f} (1-minute, {os.cpu_count()} cores)")
        for name in ("first", "recompute"):
            stamps: list[tuple[str, float]] = []
            started, cpu = time.perf_counter(), _cpu()
            figures = _run(db, cid, args.workers, stamps)
            total, cpu = time.perf_counter() - started, _cpu() - cpu
            tone = _between(stamps, "Reading tone", "Saving")
            if name == "first":
                print(f"answers: {figures['answers']}")
                print(f"near_duplicate_groups: {figures['groups']}")
                print(f"answers_in_groups: {figures['in_groups']}")
                print(f"words_seconds: {_between(stamps, 'Reading words', 'Finding'):.1f}")
                print(f"groups_seconds: {_between(stamps, 'Finding', 'Themes for'):.1f}")
                print(f"themes_seconds: {_between(stamps, 'Themes for', 'Reading tone'):.1f}")
                print(f"save_seconds: {_between(stamps, 'Saving', 'Done'):.1f}")
                print(f"tone_seconds: {tone:.1f}")
                print(f"analysis_seconds: {total - tone:.1f}")
                print(f"first_run_seconds: {total:.1f}")
                print(f"first_run_cpu_seconds: {cpu:.1f} (this process and its workers)")
            else:
                print(f"recompute_seconds: {total:.1f} (tone kept: the answers did not change)")
                print(f"recompute_cpu_seconds: {cpu:.1f} (this process and its workers)")
        print(f"load_average_after: {os.getloadavg()[0]:.2f}")
        print(f"peak_memory_mib: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
        db.dispose()
    return 0


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: what a busy machine can't inflate."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _run(db: Database, cid: int, workers: int, stamps: list[tuple[str, float]]) -> dict:
    with db.session() as session:
        run_id = job.start_run(session, LOCAL_ADMIN, cid)
    return job.run_analysis(
        db,
        LOCAL_ADMIN,
        run_id,
        workers=workers,
        on_progress=lambda s, _f: stamps.append((s, time.perf_counter())),
    )


def _between(stamps: list[tuple[str, float]], start: str, end: str) -> float:
    """Seconds from the first stage starting with `start` to the first starting with `end`."""
    a = next(t for s, t in stamps if s.startswith(start))
    b = next(t for s, t in stamps if s.startswith(end) and t >= a)
    return b - a


if __name__ == "__main__":
    sys.exit(main())
