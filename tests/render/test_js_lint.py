"""The story map's JavaScript held to a standard like the Python's: ESLint (pinned in
geo/render/js/package.json, config geo/render/js/eslint.config.mjs) reports 0 errors and 0
warnings on geo/render/*.js (ES modules that import what they use), no file is over 500 lines, and
the pinned bundler makes them one deterministic script (or says in one line what is missing)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from geo.render import assets

RENDER = Path(__file__).resolve().parents[2] / "geo" / "render"
ESLINT = RENDER / "js" / "node_modules" / ".bin" / "eslint"


def test_eslint_clean() -> None:
    if not ESLINT.exists():
        pytest.fail("ESLint not installed: run `npm ci --prefix geo/render/js` (.ci/install does)", pytrace=False)
    node = shutil.which("node")
    assert node, "node not installed: run .ci/install"
    files = sorted(p.name for p in RENDER.glob("*.js"))
    assert "atlas.js" in files and "steps.js" in files and "symbology.js" in files
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


def test_no_js_file_over_500_lines() -> None:
    long = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in RENDER.glob("*.js")}
    assert len(long) >= 15 and max(long.values()) > 0
    assert {k: v for k, v in long.items() if v > 500} == {}


def test_every_module_is_in_the_bundle_and_imports_what_it_uses() -> None:
    """Each module is reached from the entry (nothing dead beside it), and no module reads the old
    shared bag of 42 names (atlas._) instead of importing."""
    files = {p.name: p.read_text(encoding="utf-8") for p in RENDER.glob("*.js")}
    imported = {m for text in files.values() for m in re.findall(r"^import (?:\{[^}]*\} from )?'\./([\w-]+\.js)';", text, re.M)}
    assert imported | {assets.ENTRY_JS} == set(files)
    for name, text in files.items():
        assert "A._." not in text and "var _ = A._" not in text, name
        assert not re.search(r"^\(function", text, re.M), name  # modules, not IIFEs


def test_bundle_is_one_deterministic_classic_script() -> None:
    one = assets.bundle_js()
    assets.bundle_js.cache_clear()
    two = assets.bundle_js()
    assert one == two and one.startswith("(()=>{")
    assert "import " not in one.split("\n")[0][:200] and "export " not in one
    # the panels' starters are in it (their elements call window.atlas.<starter>)
    for starter in ("storyPanel", "claimsPanel", "aboutPanel", "legend", "dateFilter", "search", "measure", "steps",
                    "locator", "popupToSheet"):
        assert f".{starter}=" in one, starter
    assert assets.own_file("story.js") == "" and assets.own_file(assets.ENTRY_JS) == one


def test_missing_bundler_is_one_clear_line(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(assets, "NODE_MODULES", tmp_path / "node_modules")
    assets.bundle_js.cache_clear()
    try:
        with pytest.raises(assets.AssetError) as err:
            assets.bundle_js()
    finally:
        assets.bundle_js.cache_clear()
    msg = str(err.value)
    assert "\n" not in msg and "esbuild" in msg and "npm ci" in msg
