"""Render the layers, claims and article into one self-contained, deterministic story-map HTML."""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from geo import palette
from geo.render import assets
from geo.render.display import display_collection

#: Layers drawn, in the order they are embedded (others that appear are drawn after these).
LAYER_NAMES: tuple[str, ...] = (
    "context",
    "provinces",
    "border",
    "pipeline",
    "markets",
    "crossings",
    "places",
    "events",
)
#: Where the map opens if no layer gives a frame: lat, lon (the Taftan-Mirjaveh area).
DEFAULT_CENTER: tuple[float, float] = (28.5, 61.5)
DEFAULT_ZOOM: int = 6

_ID_LOCK = threading.Lock()


@contextlib.contextmanager
def stable_element_ids(prefix: str = "atlas") -> Iterator[None]:
    """Replace branca's random element ids (hexlify(urandom(16))) with a counter while rendering.

    branca 0.8.2 makes ``Element._generate_id`` an overridable classmethod (branca PR #203).
    """
    from branca.element import Element

    counter = itertools.count(1)
    with _ID_LOCK:
        original = Element.__dict__["_generate_id"]
        Element._generate_id = classmethod(lambda cls: f"{prefix}{next(counter):03d}")  # type: ignore[method-assign]
        try:
            yield
        finally:
            Element._generate_id = original  # type: ignore[method-assign]


def json_for_script(obj: Any) -> str:
    """JSON that is safe inside <script type="application/json">: <, >, & and line separators escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# --------------------------------------------------------------------------- article passages
def _annotations(layers: Mapping[str, dict], claims: list[dict]) -> list[dict[str, Any]]:
    out = []
    for name in layers:
        for f in (layers[name] or {}).get("features") or []:
            p = f.get("properties") or {}
            if isinstance(p.get("article_paragraph"), int) and p.get("article_quote"):
                out.append({"id": str(f.get("id")), "kind": name, **_loc(p)})
    for c in claims:
        if isinstance(c.get("article_paragraph"), int) and c.get("article_quote"):
            out.append({"id": str(c.get("id")), "kind": "claim", **_loc(c)})
    return out


def _loc(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "paragraph": p.get("article_paragraph"),
        "start": p.get("article_start"),
        "end": p.get("article_end"),
        "quote": p.get("article_quote"),
    }


def resolve_passages(
    paragraphs: list[str], annotations: list[dict[str, Any]]
) -> tuple[list[list[list[Any]]], list[str]]:
    """Split each paragraph into [text, [ids...]] segments: plain text, and passages.

    An annotation is placed by its paragraph and offsets when the text there equals its quote;
    otherwise at the first occurrence of the quote in that paragraph; otherwise it is reported
    in the returned list of unplaced annotations (shown under the article, never dropped silently).

    Overlapping quotes are never cut into fragments: they form one passage covering their union,
    annotated by all of them, in reading order (earlier start first; at equal starts the longer
    quote first; then by id). Every passage is therefore at least one whole quote long.
    """
    spans: dict[int, list[tuple[int, int, str]]] = {}
    unplaced: list[str] = []
    for a in annotations:
        pi, quote = a["paragraph"], a["quote"]
        if not (1 <= pi <= len(paragraphs)):
            unplaced.append(f"{a['id']}: paragraph {pi} does not exist")
            continue
        text = paragraphs[pi - 1]
        s, e = a.get("start"), a.get("end")
        if not (isinstance(s, int) and isinstance(e, int) and text[s:e] == quote):
            s = text.find(quote)
            e = s + len(quote)
        if s < 0 or e <= s:
            unplaced.append(f"{a['id']}: quote not found in paragraph {pi}: {quote}")
            continue
        spans.setdefault(pi, []).append((s, e, a["id"]))
    out: list[list[list[Any]]] = []
    for pi, text in enumerate(paragraphs, start=1):
        # union of overlapping quotes (touching ones stay separate passages)
        groups: list[list[Any]] = []  # [start, end, [(start, -len, id), ...]]
        for s, e, fid in sorted(spans.get(pi, [])):
            if groups and s < groups[-1][1]:
                groups[-1][1] = max(groups[-1][1], e)
                groups[-1][2].append((s, s - e, fid))
            else:
                groups.append([s, e, [(s, s - e, fid)]])
        segs: list[list[Any]] = []
        pos = 0
        for s, e, members in groups:
            if s > pos:
                segs.append([text[pos:s], []])
            segs.append([text[s:e], list(dict.fromkeys(fid for *_, fid in sorted(members)))])
            pos = e
        if pos < len(text):
            segs.append([text[pos:], []])
        out.append(segs)
    return out, unplaced


# --------------------------------------------------------------------------- payload
#: Geometries whose JSON is at least this long are embedded once and referenced by later features.
SHARE_GEOMETRY_MIN_CHARS: int = 1000


def _share_geometries(shown: dict[str, dict[str, Any]]) -> None:
    """Replace repeated display geometries (e.g. events drawn along the border) by references."""
    seen: dict[str, list[Any]] = {}
    for name, fc in shown.items():
        for i, f in enumerate(fc["features"]):
            g = f.get("geometry")
            if g is None:
                continue
            key = json.dumps(g, separators=(",", ":"))
            if len(key) < SHARE_GEOMETRY_MIN_CHARS:
                continue
            if key in seen:
                f["geometry"] = None
                f["geometry_ref"] = seen[key]
            else:
                seen[key] = [name, i]


def build_payload(
    layers: Mapping[str, dict],
    *,
    claims: Mapping[str, Any],
    article: Mapping[str, Any],
    sources: Mapping[str, dict],
) -> dict[str, Any]:
    """Everything the page's script needs, as one JSON-able dict (display geometry, not the layers')."""
    names = [n for n in LAYER_NAMES if n in layers] + sorted(n for n in layers if n not in LAYER_NAMES)
    shown = {
        n: display_collection(layers[n])
        for n in names
        if isinstance(layers[n], Mapping) and (layers[n].get("features") or [])
    }
    _share_geometries(shown)
    for fc in shown.values():
        md = fc.get("metadata")
        fc["metadata"] = (
            {k: md.get(k) for k in ("title", "description", "license", "attribution")}
            if isinstance(md, Mapping)
            else {}
        )
        fc.pop("name", None)
    claim_list = list((claims or {}).get("claims") or [])
    paragraphs = [str(p) for p in (article or {}).get("paragraphs") or []]
    segs, unplaced = resolve_passages(paragraphs, _annotations(layers, claim_list))
    return {
        "layers": shown,
        "claims": claim_list,
        "sources": {str(k): dict(v) for k, v in sorted((sources or {}).items())},
        "article": {
            "title": (article or {}).get("title") or "",
            "publisher": (article or {}).get("publisher") or "",
            "paragraphs": segs,
        },
        "unlinked": unplaced,
    }


def page_palette(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The palette the page draws with (geo/palette.py), event type colours resolved for its events."""
    events = ((payload.get("layers") or {}).get("events") or {}).get("features") or []
    return palette.web_palette((f.get("properties") or {}).get("event_type") for f in events)


# --------------------------------------------------------------------------- page
_PANEL_HTML = """
<button id="atlas-toggle" type="button" aria-controls="atlas-panel" aria-expanded="true">
  <span class="close-l">&#9664; Hide article</span><span class="open-l">&#9654; Article &amp; claims</span>
</button>
<aside id="atlas-panel" aria-label="Article and claims">
  <div class="panel-head">
    <h1 id="atlas-title"></h1>
    <div class="pub" id="atlas-publisher"></div>
    <div class="tabs" role="tablist">
      <button class="tab active" role="tab" data-tab="article" type="button">Article</button>
      <button class="tab" role="tab" data-tab="claims" type="button" id="tab-claims-label">Claims</button>
      <button class="tab" role="tab" data-tab="about" type="button">About &amp; sources</button>
    </div>
  </div>
  <section class="tab-body" id="tab-article" role="tabpanel"></section>
  <section class="tab-body" id="tab-claims" role="tabpanel" hidden></section>
  <section class="tab-body" id="tab-about" role="tabpanel" hidden></section>
</aside>
<noscript><p style="position:absolute;z-index:2000;top:40%;left:0;right:0;text-align:center">
This story map needs JavaScript. The data are in layers/*.geojson.</p></noscript>
"""


def _head_assets() -> str:
    parts = ['<meta name="generator" content="geo.render (Iran-Pakistan frontier atlas)" />']
    parts.append(
        f"<style>/* Leaflet 1.9.4 (BSD-2-Clause) */\n{assets.style_safe(assets.leaflet_css())}</style>"
    )
    for name, css in assets.plugin_css():
        parts.append(f"<style>/* {name} */\n{assets.style_safe(css)}</style>")
    # the sea (the map's background) is part of the palette: atlas.css reads it as var(--sea)
    parts.append(f"<style>:root {{ --sea: {palette.SEA}; }}</style>")
    parts.append(f"<style>{assets.style_safe(assets.own_file('atlas.css'))}</style>")
    parts.append(
        f"<script>/* Leaflet 1.9.4 (BSD-2-Clause) */\n{assets.script_safe(assets.leaflet_js())}</script>"
    )
    for name, js in assets.plugin_js():
        parts.append(f"<script>/* {name} */\n{assets.script_safe(js)}</script>")
    return "\n".join(parts)


def render_map(
    layers: dict[str, dict],
    *,
    claims: dict,
    article: dict,
    sources: dict[str, dict],
) -> str:
    """Render the story map: one self-contained HTML string (writes nothing).

    Parameters
    ----------
    layers
        Layer name -> GeoJSON FeatureCollection dict, exactly as written to layers/ (context,
        provinces, border, pipeline, markets, crossings, places, events; any may be missing).
    claims
        The claims ledger, ``{"claims": [...]}``.
    article
        ``{"title": str, "publisher": str, "paragraphs": [str, ...]}``; ``article_paragraph``
        values in the layers and claims are 1-based indexes into ``paragraphs``.
    sources
        Source id -> ``{"id", "title", "publisher", "date", "url"}``.

    Returns
    -------
    str
        The HTML. It inlines Leaflet, its plugins and the data; it requests nothing from the
        network unless the reader picks an online base map. Two calls with equal inputs give
        equal strings.
    """
    import folium
    from branca.element import Element, MacroElement
    from jinja2 import Template

    payload = build_payload(layers, claims=claims, article=article, sources=sources)
    data_json = json_for_script(payload)
    palette_json = json_for_script(page_palette(payload))
    title = (article or {}).get("title") or "Iran–Pakistan frontier atlas"

    class AtlasApp(MacroElement):
        """The page's own panel, data and start-up call, attached to the folium map."""

        _template = Template(
            """
            {% macro html(this, kwargs) %}@@ATLAS_PANEL@@
            <script type="application/json" id="atlas-palette">@@ATLAS_PALETTE@@</script>
            <script type="application/json" id="atlas-data">@@ATLAS_DATA@@</script>
            <script>@@ATLAS_JS@@</script>
            {% endmacro %}
            {% macro script(this, kwargs) %}
            window.atlas.start({{ this._parent.get_name() }});
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "AtlasApp"

    with stable_element_ids():
        m = folium.Map(
            location=list(DEFAULT_CENTER),
            zoom_start=DEFAULT_ZOOM,
            tiles=None,
            control_scale=False,
            prefer_canvas=False,
            zoom_snap=0.25,
            world_copy_jump=False,
            minZoom=3,
        )
        # Replace, not supplement, folium's CDN lists (jQuery, Bootstrap, awesome-markers, fonts):
        # instance attributes shadow the class lists that JSCSSMixin.render() would link.
        m.default_js = []
        m.default_css = []
        fig = m.get_root()
        fig.title = html.escape(str(title), quote=True)
        fig.header.add_child(Element("@@ATLAS_ASSETS@@"), name="atlas_assets")
        m.add_child(AtlasApp(), name="atlas_app")
        out = fig.render()
    # Large blobs are spliced in after rendering: branca compiles rendered macro output as a
    # Jinja template again, so "{{", "{%" or "{#" inside data or third-party code must never pass
    # through it (folium #1640 / geopandas #2657).
    blobs = {
        "@@ATLAS_ASSETS@@": _head_assets(),
        "@@ATLAS_PANEL@@": _PANEL_HTML,
        "@@ATLAS_PALETTE@@": palette_json,
        "@@ATLAS_DATA@@": data_json,
        "@@ATLAS_JS@@": assets.script_safe(assets.own_file("atlas.js")),
    }
    for key in blobs:
        if out.count(key) != 1:
            msg = f"story map template: placeholder {key} found {out.count(key)} times, expected once"
            raise RuntimeError(msg)
    pattern = re.compile("|".join(re.escape(k) for k in blobs))
    out = pattern.sub(lambda mt: blobs[mt.group(0)], out)
    return out.replace("<html>", '<html lang="en">', 1)
