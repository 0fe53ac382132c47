"""The dbt project as Dagster assets. Each model and seed is an asset; each dbt test is an asset check.

Asset keys follow the warehouse layout: dbt sources are the `raw/<table>` assets that ingest materialises,
models are keyed `<layer>/<model>` (staging, intermediate, marts, metrics), seeds `seeds/<seed>`.
"""

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.settings import PROJECT_ROOT

DBT_PROJECT = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT)
DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_PRINTER_WIDTH": "120"}


def prepare_manifest(project_dir: Path = PROJECT_ROOT) -> Path:
    """Run `dbt parse` so that `target/manifest.json` (and MetricFlow's semantic manifest) match the code.

    Definitions load the manifest at import; the Makefile and the test session call this first. `dagster dev`
    does the same through `prepare_if_dev`.
    """
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        check=True,
        env={**os.environ, **DBT_ENV},
        cwd=project_dir,
    )
    return project_dir / "target" / "manifest.json"


class WarehouseLayoutTranslator(DagsterDbtTranslator):
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
