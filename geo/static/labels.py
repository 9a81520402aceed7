"""Label placement by a documented priority rule (no label ever overlaps another).

Rule (greedy, in the order of cartographic priority, Imhof's preferred positions):

1. Labels are placed in this order (geo/static/compose.py, ``Labeller.run``). Print: markets,
   crossings and the gas field; the numbered event markers (on their point if free, else beside
   it with a dot on the spot); province names (inside the province only); towns by priority
   (article places first, then by population); country names last. Cards: the events' names
   (just outside their area, then further out with a leader line); province names; Iran and
   Pakistan; the gas field, markets and crossings; the story places (the strikes' towns, then
   the places the events and the pipeline name); other towns; other countries. Ties keep the
   layer order, so the result is deterministic.
2. Each label tries the positions around its anchor in this order: right, upper right, upper
   left, left, lower right, lower left, above, below (a centred label has one position). A town
   whose name fits none of them tries again in a smaller tier (0.78 of the size), at those eight
   and sixteen directions round it, at three distances. An event's name on a card tries its
   nearest free ring first (eleven distances, sixteen directions) before the market names.
3. A position is taken when the text's box (measured by the renderer, plus a small pad) lies
   inside the map frame and overlaps no box already taken: earlier labels, every point symbol and
   every panel (legend, inset, title) over the map.
4. A position whose box lies nearer another point symbol than the label's own point is refused
   (the label would seem to name that symbol); symbols of lower priority than the label (smaller
   places, which yield and may be left out) do not count.
5. A leader line (labels placed further out) may not cross another label or symbol.
6. A label that fits nowhere is left out and reported (``Placer.dropped``), never forced. The one
   exception is a numbered event marker: an event is never lost, it is forced onto its point
   (the tests would then report the overlap).

adjustText (the usual library) moves labels until overlaps shrink but does not guarantee none and
never drops a label; a publishable map needs the guarantee, hence this rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

#: (dx, dy, ha, va) unit offsets, in preference order.
POSITIONS: tuple[tuple[float, float, str, str], ...] = (
    (1, 0, "left", "center"), (0.75, 0.75, "left", "bottom"), (-0.75, 0.75, "right", "bottom"),
    (-1, 0, "right", "center"), (0.75, -0.75, "left", "top"), (-0.75, -0.75, "right", "top"),
    (0, 1, "center", "bottom"), (0, -1, "center", "top"),
)
def _ring(n: int) -> tuple[tuple[float, float, str, str], ...]:
    """``n`` directions round a point (for labels with a leader), text aligned away from it."""
    import math

    out = []
    for i in range(n):
        a = math.pi / 2 - 2 * math.pi * i / n  # from straight up, clockwise
        dx, dy = math.cos(a), math.sin(a)
        ha = "left" if dx > 0.3 else "right" if dx < -0.3 else "center"
        va = "bottom" if dy > 0.3 else "top" if dy < -0.3 else "center"
        out.append((dx, dy, ha, va))
    return tuple(out)


#: Sixteen directions, for labels that may sit further out with a leader line.
LEADER_POSITIONS = _ring(16)
#: Priority of an event's ring on a card (no label may seem to name it, except its own town's).
EVENT_RING = 1e9
#: Gid of every placed map label (tests find them by it).
LABEL_GID = "map-label"


@dataclass
class Placer:
    """Places labels in one map axes; ``taken`` holds display-space boxes nothing may overlap."""

    ax: Axes
    renderer: Any
    pad_px: float = 2.0
    taken: list[Bbox] = field(default_factory=list)
    #: Display positions and priorities of the point symbols (for rule 4).
    points: list[tuple[float, float, float]] = field(default_factory=list)
    placed: list[Any] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    #: Display-space lines (N x 2 arrays: the border) an event's leader may not cross (rule 5).
    lines: list[Any] = field(default_factory=list)

    def block(self, box: Bbox) -> None:
        """Reserve a display-space box (a symbol, a panel)."""
        self.taken.append(box)

    def block_artist(self, artist: Any) -> None:
        self.block(extent(artist, self.renderer))

    def _ambiguous(self, box: Bbox, own: tuple[float, float], own_r: float, priority: float,
                   same_px: float = 1.0, strict: bool = False) -> bool:
        def dist(p: tuple[float, ...]) -> float:
            dx = max(box.x0 - p[0], 0.0, p[0] - box.x1)
            dy = max(box.y0 - p[1], 0.0, p[1] - box.y1)
            return float((dx * dx + dy * dy) ** 0.5)

        mine = max(dist(own) - own_r, 0.0)
        return any(dist(p) < mine * 0.8 for p in self.points
                   if (abs(p[0] - own[0]) > (same_px if p[2] >= EVENT_RING else 1.0)
                       or abs(p[1] - own[1]) > (same_px if p[2] >= EVENT_RING else 1.0))
                   and (strict or p[2] >= priority))

    def _leader_clear(self, box: Bbox, own: tuple[float, float], own_r: float, avoid_lines: bool = False) -> bool:
        """The straight leader from the label's box to its point crosses no other box (and, with
        ``avoid_lines``, none of ``lines``: an event's leader never crosses the border)."""
        import numpy as np

        sx = min(max(own[0], box.x0), box.x1)
        sy = min(max(own[1], box.y0), box.y1)
        if avoid_lines and self.lines:
            from shapely.geometry import LineString  # type: ignore[import-untyped]

            d = float(np.hypot(own[0] - sx, own[1] - sy))
            if d > own_r + 2:
                k = (d - own_r - 2) / d  # the leader up to its point's ring
                seg = LineString([(sx, sy), (sx + (own[0] - sx) * k, sy + (own[1] - sy) * k)])
                if any(seg.intersects(ln) for ln in self.lines):
                    return False
        t = np.linspace(0.0, 1.0, 40)
        xs, ys = sx + (own[0] - sx) * t, sy + (own[1] - sy) * t
        near = np.hypot(xs - own[0], ys - own[1]) <= own_r + 2  # the part inside its own ring
        for b in self.taken:
            if b.x0 <= own[0] <= b.x1 and b.y0 <= own[1] <= b.y1:
                continue  # the symbol it points at
            inside = (xs >= b.x0) & (xs <= b.x1) & (ys >= b.y0) & (ys <= b.y1) & ~near
            if inside.any():
                return False
        return True

    def _block_leader(self, box: Bbox, own: tuple[float, float], own_r: float) -> None:
        """Later labels keep off a leader line: small boxes along it."""
        import numpy as np

        sx = min(max(own[0], box.x0), box.x1)
        sy = min(max(own[1], box.y0), box.y1)
        n = max(2, int(np.hypot(own[0] - sx, own[1] - sy) / 6))
        for t in np.linspace(0.0, 1.0, n):
            x, y = sx + (own[0] - sx) * t, sy + (own[1] - sy) * t
            if np.hypot(x - own[0], y - own[1]) > own_r:
                self.taken.append(Bbox.from_extents(x - 2, y - 2, x + 2, y + 2))

    def _free(self, box: Bbox) -> bool:
        frame = self.ax.get_window_extent(self.renderer)
        if box.x0 < frame.x0 or box.y0 < frame.y0 or box.x1 > frame.x1 or box.y1 > frame.y1:
            return False
        x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1
        return not any(x0 < t.x1 and t.x0 < x1 and y0 < t.y1 and t.y0 < y1 for t in self.taken)

    def _fits(self, box: Bbox, own: tuple[float, float], own_r: float, leader: bool, avoid_lines: bool,
              priority: float, same_px: float, strict: bool) -> bool:
        if not self._free(box):
            return False
        if leader:  # a leader shows what it names (rule 5, not rule 4)
            return self._leader_clear(box, own, own_r, avoid_lines)
        return not (self.points and self._ambiguous(box, own, own_r, priority, same_px, strict))

    def place(self, x: float, y: float, text: str, *, offset_pt: float, centred: bool = False,
              record: bool = True, own_r_pt: float = 0.0, priority: float = 0.0,
              positions: tuple[tuple[float, float, str, str], ...] | None = None, avoid_lines: bool = False,
              same_px: float = 1.0, strict: bool = False, **text_kw: Any) -> Any | None:
        """Put ``text`` near data point (x, y); returns the Text, or None when it fits nowhere.

        The text is measured once (at the first position); every other position's box is that box
        moved to it (a text's size does not depend on where it sits), and only the chosen position
        is drawn, its real box checked again."""
        leader = "arrowprops" in text_kw
        if positions is None:
            positions = ((0.0, 0.0, "center", "center"),) if centred else LEADER_POSITIONS if leader else POSITIONS
        own = (float(v) for v in self.ax.transData.transform((x, y)))
        own_xy: tuple[float, float] = tuple(own)  # type: ignore[assignment]
        own_r = own_r_pt * self.renderer.dpi / 72
        k = self.renderer.dpi / 72
        shape: _Shape | None = None
        for dx, dy, ha, va in positions:
            anchor = (own_xy[0] + dx * offset_pt * k, own_xy[1] + dy * offset_pt * k)
            t = None
            if shape is None:
                t = self._annotate(x, y, text, dx * offset_pt, dy * offset_pt, ha, va, text_kw)
                shape = _Shape.measure(t, self.renderer, anchor, ha, va)
            box = shape.box(anchor, ha, va).padded(self.pad_px)
            if self._fits(box, own_xy, own_r, leader, avoid_lines, priority, same_px, strict):
                if t is None:
                    t = self._annotate(x, y, text, dx * offset_pt, dy * offset_pt, ha, va, text_kw)
                    real = extent(t, self.renderer).padded(self.pad_px)
                    if not _same(real, box):  # never trust the prediction over the renderer
                        box = real
                        if not self._fits(box, own_xy, own_r, leader, avoid_lines, priority, same_px, strict):
                            t.remove()
                            continue
                if leader:
                    self._block_leader(box, own_xy, own_r)
                self.taken.append(box)
                self.placed.append(t)
                return t
            if t is not None:
                t.remove()
        if record:
            self.dropped.append(text)
        return None

    def _annotate(self, x: float, y: float, text: str, ox: float, oy: float, ha: str, va: str,
                  text_kw: dict[str, Any]) -> Any:
        kw = {"gid": LABEL_GID, **text_kw}
        return self.ax.annotate(text, (x, y), xytext=(ox, oy), textcoords="offset points", ha=ha, va=va,
                                annotation_clip=False, **kw)


#: Where an alignment puts a box's lower left corner, as a share of its width (ha) or height (va).
_FX = {"left": 0.0, "center": 0.5, "right": 1.0}
_FY = {"bottom": 0.0, "center": 0.5, "top": 1.0}


@dataclass(frozen=True)
class _Shape:
    """A text's box, measured once: its text block's size, where the block sits from its aligned
    anchor, and how far its background patch (if any) reaches beyond the block."""

    w: float
    h: float
    ex: float
    ey: float
    margins: tuple[float, float, float, float]

    @staticmethod
    def measure(t: Any, renderer: Any, anchor: tuple[float, float], ha: str, va: str) -> _Shape:
        from matplotlib.text import Text

        full = extent(t, renderer)  # updates the annotation's position first
        tb = Text.get_window_extent(t, renderer)
        ex = tb.x0 - (anchor[0] - _FX[ha] * tb.width)
        ey = tb.y0 - (anchor[1] - _FY[va] * tb.height)
        return _Shape(tb.width, tb.height, ex, ey,
                      (full.x0 - tb.x0, full.y0 - tb.y0, full.x1 - tb.x1, full.y1 - tb.y1))

    def box(self, anchor: tuple[float, float], ha: str, va: str) -> Bbox:
        x0 = anchor[0] - _FX[ha] * self.w + self.ex
        y0 = anchor[1] - _FY[va] * self.h + self.ey
        m = self.margins
        return Bbox.from_extents(x0 + m[0], y0 + m[1], x0 + self.w + m[2], y0 + self.h + m[3])


def _same(a: Bbox, b: Bbox, tol: float = 0.01) -> bool:
    return all(abs(u - v) <= tol for u, v in zip(a.extents, b.extents, strict=True))


def extent(artist: Any, renderer: Any) -> Bbox:
    """Display box of an artist; a text's box includes its background patch (event markers)."""
    from matplotlib.text import Annotation, Text

    # an annotation's own extent includes its leader line, which may cross what it points at
    if isinstance(artist, Annotation):
        artist.update_positions(renderer)
        box = Text.get_window_extent(artist, renderer)
    else:
        box = artist.get_window_extent(renderer)
    patch = artist.get_bbox_patch() if hasattr(artist, "get_bbox_patch") else None
    if patch is not None:
        artist.update_bbox_position_size(renderer)
        box = Bbox.union([box, patch.get_window_extent(renderer)])
    return box
