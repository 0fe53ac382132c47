"""`export_report_database`: the report file holds the metric tables and the whitelisted columns of marts and quality
results, in China time, and never a column named like personal data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from orchestration.reports.export import (
    ALWAYS_FILLED,
    REPORT_TABLES,
    PersonalDataInReportError,
    export_report_database,
)
from orchestration.settings import PROJECT_ROOT
from tests.report.report_fixture import EMPTY_TABLES

SOURCES_DIR = PROJECT_ROOT / "reports" / "sources" / "warehouse"


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
    assert columns["inventory_health"] == [*spec["inventory_health"].columns, "is_placeholder"]
    assert columns["daily_kpis"] == ["metric_date", "orders"], "an always-filled metric table has no placeholder flag"
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


def test_an_empty_table_gets_one_placeholder_row_in_its_own_types(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table metrics.sales_by_product (product varchar, units_sold bigint, "
            "costed_product_sales decimal(18,2), gross_margin_rate double)"
        )
        con.execute(  # one ordinary day: the whitelist's filter (promotion or holiday) leaves nothing
            "create table marts.dim_dates as select date '2025-03-03' as date_day, date '2025-03-03' as "
            "week_start_date, date '2025-03-01' as month_start_date, null::varchar as promotion_key, "
            "null::varchar as promotion_name, false as is_promotion_day, false as is_promotion_peak_day, "
            "null::varchar as holiday_name, false as is_holiday"
        )
    target = tmp_path / "report.duckdb"
    counts = export_report_database(warehouse, target)
    assert counts["sales_by_product"] == 0, "a placeholder row is not a row of data"
    with duckdb.connect(str(target), read_only=True) as con:
        placeholder = con.execute("select * from sales_by_product").fetchall()
        types = con.execute(
            "select list(data_type order by column_index) from duckdb_columns() where table_name = 'sales_by_product'"
        ).fetchone()[0]  # type: ignore[index]
        flags = con.execute("select list(is_placeholder) from inventory_health").fetchone()[0]  # type: ignore[index]
        promotion_days = con.execute("select count(*), bool_and(is_placeholder) from promotion_days").fetchone()
    assert placeholder == [("", 0, 0, 0.0, True)]
    assert types == ["VARCHAR", "BIGINT", "DECIMAL(18,2)", "DOUBLE", "BOOLEAN"]
    assert flags == [False], "a table with data has no placeholder row"
    assert promotion_days == (1, True), "a table emptied by its whitelist filter gets its placeholder too"


def _source_columns(sql: str) -> tuple[list[str], str]:
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    select, rest = body.split("\nfrom ", 1)
    return [c.strip() for c in select.removeprefix("select").split(",")], rest.split()[0]


@pytest.mark.parametrize("source", sorted(p.name for p in SOURCES_DIR.glob("*.sql")))
def test_each_report_source_is_a_plain_select_of_its_table(source: str) -> None:
    """The export writes the placeholder rows, so a source only names its table's columns (as the export writes
    them: tests/report/report_fixture.py derives them from the metric units and the marts' contracts)."""
    table = source.removesuffix(".sql")
    sql = (SOURCES_DIR / source).read_text(encoding="utf-8")
    columns, relation = _source_columns(sql)
    assert relation == f"main.{table}"
    assert " union " not in sql.lower() and "cast(" not in sql.lower(), "placeholder rows are the export's job"
    assert ("is_placeholder" in columns) == (table not in ALWAYS_FILLED)
    if table not in ALWAYS_FILLED:
        assert sorted(columns) == sorted(c.split()[0] for c in EMPTY_TABLES[table])
