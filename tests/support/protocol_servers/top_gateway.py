"""The TOP simulator (`orchestration.demo_data.simulators.top_gateway`, the one implementation), re-exported for the
client tests, and the trade factory the tests fill it with (test-only, so it lives here)."""

from __future__ import annotations

from typing import Any

from orchestration.demo_data.simulators.top_gateway import RATE_LIMIT_SUB_CODE, TopGateway, sign

__all__ = ["RATE_LIMIT_SUB_CODE", "TopGateway", "make_trade", "sign"]


def make_trade(
    tid: int,
    modified: str,
    created: str | None = None,
    status: str = "TRADE_FINISHED",
    *,
    buyer_nick: str | None = None,
    buyer_open_uid: str | None = "",
    oaid: str | None = None,
) -> dict[str, Any]:
    """A trade as TOP returns it (simplify shape): money as decimal strings, `tid_str` beside `tid`.

    As TOP answers today the buyer is known by `buyer_open_uid` only (`AAH…`, stable per app; `""` gives that
    default); a readable or masked (`t**3`) `buyer_nick` and an `oaid` are added when given; `buyer_open_uid=None`
    leaves it out."""
    trade: dict[str, Any] = {
        "tid": tid,
        "tid_str": str(tid),
        "status": status,
        "type": "fixed",
        "created": created or modified,
        "modified": modified,
        "payment": "128.00",
        "total_fee": "128.00",
        "post_fee": "0.00",
        "buyer_open_uid": f"AAH{tid % 100000:05d}",
        "receiver_state": "江苏省",
        "orders": [
            {
                "oid": tid + 1,
                "oid_str": str(tid + 1),
                "outer_sku_id": "SKU-001",
                "title": "暖居 羊毛围巾",
                "price": "128.00",
                "num": 1,
                "divide_order_fee": "128.00",
                "refund_status": "NO_REFUND",
            }
        ],
        "promotion_details": [{"promotion_name": "店铺优惠", "discount_fee": "0.00"}],
    }
    if buyer_open_uid is None:
        del trade["buyer_open_uid"]
    elif buyer_open_uid:
        trade["buyer_open_uid"] = buyer_open_uid
    if buyer_nick is not None:
        trade["buyer_nick"] = buyer_nick
    if oaid is not None:
        trade["oaid"] = oaid
    return trade
