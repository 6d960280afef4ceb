"""Alt text for a card: the quote, who said it, who published it, and what the image shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from curation.cards.fonts import normalise

if TYPE_CHECKING:
    from curation.cards.brand import Brand
    from curation.cards.render import CardContent

MAX_ALT_TEXT = 1000

_LOOKS = {
    "bold": "the quote in large bold lettering on the brand's dark colour, with big "
    "quotation marks and a short accent bar above the attribution",
    "band": "a header band naming the consultation question, then the quote in dark text "
    "on a light background",
    "photo": "the quote in large white lettering over the brand's picture, darkened behind "
    "the text",
    "editorial": "the quote in italic dark text on a light background beside a vertical "
    "accent rule, in an editorial style",
}
_FORMATS = {
    "square": "A square", "portrait": "A portrait", "landscape": "A landscape",
    "story": "A tall story", "link": "A link-preview",
}  # fmt: skip


def describe(content: CardContent, template: str, fmt: str, brand: Brand) -> str:
    """At most 1,000 characters; a long quote is shortened with an ellipsis, never reworded."""
    question = ""
    if content.question_label:
        number = f"question {content.question_number}" if content.question_number else "a question"
        question = f" answering {number} ({content.question_label})"
    where = (
        f" in the consultation “{content.consultation_title}”" if content.consultation_title else ""
    )
    shows = (
        f"{_FORMATS.get(fmt, 'A')} quote card from {brand.organisation}{question}{where}. "
        f"It shows {_LOOKS.get(template, 'the quote')}, with the {brand.organisation} logo "
        f"and {brand.handle}."
    )
    attribution = f" — {normalise(content.attribution)}." if content.attribution else ""
    room = MAX_ALT_TEXT - len(shows) - len(attribution) - len("Quote: “”. ")
    quote = normalise(content.text)
    if len(quote) > room:
        quote = quote[: max(0, room - 1)].rstrip() + "…"
    text = f"Quote: “{quote}”{attribution} {shows}"
    return text[:MAX_ALT_TEXT]
