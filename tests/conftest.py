"""Fixtures shared by several test modules (pytest finds this file; nothing to import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from trust_fixtures import RealBuild, good_claims, good_layers

from geo import settings
from geo.export import gpkg as export


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> RealBuild:
    """``real_build(tag="a")`` runs ``python -m geo build`` on the real seeds/ into a temporary
    layers/ and maps/ (once per tag per session; pytest removes the folders) and returns them."""
    builds: dict[str, tuple[Path, Path]] = {}

    def build(tag: str = "a") -> tuple[Path, Path]:
        if tag not in builds:
            root = tmp_path_factory.mktemp(f"geo-build-{tag}")
            layers, maps = root / "layers", root / "maps"
            proc = subprocess.run(
                [sys.executable, "-m", "geo", "build", "--seeds", str(settings.SEEDS_DIR),
                 "--layers", str(layers), "--maps", str(maps)],
                cwd=settings.ROOT, capture_output=True, text=True, timeout=600, check=False,
            )
            if proc.returncode != 0:
                pytest.fail(f"geo build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
            builds[tag] = (layers, maps)
        return builds[tag]

    return build


@pytest.fixture(scope="session")
def synthetic_exports() -> dict[str, bytes]:
    """export.exports() of the synthetic layers and claims of tests/trust_fixtures.py."""
    return export.exports(good_layers(), claims=good_claims())
