"""The API ingestion job (partitioned by China-time day), its 02:00 schedule, and the sensor that starts the pipeline
after it.

Dagster runs partitioned and unpartitioned assets in one job only if every run targets a partition, which the
landing-file runs (sensor, `make run`) have no reason to. So there are two jobs:

- `API_JOB_NAME`: the API raw assets only. The schedule runs it at 02:00 Asia/Shanghai for yesterday's partition; a
  backfill of any range is one run of it (the assets' `BackfillPolicy.single_run()`).
- the pipeline job (everything else, unpartitioned): started by `pipeline_after_api_sensor` when an API run
  succeeds, by the landing-folder sensor when export files arrive, or by `make run`.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

API_JOB_NAME = "tmall_api_ingest"
API_SCHEDULE_NAME = "tmall_daily_0200_shanghai"
AFTER_API_SENSOR_NAME = "pipeline_after_api_ingest"
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
"""Run tags naming the day, or the range of days (a single-run backfill), that an API run fetched."""
RETRIES_TAG = "dagster/max_retries"
API_RUN_RETRIES = 2
"""Run retries of the API job under the daemon (deploy/dagster.yaml enables run retries; the pipeline job has none:
a blocking gate fails the same way again)."""


def build_api_job(api_keys: list[dg.AssetKey]) -> Any:
    """An asset job (Dagster resolves it against the code location's assets; the partitions are the assets')."""
    return dg.define_asset_job(
        API_JOB_NAME,
        # the checks on these tables (dbt source freshness) run in the pipeline job, which has dbt
        selection=dg.AssetSelection.assets(*api_keys).without_checks(),
        description="TOP and 聚水潭 APIs -> raw, for a range of China-time days (records modified on those days).",
        # under `make serve` (run retries on in dagster.yaml) a run that failed, e.g. on an API outage, is launched
        # again twice from the failed step; fetching a day again appends only what changed
        tags={RETRIES_TAG: str(API_RUN_RETRIES)},
        # DuckDB allows one writer at a time: steps run one after another in one process.
        executor_def=dg.in_process_executor,
    )


def build_api_schedule(api_job: Any) -> Any:
    """At 02:00 China time, the partition of the day that just closed (yesterday); a schedule Dagster resolves."""
    return dg.build_schedule_from_partitioned_job(
        api_job,
        name=API_SCHEDULE_NAME,
        hour_of_day=2,
        minute_of_hour=0,
        description=(
            "Every day at 02:00 China time, after the seller center and the ERP have closed the day: fetch yesterday's "
            "partition of the API sources; the pipeline job follows when it succeeds."
        ),
    )


def build_pipeline_after_api_sensor(api_job: Any, pipeline_job: Any) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name=AFTER_API_SENSOR_NAME,
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[api_job],
        request_job=pipeline_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Runs the pipeline (dbt, checks, metric tables, report) after an API ingest run succeeds.",
    )
    def pipeline_after_api_ingest(context: dg.RunStatusSensorContext) -> dg.RunRequest:
        run = context.dagster_run
        first, last = run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG)
        days = run.tags.get(PARTITION_TAG) or (f"{first}..{last}" if first and last else "")
        return dg.RunRequest(run_key=f"after-{run.run_id}", tags={"api_ingest_run": run.run_id, "api_days": days})

    return pipeline_after_api_ingest
