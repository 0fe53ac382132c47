"""The dbt project as Dagster assets. Each model and seed is an asset; each dbt test is an asset check.

Asset keys follow the warehouse layout: dbt sources are the `raw/<table>` assets that ingest materialises,
models are keyed `<layer>/<model>` (staging, intermediate, marts, metrics), seeds `seeds/<seed>`.
"""

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.quality.freshness import MART_FRESHNESS
from orchestration.settings import PROJECT_ROOT
from orchestration.transform.project import DBT_PROJECT


class WarehouseLayoutTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.key.path[0] == "marts":
            return spec.replace_attributes(freshness_policy=MART_FRESHNESS)
        return spec

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        if resource_type == "seed":
            return dg.AssetKey(["seeds", dbt_resource_props["name"]])
        return dg.AssetKey([self._layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return self._layer(dbt_resource_props)

    @staticmethod
    def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "models"


DBT_PROJECT.prepare_if_dev()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=WarehouseLayoutTranslator(),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build`: seeds, staging, intermediate and marts, with their tests as asset checks."""
    yield from dbt.cli(["build"], context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(PROJECT_ROOT),
        dbt_executable=str(Path(sys.executable).with_name("dbt")),
    )
