"""Mart and metric-table gates validate in chunks of at most QUALITY_GATE_CHUNK_ROWS rows and give the verdict, counts
and examples that validating the whole table as one frame gives.

Each test builds the table in an in-memory warehouse, runs the gate's own validation (`validate_model_gate`, what the
Dagster asset check runs) with a small chunk limit, and compares it with the same gate validated as one frame.
"""

from __future__ import annotations

from types import ModuleType

import duckdb
import pytest

from orchestration.quality.great_expectations import SuiteOutcome

WHOLE_TABLE = 10**9


@pytest.fixture
def checks() -> ModuleType:
    """orchestration.quality.checks, the module whose functions the tests patch."""
    import orchestration.quality.checks

    return orchestration.quality.checks


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    connection.execute("create schema marts")
    yield connection
    connection.close()


@pytest.fixture
def frames(checks, monkeypatch) -> list[int]:
    """The number of rows of every frame handed to Great Expectations."""
    sizes: list[int] = []
    validate = checks.validate_dataframe

    def counting(frame, *args, **kwargs):
        sizes.append(len(frame))
        return validate(frame, *args, **kwargs)

    monkeypatch.setattr(checks, "validate_dataframe", counting)
    return sizes


def gate(checks: ModuleType, suite: str):
    return next(g for g in checks.MODEL_GATES if g.suite == suite)


def verdict(outcome: SuiteOutcome) -> list[tuple]:
    """Everything a gate reports about each expectation (what the check, `check_results` and the logs show)."""
    return [
        (r.expectation, r.column, r.severity, r.success, r.unexpected_count, r.element_count, r.examples)
        for r in outcome.results
    ]


def order_lines(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    con.execute(
        """create table marts.fct_order_lines as
        select 'L' || lpad(i::varchar, 4, '0') as order_line_id, 'P' || (i % 7) as product_key, 1 + i % 3 as quantity,
               10.0 as unit_price, 10.0 as line_revenue, 4.0 as cost_amount,
               case when i % 9 = 0 then 'unmatched_code' else 'mapped' end as mapping_status,
               true as is_paid, date '2025-01-01' + (i % 40)::int as paid_date
        from range($rows) as t(i)""",
        {"rows": rows},
    )


def test_a_duplicate_key_whose_rows_are_far_apart_fails_uniqueness_as_in_the_whole_table(checks, con, frames) -> None:
    order_lines(con, 40)
    # the last line repeats the first line's id: row 0 and row 39 are in different chunks by position or by range
    con.execute("update marts.fct_order_lines set order_line_id = 'L0000' where order_line_id = 'L0039'")
    con.execute("update marts.fct_order_lines set line_revenue = -1 where order_line_id in ('L0005', 'L0031')")

    chunked = checks.validate_model_gate(con, gate(checks, "marts_fct_order_lines"), chunk_rows=10)
    chunk_sizes = list(frames)
    whole = checks.validate_model_gate(con, gate(checks, "marts_fct_order_lines"), chunk_rows=WHOLE_TABLE)

    assert len(chunk_sizes) == 4 and sum(chunk_sizes) == 40
    unique = next(r for r in chunked.results if r.expectation == "expect_column_values_to_be_unique")
    assert (unique.success, unique.unexpected_count) == (False, 2)
    assert [e["order_line_id"] for e in unique.examples] == ["L0000", "L0000"]
    assert not chunked.passed
    assert chunked.row_count == whole.row_count == 40
    assert verdict(chunked) == verdict(whole)


def test_examples_without_example_columns_name_the_rows_the_whole_table_would(checks, con, frames) -> None:
    con.execute(
        """create table marts.fct_orders as
        select 'O' || i as order_id, 100.0 as total_amount, case when i % 6 = 5 then 120.0 else 90.0 end as paid_amount,
               0.0 as refund_amount, 'TRADE_FINISHED' as order_status
        from range(60) as t(i)"""
    )
    con.execute("update marts.fct_orders set order_id = 'O3' where order_id = 'O58'")

    chunked = checks.validate_model_gate(con, gate(checks, "marts_fct_orders"), chunk_rows=7)
    chunks = len(frames)
    whole = checks.validate_model_gate(con, gate(checks, "marts_fct_orders"), chunk_rows=WHOLE_TABLE)

    assert chunks == 9
    paid_above_total = next(r for r in chunked.results if r.column == "_total_minus_paid")
    assert paid_above_total.unexpected_count == 10
    assert paid_above_total.examples == [{"value": position} for position in (5, 11, 17, 23, 29)]
    assert verdict(chunked) == verdict(whole)


def test_a_max_above_its_bound_in_one_chunk_only_fails_the_suite(checks, con, frames, monkeypatch) -> None:
    suite = {
        "name": "test_kpis",
        "expectations": [
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "day"}},
            {"type": "expect_column_max_to_be_between", "kwargs": {"column": "share", "max_value": 0.1}},
            {
                "type": "expect_column_max_to_be_between",
                "kwargs": {"column": "orders", "min_value": 50},
                "meta": {"severity": "warning"},
            },
        ],
    }
    monkeypatch.setattr(checks, "load_suite_definition", lambda name: suite)
    con.execute(
        """create table marts.kpis as
        select i as day, case when i = 17 then 0.4 else 0.05 end as share, case when i = 3 then 60 else 10 end as orders
        from range(30) as t(i)"""
    )
    kpis = checks.ModelGate("test_kpis", ("marts", "kpis"), "marts.kpis")

    chunked = checks.validate_model_gate(con, kpis, chunk_rows=5)
    chunks = len(frames)
    whole = checks.validate_model_gate(con, kpis, chunk_rows=WHOLE_TABLE)

    assert chunks == 6
    unique, share, orders = chunked.results
    assert unique.success
    assert (share.success, share.observed_value, share.examples) == (False, 0.4, [{"observed_value": 0.4}])
    assert (orders.success, orders.observed_value) == (True, 60)  # met by one chunk's max: the table's max
    assert verdict(chunked) == verdict(whole)


def test_uniqueness_on_two_column_sets_is_checked_on_each(checks, con, frames, monkeypatch) -> None:
    suite = {
        "name": "test_snapshots",
        "expectations": [
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "snapshot_id"}},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "qty", "min_value": 0}},
            {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["sku_id", "snapshot_date"]}},
        ],
    }
    monkeypatch.setattr(checks, "load_suite_definition", lambda name: suite)
    con.execute(
        """create table marts.snapshots as
        select 'S' || i as snapshot_id, 'K' || (i % 10) as sku_id, date '2025-01-01' + (i // 10)::int as snapshot_date,
               case when i % 8 = 0 then -1 else 3 end as qty
        from range(50) as t(i)"""
    )
    con.execute("update marts.snapshots set snapshot_id = 'S1' where snapshot_id = 'S48'")
    con.execute("update marts.snapshots set snapshot_date = date '2025-01-01' where snapshot_id = 'S42'")
    snapshots = checks.ModelGate(
        "test_snapshots", ("marts", "snapshots"), "marts.snapshots", example_columns=("sku_id",)
    )

    chunked = checks.validate_model_gate(con, snapshots, chunk_rows=12)
    chunks = len(frames)
    whole = checks.validate_model_gate(con, snapshots, chunk_rows=WHOLE_TABLE)

    assert chunks == 2 * 5  # one pass for snapshot_id (with qty), one for (sku_id, snapshot_date)
    assert [(r.success, r.unexpected_count) for r in chunked.results] == [(False, 2), (False, 7), (False, 2)]
    assert chunked.row_count == 50
    assert verdict(chunked) == verdict(whole)


def test_rows_with_a_null_key_are_spread_over_the_chunks(checks, con, frames) -> None:
    order_lines(con, 60)
    con.execute("update marts.fct_order_lines set order_line_id = null where quantity = 1")  # 20 rows

    chunked = checks.validate_model_gate(con, gate(checks, "marts_fct_order_lines"), chunk_rows=20)
    sizes = list(frames)
    whole = checks.validate_model_gate(con, gate(checks, "marts_fct_order_lines"), chunk_rows=WHOLE_TABLE)

    assert len(sizes) == 3 and max(sizes) < 30
    assert verdict(chunked) == verdict(whole)


def test_a_table_within_the_limit_is_one_frame_as_before(checks, con, frames) -> None:
    order_lines(con, 40)

    outcome = checks.validate_model_gate(con, gate(checks, "marts_fct_order_lines"), chunk_rows=40)

    assert frames == [40]
    assert outcome.passed and outcome.row_count == 40


def test_an_expectation_that_cannot_be_merged_stops_a_chunked_gate(checks, con, monkeypatch) -> None:
    suite = {
        "name": "test_mean",
        "expectations": [{"type": "expect_column_mean_to_be_between", "kwargs": {"column": "v", "max_value": 1}}],
    }
    monkeypatch.setattr(checks, "load_suite_definition", lambda name: suite)
    con.execute("create table marts.t as select i as v from range(10) as t(i)")

    with pytest.raises(ValueError, match="cannot be validated in chunks"):
        checks.validate_model_gate(con, checks.ModelGate("test_mean", ("marts", "t"), "marts.t"), chunk_rows=3)


@pytest.mark.timeout(300)
def test_the_dagster_check_of_a_chunked_gate_records_the_merged_outcome_and_data_docs(
    checks, tmp_path, monkeypatch
) -> None:
    import dagster as dg

    from orchestration.quality.great_expectations import data_docs_index
    from orchestration.resources import WarehouseResource

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.fct_orders as
            select 'O' || i as order_id, case when i = 44 then -3.0 else 100.0 end as total_amount,
                   90.0 as paid_amount, 0.0 as refund_amount, 'TRADE_FINISHED' as order_status
            from range(60) as t(i)"""
        )
        con.execute("update marts.fct_orders set order_id = 'O3' where order_id = 'O58'")
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("QUALITY_DOCS_DIR", str(tmp_path / "docs"))
    monkeypatch.setenv("QUALITY_GATE_CHUNK_ROWS", "7")
    model_gate = gate(checks, "marts_fct_orders")
    definitions = dg.Definitions(
        assets=[dg.AssetSpec(model_gate.asset_key)],
        asset_checks=[checks.gx_table_gate(model_gate)],
        jobs=[dg.define_asset_job("gate_only", selection=dg.AssetSelection.all_asset_checks())],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )

    result = definitions.resolve_job_def("gate_only").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )

    (evaluation,) = result.get_asset_check_evaluations()
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert evaluation.metadata["rows_validated"].value == 60
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failed = con.execute(
            "select column_name, unexpected_count, element_count, examples from quality.check_results "
            "where run_id = ? and not success order by column_name",
            [result.run_id],
        ).fetchall()
    assert failed == [
        ("_total_minus_paid", 1, 60, '[{"value": 44}]'),
        ("order_id", 2, 60, '[{"value": 3}, {"value": 58}]'),
        ("total_amount", 1, 60, '[{"value": 44}]'),
    ]
    assert data_docs_index(tmp_path / "docs").exists()
