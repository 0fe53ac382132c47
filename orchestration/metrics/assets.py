"""Dagster asset that writes the metric tables from MetricFlow, after the marts have passed their checks.

Its dependencies come from the dbt manifest, so the asset is built by `build_metric_tables()` (when the definitions
are built), not when this module is imported."""

import functools
import json
from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.metrics.metricflow import SemanticLayer
from orchestration.metrics.tables import write_metric_tables
from orchestration.publish import warehouse_path_environment
from orchestration.resources import WarehouseResource
from orchestration.settings import dbt_target_path_for
from orchestration.transform.dbt import build_dbt_assets
from orchestration.transform.project import dbt_project


def semantic_model_inputs() -> list[dg.AssetKey]:
    """The dbt models the semantic layer reads (its semantic models and the time spine), as asset keys."""
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    model_ids = {
        node_id
        for semantic_model in manifest.get("semantic_models", {}).values()
        for node_id in semantic_model.get("depends_on", {}).get("nodes", [])
    }
    model_ids |= {
        node_id
        for node_id, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model" and node.get("time_spine")
    }
    dbt_models = build_dbt_assets()
    keys = {get_asset_key_for_model([dbt_models], manifest["nodes"][node_id]["name"]) for node_id in model_ids}
    return sorted(keys, key=lambda key: key.to_user_string())


@functools.cache
def build_metric_tables() -> dg.AssetsDefinition:
    """The asset `metrics/metric_tables`, depending on the models the semantic layer reads: the same object on every
    call."""

    @dg.asset(
        key=["metrics", "metric_tables"],
        group_name="metrics",
        deps=semantic_model_inputs(),
        kinds={"duckdb", "metricflow"},
        description="Metric tables for the reports (schema `metrics`), every number from a MetricFlow metric.",
    )
    def metric_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        # written in the run's build (orchestration/publish.py); MetricFlow's dbt profile reads WAREHOUSE_PATH
        with (
            warehouse_path_environment(warehouse.build_path),
            SemanticLayer(target_path=dbt_target_path_for(Path(warehouse.path))) as layer,
            warehouse.connect_build() as con,
        ):
            counts = write_metric_tables(con, layer, run_id=context.run_id)
        return dg.MaterializeResult(metadata={f"rows_{table}": dg.MetadataValue.int(n) for table, n in counts.items()})

    return metric_tables
