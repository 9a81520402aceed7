"""Partial ISO dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``): the one home of their pattern, their
parsing and the ACLED rule for turning them into one full date.

Seeds, the validator and the exporters all read dates through this module.
"""

from __future__ import annotations

import datetime as dt
import re

#: A partial ISO date: year, optionally month, optionally day.
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
#: Longest range (days, inclusive) ACLED still codes with time_precision 2 ("specific week").
ACLED_WEEK_DAYS: int = 7


def parse_partial_date(value: str) -> tuple[dt.date, dt.date, str]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> (first day, last day, precision day|month|year);
    ValueError if the text is not such a date or names an impossible day."""
    m = PARTIAL_DATE.match(value)
    if not m:
        raise ValueError(value)
    y, mo, d = m.groups()
    year = int(y)
    if d:
        day = dt.date(year, int(mo), int(d))
        return day, day, "day"
    if mo:
        month = int(mo)
        first = dt.date(year, month, 1)
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1), "month"
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"


def parse_date(value: str) -> tuple[str, str]:
    """(the text, its precision day|month|year) for a valid partial date; ValueError otherwise."""
    _, _, precision = parse_partial_date(value)
    return value, precision


def acled_date(start: str, end: str | None = None) -> tuple[str, int]:
    """(full ISO date, ACLED time_precision) for an event dated ``start`` (partial) to ``end``.

    ACLED codebook: 1 = the actual day is known; 2 = only the week (or a span of days up to a week)
    is known, coded on the middle day; 3 = only the month is known, coded on its middle day (the
    15th). Coarser spans than ACLED knows (a year, a range over a week) are coded like 3: on the
    middle day of the span.
    """
    first, last, _ = parse_partial_date(start)
    if end:
        last = parse_partial_date(end)[1]
    days = (last - first).days + 1
    if days == 1:
        return first.isoformat(), 1
    middle = first + dt.timedelta(days=(days - 1) // 2)
    if days <= ACLED_WEEK_DAYS:
        return middle.isoformat(), 2
    if first.day == 1 and (last + dt.timedelta(days=1)).day == 1 and first.month == last.month and first.year == last.year:
        return dt.date(first.year, first.month, 15).isoformat(), 3
    return middle.isoformat(), 3


def unix_time(day: str) -> int:
    """Seconds since 1970-01-01T00:00Z at 00:00 UTC of a full ISO date."""
    d = dt.date.fromisoformat(day)
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp())
