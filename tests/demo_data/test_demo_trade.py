"""The generated trade is internally consistent: money, statuses, timestamps, joins between the files."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime

from orchestration.demo_data.formats import (
    ERP_OUTBOUND_STATUSES,
    ERP_STATUSES,
    NO_REFUND,
    NOT_CLOSED,
    TMALL_STATUS_TO_TOP,
    TMALL_STATUSES,
    TRADE_CLOSED,
    TRADE_FINISHED,
    UNPAID_STATUSES,
    WAIT_BUYER_CONFIRM,
    WAIT_SELLER_SEND,
)

from .conftest import SMALL, DemoSet

MONEY = re.compile(r"^\d+\.\d{2}$")
TIMESTAMP = "%Y-%m-%d %H:%M:%S"


def cents(value: str) -> int:
    assert MONEY.match(value), value
    yuan, fen = value.split(".")
    return int(yuan) * 100 + int(fen)


def ts(value: str) -> datetime:
    return datetime.strptime(value, TIMESTAMP)


def items_by_order(demo: DemoSet) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for item in demo.items:
        grouped[item["订单编号"]].append(item)
    return grouped


def test_money_identities_hold_for_every_order(demo: DemoSet) -> None:
    lines = items_by_order(demo)
    for order in demo.orders:
        status = order["订单状态"]
        list_total = sum(cents(i["价格"]) * int(i["购买数量"]) for i in lines[order["订单编号"]])
        goods, post, total = cents(order["买家应付货款"]), cents(order["买家应付邮费"]), cents(order["总金额"])
        paid = cents(order["买家实际支付金额"])
        assert 0 < goods <= list_total, order  # the order discount is list_total - goods >= 0
        assert post >= 0
        assert total == goods + post
        refund = 0 if order["退款金额"] == NO_REFUND else cents(order["退款金额"])
        assert 0 <= refund <= total
        if status in UNPAID_STATUSES:
            assert order["订单付款时间"] == ""
            assert paid == 0 and order["退款金额"] == NO_REFUND
        else:
            assert order["订单付款时间"] != ""
            assert paid == total - refund, order


def test_item_lines_join_orders_and_quantities_add_up(demo: DemoSet) -> None:
    lines = items_by_order(demo)
    order_ids = {o["订单编号"] for o in demo.orders}
    assert set(lines) == order_ids
    for order in demo.orders:
        its = lines[order["订单编号"]]
        assert sum(int(i["购买数量"]) for i in its) == int(order["宝贝总数量"])
        assert len(its) == int(order["宝贝种类"])
        assert all(int(i["购买数量"]) >= 1 and cents(i["价格"]) > 0 for i in its)
        codes = [i["商家编码"] for i in its if i["商家编码"]]
        assert len(codes) == len(set(codes))


def test_statuses_are_in_the_vocabulary_and_match_timestamps_and_refunds(demo: DemoSet) -> None:
    as_of = datetime.fromisoformat(demo.summary.as_of)
    seen = Counter()
    for order in demo.orders:
        status = order["订单状态"]
        seen[status] += 1
        assert status in TMALL_STATUSES
        created = ts(order["订单创建时间"])
        times = [created]
        for column in ("订单付款时间", "发货时间", "确认收货时间"):
            if order[column]:
                times.append(ts(order[column]))
        assert times == sorted(times) and times[-1] <= as_of, order
        total = cents(order["总金额"])
        refund = None if order["退款金额"] == NO_REFUND else cents(order["退款金额"])
        if status == TRADE_FINISHED:
            assert order["发货时间"] and order["确认收货时间"] and order["物流单号"]
        if status == TRADE_CLOSED:  # paid, then refunded in full
            assert order["订单付款时间"] and refund == total and order["确认收货时间"] == ""
            assert order["订单关闭原因"] != NOT_CLOSED
        elif status in UNPAID_STATUSES - {"等待买家付款"}:
            assert order["订单关闭原因"] not in ("", NOT_CLOSED)
        else:
            assert order["订单关闭原因"] == NOT_CLOSED
            assert refund is None or refund < total
        if status == WAIT_SELLER_SEND:
            assert order["发货时间"] == "" and order["物流单号"] == ""
        if status == WAIT_BUYER_CONFIRM:
            assert order["发货时间"] and order["确认收货时间"] == ""
    for item in demo.items:
        assert item["订单状态"] in TMALL_STATUSES
    # the common statuses all occur
    assert {TRADE_FINISHED, TRADE_CLOSED, "交易被淘宝关闭"} <= set(seen)


def test_erp_orders_and_shipments_refer_to_tmall_orders_and_skus(demo: DemoSet) -> None:
    tmall = {o["订单编号"]: o for o in demo.orders}
    sku_ids = {s["商品编码"] for s in demo.skus}
    in_erp: set[str] = set()
    erp_ids = set()
    effective: Counter = Counter()
    for row in demo.erp_orders:
        assert row["状态"] in ERP_STATUSES
        assert row["内部订单号"] not in erp_ids
        erp_ids.add(row["内部订单号"])
        ids = row["线上订单号"].split(",")
        assert all(i in tmall for i in ids), row
        in_erp.update(ids)
        assert row["线上状态"] == TMALL_STATUS_TO_TOP[tmall[ids[0]]["订单状态"]]
        if row["状态"] in ("被合并", "被拆分"):  # the original of a merge or split keeps its own amounts
            assert cents(row["应付金额"]) == cents(tmall[ids[0]]["总金额"])
        else:
            effective[row["线上订单号"]] += cents(row["应付金额"])
    # the orders that go on (merged: both ids in one; split: several children) add up to the Tmall totals
    assert any("," in key for key in effective)
    for key, payable in effective.items():
        assert payable == sum(cents(tmall[i]["总金额"]) for i in key.split(",")), key
    missing = set(tmall) - in_erp
    assert 0 < len(missing) < 0.02 * len(tmall)
    seen_lines = set()
    for row in demo.shipments:
        assert row["状态"] in ERP_OUTBOUND_STATUSES
        assert row["内部订单号"] in erp_ids
        assert row["线上订单号"] in tmall
        assert row["商品编码"] in sku_ids
        assert int(row["数量"]) > 0
        assert (row["出仓单号"], row["商品编码"]) not in seen_lines
        seen_lines.add((row["出仓单号"], row["商品编码"]))
        assert (row["出库时间"] != "") == (row["状态"] == "已出库")


def test_shipped_quantities_match_the_tmall_lines(demo: DemoSet) -> None:
    """What left the warehouse for an order is what the buyer bought (the ERP knows the true SKU codes)."""
    tmall_qty: Counter = Counter()
    for item in demo.items:
        tmall_qty[item["订单编号"]] += int(item["购买数量"])
    shipped: Counter = Counter()
    for row in demo.shipments:
        if row["状态"] == "已出库":
            shipped[row["线上订单号"]] += int(row["数量"])
    assert shipped
    for order_id, qty in shipped.items():
        assert qty <= tmall_qty[order_id]
    complete = sum(1 for order_id, qty in shipped.items() if qty == tmall_qty[order_id])
    assert complete > 0.95 * len(shipped)


def test_real_world_messiness_is_planted(demo: DemoSet) -> None:
    n_orders, n_lines = len(demo.orders), len(demo.items)
    sku_ids = {s["商品编码"] for s in demo.skus}
    empty = sum(1 for i in demo.items if i["商家编码"] == "")
    unknown = sum(1 for i in demo.items if i["商家编码"] and i["商家编码"] not in sku_ids)
    assert 0.01 < empty / n_lines < 0.035
    assert 0.01 < unknown / n_lines < 0.035
    statuses = Counter(o["订单状态"] for o in demo.orders)
    unpaid = sum(statuses[s] for s in UNPAID_STATUSES)
    assert 0.015 < unpaid / n_orders < 0.05
    refunded = [o for o in demo.orders if o["退款金额"] not in (NO_REFUND, "0.00")]
    assert 0.04 < len(refunded) / n_orders < 0.11
    full = sum(1 for o in refunded if o["退款金额"] == o["总金额"])
    assert 0 < full < len(refunded)  # partial and full refunds
    assert any(o["退款金额"] == "0.00" for o in demo.orders)  # a refund asked for and withdrawn
    erp_status = Counter(r["状态"] for r in demo.erp_orders)
    assert erp_status["被合并"] > 0 and erp_status["被拆分"] > 0
    assert any("," in r["线上订单号"] for r in demo.erp_orders)
    # ERP outbound a day after Tmall says shipped, for a share of orders
    tmall_shipped = {o["订单编号"]: ts(o["发货时间"]) for o in demo.orders if o["发货时间"]}
    later = sum(
        1
        for r in demo.shipments
        if r["状态"] == "已出库"
        and r["线上订单号"] in tmall_shipped
        and ts(r["出库时间"]).date() > tmall_shipped[r["线上订单号"]].date()
    )
    assert later > 0.03 * len(tmall_shipped) / 2
    # province spellings vary, addresses are masked
    provinces = Counter(o["收货地址"].split(" ")[0] for o in demo.orders)
    assert provinces["上海"] and provinces["上海市"]
    assert all(o["收货地址"].endswith("****") and len(o["收货地址"].split(" ")) == 4 for o in demo.orders)


def test_buyers_come_back_but_most_buy_once(demo: DemoSet) -> None:
    per_buyer = Counter(o["买家会员名"] for o in demo.orders)
    repeat = [n for n in per_buyer.values() if n > 1]
    assert 0.1 < len(repeat) / len(per_buyer) < 0.45
    assert max(per_buyer.values()) >= 4
    nick_alipay = {(o["买家会员名"], o["买家支付宝账号"], o["联系手机"]) for o in demo.orders}
    assert len(nick_alipay) == len(per_buyer)  # a buyer's personal data is stable across orders


def test_festivals_shape_the_daily_volume(demo: DemoSet) -> None:
    per_day = Counter(ts(o["订单创建时间"]).date() for o in demo.orders)
    typical = sorted(per_day.values())[len(per_day) // 2]
    assert per_day[date(2025, 11, 11)] == max(per_day.values())
    assert per_day[date(2025, 11, 11)] > 4 * typical
    assert per_day[date(2025, 6, 18)] > 2 * typical
    june_peak = sum(per_day[date(2025, 6, d)] for d in range(1, 19)) / 18
    july = sum(per_day[date(2025, 7, d)] for d in range(1, 32)) / 31
    assert june_peak > 1.2 * july


def test_inventory_snapshots_cover_every_sku_in_both_warehouses(demo: DemoSet) -> None:
    sku_ids = {s["商品编码"] for s in demo.skus}
    zero_stock = 0
    for name, rows in demo.inventory.items():
        assert len(rows) == 2 * SMALL.skus
        assert {r["商品编码"] for r in rows} == sku_ids
        assert len({r["仓库"] for r in rows}) == 2
        stamp = rows[0]["快照时间"]
        assert stamp.replace("-", "")[:8] == name[3:11]
        for r in rows:
            assert r["快照时间"] == stamp
            assert int(r["实际库存数"]) >= 0 and int(r["订单占有数"]) >= 0 and int(r["采购在途数"]) >= 0
            assert r["修改时间"] <= stamp
            zero_stock += r["实际库存数"] == "0"
    assert zero_stock > 0
    # stock moves with sales: on-hand of the best seller changes between snapshots
    first, last = demo.inventory[min(demo.inventory)], demo.inventory[max(demo.inventory)]
    assert [r["实际库存数"] for r in first] != [r["实际库存数"] for r in last]


def test_sku_master_costs_are_below_sale_prices(demo: DemoSet) -> None:
    categories = Counter(s["分类"] for s in demo.skus)
    assert len(categories) >= 4
    for sku in demo.skus:
        assert 0 < cents(sku["成本价"]) < cents(sku["基本售价"])
        assert sku["是否启用"] in ("是", "否")
    assert len({s["商品编码"] for s in demo.skus}) == len(demo.skus)
