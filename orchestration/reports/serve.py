"""Serve the built Evidence report (`reports/build/`) on localhost: `python -m orchestration.reports.serve`.

The built site is static (every page and its query results are prerendered), so a plain static file server
is enough. `build` is a symbolic link to the published site, switched in one step when a new build is complete, and
each request follows it: a reader gets the old site or the new one, never a gap. Routes work with and without a
trailing slash (`/x` redirects to `/x/`), percent-encoded
(Chinese) paths are decoded as UTF-8, and unknown paths get the site's own 404 page.

Options: `--port` [REPORT_PORT or 4173], `--host` [127.0.0.1], `--dir` [REPORTS_DIR/build].
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

DEFAULT_PORT = 4173

CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".arrow": "application/vnd.apache.arrow.file",
    ".parquet": "application/vnd.apache.parquet",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".html": "text/html; charset=utf-8",
}


class ReportRequestHandler(SimpleHTTPRequestHandler):
    """Static files from the build directory; `/page` -> `/page/`, `/page` -> `page.html`, else 404.html."""

    protocol_version = "HTTP/1.1"
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    def send_head(self):  # type: ignore[no-untyped-def]
        requested = urlsplit(self.path).path
        path = Path(self.translate_path(self.path))
        if not path.exists():
            html = path.with_name(path.name + ".html")
            if requested.endswith("/") or not html.is_file():
                return self._not_found()
            self.path = requested + ".html"
        return super().send_head()

    def _not_found(self):  # type: ignore[no-untyped-def]
        page = Path(self.directory) / "404.html"
        if not page.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        body = page.read_bytes()
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)

    def end_headers(self) -> None:
        # A report must show the data of the last build, never a cached older one.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (name from the base class)
        logger.debug("%s %s", self.address_string(), format % args)


def make_server(directory: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """A server for `directory` (not started). Port 0 picks a free port: read `server.server_address`."""
    if not (directory / "index.html").is_file():
        raise FileNotFoundError(f"{directory} has no index.html: build the report first")
    handler = functools.partial(ReportRequestHandler, directory=str(directory))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


@contextmanager
def serving(directory: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `directory` in a background thread for the duration; yields the base URL (ending in '/')."""
    server = make_server(directory, host, port)
    thread = threading.Thread(target=server.serve_forever, name="report-server", daemon=True)
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    try:
        yield f"http://{bound_host}:{bound_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def main(argv: Sequence[str] | None = None) -> int:
    from orchestration.settings import Settings

    parser = argparse.ArgumentParser(description="Serve the built Evidence report on localhost.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("REPORT_PORT", DEFAULT_PORT)))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--dir", type=Path, default=None, help="built site (default: REPORTS_DIR/build)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    # absolute, not resolved: `build` is a symbolic link that each report build switches to the new site
    # (orchestration/reports/evidence.py, publish_site), and every request follows it to the published one
    directory = (args.dir or Settings.from_env().reports_dir / "build").absolute()
    try:
        server = make_server(directory, args.host, args.port)
    except FileNotFoundError as error:
        logger.error("%s (run `make run`, or build_report() from orchestration.reports.evidence)", error)
        return 1
    host, port = server.server_address[:2]
    logger.info("serving %s on http://%s:%s/ (Ctrl+C to stop)", directory, host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
