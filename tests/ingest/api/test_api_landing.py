"""Landing API windows in `raw`: row accounting, quarantine, one transaction per window, re-fetching, idempotency."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import duckdb
import pytest

from orchestration.ingest.api import landing
from orchestration.ingest.api.datasets import JST_ORDERS, TOP_REFUNDS, TOP_TRADES
from orchestration.ingest.api.jushuitan import JstClient
from orchestration.ingest.api.landing import land_window, plan_windows, sync
from orchestration.ingest.api.top import TopClient
from tests.support.protocol_servers.jushuitan_gateway import JushuitanGateway, make_order
from tests.support.protocol_servers.top_gateway import TopGateway, make_trade

SHOP = "暖居旗舰店"
START = dt.datetime(2025, 3, 13)
UNTIL = dt.datetime(2025, 3, 15)


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def two_days_of_trades() -> list[dict]:
    return [
        make_trade(5118609024991031000 + 10 * i, (START + dt.timedelta(hours=2 * i)).strftime("%Y-%m-%d %H:%M:%S"))
        for i in range(24)
    ]


def table(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_a_window_lands_one_row_per_trade_version_with_lineage(con) -> None:
    trade = make_trade(5118609024991031607, "2025-03-14 10:23:45", created="2025-03-14 10:20:00")

    result = land_window(con, TOP_TRADES, SHOP, dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15), [trade])

    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (1, 1, 0)
    row = table(
        con, "select tid, status, created, modified, payload, _source_file, _source_row_number from raw.top_trades"
    )[0]
    assert row[:4] == ("5118609024991031607", "TRADE_FINISHED", "2025-03-14 10:20:00", "2025-03-14 10:23:45")
    assert json.loads(row[4])["orders"][0]["outer_sku_id"] == "SKU-001"
    assert row[5] == (
        f"api:taobao.trades.sold.increment.get?shop={SHOP}&start=2025-03-14T00:00:00&end=2025-03-15T00:00:00"
    )
    assert row[6] == 1


def test_records_without_a_usable_id_are_quarantined_with_the_reason(con) -> None:
    good = make_trade(5118609024991031607, "2025-03-14 10:00:00")
    missing = {"status": "TRADE_FINISHED", "modified": "2025-03-14 11:00:00"}
    float_id = {"tid": 5.11860902499103e18, "modified": "2025-03-14 12:00:00"}
    text_id = {"tid_str": "abc", "modified": "2025-03-14 13:00:00"}

    result = land_window(
        con, TOP_TRADES, SHOP, dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15), [good, missing, float_id, text_id]
    )

    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (4, 1, 3)
    reasons = table(con, "select _source_row_number, reason from raw.quarantine order by 1")
    assert reasons[0] == (2, "missing tid (tid_str/tid)")
    assert reasons[1][0] == 3 and "is not a numeric id" in reasons[1][1]
    assert reasons[2] == (4, "tid 'abc' (tid_str/tid) is not a numeric id")
    logged = table(
        con, "select dataset, rows_in, rows_loaded, rows_quarantined, rows_unchanged, status from raw.ingest_log"
    )
    assert logged == [("top_trades", 4, 1, 3, 0, "loaded")]


def test_sync_fetches_the_range_in_windows_and_a_rerun_fetches_again_but_adds_nothing(
    con, top_gateway: TopGateway, http
) -> None:
    top_gateway.trades = two_days_of_trades()
    client = TopClient(_config(top_gateway), http=http)

    first = sync(con, TOP_TRADES, SHOP, client.trades_modified, START, UNTIL)
    again = sync(con, TOP_TRADES, SHOP, client.trades_modified, START, UNTIL)

    assert [w.end for w in first.windows] == [dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15)]
    assert first.totals()["rows_loaded"] == 24
    assert [w.end for w in again.windows] == [dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15)]  # fetched again
    assert (again.totals()["rows_in"], again.totals()["rows_loaded"], again.totals()["rows_unchanged"]) == (24, 0, 24)
    assert table(con, "select count(*), count(distinct tid) from raw.top_trades") == [(24, 24)]
    accounting = table(
        con,
        "select count(*) from raw.ingest_log where rows_in <> rows_loaded + rows_quarantined + rows_unchanged",
    )
    assert accounting == [(0,)]
    assert table(con, "select count(*) from raw.ingest_log") == [(4,)]  # every fetch of a window is logged


def test_a_window_fetched_again_appends_only_the_records_that_changed(con) -> None:
    window = (dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15))
    paid = make_trade(5118609024991031607, "2025-03-14 10:00:00", status="WAIT_SELLER_SEND_GOODS")
    other = make_trade(5118609024991031617, "2025-03-14 11:00:00")
    land_window(con, TOP_TRADES, SHOP, *window, [paid, other])
    # the seller changed the order within the same day: the API now serves its newer version
    shipped = make_trade(5118609024991031607, "2025-03-14 18:00:00", status="WAIT_BUYER_CONFIRM_GOODS")

    again = land_window(con, TOP_TRADES, SHOP, *window, [other, shipped])

    assert (again.rows_in, again.rows_loaded, again.rows_quarantined, again.rows_unchanged) == (2, 1, 0, 1)
    assert table(con, "select tid, status from raw.top_trades order by modified") == [
        ("5118609024991031607", "WAIT_SELLER_SEND_GOODS"),
        ("5118609024991031617", "TRADE_FINISHED"),
        ("5118609024991031607", "WAIT_BUYER_CONFIRM_GOODS"),
    ]


def test_a_record_twice_in_one_window_is_held_once(con) -> None:
    trade = make_trade(5118609024991031607, "2025-03-14 10:00:00")

    result = land_window(con, TOP_TRADES, SHOP, dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15), [trade, trade])

    assert (result.rows_in, result.rows_loaded, result.rows_unchanged) == (2, 1, 1)
    assert table(con, "select count(*) from raw.top_trades") == [(1,)]


def test_a_quarantined_record_fetched_again_is_not_quarantined_twice(con) -> None:
    window = (dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15))
    broken = {"status": "TRADE_FINISHED", "modified": "2025-03-14 11:00:00"}
    land_window(con, TOP_TRADES, SHOP, *window, [broken])

    again = land_window(con, TOP_TRADES, SHOP, *window, [broken])

    assert (again.rows_in, again.rows_quarantined, again.rows_unchanged) == (1, 0, 1)
    assert table(con, "select count(*) from raw.quarantine") == [(1,)]


def test_a_failed_run_keeps_the_committed_windows_and_a_rerun_completes_the_range(
    con, top_gateway: TopGateway, http
) -> None:
    top_gateway.trades = two_days_of_trades()
    client = TopClient(_config(top_gateway), http=http)
    calls: list[dt.datetime] = []

    def failing_on_second_window(start: dt.datetime, end: dt.datetime) -> list[dict]:
        calls.append(start)
        if len(calls) == 2:
            raise RuntimeError("network gone")
        return client.trades_modified(start, end)

    with pytest.raises(RuntimeError):
        sync(con, TOP_TRADES, SHOP, failing_on_second_window, START, UNTIL)
    assert table(con, "select count(*) from raw.top_trades") == [(12,)]  # the first day, committed

    rerun = sync(con, TOP_TRADES, SHOP, client.trades_modified, START, UNTIL)

    assert [(w.start, w.rows_loaded, w.rows_unchanged) for w in rerun.windows] == [
        (dt.datetime(2025, 3, 13), 0, 12),
        (dt.datetime(2025, 3, 14), 12, 0),
    ]
    assert table(con, "select count(*), count(distinct tid) from raw.top_trades") == [(24, 24)]


def test_windows_of_a_day_or_less_never_cross_a_china_midnight() -> None:
    day, week = dt.timedelta(days=1), dt.timedelta(days=7)

    assert plan_windows(START, UNTIL, dt.timedelta(minutes=50))[-1] == (
        dt.datetime(2025, 3, 14, 23, 20),
        dt.datetime(2025, 3, 15),
    )
    assert all(s.date() == (e - dt.timedelta(seconds=1)).date() for s, e in plan_windows(START, UNTIL, day / 3.5))
    assert plan_windows(START, UNTIL, day) == [(START, dt.datetime(2025, 3, 14)), (dt.datetime(2025, 3, 14), UNTIL)]
    assert plan_windows(dt.datetime(2025, 3, 1), UNTIL, week) == [
        (dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 8)),
        (dt.datetime(2025, 3, 8), UNTIL),
    ]


def test_a_window_that_fails_while_loading_leaves_nothing_behind(con, monkeypatch) -> None:
    clock: list[dt.datetime] = []

    def dies_when_the_log_entry_is_written() -> dt.datetime:
        # first call: the window's start; second: the log entry's finish, after its rows were inserted
        if clock:
            raise RuntimeError("killed")
        clock.append(dt.datetime(2025, 3, 15, 2, 0))
        return clock[0]

    monkeypatch.setattr(landing, "_utc_now", dies_when_the_log_entry_is_written)
    trades = [make_trade(5118609024991031607, "2025-03-14 10:00:00"), {"tid": None}]

    with pytest.raises(RuntimeError, match="killed"):
        land_window(con, TOP_TRADES, SHOP, dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15), trades)

    for name in ("top_trades", "quarantine", "ingest_log"):
        assert table(con, f"select count(*) from raw.{name}") == [(0,)], name


def test_refunds_and_erp_orders_land_in_their_own_tables(con, jst_gateway: JushuitanGateway, http) -> None:
    refunds = [{"refund_id": 88001, "tid": 5118609024991031607, "oid": 5118609024991031608, "status": "SUCCESS"}]
    land_window(con, TOP_REFUNDS, SHOP, dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15), refunds)
    jst_gateway.orders = [make_order(9001, "2025-03-10 08:00:00"), make_order(9002, "2025-03-12 08:00:00")]
    client = JstClient(_jst_config(jst_gateway), http=http)

    report = sync(con, JST_ORDERS, "jst", client.orders_modified, dt.datetime(2025, 3, 1), UNTIL)

    assert table(con, "select refund_id, tid, oid, status from raw.top_refunds") == [
        ("88001", "5118609024991031607", "5118609024991031608", "SUCCESS")
    ]
    assert [w.end for w in report.windows] == [dt.datetime(2025, 3, 8), UNTIL]
    rows = table(con, "select o_id, so_id, shop_id, payload from raw.jst_orders order by o_id")
    assert [r[:3] for r in rows] == [("9001", "5118609024991040601", "10001"), ("9002", "5118609024991040602", "10001")]
    assert json.loads(rows[0][3])["freight"] is None  # "" arrived, null is stored


def _config(gateway: TopGateway):
    from tests.ingest.api.conftest import top_config

    return top_config(gateway)


def _jst_config(gateway: JushuitanGateway):
    from tests.ingest.api.conftest import jst_config

    return jst_config(gateway)
