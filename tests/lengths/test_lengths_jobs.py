"""`geo lengths --jobs N`: the same report, to the byte, as one process; the same first error."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from geo import cli
from geo.lengths import jobs, measure


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["lengths", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _wkb_line(lon: np.ndarray, lat: np.ndarray) -> bytes:
    import struct

    return struct.pack("<BII", 1, 2, len(lon)) + np.column_stack([lon, lat]).astype("<f8").tobytes()


def write_routes(path: Path, sizes: list[int], row_group_size: int, bad_row: int | None = None) -> list[bytes]:
    """Random-walk routes in the pipeline corridor as GeoParquet (WKB), one per size."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(5)
    wkb = []
    for n in sizes:
        lon = 61 + np.cumsum(rng.normal(0, 0.001, n))
        lat = 27 + np.cumsum(rng.normal(0, 0.001, n))
        wkb.append(_wkb_line(lon, lat))
    if bad_row is not None:
        wkb[bad_row] = wkb[bad_row][:20]  # cut short: a broken geometry
    geo = {"version": "1.1.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["LineString"]}}}
    ids = [f"r{i}" for i in range(len(sizes))]
    table = pa.table({"id": ids, "length_known_km": [10.0] * len(sizes), "geometry": wkb},
                     metadata={"geo": json.dumps(geo)})
    pq.write_table(table, path, row_group_size=row_group_size)
    return wkb


@pytest.mark.parametrize("row_group_size", [5, 1000], ids=["many-row-groups", "one-row-group"])
def test_jobs_gives_the_same_json_as_one_process(tmp_path, capsys, row_group_size):
    sizes = [int(s) for s in np.random.default_rng(1).integers(2, 300, 40)]
    sizes[17] = 5000
    pq_path = tmp_path / "routes.parquet"
    write_routes(pq_path, sizes, row_group_size)
    gj = tmp_path / "border.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "properties": {}, "geometry": {"type": "LineString",
                                                                       "coordinates": [[61, 27], [62, 28]]}}]}))
    argv = [str(pq_path), str(gj), "--json", "--check"]
    one = run([*argv, "--jobs", "1"], capsys)
    # the units really are row ranges of the one file, several of them
    units, _ = jobs.plan([str(pq_path)], 2)
    assert len(units) >= 3 and units[0].start == 0 and units[-1].stop == len(sizes)
    assert all(a.stop == b.start for a, b in itertools.pairwise(units))
    two = run([*argv, "--jobs", "2"], capsys)
    assert one == two
    report = json.loads(one[1])
    assert [f["id"] for f in report["sources"][0]["features"]] == [f"r{i}" for i in range(40)]
    assert report["sources"][0]["features"][17]["vertices"] == 5000


def test_jobs_reports_the_first_error_in_file_order(tmp_path, capsys):
    path = tmp_path / "broken.parquet"
    write_routes(path, [50] * 30, 4, bad_row=25)
    one = run([str(path), "--jobs", "1"], capsys)
    three = run([str(path), "--jobs", "3"], capsys)
    assert one == three and one[0] == 2 and one[1] == ""
    assert "feature r25" in one[2] and "Traceback" not in one[2]
    missing = run([str(path), str(tmp_path / "none.parquet"), "--jobs", "2"], capsys)
    assert missing[0] == 2 and "feature r25" in missing[2]  # the first file's error comes first


def test_jobs_must_be_a_positive_number(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["lengths", "x.geojson", "--jobs", "0"])
    assert exc.value.code == 2 and "--jobs" in capsys.readouterr().err


def test_a_features_length_does_not_depend_on_what_was_measured_before_it():
    """What makes --jobs exact: a worker starting at row k measures each feature to the same bits."""
    rng = np.random.default_rng(3)
    feats = []
    for n in (40, 900, 3, 2500, 77, 5, 1300):
        parts = [(61 + np.cumsum(rng.normal(0, 0.01, n)), 27 + np.cumsum(rng.normal(0, 0.01, n)))]
        if n == 77:
            parts.append((62 + np.cumsum(rng.normal(0, 0.01, 30)), 28 + np.cumsum(rng.normal(0, 0.01, 30))))
        feats.append(parts)

    def lengths(from_feature: int) -> list[float]:
        bm = measure.BatchMeasurer(batch_positions=600)
        for owner, parts in enumerate(feats[from_feature:]):
            for x, y in parts:
                for a in range(0, len(x), 256):  # as the WKB reader feeds: fixed pieces of a line
                    new = np.zeros(len(x[a : a + 256]), dtype=bool)
                    new[0] = a == 0
                    bm.add(owner, x[a : a + 256], y[a : a + 256], new)
        return bm.totals_m(len(feats) - from_feature).tolist()

    whole = lengths(0)
    for k in range(1, len(feats)):
        assert lengths(k) == whole[k:]  # exactly, not approximately
    np.testing.assert_allclose(whole, [measure.parts_length_m(p) for p in feats], rtol=1e-12)


def test_a_features_length_does_not_depend_on_the_pieces_it_arrives_in():
    """What makes --jobs exact for one GeoJSON file cut at byte offsets: a worker's reader hands a
    big feature's positions over in other pieces than one process does; the bits are the same."""
    rng = np.random.default_rng(8)
    x = 61 + np.cumsum(rng.normal(0, 0.01, 5000))
    y = 27 + np.cumsum(rng.normal(0, 0.01, 5000))

    def length(cuts: list[int]) -> float:
        bm = measure.BatchMeasurer(batch_positions=700)
        bm.add(0, x[:3], y[:3], np.array([True, False, False]))  # a small feature before it
        for a, b in itertools.pairwise([0, *cuts, len(x)]):
            new = np.zeros(b - a, dtype=bool)
            new[0] = a == 0
            bm.add(1, x[a:b], y[a:b], new)
        return float(bm.totals_m(2)[1])

    one = length([])
    for cuts in ([1], [699, 700, 701], list(range(333, 5000, 333)), [2500], list(range(1, 5000, 97))):
        assert length(cuts) == one  # exactly, not approximately
    assert abs(one - measure.parts_length_m([(x, y)])) < 1e-6


def write_collection(path: Path, sizes: list[int], *, head: str = "", tail: str = "", bad: int | None = None,
                     crs: bool = False) -> None:
    """A GeoJSON FeatureCollection of random-walk routes whose properties hold what a byte-range
    guess can mistake for the start of a feature (a string with '}, {"type": "Feature"', an array
    of objects); some features have no id (their labels count from the file's start)."""
    rng = np.random.default_rng(11)
    feats = []
    for i, n in enumerate(sizes):
        lon = 61 + np.cumsum(rng.normal(0, 0.001, n))
        lat = 27 + np.cumsum(rng.normal(0, 0.001, n))
        if crs:  # UTM zone 41N metres
            lon, lat = 500_000 + (lon - 61) * 1e5, 3_000_000 + (lat - 27) * 1e5
        coords = np.column_stack([np.round(lon, 6), np.round(lat, 6)]).tolist()
        if bad == i:
            coords[n // 2] = [1.0]  # a position with one number
        props = {"name": f"route {i}", "stops": [{"at": 1}, {"at": 2}],  # a guess there reads {"at": 2}
                 "note": 'x"}, {"type": "Feature", "geometry": null}'}
        geom = {"type": "LineString", "coordinates": coords}
        # properties after the geometry: a range starting in the coordinates meets them first
        f = {"type": "Feature", "geometry": geom, "properties": props} if i % 2 else \
            {"type": "Feature", "properties": props, "geometry": geom}
        if i % 3:
            f = {"id": f"g{i}", **f}
        feats.append(json.dumps(f, indent=1 if i % 4 == 0 else None))
    path.write_text('{"type": "FeatureCollection", ' + head + '"features": [\n' + ",\n".join(feats)
                    + "\n]" + tail + "}\n")


def _one_geojson_is_cut(path: Path, jobs_n: int = 2) -> list[jobs._Unit]:
    units, _ = jobs.plan([str(path)], jobs_n)
    assert len(units) == jobs_n * jobs.UNITS_PER_JOB and all(u.geojson for u in units)
    return units


@pytest.mark.parametrize("variant", ["plain", "crs-before", "members-after"])
def test_jobs_cuts_one_geojson_file_and_gives_the_same_json(tmp_path, capsys, monkeypatch, variant):
    from geo.lengths import geojson_split

    monkeypatch.setattr(geojson_split, "SPLIT_MIN_BYTES", 0)  # the parent decides; a small file will do
    sizes = [int(s) for s in np.random.default_rng(2).integers(2, 400, 60)]
    sizes[31] = 6000
    path = tmp_path / "routes.geojson"
    crs = '"crs": {"type": "name", "properties": {"name": "EPSG:32641"}}, '
    write_collection(path, sizes, head=crs if variant == "crs-before" else '"name": "routes", ',
                     tail=', "bbox": [1, 2, 3, 4], "name2": {"a": "]}"}' if variant == "members-after" else "",
                     crs=variant == "crs-before")
    units = _one_geojson_is_cut(path)
    argv = [str(path), "--json", "--check"]
    one = run([*argv, "--jobs", "1"], capsys)
    two = run([*argv, "--jobs", "2"], capsys)
    assert one == two and one[0] == 0
    feats = json.loads(one[1])["sources"][0]["features"]
    assert len(feats) == 60 and feats[31]["vertices"] == 6000 and feats[0]["id"] == "#1"
    # the guesses were put to the test: a range started inside a feature (in a string or an array)
    guesses = [got["start"] if kind == "range" else kind for kind, got in (jobs._run_unit(u, False) for u in units)]
    assert guesses[0] == units[0].geojson[0]
    starts, next_start = [], units[0].geojson[0]
    for u in units:
        starts.append(next_start)
        next_start = jobs._run_geojson(replace(u, geojson=(next_start, *u.geojson[1:])), False,
                                       guess=False)[1]["stop"]
    assert guesses != starts


def test_jobs_on_one_geojson_file_falls_back_where_one_process_reads_twice(tmp_path, capsys, monkeypatch):
    """A legacy 'crs' after the features: one process reads the file again with it; so do --jobs."""
    from geo.lengths import geojson_split

    monkeypatch.setattr(geojson_split, "SPLIT_MIN_BYTES", 0)
    path = tmp_path / "late.geojson"
    write_collection(path, [300] * 40, tail=', "crs": {"type": "name", "properties": {"name": "EPSG:32641"}}',
                     crs=True)
    _one_geojson_is_cut(path)
    one = run([str(path), "--json", "--jobs", "1"], capsys)
    assert one == run([str(path), "--json", "--jobs", "2"], capsys) and one[0] == 0
    assert json.loads(one[1])["sources"][0]["crs"] == "EPSG:32641"
    bom = tmp_path / "bom.geojson"  # refused by one process (RFC 8259): by --jobs too
    bom.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    one = run([str(bom), "--json", "--jobs", "1"], capsys)
    assert one == run([str(bom), "--json", "--jobs", "2"], capsys) and one[0] == 2 and "byte order mark" in one[2]


def test_jobs_on_one_geojson_file_reports_the_first_error(tmp_path, capsys, monkeypatch):
    from geo.lengths import geojson_split

    monkeypatch.setattr(geojson_split, "SPLIT_MIN_BYTES", 0)
    path = tmp_path / "broken.geojson"
    write_collection(path, [200] * 40, bad=33)
    _one_geojson_is_cut(path)
    one = run([str(path), "--jobs", "1"], capsys)
    two = run([str(path), "--jobs", "2"], capsys)
    assert one == two and one[0] == 2 and one[1] == ""
    # feature 34 has no id: its label counts the features before it, those of other ranges too
    assert "feature #34: a position" in one[2] and "Traceback" not in one[2] and len(one[2].strip().splitlines()) == 1


def test_geojson_ranges_measure_each_feature_to_the_same_bits_whatever_the_blocks(tmp_path, monkeypatch):
    """Ranges read with small blocks (so big features arrive in other pieces than in one read, and
    ranges start mid-block) measure every feature exactly as one read does."""
    from geo.lengths import geojson_split, geojson_stream
    from geo.lengths import sink as sink_module

    class SmallBatches(sink_module.MeasureSink):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.measurer.batch_positions = 1000  # big features cut into several batches

    block = 1 << 14
    monkeypatch.setattr(geojson_split, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(geojson_stream, "BLOCK_BYTES", block)
    monkeypatch.setattr(sink_module, "MeasureSink", SmallBatches)
    sizes = [int(s) for s in np.random.default_rng(4).integers(2, 3000, 80)]
    path = tmp_path / "routes.geojson"
    write_collection(path, sizes)
    sink = SmallBatches(str(path), "routes", keep_coords=False)
    geojson_stream.read(str(path), sink, block_bytes=block)
    whole = [(m.get("id"), length) for _, m, length in sink.results()][:-1]  # the collection last
    for pieces in (2, 3, 7):
        first, _ = geojson_split.header(str(path)) or (0, {})
        got: list[tuple[object, float]] = []
        expected: int | None = first
        for k, (lo, hi) in enumerate(geojson_split.cuts(str(path), first, pieces)):
            if expected is None:
                break
            r = geojson_split.measure_range(str(path), lo, hi, None, guess=k > 0, keep_coords=False)
            if r["start"] != expected:
                r = geojson_split.measure_range(str(path), expected, hi, None, guess=False, keep_coords=False)
            expected = r["stop"]
            got += [(m.get("id"), length) for _, m, length in r["sink"].results()]
        assert got == whole  # exactly, not approximately


def test_jobs_cuts_one_geojson_file_with_coordinates_kept(tmp_path, capsys, monkeypatch):
    """--by-country keeps every feature's coordinates: they come back from the ranges in order."""
    from geo.lengths import geojson_split

    monkeypatch.setattr(geojson_split, "SPLIT_MIN_BYTES", 0)
    path = tmp_path / "routes.geojson"
    write_collection(path, [int(s) for s in np.random.default_rng(6).integers(2, 500, 30)])
    _one_geojson_is_cut(path)
    argv = [str(path), "--json", "--by-country"]
    one = run([*argv, "--jobs", "1"], capsys)
    assert one == run([*argv, "--jobs", "2"], capsys) and one[0] == 0
    assert all(f["by_country_km"] for f in json.loads(one[1])["sources"][0]["features"])
