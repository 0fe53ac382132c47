"""The report database: what the Evidence report may read, exported from the warehouse into its own DuckDB file.

Every table of schema `metrics` (orchestration/metrics/tables.py writes them), plus the whitelisted columns of the
marts and quality results in `REPORT_TABLES` (contract: docs/metric-tables.md). The warehouse is attached read-only
and a column named like personal data refuses the whole file.

`evidence sources` writes no file for a source query that returns no rows, and a page reading such a table fails
the build. So every exported table but the always-filled metric tables (`ALWAYS_FILLED`) carries a boolean
`is_placeholder` (false on every row), and an empty one gets a single typed placeholder row (`is_placeholder =
true`, '' / 0 / false / 1970-01-01 in the table's own column types) that every page filters out
(reports/README.md). Each reports/sources/warehouse/*.sql is then a plain select of its table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.declarations import PERSONAL_COLUMNS as RAW_PERSONAL_COLUMNS
from orchestration.metrics.tables import METRICS_SCHEMA
from orchestration.reports.page_aggregates import (
    INGEST_FRESHNESS,
    PAY_TO_SHIP_HOUR_BINS,
    QUALITY_LATEST_RUN,
    QUALITY_RUN_HISTORY,
    RECONCILIATION_EXCEPTIONS,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportTable:
    """One table the report reads besides the metric tables: an explicit column list from a warehouse relation, or
    an aggregate of it (`query`) where the relation grows with orders, files or runs and the page draws less."""

    name: str
    relation: str
    columns: tuple[str, ...]
    where: str = ""
    order_by: str = ""
    query: str = ""
    """A select over `source` (the whitelisted `columns` of `relation`, filtered by `where`) whose result is the
    table instead: bins, a top-N list, sums per dataset or run (orchestration/reports/page_aggregates.py)."""


MARTS_SCHEMA = "marts"
QUALITY_RESULT_COLUMNS = (
    "run_id",
    "timezone('Asia/Shanghai', timezone('UTC', checked_at)) as checked_at",
    "check_name",
    "asset_key",
    "suite",
    "expectation",
    "column_name",
    "severity",
    "success",
    "element_count",
    "unexpected_count",
)
REPORT_TABLES: tuple[ReportTable, ...] = (
    # marts (docs/reports.md says which page reads which): display rows, never metrics
    ReportTable(
        "dim_products",
        f"{MARTS_SCHEMA}.dim_products",
        (
            "product_key",
            "sku_id",
            "merchant_sku_code",
            "product_name",
            "properties",
            "style_id",
            "category",
            "cost_price",
            "sale_price",
            "mapping_status",
            "tmall_item_title",
            "is_sold_on_tmall",
            "tmall_order_line_count",
        ),
        order_by="product_key",
    ),
    ReportTable(
        "promotion_days",
        f"{MARTS_SCHEMA}.dim_dates",
        (
            "date_day",
            "week_start_date",
            "month_start_date",
            "promotion_key",
            "promotion_name",
            "is_promotion_day",
            "is_promotion_peak_day",
            "holiday_name",
            "is_holiday",
        ),
        where="is_promotion_day or is_holiday",
        order_by="date_day",
    ),
    ReportTable(
        "daily_kpi_anomalies",
        f"{MARTS_SCHEMA}.daily_kpi_anomalies",
        (
            "kpi_anomaly_id",
            "metric_date",
            "kpi_name",
            "kpi_value",
            "baseline_value",
            "relative_deviation",
            "robust_z",
            "direction",
            "is_promotion_or_holiday",
            "is_expected_promotion_effect",
            "is_anomaly",
        ),
        where="is_anomaly",
        order_by="metric_date, kpi_name",
    ),
    ReportTable(
        "customer_cohort_retention",
        f"{MARTS_SCHEMA}.customer_cohort_retention",
        (
            "cohort_retention_id",
            "cohort_month",
            "months_since_first_order",
            "activity_month",
            "cohort_size",
            "active_customers",
            "retention_rate",
        ),
        order_by="cohort_month, months_since_first_order",
    ),
    ReportTable(
        "inventory_health",
        f"{MARTS_SCHEMA}.inventory_health",
        ("sku_id", "snapshot_date", "category", "warehouse_count", "on_hand_qty", "available_qty", "in_transit_qty",
         "units_sold_28d", "daily_velocity", "forecast_daily_units", "sku_class", "forecast_method", "days_of_cover",
         "stock_status", "lead_time_days", "lead_time_source", "safety_stock_qty", "reorder_point_qty",
         "order_up_to_qty", "suggested_reorder_qty"),
        order_by="sku_id",
    ),
    ReportTable(
        "replenishment_plan",
        f"{MARTS_SCHEMA}.replenishment_plan",
        ("replenishment_plan_id", "sku_id", "warehouse_name", "snapshot_date", "forecast_daily_units",
         "lead_time_days", "lead_time_sd_days", "review_days", "service_level", "safety_stock_qty",
         "reorder_point_qty", "order_up_to_qty", "available_qty", "in_transit_qty", "inventory_position_qty",
         "suggested_reorder_qty", "replenishment_explanation"),
        order_by="sku_id, warehouse_name",
    ),
    ReportTable(
        "forecast_backtest",
        f"{MARTS_SCHEMA}.forecast_backtest",
        ("forecast_backtest_id", "sku_class", "origin_date", "big_promotion", "is_before_big_promotion", "method",
         "is_baseline", "sku_count", "horizon_days", "actual_units", "forecast_units", "abs_error", "wape", "mase"),
        order_by="sku_class, origin_date, method",
    ),
    ReportTable(
        # the fulfilment page's histogram, binned here: the orders themselves would grow the report with orders
        "pay_to_ship_hour_bins",
        f"{MARTS_SCHEMA}.fct_order_fulfilment",
        ("pay_to_ship_hours",),
        where="is_shipped",
        query=PAY_TO_SHIP_HOUR_BINS,
        order_by="bin_index",
    ),
    ReportTable(
        "reconciliation_exceptions",
        f"{MARTS_SCHEMA}.fct_order_reconciliation",
        (
            "reconciliation_item_id",
            "item_source",
            "order_id",
            "erp_order_id",
            "erp_order_count",
            "shop_name",
            "reconciliation_date",
            "reconciliation_category",
            "tmall_amount",
            "group_tmall_amount",
            "group_erp_amount",
            "amount_at_stake",
        ),
        # the order list behind each category but `matched` (the orders that agree need no list), the largest
        # amounts at stake first and at most RECONCILIATION_LIST_LENGTH per category
        where="reconciliation_category <> 'matched'",
        query=RECONCILIATION_EXCEPTIONS,
        order_by="reconciliation_category, amount_at_stake desc, reconciliation_item_id",
    ),
    # quality results without their example rows (those are raw data), times in China local: the latest run's,
    # and one row per run
    ReportTable(
        "quality_check_results",
        "quality.check_results",
        QUALITY_RESULT_COLUMNS,
        query=QUALITY_LATEST_RUN,
        order_by="checked_at, check_name, expectation",
    ),
    ReportTable(
        "quality_run_history",
        "quality.check_results",
        QUALITY_RESULT_COLUMNS,
        query=QUALITY_RUN_HISTORY,
        order_by="checked_at, run_id",
    ),
    # what was loaded per dataset: file names and counts, never row contents
    ReportTable(
        "ingest_freshness",
        "raw.ingest_log",
        (
            "dataset",
            "source_file",
            "rows_in",
            "rows_loaded",
            "rows_quarantined",
            "status",
            "timezone('Asia/Shanghai', timezone('UTC', finished_at)) as loaded_at",
        ),
        query=INGEST_FRESHNESS,
        order_by="dataset",
    ),
)
"""The report's whitelist beyond schema `metrics` (contract: docs/metric-tables.md): explicit columns only, so a
column added to a mart never reaches the report unreviewed. A relation missing from the warehouse is left out with
a warning (the report's `sources` step then names the table it lacks)."""

PERSONAL_COLUMNS = RAW_PERSONAL_COLUMNS | {"examples"}
"""Column names that must never reach the report file: the personal fields of the raw tables (declared with the
datasets, orchestration/ingest/declarations.py) and the quality results' example rows."""


PLACEHOLDER_COLUMN = "is_placeholder"
ALWAYS_FILLED = frozenset(
    {"daily_kpis", "daily_kpis_by_shop", "kpi_periods", "kpi_period_comparisons", "metric_definitions", "report_meta"}
)
"""Metric tables that have rows whenever there are orders: no `is_placeholder` column, pages read them directly."""


def placeholder_value(data_type: str) -> str:
    """The placeholder row's value for a column of this DuckDB type, cast to exactly that type."""
    kind = data_type.lower()
    if kind in {"varchar", "text", "string"}:
        value = "''"
    elif kind == "boolean":
        value = "false"
    elif kind == "date" or kind.startswith("timestamp"):
        value = "'1970-01-01'"
    elif kind.startswith("decimal") or kind in {
        "tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger", "ubigint",
        "uhugeint", "float", "double",
    }:
        value = "0"
    else:  # a type pages do not use (list, struct, ...): an empty value of the column's type
        value = "null"
    return f"cast({value} as {data_type})"


def write_placeholder_rows(con: duckdb.DuckDBPyConnection, tables: list[str]) -> list[str]:
    """Give each empty table of `tables` (schema main, with an `is_placeholder` column) its one placeholder row;
    returns the tables that got one."""
    filled = []
    for table in tables:
        if con.execute(f"select count(*) from main.{table}").fetchone()[0]:  # type: ignore[index]
            continue
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'main' and table_name = ? order by column_index",
            [table],
        ).fetchall()
        values = ", ".join(
            "true" if name == PLACEHOLDER_COLUMN else placeholder_value(data_type) for name, data_type in columns
        )
        con.execute(f"insert into main.{table} values ({values})")
        filled.append(table)
    return filled


class PersonalDataInReportError(RuntimeError):
    """The report file would carry a column named like personal data."""


def _relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, table = relation.split(".")
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where database_name = 'warehouse' and schema_name = ? "
            "and table_name = ?",
            [schema, table],
        ).fetchone()[0]  # type: ignore[index]
    )


def export_report_database(warehouse_path: Path, target: Path) -> dict[str, int]:
    """Copy every table of schema `metrics`, and the whitelisted columns of `REPORT_TABLES`, into a new standalone
    DuckDB file for the report (schema main), with `is_placeholder` and a placeholder row for an empty table (all
    but `ALWAYS_FILLED`). Counts are the tables' real rows (a placeholder row is not counted).

    The warehouse is attached read-only: the report file can only ever hold what the metric tables and the
    whitelist hold. Raises PersonalDataInReportError if any column of the file is named like personal data.
    """
    for stale in (target, target.with_name(target.name + ".wal")):
        stale.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(target)) as con:
        escaped = str(warehouse_path).replace("'", "''")
        con.execute(f"attach '{escaped}' as warehouse (read_only)")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = ? "
                "order by 1",
                [METRICS_SCHEMA],
            ).fetchall()
        ]
        for table in tables:
            flag = "" if table in ALWAYS_FILLED else f", false as {PLACEHOLDER_COLUMN}"
            con.execute(f"create table main.{table} as select *{flag} from warehouse.{METRICS_SCHEMA}.{table}")
            counts[table] = con.execute(f"select count(*) from main.{table}").fetchone()[0]  # type: ignore[index]
        for spec in REPORT_TABLES:
            if not _relation_exists(con, spec.relation):
                logger.warning("report table %s: %s is not in the warehouse, left out", spec.name, spec.relation)
                continue
            select = f"select {', '.join(spec.columns)} from warehouse.{spec.relation}" + (
                f" where {spec.where}" if spec.where else ""
            )
            if spec.query:
                select = f"with source as ({select}) select * from ({spec.query})"
            con.execute(
                f"create table main.{spec.name} as select *, false as {PLACEHOLDER_COLUMN} from ({select}) as exported"
                + (f" order by {spec.order_by}" if spec.order_by else "")
            )
            counts[spec.name] = con.execute(f"select count(*) from main.{spec.name}").fetchone()[0]  # type: ignore[index]
        con.execute("detach warehouse")
        write_placeholder_rows(con, [table for table in counts if table not in ALWAYS_FILLED])
        personal = con.execute(
            "select table_name || '.' || column_name from duckdb_columns() where database_name = current_database() "
            f"and lower(column_name) in ({', '.join(repr(c) for c in sorted(PERSONAL_COLUMNS))}) order by 1"
        ).fetchall()
    if personal:
        target.unlink(missing_ok=True)
        raise PersonalDataInReportError(
            "the report database would carry personal data columns: " + ", ".join(row[0] for row in personal)
        )
    return counts
