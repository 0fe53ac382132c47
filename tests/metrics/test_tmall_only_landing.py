"""Only Tmall order reports in the landing folder: everything builds; metrics needing absent data are empty."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.metrics.metricflow import SemanticLayer
from orchestration.metrics.tables import write_metric_tables


def test_metrics_needing_item_or_erp_data_are_empty_not_zero(tmall_only_warehouse: Path) -> None:
    with SemanticLayer() as layer, duckdb.connect(str(tmall_only_warehouse)) as con:
        counts = write_metric_tables(con, layer, run_id="tmall-only")
        day = con.execute(
            "select count(*), count(units_sold), count(cogs), count(gross_margin_rate), sum(paying_customers) "
            "from metrics.daily_commerce_kpis"
        ).fetchone()
        shipped = con.execute(
            "select count(shipped_orders), count(ship_within_48h_rate) from metrics.monthly_fulfilment_by_warehouse"
        ).fetchone()
        net_sales = con.execute("select sum(net_sales) from metrics.daily_kpis").fetchone()[0]
    assert counts["daily_kpis"] > 0 and net_sales > 0
    days, units, cogs, margin_rate, paying = day
    assert days > 0 and paying > 0
    assert (units, cogs, margin_rate) == (0, 0, 0), "no item report or SKU master: no units, cost or margin"
    assert shipped == (0, 0), "no ERP outbounds: nothing shipped"
    assert counts["monthly_reconciliation_by_category"] == 0, "no ERP orders: nothing to reconcile"
    assert counts["stockout_by_warehouse"] == 0
