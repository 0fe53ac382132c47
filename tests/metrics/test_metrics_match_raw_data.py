"""MetricFlow's answers for the new metrics equal an independent computation over the raw tables, to the cent.

The independent side reads only `raw.*` (text as delivered) with plain SQL written here, not the dbt models: paid =
the order has a payment time, customer = buyer nick, cost = the ERP SKU master's 成本价 of the line's 商家编码,
shipment = earliest 已出库 ERP outbound of the order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.metrics.metricflow import SemanticLayer

MONTH = "metric_time__month"

# plain SQL over raw: the latest delivered row per order (the demo delivers each once; the rule is cheap to keep).
# The demo delivers one shop's last month as the sub-order export: its orders are the sub-orders summed per order
# (total = Σ 买家应付货款 + 买家应付邮费, refund = Σ 退款金额 of sub-orders whose refund succeeded).
RAW_PAID_ORDERS = """
    with sub_order_orders as (
        select
            order_id, max(buyer_nick) as buyer_nick, min(paid_at) as paid_at,
            cast(sum(cast(goods_amount as decimal(18, 2))) + max(cast(post_fee as decimal(18, 2))) as varchar)
                as total_amount,
            cast(sum(case when refund_status = '退款成功' then cast(refund_amount as decimal(18, 2)) else 0 end)
                as varchar) as refund_amount,
            _loaded_at, _batch_id, min(_source_row_number) as _source_row_number
        from raw.tmall_sub_orders
        group by order_id, _loaded_at, _batch_id
    ),
    ranked as (
        select *, row_number() over (partition by order_id order by _loaded_at desc, _batch_id desc,
                                     _source_row_number desc) as version_rank
        from (
            select order_id, buyer_nick, paid_at, total_amount, refund_amount, _loaded_at, _batch_id,
                   _source_row_number
            from raw.tmall_orders
            union all
            select * from sub_order_orders
        )
    )
    select
        order_id,
        nullif(trim(buyer_nick), '') as buyer_nick,
        cast(paid_at as timestamp) as paid_at,
        cast(date_trunc('month', cast(paid_at as timestamp)) as date) as paid_month,
        cast(total_amount as decimal(18, 2)) as total_amount,
        coalesce(try_cast(refund_amount as decimal(18, 2)), 0) as refund_amount
    from ranked
    where version_rank = 1 and nullif(trim(paid_at), '') is not null
"""


def metricflow_by_month(warehouse: Path, metrics: list[str]) -> dict[dt.date, dict[str, object]]:
    with SemanticLayer() as layer:
        sql = layer.sql_for(metrics, [MONTH])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return {row[MONTH].date() if isinstance(row[MONTH], dt.datetime) else row[MONTH]: row for row in rows}


def raw_by_month(warehouse: Path, sql: str) -> dict[dt.date, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {row[0]: row[1:] for row in con.execute(sql).fetchall()}


def cents(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_units_sold_and_cogs_match_the_raw_order_lines(metrics_warehouse: Path) -> None:
    expected = raw_by_month(
        metrics_warehouse,
        f"""
        with paid as ({RAW_PAID_ORDERS}),
        lines as (
            select order_id, cast(quantity as integer) as quantity, nullif(trim(merchant_sku_code), '') as code
            from raw.tmall_order_items
            union all
            select order_id, cast(quantity as integer), nullif(trim(merchant_sku_code), '') from raw.tmall_sub_orders
        ),
        skus as (select trim(sku_id) as sku_id, cast(cost_price as decimal(18, 2)) as cost_price from raw.erp_skus)
        select paid.paid_month, sum(lines.quantity), sum(skus.cost_price * lines.quantity)
        from lines
        join paid on lines.order_id = paid.order_id
        left join skus on lines.code = skus.sku_id
        group by 1
        """,
    )
    answers = metricflow_by_month(metrics_warehouse, ["units_sold", "cogs"])
    assert len(expected) >= 12
    assert set(answers) == set(expected)
    for month, (units, cogs) in expected.items():
        assert answers[month]["units_sold"] == units, month
        assert cents(answers[month]["cogs"]) == cents(cogs), month


def test_customer_metrics_match_the_raw_buyers(metrics_warehouse: Path) -> None:
    expected = raw_by_month(
        metrics_warehouse,
        f"""
        with paid as ({RAW_PAID_ORDERS} ),
        buyers as (select buyer_nick, min(paid_at) as first_paid_at from paid where buyer_nick is not null
                   group by 1),
        orders as (
            select paid.*, paid.paid_at > buyers.first_paid_at as is_repeat
            from paid left join buyers on paid.buyer_nick = buyers.buyer_nick
        )
        select
            paid_month,
            count(distinct buyer_nick),
            count(distinct buyer_nick) filter (where is_repeat),
            (select count(*) from buyers where date_trunc('month', first_paid_at) = orders.paid_month)
        from orders
        group by 1
        """,
    )
    answers = metricflow_by_month(
        metrics_warehouse, ["paying_customers", "returning_customers", "new_customers", "repeat_purchase_rate"]
    )
    assert set(answers) == set(expected)
    for month, (paying, returning, new) in expected.items():
        answer = answers[month]
        assert (answer["paying_customers"], answer["returning_customers"], answer["new_customers"]) == (
            paying,
            returning,
            new,
        ), month
        assert answer["repeat_purchase_rate"] == pytest.approx(returning / paying, abs=1e-12), month


def test_average_order_value_and_refund_rate_match_the_raw_orders(metrics_warehouse: Path) -> None:
    expected = raw_by_month(
        metrics_warehouse,
        f"""
        with paid as ({RAW_PAID_ORDERS})
        select paid_month, sum(total_amount), count(*), count(*) filter (where refund_amount > 0)
        from paid group by 1
        """,
    )
    answers = metricflow_by_month(metrics_warehouse, ["average_order_value", "refund_rate"])
    assert set(answers) == set(expected)
    for month, (paid_total, paid_orders, refunded) in expected.items():
        assert cents(answers[month]["average_order_value"]) == cents(Decimal(paid_total) / paid_orders), month
        assert answers[month]["refund_rate"] == pytest.approx(refunded / paid_orders, abs=1e-12), month


def test_shipping_metrics_match_the_raw_erp_outbounds(metrics_warehouse: Path) -> None:
    expected = raw_by_month(
        metrics_warehouse,
        f"""
        with paid as ({RAW_PAID_ORDERS}),
        outbounds as (
            select unnest(string_split(tmall_order_id, ',')) as order_id, cast(shipped_at as timestamp) as shipped_at
            from raw.erp_shipments
            where trim(outbound_status) = '已出库' and nullif(trim(shipped_at), '') is not null
        ),
        first_shipments as (select order_id, min(shipped_at) as shipped_at from outbounds group by 1),
        shipped as (
            select paid.paid_month, epoch(first_shipments.shipped_at) - epoch(paid.paid_at) as seconds
            from paid join first_shipments on paid.order_id = first_shipments.order_id
        )
        select paid_month, count(*), count(*) filter (where seconds <= 48 * 3600), avg(seconds / 3600.0)
        from shipped group by 1
        """,
    )
    answers = metricflow_by_month(
        metrics_warehouse, ["shipped_orders", "ship_within_48h_rate", "avg_pay_to_ship_hours"]
    )
    assert set(answers) == set(expected)
    for month, (shipped, within_48h, hours) in expected.items():
        assert answers[month]["shipped_orders"] == shipped, month
        assert answers[month]["ship_within_48h_rate"] == pytest.approx(within_48h / shipped, abs=1e-12), month
        assert cents(answers[month]["avg_pay_to_ship_hours"]) == cents(hours), month


def test_visitors_and_conversion_match_the_raw_traffic_exports(metrics_warehouse: Path) -> None:
    # plain SQL over the 生意参谋 shop exports as delivered (text): one row per shop and day, latest delivery
    expected = raw_by_month(
        metrics_warehouse,
        """
        with ranked as (
            select *, row_number() over (partition by trim(shop_name), cast(traffic_date as date)
                                         order by _loaded_at desc, _batch_id desc) as version_rank
            from raw.tmall_traffic_shop
        )
        select date_trunc('month', cast(traffic_date as date)) as month,
               sum(cast(visitors as integer)), sum(cast(paying_buyers as integer)),
               sum(cast(paying_buyers as integer)) / sum(cast(visitors as integer))
        from ranked where version_rank = 1
        group by 1
        """,
    )
    answers = metricflow_by_month(metrics_warehouse, ["visitors", "traffic_paying_buyers", "conversion_rate"])
    assert len(expected) >= 12
    assert set(answers) == set(expected)
    for month, (visitors, buyers, rate) in expected.items():
        assert answers[month]["visitors"] == visitors, month
        assert answers[month]["traffic_paying_buyers"] == buyers, month
        assert answers[month]["conversion_rate"] == pytest.approx(rate, rel=1e-12), month
