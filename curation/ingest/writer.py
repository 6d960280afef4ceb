"""Writing parsed rows to the store in chunks, with bulk statements and no ORM object per row.

Parsing, hashing and tagging run in a background thread while the main thread writes
the previous chunk (SQLite releases the GIL while it works), so both cores are used.
Only the main thread touches the database.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from curation.ingest.bulk import bulk_insert
from curation.ingest.keys import pseudonym, source_key
from curation.ingest.report import ImportReport, Plan
from curation.ingest.rows import ParsedRow, RowReader
from curation.ingest.tagging import KeywordTagger
from curation.rights.readings import ReadingBook
from curation.store.foundation import (
    Consultation,
    ErasureRecord,
    Respondent,
    Response,
    ResponseTheme,
)

Progress = Callable[[int, int], None]
RESPONDENTS = cast(Table, Respondent.__table__)
RESPONSES = cast(Table, Response.__table__)
RESPONSE_THEMES = cast(Table, ResponseTheme.__table__)
CHUNK_ROWS = 2000
FTS_INSERT_TRIGGER = "responses_fts_ai"  # migration 0002: keeps responses_fts in step
PERSON_FIELDS = (
    "name", "email", "organisation", "sector", "region", "consent_to_quote", "consent_raw",
    "anonymous", "media_consent", "consent_answers", "consent_reading",
)  # fmt: skip
_RANK = {"not_quotable": 0, "anonymous": 1, "named": 2}


def stored_reading(fields: dict[str, Any]) -> str:
    """A stored respondent's reading (rows from before readings existed: from their flags)."""
    if fields.get("consent_reading"):
        return str(fields["consent_reading"])
    if not fields.get("consent_to_quote"):
        return "not_quotable"
    return "anonymous" if fields.get("anonymous") else "named"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


T = TypeVar("T")


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def in_background(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Run the iterator `items` in a thread, `depth` items ahead; its errors re-raise here."""
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    done, stop = object(), threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(done)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_Failed(exc))

    thread = threading.Thread(target=work, name="import-parser", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast(T, item)
    finally:
        stop.set()
        thread.join()


@dataclass
class Prepared:
    """One accepted row, its answers hashed and (where new or changed) tagged."""

    key: str
    parsed: ParsedRow
    # (question id, text, content hash, theme ids; None when the stored answer is the same)
    answers: list[tuple[int, str, str, list[int] | None]]


class Writer:
    """Turns parsed rows into bulk writes, a chunk at a time."""

    def __init__(
        self, session: Session, consultation: Consultation, plan: Plan, report: ImportReport,
        batch_id: int, now: datetime, book: ReadingBook,
    ) -> None:  # fmt: skip
        self.s, self.c, self.plan, self.report = session, consultation, plan, report
        self.batch_id, self.now = batch_id, now
        self.reader = RowReader(plan.columns, plan.dialect, book)
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.question_ids = {q.number: q.id for q in consultation.questions}
        self.tagger = KeywordTagger(consultation.themes)
        # Respondents whose reading went down (named -> anonymous -> not quotable).
        self.lost_consent: list[int] = []
        self._preload()

    def _preload(self) -> None:
        """Existing respondents, their answers' hashes and the erased, in three queries."""
        r = Respondent
        self.existing: dict[str, dict[str, Any]] = {}
        rows = self.s.execute(
            select(r.id, r.source_key, r.withdrawn_at, r.erased_at,
                   *[getattr(r, f) for f in PERSON_FIELDS]).where(r.consultation_id == self.c.id)
        )  # fmt: skip
        for row in rows:
            self.existing[row.source_key] = row._asdict()
        self.answers: dict[tuple[int, int], tuple[int, str]] = {
            (rid, qid): (resp_id, digest)
            for resp_id, rid, qid, digest in self.s.execute(
                select(Response.id, Response.respondent_id, Response.question_id,
                       Response.content_hash)
                .join(Respondent, Respondent.id == Response.respondent_id)
                .where(Respondent.consultation_id == self.c.id, Response.kind == "text")
            )
        }  # fmt: skip
        self.erased = set(
            self.s.scalars(
                select(ErasureRecord.pseudonym).where(ErasureRecord.consultation_id == self.c.id)
            )
        )

    def run(self, progress: Progress | None) -> None:
        total = self.plan.total_rows
        with self._search_index_in_bulk():
            for done, chunk in in_background(self._prepared_chunks()):
                self._write(chunk)
                if progress is not None:
                    progress(done, total)

    @contextmanager
    def _search_index_in_bulk(self) -> Iterator[None]:
        """SQLite: index the new answers' words in one statement at the end, not row by row.

        The insert trigger of the full-text table is dropped for the import and made again
        from its own stored SQL; both happen inside the import's transaction (which holds
        the write lock), so no other writer ever sees the store without it, and a rollback
        (dry run, error) brings it back by itself. Updated answers keep their trigger."""
        found = None
        if self.sqlite:
            found = self.s.execute(
                sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
                {"n": FTS_INSERT_TRIGGER},
            ).scalar()
        if not found:
            yield
            return
        before = self.s.execute(sql("SELECT coalesce(max(id), 0) FROM responses")).scalar()
        self.s.execute(sql(f"DROP TRIGGER {FTS_INSERT_TRIGGER}"))
        try:
            yield
            self.s.execute(
                sql("INSERT INTO responses_fts(rowid, text) "
                     "SELECT id, text FROM responses WHERE id > :before"),
                {"before": before},
            )  # fmt: skip
        finally:
            self.s.connection().exec_driver_sql(str(found))

    def _prepared_chunks(self) -> Iterator[tuple[int, list[Prepared]]]:
        """(rows read so far, accepted rows) every CHUNK_ROWS rows; runs in the parser thread."""
        table = self.plan.table
        seen: dict[str, int] = {}
        chunk: list[Prepared] = []
        done = 0
        for index in range(self.plan.data_start, len(table.records)):
            done += 1
            item = self._accept(table.records[index], table.row_number(index), seen)
            if item is not None:
                chunk.append(self._prepare(*item))
            if done % CHUNK_ROWS == 0:
                yield done, chunk
                chunk = []
        if chunk or done % CHUNK_ROWS:
            yield done, chunk

    def _prepare(self, key: str, parsed: ParsedRow) -> Prepared:
        existing = self.existing.get(key)
        rid = existing["id"] if existing else None
        answers: list[tuple[int, str, str, list[int] | None]] = []
        for number, text in parsed.answers:
            qid = self.question_ids[number]
            digest = content_hash(text)
            old = self.answers.get((rid, qid)) if rid is not None else None
            same = old is not None and old[1] == digest
            answers.append((qid, text, digest, None if same else self.tagger.theme_ids(text)))
        return Prepared(key, parsed, answers)

    def _accept(
        self, record: list[str], row: int, seen: dict[str, int]
    ) -> tuple[str, ParsedRow] | None:
        report = self.report
        if not any(cell.strip() for cell in record):
            report.skipped.append({"row": row, "reason": "blank row"})
            return None
        parsed = self.reader.read(record, row)
        if not parsed.answers:
            report.skipped.append({"row": row, "reason": "no answer to any question"})
            return None
        key = source_key(
            self.plan.dialect.name, source_id=parsed.source_id, submitted=parsed.submitted_raw,
            email=str(parsed.fields["email"] or ""), row=row,
        )  # fmt: skip
        if key in seen:
            if parsed.source_id:
                report.skipped.append(
                    {"row": row, "reason": f"same respondent id as row {seen[key]}; kept the first"}
                )
                return None
            # Same second and email (or none): the n-th such row keeps its place on re-import.
            n = 2
            while f"{key}#{n}" in seen:
                n += 1
            key = f"{key}#{n}"
        seen[key] = row
        for problem in parsed.problems:
            report.errors.append({"row": row, "reason": problem})
        existing = self.existing.get(key)
        if pseudonym(self.c.id, key) in self.erased or (existing and existing["erased_at"]):
            report.skipped.append({"row": row, "reason": "respondent was erased; not re-imported"})
            return None
        if existing and existing["withdrawn_at"] is not None:
            report.skipped.append(
                {"row": row, "reason": "respondent has withdrawn; left unchanged"}
            )
            return None
        return key, parsed

    def _write(self, chunk: list[Prepared]) -> None:
        if not chunk:
            return
        ids = self._write_respondents(chunk)
        new: list[tuple[Any, ...]] = []
        tags: dict[tuple[int, int], list[int]] = {}
        changed: list[tuple[int, str, str, datetime | None, list[int]]] = []
        for item in chunk:
            rid, submitted = ids[item.key], item.parsed.submitted_at
            for qid, text, digest, theme_ids in item.answers:
                old = self.answers.get((rid, qid))
                if old is not None and old[1] == digest:
                    self.report.responses_unchanged += 1
                    continue
                if theme_ids is None:  # unchanged when prepared, changed since: tag now
                    theme_ids = self.tagger.theme_ids(text)
                if old is None:
                    new.append((rid, qid, text, digest, submitted))
                    tags[(rid, qid)] = theme_ids
                    self.answers[(rid, qid)] = (0, digest)  # a repeat in this file is unchanged
                else:
                    changed.append((old[0], text, digest, submitted, theme_ids))
                    self.answers[(rid, qid)] = (old[0], digest)
        self._insert_responses(new, tags)
        self._update_responses(changed)

    def _write_respondents(self, chunk: list[Prepared]) -> dict[str, int]:
        ids: dict[str, int] = {}
        new: list[tuple[Any, ...]] = []
        changed: list[dict[str, Any]] = []
        for item in chunk:
            key, parsed = item.key, item.parsed
            existing = self.existing.get(key)
            if existing is None:
                new.append((
                    self.c.id, key,
                    {"dialect": self.plan.dialect.name, "id": parsed.source_id,
                     "submitted": parsed.submitted_raw, "row": parsed.row},
                    self.now, self.now, False, *(parsed.fields[f] for f in PERSON_FIELDS),
                ))  # fmt: skip
                continue
            ids[key] = existing["id"]
            diff = {f: parsed.fields[f] for f in PERSON_FIELDS if existing[f] != parsed.fields[f]}
            if _RANK[stored_reading(parsed.fields)] < _RANK[stored_reading(existing)]:
                self.lost_consent.append(existing["id"])
            if diff:
                changed.append({"id": existing["id"], "updated_at": self.now, **diff})
                existing.update(diff)
                self.report.respondents_updated += 1
            else:
                self.report.respondents_unchanged += 1
        if new:
            table = RESPONDENTS
            keys = ("consultation_id", "source_key", "source_ids", "created_at", "updated_at",
                    "is_demo", *PERSON_FIELDS)  # fmt: skip
            if self.sqlite:  # multi-row VALUES with the ids back, no per-row bookkeeping
                result = bulk_insert(self.s, table, keys, new, returning=("source_key", "id"))
            else:
                result = [tuple(row) for row in self.s.execute(
                    insert(table).returning(table.c.source_key, table.c.id),
                    [dict(zip(keys, row, strict=True)) for row in new],
                )]  # fmt: skip
            for key, rid in result:
                ids[key] = rid
                self.existing[key] = {"id": rid, "withdrawn_at": None, "erased_at": None,
                                      **{f: None for f in PERSON_FIELDS}}  # fmt: skip
            self.report.respondents_created += len(new)
        for values in changed:
            self.s.execute(update(RESPONDENTS).where(
                RESPONDENTS.c.id == values["id"]).values(
                    {k: v for k, v in values.items() if k != "id"}))  # fmt: skip
        return ids

    def _insert_responses(
        self, rows: list[tuple[Any, ...]], tags: dict[tuple[int, int], list[int]]
    ) -> None:
        """New answers (respondent, question, text, hash, time) in bulk, then their mission tags."""
        if not rows:
            return
        table = RESPONSES
        keys = ("respondent_id", "question_id", "text", "content_hash", "submitted_at",
                "kind", "import_batch_id", "created_at")  # fmt: skip
        extra = ("text", self.batch_id, self.now)
        prepared = [row + extra for row in rows]
        fetched: list[tuple[Any, ...]] = []
        if self.sqlite:  # the new ids come back with the insert
            fetched = bulk_insert(self.s, table, keys, prepared,
                                  returning=("id", "respondent_id", "question_id"))  # fmt: skip
        else:
            bulk_insert(self.s, table, keys, prepared)
            respondent_ids = sorted({row[0] for row in rows})
            for start in range(0, len(respondent_ids), 5000):  # the bound-parameter limit
                fetched.extend(self.s.execute(
                    select(table.c.id, table.c.respondent_id, table.c.question_id).where(
                        table.c.import_batch_id == self.batch_id,
                        table.c.respondent_id.in_(respondent_ids[start : start + 5000]),
                    )
                ).all())  # fmt: skip
        links: list[tuple[int, int, str]] = []
        for resp_id, rid, qid in fetched:
            theme_ids = tags.pop((rid, qid), None)
            if theme_ids is None:  # an answer this batch updated, not inserted
                continue
            self.answers[(rid, qid)] = (resp_id, self.answers[(rid, qid)][1])
            links.extend((resp_id, t, "keyword") for t in theme_ids)
        bulk_insert(self.s, RESPONSE_THEMES, ("response_id", "theme_id", "source"), links)
        self.report.responses_created += len(rows)

    def _update_responses(
        self, rows: list[tuple[int, str, str, datetime | None, list[int]]]
    ) -> None:
        """Changed answers: new text and hash, and their keyword tags redone (manual tags stay)."""
        if not rows:
            return
        table, rt = RESPONSES, RESPONSE_THEMES
        for resp_id, text, digest, submitted, _ in rows:
            self.s.execute(
                update(table).where(table.c.id == resp_id).values(
                    text=text, content_hash=digest, submitted_at=submitted,
                    import_batch_id=self.batch_id,
                )
            )  # fmt: skip
        manual: set[tuple[int, int]] = set()
        all_ids = [row[0] for row in rows]
        for start in range(0, len(all_ids), 5000):  # SQLite's bound-parameter limit
            ids = all_ids[start : start + 5000]
            self.s.execute(delete(rt).where(rt.c.response_id.in_(ids), rt.c.source == "keyword"))
            manual.update(
                (response_id, theme_id)
                for response_id, theme_id in self.s.execute(
                    select(rt.c.response_id, rt.c.theme_id).where(rt.c.response_id.in_(ids))
                )
            )
        links = [
            (resp_id, t, "keyword")
            for resp_id, _, _, _, theme_ids in rows
            for t in theme_ids
            if (resp_id, t) not in manual
        ]
        bulk_insert(self.s, rt, ("response_id", "theme_id", "source"), links)
        self.report.responses_updated += len(rows)
