"""The dbt project as Dagster assets. Each model and seed is an asset; each dbt test is an asset check.

Asset keys follow the warehouse layout: dbt sources are the `raw/<table>` assets that ingest materialises (and the
`forecast/<table>` assets of the forecast step, orchestration/forecast),
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
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.freshness import MART_FRESHNESS
from orchestration.partitions import CHINA_TIMEZONE
from orchestration.publish import warehouse_path_environment
from orchestration.resources import WarehouseResource
from orchestration.settings import PROJECT_ROOT, dbt_target_path_for
from orchestration.transform.build_args import DbtBuildConfig, dbt_build_args
from orchestration.transform.project import dbt_project

logger = logging.getLogger(__name__)


class WarehouseLayoutTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.key.path[0] == "marts":
            return spec.replace_attributes(freshness_policy=MART_FRESHNESS)
        return spec

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            # the forecast asset's tables (schema `forecast`) are its own assets; every other source is raw
            if dbt_resource_props.get("source_name") == "forecast":
                return dg.AssetKey(["forecast", dbt_resource_props["name"]])
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


PUBLISHED_KEY = dg.AssetKey(["warehouse", "published"])
"""The asset that publishes a run's build (orchestration/published.py)."""


def last_updates(instance: dg.DagsterInstance, keys: Iterable[dg.AssetKey]) -> list[float | None]:
    """When each asset was last materialised on this instance by a run that published its build (POSIX seconds),
    None if never. A run that failed built in a copy that was thrown away: its materialisations are not in the
    warehouse, so they do not count. On an instance where no run ever published (before write–audit–publish),
    the latest materialisation counts, as it did then."""
    publications = instance.fetch_materializations(PUBLISHED_KEY, limit=PUBLISHED_RUNS_LOOKED_AT).records
    published_runs = {record.run_id for record in publications}
    if not published_runs:
        events = [instance.get_latest_materialization_event(key) for key in keys]
        return [event.timestamp if event is not None else None for event in events]
    updates: list[float | None] = []
    for key in keys:
        records = instance.fetch_materializations(key, limit=PUBLISHED_RUNS_LOOKED_AT).records
        updates.append(next((r.timestamp for r in records if r.run_id in published_runs), None))
    return updates


PUBLISHED_RUNS_LOOKED_AT = 100


def with_row_counts(events: Iterable[Any], manifest: Mapping[str, Any], warehouse_path: Path) -> Iterator[Any]:
    """The dbt events, each materialisation of a table, incremental model or seed with its row count
    (`dagster/row_count`, what the asset graph shows).

    dagster-dbt's `fetch_row_counts()` counts through a dbt adapter that stays open in this process, and DuckDB then
    refuses the read-only connections of the checks that follow. So the events are held until dbt has exited
    (released the warehouse's write lock, as dagster-dbt itself does on DuckDB), the tables are counted on one
    read-only connection that is closed again, and the events are passed on in their order; an error dbt raised
    (a failed build) is raised after them.
    """
    held: list[Any] = []
    error: BaseException | None = None
    try:
        for event in events:
            held.append(event)
    except Exception as exc:  # re-raised below, after the events that came before it
        error = exc
    relations: dict[str, str] = {}
    for event in held:
        unique_id = _unique_id(event)
        node = manifest.get("nodes", {}).get(unique_id) if unique_id else None
        if node and node.get("config", {}).get("materialized") in COUNTED_MATERIALIZATIONS:
            relations[unique_id] = f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'
    counts: dict[str, int] = {}
    if relations and warehouse_path.exists():
        try:
            with duckdb.connect(str(warehouse_path), read_only=True) as con:
                for unique_id, relation in relations.items():
                    try:
                        counts[unique_id] = int(con.execute(f"select count(*) from {relation}").fetchone()[0])
                    except duckdb.Error:
                        continue
        except duckdb.Error as exc:  # row counts are a nicety: never fail the build over them
            logger.warning("row counts not fetched: %s", exc)
    for event in held:
        unique_id = _unique_id(event)
        if unique_id in counts:
            event = event.with_metadata({**event.metadata, ROW_COUNT: dg.MetadataValue.int(counts[unique_id])})
        yield event
    if error is not None:
        raise error


COUNTED_MATERIALIZATIONS = {"table", "incremental", "seed"}
ROW_COUNT = "dagster/row_count"
"""The metadata key Dagster shows as a table asset's row count."""


def _unique_id(event: Any) -> str | None:
    if not isinstance(event, dg.Output | dg.AssetMaterialization):
        return None
    value = event.metadata.get("unique_id")
    return getattr(value, "text", value) if value is not None else None


FORECAST_DOWNSTREAM = "source:forecast+"
"""The dbt models that read the forecast step's tables (orchestration/forecast) and everything downstream of them:
the replenishment models, built by a second dbt op after the forecast asset."""


def _build_dbt_assets(name: str, select: str, exclude: str | None, *, opens_build: bool) -> dg.AssetsDefinition:
    """`opens_build`: this op starts the run's build (a fresh copy of the published warehouse); the op after the
    forecast continues in the build the first one opened (or, run alone, works where the metric tables would)."""
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=WarehouseLayoutTranslator(),
        name=name,
        select=select,
        exclude=exclude,
    )
    def dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig, warehouse: WarehouseResource
    ):
        """`dbt build`: seeds, staging, intermediate and marts, with their tests as asset checks, in a copy of the
        published warehouse that only `warehouse/published` publishes (orchestration/publish.py). The incremental
        models re-process what was loaded since their last published update (module docstring)."""
        manifest = json.loads(Path(project.manifest_path).read_text(encoding="utf-8"))
        window_start = incremental_window_start(
            last_updates(context.instance, incremental_model_keys(manifest)), dt.datetime.now(dt.UTC)
        )
        args = dbt_build_args(config, window_start)
        build = warehouse.open_build() if opens_build else warehouse.build_path
        context.log.info("dbt %s (building in %s)", " ".join(args), build)
        # profiles.yml reads WAREHOUSE_PATH when dbt starts; its artefacts go to the warehouse's own target path
        target_path = dbt_target_path_for(Path(warehouse.path)) / f"{name}-{context.run_id[:8]}"
        with warehouse_path_environment(build):
            invocation = dbt.cli(args, context=context, target_path=target_path)
        # row counts (`dagster/row_count`) on every table and seed the build materialises, shown in the asset graph
        yield from with_row_counts(invocation.stream(), manifest, build)

    return dbt_models


@functools.cache
def build_dbt_assets() -> dg.AssetsDefinition:
    """The dbt project's assets (op `dbt_models`) but those after the demand forecasts, from the manifest: read on
    the first call, the same object after, so that `get_asset_key_for_model([build_dbt_assets()], ...)` and the
    definitions agree."""
    return _build_dbt_assets("dbt_models", "fqn:*", FORECAST_DOWNSTREAM, opens_build=True)


@functools.cache
def build_replenishment_dbt_assets() -> dg.AssetsDefinition:
    """The dbt models after the demand forecasts (op `dbt_replenishment_models`: the forecast's staging views,
    sku_demand_forecasts, forecast_backtest, replenishment_plan, inventory_health), a second `dbt build` that the
    job runs after the forecast asset. A separate op, not a subset of `dbt_models`: Dagster would otherwise split
    that op around the forecast asset on its own, into steps whose order it does not promise."""
    return _build_dbt_assets("dbt_replenishment_models", FORECAST_DOWNSTREAM, None, opens_build=False)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project(),
        profiles_dir=str(PROJECT_ROOT),
        dbt_executable=str(Path(sys.executable).with_name("dbt")),
    )
