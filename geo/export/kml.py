"""layers/frontier-story.kml: the story (border, pipeline, markets, crossings, events) for Google Earth.

KML: written with ElementTree rather than GDAL: GDAL's KML writers make one dataset per call
(no appending folders), and the story needs one document with a folder per layer, a
``TimeStamp``/``TimeSpan`` per event (KML's ``when`` takes ``YYYY``, ``YYYY-MM`` and
``YYYY-MM-DD``, the atlas's partial dates as they are) and the palette's colours.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from geo import catalog, release
from geo import palette as pal
from geo.export.fields import layer_meta
from geo.version import DATA_VERSION

#: Layers in the KML story, drawn in this order (later on top).
KML_LAYERS: tuple[str, ...] = ("border", "pipeline", "markets", "crossings", "events")
KML_NAME = "frontier-story.kml"
_KML_NS = "http://www.opengis.net/kml/2.2"


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
    from geo.export import styles as qgis_styles
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
        meta = layer_meta(name, fc)
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


