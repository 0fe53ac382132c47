"""The asset `warehouse/published`: the step that publishes a run's build (write–audit–publish, docs/publishing.md).

It depends on every dbt model and seed (both dbt steps), the demand forecasts and the metric tables, so Dagster runs
it only when all of them were built and none of their blocking checks (dbt tests, Great Expectations gates, the
metric tables' contract) failed; then it moves the build file onto the published warehouse in one step
(`orchestration/publish.py`). The report is built from the published warehouse, after it.

It sits above transform, metrics and forecast (it depends on all of their assets), not inside any of them."""


import functools

import dagster as dg

from orchestration.forecast.assets import build_forecast_assets
from orchestration.metrics.assets import build_metric_tables
from orchestration.resources import WarehouseResource
from orchestration.transform.dbt import PUBLISHED_KEY, build_dbt_assets, build_replenishment_dbt_assets


@functools.cache
def build_published_warehouse() -> dg.AssetsDefinition:
    """The asset `warehouse/published`, downstream of everything the build writes: the same object on every call."""
    written = (build_dbt_assets(), build_replenishment_dbt_assets(), build_forecast_assets(), build_metric_tables())
    upstream = sorted({key for assets in written for key in assets.keys}, key=lambda key: key.to_user_string())

    @dg.asset(
        key=PUBLISHED_KEY,
        group_name="warehouse",
        deps=upstream,
        kinds={"duckdb"},
        description=(
            "Publishes the run's build (staging, marts, metric tables) onto the warehouse file in one atomic step, "
            "once every blocking check has passed; a failed run publishes nothing."
        ),
    )
    def published(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        path = warehouse.publish()
        context.log.info("published %s", path)
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})

    return published
