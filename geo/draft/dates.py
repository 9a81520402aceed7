"""Date expressions normalised against the article's date to the atlas's partial ISO dates.

Found by patterns over dateparser's English vocabulary (its month and weekday names and
abbreviations, from its locale data), turned into dates by the rules below; dateparser's own
parser reads any day-month expression those rules do not recognise:

* "Tuesday, 16 January 2024" -> ``2024-01-16``; the weekday is checked (a mismatch is flagged);
* "22-24 April 2024", "from 22 to 24 April 2024" -> ``2024-04-22`` (the first day; the last is
  ``value_end``, and an event drafted from it gets ``event_date_end``);
* "17 January" / "January 17" -> the article's year, or the year before when that would be after
  the article's date (a news report does not date events in the future without saying so);
* "June 2025" -> ``2025-06``; "in June" -> the article's year, or the year before as above;
* "2011", "early 2024", "late 2025" -> the year; "the 1990s" -> no partial ISO date: unresolved;
* "yesterday", "on Tuesday" (the last Tuesday up to the article's date), "three days ago",
  "last month", "last year", "this week" / "last week" (its month when the week lies in one month,
  else unresolved);
* "a day after", "two days later", "the next day" -> counted from the last day-precise date
  before it in the text; with no such date, unresolved.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")


@functools.cache
def vocabulary() -> tuple[dict[str, int], dict[str, int]]:
    """(month word -> 1..12, weekday word -> 0..6) from dateparser's English locale."""
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale("en").info
    months = {}
    for num, month in enumerate(MONTHS, start=1):
        for word in info.get(month, [month]):
            if len(word) >= 3:
                months[word.lower()] = num
    months["sept"] = 9
    days = {}
    for num, day in enumerate(WEEKDAYS):
        for word in info.get(day, [day]):
            if len(word) >= 3:
                days[word.lower()] = num
    return months, days


@dataclass
class DateMention:
    text: str
    start: int
    end: int
    value: str | None
    reason: str = ""
    flag: str = ""
    first: dt.date | None = field(default=None, repr=False)
    #: the last day of a range ("22-24 April 2024"), else None
    value_end: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end, "value": self.value,
                               "reason": self.reason}
        if self.flag:
            out["flag"] = self.flag
        if self.value_end:
            out["value_end"] = self.value_end
        return out


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    months, days = vocabulary()
    mon = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    wd = "|".join(sorted((re.escape(d) for d in days), key=len, reverse=True))
    M = rf"(?P<mon>(?:{mon}))\.?"
    W = rf"(?:(?P<wd>{wd})\.?,?\s+(?:the\s+)?)?"
    D = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
    Y = r"(?:,?\s+(?P<year>(?:1[89]|20)\d\d))?"
    num = "|".join(NUMBER_WORDS) + r"|\d+"
    flags = re.IGNORECASE
    return [
        ("range", re.compile(rf"\b(?:from\s+)?(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s*(?:-|–|to|and|until)\s*"
                             rf"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?\s+{M}{Y}\b", flags)),
        ("dmy", re.compile(rf"\b{W}{D}\s+(?:of\s+)?{M}{Y}\b", flags)),
        ("mdy", re.compile(rf"\b{W}{M}\s+{D}\b{Y}\b(?!\s*(?:km|per|%|million|billion))", flags)),
        ("my", re.compile(rf"\b(?:(?P<part>early|mid|late|end of|the end of)[\s-]+)?{M},?\s+(?P<year>(?:1[89]|20)\d\d)\b", flags)),
        ("decade", re.compile(r"\b(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?P<dec>(?:1[89]|20)\d0)s\b", flags)),
        ("py", re.compile(r"\b(?P<part>early|mid|late|end of|the end of)[\s-]+(?P<year>(?:1[89]|20)\d\d)\b", flags)),
        ("rel_n", re.compile(rf"\b(?P<n>{num})\s+(?P<unit>days?|weeks?|months?|years?)\s+(?P<dir>later|after|earlier|before|ago)\b", flags)),
        ("rel_next", re.compile(r"\b(?:the\s+)?(?P<which>next|following|previous)\s+day\b", flags)),
        ("rel_word", re.compile(r"\b(?P<w>yesterday|today|tonight|last night)\b", flags)),
        ("rel_period", re.compile(r"\b(?P<which>last|this|next|earlier this|later this)\s+(?P<unit>week|month|year)\b", flags)),
        ("m_alone", re.compile(rf"\b(?P<cue>in|since|by|until|from|of|early|late|mid|last|this|during|before|after)\s+(?P<mon>{mon})\b(?!\s+\d)", flags)),
        ("wd", re.compile(rf"\b(?:(?P<cue>on|last|this|since|by|until)\s+)?(?P<wd>{wd})\b(?!,?\s+(?:the\s+)?[0-3]?\d)", flags)),
        ("year", re.compile(r"(?<![\d,.$€£])\b(?P<year>(?:19[5-9]|20[0-4])\d)\b(?![\d,.]\d|s\b|\s*(?:km|kilometres|kilometers|MW|mw|tonnes|people|%))")),
    ]


def _partial(d: dt.date, precision: str) -> str:
    if precision == "day":
        return d.isoformat()
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}"


def _infer_year(month: int, day: int | None, ref: dt.date) -> int:
    """The article's year, or the year before when the date would fall after the article."""
    try:
        candidate = dt.date(ref.year, month, day or 1)
    except ValueError:
        return ref.year
    return ref.year - 1 if candidate > ref else ref.year


def _dateparser_fallback(text: str, ref: dt.date) -> dt.date | None:
    import dateparser

    got = dateparser.parse(text, languages=["en"], settings={
        "RELATIVE_BASE": dt.datetime(ref.year, ref.month, ref.day), "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month"], "PARSERS": ["absolute-time"]})
    return got.date() if got else None


def find_dates(text: str, ref: dt.date) -> list[DateMention]:
    """Every date expression of ``text`` with its partial ISO value (None when unresolved)."""
    months, days = vocabulary()
    taken = [False] * (len(text) + 1)
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _patterns():
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(taken[s:e]):
                continue
            if kind == "m_alone" and m.group("mon").lower() == "may" and not text[m.start("mon")].isupper():
                continue
            if kind in ("m_alone", "mdy", "my", "dmy") and not text[m.start("mon")].isupper():
                continue
            if kind == "wd" and not text[m.start("wd")].isupper():
                continue
            if kind == "m_alone" and m.group("cue").lower() in ("of", "since") and m.group("mon").lower() == "may":
                continue
            for i in range(s, e):
                taken[i] = True
            found.append((s, e, kind, m))
    found.sort()
    out: list[DateMention] = []
    last_day: dt.date | None = None
    for s, e, kind, m in found:
        dm = DateMention(text[s:e], s, e, None)
        _resolve(dm, kind, m, ref, last_day, months, days)
        # the article's own cue words ("in", "on", "since") are not part of the date
        lead = re.match(r"(?i)(?:in|on|since|by|until|from|of|during|before|after)\s+", dm.text)
        if lead and kind in ("m_alone", "wd"):
            dm.start += lead.end()
            dm.text = dm.text[lead.end():]
        if dm.value and len(dm.value) == 10 and dm.first:
            last_day = dm.first
        out.append(dm)
    return out


def _resolve(dm: DateMention, kind: str, m: re.Match[str], ref: dt.date, last_day: dt.date | None,
             months: dict[str, int], days: dict[str, int]) -> None:
    g = m.groupdict()
    if kind == "range":
        month = months[g["mon"].lower()]
        first_day, last_day_ = int(g["day"]), int(g["day2"])
        year = int(g["year"]) if g.get("year") else _infer_year(month, first_day, ref)
        try:
            d, end = dt.date(year, month, first_day), dt.date(year, month, last_day_)
        except ValueError:
            dm.reason = "no such day in the range: unresolved"
            return
        if end < d:
            dm.reason = "a range that ends before it starts: unresolved"
            return
        dm.value, dm.first, dm.value_end = d.isoformat(), d, end.isoformat()
        dm.reason = f"a range of days: its first day (to {end.isoformat()})" + (
            "" if g.get("year") else f"; year {year} inferred from the article date {ref.isoformat()}")
        return
    if kind in ("dmy", "mdy"):
        month = months[g["mon"].lower()]
        day = int(g["day"])
        year = int(g["year"]) if g.get("year") else _infer_year(month, day, ref)
        try:
            d = dt.date(year, month, day)
        except ValueError:
            fallback = _dateparser_fallback(dm.text, ref)
            if fallback is None:
                dm.reason = f"no such day ({day} {g['mon']} {year}): unresolved"
                return
            d = fallback
        dm.value, dm.first = d.isoformat(), d
        dm.reason = "day, month and year as written" if g.get("year") else (
            f"day and month as written; year {year} inferred from the article date {ref.isoformat()}")
        if g.get("wd"):
            said = days[g["wd"].lower().rstrip(".")]
            if said != d.weekday():
                dm.flag = f"weekday mismatch: {g['wd']} written, but {d.isoformat()} is a {WEEKDAYS[d.weekday()].title()}"
            else:
                dm.reason += f"; weekday {g['wd']} checked"
        if d > ref:
            dm.flag = (dm.flag + "; " if dm.flag else "") + "after the article date"
        return
    if kind == "my":
        month = months[g["mon"].lower()]
        dm.value = f"{int(g['year']):04d}-{month:02d}"
        dm.first = dt.date(int(g["year"]), month, 1)
        dm.reason = "month and year as written"
        return
    if kind == "py":
        dm.value = g["year"]
        dm.reason = f"'{g['part']}' of a year: the year"
        return
    if kind == "year":
        dm.value = g["year"]
        dm.reason = "a year as written"
        return
    if kind == "decade":
        dm.reason = "a decade has no partial ISO date: unresolved"
        return
    if kind == "m_alone":
        month = months[g["mon"].lower()]
        cue = g["cue"].lower()
        year = _infer_year(month, None, ref)
        if cue == "last" and dt.date(ref.year, month, 1) >= dt.date(ref.year, ref.month, 1):
            year = ref.year - 1
        dm.value = f"{year:04d}-{month:02d}"
        dm.reason = f"month without a year: {year} from the article date {ref.isoformat()}"
        return
    if kind == "wd":
        said = days[g["wd"].lower()]
        back = (ref.weekday() - said) % 7
        if (g.get("cue") or "").lower() == "last" and back == 0:
            back = 7
        d = ref - dt.timedelta(days=back)
        dm.value, dm.first = d.isoformat(), d
        dm.reason = f"the last {g['wd']} up to the article date {ref.isoformat()}"
        return
    if kind == "rel_word":
        w = g["w"].lower()
        d = ref - dt.timedelta(days=1) if w in ("yesterday", "last night") else ref
        dm.value, dm.first = d.isoformat(), d
        dm.reason = f"'{w}' from the article date {ref.isoformat()}"
        return
    if kind == "rel_period":
        which, unit = g["which"].lower(), g["unit"].lower()
        shift = {"last": -1, "this": 0, "next": 1, "earlier this": 0, "later this": 0}[which]
        if unit == "year":
            dm.value = f"{ref.year + shift:04d}"
        elif unit == "month":
            y, mo = divmod(ref.year * 12 + ref.month - 1 + shift, 12)
            dm.value = f"{y:04d}-{mo + 1:02d}"
        else:
            monday = ref - dt.timedelta(days=ref.weekday()) + dt.timedelta(weeks=shift)
            sunday = monday + dt.timedelta(days=6)
            if monday.month == sunday.month:
                dm.value = f"{monday.year:04d}-{monday.month:02d}"
            else:
                dm.reason = f"the week {monday.isoformat()}..{sunday.isoformat()} spans two months: unresolved"
                return
        dm.reason = f"'{which} {unit}' from the article date {ref.isoformat()}"
        return
    if kind in ("rel_n", "rel_next"):
        if kind == "rel_n":
            n = NUMBER_WORDS.get(g["n"].lower()) or int(g["n"])
            unit, direction = g["unit"].lower().rstrip("s"), g["dir"].lower()
        else:
            n, unit = 1, "day"
            direction = "before" if g["which"].lower() == "previous" else "after"
        base = ref if direction == "ago" else last_day
        if base is None or unit != "day":
            if unit in ("month", "year") and direction == "ago":
                y, mo = divmod(ref.year * 12 + ref.month - 1 - (n * 12 if unit == "year" else n), 12)
                dm.value = f"{y:04d}-{mo + 1:02d}" if unit == "month" else f"{y:04d}"
                dm.reason = f"'{dm.text}' from the article date"
                return
            dm.reason = "relative to no day-precise date before it in the text: unresolved"
            return
        sign = -1 if direction in ("earlier", "before", "ago") else 1
        d = base + dt.timedelta(days=sign * n)
        dm.value, dm.first = d.isoformat(), d
        dm.reason = (f"'{dm.text}' from the article date {ref.isoformat()}" if direction == "ago"
                     else f"'{dm.text}' counted from {base.isoformat()}, the last day-precise date before it")
        return
