"""A local 聚水潭 open-API server that speaks the protocol as documented.

Signed form posts (`app_key`, `access_token`, `timestamp`, `charset`, `version=2`, `biz` JSON, lower-hex MD5 `sign`),
the `{"code": 0, "msg": ..., "data": {...}}` envelope, `code != 0` errors, rate limiting (`("throttle", n)` or
`throttle_after`) and expired tokens, `""` for empty values. Every query endpoint it serves (`ENDPOINTS`: sales orders,
sales outbound, inventory, SKU master, purchase receipts) selects by `modified_begin`/`modified_end` (both required, at
most 7 days apart), sorts by modified time and pages by `page_index` from 1 with `page_size` at most 100.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from orchestration.demo_data.simulators.base import ProtocolServer

ORDERS_PATH = "/open/orders/single/query"
OUTBOUND_PATH = "/open/orders/out/simple/query"
INVENTORY_PATH = "/open/inventory/query"
SKUS_PATH = "/open/sku/query"
PURCHASE_RECEIPTS_PATH = "/open/purchasein/query"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
RATE_LIMIT_CODE = 199
TOKEN_EXPIRED_CODE = 100


@dataclass(frozen=True)
class Endpoint:
    path: str
    list_key: str
    """Where the page's records sit in `data` (`orders`, `datas`, `inventorys`)."""
    sort_key: tuple[str, ...]
    """Fields that order the records after `modified` (the record's identity)."""


ENDPOINTS: dict[str, Endpoint] = {
    "orders": Endpoint(ORDERS_PATH, "orders", ("o_id",)),
    "outbound": Endpoint(OUTBOUND_PATH, "datas", ("io_id",)),
    "inventory": Endpoint(INVENTORY_PATH, "inventorys", ("sku_id", "wms_co_id")),
    "skus": Endpoint(SKUS_PATH, "datas", ("sku_id",)),
    "purchase_receipts": Endpoint(PURCHASE_RECEIPTS_PATH, "datas", ("io_id",)),
}


def sign(params: dict[str, str], secret: str) -> str:
    text = secret + "".join(k + v for k, v in sorted(params.items()) if k != "sign")
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _error(code: int, msg: str) -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": None}


class JushuitanGateway(ProtocolServer):
    def __init__(
        self,
        app_key: str = "jst-app-key-1",
        app_secret: str = "jst-secret-fedcba9876543210",
        access_token: str = "jst-access-token-0a1b2c3d",
        orders: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__()
        self.app_key = app_key
        self.app_secret = app_secret
        self.access_token = access_token
        self.records: dict[str, list[dict[str, Any]]] = {name: [] for name in ENDPOINTS}
        """Records served per endpoint name (see ENDPOINTS), as the ERP returns them."""
        if orders:
            self.records["orders"] = orders
        self.token_expired = False
        self.throttle_after: int | None = None
        self.throttle_message = "接口访问频率过高，请稍后再试"
        self.report_counts = True
        """False: answer without `data_count`/`page_count`, only `has_next` (some endpoints and versions)."""
        self._answered = 0

    @property
    def orders(self) -> list[dict[str, Any]]:
        return self.records["orders"]

    @orders.setter
    def orders(self, value: list[dict[str, Any]]) -> None:
        self.records["orders"] = value

    def answer(self, path: str, form: dict[str, str], fault: Any) -> Any:
        if form.get("app_key") != self.app_key:
            return _error(10, "app_key不存在")
        if form.get("version") != "2" or form.get("charset") != "utf-8" or not form.get("timestamp", "").isdigit():
            return _error(11, "公共参数错误: version/charset/timestamp")
        if form.get("sign") != sign(form, self.app_secret):
            return _error(20, "签名错误")
        if fault == "throttle" or (self.throttle_after is not None and self._answered >= self.throttle_after):
            self.throttle_after = None
            return _error(RATE_LIMIT_CODE, self.throttle_message)
        if fault == "expire":
            self.token_expired = True
        if form.get("access_token") != self.access_token or self.token_expired:
            return _error(TOKEN_EXPIRED_CODE, "access_token已过期或无效")
        self._answered += 1
        try:
            biz = json.loads(form.get("biz") or "")
        except ValueError:
            return _error(30, "biz不是合法的JSON")
        route = path.split("?")[0]
        for name, endpoint in ENDPOINTS.items():
            if endpoint.path == route:
                return self._query(endpoint, self.records[name], biz)
        return _error(404, f"接口 {path} 不存在")

    def _query(self, endpoint: Endpoint, records: list[dict[str, Any]], biz: dict[str, Any]) -> dict[str, Any]:
        try:
            begin = dt.datetime.strptime(biz["modified_begin"], TIME_FORMAT)
            end = dt.datetime.strptime(biz["modified_end"], TIME_FORMAT)
        except (KeyError, ValueError, TypeError):
            return _error(30, "modified_begin 和 modified_end 必须同时传入")
        if end - begin > dt.timedelta(days=7):
            return _error(30, "查询时间范围不能超过7天")
        try:
            page_index = int(biz.get("page_index") or 1)
            page_size = int(biz.get("page_size") or 30)
        except (TypeError, ValueError):
            return _error(30, "page_index / page_size 必须是整数")
        if not 1 <= page_size <= 100 or page_index < 1:
            return _error(30, "page_size 超出范围")
        matching = sorted(
            self.in_range(records, "modified", biz["modified_begin"], biz["modified_end"]),
            key=lambda r: (r["modified"], *(str(r.get(k)) for k in endpoint.sort_key)),
        )
        page = matching[(page_index - 1) * page_size : page_index * page_size]
        data: dict[str, Any] = {"page_index": page_index, "page_size": page_size}
        if self.report_counts:
            data["data_count"] = len(matching)
            data["page_count"] = math.ceil(len(matching) / page_size)
        data["has_next"] = page_index * page_size < len(matching)
        data[endpoint.list_key] = page
        return {"code": 0, "msg": "执行成功", "data": data}
