"""The report's fixture database: the five contract tables (docs/metric-tables.md) filled with known values.

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

Metrics = dict[str, int | Decimal]


@dataclass(frozen=True)
class ReportFixture:
    """The fixture database and the values a correct report must show."""

    database: Path
    data_as_of: dt.date
    daily: dict[dt.date, Metrics]
    periods: dict[str, dict[str, object]]
    shops_last_30d: dict[str, Metrics]


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


def write_report_database(path: Path) -> ReportFixture:
    """Write the five contract tables with known values to `path` (replacing it)."""
    by_shop, daily = build_fixture_values()
    periods = period_rows(daily)
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

    start_30d = periods["last_30d"]["start_date"]
    shops_last_30d = {
        shop: sum_metrics([v for (d, s), v in by_shop.items() if s == shop and start_30d <= d <= DATA_AS_OF])
        for shop in SHOPS
    }
    return ReportFixture(
        database=path, data_as_of=DATA_AS_OF, daily=daily, periods=periods, shops_last_30d=shops_last_30d
    )
