"""GeoParquet's bulk path: simple LineStrings decoded a batch at a time measure exactly as one at a time."""

from __future__ import annotations

import itertools
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


# -- pages read as a stream (geo.lengths.parquet_pages) -------------------------------------------


def _streamed_rows(rng: np.random.Generator) -> list[tuple[str, Any]]:
    """_rows plus values longer than a measuring piece: a LineString (measured as it streams in)
    and a MultiLineString (read whole, parsed by feed_wkb)."""
    from shapely.geometry import MultiLineString

    rows = _rows(rng)
    rows.append(("multi-long", MultiLineString([_walk(rng, FEED_POSITIONS), _walk(rng, 40)])))
    return rows


def _forced(monkeypatch: pytest.MonkeyPatch, stream: bool) -> list[int]:
    """Every streamable row group read as a stream (or none); the list counts the groups streamed."""
    monkeypatch.setattr(lengths_parquet, "STREAM_PAGE", -1 if stream else 1 << 62)
    seen: list[int] = []
    real = lengths_parquet._measure_streamed

    def spy(sink: Any, pf: Any, fd: int, ci: int, where: tuple[int, Any, Any], *a: Any) -> Any:
        seen.append(where[0])
        return real(sink, pf, fd, ci, where, *a)

    monkeypatch.setattr(lengths_parquet, "_measure_streamed", spy)
    return seen


@pytest.mark.parametrize("compression", ["none", "zstd", "gzip", "snappy", "brotli", "lz4"])
@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_streamed_pages_measure_as_arrow_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    compression: str, version: str) -> None:
    """Every codec and page version a writer uses (pyarrow's "lz4" is Parquet's LZ4_RAW): the pages
    read as a stream give the same lengths, to the bit, as Arrow's reader, and the reference lengths."""
    rows = _streamed_rows(np.random.default_rng(11))
    path = tmp_path / f"{compression}-{version}.parquet"
    _write(path, rows, big_endian={"s5"}, row_group_size=9, compression=compression, data_page_version=version)
    seen = _forced(monkeypatch, stream=True)
    streamed = _lengths(path)
    assert seen == list(range(math.ceil(len(rows) / 9)))
    _forced(monkeypatch, stream=False)
    assert _lengths(path) == streamed
    for fid, g in rows:
        if g is not None:
            assert streamed[fid][0] == pytest.approx(_expected_m(g), rel=1e-9, abs=1e-9), fid


@pytest.mark.parametrize("layout", ["plain", "repeated"])
def test_streamed_dictionaries_streamed_or_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    """Without a dictionary (plain pages only), and with geometries repeated (a dictionary whose
    values are used more than once, out of order: held, not streamed, then plain pages once the
    writer gives the dictionary up), the same lengths as Arrow."""
    from geo.lengths import parquet_pages

    rows = _streamed_rows(np.random.default_rng(12))
    if layout == "repeated":
        rows = [(f"{fid}-{k}", g) for k in range(3) for fid, g in rows[:4]] + rows
    path = tmp_path / f"{layout}.parquet"
    _write(path, rows, compression="zstd", use_dictionary=layout == "repeated", row_group_size=1 << 20,
           dictionary_pagesize_limit=40_000, write_batch_size=4)
    held: list[int] = []
    real = parquet_pages._held_values
    monkeypatch.setattr(parquet_pages, "_held_values", lambda *a: held.append(1) or real(*a))
    seen = _forced(monkeypatch, stream=True)
    streamed = _lengths(path)
    assert seen == [0] and bool(held) == (layout == "repeated")
    _forced(monkeypatch, stream=False)
    assert _lengths(path) == streamed


def test_streamed_row_ranges_join_up_as_jobs_merge_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--jobs` workers start and stop inside a streamed row group: the parts merge to one read."""
    from geo.lengths import jobs

    rows = _streamed_rows(np.random.default_rng(13))
    path = tmp_path / "ranges.parquet"
    _write(path, rows, compression="zstd", row_group_size=20)
    _forced(monkeypatch, stream=True)
    whole = lengths_parquet.read_parquet(str(path))
    n = len(rows)
    for cuts in ([0, 7, 16, n], [0, 1, 21, 22, n - 1, n]):
        parts = [jobs._part_of(lengths_parquet.measure_rows(str(path), a, b)) for a, b in itertools.pairwise(cuts)]
        assert jobs._merge(str(path), parts) == whole


@pytest.mark.slow  # a 24 MB route: outside the fast loop
def test_a_long_route_is_read_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 24 MB route in one page: no read of the file and no Python allocation comes near its size
    (Arrow's reader held 58 MB for a 16 MB one)."""
    import os
    import struct
    import tracemalloc

    import pyarrow as pa
    import pyarrow.parquet as pq

    from geo.lengths import parquet_pages

    rng = np.random.default_rng(14)
    n = 1_500_000
    x, y = 61.0 + np.cumsum(rng.normal(0, 1e-3, n)), 27.0 + np.cumsum(rng.normal(0, 1e-3, n))
    wkb = struct.pack("<BII", 1, 2, n) + np.column_stack([x, y]).astype("<f8").tobytes()
    path = tmp_path / "long.parquet"
    pq.write_table(pa.table({"id": ["long"], "geometry": [wkb]}, metadata={"geo": json.dumps(GEO_META)}),
                   path, compression="zstd")
    seen = _forced(monkeypatch, stream=True)
    reads: list[int] = []
    real = os.pread

    def pread(fd: int, k: int, at: int) -> bytes:
        reads.append(k)
        return real(fd, k, at)

    monkeypatch.setattr(parquet_pages.os, "pread", pread)
    tracemalloc.start()
    try:
        src = lengths_parquet.measure_rows(str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (_, _, got), = src.results()
    assert seen == [0]
    assert got == pytest.approx(GEOD.line_length(x, y), rel=1e-9)
    assert max(reads) <= 1 << 20, max(reads)
    assert peak < 12 << 20, peak  # the value is 24 MB


def _page_starts(path: Path) -> list[int]:
    """File offsets of every page header of the geometry column (row group 0)."""
    import os

    from geo.lengths import parquet_pages

    fd = os.open(path, os.O_RDONLY)
    try:
        chunk = parquet_pages.footer_chunks(fd, 1)[0]
        pages = parquet_pages.chunk_pages(fd, chunk)
    finally:
        os.close(fd)
    return [chunk.start] + [p.at + p.compressed for p in pages[:-1]]


@pytest.mark.slow  # 200 mutated files a codec: outside the fast loop
@pytest.mark.parametrize("compression", ["none", "zstd", "snappy"])
def test_a_broken_page_gives_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compression: str) -> None:
    """Any byte of the geometry column's pages changed, page headers most of all: the lengths, or
    one line naming the file, row group and column (or the feature) - never a traceback, a hang or
    an allocation the size a broken header asks for."""
    import pyarrow.parquet as pq
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    rows = _streamed_rows(np.random.default_rng(15))[:12]
    path = tmp_path / "good.parquet"
    _write(path, rows, compression=compression, data_page_version="2.0" if compression == "snappy" else "1.0",
           data_page_size=16 << 10, write_batch_size=2, dictionary_pagesize_limit=20_000)
    src = path.read_bytes()
    col = pq.ParquetFile(path).metadata.row_group(0).column(1)
    first = col.dictionary_page_offset if col.has_dictionary_page else col.data_page_offset
    headers = _page_starts(path)
    assert len(headers) >= 3
    _forced(monkeypatch, stream=True)
    bad = tmp_path / "bad.parquet"
    anywhere = st.integers(first, first + col.total_compressed_size - 1)
    in_a_header = st.builds(lambda h, k: h + k, st.sampled_from(headers), st.integers(0, 40))

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(at=st.one_of(in_a_header, anywhere), value=st.integers(0, 255))
    def one(at: int, value: int) -> None:
        bad.write_bytes(src[:at] + bytes([value]) + src[at + 1 :])
        try:
            _lengths(bad)
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(f"{bad}: "), str(exc)

    one()


def test_found_by_fuzzing_a_geometry_column_the_file_lacks(tmp_path: Path) -> None:
    """atheris (benchmarks/fuzz_readers.py parquet_pages): 'geo' metadata naming a column the
    file does not have escaped as ValueError instead of one line."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = dict(GEO_META, primary_column="geom", columns={"geom": GEO_META["columns"]["geometry"]})
    path = tmp_path / "renamed.parquet"
    pq.write_table(pa.table({"id": ["a"], "geometry": [b"\x01"]}, metadata={"geo": json.dumps(meta)}), path)
    with pytest.raises(InputError, match=r"renamed\.parquet: the GeoParquet metadata's geometry column 'geom' "
                                         r"is not in the file$"):
        lengths_parquet.read_parquet(str(path))


def test_found_by_fuzzing_a_column_name_that_is_not_utf8(tmp_path: Path) -> None:
    """atheris: a column name that is not UTF-8 escaped pyarrow as UnicodeDecodeError."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "names.parquet"
    pq.write_table(pa.table({"zq": ["a"], "geometry": [b"\x01"]}, metadata={"geo": json.dumps(GEO_META)}), path,
                   store_schema=False)
    data = path.read_bytes()
    footer = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    assert data.count(b"zq", footer) == 2  # the schema and the column chunk name it
    path.write_bytes(data[:footer] + data[footer:].replace(b"zq", b"\xf4\x28"))
    with pytest.raises(InputError, match=r"names\.parquet: cannot open as Parquet \(a name in its schema is not UTF-8\)$"):
        lengths_parquet.read_parquet(str(path))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_found_by_fuzzing_a_footer_that_aborts_pyarrow(jobs: str) -> None:
    """atheris: a column chunk's metadata that makes pyarrow's Python metadata getter abort the
    process (a C++ exception it does not catch). The footer is read here instead: one line, exit 2."""
    import subprocess
    import sys

    path = Path(__file__).parent / "found" / "atheris-column-chunk-metadata.parquet"
    p = subprocess.run([sys.executable, "-m", "geo", "lengths", str(path), "--jobs", jobs],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1 and p.stderr.startswith(f"geo: error: {path}: cannot read ("), p.stderr
