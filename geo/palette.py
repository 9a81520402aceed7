"""The atlas's one palette: every colour, dash, width and symbol rule of the map layers.

Both outputs read it, so they cannot drift:

* the story map (geo/render/story.py) embeds :func:`web_palette` as JSON in
  ``<script type="application/json" id="atlas-palette">`` and geo/render/atlas.js draws with it
  (it has no colours of its own for the data layers);
* the QGIS styles (geo/export/styles.py) are generated from it: the GeoPackage ``layer_styles`` rows and
  the ``layers/<layer>.qml`` sidecars.

Units are the web map's: colours are CSS colours (``#rrggbb``, ``#rgb`` or ``rgba()``), widths,
radii and dash lengths are CSS pixels (Leaflet path options), opacities are 0-1. The style dicts
use Leaflet's option names (``color``, ``weight``, ``opacity``, ``dashArray``, ``lineCap``,
``fillColor``, ``fillOpacity``, ``radius``) so atlas.js passes them to Leaflet unchanged; the QGIS
generator converts pixels to millimetres with :data:`QGIS_MM_PER_PX`.

The keys are the values of the properties the web map and the QGIS rules look at: pipeline
``status`` and ``route_accuracy``, border ``kind``/``variant``, markets/crossings ``status`` and
``verified``, events ``event_type`` and ``geo_precision``, provinces ``country_iso``, context ``role``.

Only the map symbology lives here. The page's own UI colours (panel, passages, verdict badges,
the measure tool) stay in atlas.css / atlas.js.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, TypedDict


class PathStyle(TypedDict, total=False):
    """Leaflet path / circle-marker options (CSS pixels, opacities 0-1)."""

    color: str
    weight: float
    opacity: float
    dashArray: str | None
    lineCap: str
    lineJoin: str
    fill: bool
    fillColor: str
    fillOpacity: float
    radius: float


class StatusStyle(TypedDict):
    """A pipeline status: line colour and dash pattern (``None``: solid)."""

    color: str
    dash: str | None
    label: str


class AccuracyStyle(TypedDict):
    """A pipeline route accuracy (Global Energy Monitor's scale): line width and opacity."""

    weight: float
    opacity: float
    label: str


# ---------------------------------------------------------------------------- pipeline
#: Pipeline segments: colour and dash by ``status`` (the values of the pipeline schema's enum).
PIPELINE_STATUS: Final[dict[str, StatusStyle]] = {
    "operating": {"color": "#1a1a1a", "dash": None, "label": "operating"},
    "construction": {"color": "#d7301f", "dash": "12 5", "label": "construction"},
    "proposed": {"color": "#f16913", "dash": "8 8", "label": "proposed"},
    "idle": {"color": "#8c8c8c", "dash": "3 6", "label": "idle"},
    "mothballed": {"color": "#8c8c8c", "dash": "3 6", "label": "mothballed"},
    "shelved": {"color": "#c9a100", "dash": "3 6", "label": "shelved"},
    "cancelled": {"color": "#8c8c8c", "dash": "1 7", "label": "cancelled"},
    "retired": {"color": "#8c8c8c", "dash": "1 7", "label": "retired"},
}
#: A status the palette does not know (the schema allows none).
PIPELINE_STATUS_DEFAULT: Final[dict[str, str | None]] = {"color": "#555", "dash": "4 4"}
#: Pipeline segments: width and opacity by ``route_accuracy``, most precise first.
ROUTE_ACCURACY: Final[dict[str, AccuracyStyle]] = {
    "very high": {"weight": 6, "opacity": 1.0, "label": "very high (metres)"},
    "high": {"weight": 5, "opacity": 0.95, "label": "high"},
    "medium": {"weight": 4.5, "opacity": 0.85, "label": "medium"},
    "low": {"weight": 3.5, "opacity": 0.75, "label": "low"},
    "very low": {"weight": 3, "opacity": 0.6, "label": "very low (schematic)"},
}
#: A missing or unknown ``route_accuracy`` is drawn as this one.
ROUTE_ACCURACY_DEFAULT: Final[str] = "medium"
#: Line ends of pipeline segments (Leaflet lineCap).
PIPELINE_LINE_CAP: Final[str] = "butt"
#: The gas field (a point in the pipeline layer: South Pars).
GAS_FIELD: Final[PathStyle] = {"radius": 11, "color": "#8c510a", "weight": 3, "fillColor": "#fdb863",
                               "fillOpacity": 0.85}

# ---------------------------------------------------------------------------- border
#: The OpenStreetMap-derived border (``variant`` osm_10m, anything not below).
BORDER: Final[PathStyle] = {"color": "#b2182b", "weight": 3, "opacity": 0.95}
#: Bridged stretches (``kind`` bridged_stretch or ``variant`` bridge): thick orange dots.
BORDER_BRIDGED: Final[PathStyle] = {"color": "#ff7f00", "weight": 7, "opacity": 0.95, "dashArray": "1 9",
                                    "lineCap": "round"}
#: The Natural Earth 1:10m comparison line (``variant`` natural_earth_10m): thin blue dashes.
BORDER_NATURAL_EARTH: Final[PathStyle] = {"color": "#2166ac", "weight": 2, "opacity": 0.9, "dashArray": "6 5"}

# ---------------------------------------------------------------------------- markets, crossings
#: Border markets (squares): colour by ``status`` (the markets schema's enum).
MARKET_STATUS: Final[dict[str, str]] = {
    "proposed": "#f16913", "agreed": "#6a51a3", "construction": "#d7301f", "operating": "#1a9850", "closed": "#737373",
}
#: Border crossings (diamonds): colour by ``status`` (the crossings schema's enum).
CROSSING_STATUS: Final[dict[str, str]] = {"open": "#1a9850", "closed": "#b2182b", "proposed": "#f16913"}
#: A market or crossing status the palette does not know; also the "unverified" legend swatch.
STATUS_DEFAULT: Final[str] = "#555"
#: Square / diamond symbols (atlas.css ``.sym``): a 12 px box with a 2.5 px border; the diamond
#: is the square turned 45 degrees and scaled by 0.9. ``verified`` false: dashed border, this fill.
SYMBOL_BOX_PX: Final[float] = 12
SYMBOL_BORDER_PX: Final[float] = 2.5
SYMBOL_DIAMOND_SCALE: Final[float] = 0.9
SYMBOL_UNVERIFIED_FILL: Final[str] = "rgba(255,255,255,0.6)"

# ---------------------------------------------------------------------------- events
#: Event colours by ACLED ``event_type``.
EVENT_TYPE_FIXED: Final[dict[str, str]] = {
    "Explosions/Remote violence": "#d73027",
    "Strategic developments": "#4575b4",
    "Battles": "#7b3294",
    "Violence against civilians": "#c51b7d",
    "Protests": "#e08214",
    "Riots": "#8c510a",
}
#: Colours for event types not in EVENT_TYPE_FIXED, handed out in the order the types first appear.
EVENT_COLORS: Final[tuple[str, ...]] = ("#d73027", "#4575b4", "#7b3294", "#e08214", "#1b7837", "#c51b7d",
                                        "#35978f", "#8c510a")
#: An event whose type has no colour (the time strip uses EVENT_STRIP_DEFAULT).
EVENT_DEFAULT: Final[str] = "#444"
EVENT_STRIP_DEFAULT: Final[str] = "#555"
#: Point events by ACLED ``geo_precision``: 1 (or missing) exact site, 2 near a town, 3 region.
#: ``"type"`` stands for the event type's colour.
EVENT_POINT: Final[dict[str, PathStyle]] = {
    "exact": {"radius": 8, "color": "#fff", "weight": 2, "fillColor": "type", "fillOpacity": 0.95},
    "near": {"radius": 9, "color": "type", "weight": 3, "fillColor": "#fff", "fillOpacity": 0.9},
    "hollow": {"radius": 13, "color": "type", "weight": 3, "dashArray": "4 3", "fill": True, "fillOpacity": 0.04,
               "fillColor": "type"},
}
#: ``geo_precision`` -> EVENT_POINT key (others: "exact").
EVENT_PRECISION: Final[dict[int, str]] = {2: "near", 3: "hollow"}
#: Events drawn along a line (the border, a pipeline): a wide translucent band.
EVENT_LINE: Final[PathStyle] = {"color": "type", "weight": 11, "opacity": 0.16, "lineCap": "round",
                                "lineJoin": "round"}
#: Events drawn as the area they happened in.
EVENT_AREA: Final[PathStyle] = {"color": "type", "weight": 2, "dashArray": "6 4", "fillColor": "type",
                                "fillOpacity": 0.12}
#: Legend texts of the event symbols.
EVENT_SHAPE_LABEL: Final[dict[str, str]] = {
    "exact": "exact site (geo precision 1): filled circle",
    "near": "near a town (geo precision 2): ringed circle",
    "hollow": "region / border-wide (geo precision 3): hollow circle",
    "area": "drawn as the area it happened in",
    "line": "along a line (the border, a pipeline): wide band",
}

# ---------------------------------------------------------------------------- areas, places
#: Provinces: outline and tint by ``country_iso``.
PROVINCE_COLORS: Final[dict[str, str]] = {"PK": "#1b7837", "IR": "#762a83"}
PROVINCE_DEFAULT: Final[str] = "#555"
#: Province outline/fill strengths (the colour is the country's).
PROVINCE: Final[PathStyle] = {"weight": 1.5, "opacity": 0.8, "fillOpacity": 0.07}
#: The offline base map (context layer) by ``role``: focus (Iran, Pakistan) or anything else.
CONTEXT_FOCUS: Final[PathStyle] = {"color": "#9a8f7a", "weight": 0.8, "fillColor": "#f3ecdc", "fillOpacity": 1}
CONTEXT_OTHER: Final[PathStyle] = {"color": "#b3ab9b", "weight": 0.6, "fillColor": "#e6e2d8", "fillOpacity": 1}
#: The sea: the map's background (CSS ``--sea``).
SEA: Final[str] = "#cfe0ea"
#: Places: small dark dots, white inside when ``verified`` is false.
PLACE: Final[PathStyle] = {"radius": 4, "color": "#222", "weight": 1.5, "fillColor": "#222", "fillOpacity": 1}
PLACE_UNVERIFIED_FILL: Final[str] = "#fff"
#: Layers the palette does not know.
FALLBACK_POINT: Final[PathStyle] = {"radius": 6, "color": "#333", "weight": 2, "fillColor": "#999", "fillOpacity": 0.8}
FALLBACK_PATH: Final[PathStyle] = {"color": "#555", "weight": 2}

# ---------------------------------------------------------------------------- legend swatches
#: The legend draws some symbols smaller or neutral-coloured than the map does.
LEGEND: Final[dict[str, Any]] = {
    "pipeline_status_weight": 4,
    "accuracy_color": "#444",
    "accuracy_unknown": {"color": "#444", "weight": 4, "opacity": 0.8},
    "gas_field_radius": 8,
    "event_type": {"radius": 6, "color": "#fff", "weight": 1},
    "event_shape": {
        "exact": {"radius": 6, "color": "#fff", "weight": 2, "fillColor": "#555"},
        "near": {"radius": 6, "color": "#555", "weight": 3, "fillColor": "#fff", "fillOpacity": 0.9},
        "hollow": {"radius": 9, "color": "#555", "weight": 2, "dashArray": "3 2", "fillOpacity": 0.04, "fillColor": "#555"},
        "area": {"color": "#555", "fillColor": "#555", "fillOpacity": 0.12, "dashArray": "4 3"},
        "line": {"color": "#555", "weight": 7, "opacity": 0.25, "lineCap": "round"},
    },
    "context_focus": {"color": "#9a8f7a", "fillColor": "#f3ecdc", "fillOpacity": 1},
    "context_other": {"color": "#b3ab9b", "fillColor": "#e6e2d8", "fillOpacity": 1},
}

#: QGIS styles are in millimetres: one web-map pixel (width, radius, dash) is this many mm. Chosen
#: so the 2 px Natural Earth comparison line is QGIS's 0.3 mm hairline; every other width keeps
#: its ratio to it (on a 96 dpi screen a CSS pixel is 0.265 mm: QGIS lines are drawn thinner).
QGIS_MM_PER_PX: Final[float] = 0.15


def event_shape(geometry_type: str, geo_precision: Any) -> str:
    """How an event is drawn: exact / near / hollow (points by precision), line or area."""
    if "Polygon" in geometry_type:
        return "area"
    if "LineString" in geometry_type:
        return "line"
    return EVENT_PRECISION.get(geo_precision, "exact") if isinstance(geo_precision, int) else "exact"


def event_type_colors(types: Iterable[Any]) -> dict[str, str]:
    """Colour of each event type, as the map hands them out: fixed ones first, then the others
    cycle through EVENT_COLORS in the order they first appear in ``types``."""
    out: dict[str, str] = {}
    i = 0
    for t in types:
        if t is None or str(t) in out:
            continue
        t = str(t)
        if t in EVENT_TYPE_FIXED:
            out[t] = EVENT_TYPE_FIXED[t]
        else:
            out[t] = EVENT_COLORS[i % len(EVENT_COLORS)]
            i += 1
    return out


def web_palette(event_types: Iterable[Any] = ()) -> dict[str, Any]:
    """The palette as the story map reads it (JSON-able; embedded as script#atlas-palette).

    ``event_types`` are the events' ``event_type`` values in layer order; their colours are
    resolved here (``events.type_colors``) so the page and the QGIS styles agree.
    """
    return {
        "pipeline": {
            "status": {k: dict(v) for k, v in PIPELINE_STATUS.items()},
            "status_default": dict(PIPELINE_STATUS_DEFAULT),
            "accuracy": {k: dict(v) for k, v in ROUTE_ACCURACY.items()},
            "accuracy_default": ROUTE_ACCURACY_DEFAULT,
            "line_cap": PIPELINE_LINE_CAP,
            "gas_field": dict(GAS_FIELD),
        },
        "border": {"main": dict(BORDER), "bridged": dict(BORDER_BRIDGED), "natural_earth": dict(BORDER_NATURAL_EARTH)},
        "markets": {"status": dict(MARKET_STATUS)},
        "crossings": {"status": dict(CROSSING_STATUS)},
        "status_default": STATUS_DEFAULT,
        "symbol_unverified_fill": SYMBOL_UNVERIFIED_FILL,
        "events": {
            "type_colors": event_type_colors(event_types),
            "default": EVENT_DEFAULT,
            "strip_default": EVENT_STRIP_DEFAULT,
            "point": {k: dict(v) for k, v in EVENT_POINT.items()},
            "line": dict(EVENT_LINE),
            "area": dict(EVENT_AREA),
            "shape_label": dict(EVENT_SHAPE_LABEL),
        },
        "provinces": {"country": dict(PROVINCE_COLORS), "default": PROVINCE_DEFAULT, "style": dict(PROVINCE)},
        "context": {"focus": dict(CONTEXT_FOCUS), "other": dict(CONTEXT_OTHER), "sea": SEA},
        "places": {"style": dict(PLACE), "unverified_fill": PLACE_UNVERIFIED_FILL},
        "fallback": {"point": dict(FALLBACK_POINT), "path": dict(FALLBACK_PATH)},
        "legend": LEGEND,
    }


def rgba(css: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    """A palette colour (``#rgb``, ``#rrggbb``, ``rgba(r,g,b,a)``) times ``opacity`` as 0-255 RGBA."""
    s = css.strip().lower()
    if s.startswith("#"):
        h = s[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        if len(h) != 6:
            raise ValueError(f"not a colour: {css!r}")
        r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
        a = 1.0
    elif s.startswith("rgba(") and s.endswith(")"):
        parts = [p.strip() for p in s[5:-1].split(",")]
        r, g, b = (int(p) for p in parts[:3])
        a = float(parts[3])
    else:
        raise ValueError(f"not a colour: {css!r}")
    return r, g, b, round(a * opacity * 255)
