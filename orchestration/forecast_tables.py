"""The forecast step's tables (schema `forecast`): their columns and types, declared once.

The forecast step (`orchestration/forecast/store.py`) replaces them on every run; dbt reads them as the source
`forecast`. Ingest creates them empty before the first forecast (`ensure_forecast_tables`, called with the raw
tables), so every dbt source resolves from the first run on. That is why they are declared here, in the lowest
layer, and not in the forecast package, which sits above transform.
"""

from __future__ import annotations

import re

import duckdb

FORECAST_SCHEMA = "forecast"

FORECAST_COLUMNS: dict[str, str] = {
    "sku_daily_forecasts": """cast(sku_id as varchar) as sku_id, cast(forecast_date as date) as forecast_date,
        cast(method as varchar) as method, cast(forecast_units as double) as forecast_units,
        cast(lower_80 as double) as lower_80, cast(upper_80 as double) as upper_80,
        cast(lower_95 as double) as lower_95, cast(upper_95 as double) as upper_95,
        cast(promotion_uplift as double) as promotion_uplift,
        cast(forecast_origin_date as date) as forecast_origin_date""",
    "sku_forecast_methods": """cast(sku_id as varchar) as sku_id, cast(category as varchar) as category,
        cast(sku_class as varchar) as sku_class, cast(method as varchar) as method,
        cast(history_days as bigint) as history_days, cast(daily_error_sd as double) as daily_error_sd,
        cast(backtest_abs_error as double) as backtest_abs_error,
        cast(backtest_actual_units as double) as backtest_actual_units,
        cast(forecast_origin_date as date) as forecast_origin_date""",
    "backtest_errors": """cast(sku_id as varchar) as sku_id, cast(sku_class as varchar) as sku_class,
        cast(origin_date as date) as origin_date, nullif(cast(big_promotion as varchar), '') as big_promotion,
        cast(method as varchar) as method, cast(horizon_days as integer) as horizon_days,
        cast(actual_units as double) as actual_units, cast(forecast_units as double) as forecast_units,
        cast(abs_error as double) as abs_error, cast(squared_error as double) as squared_error,
        cast(mase_scale as double) as mase_scale""",
}
"""Per table, the select list that casts the forecast step's frame to the table's columns (in this order)."""

TABLES = tuple(FORECAST_COLUMNS)


def ensure_forecast_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Empty forecast tables where none exist yet, so that dbt's sources resolve before the first forecast."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [FORECAST_SCHEMA]
        ).fetchall()
    }
    if set(TABLES) <= existing:
        return
    con.execute("begin")
    try:
        con.execute(f"create schema if not exists {FORECAST_SCHEMA}")
        for table, columns in FORECAST_COLUMNS.items():
            # the same select list as a forecast run, over a relation with the input columns and no row
            inputs = ", ".join(f"null as {name}" for name in dict.fromkeys(re.findall(r"cast\((\w+) as", columns)))
            con.execute(
                f"create or replace table {FORECAST_SCHEMA}.{table} as "
                f"select {columns}, cast(null as timestamp) as _loaded_at from (select {inputs}) where false"
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
