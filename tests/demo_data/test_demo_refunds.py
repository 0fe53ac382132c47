"""The demo's refund export (退款管理) agrees with its orders: every refund the order report or the sub-order export
shows is there, per sub-order, for the same amount, and nothing else succeeded."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from orchestration.ingest.datasets import recognise


def test_the_refund_export_matches_the_refunds_of_the_orders_and_sub_orders(sub_order_demo) -> None:
    refunds = sub_order_demo.rows("tmall_refunds")
    assert refunds, "the demo wrote no refund rows"
    header = list(refunds[0])
    assert recognise(header).dataset.name == "tmall_refunds"
    assert len({r["退款编号"] for r in refunds}) == len(refunds)

    refunded = defaultdict(Decimal)
    for r in refunds:
        assert r["退款的申请时间"] <= (r["退款完结时间"] or r["退款的申请时间"])
        assert r["订单付款时间"] <= r["退款的申请时间"]
        if r["退款状态"] == "退款成功":
            refunded[r["订单编号"]] += Decimal(r["买家退款金额"])
    expected = defaultdict(Decimal)
    for order in sub_order_demo.rows("tmall_orders"):
        if order["退款金额"] not in ("", "无退款申请") and Decimal(order["退款金额"]):
            expected[order["订单编号"]] += Decimal(order["退款金额"])
    sub_orders = {row["子订单编号"]: row for row in sub_order_demo.rows("tmall_sub_orders")}
    for row in sub_orders.values():
        if row["退款状态"] == "退款成功":
            expected[row["主订单编号"]] += Decimal(str(row["退款金额"]))
    assert dict(refunded) == dict(expected)
    # a refund of an order in the sub-order export names one of its sub-orders, with that sub-order's refund
    for r in refunds:
        sub_order = sub_orders.get(r["子订单编号"])
        if sub_order is not None and r["退款状态"] == "退款成功":
            assert sub_order["主订单编号"] == r["订单编号"]
            assert sub_order["退款状态"] == "退款成功"
            assert Decimal(str(sub_order["退款金额"])) == Decimal(r["买家退款金额"])
    assert any(r["子订单编号"] in sub_orders for r in refunds)
