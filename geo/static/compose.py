"""Compose one static map: title, map (layers, graticule, scale bar, inset), legend, events key, credit.

Two layouts, chosen by format: ``print`` (SVG/PDF: events numbered on the map and listed in a key)
and ``card`` (PNG for social posts and slides: text sized for a phone, events named on the map).
"""

from __future__ import annotations

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
    legend_font = sc.font * (0.9 if not card else 0.7)
    # wide cards: the legend in a sidebar right of the map; others: in a band below it
    side = W - 2 * m if not (card and W > H * 1.3) else (W - 2 * m) * 0.67
    bottom_band = (H * 0.27) if not card else (0.0 if side < W - 2 * m else legend_font * 1.6 * 9.6)
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
            t = placer.place(s.x, s.y, s.label, offset_pt=reach + sc.font * 0.45, priority=s.priority,
                             record=s.layer == "places", **kw)
            # a market's or crossing's name is never simply left out: further out, with a leader
            offsets = [reach + sc.font * k for k in (1.6, 2.6, 3.8)] if t is None and s.layer != "places" else []
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
            offsets = [r_pt + sc.font * k for k in ((0.3, 1.0) if first else (2.0, 3.2, 4.4, 5.6, 7.0, 8.5))]
            for i, off in enumerate(offsets):
                leader: dict[str, Any] = {} if first else {"arrowprops": {"arrowstyle": "-", "color": INK, "lw": sc.pt(1.5),
                                                          "shrinkA": 2, "shrinkB": r_pt * 0.9}}
                t = placer.place(x, y, events.card_label(ev), offset_pt=off, fontsize=sc.font * 0.82, color=INK,
                                 fontweight="bold", path_effects=halo, zorder=10, linespacing=1.1,
                                 record=not first and i == len(offsets) - 1,
                                 own_r_pt=r_pt, **leader)
                if t is not None:
                    in_frame.add(ev.number)
                    break

    label_events(first=True)
    label_sites(65, 1e9)  # markets, crossings, the gas field: before the event markers
    label_events(first=False)
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
        texts = panels.legend(fig, leg_rect, drawn, sc, renderer, legend_font, stacked=not bottom_band)
    ct = fig.text(m / W, (m * 0.5 + small * 0.4) / H, _credit(layers, drawn.layers, article, card), fontsize=small,
                  color=INK_SOFT, va="bottom", linespacing=1.5)
    panels.wrap_to(ct, W - 2 * m, renderer, fig, max_lines=3)
    return Result(fig, drawn, placer, evs, in_frame, texts, extent)


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


def _area_labels(ax: Any, layers: dict[str, Any], fr: draw.Frame, sc: Scale, placer: Placer, halo: list,
                 provinces: bool) -> None:
    """Province names (inside their province) or country names (at Natural Earth's label point)."""
    from shapely import box as sbox  # type: ignore[import-untyped]
    from shapely.geometry import LineString, Point  # type: ignore[import-untyped]
    from shapely.ops import polylabel  # type: ignore[import-untyped]

    from geo import palette

    inv = ax.transData.inverted()
    for _, p, g in draw.features(layers.get("provinces") if provinces else None):
        gp = fr.project(g)
        if gp.is_empty:
            continue
        part = max(getattr(gp, "geoms", [gp]), key=lambda q: q.area)
        view = part.intersection(sbox(fr.extent.x0, fr.extent.y0, fr.extent.x1, fr.extent.y1))
        if view.is_empty:
            continue
        view = max(getattr(view, "geoms", [view]), key=lambda q: q.area)
        centre = polylabel(view, tolerance=fr.tolerance * 20)
        # candidates: the pole of inaccessibility, then a grid of points inside, nearest first
        x0, y0, x1, y1 = view.bounds
        grid = [(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * j / 10) for i in range(1, 10) for j in range(1, 10)]
        # horizontal text fits best where the province is widest: interior points by the width of
        # the province along their parallel (then by nearness to the pole of inaccessibility)
        inside = [q for q in grid if view.contains(Point(q))]
        chord = {q[1]: float(view.intersection(LineString([(x0, q[1]), (x1, q[1])])).length) for q in inside}
        cx, cy = centre.x, centre.y
        cands = [(cx, cy)] + sorted(
            inside, key=lambda q: (-round(chord[q[1]] / (x1 - x0), 1), (q[0] - cx) ** 2 + (q[1] - cy) ** 2))
        col = palette.PROVINCE_COLORS.get(str(p.get("country_iso")), palette.PROVINCE_DEFAULT)
        name = str(p.get("name", "")).upper()
        # only where the province is wider than the name (measured once per size)
        probe = ax.text(0, 0, name, fontsize=sc.font, fontstyle="italic", fontweight="bold")
        w_m = probe.get_window_extent(placer.renderer).width * fr.extent.width / ax.get_window_extent(
            placer.renderer).width
        probe.remove()
        tries = [(f, q) for f in (0.95, 0.8, 0.68) for q in cands
                 if chord.get(q[1], x1 - x0) >= w_m * f * 1.05][:60] or [(0.68, cands[0])]
        for i, (f, (x, y)) in enumerate(tries):
            t = placer.place(x, y, name, offset_pt=0, centred=True, record=i == len(tries) - 1,
                             fontsize=sc.font * f, color=col, fontstyle="italic", fontweight="bold",
                             path_effects=halo, zorder=9.6)
            if t is None:
                continue
            bb = labels.extent(t, placer.renderer)
            (bx0, by0), (bx1, by1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
            lbox = sbox(bx0, by0, bx1, by1)
            if view.intersection(lbox).area >= 0.985 * lbox.area:
                break  # a province's name lies inside the province (specks of the coast aside)
            t.remove()
            placer.taken.pop()
            placer.placed.pop()
        else:
            continue
    for _, p, _g in draw.features(None if provinces else layers.get("context")):
        if p.get("label_lon") is None:
            continue
        x, y = frame.forward(np.array([p["label_lon"]]), np.array([p["label_lat"]]))
        if fr.contains(float(x[0]), float(y[0])):
            placer.place(float(x[0]), float(y[0]), str(p.get("name", "")).upper(), offset_pt=sc.font * 2,
                         fontsize=sc.font * (1.25 if p.get("role") == "focus" else 1.0), color=COUNTRY_LABEL,
                         fontweight="bold" if p.get("role") == "focus" else "normal", path_effects=halo,
                         zorder=9.4)
