"""Writing the metric tables the reports read (schema `metrics`; contract in docs/metric-tables.md).

Every number comes from MetricFlow's SQL for the metric; this module only arranges the answers (fills days without
orders with zero, lays periods side by side). Money stays decimal(18,2).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.declarations import PERSONAL_COLUMNS as RAW_PERSONAL_COLUMNS
from orchestration.metrics.metricflow import SemanticLayer

logger = logging.getLogger(__name__)

METRICS_SCHEMA = "metrics"
KPI_METRICS: tuple[str, ...] = (
    "orders",
    "paid_orders",
    "gmv",
    "paid_gmv",
    "refund_amount",
    "refunded_orders",
    "net_sales",
)
COUNT_METRICS = {"orders", "paid_orders", "refunded_orders"}
# metrics that are yuan amounts (decimal(18,2)) or counts (bigint) in the saved-query tables; every other metric
# there is a rate or an average (double)
MONEY_METRICS = {
    "gmv",
    "paid_gmv",
    "refund_amount",
    "net_sales",
    "cogs",
    "gross_margin",
    "costed_product_sales",
    "reconciliation_amount_at_stake",
}
SAVED_QUERY_COUNT_METRICS = COUNT_METRICS | {
    "units_sold",
    "identified_paid_orders",
    "paying_customers",
    "new_customers",
    "returning_customers",
    "shipped_orders",
    "reconciliation_items",
    "visitors",
    "page_views",
    "traffic_paying_buyers",
    "add_to_cart_buyers",
}
TIME_COLUMNS = {
    "metric_time__day": "metric_date",
    "metric_time__week": "metric_week",
    "metric_time__month": "metric_month",
}
SHOP_DIMENSION = "order__shop_name"
DAY = "metric_time__day"


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    order: int
    days: int


PERIODS: tuple[Period, ...] = (
    Period("last_1d", "昨日", 1, 1),
    Period("last_7d", "近7天", 2, 7),
    Period("last_30d", "近30天", 3, 30),
)


def _typed(metric: str, expression: str) -> str:
    if metric in COUNT_METRICS:
        return f"cast(coalesce({expression}, 0) as bigint)"
    return f"cast(coalesce({expression}, 0) as decimal(18, 2))"


def _metric_columns(prefix: str = "") -> str:
    return ", ".join(f'{_typed(m, f"q.{m}")} as "{prefix}{m}"' for m in KPI_METRICS)


def _saved_query_column(column: str, metrics: tuple[str, ...]) -> str:
    """A typed, renamed select item for one output column of a saved query's SQL."""
    if column in metrics:
        if column in MONEY_METRICS:
            return f'cast(q."{column}" as decimal(18, 2)) as "{column}"'
        if column in SAVED_QUERY_COUNT_METRICS:
            # no coalesce: MetricFlow's null (no data behind the metric) stays empty, never a made-up zero
            return f'cast(q."{column}" as bigint) as "{column}"'
        return f'cast(q."{column}" as double) as "{column}"'
    if column in TIME_COLUMNS:
        return f'cast(q."{column}" as date) as "{TIME_COLUMNS[column]}"'
    # a dimension: `<entity>__<dimension>` -> `<dimension>`
    return f'q."{column}" as "{column.split("__")[-1]}"'


def write_saved_query_tables(con: duckdb.DuckDBPyConnection, layer: SemanticLayer) -> list[str]:
    """One table in schema `metrics` per saved query, named after it, from MetricFlow's SQL for the saved query.

    Time columns are renamed (metric_time__day -> metric_date, __month -> metric_month), dimensions lose their
    entity prefix, money is decimal(18,2), counts bigint, rates and averages double. Runs inside the caller's
    transaction.
    """
    written = []
    for saved_query in layer.saved_queries():
        sql = layer.sql_for_saved_query(saved_query.name)
        columns = [row[0] for row in con.execute(f"describe ({sql})").fetchall()]
        select = ", ".join(_saved_query_column(column, saved_query.metrics) for column in columns)
        order = ", ".join(str(i + 1) for i, column in enumerate(columns) if column not in saved_query.metrics)
        con.execute(
            f"create or replace table {METRICS_SCHEMA}.{saved_query.name} as "
            f"select {select} from ({sql}) q" + (f" order by {order}" if order else "")
        )
        written.append(saved_query.name)
    return written


def data_as_of(con: duckdb.DuckDBPyConnection, layer: SemanticLayer) -> dt.date | None:
    """The last day that has orders, as MetricFlow dates the `orders` metric."""
    sql = layer.sql_for(["orders"], [DAY])
    row = con.execute(f"select max(cast({DAY} as date)) from ({sql}) q where orders > 0").fetchone()
    return row[0] if row else None


COMPARISON_METRICS: tuple[tuple[str, str], ...] = (
    ("net_sales", "净销售额"),
    ("paid_gmv", "支付金额"),
    ("orders", "订单数"),
    ("paid_orders", "支付订单数"),
    ("average_order_value", "客单价"),
    ("refund_rate", "退款率"),
    ("gross_margin", "毛利"),
    ("gross_margin_rate", "毛利率"),
)
"""The metrics the overview page compares per period (name, short Chinese label), in display order."""


def _one_year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _comparison_value(metric: str, expression: str) -> str:
    if metric in MONEY_METRICS:
        return f"cast({expression} as decimal(18, 2))"
    if metric in SAVED_QUERY_COUNT_METRICS:
        return f"cast({expression} as bigint)"
    return f"cast({expression} as double)"


def write_period_comparisons(con: duckdb.DuckDBPyConnection, layer: SemanticLayer, as_of: dt.date) -> None:
    """`kpi_period_comparisons`: per period (昨日, 近7天, 近30天) and metric, the value, the previous period of
    equal length and the same days one year earlier, each asked from MetricFlow for exactly that date range.

    A comparison range that starts before the first day with orders stays null (a partial period is not
    comparable); a metric without data in a covered range is null too (MetricFlow's answer, never a made-up zero).
    Runs inside the caller's transaction.
    """
    metrics = [name for name, _ in COMPARISON_METRICS]
    first_day = con.execute(f"select min(metric_date) from {METRICS_SCHEMA}.daily_kpis").fetchone()[0]  # type: ignore[index]
    selects = []
    for period in PERIODS:
        start = as_of - dt.timedelta(days=period.days - 1)
        previous_end = start - dt.timedelta(days=1)
        previous_start = previous_end - dt.timedelta(days=period.days - 1)
        ranges = {
            "q": (start, as_of),
            "p": (previous_start, previous_end),
            "y": (_one_year_earlier(start), _one_year_earlier(as_of)),
        }
        answers = {
            alias: (
                f"({layer.sql_for(metrics, [], start=low, end=high)})"
                if first_day is not None and low >= first_day
                else "(select " + ", ".join(f"null as {m}" for m in metrics) + ")"
            )
            for alias, (low, high) in ranges.items()
        }
        for order, (metric, label) in enumerate(COMPARISON_METRICS, start=1):
            selects.append(
                f"""select '{period.key}' as period_key, '{period.label}' as period_label,
                       {period.order} as period_order, date '{start}' as start_date, date '{as_of}' as end_date,
                       date '{previous_start}' as previous_start_date, date '{previous_end}' as previous_end_date,
                       date '{ranges["y"][0]}' as last_year_start_date, date '{ranges["y"][1]}' as last_year_end_date,
                       '{metric}' as metric_name, '{label}' as metric_label, {order} as metric_order,
                       cast({_comparison_value(metric, f"q.{metric}")} as double) as value,
                       cast({_comparison_value(metric, f"p.{metric}")} as double) as previous_value,
                       cast({_comparison_value(metric, f"y.{metric}")} as double) as last_year_value
                from {answers["q"]} q cross join {answers["p"]} p cross join {answers["y"]} y"""
            )
    con.execute(
        f"create or replace table {METRICS_SCHEMA}.kpi_period_comparisons as "
        + " union all ".join(selects)
        + " order by period_order, metric_order"
    )


def write_metric_tables(con: duckdb.DuckDBPyConnection, layer: SemanticLayer, run_id: str) -> dict[str, int]:
    """(Re)write every metric table in one transaction; returns rows per table."""
    metrics = list(KPI_METRICS)
    daily_sql = layer.sql_for(metrics, [DAY])
    by_shop_sql = layer.sql_for(metrics, [DAY, SHOP_DIMENSION])
    as_of = data_as_of(con, layer)

    con.begin()
    try:
        con.execute(f"create schema if not exists {METRICS_SCHEMA}")
        con.execute(
            f"""create or replace table {METRICS_SCHEMA}.daily_kpis as
            with answers as ({daily_sql}),
            bounds as (select min(cast({DAY} as date)) as first_day, max(cast({DAY} as date)) as last_day
                       from answers),
            days as (select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as metric_date
                     from bounds where first_day is not null)
            select days.metric_date, {_metric_columns()}
            from days left join answers q on cast(q.{DAY} as date) = days.metric_date
            order by days.metric_date"""
        )
        con.execute(
            f"""create or replace table {METRICS_SCHEMA}.daily_kpis_by_shop as
            select cast(q.{DAY} as date) as metric_date, cast(q.{SHOP_DIMENSION} as varchar) as shop_name,
                   {_metric_columns()}
            from ({by_shop_sql}) q
            order by 1, 2"""
        )
        period_selects = []
        for period in PERIODS:
            if as_of is None:
                break
            start = as_of - dt.timedelta(days=period.days - 1)
            previous_end = start - dt.timedelta(days=1)
            previous_start = previous_end - dt.timedelta(days=period.days - 1)
            current = layer.sql_for(metrics, [], start=start, end=as_of)
            previous = layer.sql_for(metrics, [], start=previous_start, end=previous_end)
            period_selects.append(
                f"""select '{period.key}' as period_key, '{period.label}' as period_label,
                       {period.order} as period_order, date '{start}' as start_date, date '{as_of}' as end_date,
                       {_metric_columns()},
                       {", ".join(f'{_typed(m, f"p.{m}")} as "prev_{m}"' for m in KPI_METRICS)}
                from ({current}) q cross join ({previous}) p"""
            )
        if period_selects:
            con.execute(
                f"create or replace table {METRICS_SCHEMA}.kpi_periods as "
                + " union all ".join(period_selects)
                + " order by period_order"
            )
        definitions = layer.metrics()
        con.execute(
            f"""create or replace table {METRICS_SCHEMA}.metric_definitions (
                metric_name varchar primary key, label varchar, description varchar, metric_type varchar)"""
        )
        con.executemany(
            f"insert into {METRICS_SCHEMA}.metric_definitions values (?, ?, ?, ?)",
            [(m.name, m.label, m.description, m.metric_type) for m in definitions],
        )
        con.execute(
            f"""create or replace table {METRICS_SCHEMA}.report_meta as
            select cast(? as date) as data_as_of, cast(now() as timestamp) as generated_at,
                   cast(? as varchar) as run_id""",
            [as_of, run_id],
        )
        if as_of is not None:
            write_period_comparisons(con, layer, as_of)
        saved_query_tables = write_saved_query_tables(con, layer)
        counts = {
            table: con.execute(f"select count(*) from {METRICS_SCHEMA}.{table}").fetchone()[0]  # type: ignore[index]
            for table in (
                "daily_kpis",
                "daily_kpis_by_shop",
                "kpi_periods",
                "kpi_period_comparisons",
                "metric_definitions",
                "report_meta",
                *saved_query_tables,
            )
            if con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [METRICS_SCHEMA, table],
            ).fetchone()[0]  # type: ignore[index]
        }
        con.commit()
    except BaseException:
        con.rollback()
        raise
    logger.info("metric tables written: %s", counts)
    return counts


@dataclass(frozen=True)
class ReportTable:
    """One table the report reads besides the metric tables: an explicit column list from a warehouse relation."""

    name: str
    relation: str
    columns: tuple[str, ...]
    where: str = ""
    order_by: str = ""


MARTS_SCHEMA = "marts"
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
        "order_fulfilment",
        f"{MARTS_SCHEMA}.fct_order_fulfilment",
        (
            "order_id",
            "shop_name",
            "paid_date",
            "warehouse_name",
            "is_shipped",
            "pay_to_ship_hours",
            "is_shipped_within_48h",
        ),
        where="is_shipped",
        order_by="paid_date, order_id",
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
        # the order list behind each category but `matched` (the orders that agree need no list)
        where="reconciliation_category <> 'matched'",
        order_by="reconciliation_category, amount_at_stake desc, reconciliation_item_id",
    ),
    # quality results without their example rows (those are raw data), times in China local
    ReportTable(
        "quality_check_results",
        "quality.check_results",
        (
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
        ),
        order_by="checked_at, check_name, expectation",
    ),
    # what was loaded from which file: file names and counts, never row contents
    ReportTable(
        "ingest_files",
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
        order_by="loaded_at, source_file",
    ),
)
"""The report's whitelist beyond schema `metrics` (contract: docs/metric-tables.md): explicit columns only, so a
column added to a mart never reaches the report unreviewed. A relation missing from the warehouse is left out with
a warning (the report's `sources` step then names the table it lacks)."""

PERSONAL_COLUMNS = RAW_PERSONAL_COLUMNS | {"examples"}
"""Column names that must never reach the report file: the personal fields of the raw tables (declared with the
datasets, orchestration/ingest/declarations.py) and the quality results' example rows."""


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
    DuckDB file for the report (schema main).

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
            con.execute(f"create table main.{table} as select * from warehouse.{METRICS_SCHEMA}.{table}")
            counts[table] = con.execute(f"select count(*) from main.{table}").fetchone()[0]  # type: ignore[index]
        for spec in REPORT_TABLES:
            if not _relation_exists(con, spec.relation):
                logger.warning("report table %s: %s is not in the warehouse, left out", spec.name, spec.relation)
                continue
            con.execute(
                f"create table main.{spec.name} as select {', '.join(spec.columns)} from warehouse.{spec.relation}"
                + (f" where {spec.where}" if spec.where else "")
                + (f" order by {spec.order_by}" if spec.order_by else "")
            )
            counts[spec.name] = con.execute(f"select count(*) from main.{spec.name}").fetchone()[0]  # type: ignore[index]
        con.execute("detach warehouse")
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
