"""Project structure rules over dbt's manifest, and slim CI's selection of what a change touches."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT
from tests.structure.project_rules import check_project_structure, load_manifest

DBT = str(Path(sys.executable).with_name("dbt"))
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/generic", "tests/singular")


def copy_project(target: Path) -> Path:
    """The dbt project alone (no pytest files), in a scratch folder a test may change."""
    for part in PROJECT_PARTS:
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    return target


def dbt(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "WAREHOUSE_PATH": str(project / "w.duckdb")}
    return subprocess.run(
        [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )


def test_the_project_follows_every_structure_rule(dbt_manifest: Path) -> None:
    assert check_project_structure(load_manifest(dbt_manifest)) == []


def test_a_model_breaking_the_rules_is_caught_with_the_reason(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    mart = project / "models" / "marts" / "core"
    (mart / "leaky_buyers.sql").write_text(
        "{{ config(materialized='view') }}\nselect order_id, buyer_nick from {{ source('tmall', 'tmall_orders') }}\n",
        encoding="utf-8",
    )
    (mart / "leaky_buyers.yml").write_text(
        "models:\n  - name: leaky_buyers\n    columns:\n      - name: order_id\n      - name: buyer_nick\n",
        encoding="utf-8",
    )
    dbt(project, "parse", "--quiet")

    problems = [p for p in check_project_structure(load_manifest(project / "target" / "manifest.json")) if "leaky" in p]

    assert any("only staging reads source()" in p for p in problems)
    assert any("no description" in p for p in problems)
    assert any("no tested primary key" in p for p in problems)
    assert any("column buyer_nick is personal data" in p for p in problems)
    assert any("materialised as tables" in p for p in problems)
    assert any("marts carry an enforced contract" in p for p in problems)


def descendants(manifest: dict, unique_id: str) -> set[str]:
    found: set[str] = set()
    pending = [unique_id]
    while pending:
        for child in manifest["child_map"].get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


@pytest.mark.timeout(600)
def test_slim_ci_selects_the_changed_model_and_everything_downstream_of_it(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    dbt(project, "parse", "--quiet")
    production = tmp_path / "production-state"
    production.mkdir()
    shutil.copy2(project / "target" / "manifest.json", production / "manifest.json")
    manifest = json.loads((production / "manifest.json").read_text(encoding="utf-8"))

    changed = project / "models" / "staging" / "erp" / "stg_erp__skus.sql"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n-- a reviewed change\n", encoding="utf-8")
    listed = dbt(
        project,
        "ls",
        "--quiet",
        "--select",
        "state:modified+",
        "--state",
        str(production),
        "--resource-type",
        "model",
        "--output",
        "name",
    ).stdout.split()

    expected = {"stg_erp__skus"} | {
        manifest["nodes"][n]["name"]
        for n in descendants(manifest, "model.tmall_analytics.stg_erp__skus")
        if n.startswith("model.")
    }
    assert len(expected) > 2
    assert set(listed) == expected
