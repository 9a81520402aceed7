"""Candidate claims: the checkable statements of an article, each with its offsets, verdict
``unreviewed``.

Kinds: ``quantity`` (a number with a unit: km, MMcf/d, MW, dollars, per cent...), ``count`` ("eight
MoUs", "twelve agreements", "17 people"), ``superlative`` (firsts and superlatives: "the first
...", "the largest ..."), ``date`` (a sentence whose statement hangs on a date the text gives:
"in February 2024, Pakistan approved ..."). Patterns written by hand; the span is the clause that
holds the statement (from the previous comma or sentence start to the next one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from geo.draft.dates import DateMention

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_WORDNUM = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|"
            r"thirty|forty|fifty|hundred|dozens?|several)")
_SCALE = r"(?:\s*(?:thousand|million|billion|trillion|bn|mn|m|k))?"
_UNIT = (r"(?:-|\s)?(?:km|kilomet(?:er|re)s?|miles?|metres?|meters?|MMcf/?d|mmcfd|million cubic feet(?: of (?:natural )?gas)?"
         r"(?: per day| a day)?|bcm(?:/y)?|billion cubic met(?:er|re)s|cubic met(?:er|re)s|MW|megawatts?|GW|"
         r"gigawatts?|tonnes?|tons?|barrels?|per ?cent|percent|%|inch(?:es)?|hectares?|kilograms?|kg)\b")
QUANTITY = re.compile(
    rf"(?:(?:US)?\$|Rs\.?\s?|€|£)\s?{_NUMBER}{_SCALE}(?:\s+(?:annually|a year|per year))?"
    rf"|\b{_NUMBER}{_SCALE}{_UNIT}"
    rf"|\b{_NUMBER}{_SCALE}\s+(?:dollars|rupees|rials|tomans)\b", re.IGNORECASE)
COUNT = re.compile(
    rf"\b(?:{_WORDNUM}|\d+)\s+(?:(?:new|more|other|joint|official|bilateral|border)\s+)?"
    r"(?:MoUs?|memorand(?:a|ums?)(?: of understanding)?|agreements?|accords?|deals?|people|persons|soldiers|"
    r"civilians|militants|children|women|guards|policemen|officers|crossings?|markets?|points?|villages?|"
    r"projects?|documents?|days?|years?|members|terrorists|attackers|troops)\b", re.IGNORECASE)
SUPERLATIVE = re.compile(
    r"\b(?:the\s+)?(?:first|last|only|largest|biggest|longest|highest|lowest|oldest|newest|deadliest|worst|"
    r"best|most\s+\w+|least\s+\w+|record)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.;:!?]|,\s|\s[—–]\s")


@dataclass
class Claim:
    text: str
    start: int
    end: int
    kind: str
    quote: str
    quote_start: int
    paragraph: int
    value: str = ""
    unit: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "kind": self.kind, "quote": self.quote,
                "verdict": "unreviewed"}


def _clause(sent: str, s: int, e: int) -> tuple[int, int]:
    """The clause of ``sent`` around [s, e): previous/next clause boundary."""
    lo = 0
    for m in _CLAUSE_END.finditer(sent, 0, s):
        lo = m.end()
    after = _CLAUSE_END.search(sent, e)
    hi = after.start() if after else len(sent)
    return lo, hi


def find_claims(text: str, sentences: list[tuple[int, int, int]], dates: list[DateMention]) -> list[Claim]:
    out: list[Claim] = []
    for s_start, s_end, para in sentences:
        sent = text[s_start:s_end]
        hits: list[tuple[int, int, str]] = []
        for kind, pattern in (("quantity", QUANTITY), ("count", COUNT), ("superlative", SUPERLATIVE)):
            for m in pattern.finditer(sent):
                if kind == "count" and re.match(r"(?i)(?:days?|years?)$", m.group(0).split()[-1]) and \
                        not re.match(r"(?i)\d|\w+-", m.group(0)):
                    pass
                if any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _ in hits):
                    continue
                if kind == "count" and re.search(r"(?i)\b(?:days?|years?)$", m.group(0)) and \
                        re.search(r"(?i)\b(?:later|after|ago|before|earlier)\b", sent[m.end():m.end() + 8]):
                    continue  # "two days later" is a relative date, not a count
                hits.append((m.start(), m.end(), kind))
        if not hits:
            sdates = [d for d in dates if s_start <= d.start < s_end and d.value]
            if sdates and len(sent.split()) >= 6:
                d = sdates[0]
                hits.append((d.start - s_start, d.end - s_start, "date"))
        for a, b, kind in sorted(hits):
            lo, hi = _clause(sent, a, b)
            quote = sent[lo:hi].strip()
            qs = s_start + lo + (len(sent[lo:hi]) - len(sent[lo:hi].lstrip()))
            out.append(Claim(sent[a:b], s_start + a, s_start + b, kind, quote, qs, para))
    return out
