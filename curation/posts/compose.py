"""Post text: default wording from a template, and each network's real length rule.

X counts by its weighted rule (twitter-text-parser: URLs count 23, CJK and emoji 2),
Bluesky counts graphemes, Mastodon counts characters (URLs as 23, as its server does).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import regex
from twitter_text import parse_tweet

from curation.config import load_settings
from curation.store.posts import NETWORKS as POST_NETWORKS

LIMITS: dict[str, int] = {"x": 280, "bluesky": 300, "mastodon": 500, "outbox": 3000}
NETWORKS = POST_NETWORKS
_URL = regex.compile(r"https?://\S+")
_MASTODON_URL_WEIGHT = 23

TEMPLATES: dict[str, str] = {
    "teaser": "“{quote}”\n— {attribution}\n\n{question}\n\n{hashtags} {link}",
    "short": "“{quote}” — {attribution} {hashtags} {link}",
    "question": "{question}\n\nOne view: “{quote}” — {attribution}\n\n{hashtags} {link}",
}
DEFAULT_TEMPLATE = "teaser"
DEBATE_TEMPLATE = "What do you think? {question} {link}"


def count(network: str, text: str) -> int:
    """The length of `text` as `network` counts it."""
    if network == "x":
        return int(parse_tweet(text).weightedLength)
    if network == "bluesky":
        return len(regex.findall(r"\X", text))
    if network == "mastodon":
        urls = _URL.findall(text)
        return len(_URL.sub("", text)) + _MASTODON_URL_WEIGHT * len(urls)
    return len(text)


def limit(network: str) -> int:
    return LIMITS[network]


def fits(network: str, text: str) -> bool:
    return count(network, text) <= LIMITS[network]


@dataclass(frozen=True)
class Counter:
    """What a live counter shows: used, the limit, and whether it fits."""

    network: str
    used: int
    limit: int

    @property
    def ok(self) -> bool:
        return self.used <= self.limit

    def label(self) -> str:
        return f"{self.used}/{self.limit}"


def counter(network: str, text: str) -> Counter:
    return Counter(network, count(network, text), LIMITS[network])


def brand_hashtags() -> list[str]:
    """Hashtags from the brand kit (assets/brand.toml `hashtags`), '#'-prefixed."""
    try:
        from curation.cards.brand import load_brand  # the brand kit reader (cards)

        tags = list(load_brand(check_files=False).hashtags)
    except Exception:
        tags = _hashtags_from_toml(load_settings().assets_dir / "brand.toml")
    return [t if t.startswith("#") else f"#{t}" for t in tags if t]


def _hashtags_from_toml(path: Path) -> list[str]:
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    tags = data.get("hashtags") or data.get("social", {}).get("hashtags") or []
    return [str(t) for t in tags]


def _shorten(text: str, max_graphemes: int) -> str:
    graphemes = regex.findall(r"\X", text)
    if len(graphemes) <= max_graphemes:
        return text
    # Cut at a word boundary and mark the cut: the words kept are still the respondent's own.
    cut = "".join(graphemes[: max_graphemes - 1]).rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def default_text(
    network: str,
    *,
    quote: str,
    attribution: str,
    question: str,
    link: str | None,
    hashtags: list[str] | None = None,
    template: str | None = None,
) -> str:
    """Fill `template` and make it fit `network`, giving up the respondent's words last.

    First hashtags go, then the question (the debate follow-up can still ask it), and only
    then is the quote shortened, with an ellipsis.
    """
    pattern = TEMPLATES.get(template or DEFAULT_TEMPLATE, TEMPLATES[DEFAULT_TEMPLATE])
    tags = list(brand_hashtags() if hashtags is None else hashtags)

    def fill(quote_text: str, question_text: str, kept_tags: list[str]) -> str:
        text = pattern.format(
            quote=quote_text,
            attribution=attribution,
            question=question_text,
            hashtags=" ".join(kept_tags),
            link=link or "",
        )
        lines = "\n".join(line.strip() for line in text.splitlines())
        return regex.sub(r"\n{3,}", "\n\n", lines).strip()

    # The respondent's words are given up last: first hashtags, then the question.
    for question_text in dict.fromkeys([question, ""]):
        for kept in range(len(tags), -1, -1):
            text = fill(quote, question_text, tags[:kept])
            if fits(network, text):
                return text
    budget = len(regex.findall(r"\X", quote))
    while budget > 40:
        budget -= 10
        text = fill(_shorten(quote, budget), "", [])
        if fits(network, text):
            return text
    return text  # the caller's check reports it too long


def debate_text(network: str, *, question: str, link: str | None) -> str:
    """The follow-up reply that poses the consultation question."""
    text = DEBATE_TEMPLATE.format(question=question, link=link or "").strip()
    if not fits(network, text):
        text = DEBATE_TEMPLATE.format(question=_shorten(question, 200), link=link or "").strip()
    return text
