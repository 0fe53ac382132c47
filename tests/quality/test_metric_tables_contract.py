"""The metric tables' contract (expectations/metric_tables.contract.yml) catches a changed type, a missing or
undeclared column or table, and nulls in a key, naming table, column, expected and actual."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.quality.contracts import check_contract, load_contract


@pytest.fixture
def warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory schema `metrics` built from the contract itself, one row per table."""
    con = duckdb.connect()
    con.execute("create schema metrics")
    for table, columns in load_contract().items():
        con.execute(f"create table metrics.{table} ({', '.join(f'{c.name} {c.data_type}' for c in columns)})")
        values = ", ".join(
            f"cast('2026-01-01' as {c.data_type})"
            if c.data_type in {"date", "timestamp"}
            else f"cast('1' as {c.data_type})"
            if c.not_null
            else "null"
            for c in columns
        )
        con.execute(f"insert into metrics.{table} values ({values})")
    return con


def problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [e["problem"] for f in check_contract(con, load_contract()).failures for e in f.examples]


def test_the_contract_declares_the_documented_tables_with_typed_keys() -> None:
    contract = load_contract()
    assert {"daily_kpis", "kpi_periods", "report_meta", "monthly_reconciliation_match_rate"} <= set(contract)
    daily = {c.name: c for c in contract["daily_kpis"]}
    assert daily["metric_date"].not_null and daily["metric_date"].data_type == "date"
    assert daily["paid_gmv"].data_type == "decimal(18,2)"


def test_tables_matching_the_contract_pass(warehouse: duckdb.DuckDBPyConnection) -> None:
    outcome = check_contract(warehouse, load_contract())
    assert outcome.passed, problems(warehouse)
    assert outcome.expectations_evaluated > 50


def test_a_money_column_turned_double_is_named_with_expected_and_actual(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("alter table metrics.daily_kpis alter paid_gmv type double")
    assert problems(warehouse) == ["metrics.daily_kpis.paid_gmv: expected decimal(18,2), actual double"]


def test_missing_and_undeclared_columns_and_tables_fail(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("alter table metrics.daily_kpis drop column net_sales")
    warehouse.execute("alter table metrics.daily_kpis add column margin double")
    warehouse.execute("drop table metrics.report_meta")
    warehouse.execute("create table metrics.daily_kpis_v2 (metric_date date)")

    found = problems(warehouse)

    assert "metrics.daily_kpis.net_sales: expected decimal(18,2), missing" in found
    assert any(p.startswith("metrics.daily_kpis.margin (double) is not in the contract") for p in found)
    assert "table metrics.report_meta is missing" in found
    assert any(p.startswith("table metrics.daily_kpis_v2 is not in the contract") for p in found)
    assert len(found) == 4


def test_a_null_key_fails(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("insert into metrics.daily_kpis (metric_date) values (null)")
    assert problems(warehouse) == ["metrics.daily_kpis.metric_date: expected no nulls, actual 1 null rows"]
