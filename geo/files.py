"""The one home of file and path checks: what may be read, how much, and how a path is shown.

* Only regular files are read: a FIFO would block forever, a character device such as /dev/zero
  never ends, a symlink loop cannot be opened; each is refused by name before any byte is read.
* Every read is bounded: at most ``max_bytes`` (+1, to tell "too big" from "exactly the limit")
  are read, whatever ``stat`` said, so a file that grows while it is read cannot stall us.
* ``display()`` is how a path appears in every message (relative to the working directory when it
  lies inside it), and ``escape()`` makes any text printable on one line: control characters
  (ESC, CR, LF, TAB, DEL, C1, bidi overrides) become visible escapes, so an error is always
  exactly one line and can never move the cursor or clear the screen.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from geo.errors import GeoError, InputError

#: Characters that change what a terminal shows instead of being shown: C0 controls (with TAB, LF,
#: CR, ESC), DEL, C1 controls, the Unicode line/paragraph separators and the bidi overrides.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: Any) -> str:
    """``text`` (any object, via ``str``) with every control character made visible: one line."""
    s = text if isinstance(text, str) else str(text)
    # lone surrogates (undecodable file names) cannot be printed either
    if any("\ud800" <= c <= "\udfff" for c in s):
        s = s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(_escape_char, s)


def relative(path: Path | str) -> str:
    """A path as the user would type it from the working directory (else as given), unescaped:
    still usable to open the file. Show it with ``display``."""
    p = Path(path)
    try:
        return str(p.absolute().relative_to(Path.cwd().absolute()))
    except (ValueError, OSError):
        return str(path)


def display(path: Path | str) -> str:
    """A path for a message: relative to the working directory when inside it, control characters
    escaped (a file name with a newline still gives a one-line error)."""
    return escape(relative(path))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, expected a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file; refused (reading it could wait forever)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file; refused (reading it may never end)"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file; refused"
    return "is not a regular file; refused"


def check_regular(path: Path | str, *, what: str = "", error: type[GeoError] = InputError) -> Path:
    """``path`` if it names a regular file (symlinks to one are fine); else raise ``error`` naming it.

    Refused by name: missing files, dangling symlinks, symlink loops, directories, FIFOs,
    character/block devices, sockets and unreadable paths.
    """
    p = Path(path)
    name = display(p)
    hint = f" (expected the {what})" if what else ""
    try:
        st = os.stat(p)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(f"{name}: symlink loop (too many levels of symbolic links); refused") from None
        if exc.errno == errno.ENOENT:
            if os.path.islink(p):
                raise error(f"{name}: broken symlink (its target does not exist){hint}") from None
            raise error(f"{name}: file not found (no such file or directory){hint}") from None
        if exc.errno == errno.ENAMETOOLONG:
            raise error(f"{escape(str(p)[:80])}...: path too long") from None
        raise error(f"{name}: cannot read ({escape(exc.strerror or exc)})") from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{name}: {_kind(st.st_mode)}")
    return p


def read_bytes(path: Path | str, *, max_bytes: int, what: str = "", error: type[GeoError] = InputError) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` of them; refused by name otherwise."""
    p = check_regular(path, what=what, error=error)
    name = display(p)
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO after the check, open() must not block
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"{name}: cannot read ({escape(exc.strerror or exc)})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise error(f"{name}: {_kind(st.st_mode)}")
        if st.st_size > max_bytes:
            raise error(f"{name}: file is {st.st_size} bytes; at most {max_bytes} are read")
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise error(f"{name}: cannot read ({escape(exc.strerror or exc)})") from None
    if len(data) > max_bytes:
        raise error(f"{name}: file is more than {max_bytes} bytes; at most {max_bytes} are read")
    return data


#: JSON deeper than this is refused before it reaches any recursive code (ours, json's, shapely's).
#: The deepest GeoJSON is a MultiPolygon inside a Feature inside a FeatureCollection: about 8.
MAX_JSON_DEPTH: int = 64


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def json_depth_problem(data: bytes, limit: int = MAX_JSON_DEPTH) -> int | None:
    """The line where nesting first exceeds ``limit`` (brackets inside strings ignored), or None."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return None  # nothing can be deeper than the number of opening brackets
    import numpy as np

    stripped = _JSON_STRING.sub(b'""', data)
    a = np.frombuffer(stripped, dtype=np.uint8)
    step = (a == 0x5B).astype(np.int32) + (a == 0x7B) - (a == 0x5D) - (a == 0x7D)
    over = np.cumsum(step) > limit
    if not over.any():
        return None
    return stripped[: int(np.argmax(over))].count(b"\n") + 1


_BIG_EXPONENT = re.compile(r"[0-9][eE]\+?0*[0-9]{3,}|[0-9]{300,}")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:40]} is too large for a double (RFC 8259 section 6)")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (RFC 8259 has no NaN or Infinity)")


def check_json_start(head: bytes, name: str, *, error: type[GeoError] = InputError) -> None:
    """Refuse, from its first bytes, JSON that is not BOM-less UTF-8 (UTF-16/32, any BOM)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 2 and (head[0] == 0 or head[1] == 0)):
        raise error(f"{name} line 1: not UTF-8 (UTF-16 or UTF-32 text); GeoJSON is UTF-8 (RFC 8259 section 8.1, "
                    "RFC 7946 section 3): re-save the file as UTF-8")
    if head.startswith(b"\xef\xbb\xbf"):
        raise error(f"{name} line 1: starts with a byte order mark; RFC 8259 JSON must not")


def decode_json_text(data: bytes, name: str, *, error: type[GeoError] = InputError) -> str:
    """RFC 8259 section 8.1: JSON exchanged between systems is UTF-8, without a byte order mark.

    UTF-16/UTF-32 (with or without BOM) and a UTF-8 BOM are refused with the same words by every
    reader (``geo validate``, ``geo lengths``, the basemap extracts)."""
    check_json_start(data[:4], name, error=error)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{name} line {line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                    "GeoJSON is UTF-8 (RFC 7946 section 3)") from None


def load_json(path: Path | str, *, max_bytes: int, what: str = "", error: type[GeoError] = InputError,
              object_pairs_hook: Any = None) -> Any:
    """A JSON file read strictly (regular file, bounded size, UTF-8, depth, no NaN); errors name it."""
    p = Path(path)
    name = display(p)
    data = read_bytes(p, max_bytes=max_bytes, what=what, error=error)
    if not data:
        raise error(f"{name}: file is empty" + (f" (expected the {what})" if what else ""))
    text = decode_json_text(data, name, error=error)
    line = json_depth_problem(data)
    if line is not None:
        raise error(f"{name} line {line}: JSON nested more than {MAX_JSON_DEPTH} levels deep; refused")
    # a number beyond a double (1e999) would silently become infinity; RFC 8259 section 6 warns
    # such numbers do not interoperate. Checked by a slower parse only when an exponent could do it.
    parse_float = _finite_float if _BIG_EXPONENT.search(text) else None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=object_pairs_hook,
                          parse_float=parse_float)
    except json.JSONDecodeError as exc:
        raise error(f"{name} line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise error(f"{name}: JSON nested too deeply; refused") from None
    except ValueError as exc:
        raise error(f"{name}: invalid JSON ({escape(exc)})") from None


# -- limits on every reader (issue 20) ----------------------------------------------------------
#
# A hostile file can be small on disk and huge once read: a KMZ (zip) holding a 1 GB KML, a
# sparse file, a 134 KB Parquet file of 2x10^7 rows, a number with 2x10^9 digits. Each reader
# checks these limits before (or while) it reads, and refuses with one line naming the file; GDAL
# and arrow are given only files that passed them. The limits are far above any real route set
# (Global Energy Monitor's whole tracker: ~10^4 features, ~100 MB).

#: Largest file read per kind (bytes on disk, sparse or not).
MAX_GEOJSON_BYTES = 1 << 30  # streamed with bounded memory
MAX_XML_BYTES = 256 << 20  # KML, GPX: GDAL's drivers hold the parsed document (~2.2x the file)
MAX_BINARY_BYTES = 2 << 30  # GeoPackage, Shapefile, FlatGeobuf, GeoParquet
#: Largest total of the files inside a KMZ, counted while decompressing (zip headers can lie).
MAX_DECOMPRESSED_BYTES = 256 << 20
#: Most features (rows) read from one file.
MAX_FEATURES = 5_000_000
#: Longest number (characters): a double needs 17 significant digits and an exponent.
MAX_NUMBER_CHARS = 100
#: Longest single JSON value outside coordinates (a string, a properties object).
MAX_VALUE_BYTES = 64 << 20
#: Longest a reader may take over one file before it gives up (checked between features).
MAX_READ_SECONDS = 50.0

_XML_SUFFIXES = (".kml", ".gpx")
_JSON_SUFFIXES = (".geojson", ".json")


def size_limit(path: Path | str) -> int:
    """The most bytes a reader takes from a file of this kind (by its suffix)."""
    suffix = Path(path).suffix.lower()
    if suffix in _JSON_SUFFIXES:
        return MAX_GEOJSON_BYTES
    if suffix in _XML_SUFFIXES:
        return MAX_XML_BYTES
    return MAX_BINARY_BYTES


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def check_size(path: Path | str, *, name: str | None = None, limit: int | None = None,
               error: type[GeoError] = InputError) -> None:
    """Refuse a file larger than its kind's limit (``st_size``: a sparse file counts whole)."""
    limit = size_limit(path) if limit is None else limit
    size = os.stat(path).st_size
    if size > limit:
        raise error(f"{name or display(path)}: file is {_mib(size)}; at most {_mib(limit)} of this kind are read "
                    "(a limit against files that expand without end; see docs/reliability.md)")


def check_zip(path: Path | str, *, name: str | None = None, limit: int = MAX_DECOMPRESSED_BYTES,
              error: type[GeoError] = InputError) -> None:
    """Refuse a zip (KMZ) whose members decompress to more than ``limit`` bytes in total. The
    members are decompressed (and thrown away) up to the limit: the sizes a header states are
    not trusted."""
    import zipfile

    label = name or display(path)
    total = 0
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.file_size > limit - total:
                    raise error(f"{label}: its files decompress to more than {_mib(limit)}; refused (a zip bomb?)")
                with zf.open(info) as member:
                    while block := member.read(1 << 20):
                        total += len(block)
                        if total > limit:
                            raise error(f"{label}: its files decompress to more than {_mib(limit)}; refused "
                                        "(a zip bomb?)")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise error(f"{label}: not a readable zip (KMZ) file ({escape(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)})") from None


def check_count(n: int, *, name: str, what: str = "features", limit: int = MAX_FEATURES,
                error: type[GeoError] = InputError) -> None:
    """Refuse more than ``limit`` features (rows) in one file."""
    if n > limit:
        raise error(f"{name}: more than {limit:,} {what} ({n:,}); refused (split the file)")


class Budget:
    """Features and seconds spent reading one file: ``tick()`` once per feature raises ``error``
    naming the file once either limit is passed."""

    def __init__(self, name: str, *, features: int = MAX_FEATURES, seconds: float = MAX_READ_SECONDS,
                 error: type[GeoError] = InputError) -> None:
        import time

        self.name, self.features, self.error = name, features, error
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.n = 0

    def tick(self) -> None:
        self.n += 1
        if self.n > self.features:
            raise self.error(f"{self.name}: more than {self.features:,} features; refused (split the file)")
        if not self.n & 0x3FF:
            import time

            if time.monotonic() > self.deadline:
                raise self.error(f"{self.name}: reading took more than {self.seconds:g} s; refused (a limit against "
                                 "files built to be slow; see docs/reliability.md)")


# -- CSV cells a spreadsheet would run as formulas (OWASP "CSV injection") ------------------------

#: A text cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def csv_cell(value: Any, *, visible: bool = False) -> Any:
    """``value`` made safe for a CSV cell: text that a spreadsheet would evaluate (starting with
    ``= + - @``, TAB or CR) gets OWASP's leading apostrophe; numbers, and text that is just a
    number (``-61.5``), are left as they are. ``visible`` also escapes control characters (for
    CSV printed on a terminal)."""
    if not isinstance(value, str):
        return value
    if visible:
        value = escape(value)
    # apostrophes already in front of a formula get one more, so csv_cell_restore can undo exactly
    rest = value.lstrip("'")
    if rest.startswith(FORMULA_START) and not re.fullmatch(_PLAIN_NUMBER, rest):
        return "'" + value
    return value


def csv_cell_restore(text: str) -> str:
    """The inverse of :func:`csv_cell` for text our own CSVs hold: ``'=...`` (an apostrophe before
    a formula start) is read back as ``=...``; anything else is returned unchanged."""
    if text.startswith("'") and csv_cell(text[1:]) == text:
        return text[1:]
    return text


class CSVWriter:
    """csv.writer whose every cell goes through :func:`csv_cell`."""

    def __init__(self, out: Any, *, visible: bool = False) -> None:
        import csv

        self._w = csv.writer(out, lineterminator="\n")
        self._visible = visible

    def writerow(self, row: Any) -> None:
        self._w.writerow([csv_cell(v, visible=self._visible) for v in row])


# -- temp folders a killed process cannot leave behind for long ---------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def temp_dir(prefix: str) -> Any:
    """``tempfile.TemporaryDirectory`` named ``<prefix><pid>-...``; first removes the folders of
    this prefix that a killed process left (its pid no longer runs, and the folder is ours). A
    SIGKILL skips every cleanup, so the next run does it."""
    import shutil
    import tempfile

    base = Path(tempfile.gettempdir())
    uid = os.getuid()
    for d in base.glob(f"{prefix}*"):
        m = re.fullmatch(re.escape(prefix) + r"(\d+)-.*", d.name)
        try:
            if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))) \
                    and d.is_dir() and not d.is_symlink() and d.lstat().st_uid == uid:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            continue
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-")
