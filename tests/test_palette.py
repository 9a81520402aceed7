"""geo/palette.py is the one source of the map symbology: the QGIS styles (geo/export/styles.py) and the
story map (geo/render) both carry exactly its values."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from map_sample import sample_inputs
from trust_fixtures import good_layers

from geo import catalog, palette
from geo.export import gpkg as export
from geo.render import render_map

F = palette.QGIS_MM_PER_PX
RENDER = Path(__file__).resolve().parents[1] / "geo" / "render"


# ---------------------------------------------------------------------------- helpers
def _root(qml: str) -> ET.Element:
    assert qml.startswith("<!DOCTYPE qgis")
    return ET.fromstring(qml.split("\n", 1)[1])


def _rules(qml: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """[(filter, symbol type, [symbol layer {class, option: value}])] of a rule-based style."""
    root = _root(qml)
    symbols = {s.get("name"): s for s in root.find("renderer-v2/symbols")}
    out = []
    for r in root.iter("rule"):
        s = symbols[r.get("symbol")]
        layers = []
        for lyr in s.findall("layer"):
            opts = {o.get("name"): o.get("value") for o in lyr.find("Option").findall("Option")}
            layers.append({"class": lyr.get("class"), **opts})
        out.append((r.get("filter"), s.get("type"), layers))
    return out


def _c(css: str, opacity: float = 1.0) -> str:
    return ",".join(map(str, palette.rgba(css, opacity)))


def _mm(px: float) -> float:
    return round(px * F, 4)


def _assert_line(lyr: dict[str, Any], style: dict[str, Any], what: str) -> None:
    assert lyr["class"] == "SimpleLine", what
    assert lyr["line_color"] == _c(style["color"], style.get("opacity", 1.0)), what
    assert float(lyr["line_width"]) == _mm(style["weight"]), what
    dash = style.get("dashArray")
    assert lyr["use_custom_dash"] == ("1" if dash else "0"), what
    if dash:
        assert [float(x) for x in lyr["customdash"].split(";")] == [_mm(float(x)) for x in dash.split()], what
    assert lyr["capstyle"] == {"butt": "flat"}.get(style.get("lineCap", "round"), "round"), what


def _assert_marker(lyr: dict[str, Any], style: dict[str, Any], what: str, *, size_px: float | None = None) -> None:
    assert lyr["class"] == "SimpleMarker", what
    assert lyr["outline_color"] == _c(style["color"], style.get("opacity", 1.0)), what
    assert lyr["color"] == _c(style["fillColor"], style["fillOpacity"]), what
    assert float(lyr["outline_width"]) == _mm(style["weight"]), what
    assert float(lyr["size"]) == _mm(size_px if size_px is not None else 2 * style["radius"]), what


def _assert_fill(lyr: dict[str, Any], style: dict[str, Any], what: str) -> None:
    assert lyr["class"] == "SimpleFill", what
    assert lyr["outline_color"] == _c(style["color"], style.get("opacity", 1.0)), what
    assert lyr["color"] == _c(style["fillColor"], style["fillOpacity"]), what
    assert float(lyr["outline_width"]) == _mm(style["weight"]), what
    assert lyr["outline_style"] == ("dash" if style.get("dashArray") else "solid"), what


def _values(flt: str, field: str) -> list[str]:
    """The values a filter compares ``field`` with: "f" = 'x' or "f" IN ('x', 'y')."""
    m = re.search(rf'"{field}" = \'((?:[^\']|\'\')*)\'', flt)
    if m:
        return [m.group(1).replace("''", "'")]
    m = re.search(rf'(?<!coalesce\()"{field}" IN \(([^)]*)\)', flt)
    return [v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", m.group(1))] if m else []


# ---------------------------------------------------------------------------- QGIS styles
@pytest.fixture(scope="module")
def files(synthetic_exports: dict[str, bytes]) -> dict[str, bytes]:
    return synthetic_exports


@pytest.fixture(scope="module")
def real_events() -> dict[str, Any] | None:
    p = Path(__file__).resolve().parents[1] / "layers" / "events.geojson"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def test_schema_values_all_have_a_palette_entry() -> None:
    """Every status / accuracy / variant the schemas allow is styled (so every feature matches a rule)."""
    def enum(layer: str, prop: str) -> set[Any]:
        return set(catalog.enum(layer, prop))

    assert enum("pipeline", "status") == set(palette.PIPELINE_STATUS)
    assert enum("pipeline", "route_accuracy") - {None} == set(palette.ROUTE_ACCURACY)
    assert enum("markets", "status") == set(palette.MARKET_STATUS)
    assert enum("crossings", "status") == set(palette.CROSSING_STATUS)
    assert enum("border", "variant") == {"osm_10m", "natural_earth_10m", "bridge"}
    assert enum("events", "geo_precision") == {1, 2, 3}


def test_pipeline_qml_colours_are_the_palette(files: dict[str, bytes]) -> None:
    seen: set[tuple[str, str]] = set()
    fields = 0
    for flt, _kind, (lyr, *rest) in _rules(export.style_qml("pipeline", only_present=False)):
        assert not rest
        if "'Point'" in flt:
            fields += 1
            _assert_marker(lyr, dict(palette.GAS_FIELD), flt)
            continue
        statuses = _values(flt, "status")
        accs = _values(flt, "route_accuracy") or [palette.ROUTE_ACCURACY_DEFAULT]
        assert statuses and len(accs) == 1, flt
        if "NOT IN" in flt:  # the default accuracy also takes missing / unknown values
            assert accs == [palette.ROUTE_ACCURACY_DEFAULT] and "coalesce(\"route_accuracy\"" in flt
        acc = palette.ROUTE_ACCURACY[accs[0]]
        for st in statuses:
            s = palette.PIPELINE_STATUS[st]
            _assert_line(lyr, {"color": s["color"], "dashArray": s["dash"], "weight": acc["weight"],
                               "opacity": acc["opacity"], "lineCap": palette.PIPELINE_LINE_CAP}, flt)
            seen.add((st, accs[0]))
    assert fields == 1
    assert seen == {(s, a) for s in palette.PIPELINE_STATUS for a in palette.ROUTE_ACCURACY}


def test_border_qml_colours_are_the_palette(files: dict[str, bytes]) -> None:
    rules = _rules(export.style_qml("border", only_present=False))
    assert [r[0] for r in rules][2] == "ELSE"
    _assert_line(rules[0][2][0], dict(palette.BORDER_BRIDGED), "bridged")
    assert "'bridged_stretch'" in rules[0][0] and "'bridge'" in rules[0][0]
    _assert_line(rules[1][2][0], dict(palette.BORDER_NATURAL_EARTH), "natural earth")
    assert "'natural_earth_10m'" in rules[1][0]
    _assert_line(rules[2][2][0], dict(palette.BORDER), "osm")


@pytest.mark.parametrize("layer", ["markets", "crossings"])
def test_market_crossing_qml_colours_are_the_palette(files: dict[str, bytes], layer: str) -> None:
    colors = palette.MARKET_STATUS if layer == "markets" else palette.CROSSING_STATUS
    box = palette.SYMBOL_BOX_PX + 2 * palette.SYMBOL_BORDER_PX
    size = box if layer == "markets" else box * palette.SYMBOL_DIAMOND_SCALE * 2 ** 0.5
    seen = set()
    for flt, _kind, (lyr, *_rest) in _rules(export.style_qml(layer, only_present=False)):
        (status,) = _values(flt, "status")
        hollow = '"verified" = false' in flt
        col = colors[status]
        style = {"color": col, "weight": palette.SYMBOL_BORDER_PX, "fillOpacity": 1.0,
                 "fillColor": palette.SYMBOL_UNVERIFIED_FILL if hollow else col}
        _assert_marker(lyr, style, flt, size_px=size)
        assert lyr["name"] == ("square" if layer == "markets" else "diamond")
        assert lyr["outline_style"] == ("dash" if hollow else "solid"), flt
        seen.add((status, hollow))
    assert seen == {(s, h) for s in colors for h in (False, True)}


@pytest.mark.parametrize("source", ["fixture", "real"])
def test_events_qml_colours_are_the_palette(files: dict[str, bytes], real_events, source: str) -> None:
    if source == "real":
        assert real_events is not None, "layers/events.geojson missing: run geo build"
        fc = real_events
        qml = export.style_qml("events", fc, only_present=False)
    else:
        fc = good_layers()["events"]
        qml = export.style_qml("events", fc, only_present=False)
    types = [f["properties"]["event_type"] for f in fc["features"]]
    want = {**palette.EVENT_TYPE_FIXED, **palette.event_type_colors(types)}
    seen = set()
    for flt, _kind, (lyr, *_rest) in _rules(qml):
        vals = _values(flt, "event_type")
        col = want[vals[0]] if vals else palette.EVENT_DEFAULT
        if not vals:
            assert "NOT IN" in flt and all(f"'{t}'" in flt for t in want), flt
        if "'Point'" in flt:
            gp = re.search(r'"geo_precision" = (\d)', flt)
            shape = palette.EVENT_PRECISION[int(gp.group(1))] if gp else "exact"
            style = {k: (col if v == "type" else v) for k, v in palette.EVENT_POINT[shape].items()}
            _assert_marker(lyr, style, flt)
            assert lyr["outline_style"] == ("dash" if style.get("dashArray") else "solid"), flt
        elif "'Line'" in flt:
            shape = "line"
            _assert_line(lyr, {k: (col if v == "type" else v) for k, v in palette.EVENT_LINE.items()}, flt)
        else:
            assert "'Polygon'" in flt, flt
            shape = "area"
            _assert_fill(lyr, {k: (col if v == "type" else v) for k, v in palette.EVENT_AREA.items()}, flt)
        seen.add((vals[0] if vals else None, shape))
    shapes = {"exact", "near", "hollow", "line", "area"}
    assert seen == {(t, s) for t in [*want, None] for s in shapes}


def test_area_and_place_qml_colours_are_the_palette(files: dict[str, bytes]) -> None:
    prov = _rules(export.style_qml("provinces", only_present=False))
    for flt, _, (lyr,) in prov:
        iso = _values(flt, "country_iso")
        col = palette.PROVINCE_COLORS[iso[0]] if iso else palette.PROVINCE_DEFAULT
        assert iso or flt == "ELSE"
        _assert_fill(lyr, {"color": col, **palette.PROVINCE, "fillColor": col}, flt)
    assert {tuple(_values(f, "country_iso")) for f, _, _ in prov} == {(k,) for k in palette.PROVINCE_COLORS} | {()}
    ctx = _rules(export.style_qml("context", only_present=False))
    assert [f for f, _, _ in ctx] == ["\"role\" = 'focus'", "ELSE"]
    _assert_fill(ctx[0][2][0], dict(palette.CONTEXT_FOCUS), "focus")
    _assert_fill(ctx[1][2][0], dict(palette.CONTEXT_OTHER), "other")
    places = _rules(export.style_qml("places", only_present=False))
    assert [f for f, _, _ in places] == ['"verified" = false', "ELSE"]
    _assert_marker(places[0][2][0], {**palette.PLACE, "fillColor": palette.PLACE_UNVERIFIED_FILL}, "unverified")
    _assert_marker(places[1][2][0], dict(palette.PLACE), "place")


def test_gpkg_styles_are_the_sidecars_split_by_geometry(files: dict[str, bytes], tmp_path: Path) -> None:
    """Each layer_styles row is its layer's generated style, cut to the table's geometry type."""
    import pyogrio

    p = tmp_path / "f.gpkg"
    p.write_bytes(files["frontier.gpkg"])
    df = pyogrio.read_dataframe(p, layer="layer_styles", read_geometry=False)
    rows = dict(zip(df["f_table_name"], df["styleQML"], strict=True))
    tables = export.tables(good_layers())
    assert set(rows) == {t for t, *_ in tables}
    for table, layer, family, _ in tables:
        assert rows[table] == export.style_for_family(files[f"{layer}.qml"].decode(), family), table


def test_no_static_styles_left() -> None:
    geo = Path(palette.__file__).parent
    assert not list(geo.glob("styles/*.qml"))


# ---------------------------------------------------------------------------- story map
def _palette_json(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="atlas-palette">(.*?)</script>', html, re.DOTALL)
    assert m, "no palette in the page"
    assert "<" not in m.group(1) and ">" not in m.group(1) and "&" not in m.group(1)
    return json.loads(m.group(1))


def test_html_carries_the_palette() -> None:
    inputs = sample_inputs(hostile=True)
    layers = inputs.pop("layers")
    html = render_map(layers, **inputs)
    types = [f["properties"].get("event_type") for f in layers["events"]["features"]]
    embedded = _palette_json(html)
    assert embedded == json.loads(json.dumps(palette.web_palette(types)))
    assert embedded["events"]["type_colors"] == palette.event_type_colors(types)
    assert embedded["pipeline"]["status"]["operating"]["color"] == "#1a1a1a"
    assert f":root {{ --sea: {palette.SEA}; }}" in html
    assert html.index('id="atlas-palette"') < html.index("window.atlas.start(")  # there before the map starts


def test_atlas_js_has_no_symbology_constants_of_its_own() -> None:
    """Colours of the data layers come only from the palette (what is left: the measure tool's ink)."""
    js = "\n".join(p.read_text(encoding="utf-8") for p in sorted(RENDER.glob("*.js")))
    found = set(re.findall(r"'(#[0-9a-fA-F]{3,6}|rgba?\([^']*\))'", js))
    # the measure tool's ink and the selection highlight (not data symbology)
    assert found == {"#000", "#ff0", "#333", "#ffcc00"}, found
    for name in ("PIPE_STATUS = {", "ACCURACY = {", "MARKET_STATUS = {", "CROSSING_STATUS = {", "EVENT_COLORS",
                 "EVENT_TYPE_FIXED", "PROVINCE_COLORS = {"):
        assert name not in js, name
    css = (RENDER / "atlas.css").read_text(encoding="utf-8")
    assert "--sea:" not in css.replace("/* --sea:", "")


def test_event_type_colours_as_the_web_map_hands_them_out() -> None:
    got = palette.event_type_colors(["Riots", "X", None, "Protests", "Y", "X", *[f"t{i}" for i in range(8)]])
    assert got["Riots"] == palette.EVENT_TYPE_FIXED["Riots"] and got["Protests"] == palette.EVENT_TYPE_FIXED["Protests"]
    assert [got["X"], got["Y"]] == list(palette.EVENT_COLORS[:2])
    assert got["t6"] == palette.EVENT_COLORS[0]  # the cycle wraps
    assert None not in got


def test_rgba() -> None:
    assert palette.rgba("#555") == (85, 85, 85, 255)
    assert palette.rgba("#b2182b", 0.95) == (178, 24, 43, 242)
    assert palette.rgba("rgba(255,255,255,0.6)") == (255, 255, 255, 153)
    with pytest.raises(ValueError):
        palette.rgba("red")


@pytest.mark.browser
def test_browser_draws_the_palette(tmp_path: Path) -> None:
    """In Chromium, the SVG of every border / pipeline / province path has the palette's stroke."""
    from tools.map_browser import open_map
    inputs = sample_inputs()
    layers = inputs.pop("layers")
    path = tmp_path / "map.html"
    path.write_text(render_map(layers, **inputs), encoding="utf-8")
    with open_map(path) as page:
        page.evaluate("window.atlas.showAllOverlays()")
        drawn = page.evaluate("""() => Array.from(document.querySelectorAll('path[data-layer]')).map(e => [
            e.getAttribute('data-layer'), e.getAttribute('data-feature-id'), e.getAttribute('stroke'),
            e.getAttribute('stroke-width'), e.getAttribute('stroke-opacity'), e.getAttribute('stroke-dasharray')])""")
        assert json.loads(page.evaluate("JSON.stringify(window.atlas.palette)")) == _palette_json(
            path.read_text(encoding="utf-8"))
    props = {f["id"]: f["properties"] for fc in layers.values() for f in fc["features"]
             if "Point" not in f["geometry"]["type"]}
    checked = 0
    for layer, fid, stroke, width, opacity, dash in drawn:
        if fid not in props:  # circle markers (the gas field) are SVG paths too
            continue
        p = props[fid]
        if layer == "border":
            want = (palette.BORDER_BRIDGED if p["kind"] == "bridged_stretch" or p["variant"] == "bridge"
                    else palette.BORDER_NATURAL_EARTH if p["variant"] == "natural_earth_10m" else palette.BORDER)
        elif layer == "pipeline":
            st = palette.PIPELINE_STATUS[p["status"]]
            acc = palette.ROUTE_ACCURACY[p.get("route_accuracy") or palette.ROUTE_ACCURACY_DEFAULT]
            want = {"color": st["color"], "dashArray": st["dash"], "weight": acc["weight"], "opacity": acc["opacity"]}
        elif layer == "provinces":
            want = {"color": palette.PROVINCE_COLORS.get(p["country_iso"], palette.PROVINCE_DEFAULT), **palette.PROVINCE}
        else:
            continue
        assert (stroke, float(width), float(opacity), dash) == (
            want["color"], float(want["weight"]), float(want.get("opacity", 1.0)), want.get("dashArray")), (layer, fid)
        checked += 1
    assert checked >= 5
