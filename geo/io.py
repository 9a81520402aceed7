"""Deterministic GeoJSON (RFC 7946) building and atomic, all-or-nothing file writing."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from geo import settings
from geo.errors import GeoError


def round_coords(coords: Any, nd: int) -> Any:
    """Round nested coordinate arrays to ``nd`` decimals (2D); drop the consecutive duplicates the
    rounding creates, but never collapse a sequence to a single position."""
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(c), nd) + 0.0 for c in coords[:2]]  # +0.0 turns -0.0 into 0.0
    out = [round_coords(c, nd) for c in coords]
    if out and isinstance(out[0], list) and out[0] and isinstance(out[0][0], float):
        dedup = [out[0]]
        for pos in out[1:]:
            if pos != dedup[-1]:
                dedup.append(pos)
        if len(dedup) == 1 and len(out) > 1:
            dedup.append(out[-1])
        return dedup
    return out


def geometry_mapping(geom: Any, *, decimals: int | None = None) -> dict[str, Any] | None:
    """GeoJSON geometry dict of a shapely geometry (or mapping) with RFC 7946 winding and rounding.

    Exterior rings are counter-clockwise, holes clockwise (shapely.orient_polygons).
    """
    if geom is None:
        return None
    nd = settings.COORD_DECIMALS if decimals is None else decimals
    if not isinstance(geom, Mapping):
        import shapely

        if geom.geom_type in ("Polygon", "MultiPolygon"):
            # snap to the written grid with GEOS's precision reducer, which keeps polygons valid
            # (plain rounding can make a ring touch itself), then orient per RFC 7946
            geom = shapely.set_precision(geom, 10.0**-nd)
            geom = shapely.orient_polygons(geom, exterior_cw=False)
        geom = shapely.geometry.mapping(geom)
    return {"type": geom["type"], "coordinates": round_coords(list_coords(geom["coordinates"]), nd)}


def rounded(geom: Any) -> Any:
    """The shapely geometry exactly as it will be written (rounded, oriented): measure this."""
    from shapely.geometry import shape

    return shape(geometry_mapping(geom))


def list_coords(coords: Any) -> Any:
    """Tuples to lists, recursively (shapely's mapping() yields tuples)."""
    if isinstance(coords, (list, tuple)):
        return [list_coords(c) for c in coords]
    return coords


def feature(fid: str, properties: Mapping[str, Any], geometry: Any) -> dict[str, Any]:
    """A GeoJSON Feature with a string id; property order is the order of ``properties``."""
    if not isinstance(fid, str) or not fid:
        msg = f"feature id must be a non-empty string, got {fid!r}"
        raise ValueError(msg)
    geom = geometry_mapping(geometry)
    if geom and geom.get("type") in ("LineString", "MultiLineString"):
        parts = [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
        if any(len(part) >= 2 and all(pos == part[0] for pos in part) for part in parts):
            msg = (f"feature {fid!r}: a line collapses to one position at {settings.COORD_DECIMALS} decimals "
                   "(its vertices are closer than the written precision)")
            raise GeoError(msg)
    return {
        "type": "Feature",
        "id": fid,
        "properties": dict(properties),
        "geometry": geom,
    }


def collection(
    name: str,
    features: Iterable[dict[str, Any]],
    *,
    title: str,
    description: str,
    sources: list[str] | None = None,
    license: str = "",
    attribution: str = "",
) -> dict[str, Any]:
    """A FeatureCollection with a ``metadata`` foreign member (title, license, attribution...).

    A catalog layer's builder passes no ``license`` or ``attribution``: the catalog is their one
    home and geo/release.py fills both slots when it stamps the layer. Seed extracts (seeds/basemap/),
    which the catalog does not list, pass their own."""
    feats = list(features)
    ids = [f["id"] for f in feats]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        msg = f"layer {name!r}: duplicate feature ids {dupes}"
        raise ValueError(msg)
    return {
        "type": "FeatureCollection",
        "name": name,
        "metadata": {
            "title": title,
            "description": description,
            "sources": list(sources or []),
            "license": license,
            "attribution": attribution,
            "generated_by": "geo build, Iran-Pakistan frontier atlas",
        },
        "features": feats,
    }


def dumps(fc: Mapping[str, Any]) -> str:
    """Serialise a FeatureCollection deterministically: header, then one feature per line."""
    head = {k: v for k, v in fc.items() if k != "features"}
    head_text = json.dumps(head, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        for f in fc["features"]
    ]
    body = ",\n".join(lines)
    return head_text[:-1] + ',"features":[\n' + body + "\n]}\n"


def dumps_json(obj: Any) -> str:
    """Deterministic pretty JSON for non-GeoJSON outputs (claims ledger, reports)."""
    return json.dumps(obj, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


# -- the write phase: every output switches as one unit ------------------------------------------
#
# 1. lock      flock() on the state directory (the folder holding layers/ and maps/): one writer.
# 2. recover   finish (or undo) a switch a killed process left behind.
# 3. journal   ".geo-switch.json" (phase "staging": the temp names) is written and fsynced.
# 4. stage     every new file is written to ".<name>.geo-new" beside its target and fsynced.
# 5. commit    the journal is rewritten with phase "commit" (temp + fsync + rename + fsync dir).
#              From here on the new generation is durable and the switch only ever rolls forward.
# 6. switch    each temp is renamed over its target; every directory is fsynced.
# 7. done      the journal is removed (and its directory fsynced).
#
# A kill before 5 leaves the previous generation (the next `geo` command deletes the temps); a
# kill after 5 leaves a journal that the next `geo` command completes before doing anything else.

JOURNAL = ".geo-switch.json"
STAGED_SUFFIX = ".geo-new"
#: Test hooks (never set in normal use): seconds to sleep before each step of the switch, and the
#: step number at which the process SIGKILLs itself - so tests can stop it at every instant.
FAULT_DELAY_ENV = "GEO_SWITCH_FAULT_DELAY"
FAULT_KILL_ENV = "GEO_SWITCH_FAULT_KILL_AT"

_held: dict[str, list[int]] = {}  # state dir -> [fd, depth]: the lock is re-entrant in one process
_steps = [0]


class Busy(GeoError):
    """Another process holds the write lock of a state directory (exit 2, one line)."""

    def __init__(self, state_dir: str) -> None:
        super().__init__(f"{state_dir}: another `geo` command is writing these outputs; wait for it to finish, "
                         "then run again")


def _fault(label: str) -> None:
    delay = os.environ.get(FAULT_DELAY_ENV)
    kill_at = os.environ.get(FAULT_KILL_ENV)
    if not delay and not kill_at:
        return
    _steps[0] += 1
    if delay:
        time.sleep(float(delay))
    if kill_at and _steps[0] == int(kill_at):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durable(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``path`` (mode 0644) and fsync it. Whatever was at ``path`` (a
    temp file left by a killed process, a symlink planted there) is removed, never written through."""
    if os.path.lexists(path):
        os.unlink(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, 0o644)


def _staged(path: Path) -> Path:
    return path.with_name(f".{path.name}{STAGED_SUFFIX}")


@contextlib.contextmanager
def write_lock(state_dir: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the exclusive write lock of ``state_dir`` (re-entrant); raise Busy if another process
    holds it (or wait for it with ``wait``). The lock is on the directory itself: no lock file."""
    import fcntl

    state_dir = Path(state_dir).absolute()
    key = str(state_dir)
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise Busy(key) from None
        _held[key] = [fd, 1]
        try:
            yield
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _write_journal(state_dir: Path, phase: str, entries: list[tuple[Path, Path]]) -> None:
    doc = {"phase": phase, "files": [[str(tmp), str(target)] for tmp, target in entries]}
    journal = state_dir / JOURNAL
    tmp = _staged(journal)
    _write_durable(tmp, (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))
    os.replace(tmp, journal)
    _fsync_dir(state_dir)


def _finish(state_dir: Path) -> int:
    """Complete (phase commit) or undo (phase staging) the switch recorded in the journal; the
    caller holds the lock. Returns the number of files renamed into place."""
    journal = state_dir / JOURNAL
    _staged(journal).unlink(missing_ok=True)  # a journal that was never committed
    if not journal.exists():
        return 0
    try:
        doc = json.loads(journal.read_text(encoding="utf-8"))
        entries = [(Path(tmp), Path(target)) for tmp, target in doc["files"]]
        phase = doc["phase"]
    except (OSError, ValueError, KeyError, TypeError):
        # the journal is replaced atomically, so this is not a torn write; refuse to guess
        raise GeoError(f"{journal}: unreadable write journal; inspect the outputs, then delete it") from None
    done = 0
    dirs = {target.parent for _, target in entries}
    for tmp, target in entries:
        if not os.path.lexists(tmp):
            continue
        if phase == "commit":
            os.replace(tmp, target)
            done += 1
        else:
            tmp.unlink()
    for d in sorted(dirs):
        if d.is_dir():
            _fsync_dir(d)
    journal.unlink()
    _fsync_dir(state_dir)
    return done


def recover(state_dir: Path) -> int:
    """Complete or undo a switch that a killed process left in ``state_dir``; silently nothing
    when there is none or when a live process holds the lock (its switch is not interrupted)."""
    state_dir = Path(state_dir).absolute()
    journal = state_dir / JOURNAL
    if not (os.path.lexists(journal) or os.path.lexists(_staged(journal))):
        return 0
    try:
        with write_lock(state_dir):
            return _finish(state_dir)
    except Busy:
        return 0


def write_files(outputs: Mapping[Path, str | bytes], *, state_dir: Path | None = None) -> list[Path]:
    """Replace every output as one unit: afterwards (or, after a kill, once the next `geo` command
    has run) all of them are the new bytes or all are the old ones; no temp file is left behind.

    ``state_dir`` holds the lock and the journal (default: the folder above the outputs' folders).
    Unchanged files are not rewritten. Returns the paths whose bytes changed.
    """
    items = [(Path(p).absolute(), c.encode("utf-8") if isinstance(c, str) else c) for p, c in outputs.items()]
    for _, data in items:
        if not isinstance(data, bytes):
            raise TypeError(f"output must be str or bytes, not {type(data).__name__}")
    if state_dir is None:
        parents = {str(p.parent) for p, _ in items} or {os.getcwd()}
        state_dir = Path(os.path.commonpath(sorted(parents)))
        if len(parents) == 1:
            state_dir = state_dir.parent
    state_dir = Path(state_dir).absolute()
    with write_lock(state_dir):
        _finish(state_dir)
        changed: list[tuple[Path, Path, bytes]] = []
        for path, data in items:
            if path.is_file() and not path.is_symlink() and path.stat().st_size == len(data) \
                    and path.read_bytes() == data:
                continue
            changed.append((_staged(path), path, data))
        if not changed:
            return []
        entries = [(tmp, path) for tmp, path, _ in changed]
        _fault("journal staging")
        _write_journal(state_dir, "staging", entries)
        try:
            for tmp, path, data in changed:
                path.parent.mkdir(parents=True, exist_ok=True)
                _fault(f"stage {path.name}")
                _write_durable(tmp, data)
            for d in sorted({path.parent for _, path, _ in changed}):
                _fsync_dir(d)
            _fault("journal commit")
            _write_journal(state_dir, "commit", entries)
        except BaseException:
            _finish(state_dir)  # phase staging: delete the temps, keep every old file
            raise
        for tmp, path in entries:
            _fault(f"rename {path.name}")
            os.replace(tmp, path)
        _fault("done")
        for d in sorted({path.parent for _, path in entries}):
            _fsync_dir(d)
        (state_dir / JOURNAL).unlink()
        _fsync_dir(state_dir)
        return [path for _, path in entries]


def read_json(path: Path) -> Any:
    """Read a JSON file (used by tests and the validator)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
