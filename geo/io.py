"""Deterministic GeoJSON (RFC 7946) building and atomic, all-or-nothing file writing."""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from geo import settings
from geo.errors import GeoError


def round_coords(coords: Any, nd: int) -> Any:
    """Round nested coordinate arrays (lists or tuples) to ``nd`` decimals (2D), as lists; drop the
    consecutive duplicates the rounding creates, but never collapse a sequence to a single position."""
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(c), nd) + 0.0 for c in coords[:2]]  # +0.0 turns -0.0 into 0.0
    # a sequence of positions (the bulk of every geometry) is rounded in place, not one call a position
    out = [[round(float(c), nd) + 0.0 for c in pos[:2]] if pos and isinstance(pos[0], (int, float))
           else round_coords(pos, nd) for pos in coords]
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
    # round_coords takes shapely's tuples as they are and returns lists
    return {"type": geom["type"], "coordinates": round_coords(geom["coordinates"], nd)}


def shape(geom: Mapping[str, Any]) -> Any:
    """``shapely.geometry.shape(geom)``: the same geometry (the same coordinates, rings and parts in
    the same order), with the polygons and lines made from numpy arrays in one call each instead of
    position by position in Python (where the exports and the basemap spent a tenth of the build).
    Anything else (points, 3D or ragged positions, empty parts) goes to shapely's own constructor."""
    import shapely

    kind, coords = geom.get("type"), geom.get("coordinates")
    try:
        if kind == "Polygon" and coords:
            return _polygon(coords)
        if kind == "MultiPolygon" and coords and all(coords):
            return shapely.multipolygons([_polygon(p) for p in coords])
        if kind == "LineString" and coords:
            return shapely.linestrings(_positions(coords))
        if kind == "MultiLineString" and coords and all(coords):
            return shapely.multilinestrings([shapely.linestrings(_positions(p)) for p in coords])
    except Exception:  # noqa: BLE001 - whatever is wrong, shapely's constructor says it as it always did
        pass
    from shapely.geometry import shape as shapely_shape

    return shapely_shape(geom)


def _positions(seq: Any) -> Any:
    import numpy as np

    arr = np.asarray(seq, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError("not a sequence of 2D positions")
    return arr


def _polygon(rings: Any) -> Any:
    import shapely

    shell, *holes = [shapely.linearrings(_positions(r)) for r in rings]
    return shapely.polygons(shell, holes=holes or None)


def rounded(geom: Any) -> Any:
    """The shapely geometry exactly as it will be written (rounded, oriented): measure this."""
    mapped = geometry_mapping(geom)
    return None if mapped is None else shape(mapped)


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

JOURNAL = settings.SWITCH_JOURNAL
STAGED_SUFFIX = settings.SWITCH_STAGED_SUFFIX
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


#: The journal format. Version 2 stores targets relative to the state folder (so a moved folder
#: still recovers) with the SHA-256 of each staged file (so recovery renames only the temps this
#: journal wrote); version 1 (absolute paths, no hashes) is refused: it cannot be checked.
JOURNAL_VERSION = 2
#: A journal bigger than this is not one `write_files` wrote (20 outputs need ~3 KB).
MAX_JOURNAL_BYTES = 1 << 20
#: Most output files one switch may name.
MAX_JOURNAL_FILES = 10_000
_HEX64 = re.compile(r"[0-9a-f]{64}")


class JournalError(GeoError):
    """A write journal that `write_files` did not write (planted, edited, or from another folder):
    refused before any file is touched."""


def _rel_target(state_dir: Path, path: Path) -> str:
    """``path`` as the journal stores it: relative to ``state_dir``, at least one folder deep."""
    try:
        rel = path.relative_to(state_dir)
    except ValueError:
        raise GeoError(f"{path}: outputs must lie inside the folder that holds the write lock and journal "
                       f"({state_dir}); give --layers and --maps in the same folder") from None
    if len(rel.parts) < 2:
        raise GeoError(f"{path}: an output must be inside a folder under {state_dir}, not beside its journal")
    return rel.as_posix()


def _check_entry(state_dir: Path, rel: Any, journal: str) -> Path:
    """The target a journal entry names, if it is one `write_files` could have written: a relative
    POSIX path ``<dir>/<name>`` inside ``state_dir``, no ``..``, no hidden name, no symlinked folder."""
    bad = JournalError(f"{journal}: not a write journal of this folder (entry {str(rel)[:80]!r}); nothing was "
                       "renamed or deleted; if no `geo` command was killed here, delete the journal")
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel or rel.startswith("/"):
        raise bad
    parts = rel.split("/")
    if len(parts) < 2 or any(p in ("", ".", "..") for p in parts) or parts[-1].startswith("."):
        raise bad
    target = state_dir.joinpath(*parts)
    folder = state_dir
    for p in parts[:-1]:  # each folder a real folder (not a symlink out of the state folder)
        folder = folder / p
        if os.path.islink(folder) or (os.path.lexists(folder) and not folder.is_dir()):
            raise bad
    return target


def _target_problem(target: Path) -> str | None:
    """Why ``target`` cannot be replaced by a rename (None when it is a regular file or absent)."""
    import stat as _stat

    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None
    if _stat.S_ISREG(st.st_mode):
        return None
    if _stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if _stat.S_ISDIR(st.st_mode):
        return "is a directory"
    return "is not a regular file (a device, FIFO or socket)"


def check_targets(targets: Iterable[Path]) -> None:
    """Every output must be a regular file or absent: a directory, symlink or device in its place
    is refused naming it, before anything is written (and again just before the commit point)."""
    from geo.files import display

    for target in targets:
        problem = _target_problem(target)
        if problem:
            raise GeoError(f"{display(target)}: output {problem}; move it away, then run again (nothing was "
                           "changed)")


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _write_journal(state_dir: Path, phase: str, entries: list[tuple[str, str]], token: str) -> None:
    doc = {"version": JOURNAL_VERSION, "id": token, "phase": phase, "files": [list(e) for e in entries]}
    journal = state_dir / JOURNAL
    tmp = _staged(journal)
    _write_durable(tmp, (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))
    os.replace(tmp, journal)
    _fsync_dir(state_dir)


def read_journal(state_dir: Path, data: bytes) -> tuple[str, list[tuple[Path, Path, str]]]:
    """The phase and (temp, target, sha256) entries of a journal's bytes, or JournalError: the
    journal is untrusted input (it may be planted in a downloaded folder)."""
    from geo.files import display

    name = display(state_dir / JOURNAL)
    unreadable = JournalError(f"{name}: unreadable write journal; nothing was renamed or deleted; inspect the "
                              "outputs, then delete it")
    if len(data) > MAX_JOURNAL_BYTES:
        raise unreadable
    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        raise unreadable from None
    if not isinstance(doc, dict) or doc.get("version") != JOURNAL_VERSION:
        raise JournalError(f"{name}: not a write journal this version of geo wrote (absolute paths or another "
                           "format); nothing was renamed or deleted; inspect the outputs, then delete it")
    phase, token, listed = doc.get("phase"), doc.get("id"), doc.get("files")
    if phase not in ("staging", "commit") or not isinstance(token, str) or not re.fullmatch(r"[0-9a-f]{32}", token) \
            or not isinstance(listed, list) or len(listed) > MAX_JOURNAL_FILES:
        raise unreadable
    entries: list[tuple[Path, Path, str]] = []
    seen: set[Path] = set()
    for item in listed:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str) and _HEX64.fullmatch(item[1])):
            raise unreadable
        target = _check_entry(state_dir, item[0], name)
        if target in seen:
            raise unreadable
        seen.add(target)
        entries.append((_staged(target), target, item[1]))
    return phase, entries


def _read_journal_file(state_dir: Path) -> bytes:
    from geo.files import display

    journal = state_dir / JOURNAL
    try:
        fd = os.open(journal, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        raise JournalError(f"{display(journal)}: unreadable write journal (not a regular file); nothing was "
                           "renamed or deleted; delete it") from None
    with os.fdopen(fd, "rb") as fh:
        import stat as _stat

        if not _stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise JournalError(f"{display(journal)}: unreadable write journal (not a regular file); nothing was "
                               "renamed or deleted; delete it")
        return fh.read(MAX_JOURNAL_BYTES + 1)


def _temp_matches(tmp: Path, digest: str) -> bool:
    """Is ``tmp`` a regular file (not a link) holding exactly the bytes the journal recorded?"""
    import hashlib
    import stat as _stat

    try:
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    with os.fdopen(fd, "rb") as fh:
        if not _stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return False
        h = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest() == digest


def _finish(state_dir: Path) -> int:
    """Complete (phase commit) or undo (phase staging) the switch recorded in the journal; the
    caller holds the lock. Everything is checked before the first rename or delete. Returns the
    number of files renamed into place."""
    from geo.files import display

    journal = state_dir / JOURNAL
    if os.path.lexists(_staged(journal)):
        os.unlink(_staged(journal))  # a journal that was never committed
    if not os.path.lexists(journal):
        return 0
    phase, entries = read_journal(state_dir, _read_journal_file(state_dir))
    pending = [(tmp, target) for tmp, target, _ in entries if os.path.lexists(tmp)]
    if phase == "commit":
        for tmp, _target, digest in entries:
            if os.path.lexists(tmp) and not _temp_matches(tmp, digest):
                raise JournalError(f"{display(tmp)}: does not hold the bytes the write journal "
                                   f"{display(journal)} recorded; nothing was renamed or deleted; inspect the "
                                   "outputs, then delete the journal")
        for _tmp, target in pending:
            problem = _target_problem(target)
            if problem:
                raise GeoError(f"{display(target)}: output {problem}, so the interrupted switch cannot be "
                               "completed; move it away, then run again (nothing was changed)")
    done = 0
    for tmp, target in pending:
        if phase == "commit":
            os.replace(tmp, target)
            done += 1
        else:
            os.unlink(tmp)
    for d in sorted({target.parent for _, target, _ in entries}):
        if d.is_dir() and not d.is_symlink():
            _fsync_dir(d)
    os.unlink(journal)
    _fsync_dir(state_dir)
    return done


def recover(state_dir: Path) -> int:
    """Complete or undo a switch that a killed process left in ``state_dir``; silently nothing
    when there is none or when a live process holds the lock (its switch is not interrupted)."""
    state_dir = Path(state_dir).absolute()
    if not any(os.path.lexists(p) for p in settings.switch_journal_files(state_dir)):
        return 0
    try:
        with write_lock(state_dir):
            return _finish(state_dir)
    except Busy:
        return 0


def write_files(outputs: Mapping[Path, str | bytes], *, state_dir: Path | None = None) -> list[Path]:
    """Replace every output as one unit: afterwards (or, after a kill, once the next `geo` command
    has run) all of them are the new bytes or all are the old ones; no temp file is left behind.

    ``state_dir`` holds the lock and the journal (default: the folder above the outputs' folders);
    every output must lie in a folder under it. Unchanged files are not rewritten. Returns the
    paths whose bytes changed. A target that is a directory, symlink or device is refused (naming
    it) before anything is written.
    """
    items = [(Path(p).absolute(), c.encode("utf-8") if isinstance(c, str) else c) for p, c in outputs.items()]
    for _, data in items:
        if not isinstance(data, bytes):
            raise TypeError(f"output must be str or bytes, not {type(data).__name__}")
    if state_dir is None:
        parents = {str(p.parent) for p, _ in items} or {os.getcwd()}
        state_dir = Path(os.path.commonpath(sorted(parents)))
        if len(parents) == 1 or any(p.parent == state_dir for p, _ in items):
            state_dir = state_dir.parent
    state_dir = Path(state_dir).absolute()
    rels = {path: _rel_target(state_dir, path) for path, _ in items}
    with write_lock(state_dir):
        _finish(state_dir)
        check_targets(path for path, _ in items)
        changed: list[tuple[Path, Path, bytes]] = []
        for path, data in items:
            if path.is_file() and not path.is_symlink() and path.stat().st_size == len(data) \
                    and path.read_bytes() == data:
                continue
            changed.append((_staged(path), path, data))
        if not changed:
            return []
        token = os.urandom(16).hex()
        listed = [(rels[path], _sha256(data)) for _, path, data in changed]
        entries = [(tmp, path) for tmp, path, _ in changed]
        _fault("journal staging")
        _write_journal(state_dir, "staging", listed, token)
        try:
            for tmp, path, data in changed:
                path.parent.mkdir(parents=True, exist_ok=True)
                _fault(f"stage {path.name}")
                _write_durable(tmp, data)
            for d in sorted({path.parent for _, path, _ in changed}):
                _fsync_dir(d)
            check_targets(path for _, path in entries)  # a target swapped for a folder while staging
            _fault("journal commit")
            _write_journal(state_dir, "commit", listed, token)
        except BaseException:
            with contextlib.suppress(OSError, GeoError):
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
