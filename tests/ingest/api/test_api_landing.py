"""Landing API windows in `raw`: row accounting, quarantine, one transaction per window, cursors, idempotency."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import duckdb
import pytest

from orchestration.ingest.api import landing
from orchestration.ingest.api.cursors import read_cursor
from orchestration.ingest.api.jushuitan import JstClient
from orchestration.ingest.api.landing import JST_ORDERS, TOP_REFUNDS, TOP_TRADES, land_window, sync
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
    logged = table(con, "select dataset, rows_in, rows_loaded, rows_quarantined, status from raw.ingest_log")
    assert logged == [("top_trades", 4, 1, 3, "loaded")]


def test_sync_fetches_from_the_cursor_in_windows_and_a_rerun_changes_nothing(con, top_gateway: TopGateway, http):
    top_gateway.trades = two_days_of_trades()
    client = TopClient(_config(top_gateway), http=http)

    first = sync(con, TOP_TRADES, SHOP, client.trades_modified, until=UNTIL, initial_start=START)
    again = sync(con, TOP_TRADES, SHOP, client.trades_modified, until=UNTIL, initial_start=START)

    assert [w.end for w in first.windows] == [dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15)]
    assert first.totals()["rows_loaded"] == 24
    assert again.windows == []  # the cursor is at the end: nothing to fetch
    assert read_cursor(con, "top_trades", SHOP) == UNTIL
    assert table(con, "select count(*), count(distinct tid) from raw.top_trades") == [(24, 24)]
    accounting = table(con, "select sum(rows_in), sum(rows_loaded) + sum(rows_quarantined) from raw.ingest_log")
    assert accounting == [(24, 24)]


def test_a_window_already_logged_as_loaded_is_not_loaded_again(con) -> None:
    window = (dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15))
    trade = make_trade(5118609024991031607, "2025-03-14 10:00:00")
    land_window(con, TOP_TRADES, SHOP, *window, [trade])
    con.execute("delete from raw.api_cursors")  # as if the cursor were lost: the log still knows the window

    report = sync(con, TOP_TRADES, SHOP, lambda s, e: [trade], until=window[1], initial_start=window[0])

    assert [w.status for w in report.windows] == ["already_loaded"]
    assert table(con, "select count(*) from raw.top_trades") == [(1,)]


def test_a_failed_run_resumes_where_it_stopped(con, top_gateway: TopGateway, http) -> None:
    top_gateway.trades = two_days_of_trades()
    client = TopClient(_config(top_gateway), http=http)
    calls: list[dt.datetime] = []

    def failing_on_second_window(start: dt.datetime, end: dt.datetime) -> list[dict]:
        calls.append(start)
        if len(calls) == 2:
            raise RuntimeError("network gone")
        return client.trades_modified(start, end)

    with pytest.raises(RuntimeError):
        sync(con, TOP_TRADES, SHOP, failing_on_second_window, until=UNTIL, initial_start=START)
    assert read_cursor(con, "top_trades", SHOP) == dt.datetime(2025, 3, 14)

    resumed = sync(con, TOP_TRADES, SHOP, client.trades_modified, until=UNTIL, initial_start=START)

    assert [w.start for w in resumed.windows] == [dt.datetime(2025, 3, 14)]
    assert table(con, "select count(*), count(distinct tid) from raw.top_trades") == [(24, 24)]


def test_a_window_that_fails_while_loading_leaves_nothing_behind(con, monkeypatch) -> None:
    def broken_cursor(*args: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(landing, "advance_cursor", broken_cursor)
    trades = [make_trade(5118609024991031607, "2025-03-14 10:00:00"), {"tid": None}]

    with pytest.raises(RuntimeError, match="killed"):
        land_window(con, TOP_TRADES, SHOP, dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15), trades)

    for name in ("top_trades", "quarantine", "ingest_log", "api_cursors"):
        assert table(con, f"select count(*) from raw.{name}") == [(0,)], name


def test_refunds_and_erp_orders_land_in_their_own_tables(con, jst_gateway: JushuitanGateway, http) -> None:
    refunds = [{"refund_id": 88001, "tid": 5118609024991031607, "oid": 5118609024991031608, "status": "SUCCESS"}]
    land_window(con, TOP_REFUNDS, SHOP, dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15), refunds)
    jst_gateway.orders = [make_order(9001, "2025-03-10 08:00:00"), make_order(9002, "2025-03-12 08:00:00")]
    client = JstClient(_jst_config(jst_gateway), http=http)

    report = sync(con, JST_ORDERS, "jst", client.orders_modified, until=UNTIL, initial_start=dt.datetime(2025, 3, 1))

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
