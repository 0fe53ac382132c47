"""The demand forecasts inside the whole job (the session's `demo_run`, no run of its own): the forecast step runs
between the marts and the replenishment models, the backtest reaches the report, and inventory_health's
suggestions are the forecast-driven plan's."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.e2e


def warehouse(demo_run) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(demo_run.settings.warehouse_path), read_only=True)


def test_the_backtest_scores_the_chosen_forecasts_and_both_baselines_at_three_origins_one_before_a_big_promotion(
    demo_run,
) -> None:
    assert demo_run.outcome.success, "\n".join(demo_run.outcome.failures)
    with warehouse(demo_run) as con:
        origins = con.execute(
            "select origin_date, bool_or(is_before_big_promotion), list(distinct method order by method) "
            "from marts.forecast_backtest where sku_class = 'all' group by origin_date order by origin_date"
        ).fetchall()
        wape = con.execute("select count(*) from marts.forecast_backtest where wape is null and actual_units > 0")
        missing_wape = wape.fetchone()[0]
    assert len(origins) >= 3
    assert any(before for _, before, _ in origins), "no origin before a 大促"
    for origin, _, methods in origins:
        assert {"chosen", "seasonal_naive", "mean_28d"} <= set(methods), origin
    assert missing_wape == 0


def test_inventory_health_sums_the_forecast_driven_plan_of_its_warehouses(demo_run) -> None:
    with warehouse(demo_run) as con:
        mismatches = con.execute(
            """
            with plan as (
                select sku_id, sum(suggested_reorder_qty) as suggested, sum(safety_stock_qty) as safety,
                    sum(order_up_to_qty) as order_up_to
                from marts.replenishment_plan group by sku_id
            )
            select count(*) from marts.inventory_health as health
            full join plan on plan.sku_id = health.sku_id
            where health.suggested_reorder_qty is distinct from plan.suggested
                or health.safety_stock_qty is distinct from plan.safety
                or health.order_up_to_qty is distinct from plan.order_up_to
            """
        ).fetchone()[0]
        suggestions = con.execute(
            "select count(*), count(*) filter (where replenishment_explanation like '预计日销 %补货周期 %安全库存 %') "
            "from marts.replenishment_plan where suggested_reorder_qty > 0"
        ).fetchone()
        forecast_skus = con.execute("select count(distinct sku_id) from marts.sku_demand_forecasts").fetchone()[0]
        measured = con.execute(
            "select count(*), min(lead_time_days), max(lead_time_days) from marts.supplier_lead_times "
            "where lead_time_source <> 'default'"
        ).fetchone()
    assert mismatches == 0
    assert forecast_skus > 0
    assert suggestions[0] > 0 and suggestions[0] == suggestions[1]
    # the demo's suppliers deliver in 5-20 days, some late by up to 30 more: measured from its receipts' 采购日期
    assert measured[0] > 0
    assert 5 <= measured[1] and measured[2] <= 50


def test_the_report_file_carries_the_backtest_and_the_plan(demo_run) -> None:
    report = demo_run.settings.reports_dir / "sources" / "warehouse" / "report.duckdb"
    with duckdb.connect(str(report), read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
        chosen = con.execute("select count(*) from forecast_backtest where method = 'chosen'").fetchone()[0]
    assert {"forecast_backtest", "replenishment_plan", "inventory_health"} <= tables
    assert chosen > 0
