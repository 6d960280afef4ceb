"""The analysis job: read a consultation's answers, find campaign groups, themes and tone,
replay staff edits, and store the results, reporting progress on an `AnalysisRun` row.

Runs from the CLI (in the foreground) or from a page (in a background thread started by
`start_in_background`). Respondent text never leaves this process and is never logged.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.analysis import campaigns, drafts, themes, tokens, tone
from curation.errors import NotFound
from curation.rights.gate import ConsentGate
from curation.store import Database
from curation.store.analysis import AnalysisRun, AnswerTheme, ResponseReading, ThemeEdit
from curation.store.base import get_or_not_found, utcnow
from curation.store.foundation import Consultation, Question, Respondent, Response

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]
TONE_BATCH = 5_000
PARALLEL_TONE_FROM = 20_000  # below this, worker processes cost more than they save


@dataclass
class Answers:
    """A consultation's answers as parallel columns, in response-id order."""

    ids: np.ndarray
    question_ids: np.ndarray
    respondent_ids: np.ndarray
    quotable: np.ndarray
    texts: list[str]
    hashes: list[str]
    names: list[str | None]


@dataclass
class Result:
    group_key: np.ndarray  # smallest response id of the group, or -1
    group_size: np.ndarray
    themes: dict[int, list[drafts.Draft]] = field(default_factory=dict)  # by question id
    theme_of: dict[int, tuple[int, float]] = field(default_factory=dict)  # id -> index, strength
    tones: dict[int, tone.ToneReading] = field(default_factory=dict)  # only re-read answers
    figures: dict[str, Any] = field(default_factory=dict)


def load_answers(session: Session, consultation_id: int) -> Answers:
    gate = ConsentGate.of(session)
    rows = session.execute(
        select(
            Response.id,
            Response.question_id,
            Response.respondent_id,
            gate.sql_filter(),
            Response.text,
            Response.content_hash,
            Respondent.name,
        )
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Respondent.consultation_id == consultation_id)
        .order_by(Response.id)
    ).all()
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * 7
    return Answers(
        np.asarray(columns[0], dtype=np.int64),
        np.asarray(columns[1], dtype=np.int64),
        np.asarray(columns[2], dtype=np.int64),
        np.asarray([bool(v) for v in columns[3]], dtype=bool),
        list(columns[4]),
        list(columns[5]),
        list(columns[6]),
    )


def compute(
    answers: Answers,
    questions: list[Question],
    edits: list[ThemeEdit],
    known_tones: dict[int, str],
    *,
    progress: Progress,
    threshold: float = campaigns.THRESHOLD,
    workers: int = 2,
) -> Result:
    """Everything the job finds, without touching the store."""
    progress("Reading words", 0.05)
    enc = tokens.encode_parallel(answers.texts, workers)
    progress("Finding campaigns and near-duplicates", 0.35)
    sketch, usable = campaigns.sketches(enc)
    labels = campaigns.find_groups(sketch, usable, answers.question_ids, threshold)
    group_key, group_size = _group_keys(labels, answers.ids)
    result = Result(group_key, group_size)
    result.figures = {"threshold": threshold, "answers": len(answers.ids),
                      "groups": len(np.unique(labels[labels >= 0])),
                      "in_groups": int((labels >= 0).sum()), "questions": {}}  # fmt: skip
    for step, question in enumerate(questions):
        progress(f"Themes for Q{question.number}", 0.45 + 0.35 * step / max(1, len(questions)))
        rows = np.flatnonzero(answers.question_ids == question.id)
        if len(rows) == 0:
            continue
        _question_themes(answers, enc, rows, question, edits, result)
    progress("Reading tone", 0.8)
    todo = [i for i, (rid, h) in enumerate(zip(answers.ids, answers.hashes, strict=True))
            if known_tones.get(int(rid)) != h]  # fmt: skip
    readings = _read_tones([answers.texts[i] for i in todo], workers)
    result.tones = {int(answers.ids[i]): r for i, r in zip(todo, readings, strict=True)}
    result.figures["tone_read"] = len(todo)
    return result


def _group_keys(labels: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    key = np.full(len(ids), -1, dtype=np.int64)
    size = np.ones(len(ids), dtype=np.int64)
    grouped = np.flatnonzero(labels >= 0)
    if len(grouped):
        lab = labels[grouped]
        smallest = np.full(labels.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(smallest, lab, ids[grouped])
        key[grouped] = smallest[lab]
        size[grouped] = np.bincount(lab)[lab]
    return key, size


def _question_themes(
    answers: Answers,
    enc: tokens.Encoded,
    rows: np.ndarray,
    question: Question,
    edits: list[ThemeEdit],
    result: Result,
) -> None:
    data = drafts.QuestionData(
        response_ids=answers.ids[rows],
        texts=[answers.texts[i] for i in rows],
        quotable=answers.quotable[rows],
        group=result.group_key[rows],
        respondent_ids=answers.respondent_ids[rows],
        names=[answers.names[i] for i in rows],
        question_text=question.text,
        missions=list(question.consultation.themes),
    )
    matrix = themes.term_matrix(enc, rows)
    # one answer per campaign group shapes the themes: a campaign counts once
    _, first = np.unique(np.where(data.group >= 0, data.group, -1 - np.arange(len(rows))),
                         return_index=True)  # fmt: skip
    found = themes.find_themes(matrix, np.sort(first))
    items = drafts.drafts_from(found)
    own = [drafts.Edit(e.kind, list(e.terms), list(e.other_terms), e.label)
           for e in edits if e.question_id == question.id]  # fmt: skip
    applied = drafts.replay(items, own, matrix)
    for index, draft in enumerate(items):
        draft.passages = drafts.pick_passages(draft, data)
        for row, strength in zip(draft.members, draft.strength, strict=True):
            result.theme_of[int(data.response_ids[row])] = (index, float(strength))
    result.themes[question.id] = items
    all_rows = np.arange(len(rows))
    result.figures["questions"][str(question.id)] = {
        "answers": drafts.voices(data, all_rows),
        "quotable": drafts.voices(data, all_rows, quotable_only=True),
        "edits_applied": applied,
        "edits": len(own),
    }
    result.figures.setdefault("counts", {})[str(question.id)] = [
        [drafts.voices(data, d.members), drafts.voices(data, d.members, quotable_only=True)]
        for d in items
    ]


def _read_tones(texts: list[str], workers: int) -> list[tone.ToneReading]:
    if len(texts) < PARALLEL_TONE_FROM or workers < 2:
        return tone.read_tones(texts)
    batches = [texts[i : i + TONE_BATCH] for i in range(0, len(texts), TONE_BATCH)]
    context = multiprocessing.get_context("spawn")  # no fork from a threaded server
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [r for batch in pool.map(tone.read_tones, batches) for r in batch]


def store(session: Session, consultation_id: int, answers: Answers, result: Result) -> None:
    """Replace the consultation's themes and readings with `result` (tone kept if unchanged)."""
    old_tone = {
        r.response_id: (r.language, r.tone, r.tone_score)
        for r in session.execute(
            select(
                ResponseReading.response_id,
                ResponseReading.language,
                ResponseReading.tone,
                ResponseReading.tone_score,
            ).where(ResponseReading.response_id.in_(_response_ids(consultation_id)))
        )
    }
    ids_of_theme: dict[tuple[int, int], int] = {}
    no_sync = {"synchronize_session": False}  # nothing loaded to keep in step; skip the fetch
    session.execute(
        delete(AnswerTheme).where(AnswerTheme.consultation_id == consultation_id),
        execution_options=no_sync,
    )
    for question_id, items in result.themes.items():
        counts = result.figures["counts"][str(question_id)]
        for index, draft in enumerate(items):
            row = AnswerTheme(
                consultation_id=consultation_id, question_id=question_id, number=index + 1,
                label=draft.label[:200], label_edited=draft.edited, terms=draft.terms,
                answers=counts[index][0], quotable=counts[index][1], passages=draft.passages,
            )  # fmt: skip
            session.add(row)
            session.flush()
            ids_of_theme[(question_id, index)] = row.id
    session.execute(
        delete(ResponseReading).where(
            ResponseReading.response_id.in_(_response_ids(consultation_id))
        ),
        execution_options=no_sync,
    )
    rows = []
    for i, rid in enumerate(answers.ids.tolist()):
        reading = result.tones.get(rid)
        language, tone_label, score = (
            (reading.language, reading.tone, reading.score) if reading else old_tone[rid]
        )
        theme_index, strength = result.theme_of.get(rid, (None, None))
        key = int(result.group_key[i])
        rows.append({
            "response_id": rid,
            "answer_theme_id": None if theme_index is None
            else ids_of_theme[(int(answers.question_ids[i]), theme_index)],
            "theme_strength": strength,
            "group_key": key if key >= 0 else None,
            "group_size": int(result.group_size[i]),
            "language": language, "tone": tone_label, "tone_score": score,
            "content_hash": answers.hashes[i],
        })  # fmt: skip
    table = cast(Table, ResponseReading.__table__)
    for start in range(0, len(rows), 20_000):  # Core executemany: far quicker than ORM rows
        session.execute(insert(table), rows[start : start + 20_000])


def _response_ids(consultation_id: int) -> Any:
    return (
        select(Response.id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Respondent.consultation_id == consultation_id)
    )


def _known_hashes(session: Session, consultation_id: int) -> dict[int, str]:
    """Response id -> the text hash its stored tone was read from."""
    rows = session.execute(
        select(ResponseReading.response_id, ResponseReading.content_hash).where(
            ResponseReading.response_id.in_(_response_ids(consultation_id))
        )
    )
    return {int(r): str(h) for r, h in rows}


def start_run(session: Session, actor: Actor, consultation_id: int, **params: Any) -> int:
    """Record a queued run (the job checks the same permission when it starts)."""
    require(actor, Permission.PICK_QUOTES)
    if session.get(Consultation, consultation_id) is None:
        raise NotFound(f"no consultation {consultation_id}")
    run = AnalysisRun(consultation_id=consultation_id, actor=actor.name, params=params)
    session.add(run)
    session.flush()
    return run.id


def run_analysis(
    db: Database,
    actor: Actor,
    run_id: int,
    *,
    workers: int = 2,
    on_progress: Progress | None = None,
    now: Callable[[], datetime] = utcnow,
) -> dict[str, Any]:
    """Run a recorded analysis to the end; its figures. Failures are stored on the run."""
    require(actor, Permission.PICK_QUOTES)

    def progress(stage: str, fraction: float) -> None:
        with db.session() as s:
            s.execute(update(AnalysisRun).where(AnalysisRun.id == run_id).values(
                status="running", stage=stage, progress=round(fraction, 3)))  # fmt: skip
        if on_progress is not None:
            on_progress(stage, fraction)

    try:
        with db.session() as session:
            run = get_or_not_found(session, AnalysisRun, run_id, "analysis run")
            consultation_id = run.consultation_id
            threshold = float(run.params.get("threshold", campaigns.THRESHOLD))
        progress("Loading answers", 0.0)
        with db.session() as session:
            answers = load_answers(session, consultation_id)
            consultation = session.get(Consultation, consultation_id)
            assert consultation is not None
            questions = list(consultation.questions)
            for q in questions:  # loaded now: the job works outside this session
                _ = q.consultation.themes
            edits = list(session.scalars(select(ThemeEdit).where(
                ThemeEdit.consultation_id == consultation_id).order_by(ThemeEdit.id)))  # fmt: skip
            known = _known_hashes(session, consultation_id)
            session.expunge_all()
        result = compute(answers, questions, edits, known, progress=progress,
                         threshold=threshold, workers=workers)  # fmt: skip
        progress("Saving", 0.9)
        with db.session() as session:
            store(session, consultation_id, answers, result)
            session.execute(update(AnalysisRun).where(AnalysisRun.id == run_id).values(
                status="done", stage="Done", progress=1.0, figures=result.figures,
                finished_at=now()))  # fmt: skip
        if on_progress is not None:
            on_progress("Done", 1.0)
        return result.figures
    except Exception as exc:
        log.warning("analysis run %s failed: %s", run_id, type(exc).__name__)
        with db.session() as session:
            session.execute(update(AnalysisRun).where(AnalysisRun.id == run_id).values(
                status="failed", message=type(exc).__name__, finished_at=now()))  # fmt: skip
        raise


def start_in_background(db: Database, actor: Actor, consultation_id: int) -> int:
    """Record a run and work on it in a daemon thread; pages poll the run's progress."""
    with db.session() as session:
        run_id = start_run(session, actor, consultation_id)

    def work() -> None:
        try:  # in-process: a server's threads are no place to start worker processes
            run_analysis(db, actor, run_id, workers=1)
        except Exception:  # stored on the run row for the page to show
            log.debug("background analysis failed", exc_info=True)

    threading.Thread(target=work, name=f"analysis-{run_id}", daemon=True).start()
    return run_id
