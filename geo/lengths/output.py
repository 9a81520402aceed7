"""`geo lengths` output: the report dict, then an aligned table, JSON or CSV (wide or long).

Split from geo/lengths/cli.py (arguments and running); imports nothing heavy.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TextIO

from geo.files import CSVWriter, escape


def _in(value_m: float | None, unit: str) -> float | None:
    from geo.lengths import measure
    if value_m is None:
        return None
    return round(value_m / measure.UNIT_M[unit], 6)


def _report(sources: list[Any], comparisons: list[Any], unit: str, tolerance: float) -> dict[str, Any]:
    u = unit
    by_feature: dict[int, list[Any]] = {}
    for c in comparisons:
        by_feature.setdefault(id(c.feature), []).append(c)
    out_sources = []
    for s in sources:
        feats = []
        for f in s.features:
            rec: dict[str, Any] = {
                "id": f.fid,
                "name": f.name,
                "geometry_type": f.geometry_type,
                "measures": "perimeter" if f.is_perimeter else "length",
                "parts": f.parts,
                "vertices": f.vertices,
                "length_m": round(f.length_m, 3),
                f"length_{u}": _in(f.length_m, u),
                f"chord_{u}": _in(f.chord_m, u),
            }
            rec["stated"] = [
                {
                    "field": c.stated.field,
                    f"stated_{u}": _in(c.stated.km * 1000.0, u),
                    "source": c.stated.source,
                    f"difference_{u}": _in(c.difference_m, u),
                    "ratio": None if c.ratio is None else round(c.ratio, 4),
                    "status": c.status,
                }
                for c in by_feature.get(id(f), [])
            ]
            if f.by_country_m is not None:
                rec[f"by_country_{u}"] = {k: _in(v, u) for k, v in sorted(f.by_country_m.items())}
            feats.append(rec)
        entry: dict[str, Any] = {"path": s.path, "layer": s.layer, "crs": s.crs or "lon/lat WGS84 (GeoJSON)",
                                 "features": feats}
        if s.skipped:
            entry["skipped"] = s.skipped
        if s.alternatives:
            entry[f"total_{u}"] = None
            entry["total_note"] = "features are variants of one line: no total"
        else:
            entry[f"total_{u}"] = _in(sum(f.length_m for f in s.features), u)
            countries: dict[str, float] = {}
            for f in s.features:
                for k, v in (f.by_country_m or {}).items():
                    countries[k] = countries.get(k, 0.0) + v
            if countries:
                entry[f"total_by_country_{u}"] = {k: _in(v, u) for k, v in sorted(countries.items())}
        out_sources.append(entry)
    failures = [
        f"{c.feature.path}: {c.feature.fid}: {c.status}: stated {c.stated.km:g} km ({c.stated.field}) vs "
        f"measured {c.feature.length_m / 1000:.3f} km, ratio {'n/a' if c.ratio is None else f'{c.ratio:.3f}'}"
        for c in comparisons
        if c.status != "ok"
    ]
    return {
        "units": u,
        "method": "geodesic on the WGS84 ellipsoid (pyproj.Geod, Karney 2013)",
        "tolerance_pct": tolerance,
        "sources": out_sources,
        "check": {"compared": len(comparisons), "failed": len(failures), "failures": failures},
    }


_UNSAFE_IN_JSON = "[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"


def _json_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def _write_json(report: dict[str, Any], out: TextIO) -> None:
    """The report as JSON with one feature per line: readable, greppable, and written by
    json's C encoder (an indented dump goes through the pure-Python one: 3 s per 100k features)."""

    def dumps(obj: Any) -> str:
        # json escapes C0 controls itself; DEL, C1 controls, line separators and bidi controls
        # (which a terminal may act on) become \\uXXXX escapes too: the same JSON, nothing raw
        return re.compile(_UNSAFE_IN_JSON).sub(_json_escape, json.dumps(obj, ensure_ascii=False, allow_nan=False))

    # Encoded whole before anything is written: a value JSON cannot hold fails with no
    # partial document on stdout.
    head = {k: v for k, v in report.items() if k not in ("sources", "check")}
    chunks = ["{" + dumps(head)[1:-1] + ',\n"sources": [\n']
    for n, s in enumerate(report["sources"]):
        keys = list(s)
        cut = keys.index("features")
        before = dumps({k: s[k] for k in keys[:cut]})[1:-1]
        after = dumps({k: s[k] for k in keys[cut + 1 :]})[1:-1]
        feats = s["features"]
        chunks.append(("" if n == 0 else ",\n") + "{" + before + ', "features": ['
                      + ("\n" + ",\n".join(dumps(f) for f in feats) + "\n" if feats else "")
                      + "]" + (", " + after if after else "") + "}")
    chunks.append('\n],\n"check": ' + dumps(report["check"]) + "}\n")
    out.write("".join(chunks))


def _fmt(v: Any, nd: int = 3) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _align(rows: list[list[str]], right: set[int], out: TextIO) -> None:
    """Aligned columns under a dashed rule; columns empty in every data row are dropped."""
    rows = [[escape(c) for c in r] for r in rows]  # ids and names may hold ESC, CR, LF
    keep = [i for i in range(len(rows[0])) if any(r[i] for r in rows[1:])]
    rows = [[r[i] for i in keep] for r in rows]
    right = {keep.index(i) for i in right if i in keep}
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r)]
        out.write("  ".join(cells).rstrip() + "\n")
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def _write_table(report: dict[str, Any], out: TextIO, unit: str) -> None:
    u = unit
    out.write(f"Lengths in {u}, {report['method']}.\n")
    for s in report["sources"]:
        out.write("\n" + escape(f"{s['path']}" + (f" [{s['layer']}]" if s["layer"] != Path(s["path"]).stem else "")))
        out.write(escape(f"  (CRS: {s['crs']})") + "\n")
        if not s["features"]:  # a point layer: nothing measured, only what was skipped
            out.write(_skipped_line(s["skipped"]))
            continue
        head = ["id", "name", "type", "vertices", f"measured {u}", f"chord {u}", f"stated {u}",
                f"diff {u}", "ratio", "check", "stated source"]
        rows = [head]
        for f in s["features"]:
            gtype = f["geometry_type"] + (" (perimeter)" if f["measures"] == "perimeter" else "")
            name = _short(f["name"] or "", 28)
            base = [f["id"], name, gtype, _fmt(f["vertices"]), _fmt(f[f"length_{u}"]), _fmt(f[f"chord_{u}"])]
            if not f["stated"]:
                rows.append(base + [""] * 5)
            for k, st in enumerate(f["stated"]):
                lead = base if k == 0 else [""] * len(base)
                rows.append(lead + [_fmt(st[f"stated_{u}"]), _fmt(st[f"difference_{u}"]),
                                    _fmt(st["ratio"], 3), st["status"],
                                    _short(f"{st['field']}: {st['source'] or 'no source given'}", 72)])
            for code, v in (f.get(f"by_country_{u}") or {}).items():
                rows.append([f"  {_where(code)}", "", "", "", _fmt(v)] + [""] * 6)
        if s[f"total_{u}"] is not None:
            rows.append(["TOTAL", "", "", _fmt(sum(f["vertices"] for f in s["features"])),
                         _fmt(s[f"total_{u}"])] + [""] * 6)
            for code, v in (s.get(f"total_by_country_{u}") or {}).items():
                rows.append([f"  {_where(code)}", "", "", "", _fmt(v)] + [""] * 6)
        _align(rows, {3, 4, 5, 6, 7, 8}, out)
        if s.get("total_note"):
            out.write(f"(no total: {s['total_note'].split(': ')[0]})\n")
        if s.get("skipped"):
            out.write(_skipped_line(s["skipped"]))
    chk = report["check"]
    if chk["compared"]:
        out.write(f"\nratio = stated / measured (GEM's wiggle factor); check: ok within "
                  f"±{report['tolerance_pct']:g}%, 'impossible' = stated shorter than the chord "
                  f"between the ends. {chk['failed']} of {chk['compared']} not ok.\n")


def _skipped_line(skipped: dict[str, int]) -> str:
    return "skipped (no length): " + ", ".join(f"{n} {t}" for t, n in skipped.items()) + "\n"


def _short(text: str, width: int) -> str:
    """Cut a cell for the table (the JSON and CSV outputs carry the full text)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _where(code: str) -> str:
    return "outside (sea)" if code == "outside" else f"in {code}"


def _write_csv(report: dict[str, Any], out: TextIO, unit: str) -> None:
    """One row per measured feature: its length, then one group of columns per published length
    field found in the input (``<field>_<unit>``, ``_source``, ``_difference_<unit>``, ``_ratio``,
    ``_status``; ``<field>`` without its ``_km``), then the km per country. No total rows."""
    u = unit
    feats = [(s, f) for s in report["sources"] for f in s["features"]]
    codes = sorted({c for _, f in feats for c in (f.get(f"by_country_{u}") or {})})
    fields: list[str] = []
    for _, f in feats:
        for st in f["stated"]:
            if st["field"] not in fields:
                fields.append(st["field"])
    tags = {fl: fl.replace("_km", "") for fl in fields}
    cols = ["path", "layer", "id", "name", "geometry_type", "measures", "parts", "vertices", "length_m",
            f"length_{u}", f"chord_{u}"]
    for fl in fields:
        t = tags[fl]
        cols += [f"{t}_{u}", f"{t}_source", f"{t}_difference_{u}", f"{t}_ratio", f"{t}_status"]
    cols += [f"{u}_in_{c}" for c in codes]
    w = CSVWriter(out, visible=True)
    w.writerow(cols)
    for s, f in feats:
        row = [s["path"], s["layer"], f["id"], f["name"] or "", f["geometry_type"], f["measures"], f["parts"],
               f["vertices"], f["length_m"], f[f"length_{u}"], _csv(f[f"chord_{u}"])]
        by_field = {st["field"]: st for st in f["stated"]}
        for fl in fields:
            st = by_field.get(fl)
            row += (["", "", "", "", ""] if st is None else
                    [st[f"stated_{u}"], st["source"] or "", _csv(st[f"difference_{u}"]), _csv(st["ratio"]),
                     st["status"]])
        bc = f.get(f"by_country_{u}") or {}
        w.writerow(row + [_csv(bc.get(c)) for c in codes])


def _write_csv_long(report: dict[str, Any], out: TextIO, unit: str) -> None:
    u = unit
    codes = sorted({c for s in report["sources"] for f in s["features"] for c in (f.get(f"by_country_{u}") or {})})
    cols = ["row", "path", "layer", "id", "name", "geometry_type", "measures", "parts", "vertices", "length_m",
            f"length_{u}", f"chord_{u}", "stated_field", f"stated_{u}", "stated_source", f"difference_{u}",
            "ratio", "status"] + [f"{u}_in_{c}" for c in codes]
    w = CSVWriter(out, visible=True)
    w.writerow(cols)
    for s in report["sources"]:
        if not s["features"]:
            continue  # a point layer: the CSV has rows for measured features and totals only
        for f in s["features"]:
            base = ["feature", s["path"], s["layer"], f["id"], f["name"] or "", f["geometry_type"], f["measures"],
                    f["parts"], f["vertices"], f["length_m"], f[f"length_{u}"], _csv(f[f"chord_{u}"])]
            bc = f.get(f"by_country_{u}") or {}
            tail = [_csv(bc.get(c)) for c in codes]
            stated = f["stated"] or [None]
            for st in stated:
                if st is None:
                    mid = ["", "", "", "", "", ""]
                else:
                    mid = [st["field"], st[f"stated_{u}"], st["source"] or "", _csv(st[f"difference_{u}"]),
                           _csv(st["ratio"]), st["status"]]
                w.writerow(base + mid + tail)
        if s[f"total_{u}"] is not None:
            tb = s.get(f"total_by_country_{u}") or {}
            w.writerow(["total", s["path"], s["layer"], "", "", "", "", "",
                        sum(f["vertices"] for f in s["features"]), "", s[f"total_{u}"], "",
                        "", "", "", "", "", ""] + [_csv(tb.get(c)) for c in codes])


def _csv(v: Any) -> Any:
    return "" if v is None else v
