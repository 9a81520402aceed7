"""The rules of the package layout (docs/design.md): imports only go downward, no import loops,
folium only in the renderer, and `geo lengths` never loads folium or geopandas.

Imports are read from the source (every ``import``, also the lazy ones inside functions), so a
rule is broken by the code as written, whichever command runs it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo import settings

GEO = settings.ROOT / "geo"

#: The stages of docs/design.md, lowest first ("settings/errors <- io <- seeds/basemap <- layers
#: <- validate/export/render <- pipeline <- cli"), with the modules added since put where their
#: imports place them. A module may import from its own stage or a lower one, never a higher one.
#: A module is ranked by the longest name below that it starts with (geo.check.topology ->
#: geo.check). A new module must be added here: its place in the pipeline is a design decision.
STAGES: tuple[tuple[str, ...], ...] = (
    ("geo", "geo.settings", "geo.errors", "geo.catalog", "geo.version"),  # constants, the layer list
    ("geo.io", "geo.geodesy", "geo.dates", "geo.files", "geo.palette", "geo.release",  # shared facts
     "geo.export.fields"),
    ("geo.build.seeds", "geo.build.article", "geo.build.basemap", "geo.build.refresh",  # read, basemap
     "geo.build.admin1", "geo.build.gem", "geo.lengths.measure", "geo.lengths.geojson_stream"),
    ("geo.build", "geo.export.styles", "geo.lengths"),                     # derive, measure
    ("geo.check", "geo.export", "geo.render", "geo.static", "geo.draft",   # check / write / render / draft
     "geo.lengths.cli", "geo.lengths.output"),
    ("geo.pipeline", "geo.accept"),                                          # orchestrate
    ("geo.cli", "geo.__main__"),                                             # the command line
)
RANK = {name: i for i, stage in enumerate(STAGES) for name in stage}

#: Import loops known and scheduled for removal (none: the field plan export and formats share
#: now lives in geo/export/fields.py). The test fails once a listed loop is gone, so it is removed.
KNOWN_LOOPS: set[frozenset[str]] = set()


def _module_name(path: Path) -> str:
    rel = path.relative_to(settings.ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(GEO.rglob("*.py")) if "node_modules" not in p.parts}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module ``path`` imports (absolute names; ``from geo import x`` -> geo.x if a module)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join([*pkg, base] if base else pkg)
            for a in node.names:
                full = f"{base}.{a.name}"
                out.add(full if full in modules else base)
    return out


def _rank(module: str) -> int | None:
    best = None
    for name in RANK:
        inside = module == name or (name != "geo" and module.startswith(name + "."))  # geo: the root only
        if inside and (best is None or len(name) > len(best)):
            best = name
    return None if best is None else RANK[best]


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {m for m in _imports(path, modules) if m == "geo" or m.startswith("geo.")}
            for name, path in modules.items()}


def test_every_module_has_a_stage(graph: dict[str, set[str]]) -> None:
    unranked = sorted(m for m in graph if _rank(m) is None)
    assert not unranked, f"add these modules to STAGES in tests/test_layout.py: {unranked}"


def test_imports_only_go_downward(graph: dict[str, set[str]]) -> None:
    upward = sorted((mod, dep) for mod, deps in graph.items() for dep in deps
                    if (r := _rank(dep)) is not None and (own := _rank(mod)) is not None and r > own)
    assert not upward, f"imports from a lower stage to a higher one: {upward}"


def _loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each as [a, b, ..., a])."""
    loops: list[list[str]] = []

    def visit(node: str, path: list[str], on_path: set[str], done: set[str]) -> None:
        for dep in sorted(graph.get(node, ())):
            if dep == node or node.startswith(dep + "."):
                continue  # a submodule importing its own package's __init__ is not a cycle of modules
            if dep in on_path:
                loops.append([*path[path.index(dep):], dep])
            elif dep not in done and dep in graph:
                on_path.add(dep)
                visit(dep, [*path, dep], on_path, done)
                on_path.discard(dep)
        done.add(node)

    done: set[str] = set()
    for mod in sorted(graph):
        if mod not in done:
            visit(mod, [mod], {mod}, done)
    return loops


def test_no_import_loops(graph: dict[str, set[str]]) -> None:
    """No module reaches itself through its imports (a package is not a loop with its own modules:
    ``geo.check`` importing ``geo.check.features``, which imports ``geo.check.problems``, is fine)."""
    loops = [loop for loop in _loops(graph) if frozenset(loop) not in KNOWN_LOOPS]
    assert not loops, f"import loops: {loops[:5]}"


def test_known_loops_still_exist(graph: dict[str, set[str]]) -> None:
    found = {frozenset(loop) for loop in _loops(graph)}
    gone = [sorted(loop) for loop in KNOWN_LOOPS if loop not in found]
    assert not gone, f"fixed: remove {gone} from KNOWN_LOOPS"


def test_folium_only_in_the_renderer() -> None:
    modules = _modules()
    users = sorted(name for name, path in modules.items()
                   if {m.split(".")[0] for m in _imports(path, modules)} & {"folium", "branca"}
                   and not (name == "geo.render" or name.startswith("geo.render.")))
    assert not users, f"folium/branca imported outside geo/render: {users}"


@pytest.mark.parametrize("args", [[], ["--check"], ["--resolution-curve"], ["--json", "layers/border.geojson"]],
                         ids=["layers", "check", "resolution-curve", "one-file"])
def test_lengths_loads_neither_folium_nor_geopandas(args: list[str]) -> None:
    code = (
        "import sys\nfrom geo import cli\nrc = cli.main(['lengths', *sys.argv[1:]])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'folium', 'branca', 'geopandas', 'jinja2'})\n"
        "print('HEAVY', heavy, file=sys.stderr)\nsys.exit(rc)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=settings.ROOT,
                       timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "HEAVY []" in r.stderr, r.stderr[-2000:]


def test_geodesy_and_catalog_import_light() -> None:
    """The shared homes every stage imports pull in no stage and no heavy library at import time."""
    code = ("import json, sys\nimport geo.geodesy, geo.catalog\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=settings.ROOT, timeout=60,
                       check=True)
    loaded = set(json.loads(r.stdout))
    assert not {m.split(".")[0] for m in loaded} & {"numpy", "shapely", "pandas", "geopandas", "folium"}
    assert {m for m in loaded if m.startswith("geo.")} == {"geo.geodesy", "geo.catalog", "geo.settings"}


def test_tests_mirror_the_packages() -> None:
    """Each package of geo/ has its tests in tests/<package>/ (tests/ itself holds the shared bottom's
    tests and those that cross packages: bad inputs, crash safety, faults, fuzzing, release)."""
    tests = settings.ROOT / "tests"
    packages = sorted(p.name for p in GEO.iterdir() if (p / "__init__.py").is_file())
    assert {"build", "check", "draft", "export", "lengths", "render", "static"} <= set(packages)
    missing = [p for p in packages if not list((tests / p).glob("test_*.py"))]
    assert not missing, f"packages without tests/<package>/test_*.py: {missing}"
    # a test file in tests/<package>/ imports that package, runs its command or reads its folder
    # (the folder says what it tests)
    for path in sorted(tests.glob("*/test_*.py")):
        pkg, text = path.parent.name, path.read_text(encoding="utf-8")
        named = (f"geo.{pkg}", f'["{pkg}"', f'"geo" / "{pkg}"')
        assert any(n in text for n in named), f"{path.relative_to(tests)} tests neither geo.{pkg} nor `geo {pkg}`"
