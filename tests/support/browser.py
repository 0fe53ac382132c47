"""Reusable browser-test bits: serve a built site on localhost, drive Debian's Chromium, watch for problems.

Playwright's own browser download does not work offline, so this always launches `/usr/bin/chromium`
(override with CHROMIUM_PATH) with the flags that keep it from reaching for the network.

    with serve_directory(build_dir) as server, chromium() as browser:
        page = browser.new_page()
        problems = watch(page)
        page.goto(server.url)
        ...
        assert not problems.errors()
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from orchestration.reports.serve import serving

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require_chromium() -> str:
    """The Chromium executable. Missing is a failure, not a skip: `make test` installs it, and a browser test that
    silently does not run would let a broken report pass."""
    path = chromium_path()
    if not (Path(path).is_file() or shutil.which(path)):
        pytest.fail(f"Chromium not found at {path} (install Debian's chromium: make install-browser)")
    return path


@dataclass(frozen=True)
class StaticServer:
    root: Path
    url: str
    """Base URL, ending in '/'."""

    def page_url(self, route: str = "/") -> str:
        return self.url.rstrip("/") + "/" + route.lstrip("/")


@contextmanager
def serve_directory(root: Path) -> Iterator[StaticServer]:
    """Serve `root` on a free localhost port (the report's own static server) for the duration."""
    with serving(root, host="127.0.0.1", port=0) as url:
        yield StaticServer(root=root, url=url)


@contextmanager
def chromium(*, timezone: str | None = "Asia/Shanghai"):  # -> Iterator[playwright Browser]
    """Launch headless Debian Chromium through Playwright; yields a `Browser`."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    env = {**os.environ, **({"TZ": timezone} if timezone else {})}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=list(CHROMIUM_ARGS), headless=True, env=env
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageProblems:
    """What went wrong while a page was open: console errors, uncaught exceptions, failed or bad requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    cancelled_after_response: list[str] = field(default_factory=list)
    """Requests the page cancelled after a 2xx response. Not errors: Evidence reads prerendered query results
    (`api/prerendered_queries/*.arrow`) with Arrow's stream reader, which cancels the body once it has read the
    end-of-stream marker; Chromium reports that as net::ERR_ABORTED although every byte arrived."""

    def errors(self) -> list[str]:
        return [
            *(f"console: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"request failed: {m}" for m in self.failed_requests),
            *(f"bad response: {m}" for m in self.bad_responses),
            *(f"external request: {m}" for m in self.external_requests),
        ]


def watch(page, *, block_external: bool = True) -> PageProblems:  # page: playwright Page
    """Record the page's problems. With `block_external`, requests leaving localhost are aborted and recorded
    (a report that opens offline must not need them)."""
    problems = PageProblems()
    answered: set[object] = set()

    def on_console(message) -> None:
        if message.type == "error":
            problems.console_errors.append(message.text)

    def on_response(response) -> None:
        if response.status >= 400:
            problems.bad_responses.append(f"{response.status} {response.url}")
        else:
            answered.add(response.request)

    def on_failed(request) -> None:
        if request.url in problems.external_requests:
            return
        if request.failure == "net::ERR_ABORTED" and request in answered:
            problems.cancelled_after_response.append(request.url)
        else:
            problems.failed_requests.append(f"{request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    if block_external:

        def route(route) -> None:
            host = urlsplit(route.request.url).hostname or ""
            if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                route.continue_()
            else:
                problems.external_requests.append(route.request.url)
                route.abort()

        page.route("**/*", route)
    return problems


def canvas_ink(page, selector: str = "canvas") -> list[int]:
    """Number of painted (non-transparent, non-white) pixels in each canvas matching `selector`:
    0 means an empty chart."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map((canvas) => {
            const context = canvas.getContext('2d');
            if (!context || !canvas.width || !canvas.height) return 0;
            const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
            let ink = 0;
            for (let i = 0; i < data.length; i += 4) {
                if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) ink++;
            }
            return ink;
        })""",
        selector,
    )


def screenshot(page, path: Path) -> Path:
    """Full-page PNG screenshot (parent folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
