"""The story map's payload and parts (no browser): topology within 25 m, shared lines stored once,
layers from the catalog, size bars, folium elements with fixed ids."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re

import pytest

from geo import catalog
from geo.render import elements, story
from geo.render.display import DISPLAY_TOLERANCE_M, METRES_PER_DEGREE_MAX

MAX_BYTES = 700_000
MAX_GZIP_BYTES = 220_000


@pytest.fixture(scope="module")
def inputs():
    inp = story.load_inputs()
    assert inp["layers"], "no layers: run geo build"
    return inp


@pytest.fixture(scope="module")
def payload(inputs):
    inp = dict(inputs)
    return story.build_payload(inp.pop("layers"), **inp)


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs -> absolute coordinates (the spec: delta-encoded, then the transform)."""
    t = topo.get("transform")
    out = []
    arcs = topo["arcs"]
    if topo.get("arcs_encoding") == "polyline-delta":
        arcs = [_unpolyline(a) for a in arcs]
    for arc in arcs:
        x = y = 0
        pts = []
        for dx, dy in arc:
            if t:
                x, y = x + dx, y + dy
                pts.append((x * t["scale"][0] + t["translate"][0], y * t["scale"][1] + t["translate"][1]))
            else:
                pts.append((dx, dy))
        out.append(pts)
    return out


def _unpolyline(s: str) -> list[tuple[int, int]]:
    """The encoded-polyline scheme (Google's), read independently of the page's decoder."""
    vals, i = [], 0
    while i < len(s):
        shift = v = 0
        while True:
            b = ord(s[i]) - 63
            i += 1
            v |= (b & 0x1F) << shift
            shift += 5
            if b < 0x20:
                break
        vals.append(~(v >> 1) if v & 1 else v >> 1)
    return list(zip(vals[0::2], vals[1::2], strict=True))


def _ring(arcs, idx: list[int]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in idx:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def _geometry(arcs, g: dict) -> dict:
    typ, a = g["type"], g["arcs"]
    if typ == "LineString":
        return {"type": typ, "coordinates": _ring(arcs, a)}
    if typ == "MultiLineString":
        return {"type": typ, "coordinates": [_ring(arcs, x) for x in a]}
    if typ == "Polygon":
        return {"type": typ, "coordinates": [_ring(arcs, r) for r in a]}
    if typ == "MultiPolygon":
        return {"type": typ, "coordinates": [[_ring(arcs, r) for r in p] for p in a]}
    raise AssertionError(typ)


def test_display_geometry_within_25_m_of_every_layer(inputs, payload) -> None:
    from shapely.geometry import shape

    topo = payload["topology"]
    arcs = _decode_arcs(topo)
    checked = 0
    for name, obj in topo["objects"].items():
        feats = inputs["layers"][name]["features"]
        for g in obj["geometries"]:
            orig = shape(feats[g["properties"]["i"]]["geometry"])
            shown = shape(_geometry(arcs, g))
            d = orig.hausdorff_distance(shown) * METRES_PER_DEGREE_MAX
            assert d <= DISPLAY_TOLERANCE_M, (name, feats[g["properties"]["i"]]["id"], round(d, 1))
            checked += 1
    assert checked >= 20


def test_each_shared_line_is_stored_once(payload) -> None:
    topo = payload["topology"]
    used: dict[str, set[int]] = {}

    def walk(a, into):
        for x in a:
            if isinstance(x, list):
                walk(x, into)
            else:
                into.add(x if x >= 0 else ~x)

    for name, obj in topo["objects"].items():
        for g in obj["geometries"]:
            s: set[int] = set()
            walk(g["arcs"], s)
            used[f"{name}:{g['properties']['i']}"] = s
    # no line is stored twice: no two arcs have the same coordinates (either way round)
    seen = set()
    for arc in _decode_arcs(topo):
        key = tuple(arc)
        assert key not in seen and tuple(reversed(arc)) not in seen
        seen.add(key)
    # the border and the provinces' common edge are the same arcs
    border_i = [f["id"] for f in payload["layers"]["border"]["features"]].index("border-osm")
    prov = [f["id"] for f in payload["layers"]["provinces"]["features"]]
    border = used[f"border:{border_i}"]
    pk, ir = used[f"provinces:{prov.index('PK-BA')}"], used[f"provinces:{prov.index('IR-11')}"]
    assert len(border & pk & ir) >= 1
    # no coordinate list is embedded twice anywhere else in the payload
    for fc in payload["layers"].values():
        for f in fc["features"]:
            g = f.get("geometry")
            assert g is None or g["type"] in ("Point", "MultiPoint")


def test_layers_come_from_the_catalog(inputs, monkeypatch) -> None:
    layers = dict(inputs["layers"])
    order = story.layer_order(layers)
    assert [o["name"] for o in order] == [n for n in catalog.map_order() if n in layers]
    assert all(o["label"] == catalog.get(o["name"]).map_label and o["pane"] == catalog.get(o["name"]).map_pane
               for o in order)
    # a layer the catalog keeps off the map is skipped; one it does not know is still drawn
    hidden = catalog.LAYERS[0].name
    patched = tuple(dataclasses.replace(x, on_map=False) if x.name == hidden else x for x in catalog.LAYERS)
    monkeypatch.setattr(catalog, "LAYERS", patched)
    layers["admin9"] = {"type": "FeatureCollection", "features": []}
    names = [o["name"] for o in story.layer_order(layers)]
    assert hidden not in names and names[-1] == "admin9"
    # no list of layer names in the page's code (three or more names in one array literal)
    one = "'(?:" + "|".join(re.escape(n) for n in catalog.names()) + ")'"
    for path in sorted(story.Path(elements.__file__).parent.glob("*.js")):
        js = path.read_text(encoding="utf-8")
        assert not re.search(rf"\[\s*{one}\s*,\s*{one}\s*,\s*{one}", js), path.name


def test_size_within_the_bars_and_deterministic(inputs) -> None:
    inp = dict(inputs)
    layers = inp.pop("layers")
    html = story.render_map(layers, **inp)
    raw = html.encode("utf-8")
    assert len(raw) <= MAX_BYTES
    assert len(gzip.compress(raw, 9, mtime=0)) <= MAX_GZIP_BYTES
    assert story.render_map(layers, **inp) == html


def test_story_map_is_made_of_folium_elements_with_fixed_ids() -> None:
    import folium
    from branca.element import MacroElement

    m = story.story_map()
    assert isinstance(m, folium.Map) and m.get_name() == "map_frontier"
    kinds = {type(c).__name__: c for c in m._children.values()}
    for k in ("AtlasLayers", "StoryPanel", "ClaimsPanel", "AboutPanel", "Legend", "DateFilter", "Search", "Measure"):
        assert k in kinds and isinstance(kinds[k], MacroElement), k
        assert kinds[k]._template is not None
    html = m.get_root().render()
    assert not re.search(r"_[0-9a-f]{32}\b", html)  # no random branca ids (name_<32 hex>)
    assert html == story.story_map().get_root().render()
    from geo import version

    assert json.dumps(version.DATA_VERSION) in html  # the About panel's data version


def test_two_articles_payload_newest_first_with_mentions(inputs) -> None:
    from map_sample import TEST_ARTICLE_ID, TEST_QUOTE, two_article_inputs

    inp = two_article_inputs(inputs)
    layers = inp.pop("layers")
    p = story.build_payload(layers, **inp)
    arts = p["articles"]
    # newest first, undated last (the real article is undated)
    assert [a["id"] for a in arts] == [TEST_ARTICLE_ID, "gulf-2024-04-raisi-visit"]
    assert set(arts[0]) == {"id", "title", "publisher", "date", "url", "note", "paragraphs"}
    # the test article's passage is its claim's quote; the first article keeps every passage it had
    linked = [seg for para in arts[0]["paragraphs"] for seg in para if seg[1]]
    assert linked == [[TEST_QUOTE, ["cl-test-saravan-strike"]]]
    one = story.build_payload(layers, **{k: v for k, v in inputs.items() if k != "layers"})
    assert arts[1]["paragraphs"] == one["articles"][0]["paragraphs"]
    # the article's text is in the payload once: no separate "article" copy of it
    assert len(one["articles"]) == 1 and "article" not in one and "article" not in p
    # mentions: the strike is named by the test article (through its claim); every feature a
    # passage of the first article names is mentioned by it
    ev = "ev-2024-01-18-pakistan-strike-saravan"
    assert TEST_ARTICLE_ID in p["mentions"][ev]
    assert all(TEST_ARTICLE_ID not in v for k, v in p["mentions"].items() if k != ev)
    feature_ids = {f["id"] for fc in p["layers"].values() for f in fc["features"]}
    first_refs = {r for para in arts[1]["paragraphs"] for _t, refs in para for r in refs if r in feature_ids}
    assert first_refs and all("gulf-2024-04-raisi-visit" in p["mentions"][r] for r in first_refs)


def test_page_carries_the_first_views_bounds(inputs, payload) -> None:
    """The page fits its first view from bounds it carries (atlas.start's options), before it reads
    the data: each drawn layer's box holds every vertex of the layer, frame flags as the catalog's."""
    import shapely
    from shapely.geometry import shape

    frame = story.frame_layers(inputs["layers"], payload["order"])
    by_name = {o["name"]: o for o in frame}
    assert by_name["provinces"]["frame"] and not by_name["context"]["frame"]
    for name, o in by_name.items():
        assert o["frame"] == catalog.get(name).map_frame
        w, s, e, n = shapely.total_bounds([shape(f["geometry"]) for f in inputs["layers"][name]["features"]
                                           if f.get("geometry")])
        south, west, north, east = o["bounds"]
        # rounded to 5 decimals (about 1 m), never more
        assert abs(south - s) <= 5e-6 and abs(west - w) <= 5e-6 and abs(north - n) <= 5e-6 and abs(east - e) <= 5e-6
    inp = dict(inputs)
    html = story.render_map(inp.pop("layers"), **inp)
    call = re.search(r"window\.atlas\.start\(map_frontier, (\{.*?\})\);", html)
    assert call, "atlas.start is not called with the frame"
    assert json.loads(call.group(1))["frame"] == json.loads(json.dumps(frame))
