"""The article's events on a static map: numbered (print) or labelled directly (social cards).

Numbering follows the events layer's order (chronological ids), 1..n, in every format, so a
number means the same event in the key of every map. Events are anchored generically by geometry:
a point at itself, a multipoint at each member, a line at its middle, an area at a point inside it.
Markers that would touch on the page merge into one marker that carries all their numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from geo import palette
from geo.static import draw
from geo.static.draw import LegendItem
from geo.static.labels import EVENT_RING
from geo.static.style import INK, Scale, rgba

#: Event areas larger than this share of the frame (a whole country) get a marker, not a tint.
MAX_AREA_SHARE = 0.03


@dataclass
class Event:
    number: int
    id: str
    date: str
    title: str
    color: str
    verified: bool
    etype: str = ""
    article_id: str = ""
    anchors: list[tuple[float, float]] = field(default_factory=list)
    shape: str = "exact"
    area_drawn: bool = False
    #: Half the drawn area's size (metres): a name goes just outside it.
    radius_m: float = 0.0
    #: Happened across an area too large to point at (a whole country): listed, not marked.
    widespread: bool = False


def title_of(p: dict[str, Any]) -> str:
    what = p.get("sub_event_type") or p.get("event_type") or "Event"
    where = str(p.get("location") or "")
    return f"{what}: {where}" if where else str(what)


def sort_key(f: dict[str, Any], p: dict[str, Any]) -> tuple[bool, str, str]:
    """Events are numbered across articles: by date (partial ISO dates sort as text: ``2011`` before
    ``2011-06``), then id; undated events last."""
    date = str(p.get("event_date") or "")
    return (not date, date, str(f.get("id") or ""))


def article_ids(fc: dict[str, Any] | None) -> list[str]:
    """The articles the events come from (their ``article_id``, in first-seen order; none before
    events carried one)."""
    seen: dict[str, None] = {}
    for f in (fc or {}).get("features", []):
        aid = (f.get("properties") or {}).get("article_id")
        if aid:
            seen.setdefault(str(aid), None)
    return list(seen)


def collect(fc: dict[str, Any] | None, fr: draw.Frame) -> list[Event]:
    """Every event with its number (one sequence across articles, :func:`sort_key`), colour and
    its anchors inside the frame (projected)."""
    feats = list(draw.features(fc))
    # colours as the story map hands them out (layer order), numbers by date across articles
    colors = palette.event_type_colors(p.get("event_type") for _, p, _ in feats)
    feats.sort(key=lambda t: sort_key(t[0], t[1]))
    frame_area = fr.extent.width * fr.extent.height
    out: list[Event] = []
    for i, (f, p, g) in enumerate(feats, start=1):
        ev = Event(i, str(f.get("id")), str(p.get("display_date") or p.get("event_date") or ""), title_of(p),
                   colors.get(str(p.get("event_type")), palette.EVENT_DEFAULT), bool(p.get("verified", True)),
                   etype=str(p.get("event_type") or "event"), article_id=str(p.get("article_id") or ""),
                   shape=palette.event_shape(g.geom_type, p.get("geo_precision")))
        gp = fr.project(g, simplify=False)
        if gp.is_empty:
            out.append(ev)
            continue
        pts: list[tuple[float, float]] = []
        if gp.geom_type == "Point":
            pts = [(gp.x, gp.y)]
        elif gp.geom_type == "MultiPoint":
            pts = [(q.x, q.y) for q in gp.geoms]
        elif "LineString" in gp.geom_type:
            parts = sorted(getattr(gp, "geoms", [gp]), key=lambda ln: -ln.length)
            m = parts[0].interpolate(0.5, normalized=True)
            pts = [(m.x, m.y)]
        elif "Polygon" in gp.geom_type:
            c = gp.centroid if gp.contains(gp.centroid) else gp.representative_point()
            pts = [(c.x, c.y)]
            ev.area_drawn = gp.area < MAX_AREA_SHARE * frame_area
            ev.widespread = not ev.area_drawn
            x0, y0, x1, y1 = gp.bounds
            ev.radius_m = max(x1 - x0, y1 - y0) / 2
        ev.anchors = [] if ev.widespread else [(x, y) for x, y in pts if fr.contains(x, y)]
        out.append(ev)
    return out


def draw_areas(ax: Axes, fc: dict[str, Any] | None, events: list[Event], fr: draw.Frame, sc: Scale,
               d: draw.Drawn) -> None:
    st = palette.EVENT_AREA
    by_id = {e.id: e for e in events}
    for f, _p, g in draw.features(fc):
        ev = by_id.get(str(f.get("id")))
        if not ev or not ev.area_drawn:
            continue
        gp = fr.project(g)
        lw = sc.pt(st["weight"])
        draw.area(ax, gp, zorder=draw.z("events"), facecolor=rgba(ev.color, st["fillOpacity"] * 1.5),
                  edgecolor=ev.color, linewidth=lw, linestyle=(0, (4, 3)))
        d.add(draw.LegendItem("events", "area it happened in (approximate)", "area",
                              {"facecolor": rgba("#555", st["fillOpacity"] * 1.5), "edgecolor": "#555",
                               "linestyle": (0, (4, 3))}))


def ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> '1–3, 5'."""
    out: list[str] = []
    nums = sorted(set(numbers))
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(f"{nums[i]}–{nums[j]}" if j > i + 1 else ", ".join(str(n) for n in nums[i:j + 1]))
        i = j + 1
    return ", ".join(out)


@dataclass
class Cluster:
    x: float
    y: float
    events: list[Event]


def clusters(events: list[Event], ax: Axes, min_px: float) -> list[Cluster]:
    """Anchors closer than ``min_px`` on the page become one marker (in event order)."""
    out: list[Cluster] = []
    to_px = ax.transData.transform
    for ev in events:
        for x, y in ev.anchors:
            px = to_px((x, y))
            for c in out:
                if np.hypot(*(to_px((c.x, c.y)) - px)) < min_px:
                    if ev not in c.events:
                        c.events.append(ev)
                    break
            else:
                out.append(Cluster(x, y, [ev]))
    return out


def card_text(c: Cluster) -> str:
    """A card names its events instead of numbering them: '16 Jan 2024: Air/drone strike'."""
    dates = [e.date.split(" (")[0] for e in c.events]
    what = {e.title.split(":")[0] for e in c.events}
    span = dates[0] if len(set(dates)) == 1 else f"{dates[0]} – {dates[-1]}"
    return f"{span}: {what.pop() if len(what) == 1 else f'{len(c.events)} events'}"


def draw_markers(ax: Axes, cl: list[Cluster], sc: Scale, d: draw.Drawn, placer: Any, *,
                 named: bool = False) -> list[Any]:
    """A white disc with the event colour's ring and the number(s); dashed ring: unverified."""
    artists = []
    for c in cl:
        colors = {e.color for e in c.events}
        ring = c.events[0].color if len(colors) == 1 else palette.EVENT_DEFAULT
        unverified = all(not e.verified for e in c.events)
        text = card_text(c) if named else ranges([e.number for e in c.events])
        kw: dict[str, Any] = {"fontsize": sc.font * (0.8 if named else 0.92), "fontweight": "bold", "color": INK, "zorder": 9.5,
              "gid": "event-marker",
              "bbox": {"boxstyle": "round,pad=0.28,rounding_size=0.8", "facecolor": "white",
                       "edgecolor": ring, "linewidth": sc.pt(3),
                       "linestyle": (0, (2.2, 1.2)) if unverified else "solid"}}
        # on its anchor if free, else beside it with a dot marking the spot
        t = placer.place(c.x, c.y, text, offset_pt=0, centred=True, record=False, **kw)
        if t is None:
            t = placer.place(c.x, c.y, text, offset_pt=sc.font * 1.4, record=False, **kw)
            if t is not None:
                t.set_gid("event-marker")
                ax.plot([c.x], [c.y], marker="o", markersize=sc.font * 0.45, markerfacecolor=ring,
                        markeredgecolor="white", markeredgewidth=sc.pt(1), zorder=9.45)
        if t is None:  # never lose an event: force it on its anchor
            t = ax.annotate(text, (c.x, c.y), ha="center", va="center", annotation_clip=False, **kw)
            placer.block_artist(t)
        t.set_gid("event-marker")
        artists.append(t)
    shown = [e for c in cl for e in c.events]
    for ev in sorted(shown, key=lambda e: e.number):
        d.add(LegendItem("events", ev.etype.lower(), "event", {"edgecolor": ev.color, "linewidth": sc.pt(3)},
                         symbol="event", color=ev.color))
    if any(not e.verified for e in shown):
        d.add(LegendItem("events", "dashed ring: approximate position", "event",
                         {"edgecolor": "#555", "linewidth": sc.pt(3), "linestyle": (0, (2.2, 1.2))}))
    return artists


def card_label(ev: Event) -> str:
    """'Air/drone strike' over '16 Jan 2024'."""
    return f"{ev.title.split(':')[0]}\n{ev.date.split(' (')[0]}"


def draw_site(ax: Axes, ev: Event, x: float, y: float, sc: Scale, d: draw.Drawn, placer: Any) -> None:
    """A card's event: a ring in the event type's colour where it happened (dashed: unverified)."""
    ms = sc.font * 1.1
    ls = (0, (2.0, 1.2)) if not ev.verified else "solid"
    kw: dict[str, Any] = {"marker": "o", "markersize": ms, "markerfacecolor": rgba(ev.color, 0.25),
                          "markeredgecolor": ev.color, "markeredgewidth": sc.pt(3)}
    (m,) = ax.plot([x], [y], zorder=9.3, linestyle="none", **kw)
    placer.block_artist(m)
    px, py = ax.transData.transform((x, y))
    placer.points.append((float(px), float(py), EVENT_RING))  # no label may seem to name this ring
    d.add(LegendItem("events", ev.etype.lower() + (" (approximate place)" if not ev.verified else ""), "marker",
                     {**kw, "markerfacecolor": rgba(ev.color, 0.25)}, symbol="event-ring", color=ev.color))
    del ls
