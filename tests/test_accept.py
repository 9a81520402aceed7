"""Several articles (issue 17): `geo accept DIR` merges a reviewed draft into seeds/, and `geo build`
then gives layers, tables and a map that hold both articles.

The draft is tests/draft/drafts/sirkan-2024-01-killings/, written by hand in the form `geo draft` writes
(a test text in the team's own words about the 27 Jan 2024 killings in Saravan county, S78, and the
29 Jan 2024 visit of Iran's foreign minister to Islamabad, S77; rows cite seeds/sources.csv).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import repo_copy

from geo import catalog, settings
from geo.build import article, layers
from geo.cli import main
from geo.errors import SeedError

DRAFT = settings.ROOT / "tests" / "draft" / "drafts" / "sirkan-2024-01-killings"
NEW, OLD = "sirkan-2024-01-killings", "gulf-2024-04-raisi-visit"
ISLAMABAD, SARAVAN = "gn-1176615", "gn-1159713"


def _tree(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A copy of the repository with the draft accepted twice (no build: the fast loop's part)."""
    repo = repo_copy.make(tmp_path_factory.mktemp("accept") / "repo")
    first = repo_copy.geo(repo, "accept", str(DRAFT))
    after_first = _tree(repo / "seeds")
    again = repo_copy.geo(repo, "accept", str(DRAFT))
    after_again = _tree(repo / "seeds")
    return {"repo": repo, "first": first, "again": again, "after_first": after_first, "after_again": after_again}


@pytest.fixture(scope="module")
def two(accepted: dict[str, object]) -> dict[str, object]:
    """The accepted copy built twice (whole builds: the tests that use it are marked slow)."""
    repo = accepted["repo"]
    assert isinstance(repo, Path)
    build = repo_copy.geo(repo, "build", timeout=1200)
    rebuild = repo_copy.geo(repo, "build", "--layers", str(repo / "layers2"), "--maps", str(repo / "maps2"),
                            timeout=1200)
    return {**accepted, "build": build, "rebuild": rebuild}


def test_accept_merges_the_accepted_rows_with_seed_ids(accepted: dict) -> None:
    first, repo = accepted["first"], accepted["repo"]
    assert first.returncode == 0, first.stderr
    assert "2 events" in first.stdout and "1 claims" in first.stdout and "2 already in seeds/" in first.stdout
    seeds = repo / "seeds"
    assert (seeds / "articles" / NEW / "article.txt").read_bytes() == (DRAFT / "article.txt").read_bytes()
    events = {r["id"]: r for r in csv.DictReader(io.StringIO((seeds / "events.csv").read_text(encoding="utf-8")))}
    claims = {r["id"]: r for r in csv.DictReader(io.StringIO((seeds / "claims.csv").read_text(encoding="utf-8")))}
    new_events = {i: r for i, r in events.items() if r["article_id"] == NEW}
    # ids in the seeds' style; the rejected row (26 Jan) is not merged; status is gone
    assert sorted(new_events) == ["ev-2024-01-27-attack-sirkan-saravan-county", "ev-2024-01-29-meeting-islamabad"]
    assert "status" not in next(iter(events.values()))
    new_claims = [r for r in claims.values() if r["article_id"] == NEW]
    assert len(new_claims) == 1 and re.fullmatch(r"cl-[a-z0-9]+(-[a-z0-9]+)*", new_claims[0]["id"])
    # the claim's reference to the draft's provisional event id follows the new id
    assert new_claims[0]["feature_ids"] == "ev-2024-01-27-attack-sirkan-saravan-county"
    # the places already in seeds/ keep one row each
    places = [r["id"] for r in csv.DictReader(io.StringIO((seeds / "places.csv").read_text(encoding="utf-8")))]
    assert places.count(ISLAMABAD) == 1 and places.count(SARAVAN) == 1
    # the existing rows keep their bytes: the merged file starts with the old one
    old = (settings.SEEDS_DIR / "events.csv").read_bytes()
    assert (seeds / "events.csv").read_bytes().startswith(old)


def test_accepting_the_same_draft_again_changes_nothing(accepted: dict) -> None:
    again = accepted["again"]
    assert again.returncode == 0, again.stderr
    assert "nothing new" in again.stdout
    assert accepted["after_again"] == accepted["after_first"]


@pytest.mark.slow  # two whole builds of the accepted copy: outside the fast loop
def test_build_has_two_articles_in_every_format(two: dict) -> None:
    import pyarrow.parquet as pq
    import pyogrio

    assert two["build"].returncode == 0, two["build"].stderr[-3000:]
    ldir = two["repo"] / "layers"
    ev = json.loads((ldir / "events.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["article_id"] for f in ev["features"]} == {NEW, OLD}
    claims = json.loads((ldir / "claims.json").read_text(encoding="utf-8"))["claims"]
    assert {c["article_id"] for c in claims} == {NEW, OLD}
    places = {f["id"]: f["properties"] for f in json.loads((ldir / "places.geojson").read_text())["features"]}
    assert places[ISLAMABAD]["article_ids"] == f"{NEW};{OLD}"  # named by both, newest first
    assert places[SARAVAN]["article_ids"] == NEW
    assert places["pl-tripoint"]["article_ids"] is None  # named by no article
    # the articles table: CSV, GeoPackage (non-spatial table), Parquet, newest first
    rows = list(csv.DictReader(io.StringIO((ldir / "articles.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["article_id", "title", "outlet", "date", "url", "source_id", "words", "events", "claims",
                             "license", "data_version"]
    assert [r["article_id"] for r in rows] == [NEW, OLD]
    assert (rows[0]["date"], rows[0]["events"], rows[0]["claims"]) == ("2024-01-29", "2", "1")
    text = (DRAFT / "article.txt").read_text(encoding="utf-8")
    assert rows[0]["words"] == str(len(text.split()))
    assert rows[1]["events"] == str(sum(1 for f in ev["features"] if f["properties"]["article_id"] == OLD))
    gpkg = ldir / "frontier.gpkg"
    assert "articles" in [name for name, _ in pyogrio.list_layers(gpkg)]
    df = pyogrio.read_dataframe(gpkg, layer="articles", read_geometry=False)
    assert list(df["article_id"]) == [NEW, OLD] and list(df["events"]) == [2, int(rows[1]["events"])]
    ev_gpkg = pyogrio.read_dataframe(gpkg, layer="events_point", read_geometry=False)
    assert NEW in set(ev_gpkg["article_id"])
    table = pq.read_table(ldir / "articles.parquet")
    assert table.column("article_id").to_pylist() == [NEW, OLD]
    assert set(pq.read_table(ldir / "events.parquet").column("article_id").to_pylist()) == {NEW, OLD}
    ev_csv = list(csv.DictReader(io.StringIO((ldir / "events.csv").read_text(encoding="utf-8"))))
    assert {r["article_id"] for r in ev_csv} == {NEW, OLD}
    pkg = json.loads((ldir / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in pkg["resources"]}
    assert res["articles"]["path"] == "articles.csv"
    assert [f["name"] for f in res["articles"]["schema"]["fields"]] == [r for r in rows[0]]
    assert "articles-parquet" in res


@pytest.mark.slow  # two whole builds of the accepted copy: outside the fast loop
def test_map_payload_lists_both_articles_newest_first(two: dict) -> None:
    html = (two["repo"] / "maps" / "frontier.html").read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.DOTALL)
    data = json.loads(m.group(1))
    arts = data["articles"]
    assert [a["id"] for a in arts] == [NEW, OLD]
    assert set(arts[0]) == {"id", "title", "publisher", "date", "url", "note", "paragraphs"}
    assert "article" not in data  # the text once, in "articles"
    # each article's passages link only its own events and claims
    linked = {a["id"]: {i for para in a["paragraphs"] for _, ids in para for i in ids} for a in arts}
    assert "ev-2024-01-27-attack-sirkan-saravan-county" in linked[NEW]
    assert "ev-2024-04-22-arrival-islamabad" in linked[OLD]
    assert not linked[NEW] & linked[OLD]
    assert data["mentions"][ISLAMABAD] == [NEW, OLD]
    assert data["mentions"]["ev-2024-04-22-arrival-islamabad"] == [OLD]
    assert not data["unlinked"]


@pytest.mark.slow  # two whole builds of the accepted copy: outside the fast loop
def test_two_article_build_is_reproducible(two: dict) -> None:
    assert two["rebuild"].returncode == 0, two["rebuild"].stderr[-3000:]
    repo = two["repo"]
    for a, b in (("layers", "layers2"), ("maps", "maps2")):
        ta, tb = _tree(repo / a), _tree(repo / b)
        assert ta == tb, sorted(k for k in ta if ta.get(k) != tb.get(k))


# ---------------------------------------------------------------- bad drafts: one line, exit 2, seeds/ untouched


def _draft_copy(tmp_path: Path, table: str, row_id: str, column: str, value: str) -> Path:
    d = tmp_path / NEW
    shutil.copytree(DRAFT, d)
    path = d / table
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    col = rows[0].index(column)
    for r in rows[1:]:
        if r[0] == row_id:
            r[col] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return d


@pytest.mark.parametrize(("table", "row_id", "column", "value", "expected"), [
    ("events.csv", "d-ev-1", "event_date", "2024-02-30", r"events\.csv row 2, column event_date: '2024-02-30' is not a valid date"),
    ("events.csv", "d-ev-3", "status", "maybe", r"events\.csv row 4, column status: 'maybe' is not one of draft, accepted, rejected"),
    ("events.csv", "d-ev-1", "article_id", "some-other-article", r"events\.csv row 2, column article_id: 'some-other-article' is not this draft's article"),
    # found only by the build's checks on the merged seeds: pointed back at the draft's row
    ("events.csv", "d-ev-1", "geometry_basis", "place:gn-999", r"events\.csv row 2, column geometry_basis: unknown place 'gn-999'"),
    ("events.csv", "d-ev-3", "article_quote", "Raisi also met with President Asif Ali Zardari",
     r"events\.csv row 4: article_quote 'Raisi also met"),
])
def test_bad_row_is_named_and_seeds_stay_byte_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        table: str, row_id: str, column: str, value: str,
                                                        expected: str) -> None:
    seeds = tmp_path / "repo" / "seeds"
    shutil.copytree(settings.SEEDS_DIR, seeds)
    before = _tree(seeds)
    draft = _draft_copy(tmp_path, table, row_id, column, value)
    rc = main(["accept", str(draft), "--seeds", str(seeds)])
    err = capsys.readouterr().err.strip()
    assert rc == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(draft / table) in err or f"{NEW}/{table}" in err, err
    assert re.search(expected, err), err
    assert _tree(seeds) == before
    assert not list(seeds.parent.glob(".*")), "no journal or temp file left beside seeds/"


def test_nothing_accepted_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / NEW
    shutil.copytree(DRAFT, d)
    for name in ("places.csv", "events.csv", "claims.csv"):
        p = d / name
        p.write_text(p.read_text(encoding="utf-8").replace(",accepted\n", ",draft\n"), encoding="utf-8")
    rc = main(["accept", str(d), "--seeds", str(tmp_path / "seeds")])
    assert rc == 2
    assert "no row is marked accepted" in capsys.readouterr().err


# ---------------------------------------------------------------- the seed checks of article ids


def _seeds_copy(tmp_path: Path) -> Path:
    d = tmp_path / "seeds"
    shutil.copytree(settings.SEEDS_DIR, d, ignore=shutil.ignore_patterns("basemap", "gem"))
    return d


@pytest.mark.parametrize(("value", "expected"), [
    ("no-such-article", r"events\.csv row 2, column article_id: unknown article 'no-such-article'"),
    ("Gulf_2024", r"events\.csv row 2, column article_id: 'Gulf_2024' is not a lowercase slug"),
])
def test_event_article_id_must_name_an_article(tmp_path: Path, value: str, expected: str) -> None:
    d = _seeds_copy(tmp_path)
    f = d / "events.csv"
    f.write_text(f.read_text(encoding="utf-8").replace(f",{OLD},", f",{value},", 1), encoding="utf-8")
    seeds = layers.load_seeds(d)
    arts = {a["id"]: a for a in article.load_articles(d)}
    with pytest.raises(SeedError, match=expected):
        layers.check_article_ids(seeds, arts, d)


def test_article_folder_name_must_be_a_slug(tmp_path: Path) -> None:
    d = _seeds_copy(tmp_path)
    shutil.copytree(d / "articles" / OLD, d / "articles" / "Not A Slug")
    with pytest.raises(SeedError, match=r"article id 'Not A Slug' is not a lowercase slug"):
        article.load_articles(d)
    shutil.rmtree(d / "articles" / "Not A Slug")
    shutil.copytree(d / "articles" / OLD, d / "articles" / ("x" * 65))
    with pytest.raises(SeedError, match="at most 64 allowed"):
        article.load_articles(d)


def test_articles_newest_first_undated_last() -> None:
    arts = [{"id": "b", "date": None}, {"id": "a", "date": "2024-01"}, {"id": "c", "date": "2025-06-01"},
            {"id": "d", "date": None}]
    assert [a["id"] for a in article.newest_first(arts)] == ["c", "a", "b", "d"]


def test_one_article_payload_keeps_todays_article() -> None:
    """With one article the page's "article" is today's entry and every passage stays linked."""
    from geo.render import story

    inp = story.load_inputs()
    data = story.build_payload(inp.pop("layers"), **inp)
    assert [a["id"] for a in data["articles"]] == [OLD]
    assert set(data["mentions"][ISLAMABAD]) == {OLD}
    assert catalog.property_names("articles")[0] == "article_id"


def test_rows_not_accepted_are_not_checked(tmp_path: Path) -> None:
    """A draft row left as draft (or rejected) may hold what only a reviewer can fill (verdict
    `unreviewed`, no sources): it never blocks the accepted rows, whose own columns are checked."""
    from geo import accept
    from geo.build.seeds import CLAIMS

    def edited(d: Path, row: int, column: str, value: str) -> Path:
        shutil.copytree(DRAFT, d)
        recs = list(csv.reader(io.StringIO((d / "claims.csv").read_text(encoding="utf-8"), newline="")))
        recs[row - 1][recs[0].index(column)] = value
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(recs)
        (d / "claims.csv").write_text(buf.getvalue(), encoding="utf-8")
        return d / "claims.csv"

    assert "draft" in (DRAFT / "claims.csv").read_text(encoding="utf-8").splitlines()[2]  # row 3 is not accepted
    rows = accept._read_draft(edited(tmp_path / "a", 3, "verdict", "unreviewed"), CLAIMS)
    assert [num for num, _ in rows] == [2]
    with pytest.raises(SeedError, match=r"claims\.csv row 2, column sources: is empty but required"):
        accept._read_draft(edited(tmp_path / "b", 2, "sources", ""), CLAIMS)
