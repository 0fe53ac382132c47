"""The demo's sub-order export, 生意参谋 traffic and 聚水潭 purchase receipts agree with the trade it generates."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from orchestration.demo_data import DemoConfig, generate
from orchestration.demo_data.formats import (
    NO_REFUND,
    RECEIPT_CONFIRMED,
    RECEIPT_WAITING,
    REFUND_CLOSED,
    REFUND_NONE,
    REFUND_SUCCESS,
    TRADE_CLOSED,
    UNPAID_STATUSES,
)
from orchestration.ingest.datasets import recognise

from .conftest import WITH_SUB_ORDERS, GeneratedSet, read_table

TIMESTAMP = "%Y-%m-%d %H:%M:%S"


def cents(value: str) -> int:
    """Money as the ingest reads it: `129.9`, `129`, `12.35` (XLSX numbers lose trailing zeros)."""
    assert re.fullmatch(r"\d+(\.\d{1,2})?", value), value
    yuan, _, fen = value.partition(".")
    return int(yuan) * 100 + int((fen + "00")[:2])


def test_one_shop_delivers_its_last_month_as_sub_orders_and_every_order_is_in_exactly_one_export(
    sub_order_demo: GeneratedSet,
) -> None:
    files = sub_order_demo.summary.files_of("tmall_sub_orders")
    assert len(files) == WITH_SUB_ORDERS.sub_order_months == 1
    assert re.fullmatch(r"tmall/shop02_\d+/子订单导出_202512_\d{12}\.xlsx", files[0].path)
    classic_paths = [f.path for f in sub_order_demo.summary.files_of("tmall_orders")]
    # the classic reports of that shop stop where the sub-order export starts: 11 months, not 12
    assert sum(p.startswith("tmall/shop02_") for p in classic_paths) == 11
    classic_ids = [o["订单编号"] for o in sub_order_demo.rows("tmall_orders")]
    sub_rows = sub_order_demo.rows("tmall_sub_orders")
    sub_ids = {r["主订单编号"] for r in sub_rows}
    assert len(classic_ids) == len(set(classic_ids))
    assert not sub_ids & set(classic_ids)
    assert len(classic_ids) + len(sub_ids) == WITH_SUB_ORDERS.orders
    assert sub_order_demo.summary.stats["orders_in_sub_order_export"] == len(sub_ids)
    assert {r["订单创建时间"][:7] for r in sub_rows} == {"2025-12"}
    assert len({r["子订单编号"] for r in sub_rows}) == len(sub_rows)
    assert all(re.fullmatch(r"\d{19}", r["子订单编号"]) and re.fullmatch(r"\d{12}", r["商品ID"]) for r in sub_rows)
    header = read_table(sub_order_demo.root, files[0].path, "tmall_sub_orders").header
    assert recognise(header).dataset.name == "tmall_sub_orders"


def test_sub_orders_carry_the_same_orders_as_the_classic_reports_would(
    sub_order_demo: GeneratedSet, classic_demo: GeneratedSet
) -> None:
    """Same seed, same trade: each order of the sub-order export rolls up to its row in the classic report of a
    demo generated without the sub-order export, and its sub-orders are that order's item lines."""
    classic_orders = {o["订单编号"]: o for o in classic_demo.rows("tmall_orders")}
    classic_items: dict[str, list[dict[str, str]]] = defaultdict(list)
    for item in classic_demo.rows("tmall_order_items"):
        classic_items[item["订单编号"]].append(item)
    by_order: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in sub_order_demo.rows("tmall_sub_orders"):
        by_order[row["主订单编号"]].append(row)
    assert len(by_order) > 50
    statuses: Counter = Counter()
    for order_id, subs in by_order.items():
        order = classic_orders[order_id]
        goods = sum(cents(s["买家应付货款"]) for s in subs)
        post = cents(subs[0]["买家应付邮费"])
        refunded = sum(cents(s["退款金额"]) for s in subs if s["退款状态"] == REFUND_SUCCESS)
        assert goods == cents(order["买家应付货款"]) and post == cents(order["买家应付邮费"]), order_id
        assert goods + post == cents(order["总金额"])
        assert sum(cents(s["买家实付金额"]) for s in subs) == cents(order["买家实际支付金额"]), order_id
        assert refunded == (0 if order["退款金额"] in (NO_REFUND, "0.00") else cents(order["退款金额"])), order_id
        open_status = [s["订单状态"] for s in subs if s["订单状态"] != TRADE_CLOSED] or [TRADE_CLOSED]
        assert set(open_status) == {order["订单状态"]}, order_id
        for column in (
            "订单创建时间",
            "订单付款时间",
            "买家会员名",
            "店铺名称",
            "收货地址",
            "发货时间",
            "确认收货时间",
        ):
            assert {s[column] for s in subs} == {order[column]}, (order_id, column)
        lines = classic_items[order_id]
        assert [(s["商品标题"], cents(s["商品价格"]), s["购买数量"], s["商家编码"], s["商品属性"], s["订单状态"])
                for s in subs] == [(i["标题"], cents(i["价格"]), i["购买数量"], i["商家编码"], i["商品属性"],
                                    i["订单状态"]) for i in lines]  # fmt: skip
        for s in subs:
            assert s["退款状态"] in (REFUND_NONE, REFUND_SUCCESS, REFUND_CLOSED)
            if order["订单状态"] in UNPAID_STATUSES:
                assert cents(s["买家实付金额"]) == 0 and s["退款状态"] == REFUND_NONE
        statuses.update(s["退款状态"] for s in subs)
    assert statuses[REFUND_SUCCESS] and statuses[REFUND_NONE]


def test_every_other_file_is_the_same_whichever_export_the_shop_used(
    sub_order_demo: GeneratedSet, classic_demo: GeneratedSet
) -> None:
    def others(generated: GeneratedSet) -> dict[str, bytes]:
        return {
            f.path: (generated.root / f.path).read_bytes()
            for f in generated.summary.files
            if f.dataset not in ("tmall_orders", "tmall_order_items", "tmall_sub_orders")
        }

    assert others(sub_order_demo) == others(classic_demo)


def test_traffic_counts_the_day_s_paying_buyers_and_their_payments(classic_demo: GeneratedSet) -> None:
    paid: dict[tuple[str, str], set[str]] = defaultdict(set)
    amount: Counter = Counter()
    for order in classic_demo.rows("tmall_orders"):
        if order["订单付款时间"]:
            key = (order["店铺名称"], order["订单付款时间"][:10])
            paid[key].add(order["买家会员名"])
            amount[key] += cents(order["总金额"])
    traffic = classic_demo.rows("tmall_traffic_shop")
    assert len(traffic) == 2 * WITH_SUB_ORDERS.days  # every day of both shops
    rates = []
    for row in traffic:
        day = row["日期"][:10]
        key = (row["店铺名称"], day)
        buyers, visitors = int(row["支付买家数"]), int(row["访客数"])
        assert buyers == len(paid.get(key, ())), key
        assert cents(row["支付金额"]) == amount.get(key, 0), key
        assert row["支付转化率"] == f"{100 * buyers / visitors:.2f}%"
        assert buyers <= int(row["加购人数"]) <= visitors <= int(row["浏览量"])
        if buyers:
            assert abs(cents(row["客单价"]) - amount[key] / buyers) <= 1
            rates.append(buyers / visitors)
        else:
            assert row["客单价"] == "-"
        if buyers >= 3:
            assert 0.01 <= buyers / visitors <= 0.05, (key, buyers, visitors)
    assert len(rates) > 300
    # visitors peak with the orders on 双11
    visitors_by_day = Counter()
    for row in traffic:
        visitors_by_day[row["日期"][:10]] += int(row["访客数"])
    typical = sorted(visitors_by_day.values())[len(visitors_by_day) // 2]
    assert visitors_by_day["2025-11-11"] > 3 * typical


def test_item_traffic_lists_the_listings_bought_that_day(classic_demo: GeneratedSet) -> None:
    items = classic_demo.rows("tmall_traffic_items")
    assert items
    shop_buyers = {
        (r["店铺名称"], r["日期"][:10]): int(r["支付买家数"]) for r in classic_demo.rows("tmall_traffic_shop")
    }
    per_day: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in items:
        assert re.fullmatch(r"\d{12}", row["商品ID"])
        per_day[(row["店铺名称"], row["统计日期"])].append(row)
        buyers, visitors = int(row["支付买家数"]), int(row["访客数"].replace(",", ""))
        assert 1 <= buyers <= visitors and row["支付转化率"] == f"{100 * buyers / visitors:.2f}%"
        assert int(row["加购人数"]) >= buyers
    for key, rows in per_day.items():
        assert len({r["商品ID"] for r in rows}) == len(rows)  # each listing once a day
        assert max(int(r["支付买家数"]) for r in rows) <= shop_buyers[key] <= sum(int(r["支付买家数"]) for r in rows)


def test_purchase_receipts_book_replenishment_at_sku_cost(classic_demo: GeneratedSet) -> None:
    skus = {s["商品编码"]: s for s in classic_demo.rows("erp_skus")}
    receipts = classic_demo.rows("erp_purchase_receipts")
    assert len(receipts) > 100
    as_of = datetime.fromisoformat(classic_demo.summary.as_of)
    start = WITH_SUB_ORDERS.start
    lines_per_receipt: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    seen = set()
    for row in receipts:
        sku = skus[row["商品编码"]]
        qty = int(row["数量"])
        assert qty > 0 and qty % 5 == 0  # whole case packs
        assert row["单价"] == sku["成本价"] and cents(row["金额"]) == qty * cents(sku["成本价"])
        assert row["款式编码"] == sku["款式编码"] and row["商品名称"] == sku["商品名称"]
        received = datetime.strptime(row["入库日期"], TIMESTAMP)
        assert datetime.combine(start, datetime.min.time()) < received <= as_of
        assert row["状态"] in (RECEIPT_CONFIRMED, RECEIPT_WAITING)
        assert (row["状态"] == RECEIPT_WAITING) == (received > as_of - timedelta(hours=36))
        assert received <= datetime.strptime(row["修改时间"], TIMESTAMP) <= as_of
        assert (row["入库单号"], row["商品编码"]) not in seen
        seen.add((row["入库单号"], row["商品编码"]))
        lines_per_receipt[row["入库单号"]].add((row["采购单号"], row["供应商"], row["仓库"]))
    assert all(len(v) == 1 for v in lines_per_receipt.values())  # one PO, supplier, warehouse per receipt
    assert any(len([r for r in receipts if r["入库单号"] == k]) > 1 for k in list(lines_per_receipt)[:200])
    assert date(2025, 1, 1) <= min(datetime.strptime(r["入库日期"], TIMESTAMP).date() for r in receipts)


def test_receipts_and_outbound_explain_every_stock_movement_between_snapshots(classic_demo: GeneratedSet) -> None:
    """Where a SKU has stock in two consecutive snapshots, on hand moved by exactly what was received (采购入库)
    minus what left the warehouse (已出库) in between."""
    moves: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for row in classic_demo.rows("erp_purchase_receipts"):
        moves[(row["商品编码"], row["仓库"])].append((row["入库日期"], int(row["数量"])))
    for row in classic_demo.rows("erp_shipments"):
        if row["状态"] == "已出库":
            moves[(row["商品编码"], row["仓库"])].append((row["出库时间"], -int(row["数量"])))
    snapshots = []
    for f in sorted(classic_demo.summary.files_of("erp_inventory"), key=lambda f: f.path):
        rows = read_table(classic_demo.root, f.path, "erp_inventory").rows
        snapshots.append((rows[0]["快照时间"], {(r["商品编码"], r["仓库"]): int(r["实际库存数"]) for r in rows}))
    checked = with_receipts = 0
    for (t1, before), (t2, after) in zip(snapshots, snapshots[1:], strict=False):
        for cell, on_hand in before.items():
            if on_hand <= 0 or after[cell] <= 0:
                continue  # a snapshot shows a shortfall as 0: nothing to compare
            between = [q for t, q in moves.get(cell, ()) if t1 <= t < t2]
            assert after[cell] - on_hand == sum(between), (cell, t1, t2)
            checked += 1
            with_receipts += any(q > 0 for q in between)
    assert checked > 1000 and with_receipts > 50


@pytest.fixture(scope="module")
def larger_demo(tmp_path_factory: pytest.TempPathFactory) -> GeneratedSet:
    """A year of 30,000 orders, one shop's every month as the sub-order export: large enough for the rare cases
    the 2,000-order demo never meets (a last-line partial refund, an item with over 1,000 visitors a day)."""
    root = tmp_path_factory.mktemp("demo_larger") / "landing"
    return GeneratedSet(root, generate(root, DemoConfig(orders=30_000, sub_order_months=12)))


def test_no_sub_order_line_pays_or_refunds_a_negative_amount(larger_demo: GeneratedSet) -> None:
    """A partial refund of one line gives back exactly that line's 买家应付货款, never a cent more, on every line
    of a year of sub-order exports (the raw gate rejects a negative 买家实付金额, so `make run` depends on it)."""
    rows = larger_demo.rows("tmall_sub_orders")
    partial = 0
    for row in rows:
        goods, paid = cents(row["买家应付货款"]), cents(row["买家实付金额"])  # cents() rejects a minus sign
        if row["退款状态"] == REFUND_SUCCESS:
            refund = cents(row["退款金额"])
            assert 0 < refund <= goods + cents(row["买家应付邮费"]), row["子订单编号"]
            partial += paid > 0
    assert len(rows) > 15_000 and partial > 50


def test_item_traffic_quotes_counts_written_with_a_thousands_separator(larger_demo: GeneratedSet) -> None:
    """生意参谋 writes 1,234: in a CSV that cell must be quoted, or the row has a field too many (and is quarantined).
    `rows()` parses strictly: every row must have as many fields as the header."""
    items = larger_demo.rows("tmall_traffic_items")
    large = [row["访客数"] for row in items if "," in row["访客数"]]
    assert large and all(re.fullmatch(r"\d{1,3}(,\d{3})+", v) for v in large)
