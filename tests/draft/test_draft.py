"""`geo draft`: accuracy against hand-made gold (issue 17 item 4), the files it writes, bad input,
the resolution rules a journalist relies on, the GeoNames cache treated as hostile input, and the
review page in a real browser.

Gold: tests/draft/drafting/*.gold.json. Three test articles written by the team (tuned: rules were
fixed on their misses) and the current article (its seeds are the gold) carry the bars; the
held-out article (written with its gold before the drafter first ran on it) is scored and
reported in docs/draft.md, not asserted.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from geo import settings
from geo.build import seeds as seeds_mod
from geo.draft import command, gazetteer, score
from geo.draft.dates import find_dates

HERE = Path(__file__).parent / "drafting"
GOLDS = sorted(HERE.glob("*.gold.json"))


def _seed_article(article_id: str) -> Path:
    new = settings.SEEDS_DIR / "articles" / article_id / "article.txt"
    return new if new.is_file() else settings.SEEDS_DIR / "article.txt"


def _load(gold_path: Path) -> tuple[dict[str, Any], str, int]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    ref = gold["article"]
    src = _seed_article(ref.split(":", 1)[1]) if ref.startswith("seed:") else HERE / ref
    text = src.read_text(encoding="utf-8")
    if text.split("\n", 1)[0] != gold["title"]:
        text = gold["title"] + "\n" + text
    body = text.index("\n", text.index("TEST TEXT")) + 1 if "TEST TEXT" in text else 0
    return gold, text, body


@pytest.fixture(scope="module")
def gaz() -> gazetteer.Gazetteer:
    return gazetteer.Gazetteer()


@pytest.fixture(scope="module")
def scores(gaz: gazetteer.Gazetteer) -> dict[str, dict[str, Any]]:
    out = {}
    for path in GOLDS:
        gold, text, body = _load(path)
        d = command.draft_text(text, dt.date.fromisoformat(gold["date"]), title=gold["title"], gaz=gaz)
        out[path.name.removesuffix(".gold.json")] = {"score": score.score(d, gold, gaz, body),
                                                     "held_out": bool(gold.get("held_out"))}
    return out


def _pooled(scores: dict[str, dict[str, Any]], names: list[str]) -> dict[str, float]:
    s = [scores[n]["score"] for n in names]
    right = sum(x["places"]["right"] for x in s)
    pred = sum(x["places"]["predicted"] for x in s)
    gold_found = sum(round(x["places"]["recall"] * x["places"]["gold"]) for x in s)
    gold = sum(x["places"]["gold"] for x in s)
    return {"places_p": right / pred, "places_r": gold_found / gold,
            "dates": sum(x["dates"]["right"] for x in s) / sum(x["dates"]["gold"] for x in s),
            "events": sum(x["events"]["found"] for x in s) / sum(x["events"]["gold"] for x in s)}


def test_gold_files_are_marked_and_cited() -> None:
    """Every test article says at its top that it is a test text; every gold names its sources."""
    assert len(GOLDS) >= 4
    sources = {r["id"] for r in seeds_mod.read_table(settings.SEEDS_DIR / "sources.csv", seeds_mod.SOURCES)}
    for path in GOLDS:
        gold = json.loads(path.read_text(encoding="utf-8"))
        if not gold["article"].startswith("seed:"):
            assert (HERE / gold["article"]).read_text(encoding="utf-8").startswith("TEST TEXT"), path.name
        assert gold["sources"] and set(gold["sources"]) <= sources | {"GN"}, path.name


def test_accuracy_on_the_current_article(scores: dict[str, dict[str, Any]]) -> None:
    """(a) the current article, whose seeds are the gold."""
    got = _pooled(scores, ["gulf-2024-04-raisi-visit"])
    misses = scores["gulf-2024-04-raisi-visit"]["score"]["misses"]
    assert got["places_p"] >= 0.95 and got["places_r"] >= 0.95, misses
    assert got["dates"] >= 0.95, misses
    assert got["events"] >= 0.8, misses


def test_accuracy_on_the_team_articles(scores: dict[str, dict[str, Any]]) -> None:
    """(b) the team's test articles (the held-out one is reported in docs/draft.md, not asserted)."""
    names = [n for n, v in scores.items() if not v["held_out"] and n != "gulf-2024-04-raisi-visit"]
    assert len(names) >= 3
    got = _pooled(scores, names)
    misses = [m for n in names for m in scores[n]["score"]["misses"]]
    assert got["places_p"] >= 0.95 and got["places_r"] >= 0.95, misses
    assert got["dates"] >= 0.95, misses
    assert got["events"] >= 0.8, misses


# --------------------------------------------------------------------------- resolution rules

def _mentions(gaz: gazetteer.Gazetteer, text: str, ref: str = "2024-04-24") -> list[Any]:
    return command.draft_text("Title\n" + text, dt.date.fromisoformat(ref), title="Title", gaz=gaz).mentions


def _one(gaz: gazetteer.Gazetteer, text: str, word: str) -> Any:
    got = [m for m in _mentions(gaz, text) if m.text == word]
    assert got, f"{word!r} not found in {text!r}"
    return got[0]


def test_sentence_cue_picks_the_namesake(gaz: gazetteer.Gazetteer) -> None:
    iran = _one(gaz, "Traders crossed into the Iranian town of Pishin on foot.", "Pishin")
    pak = _one(gaz, "Traders crossed into the Pakistani town of Pishin on foot.", "Pishin")
    assert (iran.country, iran.id) == ("IR", "gn-1159975")
    assert pak.country == "PK" and pak.id == "1167821" and "PK" in pak.reason


def test_region_outranks_namesakes_and_alternate_names(gaz: gazetteer.Gazetteer) -> None:
    m = _one(gaz, "The delegation flew to Islamabad on Monday.", "Islamabad")
    assert m.country == "PK" and m.id == "gn-1176615"  # not Chattogram (alternate name "Islamabad", BD)


def test_people_are_not_places(gaz: gazetteer.Gazetteer) -> None:
    ms = _mentions(gaz, "Foreign Minister Ishaq Dar met Prime Minister Shehbaz Sharif in Lahore. "
                        "Dar said later that Sharif and President Ebrahim Raisi had agreed.")
    assert [m.text for m in ms] == ["Lahore"]
    # an acronym is no town (GeoNames lists "TIR" as a name of Tirupati)
    assert [m.text for m in _mentions(gaz, "Reemdan will become a TIR crossing.")] == ["Reemdan"]


def test_spelling_variants(gaz: gazetteer.Gazetteer) -> None:
    for text, word, want in [("Missiles hit Koh-e-Sabz village.", "Koh-e-Sabz", "pl-sabz-koh"),
                             ("Trucks wait at Mirjavah every day.", "Mirjavah", "gn-1160258"),
                             ("Unrest grew in Baluchistan last year.", "Baluchistan", "PK-BA"),
                             ("Unrest grew in Sistan va Baluchestan last year.", "Sistan va Baluchestan", "IR-11")]:
        assert _one(gaz, text, word).id == want, text


def test_unknown_place_is_kept_unresolved(gaz: gazetteer.Gazetteer) -> None:
    m = _one(gaz, "Officials visited Kech district in January.", "Kech")
    assert not m.resolved and m.lat is None and m.lon is None and "unresolved" in m.reason


def test_dates_normalised_against_the_article_date() -> None:
    ref = dt.date(2024, 2, 7)
    got = {d.text: d for d in find_dates(
        "On Tuesday, 16 January 2023 they met; on 17 December they signed; June 2025 is far; "
        "last week was quiet; a day after, nothing.", ref)}
    flagged = got["Tuesday, 16 January 2023"]
    assert flagged.value == "2023-01-16" and "weekday mismatch" in flagged.flag  # 16 Jan 2023 was a Monday
    assert got["17 December"].value == "2023-12-17"  # the year before: 17 Dec 2024 would be in the future
    assert got["June 2025"].value == "2025-06"
    assert got["last week"].value is None  # 29 Jan - 4 Feb 2024 spans two months
    assert find_dates("last week", dt.date(2024, 1, 10))[0].value == "2024-01"  # 1-7 Jan 2024
    assert got["a day after"].value == "2023-12-18"
    span = find_dates("He toured Islamabad from 22 to 24 April 2024.", ref)[0]
    assert (span.text, span.value, span.value_end) == ("from 22 to 24 April 2024", "2024-04-22", "2024-04-24")
    only = find_dates("A day after the talks, nothing changed.", ref)
    assert only[0].value is None and "unresolved" in only[0].reason


# --------------------------------------------------------------------------- the command

def _geo(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd or settings.ROOT, env={**os.environ, **(env or {})}, check=False)


def _seeds_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(settings.SEEDS_DIR.rglob("*")):
        if p.is_file():
            h.update(str(p).encode() + p.read_bytes())
    return h.hexdigest()


def test_draft_writes_reviewable_files_and_never_seeds(tmp_path: Path) -> None:
    before = _seeds_hash()
    out = tmp_path / "d"
    r = _geo("draft", str(HERE / "strikes-2024-01.txt"), "--date", "2024-01-30", "--title",
             "A week of strikes", "--outlet", "Test desk", "--source-id", "S69", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert list(data) == ["article", "places", "dates", "events", "claims"]
    text = (out / "article.txt").read_text(encoding="utf-8")
    for m in data["places"]:
        assert set(m) >= {"text", "start", "end", "kind", "id", "name", "lat", "lon", "admin1", "country",
                          "confidence", "reason"}
        assert text[m["start"]:m["end"]] == m["text"]
    for d in data["dates"]:
        assert text[d["start"]:d["end"]] == d["text"]
    for e in data["events"]:
        assert set(e) >= {"date", "lat", "lon", "admin1", "country", "event_type", "sub_event_type",
                          "quote_start", "quote_end"}
    assert all(c["verdict"] == "unreviewed" and text[c["start"]:c["end"]] == c["text"] for c in data["claims"])
    for name, table in (("places.csv", seeds_mod.PLACES), ("events.csv", seeds_mod.EVENTS),
                        ("claims.csv", seeds_mod.CLAIMS)):
        with open(out / name, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == [*table.names, "status"], name
        assert all(r[-1] == "draft" for r in rows[1:]), name
        if name != "places.csv":
            assert all(r[table.names.index("sources")] == "S69" for r in rows[1:]), name
    assert len(data["events"]) >= 4
    # the drafted events and places already pass the seed tables' own column checks
    for name, table in (("events.csv", seeds_mod.EVENTS), ("places.csv", seeds_mod.PLACES)):
        draft_table = seeds_mod.Table(name, (*table.columns, seeds_mod.Column("status", "enum", choices=("draft",))))
        if len((out / name).read_text(encoding="utf-8").splitlines()) > 1:
            assert seeds_mod.read_table(out / name, draft_table)
    meta = (out / "article.meta").read_text(encoding="utf-8")
    assert "title: A week of strikes" in meta and "date: 2024-01-30" in meta and "source_id: S69" in meta
    assert f"id: {data['article']['id']}" in meta
    assert _seeds_hash() == before
    # the same input gives the same files, byte for byte
    again = tmp_path / "e"
    assert _geo("draft", str(HERE / "strikes-2024-01.txt"), "--date", "2024-01-30", "--title",
                "A week of strikes", "--outlet", "Test desk", "--source-id", "S69", "--out", str(again)).returncode == 0
    for f in ("article.txt", "article.meta", "places.csv", "events.csv", "claims.csv", "review.html"):
        assert (out / f).read_bytes() == (again / f).read_bytes(), f


def test_every_test_article_drafts_to_files_and_a_review_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli import main

    for path in GOLDS:
        gold, _, _ = _load(path)
        src = gold["article"]
        article = _seed_article(src.split(":", 1)[1]) if src.startswith("seed:") else HERE / src
        out = tmp_path / path.name.removesuffix(".gold.json")
        assert main(["draft", str(article), "--date", gold["date"], "--title", gold["title"], "--out", str(out)]) == 0
        assert {p.name for p in out.iterdir()} == {"article.txt", "article.meta", "places.csv", "events.csv",
                                                   "claims.csv", "review.html"}
        assert "<mark" in (out / "review.html").read_text(encoding="utf-8")
    assert capsys.readouterr().err == ""


def test_new_geonames_towns_become_valid_place_rows(tmp_path: Path, gaz: gazetteer.Gazetteer) -> None:
    d = command.draft_text("Title\nTraders crossed into the Pakistani town of Pishin and went on to Jiwani.",
                           dt.date(2024, 5, 1), title="Title", gaz=gaz)
    cols, rows = command.rows(d, gaz, "S69")["places.csv"]
    assert {r["id"] for r in rows} == {"gn-1167821", "gn-1175712"}
    path = tmp_path / "places.csv"
    path.write_text(command._csv_text(cols, rows), encoding="utf-8")
    table = seeds_mod.Table("places.csv", (*seeds_mod.PLACES.columns,
                                           seeds_mod.Column("status", "enum", choices=("draft",))))
    got = {r["id"]: r for r in seeds_mod.read_table(path, table)}
    assert got["gn-1175712"]["iso_3166_2"] == "PK-BA" and got["gn-1175712"]["in_article"] is True


def test_columns_come_from_the_seed_tables_at_run_time(monkeypatch: pytest.MonkeyPatch,
                                                        gaz: gazetteer.Gazetteer) -> None:
    """A column added to a seed table (article_id, issue 17) flows into the draft without a change here."""
    extra = seeds_mod.Column("article_id", "id")
    cols = seeds_mod.EVENTS.columns
    wider = seeds_mod.Table("events.csv", (cols[0], extra, *cols[1:]))
    monkeypatch.setattr(seeds_mod, "EVENTS", wider)
    gold, text, _ = _load(HERE / "strikes-2024-01.gold.json")
    d = command.draft_text(text, dt.date(2024, 1, 30), title=gold["title"], gaz=gaz)
    cols_out, rows = command.rows(d, gaz, "src")["events.csv"]
    assert cols_out[:2] == ["id", "article_id"] and rows and all(r["article_id"] == d.article["id"] for r in rows)


@pytest.mark.parametrize(("content", "args", "expect"), [
    (None, ["--date", "2024-01-30"], "file not found"),
    (b"", ["--date", "2024-01-30"], "file is empty"),
    (b"  \n\n", ["--date", "2024-01-30"], "file is empty"),
    (b"Title\nsome\x00binary", ["--date", "2024-01-30"], "binary file"),
    (b"Title\nQuetta caf\xe9\n", ["--date", "2024-01-30"], "not UTF-8"),
    (b"Title\ntext\n", ["--date", "2024-13-01"], "no such day"),
    (b"Title\ntext\n", ["--date", "30/01/2024"], "YYYY-MM-DD"),
    (b"Title\ntext\n", ["--date", "2024-01-30", "--out", "seeds/x"], "never writes seeds/"),
])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, content: bytes | None, args: list[str], expect: str) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    extra = [a if a != "seeds/x" else str(settings.SEEDS_DIR / "x") for a in args]
    if "--out" not in extra:
        extra += ["--out", str(out)]
    r = _geo("draft", str(path), *extra)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and "Traceback" not in r.stderr, r.stderr
    assert not out.exists() and not (settings.SEEDS_DIR / "x").exists()


# --------------------------------------------------------------------------- the cache is hostile input

def test_cache_that_is_not_ours_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           gaz: gazetteer.Gazetteer) -> None:
    real = gaz.geonames.path
    cache = tmp_path / "geonames.sqlite"
    rebuilt: list[Path] = []

    def fake_build(path: Path) -> None:  # the real build takes a minute: copy the checked real index
        rebuilt.append(path)
        path.write_bytes(real.read_bytes())

    monkeypatch.setattr(gazetteer, "build_index", fake_build)
    for junk in (b"not a database", b"SQLite format 3\x00" + b"\xff" * 200):
        cache.write_bytes(junk)
        ix = gazetteer.GeoNamesIndex(cache)
        assert ix.rebuilt and ix.lookup(["quetta"])["quetta"][0].country == "PK"
        ix.close()
    # a stale fingerprint
    con = sqlite3.connect(cache)
    con.execute("UPDATE meta SET v = 'other' WHERE k = 'fingerprint'")
    con.commit()
    con.close()
    ix = gazetteer.GeoNamesIndex(cache)
    assert ix.rebuilt
    ix.close()
    # a tampered row: found when read, and the index is rebuilt rather than trusted
    con = sqlite3.connect(cache)
    con.execute("UPDATE city SET lat = 999 WHERE gid = 1167528")
    con.commit()
    con.close()
    ix = gazetteer.GeoNamesIndex(cache)
    assert not ix.rebuilt
    got = ix.lookup(["quetta"])["quetta"]
    assert ix.rebuilt and all(-90 <= e.lat <= 90 for e in got)  # type: ignore[operator]
    ix.close()
    assert len(rebuilt) == 4


def test_iso_names_cache_is_checked_and_recomputed(tmp_path: Path) -> None:
    good = gazetteer.iso_names(tmp_path)  # computed and written
    path = next(tmp_path.glob("iso-names-*.json"))
    assert json.loads(path.read_text(encoding="utf-8")) == good
    tampered = json.loads(path.read_text(encoding="utf-8"))
    tampered["admin1"][0]["code"] = "<script>"
    for junk in ("not json", "[]", json.dumps(tampered), json.dumps({**good, "fingerprint": "other"})):
        path.write_text(junk, encoding="utf-8")
        assert gazetteer.iso_names(tmp_path) == good
        assert json.loads(path.read_text(encoding="utf-8")) == good  # rewritten


# --------------------------------------------------------------------------- the review page

def test_review_page_is_offline_and_shows_every_mention(tmp_path: Path, gaz: gazetteer.Gazetteer) -> None:
    from geo.draft.review import review_html

    gold, text, _ = _load(HERE / "markets-2023-05.gold.json")
    d = command.draft_text(text, dt.date(2023, 5, 19), title=gold["title"], gaz=gaz)
    page = review_html(d, gaz)
    assert 'http-equiv="Content-Security-Policy"' in page and "connect-src 'none'" in page
    assert "<script src" not in page and "<link" not in page
    assert page.count('data-k="p"') == len(d.mentions)


@pytest.mark.browser
def test_review_page_in_a_browser(tmp_path: Path) -> None:
    sys.path.insert(0, str(settings.ROOT))
    from tools.map_browser import browser, watch_page

    out = tmp_path / "d"
    r = _geo("draft", str(HERE / "pipeline-2024-02.txt"), "--date", "2024-02-24", "--out", str(out))
    assert r.returncode == 0, r.stderr
    url = (out / "review.html").as_uri()
    with browser() as b:
        for size, phone in (((390, 844), True), ((1440, 900), False)):
            ctx = b.new_context(viewport={"width": size[0], "height": size[1]}, is_mobile=phone, has_touch=phone)
            page = watch_page(ctx.new_page(), url)
            page.goto(url)
            page.wait_for_selector(".leaflet-interactive")
            assert page.locator("path.leaflet-interactive").count() >= 8  # countries + places
            mark = page.locator('mark[data-k="p"]', has_text="Chabahar").first
            mark.scroll_into_view_if_needed()
            mark.tap() if phone else mark.click()
            assert "gn-1161724" in page.locator("#detail").inner_text()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= size[0], f"page scrolls sideways at {size}"
            assert not page.atlas_errors and not page.atlas_blocked, (page.atlas_errors, page.atlas_blocked)
            ctx.close()


def report() -> None:
    """Print the figures and misses of every gold (docs/draft.md): ``python tests/draft/test_draft.py``."""
    gaz_ = gazetteer.Gazetteer()
    for path in GOLDS:
        gold, text, body = _load(path)
        d = command.draft_text(text, dt.date.fromisoformat(gold["date"]), title=gold["title"], gaz=gaz_)
        s = score.score(d, gold, gaz_, body)
        p, t, e = s["places"], s["dates"], s["events"]
        tag = " (held out)" if gold.get("held_out") else ""
        print(f"{path.name.removesuffix('.gold.json')}{tag}: places P {p['precision']:.3f} R {p['recall']:.3f} "
              f"({p['right']}/{p['predicted']} predicted, {p['gold']} gold); dates {t['right']}/{t['gold']}; "
              f"events {e['found']}/{e['gold']} (predicted {e['predicted']})")
        for miss in s["misses"]:
            print("   ", miss)
        for extra in e["unmatched_predictions"]:
            print("    extra event (not in gold):", extra)


if __name__ == "__main__":
    report()
