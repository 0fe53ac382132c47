"""The report's fixture database: the overview's tables (docs/metric-tables.md) filled with known values, and
every other table the report reads present but empty (only the placeholder row the export writes for an empty
table) — a shop whose landing folder holds only Tmall order reports (no item report, no ERP data, no quality
history), for which every page must show an empty state, not an error.

Written with the venv's Python `duckdb` (1.4.x), whose file format the report's node-api DuckDB (1.4.x) reads.
`write_report_database(path)` returns the values a correct report must show.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import yaml

from orchestration.metrics.contract import contract_tables
from orchestration.metrics.units import metric_type, metric_units
from orchestration.reports.export import (
    ALWAYS_FILLED,
    MARTS_SCHEMA,
    PLACEHOLDER_COLUMN,
    REPORT_TABLES,
    write_placeholder_rows,
)
from orchestration.settings import PROJECT_ROOT

SHOPS = ("猫小铺官方旗舰店", "猫小铺母婴专营店")
FIRST_DAY = dt.date(2025, 1, 1)
DATA_AS_OF = dt.date(2025, 3, 31)
GENERATED_AT = dt.datetime(2025, 4, 1, 2, 0, 0)
RUN_ID = "fixture-run-0001"

METRICS = ("orders", "paid_orders", "gmv", "paid_gmv", "refund_amount", "refunded_orders", "net_sales")
AMOUNT_METRICS = frozenset(m for m in METRICS if metric_units()[m] == "money")
METRIC_TYPES = {m: metric_type(m) for m in METRICS}  # from each metric's unit (models/metrics/*.yml)

PERIODS = (  # period_key, period_label, period_order, days
    ("last_30d", "近30天", 1, 30),
    ("last_7d", "近7天", 2, 7),
    ("last_1d", "昨日", 3, 1),
)

METRIC_DEFINITIONS = (
    ("orders", "订单数", "下单的订单数（含未支付）。", "simple"),
    ("paid_orders", "支付订单数", "已支付的订单数。", "simple"),
    ("gmv", "下单金额", "下单金额合计（含未支付）。", "simple"),
    ("paid_gmv", "支付金额", "已支付订单的支付金额合计。", "simple"),
    ("refund_amount", "退款金额", "退款成功的金额合计。", "simple"),
    ("refunded_orders", "退款订单数", "发生退款成功的订单数。", "simple"),
    ("net_sales", "净销售额", "支付金额减退款金额。", "derived"),
)

COMPARISON_METRICS = (  # kpi_period_comparisons: metric, Chinese label, in page order
    ("net_sales", "净销售额"),
    ("paid_gmv", "支付金额"),
    ("orders", "订单数"),
    ("paid_orders", "支付订单数"),
    ("average_order_value", "客单价"),
    ("refund_rate", "退款率"),
    ("gross_margin", "毛利"),
    ("gross_margin_rate", "毛利率"),
)

def _mart_column_types() -> dict[str, dict[str, str]]:
    """Model -> column -> data_type, from the marts' enforced contracts (models/marts/**/*.yml)."""
    types: dict[str, dict[str, str]] = {}
    for path in sorted((PROJECT_ROOT / "models" / "marts").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            types[model["name"]] = {
                c["name"]: re.sub(r"\s+", "", str(c["data_type"])).lower()
                for c in model.get("columns") or []
                if c.get("data_type")
            }
    return types


# the report tables' sources that are not dbt marts: written by Python (quality results, ingest log), not declared in
# YAML; the whitelisted columns each ReportTable reads from them (before its aggregate, if any)
PYTHON_SOURCE_TYPES = {
    "quality.check_results": {
        "run_id": "varchar",
        "checked_at": "timestamp",
        "check_name": "varchar",
        "asset_key": "varchar",
        "suite": "varchar",
        "expectation": "varchar",
        "column_name": "varchar",
        "severity": "varchar",
        "success": "boolean",
        "element_count": "bigint",
        "unexpected_count": "bigint",
    },
    "raw.ingest_log": {
        "dataset": "varchar",
        "source_file": "varchar",
        "rows_in": "bigint",
        "rows_loaded": "bigint",
        "rows_quarantined": "bigint",
        "status": "varchar",
        "loaded_at": "timestamp",
    },
}


def _aggregate_columns(query: str, source: tuple[str, ...]) -> tuple[str, ...]:
    """The columns and types a ReportTable's aggregate gives, found by running it over an empty `source` of the
    whitelisted columns' types (as the export runs it over the real ones)."""
    with duckdb.connect() as con:
        con.execute(f"create table source ({', '.join(source)})")
        described = con.execute(f"describe select * from ({query})").fetchall()
    return tuple(f"{name} {kind.lower()}" for name, kind, *_ in described)


def _empty_tables() -> dict[str, tuple[str, ...]]:
    """Every report table but the overview's, as `column type` strings, from the declarations the real export
    follows: the saved queries' tables from the metric tables' contract (metric units, orchestration/metrics/
    contract.py), the marts' whitelisted columns (REPORT_TABLES) with the marts' contract types, and
    `is_placeholder` where the export adds it."""
    tables: dict[str, tuple[str, ...]] = {}
    for table, (_, columns) in contract_tables().items():
        if table not in ALWAYS_FILLED:
            tables[table] = tuple(f"{c.name} {c.data_type}" for c in columns)
    marts = _mart_column_types()
    for spec in REPORT_TABLES:
        schema, relation = spec.relation.split(".")
        types = marts[relation] if schema == MARTS_SCHEMA else PYTHON_SOURCE_TYPES[spec.relation]
        names = [column.split(" as ")[-1].strip() for column in spec.columns]
        source = tuple(f"{name} {types[name]}" for name in names)
        tables[spec.name] = _aggregate_columns(spec.query, source) if spec.query else source
    return {table: (*columns, f"{PLACEHOLDER_COLUMN} boolean") for table, columns in sorted(tables.items())}


EMPTY_TABLES = _empty_tables()
"""Every other table of the report file, with the columns and types the real export writes (column order aside:
a saved query's columns come in MetricFlow's order). tests/e2e/test_report.py checks them against the report file
a real pipeline run writes."""

Metrics = dict[str, int | Decimal]


@dataclass(frozen=True)
class ReportFixture:
    """The fixture database and the values a correct report must show."""

    database: Path
    data_as_of: dt.date
    daily: dict[dt.date, Metrics]
    periods: dict[str, dict[str, object]]
    shops_last_30d: dict[str, Metrics]
    comparisons: dict[tuple[str, str], tuple[Decimal | None, Decimal | None, Decimal | None]]
    """(period_key, metric) -> (value, previous period's value, last year's value); None where there is none."""


def shop_day_metrics(day_index: int, shop_index: int) -> Metrics:
    """Deterministic, varied daily metrics for one shop (amounts exact to the fen)."""
    i, s = day_index, shop_index
    orders = 140 + (i * 7 + s * 13) % 41 + 60 * s + i // 7
    paid_orders = orders - 3 - (i + s) % 6
    unit_price = Decimal("186.40") + Decimal("41.15") * s
    refunded_orders = 1 + (i * 5 + s) % 4
    refund_amount = refunded_orders * Decimal("152.35")
    paid_gmv = paid_orders * unit_price
    return {
        "orders": orders,
        "paid_orders": paid_orders,
        "gmv": orders * unit_price,
        "paid_gmv": paid_gmv,
        "refund_amount": refund_amount,
        "refunded_orders": refunded_orders,
        "net_sales": paid_gmv - refund_amount,
    }


def sum_metrics(rows: list[Metrics]) -> Metrics:
    return {m: sum((r[m] for r in rows), Decimal(0) if m in AMOUNT_METRICS else 0) for m in METRICS}


def build_fixture_values() -> tuple[dict[tuple[dt.date, str], Metrics], dict[dt.date, Metrics]]:
    days = [FIRST_DAY + dt.timedelta(days=n) for n in range((DATA_AS_OF - FIRST_DAY).days + 1)]
    by_shop = {(day, shop): shop_day_metrics(i, s) for i, day in enumerate(days) for s, shop in enumerate(SHOPS)}
    daily = {day: sum_metrics([by_shop[(day, shop)] for shop in SHOPS]) for day in days}
    return by_shop, daily


def period_rows(daily: dict[dt.date, Metrics]) -> dict[str, dict[str, object]]:
    periods: dict[str, dict[str, object]] = {}
    for key, label, order, length in PERIODS:
        end = DATA_AS_OF
        start = end - dt.timedelta(days=length - 1)
        prev_end = start - dt.timedelta(days=1)
        prev_start = prev_end - dt.timedelta(days=length - 1)
        current = sum_metrics([v for d, v in daily.items() if start <= d <= end])
        previous = sum_metrics([v for d, v in daily.items() if prev_start <= d <= prev_end])
        periods[key] = {
            "period_key": key,
            "period_label": label,
            "period_order": order,
            "start_date": start,
            "end_date": end,
            **current,
            **{f"prev_{m}": v for m, v in previous.items()},
        }
    return periods


def comparison_value(metric: str, values: dict[str, object]) -> Decimal | None:
    """What MetricFlow answers for the metric over a range with these sums: ratios from their parts, no margin
    (the fixture shop has no ERP costs)."""
    if metric == "average_order_value":
        return Decimal(values["paid_gmv"]) / Decimal(values["paid_orders"])  # type: ignore[arg-type]
    if metric == "refund_rate":
        return Decimal(values["refunded_orders"]) / Decimal(values["paid_orders"])  # type: ignore[arg-type]
    if metric in ("gross_margin", "gross_margin_rate"):
        return None
    return Decimal(values[metric])  # type: ignore[arg-type]


def comparison_rows(
    periods: dict[str, dict[str, object]],
) -> dict[tuple[str, str], tuple[Decimal | None, Decimal | None, Decimal | None]]:
    rows = {}
    for key, period in periods.items():
        previous = {m: period[f"prev_{m}"] for m in METRICS}
        for metric, _ in COMPARISON_METRICS:
            # the fixture's data starts in 2025: last year's same days are not covered, so they stay empty
            rows[(key, metric)] = (comparison_value(metric, period), comparison_value(metric, previous), None)
    return rows


def write_report_database(path: Path) -> ReportFixture:
    """Write the overview's tables with known values, and every other report table empty, to `path` (replacing it)."""
    by_shop, daily = build_fixture_values()
    periods = period_rows(daily)
    comparisons = comparison_rows(periods)
    metric_columns = ", ".join(f"{m} {METRIC_TYPES[m]}" for m in METRICS)
    prev_columns = ", ".join(f"prev_{m} {METRIC_TYPES[m]}" for m in METRICS)
    placeholders = ", ".join("?" for _ in METRICS)

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table main.daily_kpis (metric_date date, {metric_columns})")
        con.executemany(
            f"insert into main.daily_kpis values (?, {placeholders})",
            [[day, *(v[m] for m in METRICS)] for day, v in sorted(daily.items())],
        )
        con.execute(f"create table main.daily_kpis_by_shop (metric_date date, shop_name varchar, {metric_columns})")
        con.executemany(
            f"insert into main.daily_kpis_by_shop values (?, ?, {placeholders})",
            [[day, shop, *(v[m] for m in METRICS)] for (day, shop), v in sorted(by_shop.items())],
        )
        con.execute(
            "create table main.kpi_periods (period_key varchar, period_label varchar, period_order integer, "
            f"start_date date, end_date date, {metric_columns}, {prev_columns})"
        )
        columns = ["period_key", "period_label", "period_order", "start_date", "end_date"]
        columns += [*METRICS, *(f"prev_{m}" for m in METRICS)]
        con.executemany(
            f"insert into main.kpi_periods values ({', '.join('?' for _ in columns)})",
            [[row[c] for c in columns] for row in periods.values()],
        )
        con.execute(
            "create table main.metric_definitions "
            "(metric_name varchar, label varchar, description varchar, metric_type varchar)"
        )
        con.executemany("insert into main.metric_definitions values (?, ?, ?, ?)", list(METRIC_DEFINITIONS))
        con.execute("create table main.report_meta (data_as_of date, generated_at timestamp, run_id varchar)")
        con.execute("insert into main.report_meta values (?, ?, ?)", [DATA_AS_OF, GENERATED_AT, RUN_ID])
        con.execute(
            "create table main.kpi_period_comparisons (period_key varchar, period_label varchar, "
            "period_order integer, start_date date, end_date date, previous_start_date date, previous_end_date date, "
            "last_year_start_date date, last_year_end_date date, metric_name varchar, metric_label varchar, "
            "metric_order integer, value double, previous_value double, last_year_value double)"
        )
        for key, label, order, length in PERIODS:
            start = periods[key]["start_date"]
            previous_end = start - dt.timedelta(days=1)  # type: ignore[operator]
            for metric_order, (metric, metric_label) in enumerate(COMPARISON_METRICS, start=1):
                value, previous, last_year = comparisons[(key, metric)]
                con.execute(
                    "insert into main.kpi_period_comparisons values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        key,
                        label,
                        order,
                        start,
                        DATA_AS_OF,
                        previous_end - dt.timedelta(days=length - 1),
                        previous_end,
                        start.replace(year=start.year - 1),
                        DATA_AS_OF.replace(year=DATA_AS_OF.year - 1),  # type: ignore[attr-defined]
                        metric,
                        metric_label,
                        metric_order,
                        None if value is None else float(value),
                        None if previous is None else float(previous),
                        None if last_year is None else float(last_year),
                    ],
                )
        for table, columns in EMPTY_TABLES.items():
            con.execute(f"create table main.{table} ({', '.join(columns)})")
        write_placeholder_rows(con, list(EMPTY_TABLES))  # as the export does for an empty table

    start_30d = periods["last_30d"]["start_date"]
    shops_last_30d = {
        shop: sum_metrics([v for (d, s), v in by_shop.items() if s == shop and start_30d <= d <= DATA_AS_OF])
        for shop in SHOPS
    }
    return ReportFixture(
        database=path,
        data_as_of=DATA_AS_OF,
        daily=daily,
        periods=periods,
        shops_last_30d=shops_last_30d,
        comparisons=comparisons,
    )
