"""geo/render: the story map HTML (fast checks, no browser; see test_browser.py for those)."""

from __future__ import annotations

import copy
import json
import re

import pytest
from map_sample import EVIL, sample_inputs

from geo.render import render_map
from geo.render.display import DISPLAY_TOLERANCE_M, METRES_PER_DEGREE_MAX, display_collection
from geo.render.story import build_payload, json_for_script, resolve_passages
from tools.render_map import assembled_inputs

MAX_HTML_BYTES = 1_500_000
CDN_HOSTS = (
    "cdn.jsdelivr",
    "code.jquery",
    "cdnjs.cloudflare",
    "bootstrapcdn",
    "fonts.googleapis",
    "fonts.gstatic",
    "unpkg.com",
    "netdna",
)


def _render(**kw):
    inputs = sample_inputs(**kw)
    layers = inputs.pop("layers")
    return render_map(layers, **inputs)


@pytest.fixture(scope="module")
def sample_html() -> str:
    return _render()


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return _render(hostile=True)


@pytest.fixture(scope="module")
def real_inputs():
    """The real layers (layers/*.geojson, else the base layers built from seeds/basemap)."""
    inputs = assembled_inputs()
    assert inputs["layers"], "no real layers: run geo build"
    return inputs


def test_self_contained_no_external_resources(sample_html: str) -> None:
    assert "Leaflet 1.9.4" in sample_html
    assert not re.search(r"<script[^>]+\bsrc=", sample_html, re.IGNORECASE)
    assert not re.search(r"<link\b", sample_html, re.IGNORECASE)
    assert not re.search(r"<img\b", sample_html, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", sample_html, re.IGNORECASE)
    assert "sourceMappingURL" not in sample_html
    for host in CDN_HOSTS:
        assert host not in sample_html, host


def test_folium_defaults_replaced(sample_html: str) -> None:
    for lib in ("jquery", "bootstrap", "awesome-markers", "awesome_markers", "fontawesome", "glyphicons"):
        assert lib not in sample_html.lower(), lib
    assert 'class="folium-map"' in sample_html


def test_deterministic_ids_and_bytes(sample_html: str) -> None:
    assert _render() == sample_html
    assert not re.search(r"[0-9a-f]{32}", sample_html)
    assert "map_frontier" in sample_html


def test_hostile_seed_strings_never_appear_as_markup(hostile_html: str) -> None:
    assert "<img src=x" not in hostile_html
    assert "<script>alert" not in hostile_html
    assert "javascript:alert" in hostile_html.replace("\\u003c", "<")  # kept as data, only shown as text
    title = re.search(r"<title>(.*?)</title>", hostile_html, re.DOTALL).group(1)
    assert "&lt;img src=x onerror=alert(1)&gt;" in title


def test_embedded_json_round_trips_every_string() -> None:
    inputs = sample_inputs(hostile=True)
    layers = inputs.pop("layers")
    html = render_map(layers, **inputs)
    m = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.DOTALL)
    data = json.loads(m.group(1))
    assert data["articles"][0]["title"] == inputs["article"]["title"]
    props = {f["id"]: f["properties"] for f in data["layers"]["pipeline"]["features"]}
    assert props["pipe-iranshahr-border"]["name"].endswith(EVIL)
    assert json.loads(json_for_script("</script><!--\u2028")) == "</script><!--\u2028"


def test_inputs_not_modified() -> None:
    inputs = sample_inputs()
    before = copy.deepcopy(inputs)
    layers = inputs.pop("layers")
    render_map(layers, **inputs)
    assert {"layers": layers, **inputs} == before


def test_missing_and_empty_layers_render() -> None:
    html = render_map(
        {"events": {"type": "FeatureCollection", "features": []}},
        claims={"claims": []},
        article={"title": "t", "publisher": "p", "paragraphs": ["one"]},
        sources={},
    )
    assert "window.atlas.start(map_frontier, " in html


def test_every_layer_and_feature_embedded() -> None:
    inputs = sample_inputs()
    layers = inputs.pop("layers")
    payload = build_payload(layers, **inputs)
    for name, fc in layers.items():
        assert [f["id"] for f in payload["layers"][name]["features"]] == [f["id"] for f in fc["features"]]


def test_passages_use_offsets_quotes_and_report_misses() -> None:
    paras = ["Alpha beta gamma delta.", "Second one."]
    anns = [
        {"id": "a", "paragraph": 1, "start": 6, "end": 16, "quote": "beta gamma"},
        {
            "id": "b",
            "paragraph": 1,
            "start": 0,
            "end": 0,
            "quote": "gamma delta",
        },  # wrong offsets: found by text
        {"id": "c", "paragraph": 2, "start": 0, "end": 3, "quote": "nowhere"},
        {"id": "d", "paragraph": 9, "start": 0, "end": 3, "quote": "x"},
    ]
    segs, unplaced = resolve_passages(paras, anns)
    # overlapping quotes are one passage covering their union, never fragments
    assert segs[0] == [["Alpha ", []], ["beta gamma delta", ["a", "b"]], [".", []]]
    assert "".join(s[0] for s in segs[0]) == paras[0]
    assert segs[1] == [["Second one.", []]]
    assert len(unplaced) == 2 and unplaced[0].startswith("c:") and unplaced[1].startswith("d:")


def test_article_annotations_all_placed_in_sample() -> None:
    inputs = sample_inputs()
    payload = build_payload(inputs.pop("layers"), **inputs)
    assert payload["unlinked"] == []
    ids = {i for p in payload["articles"][0]["paragraphs"] for _, refs in p for i in refs}
    assert {"ev-2024-01-16-iran-strike", "pl-gwadar", "cl-border-959", "cl-iran-completed"} <= ids


def _max_offset_m(orig: dict, shown: dict) -> float:
    from shapely.geometry import shape

    a, b = shape(orig), shape(shown)
    return max(a.hausdorff_distance(b), 0.0) * METRES_PER_DEGREE_MAX


def test_display_simplification_within_tolerance_real(real_inputs) -> None:
    for name, fc in real_inputs["layers"].items():
        shown = display_collection(fc)
        for f, g in zip(fc["features"], shown["features"], strict=True):
            if f["geometry"] is None or f["geometry"]["type"] == "Point":
                continue
            assert _max_offset_m(f["geometry"], g["geometry"]) <= DISPLAY_TOLERANCE_M, (name, f["id"])


def test_real_map_under_size_limit(real_inputs) -> None:
    inputs = dict(real_inputs)
    layers = inputs.pop("layers")
    html = render_map(layers, **inputs)
    assert len(html.encode("utf-8")) < MAX_HTML_BYTES
    assert render_map(layers, **inputs) == html


def test_real_article_annotations_all_placed(real_inputs) -> None:
    inputs = dict(real_inputs)
    payload = build_payload(inputs.pop("layers"), **inputs)
    assert payload["unlinked"] == []


def test_overlapping_quotes_one_passage_touching_ones_separate() -> None:
    paras = ["one two three four five six"]
    anns = [
        {"id": "outer", "paragraph": 1, "start": 4, "end": 18, "quote": "two three four"},
        {"id": "inner", "paragraph": 1, "start": 8, "end": 13, "quote": "three"},
        {"id": "tail", "paragraph": 1, "start": 14, "end": 23, "quote": "four five"},
        {"id": "next", "paragraph": 1, "start": 23, "end": 27, "quote": " six"},  # touches, no overlap
    ]
    segs, unplaced = resolve_passages(paras, anns)
    assert unplaced == []
    assert segs[0] == [["one ", []], ["two three four five", ["outer", "inner", "tail"]], [" six", ["next"]]]


def _quoted_ids(inputs: dict) -> set[str]:
    ids = {
        str(f["id"])
        for fc in inputs["layers"].values()
        for f in fc.get("features") or []
        if (f.get("properties") or {}).get("article_quote")
    }
    return ids | {c["id"] for c in inputs["claims"]["claims"] if c.get("article_quote")}


def test_real_passages_whole_quotes_every_annotation_linked(real_inputs) -> None:
    """QA: overlapping quotes split the article into fragments (", " links; "three-day visit" linked
    to the Karachi leg, not the visit; the Lahore leg unreachable)."""
    inputs = dict(real_inputs)
    layers = inputs.pop("layers")
    payload = build_payload(layers, **inputs)
    quotes: dict[str, str] = {}
    for fc in layers.values():
        for f in fc.get("features") or []:
            if (f.get("properties") or {}).get("article_quote"):
                quotes[str(f["id"])] = f["properties"]["article_quote"]
    quotes.update({c["id"]: c["article_quote"] for c in inputs["claims"]["claims"] if c.get("article_quote")})
    linked: set[str] = set()
    for segs in payload["articles"][0]["paragraphs"]:
        for text, refs in segs:
            if not refs:
                continue
            linked.update(refs)
            # a passage is the union of whole quotes: it contains each of its annotations' quotes
            for r in refs:
                assert quotes[r] in text, (r, text)
            assert re.search(r"\w\w", text), text
    assert linked == _quoted_ids(real_inputs)
    first = payload["articles"][0]["paragraphs"][0]
    visit = next(refs for text, refs in first if "three-day visit" in text)
    assert {
        "ev-2024-04-22-raisi-visit-pakistan",
        "ev-2024-04-23-lahore-leg",
        "ev-2024-04-23-karachi-leg",
    } <= set(visit)
    assert visit[0] == "ev-2024-04-22-raisi-visit-pakistan"  # the outermost quote comes first
