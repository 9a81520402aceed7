"""Place mentions: find them with spaCy's rule-based parts, resolve them against the gazetteer.

Finding: a PhraseMatcher over every name of the atlas, the admin-1 units and the countries (on
token keys, so spelling variants match), then every run of capitalised words that GeoNames knows,
then (rapidfuzz) a capitalised word within a letter or two of an atlas name ("Mirjavah").
People are not places: a run of capitalised words after a title ("President", "Foreign Minister",
"General"...) or before "said" is a person, and so is every later mention of its words ("Sharif",
"Dar").

Resolving: each candidate is scored: the atlas first, then admin-1 units and countries, then
GeoNames; Iran, Pakistan and their neighbours outrank a namesake elsewhere; a main name outranks
an alternate name ("Islamabad" is an alternate name of Chattogram in GeoNames); a cue in the
sentence ("the Iranian town of Pishin", "Pakistan's Balochistan province") picks the country. A
mention with no candidate that passes is kept, marked unresolved, with no coordinates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from geo.draft.gazetteer import REGION_WEIGHT, Entry, Gazetteer, name_key, token_key

#: Words that make the capitalised words after them a person's name (written by hand).
TITLES = frozenset("""president presidents prime minister ministers foreign interior defence defense finance army chief general gen
gen. lt lt. col col. colonel major maj. commander mr mr. mrs mrs. ms ms. dr dr. sheikh ayatollah imam spokesman
spokeswoman spokesperson ambassador envoy senator governor chairman secretary premier king queen prince
counterpart leader mullah maulana judge justice admiral marshal brigadier captain cm""".split())
#: Capitalised words that start a sentence or a phrase and are no places even when GeoNames has a
#: town of that name (written by hand from the misses of the test articles; see docs/draft.md).
NOT_PLACES = frozenset("""the a an in on at of and but for from with by as this that these those it its his her their
our we they he she both after before during while when where since until about over under between across along
security trade economic energy border president minister army state government police officials analysts
january february march april may june july august september october november december monday tuesday wednesday
thursday friday saturday sunday peace islamic muslim sunni shia union republic national joint general north south
east west central capital province district county city town village gulf middle asia europe deputy""".split())
#: Demonyms and possessives that name a country in a cue (written by hand).
DEMONYMS: dict[str, str] = {
    "iranian": "IR", "iran": "IR", "pakistani": "PK", "pakistan": "PK", "afghan": "AF", "afghanistan": "AF",
    "indian": "IN", "india": "IN", "omani": "OM", "oman": "OM", "emirati": "AE", "iraqi": "IQ", "iraq": "IQ",
    "turkmen": "TM", "chinese": "CN", "china": "CN", "saudi": "SA",
}
#: Nouns of a cue: "the Iranian town of", "Pakistan's ... province".
CUE_NOUNS = frozenset("town city village port district county province region border side area capital".split())
ADMIN_NOUNS = frozenset(("province", "provinces", "region", "state"))
#: A person is also the subject of these verbs when no title precedes (written by hand).
SPEECH = frozenset(("said", "says", "told", "added", "noted", "stated"))


@dataclass
class Mention:
    text: str
    start: int
    end: int
    kind: str = ""
    id: str = ""
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    admin1: str = ""
    country: str = ""
    confidence: float = 0.0
    reason: str = ""
    source: str = ""
    population: int = 0
    sentence: int = 0
    #: the seeds/places.csv id an event's geometry_basis names (a market's or crossing's place)
    place_id: str = ""

    @property
    def resolved(self) -> bool:
        return bool(self.id)

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "kind": self.kind or "unresolved",
                "id": self.id, "name": self.name, "lat": self.lat, "lon": self.lon, "admin1": self.admin1,
                "country": self.country, "confidence": self.confidence, "reason": self.reason}


def _set_norms(doc: Any) -> None:
    for tok in doc:
        tok.norm_ = token_key(tok.text)


def build_matcher(nlp: Any, gaz: Gazetteer) -> Any:
    """A PhraseMatcher on token keys over every in-memory gazetteer name."""
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    docs = []
    for name in gaz.patterns():
        if len(name) < 3 and name not in ("US", "UK"):
            continue
        d = nlp.make_doc(name)
        _set_norms(d)
        docs.append(d)
    matcher.add("GAZ", docs)
    return matcher


def _capitalised(tok: Any) -> bool:
    return bool(tok.text[:1].isupper()) and tok.text.isalpha() is not False and any(c.isalpha() for c in tok.text)


def find_people(doc: Any) -> tuple[set[int], set[str]]:
    """Token indices of people's names and the words of those names (to skip later mentions)."""
    person_idx: set[int] = set()
    words: set[str] = set()
    n = len(doc)
    i = 0
    while i < n:
        tok = doc[i]
        if tok.lower_ in TITLES:
            j = i + 1
            while j < n and (doc[j].lower_ in TITLES or doc[j].text in ("-", ".")):
                j += 1
            k = j
            while k < n and doc[k].text[:1].isupper() and doc[k].is_alpha and doc[k].lower_ not in TITLES:
                k += 1
            # a name is two or more capitalised words, or one that is no place key on its own
            if k - j >= 2 or (k - j == 1 and doc[j].lower_ not in DEMONYMS):
                if not (k - j == 1 and i + 1 < n and doc[i].lower_ in ("president", "prime") and False):
                    for m in range(j, k):
                        person_idx.add(m)
                        if doc[m].lower_ not in DEMONYMS:
                            words.add(doc[m].text)
            i = max(k, i + 1)
            continue
        i += 1
    # "X Y said": two capitalised words before a speech verb
    for tok in doc:
        if tok.lower_ in SPEECH and tok.i >= 2:
            a, b = doc[tok.i - 2], doc[tok.i - 1]
            if a.is_title and b.is_title and a.is_alpha and b.is_alpha:
                person_idx.update((a.i, b.i))
                words.update((a.text, b.text))
    for tok in doc:
        if tok.text in words or (tok.text.endswith(("’s", "'s")) and tok.text[:-2] in words):
            person_idx.add(tok.i)
    return person_idx, words


def _cue(doc: Any, start: int, end: int) -> tuple[str, str, str]:
    """(country code, noun, cue text) from the words around a mention in its sentence."""
    sent = doc[start].sent
    lo = max(sent.start, start - 6)
    before = doc[lo:start]
    words = [t.lower_ for t in before]
    noun = ""
    after = doc[end:min(sent.end, end + 2)]
    if len(after) and after[0].lower_ in CUE_NOUNS:
        noun = after[0].lower_
    for idx in range(len(words) - 1, -1, -1):
        w = words[idx].replace("’s", "").replace("'s", "")
        if w in DEMONYMS and (any(x in CUE_NOUNS for x in words[idx + 1:]) or
                              (idx + 1 < len(words) and words[idx + 1] in ("’s", "'s")) or noun):
            noun = noun or next((x for x in words[idx + 1:] if x in CUE_NOUNS), "")
            return DEMONYMS[w], noun, before[idx:].text
    # "Pishin, Iran" / "Pishin in Pakistan"
    tail = doc[end:min(sent.end, end + 3)]
    tw = [t.lower_ for t in tail]
    if len(tw) >= 2 and tw[0] in (",", "in") and tw[1] in DEMONYMS and tw[1] in ("iran", "pakistan", "afghanistan"):
        return DEMONYMS[tw[1]], noun, tail.text
    return "", noun, ""


def _score(e: Entry, cue_cc: str, noun: str) -> tuple[float, list[str]]:
    why = []
    s = {"atlas": 3.0, "iso": 2.5, "geonames": 1.0}[e.source]
    ccs = e.country.split(";")
    region = max(REGION_WEIGHT.get(c, 0.0) for c in ccs)
    s += region
    if not e.primary:
        s -= 1.5 if e.source == "geonames" else 0.2
    if e.population:
        s += min(math.log10(e.population) / 10, 0.8)
    if cue_cc:
        if cue_cc in ccs:
            s += 4.0
            why.append("the sentence places it in " + cue_cc)
        else:
            s -= 2.0
    if noun in ADMIN_NOUNS:
        s += 2.0 if e.kind == "admin1" else 0.0
    elif noun and e.kind == "admin1":
        s -= 1.0
    elif not noun and e.kind == "admin1" and e.source == "iso":
        s -= 0.6  # "Islamabad", "Tehran", "Punjab": the town before the unit of that name
    return s, why


def _describe(e: Entry) -> str:
    where = {"atlas": "atlas", "iso": "ISO 3166", "geonames": "GeoNames"}[e.source]
    return f"{where} {e.kind} {e.id} {e.name} ({e.country})"


def resolve(mention: Mention, candidates: list[Entry], cue: tuple[str, str, str], gaz: Gazetteer,
            how: str) -> None:
    cue_cc, noun, cue_text = cue
    if not candidates:
        mention.reason = f"{how}; no gazetteer entry: unresolved"
        return
    scored = []
    for e in candidates:
        s, why = _score(e, cue_cc, noun)
        scored.append((s, e, why))
    scored.sort(key=lambda t: (-t[0], t[1].source != "atlas", -t[1].population, t[1].id))
    best_s, best, why = scored[0]
    runner = scored[1] if len(scored) > 1 else None
    margin = best_s - runner[0] if runner and runner[1].id != best.id else 3.0
    mention.kind = best.kind
    mention.id = best.id
    mention.name = best.name
    mention.lat = None if best.lat is None else round(best.lat, 6)
    mention.lon = None if best.lon is None else round(best.lon, 6)
    mention.country = best.country
    mention.admin1 = best.admin1 or (gaz.admin1_of(best.lat, best.lon)
                                     if best.kind in ("place", "feature") and ";" not in best.country else "")
    mention.place_id = str(best.extra.get("place", best.id)) if best.source == "atlas" else ""
    mention.source = best.source
    mention.population = best.population
    mention.confidence = round(min(0.99, 0.5 + 0.15 * margin + (0.15 if best.source == "atlas" else 0)), 2)
    parts = [how, _describe(best)]
    if not best.primary:
        parts.append("matched by an alternate name")
    parts.extend(why)
    if cue_text:
        parts.append(f"cue {cue_text!r}")
    if runner and runner[1].id != best.id:
        parts.append(f"outranks {_describe(runner[1])}")
    if best.lat is None:
        parts.append("no point: " + best.note)
    else:
        parts.append(best.note)
    mention.reason = "; ".join(parts)


_CUE_AFTER = frozenset(("district", "county", "village", "tehsil", "province"))
_OF_CUE = re.compile(r"\b(?:the\s+)?(?P<noun>town|village|city|port|district|county)\s+of\s+"
                     r"(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})")
_PLACE_CUES = frozenset(("in", "at", "near", "from", "to", "of", "into", "outside", "around", "towards", "via"))


def find_mentions(doc: Any, text: str, gaz: Gazetteer, matcher: Any) -> list[Mention]:
    """Every place mention of ``doc`` (spaCy Doc of ``text``), resolved where the gazetteer allows."""
    from rapidfuzz import fuzz, process

    _set_norms(doc)
    people, _ = find_people(doc)
    taken: set[int] = set()
    spans: list[tuple[int, int, str]] = []  # token start, end, how
    matches = sorted(matcher(doc), key=lambda m: (-(m[2] - m[1]), m[1]))
    for _, s, e in matches:
        if any(i in taken for i in range(s, e)) or any(i in people for i in range(s, e)):
            continue
        # a phrase match must start with a capital letter ("iran" in a URL or a common word is no mention)
        if not doc[s].text[:1].isupper():
            continue
        spans.append((s, e, "matched the gazetteer name"))
        taken.update(range(s, e))
    # runs of capitalised words GeoNames may know
    runs: list[tuple[int, int]] = []
    i = 0
    n = len(doc)
    while i < n:
        if i in taken or i in people or not (doc[i].is_alpha and doc[i].text[:1].isupper()):
            i += 1
            continue
        j = i
        while j < n and j not in taken and j not in people and doc[j].is_alpha and doc[j].text[:1].isupper():
            j += 1
        runs.append((i, j))
        i = j
    keys: dict[str, list[tuple[int, int]]] = {}
    for s, e in runs:
        for a in range(s, e):
            for b in range(min(e, a + 3), a, -1):
                keys.setdefault(name_key(doc[a:b].text), []).append((a, b))
    found = gaz.geonames.lookup(k for k in keys if k)
    for s, e in runs:
        a = s
        while a < e:
            hit = None
            for b in range(min(e, a + 3), a, -1):
                k = name_key(doc[a:b].text)
                if k in found and _plausible(doc, a, b, found[k]):
                    hit = b
                    break
            if hit:
                spans.append((a, hit, "GeoNames knows the name"))
                taken.update(range(a, hit))
                a = hit
            else:
                a += 1
    # a spelling within reach of an atlas name (rapidfuzz)
    atlas_keys = [k for k, es in gaz.names.items() if any(x.source == "atlas" for x in es) and len(k) >= 5]
    for s, e in runs:
        for a in range(s, e):
            if a in taken or doc[a].lower_ in NOT_PLACES or len(doc[a].text) < 5 or doc[a].is_sent_start:
                continue
            best = process.extractOne(token_key(doc[a].text), atlas_keys, scorer=fuzz.ratio, score_cutoff=84)
            if best:
                spans.append((a, a + 1, f"spelling within {100 - best[1]:.0f}% of {best[0]!r} (rapidfuzz)"))
                taken.add(a)
    # a name the sentence calls a place ("Kech district", "the village of Sirkan") that no
    # gazetteer knows: kept as an unresolved mention, never guessed
    for tok in doc:
        if tok.lower_ not in _CUE_AFTER or tok.i == 0:
            continue
        a = b = tok.i
        while a > 0 and doc[a - 1].is_alpha and doc[a - 1].text[:1].isupper() and (a - 1) not in taken \
                and (a - 1) not in people and doc[a - 1].lower_ not in NOT_PLACES and doc[a - 1].lower_ not in DEMONYMS:
            a -= 1
        if a < b and b - a <= 3:
            spans.append((a, b, f"the sentence calls it a {tok.lower_}"))
            taken.update(range(a, b))
    for cue in _OF_CUE.finditer(text):
        span = doc.char_span(cue.start("name"), cue.end("name"), alignment_mode="expand")
        if span is not None and not any(i in taken or i in people for i in range(span.start, span.end)) \
                and span[0].lower_ not in NOT_PLACES:
            spans.append((span.start, span.end, f"the sentence calls it a {cue.group('noun').lower()}"))
            taken.update(range(span.start, span.end))
    # namesakes of the names the atlas matched ("Pishin" in Pakistan too)
    extra_keys = {name_key(doc[s:e].text) for s, e, _ in spans} - set(found)
    found.update(gaz.geonames.lookup(k for k in extra_keys if k))
    out: list[Mention] = []
    sent_index = {s.start: k for k, s in enumerate(doc.sents)}
    for s, e, how in sorted(spans):
        span = doc[s:e]
        m = Mention(span.text, span.start_char, span.end_char, sentence=sent_index.get(span.sent.start, 0))
        key = name_key(span.text)
        if how.startswith("spelling"):
            key = how.split("'")[1]
        candidates = list(gaz.names.get(key, []))
        candidates += [c for c in found.get(name_key(span.text), []) if _plausible_entry(doc, s, c)]
        resolve(m, _dedupe(candidates), _cue(doc, s, e), gaz, how)
        out.append(m)
    return out


def _dedupe(entries: list[Entry]) -> list[Entry]:
    """One entry per thing: an atlas gn-* place and its GeoNames row are the same town."""
    atlas_gn = {e.id[3:] for e in entries if e.source == "atlas" and e.id.startswith("gn-")}
    seen: set[tuple[str, str]] = set()
    out = []
    for e in entries:
        if e.source == "geonames" and e.id in atlas_gn:
            continue
        if (e.source, e.id) in seen:
            continue
        seen.add((e.source, e.id))
        out.append(e)
    return out


def _plausible_entry(doc: Any, start: int, e: Entry) -> bool:
    """A GeoNames town outside the region needs a place cue before it ("in", "near") and a size."""
    if REGION_WEIGHT.get(e.country, 0) >= 2:
        return True
    prev = doc[start - 1].lower_ if start > 0 else ""
    if REGION_WEIGHT.get(e.country, 0) >= 1:
        return e.population >= 1000 and (prev in _PLACE_CUES or e.population >= 100_000)
    return e.primary and e.population >= 100_000 and prev in _PLACE_CUES


def _plausible(doc: Any, a: int, b: int, entries: list[Entry]) -> bool:
    words = [t.lower_ for t in doc[a:b]]
    if b - a == 1 and (words[0] in NOT_PLACES or doc[a].is_stop or (doc[a].is_sent_start and doc[a].lower_ in NOT_PLACES)):
        return False
    if b - a == 1 and len(words[0]) < 3:
        return False
    if b - a == 1 and doc[a].text.isupper() and len(doc[a].text) > 1:
        return False  # an acronym ("TIR", "BLA") is no town; "US", "UAE" are in the ISO names
    # a capitalised word followed by another capitalised word is part of a longer name (an
    # organisation, a person) unless the longer run is itself a place
    if b < len(doc) and doc[b].is_alpha and doc[b].text[:1].isupper() and doc[b].lower_ not in CUE_NOUNS:
        return False
    if a > 0 and doc[a - 1].is_alpha and doc[a - 1].text[:1].isupper() and not doc[a - 1].is_sent_start \
            and doc[a - 1].lower_ not in NOT_PLACES:
        return False
    return any(_plausible_entry(doc, a, e) for e in entries)


PLACE_WORD = re.compile(r"\w")
