"""The API assets, materialised by Dagster against the local protocol servers into a temporary warehouse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.ingest.api.assets import API_ASSETS, build_api_assets
from orchestration.resources import WarehouseResource
from tests.support.protocol_servers.jushuitan_gateway import (
    JushuitanGateway,
    make_inventory,
    make_order,
    make_outbound,
    make_purchase_receipt,
    make_sku,
)
from tests.support.protocol_servers.top_gateway import TopGateway, make_trade

CREDENTIAL_VARIABLES = (
    "TOP_APP_KEY",
    "TOP_APP_SECRET",
    "TOP_SESSION",
    "TOP_BASE_URL",
    "JST_APP_KEY",
    "JST_APP_SECRET",
    "JST_ACCESS_TOKEN",
    "JST_BASE_URL",
)
RUN_CONFIG = {
    "ops": {
        name: {"config": {"initial_start": "2025-03-13 00:00:00", "until": "2025-03-15 00:00:00"}}
        for name in (
            "raw__top_trades",
            "raw__top_refunds",
            "raw__jst_orders",
            "raw__jst_sales_outbound",
            "raw__jst_inventory",
            "raw__jst_skus",
            "raw__jst_purchase_receipts",
        )
    }
}


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_without_credentials_the_assets_materialise_nothing(tmp_path: Path, no_credentials: None) -> None:
    warehouse = tmp_path / "warehouse.duckdb"

    result = dg.materialize(API_ASSETS, resources={"warehouse": WarehouseResource(path=str(warehouse))})

    assert result.success
    assert result.get_asset_materialization_events() == []
    assert not warehouse.exists()  # not even opened


def test_the_assets_fetch_both_apis_into_the_warehouse_and_a_rerun_adds_nothing(
    tmp_path: Path,
    no_credentials: None,
    monkeypatch: pytest.MonkeyPatch,
    top_gateway: TopGateway,
    jst_gateway: JushuitanGateway,
) -> None:
    top_gateway.trades = [
        make_trade(5118609024991031000 + i, f"2025-03-1{3 + i % 2} 1{i % 10}:00:00") for i in range(6)
    ]
    top_gateway.refunds = [{"refund_id": "88001", "tid": "5118609024991031000", "modified": "2025-03-14 09:00:00"}]
    jst_gateway.orders = [make_order(9001, "2025-03-14 08:00:00")]
    jst_gateway.records["outbound"] = [make_outbound(50001, "2025-03-14 09:00:00")]
    jst_gateway.records["inventory"] = [
        make_inventory("SKU-001", "2025-03-14 07:00:00"),
        make_inventory("SKU-001", "2025-03-14 07:00:00", wms_co_id=10087),
    ]
    jst_gateway.records["skus"] = [make_sku("SKU-001", "2025-03-13 10:00:00")]
    jst_gateway.records["purchase_receipts"] = [make_purchase_receipt(70001, "2025-03-14 11:00:00")]
    for name, value in {
        "TOP_APP_KEY": top_gateway.app_key,
        "TOP_APP_SECRET": top_gateway.app_secret,
        "TOP_SESSION": top_gateway.session,
        "TOP_BASE_URL": top_gateway.url,
        "TOP_SHOP_NICK": "暖居旗舰店",
        "JST_APP_KEY": jst_gateway.app_key,
        "JST_APP_SECRET": jst_gateway.app_secret,
        "JST_ACCESS_TOKEN": jst_gateway.access_token,
        "JST_BASE_URL": jst_gateway.url,
    }.items():
        monkeypatch.setenv(name, value)
    warehouse = tmp_path / "warehouse.duckdb"
    resources = {"warehouse": WarehouseResource(path=str(warehouse))}

    first = dg.materialize(API_ASSETS, resources=resources, run_config=RUN_CONFIG)
    second = dg.materialize(API_ASSETS, resources=resources, run_config=RUN_CONFIG)

    assert first.success and second.success
    materialised = {e.asset_key.to_user_string() for e in first.get_asset_materialization_events()}
    assert materialised == {
        "raw/top_trades",
        "raw/top_refunds",
        "raw/jst_orders",
        "raw/jst_sales_outbound",
        "raw/jst_inventory",
        "raw/jst_skus",
        "raw/jst_purchase_receipts",
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = con.execute(
            "select (select count(*) from raw.top_trades), (select count(*) from raw.top_refunds), "
            "(select count(*) from raw.jst_orders), (select count(*) from raw.jst_sales_outbound), "
            "(select count(*) from raw.jst_inventory), (select count(*) from raw.jst_skus), "
            "(select count(*) from raw.jst_purchase_receipts)"
        ).fetchone()
        cursors = con.execute("select source, shop, fetched_until from raw.api_cursors order by source").fetchall()
        windows = con.execute("select count(*), sum(rows_in) from raw.ingest_log").fetchone()
    assert counts == (6, 1, 1, 1, 2, 1, 1)
    assert [(s, str(t)) for s, _, t in cursors] == [
        ("jst_inventory", "2025-03-15 00:00:00"),
        ("jst_orders", "2025-03-15 00:00:00"),
        ("jst_purchase_receipts", "2025-03-15 00:00:00"),
        ("jst_sales_outbound", "2025-03-15 00:00:00"),
        ("jst_skus", "2025-03-15 00:00:00"),
        ("top_refunds", "2025-03-15 00:00:00"),
        ("top_trades", "2025-03-15 00:00:00"),
    ]
    assert windows == (9, 13)  # 2 day-windows for each TOP source, 1 week-window for each ERP endpoint


def test_a_ban_beyond_the_maximum_wait_fails_the_asset_clearly(
    tmp_path: Path, no_credentials: None, monkeypatch: pytest.MonkeyPatch, top_gateway: TopGateway
) -> None:
    monkeypatch.setenv("TOP_APP_KEY", top_gateway.app_key)
    monkeypatch.setenv("TOP_APP_SECRET", top_gateway.app_secret)
    monkeypatch.setenv("TOP_SESSION", top_gateway.session)
    monkeypatch.setenv("TOP_BASE_URL", top_gateway.url)
    monkeypatch.setenv("API_MAX_BAN_WAIT_SECONDS", "10")
    top_gateway.fail_next(("ban", 31062))

    result = dg.materialize(
        [API_ASSETS[0]],
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb"))},
        run_config={"ops": {"raw__top_trades": RUN_CONFIG["ops"]["raw__top_trades"]}},
        raise_on_error=False,
    )

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "31062 more seconds" in str(failure.event_specific_data.error)


def test_without_credentials_they_can_materialise_empty_tables_so_downstream_steps_still_run(
    tmp_path: Path, no_credentials: None
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"

    @dg.asset(deps=[dg.AssetKey(["raw", "top_trades"])])
    def reads_top_trades() -> None:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("select count(*) from raw.top_trades").fetchone() == (0,)

    result = dg.materialize(
        [*build_api_assets(materialize_when_unconfigured=True), reads_top_trades],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )

    materialised = {e.asset_key.to_user_string(): e for e in result.get_asset_materialization_events()}
    assert set(materialised) == {
        "raw/top_trades",
        "raw/top_refunds",
        "raw/jst_orders",
        "raw/jst_sales_outbound",
        "raw/jst_inventory",
        "raw/jst_skus",
        "raw/jst_purchase_receipts",
        "reads_top_trades",
    }
    metadata = materialised["raw/top_trades"].materialization.metadata
    assert "TOP_APP_KEY" in metadata["skipped"].value


def test_the_command_line_entry_point_syncs_the_configured_sources(
    tmp_path: Path, no_credentials: None, monkeypatch: pytest.MonkeyPatch, jst_gateway: JushuitanGateway
) -> None:
    from orchestration.ingest.api.__main__ import main

    jst_gateway.orders = [make_order(9001, "2025-03-14 08:00:00")]
    monkeypatch.setenv("JST_APP_KEY", jst_gateway.app_key)
    monkeypatch.setenv("JST_APP_SECRET", jst_gateway.app_secret)
    monkeypatch.setenv("JST_ACCESS_TOKEN", jst_gateway.access_token)
    monkeypatch.setenv("JST_BASE_URL", jst_gateway.url)
    warehouse = tmp_path / "w.duckdb"

    status = main(["--warehouse", str(warehouse), "--until", "2025-03-15 00:00:00"])

    assert status == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select o_id from raw.jst_orders").fetchall() == [("9001",)]
