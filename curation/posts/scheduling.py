"""When a post goes out: Europe/London wall times, recurring slots, and the pacing rules.

Times are stored in UTC beside the intended London wall time. A wall time that does
not exist (spring forward) is refused; one that happens twice (autumn back) needs an
explicit fold: 0 for the first (BST) occurrence, 1 for the second (GMT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation.config import LONDON
from curation.errors import UnusableInput, WorkflowError
from curation.store.foundation import Setting
from curation.store.posts import Post, PostingSlot, PostStatus

LOCAL_FORMAT = "%Y-%m-%d %H:%M"
RULES_SETTING = "posting_rules"
# Posts that count towards gaps, caps and repeats (everything that is or will be out there).
LIVE_STATUSES = (
    PostStatus.SCHEDULED.value,
    PostStatus.CLAIMED.value,
    PostStatus.SENDING.value,
    PostStatus.POSTED.value,
    PostStatus.UNKNOWN.value,
    PostStatus.NEEDS_RECONNECT.value,
    PostStatus.NOT_CONNECTED.value,
    PostStatus.READY_BY_HAND.value,
    PostStatus.POSTED_BY_HAND.value,
)


class NonexistentLocalTime(UnusableInput):
    """A London wall time skipped by the spring clock change."""


class AmbiguousLocalTime(UnusableInput):
    """A London wall time that happens twice at the autumn clock change; choose a fold."""

    def __init__(self, local: str, options: list[datetime]) -> None:
        self.local = local
        self.options = options
        listed = "; ".join(
            f"fold {i}: {o.strftime('%Y-%m-%d %H:%M')} UTC ({'BST' if i == 0 else 'GMT'})"
            for i, o in enumerate(options)
        )
        super().__init__(f"{local} happens twice in London; choose a fold ({listed})")


@dataclass(frozen=True)
class When:
    """A resolved schedule time: UTC instant, London wall text and fold."""

    utc: datetime
    local: str
    fold: int


@dataclass(frozen=True)
class Rules:
    """Pacing per account. Stored overrides live in the `posting_rules` setting."""

    min_gap_minutes: dict[str, int] = field(
        default_factory=lambda: {"x": 60, "bluesky": 30, "mastodon": 30, "outbox": 0}
    )
    # Posts per rolling 24 hours; X's free tier allows 17.
    daily_cap: dict[str, int] = field(
        default_factory=lambda: {"x": 17, "bluesky": 50, "mastodon": 50, "outbox": 1000}
    )
    repeat_window_days: int = 14

    def gap(self, network: str) -> timedelta:
        return timedelta(minutes=self.min_gap_minutes.get(network, 0))

    def cap(self, network: str) -> int:
        return self.daily_cap.get(network, 1000)


def load_rules(session: Session) -> Rules:
    """The stored rules, over the defaults."""
    row = session.get(Setting, RULES_SETTING)
    if row is None or not isinstance(row.value, dict):
        return Rules()
    base = Rules()
    stored: dict[str, Any] = row.value
    return Rules(
        min_gap_minutes={**base.min_gap_minutes, **stored.get("min_gap_minutes", {})},
        daily_cap={**base.daily_cap, **stored.get("daily_cap", {})},
        repeat_window_days=int(stored.get("repeat_window_days", base.repeat_window_days)),
    )


def parse_local(text: str, *, fold: int | None = None) -> When:
    """A London wall time "YYYY-MM-DD HH:MM" in UTC; refuses gaps and unresolved folds."""
    try:
        naive = datetime.strptime(text.strip(), LOCAL_FORMAT)
    except ValueError:
        raise UnusableInput(f"time {text!r} is not YYYY-MM-DD HH:MM") from None
    return resolve_local(naive, fold=fold)


def resolve_local(naive: datetime, *, fold: int | None = None) -> When:
    local = naive.strftime(LOCAL_FORMAT)
    first = naive.replace(tzinfo=LONDON, fold=0)
    second = naive.replace(tzinfo=LONDON, fold=1)
    if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"{local} does not exist in London (the clocks go forward); choose another time"
        )
    if first.utcoffset() != second.utcoffset():
        options = [first.astimezone(UTC), second.astimezone(UTC)]
        if fold not in (0, 1):
            raise AmbiguousLocalTime(local, options)
        return When(options[fold], local, fold)
    if fold not in (None, 0, 1):
        raise UnusableInput("fold must be 0 or 1")
    return When(first.astimezone(UTC), local, 0)


def from_utc(instant: datetime) -> When:
    """The London wall time (and fold) of a UTC instant, e.g. for "now"."""
    local = instant.astimezone(LONDON)
    return When(instant.astimezone(UTC), local.strftime(LOCAL_FORMAT), local.fold)


def check_rules(
    session: Session,
    *,
    network: str,
    at: datetime,
    quote_id: int,
    rules: Rules,
    exclude_post_id: int | None = None,
) -> None:
    """Refuse with `WorkflowError` when `at` breaks the gap, the daily cap or the repeat window."""
    live = Post.status.in_(LIVE_STATUSES)
    same = Post.network == network
    others = Post.id != exclude_post_id if exclude_post_id is not None else Post.id.is_not(None)
    gap = rules.gap(network)
    if gap:
        clash = session.scalar(
            select(Post.scheduled_at)
            .where(live, same, others, Post.scheduled_at > at - gap, Post.scheduled_at < at + gap)
            .limit(1)
        )
        if clash is not None:
            raise WorkflowError(
                f"{network}: another post is at {from_utc(clash).local} London; "
                f"posts need {int(gap.total_seconds() // 60)} minutes between them"
            )
    window = timedelta(hours=24)
    # The cap holds for every rolling 24 hours containing `at`; the densest window decides.
    nearby = session.scalars(
        select(Post.scheduled_at)
        .where(live, same, others, Post.scheduled_at > at - window, Post.scheduled_at < at + window)
        .order_by(Post.scheduled_at)
    ).all()
    times = sorted([*nearby, at])
    cap = rules.cap(network)
    for i, start in enumerate(times):
        inside = sum(1 for t in times[i:] if t < start + window)
        if inside > cap:
            raise WorkflowError(f"{network}: at most {cap} posts in any 24 hours")
    repeat = timedelta(days=rules.repeat_window_days)
    if repeat:
        again = session.scalar(
            select(func.count(Post.id)).where(
                live,
                same,
                others,
                Post.quote_id == quote_id,
                Post.scheduled_at > at - repeat,
                Post.scheduled_at < at + repeat,
            )
        )
        if again:
            raise WorkflowError(
                f"{network}: quote {quote_id} is already posted there within "
                f"{rules.repeat_window_days} days"
            )


def set_slots(session: Session, network: str, slots: list[tuple[int, str]]) -> list[PostingSlot]:
    """Replace `network`'s recurring slots with (weekday 0=Monday, "HH:MM") pairs."""
    from curation.posts.compose import NETWORKS

    if network not in NETWORKS:
        raise UnusableInput(f"unknown network {network!r}; use one of {', '.join(NETWORKS)}")
    for weekday, hhmm in slots:
        if not 0 <= weekday <= 6:
            raise UnusableInput(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
        try:
            datetime.strptime(hhmm, "%H:%M")
        except ValueError:
            raise UnusableInput(f"slot time {hhmm!r} is not HH:MM") from None
    for old in session.scalars(select(PostingSlot).where(PostingSlot.network == network)):
        session.delete(old)
    session.flush()
    rows = [PostingSlot(network=network, weekday=w, local_time=t) for w, t in sorted(set(slots))]
    session.add_all(rows)
    session.flush()
    return rows


def list_slots(session: Session, network: str) -> list[PostingSlot]:
    return list(
        session.scalars(
            select(PostingSlot)
            .where(PostingSlot.network == network)
            .order_by(PostingSlot.weekday, PostingSlot.local_time)
        )
    )


def next_slot(
    session: Session,
    *,
    network: str,
    after: datetime,
    quote_id: int,
    rules: Rules,
    weeks: int = 8,
) -> When:
    """The first recurring slot after `after` that the rules allow."""
    slots = list_slots(session, network)
    if not slots:
        raise UnusableInput(f"no posting slots are set for {network}")
    start: date = after.astimezone(LONDON).date()
    for offset in range(weeks * 7):
        day = start + timedelta(days=offset)
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            hour, minute = (int(p) for p in slot.local_time.split(":"))
            try:
                when = resolve_local(datetime(day.year, day.month, day.day, hour, minute), fold=0)
            except NonexistentLocalTime:
                continue
            if when.utc <= after:
                continue
            try:
                check_rules(session, network=network, at=when.utc, quote_id=quote_id, rules=rules)
            except WorkflowError:
                continue
            return when
    raise WorkflowError(f"no free {network} slot in the next {weeks} weeks")
