"""聚水潭 outbound, inventory, SKU master and purchase receipts: the client against the local ERP server, landing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import duckdb
import pytest

from orchestration.ingest.api.datasets import JST_INVENTORY, JST_SALES_OUTBOUND, JST_SKUS
from orchestration.ingest.api.errors import ApiError
from orchestration.ingest.api.jushuitan import (
    INVENTORY_PATH,
    OUTBOUND_PATH,
    PURCHASE_RECEIPTS_PATH,
    SKUS_PATH,
    JstClient,
)
from orchestration.ingest.api.landing import land_window, sync
from tests.ingest.api.conftest import RecordedSleeps
from tests.support.protocol_servers.jushuitan_gateway import (
    JushuitanGateway,
    make_inventory,
    make_outbound,
    make_purchase_receipt,
    make_sku,
)

WEEK_START = dt.datetime(2025, 3, 8)
WEEK_END = dt.datetime(2025, 3, 15)


def hourly(hour: int) -> str:
    return (WEEK_START + dt.timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def test_inventory_is_read_over_several_pages_per_sku_and_warehouse(
    jst_gateway: JushuitanGateway, jst_client: JstClient
) -> None:
    jst_gateway.records["inventory"] = [
        make_inventory(f"SKU-{i:03d}", hourly(i), wms_co_id=wms) for i in range(120) for wms in (10086, 10087)
    ]

    rows = jst_client.inventory_modified(WEEK_START, WEEK_END)

    assert len(rows) == 240
    assert len({(r["sku_id"], r["wms_co_id"]) for r in rows}) == 240
    pages = [json.loads(c["biz"])["page_index"] for c in jst_gateway.calls]
    assert pages == [1, 3, 2, 1]  # page size 100: the count first, then from the last page back
    assert {json.loads(c["biz"])["page_size"] for c in jst_gateway.calls} == {100}
    assert rows[0]["virtual_qty"] is None  # "" arrives as null
    assert rows[0]["qty"] == "40"  # numbers as strings stay as sent: staging casts them


@pytest.mark.parametrize(
    ("entity", "path", "method", "make", "id_field"),
    [
        ("outbound", OUTBOUND_PATH, "outbound_modified", lambda i: make_outbound(50000 + i, hourly(i)), "io_id"),
        ("skus", SKUS_PATH, "skus_modified", lambda i: make_sku(f"SKU-{i:03d}", hourly(i)), "sku_id"),
        (
            "purchase_receipts",
            PURCHASE_RECEIPTS_PATH,
            "purchase_receipts_modified",
            lambda i: make_purchase_receipt(70000 + i, hourly(i)),
            "io_id",
        ),
    ],
)
def test_each_endpoint_returns_what_changed_in_the_window_from_its_own_path(
    jst_gateway: JushuitanGateway, jst_client: JstClient, entity, path, method, make, id_field
) -> None:
    jst_gateway.records[entity] = [make(i) for i in range(7 * 24 + 5)]  # 5 records fall after the window

    records = getattr(jst_client, method)(WEEK_START, WEEK_END)

    assert sorted(r[id_field] for r in records) == sorted(make(i)[id_field] for i in range(7 * 24))
    assert {c.get("app_key") for c in jst_gateway.calls} == {jst_gateway.app_key}
    assert jst_gateway.records["orders"] == []  # nothing else was asked


def test_a_window_longer_than_seven_days_is_refused_by_the_client_and_by_the_server(
    jst_gateway: JushuitanGateway, jst_client: JstClient
) -> None:
    with pytest.raises(ValueError, match="longer than 7 days"):
        jst_client.inventory_modified(WEEK_START, WEEK_END + dt.timedelta(days=1))
    biz = {"modified_begin": "2025-03-01 00:00:00", "modified_end": "2025-03-09 00:00:00", "page_index": 1}
    with pytest.raises(ApiError, match="7天"):
        jst_client.post(INVENTORY_PATH, biz)


def test_a_rate_limit_on_the_outbound_query_is_waited_out(
    jst_gateway: JushuitanGateway, jst_client: JstClient, sleeps: RecordedSleeps
) -> None:
    jst_gateway.records["outbound"] = [make_outbound(50001, hourly(1))]
    jst_gateway.fail_next("throttle")

    records = jst_client.outbound_modified(WEEK_START, WEEK_END)

    assert [r["io_id"] for r in records] == [50001]
    assert sleeps == [5.0]  # JST rate_limit_wait_seconds of the test config


def test_a_wrong_signature_is_an_error_with_the_servers_message(
    jst_gateway: JushuitanGateway, jst_client: JstClient
) -> None:
    jst_gateway.app_secret = "another-secret"

    with pytest.raises(ApiError, match="签名错误"):
        jst_client.skus_modified(WEEK_START, WEEK_END)


def test_sku_codes_are_ids_but_an_outbound_needs_a_numeric_io_id(con) -> None:
    window = (dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15))
    skus = [make_sku("SKU-001", "2025-03-14 10:00:00"), {**make_sku("", "2025-03-14 10:00:00"), "sku_id": None}]
    outbound = [make_outbound(50001, "2025-03-14 10:00:00"), {**make_outbound(0, "2025-03-14 11:00:00"), "io_id": "X1"}]

    sku_result = land_window(con, JST_SKUS, "jst", *window, skus)
    outbound_result = land_window(con, JST_SALES_OUTBOUND, "jst", *window, outbound)

    assert (sku_result.rows_loaded, sku_result.rows_quarantined) == (1, 1)
    assert (outbound_result.rows_loaded, outbound_result.rows_quarantined) == (1, 1)
    assert con.execute("select sku_id, i_id, modified from raw.jst_skus").fetchall() == [
        ("SKU-001", "SKU", "2025-03-14 10:00:00")
    ]
    reasons = [r[0] for r in con.execute("select reason from raw.quarantine order by dataset").fetchall()]
    assert reasons == ["io_id 'X1' (io_id) is not a numeric id", "missing sku_id (sku_id)"]


def test_inventory_syncs_per_week_and_a_rerun_changes_nothing(
    con, jst_gateway: JushuitanGateway, jst_client: JstClient
) -> None:
    jst_gateway.records["inventory"] = [make_inventory("SKU-001", "2025-03-02 07:00:00", qty=40)] + [
        make_inventory("SKU-001", "2025-03-12 07:00:00", qty=31)
    ]
    start, until = dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 15)

    first = sync(con, JST_INVENTORY, "jst", jst_client.inventory_modified, start, until)
    second = sync(con, JST_INVENTORY, "jst", jst_client.inventory_modified, start, until)

    assert first.totals()["windows"] == 2 and first.totals()["rows_loaded"] == 2
    assert second.totals()["windows"] == 2 and second.totals()["rows_loaded"] == 0  # fetched again, held already
    assert second.totals()["rows_unchanged"] == 2
    rows = con.execute(
        "select sku_id, wms_co_id, modified, payload from raw.jst_inventory order by modified"
    ).fetchall()
    assert [(r[0], r[1], r[2], json.loads(r[3])["qty"]) for r in rows] == [
        ("SKU-001", "10086", "2025-03-02 07:00:00", "40"),
        ("SKU-001", "10086", "2025-03-12 07:00:00", "31"),
    ]
