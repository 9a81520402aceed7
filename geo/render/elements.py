"""The story map's parts as folium elements, written the way folium's own plugins are.

Each part is a :class:`branca.element.MacroElement` subclass with its own small Jinja template
(the ``script`` macro that starts it on the map) and its own small front-end file(s), which it
inlines into the page header once, the way folium's ``JSCSSMixin`` links its CDN files:

============== ======================= ===========================================
element        front-end files         what it does
============== ======================= ===========================================
AtlasLayers    atlas.js, atlas.css     data (topology + points), layers, popups, selection, deep links
               details.js              on a phone, a feature's details in the sheet, not a popup
StoryPanel     story.js                the article with its passages, the panel and skip link
ClaimsPanel    claims.js               the claims ledger with verdict filters
AboutPanel     about.js                how to read the map, data version, layers, sources
Legend         legend.js               the legend (counts follow the date filter), folded by default
DateFilter     timefilter.js           the events' date filter
Search         search.js               search over features and claims
Measure        measure.js              geodesic (WGS84) ruler, geographiclib
Steps          steps.js                step-through reading: previous/next, keys, swipe, play
Locator        locator.js              the locator inset: where the frontier is in the region
============== ======================= ===========================================

Large content (data, third-party code) never passes through Jinja: it is added as :class:`Raw`
elements, whose text is written verbatim (branca compiles the output of a ``MacroElement``'s
macros as a template again, so ``{{`` inside data would otherwise be evaluated).

Ids are deterministic without touching branca: every element here is given an explicit ``_id``
(``Element._id`` is a plain attribute that ``get_name()`` reads).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.errors import GeoError
from geo.render import assets


class Raw(Element):
    """Text written into the page exactly as given (no Jinja)."""

    def __init__(self, text: str, *, element_id: str = "raw") -> None:
        super().__init__()
        self._name = "Raw"
        self._id = element_id
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def inline_script(code: str) -> str:
    return f"<script>{assets.script_safe(code)}</script>"


def inline_style(css: str) -> str:
    return f"<style>{assets.style_safe(css)}</style>"


class AtlasElement(MacroElement):
    """Base of the map's parts: explicit id, own front-end files inlined once into the header."""

    #: Our own files next to this module (geo/render/*.js, *.css) this part needs.
    own_js: tuple[str, ...] = ()
    own_css: tuple[str, ...] = ()
    #: Header blocks (name, html) from third-party packages (see assets.py).
    vendor_head: tuple[tuple[str, str], ...] = ()

    def __init__(self, name: str, **options: Any) -> None:
        super().__init__()
        self._name = name
        self._id = name.lower()
        self.options = options

    def html_blocks(self) -> list[tuple[str, str, bool]]:
        """(name, html, first) blocks this part adds to <body>; ``first`` puts it before the map."""
        return []

    def render(self, **kwargs: Any) -> Any:
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        for name, text in self.vendor_head:
            figure.header.add_child(Raw(text, element_id=name), name=name)
        for fname in self.own_css:
            figure.header.add_child(Raw(inline_style(assets.own_file(fname)), element_id=fname), name=fname)
        for fname in self.own_js:
            figure.header.add_child(Raw(inline_script(assets.own_file(fname)), element_id=fname), name=fname)
        for name, text, first in self.html_blocks():
            el = Raw(text, element_id=name)
            if first:
                figure.html.add_child(el, name=name, index=0)
            else:
                figure.html.add_child(el, name=name)
        return super().render(**kwargs)


_START = Template(
    """
    {% macro script(this, kwargs) %}
    window.atlas.{{ this.js_call }}({{ this._parent.get_name() }}, {{ this.options|tojson }});
    {% endmacro %}
    """
)


class AtlasLayers(AtlasElement):
    """The atlas's data and layers on the map (must be added first)."""

    _template = _START
    js_call = "start"
    own_css = ("atlas.css",)
    own_js = ("atlas.js", "details.js")

    def __init__(self, data_json: str, palette_json: str, frame: list[dict[str, Any]] | None = None) -> None:
        # frame: the drawn layers' bounds (story.frame_layers), for the first view before the data are read
        super().__init__("AtlasLayers", frame=frame or [])
        self.data_json = data_json
        self.palette_json = palette_json

    @property
    def vendor_head(self) -> tuple[tuple[str, str], ...]:  # type: ignore[override]
        out = [("leaflet_css", inline_style(assets.leaflet_css())), ("leaflet_js", inline_script(assets.leaflet_js()))]
        for name, code in assets.plugin_js(("topojson-client",)):
            out.append((name, inline_script(code)))
        return tuple(out)

    def html_blocks(self) -> list[tuple[str, str, bool]]:
        return [
            ("atlas_palette", f'<script type="application/json" id="atlas-palette">{self.palette_json}</script>',
             False),
            ("atlas_data", f'<script type="application/json" id="atlas-data">{self.data_json}</script>', False),
        ]


_PANEL_HTML = """<a class="skip-link" href="#atlas-panel-body">Skip to the article</a>
<header id="atlas-head"><button id="atlas-toggle" type="button" aria-controls="atlas-panel" aria-expanded="true">
<span class="close-l">Hide article</span><span class="open-l">Article &amp; claims</span></button>
<h1 id="atlas-title"></h1><p id="atlas-sub"></p></header>
<aside id="atlas-panel" aria-label="Article, claims and sources">
  <div class="tabs" role="tablist" id="atlas-tabs"></div>
  <div id="atlas-panel-body" tabindex="-1"></div>
</aside>
<noscript><p class="noscript">This story map needs JavaScript. The data are in layers/*.geojson.</p></noscript>"""


class StoryPanel(AtlasElement):
    """The panel (a side column on wide screens, a bottom sheet below 1024 px) with the article."""

    _template = _START
    js_call = "storyPanel"
    own_js = ("story.js",)

    def __init__(self) -> None:
        super().__init__("StoryPanel")

    def html_blocks(self) -> list[tuple[str, str, bool]]:
        # first in <body>: the skip link and the panel come before the map in keyboard order
        return [("atlas_panel", _PANEL_HTML, True)]


class ClaimsPanel(AtlasElement):
    _template = _START
    js_call = "claimsPanel"
    own_js = ("claims.js",)

    def __init__(self) -> None:
        super().__init__("ClaimsPanel")


class AboutPanel(AtlasElement):
    _template = _START
    js_call = "aboutPanel"
    own_js = ("about.js",)

    def __init__(self, data_version: str | None) -> None:
        super().__init__("AboutPanel", data_version=data_version)


class Legend(AtlasElement):
    _template = _START
    js_call = "legend"
    own_js = ("legend.js",)

    def __init__(self) -> None:
        super().__init__("Legend")


class DateFilter(AtlasElement):
    _template = _START
    js_call = "dateFilter"
    own_js = ("timefilter.js",)

    def __init__(self) -> None:
        super().__init__("DateFilter")


class Search(AtlasElement):
    _template = _START
    js_call = "search"
    own_js = ("search.js",)

    def __init__(self) -> None:
        super().__init__("Search")


class Measure(AtlasElement):
    _template = _START
    js_call = "measure"
    own_js = ("measure.js",)

    def __init__(self) -> None:
        super().__init__("Measure")

    @property
    def vendor_head(self) -> tuple[tuple[str, str], ...]:  # type: ignore[override]
        return tuple((n, inline_script(c)) for n, c in assets.plugin_js(("geographiclib-geodesic",)))


class Steps(AtlasElement):
    """Step-through reading: each step frames and highlights everything a passage names."""

    _template = _START
    js_call = "steps"
    own_js = ("steps.js",)

    def __init__(self, play_ms: int = 4000) -> None:
        super().__init__("Steps", play_ms=play_ms)


class Locator(AtlasElement):
    """A small inset map of the region with the frontier and the current view marked."""

    _template = _START
    js_call = "locator"
    own_js = ("locator.js",)

    def __init__(self) -> None:
        super().__init__("Locator")


class Fullscreen(AtlasElement):
    """leaflet.fullscreen on the whole page (map and article), not the map alone."""

    _template = _START
    js_call = "fullscreen"

    def __init__(self) -> None:
        super().__init__("Fullscreen")

    @property
    def vendor_head(self) -> tuple[tuple[str, str], ...]:  # type: ignore[override]
        out = [(n, inline_style(c)) for n, c in assets.plugin_css(("leaflet.fullscreen",))]
        out += [(n + "_js", inline_script(c)) for n, c in assets.plugin_js(("leaflet.fullscreen",))]
        return tuple(out)


class Finish(AtlasElement):
    """Applies the deep link and marks the page ready, after every other part has started."""

    _template = _START
    js_call = "finish"

    def __init__(self) -> None:
        super().__init__("Finish")


# --------------------------------------------------------------------------- the page
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
csp_for = assets.csp_for


_REMOTE = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', re.IGNORECASE)


class OfflineError(GeoError):
    """A folium element a user added needs a file from the network (a CDN)."""


def _walk(el: Element, seen: set[int] | None = None) -> Any:
    """``el`` and every element under it, each once: its children and, for a popup or a figure,
    the header, html and script parts it keeps outside its children (a Popup's IFrame is there)."""
    seen = set() if seen is None else seen
    if id(el) in seen:
        return
    seen.add(id(el))
    yield el
    parts = [getattr(el, a, None) for a in ("header", "html", "script")]
    for child in [*el._children.values(), *(p for p in parts if isinstance(p, Element))]:
        yield from _walk(child, seen)


#: Attributes of folium's elements that hold a file the page fetches when shown: tile and WMS
#: layers (``tiles``, ``url``), ``ImageOverlay`` (``url``), ``VideoOverlay`` (``video_url``),
#: ``GeoJson`` given a URL (``embed_link``), ``CustomIcon`` (``options`` ``icon_url``,
#: ``shadow_url``). ``data:`` URIs (an image folium inlined from an array or a local file) need no
#: network.
_FETCHED_ATTRS = ("tiles", "url", "video_url", "embed_link")
_FETCHED_OPTIONS = ("icon_url", "shadow_url")


def _declared_files(e: Element) -> list[str]:
    """What one of a user's folium elements loads: its CDN files (folium's JSCSSMixin
    ``default_js`` / ``default_css``: MarkerCluster, HeatMap...) and the images or video it shows."""
    from folium import folium as folium_map

    files = [str(url) for _name, url in [*getattr(e, "default_js", []), *getattr(e, "default_css", [])]]
    if type(e).__name__ == "Icon":  # folium.Icon draws with awesome-markers, which folium's Map links
        files += [url for name, url in folium_map._default_js if "awesome" in name]
    if type(e).__module__.startswith(("folium.", "branca.")):
        files += [v for a in _FETCHED_ATTRS if isinstance(v := getattr(e, a, None), str)]
        options = getattr(e, "options", None)
        if isinstance(options, dict):
            files += [v for a in _FETCHED_OPTIONS if isinstance(v := options.get(a), str)]
    return files


def _network_file(root: Element) -> str | None:
    """The first file from the network that a user's folium element needs, or None. The atlas's
    map itself is skipped: its Leaflet is inlined from the registry package instead."""
    for e in _walk(root):
        if type(e).__name__ in ("Map", "StoryMap"):
            continue
        for url in _declared_files(e):
            if url and not url.startswith("data:"):
                return url
    return None


class AtlasFigure(Figure):
    """folium's page (branca Figure) with pinch zoom allowed, a language and a Content-Security-Policy.

    The policy is computed when the page is rendered (``save()``, notebook display), so it also
    covers folium layers a user adds: it allows no network at all; pass ``csp=False`` to
    :func:`geo.render.story_map` to show online tiles.
    """

    def __init__(self, *, title: str, csp: bool = True) -> None:
        super().__init__(title=title)
        self._id = "page"
        self.csp = csp

    def render(self, **kwargs: Any) -> str:
        # folium's Popup builds its content with jQuery ($): inline the registry's jQuery (the
        # version folium itself links) once, when the page has a popup of a notebook user's
        kinds = {type(e).__name__ for e in _walk(self) if type(e).__module__.startswith(("folium", "branca"))}
        if kinds & {"Popup"}:
            self.header.add_child(Raw(inline_script(assets.jquery_js()), element_id="jquery"), name="jquery")
        # Leaflet's default marker icon, from the Leaflet package's images (before any marker is added)
        if kinds & {"Marker"}:
            self.script.add_child(Raw(assets.leaflet_icon_defaults(), element_id="icon_defaults"),
                                  name="icon_defaults", index=0)
        if not self.csp and kinds & {"Icon"}:
            # online use (csp=False): folium.Icon's awesome-markers, linked as folium's own Map links them
            from branca.element import CssLink, JavascriptLink
            from folium import folium as folium_map

            for name, url in folium_map._default_js:
                if "awesome" in name:
                    self.header.add_child(JavascriptLink(url), name=name)
            for name, url in folium_map._default_css:
                if "awesome" in name:
                    self.header.add_child(CssLink(url), name=name)
        out = super().render(**kwargs)
        if self.csp:
            linked = _REMOTE.search(out)
            remote = linked.group(1) if linked else _network_file(self)
            if remote:
                msg = (
                    f"story_map: a folium element added to the map loads {remote} when the page is shown, "
                    "which the offline page cannot do (its Content-Security-Policy allows no network); "
                    "use an element that needs no CDN file or remote image (CircleMarker, DivIcon, GeoJson, "
                    "an ImageOverlay of an array) or story_map(csp=False)"
                )
                raise OfflineError(msg)
        out = _VIEWPORT.sub('<meta name="viewport" content="width=device-width, initial-scale=1" />', out, count=1)
        out = out.replace("<html>", '<html lang="en">', 1)
        if self.csp:
            policy = csp_for(out)
            if kinds & {"IFrame"}:
                # folium.IFrame (an HTML popup) is a data: frame: no network, and it inherits this
                # policy (a local-scheme document does), so allow data: frames and no other
                policy = policy.replace("frame-src 'none'", "frame-src data:")
            meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}" />'
            out = out.replace("<head>", "<head>\n" + meta, 1)
        return out


@functools.cache
def story_map_class() -> type:
    """folium.Map whose ``save()`` renders the page before it opens the file: a page that cannot
    work offline (see :class:`OfflineError`) leaves the file as it was, never empty or half written."""
    import os

    import folium

    class StoryMap(folium.Map):
        def save(self, outfile: Any, close_file: bool = True, **kwargs: Any) -> None:
            if not isinstance(outfile, (str, bytes, os.PathLike)):
                super().save(outfile, close_file=close_file, **kwargs)
                return
            html = self.get_root().render(**kwargs)
            target = os.fsdecode(outfile)
            tmp = target + ".tmp"
            with open(tmp, "wb") as fid:
                fid.write(html.encode("utf8"))
            os.replace(tmp, target)

    return StoryMap
