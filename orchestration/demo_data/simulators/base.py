"""A threaded form-POST server on 127.0.0.1 with a random port, and scriptable faults.

Faults are scheduled by call number (1-based, every request counts): `"500"` answers HTTP 500, `"drop"` closes the
connection without an answer, `"hang"` answers only after `hang_seconds` (longer than the client's time-out), and any
other value is handed to the protocol (`ban`, `expire`, ...).
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


class ProtocolServer:
    hang_seconds = 3.0

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []
        self.faults: dict[int, Any] = {}
        self.on_request: Callable[[int, dict[str, str]], None] | None = None
        """Called before each answered data request with (call number, form): lets a test change data mid-paging."""
        self._lock = threading.Lock()
        self._indexes: dict[tuple[int, str], tuple[int, list[str], list[dict[str, Any]]]] = {}
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- subclass API ----------------------------------------------------------------------------------------
    def answer(self, path: str, form: dict[str, str], fault: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- lifecycle -------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ProtocolServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stall per call

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence request logs
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                form = dict(parse_qsl(raw, keep_blank_values=True))
                with server._lock:
                    server.calls.append(form)
                    number = len(server.calls)
                    fault = server.faults.pop(number, None)
                if fault == "drop":
                    self.close_connection = True
                    return
                if fault == "hang":
                    server._release.wait(server.hang_seconds)
                if fault == "500":
                    self._send(500, {"error": "internal server error"})
                    return
                if fault is None and server.on_request is not None:
                    server.on_request(number, form)
                with server._lock:
                    body = server.answer(self.path, form, fault)
                self._send(200, body)

            def _send(self, status: int, body: Any) -> None:
                payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (time-out)
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> ProtocolServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- helpers ---------------------------------------------------------------------------------------------
    INDEX_FROM = 10_000
    """Record lists at least this long are searched through a sorted index (built once per list and length):
    a demo year served through the simulator stays fast. Shorter lists are scanned on every request, so a test
    may change a record in place between requests."""

    def in_range(self, records: list[dict[str, Any]], field: str, low: str, high: str) -> list[dict[str, Any]]:
        """Records whose `field` (text, `yyyy-MM-dd HH:mm:ss`) lies in [low, high] (callers sort them)."""
        if len(records) < self.INDEX_FROM:
            return [r for r in records if low <= r[field] <= high]
        key = (id(records), field)
        cached = self._indexes.get(key)
        if cached is None or cached[0] != len(records):
            ordered = sorted(records, key=lambda r: r[field])
            cached = self._indexes[key] = (len(records), [r[field] for r in ordered], ordered)
        _, keys, ordered = cached
        return ordered[bisect.bisect_left(keys, low) : bisect.bisect_right(keys, high)]

    def fail(self, call_number: int, fault: Any) -> None:
        """Make request number `call_number` (1-based, counting every request so far) misbehave."""
        self.faults[call_number] = fault

    def fail_next(self, *faults: Any) -> None:
        """Make the next requests misbehave, one fault each, in order."""
        for offset, fault in enumerate(faults, start=1):
            self.faults[len(self.calls) + offset] = fault
