"""The build's TopoJSON step kept between builds (geo/render/display.py): the same bytes with and
without the cache, and a cache file that is anything but what the build wrote is rebuilt."""

from __future__ import annotations

import json

import pytest

from geo.render import display


def _layers(shift: float = 0.0) -> dict:
    """Two provinces sharing an edge and a border line along it (the shape of the real layers)."""
    edge = [[62.0, 25.0 + shift], [62.1, 26.0], [61.9, 27.0], [62.2, 28.0]]
    west = [[60.0, 25.0], *edge, [60.0, 28.0], [60.0, 25.0]]
    east = [[64.0, 25.0], [64.0, 28.0], *edge[::-1], [64.0, 25.0]]
    poly = lambda ring: {"type": "Polygon", "coordinates": [ring]}  # noqa: E731
    return {
        "provinces": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "W"}, "geometry": poly(west)},
            {"type": "Feature", "properties": {"name": "E"}, "geometry": poly(east)}]},
        "border": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": edge}},
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [62, 26]}}]},
    }


def _bytes(topo: dict) -> str:
    return json.dumps(topo, ensure_ascii=False)


def test_cached_topology_is_byte_identical_and_hostile_files_are_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("GEO_NO_CACHE", raising=False)
    layers = _layers()
    plain = _bytes(display.topology(layers, cache=False))
    cold = _bytes(display.topology(layers))
    files = list((tmp_path / "topology").glob("*.json"))
    assert len(files) == 1
    calls = []
    real = display.build_topology
    monkeypatch.setattr(display, "build_topology", lambda *a, **k: calls.append(1) or real(*a, **k))
    warm = _bytes(display.topology(layers))
    assert plain == cold == warm and calls == []  # read back, not computed
    # another geometry: another key, computed
    other = _bytes(display.topology(_layers(shift=0.01)))
    assert calls == [1] and other != plain
    # properties do not change the topology: the same entry serves
    renamed = _layers()
    renamed["provinces"]["features"][0]["properties"]["name"] = "West"
    assert _bytes(display.topology(renamed)) == plain and calls == [1]

    doc = json.loads(files[0].read_text())
    tampered = [
        b"not json",
        b"[]",
        json.dumps({**doc, "key": "0" * 64}).encode(),  # another key
        json.dumps({**doc, "topology": {**doc["topology"], "arcs": ["??"]}}).encode(),  # content != hash
        json.dumps({**doc, "extra": 1}).encode(),
        b"[" * 100000,  # nesting bomb
    ]
    for bad in tampered:
        files[0].write_bytes(bad)
        n = len(calls)
        assert _bytes(display.topology(layers)) == plain
        assert len(calls) == n + 1, bad[:40]  # rebuilt...
        assert json.loads(files[0].read_text()) == doc  # ...and the good entry written back


def test_no_cache_switch(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("GEO_NO_CACHE", "1")
    display.topology(_layers())
    assert not (tmp_path / "topology").exists()


@pytest.mark.parametrize("size", [display.TOPOLOGY_CACHE_MAX_BYTES + 1])
def test_oversized_cache_file_is_not_read(tmp_path, monkeypatch, size):
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path))
    layers = _layers()
    display.topology(layers)
    (f,) = (tmp_path / "topology").glob("*.json")
    with open(f, "ab") as fh:
        fh.truncate(size)
    assert display._cache_read(f, f.stem) is None
