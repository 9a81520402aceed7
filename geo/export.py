"""GIS-ready exports: one GeoPackage with every layer, QGIS styles and metadata; events as CSV.

``exports(layers, claims=...)`` returns file name -> bytes; the pipeline writes them together
with the GeoJSON (all or nothing). Field types come from the layer's JSON Schema
(geo/schemas/): integers as Integer, numbers as Real, booleans as Boolean, and every date
property ``X`` twice: ``X`` as a GeoPackage DATE (null unless the date is a full day) and
``X_iso`` as text keeping partial dates (``2024-01``, ``2024``).

A GeoPackage table holds one geometry type, so a layer mixing points, lines and areas
(events, pipeline) is split into ``<layer>_point``, ``<layer>_line``, ``<layer>_area``;
events always get all three tables. Styles (geo/styles/<layer>.qml) go into the
``layer_styles`` table (QGIS loads the row with useAsDefault=1) and next to the GeoJSON as
``<layer>.qml``. Layer metadata (title, description, sources, licence, attribution) is written
twice: as GDAL metadata and as QGIS layer metadata (.qmd XML in ``gpkg_metadata``).

Determinism: GDAL stamps ``gpkg_contents.last_change`` with the current time unless the
``OGR_CURRENT_DATE`` config option is set; we set it to ``EXPORT_TIMESTAMP`` (or the
``SOURCE_DATE_EPOCH`` environment variable, as reproducible-builds.org suggests). Everything
else GDAL writes is a function of the input, so two exports are byte-identical (tested).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from geo import validate

GPKG_NAME = "frontier.gpkg"
EVENTS_CSV = "events.csv"
#: Fixed timestamp written where GDAL/QGIS want "last change" times (gpkg_contents, layer_styles).
EXPORT_TIMESTAMP = "2024-04-24T00:00:00.000Z"
#: Layers whose geometry families are always split into _point/_line/_area tables.
ALWAYS_SPLIT = ("events",)
CRS = "EPSG:4326"
_FAMILY = {
    "Point": "point", "MultiPoint": "point",
    "LineString": "line", "MultiLineString": "line",
    "Polygon": "area", "MultiPolygon": "area",
}
_FAMILIES = ("point", "line", "area")
_QML_SYMBOL = {"point": "marker", "line": "line", "area": "fill"}
_QML_GEOMTYPE = {"point": "0", "line": "1", "area": "2"}
_SINGLE = {"point": "Point", "line": "LineString", "area": "Polygon"}


def _timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return EXPORT_TIMESTAMP


# ---------------------------------------------------------------- fields


def field_plan(layer: str, features: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """``[(field name, kind, property)]`` for ``layer``; kind: str, int, float, bool, date, date_iso.

    Known layers follow their schema (types do not depend on the data, so the GeoPackage's
    table definitions never change between builds); unknown layers are inferred.
    """
    plan: list[tuple[str, str, str]] = [("id", "str", "")]
    if layer in validate.LAYER_NAMES or layer == "claims":
        sch = validate.schema(layer)
        props = (sch["properties"]["claims"]["items"]["properties"] if layer == "claims"
                 else sch["properties"]["properties"]["properties"])
        for name, spec in props.items():
            if layer == "claims" and name == "id":
                continue
            types = spec.get("type", "string")
            types = [types] if isinstance(types, str) else list(types)
            if spec.get("format") == "partial-date":
                plan += [(name, "date", name), (f"{name}_iso", "date_iso", name)]
            elif "integer" in types:
                plan.append((name, "int", name))
            elif "number" in types and "string" not in types:
                plan.append((name, "float", name))
            elif "boolean" in types:
                plan.append((name, "bool", name))
            else:
                plan.append((name, "str", name))
        return plan
    seen: dict[str, str] = {}
    for f in features:
        for k, v in (f.get("properties") or {}).items():
            if v is None:
                seen.setdefault(k, "")
                continue
            kind = ("bool" if isinstance(v, bool) else "int" if isinstance(v, int)
                    else "float" if isinstance(v, float) else "str")
            old = seen.get(k) or kind
            seen[k] = kind if old == kind else ("float" if {old, kind} == {"int", "float"} else "str")
    return plan + [(k, v or "str", k) for k, v in seen.items()]


def _column(kind: str, values: list[Any]) -> tuple[Any, Any]:
    import numpy as np

    if kind in ("str", "date_iso"):
        out = np.array([None if v is None else (";".join(v) if isinstance(v, list) else str(v)) for v in values],
                       dtype=object)
        return out, None
    if kind == "date":
        days = []
        for v in values:
            day = None
            if isinstance(v, str):
                try:
                    first, _, prec = validate.parse_partial_date(v)
                    day = first.isoformat() if prec == "day" else None
                except ValueError:
                    day = None
            days.append(day or "NaT")
        return np.array(days, dtype="datetime64[D]"), None
    if kind == "int":
        mask = np.array([v is None for v in values], dtype=bool)
        return np.array([0 if v is None else int(v) for v in values], dtype="int64"), mask
    if kind == "float":
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64"), None
    if kind == "bool":
        mask = np.array([v is None for v in values], dtype=bool)
        return np.array([bool(v) for v in values], dtype=bool), mask
    raise AssertionError(kind)


# ---------------------------------------------------------------- tables


def tables(layers: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, str | None, list[dict[str, Any]]]]:
    """``[(table, layer, geometry family or None, features)]`` in a fixed order."""
    out = []
    for layer in [n for n in validate.LAYER_NAMES if n in layers] + sorted(set(layers) - set(validate.LAYER_NAMES)):
        feats = list(layers[layer].get("features", []))
        fams = {_FAMILY.get((f.get("geometry") or {}).get("type", ""), "") for f in feats} - {""}
        if layer in ALWAYS_SPLIT or len(fams) > 1:
            for fam in _FAMILIES:
                if fam in fams or layer in ALWAYS_SPLIT:
                    sub = [f for f in feats if _FAMILY.get((f.get("geometry") or {}).get("type", "")) == fam]
                    out.append((f"{layer}_{fam}", layer, fam, sub))
        else:
            out.append((layer, layer, next(iter(fams)) if fams else None, feats))
    return out


def _geometry_column(family: str | None, feats: list[dict[str, Any]]) -> tuple[Any, str]:
    import numpy as np
    import shapely
    from shapely.geometry import shape

    geoms = [shape(f["geometry"]) for f in feats]
    single = _SINGLE.get(family or "", "Unknown")
    if any(g.geom_type.startswith("Multi") for g in geoms):
        geoms = [g if g.geom_type.startswith("Multi") else
                 getattr(shapely, "Multi" + g.geom_type)([g]) for g in geoms]
        single = "Multi" + single
    return shapely.to_wkb(np.array(geoms, dtype=object), output_dimension=2, byte_order=1), single


def _metadata(fc: Mapping[str, Any], layer: str) -> dict[str, str]:
    meta = fc.get("metadata") or {}
    return {
        "TITLE": str(meta.get("title", layer)),
        "DESCRIPTION": str(meta.get("description", "")),
        "SOURCE": "; ".join(str(s) for s in meta.get("sources", [])),
        "LICENSE": str(meta.get("license", "")),
        "ATTRIBUTION": str(meta.get("attribution", "")),
        "GENERATED_BY": str(meta.get("generated_by", "")),
        "GEOJSON": f"{layer}.geojson",
    }


def _write_table(path: str, table: str, layer: str, family: str | None, feats: list[dict[str, Any]],
                 fc: Mapping[str, Any], *, append: bool, used: set[str]) -> None:
    from pyogrio import raw

    plan = field_plan(layer, feats)
    names, data, masks = [], [], []
    for fname, kind, prop in plan:
        values = [f.get("id") if kind == "str" and not prop else (f.get("properties") or {}).get(prop)
                  for f in feats]
        arr, mask = _column(kind, values)
        names.append(fname)
        data.append(arr)
        masks.append(mask)
    meta = _metadata(fc, layer)
    ident = meta["TITLE"] + (f" ({family}s)" if table != layer else "")
    if ident in used:  # gpkg_contents.identifier is UNIQUE
        ident = f"{ident} [{table}]"
    used.add(ident)
    geometry, gtype = _geometry_column(family, feats)
    raw.write(
        path, geometry, data, names, field_mask=masks, layer=table, driver="GPKG", geometry_type=gtype,
        crs=CRS, append=append, layer_metadata=meta,
        layer_options={"IDENTIFIER": ident, "DESCRIPTION": meta["DESCRIPTION"],
                       "SPATIAL_INDEX": "YES", "FID": "fid", "GEOMETRY_NAME": "geom"},
    )


def _write_claims(path: str, claims: Mapping[str, Any]) -> None:
    from pyogrio import raw

    items = [c for c in claims.get("claims", []) if isinstance(c, dict)]
    feats = [{"id": c.get("id"), "properties": c} for c in items]
    names, data, masks = [], [], []
    for fname, kind, prop in field_plan("claims", feats):
        values = [f["id"] if not prop else f["properties"].get(prop) for f in feats]
        arr, mask = _column(kind, values)
        names.append(fname)
        data.append(arr)
        masks.append(mask)
    raw.write(path, None, data, names, field_mask=masks, layer="claims", driver="GPKG", append=True,
              layer_metadata={"TITLE": "Claims ledger", "DESCRIPTION": "Each claim of the article, what the "
                              "sources say, a verdict and any measured value (layers/claims.json).",
                              "GEOJSON": "claims.json"},
              layer_options={"IDENTIFIER": "Claims ledger", "DESCRIPTION": "Claims of the article with verdicts",
                             "FID": "fid"})


def _write_styles(path: str, entries: list[tuple[str, str, str]]) -> None:
    """The QGIS ``layer_styles`` table: one default style per feature table."""
    import numpy as np
    from pyogrio import raw

    n = len(entries)
    stamp = np.array([_timestamp()[:19]] * n, dtype="datetime64[ms]")
    cols = {
        "f_table_catalog": np.array([""] * n, dtype=object),
        "f_table_schema": np.array([""] * n, dtype=object),
        "f_table_name": np.array([e[0] for e in entries], dtype=object),
        "f_geometry_column": np.array(["geom"] * n, dtype=object),
        "styleName": np.array([e[1] for e in entries], dtype=object),
        "styleQML": np.array([e[2] for e in entries], dtype=object),
        "styleSLD": np.array([""] * n, dtype=object),
        "useAsDefault": np.array([True] * n, dtype=bool),
        "description": np.array([f"Default style of {e[0]}, matching the web map" for e in entries], dtype=object),
        "owner": np.array([""] * n, dtype=object),
        "ui": np.array([None] * n, dtype=object),
        "update_time": stamp,
    }
    raw.write(path, None, list(cols.values()), list(cols), layer="layer_styles", driver="GPKG", append=True,
              layer_options={"FID": "id"})


def _qgis_metadata_xml(table: str, fc: Mapping[str, Any], title_suffix: str) -> str:
    """QGIS layer metadata (the .qmd format) for one table: title, abstract, licence, rights."""
    from xml.sax.saxutils import escape

    meta = fc.get("metadata") or {}
    sources = ", ".join(str(x) for x in meta.get("sources", []))
    abstract = str(meta.get("description", ""))
    if sources:
        abstract += f"\n\nSources (ids of seeds/sources.csv): {sources}."
    attribution = str(meta.get("attribution", ""))
    parts = [
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>",
        '<qgis version="3.22.0">',
        f"  <identifier>{escape(table)}</identifier>",
        "  <parentidentifier>Iran-Pakistan frontier atlas</parentidentifier>",
        "  <language>en</language>",
        "  <type>dataset</type>",
        f"  <title>{escape(str(meta.get('title', table)) + title_suffix)}</title>",
        f"  <abstract>{escape(abstract)}</abstract>",
        "  <links/>",
        "  <fees></fees>",
        f'  <constraints type="Attribution">{escape(attribution)}</constraints>',
        f"  <rights>{escape(attribution)}</rights>",
        f"  <license>{escape(str(meta.get('license', '')))}</license>",
        "  <encoding>UTF-8</encoding>",
        "  <crs><spatialrefsys><authid>EPSG:4326</authid></spatialrefsys></crs>",
        f"  <history>{escape(str(meta.get('generated_by', '')))}</history>",
        "</qgis>",
    ]
    return "\n".join(parts) + "\n"


def _write_qgis_metadata(path: str, entries: list[tuple[str, str]]) -> None:
    """Add QGIS layer metadata rows (gpkg_metadata + gpkg_metadata_reference, scope 'table').

    GDAL keeps its own metadata there too (md_standard_uri http://gdal.org); QGIS reads the
    rows whose md_standard_uri is http://mrcc.com/qgis.dtd as the layer's metadata. Written with
    Python's sqlite3 in a fixed order with a fixed timestamp, so the bytes stay reproducible.
    """
    import sqlite3

    con = sqlite3.connect(path)
    try:
        with con:
            for table, xml in entries:
                cur = con.execute(
                    "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                    "VALUES ('dataset', 'http://mrcc.com/qgis.dtd', 'text/xml', ?)", (xml,))
                con.execute(
                    "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, "
                    "timestamp, md_file_id, md_parent_id) VALUES ('table', ?, NULL, NULL, ?, ?, NULL)",
                    (table, _timestamp(), cur.lastrowid))
    finally:
        con.close()


# ---------------------------------------------------------------- styles


def style_qml(layer: str) -> str | None:
    """The shipped QGIS style geo/styles/<layer>.qml, or None when there is none."""
    res = resources.files("geo").joinpath("styles", f"{layer}.qml")
    return res.read_text(encoding="utf-8") if res.is_file() else None


def style_for_family(qml: str, family: str | None) -> str:
    """Keep only the rules (and symbols) of a rule-based style that draw ``family`` geometries.

    QGIS draws a marker symbol only on points, a line symbol only on lines: the GeoJSON
    sidecar holds every rule, each split GeoPackage table gets its own subset.
    """
    if family is None or "RuleRenderer" not in qml:
        return qml
    head, _, _ = qml.partition("<qgis")
    root = ET.fromstring(qml[len(head):])
    renderer = root.find("renderer-v2")
    symbols = renderer.find("symbols") if renderer is not None else None
    rules = renderer.find("rules") if renderer is not None else None
    if symbols is None or rules is None:
        return qml
    want = _QML_SYMBOL[family]
    keep = {s.get("name") for s in symbols.findall("symbol") if s.get("type") == want}

    def prune(parent: ET.Element) -> None:
        for rule in list(parent.findall("rule")):
            prune(rule)
            sym = rule.get("symbol")
            if (sym is not None and sym not in keep) or (sym is None and not rule.findall("rule")):
                parent.remove(rule)

    prune(rules)
    for s in list(symbols.findall("symbol")):
        if s.get("name") not in keep:
            symbols.remove(s)
    gt = root.find("layerGeometryType")
    if gt is None:
        gt = ET.SubElement(root, "layerGeometryType")
    gt.text = _QML_GEOMTYPE[family]
    ET.indent(root, space=" ")
    return head + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------- outputs


def gpkg_bytes(layers: Mapping[str, Mapping[str, Any]], *, claims: Mapping[str, Any] | None = None) -> bytes:
    """Every layer (and the claims ledger) in one GeoPackage, styled, with metadata; its bytes."""
    import pyogrio

    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _timestamp()})
    try:
        with tempfile.TemporaryDirectory(prefix="geo-gpkg-") as tmp:
            path = str(Path(tmp) / GPKG_NAME)
            styles: list[tuple[str, str, str]] = []
            qmd: list[tuple[str, str]] = []
            first = True
            used: set[str] = set()
            for table, layer, family, feats in tables(layers):
                _write_table(path, table, layer, family, feats, layers[layer], append=not first, used=used)
                first = False
                qmd.append((table, _qgis_metadata_xml(table, layers[layer], f" ({family}s)" if table != layer else "")))
                qml = style_qml(layer)
                if qml is not None:
                    styles.append((table, f"{layer} (atlas default)", style_for_family(qml, family)))
            if first:
                return b""
            if claims is not None:
                _write_claims(path, claims)
            if styles:
                _write_styles(path, styles)
            _write_qgis_metadata(path, qmd)
            return Path(path).read_bytes()
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})


def events_csv(fc: Mapping[str, Any]) -> bytes:
    """Events as CSV: id, geometry type, a point (lon/lat: the point, else a point on the geometry),
    every property in schema order (dates as ISO text), and the full geometry as WKT."""
    import shapely
    from shapely.geometry import shape

    feats = list(fc.get("features", []))
    props = validate.property_names("events")
    extra = sorted({k for f in feats for k in (f.get("properties") or {})} - set(props))
    cols = ["id", "geometry_type", "lon", "lat", *props, *extra, "wkt"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for f in feats:
        g = shape(f["geometry"])
        pt = g if g.geom_type == "Point" else g.representative_point()
        p = f.get("properties") or {}
        row: list[Any] = [f.get("id"), g.geom_type, _num(round(pt.x, 6)), _num(round(pt.y, 6))]
        for k in [*props, *extra]:
            v = p.get(k)
            row.append("" if v is None else "true" if v is True else "false" if v is False
                       else ";".join(map(str, v)) if isinstance(v, list) else _num(v) if isinstance(v, float) else v)
        row.append(shapely.to_wkt(g, rounding_precision=6, trim=True))
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


def _num(x: float) -> str:
    return repr(x + 0.0)


def exports(layers: Mapping[str, Mapping[str, Any]], *, claims: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    """File name (relative to layers/) -> bytes: frontier.gpkg, events.csv, <layer>.qml."""
    files: dict[str, bytes] = {}
    data = gpkg_bytes(layers, claims=claims)
    if data:
        files[GPKG_NAME] = data
    if "events" in layers:
        files[EVENTS_CSV] = events_csv(layers["events"])
    for layer in layers:
        qml = style_qml(layer)
        if qml is not None:
            files[f"{layer}.qml"] = qml.encode("utf-8")
    return files
