"""The API raw tables have raw gates like the files: an unknown status arriving by API blocks with the window and the
record's position as its example, and the outcome is a `quality.check_results` row (an in-memory warehouse)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from orchestration.ingest.api.datasets import JST_ORDERS, TOP_TRADES
from orchestration.ingest.api.landing import land_window

START = dt.datetime(2025, 3, 15)
END = START + dt.timedelta(days=1)


@pytest.fixture
def con(tmp_path, monkeypatch) -> duckdb.DuckDBPyConnection:
    monkeypatch.setenv("QUALITY_OVERRIDES", str(tmp_path / "no-overrides.yml"))
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def trade(tid: int, status: str, modified: str = "2025-03-15 10:00:00") -> dict[str, str]:
    return {"tid_str": str(tid), "status": status, "created": "2025-03-15 09:00:00", "modified": modified}


def gate(name: str):
    from orchestration.quality.checks import RAW_GATES

    return next(g for g in RAW_GATES if g.dataset == name)


def test_an_unknown_trade_status_from_the_api_blocks_naming_the_window_and_record(con) -> None:
    from orchestration.quality.checks import record_outcome, validate_raw_gate

    tid = 4_012_345_678_901_234_567
    records = [trade(tid, "TRADE_FINISHED"), trade(tid + 1, "TRADE_TELEPORTED"), trade(tid + 2, "WAIT_BUYER_PAY")]
    land_window(con, TOP_TRADES, "tmall", START, END, records)

    outcome = validate_raw_gate(con, gate("top_trades")).outcome

    assert not outcome.passed
    assert {f.rule: (f.severity, f.unexpected_count) for f in outcome.failures} == {
        "raw_top_trades.status.be_in_set": ("error", 1)
    }
    example = outcome.failures[0].examples[0]
    assert example["_source_file"].startswith("api:taobao.trades.sold.increment.get?shop=tmall&start=2025-03-15")
    assert example["_source_row_number"] == 2
    record_outcome(con, outcome, run_id="r1", check_name="gx_raw_top_trades", asset_key="raw/top_trades")
    failed = con.execute(
        "select rule_examples from (select examples as rule_examples, success from quality.check_results "
        "where suite = 'raw_top_trades' and column_name = 'status') where not success"
    ).fetchall()
    assert json.loads(failed[0][0])[0]["status"] == "TRADE_TELEPORTED"


ORDERS = [
    {"o_id": "101", "so_id": "4012345678901234567", "status": "Sent", "modified": "2025-03-15 10:00:00"},
    {"o_id": "102", "so_id": "4012345678901234568", "status": "WaitPay", "modified": "2025-03-15 10:00:00"},
]


def test_the_api_gate_passes_correct_records(con) -> None:
    from orchestration.quality.checks import validate_raw_gate

    land_window(con, JST_ORDERS, "jushuitan", START, END, ORDERS)

    outcome = validate_raw_gate(con, gate("jst_orders")).outcome

    assert outcome.passed
    assert outcome.failures == []
    assert outcome.row_count == 2


def test_a_version_sent_twice_with_other_content_warns(con) -> None:
    from orchestration.quality.checks import validate_raw_gate

    land_window(con, JST_ORDERS, "jushuitan", START, END, [*ORDERS, {**ORDERS[1], "status": "Cancelled"}])

    outcome = validate_raw_gate(con, gate("jst_orders")).outcome

    assert outcome.passed
    assert {f.rule: (f.severity, f.unexpected_count) for f in outcome.failures} == {
        "raw_jst_orders._key_contents_in_batch.conflicting_rows": ("warning", 2)
    }


def test_a_modified_time_that_is_no_timestamp_blocks(con) -> None:
    from orchestration.quality.checks import validate_raw_gate

    land_window(con, TOP_TRADES, "tmall", START, END, [trade(4_012_345_678_901_234_567, "TRADE_FINISHED", "yesterday")])

    outcome = validate_raw_gate(con, gate("top_trades")).outcome

    assert [f.rule for f in outcome.failures] == ["raw_top_trades.modified.match_regex"]
    assert not outcome.passed
