"""Local receivers that check alert payloads the way each platform documents them, as the API simulators check TOP's.

One HTTP server on 127.0.0.1 plays every webhook platform, each under its own path:

- `/dingtalk/robot/send?access_token=TOKEN` — DingTalk custom robot. With 加签 on, it requires `timestamp` (ms, within
  an hour of now) and `sign` = base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), url-encoded, and
  answers errcode 310000 otherwise. The body must be `{"msgtype": "markdown", "markdown": {"title", "text"}}`.
- `/wecom/cgi-bin/webhook/send?key=KEY` — WeCom group robot: `{"msgtype": "markdown", "markdown": {"content"}}`,
  content at most 4096 bytes (errcode 40058 otherwise), an unknown key errcode 93000.
- `/feishu/open-apis/bot/v2/hook/TOKEN` — Feishu/Lark custom bot with signature verification: the body's
  `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg="")), code 19021
  otherwise; `msg_type` interactive with a card (header title, elements).
- `/webhook` — the generic JSON webhook: any JSON object with `event` and `title`.

`fail_next(path_prefix, status, times)` makes the next requests to a path answer with an HTTP error (retries).
The SMTP receiver is aiosmtpd's Controller with a handler that keeps every message.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DINGTALK_TOKEN = "dingtalk-access-token-0123456789abcdef"
DINGTALK_SECRET = "SECdingtalk-secret-fedcba9876543210"
WECOM_KEY = "wecom-key-0a1b2c3d-4e5f-6789"
FEISHU_TOKEN = "feishu-hook-token-5a6b7c8d9e0f"
FEISHU_SECRET = "feishu-secret-1f2e3d4c5b6a"
SECRETS = (DINGTALK_TOKEN, DINGTALK_SECRET, WECOM_KEY, FEISHU_TOKEN, FEISHU_SECRET)
"""Everything a log must never show."""


@dataclass
class Received:
    platform: str
    payload: dict[str, Any]
    query: dict[str, str]
    accepted: bool
    answer: dict[str, Any]


@dataclass
class Receivers:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, *, dingtalk_secret: str = DINGTALK_SECRET) -> dict[str, str]:
        """ALERT_* settings pointing at these receivers (every webhook platform)."""
        return {
            "ALERT_DINGTALK_WEBHOOK": f"{self.base}/dingtalk/robot/send?access_token={DINGTALK_TOKEN}",
            "ALERT_DINGTALK_SECRET": dingtalk_secret,
            "ALERT_WECOM_WEBHOOK": f"{self.base}/wecom/cgi-bin/webhook/send?key={WECOM_KEY}",
            "ALERT_FEISHU_WEBHOOK": f"{self.base}/feishu/open-apis/bot/v2/hook/{FEISHU_TOKEN}",
            "ALERT_FEISHU_SECRET": FEISHU_SECRET,
            "ALERT_WEBHOOK_URL": f"{self.base}/webhook",
        }

    def fail_next(self, path_prefix: str, status: int, times: int) -> None:
        with self.lock:
            self.failures.setdefault(path_prefix, []).extend([status] * times)

    def accepted(self, platform: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.accepted and (platform is None or r.platform == platform)]

    def wait_for(self, count: int, platform: str | None = None, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.accepted(platform)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        return self.accepted(platform)


def dingtalk_expected_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_expected_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _fresh(timestamp: str, unit: float) -> bool:
    try:
        return abs(time.time() - int(timestamp) / unit) < 3600
    except ValueError:
        return False


def check_dingtalk(query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    if query.get("access_token") != DINGTALK_TOKEN:
        return {"errcode": 300001, "errmsg": "token is not exist"}
    timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
    if not (_fresh(timestamp, 1000) and hmac.compare_digest(sign, dingtalk_expected_sign(DINGTALK_SECRET, timestamp))):
        return {"errcode": 310000, "errmsg": "sign not match"}
    markdown = body.get("markdown") or {}
    if body.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
        return {"errcode": 40035, "errmsg": "缺少参数 markdown"}
    return {"errcode": 0, "errmsg": "ok"}


def check_wecom(query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    if query.get("key") != WECOM_KEY:
        return {"errcode": 93000, "errmsg": "invalid webhook url"}
    content = (body.get("markdown") or {}).get("content")
    if body.get("msgtype") != "markdown" or not content:
        return {"errcode": 40008, "errmsg": "invalid message type"}
    if len(content.encode("utf-8")) > 4096:
        return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
    return {"errcode": 0, "errmsg": "ok"}


def check_feishu(token: str, body: dict[str, Any]) -> dict[str, Any]:
    if token != FEISHU_TOKEN:
        return {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
    timestamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    if not (_fresh(timestamp, 1) and hmac.compare_digest(sign, feishu_expected_sign(FEISHU_SECRET, timestamp))):
        return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
    card = body.get("card") or {}
    title = ((card.get("header") or {}).get("title") or {}).get("content")
    if body.get("msg_type") != "interactive" or not title or not card.get("elements"):
        return {"code": 19002, "msg": "params error, msg_type need"}
    return {"code": 0, "msg": "success", "data": {}}


def _handler(receivers: Receivers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            with receivers.lock:
                for prefix, statuses in receivers.failures.items():
                    if parsed.path.startswith(prefix) and statuses:
                        status = statuses.pop(0)
                        break
                else:
                    status = 0
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if status:
                self._answer(status, {"error": "injected failure"})
                return
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                self._answer(400, {"error": "body is not JSON"})
                return
            if parsed.path == "/dingtalk/robot/send":
                platform, answer = "dingtalk", check_dingtalk(query, body)
                accepted = answer["errcode"] == 0
            elif parsed.path == "/wecom/cgi-bin/webhook/send":
                platform, answer = "wecom", check_wecom(query, body)
                accepted = answer["errcode"] == 0
            elif parsed.path.startswith("/feishu/open-apis/bot/v2/hook/"):
                platform, answer = "feishu", check_feishu(parsed.path.rsplit("/", 1)[1], body)
                accepted = answer["code"] == 0
            elif parsed.path == "/webhook":
                platform = "webhook"
                accepted = isinstance(body, dict) and bool(body.get("event")) and bool(body.get("title"))
                answer = {"ok": accepted}
            else:
                self._answer(404, {"error": "not found"})
                return
            with receivers.lock:
                receivers.received.append(Received(platform, body, query, accepted, answer))
            self._answer(200 if accepted or platform != "webhook" else 400, answer)

    return Handler


@contextmanager
def serve_receivers() -> Iterator[Receivers]:
    receivers = Receivers()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receivers))
    receivers.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receivers
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}?from=alerts@shop.example"

    def wait_for(self, count: int, timeout: float = 60) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.2)
        return list(self.messages)


@contextmanager
def serve_smtp() -> Iterator[Mailbox]:
    """aiosmtpd on 127.0.0.1 (a free port), keeping every message it receives."""
    import socket

    from aiosmtpd.controller import Controller

    mailbox = Mailbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            mailbox.recipients.append(list(envelope.rcpt_tos))
            mailbox.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        mailbox.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname=mailbox.host, port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
