"""Reading and editing the analysis: themes with their passages, campaign groups, runs.

Passages are returned with their words read from the answer at that moment
(`answer.text[start:end]`), and only while the respondent is quotable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.analysis import drafts, themes, tokens
from curation.analysis.job import load_answers
from curation.errors import UnusableInput
from curation.rights.gate import ConsentGate
from curation.store.analysis import AnalysisRun, AnswerTheme, ResponseReading, ThemeEdit
from curation.store.base import get_or_not_found
from curation.store.foundation import Question, Respondent, Response

MAX_LABEL = 200


@dataclass(frozen=True)
class Passage:
    response_id: int
    start: int
    end: int
    text: str  # always answer_text[start:end]
    attribution: str


@dataclass
class ThemeView:
    id: int
    question_number: int
    question_label: str
    number: int
    label: str
    edited: bool
    terms: list[str]
    answers: int
    quotable: int
    answer_share: float  # of the question's answers, campaigns counted once
    quotable_share: float
    passages: list[Passage] = field(default_factory=list)


@dataclass(frozen=True)
class RunView:
    id: int
    status: str
    stage: str
    progress: float
    message: str
    started_at: datetime
    finished_at: datetime | None
    figures: dict[str, Any]


def latest_run(session: Session, actor: Actor, consultation_id: int) -> RunView | None:
    """The most recent analysis run of a consultation, with its progress."""
    require(actor, Permission.READ_RESPONSES)
    run = session.scalars(
        select(AnalysisRun)
        .where(AnalysisRun.consultation_id == consultation_id)
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    return RunView(run.id, run.status, run.stage, run.progress, run.message,
                   run.started_at, run.finished_at, dict(run.figures or {}))  # fmt: skip


def _passages(session: Session, stored: list[dict[str, int]], allow: bool) -> list[Passage]:
    out = []
    for item in stored:
        response = session.get(Response, int(item["response_id"]))
        if response is None or not ConsentGate(allow).may_quote(response.respondent):
            continue
        start, end = int(item["start"]), int(item["end"])
        if not 0 <= start < end <= len(response.text):
            continue
        out.append(Passage(response.id, start, end, response.text[start:end],
                           ConsentGate(allow).credit(response.respondent)))  # fmt: skip
    return out


def list_themes(
    session: Session, actor: Actor, consultation_id: int, question_number: int | None = None
) -> list[ThemeView]:
    """The themes found in the answers, by question, with shares and quotable passages."""
    require(actor, Permission.READ_RESPONSES)
    allow = ConsentGate.of(session).allow_anonymous
    run = latest_run(session, actor, consultation_id)
    totals = (run.figures.get("questions", {}) if run else {}) or {}
    query = (
        select(AnswerTheme, Question)
        .join(Question, Question.id == AnswerTheme.question_id)
        .where(AnswerTheme.consultation_id == consultation_id)
        .order_by(Question.number, AnswerTheme.number)
    )
    if question_number is not None:
        query = query.where(Question.number == question_number)
    views = []
    for theme, question in session.execute(query).all():
        total = totals.get(str(question.id), {})
        views.append(ThemeView(
            theme.id, question.number, question.label, theme.number, theme.label,
            theme.label_edited, list(theme.terms), theme.answers, theme.quotable,
            theme.answers / total["answers"] if total.get("answers") else 0.0,
            theme.quotable / total["quotable"] if total.get("quotable") else 0.0,
            _passages(session, list(theme.passages), allow),
        ))  # fmt: skip
    return views


def _theme(session: Session, theme_id: int) -> AnswerTheme:
    theme = get_or_not_found(session, AnswerTheme, theme_id, "theme")
    return theme


def rename_theme(session: Session, actor: Actor, theme_id: int, label: str) -> None:
    """Give a theme a label of a person's choosing; it survives recomputes."""
    require(actor, Permission.PICK_QUOTES)
    label = " ".join(label.split())
    if not label or len(label) > MAX_LABEL:
        raise UnusableInput(f"a theme label needs 1 to {MAX_LABEL} characters")
    theme = _theme(session, theme_id)
    before = theme.label
    theme.label, theme.label_edited = label, True
    _record(session, actor, theme, "rename", label=label)
    audit.record(session, actor, "theme.rename", "answer_theme", theme_id,
                 {"before": before, "after": label})  # fmt: skip


def _record(session: Session, actor: Actor, theme: AnswerTheme, kind: str, **extra: Any) -> None:
    session.add(ThemeEdit(consultation_id=theme.consultation_id, question_id=theme.question_id,
                          kind=kind, terms=list(theme.terms), actor=actor.name,
                          other_terms=extra.get("other_terms", []),
                          label=extra.get("label")))  # fmt: skip


@dataclass
class _QuestionState:
    data: drafts.QuestionData
    matrix: themes.TermMatrix
    items: list[drafts.Draft]
    rows: list[AnswerTheme]


def _question_state(session: Session, theme: AnswerTheme) -> _QuestionState:
    """One question's answers, term matrix and themes as drafts, rebuilt from the store."""
    answers = load_answers(session, theme.consultation_id)
    rows = np.flatnonzero(answers.question_ids == theme.question_id)
    question = session.get(Question, theme.question_id)
    assert question is not None
    readings = {
        r.response_id: r
        for r in session.scalars(
            select(ResponseReading).where(ResponseReading.response_id.in_(
                answers.ids[rows].tolist()))
        )
    }  # fmt: skip
    groups = np.array([
        (readings[int(i)].group_key or -1) if int(i) in readings else -1 for i in answers.ids[rows]
    ], dtype=np.int64)  # fmt: skip
    data = drafts.QuestionData(
        answers.ids[rows], [answers.texts[i] for i in rows], answers.quotable[rows], groups,
        answers.respondent_ids[rows], [answers.names[i] for i in rows], question.text,
        list(question.consultation.themes),
    )  # fmt: skip
    matrix = themes.term_matrix(tokens.encode(data.texts), np.arange(len(rows)))
    stored = list(session.scalars(select(AnswerTheme).where(
        AnswerTheme.question_id == theme.question_id).order_by(AnswerTheme.number)))  # fmt: skip
    position = {int(rid): n for n, rid in enumerate(data.response_ids)}
    items = []
    for row in stored:
        members = [(position[r.response_id], r.theme_strength or 0.0) for r in readings.values()
                   if r.answer_theme_id == row.id and r.response_id in position]  # fmt: skip
        members.sort()
        items.append(drafts.Draft(list(row.terms), np.array([m for m, _ in members], dtype=int),
                                  np.array([s for _, s in members], dtype=np.float32),
                                  row.label, row.label_edited, list(row.passages)))  # fmt: skip
    return _QuestionState(data, matrix, items, stored)


def _save_question(session: Session, state: _QuestionState, consultation_id: int) -> None:
    question_id = state.rows[0].question_id
    session.execute(delete(AnswerTheme).where(AnswerTheme.question_id == question_id))
    session.flush()
    for number, draft in enumerate(state.items, start=1):
        draft.passages = drafts.pick_passages(draft, state.data)
        row = AnswerTheme(
            consultation_id=consultation_id,
            question_id=question_id,
            number=number,
            label=draft.label[:MAX_LABEL],
            label_edited=draft.edited,
            terms=draft.terms,
            passages=draft.passages,
            answers=drafts.voices(state.data, draft.members),
            quotable=drafts.voices(state.data, draft.members, quotable_only=True),
        )
        session.add(row)
        session.flush()
        updates = [{"response_id": int(state.data.response_ids[m]), "answer_theme_id": row.id,
                    "theme_strength": float(s)} for m, s in zip(draft.members, draft.strength,
                                                               strict=True)]  # fmt: skip
        if updates:
            session.execute(update(ResponseReading), updates)


def merge_themes(session: Session, actor: Actor, source_id: int, target_id: int) -> None:
    """Merge theme `source_id` into `target_id` (same question); `target_id` keeps its label."""
    require(actor, Permission.PICK_QUOTES)
    source, target = _theme(session, source_id), _theme(session, target_id)
    if source.id == target.id or source.question_id != target.question_id:
        raise UnusableInput("merge two different themes of the same question")
    _record(session, actor, source, "merge", other_terms=list(target.terms))
    state = _question_state(session, source)
    index = {row.id: n for n, row in enumerate(state.rows)}
    drafts.merge(state.items, index[source.id], index[target.id], state.matrix)
    _save_question(session, state, source.consultation_id)
    audit.record(session, actor, "theme.merge", "answer_theme", target_id, {"merged": source_id})


def split_theme(session: Session, actor: Actor, theme_id: int) -> int:
    """Split a theme in two by its answers' words; the number of themes it became."""
    require(actor, Permission.PICK_QUOTES)
    theme = _theme(session, theme_id)
    _record(session, actor, theme, "split")
    state = _question_state(session, theme)
    index = [row.id for row in state.rows].index(theme.id)
    if not drafts.split(state.items, index, state.matrix):
        raise UnusableInput("this theme's answers do not divide into two themes")
    _save_question(session, state, theme.consultation_id)
    audit.record(session, actor, "theme.split", "answer_theme", theme_id, {})
    return 2


@dataclass(frozen=True)
class GroupView:
    key: int  # the group's smallest response id
    question_number: int
    size: int
    quotable: int


def duplicate_groups(session: Session, actor: Actor, consultation_id: int) -> list[GroupView]:
    """Campaign and near-duplicate groups, largest first (counts and ids only, no text)."""
    require(actor, Permission.READ_RESPONSES)
    allow = ConsentGate.of(session).allow_anonymous
    rows = session.execute(
        select(ResponseReading.group_key, Question.number, Response.respondent_id)
        .join(Response, Response.id == ResponseReading.response_id)
        .join(Question, Question.id == Response.question_id)
        .where(Question.consultation_id == consultation_id, ResponseReading.group_key.is_not(None))
    ).all()
    people = {p.id: p for p in session.scalars(select(Respondent).where(
        Respondent.id.in_({r[2] for r in rows})))}  # fmt: skip
    grouped: dict[int, list[Any]] = {}
    for key, number, person in rows:
        entry = grouped.setdefault(key or 0, [number, 0, 0])
        entry[1] += 1
        entry[2] += ConsentGate(allow).may_quote(people[person])
    views = [GroupView(k, v[0], v[1], v[2]) for k, v in grouped.items()]
    return sorted(views, key=lambda g: (-g.size, g.key))


def campaign_marks(session: Session, actor: Actor, response_ids: list[int]) -> dict[int, int]:
    """For the responses given, the size of the near-duplicate group each belongs to."""
    require(actor, Permission.READ_RESPONSES)
    if not response_ids:
        return {}
    rows = session.execute(
        select(ResponseReading.response_id, ResponseReading.group_size).where(
            ResponseReading.response_id.in_(response_ids), ResponseReading.group_key.is_not(None)
        )
    )
    return {int(r): int(n) for r, n in rows}


def group_count(session: Session, consultation_id: int) -> int:
    return int(session.scalar(
        select(func.count(func.distinct(ResponseReading.group_key)))
        .join(Response, Response.id == ResponseReading.response_id)
        .join(Question, Question.id == Response.question_id)
        .where(Question.consultation_id == consultation_id)
    ) or 0)  # fmt: skip
