"""The dbt project as Dagster assets. Each model and seed is an asset; each dbt test is an asset check.

Asset keys follow the warehouse layout: dbt sources are the `raw/<table>` assets that ingest materialises,
models are keyed `<layer>/<model>` (staging, intermediate, marts, metrics), seeds `seeds/<seed>`.

The large facts, and the staging and intermediate tables they read, are incremental models
(`materialized='incremental'`, macros/incremental.sql): a run re-processes the records whose raw rows were loaded
since China-time midnight of `incremental_window_start` minus `incremental_lookback_days`. Each run passes
`incremental_window_start` = the China-time day of the oldest of the incremental models' latest materializations
(never later than yesterday): everything loaded since the last run that updated them is re-processed, so a night
the pipeline did not run, or a failed run, is caught up by the next. The first run on an empty warehouse builds
the tables whole; run config `full_refresh: true` rebuilds them.

The assets come from `build_dbt_assets()`, which reads the manifest (`target/manifest.json`, written by `dbt parse`)
when the definitions are built, not when this module is imported.
"""

import datetime as dt
import functools
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.partitions import CHINA_TIMEZONE
from orchestration.quality.freshness import MART_FRESHNESS
from orchestration.settings import PROJECT_ROOT
from orchestration.transform.build_args import DbtBuildConfig, dbt_build_args
from orchestration.transform.project import dbt_project


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


def incremental_model_keys(manifest: Mapping[str, Any]) -> list[dg.AssetKey]:
    """The asset keys of the project's incremental models."""
    translator = WarehouseLayoutTranslator()
    return sorted(
        (
            translator.get_asset_key(node)
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node.get("config", {}).get("materialized") == "incremental"
        ),
        key=lambda key: key.to_user_string(),
    )


def incremental_window_start(last_updates: Iterable[float | None], now: dt.datetime) -> str | None:
    """The first China-time day an incremental run must re-process (`YYYY-MM-DD`): the day of the oldest of the
    incremental models' latest updates (POSIX timestamps), or yesterday if that is earlier. None when one was never
    materialised on this Dagster instance: dbt then uses its default (yesterday) or builds a missing table whole."""
    china = ZoneInfo(CHINA_TIMEZONE)
    updates = list(last_updates)
    yesterday = now.astimezone(china).date() - dt.timedelta(days=1)
    if not updates or any(update is None for update in updates):
        return None
    oldest = min(dt.datetime.fromtimestamp(update, tz=china).date() for update in updates if update is not None)
    return min(oldest, yesterday).isoformat()


def last_updates(instance: dg.DagsterInstance, keys: Iterable[dg.AssetKey]) -> list[float | None]:
    """When each asset was last materialised on this instance (POSIX seconds), None if never."""
    events = [instance.get_latest_materialization_event(key) for key in keys]
    return [event.timestamp if event is not None else None for event in events]


@functools.cache
def build_dbt_assets() -> dg.AssetsDefinition:
    """The dbt project's assets (op `dbt_models`), from the manifest: read on the first call, the same object after,
    so that `get_asset_key_for_model([build_dbt_assets()], ...)` and the definitions agree."""
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=WarehouseLayoutTranslator(),
    )
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
        """`dbt build`: seeds, staging, intermediate and marts, with their tests as asset checks. The incremental
        models re-process what was loaded since their last update (module docstring)."""
        manifest = json.loads(Path(project.manifest_path).read_text(encoding="utf-8"))
        window_start = incremental_window_start(
            last_updates(context.instance, incremental_model_keys(manifest)), dt.datetime.now(dt.UTC)
        )
        args = dbt_build_args(config, window_start)
        context.log.info("dbt %s", " ".join(args))
        yield from dbt.cli(args, context=context).stream()

    return dbt_models


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project(),
        profiles_dir=str(PROJECT_ROOT),
        dbt_executable=str(Path(sys.executable).with_name("dbt")),
    )
