"""Import 50,000 Google Forms respondents (ten questions each) and time one quotable page.

    python -m benchmarks.import_and_list [--respondents N] [--keep DIR]

Prints one figure per line (`name: value`), the import next to its floor measured in
the same run (`floor_seconds`). Targets on a 2-core machine: import <= 10 s and <= 3x
the floor, peak memory <= 1 GiB, the page query <= 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from curation import consultations
from curation.access.actors import LOCAL_ADMIN
from curation.ingest import import_file
from curation.ingest.columns import REGIONS
from curation.store import Database

# Mostly ordinary words, with the missions' keywords sprinkled in as real answers have them.
_TEXT = (
    "the and of to in that it is we for our not on with as be this are have they more but "
    "people area local need needs should would think feel government plans really about "
    "there what from need been very much money places where most those who which "
    "levelling up housing transport buses broadband schools skills health wellbeing pride "
    "community council devolution jobs wages research rail town centre crime police young "
    "rural coastal funding missions decision making white paper inequality pandemic "
    "opportunity investment north south regions towns cities trust"
)
WORDS = _TEXT.split()
CONSENT = ("Yes, and you can use my name", "Yes, but keep me anonymous", "No, keep it private", "")
SECTORS = ("Voluntary", "Public", "Private", "Academic", "Individual")


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(5, 14))
    return " ".join(words).capitalize() + "."


def write_export(path: Path, respondents: int, seed: int = 7) -> None:
    """A Google Forms CSV: Timestamp, email, name, organisation, region, ten questions, consent."""
    rng = random.Random(seed)
    c = consultations.read_consultation_file(consultations.BUNDLED / "levelling-up-2022.toml")
    header = ["Timestamp", "Email Address", "What is your name?", "Organisation", "Sector",
              "Which region do you live in?", *(q["text"] for q in c["questions"]),
              "Can we quote your response, and use your name?"]  # fmt: skip
    start = datetime(2022, 2, 17, 9, 0, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for i in range(respondents):
            at = start + timedelta(seconds=37 * i)
            answers = [
                " ".join(_sentence(rng) for _ in range(rng.randint(1, 3))) for _ in range(10)
            ]
            out.writerow([
                at.strftime("%Y/%m/%d %I:%M:%S %p GMT"), f"person{i}@example.org",
                f"Person {i}", f"Org {i % 500}", rng.choice(SECTORS), rng.choice(REGIONS),
                *answers, rng.choice(CONSENT),
            ])  # fmt: skip


def floor_seconds(export: Path, work: Path) -> float:
    """The floor: pandas `read_csv`, a reshape to one row per answer, a SHA-256 per answer
    and plain `executemany` inserts (respondents, answers, the search index in one
    statement) into a fresh migrated store, one commit. No validation, consent readings,
    tagging or re-import matching: what any import of this file costs at least."""
    import hashlib
    import sqlite3

    import pandas as pd

    db_file = work / "floor.sqlite3"
    db_file.unlink(missing_ok=True)
    db = Database(f"sqlite:///{db_file}")
    db.migrate()
    with db.session() as session:
        consultation = consultations.ensure_bundled(session, LOCAL_ADMIN)
        cid = consultation.id
        question_ids = [q.id for q in sorted(consultation.questions, key=lambda q: q.number)]
    db.dispose()
    started = time.perf_counter()
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    now = datetime.now(UTC).isoformat(sep=" ")
    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("DROP TRIGGER responses_fts_ai")
    conn.execute("BEGIN IMMEDIATE")
    people = frame.iloc[:, [1, 2, 3, 4, 5]].to_numpy().tolist()
    conn.executemany(
        "INSERT INTO respondents (id, consultation_id, source_key, source_ids, email, name, "
        "organisation, sector, region, consent_to_quote, anonymous, media_consent, is_demo, "
        "created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?, ?, ?, ?, 1, 0, 0, 0, ?, ?)",
        [(i + 1, cid, f"row-{i}", *p, now, now) for i, p in enumerate(people)],
    )
    answers = frame.iloc[:, 6 : 6 + len(question_ids)]
    answers.columns = question_ids
    long = answers.assign(respondent_id=range(1, len(frame) + 1)).melt(
        id_vars="respondent_id", var_name="question_id", value_name="text"
    )
    long = long[long["text"] != ""]
    rows = [
        (rid, qid, text, hashlib.sha256(text.encode()).hexdigest(), now)
        for rid, qid, text in long.itertuples(index=False)
    ]
    conn.executemany(
        "INSERT INTO responses (respondent_id, question_id, text, content_hash, kind, "
        "created_at) VALUES (?, ?, ?, ?, 'text', ?)",
        rows,
    )
    conn.execute("INSERT INTO responses_fts(rowid, text) SELECT id, text FROM responses")
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the files")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        export = work / "google_forms_50k.csv"
        write_export(export, args.respondents)
        db_file = work / "bench.sqlite3"
        db_file.unlink(missing_ok=True)
        db = Database(f"sqlite:///{db_file}")
        db.migrate()
        with db.session() as session:
            cid = consultations.ensure_bundled(session, LOCAL_ADMIN).id
        print(f"export_mib: {export.stat().st_size / 2**20:.1f}")
        print(f"rss_before_import_mib: {peak_rss_mib():.0f}")
        started, cpu = time.perf_counter(), cpu_seconds()
        with db.session() as session:
            report = import_file(session, LOCAL_ADMIN, cid, export)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
        print(f"respondents: {report.respondents_created}")
        print(f"responses: {report.responses_created}")
        print(f"import_seconds: {seconds:.1f}")
        # Wall time depends on what else the machine runs; CPU time of this process does not.
        print(f"import_cpu_seconds: {cpu:.1f}")
        print(f"peak_memory_mib: {peak_rss_mib():.0f}")
        floor = floor_seconds(export, work)
        print(f"import_floor_seconds: {floor:.1f} (pandas read_csv + reshape + bulk insert)")
        print(f"import_ratio_to_floor: {seconds / floor:.1f}")
        started = time.perf_counter()
        with db.session() as session:
            again = import_file(session, LOCAL_ADMIN, cid, export)
        print(f"reimport_seconds: {time.perf_counter() - started:.1f}")
        print(f"reimport_responses_unchanged: {again.responses_unchanged}")
        _time_page(db, cid)
        db.dispose()
    return 0


def _time_page(db: Database, consultation_id: int) -> None:
    from curation.responses.browse import ResponseFilter, list_responses

    flt = ResponseFilter(search="broadband")
    with db.session() as session:
        list_responses(session, LOCAL_ADMIN, consultation_id, flt)  # warm the caches once
        started = time.perf_counter()
        page = list_responses(session, LOCAL_ADMIN, consultation_id, flt)
        ms = (time.perf_counter() - started) * 1000
    print(f"page_matches: {page.total}")
    print(f"page_ms: {ms:.0f}")


if __name__ == "__main__":
    sys.exit(main())
