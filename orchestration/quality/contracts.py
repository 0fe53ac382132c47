"""The contract of the metric tables: what the reports may rely on in schema `metrics`.

dbt enforces the marts' contracts itself (`contract: {enforced: true}` in models/marts/**). The metric tables are
written by Python (orchestration/metrics/tables.py), so their contract is a reviewable file,
`expectations/metric_tables.contract.yml`, and a blocking asset check on `metrics/metric_tables` compares the
warehouse with it after every build. Each problem names the table, the column, what was expected and what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.quality.great_expectations import EXPECTATIONS_DIR, ExpectationOutcome, SuiteOutcome

METRIC_TABLES_CONTRACT = EXPECTATIONS_DIR / "metric_tables.contract.yml"
METRICS_SCHEMA = "metrics"
CONTRACT_CHECK_NAME = "metric_tables_contract"


@dataclass(frozen=True)
class ContractColumn:
    name: str
    data_type: str
    not_null: bool = False


def normalise_type(data_type: str) -> str:
    """`DECIMAL(18, 2)` and `decimal(18,2)` are the same type."""
    return re.sub(r"\s+", "", data_type).lower()


def load_contract(path: Path = METRIC_TABLES_CONTRACT) -> dict[str, list[ContractColumn]]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        table: [
            ContractColumn(c["name"], normalise_type(str(c["data_type"])), bool(c.get("not_null", False)))
            for c in spec["columns"]
        ]
        for table, spec in document["tables"].items()
    }


def _problem(check: str, table: str, column: str | None, message: str) -> ExpectationOutcome:
    return ExpectationOutcome(
        expectation=check,
        column=f"{table}.{column}" if column else table,
        severity="error",
        unexpected_count=1,
        element_count=1,
        examples=[{"problem": message}],
    )


def check_contract(
    con: duckdb.DuckDBPyConnection, contract: dict[str, list[ContractColumn]], schema: str = METRICS_SCHEMA
) -> SuiteOutcome:
    """Compare the tables of `schema` with the contract: one result per declared table, column and not-null key,
    plus one failure per undeclared table or column."""
    actual: dict[str, dict[str, str]] = {}
    for table, column, data_type in con.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = ? "
        "order by table_name, ordinal_position",
        [schema],
    ).fetchall():
        actual.setdefault(table, {})[column] = normalise_type(data_type)

    results: list[ExpectationOutcome] = []
    for table in sorted(set(actual) - set(contract)):
        results.append(
            _problem(
                "table_is_declared",
                f"{schema}.{table}",
                None,
                f"table {schema}.{table} is not in the contract: declare it in {METRIC_TABLES_CONTRACT.name}",
            )
        )
    for table, columns in contract.items():
        qualified = f"{schema}.{table}"
        if table not in actual:
            results.append(_problem("table_exists", qualified, None, f"table {qualified} is missing"))
            continue
        found = actual[table]
        for column in sorted(set(found) - {c.name for c in columns}):
            results.append(
                _problem(
                    "column_is_declared",
                    qualified,
                    column,
                    f"{qualified}.{column} ({found[column]}) is not in the contract: declare it in "
                    f"{METRIC_TABLES_CONTRACT.name}",
                )
            )
        row_count = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        for column in columns:
            where = f"{qualified}.{column.name}"
            if column.name not in found:
                results.append(
                    _problem("column_exists", qualified, column.name, f"{where}: expected {column.data_type}, missing")
                )
                continue
            type_ok = found[column.name] == column.data_type
            results.append(
                ExpectationOutcome(
                    expectation="column_data_type",
                    column=where,
                    severity="error",
                    unexpected_count=0 if type_ok else row_count,
                    element_count=row_count,
                    examples=[]
                    if type_ok
                    else [{"problem": f"{where}: expected {column.data_type}, actual {found[column.name]}"}],
                    success=type_ok,
                )
            )
            if column.not_null:
                nulls = con.execute(
                    f'select count(*) from "{schema}"."{table}" where "{column.name}" is null'
                ).fetchone()[0]
                results.append(
                    ExpectationOutcome(
                        expectation="column_not_null",
                        column=where,
                        severity="error",
                        unexpected_count=nulls,
                        element_count=row_count,
                        examples=[{"problem": f"{where}: expected no nulls, actual {nulls} null rows"}]
                        if nulls
                        else [],
                        success=nulls == 0,
                    )
                )
    return SuiteOutcome(suite=CONTRACT_CHECK_NAME, row_count=len(contract), results=results)
