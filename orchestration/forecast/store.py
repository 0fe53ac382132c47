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
from orchestration.forecast_tables import FORECAST_COLUMNS, FORECAST_SCHEMA


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
    counts: dict[str, int] = {}
    con.execute("begin")
    try:
        con.execute(f"create schema if not exists {FORECAST_SCHEMA}")
        for table, frame in frames.items():
            con.register("frame", frame)
            con.execute(
                f"create or replace table {FORECAST_SCHEMA}.{table} as "
                f"select {FORECAST_COLUMNS[table]}, cast(? as timestamp) as _loaded_at from frame",
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
