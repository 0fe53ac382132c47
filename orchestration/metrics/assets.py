"""Dagster asset that writes the metric tables from MetricFlow, after the marts have passed their checks."""

from __future__ import annotations

import dagster as dg

from orchestration.metrics.metricflow import SemanticLayer
from orchestration.metrics.tables import write_metric_tables
from orchestration.resources import WarehouseResource

METRIC_SOURCE_MARTS = [dg.AssetKey(["marts", "fct_orders"]), dg.AssetKey(["marts", "metricflow_time_spine"])]


@dg.asset(
    key=["metrics", "metric_tables"],
    group_name="metrics",
    deps=METRIC_SOURCE_MARTS,
    kinds={"duckdb", "metricflow"},
    description="Metric tables for the reports (schema `metrics`), every number from a MetricFlow metric.",
)
def metric_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    layer = SemanticLayer()
    with warehouse.connect() as con:
        counts = write_metric_tables(con, layer, run_id=context.run_id)
    return dg.MaterializeResult(metadata={f"rows_{table}": dg.MetadataValue.int(n) for table, n in counts.items()})
