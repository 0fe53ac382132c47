"""Freshness policies: a source that stops arriving, or a mart that stops being rebuilt, shows up in Dagster.

The pipeline runs daily at 02:00 China time. Each day by 03:00 the raw tables, and by 04:00 the marts, must have
been materialised within the 24 hours before (that is: by that day's run). The policies are attached to the asset
specs (raw: `ingest/assets.py`, marts: the dbt translator in `transform/dbt.py`) and evaluated by Dagster's daemon
(`make dev`, or a deployment). They sit in the lowest layer, beside the settings, because both ingest and transform
attach them.

The content of the raw tables is checked too: `dbt source freshness` compares the newest `_loaded_at` of every raw
source with the thresholds in dbt_project.yml (asset check `dbt_source_freshness`, `quality/source_freshness.py`).
"""

import datetime as dt

import dagster as dg

RAW_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 3 * * *", lower_bound_delta=dt.timedelta(hours=24), timezone="Asia/Shanghai"
)
MART_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 4 * * *", lower_bound_delta=dt.timedelta(hours=24), timezone="Asia/Shanghai"
)
