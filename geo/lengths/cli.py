"""`geo lengths` arguments and output: an aligned table (default), --json or --csv on stdout.

Messages and warnings go to stderr. Exit codes: 0 ok, 1 --check failed, 2 bad input/usage
(raised as GeoError and printed by geo.cli as one line).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from geo import files
from geo.errors import GeoError, InputError
from geo.files import CSVWriter, escape
from geo.lengths.output import (
    _align,
    _csv,
    _fmt,
    _in,
    _report,
    _write_csv,
    _write_csv_long,
    _write_json,
    _write_table,
)

#: --units choices; metres per unit live in geo.lengths.measure.UNIT_M. Kept here so that building
#: the `geo` parser (for any subcommand) imports nothing heavy.
UNITS = ("km", "m", "mi", "nmi")

DESCRIPTION = """\
Measure line lengths geodesically on the WGS84 ellipsoid (pyproj.Geod, Karney's algorithm).
With no PATH: every line layer in layers/ (the border and its variants, each pipeline segment,
totals, pipeline km per country). With PATHs: any GeoJSON, GeoPackage, Shapefile, FlatGeobuf,
GPX, KML or GeoParquet file (GeoParquet is read by row group: bounded memory), or GeoJSON
on standard input (PATH -), each feature and the total. Where a feature carries a published length
(length_known_km, published_length_km_*) it is compared with the measured one.
Exit 0 ok, 1 --check failed, 2 bad input."""


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "lengths",
        help="measure line lengths geodesically (WGS84) and compare with published figures",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files to measure (default: layers/*.geojson); - reads GeoJSON from standard input")
    p.add_argument("--units", choices=UNITS, default="km", help="length units (default km)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON on stdout (for scripts)")
    fmt.add_argument("--csv", action="store_true",
                     help="CSV on stdout, one row per feature; each published length is a group of columns "
                     "(<field>_<unit>, _source, _difference_<unit>, _ratio, _status); no total rows, so a column sums")
    fmt.add_argument("--csv-long", action="store_true",
                     help="CSV in long form: one row per feature and published length (a feature repeats once per "
                     "figure; column 'row' tells feature rows from the per-file 'total' rows: do not sum them)")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if a stated length is outside the tolerance or shorter than the chord")
    p.add_argument("--tolerance", type=float, metavar="PCT", default=None,
                   help="allowed |stated/measured - 1| in percent for --check (default 33, GEM's flag)")
    p.add_argument("--by-country", action="store_true",
                   help="split lines at the border, km per country (default for layers/ only)")
    p.add_argument("--resolution-curve", action="store_true",
                   help="border length at source resolution and simplified at 10 m .. 5 km, and NE 1:10m")
    p.add_argument("--plot", metavar="FILE.svg", help="with --resolution-curve: write the curve as an SVG plot")
    p.add_argument("--layers-dir", metavar="DIR", help=argparse.SUPPRESS)  # tests and benchmarks


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:
        # `geo lengths | head`: the reader left; that is not an error (and no traceback).
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    from geo import settings
    from geo.lengths import layers as lengths
    layers_dir = Path(args.layers_dir) if args.layers_dir else settings.LAYERS_DIR
    unit = args.units
    tolerance = lengths.DEFAULT_TOLERANCE_PCT if args.tolerance is None else args.tolerance
    if not tolerance >= 0:  # also rejects NaN
        raise GeoError("--tolerance must be a percentage >= 0")
    if args.tolerance is not None and not args.check:
        raise GeoError("--tolerance needs --check")
    if args.plot and not args.resolution_curve:
        raise GeoError("--plot needs --resolution-curve")

    if args.resolution_curve:
        return _run_curve(args, layers_dir, unit)

    if args.paths:
        sources = []
        if args.paths.count("-") > 1:
            raise GeoError("-: standard input can be read once")
        for path in args.paths:
            if path == "-":
                sources.extend(_read_stdin(keep_coords=args.by_country))
            else:
                sources.extend(lengths.read_any(path, keep_coords=args.by_country))
        split = args.by_country
    else:
        sources = lengths.read_layers(layers_dir, keep_coords=True)
        split = True
    if split:
        try:
            frontier = lengths.load_frontier(layers_dir)
        except InputError as exc:
            if args.by_country:
                raise
            # the default report still measures; only the split needs border-osm + context
            print(f"geo: warning: no per-country split: {escape(exc)}", file=sys.stderr)
        else:
            lengths.split_sources(sources, frontier)
    _warn_swapped(sources)
    _warn_sources(sources)

    comparisons = [c for s in sources for f in s.features for c in lengths.compare(f, tolerance)]
    report = _report(sources, comparisons, unit, tolerance)
    out = sys.stdout
    if args.json:
        _write_json(report, out)
    elif args.csv:
        _write_csv(report, out, unit)
    elif args.csv_long:
        _write_csv_long(report, out, unit)
    else:
        _write_table(report, out, unit)
    if args.check:
        return _check_exit(report, comparisons)
    return 0


# -- helpers -----------------------------------------------------------------------------------


#: Bytes copied from standard input at a time (the copy is streamed to a temporary file, so a
#: large input never sits in memory whole; the file is then read like any GeoJSON file).
STDIN_CHUNK = 1 << 20


def _read_stdin(*, keep_coords: bool) -> list[Any]:
    """GeoJSON piped to `geo lengths -`, measured like a file and reported as ``-``.

    The input is spooled to an unnamed temporary file (O_TMPFILE: no name, so a kill leaves
    nothing behind), at most files.MAX_GEOJSON_BYTES of it; the first bytes are checked before
    more is read (UTF-8 JSON starts with ``{`` after optional whitespace)."""
    import os
    import tempfile

    from geo.lengths import layers as lengths
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError("-: nothing piped: `geo lengths -` reads GeoJSON from standard input "
                         "(e.g. ogr2ogr -f GeoJSON /vsistdout/ routes.gpkg | geo lengths -)")
    limit = files.MAX_GEOJSON_BYTES
    with tempfile.TemporaryFile(prefix="geo-stdin-") as fh:
        src = sys.stdin.buffer
        head = src.read(STDIN_CHUNK)
        if not head:
            raise InputError("-: standard input is empty (expected a GeoJSON FeatureCollection)")
        files.check_json_start(head[:4], "-")
        first = head.lstrip(b" \t\r\n")[:1]
        if first and first != b"{":
            shown = escape(repr(first.decode("latin-1")))
            raise InputError(f"-: standard input does not start like GeoJSON (first byte {shown}, expected '{{')")
        total = 0
        block = head
        while block:
            total += len(block)
            if total > limit:
                raise InputError(f"-: standard input is more than {limit >> 20:,} MiB; at most that much GeoJSON "
                                 "is read (see docs/reliability.md)")
            fh.write(block)
            block = src.read(STDIN_CHUNK)
        fh.flush()
        tmp = f"/proc/self/fd/{fh.fileno()}"
        if not os.path.exists(tmp):  # no /proc: measure a named copy, removed at once
            return _read_stdin_named(fh, keep_coords=keep_coords)
        try:
            sources = [lengths.read_geojson(tmp, keep_coords=keep_coords)]
        except InputError as exc:
            raise InputError(str(exc).replace(tmp, "-")) from None
    return _as_stdin(sources, tmp)


def _read_stdin_named(fh: Any, *, keep_coords: bool) -> list[Any]:
    import os
    import shutil
    import tempfile

    from geo.lengths import layers as lengths

    fd, tmp = tempfile.mkstemp(prefix="geo-stdin-", suffix=".geojson")
    try:
        fh.seek(0)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(fh, out, STDIN_CHUNK)
        try:
            sources = [lengths.read_geojson(tmp, keep_coords=keep_coords)]
        except InputError as exc:
            raise InputError(str(exc).replace(tmp, "-")) from None
    finally:
        os.unlink(tmp)
    return _as_stdin(sources, tmp)


def _as_stdin(sources: list[Any], tmp: str) -> list[Any]:
    if not any(s.features for s in sources):
        raise InputError("-: no line or polygon features to measure")
    for src in sources:
        src.path, src.layer = "-", "stdin"
        src.warnings = [w.replace(tmp, "-") for w in src.warnings]
        for f in src.features:
            f.path, f.layer = "-", "stdin"
    return sources


def _warn_swapped(sources: list[Any]) -> None:
    from geo.lengths import measure
    for s in sources:
        if s.bbox is not None and measure.looks_swapped(s.bbox):
            print(f"geo: warning: {escape(s.path)}: coordinates look like lat/lon swapped (swapped, they would "
                  "fall in the Iran-Pakistan frontier area); GeoJSON order is lon, lat", file=sys.stderr)


#: Warnings about stated lengths printed per source; the rest are counted in one line.
MAX_WARNINGS_PER_SOURCE = 10


def _warn_sources(sources: list[Any]) -> None:
    """What reading left for stderr: stated lengths that cannot be used, fields renamed."""
    for s in sources:
        for line in s.warnings[:MAX_WARNINGS_PER_SOURCE]:
            print(f"geo: warning: {escape(line)}", file=sys.stderr)
        more = len(s.warnings) - MAX_WARNINGS_PER_SOURCE
        if more > 0:
            where = s.path if s.layer == Path(s.path).stem else f"{s.path}: layer {s.layer}"
            print(f"geo: warning: {escape(where)}: {more:,} more such warnings", file=sys.stderr)


def _check_exit(report: dict[str, Any], comparisons: list[Any]) -> int:
    chk = report["check"]
    if not comparisons:
        print("geo: check: no feature carries a stated length; nothing to compare", file=sys.stderr)
        return 0
    if chk["failed"]:
        for line in chk["failures"]:
            print(f"geo: check failed: {escape(line)}", file=sys.stderr)
        print(f"geo: check: {chk['failed']} of {chk['compared']} stated lengths outside "
              f"±{report['tolerance_pct']:g}% or impossible", file=sys.stderr)
        return 1
    print(f"geo: check: all {chk['compared']} stated lengths within ±{report['tolerance_pct']:g}%",
          file=sys.stderr)
    return 0


# -- resolution curve --------------------------------------------------------------------------


def _run_curve(args: argparse.Namespace, layers_dir: Path, unit: str) -> int:
    from geo import settings
    from geo.lengths import layers as lengths
    if args.paths:
        feats = [f for p in args.paths for s in lengths.read_any(p, keep_coords=True) for f in s.features
                 if f.geometry_type in lengths.LINE_TYPES]
        ne = None
        if not feats:
            raise InputError(f"{args.paths[0]}: no line to draw a resolution curve for")
        target = feats[0]
    else:
        path = layers_dir / "border.geojson"
        if not path.exists():
            raise InputError(f"{files.relative(path)}: missing; run `geo build` first")
        src = lengths.read_geojson(files.relative(path), keep_coords=True)
        by_id = {f.fid: f for f in src.features}
        if "border-osm" not in by_id:
            raise InputError(f"{path}: no feature 'border-osm'")
        target, ne = by_id["border-osm"], by_id.get("border-ne10m")
    points = lengths.resolution_curve(target, ne)
    published: list[tuple[float, str]] = []
    explanation = ""
    if not args.paths:  # the published figures and the paragraph are about our border
        published = [(settings.BORDER_LENGTH_FACTBOOK_KM, "CIA World Factbook (current), the article"),
                     (settings.BORDER_LENGTH_OLDER_KM, "older CIA World Factbook, Wikipedia")]
        note = lengths.published_scale_note(points, [km for km, _ in published])
        explanation = lengths.CURVE_EXPLANATION + (" " + note if note else "")
    u = unit
    if args.json or args.csv:
        rows = [{"line": p.label, "tolerance_m": p.tolerance_m, "vertices": p.vertices,
                 "length_m": round(p.length_m, 3), f"length_{u}": _in(p.length_m, u)} for p in points]
        if args.json:
            json.dump({"feature": target.fid, "path": target.path, "units": u, "curve": rows,
                       "published": [{f"length_{u}": _in(km * 1000, u), "source": s} for km, s in published],
                       "explanation": explanation}, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            w = CSVWriter(sys.stdout, visible=True)
            w.writerow(["line", "tolerance_m", "vertices", "length_m", f"length_{u}"])
            for r in rows:
                w.writerow([r["line"], _csv(r["tolerance_m"]), r["vertices"], r["length_m"], r[f"length_{u}"]])
    else:
        out = sys.stdout
        out.write(escape(f"Resolution curve of {target.fid} ({target.path}"
                         + (f" [{target.layer}]" if target.layer != Path(target.path).stem else "")
                         + f"), geodesic WGS84, {u}.") + "\n\n")
        base = points[0].length_m
        table: list[list[str]] = [["line", "vertices", f"length {u}", "vs source"]]
        for p in points:
            table.append([p.label, _fmt(p.vertices), _fmt(_in(p.length_m, u)), f"{(p.length_m / base - 1) * 100:+.2f}%"])
        for km, s in published:
            table.append([f"published: {s}", "", _fmt(_in(km * 1000, u)), f"{(km * 1000 / base - 1) * 100:+.2f}%"])
        _align(table, {1, 2, 3}, out)
        if explanation:
            out.write("\n" + _wrap(explanation) + "\n")
    if args.plot:
        _write_svg(Path(args.plot), points, published, u, target.fid)
        print(f"geo: wrote {files.display(args.plot)}", file=sys.stderr)
    return 0


def _wrap(text: str) -> str:
    import textwrap

    return textwrap.fill(text, width=96)


def _write_svg(path: Path, points: list[Any], published: list[tuple[float, str]], unit: str, fid: str) -> None:
    """Length against simplification tolerance (log x), published figures as dashed lines."""
    import math

    from geo.lengths import measure
    if path.suffix.lower() != ".svg":
        raise GeoError(f"{path}: --plot writes SVG; give a .svg file name")
    tol = [(p.tolerance_m, p.length_m / measure.UNIT_M[unit]) for p in points if p.tolerance_m]
    src = points[0].length_m / measure.UNIT_M[unit]
    pts = [(1.0, src)] + tol  # source resolution drawn at 1 m
    ys = [v for _, v in pts] + [km * 1000 / measure.UNIT_M[unit] for km, _ in published]
    ne = [p for p in points if p.label.startswith("Natural Earth")]
    ys += [p.length_m / measure.UNIT_M[unit] for p in ne]
    y0, y1 = min(ys) * 0.97, max(ys) * 1.03
    if y1 <= y0:  # a zero-length line
        y1 = y0 + 1.0
    W, H, L, R, T, B = 720, 420, 70, 20, 40, 50

    def sx(t: float) -> float:
        return L + (math.log10(t) - 0) / (math.log10(5000) - 0) * (W - L - R)

    def sy(v: float) -> float:
        return T + (y1 - v) / (y1 - y0) * (H - T - B)

    el = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
          '<rect width="100%" height="100%" fill="white"/>',
          f'<text x="{L}" y="20" font-size="14">Length of {fid} vs simplification tolerance (geodesic, WGS84)</text>',
          f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>',
          f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>']
    for t in (1, 10, 100, 1000, 5000):
        label = "source" if t == 1 else (f"{t / 1000:g} km" if t >= 1000 else f"{t} m")
        el.append(f'<text x="{sx(t):.1f}" y="{H - B + 18}" text-anchor="middle">{label}</text>')
    el.append(f'<text x="{(W + L) / 2}" y="{H - 8}" text-anchor="middle">Douglas-Peucker tolerance (log scale)</text>')
    for k in range(5):
        v = y0 + (y1 - y0) * k / 4
        el.append(f'<text x="{L - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    el.append(f'<text x="14" y="{(T + H - B) / 2}" transform="rotate(-90 14 {(T + H - B) / 2})" '
              f'text-anchor="middle">length ({unit})</text>')
    for km, s in published:
        v = km * 1000 / measure.UNIT_M[unit]
        el.append(f'<line x1="{L}" y1="{sy(v):.1f}" x2="{W - R}" y2="{sy(v):.1f}" stroke="#c00" stroke-dasharray="5,4"/>')
        el.append(f'<text x="{L + 6}" y="{sy(v) - 4:.1f}" fill="#c00">{v:,.0f}: {s}</text>')
    for p in ne:
        v = p.length_m / measure.UNIT_M[unit]
        el.append(f'<line x1="{L}" y1="{sy(v):.1f}" x2="{W - R}" y2="{sy(v):.1f}" stroke="#06c" stroke-dasharray="2,3"/>')
        el.append(f'<text x="{L + 6}" y="{sy(v) - 4:.1f}" fill="#06c">{v:,.0f}: Natural Earth 1:10m</text>')
    path_d = " ".join(f"{'M' if i == 0 else 'L'}{sx(t):.1f},{sy(v):.1f}" for i, (t, v) in enumerate(pts))
    el.append(f'<path d="{path_d}" fill="none" stroke="black" stroke-width="2"/>')
    for t, v in pts:
        el.append(f'<circle cx="{sx(t):.1f}" cy="{sy(v):.1f}" r="3.5"/>')
    el.append("</svg>")
    try:
        path.write_text("\n".join(el) + "\n", encoding="utf-8")
    except OSError as exc:
        raise GeoError(f"{path}: cannot write ({exc.strerror})") from None
