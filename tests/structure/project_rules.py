"""Structure rules for the dbt project, checked from `target/manifest.json` (the dbt Hub's project evaluator is out
of reach offline). `make test` fails when a model breaks one; each rule says what to change.

- naming by layer: `stg_<source>__<entity>` in staging, `int_` in intermediate, marts not named like either;
- `source()` only in staging: every other layer reads models;
- every model has a description and a tested primary key (unique and not_null on one column, or a
  unique-combination test);
- personal data stays in raw: no model has a column named like a personal field (`PERSONAL_COLUMNS`, declared with
  the raw datasets in orchestration/ingest/declarations.py) unless it is a hash;
- marts are materialised as tables (an incremental one merges on its primary key: `unique_key`) and carry an
  enforced contract: `contract: {enforced: true}` and a `data_type`
  for every column (dbt then fails a build whose SQL produces another column list or type);
- every raw source has a freshness threshold (declared once in dbt_project.yml) and `loaded_at_field: _loaded_at`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from orchestration.ingest.declarations import PERSONAL_COLUMNS

STAGING_NAME = re.compile(r"^stg_[a-z0-9]+__[a-z0-9_]+$")


def load_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _layer(node: dict[str, Any]) -> str:
    fqn = node.get("fqn", [])
    return fqn[1] if len(fqn) > 2 else ""


def _tests_by_model(manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        attached = node.get("attached_node") or next(iter(node.get("depends_on", {}).get("nodes", [])), None)
        if attached:
            tests[attached].append(node)
    return tests


def _has_tested_primary_key(tests: list[dict[str, Any]]) -> bool:
    by_column: dict[str, set[str]] = defaultdict(set)
    for test in tests:
        metadata = test.get("test_metadata") or {}
        name = metadata.get("name", "")
        if name in {"unique_combination_of_columns", "dbt_utils.unique_combination_of_columns"}:
            return True
        column = test.get("column_name") or (metadata.get("kwargs") or {}).get("column_name")
        if column:
            by_column[column].add(name)
    return any({"unique", "not_null"} <= names for names in by_column.values())


def check_project_structure(manifest: dict[str, Any]) -> list[str]:
    """Every broken rule, as one sentence per model and rule. Empty when the project follows them all."""
    problems: list[str] = []
    tests = _tests_by_model(manifest)
    project = manifest["metadata"].get("project_name")
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model" or node.get("package_name") != project:
            continue
        name, layer = node["name"], _layer(node)
        where = f"{node['original_file_path']} ({name})"
        if layer == "staging" and not STAGING_NAME.match(name):
            problems.append(f"{where}: staging models are named stg_<source>__<entities>")
        if layer == "intermediate" and not name.startswith("int_"):
            problems.append(f"{where}: intermediate models are named int_<entities>_<verb>")
        if layer not in {"staging", "intermediate"} and name.startswith(("stg_", "int_")):
            problems.append(f"{where}: a {layer} model must not carry a staging/intermediate prefix")
        sources = [d for d in node.get("depends_on", {}).get("nodes", []) if d.startswith("source.")]
        if sources and layer != "staging":
            problems.append(f"{where}: only staging reads source() ({', '.join(sources)}); read a staging model")
        if not (node.get("description") or "").strip():
            problems.append(f"{where}: the model has no description")
        if not _has_tested_primary_key(tests.get(unique_id, [])):
            problems.append(f"{where}: no tested primary key (unique + not_null on a column)")
        for column in node.get("columns", {}):
            if column.lower() in PERSONAL_COLUMNS:
                problems.append(f"{where}: column {column} is personal data; hash it in staging (e.g. {column}_hash)")
        materialized = node.get("config", {}).get("materialized")
        if layer == "marts" and materialized not in {"table", "incremental"}:
            problems.append(f"{where}: marts are materialised as tables (or incremental tables)")
        if layer == "marts" and materialized == "incremental" and not node.get("config", {}).get("unique_key"):
            problems.append(f"{where}: an incremental mart merges on its primary key: set unique_key")
        if layer == "marts":
            problems.extend(_contract_problems(where, node))
    for source in sorted(manifest.get("sources", {}).values(), key=lambda s: s["unique_id"]):
        if source.get("package_name") != project:
            continue
        where = f"{source['original_file_path']} (source {source['source_name']}.{source['name']})"
        if not (source.get("freshness") or {}).get("error_after", {}).get("count"):
            problems.append(f"{where}: no freshness threshold (dbt_project.yml `sources:` +freshness)")
        if not source.get("loaded_at_field") and not source.get("loaded_at_query"):
            problems.append(f"{where}: no loaded_at_field; add `config: {{loaded_at_field: _loaded_at}}` to the source")
    return problems


def _contract_problems(where: str, node: dict[str, Any]) -> list[str]:
    if not (node.get("config", {}).get("contract") or {}).get("enforced"):
        return [f"{where}: marts carry an enforced contract (config: contract: {{enforced: true}})"]
    untyped = [name for name, column in node.get("columns", {}).items() if not column.get("data_type")]
    if untyped:
        return [f"{where}: contract columns without a data_type: {', '.join(untyped)}"]
    return []
