"""Freshness: a source that stops arriving, or a mart that stops being rebuilt, shows up in Dagster.

The pipeline runs daily at 02:00 China time. Each day by 03:00 the raw tables, and by 04:00 the marts, must have
been materialised within the 24 hours before (that is: by that day's run). The policies are attached to the asset
specs (raw: `ingest/assets.py`, marts: the dbt translator in `transform/dbt.py`) and evaluated by Dagster's daemon
(`make dev`, or a deployment).

The content of the raw tables is checked too: `dbt source freshness` compares the newest `_loaded_at` of every raw
source with the thresholds in dbt_project.yml (asset check `dbt_source_freshness`, see checks.py).
"""

import datetime as dt

import dagster as dg

from orchestration.quality.great_expectations import ExpectationOutcome

RAW_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 3 * * *", lower_bound_delta=dt.timedelta(hours=24), timezone="Asia/Shanghai"
)
MART_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 4 * * *", lower_bound_delta=dt.timedelta(hours=24), timezone="Asia/Shanghai"
)

# `dbt source freshness`: how old the newest row (`_loaded_at`) of each raw source is, against the thresholds
# declared once in dbt_project.yml (`sources:`). Run by the asset check `dbt_source_freshness` (checks.py) and in CI.
FRESHNESS_SEVERITY = {"pass": "error", "warn": "warning", "error": "error", "runtime error": "error"}


def source_freshness_results(sources_json: dict, manifest: dict) -> dict[str, ExpectationOutcome]:
    """dbt's sources.json as one outcome per source table name (`raw/<name>` in Dagster)."""
    outcomes: dict[str, ExpectationOutcome] = {}
    for result in sources_json.get("results", []):
        source = manifest["sources"].get(result["unique_id"], {})
        name = source.get("name") or result["unique_id"].rsplit(".", 1)[-1]
        status = result.get("status", "runtime error")
        # an empty table (dbt reports its newest row as 0001-01-01) is a source this merchant does not deliver
        # (e.g. the API tables when only files are used): not stale, nothing to check yet
        if str(result.get("max_loaded_at") or "").startswith("0001-01-01"):
            status = "pass"
        age = result.get("max_loaded_at_time_ago_in_s")
        criteria = result.get("criteria") or {}
        limits = ", ".join(
            f"{label} after {criteria[level]['count']} {criteria[level]['period']}s"
            for level, label in (("warn_after", "warning"), ("error_after", "error"))
            if (criteria.get(level) or {}).get("count")
        )
        example = {
            "table": f"{source.get('schema', 'raw')}.{name}",
            "status": status,
            "newest_loaded_at": result.get("max_loaded_at"),
            "age_hours": round(age / 3600, 1) if age is not None else None,
            "limits": limits or None,
        }
        if status == "runtime error":
            example["error"] = result.get("message")
        outcomes[name] = ExpectationOutcome(
            expectation="dbt_source_freshness",
            column=source.get("loaded_at_field") or "_loaded_at",
            severity=FRESHNESS_SEVERITY.get(status, "error"),
            unexpected_count=0 if status == "pass" else 1,
            element_count=1,
            examples=[] if status == "pass" else [example],
            success=status == "pass",
        )
    return outcomes
