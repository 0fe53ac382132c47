"""`export_report_database`: the report file holds the metric tables and the whitelisted columns of marts and quality
results, in China time, and never a column named like personal data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from orchestration.reports.export import REPORT_TABLES, PersonalDataInReportError, export_report_database


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse with one metric table, one mart with a column the report must not get, and quality results."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema metrics")
        con.execute("create table metrics.daily_kpis as select date '2025-03-01' as metric_date, 12 as orders")
        con.execute("create schema marts")
        con.execute(
            "create table marts.inventory_health as select 'SKU-1' as sku_id, date '2025-03-01' as snapshot_date, "
            "'茶饮' as category, 1 as warehouse_count, 5 as on_hand_qty, 4 as available_qty, 0 as in_transit_qty, "
            "28 as units_sold_28d, 1.0 as daily_velocity, 1.2 as forecast_daily_units, 'smooth' as sku_class, "
            "'ets' as forecast_method, 4.0 as days_of_cover, 'stockout_risk' as stock_status, 7 as lead_time_days, "
            "'supplier_sku' as lead_time_source, 3 as safety_stock_qty, 12 as reorder_point_qty, "
            "20 as order_up_to_qty, 6 as suggested_reorder_qty, 'internal' as buyer_message"
        )
        con.execute("create schema quality")
        con.execute(
            "create table quality.check_results as select 'run-1' as run_id, "
            "timestamp '2025-03-01 18:30:00' as checked_at, 'raw_tmall_orders' as check_name, 'raw/x' as asset_key, "
            "'raw_tmall_orders' as suite, 'expect_column_values_to_not_be_null' as expectation, "
            "'order_id' as column_name, 'error' as severity, true as success, 10 as element_count, "
            "0 as unexpected_count, '[{\"buyer_nick\": \"someone\"}]' as examples"
        )
    return path


def test_metric_tables_and_whitelisted_columns_reach_the_report_file(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.duckdb"
    counts = export_report_database(warehouse, target)
    assert counts == {"daily_kpis": 1, "inventory_health": 1, "quality_check_results": 1, "quality_run_history": 1}
    with duckdb.connect(str(target), read_only=True) as con:
        columns = {
            table: names
            for table, names in con.execute(
                "select table_name, list(column_name order by column_index) from duckdb_columns() "
                "where database_name = current_database() and schema_name = 'main' group by 1"
            ).fetchall()
        }
        checked_at = con.execute("select checked_at from quality_check_results").fetchone()[0]  # type: ignore[index]
    spec = {table.name: table for table in REPORT_TABLES}
    assert columns["inventory_health"] == list(spec["inventory_health"].columns)
    assert "buyer_message" not in columns["inventory_health"]
    assert "examples" not in columns["quality_check_results"]
    assert checked_at == dt.datetime(2025, 3, 2, 2, 30), "UTC check times are shown in China time"


def test_a_metric_table_with_a_personal_column_stops_the_export(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table metrics.customer_list as select 'someone' as buyer_nick")
    target = tmp_path / "report.duckdb"
    with pytest.raises(PersonalDataInReportError, match="customer_list.buyer_nick"):
        export_report_database(warehouse, target)
    assert not target.exists(), "no report file with personal data is left behind"
