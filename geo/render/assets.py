"""Offline assets: read Leaflet and its plugins from installed packages and inline them.

Nothing here touches the network. Leaflet 1.9.4 comes from the PyPI package
``django-js-lib-leaflet`` (package data read with importlib.resources); the plugins come from
``geo/render/js/node_modules`` which ``.ci/install`` fills with ``npm ci`` from the pinned
``geo/render/js/package-lock.json``. No third-party file is committed to the repository.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from geo.errors import GeoError

#: Folder of the npm project whose node_modules holds the pinned Leaflet plugins.
JS_DIR: Path = Path(__file__).resolve().parent / "js"
NODE_MODULES: Path = JS_DIR / "node_modules"
#: Our own JS/CSS, shipped as package data next to this module.
HERE: Path = Path(__file__).resolve().parent

#: (npm package, file inside it) for each inlined plugin script, in load order.
PLUGIN_JS: tuple[tuple[str, str], ...] = (
    ("topojson-client", "dist/topojson-client.min.js"),
    ("leaflet.fullscreen", "dist/Control.FullScreen.umd.js"),
    ("geographiclib-geodesic", "geographiclib-geodesic.min.js"),
)
PLUGIN_CSS: tuple[tuple[str, str], ...] = (("leaflet.fullscreen", "dist/Control.FullScreen.css"),)

_SOURCE_MAP = re.compile(r"^\s*//[#@] sourceMappingURL=.*$|/\*# sourceMappingURL=.*?\*/", re.MULTILINE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif", ".jpg": "image/jpeg"}


class AssetError(GeoError):
    """A pinned front-end asset is not installed."""


def _leaflet_dir():
    try:
        return resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        msg = (
            "Leaflet assets not found: the Python package django-js-lib-leaflet==1.9.4.1 is not "
            "installed; run .ci/install (or pip install django-js-lib-leaflet==1.9.4.1 --no-deps)"
        )
        raise AssetError(msg) from exc


def _strip_source_maps(text: str) -> str:
    return _SOURCE_MAP.sub("", text)


def _inline_css_urls(css: str, base) -> str:
    """Replace every url(relative-file) in a stylesheet by a data: URI read from ``base``."""

    def repl(m: re.Match[str]) -> str:
        ref = m.group(2).strip()
        if ref.startswith(("data:", "#")):
            return m.group(0) if ref.startswith("data:") else "none"
        if "://" in ref or ref.startswith("//"):
            msg = f"stylesheet refers to a network resource {ref!r}; cannot inline it"
            raise AssetError(msg)
        target = base
        for part in ref.split("?")[0].split("#")[0].split("/"):
            target = target / part
        mime = _MIME.get(Path(ref).suffix.lower(), "application/octet-stream")
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(repl, css)


def _npm_file(package: str, rel: str) -> Path:
    path = NODE_MODULES / package / rel
    if not path.is_file():
        msg = (
            f"map plugin file {path} is missing: the npm package {package!r} is not installed; "
            f"run .ci/install (or `npm ci` in {JS_DIR})"
        )
        raise AssetError(msg)
    return path


@functools.lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Leaflet 1.9.4 (minified) from django-js-lib-leaflet, without its source-map comment."""
    return _strip_source_maps((_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined as data: URIs."""
    base = _leaflet_dir()
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    return _inline_css_urls(_strip_source_maps(css), base)


@functools.cache
def plugin_js(only: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
    """(name, code) of every plugin script (or of the packages in ``only``), in load order."""
    return tuple(
        (pkg, _strip_source_maps(_npm_file(pkg, rel).read_text(encoding="utf-8")))
        for pkg, rel in PLUGIN_JS
        if only is None or pkg in only
    )


@functools.cache
def leaflet_icon_defaults() -> str:
    """JS giving Leaflet's default marker icon its images as data: URIs (the page loads no file)."""
    img = _leaflet_dir() / "images"

    def uri(name: str) -> str:
        return "data:image/png;base64," + base64.b64encode((img / name).read_bytes()).decode("ascii")

    return (
        "L.Icon.Default.imagePath = '';\n"
        f"L.Icon.Default.mergeOptions({{iconUrl: '{uri('marker-icon.png')}', "
        f"iconRetinaUrl: '{uri('marker-icon-2x.png')}', shadowUrl: '{uri('marker-shadow.png')}'}});\n"
    )


@functools.cache
def jquery_js() -> str:
    """jQuery 3.7.1 (npm ``jquery``, the version folium links from its CDN), for folium's popups."""
    return _strip_source_maps(_npm_file("jquery", "dist/jquery.min.js").read_text(encoding="utf-8"))


@functools.cache
def plugin_css(only: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
    out = []
    for pkg, rel in PLUGIN_CSS:
        if only is not None and pkg not in only:
            continue
        path = _npm_file(pkg, rel)
        out.append((pkg, _inline_css_urls(_strip_source_maps(path.read_text(encoding="utf-8")), path.parent)))
    return tuple(out)


#: The entry module of the page's own scripts: it imports every other module (geo/render/*.js).
ENTRY_JS: str = "atlas.js"
#: esbuild (pinned in geo/render/js/package.json): ES modules -> one classic script, deterministic.
ESBUILD_ARGS: tuple[str, ...] = ("--bundle", "--format=iife", "--target=es2017", "--minify", "--charset=utf8",
                                 "--legal-comments=none", "--log-level=error")


@functools.cache
def bundle_js() -> str:
    """Our own ES modules (geo/render/*.js, from ENTRY_JS) bundled by the pinned esbuild into one
    classic script for an inline <script> (the page is one offline file). Equal sources give equal
    bytes. Needs node and ``npm ci`` in geo/render/js; without them one AssetError line says so."""
    esbuild = NODE_MODULES / ".bin" / "esbuild"
    if not esbuild.exists():
        msg = f"the map's bundler {esbuild} is missing: the npm package 'esbuild' is not installed; run .ci/install (or `npm ci` in {JS_DIR})"
        raise AssetError(msg)
    if shutil.which("node") is None:
        msg = "node is not installed: the map's bundler (esbuild, geo/render/js) needs it; run .ci/install"
        raise AssetError(msg)
    try:
        run = subprocess.run([str(esbuild), ENTRY_JS, *ESBUILD_ARGS], cwd=HERE, capture_output=True,
                             text=True, encoding="utf-8", timeout=120, check=False)
    except OSError as exc:
        msg = f"the map's bundler {esbuild} could not run: {exc}"
        raise AssetError(msg) from exc
    if run.returncode != 0:
        first = (run.stderr.strip().splitlines() or ["no message"])[0]
        msg = f"bundling geo/render/{ENTRY_JS} failed: {first}"
        raise AssetError(msg)
    return run.stdout


def own_file(name: str) -> str:
    """One of our own front-end files shipped next to this module, as inlined. A stylesheet as it is;
    for the scripts, ENTRY_JS gives the bundle of every module (bundle_js) and any other module, already
    in that bundle, gives nothing (its element still names it, so the page says what each part uses)."""
    if name.endswith(".js"):
        if not (HERE / name).is_file():
            msg = f"geo/render/{name} does not exist"
            raise AssetError(msg)
        return bundle_js() if name == ENTRY_JS else ""
    return (HERE / name).read_text(encoding="utf-8")


def script_safe(code: str) -> str:
    """Make third-party code safe to place inside an inline <script> element."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def style_safe(css: str) -> str:
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


_SCRIPT = re.compile(r"<script(?![^>]*\btype=\"application/json\")[^>]*>(.*?)</script>", re.DOTALL)


def csp_for(page: str) -> str:
    """A Content-Security-Policy allowing only this page's own inline scripts (by hash) and styles."""
    hashes = sorted(
        {"'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode() + "'"
         for m in _SCRIPT.finditer(page)}
    )
    return (
        "default-src 'none'; script-src " + " ".join(hashes) + "; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; connect-src 'none'; frame-src 'none'; object-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
