"""The build's stages kept between builds: a stage whose inputs did not change is read back, not redone.

A stage (the layers assembled and validated from seeds/, the exports, the still maps) is a pure
function of its inputs, of the code in geo/ and of the installed packages. Its result is stored
under ``.cache/build/<stage>/<key>.bin`` where ``key`` is the SHA-256 of all of them:

* the inputs the caller names (the bytes of every seed file, the layers as written, ...);
* every file of the geo package (not node_modules, not __pycache__): any change to the code is a
  new key;
* the Python version and every installed distribution's name and version (the ``*.dist-info``
  folders on sys.path): a new matplotlib, GDAL or shapely is a new key;
* the environment variables that change outputs (SOURCE_DATE_EPOCH).

An entry is treated as hostile input when read: anything but exactly what :func:`_write` writes for
that key (missing, oversized, another key, a header that is not the expected JSON, sizes that do not
add up, a blob whose SHA-256 differs from the one recorded) is ignored, and the stage is computed
and the entry written again. GEO_NO_CACHE=1 turns the cache off; GEO_CACHE_DIR moves it (as for
.cache/topology, geo/render/display.py). Only the newest :data:`KEEP` entries of a stage are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from geo import settings

#: Where entries live unless GEO_CACHE_DIR says otherwise (.cache/ is not tracked by git).
CACHE_DIR = settings.ROOT / ".cache"
#: An entry larger than this is not read (it is rebuilt).
MAX_BYTES = 512 << 20
#: The header line of an entry is at most this long.
MAX_HEADER = 1 << 20
#: Entries kept per stage (the newest by modification time); older ones are removed after a write.
KEEP = 4
#: A temporary file this old (seconds) was left by a writer that was killed: removed when pruning.
STALE_TMP_S = 600
#: Environment variables that change what a stage produces.
ENV_INPUTS = ("SOURCE_DATE_EPOCH",)
_MAGIC = "geo-build-cache/1"

Blobs = dict[str, bytes]


def stage_dir(stage: str) -> Path | None:
    """The folder of ``stage``'s entries, or None when the cache is off (GEO_NO_CACHE=1)."""
    if os.environ.get("GEO_NO_CACHE") == "1":
        return None
    env = os.environ.get("GEO_CACHE_DIR")
    return (Path(env) if env else CACHE_DIR) / "build" / stage.replace(" ", "-")


@lru_cache(maxsize=1)
def environment_digest() -> str:
    """SHA-256 of the code of the geo package and of the installed distributions' names+versions."""
    h = hashlib.sha256()
    h.update(sys.version.encode())
    pkg = settings.ROOT / "geo"
    for rel in _code_files(pkg):
        data = (pkg / rel).read_bytes()
        h.update(f"\0{rel}\0{len(data)}\0".encode())
        h.update(data)
    dists: set[str] = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        dists.update(n for n in names if n.endswith((".dist-info", ".egg-info")))
    h.update("\0".join(sorted(dists)).encode())
    return h.hexdigest()


def _code_files(pkg: Path) -> list[str]:
    """Every file of the package (relative, sorted), without node_modules/ (installed from the pinned
    lock file, which is hashed), __pycache__/ and temporary files."""
    out = []
    for folder, dirs, names in os.walk(pkg):
        dirs[:] = [d for d in dirs if d not in ("node_modules", "__pycache__")]
        rel = Path(folder).relative_to(pkg)
        out += [(rel / n).as_posix() for n in names if not n.endswith((".pyc", ".tmp"))]
    return sorted(out)


def key(stage: str, inputs: Iterable[bytes]) -> str:
    """The key of ``stage`` for these inputs (each input is length-prefixed: no two lists collide)."""
    h = hashlib.sha256()
    h.update(f"{_MAGIC}\0{stage}\0{environment_digest()}\0".encode())
    h.update(json.dumps({k: os.environ.get(k) for k in ENV_INPUTS}).encode())
    for part in inputs:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def files_digest(folder: Path) -> bytes:
    """Every entry under ``folder`` (relative name and, for a file, its bytes; in name order) as one
    digest: the input of a stage that reads a folder. Symbolic links are followed (the build reads
    through them; a loop is walked once); hidden files count too; anything that is neither a file nor
    a folder (a FIFO, a dangling link) counts by its name, so it is a new key, never a stale hit."""
    h = hashlib.sha256()
    base = Path(folder)
    entries: list[tuple[str, Path | None]] = []
    seen: set[str] = set()
    for top, dirs, names in os.walk(base, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:  # a link back up the tree: its files are already listed once
            dirs[:] = []
            continue
        seen.add(real)
        rel = Path(top).relative_to(base)
        for n in names:
            entry = Path(top) / n
            entries.append(((rel / n).as_posix(), entry if entry.is_file() else None))
    for name, path in sorted(entries, key=lambda e: e[0]):
        if path is None:
            h.update(f"{name}\0special\0".encode())
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:  # the stage that reads it reports it (one line); here it is just a key
            h.update(f"{name}\0unreadable {exc.errno}\0".encode())
            continue
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.digest()


def cached(stage: str, inputs: Iterable[bytes], compute: Callable[[], Blobs]) -> tuple[Blobs, bool]:
    """(``compute()``, False), or its stored result and True when an entry for the same inputs is
    valid. ``compute`` returns named blobs; nothing is stored when it raises."""
    where = stage_dir(stage)
    if where is None:
        return compute(), False
    k = key(stage, inputs)
    path = where / f"{k}.bin"
    hit = _read(path, k)
    if hit is not None:
        return hit, True
    blobs = compute()
    _write(path, k, blobs)
    return blobs, False


def _read(path: Path, k: str) -> Blobs | None:
    """The blobs of the entry at ``path`` if it is exactly what :func:`_write` wrote for ``k``."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    nl = raw.find(b"\n", 0, MAX_HEADER)
    if nl < 0:
        return None
    try:
        head = json.loads(raw[:nl])
    except (ValueError, RecursionError):
        return None
    if not (isinstance(head, dict) and set(head) == {"magic", "key", "files"} and head["magic"] == _MAGIC
            and head["key"] == k and isinstance(head["files"], list)):
        return None
    out: Blobs = {}
    pos = nl + 1
    for item in head["files"]:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str) and item[0] not in out
                and type(item[1]) is int and item[1] >= 0 and isinstance(item[2], str)):
            return None
        data = raw[pos:pos + item[1]]
        if len(data) != item[1] or hashlib.sha256(data).hexdigest() != item[2]:
            return None
        out[item[0]] = data
        pos += item[1]
    return out if pos == len(raw) else None


def _write(path: Path, k: str, blobs: Blobs) -> None:
    """Write atomically (a temporary file, then rename), then prune; a cache that cannot be written
    is skipped (the build does not depend on it)."""
    files = [[name, len(data), hashlib.sha256(data).hexdigest()] for name, data in blobs.items()]
    head = json.dumps({"magic": _MAGIC, "key": k, "files": files}, separators=(",", ":")).encode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(head + b"\n")
            for data in blobs.values():
                fh.write(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the newest KEEP entries; remove the temporary files of writers killed mid-write (older
    than STALE_TMP_S: a live writer's file is seconds old)."""
    try:
        entries = sorted(folder.glob("*.bin"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
        cutoff = time.time() - STALE_TMP_S
        for tmp in folder.glob(".*.tmp"):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink(missing_ok=True)
    except OSError:
        pass
