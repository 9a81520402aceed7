"""`geo lengths --jobs N`: the same report, to the byte, as one process; the same first error."""

from __future__ import annotations

import itertools
import json
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
