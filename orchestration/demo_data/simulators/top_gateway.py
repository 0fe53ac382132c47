"""A local Taobao Open Platform gateway (`/router/rest`) that speaks the protocol as documented.

It verifies the app key, the signature (md5, hmac, hmac-sha256) and the session; answers
`taobao.trades.sold.increment.get` (by modified time, span at most a day), `taobao.trades.sold.get` (by created
time) and `taobao.refunds.receive.get`, newest first, paged by `page_no`/`page_size` (at most 100), with
`total_results` or, with `use_has_next=true`, `has_next`; in the classic shape (`<method>_response` wrapper and
wrapped lists) or the `simplify` shape. Faults: HTTP 500, dropped connections, hangs, rate-limit bans
(`("ban", seconds)`, or `throttle_after` calls) and expired sessions, with TOP's real error answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from typing import Any

from orchestration.demo_data.simulators.base import ProtocolServer

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
RATE_LIMIT_SUB_CODE = "accesscontrol.limited-by-app-access-count"


def sign(params: dict[str, str], secret: str, method: str) -> str:
    """The gateway's own signature check, written from the documentation (independent of the client)."""
    pairs = sorted((k, v) for k, v in params.items() if k != "sign" and v != "")
    text = "".join(k + v for k, v in pairs).encode("utf-8")
    key = secret.encode("utf-8")
    if method == "md5":
        return hashlib.md5(key + text + key).hexdigest().upper()
    if method == "hmac":
        return hmac.new(key, text, "md5").hexdigest().upper()
    if method == "hmac-sha256":
        return hmac.new(key, text, "sha256").hexdigest().upper()
    return ""


def _error(code: int, msg: str, sub_code: str | None = None, sub_msg: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "msg": msg, "request_id": uuid.uuid4().hex[:12]}
    if sub_code:
        body["sub_code"] = sub_code
    if sub_msg:
        body["sub_msg"] = sub_msg
    return {"error_response": body}


def _wrap_lists(record: dict[str, Any]) -> dict[str, Any]:
    """Classic shape: `orders: [..]` becomes `orders: {order: [..]}`."""
    return {k: ({k[:-1]: v} if isinstance(v, list) and k.endswith("s") else v) for k, v in record.items()}


class TopGateway(ProtocolServer):
    def __init__(
        self,
        app_key: str = "12345678",
        app_secret: str = "top-secret-0123456789abcdef",
        session: str = "6100a-session-token-abcdef",
        trades: list[dict[str, Any]] | None = None,
        refunds: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__()
        self.app_key = app_key
        self.app_secret = app_secret
        self.session = session
        self.trades: list[dict[str, Any]] = trades or []
        self.refunds: list[dict[str, Any]] = refunds or []
        self.session_expired = False
        self.throttle_after: int | None = None
        """Answer with a ban once this many calls have been answered (the ban lasts `throttle_seconds`)."""
        self.throttle_seconds = 30
        self._answered = 0

    @property
    def url(self) -> str:  # the gateway path, like https://gw.api.taobao.com/router/rest
        return super().url + "/router/rest"

    def data_calls(self, method: str) -> list[dict[str, str]]:
        return [c for c in self.calls if c.get("method") == method]

    def answer(self, path: str, form: dict[str, str], fault: Any) -> Any:
        if path.split("?")[0] != "/router/rest":
            return _error(22, "Invalid method")
        if form.get("app_key") != self.app_key:
            return _error(29, "Invalid app Key")
        try:
            dt.datetime.strptime(form.get("timestamp", ""), TIME_FORMAT)  # yyyy-MM-dd HH:mm:ss, China time
        except ValueError:
            return _error(31, "Invalid timestamp")
        if form.get("v") != "2.0":
            return _error(33, "Invalid version")
        if form.get("sign_method") not in ("md5", "hmac", "hmac-sha256"):
            return _error(24, "Invalid signature method", "isv.invalid-parameter:sign_method")
        if form.get("sign") != sign(form, self.app_secret, form["sign_method"]):
            return _error(25, "Invalid signature")
        if isinstance(fault, tuple) and fault[0] == "ban":
            return self._ban(fault[1])
        if self.throttle_after is not None and self._answered >= self.throttle_after:
            self.throttle_after = None
            return self._ban(self.throttle_seconds)
        if fault == "isp":
            return _error(15, "Remote service error", "isp.remote-service-timeout", "服务超时")
        if fault == "expire":
            self.session_expired = True
        if form.get("session") != self.session:
            return _error(27, "Invalid session", "invalid-sessionkey", "SessionKey非法")
        if self.session_expired:
            return _error(27, "Invalid session", "session-expired", "SessionKey已过期")
        self._answered += 1
        method = form.get("method")
        if method == "taobao.trades.sold.increment.get":
            return self._list(form, self.trades, "trades", "start_modified", "end_modified", "modified", 1)
        if method == "taobao.trades.sold.get":
            return self._list(form, self.trades, "trades", "start_created", "end_created", "created", 92)
        if method == "taobao.refunds.receive.get":
            return self._list(form, self.refunds, "refunds", "start_modified", "end_modified", "modified", 1)
        return _error(22, "Invalid method")

    @staticmethod
    def _ban(seconds: int) -> dict[str, Any]:
        return _error(7, "App Call Limited", RATE_LIMIT_SUB_CODE, f"This ban will last for {seconds} more seconds")

    def _list(
        self,
        form: dict[str, str],
        records: list[dict[str, Any]],
        list_key: str,
        start_key: str,
        end_key: str,
        time_field: str,
        max_days: int,
    ) -> dict[str, Any]:
        method = form["method"]
        try:
            start = dt.datetime.strptime(form[start_key], TIME_FORMAT)
            end = dt.datetime.strptime(form[end_key], TIME_FORMAT)
        except (KeyError, ValueError):
            return _error(40, "Missing required arguments", f"isv.missing-parameter:{start_key}")
        if end - start > dt.timedelta(days=max_days):
            return _error(15, "Remote service error", f"isv.invalid-parameter:{start_key}", "时间跨度过大")
        page_no = int(form.get("page_no") or 1)
        page_size = int(form.get("page_size") or 40)
        if not 1 <= page_size <= 100 or page_no < 1:
            return _error(15, "Remote service error", "isv.invalid-parameter:page_size", "page_size超出范围")
        fmt = form[start_key], form[end_key]
        matching = sorted(
            self.in_range(records, time_field, fmt[0], fmt[1]),
            key=lambda r: r[time_field],
            reverse=True,
        )
        page = matching[(page_no - 1) * page_size : page_no * page_size]
        body: dict[str, Any] = {}
        if form.get("use_has_next") == "true":
            body["has_next"] = page_no * page_size < len(matching)
        else:
            body["total_results"] = len(matching)
        simplify = form.get("simplify") == "true"
        items = [dict(r) if simplify else _wrap_lists(r) for r in page]
        body[list_key] = items if simplify else {list_key[:-1]: items}
        if simplify:
            return body
        body["request_id"] = uuid.uuid4().hex[:12]
        return {method.removeprefix("taobao.").replace(".", "_") + "_response": body}
