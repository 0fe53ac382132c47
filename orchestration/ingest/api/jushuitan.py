"""A 聚水潭 (JushuiTan) open-API client over `requests`: signed form posts, `page_index` paging, 7-day windows.

Configuration (environment variables, see `JstConfig.from_env`):
  JST_APP_KEY, JST_APP_SECRET, JST_ACCESS_TOKEN  credentials (required; the API assets are skipped without them)
  JST_BASE_URL          default https://openapi.jushuitan.com
  JST_SHOP              the ERP account's name in lineage (default `jushuitan`)
  JST_RATE_LIMIT_CODES  comma-separated `code` values that mean "called too often" (default 199,200,429)
  JST_RATE_LIMIT_WAIT_SECONDS  pause after a rate-limit answer that names no wait (default 60)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestration.ingest.api.errors import ApiError, RateLimitedError, SessionExpiredError
from orchestration.ingest.api.http import CredentialsFromEnv, HttpSession, RetryPolicy, page_backwards

logger = logging.getLogger(__name__)

DEFAULT_JST_URL = "https://openapi.jushuitan.com"
ORDERS_PATH = "/open/orders/single/query"
OUTBOUND_PATH = "/open/orders/out/simple/query"
INVENTORY_PATH = "/open/inventory/query"
SKUS_PATH = "/open/sku/query"
PURCHASE_RECEIPTS_PATH = "/open/purchasein/query"
ORDERS_PAGE_SIZE = 50
PAGE_SIZE = 100
MAX_WINDOW = dt.timedelta(days=7)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DEFAULT_RATE_LIMIT_CODES = (199, 200, 429)
_SESSION_WORDS = ("access_token", "token", "授权")
_RATE_LIMIT_WORDS = ("频率", "频繁", "限流", "too many", "rate limit")
_WAIT_SECONDS = re.compile(r"(\d+)\s*(?:秒|s\b|seconds)", re.IGNORECASE)
SESSION_RENEWAL_HINT = (
    "the access token is invalid or has expired: refresh it with the refresh_token "
    "(POST /openWeb/auth/refreshToken) or have the merchant authorise the app again in 聚水潭, "
    "then put the new token in JST_ACCESS_TOKEN"
)


def jst_sign(params: Mapping[str, str], secret: str) -> str:
    """Lower-hex MD5 of app_secret + sorted key+value of every parameter except `sign`."""
    concat = "".join(f"{key}{value}" for key, value in sorted(params.items()) if key != "sign" and value is not None)
    return hashlib.md5((secret + concat).encode("utf-8")).hexdigest()


def blanks_to_null(value: Any) -> Any:
    """The ERP sends `""` for empty values (money, dates): make them null, recursively."""
    if isinstance(value, dict):
        return {k: blanks_to_null(v) for k, v in value.items()}
    if isinstance(value, list):
        return [blanks_to_null(v) for v in value]
    return None if value == "" else value


@dataclass(frozen=True)
class JstConfig(CredentialsFromEnv):
    app_key: str
    app_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    base_url: str = DEFAULT_JST_URL
    shop: str = "jushuitan"
    rate_limit_codes: tuple[int, ...] = DEFAULT_RATE_LIMIT_CODES
    rate_limit_wait_seconds: float = 60.0

    REQUIRED_ENV = ("JST_APP_KEY", "JST_APP_SECRET", "JST_ACCESS_TOKEN")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> JstConfig:
        environ = os.environ if environ is None else environ
        missing = cls.missing_env(environ)
        if missing:
            raise ApiError(f"聚水潭 credentials missing: set {', '.join(missing)}")
        codes = environ.get("JST_RATE_LIMIT_CODES")
        return cls(
            app_key=environ["JST_APP_KEY"],
            app_secret=environ["JST_APP_SECRET"],
            access_token=environ["JST_ACCESS_TOKEN"],
            base_url=(environ.get("JST_BASE_URL") or DEFAULT_JST_URL).rstrip("/"),
            shop=environ.get("JST_SHOP") or "jushuitan",
            rate_limit_codes=tuple(int(c) for c in codes.split(",") if c.strip())
            if codes
            else DEFAULT_RATE_LIMIT_CODES,
            rate_limit_wait_seconds=float(environ.get("JST_RATE_LIMIT_WAIT_SECONDS") or 60),
        )


class JstClient:
    def __init__(
        self,
        config: JstConfig,
        http: HttpSession | None = None,
        epoch_seconds: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.http = http or HttpSession(policy=RetryPolicy.from_env())
        self.epoch_seconds = epoch_seconds

    def _signed(self, biz: Mapping[str, Any]) -> dict[str, str]:
        form = {
            "app_key": self.config.app_key,
            "access_token": self.config.access_token,
            "timestamp": str(int(self.epoch_seconds())),
            "charset": "utf-8",
            "version": "2",
            "biz": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        form["sign"] = jst_sign(form, self.config.app_secret)
        return form

    def post(self, path: str, biz: Mapping[str, Any]) -> dict[str, Any]:
        """One call; returns `data` with `""` turned into null. Rate limits are waited out up to the maximum wait."""
        what = f"聚水潭 {path}"
        waited = 0.0
        while True:
            response = self.http.post_form(self.config.base_url + path, self._signed(biz), what=what)
            try:
                body = response.json()
            except ValueError as exc:
                raise ApiError(f"{what}: HTTP {response.status_code} with an answer that is not JSON") from exc
            code = body.get("code") if isinstance(body, dict) else None
            if code in (0, "0"):
                return blanks_to_null(body.get("data") or {})
            message = str(body.get("msg") or "") if isinstance(body, dict) else ""
            wait = self._rate_limit_wait(code, message)
            if wait is None:
                if any(word in message.lower() for word in _SESSION_WORDS):
                    raise SessionExpiredError(f"{what} rejected (code {code}: {message}): {SESSION_RENEWAL_HINT}")
                raise ApiError(f"{what} failed (code {code}: {message})")
            if waited + wait > self.http.policy.max_ban_wait_seconds:
                raise RateLimitedError(
                    f"{what}: rate limited (code {code}: {message}) and the "
                    f"{self.http.policy.max_ban_wait_seconds:g} s "
                    "this run may wait (API_MAX_BAN_WAIT_SECONDS) are used up; windows already loaded are kept, and "
                    "materialising the days again completes them",
                    ban_seconds=wait,
                )
            logger.warning("%s: rate limited (code %s), waiting %g s", what, code, wait)
            self.http.sleep(wait)
            waited += wait

    def _rate_limit_wait(self, code: Any, message: str) -> float | None:
        try:
            numeric = int(code)
        except (TypeError, ValueError):
            numeric = None
        if numeric not in self.config.rate_limit_codes and not any(w in message.lower() for w in _RATE_LIMIT_WORDS):
            return None
        match = _WAIT_SECONDS.search(message)
        return float(match.group(1)) if match else self.config.rate_limit_wait_seconds

    def paged(
        self, path: str, list_key: str, start: dt.datetime, end: dt.datetime, page_size: int = ORDERS_PAGE_SIZE
    ) -> list[dict[str, Any]]:
        """Every record of `path` modified in [start, end) (at most 7 days), paged by `page_index`.

        The first call gives the page count; the pages are then read from the last back to the first, so a record
        modified while we page (it leaves the window and the later records move up one place) hides none of the
        others. When the count grew during a pass, the pass is repeated (at most 3 passes).
        """
        if not start < end:
            raise ValueError(f"聚水潭 {path}: window start {start} is not before its end {end}")
        if end - start > MAX_WINDOW:
            raise ValueError(f"聚水潭 {path}: window {start}..{end} is longer than 7 days")
        biz = {
            "modified_begin": start.strftime(TIME_FORMAT),
            "modified_end": (end - dt.timedelta(seconds=1)).strftime(TIME_FORMAT),
            "page_size": page_size,
        }
        first = self.post(path, {**biz, "page_index": 1})
        count = int(first.get("data_count") or 0) or int(first.get("page_count") or 0) * page_size
        if count <= page_size and not _truthy(first.get("has_next")):
            return list(first.get(list_key) or [])
        if not count:  # no counts in the answer: page forwards while `has_next`
            records = list(first.get(list_key) or [])
            page, data = 1, first
            while _truthy(data.get("has_next")):
                page += 1
                data = self.post(path, {**biz, "page_index": page})
                records.extend(data.get(list_key) or [])
            return records

        def fetch(page: int) -> tuple[list, int | None]:
            data = self.post(path, {**biz, "page_index": page})
            reported = data.get("data_count")
            return list(data.get(list_key) or []), int(reported) if reported else None

        return page_backwards(fetch, count, page_size, f"聚水潭 {path}")

    def orders_modified(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Every ERP sales order modified in [start, end) (at most 7 days), via `/open/orders/single/query`."""
        return _dedupe(self.paged(ORDERS_PATH, "orders", start, end), ("o_id",))

    def outbound_modified(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Every sales outbound (销售出库) modified in [start, end), via `/open/orders/out/simple/query`."""
        return _dedupe(self.paged(OUTBOUND_PATH, "datas", start, end, PAGE_SIZE), ("io_id",))

    def inventory_modified(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Every stock level (per SKU and warehouse) changed in [start, end), via `/open/inventory/query`."""
        return _dedupe(self.paged(INVENTORY_PATH, "inventorys", start, end, PAGE_SIZE), ("sku_id", "wms_co_id"))

    def skus_modified(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Every SKU master record (商品资料) changed in [start, end), via `/open/sku/query`."""
        return _dedupe(self.paged(SKUS_PATH, "datas", start, end, PAGE_SIZE), ("sku_id",))

    def purchase_receipts_modified(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Every purchase receipt (采购入库) modified in [start, end), via `/open/purchasein/query`."""
        return _dedupe(self.paged(PURCHASE_RECEIPTS_PATH, "datas", start, end, PAGE_SIZE), ("io_id",))


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _dedupe(records: list[dict[str, Any]], id_fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """A record read twice while the pages shift is kept once (per id and modified time)."""
    seen: set[str] = set()
    unique = []
    for record in records:
        identity = [record.get(f) for f in id_fields]
        key = json.dumps(
            [*identity, record.get("modified")] if all(v not in (None, "") for v in identity) else record,
            sort_keys=True,
            default=str,
        )
        if key not in seen:
            seen.add(key)
            unique.append(record)
    return unique
