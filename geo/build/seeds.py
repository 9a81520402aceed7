"""Read and check the hand-edited seed tables; every error names the file, row and column.

A seed table is a UTF-8 CSV with a header row. Its columns are declared by a `Table`
(name, type, required, allowed values). `read_table` checks everything it can about one
file and raises `SeedError` with one line: ``seeds/events.csv row 7, column event_date:
'2024-02-30' is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)``. Row numbers count the
header as row 1, as a spreadsheet does.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo import catalog, files, settings
from geo.dates import parse_date
from geo.errors import GeoError, SeedError

#: Largest seed file accepted (a seed table is hand-edited; 5 MB is far beyond any of ours).
MAX_SEED_BYTES = 5_000_000
#: Markup is never valid in seed text: the map escapes it, but it is a mistake in a seed.
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]|javascript:|on\w+\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Characters that show nothing yet change how text reads: bidi controls (U+202E makes "exe.txt"
#: read "txt.exe"), zero-width and other Unicode format characters (category Cf), C1 controls and the
#: line/paragraph separators. ZWNJ and ZWJ (U+200C, U+200D) are allowed: Persian, Urdu and Pashto
#: spelling needs them.
_ALLOWED_FORMAT = frozenset("\u200c\u200d")


def invisible_problem(text: str) -> str | None:
    """The first invisible or bidi control character in ``text``, described; None if there is none."""
    import unicodedata

    for ch in text:
        if ch.isascii() or ch in _ALLOWED_FORMAT:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cf", "Cc", "Zl", "Zp", "Co", "Cn") and not (cat == "Cn" and ch.isprintable()):
            label = unicodedata.name(ch, "unassigned" if cat == "Cn" else "control or private use")
            return (f"contains U+{ord(ch):04X} {label}, an invisible character that can disguise what the text "
                    "says (bidi controls, zero-width and format characters are refused)")
    return None
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")

TYPES = ("str", "text", "id", "int", "float", "lat", "lon", "date", "bool", "enum", "url", "ids")


@dataclass(frozen=True)
class Column:
    """One declared column of a seed table.

    type: ``str`` short text; ``text`` long text; ``id`` identifier (letters, digits, ``-_.:``);
    ``int``; ``float``; ``lat``/``lon`` degrees in range; ``date`` ISO YYYY[-MM[-DD]];
    ``bool`` true/false; ``enum`` one of ``choices``; ``url`` http(s) URL; ``ids`` ids joined by ``;``.
    """

    name: str
    type: str = "str"
    required: bool = True
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    #: the value must be greater than ``min`` (a length of 0 km is not a length)
    min_exclusive: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            msg = f"column {self.name!r}: unknown type {self.type!r}"
            raise ValueError(msg)


@dataclass(frozen=True)
class Table:
    """A seed table: file name under seeds/, its columns in order, and its id column."""

    filename: str
    columns: tuple[Column, ...]
    id_column: str | None = "id"
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _shown(value: str, limit: int = 80) -> str:
    """``repr(value)``, cut in the middle when long: an error line quotes, never echoes, a cell."""
    if len(value) <= limit:
        return repr(value)
    return repr(value[: limit // 2]) + f"...({len(value):,} characters)..." + repr(value[-limit // 4:])


def _text(col: Column, v: str, r: str) -> str:
    if _CONTROL.search(v):
        raise ValueError("contains control characters")
    hidden = invisible_problem(v)
    if hidden:
        raise ValueError(hidden)
    if _MARKUP.search(v):
        raise ValueError(f"contains markup or script ({v[:40]!r}); seeds hold plain text")
    if col.type == "str" and len(v) > 300:
        raise ValueError(f"is {len(v)} characters long; at most 300 allowed")
    if len(v) > 5000:
        raise ValueError(f"is {len(v)} characters long; at most 5000 allowed")
    return v


def _id(col: Column, v: str, r: str) -> str:
    if not _ID.match(v):
        raise ValueError(f"{r} is not an id (letters, digits, '-', '_', '.', ':')")
    return v


def _ids(col: Column, v: str, r: str) -> list[str]:
    parts = [p.strip() for p in v.split(";")]
    bad = [p for p in parts if not _ID.match(p)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not an id; ids are joined by ';'")
    return parts


#: Fixed ranges of the coordinate types (other numbers take the column's min/max).
_RANGES: dict[str, tuple[float, float]] = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0)}


def _number(col: Column, v: str, r: str) -> float:
    try:
        num: float = int(v) if col.type == "int" else float(v)
    except ValueError:
        kind = "an integer" if col.type == "int" else "a number"
        raise ValueError(f"{r} is not {kind}") from None
    if isinstance(num, float) and not math.isfinite(num):
        raise ValueError(f"{r} is not a finite number")
    lo, hi = _RANGES.get(col.type, (col.min, col.max))
    if col.min_exclusive and lo is not None and num <= lo:
        raise ValueError(f"{r} must be greater than {lo:g}")
    if (lo is not None and num < lo) or (hi is not None and num > hi):
        raise ValueError(f"{r} is outside [{lo}, {hi}]")
    return num


def _date(col: Column, v: str, r: str) -> str:
    try:
        return parse_date(v)[0]
    except ValueError:
        raise ValueError(f"{r} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)") from None


_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _bool(col: Column, v: str, r: str) -> bool:
    if v.lower() not in _BOOLS:
        raise ValueError(f"{r} is not true/false")
    return _BOOLS[v.lower()]


def _enum(col: Column, v: str, r: str) -> str:
    if v not in col.choices:
        raise ValueError(f"{r} is not one of {', '.join(col.choices)}")
    return v


def _url(col: Column, v: str, r: str) -> str:
    problem = url_problem(v)
    if problem:
        raise ValueError(f"{r} is not a usable http(s) URL: {problem}")
    return v


#: One converter per column type (Column.__post_init__ refuses any other type).
_CONVERTERS: dict[str, Callable[[Column, str, str], Any]] = {
    "str": _text, "text": _text, "id": _id, "ids": _ids, "int": _number, "float": _number, "lat": _number,
    "lon": _number, "date": _date, "bool": _bool, "enum": _enum, "url": _url,
}


def _convert(col: Column, raw: str) -> Any:
    """The cell's value, typed; ValueError says what is wrong with it (the caller adds file, row, column)."""
    v = raw.strip()
    if v == "":
        if col.required:
            raise ValueError("is empty but required")
        return None
    # the value as messages quote it: repr, at most ~80 characters
    return _CONVERTERS[col.type](col, v, _shown(v))


#: Schemes that run code when a browser opens them, wherever they hide in a URL.
_SCRIPT_SCHEME = re.compile(r"(?<![a-z0-9+.-])(?:(?:java|vb|live)script|data|file|blob):", re.IGNORECASE)


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be linked from the map (None if it may): only ``https://`` and
    ``http://`` with a host name and no userinfo (``user@`` disguises the real host), and no script
    scheme in any part, even percent-encoded (``https://x/#javascript:`` is refused)."""
    from urllib.parse import unquote, urlsplit

    if not re.match(r"^https?://", url):
        return "only https:// and http:// are allowed"
    if re.search(r"[\s<>\"'`\\^{}|\x00-\x1f\x7f]", url):
        return "contains spaces, quotes, backslashes, angle brackets or control characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"malformed ({exc})"
    if "@" in parts.netloc:
        return "has userinfo (user@host): the host a reader sees is not the host it opens"
    if not host or not re.match(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", host):
        return "has no valid host name"
    decoded = url
    for _ in range(3):  # "%256a" -> "%6a" -> "j": undo nested percent-encoding too
        decoded = unquote(decoded)
    if _SCRIPT_SCHEME.search(decoded[len(parts.scheme) + 1:]):
        return "contains a script or data scheme"
    return None


def _check_header(name: str, header: list[str], table: Table) -> list[str]:
    """The header row, if it names exactly the table's columns (in any order), once each."""
    missing = [c for c in table.names if c not in header]
    extra = [h for h in header if h not in table.names]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unknown column(s) {', '.join(extra)}")
        raise SeedError(f"{name} row 1: {'; '.join(parts)} (expected: {','.join(table.names)})")
    if len(set(header)) != len(header):
        raise SeedError(f"{name} row 1: duplicate column names")
    return header


def read_table(path: Path, table: Table) -> list[dict[str, Any]]:
    """Read one seed CSV, check it against ``table`` and return typed rows (dicts in column order)."""
    name = files.display(path)
    text = _decode(path, what=f"{table.filename} seed table", max_bytes=MAX_SEED_BYTES, unit="row")
    if not text:
        raise SeedError(f"{name}: file is empty (expected a header row: {','.join(table.names)})")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise SeedError(f"{name} row {reader.line_num}: malformed CSV ({exc})") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SeedError(f"{name}: no header row (expected: {','.join(table.names)})")
    header = _check_header(name, [h.strip() for h in rows[0]], table)
    cols = {c.name: c for c in table.columns}
    out: list[dict[str, Any]] = []
    seen: dict[Any, int] = {}
    for rownum, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue  # blank lines are allowed
        if len(raw) != len(header):
            raise SeedError(f"{name} row {rownum}: {len(raw)} fields, header has {len(header)}")
        values = dict(zip(header, raw, strict=True))
        rec: dict[str, Any] = {}
        for cname in table.names:
            try:
                rec[cname] = _convert(cols[cname], values[cname])
            except ValueError as exc:
                raise SeedError(f"{name} row {rownum}, column {cname}: {exc}") from None
        _check_extent(table, rec, name, rownum)
        if table.id_column:
            rid = rec[table.id_column]
            if rid in seen:
                raise SeedError(
                    f"{name} row {rownum}, column {table.id_column}: duplicate id {rid!r} (first at row {seen[rid]})"
                )
            seen[rid] = rownum
        rec["_row"] = rownum
        out.append(rec)
    if not out:
        raise SeedError(f"{name}: no data rows")
    return out


def _decode(path: Path, *, what: str, max_bytes: int, unit: str) -> str:
    """Bytes of a seed file as UTF-8 text, after the checks every seed file shares
    (exists, size, encoding, NUL bytes); errors name the file and the ``unit`` (row/line)."""
    name = files.display(path)
    data = files.read_bytes(path, max_bytes=max_bytes, what=what, error=SeedError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SeedError(f"{name} {unit} {line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SeedError(f"{name} {unit} {line}: contains NUL bytes; not a text file")
    return text


def read_text(path: Path, *, what: str = "text file", max_bytes: int = MAX_SEED_BYTES) -> str:
    """A hand-edited UTF-8 text seed (e.g. article.txt), checked like a table: size, encoding,
    NUL and control characters, markup. Errors name the file and line."""
    name = files.display(path)
    text = _decode(path, what=what, max_bytes=max_bytes, unit="line")
    for num, line_text in enumerate(text.splitlines(), start=1):
        if "\x00" in line_text or _CONTROL.search(line_text):
            raise SeedError(f"{name} line {num}: contains NUL or control characters")
        hidden = invisible_problem(line_text)
        if hidden:
            raise SeedError(f"{name} line {num}: {hidden}")
        m = _MARKUP.search(line_text)
        if m:
            raise SeedError(f"{name} line {num}: contains markup or script "
                            f"({line_text[max(0, m.start() - 10): m.start() + 30]!r}); seeds hold plain text")
    return text


def _check_extent(table: Table, rec: Mapping[str, Any], name: str, rownum: int) -> None:
    """A row's lat/lon pair must lie in the atlas extent: in range but outside it is nearly
    always a swapped pair (lat 73.04, lon 33.72 for Islamabad)."""
    lat_cols = [c.name for c in table.columns if c.type == "lat"]
    lon_cols = [c.name for c in table.columns if c.type == "lon"]
    if len(lat_cols) != 1 or len(lon_cols) != 1:
        return
    lat, lon = rec[lat_cols[0]], rec[lon_cols[0]]
    if lat is None or lon is None:
        return
    w, s, e, n = settings.CONTEXT_BBOX
    if not (w <= lon <= e and s <= lat <= n):
        hint = "; are lat and lon swapped?" if (w <= lat <= e and s <= lon <= n) else ""
        raise SeedError(
            f"{name} row {rownum}, columns {lat_cols[0]}/{lon_cols[0]}: ({lat}, {lon}) is outside the atlas "
            f"extent ({w}..{e} E, {s}..{n} N){hint}"
        )


def check_refs(
    rows: Iterable[Mapping[str, Any]], column: str, known: Iterable[str], *, path: Path, what: str
) -> None:
    """Every id in ``column`` (a str or a list of ids) must be in ``known``; else SeedError."""
    known_set = set(known)
    for rec in rows:
        value = rec.get(column)
        if value is None:
            continue
        for ref in value if isinstance(value, list) else [value]:
            if ref not in known_set:
                raise SeedError(
                    f"{files.display(path)} row {rec['_row']}, column {column}: unknown {what} {ref!r}"
                )


SOURCES = Table(
    "sources.csv",
    (
        Column("id", "id"),
        Column("title", "str"),
        Column("publisher", "str"),
        Column("date", "str", required=False),
        Column("url", "url", required=False),
        Column("note", "text", required=False),
    ),
    description="Every source cited by any seed: id (S1...), title, publisher, date, URL.",
)


def read_sources(seeds_dir: Path) -> dict[str, dict[str, Any]]:
    """seeds/sources.csv as id -> record."""
    rows = read_table(seeds_dir / SOURCES.filename, SOURCES)
    return {r["id"]: r for r in rows}


def source_urls(ids: Iterable[str], sources: Mapping[str, Mapping[str, Any]]) -> str:
    """The URLs of ``ids`` joined by a space (sources without URL are skipped)."""
    return " ".join(sources[i]["url"] for i in ids if sources[i].get("url"))


# --- seed tables --------------------------------------------------------------------------

# Allowed values of the fields the layers carry: their one home is the layer's JSON Schema.
GEM_STATUS = catalog.enum("pipeline", "status")
GEM_ROUTE_ACCURACY = catalog.enum("pipeline", "route_accuracy")
ROUTE_SOURCES = catalog.enum("pipeline", "route_source")
MARKET_STATUS = catalog.enum("markets", "status")
CROSSING_STATUS = catalog.enum("crossings", "status")
DATE_PRECISION = catalog.enum("events", "date_precision")
VERDICTS = catalog.enum("claims", "verdict")
# Seed-only columns (no layer field holds them): declared here, once.
PLACE_METHODS = ("geonames", "source", "border_nearest", "border_offset", "border_start", "border_end")


def seed_check(layer: str, field_name: str) -> dict[str, Any]:
    """The seed's rules for ``layer.field_name`` stricter than the layer's own (its ``x-seed-check``)."""
    return dict(catalog.fields(layer)[field_name].get("x-seed-check") or {})


CAPACITY_UNITS = tuple(seed_check("pipeline", "capacity_units")["choices"])
EVENT_TYPES = tuple(seed_check("events", "event_type")["choices"])

_SRC = Column("sources", "ids")
_ID_COLUMN = Column("id", "id")

_SCHEMA_TYPES = {"str": "string", "text": "string", "id": "string", "url": "string", "date": "string",
                 "enum": "", "ids": "string", "int": "integer", "float": "number", "lat": "number",
                 "lon": "number", "bool": "boolean"}


def _schema_path(layer: str) -> str:
    return "geo/schemas/" + (catalog.CLAIMS_SCHEMA_FILE if layer == "claims" else catalog.get(layer).schema_file)


def schema_column(layer: str, name: str) -> Column:
    """The seed column ``name`` a builder copies to the property ``name`` of ``layer``, from the
    property's JSON Schema: type from ``x-seed``, required unless the property may be null, choices
    from ``enum``, bounds from ``minimum``/``exclusiveMinimum``/``maximum`` (or an integer enum); the
    seed's stricter rules (``x-seed-check``: required, choices, min, max, min_exclusive) win."""
    spec = catalog.fields(layer)[name]
    kind = spec["x-seed"]
    types = spec.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    want = _SCHEMA_TYPES.get(kind)
    if want is None or (want and want not in types):
        fits = ", ".join(k for k, v in _SCHEMA_TYPES.items() if not v or v in types)
        raise GeoError(f"{_schema_path(layer)}, property {name}: x-seed {kind!r} does not fit its type "
                       f"{types} (one of: {fits})")
    check = spec.get("x-seed-check") or {}
    enum = tuple(v for v in spec.get("enum", []) if v is not None)
    ints = [v for v in enum if isinstance(v, int) and not isinstance(v, bool)]
    lo = spec.get("minimum", spec.get("exclusiveMinimum"))
    hi = spec.get("maximum")
    exclusive = "exclusiveMinimum" in spec and "minimum" not in spec
    if lo is None and hi is None and ints:
        lo, hi = min(ints), max(ints)
    return Column(
        name, kind,
        required=bool(check.get("required", "null" not in types)),
        choices=tuple(check.get("choices", enum if kind == "enum" else ())),
        min=check.get("min", lo), max=check.get("max", hi),
        min_exclusive=bool(check.get("min_exclusive", exclusive)),
    )


def layer_table(layer: str, filename: str, *, first: tuple[Column, ...] = (_ID_COLUMN,),
                after: Mapping[str, tuple[Column, ...]] | None = None, last: tuple[Column, ...] = (_SRC,),
                description: str = "") -> Table:
    """The seed table of ``layer``: ``first``, then a column for every property its schema marks
    ``x-seed`` (in schema order), each followed by the seed-only columns ``after`` it, then ``last``.

    The order is the CSV header's: a new property copied from the seed is its schema entry plus
    a CSV column placed where the schema order puts it."""
    after = dict(after or {})
    cols = list(first)
    for name, spec in catalog.fields(layer).items():
        if "x-seed" in spec:
            cols += [schema_column(layer, name), *after.pop(name, ())]
    if after:
        raise GeoError(f"{_schema_path(layer)}: seeds/{filename} has columns placed after {sorted(after)}, which "
                       "the schema does not mark x-seed")
    return Table(filename, (*cols, *last), description=description)


def seed_properties(layer: str, row: Mapping[str, Any], derived: Mapping[str, Any]) -> dict[str, Any]:
    """One record's properties in the order of ``layer``'s JSON Schema: every property marked
    ``x-seed`` copied from the seed ``row``, every other one from ``derived`` (what the builder
    computed). A property neither gives, or a derived value the schema does not declare, is a bug.
    A layer built from no seed table (the basemap layers) passes an empty ``row``."""
    spec = catalog.fields(layer)
    out = {name: row[name] if "x-seed" in s else derived[name] for name, s in spec.items()}
    unknown = [k for k in derived if k not in spec or "x-seed" in spec[k]]
    if unknown:
        msg = f"{layer}: the builder computes {unknown}, which the schema does not declare as derived"
        raise KeyError(msg)
    return out


# --- the seed tables of the article layers (read by geo.build.layers) ------------------------------

PLACES = layer_table("places", "places.csv", after={
    "geonames_id": (Column("lat", "lat", required=False), Column("lon", "lon", required=False)),
    "in_article": (Column("method", "enum", choices=PLACE_METHODS), Column("anchor", "id", required=False),
                   Column("offset_km", "float", required=False, min=0, max=500)),
}, description="Every place the article names or the other layers need.")

WAYPOINTS = Table("pipeline_waypoints.csv", (
    Column("id", "id"), Column("name"), Column("place", "id"),
    Column("kind", "enum", choices=("waypoint", "field", "border")),
    Column("status", "enum", required=False, choices=GEM_STATUS), Column("status_date", "date", required=False),
    Column("status_source", required=False), Column("status_note", "text", required=False),
    Column("role", "text"), _SRC,
), description="Points where the pipeline segments start and end (each refers to a place); on a GEM-traced "
   "segment a waypoint is projected onto the route, a kind=border waypoint is where the route crosses border-osm; "
   "kind=field rows (with status columns) become Point features of the pipeline layer.")

SEGMENTS = layer_table("pipeline", "pipeline_segments.csv", after={
    "length_known_km": (Column("length_known_min_km", "float", required=False, min=0, min_exclusive=True),
                        Column("length_known_max_km", "float", required=False, min=0, min_exclusive=True)),
    "end_location": (Column("waypoints", "ids"),),
}, description="The pipeline as GEM-style segments, in route order.")

_SITE_AFTER = {"name_ir": (Column("place", "id"),)}
MARKETS = layer_table("markets", "markets.csv", after=_SITE_AFTER, description="Joint border (sustenance) markets.")
CROSSINGS = layer_table("crossings", "crossings.csv", after=_SITE_AFTER, description="Official border crossings.")

EVENTS = layer_table("events", "events.csv", after={
    "geo_precision": (Column("geometry_basis"), Column("area_radius_km", "float", required=False, min=0.1, max=500)),
}, description="Every event the article reports (ACLED-style precision codes).")

CLAIMS = layer_table("claims", "claims.csv", first=(), after={
    "verdict": (Column("measure", required=False), Column("measured_unit", required=False),
                Column("measured_note", "text", required=False), Column("feature_ids", "ids", required=False)),
}, description="Every checkable claim of the article with a verdict.")

ALL_TABLES = (PLACES, WAYPOINTS, SEGMENTS, MARKETS, CROSSINGS, EVENTS, CLAIMS)
