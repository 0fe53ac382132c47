"""The 聚水潭 simulator (`orchestration.demo_data.simulators.jushuitan_gateway`, the one implementation), re-exported
for the client tests, and the record factories the tests fill it with (test-only, so they live here)."""

from __future__ import annotations

from typing import Any

from orchestration.demo_data.simulators.jushuitan_gateway import (
    ENDPOINTS,
    RATE_LIMIT_CODE,
    TOKEN_EXPIRED_CODE,
    JushuitanGateway,
    sign,
)

__all__ = [
    "ENDPOINTS",
    "RATE_LIMIT_CODE",
    "TOKEN_EXPIRED_CODE",
    "JushuitanGateway",
    "make_inventory",
    "make_order",
    "make_outbound",
    "make_purchase_receipt",
    "make_sku",
    "sign",
]


def make_order(o_id: int, modified: str, so_id: str | None = None) -> dict[str, Any]:
    """An ERP order as 聚水潭 returns it: numbers sometimes as strings, `""` for empty values."""
    return {
        "o_id": o_id,
        "so_id": so_id or str(5118609024991031600 + o_id),
        "shop_id": 10001,
        "shop_name": "暖居旗舰店",
        "order_date": modified,
        "pay_date": modified,
        "send_date": "",
        "modified": modified,
        "status": "WaitConfirm",
        "shop_status": "WAIT_SELLER_SEND_GOODS",
        "pay_amount": "128.00",
        "paid_amount": 128.0,
        "freight": "",
        "l_id": "",
        "items": [{"oi_id": o_id * 10, "outer_oi_id": "", "sku_id": "SKU-001", "qty": 1, "price": "128.00"}],
    }


def make_outbound(io_id: int, modified: str, o_id: int = 9001, status: str = "Confirmed") -> dict[str, Any]:
    """A sales outbound (销售出库) as 聚水潭 returns it."""
    return {
        "io_id": io_id,
        "o_id": o_id,
        "so_id": str(5118609024991031600 + o_id),
        "io_date": modified,
        "modified": modified,
        "status": status,
        "wms_co_id": 10086,
        "warehouse": "嘉兴总仓",
        "l_id": "YT1234567890123",
        "logistics_company": "圆通速递",
        "items": [{"sku_id": "SKU-001", "qty": "1", "sale_price": "128.00"}],
    }


def make_inventory(sku_id: str, modified: str, wms_co_id: int = 10086, qty: int = 40) -> dict[str, Any]:
    """An inventory row (per SKU and warehouse) as 聚水潭 returns it: quantities sometimes as strings."""
    return {
        "sku_id": sku_id,
        "wms_co_id": wms_co_id,
        "warehouse": "嘉兴总仓" if wms_co_id == 10086 else "东莞分仓",
        "qty": str(qty),
        "order_lock": 3,
        "virtual_qty": "",
        "purchase_qty": "12",
        "modified": modified,
    }


def make_sku(sku_id: str, modified: str, cost_price: str = "52.00") -> dict[str, Any]:
    """A SKU master record as 聚水潭 returns it."""
    return {
        "sku_id": sku_id,
        "i_id": sku_id.rsplit("-", 1)[0],
        "name": "暖居 羊毛围巾",
        "properties_value": "颜色:灰色",
        "cost_price": cost_price,
        "sale_price": "128.00",
        "enabled": 1,
        "category": "围巾",
        "modified": modified,
    }


def make_purchase_receipt(io_id: int, modified: str) -> dict[str, Any]:
    """A purchase receipt (采购入库) as 聚水潭 returns it."""
    return {
        "io_id": io_id,
        "po_id": io_id - 1000,
        "supplier_id": 301,
        "supplier_name": "嘉兴某纺织厂",
        "io_date": modified,
        "modified": modified,
        "status": "Confirmed",
        "wms_co_id": 10086,
        "warehouse": "嘉兴总仓",
        "items": [{"sku_id": "SKU-001", "qty": "100", "cost_price": "52.00"}],
    }
