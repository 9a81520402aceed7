"""Compose one static map: title, map (layers, graticule, scale bar, inset), legend, events key, credit.

Two layouts, chosen by format: ``print`` (SVG/PDF: events numbered on the map and listed in a key)
and ``card`` (PNG for social posts and slides: text sized for a phone, events named on the map).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo import catalog
from geo.static import draw, events, frame, labels, panels
from geo.static.labels import Placer
from geo.static.style import COUNTRY_LABEL, HALO, INK, INK_SOFT, PANEL, Scale

A4_IN = (297 / 25.4, 210 / 25.4)
#: A card's event towns rank above markets and crossings (70), below the gas field (80).
EVENT_TOWN_PRIORITY = 75.0
#: On a card, a town at least this important (100 000 people) gets a leader rather than be left out.
LEADER_TOWN_PRIORITY = 30.0
PNG_DPI = 100
TITLE = "The Iran–Pakistan frontier"
#: Credit for each source named in the layers' ``attribution`` (matched by substring).
CREDITS: tuple[tuple[str, str], ...] = (
    ("OpenStreetMap", "© OpenStreetMap contributors (ODbL)"),
    ("Natural Earth", "Natural Earth (public domain)"),
    ("GeoNames", "GeoNames (CC BY 4.0)"),
    ("Global Energy Monitor", "Global Energy Monitor (CC BY 4.0)"),
)


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
            return A4_IN if self.mode == "print" else (16.0, 9.0)
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


def _scale(spec: Spec, figsize: tuple[float, float]) -> Scale:
    w, h = figsize
    if spec.mode == "print":
        f = 7.2 * np.sqrt((w * h) / (A4_IN[0] * A4_IN[1]))
        return Scale(font=float(f), lw=float(f) * 0.075)
    # card: text legible on a phone (a 1600 px card shown ~390 CSS px wide): ~2.9 % of the short side
    px = 0.0275 * np.sqrt(w * h) * PNG_DPI
    f = px * 72 / PNG_DPI
    return Scale(font=float(f), lw=float(f) * 0.052)


def credit_line(layers: dict[str, Any], drawn: list[str], article: dict[str, Any] | None) -> str:
    attrs = " ".join(str((layers.get(n) or {}).get("metadata", {}).get("attribution", "")) for n in drawn)
    names = [text for key, text in CREDITS if key in attrs]
    src = "Sources: " + ", ".join(names) if names else "Sources: see layers/"
    art = ""
    if article and article.get("title"):
        art = f" · Events: “{article['title']}”" + (f", {article['publisher']}" if article.get("publisher") else "")
    return src + art + " · Compiled: Iran–Pakistan frontier atlas (CC BY 4.0)"


def compose(layers: dict[str, Any], spec: Spec, article: dict[str, Any] | None = None) -> Result:
    figsize = spec.figsize()
    # vector pages are laid out at 300 dpi: text measured at 72 dpi is hinted narrower than drawn
    dpi = PNG_DPI if spec.fmt == "png" else 300
    fig = Figure(figsize=figsize, dpi=dpi, facecolor=PANEL)
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    sc = _scale(spec, figsize)
    W, H = figsize[0] * 72, figsize[1] * 72  # points
    m = min(W, H) * (0.028 if spec.mode == "print" else 0.03)
    card = spec.mode == "card"
    title_pt = sc.font * (2.3 if not card else 1.75)
    sub_pt = sc.font * (1.1 if not card else 0.82)
    small = sc.font * (0.8 if not card else 0.62)
    top = m + title_pt * 1.15 + sub_pt * 1.6
    # the credit line's height: its lines when every layer is credited (the most it can need)
    probe = fig.text(0, 0, _credit(layers, list(layers), article, card), fontsize=small, linespacing=1.5)
    panels.wrap_to(probe, W - 2 * m, renderer, fig, max_lines=3)
    credit_h = small * (1.5 * (probe.get_text().count("\n") + 1) + 0.6)
    probe.remove()
    legend_font = sc.font * 0.9 if not card else max(sc.font * 0.7, CARD_LEGEND_MIN_PX * 72 / PNG_DPI)
    # wide cards: the legend in a sidebar right of the map; others: in a band below it
    side = W - 2 * m if not (card and W > H * 1.3) else (W - 2 * m) * 0.625
    bottom_band = (H * 0.27) if not card else (0.0 if side < W - 2 * m else min(legend_font * 1.45 * 12.4, H * 0.4))
    map_rect_pt = (m, m * 0.5 + credit_h + bottom_band, side, H - top - credit_h - bottom_band - m * 0.9)
    rect = (map_rect_pt[0] / W, map_rect_pt[1] / H, map_rect_pt[2] / W, map_rect_pt[3] / H)
    ax = fig.add_axes(rect)
    from geo import palette

    ax.set_facecolor(palette.SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_linewidth(sc.pt(1))
        sp.set_edgecolor(INK_SOFT)
    extent = frame.extent_of(spec.bbox or frame.FRONTIER_BBOX).fit(map_rect_pt[2] / map_rect_pt[3])
    ax.set_xlim(extent.x0, extent.x1)
    ax.set_ylim(extent.y0, extent.y1)
    px_w = map_rect_pt[2] / 72 * (PNG_DPI if card else frame.PX_PER_IN)
    fr = draw.Frame(extent, px_w)
    m_per_pt = extent.width / map_rect_pt[2]
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
    grat_step = 2.0 if extent.width < 2.6e6 else 5.0
    if extent.width < 5e5:
        grat_step = 1.0
    grat = panels.graticule(ax, fr, sc, small, grat_step)
    placer = Placer(ax, renderer, pad_px=1.5 * fig.dpi / 72)
    for _, _p, g in draw.features(layers.get("border")):
        gp = fr.project(g)
        for part in getattr(gp, "geoms", [gp]):
            if part.is_empty or part.geom_type != "LineString":
                continue
            from shapely.geometry import LineString as _LS  # type: ignore[import-untyped]

            placer.lines.append(_LS(ax.transData.transform(np.asarray(part.coords)[:, :2])))
    for a in grat + panels.scalebar(ax, fr, sc, small):
        placer.block_artist(a)
    # inset locator: in the top corner (or the lower right) that hides the least of the data
    iw = map_rect_pt[2] * 0.17
    ih = iw * 0.78
    below_labels = small * 1.9  # clear of the graticule's labels along the top edge
    left, right = map_rect_pt[0] + m * 0.3, map_rect_pt[0] + map_rect_pt[2] - iw - small * 3.6
    top, low = map_rect_pt[1] + map_rect_pt[3] - ih - below_labels, map_rect_pt[1] + m * 0.3
    corners = [(left, top), (right, top), (right, low)]
    ink = _ink(layers, fr, ax, fig)
    cx_, cy_ = min(corners, key=lambda c: sum(1 for (px, py) in ink
                                              if c[0] - 8 <= px <= c[0] + iw + 8 and c[1] - 8 <= py <= c[1] + ih + 8))
    inset_rect = (cx_ / W, cy_ / H, iw / W, ih / H)
    inset = panels.locator(fig, inset_rect, layers.get("context"), extent, sc, small * 0.85)
    placer.block(inset.get_window_extent(renderer).padded(4))
    # site symbols are obstacles for every label
    for s in drawn.sites:
        cx, cy = ax.transData.transform((s.x, s.y))
        r = s.size_pt / 2 * fig.dpi / 72
        placer.points.append((cx, cy, s.priority))  # the site's point, whichever side its symbol is dodged to
        cx += s.dx_pt * fig.dpi / 72
        from matplotlib.transforms import Bbox

        placer.block(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))
    in_frame = {e.number for e in evs if e.anchors}
    halo = [__import__("matplotlib.patheffects", fromlist=["withStroke"]).withStroke(
        linewidth=sc.font * 0.32, foreground=HALO)]
    sites = sorted(drawn.sites, key=lambda s: -s.priority)
    seen: set[str] = set()

    def label_sites(lo: float, hi: float) -> None:
        for s in sites:
            if not s.label or s.label in seen or not lo <= s.priority < hi:
                continue
            seen.add(s.label)
            reach = max(o.size_pt * 0.5 + o.dx_pt for o in sites if o.x == s.x and o.y == s.y)
            bold = s.layer in ("markets", "crossings", "pipeline")
            kw: dict[str, Any] = {"fontsize": sc.font * (1.0 if s.priority >= 40 else 0.92), "color": INK,
                                  "fontweight": "bold" if bold else "normal", "path_effects": halo, "zorder": 10}
            same_px = sc.font * fig.dpi / 72  # a symbol this near (a strike's ring on its town) is the same place
            t = placer.place(s.x, s.y, s.label, offset_pt=reach + sc.font * 0.45, priority=s.priority,
                             same_px=same_px, strict=card and s.layer == "places", record=False, **kw)
            if t is None and s.layer == "places":
                # crowded: a smaller tier for the name, sixteen directions, a little further out
                kw["fontsize"] = sc.font * 0.78
                tries = [reach + sc.font * k for k in (0.35, 0.7, 1.1)]
                for i, off in enumerate(tries):
                    t = placer.place(s.x, s.y, s.label, offset_pt=off, priority=s.priority,
                                     positions=labels.POSITIONS + labels.LEADER_POSITIONS, strict=True,
                                     same_px=same_px, **kw,
                                     record=i == len(tries) - 1 and not (card and s.priority >= LEADER_TOWN_PRIORITY))
                    if t is not None:
                        break
            # a market's or crossing's name is never simply left out: further out, with a leader
            # so is a large town's (a pipeline terminus) on a crowded card, in its smaller tier
            offsets = [reach + sc.font * k for k in (1.6, 2.6, 3.8)] if t is None and (
                s.layer != "places" or (card and s.priority >= LEADER_TOWN_PRIORITY)) else []
            for i, off in enumerate(offsets):
                t = placer.place(s.x, s.y, s.label, offset_pt=off, own_r_pt=reach, record=i == len(offsets) - 1,
                                 arrowprops={"arrowstyle": "-", "color": INK, "lw": sc.pt(1.2), "shrinkA": 1,
                                             "shrinkB": reach}, **kw)
                if t is not None:
                    break
            if t is None and s.layer == "places" and s.artist is not None:
                s.artist.remove()  # no unnamed dots: a place without its name says nothing
                drawn.sites.remove(s)

    card_events = [e for e in evs if e.area_drawn and e.anchors] if card else []
    if card:
        # the towns of the events a card names (Panjgur, Saravan: the strikes) are named before
        # the markets and crossings: they are what the card is about
        ids = {ev.id for ev in card_events}
        where = " ".join(str(p.get("location") or "") for f, p, _g in draw.features(layers.get("events"))
                         if str(f.get("id")) in ids)
        for s in sites:
            if s.layer == "places" and s.label and re.search(rf"\b{re.escape(s.label)}\b", where):
                s.priority = max(s.priority, EVENT_TOWN_PRIORITY)
        sites.sort(key=lambda s: -s.priority)
    if card:
        in_frame = set()
        for ev in card_events:
            events.draw_site(ax, ev, *ev.anchors[0], sc, drawn, placer)

    def label_events(first: bool) -> None:
        """A card names the events it can show (areas: the strikes) instead of numbering them: just
        outside the area first; after the sites' names, further out with a leader line."""
        for ev in card_events:
            if ev.number in in_frame:
                continue
            x, y = ev.anchors[0]
            r_pt = ev.radius_m / m_per_pt
            offsets = [r_pt + sc.font * k for k in ((0.3, 1.0) if first else
                                                    (1.5, 2.0, 2.6, 3.2, 3.8, 4.4, 5.0, 5.6, 6.3, 7.0, 8.5))]
            for i, off in enumerate(offsets):
                leader: dict[str, Any] = {} if first else {"arrowprops": {"arrowstyle": "-", "color": INK, "lw": sc.pt(1.5),
                                                          "shrinkA": 2, "shrinkB": r_pt * 0.9}}
                t = placer.place(x, y, events.card_label(ev), offset_pt=off, fontsize=sc.font * 0.82, color=INK,
                                 fontweight="bold", path_effects=halo, zorder=10, linespacing=1.1,
                                 record=not first and i == len(offsets) - 1,
                                 own_r_pt=r_pt, avoid_lines=True, **leader)
                if t is not None:
                    in_frame.add(ev.number)
                    break

    label_events(first=True)
    label_events(first=False)  # near its point while the map is still free: short leaders, never across the border
    label_sites(65, 1e9)  # markets, crossings, the gas field: before the event markers
    if not card:
        cl = events.clusters([e for e in evs if e.anchors], ax, min_px=sc.font * 1.2 * fig.dpi / 72)
        events.draw_markers(ax, cl, sc, drawn, placer)
    _area_labels(ax, layers, fr, sc, placer, halo, provinces=True)
    label_sites(-1e9, 65)
    kept = [s for s in drawn.sites if s.layer == "places"]
    drawn.items = [i for i in drawn.items if i.layer != "places" or (kept and (
        "approximate" not in i.label or any(not s.verified for s in kept)))]
    if not kept and "places" in drawn.layers:
        drawn.layers.remove("places")
    if card:
        _merge_hollow_rows(drawn)
    _area_labels(ax, layers, fr, sc, placer, halo, provinces=False)
    # title, subtitle
    fig.text(m / W, 1 - (m + title_pt * 0.9) / H, TITLE, fontsize=title_pt, fontweight="bold", color=INK,
             va="baseline")
    route = " from South Pars to Nawabshah" if spec.bbox is None else ""
    sub = (f"Border, gas pipeline{route}, border markets and crossings, and the events "
           "the article reports (numbered on the map, listed below)" if not card else
           "Border, gas pipeline by status, border markets and crossings" + _years(evs, fr))
    st = fig.text(m / W, 1 - (m + title_pt * 1.15 + sub_pt * 1.1) / H, sub, fontsize=sub_pt, color=INK_SOFT,
                  va="baseline")
    size = sub_pt
    while st.get_window_extent(renderer).width * 72 / fig.dpi > side and size > sub_pt * 0.7:
        size *= 0.96
        st.set_fontsize(size)  # one line, as wide as the map
    # legend and key
    band_y = (m * 0.5 + credit_h) / H
    band_h = (bottom_band - m * 0.4) / H
    if not card:
        leg_rect = (m / W, band_y, (W - 2 * m) * 0.37 / W, band_h)
        key_rect = ((m + (W - 2 * m) * 0.385) / W, band_y, (W - 2 * m) * 0.615 / W, band_h)
        texts = panels.legend(fig, leg_rect, drawn, sc, renderer, legend_font)
        texts += panels.key(fig, key_rect, evs, in_frame, sc, renderer, legend_font * 0.92, columns=2)
    else:
        if bottom_band:
            leg_rect = (m / W, band_y, (W - 2 * m) / W, band_h)
        else:
            x0 = m + side + m * 0.8  # the sidebar runs from the top of the page to the credit line
            leg_rect = (x0 / W, map_rect_pt[1] / H, (W - m - x0) / W, (H - m * 0.6 - map_rect_pt[1]) / H)
        texts = panels.legend(fig, leg_rect, drawn, sc, renderer, legend_font, stacked=not bottom_band,
                              min_font=CARD_LEGEND_MIN_PX * 72 / PNG_DPI, line=0.0 if not bottom_band else 1.45)
    ct = fig.text(m / W, (m * 0.5 + small * 0.4) / H, _credit(layers, drawn.layers, article, card), fontsize=small,
                  color=INK_SOFT, va="bottom", linespacing=1.5)
    panels.wrap_to(ct, W - 2 * m, renderer, fig, max_lines=3)
    return Result(fig, drawn, placer, evs, in_frame, texts, extent)


#: Smallest legend text on a card (pixels): legible when a 1600 px card is shown on a phone.
CARD_LEGEND_MIN_PX = 22.0
#: The one legend row a card keeps for every hollow (approximate) symbol.
HOLLOW_ROW = "hollow symbol (any): approximate position"


def _merge_hollow_rows(drawn: draw.Drawn) -> None:
    """On a card, one row explains every hollow/open symbol (markets, crossings, places): the
    legend's text can then stay large. Kept under the last of those layers, with its swatch."""
    hollow = [i for i in drawn.items if i.layer in ("markets", "crossings", "places") and (
        i.label.startswith("hollow:") or i.label.startswith("open dot:"))]
    if len(hollow) < 2:
        return
    keep = hollow[-1]
    keep.label = HOLLOW_ROW
    drawn.items = [i for i in drawn.items if i is keep or i not in hollow]
    # the other provinces' thin boundaries: a class of the Provinces row, not a heading of their own
    if "provinces" in drawn.layers:
        for i in drawn.items:
            if i.layer == "admin1":
                i.layer, i.label = "provinces", "other province boundaries"
        if "admin1" in drawn.layers:
            drawn.layers.remove("admin1")


def _credit(layers: dict[str, Any], drawn: list[str], article: dict[str, Any] | None, card: bool) -> str:
    text = credit_line(layers, drawn, article)
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
    chord = {q[1]: float(view.intersection(LineString([(x0, q[1]), (x1, q[1])])).length) for q in inside}
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
    from matplotlib.transforms import Bbox

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


def _area_labels(ax: Any, layers: dict[str, Any], fr: draw.Frame, sc: Scale, placer: Placer, halo: list,
                 provinces: bool) -> None:
    """Province names (inside their province) or country names (on the country's visible land,
    Natural Earth's label point first); a name its visible land cannot hold is left out."""
    from geo import palette

    for _, p, g in draw.features(layers.get("provinces") if provinces else None):
        view = _visible(fr, g)
        if view is None:
            continue
        col = palette.PROVINCE_COLORS.get(str(p.get("country_iso")), palette.PROVINCE_DEFAULT)
        _inside_label(ax, view, str(p.get("name", "")).upper(), (0.95, 0.8, 0.68, 0.58), [], sc, placer, 0.985,
                      color=col, fontstyle="italic", fontweight="bold", path_effects=halo, zorder=9.6)
    for _, p, g in draw.features(None if provinces else layers.get("context")):
        view = _visible(fr, g)
        if view is None:
            continue
        first: list[tuple[float, float]] = []
        if p.get("label_lon") is not None:
            x, y = frame.forward(np.array([p["label_lon"]]), np.array([p["label_lat"]]))
            first = [(float(x[0]), float(y[0]))]
        focus = p.get("role") == "focus"
        _inside_label(ax, view, str(p.get("name", "")).upper(), (1.25, 1.05, 0.9) if focus else (1.0, 0.85),
                      first, sc, placer, 0.95, color=COUNTRY_LABEL, fontweight="bold" if focus else "normal",
                      path_effects=halo, zorder=9.4)
