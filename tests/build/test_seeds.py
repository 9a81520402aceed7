"""Tests for the article seed tables (seeds/*.csv, seeds/articles/<id>/) and geo/build/article.py."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from geo import settings
from geo.build import article, layers
from geo.build.seeds import ALL_TABLES, CLAIMS, EVENTS, PLACES, read_sources
from geo.errors import SeedError

SEEDS = settings.SEEDS_DIR
SHARED_ARTICLE = settings.ROOT.parent / "shared" / "seeds" / "article.txt"


@pytest.fixture(scope="module")
def seeds() -> dict:
    return layers.load_seeds(SEEDS)


def test_every_table_reads_and_cross_references(seeds: dict) -> None:
    for t in ALL_TABLES:
        assert seeds[t.filename], t.filename
    assert len(seeds[EVENTS.filename]) >= 20
    assert len(seeds[CLAIMS.filename]) >= 15


def test_every_record_has_a_source(seeds: dict) -> None:
    known = set(seeds["sources"])
    for t in ALL_TABLES:
        for row in seeds[t.filename]:
            assert row["sources"], (t.filename, row["_row"])
            assert set(row["sources"]) <= known, (t.filename, row["_row"])


def test_sources_table() -> None:
    src = read_sources(SEEDS)
    assert {"S1", "S44", "S80", "S85", "A1", "GN", "OSM-GEOMAPS", "NE-ADMIN0", "NE-ADMIN1"} <= set(src)
    assert src["A1"]["publisher"] == "gulf magazine"
    for sid, r in src.items():
        assert r["title"] and r["publisher"], sid
        assert r["url"] or r["note"], sid


def test_seed_csvs_are_one_record_per_row() -> None:
    for t in ALL_TABLES:
        with open(SEEDS / t.filename, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == t.names, t.filename
        assert all(len(r) == len(t.names) for r in rows[1:]), t.filename


def test_geonames_coordinates_equal_the_gazetteer(seeds: dict) -> None:
    """Town coordinates come from the gazetteer, not typing (see `python -m geo.build.article gazetteer`)."""
    cities = article.gazetteer_cities()
    n = 0
    for p in seeds[PLACES.filename]:
        if p["method"] != "geonames":
            continue
        city = cities[str(p["geonames_id"])]
        lat, lon, pop = article.gazetteer_values(city)
        assert (p["lat"], p["lon"]) == (float(lat), float(lon)), p["id"]
        assert p["population"] == (int(pop) if pop else None), p["id"]
        assert p["id"] == f"gn-{p['geonames_id']}"
        assert city["countrycode"] == p["country_iso"], p["id"]
        n += 1
    assert n >= 15


def test_derived_places_are_unverified(seeds: dict) -> None:
    for p in seeds[PLACES.filename]:
        if p["method"] not in ("geonames", "source"):
            assert p["verified"] is False and p["location_note"], p["id"]
            assert p["geonames_id"] is None, p["id"]
        if "UNVERIFIED" in p["location_note"]:
            assert p["verified"] is False, p["id"]


FIRST = SEEDS / "articles" / "gulf-2024-04-raisi-visit"


def test_article_copy() -> None:
    a = article.load_article(FIRST)
    assert a["id"] == "gulf-2024-04-raisi-visit"
    assert a["title"] == "Iran and Pakistan Strengthen Ties Amid Regional Challenges"
    assert a["publisher"] == "gulf magazine"
    text = (FIRST / "article.txt").read_text(encoding="utf-8")
    assert "Do follow" not in text and "for more information" not in text
    assert a["paragraphs"][0].startswith("In a significant step")
    assert a["paragraphs"][-1].startswith("In the words of President Raisi")
    if SHARED_ARTICLE.exists():
        shared = SHARED_ARTICLE.read_text(encoding="utf-8").splitlines()
        assert text.splitlines() == shared[:-2]


def test_locate_offsets() -> None:
    paras = ["abc “quote” def"]
    assert article.locate(paras, 1, "“quote”", where="x") == (4, 11)
    with pytest.raises(SeedError, match="not in paragraph 1"):
        article.locate(paras, 1, '"quote"', where="x")
    with pytest.raises(SeedError, match=r"outside 1\.\.1"):
        article.locate(paras, 2, "abc", where="x")


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst, ignore=shutil.ignore_patterns("basemap"))
    return dst


def test_unknown_source_is_named(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    f = d / "claims.csv"
    f.write_text(f.read_text(encoding="utf-8").replace("S96;S79;S87", "S96;S999;S87", 1), encoding="utf-8")
    with pytest.raises(SeedError, match=r"claims\.csv row 2, column sources: unknown source id 'S999'"):
        layers.load_seeds(d)


def test_bad_enum_is_named(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    f = d / "pipeline_segments.csv"
    f.write_text(f.read_text(encoding="utf-8").replace(",operating,", ",working,", 1), encoding="utf-8")
    with pytest.raises(SeedError, match=r"pipeline_segments\.csv row 2, column status: 'working' is not one of"):
        layers.load_seeds(d)


def test_missing_publisher_is_an_error(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    a = d / "articles" / "gulf-2024-04-raisi-visit"
    (a / "article.meta").write_text("title: Iran and Pakistan Strengthen Ties Amid Regional Challenges\n",
                                    encoding="utf-8")
    with pytest.raises(SeedError, match="outlet"):
        article.load_article(a)


def test_gazetteer_command_is_idempotent(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    before = (d / "places.csv").read_bytes()
    n = article.fill_from_gazetteer(d / "places.csv")
    assert n >= 15
    assert (d / "places.csv").read_bytes() == before
