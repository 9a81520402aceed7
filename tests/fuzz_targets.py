"""Fuzz targets for the readers written in this repository (issue 20): the GeoJSON stream reader,
the WKB parser, the seed parser and the write-journal reader. Each takes bytes and may only
refuse them with the reader's own error (one line for the user); any other exception, or a
journal that reaches outside its folder, is a finding.

Used briefly by tests/test_fuzz.py (hypothesis) and at length, coverage-guided, by
benchmarks/fuzz_readers.py (atheris)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from geo import io
from geo.build import seeds
from geo.errors import GeoError
from geo.lengths import (
    geojson_stream,
    parquet_pages,  # noqa: F401 - imported here: instrumented by atheris
)
from geo.lengths import parquet as lengths_parquet
from geo.lengths.geojson_stream import GeoJSONSyntaxError
from geo.lengths.wkb import feed_wkb

_WORK = Path(tempfile.mkdtemp(prefix="geo-fuzz-"))
atexit.register(shutil.rmtree, _WORK, ignore_errors=True)


class CountingSink:
    """A geojson_stream / WKB sink that checks what it is given (finite sizes, paired arrays)."""

    def __init__(self) -> None:
        self.positions_seen = 0
        self.open = 0

    def begin_feature(self) -> None:
        self.open += 1

    def positions(self, x: np.ndarray, y: np.ndarray, new_part: np.ndarray) -> None:
        assert len(x) == len(y) == len(new_part)
        self.positions_seen += len(x)

    def feature_dict(self, feature: dict[str, Any]) -> None:
        assert isinstance(feature, dict)

    def crs(self, value: Any) -> None:
        pass

    def end_feature(self, members: dict[str, Any]) -> None:
        self.open -= 1
        assert isinstance(members, dict)


def geojson_stream_target(data: bytes) -> None:
    """The streaming reader, with tiny blocks so that tokens cross block boundaries."""
    path = _WORK / "in.geojson"
    path.write_bytes(data)
    # tiny blocks put every token across a boundary; on big inputs they only cost time
    for block in ((61 if len(data) < 8192 else 4096), geojson_stream.BLOCK_BYTES):
        try:
            geojson_stream.read(path, CountingSink(), block_bytes=block)
        except GeoJSONSyntaxError:
            pass


def wkb_target(data: bytes) -> None:
    try:
        feed_wkb(CountingSink(), data, "fuzz: feature 1")
    except GeoError:
        pass


def seed_table_target(data: bytes) -> None:
    """A seed table (places.csv, the table with most column types) from arbitrary bytes."""
    d = _WORK / "seeds"
    d.mkdir(exist_ok=True)
    for table in (seeds.PLACES, seeds.EVENTS):
        path = d / table.filename
        path.write_bytes(data)
        try:
            seeds.read_table(path, table)
        except GeoError:
            pass
    path = d / "article.txt"
    path.write_bytes(data)
    try:
        seeds.read_text(path)
    except GeoError:
        pass


def journal_target(data: bytes) -> None:
    """A journal planted in a folder beside a victim: refused, or acted on only inside the folder."""
    try:
        io.read_journal(_WORK / "journal" / "state", data)  # the parser alone first (fast)
    except GeoError:
        return
    root = _WORK / "journal"
    state = root / "state"
    (state / "layers").mkdir(parents=True, exist_ok=True)
    victim = root / "victim.txt"
    victim.write_bytes(b"keep")
    (state / "layers" / "x.geojson").write_bytes(b"old")
    (state / "layers" / ".x.geojson.geo-new").write_bytes(b"new")
    (state / io.JOURNAL).write_bytes(data)
    try:
        io.recover(state)
    except GeoError:
        assert (state / io.JOURNAL).exists()  # refused: left for the user, nothing touched
        assert (state / "layers" / "x.geojson").read_bytes() == b"old"
    assert victim.read_bytes() == b"keep"
    assert sorted(os.listdir(root)) == ["state", "victim.txt"]
    for p in (state / io.JOURNAL, state / "layers" / ".x.geojson.geo-new"):
        if p.exists():
            p.unlink()


def parquet_pages_target(data: bytes) -> None:
    """A GeoParquet file with every row group the page reader can take read by it (pages
    decompressed as a stream: geo.lengths.parquet_pages), not by Arrow."""
    path = _WORK / "in.parquet"
    path.write_bytes(data)
    saved = lengths_parquet.STREAM_PAGE
    lengths_parquet.STREAM_PAGE = -1
    try:
        lengths_parquet.read_parquet(str(path))
    except GeoError:
        pass
    finally:
        lengths_parquet.STREAM_PAGE = saved


def parquet_seeds() -> list[bytes]:
    """Small GeoParquet files for the fuzzers to mutate: many small pages (a dictionary page, then
    plain ones), zstd page v1 and snappy page v2, a null, a multi-part and a big-endian line."""
    import io as _io

    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely
    from shapely.geometry import LineString, MultiLineString

    geo = {"version": "1.1.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "geometry_types": []}}}
    lines = [LineString([(61 + i / 9, 29 + k / 13) for k in range(3 + 5 * i)]) for i in range(8)]
    wkb: list[bytes | None] = [shapely.to_wkb(g, byte_order=1) for g in lines]
    wkb[2] = None
    wkb[5] = shapely.to_wkb(lines[5], byte_order=0)
    wkb.append(shapely.to_wkb(MultiLineString([lines[1].coords, lines[3].coords])))
    table = pa.table({"id": [f"r{i}" for i in range(len(wkb))], "geometry": pa.array(wkb, pa.binary())},
                     metadata={"geo": json.dumps(geo)})
    out = []
    for compression, version in (("zstd", "1.0"), ("snappy", "2.0")):
        buf = _io.BytesIO()
        pq.write_table(table, buf, compression=compression, data_page_version=version, data_page_size=512,
                       write_batch_size=2, dictionary_pagesize_limit=600)
        out.append(buf.getvalue())
    return out


def journal_seed() -> bytes:
    """A well-formed journal (what write_files writes) for the fuzzers to mutate."""
    digest = io._sha256(b"new")
    return json.dumps({"version": io.JOURNAL_VERSION, "id": "0" * 32, "phase": "commit",
                       "files": [["layers/x.geojson", digest]]}).encode()


TARGETS = {"geojson_stream": geojson_stream_target, "wkb": wkb_target, "seeds": seed_table_target,
           "journal": journal_target, "parquet_pages": parquet_pages_target}
