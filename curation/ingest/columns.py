"""Which column is which: questions by number or fuzzy text, people's details by header.

Also the normalisation of regions to the UK nations and English regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex
from rapidfuzz import fuzz, process

from curation.ingest.consent_columns import CONSENT_ROLES, UNCERTAIN, classify_header
from curation.ingest.dialects import Dialect, norm_header

REGIONS = (
    "North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West", "Scotland", "Wales",
    "Northern Ireland",
)  # fmt: skip

_REGION_ALIASES = {
    "north east england": "North East", "north-east": "North East", "ne": "North East",
    "north east of england": "North East", "north west england": "North West",
    "north-west": "North West", "nw": "North West", "north west of england": "North West",
    "yorkshire": "Yorkshire and the Humber", "yorkshire and humber": "Yorkshire and the Humber",
    "yorkshire & humber": "Yorkshire and the Humber",
    "yorks and humber": "Yorkshire and the Humber",
    "yorkshire & the humber": "Yorkshire and the Humber", "humber": "Yorkshire and the Humber",
    "east midlands": "East Midlands", "west midlands": "West Midlands",
    "east of england": "East of England", "east anglia": "East of England",
    "eastern": "East of England", "east england": "East of England", "east": "East of England",
    "greater london": "London", "london": "London", "south east england": "South East",
    "south-east": "South East", "se": "South East", "south east of england": "South East",
    "south west england": "South West", "south-west": "South West", "sw": "South West",
    "south west of england": "South West", "scotland": "Scotland", "alba": "Scotland",
    "wales": "Wales", "cymru": "Wales", "northern ireland": "Northern Ireland",
    "ni": "Northern Ireland", "n. ireland": "Northern Ireland", "n ireland": "Northern Ireland",
}  # fmt: skip
_REGION_KEYS = {norm_header(r): r for r in REGIONS} | _REGION_ALIASES

QUESTION_THRESHOLD = 82


def normalise_region(value: str) -> str | None:
    """One of `REGIONS` for a free-text answer, or None when it is not a UK region we know."""
    text = norm_header(value).strip(" .")
    if not text:
        return None
    text = text.replace("&", "and")
    if text in _REGION_KEYS:
        return _REGION_KEYS[text]
    text = regex.sub(r"^(the|england|uk)\s*[-:,]\s*|\s*\((england|uk)\)$", "", text)
    text = regex.sub(r"\s+(region|england)$", "", text)
    if text in _REGION_KEYS:
        return _REGION_KEYS[text]
    best = process.extractOne(text, list(_REGION_KEYS), scorer=fuzz.ratio, score_cutoff=88)
    return _REGION_KEYS[best[0]] if best else None


# Person-detail headers, tried in this order after the consent and naming questions
# (`classify_header`), which come first: "May we use your name?" is not a name column.
_ROLE_PATTERNS: tuple[tuple[str, regex.Pattern[str]], ...] = tuple(
    (role, regex.compile(pattern, regex.IGNORECASE))
    for role, pattern in (
        ("email", r"\be-?mail\b"),
        ("sector", r"\b(sector|industry|type of organi[sz]ation)\b"),
        ("organisation", r"\b(organi[sz]ation|company|employer|representing|on behalf of)\b"),
        ("region", r"\b(region|nation|where (do you live|are you based)|part of the uk|"
                   r"where in the uk|location)\b"),
        ("first_name", r"\b(first name|forename|given name)\b"),
        ("last_name", r"\b(last name|surname|family name)\b"),
        ("name", r"\b(name|enw)\b"),
        ("id", r"^(id|response id|respondent id|submission id|reference|ref|response number)$"),
        ("submitted", r"^(timestamp|submitted|submitted at|date submitted|submission date|"
                      r"submission time|completion time|date)$"),
    )
)  # fmt: skip
PERSON_ROLES = (*CONSENT_ROLES, *(role for role, _ in _ROLE_PATTERNS))
# Sub-headers SurveyMonkey writes under a plain answer column: they say nothing about it.
_PLAIN_SUBHEADERS = {"", "response", "open-ended response", "open ended response"}
_NUMBERED = regex.compile(
    r"^\s*(?:q(?:uestion)?\s*\.?\s*(\d{1,3})\b[\s.:)\-–—]*|(\d{1,3})\s*[.):\-–—]\s*)(.*)$",
    regex.IGNORECASE | regex.DOTALL,
)


@dataclass
class Column:
    """What one column of the file holds, and why we think so."""

    index: int
    header: str
    role: str  # question | a person role | id | submitted | ignore | unmatched
    question: int | None = None
    how: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "column": self.index + 1,
            "header": self.header,
            "role": self.role,
            "question": self.question,
            "how": self.how,
        }


def headers_of(records: list[list[str]], dialect: Dialect) -> tuple[list[str], list[str]]:
    """The main header and the sub-header (SurveyMonkey's second row; blanks otherwise).

    SurveyMonkey leaves the main header blank for the later parts of a multi-part
    question, so it is carried forward from the column before.
    """
    main = list(records[0])
    sub = list(records[1]) if dialect.header_rows > 1 and len(records) > 1 else [""] * len(main)
    if dialect.header_rows > 1:
        for j in range(1, len(main)):
            if not main[j].strip() and sub[j].strip():
                main[j] = main[j - 1]
    return main, sub


def person_role(header: str) -> str | None:
    """The person-detail role a header names, if any (UNCERTAIN: a person must say)."""
    text = norm_header(header)
    verdict = classify_header(text)
    if verdict.role is not None:
        return verdict.role
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(text):
            return role
    return None


def _question_score(header: str, texts: Sequence[str]) -> tuple[int | None, float]:
    """The best-matching question index and its score (0-100)."""
    text = norm_header(header)
    best, best_score = None, 0.0
    for i, q in enumerate(texts):
        score = fuzz.token_sort_ratio(text, q)
        if len(text) >= 40:  # long enough that a truncated question text is still telling
            score = max(score, fuzz.partial_ratio(text, q))
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def plan_columns(
    records: list[list[str]],
    dialect: Dialect,
    questions: Sequence[tuple[int, str, str]],
    overrides: dict[str, str] | None = None,
) -> list[Column]:
    """Assign a role to every column; `questions` are (number, text, label) triples.

    `overrides` (from a mapping file) maps a header to a role or "question N".
    """
    main, sub = headers_of(records, dialect)
    numbers = {n for n, _, _ in questions}
    q_texts = [norm_header(t) for _, t, _ in questions]
    q_labels = [norm_header(lbl) for _, _, lbl in questions]
    overrides = {norm_header(k): v for k, v in (overrides or {}).items()}
    columns: list[Column] = []
    for j, raw in enumerate(main):
        subheader = sub[j].strip() if j < len(sub) else ""
        shown = f"{raw} / {subheader}" if norm_header(subheader) not in _PLAIN_SUBHEADERS else raw
        columns.append(
            _classify(
                j, raw, subheader, shown, dialect, questions, numbers, q_texts, q_labels, overrides
            )
        )
    _dedupe(columns)
    return columns


def _classify(
    j: int, raw: str, subheader: str, shown: str, dialect: Dialect,
    questions: Sequence[tuple[int, str, str]], numbers: set[int],
    q_texts: list[str], q_labels: list[str], overrides: dict[str, str],
) -> Column:  # fmt: skip
    header = norm_header(raw)
    role: str | None
    for key in (norm_header(shown), header):
        if key in overrides:
            named = overrides[key]
            if named.startswith("question "):
                return Column(j, shown, "question", int(named.split()[1]), "mapping file")
            return Column(j, shown, named, None, "mapping file")
    if not header and not subheader:
        return Column(j, shown, "unmatched", None, "no header")
    if header in dialect.meta and not norm_header(subheader).strip(" -"):
        return Column(j, shown, dialect.meta[header], None, f"{dialect.name} column")
    sub_norm = norm_header(subheader)
    if sub_norm not in _PLAIN_SUBHEADERS:
        # Part of a multi-part question (SurveyMonkey contact details) or an "Other" box.
        role = person_role(subheader)
        if role is not None:
            return Column(j, shown, role, None, "sub-header")
        if "other" in sub_norm:
            return Column(j, shown, "unmatched", None, "an 'other' box of a choice question")
    m = _NUMBERED.match(raw)
    if m:
        number = int(m.group(1) or m.group(2))
        rest = norm_header(m.group(3) or "")
        role = person_role(rest) if rest else None
        q_index = next((i for i, (n, _, _) in enumerate(questions) if n == number), None)
        if number in numbers and q_index is not None:
            plausible = (
                not rest or role is None or fuzz.token_sort_ratio(rest, q_texts[q_index]) >= 60
            )
            if plausible:
                return Column(j, shown, "question", number, "by number")
        if role is not None:
            return Column(j, shown, role, None, _why(rest, role))
    index, score = _question_score(raw, q_texts)
    if index is not None and score >= 90:
        return Column(j, shown, "question", questions[index][0], f"by text ({score:.0f}%)")
    role = person_role(raw)
    if role == UNCERTAIN and index is not None and score >= QUESTION_THRESHOLD:
        return Column(j, shown, "question", questions[index][0], f"by text ({score:.0f}%)")
    if role is not None:
        return Column(j, shown, role, None, _why(raw, role))
    if index is not None and score >= QUESTION_THRESHOLD:
        return Column(j, shown, "question", questions[index][0], f"by text ({score:.0f}%)")
    label = process.extractOne(header, q_labels, scorer=fuzz.ratio, score_cutoff=90)
    if label is not None:
        return Column(j, shown, "question", questions[label[2]][0], "by label")
    return Column(j, shown, "unmatched", None, f"no question matched (best {score:.0f}%)")


def _why(header: str, role: str) -> str:
    verdict = classify_header(norm_header(header))
    return f"by header: {verdict.why}" if verdict.role == role else "by header"


def _dedupe(columns: list[Column]) -> None:
    """One column per question and per person role; later duplicates are reported, not used.

    Name-like roles may repeat (a name question plus the form's own Name column).
    """
    seen: dict[tuple[str, int | None], int] = {}
    for col in columns:
        # Several consent and naming columns are all read; the most cautious reading wins.
        if col.role in ("unmatched", "ignore", "name", "email", UNCERTAIN, *CONSENT_ROLES):
            continue
        key = (col.role, col.question)
        if key in seen:
            first = columns[seen[key]].index + 1
            col.how = f"duplicate of column {first}"
            col.role, col.question = "unmatched", None
        else:
            seen[key] = columns.index(col)
