"""Panels of a static map drawn in point coordinates: the legend (one row per layer), the events
key, the scale bar, the graticule and the inset locator."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle
from matplotlib.transforms import Bbox

from geo import catalog
from geo.static import frame
from geo.static.draw import Drawn, Frame, LegendItem
from geo.static.events import Event, ranges
from geo.static.style import HALO, INK, INK_SOFT, Scale

LEGEND_GID = "legend-text"
KEY_GID = "key-text"


def point_axes(fig: Figure, rect: tuple[float, float, float, float]) -> tuple[Axes, float, float]:
    """An invisible axes whose data units are points, y growing downwards; returns (ax, w, h)."""
    ax = fig.add_axes(rect)
    w_pt = rect[2] * fig.get_figwidth() * 72
    h_pt = rect[3] * fig.get_figheight() * 72
    ax.set_xlim(0, w_pt)
    ax.set_ylim(h_pt, 0)
    ax.set_axis_off()
    return ax, w_pt, h_pt


def _width_pt(t: Any, renderer: Any, fig: Figure) -> float:
    return float(t.get_window_extent(renderer).width) * 72 / fig.dpi


def wrap_to(t: Any, width_pt: float, renderer: Any, fig: Figure, max_lines: int = 3) -> None:
    """Break a Text's words into lines no wider than ``width_pt`` (measured by the renderer): each
    line takes the most words that fit, found by bisection (a few measurements per line, not one
    per word)."""
    words = t.get_text().replace("\n", " ").split(" ")
    lines: list[str] = []
    i = 0
    while i < len(words):
        lo, hi = i + 1, len(words)  # words[i:lo] always goes on the line, even when too wide
        while lo < hi:
            mid = (lo + hi + 1) // 2
            t.set_text(" ".join(words[i:mid]))
            if _width_pt(t, renderer, fig) > width_pt:
                hi = mid - 1
            else:
                lo = mid
        lines.append(" ".join(words[i:lo]))
        i = lo
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" ,;·") + "…"
    t.set_text("\n".join(lines))


def font_cap(sc: Scale) -> float:
    """Largest legend symbol (points): a big map symbol (the gas field) stays row-sized."""
    return sc.font * 1.05


def swatch(ax: Axes, it: LegendItem, x: float, y: float, w: float, sc: Scale) -> None:
    """Draw a legend swatch ``w`` points wide centred vertically on ``y``."""
    st = dict(it.style)
    if it.kind == "line":
        mk = {k: st.pop(k) for k in ("marker", "markersize", "markerfacecolor", "markeredgecolor", "markevery")
              if k in st}
        ax.add_line(Line2D([x, x + w / 2, x + w], [y, y, y], **st, **mk))
    elif it.kind == "area":
        h = sc.font * 0.9
        ax.add_patch(Rectangle((x, y - h / 2), w, h, linewidth=sc.pt(1.5), **st))
    elif it.kind == "marker":
        closed_x = st.pop("closed_x", False)
        st["markersize"] = min(float(st.get("markersize", font_cap(sc))), font_cap(sc))
        ax.add_line(Line2D([x + w / 2], [y], linestyle="none", **st))
        if closed_x:
            ax.add_line(Line2D([x + w / 2], [y], linestyle="none", marker="x", markersize=st["markersize"] * 0.5,
                               markeredgecolor="white", markeredgewidth=sc.pt(1.6)))
    elif it.kind == "event":
        ax.text(x + w / 2, y, "1", ha="center", va="center", fontsize=sc.font * 0.8, fontweight="bold", color=INK,
                bbox={"boxstyle": "round,pad=0.25,rounding_size=0.8", "facecolor": "white", **st})


def legend(fig: Figure, rect: tuple[float, float, float, float], d: Drawn, sc: Scale, renderer: Any,
           font: float, stacked: bool = False, min_font: float = 0.0, line: float = 0.0,
           flow: bool = False) -> list[Any]:
    """One row per drawn layer (catalog order): bold layer title, then its classes, wrapping.
    ``stacked``: the title on a line of its own, the classes below it (a narrow sidebar).
    ``flow``: titles and classes run on like text, a layer starting where the last one ended
    (a compact band under a card's map, as Datawrapper's and Reuters' keys do).
    When the rows do not fit the panel, the legend is drawn again smaller (at most three times),
    never below ``min_font`` points. ``line``: the row height in font sizes (0: the default)."""
    ax = fig.add_axes(rect)
    draw_rows = _flow if flow else _legend
    texts, used = draw_rows(ax, fig, rect, d, sc, renderer, font, stacked, line)
    h_pt = rect[3] * fig.get_figheight() * 72
    for _ in range(3):
        if used <= h_pt or font <= min_font:
            break
        ax.remove()
        font = max(min_font, font * max(0.8, (h_pt / used) ** 0.75))  # text wraps less when smaller
        ax = fig.add_axes(rect)
        texts, used = draw_rows(ax, fig, rect, d, sc, renderer, font, stacked, line)
    return texts


def _legend(ax: Axes, fig: Figure, rect: tuple[float, float, float, float], d: Drawn, sc: Scale, renderer: Any,
            font: float, stacked: bool, line: float = 0.0) -> tuple[list[Any], float]:
    w_pt = rect[2] * fig.get_figwidth() * 72
    h_pt = rect[3] * fig.get_figheight() * 72
    ax.set_xlim(0, w_pt)
    ax.set_ylim(h_pt, 0)
    ax.set_axis_off()
    texts: list[Any] = []
    line_h = font * (line or (1.33 if stacked else 1.75))
    sw = font * 2.4
    y = line_h * 0.55
    for name in catalog.names():
        items = [i for i in d.items if i.layer == name]
        if not items:
            continue
        head = ax.text(0, y, catalog.get(name).map_label, fontsize=font, fontweight="bold", color=INK,
                       va="center", gid=LEGEND_GID)
        texts.append(head)
        head_w = 0.0 if stacked else max(font * 9.5, _width_pt(head, renderer, fig) + font)
        if stacked:
            y += line_h * 0.9
        x = head_w
        for it in items:
            if not it.label:
                continue
            t = ax.text(0, y, it.label, fontsize=font, color=INK, va="center", gid=LEGEND_GID)
            tw = _width_pt(t, renderer, fig)
            if x + sw + font * 0.4 + tw > w_pt and x > head_w:
                x, y = head_w, y + line_h
            lines = 1
            if x + sw + font * 0.4 + tw > w_pt:  # too long for the panel even on its own: two lines
                wrap_to(t, w_pt - x - sw - font * 0.4, renderer, fig, max_lines=2)
                tw = _width_pt(t, renderer, fig)
                lines = t.get_text().count("\n") + 1
            yc = y + (lines - 1) * line_h * 0.4
            swatch(ax, it, x, yc, sw, sc)
            t.set_x(x + sw + font * 0.4)
            t.set_y(yc)
            texts.append(t)
            x += sw + font * 0.4 + tw + font * 1.2
            if lines > 1:
                x, y = w_pt, y + (lines - 1) * line_h * 0.8  # the next class starts on a fresh line
        y += line_h * (1.15 if stacked else 1.0)
    return texts, y - line_h * 0.45  # the height used (points)


def short_label(layer: str, label: str) -> str:
    """A class's label without the layer's name its title already gives ('border market: agreed'
    under 'Border markets' reads 'agreed'; 'route accuracy: low' keeps its words)."""
    title = catalog.get(layer).map_label.lower().rstrip("s") if layer in catalog.names() else layer
    return label[len(title) + 2:] if label.lower().startswith(title + ": ") else label


def _flow(ax: Axes, fig: Figure, rect: tuple[float, float, float, float], d: Drawn, sc: Scale, renderer: Any,
          font: float, stacked: bool = False, line: float = 0.0) -> tuple[list[Any], float]:
    """The run-on legend: 'Border ━ class ━ class   Gas pipeline ━ class …', wrapping at the panel's
    width; a layer's title never ends a line without its first class."""
    del stacked
    w_pt = rect[2] * fig.get_figwidth() * 72
    h_pt = rect[3] * fig.get_figheight() * 72
    ax.set_xlim(0, w_pt)
    ax.set_ylim(h_pt, 0)
    ax.set_axis_off()
    line_h = font * (line or 1.45)
    sw, gap, sep = font * 2.0, font * 0.35, font * 0.9
    x0 = font * 0.3  # a line swatch's end marker stays inside the panel
    x, y = x0, line_h * 0.5
    texts: list[Any] = []
    for name in catalog.names():
        items = [i for i in d.items if i.layer == name and i.label]
        if not items:
            continue
        head = ax.text(0, y, catalog.get(name).map_label, fontsize=font, fontweight="bold", color=INK,
                       va="center", gid=LEGEND_GID)
        head_w = _width_pt(head, renderer, fig)
        for k, it in enumerate(items):
            t = ax.text(0, y, short_label(name, it.label), fontsize=font, color=INK, va="center", gid=LEGEND_GID)
            need = sw + gap + _width_pt(t, renderer, fig)
            lead = head_w + gap if k == 0 else 0.0
            if x > x0 and x + lead + need > w_pt:
                x, y = x0, y + line_h
            if k == 0:
                head.set_position((x, y))
                x += lead
            swatch(ax, it, x, y, sw, sc)
            t.set_position((x + sw + gap, y))
            texts.append(t)
            x += need + (sep if k < len(items) - 1 else sep * 1.6)
        texts.insert(len(texts) - len(items), head)
    return texts, y + line_h * 0.5


def key(fig: Figure, rect: tuple[float, float, float, float], events: list[Event], in_frame: set[int],
        sc: Scale, renderer: Any, font: float, columns: int, heading: str = "Events in the article") -> list[Any]:
    """The numbered events (one sequence across articles): number, date, what and where; '(off map)'
    when not on this map."""
    ax, w_pt, h_pt = point_axes(fig, rect)
    texts: list[Any] = []
    ax.text(0, font * 0.7, heading, fontsize=font * 1.1, fontweight="bold", color=INK,
            va="center", gid=KEY_GID)
    rows = int(np.ceil(len(events) / columns))
    line_h = max(font * 1.45, (h_pt - font * 2.0) / max(rows, 1))
    line_h = min(line_h, font * 1.7)
    col_w = w_pt / columns
    # one date column for every row: as wide as the widest date
    probe = ax.text(0, 0, "", fontsize=font, fontweight="bold")
    date_w = font * 4.0
    for ev in events:
        probe.set_text(ev.date.split(" (")[0])
        date_w = max(date_w, _width_pt(probe, renderer, fig))
    probe.remove()
    dx = font * 2.1 + date_w * 1.08 + font * 0.8
    for i, ev in enumerate(events):
        c, r = divmod(i, rows)
        x, y = c * col_w, font * 2.1 + r * line_h
        num = ax.text(x + font * 0.9, y, str(ev.number), ha="center", va="center", fontsize=font * 0.85,
                      fontweight="bold", color=INK, gid=KEY_GID)
        date = ax.text(x + font * 2.1, y, ev.date.split(" (")[0], fontsize=font, fontweight="bold", color=INK,
                       va="center", gid=KEY_GID)
        off = "" if ev.number in in_frame else (" (country-wide)" if ev.widespread else " (off map)")
        title = ev.title
        t = ax.text(x + dx, y, title + off, fontsize=font, color=INK if not off else INK_SOFT, va="center",
                    gid=KEY_GID)
        room = col_w - dx - font * 2.2
        while _width_pt(t, renderer, fig) > room and len(title) > 8:  # shorten the title, keep '(off map)'
            cut = max(8, int(len(title) * room / _width_pt(t, renderer, fig)) - 2)
            title = title[:cut].rstrip(" ,:;(") + "…"
            t.set_text(title + off)
        texts += [num, date, t]
    return texts


def nice_km(target: float) -> float:
    for v in (10, 20, 25, 50, 100, 150, 200, 250, 300, 400, 500, 1000):
        if v >= target * 0.8:
            return float(v)
    return 1000.0


def scalebar(ax: Axes, fr: Frame, sc: Scale, font: float) -> list[Any]:
    """A 0-n km bar at the lower left; lengths at the frame's centre latitude (conformal: true in
    every direction; the projection's scale factor there is applied)."""
    e = fr.extent
    _, lat = frame.inverse(np.array([(e.x0 + e.x1) / 2]), np.array([(e.y0 + e.y1) / 2]))
    k = frame.scale_factor(float(lat[0]))
    km = nice_km(e.width / 1000 * 0.16)
    length = km * 1000 * k
    x0 = e.x0 + e.width * 0.025
    y0 = e.y0 + e.height * 0.045
    h = e.height * 0.009
    arts: list[Any] = []
    box = FancyBboxPatch((x0 - e.width * 0.008, y0 - h * 1.2), length + e.width * 0.05, h * 5.6,
                         boxstyle="round,pad=0,rounding_size=0", facecolor=(1, 1, 1, 0.85), edgecolor="none",
                         zorder=9.0)
    ax.add_patch(box)
    arts.append(box)
    for i in range(4):
        ax.add_patch(Rectangle((x0 + i * length / 4, y0), length / 4, h, facecolor=INK if i % 2 == 0 else "white",
                               edgecolor=INK, linewidth=sc.pt(0.8), zorder=9.1))
    for frac, lab in ((0, "0"), (0.5, f"{km / 2:g}"), (1, f"{km:g} km")):
        arts.append(ax.text(x0 + frac * length, y0 + h * 1.6, lab, ha="center",
                            va="bottom", fontsize=font, color=INK, zorder=9.2))
    return arts


def graticule(ax: Axes, fr: Frame, sc: Scale, font: float, step: float) -> list[Any]:
    """Meridians and parallels every ``step`` degrees, labelled where they meet the frame."""
    w, s, e, n = fr.extent.lonlat_box()
    arts: list[Any] = []
    kw: dict[str, Any] = {"color": (0.35, 0.35, 0.35, 0.45), "linewidth": sc.pt(0.6), "zorder": 3.7}
    ex = fr.extent
    for lon in np.arange(np.ceil(w / step) * step, e + 1e-9, step):
        lat = np.linspace(s, n, 60)
        x, y = frame.forward(np.full(60, lon), lat)
        ax.plot(x, y, **kw)
        # label at the top edge
        xt = np.interp(ex.y1, y, x) if y[0] < y[-1] else x[-1]
        if ex.x0 + ex.width * 0.03 < xt < ex.x1 - ex.width * 0.03:
            arts.append(ax.text(xt, ex.y1 - ex.height * 0.006, f"{lon:g}° E", ha="center", va="top",
                                fontsize=font, color=INK_SOFT, zorder=8.9, gid="graticule",
                                bbox={"boxstyle": "round,pad=0.12", "facecolor": HALO, "edgecolor": "none",
                                      "alpha": 0.85}))
    for lat in np.arange(np.ceil(s / step) * step, n + 1e-9, step):
        lon = np.linspace(w, e, 80)
        x, y = frame.forward(lon, np.full(80, lat))
        ax.plot(x, y, **kw)
        yt = float(np.interp(ex.x1, x, y))
        if ex.y0 + ex.height * 0.08 < yt < ex.y1 - ex.height * 0.06:
            arts.append(ax.text(ex.x1 - ex.width * 0.004, yt, f"{lat:g}° N", ha="right", va="center",
                                fontsize=font, color=INK_SOFT, zorder=8.9, gid="graticule",
                                bbox={"boxstyle": "round,pad=0.12", "facecolor": HALO, "edgecolor": "none",
                                      "alpha": 0.85}))
    return arts


def locator(fig: Figure, rect: tuple[float, float, float, float], context: dict[str, Any] | None,
            main: frame.Extent, sc: Scale, font: float) -> Axes:
    """The inset: the region (context layer) with the main map's frame, in the same projection."""
    from geo import palette
    from geo.static import draw

    ax = fig.add_axes(rect)
    ext = frame.extent_of(frame.LOCATOR_BBOX)
    aspect = rect[2] * fig.get_figwidth() / (rect[3] * fig.get_figheight())
    ext = frame.Extent(*_centre_on(ext, main)).fit(aspect)
    ax.set_xlim(ext.x0, ext.x1)
    ax.set_ylim(ext.y0, ext.y1)
    ax.set_facecolor(palette.SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_edgecolor(INK)
        sp.set_linewidth(sc.pt(1.2))
    fr = draw.Frame(ext, rect[2] * fig.get_figwidth() * 96)
    names: list[tuple[dict[str, Any], Any]] = []
    for _, p, g in draw.features(context):
        gp = fr.project(g)
        if gp.is_empty:
            continue
        focus = p.get("role") == "focus"
        st = palette.CONTEXT_FOCUS if focus else palette.CONTEXT_OTHER
        draw.area(ax, gp, zorder=1, facecolor="#d9cfb8" if focus else st["fillColor"], edgecolor=st["color"],
                  linewidth=sc.pt(0.5))
        if focus and p.get("label_lon") is not None:
            names.append((p, gp))
    box = Rectangle((main.x0, main.y0), main.width, main.height, facecolor="none", edgecolor="#b2182b",
                    linewidth=sc.pt(2.2), zorder=4)
    ax.add_patch(box)
    _inset_labels(ax, fig, names, font, box.get_window_extent(fig.canvas.get_renderer()))  # type: ignore[attr-defined]
    return ax


INSET_LABEL_GID = "inset-label"


def _inset_labels(ax: Axes, fig: Figure, names: list[tuple[dict[str, Any], Any]], font: float,
                  red: Bbox) -> None:
    """The focus countries' names in the inset, each wholly inside the inset's frame and clear of
    the red outline of the main map (which would hide a letter): at Natural Earth's label point,
    moved inwards / off the outline by the least shift, smaller when too wide, left out when it
    would cover another name."""
    from matplotlib.patheffects import withStroke

    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    outer = ax.get_window_extent(renderer)
    pad = font * 0.25 * fig.dpi / 72
    frame_box = Bbox.from_extents(outer.x0 + pad, outer.y0 + pad, outer.x1 - pad, outer.y1 - pad)
    done: list[Bbox] = []
    for p, _gp in names:
        x, y = frame.forward(np.array([p["label_lon"]]), np.array([p["label_lat"]]))
        px, py = ax.transData.transform((float(x[0]), float(y[0])))
        size = font
        t = ax.text(px, py, str(p.get("name", "")).upper(), fontsize=size, color=INK, ha="center", va="center",
                    zorder=5, fontweight="bold", transform=None, gid=INSET_LABEL_GID,
                    path_effects=[withStroke(linewidth=font * 0.3, foreground=HALO)])
        while t.get_window_extent(renderer).width > frame_box.width and size > font * 0.6:
            size *= 0.9
            t.set_fontsize(size)
        b = t.get_window_extent(renderer)
        dx = max(frame_box.x0 - b.x0, 0.0) - max(b.x1 - frame_box.x1, 0.0)
        dy = max(frame_box.y0 - b.y0, 0.0) - max(b.y1 - frame_box.y1, 0.0)
        b0 = Bbox.from_extents(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)
        g = 2.0 * fig.dpi / 72
        rin = Bbox.from_extents(red.x0 + g, red.y0 + g, red.x1 - g, red.y1 - g)
        if b0.overlaps(red.padded(g)) and not (rin.containsx(b0.x0) and rin.containsx(b0.x1)
                                               and rin.containsy(b0.y0) and rin.containsy(b0.y1)):
            shifts = [(red.x0 - g - b0.x1, 0.0), (red.x1 + g - b0.x0, 0.0), (0.0, red.y1 + g - b0.y0),
                      (0.0, red.y0 - g - b0.y1), (rin.x0 - b0.x0, 0.0), (rin.x1 - b0.x1, 0.0)]

            def fits(s: tuple[float, float], b0: Bbox = b0) -> bool:
                c = Bbox.from_extents(b0.x0 + s[0], b0.y0 + s[1], b0.x1 + s[0], b0.y1 + s[1])
                return (frame_box.x0 <= c.x0 and c.x1 <= frame_box.x1 and frame_box.y0 <= c.y0
                        and c.y1 <= frame_box.y1 and not any(c.overlaps(o) for o in done))

            ok = [s for s in shifts if fits(s)]
            if ok:
                s = min(ok, key=lambda s: abs(s[0]) + abs(s[1]))
                dx, dy = dx + s[0], dy + s[1]
        # a display-space text: data position from the shifted pixels
        t.set_transform(ax.transData)
        t.set_position(tuple(ax.transData.inverted().transform((px + dx, py + dy))))
        b = t.get_window_extent(renderer)
        inside = (frame_box.x0 - 0.5 <= b.x0 and b.x1 <= frame_box.x1 + 0.5
                  and frame_box.y0 - 0.5 <= b.y0 and b.y1 <= frame_box.y1 + 0.5)
        if not inside or any(b.overlaps(o) for o in done):
            t.remove()
            continue
        done.append(b)


def _centre_on(ext: frame.Extent, main: frame.Extent) -> tuple[float, float, float, float]:
    cx, cy = (main.x0 + main.x1) / 2, (main.y0 + main.y1) / 2
    w, h = ext.width * 0.8, ext.height * 0.8
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def off_map_numbers(events: list[Event], in_frame: set[int]) -> str:
    return ranges([e.number for e in events if e.number not in in_frame])
