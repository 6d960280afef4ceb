"""Themes of one question as editable drafts: rename, merge and split, and the replay of
staff edits after a recompute (new themes are matched to edited ones by term overlap)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from curation.analysis import themes as th
from curation.analysis.tokens import WORD
from curation.quotes.suggest import one_per_group, suggest_quotes
from curation.store.foundation import Theme

MATCH = 0.3  # least term overlap for an edit to apply to a recomputed theme
PASSAGES = 3
CANDIDATES = 40  # answers looked at per theme when choosing passages


@dataclass
class QuestionData:
    """One question's answers as parallel arrays (row i is one answer)."""

    response_ids: np.ndarray
    texts: list[str]
    quotable: np.ndarray  # bool
    group: np.ndarray  # campaign group key, or -1
    respondent_ids: np.ndarray
    names: list[str | None]
    question_text: str = ""
    missions: Sequence[Theme] = ()


@dataclass
class Draft:
    terms: list[str]
    members: np.ndarray  # row numbers in QuestionData
    strength: np.ndarray  # aligned with members
    label: str = ""
    edited: bool = False
    passages: list[dict[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.label:
            self.label = th.default_label(self.terms)


@dataclass(frozen=True)
class Edit:
    kind: str  # rename | merge | split
    terms: list[str]
    other_terms: list[str] = field(default_factory=list)
    label: str | None = None


def voices(data: QuestionData, rows: np.ndarray, *, quotable_only: bool = False) -> int:
    """Answers counted with every campaign group once."""
    if quotable_only:
        rows = rows[data.quotable[rows]]
    groups = data.group[rows]
    return int((groups < 0).sum() + len(np.unique(groups[groups >= 0])))


def drafts_from(question_themes: th.QuestionThemes) -> list[Draft]:
    out = []
    for t, terms in enumerate(question_themes.terms):
        members = np.flatnonzero(question_themes.labels == t)
        out.append(Draft(terms, members, question_themes.strength[members]))
    return out


def rename(draft: Draft, label: str) -> None:
    draft.label, draft.edited = label, True


def merge(drafts: list[Draft], source: int, target: int, matrix: th.TermMatrix) -> None:
    """Move `source`'s answers into `target` (which keeps its label) and drop `source`."""
    a, b = drafts[target], drafts[source]
    a.members = np.concatenate([a.members, b.members])
    a.strength = np.concatenate([a.strength, b.strength])
    order = np.argsort(a.members, kind="stable")
    a.members, a.strength = a.members[order], a.strength[order]
    a.terms = th.top_terms(matrix, a.members)
    if not a.edited:
        a.label = th.default_label(a.terms)
    del drafts[source]


def split(drafts: list[Draft], index: int, matrix: th.TermMatrix) -> bool:
    """Split a theme in two; False when its answers do not divide."""
    draft = drafts[index]
    moved, strength = th.split_members(matrix, draft.members)
    if len(moved) == 0:
        return False
    stay = ~np.isin(draft.members, moved)
    draft.members, draft.strength = draft.members[stay], draft.strength[stay]
    draft.terms = th.top_terms(matrix, draft.members)
    if not draft.edited:
        draft.label = th.default_label(draft.terms)
    drafts.insert(index + 1, Draft(th.top_terms(matrix, moved), moved, strength))
    return True


def best_match(drafts: list[Draft], terms: list[str], exclude: int = -1) -> int:
    """The draft whose terms overlap `terms` most (at least MATCH), or -1."""
    best, score = -1, MATCH
    for i, draft in enumerate(drafts):
        overlap = th.term_overlap(draft.terms, terms)
        if i != exclude and overlap >= score and (best < 0 or overlap > score):
            best, score = i, overlap
    return best


def replay(drafts: list[Draft], edits: Sequence[Edit], matrix: th.TermMatrix) -> int:
    """Apply staff edits in order to freshly computed drafts; the number that applied."""
    applied = 0
    for edit in edits:
        i = best_match(drafts, edit.terms)
        if i < 0:
            continue
        if edit.kind == "rename" and edit.label:
            rename(drafts[i], edit.label)
        elif edit.kind == "merge":
            j = best_match(drafts, edit.other_terms, exclude=i)
            if j < 0:
                continue
            merge(drafts, i, j, matrix)
        elif edit.kind == "split" and not split(drafts, i, matrix):
            continue
        applied += 1
    return applied


def pick_passages(draft: Draft, data: QuestionData) -> list[dict[str, int]]:
    """Up to three exact spans of quotable answers that carry the theme best: the answers
    with the strongest theme weight, a sentence or two holding the theme's terms, no
    personal data, at most one per campaign group and one per respondent."""
    order = np.argsort(-draft.strength, kind="stable")
    rows = [int(r) for r in draft.members[order] if data.quotable[r]][: CANDIDATES * 3]
    rows = one_per_group(rows, lambda r: int(data.group[r]) if data.group[r] >= 0 else None)
    terms = set(draft.terms)
    chosen: list[dict[str, int]] = []
    people: set[int] = set()
    seen_words: set[str] = set()  # the same sentence from two people is offered once
    for row in rows[:CANDIDATES]:
        person = int(data.respondent_ids[row])
        if person in people:
            continue
        text = data.texts[row]
        found = suggest_quotes(
            text,
            question_text=data.question_text,
            themes=data.missions,
            respondent_name=data.names[row],
            limit=3,
        )
        scored = [(_term_hits(s.text, terms), s.score, -s.start, s) for s in found]
        scored = [x for x in scored if x[0] > 0]
        if not scored:
            continue
        best = max(scored, key=lambda x: x[:3])[3]
        if " ".join(best.text.lower().split()) in seen_words:
            continue
        seen_words.add(" ".join(best.text.lower().split()))
        chosen.append({"response_id": int(data.response_ids[row]), "start": best.start,
                       "end": best.end})  # fmt: skip
        people.add(person)
        if len(chosen) == PASSAGES:
            break
    return chosen


def _term_hits(text: str, terms: set[str]) -> int:
    return len({w for w in WORD.findall(text.lower())} & terms)


def passage_json(drafts: list[Draft]) -> list[dict[str, Any]]:
    return [{"label": d.label, "terms": d.terms, "passages": d.passages} for d in drafts]
