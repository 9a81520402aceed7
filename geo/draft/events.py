"""Candidate events: a sentence with an event verb, a resolved date and a resolved place.

The verb gives the ACLED ``event_type``/``sub_event_type`` (the first rule that matches, violence
first; the table is written by hand from ACLED's codebook and the atlas's own seed vocabulary);
the place is the most specific resolved mention of the sentence (one after "in", "at", "near"
first); the actors are the named country, force or person nearest before and after the verb.
Precision follows ACLED: ``geo_precision`` 1 a town or site, 2 near a town or part of a region,
3 a province or country; ``time_precision`` 1 day, 2 month (or week), 3 year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from geo.draft.dates import DateMention
from geo.draft.places import DEMONYMS, Mention

#: (pattern, event_type, sub_event_type), first match wins (written by hand, see the module doc).
RULES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), t, s) for p, t, s in (
        (r"\bsuicide (?:bomb(?:ing|er)?|attack)", "Explosions/Remote violence", "Suicide bomb"),
        (r"\b(?:air ?strikes?|drone strikes?|missile strikes?|missiles?|drones?|strikes?|struck)\b",
         "Explosions/Remote violence", "Air/drone strike"),
        (r"\b(?:shell(?:ed|ing)|artillery|mortars?)\b", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
        (r"\b(?:bomb(?:s|ed|ing)?|blasts?|explosions?|IEDs?)\b", "Explosions/Remote violence",
         "Remote explosive/landmine/IED"),
        (r"\b(?:kidnapp\w*|abduct\w*)\b", "Violence against civilians", "Abduction/forced disappearance"),
        (r"\b(?:attack(?:s|ed)?|ambush(?:ed)?|raid(?:s|ed)?|clash(?:es|ed)?|stormed|gunmen|killed)\b",
         "Battles", "Armed clash"),
        (r"\b(?:protest(?:s|ed|ers)?|rall(?:y|ies|ied)|sit-in|demonstrat\w*)\b", "Protests", "Peaceful protest"),
        (r"\b(?:recall(?:s|ed)?|expel(?:s|led)?|summon(?:s|ed)?)\b", "Strategic developments", "Diplomatic measure"),
        (r"\b(?:clos(?:ed|es|ure)|seal(?:ed|s)?)\b", "Strategic developments", "Border closure"),
        (r"\b(?:sign(?:s|ed|ing)?|agree(?:d|s|ment|ments)?|MoUs?|memorand\w*|accords?)\b",
         "Strategic developments", "Agreement"),
        (r"\b(?:inaugurat\w*|re-?open(?:s|ed|ing)?|open(?:s|ed|ing)?)\b", "Strategic developments", "Opening"),
        (r"\b(?:approv(?:e|ed|es|al)|construction|ground-breaking|completed|initiated|began|launched)\b", "Strategic developments",
         "Infrastructure milestone"),
        (r"\belections?\b", "Strategic developments", "Election"),
        (r"\b(?:visit(?:s|ed|ing)?|arriv(?:e|ed|es|al)|toured)\b", "Strategic developments", "Official visit"),
        (r"\b(?:met|meets?|meeting|talks)\b", "Strategic developments", "Meeting"),
        (r"\b(?:died|dies|crash(?:ed|es)?)\b", "Strategic developments", "Other"),
    ))
VIOLENT = ("Explosions/Remote violence", "Battles", "Violence against civilians")
_LOCATIVE = re.compile(r"\b(?:in|at|near|into|inside|outside|on)\s+(?:the\s+)?(?:\w+\s+){0,3}$", re.IGNORECASE)
_LANDMARK = re.compile(r"\b(?:near|close to|outside|from)\s+(?:the\s+)?(?:\w+\s+){0,2}$", re.IGNORECASE)
_NEAR = re.compile(r"\b(?:near|outside|close to|around|district)\b", re.IGNORECASE)
_SPECIFIC = {"feature": 0, "place": 0, "admin1": 1, "country": 2}


@dataclass
class Event:
    date: DateMention
    place: Mention
    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str
    quote_start: int
    quote_end: int
    quote: str
    paragraph: int
    geo_precision: int
    time_precision: int
    fatalities: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date.value, "lat": self.place.lat, "lon": self.place.lon, "admin1": self.place.admin1,
                "country": self.place.country, "location": self.place.name, "place_id": self.place.id,
                "event_type": self.event_type, "sub_event_type": self.sub_event_type, "actor1": self.actor1,
                "actor2": self.actor2, "geo_precision": self.geo_precision, "time_precision": self.time_precision,
                "fatalities": self.fatalities, "quote_start": self.quote_start, "quote_end": self.quote_end}


_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12}
_KILLED = re.compile(r"\b(?P<n>\d+|" + "|".join(_NUM) + r")\s+(?:\w+\s+){0,3}(?:were\s+|was\s+)?killed\b|\bkill(?:ed|ing)\s+"
                     r"(?:at least\s+)?(?P<m>\d+|" + "|".join(_NUM) + r")\b", re.IGNORECASE)


def _actor(text: str, mentions: list[Mention], people: list[tuple[int, int]], lo: int, hi: int, violent: bool,
           *, last: bool) -> str:
    """The named actor between offsets lo and hi: a person, else a country (its forces for violence)."""
    cands: list[tuple[int, str]] = []
    for s, e in people:
        if lo <= s and e <= hi:
            cands.append((s, text[s:e]))
    for m in mentions:
        if lo <= m.start and m.end <= hi and m.kind == "country":
            cands.append((m.start, ("Military Forces of " if violent else "Government of ") + m.name))
    for dm in re.finditer(r"\b(" + "|".join(k.title() for k in DEMONYMS if not k.endswith("n") or k in
                                             ("iranian", "afghan", "indian", "omani"))
                          + r")\s+(forces|troops|military|army|border guards|guards|jets|missiles|drones|rockets|government|officials)\b",
                          text[lo:hi]):
        code = DEMONYMS[dm.group(1).lower()]
        name = {"IR": "Iran", "PK": "Pakistan", "AF": "Afghanistan", "IN": "India", "OM": "Oman"}.get(code, code)
        cands.append((lo + dm.start(), ("Military Forces of " if violent or dm.group(2) != "government" else
                                        "Government of ") + name))
    if not cands:
        return ""
    cands.sort()
    return cands[-1][1] if last else cands[0][1]


def find_events(text: str, sentences: list[tuple[int, int, int]], mentions: list[Mention],
                dates: list[DateMention], people: list[tuple[int, int]]) -> list[Event]:
    """``sentences``: (start, end, paragraph number) character spans."""
    out: list[Event] = []
    prev_dates: dict[int, list[DateMention]] = {}
    for s_start, s_end, para in sentences:
        sent = text[s_start:s_end]
        for d in dates:
            if s_start <= d.start < s_end and d.value:
                prev_dates[para] = [x for x in dates if s_start <= x.start < s_end and x.value]
                break
        rule = None
        for pattern, etype, sub in RULES:
            m = pattern.search(sent)
            if m:
                rule = (m, etype, sub)
                break
        if rule is None:
            continue
        verb, etype, sub = rule
        sdates = [d for d in dates if s_start <= d.start < s_end and d.value]
        places = [p for p in mentions if s_start <= p.start < s_end and p.resolved]
        if not sdates and prev_dates.get(para):
            # "Pakistan retaliated with strikes in ...": the date of an earlier sentence of the paragraph
            sdates = prev_dates[para]
        if not sdates or not places:
            continue
        date = next((d for d in sdates if len(d.value or "") == 10), sdates[0])
        vpos = s_start + verb.start()

        def rank(p: Mention, s_start: int = s_start, vpos: int = vpos,
                 places: list[Mention] = places) -> tuple[int, int, int]:
            # the most specific place, then the nearest to the verb ("in X" after the verb counts as
            # nearer); "A near B" is at A, B is only its landmark
            locative = 40 if _LOCATIVE.search(text[s_start:p.start]) and p.start > vpos else 0
            landmark = int(bool(_LANDMARK.search(text[s_start:p.start])) and any(
                q.start < p.start and q.kind in ("place", "feature") for q in places))
            return (landmark, _SPECIFIC.get(p.kind, 3), abs(p.start - vpos) - locative)

        place = min(places, key=rank)
        if sub == "Diplomatic measure":
            # a recall or expulsion happens where the acting government is: the country named before the verb
            acting = [p for p in places if p.kind == "country" and p.start < vpos]
            if acting:
                place = acting[-1]
        violent = etype in VIOLENT
        actor1 = _actor(text, mentions, people, s_start, s_start + verb.end(), violent, last=True)
        actor2 = _actor(text, [p for p in mentions if p is not place], people, s_start + verb.end(), s_end,
                        violent, last=False)
        if place.kind in ("admin1", "country"):
            geo_precision = 3
        else:
            geo_precision = 2 if _NEAR.search(text[max(s_start, place.start - 25):place.end + 12]) else 1
        time_precision = {10: 1, 7: 2, 4: 3}.get(len(date.value or ""), 3)
        fatalities = None
        k = _KILLED.search(sent)
        if k:
            raw = (k.group("n") or k.group("m")).lower()
            fatalities = _NUM.get(raw) or int(raw)
        out.append(Event(date, place, etype, sub, actor1, actor2, s_start, s_end, sent.strip(), para,
                         geo_precision, time_precision, fatalities))
    return out
