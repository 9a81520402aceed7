"""More release formats from the same build: GeoParquet 1.1 and FlatGeobuf per layer, a KML of the story.

Every format reads the same field plan as the GeoPackage (geo/fields.py ``field_plan``, from the
JSON Schemas), so a field has the same name and type everywhere: integers as Int16/Int32, numbers
as float64, booleans as booleans, and every date property ``X`` twice, ``X`` as a calendar date
(null unless the date is a full day) and ``X_iso`` as text that keeps partial dates (``2024-01``).
FlatGeobuf has no date-only type, so there ``X`` is a DateTime at 00:00 (GDAL's mapping).

Each file carries the layer's title, licence, attribution and the data version (geo/version.py):
GeoParquet in its key-value metadata (``license``, ``attribution``, ``data_version``) beside the
``geo`` key, FlatGeobuf in its header's title/description/metadata, KML in the document's and each
folder's description. All bytes are a function of the input (tested by building twice).

GeoParquet: WKB geometry column ``geometry`` (ISO WKB, little endian), a ``bbox`` covering column
(GeoParquet 1.1), CRS as PROJJSON of OGC:CRS84 (longitude, latitude), zstd compression,
``ROW_GROUP_SIZE`` rows per row group so readers can stream big files.

KML: written with ElementTree rather than GDAL: GDAL's KML writers make one dataset per call
(no appending folders), and the story needs one document with a folder per layer, a
``TimeStamp``/``TimeSpan`` per event (KML's ``when`` takes ``YYYY``, ``YYYY-MM`` and
``YYYY-MM-DD``, the atlas's partial dates as they are) and the palette's colours.
"""

from __future__ import annotations

import io
import json
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo import catalog, release
from geo import fields as fieldplan
from geo import palette as pal
from geo.version import DATA_VERSION

#: Rows per Parquet row group (the unit `geo lengths` streams by).
ROW_GROUP_SIZE = 1024
#: Layers in the KML story, drawn in this order (later on top).
KML_LAYERS: tuple[str, ...] = ("border", "pipeline", "markets", "crossings", "events")
KML_NAME = "frontier-story.kml"
_KML_NS = "http://www.opengis.net/kml/2.2"


def _meta(name: str, fc: Mapping[str, Any]) -> dict[str, str]:
    meta = fc.get("metadata") or {}
    return {
        "title": str(meta.get("title", name)),
        "description": str(fc.get("description") or meta.get("description", "")),
        "license": str(meta.get("license", "")),
        "license_id": str(meta.get("license_id", "")),
        "attribution": str(meta.get("attribution", "")),
        "data_version": DATA_VERSION,
    }


def _descriptions(layer: str) -> dict[str, str]:
    """Property -> description from the layer's JSON Schema (empty for unknown layers)."""
    if not catalog.has(layer):
        return {}
    props = catalog.fields(layer)
    return {k: str(v.get("description", "")) for k, v in props.items()}


# ---------------------------------------------------------------------------- GeoParquet
def _arrow_type(kind: str) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return {"str": pa.string(), "date_iso": pa.string(), "date": pa.date32(), "int16": pa.int16(),
            "int32": pa.int32(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}[kind]


def geoparquet_bytes(name: str, fc: Mapping[str, Any]) -> bytes:
    """One layer as GeoParquet 1.1 (WKB, bbox covering, CRS84), with licence and version metadata."""
    import numpy as np
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]
    import shapely  # type: ignore[import-untyped]
    from pyproj import CRS
    from shapely.geometry import shape  # type: ignore[import-untyped]


    feats = list(fc.get("features", []))
    plan = fieldplan.field_plan(name, feats)
    descr = _descriptions(name)
    arrays, fields = [], []
    for fname, kind, prop in plan:
        values = [f.get("id") if not prop else (f.get("properties") or {}).get(prop) for f in feats]
        data, mask = fieldplan.column(kind, values)  # same values as the GeoPackage
        if kind == "date":
            arr = pa.array(data, type=pa.date32(), from_pandas=True)
        elif mask is not None:
            arr = pa.array(data, type=_arrow_type(kind), mask=mask)
        elif kind == "float":
            arr = pa.array(data, type=pa.float64(), from_pandas=True)  # NaN = null
        else:
            arr = pa.array(list(data), type=_arrow_type(kind))
        text = descr.get(prop, "") if prop else "Feature id (the GeoJSON id member)."
        if kind == "date_iso":
            text = f"{descr.get(prop, '')} As ISO text, keeping partial dates (YYYY, YYYY-MM).".strip()
        elif kind == "date":
            text = f"{descr.get(prop, '')} As a calendar date; null unless the date is a full day.".strip()
        fields.append(pa.field(fname, arr.type, metadata={"description": text} if text else None))
        arrays.append(arr)
    geoms = [shape(f["geometry"]) for f in feats]
    wkb = shapely.to_wkb(np.array(geoms, dtype=object), output_dimension=2, byte_order=1, flavor="iso")
    bounds = shapely.bounds(np.array(geoms, dtype=object)) if geoms else np.zeros((0, 4))
    bbox = pa.StructArray.from_arrays([pa.array(bounds[:, i], type=pa.float64()) for i in range(4)],
                                      names=["xmin", "ymin", "xmax", "ymax"])
    fields += [pa.field("geometry", pa.binary()), pa.field("bbox", bbox.type)]
    arrays += [pa.array(list(wkb), type=pa.binary()), bbox]
    total = ([float(bounds[:, 0].min()), float(bounds[:, 1].min()), float(bounds[:, 2].max()),
              float(bounds[:, 3].max())] if geoms else [])
    geo = {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": {
            "encoding": "WKB",
            "geometry_types": sorted({g.geom_type for g in geoms}),
            "crs": CRS("OGC:CRS84").to_json_dict(),
            "edges": "planar",
            "bbox": total,
            "covering": {"bbox": {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")}},
        }},
    }
    meta = {"geo": json.dumps(geo, separators=(",", ":")), **_meta(name, fc)}
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=ROW_GROUP_SIZE, write_statistics=True)
    return buf.getvalue()


def table_parquet_bytes(name: str, rows: list[dict[str, Any]]) -> bytes:
    """A table without geometry (the articles table) as plain Parquet: the field plan's columns and
    types, each column's description, and the table's licence and data version in the metadata."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    feats = [{"id": None, "properties": r} for r in rows]
    descr = {k: str(v.get("description", "")) for k, v in catalog.fields(name).items()}
    arrays, fields = [], []
    for fname, kind, prop in fieldplan.field_plan(name, feats):
        data, mask = fieldplan.column(kind, [f["properties"].get(prop) for f in feats])
        if kind == "date":
            arr = pa.array(data, type=pa.date32(), from_pandas=True)
        elif mask is not None:
            arr = pa.array(data, type=_arrow_type(kind), mask=mask)
        else:
            arr = pa.array(list(data), type=_arrow_type(kind))
        text = descr.get(prop, "")
        if kind == "date_iso":
            text = f"{text} As ISO text, keeping partial dates (YYYY, YYYY-MM).".strip()
        elif kind == "date":
            text = f"{text} As a calendar date; null unless the date is a full day.".strip()
        fields.append(pa.field(fname, arr.type, metadata={"description": text} if text else None))
        arrays.append(arr)
    spdx, statement, attribution, _ = release.layer_license(name)
    meta = {"title": "Articles", "description": release.description(name, "Articles"), "license": statement,
            "license_id": spdx, "attribution": attribution, "data_version": DATA_VERSION}
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=ROW_GROUP_SIZE, write_statistics=True)
    return buf.getvalue()


# ---------------------------------------------------------------------------- FlatGeobuf
def flatgeobuf_bytes(name: str, fc: Mapping[str, Any]) -> bytes:
    """One layer as FlatGeobuf (spatial index on), licence and version in the header metadata."""
    from pyogrio import raw  # type: ignore[import-untyped]


    feats = list(fc.get("features", []))
    plan = fieldplan.field_plan(name, feats)
    names, data, masks = [], [], []
    for fname, kind, prop in plan:
        values = [f.get("id") if not prop else (f.get("properties") or {}).get(prop) for f in feats]
        arr, mask = fieldplan.column(kind, values)
        names.append(fname)
        data.append(arr)
        masks.append(mask)
    fams = {fieldplan._FAMILY.get((f.get("geometry") or {}).get("type", "")) for f in feats} - {None}
    if len(fams) == 1:
        geometry, gtype = fieldplan.geometry_column(next(iter(fams)), feats)
    else:  # a layer mixing points, lines and areas: FlatGeobuf's "Unknown" (any) geometry type
        import numpy as np
        import shapely  # type: ignore[import-untyped]
        from shapely.geometry import shape  # type: ignore[import-untyped]

        geometry = shapely.to_wkb(np.array([shape(f["geometry"]) for f in feats], dtype=object),
                                  output_dimension=2, byte_order=1)
        gtype = "Unknown"
    meta = _meta(name, fc)
    with tempfile.TemporaryDirectory(prefix="geo-fgb-") as tmp:
        path = str(Path(tmp) / f"{name}.fgb")
        raw.write(path, geometry, data, names, field_mask=masks, layer=name, driver="FlatGeobuf",
                  geometry_type=gtype, crs=fieldplan.CRS,
                  layer_options={"TITLE": meta["title"], "DESCRIPTION": meta["description"], "SPATIAL_INDEX": "YES"},
                  layer_metadata={k.upper(): v for k, v in meta.items() if k not in ("title", "description")})
        return Path(path).read_bytes()


# ---------------------------------------------------------------------------- KML
def _kml_color(css: str, opacity: float = 1.0) -> str:
    r, g, b, a = pal.rgba(css, opacity)
    return f"{a:02x}{b:02x}{g:02x}{r:02x}"


def _coords(ring: Any) -> str:
    return " ".join(f"{x:.6f},{y:.6f}".replace(".000000", "") for x, y in ring)


def _kml_geometry(parent: ET.Element, geom: Mapping[str, Any]) -> None:
    t, c = geom["type"], geom["coordinates"]
    if t.startswith("Multi"):
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in c:
            _kml_geometry(multi, {"type": t[5:], "coordinates": part})
    elif t == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _coords([c])
    elif t == "LineString":
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"
        ET.SubElement(line, "coordinates").text = _coords(c)
    elif t == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        ET.SubElement(poly, "tessellate").text = "1"
        for i, ring in enumerate(c):
            b = ET.SubElement(poly, "outerBoundaryIs" if i == 0 else "innerBoundaryIs")
            ET.SubElement(ET.SubElement(b, "LinearRing"), "coordinates").text = _coords(ring)


def _style_color(layer: str, props: Mapping[str, Any], event_colors: Mapping[str, str]) -> str:
    if layer == "border":
        return (pal.BORDER_NATURAL_EARTH if props.get("variant") == "natural_earth_10m"
                else pal.BORDER_BRIDGED if props.get("kind") == "bridged_stretch" else pal.BORDER)["color"]
    if layer == "pipeline":
        return pal.PIPELINE_STATUS.get(str(props.get("status")), {"color": pal.GAS_FIELD["color"]})["color"]
    if layer == "markets":
        return pal.MARKET_STATUS.get(str(props.get("status")), pal.EVENT_DEFAULT)
    if layer == "crossings":
        return pal.CROSSING_STATUS.get(str(props.get("status")), pal.EVENT_DEFAULT)
    return event_colors.get(str(props.get("event_type")), pal.EVENT_DEFAULT)


def _placemark_name(layer: str, fid: str, props: Mapping[str, Any]) -> str:
    if layer == "events":
        return f"{props.get('display_date') or props.get('event_date')}: {props.get('event_type')}, {props.get('location')}"
    return str(props.get("name") or fid)


def _placemark_description(layer: str, props: Mapping[str, Any]) -> str:
    keys = {"events": ("display_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "notes",
                       "article_quote"),
            "markets": ("status", "status_date", "opened_date", "location_note", "notes"),
            "crossings": ("status", "status_date", "opened_date", "location_note", "notes"),
            "pipeline": ("status", "status_date", "status_note", "route_accuracy", "route_note", "length_known_km",
                         "length_route_km"),
            "border": ("kind", "variant", "length_km", "bridges")}[layer]
    lines = [f"{k.replace('_', ' ')}: {props[k]}" for k in keys if props.get(k) not in (None, "")]
    if "verified" in props:
        lines.append("location: sourced" if props["verified"] else "location: approximate (unverified)")
    if props.get("source_urls"):
        lines.append(f"sources: {props.get('sources')} ({props['source_urls']})")
    return "\n".join(lines)


def kml_story_bytes(layers: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The story (border, pipeline, markets, crossings, events) as one KML document for Google Earth."""
    from geo import styles as qgis_styles

    root = ET.Element("kml", {"xmlns": _KML_NS})
    doc = ET.SubElement(root, "Document", {"id": "iran-pakistan-frontier-atlas"})
    ET.SubElement(doc, "name").text = f"Iran–Pakistan frontier atlas {DATA_VERSION}"
    present = [n for n in KML_LAYERS if n in layers]
    licences = "; ".join(f"{n}: {catalog.get(n).license}" for n in present)
    ET.SubElement(doc, "description").text = (
        f"{release.PROJECT}, data version {DATA_VERSION}: the frontier, the gas pipeline, border markets and "
        f"crossings, and the events the article reports. Licences by folder ({licences}); each folder's "
        "description gives the licence and attribution.")
    styles: dict[str, str] = {}
    ev_colors = qgis_styles.event_colors(layers.get("events"))
    for name in present:
        fc = layers[name]
        meta = _meta(name, fc)
        folder = ET.SubElement(doc, "Folder", {"id": f"layer-{name}"})
        ET.SubElement(folder, "name").text = meta["title"]
        ET.SubElement(folder, "description").text = (
            f"{meta['description']}" if meta["description"] else release.description(name, meta["title"]))
        for f in fc.get("features", []):
            props = f.get("properties") or {}
            col = _style_color(name, props, ev_colors)
            sid = styles.setdefault(col, f"s{len(styles)}")
            pm = ET.SubElement(folder, "Placemark", {"id": str(f["id"])})
            ET.SubElement(pm, "name").text = _placemark_name(name, str(f["id"]), props)
            ET.SubElement(pm, "description").text = _placemark_description(name, props)
            # only events are placed in time: a status date says "as of", and a TimeStamp on the
            # pipeline or a market would make Google Earth's time slider hide it
            when, end = props.get("event_date"), props.get("event_date_end")
            if when and end:
                span = ET.SubElement(pm, "TimeSpan")
                ET.SubElement(span, "begin").text = str(when)
                ET.SubElement(span, "end").text = str(end)
            elif when:
                ET.SubElement(ET.SubElement(pm, "TimeStamp"), "when").text = str(when)
            ET.SubElement(pm, "styleUrl").text = f"#{sid}"
            ext = ET.SubElement(pm, "ExtendedData")
            for k, v in props.items():
                if v is None:
                    continue
                d = ET.SubElement(ext, "Data", {"name": k})
                ET.SubElement(d, "value").text = ("true" if v is True else "false" if v is False else
                                                  ";".join(map(str, v)) if isinstance(v, list) else str(v))
            _kml_geometry(pm, f["geometry"])
    for i, (col, sid) in enumerate(styles.items()):
        st = ET.Element("Style", {"id": sid})
        ET.SubElement(ET.SubElement(st, "IconStyle"), "color").text = _kml_color(col)
        ls = ET.SubElement(st, "LineStyle")
        ET.SubElement(ls, "color").text = _kml_color(col)
        ET.SubElement(ls, "width").text = "3"
        ET.SubElement(ET.SubElement(st, "PolyStyle"), "color").text = _kml_color(col, 0.3)
        doc.insert(2 + i, st)
    ET.indent(root, space=" ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                     xml_declaration=False) + b"\n"


def release_files(layers: Mapping[str, Mapping[str, Any]]) -> dict[str, bytes]:
    """File name -> bytes: ``<layer>.parquet`` and ``<layer>.fgb`` per layer, the KML story."""
    out: dict[str, bytes] = {}
    for name in [n for n in catalog.names() if n in layers and catalog.get(n).exported]:
        out[f"{name}.parquet"] = geoparquet_bytes(name, layers[name])
        out[f"{name}.fgb"] = flatgeobuf_bytes(name, layers[name])
    if any(n in layers for n in KML_LAYERS):
        out[KML_NAME] = kml_story_bytes(layers)
    return out
