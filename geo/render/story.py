"""The story map: ``story_map()`` (a folium.Map for notebooks) and ``render_map()`` (the HTML the pipeline writes)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from geo import catalog, palette
from geo.render import display

#: Where the map opens if no layer gives a frame: lat, lon (the Taftan-Mirjaveh area).
DEFAULT_CENTER: tuple[float, float] = (28.5, 61.5)
DEFAULT_ZOOM: int = 6
#: Pane of a layer the catalog does not know (drawn above the areas, below the points).
UNKNOWN_PANE: int = 440


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
        "article_id": str(p.get("article_id") or ""),
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
#: Properties never shown on the map (URLs are resolved from the sources table instead).
DROPPED_PROPERTIES: frozenset[str] = frozenset({"source_urls"})


def popup_fields(name: str) -> list[dict[str, str]]:
    """The fields a popup lists for catalog layer ``name``, in its schema's order, each as
    ``{"name", "title"}`` plus ``"unit"`` when the schema gives one. A property the schema marks
    ``"x-map": false`` (the name heading, the article quote, the source list show those their own
    way) or the payload drops is left out; a new schema property is listed without any other edit."""
    out = []
    for key, spec in catalog.fields(name).items():
        if spec.get("x-map") is False or key in DROPPED_PROPERTIES:
            continue
        entry = {"name": key, "title": str(spec.get("title") or key)}
        if spec.get("unit"):
            entry["unit"] = str(spec["unit"])
        out.append(entry)
    return out


def layer_order(layers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The layers to draw, bottom to top: catalog layers by map pane, then any layer it does not know."""
    known = set(catalog.names())
    out = []
    for name in catalog.map_order():
        if name in layers:
            lyr = catalog.get(name)
            out.append({"name": name, "label": lyr.map_label, "pane": lyr.map_pane, "geometry": lyr.geometry,
                        "frame": lyr.map_frame, "extent": lyr.in_atlas_extent})
    for name in sorted(n for n in layers if n not in known):
        out.append({"name": name, "label": name, "pane": UNKNOWN_PANE, "geometry": "mixed", "frame": False,
                    "extent": True})
    return out


def _article_entry(article: Mapping[str, Any], segs: list[list[list[Any]]]) -> dict[str, Any]:
    """One article as the page reads it (paragraphs resolved into passage segments)."""
    return {
        "id": str(article.get("id") or ""),
        "title": article.get("title") or "",
        "publisher": article.get("publisher") or "",
        "date": article.get("date") or "",
        "url": article.get("url") or "",
        "note": article.get("note") or "",
        "paragraphs": segs,
    }


def article_entries(
    articles: Sequence[Mapping[str, Any]], layers: Mapping[str, dict], claims: list[dict],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every article newest first (undated last), each with its paragraphs resolved into passages
    of its own events and claims (with one article, every annotation is its own, as before articles
    had ids; with several, one without article_id belongs to the first); and the annotations no
    article could place."""
    from geo.build.article import newest_first

    ordered = newest_first(articles)
    first = str(ordered[0].get("id") or "") if ordered else ""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for a in _annotations(layers, claims):
        aid = a.pop("article_id")
        by_article.setdefault(first if len(ordered) == 1 else aid or first, []).append(a)
    known = {str(a.get("id") or "") for a in ordered}
    unplaced = [f"{a['id']}: unknown article {aid!r}" for aid, items in sorted(by_article.items())
                if aid not in known for a in items]
    out = []
    for art in ordered:
        paragraphs = [str(p) for p in art.get("paragraphs") or []]
        segs, missed = resolve_passages(paragraphs, by_article.get(str(art.get("id") or ""), []))
        unplaced += missed
        out.append(_article_entry(art, segs))
    return out, unplaced


#: The fields of a source the page shows (title, publisher, date and a link).
SOURCE_FIELDS: tuple[str, ...] = ("title", "publisher", "date", "url")


def build_payload(
    layers: Mapping[str, dict],
    *,
    claims: Mapping[str, Any],
    article: Mapping[str, Any],
    sources: Mapping[str, dict],
    articles: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything the page's script needs, as one JSON-able dict.

    ``articles`` (newest first; default: ``[article]``) become ``"articles"``, each with its own
    passages (the text is in the payload once: there is no separate ``"article"``);
    ``"mentions"`` maps every feature an article's events, claims or passages name to the ids of
    those articles (geo.build.article.mentions).

    Points are embedded as rounded coordinates; every line and area goes into one TopoJSON
    topology (display.topology): each shared line (the border, which both provinces and several
    events follow) is stored once, simplified within display.DISPLAY_TOLERANCE_M of the layer,
    quantized and delta-encoded; the page decodes it with topojson-client.
    """
    order = [o for o in layer_order(layers) if (layers[o["name"]] or {}).get("features")]
    shown: dict[str, dict[str, Any]] = {}
    for o in order:
        fc = layers[o["name"]]
        md = fc.get("metadata") if isinstance(fc.get("metadata"), Mapping) else {}
        feats = []
        for f in fc.get("features") or []:
            g = f.get("geometry")
            # a licence or attribution equal to the layer's is said once, in the layer's metadata
            props = {
                k: v
                for k, v in (f.get("properties") or {}).items()
                if k not in DROPPED_PROPERTIES and not (k in ("license", "attribution") and v == (md or {}).get(k))
            }
            out: dict[str, Any] = {"id": f.get("id"), "properties": props}
            if g is not None and g.get("type") in ("Point", "MultiPoint"):
                out["geometry"] = display.display_geometry(g)
            feats.append(out)
        # a property with one value in every feature is stored once, in "common" (restored in the page)
        common: dict[str, Any] = {}
        if len(feats) > 1:
            first = feats[0]["properties"]
            for k, v in first.items():
                if all(k in f["properties"] and f["properties"][k] == v for f in feats[1:]):
                    common[k] = v
            for f in feats:
                f["properties"] = {k: v for k, v in f["properties"].items() if k not in common}
        shown[o["name"]] = {
            "metadata": {k: (md or {}).get(k) for k in ("title", "description", "license", "attribution")},
            "common": common,
            "features": feats,
        }
        if catalog.has(o["name"]):
            shown[o["name"]]["fields"] = popup_fields(o["name"])
    topo = display.topology({o["name"]: layers[o["name"]] for o in order})
    claim_list = list((claims or {}).get("claims") or [])
    for c in claim_list:
        c.pop("source_urls", None)
    from geo.build.article import mentions

    shown_ids = {str(f["id"]) for layer in shown.values() for f in layer["features"]}

    entries, unplaced = article_entries(list(articles) if articles else [article or {}], layers, claim_list)
    return {
        "order": order,
        "layers": shown,
        "topology": topo,
        "claims": claim_list,
        # what the page shows of a source (atlas.js sourceList): its notes and row stay in seeds/sources.csv
        "sources": {str(k): {f: v.get(f) for f in SOURCE_FIELDS} for k, v in sorted((sources or {}).items())},
        "articles": entries,
        # what a feature's popup lists: only features (a claim is its own article's, said in its card)
        "mentions": {fid: aids for fid, aids in mentions(layers, claim_list, [e["id"] for e in entries]).items()
                     if fid in shown_ids},
        "unlinked": unplaced,
    }


def page_palette(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The palette the page draws with (geo/palette.py), event type colours resolved for its events."""
    events = ((payload.get("layers") or {}).get("events") or {}).get("features") or []
    return palette.web_palette((f.get("properties") or {}).get("event_type") for f in events)


def data_version() -> str | None:
    """``geo.version.DATA_VERSION`` (the release's data version)."""
    from geo import version

    return str(version.DATA_VERSION)


# --------------------------------------------------------------------------- the map
def frame_layers(layers: Mapping[str, dict], order: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each drawn layer's name, its frame/extent flags and bounding box [south, west, north, east]
    (5 decimals): the page fits its first view with these in its first script, before it has read
    the data, so the view does not move under a reader's finger once the provinces are drawn."""
    import shapely
    from shapely.geometry import shape

    out = []
    for o in order:
        geoms = [shape(f["geometry"]) for f in layers[o["name"]].get("features") or [] if f.get("geometry")]
        if not geoms:
            continue
        w, s, e, n = (round(float(v), 5) for v in shapely.total_bounds(geoms))
        out.append({"name": o["name"], "frame": o["frame"], "extent": o["extent"], "bounds": [s, w, n, e]})
    return out


def build_map(
    layers: Mapping[str, dict],
    *,
    claims: Mapping[str, Any],
    article: Mapping[str, Any],
    sources: Mapping[str, dict],
    csp: bool = True,
    articles: Sequence[Mapping[str, Any]] | None = None,
) -> Any:
    """The story map as a folium.Map made of the atlas's elements (see geo/render/elements.py)."""

    from geo.render import elements as el

    claims = json.loads(json.dumps(claims or {}))  # build_payload trims the copy, never the caller's
    payload = build_payload(layers, claims=claims, article=article, sources=sources, articles=articles)
    title = str(payload["articles"][0].get("title") or "Iran–Pakistan frontier atlas")

    m = el.story_map_class()(
        location=list(DEFAULT_CENTER),
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        control_scale=False,
        prefer_canvas=False,
        zoom_snap=0.25,
        world_copy_jump=False,
        minZoom=3,
    )
    m._id = "frontier"  # a fixed id (branca reads Element._id): deterministic, no patching
    # no CDN files (jQuery, Bootstrap, fonts): everything the page needs is inlined
    m.default_js = []
    m.default_css = []
    import html

    fig = el.AtlasFigure(title=html.escape(title, quote=True), csp=csp)
    fig.add_child(m)
    fig.header.add_child(
        el.Raw('<meta name="generator" content="geo.render (Iran-Pakistan frontier atlas)" />',
               element_id="generator"),
        name="generator",
    )
    fig.header.add_child(el.Raw(f"<style>:root {{ --sea: {palette.SEA}; }}</style>", element_id="sea"), name="sea")
    m.add_child(el.AtlasLayers(json_for_script(payload), json_for_script(page_palette(payload)),
                               frame=frame_layers(layers, payload["order"])))
    m.add_child(el.StoryPanel())
    m.add_child(el.ClaimsPanel())
    m.add_child(el.AboutPanel(data_version()))
    m.add_child(el.Fullscreen())
    m.add_child(el.Measure())
    m.add_child(el.Search())
    m.add_child(el.DateFilter())
    m.add_child(el.Legend())
    m.add_child(el.Locator())
    m.add_child(el.Steps())
    m.add_child(el.Finish())
    return m


def load_inputs(layers_dir: Path | None = None, seeds_dir: Path | None = None) -> dict[str, Any]:
    """build_map's arguments from files: layers/*.geojson (every catalog layer on the map),
    layers/claims.json, seeds/articles/*/ and seeds/sources.csv."""
    from geo import settings
    from geo.build import seeds
    from geo.build.article import load_articles

    ldir = Path(layers_dir or settings.LAYERS_DIR)
    sdir = Path(seeds_dir or settings.SEEDS_DIR)
    layers = {}
    for name in catalog.map_order():
        path = catalog.get(name).path(ldir)
        if path.is_file():
            layers[name] = json.loads(path.read_text(encoding="utf-8"))
    cpath = ldir / catalog.CLAIMS_FILE
    claims = json.loads(cpath.read_text(encoding="utf-8")) if cpath.is_file() else {"claims": []}
    articles = load_articles(sdir)
    return {"layers": layers, "claims": claims, "article": articles[0], "articles": articles,
            "sources": seeds.read_sources(sdir)}


def story_map(layers_dir: str | Path | None = None, *, csp: bool = True) -> Any:
    """The atlas's story map as a :class:`folium.Map`, read from the built layers.

    ``layers_dir`` defaults to the checkout's ``layers/`` (run ``geo build`` first). The article
    and sources are read from ``seeds/``. Add your own folium layers to the result and display it
    in a notebook or ``save()`` it: the page inlines Leaflet, its plugins and the data, so it works
    offline. ``csp=True`` (the default) adds a Content-Security-Policy that allows no network at all
    (no tiles, no CDN scripts) and only the page's own scripts, computed when the page is rendered;
    pass ``csp=False`` to add online tile layers or plugins that load files from a CDN. docs/map.md
    lists which folium elements work offline and which stop ``save()`` (:class:`geo.render.elements.OfflineError`).

    >>> import folium, geo.render
    >>> m = geo.render.story_map()
    >>> folium.Marker([26.6, 64.2], popup="my text", tooltip="my tip").add_to(m)  # doctest: +SKIP
    >>> m.save("my_map.html")                                      # doctest: +SKIP
    """
    inputs = load_inputs(Path(layers_dir) if layers_dir is not None else None)
    layers = inputs.pop("layers")
    return build_map(layers, csp=csp, **inputs)


def render_map(
    layers: dict[str, dict],
    *,
    claims: dict,
    article: dict,
    sources: dict[str, dict],
    articles: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """Render the story map: one self-contained HTML string (writes nothing).

    Parameters
    ----------
    layers
        Layer name -> GeoJSON FeatureCollection dict, exactly as written to layers/ (any catalog
        layer; any may be missing; layers the catalog marks ``on_map=False`` are not drawn).
    claims
        The claims ledger, ``{"claims": [...]}``.
    article
        ``{"title": str, "publisher": str, "paragraphs": [str, ...]}``; ``article_paragraph``
        values in the layers and claims are 1-based indexes into ``paragraphs``.
    articles
        Every article (``article`` plus ``"id"``, ``"date"``, ``"url"``, ``"note"``); a record's
        ``article_id`` names the article its paragraph indexes into. Default: ``[article]``.
    sources
        Source id -> ``{"id", "title", "publisher", "date", "url"}``.

    Returns
    -------
    str
        The HTML. It inlines Leaflet, its plugins and the data and requests nothing from the
        network (its Content-Security-Policy forbids it). Two calls with equal inputs give equal
        strings.
    """
    m = build_map(layers, claims=claims, article=article, sources=sources, articles=articles)
    return str(m.get_root().render())
