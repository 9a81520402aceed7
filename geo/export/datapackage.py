"""layers/datapackage.json (a Frictionless Data Package) and docs/data-dictionary.md, from the JSON Schemas.

Both are generated from the same definitions as the layers: the field plan of each layer
(geo/export/gpkg.py ``field_plan``, itself read from geo/schemas/*.json: names, types, enums, ranges,
``description`` and ``unit``), the catalog (geo/catalog.py: titles, licences, attributions) and
seeds/sources.csv (the sources each layer cites). So the package, the dictionary, the
GeoPackage and the GeoParquet files cannot describe different fields.

Resources: every layer as its GeoParquet file (tabular: Frictionless reads and checks every row
against the field list), the claims ledger (JSON, rows under ``claims``), events.csv (tabular),
and the other files of the release (GeoJSON, FlatGeobuf, GeoPackage, KML) as plain files with
their size and sha256, so `frictionless validate layers/datapackage.json` checks all of them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo import catalog, release
from geo.version import DATA_VERSION

NAME = "datapackage.json"
DICTIONARY = Path("docs") / "data-dictionary.md"
PACKAGE_NAME = "iran-pakistan-frontier-atlas"
_TYPES = {"str": "string", "date_iso": "string", "date": "date", "int16": "integer", "int32": "integer",
          "int": "integer", "float": "number", "bool": "boolean"}
_MEDIA = {"geojson": "application/geo+json", "fgb": "application/flatgeobuf", "gpkg": "application/geopackage+sqlite3",
          "kml": "application/vnd.google-earth.kml+xml", "parquet": "application/vnd.apache.parquet",
          "csv": "text/csv", "json": "application/json"}


def _spec_props(layer: str) -> dict[str, dict[str, Any]]:
    if layer == "claims":
        return catalog.fields("claims")
    return {"id": catalog.schema(layer)["properties"]["id"], **catalog.fields(layer)}


def _license(spdx: str) -> dict[str, str]:
    title, url = catalog.LICENSES[spdx]
    return {"name": spdx, "path": url, "title": title}


def _field(name: str, kind: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A Table Schema field from one entry of the field plan and its JSON Schema property."""
    types = spec.get("type", "string")
    types = [types] if isinstance(types, str) else list(types)
    desc = str(spec.get("description", ""))
    f: dict[str, Any] = {"name": name, "type": _TYPES.get(kind, "string")}
    if "array" in types:
        f["type"] = "array"
    if kind == "date":
        desc += " As a calendar date: null unless the date is a full day (see the _iso field)."
    elif kind == "date_iso":
        desc += " As ISO text, keeping partial dates (YYYY, YYYY-MM)."
    f["description"] = desc.strip()
    if spec.get("unit"):
        f["unit"] = spec["unit"]
    c: dict[str, Any] = {}
    if "null" not in types and kind != "date":  # the date form of a partial date is null
        c["required"] = True
    enum = [v for v in spec.get("enum", []) if v is not None]
    if enum and kind not in ("date",):
        c["enum"] = enum
    for key in ("minimum", "maximum"):
        if key in spec and f["type"] in ("integer", "number"):
            c[key] = spec[key]
    if "pattern" in spec and f["type"] == "string" and kind != "date":
        c["pattern"] = str(spec["pattern"]).removeprefix("^").removesuffix("$")
    if c:
        f["constraints"] = c
    return f


def layer_fields(layer: str) -> list[dict[str, Any]]:
    """Table Schema fields of a layer in file order (as written to GeoPackage and GeoParquet)."""
    from geo.export import gpkg as export
    props = _spec_props(layer)
    out = []
    for fname, kind, prop in export.field_plan(layer, []):
        out.append(_field(fname, kind, props.get(prop or "id", {})))
    return out


def _kind(spec: Mapping[str, Any]) -> str:
    """Field-plan kind of a JSON Schema property kept as it is (dates as ISO text)."""
    t = str(spec.get("type"))
    return ("date_iso" if spec.get("format") == "partial-date" else "int32" if "integer" in t
            else "float" if "number" in t else "bool" if "boolean" in t else "str")


def _claims_fields() -> list[dict[str, Any]]:
    return [_field(name, _kind(spec), spec) for name, spec in _spec_props("claims").items()]


def _csv_fields() -> list[dict[str, Any]]:
    props = _spec_props("events")
    fields = [_field("id", "str", props["id"]),
              {"name": "geometry_type", "type": "string", "description": "GeoJSON geometry type of the event.",
               "constraints": {"required": True}},
              {"name": "lon", "type": "number", "unit": "degrees", "description":
               "Longitude (WGS84) of the event's point: the point, the first of several, or a point on the line/area.",
               "constraints": {"required": True}},
              {"name": "lat", "type": "number", "unit": "degrees", "description": "Latitude (WGS84) of that point.",
               "constraints": {"required": True}}]
    for name in catalog.property_names("events"):
        spec = props[name]
        kind = _kind(spec)
        f = _field(name, kind, spec)
        if kind == "date_iso":
            f["description"] = str(spec.get("description", ""))
        fields.append(f)
    fields += [{"name": "wkt", "type": "string", "description": "The geometry as WKT (WGS84 lon/lat, 6 decimals).",
                "constraints": {"required": True}},
               {"name": "wkt_simplified_m", "type": "number", "unit": "m", "description":
                "Simplification tolerance applied so the WKT fits a spreadsheet cell (0 = exact)."},
               {"name": "license", "type": "string", "description": "SPDX id of the data licence of this row.",
                "constraints": {"required": True}},
               {"name": "data_version", "type": "string", "description": "Data release version of this row.",
                "constraints": {"required": True}}]
    return fields


def _sources(ids: list[str], sources: Mapping[str, Mapping[str, Any]]) -> list[dict[str, str]]:
    out = []
    for sid in ids:
        row = sources.get(sid) or {}
        item = {"title": f"{sid}: {row.get('title') or sid}"}
        if row.get("url"):
            item["path"] = str(row["url"])
        out.append(item)
    return out


def _file(path: str, data: bytes, **extra: Any) -> dict[str, Any]:
    ext = path.rsplit(".", 1)[-1]
    res: dict[str, Any] = {"name": path.replace(".", "-").replace("_", "-").lower(), "path": path, "format": ext,
                           "mediatype": _MEDIA.get(ext, "application/octet-stream"),
                           "bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
    res.update(extra)
    return res


def package(layers: Mapping[str, Mapping[str, Any]], claims: Mapping[str, Any] | None,
            files: Mapping[str, bytes], sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The data package describing ``files`` (name under layers/ -> bytes)."""
    resources: list[dict[str, Any]] = []
    used: list[str] = []
    for name in [n for n in catalog.names() if n in layers]:
        lyr = catalog.get(name)
        meta = layers[name].get("metadata") or {}
        used.append(lyr.license)
        title = str(meta.get("title", lyr.title))
        common: dict[str, Any] = {"title": title, "licenses": [_license(lyr.license)],
                  "sources": _sources(list(meta.get("sources") or []), sources)}
        pq = f"{name}.parquet"
        if pq in files:
            fields = layer_fields(name) + [
                {"name": "geometry", "type": "any", "description": "Geometry as ISO WKB (WGS84 lon/lat, OGC:CRS84)."},
                {"name": "bbox", "type": "object", "description": "Bounding box of the geometry (GeoParquet 1.1 covering)."}]
            # Frictionless reads Parquet through pandas, which turns nulls into NaN: NaN is a missing
            # value here; it reports no byte count for Parquet, so bytes/hash are left to the plain files
            res = _file(pq, files[pq], **common, description=release.description(name, title),
                        schema={"fields": fields, "primaryKey": ["id"], "missingValues": ["", "nan"]})
            res["name"] = name
            del res["bytes"], res["hash"]
            resources.append(res)
        for ext in ("geojson", "fgb"):
            fname = f"{name}.{ext}"
            if fname in files:  # the same data: its fields and sources are those of the `name` resource
                resources.append(_file(fname, files[fname], title=f"{title} ({ext})",
                                       licenses=common["licenses"],
                                       description=f"{title} as {ext.upper()}: the same features as the "
                                       f"{name!r} resource (its fields and sources)."))
    if claims is not None and "claims.json" in files:
        used.append(catalog.CLAIMS_LICENSE)
        ids = sorted({s for c in claims.get("claims", []) for s in str(c.get("sources", "")).split(";") if s})
        res = _file("claims.json", files["claims.json"], title="Claims ledger",
                    description=release.description("claims", "Claims ledger"),
                    licenses=[_license(catalog.CLAIMS_LICENSE)], sources=_sources(ids, sources),
                    dialect={"json": {"property": "claims", "keyed": True}},
                    schema={"fields": _claims_fields(), "primaryKey": ["id"], "missingValues": []})
        res["name"] = "claims"
        del res["bytes"], res["hash"]  # not counted by Frictionless' JSON reader
        res["type"] = "table"
        resources.append(res)
    if "events.csv" in files:
        ev = layers.get("events", {}).get("metadata") or {}
        res = _file("events.csv", files["events.csv"], title="Events (CSV with WKT)",
                    description="The events layer as CSV for spreadsheets: one row per event, a point, every "
                    "property, the geometry as WKT, and each row's licence and data version.",
                    licenses=[_license(catalog.get("events").license)],
                    sources=_sources(list(ev.get("sources") or []), sources),
                    dialect={"csv": {"header": True, "delimiter": ","}},
                    schema={"fields": _csv_fields(), "primaryKey": ["id"]})
        res["name"] = "events-csv"
        resources.append(res)
    for fname in sorted(files):
        if fname.endswith((".gpkg", ".kml")):
            resources.append(_file(fname, files[fname], title=fname,
                                   description="Every layer and the claims table in one GeoPackage 1.2 with QGIS styles"
                                   if fname.endswith(".gpkg") else "The story (border, pipeline, markets, crossings, "
                                   "events) for Google Earth.",
                                   licenses=[_license(x) for x in sorted(set(used))]))
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": PACKAGE_NAME,
        "title": "Iran–Pakistan frontier atlas",
        "description": "An exact, sourced atlas of the Iran–Pakistan frontier: border, provinces, the gas pipeline, "
        "border markets and crossings, places and the events one news article reports, with a claims ledger. "
        "Each resource states its licence: ODbL 1.0 (share-alike) for layers with OpenStreetMap-derived "
        "geometry, CC BY 4.0 for GeoNames- and GEM-derived data compiled by the atlas, public domain for "
        "Natural Earth.",
        "version": DATA_VERSION,
        "licenses": [_license(x) for x in sorted(set(used))],
        "keywords": ["Iran", "Pakistan", "border", "Balochistan", "gas pipeline", "GIS"],
        "resources": resources,
    }


def dumps(pkg: Mapping[str, Any]) -> str:
    return json.dumps(pkg, ensure_ascii=False, indent=1) + "\n"


# ---------------------------------------------------------------------------- data dictionary
def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def dictionary_markdown() -> str:
    """docs/data-dictionary.md: every layer's and table's fields (type, unit, allowed values, meaning)."""
    lines = [
        "# Data dictionary",
        "",
        f"Generated by `python -m geo.export.datapackage` from geo/schemas/*.json (data version {DATA_VERSION}); do not edit by hand:",
        "`layers/datapackage.json` is generated from the same definitions. Field names and types are those of",
        "the GeoPackage and GeoParquet files (a date `X` is a calendar date, null unless the date is a full",
        "day; `X_iso` keeps partial dates as ISO text; the GeoJSON files hold only `X`, as ISO text).",
        "",
    ]
    for name in [*catalog.names(), "claims"]:
        if name == "claims":
            title, spdx, fields = "Claims ledger (layers/claims.json, GeoPackage table claims)", \
                catalog.CLAIMS_LICENSE, _claims_fields()
        else:
            lyr = catalog.get(name)
            title, spdx, fields = f"{lyr.title} (`{name}`)", lyr.license, layer_fields(name)
        lines += [f"## {title}", "", f"Licence: {catalog.license_statement(spdx)}.", "",
                  "| field | type | unit | allowed values | description |", "|---|---|---|---|---|"]
        for f in fields:
            c = f.get("constraints", {})
            allowed = ", ".join(f"`{v}`" for v in c.get("enum", []))
            if not allowed and ("minimum" in c or "maximum" in c):
                allowed = f"{c.get('minimum', '')}..{c.get('maximum', '')}"
            typ = f["type"] + ("" if c.get("required") else ", nullable")
            lines.append(f"| `{f['name']}` | {typ} | {_cell(f.get('unit', ''))} | {_cell(allowed)} | "
                         f"{_cell(f.get('description', ''))} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    """`python -m geo.export.datapackage`: rewrite docs/data-dictionary.md from the schemas."""
    from geo import settings

    path = settings.ROOT / DICTIONARY
    path.write_text(dictionary_markdown(), encoding="utf-8")
    print(f"{path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
