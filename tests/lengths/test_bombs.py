"""Bombs (issue 20): small or sparse files that expand without end once read. Each must end
within 60 s and 1 GB with one line naming the file, exit 2. The bombs are built here in tmp_path
(sparse where the bomb is zeros); each runs `geo lengths` in a child whose peak memory is taken
from os.wait4's rusage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from geo import files, settings

LIMIT_S = 60
LIMIT_RSS_KB = 1 << 20  # 1 GB


#: Runs ``python -m geo ARGS`` in a child forked from this small launcher and writes the child's exit
#: code and peak RSS. Linux carries a process's peak RSS across fork and exec, so a child forked
#: straight from a big pytest worker (after a build) would report the worker's peak, not its own.
_LAUNCH = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "geo", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def _run(args: list[str], tmp: Path, stdin: Path | None = None) -> tuple[int, list[str], float, int]:
    """``python -m geo ARGS``: exit code, stderr lines, seconds and peak RSS (KB) of the child."""
    out, err, rss_file = tmp / "stdout", tmp / "stderr", tmp / "rss"
    with open(out, "wb") as o, open(err, "wb") as e, open(stdin or os.devnull, "rb") as i:
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCH, str(rss_file), *args], cwd=settings.ROOT,
                                stdin=i, stdout=o, stderr=e, start_new_session=True)
        timer = threading.Timer(LIMIT_S + 30, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        secs = time.monotonic() - t0
    code, rss = (int(x) for x in rss_file.read_text(encoding="utf-8").split())
    lines = err.read_text(encoding="utf-8", errors="replace").splitlines()
    print(f"{args[-1]}: exit {code} in {secs:.1f} s, peak {rss / 1024:.0f} MB: {lines[:1]}")
    return code, lines, secs, rss


def _assert_refused(result: tuple[int, list[str], float, int], *words: str) -> None:
    rc, lines, secs, rss = result
    assert rc == 2 and len(lines) == 1, (rc, lines[:5])
    assert lines[0].startswith("geo: error: ") and all(w in lines[0] for w in words), lines
    assert secs < LIMIT_S, f"took {secs:.0f} s"
    assert rss < LIMIT_RSS_KB, f"peak {rss / 1024:.0f} MB"


KML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n'


def test_a_kmz_holding_a_1_gb_kml(tmp_path: Path) -> None:
    """The adversarial run: a 1 MB KMZ holding a 1 GB KML took 2.1 GB and 52 s in GDAL."""
    kmz = tmp_path / "bomb.kmz"
    with zipfile.ZipFile(kmz, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("doc.kml", "w", force_zip64=True) as member:
        member.write(KML_HEAD)
        block = b" " * (16 << 20)
        for _ in range(64):
            member.write(block)
        member.write(b"</Document></kml>\n")
    assert kmz.stat().st_size < 8 << 20
    _assert_refused(_run(["lengths", str(kmz)], tmp_path), "bomb.kmz", "decompress to more than")


def test_a_sparse_1_gb_kml(tmp_path: Path) -> None:
    kml = tmp_path / "sparse.kml"
    with open(kml, "wb") as fh:
        fh.write(KML_HEAD)
        fh.truncate(1 << 30)
    _assert_refused(_run(["lengths", str(kml)], tmp_path), "sparse.kml", "at most 256 MiB")


def test_a_small_parquet_of_twenty_million_rows(tmp_path: Path) -> None:
    """134 KB on disk, 2x10^7 rows (all null geometries): ran past 150 s."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    n = 20_000_000
    geo_md = {"version": "1.0.0", "primary_column": "geometry",
              "columns": {"geometry": {"encoding": "WKB", "geometry_types": []}}}
    table = pa.table({"geometry": pa.nulls(n, pa.binary())}).replace_schema_metadata({"geo": json.dumps(geo_md)})
    path = tmp_path / "rows.parquet"
    pq.write_table(table, path, row_group_size=1 << 22)
    assert path.stat().st_size < 1 << 20
    _assert_refused(_run(["lengths", str(path)], tmp_path), "rows.parquet", "more than 5,000,000 rows")


def _geojson_number_bomb(path: Path, digits: int) -> None:
    with open(path, "wb") as fh:
        fh.write(b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                 b'"geometry":{"type":"LineString","coordinates":[[61,29],[62,')
        block = b"1" * (64 << 20)
        left = digits
        while left:
            fh.write(block[: min(left, len(block))])
            left -= min(left, len(block))
        fh.write(b"]]}}]}\n")


@pytest.mark.slow
def test_a_geojson_whose_last_number_has_2e9_digits(tmp_path: Path) -> None:
    """The adversarial run's file itself (2 GB on disk): refused by its size at once."""
    path = tmp_path / "digits.geojson"
    _geojson_number_bomb(path, 2_000_000_000)
    _assert_refused(_run(["lengths", str(path)], tmp_path), "digits.geojson", "at most 1,024 MiB")


def test_a_geojson_number_of_500_million_digits(tmp_path: Path) -> None:
    """Under the size limit, the number itself is refused as soon as it passes its limit
    (the reader used to grow its buffer block by block over it: quadratic time, 2x memory)."""
    path = tmp_path / "digits.geojson"
    _geojson_number_bomb(path, 500_000_000)
    _assert_refused(_run(["lengths", str(path)], tmp_path), "digits.geojson",
                    f"longer than {files.MAX_NUMBER_CHARS} characters")


def test_a_geojson_string_of_500_mb(tmp_path: Path) -> None:
    path = tmp_path / "string.geojson"
    with open(path, "wb") as fh:
        fh.write(b'{"type":"FeatureCollection","name":"')
        for _ in range(30):
            fh.write(b"x" * (16 << 20))
        fh.write(b'","features":[]}\n')
    _assert_refused(_run(["lengths", str(path)], tmp_path), "string.geojson", "one JSON value longer than 64 MiB")


def test_stdin_is_checked_from_its_first_bytes(tmp_path: Path) -> None:
    """`geo lengths -` spooled 606 MB of zeros in 8 s though the first bytes are not UTF-8 JSON;
    now they are refused from the first bytes."""
    zeros = tmp_path / "zeros"
    with open(zeros, "wb") as fh:
        fh.truncate(600 << 20)
    result = _run(["lengths", "-"], tmp_path, stdin=zeros)
    _assert_refused(result, "-", "not UTF-8")
    assert result[2] < 10


def test_stdin_spool_has_no_name(tmp_path: Path) -> None:
    """The spool is an unnamed file (O_TMPFILE): a kill mid-read leaves nothing in $TMPDIR."""
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "lengths", "-"], cwd=settings.ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(b'{"type":"FeatureCollection","features":[' + b" " * (4 << 20))
    proc.stdin.flush()
    time.sleep(2)
    names = [p.name for p in tmpdir.iterdir()]
    proc.kill()
    proc.wait()
    assert names == [] and list(tmpdir.iterdir()) == []
