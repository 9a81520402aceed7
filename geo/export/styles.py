"""QGIS styles (QML) generated from the atlas palette (geo/palette.py), so they match the web map.

One rule-based renderer per layer, keyed on the properties the web map reads (pipeline
``status`` and ``route_accuracy``, border ``kind``/``variant``, markets/crossings ``status`` and
``verified``, events ``event_type`` and ``geo_precision``, provinces ``country_iso``, context
``role``, places ``verified``). Every feature of a valid layer matches exactly one rule.

The XML keeps the structure of the hand-checked styles this module replaced (they loaded in
QGIS 3.22 with every feature matched by a rule): symbol-layer properties as an
``<Option type="Map">`` (read by QGIS >= 3.18), SimpleLine / SimpleMarker / SimpleFill layers,
``ELSE`` rules, ``geometry_type($geometry)`` filters for layers that mix geometry types. Widths,
sizes and dashes are the web map's pixels times :data:`geo.palette.QGIS_MM_PER_PX`, in
millimetres; opacities become the alpha of the colours.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from geo import catalog
from geo import palette as pal
from geo.version import DATA_VERSION

HEADER = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
#: QGIS ``layerGeometryType`` of a catalog geometry family (a mixed layer writes none).
_GEOMETRY_TYPE = {"point": "0", "line": "1", "area": "2"}


# ---------------------------------------------------------------------------- values
def mm(px: float) -> str:
    """Web-map pixels as QGIS millimetres (text)."""
    return f"{round(px * pal.QGIS_MM_PER_PX, 4):g}"


def color(css: str, opacity: float = 1.0) -> str:
    """A palette colour (times ``opacity``) as QGIS writes colours: ``r,g,b,a``."""
    return ",".join(str(c) for c in pal.rgba(css, opacity))


def dash(pattern: str) -> str:
    """A Leaflet dash array (``"12 5"``, pixels) as a QGIS custom dash (``"1.8;0.75"``, mm)."""
    return ";".join(mm(float(x)) for x in pattern.replace(",", " ").split())


def q(value: str) -> str:
    """A string literal in a QGIS expression."""
    return "'" + str(value).replace("'", "''") + "'"


def is_in(field: str, values: Iterable[str]) -> str:
    vals = list(values)
    return f'"{field}" = {q(vals[0])}' if len(vals) == 1 else f'"{field}" IN ({", ".join(q(v) for v in vals)})'


# ---------------------------------------------------------------------------- XML pieces
def _options(parent: ET.Element, items: list[tuple[str, str]]) -> None:
    m = ET.SubElement(parent, "Option", {"type": "Map"})
    for k, v in items:
        ET.SubElement(m, "Option", {"name": k, "type": "QString", "value": v})


def _ddp(parent: ET.Element) -> None:
    d = ET.SubElement(parent, "data_defined_properties")
    m = ET.SubElement(d, "Option", {"type": "Map"})
    ET.SubElement(m, "Option", {"name": "name", "type": "QString", "value": ""})
    ET.SubElement(m, "Option", {"name": "properties"})
    ET.SubElement(m, "Option", {"name": "type", "type": "QString", "value": "collection"})


def _symbol(symbols: ET.Element, kind: str, layers: list[tuple[str, list[tuple[str, str]]]]) -> str:
    name = str(len(symbols))
    s = ET.SubElement(symbols, "symbol", {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1",
                                          "force_rhr": "0", "frame_rate": "10", "is_animated": "0"})
    _ddp(s)
    for cls, items in layers:
        lyr = ET.SubElement(s, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
        _options(lyr, items)
        _ddp(lyr)
    return name


def line_layer(style: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """A SimpleLine from a Leaflet path style (color, weight, opacity, dashArray, lineCap, lineJoin)."""
    d = style.get("dashArray")
    cap = {"butt": "flat", "square": "square"}.get(str(style.get("lineCap", "round")), "round")
    join = {"miter": "miter", "bevel": "bevel"}.get(str(style.get("lineJoin", "round")), "round")
    return "SimpleLine", [
        ("capstyle", cap), ("joinstyle", join),
        ("line_color", color(style["color"], style.get("opacity", 1.0))),
        ("line_style", "dash" if d else "solid"), ("line_width", mm(style.get("weight", 3))),
        ("line_width_unit", "MM"), ("offset", "0"), ("offset_unit", "MM"),
        ("use_custom_dash", "1" if d else "0"), ("customdash", dash(d) if d else "5;2"), ("customdash_unit", "MM"),
        ("draw_inside_polygon", "0"), ("ring_filter", "0"),
    ]


def marker_layer(style: Mapping[str, Any], *, shape: str = "circle", size_px: float | None = None,
                 dashed: bool = False) -> tuple[str, list[tuple[str, str]]]:
    """A SimpleMarker from a Leaflet circle-marker style (radius, color, weight, opacity, fill...)."""
    fill = style.get("fillColor", style["color"]) if style.get("fill", True) else style["color"]
    fill_opacity = style.get("fillOpacity", 0.2) if style.get("fill", True) else 0.0
    size = size_px if size_px is not None else 2 * float(style.get("radius", 10))
    return "SimpleMarker", [
        ("angle", "0"), ("color", color(fill, fill_opacity)), ("horizontal_anchor_point", "1"),
        ("joinstyle", "miter"), ("name", shape), ("offset", "0,0"), ("offset_unit", "MM"),
        ("outline_color", color(style["color"], style.get("opacity", 1.0))),
        ("outline_style", "dash" if (dashed or style.get("dashArray")) else "solid"),
        ("outline_width", mm(style.get("weight", 3))), ("outline_width_unit", "MM"),
        ("scale_method", "diameter"), ("size", mm(size)), ("size_unit", "MM"), ("vertical_anchor_point", "1"),
    ]


def fill_layer(style: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """A SimpleFill from a Leaflet polygon style (color, weight, opacity, fillColor, fillOpacity, dashArray)."""
    return "SimpleFill", [
        ("border_width_map_unit_scale", "3x:0,0,0,0,0,0"),
        ("color", color(style.get("fillColor", style["color"]), style.get("fillOpacity", 0.2))),
        ("joinstyle", "round"), ("offset", "0,0"), ("offset_unit", "MM"),
        ("outline_color", color(style["color"], style.get("opacity", 1.0))),
        ("outline_style", "dash" if style.get("dashArray") else "solid"),
        ("outline_width", mm(style.get("weight", 3))), ("outline_width_unit", "MM"), ("style", "solid"),
    ]


_LABELING = """ <labeling type="simple">
  <settings calloutType="simple">
   <text-style fieldName="name" isExpression="0" fontFamily="Sans Serif" fontSize="{size}" fontSizeUnit="Point" \
textColor="{color}" textOpacity="1" fontWeight="50" fontItalic="0" namedStyle="Regular" multilineHeight="1" allowHtml="0">
    <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.8" \
bufferJoinStyle="128" bufferNoFill="1" bufferBlendMode="0"/>
   </text-style>
   <placement placement="6" dist="1.2" distUnits="MM" priority="5"/>
   <rendering scaleVisibility="0" obstacle="1" drawLabels="1" upsidedownLabels="0" labelPerPart="0"/>
  </settings>
 </labeling>"""
#: Name labels (as the hand-made styles had them) of a layer with ``qgis_labels``, by geometry
#: family: (font size pt, text colour).
_LABELS = {"point": ("8", "34,34,34,255"), "area": ("9", "51,51,51,255"), "line": ("8", "34,34,34,255"),
           "mixed": ("8", "34,34,34,255")}


_GEOM_FAMILY = {"Point": "Point", "MultiPoint": "Point", "LineString": "Line", "MultiLineString": "Line",
                "Polygon": "Polygon", "MultiPolygon": "Polygon"}


def _py_filter(expr: str) -> Any:
    """A QGIS filter expression of the small grammar this module writes, as a Python predicate.

    Grammar: ``"f" = 'v'``, ``"f" IN ('a', 'b')``, ``coalesce("f", x) NOT IN (...)``, ``"f" IS NULL``,
    ``"f" = true|false``, ``"f" = 2``, ``geometry_type($geometry) = 'Point'``, AND, OR, parentheses.
    Used to keep only the rules some feature matches (legends list the classes present) and to
    give each SLD rule the features its QML rule draws.
    """
    import re

    py = expr.replace("geometry_type($geometry)", "_gt")
    py = re.sub(r'coalesce\("([a-z_0-9]+)", ([^)]*)\)', r'_c(_p.get("\1"), \2)', py)
    py = re.sub(r'(?<!get\()"([a-z_0-9]+)"', r'_p.get("\1")', py)
    py = re.sub(r"\bNOT IN \(([^()]*)\)", r"not in [\1]", py)
    py = re.sub(r"\bIN \(([^()]*)\)", r"in [\1]", py)
    py = (py.replace(" IS NULL", " is None").replace(" = ", " == ").replace(" AND ", " and ")
          .replace(" OR ", " or ").replace("== true", "== True").replace("== false", "== False"))
    code = compile(py, "<qgis filter>", "eval")

    def pred(props: Mapping[str, Any], family: str) -> bool:
        env = {"_p": props, "_gt": family, "_c": lambda v, d: d if v is None else v}
        return bool(eval(code, {"__builtins__": {}}, env))  # our own generated expressions, no builtins

    return pred


class _Style:
    """A rule-based style being built: rules and symbols in order.

    With ``features`` (the layer's features), a rule no feature matches is left out, so the
    legend lists only the classes present; ``ELSE`` matches the features no earlier rule took.
    """

    def __init__(self, features: list[Mapping[str, Any]] | None = None) -> None:
        self.feats = None if features is None else [
            (str(f.get("id")), f.get("properties") or {}, _GEOM_FAMILY.get(str((f.get("geometry") or {}).get("type")), ""))
            for f in features]
        self.taken: set[str] = set()
        #: (filter, label, symbol kind, symbol layers, ids of the features it draws or None)
        self.entries: list[tuple[str, str, str, list[tuple[str, list[tuple[str, str]]]], list[str] | None]] = []
        self.root = ET.Element("qgis", {"version": "3.34.0-Prizren", "styleCategories": "Symbology|Labeling"})
        r = ET.SubElement(self.root, "renderer-v2", {"type": "RuleRenderer", "symbollevels": "0", "enableorderby": "0",
                                                     "forceraster": "0", "referencescale": "-1"})
        self.rules = ET.SubElement(r, "rules", {"key": "{renderer-root}"})
        self.symbols = ET.SubElement(r, "symbols")

    def rule(self, filter_: str, label: str, kind: str, *layers: tuple[str, list[tuple[str, str]]]) -> None:
        ids: list[str] | None = None
        if self.feats is not None:
            if filter_ == "ELSE":
                ids = [i for i, _, _ in self.feats if i not in self.taken]
            else:
                pred = _py_filter(filter_)
                ids = [i for i, p, fam in self.feats if pred(p, fam)]
            if not ids:
                return
            self.taken.update(ids)
        self.entries.append((filter_, label, kind, list(layers), ids))
        name = _symbol(self.symbols, kind, list(layers))
        ET.SubElement(self.rules, "rule", {"key": f"{{rule-{len(self.rules):02d}}}", "filter": filter_, "label": label,
                                           "symbol": name})

    def text(self, layer: catalog.Layer) -> str:
        ET.indent(self.root, space=" ")
        body = ET.tostring(self.root, encoding="unicode")
        tail = ""
        if layer.qgis_labels:
            size, col = _LABELS[layer.geometry]
            tail += _LABELING.format(size=size, color=col) + "\n"
        tail += " <blendMode>0</blendMode>\n <featureBlendMode>0</featureBlendMode>\n"
        if layer.geometry in _GEOMETRY_TYPE:
            tail += f" <layerGeometryType>{_GEOMETRY_TYPE[layer.geometry]}</layerGeometryType>\n"
        body = body.replace("\n</qgis>", "\n" + tail + "</qgis>")
        return HEADER + f"<!-- Iran-Pakistan frontier atlas, data version {DATA_VERSION} -->\n" + body + "\n"


# ---------------------------------------------------------------------------- layers
def _pipeline(s: _Style) -> None:
    groups: dict[tuple[str, str | None], list[str]] = {}
    for status, st in pal.PIPELINE_STATUS.items():
        groups.setdefault((st["color"], st["dash"]), []).append(status)
    others = [a for a in pal.ROUTE_ACCURACY if a != pal.ROUTE_ACCURACY_DEFAULT]
    for (col, d), statuses in groups.items():
        for acc, ac in pal.ROUTE_ACCURACY.items():
            acc_filter = (f'coalesce("route_accuracy", \'\') NOT IN ({", ".join(q(a) for a in others)})'
                          if acc == pal.ROUTE_ACCURACY_DEFAULT else f'"route_accuracy" = {q(acc)}')
            style = {"color": col, "dashArray": d, "weight": ac["weight"], "opacity": ac["opacity"],
                     "lineCap": pal.PIPELINE_LINE_CAP}
            s.rule(f"geometry_type($geometry) = 'Line' AND {is_in('status', statuses)} AND {acc_filter}",
                   f"Pipeline {' / '.join(statuses)}, route accuracy {ac['label']}", "line", line_layer(style))
    s.rule("geometry_type($geometry) = 'Point'", "Gas field (South Pars)", "marker", marker_layer(pal.GAS_FIELD))


def _border(s: _Style) -> None:
    s.rule("\"kind\" = 'bridged_stretch' OR \"variant\" = 'bridge'", "Bridged stretch (gap in the source, bridged)",
           "line", line_layer(pal.BORDER_BRIDGED))
    s.rule("\"variant\" = 'natural_earth_10m' AND \"kind\" = 'boundary'", "Border, Natural Earth 1:10m (comparison)",
           "line", line_layer(pal.BORDER_NATURAL_EARTH))
    s.rule("ELSE", "Border (OpenStreetMap-derived, ~10 m)", "line", line_layer(pal.BORDER))


def _symbols(s: _Style, layer: str) -> None:
    colors = pal.MARKET_STATUS if layer == "markets" else pal.CROSSING_STATUS
    box = pal.SYMBOL_BOX_PX + 2 * pal.SYMBOL_BORDER_PX
    shape, size = (("square", box) if layer == "markets"
                   else ("diamond", box * pal.SYMBOL_DIAMOND_SCALE * 2 ** 0.5))
    noun = "Market" if layer == "markets" else "Crossing"
    for status, col in colors.items():
        filled = {"color": col, "weight": pal.SYMBOL_BORDER_PX, "fillColor": col, "fillOpacity": 1.0}
        hollow = {"color": col, "weight": pal.SYMBOL_BORDER_PX, "fillColor": pal.SYMBOL_UNVERIFIED_FILL,
                  "fillOpacity": 1.0}
        s.rule(f'"status" = {q(status)} AND ("verified" IS NULL OR "verified" = true)', f"{noun} {status}", "marker",
               marker_layer(filled, shape=shape, size_px=size))
        s.rule(f'"status" = {q(status)} AND "verified" = false', f"{noun} {status}, location approximate (unverified)",
               "marker", marker_layer(hollow, shape=shape, size_px=size, dashed=True))


def event_colors(fc: Mapping[str, Any] | None) -> dict[str, str]:
    """Event type -> colour: the fixed ones, then the layer's other types as the web map colours them."""
    out = dict(pal.EVENT_TYPE_FIXED)
    feats = (fc or {}).get("features") or []
    out.update(pal.event_type_colors((f.get("properties") or {}).get("event_type") for f in feats))
    return out


def _typed(style: Mapping[str, Any], col: str) -> dict[str, Any]:
    return {k: (col if v == "type" else v) for k, v in style.items()}


def _events(s: _Style, fc: Mapping[str, Any] | None) -> None:
    colors = event_colors(fc)
    other = f'coalesce("event_type", \'\') NOT IN ({", ".join(q(t) for t in colors)})'
    kinds = [(t, f'"event_type" = {q(t)}', c) for t, c in colors.items()] + [("Other event", other, pal.EVENT_DEFAULT)]
    precision = ", ".join(str(k) for k in pal.EVENT_PRECISION)
    for t, tf, col in kinds:
        pt = f"geometry_type($geometry) = 'Point' AND {tf}"
        s.rule(f'{pt} AND coalesce("geo_precision", 0) NOT IN ({precision})', f"{t}: {pal.EVENT_SHAPE_LABEL['exact']}",
               "marker", marker_layer(_typed(pal.EVENT_POINT["exact"], col)))
        for gp, shape in pal.EVENT_PRECISION.items():
            s.rule(f'{pt} AND "geo_precision" = {gp}', f"{t}: {pal.EVENT_SHAPE_LABEL[shape]}", "marker",
                   marker_layer(_typed(pal.EVENT_POINT[shape], col)))
        s.rule(f"geometry_type($geometry) = 'Line' AND {tf}", f"{t}: {pal.EVENT_SHAPE_LABEL['line']}", "line",
               line_layer(_typed(pal.EVENT_LINE, col)))
        s.rule(f"geometry_type($geometry) = 'Polygon' AND {tf}", f"{t}: {pal.EVENT_SHAPE_LABEL['area']}", "fill",
               fill_layer(_typed(pal.EVENT_AREA, col)))


def _provinces(s: _Style) -> None:
    for iso, col in pal.PROVINCE_COLORS.items():
        s.rule(f'"country_iso" = {q(iso)}', f"Province ({iso})", "fill",
               fill_layer({"color": col, **pal.PROVINCE, "fillColor": col}))
    c = pal.PROVINCE_DEFAULT
    s.rule("ELSE", "Province (other country)", "fill", fill_layer({"color": c, **pal.PROVINCE, "fillColor": c}))


def _context(s: _Style) -> None:
    s.rule("\"role\" = 'focus'", "Iran and Pakistan", "fill", fill_layer(pal.CONTEXT_FOCUS))
    s.rule("ELSE", "Neighbouring countries", "fill", fill_layer(pal.CONTEXT_OTHER))


def _places(s: _Style) -> None:
    s.rule('"verified" = false', "Place, location approximate (unverified)", "marker",
           marker_layer({**pal.PLACE, "fillColor": pal.PLACE_UNVERIFIED_FILL}))
    s.rule("ELSE", "Place (sourced coordinate)", "marker", marker_layer(pal.PLACE))


def _generic(s: _Style, family: str) -> None:
    """A layer with no style of its own: the web map's fallback symbols, one rule per geometry family."""
    if family in ("point", "mixed"):
        where = "geometry_type($geometry) = 'Point'" if family == "mixed" else "ELSE"
        s.rule(where, "Feature", "marker", marker_layer(pal.FALLBACK_POINT))
    if family in ("line", "mixed"):
        where = "geometry_type($geometry) = 'Line'" if family == "mixed" else "ELSE"
        s.rule(where, "Feature", "line", line_layer(pal.FALLBACK_PATH))
    if family in ("area", "mixed"):
        where = "geometry_type($geometry) = 'Polygon'" if family == "mixed" else "ELSE"
        s.rule(where, "Feature", "fill", fill_layer(pal.FALLBACK_PATH))


def style_qml(layer: str, fc: Mapping[str, Any] | None = None, *, only_present: bool = False) -> str | None:
    """The QGIS style of ``layer`` (QML text), or None for a layer the catalog does not style.

    ``fc`` (the layer's FeatureCollection) is needed for events: types outside the palette's
    fixed ones get their colours in the order they appear, as on the web map. With
    ``only_present`` the style keeps only the rules some feature of ``fc`` matches, so its legend
    lists the classes present (the released styles); without, every class the palette knows.
    A styled catalog layer with no rules of its own here gets the web map's fallback symbols.
    """
    s = _build(layer, fc, only_present=only_present)
    return None if s is None else s.text(catalog.get(layer))


def _build(layer: str, fc: Mapping[str, Any] | None, *, only_present: bool) -> _Style | None:
    if not catalog.has(layer) or not catalog.get(layer).styled:
        return None
    lyr = catalog.get(layer)
    s = _Style(list((fc or {}).get("features") or []) if only_present else None)
    if layer == "pipeline":
        _pipeline(s)
    elif layer == "border":
        _border(s)
    elif layer in ("markets", "crossings"):
        _symbols(s, layer)
    elif layer == "events":
        _events(s, fc)
    elif layer in ("provinces", "admin1"):  # admin-1 units drawn like the frontier provinces
        _provinces(s)
    elif layer == "context":
        _context(s)
    elif layer == "places":
        _places(s)
    else:
        _generic(s, lyr.geometry)
    return s


# ---------------------------------------------------------------------------- SLD
_SLD_NS = {"xmlns": "http://www.opengis.net/sld", "xmlns:ogc": "http://www.opengis.net/ogc",
           "xmlns:xlink": "http://www.w3.org/1999/xlink", "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
           "xsi:schemaLocation": "http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd",
           "version": "1.0.0"}
_SLD_MARK = {"circle": "circle", "square": "square", "diamond": "square"}


def _px(mm_text: str) -> str:
    return f"{round(float(mm_text) / pal.QGIS_MM_PER_PX, 2):g}"


def _hex_alpha(qgis_color: str) -> tuple[str, str]:
    r, g, b, a = (int(x) for x in qgis_color.split(","))
    return f"#{r:02x}{g:02x}{b:02x}", f"{round(a / 255, 3):g}"


def _css(parent: ET.Element, tag: str, params: list[tuple[str, str]]) -> None:
    el = ET.SubElement(parent, tag)
    for name, value in params:
        ET.SubElement(el, "CssParameter", {"name": name}).text = value


def _stroke(parent: ET.Element, color: str, width_mm: str, dash: str | None = None, cap: str | None = None) -> None:
    hexc, alpha = _hex_alpha(color)
    params = [("stroke", hexc), ("stroke-opacity", alpha), ("stroke-width", _px(width_mm))]
    if dash:  # pixels
        params.append(("stroke-dasharray", dash))
    if cap:
        params.append(("stroke-linecap", {"flat": "butt"}.get(cap, cap)))
    _css(parent, "Stroke", params)


def _symbolizer(rule: ET.Element, cls: str, items: list[tuple[str, str]]) -> None:
    o = dict(items)
    if cls == "SimpleLine":
        ls = ET.SubElement(rule, "LineSymbolizer")
        dash = " ".join(_px(x) for x in o["customdash"].split(";")) if o.get("use_custom_dash") == "1" else None
        _stroke(ls, o["line_color"], o["line_width"], dash, o.get("capstyle"))
    elif cls == "SimpleFill":
        ps = ET.SubElement(rule, "PolygonSymbolizer")
        hexc, alpha = _hex_alpha(o["color"])
        _css(ps, "Fill", [("fill", hexc), ("fill-opacity", alpha)])
        _stroke(ps, o["outline_color"], o["outline_width"], "6 3" if o.get("outline_style") == "dash" else None)
    else:
        pts = ET.SubElement(rule, "PointSymbolizer")
        graphic = ET.SubElement(pts, "Graphic")
        mark = ET.SubElement(graphic, "Mark")
        ET.SubElement(mark, "WellKnownName").text = _SLD_MARK.get(o.get("name", "circle"), "circle")
        hexc, alpha = _hex_alpha(o["color"])
        _css(mark, "Fill", [("fill", hexc), ("fill-opacity", alpha)])
        _stroke(mark, o["outline_color"], o["outline_width"], "3 3" if o.get("outline_style") == "dash" else None)
        ET.SubElement(graphic, "Size").text = _px(o["size"])
        if o.get("name") == "diamond":
            ET.SubElement(graphic, "Rotation").text = "45"


def style_sld(layer: str, fc: Mapping[str, Any]) -> str | None:
    """An OGC SLD 1.0 style of ``layer`` for GeoServer / MapServer, from the same palette and rules as
    the QML: one rule per class present, titled as the QGIS legend. A rule selects the features
    its QML rule draws by their ``id`` property (an SLD cannot evaluate QGIS expressions), so
    every feature of this release is drawn exactly once."""
    s = _build(layer, fc, only_present=True)
    if s is None:
        return None
    meta = fc.get("metadata") or {}
    root = ET.Element("StyledLayerDescriptor", _SLD_NS)
    nl = ET.SubElement(root, "NamedLayer")
    ET.SubElement(nl, "Name").text = layer
    us = ET.SubElement(nl, "UserStyle")
    ET.SubElement(us, "Name").text = f"{layer} (atlas default)"
    ET.SubElement(us, "Title").text = str(meta.get("title", layer))
    ET.SubElement(us, "Abstract").text = str(fc.get("description") or meta.get("description", ""))
    fts = ET.SubElement(us, "FeatureTypeStyle")
    for i, (_, label, _, layers, ids) in enumerate(s.entries):
        rule = ET.SubElement(fts, "Rule")
        ET.SubElement(rule, "Name").text = f"rule-{i:02d}"
        ET.SubElement(rule, "Title").text = label
        flt = ET.SubElement(rule, "ogc:Filter")
        parent = ET.SubElement(flt, "ogc:Or") if ids and len(ids) > 1 else flt
        for fid in ids or []:
            eq = ET.SubElement(parent, "ogc:PropertyIsEqualTo")
            ET.SubElement(eq, "ogc:PropertyName").text = "id"
            ET.SubElement(eq, "ogc:Literal").text = fid
        for cls, items in layers:
            _symbolizer(rule, cls, items)
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
