"""`dbt source freshness` as a quality gate: how old the newest row (`_loaded_at`) of each raw source is.

The thresholds are declared once in dbt_project.yml (`sources:`); the asset check `dbt_source_freshness` (checks.py)
runs dbt and reads its sources.json here, and CI runs it too. The freshness policies of the assets themselves (the
daemon's view) are `orchestration/freshness.py`.
"""

from orchestration.quality.great_expectations import ExpectationOutcome

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
