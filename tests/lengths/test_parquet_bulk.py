"""GeoParquet's bulk path: simple LineStrings decoded a batch at a time measure exactly as one at a time."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from geo.errors import InputError
from geo.geodesy import GEOD
from geo.lengths import parquet as lengths_parquet
from geo.lengths.wkb import FEED_POSITIONS

GEO_META = {"version": "1.1.0", "primary_column": "geometry",
            "columns": {"geometry": {"encoding": "WKB", "geometry_types": []}}}


def _walk(rng: np.random.Generator, n: int) -> list[tuple[float, float]]:
    x = 61.0 + np.cumsum(rng.normal(0, 1e-3, n))
    y = 27.0 + np.cumsum(rng.normal(0, 1e-3, n))
    return list(zip(x.tolist(), y.tolist(), strict=True))


def _rows(rng: np.random.Generator) -> list[tuple[str, Any]]:
    """(id, shapely geometry or None): simple lines among every kind the bulk path must leave alone."""
    from shapely.geometry import LineString, MultiLineString, Polygon

    rows: list[tuple[str, Any]] = [(f"s{i}", LineString(_walk(rng, int(rng.integers(2, 400))))) for i in range(30)]
    ring = [(61, 27), (61.5, 27), (61.5, 27.5), (61, 27.5), (61, 27)]
    hole = [(61.1, 27.1), (61.2, 27.1), (61.2, 27.2), (61.1, 27.1)]
    rows[3:3] = [("multi", MultiLineString([_walk(rng, 50), _walk(rng, 7)]))]
    rows[9:9] = [("poly", Polygon(ring, [hole]))]
    rows[12:12] = [("null", None)]
    rows[15:15] = [("long", LineString(_walk(rng, FEED_POSITIONS + 5)))]  # cut in pieces: feed_wkb's path
    rows[20:20] = [("two", LineString([(61, 27), (62, 28)]))]
    return rows


def _write(path: Path, rows: list[tuple[str, Any]], big_endian: set[str] = frozenset(), **kw: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    wkb = [None if g is None else shapely.to_wkb(g, byte_order=0 if fid in big_endian else 1) for fid, g in rows]
    table = pa.table({"id": [fid for fid, _ in rows], "geometry": pa.array(wkb, type=pa.binary())},
                     metadata={"geo": json.dumps(GEO_META)})
    pq.write_table(table, path, **kw)


def _expected_m(geom: Any) -> float:
    """Independent reference: pyproj's line_length on each line or ring (holes included)."""
    import shapely

    if geom is None:
        return 0.0
    lines = shapely.get_parts(shapely.get_rings(geom)) if geom.geom_type == "Polygon" else shapely.get_parts(geom)
    return math.fsum(GEOD.line_length(*np.asarray(ln.coords).T) for ln in lines)


def _lengths(path: Path, **kw: Any) -> dict[str, tuple[float, int, str | None]]:
    src = lengths_parquet.read_parquet(str(path), **kw)[0]
    return {f.fid: (f.length_m, f.vertices, f.geometry_type) for f in src.features}


@pytest.mark.parametrize("layout", [{"row_group_size": 4}, {"row_group_size": 1 << 30}])
def test_bulk_lines_equal_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: dict) -> None:
    import shapely

    rows = _rows(np.random.default_rng(7))
    path = tmp_path / "mixed.parquet"
    _write(path, rows, big_endian={"s5", "s6"}, **layout)
    bulk = _lengths(path)
    assert set(bulk) == {fid for fid, g in rows if g is not None}  # the null row has no geometry type: skipped
    for fid, g in rows:
        if g is not None:
            length, vertices, gtype = bulk[fid]
            assert gtype == g.geom_type and vertices == len(shapely.get_coordinates(g))
            assert length == pytest.approx(_expected_m(g), rel=1e-9, abs=1e-9), fid
    # the same file with every row parsed one at a time (no bulk path): the same bits
    monkeypatch.setattr(lengths_parquet, "_simple_lines", lambda arr: None)
    assert _lengths(path) == bulk


def test_bulk_lines_keep_their_coordinates(tmp_path: Path) -> None:
    """A per-country split needs each line's own positions: the bulk path keeps them, exactly."""
    rows = _rows(np.random.default_rng(3))
    path = tmp_path / "keep.parquet"
    _write(path, rows, row_group_size=5)
    src = lengths_parquet.read_parquet(str(path), keep_coords=True)[0]
    by_id = {f.fid: f for f in src.features}
    for fid, g in rows:
        if g is not None and g.geom_type == "LineString":
            (x, y), = by_id[fid].coords
            assert np.array_equal(np.column_stack((x, y)), np.asarray(g.coords)), fid


def test_a_truncated_line_names_its_feature(tmp_path: Path) -> None:
    """A LineString whose WKB says more positions than it holds is not taken as a simple line: the
    one-line error names the feature."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely
    from shapely.geometry import LineString

    good = shapely.to_wkb(LineString([(61, 27), (62, 28), (63, 28)]))
    table = pa.table({"id": ["a", "b", "c"], "geometry": [good, good[:-8], good]},
                     metadata={"geo": json.dumps(GEO_META)})
    path = tmp_path / "cut.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError, match=r"cut\.parquet: feature b: ") as exc:
        lengths_parquet.read_parquet(str(path))
    assert "\n" not in str(exc.value)
