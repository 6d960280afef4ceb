"""Themes in the answers to one question: TF-IDF over words, then NMF (scikit-learn).

Deterministic: NMF starts from NNDSVDa with a fixed random_state, and ties go to the
lower index. A theme is described by the top terms of its members' mean TF-IDF vector,
so themes that staff merge or split are described the same way as computed ones.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer
from threadpoolctl import threadpool_limits

from curation.analysis.tokens import Encoded

MAX_THEMES = 8
TOP_TERMS = 8
RANDOM_STATE = 0
MIN_TERM_LENGTH = 3
MAX_TERMS = 3_000  # the most widely used content words; rarer ones rarely name a theme
FIT_ROWS = 4_000  # NMF learns the themes from at most this many answers, evenly spread
# Words every answer to a consultation uses; they tell themes apart no better than "the".
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {
    "think", "really", "just", "need", "needs", "like", "would", "should", "could", "also",
    "make", "way", "things", "thing", "lot", "get", "got", "want", "don't", "it's", "i'm",
    "we're", "they're", "people", "area", "areas", "government", "levelling", "yes", "know",
}  # fmt: skip


@dataclass
class QuestionThemes:
    """Themes of one question's answers: a theme index per answer (-1: none) and strengths."""

    labels: np.ndarray
    strength: np.ndarray  # how strongly each answer carries its theme (0..1)
    terms: list[list[str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.terms)


@dataclass
class TermMatrix:
    """TF-IDF rows (l2-normalised) of one question's answers over the kept terms."""

    tfidf: sparse.csr_matrix
    terms: list[str]


@contextmanager
def _quiet_single_thread() -> Iterator[None]:
    """One BLAS thread: NMF's small matrices gain nothing from more, and on a shared machine
    extra threads only contend. Hitting max_iter is expected and still deterministic."""
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def theme_count(distinct_answers: int) -> int:
    """How many themes to look for: grows with the square root of the answers, at most 8."""
    return max(1, min(MAX_THEMES, round(math.sqrt(distinct_answers / 5))))


def term_matrix(enc: Encoded, rows: np.ndarray) -> TermMatrix:
    """TF-IDF of the given answers, keeping content words used by at least two of them."""
    counts = enc.counts(rows)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    min_df = 2 if len(rows) >= 20 else 1
    max_df = int(0.6 * len(rows)) if len(rows) >= 20 else len(rows)
    keep = np.flatnonzero((df >= min_df) & (df <= max_df))
    vocab = enc.vocab
    keep = np.array(
        [i for i in keep if len(vocab[i]) >= MIN_TERM_LENGTH and vocab[i] not in STOP_WORDS],
        dtype=np.int64,
    )
    if len(keep) > MAX_TERMS:  # most used first, ties to the earlier word: deterministic
        keep = np.sort(keep[np.argsort(-df[keep], kind="stable")[:MAX_TERMS]])
    counts = counts[:, keep]
    if counts.shape[0] == 0 or counts.shape[1] == 0:
        return TermMatrix(sparse.csr_matrix(counts.shape, dtype=np.float32), [])
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32)
    return TermMatrix(sparse.csr_matrix(tfidf), [vocab[i] for i in keep])


def top_terms(matrix: TermMatrix, members: np.ndarray, n: int = TOP_TERMS) -> list[str]:
    """The terms with the highest mean TF-IDF among `members` (ties: alphabetical)."""
    if len(members) == 0 or not matrix.terms:
        return []
    mean = np.asarray(matrix.tfidf[members].mean(axis=0)).ravel()
    order = sorted(range(len(mean)), key=lambda i: (-round(float(mean[i]), 6), matrix.terms[i]))
    return [matrix.terms[i] for i in order[:n] if mean[i] > 0]


def find_themes(matrix: TermMatrix, fit_rows: np.ndarray | None = None) -> QuestionThemes:
    """Fit NMF on `fit_rows` (default: all; pass one row per campaign group so a campaign
    counts once) and give every answer the theme it carries most."""
    n = matrix.tfidf.shape[0]
    rows = np.arange(n) if fit_rows is None else fit_rows
    if n == 0 or not matrix.terms:
        return QuestionThemes(np.full(n, -1), np.zeros(n, dtype=np.float32))
    k = min(theme_count(len(rows)), len(matrix.terms), len(rows))
    if len(rows) > FIT_ROWS:
        rows = rows[np.linspace(0, len(rows) - 1, FIT_ROWS).astype(np.int64)]
    model = NMF(n_components=k, init="nndsvda", random_state=RANDOM_STATE, max_iter=300)
    with _quiet_single_thread():
        model.fit(matrix.tfidf[rows])
        weights = model.transform(matrix.tfidf)
    labels, strength = _assign(weights)
    themes = QuestionThemes(labels, strength)
    themes.terms = [top_terms(matrix, np.flatnonzero(labels == t)) for t in range(k)]
    return _drop_empty(themes)


def _assign(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    total = weights.sum(axis=1)
    labels = np.where(total > 0, weights.argmax(axis=1), -1)
    strength = np.where(total > 0, weights.max(axis=1) / np.where(total > 0, total, 1), 0.0)
    return labels.astype(np.int64), strength.astype(np.float32)


def _drop_empty(themes: QuestionThemes) -> QuestionThemes:
    """Renumber so themes without members disappear (NMF can leave a component unused)."""
    used = [t for t in range(themes.count) if (themes.labels == t).any()]
    remap = np.full(themes.count + 1, -1)
    for new, old in enumerate(used):
        remap[old] = new
    labels = np.where(themes.labels >= 0, remap[themes.labels], -1)
    return QuestionThemes(labels, themes.strength, [themes.terms[t] for t in used])


def split_members(matrix: TermMatrix, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split one theme's members in two (NMF with two components); members and strengths
    of the second part, the rest stay."""
    if len(members) < 2:
        return members[:0], np.zeros(0, dtype=np.float32)
    model = NMF(n_components=2, init="nndsvda", random_state=RANDOM_STATE, max_iter=300)
    with _quiet_single_thread():
        weights = model.fit_transform(matrix.tfidf[members])
    labels, strength = _assign(weights)
    second = labels == 1
    if second.all() or not second.any():
        return members[:0], np.zeros(0, dtype=np.float32)
    return members[second], strength[second]


def term_overlap(a: list[str], b: list[str]) -> float:
    """How alike two themes' descriptions are: Jaccard similarity of their top terms."""
    x, y = set(a), set(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def default_label(terms: list[str]) -> str:
    """A first label a person can edit: the top three terms."""
    return ", ".join(terms[:3]).capitalize() if terms else "No distinctive words"
