"""The build's stages kept between builds (geo/build/cache.py): an entry is read back only when it is
exactly what was written for the same inputs, code and packages; anything else is recomputed; a
warm build writes the same bytes as a build with every stage computed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path

import pytest
from trust_fixtures import tree_hashes

from geo import settings
from geo.build import cache


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_NO_CACHE", raising=False)
    return tmp_path / "cache" / "build" / "demo"


class Counter:
    def __init__(self, blobs: dict[str, bytes]) -> None:
        self.blobs, self.calls = blobs, 0

    def __call__(self) -> dict[str, bytes]:
        self.calls += 1
        return dict(self.blobs)


BLOBS = {"a.gpkg": b"\x00binary\xff" * 100, "empty.txt": b"", "b.csv": "é,ü\n".encode()}


def test_second_call_is_read_back(store: Path) -> None:
    compute = Counter(BLOBS)
    first, hit1 = cache.cached("demo", [b"in"], compute)
    second, hit2 = cache.cached("demo", [b"in"], compute)
    assert first == second == BLOBS and list(second) == list(BLOBS)
    assert (hit1, hit2, compute.calls) == (False, True, 1)
    assert len(list(store.glob("*.bin"))) == 1


def test_other_inputs_are_another_entry(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compute = Counter(BLOBS)
    cache.cached("demo", [b"in"], compute)
    cache.cached("demo", [b"in2"], compute)
    cache.cached("demo", [b"in", b""], compute)  # parts are length-prefixed: no two lists collide
    cache.cached("other", [b"in"], compute)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    cache.cached("demo", [b"in"], compute)
    assert compute.calls == 5


def test_keys_cover_the_code_and_the_seeds(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("1\n")
    d1 = cache.files_digest(tmp_path)
    (tmp_path / "a" / "x.csv").write_text("2\n")
    d2 = cache.files_digest(tmp_path)
    (tmp_path / "a" / "y.csv").write_text("")
    d3 = cache.files_digest(tmp_path)
    (tmp_path / "a" / "y.csv").rename(tmp_path / "a" / "z.csv")
    d4 = cache.files_digest(tmp_path)
    assert len({d1, d2, d3, d4}) == 4
    code = cache._code_files(settings.ROOT / "geo")
    assert "pipeline.py" in code and "build/cache.py" in code and "schemas/events.schema.json" in code
    assert not any("node_modules" in c or "__pycache__" in c for c in code)


def test_no_cache_switch(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_NO_CACHE", "1")
    compute = Counter(BLOBS)
    for _ in range(2):
        assert cache.cached("demo", [b"in"], compute) == (BLOBS, False)
    assert compute.calls == 2 and not store.parent.parent.exists()


def test_a_failed_stage_is_not_kept(store: Path) -> None:
    def boom() -> dict[str, bytes]:
        raise ValueError("bad seeds")

    with pytest.raises(ValueError, match="bad seeds"):
        cache.cached("demo", [b"in"], boom)
    assert not store.exists() or not any(store.iterdir())


def _tampered(good: bytes) -> list[bytes]:
    nl = good.index(b"\n")
    head = json.loads(good[:nl])
    body = good[nl + 1:]

    def with_head(h: object) -> bytes:
        return json.dumps(h).encode() + b"\n" + body

    files = head["files"]
    return [
        b"",
        b"no newline at all",
        b"not json\n" + body,
        b"[" * 100000 + b"\n",  # nesting bomb
        with_head([]),
        with_head({**head, "key": "0" * 64}),  # another key's entry
        with_head({**head, "magic": "geo-build-cache/0"}),
        with_head({**head, "extra": 1}),
        with_head({**head, "files": [[files[0][0], files[0][1] + 1, files[0][2]], *files[1:]]}),  # sizes off
        with_head({**head, "files": [[files[0][0], -1, files[0][2]], *files[1:]]}),
        with_head({**head, "files": [[files[0][0], True, files[0][2]], *files[1:]]}),
        with_head({**head, "files": [files[0], files[0], *files[1:]]}),  # a name twice
        with_head({**head, "files": [[1, *files[0][1:]], *files[1:]]}),
        with_head({**head, "files": [[*files[0][:2], "0" * 64], *files[1:]]}),  # hash != content
        good[:-1],  # truncated
        good + b"x",  # trailing bytes
        good[: nl + 1] + bytes([body[0] ^ 1]) + body[1:],  # a flipped byte in a blob
    ]


def test_a_hostile_entry_is_recomputed_and_rewritten(store: Path) -> None:
    compute = Counter(BLOBS)
    cache.cached("demo", [b"in"], compute)
    (entry,) = store.glob("*.bin")
    good = entry.read_bytes()
    assert hashlib.sha256(good).hexdigest()  # the entry is bytes, not JSON: blobs are kept raw
    for i, bad in enumerate(_tampered(good)):
        entry.write_bytes(bad)
        n = compute.calls
        assert cache.cached("demo", [b"in"], compute) == (BLOBS, False), i
        assert compute.calls == n + 1, i  # recomputed...
        assert entry.read_bytes() == good, i  # ...and the good entry written back


def test_oversized_or_unreadable_entry_is_recomputed(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compute = Counter(BLOBS)
    cache.cached("demo", [b"in"], compute)
    monkeypatch.setattr(cache, "MAX_BYTES", 10)
    assert cache.cached("demo", [b"in"], compute) == (BLOBS, False)
    monkeypatch.undo()
    monkeypatch.setenv("GEO_CACHE_DIR", str(store.parent.parent.parent))
    (entry,) = store.glob("*.bin")
    entry.unlink()
    entry.mkdir()  # a folder where the entry should be: not read, and the write is skipped
    assert cache.cached("demo", [b"in"], compute) == (BLOBS, False)
    assert compute.calls == 3


def test_only_the_newest_entries_are_kept(store: Path) -> None:
    compute = Counter(BLOBS)
    store.mkdir(parents=True)
    killed, live = store / ".dead.bin.123.tmp", store / ".live.bin.456.tmp"  # a killed writer's, a running one's
    killed.write_bytes(b"half")
    live.write_bytes(b"half")
    old = time.time() - cache.STALE_TMP_S - 60
    os.utime(killed, (old, old))
    for i in range(cache.KEEP + 3):
        cache.cached("demo", [str(i).encode()], compute)
    assert len(list(store.glob("*.bin"))) == cache.KEEP
    assert cache.cached("demo", [str(cache.KEEP + 2).encode()], compute)[1]  # the newest is there
    assert [p.name for p in store.glob(".*")] == [live.name]  # the writes left nothing behind


@pytest.mark.slow  # three real builds
def test_warm_build_writes_what_a_cold_build_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stage computed (GEO_NO_CACHE=1), then a build that fills the cache, then one that reads
    every stage back: the same bytes in layers/ and maps/ all three times."""
    from geo import pipeline

    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GEO_NO_CACHE", "1")
    trees = []
    for run in ("cold", "fill", "warm"):
        if run != "cold":
            monkeypatch.delenv("GEO_NO_CACHE", raising=False)
        out = tmp_path / run
        pipeline.build(layers_dir=out / "layers", maps_dir=out / "maps")
        trees.append(tree_hashes(out / "layers", out / "maps"))
    assert trees[0] == trees[1] == trees[2] and len(trees[0]) > 50
    stages = {p.name for p in (tmp_path / "cache" / "build").iterdir()}
    assert stages == {"layers", "exports", "static-maps"}
    b = pipeline._checked(None)
    assert set(b.timings) == {"layers (cached)"}


def test_the_seeds_digest_follows_links_and_counts_what_it_cannot_read(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The build reads through a symbolic link (an article folder linked in): its files are keys too;
    a link loop is walked once; a FIFO or an unreadable file is a key, never a hang or a traceback."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "article.txt").write_text("one\n")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "linked").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "loop").symlink_to(seeds, target_is_directory=True)
    d1 = cache.files_digest(seeds)
    (elsewhere / "article.txt").write_text("two\n")
    d2 = cache.files_digest(seeds)
    os.mkfifo(seeds / "pipe")
    d3 = cache.files_digest(seeds)
    (seeds / "locked.csv").write_text("x\n")
    d4 = cache.files_digest(seeds)
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:  # as an unreadable file does for a user who is not root
        if self.name == "locked.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    d5 = cache.files_digest(seeds)
    assert len({d1, d2, d3, d4, d5}) == 5


def test_io_shape_is_shapelys_shape() -> None:
    """geo.io.shape (numpy-built polygons and lines, used by the builders and the exports) gives
    exactly shapely.geometry.shape's geometry for every layer's geometry and the odd cases."""
    from shapely.geometry import shape as shapely_shape

    from geo import io

    geoms = [f["geometry"] for p in sorted(settings.LAYERS_DIR.glob("*.geojson"))
             for f in json.loads(p.read_text(encoding="utf-8"))["features"] if f.get("geometry")]
    kinds = {g["type"] for g in geoms}
    assert {"Polygon", "MultiPolygon", "LineString", "Point"} <= kinds
    odd = [
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]], [[0.2, 0.1], [0.3, 0.1], [0.3, 0.2], [0.2, 0.1]]]},
        {"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]]},  # 3D: shapely's own
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]},  # unclosed
        {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], [[2, 2], [3, -0.0]]]},
        {"type": "MultiPolygon", "coordinates": []},
    ]
    for g in geoms + odd:
        a, b = shapely_shape(g), io.shape(g)
        assert (a.geom_type, a.wkb) == (b.geom_type, b.wkb), g["type"]
    for bad in ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]}, {"type": "LineString", "coordinates": [["a", 0]]},
                {"type": "LineString", "coordinates": [[0, 0], [1, 1, 2]]}):  # too short, not numbers, ragged
        with pytest.raises(Exception) as slow:  # whatever shapely raises, io.shape raises too
            shapely_shape(bad)
        with pytest.raises(type(slow.value), match=re.escape(str(slow.value))):
            io.shape(bad)


def test_the_key_holds_the_code_and_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another geo/ file or another installed distribution is another key (never a stale hit)."""
    k = cache.key("demo", [b"in"])
    digest = cache.environment_digest()
    assert len(digest) == 64 and cache.key("demo", [b"in"]) == k  # the same process: the same key
    monkeypatch.setattr(cache, "environment_digest", lambda: "0" * 64)
    assert cache.key("demo", [b"in"]) != k
    monkeypatch.undo()
    cache.environment_digest.cache_clear()
    real = os.listdir

    def one_more_dist(path: str) -> list[str]:
        names = real(path)
        return [*names, "shapely-99.0.dist-info"] if any(n.endswith(".dist-info") for n in names) else names

    monkeypatch.setattr(os, "listdir", one_more_dist)
    try:
        assert cache.key("demo", [b"in"]) != k
    finally:
        monkeypatch.undo()
        cache.environment_digest.cache_clear()
    assert cache.key("demo", [b"in"]) == k
