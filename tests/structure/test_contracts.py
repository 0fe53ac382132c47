"""A mart change that breaks its enforced contract fails the real dbt build, naming the column; a mart or source that
leaves the contract / freshness conventions fails the structure rules."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.structure.project_rules import check_project_structure, load_manifest
from tests.structure.test_dbt_project_structure import DBT, copy_project, dbt

DIM_DATES = Path("models") / "marts" / "core" / "dim_dates.sql"


def dbt_may_fail(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "WAREHOUSE_PATH": str(project / "w.duckdb")}
    return subprocess.run(
        [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project copied to a scratch folder, with dim_dates and its parents built in a small warehouse."""
    project = copy_project(tmp_path_factory.mktemp("contracts") / "project")
    dbt(project, "build", "--quiet", "--select", "+dim_dates", "--exclude", "test_type:unit")
    return project


@pytest.mark.timeout(600)
def test_the_unchanged_mart_passes_its_contract(built_project: Path) -> None:
    result = dbt_may_fail(built_project, "run", "--select", "dim_dates")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(600)
def test_a_column_whose_type_differs_from_the_contract_fails_the_build(built_project: Path) -> None:
    model = built_project / DIM_DATES
    original = model.read_text(encoding="utf-8")
    try:
        edit(
            model,
            "cast(extract(year from days.date_day) as integer) as year_number",
            "cast(extract(year from days.date_day) as varchar) as year_number",
        )
        result = dbt_may_fail(built_project, "run", "--select", "dim_dates")
    finally:
        model.write_text(original, encoding="utf-8")

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "This model has an enforced contract that failed" in output
    mismatch = next(line for line in output.splitlines() if "year_number" in line)
    assert "VARCHAR" in mismatch.upper() and "INTEGER" in mismatch.upper(), mismatch


@pytest.mark.timeout(600)
def test_a_removed_column_fails_the_build(built_project: Path) -> None:
    model = built_project / DIM_DATES
    original = model.read_text(encoding="utf-8")
    try:
        edit(model, "        cast(extract(quarter from days.date_day) as integer) as quarter_number,\n", "")
        result = dbt_may_fail(built_project, "run", "--select", "dim_dates")
    finally:
        model.write_text(original, encoding="utf-8")

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "This model has an enforced contract that failed" in output
    assert any("quarter_number" in line and "missing" in line.lower() for line in output.splitlines()), output


def test_marts_without_an_enforced_contract_and_sources_without_freshness_break_the_rules(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    edit(
        project / "models" / "marts" / "core" / "_core__new_models.yml",
        "  - name: dim_shops\n    config:\n      contract:\n        enforced: true\n",
        "  - name: dim_shops\n",
    )
    edit(
        project / "models" / "marts" / "core" / "_core__new_models.yml",
        "      - name: warehouse_name\n        data_type: varchar\n",
        "      - name: warehouse_name\n",
    )
    edit(
        project / "models" / "staging" / "erp" / "_erp__sources.yml",
        "    config:\n      loaded_at_field: _loaded_at",
        "    config:\n      meta: {}",
    )
    dbt(project, "parse", "--quiet")

    problems = check_project_structure(load_manifest(project / "target" / "manifest.json"))

    assert any("(dim_shops): marts carry an enforced contract" in p for p in problems), problems
    assert any("(dim_warehouses): contract columns without a data_type: warehouse_name" in p for p in problems)
    no_loaded_at = [p for p in problems if "no loaded_at_field" in p]
    assert no_loaded_at and all("source erp." in p for p in no_loaded_at), problems
    assert not any("no freshness threshold" in p for p in problems)  # the project-level threshold still applies
