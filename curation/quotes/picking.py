"""What the picker shows for one response: its text, sentences, suggestions, and a live preview."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.errors import ConsentError, UnusableInput
from curation.quotes.personal_data import Finding, find_personal_data
from curation.quotes.spans import Sentence, Span, quote_text, sentences
from curation.quotes.suggest import Suggestion, suggest_quotes
from curation.rights.gate import ConsentGate
from curation.store.base import get_or_not_found
from curation.store.foundation import Response


@dataclass(frozen=True)
class PickView:
    response_id: int
    text: str
    question_number: int
    question_label: str
    question_text: str
    attribution: str
    respondent_name: str | None
    missions: list[str]
    sentences: list[Sentence]
    suggestions: list[Suggestion]


@dataclass(frozen=True)
class Preview:
    """The quote the current selection would save, or why it cannot be saved."""

    text: str = ""
    length: int = 0
    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None


def pick_view(session: Session, actor: Actor, response_id: int, *, limit: int = 3) -> PickView:
    """Everything the picker needs for a quotable response (refuses any other)."""
    require(actor, Permission.PICK_QUOTES)
    response = get_or_not_found(session, Response, response_id, "response")
    person = response.respondent
    gate = ConsentGate.of(session)
    if not gate.may_quote(person):
        raise ConsentError(f"response {response_id}: the respondent may not be quoted")
    question = response.question
    themes = list(question.consultation.themes)
    return PickView(
        response_id=response.id,
        text=response.text,
        question_number=question.number,
        question_label=question.label,
        question_text=question.text,
        attribution=gate.credit(person),
        respondent_name=person.name,
        missions=[t.name for t in response.themes],
        sentences=sentences(response.text),
        suggestions=suggest_quotes(
            response.text,
            question_text=question.text,
            themes=themes,
            respondent_name=person.name,
            limit=limit,
        ),
    )


def spans_from_sentences(view: PickView, chosen: Iterable[int]) -> list[Span]:
    """Spans for the chosen sentence indexes; adjacent sentences merge into one span."""
    spans: list[Span] = []
    last = -2
    for index in sorted(set(chosen)):
        if not 0 <= index < len(view.sentences):
            raise UnusableInput(f"no sentence {index + 1} in this response")
        sentence = view.sentences[index]
        if spans and index == last + 1:
            spans[-1] = Span(spans[-1].start, sentence.end)
        else:
            spans.append(Span(sentence.start, sentence.end))
        last = index
    return spans


def preview(view: PickView, spans: Sequence[Span]) -> Preview:
    """The quote text the spans give, its length and any personal-data findings."""
    try:
        text = quote_text(view.text, spans)
    except UnusableInput as exc:
        return Preview(problem=str(exc))
    return Preview(text, len(text), find_personal_data(text, respondent_name=view.respondent_name))
