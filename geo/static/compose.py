"""Compose one static map in named layout passes: page, map frame, layers, furniture (graticule,
scale bar, inset), obstacles, labels, title, legend and key, credit.

Two layouts, chosen by format: ``print`` (SVG/PDF: events numbered on the map and listed in a key)
and ``card`` (PNG for social posts and slides: text sized for a phone, events and provinces named
on the map, a compact legend band below the map with only what the direct labels do not say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke
from matplotlib.transforms import Bbox

from geo import catalog, palette
from geo.static import draw, events, frame, labels, panels, style
from geo.static.labels import Placer
from geo.static.style import COUNTRY_LABEL, HALO, INK, INK_SOFT, PANEL, Scale

TITLE = "The Iran–Pakistan frontier"
A4_IN = (297 / 25.4, 210 / 25.4)
PNG_DPI = 100
#: Vector pages are laid out at 300 dpi: text measured at 72 dpi is hinted narrower than drawn.
VECTOR_LAYOUT_DPI = 300
PT_PER_IN = 72.0
#: Default card size (inches at PNG_DPI) when none is given.
CARD_IN = (16.0, 9.0)

# ---- type scale: the base font, and every other size as a multiple of it (print, card)
#: A4's base text (points); other page sizes scale it by the square root of their area.
PRINT_FONT_PT = 7.2
PRINT_LW_PER_FONT = 0.075
#: A card's base text: ~2.75 % of the card's mean side, legible on a phone (a 1600 px card ~390 CSS px wide).
CARD_FONT_SHARE = 0.0275
CARD_LW_PER_FONT = 0.052
MARGIN_SHARE = {"print": 0.028, "card": 0.03}
TITLE_SIZE = {"print": 2.3, "card": 1.75}
SUBTITLE_SIZE = {"print": 1.1, "card": 0.82}
SMALL_SIZE = {"print": 0.8, "card": 0.62}
#: The subtitle shrinks (this factor per step, down to MIN_SUBTITLE of its size) to stay one line.
SUBTITLE_STEP, MIN_SUBTITLE = 0.96, 0.7
CREDIT_LINE_SPACING = 1.5
CREDIT_MAX_LINES = 3
HALO_WIDTH = 0.32

# ---- print layout: a band below the map holds the legend (left) and the events key (right)
PRINT_LEGEND_FONT = 0.9
PRINT_BAND_SHARE = 0.27
PRINT_LEGEND_SHARE = 0.37
PRINT_KEY_SHARE = 0.615
PRINT_KEY_FONT = 0.92

# ---- card layout: the map spans the card; a compact legend band below it
#: Smallest legend text on a card (pixels): legible when a 1600 px card is shown on a phone.
CARD_LEGEND_MIN_PX = 22.0
#: A card legend's line height (font sizes).
CARD_LEGEND_LINE = 1.45
#: How long the card's legend runs (font sizes) when laid out in one line: what the band is sized for.
CARD_LEGEND_RUN_EM = 240.0
#: The legend band never takes more than this share of the card's height.
CARD_LEGEND_MAX_SHARE = 0.24

# ---- inset locator: in the top corner (or the lower right) that hides the least of the data
INSET_WIDTH_SHARE = 0.17
INSET_ASPECT = 0.78
INSET_GRATICULE_CLEARANCE = 1.9  # small-font lines clear of the graticule's labels along the top
INSET_RIGHT_CLEARANCE = 3.6      # small-font widths clear of the parallels' labels on the right
INSET_CORNER_PAD = 0.3           # margins
INSET_INK_PAD_PT = 8.0
INSET_FONT = 0.85
PANEL_PAD_PX = 4.0

#: Graticule step (degrees) by the frame's width (metres): the first whose width bound holds.
GRATICULE_STEPS: tuple[tuple[float, float], ...] = ((5e5, 1.0), (2.6e6, 2.0), (float("inf"), 5.0))

# ---- label tiers (priorities as in geo/static/draw.py: markets, crossings 70, gas field 80)
#: A card's story places rank just below markets and crossings (70, whose names need the room next
#: to the strikes' rings) and before every other town (their names may take a leader): the towns of
#: the events it names (Panjgur, Saravan: the strikes) first, then the other places the events and
#: the pipeline name (Gwadar, Nawabshah).
EVENT_TOWN_PRIORITY = 69.5
STORY_PLACE_PRIORITY = 69.0
#: On a card, a town at least this important (100 000 people) gets a leader rather than be left out.
LEADER_TOWN_PRIORITY = 30.0
#: Sites at or above this priority (markets, crossings, the gas field) are named before the provinces.
SITE_FIRST_PRIORITY = 65.0
BIG_LABEL_PRIORITY = 40.0
SITE_FONT, SMALL_SITE_FONT, TIER_FONT = 1.0, 0.92, 0.78
SITE_GAP = 0.45
TIER_GAPS = (0.35, 0.7, 1.1)
SITE_LEADER_GAPS = (1.6, 2.6, 3.8, 5.0, 6.3)
SITE_LEADER_LW = 1.2
EVENT_FONT = 0.82
EVENT_NEAR_GAPS = (0.3, 1.0)
EVENT_LEADER_GAPS = (1.5, 2.0, 2.6, 3.2, 3.8, 4.4, 5.0, 5.6, 6.3, 7.0, 8.5)
EVENT_LEADER_LW = 1.5
EVENT_MARKER_MIN = 1.2  # print: event markers closer than this (font sizes) merge
PROVINCE_FONTS = (0.95, 0.8, 0.68, 0.58)
PROVINCE_MIN_INSIDE = 0.985
FOCUS_COUNTRY_FONTS, OTHER_COUNTRY_FONTS = (1.25, 1.05, 0.9), (1.0, 0.85)
COUNTRY_MIN_INSIDE = 0.95
LABEL_PAD_PT = 1.5

#: Credit for each source named in the layers' ``attribution`` (matched by substring).
CREDITS: tuple[tuple[str, str], ...] = (
    ("OpenStreetMap", "© OpenStreetMap contributors (ODbL)"),
    ("Natural Earth", "Natural Earth (public domain)"),
    ("GeoNames", "GeoNames (CC BY 4.0)"),
    ("Global Energy Monitor", "Global Energy Monitor (CC BY 4.0)"),
)
#: The one legend row a card keeps for every hollow (approximate) symbol.
HOLLOW_ROW = "hollow symbol (any): approximate position"
#: On a card these layers' classes are said by direct labels, not legend rows (Datawrapper's and
#: Reuters' way): countries and provinces are named on the map, the gas field and the events too.
CARD_FOLDED: tuple[tuple[str, str | None], ...] = (
    ("context", None), ("provinces", None), ("pipeline", "gas field"), ("events", None))


@dataclass
class Spec:
    fmt: str
    size_px: tuple[int, int] | None = None
    bbox: tuple[float, float, float, float] | None = None

    @property
    def mode(self) -> str:
        return "card" if self.fmt == "png" else "print"

    def figsize(self) -> tuple[float, float]:
        if self.size_px is None:
            return A4_IN if self.mode == "print" else CARD_IN
        dpi = PNG_DPI if self.fmt == "png" else frame.PX_PER_IN
        return self.size_px[0] / dpi, self.size_px[1] / dpi


@dataclass
class Result:
    fig: Figure
    drawn: draw.Drawn
    placer: Placer
    events: list[events.Event]
    in_frame: set[int] = field(default_factory=set)
    legend_texts: list[Any] = field(default_factory=list)
    extent: frame.Extent | None = None
    #: Legend classes a card says with direct labels instead (see CARD_FOLDED).
    folded: list[draw.LegendItem] = field(default_factory=list)
    #: The legend's axes (its drawn extent is the legend's box).
    legend_ax: Any = None


@dataclass
class Page:
    """The page pass: figure, renderer, type scale and the rectangles (points, origin lower left)."""

    spec: Spec
    fig: Figure
    renderer: Any
    sc: Scale
    W: float
    H: float
    margin: float
    title_pt: float
    sub_pt: float
    small: float
    legend_font: float
    credit_h: float = 0.0
    band_h: float = 0.0
    map_rect: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    @property
    def card(self) -> bool:
        return self.spec.mode == "card"

    @property
    def px_per_pt(self) -> float:
        return float(self.fig.dpi) / PT_PER_IN

    def frac(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A rectangle in points as figure fractions."""
        return x / self.W, y / self.H, w / self.W, h / self.H


def _scale(spec: Spec, figsize: tuple[float, float]) -> Scale:
    w, h = figsize
    if spec.mode == "print":
        f = PRINT_FONT_PT * np.sqrt((w * h) / (A4_IN[0] * A4_IN[1]))
        return Scale(font=float(f), lw=float(f) * PRINT_LW_PER_FONT)
    px = CARD_FONT_SHARE * np.sqrt(w * h) * PNG_DPI
    f = px * PT_PER_IN / PNG_DPI
    return Scale(font=float(f), lw=float(f) * CARD_LW_PER_FONT)


def credit_line(layers: dict[str, Any], drawn: list[str], article: dict[str, Any] | None,
                n_articles: int = 1) -> str:
    attrs = " ".join(str((layers.get(n) or {}).get("metadata", {}).get("attribution", "")) for n in drawn)
    names = [text for key, text in CREDITS if key in attrs]
    src = "Sources: " + ", ".join(names) if names else "Sources: see layers/"
    art = ""
    if n_articles > 1:
        art = f" · Events: {n_articles} articles (layers/articles.csv)"
    elif article and article.get("title"):
        art = f" · Events: “{article['title']}”" + (f", {article['publisher']}" if article.get("publisher") else "")
    return src + art + " · Compiled: Iran–Pakistan frontier atlas (CC BY 4.0)"


# ------------------------------------------------------------------ pass 1: the page
def _page(spec: Spec) -> Page:
    figsize = spec.figsize()
    dpi = PNG_DPI if spec.fmt == "png" else VECTOR_LAYOUT_DPI
    fig = Figure(figsize=figsize, dpi=dpi, facecolor=PANEL)
    FigureCanvasAgg(fig)
    sc = _scale(spec, figsize)
    mode = spec.mode
    W, H = figsize[0] * PT_PER_IN, figsize[1] * PT_PER_IN
    legend_font = sc.font * PRINT_LEGEND_FONT if mode == "print" else _card_legend_min_pt()
    return Page(spec, fig, fig.canvas.get_renderer(), sc, W, H,  # type: ignore[attr-defined]
                margin=min(W, H) * MARGIN_SHARE[mode], title_pt=sc.font * TITLE_SIZE[mode],
                sub_pt=sc.font * SUBTITLE_SIZE[mode], small=sc.font * SMALL_SIZE[mode], legend_font=legend_font)


def _card_legend_min_pt() -> float:
    return CARD_LEGEND_MIN_PX * PT_PER_IN / PNG_DPI


def _plan(pg: Page, layers: dict[str, Any], article: dict[str, Any] | None, n_articles: int) -> None:
    """The rectangles: the credit line's height (its lines when every layer is credited, the most it
    can need), the legend band's, and the map's (what is left between title and band)."""
    m = pg.margin
    probe = pg.fig.text(0, 0, _credit(layers, list(layers), article, pg.card, n_articles), fontsize=pg.small,
                        linespacing=CREDIT_LINE_SPACING)
    panels.wrap_to(probe, pg.W - 2 * m, pg.renderer, pg.fig, max_lines=CREDIT_MAX_LINES)
    pg.credit_h = pg.small * (CREDIT_LINE_SPACING * (probe.get_text().count("\n") + 1) + 0.6)
    probe.remove()
    if pg.card:
        lines = int(np.ceil(CARD_LEGEND_RUN_EM * pg.legend_font / (pg.W - 2 * m)))
        pg.band_h = min(pg.legend_font * CARD_LEGEND_LINE * (lines + 0.4), pg.H * CARD_LEGEND_MAX_SHARE)
    else:
        pg.band_h = pg.H * PRINT_BAND_SHARE
    top = m + pg.title_pt * 1.15 + pg.sub_pt * 1.6
    bottom = m * 0.5 + pg.credit_h + pg.band_h
    pg.map_rect = (m, bottom, pg.W - 2 * m, pg.H - top - bottom - m * 0.4)


# ------------------------------------------------------------------ pass 2: the map frame
def _map_axes(pg: Page) -> tuple[Any, frame.Extent, draw.Frame]:
    x, y, w, h = pg.map_rect
    ax = pg.fig.add_axes(pg.frac(x, y, w, h))
    ax.set_facecolor(palette.SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_linewidth(pg.sc.pt(1))
        sp.set_edgecolor(INK_SOFT)
    extent = frame.extent_of(pg.spec.bbox or frame.FRONTIER_BBOX).fit(w / h)
    ax.set_xlim(extent.x0, extent.x1)
    ax.set_ylim(extent.y0, extent.y1)
    px_w = w / PT_PER_IN * (PNG_DPI if pg.card else frame.PX_PER_IN)
    return ax, extent, draw.Frame(extent, px_w)


# ------------------------------------------------------------------ pass 3: the layers
def _draw_layers(ax: Any, layers: dict[str, Any], fr: draw.Frame, sc: Scale) -> tuple[draw.Drawn, list[events.Event]]:
    drawn = draw.Drawn()
    evs: list[events.Event] = []
    for name in catalog.map_order():
        fc = layers.get(name)
        if fc is None:
            continue
        if name == "events":
            evs = events.collect(fc, fr)
            events.draw_areas(ax, fc, evs, fr, sc, drawn)
        elif name in draw.DRAWERS:
            draw.DRAWERS[name](ax, fc, fr, sc, drawn)
        else:
            draw.draw_fallback(ax, name, fc, fr, sc, drawn)
    return drawn, evs


# ------------------------------------------------------------------ pass 4: furniture and obstacles
def _graticule_step(extent: frame.Extent) -> float:
    return next(step for width, step in GRATICULE_STEPS if extent.width < width)


def _furniture(pg: Page, ax: Any, fr: draw.Frame, layers: dict[str, Any], placer: Placer) -> None:
    """Graticule and scale bar (labels keep off them), the border (an event's leader never crosses
    it) and the inset locator."""
    for a in panels.graticule(ax, fr, pg.sc, pg.small, _graticule_step(fr.extent)) + panels.scalebar(
            ax, fr, pg.sc, pg.small):
        placer.block_artist(a)
    from shapely.geometry import LineString  # type: ignore[import-untyped]

    for _, _p, g in draw.features(layers.get("border")):
        gp = fr.project(g)
        for part in getattr(gp, "geoms", [gp]):
            if not part.is_empty and part.geom_type == "LineString":
                placer.lines.append(LineString(ax.transData.transform(np.asarray(part.coords)[:, :2])))
    _inset(pg, ax, fr, layers, placer)


def _inset(pg: Page, ax: Any, fr: draw.Frame, layers: dict[str, Any], placer: Placer) -> None:
    x, y, w, h = pg.map_rect
    iw = w * INSET_WIDTH_SHARE
    ih = iw * INSET_ASPECT
    left, right = x + pg.margin * INSET_CORNER_PAD, x + w - iw - pg.small * INSET_RIGHT_CLEARANCE
    top, low = y + h - ih - pg.small * INSET_GRATICULE_CLEARANCE, y + pg.margin * INSET_CORNER_PAD
    ink = _ink(layers, fr, ax, pg.fig)
    pad = INSET_INK_PAD_PT

    def covered(c: tuple[float, float]) -> int:
        return sum(1 for (px, py) in ink if c[0] - pad <= px <= c[0] + iw + pad and c[1] - pad <= py <= c[1] + ih + pad)

    cx, cy = min([(left, top), (right, top), (right, low)], key=covered)
    inset = panels.locator(pg.fig, pg.frac(cx, cy, iw, ih), layers.get("context"), fr.extent, pg.sc,
                           pg.small * INSET_FONT)
    placer.block(inset.get_window_extent(pg.renderer).padded(PANEL_PAD_PX))


def _site_obstacles(pg: Page, ax: Any, drawn: draw.Drawn, placer: Placer) -> None:
    """Every point symbol is an obstacle for every label (and its point counts for rule 4)."""
    k = pg.px_per_pt
    for s in drawn.sites:
        cx, cy = ax.transData.transform((s.x, s.y))
        r = s.size_pt / 2 * k
        placer.points.append((cx, cy, s.priority))  # the site's point, whichever side its symbol is dodged to
        cx += s.dx_pt * k
        placer.block(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))


def story_places(layers: dict[str, Any]) -> str:
    """The text that names the places the story turns on: the events' locations and the pipeline's
    segments (its ends: Asaluyeh, Iranshahr, Gwadar, Nawabshah)."""
    where = [str(p.get("location") or "") for _f, p, _g in draw.features(layers.get("events"))]
    where += [str(p.get("segment") or "") for _f, p, _g in draw.features(layers.get("pipeline"))]
    return " ".join(where)


def _is_named_in(label: str, text: str) -> bool:
    return bool(label) and re.search(rf"\b{re.escape(label)}\b", text) is not None


# ------------------------------------------------------------------ pass 5: labels
class Labeller:
    """The label passes, in the order of labels.py's rule 1."""

    def __init__(self, pg: Page, ax: Any, layers: dict[str, Any], fr: draw.Frame, drawn: draw.Drawn,
                 evs: list[events.Event], placer: Placer) -> None:
        self.pg, self.ax, self.layers, self.fr, self.drawn, self.evs, self.placer = pg, ax, layers, fr, drawn, evs, placer
        self.sc = pg.sc
        self.card = pg.card
        self.halo = [withStroke(linewidth=self.sc.font * HALO_WIDTH, foreground=HALO)]
        self.m_per_pt = fr.extent.width / pg.map_rect[2]
        self.sites = sorted(drawn.sites, key=lambda s: -s.priority)
        self.seen: set[str] = set()
        self.card_events = [e for e in evs if e.area_drawn and e.anchors] if self.card else []
        self.in_frame: set[int] = set() if self.card else {e.number for e in evs if e.anchors}

    def run(self) -> set[int]:
        if self.card:
            self._promote_story_places()
            for ev in self.card_events:
                events.draw_site(self.ax, ev, *ev.anchors[0], self.sc, self.drawn, self.placer)
        self.label_events(first=True)
        self.label_events(first=False)  # near its point while the map is still free: short leaders
        if self.card:  # the provinces and both countries (their fills are no legend rows), markets
            self.province_labels()  # and crossings, the strikes' towns, the other story places
            self.country_labels(focus=True)
            self.label_sites(SITE_FIRST_PRIORITY, float("inf"))
        else:  # markets, crossings, the gas field, the numbered events, the provinces
            self.label_sites(SITE_FIRST_PRIORITY, float("inf"))
            cl = events.clusters([e for e in self.evs if e.anchors], self.ax,
                                 min_px=self.sc.font * EVENT_MARKER_MIN * self.pg.px_per_pt)
            events.draw_markers(self.ax, cl, self.sc, self.drawn, self.placer)
            self.province_labels()
        self.label_sites(float("-inf"), SITE_FIRST_PRIORITY)
        self._drop_unnamed_places()
        self.country_labels(focus=False if self.card else None)
        return self.in_frame

    def _promote_story_places(self) -> None:
        """On a card the places the story turns on (the strikes' towns, the pipeline's ends) are
        named before markets and crossings: they are what the card is about."""
        where = story_places(self.layers)
        ids = {ev.id for ev in self.card_events}
        strikes = " ".join(str(p.get("location") or "") for f, p, _g in draw.features(self.layers.get("events"))
                           if str(f.get("id")) in ids)
        for s in self.sites:
            if style.label_role(s.layer) != "town":
                continue
            if _is_named_in(s.label, strikes):
                s.priority = max(s.priority, EVENT_TOWN_PRIORITY)
            elif _is_named_in(s.label, where):
                s.priority = max(s.priority, STORY_PLACE_PRIORITY)
        self.sites.sort(key=lambda s: -s.priority)

    def _site_kw(self, s: draw.Site) -> dict[str, Any]:
        bold = style.bold_label(s.layer)
        return {"fontsize": self.sc.font * (SITE_FONT if s.priority >= BIG_LABEL_PRIORITY else SMALL_SITE_FONT),
                "color": INK, "fontweight": "bold" if bold else "normal", "path_effects": self.halo, "zorder": 10}

    def label_sites(self, lo: float, hi: float) -> None:
        for s in self.sites:
            if not s.label or s.label in self.seen or not lo <= s.priority < hi:
                continue
            self.seen.add(s.label)
            self._label_site(s)

    def _label_site(self, s: draw.Site) -> None:
        sc, placer = self.sc, self.placer
        reach = max(o.size_pt * 0.5 + o.dx_pt for o in self.sites if o.x == s.x and o.y == s.y)
        kw = self._site_kw(s)
        town = style.label_role(s.layer) == "town"
        same_px = sc.font * self.pg.px_per_pt  # a symbol this near (a strike's ring on its town) is the same place
        t = placer.place(s.x, s.y, s.label, offset_pt=reach + sc.font * SITE_GAP, priority=s.priority,
                         same_px=same_px, strict=self.card and town, record=False, **kw)
        leader_town = self.card and s.priority >= LEADER_TOWN_PRIORITY
        if t is None and town:
            t = self._smaller_tier(s, reach, same_px, kw, record_last=not leader_town)
        # a market's or crossing's name is never simply left out: further out, with a leader;
        # so is a large town's (a pipeline terminus) on a crowded card, in its smaller tier
        if t is None and (not town or leader_town):
            t = self._with_leader(s, reach, kw)
        if t is None and town and s.artist is not None:
            s.artist.remove()  # no unnamed dots: a place without its name says nothing
            self.drawn.sites.remove(s)

    def _smaller_tier(self, s: draw.Site, reach: float, same_px: float, kw: dict[str, Any],
                      record_last: bool) -> Any | None:
        """Crowded: a smaller tier for the name, sixteen directions, a little further out."""
        kw["fontsize"] = self.sc.font * TIER_FONT
        for i, gap in enumerate(TIER_GAPS):
            t = self.placer.place(s.x, s.y, s.label, offset_pt=reach + self.sc.font * gap, priority=s.priority,
                                  positions=labels.POSITIONS + labels.LEADER_POSITIONS, strict=True,
                                  same_px=same_px, record=record_last and i == len(TIER_GAPS) - 1, **kw)
            if t is not None:
                return t
        return None

    def _with_leader(self, s: draw.Site, reach: float, kw: dict[str, Any]) -> Any | None:
        arrow = {"arrowstyle": "-", "color": INK, "lw": self.sc.pt(SITE_LEADER_LW), "shrinkA": 1, "shrinkB": reach}
        for i, gap in enumerate(SITE_LEADER_GAPS):
            t = self.placer.place(s.x, s.y, s.label, offset_pt=reach + self.sc.font * gap, own_r_pt=reach,
                                  record=i == len(SITE_LEADER_GAPS) - 1, arrowprops=arrow, **kw)
            if t is not None:
                return t
        return None

    def label_events(self, first: bool) -> None:
        """A card names the events it can show (areas: the strikes) instead of numbering them: just
        outside the area first; after the sites' names, further out with a leader line."""
        for ev in self.card_events:
            if ev.number not in self.in_frame and self._label_event(ev, first) is not None:
                self.in_frame.add(ev.number)

    def _label_event(self, ev: events.Event, first: bool) -> Any | None:
        sc = self.sc
        x, y = ev.anchors[0]
        r_pt = ev.radius_m / self.m_per_pt
        gaps = EVENT_NEAR_GAPS if first else EVENT_LEADER_GAPS
        leader: dict[str, Any] = {} if first else {"arrowprops": {
            "arrowstyle": "-", "color": INK, "lw": sc.pt(EVENT_LEADER_LW), "shrinkA": 2, "shrinkB": r_pt * 0.9}}
        for i, gap in enumerate(gaps):
            t = self.placer.place(x, y, events.card_label(ev), offset_pt=r_pt + sc.font * gap,
                                  fontsize=sc.font * EVENT_FONT, color=INK, fontweight="bold", path_effects=self.halo,
                                  zorder=10, linespacing=1.1, record=not first and i == len(gaps) - 1,
                                  own_r_pt=r_pt, avoid_lines=True, **leader)
            if t is not None:
                return t
        return None

    def _drop_unnamed_places(self) -> None:
        drawn = self.drawn
        for layer in sorted(style.TOWN_LAYERS):
            kept = [s for s in drawn.sites if s.layer == layer]
            drawn.items = [i for i in drawn.items if i.layer != layer or (kept and (
                "approximate" not in i.label or any(not s.verified for s in kept)))]
            if not kept and layer in drawn.layers:
                drawn.layers.remove(layer)

    def province_labels(self) -> None:
        """Province names inside their province, in the province's colour."""
        for _, p, g in draw.features(self.layers.get("provinces")):
            view = _visible(self.fr, g)
            if view is None:
                continue
            col = palette.PROVINCE_COLORS.get(str(p.get("country_iso")), palette.PROVINCE_DEFAULT)
            _inside_label(self.ax, view, str(p.get("name", "")).upper(), PROVINCE_FONTS, [], self.sc, self.placer,
                          PROVINCE_MIN_INSIDE, color=col, fontstyle="italic", fontweight="bold",
                          path_effects=self.halo, zorder=9.6)

    def country_labels(self, focus: bool | None = None) -> None:
        """Country names on the country's visible land (Natural Earth's label point first); a name
        its visible land cannot hold is left out. ``focus``: only Iran and Pakistan (True), only the
        others (False), all (None)."""
        for _, p, g in draw.features(self.layers.get("context")):
            is_focus = p.get("role") == "focus"
            view = _visible(self.fr, g) if focus is None or focus == is_focus else None
            if view is None:
                continue
            first: list[tuple[float, float]] = []
            if p.get("label_lon") is not None:
                x, y = frame.forward(np.array([p["label_lon"]]), np.array([p["label_lat"]]))
                first = [(float(x[0]), float(y[0]))]
            focus_ = is_focus
            _inside_label(self.ax, view, str(p.get("name", "")).upper(),
                          FOCUS_COUNTRY_FONTS if focus_ else OTHER_COUNTRY_FONTS, first, self.sc, self.placer,
                          COUNTRY_MIN_INSIDE, color=COUNTRY_LABEL, fontweight="bold" if focus_ else "normal",
                          path_effects=self.halo, zorder=9.4)


# ------------------------------------------------------------------ pass 6: title, legend, key, credit
def _titles(pg: Page, evs: list[events.Event], fr: draw.Frame) -> None:
    m = pg.margin
    pg.fig.text(m / pg.W, 1 - (m + pg.title_pt * 0.9) / pg.H, TITLE, fontsize=pg.title_pt, fontweight="bold",
                color=INK, va="baseline")
    route = " from South Pars to Nawabshah" if pg.spec.bbox is None else ""
    sub = (f"Border, gas pipeline{route}, border markets and crossings, and the events "
           "the articles report (numbered on the map, listed below)" if not pg.card else
           "Border, gas pipeline by status, border markets and crossings" + _years(evs, fr))
    if not pg.card and len({e.article_id for e in evs}) <= 1:
        sub = sub.replace("the articles report", "the article reports")
    st = pg.fig.text(m / pg.W, 1 - (m + pg.title_pt * 1.15 + pg.sub_pt * 1.1) / pg.H, sub, fontsize=pg.sub_pt,
                     color=INK_SOFT, va="baseline")
    size = pg.sub_pt
    while st.get_window_extent(pg.renderer).width / pg.px_per_pt > pg.map_rect[2] and size > pg.sub_pt * MIN_SUBTITLE:
        size *= SUBTITLE_STEP
        st.set_fontsize(size)  # one line, as wide as the map


def fold(drawn: draw.Drawn) -> list[draw.LegendItem]:
    """A card's legend: one row for every hollow symbol, the other provinces' boundaries with the
    border, and the classes its direct labels say (CARD_FOLDED) taken out; returns those."""
    hollow = [i for i in drawn.items if style.label_role(i.layer) in ("site", "town") and (
        i.label.startswith("hollow:") or i.label.startswith("open dot:"))]
    if len(hollow) >= 2:
        keep = hollow[-1]
        keep.label = HOLLOW_ROW
        drawn.items = [i for i in drawn.items if i is keep or i not in hollow]
    for layer, host in style.LEGEND_WITH.items():  # admin-1's thin lines, read with the border's
        if layer in drawn.layers and host in drawn.layers:
            for i in drawn.items:
                if i.layer == layer:
                    i.layer = host
            drawn.layers.remove(layer)
    folded = [i for i in drawn.items if any(i.layer == lyr and (lab is None or i.label == lab) for lyr, lab in CARD_FOLDED)]
    drawn.items = [i for i in drawn.items if i not in folded]
    return folded


def _legend_and_key(pg: Page, drawn: draw.Drawn, evs: list[events.Event], in_frame: set[int]) -> tuple[list[Any], Any]:
    m = pg.margin
    band_y = m * 0.5 + pg.credit_h
    band_h = pg.band_h - m * 0.4
    inner = pg.W - 2 * m
    if pg.card:
        rect = pg.frac(m, band_y, inner, band_h)
        texts = panels.legend(pg.fig, rect, drawn, pg.sc, pg.renderer, pg.legend_font, flow=True,
                              min_font=_card_legend_min_pt(), line=CARD_LEGEND_LINE)
        return texts, pg.fig.axes[-1]
    rect = pg.frac(m, band_y, inner * PRINT_LEGEND_SHARE, band_h)
    texts = panels.legend(pg.fig, rect, drawn, pg.sc, pg.renderer, pg.legend_font)
    legend_ax = pg.fig.axes[-1]
    n_articles = len({e.article_id for e in evs})
    heading = f"Events in the {n_articles} articles" if n_articles > 1 else "Events in the article"
    key_rect = pg.frac(m + inner * (1 - PRINT_KEY_SHARE), band_y, inner * PRINT_KEY_SHARE, band_h)
    texts += panels.key(pg.fig, key_rect, evs, in_frame, pg.sc, pg.renderer, pg.legend_font * PRINT_KEY_FONT,
                        columns=2, heading=heading)
    return texts, legend_ax


def _credit_text(pg: Page, layers: dict[str, Any], drawn: draw.Drawn, article: dict[str, Any] | None,
                 n_articles: int) -> None:
    m = pg.margin
    ct = pg.fig.text(m / pg.W, (m * 0.5 + pg.small * 0.4) / pg.H,
                     _credit(layers, drawn.layers, article, pg.card, n_articles), fontsize=pg.small, color=INK_SOFT,
                     va="bottom", linespacing=CREDIT_LINE_SPACING)
    panels.wrap_to(ct, pg.W - 2 * m, pg.renderer, pg.fig, max_lines=CREDIT_MAX_LINES)


def compose(layers: dict[str, Any], spec: Spec, article: dict[str, Any] | None = None) -> Result:
    n_articles = len(events.article_ids(layers.get("events")))
    pg = _page(spec)
    _plan(pg, layers, article, n_articles)
    ax, extent, fr = _map_axes(pg)
    drawn, evs = _draw_layers(ax, layers, fr, pg.sc)
    placer = Placer(ax, pg.renderer, pad_px=LABEL_PAD_PT * pg.px_per_pt)
    _furniture(pg, ax, fr, layers, placer)
    _site_obstacles(pg, ax, drawn, placer)
    in_frame = Labeller(pg, ax, layers, fr, drawn, evs, placer).run()
    folded = fold(drawn) if pg.card else []
    _titles(pg, evs, fr)
    texts, legend_ax = _legend_and_key(pg, drawn, evs, in_frame)
    _credit_text(pg, layers, drawn, article, n_articles)
    return Result(pg.fig, drawn, placer, evs, in_frame, texts, extent, folded, legend_ax)


def _credit(layers: dict[str, Any], drawn: list[str], article: dict[str, Any] | None, card: bool,
            n_articles: int = 1) -> str:
    text = credit_line(layers, drawn, article, n_articles)
    return text if card else text + f" · Projection: {frame.PROJ_LABEL}"


def _ink(layers: dict[str, Any], fr: draw.Frame, ax: Any, fig: Figure) -> list[tuple[float, float]]:
    """Page positions (points) of the vertices of every point and line layer inside the frame."""
    out: list[tuple[float, float]] = []
    to_px = ax.transData.transform
    for lyr in catalog.LAYERS:
        if lyr.geometry == "area" or lyr.name not in layers:
            continue
        for _, _p, g in draw.features(layers[lyr.name]):
            if "Polygon" in g.geom_type:
                continue
            gp = fr.project(g)
            if gp.is_empty:
                continue
            xy = np.asarray([c for part in getattr(gp, "geoms", [gp]) for c in part.coords])
            if len(xy):
                px = to_px(xy) * 72 / fig.dpi
                out += [(float(a), float(b)) for a, b in px]
    return out


def _years(evs: list[events.Event], fr: draw.Frame) -> str:
    """', strikes of 2024' from the events a card names (those drawn as areas inside the frame)."""
    shown = [e for e in evs if e.area_drawn and e.anchors]
    if not shown:
        return ""
    years = sorted({e.date.split(" (")[0][-4:] for e in shown})
    what = {e.title.split(":")[0].lower() for e in shown}
    noun = (what.pop() + "s") if len(what) == 1 else "events"
    return f", {noun.replace('air/drone strikes', 'air and drone strikes')} of {' and '.join(years)}"


def _two_lines(name: str) -> str | None:
    """The name broken at the space nearest its middle (None for one word)."""
    words = name.split(" ")
    if len(words) < 2:
        return None
    best = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


def _inside_label(ax: Any, view: Any, name: str, fonts: tuple[float, ...], first: list[tuple[float, float]],
                  sc: Scale, placer: Placer, min_inside: float, **kw: Any) -> Any | None:
    """A centred label wholly (``min_inside`` of its box) on the area ``view``: tried at ``first``,
    the area's pole of inaccessibility, then a grid of interior points (widest parallels first),
    one line then two, each font factor in turn. None (recorded as dropped) when nothing fits."""
    from shapely import box as sbox  # type: ignore[import-untyped]
    from shapely.geometry import LineString, Point  # type: ignore[import-untyped]
    from shapely.ops import polylabel  # type: ignore[import-untyped]

    inv = ax.transData.inverted()
    x0, y0, x1, y1 = view.bounds
    centre = polylabel(view, tolerance=max(x1 - x0, y1 - y0) / 200)
    grid = [(x0 + (x1 - x0) * i / 14, y0 + (y1 - y0) * j / 14) for i in range(1, 14) for j in range(1, 14)]
    inside = [q for q in grid if view.contains(Point(q))]
    chord = {y: float(view.intersection(LineString([(x0, y), (x1, y)])).length)  # once per grid row
             for y in dict.fromkeys(q[1] for q in inside)}
    cx, cy = (first[0] if first else (centre.x, centre.y))
    cands = [q for q in first if view.contains(Point(q))] + [(centre.x, centre.y)] + sorted(
        inside, key=lambda q: (-round(chord[q[1]] / (x1 - x0), 1), (q[0] - cx) ** 2 + (q[1] - cy) ** 2))
    scale_m = (ax.get_xlim()[1] - ax.get_xlim()[0]) / ax.get_window_extent(placer.renderer).width
    tries: list[tuple[str, float, tuple[float, float]]] = []
    for text in [name] + [t for t in (_two_lines(name),) if t]:
        probe = ax.text(0, 0, text, fontsize=sc.font, linespacing=1.0, **kw)
        w_m = probe.get_window_extent(placer.renderer).width * scale_m
        probe.remove()
        for f in fonts:
            tries += [(text, f, q) for q in cands if chord.get(q[1], x1 - x0) >= w_m * f * 1.05][:50]
    sizes: dict[tuple[str, float], tuple[float, float]] = {}  # text's box (pixels), measured once per size
    for text, f, (x, y) in tries:
        if (text, f) not in sizes:
            probe = ax.text(0, 0, text, fontsize=sc.font * f, linespacing=1.0, ha="center", va="center", **kw)
            e = probe.get_window_extent(placer.renderer)
            probe.remove()
            sizes[(text, f)] = (e.width, e.height)
        w, h = sizes[(text, f)]
        px, py = ax.transData.transform((x, y))
        quick = Bbox.from_extents(px - w / 2, py - h / 2, px + w / 2, py + h / 2)
        if not placer._free(quick.padded(placer.pad_px)):
            continue  # taken or off the frame: no need to draw it
        (bx0, by0), (bx1, by1) = inv.transform([(quick.x0, quick.y0), (quick.x1, quick.y1)])
        if view.intersection(sbox(bx0, by0, bx1, by1)).area < min_inside * (bx1 - bx0) * (by1 - by0) * 0.99:
            continue
        t = placer.place(x, y, text, offset_pt=0, centred=True, record=False, fontsize=sc.font * f,
                         linespacing=1.0, **kw)
        if t is None:
            continue
        bb = labels.extent(t, placer.renderer)
        (bx0, by0), (bx1, by1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        lbox = sbox(bx0, by0, bx1, by1)
        if view.intersection(lbox).area >= min_inside * lbox.area:
            return t
        t.remove()
        placer.taken.pop()
        placer.placed.pop()
    placer.dropped.append(name)
    return None


def _visible(fr: draw.Frame, g: Any) -> Any | None:
    """The largest part of an area inside the frame, projected (None when none is)."""
    from shapely import box as sbox  # type: ignore[import-untyped]

    gp = fr.project(g)
    if gp.is_empty:
        return None
    view = gp.intersection(sbox(fr.extent.x0, fr.extent.y0, fr.extent.x1, fr.extent.y1))
    if view.is_empty:
        return None
    parts = [q for q in getattr(view, "geoms", [view]) if q.geom_type == "Polygon"]
    return max(parts, key=lambda q: q.area) if parts else None
