"""The raw gates validate what arrived since they last passed, and give the verdict a whole-table validation gives.

Each test loads real landing files with the real loader into an in-memory warehouse and runs the gate's own
validation (`validate_raw_gate`, what the Dagster asset check runs) and bookkeeping (`record_validated_batches`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import ingest_landing
from tests.ingest.test_landing_loader import ORDER_HEADER, order_row, write_csv

FIRST_ID = 5118609024991031607


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def orders_file(folder: Path, name: str, first: int, count: int, status: str = "交易成功") -> None:
    rows = [order_row(str(FIRST_ID + i), status=status) for i in range(first, first + count)]
    write_csv(folder / name, ORDER_HEADER, rows)


def run_gate(con: duckdb.DuckDBPyConnection, chunk_rows: int | None = None):
    from orchestration.quality.checks import RAW_GATES, record_validated_batches, validate_raw_gate

    gate = next(g for g in RAW_GATES if g.dataset == "tmall_orders")
    run = validate_raw_gate(con, gate, chunk_rows=chunk_rows)
    record_validated_batches(con, gate, run, run_id="test")
    return run.outcome


def whole_table_outcome(con: duckdb.DuckDBPyConnection):
    """What the gate said before it validated by batch: every entity's latest delivery, in one frame."""
    from orchestration.quality.checks import RAW_GATES, suite_columns
    from orchestration.quality.great_expectations import load_suite_definition, validate_dataframe

    gate = next(g for g in RAW_GATES if g.dataset == "tmall_orders")
    definition = load_suite_definition(gate.suite)
    return validate_dataframe(con.execute(gate.query(suite_columns(definition))).df(), definition)


def test_a_second_run_validates_only_the_new_delivery(tmp_path: Path, con) -> None:
    orders_file(tmp_path / "day1", "ExportOrderList_day1.csv", 0, 30)
    ingest_landing(con, tmp_path / "day1")
    first = run_gate(con)
    orders_file(tmp_path / "day2", "ExportOrderList_day2.csv", 30, 5)
    ingest_landing(con, tmp_path / "day2")

    second = run_gate(con)
    third = run_gate(con)

    assert (first.passed, first.row_count) == (True, 30)
    assert (second.passed, second.row_count) == (True, 5)
    assert (third.passed, third.row_count) == (True, 0)


def test_a_failed_delivery_keeps_blocking_until_a_corrected_one_supersedes_it(tmp_path: Path, con) -> None:
    orders_file(tmp_path / "day1", "ExportOrderList_day1.csv", 0, 10)
    ingest_landing(con, tmp_path / "day1")
    assert run_gate(con).passed
    orders_file(tmp_path / "bad", "ExportOrderList_bad.csv", 10, 3, status="交易暂停")  # not a Tmall status
    ingest_landing(con, tmp_path / "bad")

    failed = run_gate(con)
    failed_again = run_gate(con)
    orders_file(tmp_path / "fixed", "ExportOrderList_fixed.csv", 10, 3)  # the same orders, re-exported
    ingest_landing(con, tmp_path / "fixed")
    fixed = run_gate(con)

    assert not failed.passed and not failed_again.passed
    status = next(r for r in failed_again.results if r.column == "order_status")
    assert (status.unexpected_count, status.element_count) == (3, 3)
    assert (fixed.passed, fixed.row_count) == (True, 3)
    assert whole_table_outcome(con).passed
    assert run_gate(con).row_count == 0


def test_validating_in_chunks_gives_the_whole_table_verdict_and_counts(tmp_path: Path, con) -> None:
    for day in range(4):
        orders_file(tmp_path / f"d{day}", f"ExportOrderList_{day}.csv", day * 4, 6)  # each file re-sends 2 orders
    orders_file(tmp_path / "d4", "ExportOrderList_4.csv", 100, 2, status="交易暂停")
    for day in range(5):
        ingest_landing(con, tmp_path / f"d{day}")

    chunked = run_gate(con, chunk_rows=6)
    whole = whole_table_outcome(con)

    assert chunked.row_count == whole.row_count == 4 * 4 + 2 + 2
    assert not chunked.passed and not whole.passed
    assert [(r.expectation, r.column, r.unexpected_count, r.element_count) for r in chunked.results] == [
        (r.expectation, r.column, r.unexpected_count, r.element_count) for r in whole.results
    ]


def test_a_changed_suite_validates_every_batch_again(tmp_path: Path, con, monkeypatch) -> None:
    import orchestration.quality.checks as checks

    orders_file(tmp_path / "day1", "ExportOrderList_day1.csv", 0, 8)
    ingest_landing(con, tmp_path / "day1")
    assert run_gate(con).row_count == 8
    original = checks.load_suite_definition

    def stricter(name: str):
        definition = original(name)
        definition["expectations"][0].setdefault("meta", {})["notes"] = "changed"
        return definition

    monkeypatch.setattr(checks, "load_suite_definition", stricter)

    assert run_gate(con).row_count == 8
