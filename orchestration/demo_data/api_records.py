"""The demo data as the APIs would return it: TOP trades and refunds, 聚水潭 orders, outbound, stock and SKUs.

`api_records_from_landing(landing_dir)` reads the export files the demo generator wrote (with the ingest's own
readers, recognised by header) and turns them into API JSON records in the shapes of docs/api-sources.md:

- one TOP trade per Tmall order (`tid`/`tid_str`, TOP status, money as decimal strings, `orders[]` built from the
  item report in file order, so sub-order n is the export's line n), modified at its latest known event;
- one TOP refund per refunded order (status SUCCESS, `refund_fee` = 退款金额), on the order's first sub-order;
- one 聚水潭 order per ERP sales order (numbers partly as strings, `""` for empty values, `items[]` from the Tmall
  lines of the orders it fulfils), one outbound per 出仓单号, one stock row per SKU, warehouse and snapshot, one SKU
  master record per SKU.

`SOURCE_MODE=api` of `python -m orchestration.run` serves these through the local protocol simulators. The same
buyer, address and phone appear in the trade as in the export, so staging gives them the same salted hashes.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.ingest.datasets import recognise
from orchestration.ingest.loader import plan_landing
from orchestration.ingest.readers import transcode

_EXCEL_TEXT = re.compile(r'^="(.*)"$')

logger = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TOP_STATUS = {
    "等待买家付款": "WAIT_BUYER_PAY",
    "买家已付款，等待卖家发货": "WAIT_SELLER_SEND_GOODS",
    "卖家已发货，等待买家确认": "WAIT_BUYER_CONFIRM_GOODS",
    "买家已签收": "TRADE_BUYER_SIGNED",
    "交易成功": "TRADE_FINISHED",
    "交易关闭": "TRADE_CLOSED",
    "交易被淘宝关闭": "TRADE_CLOSED_BY_TAOBAO",
    "没有创建支付宝交易": "TRADE_NO_CREATE_PAY",
}
JST_ORDER_STATUS = {
    "待付款": "WaitPay",
    "已付款待审核": "WaitConfirm",
    "待财务审核": "WaitFConfirm",
    "发货中": "Delivering",
    "已发货": "Sent",
    "异常": "Question",
    "被合并": "Merged",
    "被拆分": "Split",
    "等供销商发货": "WaitOuterSent",
    "已取消": "Cancelled",
}
JST_OUTBOUND_STATUS = {"已出库": "Confirmed", "待出库": "WaitConfirm", "已作废": "Cancelled", "已删除": "Delete"}
WAREHOUSE_IDS = {"嘉兴总仓": 10086, "东莞分仓": 10087}
"""聚水潭 names warehouses by `wms_co_id`; the demo's two warehouses get fixed ids."""
REFUND_ID_BASE = 7_000_000_000_000


@dataclass
class ApiRecords:
    trades: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    jst_orders: list[dict[str, Any]] = field(default_factory=list)
    jst_outbound: list[dict[str, Any]] = field(default_factory=list)
    jst_inventory: list[dict[str, Any]] = field(default_factory=list)
    jst_skus: list[dict[str, Any]] = field(default_factory=list)

    def modified_range(self) -> tuple[dt.datetime, dt.datetime]:
        """China-time [start, end) covering every record's `modified`: whole days, for the API windows."""
        stamps = [
            r["modified"]
            for records in (self.trades, self.refunds, self.jst_orders, self.jst_outbound)
            for r in records
            if r.get("modified")
        ] + [r["modified"] for records in (self.jst_inventory, self.jst_skus) for r in records if r.get("modified")]
        if not stamps:
            today = dt.datetime.combine(dt.date.today(), dt.time())
            return today, today + dt.timedelta(days=1)
        first = dt.datetime.strptime(min(stamps), TIME_FORMAT)
        last = dt.datetime.strptime(max(stamps), TIME_FORMAT)
        return dt.datetime.combine(first.date(), dt.time()), dt.datetime.combine(last.date(), dt.time()) + dt.timedelta(
            days=1
        )

    def counts(self) -> dict[str, int]:
        return {
            "trades": len(self.trades),
            "refunds": len(self.refunds),
            "jst_orders": len(self.jst_orders),
            "jst_outbound": len(self.jst_outbound),
            "jst_inventory": len(self.jst_inventory),
            "jst_skus": len(self.jst_skus),
        }


def _rows(landing_dir: Path, dataset: str) -> Iterator[dict[str, str]]:
    """Every data row of the landing files recognised as `dataset`, as raw column -> cell text (unescaped)."""
    seen: set[str] = set()
    for plan in plan_landing(landing_dir):
        if plan.dataset.name != dataset or plan.sha256 in seen:  # a second download of an export: served once
            continue
        seen.add(plan.sha256)
        # the loader's own transcoding (any encoding, CSV or XLSX -> UTF-8 CSV), then plain csv parsing: the demo
        # files are well-formed, so a row of the wrong width is skipped rather than quarantined
        with tempfile.TemporaryDirectory() as scratch:
            copy = transcode(plan.path, Path(scratch) / "rows.csv")
            with copy.path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                headers = next(reader, [])
                column_map = recognise(headers).column_map
                for cells in reader:
                    if len(cells) != len(headers):
                        continue
                    yield {column: _unescape(cells[position]) for position, column in column_map.items()}


def _unescape(value: str) -> str:
    """A cell as the loader lands it: trimmed, with Excel's `="…"` text escape removed."""
    value = value.strip()
    match = _EXCEL_TEXT.match(value)
    return match.group(1).strip() if match else value


def _latest(*stamps: str) -> str:
    return max(s for s in stamps if s)


SENTINELS = frozenset({"", "无退款申请", "订单未关闭", "--", "#NULL!", "null", "NULL"})


def _cents(text: str) -> int:
    """Money text in cents; the export's sentinels (`无退款申请`, `--`, ...) are zero."""
    return 0 if text.strip() in SENTINELS else round(float(text.replace(",", "")) * 100)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else "-" + _money(-cents)


def _sku_properties(text: str) -> str:
    """The export's `颜色分类：白色;尺码：XL` in TOP's shape `颜色分类:白色;尺码:XL` (`-`: no SKU)."""
    return "" if text in ("", "-") else text.replace("：", ":")


def _drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    """TOP leaves out fields without a value."""
    return {k: v for k, v in record.items() if v not in ("", None)}


def _trade(order: dict[str, str], lines: list[dict[str, str]]) -> dict[str, Any]:
    tid = order["order_id"]
    status = TOP_STATUS[order["order_status"]]
    paid = bool(order.get("paid_at"))
    address = (order.get("receiver_address") or "").split()
    state, city, district = (address + ["", "", ""])[:3]
    detail = " ".join(address[3:])
    goods = _cents(order.get("goods_amount", ""))
    post = _cents(order.get("post_fee", ""))
    total = sum(_cents(line.get("unit_price", "")) * int(line.get("quantity") or 0) for line in lines)
    sub_orders = []
    for number, line in enumerate(lines, start=1):
        price, qty = _cents(line.get("unit_price", "")), int(line.get("quantity") or 0)
        line_total = price * qty
        # the order-level discount spread over the lines by their share (the last line takes the rest)
        share = goods * line_total // total if total and number < len(lines) else None
        sub_orders.append(
            {
                "oid": int(tid) + number,
                "oid_str": str(int(tid) + number),
                "title": line.get("item_title", ""),
                "price": _money(price),
                "num": qty,
                "total_fee": _money(line_total),
                "divide_order_fee": _money(share) if share is not None else None,
                "outer_sku_id": line.get("merchant_sku_code", ""),
                "outer_iid": line.get("external_system_id", ""),
                "sku_properties_name": _sku_properties(line.get("sku_properties", "")),
                "status": TOP_STATUS.get(line.get("order_status", ""), status),
                "refund_status": "SUCCESS" if _cents(order.get("refund_amount", "")) > 0 else "NO_REFUND",
                "logistics_company": order.get("logistics_company", ""),
                "invoice_no": order.get("waybill_no", ""),
            }
        )
    if sub_orders and sub_orders[-1]["divide_order_fee"] is None:
        spread = sum(_cents(o["divide_order_fee"]) for o in sub_orders[:-1])
        sub_orders[-1]["divide_order_fee"] = _money(goods - spread)
    trade = {
        "tid": int(tid),
        "tid_str": tid,
        "status": status,
        "type": "fixed",
        "created": order.get("created_at", ""),
        "pay_time": order.get("paid_at", ""),
        "consign_time": order.get("shipped_at", ""),
        "end_time": order.get("confirmed_at", "") if status == "TRADE_FINISHED" else "",
        "modified": _latest(
            order.get("created_at", ""),
            order.get("paid_at", ""),
            order.get("shipped_at", ""),
            order.get("confirmed_at", ""),
        ),
        "payment": _money(goods + post),
        "total_fee": _money(total),
        "post_fee": _money(post),
        "discount_fee": _money(max(total - goods, 0)),
        "received_payment": _money(goods + post - _cents(order.get("refund_amount", ""))) if paid else "0.00",
        "alipay_no": order.get("payment_no", ""),
        "buyer_nick": order.get("buyer_nick", ""),
        "buyer_open_uid": "",
        "seller_nick": order.get("shop_name", ""),
        "receiver_state": state,
        "receiver_city": city,
        "receiver_district": district,
        "receiver_address": detail,
        "receiver_name": order.get("receiver_name", ""),
        "receiver_mobile": order.get("receiver_mobile", ""),
        "receiver_phone": order.get("receiver_phone", ""),
        "buyer_message": order.get("buyer_message", ""),
        "shipping_type": "express" if order.get("shipping_method") else "",
        "trade_from": "WAP,WAP" if order.get("is_mobile_order") in ("手机订单", "是") else "TAOBAO",
        "orders": [_drop_empty(o) for o in sub_orders],
    }
    return _drop_empty(trade)


def _refund(trade: dict[str, Any], refund_cents: int, sequence: int) -> dict[str, Any]:
    first = (trade.get("orders") or [{}])[0]
    return _drop_empty(
        {
            "refund_id": REFUND_ID_BASE + sequence,
            "tid": trade["tid"],
            "oid": first.get("oid"),
            "refund_fee": _money(refund_cents),
            "total_fee": trade.get("total_fee"),
            "payment": trade.get("payment"),
            "status": "SUCCESS",
            "order_status": trade["status"],
            "good_status": "BUYER_NOT_RECEIVED",
            "has_good_return": False,
            "reason": "不想要了",
            "created": trade["modified"],
            "modified": trade["modified"],
            "refund_phase": "onsale",
            "num": first.get("num"),
            "outer_id": first.get("outer_sku_id"),
            "buyer_nick": trade.get("buyer_nick"),
        }
    )


def _jst_order(row: dict[str, str], items: list[dict[str, Any]]) -> dict[str, Any]:
    """聚水潭 sends every field, `""` when empty, and some numbers as strings."""
    tmall_ids = [t for t in row.get("tmall_order_id", "").replace("，", ",").split(",") if t.strip()]
    return {
        "o_id": int(row["erp_order_id"]),
        "so_id": tmall_ids[0] if tmall_ids else "",
        "merge_so_id": ",".join(tmall_ids[1:]),
        "is_merge": len(tmall_ids) > 1,
        "shop_id": 0,
        "shop_name": row.get("shop_name", ""),
        "order_date": row.get("ordered_at", ""),
        "pay_date": row.get("paid_at", ""),
        "send_date": row.get("shipped_at", ""),
        "modified": row.get("modified_at", ""),
        "status": JST_ORDER_STATUS.get(row.get("erp_status", ""), row.get("erp_status", "")),
        "shop_status": row.get("tmall_status", ""),
        "pay_amount": row.get("payable_amount", ""),
        "paid_amount": float(row["paid_amount"]) if row.get("paid_amount") else "",
        "freight": row.get("freight", ""),
        "free_amount": row.get("discount_amount", ""),
        "l_id": row.get("waybill_no", ""),
        "logistics_company": row.get("logistics_company", ""),
        "wms_co_id": WAREHOUSE_IDS.get(row.get("warehouse_name", ""), ""),
        "receiver_name": row.get("receiver_name", ""),
        "receiver_mobile": row.get("receiver_mobile", ""),
        "receiver_state": row.get("receiver_province", ""),
        "receiver_city": row.get("receiver_city", ""),
        "items": items,
    }


def api_records_from_landing(landing_dir: Path) -> ApiRecords:
    """The export files in `landing_dir` (Tmall and ERP, as the demo generator writes them) as API records."""
    records = ApiRecords()
    lines: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in _rows(landing_dir, "tmall_order_items"):
        lines[line["order_id"]].append(line)
    # a later file's row wins; an id Excel mangled (`5.11861E+18`) is a file accident the APIs never carry
    orders = {row["order_id"]: row for row in _rows(landing_dir, "tmall_orders") if row["order_id"].isdigit()}
    jst_items: dict[str, list[dict[str, Any]]] = {}
    for order_id, row in sorted(orders.items()):
        if row.get("order_status") not in TOP_STATUS:
            logger.warning(
                "order %s has status %r, which TOP does not know: not served", order_id, row.get("order_status")
            )
            continue
        trade = _trade(row, lines.get(order_id, []))
        records.trades.append(trade)
        refund = _cents(row.get("refund_amount", "")) if row.get("paid_at") else 0
        if refund > 0:
            records.refunds.append(_refund(trade, refund, len(records.refunds) + 1))
        jst_items[order_id] = [
            {
                "oi_id": int(o["oid"]) % 10**12,
                "outer_oi_id": o["oid_str"],
                "sku_id": o.get("outer_sku_id", ""),
                "shop_sku_id": "",
                "name": o.get("title", ""),
                "properties_value": o.get("sku_properties_name", ""),
                "qty": o.get("num", 0),
                "price": o.get("price", ""),
                "amount": o.get("divide_order_fee", ""),
                "is_gift": False,
                "refund_status": "success" if o.get("refund_status") == "SUCCESS" else "none",
            }
            for o in trade.get("orders", [])
        ]
    order_modified: dict[str, str] = {}
    for row in _rows(landing_dir, "erp_sales_orders"):
        order_modified[row["erp_order_id"]] = row.get("modified_at", "")
        tmall_ids = [t.strip() for t in row.get("tmall_order_id", "").replace("，", ",").split(",") if t.strip()]
        items = [item for tid in tmall_ids for item in jst_items.get(tid, [])]
        records.jst_orders.append(_jst_order(row, items))
    outbound: dict[str, dict[str, Any]] = {}
    for row in _rows(landing_dir, "erp_shipments"):
        io = outbound.setdefault(
            row["outbound_id"],
            {
                "io_id": int(row["outbound_id"]),
                "o_id": int(row["erp_order_id"]) if row.get("erp_order_id") else "",
                "so_id": row.get("tmall_order_id", ""),
                "io_date": row.get("shipped_at", ""),
                # an outbound that never left (cancelled) was last changed with its order
                "modified": row.get("shipped_at", "") or order_modified.get(row.get("erp_order_id", ""), ""),
                "status": JST_OUTBOUND_STATUS.get(row.get("outbound_status", ""), row.get("outbound_status", "")),
                "wms_co_id": WAREHOUSE_IDS.get(row.get("warehouse_name", ""), ""),
                "warehouse": row.get("warehouse_name", ""),
                "l_id": row.get("waybill_no", ""),
                "logistics_company": row.get("logistics_company", ""),
                "items": [],
            },
        )
        io["items"].append(
            {"sku_id": row.get("sku_id", ""), "qty": row.get("quantity", ""), "sale_price": row.get("sale_price", "")}
        )
    records.jst_outbound = list(outbound.values())
    for row in _rows(landing_dir, "erp_inventory"):
        records.jst_inventory.append(
            {
                "sku_id": row.get("sku_id", ""),
                "wms_co_id": WAREHOUSE_IDS.get(row.get("warehouse_name", ""), ""),
                "warehouse": row.get("warehouse_name", ""),
                "qty": row.get("on_hand_qty", ""),
                "order_lock": row.get("order_locked_qty", ""),
                "virtual_qty": "",
                "purchase_qty": row.get("in_transit_qty", ""),
                "modified": row.get("snapshot_at", "") or row.get("modified_at", ""),
            }
        )
    for row in _rows(landing_dir, "erp_skus"):
        records.jst_skus.append(
            {
                "sku_id": row.get("sku_id", ""),
                "i_id": row.get("style_id", ""),
                "name": row.get("sku_name", ""),
                "properties_value": row.get("properties_value", ""),
                "category": row.get("category", ""),
                "cost_price": row.get("cost_price", ""),
                "sale_price": row.get("sale_price", ""),
                "enabled": 1 if row.get("enabled") == "是" else 0,
                "modified": row.get("modified_at", ""),
            }
        )
    logger.info("demo API records: %s", ", ".join(f"{k} {v:,}" for k, v in records.counts().items()))
    return records
