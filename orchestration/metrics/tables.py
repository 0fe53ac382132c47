"""Writing the metric tables the reports read (schema `metrics`; contract in docs/metric-tables.md).

Every number comes from MetricFlow's SQL for the metric; this module only arranges the answers (fills days without
orders with zero, lays periods side by side). Each metric column is typed by the metric's unit, declared in the
semantic YAML (orchestration/metrics/units.py: money decimal(18,2), count bigint, rates, hours and averages double).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import duckdb

from orchestration.metrics.metricflow import SemanticLayer
from orchestration.metrics.units import metric_type

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
    """A KPI column: a day or period without data is zero (the KPI tables cover every day of the range)."""
    return f"cast(coalesce({expression}, 0) as {metric_type(metric)})"


def _metric_columns(prefix: str = "") -> str:
    return ", ".join(f'{_typed(m, f"q.{m}")} as "{prefix}{m}"' for m in KPI_METRICS)


def _saved_query_column(column: str, metrics: tuple[str, ...]) -> str:
    """A typed, renamed select item for one output column of a saved query's SQL."""
    if column in metrics:
        # typed by the metric's unit (orchestration/metrics/units.py); no coalesce: MetricFlow's null (no data
        # behind the metric) stays empty, never a made-up zero
        return f'cast(q."{column}" as {metric_type(column)}) as "{column}"'
    if column in TIME_COLUMNS:
        return f'cast(q."{column}" as date) as "{TIME_COLUMNS[column]}"'
    # a dimension: `<entity>__<dimension>` -> `<dimension>`
    return f'q."{column}" as "{column.split("__")[-1]}"'


def write_saved_query_tables(con: duckdb.DuckDBPyConnection, layer: SemanticLayer) -> list[str]:
    """One table in schema `metrics` per saved query, named after it, from MetricFlow's SQL for the saved query.

    Time columns are renamed (metric_time__day -> metric_date, __month -> metric_month), dimensions lose their
    entity prefix, each metric is typed by its unit (orchestration/metrics/units.py). Runs inside the caller's
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
    """The value as its metric table has it (money rounded to the fen), before the comparison table's double."""
    return f"cast({expression} as {metric_type(metric)})"


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
