"""Draw the layers (GeoJSON dicts, as every stage passes them) on a projected matplotlib axes.

Each ``draw_<layer>`` reads the layer's properties generically (``status``, ``kind``,
``verified``, ``route_accuracy``, ``event_type``) and styles them from geo/palette.py; each
registers the classes it actually drew in a :class:`Drawn` so the legend shows only those.
A layer without a drawer (a new catalog layer) is drawn with the palette's fallback style.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry import shape  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]

from geo import catalog, palette
from geo.static import frame
from geo.static.style import DrawnClass, Scale, dashes, rgba

#: Display-only: the Natural Earth comparison line is a data-quality check, not for readers.
HIDDEN_VARIANTS = ("natural_earth_10m",)


@dataclass
class LegendItem:
    """One legend row: ``kind`` line | area | marker; ``style`` matplotlib keyword arguments."""

    layer: str
    label: str
    kind: str
    style: dict[str, Any]
    symbol: str = ""
    color: str = ""


@dataclass
class Site:
    """A point symbol drawn on the map (projected x, y) and its label request."""

    layer: str
    x: float
    y: float
    label: str
    priority: float
    size_pt: float
    verified: bool = True
    #: The symbol is drawn this many points right of the point (a market beside a crossing).
    dx_pt: float = 0.0
    #: The drawn symbol (a place whose label fits nowhere is taken off the map with it).
    artist: Any = None


@dataclass
class Drawn:
    """What one map shows: legend rows (in order), point sites, layers drawn."""

    items: list[LegendItem] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)

    def add(self, item: LegendItem) -> None:
        if not any(i.layer == item.layer and i.label == item.label for i in self.items):
            self.items.append(item)
        if item.layer not in self.layers:
            self.layers.append(item.layer)

    def classes(self) -> list[DrawnClass]:
        return [DrawnClass(i.layer, i.label, i.symbol or i.kind, i.color) for i in self.items if i.color]


class Frame:
    """The map's projected rectangle: projects, clips and simplifies geometries for it."""

    def __init__(self, extent: frame.Extent, px_width: float) -> None:
        self.extent = extent
        self.box = extent.lonlat_box(margin_deg=3.0)
        self.tolerance = extent.width / px_width * 0.35
        pad = 0.05 * max(extent.width, extent.height)
        self.clip = (extent.x0 - pad, extent.y0 - pad, extent.x1 + pad, extent.y1 + pad)
        #: Projected geometries by (id, simplify): the layer pass, the inset's placement, the border's
        #: leader rule and the area labels project the same geometry for the same frame.
        self._done: dict[tuple[int, bool], tuple[BaseGeometry, BaseGeometry]] = {}

    def project(self, geom: BaseGeometry, simplify: bool = True) -> BaseGeometry:
        hit = self._done.get((id(geom), simplify))
        if hit is not None and hit[0] is geom:
            return hit[1]
        g = self._project(geom, simplify)
        self._done[(id(geom), simplify)] = (geom, g)  # the source held too: its id stays its own
        return g

    def _project(self, geom: BaseGeometry, simplify: bool) -> BaseGeometry:
        g = shapely.clip_by_rect(geom, *self.box) if geom.geom_type != "Point" else geom
        if g.is_empty:
            return g

        def fwd(xy: np.ndarray) -> np.ndarray:
            x, y = frame.forward(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        g = shapely.transform(g, fwd)
        if g.geom_type != "Point":
            g = shapely.clip_by_rect(g, *self.clip)
            if simplify and not g.is_empty:
                g = shapely.simplify(g, self.tolerance, preserve_topology=True)
        return g

    def contains(self, x: float, y: float) -> bool:
        e = self.extent
        return e.x0 <= x <= e.x1 and e.y0 <= y <= e.y1


_SHAPES: dict[int, tuple[Any, BaseGeometry]] = {}


def features(fc: dict[str, Any] | None) -> Iterator[tuple[dict[str, Any], dict[str, Any], BaseGeometry]]:
    """Features with their shapely geometry (converted once per geometry dict while it lives)."""
    for f in (fc or {}).get("features", []):
        g = f.get("geometry")
        if g:
            hit = _SHAPES.get(id(g))
            if hit is None or hit[0] is not g:
                hit = (g, shape(g))
                if len(_SHAPES) > 5000:
                    _SHAPES.clear()
                _SHAPES[id(g)] = hit
            yield f, f.get("properties") or {}, hit[1]


def polygon_path(geom: BaseGeometry) -> MplPath | None:
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def line_parts(geom: BaseGeometry) -> list[np.ndarray]:
    if geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [np.asarray(geom.coords)]
    return [p for g in getattr(geom, "geoms", []) for p in line_parts(g)]


def z(layer: str, bump: float = 0.0) -> float:
    try:
        return catalog.get(layer).map_pane / 100 + bump
    except KeyError:
        return 5.0 + bump


def area(ax: Axes, geom: BaseGeometry, *, zorder: float, **kw: Any) -> None:
    path = polygon_path(geom)
    if path is not None:
        patch = PathPatch(path, zorder=zorder, **kw)
        patch.set_transform(ax.transData)
        ax.add_artist(patch)  # not add_patch: the limits are set, no autoscaling needed


def lines(ax: Axes, geom: BaseGeometry, *, zorder: float, **kw: Any) -> None:
    for xy in line_parts(geom):
        ax.plot(xy[:, 0], xy[:, 1], zorder=zorder, **kw)


# ------------------------------------------------------------------ layers
def draw_context(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    for _, p, g in features(fc):
        st = palette.CONTEXT_FOCUS if p.get("role") == "focus" else palette.CONTEXT_OTHER
        gp = fr.project(g)
        if gp.is_empty:
            continue
        area(ax, gp, zorder=z("context"), facecolor=rgba(st["fillColor"], st["fillOpacity"]),
             edgecolor=st["color"], linewidth=sc.pt(st["weight"]))
        key = "focus" if p.get("role") == "focus" else "other"
        label = "Iran and Pakistan" if key == "focus" else "other countries"
        d.add(LegendItem("context", label, "area", {"facecolor": st["fillColor"], "edgecolor": st["color"]}))


def draw_provinces(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    st = palette.PROVINCE
    for _, p, g in features(fc):
        gp = fr.project(g)
        if gp.is_empty:
            continue
        col = palette.PROVINCE_COLORS.get(str(p.get("country_iso")), palette.PROVINCE_DEFAULT)
        area(ax, gp, zorder=z("provinces"), facecolor=rgba(col, st["fillOpacity"] * 1.6),
             edgecolor=rgba(col, st["opacity"]), linewidth=sc.pt(st["weight"]))
        name = f"{p.get('name')} ({p.get('country') or p.get('country_iso')})"
        d.add(LegendItem("provinces", name, "area", {"facecolor": rgba(col, st["fillOpacity"] * 1.6),
                                                     "edgecolor": rgba(col, st["opacity"])},
                         symbol="area", color=col))


def draw_admin1(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    """The other provinces of both countries: thin outlines in the country's colour, no tint (the
    frontier provinces layer draws those two)."""
    st = palette.PROVINCE
    for _, p, g in features(fc):
        gp = fr.project(g)
        if gp.is_empty:
            continue
        col = palette.PROVINCE_COLORS.get(str(p.get("country_iso")), palette.PROVINCE_DEFAULT)
        area(ax, gp, zorder=z("admin1"), facecolor="none", edgecolor=rgba(col, st["opacity"] * 0.6),
             linewidth=sc.pt(st["weight"]) * 0.45)
        d.add(LegendItem("admin1", "province boundaries", "line",
                         {"color": rgba(palette.PROVINCE_DEFAULT, st["opacity"] * 0.6),
                          "linewidth": sc.pt(st["weight"]) * 0.45}))


def draw_border(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    for _, p, g in features(fc):
        if p.get("variant") in HIDDEN_VARIANTS:
            continue
        bridged = p.get("kind") == "bridged_stretch" or p.get("variant") == "bridge"
        st = palette.BORDER_BRIDGED if bridged else palette.BORDER
        gp = fr.project(g, simplify=not bridged)
        if gp.is_empty:
            continue
        lw = sc.pt(st["weight"])
        kw = {"color": rgba(st["color"], st.get("opacity", 1)), "linewidth": lw,
              "linestyle": dashes(st.get("dashArray"), lw), "solid_capstyle": "round",
              "dash_capstyle": st.get("lineCap", "butt")}
        lines(ax, gp, zorder=z("border", 0.05 if bridged else 0), **kw)
        if bridged:
            # every bridged stretch stays visible at any scale: a ring at its middle
            mid = gp.interpolate(0.5, normalized=True) if gp.geom_type == "LineString" else gp.centroid
            ax.plot([mid.x], [mid.y], marker="o", markersize=lw * 1.7, markerfacecolor="none",
                    markeredgecolor=st["color"], markeredgewidth=lw * 0.55, zorder=z("border", 0.06))
            d.add(LegendItem("border", "bridged stretch (gap in the source line)", "line",
                             {**kw, "marker": "o", "markersize": lw * 1.7, "markerfacecolor": "none",
                              "markeredgecolor": st["color"], "markevery": [1]}, symbol="line-dots",
                             color=st["color"]))
        else:
            d.add(LegendItem("border", "Iran–Pakistan border (OpenStreetMap)", "line", kw,
                             symbol="line-solid-border", color=st["color"]))


def _accuracy(p: dict[str, Any]) -> tuple[str, palette.AccuracyStyle]:
    key = p.get("route_accuracy") if p.get("route_accuracy") in palette.ROUTE_ACCURACY else None
    key = key or palette.ROUTE_ACCURACY_DEFAULT
    return key, palette.ROUTE_ACCURACY[key]


def draw_pipeline(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    accuracies: list[str] = []
    for _, p, g in features(fc):
        gp = fr.project(g)
        if gp.is_empty:
            continue
        if gp.geom_type == "Point" or p.get("kind") == "field":
            if gp.geom_type != "Point" or not fr.contains(gp.x, gp.y):
                continue
            st = palette.GAS_FIELD
            ms = sc.pt(st["radius"]) * 2
            ax.plot([gp.x], [gp.y], marker="o", markersize=ms, markerfacecolor=rgba(st["fillColor"], st["fillOpacity"]),
                    markeredgecolor=st["color"], markeredgewidth=sc.pt(st["weight"]), zorder=z("pipeline", 0.1))
            d.add(LegendItem("pipeline", "gas field", "marker",
                             {"marker": "o", "markersize": ms, "markerfacecolor": st["fillColor"],
                              "markeredgecolor": st["color"], "markeredgewidth": sc.pt(st["weight"])}))
            d.sites.append(Site("pipeline", gp.x, gp.y, str(p.get("name") or ""), 80, ms))
            continue
        status = str(p.get("status"))
        sst = palette.PIPELINE_STATUS.get(status)
        color = sst["color"] if sst else str(palette.PIPELINE_STATUS_DEFAULT["color"])
        dash = sst["dash"] if sst else palette.PIPELINE_STATUS_DEFAULT["dash"]
        acc_key, acc = _accuracy(p)
        lw = sc.pt(acc["weight"])
        ax_kw = {"color": rgba(color, acc["opacity"]), "linewidth": lw, "linestyle": dashes(dash, lw),
                 "solid_capstyle": palette.PIPELINE_LINE_CAP, "dash_capstyle": palette.PIPELINE_LINE_CAP}
        # a white casing keeps the dashes readable over the border and the provinces
        lines(ax, gp, zorder=z("pipeline"), color="white", linewidth=lw + sc.pt(2.5), solid_capstyle="butt")
        lines(ax, gp, zorder=z("pipeline", 0.01), **ax_kw)
        lw_legend = sc.pt(palette.LEGEND["pipeline_status_weight"])
        d.add(LegendItem("pipeline", f"{sst['label'] if sst else status}", "line",
                         {"color": color, "linewidth": lw_legend, "linestyle": dashes(dash, lw_legend)},
                         symbol=f"line-dash-{dash}", color=color))
        if acc_key not in accuracies:
            accuracies.append(acc_key)
    for key in sorted(accuracies, key=list(palette.ROUTE_ACCURACY).index):
        acc = palette.ROUTE_ACCURACY[key]
        d.add(LegendItem("pipeline", f"route accuracy: {acc['label']}", "line",
                         {"color": rgba(palette.LEGEND["accuracy_color"], acc["opacity"]),
                          "linewidth": sc.pt(acc["weight"])}))


def _point_layer(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn, layer: str,
                 colors: dict[str, str], marker: str, size_px: float, priority: float) -> None:
    unverified_seen = False
    drawn: list[tuple[float, float]] = [(s.x, s.y) for s in d.sites if s.layer in ("markets", "crossings")]
    for _, p, g in features(fc):
        gp = fr.project(g)
        if gp.geom_type != "Point" or not fr.contains(gp.x, gp.y):
            continue
        status = str(p.get("status"))
        col = colors.get(status, palette.STATUS_DEFAULT)
        verified = bool(p.get("verified", True))
        ms = sc.pt(size_px)
        # a market and a crossing at one site sit side by side, not on top of each other
        dodge = sum(1 for (x, y) in drawn if abs(x - gp.x) < 1 and abs(y - gp.y) < 1)
        off = (dodge * 1.15 * ms, 0.0)
        face = palette.SYMBOL_UNVERIFIED_FILL if not verified else col
        kw: dict[str, Any] = {"marker": marker, "markersize": ms, "markerfacecolor": rgba(face),
              "markeredgecolor": col, "markeredgewidth": sc.pt(palette.SYMBOL_BORDER_PX) * 0.8}
        from matplotlib.transforms import offset_copy

        tr = offset_copy(ax.transData, fig=ax.get_figure(root=True), x=off[0], y=off[1], units="points")
        ax.plot([gp.x], [gp.y], transform=tr, zorder=z(layer), **kw)
        symbol = f"{layer}-{marker}"
        if layer == "crossings" and status == "closed":
            # red/green are close for deuteranopes: a closed crossing also carries a cross
            ax.plot([gp.x], [gp.y], transform=tr, marker="x", markersize=ms * 0.5, markeredgecolor=col,
                    markeredgewidth=sc.pt(1.6), zorder=z(layer, 0.01))
            symbol += "-x"
        drawn.append((gp.x, gp.y))
        title = catalog.get(layer).map_label.lower().rstrip("s") if layer in catalog.names() else layer
        d.add(LegendItem(layer, f"{title}: {status}", "marker",
                         {**kw, "markerfacecolor": col, **({"closed_x": True} if symbol.endswith("-x") else {})},
                         symbol=symbol, color=col))
        unverified_seen = unverified_seen or not verified
        pk, ir = p.get("name_pk"), p.get("name_ir")
        label = f"{_short(pk)}–{_short(ir)}" if pk and ir else str(p.get("name") or "")
        d.sites.append(Site(layer, gp.x, gp.y, label, priority, ms * 1.2, verified, off[0]))
    if unverified_seen:
        d.add(LegendItem(layer, "hollow: approximate position", "marker",
                         {"marker": marker, "markersize": sc.pt(size_px), "markerfacecolor": "white",
                          "markeredgecolor": palette.STATUS_DEFAULT,
                          "markeredgewidth": sc.pt(palette.SYMBOL_BORDER_PX) * 0.8}))


def _short(name: Any) -> str:
    """``Chedgi (Cheedgi)`` -> ``Chedgi``: the variant spellings stay in the layer."""
    return str(name).split(" (")[0]


def draw_markets(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    _point_layer(ax, fc, fr, sc, d, "markets", palette.MARKET_STATUS, "s", palette.SYMBOL_BOX_PX, 70)


def draw_crossings(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    _point_layer(ax, fc, fr, sc, d, "crossings", palette.CROSSING_STATUS, "D",
                 palette.SYMBOL_BOX_PX * palette.SYMBOL_DIAMOND_SCALE, 70)


def draw_places(ax: Axes, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    st = palette.PLACE
    ms = sc.pt(st["radius"]) * 2
    near = sc.pt(10) / 72 * 96 * fr.tolerance / 0.35  # ~10 CSS px in metres
    others = [(s.x, s.y) for s in d.sites]
    unverified_seen = False
    for _, p, g in features(fc):
        gp = fr.project(g)
        if gp.geom_type != "Point" or not fr.contains(gp.x, gp.y):
            continue
        if any(np.hypot(gp.x - x, gp.y - y) < near for x, y in others):
            continue  # that site is already drawn (a crossing, a market, the gas field)
        verified = bool(p.get("verified", True))
        (dot,) = ax.plot([gp.x], [gp.y], marker="o", markersize=ms, zorder=z("places"), markeredgecolor=st["color"],
                markeredgewidth=sc.pt(st["weight"]),
                markerfacecolor=st["fillColor"] if verified else palette.PLACE_UNVERIFIED_FILL)
        d.add(LegendItem("places", "town or place", "marker",
                         {"marker": "o", "markersize": ms, "markerfacecolor": st["fillColor"],
                          "markeredgecolor": st["color"]}))
        unverified_seen = unverified_seen or not verified
        pop = p.get("population") or 0
        prio = 10 + (20 if p.get("in_article") else 0) + min(30.0, np.log10(pop + 1) * 4)
        d.sites.append(Site("places", gp.x, gp.y, str(p.get("name") or ""), prio, ms, verified, artist=dot))
        others.append((gp.x, gp.y))
    if unverified_seen:
        d.add(LegendItem("places", "open dot: approximate position", "marker",
                         {"marker": "o", "markersize": ms, "markerfacecolor": "white", "markeredgecolor": st["color"]}))


def draw_fallback(ax: Axes, name: str, fc: dict[str, Any], fr: Frame, sc: Scale, d: Drawn) -> None:
    """A catalog layer this module has no drawer for: the palette's fallback style."""
    label = catalog.get(name).map_label if name in catalog.names() else name
    for _, _p, g in features(fc):
        gp = fr.project(g)
        if gp.is_empty:
            continue
        if gp.geom_type.endswith("Point"):
            st = palette.FALLBACK_POINT
            for pt in getattr(gp, "geoms", [gp]):
                if fr.contains(pt.x, pt.y):
                    ax.plot([pt.x], [pt.y], marker="o", markersize=sc.pt(st["radius"]) * 2, zorder=z(name),
                            markerfacecolor=st["fillColor"], markeredgecolor=st["color"])
                    d.add(LegendItem(name, label, "marker", {"marker": "o", "markerfacecolor": st["fillColor"],
                                                             "markeredgecolor": st["color"]}))
        elif "Polygon" in gp.geom_type:
            st = palette.FALLBACK_PATH
            area(ax, gp, zorder=z(name), facecolor="none", edgecolor=st["color"], linewidth=sc.pt(st["weight"]))
            d.add(LegendItem(name, label, "area", {"facecolor": "none", "edgecolor": st["color"]}))
        else:
            st = palette.FALLBACK_PATH
            lines(ax, gp, zorder=z(name), color=st["color"], linewidth=sc.pt(st["weight"]))
            d.add(LegendItem(name, label, "line", {"color": st["color"], "linewidth": sc.pt(st["weight"])}))


DRAWERS = {"context": draw_context, "provinces": draw_provinces, "admin1": draw_admin1, "border": draw_border,
           "pipeline": draw_pipeline, "markets": draw_markets, "crossings": draw_crossings,
           "places": draw_places}
