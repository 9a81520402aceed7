"""Open a rendered map in headless Debian Chromium with every network request blocked.

Used by tests/test_browser.py and ``python -m geo.render --measure``. Needs the test extra
(playwright) and Debian's chromium; Playwright never downloads a browser here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Debian's Chromium (``apt-get install chromium``); override with $ATLAS_CHROMIUM.
CHROMIUM: str = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield b
        finally:
            b.close()


def watch_page(page: Any, url: str) -> Any:
    """Block every request but ``url`` itself; record console errors, page errors, dialogs, requests."""
    page.atlas_errors = []
    page.atlas_dialogs = []
    page.atlas_blocked = []
    page.atlas_requests = []
    base = url.split("#")[0]

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            page.atlas_errors.append(f"console: {msg.text}")

    def on_dialog(dialog: Any) -> None:
        page.atlas_dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_route(route: Any) -> None:
        req_url = route.request.url
        page.atlas_requests.append(req_url)
        if req_url.split("#")[0] == base or req_url.startswith("data:"):
            route.continue_()
        else:
            page.atlas_blocked.append(req_url)
            route.abort()

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.atlas_errors.append(f"pageerror: {exc}"))
    page.on("dialog", on_dialog)
    page.route("**/*", on_route)
    return page


@contextlib.contextmanager
def open_map(
    html_path: Path, *, viewport: tuple[int, int] = (1280, 800), hash_: str = "", b: Any = None
) -> Iterator[Any]:
    """A Playwright page showing ``html_path`` once ``window.atlas.ready`` is true."""
    url = Path(html_path).resolve().as_uri()
    with contextlib.ExitStack() as stack:
        if b is None:
            b = stack.enter_context(browser())
        ctx = b.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        stack.callback(ctx.close)
        page = watch_page(ctx.new_page(), url)
        page.goto(url + hash_)
        page.wait_for_function("window.atlas && window.atlas.ready === true", timeout=20_000)
        yield page
