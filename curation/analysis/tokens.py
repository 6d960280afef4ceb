"""Answers as word ids: one tokenising pass shared by theme finding and duplicate detection."""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# Letters only (no digits), with inner apostrophes: "don't", "people’s".
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass
class Encoded:
    """Every answer's words as ids into `vocab`; answer i is ids[offsets[i]:offsets[i+1]]."""

    ids: np.ndarray
    offsets: np.ndarray
    vocab: list[str]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Token positions of the given rows in order, and the row number (0..) of each."""
        lengths = self.lengths()[rows]
        starts = self.offsets[rows]
        out_starts = np.cumsum(lengths) - lengths
        take = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(
            starts - out_starts, lengths
        )
        return take, np.repeat(np.arange(len(rows)), lengths)

    def counts(self, rows: np.ndarray | None = None) -> sparse.csr_matrix:
        """A documents × vocabulary count matrix, for all answers or the given rows."""
        if rows is None:
            rows = np.arange(len(self))
        take, doc = self.positions(rows)
        data = np.ones(len(take), dtype=np.float32)
        matrix = sparse.csr_matrix(
            (data, (doc, self.ids[take])), shape=(len(rows), len(self.vocab)), dtype=np.float32
        )
        matrix.sum_duplicates()
        return matrix


def encode(texts: Iterable[str]) -> Encoded:
    """Lower-case words of each text as ids (the vocabulary grows in order of first use)."""
    vocab: dict[str, int] = {}
    ids = array("i")
    offsets = array("q", [0])
    add = vocab.setdefault
    for text in texts:
        ids.extend([add(w, len(vocab)) for w in WORD.findall(text.lower())])
        offsets.append(len(ids))
    return Encoded(
        np.frombuffer(ids, dtype=np.int32).copy(),
        np.frombuffer(offsets, dtype=np.int64).copy(),
        list(vocab),
    )


PARALLEL_FROM = 100_000  # below this, starting worker processes costs more than it saves


def encode_parallel(texts: list[str], workers: int = 2) -> Encoded:
    """`encode` split over worker processes (spawned: safe from a threaded server), with the
    vocabularies merged in order so ids match what `encode` alone would give."""
    if workers < 2 or len(texts) < PARALLEL_FROM:
        return encode(texts)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(texts) // workers)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = list(pool.map(encode, chunks))
    vocab: dict[str, int] = {}
    ids, offsets, shift = [], [np.zeros(1, dtype=np.int64)], 0
    for part in parts:
        mapping = np.array([vocab.setdefault(w, len(vocab)) for w in part.vocab], dtype=np.int32)
        ids.append(mapping[part.ids] if len(part.ids) else part.ids)
        offsets.append(part.offsets[1:] + shift)
        shift += int(part.offsets[-1])
    return Encoded(np.concatenate(ids), np.concatenate(offsets), list(vocab))
