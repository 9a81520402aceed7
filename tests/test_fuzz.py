"""Fuzz (hypothesis): mutated seed CSVs, layer GeoJSON and basemap extracts never make `geo`
print a traceback. Each outcome is success, a validation report (exit 1: one problem per line and
a summary) or exactly one error line (exit 2); never exit 3 (a bug); nothing raw from the input
reaches the terminal (control characters are escaped); a failed build leaves the outputs as they
were, byte for byte.

Mutations (seed tables, the article text, layer files, basemap extracts): truncation, random bytes, cells replaced by hostile values (huge, negative, NaN,
control characters, quotes, markup, very long), duplicated or dropped rows and columns, JSON
values of the wrong type, nesting thousands of levels deep, huge coordinates, duplicate ids.

Bounded: examples are derandomized (the same ones on every run, so a failure reproduces) and
counted; GEO_FUZZ_SCALE multiplies the counts (default 1: about a minute in all) and
GEO_FUZZ_RANDOM=1 draws new examples instead.
"""

from __future__ import annotations

import csv
import io as _io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import fuzz_targets
import pytest
import repo_copy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_inputs import RAW_CONTROL, _deadline
from trust_fixtures import tree_hashes

from geo import settings as geo_settings
from geo.build import basemap
from geo.cli import main
from geo.errors import GeoError

SCALE = float(os.environ.get("GEO_FUZZ_SCALE", "1"))
#: Examples actually run, per test (docs/reliability.md reports them).
RUN: dict[str, int] = {}


#: GEO_FUZZ_RANDOM=1 explores new examples (bug hunting) instead of the fixed derandomized ones.
RANDOM = os.environ.get("GEO_FUZZ_RANDOM") == "1"


def _settings(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, derandomize=not RANDOM, database=None,
                    suppress_health_check=list(HealthCheck))


def _count(name: str) -> None:
    RUN[name] = RUN.get(name, 0) + 1


# ---------------------------------------------------------------- strategies

HOSTILE_TEXT = st.sampled_from([
    "", " ", "0", "-1", "1e309", "-1e309", "nan", "inf", "9" * 400, "1" * 5000, "0x10", "1,5", "true",
    "\x1b[2J", "a\nb", "a\rb", "\x00", "\u202e", '"', '""', "'", ",", ";", ";;", "<script>", "javascript:",
    "2024-13-45", "0000-00-00", "http://user@x/", "https://x/#javascript:", "🙂" * 50, "\ufeff", "\\",
])
CELL = st.one_of(HOSTILE_TEXT, st.text(max_size=40), st.integers().map(str),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr))
SEED_TABLES = sorted(p.name for p in geo_settings.SEEDS_DIR.glob("*.csv"))
SEED_TEXTS = ["articles/gulf-2024-04-raisi-visit/article.txt", "articles/gulf-2024-04-raisi-visit/article.meta"]


@st.composite
def csv_mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, new bytes) for one seed table (or, with raw damage only, the article's text)."""
    name = draw(st.sampled_from([*SEED_TABLES, *SEED_TEXTS]))
    data = (geo_settings.SEEDS_DIR / name).read_bytes()
    if name in SEED_TEXTS:
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            return name, data[:at]
        return name, data[:at] + draw(st.one_of(st.binary(min_size=1, max_size=8),
                                                 HOSTILE_TEXT.map(lambda t: t.encode()))) + data[at:]
    rows = list(csv.reader(_io.StringIO(data.decode("utf-8-sig"), newline="")))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "truncate", "bytes", "dup_row", "drop_col", "swap_cols",
                                 "add_col", "blank_header"]))
    if kind == "truncate":
        return name, data[: draw(st.integers(0, len(data)))]
    if kind == "bytes":
        at = draw(st.integers(0, len(data)))
        return name, data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    r = draw(st.integers(1, len(rows) - 1))
    c = draw(st.integers(0, len(rows[0]) - 1))
    if kind == "cell":
        rows[r][c] = draw(CELL)
    elif kind == "dup_row":
        rows.insert(r, list(rows[r]))
    elif kind == "drop_col":
        rows = [row[:c] + row[c + 1:] for row in rows]
    elif kind == "swap_cols":
        d = draw(st.integers(0, len(rows[0]) - 1))
        for row in rows:
            if len(row) > max(c, d):
                row[c], row[d] = row[d], row[c]
    elif kind == "add_col":
        rows = [row + [draw(CELL) if n else "extra"] for n, row in enumerate(rows)]
    else:
        rows[0][c] = ""
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return name, buf.getvalue().encode("utf-8", "surrogatepass")


JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE_TEXT,
                        st.just(1e308), st.just(-1e308), st.just(10 ** 30))
JSON_VALUE = st.recursive(JSON_SCALAR, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                              st.dictionaries(st.text(max_size=5), kids, max_size=4)),
                          max_leaves=12)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:6]):  # the first few members of long arrays are enough
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def json_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """New bytes for a GeoJSON file: a structural change to the document, or raw byte damage."""
    kind = draw(st.sampled_from(["value", "value", "value", "delete", "nest", "truncate", "bytes", "dup_id"]))
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "bytes":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    doc = json.loads(data)
    paths = [p for p in _paths(doc) if p]
    target = draw(st.sampled_from(paths))
    parent = doc
    for key in target[:-1]:
        parent = parent[key]
    last = target[-1]
    if kind == "value":
        parent[last] = draw(JSON_VALUE)
    elif kind == "delete":
        del parent[last]
    elif kind == "nest":
        n = draw(st.sampled_from([2, 10, 100, 1000, 5000, 100_000]))
        parent[last] = "@NEST@"
        text = json.dumps(doc).replace('"@NEST@"', "[" * n + "]" * n, 1)
        return text.encode("utf-8")
    else:
        feats = doc.get("features") or []
        if len(feats) >= 2:
            feats[1]["id"] = feats[0].get("id")
    return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8")


# ---------------------------------------------------------------- checks


def _check_outcome(rc: int, err: str, out: str = "") -> None:
    assert "Traceback" not in err, err[-3000:]
    assert not RAW_CONTROL.search(err), repr(err[-500:])
    assert not RAW_CONTROL.search(out), repr(out[-500:])
    lines = err.splitlines()
    if rc == 2:
        errors = [ln for ln in lines if not ln.startswith("geo: warning: ")]
        assert len(errors) == 1 and errors[0].startswith("geo: error: "), lines[-5:]
        assert len(errors[0]) < 2000
    elif rc == 1:
        assert lines and lines[-1].startswith("geo: ") and "validation problem" in lines[-1], lines[-5:]
    else:
        assert rc == 0, f"exit {rc}: {err[-1500:]}"


# ---------------------------------------------------------------- seeds -> geo build (in-process)


@pytest.fixture(scope="module")
def outputs_copy(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("fuzz-out")
    layers, maps = root / "layers", root / "maps"
    shutil.copytree(built[0], layers)
    shutil.copytree(built[1], maps)
    return layers, maps, tree_hashes(layers, maps)


@pytest.mark.slow  # a real build or many: outside the fast loop
def test_fuzz_seed_tables(outputs_copy: tuple[Path, Path, dict[str, str]], built: tuple[Path, Path],
                          memo_basemap: Any, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> None:
    layers, maps, before = outputs_copy
    seeds_dir = tmp_path_factory.mktemp("fuzz-seeds") / "seeds"
    shutil.copytree(geo_settings.SEEDS_DIR, seeds_dir)

    @_settings(25)
    @given(mutation=csv_mutation())
    def run(mutation: tuple[str, bytes]) -> None:
        name, data = mutation
        original = (geo_settings.SEEDS_DIR / name).read_bytes()
        if data == original:
            return
        _count("seed tables")
        (seeds_dir / name).write_bytes(data)
        try:
            capsys.readouterr()
            with _deadline(120):
                rc = main(["build", "--seeds", str(seeds_dir), "--layers", str(layers), "--maps", str(maps),
                           "--no-map"])
            err = capsys.readouterr().err
            _check_outcome(rc, err)
            if rc != 0:
                assert tree_hashes(layers, maps) == before, "a failed build changed the outputs"
            else:  # a harmless mutation (a note, a blank line) built: restore the reference outputs
                shutil.rmtree(layers)
                shutil.rmtree(maps)
                shutil.copytree(built[0], layers)
                shutil.copytree(built[1], maps)
        finally:
            (seeds_dir / name).write_bytes(original)

    run()


# ---------------------------------------------------------------- layer files -> geo validate, geo lengths


LAYER_FILES = ["markets.geojson", "pipeline.geojson", "border.geojson", "events.geojson", "claims.json"]


@pytest.mark.slow  # a real build or many: outside the fast loop
def test_fuzz_layer_files(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory,
                          capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path_factory.mktemp("fuzz-layers")
    sources = {n: (built[0] / n).read_bytes() for n in LAYER_FILES}

    @_settings(120)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(LAYER_FILES))
        mutated = data.draw(json_mutation(sources[name]))
        path = d / name
        path.write_bytes(mutated)
        _count("layer files")
        commands = [["validate", str(path)]]
        if name.endswith(".geojson"):
            commands.append(["lengths", str(path)])
        for cmd in commands:
            capsys.readouterr()
            with _deadline(60):
                rc = main(cmd)
            out, err = capsys.readouterr()
            if cmd[0] == "lengths":
                assert rc in (0, 2), (rc, err[-1000:])
            _check_outcome(rc, err, out)

    run()


# ---------------------------------------------------------------- basemap extracts


def test_fuzz_basemap_extract(tmp_path_factory: pytest.TempPathFactory) -> None:
    d = tmp_path_factory.mktemp("fuzz-basemap")
    shutil.copytree(geo_settings.BASEMAP_DIR, d, dirs_exist_ok=True)
    name = "ne_admin1.geojson"
    original = (geo_settings.BASEMAP_DIR / name).read_bytes()

    @_settings(40)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        (d / name).write_bytes(data.draw(json_mutation(original)))
        _count("basemap extracts")
        try:
            basemap.load_extract(d, name)
        except GeoError as exc:  # the only way it may fail, naming the file
            assert name in str(exc), str(exc)

    run()


# ---------------------------------------------------------------- a few whole builds in real processes


@pytest.mark.slow  # a real build or many: outside the fast loop
def test_fuzz_whole_builds_in_processes(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Two mutated seed sets, each built by a real `python -m geo build` in a copy of the checkout."""
    repo = repo_copy.make(tmp_path / "repo", maps_from=built[1])
    shutil.rmtree(repo / "layers")
    shutil.copytree(built[0], repo / "layers")
    before = tree_hashes(repo / "layers", repo / "maps")
    drawn: list[tuple[str, bytes]] = []

    @_settings(2)
    @given(mutation=csv_mutation())
    def collect(mutation: tuple[str, bytes]) -> None:
        drawn.append(mutation)

    collect()
    for name, data in drawn:
        original = (repo / "seeds" / name).read_bytes()
        (repo / "seeds" / name).write_bytes(data)
        proc = repo_copy.geo(repo, "build")
        _count("whole builds")
        _check_outcome(proc.returncode, proc.stderr)
        if proc.returncode != 0:
            assert tree_hashes(repo / "layers", repo / "maps") == before
            assert repo_copy.leftovers(repo) == []
        (repo / "seeds" / name).write_bytes(original)
        if proc.returncode == 0:
            assert repo_copy.geo(repo, "build").returncode == 0
            before = tree_hashes(repo / "layers", repo / "maps")


# ---------------------------------------------------------------- the readers written here (issue 20)


def _reader_seeds(target: str) -> list[bytes]:
    """Valid inputs each reader target starts from (tests/fuzz_targets.py)."""
    import shapely
    from shapely.geometry import LineString, MultiLineString, Polygon

    if target == "geojson_stream":
        coords = [[61.0 + i / 7, 29.0 + i / 11] for i in range(300)]  # streamed (over SMALL_OBJECT_BYTES)
        fc = {"type": "FeatureCollection", "crs": None, "features": [
            {"type": "Feature", "id": "a", "properties": {"name": "x", "length_known_km": 12.5},
             "geometry": {"type": "LineString", "coordinates": coords[:3]}},
            {"type": "Feature", "id": 2, "properties": None,
             "geometry": {"type": "MultiLineString", "coordinates": [coords, coords[:2]]}},
            {"type": "Feature", "properties": {}, "geometry": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "coordinates": [[[61, 29], [62, 29], [62, 30], [61, 29]]]}]}}]}
        return [json.dumps(fc).encode(), json.dumps(fc["features"][1]).encode()]
    if target == "wkb":
        geoms = [LineString([(61, 29), (62, 30), (63, 29.5)]),
                 MultiLineString([[(61, 29), (62, 30)], [(63, 29), (64, 30)]]),
                 Polygon([(61, 29), (62, 29), (62, 30), (61, 29)])]
        return [shapely.to_wkb(g, byte_order=order) for g in geoms for order in (0, 1)]
    if target == "seeds":
        return [(geo_settings.SEEDS_DIR / "places.csv").read_bytes()[:3000],
                (geo_settings.SEEDS_DIR / "events.csv").read_bytes()[:3000]]
    if target == "parquet_pages":
        return fuzz_targets.parquet_seeds()
    return [fuzz_targets.journal_seed()]


@st.composite
def _mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A valid input with a few byte-level edits: replace, insert, delete, truncate, repeat."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "repeat"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "replace" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from([b"[", b"{", b'"', b"\\", b"1e999", b"-", b",", b"\x00", b"\xff",
                                                b"\xef\xbb\xbf", b"\xe2\x80\xae", b"NaN", b"..", b"/", b"\x07\x00\x00\x00",
                                                b"\xff\xff\xff\x7f"]))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[at:]
        else:
            piece = bytes(data[at : at + draw(st.integers(1, 64))])
            data[at:at] = piece * draw(st.integers(2, 50))
    return bytes(data)


@pytest.mark.parametrize("target", sorted(fuzz_targets.TARGETS))
def test_fuzz_readers_written_here(target: str) -> None:
    """The GeoJSON stream reader, the WKB parser, the seed parser, the journal reader and the
    GeoParquet page reader on
    mutated valid inputs and on random bytes: only their own one-line refusal, never another
    exception; a journal never touches a file outside its folder. (The long, coverage-guided
    run is benchmarks/fuzz_readers.py.)"""
    fn = fuzz_targets.TARGETS[target]
    seeds = _reader_seeds(target)
    for seed in seeds:
        fn(seed)  # the valid inputs themselves are accepted by the harness

    @_settings(100)
    @given(data=st.one_of(_mutated(seeds), st.binary(max_size=512)))
    def run(data: bytes) -> None:
        _count(f"reader {target}")
        fn(data)

    run()


def test_found_by_fuzzing_a_non_utf8_byte_inside_a_large_feature(tmp_path: Path) -> None:
    """atheris (benchmarks/fuzz_readers.py): a byte that is not UTF-8 inside a streamed feature's
    properties escaped the stream reader as UnicodeDecodeError instead of its syntax error."""
    from geo.lengths import geojson_stream

    feat = b'{"type":"Feature","properties":{"note":"' + b"x" * 5000 + b'\xae"},"geometry":null}'
    path = tmp_path / "bad.geojson"
    path.write_bytes(b'{"type":"FeatureCollection","features":[' + feat + b"]}")
    with pytest.raises(geojson_stream.GeoJSONSyntaxError, match=r"not UTF-8 \(byte 0xae near byte \d+\)"):
        geojson_stream.read(path, fuzz_targets.CountingSink())


def test_found_by_fuzzing_deeply_nested_wkb_collections() -> None:
    """10^5 nested GeometryCollections (900 KB of WKB) exhausted Python's recursion limit in the
    WKB parser (RecursionError); now refused by depth with the reader's one-line error."""
    from geo.errors import InputError
    from geo.lengths.wkb import MAX_WKB_DEPTH, feed_wkb

    with pytest.raises(InputError, match=f"nested more than {MAX_WKB_DEPTH} levels"):
        feed_wkb(fuzz_targets.CountingSink(), b"\x01\x07\x00\x00\x00\x01\x00\x00\x00" * 100_000, "f: feature 1")


def test_zz_report_fuzz_counts() -> None:
    """Print how many examples ran (for docs/reliability.md); the fuzz tests above must have run."""
    print("fuzz examples run:", json.dumps(RUN, sort_keys=True))
    assert RUN, "no fuzz example ran"
