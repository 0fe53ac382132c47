"""The Dagster code location: every asset, check, resource, job, schedule and sensor of the pipeline.

Two jobs (`orchestration/ingest/api/schedules.py` says why): `tmall_api_ingest`, the API raw assets partitioned by
China-time day, scheduled at 02:00 Asia/Shanghai for yesterday; and `tmall_daily_pipeline`, everything else, started
when an API run succeeds, when export files land (sensor), or by `make run`.

`dagster dev -m orchestration.definitions` (make dev) loads `defs`, a `@dg.definitions` function that Dagster calls
when it loads the code location: it runs `dbt parse` first (`prepare_if_dev`, under `dagster dev` only), then builds
the definitions. `python -m orchestration.run` (make run) runs `dbt parse` and calls `build_definitions`. Building the
definitions reads the dbt manifest; importing this module (or any other of the package) reads nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.alerts.sensors import build_alert_sensor
from orchestration.forecast.assets import build_forecast_assets
from orchestration.ingest.api.assets import api_asset_keys, build_api_assets
from orchestration.ingest.api.schedules import (
    API_JOB_NAME,
    build_api_job,
    build_api_schedule,
    build_pipeline_after_api_sensor,
)
from orchestration.ingest.assets import raw_landing_files
from orchestration.ingest.sensors import build_landing_sensor
from orchestration.metrics.assets import build_metric_tables
from orchestration.published import build_published_warehouse
from orchestration.quality.checks import RAW_ASSET_KEYS, build_quality_checks
from orchestration.reports.assets import ReportConfig, evidence_report, report_database
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.settings import Settings
from orchestration.transform.dbt import build_dbt_assets, build_replenishment_dbt_assets, dbt_resource
from orchestration.transform.project import dbt_project, prepare_manifest

PIPELINE_JOB_NAME = "tmall_daily_pipeline"


def build_pipeline_job(api_keys: list[dg.AssetKey]) -> Any:
    """The unpartitioned job: every asset but the API ones (an asset job Dagster resolves)."""
    return dg.define_asset_job(
        PIPELINE_JOB_NAME,
        # everything but the partitioned API assets; the checks on the API tables (source freshness) run here
        selection=(dg.AssetSelection.all() - dg.AssetSelection.assets(*api_keys))
        | dg.AssetSelection.checks_for_assets(*api_keys),
        description=(
            "Landing files -> raw (+ quality gate) -> dbt staging/marts (+ tests) -> demand forecasts -> dbt "
            "replenishment -> metric tables -> report."
        ),
        # DuckDB allows one writer at a time: steps run one after another in one process.
        executor_def=dg.in_process_executor,
    )


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    """Every asset, check, job, schedule, sensor and resource; the dbt manifest must exist (`dbt parse`)."""
    settings = settings or Settings.from_env()
    # dbt's staging reads the API tables: without credentials the API assets materialise them empty; on a warehouse
    # where the API job never ran, the landing-file asset creates them (`ensure_raw_tables`)
    api_assets = build_api_assets(materialize_when_unconfigured=True)
    api_keys = api_asset_keys(api_assets)
    api_job = build_api_job(api_keys)
    pipeline_job = build_pipeline_job(api_keys)
    return dg.Definitions(
        assets=[
            raw_landing_files,
            *api_assets,
            build_dbt_assets(),
            build_forecast_assets(),
            build_replenishment_dbt_assets(),
            build_metric_tables(),
            build_published_warehouse(),
            report_database,
            evidence_report,
        ],
        asset_checks=build_quality_checks(RAW_ASSET_KEYS),
        jobs=[api_job, pipeline_job],
        schedules=[build_api_schedule(api_job)],
        sensors=[
            build_landing_sensor(PIPELINE_JOB_NAME),
            build_pipeline_after_api_sensor(api_job, pipeline_job),
            build_alert_sensor([PIPELINE_JOB_NAME, API_JOB_NAME]),
        ],
        resources={
            "warehouse": WarehouseResource(path=str(settings.warehouse_path)),
            "landing": LandingResource(path=str(settings.landing_dir)),
            "report": ReportConfig(reports_dir=str(settings.reports_dir)),
            "dbt": dbt_resource(),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The code location `dagster dev`, `make serve` and the `dagster` CLI load: under `dagster dev`, `dbt parse`
    first, so the asset graph matches the models; elsewhere, `dbt parse` when the warehouse in WAREHOUSE_PATH has no
    manifest yet in its own target path (`orchestration.settings.dbt_target_path_for`)."""
    project = dbt_project()
    project.prepare_if_dev()
    if not Path(project.manifest_path).exists():
        prepare_manifest()
    return build_definitions()
