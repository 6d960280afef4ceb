"""Times and dates the same way on every page: en-GB, London time, "Tue 10 Mar 2026, 12:30".

Plain Python, so the core (audit sentences), pages (through `ui.formatting`) and tests share
it. Names of days and months are spelled here, not by the machine's locale, so every server
shows the same words.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from curation.config import LONDON

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NEVER = "never"


def human_date(day: date | datetime | None, empty: str = "") -> str:
    """ "Tue 10 Mar 2026" (a datetime is first put in London time)."""
    if day is None:
        return empty
    if isinstance(day, datetime):
        day = _london(day).date()
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def human_time(moment: datetime | str | None, empty: str = "") -> str:
    """ "Tue 10 Mar 2026, 12:30" in London time; `empty` for None (e.g. "never").

    A naive datetime is taken as UTC (how the store keeps times); an ISO string is parsed.
    """
    if moment is None or moment == "":
        return empty
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = _london(moment)
    return f"{human_date(local.date())}, {local:%H:%M}"


def _london(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)
