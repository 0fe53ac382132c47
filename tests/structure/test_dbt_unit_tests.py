"""The dbt unit tests (`unit_tests:` in the model YAML) run here, on every change, and nowhere else by default.

The pipeline's own `dbt build` leaves them out (orchestration/transform/build_args.py,
`DbtBuildConfig.unit_tests`): they test the SQL's logic on fixed inputs, so running them on every night's data
costs time and proves nothing new, as dbt's own guidance says. A unit test reads its inputs' column types from
the warehouse, so every model is first built empty (`dbt run --empty`) on empty raw tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import ensure_raw_tables
from orchestration.ingest.raw_schema import ensure_api_tables
from tests.structure.test_contracts import dbt_may_fail, edit
from tests.structure.test_dbt_project_structure import copy_project, dbt

FCT_ORDERS = Path("models") / "marts" / "core" / "fct_orders.sql"


def unit_test_results(project: Path) -> dict[str, str]:
    """unique id -> status of the unit tests in the project's last run."""
    results = json.loads((project / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}


@pytest.fixture(scope="module")
def empty_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project in a scratch folder, with the seeds loaded and every model built with no rows."""
    project = copy_project(tmp_path_factory.mktemp("unit-tests") / "project")
    with duckdb.connect(str(project / "w.duckdb")) as con:
        ensure_raw_tables(con)
        ensure_api_tables(con)
    dbt(project, "seed", "--quiet")
    dbt(project, "run", "--quiet", "--empty")
    return project


@pytest.mark.timeout(900)
def test_every_unit_test_of_the_project_passes(empty_project: Path) -> None:
    # the manifest `dbt run --empty` wrote: every unit test the project declares
    declared = set(json.loads((empty_project / "target" / "manifest.json").read_text(encoding="utf-8"))["unit_tests"])

    result = dbt_may_fail(empty_project, "test", "--select", "test_type:unit")

    statuses = unit_test_results(empty_project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert len(declared) >= 20
    assert set(statuses) == declared
    assert set(statuses.values()) == {"pass"}


@pytest.mark.timeout(900)
def test_a_model_that_breaks_its_rule_fails_its_unit_test(empty_project: Path) -> None:
    model = empty_project / FCT_ORDERS
    original = model.read_text(encoding="utf-8")
    try:
        # net amount without the refund taken off
        refund_taken_off = "amounts.total_amount_or_derived - coalesce(amounts.refund_amount, 0)"
        edit(model, refund_taken_off, "amounts.total_amount_or_derived")
        result = dbt_may_fail(empty_project, "test", "--select", "fct_orders,test_type:unit")
    finally:
        model.write_text(original, encoding="utf-8")

    assert result.returncode != 0
    statuses = unit_test_results(empty_project)
    assert [(uid.rsplit(".", 1)[-1], status) for uid, status in statuses.items()] == [
        ("fct_orders_derives_paid_refund_and_net_amounts", "fail")
    ]
    assert "net_amount" in result.stdout


def test_the_pipeline_leaves_unit_tests_to_ci() -> None:
    from orchestration.transform.build_args import DbtBuildConfig, dbt_build_args

    assert dbt_build_args(DbtBuildConfig(), None)[-2:] == ["--exclude", "resource_type:unit_test"]
    assert "resource_type:unit_test" not in dbt_build_args(DbtBuildConfig(unit_tests=True), None)
