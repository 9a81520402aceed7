"""Score a draft against a hand-made gold annotation (tests/draft/drafting/*.gold.json).

Places: a gold mention is every whole-word occurrence of its ``text`` in the article body (or the
listed ``occurrences``, 1-based), longer texts first ("Mand-Pishin" before "Mand"). A predicted
mention is right when its span overlaps a gold mention and it resolves to the right thing: the
same atlas id or a point within 25 km of the gold point (``id`` or ``point``); the right ISO
3166-2 unit (``admin1``); a country mention of the right ISO 3166-1 code (``country``).
Precision counts every predicted mention in the body, unresolved ones included.
Dates: a gold date is right when a predicted date overlapping it has exactly its value (a gold
``null`` wants an unresolved date). Events: a gold event is found when a predicted event has its
date and a place that fits it as above.
"""

from __future__ import annotations

import math
import re
from typing import Any

#: A place within this distance of the gold point is the right place (issue 17).
TOLERANCE_KM = 25.0


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (spherical Earth, R = 6371 km): enough for a 25 km tolerance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _occurrences(text: str, items: list[dict[str, Any]], body_start: int) -> list[tuple[int, int, dict[str, Any]]]:
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for item in sorted(items, key=lambda g: -len(g["text"])):
        pattern = re.compile(r"(?<!\w)" + re.escape(item["text"]) + r"(?!\w)")
        hits = [m for m in pattern.finditer(text, body_start)
                if not any(a < m.end() and m.start() < b for a, b, _ in spans)]
        wanted = item.get("occurrences")
        for k, m in enumerate(hits, start=1):
            if wanted is None or k in wanted:
                spans.append((m.start(), m.end(), item))
    return sorted(spans, key=lambda t: t[0])


def _gold_point(expect: dict[str, Any], points: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    if "point" in expect:
        return float(expect["point"][0]), float(expect["point"][1])
    if "id" in expect:
        return points.get(expect["id"])
    return None


def fits(expect: dict[str, Any], pred: Any, points: dict[str, tuple[float, float]], *, within: bool = False) -> bool:
    """Does the resolved mention ``pred`` fit the gold expectation? ``within``: an event's gold
    place that is a whole country or unit is fitted by any place inside it."""
    if not pred.resolved:
        return False
    if "id" in expect and pred.id == expect["id"]:
        return True
    point = _gold_point(expect, points)
    if point is not None and pred.lat is not None and pred.kind in ("place", "feature") and \
            km(point[0], point[1], pred.lat, pred.lon) <= TOLERANCE_KM:
        return True
    if "admin1" in expect and pred.admin1 == expect["admin1"]:
        return True
    if "country" in expect and (pred.kind == "country" or within):
        return expect["country"] in pred.country.split(";")
    return False


def atlas_points(gaz: Any) -> dict[str, tuple[float, float]]:
    out = {}
    for entries in gaz.names.values():
        for e in entries:
            if e.source == "atlas" and e.lat is not None:
                out[e.id] = (e.lat, e.lon)
    return out


def score(draft: Any, gold: dict[str, Any], gaz: Any, body_start: int = 0) -> dict[str, Any]:
    points = atlas_points(gaz)
    text = draft.text
    gold_places = _occurrences(text, gold["places"], body_start)
    preds = [m for m in draft.mentions if m.start >= body_start]
    tp = 0
    misses: list[str] = []
    matched_gold: set[int] = set()
    for m in preds:
        hit = next((k for k, (a, b, g) in enumerate(gold_places) if a < m.end and m.start < b), None)
        if hit is not None and fits(gold_places[hit][2]["expect"], m, points):
            tp += 1
            matched_gold.add(hit)
        else:
            what = f"{m.id} {m.name}" if m.resolved else "unresolved"
            misses.append(f"place false positive: {m.text!r} at {m.start} -> {what}")
    for k, (a, _, g) in enumerate(gold_places):
        if k not in matched_gold:
            got = next((m for m in preds if m.start < a + len(g["text"]) and a < m.end), None)
            how = f"resolved to {got.id} {got.name}" if got and got.resolved else ("unresolved" if got else "not found")
            misses.append(f"place missed: {g['text']!r} at {a} (want {g['expect']}; {how})")
    gold_dates = _occurrences(text, gold["dates"], body_start)
    right = 0
    for a, b, g in gold_dates:
        got = [d for d in draft.dates if d.start < b and a < d.end]
        if any(d.value == g["value"] for d in got):
            right += 1
        else:
            misses.append(f"date wrong: {g['text']!r} at {a} (want {g['value']}; got "
                          f"{[d.value for d in got] if got else 'nothing'})")
    found = 0
    used: set[int] = set()
    for g in gold["events"]:
        hit = next((i for i, e in enumerate(draft.events) if i not in used and e.date.value == g["date"]
                    and fits(g["place"], e.place, points, within=True)), None)
        if hit is None:
            misses.append(f"event missed: {g['date']} {g.get('what') or g.get('seed')} (want place {g['place']})")
        else:
            used.add(hit)
            found += 1
    extra = [e for i, e in enumerate(draft.events) if i not in used]
    n_pred, n_gold = len(preds), len(gold_places)
    return {
        "places": {"predicted": n_pred, "gold": n_gold, "right": tp,
                   "precision": tp / n_pred if n_pred else 1.0, "recall": len(matched_gold) / n_gold if n_gold else 1.0},
        "dates": {"gold": len(gold_dates), "right": right, "accuracy": right / len(gold_dates) if gold_dates else 1.0,
                  "predicted": len([d for d in draft.dates if d.start >= body_start])},
        "events": {"gold": len(gold["events"]), "found": found, "predicted": len(draft.events),
                   "recall": found / len(gold["events"]) if gold["events"] else 1.0,
                   "unmatched_predictions": [f"{e.date.value} {e.sub_event_type} at {e.place.name}" for e in extra]},
        "misses": misses,
    }
