"""Refunds by refund date and by order date (models/metrics/refunds.yml) on the demo warehouse, whose refund export
(退款管理) holds refunds that finish in another month than their order was paid.

The independent side reads `raw.tmall_refunds` (text as delivered) with plain SQL: a refund counts when its 退款状态
is 退款成功, on the month of its 退款完结时间 by refund date and of its 订单付款时间 by order date.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.metrics.metricflow import SemanticLayer

MONTH = "metric_time__month"
BY_REFUND, BY_ORDER = "refund_amount_by_refund_date", "refund_amount_by_order_date"

RAW_REFUNDS_BY_MONTH = """
    select date_trunc('month', cast({column} as timestamp)) as month, sum(cast(refund_amount as decimal(18, 2)))
    from raw.tmall_refunds
    where refund_status = '退款成功'
    group by 1
"""


def monthly(con: duckdb.DuckDBPyConnection, metrics: list[str]) -> dict[str, dict]:
    with SemanticLayer() as layer:
        sql = layer.sql_for(metrics, [MONTH])
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    by_metric: dict[str, dict] = {m: {} for m in metrics}
    for row in cursor.fetchall():
        record = dict(zip(names, row, strict=True))
        for metric in metrics:
            if record[metric] is not None:
                by_metric[metric][record[MONTH]] = record[metric]
    return by_metric


def test_the_refund_export_is_accounted_for_and_reaches_fct_refunds_with_date_and_reason(
    metrics_warehouse: Path,
) -> None:
    with duckdb.connect(str(metrics_warehouse), read_only=True) as con:
        log = con.execute(
            "select source_file, rows_in, rows_loaded, rows_quarantined, coalesce(rows_held_back, 0) "
            "from raw.ingest_log where dataset = 'tmall_refunds'"
        ).fetchall()
        assert log, "the demo landing folder holds no refund export"
        for source_file, rows_in, loaded, quarantined, held_back in log:
            # held back: refunds of an order the demo's bad input had quarantined (orchestration/ingest/holdback.py)
            assert rows_in == loaded + quarantined + held_back, source_file
            rows = con.execute("select count(*) from raw.tmall_refunds where _source_file = ?", [source_file])
            assert rows.fetchone()[0] == loaded, source_file
        successful = con.execute("select count(*) from raw.tmall_refunds where refund_status = '退款成功'").fetchone()
        from_export = con.execute(
            "select count(*), count(refund_reason), count(*) filter (where refund_date = cast(finished_at as date)) "
            "from marts.fct_refunds where source_export = 'refund_export'"
        ).fetchone()
        # every successful refund once, each with its reason and dated by its completion
        assert from_export == (successful[0], successful[0], successful[0])
        # the export's refunds add up to the order report's 退款金额 of every refunded order: nothing lost or doubled
        mismatched = con.execute(
            """select count(*) from marts.fct_orders o
               full join (select order_id, sum(refund_amount) as refunded from marts.fct_refunds group by 1) r
                   using (order_id)
               where coalesce(o.refund_amount, 0) <> coalesce(r.refunded, 0)"""
        ).fetchone()[0]
        assert mismatched == 0


def test_refunds_by_refund_date_and_by_order_date_differ_by_the_refunds_that_cross_a_month(
    metrics_warehouse: Path,
) -> None:
    with duckdb.connect(str(metrics_warehouse), read_only=True) as con:
        answers = monthly(con, [BY_REFUND, BY_ORDER, "refund_amount"])
        expected_by_refund = dict(con.execute(RAW_REFUNDS_BY_MONTH.format(column="finished_at")).fetchall())
        expected_by_order = dict(con.execute(RAW_REFUNDS_BY_MONTH.format(column="paid_at")).fetchall())
        crossing = con.execute(
            "select count(*) from raw.tmall_refunds where refund_status = '退款成功' "
            "and date_trunc('month', cast(finished_at as timestamp)) <> date_trunc('month', cast(paid_at as timestamp))"
        ).fetchone()[0]
    assert crossing > 0, "the demo has no refund finishing in another month than its order was paid"

    def as_dates(values: dict) -> dict:
        return {month.date() if hasattr(month, "date") else month: amount for month, amount in values.items()}

    assert as_dates(answers[BY_REFUND]) == as_dates(expected_by_refund)
    assert as_dates(answers[BY_ORDER]) == as_dates(expected_by_order)
    assert answers[BY_REFUND] != answers[BY_ORDER]
    # the same refunds on two dates: equal in total
    assert sum(answers[BY_REFUND].values(), Decimal(0)) == sum(answers[BY_ORDER].values(), Decimal(0))
    # by order date it is the order report's 退款金额 by payment date (the refund_amount metric), month by month
    assert {m: v for m, v in answers["refund_amount"].items() if v} == answers[BY_ORDER]
