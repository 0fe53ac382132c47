"""dbt source freshness on the raw tables, through the Dagster asset check `dbt_source_freshness`: thresholds come
from dbt_project.yml, a stale source is reported (warning or error) and recorded in quality.check_results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.quality.checks import FRESHNESS_CHECK_NAME, dbt_source_freshness_check
from orchestration.resources import WarehouseResource
from orchestration.transform.dbt import dbt_resource

AGES_HOURS = {"tmall_orders": 72, "erp_skus": 30}  # error after 50 hours, warning after 26; the others are fresh


@pytest.mark.timeout(300)
def test_a_stale_source_is_reported_and_recorded(
    tmp_path: Path, dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    # the sources, from the manifest that the `dbt_manifest` fixture wrote
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    sources = sorted(s["name"] for s in manifest["sources"].values() if s["schema"] == "raw")  # not `forecast`
    warehouse = tmp_path / "warehouse.duckdb"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        for name in sources:
            loaded_at = now - dt.timedelta(hours=AGES_HOURS.get(name, 1))
            con.execute(f"create table raw.{name} as select cast(? as timestamp) as _loaded_at", [loaded_at])
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    # this warehouse's own artefacts (orchestration.settings.dbt_target_path_for), as a run on it parses first
    from orchestration.transform.project import prepare_manifest

    prepare_manifest()

    keys = {dg.AssetKey(["raw", name]) for name in sources}
    check = dbt_source_freshness_check(keys)
    job = dg.define_asset_job("freshness_only", selection=dg.AssetSelection.all_asset_checks())
    definitions = dg.Definitions(
        assets=[dg.AssetSpec(key) for key in keys],
        asset_checks=[check],
        jobs=[job],
        resources={"warehouse": WarehouseResource(path=str(warehouse)), "dbt": dbt_resource()},
    )
    result = definitions.resolve_job_def("freshness_only").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )

    evaluations = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == set(sources)
    assert not evaluations["tmall_orders"].passed
    assert evaluations["tmall_orders"].severity == dg.AssetCheckSeverity.ERROR
    assert "age_hours" in evaluations["tmall_orders"].metadata
    assert not evaluations["erp_skus"].passed
    assert evaluations["erp_skus"].severity == dg.AssetCheckSeverity.WARN
    fresh = [name for name in sources if name not in AGES_HOURS]
    assert fresh and all(evaluations[name].passed for name in fresh)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        recorded = con.execute(
            "select asset_key, severity, success, examples from quality.check_results where check_name = ? "
            "and not success order by asset_key",
            [FRESHNESS_CHECK_NAME],
        ).fetchall()
    assert [(r[0], r[1], r[2]) for r in recorded] == [
        ("raw/erp_skus", "warning", False),
        ("raw/tmall_orders", "error", False),
    ]
    assert '"status": "error"' in recorded[1][3] and "error after 50 hours" in recorded[1][3]
