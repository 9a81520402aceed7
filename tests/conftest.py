"""Fixtures shared by several test modules (pytest finds this file; nothing to import)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from trust_fixtures import RealBuild, good_claims, good_layers, memoise_basemap

from geo import settings
from geo.export import gpkg as export


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every pytest-xdist worker of this run (and only of this run): the parent
    of the workers' temp folders under xdist, the session's own temp folder without it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _build_env(tag: str) -> dict[str, str]:
    """Tag "b" computes every stage (GEO_NO_CACHE=1): comparing it with "a", which may be read back
    from .cache/build/, keeps test_reproducible's build-twice check a check of two real builds."""
    env = dict(os.environ)
    if tag == "b":
        env["GEO_NO_CACHE"] = "1"
    return env


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> RealBuild:
    """``real_build(tag="a")`` runs ``python -m geo build`` on the real seeds/ into a temporary
    layers/ and maps/ (tag "b": with every stage computed, no cache) and returns them: once per tag per test run, shared by the xdist workers
    (the first to take the lock builds; the others wait and reuse it). Tests treat it as read-only."""
    builds: dict[str, tuple[Path, Path]] = {}
    shared = _shared_root(tmp_path_factory)

    def build(tag: str = "a") -> tuple[Path, Path]:
        if tag not in builds:
            root = shared / f"geo-build-{tag}"
            layers, maps = root / "layers", root / "maps"
            with open(shared / f"geo-build-{tag}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not (root / "ok").exists():
                    shutil.rmtree(root, ignore_errors=True)
                    proc = subprocess.run(
                        [sys.executable, "-m", "geo", "build", "--seeds", str(settings.SEEDS_DIR),
                         "--layers", str(layers), "--maps", str(maps)],
                        cwd=settings.ROOT, capture_output=True, text=True, timeout=900, check=False,
                        env=_build_env(tag),
                    )
                    if proc.returncode != 0:
                        pytest.fail(f"geo build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
                    (root / "ok").write_text("built\n")
            builds[tag] = (layers, maps)
        return builds[tag]

    return build


@pytest.fixture(scope="session")
def synthetic_exports() -> dict[str, bytes]:
    """export.exports() of the synthetic layers and claims of tests/trust_fixtures.py."""
    return export.exports(good_layers(), claims=good_claims())


@pytest.fixture(scope="module")
def built(real_build: RealBuild) -> tuple[Path, Path]:
    """(layers dir, maps dir) of the shared real build (tag "a"); read-only: copy before writing."""
    return real_build()


@pytest.fixture(scope="module")
def memo_basemap() -> Any:
    """geo.build.basemap.build_base_layers memoised for the module (see trust_fixtures.memoise_basemap)."""
    yield from memoise_basemap()
