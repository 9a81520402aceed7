"""The story map's JavaScript held to a standard like the Python's: ESLint (pinned in
geo/render/js/package.json, config geo/render/js/eslint.config.mjs) reports 0 errors and 0
warnings on geo/render/*.js, and no file is over 500 lines but atlas.js (not split yet)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

RENDER = Path(__file__).resolve().parents[2] / "geo" / "render"
ESLINT = RENDER / "js" / "node_modules" / ".bin" / "eslint"


def test_eslint_clean() -> None:
    if not ESLINT.exists():
        pytest.fail("ESLint not installed: run `npm ci --prefix geo/render/js` (.ci/install does)", pytrace=False)
    node = shutil.which("node")
    assert node, "node not installed: run .ci/install"
    files = sorted(p.name for p in RENDER.glob("*.js"))
    assert "atlas.js" in files and "steps.js" in files
    run = subprocess.run(
        [str(ESLINT), "-c", "js/eslint.config.mjs", "--max-warnings", "0", "-f", "json", *files],
        cwd=RENDER, capture_output=True, text=True, timeout=300, check=False,
    )
    report = json.loads(run.stdout or "[]")
    problems = [f"{Path(f['filePath']).name}:{m.get('line')}: {m.get('ruleId')}: {m['message']}"
                for f in report for m in f["messages"]]
    assert problems == [], "\n".join(problems)
    assert {Path(f["filePath"]).name for f in report} == set(files)  # every file was linted
    assert run.returncode == 0, run.stderr


def test_no_js_file_over_500_lines_but_atlas() -> None:
    long = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in RENDER.glob("*.js")}
    over = {k: v for k, v in long.items() if v > 500}
    assert set(over) <= {"atlas.js"}, over
    assert long["atlas.js"] <= 1200, long["atlas.js"]
