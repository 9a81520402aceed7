"""Deterministic GeoJSON writing and all-or-nothing file replacement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import LineString, Polygon

from geo import io


def test_feature_rounds_orients_and_keeps_property_order():
    cw_square = Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])  # clockwise exterior
    f = io.feature("a", {"z": 1, "a": 2}, cw_square)
    assert list(f["properties"]) == ["z", "a"]
    ring = f["geometry"]["coordinates"][0]
    assert Polygon(ring).exterior.is_ccw
    line = io.feature("l", {}, LineString([(61.123456789, 25.1), (61.2, -0.0000001)]))
    assert line["geometry"]["coordinates"] == [[61.123457, 25.1], [61.2, 0.0]]


def test_rounding_drops_consecutive_duplicates():
    f = io.feature("l", {}, LineString([(1.0, 1.0), (1.0000001, 1.0000001), (2.0, 2.0)]))
    assert f["geometry"]["coordinates"] == [[1.0, 1.0], [2.0, 2.0]]


def test_dumps_is_deterministic_json_without_crs():
    fc = io.collection("x", [io.feature("b", {"n": "é"}, LineString([(0, 0), (1, 1)]))],
                       title="t", description="d")
    text = io.dumps(fc)
    assert text == io.dumps(json.loads(text))
    parsed = json.loads(text)
    assert "crs" not in parsed and parsed["features"][0]["id"] == "b"
    assert "é" in text  # UTF-8, not \\u escapes


def test_duplicate_ids_rejected():
    f = io.feature("a", {}, LineString([(0, 0), (1, 1)]))
    with pytest.raises(ValueError, match="duplicate feature ids"):
        io.collection("x", [f, f], title="t", description="d")


def test_write_files_is_all_or_nothing(tmp_path: Path):
    good = tmp_path / "good.geojson"
    good.write_text("old", encoding="utf-8")

    # the second content fails while staging, after the first file was staged
    with pytest.raises(TypeError):
        io.write_files({good: "new", tmp_path / "bad.geojson": object()})  # type: ignore[dict-item]
    assert good.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.geojson"], "temp files must be cleaned"
    changed = io.write_files({good: "new", tmp_path / "other.txt": b"x"})
    assert good.read_text(encoding="utf-8") == "new" and len(changed) == 2
    assert io.write_files({good: "new"}) == []  # unchanged bytes are not rewritten


def test_write_files_leaves_no_journal_or_temp_and_never_writes_through_a_symlink(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (out / f".a.geojson{io.STAGED_SUFFIX}").symlink_to(victim)  # planted where the temp file goes
    changed = io.write_files({out / "a.geojson": "new", out / "b.geojson": b"b"}, state_dir=tmp_path)
    assert sorted(p.name for p in changed) == ["a.geojson", "b.geojson"]
    assert victim.read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in out.iterdir()) == ["a.geojson", "b.geojson"]
    assert not (tmp_path / io.JOURNAL).exists()
    assert (out / "a.geojson").read_text(encoding="utf-8") == "new"
