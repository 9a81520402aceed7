"""The code passes the project's linter and type checker (rules in pyproject.toml).

Run as part of the suite so that `.ci/run` and the README's test command enforce them: a change
that adds an unused import, an import cycle hidden by a late import, or a type error fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


def test_ruff_finds_nothing() -> None:
    proc = _run("ruff", "check", "--no-cache", "geo", "tests", "tools", "benchmarks")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_mypy_finds_nothing() -> None:
    # incremental, with mypy's cache in .mypy_cache/ (git-ignored): cold in a fresh clone, seconds after
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Success" in proc.stdout
