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
from geo.static import draw, events, frame, panels
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
    px = 0.026 * np.sqrt(w * h) * PNG_DPI * 0.95
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
    credit_h = small * 3.4
    legend_font = sc.font * (0.9 if not card else 0.7)
    bottom_band = (H * 0.27) if not card else (legend_font * 1.6 * (6.4 if W > H * 1.2 else 9.6))
    map_rect_pt = (m, m * 0.5 + credit_h + bottom_band, W - 2 * m, H - top - credit_h - bottom_band - m * 0.9)
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
    # inset locator, top left inside the frame
    iw = map_rect_pt[2] * 0.17
    ih = iw * 0.78
    inset_rect = ((map_rect_pt[0] + m * 0.3) / W, (map_rect_pt[1] + map_rect_pt[3] - ih - m * 0.3) / H, iw / W, ih / H)
    inset = panels.locator(fig, inset_rect, layers.get("context"), extent, sc, small * 0.85)
    placer.block(inset.get_window_extent(renderer).padded(4))
    # site symbols are obstacles for every label
    for s in drawn.sites:
        cx, cy = ax.transData.transform((s.x, s.y))
        r = s.size_pt / 2 * fig.dpi / 72
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
            t = placer.place(s.x, s.y, s.label, offset_pt=reach + sc.font * 0.45,
                         fontsize=sc.font * (1.0 if s.priority >= 40 else 0.92), color=INK,
                         fontweight="bold" if bold else "normal", path_effects=halo, zorder=10)
            if t is None and s.layer == "places" and s.artist is not None:
                s.artist.remove()  # no unnamed dots: a place without its name says nothing
                drawn.sites.remove(s)

    label_sites(65, 1e9)  # markets, crossings, the gas field: before the event markers
    if not card:
        cl = events.clusters([e for e in evs if e.anchors], ax, min_px=sc.font * 1.2 * fig.dpi / 72)
        events.draw_markers(ax, cl, sc, drawn, placer)
    else:
        # a card names the events it can show (areas: the strikes) instead of numbering them
        in_frame = set()
        for ev in evs:
            if ev.area_drawn and ev.anchors:
                x, y = ev.anchors[0]
                t = placer.place(x, y, events.card_label(ev), offset_pt=ev.radius_m / m_per_pt + sc.font * 0.3,
                                 fontsize=sc.font * 0.9,
                                 color=INK, fontweight="bold", path_effects=halo, zorder=10)
                if t is not None:
                    in_frame.add(ev.number)
    label_sites(-1e9, 65)
    left = [s for s in drawn.sites if s.layer == "places"]
    drawn.items = [i for i in drawn.items if i.layer != "places" or (left and (
        "approximate" not in i.label or any(not s.verified for s in left)))]
    if not left and "places" in drawn.layers:
        drawn.layers.remove("places")
    _area_labels(ax, layers, fr, sc, placer, halo)
    # title, subtitle
    fig.text(m / W, 1 - (m + title_pt * 0.9) / H, TITLE, fontsize=title_pt, fontweight="bold", color=INK,
             va="baseline")
    sub = ("Border, gas pipeline from South Pars to Nawabshah, border markets and crossings, and the events "
           "of the article, by number" if not card else
           "Border, gas pipeline by status, border markets and crossings, events of 2024")
    fig.text(m / W, 1 - (m + title_pt * 1.15 + sub_pt * 1.1) / H, sub, fontsize=sub_pt, color=INK_SOFT,
             va="baseline")
    # legend and key
    band_y = (m * 0.5 + credit_h) / H
    band_h = (bottom_band - m * 0.4) / H
    if not card:
        leg_rect = (m / W, band_y, (W - 2 * m) * 0.47 / W, band_h)
        key_rect = ((m + (W - 2 * m) * 0.5) / W, band_y, (W - 2 * m) * 0.5 / W, band_h)
        texts = panels.legend(fig, leg_rect, drawn, sc, renderer, legend_font)
        texts += panels.key(fig, key_rect, evs, in_frame, sc, renderer, legend_font * 0.92, columns=2)
    else:
        leg_rect = (m / W, band_y, (W - 2 * m) / W, band_h)
        texts = panels.legend(fig, leg_rect, drawn, sc, renderer, legend_font)
    credit = credit_line(layers, drawn.layers, article)
    if not card:
        credit += f" · Projection: {frame.PROJ_LABEL}"
    import textwrap

    credit = "\n".join(textwrap.wrap(credit, width=int((W - 2 * m) / (small * 0.56)))[:2])
    fig.text(m / W, (m * 0.5 + small * 0.4) / H, credit, fontsize=small, color=INK_SOFT, va="bottom",
             linespacing=1.5)
    return Result(fig, drawn, placer, evs, in_frame, texts, extent)


def _area_labels(ax: Any, layers: dict[str, Any], fr: draw.Frame, sc: Scale, placer: Placer, halo: list) -> None:
    from shapely.ops import polylabel  # type: ignore[import-untyped]

    for _, p, g in draw.features(layers.get("provinces")):
        gp = fr.project(g)
        if gp.is_empty:
            continue
        part = max(getattr(gp, "geoms", [gp]), key=lambda q: q.area)
        pt = polylabel(part, tolerance=fr.tolerance * 20)
        if fr.contains(pt.x, pt.y):
            from geo import palette

            col = palette.PROVINCE_COLORS.get(str(p.get("country_iso")), palette.PROVINCE_DEFAULT)
            placer.place(pt.x, pt.y, str(p.get("name", "")).upper(), offset_pt=sc.font * 1.5,
                         fontsize=sc.font * 0.95, color=col, fontstyle="italic", fontweight="bold",
                         path_effects=halo, zorder=9.6)
    for _, p, _g in draw.features(layers.get("context")):
        if p.get("label_lon") is None:
            continue
        x, y = frame.forward(np.array([p["label_lon"]]), np.array([p["label_lat"]]))
        if fr.contains(float(x[0]), float(y[0])):
            placer.place(float(x[0]), float(y[0]), str(p.get("name", "")).upper(), offset_pt=sc.font * 2,
                         fontsize=sc.font * (1.25 if p.get("role") == "focus" else 1.0), color=COUNTRY_LABEL,
                         fontweight="bold" if p.get("role") == "focus" else "normal", path_effects=halo,
                         zorder=9.4)
