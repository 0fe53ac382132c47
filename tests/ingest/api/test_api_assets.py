"""The API assets, materialised by Dagster for China-time days against the local protocol servers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.ingest.api.assets import API_ASSETS, build_api_assets
from orchestration.partitions import china_days, china_time_bounds
from tests.ingest.api.conftest import materialize_days, use_gateways
from tests.support.protocol_servers.jushuitan_gateway import (
    JushuitanGateway,
    make_inventory,
    make_order,
    make_outbound,
    make_purchase_receipt,
    make_sku,
)
from tests.support.protocol_servers.top_gateway import TopGateway, make_trade

API_KEYS = {
    "raw/top_trades",
    "raw/top_refunds",
    "raw/jst_orders",
    "raw/jst_sales_outbound",
    "raw/jst_inventory",
    "raw/jst_skus",
    "raw/jst_purchase_receipts",
}


def test_without_credentials_the_assets_materialise_nothing(tmp_path: Path, no_credentials: None) -> None:
    warehouse = tmp_path / "warehouse.duckdb"

    result = materialize_days(API_ASSETS, str(warehouse), "2025-03-14")

    assert result.success
    assert result.get_asset_materialization_events() == []
    assert not warehouse.exists()  # not even opened


def test_the_assets_fetch_both_apis_for_a_range_of_days_and_a_rerun_adds_nothing(
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
    use_gateways(monkeypatch, top_gateway, jst_gateway)
    warehouse = str(tmp_path / "warehouse.duckdb")

    first = materialize_days(API_ASSETS, warehouse, "2025-03-13", "2025-03-14")
    second = materialize_days(API_ASSETS, warehouse, "2025-03-13", "2025-03-14")

    assert first.success and second.success
    materialised = {(e.asset_key.to_user_string(), e.partition) for e in first.get_asset_materialization_events()}
    assert materialised == {(key, day) for key in API_KEYS for day in ("2025-03-13", "2025-03-14")}
    with duckdb.connect(warehouse, read_only=True) as con:
        counts = con.execute(
            "select (select count(*) from raw.top_trades), (select count(*) from raw.top_refunds), "
            "(select count(*) from raw.jst_orders), (select count(*) from raw.jst_sales_outbound), "
            "(select count(*) from raw.jst_inventory), (select count(*) from raw.jst_skus), "
            "(select count(*) from raw.jst_purchase_receipts)"
        ).fetchone()
        windows = con.execute(
            "select count(*), sum(rows_in), sum(rows_loaded), sum(rows_unchanged), "
            "count(*) filter (where rows_in <> rows_loaded + rows_quarantined + rows_unchanged) from raw.ingest_log"
        ).fetchone()
    assert counts == (6, 1, 1, 1, 2, 1, 1)
    # per run: 2 day-windows for each TOP source and 1 two-day window for each ERP endpoint; the rerun fetched every
    # window again and found every record already held
    assert windows == (18, 26, 13, 13, 0)


def test_a_ban_beyond_the_maximum_wait_fails_the_asset_clearly(
    tmp_path: Path, no_credentials: None, monkeypatch: pytest.MonkeyPatch, top_gateway: TopGateway
) -> None:
    use_gateways(monkeypatch, top_gateway)
    monkeypatch.setenv("API_MAX_BAN_WAIT_SECONDS", "10")
    top_gateway.fail_next(("ban", 31062))

    result = materialize_days([API_ASSETS[0]], str(tmp_path / "w.duckdb"), "2025-03-14", raise_on_error=False)

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

    result = materialize_days(
        [*build_api_assets(materialize_when_unconfigured=True), reads_top_trades], str(warehouse), "2025-03-14"
    )

    materialised = {e.asset_key.to_user_string(): e for e in result.get_asset_materialization_events()}
    assert set(materialised) == {*API_KEYS, "reads_top_trades"}
    assert materialised["raw/top_trades"].partition == "2025-03-14"
    metadata = materialised["raw/top_trades"].materialization.metadata
    assert "TOP_APP_KEY" in metadata["skipped"].value


def test_a_partition_is_the_china_day_from_midnight_to_midnight() -> None:
    window = china_days().time_window_for_partition_key("2025-03-14")

    assert china_time_bounds(window) == (dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15))
    assert window.start.astimezone(dt.UTC).replace(tzinfo=None) == dt.datetime(2025, 3, 13, 16)  # not the UTC day


def test_only_complete_china_days_are_partitions() -> None:
    partitions = china_days()
    # 2025-03-15 01:00 in China is still 2025-03-14 in UTC: the last complete China day is the 14th
    just_after_midnight = dt.datetime(2025, 3, 14, 17, 0, tzinfo=dt.UTC)

    keys = partitions.get_partition_keys(current_time=just_after_midnight)

    assert keys[-1] == "2025-03-14"
    assert keys[0] == "2023-01-01"


def test_records_at_the_last_and_first_second_of_a_day_land_in_their_own_days(
    tmp_path: Path, no_credentials: None, monkeypatch: pytest.MonkeyPatch, top_gateway: TopGateway
) -> None:
    late, early = 5118609024991031001, 5118609024991031002
    top_gateway.trades = [make_trade(late, "2025-03-13 23:59:59"), make_trade(early, "2025-03-14 00:00:00")]
    use_gateways(monkeypatch, top_gateway)
    warehouse = str(tmp_path / "warehouse.duckdb")

    for day in ("2025-03-14", "2025-03-13"):
        assert materialize_days([API_ASSETS[0]], warehouse, day).success

    with duckdb.connect(warehouse, read_only=True) as con:
        landed = con.execute("select tid, _source_file from raw.top_trades order by tid").fetchall()
    assert [(tid, source.split("&start=")[1]) for tid, source in landed] == [
        (str(late), "2025-03-13T00:00:00&end=2025-03-14T00:00:00"),
        (str(early), "2025-03-14T00:00:00&end=2025-03-15T00:00:00"),
    ]


def test_materialising_a_day_again_fetches_what_changed_on_it(
    tmp_path: Path, no_credentials: None, monkeypatch: pytest.MonkeyPatch, top_gateway: TopGateway
) -> None:
    refund = {"refund_id": "88001", "tid": "5118609024991031000", "status": "WAIT_SELLER_AGREE"}
    top_gateway.refunds = [{**refund, "modified": "2025-03-14 09:00:00"}]
    use_gateways(monkeypatch, top_gateway)
    warehouse = str(tmp_path / "warehouse.duckdb")
    assert materialize_days([API_ASSETS[1]], warehouse, "2025-03-14").success
    # later that day the seller agreed: the API now serves the refund's newer version, on the same day
    top_gateway.refunds = [{**refund, "status": "SUCCESS", "modified": "2025-03-14 21:00:00"}]

    again = materialize_days([API_ASSETS[1]], warehouse, "2025-03-14")

    assert again.success
    with duckdb.connect(warehouse, read_only=True) as con:
        versions = con.execute("select status, modified from raw.top_refunds order by modified").fetchall()
    assert versions == [("WAIT_SELLER_AGREE", "2025-03-14 09:00:00"), ("SUCCESS", "2025-03-14 21:00:00")]


def test_the_command_line_entry_point_syncs_the_configured_sources(
    tmp_path: Path, no_credentials: None, monkeypatch: pytest.MonkeyPatch, jst_gateway: JushuitanGateway
) -> None:
    from orchestration.ingest.api.__main__ import main

    jst_gateway.orders = [make_order(9001, "2025-03-14 08:00:00")]
    use_gateways(monkeypatch, jst=jst_gateway)
    warehouse = tmp_path / "w.duckdb"

    status = main(["--warehouse", str(warehouse), "--first-day", "2025-03-13", "--last-day", "2025-03-14"])

    assert status == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select o_id from raw.jst_orders").fetchall() == [("9001",)]
