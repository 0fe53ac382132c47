"""Reading the demand history from the warehouse and writing the forecast tables (schema `forecast`).

The tables are the raw output of the forecasting step; dbt reads them as the source `forecast` (staging
`stg_forecast__*`) and publishes the contracted marts `sku_demand_forecasts`, `forecast_backtest` and, through
`replenishment_plan`, `inventory_health`.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from orchestration.forecast.engine import ForecastResult

FORECAST_SCHEMA = "forecast"
TABLES = ("sku_daily_forecasts", "sku_forecast_methods", "backtest_errors")


def read_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """select sku_id, category, demand_date, cast(demand_units as double) as demand_units
        from marts.fct_sku_daily_demand order by sku_id, demand_date"""
    ).df()


def read_calendar(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """select date_day, is_promotion_day, promotion_phase, promotion_name, is_holiday, holiday_name
        from marts.dim_dates order by date_day"""
    ).df()


def write_results(con: duckdb.DuckDBPyConnection, result: ForecastResult, loaded_at: dt.datetime) -> dict[str, int]:
    """Replace the forecast tables in one transaction; rows written per table."""
    frames = {
        "sku_daily_forecasts": result.forecasts,
        "sku_forecast_methods": result.methods,
        "backtest_errors": result.backtest,
    }
    casts = {
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
    counts: dict[str, int] = {}
    con.execute("begin")
    try:
        con.execute(f"create schema if not exists {FORECAST_SCHEMA}")
        for table, frame in frames.items():
            con.register("frame", frame)
            con.execute(
                f"create or replace table {FORECAST_SCHEMA}.{table} as "
                f"select {casts[table]}, cast(? as timestamp) as _loaded_at from frame",
                [loaded_at],
            )
            con.unregister("frame")
            counts[table] = len(frame)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return counts


def empty_result() -> ForecastResult:
    """No forecast: the tables' columns and no rows (a landing folder without SKUs, e.g. an order report alone)."""
    from orchestration.forecast.engine import _empty_backtest

    return ForecastResult(
        backtest=_empty_backtest(),
        forecasts=pd.DataFrame(
            columns=[
                "sku_id",
                "forecast_date",
                "method",
                "forecast_units",
                "lower_80",
                "upper_80",
                "lower_95",
                "upper_95",
                "promotion_uplift",
                "forecast_origin_date",
            ]
        ),
        methods=pd.DataFrame(
            columns=[
                "sku_id",
                "category",
                "sku_class",
                "method",
                "history_days",
                "daily_error_sd",
                "backtest_abs_error",
                "backtest_actual_units",
                "forecast_origin_date",
            ]
        ),
    )


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Empty forecast tables where none exist yet, so that dbt's sources resolve before the first forecast."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [FORECAST_SCHEMA]
        ).fetchall()
    }
    if set(TABLES) <= existing:
        return
    write_results(con, empty_result(), dt.datetime(1970, 1, 1))
