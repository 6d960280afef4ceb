"""Which consent or naming question a column asks, and its polarity; never guessed.

`classify_header` returns a role only when the header's wording makes both the role and
its polarity certain ("May we use your name?" yes = named; "Would you like to remain
anonymous?" yes = anonymous). A header that speaks of consent, quoting, names or
anonymity in any other way is *uncertain*: the import stops and asks which role it has.
"Social media" is a place to publish, not a recording, so it never makes a column a
media-consent column.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from curation.rights.readings import ReadingRole

# Column roles a consent or naming column may have, beside `media_consent`.
CONSENT = "consent"  # may we quote you? (yes = quotable; combined answers understood)
CONSENT_ANONYMOUS = "consent_anonymous"  # may we quote you anonymously? (yes = anonymous)
NAME_PERMISSION = "name_permission"  # may we use your name? (yes = named, no = anonymous)
ANONYMITY = "anonymity"  # would you like to remain anonymous? (yes = anonymous, no = named)
NAMING_CHOICE = "naming_choice"  # named or anonymous? (answers name the choice)
MEDIA_CONSENT = "media_consent"  # may we use your recording (audio, video, photo)?
UNCERTAIN = "uncertain"  # looks consent- or name-related; a person must say which

READING_ROLES = (CONSENT, CONSENT_ANONYMOUS, NAME_PERMISSION, ANONYMITY, NAMING_CHOICE)
CONSENT_ROLES = (*READING_ROLES, MEDIA_CONSENT)
ROLE_HELP = {
    CONSENT: "may we quote you? (yes = quotable)",
    CONSENT_ANONYMOUS: "may we quote you anonymously? (yes = quotable without a name)",
    NAME_PERMISSION: "may we use your name? (yes = named, no = anonymous)",
    ANONYMITY: "would you like to stay anonymous? (yes = anonymous, no = named)",
    NAMING_CHOICE: "named or anonymous? (the answers say which)",
    MEDIA_CONSENT: "may we use your recording (audio, video, photos)?",
}
# Short names for tables.
ROLE_LABELS = {
    CONSENT: "consent to quote",
    CONSENT_ANONYMOUS: "consent to quote anonymously",
    NAME_PERMISSION: "may we use your name",
    ANONYMITY: "stay anonymous?",
    NAMING_CHOICE: "named or anonymous",
    MEDIA_CONSENT: "consent to use recording",
    UNCERTAIN: "needs your answer",
}
# How the answers of each role are read (see curation.rights.readings).
READING_ROLE_OF = {
    CONSENT: ReadingRole.CONSENT,
    CONSENT_ANONYMOUS: ReadingRole.CONSENT_ANONYMOUS,
    NAME_PERMISSION: ReadingRole.NAME_PERMISSION,
    ANONYMITY: ReadingRole.ANONYMITY,
    NAMING_CHOICE: ReadingRole.NAMING_CHOICE,
}


@dataclass(frozen=True)
class HeaderVerdict:
    role: str | None  # one of CONSENT_ROLES, UNCERTAIN, or None when unrelated
    why: str


def _rx(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.IGNORECASE)


# Phrases that only give context ("if we quote you", "alongside your quote") and say
# nothing about what is asked.
_CONTEXT = (
    _rx(r"\b(if|when|where|once|should) (we|you) (do |decide to )?(quote|use|share|publish|"
        r"feature|include)\w*( (you|your|it|them|this|any|some|part)\w*)?( (of )?(your )?"
        r"(response|answer|words|comments?|views?|submission)s?)?\b"),
    _rx(r"\b(alongside|with|next to|beside|under|below|above|in|on|for|to) (your|the|any|each|a) "
        r"(quote|quotes|quotation|response|responses|answer|answers|comment|comments|words|"
        r"views?|post|posts)\b"),
    _rx(r"\b(for example|e\.?g\.?|such as|like|including) (on |in )?(our |the )?(website|"
        r"twitter|x|facebook|linkedin|instagram|bluesky|mastodon|newsletter|reports?)\b"),
)  # fmt: skip
_SOCIAL = _rx(r"\bsocial[\s-]+media\b|\bmedia (channels?|accounts?|platforms?|posts?)\b")
_MEDIA = _rx(r"\b(videos?|audio|recordings?|recorded|clips?|photos?|photographs?|images?|"
             r"films?|filmed|footage|voice|voices|media|fideo|sain|recordiad)\b")  # fmt: skip
_PERMISSION = _rx(r"\b(consent|permission|agree|agreed|happy|may|can|could|allow|ok|okay|"
                  r"use|share|publish|release|caniatâd|caniatad)\b")  # fmt: skip
_QUOTE = _rx(
    r"\b(quote|quoted|quotes|quoting|quotation|consent|consents|permission|publish|published|"
    r"publicly|public|share|shared|sharing|reproduce|dyfynnu|dyfynnu|caniatâd|caniatad|"
    r"cyhoeddi|rhannu)\b|\b(use|used|using)\b.{0,40}\b(response|responses|answer|answers|"
    r"words|comments?|views?|submission)\b|\b(response|responses|answer|answers|words|comments?|"
    r"views?|submission)\b.{0,40}\b(be )?(used|quoted|shared|published)\b"
)
_NAME = _rx(r"\b(name|names|named|naming|credit|credited|crediting|attribute|attributed|"
            r"attribution|identify|identified|identifiable|initials|enw|enwi)\b")  # fmt: skip
_ANON = _rx(r"\banonym\w*|\bwithh[oe]ld\w*|\bunnamed\b|\bdienw\b|\bwithout (your |a )?name\b|"
            r"\b(hide|keep) your (name|identity)\b|\bconfidential\w*")  # fmt: skip
_NEGATION = _rx(r"\b(not|n't|never|no|without)\b|n't\b")
_NAME_VERB = _rx(r"\b(may|can|could|should|shall|happy|ok|okay|agree|consent|permission|allow|"
                 r"want|wish|like|prefer|would you|do you|are you|use|using|include|including|"
                 r"publish|print|show|display|mention|credit|credited|attribute|attributed|"
                 r"identify|identified|named|name you|name me)\b")  # fmt: skip
# "... not to be named", "your name not to be used": yes = anonymous.
_NAME_NOT = _rx(r"\bnot (to )?(be )?(named|credited|identified|attributed|use|used|include|"
                r"included|publish|published|show|shown|print|printed)\b|\bname not\b|"
                r"\bnot (use|include|publish|print|show) your name\b")  # fmt: skip
_CHOICE = _rx(
    r"\b(named|name|by name|credited)\b.*\bor\b.*\banonym|\banonym\w*\b.*\bor\b.*"
    r"\b(named|name|by name|credited)\b|\bhow (would|should|do) (you|we)\b.*\b(credit|"
    r"name|attribut|identif)|\bhow .*\b(credited|named|attributed|identified)\b"
)
# Anything consent- or name-related: a header we must not ignore or guess about.
_RELATED = _rx(r"consent|quot|permission|anonym|withh[oe]ld|credit|attribut|publish|caniat|"
               r"dienw|dyfyn|confidential|refer to you|describe you|call you|mention you|"
               r"identity")  # fmt: skip
# Agreeing to a privacy notice or terms is not consent to be quoted.
_NOTICE = _rx(r"\b(privacy|data protection|terms|conditions|cookies?|gdpr|notice|policy|"
              r"contact(ed)?|newsletter|mailing list|updates)\b")  # fmt: skip


def _context_free(header: str) -> str:
    text = _SOCIAL.sub(" social-networks ", header)
    for pattern in _CONTEXT:
        text = pattern.sub(" ", text)
    return regex.sub(r"\s+", " ", text).strip()


def classify_header(header: str) -> HeaderVerdict:
    """The consent role and polarity a header asks about, or UNCERTAIN, or None (unrelated)."""
    text = _context_free(header)
    if _NOTICE.search(text) and not regex.search(r"\bquot", text, regex.IGNORECASE):
        return HeaderVerdict(None, "")
    media, quote = bool(_MEDIA.search(text)), bool(_QUOTE.search(text))
    name, anon = bool(_NAME.search(text)), bool(_ANON.search(text))
    negated = bool(_NEGATION.search(_ANON.sub(" ", text)))
    choice = bool(_CHOICE.search(text))
    if media:
        if quote and not (name or anon) and _PERMISSION.search(text):
            if regex.search(r"\b(quote|quoted|quoting|written|text)\b", text, regex.IGNORECASE):
                return HeaderVerdict(UNCERTAIN, "asks about recordings and quotes together")
            return HeaderVerdict(MEDIA_CONSENT, "permission to use a recording")
        if _PERMISSION.search(text) and not (name or anon):
            return HeaderVerdict(MEDIA_CONSENT, "permission to use a recording")
        if name or anon or quote:
            return HeaderVerdict(UNCERTAIN, "asks about recordings and names together")
        return HeaderVerdict(None, "")
    if quote:
        if not (name or anon):
            if negated:
                return HeaderVerdict(UNCERTAIN, "a consent question worded in the negative")
            return HeaderVerdict(CONSENT, "asks for consent to quote (yes = quotable)")
        if choice or (anon and not negated):
            return HeaderVerdict(
                CONSENT_ANONYMOUS, "consent to quote that leaves the name open (yes = anonymous)"
            )
        if name and not anon and not negated:
            return HeaderVerdict(CONSENT, "consent to quote with the name (yes = named)")
        return HeaderVerdict(UNCERTAIN, "consent and naming in one negatively worded question")
    if choice:
        return HeaderVerdict(NAMING_CHOICE, "asks whether to be named or anonymous")
    if anon:
        if negated:
            return HeaderVerdict(UNCERTAIN, "an anonymity question worded in the negative")
        return HeaderVerdict(ANONYMITY, "asks about staying anonymous (yes = anonymous)")
    if name and _NAME_VERB.search(text):
        if _NAME_NOT.search(text) and len(_NEGATION.findall(text)) == 1:
            return HeaderVerdict(ANONYMITY, "asks about not being named (yes = anonymous)")
        if negated:
            return HeaderVerdict(UNCERTAIN, "a naming question worded in the negative")
        if regex.search(r"\b(what|which|your full|please (enter|give|tell|provide))\b", text,
                        regex.IGNORECASE):  # fmt: skip
            return HeaderVerdict(None, "")  # "What is your name?": an identity column
        return HeaderVerdict(NAME_PERMISSION, "asks permission to use the name (yes = named)")
    if _RELATED.search(text):
        return HeaderVerdict(UNCERTAIN, "mentions consent, quoting or naming in a way not known")
    return HeaderVerdict(None, "")
