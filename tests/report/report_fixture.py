"""The report's fixture database: the overview's tables (docs/metric-tables.md) filled with known values, and
every other table the report reads present but empty — a shop whose landing folder holds only Tmall order reports
(no item report, no ERP data, no quality history), for which every page must show an empty state, not an error.

Written with the venv's Python `duckdb` (1.4.x), whose file format the report's node-api DuckDB (1.4.x) reads.
`write_report_database(path)` returns the values a correct report must show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

SHOPS = ("猫小铺官方旗舰店", "猫小铺母婴专营店")
FIRST_DAY = dt.date(2025, 1, 1)
DATA_AS_OF = dt.date(2025, 3, 31)
GENERATED_AT = dt.datetime(2025, 4, 1, 2, 0, 0)
RUN_ID = "fixture-run-0001"

METRICS = ("orders", "paid_orders", "gmv", "paid_gmv", "refund_amount", "refunded_orders", "net_sales")
AMOUNT_METRICS = frozenset({"gmv", "paid_gmv", "refund_amount", "net_sales"})
METRIC_TYPES = {m: "decimal(18,2)" if m in AMOUNT_METRICS else "bigint" for m in METRICS}

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

EMPTY_TABLES = {  # every other table of the report file, with the columns and types the real export writes
    "customer_cohort_retention": (
        "cohort_retention_id varchar",
        "cohort_month date",
        "months_since_first_order integer",
        "activity_month date",
        "cohort_size bigint",
        "active_customers bigint",
        "retention_rate decimal(9,4)",
    ),
    "daily_commerce_kpis": (
        "metric_date date",
        "units_sold bigint",
        "cogs decimal(18,2)",
        "gross_margin decimal(18,2)",
        "paying_customers bigint",
        "new_customers bigint",
        "returning_customers bigint",
        "average_order_value double",
        "refund_rate double",
        "repeat_purchase_rate double",
        "gross_margin_rate double",
    ),
    "daily_fulfilment": (
        "metric_date date",
        "shipped_orders bigint",
        "ship_within_48h_rate double",
        "avg_pay_to_ship_hours double",
    ),
    "daily_fulfilment_by_warehouse": (
        "metric_date date",
        "warehouse_name varchar",
        "shipped_orders bigint",
        "ship_within_48h_rate double",
    ),
    "daily_kpi_anomalies": (
        "kpi_anomaly_id varchar",
        "metric_date date",
        "kpi_name varchar",
        "kpi_value double",
        "baseline_value double",
        "relative_deviation double",
        "robust_z double",
        "direction varchar",
        "is_promotion_or_holiday boolean",
        "is_expected_promotion_effect boolean",
        "is_anomaly boolean",
    ),
    "daily_stockout": (
        "metric_date date",
        "stockout_sku_rate double",
    ),
    "dim_products": (
        "product_key varchar",
        "sku_id varchar",
        "merchant_sku_code varchar",
        "product_name varchar",
        "properties varchar",
        "style_id varchar",
        "category varchar",
        "cost_price decimal(18,2)",
        "sale_price decimal(18,2)",
        "mapping_status varchar",
        "tmall_item_title varchar",
        "is_sold_on_tmall boolean",
        "tmall_order_line_count bigint",
    ),
    "fulfilment_by_warehouse": (
        "warehouse_name varchar",
        "shipped_orders bigint",
        "ship_within_48h_rate double",
        "avg_pay_to_ship_hours double",
    ),
    "fulfilment_summary": (
        "shipped_orders bigint",
        "ship_within_48h_rate double",
        "avg_pay_to_ship_hours double",
    ),
    "ingest_freshness": (
        "dataset varchar",
        "files_loaded bigint",
        "files_skipped bigint",
        "rows_loaded bigint",
        "rows_quarantined bigint",
        "last_loaded_at timestamp",
        "last_file varchar",
    ),
    "inventory_health": (
        "sku_id varchar",
        "snapshot_date date",
        "category varchar",
        "warehouse_count bigint",
        "on_hand_qty bigint",
        "available_qty bigint",
        "in_transit_qty bigint",
        "units_sold_28d bigint",
        "daily_velocity decimal(18,4)",
        "forecast_daily_units decimal(18,2)",
        "sku_class varchar",
        "forecast_method varchar",
        "days_of_cover decimal(18,1)",
        "stock_status varchar",
        "lead_time_days integer",
        "lead_time_source varchar",
        "safety_stock_qty integer",
        "reorder_point_qty integer",
        "order_up_to_qty integer",
        "suggested_reorder_qty integer",
    ),
    "replenishment_plan": (
        "replenishment_plan_id varchar",
        "sku_id varchar",
        "warehouse_name varchar",
        "snapshot_date date",
        "forecast_daily_units decimal(18,2)",
        "lead_time_days decimal(18,1)",
        "lead_time_sd_days decimal(18,1)",
        "review_days integer",
        "service_level decimal(5,3)",
        "safety_stock_qty integer",
        "reorder_point_qty integer",
        "order_up_to_qty integer",
        "available_qty bigint",
        "in_transit_qty bigint",
        "inventory_position_qty bigint",
        "suggested_reorder_qty integer",
        "replenishment_explanation varchar",
    ),
    "forecast_backtest": (
        "forecast_backtest_id varchar",
        "sku_class varchar",
        "origin_date date",
        "big_promotion varchar",
        "is_before_big_promotion boolean",
        "method varchar",
        "is_baseline boolean",
        "sku_count bigint",
        "horizon_days integer",
        "actual_units decimal(18,2)",
        "forecast_units decimal(18,2)",
        "abs_error decimal(18,2)",
        "wape decimal(18,4)",
        "mase decimal(18,4)",
    ),
    "monthly_customer_kpis": (
        "metric_month date",
        "paying_customers bigint",
        "new_customers bigint",
        "returning_customers bigint",
        "average_order_value double",
        "repeat_purchase_rate double",
    ),
    "monthly_fulfilment_by_warehouse": (
        "metric_month date",
        "warehouse_name varchar",
        "shipped_orders bigint",
        "ship_within_48h_rate double",
        "avg_pay_to_ship_hours double",
    ),
    "monthly_reconciliation_by_category": (
        "metric_month date",
        "reconciliation_category varchar",
        "reconciliation_items bigint",
        "reconciliation_amount_at_stake decimal(18,2)",
    ),
    "monthly_reconciliation_match_rate": (
        "metric_month date",
        "reconciliation_match_rate double",
        "reconciliation_items bigint",
        "reconciliation_amount_at_stake decimal(18,2)",
    ),
    "monthly_sales": (
        "metric_month date",
        "paid_gmv decimal(18,2)",
        "net_sales decimal(18,2)",
        "paid_orders bigint",
        "average_order_value double",
        "refund_rate double",
        "gross_margin decimal(18,2)",
        "gross_margin_rate double",
    ),
    "monthly_sales_by_category": (
        "metric_month date",
        "category varchar",
        "units_sold bigint",
        "costed_product_sales decimal(18,2)",
        "cogs decimal(18,2)",
        "gross_margin decimal(18,2)",
        "gross_margin_rate double",
    ),
    "monthly_sales_by_product": (
        "metric_month date",
        "product varchar",
        "units_sold bigint",
        "costed_product_sales decimal(18,2)",
        "gross_margin decimal(18,2)",
    ),
    "monthly_sales_by_province": (
        "metric_month date",
        "receiver_province varchar",
        "paid_gmv decimal(18,2)",
        "net_sales decimal(18,2)",
        "paid_orders bigint",
        "paying_customers bigint",
        "average_order_value double",
    ),
    "monthly_sales_by_rfm_segment": (
        "metric_month date",
        "rfm_segment varchar",
        "paid_orders bigint",
        "net_sales decimal(18,2)",
        "paying_customers bigint",
    ),
    "monthly_sales_by_shop": (
        "metric_month date",
        "shop_name varchar",
        "paid_gmv decimal(18,2)",
        "net_sales decimal(18,2)",
        "paid_orders bigint",
        "average_order_value double",
        "refund_rate double",
    ),
    "pay_to_ship_hour_bins": (
        "bin_index bigint",
        "bin_start double",
        "bin_end double",
        "bin_decimals integer",
        "value_median double",
        "value_max_decimals integer",
        "orders bigint",
    ),
    "promotion_days": (
        "date_day date",
        "week_start_date date",
        "month_start_date date",
        "promotion_key varchar",
        "promotion_name varchar",
        "is_promotion_day boolean",
        "is_promotion_peak_day boolean",
        "holiday_name varchar",
        "is_holiday boolean",
    ),
    "quality_check_results": (
        "run_id varchar",
        "checked_at timestamp",
        "check_name varchar",
        "asset_key varchar",
        "suite varchar",
        "expectation varchar",
        "column_name varchar",
        "severity varchar",
        "success boolean",
        "element_count bigint",
        "unexpected_count bigint",
        "is_blocking boolean",
    ),
    "quality_run_history": (
        "run_id varchar",
        "checked_at timestamp",
        "checks bigint",
        "failed bigint",
        "warned bigint",
    ),
    "reconciliation_by_category": (
        "reconciliation_category varchar",
        "reconciliation_items bigint",
        "reconciliation_amount_at_stake decimal(18,2)",
    ),
    "reconciliation_exceptions": (
        "reconciliation_item_id varchar",
        "item_source varchar",
        "order_id varchar",
        "erp_order_id varchar",
        "erp_order_count bigint",
        "shop_name varchar",
        "reconciliation_date date",
        "reconciliation_category varchar",
        "tmall_amount decimal(18,2)",
        "group_tmall_amount decimal(18,2)",
        "group_erp_amount decimal(18,2)",
        "amount_at_stake decimal(18,2)",
    ),
    "sales_by_category": (
        "category varchar",
        "units_sold bigint",
        "costed_product_sales decimal(18,2)",
        "cogs decimal(18,2)",
        "gross_margin decimal(18,2)",
        "gross_margin_rate double",
    ),
    "sales_by_product": (
        "product varchar",
        "units_sold bigint",
        "costed_product_sales decimal(18,2)",
        "gross_margin decimal(18,2)",
        "gross_margin_rate double",
    ),
    "sales_by_province": (
        "receiver_province varchar",
        "paid_gmv decimal(18,2)",
        "net_sales decimal(18,2)",
        "paid_orders bigint",
        "paying_customers bigint",
        "average_order_value double",
    ),
    "sales_by_rfm_segment": (
        "rfm_segment varchar",
        "paying_customers bigint",
        "average_order_value double",
        "paid_orders bigint",
        "net_sales decimal(18,2)",
    ),
    "stockout_by_warehouse": (
        "metric_date date",
        "warehouse_name varchar",
        "stockout_sku_rate double",
    ),
    "weekly_sales": (
        "metric_week date",
        "paid_gmv decimal(18,2)",
        "net_sales decimal(18,2)",
        "paid_orders bigint",
        "average_order_value double",
        "refund_rate double",
    ),
}
"""tests/e2e/test_report.py checks these columns against the report file a real pipeline run writes."""

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
