"""`geo lengths`: the streaming reader, formats, CRS handling, report, --check, curve, errors."""

from __future__ import annotations

import csv
import io as stdio
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import cli
from geo.errors import InputError
from geo.lengths import geojson_stream, measure
from geo.lengths import readers as lengths_readers
from geo.settings import ROOT

# -- helpers -----------------------------------------------------------------------------------


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["lengths", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def fc(*features: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **top, "features": list(features)}


def feat(fid: str | None, coords: Any, gtype: str = "LineString", **props: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"type": "Feature", "properties": props, "geometry": {"type": gtype, "coordinates": coords}}
    if fid is not None:
        f["id"] = fid
    return f


def write(path: Path, obj: Any) -> str:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return str(path)


@pytest.fixture(params=["small-file", "stream", "stream-tokens", "stream-pandas"])
def reader(request, monkeypatch):
    """Run a test through every GeoJSON path: json.loads of a small file; the stream reader
    with small features decoded whole; the stream reader going token by token, its numbers
    parsed by numpy or (large files) by pandas."""
    if request.param != "small-file":
        monkeypatch.setattr(lengths_readers, "SMALL_FILE_BYTES", -1)
    if request.param.startswith("stream-"):
        monkeypatch.setattr(geojson_stream, "SMALL_OBJECT_BYTES", 0)
    if request.param == "stream-pandas":
        monkeypatch.setattr(geojson_stream, "PANDAS_MIN_BYTES", 0)
    return request.param


ROUTE = [[61.0, 27.0], [62.0, 27.5], [63.0, 28.0]]
ROUTE_M = measure.line_length_m([61, 62, 63], [27, 27.5, 28])


# -- the streaming reader against json.load ----------------------------------------------------


class Collect:
    """A Sink that rebuilds parts exactly, to compare with json.load."""

    def __init__(self) -> None:
        self.features: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.crs_seen: Any = None

    def begin_feature(self) -> None:
        self.stack.append({"parts": []})

    def crs(self, value: Any) -> None:
        self.crs_seen = value

    def feature_dict(self, obj: dict[str, Any]) -> None:
        geom = obj.get("geometry") or {}

        def parts_of(g: dict[str, Any], nested: bool) -> list[Any]:
            if g.get("type") is None or (nested and g["type"] in ("Point", "MultiPoint")):
                return []
            if g["type"] == "GeometryCollection":
                return [p for sub in g["geometries"] for p in parts_of(sub, True)]
            return expected_parts(g)

        parts = parts_of(geom, False)
        self.features.append({"parts": [[(float(a), float(b)) for a, b in p] for p in parts], "id": obj.get("id"),
                              "properties": obj.get("properties"), "geometry_type": geom.get("type"),
                              "is_collection": False, "decoded_whole": True})

    def positions(self, x: np.ndarray, y: np.ndarray, new_part: np.ndarray) -> None:
        parts = self.stack[-1]["parts"]
        for xi, yi, n in zip(x.tolist(), y.tolist(), new_part.tolist(), strict=True):
            if n or not parts:
                parts.append([])
            parts[-1].append((xi, yi))

    def end_feature(self, members: dict[str, Any]) -> None:
        f = self.stack.pop()
        f.update(members)
        self.features.append(f)


def expected_parts(geom: dict[str, Any]) -> list[list[tuple[float, float]]]:
    c = geom["coordinates"]
    t = geom["type"]
    if t == "Point":
        return [[tuple(c[:2])]]
    if t in ("LineString", "MultiPoint"):
        return [[tuple(p[:2]) for p in c]] if c else []
    if t in ("MultiLineString", "Polygon"):
        return [[tuple(p[:2]) for p in line] for line in c if line]
    return [[tuple(p[:2]) for p in ring] for poly in c for ring in poly if ring]


@pytest.fixture
def monkeypatch_tokens():
    saved = geojson_stream.SMALL_OBJECT_BYTES

    def set_bytes(n: int) -> None:
        geojson_stream.SMALL_OBJECT_BYTES = n

    yield set_bytes
    geojson_stream.SMALL_OBJECT_BYTES = saved


num = st.one_of(st.floats(-180, 180, allow_nan=False), st.integers(-180, 180))
position = st.one_of(st.tuples(num, num), st.tuples(num, num, num)).map(list)
line = st.lists(position, min_size=2, max_size=6)
geometry = st.one_of(
    position.map(lambda c: {"type": "Point", "coordinates": c}),
    line.map(lambda c: {"type": "LineString", "coordinates": c}),
    st.lists(line, min_size=1, max_size=3).map(lambda c: {"type": "MultiLineString", "coordinates": c}),
    st.lists(line, min_size=1, max_size=2).map(lambda c: {"type": "Polygon", "coordinates": c}),
    st.lists(st.lists(line, min_size=1, max_size=2), min_size=1, max_size=2).map(
        lambda c: {"type": "MultiPolygon", "coordinates": c}
    ),
)
props = st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.text(max_size=8), st.integers(), num), max_size=3)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(geometry, props, st.booleans()), max_size=5),
    st.integers(1, 64),
    st.sampled_from([None, 0, 2]),
    st.booleans(),
    st.sampled_from([0, 64, 4096]),
)
def test_stream_reader_matches_json_load(tmp_path_factory, monkeypatch_tokens, items, block, indent, coords_first,
                                         small_tokens):
    monkeypatch_tokens(small_tokens)  # 0: every feature streamed token by token; 64: some
    feats = []
    for i, (g, p, has_id) in enumerate(items):
        if coords_first:  # members in any order: coordinates before type
            g = {"coordinates": g["coordinates"], "type": g["type"]}
        f = {"geometry": g, "type": "Feature", "properties": p}
        if has_id:
            f["id"] = f"f{i}"
        feats.append(f)
    text = json.dumps({"type": "FeatureCollection", "features": feats}, indent=indent, ensure_ascii=bool(indent))
    path = tmp_path_factory.mktemp("s") / "x.geojson"
    path.write_text(text, encoding="utf-8")
    sink = Collect()
    geojson_stream.read(path, sink, block_bytes=block)  # tiny blocks: every boundary case
    got = [f for f in sink.features if not f["is_collection"]]
    assert len(got) == len(feats)
    for g, f in zip(got, feats, strict=True):
        assert g["geometry_type"] == f["geometry"]["type"]
        assert g["properties"] == json.loads(json.dumps(f["properties"]))
        assert g["id"] == f.get("id")
        want = expected_parts(f["geometry"])
        if f["geometry"]["type"] == "MultiPoint":
            continue
        assert [[(float(a), float(b)) for a, b in part] for part in want] == g["parts"]


def test_stream_reader_bare_geometry_feature_crs_and_geometry_collection(tmp_path):
    s = Collect()
    geojson_stream.read(write(tmp_path / "g.geojson", {"type": "LineString", "coordinates": ROUTE}), s)
    assert s.features[0]["geometry_type"] == "LineString" and len(s.features[0]["parts"][0]) == 3
    s = Collect()
    geojson_stream.read(write(tmp_path / "f.geojson", feat("a", ROUTE)), s)
    assert s.features[0]["id"] == "a"
    s = Collect()
    crs = {"type": "name", "properties": {"name": "EPSG:32641"}}
    geojson_stream.read(write(tmp_path / "c.geojson", fc(crs=crs)), s)
    assert s.crs_seen == crs
    s = Collect()
    gc = {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]},
                                                        {"type": "LineString", "coordinates": ROUTE}]}
    geojson_stream.read(write(tmp_path / "gc.geojson", fc(feat("g", None) | {"geometry": gc})), s)
    assert s.features[0]["parts"] == [[tuple(p) for p in ROUTE]]


@pytest.mark.parametrize(
    "text, problem",
    [
        ('{"type":"FeatureCollection","features":[', "end of file"),
        ('{"type":"LineString","coordinates":[[1,2],[3,4]]', "end of file"),
        ('{"type":"LineString","coordinates":[[1,2],[3,x]]}', "inside coordinates"),
        ('{"type":"LineString","coordinates":[[1,2],[3,4.5.6]]}', "invalid number"),
        ('{"type":"LineString","coordinates":[[1,2],[3]]}', "at least 2 numbers"),
        ('{"type":"LineString","coordinates":[[1,2],[[3,4]]]}', "nested unevenly"),
        ('[1,2]', "one JSON object"),
        ('{"type":"LineString","coordinates":[[1,2],[3,4]]} {}', "extra data"),
        ('{"type":"Feature","properties":{"a":tru},"geometry":null}', "Expecting value"),
        ('{"type" "Feature"}', "expected ':'"),
    ],
)
@pytest.mark.parametrize("pandas_min", [0, 1 << 40])
def test_stream_reader_rejects_malformed_json(tmp_path, monkeypatch, text, problem, pandas_min):
    monkeypatch.setattr(geojson_stream, "PANDAS_MIN_BYTES", pandas_min)
    p = tmp_path / "bad.geojson"
    p.write_text(text)
    with pytest.raises(geojson_stream.GeoJSONSyntaxError, match=problem):
        geojson_stream.read(p, Collect(), block_bytes=5)


@pytest.mark.parametrize("pandas_min", [0, 1 << 40])
def test_number_parsers_are_exact(pandas_min, monkeypatch, tmp_path):
    """Both coordinate number parsers give exactly float() of each token."""
    monkeypatch.setattr(geojson_stream, "PANDAS_MIN_BYTES", pandas_min)
    rng = np.random.default_rng(11)
    vals = np.concatenate([rng.uniform(-180, 180, 3000), rng.uniform(-1, 1, 1000) * 10.0 ** rng.integers(-20, 20, 1000)])
    toks = [repr(float(v)) for v in vals] + ["1e5", "-0", "0", "-1.5E-3", "12345678901234567890", "0.1", "1E+2", "7"]
    toks += toks[:1] if len(toks) % 2 else []
    coords = ",".join(f"[{a},{b}]" for a, b in zip(toks[::2], toks[1::2], strict=True))
    p = tmp_path / "n.geojson"
    p.write_text('{"type":"LineString","coordinates":[' + coords + "]}")
    s = Collect()
    geojson_stream.read(p, s)
    got = [v for xy in s.features[0]["parts"][0] for v in xy]
    assert got == [float(t) for t in toks]


# -- measuring files ---------------------------------------------------------------------------


def test_measures_each_feature_and_total_in_any_units(tmp_path, capsys, reader):
    path = write(tmp_path / "r.geojson", fc(feat("r1", ROUTE, name="Route"), feat(None, [[61, 27], [61, 28]]),
                                            feat("p", [61, 27], "Point")))
    code, out, err = run([path, "--json", "--units", "nmi"], capsys)
    assert code == 0 and err == ""
    rep = json.loads(out)
    f1, f2 = rep["sources"][0]["features"]
    assert f1["id"] == "r1" and f2["id"] == "#2" and f1["name"] == "Route"
    assert f1["length_m"] == pytest.approx(ROUTE_M, abs=1e-3)
    assert f1["length_nmi"] == pytest.approx(ROUTE_M / 1852, abs=1e-6)
    assert rep["sources"][0]["total_nmi"] == pytest.approx((ROUTE_M + measure.line_length_m([61, 61], [27, 28])) / 1852,
                                                           abs=1e-5)
    assert rep["sources"][0]["skipped"] == {"Point": 1}
    code, out, _ = run([path], capsys)
    assert code == 0 and "r1" in out and "TOTAL" in out and "measured km" in out


def test_polygon_perimeter_counts_holes(tmp_path, capsys, reader):
    outer = [[60, 25], [62, 25], [62, 27], [60, 27], [60, 25]]
    hole = [[60.5, 25.5], [60.5, 26], [61, 26], [61, 25.5], [60.5, 25.5]]
    path = write(tmp_path / "poly.geojson", fc(feat("a", [outer, hole], "Polygon")))
    _, out, _ = run([path, "--json", "--units", "m"], capsys)
    f = json.loads(out)["sources"][0]["features"][0]
    want = measure.parts_length_m([np.array(r, dtype=float).T for r in (outer, hole)])
    assert f["measures"] == "perimeter" and f["length_m"] == pytest.approx(want, abs=1e-3)


def test_csv_output(tmp_path, capsys, reader):
    path = write(tmp_path / "r.geojson", fc(feat("r1", ROUTE, length_known_km=250, length_known_source="S9")))
    code, out, _ = run([path, "--csv"], capsys)
    rows = list(csv.DictReader(stdio.StringIO(out)))
    assert code == 0 and len(rows) == 1 and rows[0]["id"] == "r1"
    assert rows[0]["length_known_km"] == "250.0" and rows[0]["length_known_source"] == "S9"
    assert rows[0]["length_known_status"] == "ok"
    assert float(rows[0]["length_km"]) == pytest.approx(ROUTE_M / 1000, abs=1e-6)
    code, out, _ = run([path, "--csv-long"], capsys)  # the long form: one row per feature and figure, totals
    rows = list(csv.DictReader(stdio.StringIO(out)))
    assert rows[0]["stated_km"] == "250.0" and rows[0]["stated_source"] == "S9" and rows[-1]["row"] == "total"


def test_csv_has_one_row_per_feature_so_lengths_sum(capsys):
    """The layers' border variants carry two published figures each: still one row per feature."""
    code, out, _ = run(["--csv"], capsys)
    rows = list(csv.DictReader(stdio.StringIO(out)))
    ids = [r["id"] for r in rows]
    assert code == 0 and len(ids) == len(set(ids)) and "border-osm" in ids
    osm = rows[ids.index("border-osm")]
    assert osm["published_length_factbook_km"] == "959.0" and osm["published_length_older_km"] == "909.0"
    code, out, _ = run(["--json"], capsys)
    feats = [f for s in json.loads(out)["sources"] for f in s["features"]]
    assert sum(float(r["length_km"]) for r in rows) == pytest.approx(sum(f["length_km"] for f in feats))


def test_stdin(tmp_path):
    route = json.dumps(fc(feat("r1", ROUTE, length_known_km=250)))
    proc = subprocess.run([sys.executable, "-m", "geo", "lengths", "-", "--json"], input=route, text=True,
                          capture_output=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    src = json.loads(proc.stdout)["sources"][0]
    assert src["path"] == "-" and src["features"][0]["length_m"] == pytest.approx(ROUTE_M, abs=1e-3)
    for data, msg in (("", "standard input is empty"), ('{"type":', "malformed JSON")):
        proc = subprocess.run([sys.executable, "-m", "geo", "lengths", "-"], input=data, text=True,
                              capture_output=True, cwd=ROOT, check=False)
        assert proc.returncode == 2 and proc.stderr.startswith("geo: error: -: ") and msg in proc.stderr
        assert "geo-stdin-" not in proc.stderr  # the temporary copy is not named


def test_id_member_or_id_property_names_the_feature(tmp_path, capsys, reader):
    f1 = feat("member-id", ROUTE)
    f2 = feat("x", ROUTE)
    del f2["id"]
    f2["properties"]["id"] = "property-id"
    f3 = feat("x", ROUTE)
    del f3["id"]
    path = write(tmp_path / "ids.geojson", fc(f1, f2, f3))
    code, out, _ = run([path, "--json"], capsys)
    assert code == 0
    assert [f["id"] for f in json.loads(out)["sources"][0]["features"]] == ["member-id", "property-id", "#3"]


def test_geoparquet_streamed_by_row_group(tmp_path, capsys, monkeypatch):
    """GeoParquet (the release's own files, and a many-row-group file) measures as the GeoJSON does,
    read one batch at a time."""
    from geo.lengths import parquet as lengths_parquet
    code, out, _ = run([str(ROOT / "layers" / "pipeline.parquet"), "--json"], capsys)
    pq_feats = {f["id"]: f["length_m"] for f in json.loads(out)["sources"][0]["features"]}
    code, out, _ = run([str(ROOT / "layers" / "pipeline.geojson"), "--json"], capsys)
    gj_feats = {f["id"]: f["length_m"] for f in json.loads(out)["sources"][0]["features"]}
    assert code == 0 and pq_feats == gj_feats
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely
    from shapely.geometry import LineString

    n = 50
    wkb = [shapely.to_wkb(LineString([(61 + i * 0.01, 27), (62 + i * 0.01, 28)])) for i in range(n)]
    table = pa.table({"id": [f"r{i}" for i in range(n)], "length_known_km": [150.0] * n, "geometry": wkb},
                     metadata={"geo": json.dumps({"version": "1.1.0", "primary_column": "geometry",
                                                  "columns": {"geometry": {"encoding": "WKB",
                                                                           "geometry_types": ["LineString"]}}})})
    path = tmp_path / "many.parquet"
    pq.write_table(table, path, row_group_size=7)
    batches = []
    real = pq.ParquetFile.iter_batches

    def spy(self, *a, **k):
        for b in real(self, *a, **k):
            batches.append((b.num_rows, b.schema.names))
            yield b

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    monkeypatch.setattr(lengths_parquet, "BATCH_ROWS", 3)
    code, out, _ = run([str(path), "--json", "--check"], capsys)
    feats = json.loads(out)["sources"][0]["features"]
    assert code == 0 and [f["id"] for f in feats] == [f"r{i}" for i in range(n)]
    # every row once, at most 3 rows decoded at a time, only the columns geo lengths uses
    assert sum(b[0] for b in batches) == n and max(b[0] for b in batches) == 3
    assert all(set(b[1]) == {"geometry", "id", "length_known_km"} for b in batches)
    assert feats[0]["stated"][0]["status"] == "ok"
    # long rows: fewer rows at a time, about BATCH_BYTES of geometry (memory does not follow the
    # routes' length); the same lengths; the caller's Arrow memory pool is theirs again afterwards
    long_wkb = [shapely.to_wkb(LineString([(61 + k * 1e-4, 27 + i * 0.01) for k in range(1000)])) for i in range(n)]
    long_path = tmp_path / "long.parquet"
    pq.write_table(table.set_column(2, "geometry", pa.array(long_wkb)), long_path, row_group_size=7)
    out = run([str(long_path), "--json", "--check"], capsys)[1]
    batches.clear()
    pool = pa.default_memory_pool().backend_name
    monkeypatch.setattr(lengths_parquet, "BATCH_BYTES", 3 * len(long_wkb[0]))  # (with the offsets, < 3 rows)
    assert run([str(long_path), "--json", "--check"], capsys)[1] == out
    assert sum(b[0] for b in batches) == n and max(b[0] for b in batches) == 2
    assert pa.default_memory_pool().backend_name == pool
    bad = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"a": [1]}), bad)
    code, out, err = run([str(bad)], capsys)
    assert (code, out) == (2, "") and "without GeoParquet 'geo' metadata" in err


def ogr_write(path: Path, driver: str, coords: list[list[float]], crs: str) -> str:
    import pyogrio.raw
    import shapely
    from shapely.geometry import LineString

    geoms = np.array([shapely.to_wkb(LineString(coords))], dtype=object)
    pyogrio.raw.write(str(path), geoms, [np.array(["r1"], dtype=object), np.array([300.0])],
                      fields=["name", "length_known_km"], driver=driver, crs=crs, geometry_type="LineString")
    return str(path)


@pytest.mark.parametrize("driver, ext", [("GPKG", "gpkg"), ("FlatGeobuf", "fgb"), ("ESRI Shapefile", "shp"),
                                         ("KML", "kml")])
def test_ogr_formats(tmp_path, capsys, driver, ext):
    path = ogr_write(tmp_path / f"r.{ext}", driver, ROUTE, "EPSG:4326")
    code, out, _ = run([path, "--json"], capsys)
    f = json.loads(out)["sources"][0]["features"][0]
    assert code == 0 and f["length_m"] == pytest.approx(ROUTE_M, abs=1e-3)


def test_gpx_tracks_and_routes_skip_waypoints_and_say_how_many(tmp_path, capsys):
    gpx = tmp_path / "t.gpx"
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        '<wpt lat="27" lon="61"/><trk><name>T1</name><trkseg><trkpt lat="27" lon="61"/><trkpt lat="27.5" lon="62"/>'
        '<trkpt lat="28" lon="63"/></trkseg></trk></gpx>'
    )
    code, out, _ = run([str(gpx), "--json"], capsys)
    srcs = json.loads(out)["sources"]
    # the empty routes layer is not listed, nor track_points (the vertices of the track)
    assert code == 0 and [s["layer"] for s in srcs] == ["waypoints", "tracks"]
    assert srcs[0]["skipped"] == {"Point": 1} and srcs[0]["features"] == [] and srcs[0]["total_km"] == 0
    assert "skipped" not in srcs[1]
    assert srcs[1]["features"][0]["name"] == "T1"
    assert srcs[1]["features"][0]["length_m"] == pytest.approx(ROUTE_M, abs=1e-3)
    code, out, _ = run([str(gpx)], capsys)
    assert code == 0 and f"{gpx} [waypoints]  (CRS: EPSG:4326)\nskipped (no length): 1 Point\n" in out
    assert "TOTAL" in out.split("[tracks]")[1] and out.count("TOTAL") == 1
    code, out, _ = run([str(gpx), "--csv"], capsys)  # rows for measured features only
    assert code == 0 and [r["layer"] for r in csv.DictReader(stdio.StringIO(out))] == ["tracks"]
    code, out, _ = run([str(gpx), "--csv-long"], capsys)  # rows for measured features and totals
    assert code == 0 and [r["layer"] for r in csv.DictReader(stdio.StringIO(out))] == ["tracks", "tracks"]


def write_gpkg_layer(path: Path, layer: str, wkbs: list[bytes], gtype: str, append: bool = False) -> None:
    import pyogrio.raw

    pyogrio.raw.write(str(path), np.array(wkbs, dtype=object), [np.array([f"{layer}-{i}" for i in range(len(wkbs))],
                      dtype=object)], fields=["id"], driver="GPKG", crs="EPSG:4326", geometry_type=gtype, layer=layer,
                      append=append)


def test_point_layers_of_a_geopackage_are_reported_as_skipped(tmp_path, capsys):
    import shapely

    gpkg = tmp_path / "f.gpkg"
    pts = [shapely.to_wkb(shapely.Point(61, 27)), shapely.to_wkb(shapely.Point(62, 28))]
    write_gpkg_layer(gpkg, "places", pts, "Point")
    write_gpkg_layer(gpkg, "route", [shapely.to_wkb(shapely.LineString(ROUTE))], "LineString", append=True)
    write_gpkg_layer(gpkg, "events", [shapely.to_wkb(shapely.MultiPoint([(61, 27), (62, 27)]))], "MultiPoint",
                     append=True)
    code, out, _ = run([str(gpkg), "--json"], capsys)
    srcs = {s["layer"]: s for s in json.loads(out)["sources"]}
    assert code == 0 and list(srcs) == ["places", "route", "events"]
    assert srcs["places"]["skipped"] == {"Point": 2} and srcs["events"]["skipped"] == {"MultiPoint": 1}
    assert srcs["route"]["features"][0]["length_m"] == pytest.approx(ROUTE_M, abs=1e-3)
    code, out, _ = run([str(gpkg)], capsys)
    assert "[places]  (CRS: EPSG:4326)\nskipped (no length): 2 Point\n" in out
    assert "[events]  (CRS: EPSG:4326)\nskipped (no length): 1 MultiPoint\n" in out
    # only points: the error counts them across layers
    only = tmp_path / "pts.gpkg"
    write_gpkg_layer(only, "a", pts, "Point")
    write_gpkg_layer(only, "b", pts[:1], "Point", append=True)
    code, out, err = run([str(only)], capsys)
    assert code == 2 and out == "" and "no line or polygon features to measure (found 3 Point)" in err


# -- CRS handling ------------------------------------------------------------------------------


def utm41(coords: list[list[float]]) -> list[list[float]]:
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:32641", always_xy=True)
    return [list(t.transform(x, y)) for x, y in coords]


def test_projected_inputs_are_transformed_from_their_declared_crs(tmp_path, capsys, reader):
    gpkg = ogr_write(tmp_path / "utm.gpkg", "GPKG", utm41(ROUTE), "EPSG:32641")
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32641"}}
    legacy = write(tmp_path / "legacy.geojson", fc(feat("a", utm41(ROUTE)), crs=crs))
    late = tmp_path / "late.geojson"  # crs member after the features: read again with it
    late.write_text(json.dumps({"type": "FeatureCollection", "features": [feat("a", utm41(ROUTE))], "crs": crs}))
    for path in (gpkg, legacy, str(late)):
        code, out, _ = run([path, "--json"], capsys)
        src = json.loads(out)["sources"][0]
        assert code == 0 and "32641" in src["crs"]
        assert src["features"][0]["length_m"] == pytest.approx(ROUTE_M, rel=1e-9)


def test_no_crs_outside_lonlat_is_rejected_and_swapped_warns(tmp_path, capsys, reader):
    path = write(tmp_path / "proj.geojson", fc(feat("a", utm41(ROUTE))))
    code, out, err = run([path], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "outside longitude/latitude" in err and "declares no CRS" in err
    swapped = write(tmp_path / "sw.geojson", fc(feat("a", [[y, x] for x, y in ROUTE])))
    code, out, err = run([swapped], capsys)
    assert code == 0 and "look like lat/lon swapped" in err and "measured km" in out


# -- bad input: one line naming the file, exit 2 -----------------------------------------------


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda d: str(d / "missing.geojson"), "no such file"),
        (lambda d: str(d), "is a directory"),
        (lambda d: (d / "x.txt").write_text("a") and str(d / "x.txt"), "unknown format '.txt'"),
        (lambda d: (d / "b.geojson").write_text("{nope") and str(d / "b.geojson"), "malformed JSON"),
        (lambda d: write(d / "e.geojson", fc(feat("e", []))), "feature e: empty geometry"),
        (lambda d: write(d / "one.geojson", fc(feat("o", [[61, 27]]))), "at least 2 positions"),
        (lambda d: write(d / "pts.geojson", fc(feat("p", [1, 2], "Point"))), "no line or polygon features"),
        (lambda d: write(d / "claims.json", {"claims": [{"id": "c"}]}), "not GeoJSON"),
        (lambda d: (d / "bad.gpkg").write_bytes(b"not a geopackage") and str(d / "bad.gpkg"), "cannot open"),
        (lambda d: "https://example.org/route.geojson", "URLs and GDAL virtual paths are refused"),
        (lambda d: "ftp://example.org/route.gpkg", "refused"),
        (lambda d: "/vsicurl/http://example.org/x.gpkg", "refused"),
        (lambda d: "/vsizip/some.zip/x.shp", "refused"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, reader, make, problem):
    path = make(tmp_path)
    code, out, err = run([path], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"geo: error: {path}: ") and problem in err and err.count("\n") == 1


NONFINITE = [
    '[[0,0],[NaN,0]]', '[[NaN,0],[1,1]]', '[[0,0],[-Infinity,0]]', '[[0,0],[0,Infinity]]', '[[0,0],[1e400,0]]',
]


@pytest.mark.parametrize("coords", NONFINITE)
@pytest.mark.parametrize("before", [False, True])
@pytest.mark.parametrize("fmt", [[], ["--json"], ["--csv"], ["--by-country"]])
def test_nan_or_infinite_coordinate_is_one_line_exit_2(tmp_path, capsys, reader, coords, before, fmt):
    """Python's json reads NaN and Infinity; every reader refuses them the same way."""
    ok = '{"type":"Feature","id":"ok","properties":{},"geometry":{"type":"LineString","coordinates":[[61,27],[62,28]]}},'
    path = tmp_path / "nan.geojson"
    path.write_text('{"type":"FeatureCollection","features":[' + (ok if before else "")
                    + '{"type":"Feature","id":"a","properties":{},"geometry":{"type":"LineString","coordinates":'
                    + coords + "}}]}")
    if fmt == ["--by-country"]:
        fmt = [*fmt, "--layers-dir", str(make_layers(tmp_path / "layers"))]
    code, out, err = run([str(path), *fmt], capsys)
    assert (code, out) == (2, "")
    assert err == f"geo: error: {path}: coordinates include NaN or infinity\n"


@pytest.mark.parametrize("pandas_min", [0, 1 << 40])
@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_stream_reader_names_a_nonfinite_token_even_across_blocks(tmp_path, monkeypatch, pandas_min, token):
    monkeypatch.setattr(geojson_stream, "PANDAS_MIN_BYTES", pandas_min)
    p = tmp_path / "n.geojson"
    p.write_text('{"type":"LineString","coordinates":[[1,2],[3,' + token + "]]}")
    for block in (3, 5, 1 << 20):
        with pytest.raises(geojson_stream.NonFiniteCoordinate, match="NaN or infinity"):
            geojson_stream.read(p, Collect(), block_bytes=block)
    p.write_text('{"type":"LineString","coordinates":[[1,2],[3,Nope]]}')  # not a number at all
    with pytest.raises(geojson_stream.GeoJSONSyntaxError, match="unexpected 'N' inside coordinates"):
        geojson_stream.read(p, Collect(), block_bytes=5)


def test_nan_coordinate_in_an_ogr_file_is_one_line_exit_2(tmp_path, capsys):
    import struct

    def wkb(*xy: float) -> bytes:
        return struct.pack("<BII", 1, 2, len(xy) // 2) + struct.pack(f"<{len(xy)}d", *xy)

    for ext, driver in (("gpkg", "GPKG"), ("fgb", "FlatGeobuf")):
        path = tmp_path / f"n.{ext}"
        import pyogrio.raw

        # a valid feature first: the extent read so far is finite, the NaN must still be seen
        pyogrio.raw.write(str(path), np.array([wkb(61, 27, 62, 28), wkb(61, 27, math.nan, 27)], dtype=object),
                          [np.array(["ok", "bad"], dtype=object)], fields=["id"], driver=driver, crs="EPSG:4326",
                          geometry_type="LineString")
        for fmt in ([], ["--json"], ["--csv"]):
            code, out, err = run([str(path), *fmt], capsys)
            assert (code, out) == (2, "")
            assert err == f"geo: error: {path}: coordinates include NaN or infinity\n"


def test_json_output_is_all_or_nothing():
    from geo.lengths import cli as lengths_cli
    rep = {"units": "km", "sources": [{"path": "p", "features": [{"length_km": math.nan}]}], "check": {}}
    out = stdio.StringIO()
    with pytest.raises(ValueError):
        lengths_cli._write_json(rep, out)
    assert out.getvalue() == ""


# -- stated lengths that cannot be used --------------------------------------------------------


def test_unusable_stated_length_warns_naming_the_feature(tmp_path, capsys, reader):
    path = tmp_path / "s.geojson"
    path.write_text(json.dumps(fc(
        feat("abc", ROUTE, length_known_km="abc"),
        feat("text", ROUTE, length_known_km="250"),
        feat("nan", ROUTE, length_known_km=math.nan, published_length_km_x=math.inf),
        feat("zero", ROUTE, length_known_km=0),
        feat("none", ROUTE, length_known_km=None, published_length_km_y=""),
        feat("good", ROUTE, length_known_km=250, published_length_km_z=True),
    )))
    for fmt in (["--json"], ["--csv"], []):
        code, out, err = run([str(path), "--check", *fmt], capsys)
        assert code == 0
        lines = err.splitlines()
        warned = [ln for ln in lines if ln.startswith("geo: warning: ")]
        assert warned == [
            f"geo: warning: {path}: feature abc: length_known_km is 'abc', not a positive number of km: not compared",
            f"geo: warning: {path}: feature text: length_known_km is '250', not a positive number of km: not compared",
            f"geo: warning: {path}: feature nan: length_known_km is nan, not a positive number of km: not compared",
            f"geo: warning: {path}: feature nan: published_length_km_x is inf, not a positive number of km: "
            "not compared",
            f"geo: warning: {path}: feature zero: length_known_km is 0, not a positive number of km: not compared",
            f"geo: warning: {path}: feature good: published_length_km_z is True, not a positive number of km: "
            "not compared",
        ]
        assert lines[-1] == "geo: check: all 1 stated lengths within ±33%"
        if fmt == ["--json"]:
            feats = json.loads(out)["sources"][0]["features"]
            assert [len(f["stated"]) for f in feats] == [0, 0, 0, 0, 0, 1]


def test_warnings_are_capped_per_source(tmp_path, capsys):
    path = write(tmp_path / "many.geojson", fc(*[feat(f"f{i}", ROUTE, length_known_km="x") for i in range(25)]))
    code, _, err = run([path], capsys)
    lines = err.splitlines()
    assert code == 0 and len(lines) == 11 and lines[-1] == f"geo: warning: {path}: 15 more such warnings"


def shp_write(path: Path, fields: dict[str, list[Any]]) -> str:
    import warnings

    import pyogrio.raw
    import shapely

    geoms = np.array([shapely.to_wkb(shapely.LineString(ROUTE))] * 2, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio: "Normalized/laundered field name"
        pyogrio.raw.write(str(path), geoms, [np.array(v, dtype=object if isinstance(v[0], str) else float)
                                             for v in fields.values()],
                          fields=list(fields), driver="ESRI Shapefile", crs="EPSG:4326", geometry_type="LineString")
    return str(path)


@pytest.mark.parametrize("source_first", [False, True])
def test_shapefile_cut_field_names_are_recognised(tmp_path, capsys, source_first):
    km = {"length_known_km": [300.0, 100.0]}
    src = {"length_known_source": ["S1", "S2"]}
    fields = {"id": ["a", "b"], **(src if source_first else {}), **km, **({} if source_first else src),
              "published_length_km_factbook": [959.0, 959.0]}
    path = shp_write(tmp_path / "r.shp", fields)
    code, out, err = run([path, "--check", "--json"], capsys)
    feats = json.loads(out)["sources"][0]["features"]
    assert [(st["field"], st["stated_km"], st["source"], st["status"]) for f in feats for st in f["stated"]] == [
        ("length_known_km", 300.0, "S1", "ok"), ("length_known_km", 100.0, "S2", "impossible")]
    assert code == 1 and "b: impossible" in err
    cut_km, cut_src = ("length_k_1", "length_kno") if source_first else ("length_kno", "length_k_1")
    assert (f"geo: warning: {path}: a Shapefile cuts field names to 10 characters, so it cannot carry "
            f"length_known_km; reading {cut_km!r} as length_known_km and {cut_src!r} as length_known_source; "
            "field 'published_' looks like published_length_km_<tag> with the tag cut off: not compared") in err


def test_shapefile_text_length_field_warns_per_feature(tmp_path, capsys):
    path = shp_write(tmp_path / "t.shp", {"id": ["a", "b"], "length_known_km": ["abc", "250"]})
    code, _, err = run([path, "--check"], capsys)
    assert code == 0 and "reading 'length_kno' as length_known_km" in err
    assert (f"geo: warning: {path}: feature a: length_known_km (field 'length_kno') is 'abc', not a positive number"
            in err)
    assert "nothing to compare" in err
    plain = shp_write(tmp_path / "p.shp", {"id": ["a", "b"], "name": ["x", "y"]})
    code, _, err = run([plain], capsys)
    assert code == 0 and err == ""  # no stated-length fields: nothing to say


@pytest.mark.parametrize(
    "argv, problem",
    [(["--tolerance", "5"], "--tolerance needs --check"), (["--check", "--tolerance", "-1"], ">= 0"),
     (["--plot", "x.svg"], "--plot needs --resolution-curve")],
)
def test_usage_errors_exit_2(capsys, argv, problem):
    code, _, err = run(argv, capsys)
    assert code == 2 and problem in err


def test_units_match_measure():
    from geo.lengths import cli as lengths_cli
    assert set(lengths_cli.UNITS) == set(measure.UNIT_M)


def test_argparse_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["lengths", "--units", "furlong"])
    assert exc.value.code == 2


# -- our layers: per-country split, --check, resolution curve ----------------------------------

BORDER_PROPS = {"kind": "boundary", "published_length_km_factbook": 959.0,
                "published_length_source_factbook": "CIA", "published_length_km_older": 909.0,
                "published_length_source_older": "Wikipedia"}


def make_layers(d: Path, pipe_known_km: float = 250.0) -> Path:
    d.mkdir(exist_ok=True)
    rng = np.random.default_rng(3)
    lat = np.linspace(25.2, 29.8, 4001)
    lon = 61.3 + np.cumsum(rng.normal(0, 0.002, lat.size))  # a wiggly border near 61.3 E
    osm = np.column_stack((lon, lat)).round(6).tolist()
    write(d / "border.geojson", fc(
        feat("border-osm", osm, variant="osm_10m", **BORDER_PROPS),
        feat("border-ne10m", osm[::400] + [osm[-1]], variant="natural_earth_10m", **BORDER_PROPS),
        feat("border-bridge-1", osm[10:20], kind="bridged_stretch", variant="bridge",
             published_length_km_factbook=None),
    ))
    west = [[50, 20], [float(lon.min()) - 5, 20]]
    irn = [[50, 20], *[[x, y] for x, y in osm], [50, 29.8], [50, 20]]
    pak = [*[[x, y] for x, y in osm], [70, 29.8], [70, 25.2], osm[0]]
    del west
    write(d / "context.geojson", fc(
        {"type": "Feature", "id": "IRN", "properties": {"iso_a3": "IRN"}, "geometry": {"type": "Polygon", "coordinates": [irn]}},
        {"type": "Feature", "id": "PAK", "properties": {"iso_a3": "PAK"}, "geometry": {"type": "Polygon", "coordinates": [pak]}},
    ))
    write(d / "pipeline.geojson", fc(
        feat("pipe-a-b", [[60.0, 27.0], [61.0, 27.01], [62.0, 27.02], [63.0, 27.0]], length_known_km=pipe_known_km,
             length_known_source="GEM", countries="IR;PK"),
        feat("pipe-c-d", [[63.0, 27.0], [64.0, 26.0]], length_known_km=None),
        feat("south-pars", [52.6, 26.9], "Point"),
    ))
    return d


def test_layers_report_splits_pipeline_per_country(tmp_path, capsys):
    d = make_layers(tmp_path / "layers")
    code, out, err = run(["--layers-dir", str(d), "--json"], capsys)
    assert code == 0, err
    rep = json.loads(out)
    by_layer = {s["layer"]: s for s in rep["sources"]}
    assert set(by_layer) == {"border", "pipeline"}  # context holds polygons: not a line layer
    assert by_layer["border"]["total_km"] is None  # variants of one line
    osm = by_layer["border"]["features"][0]
    assert [s["field"] for s in osm["stated"]] == ["published_length_km_factbook", "published_length_km_older"]
    assert by_layer["border"]["features"][2]["stated"] == []  # a bridged stretch: no published figure
    pipe = by_layer["pipeline"]
    a = pipe["features"][0]
    assert set(a["by_country_km"]) == {"IRN", "PAK"}
    assert sum(a["by_country_km"].values()) == pytest.approx(a["length_km"], abs=2e-6)
    assert a["by_country_km"]["IRN"] == pytest.approx(125, abs=30)  # border near 61.3 E
    assert pipe["total_km"] == pytest.approx(sum(f["length_km"] for f in pipe["features"]), abs=1e-5)
    assert pipe["skipped"] == {"Point": 1}
    assert sum(pipe["total_by_country_km"].values()) == pytest.approx(pipe["total_km"], abs=1e-5)
    _, table, _ = run(["--layers-dir", str(d)], capsys)
    assert "in IRN" in table and "in PAK" in table and "pipe-a-b" in table


def test_by_country_on_any_file_and_without_context(tmp_path, capsys):
    d = make_layers(tmp_path / "layers")
    path = write(tmp_path / "mine.geojson", fc(feat("m", [[60.0, 26.0], [62.5, 26.5]])))
    code, out, _ = run([path, "--by-country", "--layers-dir", str(d), "--json"], capsys)
    f = json.loads(out)["sources"][0]["features"][0]
    assert code == 0 and set(f["by_country_km"]) == {"IRN", "PAK"}
    (d / "context.geojson").unlink()
    code, out, err = run(["--layers-dir", str(d), "--json"], capsys)  # still measures, warns
    assert code == 0 and "no per-country split" in err and json.loads(out)["sources"]
    code, _, err = run([path, "--by-country", "--layers-dir", str(d)], capsys)  # asked for: an error
    assert code == 2 and "context.geojson" in err


def test_check_passes_within_tolerance_and_fails_naming_the_feature(tmp_path, capsys):
    measured_km = measure.line_length_m([60, 61, 62, 63], [27, 27.01, 27.02, 27]) / 1000
    d = make_layers(tmp_path / "ok", pipe_known_km=measured_km * 1.2)
    code, out, err = run(["--layers-dir", str(d), "--check", "--json"], capsys)
    rep = json.loads(out)
    # the synthetic border is ~520 km: published 959/909 are outside 33 %, so allow 100 % here
    code, _, err = run(["--layers-dir", str(d), "--check", "--tolerance", "100"], capsys)
    assert code == 0 and "within ±100%" in err
    code, _, err = run(["--layers-dir", str(d), "--check", "--tolerance", "10"], capsys)
    assert code == 1 and "pipe-a-b: outside" in err and "border-osm" in err
    assert rep["check"]["failed"] >= 2
    # a stated length shorter than the straight line between the ends is impossible
    d2 = make_layers(tmp_path / "bad", pipe_known_km=100.0)
    code, out, err = run(["--layers-dir", str(d2), "--check", "--tolerance", "100", "--json"], capsys)
    assert code == 1 and "pipe-a-b: impossible" in err
    assert json.loads(out)["sources"][1]["features"][0]["stated"][0]["status"] == "impossible"


def test_check_on_a_file_without_stated_lengths(tmp_path, capsys, reader):
    path = write(tmp_path / "r.geojson", fc(feat("r1", ROUTE)))
    code, _, err = run([path, "--check"], capsys)
    assert code == 0 and "nothing to compare" in err


def test_resolution_curve(tmp_path, capsys):
    d = make_layers(tmp_path / "layers")
    code, out, _ = run(["--layers-dir", str(d), "--resolution-curve", "--json", "--plot", str(tmp_path / "c.svg")],
                       capsys)
    assert code == 0
    rep = json.loads(out)
    labels = [r["line"] for r in rep["curve"]]
    assert labels[0] == "source resolution" and labels[-1] == "Natural Earth 1:10m line"
    assert [r["tolerance_m"] for r in rep["curve"][1:-1]] == [10, 50, 100, 500, 1000, 5000]
    lens = [r["length_km"] for r in rep["curve"][:-1]]
    assert lens == sorted(lens, reverse=True)  # coarser never longer
    assert "scale" in rep["explanation"] and "959" in rep["explanation"]
    assert (tmp_path / "c.svg").read_text().startswith("<svg")
    code, out, _ = run(["--layers-dir", str(d), "--resolution-curve"], capsys)
    assert code == 0 and "simplified 5 km" in out and "published" in out and "Richardson" in out


def test_missing_layers_is_a_clear_error(tmp_path, capsys):
    code, _, err = run(["--layers-dir", str(tmp_path)], capsys)
    assert code == 2 and "run `geo build` first" in err


# -- the fast path stays light -----------------------------------------------------------------


def test_geometry_collection_and_bare_geometry(tmp_path, capsys, reader):
    gc = {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]},
                                                        {"type": "LineString", "coordinates": ROUTE}]}
    path = write(tmp_path / "gc.geojson", fc({"type": "Feature", "id": "g", "properties": {}, "geometry": gc}))
    bare = write(tmp_path / "bare.geojson", {"type": "MultiLineString", "coordinates": [ROUTE, ROUTE]})
    for p, want in ((path, ROUTE_M), (bare, 2 * ROUTE_M)):
        code, out, _ = run([p, "--json"], capsys)
        assert code == 0 and json.loads(out)["sources"][0]["features"][0]["length_m"] == pytest.approx(want, abs=1e-3)


def test_plain_measurement_imports_neither_geopandas_folium_nor_shapely(tmp_path):
    path = write(tmp_path / "r.geojson", fc(feat("r1", ROUTE)))
    code = (
        "import sys\nfrom geo import cli\nrc = cli.main(['lengths', sys.argv[1]])\n"
        "bad = sorted(m for m in ('geopandas', 'folium', 'shapely', 'pandas', 'numpy') if m in sys.modules)\n"
        "print('HEAVY', bad, file=sys.stderr)\nsys.exit(rc)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, cwd=ROOT, timeout=60,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert "HEAVY []" in r.stderr
    assert math.isclose(float(r.stdout.split("TOTAL")[1].split()[1].replace(",", "")), ROUTE_M / 1000, abs_tol=1e-3)


def test_ogr_reading_keeps_gdal_offline_then_restores_the_configuration(monkeypatch):
    """GDAL is kept off the network while a file is read, and the caller's GDAL settings are
    what they were afterwards (also when reading fails)."""
    import pyogrio

    seen: dict[str, Any] = {}
    real_list_layers = pyogrio.list_layers

    def spy(path: str) -> Any:
        seen.update({k: pyogrio.get_gdal_config_option(k) for k in lengths_readers.OGR_OFFLINE})
        return real_list_layers(path)

    monkeypatch.setattr(pyogrio, "list_layers", spy)
    pyogrio.set_gdal_config_options({"GDAL_HTTP_TIMEOUT": "7", "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": None})
    try:
        sources = lengths_readers.read_ogr(str(ROOT / "layers" / "frontier.gpkg"))
        assert sources
        assert seen == {"GDAL_HTTP_TIMEOUT": 1, "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".none"}
        assert pyogrio.get_gdal_config_option("GDAL_HTTP_TIMEOUT") == 7
        assert pyogrio.get_gdal_config_option("CPL_VSIL_CURL_ALLOWED_EXTENSIONS") is None
        with pytest.raises(InputError):
            lengths_readers.read_ogr(str(ROOT / "pyproject.toml"))
        assert pyogrio.get_gdal_config_option("GDAL_HTTP_TIMEOUT") == 7
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_TIMEOUT": None})
