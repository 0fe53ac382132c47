"""The Dagster code location: every asset, check, resource, job, schedule and sensor of the pipeline.

Two jobs (`orchestration/ingest/api/schedules.py` says why): `tmall_api_ingest`, the API raw assets partitioned by
China-time day, scheduled at 02:00 Asia/Shanghai for yesterday; and `tmall_daily_pipeline`, everything else, started
when an API run succeeds, when export files land (sensor), or by `make run`.

Loaded by `dagster dev` (make dev) and by `python -m orchestration.run` (make run). The dbt manifest must exist
before this module loads: `make` runs `dbt parse` first.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

from orchestration.ingest.api.assets import api_asset_keys, build_api_assets
from orchestration.ingest.api.schedules import build_api_job, build_api_schedule, build_pipeline_after_api_sensor
from orchestration.ingest.assets import raw_landing_files
from orchestration.ingest.sensors import build_landing_sensor
from orchestration.metrics.assets import metric_tables
from orchestration.quality.checks import QUALITY_CHECKS
from orchestration.reports.assets import ReportConfig, evidence_report, report_database
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.settings import Settings
from orchestration.transform.dbt import dbt_models, dbt_resource

PIPELINE_JOB_NAME = "tmall_daily_pipeline"


def build_pipeline_job(api_keys: list[dg.AssetKey]) -> Any:
    """The unpartitioned job: every asset but the API ones (an asset job Dagster resolves)."""
    return dg.define_asset_job(
        PIPELINE_JOB_NAME,
        # everything but the partitioned API assets; the checks on the API tables (source freshness) run here
        selection=(dg.AssetSelection.all() - dg.AssetSelection.assets(*api_keys))
        | dg.AssetSelection.checks_for_assets(*api_keys),
        description="Landing files -> raw (+ quality gate) -> dbt staging/marts (+ tests) -> metric tables -> report.",
        # DuckDB allows one writer at a time: steps run one after another in one process.
        executor_def=dg.in_process_executor,
    )


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    # dbt's staging reads the API tables: without credentials the API assets materialise them empty; on a warehouse
    # where the API job never ran, the landing-file asset creates them (`ensure_raw_tables`)
    api_assets = build_api_assets(materialize_when_unconfigured=True)
    api_keys = api_asset_keys(api_assets)
    api_job = build_api_job(api_keys)
    pipeline_job = build_pipeline_job(api_keys)
    return dg.Definitions(
        assets=[raw_landing_files, *api_assets, dbt_models, metric_tables, report_database, evidence_report],
        asset_checks=QUALITY_CHECKS,
        jobs=[api_job, pipeline_job],
        schedules=[build_api_schedule(api_job)],
        sensors=[build_landing_sensor(PIPELINE_JOB_NAME), build_pipeline_after_api_sensor(api_job, pipeline_job)],
        resources={
            "warehouse": WarehouseResource(path=str(settings.warehouse_path)),
            "landing": LandingResource(path=str(settings.landing_dir)),
            "report": ReportConfig(reports_dir=str(settings.reports_dir)),
            "dbt": dbt_resource(),
        },
    )


defs = build_definitions()
