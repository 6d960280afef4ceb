"""Campaign and near-duplicate groups: templates and light edits found, look-alikes left apart."""

from __future__ import annotations

import itertools
import random

import numpy as np

from curation.analysis import campaigns, tokens

TOPICS = (
    "buses rail fares trains stations timetable routes drivers",
    "housing rents homes landlords council estates repairs damp",
    "schools teachers pupils classes funding exams tutoring nurseries",
    "health clinics doctors waiting lists nurses dentists care pharmacies",
    "jobs wages apprenticeships training employers skills colleges shifts",
)
FILLER = (
    "we", "our", "the", "in", "town", "people", "need", "more", "and", "less", "for", "local",
    "families", "every", "week", "since", "years", "now", "very", "really", "much", "this",
)  # fmt: skip
TEMPLATES = [
    "As a resident I support the campaign for fair funding of the north. Ministers promised "
    "that levelling up would reach towns like ours, yet the money has gone to bids written by "
    "consultants. We ask for long term settlements, decided locally, for transport, housing "
    "and skills, with a clear report each year of what was spent and what changed.",
    "I am writing as part of the Save Our Buses campaign. Since the cuts our villages have "
    "lost the evening and Sunday services, and young people cannot reach college or work. "
    "Please restore the routes, cap fares at two pounds, and give the county the power to run "
    "the network itself so that decisions are made by those who depend on it.",
    "Our coalition of food banks asks the government to measure levelling up by the number of "
    "families who no longer need emergency parcels. The missions talk about pride in place but "
    "say nothing about the cost of living, benefit levels or insecure work, which are the real "
    "reasons people come to us every single week of the year.",
    "On behalf of the Coastal Towns Alliance: seaside places have the worst health outcomes "
    "and the lowest wages in the country, yet the white paper barely mentions them. We want a "
    "dedicated coastal mission, ring fenced money for regeneration, and a minister who visits "
    "in winter, not only in the summer season when the car parks are full.",
]
GREETINGS = ("Dear Sir or Madam,", "Hello,", "To whom it may concern,", "Hi there.")
SIGN_OFFS = ("Thank you.", "Regards, a worried parent.", "Please act now.", "Many thanks")


def _light_edit(rng: random.Random, text: str) -> str:
    """What people do to a template: a greeting, a sign-off, a word or two swapped or dropped."""
    words = text.split()
    for _ in range(rng.randint(0, 2)):
        i = rng.randrange(len(words))
        words[i] = rng.choice(("very", "truly", "really", "our", "local", "urgently"))
    if rng.random() < 0.5:
        del words[rng.randrange(len(words))]
    if rng.random() < 0.3:
        words = [w.lower() for w in words]
    out = " ".join(words)
    if rng.random() < 0.5:
        out = f"{rng.choice(GREETINGS)} {out}"
    if rng.random() < 0.5:
        out = f"{out} {rng.choice(SIGN_OFFS)}"
    return out


def _look_alike(rng: random.Random) -> str:
    """A genuine answer: one topic's words and common filler, in a person's own order."""
    topic = rng.choice(TOPICS).split()
    words = [rng.choice(topic) if rng.random() < 0.35 else rng.choice(FILLER)
             for _ in range(rng.randint(25, 70))]  # fmt: skip
    return " ".join(words).capitalize() + "."


def _paraphrase(rng: random.Random, template: str) -> str:
    """Someone who read the campaign and wrote their own answer on the same points."""
    words = template.split()
    start = rng.randrange(0, len(words) - 12)
    borrowed = " ".join(words[start : start + 6])  # quotes one short phrase at most
    return f"{_look_alike(rng)} I agree that {borrowed} but {_look_alike(rng).lower()}"


def generated_set(seed: int = 19) -> tuple[list[str], list[int]]:
    """Texts and their true group (template number, or -1 for an independent answer)."""
    rng = random.Random(seed)
    texts: list[str] = []
    truth: list[int] = []
    for number, template in enumerate(TEMPLATES):
        for _ in range(rng.randint(15, 40)):
            texts.append(template if rng.random() < 0.3 else _light_edit(rng, template))
            truth.append(number)
    for _ in range(300):
        texts.append(_look_alike(rng))
        truth.append(-1)
    for _ in range(60):
        texts.append(_paraphrase(rng, rng.choice(TEMPLATES)))
        truth.append(-1)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [truth[i] for i in order]


def _pairs(labels: list[int] | np.ndarray) -> set[tuple[int, int]]:
    by_group: dict[int, list[int]] = {}
    for i, g in enumerate(labels):
        if g >= 0:
            by_group.setdefault(int(g), []).append(i)
    return {p for members in by_group.values() for p in itertools.combinations(members, 2)}


def _groups(texts: list[str], partition: np.ndarray | None = None) -> np.ndarray:
    enc = tokens.encode(texts)
    sketch, usable = campaigns.sketches(enc)
    return campaigns.find_groups(sketch, usable, partition)


def test_precision_and_recall_on_templates_edits_and_look_alikes() -> None:
    """Pairs put in one group: precision and recall are both at least 0.95."""
    texts, truth = generated_set()
    found = _pairs(_groups(texts))
    expected = _pairs(truth)
    true_pairs = len(found & expected)
    precision = true_pairs / len(found)
    recall = true_pairs / len(expected)
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall


def test_the_measure_holds_on_other_seeds() -> None:
    """Not tuned to one draw: three more generated sets also reach 0.95 both ways."""
    for seed in (1, 2, 3):
        texts, truth = generated_set(seed)
        found, expected = _pairs(_groups(texts)), _pairs(truth)
        assert len(found & expected) / len(found) >= 0.95
        assert len(found & expected) / len(expected) >= 0.95


def test_light_edits_stay_above_the_threshold() -> None:
    """A template with a greeting and one swapped word is at least THRESHOLD alike (exactly)."""
    edited = "Hello, " + TEMPLATES[1].replace("evening", "late")
    assert campaigns.jaccard(TEMPLATES[1], edited) >= campaigns.THRESHOLD
    assert campaigns.jaccard(TEMPLATES[0], TEMPLATES[1]) < 0.1


def test_groups_never_cross_questions() -> None:
    """The same text answering two questions is two groups, not one."""
    texts = [TEMPLATES[0]] * 4
    labels = _groups(texts, np.array([1, 1, 2, 2]))
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]


def test_short_answers_never_group() -> None:
    """Short answers coincide without copying: "I agree with the plan." never forms a group."""
    labels = _groups(["I agree with the plan."] * 5 + [TEMPLATES[2]] * 2)
    assert list(labels[:5]) == [-1] * 5
    assert labels[5] == labels[6] >= 0


def test_grouping_is_deterministic() -> None:
    """The same answers give the same groups every time (no random seed at run time)."""
    texts, _ = generated_set(7)
    assert np.array_equal(_groups(texts), _groups(texts))
