"""Deterministic GeoJSON (RFC 7946) building and atomic, all-or-nothing file writing."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from geo import settings


def round_coords(coords: Any, nd: int) -> Any:
    """Round nested coordinate arrays to ``nd`` decimals (2D); drop the consecutive duplicates the
    rounding creates, but never collapse a sequence to a single position."""
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(c), nd) + 0.0 for c in coords[:2]]  # +0.0 turns -0.0 into 0.0
    out = [round_coords(c, nd) for c in coords]
    if out and isinstance(out[0], list) and out[0] and isinstance(out[0][0], float):
        dedup = [out[0]]
        for pos in out[1:]:
            if pos != dedup[-1]:
                dedup.append(pos)
        if len(dedup) == 1 and len(out) > 1:
            dedup.append(out[-1])
        return dedup
    return out


def geometry_mapping(geom: Any, *, decimals: int | None = None) -> dict[str, Any] | None:
    """GeoJSON geometry dict of a shapely geometry (or mapping) with RFC 7946 winding and rounding.

    Exterior rings are counter-clockwise, holes clockwise (shapely.orient_polygons).
    """
    if geom is None:
        return None
    nd = settings.COORD_DECIMALS if decimals is None else decimals
    if not isinstance(geom, Mapping):
        import shapely

        if geom.geom_type in ("Polygon", "MultiPolygon"):
            # snap to the written grid with GEOS's precision reducer, which keeps polygons valid
            # (plain rounding can make a ring touch itself), then orient per RFC 7946
            geom = shapely.set_precision(geom, 10.0**-nd)
            geom = shapely.orient_polygons(geom, exterior_cw=False)
        geom = shapely.geometry.mapping(geom)
    return {"type": geom["type"], "coordinates": round_coords(list_coords(geom["coordinates"]), nd)}


def rounded(geom: Any) -> Any:
    """The shapely geometry exactly as it will be written (rounded, oriented): measure this."""
    from shapely.geometry import shape

    return shape(geometry_mapping(geom))


def list_coords(coords: Any) -> Any:
    """Tuples to lists, recursively (shapely's mapping() yields tuples)."""
    if isinstance(coords, (list, tuple)):
        return [list_coords(c) for c in coords]
    return coords


def feature(fid: str, properties: Mapping[str, Any], geometry: Any) -> dict[str, Any]:
    """A GeoJSON Feature with a string id; property order is the order of ``properties``."""
    if not isinstance(fid, str) or not fid:
        msg = f"feature id must be a non-empty string, got {fid!r}"
        raise ValueError(msg)
    return {
        "type": "Feature",
        "id": fid,
        "properties": dict(properties),
        "geometry": geometry_mapping(geometry),
    }


def collection(
    name: str,
    features: Iterable[dict[str, Any]],
    *,
    title: str,
    description: str,
    sources: list[str] | None = None,
    license: str = "",
    attribution: str = "",
) -> dict[str, Any]:
    """A FeatureCollection with a ``metadata`` foreign member (title, license, attribution...)."""
    feats = list(features)
    ids = [f["id"] for f in feats]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        msg = f"layer {name!r}: duplicate feature ids {dupes}"
        raise ValueError(msg)
    return {
        "type": "FeatureCollection",
        "name": name,
        "metadata": {
            "title": title,
            "description": description,
            "sources": list(sources or []),
            "license": license,
            "attribution": attribution,
            "generated_by": "geo build, Iran-Pakistan frontier atlas",
        },
        "features": feats,
    }


def dumps(fc: Mapping[str, Any]) -> str:
    """Serialise a FeatureCollection deterministically: header, then one feature per line."""
    head = {k: v for k, v in fc.items() if k != "features"}
    head_text = json.dumps(head, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        for f in fc["features"]
    ]
    body = ",\n".join(lines)
    return head_text[:-1] + ',"features":[\n' + body + "\n]}\n"


def dumps_json(obj: Any) -> str:
    """Deterministic pretty JSON for non-GeoJSON outputs (claims ledger, reports)."""
    return json.dumps(obj, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def write_files(outputs: Mapping[Path, str | bytes]) -> list[Path]:
    """Write every file or none: all contents go to temp files first, then each is renamed.

    A failure while preparing leaves every existing file untouched; temp files are removed.
    Returns the paths whose bytes changed.
    """
    staged: list[tuple[str, Path]] = []
    changed: list[Path] = []
    try:
        for path, content in outputs.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            if path.exists() and path.read_bytes() == data:
                continue
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
        changed.append(path)
    return changed


def read_json(path: Path) -> Any:
    """Read a JSON file (used by tests and the validator)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
