"""Campaigns and near-duplicates: answers that are the same text pasted or lightly edited.

Each answer becomes the set of its word 3-grams ("shingles"). Two answers are near-identical
when the Jaccard similarity of their shingle sets reaches THRESHOLD. Similarity is estimated
with one-permutation MinHash (64 bins, densified by rotation) and candidate pairs come from
locality-sensitive hashing (16 bands of 4 bins); every candidate is checked against its
bucket's first member, and groups are the connected components. Answers shorter than
MIN_WORDS never join a group: short answers coincide without anyone copying anyone.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from curation.analysis.tokens import WORD, Encoded

THRESHOLD = 0.6  # estimated Jaccard similarity of word 3-gram sets
SHINGLE = 3
MIN_WORDS = 12
BINS = 64
BANDS = 16
ROWS = BINS // BANDS
_BIN_SHIFT = np.uint64(58)  # the top 6 bits choose the bin
_VALUE_MASK = np.uint64((1 << 58) - 1)
_EMPTY = np.uint64(np.iinfo(np.uint64).max)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_K = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a fixed, well-spread 64-bit hash (no seed, so repeatable)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def shingle_hashes(enc: Encoded) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hash of every word 3-gram, and the answer each belongs to."""
    ids = enc.ids.astype(np.uint64)
    lengths = enc.lengths()
    doc_of_token = np.repeat(np.arange(len(enc)), lengths)
    if len(ids) < SHINGLE:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    # a 3-gram starting at token i is valid when tokens i..i+2 belong to the same answer
    valid = doc_of_token[: -SHINGLE + 1] == doc_of_token[SHINGLE - 1 :]
    with np.errstate(over="ignore"):
        # odd multipliers keep word order apart; one finaliser spreads the bits
        h = _mix((ids[:-2] * _K[0]) ^ (ids[1:-1] * _K[1]) ^ (ids[2:] * _K[2]))
    return h[valid], doc_of_token[: -SHINGLE + 1][valid]


def sketches(enc: Encoded) -> tuple[np.ndarray, np.ndarray]:
    """A (answers × 64) MinHash sketch per answer, and which answers are long enough to group."""
    n = len(enc)
    h, doc = shingle_hashes(enc)
    flat = np.full(n * BINS, _EMPTY, dtype=np.uint64)
    slots = doc * BINS + (h >> _BIN_SHIFT).astype(np.int64)
    np.minimum.at(flat, slots, h & _VALUE_MASK)
    sketch = flat.reshape(n, BINS)
    usable = enc.lengths() >= MIN_WORDS
    return _densify(sketch), usable


def _densify(sketch: np.ndarray, chunk: int = 65_536) -> np.ndarray:
    """Fill each empty bin from the next filled bin to its right (circularly), hashed with
    the distance, so two answers agree on a filled-in bin only when they agree on its source.
    Works in chunks of rows to keep memory small."""
    cols = np.arange(2 * BINS, dtype=np.int16)
    for start in range(0, len(sketch), chunk):
        part = sketch[start : start + chunk]
        empty = part == _EMPTY
        if not empty.any():
            continue
        filled = ~np.concatenate([empty, empty], axis=1)
        index = np.where(filled, cols, np.int16(2 * BINS))
        nearest = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1][:, :BINS]
        rows, bins = np.nonzero(empty)
        source = nearest[rows, bins]
        has_source = source < 2 * BINS
        rows, bins, source = rows[has_source], bins[has_source], source[has_source]
        distance = (source - bins).astype(np.uint64)
        with np.errstate(over="ignore"):
            part[rows, bins] = _mix(part[rows, source % BINS] + distance)
    return sketch


def estimated_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of rows of sketches `a` and `b` (same shapes)."""
    return np.asarray((a == b).mean(axis=-1))


def find_groups(
    sketch: np.ndarray,
    usable: np.ndarray,
    partition: np.ndarray | None = None,
    threshold: float = THRESHOLD,
) -> np.ndarray:
    """A group number per answer (-1 alone); answers group only within one `partition` value
    (the question they answer)."""
    n = len(sketch)
    part = np.zeros(n, dtype=np.uint64) if partition is None else partition.astype(np.uint64)
    rows = np.flatnonzero(usable)
    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for band in range(BANDS):
        block = sketch[rows, band * ROWS : (band + 1) * ROWS]
        with np.errstate(over="ignore"):
            key = _mix(part[rows] * _K[0] + np.uint64(band))
            for column in range(ROWS):
                key = _mix(key ^ block[:, column])
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]])
        first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
        member, head = rows[order], rows[first]
        pair = member != head
        member, head = member[pair], head[pair]
        keep = estimated_similarity(sketch[member], sketch[head]) >= threshold
        sources.append(member[keep])
        targets.append(head[keep])
    src = np.concatenate(sources) if sources else np.zeros(0, dtype=np.int64)
    dst = np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64)
    graph = sparse.coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels, minlength=labels.max() + 1 if n else 0)
    return np.where(sizes[labels] > 1, labels, -1) if n else np.zeros(0, dtype=np.int64)


def jaccard(a: str, b: str) -> float:
    """The exact Jaccard similarity of two texts' word 3-gram sets (for checks and display)."""

    def grams(text: str) -> set[tuple[str, ...]]:
        words = WORD.findall(text.lower())
        return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y) if x | y else 0.0
