"""A Taobao Open Platform (TOP) client over `requests`: signing, both response shapes, paging, bans, sessions.

Configuration (environment variables, see `TopConfig.from_env`):
  TOP_APP_KEY, TOP_APP_SECRET, TOP_SESSION  credentials (required; the API assets are skipped without them)
  TOP_BASE_URL      gateway, default https://gw.api.taobao.com/router/rest (sandbox: gw.api.tbsandbox.com)
  TOP_SIGN_METHOD   md5 | hmac | hmac-sha256 (default hmac-sha256, the SDK default)
  TOP_SIMPLIFY      true to ask for the `simplify` response shape (default false); both shapes are accepted anyway
  TOP_SHOP_NICK     the shop's name in lineage (`_source_file`) (default `tmall`)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from orchestration.ingest.api.errors import ApiError, RateLimitedError, SessionExpiredError
from orchestration.ingest.api.http import CredentialsFromEnv, HttpSession, RetryPolicy, page_backwards

logger = logging.getLogger(__name__)

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_TOP_URL = "https://gw.api.taobao.com/router/rest"
SIGN_METHODS = ("md5", "hmac", "hmac-sha256")
PAGE_SIZE = 100
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_INCREMENT_SPAN = dt.timedelta(days=1)

TRADES_INCREMENT = "taobao.trades.sold.increment.get"
TRADES_CREATED = "taobao.trades.sold.get"
REFUNDS_RECEIVED = "taobao.refunds.receive.get"

TRADE_FIELDS = (
    "tid,tid_str,status,type,created,pay_time,modified,end_time,consign_time,payment,total_fee,post_fee,discount_fee,alipay_no,"
    "adjust_fee,received_payment,commission_fee,buyer_nick,buyer_open_uid,receiver_state,receiver_city,"
    "receiver_district,receiver_town,receiver_address,receiver_mobile,receiver_name,oaid,seller_flag,seller_memo,"
    "buyer_message,trade_from,step_trade_status,step_paid_fee,shipping_type,seller_nick,promotion_details,orders"
)
REFUND_FIELDS = (
    "refund_id,tid,oid,refund_fee,total_fee,payment,status,order_status,good_status,has_good_return,reason,desc,"
    "created,modified,refund_phase,num,outer_id,sku,buyer_open_uid,title"
)
# `taobao.trades.sold.get` returns only some trade types by default: ask for all of them.
TRADE_TYPES = (
    "fixed,auction,guarantee_trade,step,independent_simple_trade,independent_shop_trade,auto_delivery,ec,cod,"
    "game_equipment,shopex_trade,netcn_trade,external_trade,instant_trade,b2c_cod,hotel_trade,super_market_trade,"
    "super_market_cod_trade,taohua,waimai,o2o_offlinetrade,nopaid,eticket,tmall_i18n,insurance_plus,finance,"
    "pre_auth_type,lazada"
)
RATE_LIMIT_SUB_CODES = (
    "accesscontrol.limited-by-app-access-count",
    "accesscontrol.limited-by-api-access-count",
    "accesscontrol.limited-by-app-api-access-count",
)
_BAN_SECONDS = re.compile(r"(\d+)\s*more\s+seconds", re.IGNORECASE)
SESSION_RENEWAL_HINT = (
    "the seller's session key is invalid or has expired: have the seller authorise the app again "
    "(OAuth at https://oauth.taobao.com/authorize, or refresh it with the refresh_token at "
    "https://oauth.taobao.com/token) and put the new access token in TOP_SESSION"
)


def china_now() -> dt.datetime:
    """Now, China local time without zone (TOP and ERP timestamps carry no zone marker)."""
    return dt.datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


def top_sign(params: Mapping[str, str], secret: str, sign_method: str) -> str:
    """Sign like the TOP SDK: sorted key+value of every non-empty parameter except `sign`."""
    concat = "".join(
        f"{key}{value}" for key, value in sorted(params.items()) if key != "sign" and value not in ("", None)
    )
    if sign_method == "md5":
        digest = hashlib.md5((secret + concat + secret).encode("utf-8")).hexdigest()
    elif sign_method == "hmac":
        digest = hmac.new(secret.encode("utf-8"), concat.encode("utf-8"), hashlib.md5).hexdigest()
    elif sign_method == "hmac-sha256":
        digest = hmac.new(secret.encode("utf-8"), concat.encode("utf-8"), hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"unknown TOP sign_method {sign_method!r}: use one of {', '.join(SIGN_METHODS)}")
    return digest.upper()


@dataclass(frozen=True)
class TopConfig(CredentialsFromEnv):
    app_key: str
    app_secret: str = field(repr=False)
    session: str = field(repr=False)
    base_url: str = DEFAULT_TOP_URL
    sign_method: str = "hmac-sha256"
    simplify: bool = False
    shop: str = "tmall"

    REQUIRED_ENV = ("TOP_APP_KEY", "TOP_APP_SECRET", "TOP_SESSION")

    def __post_init__(self) -> None:
        if self.sign_method not in SIGN_METHODS:
            raise ValueError(f"TOP_SIGN_METHOD {self.sign_method!r} is not one of {', '.join(SIGN_METHODS)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TopConfig:
        environ = os.environ if environ is None else environ
        missing = cls.missing_env(environ)
        if missing:
            raise ApiError(f"TOP credentials missing: set {', '.join(missing)}")
        return cls(
            app_key=environ["TOP_APP_KEY"],
            app_secret=environ["TOP_APP_SECRET"],
            session=environ["TOP_SESSION"],
            base_url=environ.get("TOP_BASE_URL") or DEFAULT_TOP_URL,
            sign_method=environ.get("TOP_SIGN_METHOD") or "hmac-sha256",
            simplify=(environ.get("TOP_SIMPLIFY") or "false").lower() in ("1", "true", "yes"),
            shop=environ.get("TOP_SHOP_NICK") or "tmall",
        )


def unwrap_lists(value: Any) -> Any:
    """Classic responses wrap lists (`trades.trade[]`, `orders.order[]`): return the `simplify` shape."""
    if isinstance(value, list):
        return [unwrap_lists(v) for v in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, inner in value.items():
        if isinstance(inner, dict) and len(inner) == 1:
            (child, items), *_ = inner.items()
            if key == f"{child}s" and isinstance(items, list):
                inner = items
        result[key] = unwrap_lists(inner)
    return result


def _response_key(method: str) -> str:
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


class TopClient:
    """Calls TOP methods. Rate-limit bans up to `policy.max_ban_wait_seconds` are waited out, longer ones fail."""

    def __init__(
        self,
        config: TopConfig,
        http: HttpSession | None = None,
        now: Callable[[], dt.datetime] = china_now,
    ) -> None:
        self.config = config
        self.http = http or HttpSession(policy=RetryPolicy.from_env())
        self.now = now

    @property
    def policy(self) -> RetryPolicy:
        return self.http.policy

    def _signed(self, method: str, params: Mapping[str, Any]) -> dict[str, str]:
        form = {
            "method": method,
            "app_key": self.config.app_key,
            "session": self.config.session,
            "timestamp": self.now().strftime(TIME_FORMAT),
            "v": "2.0",
            "format": "json",
            "sign_method": self.config.sign_method,
        }
        if self.config.simplify:
            form["simplify"] = "true"
        form.update({k: str(v) for k, v in params.items() if v is not None})
        form["sign"] = top_sign(form, self.config.app_secret, self.config.sign_method)
        return form

    def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One TOP call; returns the response body in the `simplify` shape (no wrapper, no list wrapping)."""
        waited = 0.0
        platform_errors = 0
        while True:
            response = self.http.post_form(self.config.base_url, self._signed(method, params), what=method)
            try:
                body = response.json()
            except ValueError as exc:
                raise ApiError(
                    f"{method}: the gateway answered HTTP {response.status_code} with something that is not JSON"
                ) from exc
            if not isinstance(body, dict):
                raise ApiError(f"{method}: unexpected answer shape {type(body).__name__}")
            error = body.get("error_response")
            if error is None:
                wrapped = body.get(_response_key(method))
                return unwrap_lists(wrapped if isinstance(wrapped, dict) else body)
            if str(error.get("sub_code") or "").startswith("isp.") and platform_errors + 1 < self.policy.max_attempts:
                # `isp.*`: the platform's own transient failure (e.g. isp.remote-service-timeout): retry like a 5xx
                platform_errors += 1
                pause = self.policy.backoff(platform_errors, self.http.uniform)
                logger.warning("%s: TOP platform error %s, retry in %.1f s", method, error.get("sub_code"), pause)
                self.http.sleep(pause)
                continue
            ban = self._ban_seconds(error)
            if ban is None:
                raise self._error(method, error)
            if waited + ban > self.policy.max_ban_wait_seconds:
                raise RateLimitedError(
                    f"{method}: TOP rate limit {error.get('sub_code') or error.get('code')} "
                    f"bans calls for {ban:g} more "
                    f"seconds, longer than the {self.policy.max_ban_wait_seconds:g} s this run may wait "
                    "(API_MAX_BAN_WAIT_SECONDS); windows already loaded are kept, and materialising the days again "
                    "completes them",
                    ban_seconds=ban,
                )
            logger.warning("%s: TOP rate limit, waiting %g s for the ban to end", method, ban)
            self.http.sleep(ban)
            waited += ban

    @staticmethod
    def _ban_seconds(error: Mapping[str, Any]) -> float | None:
        sub_code = str(error.get("sub_code") or "")
        if not (sub_code.startswith("accesscontrol.") or str(error.get("code")) == "7"):
            return None
        match = _BAN_SECONDS.search(str(error.get("sub_msg") or "") + " " + str(error.get("msg") or ""))
        return float(match.group(1)) if match else 1.0

    @staticmethod
    def _error(method: str, error: Mapping[str, Any]) -> ApiError:
        code = str(error.get("code"))
        sub_code = str(error.get("sub_code") or "")
        described = (
            f"code {code} {error.get('msg', '')}"
            + (f", {sub_code}" if sub_code else "")
            + (f": {error.get('sub_msg')}" if error.get("sub_msg") else "")
        )
        if code in ("26", "27") or "session" in sub_code.lower():
            return SessionExpiredError(f"{method} rejected ({described}): {SESSION_RENEWAL_HINT}")
        if code == "25":
            return ApiError(f"{method} rejected ({described}): check TOP_APP_SECRET and TOP_SIGN_METHOD")
        return ApiError(f"{method} failed ({described})")

    # --- paged methods -------------------------------------------------------------------------------------

    def _page_backwards(self, method: str, params: Mapping[str, Any], list_key: str) -> list[dict[str, Any]]:
        """Page a list sorted by modified time, newest first, from the last page back to the first.

        An entry modified while we page leaves the window and shifts every later entry one place towards page 1;
        reading the last page first means the shifted entries land on pages not read yet, so none is missed.
        Entries that *enter* the window while we page (possible only when the window reaches up to now) shift the
        others the other way: when the total grew during a pass, the pass is repeated (at most 3 passes).
        """
        base = {**params, "page_size": PAGE_SIZE}
        first = self.call(method, {**base, "page_no": 1})
        total = int(first.get("total_results") or 0)
        if total <= PAGE_SIZE:
            return list(first.get(list_key) or [])

        def fetch(page: int) -> tuple[list, int | None]:
            body = self.call(method, {**base, "page_no": page})
            reported = body.get("total_results")
            return list(body.get(list_key) or []), int(reported) if reported else None

        return page_backwards(fetch, total, PAGE_SIZE, method)

    def _page_forwards(self, method: str, params: Mapping[str, Any], list_key: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.call(method, {**params, "page_no": page, "page_size": PAGE_SIZE, "use_has_next": "true"})
            records.extend(body.get(list_key) or [])
            if str(body.get("has_next")).lower() != "true":
                return records
            page += 1

    @staticmethod
    def _check_window(method: str, start: dt.datetime, end: dt.datetime, longest: dt.timedelta) -> None:
        if not start < end:
            raise ValueError(f"{method}: window start {start} is not before its end {end}")
        if end - start > longest:
            raise ValueError(f"{method}: window {start}..{end} is longer than {longest}")

    @staticmethod
    def _inclusive_end(end: dt.datetime) -> str:
        # TOP's end time is inclusive and has whole seconds: [start, end) is start..end-1s
        return (end - dt.timedelta(seconds=1)).strftime(TIME_FORMAT)

    def trades_modified(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Every trade modified in [start, end) (at most a day), via `taobao.trades.sold.increment.get`."""
        self._check_window(TRADES_INCREMENT, start, end, MAX_INCREMENT_SPAN)
        params = {
            "fields": TRADE_FIELDS,
            "start_modified": start.strftime(TIME_FORMAT),
            "end_modified": self._inclusive_end(end),
        }
        return _dedupe(self._page_backwards(TRADES_INCREMENT, params, "trades"), ("tid_str", "tid"))

    def trades_created(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Every trade created in [start, end), via `taobao.trades.sold.get` (`use_has_next` paging)."""
        self._check_window(TRADES_CREATED, start, end, dt.timedelta(days=92))
        params = {
            "fields": TRADE_FIELDS,
            "type": TRADE_TYPES,
            "start_created": start.strftime(TIME_FORMAT),
            "end_created": self._inclusive_end(end),
        }
        return _dedupe(self._page_forwards(TRADES_CREATED, params, "trades"), ("tid_str", "tid"))

    def refunds_modified(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Every refund modified in [start, end) (at most a day), via `taobao.refunds.receive.get`."""
        self._check_window(REFUNDS_RECEIVED, start, end, MAX_INCREMENT_SPAN)
        params = {
            "fields": REFUND_FIELDS,
            "start_modified": start.strftime(TIME_FORMAT),
            "end_modified": self._inclusive_end(end),
        }
        return _dedupe(self._page_backwards(REFUNDS_RECEIVED, params, "refunds"), ("refund_id",))


def _dedupe(records: Iterable[dict[str, Any]], id_fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Paging backwards may return an entry twice when the list shifts; keep one copy of each version."""
    seen: set[str] = set()
    unique: list[dict[str, Any]] = []
    for record in records:
        identity = next((str(record[f]) for f in id_fields if record.get(f) not in (None, "")), None)
        key = json.dumps([identity, record.get("modified")]) if identity else json.dumps(record, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        unique.append(record)
    return unique
