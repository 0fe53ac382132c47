"""The Dagster asset that forecasts demand per SKU, after the marts, and writes schema `forecast`.

It reads `marts.fct_sku_daily_demand` (the demand history, stock-outs estimated) and `marts.dim_dates` (the promotion
calendar), runs the backtest and today's forecast (`engine.py`), and replaces the tables `forecast.sku_daily_forecasts`,
`forecast.sku_forecast_methods` and `forecast.backtest_errors`. Those are the dbt source `forecast`; the dbt models
that read them (`stg_forecast__*`, `sku_demand_forecasts`, `forecast_backtest`, `replenishment_plan`,
`inventory_health`) run after this asset in the same job (Dagster runs the dbt op again for them).

Its dependencies come from the dbt manifest, so the asset is built by `build_forecast_assets()` (when the definitions
are built), not when this module is imported.
"""

import datetime as dt
import functools
import time

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.forecast.engine import ForecastSettings, build_panel, run_forecasts
from orchestration.forecast.store import empty_result, read_calendar, read_history, write_results
from orchestration.forecast_tables import FORECAST_SCHEMA, TABLES
from orchestration.resources import WarehouseResource
from orchestration.transform.dbt import build_dbt_assets

FORECAST_KEYS = [dg.AssetKey([FORECAST_SCHEMA, table]) for table in TABLES]


def forecast(warehouse: WarehouseResource, settings: ForecastSettings) -> tuple[dict[str, int], dict[str, float]]:
    """Read the history, forecast, write the tables: rows per table and the backtest's headline WAPEs."""
    started = time.monotonic()
    # the run's build (write–audit–publish, orchestration/publish.py): the marts it reads and the tables it writes are
    # published with the rest, or not at all
    with warehouse.connect_build(read_only=True) as con:
        history = read_history(con)
        calendar = read_calendar(con)
    if history.empty:  # no SKU sold anything (an order report alone, no item lines): no forecast, empty tables
        result = empty_result()
    else:
        result = run_forecasts(build_panel(history, calendar, settings.horizon_days), settings)
    with warehouse.connect_build() as con:
        counts = write_results(con, result, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    wapes: dict[str, float] = {"seconds": round(time.monotonic() - started, 1)}
    backtest = result.backtest
    if not backtest.empty:
        totals = backtest.groupby("method")[["abs_error", "actual_units"]].sum()
        for method, row in totals.iterrows():
            if row["actual_units"] > 0:
                wapes[f"wape_{method}"] = round(float(row["abs_error"] / row["actual_units"]), 4)
    return counts, wapes


@functools.cache
def build_forecast_assets() -> dg.AssetsDefinition:
    """The asset `forecast/*` after the demand history and the calendar: the same object on every call."""
    dbt_models = build_dbt_assets()
    deps = [get_asset_key_for_model([dbt_models], name) for name in ("fct_sku_daily_demand", "dim_dates")]

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                key,
                deps=deps,
                group_name="forecast",
                kinds={"duckdb", "statsforecast"},
                description=description,
            )
            for key, description in zip(
                FORECAST_KEYS,
                (
                    "Daily demand forecast per SKU for the next 8 weeks, chosen method, prediction intervals.",
                    "Per SKU: demand class, the method the backtest chose, its daily error.",
                    "Rolling-origin backtest: per SKU, origin and method, the horizon's errors.",
                ),
                strict=True,
            )
        ],
        name="demand_forecasts",
    )
    def demand_forecasts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = ForecastSettings.from_env()
        counts, summary = forecast(warehouse, settings)
        context.log.info("forecast tables %s, backtest %s", counts, summary)
        for key, table in zip(FORECAST_KEYS, TABLES, strict=True):
            metadata = {"dagster/row_count": dg.MetadataValue.int(counts[table])}
            if table == "backtest_errors":
                metadata.update({name: dg.MetadataValue.float(value) for name, value in summary.items()})
            yield dg.MaterializeResult(asset_key=key, metadata=metadata)

    return demand_forecasts
