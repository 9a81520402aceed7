"""Regenerate tests/bad_inputs/geojson/ (small broken layer files) and geojson.json (their expectations).

Run from the repository root: ``python tests/bad_inputs/make_corpus.py``. Each file is a
one-layer FeatureCollection built from tests/trust_fixtures.py with exactly one defect.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))

from trust_fixtures import good_claims, good_layers  # noqa: E402  (needs the sys.path lines above)

from geo import io  # noqa: E402


def one(layer: str, fid: str | None = None) -> dict[str, Any]:
    fc = good_layers()[layer]
    if fid:
        fc["features"] = [f for f in fc["features"] if f["id"] == fid]
    return fc


def cases() -> list[tuple[str, Any, int, list[str]]]:
    """(file name, content (dict = GeoJSON, str/bytes = raw), exit code, words in stderr)."""
    out: list[tuple[str, Any, int, list[str]]] = []

    fc = one("provinces", "PK-BA")
    fc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}
    out.append(("crs_member.geojson", fc, 1, ["provinces:*: crs:"]))

    fc = one("provinces", "IR-11")
    fc["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[[60, 27], [61, 28], [61, 27], [60, 28], [60, 27]]]}
    out.append(("self_intersecting_polygon.geojson", fc, 1, ["provinces:IR-11: ogc-valid: Self-intersection"]))

    fc = one("provinces", "PK-BA")
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    fc["features"][0]["geometry"]["coordinates"][0] = ring[::-1]
    out.append(("clockwise_exterior.geojson", fc, 1, ["provinces:PK-BA: winding:", "clockwise"]))

    fc = one("provinces", "PK-BA")
    fc["features"][0]["geometry"]["coordinates"][0] = ring[:-1]
    out.append(("unclosed_ring.geojson", fc, 1, ["provinces:PK-BA: ring-closed:"]))

    fc = one("places", "gn-1176615")
    fc["features"][0]["geometry"]["coordinates"] = fc["features"][0]["geometry"]["coordinates"][::-1]
    out.append(("swapped_coordinates.geojson", fc, 1, ["places:gn-1176615: extent:", "swapped"]))

    fc = one("places", "pl-zahedan")
    fc["features"][0]["geometry"]["coordinates"] = [260.86, 29.5]
    out.append(("longitude_out_of_range.geojson", fc, 1, ["places:pl-zahedan: range:"]))

    fc = one("places", "pl-zahedan")
    fc["features"][0]["geometry"]["coordinates"] = [60.123456789, 29.5]
    out.append(("too_many_decimals.geojson", fc, 1, ["places:pl-zahedan: precision:", "60.123456789"]))

    fc = one("border", "border-ne10m")
    c = fc["features"][0]["geometry"]["coordinates"]
    c.insert(1, list(c[1]))
    out.append(("duplicate_vertices.geojson", fc, 1, ["border:border-ne10m: duplicate-vertex:"]))

    fc = one("markets")
    fc["features"][0]["geometry"] = {"type": "Point", "coordinates": []}
    out.append(("empty_geometry.geojson", fc, 1, ["markets:mkt-mand-pishin: empty:"]))

    fc = one("places")
    fc["features"][1]["id"] = fc["features"][0]["id"]
    out.append(("duplicate_ids.geojson", fc, 1, ["places:gn-1176615: duplicate-id:"]))

    fc = one("markets")
    fc["features"][0]["properties"]["status"] = "open for business"
    out.append(("bad_status.geojson", fc, 1, ["markets:mkt-mand-pishin: schema: properties.status"]))

    fc = one("pipeline")
    fc["features"][0]["properties"]["route_accuracy"] = "exact"
    out.append(("bad_route_accuracy.geojson", fc, 1, ["pipeline:pipe-iranshahr-border: schema: properties.route_accuracy"]))

    fc = one("events", "ev-2024-01-16-iran-strike")
    fc["features"][0]["properties"]["event_date"] = "2024-02-30"
    out.append(("impossible_date.geojson", fc, 1, ["events:ev-2024-01-16-iran-strike: schema:", "not a valid date"]))

    fc = one("events", "ev-2024-04-fence")
    fc["features"][0]["properties"]["geo_precision"] = 0
    out.append(("bad_precision_code.geojson", fc, 1, ["events:ev-2024-04-fence: schema: properties.geo_precision"]))

    fc = one("places", "pl-zahedan")
    fc["features"][0]["properties"]["name"] = "<script>alert(document.cookie)</script>"
    out.append(("script_in_text.geojson", fc, 1, ["places:pl-zahedan: markup: properties.name"]))

    fc = one("crossings")
    del fc["features"][0]["properties"]["status"]
    out.append(("missing_property.geojson", fc, 1, ["crossings:xing-taftan-mirjaveh: schema:", "'status' is a required"]))

    fc = one("border", "border-osm")
    fc["features"][0]["properties"]["length_km"] = "1013 km"
    out.append(("wrong_type.geojson", fc, 1, ["border:border-osm: schema: properties.length_km"]))

    fc = one("places", "pl-zahedan")
    fc["features"][0]["geometry"] = {"type": "GeometryCollection", "geometries": []}
    out.append(("geometry_collection.geojson", fc, 1, ["places:pl-zahedan: feature: GeometryCollection"]))

    claims = good_claims()
    claims["claims"][0]["verdict"] = "probably"
    out.append(("claims_bad_verdict.json", claims, 1, ["claims:cl-border-length: schema: verdict"]))

    text = io.dumps(one("markets"))
    out.append(("truncated.geojson", text[: len(text) // 2], 2, ["truncated.geojson line", "invalid JSON"]))
    out.append(("html_page.geojson", "<!doctype html><html><script>alert(1)</script></html>\n", 2,
                ["html_page.geojson line 1 column 1: invalid JSON"]))
    out.append(("not_utf8.geojson", text.replace("Mand-Pishin", "Mand\udcffPishin", 1).encode("utf-8", "surrogateescape"),
                2, ["not_utf8.geojson line 2: not UTF-8"]))
    out.append(("empty.geojson", "", 2, ["empty.geojson: file is empty"]))
    out.append(("bare_feature.geojson", json.dumps(one("markets")["features"][0]) + "\n", 2,
                ["bare_feature.geojson: not a GeoJSON FeatureCollection"]))
    out.append(("nan_coordinate.geojson", text.replace("[61.82,27.3]", "[NaN,27.3]"), 2, ["nan_coordinate.geojson", "NaN"]))
    return out


def main() -> None:
    target = HERE / "geojson"
    target.mkdir(exist_ok=True)
    for old in target.iterdir():
        old.unlink()
    manifest = []
    for name, content, code, words in cases():
        path = target / name
        if isinstance(content, dict):
            data = (io.dumps(content) if "features" in content else io.dumps_json(content)).encode("utf-8")
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        manifest.append({"file": f"geojson/{name}", "exit": code, "stderr": words})
    (HERE / "geojson.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(manifest)} files in {target}")


if __name__ == "__main__":
    main()
