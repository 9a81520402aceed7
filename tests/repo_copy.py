"""A private copy of the checkout (geo/, seeds/, layers/, pyproject.toml) for tests that kill,
race or fuzz real `geo` processes: they write only inside the copy, never the checkout's layers/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from geo import settings

IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")


def make(dest: Path, *, maps_from: Path | None = None) -> Path:
    """Copy the checkout to ``dest`` (the npm symlink is kept as a symlink); return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("geo", "seeds", "layers"):
        shutil.copytree(settings.ROOT / name, dest / name, symlinks=True, ignore=IGNORE)
    shutil.copy2(settings.ROOT / "pyproject.toml", dest / "pyproject.toml")
    if maps_from is not None:
        shutil.copytree(maps_from, dest / "maps")
    return dest


def env(repo: Path, **extra: str) -> dict[str, str]:
    """Environment that imports geo from ``repo`` (so settings.ROOT is the copy)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("GEO_SWITCH_")}
    e["PYTHONPATH"] = str(repo)
    # the checkout's build cache (.cache/: topology, geo/build/cache.py's stages) serves the copy too:
    # its entries are keyed by the code and seeds, so a copy whose geo/ or seeds/ differ misses them
    e.setdefault("GEO_CACHE_DIR", str(settings.ROOT / ".cache"))
    e.update(extra)
    return e


def geo(repo: Path, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m geo ARGS`` in the copy and wait for it."""
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=repo, env=env(repo, **extra),
                          capture_output=True, text=True, timeout=timeout, check=False)


def start(repo: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    """Start ``python -m geo ARGS`` in the copy without waiting."""
    return subprocess.Popen([sys.executable, "-m", "geo", *args], cwd=repo, env=env(repo, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def leftovers(repo: Path) -> list[str]:
    """Temp files, journals or stray hidden files a write may have left in the copy's outputs."""
    found = []
    for d in (repo, repo / "layers", repo / "maps"):
        if d.is_dir():
            found += [str(p.relative_to(repo)) for p in d.iterdir()
                      if (p.name.startswith(".") and p != repo / ".cache") or p.name.endswith((".tmp", ".geo-new"))]
    # .cache/ is the build's documented cache (git-ignored; geo/render/display.py's topology cache),
    # not an output of the switch: only a half-written file inside it would be a leftover
    found += [str(p.relative_to(repo)) for p in (repo / ".cache").rglob("*") if p.name.endswith((".tmp", ".geo-new"))]
    return sorted(found)


def module(repo: Path, name: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m NAME ARGS`` (a module of the copy, e.g. geo.export.datapackage) and wait for it."""
    return subprocess.run([sys.executable, "-m", name, *args], cwd=repo, env=env(repo),
                          capture_output=True, text=True, timeout=timeout, check=False)
